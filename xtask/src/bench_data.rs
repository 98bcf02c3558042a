//! `cargo xtask bench data`: the person's side of the data protocol, release build — the time
//! from an official's query to the desktop notification on a private D-Bus session (p50 and p99
//! over 200 queries; target p99 under 1 s), and the sync of a person with 10,000 usage entries
//! across five agencies into the encrypted vault, every proof verified. The program is
//! `crates/signet-api/examples/bench_data.rs`; it runs under `xvfb-run -a dbus-run-session` (the
//! notification daemon, dunst, wants a display), prints the figures and fails on a missed target.

use std::path::Path;
use std::process::ExitCode;

use crate::process::Cmd;

pub(crate) fn run(root: &Path) -> anyhow::Result<ExitCode> {
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--locked",
            "--package",
            "signet-api",
            "--example",
            "bench_data",
        ])
        .run()?;
    let work = root.join("target/bench-data");
    let xdg = root.join("target/bench-data-xdg");
    let _ = std::fs::remove_dir_all(&xdg);
    for sub in ["data", "config", "cache", "runtime"] {
        std::fs::create_dir_all(xdg.join(sub))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(xdg.join("runtime"), std::fs::Permissions::from_mode(0o700))?;
    }
    let output = Cmd::new("xvfb-run")
        .args(["-a", "dbus-run-session", "--"])
        .arg(root.join("target/release/examples/bench_data"))
        .arg(&work)
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("XDG_RUNTIME_DIR", xdg.join("runtime"))
        .env("RUST_LOG", "warn")
        .run_kept()?;
    Ok(if output.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
