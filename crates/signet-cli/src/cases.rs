//! `signet data correct|corrections|report|reports|receipts`: thin calls into
//! `signet_api::data`, and how their results look.

use clap::Args;
use signet_api::Context;
use signet_api::card::{PinKind, PinState};
use signet_api::data::{
    CorrectionList, CorrectionRequest, CorrectionStatus, FiledCase, KeptReceipts, MisuseReportList,
    MisuseReportRequest, PersonCode, plain_text,
};

use crate::data::DataArgs;
use crate::exit::Status;
use crate::report;

fn person(text: &str) -> Result<PersonCode, String> {
    PersonCode::new(text).map_err(|e| e.to_string())
}

/// `signet data correct`
#[derive(Debug, Args)]
pub(crate) struct CorrectArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The record's data set (as `signet data holdings` names it).
    #[arg(long, value_name = "ID")]
    pub(crate) data_set: String,
    /// The record's id (as `signet data holdings --json` shows it).
    #[arg(long, value_name = "ID")]
    pub(crate) record: String,
    /// The field you believe is wrong.
    #[arg(long, value_name = "FIELD")]
    pub(crate) field: String,
    /// The value you propose (2026-03-01 for a date, true or false for yes or no).
    #[arg(long, value_name = "VALUE")]
    pub(crate) value: String,
    /// Why the agency's value is wrong.
    #[arg(long, value_name = "TEXT")]
    pub(crate) explanation: String,
    /// For someone you represent (EE and 11 digits).
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
    /// The idempotency key of an earlier attempt: the node answers with its receipt instead
    /// of filing the correction twice.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
}

/// `signet data report`
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// The usage entry you suspect: its log index, the #N `signet data usage` shows.
    #[arg(long, value_name = "INDEX")]
    pub(crate) entry: u64,
    /// What you suspect, for the agency's data protection officer.
    #[arg(long, value_name = "TEXT")]
    pub(crate) comment: String,
    /// For someone you represent (EE and 11 digits).
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
    /// The idempotency key of an earlier attempt.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
}

/// `signet data corrections` and `signet data reports`
#[derive(Debug, Args)]
pub(crate) struct CasesArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Whose: someone you represent (EE and 11 digits); yourself by default.
    #[arg(long = "for", value_name = "PERSON", value_parser = person)]
    pub(crate) subject: Option<PersonCode>,
}

/// `signet data receipts`
#[derive(Debug, Args)]
pub(crate) struct ReceiptsArgs {
    /// Only this node's receipts (its address, as in Signet's list of nodes); every listed
    /// node's by default.
    #[arg(long, value_name = "URL")]
    pub(crate) node: Option<String>,
    /// Read the passphrase of Signet's vault, where it is kept with one (no system keyring),
    /// from the first line of standard input instead of the terminal.
    #[arg(long)]
    pub(crate) pin_stdin: bool,
}

/// What to do.
#[derive(Debug)]
pub(crate) enum CaseCommand<'a> {
    Correct(&'a CorrectArgs),
    Corrections(&'a CasesArgs),
    Report(&'a ReportArgs),
    Reports(&'a CasesArgs),
}

pub(crate) fn run(context: &Context, command: &CaseCommand<'_>, json: bool) -> Status {
    let data = match command {
        CaseCommand::Correct(a) => &a.data,
        CaseCommand::Report(a) => &a.data,
        CaseCommand::Corrections(a) | CaseCommand::Reports(a) => &a.data,
    };
    let token = match data.token(context) {
        Ok(token) => token,
        Err(err) => return report::error(&err, json),
    };
    let mut asker = crate::pin::SecretAsker::when_needed(data.pin_stdin);
    let mut ask = |kind: PinKind, state: Option<PinState>| asker.ask(kind, state);
    let node = data.node.as_str();
    match command {
        CaseCommand::Correct(a) => {
            let request = CorrectionRequest {
                data_set: a.data_set.clone(),
                record: a.record.clone(),
                field: a.field.clone(),
                proposed_value: a.value.clone(),
                explanation: a.explanation.clone(),
                subject: a.subject.clone(),
            };
            filed(
                signet_api::data::request_correction(
                    context,
                    node,
                    &token,
                    &mut ask,
                    &request,
                    a.idempotency_key.as_deref(),
                ),
                json,
            )
        }
        CaseCommand::Report(a) => {
            let request = MisuseReportRequest {
                usage_index: a.entry,
                comment: a.comment.clone(),
                subject: a.subject.clone(),
            };
            filed(
                signet_api::data::report_misuse(
                    context,
                    node,
                    &token,
                    &mut ask,
                    &request,
                    a.idempotency_key.as_deref(),
                ),
                json,
            )
        }
        CaseCommand::Corrections(a) => {
            match signet_api::data::corrections(context, node, &token, &mut ask, a.subject.as_ref())
            {
                Ok(list) if json => report::print_json(&list),
                Ok(list) => report::text(&corrections_text(&list)),
                Err(e) => report::error(&e, json),
            }
        }
        CaseCommand::Reports(a) => match signet_api::data::misuse_reports(
            context,
            node,
            &token,
            &mut ask,
            a.subject.as_ref(),
        ) {
            Ok(list) if json => report::print_json(&list),
            Ok(list) => report::text(&reports_text(&list)),
            Err(e) => report::error(&e, json),
        },
    }
}

fn filed(result: Result<FiledCase, signet_api::ApiError>, json: bool) -> Status {
    match result {
        Ok(r) if json => report::print_json(&r),
        Ok(r) => {
            let receipt = &r.receipt.receipt;
            report::text(&format!(
                "{} {} filed at {}; receipt {} verified (log index {}, idempotency key {}){}\n",
                match receipt.case.kind() {
                    "correction" => "correction",
                    _ => "misuse report",
                },
                plain_text(receipt.case.id()),
                r.node,
                plain_text(&receipt.id),
                receipt.log_index,
                plain_text(&r.idempotency_key),
                r.receipt_not_kept
                    .as_deref()
                    .map_or_else(String::new, |why| format!("; {}", plain_text(why)))
            ))
        }
        Err(e) => report::error(&e, json),
    }
}

fn corrections_text(list: &CorrectionList) -> String {
    let mut text = format!(
        "{} at {} ({} verified)\n",
        report::counted(list.corrections.len(), "correction"),
        list.node,
        report::counted(list.receipts.len(), "receipt")
    );
    for c in &list.corrections {
        let status = match c.status {
            CorrectionStatus::Pending => "pending".to_owned(),
            CorrectionStatus::Accepted => format!(
                "accepted: now \"{}\"{}",
                plain_text(c.accepted_value.as_deref().unwrap_or_default()),
                if c.record_updated {
                    ""
                } else {
                    " (recorded with the correction; the record itself is unchanged)"
                }
            ),
            CorrectionStatus::Rejected => format!(
                "rejected: {}",
                plain_text(c.reason.as_deref().unwrap_or_default())
            ),
        };
        text.push_str(&format!(
            "  {} {}/{} {}: \"{}\" [{status}]\n",
            plain_text(&c.id),
            plain_text(&c.data_set),
            plain_text(&c.record),
            plain_text(&c.field),
            plain_text(&c.proposed_value),
        ));
    }
    text
}

fn reports_text(list: &MisuseReportList) -> String {
    let mut text = format!(
        "{} at {}\n",
        report::counted(list.reports.len(), "misuse report"),
        list.node
    );
    for r in &list.reports {
        text.push_str(&format!(
            "  {} {} entry #{}: {}\n",
            plain_text(&r.id),
            signet_api::localtime::local_times_in(&r.time.to_string()),
            r.usage_index,
            plain_text(&r.comment)
        ));
    }
    text
}

pub(crate) fn receipts(context: &Context, args: &ReceiptsArgs, json: bool) -> Status {
    match signet_api::data::all_kept_receipts(context, args.node.as_deref()) {
        Ok(r) if json => report::print_json(&r),
        Ok(r) => report::text(&receipts_text(&r)),
        Err(e) => report::error(&e, json),
    }
}

fn receipts_text(r: &KeptReceipts) -> String {
    let mut text = format!(
        "{} kept in the vault, verified offline against the nodes' pinned receipt and log keys\n",
        report::counted(r.receipts.len(), "receipt")
    );
    for k in &r.receipts {
        text.push_str(&format!(
            "  {} {} {} {} {} (log index {})\n",
            signet_api::localtime::local_times_in(&k.time.to_string()),
            k.node,
            k.kind,
            k.change,
            plain_text(&k.reference),
            k.log_index
        ));
    }
    text
}
