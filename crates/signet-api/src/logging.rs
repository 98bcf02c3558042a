//! Logging for every Signet binary: `tracing` events to a rotating file a person can attach to a
//! bug report, and the important ones to standard error.
//!
//! What may be logged: what happened and why, with structured fields (an operation, a file's name,
//! a service's address, an error). What may never be logged, at any level: a PIN, a key, a token,
//! a personal code, document content. Secret types print `<redacted>`, so a slip shows up as that
//! word rather than as the secret.
//!
//! The level comes from `SIGNET_LOG` (an `EnvFilter` directive such as `debug` or
//! `signet_api=trace`); the default is `info` for the file and `warn` for standard error.

use std::ffi::OsStr;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The file name prefix of the log files: `signet.2026-11-27.log`.
pub const LOG_FILE_PREFIX: &str = "signet";
/// How many daily log files are kept before the oldest is deleted.
pub const KEPT_LOG_FILES: usize = 14;
/// The environment variable holding the log filter.
pub const LOG_ENV: &str = "SIGNET_LOG";

/// Keeps the log writer alive: drop it last, at exit, so buffered events reach the file.
#[derive(Debug)]
#[must_use = "dropping the guard stops writing the log file"]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
    dir: Option<PathBuf>,
}

impl LogGuard {
    /// The folder holding the log files, when logging to a file.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoggingError {
    /// The log folder could not be created or the file opened.
    #[error("cannot write the log file in {dir}: {reason}")]
    File {
        /// The log folder.
        dir: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A global subscriber was already installed (logging was set up twice).
    #[error("logging was already set up")]
    AlreadySet,
}

/// Where log events go.
#[derive(Debug, Clone)]
pub struct LogTarget {
    /// The folder of the rotating file, if any.
    pub dir: Option<PathBuf>,
    /// Whether warnings and errors are also written to standard error.
    pub stderr: bool,
}

/// A rotating (daily, [`KEPT_LOG_FILES`] kept) appender writing into `dir`.
pub fn rolling_file(dir: &Path) -> Result<RollingFileAppender, LoggingError> {
    std::fs::create_dir_all(dir).map_err(|err| LoggingError::File {
        dir: dir.to_owned(),
        reason: err.to_string(),
    })?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(dir)
        .map_err(|err| LoggingError::File {
            dir: dir.to_owned(),
            reason: err.to_string(),
        })
}

/// Targets whose most detailed events dump what goes over the wire (HTTP requests with their
/// `Authorization` header, answers with session tokens and personal data): capped at `debug`
/// whatever the filter asks.
const WIRE_DUMPS: &[&str] = &["ureq_proto=debug"];

/// The filter from `SIGNET_LOG` (or `default`), with the wire dumps capped.
fn filter(default: &str) -> EnvFilter {
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new(default));
    capped(filter)
}

fn capped(mut filter: EnvFilter) -> EnvFilter {
    for directive in WIRE_DUMPS {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global subscriber for a binary. Call once, early in `main`.
pub fn init(target: &LogTarget) -> Result<LogGuard, LoggingError> {
    init_with(target, None)
}

/// [`init`] with `directives` instead of `SIGNET_LOG` (tests that need a trace-level log; the
/// wire dumps stay capped).
pub fn init_with(target: &LogTarget, directives: Option<&str>) -> Result<LogGuard, LoggingError> {
    let chosen = |default: &str| match directives {
        Some(directives) => capped(EnvFilter::new(directives)),
        None => filter(default),
    };
    let file_filter = || chosen("info");
    let (file_layer, guard) = match &target.dir {
        Some(dir) => {
            let (writer, guard) = tracing_appender::non_blocking(rolling_file(dir)?);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_target(true)
                .with_writer(writer)
                .with_filter(file_filter());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = target.stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_target(false)
            .without_time()
            .with_ansi(colour_allowed(std::io::stderr().is_terminal()))
            .with_writer(std::io::stderr.with_max_level(tracing::Level::WARN))
            .with_filter(chosen("warn"))
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|_| LoggingError::AlreadySet)?;
    Ok(LogGuard {
        _file: guard,
        dir: target.dir.clone(),
    })
}

use tracing_subscriber::Layer as _;

/// Whether text written to a stream may carry colour codes: only when the stream is a terminal,
/// and neither `NO_COLOR` (any non-empty value) nor `CLICOLOR=0` asks for none
/// (<https://no-color.org>, <https://bixense.com/clicolors/>). Every Signet binary decides by
/// this, for its log lines and its own output.
pub fn colour_allowed(is_terminal: bool) -> bool {
    colour_allowed_by(
        is_terminal,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR").as_deref(),
    )
}

fn colour_allowed_by(
    is_terminal: bool,
    no_color: Option<&OsStr>,
    clicolor: Option<&OsStr>,
) -> bool {
    let no_color = no_color.is_some_and(|v| !v.is_empty());
    let clicolor_off = clicolor.is_some_and(|v| v == "0");
    is_terminal && !no_color && !clicolor_off
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reach_the_rotating_file_with_their_fields() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, guard) = tracing_appender::non_blocking(rolling_file(dir.path()).unwrap());
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(writer)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(operation = "app_info", files = 3, "operation finished");
        });
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(
            files[0].starts_with("signet.") && files[0].ends_with(".log"),
            "{files:?}"
        );
        let text = std::fs::read_to_string(dir.path().join(&files[0])).unwrap();
        assert!(text.contains("operation finished"), "{text}");
        assert!(text.contains("operation=\"app_info\""), "{text}");
        assert!(text.contains("files=3"), "{text}");
    }

    #[test]
    fn colour_only_on_a_terminal_and_never_against_no_color_or_clicolor_0() {
        let some = |v: &'static str| Some(OsStr::new(v));
        assert!(colour_allowed_by(true, None, None));
        assert!(!colour_allowed_by(false, None, None));
        assert!(!colour_allowed_by(true, some("1"), None));
        // An empty NO_COLOR is as if it were not set (no-color.org).
        assert!(colour_allowed_by(true, some(""), None));
        assert!(!colour_allowed_by(true, None, some("0")));
        assert!(colour_allowed_by(true, None, some("1")));
        assert!(!colour_allowed_by(false, None, some("1")));
    }

    #[test]
    fn an_unwritable_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let err = rolling_file(&file.join("logs")).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot write the log file in"),
            "{err}"
        );
    }
}
