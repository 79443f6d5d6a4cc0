//! burrow's image store: the images, their blobs, their unpacked layers.
//!
//! ```text
//! STORE/oci/                    an OCI image layout holding every image:
//!   index.json                    one manifest descriptor per image, named
//!   blobs/sha256/<hex>            manifests, configs, layer tars
//! STORE/layers/<diff_id hex>/   each layer unpacked once, named by the
//!                               digest of its *uncompressed* tar (diff_id)
//! STORE/containers/<name>/      upper/, work/, merged/ of each container
//! ```
//!
//! Layers are content addressed twice: the blob by the digest of what was
//! transferred (often gzip), the unpacked directory by the digest of the tar
//! inside (the config's `rootfs.diff_ids`). Two images built on the same base
//! name the same layers, and find them already there.

use crate::digest::{verify_file, Digest, Hashing};
use crate::layout::{Image, Layout, REF_NAME};
use crate::unpack::{self, Limits};
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use oci_spec::image::{Descriptor, ImageIndexBuilder, MediaType};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The store at `root`.
#[derive(Clone, Debug)]
pub struct Store {
    pub root: PathBuf,
}

impl Store {
    /// Open the store at `root`, making it if it does not exist.
    pub fn open(root: &Path) -> Result<Store> {
        for dir in ["oci/blobs/sha256", "layers", "containers"] {
            std::fs::create_dir_all(root.join(dir))
                .with_context(|| format!("mkdir {}/{dir}", root.display()))?;
        }
        let marker = root.join("oci/oci-layout");
        if !marker.exists() {
            std::fs::write(&marker, "{\"imageLayoutVersion\": \"1.0.0\"}\n")?;
        }
        if !root.join("oci/index.json").exists() {
            let empty = ImageIndexBuilder::default().schema_version(2u32).manifests(vec![]).build()?;
            empty.to_file(root.join("oci/index.json"))?;
        }
        Ok(Store { root: root.to_path_buf() })
    }

    pub fn layout(&self) -> Layout {
        Layout { root: self.root.join("oci") }
    }

    /// The directory of the unpacked layer with this diff_id.
    pub fn layer_dir(&self, diff_id: &Digest) -> PathBuf {
        self.root.join("layers").join(&diff_id.hex)
    }

    /// The image named `name`.
    pub fn image(&self, name: &str) -> Result<Image> {
        self.layout().image(Some(name)).with_context(|| format!("image {name:?}: import or pull it first"))
    }

    /// The image's unpacked layers, the topmost first (overlay's order).
    pub fn lowers(&self, image: &Image) -> Result<Vec<PathBuf>> {
        let ids = image.config.rootfs().diff_ids();
        ids.iter().rev().map(|id| Ok(self.layer_dir(&Digest::parse(id)?))).collect()
    }

    // ANCHOR: import
    /// Copy the image `reference` of the layout at `source` into the store
    /// as `name`: every blob verified and copied only if missing, then
    /// [`Store::install`]ed.
    pub fn import(
        &self,
        source: &Layout,
        reference: Option<&str>,
        name: &str,
        limits: Limits,
    ) -> Result<Image> {
        let image = source.image(reference)?;
        let mut manifest = source.descriptor(&image.manifest_digest)?;
        manifest.set_platform(None); // the store names one platform's manifest
        let blobs = [&manifest, image.manifest.config()].into_iter().chain(image.manifest.layers());
        for desc in blobs {
            self.copy_blob(source, desc)?;
        }
        self.install(manifest, name, limits)
    }

    /// With every blob of the manifest `desc` in the store: unpack the
    /// layers that are not unpacked yet, and name the image `name`.
    pub fn install(&self, desc: Descriptor, name: &str, limits: Limits) -> Result<Image> {
        let image = self.layout().load(&desc)?;
        let ids = image.config.rootfs().diff_ids();
        for (layer, diff_id) in image.manifest.layers().iter().zip(ids) {
            let diff_id = Digest::parse(diff_id)?;
            if self.layer_dir(&diff_id).exists() {
                explain!("layer {diff_id}: already unpacked, shared");
                continue;
            }
            let blob = self.layout().blob(&Digest::parse(layer.digest().as_ref())?);
            self.unpack_layer(&blob, layer.media_type(), &diff_id, limits)?;
        }
        self.name(desc, name)?;
        Ok(image)
    }
    // ANCHOR_END: import

    /// Copy the blob `desc` points at from `source`, after checking it.
    fn copy_blob(&self, source: &Layout, desc: &Descriptor) -> Result<PathBuf> {
        let digest = Digest::parse(desc.digest().as_ref())?;
        let (from, to) = (source.blob(&digest), self.layout().blob(&digest));
        if to.exists() {
            return Ok(to);
        }
        explain!("verify {digest} ({} bytes), then copy it into the store", desc.size());
        verify_file(&from, &digest, desc.size())?;
        let tmp = to.with_extension("tmp");
        std::fs::copy(&from, &tmp).with_context(|| format!("copy {}", from.display()))?;
        std::fs::rename(&tmp, &to)?;
        Ok(to)
    }

    // ANCHOR: unpack_layer
    /// Unpack a layer blob into `layers/<diff_id>`: into a temporary
    /// directory first, renamed into place only when the uncompressed
    /// stream hashed to `diff_id`. A failure leaves nothing.
    pub fn unpack_layer(
        &self,
        blob: &Path,
        media: &MediaType,
        diff_id: &Digest,
        limits: Limits,
    ) -> Result<()> {
        let tmp = self.root.join("layers").join(format!(".tmp-{}", diff_id.hex));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir(&tmp)?;
        let result = (|| {
            let file = std::fs::File::open(blob)?;
            // OCI's media types, and Docker's (...rootfs.diff.tar.gzip).
            let reader: Box<dyn std::io::Read> = match media.to_string() {
                m if m.ends_with("tar+gzip") || m.ends_with("tar.gzip") => {
                    Box::new(flate2::read::GzDecoder::new(file))
                }
                m if m.ends_with(".tar") => Box::new(file),
                m => bail!("layer media type {m}: only tar and tar+gzip are supported"),
            };
            let mut tar = Hashing::new(reader);
            unpack::unpack(&mut tar, &tmp, limits)?;
            std::io::copy(&mut tar, &mut std::io::sink())?; // the tar's zero padding
            if tar.digest() != *diff_id {
                bail!("layer {diff_id}: the unpacked tar hashes to {}: refused", tar.digest());
            }
            Ok(())
        })();
        match result {
            Ok(()) => std::fs::rename(&tmp, self.layer_dir(diff_id)).context("move the layer into place"),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(e)
            }
        }
    }
    // ANCHOR_END: unpack_layer

    /// Name the manifest `desc` as `name` in the store's index.json,
    /// replacing the image that had the name.
    pub fn name(&self, mut desc: Descriptor, name: &str) -> Result<()> {
        desc.set_annotations(Some(HashMap::from([(REF_NAME.to_string(), name.to_string())])));
        self.edit_index(|mut manifests| {
            manifests.retain(|d| name_of(d) != Some(name));
            manifests.push(desc);
            manifests
        })
    }

    /// Rewrite index.json's manifests with `edit`, atomically (a new file
    /// renamed over the old one).
    fn edit_index(&self, edit: impl FnOnce(Vec<Descriptor>) -> Vec<Descriptor>) -> Result<()> {
        let path = self.root.join("oci/index.json");
        let mut index = self.layout().index()?;
        index.set_manifests(edit(index.manifests().clone()));
        let tmp = path.with_extension("tmp");
        index.to_file(&tmp)?;
        std::fs::rename(&tmp, &path).context("write index.json")
    }

    /// Store `bytes` (a config, a manifest) as a blob; its descriptor.
    pub fn put_json(&self, bytes: &[u8], media: MediaType) -> Result<Descriptor> {
        let digest = Digest::of(bytes);
        let path = self.layout().blob(&digest);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(Descriptor::new(media, bytes.len() as u64, digest.to_oci()?))
    }

    /// Remove the name `name` from index.json (the image's blobs stay until
    /// [`crate::prune`]).
    pub fn untag(&self, name: &str) -> Result<()> {
        if !self.images()?.iter().any(|(n, _)| n == name) {
            bail!("no image named {name:?}");
        }
        self.edit_index(|mut manifests| {
            manifests.retain(|d| name_of(d) != Some(name));
            manifests
        })
    }

    /// Every image: its name and manifest descriptor.
    pub fn images(&self) -> Result<Vec<(String, Descriptor)>> {
        let index = self.layout().index()?;
        Ok(index
            .manifests()
            .iter()
            .map(|d| (name_of(d).unwrap_or_default().to_string(), d.clone()))
            .collect())
    }
}

/// The name index.json gives a manifest (its `ref.name` annotation).
pub fn name_of(desc: &Descriptor) -> Option<&str> {
    desc.annotations().as_ref().and_then(|a| a.get(REF_NAME)).map(String::as_str)
}
