//! Corrections and misuse reports: what a person asks of an agency about their own data, and
//! the receipts the node signs for them.
//!
//! - A **correction** points at one field of one of the person's records that they believe is
//!   wrong, proposes a value and explains why ([`CorrectionRequest`]). The node keeps it as a
//!   [`Correction`], pending until the agency accepts it (with the value it now holds) or rejects
//!   it (with a reason).
//! - A **misuse report** flags one of the person's usage entries (by its log index) as
//!   suspected misuse, with a comment, for the agency's data protection officer
//!   ([`MisuseReportRequest`], kept as a [`MisuseReport`]).
//!
//! Each of these — the person's request and every later decision — is a usage entry of the
//! person in the node's log, and is answered (the request at once, a decision once it is logged)
//! with a [`SignedCaseReceipt`]: the receipt (what the case is now, the change, the request's
//! hash, the log entry with its salt, the log index, its inclusion proof and the checkpoint it
//! is against) as the text of a C2SP signed note under the node's receipt key, the same key that
//! signs consent receipts ([`crate::consent`]). [`SignedCaseReceipt::verify`] checks it offline.

use serde::{Deserialize, Serialize};

use crate::consent::{ReceiptError, check_logged, check_signed, text_of};
use crate::entry::{Outcome, PersonCode, UsageEntry};
use crate::holdings::FieldValue;
use crate::log::PinnedLog;
use crate::merkle::Hash;
use crate::note::{NoteSigner, NoteVerifier};
use crate::time::Timestamp;

/// What the person asks to correct (`POST /v1/corrections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The data set of the record (as the holdings name it).
    pub data_set: String,
    /// The record's id.
    pub record: String,
    /// The field the person believes is wrong.
    pub field: String,
    /// The value the person proposes, as text (`2026-03-01` for a date, `true` for yes).
    pub proposed_value: String,
    /// Why the held value is wrong.
    pub explanation: String,
    /// Whose record (a representative acting for a child); the session's person when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub subject: Option<PersonCode>,
}

/// Where a correction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CorrectionStatus {
    /// Waiting for the agency's decision.
    Pending,
    /// The agency accepted it: see [`Correction::accepted_value`].
    Accepted,
    /// The agency rejected it: see [`Correction::reason`].
    Rejected,
}

/// What happened to a case (a correction or a misuse report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CaseChange {
    /// The person filed it.
    Filed,
    /// The agency accepted it.
    Accepted,
    /// The agency rejected it.
    Rejected,
}

/// One change of a case, with the log entry recording it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CaseEvent {
    /// When.
    pub time: Timestamp,
    /// What.
    pub change: CaseChange,
    /// SHA-256 of the person's request body, base64 (for [`CaseChange::Filed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub request_hash: Option<String>,
    /// The index of the log entry recording the change.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub log_index: u64,
}

/// A correction the person asked for, as the node keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    /// The correction's identifier.
    pub id: String,
    /// The person whose record it is.
    pub subject: PersonCode,
    /// The agency: the node's X-Road service provider.
    pub provider: String,
    /// The record's data set.
    pub data_set: String,
    /// The record's id.
    pub record: String,
    /// The field.
    pub field: String,
    /// The value the record held when the person asked; `None` when the field was empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub current_value: Option<FieldValue>,
    /// The value the person proposed.
    pub proposed_value: String,
    /// The person's explanation.
    pub explanation: String,
    /// Pending, accepted or rejected.
    pub status: CorrectionStatus,
    /// When accepted: the value the agency holds now (the proposed one, or the agency's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub accepted_value: Option<String>,
    /// When accepted: whether the record itself now holds that value. `false` when the node's
    /// data model cannot hold it in the field (a classifier code without its label, a value of
    /// another kind): then the accepted value is recorded here only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub record_updated: bool,
    /// When rejected: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
    /// The changes, oldest first.
    #[serde(default)]
    pub history: Vec<CaseEvent>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What the person reports (`POST /v1/reports`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MisuseReportRequest {
    /// The log index of the usage entry the person suspects.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub usage_index: u64,
    /// What the person suspects, in their words.
    pub comment: String,
    /// Whose entry (a representative acting for a child); the session's person when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub subject: Option<PersonCode>,
}

/// A misuse report, as the node keeps it for its data protection officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MisuseReport {
    /// The report's identifier.
    pub id: String,
    /// The person whose entry it is.
    pub subject: PersonCode,
    /// The agency: the node's X-Road service provider.
    pub provider: String,
    /// The log index of the usage entry reported.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub usage_index: u64,
    /// The person's comment.
    pub comment: String,
    /// When it was filed.
    pub time: Timestamp,
    /// The changes (its filing), oldest first.
    #[serde(default)]
    pub history: Vec<CaseEvent>,
}

/// The case a receipt is about, as it is after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Case {
    /// A correction.
    Correction(Correction),
    /// A misuse report.
    MisuseReport(MisuseReport),
}

impl Case {
    /// The case's id.
    pub fn id(&self) -> &str {
        match self {
            Self::Correction(c) => &c.id,
            Self::MisuseReport(r) => &r.id,
        }
    }

    /// The person it is about.
    pub fn subject(&self) -> &PersonCode {
        match self {
            Self::Correction(c) => &c.subject,
            Self::MisuseReport(r) => &r.subject,
        }
    }

    /// `correction` or `misuseReport`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Correction(_) => "correction",
            Self::MisuseReport(_) => "misuseReport",
        }
    }
}

/// A receipt for one change of a case, as the node signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseReceipt {
    /// The receipt's identifier.
    pub id: String,
    /// The node's log origin.
    pub node: String,
    /// When the change was made.
    pub time: Timestamp,
    /// The person the case is about.
    pub subject: PersonCode,
    /// What changed.
    pub change: CaseChange,
    /// The case after the change.
    pub case: Case,
    /// SHA-256 of the person's request body, base64 (for [`CaseChange::Filed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub request_hash: Option<String>,
    /// The log index of the change's entry.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub log_index: u64,
    /// The change's log entry.
    pub entry: UsageEntry,
    /// Its salt, base64.
    pub salt: String,
    /// The signed checkpoint the proof is against.
    pub checkpoint: String,
    /// The RFC 9162 inclusion proof of `log_index` in that checkpoint's tree.
    pub inclusion_proof: Vec<Hash>,
}

/// A case receipt with its signed note (the note's text is the receipt's canonical JSON and a
/// newline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedCaseReceipt {
    /// The receipt.
    pub receipt: CaseReceipt,
    /// The C2SP signed note over it.
    pub signed_note: String,
}

impl SignedCaseReceipt {
    /// Signs `receipt` with the node's receipt key.
    pub fn sign(receipt: CaseReceipt, signer: &NoteSigner) -> Result<Self, ReceiptError> {
        let signed_note = signer
            .sign(&text_of(&receipt)?)
            .map_err(ReceiptError::Signature)?;
        Ok(Self {
            receipt,
            signed_note,
        })
    }

    /// Checks the receipt offline: signed by the pinned receipt key, the signed text is this
    /// receipt, its checkpoint is signed by the pinned log key, and its entry — which records
    /// this change of this person's case — is leaf `logIndex` of that checkpoint's tree.
    pub fn verify(&self, receipt_key: &NoteVerifier, log: &PinnedLog) -> Result<(), ReceiptError> {
        check_signed(&self.signed_note, receipt_key, &self.receipt)?;
        let r = &self.receipt;
        if r.entry.subject != r.subject || *r.case.subject() != r.subject {
            return Err(ReceiptError::Entry("it is about another person"));
        }
        if !records_change(r) {
            return Err(ReceiptError::Entry("it records another change"));
        }
        check_logged(
            log,
            &r.checkpoint,
            r.log_index,
            &r.entry,
            &r.salt,
            &r.inclusion_proof,
        )
    }
}

/// Whether the receipt's entry records the receipt's change of its case.
fn records_change(r: &CaseReceipt) -> bool {
    let hash = r.request_hash.as_deref();
    match (&r.entry.outcome, r.change, &r.case) {
        (
            Outcome::CorrectionRequested {
                correction,
                request_hash,
            },
            CaseChange::Filed,
            Case::Correction(c),
        ) => *correction == c.id && Some(request_hash.as_str()) == hash,
        (
            Outcome::CorrectionAccepted { correction, value },
            CaseChange::Accepted,
            Case::Correction(c),
        ) => {
            *correction == c.id
                && c.status == CorrectionStatus::Accepted
                && c.accepted_value.as_deref() == Some(value.as_str())
        }
        (
            Outcome::CorrectionRejected { correction, reason },
            CaseChange::Rejected,
            Case::Correction(c),
        ) => {
            *correction == c.id
                && c.status == CorrectionStatus::Rejected
                && c.reason.as_deref() == Some(reason.as_str())
        }
        (
            Outcome::MisuseReported {
                report,
                usage_index,
                request_hash,
            },
            CaseChange::Filed,
            Case::MisuseReport(m),
        ) => {
            *report == m.id && *usage_index == m.usage_index && Some(request_hash.as_str()) == hash
        }
        _ => false,
    }
}
