//! ASiC-E operations (issue 6): sign files into a container or add a signature to one, verify a
//! container, list, extract and add files. The report of [`asice_verify`] is described in
//! `docs/asice-report.md`.

use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;
use signet_asic::xades::sign::Services;
use signet_asic::xades::verify::{SignatureReport, Trust, validate_container};
use signet_asic::{AsicError, Container, DataFile, InputFile};
use signet_core::{BaselineLevel, Code, Fetch, Indication, SubIndication};
use signet_pki::ocsp::{ListedResponder, OcspPolicy};
use signet_pki::tsl::TrustedList;
use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_token::{KeyRole, Pin, PinKind, SigningToken};

use crate::cert::{FileBytes, TrustedListFiles};
use crate::job::Phase;
use crate::output::{InputSeen, Placement};
use crate::signing::Hooks;
use crate::{ApiError, Context};

/// What validation and signing trust: certificate files and a trusted list with its signers.
#[derive(Debug, Clone, Default)]
pub struct TrustFiles {
    /// Trusted certificates (DER or PEM).
    pub trust: Vec<FileBytes>,
    /// A trusted list and its pinned signers.
    pub list: Option<TrustedListFiles>,
}

pub(crate) struct LoadedTrust {
    pub(crate) anchors: TrustAnchors,
    pub(crate) list: Option<TrustedList>,
}

pub(crate) fn load_trust(files: &TrustFiles) -> Result<LoadedTrust, ApiError> {
    let mut anchors = TrustAnchors::default();
    for file in &files.trust {
        for cert in read_certs(file)? {
            anchors.push(cert);
        }
    }
    let list = match &files.list {
        Some(l) => Some(load_list(l)?),
        None => None,
    };
    Ok(LoadedTrust { anchors, list })
}

/// Verifies a trusted list against its pinned signers (shared with PAdES validation).
pub(crate) fn load_list(l: &TrustedListFiles) -> Result<TrustedList, ApiError> {
    let _span = tracing::trace_span!("verify.trustList").entered();
    // The list verified last is kept by the digest of its bytes and its signers' (verifying
    // depends on nothing else): verifying many files with one list checks it once.
    static LAST: std::sync::Mutex<Option<([u8; 32], TrustedList)>> = std::sync::Mutex::new(None);
    let mut h = Sha256::new();
    for part in std::iter::once(&l.list.bytes).chain(l.signers.iter().map(|s| &s.bytes)) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let digest: [u8; 32] = h.finalize().into();
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((d, list)) = last.as_ref()
        && *d == digest
    {
        return Ok(list.clone());
    }
    let mut signers = Vec::new();
    for s in &l.signers {
        signers.extend(read_certs(s)?);
    }
    let list = TrustedList::verify(&l.list.bytes, &signers).map_err(|e| {
        ApiError::new(Code::InvalidInput, format!("{}: {e}", l.list.name)).recommend(
            "Use a trusted list whose signature verifies with one of the signer certificates given (--tsl-signer).",
        )
    })?;
    *last = Some((digest, list.clone()));
    Ok(list)
}

fn read_certs(file: &FileBytes) -> Result<Vec<Cert>, ApiError> {
    Cert::from_file_bytes(&file.bytes).map_err(|e| {
        ApiError::new(Code::InvalidInput, format!("{}: {e}", file.name))
            .recommend("Give an X.509 certificate file, DER or PEM.")
    })
}

pub(crate) fn asic_error(path: &Path, err: &AsicError) -> ApiError {
    match err {
        AsicError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            ApiError::new(
                Code::FileNotFound,
                format!("{}: no such file", path.display()),
            )
            .recommend("Check the file name.")
        }
        AsicError::Io { .. } => ApiError::new(Code::Io, err.to_string()),
        AsicError::NotAllowed(_) | AsicError::NoSuchFile(_) => {
            ApiError::new(Code::InvalidInput, err.to_string())
        }
        _ => ApiError::new(
            Code::InvalidInput,
            format!(
                "{} is refused as an ASiC-E container: {err}",
                path.display()
            ),
        )
        .recommend(refused_container_advice(err)),
    }
}

/// What to do with a file refused as a container: by what is wrong with it. A file damaged in
/// an ordinary way (cut short, a byte flipped, another kind of file) is said to be that; only
/// what a tool never makes by accident (duplicate or unsafe names, headers that disagree, data
/// before the archive, a bomb) is said to be possibly crafted.
fn refused_container_advice(err: &AsicError) -> &'static str {
    use signet_asic::zip::ZipError;
    match err {
        AsicError::Zip(ZipError::NotZip(_)) => {
            "The file is not a whole ZIP archive: it was cut short (an interrupted download or copy) or is another kind of file. Ask its sender for it again."
        }
        AsicError::Zip(ZipError::Damaged { .. } | ZipError::Io(_)) => {
            "The entry named was damaged on its way (a transfer or disk error changes bytes). Ask its sender for the container again."
        }
        AsicError::Zip(ZipError::Unsupported(_)) => {
            "Ask its sender for the container made as ASiC-E requires (stored or deflated entries, no encryption)."
        }
        AsicError::Mimetype(_) | AsicError::Manifest(_) => {
            "The file is not an ASiC-E container as the standard requires (its mimetype or manifest). Open it with the program that made it, or ask its sender for a container made by an ASiC-E signing program."
        }
        _ => "The file is damaged or was crafted to mislead; do not trust its content.",
    }
}

/// Whether `a` and `b` name the same file (the same path, or both resolving to one file).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// `signet verify X.asice`: the container's verdict and each signature's.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AsiceVerifyReport {
    /// The file as given.
    pub file: String,
    /// The verdict on the whole container: the worst of its signatures; TOTAL-FAILED when it
    /// is refused; INDETERMINATE (SIGNED_DATA_NOT_FOUND) when it has no signature.
    pub indication: Indication,
    /// The deciding sub-indication.
    pub sub_indication: Option<SubIndication>,
    /// Why the container was refused before any signature was judged (the ZIP layer, the
    /// mimetype, the manifest, a malformed signature file); absent when it was not.
    pub refused: Option<String>,
    /// The data files.
    pub data_files: Vec<DataFile>,
    /// Every signature.
    pub signatures: Vec<SignatureReport>,
    /// Disagreements between the manifest and the container's entries.
    pub problems: Vec<String>,
    /// The validation time (RFC 3339).
    pub validation_time: String,
}

/// Verifies the container at `path`.
pub fn asice_verify(
    context: &Context,
    path: &Path,
    trust: &TrustFiles,
    at: Option<SystemTime>,
) -> Result<AsiceVerifyReport, ApiError> {
    let loaded = load_trust(trust)?;
    let now = at.unwrap_or_else(|| context.clock().now());
    let file = path.display().to_string();
    let refused = |reason: String| AsiceVerifyReport {
        file: file.clone(),
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        refused: Some(reason),
        data_files: Vec::new(),
        signatures: Vec::new(),
        problems: Vec::new(),
        validation_time: signet_pki::time::Utc(now).to_string(),
    };
    if signet_asic::asics::is_asics(path) {
        return crate::asics::asics_verify(path, &loaded, now);
    }
    let container = match Container::open(path) {
        Ok(c) => c,
        Err(AsicError::Io { source, .. }) => return Err(ApiError::from(source)),
        Err(e) => return Ok(refused(e.to_string())),
    };
    let report = validate_container(
        &container,
        &Trust {
            anchors: loaded.anchors,
            list: loaded.list.as_ref(),
            now,
        },
    );
    let malformed = report
        .signatures
        .iter()
        .find(|s| s.malformed)
        .and_then(|s| s.errors.first().cloned());
    let mut out = AsiceVerifyReport {
        file,
        indication: report.indication,
        sub_indication: report.sub_indication,
        refused: malformed.map(|m| format!("a signature file is malformed: {m}")),
        data_files: report.data_files,
        signatures: report.signatures,
        problems: report.problems,
        validation_time: signet_pki::time::Utc(now).to_string(),
    };
    if out.refused.is_some() {
        out.indication = Indication::TotalFailed;
        out.sub_indication = Some(SubIndication::FormatFailure);
    }
    Ok(out)
}

/// `signet asice list`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AsiceListing {
    /// The data files.
    pub data_files: Vec<DataFile>,
    /// The signature entries.
    pub signatures: Vec<String>,
    /// Disagreements between the manifest and the entries.
    pub problems: Vec<String>,
}

/// The container at `path`, looked at before anything is done: a file that cannot be read is
/// the same error whatever its name claims, and a PDF is not a container.
fn expect_container(path: &Path) -> Result<(), ApiError> {
    if crate::input::file_kind(path)? == crate::input::FileKind::Pdf {
        return Err(crate::signing::pdf_not_container(path));
    }
    Ok(())
}

/// Lists a container's files and signature entries.
pub fn asice_list(path: &Path) -> Result<AsiceListing, ApiError> {
    expect_container(path)?;
    let c = Container::open(path).map_err(|e| asic_error(path, &e))?;
    Ok(AsiceListing {
        data_files: c.data_files().to_vec(),
        signatures: c.signature_names().to_vec(),
        problems: c.problems().to_vec(),
    })
}

/// The file name a data file is extracted under: the last segment of its entry name (a
/// container's folders are not recreated), checked to be a plain name — never a path that
/// leaves the folder (`..`, `/`, a backslash, a drive letter) — with the characters some systems
/// forbid in file names (`<>:"|?*`) replaced by `_`.
pub fn extracted_name(entry: &str) -> Result<String, ApiError> {
    let refuse = |why: String| {
        ApiError::new(
            Code::InvalidInput,
            format!(
                "the container's file “{}” cannot be extracted: {why}",
                entry.escape_default()
            ),
        )
        .recommend("The container is damaged or was crafted to mislead; do not trust its content.")
    };
    signet_asic::zip::check_name(entry).map_err(|e| refuse(e.to_string()))?;
    let base = entry.rsplit('/').next().unwrap_or(entry);
    let name: String = base
        .chars()
        .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
        .collect();
    let name = name.trim_end_matches(['.', ' ']).to_owned();
    if name.is_empty() || name == "." || name == ".." {
        return Err(refuse("it has no usable file name".to_owned()));
    }
    Ok(name)
}

/// Extracts data files (all when `names` is empty) into `out_dir` (created when missing), each
/// written atomically under its own name ([`extracted_name`]) or, when that is taken, a
/// numbered one (`b-2.csv`): nothing is ever replaced. Every name is checked before anything is
/// written. Returns the paths written, in the order asked.
pub fn asice_extract(
    path: &Path,
    names: &[String],
    out_dir: &Path,
) -> Result<Vec<PathBuf>, ApiError> {
    expect_container(path)?;
    if signet_asic::asics::is_asics(path) {
        return asics_extract(path, names, out_dir);
    }
    let c = Container::open(path).map_err(|e| asic_error(path, &e))?;
    let wanted: Vec<String> = if names.is_empty() {
        c.data_files().iter().map(|d| d.name.clone()).collect()
    } else {
        names.to_vec()
    };
    let mut plan = Vec::with_capacity(wanted.len());
    for name in &wanted {
        if !c.data_files().iter().any(|d| d.name == *name) {
            return Err(asic_error(path, &AsicError::NoSuchFile(name.clone())));
        }
        plan.push((name, extracted_name(name)?));
    }
    create_out_dir(out_dir)?;
    let mut written = Vec::new();
    for (entry, file_name) in plan {
        let out = crate::output::write_numbered(out_dir, &file_name, &mut |f| {
            let mut reader = c
                .open_entry(entry)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            std::io::copy(&mut reader, f).map(|_| ())
        })?;
        written.push(out);
    }
    tracing::info!(files = written.len(), "files extracted from a container");
    Ok(written)
}

/// [`asice_extract`] of an ASiC-S container: its one data file, under the same name checks.
fn asics_extract(path: &Path, names: &[String], out_dir: &Path) -> Result<Vec<PathBuf>, ApiError> {
    let (data, _) = signet_asic::asics::data_file(path).map_err(|e| asic_error(path, &e))?;
    if let Some(other) = names.iter().find(|n| **n != data.name) {
        return Err(asic_error(path, &AsicError::NoSuchFile(other.clone())));
    }
    let file_name = extracted_name(&data.name)?;
    create_out_dir(out_dir)?;
    let out = crate::output::write_numbered(out_dir, &file_name, &mut |f| {
        let (_, mut reader) = signet_asic::asics::data_file(path)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        std::io::copy(&mut reader, f).map(|_| ())
    })?;
    tracing::info!("the file of an ASiC-S container extracted");
    Ok(vec![out])
}

fn create_out_dir(out_dir: &Path) -> Result<(), ApiError> {
    std::fs::create_dir_all(out_dir).map_err(|e| {
        ApiError::new(
            Code::Io,
            format!("cannot create the folder {}: {e}", out_dir.display()),
        )
        .recommend("Choose a folder you can write to.")
    })
}

/// Adds files to an unsigned container, in place (atomically).
pub fn asice_add(context: &Context, path: &Path, files: &[PathBuf]) -> Result<(), ApiError> {
    expect_container(path)?;
    for f in files {
        crate::input::file_kind(f)?;
    }
    let c = Container::open(path).map_err(|e| asic_error(path, &e))?;
    let inputs = files
        .iter()
        .map(|f| InputFile::from_path(f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| asic_error(path, &e))?;
    for f in files {
        if !f.is_file() {
            return Err(ApiError::new(
                Code::FileNotFound,
                format!("{}: no such file", f.display()),
            ));
        }
    }
    c.add_files(path, &inputs, context.clock().now())
        .map_err(|e| asic_error(path, &e))
}

/// What to sign.
#[derive(Debug, Clone)]
pub struct AsiceSignRequest {
    /// The files to put into a new container (ignored with `add_to`).
    pub files: Vec<PathBuf>,
    /// The new container (a new one), or the container to add a signature to.
    pub out: PathBuf,
    /// Add a signature to this existing container instead of creating one.
    pub add_to: Option<PathBuf>,
    /// The level (B-LT by default).
    pub level: BaselineLevel,
    /// The time-stamping authority.
    pub tsa: Option<String>,
    /// What the signing-time checks trust (the TSA, the signer's issuer, the OCSP responder).
    pub trust: TrustFiles,
    /// Certificates completing the signer's chain up to an anchor (intermediate CAs), DER or
    /// PEM: not trusted for being here; at B-LT those below the anchor are embedded with their
    /// CRLs.
    pub chain: Vec<Vec<u8>>,
    /// Replace a file at `out` (the person said so: `--force`). Adding a signature to a
    /// container in place (`out` is `add_to`) always replaces it, atomically.
    pub replace_existing: bool,
    /// The inputs (or the container given with `add_to`) as they were when the person chose
    /// them, taken before any PIN or password was asked ([`InputSeen::of`]); empty: taken when
    /// signing starts. A file that is no longer as it was stops signing with
    /// [`ApiError::input_changed`] and nothing is written.
    pub seen: Vec<InputSeen>,
    /// The SHA-256 of each file, when it was read before (a batch's plan): a file that streams
    /// into the container with another digest is not signed.
    pub expected_sha256: Vec<Option<Vec<u8>>>,
}

/// What was signed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AsiceSignReport {
    /// The container written.
    pub container: String,
    /// The signature entry added.
    pub signature: String,
    /// The level.
    pub level: BaselineLevel,
    /// The signer's subject.
    pub signer: String,
}

/// Asks for the secret of `kind` (a card PIN or a PKCS#12 password).
pub type AskPin<'a> = dyn FnMut(PinKind) -> Result<Pin, ApiError> + 'a;

/// Signs files into a new container, or adds a signature to an existing one. The token signs
/// once, whatever the number of files. The files are hashed as they are streamed into the
/// container, and the signature is made from those digests; a file found changed since it was
/// seen (before the token, after the signature, and right before the container is put in
/// place) discards the container ([`ApiError::input_changed`]).
pub fn asice_sign(
    context: &Context,
    fetch: &dyn Fetch,
    request: &AsiceSignRequest,
    token: &mut dyn SigningToken,
    ask: &mut AskPin<'_>,
) -> Result<AsiceSignReport, ApiError> {
    asice_sign_hooked(
        context,
        fetch,
        request,
        token,
        &mut |kind, _| ask(kind),
        &Hooks::none(),
    )
}

/// [`asice_sign`], reporting its steps to `hooks` (the signing job) and asking for the secret
/// with the card's count of tries left.
pub(crate) fn asice_sign_hooked(
    context: &Context,
    fetch: &dyn Fetch,
    request: &AsiceSignRequest,
    token: &mut dyn SigningToken,
    ask: &mut crate::token::AskSecret<'_>,
    hooks: &Hooks<'_>,
) -> Result<AsiceSignReport, ApiError> {
    let loaded = load_trust(&request.trust)?;
    let now = context.clock().now();
    let signer_der = token
        .certificates()?
        .into_iter()
        .find(|c| c.role == KeyRole::Signing)
        .ok_or_else(|| {
            ApiError::new(
                Code::CardUnsupported,
                "the token has no signing certificate",
            )
        })?
        .der;
    let signer = Cert::from_der(&signer_der).map_err(|e| {
        ApiError::new(
            Code::InvalidInput,
            format!("the token's signing certificate: {e}"),
        )
    })?;
    (hooks.signer)(&signer);
    let mut anchors = TrustAnchors::new(loaded.anchors.iter().cloned());
    let mut intermediates = Vec::new();
    for (i, bytes) in request.chain.iter().enumerate() {
        intermediates.extend(Cert::from_file_bytes(bytes).map_err(|e| {
            ApiError::new(
                Code::InvalidInput,
                format!("certificate {} of --chain cannot be read: {e}", i + 1),
            )
            .recommend("Give X.509 certificate files, DER or PEM.")
        })?);
    }
    if let Some(list) = &loaded.list {
        for a in list.anchors(now).iter() {
            anchors.push(a.clone());
        }
        intermediates.extend(list.certificates_of(signet_pki::tsl::SVC_CA_QC));
    }
    if request.level > BaselineLevel::B_B && anchors.iter().next().is_none() {
        return Err(ApiError::new(
            Code::InvalidInput,
            "signing above B-B checks the time-stamp and finds the signer's issuer and OCSP responder: Signet needs to know what to trust",
        )
        .recommend("Give --tsl with --tsl-signer, or --trust with the CA certificates."));
    }
    if request.level > BaselineLevel::B_B && request.tsa.is_none() {
        return Err(ApiError::new(
            Code::InvalidInput,
            "levels from B-T need a time-stamping authority",
        )
        .recommend("Give its URL with --tsa."));
    }
    let validator = PathValidator::new(&anchors, intermediates);
    let services = Services {
        fetch,
        clock: context.clock(),
        tsa_url: request.tsa.as_deref(),
        validator: &validator,
        ocsp_policy: OcspPolicy {
            listed_responders: loaded
                .list
                .as_ref()
                .map(|l| ListedResponder::from_list(l, now))
                .unwrap_or_default(),
            ..OcspPolicy::default()
        },
    };
    let kind = token.pin_kind(KeyRole::Signing);
    // The token's own error (card removed, PIN blocked…) is kept whole for the caller.
    let token_error: std::cell::RefCell<Option<ApiError>> = std::cell::RefCell::new(None);
    let mut sign = |digest: &[u8], _hash: signet_pki::crypto::HashAlg| -> Result<Vec<u8>, String> {
        let keep = |e: ApiError| {
            let message = e.message.clone();
            *token_error.borrow_mut() = Some(e);
            message
        };
        (hooks.phase)(Phase::WaitingForPin, 0);
        let state = if kind == PinKind::Password {
            None
        } else {
            token.pin_state(kind).ok()
        };
        let raw = crate::signing::sign_with_retries(token, digest, (kind, state), ask, hooks, 0)
            .map_err(keep)?;
        // The session goes on to the time-stamp and the OCSP answer.
        (hooks.phase)(Phase::Timestamp, 0);
        Ok(raw.0)
    };
    let map = |e: signet_asic::session::SessionError| {
        match e {
        signet_asic::session::SessionError::InputChanged(path) => ApiError::input_changed(&path),
        signet_asic::session::SessionError::Container(c @ AsicError::Io { .. }) => {
            crate::output::write_error(&request.out, c)
        }
        signet_asic::session::SessionError::Container(c) => asic_error(&request.out, &c),
        signet_asic::session::SessionError::Token(t) => token_error.borrow_mut().take().unwrap_or_else(|| ApiError::new(Code::Internal, t)
            .recommend("Check the signing device and its PIN or password.")),
        signet_asic::session::SessionError::Sign(s @ signet_asic::xades::sign::SignError::BadValue(_)) => {
            ApiError::new(Code::Internal, format!("{s}; nothing was written")).recommend(
                "Try again; if it persists, the signing device is faulty or its certificate is not the one of its key.",
            )
        }
        signet_asic::session::SessionError::Sign(s) => {
            let key = match &s {
                signet_asic::xades::sign::SignError::Timestamp(_) => crate::MessageKey::TimestampFailed,
                signet_asic::xades::sign::SignError::Ocsp(_) => crate::MessageKey::RevocationFailed,
                _ => crate::MessageKey::General,
            };
            ApiError::new(Code::Network, s.to_string()).recommend(
                "Check the time-stamping authority and the OCSP responder, and what Signet was told to trust.",
            ).keyed(key)
        }
        other => ApiError::new(Code::Internal, other.to_string()),
    }
    };
    let watched: Vec<PathBuf> = match &request.add_to {
        Some(existing) => vec![existing.clone()],
        None => request.files.clone(),
    };
    let seen: Vec<InputSeen> = if request.seen.is_empty() {
        watched.iter().map(|p| InputSeen::of(p)).collect()
    } else {
        request.seen.clone()
    };
    let mut unchanged = || match seen.iter().find(|s| !s.unchanged()) {
        Some(changed) => Err(changed.path().to_owned()),
        None => Ok(()),
    };
    let in_place = request
        .add_to
        .as_ref()
        .is_some_and(|a| same_file(a, &request.out));
    let placement = if request.replace_existing || in_place {
        Placement::Replace
    } else {
        Placement::New
    };
    let guard = signet_asic::session::Guard {
        expected_sha256: request.expected_sha256.clone(),
        unchanged: Some(&mut unchanged),
        placement,
    };
    let signature = if let Some(existing) = &request.add_to {
        if placement == Placement::New && request.out.exists() {
            return Err(ApiError::output_exists(&request.out));
        }
        signet_asic::session::sign_existing_guarded(
            existing,
            &request.out,
            &signer,
            request.level,
            &services,
            &mut sign,
            guard,
        )
        .map_err(map)?
    } else {
        if placement == Placement::New && request.out.exists() {
            return Err(ApiError::output_exists(&request.out).recommend(
                "Choose another --container, give --force to replace it, or add a signature to it with --add-to.",
            ));
        }
        let mut inputs = Vec::new();
        for f in &request.files {
            if !f.is_file() {
                return Err(ApiError::new(
                    Code::FileNotFound,
                    format!("{}: no such file", f.display()),
                ));
            }
            inputs.push(InputFile::from_path(f).map_err(|e| asic_error(f, &e))?);
        }
        (hooks.phase)(Phase::Hashing, 0);
        signet_asic::session::sign_new_guarded(
            &request.out,
            &inputs,
            &signer,
            request.level,
            &services,
            &mut sign,
            guard,
        )
        .map_err(map)?;
        "META-INF/signatures0.xml".to_owned()
    };
    tracing::info!(level = %request.level, files = request.files.len(), "container signed");
    Ok(AsiceSignReport {
        container: request.out.display().to_string(),
        signature,
        level: request.level,
        signer: signer.subject().to_string(),
    })
}
