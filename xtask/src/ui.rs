//! Building the UI bundle that the desktop app embeds.

use std::path::Path;
use std::time::SystemTime;

use crate::process::Cmd;

/// Builds `ui/dist` unless it is newer than every source of the UI.
pub(crate) fn build(root: &Path) -> anyhow::Result<()> {
    let built = root.join("ui/dist/index.html");
    let sources = [
        "ui/src",
        "ui/index.html",
        "ui/package.json",
        "ui/vite.config.ts",
        "ui/public",
        "package-lock.json",
    ];
    let newest_source = sources
        .iter()
        .filter_map(|source| newest(&root.join(source)))
        .max();
    let up_to_date = match (modified(&built), newest_source) {
        (Some(built), Some(source)) => built > source,
        _ => false,
    };
    if up_to_date {
        return Ok(());
    }
    Cmd::new("npm")
        .args(["run", "build", "--workspace", "ui"])
        .current_dir(root)
        .run()
}

/// Whether `path` exists and is newer than `than`.
pub(crate) fn newer(path: &Path, than: &Path) -> bool {
    match (modified(path), modified(than)) {
        (Some(path), Some(than)) => path >= than,
        _ => false,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// The newest modification time of a file, or of anything under a folder.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest(&entry.path()))
        .max()
}
