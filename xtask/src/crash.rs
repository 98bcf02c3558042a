//! `cargo xtask crash-test vault [--kills N]`: kill the vault's writer with SIGKILL at random
//! moments, and check after each kill that every write it reported is there and the file is intact.
//!
//! The writer is signet-vault's `crash-writer` example. Half the rounds write (with a key rotation
//! every 25 writes), half rotate the key between every two writes, so that many kills land inside
//! `PRAGMA rekey` or between the steps of a rotation. After each kill, `crash-writer verify` checks
//! that exactly one of the stored keys opens the file, that `PRAGMA integrity_check` is `ok`, and
//! that every write the writer reported as committed is present. The last line printed is
//! `N kills, N lost, N corrupt`.

use std::collections::BTreeSet;
use std::hash::{BuildHasher as _, Hasher as _};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::process::Cmd;

/// What the rounds found.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) kills: u64,
    pub(crate) lost: u64,
    pub(crate) corrupt: u64,
    /// Kills that landed between `rotating` and `rotated`.
    pub(crate) during_rotation: u64,
    /// Kills after which the key store held both the old and the new key, and the file opened
    /// with the new one (the rekey had committed).
    pub(crate) both_keys: u64,
    pub(crate) new_key_opened: u64,
}

impl Tally {
    pub(crate) fn line(&self) -> String {
        format!(
            "{} kills, {} lost, {} corrupt",
            self.kills, self.lost, self.corrupt
        )
    }
}

/// `cargo xtask crash-test …`
pub(crate) fn command(root: &Path, args: &[String]) -> anyhow::Result<ExitCode> {
    let usage = "usage: cargo xtask crash-test vault [--kills N]";
    let kills = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["vault"] => 100,
        ["vault", "--kills", n] => n
            .parse()
            .with_context(|| format!("--kills takes a number\n{usage}"))?,
        _ => bail!("{usage}"),
    };
    let tally = vault(root, kills)?;
    println!("{}", tally.line());
    Ok(if tally.lost == 0 && tally.corrupt == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs `kills` rounds against a fresh vault in target/xtask/crash-vault.
pub(crate) fn vault(root: &Path, kills: u64) -> anyhow::Result<Tally> {
    Cmd::new("cargo")
        .args([
            "build",
            "--quiet",
            "--locked",
            "--package",
            "signet-vault",
            "--example",
            "crash-writer",
        ])
        .run()?;
    let writer = root.join("target/debug/examples/crash-writer");
    let scratch = root.join("target/xtask/crash-vault");
    let _ = std::fs::remove_dir_all(&scratch);
    let dir = scratch.join("vault");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let expected_file = scratch.join("expected");

    let started = Instant::now();
    let mut random = Random::new();
    let mut committed = BTreeSet::new();
    let mut tally = Tally::default();
    for round in 0..kills {
        let mode = if round % 2 == 0 { "write" } else { "rotate" };
        let (lines, in_rotation) = kill_one(&writer, mode, &dir, &mut random)?;
        tally.kills += 1;
        tally.during_rotation += u64::from(in_rotation);
        committed.extend(lines);
        let list: String = committed.iter().map(|line| format!("{line}\n")).collect();
        std::fs::write(&expected_file, list)?;

        let output = Command::new(&writer)
            .arg("verify")
            .arg(&dir)
            .arg(&expected_file)
            .output()
            .with_context(|| format!("cannot run {}", writer.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let number = |prefix: &str| -> Option<u64> {
            text.lines()
                .find_map(|line| line.strip_prefix(prefix)?.trim().parse().ok())
        };
        let (Some(lost), Some(corrupt)) = (number("lost "), number("corrupt ")) else {
            bail!(
                "the checker said nothing readable after kill {}:\n{text}{}",
                round + 1,
                String::from_utf8_lossy(&output.stderr)
            );
        };
        if lost > 0 || corrupt > 0 {
            eprintln!("crash-test: after kill {} ({mode}):\n{text}", round + 1);
        }
        tally.both_keys += u64::from(text.contains("rotation interrupted"));
        tally.new_key_opened += u64::from(text.contains("opened with the new key"));
        tally.lost += lost;
        tally.corrupt += corrupt;
        if (round + 1) % 10 == 0 {
            eprintln!(
                "crash-test: {} kills ({} during a key rotation), {} writes acknowledged, {:.0?}",
                tally.kills,
                tally.during_rotation,
                committed.len(),
                started.elapsed()
            );
        }
    }
    eprintln!(
        "crash-test: {} writes acknowledged in all; {} of {} kills landed during a key rotation, \
         {} of them with both keys stored (the file opened with exactly one: the new one {} times); {:.1?}",
        committed.len(),
        tally.during_rotation,
        tally.kills,
        tally.both_keys,
        tally.new_key_opened,
        started.elapsed()
    );
    Ok(tally)
}

/// Starts the writer, kills it at a random moment, and returns the writes it reported and
/// whether it was inside a key rotation.
fn kill_one(
    writer: &Path,
    mode: &str,
    dir: &Path,
    random: &mut Random,
) -> anyhow::Result<(Vec<String>, bool)> {
    let mut child = Command::new(writer)
        .arg(mode)
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", writer.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    // One round in five kills it while it opens (reconciling an earlier interruption); the others
    // once it reports `ready`, after up to 150 ms of writing.
    if random.below(5) != 0 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(line) => {
                    let ready = line == "ready";
                    lines.push(line);
                    if ready {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let stderr = child.stderr.take().map(|mut e| {
                        let mut text = String::new();
                        let _ = std::io::Read::read_to_string(&mut e, &mut text);
                        text
                    });
                    bail!(
                        "the writer did not get ready: {}",
                        stderr.unwrap_or_default()
                    );
                }
            }
        }
        std::thread::sleep(Duration::from_millis(random.below(150)));
    } else {
        std::thread::sleep(Duration::from_millis(random.below(30)));
    }
    // std's kill is SIGKILL on Unix.
    child.kill().context("cannot kill the writer")?;
    let status = child.wait()?;
    let _ = reader.join();
    lines.extend(receiver.try_iter());
    if status.success() {
        bail!("the writer exited before it was killed");
    }
    let mut in_rotation = false;
    let mut writes = Vec::new();
    for line in lines {
        match line.as_str() {
            "rotating" => in_rotation = true,
            "rotated" => in_rotation = false,
            _ => {
                if let Some(write) = line.strip_prefix("committed ") {
                    writes.push(write.to_owned());
                }
            }
        }
    }
    Ok((writes, in_rotation))
}

/// A small xorshift generator seeded from the standard library's per-process random hash keys.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(u64::from(std::process::id()));
        Self(hasher.finish() | 1)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}
