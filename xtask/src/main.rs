//! `cargo xtask`: the developer commands of the Signet workspace.
//!
//! ```text
//! cargo xtask run        install what is missing, build the UI and the app, start it (demo profile)
//! cargo xtask demo       only the demo services (local PKI, five agency nodes) and their profile
//! cargo xtask test       install what is missing, build, run every test, print `N passed, N failed`
//! cargo xtask setup      only install what is missing
//! cargo xtask bindings   regenerate the UI's TypeScript bindings from the Rust types
//! cargo xtask bench node  release benchmark of signet-node (queries/s, query → stream p99,
//!                         without and with 1,000 slow clients)
//! cargo xtask bench app   desktop start to ready, idle memory, batch against the CLI (release)
//! cargo xtask bench data  query → desktop notification on D-Bus; sync of 10,000 entries (release)
//! cargo xtask postgres   start the tests' PostgreSQL cluster (target/pg) and print its URL
//! cargo xtask crash-test vault [--kills N]   SIGKILL the vault's writer N times; check nothing is lost
//! cargo xtask bench asice  ASiC-E signing against pydigidoc (release build)
//! cargo xtask bench pades  PAdES signing against pyHanko and the copy+hash floor (release build)
//! cargo xtask bench verify offline validation against pyHanko and libdigidocpp (release build)
//! ```
//!
//! Every step is idempotent: what is installed is not installed again, a UI that is up to date is
//! not rebuilt.

mod bench_app;
mod bench_asice;
mod bench_data;
mod bench_node;
mod bench_pades;
mod bench_verify;
mod crash;
mod demo;
mod postgres;
mod process;
mod setup;
mod summary;
mod test;
mod ui;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run        install what is missing, build the UI and the desktop app, and start it (demo profile);
             with --virtual-card, also pcscd with a virtual ID card (PIN1 1234, PIN2 12345)
  demo       start only the demo services (local OCSP, TSA, CRL, five agency nodes) and write
             their profile to target/demo, for the CLI (SIGNET_PROFILE_DIR); Ctrl-C stops them
  test       install what is missing, build, and run every test; prints `N passed, N failed`
  setup      install what is missing (Debian packages, Rust components, npm packages, tauri-driver)
  bindings   regenerate ui/src/lib/backend/bindings.ts from the Rust types
  bench node signet-node's benchmark in release: logged queries/s over mTLS, query → stream p99,
             without and with 1,000 slow clients attached
  bench app  the desktop app in release under Xvfb: start to the window's ready event, idle
             memory (PSS) after a minute, a 200-PDF batch through its command path against the CLI
  bench data official's query → desktop notification on a private D-Bus session (p50, p99 over
             200 queries) and the sync of 10,000 usage entries from five agencies (release build)
  postgres   start (or reuse) the tests' private PostgreSQL cluster in target/pg; prints its URL
  crash-test vault [--kills N]
             kill the vault's writer N times (default 100); prints `N kills, N lost, N corrupt`
  bench asice
             ASiC-E signing against pydigidoc, release build: containers/s, MB/s, peak memory
  bench pades
             PAdES signing speed against pyHanko and the cp+sha256sum floor (release build)
  bench verify
             offline validation of 100 B-LT PDFs and 100 containers against pyHanko and
             libdigidocpp (release build), with where the milliseconds go
  help       show this";

fn main() -> std::process::ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<std::process::ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root()?;
    std::env::set_current_dir(&root).with_context(|| format!("cannot enter {}", root.display()))?;
    match args.first().map(String::as_str) {
        Some("run") => run_app(&root, &args[1..]).map(|()| std::process::ExitCode::SUCCESS),
        Some("test") => test::all(&root, &args[1..]),
        Some("demo") => demo::command(&root, &args[1..]),
        Some("setup") => {
            setup::everything(&root, setup::Purpose::Test)?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some("bindings") => {
            process::Cmd::new("cargo")
                .args([
                    "test",
                    "--quiet",
                    "--package",
                    "signet-api",
                    "--lib",
                    "bindings",
                ])
                .env("SIGNET_UPDATE_BINDINGS", "1")
                .run()?;
            println!("xtask: wrote ui/src/lib/backend/bindings.ts");
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some("crash-test") => crash::command(&root, &args[1..]),
        Some("bench") => match args.get(1).map(String::as_str) {
            Some("app") => bench_app::run(&root),
            // What `bench app` runs inside Xvfb and its private session bus.
            Some("app-measure") => bench_app::measure(&root),
            Some("asice") => bench_asice::run(&root),
            Some("data") => bench_data::run(&root),
            Some("node") => bench_node::run(&root, &args[2..]),
            Some("pades") => bench_pades::run(&root),
            Some("verify") => bench_verify::run(&root),
            other => bail!(
                "unknown benchmark {other:?}: cargo xtask bench app|asice|data|node|pades|verify [signet-node bench options]"
            ),
        },
        Some("postgres") => {
            println!("{}", postgres::start(&root)?);
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// `cargo xtask run`: set up, build, and start the desktop app in its demo profile.
fn run_app(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let virtual_card = match args {
        [] => false,
        [flag] if flag == "--virtual-card" => true,
        _ => bail!("`cargo xtask run` takes only --virtual-card\n\n{USAGE}"),
    };
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        bail!(
            "there is no display to show Signet's window on (neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             On a desktop session, run `cargo xtask run` from its terminal. On a server, run it under a \
             virtual display: `xvfb-run -a cargo xtask run`, or run every test headless with `cargo xtask test`."
        );
    }
    // The virtual card needs pcscd and vpcd, which come with the test set-up.
    setup::everything(
        root,
        if virtual_card {
            setup::Purpose::Test
        } else {
            setup::Purpose::Run
        },
    )?;
    ui::build(root)?;
    demo::build(&["signet-desktop"])?;
    // The demo services first (local OCSP, TSA, agency nodes; the profile in target/demo), then
    // the app in that profile; the services stop when the app ends (or when this process does).
    let mut services = demo::start(root, virtual_card)?;
    let binary = root.join("target/debug/signet-desktop");
    println!("xtask: starting {} (demo profile)", binary.display());
    let app = process::Cmd::new(&binary)
        .env("SIGNET_PROFILE", "demo")
        .env("SIGNET_PROFILE_DIR", &services.profile)
        .run();
    services.stop();
    app
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .context("xtask is not inside the workspace")
}
