//! Content addressing: a blob's name is the SHA-256 of its bytes.
//!
//! `sha256:4ca5...` names exactly one sequence of bytes. Whoever has the
//! bytes can check the name, so a blob fetched from anywhere is either the
//! one asked for or refused; and two images that share a layer name the same
//! blob, which is stored once.

use anyhow::{bail, Context, Result};
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

/// A `sha256:<64 hex digits>` digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    pub hex: String,
}

impl Digest {
    /// Parse `sha256:HEX`; other algorithms are refused (OCI allows sha512
    /// too, and images in the wild use sha256).
    pub fn parse(text: &str) -> Result<Digest> {
        let hex = text.strip_prefix("sha256:").with_context(|| format!("digest {text:?}: not sha256:HEX"))?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            bail!("digest {text:?}: a sha256 digest is 64 lowercase hex digits");
        }
        Ok(Digest { hex: hex.to_string() })
    }

    /// The same digest as oci-spec's type, for its descriptors.
    pub fn to_oci(&self) -> Result<oci_spec::image::Digest> {
        self.to_string().parse().context("a sha256 digest")
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest { hex: format!("{:x}", Sha256::digest(bytes)) }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

/// A reader or writer that hashes and counts what passes through it.
pub struct Hashing<T> {
    pub inner: T,
    hasher: Sha256,
    pub bytes: u64,
}

impl<T> Hashing<T> {
    pub fn new(inner: T) -> Self {
        Hashing { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The digest of everything read or written so far.
    pub fn digest(&self) -> Digest {
        Digest { hex: format!("{:x}", self.hasher.clone().finalize()) }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

// ANCHOR: verify
/// Check that the file at `path` is `size` bytes whose SHA-256 is `digest`,
/// before anything uses it.
pub fn verify_file(path: &Path, digest: &Digest, size: u64) -> Result<()> {
    // EXERCISE 5.3: hash the file as you read it, and refuse it unless its size and SHA-256 are the descriptor's
    // HINT: Hashing::new(file) hashes and counts whatever is read through it: std::io::copy it into std::io::sink()
    // HINT: then compare hashing.bytes with `size` and hashing.digest() with `digest`; bail! with a message that names the digest and says "refused"
    let file = std::fs::File::open(path).with_context(|| format!("open blob {}", path.display()))?;
    let mut hashing = Hashing::new(file);
    std::io::copy(&mut hashing, &mut std::io::sink()).with_context(|| format!("read {}", path.display()))?;
    if hashing.bytes != size {
        bail!("blob {digest}: {} bytes, the descriptor says {size}: refused", hashing.bytes);
    }
    if hashing.digest() != *digest {
        bail!("blob {digest}: its content hashes to {}: refused (corrupt or tampered)", hashing.digest());
    }
    Ok(())
    // END EXERCISE
}
// ANCHOR_END: verify

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests() {
        let d = Digest::of(b"");
        assert_eq!(d.to_string(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(Digest::parse(&d.to_string()).unwrap(), d);
        assert!(Digest::parse("sha256:E3B0").is_err() && Digest::parse("md5:00").is_err());
    }
}
