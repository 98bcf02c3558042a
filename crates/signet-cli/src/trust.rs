//! `signet trust …`: thin calls into `signet_api::trust`, and how their results look.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use signet_api::Context;
use signet_api::cert::FileBytes;
use signet_api::trust::{TrustSource, TrustStatus};
use signet_core::Code;

use crate::exit::Status;
use crate::report;

const TRUST_HELP: &str = "\
The EU trusted lists are kept in the data folder's trust/ folder: the EU list of trusted lists
(LOTL), the pivot LOTLs that lead to it, and each member state's list. The LOTL must chain to the
LOTL signer certificates published in the Official Journal, which Signet pins; each national list
must be signed by a certificate the LOTL names for its territory. Every file is verified again
whenever it is read.

`update` keeps a downloaded list only when it verifies and is not older than the copy kept; a
list that fails leaves the previous copy in use and prints a warning. A list past its NextUpdate
is expired: `status` says so, and every verdict that uses it carries a warning.

Exit status of trust commands:
  0    done (warnings, if any, are printed on standard error, or in the JSON document)
  65   a --lotl-signer file cannot be used
  74   the lists could not be written
  75   update: no LOTL could be had (none downloaded, none kept)";

/// `signet trust …`
#[derive(Debug, Subcommand)]
#[command(after_help = TRUST_HELP, after_long_help = TRUST_HELP)]
pub(crate) enum TrustCommand {
    /// Download the EU LOTL and the national lists, keep the good ones, keep the previous copy
    /// of any that fails.
    Update(TrustUpdateArgs),
    /// Per list kept: territory, issue date, next update, fresh or expired.
    Status(TrustSourceArgs),
}

/// Another LOTL than the EU's (a test or private one).
#[derive(Debug, Args)]
pub(crate) struct TrustSourceArgs {
    /// The LOTL's address (default: the EU's).
    #[arg(long, value_name = "URL", requires = "lotl_signer")]
    pub(crate) lotl_url: Option<String>,
    /// A certificate allowed to sign that LOTL (PEM or DER; several files or certificates).
    #[arg(long, value_name = "CERT", requires = "lotl_url")]
    pub(crate) lotl_signer: Vec<PathBuf>,
    /// The URI of the notice that published those certificates, as that LOTL names it among its
    /// SchemeInformationURI: only the pivots listed before it are followed, and each must
    /// verify. Without it every pivot is tried.
    #[arg(long, value_name = "URI", requires = "lotl_url")]
    pub(crate) lotl_anchor_uri: Option<String>,
}

/// `signet trust update`
#[derive(Debug, Args)]
pub(crate) struct TrustUpdateArgs {
    #[command(flatten)]
    pub(crate) source: TrustSourceArgs,
    /// Keep only the lists of these territories (e.g. EE; repeat for several). Default: all.
    #[arg(long, value_name = "CODE")]
    pub(crate) territory: Vec<String>,
}

fn source(
    args: &TrustSourceArgs,
    territories: &[String],
) -> Result<TrustSource, signet_api::ApiError> {
    let mut source = match &args.lotl_url {
        Some(url) => {
            let mut files = Vec::new();
            for path in &args.lotl_signer {
                let bytes = std::fs::read(path).map_err(|e| {
                    let code = if e.kind() == std::io::ErrorKind::NotFound {
                        Code::FileNotFound
                    } else {
                        Code::Io
                    };
                    signet_api::ApiError::new(code, format!("{}: {e}", path.display()))
                })?;
                files.push(FileBytes {
                    name: path.display().to_string(),
                    bytes,
                });
            }
            let mut source = TrustSource::other(url, &files)?;
            source.anchor_uri.clone_from(&args.lotl_anchor_uri);
            source
        }
        None => TrustSource::eu(),
    };
    if !territories.is_empty() {
        source.territories = Some(territories.iter().map(|t| t.to_ascii_uppercase()).collect());
    }
    Ok(source)
}

/// Runs `signet trust …`.
pub(crate) fn run(context: &Context, command: &TrustCommand, json: bool) -> Status {
    match command {
        TrustCommand::Update(args) => {
            let fetch = signet_api::http::HttpFetch::default();
            let outcome = source(&args.source, &args.territory)
                .and_then(|s| signet_api::trust::update_from(context, &fetch, &s));
            match outcome {
                Ok(update) if json => report::print_json(&update),
                Ok(update) => {
                    warn(&update.warnings);
                    let mut out = String::new();
                    if update.updated.is_empty() {
                        out.push_str("No list was updated.\n");
                    } else {
                        let _ = writeln!(out, "Updated: {}", update.updated.join(", "));
                    }
                    out.push_str(&status_text(&update.status));
                    report::print_text(&out)
                }
                Err(err) => report::error(&err, json),
            }
        }
        TrustCommand::Status(args) => match source(args, &[]) {
            Ok(s) => {
                let status = signet_api::trust::status_from(context, &s);
                if json {
                    report::print_json(&status)
                } else {
                    warn(&status.warnings);
                    report::print_text(&status_text(&status))
                }
            }
            Err(err) => report::error(&err, json),
        },
    }
}

fn warn(warnings: &[String]) {
    use std::io::Write as _;
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
}

fn status_text(status: &TrustStatus) -> String {
    let mut out = format!("Trusted lists in {}:\n", status.dir);
    if status.lists.is_empty() {
        out.push_str("  none\n");
    }
    for list in &status.lists {
        let _ = writeln!(
            out,
            "  {:<6} number {:<5} issued {}  next update {}  {}",
            list.territory,
            list.sequence_number,
            list.issued,
            list.next_update.as_deref().unwrap_or("none"),
            if list.fresh { "fresh" } else { "EXPIRED" }
        );
    }
    out
}
