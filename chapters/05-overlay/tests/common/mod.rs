//! What chapter 5's check files share: the binary under test, and images
//! made by umoci from the busybox rootfs.

use burrow_lab::{ensure, Failure, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH05_BIN", env!("CARGO_BIN_EXE_ch05-overlay"))
}

/// `ch05-overlay --store STORE ARGS...`, run to the end.
pub fn tool(store: &Path, args: &[&str]) -> Result<Run, Failure> {
    Ok(Command::new(bin()).arg("--store").arg(store).args(args).output()?.into())
}

/// A shell script that must succeed (the checks' own setup).
pub fn sh(script: &str) -> Result<Run, Failure> {
    let out: Run = Command::new("sh").args(["-ec", script]).output()?.into();
    ensure(out.code == Some(0), format!("`{script}` to succeed"), &out)?;
    Ok(out)
}

/// Make `DIR/img`, an OCI image layout, with umoci: `base` is the busybox
/// rootfs as one layer, with Cmd sh and Env GREETING=hello.
pub fn base_image(dir: &Path) -> Result<(), Failure> {
    sh(&format!(
        "cd {dir}; umoci init --layout img; umoci new --image img:base; umoci unpack --image img:base b
         cp -a {rootfs}/. b/rootfs/; umoci repack --image img:base b; rm -rf b
         umoci config --image img:base --config.cmd sh --config.env GREETING=hello",
        dir = dir.display(),
        rootfs = burrow_lab::rootfs().display()
    ))
    .map(drop)
}
