//! Signet's desktop app: a thin Tauri shell. Set-up, state, plugins, the tray and a list of
//! commands, each a few lines calling `signet-api`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod alarms;
mod autostart;
mod commands;
mod listening;
mod notify;
mod reports;
mod tray;
mod vault_prompt;
mod vault_transfer;

use tauri::{Emitter as _, Manager as _};

fn main() {
    let launched = std::time::Instant::now();
    let app = tauri::Builder::default()
        // Single instance first: a second launch focuses the running window instead.
        .plugin(tauri_plugin_single_instance::init(|app, args, cwd| {
            // Files opened with Signet while it runs go to the running window.
            let files = opened_files(args.into_iter().skip(1), std::path::Path::new(&cwd));
            app.state::<commands::Chosen>()
                .add(files.iter().map(std::path::PathBuf::from));
            tracing::info!(files = files.len(), "second launch: handing over to the running window");
            if !files.is_empty()
                && let Err(err) = app.emit_to("main", "files-opened", files)
            {
                tracing::warn!(error = %err, "the window did not take the opened files");
            }
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .manage(std::sync::Arc::new(commands::Jobs::default()))
        .manage(commands::Listener::default())
        .manage(reports::Verified::default())
        .manage({
            // Files opened with Signet are files the person chose.
            let opened = std::env::current_dir()
                .map(|cwd| opened_files(std::env::args().skip(1), &cwd))
                .unwrap_or_default();
            let chosen = commands::Chosen::default();
            chosen.add(opened.iter().map(std::path::PathBuf::from));
            chosen
        })
        .manage(commands::Opened(std::sync::Mutex::new(
            std::env::current_dir()
                .map(|cwd| opened_files(std::env::args().skip(1), &cwd))
                .unwrap_or_default(),
        )))
        .setup(move |app| {
            let paths = app.path();
            let mut context =
                signet_api::Context::new(paths.app_data_dir()?).with_log_dir(paths.app_log_dir()?);
            // SIGNET_PROFILE=demo with SIGNET_PROFILE_DIR (`cargo xtask run`): the profile's
            // data folder, nodes and defaults.
            let profile = signet_api::Profile::from_env()?;
            if let Some(profile) = profile.clone() {
                context = context.with_profile(profile);
            }
            // Where the vault is kept with a passphrase (no system keyring), the window asks.
            let prompt = std::sync::Arc::new(vault_prompt::VaultPrompt::default());
            context = context.with_vault_passphrase(prompt.asker(app.handle().clone()));
            app.manage(prompt);
            let guard = signet_api::logging::init(&signet_api::logging::LogTarget {
                dir: context.log_dir().map(ToOwned::to_owned),
                stderr: true,
            })?;
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                profile = if cfg!(debug_assertions) {
                    "debug"
                } else {
                    "release"
                },
                since_launch_ms = launched.elapsed().as_millis(),
                "Signet desktop started"
            );
            if let Some(profile) = &profile {
                tracing::info!(profile = %profile.name, dir = %profile.dir.display(), "profile in use");
            }
            app.manage(guard);
            app.manage(context);
            tray::create(app.handle())?;
            app.manage(listening::HeldDigest::default());
            listening::start(app.handle());
            // Started at login: no window, listening in the tray.
            if std::env::args().any(|a| a == autostart::BACKGROUND) {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.hide();
                }
                commands::listen(app.handle());
            }
            Ok(())
        })
        .on_webview_event(|webview, event| {
            // Files dropped on the window are files the person chose (the page then asks where
            // they go: `route_files`).
            if let tauri::WebviewEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                dropped(webview.app_handle(), paths);
            }
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                dropped(window.app_handle(), paths);
            }
            // While Signet listens for uses of the person's data, closing the window keeps it
            // listening in the tray (Quit is in the tray menu).
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let listening = window
                    .app_handle()
                    .state::<commands::Listener>()
                    .0
                    .lock()
                    .map(|l| l.is_some())
                    .unwrap_or(false);
                if listening {
                    api.prevent_close();
                    let _ = window.hide();
                    tracing::info!("window closed: still listening in the tray");
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::propose_signing,
            commands::pdf_for_preview,
            commands::sign_files,
            commands::verify_files,
            commands::save_signed_version,
            reports::save_verification_report,
            reports::extract_files,
            reports::add_signature,
            commands::plan_batch,
            commands::load_dashboard,
            commands::cached_dashboard,
            commands::load_access_log,
            commands::load_consents,
            commands::switch_consent,
            commands::file_correction,
            commands::report_misuse,
            commands::load_cases,
            commands::start_listening,
            commands::run_batch,
            commands::answer_pin,
            vault_prompt::answer_vault_passphrase,
            commands::cancel_job,
            commands::card_status,
            commands::card_certificates,
            commands::card_pin,
            commands::take_opened_files,
            commands::route_files,
            commands::pick_files,
            commands::pick_folder,
            commands::load_settings,
            commands::save_settings,
            commands::show_in_folder,
            tray::set_tray_text,
            tray::tray_tooltip,
            alarms::load_alarms,
            alarms::dismiss_alarm,
            alarms::save_alarm_evidence,
            listening::listening_agencies,
            listening::set_notify_mode,
            autostart::start_at_login,
            autostart::set_start_at_login,
            vault_transfer::export_vault,
            vault_transfer::import_vault,
            commands::ui_ready,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_app, _event| {}),
        Err(err) => {
            // Logging may not be up yet: this is the one place that writes to stderr directly.
            eprintln!("Signet could not start: {err}");
            std::process::exit(1);
        }
    }
}

/// Makes files dropped on the window chosen, as files opened with Signet are. Tauri sends the
/// page its `tauri://drag-drop` event before these handlers run, on the same thread, so the
/// page's `route_files` is answered after this.
fn dropped(app: &tauri::AppHandle, paths: &[std::path::PathBuf]) {
    let files: Vec<std::path::PathBuf> =
        paths.iter().filter(|p| p.is_absolute()).cloned().collect();
    tracing::info!(files = files.len(), "files dropped on the window");
    app.state::<commands::Chosen>().add(files);
}

/// The files and folders among a launch's arguments (options are not files), made absolute against the
/// folder it was started in.
fn opened_files(args: impl Iterator<Item = String>, cwd: &std::path::Path) -> Vec<String> {
    args.filter(|a| !a.starts_with('-'))
        .map(|a| cwd.join(a))
        // Files, and folders (a batch signs the files in a folder).
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect()
}
