//! Chapter 5's registry checks: a real registry (Debian's `docker-registry`)
//! on 127.0.0.1, filled by skopeo from an image umoci made, and pulled from
//! by `ch05-overlay pull`. They run on the host only (the cgroup v2 VM has
//! no registry to run; pulling does not depend on cgroups).

use burrow_lab::{ensure, Check, Failure, Hint};
use std::path::PathBuf;
use std::process::{Child, Command};

mod common;
use common::{sh, tool};

/// A registry on 127.0.0.1:PORT with its storage in a temp dir, holding
/// `busybox:latest` (a one-layer image umoci made from the busybox rootfs,
/// copied in by skopeo); with `htpasswd`, it wants basic auth alice:secret.
struct Registry {
    dir: tempfile::TempDir,
    server: Child,
    port: u16,
}

impl Registry {
    fn new(auth: bool) -> Result<Registry, Failure> {
        Registry::with_format(auth, "oci")
    }

    /// `format`: the manifest format skopeo pushes, `oci` or Docker's `v2s2`.
    fn with_format(auth: bool, format: &str) -> Result<Registry, Failure> {
        let dir = burrow_lab::temp_dir();
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let d = dir.path().display().to_string();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {d}/data\nhttp:\n  addr: 127.0.0.1:{port}\n"
        );
        if auth {
            sh(&format!("htpasswd -Bbn alice secret > {d}/htpasswd"))?;
            config += &format!("auth:\n  htpasswd:\n    realm: burrow\n    path: {d}/htpasswd\n");
        }
        std::fs::write(dir.path().join("config.yml"), config)?;
        let server = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(std::process::Stdio::null())
            .spawn()?;
        let registry = Registry { dir, server, port };
        let up = burrow_lab::wait_for(10.0, || std::net::TcpStream::connect(("127.0.0.1", port)).ok());
        ensure(up.is_some(), "the registry to listen", format!("nothing on 127.0.0.1:{port}"))?;
        common::base_image(registry.dir.path())?;
        let creds = if auth { "--dest-creds alice:secret" } else { "" };
        sh(&format!(
            "cd {d}; skopeo copy --insecure-policy --dest-tls-verify=false --format {format} {creds} oci:img:base docker://127.0.0.1:{port}/busybox:latest"
        ))?;
        Ok(registry)
    }

    fn reference(&self) -> String {
        format!("127.0.0.1:{}/busybox:latest", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

#[test]
fn pull_from_a_registry_and_run() {
    Check {
        id: "ch05/pull",
        what: "pull from a registry on 127.0.0.1 (manifest, config, layer over the distribution API), then run the image: its Env is there",
        looks: "starts docker-registry on 127.0.0.1:PORT, pushes a one-layer busybox image to it with skopeo, runs `TOOL pull 127.0.0.1:PORT/busybox:latest --as busybox` into a temp store, then runs `echo $GREETING; ls /bin/busybox` in the image",
        hint: "GET /v2/REPO/manifests/TAG with an Accept header for OCI and Docker manifests, then /v2/REPO/blobs/DIGEST for the config and each layer, each verified",
        book: "ch05-overlay.md#pulling-from-a-registry",
        exercises: &["5.1", "5.3", "5.5"],
    }
    .run(|| {
        let (registry, store) = (Registry::new(false)?, burrow_lab::temp_dir());
        let out = tool(store.path(), &["pull", &registry.reference(), "--as", "busybox"])?;
        ensure(out.code == Some(0), "pull to succeed", &out)?;
        let out = tool(store.path(), &["run", "--net=none", "--rm", "busybox", "sh", "-c", "echo $GREETING; ls /bin/busybox"])?;
        ensure(out.stdout == "hello\n/bin/busybox\n", "hello and /bin/busybox, from the pulled image", &out)
            .hint("with every blob in the store's own layout, install the image as import does: unpack each layer, name it")
    });
}

#[test]
fn a_tampered_blob_in_the_registry_is_refused() {
    Check {
        id: "ch05/pull-tampered",
        what: "a layer changed by one byte in the registry's storage: pull refused naming its digest, no layer unpacked, no image named",
        looks: "starts docker-registry on 127.0.0.1:PORT holding busybox, flips one byte in the middle of the biggest blob in the registry's storage (the layer), runs `TOOL pull` into a temp store; reads the exit code and stderr, STORE/layers and `TOOL images`",
        hint: "hash the blob as it downloads, into a temporary file; rename it into the store only when size and digest match",
        book: "ch05-overlay.md#pulling-from-a-registry",
        exercises: &["5.5"],
    }
    .run(|| {
        let (registry, store) = (Registry::new(false)?, burrow_lab::temp_dir());
        // The biggest blob the registry stores is the layer.
        let out = sh(&format!(
            "find {}/data -name data -type f -printf '%s %p\\n' | sort -n | tail -1 | cut -d' ' -f2",
            registry.dir.path().display()
        ))?;
        let blob = PathBuf::from(out.stdout.trim());
        let digest = blob.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut bytes = std::fs::read(&blob)?;
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&blob, bytes)?;
        let out = tool(store.path(), &["pull", &registry.reference(), "--as", "busybox"])?;
        ensure(
            out.code == Some(125) && out.stderr.contains(&digest) && out.stderr.contains("refused"),
            format!("125, refused, naming sha256:{digest}"),
            &out,
        )?;
        let layers = std::fs::read_dir(store.path().join("layers"))?.count();
        let images = tool(store.path(), &["images"])?;
        ensure(layers == 0 && images.stdout.lines().skip(1).count() == 0, "no layer, no image", format!("{layers} layers; {images}"))
            .hint("refuse before anything uses the blob: nothing unpacked, no name in index.json")
    });
}

#[test]
fn basic_auth() {
    Check {
        id: "ch05/pull-auth",
        what: "a registry with basic auth: no credentials and a wrong password fail with 125 and say so; --user alice:secret pulls",
        looks: "starts docker-registry on 127.0.0.1:PORT with htpasswd auth (alice:secret), runs `TOOL pull` without --user, with --user alice:wrong and with --user alice:secret, each into the same temp store, and reads their exit codes and stderr",
        hint: "on 401 with a Basic challenge, send Authorization: Basic base64(NAME:PASSWORD)",
        book: "ch05-overlay.md#pulling-from-a-registry",
        exercises: &["5.3", "5.5"],
    }
    .run(|| {
        let (registry, store) = (Registry::new(true)?, burrow_lab::temp_dir());
        let reference = registry.reference();
        let none = tool(store.path(), &["pull", &reference])?;
        let wrong = tool(store.path(), &["pull", "--user", "alice:wrong", &reference])?;
        let right = tool(store.path(), &["pull", "--user", "alice:secret", &reference])?;
        ensure(none.code == Some(125) && none.stderr.contains("--user"), "without --user: 125, asking for --user", &none)
            .hint("a 401 with a Basic challenge and no credentials: fail, saying to give --user NAME:PASSWORD")?;
        ensure(wrong.code == Some(125) && wrong.stderr.contains("refused"), "a wrong password: 125, refused", &wrong)
            .hint("a 401 although Authorization: Basic was sent: the registry refused the name or password; say so")?;
        ensure(right.code == Some(0), "alice:secret: pulled", &right)
    });
}

#[test]
fn a_docker_format_image_pulls_runs_and_survives_prune() {
    Check {
        id: "ch05/pull-docker",
        what: "an image pushed in Docker's manifest format (schema 2): pulled, kept whole by prune (its blobs are all in use), and runs",
        looks: "starts docker-registry on 127.0.0.1:PORT and pushes busybox to it with skopeo in Docker's v2s2 format, runs `TOOL pull --as busybox`, `TOOL prune` (reads its summary line), then runs `echo $GREETING` in the image",
        hint: "accept Docker's media types (manifest.v2+json, rootfs.diff.tar.gzip, container.image.v1+json) wherever OCI's are; prune marks any manifest's config and layers",
        book: "ch05-overlay.md#pulling-from-a-registry",
        exercises: &["5.1", "5.3", "5.5", "5.7"],
    }
    .run(|| {
        let (registry, store) = (Registry::with_format(false, "v2s2")?, burrow_lab::temp_dir());
        let out = tool(store.path(), &["pull", &registry.reference(), "--as", "busybox"])?;
        ensure(out.code == Some(0), "pull to succeed", &out)?;
        let out = tool(store.path(), &["prune"])?;
        ensure(out.stdout.starts_with("removed 0 containers, 0 blobs, 0 layers"), "prune removes nothing", &out)
            .hint("mark a Docker schema-2 manifest as an OCI one: its config, its layers and the config's diff_ids")?;
        let out = tool(store.path(), &["run", "--net=none", "--rm", "busybox", "sh", "-c", "echo $GREETING"])?;
        ensure(out.stdout == "hello\n", "hello, from the pulled image", &out)
    });
}
