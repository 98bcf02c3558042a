//! The batch as a job, for the window: one plan the person reviews, then the run with a PIN
//! request per signature saying "7 of 300", a cancel between files, and — when the card is pulled
//! out — a pause until it is back, after which the batch goes on from its journal without signing
//! anything twice or asking again for what was done.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use signet_core::{BaselineLevel, Code, Fetch};
use signet_token::{Pin, PinKind, PinState};

use crate::batch::{Batch, BatchEvent, BatchFormat, BatchPlan, BatchRequest, BatchSummary};
use crate::job::{DocumentFacts, JobControl, JobEvent, Phase, Position, SigningAsk};
use crate::signing::{Overrides, Settings, TrustPaths};
use crate::token::TokenSpec;
use crate::{ApiError, Context};

/// The folder a batch writes into when the person chooses none: `signed` beside the first file.
pub fn default_out_dir(files: &[PathBuf]) -> Option<PathBuf> {
    Some(files.first()?.parent()?.join("signed"))
}

/// What the caller (the window, `signet batch`) asks for; what it leaves out comes from the
/// profile, the person's settings and the defaults, as for `sign` ([`request`]).
#[derive(Debug, Clone, Default)]
pub struct BatchChoice {
    /// The files, in order ([`plan`] and [`run`] take a folder for the files in it).
    pub files: Vec<PathBuf>,
    /// The output folder (the person's folder for signed files, else [`default_out_dir`], when
    /// none).
    pub out_dir: Option<PathBuf>,
    /// Force a format; PAdES for PDFs and a container for anything else by default.
    pub format: Option<BatchFormat>,
    /// The level (the settings' by default).
    pub level: Option<BaselineLevel>,
    /// The signing device (the settings' by default).
    pub token: Option<TokenSpec>,
    /// The time-stamping authority's address (the settings' by default).
    pub tsa: Option<String>,
    /// What signing trusts instead of the profile's.
    pub trust: Option<TrustPaths>,
    /// Certificates completing the signer's chain (intermediate CAs), DER or PEM files.
    pub chain: Vec<PathBuf>,
    /// Each file the person reviewed (path, SHA-256 hex); empty: not checked. A file changed or
    /// added since the review stops the batch before anything is signed.
    pub reviewed: Vec<(String, String)>,
}

/// The files of `paths`: a folder stands for the files directly in it (not hidden ones, not
/// Signet's own journal and report), sorted by name.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ApiError> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| crate::input::unreadable(path, &e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.') && n != REPORT)
            })
            .collect();
        inside.sort();
        files.extend(inside);
    }
    Ok(files)
}

/// The per-file report written into the output folder at the end of every run.
pub const REPORT: &str = "signet-batch-report.csv";

fn csv_field(text: &str) -> String {
    // Quoted, with quotes doubled; a leading formula character is neutralised for spreadsheets.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The report of a batch as CSV: one line per file, with what happened to it.
fn report_csv(plan: &BatchPlan, events: &[BatchEvent]) -> String {
    let mut out = String::from("n,input,output,sha256,status,detail\n");
    for (i, file) in plan.files.iter().enumerate() {
        let n = i + 1;
        // Signed in any run of this job wins over "done earlier" (a run after a pause skips it).
        let signed = events.iter().find_map(|e| match e {
            BatchEvent::Signed { n: m, level, .. } if *m == n => {
                Some(("signed", level.to_string()))
            }
            _ => None,
        });
        let (status, detail) = signed
            .or_else(|| {
                events.iter().rev().find_map(|e| match e {
                    BatchEvent::Skipped { n: m, reason, .. } if *m == n => {
                        Some(("done earlier", reason.clone()))
                    }
                    BatchEvent::Failed { n: m, error, .. } if *m == n => {
                        Some(("failed", error.message.clone()))
                    }
                    _ => None,
                })
            })
            .unwrap_or(match &file.error {
                Some(err) => ("refused", err.message.clone()),
                None => ("not signed", String::new()),
            });
        out.push_str(&format!(
            "{n},{},{},{},{},{}\n",
            csv_field(&file.input),
            csv_field(&file.output),
            file.input_sha256,
            status,
            csv_field(&detail)
        ));
    }
    out
}

/// `choice` with each folder replaced by the files in it ([`expand`]): the window's batch.
fn folders_expanded(choice: &BatchChoice) -> Result<BatchChoice, ApiError> {
    Ok(BatchChoice {
        files: expand(&choice.files)?,
        ..choice.clone()
    })
}

/// The batch `choice` asks for (its files as given), with its settings by the one precedence
/// of `sign` ([`Settings::resolve_with`]): what the choice gives, then the profile, then the
/// person's settings, then the defaults.
pub fn request(context: &Context, choice: &BatchChoice) -> Result<BatchRequest, ApiError> {
    let settings = Settings::resolve_with(
        context,
        &Overrides {
            level: choice.level,
            token: choice.token.clone(),
            tsa: choice.tsa.clone(),
            trust: choice.trust.clone(),
        },
    )?;
    let chain = choice
        .chain
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| crate::input::unreadable(p, &e)))
        .collect::<Result<Vec<_>, _>>()?;
    let files = choice.files.clone();
    // The folder chosen, else the person's folder for signed files, else `signed` beside them.
    let person = crate::settings::load(context);
    let out_dir = match (&choice.out_dir, person.output_folder()) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => dir.to_path_buf(),
        (None, None) => default_out_dir(&files).ok_or_else(|| {
            ApiError::new(Code::InvalidInput, "no files to sign").recommend("Choose files.")
        })?,
    };
    Ok(BatchRequest {
        files,
        out_dir,
        format: choice.format,
        level: settings.level,
        tsa: settings.tsa,
        token: settings.token,
        chain,
        trust: settings.trust,
    })
}

/// The plan to review: every file with its size, SHA-256 and output, what is done already (a
/// journal of an earlier run) and what cannot be signed. Nothing is written, no PIN is asked.
pub fn plan(context: &Context, choice: &BatchChoice) -> Result<BatchPlan, ApiError> {
    let choice = folders_expanded(choice)?;
    Ok(Batch::prepare(context, request(context, &choice)?)?
        .plan()
        .clone())
}

/// `Ok` when the plan holds exactly the files reviewed, each with the reviewed content.
fn check_reviewed(plan: &BatchPlan, reviewed: &[(String, String)]) -> Result<(), ApiError> {
    if reviewed.is_empty() {
        return Ok(());
    }
    for file in &plan.files {
        match reviewed.iter().find(|(path, _)| *path == file.input) {
            Some((_, sha)) if sha.eq_ignore_ascii_case(&file.input_sha256) => {}
            Some(_) => return Err(ApiError::input_changed(Path::new(&file.input))),
            None => {
                return Err(ApiError::new(
                    Code::InvalidInput,
                    format!("{} was not in the list you reviewed", file.input),
                )
                .recommend("Review the batch again: a file was added since."));
            }
        }
    }
    if plan.files.len() != reviewed.len() {
        return Err(ApiError::new(
            Code::InvalidInput,
            "a file you reviewed is no longer in the batch",
        )
        .recommend("Review the batch again."));
    }
    Ok(())
}

/// How a desktop batch ended.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutcome {
    /// The summary of the last run (the counts of the whole batch, journal included).
    pub summary: BatchSummary,
    /// How many times the batch waited for the card and went on.
    pub resumed: u32,
    /// The per-file report (CSV) in the output folder.
    pub report: Option<String>,
}

fn is_card_gone(err: &ApiError) -> bool {
    matches!(err.code, Code::CardRemoved | Code::CardUnavailable)
}

/// Waits until a card answers (or the job is cancelled).
fn wait_for_card(job: &JobControl) -> Result<(), ApiError> {
    loop {
        job.check()?;
        if crate::card::card_status().is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn document(path: &Path, size: u64, sha256: &str) -> DocumentFacts {
    DocumentFacts {
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        path: path.display().to_string(),
        size,
        sha256: sha256.to_owned(),
    }
}

/// Runs the batch as a job. Every event of the batch is reported as [`JobEvent::Batch`]; a card
/// pulled out (with `wait_for_card`) reports [`JobEvent::WaitingForCard`] and the batch goes on
/// once a card is back, from its journal.
pub fn run(
    context: &Context,
    choice: &BatchChoice,
    fetch: &dyn Fetch,
    job: &JobControl,
    wait_for_card_back: bool,
) -> Result<BatchOutcome, ApiError> {
    let choice = &folders_expanded(choice)?;
    let request = request(context, choice)?;
    let mut resumed = 0;
    let events = std::sync::Mutex::new(Vec::new());
    loop {
        job.check()?;
        let batch = Batch::prepare(context, request.clone())?.with_pin_retries();
        let plan = batch.plan().clone();
        check_reviewed(&plan, &choice.reviewed)?;
        let total = plan.files.len();
        let signer = plan
            .signer
            .as_ref()
            .map(|s| crate::people::display_name(&s.subject));
        // The file the next PIN is for, and the file the last PIN was asked for: asked again for
        // the same file, it is a retry after a wrong PIN.
        let ask_state = std::sync::Mutex::new((0usize, None::<usize>));
        let lock = || {
            ask_state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let documents: Vec<DocumentFacts> = plan
            .files
            .iter()
            .map(|f| document(Path::new(&f.input), f.size, &f.input_sha256))
            .collect();
        let mut ask = |kind: PinKind, state: Option<PinState>| -> Result<Pin, ApiError> {
            let (index, retry) = {
                let mut guard = lock();
                let index = guard.0;
                let retry = kind != PinKind::Password && guard.1 == Some(index);
                guard.1 = Some(index);
                (index, retry)
            };
            let mut request = SigningAsk {
                signer: signer.clone(),
                documents: documents.clone(),
                per_file: true,
                consent_change: None,
            }
            .request(kind, state, index, retry);
            if kind == PinKind::Password {
                request.position = None;
            }
            job.phase(
                Phase::WaitingForPin,
                documents.get(index).map(|d| d.name.as_str()),
                Some(Position {
                    n: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    of: u32::try_from(total).unwrap_or(u32::MAX),
                }),
            );
            job.ask(request)
        };
        let mut on_event = |event: &BatchEvent| {
            events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(event.clone());
            if let BatchEvent::Signed { n, .. }
            | BatchEvent::Skipped { n, .. }
            | BatchEvent::Failed { n, .. } = event
            {
                // The next PIN is for the file after this one.
                lock().0 = *n;
            }
            job.emit(JobEvent::Batch(Box::new(event.clone())));
        };
        let summary = batch.run_checked(context, fetch, &mut ask, &mut on_event, &|| job.check());
        match &summary.stopped {
            Some(err) if wait_for_card_back && is_card_gone(err) && !job.is_cancelled() => {
                tracing::info!(left = summary.left, "batch paused: waiting for the card");
                job.emit(JobEvent::WaitingForCard);
                wait_for_card(job)?;
                resumed += 1;
                tracing::info!("card back: the batch goes on from its journal");
            }
            _ => {
                let events = events
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let path = request.out_dir.join(REPORT);
                let csv = report_csv(&plan, &events);
                let report = match crate::output::write_atomically(
                    &path,
                    crate::output::Placement::Replace,
                    |f| std::io::Write::write_all(f, csv.as_bytes()),
                ) {
                    Ok(()) => Some(path.display().to_string()),
                    Err(err) => {
                        tracing::warn!(code = %err.code, "the batch report could not be written");
                        None
                    }
                };
                return Ok(BatchOutcome {
                    summary,
                    resumed,
                    report,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::FileState;

    fn profile(dir: &Path) -> crate::Profile {
        crate::Profile {
            name: "test".into(),
            dir: dir.to_owned(),
            tsa_url: Some("http://127.0.0.1:9/tsa".into()),
            trust: Vec::new(),
            trusted_list: None,
            trusted_list_signers: Vec::new(),
            data_dir: dir.join("data"),
            identity: None,
            token: Some(format!("p12:{}", dir.join("identity.p12").display())),
        }
    }

    #[test]
    fn a_batch_takes_its_settings_by_the_precedence_of_sign() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path().join("plain")).with_profile(profile(dir.path()));
        crate::settings::save(
            &context,
            crate::settings::PersonSettings {
                tsa_url: Some("https://person.example/tsa".into()),
                level: Some(BaselineLevel::B_T),
                token: Some("pcsc".into()),
                ..crate::settings::PersonSettings::default()
            },
        )
        .unwrap();
        let choice = BatchChoice {
            files: vec![dir.path().join("a.pdf")],
            out_dir: Some(dir.path().join("out")),
            ..BatchChoice::default()
        };
        // Nothing given: the profile's TSA and token, the person's level.
        let from_settings = request(&context, &choice).unwrap();
        assert_eq!(from_settings.tsa.as_deref(), Some("http://127.0.0.1:9/tsa"));
        assert_eq!(
            from_settings.token.to_string(),
            format!("p12:{}", dir.path().join("identity.p12").display())
        );
        assert_eq!(from_settings.level, BaselineLevel::B_T);
        // What the choice gives wins.
        let given = request(
            &context,
            &BatchChoice {
                level: Some(BaselineLevel::B_B),
                tsa: Some("http://given.example/tsa".into()),
                token: Some("pcsc".parse().unwrap()),
                ..choice.clone()
            },
        )
        .unwrap();
        assert_eq!(given.level, BaselineLevel::B_B);
        assert_eq!(given.tsa.as_deref(), Some("http://given.example/tsa"));
        assert_eq!(given.token.to_string(), "pcsc");

        // No folder chosen: `signed` beside the files, or the person's folder for signed files.
        let unnamed = BatchChoice {
            out_dir: None,
            ..BatchChoice::default()
        };
        let files = BatchChoice {
            files: vec![dir.path().join("a.pdf")],
            ..unnamed
        };
        assert_eq!(
            request(&context, &files).unwrap().out_dir,
            dir.path().join("signed")
        );
        let mine = dir.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        crate::settings::save(
            &context,
            crate::settings::PersonSettings {
                output_dir: Some(mine.display().to_string()),
                ..crate::settings::PersonSettings::default()
            },
        )
        .unwrap();
        assert_eq!(request(&context, &files).unwrap().out_dir, mine);
        assert_eq!(
            request(&context, &choice).unwrap().out_dir,
            dir.path().join("out")
        );
    }

    #[test]
    fn a_batch_names_its_outputs_as_sign_does() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(dir.path().join("data"));
        let pdf = dir.path().join("deed.pdf");
        std::fs::write(&pdf, signet_testkit::pdf::one_page_pdf("deed")).unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "notes").unwrap();
        let twin = dir.path().join("notes.csv");
        std::fs::write(&twin, "a,b").unwrap();
        let out = dir.path().join("out");
        let plan = plan(
            &context,
            &BatchChoice {
                files: vec![pdf.clone(), notes.clone(), twin],
                out_dir: Some(out.clone()),
                level: Some(BaselineLevel::B_B),
                token: Some(
                    format!("p12:{}", dir.path().join("none.p12").display())
                        .parse()
                        .unwrap(),
                ),
                ..BatchChoice::default()
            },
        )
        .unwrap();
        let outputs: Vec<&str> = plan.files.iter().map(|f| f.output.as_str()).collect();
        let sign_names = [
            crate::signing::pades_output(&pdf, Some(&out)),
            crate::signing::asice_output(std::slice::from_ref(&notes), Some(&out)).unwrap(),
        ];
        assert_eq!(
            outputs[0],
            out.join("deed.signed.pdf").display().to_string()
        );
        assert_eq!(outputs[1], out.join("notes.asice").display().to_string());
        assert_eq!(
            outputs[..2],
            sign_names
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        );
        assert_eq!(plan.files[0].state, FileState::Sign);
        assert_eq!(plan.files[1].state, FileState::Sign);
        // `notes.csv` would be `notes.asice` too: refused in the plan, the others signed.
        assert_eq!(plan.files[2].state, FileState::Refused);
        let why = &plan.files[2].error.as_ref().unwrap().message;
        assert!(
            why.contains("the output of") && why.contains("notes.txt"),
            "{why}"
        );
        assert_eq!(plan.to_sign, 2);
    }
}
