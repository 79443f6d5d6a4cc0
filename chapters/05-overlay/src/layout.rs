//! An OCI image layout: an image as a directory of blobs.
//!
//! ```text
//! oci-layout                 {"imageLayoutVersion": "1.0.0"}
//! index.json                 the entry point: manifests, by digest, with names
//! blobs/sha256/<hex>         every blob, named by its digest:
//!   a manifest   (JSON)      the config's and each layer's descriptor
//!   a config     (JSON)      Env, Cmd, Entrypoint, WorkingDir, User; the layers' diff_ids
//!   the layers   (tar, gzip) the files, one change set each, the bottom one first
//! ```
//!
//! A *descriptor* points at a blob: media type, digest, size. Every hop from
//! index.json down is a descriptor, and every blob is checked against its
//! descriptor before it is parsed or unpacked.

use crate::digest::{verify_file, Digest};
use anyhow::{bail, Context, Result};
use ch01_unshare::explain;
use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest, MediaType};
use std::path::{Path, PathBuf};

/// The annotation that names a manifest in index.json (`busybox:latest`).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An image layout directory.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
}

/// One image: its manifest and config, read and verified.
#[derive(Clone, Debug)]
pub struct Image {
    pub manifest_digest: Digest,
    pub manifest: ImageManifest,
    pub config: ImageConfiguration,
}

impl Layout {
    /// Open `root`, checking that it is an OCI image layout.
    pub fn open(root: &Path) -> Result<Layout> {
        let marker = root.join("oci-layout");
        let text = std::fs::read_to_string(&marker).with_context(|| {
            format!(
                "{}: not an OCI image layout (no oci-layout file); make one with skopeo or umoci",
                root.display()
            )
        })?;
        if !text.contains("\"1.0.0\"") {
            bail!("{}: imageLayoutVersion is not 1.0.0: {}", marker.display(), text.trim());
        }
        Ok(Layout { root: root.to_path_buf() })
    }

    /// Where the blob named `digest` lives.
    pub fn blob(&self, digest: &Digest) -> PathBuf {
        self.root.join("blobs/sha256").join(&digest.hex)
    }

    pub fn index(&self) -> Result<ImageIndex> {
        let path = self.root.join("index.json");
        ImageIndex::from_file(&path).with_context(|| format!("read {}", path.display()))
    }

    /// The blob a descriptor points at, verified, as bytes (for JSON).
    pub fn read_verified(&self, desc: &Descriptor) -> Result<Vec<u8>> {
        let digest = Digest::parse(desc.digest().as_ref())?;
        let path = self.blob(&digest);
        explain!("verify {} ({} bytes) before reading it", digest, desc.size());
        verify_file(&path, &digest, desc.size())?;
        std::fs::read(&path).with_context(|| format!("read {}", path.display()))
    }

    // ANCHOR: resolve
    /// Find the image named `reference` (the `ref.name` annotation), or the
    /// only one when `reference` is None. An index inside the index (a
    /// multi-platform image) is followed to its linux/amd64 manifest.
    pub fn image(&self, reference: Option<&str>) -> Result<Image> {
        let index = self.index()?;
        let named = |d: &&Descriptor| {
            let name = d.annotations().as_ref().and_then(|a| a.get(REF_NAME));
            reference.is_none() || name.map(String::as_str) == reference
        };
        let found: Vec<&Descriptor> = index.manifests().iter().filter(named).collect();
        let desc = match (found.as_slice(), reference) {
            ([one], _) => (*one).clone(),
            ([], Some(r)) => bail!("{}: no image named {r:?} in index.json", self.root.display()),
            (_, _) => bail!("{}: {} images; name one (DIR:NAME)", self.root.display(), found.len()),
        };
        self.load(&desc)
    }
    // ANCHOR_END: resolve

    /// The image a manifest descriptor points at: manifest and config read
    /// and verified (an index is followed to its linux/amd64 manifest).
    pub fn load(&self, desc: &Descriptor) -> Result<Image> {
        let desc = match desc.media_type() {
            MediaType::ImageIndex => self.platform_manifest(desc)?,
            _ => desc.clone(),
        };
        let manifest_bytes = self.read_verified(&desc)?;
        let manifest = ImageManifest::from_reader(&manifest_bytes[..]).context("parse the manifest")?;
        let config_bytes = self.read_verified(manifest.config())?;
        let config = ImageConfiguration::from_reader(&config_bytes[..]).context("parse the config")?;
        if config.rootfs().diff_ids().len() != manifest.layers().len() {
            bail!(
                "the config lists {} diff_ids for {} layers",
                config.rootfs().diff_ids().len(),
                manifest.layers().len()
            );
        }
        Ok(Image { manifest_digest: Digest::parse(desc.digest().as_ref())?, manifest, config })
    }

    /// The descriptor of the manifest `digest`, from index.json or from an
    /// index it lists (a multi-platform image's).
    pub fn descriptor(&self, digest: &Digest) -> Result<Descriptor> {
        let mut candidates = self.index()?.manifests().clone();
        for nested in candidates.clone().iter().filter(|d| d.media_type() == &MediaType::ImageIndex) {
            let bytes = self.read_verified(nested)?;
            candidates.extend(
                ImageIndex::from_reader(&bytes[..]).context("parse the nested index")?.manifests().clone(),
            );
        }
        candidates
            .into_iter()
            .find(|d| d.digest().as_ref() == digest.to_string())
            .with_context(|| format!("{}: no descriptor of {digest}", self.root.display()))
    }

    /// In a nested index (a manifest list), the manifest for linux/amd64.
    fn platform_manifest(&self, desc: &Descriptor) -> Result<Descriptor> {
        let bytes = self.read_verified(desc)?;
        let index = ImageIndex::from_reader(&bytes[..]).context("parse the nested index")?;
        let amd64 = |d: &&Descriptor| {
            d.platform()
                .as_ref()
                .is_some_and(|p| p.os().to_string() == "linux" && p.architecture().to_string() == "amd64")
        };
        index.manifests().iter().find(amd64).cloned().context("the index has no linux/amd64 manifest")
    }
}
