//! Telling the person the moment someone looks: the window gets the entry (`access-entry`), the
//! desktop shows a notification (freedesktop on Linux) naming who looked and why. Clicking it
//! (its default action) brings the window back and opens the entry (`open-entry`).

use signet_api::dashboard::{AccessEntryView, AccessProblem, EntryOutcome};
use tauri::{AppHandle, Emitter as _, Manager as _};

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
    let decision = matches!(
        entry.outcome,
        EntryOutcome::CorrectionAccepted | EntryOutcome::CorrectionRejected
    );
    // The person chose how this agency's uses are told; its answers to the person's own
    // requests are not uses, and are always told.
    if !decision {
        match crate::listening::mode(app, &entry.node) {
            signet_api::listening::NotifyMode::EveryQuery => {}
            signet_api::listening::NotifyMode::DailyDigest => {
                crate::listening::hold(app, &entry.agency);
                return;
            }
            signet_api::listening::NotifyMode::Off => return,
        }
    }
    let texts = app.state::<crate::tray::Tray>().texts();
    let template = match entry.outcome {
        EntryOutcome::RefusedByConsent | EntryOutcome::RefusedByAuthorization => texts.refused,
        EntryOutcome::CorrectionAccepted => texts.accepted,
        EntryOutcome::CorrectionRejected => texts.rejected,
        _ => texts.looked,
    };
    if decision {
        show(
            app,
            &template.replace("{agency}", &entry.agency),
            &texts.decided_body,
            Some(Opened::of(entry)),
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
        Some(Opened::of(entry)),
    );
}

/// What a click on a notification opens: an entry of the access log (by its node and index), or
/// the access log itself.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Opened {
    node: String,
    index: u64,
}

impl Opened {
    fn of(entry: &AccessEntryView) -> Self {
        Self {
            node: entry.node.clone(),
            index: entry.index,
        }
    }
}

/// Shows a notification; clicking it brings the window back and opens `opens` (or the access
/// log). The wait for the click runs on a thread of its own until the notification closes.
fn show(app: &AppHandle, title: &str, body: &str, opens: Option<Opened>) {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Signet")
        .summary(&escaped(title))
        .body(&escaped(body))
        .action("default", &app.state::<crate::tray::Tray>().texts().open);
    match notification.show() {
        Ok(handle) => {
            tracing::info!(
                index = opens.as_ref().map(|o| o.index),
                "access notification shown"
            );
            let app = app.clone();
            let waiting = std::thread::Builder::new()
                .name("notification".into())
                .spawn(move || wait_for_click(&app, handle, opens));
            if let Err(err) = waiting {
                tracing::warn!(error = %err, "a notification's click cannot be waited for");
            }
        }
        Err(err) => tracing::warn!(error = %err, "the access notification could not be shown"),
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn wait_for_click(app: &AppHandle, handle: notify_rust::NotificationHandle, opens: Option<Opened>) {
    handle.wait_for_action(|action| {
        if action == "default" {
            open(app, opens.as_ref());
        }
    });
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn wait_for_click(_: &AppHandle, _: notify_rust::NotificationHandle, _: Option<Opened>) {}

/// Brings the window back (from the tray too) and opens `opens` in it.
fn open(app: &AppHandle, opens: Option<&Opened>) {
    tracing::info!(index = opens.map(|o| o.index), "notification clicked");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    if let Err(err) = app.emit("open-entry", opens) {
        tracing::warn!(error = %err, "the window did not take the entry to open");
    }
}

/// The daily digest: how many uses each agency made, since the last one.
pub(crate) fn digest(app: &AppHandle, counts: &[(String, u32)]) {
    let texts = app.state::<crate::tray::Tray>().texts();
    let total: u32 = counts.iter().map(|(_, n)| n).sum();
    let body = counts
        .iter()
        .map(|(agency, n)| format!("{agency}: {n}"))
        .collect::<Vec<_>>()
        .join("\n");
    show(
        app,
        &texts.digest.replace("{n}", &total.to_string()),
        &body,
        None,
    );
}

/// A log that failed its proof while listening: an alarm in the window and on the desktop.
pub(crate) fn problem(app: &AppHandle, problem: &AccessProblem) {
    if let Err(err) = app.emit("access-problem", problem) {
        tracing::warn!(error = %err, "the window did not take an access alarm");
    }
    let texts = app.state::<crate::tray::Tray>().texts();
    show(
        app,
        &texts.alarm.replace("{agency}", &problem.agency),
        &problem.error.message,
        None,
    );
}
