//! `signet`: sign and verify documents, drive the ID card and see who uses your data, from the
//! command line. Every subcommand calls the same `signet-api` operation as the desktop app.

mod args;
mod asice;
mod batch;
mod card;
mod cases;
mod cert;
mod consents;
mod data;
mod exit;
mod passphrase;
mod pin;
mod report;
mod sign;
mod trust;
mod verify;

use std::process::ExitCode;

use args::Command;
use exit::Status;

fn main() -> ExitCode {
    // `--json` is known before clap has read the line, so that a usage error is one JSON
    // document too.
    let json_asked = args::json_in(std::env::args_os());
    let cli = match args::parse(std::env::args_os(), json_asked) {
        Ok(cli) => cli,
        Err(err) => {
            let command = args::command_named(std::env::args_os());
            return report::usage(&err, json_asked, &command).into();
        }
    };
    // The same rotating log file as the app's, in the same folder (`signet info` prints it).
    let _log = start_logging();
    tracing::info!(
        command = cli.command.name(),
        version = env!("CARGO_PKG_VERSION"),
        "signet started"
    );
    let json = cli.json();
    // SIGNET_PROFILE_DIR: the engine takes what the command line left out from the profile.
    let context = match signet_api::Profile::from_env() {
        Ok(None) => signet_api::Context::for_this_user(),
        Ok(Some(p)) => {
            tracing::debug!(profile = %p.name, dir = %p.dir.display(), "profile");
            signet_api::Context::for_this_user().with_profile(p)
        }
        Err(err) => return report::error(&err, json).into(),
    };
    let status = match &cli.command {
        Command::Info => report::app_info(&signet_api::app_info(&context), json),
        Command::Card(command) => card::run(command, json),
        Command::Cert(args) => cert::run(&context, args, json),
        Command::Sign(args) => sign::sign(&context, args, json),
        Command::Verify(args) => verify::verify(&context, args, json),
        Command::Extend(args) => verify::extend(&context, args, json),
        Command::Data(command) => data::run(&context, command, json),
        Command::Asice(command) => asice::run(command, json),
        Command::Batch(args) => batch::run(&context, args, json),
        Command::Trust(command) => trust::run(&context, command, json),
    };
    tracing::info!(
        command = cli.command.name(),
        exit = status.code(),
        "finished"
    );
    status.into()
}

/// Logs to the rotating file in this person's log folder (and warnings to standard error). When
/// the folder cannot be written, only to standard error, and an internal error then does not
/// point to a log file.
fn start_logging() -> Option<signet_api::logging::LogGuard> {
    use signet_api::logging::{LogTarget, init};
    let dir = signet_api::Context::for_this_user()
        .log_dir()
        .map(ToOwned::to_owned);
    match init(&LogTarget {
        dir: dir.clone(),
        stderr: true,
    }) {
        Ok(guard) => {
            report::set_log_dir(dir);
            Some(guard)
        }
        Err(err) => {
            let guard = init(&LogTarget {
                dir: None,
                stderr: true,
            })
            .ok();
            tracing::debug!(error = %err, "no log file");
            guard
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}
