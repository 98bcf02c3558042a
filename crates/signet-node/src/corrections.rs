//! Corrections: the person points at a field of one of their records they believe is wrong,
//! proposes a value and explains; the node answers at once with a signed receipt, and the
//! agency's decision (accepted with the value it holds now, or rejected with a reason) reaches the
//! person's stream later as a usage entry ([`crate::cases`]).
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /v1/corrections[?subject=EE…]` | `{subject, corrections: [Correction], receipts: [SignedCaseReceipt]}` |
//! | `POST /v1/corrections` (`Idempotency-Key`), a [`CorrectionRequest`] | 201 (200 for a retry) a [`SignedCaseReceipt`] |
//!
//! Only the person or their representative sees or files a person's corrections (403
//! `not_your_corrections`); a record that is not the person's is 404 `no_such_record`, as one
//! that does not exist.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use signet_data::correction::{Case, Correction, CorrectionRequest, CorrectionStatus};
use signet_data::entry::Outcome;

use crate::cases::{EntryText, SubjectQuery};
use crate::http::{ApiError, session_person};
use crate::{NodeError, State, lock};

/// The legal basis written into the usage entries of corrections.
pub(crate) const LEGAL_BASIS: &str = "GDPR Art. 16: right to rectification";

const CODE: &str = "not_your_corrections";
const WHAT: &str = "corrections";

/// `GET /v1/corrections`.
pub(crate) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<SubjectQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let subject = crate::cases::asked_subject(&state, &headers, &q, CODE, WHAT)?;
    let cases = lock(&state.log).store.cases_of(subject.as_str())?;
    let corrections: Vec<Correction> = cases
        .into_iter()
        .filter_map(|c| match c {
            Case::Correction(c) => Some(c),
            Case::MisuseReport(_) => None,
        })
        .collect();
    let receipts = crate::cases::receipts_of(&state, &subject, "correction")?;
    Ok(Json(serde_json::json!({
        "subject": subject,
        "corrections": corrections,
        "receipts": receipts,
    })))
}

fn no_record(request: &CorrectionRequest) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_such_record",
        format!(
            "no record {} of the data set {} of this person here; see your holdings for the records the agency holds",
            request.record, request.data_set
        ),
    )
}

/// `POST /v1/corrections`.
pub(crate) async fn request(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = session_person(&state, &headers)?;
    crate::rate::count_change(&state, &actor)?;
    let request: CorrectionRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("not a correction request: {e}")))?;
    let subject = crate::cases::subject_for(&state, &actor, request.subject.as_ref(), CODE, WHAT)?;
    let key = crate::cases::idempotency_key(&headers)?;
    let hash = crate::cases::request_hash(&body);
    crate::cases::check_text("the proposed value", &request.proposed_value)
        .and_then(|()| crate::cases::check_text("the explanation", &request.explanation))
        .map_err(ApiError::bad_request)?;
    let state2 = Arc::clone(&state);
    let (receipt, fresh) = tokio::task::spawn_blocking(move || {
        let state = &state2;
        crate::cases::file(state, &subject, &key, &hash, |store, now| {
            let set = store
                .data_sets()?
                .into_iter()
                .find(|s| s.id == request.data_set)
                .ok_or_else(|| no_record(&request))?;
            let record = store
                .records(subject.as_str(), Some(&set.id))?
                .into_iter()
                .find(|r| r.id == request.record)
                .ok_or_else(|| no_record(&request))?;
            if !set.fields.iter().any(|f| f.id == request.field) {
                return Err(ApiError::bad_request(format!(
                    "the data set {} has no field {}; its fields are {}",
                    set.id,
                    request.field,
                    set.fields
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let id = crate::cases::new_id("k")?;
            let correction = Correction {
                id: id.clone(),
                subject: subject.clone(),
                provider: state.provider.clone(),
                data_set: set.id.clone(),
                record: record.id.clone(),
                field: request.field.clone(),
                current_value: record.values.get(&request.field).cloned(),
                proposed_value: request.proposed_value.clone(),
                explanation: request.explanation.clone(),
                status: CorrectionStatus::Pending,
                accepted_value: None,
                record_updated: false,
                reason: None,
                history: Vec::new(),
            };
            let entry = crate::cases::case_entry(
                state,
                &subject,
                Some(&actor),
                now,
                &EntryText {
                    action: "correction requested",
                    purpose: "you asked the agency to correct your data",
                    legal_basis: LEGAL_BASIS,
                },
                Outcome::CorrectionRequested {
                    correction: id,
                    request_hash: hash.clone(),
                },
            );
            Ok((Case::Correction(correction), entry))
        })
    })
    .await
    .map_err(|e| NodeError::Internal(format!("the correction task failed: {e}")))??;
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(receipt)).into_response())
}
