//! Pulling from a registry: the OCI distribution API, over HTTP.
//!
//! A registry serves an image layout over HTTP, by repository:
//!
//! ```text
//! GET /v2/                                  is this a registry? (and how to log in)
//! GET /v2/<repository>/manifests/<tag>      the manifest (or an index) a tag names
//! GET /v2/<repository>/manifests/<digest>   a manifest by digest
//! GET /v2/<repository>/blobs/<digest>       a config or a layer
//! ```
//!
//! Nothing a registry sends is trusted: every manifest and blob is hashed and
//! compared with the digest that asked for it before it is stored.

use crate::digest::{Digest, Hashing};
use crate::layout::Image;
use crate::store::Store;
use crate::unpack::Limits;
use anyhow::{bail, Context, Result};
use base64::Engine;
use ch01_unshare::explain;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use std::io::Read;
use std::path::Path;

/// The manifest types asked for, OCI's and Docker's (registries store both).
const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// `registry.example.com:5000/team/app:1.0` or `.../app@sha256:...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub registry: String,
    pub repository: String,
    pub reference: String,
}

impl Reference {
    /// Parse a reference. The first part is a registry when it has a `.` or a
    /// `:` or is `localhost`; else the registry is Docker Hub.
    pub fn parse(text: &str) -> Result<Reference> {
        let hint = || {
            format!(
                "image {text:?}: give REGISTRY/REPOSITORY[:TAG|@DIGEST], e.g. 127.0.0.1:5000/busybox:latest"
            )
        };
        let (registry, rest) = match text.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_string(), rest)
            }
            _ => ("registry-1.docker.io".to_string(), text),
        };
        let (repository, reference) = match rest.split_once('@') {
            Some((repo, digest)) => (repo, Digest::parse(digest).with_context(hint)?.to_string()),
            None => match rest.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, tag.to_string()),
                _ => (rest, "latest".to_string()),
            },
        };
        if repository.is_empty()
            || !repository.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        {
            bail!(hint());
        }
        let repository = match (registry.as_str(), repository.contains('/')) {
            ("registry-1.docker.io", false) => format!("library/{repository}"),
            _ => repository.to_string(),
        };
        Ok(Reference { registry, repository, reference })
    }
}

/// A connection to one repository of one registry.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    repository: String,
    basic: Option<String>,
    auth: Option<String>,
}

impl Client {
    /// `insecure`: plain HTTP (as for a registry on 127.0.0.1), else HTTPS.
    /// `user`: `NAME:PASSWORD` for HTTP basic auth.
    pub fn new(reference: &Reference, user: Option<&str>, insecure: bool) -> Client {
        let scheme = if insecure { "http" } else { "https" };
        let basic = user.map(|u| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(u)));
        Client {
            agent: ureq::AgentBuilder::new().redirects(5).build(),
            base: format!("{scheme}://{}", reference.registry),
            repository: reference.repository.clone(),
            auth: basic.clone(),
            basic,
        }
    }

    // ANCHOR: get
    /// GET a path of this repository. On 401 with a Bearer challenge, fetch
    /// a token from the realm it names (with the basic credentials, if
    /// any) and try once more.
    fn get(&mut self, path: &str, accept: &str) -> Result<ureq::Response> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        for attempt in 0..2 {
            let mut request = self.agent.get(&url).set("Accept", accept);
            if let Some(auth) = &self.auth {
                request = request.set("Authorization", auth);
            }
            explain!("GET {url}");
            match request.call() {
                Ok(response) => return Ok(response),
                Err(ureq::Error::Status(401, response)) if attempt == 0 => {
                    let challenge = response.header("WWW-Authenticate").unwrap_or("").to_string();
                    match challenge.strip_prefix("Bearer ") {
                        Some(params) => self.auth = Some(format!("Bearer {}", self.token(params)?)),
                        None if self.basic.is_some() => {
                            bail!("{url}: 401: the registry refused --user's name or password")
                        }
                        None => bail!("{url}: 401 unauthorized ({challenge}): give --user NAME:PASSWORD"),
                    }
                }
                Err(ureq::Error::Status(code, response)) => {
                    let body = response.into_string().unwrap_or_default();
                    bail!("{url}: HTTP {code}: {}", body.trim());
                }
                Err(e) => return Err(e).with_context(|| format!("GET {url}")),
            }
        }
        bail!("{url}: still unauthorized with a token: check --user")
    }
    // ANCHOR_END: get

    /// A Bearer token from `realm="...",service="...",scope="..."`.
    fn token(&self, params: &str) -> Result<String> {
        let field = |name: &str| {
            params.split(',').find_map(|p| p.trim().strip_prefix(&format!("{name}=\""))?.strip_suffix('"'))
        };
        let realm = field("realm").context("a Bearer challenge without a realm")?;
        let mut request = self.agent.get(realm);
        for name in ["service", "scope"] {
            if let Some(value) = field(name) {
                request = request.query(name, value);
            }
        }
        if let Some(basic) = &self.basic {
            request = request.set("Authorization", basic);
        }
        explain!("GET {realm} (a token)");
        let body = request.call().context("get a token")?.into_string()?;
        let answer: serde_json::Value = serde_json::from_str(&body).context("parse the token")?;
        let token = answer.get("token").or_else(|| answer.get("access_token")).and_then(|t| t.as_str());
        Ok(token.context("the token server's answer has no token")?.to_string())
    }

    /// The manifest (or index) `reference` names: its bytes, media type and
    /// digest, checked against the reference when it is a digest.
    pub fn manifest(&mut self, reference: &str) -> Result<(Vec<u8>, String, Digest)> {
        let response = self.get(&format!("manifests/{reference}"), ACCEPT)?;
        let media = response.content_type().to_string();
        let mut bytes = Vec::new();
        response.into_reader().take(4 << 20).read_to_end(&mut bytes)?;
        let digest = Digest::of(&bytes);
        if reference.starts_with("sha256:") && digest.to_string() != reference {
            bail!("manifest {reference}: the registry sent bytes that hash to {digest}: refused");
        }
        Ok((bytes, media, digest))
    }

    // ANCHOR: blob
    /// Download the blob `desc` into `dest`, through a temporary file renamed
    /// into place only when its size and digest are right.
    pub fn blob(&mut self, desc: &Descriptor, dest: &Path) -> Result<()> {
        // EXERCISE 5.5: download the blob into a temporary file, hashing it as it comes, and move it into place only when its size and digest are the descriptor's
        // HINT: a blob already in the store is there (its name is its digest); else self.get("blobs/DIGEST", "*/*") answers it
        // HINT: read response.into_reader() through Hashing::new(...), with .take(desc.size() + 1) so a registry cannot send forever; std::io::copy into DEST.part
        // HINT: hashing.bytes != desc.size() or hashing.digest() != digest: remove the .part file and bail! naming the digest, "refused"; else rename it to dest
        let digest = Digest::parse(desc.digest().as_ref())?;
        if dest.exists() {
            explain!("blob {digest}: already in the store");
            return Ok(());
        }
        let response = self.get(&format!("blobs/{digest}"), "*/*")?;
        let tmp = dest.with_extension("part");
        let mut hashing = Hashing::new(response.into_reader().take(desc.size() + 1));
        std::io::copy(&mut hashing, &mut std::fs::File::create(&tmp)?)
            .with_context(|| format!("download {digest}"))?;
        if hashing.bytes != desc.size() || hashing.digest() != digest {
            let _ = std::fs::remove_file(&tmp);
            bail!(
                "blob {digest}: the registry sent {} bytes hashing to {}: refused",
                hashing.bytes,
                hashing.digest()
            );
        }
        std::fs::rename(&tmp, dest).context("move the blob into place")
        // END EXERCISE
    }
    // ANCHOR_END: blob
}

// ANCHOR: pull
/// Pull `reference` into `store` as `name`: the manifest (an index is
/// followed to linux/amd64), the config and the layers, each verified; then
/// the layers are unpacked, each only once.
pub fn pull(
    store: &Store,
    reference: &Reference,
    name: &str,
    user: Option<&str>,
    insecure: bool,
) -> Result<Image> {
    let mut client = Client::new(reference, user, insecure);
    let (mut bytes, mut media, mut digest) = client.manifest(&reference.reference)?;
    if media.contains("index") || media.contains("manifest.list") {
        let index = ImageIndex::from_reader(&bytes[..]).context("parse the index")?;
        let amd64 = index.manifests().iter().find(|d| {
            d.platform()
                .as_ref()
                .is_some_and(|p| p.os().to_string() == "linux" && p.architecture().to_string() == "amd64")
        });
        let chosen = amd64.context("the index has no linux/amd64 image")?.digest().to_string();
        (bytes, media, digest) = client.manifest(&chosen)?;
    }
    let manifest = ImageManifest::from_reader(&bytes[..]).context("parse the manifest")?;
    let blobs = store.layout().root.join("blobs/sha256");
    client.blob(manifest.config(), &blobs.join(Digest::parse(manifest.config().digest().as_ref())?.hex))?;
    for layer in manifest.layers() {
        client.blob(layer, &blobs.join(Digest::parse(layer.digest().as_ref())?.hex))?;
    }
    let desc = store.put_json(&bytes, MediaType::from(media.as_str()))?;
    debug_assert_eq!(desc.digest().to_string(), digest.to_string());
    store.install(desc, name, Limits::default())
}
// ANCHOR_END: pull
