//! `cargo xtask bench asice`: Signet's ASiC-E signing against pydigidoc (libdigidocpp 4.3) in the
//! same run, release build, software token; the program is
//! `crates/signet-asic/examples/bench_asice.rs` (it prints the figures and fails on a missed
//! target).

use std::path::Path;

use crate::process::Cmd;

pub(crate) fn run(root: &Path) -> anyhow::Result<std::process::ExitCode> {
    // The peers come from `cargo xtask setup`; the program says so when they are missing.
    let _ = root;
    Cmd::new("cargo")
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "signet-asic",
            "--example",
            "bench_asice",
        ])
        .run()?;
    Ok(std::process::ExitCode::SUCCESS)
}
