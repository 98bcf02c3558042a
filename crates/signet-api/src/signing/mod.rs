//! `sign`: the one signing operation the desktop and the command line call — which format, which
//! outputs, which settings — as a job ([`crate::job`]).
//!
//! **The format rule**, used by the proposal the window shows and by the signature: when every
//! input is a PDF, each is signed as PAdES (one output each, `NAME.signed.pdf`); anything else, or
//! a mix, goes into one ASiC-E container named after the first file (`NAME.asice`). The caller may
//! force either format. What a file is comes from its content ([`crate::input::file_kind`]): a
//! file named `.pdf` that is not one is refused, and a PDF is a file the PDF reader opens.
//!
//! **Settings**, one precedence for every field: what the request gives, then the profile, then
//! the person's settings, then built-in defaults ([`Settings::resolve_with`]).

mod proposal;
mod settings;
mod types;

pub use proposal::{asice_output, pades_output, pdf_not_container, propose, propose_for};
pub use settings::{Overrides, Settings, TrustPaths, profile_trust};
pub use types::*;

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use signet_core::{Code, Fetch};
use signet_pki::Cert;
use signet_token::{CardTrouble, KeyRole, Pin, PinKind, PinState, SigningToken, TokenError};

use crate::asice::AsiceSignRequest;
use crate::job::{DocumentFacts, JobControl, Phase, SigningAsk};
use crate::output::InputSeen;
use crate::pades::PadesSignRequest;
use crate::token::{AskSecret, TokenSpec, open_signing_token};
use crate::{ApiError, Context};

/// The steps of a signature, reported to a job (all no-ops for a plain call).
pub(crate) struct Hooks<'a> {
    /// A step on the file at the index.
    pub(crate) phase: &'a (dyn Fn(Phase, usize) + 'a),
    /// `Err` once the job is cancelled.
    pub(crate) check: &'a (dyn Fn() -> Result<(), ApiError> + 'a),
    /// The facts of the bytes read, before any PIN.
    pub(crate) read: &'a (dyn Fn(Vec<DocumentFacts>) + 'a),
    /// The signer's certificate, once the token is open.
    pub(crate) signer: &'a (dyn Fn(&Cert) + 'a),
    /// A wrong PIN was given: the next request is a retry.
    pub(crate) wrong_pin: &'a (dyn Fn() + 'a),
    /// Ask again after a wrong PIN (while tries are left) instead of failing.
    pub(crate) retry_wrong_pin: bool,
}

fn no_phase(_: Phase, _: usize) {}
fn no_check() -> Result<(), ApiError> {
    Ok(())
}
fn no_read(_: Vec<DocumentFacts>) {}
fn no_signer(_: &Cert) {}
fn nothing() {}

impl Hooks<'static> {
    /// No job: nothing reported, no retry.
    pub(crate) fn none() -> Self {
        Self {
            phase: &no_phase,
            check: &no_check,
            read: &no_read,
            signer: &no_signer,
            wrong_pin: &nothing,
            retry_wrong_pin: false,
        }
    }
}

/// The facts of `bytes` read from `path`.
pub(crate) fn facts_of(path: &Path, bytes: &[u8]) -> DocumentFacts {
    DocumentFacts {
        name: file_name(path),
        path: path.display().to_string(),
        size: bytes.len() as u64,
        sha256: hex(&Sha256::digest(bytes)),
    }
}

/// The facts of the file at `path`, read while streaming.
pub(crate) fn facts_of_file(path: &Path) -> Result<DocumentFacts, ApiError> {
    let mut file = std::fs::File::open(path).map_err(|e| crate::input::unreadable(path, &e))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| crate::input::unreadable(path, &e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hash.update(&buf[..n]);
    }
    Ok(DocumentFacts {
        name: file_name(path),
        path: path.display().to_string(),
        size,
        sha256: hex(&hash.finalize()),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Opens the token, asking for a PKCS#12 file's password again while it is wrong (when the
/// hooks allow retries).
pub(crate) fn open_with_retries(
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    hooks: &Hooks<'_>,
) -> Result<Box<dyn SigningToken + Send>, ApiError> {
    loop {
        (hooks.check)()?;
        match open_signing_token(spec, ask) {
            Err(err)
                if hooks.retry_wrong_pin
                    && err.code == Code::PinIncorrect
                    && matches!(spec, TokenSpec::P12 { .. }) =>
            {
                tracing::info!("wrong password for the PKCS#12 file: asking again");
                (hooks.wrong_pin)();
            }
            other => return other,
        }
    }
}

/// Asks for the signing PIN and signs `digest`; a wrong PIN asks again with the tries left (when
/// the hooks allow retries), a cancel given with the PIN stops before the card signs.
pub(crate) fn sign_with_retries<T: SigningToken + ?Sized>(
    token: &mut T,
    digest: &[u8],
    (kind, mut state): (PinKind, Option<PinState>),
    ask: &mut AskSecret<'_>,
    hooks: &Hooks<'_>,
    index: usize,
) -> Result<signet_token::RawSignature, ApiError> {
    loop {
        let pin: Pin = ask(kind, state)?;
        (hooks.check)()?;
        (hooks.phase)(Phase::Signing, index);
        match token.sign_digest(KeyRole::Signing, digest, pin) {
            Ok(raw) => return Ok(raw),
            Err(TokenError::Card(CardTrouble::PinIncorrect {
                kind: wrong,
                retries_left,
            })) if hooks.retry_wrong_pin && retries_left > 0 => {
                tracing::info!(pin = %wrong, retries_left, "wrong PIN: asking again");
                state = Some(PinState {
                    kind: wrong,
                    retries_left,
                    max_retries: state.map_or(3, |s| s.max_retries),
                    pin_pad: state.is_some_and(|s| s.pin_pad),
                });
                (hooks.wrong_pin)();
                (hooks.phase)(Phase::WaitingForPin, index);
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// Signs `request` as a job: reports its steps, asks for each secret through `job` with what will
/// be signed, asks again after a wrong PIN, and stops when cancelled (before the card signs and
/// between files), leaving no partial output.
pub fn sign(
    context: &Context,
    request: &SignFilesRequest,
    fetch: &dyn Fetch,
    job: &JobControl,
) -> Result<SignOutcome, ApiError> {
    // The inputs as they are before their digests are taken for the proposal (and shown in the
    // PIN request): an ASiC-E input that changes from here on is never signed. (A PDF is held
    // to the proposal's digest when it is read to be signed.)
    let seen: Vec<InputSeen> = match &request.add_to {
        Some(existing) => vec![InputSeen::of(existing)],
        None => request.files.iter().map(|f| InputSeen::of(f)).collect(),
    };
    let proposal = propose_for(context, request)?;
    // What the person reviewed is what is signed: the same files with the same content.
    if !request.reviewed_sha256.is_empty() {
        if request.reviewed_sha256.len() != proposal.files.len() {
            return Err(ApiError::new(
                Code::InvalidInput,
                "the files to sign are not the files reviewed",
            )
            .recommend("Choose the files again and review them before signing."));
        }
        for (file, reviewed) in proposal.files.iter().zip(&request.reviewed_sha256) {
            if !file.facts.sha256.eq_ignore_ascii_case(reviewed) {
                let path = Path::new(&file.facts.path);
                return Err(if request.add_to.is_some() {
                    ApiError::changed_since_verified(path)
                } else {
                    ApiError::input_changed(path)
                });
            }
        }
    }
    let agreed = |existing: &String| match &request.agreed_replacements {
        None => true,
        Some(list) => list.iter().any(|a| a == Path::new(existing)),
    };
    if let Some(existing) = proposal
        .existing
        .iter()
        .find(|e| !request.replace_existing || !agreed(e))
    {
        return Err(ApiError::output_exists(Path::new(existing)));
    }
    let settings = Settings::resolve_with(context, &request.overrides())?;
    let chain = request
        .chain
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| crate::input::unreadable(p, &e)))
        .collect::<Result<Vec<_>, _>>()?;
    let format = proposal.format;
    let ask_state = std::sync::Mutex::new((
        SigningAsk {
            signer: None,
            documents: proposal.files.iter().map(|f| f.facts.clone()).collect(),
            per_file: format == SignFormat::Pades,
            consent_change: None,
        },
        0usize,
        false,
    ));
    let lock = || {
        ask_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let total = u32::try_from(request.files.len()).unwrap_or(u32::MAX);
    let phase = |phase: Phase, index: usize| {
        lock().1 = index;
        let facts = &proposal.files.get(index).map(|f| f.facts.name.as_str());
        let position = (format == SignFormat::Pades && total > 1).then(|| crate::job::Position {
            n: u32::try_from(index + 1).unwrap_or(u32::MAX),
            of: total,
        });
        job.phase(
            phase,
            if format == SignFormat::Pades {
                *facts
            } else {
                None
            },
            position,
        );
    };
    let check = || job.check();
    let read = |facts: Vec<DocumentFacts>| lock().0.documents = facts;
    let signer_seen = |cert: &Cert| {
        lock().0.signer = Some(crate::people::display_name(&cert.subject().to_string()));
    };
    let wrong_pin = || lock().2 = true;
    let hooks = Hooks {
        phase: &phase,
        check: &check,
        read: &read,
        signer: &signer_seen,
        wrong_pin: &wrong_pin,
        retry_wrong_pin: true,
    };
    let mut ask = |kind: PinKind, state: Option<PinState>| -> Result<Pin, ApiError> {
        let request = {
            let mut guard = lock();
            let retry = std::mem::take(&mut guard.2);
            guard.0.request(kind, state, guard.1, retry)
        };
        job.ask(request)
    };
    let outputs: Vec<PathBuf> = proposal.outputs.iter().map(PathBuf::from).collect();
    let outcome = match format {
        SignFormat::Pades => {
            let pades = PadesSignRequest {
                files: request.files.iter().cloned().zip(outputs).collect(),
                level: settings.level,
                tsa: settings.tsa.clone(),
                token: settings.token.clone(),
                chain: chain.clone(),
                trust: settings
                    .trust
                    .trust
                    .iter()
                    .map(|f| f.bytes.clone())
                    .collect(),
                trusted_list: settings.trust.list.clone(),
                visible: request.visible,
                normalise: request.normalise,
                reason: request.reason.clone(),
                location: request.location.clone(),
                contact: request.contact.clone(),
                replace_existing: request.replace_existing,
                // What the person reviewed is what is read to be signed (the PIN request names the
                // bytes signed: with `normalise`, the rewritten copy of these).
                expected_sha256: proposal
                    .files
                    .iter()
                    .map(|f| decode_hex(&f.facts.sha256))
                    .collect(),
            };
            let signed = crate::pades::pades_sign_hooked(context, &pades, &mut ask, fetch, &hooks)?;
            SignOutcome {
                format,
                signer: signed
                    .first()
                    .map(|s| crate::people::display_name(&s.signer))
                    .unwrap_or_default(),
                signer_subject: signed.first().map(|s| s.signer.clone()).unwrap_or_default(),
                outputs: signed
                    .into_iter()
                    .map(|s| SignedOutput {
                        output: s.output,
                        inputs: vec![s.input],
                        level: s.level,
                        warnings: s.warnings,
                        signature: None,
                    })
                    .collect(),
            }
        }
        SignFormat::Asice => {
            let out = outputs
                .first()
                .cloned()
                .ok_or_else(|| ApiError::new(Code::InvalidInput, "no files to sign"))?;
            let asice = AsiceSignRequest {
                files: if request.add_to.is_some() {
                    Vec::new()
                } else {
                    request.files.clone()
                },
                out,
                add_to: request.add_to.clone(),
                level: settings.level,
                tsa: settings.tsa.clone(),
                trust: settings.trust.clone(),
                chain,
                replace_existing: request.replace_existing,
                seen,
                // What the PIN request showed is what must stream into the container.
                expected_sha256: if request.add_to.is_some() {
                    Vec::new()
                } else {
                    proposal
                        .files
                        .iter()
                        .map(|f| decode_hex(&f.facts.sha256))
                        .collect()
                },
            };
            let mut password: Option<Pin> = None;
            let mut token = {
                let mut remember = |kind: PinKind, state| -> Result<Pin, ApiError> {
                    let pin = ask(kind, state)?;
                    if kind == PinKind::Password {
                        password = Some(crate::pades::copy_pin(&pin)?);
                    }
                    Ok(pin)
                };
                open_with_retries(&settings.token, &mut remember, &hooks)?
            };
            let mut ask_sign = |kind: PinKind, state| match &password {
                Some(p) if kind == PinKind::Password => crate::pades::copy_pin(p),
                _ => ask(kind, state),
            };
            let report = crate::asice::asice_sign_hooked(
                context,
                fetch,
                &asice,
                token.as_mut(),
                &mut ask_sign,
                &hooks,
            )?;
            // The level said is the level the new signature validates at (the same check as
            // `extend`'s); below the level asked for, the container stays and the error says so.
            (hooks.phase)(Phase::Verifying, 0);
            let container = Path::new(&report.container);
            let verified = crate::asice::asice_verify(context, container, &settings.trust, None)?;
            let level = crate::reached::require(
                container,
                settings.level,
                &crate::reached::Reached::of_container(&verified, Some(&report.signature)),
                crate::reached::Shortfall::Signed,
            )?;
            SignOutcome {
                format,
                signer: crate::people::display_name(&report.signer),
                signer_subject: report.signer.clone(),
                outputs: vec![SignedOutput {
                    output: report.container,
                    inputs: proposal
                        .files
                        .iter()
                        .map(|f| f.facts.path.clone())
                        .collect(),
                    level,
                    warnings: Vec::new(),
                    signature: Some(report.signature),
                }],
            }
        }
    };
    tracing::info!(format = ?outcome.format, outputs = outcome.outputs.len(), "signed");
    Ok(outcome)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_core::BaselineLevel;

    /// A token behind a PIN-pad reader: its PIN state says so, it signs only with a PIN typed
    /// on the pad (no digits from the host), and the pad's answers are scripted.
    struct PadToken {
        answers: Vec<Result<(), CardTrouble>>,
    }

    impl SigningToken for PadToken {
        fn certificates(&mut self) -> Result<Vec<signet_token::TokenCertificate>, TokenError> {
            Ok(Vec::new())
        }

        fn pin_state(&mut self, kind: PinKind) -> Result<PinState, TokenError> {
            Ok(PinState {
                kind,
                retries_left: 3,
                max_retries: 3,
                pin_pad: true,
            })
        }

        fn sign_digest(
            &mut self,
            _: KeyRole,
            _: &[u8],
            pin: Pin,
        ) -> Result<signet_token::RawSignature, TokenError> {
            assert!(pin.entered_on_pad() && pin.expose_digits().is_empty());
            match self.answers.remove(0) {
                Ok(()) => Ok(signet_token::RawSignature(vec![7; 96])),
                Err(trouble) => Err(trouble.into()),
            }
        }
    }

    /// Signs through `token` as a job does; returns the outcome and the PIN requests emitted.
    fn sign_on_pad(
        token: &mut PadToken,
    ) -> (
        Result<signet_token::RawSignature, ApiError>,
        Vec<crate::job::PinRequest>,
    ) {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&seen);
        let (_handle, job) = crate::job::channel(move |event| {
            if let crate::job::JobEvent::PinRequest(request) = event {
                sink.lock().unwrap().push(request);
            }
        });
        let retry = std::cell::Cell::new(false);
        let wrong_pin = || retry.set(true);
        let hooks = Hooks {
            wrong_pin: &wrong_pin,
            retry_wrong_pin: true,
            ..Hooks::none()
        };
        let mut ask = |kind: PinKind, state: Option<PinState>| {
            job.ask(SigningAsk::default().request(kind, state, 0, retry.take()))
        };
        let state = token.pin_state(PinKind::Pin2).ok();
        // No answer is ever sent: on a pad the job goes on to the reader.
        let outcome =
            sign_with_retries(token, &[1; 48], (PinKind::Pin2, state), &mut ask, &hooks, 0);
        let requests = seen.lock().unwrap().clone();
        (outcome, requests)
    }

    #[test]
    fn a_pin_pad_signature_asks_the_reader_and_a_wrong_pin_asks_it_again() {
        let mut token = PadToken {
            answers: vec![
                Err(CardTrouble::PinIncorrect {
                    kind: PinKind::Pin2,
                    retries_left: 2,
                }),
                Ok(()),
            ],
        };
        let (outcome, requests) = sign_on_pad(&mut token);
        assert_eq!(outcome.unwrap().0.len(), 96);
        assert_eq!(requests.len(), 2, "{requests:?}");
        assert!(requests.iter().all(|r| r.pin_pad));
        assert_eq!(
            (requests[0].retry, requests[0].tries_left),
            (false, Some(3))
        );
        assert_eq!((requests[1].retry, requests[1].tries_left), (true, Some(2)));
    }

    #[test]
    fn the_pads_timeout_and_cancel_end_the_job_with_their_own_errors() {
        let mut token = PadToken {
            answers: vec![Err(CardTrouble::PinPadTimeout)],
        };
        let err = sign_on_pad(&mut token).0.unwrap_err();
        assert_eq!(err.key, crate::MessageKey::PinPadTimeout);
        assert_eq!(err.code, Code::CardUnavailable);
        let mut token = PadToken {
            answers: vec![Err(CardTrouble::PinPadCancelled)],
        };
        let err = sign_on_pad(&mut token).0.unwrap_err();
        assert_eq!(err.key, crate::MessageKey::PinPadCancelled);
        assert_eq!(err.code, Code::Cancelled);
    }

    #[test]
    fn outputs_follow_one_rule() {
        assert_eq!(
            pades_output(Path::new("/d/contract.pdf"), None),
            Path::new("/d/contract.signed.pdf")
        );
        assert_eq!(
            pades_output(Path::new("/d/contract.pdf"), Some(Path::new("/out"))),
            Path::new("/out/contract.signed.pdf")
        );
        assert_eq!(
            asice_output(&["/d/notes.txt".into(), "/d/a.pdf".into()], None).unwrap(),
            Path::new("/d/notes.asice")
        );
        assert_eq!(decode_hex("00ff10").unwrap(), [0, 255, 16]);
        assert!(decode_hex("0g").is_none());
    }

    #[test]
    fn outputs_go_to_the_persons_folder_when_one_is_set_and_an_existing_one_is_pointed_out() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path().join("data"));
        let pdf = dir.path().join("a.pdf");
        std::fs::write(&pdf, signet_testkit::pdf::one_page_pdf("a")).unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let beside = propose(&context, std::slice::from_ref(&pdf), None, None).unwrap();
        assert_eq!(
            beside.outputs,
            [dir.path().join("a.signed.pdf").display().to_string()]
        );
        let folder = dir.path().join("signed files");
        std::fs::create_dir(&folder).unwrap();
        crate::settings::save(
            &context,
            crate::settings::PersonSettings {
                output_dir: Some(folder.display().to_string()),
                ..crate::settings::PersonSettings::default()
            },
        )
        .unwrap();
        let p = propose(&context, std::slice::from_ref(&pdf), None, None).unwrap();
        assert_eq!(
            p.outputs,
            [folder.join("a.signed.pdf").display().to_string()]
        );
        assert!(p.existing.is_empty());
        let c = propose(&context, &[text.clone(), pdf.clone()], None, None).unwrap();
        assert_eq!(
            c.outputs,
            [folder.join("notes.asice").display().to_string()]
        );
        // Never replaced without asking: a file there already is pointed out.
        std::fs::write(folder.join("a.signed.pdf"), "earlier").unwrap();
        let p = propose(&context, std::slice::from_ref(&pdf), None, None).unwrap();
        assert_eq!(p.existing, p.outputs);
        // A folder the request names wins.
        let other = dir.path().join("other");
        let named = propose(&context, std::slice::from_ref(&pdf), None, Some(&other)).unwrap();
        assert_eq!(
            named.outputs,
            [other.join("a.signed.pdf").display().to_string()]
        );
    }

    #[test]
    fn every_pdf_is_pades_a_mix_is_one_container_and_a_false_pdf_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path().join("data"));
        let pdf = dir.path().join("a.pdf");
        std::fs::write(&pdf, signet_testkit::pdf::one_page_pdf("a")).unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let p = propose(&context, std::slice::from_ref(&pdf), None, None).unwrap();
        assert_eq!(
            (p.format, p.reason),
            (SignFormat::Pades, FormatReason::AllPdf)
        );
        assert_eq!(
            p.outputs,
            [dir.path().join("a.signed.pdf").display().to_string()]
        );
        assert_eq!(p.level, BaselineLevel::B_LT);
        assert_eq!(
            p.files[0].facts.size,
            std::fs::metadata(&pdf).unwrap().len()
        );
        let p = propose(&context, &[pdf.clone(), text.clone()], None, None).unwrap();
        assert_eq!(
            (p.format, p.reason),
            (SignFormat::Asice, FormatReason::NotAllPdf)
        );
        assert_eq!(
            p.outputs,
            [dir.path().join("a.asice").display().to_string()]
        );
        // A header alone does not make a PDF: the reader must open it.
        let fake = dir.path().join("fake.dat");
        std::fs::write(&fake, "%PDF-1.7 and nothing else").unwrap();
        let p = propose(&context, std::slice::from_ref(&fake), None, None).unwrap();
        assert_eq!(p.files[0].kind, InputKind::Other);
        assert_eq!(p.format, SignFormat::Asice);
        let err = propose(&context, &[fake], Some(SignFormat::Pades), None).unwrap_err();
        assert!(err.message.contains("is not a PDF"), "{err}");
        let named = dir.path().join("named.pdf");
        std::fs::write(&named, "text").unwrap();
        assert!(propose(&context, &[named], None, None).is_err());
        std::fs::write(dir.path().join("a.signed.pdf"), "x").unwrap();
        let p = propose(&context, &[pdf], None, None).unwrap();
        assert_eq!(p.existing.len(), 1);
    }
}
