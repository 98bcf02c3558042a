//! The demo services: `target/debug/signet-demo` (crates/signet-demo) started with the profile
//! folder `target/demo`, for `cargo xtask run` (then the app) and `cargo xtask demo` (alone).
//!
//! signet-demo prints what it started and the demo identity's password, and ends its start-up
//! with the line `signet-demo: ready`. It stops every service on SIGINT/SIGTERM, and by itself
//! when the process that started it (this one) ends.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::process::Cmd;

/// The profile folder, relative to the workspace root.
pub(crate) const PROFILE_DIR: &str = "target/demo";

/// The running demo services; stopped when dropped.
#[derive(Debug)]
pub(crate) struct Services {
    child: Option<Child>,
    /// The profile folder (absolute).
    pub(crate) profile: PathBuf,
}

/// Builds signet-demo and `extra` packages (one cargo run, one feature resolution).
pub(crate) fn build(extra: &[&str]) -> anyhow::Result<()> {
    let mut args = vec!["build", "--package", "signet-demo"];
    for package in extra {
        args.extend(["--package", package]);
    }
    Cmd::new("cargo").args(args).run()
}

/// Starts `target/debug/signet-demo` and waits until it is ready; its console output is shown.
/// With `virtual_card`, pcscd with the virtual ID card too; this console's `remove` and `insert`
/// lines then pull the card out and put it back.
pub(crate) fn start(root: &Path, virtual_card: bool) -> anyhow::Result<Services> {
    let binary = root.join("target/debug/signet-demo");
    let profile = root.join(PROFILE_DIR);
    let extra: &[&str] = if virtual_card {
        &["--virtual-card"]
    } else {
        &[]
    };
    eprintln!(
        "$ {} --dir {}{}",
        binary.display(),
        profile.display(),
        if virtual_card { " --virtual-card" } else { "" }
    );
    if virtual_card {
        eprintln!(
            "xtask: the virtual card needs pcscd with vsmartcard's vpcd, which listens on local port 35963; \
             a running pcscd is stopped first"
        );
        crate::test::stop_system_pcscd();
    }
    let mut child = Command::new(&binary)
        .arg("--dir")
        .arg(&profile)
        .args(extra)
        .stdin(if virtual_card {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("signet-demo's output")?;
    let mut services = Services {
        child: Some(child),
        profile,
    };
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    // Shows the console as it comes, then keeps showing it (the stop messages) until it ends.
    std::thread::spawn(move || {
        let mut ready_tx = Some(ready_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            println!("{line}");
            let _ = std::io::stdout().flush();
            if line == "signet-demo: ready"
                && let Some(tx) = ready_tx.take()
            {
                let _ = tx.send(());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if ready_rx.recv_timeout(Duration::from_millis(100)).is_ok() {
            return Ok(services);
        }
        if let Some(child) = services.child.as_mut()
            && let Some(status) = child.try_wait()?
        {
            services.child = None;
            bail!("signet-demo stopped before it was ready ({status})");
        }
        if Instant::now() > deadline {
            bail!("signet-demo was not ready after two minutes");
        }
    }
}

impl Services {
    /// Stops the services (SIGTERM, then SIGKILL after 30 s) and waits for the launcher.
    pub(crate) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("xtask: signet-demo did not stop in 30 s: killing it");
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Waits until the launcher ends (Ctrl-C reaches it with this process).
    pub(crate) fn wait(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            let status = child.wait()?;
            if !status.success() {
                bail!("signet-demo ended with {status}");
            }
        }
        Ok(())
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `cargo xtask demo`: the demo services alone, until Ctrl-C.
pub(crate) fn command(root: &Path, args: &[String]) -> anyhow::Result<std::process::ExitCode> {
    let virtual_card = match args {
        [] => false,
        [flag] if flag == "--virtual-card" => true,
        _ => bail!("`cargo xtask demo` takes only --virtual-card"),
    };
    crate::setup::everything(
        root,
        if virtual_card {
            // pcscd and vpcd come with the test set-up.
            crate::setup::Purpose::Test
        } else {
            crate::setup::Purpose::Demo
        },
    )?;
    build(&["signet-cli", "signet-node"])?;
    let mut services = start(root, virtual_card)?;
    println!(
        "the command line is {}; Ctrl-C stops the services",
        root.join("target/debug/signet").display()
    );
    services.wait()?;
    Ok(std::process::ExitCode::SUCCESS)
}
