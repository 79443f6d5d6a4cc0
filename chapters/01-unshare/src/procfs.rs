//! Reading /proc, whose files the kernel writes as they are read.

use std::io::Read;
use std::path::Path;

/// Read a file of /proc whole. stat(2) gives such a file the size 0 (its
/// text does not exist until it is read), so `std::fs::read_to_string`,
/// which sizes its buffer by it, starts with a 32-byte read and doubles:
/// eight read(2) calls for a 1.5 KB /proc/self/mountinfo. A buffer of a
/// few pages takes one, and one more to see the end.
pub fn read(path: impl AsRef<Path>) -> std::io::Result<String> {
    let mut text = String::with_capacity(8192);
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_whole_file_short_or_long() {
        for path in ["/proc/self/mountinfo", "/proc/filesystems"] {
            assert_eq!(super::read(path).expect(path), std::fs::read_to_string(path).expect(path), "{path}");
        }
        // Longer than the buffer: every mapping of this process, to the end.
        let smaps = super::read("/proc/self/smaps").expect("smaps");
        assert!(smaps.len() > 8192 && smaps.ends_with('\n'), "{} bytes", smaps.len());
    }
}
