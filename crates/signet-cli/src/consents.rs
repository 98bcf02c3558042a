//! `signet data consents list|grant|restrict|withdraw|receipts`: thin calls into
//! `signet_api::data`, and how their results look.

use clap::{Args, Subcommand};
use signet_api::Context;
use signet_api::card::{PinKind, PinState};
use signet_api::data::{
    ConsentList, ConsentReceipt, ConsentRequest, ConsentTerms, PersonCode, Recipient, Scope,
    Time as Timestamp, plain_text,
};

use crate::data::DataArgs;
use crate::exit::Status;
use crate::report;

/// `signet data consents …`
#[derive(Debug, Subcommand)]
pub(crate) enum ConsentsCommand {
    /// Your consents at the node (or those of someone you represent, with --for).
    List(ListArgs),
    /// Permit a recipient a data set (or a category of data); prints the node's verified receipt.
    Grant(TermsArgs),
    /// Deny a recipient a data set (or a category of data); prints the node's verified receipt.
    Restrict(TermsArgs),
    /// Withdraw one of your consents; prints the node's verified receipt.
    Withdraw(WithdrawArgs),
    /// The node's receipts for your consent changes, each verified against its pinned keys;
    /// with --offline, the receipts kept in Signet's vault, verified without the network.
    Receipts(ReceiptsArgs),
}

/// `list` and `receipts`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Whose consents: someone you represent (EE and 11 digits); yourself by default.
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
}

/// `receipts`.
#[derive(Debug, Args)]
pub(crate) struct ReceiptsArgs {
    #[command(flatten)]
    pub(crate) list: ListArgs,
    /// The receipts kept in Signet's vault, verified offline (no login, no network).
    #[arg(long)]
    pub(crate) offline: bool,
}

/// `grant` and `restrict`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["data_set", "category"]))]
#[command(group = clap::ArgGroup::new("who").required(true).args(["to", "to_category"]))]
pub(crate) struct TermsArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The data set (as `signet data holdings` names it).
    #[arg(long, value_name = "ID")]
    pub(crate) data_set: Option<String>,
    /// Every data set of a category (`health`, `identity`, …).
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,
    /// The recipient organisation, INSTANCE/CLASS/CODE (every subsystem of it).
    #[arg(long, value_name = "ORG")]
    pub(crate) to: Option<String>,
    /// A member category of the node (e.g. "health-care provider").
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) to_category: Option<String>,
    /// Only for this purpose (as the recipient's queries state it); any purpose by default.
    #[arg(long)]
    pub(crate) purpose: Option<String>,
    /// From when (RFC 3339); now by default.
    #[arg(long, value_name = "TIME")]
    pub(crate) from: Option<Timestamp>,
    /// Until when (RFC 3339); until withdrawn by default.
    #[arg(long, value_name = "TIME")]
    pub(crate) until: Option<Timestamp>,
    /// For someone you represent (EE and 11 digits).
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
    /// The idempotency key of an earlier attempt: the node answers with its receipt instead
    /// of making a second change.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
}

/// `withdraw`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The consent's id (from `signet data consents list`).
    #[arg(long, value_name = "ID")]
    pub(crate) consent: String,
    /// For someone you represent (EE and 11 digits).
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
    /// The idempotency key of an earlier attempt.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
}

fn person(text: &str) -> Result<PersonCode, String> {
    PersonCode::new(text).map_err(|e| e.to_string())
}

fn terms(args: &TermsArgs) -> ConsentTerms {
    ConsentTerms {
        scope: match (&args.data_set, &args.category) {
            (Some(set), _) => Scope::DataSet(set.clone()),
            (None, c) => Scope::Category(c.clone().unwrap_or_default()),
        },
        recipient: match (&args.to, &args.to_category) {
            (Some(org), _) => Recipient::Member(org.clone()),
            (None, c) => Recipient::Category(c.clone().unwrap_or_default()),
        },
        purpose: args.purpose.clone(),
        valid_from: args.from,
        valid_until: args.until,
        subject: args.subject.clone(),
    }
}

pub(crate) fn run(context: &Context, command: &ConsentsCommand, json: bool) -> Status {
    let (ConsentsCommand::List(ListArgs { data, .. })
    | ConsentsCommand::Receipts(ReceiptsArgs {
        list: ListArgs { data, .. },
        ..
    })
    | ConsentsCommand::Grant(TermsArgs { data, .. })
    | ConsentsCommand::Restrict(TermsArgs { data, .. })
    | ConsentsCommand::Withdraw(WithdrawArgs { data, .. })) = command;
    let token = match data.token(context) {
        Ok(token) => token,
        Err(err) => return report::error(&err, json),
    };
    let mut asker = crate::pin::SecretAsker::when_needed(data.pin_stdin);
    let mut ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
    let (request, key) = match command {
        ConsentsCommand::List(args) => {
            return match signet_api::data::consents(
                context,
                &data.node,
                &token,
                &mut ask,
                args.subject.as_ref(),
            ) {
                Ok(list) if json => report::print_json(&list),
                Ok(list) => report::text(&list_text(&list)),
                Err(e) => report::error(&e, json),
            };
        }
        ConsentsCommand::Receipts(args) => {
            let found = if args.offline {
                signet_api::data::kept_receipts(context, &data.node)
            } else {
                signet_api::data::receipts(
                    context,
                    &data.node,
                    &token,
                    &mut ask,
                    args.list.subject.as_ref(),
                )
            };
            return match found {
                Ok(r) if json => report::print_json(&r),
                Ok(r) => report::text(&format!(
                    "{} verified against the node's pinned receipt and log keys\n{}",
                    report::counted(r.receipts.len(), "receipt"),
                    r.receipts
                        .iter()
                        .map(|s| format!(
                            "  {} {} {:?} {} (log index {})\n",
                            signet_api::localtime::local_times_in(&s.receipt.time.to_string()),
                            plain_text(&s.receipt.id),
                            s.receipt.change,
                            plain_text(&s.receipt.consent.id),
                            s.receipt.log_index
                        ))
                        .collect::<String>()
                )),
                Err(e) => report::error(&e, json),
            };
        }
        ConsentsCommand::Grant(args) => (
            ConsentRequest::Grant(terms(args)),
            args.idempotency_key.as_deref(),
        ),
        ConsentsCommand::Restrict(args) => (
            ConsentRequest::Restrict(terms(args)),
            args.idempotency_key.as_deref(),
        ),
        ConsentsCommand::Withdraw(args) => (
            ConsentRequest::Withdraw {
                consent: args.consent.clone(),
                subject: args.subject.clone(),
            },
            args.idempotency_key.as_deref(),
        ),
    };
    match signet_api::data::change_consent(context, &data.node, &token, &mut ask, &request, key) {
        Ok(r) if json => report::print_json(&r),
        Ok(r) => report::text(&receipt_text(&r)),
        Err(e) => report::error(&e, json),
    }
}

fn list_text(list: &ConsentList) -> String {
    let mut text = format!(
        "{} at {}\n",
        report::counted(list.consents.len(), "consent"),
        list.node
    );
    for c in &list.consents {
        text.push_str(&format!(
            "  {} {:?} {:?} {:?} → {:?}{} from {}{} [{:?}]\n",
            plain_text(&c.id),
            c.decision,
            c.scope,
            c.provider,
            c.recipient,
            c.purpose
                .as_deref()
                .map_or_else(String::new, |p| format!(" for \"{}\"", plain_text(p))),
            c.valid_from,
            c.valid_until
                .map_or_else(String::new, |u| format!(" until {u}")),
            c.status
        ));
    }
    for d in &list.data_sets {
        text.push_str(&format!(
            "  data set {}: {} by default{}\n",
            plain_text(&d.id),
            plain_text(&d.default),
            if d.consent_requires_signature {
                "; changes need your signature"
            } else {
                ""
            }
        ));
    }
    text
}

fn receipt_text(r: &ConsentReceipt) -> String {
    let receipt = &r.receipt.receipt;
    format!(
        "{:?}: consent {} at {}; receipt {} verified (log index {}, idempotency key {})\n",
        receipt.change,
        plain_text(&receipt.consent.id),
        r.node,
        plain_text(&receipt.id),
        receipt.log_index,
        plain_text(&r.idempotency_key)
    )
}
