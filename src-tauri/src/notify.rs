//! Telling the person the moment someone looks: the window gets the entry (`access-entry`), the
//! desktop shows a notification (freedesktop on Linux) naming who looked and why.

use signet_api::dashboard::{AccessEntryView, AccessProblem, EntryOutcome};
use tauri::{AppHandle, Emitter as _, Manager as _};
use tauri_plugin_notification::NotificationExt as _;

/// Text from an agency as plain text for a notification server that reads markup.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A new use of the person's data.
pub(crate) fn new_entry(app: &AppHandle, entry: &AccessEntryView) {
    if let Err(err) = app.emit("access-entry", entry) {
        tracing::warn!(error = %err, "the window did not take a new access entry");
    }
    // The person's own consent changes, corrections and reports are no news to them; an
    // agency's decision on a correction is, told as that — never as someone looking at the data.
    if matches!(
        entry.outcome,
        EntryOutcome::ConsentChanged
            | EntryOutcome::CorrectionRequested
            | EntryOutcome::MisuseReported
    ) {
        return;
    }
    let texts = app.state::<crate::tray::Tray>().texts();
    let template = match entry.outcome {
        EntryOutcome::RefusedByConsent | EntryOutcome::RefusedByAuthorization => texts.refused,
        EntryOutcome::CorrectionAccepted => texts.accepted,
        EntryOutcome::CorrectionRejected => texts.rejected,
        _ => texts.looked,
    };
    if matches!(
        entry.outcome,
        EntryOutcome::CorrectionAccepted | EntryOutcome::CorrectionRejected
    ) {
        show(
            app,
            &template.replace("{agency}", &entry.agency),
            &texts.decided_body,
            entry.index,
        );
        return;
    }
    let who = entry.official.as_deref().map_or_else(
        || entry.receiver.clone().unwrap_or_default(),
        |official| format!("{official}, {}", entry.receiver.clone().unwrap_or_default()),
    );
    let why = entry.purpose.clone().unwrap_or_default();
    let body = if why.is_empty() {
        who
    } else {
        format!("{who}: {why}")
    };
    // The notification's text is the agency's and the official's, never the person's code.
    show(
        app,
        &template.replace("{agency}", &entry.agency),
        &body,
        entry.index,
    );
}

fn show(app: &AppHandle, title: &str, body: &str, index: u64) {
    let shown = app
        .notification()
        .builder()
        .title(escaped(title))
        .body(escaped(body))
        .show();
    match shown {
        Ok(()) => tracing::info!(index, "access notification shown"),
        Err(err) => tracing::warn!(error = %err, "the access notification could not be shown"),
    }
}

/// A log that failed its proof while listening: an alarm in the window and on the desktop.
pub(crate) fn problem(app: &AppHandle, problem: &AccessProblem) {
    if let Err(err) = app.emit("access-problem", problem) {
        tracing::warn!(error = %err, "the window did not take an access alarm");
    }
    let texts = app.state::<crate::tray::Tray>().texts();
    let _ = app
        .notification()
        .builder()
        .title(escaped(&texts.alarm.replace("{agency}", &problem.agency)))
        .body(escaped(&problem.error.message))
        .show();
}
