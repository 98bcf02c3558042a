//! `cargo xtask test`: every test of the workspace, in one command, with one summary line.
//!
//! Steps, in order (a failing step does not stop the later ones; a failing set-up does):
//! set-up → UI build → `cargo fmt --check` → clippy → one build of every target → Rust tests
//! (nextest) → signet-node's tests again on PostgreSQL (a private cluster in target/pg) → the vault's crash test and its keyring tests in a private D-Bus session → the UI's
//! type check, lint and unit tests → the end-to-end tests of the real window under Xvfb.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;

use crate::process::{Cmd, on_path};
use crate::summary::{self, Counts, Summary};
use crate::{setup, ui};

pub(crate) fn all(root: &Path, args: &[String]) -> anyhow::Result<ExitCode> {
    if !args.is_empty() {
        bail!("`cargo xtask test` takes no arguments");
    }
    setup::everything(root, setup::Purpose::Test)?;
    ui::build(root)?;
    let scratch = root.join("target/xtask");
    std::fs::create_dir_all(&scratch)?;
    let mut summary = Summary::default();

    check(
        &mut summary,
        "rustfmt",
        Cmd::new("cargo").args(["fmt", "--all", "--check"]),
    );
    check(
        &mut summary,
        "clippy",
        Cmd::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    );
    // One build of every target with one feature resolution: the tests, the binaries the
    // end-to-end tests start and the examples the crash test runs all come from it, so nothing is
    // compiled twice (building the binaries alone would resolve features without the
    // dev-dependencies and rebuild part of the graph).
    let built = Cmd::new("cargo")
        .args(["build", "--workspace", "--all-targets", "--locked"])
        .run();
    if let Err(err) = &built {
        summary.record("build", Counts::FAIL, Some(err.to_string()));
    }
    stop_system_pcscd();
    rust_tests(&mut summary);
    node_on_postgres(&mut summary, root);
    vault_crash_test(&mut summary, root);
    vault_keyring(&mut summary, root);

    check(
        &mut summary,
        "ui type check",
        Cmd::new("npm").args(["run", "check", "--workspace", "ui"]),
    );
    check(
        &mut summary,
        "ui lint",
        Cmd::new("npm").args(["run", "lint", "--workspace", "ui"]),
    );
    ui_tests(&mut summary, &scratch);

    if built.is_ok() {
        end_to_end(&mut summary, root);
    } else {
        summary.record(
            "end-to-end",
            Counts::FAIL,
            Some("not run: the workspace did not build".into()),
        );
    }

    summary.print();
    Ok(if summary.total().failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A check that counts as one test: it passes when the command succeeds.
fn check(summary: &mut Summary, name: &str, command: Cmd) {
    match command.run() {
        Ok(()) => summary.record(name, Counts::PASS, None),
        Err(err) => summary.record(name, Counts::FAIL, Some(err.to_string())),
    }
}

/// A test runner: its own counts, read from its output.
fn runner(
    summary: &mut Summary,
    name: &str,
    output: anyhow::Result<crate::process::Output>,
    parse: impl FnOnce(&str) -> Option<Counts>,
) {
    match output {
        Err(err) => summary.record(name, Counts::FAIL, Some(err.to_string())),
        Ok(output) => match parse(&output.text) {
            Some(counts) if output.success || counts.failed > 0 => {
                summary.record(name, counts, None)
            }
            Some(counts) => summary.record(
                name,
                Counts {
                    failed: counts.failed + 1,
                    ..counts
                },
                Some("the runner failed although no test did".into()),
            ),
            None => summary.record(
                name,
                Counts::FAIL,
                Some("no test summary: it did not build or run".into()),
            ),
        },
    }
}

/// The card tests start their own pcscd with the virtual card (signet-testkit's harness), and
/// there is only one pcscd per machine. Installing the pcscd package starts the system's daemon
/// where services may start (no policy-rc.d), so stop it, and say so.
pub(crate) fn stop_system_pcscd() {
    if Cmd::new("pgrep").args(["-x", "pcscd"]).read().is_none() {
        return;
    }
    eprintln!(
        "xtask: stopping the running pcscd: the card tests start their own with the virtual card \
         (start it again afterwards with `sudo service pcscd start`)"
    );
    let as_root = Cmd::new("id")
        .arg("-u")
        .read()
        .is_some_and(|uid| uid.trim() == "0");
    let pkill = if as_root {
        Cmd::new("pkill")
    } else {
        Cmd::new("sudo").arg("pkill")
    };
    if let Err(err) = pkill.args(["-x", "pcscd"]).run() {
        eprintln!("xtask: could not stop pcscd ({err}); the card tests will say why they fail");
        return;
    }
    for _ in 0..50 {
        if Cmd::new("pgrep").args(["-x", "pcscd"]).read().is_none() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn rust_tests(summary: &mut Summary) {
    if on_path("cargo-nextest") {
        let output = Cmd::new("cargo")
            .args([
                "nextest",
                "run",
                "--workspace",
                "--no-fail-fast",
                "--locked",
            ])
            .run_kept();
        runner(summary, "rust tests (nextest)", output, summary::nextest);
        // nextest does not run doctests.
        let output = Cmd::new("cargo")
            .args(["test", "--workspace", "--doc", "--locked"])
            .run_kept();
        runner(summary, "rust doctests", output, |text| {
            summary::libtest(text).or(Some(Counts::default()))
        });
    } else {
        let output = Cmd::new("cargo")
            .args(["test", "--workspace", "--no-fail-fast", "--locked"])
            .run_kept();
        runner(summary, "rust tests", output, summary::libtest);
    }
}

/// signet-node's suite once more, on PostgreSQL: the tests read the server from
/// `SIGNET_TEST_POSTGRES_URL` and fail without it.
fn node_on_postgres(summary: &mut Summary, root: &Path) {
    let url = match crate::postgres::start(root) {
        Ok(url) => url,
        Err(err) => {
            summary.record(
                "signet-node on PostgreSQL",
                Counts::FAIL,
                Some(format!("no PostgreSQL cluster: {err:#}")),
            );
            return;
        }
    };
    let output = Cmd::new("cargo")
        .args([
            "nextest",
            "run",
            "--package",
            "signet-node",
            "--no-fail-fast",
            "--locked",
        ])
        .env("SIGNET_NODE_TEST_BACKEND", "postgres")
        .env("SIGNET_TEST_POSTGRES_URL", url)
        .run_kept();
    crate::postgres::stop(root);
    runner(
        summary,
        "signet-node on PostgreSQL (nextest)",
        output,
        summary::nextest,
    );
}

fn ui_tests(summary: &mut Summary, scratch: &Path) {
    let report = scratch.join("vitest.json");
    let _ = std::fs::remove_file(&report);
    let output = Cmd::new("npm")
        .args([
            "run",
            "test",
            "--workspace",
            "ui",
            "--",
            "--reporter=default",
            "--reporter=json",
        ])
        .arg(format!("--outputFile.json={}", report.display()))
        .run_kept();
    runner(summary, "ui unit tests (vitest)", output, |_| {
        std::fs::read_to_string(&report)
            .ok()
            .as_deref()
            .and_then(summary::vitest_json)
    });
}

/// The end-to-end tests of the real desktop window: under Xvfb and a private D-Bus session
/// (tests/desktop/session.sh starts the notification daemon and the keyring inside it).
fn end_to_end(summary: &mut Summary, root: &Path) {
    let Some(driver) = setup::tauri_driver_path() else {
        summary.record(
            "end-to-end",
            Counts::FAIL,
            Some("tauri-driver is not installed".into()),
        );
        return;
    };
    let artifacts = root.join("artifacts/e2e");
    let _ = std::fs::create_dir_all(&artifacts);
    let output = Cmd::new("xvfb-run")
        .args([
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            "dbus-run-session",
            "--",
            "bash",
        ])
        .arg(root.join("tests/desktop/session.sh"))
        .env(
            "SIGNET_DESKTOP_BIN",
            root.join("target/debug/signet-desktop"),
        )
        .env("SIGNET_CLI_BIN", root.join("target/debug/signet"))
        .env("SIGNET_DEMO_BIN", root.join("target/debug/signet-demo"))
        .env("SIGNET_ARTIFACTS", &artifacts)
        .env("TAURI_DRIVER", driver)
        .run_kept();
    runner(summary, "end-to-end (real window)", output, summary::tap);
}

/// The vault's crash test, shortened (`cargo xtask crash-test vault` runs 100 kills).
fn vault_crash_test(summary: &mut Summary, root: &Path) {
    let name = "vault crash test (20 kills)";
    match crate::crash::vault(root, 20) {
        Ok(tally) if tally.lost == 0 && tally.corrupt == 0 => {
            summary.record(name, Counts::PASS, None);
        }
        Ok(tally) => summary.record(name, Counts::FAIL, Some(tally.line())),
        Err(err) => summary.record(name, Counts::FAIL, Some(format!("{err:#}"))),
    }
}

/// The vault's key in a real Secret Service: gnome-keyring in a private D-Bus session (with
/// `signet data`'s sessions kept in the vault between two CLI processes).
fn vault_keyring(summary: &mut Summary, root: &Path) {
    let output = Cmd::new("dbus-run-session")
        .args(["--", "bash"])
        .arg(root.join("crates/signet-vault/tests/keyring-session.sh"))
        .run_kept();
    // Only the ignored tests run there; the others are counted by the main run, not as skipped.
    runner(summary, "vault keyring (gnome-keyring)", output, |text| {
        summary::nextest(text)
            .or_else(|| summary::libtest(text))
            .map(|counts| Counts {
                skipped: 0,
                ..counts
            })
    });
}
