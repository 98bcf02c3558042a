//! The commands the webview may call (each also listed in build.rs and granted in the capability
//! file). A command is a few lines: take the state, call `signet-api`, return its result.

use signet_api::json::AppInfo;
use signet_api::{ApiError, Context};

/// What this build is: version, build profile, optional back ends, log folder.
#[tauri::command]
pub(crate) fn app_info(context: tauri::State<'_, Context>) -> Result<AppInfo, ApiError> {
    Ok(signet_api::app_info(&context))
}
