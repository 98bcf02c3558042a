//! Signing containers end to end: a new container over files, or one more signature in an
//! existing container. The token is a callback that signs a digest (one PIN entry per
//! signature, however many files).
//!
//! What is signed is what is written: a new container's data files are hashed while they are
//! streamed into it, and the signature is made from those digests. Where a file is streamed
//! again (the archive time-stamp of B-LTA, or the copy of an existing container's entries), it
//! is hashed again or checked through [`Guard::unchanged`], and the result is discarded when it
//! differs from what was signed ([`SessionError::InputChanged`]).

use std::cell::RefCell;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use signet_core::BaselineLevel;
use signet_pki::Cert;
use signet_pki::crypto::HashAlg;

use crate::container::{self, AsicError, Container, FileDigest, InputFile};
use crate::place::Placement;
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
    /// A file being signed changed on disk while it was being signed; nothing was written.
    #[error("{} changed on disk while it was being signed; nothing was written", .0.display())]
    InputChanged(PathBuf),
}

fn session_error(e: AsicError) -> SessionError {
    match e {
        AsicError::InputChanged(path) => SessionError::InputChanged(path),
        other => SessionError::Container(other),
    }
}

/// What a signing session checks of its inputs and how it places its result.
#[derive(Default)]
pub struct Guard<'a> {
    /// The SHA-256 each input file (in the order given) must stream to, when it was read
    /// before (a batch's plan): a file that streams to another digest stops signing before the
    /// token is asked. `None` or missing entries: not known.
    pub expected_sha256: Vec<Option<Vec<u8>>>,
    /// Says whether the inputs (or the container a signature is added to) are still as they
    /// were read: called once they are read, after the signature is made, and right before the
    /// result is put in place. `Err(path)` names the file that changed, and discards the result.
    pub unchanged: Option<&'a mut dyn FnMut() -> Result<(), PathBuf>>,
    /// Whether the result may replace a file at its path ([`Placement::New`] by default).
    pub placement: Placement,
}

impl std::fmt::Debug for Guard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("expected_sha256", &self.expected_sha256.len())
            .field("unchanged", &self.unchanged.is_some())
            .field("placement", &self.placement)
            .finish()
    }
}

impl Guard<'_> {
    fn check(&mut self) -> Result<(), PathBuf> {
        match self.unchanged.as_mut() {
            Some(unchanged) => unchanged(),
            None => Ok(()),
        }
    }
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

/// Streams a file's bytes into a sink.
type Source<'a> = dyn FnMut(&mut dyn FnMut(&[u8])) -> Result<(), String> + 'a;

/// Streams a data file again for the archive time-stamp, hashing it as it goes: when it no
/// longer has the digest that was signed, the file is recorded in `changed` and feeding fails.
fn feed_checked(
    name: &str,
    digests: &[FileDigest],
    changed: &RefCell<Option<PathBuf>>,
    path: &Path,
    source: &mut Source<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), String> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    source(&mut |chunk| {
        hasher.update(chunk);
        sink(chunk);
    })?;
    let signed = digests.iter().find(|d| d.name == name).map(|d| &d.sha256);
    if signed.is_some_and(|s| s[..] != hasher.finalize()[..]) {
        *changed.borrow_mut() = Some(path.to_owned());
        return Err(format!(
            "{} changed on disk while it was being signed",
            path.display()
        ));
    }
    Ok(())
}

/// Creates `out` holding `files` and one signature at `level` over all of them. A file at `out`
/// is never replaced.
pub fn sign_new(
    out: &Path,
    files: &[InputFile],
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
) -> Result<(), SessionError> {
    sign_new_guarded(out, files, signer, level, services, token, Guard::default())
}

/// [`sign_new`] with the checks and the placement of `guard`.
pub fn sign_new_guarded(
    out: &Path,
    files: &[InputFile],
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
    mut guard: Guard<'_>,
) -> Result<(), SessionError> {
    let failure: RefCell<Option<SessionError>> = RefCell::new(None);
    let changed: RefCell<Option<PathBuf>> = RefCell::new(None);
    let placement = guard.placement;
    let guard = RefCell::new(&mut guard);
    let fail = |e: SessionError| {
        let text = e.to_string();
        *failure.borrow_mut() = Some(e);
        text
    };
    let mut sign = |digests: &[FileDigest]| -> Result<Option<Vec<u8>>, String> {
        // What was streamed into the container is what the earlier reading saw, and the
        // files are still as they were: only then is the token asked.
        for ((digest, expected), file) in digests
            .iter()
            .zip(guard.borrow().expected_sha256.iter())
            .zip(files)
        {
            if expected.as_ref().is_some_and(|e| *e != digest.sha256) {
                return Err(fail(SessionError::InputChanged(file.path.clone())));
            }
        }
        guard
            .borrow_mut()
            .check()
            .map_err(|p| fail(SessionError::InputChanged(p)))?;
        let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
            let file = files
                .iter()
                .find(|f| f.name == name)
                .ok_or_else(|| format!("no data file {name}"))?;
            feed_checked(
                name,
                digests,
                &changed,
                &file.path,
                &mut |s| stream(&file.path, s),
                sink,
            )
        };
        let xml = match make_signature(digests, signer, 0, level, services, token, &mut feed) {
            Ok(xml) => xml,
            Err(e) => {
                let e = match changed.borrow_mut().take() {
                    Some(path) => SessionError::InputChanged(path),
                    None => e,
                };
                return Err(fail(e));
            }
        };
        guard
            .borrow_mut()
            .check()
            .map_err(|p| fail(SessionError::InputChanged(p)))?;
        Ok(Some(xml))
    };
    let result = container::create_placed(out, files, services.clock.now(), &mut sign, placement);
    match (result, failure.into_inner()) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(session_error(e)),
        (Ok(()), None) => Ok(()),
    }
}

/// Adds a signature at `level` over every data file of the container at `path`, writing the
/// result to `out` (which may be `path`; it is replaced). Returns the new signature entry's
/// name.
pub fn sign_existing(
    path: &Path,
    out: &Path,
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
) -> Result<String, SessionError> {
    let guard = Guard {
        placement: Placement::Replace,
        ..Guard::default()
    };
    sign_existing_guarded(path, out, signer, level, services, token, guard)
}

/// [`sign_existing`] with the checks and the placement of `guard`: its `unchanged` should
/// watch the container at `path`, whose entries are copied again after the signature.
pub fn sign_existing_guarded(
    path: &Path,
    out: &Path,
    signer: &Cert,
    level: BaselineLevel,
    services: &Services<'_>,
    token: &mut RawSigner<'_>,
    mut guard: Guard<'_>,
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
    guard.check().map_err(SessionError::InputChanged)?;
    let changed: RefCell<Option<PathBuf>> = RefCell::new(None);
    let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
        let mut source = |sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
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
        feed_checked(name, &digests, &changed, path, &mut source, sink)
    };
    let xml = make_signature(&digests, signer, index, level, services, token, &mut feed).map_err(
        |e| match changed.borrow_mut().take() {
            Some(path) => SessionError::InputChanged(path),
            None => e,
        },
    )?;
    guard.check().map_err(SessionError::InputChanged)?;
    let placement = guard.placement;
    let mut before_place = || guard.check().map_err(AsicError::InputChanged);
    container
        .add_signature_placed(
            out,
            &xml,
            services.clock.now(),
            placement,
            &mut before_place,
        )
        .map_err(session_error)
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
