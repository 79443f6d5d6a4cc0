//! Commit: a container's upper dir becomes a new layer on top of its image.
//!
//! The upper dir holds exactly what the container changed, in overlay's
//! notation. Written as a tar in OCI's notation (whiteouts as `.wh.NAME`
//! files), compressed, hashed and described by a new config and manifest, it
//! is a new image: the old layers, shared, plus one.

use crate::digest::{Digest, Hashing};
use crate::layout::Image;
use crate::store::Store;
use crate::unpack::Limits;
use crate::whiteout;
use anyhow::Result;
use ch01_unshare::explain;
use oci_spec::image::{Descriptor, HistoryBuilder, MediaType};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

// ANCHOR: layer_tar
/// Write `upper` as an OCI layer tar: entries in sorted order, every time
/// set to 0 (so the same changes always make the same bytes, and the same
/// digest), overlay whiteouts written as `.wh.NAME`, opaque directories
/// with a `.wh..wh..opq` inside.
pub fn layer_tar(upper: &Path, out: impl Write) -> Result<()> {
    let mut tar = tar::Builder::new(out);
    tar.follow_symlinks(false);
    add_dir(&mut tar, upper, Path::new(""))?;
    tar.into_inner()?.flush()?;
    Ok(())
}

fn add_dir<W: Write>(tar: &mut tar::Builder<W>, dir: &Path, rel: &Path) -> Result<()> {
    // EXERCISE 5.6: write the upper dir's entries into the tar, sorted, times 0, a whiteout as `.wh.NAME` and an opaque directory with a `.wh..wh..opq` in it
    // HINT: sort the entries by name and set every mtime to 0: the same changes must make the same bytes, so the same diff_id
    // HINT: whiteout::is_whiteout(&meta): append an empty file (empty_file()) named rel/.wh.NAME, not the device; whiteout::is_opaque(dir): append DIR/.wh..wh..opq after the directory
    // HINT: else tar::Header::new_gnu() with header.set_metadata(&meta): append_link for a symlink, append_data for a file (its contents) or a directory (then recurse), devices with their major and minor
    let mut names: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let (path, name) = (entry.path(), rel.join(entry.file_name()));
        let meta = path.symlink_metadata()?;
        if whiteout::is_whiteout(&meta) {
            let marker = rel.join(format!("{}{}", whiteout::PREFIX, entry.file_name().to_string_lossy()));
            tar.append_data(&mut empty_file(), &marker, std::io::empty())?;
            continue;
        }
        let mut header = tar::Header::new_gnu();
        header.set_metadata(&meta);
        header.set_mtime(0);
        if meta.file_type().is_symlink() {
            tar.append_link(&mut header, &name, std::fs::read_link(&path)?)?;
        } else if meta.is_file() {
            tar.append_data(&mut header, &name, std::fs::File::open(&path)?)?;
        } else if meta.is_dir() {
            tar.append_data(&mut header, &name, std::io::empty())?;
            if whiteout::is_opaque(&path) {
                tar.append_data(&mut empty_file(), name.join(whiteout::OPAQUE), std::io::empty())?;
            }
            add_dir(tar, &path, &name)?;
        } else if meta.file_type().is_char_device()
            || meta.file_type().is_block_device()
            || meta.file_type().is_fifo()
        {
            header.set_device_major(nix::sys::stat::major(meta.rdev()) as u32)?;
            header.set_device_minor(nix::sys::stat::minor(meta.rdev()) as u32)?;
            tar.append_data(&mut header, &name, std::io::empty())?;
        }
    }
    Ok(())
    // END EXERCISE
}

/// The header of an empty regular file, root's, mode 644, time 0: OCI's
/// whiteout markers.
fn empty_file() -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o644);
    header.set_size(0);
    header.set_mtime(0);
    header
}
// ANCHOR_END: layer_tar

// ANCHOR: commit
/// Make image `name` from `image` plus the layer that `upper` is.
pub fn commit(store: &Store, image: &Image, upper: &Path, name: &str, comment: &str) -> Result<Digest> {
    // tar -> hash (diff_id) -> gzip -> hash (blob digest) -> file
    let blobs = store.layout().root.join("blobs/sha256");
    let tmp = blobs.join(format!(".tmp-commit-{}", std::process::id()));
    let file = std::fs::File::create(&tmp)?;
    let compressed = Hashing::new(file);
    let mut gzip = Hashing::new(flate2::write::GzEncoder::new(compressed, flate2::Compression::default()));
    layer_tar(upper, &mut gzip)?;
    let diff_id = gzip.digest();
    let compressed = gzip.inner.finish()?;
    let (blob, size) = (compressed.digest(), compressed.bytes);
    std::fs::rename(&tmp, blobs.join(&blob.hex))?;
    explain!("layer: tar {diff_id} ({} bytes uncompressed), gzip blob {blob} ({size} bytes)", gzip.bytes);
    if store.layer_dir(&diff_id).exists() {
        explain!("layer {diff_id}: already in the store (the same changes as before): nothing to unpack");
    } else {
        store.unpack_layer(
            &blobs.join(&blob.hex),
            &MediaType::ImageLayerGzip,
            &diff_id,
            Limits::default(),
        )?;
    }

    let mut config = image.config.clone();
    config.rootfs_mut().diff_ids_mut().push(diff_id.to_string());
    let history = HistoryBuilder::default().created_by(comment.to_string()).build()?;
    config.set_history(Some([config.history().clone().unwrap_or_default(), vec![history]].concat()));
    let config_desc = store.put_json(&serde_json::to_vec(&config)?, MediaType::ImageConfig)?;

    let mut manifest = image.manifest.clone();
    manifest.set_config(config_desc);
    manifest.layers_mut().push(Descriptor::new(MediaType::ImageLayerGzip, size, blob.to_oci()?));
    let manifest_desc = store.put_json(&serde_json::to_vec(&manifest)?, MediaType::ImageManifest)?;
    let digest = Digest::parse(manifest_desc.digest().as_ref())?;
    store.name(manifest_desc, name)?;
    Ok(digest)
}
// ANCHOR_END: commit
