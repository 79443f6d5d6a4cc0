//! Garbage collection: mark what the images and containers still use, and
//! sweep everything else (as containerd's garbage collector does).

use crate::container::Containers;
use crate::digest::Digest;
use crate::store::Store;
use anyhow::{Context, Result};
use ch01_unshare::explain;
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use std::collections::HashSet;
use std::path::Path;

/// What a prune removed.
#[derive(Debug, Default)]
pub struct Pruned {
    pub containers: Vec<String>,
    pub blobs: usize,
    pub layers: usize,
    pub bytes: u64,
}

// ANCHOR: prune
/// Remove the stopped containers, then every blob and unpacked layer that no
/// image name and no remaining container leads to.
pub fn prune(store: &Store) -> Result<Pruned> {
    let mut pruned = Pruned::default();
    let containers = Containers::new(store);
    let mut roots: Vec<Digest> = Vec::new(); // manifests still in use
    for name in containers.names()? {
        match containers.running(&name) {
            Some(pid) => {
                explain!("keep container {name}: running (pid {pid})");
                roots.push(containers.manifest_of(&name)?);
            }
            None => {
                containers.remove(&name)?;
                pruned.containers.push(name);
            }
        }
    }
    for (_, desc) in store.images()? {
        roots.push(Digest::parse(desc.digest().as_ref())?);
    }
    // Mark: every blob reachable from the roots, and every layer's diff_id.
    let (mut blobs, mut layers): (HashSet<String>, HashSet<String>) = (HashSet::new(), HashSet::new());
    let mut pending = roots;
    while let Some(digest) = pending.pop() {
        // EXERCISE 5.7: mark the blob `digest` and what it leads to: a manifest's config, layers and diff_ids, an index's manifests
        // HINT: blobs.insert(digest.hex) is false for a blob already marked: skip it (an index may list a manifest twice)
        // HINT: read the blob; ImageManifest::from_reader succeeds for a manifest (OCI's or Docker's): mark its config and layer blobs, and the config's rootfs.diff_ids in `layers`
        // HINT: else ImageIndex::from_reader: push each of its manifests' digests onto `pending`
        if !blobs.insert(digest.hex.clone()) {
            continue;
        }
        let bytes =
            std::fs::read(store.layout().blob(&digest)).with_context(|| format!("read blob {digest}"))?;
        // A manifest, OCI's or Docker's schema 2 (whose config has another
        // media type): its config, its layers and their diff_ids. Else an
        // index: its manifests.
        if let Ok(manifest) = ImageManifest::from_reader(&bytes[..]) {
            let config = Digest::parse(manifest.config().digest().as_ref())?;
            let image = ImageConfiguration::from_file(store.layout().blob(&config))
                .with_context(|| format!("read config {config}"))?;
            for diff_id in image.rootfs().diff_ids() {
                layers.insert(Digest::parse(diff_id)?.hex);
            }
            blobs.insert(config.hex);
            for layer in manifest.layers() {
                blobs.insert(Digest::parse(layer.digest().as_ref())?.hex);
            }
        } else if let Ok(index) = ImageIndex::from_reader(&bytes[..]) {
            for desc in index.manifests() {
                pending.push(Digest::parse(desc.digest().as_ref())?);
            }
        }
        // END EXERCISE
    }
    // Sweep.
    for (dir, marked, count) in [
        (store.root.join("oci/blobs/sha256"), &blobs, &mut pruned.blobs),
        (store.root.join("layers"), &layers, &mut pruned.layers),
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if marked.contains(&name) {
                continue;
            }
            pruned.bytes += size_of(&entry.path());
            explain!("sweep {}", entry.path().display());
            match entry.path().is_dir() {
                true => std::fs::remove_dir_all(entry.path())?,
                false => std::fs::remove_file(entry.path())?,
            }
            *count += 1;
        }
    }
    Ok(pruned)
}
// ANCHOR_END: prune

fn size_of(path: &Path) -> u64 {
    match path.symlink_metadata() {
        Ok(meta) if meta.is_dir() => {
            std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| size_of(&e.path())).sum()
        }
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}
