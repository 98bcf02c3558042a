//! A private PostgreSQL cluster for the tests: `target/pg/data`, listening on 127.0.0.1:55432
//! and a socket in `target/pg`, run as the `postgres` user when xtask runs as root (PostgreSQL
//! refuses to run as root), without systemd (policy-rc.d blocks service starts in containers).
//! When the `postgres` user cannot reach the checkout (a clone under root's 0700 home), the
//! cluster lives in `/var/tmp/signet-test-pg-<hash of the checkout's path>` instead.
//! Idempotent: an initialised cluster is reused, a running one left running, the role and
//! database created only when missing.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::process::Cmd;

/// The port of the test cluster.
const PORT: &str = "55432";
/// The test role (password authentication over TCP) and its database.
const ROLE: &str = "signet_test";

fn bin_dir() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (cargo xtask setup installs it)")?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .context("no PostgreSQL server binaries under /usr/lib/postgresql")
}

fn as_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .read()
        .is_some_and(|uid| uid.trim() == "0")
}

/// The command `program` run as the cluster's owner.
fn owner(program: &Path) -> Cmd {
    if as_root() {
        Cmd::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
    } else {
        Cmd::new(program)
    }
}

fn psql(bin: &Path, sql: &str) -> Option<String> {
    Cmd::new(bin.join("psql"))
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            PORT,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            sql,
        ])
        .read()
}

/// Where the cluster lives: `target/pg`, unless xtask runs as root and the `postgres` user cannot
/// reach the checkout, when it goes to a folder of its own under `/var/tmp`.
fn cluster_dir(root: &Path) -> PathBuf {
    let inside = root.join("target/pg");
    if !as_root() {
        return inside;
    }
    let reachable = Cmd::new("runuser")
        .args(["-u", "postgres", "--", "test", "-x"])
        .arg(root.join("target"))
        .read()
        .is_some();
    if reachable {
        return inside;
    }
    // FNV-1a of the path: one folder per checkout, the same one on every run.
    let hash = root
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    PathBuf::from(format!("/var/tmp/signet-test-pg-{hash:016x}"))
}

/// Stops the cluster (fast shutdown), so a test run leaves no server behind.
pub(crate) fn stop(root: &Path) {
    let Ok(bin) = bin_dir() else { return };
    let data = cluster_dir(root).join("data");
    if data.join("postmaster.pid").exists() {
        let _ = owner(&bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-D"])
            .arg(&data)
            .read();
    }
}

/// Starts (or reuses) the cluster and returns the test role's URL.
pub(crate) fn start(root: &Path) -> anyhow::Result<String> {
    let bin = bin_dir()?;
    let dir = cluster_dir(root);
    let data = dir.join("data");
    std::fs::create_dir_all(&dir)?;
    if as_root() {
        Cmd::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .run()?;
    }
    if !data.join("PG_VERSION").exists() {
        owner(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .run()?;
    }
    let running = owner(&bin.join("pg_ctl"))
        .arg("status")
        .arg("-D")
        .arg(&data)
        .read()
        .is_some_and(|s| s.contains("server is running"));
    if !running {
        owner(&bin.join("pg_ctl"))
            .args(["start", "-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {PORT} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                dir.display()
            ))
            .run()?;
    }
    if psql(&bin, "SELECT 1").as_deref().map(str::trim) != Some("1") {
        bail!(
            "the test PostgreSQL cluster does not answer on 127.0.0.1:{PORT} (see {}/server.log)",
            dir.display()
        );
    }
    if psql(
        &bin,
        &format!("SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'"),
    )
    .is_none_or(|s| s.trim() != "1")
    {
        psql(
            &bin,
            &format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE}' CREATEDB"),
        )
        .context("creating the test role")?;
    }
    if psql(
        &bin,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{ROLE}'"),
    )
    .is_none_or(|s| s.trim() != "1")
    {
        psql(&bin, &format!("CREATE DATABASE {ROLE} OWNER {ROLE}"))
            .context("creating the test database")?;
    }
    // The tests make a database per test node; drop the previous run's.
    let old = psql(
        &bin,
        &format!("SELECT datname FROM pg_database WHERE datname LIKE '{ROLE}\\_%'"),
    )
    .unwrap_or_default();
    for name in old.lines().map(str::trim).filter(|n| !n.is_empty()) {
        psql(&bin, &format!("DROP DATABASE IF EXISTS {name}"))
            .with_context(|| format!("dropping the old test database {name}"))?;
    }
    Ok(format!("postgres://{ROLE}:{ROLE}@127.0.0.1:{PORT}/{ROLE}"))
}
