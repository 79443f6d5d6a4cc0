//! OverlayFS: one merged view of several directories.
//!
//! An overlay mount stacks read-only *lower* directories (an image's layers,
//! the topmost first) under one writable *upper* directory (the container's
//! own). Reading a path finds it in the upper dir, else in the first lower
//! that has it. Writing never touches a lower: the kernel first copies the
//! file up into the upper dir (copy-on-write), and deleting a file that a
//! lower has leaves a *whiteout* in the upper dir (see [`crate::whiteout`]).
//! The kernel also needs a *work* dir on the same filesystem as the upper,
//! where it prepares copy-ups before moving them into place atomically.

use anyhow::{bail, Context, Result};
use ch01_unshare::mount::mount;
use nix::mount::MsFlags;
use std::path::{Path, PathBuf};

/// The directories of one overlay mount.
#[derive(Clone, Debug)]
pub struct Overlay {
    /// Read-only layers, the topmost first (as `lowerdir=` lists them).
    pub lowers: Vec<PathBuf>,
    pub upper: PathBuf,
    pub work: PathBuf,
}

// ANCHOR: options
impl Overlay {
    /// The mount options: `lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W`.
    /// `:` separates the lowers and `,` the options, so neither may appear
    /// in a path.
    pub fn options(&self) -> Result<String> {
        // EXERCISE 5.1: write the overlay's mount options: every lower dir, the topmost first, then the upper and work dirs
        // HINT: one string, "lowerdir=TOP:...:BOTTOM,upperdir=UPPER,workdir=WORK": ':' between the lowers, ',' between the options
        // HINT: self.lowers is already the topmost first (Store::lowers reversed the config's diff_ids); refuse no lowers, and a path with ':' or ','
        // HINT: format!("lowerdir={},upperdir={},workdir={}", lowers.join(":"), self.upper.display(), self.work.display())
        let dirs = self.lowers.iter().chain([&self.upper, &self.work]);
        if let Some(bad) = dirs.map(|p| p.to_string_lossy()).find(|p| p.contains([':', ','])) {
            bail!("overlay: the path {bad:?} has a ':' or ',', which overlay options cannot carry");
        }
        if self.lowers.is_empty() {
            bail!("overlay: at least one lower directory is needed");
        }
        let lowers: Vec<_> = self.lowers.iter().map(|p| p.to_string_lossy()).collect();
        Ok(format!(
            "lowerdir={},upperdir={},workdir={}",
            lowers.join(":"),
            self.upper.display(),
            self.work.display()
        ))
        // END EXERCISE
    }

    /// Mount the overlay on `merged`: mount("overlay", merged, "overlay", 0, options).
    pub fn mount(&self, merged: &Path) -> Result<()> {
        let options = self.options()?;
        // A page of options at most (4096 bytes): enough for about 50 layers
        // under burrow's store; runtimes with more use shorter paths.
        if options.len() >= 4096 {
            bail!(
                "overlay: {} layers make {} bytes of options, over a page",
                self.lowers.len(),
                options.len()
            );
        }
        mount(Some("overlay"), merged, Some("overlay"), MsFlags::empty(), Some(&options))
            .context("mount the overlay (is the overlay module loaded? modprobe overlay)")
    }
}
// ANCHOR_END: options

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_list_the_top_layer_first() {
        let o = Overlay {
            lowers: vec!["/l/2".into(), "/l/1".into()],
            upper: "/c/upper".into(),
            work: "/c/work".into(),
        };
        assert_eq!(o.options().unwrap(), "lowerdir=/l/2:/l/1,upperdir=/c/upper,workdir=/c/work");
        let bad = Overlay { lowers: vec!["/a:b".into()], ..o };
        assert!(bad.options().unwrap_err().to_string().contains("/a:b"));
    }
}
