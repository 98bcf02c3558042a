//! The person's consents: list, grant, restrict, withdraw — each change appended to the usage
//! log and answered at once with a receipt signed by the node's receipt key.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /v1/consents[?subject=EE…]` | `{subject, consents: [record], dataSets: [{id, default, consentRequiresSignature}]}` |
//! | `POST /v1/consents` (`Idempotency-Key`), a [`ConsentRequest`] (JSON, or signed: `consent.json` in an ASiC-E container, `crate::signed_consent`) | 201 (or 200 for a retry) a [`SignedReceipt`] |
//! | `GET /v1/consents/receipts[?subject=EE…]` | `{receipts: [SignedReceipt]}` |
//!
//! Only the person themself or their authorised representative (the configuration's
//! `relations.represents`) sees or changes a person's consents; anyone else is 403 whether the
//! person has records or not. A retried change (the same `Idempotency-Key`, the same body) is
//! answered with the receipt of the first and changes nothing; the same key with another body
//! is 409.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use signet_data::Timestamp;
use signet_data::consent::{
    ChangeKind, ConsentEvent, ConsentRecord, ConsentRequest, ConsentStatus, ConsentTerms, Decision,
    Receipt, Recipient, Scope, SignedReceipt,
};
use signet_data::entry::{InitiatorPerson, Outcome, PersonCode, ProcessingType, Salt, UsageEntry};
use signet_data::holdings::DataSet;

use crate::http::{ApiError, session_person};
use crate::official::forbidden_in_text;
use crate::store::{ConsentChangeRow, from_json, to_json};
use crate::{NodeError, State, lock, random};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubjectQuery {
    subject: Option<String>,
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "not_your_consents", message)
}

/// The person whose consents the session's person asks about: themself, or someone they
/// represent.
fn subject_for(
    state: &State,
    actor: &PersonCode,
    asked: Option<&PersonCode>,
) -> Result<PersonCode, ApiError> {
    let subject = asked.unwrap_or(actor);
    if state.access.may_act_for(actor, subject) {
        Ok(subject.clone())
    } else {
        tracing::warn!("a person asked for consents of someone they do not represent");
        Err(forbidden(
            "you may see and change only your own consents and those of the people you represent",
        ))
    }
}

/// The person a read names (`?subject=`), when the session's person may act for them.
fn asked_subject(
    state: &State,
    headers: &HeaderMap,
    q: &SubjectQuery,
) -> Result<PersonCode, ApiError> {
    let actor = session_person(state, headers)?;
    let asked = q
        .subject
        .as_deref()
        .map(|s| {
            PersonCode::new(s).map_err(|_| ApiError::bad_request("subject is not EE and 11 digits"))
        })
        .transpose()?;
    subject_for(state, &actor, asked.as_ref())
}

/// `GET /v1/consents`.
pub(crate) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<SubjectQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let subject = asked_subject(&state, &headers, &q)?;
    let now = Timestamp::from_system(state.clock.now());
    let mut consents = lock(&state.log).store.consents_of(subject.as_str())?;
    for c in &mut consents {
        c.status = c.status_at(now);
    }
    let data_sets: Vec<_> = state
        .access
        .data_sets
        .iter()
        .map(|(id, a)| {
            serde_json::json!({
                "id": id,
                "default": a.default,
                "consentRequiresSignature": a.consent_requires_signature,
            })
        })
        .collect();
    // The member organisations by name, so that a consent reads "Tähe Hambakliinik OÜ may see
    // …" rather than a registry code.
    let mut members: Vec<serde_json::Value> = Vec::new();
    for m in &state.members {
        let id = crate::access::organization_of(&m.client);
        if !members.iter().any(|x| x["id"] == id.as_str()) {
            members.push(serde_json::json!({"id": id, "name": m.organization.name}));
        }
    }
    Ok(Json(serde_json::json!({
        "subject": subject,
        "consents": consents,
        "dataSets": data_sets,
        "members": members,
    })))
}

/// `GET /v1/consents/receipts`.
pub(crate) async fn receipts(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<SubjectQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let subject = asked_subject(&state, &headers, &q)?;
    let stored = lock(&state.log).store.receipts_of(subject.as_str())?;
    let receipts = stored
        .iter()
        .map(|t| from_json::<SignedReceipt>(t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(serde_json::json!({ "receipts": receipts })))
}

fn check_text(what: &str, text: &str) -> Result<(), ApiError> {
    if text.chars().count() > 1000 || text.chars().any(forbidden_in_text) {
        return Err(ApiError::bad_request(format!(
            "{what} must be at most 1000 characters without control characters or bidirectional overrides"
        )));
    }
    Ok(())
}

/// Checks the terms against the node's data sets and categories.
fn check_terms(state: &State, terms: &ConsentTerms) -> Result<(), ApiError> {
    match &terms.scope {
        Scope::DataSet(id) => {
            if state.access.data_set(id).is_none() {
                return Err(ApiError::bad_request(format!("no data set {id} here")));
            }
        }
        Scope::Category(c) => check_text("the category", c)?,
    }
    match &terms.recipient {
        Recipient::Member(org) => {
            if crate::access::organization_of(org) != *org || org.split('/').count() != 3 {
                return Err(ApiError::bad_request(
                    "a recipient member is an organisation INSTANCE/CLASS/CODE",
                ));
            }
        }
        Recipient::Category(c) => {
            if !state.access.categories.contains_key(c) {
                return Err(ApiError::bad_request(format!("no member category {c}")));
            }
        }
    }
    if let Some(p) = &terms.purpose {
        check_text("the purpose", p)?;
    }
    if let (Some(from), Some(until)) = (terms.valid_from, terms.valid_until)
        && until <= from
    {
        return Err(ApiError::bad_request("validUntil must be after validFrom"));
    }
    Ok(())
}

/// Whether a change of a record with `scope` needs the person's qualified signature: the data
/// set's, or any data set of the category.
fn needs_signature(state: &State, sets: &[DataSet], scope: &Scope) -> bool {
    sets.iter().any(|set| {
        scope.covers(&set.id, &set.categories)
            && state
                .access
                .data_set(&set.id)
                .is_some_and(|a| a.consent_requires_signature)
    })
}

/// `POST /v1/consents`.
pub(crate) async fn change(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = session_person(&state, &headers)?;
    crate::rate::count_change(&state, &actor)?;
    let signed = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with(crate::signed_consent::ASICE));
    let request: ConsentRequest = if signed {
        let (state2, actor2, body2) = (Arc::clone(&state), actor.clone(), body.clone());
        tokio::task::spawn_blocking(move || crate::signed_consent::open(&state2, &actor2, &body2))
            .await
            .map_err(|e| NodeError::Internal(format!("the signature task failed: {e}")))??
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("not a consent change: {e}")))?
    };
    let subject = subject_for(&state, &actor, request.subject())?;
    let key = match headers.get("idempotency-key") {
        Some(v) => {
            let k = v
                .to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    ApiError::bad_request("Idempotency-Key must be 1 to 200 visible characters")
                })?;
            k.to_owned()
        }
        None => format!(
            "auto-{}",
            random::<16>()?
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
    };
    let request_hash = STANDARD.encode(Sha256::digest(&body));
    if let ConsentRequest::Grant(t) | ConsentRequest::Restrict(t) = &request {
        check_terms(&state, t)?;
    }
    let state2 = Arc::clone(&state);
    let done = tokio::task::spawn_blocking(move || {
        apply(
            &state2,
            &actor,
            &subject,
            &key,
            &request,
            &request_hash,
            signed,
        )
    })
    .await
    .map_err(|e| NodeError::Internal(format!("the consent task failed: {e}")))??;
    let status = if done.1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(done.0)).into_response())
}

fn conflict(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, message)
}

/// Makes the change (or finds the one made under `key`) and its receipt; whether it is new.
fn apply(
    state: &State,
    actor: &PersonCode,
    subject: &PersonCode,
    key: &str,
    request: &ConsentRequest,
    request_hash: &str,
    signed: bool,
) -> Result<(SignedReceipt, bool), ApiError> {
    let now = Timestamp::from_system(state.clock.now());
    let salt = Salt(random::<32>()?);
    let (row, record, fresh) = {
        let mut log = lock(&state.log);
        if let Some(row) = log.store.consent_change(subject.as_str(), key)? {
            if row.request_hash != request_hash {
                return Err(conflict(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for another change",
                ));
            }
            let record = log.store.consent(&row.consent_id)?;
            (row, record, false)
        } else {
            let (mut record, change) = match request {
                ConsentRequest::Grant(t) | ConsentRequest::Restrict(t) => {
                    let id: String = random::<12>()?.iter().map(|b| format!("{b:02x}")).collect();
                    let (decision, change) = match request {
                        ConsentRequest::Grant(_) => (Decision::Permit, ChangeKind::Granted),
                        _ => (Decision::Deny, ChangeKind::Restricted),
                    };
                    (
                        ConsentRecord {
                            id: format!("c-{id}"),
                            subject: subject.clone(),
                            provider: state.provider.clone(),
                            scope: t.scope.clone(),
                            recipient: t.recipient.clone(),
                            purpose: t.purpose.clone(),
                            legal_basis: Some("GDPR Art. 6(1)(a), Art. 9(2)(a): consent".into()),
                            valid_from: t.valid_from.unwrap_or(now),
                            valid_until: t.valid_until,
                            decision,
                            status: ConsentStatus::Active,
                            history: Vec::new(),
                        },
                        change,
                    )
                }
                ConsentRequest::Withdraw { consent, .. } => {
                    // Another person's record is "not found", as one that does not exist.
                    let record = log
                        .store
                        .consent(consent)?
                        .filter(|c| &c.subject == subject)
                        .ok_or_else(|| {
                            ApiError::new(
                                StatusCode::NOT_FOUND,
                                "no_such_consent",
                                format!("no consent {consent} of this person"),
                            )
                        })?;
                    if record.status == ConsentStatus::Withdrawn {
                        return Err(conflict(
                            "already_withdrawn",
                            "this consent is withdrawn already",
                        ));
                    }
                    (record, ChangeKind::Withdrawn)
                }
            };
            if !signed && needs_signature(state, &log.store.data_sets()?, &record.scope) {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "signature_required",
                    "a change of this consent must carry your qualified signature: send the \
                     change as consent.json in an ASiC-E container signed at B-LT \
                     (Content-Type: application/vnd.etsi.asic-e+zip)",
                ));
            }
            let entry = UsageEntry {
                subject: subject.clone(),
                log_time: now,
                action: format!("consent {}", change_word(change)),
                purpose: "the person changed a consent".into(),
                receiver: state.organization.clone(),
                initiator_org: None,
                initiator_person: Some(InitiatorPerson {
                    code: Some(actor.as_str().to_owned()),
                    alternative_code: None,
                    name: None,
                }),
                legal_basis: record.legal_basis.clone(),
                consent_reference: Some(record.id.clone()),
                query_id: None,
                query_group_id: None,
                bulk_processing: false,
                processing_type: ProcessingType::InternalProcessing,
                log_source_system: None,
                hidden_reason: None,
                hidden_until: None,
                released: Vec::new(),
                outcome: Outcome::ConsentChanged {
                    change,
                    request_hash: request_hash.to_owned(),
                },
            };
            // The entry, the record and the change go into the same batch (one transaction).
            let index = log.append(&entry, &salt)?;
            if change == ChangeKind::Withdrawn {
                record.status = ConsentStatus::Withdrawn;
                record.valid_until = Some(record.valid_until.map_or(now, |u| u.min(now)));
            }
            record.history.push(ConsentEvent {
                time: now,
                change,
                request_hash: request_hash.to_owned(),
                log_index: index,
            });
            log.store.put_consent(&record)?;
            let row = ConsentChangeRow {
                request_hash: request_hash.to_owned(),
                consent_id: record.id.clone(),
                log_index: index,
                receipt: None,
            };
            log.store.put_consent_change(subject.as_str(), key, &row)?;
            tracing::info!(
                index,
                change = change_word(change),
                "a person changed a consent"
            );
            (row, Some(record), true)
        }
    };
    if let Some(stored) = &row.receipt {
        return Ok((from_json(stored)?, false));
    }
    crate::durable::wait_for(state, row.log_index)?;
    let receipt = make_receipt(state, subject, &row, record)?;
    let log = lock(&state.log);
    log.store
        .set_receipt(subject.as_str(), key, &to_json(&receipt)?)?;
    // A concurrent retry may have stored its receipt first: answer the stored one.
    let stored = log
        .store
        .consent_change(subject.as_str(), key)?
        .and_then(|r| r.receipt)
        .ok_or_else(|| NodeError::Internal("the receipt was not stored".into()))?;
    Ok((from_json(&stored)?, fresh))
}

fn change_word(change: ChangeKind) -> &'static str {
    match change {
        ChangeKind::Granted => "granted",
        ChangeKind::Restricted => "restricted",
        ChangeKind::Withdrawn => "withdrawn",
    }
}

/// Covers the change's entry with a checkpoint and signs its receipt.
fn make_receipt(
    state: &State,
    subject: &PersonCode,
    row: &ConsentChangeRow,
    record: Option<ConsentRecord>,
) -> Result<SignedReceipt, NodeError> {
    crate::person::sign_and_publish(state)?;
    let log = lock(&state.log);
    let signed = log
        .latest()
        .cloned()
        .filter(|s| s.checkpoint.size > row.log_index)
        .ok_or_else(|| NodeError::Internal("no checkpoint covers the change".into()))?;
    let proof = log.inclusion_proof(row.log_index, signed.checkpoint.size)?;
    let stored = log
        .store
        .entries_between(row.log_index, row.log_index + 1)?
        .pop()
        .ok_or_else(|| NodeError::Internal("the change's entry is not stored".into()))?;
    let entry = crate::store::parse_entry(&stored.entry)?;
    let Outcome::ConsentChanged { change, .. } = entry.outcome else {
        return Err(NodeError::Internal(
            "the change's log entry is not a consent change".into(),
        ));
    };
    let consent = match record {
        Some(r) => r,
        None => log
            .store
            .consent(&row.consent_id)?
            .ok_or_else(|| NodeError::Internal("the changed consent is gone".into()))?,
    };
    let id: String = Sha256::digest(format!("{}\n{}", state.log_origin, row.log_index))
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let receipt = Receipt {
        id: format!("r-{id}"),
        node: state.log_origin.clone(),
        time: entry.log_time,
        subject: subject.clone(),
        change,
        consent,
        request_hash: row.request_hash.clone(),
        log_index: row.log_index,
        entry,
        salt: STANDARD.encode(stored.salt.0),
        checkpoint: signed.note,
        inclusion_proof: proof,
    };
    SignedReceipt::sign(receipt, &state.receipts).map_err(|e| NodeError::Internal(e.to_string()))
}
