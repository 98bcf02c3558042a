//! `signet`: sign and verify documents, drive the ID card and see who uses your data, from the
//! command line. Every subcommand calls the same `signet-api` operation as the desktop app.

mod args;
mod asice;
mod batch;
mod card;
mod cert;
mod data;
mod exit;
mod pdf;
mod pin;
mod profile;
mod report;
mod sign;
mod trust;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};
use exit::Status;

fn main() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return report::usage(&err).into(),
    };
    let _log = signet_api::logging::init(&signet_api::logging::LogTarget {
        dir: None,
        stderr: true,
    });
    let json = cli.json();
    // SIGNET_PROFILE_DIR: the profile's defaults fill in what the command line left out.
    let context = match signet_api::Profile::from_env() {
        Ok(None) => signet_api::Context::for_this_user(),
        Ok(Some(p)) => {
            tracing::debug!(profile = %p.name, dir = %p.dir.display(), "profile");
            profile::apply(&mut cli.command, &p);
            signet_api::Context::for_this_user().with_profile(p)
        }
        Err(err) => return report::error(&err, json).into(),
    };
    let status = match &cli.command {
        Command::Info => report::app_info(&signet_api::app_info(&context), json),
        Command::Card(command) => card::run(command, json),
        Command::Cert(args) => cert::run(&context, args, json),
        Command::Sign(args) => sign::sign(args, json),
        Command::Verify(args) => sign::verify(args, json),
        Command::Extend(args) => sign::extend(args, json),
        Command::Data(command) => data::run(&context, command, json),
        Command::Asice(command) => asice::run(command, json),
        Command::Batch(args) => batch::run(args, json),
        Command::Trust(command) => trust::run(&context, command, json),
    };
    tracing::debug!(
        command = cli.command.name(),
        exit = status.code(),
        "finished"
    );
    status.into()
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}
