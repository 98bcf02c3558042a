//! The usage entry: one use of a person's data, with the Data Tracker v3 fields, what was
//! released, and whether the query was served.
//!
//! Field names follow `dumonitor-openapi-v3.yaml` (`UsageCommon`): "required: `logTime`,
//! `purpose`, and at least one of `initiatorOrg` / `initiatorPerson`; optional:
//! `logSourceSystem`, `bulkProcessing`, `legalBasis`, `consentReference`, `queryId`,
//! `queryGroupId`, `hiddenReason`, `hiddenUntil`". Beyond the Data Tracker, an entry names the
//! data sets and fields that were released (no version of the protocol says "which data", which
//! EHDS Art. 9 requires for health data) and the outcome: served, or refused by a consent rule.
//!
//! Each entry is committed to the log with its own salt (data-protocol.md section 6):
//! `c = SHA-256(canonical_json(entry) ‖ salt)`, and the Merkle leaf is `H(0x00 ‖ c)`. The public
//! log reveals nothing about the person; the person recomputes `c` from their own entry.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::canonical::{CanonicalError, to_canonical_json};
use crate::merkle::Hash;
use crate::time::Timestamp;

/// An Estonian personal code with its country prefix, `EE38001085718` (`^EE[0-9]{11}$`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct PersonCode(String);

/// A text that is not a personal code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a personal code of the form EE followed by 11 digits")]
pub struct PersonCodeError;

impl PersonCode {
    /// Parses `EE` followed by eleven digits.
    pub fn new(code: &str) -> Result<Self, PersonCodeError> {
        let digits = code.strip_prefix("EE").ok_or(PersonCodeError)?;
        if digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(PersonCodeError)
        }
    }

    /// The code, `EE38001085718`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonCode {
    type Error = PersonCodeError;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::new(&code)
    }
}

impl From<PersonCode> for String {
    fn from(code: PersonCode) -> Self {
        code.0
    }
}

/// `Organization.type` of Data Tracker v3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum OrgType {
    /// A government agency.
    Gov,
    /// A company.
    Com,
    /// A non-governmental organisation.
    Ngo,
    /// A non-Estonian organisation.
    Nee,
}

/// `Organization{type, code ^[0-9]{8}$, name, systemName}` of Data Tracker v3.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// GOV, COM, NGO or NEE.
    #[serde(rename = "type")]
    pub org_type: OrgType,
    /// The registry code, eight digits.
    pub code: String,
    /// The name.
    pub name: String,
    /// The information system that made or answered the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub system_name: Option<String>,
}

/// `Person{code, alternativeCode, name}` of Data Tracker v3: the official who initiated a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InitiatorPerson {
    /// The personal code, `EE…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub code: Option<String>,
    /// A badge or service number, or a foreign identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub alternative_code: Option<String>,
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
}

/// `processingType` of Data Tracker v3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ProcessingType {
    /// A system-initiated query, including add, modify and delete.
    DataRequest,
    /// The answer to an incoming query.
    DataResponse,
    /// Processing data received earlier (from a cache, for instance).
    DataProcessing,
    /// Source and recipient are the same agency.
    InternalProcessing,
}

/// Which fields of one data set a query released.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReleasedData {
    /// The data set (see [`crate::holdings::DataSet::id`]).
    pub data_set: String,
    /// The fields released; empty when nothing was.
    pub fields: Vec<String>,
}

/// Whether the query was answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "result", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Outcome {
    /// The data was released.
    Served,
    /// A consent rule of the person refused the query; nothing was released.
    #[serde(rename_all = "camelCase")]
    RefusedByConsent {
        /// The rule (the person's consent or denial, or the data set's default) that
        /// refused it.
        rule: String,
    },
    /// The node's authorization (which members may query the data set, for which purposes,
    /// on which legal basis) refused the query before any consent was considered.
    #[serde(rename_all = "camelCase")]
    RefusedByAuthorization {
        /// The rule of the node's configuration that refused it.
        rule: String,
    },
    /// Not a query: the person changed a consent record (its id is the entry's
    /// `consentReference`).
    #[serde(rename_all = "camelCase")]
    ConsentChanged {
        /// What changed.
        change: ChangeKind,
        /// SHA-256 of the person's request, base64.
        request_hash: String,
    },
    /// Not a query: the person asked the agency to correct a field of their record
    /// (`crate::correction`).
    #[serde(rename_all = "camelCase")]
    CorrectionRequested {
        /// The correction's id.
        correction: String,
        /// SHA-256 of the person's request, base64.
        request_hash: String,
    },
    /// Not a query: the agency accepted a correction the person asked for.
    #[serde(rename_all = "camelCase")]
    CorrectionAccepted {
        /// The correction's id.
        correction: String,
        /// The value the agency holds now.
        value: String,
    },
    /// Not a query: the agency rejected a correction the person asked for.
    #[serde(rename_all = "camelCase")]
    CorrectionRejected {
        /// The correction's id.
        correction: String,
        /// Why.
        reason: String,
    },
    /// Not a query: the person reported one of their usage entries as suspected misuse, for the
    /// agency's data protection officer.
    #[serde(rename_all = "camelCase")]
    MisuseReported {
        /// The report's id.
        report: String,
        /// The log index of the entry reported.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        usage_index: u64,
        /// SHA-256 of the person's request, base64.
        request_hash: String,
    },
}

/// What a change of a consent record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// A permit was given.
    Granted,
    /// A deny was given.
    Restricted,
    /// The record was withdrawn.
    Withdrawn,
}

/// One use of a person's data: the Data Tracker v3 `UsageCommon` fields (plus the v2 `action` and
/// receiver), the person it concerns, what was released and the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UsageEntry {
    /// The person whose data was used (the data subject).
    pub subject: PersonCode,
    /// `logTime`: when it happened.
    pub log_time: Timestamp,
    /// `action` (v1/v2): a short description of what was done, e.g. "Isiku ees- ja perenime päring".
    pub action: String,
    /// `purpose` (v3): why.
    pub purpose: String,
    /// The receiver of the data (v2 `receiverCode`, `receiverName`, `receiverSystem`).
    pub receiver: Organization,
    /// `initiatorOrg` (v3): the organisation that initiated the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub initiator_org: Option<Organization>,
    /// `initiatorPerson` (v3): the official.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub initiator_person: Option<InitiatorPerson>,
    /// `legalBasis` (v3), e.g. "Tervise infosüsteemi põhimäärus (§nn)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub legal_basis: Option<String>,
    /// `consentReference` (v3): the consent the processing relied on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub consent_reference: Option<String>,
    /// `queryId` (v3): the X-Road message id (`X-Road-Id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub query_id: Option<String>,
    /// `queryGroupId` (v3): the case (`X-Road-Issue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub query_group_id: Option<String>,
    /// `bulkProcessing` (v3).
    #[serde(default)]
    pub bulk_processing: bool,
    /// `processingType` (v3).
    pub processing_type: ProcessingType,
    /// `logSourceSystem` (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub log_source_system: Option<String>,
    /// `hiddenReason` (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hidden_reason: Option<String>,
    /// `hiddenUntil` (v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hidden_until: Option<Timestamp>,
    /// Which data sets and fields were released (beyond the Data Tracker).
    pub released: Vec<ReleasedData>,
    /// Served, or refused by a consent rule (beyond the Data Tracker).
    pub outcome: Outcome,
}

/// The length of a per-entry salt, in bytes.
pub const SALT_LEN: usize = 32;

/// The per-entry salt of a commitment.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Salt(pub [u8; SALT_LEN]);

impl std::fmt::Debug for Salt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Salt(..)")
    }
}

impl UsageEntry {
    /// Whether the entry is still hidden from the person at `now`: it has a `hiddenReason` and
    /// its `hiddenUntil` is later (an entry hidden without a date stays hidden). Its commitment is
    /// in the log from the start, so the disclosed entry is checked against the checkpoint signed
    /// when it was logged.
    pub fn is_hidden_at(&self, now: Timestamp) -> bool {
        self.hidden_reason.is_some() && self.hidden_until.is_none_or(|until| until > now)
    }

    /// The RFC 8785 canonical JSON of the entry: the bytes the commitment covers.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        to_canonical_json(self)
    }
}

/// The commitment to one entry, `c = SHA-256(canonical_json(entry) ‖ salt)`: the log's leaf
/// data (its Merkle leaf hash is `H(0x00 ‖ c)`).
pub fn commitment(canonical_entry: &[u8], salt: &Salt) -> Hash {
    let mut h = Sha256::new();
    h.update(canonical_entry);
    h.update(salt.0);
    Hash(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_codes() {
        assert!(PersonCode::new("EE38001085718").is_ok());
        for bad in [
            "38001085718",
            "EE3800108571",
            "EE380010857180",
            "EE3800108571x",
            "LV38001085718",
        ] {
            assert!(PersonCode::new(bad).is_err(), "{bad}");
        }
    }
}
