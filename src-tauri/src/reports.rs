//! The Verify screen's outputs: the verification report saved as PDF or JSON, a container's
//! files extracted, a signature added to a container. Each command checks that every path it is
//! given was chosen by the person (or is Signet's own output) and calls signet-api; what it
//! writes becomes Signet's output.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use signet_api::ApiError;
use signet_api::job::JobEvent;
use signet_api::signing::{SignFilesRequest, SignOutcome};
use signet_api::verification::VerifiedFiles;
use signet_api::verification_export::{ReportFormat, ReportLanguage, ReportPlace};
use signet_core::Code;

use crate::commands::{Chosen, Jobs, blocking, run_job};

/// How many verifications are kept for saving their report.
const KEPT: usize = 8;

/// The latest verifications, by the job id the window gave them: a report is saved from what
/// Signet found, never from what the page sends back.
#[derive(Default)]
pub(crate) struct Verified(Mutex<VecDeque<(u32, VerifiedFiles)>>);

impl Verified {
    /// Keeps the result of verification job `job_id`.
    pub(crate) fn keep(&self, job_id: u32, report: VerifiedFiles) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(id, _)| *id != job_id);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back((job_id, report));
    }

    fn get(&self, job_id: u32) -> Result<VerifiedFiles, ApiError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(id, _)| *id == job_id)
            .map(|(_, report)| report.clone())
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidInput,
                    "this verification is no longer kept, so its report cannot be saved",
                )
                .recommend("Verify the files again, then save the report.")
            })
    }
}

/// Saves the report of verification `job_id` as `format`: in `folder` when given (one the person
/// picked), else beside the first file verified; numbered when the name is taken, never
/// replacing a file. Resolves with the file written.
#[tauri::command]
pub(crate) async fn save_verification_report(
    verified: tauri::State<'_, Verified>,
    chosen: tauri::State<'_, Chosen>,
    job_id: u32,
    format: ReportFormat,
    language: ReportLanguage,
    folder: Option<String>,
) -> Result<String, ApiError> {
    let report = verified.get(job_id)?;
    let place = match folder {
        Some(folder) => {
            let folder = PathBuf::from(folder);
            chosen.check(&folder)?;
            ReportPlace::Folder(folder)
        }
        None => ReportPlace::Beside,
    };
    let written = blocking(move || {
        signet_api::verification_export::save_report(&report, format, language, &place)
    })
    .await?;
    chosen.add([written.clone()]);
    Ok(written.display().to_string())
}

/// Extracts the files `names` (all when empty) of the container at `container` into `folder`,
/// both chosen by the person; numbered when a name is taken, never replacing a file. Resolves
/// with the files written.
#[tauri::command]
pub(crate) async fn extract_files(
    chosen: tauri::State<'_, Chosen>,
    container: String,
    names: Vec<String>,
    folder: String,
) -> Result<Vec<String>, ApiError> {
    let (container, folder) = (PathBuf::from(container), PathBuf::from(folder));
    chosen.check(&container)?;
    chosen.check(&folder)?;
    let written =
        blocking(move || signet_api::asice::asice_extract(&container, &names, &folder)).await?;
    chosen.add(written.iter().cloned());
    Ok(written.iter().map(|p| p.display().to_string()).collect())
}

/// A signature to add to a container the person verified.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cosign {
    /// The container.
    container: String,
    /// The SHA-256 of the container as it was verified (`VerifiedFile::sha256`).
    verified_sha256: String,
    /// The level.
    level: Option<signet_core::BaselineLevel>,
}

/// Adds the person's signature to the ASiC-E container `cosign.container`, in place and
/// atomically — the operation of `signet sign --add-to` — reporting the steps and the PIN
/// request (which names the container, its size and SHA-256) on `on_event`. A container that is
/// no longer the one the person saw verified is refused before anything is asked.
#[tauri::command]
pub(crate) async fn add_signature(
    context: tauri::State<'_, signet_api::Context>,
    jobs: tauri::State<'_, std::sync::Arc<Jobs>>,
    chosen: tauri::State<'_, Chosen>,
    job_id: u32,
    cosign: Cosign,
    on_event: tauri::ipc::Channel<JobEvent>,
) -> Result<SignOutcome, ApiError> {
    let container = PathBuf::from(cosign.container);
    chosen.check(&container)?;
    let context = context.inner().clone();
    let request = SignFilesRequest {
        add_to: Some(container),
        reviewed_sha256: vec![cosign.verified_sha256],
        level: cosign.level,
        ..SignFilesRequest::default()
    };
    run_job(jobs.inner().clone(), job_id, on_event, move |control| {
        let fetch = signet_api::http::HttpFetch::default();
        signet_api::signing::sign(&context, &request, &fetch, control)
    })
    .await
}

/// In debug builds only, the folder the end-to-end tests "pick" (`SIGNET_E2E_PICK_FOLDER`):
/// WebDriver cannot drive the system's folder chooser. Release builds always ask the person.
pub(crate) fn test_pick() -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os("SIGNET_E2E_PICK_FOLDER")
            .map(PathBuf::from)
            .filter(|p| Path::new(p).is_absolute())
    } else {
        None
    }
}

/// In debug builds only, the file the end-to-end tests "pick" (`SIGNET_E2E_PICK_FILE`), like
/// [`test_pick`] for folders. Release builds always ask the person.
pub(crate) fn test_pick_file() -> Option<PathBuf> {
    if cfg!(debug_assertions) {
        std::env::var_os("SIGNET_E2E_PICK_FILE")
            .map(PathBuf::from)
            .filter(|p| Path::new(p).is_absolute())
    } else {
        None
    }
}
