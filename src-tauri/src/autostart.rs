//! Starting Signet at login, in the tray, listening (signet-api's autostart entry for this
//! program).

use signet_api::ApiError;
use signet_core::Code;

pub(crate) use signet_api::autostart::BACKGROUND;

/// Whether Signet starts at login.
#[tauri::command]
pub(crate) fn start_at_login() -> bool {
    signet_api::autostart::start_at_login()
}

/// Makes Signet start at login (in the tray, listening), or not; resolves with the new state.
#[tauri::command]
pub(crate) fn set_start_at_login(on: bool) -> Result<bool, ApiError> {
    let program = std::env::current_exe().map_err(|e| {
        ApiError::new(
            Code::Io,
            format!("Signet cannot tell where it is installed: {e}"),
        )
    })?;
    signet_api::autostart::set_start_at_login(on, &program)
}
