//! The consents screen's operations: every agency's consent records and data-set terms for the
//! person, and switching one on or off — a withdrawal, or a grant with the same terms — answered
//! by the node's receipt, verified before it is shown ([`crate::data`] does the protocol).

use serde::Serialize;
use signet_data::consent::{
    ConsentRecord, ConsentRequest, ConsentStatus, ConsentTerms, Decision, Recipient, Scope,
};

use crate::dashboard::agency_name;
use crate::data::plain_text;
use crate::job::JobControl;
use crate::signing::Settings;
use crate::{ApiError, Context};

/// One consent record as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    /// Its id at the node.
    pub id: String,
    /// The data set it is about (its id), or `None` for a category.
    pub data_set: Option<String>,
    /// The category of data sets it is about, when it is about one.
    pub category: Option<String>,
    /// The recipient: a member organisation's code or a member category.
    pub recipient: String,
    /// Whether the recipient is a category ("any health-care provider").
    pub recipient_is_category: bool,
    /// The recipient's member id as the consent names it (`EE/COM/10137319/hambaravi`), when
    /// it is a member: what a signed change holds.
    pub recipient_code: Option<String>,
    /// For which purpose; any when absent.
    pub purpose: Option<String>,
    /// Permitted (true) or denied.
    pub permit: bool,
    /// In force now.
    pub active: bool,
    /// `active`, `withdrawn` or `expired`.
    pub status: String,
    /// From when (RFC 3339).
    pub valid_from: String,
    /// Until when (RFC 3339).
    pub valid_until: Option<String>,
    /// How many times it changed.
    pub changes: u32,
}

/// A change of consent a PIN2 signature makes, as the person reads it before signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentChangeView {
    /// The agency's node.
    pub node: String,
    /// The consent (or refusal) is switched on (given again) or off (withdrawn).
    pub on: bool,
    /// The consent as the agency holds it now.
    pub consent: ConsentView,
}

/// A data set's terms at an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DataSetTermsView {
    /// The data set's id.
    pub id: String,
    /// Served unless the person closes it (true), or refused unless the person opens it.
    pub open_by_default: bool,
    /// A change needs the person's qualified signature.
    pub requires_signature: bool,
}

/// One agency's consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgencyConsents {
    /// The node.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// Its records.
    pub consents: Vec<ConsentView>,
    /// Its data sets' terms.
    pub data_sets: Vec<DataSetTermsView>,
    /// Why it did not answer.
    pub error: Option<ApiError>,
}

/// Every agency's consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConsentsView {
    /// The agencies.
    pub agencies: Vec<AgencyConsents>,
    /// When read (RFC 3339).
    pub as_of: String,
}

/// A change's receipt, verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptView {
    /// The node.
    pub node: String,
    /// The receipt's id.
    pub id: String,
    /// When the change was made (RFC 3339).
    pub time: String,
    /// What changed (`granted`, `restricted`, `withdrawn`…).
    pub change: String,
    /// The change's index in the node's log.
    #[ts(type = "number")]
    pub log_index: u64,
    /// The receipt verified: signed by the pinned receipt key, its entry included in a
    /// checkpoint signed by the pinned log key.
    pub verified: bool,
    /// The record after the change.
    pub consent: ConsentView,
}

fn view(
    record: &ConsentRecord,
    now: signet_data::Timestamp,
    members: &[crate::data::MemberName],
) -> ConsentView {
    let (data_set, category) = match &record.scope {
        Scope::DataSet(id) => (Some(plain_text(id)), None),
        Scope::Category(c) => (None, Some(plain_text(c))),
    };
    let (recipient, recipient_is_category, recipient_code) = match &record.recipient {
        Recipient::Member(m) => (
            members
                .iter()
                .find(|x| x.id == *m)
                .map_or_else(|| plain_text(m), |x| plain_text(&x.name)),
            false,
            Some(plain_text(m)),
        ),
        Recipient::Category(c) => (plain_text(c), true, None),
    };
    let status = record.status_at(now);
    ConsentView {
        id: plain_text(&record.id),
        data_set,
        category,
        recipient,
        recipient_is_category,
        recipient_code,
        purpose: record.purpose.as_deref().map(plain_text),
        permit: record.decision == Decision::Permit,
        active: record.in_force_at(now),
        status: match status {
            ConsentStatus::Active => "active",
            ConsentStatus::Withdrawn => "withdrawn",
            ConsentStatus::Expired => "expired",
        }
        .to_owned(),
        valid_from: record.valid_from.to_string(),
        valid_until: record.valid_until.as_ref().map(ToString::to_string),
        changes: u32::try_from(record.history.len()).unwrap_or(u32::MAX),
    }
}

fn now(context: &Context) -> Result<signet_data::Timestamp, ApiError> {
    let secs = context
        .clock()
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| ApiError::new(signet_core::Code::Internal, format!("the clock: {e}")))?
        .as_secs();
    Ok(signet_data::Timestamp::from_unix(secs))
}

/// Every agency's consent records and data-set terms for the person (one PIN1 for the logins
/// needed).
pub fn consents(context: &Context, job: &JobControl) -> Result<ConsentsView, ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let now = now(context)?;
    let results = crate::dashboard::for_each_node(context, job, |node, ask| {
        crate::data::consents(context, &node.url, &token, ask, None)
    })?;
    let mut agencies = Vec::new();
    for (node, result) in results {
        match result {
            Ok(list) => agencies.push(AgencyConsents {
                node: node.url.clone(),
                agency: agency_name(&node),
                consents: list
                    .consents
                    .iter()
                    .map(|c| view(c, now, &list.members))
                    .collect(),
                data_sets: list
                    .data_sets
                    .iter()
                    .map(|d| DataSetTermsView {
                        id: plain_text(&d.id),
                        open_by_default: d.default == "open",
                        requires_signature: d.consent_requires_signature,
                    })
                    .collect(),
                error: None,
            }),
            Err(err) if crate::dashboard::is_pin_trouble(&err) => return Err(err),
            Err(err) => agencies.push(AgencyConsents {
                node: node.url.clone(),
                agency: agency_name(&node),
                consents: Vec::new(),
                data_sets: Vec::new(),
                error: Some(err),
            }),
        }
    }
    Ok(ConsentsView {
        agencies,
        as_of: signet_pki::time::Utc(context.clock().now()).to_string(),
    })
}

/// Switches the consent `id` at `node` off (withdraws it) or on again (a new record with its
/// terms), and returns the node's receipt once it verifies.
pub fn switch(
    context: &Context,
    node: &str,
    id: &str,
    on: bool,
    job: &JobControl,
) -> Result<ReceiptView, ApiError> {
    let token = Settings::resolve(context, None, None)?.token;
    let now = now(context)?;
    let mut ask =
        |kind, state| job.ask(crate::job::SigningAsk::default().request(kind, state, 0, false));
    let list = crate::data::consents(context, node, &token, &mut ask, None)?;
    let record = list.consents.iter().find(|c| c.id == id).ok_or_else(|| {
        ApiError::new(
            signet_core::Code::InvalidInput,
            "this consent is no longer at the agency",
        )
        .recommend("Refresh the consents and try again.")
    })?;
    let request = if on {
        let terms = ConsentTerms {
            scope: record.scope.clone(),
            recipient: record.recipient.clone(),
            purpose: record.purpose.clone(),
            valid_from: None,
            valid_until: None,
            subject: None,
        };
        match record.decision {
            Decision::Permit => ConsentRequest::Grant(terms),
            Decision::Deny => ConsentRequest::Restrict(terms),
        }
    } else {
        ConsentRequest::Withdraw {
            consent: record.id.clone(),
            subject: None,
        }
    };
    // A data set whose law asks for a signature: PIN2 signs the change itself, and its request
    // says it in words and names its file (consent.json, its size and digest); PIN1 only logs
    // in.
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let signed = crate::job::SigningAsk {
        signer: None,
        documents: vec![crate::job::DocumentFacts {
            name: "consent.json".into(),
            path: "consent.json".into(),
            size: body.len() as u64,
            sha256: crate::job::sha256_hex(&body),
        }],
        per_file: false,
        // The same record the change is made from, in words.
        consent_change: Some(Box::new(ConsentChangeView {
            node: node.to_owned(),
            on,
            consent: view(record, now, &list.members),
        })),
    };
    let mut ask = |kind: signet_token::PinKind, state| {
        let asked = if kind == signet_token::PinKind::Pin2 {
            &signed
        } else {
            &crate::job::SigningAsk::default()
        };
        job.ask(asked.request(kind, state, 0, false))
    };
    let receipt = crate::data::change_consent(context, node, &token, &mut ask, &request, None)?;
    let r = &receipt.receipt.receipt;
    Ok(ReceiptView {
        node: receipt.node.clone(),
        id: plain_text(&r.id),
        time: r.time.to_string(),
        change: serde_json::to_value(r.change)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        log_index: r.log_index,
        verified: receipt.verified,
        consent: view(&r.consent, now, &list.members),
    })
}
