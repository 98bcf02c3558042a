//! `cargo xtask bench verify`: offline validation of 100 B-LT PDFs and 100 B-LT containers in one
//! process, against pyHanko and libdigidocpp in the same run, release build; the program is
//! `crates/signet-api/examples/bench_verify.rs` (it prints the figures, the split of where the
//! time goes, and fails on a missed target or a wrong valid count).

use std::path::Path;

use crate::process::Cmd;

pub(crate) fn run(root: &Path) -> anyhow::Result<std::process::ExitCode> {
    if !root.join("target/peers/venv/bin/python").exists() {
        anyhow::bail!("the peers are missing: run `cargo xtask setup` first");
    }
    let work = root.join("target/bench-verify");
    Cmd::new("cargo")
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "signet-api",
            "--example",
            "bench_verify",
            "--",
        ])
        .arg(&work)
        .run()?;
    Ok(std::process::ExitCode::SUCCESS)
}
