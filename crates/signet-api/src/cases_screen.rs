//! The window's corrections and misuse reports: "this is wrong" on a field of a record, "report
//! misuse" on an entry of the access log, and the list of what the person filed with each
//! agency's decision — each answered by the node's receipt, verified and kept in the vault
//! before it is shown ([`crate::data`] does the protocol).

use serde::Serialize;
use signet_data::correction::{
    Case, Correction, CorrectionRequest, CorrectionStatus, MisuseReport, MisuseReportRequest,
};
use signet_token::{Pin, PinKind, PinState};

use crate::dashboard::agency_name;
use crate::data::plain_text;
use crate::job::JobControl;
use crate::signing::Settings;
use crate::{ApiError, Context};

/// What kind of case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CaseKind {
    /// "This is wrong" on a field.
    Correction,
    /// A use of the person's data flagged as suspected misuse.
    MisuseReport,
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum CaseState {
    /// Filed; the agency has not decided (a correction).
    Pending,
    /// The agency accepted the correction.
    Accepted,
    /// The agency rejected the correction, with a reason.
    Rejected,
    /// Recorded for the agency's data protection officer (a misuse report).
    Recorded,
}

/// A correction or a misuse report, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    /// The node.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// Which kind.
    pub kind: CaseKind,
    /// Its id at the node.
    pub id: String,
    /// When it was filed (RFC 3339).
    pub filed: String,
    /// Where it stands.
    pub state: CaseState,
    /// A correction's data set.
    pub data_set: Option<String>,
    /// A correction's field.
    pub field: Option<String>,
    /// The value the person proposed.
    pub proposed_value: Option<String>,
    /// The value the agency accepted.
    pub accepted_value: Option<String>,
    /// Why the agency rejected it.
    pub reason: Option<String>,
    /// A misuse report's entry in the access log.
    #[ts(type = "number | null")]
    pub usage_index: Option<u64>,
    /// The person's explanation or comment.
    pub comment: String,
    /// The log index of the receipt for its last change.
    #[ts(type = "number | null")]
    pub log_index: Option<u64>,
}

/// One agency's answer to "what did I file".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseProblem {
    /// The node.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// Why it did not answer.
    pub error: ApiError,
}

/// Everything the person filed, across agencies, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CasesView {
    /// The cases.
    pub cases: Vec<CaseView>,
    /// Agencies that did not answer.
    pub problems: Vec<CaseProblem>,
    /// When read (RFC 3339).
    pub as_of: String,
}

/// A case just filed: the case and its receipt, verified (and kept in the vault when it can be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FiledCaseView {
    /// The case.
    pub case: CaseView,
    /// The receipt's id.
    pub receipt: String,
    /// When the node recorded it (RFC 3339).
    pub time: String,
    /// Its index in the node's log.
    #[ts(type = "number")]
    pub log_index: u64,
    /// The receipt verified: signed by the pinned receipt key, its entry included in a
    /// checkpoint signed by the pinned log key.
    pub verified: bool,
    /// Why the receipt is not kept in the vault (it was shown, and can be fetched again).
    pub not_kept: Option<String>,
}

fn correction_view(node: &str, agency: &str, c: &Correction) -> CaseView {
    CaseView {
        node: node.to_owned(),
        agency: agency.to_owned(),
        kind: CaseKind::Correction,
        id: plain_text(&c.id),
        filed: c
            .history
            .first()
            .map(|e| e.time.to_string())
            .unwrap_or_default(),
        state: match c.status {
            CorrectionStatus::Pending => CaseState::Pending,
            CorrectionStatus::Accepted => CaseState::Accepted,
            CorrectionStatus::Rejected => CaseState::Rejected,
        },
        data_set: Some(plain_text(&c.data_set)),
        field: Some(plain_text(&c.field)),
        proposed_value: Some(plain_text(&c.proposed_value)),
        accepted_value: c.accepted_value.as_deref().map(plain_text),
        reason: c.reason.as_deref().map(plain_text),
        usage_index: None,
        comment: plain_text(&c.explanation),
        log_index: c.history.last().map(|e| e.log_index),
    }
}

fn report_view(node: &str, agency: &str, r: &MisuseReport) -> CaseView {
    CaseView {
        node: node.to_owned(),
        agency: agency.to_owned(),
        kind: CaseKind::MisuseReport,
        id: plain_text(&r.id),
        filed: r.time.to_string(),
        state: CaseState::Recorded,
        data_set: None,
        field: None,
        proposed_value: None,
        accepted_value: None,
        reason: None,
        usage_index: Some(r.usage_index),
        comment: plain_text(&r.comment),
        log_index: r.history.last().map(|e| e.log_index),
    }
}

fn ask_from(
    job: &JobControl,
) -> impl FnMut(PinKind, Option<PinState>) -> Result<Pin, ApiError> + '_ {
    |kind, state| job.ask(crate::job::SigningAsk::default().request(kind, state, 0, false))
}

fn agency_of(context: &Context, node: &str) -> String {
    crate::data::node_list(context)
        .ok()
        .and_then(|nodes| nodes.into_iter().find(|n| n.url == node))
        .map_or_else(|| node.to_owned(), |n| agency_name(&n))
}

fn filed_view(filed: &crate::data::FiledCase, case: CaseView) -> FiledCaseView {
    let r = &filed.receipt.receipt;
    FiledCaseView {
        case,
        receipt: plain_text(&r.id),
        time: r.time.to_string(),
        log_index: r.log_index,
        verified: filed.verified,
        not_kept: filed.receipt_not_kept.clone(),
    }
}

/// Tells the agency at `node` that `field` of `record` in `data_set` is wrong, proposing
/// `proposed` and explaining why; returns the case with its verified receipt.
#[allow(
    clippy::too_many_arguments,
    reason = "the correction's parts, as the form has them"
)]
pub fn correct(
    context: &Context,
    node: &str,
    data_set: &str,
    record: &str,
    field: &str,
    proposed: &str,
    explanation: &str,
    job: &JobControl,
) -> Result<FiledCaseView, ApiError> {
    if proposed.trim().is_empty() || explanation.trim().is_empty() {
        return Err(ApiError::new(
            signet_core::Code::InvalidInput,
            "a correction needs the right value and an explanation",
        )
        .recommend("Write what the value should be and why, then send it again."));
    }
    let token = Settings::resolve(context, None, None)?.token;
    let request = CorrectionRequest {
        data_set: data_set.to_owned(),
        record: record.to_owned(),
        field: field.to_owned(),
        proposed_value: proposed.trim().to_owned(),
        explanation: explanation.trim().to_owned(),
        subject: None,
    };
    let mut ask = ask_from(job);
    let filed = crate::data::request_correction(context, node, &token, &mut ask, &request, None)?;
    let agency = agency_of(context, node);
    let case = match &filed.receipt.receipt.case {
        Case::Correction(c) => correction_view(node, &agency, c),
        Case::MisuseReport(r) => report_view(node, &agency, r),
    };
    Ok(filed_view(&filed, case))
}

/// Flags the use `usage_index` of the agency at `node` as suspected misuse, with `comment`;
/// returns the report with its verified receipt.
pub fn report(
    context: &Context,
    node: &str,
    usage_index: u64,
    comment: &str,
    job: &JobControl,
) -> Result<FiledCaseView, ApiError> {
    if comment.trim().is_empty() {
        return Err(ApiError::new(
            signet_core::Code::InvalidInput,
            "a misuse report needs a comment",
        )
        .recommend("Write why you think this use was not right, then send it again."));
    }
    let token = Settings::resolve(context, None, None)?.token;
    let request = MisuseReportRequest {
        usage_index,
        comment: comment.trim().to_owned(),
        subject: None,
    };
    let mut ask = ask_from(job);
    let filed = crate::data::report_misuse(context, node, &token, &mut ask, &request, None)?;
    let agency = agency_of(context, node);
    let case = match &filed.receipt.receipt.case {
        Case::Correction(c) => correction_view(node, &agency, c),
        Case::MisuseReport(r) => report_view(node, &agency, r),
    };
    Ok(filed_view(&filed, case))
}

/// Every correction and misuse report the person filed, across agencies, with the agencies'
/// decisions (one PIN1 for the logins needed), newest first.
pub fn cases(context: &Context, job: &JobControl) -> Result<CasesView, ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let results = crate::dashboard::for_each_node(context, job, |node, ask| {
        let corrections = crate::data::corrections(context, &node.url, &token, ask, None)?;
        let reports = crate::data::misuse_reports(context, &node.url, &token, ask, None)?;
        Ok::<_, ApiError>((corrections, reports))
    })?;
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for (node, result) in results {
        let agency = agency_name(&node);
        match result {
            Ok((corrections, reports)) => {
                cases.extend(
                    corrections
                        .corrections
                        .iter()
                        .map(|c| correction_view(&node.url, &agency, c)),
                );
                cases.extend(
                    reports
                        .reports
                        .iter()
                        .map(|r| report_view(&node.url, &agency, r)),
                );
            }
            Err(err) if crate::dashboard::is_pin_trouble(&err) => return Err(err),
            Err(error) => problems.push(CaseProblem {
                node: node.url.clone(),
                agency,
                error,
            }),
        }
    }
    cases.sort_by(|a, b| b.filed.cmp(&a.filed));
    Ok(CasesView {
        cases,
        problems,
        as_of: signet_pki::time::Utc(context.clock().now()).to_string(),
    })
}
