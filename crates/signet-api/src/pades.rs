//! PAdES operations: sign PDFs (B-B … B-LTA) with any token, verify every signature in a PDF,
//! extend signed PDFs to B-LT or B-LTA. Outputs are written atomically.
//!
//! What is signed is what is written: every level is written from the bytes that were read and
//! hashed (never read again from the disk after the PIN), and only once the input on disk is
//! found to hold exactly those bytes; otherwise nothing is written
//! ([`ApiError::input_changed`]). A new output never replaces an existing file unless the
//! request says so.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use signet_core::{BaselineLevel, Code, Fetch};
use signet_pades::ltv;
use signet_pades::sign::{SignOptions, SignerCerts};
use signet_pades::validate::{self, Report};
use signet_pades::{PadesError, Timestamper};
use signet_pki::crypto::HashAlg;
use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_token::{KeyRole, Pin, PinKind, SigningToken};

use crate::job::Phase;
use crate::output::{InputSeen, Placement, write_atomically};
use crate::reached::{self, PdfSignatures, PdfTrust, Reached, Shortfall};
use crate::signing::Hooks;
use crate::token::{AskSecret, TokenSpec};
use crate::{ApiError, Context};

/// A visible signature: page (1-based), x, y, width, height in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisiblePlace {
    /// Page, 1-based.
    pub page: usize,
    /// Lower-left x.
    pub x: f64,
    /// Lower-left y.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// What `pades_sign` does.
#[derive(Debug, Clone)]
pub struct PadesSignRequest {
    /// Inputs and their outputs, in pairs.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// The level.
    pub level: BaselineLevel,
    /// The TSA (required from B-T).
    pub tsa: Option<String>,
    /// The signing device.
    pub token: TokenSpec,
    /// Certificates to complete the signer's chain (intermediates, root), DER or PEM bytes.
    pub chain: Vec<Vec<u8>>,
    /// Trust anchors for checking the TSA and OCSP answers while signing, DER or PEM bytes.
    pub trust: Vec<Vec<u8>>,
    /// A trusted list and its pinned signers: its services are anchors too and its CA/QC
    /// certificates complete the signer's chain.
    pub trusted_list: Option<crate::cert::TrustedListFiles>,
    /// A visible signature.
    pub visible: Option<VisiblePlace>,
    /// The person agreed to rewrite (normalise) an unsigned input that cannot be updated
    /// safely; the output is the rewritten file signed, the input stays as it is. A signed
    /// input is never rewritten.
    pub normalise: bool,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact: Option<String>,
    /// Replace outputs that exist already (the person said so: `--force`). Without it an
    /// existing output is refused before any PIN, and never overwritten, even when it appears
    /// while the file is being signed.
    pub replace_existing: bool,
    /// The SHA-256 each input (in the order of `files`) must have, when it was read before (the
    /// digest the person reviewed): a file read with another digest stops signing with
    /// [`ApiError::input_changed`] before any PIN is asked. `None` or missing: not known.
    pub expected_sha256: Vec<Option<Vec<u8>>>,
}

impl PadesSignRequest {
    fn placement(&self) -> Placement {
        if self.replace_existing {
            Placement::Replace
        } else {
            Placement::New
        }
    }
}

/// One signed file.
#[derive(Debug, Clone, Serialize)]
pub struct SignedPdf {
    /// The input.
    pub input: String,
    /// The output written.
    pub output: String,
    /// The level the output validates at (checked by validating it after writing).
    pub level: BaselineLevel,
    /// The signer's subject.
    pub signer: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// What the pre-sign check found in the input (hidden or orphan objects, overlays, unused
    /// drawing objects, layers switched off: content a later revision could reveal).
    pub warnings: Vec<String>,
}

pub(crate) fn pades_error(e: PadesError) -> ApiError {
    let code = match &e {
        PadesError::Pdf(_) | PadesError::Refused(_) | PadesError::TooLarge => Code::InvalidInput,
        PadesError::Timestamp(_) | PadesError::Revocation(_) => Code::Network,
        _ => Code::Internal,
    };
    let recommendation = match &e {
        PadesError::Pdf(signet_pdf::PdfError::Encrypted) => {
            "Remove the password protection in a PDF editor, then sign the copy."
        }
        PadesError::Pdf(_) => {
            "Check that the file is a complete PDF; open and save it again in a PDF editor."
        }
        PadesError::Timestamp(_) => {
            "Check the time-stamping authority's address (--tsa) and the network."
        }
        PadesError::Revocation(_) => {
            "Check the network: the certificate's OCSP responder must answer."
        }
        _ => "Try again; if it keeps failing, report it with the log file.",
    };
    let key = match &e {
        PadesError::Timestamp(_) => crate::MessageKey::TimestampFailed,
        PadesError::Revocation(_) => crate::MessageKey::RevocationFailed,
        _ => crate::MessageKey::General,
    };
    ApiError::new(code, e.to_string())
        .recommend(recommendation)
        .keyed(key)
}

fn read_certs(files: &[Vec<u8>]) -> Result<Vec<Cert>, ApiError> {
    let mut out = Vec::new();
    for bytes in files {
        out.extend(Cert::from_file_bytes(bytes).map_err(|e| {
            ApiError::new(
                Code::InvalidInput,
                format!("a certificate file cannot be read: {e}"),
            )
            .recommend("Give certificates as DER or PEM.")
        })?);
    }
    Ok(out)
}

pub(crate) fn copy_pin(pin: &Pin) -> Result<Pin, ApiError> {
    let text = String::from_utf8(pin.expose_digits().to_vec())
        .map_err(|_| ApiError::new(Code::InvalidInput, "the password is not UTF-8"))?;
    Pin::new(pin.kind(), zeroize::Zeroizing::new(text))
        .map_err(|e| ApiError::new(Code::InvalidInput, e.to_string()))
}

/// A time-stamper over the network, checking the token against `anchors`.
pub(crate) fn timestamper<'a>(
    fetch: &'a dyn Fetch,
    context: &'a Context,
    url: &'a str,
    anchors: &'a TrustAnchors,
    pool: &'a [Cert],
) -> impl FnMut(HashAlg, &[u8]) -> Result<Vec<u8>, PadesError> + 'a {
    move |hash, digest| {
        let validator = PathValidator::new(anchors, pool.iter().cloned());
        signet_pki::tsp::request_timestamp(fetch, context.clock(), url, hash, digest, &validator)
            .map(|t| t.token)
            .map_err(|e| PadesError::Timestamp(e.to_string()))
    }
}

fn chain_for(signer: &Cert, pool: &[Cert]) -> Vec<Cert> {
    let mut chain = Vec::new();
    let mut cur = signer.clone();
    for _ in 0..8 {
        let Some(issuer) = ltv::find_issuer(&cur, pool) else {
            break;
        };
        if issuer.is_self_issued() {
            break;
        }
        chain.push(issuer.clone());
        cur = issuer.clone();
    }
    chain
}

/// Signs every PDF of `request` with one opening of the token (a card asks its PIN2 for each
/// signature; a PKCS#12 file its password once).
pub fn pades_sign(
    context: &Context,
    request: &PadesSignRequest,
    ask: &mut AskSecret<'_>,
    fetch: &dyn Fetch,
) -> Result<Vec<SignedPdf>, ApiError> {
    pades_sign_hooked(context, request, ask, fetch, &Hooks::none())
}

/// [`pades_sign`], reporting its steps to `hooks` (the signing job).
pub(crate) fn pades_sign_hooked(
    context: &Context,
    request: &PadesSignRequest,
    ask: &mut AskSecret<'_>,
    fetch: &dyn Fetch,
    hooks: &Hooks<'_>,
) -> Result<Vec<SignedPdf>, ApiError> {
    if request.level.has_timestamp() && request.tsa.is_none() {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("level {} needs a time-stamping authority", request.level),
        )
        .recommend("Give one with --tsa URL, or sign at --level B-B."));
    }
    // Read every input first: a missing or broken file, or an output in the way, fails before
    // the token is touched.
    let mut inputs = Vec::new();
    for (n, (input, output)) in request.files.iter().enumerate() {
        if !request.replace_existing && output.exists() {
            return Err(ApiError::output_exists(output));
        }
        (hooks.check)()?;
        (hooks.phase)(Phase::Reading, n);
        let seen = InputSeen::of(input);
        let bytes = std::fs::read(input)
            .map_err(|e| ApiError::from(e).recommend("Check the file name."))?;
        if let Some(Some(expected)) = request.expected_sha256.get(n)
            && <sha2::Sha256 as sha2::Digest>::digest(&bytes).as_slice() != expected.as_slice()
        {
            return Err(ApiError::input_changed(input));
        }
        let (bytes, normalised) = check_input(input, bytes, request.normalise)?;
        inputs.push((seen, output.clone(), bytes, normalised));
    }
    // What each PIN request shows is the digest of the bytes that will be signed.
    (hooks.read)(
        inputs
            .iter()
            .map(|(seen, _, bytes, _)| crate::signing::facts_of(seen.path(), bytes))
            .collect(),
    );
    (hooks.check)()?;
    let mut password: Option<Pin> = None;
    let is_file = matches!(request.token, TokenSpec::P12 { .. });
    let mut token = {
        let mut remember = |kind: PinKind, state| -> Result<Pin, ApiError> {
            let pin = ask(kind, state)?;
            if kind == PinKind::Password {
                password = Some(copy_pin(&pin)?);
            }
            Ok(pin)
        };
        crate::signing::open_with_retries(&request.token, &mut remember, hooks)?
    };
    let signer = PadesSigner::new(context, request, token.as_mut())?;
    (hooks.signer)(signer.signer());
    let mut ask_sign = |kind: PinKind, state| match (&password, is_file) {
        (Some(p), true) => copy_pin(p),
        _ => ask(kind, state),
    };
    let mut results = Vec::new();
    let total = inputs.len();
    for (n, (seen, output, bytes, normalised)) in inputs.iter().enumerate() {
        tracing::info!(n = n + 1, of = total, level = %request.level, "signing a PDF");
        (hooks.check)()?;
        let mut signed = signer.sign_one(
            context,
            request,
            token.as_mut(),
            &mut ask_sign,
            fetch,
            (hooks, n),
            PdfInput {
                seen,
                output,
                bytes,
                normalised: normalised.as_deref(),
            },
        )?;
        // The level said is the level the output validates at; below the level asked for, the
        // output stays (a complete signature) and the files after it are not signed.
        (hooks.phase)(Phase::Verifying, n);
        let written = std::fs::read(output).map_err(|e| crate::input::unreadable(output, &e))?;
        let report = reached::validate_pdf(context, &written, &signer.trust());
        signed.level = reached::require(
            output,
            request.level,
            &Reached::of_pdf(&report, PdfSignatures::Newest),
            Shortfall::Signed,
        )
        .map_err(|mut err| {
            match total - n - 1 {
                0 => {}
                1 => err
                    .message
                    .push_str("; the 1 other file after it was not signed"),
                left => err.message.push_str(&format!(
                    "; the {left} other files after it were not signed"
                )),
            }
            err
        })?;
        results.push(signed);
    }
    Ok(results)
}

/// The bytes of one PDF to sign, read from `input`. One that cannot be updated safely is
/// rewritten when `normalise` allows it (never a signed or an encrypted one); the second value
/// then says so.
pub(crate) fn check_input(
    input: &Path,
    bytes: Vec<u8>,
    normalise: bool,
) -> Result<(Vec<u8>, Option<String>), ApiError> {
    let Err(e) = signet_pdf::Document::open(&bytes) else {
        return Ok((bytes, None));
    };
    let encrypted = matches!(e, signet_pdf::PdfError::Encrypted);
    let signed = signet_pdf::normalise::looks_signed(&bytes);
    if encrypted || signed || !normalise {
        let err = pades_error(PadesError::Pdf(e));
        return Err(if encrypted {
            err
        } else if signed {
            err.recommend("The file carries a signature, so it is never rewritten: ask its sender for an intact copy.")
        } else {
            err.recommend("The file cannot be updated safely. Give --normalise to sign a rewritten copy (the original stays as it is), or save it again in a PDF editor.")
        });
    }
    let rewritten = signet_pdf::normalise::rewrite(&bytes).map_err(|e| {
        pades_error(PadesError::Pdf(e))
            .recommend("Save it again in a PDF editor, then sign the copy.")
    })?;
    tracing::info!(input = %input.display(), "input normalised before signing");
    Ok((
        rewritten,
        Some(format!(
            "the input could not be updated safely ({e}): a rewritten (normalised) copy was signed, as you agreed; the original file is unchanged"
        )),
    ))
}

/// One PDF to sign: where it comes from (as it was seen before it was read) and goes, its bytes
/// as read (or normalised).
pub(crate) struct PdfInput<'a> {
    pub(crate) seen: &'a InputSeen,
    pub(crate) output: &'a Path,
    pub(crate) bytes: &'a [u8],
    pub(crate) normalised: Option<&'a str>,
}

/// The signer's side of PAdES signing, set up once per opened token: its certificate, the chain
/// to embed, and what the time-stamps and OCSP answers are checked against.
pub(crate) struct PadesSigner {
    signer: Cert,
    certs: SignerCerts,
    anchors: TrustAnchors,
    all_pool: Vec<Cert>,
}

impl PadesSigner {
    /// Reads the token's signing certificate and builds its chain from `request`'s certificates.
    pub(crate) fn new(
        context: &Context,
        request: &PadesSignRequest,
        token: &mut (dyn SigningToken + Send),
    ) -> Result<Self, ApiError> {
        let (pool, anchors) = signing_trust(
            context,
            &request.trust,
            &request.chain,
            request.trusted_list.as_ref(),
        )?;
        let cert_der = token
            .certificates()?
            .into_iter()
            .find(|c| c.role == KeyRole::Signing)
            .ok_or_else(|| {
                ApiError::new(Code::InvalidInput, "the token has no signing certificate")
            })?
            .der;
        let signer = Cert::from_der(&cert_der).map_err(|e| {
            ApiError::new(
                Code::InvalidInput,
                format!("the signing certificate cannot be read: {e}"),
            )
        })?;
        let certs = SignerCerts {
            chain: chain_for(&signer, &pool),
            signer: signer.clone(),
        };
        let mut all_pool = pool;
        all_pool.push(signer.clone());
        Ok(Self {
            signer,
            certs,
            anchors,
            all_pool,
        })
    }

    /// The signer's certificate.
    pub(crate) fn signer(&self) -> &Cert {
        &self.signer
    }

    /// What its outputs are validated with: the anchors and chains signing used.
    pub(crate) fn trust(&self) -> PdfTrust<'_> {
        PdfTrust {
            anchors: &self.anchors,
            pool: &self.all_pool,
            list: None,
        }
    }

    /// Signs one PDF at `request`'s level and writes it atomically to its output, from the
    /// bytes read, once the input on disk is found unchanged. The PIN (or the password) is
    /// asked through `ask` right before the signature; the steps are reported to `hooks` as
    /// those of the file at `index`.
    #[allow(
        clippy::too_many_arguments,
        reason = "the steps of one signature, each needed"
    )]
    pub(crate) fn sign_one(
        &self,
        context: &Context,
        request: &PadesSignRequest,
        token: &mut (dyn SigningToken + Send),
        ask: &mut AskSecret<'_>,
        fetch: &dyn Fetch,
        (hooks, index): (&Hooks<'_>, usize),
        file: PdfInput<'_>,
    ) -> Result<SignedPdf, ApiError> {
        let PdfInput {
            seen,
            output,
            bytes,
            normalised,
        } = file;
        let input = seen.path();
        let (signer, certs, anchors, all_pool) =
            (&self.signer, &self.certs, &self.anchors, &self.all_pool);
        let mut warnings = signet_pades::sign::presign_warnings(bytes);
        warnings.extend(normalised.map(str::to_owned));
        for w in &warnings {
            tracing::warn!(warning = %w, "pre-sign check");
        }
        let options = SignOptions {
            signing_time: Some(context.clock().now()),
            reason: request.reason.clone(),
            location: request.location.clone(),
            contact: request.contact.clone(),
            visible: request.visible.map(|v| signet_pades::appearance::Visible {
                page: v.page,
                rect: [v.x, v.y, v.width, v.height],
                lines: visible_lines(signer, context.clock().now(), request.reason.as_deref()),
            }),
            reserve_timestamp: request.level.has_timestamp(),
            ..SignOptions::default()
        };
        let prepared = signet_pades::prepare(bytes, certs, &options, context.clock().now())
            .map_err(pades_error)?;
        let to_sign = prepared.signed_attributes(certs).map_err(pades_error)?;
        let kind = token.pin_kind(KeyRole::Signing);
        let state = if kind == PinKind::Password {
            None
        } else {
            token.pin_state(kind).ok()
        };
        (hooks.phase)(Phase::WaitingForPin, index);
        let raw = crate::signing::sign_with_retries(
            token,
            &to_sign.digest_to_sign(),
            (kind, state),
            ask,
            hooks,
            index,
        )?;
        let signed = match &request.tsa {
            Some(url) if request.level.has_timestamp() => {
                (hooks.phase)(Phase::Timestamp, index);
                let mut ts = timestamper(fetch, context, url, anchors, all_pool);
                to_sign.finish(&raw.0, Some(&mut ts as &mut Timestamper<'_>))
            }
            _ => to_sign.finish(&raw.0, None),
        }
        .map_err(pades_error)?;
        let mut out: Option<Vec<u8>> = None;
        if request.level.has_validation_data() {
            (hooks.phase)(Phase::Revocation, index);
            let targets = ltv::certificates_to_cover(signed.cms());
            let data = ltv::collect(
                fetch,
                context.clock(),
                &targets,
                all_pool,
                &Default::default(),
            )
            .map_err(pades_error)?;
            let per = vec![(signed.contents_bytes(), data.clone())];
            out = Some(ltv::add_dss(&signed.to_vec(), &data, &per).map_err(pades_error)?);
        }
        if request.level == BaselineLevel::B_LTA
            && let (Some(url), Some(current)) = (&request.tsa, out.take())
        {
            (hooks.phase)(Phase::Timestamp, index);
            let mut ts = timestamper(fetch, context, url, anchors, all_pool);
            out =
                Some(ltv::add_document_timestamp(&current, &mut ts, 12_000).map_err(pades_error)?);
        }
        (hooks.phase)(Phase::Writing, index);
        // The input must still hold what was read and signed (a normalised input, whose
        // original bytes are not kept, must still be the same file, size and times).
        match normalised {
            None => seen.holds(bytes)?,
            Some(_) if !seen.unchanged() => return Err(ApiError::input_changed(input)),
            Some(_) => {}
        }
        // Written from memory: the bytes read and hashed, then the new revisions. B-B and B-T
        // append theirs to the original bytes; B-LT and B-LTA are whole files already.
        let size = match &out {
            Some(whole) => {
                write_atomically(output, request.placement(), |f| f.write_all(whole))?;
                whole.len() as u64
            }
            None => {
                write_atomically(output, request.placement(), |f| signed.write_to(f))?;
                (bytes.len() + signed.appended().len()) as u64
            }
        };
        Ok(SignedPdf {
            input: input.display().to_string(),
            output: output.display().to_string(),
            level: request.level,
            signer: signer.subject().to_string(),
            bytes: size,
            warnings,
        })
    }
}

fn visible_lines(signer: &Cert, at: SystemTime, reason: Option<&str>) -> Vec<String> {
    let subject = signer.subject().to_string();
    let attr = |key: &str| {
        subject
            .split(',')
            .find_map(|p| p.trim().strip_prefix(&format!("{key}=")).map(str::to_owned))
    };
    let name = match (
        attr("GN").or_else(|| attr("givenName")),
        attr("SN").or_else(|| attr("surname")),
    ) {
        (Some(g), Some(s)) => format!("{g} {s}"),
        _ => attr("CN").unwrap_or(subject.clone()),
    };
    let code = attr("SERIALNUMBER")
        .or_else(|| attr("serialNumber"))
        .unwrap_or_default();
    let mut lines = vec![format!("Signed by {name}")];
    if !code.is_empty() {
        lines.push(code);
    }
    lines.push(validate::rfc3339(at));
    if let Some(r) = reason {
        lines.push(r.to_owned());
    }
    lines
}

/// How `pades_verify` judges.
#[derive(Debug, Clone, Default)]
pub struct PadesVerifyRequest {
    /// Trust anchors, DER or PEM bytes.
    pub trust: Vec<Vec<u8>>,
    /// Validate as at this time (default: now).
    pub at: Option<SystemTime>,
    /// Use only what the file holds.
    pub offline: bool,
    /// A trusted list and its pinned signers: its services are trusted too, and each
    /// signature's qualification is judged by it.
    pub trusted_list: Option<crate::cert::TrustedListFiles>,
}

/// Validates every signature in the PDF `bytes`.
pub fn pades_verify(
    context: &Context,
    bytes: &[u8],
    request: &PadesVerifyRequest,
    fetch: &dyn Fetch,
) -> Result<Report, ApiError> {
    let anchors = TrustAnchors::new(read_certs(&request.trust)?);
    let list = match &request.trusted_list {
        Some(l) => Some(crate::asice::load_list(l)?),
        None => None,
    };
    let options = validate::Options {
        anchors: &anchors,
        intermediates: Vec::new(),
        at: request.at.unwrap_or_else(|| context.clock().now()),
        online: (!request.offline).then_some((fetch, context.clock())),
        ocsp_policy: Default::default(),
        trusted_list: list.as_ref(),
    };
    Ok(validate::validate(bytes, &options))
}

/// What signing and extending build chains from: a pool of certificates (`chain`, the
/// anchors, and the trusted list's qualified CAs) and the anchors (`trust` and the trusted
/// list's, as of now).
pub(crate) fn signing_trust(
    context: &Context,
    trust: &[Vec<u8>],
    chain: &[Vec<u8>],
    trusted_list: Option<&crate::cert::TrustedListFiles>,
) -> Result<(Vec<Cert>, TrustAnchors), ApiError> {
    let list = trusted_list.map(crate::asice::load_list).transpose()?;
    let mut pool = read_certs(chain)?;
    pool.extend(read_certs(trust)?);
    if let Some(list) = &list {
        pool.extend(list.certificates_of(signet_pki::tsl::SVC_CA_QC));
    }
    let mut anchors = TrustAnchors::new(read_certs(trust)?);
    if let Some(list) = &list {
        for a in list.anchors(context.clock().now()).iter() {
            if !anchors.contains(a) {
                anchors.push(a.clone());
            }
        }
    }
    Ok((pool, anchors))
}

pub use signet_pades::validate::{Modification, Report as PadesReport, SignatureReport, Verdict};
