//! `cargo xtask bench app`: the desktop app, release build, under Xvfb and a private D-Bus
//! session (`xvfb-run -a dbus-run-session`, which this command starts around itself):
//!
//! - **start**: from starting `signet-desktop` (a new process; the files are in the page cache
//!   after the build) to the time stamp of its "window ready" line in its log file (stderr
//!   carries warnings only), written when the window's first screen is mounted with its data
//!   loaded (the app's facts, the opened files, the card's state) and painted (the `ui_ready`
//!   command, event `ui-ready`). First one start of a new account (empty home: no data, no
//!   caches), printed, then five cold starts of the app with the data and caches that first run
//!   left (what a person sees every day: Mesa keeps llvmpipe's compiled shaders, WebKit its
//!   caches, in `~/.cache`); target: their median under 1 s;
//! - **idle memory**: one minute after a start, the proportional set size of signet-desktop and
//!   every process under it (WebKit's web and network processes), summed from
//!   `/proc/PID/smaps_rollup`; target under 150 MB;
//! - **batch**: 200 one-page PDFs signed as PAdES B-LT with a PKCS#12 file through the desktop's
//!   command path (`signet_api::batching::run`, what the `run_batch` command calls) against the
//!   release CLI (`signet batch`), three rounds each (`crates/signet-api/examples/bench_batch.rs`);
//!   target: the desktop's rate at least 80 % of the CLI's.
//!
//! There is no desktop peer to compare with: these are absolute targets, printed with the
//! machine's load (`/proc/loadavg`). Fails when one is missed. For scale, the idle memory of
//! WebKitGTK's own MiniBrowser showing a one-line page is measured the same way in the same run:
//! the floor of any window drawn by this WebKit here.

use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::bench_node::loadavg;
use crate::process::Cmd;

const MAX_START_MS: f64 = 1000.0;
const MAX_IDLE_MB: f64 = 150.0;
const MIN_BATCH_RATIO: f64 = 0.8;
const STARTS: usize = 5;
const IDLE: Duration = Duration::from_secs(60);

/// Builds, then runs [`measure`] inside Xvfb and a private session bus.
pub(crate) fn run(root: &Path) -> anyhow::Result<ExitCode> {
    crate::ui::build(root)?;
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--locked",
            "--package",
            "signet-desktop",
            "--package",
            "signet-cli",
        ])
        .run()?;
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--locked",
            "--package",
            "signet-api",
            "--example",
            "bench_batch",
        ])
        .run()?;
    let me = std::env::current_exe().context("where xtask is")?;
    let output = Cmd::new("xvfb-run")
        .args(["-a", "dbus-run-session", "--"])
        .arg(me)
        .args(["bench", "app-measure"])
        .run_kept()?;
    Ok(if output.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts the app in `home` (emptied first when `fresh`; otherwise only its log files go, so
/// that [`wait_ready`] reads this start's); returns it and when it was started (UTC seconds of
/// the day).
fn start_app(root: &Path, home: &Path, fresh: bool) -> anyhow::Result<(Child, f64)> {
    if fresh {
        let _ = std::fs::remove_dir_all(home);
    } else {
        let _ = std::fs::remove_dir_all(home.join("data/ee.signet.Signet/logs"));
    }
    for sub in ["data", "config", "cache"] {
        std::fs::create_dir_all(home.join(sub))?;
    }
    #[allow(
        clippy::disallowed_methods,
        reason = "compared with the wall-clock time stamp of the app's log line"
    )]
    let started = seconds_of_day(std::time::SystemTime::now());
    let child = Command::new(root.join("target/release/signet-desktop"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("SIGNET_LOG", "info")
        .env_remove("SIGNET_PROFILE")
        .env_remove("SIGNET_PROFILE_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start target/release/signet-desktop")?;
    Ok((child, started))
}

fn seconds_of_day(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() % 86_400.0)
}

/// `2026-12-07T03:46:15.739383Z …` → seconds of the day.
fn log_time(line: &str) -> Option<f64> {
    let time = line.get(11..)?.split(['Z', ' ']).next()?;
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// Waits for the app's "window ready" line in its log file (the log's own time stamp, to the
/// microsecond); the time from the start to it.
fn wait_ready(home: &Path, started: f64) -> anyhow::Result<Duration> {
    let logs = home.join("data/ee.signet.Signet/logs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let files = std::fs::read_dir(&logs).into_iter().flatten().flatten();
        for file in files {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            if let Some(at) = text
                .lines()
                .find(|l| l.contains("window ready"))
                .and_then(log_time)
            {
                let mut seconds = at - started;
                if seconds < -43_200.0 {
                    seconds += 86_400.0;
                }
                return Ok(Duration::from_secs_f64(seconds.max(0.0)));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("signet-desktop did not log that its window was ready within 60 s")
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `pid` and every process under it.
fn process_tree(pid: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.filter_map(Result::ok) {
            let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // pid (comm) state ppid …: the command may hold spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                continue;
            };
            if let Some(ppid) = after
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u32>().ok())
            {
                parents.push((p, ppid));
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree
}

/// A process's proportional set size, kB, and its name.
fn pss_kb(pid: u32) -> Option<(u64, String)> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let kb = rollup
        .lines()
        .find(|l| l.starts_with("Pss:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    Some((kb, name.trim().to_owned()))
}

/// The summed PSS, MB, of WebKitGTK's MiniBrowser (installed with the library the app uses) and
/// its processes, [`IDLE`] after it was started on a one-line page.
fn webkit_floor_mb(work: &Path) -> anyhow::Result<f64> {
    let browser = ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"]
        .iter()
        .map(|dir| Path::new(dir).join("webkit2gtk-4.1/MiniBrowser"))
        .find(|p| p.exists())
        .context("MiniBrowser is not installed (it comes with libwebkit2gtk-4.1)")?;
    let home = work.join("home-minibrowser");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    let page = home.join("page.html");
    std::fs::write(
        &page,
        "<!doctype html><title>Page</title><p>One line.</p>\n",
    )?;
    let started = Instant::now();
    let child = Command::new(browser)
        .arg(format!("file://{}", page.display()))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start MiniBrowser")?;
    std::thread::sleep(IDLE.saturating_sub(started.elapsed()));
    let kb: u64 = process_tree(child.id())
        .into_iter()
        .filter_map(pss_kb)
        .map(|(kb, _)| kb)
        .sum();
    stop(child);
    Ok(kb as f64 / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The measurements, inside Xvfb and the private bus.
pub(crate) fn measure(root: &Path) -> anyhow::Result<ExitCode> {
    let work = root.join("target/bench-app");
    std::fs::create_dir_all(&work)?;
    println!("signet-desktop bench (release build, Xvfb, private D-Bus session)");

    // Starts: the first of a new account, then the everyday ones.
    let home = work.join("home");
    let load = loadavg();
    let (child, started) = start_app(root, &home, true)?;
    let ready = wait_ready(&home, started);
    stop(child);
    println!(
        "  first start of a new account (no data, no caches; not judged): {:.0} ms to the window's ready event (load {load})",
        ready?.as_secs_f64() * 1000.0
    );
    let mut starts = Vec::new();
    for n in 0..STARTS {
        let load = loadavg();
        let (child, started) = start_app(root, &home, false)?;
        let ready = wait_ready(&home, started);
        stop(child);
        let ms = ready?.as_secs_f64() * 1000.0;
        println!(
            "  start {}: {ms:.0} ms to the window's ready event, with the data and caches of the earlier runs (load {load})",
            n + 1
        );
        starts.push(ms);
    }
    let start_ms = median(starts.clone());
    let start_ok = start_ms < MAX_START_MS;
    println!(
        "  start with the earlier runs' data and caches, median of {STARTS}: {start_ms:.0} ms (min {:.0}, max {:.0}; target < {MAX_START_MS:.0} ms): {}",
        starts.iter().copied().fold(f64::INFINITY, f64::min),
        starts.iter().copied().fold(0.0, f64::max),
        if start_ok { "met" } else { "MISSED" }
    );

    // Idle memory.
    let started = Instant::now();
    let (child, at) = start_app(root, &home, false)?;
    if let Err(err) = wait_ready(&home, at) {
        stop(child);
        return Err(err);
    }
    std::thread::sleep(IDLE.saturating_sub(started.elapsed()));
    let mut parts = Vec::new();
    for pid in process_tree(child.id()) {
        if let Some(part) = pss_kb(pid) {
            parts.push(part);
        }
    }
    let after = started.elapsed().as_secs();
    stop(child);
    let total_mb = parts.iter().map(|(kb, _)| *kb as f64).sum::<f64>() / 1024.0;
    let idle_ok = total_mb < MAX_IDLE_MB && !parts.is_empty();
    println!(
        "  idle memory {after} s after the start: {total_mb:.1} MB PSS ({}; target < {MAX_IDLE_MB:.0} MB; load {}): {}",
        parts
            .iter()
            .map(|(kb, name)| format!("{name} {:.1} MB", *kb as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", "),
        loadavg(),
        if idle_ok { "met" } else { "MISSED" }
    );

    // The engine's floor, for scale.
    match webkit_floor_mb(&work) {
        Ok(mb) => println!(
            "  for scale: WebKitGTK's MiniBrowser showing a one-line page, {} s after its start: {mb:.1} MB PSS \
             (the same processes: the browser, its web and network processes)",
            IDLE.as_secs()
        ),
        Err(err) => println!("  for scale: WebKitGTK's MiniBrowser could not be measured: {err:#}"),
    }

    // Batch.
    let load = loadavg();
    let out = Command::new(root.join("target/release/examples/bench_batch"))
        .arg(work.join("batch"))
        .arg(root.join("target/release/signet"))
        .env("SIGNET_LOG", "warn")
        .output()
        .context("cannot run bench_batch")?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "bench_batch failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let line = text
        .lines()
        .find(|l| l.starts_with("batch files"))
        .context("bench_batch printed no figures")?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let files: f64 = words
        .get(2)
        .and_then(|w| w.parse().ok())
        .unwrap_or(f64::NAN);
    let section = |name: &str| -> Vec<f64> {
        words
            .iter()
            .skip_while(|w| **w != name)
            .skip(1)
            .map_while(|w| w.parse().ok())
            .collect()
    };
    let (desktop, cli) = (section("desktop"), section("cli"));
    let desktop_rate = files / median(desktop.clone());
    let cli_rate = files / median(cli.clone());
    let ratio = desktop_rate / cli_rate;
    let batch_ok = ratio >= MIN_BATCH_RATIO;
    println!(
        "  batch of {files} PDFs, PAdES B-LT, PKCS#12: desktop command path {desktop_rate:.1} files/s (runs {desktop:?} s), \
         CLI {cli_rate:.1} files/s (runs {cli:?} s): {:.0} % of the CLI's rate (target ≥ {:.0} %; load at the start {load}, now {}): {}",
        ratio * 100.0,
        MIN_BATCH_RATIO * 100.0,
        loadavg(),
        if batch_ok { "met" } else { "MISSED" }
    );
    let ok = start_ok && idle_ok && batch_ok;
    println!("  {}", if ok { "targets met" } else { "TARGETS MISSED" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
