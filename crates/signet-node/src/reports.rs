//! Misuse reports: the person flags one of their usage entries (by its log index) as suspected
//! misuse with a comment; the node records it for its data protection officer
//! (`signet-node report list`), logs it as a usage entry of the person and answers with a signed
//! receipt ([`crate::cases`]).
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /v1/reports[?subject=EE…]` | `{subject, reports: [MisuseReport], receipts: [SignedCaseReceipt]}` |
//! | `POST /v1/reports` (`Idempotency-Key`), a [`MisuseReportRequest`] | 201 (200 for a retry) a [`SignedCaseReceipt`] |
//!
//! Only the person or their representative reports a person's entries (403 `not_your_reports`);
//! an entry that is not the person's — or one still hidden from them — is 404
//! `no_such_entry`, as one that does not exist.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use signet_data::correction::{Case, MisuseReport, MisuseReportRequest};
use signet_data::entry::Outcome;

use crate::cases::{EntryText, SubjectQuery};
use crate::http::{ApiError, session_person};
use crate::store::parse_entry;
use crate::{NodeError, State, lock};

const CODE: &str = "not_your_reports";
const WHAT: &str = "misuse reports";

/// `GET /v1/reports`.
pub(crate) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<SubjectQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let subject = crate::cases::asked_subject(&state, &headers, &q, CODE, WHAT)?;
    let cases = lock(&state.log).store.cases_of(subject.as_str())?;
    let reports: Vec<MisuseReport> = cases
        .into_iter()
        .filter_map(|c| match c {
            Case::MisuseReport(r) => Some(r),
            Case::Correction(_) => None,
        })
        .collect();
    let receipts = crate::cases::receipts_of(&state, &subject, "misuseReport")?;
    Ok(Json(serde_json::json!({
        "subject": subject,
        "reports": reports,
        "receipts": receipts,
    })))
}

/// `POST /v1/reports`.
pub(crate) async fn file(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = session_person(&state, &headers)?;
    crate::rate::count_change(&state, &actor)?;
    let request: MisuseReportRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("not a misuse report: {e}")))?;
    let subject = crate::cases::subject_for(&state, &actor, request.subject.as_ref(), CODE, WHAT)?;
    let key = crate::cases::idempotency_key(&headers)?;
    let hash = crate::cases::request_hash(&body);
    crate::cases::check_text("the comment", &request.comment).map_err(ApiError::bad_request)?;
    let state2 = Arc::clone(&state);
    let (receipt, fresh) = tokio::task::spawn_blocking(move || {
        let state = &state2;
        crate::cases::file(state, &subject, &key, &hash, |store, now| {
            let index = request.usage_index;
            let not_found = || {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "no_such_entry",
                    format!(
                        "no usage entry {index} of this person here; report an entry your usage list shows"
                    ),
                )
            };
            let stored = store
                .entries_between(index, index.saturating_add(1))?
                .pop()
                .filter(|e| e.subject == subject.as_str())
                .ok_or_else(not_found)?;
            // An entry still hidden from the person does not exist for them.
            if parse_entry(&stored.entry)?.is_hidden_at(now) {
                return Err(not_found());
            }
            let id = crate::cases::new_id("m")?;
            let report = MisuseReport {
                id: id.clone(),
                subject: subject.clone(),
                provider: state.provider.clone(),
                usage_index: index,
                comment: request.comment.clone(),
                time: now,
                history: Vec::new(),
            };
            let entry = crate::cases::case_entry(
                state,
                &subject,
                Some(&actor),
                now,
                &EntryText {
                    action: "misuse reported",
                    purpose: "you reported a use of your data as suspected misuse to the agency's data protection officer",
                    legal_basis: "GDPR Art. 38(4): contact with the data protection officer",
                },
                Outcome::MisuseReported {
                    report: id,
                    usage_index: index,
                    request_hash: hash.clone(),
                },
            );
            Ok((Case::MisuseReport(report), entry))
        })
    })
    .await
    .map_err(|e| NodeError::Internal(format!("the report task failed: {e}")))??;
    tracing::info!(fresh, "misuse report answered");
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(receipt)).into_response())
}
