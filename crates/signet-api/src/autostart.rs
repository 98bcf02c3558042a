//! Starting Signet's desktop app at login, in the tray, listening: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/signet.desktop`, by default under `~/.config`) that runs the
//! program with [`BACKGROUND`]. The entry's presence is the setting.

use std::path::{Path, PathBuf};

use signet_core::Code;

use crate::ApiError;

/// The argument of a start at login: no window, listening in the tray.
pub const BACKGROUND: &str = "--background";

const FILE: &str = "signet.desktop";

fn dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|c| c.join("autostart"))
}

/// An `Exec` argument, quoted as the Desktop Entry specification asks.
fn quoted(arg: &str) -> String {
    let mut out = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    // The `Exec` key's own escape level: a backslash is written twice.
    out.replace('\\', "\\\\").replace('%', "%%")
}

/// The autostart entry that runs `program` in the background.
pub fn entry(program: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Signet\nComment=Listens for uses of your data and tells you\nExec={} {BACKGROUND}\nTerminal=false\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n",
        quoted(&program.display().to_string())
    )
}

/// Whether Signet starts at login.
pub fn start_at_login() -> bool {
    dir().is_some_and(|d| d.join(FILE).is_file())
}

/// Makes `program` start at login (in the tray, listening), or not; returns the new state.
pub fn set_start_at_login(on: bool, program: &Path) -> Result<bool, ApiError> {
    let dir = dir().ok_or_else(|| {
        ApiError::new(Code::Io, "there is no folder for programs started at login")
            .recommend("Set HOME or XDG_CONFIG_HOME, or start Signet yourself.")
    })?;
    let file = dir.join(FILE);
    if on {
        std::fs::create_dir_all(&dir).map_err(ApiError::from)?;
        crate::output::write_atomically(&file, crate::output::Placement::Replace, |f| {
            std::io::Write::write_all(f, entry(program).as_bytes())
        })?;
        tracing::info!("Signet starts at login");
    } else {
        match std::fs::remove_file(&file) {
            Ok(()) => tracing::info!("Signet no longer starts at login"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ApiError::from(e)),
        }
    }
    Ok(start_at_login())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_runs_this_program_in_the_background_quoted() {
        let text = entry(Path::new("/opt/Signet App/signet-desktop"));
        assert!(text.starts_with("[Desktop Entry]\nType=Application\n"));
        assert!(
            text.contains("\nExec=\"/opt/Signet App/signet-desktop\" --background\n"),
            "{text}"
        );
        let odd = entry(Path::new("/home/a$b\"c/50%/signet"));
        assert!(
            odd.contains("Exec=\"/home/a\\\\$b\\\\\"c/50%%/signet\" --background"),
            "{odd}"
        );
    }
}
