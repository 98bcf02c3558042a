//! The person's consents at a node (docs/consents.md): list them, grant, restrict or withdraw
//! one, and read the receipts of the changes. Every receipt is verified before it is returned:
//! signed by the node's pinned receipt key, its checkpoint by the pinned log key, and the
//! change's log entry included in that checkpoint's tree.
//!
//! A change is sent with an idempotency key (the caller's, or a random one made here) and the
//! same body when it is sent again after a refused session, so the node makes it once.

use signet_data::consent::{ConsentRecord, ConsentRequest, SignedReceipt};
use signet_data::entry::PersonCode;

use super::*;

/// The consents of one person at one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentList {
    /// The node.
    pub node: String,
    /// Whose consents (the person, or someone they represent).
    pub subject: PersonCode,
    /// The records, with their status now.
    pub consents: Vec<ConsentRecord>,
    /// The node's data sets: their default and whether a change needs a signature.
    pub data_sets: Vec<DataSetTerms>,
    /// The member organisations the node knows, by name (to show recipients as people read
    /// them); empty from a node that does not say.
    pub members: Vec<MemberName>,
}

/// A member organisation's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberName {
    /// `EE/COM/10137319`.
    pub id: String,
    /// `Tähe Hambakliinik OÜ`.
    pub name: String,
}

/// A data set's consent terms at the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DataSetTerms {
    /// The data set.
    pub id: String,
    /// `open` (served unless you close it) or `closed` (refused unless you open it).
    pub default: String,
    /// Whether a change must carry your qualified signature.
    pub consent_requires_signature: bool,
}

/// A change made, with its verified receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentReceipt {
    /// The node.
    pub node: String,
    /// The idempotency key the change was sent with (send it again to get the same receipt).
    pub idempotency_key: String,
    /// Whether the receipt verified (always true: one that does not is an error).
    pub verified: bool,
    /// Whether the record and its receipt are kept in the encrypted vault.
    pub receipt_kept: bool,
    /// Why not, and what to do (only when `receipt_kept` is false).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub receipt_not_kept: Option<String>,
    /// The receipt.
    pub receipt: SignedReceipt,
}

/// The receipts a node gave for a person's consent changes, each verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentReceipts {
    /// The node.
    pub node: String,
    /// Whether every receipt verified (always true: one that does not is an error).
    pub verified: bool,
    /// The receipts, in log order.
    pub receipts: Vec<SignedReceipt>,
}

pub(super) fn subject_query(subject: Option<&PersonCode>) -> String {
    subject.map_or_else(String::new, |s| format!("?subject={}", s.as_str()))
}

pub(super) fn unreadable(node: &Node, what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        Code::Network,
        format!("the node {} sent {what} Signet cannot read: {e}", node.url),
    )
}

/// The consents of the person (or of `subject`, whom the person represents) at the node at
/// `url`.
pub fn consents(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    subject: Option<&PersonCode>,
) -> Result<ConsentList, ApiError> {
    let path = format!("/v1/consents{}", subject_query(subject));
    let (node, answer) = get_authenticated(context, url, spec, ask, &path, "to show the consents")?;
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Listed {
        subject: PersonCode,
        consents: Vec<ConsentRecord>,
        data_sets: Vec<DataSetTerms>,
        #[serde(default)]
        members: Vec<MemberName>,
    }
    let listed: Listed =
        serde_json::from_slice(&answer.body).map_err(|e| unreadable(&node, "consents", e))?;
    Ok(ConsentList {
        node: node.url.clone(),
        subject: listed.subject,
        consents: listed.consents,
        data_sets: listed.data_sets,
        members: listed.members,
    })
}

pub(super) fn receipt_key(node: &Node) -> Result<&NoteVerifier, ApiError> {
    node.receipt_key.as_ref().ok_or_else(|| {
        invalid(format!(
            "Signet's list of nodes pins no receipt key for {}",
            node.url
        ))
        .recommend(
            "Add the node's \"receiptKey\" (from the agency, beside its log key) to the list of nodes: without it a receipt cannot be checked.",
        )
    })
}

pub(super) fn verify(
    node: &Node,
    key: &NoteVerifier,
    receipt: &SignedReceipt,
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

pub(super) fn random_key() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::new(Code::Internal, format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Grants, restricts or withdraws a consent at the node at `url`, and returns the node's
/// receipt once it verifies. `idempotency_key`: the key of an earlier attempt, to get its
/// receipt rather than a second change; a new one is made when `None`.
pub fn change_consent(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    request: &ConsentRequest,
    idempotency_key: Option<&str>,
) -> Result<ConsentReceipt, ApiError> {
    let node = open_node(context, url)?;
    let key = receipt_key(&node)?.clone();
    let idempotency_key = match idempotency_key {
        Some(k) => k.to_owned(),
        None => random_key()?,
    };
    let body = serde_json::to_vec(request)
        .map_err(|e| ApiError::new(Code::Internal, format!("a consent change: {e}")))?;
    let mut sessions = Sessions::open(context)?;
    let mut session = session_for(context, &node, &mut sessions, spec, ask)?;
    let mut post = |ask: &mut AskSecret<'_>, media: &str, body: &[u8]| {
        send_with_session(
            context,
            &node,
            &mut sessions,
            &mut session,
            spec,
            ask,
            &mut |token| {
                let resp = node
                    .agent
                    .post(format!("{}/v1/consents", node.url))
                    .header(AUTHORIZATION, bearer(token)?)
                    .header("Content-Type", media)
                    .header("Idempotency-Key", &idempotency_key)
                    .send(body);
                read(&node, resp)
            },
        )
    };
    let mut answer = post(ask, "application/json", &body)?;
    if super::signed_consent::signature_required(&answer) {
        // The data set's law asks for the person's signature: the same change, signed.
        tracing::info!(node = %node.url, "the consent change must be signed");
        let container = super::signed_consent::signed_change(context, spec, ask, &body)?;
        answer = post(ask, super::signed_consent::ASICE, &container)?;
    }
    if answer.status != 200 && answer.status != 201 {
        return Err(answer.refused(&node, "the consent change"));
    }
    let receipt: SignedReceipt =
        serde_json::from_slice(&answer.body).map_err(|e| unreadable(&node, "a receipt", e))?;
    verify(&node, &key, &receipt)?;
    tracing::info!(node = %node.url, index = receipt.receipt.log_index, "consent changed; receipt verified");
    let receipt_not_kept = keep(&mut sessions, &node, &receipt);
    Ok(ConsentReceipt {
        node: node.url.clone(),
        idempotency_key,
        verified: true,
        receipt_kept: receipt_not_kept.is_none(),
        receipt_not_kept,
        receipt,
    })
}

/// The vault's name of a node's consent record: the node's log and the record's id.
fn vault_ids(
    node: &Node,
    consent: &str,
) -> Result<(signet_vault::ConsentId, signet_vault::AgencyId), signet_vault::VaultError> {
    Ok((
        signet_vault::ConsentId::new(format!("{} {consent}", node.pinned.origin))?,
        signet_vault::AgencyId::new(node.pinned.origin.clone())?,
    ))
}

/// Keeps the record and its receipt in the vault (a receipt kept already is not kept twice);
/// `None` when kept, otherwise why not.
fn keep(sessions: &mut Sessions, node: &Node, receipt: &SignedReceipt) -> Option<String> {
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
        let (id, agency) = vault_ids(node, &receipt.receipt.consent.id)?;
        let bytes = serde_json::to_vec(receipt).unwrap_or_default();
        let record = serde_json::to_vec(&receipt.receipt.consent).unwrap_or_default();
        if !vault
            .consent_receipts(&id)?
            .iter()
            .any(|r| r.receipt == bytes)
        {
            vault.put_consent(&id, &agency, &record)?;
            vault.put_consent_receipt(&id, &bytes)?;
        }
        Ok::<_, signet_vault::VaultError>(())
    })();
    match result {
        Ok(()) => None,
        Err(err) => {
            tracing::warn!(error = %err, "a consent receipt cannot be kept in the vault");
            Some(format!("the receipt is not kept: {err}"))
        }
    }
}

/// The receipts kept in the vault for the node at `url`, each verified offline against the
/// pinned receipt and log keys (no network).
pub fn kept_receipts(context: &Context, url: &str) -> Result<ConsentReceipts, ApiError> {
    let node = open_node(context, url)?;
    let vault = crate::vault::open(context).map_err(|e| match e {
        crate::vault::Unopened::Vault(e) => ApiError::new(
            Code::InvalidInput,
            format!("the vault cannot be opened, so no receipts are kept: {e}"),
        )
        .recommend(e.recommendation()),
        crate::vault::Unopened::Stopped(e) => e,
    })?;
    verify_kept(&node, &vault)
}

/// For `verify`: the number of receipts kept in the vault for the node at `url` — of consent
/// changes, corrections and misuse reports — each verified offline; `None` when the vault
/// cannot be opened (then none are kept) or the node's listing pins no receipt key.
pub fn verify_kept_receipts(context: &Context, url: &str) -> Result<Option<usize>, ApiError> {
    let node = open_node(context, url)?;
    if node.receipt_key.is_none() {
        return Ok(None);
    }
    match crate::vault::open(context) {
        Ok(vault) => Ok(Some(
            verify_kept(&node, &vault)?.receipts.len()
                + super::receipts::verify_kept_cases(&node, &vault)?.len(),
        )),
        Err(crate::vault::Unopened::Vault(_)) => Ok(None),
        Err(crate::vault::Unopened::Stopped(e)) => Err(e),
    }
}

pub(super) fn verify_kept(
    node: &Node,
    vault: &signet_vault::Vault,
) -> Result<ConsentReceipts, ApiError> {
    let key = receipt_key(node)?.clone();
    let mut receipts = Vec::new();
    for consent in vault.consents().map_err(|e| crate::vault::error(&e))? {
        if consent.agency.as_str() != node.pinned.origin {
            continue;
        }
        for kept in vault
            .consent_receipts(&consent.id)
            .map_err(|e| crate::vault::error(&e))?
        {
            let receipt: SignedReceipt = serde_json::from_slice(&kept.receipt).map_err(|e| {
                ApiError::new(
                    Code::Internal,
                    format!("a receipt kept in the vault cannot be read: {e}"),
                )
            })?;
            verify(node, &key, &receipt)?;
            receipts.push(receipt);
        }
    }
    receipts.sort_by_key(|r| r.receipt.log_index);
    Ok(ConsentReceipts {
        node: node.url.clone(),
        verified: true,
        receipts,
    })
}

/// The receipts the node at `url` gave for the person's (or `subject`'s) consent changes, each
/// verified against the pinned receipt and log keys.
pub fn receipts(
    context: &Context,
    url: &str,
    spec: &TokenSpec,
    ask: &mut AskSecret<'_>,
    subject: Option<&PersonCode>,
) -> Result<ConsentReceipts, ApiError> {
    let path = format!("/v1/consents/receipts{}", subject_query(subject));
    let (node, answer) = get_authenticated(context, url, spec, ask, &path, "to show the receipts")?;
    let key = receipt_key(&node)?.clone();
    #[derive(Deserialize)]
    struct Listed {
        receipts: Vec<SignedReceipt>,
    }
    let listed: Listed =
        serde_json::from_slice(&answer.body).map_err(|e| unreadable(&node, "receipts", e))?;
    for r in &listed.receipts {
        verify(&node, &key, r)?;
    }
    Ok(ConsentReceipts {
        node: node.url.clone(),
        verified: true,
        receipts: listed.receipts,
    })
}
