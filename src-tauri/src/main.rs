//! Signet's desktop app: a thin Tauri shell. Set-up, state, plugins, the tray and a list of
//! commands, each a few lines calling `signet-api`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod tray;

use tauri::Manager as _;

fn main() {
    let app = tauri::Builder::default()
        // Single instance first: a second launch focuses the running window instead.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: focusing the running window");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let paths = app.path();
            let mut context =
                signet_api::Context::new(paths.app_data_dir()?).with_log_dir(paths.app_log_dir()?);
            // SIGNET_PROFILE=demo with SIGNET_PROFILE_DIR (`cargo xtask run`): the profile's
            // data folder, nodes and defaults.
            let profile = signet_api::Profile::from_env()?;
            if let Some(profile) = profile.clone() {
                context = context.with_profile(profile);
            }
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
                "Signet desktop started"
            );
            if let Some(profile) = &profile {
                tracing::info!(profile = %profile.name, dir = %profile.dir.display(), "profile in use");
            }
            app.manage(guard);
            app.manage(context);
            tray::create(app.handle())?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::app_info])
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
