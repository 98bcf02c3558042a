//! Batch signing (`signet batch`): many files, one review, progress, and nothing lost when the
//! card is pulled.
//!
//! [`Batch::prepare`] makes the plan before any PIN is asked: every file's format and output,
//! the total size, the level, and the signer's certificate read from the token (a card or a
//! PKCS#11 token without a PIN; a PKCS#12 file only after its password, so not in the plan).
//! [`Batch::run`] signs the files one by one with the token opened once, writes each output
//! atomically and then appends a line to the journal (`OUT_DIR/.signet-batch.jsonl`, synced).
//! A file that fails for its own reason (a broken or encrypted PDF, an output that is in the
//! way) is reported and the batch goes on; trouble with the token or the services every file
//! needs (card removed, reader gone, PIN blocked, TSA down, disk full) stops the batch at once.
//! Running the same batch again skips the files the journal lists with the same input and an
//! intact output. The events are described in `docs/batch-json.md`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use signet_core::{BaselineLevel, Code, Fetch};
use signet_token::{Pin, PinKind, SigningToken};

use crate::asice::{AsiceSignRequest, TrustFiles};

mod journal;
mod reach;
mod report;
mod stop;
use crate::pades::{PadesSignRequest, PadesSigner, PdfInput, copy_pin};
use crate::token::{AskSecret, TokenSpec, open_signing_token};
use crate::{ApiError, Context};
use journal::{
    JournalEntry, append, hex, journal_file, looks_signed_from, read_journal, sha256_of_file,
};
use report::signer_info;
pub use report::{BatchEvent, BatchPlan, BatchSummary, PlannedFile, SignerInfo};
use stop::{stopped_error, stops_the_batch};

/// The journal's file name, in the output folder.
pub const JOURNAL: &str = ".signet-batch.jsonl";

/// How a file is signed. Outputs are named as `sign` names them
/// ([`crate::signing::pades_output`], [`crate::signing::asice_output`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum BatchFormat {
    /// PAdES: the signature inside the PDF, written to `NAME.signed.pdf`.
    Pades,
    /// The file alone in an ASiC-E container, `NAME.asice` (`NAME` without its extension).
    Asice,
}

/// What to sign, with the settings resolved ([`crate::batching::request`] makes it from what
/// the caller chose, by the settings' precedence).
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// The files, in order.
    pub files: Vec<PathBuf>,
    /// The folder for the outputs and the journal (created when missing).
    pub out_dir: PathBuf,
    /// `None`: PAdES for PDFs, ASiC-E for anything else.
    pub format: Option<BatchFormat>,
    /// The level of every signature.
    pub level: BaselineLevel,
    /// The time-stamping authority (from B-T).
    pub tsa: Option<String>,
    /// The signing device.
    pub token: TokenSpec,
    /// Certificates completing the signer's chain (intermediate CAs), DER or PEM.
    pub chain: Vec<Vec<u8>>,
    /// What signing trusts (TSA, OCSP, the signer's issuer).
    pub trust: TrustFiles,
}

/// What the plan says of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum FileState {
    /// To be signed.
    Sign,
    /// Signed by an earlier run of this batch: the journal lists it with the same input, and
    /// its output is intact. It is skipped.
    Done,
    /// Cannot be signed (see `error`); the others are.
    Refused,
}

fn is_pdf(bytes: &[u8]) -> bool {
    crate::input::FileKind::of_bytes(bytes) == crate::input::FileKind::Pdf
}

/// Where a run reports its events, and what it asks before each file (a cancel).
type Reporting<'a> = (
    &'a mut dyn FnMut(&BatchEvent),
    &'a dyn Fn() -> Result<(), ApiError>,
);

/// What signing needs once the first file is to be signed.
struct Session {
    token: Box<dyn SigningToken + Send>,
    pades: Option<PadesSigner>,
}

/// A batch, planned and ready to run.
pub struct Batch {
    request: BatchRequest,
    plan: BatchPlan,
    token: Option<Box<dyn SigningToken + Send>>,
    retry_wrong_pin: bool,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl Batch {
    /// Plans the batch: reads and hashes every input, checks the journal, and reads the signer's
    /// certificate from a card or PKCS#11 token (no PIN is asked). Nothing is written.
    pub fn prepare(context: &Context, request: BatchRequest) -> Result<Self, ApiError> {
        if request.files.is_empty() {
            return Err(ApiError::new(Code::InvalidInput, "no files to sign"));
        }
        if request.level.has_timestamp() && request.tsa.is_none() {
            return Err(ApiError::new(
                Code::InvalidInput,
                format!("level {} needs a time-stamping authority", request.level),
            )
            .recommend("Give one with --tsa URL, or sign at --level B-B."));
        }
        let journal_path = request.out_dir.join(JOURNAL);
        let journal = read_journal(&journal_path);
        let mut files = Vec::new();
        let mut total_bytes = 0;
        for input in &request.files {
            let seen = crate::output::InputSeen::of(input);
            let bytes = std::fs::read(input).map_err(|e| crate::input::unreadable(input, &e))?;
            let pdf = is_pdf(&bytes);
            let format = match request.format {
                Some(format) => format,
                None if pdf => BatchFormat::Pades,
                None => BatchFormat::Asice,
            };
            if input.file_name().is_none() {
                return Err(ApiError::new(
                    Code::InvalidInput,
                    format!("{} is not a file name", input.display()),
                ));
            }
            // The one naming rule of `sign`, in the output folder.
            let output_path = match format {
                BatchFormat::Pades => crate::signing::pades_output(input, Some(&request.out_dir)),
                BatchFormat::Asice => crate::signing::asice_output(
                    std::slice::from_ref(input),
                    Some(&request.out_dir),
                )
                .unwrap_or_else(|| request.out_dir.join("container.asice")),
            };
            let output_name = output_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let taken = files
                .iter()
                .find(|f: &&PlannedFile| f.output_path == output_path)
                .map(|f| f.input.clone());
            let input_sha256 = hex(&Sha256::digest(&bytes));
            let mut error = None;
            let mut state = FileState::Sign;
            let mut adopted = None;
            let same_file = match (input.canonicalize(), output_path.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if let Some(first) = taken {
                // `a.txt` and `a.csv` both make `a.asice`: the first keeps the name.
                error = Some(
                    ApiError::new(
                        Code::InvalidInput,
                        format!(
                            "{} would be signed into {}, the output of {first} too",
                            input.display(),
                            output_path.display()
                        ),
                    )
                    .recommend("Sign it in a separate batch, into another output folder."),
                );
            } else if same_file {
                error = Some(
                    ApiError::new(
                        Code::InvalidInput,
                        format!(
                            "the output {} would overwrite its input",
                            output_path.display()
                        ),
                    )
                    .recommend("Choose an --out-dir other than the inputs' folder."),
                );
            } else if !pdf
                && crate::input::FileKind::claimed_by(input) == Some(crate::input::FileKind::Pdf)
            {
                // Named .pdf but not one: refused, never put into a container under that name.
                error = Some(crate::input::not_a_pdf(input));
            } else if format == BatchFormat::Pades && !pdf {
                error = Some(
                    ApiError::new(
                        Code::InvalidInput,
                        format!("{} is not a PDF, so it cannot be signed as PAdES", input.display()),
                    )
                    .recommend("Sign it into an ASiC-E container: leave out --format pades, or give --format asice.")
                    .keyed(crate::MessageKey::NotAPdf)
                    .param("file", input.display()),
                );
            } else if let Some(problem) = (format == BatchFormat::Pades)
                .then(|| crate::pades::check_input(input, bytes.clone(), false).err())
                .flatten()
            {
                // A broken or encrypted PDF is refused in the plan, before any PIN. A batch
                // never rewrites a PDF: that is `signet sign --normalise`, one file at a time.
                error = Some(if problem.recommendation.contains("--normalise") {
                    problem.recommend("Save it again in a PDF editor and run the same command again, or sign a rewritten copy of it alone with `signet sign --normalise` (the original stays as it is).")
                } else {
                    problem
                });
            } else if output_path.exists() {
                let latest = journal
                    .iter()
                    .rev()
                    .find(|e| e.output == output_name)
                    .filter(|e| e.input_sha256 == input_sha256 && e.format == format);
                let actual = sha256_of_file(&output_path).ok();
                match latest {
                    // Signed by an earlier run, but below the level now asked for: never done.
                    Some(entry)
                        if entry.output_sha256.is_some()
                            && entry.output_sha256 == actual
                            && entry.level < Some(request.level) =>
                    {
                        error = Some(reach::signed_below(
                            &output_path,
                            entry.level,
                            request.level,
                        ));
                    }
                    Some(entry)
                        if entry.output_sha256.is_some() && entry.output_sha256 == actual =>
                    {
                        state = FileState::Done;
                    }
                    // The run was stopped between the output's rename and its journal line:
                    // the output is this input signed (checked), so it is kept and recorded.
                    Some(entry)
                        if entry.output_sha256.is_none()
                            && actual.is_some()
                            && looks_signed_from(format, &bytes, input, &output_path) =>
                    {
                        state = FileState::Done;
                        adopted = actual;
                    }
                    _ => {
                        error = Some(
                            ApiError::new(
                                Code::InvalidInput,
                                format!(
                                    "{} exists and was not signed by this batch (or was changed since): Signet does not overwrite it",
                                    output_path.display()
                                ),
                            )
                            .recommend("Move it away, or choose another --out-dir, and run the command again."),
                        );
                    }
                }
            }
            if error.is_some() {
                state = FileState::Refused;
            }
            total_bytes += bytes.len() as u64;
            files.push(PlannedFile {
                input: input.display().to_string(),
                output: output_path.display().to_string(),
                format,
                size: bytes.len() as u64,
                input_sha256,
                state,
                error,
                input_path: input.clone(),
                seen,
                output_path,
                adopted,
            });
        }
        let no_trust = request.trust.trust.is_empty() && request.trust.list.is_none();
        if request.level > BaselineLevel::B_B
            && no_trust
            && files.iter().any(|f| f.format == BatchFormat::Asice)
        {
            return Err(ApiError::new(
                Code::InvalidInput,
                "ASiC-E signing above B-B checks the time-stamp and finds the signer's issuer and OCSP responder: Signet needs to know what to trust",
            )
            .recommend("Give --tsl with --tsl-signer, or --trust with the CA certificates."));
        }
        // A card or a PKCS#11 token shows its certificate without a PIN; a PKCS#12 file needs
        // its password, which is asked only after the review.
        let (token, signer) = match request.token {
            TokenSpec::P12 { .. } => (None, None),
            _ => {
                let mut token = open_signing_token(&request.token, &mut |_, _| {
                    Err(ApiError::new(
                        Code::Internal,
                        "no secret is asked before the review",
                    ))
                })?;
                let signer = signer_info(context, token.as_mut())?;
                (Some(token), Some(signer))
            }
        };
        let to_sign = files.iter().filter(|f| f.state == FileState::Sign).count();
        let plan = BatchPlan {
            out_dir: request.out_dir.display().to_string(),
            journal: journal_path.display().to_string(),
            level: request.level,
            token: request.token.to_string(),
            signer,
            count: files.len(),
            total_bytes,
            to_sign,
            files,
        };
        tracing::info!(
            files = plan.count,
            to_sign = plan.to_sign,
            bytes = plan.total_bytes,
            level = %plan.level,
            "batch planned"
        );
        Ok(Self {
            request,
            plan,
            token,
            retry_wrong_pin: false,
        })
    }

    /// A wrong PIN asks again (with the tries left) instead of stopping the batch: for a caller
    /// whose person answers each request (the window).
    #[must_use]
    pub fn with_pin_retries(mut self) -> Self {
        self.retry_wrong_pin = true;
        self
    }

    /// The plan to show before anything is signed.
    pub fn plan(&self) -> &BatchPlan {
        &self.plan
    }

    /// Signs the planned files in order, reporting each through `on_event` (not the plan: the
    /// caller shows it before calling this). `ask` is called for a card's PIN before each
    /// signature, and once for a PKCS#12 file's password. Returns the summary, also reported.
    pub fn run(
        self,
        context: &Context,
        fetch: &dyn Fetch,
        ask: &mut AskSecret<'_>,
        on_event: &mut dyn FnMut(&BatchEvent),
    ) -> BatchSummary {
        self.run_checked(context, fetch, ask, on_event, &|| Ok(()))
    }

    /// [`run`](Self::run), asking `check` before each file: an error from it (a cancel) stops
    /// the batch there, as a removed card does; what was signed is kept and in the journal.
    pub fn run_checked(
        mut self,
        context: &Context,
        fetch: &dyn Fetch,
        ask: &mut AskSecret<'_>,
        on_event: &mut dyn FnMut(&BatchEvent),
        check: &dyn Fn() -> Result<(), ApiError>,
    ) -> BatchSummary {
        let total = self.plan.files.len();
        let journal_path = self.request.out_dir.join(JOURNAL);
        let mut summary = BatchSummary {
            files: total,
            signed: 0,
            skipped: 0,
            failed: 0,
            left: 0,
            stopped: None,
            journal: journal_path.display().to_string(),
        };
        let mut index = 0;
        if let Err(err) = self.sign_all(
            context,
            fetch,
            ask,
            (on_event, check),
            &mut summary,
            &mut index,
        ) {
            summary.left = self.plan.files[index.min(total)..]
                .iter()
                .filter(|f| f.state == FileState::Sign)
                .count();
            let done = summary.signed + summary.skipped;
            tracing::warn!(code = %err.code, done, left = summary.left, "batch stopped");
            summary.stopped = Some(stopped_error(
                err,
                done,
                total,
                summary.left,
                &summary.journal,
            ));
        }
        on_event(&BatchEvent::Summary(summary.clone()));
        summary
    }

    fn sign_all(
        &mut self,
        context: &Context,
        fetch: &dyn Fetch,
        ask: &mut AskSecret<'_>,
        (on_event, check): Reporting<'_>,
        summary: &mut BatchSummary,
        index: &mut usize,
    ) -> Result<(), ApiError> {
        let total = self.plan.files.len();
        let pades_request = PadesSignRequest {
            files: Vec::new(),
            level: self.request.level,
            tsa: self.request.tsa.clone(),
            token: self.request.token.clone(),
            chain: self.request.chain.clone(),
            trust: self
                .request
                .trust
                .trust
                .iter()
                .map(|f| f.bytes.clone())
                .collect(),
            trusted_list: self.request.trust.list.clone(),
            visible: None,
            normalise: false,
            reason: None,
            location: None,
            contact: None,
            replace_existing: false,
            expected_sha256: Vec::new(),
        };
        // Opened at the first file to sign (a PKCS#12 password is asked then, once); a batch
        // whose files are all done or refused asks nothing.
        let mut session: Option<Session> = None;
        let mut journal: Option<std::fs::File> = None;
        let mut password: Option<Pin> = None;
        for i in 0..total {
            *index = i;
            check()?;
            let file = &self.plan.files[i];
            let n = i + 1;
            match file.state {
                FileState::Done => {
                    if let Some(sha) = &file.adopted {
                        let entry =
                            self.entry(context, file, Some(sha.clone()), Some(self.request.level));
                        append(journal_file(&mut journal, &self.request.out_dir)?, &entry)?;
                    }
                    summary.skipped += 1;
                    on_event(&BatchEvent::Skipped {
                        n,
                        of: total,
                        input: file.input.clone(),
                        output: file.output.clone(),
                        reason:
                            "signed by an earlier run of this batch (in the journal, output intact)"
                                .into(),
                    });
                    continue;
                }
                FileState::Refused => {
                    // Reported to the person by its event; info: not repeated on stderr.
                    tracing::info!(
                        n,
                        code = %file.error.as_ref().map_or(Code::Internal, |e| e.code),
                        "a file of the batch failed"
                    );
                    summary.failed += 1;
                    on_event(&BatchEvent::Failed {
                        n,
                        of: total,
                        input: file.input.clone(),
                        output: file.output.clone(),
                        reached: None,
                        error: file.error.clone().unwrap_or_else(|| {
                            ApiError::new(Code::Internal, "refused without a reason")
                        }),
                    });
                    continue;
                }
                FileState::Sign => {}
            }
            // The journal (locked: one batch per folder) before the token and any secret.
            journal_file(&mut journal, &self.request.out_dir)?;
            if session.is_none() {
                let mut opened = self.open_session(context, ask, &mut password, &pades_request)?;
                // A PKCS#12 file's signer, not in the plan (it needed the password): said now.
                if self.plan.signer.is_none()
                    && let Ok(signer) = signer_info(context, opened.token.as_mut())
                {
                    on_event(&BatchEvent::Signer(signer));
                }
                session = Some(opened);
            }
            let Some(session) = session.as_mut() else {
                continue;
            };
            let file = &self.plan.files[i];
            tracing::info!(n, of = total, format = ?file.format, "signing a file of the batch");
            // "About to sign": an output found later without its "signed" line is this one's.
            let started = self.entry(context, file, None, Some(self.request.level));
            append(journal_file(&mut journal, &self.request.out_dir)?, &started)?;
            let no_secret = std::cell::Cell::new(false);
            let mut ask_sign = |kind: PinKind, state: Option<signet_token::PinState>| {
                // A PIN blocked (by another program, or on an earlier file) stops the batch
                // before a PIN is asked for nothing.
                if state.is_some_and(|s| s.blocked()) {
                    return Err(ApiError::from(signet_token::TokenError::Card(
                        signet_token::CardTrouble::PinBlocked { kind },
                    )));
                }
                let asked = match &password {
                    Some(p) if kind == PinKind::Password => copy_pin(p),
                    _ => ask(kind, state),
                };
                // No PIN to be had (standard input ended, the terminal gone, cancelled): the
                // next files would fail the same way.
                if asked.is_err() {
                    no_secret.set(true);
                }
                asked
            };
            match self.sign_file(
                context,
                fetch,
                &mut ask_sign,
                session.token.as_mut(),
                session.pades.as_ref(),
                &pades_request,
                file,
            ) {
                Ok((output_sha256, warnings, reached)) => {
                    // The level said is the level the output validates at; the journal keeps
                    // it, so a file below the level asked is never "done" at that level.
                    let judged = reach::judge(&file.output_path, self.request.level, &reached);
                    let level = judged.as_ref().map_or_else(|(l, _)| *l, |l| Some(*l));
                    let entry = self.entry(context, file, Some(output_sha256.clone()), level);
                    append(journal_file(&mut journal, &self.request.out_dir)?, &entry)?;
                    match judged {
                        Ok(level) => {
                            summary.signed += 1;
                            on_event(&BatchEvent::Signed {
                                n,
                                of: total,
                                input: file.input.clone(),
                                output: file.output.clone(),
                                format: file.format,
                                level,
                                output_sha256,
                                warnings,
                            });
                        }
                        Err((reached, error)) => {
                            summary.failed += 1;
                            on_event(&BatchEvent::Failed {
                                n,
                                of: total,
                                input: file.input.clone(),
                                output: file.output.clone(),
                                reached,
                                error,
                            });
                        }
                    }
                }
                Err(err) if stops_the_batch(err.code) || no_secret.get() => return Err(err),
                Err(error) => {
                    tracing::info!(n, code = %error.code, "a file of the batch failed");
                    summary.failed += 1;
                    on_event(&BatchEvent::Failed {
                        n,
                        of: total,
                        input: file.input.clone(),
                        output: file.output.clone(),
                        reached: None,
                        error,
                    });
                }
            }
        }
        *index = total;
        Ok(())
    }

    /// The token, opened once for the batch, and the PAdES signer set up on it.
    fn open_session(
        &mut self,
        context: &Context,
        ask: &mut AskSecret<'_>,
        password: &mut Option<Pin>,
        pades_request: &PadesSignRequest,
    ) -> Result<Session, ApiError> {
        let mut token = match self.token.take() {
            Some(token) => token,
            None => {
                let mut remember = |kind: PinKind, state| -> Result<Pin, ApiError> {
                    let pin = ask(kind, state)?;
                    if kind == PinKind::Password {
                        *password = Some(copy_pin(&pin)?);
                    }
                    Ok(pin)
                };
                open_signing_token(&self.request.token, &mut remember)?
            }
        };
        let pades = if self
            .plan
            .files
            .iter()
            .any(|f| f.state == FileState::Sign && f.format == BatchFormat::Pades)
        {
            Some(PadesSigner::new(context, pades_request, token.as_mut())?)
        } else {
            None
        };
        Ok(Session { token, pades })
    }

    /// The journal line for `file`: "started" without `output_sha256`, "signed" with it and
    /// the level its output reached.
    fn entry(
        &self,
        context: &Context,
        file: &PlannedFile,
        output_sha256: Option<String>,
        level: Option<BaselineLevel>,
    ) -> JournalEntry {
        JournalEntry {
            input: file.input.clone(),
            input_sha256: file.input_sha256.clone(),
            output: file
                .output_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            output_sha256,
            format: file.format,
            level,
            signed_at: signet_pki::time::Utc(context.clock().now()).to_string(),
        }
    }

    /// Signs one file; returns its output's SHA-256, the warnings and the level the output
    /// validates at.
    #[allow(
        clippy::too_many_arguments,
        reason = "the batch's parts, passed down once"
    )]
    fn sign_file(
        &self,
        context: &Context,
        fetch: &dyn Fetch,
        ask: &mut AskSecret<'_>,
        token: &mut (dyn SigningToken + Send),
        pades_signer: Option<&PadesSigner>,
        pades_request: &PadesSignRequest,
        file: &PlannedFile,
    ) -> Result<(String, Vec<String>, crate::reached::Reached), ApiError> {
        if file.output_path.exists() {
            return Err(ApiError::new(
                Code::InvalidInput,
                format!(
                    "{} appeared after the review: Signet does not overwrite it",
                    file.output
                ),
            )
            .recommend("Move it away, or choose another --out-dir, and run the command again."));
        }
        // The input must be what the review showed (its SHA-256 in the plan): a PDF is read
        // again, checked and signed from memory; a file for a container is checked as it is
        // streamed into it. Either way the output is written only while the input on disk is
        // still what was read (nothing is written otherwise, and the input is to blame).
        let mut hooks = crate::signing::Hooks::none();
        hooks.retry_wrong_pin = self.retry_wrong_pin;
        let placed = match (file.format, pades_signer) {
            (BatchFormat::Pades, Some(signer)) => {
                let bytes = std::fs::read(&file.input_path).map_err(|e| {
                    ApiError::new(
                        Code::InvalidInput,
                        format!("{} cannot be read: {e}", file.input),
                    )
                    .recommend("Check the file, then run the same command again.")
                })?;
                if hex(&Sha256::digest(&bytes)) != file.input_sha256 {
                    return Err(ApiError::input_changed(&file.input_path).recommend(
                        "Run the same command again to review and sign it as it is now.",
                    ));
                }
                let (bytes, normalised) =
                    crate::pades::check_input(&file.input_path, bytes, false)?;
                signer
                    .sign_one(
                        context,
                        pades_request,
                        token,
                        ask,
                        fetch,
                        (&hooks, 0),
                        PdfInput {
                            seen: &file.seen,
                            output: &file.output_path,
                            bytes: &bytes,
                            normalised: normalised.as_deref(),
                        },
                    )
                    .map(|signed| {
                        let reached = reach::of_pdf(context, &file.output_path, signer);
                        (signed.warnings, reached)
                    })
            }
            (BatchFormat::Pades, None) => {
                return Err(ApiError::new(Code::Internal, "PAdES signer not set up"));
            }
            (BatchFormat::Asice, _) => {
                let request = AsiceSignRequest {
                    files: vec![file.input_path.clone()],
                    out: file.output_path.clone(),
                    add_to: None,
                    level: self.request.level,
                    tsa: self.request.tsa.clone(),
                    trust: self.request.trust.clone(),
                    chain: self.request.chain.clone(),
                    replace_existing: false,
                    seen: vec![file.seen.clone()],
                    expected_sha256: vec![unhex(&file.input_sha256)],
                };
                // Asked with the card's count by the signing step itself, and again after a
                // wrong PIN when the caller answers each request (the window).
                crate::asice::asice_sign_hooked(context, fetch, &request, token, ask, &hooks).map(
                    |report| {
                        let reached = reach::of_container(
                            context,
                            &file.output_path,
                            &self.request.trust,
                            &report.signature,
                        );
                        (Vec::new(), reached)
                    },
                )
            }
        };
        let (warnings, reached) = placed.map_err(|e| match e.code {
            Code::InputChanged => {
                e.recommend("Run the same command again to review and sign it as it is now.")
            }
            _ if e == ApiError::output_exists(&file.output_path) => {
                e.recommend("Move it away, or choose another --out-dir, and run the command again.")
            }
            _ => e,
        })?;
        let sha = sha256_of_file(&file.output_path).map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("{} cannot be read back: {e}", file.output),
            )
        })?;
        Ok((sha, warnings, reached))
    }
}

/// The bytes of a hexadecimal digest (`None` when it is not one).
fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
