//! How the person is told of each agency's uses of their data (every query, a daily digest, or
//! not at all), chosen in Settings; the digest held and told once a day. signet-api keeps the
//! choices and the digest's arithmetic; this file shows the digest's notification.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use signet_api::listening::{Digest, ListeningAgency, NotifyMode};
use signet_api::{ApiError, Context};
use tauri::{AppHandle, Manager as _};

use crate::commands::blocking;

/// The uses held for the daily digest.
#[derive(Default)]
pub(crate) struct HeldDigest(Mutex<Digest>);

/// How often the digest is checked for a new day.
const CHECK_EVERY: Duration = Duration::from_secs(300);

/// Every agency of the node list, with how its uses are told.
#[tauri::command]
pub(crate) async fn listening_agencies(
    context: tauri::State<'_, Context>,
) -> Result<Vec<ListeningAgency>, ApiError> {
    let context = context.inner().clone();
    blocking(move || signet_api::listening::agencies(&context)).await
}

/// Sets how the agency at `node` is told; resolves with every agency's choice.
#[tauri::command]
pub(crate) async fn set_notify_mode(
    context: tauri::State<'_, Context>,
    node: String,
    mode: NotifyMode,
) -> Result<Vec<ListeningAgency>, ApiError> {
    let context = context.inner().clone();
    blocking(move || signet_api::listening::set_mode(&context, &node, mode)).await
}

/// How a use by the agency at `node` is told now.
pub(crate) fn mode(app: &AppHandle, node: &str) -> NotifyMode {
    signet_api::listening::load(&app.state::<Context>()).mode(node)
}

/// Holds a use by `agency` for the daily digest.
pub(crate) fn hold(app: &AppHandle, agency: &str) {
    let now = app.state::<Context>().clock().now();
    app.state::<HeldDigest>()
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .hold(agency, Digest::day_of(now));
}

/// Checks the digest now and then, and tells it once a new day has come.
pub(crate) fn start(app: &AppHandle) {
    let app = app.clone();
    let started = std::thread::Builder::new()
        .name("digest".into())
        .spawn(move || {
            loop {
                std::thread::sleep(CHECK_EVERY);
                let today = Digest::day_of(app.state::<Context>().clock().now());
                let due = app
                    .state::<HeldDigest>()
                    .0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .due(today);
                if let Some(counts) = due {
                    crate::notify::digest(&app, &counts);
                }
            }
        });
    if let Err(err) = started {
        tracing::warn!(error = %err, "the daily digest cannot be checked");
    }
}
