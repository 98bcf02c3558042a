//! The receipts kept in the vault, of every kind — consent changes, corrections, misuse reports
//! and the agency's decisions on corrections — each verified offline against the node's pinned
//! receipt and log keys (no login, no network).

use signet_data::consent::SignedReceipt;
use signet_data::correction::SignedCaseReceipt;

use super::cases::verify_case;
use super::consents::{receipt_key, verify_kept};
use super::*;

/// A receipt of any kind, as the node signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(untagged)]
pub enum AnyReceipt {
    /// For a consent change.
    Consent(SignedReceipt),
    /// For a correction or a misuse report, or a decision on a correction.
    Case(SignedCaseReceipt),
}

/// One receipt kept in the vault, verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeptReceipt {
    /// The node that gave it.
    pub node: String,
    /// `consent`, `correction` or `misuseReport`.
    pub kind: String,
    /// What it records: `granted`, `restricted`, `withdrawn` (a consent); `filed`, `accepted`,
    /// `rejected` (a case).
    pub change: String,
    /// The consent's or the case's id.
    pub reference: String,
    /// When the change was made.
    pub time: Timestamp,
    /// The log index of the change's entry.
    #[ts(type = "number")]
    pub log_index: u64,
    /// The receipt.
    pub receipt: AnyReceipt,
}

/// The receipts kept in the vault, each verified offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeptReceipts {
    /// Whether every receipt verified (always true: one that does not is an error).
    pub verified: bool,
    /// The receipts, by node (in the order of the list of nodes) and log index.
    pub receipts: Vec<KeptReceipt>,
}

fn word(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The case receipts kept in the vault for `node`, each verified offline.
pub(super) fn verify_kept_cases(
    node: &Node,
    vault: &signet_vault::Vault,
) -> Result<Vec<SignedCaseReceipt>, ApiError> {
    let agency = signet_vault::AgencyId::new(node.pinned.origin.clone())
        .map_err(|e| crate::vault::error(&e))?;
    let kept = vault
        .receipts(Some(&agency))
        .map_err(|e| crate::vault::error(&e))?;
    if kept.is_empty() {
        return Ok(Vec::new());
    }
    let key = receipt_key(node)?.clone();
    let mut receipts = Vec::with_capacity(kept.len());
    for k in kept {
        let receipt: SignedCaseReceipt = serde_json::from_slice(&k.receipt).map_err(|e| {
            ApiError::new(
                Code::Internal,
                format!("a receipt kept in the vault cannot be read: {e}"),
            )
        })?;
        verify_case(node, &key, &receipt)?;
        receipts.push(receipt);
    }
    Ok(receipts)
}

/// Every receipt kept in the vault — for the node at `url`, or for every node in Signet's list
/// of nodes — each verified offline against the node's pinned receipt and log keys.
pub fn all_kept_receipts(context: &Context, url: Option<&str>) -> Result<KeptReceipts, ApiError> {
    let vault = crate::vault::open(context).map_err(|e| match e {
        crate::vault::Unopened::Vault(e) => ApiError::new(
            Code::InvalidInput,
            format!("the vault cannot be opened, so no receipts are kept: {e}"),
        )
        .recommend(e.recommendation()),
        crate::vault::Unopened::Stopped(e) => e,
    })?;
    let urls: Vec<String> = match url {
        Some(u) => vec![u.to_owned()],
        None => node_list(context)?.into_iter().map(|n| n.url).collect(),
    };
    let mut receipts = Vec::new();
    for url in urls {
        let node = open_node(context, &url)?;
        let mut mine = Vec::new();
        let agency = signet_vault::AgencyId::new(node.pinned.origin.clone())
            .map_err(|e| crate::vault::error(&e))?;
        let has_consents = vault
            .consents()
            .map_err(|e| crate::vault::error(&e))?
            .iter()
            .any(|c| c.agency == agency);
        if has_consents {
            for r in verify_kept(&node, &vault)?.receipts {
                mine.push(KeptReceipt {
                    node: node.url.clone(),
                    kind: "consent".into(),
                    change: word(r.receipt.change),
                    reference: r.receipt.consent.id.clone(),
                    time: r.receipt.time,
                    log_index: r.receipt.log_index,
                    receipt: AnyReceipt::Consent(r),
                });
            }
        }
        for r in verify_kept_cases(&node, &vault)? {
            mine.push(KeptReceipt {
                node: node.url.clone(),
                kind: r.receipt.case.kind().into(),
                change: word(r.receipt.change),
                reference: r.receipt.case.id().to_owned(),
                time: r.receipt.time,
                log_index: r.receipt.log_index,
                receipt: AnyReceipt::Case(r),
            });
        }
        mine.sort_by_key(|r| r.log_index);
        receipts.extend(mine);
    }
    tracing::info!(receipts = receipts.len(), "kept receipts verified offline");
    Ok(KeptReceipts {
        verified: true,
        receipts,
    })
}
