//! Consent records: what a person permits or denies a recipient to receive from one data
//! provider, and the receipts a node gives for every change.
//!
//! A [`ConsentRecord`] follows the Estonian Data Consent Service's model (subject, data
//! provider, data, recipient, purpose, validity) and maps onto ISO/IEC TS 27560:2023 (through
//! W3C DPV) and HL7 FHIR R5 `Consent` (`docs/consents.md` has the table): a `decision` of
//! permit or deny (FHIR `Consent.decision`), a `status` of active, withdrawn or expired, and the
//! `history` of changes (27560's lifecycle events), each naming the hash of the person's request
//! and the log index the change was appended under.
//!
//! A change is answered with a [`SignedReceipt`]: the receipt (id, time, what changed, the
//! request's hash, the log entry of the change with its salt, the log index, its inclusion proof
//! and the checkpoint it is against), as the text of a C2SP signed note under the node's receipt
//! key, which Signet pins beside the log key. [`SignedReceipt::verify`] checks it offline.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_json;
pub use crate::entry::ChangeKind;
use crate::entry::{Outcome, PersonCode, Salt, UsageEntry};
use crate::log::{Known, LogError, PinnedLog};
use crate::merkle::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier, SignedNote};
use crate::time::Timestamp;

/// Permit or deny (FHIR `Consent.decision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// The recipient may receive the data.
    Permit,
    /// The recipient may not.
    Deny,
}

/// Where a record stands (DPV `ConsentGiven` / `ConsentWithdrawn` / `ConsentExpired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ConsentStatus {
    /// In force within its validity.
    Active,
    /// Withdrawn by the person; it no longer decides anything.
    Withdrawn,
    /// Its validity ended.
    Expired,
}

/// Which data a record is about: one data set of the provider, or every data set of a category
/// (`health`, `identity`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// One data set, by its id.
    DataSet(String),
    /// Every data set with this category.
    Category(String),
}

impl Scope {
    /// Whether the scope covers the data set `id` with `categories`.
    pub fn covers(&self, id: &str, categories: &[String]) -> bool {
        match self {
            Self::DataSet(set) => set == id,
            Self::Category(c) => categories.iter().any(|x| x == c),
        }
    }
}

/// Who receives: a named member organisation (`INSTANCE/CLASS/CODE`, every subsystem of it),
/// or a member category of the node's configuration (`health-care provider`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Recipient {
    /// An organisation, `EE/COM/10137319`.
    Member(String),
    /// A member category.
    Category(String),
}

/// One change of a record (27560 lifecycle event; FHIR `Provenance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConsentEvent {
    /// When.
    pub time: Timestamp,
    /// What.
    pub change: ChangeKind,
    /// SHA-256 of the person's request body, base64.
    pub request_hash: String,
    /// The index of the log entry recording the change.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub log_index: u64,
}

/// A person's consent or denial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    /// The record's identifier; usage entries of queries it decided name it.
    pub id: String,
    /// The person.
    pub subject: PersonCode,
    /// The data provider: the node's X-Road service provider.
    pub provider: String,
    /// Which data.
    pub scope: Scope,
    /// Who receives.
    pub recipient: Recipient,
    /// For which purpose (the query's `X-Road-PDU-Purpose`); `None` for any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub purpose: Option<String>,
    /// The legal basis the person relies on (GDPR Art. 6(1)(a) consent, by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub legal_basis: Option<String>,
    /// From when.
    pub valid_from: Timestamp,
    /// Until when; `None` until withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub valid_until: Option<Timestamp>,
    /// Permit or deny.
    pub decision: Decision,
    /// Active or withdrawn as stored ([`Self::status_at`] adds expiry).
    pub status: ConsentStatus,
    /// The changes, oldest first.
    #[serde(default)]
    pub history: Vec<ConsentEvent>,
}

impl ConsentRecord {
    /// The status at `now`: an active record past its `validUntil` is expired.
    pub fn status_at(&self, now: Timestamp) -> ConsentStatus {
        match self.status {
            ConsentStatus::Active if self.valid_until.is_some_and(|u| u <= now) => {
                ConsentStatus::Expired
            }
            s => s,
        }
    }

    /// Whether it decides queries at `now`: active, and `validFrom <= now < validUntil`.
    pub fn in_force_at(&self, now: Timestamp) -> bool {
        self.status_at(now) == ConsentStatus::Active && self.valid_from <= now
    }
}

/// What the person asks for (`POST /v1/consents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ConsentRequest {
    /// Permit `recipient` the data in `scope`.
    Grant(ConsentTerms),
    /// Deny `recipient` the data in `scope`.
    Restrict(ConsentTerms),
    /// Withdraw the record `consent`.
    Withdraw {
        /// The record's id.
        consent: String,
        /// Whose record (a representative acting for a child); the session's person when
        /// absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        subject: Option<PersonCode>,
    },
}

/// The terms of a grant or a restriction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentTerms {
    /// Which data.
    pub scope: Scope,
    /// Who receives.
    pub recipient: Recipient,
    /// For which purpose; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub purpose: Option<String>,
    /// From when; the time of the change when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub valid_from: Option<Timestamp>,
    /// Until when; until withdrawn when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub valid_until: Option<Timestamp>,
    /// Whose consent (a representative acting for a child); the session's person when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub subject: Option<PersonCode>,
}

impl ConsentRequest {
    /// The person the request is about, when it names one.
    pub fn subject(&self) -> Option<&PersonCode> {
        match self {
            Self::Grant(t) | Self::Restrict(t) => t.subject.as_ref(),
            Self::Withdraw { subject, .. } => subject.as_ref(),
        }
    }
}

/// A receipt for one change, as the node signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// The receipt's identifier.
    pub id: String,
    /// The node's log origin.
    pub node: String,
    /// When the change was made.
    pub time: Timestamp,
    /// The person whose consent changed.
    pub subject: PersonCode,
    /// What changed.
    pub change: ChangeKind,
    /// The record after the change.
    pub consent: ConsentRecord,
    /// SHA-256 of the request body, base64.
    pub request_hash: String,
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

/// A receipt with its signed note (the note's text is the receipt's canonical JSON and a
/// newline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// The C2SP signed note over it.
    pub signed_note: String,
}

/// Why a receipt does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// Not signed by the pinned receipt key, or not a signed note.
    #[error("the receipt is not signed by the node's pinned receipt key: {0}")]
    Signature(NoteError),
    /// The signed text is not the receipt shown.
    #[error("the signed receipt differs from the receipt shown")]
    Mismatch,
    /// The change's entry is not in the log.
    #[error("the receipt's log entry is not in the node's log: {0}")]
    Log(LogError),
    /// The entry does not record this change.
    #[error("the receipt's log entry does not record this change: {0}")]
    Entry(&'static str),
    /// A receipt has no canonical form (a broken invariant).
    #[error("the receipt cannot be written as canonical JSON: {0}")]
    Canonical(String),
}

/// The signed text of a receipt: its RFC 8785 canonical JSON and a newline.
pub(crate) fn text_of<T: Serialize>(receipt: &T) -> Result<String, ReceiptError> {
    let bytes = to_canonical_json(receipt).map_err(|e| ReceiptError::Canonical(e.to_string()))?;
    let mut text = String::from_utf8(bytes).map_err(|e| ReceiptError::Canonical(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Checks that `signed_note` is signed by `receipt_key` and that its text is `receipt`'s.
pub(crate) fn check_signed<T: Serialize>(
    signed_note: &str,
    receipt_key: &NoteVerifier,
    receipt: &T,
) -> Result<(), ReceiptError> {
    let note = SignedNote::parse(signed_note.as_bytes()).map_err(ReceiptError::Signature)?;
    let text = note.verify(receipt_key).map_err(ReceiptError::Signature)?;
    if text != text_of(receipt)? {
        return Err(ReceiptError::Mismatch);
    }
    Ok(())
}

/// Checks that `entry` with `salt` (base64) is leaf `index` of the tree of `checkpoint`, a note
/// signed by the pinned log key, by `inclusion_proof`.
pub(crate) fn check_logged(
    log: &PinnedLog,
    checkpoint: &str,
    index: u64,
    entry: &UsageEntry,
    salt: &str,
    inclusion_proof: &[Hash],
) -> Result<(), ReceiptError> {
    let salt: [u8; 32] = STANDARD
        .decode(salt)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or(ReceiptError::Entry("the salt is not 32 bytes in base64"))?;
    let checkpoint = log
        .advance(Known::FirstVisit, checkpoint.as_bytes(), &[])
        .map_err(ReceiptError::Log)?;
    log.verify_entry(&checkpoint, index, entry, &Salt(salt), inclusion_proof)
        .map_err(ReceiptError::Log)
}

impl SignedReceipt {
    /// Signs `receipt` with the node's receipt key.
    pub fn sign(receipt: Receipt, signer: &NoteSigner) -> Result<Self, ReceiptError> {
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
    /// this change of this person's consent with this request hash — is leaf `logIndex` of
    /// that checkpoint's tree.
    pub fn verify(&self, receipt_key: &NoteVerifier, log: &PinnedLog) -> Result<(), ReceiptError> {
        check_signed(&self.signed_note, receipt_key, &self.receipt)?;
        let r = &self.receipt;
        if r.entry.subject != r.subject || r.consent.subject != r.subject {
            return Err(ReceiptError::Entry("it is about another person"));
        }
        if r.entry.consent_reference.as_deref() != Some(r.consent.id.as_str()) {
            return Err(ReceiptError::Entry("it names another consent"));
        }
        match &r.entry.outcome {
            Outcome::ConsentChanged {
                change,
                request_hash,
            } if *change == r.change && *request_hash == r.request_hash => {}
            _ => return Err(ReceiptError::Entry("it records another change")),
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
