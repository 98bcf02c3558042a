//! The tray icon: show the window, or quit; its labels follow the window's language and its
//! tooltip says how many uses of the person's data arrived unread.

use std::sync::Mutex;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager as _, Wry};

/// The tray's parts that change with the language and the unread count, and the notifications'
/// titles in the window's language.
pub(crate) struct Tray {
    show: MenuItem<Wry>,
    quit: MenuItem<Wry>,
    icon: TrayIcon<Wry>,
    /// The tooltip now (read by the tests through the command below).
    tooltip: Mutex<String>,
    notify: Mutex<NotifyTexts>,
}

/// The notifications' titles, `{agency}` filled in.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NotifyTexts {
    pub(crate) looked: String,
    pub(crate) refused: String,
    pub(crate) alarm: String,
    /// An agency accepted a correction the person asked for.
    pub(crate) accepted: String,
    /// An agency rejected a correction the person asked for.
    pub(crate) rejected: String,
    /// The body of both: where to read the decision.
    pub(crate) decided_body: String,
    /// The label of a notification's action that opens what it is about.
    pub(crate) open: String,
    /// The daily digest's title, `{n}` uses.
    pub(crate) digest: String,
}

impl Default for NotifyTexts {
    fn default() -> Self {
        Self {
            looked: "{agency} looked at your data".into(),
            refused: "{agency}: a query for your data was refused".into(),
            alarm: "{agency}: the access log failed its proof".into(),
            accepted: "{agency} accepted your correction".into(),
            rejected: "{agency} rejected your correction".into(),
            decided_body: "Open Signet: My data, Your corrections and reports.".into(),
            open: "Open in Signet".into(),
            digest: "Uses of your data since yesterday: {n}".into(),
        }
    }
}

impl Tray {
    pub(crate) fn texts(&self) -> NotifyTexts {
        self.notify
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

pub(crate) fn create(app: &AppHandle) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, "show", "Show Signet", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Signet", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut tray = TrayIconBuilder::with_id("signet")
        .tooltip("Signet")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "show" => {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
            "quit" => {
                tracing::info!("quit from the tray");
                app.exit(0);
            }
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    let icon = tray.build(app)?;
    app.manage(Tray {
        show,
        quit,
        icon,
        tooltip: Mutex::new("Signet".to_owned()),
        notify: Mutex::new(NotifyTexts::default()),
    });
    Ok(())
}

/// Relabels the tray in the window's language; `tooltip` says what is unread.
#[tauri::command]
pub(crate) fn set_tray_text(
    tray: tauri::State<'_, Tray>,
    show: String,
    quit: String,
    tooltip: String,
    notify: NotifyTexts,
) -> Result<(), signet_api::ApiError> {
    let failed = |e: tauri::Error| {
        signet_api::ApiError::new(
            signet_core::Code::Internal,
            format!("the tray cannot be relabelled: {e}"),
        )
    };
    tray.show.set_text(&show).map_err(failed)?;
    tray.quit.set_text(&quit).map_err(failed)?;
    tray.icon.set_tooltip(Some(&tooltip)).map_err(failed)?;
    *tray
        .tooltip
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = tooltip;
    *tray
        .notify
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = notify;
    Ok(())
}

/// The tray's tooltip now (what the person sees when pointing at it).
#[tauri::command]
pub(crate) fn tray_tooltip(tray: tauri::State<'_, Tray>) -> String {
    tray.tooltip
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}
