//! Running other programs: with their output shown as it comes, and optionally kept for parsing.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

/// A command to run, printed before it runs.
#[derive(Debug)]
pub(crate) struct Cmd {
    command: Command,
    shown: String,
}

/// What a finished command printed, and whether it succeeded.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) success: bool,
    pub(crate) text: String,
}

impl Cmd {
    pub(crate) fn new(program: impl AsRef<OsStr>) -> Self {
        let shown = program.as_ref().to_string_lossy().into_owned();
        Self {
            command: Command::new(program),
            shown,
        }
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub(crate) fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs the command with inherited output; an error when it fails.
    pub(crate) fn run(mut self) -> anyhow::Result<()> {
        eprintln!("$ {}", self.shown);
        let status = self
            .command
            .status()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.shown);
        }
        Ok(())
    }

    /// Runs the command, showing its output as it comes and keeping it (stdout and stderr
    /// interleaved by line) for the caller to parse.
    pub(crate) fn run_kept(mut self) -> anyhow::Result<Output> {
        eprintln!("$ {}", self.shown);
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        let (sender, receiver) = std::sync::mpsc::channel::<String>();
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            let sender = sender.clone();
            readers.push(std::thread::spawn(move || {
                forward(BufReader::new(stdout), &sender)
            }));
        }
        if let Some(stderr) = child.stderr.take() {
            let sender = sender.clone();
            readers.push(std::thread::spawn(move || {
                forward(BufReader::new(stderr), &sender)
            }));
        }
        drop(sender);
        let mut text = String::new();
        for line in receiver {
            eprintln!("{line}");
            text.push_str(&line);
            text.push('\n');
        }
        for reader in readers {
            let _ = reader.join();
        }
        let status = child
            .wait()
            .with_context(|| format!("`{}` vanished", self.shown))?;
        let _ = std::io::stderr().flush();
        Ok(Output {
            success: status.success(),
            text,
        })
    }

    /// Runs the command quietly and returns its standard output when it succeeds.
    pub(crate) fn read(mut self) -> Option<String> {
        let output = self.command.stderr(Stdio::null()).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

fn forward(reader: impl BufRead, sender: &std::sync::mpsc::Sender<String>) {
    for line in reader.split(b'\n') {
        let Ok(line) = line else { break };
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_owned();
        if sender.send(line).is_err() {
            break;
        }
    }
}

/// Whether `program` is on the PATH.
pub(crate) fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

/// The full path of `program` on the PATH.
pub(crate) fn find_on_path(program: &str) -> Option<std::path::PathBuf> {
    let path: OsString = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
