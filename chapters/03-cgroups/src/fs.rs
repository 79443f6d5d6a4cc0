//! Reading and writing cgroup files, narrated.
//!
//! A cgroup is a directory, and every knob and counter is a file in it: the
//! whole interface is mkdir, rmdir, read and write.

use anyhow::{Context, Result};
use ch01_unshare::explain;
use std::path::Path;

/// Write `value` to `dir/file` (one write(2): the kernel parses each write whole).
pub fn write(dir: &Path, file: &str, value: &str) -> Result<()> {
    let path = dir.join(file);
    explain!("write {} {value:?}", path.display());
    std::fs::write(&path, value).with_context(|| format!("write {value:?} to {}", path.display()))
}

/// Read `dir/file`, trimmed.
pub fn read(dir: &Path, file: &str) -> Result<String> {
    let path = dir.join(file);
    Ok(std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?.trim().to_string())
}

/// Read `dir/file` as a number; `max` (no limit) and a missing file are `None`.
pub fn read_u64(dir: &Path, file: &str) -> Option<u64> {
    read(dir, file).ok()?.parse().ok()
}

/// The number after `key` in a flat-keyed file such as cpu.stat or
/// memory.events (`oom_kill 1`, one key per line).
pub fn keyed(dir: &Path, file: &str, key: &str) -> Option<u64> {
    read(dir, file).ok()?.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// Does `dir/file` exist? (Which files there are depends on the kernel's
/// version and configuration: memory.swap.max needs swap accounting.)
pub fn has(dir: &Path, file: &str) -> bool {
    dir.join(file).exists()
}
