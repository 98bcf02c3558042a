//! The person's cases — corrections ([`crate::corrections`]) and misuse reports
//! ([`crate::reports`]) — filed, logged and receipted as consent changes are.
//!
//! Filing appends a usage entry of the person in the same batch as the case and its request
//! (idempotency key, request hash), and answers once the entry is durable and a checkpoint covers
//! it, with a receipt signed by the node's receipt key. An operator's decision on a correction
//! (`signet-node correction accept|reject`, from another process) is written into the case with
//! a flag; the node's tick ([`log_decisions`]) appends it to the log, where it reaches the
//! person's stream as any usage entry does, and then signs its receipt ([`receipt_pending`]).

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use signet_data::Timestamp;
use signet_data::correction::{
    Case, CaseChange, CaseEvent, CaseReceipt, CorrectionStatus, SignedCaseReceipt,
};
use signet_data::entry::{InitiatorPerson, Outcome, PersonCode, ProcessingType, Salt, UsageEntry};

use crate::case_store::CaseRequestRow;
use crate::http::{ApiError, session_person};
use crate::official::forbidden_in_text;
use crate::store::{Store, from_json, parse_entry, to_json};
use crate::{NodeError, State, lock, random};

/// `?subject=EE…`: whose cases a read is about.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubjectQuery {
    subject: Option<String>,
}

/// The person a request is about: the session's person, or someone they represent; anyone else
/// is 403 `code`.
pub(crate) fn subject_for(
    state: &State,
    actor: &PersonCode,
    asked: Option<&PersonCode>,
    code: &'static str,
    what: &str,
) -> Result<PersonCode, ApiError> {
    let subject = asked.unwrap_or(actor);
    if state.access.may_act_for(actor, subject) {
        Ok(subject.clone())
    } else {
        tracing::warn!(what, "a person asked about someone they do not represent");
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            code,
            format!("you may see and file {what} only for yourself and the people you represent"),
        ))
    }
}

/// The person a read names (`?subject=`), when the session's person may act for them.
pub(crate) fn asked_subject(
    state: &State,
    headers: &HeaderMap,
    q: &SubjectQuery,
    code: &'static str,
    what: &str,
) -> Result<PersonCode, ApiError> {
    let actor = session_person(state, headers)?;
    let asked = q
        .subject
        .as_deref()
        .map(|s| {
            PersonCode::new(s).map_err(|_| ApiError::bad_request("subject is not EE and 11 digits"))
        })
        .transpose()?;
    subject_for(state, &actor, asked.as_ref(), code, what)
}

/// The request's `Idempotency-Key`, or a random one.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    match headers.get("idempotency-key") {
        Some(v) => v
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 200)
            .map(str::to_owned)
            .ok_or_else(|| {
                ApiError::bad_request("Idempotency-Key must be 1 to 200 visible characters")
            }),
        None => Ok(format!("auto-{}", hex(&random::<16>()?))),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new case id, `<prefix>-<24 hex digits>`.
pub(crate) fn new_id(prefix: &str) -> Result<String, NodeError> {
    Ok(format!("{prefix}-{}", hex(&random::<12>()?)))
}

/// Base64 SHA-256 of a request body.
pub(crate) fn request_hash(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

/// Text the person (or the operator) writes that is shown to the person later: 1 to 1000
/// characters, no control characters or bidirectional overrides.
pub(crate) fn check_text(what: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if text.chars().count() > 1000 {
        return Err(format!("{what} is longer than 1000 characters"));
    }
    if let Some(c) = text.chars().find(|&c| forbidden_in_text(c)) {
        return Err(format!(
            "{what} contains U+{:04X}: control characters and bidirectional overrides \
             (U+202A to U+202E, U+2066 to U+2069) are not allowed",
            u32::from(c)
        ));
    }
    Ok(())
}

/// What a case change's usage entry says.
#[derive(Debug)]
pub(crate) struct EntryText {
    /// `action`.
    pub action: &'static str,
    /// `purpose`.
    pub purpose: &'static str,
    /// `legalBasis`.
    pub legal_basis: &'static str,
}

/// A usage entry of `subject` recording a case change that the node itself makes or receives:
/// internal processing, the node as receiver, `initiator` who acted (the person, or the agency).
pub(crate) fn case_entry(
    state: &State,
    subject: &PersonCode,
    initiator: Option<&PersonCode>,
    now: Timestamp,
    text: &EntryText,
    outcome: Outcome,
) -> UsageEntry {
    UsageEntry {
        subject: subject.clone(),
        log_time: now,
        action: text.action.to_owned(),
        purpose: text.purpose.to_owned(),
        receiver: state.organization.clone(),
        initiator_org: initiator.is_none().then(|| state.organization.clone()),
        initiator_person: initiator.map(|p| InitiatorPerson {
            code: Some(p.as_str().to_owned()),
            alternative_code: None,
            name: None,
        }),
        legal_basis: Some(text.legal_basis.to_owned()),
        consent_reference: None,
        query_id: None,
        query_group_id: None,
        bulk_processing: false,
        processing_type: ProcessingType::InternalProcessing,
        log_source_system: None,
        hidden_reason: None,
        hidden_until: None,
        released: Vec::new(),
        outcome,
    }
}

fn push_event(case: &mut Case, event: CaseEvent) {
    match case {
        Case::Correction(c) => c.history.push(event),
        Case::MisuseReport(r) => r.history.push(event),
    }
}

/// Files a case (or finds the one filed under `key`) and answers with its receipt; whether it
/// is new. `make` builds the case and its log entry from the store, under the log's lock.
pub(crate) fn file(
    state: &State,
    subject: &PersonCode,
    key: &str,
    request_hash: &str,
    make: impl FnOnce(&Store, Timestamp) -> Result<(Case, UsageEntry), ApiError>,
) -> Result<(SignedCaseReceipt, bool), ApiError> {
    let now = Timestamp::from_system(state.clock.now());
    let salt = Salt(random::<32>()?);
    let (index, fresh) = {
        let mut log = lock(&state.log);
        if let Some(row) = log.store.case_request(subject.as_str(), key)? {
            if row.request_hash != request_hash {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for another request; send a new key",
                ));
            }
            (row.log_index, false)
        } else {
            let (mut case, entry) = make(&log.store, now)?;
            // The entry, the case and the request go into the same batch (one transaction).
            let index = log.append(&entry, &salt)?;
            push_event(
                &mut case,
                CaseEvent {
                    time: now,
                    change: CaseChange::Filed,
                    request_hash: Some(request_hash.to_owned()),
                    log_index: index,
                },
            );
            log.store.put_case(&case, false)?;
            log.store
                .put_case_event(index, subject.as_str(), case.id())?;
            log.store.put_case_request(
                subject.as_str(),
                key,
                &CaseRequestRow {
                    request_hash: request_hash.to_owned(),
                    case_id: case.id().to_owned(),
                    log_index: index,
                },
            )?;
            tracing::info!(index, kind = case.kind(), "a person filed a case");
            (index, true)
        }
    };
    Ok((receipt_at(state, index)?, fresh))
}

/// The receipt of the case change logged at `index`: the stored one, or made now (once the
/// entry is durable and covered by a checkpoint) and stored.
pub(crate) fn receipt_at(state: &State, index: u64) -> Result<SignedCaseReceipt, NodeError> {
    if let Some(stored) = lock(&state.log)
        .store
        .case_event(index)?
        .and_then(|e| e.receipt)
    {
        return from_json(&stored);
    }
    crate::durable::wait_for(state, index)?;
    crate::person::sign_and_publish(state)?;
    let receipt = make_receipt(state, index)?;
    let log = lock(&state.log);
    log.store.set_case_receipt(index, &to_json(&receipt)?)?;
    // A concurrent request may have stored its receipt first: answer the stored one.
    let stored = log
        .store
        .case_event(index)?
        .and_then(|e| e.receipt)
        .ok_or_else(|| NodeError::Internal("the receipt was not stored".into()))?;
    from_json(&stored)
}

/// The case as it was right after the change logged at `index`: later changes left out.
pub(crate) fn case_as_of(case: Case, index: u64) -> Case {
    match case {
        Case::Correction(mut c) => {
            c.history.retain(|e| e.log_index <= index);
            if c.history
                .last()
                .is_some_and(|e| e.change == CaseChange::Filed)
            {
                c.status = CorrectionStatus::Pending;
                c.accepted_value = None;
                c.record_updated = false;
                c.reason = None;
            }
            Case::Correction(c)
        }
        Case::MisuseReport(mut r) => {
            r.history.retain(|e| e.log_index <= index);
            Case::MisuseReport(r)
        }
    }
}

/// Signs the receipt of the case change logged at `index` against the latest checkpoint.
fn make_receipt(state: &State, index: u64) -> Result<SignedCaseReceipt, NodeError> {
    let log = lock(&state.log);
    let signed = log
        .latest()
        .cloned()
        .filter(|s| s.checkpoint.size > index)
        .ok_or_else(|| NodeError::Internal("no checkpoint covers the case change".into()))?;
    let proof = log.inclusion_proof(index, signed.checkpoint.size)?;
    let stored = log
        .store
        .entries_between(index, index + 1)?
        .pop()
        .ok_or_else(|| NodeError::Internal("the case change's entry is not stored".into()))?;
    let entry = parse_entry(&stored.entry)?;
    let event = log
        .store
        .case_event(index)?
        .ok_or_else(|| NodeError::Internal("the case change is not recorded".into()))?;
    let (case, _) = log
        .store
        .case(&event.case_id)?
        .ok_or_else(|| NodeError::Internal("the changed case is gone".into()))?;
    let (change, request_hash) = match &entry.outcome {
        Outcome::CorrectionRequested { request_hash, .. }
        | Outcome::MisuseReported { request_hash, .. } => {
            (CaseChange::Filed, Some(request_hash.clone()))
        }
        Outcome::CorrectionAccepted { .. } => (CaseChange::Accepted, None),
        Outcome::CorrectionRejected { .. } => (CaseChange::Rejected, None),
        _ => {
            return Err(NodeError::Internal(
                "the case change's log entry records something else".into(),
            ));
        }
    };
    let id = hex(&Sha256::digest(format!("{}\n{index}", state.log_origin))
        .iter()
        .take(16)
        .copied()
        .collect::<Vec<u8>>());
    let receipt = CaseReceipt {
        id: format!("r-{id}"),
        node: state.log_origin.clone(),
        time: entry.log_time,
        subject: entry.subject.clone(),
        change,
        case: case_as_of(case, index),
        request_hash,
        log_index: index,
        entry,
        salt: STANDARD.encode(stored.salt.0),
        checkpoint: signed.note,
        inclusion_proof: proof,
    };
    SignedCaseReceipt::sign(receipt, &state.receipts)
        .map_err(|e| NodeError::Internal(e.to_string()))
}

/// Appends the operators' decisions not logged yet: one usage entry of the person per decision
/// (it reaches the person's stream once a checkpoint covers it).
pub(crate) fn log_decisions(state: &State) -> Result<(), NodeError> {
    let mut log = lock(&state.log);
    let pending = log.store.decisions_pending()?;
    if pending.is_empty() {
        return Ok(());
    }
    let now = Timestamp::from_system(state.clock.now());
    for case in pending {
        let Case::Correction(mut c) = case else {
            log.store.put_case(&case, false)?;
            continue;
        };
        let (change, action, outcome) = match c.status {
            CorrectionStatus::Accepted => (
                CaseChange::Accepted,
                "correction accepted",
                Outcome::CorrectionAccepted {
                    correction: c.id.clone(),
                    value: c.accepted_value.clone().unwrap_or_default(),
                },
            ),
            CorrectionStatus::Rejected => (
                CaseChange::Rejected,
                "correction rejected",
                Outcome::CorrectionRejected {
                    correction: c.id.clone(),
                    reason: c.reason.clone().unwrap_or_default(),
                },
            ),
            CorrectionStatus::Pending => {
                log.store.put_case(&Case::Correction(c), false)?;
                continue;
            }
        };
        let entry = case_entry(
            state,
            &c.subject,
            None,
            now,
            &EntryText {
                action,
                purpose: "the agency decided a correction you asked for",
                legal_basis: crate::corrections::LEGAL_BASIS,
            },
            outcome,
        );
        let index = log.append(&entry, &Salt(random::<32>()?))?;
        c.history.push(CaseEvent {
            time: now,
            change,
            request_hash: None,
            log_index: index,
        });
        let subject = c.subject.clone();
        let case = Case::Correction(c);
        log.store.put_case(&case, false)?;
        log.store
            .put_case_event(index, subject.as_str(), case.id())?;
        tracing::info!(index, decision = action, "a correction decision logged");
    }
    Ok(())
}

/// Signs the receipts of logged case changes that a checkpoint covers and that have none yet
/// (decisions; a filing whose answer was cut short).
pub(crate) fn receipt_pending(state: &State) -> Result<(), NodeError> {
    let (events, size) = {
        let log = lock(&state.log);
        let size = log.latest().map_or(0, |s| s.checkpoint.size);
        (log.store.case_events_without_receipt()?, size)
    };
    for event in events.into_iter().filter(|e| e.log_index < size) {
        receipt_at(state, event.log_index)?;
    }
    Ok(())
}

/// The stored receipts of `subject`'s cases of `kind` (`correction`, `misuseReport`).
pub(crate) fn receipts_of(
    state: &State,
    subject: &PersonCode,
    kind: &str,
) -> Result<Vec<SignedCaseReceipt>, NodeError> {
    let stored = lock(&state.log).store.case_receipts_of(subject.as_str())?;
    let mut receipts = Vec::with_capacity(stored.len());
    for text in stored {
        let receipt: SignedCaseReceipt = from_json(&text)?;
        if receipt.receipt.case.kind() == kind {
            receipts.push(receipt);
        }
    }
    Ok(receipts)
}
