//! What `signet` prints: text for people on a terminal, one JSON document with `--json`.
//!
//! With `--json`, standard output carries exactly one JSON document (the result, or
//! `{"error": {"code", "message", "recommendation"}}`); diagnostics go to standard error.

use std::io::Write as _;

use serde::Serialize;
use signet_api::ApiError;
use signet_api::json::AppInfo;

use crate::args::Named;
use crate::exit::Status;

/// Prints a clap error (or the help and version it reports as errors) and picks the status:
/// help and version succeed, anything else is a usage error (64), never clap's own 2, which
/// means INDETERMINATE here. With `--json` a usage error is the one JSON document on standard
/// output, as every other error.
pub(crate) fn usage(err: &clap::Error, json: bool, command: &Named) -> Status {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Printing can only fail when the terminal is gone; nothing is left to tell then.
            let _ = err.print();
            Status::Success
        }
        _ if json => {
            let _ = print_json(&ErrorDocument {
                error: &usage_error(err, command),
            });
            Status::Usage
        }
        _ => {
            let _ = err.print();
            Status::Usage
        }
    }
}

/// A clap error as Signet's error: the message is clap's (its first paragraph, without
/// "error: "), the recommendation its tips, the usage of the command the line named and where
/// its help is.
fn usage_error(err: &clap::Error, command: &Named) -> ApiError {
    use clap::error::ErrorKind;
    let Named {
        name,
        usage,
        subcommands,
    } = command;
    // `render()` is plain text when printed with `Display`: no colour codes.
    let rendered = err.render().to_string();
    let message = match err.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand
            if !subcommands.is_empty() =>
        {
            format!("`{name}` needs a subcommand: {}", subcommands.join(", "))
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            format!("`{name}` needs more arguments")
        }
        _ => {
            let paragraph: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = paragraph.join(" ");
            message
                .strip_prefix("error: ")
                .unwrap_or(&message)
                .to_owned()
        }
    };
    let mut recommendation = String::new();
    for tip in rendered
        .lines()
        .filter_map(|line| line.trim().strip_prefix("tip: "))
    {
        recommendation.push_str(&capitalised(tip));
        recommendation.push_str(". ");
    }
    recommendation.push_str(&format!("Usage: `{usage}`. See `{name} --help`."));
    ApiError::new(signet_core::Code::InvalidInput, message).recommend(recommendation)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

pub(crate) fn app_info(info: &AppInfo, json: bool) -> Status {
    if json {
        return print_json(info);
    }
    let compiled: Vec<&str> = info
        .backends
        .iter()
        .filter(|backend| backend.compiled)
        .map(|backend| backend.name.as_str())
        .collect();
    let mut text = format!(
        "{} {} ({} build)\nback ends: {}\n",
        info.name,
        info.version,
        info.profile.as_str(),
        if compiled.is_empty() {
            "none".to_owned()
        } else {
            compiled.join(", ")
        }
    );
    if let Some(dir) = &info.log_dir {
        text.push_str(&format!("log folder: {dir}\n"));
    }
    print_text(&text)
}

#[derive(Serialize)]
struct ErrorDocument<'a> {
    error: &'a ApiError,
}

/// The folder of the log file this process writes, once logging is set up with one.
static LOG_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Remembers where this process writes its log file, for the internal error's recommendation.
pub(crate) fn set_log_dir(dir: Option<std::path::PathBuf>) {
    if let Some(dir) = dir {
        let _ = LOG_DIR.set(dir);
    }
}

/// What to do about a bug in Signet: attach the log file when one is written, else not a word
/// about one.
fn internal_recommendation(log_dir: Option<&std::path::Path>) -> String {
    match log_dir {
        Some(dir) => format!(
            "This is a bug in Signet. Please report it with the command you ran, and attach today's log file from {} (`signet info` shows the folder).",
            dir.display()
        ),
        None => {
            "This is a bug in Signet. Please report it with the command you ran and this message."
                .to_owned()
        }
    }
}

pub(crate) fn error(err: &ApiError, json: bool) -> Status {
    tracing::debug!(code = %err.code, "command failed");
    let status = Status::for_error(err.code);
    let internal;
    let err = if status == Status::Internal {
        tracing::error!(code = %err.code, message = %err.message, "internal error");
        internal = ApiError {
            recommendation: internal_recommendation(LOG_DIR.get().map(|d| d.as_path())),
            ..err.clone()
        };
        &internal
    } else {
        err
    };
    if json {
        print_json(&ErrorDocument { error: err });
    } else {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "signet: {}\n{}", err.message, err.recommendation);
    }
    status
}

/// A count with its noun, agreeing: "1 file", "2 files", "0 files"; `noun` is the singular,
/// and its plural takes an "s" (see [`counted_as`] for the others).
pub(crate) fn counted<N>(n: N, noun: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    counted_as(n, noun, &format!("{noun}s"))
}

/// A count with the singular or the plural: "1 entry", "2 entries".
pub(crate) fn counted_as<N>(n: N, singular: &str, plural: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    if n == N::from(1) {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// Prints text on standard output.
pub(crate) fn text(text: &str) -> Status {
    print_text(text)
}

pub(crate) fn print_json(value: &impl Serialize) -> Status {
    match serde_json::to_string_pretty(value) {
        Ok(text) => print_text(&format!("{text}\n")),
        Err(err) => {
            tracing::error!(error = %err, "cannot serialise the JSON output");
            Status::Internal
        }
    }
}

pub(crate) fn print_text(text: &str) -> Status {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Status::Success,
        // A closed pipe (`signet info | head -0`) is the reader's choice, not our failure.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Status::Success,
        Err(_) => Status::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_asks_for_the_log_file_only_when_one_is_written() {
        let with = internal_recommendation(Some(std::path::Path::new("/home/mari/logs")));
        assert!(with.contains("log file from /home/mari/logs"), "{with}");
        let without = internal_recommendation(None);
        assert!(!without.contains("log"), "{without}");
        assert!(without.starts_with("This is a bug in Signet."), "{without}");
    }

    #[test]
    fn counted_nouns_agree() {
        assert_eq!(counted(1_usize, "file"), "1 file");
        assert_eq!(counted(2_usize, "file"), "2 files");
        assert_eq!(counted(0_u64, "byte"), "0 bytes");
        assert_eq!(counted_as(1_u8, "try", "tries"), "1 try");
        assert_eq!(counted_as(3_u8, "try", "tries"), "3 tries");
    }
}
