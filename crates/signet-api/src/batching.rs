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
use crate::signing::Settings;
use crate::{ApiError, Context};

/// The folder a batch writes into when the person chooses none: `signed` beside the first file.
pub fn default_out_dir(files: &[PathBuf]) -> Option<PathBuf> {
    Some(files.first()?.parent()?.join("signed"))
}

/// What the window asks for.
#[derive(Debug, Clone)]
pub struct BatchChoice {
    /// The files, in order.
    pub files: Vec<PathBuf>,
    /// The output folder ([`default_out_dir`] when none).
    pub out_dir: Option<PathBuf>,
    /// Force a format; PAdES for PDFs and a container for anything else by default.
    pub format: Option<BatchFormat>,
    /// The level (the settings' by default).
    pub level: Option<BaselineLevel>,
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

fn request(context: &Context, choice: &BatchChoice) -> Result<BatchRequest, ApiError> {
    let settings = Settings::resolve(context, choice.level, None)?;
    let files = expand(&choice.files)?;
    let out_dir = match &choice.out_dir {
        Some(dir) => dir.clone(),
        None => default_out_dir(&files).ok_or_else(|| {
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
        chain: Vec::new(),
        trust: settings.trust,
    })
}

/// The plan to review: every file with its size, SHA-256 and output, what is done already (a
/// journal of an earlier run) and what cannot be signed. Nothing is written, no PIN is asked.
pub fn plan(context: &Context, choice: &BatchChoice) -> Result<BatchPlan, ApiError> {
    Ok(Batch::prepare(context, request(context, choice)?)?
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
