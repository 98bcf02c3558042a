//! The person's corrections and misuse reports at a node (docs/data-node.md): file one, list
//! them with the agency's decisions, and the receipts — each verified before it is returned
//! (signed by the node's pinned receipt key, its checkpoint by the pinned log key, the change's
//! log entry included in that checkpoint's tree) and kept in the encrypted vault.
//!
//! A request is sent with an idempotency key (the caller's, or a random one made here) and the
//! same body when it is sent again after a refused session, so the node files it once.

use signet_data::correction::{
    Correction, CorrectionRequest, MisuseReport, MisuseReportRequest, SignedCaseReceipt,
};
use signet_data::entry::PersonCode;

use super::consents::{random_key, receipt_key, subject_query, unreadable};
use super::*;

/// A correction or misuse report filed, with its verified receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FiledCase {
    /// The node.
    pub node: String,
    /// The idempotency key it was sent with (send it again to get the same receipt).
    pub idempotency_key: String,
    /// Whether the receipt verified (always true: one that does not is an error).
    pub verified: bool,
    /// Whether the receipt is kept in the encrypted vault.
    pub receipt_kept: bool,
    /// Why not, and what to do (only when `receipt_kept` is false).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub receipt_not_kept: Option<String>,
    /// The receipt.
    pub receipt: SignedCaseReceipt,
}

/// The person's corrections at a node, with every receipt for them verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionList {
    /// The node.
    pub node: String,
    /// Whose corrections (the person, or someone they represent).
    pub subject: PersonCode,
    /// The corrections, with their status now.
    pub corrections: Vec<Correction>,
    /// The receipts for filing them and for the agency's decisions, in log order, verified.
    pub receipts: Vec<SignedCaseReceipt>,
    /// Why the receipts are not kept in the vault, and what to do (absent when they are).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub receipts_not_kept: Option<String>,
}

/// The person's misuse reports at a node, with their receipts verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MisuseReportList {
    /// The node.
    pub node: String,
    /// Whose reports.
    pub subject: PersonCode,
    /// The reports.
    pub reports: Vec<MisuseReport>,
    /// Their receipts, in log order, verified.
    pub receipts: Vec<SignedCaseReceipt>,
    /// Why the receipts are not kept in the vault, and what to do (absent when they are).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub receipts_not_kept: Option<String>,
}

pub(super) fn verify_case(
    node: &Node,
    key: &NoteVerifier,
    receipt: &SignedCaseReceipt,
) -> Result<(), ApiError> {
    receipt.verify(key, &node.pinned).map_err(|e| {
        ApiError::new(
            Code::Network,
            format!(
                "the node {} gave a receipt that does not verify: {e}",
                node.url
            ),
        )
        .recommend("Keep this output: the node's answer is evidence against its operator.")
    })
}

/// Keeps the receipts not kept yet in the vault; `None` when kept, otherwise why not.
fn keep(sessions: &mut Sessions, node: &Node, receipts: &[SignedCaseReceipt]) -> Option<String> {
    let vault = match sessions {
        Sessions::Vault(vault) => vault,
        Sessions::NotKept(err) => {
            return Some(format!(
                "the receipt is not kept: {}",
                not_kept_message(err).trim_start_matches("the session is not kept: ")
            ));
        }
    };
    let result = (|| {
        let agency = signet_vault::AgencyId::new(node.pinned.origin.clone())?;
        let kept = vault.receipts(Some(&agency))?;
        for receipt in receipts {
            let bytes = serde_json::to_vec(receipt).unwrap_or_default();
            if !kept.iter().any(|k| k.receipt == bytes) {
                let case = &receipt.receipt.case;
                vault.put_receipt(&agency, case.kind(), case.id(), &bytes)?;
            }
        }
        Ok::<_, signet_vault::VaultError>(())
    })();
    match result {
        Ok(()) => None,
        Err(err) => {
            tracing::warn!(error = %err, "a case receipt cannot be kept in the vault");
            Some(format!("the receipt is not kept: {err}"))
        }
    }
}

/// Sends `request` to `path` at the node at `url` with an idempotency key, and returns the
/// node's receipt once it verifies, kept in the vault.
fn file(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    (path, what): (&str, &str),
    body: Vec<u8>,
    idempotency_key: Option<&str>,
) -> Result<FiledCase, ApiError> {
    let node = open_node(context, url)?;
    let key = receipt_key(&node)?.clone();
    let idempotency_key = match idempotency_key {
        Some(k) => k.to_owned(),
        None => random_key()?,
    };
    let mut sessions = Sessions::open(context)?;
    let mut session = session_for(context, &node, &mut sessions, spec, ask)?;
    let answer = send_with_session(
        context,
        &node,
        &mut sessions,
        &mut session,
        spec,
        ask,
        &mut |token| {
            let resp = node
                .agent
                .post(format!("{}{path}", node.url))
                .header(AUTHORIZATION, bearer(token)?)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", &idempotency_key)
                .send(&body[..]);
            read(&node, resp)
        },
    )?;
    if answer.status != 200 && answer.status != 201 {
        return Err(answer.refused(&node, what));
    }
    let receipt: SignedCaseReceipt =
        serde_json::from_slice(&answer.body).map_err(|e| unreadable(&node, "a receipt", e))?;
    verify_case(&node, &key, &receipt)?;
    tracing::info!(node = %node.url, index = receipt.receipt.log_index, kind = receipt.receipt.case.kind(), "case filed; receipt verified");
    let receipt_not_kept = keep(&mut sessions, &node, std::slice::from_ref(&receipt));
    Ok(FiledCase {
        node: node.url.clone(),
        idempotency_key,
        verified: true,
        receipt_kept: receipt_not_kept.is_none(),
        receipt_not_kept,
        receipt,
    })
}

/// Asks the agency at `url` to correct a field of one of the person's records (or of someone
/// they represent: `request.subject`), and returns the node's receipt once it verifies.
/// `idempotency_key`: the key of an earlier attempt, to get its receipt rather than a second
/// correction; a new one is made when `None`.
pub fn request_correction(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    request: &CorrectionRequest,
    idempotency_key: Option<&str>,
) -> Result<FiledCase, ApiError> {
    let body = serde_json::to_vec(request)
        .map_err(|e| ApiError::new(Code::Internal, format!("a correction request: {e}")))?;
    file(
        context,
        url,
        spec,
        ask,
        ("/v1/corrections", "the correction"),
        body,
        idempotency_key,
    )
}

/// Reports one of the person's usage entries at `url` (by its log index) as suspected misuse,
/// for the agency's data protection officer, and returns the node's receipt once it verifies.
pub fn report_misuse(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    request: &MisuseReportRequest,
    idempotency_key: Option<&str>,
) -> Result<FiledCase, ApiError> {
    let body = serde_json::to_vec(request)
        .map_err(|e| ApiError::new(Code::Internal, format!("a misuse report: {e}")))?;
    file(
        context,
        url,
        spec,
        ask,
        ("/v1/reports", "the misuse report"),
        body,
        idempotency_key,
    )
}

/// `GET path` (`/v1/corrections`, `/v1/reports`): the node, the listed subject, the listing,
/// and its receipts verified and kept.
fn listed(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    path: &str,
    what: &str,
) -> Result<
    (
        Node,
        serde_json::Value,
        Vec<SignedCaseReceipt>,
        Option<String>,
    ),
    ApiError,
> {
    let node = open_node(context, url)?;
    let key = receipt_key(&node)?.clone();
    let mut sessions = Sessions::open(context)?;
    let mut session = session_for(context, &node, &mut sessions, spec, ask)?;
    let answer = get_with_session(context, &node, &mut sessions, &mut session, spec, ask, path)?;
    if answer.status != 200 {
        return Err(answer.refused(&node, what));
    }
    let body = answer.json(&node, what)?;
    let receipts: Vec<SignedCaseReceipt> = serde_json::from_value(body["receipts"].clone())
        .map_err(|e| unreadable(&node, "receipts", e))?;
    for r in &receipts {
        verify_case(&node, &key, r)?;
    }
    let not_kept = keep(&mut sessions, &node, &receipts);
    Ok((node, body, receipts, not_kept))
}

/// The person's (or `subject`'s) corrections at the node at `url`, with their status and the
/// receipts for filing them and for the agency's decisions, each verified and kept in the vault.
pub fn corrections(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    subject: Option<&PersonCode>,
) -> Result<CorrectionList, ApiError> {
    let path = format!("/v1/corrections{}", subject_query(subject));
    let (node, body, receipts, receipts_not_kept) =
        listed(context, url, spec, ask, &path, "to show the corrections")?;
    let subject = serde_json::from_value(body["subject"].clone())
        .map_err(|e| unreadable(&node, "corrections", e))?;
    let corrections = serde_json::from_value(body["corrections"].clone())
        .map_err(|e| unreadable(&node, "corrections", e))?;
    Ok(CorrectionList {
        node: node.url,
        subject,
        corrections,
        receipts,
        receipts_not_kept,
    })
}

/// The person's (or `subject`'s) misuse reports at the node at `url`, with their receipts, each
/// verified and kept in the vault.
pub fn misuse_reports(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    subject: Option<&PersonCode>,
) -> Result<MisuseReportList, ApiError> {
    let path = format!("/v1/reports{}", subject_query(subject));
    let (node, body, receipts, receipts_not_kept) =
        listed(context, url, spec, ask, &path, "to show the misuse reports")?;
    let subject = serde_json::from_value(body["subject"].clone())
        .map_err(|e| unreadable(&node, "misuse reports", e))?;
    let reports = serde_json::from_value(body["reports"].clone())
        .map_err(|e| unreadable(&node, "misuse reports", e))?;
    Ok(MisuseReportList {
        node: node.url,
        subject,
        reports,
        receipts,
        receipts_not_kept,
    })
}
