//! `signet data …`: thin calls into `signet_api::data`, and how their results look.

use std::io::Write as _;

use clap::{Args, Subcommand};
use signet_api::Context;
use signet_api::card::{PinKind, PinState};
use signet_api::data::{DataError, LogProblem, UsageReport, VerifiedEntry, plain_text};
use signet_api::people::Lang;
use signet_api::token::TokenSpec;

use crate::exit::Status;
use crate::report;

const VERIFY_HELP: &str = "\
Exit status of data commands:
  0    done; `usage` and `verify`: every entry's inclusion proof verified and the node's log
       extends the checkpoint stored on the last visit (or this was the first visit)
  1    the node's usage log failed verification: \"history rewritten\" (the log does not extend
       the stored checkpoint: entries changed, removed or reordered), a checkpoint not signed
       by the pinned key, or an entry not in the log. The stored checkpoint is kept as it was.
  65   input error: the node is not in Signet's list of nodes, the login was refused, a bad PIN,
       a wrong passphrase of Signet's vault
  75   the node did not answer

Sessions: `login` keeps the node's session token until a minute before it ends, encrypted in
Signet's vault (vault.db in the data folder; its key in the system keyring), so the other data
commands do not ask for the PIN again; they log in themselves when none is kept. Without a
system keyring (a headless machine: no Secret Service on the session bus) the vault is kept with
a passphrase you choose (vault.db.passphrase beside it holds its salt, never the key): it is
asked on the terminal, or with --pin-stdin read from the first line of standard input, before
any PIN. A wrong passphrase stops the command (status 65) and changes nothing. A vault made with
the system keyring is never replaced: where that keyring is missing, nothing is kept (the reason
is printed on standard error; `login --json` gives \"sessionKept\": false). A token is never
written in plain text; session files of earlier versions (data/sessions/*.json) are overwritten
and deleted.

The node must be in Signet's list of nodes (nodes.json in Signet's data folder) with its pinned
checkpoint key, and for consents, corrections, misuse reports and their receipts its receipt
key: {\"nodes\": [{\"url\", \"logKey\", \"receiptKey\"?, \"origin\"?, \"tlsCa\"?, \"name\"?}]}.";

/// `signet data …`
#[derive(Debug, Subcommand)]
#[command(after_help = VERIFY_HELP, after_long_help = VERIFY_HELP)]
pub(crate) enum DataCommand {
    /// Log in to an agency's node with the ID card's authentication key (or a software token)
    /// and keep the session, encrypted in Signet's vault, for the other data commands (where no
    /// system keyring is available, the vault is kept with a passphrase).
    Login(DataArgs),
    /// The data sets and records the node holds about you.
    Holdings(DataArgs),
    /// Who used your data: the node's usage entries about you, each verified against its log;
    /// with --follow, then every new one as it comes (JSON lines with --json).
    Usage(UsageArgs),
    /// Verify the node's usage log: your entries' inclusion proofs, and that the log extends
    /// the checkpoint stored on your last visit (consistency proof). Fails with "history
    /// rewritten" otherwise.
    #[command(after_help = VERIFY_HELP, after_long_help = VERIFY_HELP)]
    Verify(DataArgs),
    /// Your consents at the node: list, grant, restrict, withdraw, and the node's receipts.
    #[command(subcommand)]
    Consents(crate::consents::ConsentsCommand),
    /// Ask the agency to correct a field of one of your records; prints the node's verified
    /// receipt (the agency's decision comes later: see `corrections`, or `usage --follow`).
    Correct(crate::cases::CorrectArgs),
    /// Your corrections at the node, with the agency's decisions and every receipt verified.
    Corrections(crate::cases::CasesArgs),
    /// Report one of your usage entries as suspected misuse to the agency's data protection
    /// officer; prints the node's verified receipt.
    Report(crate::cases::ReportArgs),
    /// Your misuse reports at the node, with their receipts verified.
    Reports(crate::cases::CasesArgs),
    /// Every receipt kept in Signet's vault (consents, corrections, misuse reports, decisions),
    /// verified offline against the nodes' pinned keys: no login, no network.
    Receipts(crate::cases::ReceiptsArgs),
}

/// What every data command needs.
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// The node's address, as in Signet's list of nodes.
    #[arg(long, value_name = "URL")]
    pub(crate) node: String,
    /// The token to log in with: pcsc[:READER], pkcs11:MODULE or p12:FILE. By default the
    /// profile's, then the one in your settings, then pcsc (the ID card).
    #[arg(long)]
    pub(crate) token: Option<TokenSpec>,
    /// Read the secrets from standard input: where Signet's vault is kept with a passphrase (no
    /// system keyring), the vault's passphrase first; then one line per PIN asked (a software
    /// token's password is asked once).
    #[arg(long)]
    pub(crate) pin_stdin: bool,
    /// The language of the node's texts (data-set names): et, en or ru; by default the one
    /// LANG names, else English.
    #[arg(long, value_name = "LANG")]
    pub(crate) lang: Option<Lang>,
}

/// `signet data usage`
#[derive(Debug, Args)]
pub(crate) struct UsageArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Keep following the node's stream: each new entry is verified (inclusion proof, and its
    /// checkpoint consistent with the stored one) and printed as it comes, until the session ends.
    #[arg(long)]
    pub(crate) follow: bool,
}

impl DataArgs {
    /// The language asked for, else the locale's (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub(crate) fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(|| {
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|l| !l.is_empty()))
                .map_or(Lang::En, |l| Lang::of_locale(&l))
        })
    }

    /// The token: the one given, else by the settings' precedence (the profile's first).
    pub(crate) fn token(&self, context: &Context) -> Result<TokenSpec, signet_api::ApiError> {
        signet_api::signing::Settings::resolve(context, None, self.token.as_ref()).map(|s| s.token)
    }
}

impl DataCommand {
    /// Whether the secrets come from standard input (`--pin-stdin`).
    fn pin_stdin(&self) -> bool {
        use crate::consents::ConsentsCommand as C;
        match self {
            Self::Login(a) | Self::Holdings(a) | Self::Verify(a) => a.pin_stdin,
            Self::Usage(a) => a.data.pin_stdin,
            Self::Consents(C::List(a)) => a.data.pin_stdin,
            Self::Consents(C::Grant(a) | C::Restrict(a)) => a.data.pin_stdin,
            Self::Consents(C::Withdraw(a)) => a.data.pin_stdin,
            Self::Consents(C::Receipts(a)) => a.list.data.pin_stdin,
            Self::Correct(a) => a.data.pin_stdin,
            Self::Report(a) => a.data.pin_stdin,
            Self::Corrections(a) | Self::Reports(a) => a.data.pin_stdin,
            Self::Receipts(a) => a.pin_stdin,
        }
    }
}

pub(crate) fn run(context: &Context, command: &DataCommand, json: bool) -> Status {
    // Where the vault is kept with a passphrase, the engine asks for it when it opens the vault:
    // before any PIN, so with --pin-stdin it is the first line.
    let context = &context
        .clone()
        .with_vault_passphrase(crate::passphrase::asker(command.pin_stdin()));
    let status = run_with(context, command, json);
    // No one to ask the vault's passphrase of (no terminal, no --pin-stdin) is a usage error,
    // as for a PIN: the command line must say where secrets come from.
    if status != Status::Success && crate::passphrase::had_no_one_to_ask() {
        return Status::Usage;
    }
    status
}

fn run_with(context: &Context, command: &DataCommand, json: bool) -> Status {
    let args = match command {
        DataCommand::Login(args)
        | DataCommand::Holdings(args)
        | DataCommand::Usage(UsageArgs { data: args, .. })
        | DataCommand::Verify(args) => args,
        DataCommand::Consents(consents) => return crate::consents::run(context, consents, json),
        DataCommand::Correct(a) => {
            return crate::cases::run(context, &crate::cases::CaseCommand::Correct(a), json);
        }
        DataCommand::Corrections(a) => {
            return crate::cases::run(context, &crate::cases::CaseCommand::Corrections(a), json);
        }
        DataCommand::Report(a) => {
            return crate::cases::run(context, &crate::cases::CaseCommand::Report(a), json);
        }
        DataCommand::Reports(a) => {
            return crate::cases::run(context, &crate::cases::CaseCommand::Reports(a), json);
        }
        DataCommand::Receipts(a) => return crate::cases::receipts(context, a, json),
    };
    let token = match args.token(context) {
        Ok(token) => token,
        Err(err) => return report::error(&err, json),
    };
    let mut asker = crate::pin::SecretAsker::when_needed(args.pin_stdin);
    let mut ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
    match command {
        DataCommand::Login(_) => {
            match signet_api::data::login(context, &args.node, &token, &mut ask) {
                Ok(s) if json => report::print_json(&s),
                Ok(s) => report::text(&format!(
                    "logged in to {} as {} until {}{}\n",
                    s.node,
                    s.name,
                    signet_api::localtime::local_times_in(&s.expires_at.to_string()),
                    if s.session_kept {
                        ""
                    } else {
                        " (not kept: the next data command logs in again)"
                    }
                )),
                Err(e) => report::error(&e, json),
            }
        }
        DataCommand::Holdings(_) => {
            match signet_api::data::holdings(context, &args.node, &token, &mut ask) {
                Ok(h) if json => report::print_json(&h),
                Ok(h) => {
                    let mut text = format!("{}\n", plain_text(&h.agency));
                    for set in &h.data_sets {
                        let records = h.records.iter().filter(|r| r.data_set == set.id).count();
                        text.push_str(&format!(
                            "  {} ({}): {}; legal basis: {}; kept: {}\n",
                            plain_text(args.lang().pick(&set.title)),
                            plain_text(&set.id),
                            report::counted(records, "record"),
                            plain_text(args.lang().pick(&set.legal_basis)),
                            plain_text(args.lang().pick(&set.retention))
                        ));
                    }
                    report::text(&text)
                }
                Err(e) => report::error(&e, json),
            }
        }
        DataCommand::Usage(UsageArgs { follow: true, .. }) => {
            let mut printed = Status::Success;
            let mut on_entry = |entry: &VerifiedEntry| {
                let line = if json {
                    serde_json::to_string(entry).unwrap_or_default() + "\n"
                } else {
                    entry_line(entry)
                };
                printed = report::print_text(&line);
                printed == Status::Success
            };
            match signet_api::data::follow(
                context,
                &args.node,
                &token,
                &mut ask,
                &mut on_entry,
                &|| true,
            ) {
                Ok(()) => printed,
                Err(e) => data_error(&e, json),
            }
        }
        DataCommand::Usage(_) => {
            match signet_api::data::usage(context, &args.node, &token, &mut ask) {
                Ok(r) if json => report::print_json(&r),
                Ok(r) => report::text(&usage_text(&r)),
                Err(e) => data_error(&e, json),
            }
        }
        DataCommand::Consents(_)
        | DataCommand::Correct(_)
        | DataCommand::Corrections(_)
        | DataCommand::Report(_)
        | DataCommand::Reports(_)
        | DataCommand::Receipts(_) => Status::Failed,
        DataCommand::Verify(_) => {
            match signet_api::data::usage(context, &args.node, &token, &mut ask) {
                Ok(r) => {
                    // The consent receipts kept in the vault, verified offline too.
                    let receipts = match signet_api::data::verify_kept_receipts(context, &args.node)
                    {
                        Ok(n) => n,
                        Err(e) => {
                            report::error(&e, json);
                            return Status::Failed;
                        }
                    };
                    if json {
                        report::print_json(&VerifyDocument {
                            verified: true,
                            report: Some(&r),
                            receipts_verified: receipts,
                            problem: None,
                        })
                    } else {
                        report::text(&format!(
                            "{}{}\n",
                            verify_line(&r),
                            receipts.map_or_else(String::new, |n| format!(
                                "; {} kept in the vault verified",
                                report::counted(n, "receipt")
                            ))
                        ))
                    }
                }
                Err(e) => data_error(&e, json),
            }
        }
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyDocument<'a> {
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    report: Option<&'a UsageReport>,
    /// How many receipts kept in the vault verified (consents, corrections, misuse reports;
    /// absent without a vault).
    #[serde(skip_serializing_if = "Option::is_none")]
    receipts_verified: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<&'a LogProblem>,
}

fn verify_line(r: &UsageReport) -> String {
    match r.previous_size {
        None => format!(
            "first visit: the log {} of {} at size {} is signed by its pinned key; stored as the baseline; {} of your entries verified",
            r.log,
            r.node,
            r.size,
            r.entries.len()
        ),
        Some(old) => format!(
            "verified: the log {} of {} at size {} extends the stored size {old}; {} of your entries verified",
            r.log,
            r.node,
            r.size,
            r.entries.len()
        ),
    }
}

fn usage_text(r: &UsageReport) -> String {
    let mut text = format!("{}\n", verify_line(r));
    for e in &r.entries {
        text.push_str(&entry_line(e));
    }
    text
}

fn entry_line(e: &VerifiedEntry) -> String {
    let entry = &e.entry;
    format!(
        "#{} {} {} ({}){}: {}{}{}\n",
        e.index,
        signet_api::localtime::local_times_in(&entry.log_time.to_string()),
        plain_text(&entry.receiver.name),
        plain_text(&entry.receiver.code),
        entry
            .initiator_person
            .as_ref()
            .and_then(|p| signet_api::people::official(
                p.name.as_deref(),
                p.code.as_deref().or(p.alternative_code.as_deref())
            ))
            .map(|who| format!(", by {}", plain_text(&who)))
            .unwrap_or_default(),
        plain_text(&entry.purpose),
        outcome_note(&entry.outcome),
        match (e.logged_under, entry.hidden_until) {
            (Some(size), Some(until)) => format!(
                " [hidden from you until {until}; proven in the log of size {size} it was logged under]"
            ),
            _ => String::new(),
        }
    )
}

/// What an entry's outcome adds to its line: nothing when served, the rule that refused it, or
/// the consent change it records.
fn outcome_note(outcome: &impl serde::Serialize) -> String {
    let Ok(v) = serde_json::to_value(outcome) else {
        return String::new();
    };
    match v["result"].as_str() {
        Some("served") => String::new(),
        Some("consentChanged") => format!(
            " [your consent change: {}]",
            plain_text(v["change"].as_str().unwrap_or("?"))
        ),
        Some("correctionRequested") => " [your correction request]".to_owned(),
        Some("correctionAccepted") => format!(
            " [your correction was accepted: now \"{}\"]",
            plain_text(v["value"].as_str().unwrap_or("?"))
        ),
        Some("correctionRejected") => format!(
            " [your correction was rejected: {}]",
            plain_text(v["reason"].as_str().unwrap_or("?"))
        ),
        Some("misuseReported") => format!(
            " [your misuse report of entry #{}]",
            v["usageIndex"].as_u64().unwrap_or_default()
        ),
        Some("refusedByAuthorization") => format!(
            " [refused, not authorized: {}]",
            plain_text(v["rule"].as_str().unwrap_or("?"))
        ),
        _ => format!(
            " [refused: {}]",
            plain_text(v["rule"].as_str().unwrap_or("?"))
        ),
    }
}

fn data_error(err: &DataError, json: bool) -> Status {
    match err {
        DataError::Api(e) => report::error(e, json),
        DataError::Log(problem) => {
            tracing::warn!(
                problem = problem.message(),
                "the node's usage log failed verification"
            );
            if json {
                report::print_json(&VerifyDocument {
                    verified: false,
                    report: None,
                    receipts_verified: None,
                    problem: Some(problem),
                });
            } else {
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(
                    stderr,
                    "signet: {}\nThe stored checkpoint was kept. Keep this output: it is evidence against the node's operator.",
                    problem.message()
                );
            }
            Status::Failed
        }
    }
}
