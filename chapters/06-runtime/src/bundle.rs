//! A bundle: a directory holding `config.json` and the rootfs it names,
//! the runtime spec's unit of "a container to make". Read and checked once,
//! by `create` (and `run`).

use crate::state::OCI_VERSION;
use anyhow::{bail, Context, Result};
use oci_spec::runtime::Spec;
use std::path::{Path, PathBuf};

/// A bundle, read and checked: its directory, its config.json, its rootfs.
pub struct Bundle {
    pub dir: PathBuf,
    pub spec: Spec,
    pub rootfs: PathBuf,
}

/// Read and check `bundle/config.json`.
pub fn load_spec(bundle: &Path) -> Result<Bundle> {
    let bundle =
        bundle.canonicalize().with_context(|| format!("--bundle {}: no such directory", bundle.display()))?;
    let config = bundle.join("config.json");
    if !config.exists() {
        bail!(
            "{}: no config.json in the bundle; write one with `{} spec`",
            config.display(),
            crate::log::tool()
        );
    }
    let text = std::fs::read(&config).with_context(|| format!("read {}", config.display()))?;
    // From a slice, not a reader: serde_json parses a buffer several times faster.
    let spec: Spec =
        serde_json::from_slice(&text).map_err(|e| anyhow::anyhow!("{}: {e}", config.display()))?;
    check_version(spec.version())?;
    let root = spec.root().as_ref().context("config.json has no \"root\": say where the rootfs is")?;
    let rootfs = bundle.join(root.path());
    let rootfs = rootfs.canonicalize().ok().filter(|r| r.is_dir()).with_context(|| {
        format!(
            "root.path {}: no such directory (make one: scripts/rootfs.sh, or umoci unpack)",
            rootfs.display()
        )
    })?;
    if rootfs == Path::new("/") {
        bail!("root.path {}: the host's own root is not a container's rootfs", root.path().display());
    }
    Ok(Bundle { dir: bundle, spec, rootfs })
}

/// config.json's `ociVersion`: a 1.x version of the runtime spec, the one
/// burrow implements (later minor versions only add fields).
fn check_version(version: &str) -> Result<()> {
    let mut parts = version.split(['.', '-', '+']);
    let is_1x = parts.next() == Some("1") && parts.next().is_some_and(|minor| minor.parse::<u32>().is_ok());
    if !is_1x {
        bail!("config.json: ociVersion {version:?} is not a version of the runtime spec burrow implements (1.x, e.g. \"{OCI_VERSION}\")");
    }
    Ok(())
}
