//! The commands the webview may call (each also listed in build.rs and granted in the capability
//! file). A command is a few lines: take the state, call `signet-api`, return its result. Long
//! operations run as signet-api jobs on a blocking thread; their events go to the window through
//! a channel, and the window answers PIN requests and cancels by the job's id.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;
use signet_api::batch::{BatchFormat, BatchPlan};
use signet_api::batching::{BatchChoice, BatchOutcome};
use signet_api::cases_screen::{CasesView, FiledCaseView};
use signet_api::consent_screen::{ConsentsView, ReceiptView};
use signet_api::dashboard::{AccessEntryView, AccessLogView, AccessProblem, DashboardView};
use signet_api::job::{self, JobEvent, JobHandle, SecretKind};
use signet_api::json::{AppInfo, CardCertificate, CardStatus, PinChange};
use signet_api::settings::PersonSettings;
use signet_api::signing::{SignFilesRequest, SignFormat, SignOutcome, SignProposal};
use signet_api::verification::VerifiedFiles;
use signet_api::{ApiError, Context};
use signet_core::{BaselineLevel, Code};
use tauri::ipc::Channel;
use zeroize::Zeroizing;

/// The jobs running now, by the id the window gave them.
#[derive(Default)]
pub(crate) struct Jobs(Mutex<HashMap<u32, JobHandle>>);

impl Jobs {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<u32, JobHandle>) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Files Signet was opened with (the command line at start; later launches send theirs as the
/// `files-opened` event), waiting for the window to take them.
#[derive(Default)]
pub(crate) struct Opened(pub(crate) Mutex<Vec<String>>);

/// What this build is: version, build profile, optional back ends, log folder.
#[tauri::command]
pub(crate) fn app_info(context: tauri::State<'_, Context>) -> Result<AppInfo, ApiError> {
    Ok(signet_api::app_info(&context))
}

/// Runs `work` on a blocking thread (card, disk and network work never holds the UI's thread).
/// Its error is the window's: a recommendation names no command-line flag.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::new(
                Code::Internal,
                format!("an operation stopped unexpectedly: {e}"),
            ))
        })
        .map_err(ApiError::for_window)
}

/// The files and folders the person chose in this run of the app — through Signet's own file
/// chooser (run from Rust), by opening them with Signet, or as Signet's own outputs — and only
/// these: every command that takes a path checks it here, so a compromised page cannot name
/// another file.
#[derive(Default)]
pub(crate) struct Chosen(Mutex<std::collections::HashSet<PathBuf>>);

impl Chosen {
    /// Adds what the person chose (or Signet wrote).
    pub(crate) fn add(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(paths);
    }

    /// `Ok` when `path` was chosen, or lies in a chosen folder. A path that climbs out with
    /// `..` (or holds `.`) is refused: `<chosen folder>/../secret` has a chosen ancestor.
    pub(crate) fn check(&self, path: &std::path::Path) -> Result<(), ApiError> {
        use std::path::Component;
        let plain = path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        let set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if plain && path.is_absolute() && path.ancestors().any(|p| set.contains(p)) {
            Ok(())
        } else {
            tracing::warn!("the window named a file the person did not choose");
            Err(ApiError::new(
                Code::InvalidInput,
                "Signet works only on files you chose in this window",
            )
            .recommend("Choose the file again with “Choose files…”, or open it with Signet."))
        }
    }

    fn check_all(&self, paths: &[String]) -> Result<(), ApiError> {
        paths
            .iter()
            .try_for_each(|p| self.check(std::path::Path::new(p)))
    }
}

/// Signet's file chooser, run from Rust: what the person picks becomes chosen.
#[tauri::command]
pub(crate) async fn pick_files(
    app: tauri::AppHandle,
    chosen: tauri::State<'_, Chosen>,
) -> Result<Vec<String>, ApiError> {
    use tauri_plugin_dialog::DialogExt as _;
    let paths: Vec<PathBuf> = match crate::reports::test_pick_file() {
        Some(file) => vec![file],
        None => blocking(move || Ok(app.dialog().file().blocking_pick_files()))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter_map(|f| f.into_path().ok())
            .collect(),
    };
    chosen.add(paths.iter().cloned());
    Ok(paths.iter().map(|p| p.display().to_string()).collect())
}

/// Signet's folder chooser, run from Rust: the folder picked becomes chosen.
#[tauri::command]
pub(crate) async fn pick_folder(
    app: tauri::AppHandle,
    chosen: tauri::State<'_, Chosen>,
) -> Result<Option<String>, ApiError> {
    use tauri_plugin_dialog::DialogExt as _;
    let path = match crate::reports::test_pick() {
        Some(folder) => Some(folder),
        None => blocking(move || Ok(app.dialog().file().blocking_pick_folder()))
            .await?
            .and_then(|f| f.into_path().ok()),
    };
    if let Some(p) = &path {
        chosen.add([p.clone()]);
    }
    Ok(path.map(|p| p.display().to_string()))
}

/// The largest PDF the preview reads.
const PREVIEW_MAX: u64 = 200 * 1024 * 1024;

/// The bytes of a PDF the person chose, for the page preview; any other file is refused.
#[tauri::command]
pub(crate) async fn pdf_for_preview(
    chosen: tauri::State<'_, Chosen>,
    path: String,
) -> Result<tauri::ipc::Response, ApiError> {
    let path = PathBuf::from(path);
    chosen.check(&path)?;
    blocking(move || {
        if signet_api::input::file_kind(&path)? != signet_api::input::FileKind::Pdf {
            return Err(signet_api::input::not_a_pdf(&path));
        }
        let size = std::fs::metadata(&path)
            .map_err(|e| signet_api::input::unreadable(&path, &e))?
            .len();
        if size > PREVIEW_MAX {
            return Err(ApiError::new(
                Code::InvalidInput,
                "the PDF is too large for the page preview",
            )
            .recommend("Place the signature by page and position without the preview."));
        }
        std::fs::read(&path)
            .map(tauri::ipc::Response::new)
            .map_err(|e| signet_api::input::unreadable(&path, &e))
    })
    .await
}

/// Saves the version of a verified PDF that a signature covers, beside it; resolves with its
/// path. Only for files the person chose in this run.
#[tauri::command]
pub(crate) async fn save_signed_version(
    chosen: tauri::State<'_, Chosen>,
    path: String,
    length: u64,
) -> Result<String, ApiError> {
    let path = PathBuf::from(path);
    chosen.check(&path)?;
    blocking(move || {
        signet_api::verification::save_signed_version(&path, length)
            .map(|p| p.display().to_string())
    })
    .await
}

/// The proposal for `files`: format and why, outputs (and which exist), level, token.
#[tauri::command]
pub(crate) async fn propose_signing(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    files: Vec<String>,
    format: Option<SignFormat>,
) -> Result<SignProposal, ApiError> {
    chosen.check_all(&files)?;
    let context = context.inner().clone();
    blocking(move || {
        let files: Vec<PathBuf> = files.into_iter().map(PathBuf::from).collect();
        signet_api::signing::propose(&context, &files, format, None)
    })
    .await
}

/// A visible signature as the window places it: page (1-based) and a box in PDF points.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Placement {
    page: usize,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// What the person chose on the signing screen.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignChoice {
    files: Vec<String>,
    format: Option<SignFormat>,
    level: Option<BaselineLevel>,
    visible: Option<Placement>,
    reason: Option<String>,
    location: Option<String>,
    replace_existing: bool,
    /// The SHA-256 of each file as the person reviewed it.
    reviewed_sha256: Vec<String>,
    /// The outputs the person agreed to replace.
    replace: Vec<String>,
}

fn events(channel: Channel<JobEvent>) -> impl Fn(JobEvent) + Send + Sync + 'static {
    move |event| {
        if let Err(err) = channel.send(event.for_window()) {
            tracing::warn!(error = %err, "the window did not take a job event");
        }
    }
}

/// Runs `work` as the job `id`, reachable by `answer_pin` and `cancel_job` while it runs.
pub(crate) async fn run_job<T: Send + 'static>(
    jobs: Arc<Jobs>,
    id: u32,
    channel: Channel<JobEvent>,
    work: impl FnOnce(&job::JobControl) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (handle, control) = job::channel(events(channel));
    let handle_for_removal = handle.clone();
    if jobs.with(|all| all.insert(id, handle).is_some()) {
        tracing::warn!(
            id,
            "a job id was used twice; the older job can no longer be answered"
        );
    }
    let done = Arc::clone(&jobs);
    let result = blocking(move || work(&control)).await;
    // Only this job's handle: a later job that reused the id keeps its own.
    done.with(|all| {
        if all
            .get(&id)
            .is_some_and(|h| h.same_job(&handle_for_removal))
        {
            all.remove(&id);
        }
    });
    result
}

/// Signs as the person chose, reporting the steps and PIN requests on `on_event`.
#[tauri::command]
pub(crate) async fn sign_files(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    chosen: tauri::State<'_, Chosen>,
    job_id: u32,
    choice: SignChoice,
    on_event: Channel<JobEvent>,
) -> Result<SignOutcome, ApiError> {
    chosen.check_all(&choice.files)?;
    let context = context.inner().clone();
    let request = SignFilesRequest {
        files: choice.files.iter().map(PathBuf::from).collect(),
        format: choice.format,
        level: choice.level,
        token: None,
        output_dir: None,
        visible: choice.visible.map(|v| signet_api::pades::VisiblePlace {
            page: v.page,
            x: v.x,
            y: v.y,
            width: v.width,
            height: v.height,
        }),
        reason: choice.reason.filter(|r| !r.trim().is_empty()),
        location: choice.location.filter(|l| !l.trim().is_empty()),
        replace_existing: choice.replace_existing,
        reviewed_sha256: choice.reviewed_sha256,
        agreed_replacements: Some(choice.replace.iter().map(PathBuf::from).collect()),
        ..SignFilesRequest::default()
    };
    let outcome = run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        let fetch = signet_api::http::HttpFetch::default();
        signet_api::signing::sign(&context, &request, &fetch, control)
    })
    .await?;
    // Signet's own outputs may be verified and shown in their folder.
    chosen.add(outcome.outputs.iter().map(|o| PathBuf::from(&o.output)));
    Ok(outcome)
}

/// Verifies every file, reporting each step on `on_event`; the result is kept (by `job_id`)
/// for saving its report.
#[tauri::command]
pub(crate) async fn verify_files(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    chosen: tauri::State<'_, Chosen>,
    verified: tauri::State<'_, crate::reports::Verified>,
    job_id: u32,
    files: Vec<String>,
    on_event: Channel<JobEvent>,
) -> Result<VerifiedFiles, ApiError> {
    chosen.check_all(&files)?;
    let context = context.inner().clone();
    let files: Vec<PathBuf> = files.into_iter().map(PathBuf::from).collect();
    let report = run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        let fetch = signet_api::http::HttpFetch::default();
        signet_api::verification::verify(&context, &files, &fetch, control)
    })
    .await?;
    verified.keep(job_id, report.clone());
    Ok(report)
}

/// What the person chose for a batch.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BatchParams {
    files: Vec<String>,
    out_dir: Option<String>,
    format: Option<BatchFormat>,
    level: Option<BaselineLevel>,
    /// Each file as the person reviewed it: (path, SHA-256).
    #[serde(default)]
    reviewed: Vec<(String, String)>,
}

impl BatchParams {
    /// The choice, once every file and the output folder are ones the person chose.
    fn choice(self, chosen: &Chosen) -> Result<BatchChoice, ApiError> {
        chosen.check_all(&self.files)?;
        if let Some(out) = &self.out_dir {
            chosen.check(std::path::Path::new(out))?;
        }
        Ok(BatchChoice {
            files: self.files.into_iter().map(PathBuf::from).collect(),
            out_dir: self.out_dir.map(PathBuf::from),
            format: self.format,
            level: self.level,
            reviewed: self.reviewed,
            ..BatchChoice::default()
        })
    }
}

/// The plan of a batch, to review before any PIN: files, sizes, SHA-256, outputs, what is done.
#[tauri::command]
pub(crate) async fn plan_batch(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    params: BatchParams,
) -> Result<BatchPlan, ApiError> {
    let context = context.inner().clone();
    let choice = params.choice(&chosen)?;
    let plan = blocking(move || signet_api::batching::plan(&context, &choice)).await?;
    // The output folder Signet derived from what was chosen.
    chosen.add([PathBuf::from(&plan.out_dir)]);
    Ok(plan)
}

/// Runs a batch: a PIN request per signature, a pause while the card is out, the journal.
#[tauri::command]
pub(crate) async fn run_batch(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    chosen: tauri::State<'_, Chosen>,
    job_id: u32,
    params: BatchParams,
    on_event: Channel<JobEvent>,
) -> Result<BatchOutcome, ApiError> {
    let context = context.inner().clone();
    let choice = params.choice(&chosen)?;
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        let fetch = signet_api::http::HttpFetch::default();
        signet_api::batching::run(&context, &choice, &fetch, control, true)
    })
    .await
}

/// What every agency holds about the person (one PIN1 for the logins needed).
#[tauri::command]
pub(crate) async fn load_dashboard(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    on_event: Channel<JobEvent>,
) -> Result<DashboardView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::dashboard::dashboard(&context, control)
    })
    .await
}

/// What the vault kept from earlier visits (shown at start, with its time), without asking any
/// agency.
#[tauri::command]
pub(crate) async fn cached_dashboard(
    context: tauri::State<'_, Context>,
) -> Result<Option<DashboardView>, ApiError> {
    let context = context.inner().clone();
    blocking(move || signet_api::dashboard::cached(&context)).await
}

/// Every use of the person's data across agencies, verified.
#[tauri::command]
pub(crate) async fn load_access_log(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    on_event: Channel<JobEvent>,
) -> Result<AccessLogView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::dashboard::access_log(&context, control)
    })
    .await
}

/// Every agency's consents for the person.
#[tauri::command]
pub(crate) async fn load_consents(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    on_event: Channel<JobEvent>,
) -> Result<ConsentsView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::consent_screen::consents(&context, control)
    })
    .await
}

/// Switches a consent off (withdraws it) or on again; resolves with the verified receipt.
#[tauri::command]
pub(crate) async fn switch_consent(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    node: String,
    id: String,
    on: bool,
    on_event: Channel<JobEvent>,
) -> Result<ReceiptView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::consent_screen::switch(&context, &node, &id, on, control)
    })
    .await
}

/// Tells an agency that a field of a record is wrong; resolves with the verified receipt.
#[tauri::command]
#[allow(
    clippy::too_many_arguments,
    reason = "the correction's parts, as the form has them"
)]
pub(crate) async fn file_correction(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    node: String,
    data_set: String,
    record: String,
    field: String,
    proposed: String,
    explanation: String,
    on_event: Channel<JobEvent>,
) -> Result<FiledCaseView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::cases_screen::correct(
            &context,
            &node,
            &data_set,
            &record,
            &field,
            &proposed,
            &explanation,
            control,
        )
    })
    .await
}

/// Flags a use of the person's data as suspected misuse; resolves with the verified receipt.
#[tauri::command]
pub(crate) async fn report_misuse(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    node: String,
    index: u64,
    comment: String,
    on_event: Channel<JobEvent>,
) -> Result<FiledCaseView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::cases_screen::report(&context, &node, index, &comment, control)
    })
    .await
}

/// Every correction and misuse report the person filed, with the agencies' decisions.
#[tauri::command]
pub(crate) async fn load_cases(
    context: tauri::State<'_, Context>,
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    on_event: Channel<JobEvent>,
) -> Result<CasesView, ApiError> {
    let context = context.inner().clone();
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::cases_screen::cases(&context, control)
    })
    .await
}

/// Starts listening to every agency with a kept session (once; later calls do nothing): each
/// new entry is sent to the window (`access-entry`) and shown as a desktop notification.
#[tauri::command]
pub(crate) fn start_listening(app: tauri::AppHandle) {
    listen(&app);
}

/// Starts listening (once), from the window or at a start at login.
pub(crate) fn listen(app: &tauri::AppHandle) {
    use tauri::Manager as _;
    let listener = app.state::<Listener>();
    let mut running = listener.0.lock().unwrap_or_else(PoisonError::into_inner);
    if running.is_some() {
        return;
    }
    let (handle, control) = job::channel(|_| {});
    *running = Some(handle);
    let context = app.state::<Context>().inner().clone();
    let app = app.clone();
    std::thread::spawn(move || {
        tracing::info!("listening to the agencies' streams");
        let on_new = |entry: AccessEntryView| crate::notify::new_entry(&app, &entry);
        let on_problem = |problem: AccessProblem| crate::notify::problem(&app, &problem);
        if let Err(err) = signet_api::dashboard::listen(&context, &control, &on_new, &on_problem) {
            tracing::warn!(code = %err.code, "listening stopped");
        }
        // Not listening any more: closing the window quits again, and listening may start anew.
        *app.state::<Listener>()
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    });
}

/// The window's first screen is mounted and its data loaded: logged (`cargo xtask bench app`
/// times the start until this line) and emitted to the app as `ui-ready`.
#[tauri::command]
pub(crate) fn ui_ready(app: tauri::AppHandle) {
    tracing::info!("window ready");
    use tauri::Emitter as _;
    if let Err(err) = app.emit("ui-ready", ()) {
        tracing::warn!(error = %err, "the ready event was not sent");
    }
}

/// The background listener, when it runs.
#[derive(Default)]
pub(crate) struct Listener(pub(crate) Mutex<Option<JobHandle>>);

/// A secret typed in the PIN dialog (or the vault's passphrase dialog): wiped when dropped,
/// never printed.
pub(crate) struct Secret(Zeroizing<String>);

impl Secret {
    /// The text, for the one place that turns it into its secret type.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self(Zeroizing::new(s)))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The answer to the PIN request `request_id` of job `job_id`: the one time a PIN crosses from
/// the window to Rust, where it becomes a `Pin` at once, of the kind that request asked for.
#[tauri::command]
pub(crate) fn answer_pin(
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    request_id: u64,
    value: Secret,
) -> Result<(), ApiError> {
    let handle = jobs.with(|all| all.get(&job_id).cloned()).ok_or_else(|| {
        ApiError::new(
            Code::Cancelled,
            "the operation asking for the PIN has ended",
        )
    })?;
    handle.answer_typed(request_id, value.0)
}

/// Cancels job `job_id` (nothing happens when it has ended).
#[tauri::command]
pub(crate) fn cancel_job(jobs: tauri::State<'_, Arc<Jobs>>, job_id: u32) {
    if let Some(handle) = jobs.with(|all| all.get(&job_id).cloned()) {
        tracing::info!(job_id, "job cancelled from the window");
        handle.cancel();
    }
}

/// One reading of the card at a time: the card state in the sidebar and the card page ask
/// together, and two sessions at once make one of them fail as if the card were away.
static CARD_READS: Mutex<()> = Mutex::new(());

/// The card in the reader, or the trouble (no reader, no card…).
#[tauri::command]
pub(crate) async fn card_status() -> Result<CardStatus, ApiError> {
    blocking(|| {
        let _turn = CARD_READS.lock().unwrap_or_else(PoisonError::into_inner);
        signet_api::card::card_status()
    })
    .await
}

/// Both certificates on the card.
#[tauri::command]
pub(crate) async fn card_certificates() -> Result<Vec<CardCertificate>, ApiError> {
    blocking(|| {
        let _turn = CARD_READS.lock().unwrap_or_else(PoisonError::into_inner);
        signet_api::card::card_certificates()
    })
    .await
}

/// Changes PIN1, PIN2 or the PUK (`unblock` false), or unblocks PIN1 or PIN2 with the PUK.
#[tauri::command]
pub(crate) async fn card_pin(
    jobs: tauri::State<'_, Arc<Jobs>>,
    job_id: u32,
    pin: SecretKind,
    unblock: bool,
    on_event: Channel<JobEvent>,
) -> Result<PinChange, ApiError> {
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        signet_api::card::card_pin_job(pin.into(), unblock, control)
    })
    .await
}

/// The person's settings (time-stamping service, level, signing device, folder for signed files).
#[tauri::command]
pub(crate) async fn load_settings(
    context: tauri::State<'_, Context>,
) -> Result<PersonSettings, ApiError> {
    let context = context.inner().clone();
    blocking(move || Ok(signet_api::settings::load(&context))).await
}

/// Checks and stores the person's settings; resolves with what was stored.
#[tauri::command]
pub(crate) async fn save_settings(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    settings: PersonSettings,
) -> Result<PersonSettings, ApiError> {
    let context = context.inner().clone();
    // A PKCS#11 module is a library Signet loads, a PKCS#12 file a key it opens: only one the
    // person picked in Signet's own chooser.
    if let Some(token) = settings.token.as_deref()
        && let Some((_, path)) = token.split_once(':')
        && !path.trim().is_empty()
    {
        chosen.check(std::path::Path::new(path.trim()))?;
    }
    // The folder for signed files: one picked in Signet's chooser, or the one already stored.
    if let Some(dir) = settings.output_dir.as_deref().map(str::trim)
        && !dir.is_empty()
        && signet_api::settings::load(&context).output_dir.as_deref() != Some(dir)
    {
        chosen.check(std::path::Path::new(dir))?;
    }
    blocking(move || signet_api::settings::save(&context, settings)).await
}

/// Where each file dropped on the window goes (Sign, Verify or Batch), by its content: the
/// engine's classification. Dropped files were made chosen when they were dropped (`main.rs`).
#[tauri::command]
pub(crate) async fn route_files(
    chosen: tauri::State<'_, Chosen>,
    files: Vec<String>,
) -> Result<Vec<signet_api::input::Routed>, ApiError> {
    chosen.check_all(&files)?;
    let files: Vec<PathBuf> = files.into_iter().map(PathBuf::from).collect();
    blocking(move || signet_api::input::route(&files)).await
}

/// The files Signet was opened with and the window has not taken yet.
#[tauri::command]
pub(crate) fn take_opened_files(opened: tauri::State<'_, Opened>) -> Vec<String> {
    std::mem::take(&mut *opened.0.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Opens the folder holding `path` in the file manager.
#[tauri::command]
pub(crate) fn show_in_folder(
    chosen: tauri::State<'_, Chosen>,
    path: String,
) -> Result<(), ApiError> {
    let path = PathBuf::from(path);
    chosen.check(&path)?;
    let folder = path
        .parent()
        .filter(|p| p.is_dir())
        .ok_or_else(|| ApiError::new(Code::FileNotFound, "the folder no longer exists"))?;
    std::process::Command::new("xdg-open")
        .arg(folder)
        .spawn()
        // Reaped on a thread of its own: no zombie per click.
        .map(|mut child| {
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("the file manager could not be opened: {e}"),
            )
            .recommend("Open the folder yourself; its path is shown next to the file.")
        })
}

#[cfg(test)]
mod tests {
    use super::Chosen;
    use std::path::{Path, PathBuf};

    #[test]
    fn only_what_was_chosen_or_lies_in_a_chosen_folder_passes() {
        let chosen = Chosen::default();
        chosen.add([
            PathBuf::from("/home/mari/deeds"),
            PathBuf::from("/home/mari/a.pdf"),
        ]);
        assert!(chosen.check(Path::new("/home/mari/a.pdf")).is_ok());
        assert!(chosen.check(Path::new("/home/mari/deeds/1.pdf")).is_ok());
        assert!(chosen.check(Path::new("/home/mari/b.pdf")).is_err());
        assert!(chosen.check(Path::new("deeds/1.pdf")).is_err());
        // Climbing out of a chosen folder is not lying in it.
        assert!(
            chosen
                .check(Path::new("/home/mari/deeds/../.ssh/id_ed25519"))
                .is_err()
        );
        assert!(
            chosen
                .check(Path::new("/home/mari/deeds/./../b.pdf"))
                .is_err()
        );
    }
}
