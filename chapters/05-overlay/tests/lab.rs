//! Chapter 5's lab checks. Images are made by umoci (a real OCI peer) from
//! the busybox rootfs, or written byte by byte where a check needs a bad
//! one; each check has a store of its own (`--store`, a temp dir), and looks
//! at what the kernel and the filesystem show: layer files, upper dirs,
//! whiteouts, mount tables.

use burrow_lab::{ensure, Check, Failure, Hint};
use ch05_overlay::digest::Digest;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{bin, sh, tool};

/// An OCI image layout made by umoci from the busybox rootfs: `base` is one
/// layer (Cmd sh, Env GREETING=hello); `second` adds a layer that deletes
/// /bin/ls and adds /hello.
fn images() -> Result<tempfile::TempDir, Failure> {
    let dir = burrow_lab::temp_dir();
    common::base_image(dir.path())?;
    sh(&format!(
        "cd {}; umoci unpack --image img:base b; rm b/rootfs/bin/ls; echo hello > b/rootfs/hello
         umoci repack --image img:second b; rm -rf b",
        dir.path().display()
    ))?;
    Ok(dir)
}

/// `import IMGS/img:TAG NAME` into `store`, which must succeed.
fn import(store: &Path, imgs: &Path, tag: &str, name: &str) -> Result<(), Failure> {
    let out = tool(store, &["import", &format!("{}:{tag}", imgs.join("img").display()), name])?;
    ensure(out.code == Some(0), format!("import of {tag} as {name} to succeed"), &out)
        .hint("import: verify every blob against its descriptor, unpack each layer into STORE/layers/<diff_id>, name the image in STORE/oci/index.json; stderr says which step failed")
}

/// Every entry under `root`, one line each: path, type, mode, owner, and for
/// files the size and SHA-256, for symlinks the target, for devices the
/// numbers. Two trees with the same listing hold the same files.
fn listing(root: &Path) -> String {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = path.symlink_metadata() else { continue };
            let rel = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            let kind = meta.file_type();
            let what = if kind.is_symlink() {
                format!(
                    "-> {}",
                    std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default()
                )
            } else if kind.is_file() {
                format!("{} {}", meta.len(), Digest::of(&std::fs::read(&path).unwrap_or_default()))
            } else if kind.is_char_device() || kind.is_block_device() {
                format!("dev {}", meta.rdev())
            } else {
                String::new()
            };
            out.push(format!("{rel} {:o} {}:{} {what}", meta.mode(), meta.uid(), meta.gid()));
            if kind.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out.join("\n")
}

/// The store's unpacked layers (`layers/<hex>`), and any temporary leftovers.
fn layer_dirs(store: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(store.join("layers"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Mount points anywhere on the host under `dir`.
fn mounts_under(dir: &Path) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let dir = dir.display().to_string();
    table
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| p.starts_with(&dir))
        .map(String::from)
        .collect()
}

#[test]
fn copy_on_write_leaves_the_layers_untouched() {
    Check {
        id: "ch05/cow",
        what: "a container adds, changes and deletes files: the layer is byte for byte unchanged, the upper dir has the new file, the copied-up file and a 0/0 whiteout, the deleted file is gone inside, and diff lists A/C/D",
        looks: "imports a one-layer busybox image into a temp store, runs `TOOL run --name c1 busybox sh -c '...'` (adds /new, appends to /etc/passwd, rm /bin/ls), then lists the layer dir STORE/layers/HEX before and after, reads STORE/containers/c1/upper (new, etc/passwd, bin/ls's type and rdev), runs `TOOL diff c1` and `TOOL rm c1`",
        hint: "mount overlay with lowerdir=LAYERS,upperdir=UPPER,workdir=WORK on merged, in the container's mount namespace, and pivot_root into it",
        book: "ch05-overlay.md#copy-on-write-and-whiteouts",
        exercises: &["5.1", "5.2", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let layers = layer_dirs(store);
        let layer = store.join("layers").join(layers.first().map(String::as_str).unwrap_or("none"));
        let before = listing(&layer);
        let (new, more) = (burrow_lab::random_name("new-"), burrow_lab::random_name("more-"));
        let script = format!("echo {new} > /new; echo {more} >> /etc/passwd; rm /bin/ls; ls /bin/ls 2>/dev/null || echo gone; tail -1 /etc/passwd; echo $GREETING");
        let out = tool(store, &["run", "--net=none", "--name", "c1", "busybox", "sh", "-c", &script])?;
        let expected = format!("gone\n{more}\nhello\n");
        ensure(out.stdout == expected, format!("gone / {more} / hello (the image's Env)"), &out)?;
        ensure(listing(&layer) == before && !before.is_empty(), "the layer unchanged", "it changed")
            .hint("a layer is a lowerdir, read-only: every write must go to the container's own upperdir, STORE/containers/NAME/upper")?;
        let upper = store.join("containers/c1/upper");
        let added = std::fs::read_to_string(upper.join("new")).unwrap_or_default();
        let passwd = std::fs::read_to_string(upper.join("etc/passwd")).unwrap_or_default();
        let ls = upper.join("bin/ls").symlink_metadata();
        let whiteout = ls.as_ref().is_ok_and(|m| m.file_type().is_char_device() && m.rdev() == 0);
        ensure(
            added == format!("{new}\n") && passwd.ends_with(&format!("{more}\n")),
            "upper/new and a copied-up upper/etc/passwd",
            format!("{added:?} {passwd:?}"),
        )
        .hint("upperdir= must be the container's STORE/containers/NAME/upper, and workdir= its work dir on the same filesystem")?;
        ensure(whiteout, "upper/bin/ls a character device 0/0 (a whiteout)", format!("{ls:?}"))?;
        let out = tool(store, &["diff", "c1"])?;
        ensure(out.stdout == "C /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nA /new\n", "diff: C /bin, D /bin/ls, C /etc, C /etc/passwd, A /new", &out)
            .hint("diff walks the upper dir, sorted by path: a 0/0 character device is D, a name some lower layer has is C, anything else A")?;
        let out = tool(store, &["rm", "c1"])?;
        ensure(out.code == Some(0) && !store.join("containers/c1").exists(), "rm removes the container", &out)
            .hint("rm NAME removes STORE/containers/NAME, upper and work dirs with it")
    });
}

#[test]
fn unpacked_layers_match_umoci() {
    Check {
        id: "ch05/umoci",
        what: "the rootfs of a two-layer image with a deletion (the layers mounted as one overlay) is the same tree umoci unpack makes: paths, types, modes, owners, contents, link targets",
        looks: "imports a two-layer image (the second deletes /bin/ls, adds /hello) into a temp store, mounts its two STORE/layers dirs as a read-only overlay of its own, and compares every entry (path, type, mode, owner, size and sha256, link target) with what `umoci unpack` makes",
        hint: "unpack each layer in order into its own directory; .wh.NAME becomes a 0/0 character device NAME; keep modes and owners",
        book: "ch05-overlay.md#unpacking-a-layer-safely",
        exercises: &["5.3", "5.4"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "second", "second")?;
        sh(&format!("cd {}; umoci unpack --image img:second theirs", imgs.path().display()))?;
        let theirs = listing(&imgs.path().join("theirs/rootfs"));
        // Ours: the two layers as one read-only overlay, the top one first.
        let mut layers: Vec<PathBuf> = layer_dirs(store).iter().map(|l| store.join("layers").join(l)).collect();
        let top_is_small = |p: &PathBuf| listing(p).lines().count();
        layers.sort_by_key(top_is_small); // the second layer holds two entries, the base hundreds
        let merged = burrow_lab::temp_dir();
        let lowers: Vec<String> = layers.iter().map(|p| p.display().to_string()).collect();
        let options = format!("lowerdir={}", lowers.join(":"));
        let flags = nix::mount::MsFlags::MS_RDONLY;
        nix::mount::mount(Some("overlay"), merged.path(), Some("overlay"), flags, Some(options.as_str()))
            .map_err(std::io::Error::from)?;
        let ours = listing(merged.path());
        let _ = nix::mount::umount2(merged.path(), nix::mount::MntFlags::MNT_DETACH);
        let first_difference = ours.lines().zip(theirs.lines()).find(|(a, b)| a != b);
        ensure(layers.len() == 2, "two layers in the store", format!("{layers:?}"))
            .hint("each layer of the manifest is unpacked into a directory of its own, STORE/layers/<its diff_id>")?;
        ensure(
            ours == theirs && theirs.contains("hello ") && !theirs.contains("bin/ls "),
            format!("the same {} entries as umoci's rootfs", theirs.lines().count()),
            format!("{} entries; first difference: {first_difference:?}", ours.lines().count()),
        )
    });
}

#[test]
fn a_shared_base_layer_is_stored_once() {
    Check {
        id: "ch05/dedupe",
        what: "two images on the same base layer: the store holds 2 unpacked layers and 2 layer blobs, not 3",
        looks: "imports `base` then `second` (built on base) into one temp store, counts STORE/layers/* and STORE/oci/blobs/sha256/*, and the lines of `TOOL images`",
        hint:
            "name each unpacked layer by its diff_id and each blob by its digest; skip what is already there",
        book: "ch05-overlay.md#content-addressing",
        exercises: &["5.3", "5.4"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        let img = imgs.path().join("img").display().to_string();
        let one = tool(store, &["import", &format!("{img}:base"), "one"])?;
        let two = tool(store, &["import", &format!("{img}:second"), "two"])?;
        ensure(
            one.code == Some(0) && two.code == Some(0),
            "both imports to succeed",
            format!("{one}\n{two}"),
        )?;
        let layers = layer_dirs(store);
        let blobs = std::fs::read_dir(store.join("oci/blobs/sha256"))?.count();
        // Blobs: 2 layers, 2 configs, 2 manifests.
        ensure(
            layers.len() == 2 && blobs == 6,
            "2 layer dirs and 6 blobs",
            format!("{layers:?}, {blobs} blobs"),
        )?;
        let out = tool(store, &["images"])?;
        ensure(out.stdout.lines().skip(1).count() == 2, "two images listed", &out)
    });
}

#[test]
fn a_blob_with_a_wrong_digest_is_refused() {
    Check {
        id: "ch05/digest",
        what: "a layer blob with one byte changed, and one cut short: import fails naming the digest, nothing is unpacked, no image is named",
        looks: "changes one byte in the middle of the layout's biggest blob (the layer), then cuts it 10 bytes short; after `TOOL import` of each into a fresh store, reads its exit code and stderr, STORE/layers and `TOOL images`",
        hint: "hash every blob and compare digest and size with its descriptor before using it",
        book: "ch05-overlay.md#content-addressing",
        exercises: &["5.3"],
    }
    .run(|| {
        let imgs = images()?;
        let img = imgs.path().join("img");
        // The biggest blob is the layer.
        let mut blobs: Vec<(u64, PathBuf)> = std::fs::read_dir(img.join("blobs/sha256"))?
            .flatten()
            .map(|e| (e.metadata().map(|m| m.len()).unwrap_or(0), e.path()))
            .collect();
        blobs.sort();
        let Some((size, layer)) = blobs.last().cloned() else { return ensure(false, "a layer blob", "none") };
        let hex = layer.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let original = std::fs::read(&layer)?;
        for (how, bytes) in [("one byte changed", flip(&original, size as usize / 2)), ("cut short", original[..original.len() - 10].to_vec())] {
            std::fs::write(&layer, &bytes)?;
            let store = burrow_lab::temp_dir();
            let out = tool(store.path(), &["import", &format!("{}:base", img.display()), "busybox"])?;
            ensure(out.code == Some(125) && out.stderr.contains(&hex) && out.stderr.contains("refused"), format!("{how}: 125, refused, naming sha256:{hex}"), &out)?;
            let layers = layer_dirs(store.path());
            let images = tool(store.path(), &["images"])?;
            ensure(layers.is_empty() && images.stdout.lines().skip(1).count() == 0, format!("{how}: no layer, no image"), format!("{layers:?} {images}"))
                .hint("verify before use: a blob that fails leaves no layer dir (unpack into a temporary one, renamed only at the end) and no name in index.json")?;
        }
        Ok(())
    });
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut copy = bytes.to_vec();
    copy[at] ^= 0xff;
    copy
}

/// A one-layer OCI layout whose layer is `tar`, uncompressed, with correct
/// digests: the archive itself is what is bad.
fn layout_with_layer(tar: &[u8]) -> Result<tempfile::TempDir, Failure> {
    let dir = burrow_lab::temp_dir();
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs)?;
    let put = |bytes: &[u8]| -> std::io::Result<(Digest, usize)> {
        let digest = Digest::of(bytes);
        std::fs::write(blobs.join(&digest.hex), bytes)?;
        Ok((digest, bytes.len()))
    };
    let (layer, layer_size) = put(tar)?;
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["sh"]}},"rootfs":{{"type":"layers","diff_ids":["{layer}"]}}}}"#
    );
    let (config, config_size) = put(config.as_bytes())?;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":{layer_size}}}]}}"#
    );
    let (manifest, manifest_size) = put(manifest.as_bytes())?;
    std::fs::write(dir.path().join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
    std::fs::write(
        dir.path().join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest}","size":{manifest_size},"annotations":{{"org.opencontainers.image.ref.name":"evil"}}}}]}}"#
        ),
    )?;
    Ok(dir)
}

/// A tar of `entries`: (path, kind, link target, content). Paths are written
/// into the header as they are, `..` and leading `/` included (tar::Builder
/// refuses those, so the name bytes are set by hand).
fn evil_tar(entries: &[(&str, tar::EntryType, &str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, kind, link, content) in entries {
        let mut header = tar::Header::new_old();
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        let linkname = &mut header.as_old_mut().linkname;
        linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(*kind);
        header.set_mode(if *kind == tar::EntryType::Directory { 0o755 } else { 0o644 });
        header.set_size(content.len() as u64);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_cksum();
        let _ = builder.append(&header, *content);
    }
    builder.into_inner().unwrap_or_default()
}

#[test]
fn layer_entries_that_escape_are_refused() {
    Check {
        id: "ch05/unsafe",
        what: "tar entries with ../, an absolute path, a file through a symlink, a symlink climbing out, a hard link to outside: each import refused with 125, nothing written outside, nothing unpacked",
        looks: "imports five one-layer layouts with correct digests whose tar is hostile (../ path, absolute path, file through a symlink, symlink climbing out, hard link out), each into a fresh store; reads the exit code and stderr, a temp dir outside that the entries aim at, and STORE/layers",
        hint: "clean each path (no /, no ..), never follow a symlink while unpacking, check symlink and hard link targets",
        book: "ch05-overlay.md#unpacking-a-layer-safely",
        exercises: &["5.3"],
    }
    .run(|| {
        use tar::EntryType::{Directory, Link, Regular, Symlink};
        let outside = burrow_lab::temp_dir();
        let target = outside.path().display().to_string();
        let deep = "../".repeat(8) + &target[1..] + "/pwned";
        let through = target.clone();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("a ../ path", evil_tar(&[(&deep, Regular, "", b"x")])),
            ("an absolute path", evil_tar(&[(&format!("{target}/pwned"), Regular, "", b"x")])),
            ("a file through a symlink", evil_tar(&[("evil", Symlink, &through, b""), ("evil/pwned", Regular, "", b"x")])),
            ("a symlink climbing out", evil_tar(&[("bin", Directory, "", b""), ("bin/up", Symlink, "../../..", b"")])),
            ("a hard link to outside", evil_tar(&[("shadow", Link, "../../../../etc/shadow", b"")])),
        ];
        for (what, tar) in cases {
            let layout = layout_with_layer(&tar)?;
            let store = burrow_lab::temp_dir();
            let out = tool(store.path(), &["import", &layout.path().display().to_string(), "evil"])?;
            ensure(out.code == Some(125) && out.stderr.contains("refused"), format!("{what}: 125, refused"), &out)?;
            let written = std::fs::read_dir(outside.path())?.count();
            let layers = layer_dirs(store.path());
            ensure(written == 0 && layers.is_empty(), format!("{what}: nothing outside, nothing unpacked"), format!("{written} files outside, layers {layers:?}"))
                .hint("refuse the entry before writing anything for it, and remove the half-unpacked temporary layer dir when a layer is refused")?;
        }
        Ok(())
    });
}

#[test]
fn no_mount_is_left_however_a_container_ends() {
    Check {
        id: "ch05/mounts",
        what: "the overlay is the root inside and invisible on the host; after --rm, a failed command and a SIGKILL no mount is left, and --rm leaves no container dir",
        looks: "runs `TOOL run --rm busybox` reading field 9 of / in /proc/self/mountinfo inside, then a missing command, then `run --name killed busybox sleep 30`: finds the container as the tool's child (/proc/TOOL/task/TOOL/children) and SIGKILLs it; reads the host's /proc/self/mountinfo under the store while it runs and after, and STORE/containers",
        hint: "mount the overlay inside the container's mount namespace: it dies with the namespace",
        book: "ch05-overlay.md#where-the-overlay-is-mounted",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let out = tool(store, &["run", "--net=none", "--rm", "busybox", "sh", "-c", "grep ' / / ' /proc/self/mountinfo | cut -d' ' -f9"])?;
        ensure(out.stdout == "overlay\n", "the root inside is an overlay", &out)?;
        let out = tool(store, &["run", "--net=none", "--rm", "busybox", "/no/such/command"])?;
        ensure(out.code == Some(127), "127 for a missing command", &out)
            .hint("a command that execve(2) cannot find is chapter 1's 127, reported by the child after pivot_root")?;
        let mut child = Command::new(bin())
            .arg("--store")
            .arg(store)
            .args(["run", "--net=none", "--name", "killed", "busybox", "sleep", "30"])
            .spawn()?;
        let pid1 = burrow_lab::wait_for(5.0, || burrow_lab::container_running(child.id(), "sleep"));
        let host_view = mounts_under(store);
        if let Some(pid) = pid1 {
            burrow_lab::send_signal(pid, libc::SIGKILL);
        }
        let code = child.wait()?.code();
        ensure(pid1.is_some() && code == Some(137), "the killed container: 137", format!("{code:?}"))
            .hint("the container must be the tool's own child (clone, chapter 1), and the tool exits 128+N when signal N killed it")?;
        ensure(host_view.is_empty(), "no overlay on the host while it ran", format!("{host_view:?}"))?;
        let left = mounts_under(store);
        let containers: Vec<_> = std::fs::read_dir(store.join("containers"))?.flatten().map(|e| e.file_name()).collect();
        ensure(left.is_empty() && containers == ["killed"], "no mount left; only the container without --rm", format!("{left:?} {containers:?}"))
            .hint("--rm removes STORE/containers/NAME once the container ends, however it ends; without --rm it stays")
    });
}

#[test]
fn bad_input_fails_clearly_and_leaves_nothing() {
    Check {
        id: "ch05/errors",
        what: "an unknown image, a directory that is no OCI layout, a bad or taken --name: 125 naming the value; no container dir left",
        looks: "runs `TOOL run nosuchimage`, `TOOL import` of an empty dir, `TOOL run --name ../up` and the same --name twice, in a temp store; reads each exit code and stderr, then counts STORE/containers",
        hint: "look up the image and check the name before making any directory",
        book: "ch05-overlay.md#pitfalls",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let not_layout = burrow_lab::temp_dir();
        let not_layout = not_layout.path().display().to_string();
        for (args, named) in [
            (vec!["run", "--net=none", "nosuchimage", "true"], "nosuchimage"),
            (vec!["import", &not_layout, "x"], "not an OCI image layout"),
            (vec!["run", "--net=none", "--name", "../up", "busybox", "true"], "../up"),
        ] {
            let out = tool(store, &args)?;
            ensure(out.code == Some(125) && out.stderr.contains(named), format!("{args:?}: 125 naming {named}"), &out)?;
        }
        let first = tool(store, &["run", "--net=none", "--name", "same", "busybox", "true"])?;
        let again = tool(store, &["run", "--net=none", "--name", "same", "busybox", "true"])?;
        ensure(first.code == Some(0) && again.code == Some(125) && again.stderr.contains("exists"), "a taken --name: 125, exists", &again)
            .hint("make STORE/containers/NAME with mkdir(2), not mkdir -p: EEXIST means the name is taken")?;
        tool(store, &["rm", "same"])?;
        let containers = std::fs::read_dir(store.join("containers"))?.count();
        ensure(containers == 0, "no container dir left", containers)
    });
}

/// The entry names of a gzip layer blob's tar.
fn tar_entries(blob: &Path) -> Result<Vec<String>, Failure> {
    let file = std::fs::File::open(blob)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut names = Vec::new();
    for entry in archive.entries()? {
        names.push(entry?.path()?.display().to_string());
    }
    Ok(names)
}

#[test]
fn commit_makes_an_image_of_the_changes() {
    Check {
        id: "ch05/commit",
        what: "commit: a new image whose extra layer is the container's changes (bin/.wh.ls for the deletion); running it shows them; committing the same changes again stores no new layer",
        looks: "runs the same change (a new /word, rm /bin/ls) in containers c1 and c2 of a temp store, `TOOL commit c1 mine`, runs `mine`, lists the entries of the new layer's tar among STORE/oci/blobs/sha256, counts STORE/layers, then `TOOL commit c2 again` and counts them again",
        hint: "tar the upper dir with whiteouts as .wh.NAME, times set to 0; gzip; new config (diff_ids + 1) and manifest; name it",
        book: "ch05-overlay.md#commit-a-container-becomes-a-layer",
        exercises: &["5.1", "5.3", "5.4", "5.6"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let word = burrow_lab::random_name("w-");
        let change = format!("echo {word} > /word; rm /bin/ls");
        for name in ["c1", "c2"] {
            let out = tool(store, &["run", "--net=none", "--name", name, "busybox", "sh", "-c", &change])?;
            ensure(out.code == Some(0), format!("container {name} to run"), &out)?;
        }
        let out = tool(store, &["commit", "c1", "mine"])?;
        ensure(out.code == Some(0), "commit to succeed", &out)?;
        let out = tool(store, &["run", "--net=none", "--rm", "mine", "sh", "-c", "cat /word; ls /bin/ls 2>/dev/null || echo gone"])?;
        ensure(out.stdout == format!("{word}\ngone\n"), format!("{word} / gone, from the new image"), &out)
            .hint("the new config has one more diff_id and the new manifest one more layer: its layer goes on top, the first lowerdir")?;
        let layers = layer_dirs(store);
        let blobs: Vec<PathBuf> = std::fs::read_dir(store.join("oci/blobs/sha256"))?.flatten().map(|e| e.path()).collect();
        let entries: Vec<String> = blobs.iter().filter_map(|b| tar_entries(b).ok()).find(|e| e.len() < 10).unwrap_or_default();
        ensure(layers.len() == 2, "2 layers: the base, shared, and the new one", format!("{layers:?}"))
            .hint("the new image names the base's layers by digest: only the new layer is unpacked, into STORE/layers/<its diff_id>")?;
        ensure(
            entries.iter().any(|e| e == "bin/.wh.ls") && entries.iter().any(|e| e == "word"),
            "the new layer's tar has bin/.wh.ls and word",
            format!("{entries:?}"),
        )?;
        let out = tool(store, &["commit", "c2", "again"])?;
        ensure(out.code == Some(0) && layer_dirs(store) == layers, "the same changes again: no new layer", format!("{out}\n{:?}", layer_dirs(store)))
            .hint("entries sorted by name and every mtime 0: the same changes make the same tar, whose diff_id is already in the store")
    });
}

#[test]
fn prune_frees_exactly_what_nothing_uses() {
    Check {
        id: "ch05/prune",
        what: "prune keeps what a running container or a named image uses, and removes stopped containers and exactly the unreferenced blobs and layers",
        looks: "imports busybox and second into a temp store, runs a stopped container and one running `sleep 30` (found in /proc/TOOL/task/TOOL/children), `TOOL rmi second`, `TOOL prune` while it runs, SIGKILLs it, `TOOL prune` again; compares STORE/layers, STORE/oci/blobs/sha256 and STORE/containers with a store holding busybox alone, then runs busybox",
        hint: "mark from index.json's manifests and running containers' manifests (config, layers, diff_ids), sweep the rest",
        book: "ch05-overlay.md#prune-mark-and-sweep",
        exercises: &["5.1", "5.3", "5.4", "5.7"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        import(store, imgs.path(), "second", "second")?;
        let base_only = {
            let other = burrow_lab::temp_dir();
            import(other.path(), imgs.path(), "base", "busybox")?;
            (layer_dirs(other.path()), std::fs::read_dir(other.path().join("oci/blobs/sha256"))?.count())
        };
        tool(store, &["run", "--net=none", "--name", "stopped", "busybox", "true"])?;
        let mut running = Command::new(bin())
            .arg("--store")
            .arg(store)
            .args(["run", "--net=none", "--name", "running", "second", "sleep", "30"])
            .spawn()?;
        let pid1 = burrow_lab::wait_for(5.0, || burrow_lab::container_running(running.id(), "sleep"));
        tool(store, &["rmi", "second"])?;
        let first = tool(store, &["prune"]);
        let layers_while_running = layer_dirs(store);
        if let Some(pid) = pid1 {
            burrow_lab::send_signal(pid, libc::SIGKILL);
        }
        let _ = running.wait();
        let first = first?;
        ensure(layers_while_running.len() == 2, "the running container's layers kept", format!("{first}\n{layers_while_running:?}"))
            .hint("a running container's manifest (STORE/containers/NAME/manifest) is a root too, though its image's name is gone")?;
        let second = tool(store, &["prune"])?;
        let blobs = std::fs::read_dir(store.join("oci/blobs/sha256"))?.count();
        let containers = std::fs::read_dir(store.join("containers"))?.count();
        ensure(
            (layer_dirs(store), blobs, containers) == (base_only.0.clone(), base_only.1, 0),
            format!("what busybox alone needs: layers {:?}, {} blobs; no container", base_only.0, base_only.1),
            format!("{second}\nlayers {:?}, {blobs} blobs, {containers} containers", layer_dirs(store)),
        )?;
        let out = tool(store, &["run", "--net=none", "--rm", "busybox", "echo", "still here"])?;
        ensure(out.stdout == "still here\n", "busybox still runs", &out)
            .hint("sweep only what was not marked: busybox's manifest, config, layer blob and layer dir are reachable from index.json")
    });
}

#[test]
fn an_image_serves_on_a_published_port_with_limits() {
    Check {
        id: "ch05/web",
        what: "run -p 8080:80 --memory 64M: a web server in a container from the image answers on the host's port 8080, its cgroup has the limit, and after SIGTERM no link, rule or cgroup is left (in a network namespace made for the check)",
        looks: "in a network namespace made for the check, runs `TOOL run --init -p 8080:80 --memory 64M busybox` serving a random word with httpd, fetches 127.0.0.1:8080 with wget, reads memory.max (or memory.limit_in_bytes) of the container's cgroup from /proc/PID/cgroup, SIGTERMs the tool, then lists the namespace's links and nftables tables and looks for the cgroup dir",
        hint: "chapter 4's NetArgs::attach / place / inside / detach and chapter 3's cgroup around the same run_placed as the overlay",
        book: "ch05-overlay.md#putting-a-container-together",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store, leases) = (images()?, burrow_lab::temp_dir(), burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let netns = burrow_lab::random_name("burrow-test-");
        sh(&format!("ip netns add {netns} && ip -n {netns} link set lo up"))?;
        let word = burrow_lab::random_name("w-");
        let script = format!("mkdir /www; echo {word} > /www/index.html; echo ready; exec httpd -f -p 80 -h /www");
        let mut child = Command::new("nsenter")
            .arg(format!("--net=/run/netns/{netns}"))
            .arg(bin())
            .arg("--store")
            .arg(store)
            .args(["run", "--name", "web", "--init", "-p", "8080:80", "--memory", "64M", "--state-dir"])
            .arg(leases.path())
            .args(["busybox", "sh", "-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        if let Some(out) = child.stdout.as_mut() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
        }
        let pid1 = burrow_lab::wait_for(5.0, || burrow_lab::container_running(child.id(), "httpd"));
        let answer = sh(&format!("ip netns exec {netns} timeout 3 busybox wget -qO- http://127.0.0.1:8080/"));
        let memory = pid1.and_then(|p| burrow_lab::cgroup_dir(p, "memory"));
        let limit = memory.as_ref().and_then(|d| {
            ["memory.max", "memory.limit_in_bytes"].iter().find_map(|f| std::fs::read_to_string(d.join(f)).ok())
        });
        burrow_lab::send_signal(child.id(), libc::SIGTERM);
        let code = burrow_lab::wait_for(5.0, || child.try_wait().ok().flatten()).and_then(|s| s.code());
        let _ = child.kill();
        let left = sh(&format!("ip -n {netns} -o link show | grep -v ': lo:' || true; ip netns exec {netns} nft list tables"));
        let _ = sh(&format!("ip netns del {netns}"));
        let answer = answer?;
        ensure(line.trim() == "ready" && answer.stdout == format!("{word}\n"), format!("{word} on 127.0.0.1:8080"), &answer)?;
        ensure(limit.as_deref().map(str::trim) == Some("67108864"), "67108864 in the container's memory cgroup", format!("{memory:?}: {limit:?}"))
            .hint("chapter 3: make the cgroup with memory.max before clone, and place the child in it while it waits (Outside::place)")?;
        ensure(code == Some(143), "143 after SIGTERM (through --init)", format!("{code:?}"))
            .hint("--init is chapter 1's: the tool forwards SIGTERM to the container, whose init forwards it to httpd; exit 128+15")?;
        let left = left?;
        ensure(left.stdout.is_empty(), "no link or nftables table left", &left)
            .hint("chapter 4: once the container ends, delete its veth and the nftables rules (Outside::remove), whatever signal ended it")?;
        ensure(memory.is_some_and(|d| !d.exists()), "the cgroup removed", "it is still there")
            .hint("chapter 3: remove the container's cgroup after the container ends")
    });
}

#[test]
fn a_detached_container_runs_logs_and_stops() {
    Check {
        id: "ch05/detach",
        what: "run -d returns at once with the name; ps says running; logs has the container's output; stop (SIGTERM, then SIGKILL to a PID 1 that ignores it) ends it and its supervisor",
        looks: "runs `TOOL run -d --name bg busybox sh -c 'echo WORD; exec sleep 30'` and times it, reads the supervisor's pid from `TOOL ps`, polls `TOOL logs bg`, runs `TOOL stop --time 1 bg`, reads the supervisor's State in /proc/PID/status and `TOOL ps`, then `TOOL rm bg`",
        hint: "start yourself again without -d in a new session (setsid), output to the container's log; stop: SIGTERM the supervisor, SIGKILL the container's PID 1 after the timeout",
        book: "ch05-overlay.md#detached-containers",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let word = burrow_lab::random_name("started-");
        let script = format!("echo {word}; exec sleep 30");
        let started = std::time::Instant::now();
        let out = tool(store, &["run", "--net=none", "-d", "--name", "bg", "busybox", "sh", "-c", &script])?;
        let took = started.elapsed();
        ensure(out.code == Some(0) && out.stdout == "bg\n", "run -d: exit 0, printing bg", &out)?;
        ensure(took.as_secs() < 5, "run -d to return at once", format!("{took:?}"))?;
        let ps = tool(store, &["ps"])?;
        let supervisor: Option<u32> = ps.stdout.lines().find(|l| l.starts_with("bg ")).and_then(|l| {
            l.split("pid ").nth(1)?.trim_end_matches(')').parse().ok()
        });
        ensure(supervisor.is_some(), "ps: bg running (pid N)", &ps)
            .hint("the supervisor writes its pid to STORE/containers/NAME/pid; ps says running (pid N) while that process is alive")?;
        let logged = burrow_lab::wait_for(5.0, || {
            tool(store, &["logs", "bg"]).ok().filter(|r| r.stdout == format!("{word}\n"))
        });
        ensure(logged.is_some(), format!("logs bg: {word}"), "not in the log")
            .hint("the supervisor points its stdout and stderr at STORE/containers/NAME/log before the container starts: the container inherits them")?;
        let out = tool(store, &["stop", "--time", "1", "bg"])?;
        ensure(out.code == Some(0), "stop to succeed", &out)?;
        let state = supervisor.and_then(|p| burrow_lab::status_field(p, "State")).unwrap_or_default();
        let gone = state.is_empty() || state.starts_with('Z'); // gone, or done and not yet reaped
        let ps = tool(store, &["ps"])?;
        ensure(gone && ps.stdout.contains("bg ") && ps.stdout.contains("stopped"), "bg stopped, its supervisor gone", &ps)?;
        let out = tool(store, &["rm", "bg"])?;
        ensure(out.code == Some(0), "rm bg", &out)
    });
}

#[test]
fn a_multi_platform_image_imports_its_linux_amd64_manifest() {
    Check {
        id: "ch05/platform",
        what: "an image whose index.json entry is itself an index (arm64 and amd64 manifests): import follows it to linux/amd64, and the image runs",
        looks: "rewrites the layout's index.json so that `multi` names an index of two manifests (arm64, pointing at a blob that does not exist, and amd64), imports `multi` into a temp store and runs `echo $GREETING` in it",
        hint: "a descriptor of media type image.index points at another index: read it, pick the manifest whose platform is linux/amd64",
        book: "ch05-overlay.md#the-oci-image-layout",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let img = imgs.path().join("img");
        // Wrap base's manifest descriptor in an index with two platforms; the
        // arm64 entry points at a blob that does not exist (never fetched).
        let index: serde_json::Value = serde_json::from_slice(&std::fs::read(img.join("index.json"))?)
            .map_err(|e| Failure::new("index.json", e.to_string()))?;
        let base = index["manifests"]
            .as_array()
            .and_then(|m| m.iter().find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == "base"))
            .cloned()
            .unwrap_or_default();
        let mut amd64 = base.clone();
        amd64["platform"] = serde_json::json!({"architecture": "amd64", "os": "linux"});
        amd64.as_object_mut().map(|o| o.remove("annotations"));
        let arm64 = serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{}", "0".repeat(64)), "size": 1, "platform": {"architecture": "arm64", "os": "linux"}});
        let nested = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [arm64, amd64]});
        let bytes = nested.to_string().into_bytes();
        let digest = Digest::of(&bytes);
        std::fs::write(img.join("blobs/sha256").join(&digest.hex), &bytes)?;
        let top = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": digest.to_string(), "size": bytes.len(), "annotations": {"org.opencontainers.image.ref.name": "multi"}}]});
        std::fs::write(img.join("index.json"), top.to_string())?;
        import(store.path(), imgs.path(), "multi", "multi")?;
        let out = tool(store.path(), &["run", "--net=none", "--rm", "multi", "sh", "-c", "echo $GREETING"])?;
        ensure(out.stdout == "hello\n", "hello, from the linux/amd64 manifest", &out)
    });
}

#[test]
fn an_opaque_directory_survives_commit() {
    Check {
        id: "ch05/opaque",
        what: "a container replaces /etc with a new directory: upper/etc is opaque (trusted.overlay.opaque=y), only the new file shows inside; committed, the layer has etc/.wh..wh..opq and the new image's /etc holds only that file",
        looks: "runs `rm -rf /etc; mkdir /etc; echo x > /etc/only; ls /etc` in container o of a temp store, reads the xattr trusted.overlay.opaque of STORE/containers/o/upper/etc, `TOOL commit o replaced`, lists the new layer's tar entries among STORE/oci/blobs/sha256, then runs `ls /etc` in `replaced`",
        hint: "overlay marks a directory deleted and made again opaque; commit writes it as DIR/.wh..wh..opq, unpack turns that back into the xattr",
        book: "ch05-overlay.md#copy-on-write-and-whiteouts",
        exercises: &["5.1", "5.3", "5.4", "5.6"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        let store = store.path();
        import(store, imgs.path(), "base", "busybox")?;
        let script = "rm -rf /etc; mkdir /etc; echo x > /etc/only; ls /etc";
        let out = tool(store, &["run", "--net=none", "--name", "o", "busybox", "sh", "-c", script])?;
        ensure(out.stdout == "only\n", "inside: /etc holds only the new file", &out)?;
        let upper_etc = store.join("containers/o/upper/etc");
        let opaque = xattr(&upper_etc, "trusted.overlay.opaque");
        ensure(opaque.as_deref() == Some(&b"y"[..]), "upper/etc opaque (trusted.overlay.opaque=y)", format!("{opaque:?}"))
            .hint("overlayfs sets the xattr itself, on the upper dir of the overlay mount: upperdir= must be STORE/containers/NAME/upper")?;
        let out = tool(store, &["commit", "o", "replaced"])?;
        ensure(out.code == Some(0), "commit", &out)?;
        let blobs: Vec<PathBuf> = std::fs::read_dir(store.join("oci/blobs/sha256"))?.flatten().map(|e| e.path()).collect();
        let entries: Vec<String> = blobs.iter().filter_map(|b| tar_entries(b).ok()).find(|e| e.len() < 10).unwrap_or_default();
        ensure(entries.iter().any(|e| e == "etc/.wh..wh..opq"), "the layer has etc/.wh..wh..opq", format!("{entries:?}"))
            .hint("commit: after an opaque directory's own entry, write an empty file DIR/.wh..wh..opq")?;
        let out = tool(store, &["run", "--net=none", "--rm", "replaced", "ls", "/etc"])?;
        ensure(out.stdout == "only\n", "the committed image's /etc: only", &out)
            .hint("unpack: DIR/.wh..wh..opq is no file to write: it sets trusted.overlay.opaque=y on DIR, which hides the layers below")
    });
}

/// The value of extended attribute `name` of `path` (not following a symlink).
fn xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let (path, name) =
        (std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?, std::ffi::CString::new(name).ok()?);
    let mut value = [0u8; 64];
    // SAFETY: NUL-terminated strings and a buffer of the length given.
    let n = unsafe { libc::lgetxattr(path.as_ptr(), name.as_ptr(), value.as_mut_ptr().cast(), value.len()) };
    (n >= 0).then(|| value[..n as usize].to_vec())
}

#[test]
fn the_config_sets_user_and_working_dir() {
    Check {
        id: "ch05/config",
        what: "an image whose config says User nobody, WorkingDir /srv/app, Entrypoint [\"sh\",\"-c\"]: the process runs as uid 65534 in /srv/app (made if missing), with the command after the entrypoint",
        looks: "makes an image with umoci whose config has User nobody, WorkingDir /srv/app, Entrypoint [sh, -c] and no Cmd, imports it into a temp store and runs `TOOL run --rm app 'echo $(id -u):$(id -g) $(pwd)'`",
        hint: "after pivot_root: chdir to WorkingDir (mkdir -p), look the user up in the image's /etc/passwd, setgroups/setgid/setuid last; args = Entrypoint + (CMD or Cmd)",
        book: "ch05-overlay.md#putting-a-container-together",
        exercises: &["5.1", "5.3"],
    }
    .run(|| {
        let (imgs, store) = (images()?, burrow_lab::temp_dir());
        sh(&format!(
            "cd {}; umoci config --image img:base --tag app --config.user nobody --config.workingdir /srv/app --config.entrypoint sh --config.entrypoint -c --clear=config.cmd",
            imgs.path().display()
        ))?;
        let store = store.path();
        import(store, imgs.path(), "app", "app")?;
        let out = tool(store, &["run", "--net=none", "--rm", "app", "echo $(id -u):$(id -g) $(pwd)"])?;
        ensure(out.stdout == "65534:65534 /srv/app\n", "65534:65534 /srv/app", &out)
    });
}
