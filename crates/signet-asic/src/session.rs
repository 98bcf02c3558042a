//! Signing containers end to end: a new container over files, or one more signature in an
//! existing container. The token is a callback that signs a digest (one PIN entry per
//! signature, however many files).

use std::io::Read as _;
use std::path::Path;

use signet_core::BaselineLevel;
use signet_pki::Cert;
use signet_pki::crypto::HashAlg;

use crate::container::{self, AsicError, Container, FileDigest, InputFile};
use crate::xades::sign::{Prepared, Services, SignError, SignRequest, extend_to};

/// The token: signs `digest` (made with the hash) and returns the XML signature value (raw
/// r‖s for ECDSA).
pub type RawSigner<'a> = dyn FnMut(&[u8], HashAlg) -> Result<Vec<u8>, String> + 'a;

/// Why signing failed; nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The container.
    #[error(transparent)]
    Container(#[from] AsicError),
    /// The signature.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The token refused or failed.
    #[error("the signing device failed: {0}")]
    Token(String),
}

fn stream(path: &Path, sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            return Ok(());
        }
        sink(&buf[..n]);
    }
}

/// Refuses, before the token is asked, a certificate that cannot make a valid signature: one
/// without nonRepudiation, or not valid now.
fn check_signer(signer: &Cert, now: std::time::SystemTime) -> Result<(), SessionError> {
    use x509_cert::ext::pkix::KeyUsages;
    if !signer.allows_key_usage(KeyUsages::NonRepudiation) {
        return Err(SignError::Data(
            "the signing certificate does not allow nonRepudiation: it is not a signing certificate".to_owned(),
        )
        .into());
    }
    if now < signer.not_before() || now > signer.not_after() {
        return Err(SignError::Data(format!(
            "the signing certificate is not valid now (valid from {} to {})",
            signet_pki::time::Utc(signer.not_before()),
            signet_pki::time::Utc(signer.not_after())
        ))
        .into());
    }
    Ok(())
}

fn make_signature(
    digests: &[FileDigest],
    signer: &Cert,
    index: usize,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
    feed: &mut crate::xades::sign::FeedFile<'_>,
) -> Result<Vec<u8>, SessionError> {
    check_signer(signer, services.clock.now())?;
    let prepared = Prepared::new(&SignRequest {
        signer,
        files: digests,
        signing_time: services.clock.now(),
        index,
    })?;
    let value = token(&prepared.digest_to_sign(), prepared.hash()).map_err(SessionError::Token)?;
    let xml = prepared.finish(&value)?;
    Ok(extend_to(xml, level, signer, services, feed)?.into_bytes())
}

/// Creates `out` holding `files` and one signature at `level` over all of them.
pub fn sign_new(
    out: &Path,
    files: &[InputFile],
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
) -> Result<(), SessionError> {
    let mut failure: Option<SessionError> = None;
    let result = container::create(out, files, services.clock.now(), &mut |digests| {
        let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
            let file = files
                .iter()
                .find(|f| f.name == name)
                .ok_or_else(|| format!("no data file {name}"))?;
            stream(&file.path, sink)
        };
        match make_signature(digests, signer, 0, level, services, token, &mut feed) {
            Ok(xml) => Ok(Some(xml)),
            Err(e) => {
                let text = e.to_string();
                failure = Some(e);
                Err(text)
            }
        }
    });
    match (result, failure) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(e.into()),
        (Ok(()), None) => Ok(()),
    }
}

/// Adds a signature at `level` over every data file of the container at `path`, writing the
/// result to `out` (which may be `path`). Returns the new signature entry's name.
pub fn sign_existing(
    path: &Path,
    out: &Path,
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
) -> Result<String, SessionError> {
    use sha2::Digest as _;
    let container = Container::open(path)?;
    if let Some(problem) = container.problems().first() {
        return Err(AsicError::NotAllowed(format!(
            "the container is inconsistent, Signet does not sign it: {problem}"
        ))
        .into());
    }
    if container.data_files().is_empty() {
        return Err(
            AsicError::NotAllowed("the container has no data files to sign".to_owned()).into(),
        );
    }
    let mut digests = Vec::new();
    for file in container.data_files() {
        let mut hasher = sha2::Sha256::new();
        let mut reader = container.open_entry(&file.name)?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf).map_err(|e| AsicError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        digests.push(FileDigest {
            name: file.name.clone(),
            media_type: file.media_type.clone(),
            sha256: hasher.finalize().to_vec(),
        });
    }
    let index = container.signature_names().len();
    let index = (index..)
        .find(|i| !signature_id_taken(&container, *i))
        .unwrap_or(index);
    let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
        let mut r = container.open_entry(name).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = r.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Ok(());
            }
            sink(&buf[..n]);
        }
    };
    let xml = make_signature(&digests, signer, index, level, services, token, &mut feed)?;
    Ok(container.add_signature(out, &xml, services.clock.now())?)
}

/// Whether some signature of the container already uses the Id `S<index>`.
fn signature_id_taken(container: &Container, index: usize) -> bool {
    let needle = format!("Id=\"S{index}\"");
    container.signature_names().iter().any(|name| {
        container
            .read_small(name, container::MAX_XML_ENTRY)
            .is_ok_and(|b| String::from_utf8_lossy(&b).contains(&needle))
    })
}
