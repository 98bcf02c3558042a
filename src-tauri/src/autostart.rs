//! Starting Signet at login, in the tray, listening (signet-api's autostart entry for this
//! program).

use signet_api::ApiError;
use signet_core::Code;

use crate::commands::blocking;

pub(crate) use signet_api::autostart::BACKGROUND;

/// Whether Signet starts at login.
#[tauri::command]
pub(crate) async fn start_at_login() -> Result<bool, ApiError> {
    blocking(|| Ok(signet_api::autostart::start_at_login())).await
}

/// Makes Signet start at login (in the tray, listening), or not; resolves with the new state.
#[tauri::command]
pub(crate) async fn set_start_at_login(on: bool) -> Result<bool, ApiError> {
    let program = std::env::current_exe().map_err(|e| {
        ApiError::new(
            Code::Io,
            format!("Signet cannot tell where it is installed: {e}"),
        )
    })?;
    blocking(move || signet_api::autostart::set_start_at_login(on, &program)).await
}
