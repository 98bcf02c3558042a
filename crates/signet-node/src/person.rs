//! What a logged-in person reads: holdings, usage entries with proofs, the live stream, and the
//! public checkpoint and consistency proofs.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::stream::{self, Stream, StreamExt as _};
use serde::Deserialize;
use signet_data::entry::commitment;
use signet_data::holdings::Holdings;
use signet_data::merkle::Hash;
use signet_data::{ProofError, Timestamp};
use tokio::sync::broadcast::error::RecvError;

use crate::http::{ApiError, session, session_person};
use crate::store::{StoredEntry, parse_entry};
use crate::{LogEvent, NodeError, State, lock};

/// The most entries one answer (or one stream's backlog) carries; the client asks again with
/// `after` (or reconnects with `Last-Event-ID`) for the rest.
pub const PAGE: usize = 1000;

/// One of the person's entries as served: the entry, its salt, index and inclusion proof, and
/// the checkpoint the proof is against.
///
/// An entry still hidden at `now` (a query the law lets the agency keep from the person for a
/// while) is served as a placeholder: its index, `hiddenUntil`, its commitment and the proof, so
/// the person can later check that the disclosed entry is the one committed at access time.
fn item_json(
    e: &StoredEntry,
    proof: &[Hash],
    note: &str,
    now: Timestamp,
) -> Result<serde_json::Value, NodeError> {
    let parsed = parse_entry(&e.entry)?;
    if parsed.is_hidden_at(now) {
        return Ok(serde_json::json!({
            "index": e.index,
            "hidden": true,
            "hiddenUntil": parsed.hidden_until,
            "commitment": commitment(&e.entry, &e.salt),
            "proof": proof,
            "checkpoint": note,
        }));
    }
    let entry: serde_json::Value = serde_json::from_slice(&e.entry)
        .map_err(|err| NodeError::Database(format!("entry {} is not JSON: {err}", e.index)))?;
    Ok(serde_json::json!({
        "index": e.index,
        "entry": entry,
        "salt": STANDARD.encode(e.salt.0),
        "proof": proof,
        "checkpoint": note,
    }))
}

/// Covers pending entries with a new checkpoint and sends them to subscribers.
pub(crate) fn sign_and_publish(state: &State) -> Result<(), NodeError> {
    let now = Timestamp::from_system(state.clock.now());
    let mut events = Vec::new();
    {
        let mut log = lock(&state.log);
        let Some((signed, entries)) = log.sign_pending()? else {
            return Ok(());
        };
        for e in entries {
            let proof = log.inclusion_proof(e.index, signed.checkpoint.size)?;
            let data = item_json(&e, &proof, &signed.note, now)?.to_string();
            events.push(Arc::new(LogEvent {
                index: e.index,
                subject: e.subject,
                data,
            }));
        }
    }
    for event in events {
        // No subscriber is not an error.
        let _ = state.events.send(event);
    }
    Ok(())
}

/// `GET /v1/holdings`.
pub(crate) async fn holdings(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
) -> Result<Json<Holdings>, ApiError> {
    let person = session_person(&state, &headers)?;
    let log = lock(&state.log);
    let records = log.store.records(person.as_str(), None)?;
    let data_sets = log
        .store
        .data_sets()?
        .into_iter()
        .filter_map(|mut set| {
            let last = records
                .iter()
                .filter(|r| r.data_set == set.id)
                .map(|r| r.updated)
                .max()?;
            set.last_change = Some(last);
            Some(set)
        })
        .collect();
    Ok(Json(Holdings {
        agency: state.agency_name.clone(),
        data_sets,
        records,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AfterQuery {
    after: Option<u64>,
}

fn entries_json(
    state: &State,
    person: &str,
    after: Option<u64>,
) -> Result<serde_json::Value, ApiError> {
    let now = Timestamp::from_system(state.clock.now());
    let log = lock(&state.log);
    let Some(signed) = log.latest().cloned() else {
        return Ok(serde_json::json!({"checkpoint": null, "entries": []}));
    };
    let size = signed.checkpoint.size;
    let mut items = Vec::new();
    let mut entries = log.store.entries_of(person, after, size, PAGE + 1)?;
    let more = entries.len() > PAGE;
    entries.truncate(PAGE);
    for e in entries {
        let proof = log.inclusion_proof(e.index, size)?;
        items.push(item_json(&e, &proof, &signed.note, now)?);
    }
    Ok(
        serde_json::json!({"checkpoint": signed.note, "treeSize": size, "entries": items, "more": more}),
    )
}

/// `GET /v1/usage?after=N`: the person's entries after index N, with inclusion proofs against
/// the latest checkpoint.
pub(crate) async fn usage(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<AfterQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let person = session_person(&state, &headers)?;
    Ok(Json(entries_json(&state, person.as_str(), q.after)?))
}

/// `GET /v1/usage/stream`: server-sent events, one per new entry of the person (`id` = its log
/// index, `data` = the entry with salt, proof and checkpoint). `Last-Event-ID` (or `?after=`)
/// resumes after that index. The stream ends when the session does.
pub(crate) async fn stream(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<AfterQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (person, expires) = session(&state, &headers)?;
    let session_left = expires
        .duration_since(state.clock.now())
        .unwrap_or_default();
    let after = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_request("Last-Event-ID is not a log index"))?,
        ),
        None => q.after,
    };
    // Subscribe before reading the backlog, so nothing falls between the two.
    let rx = state.events.subscribe();
    let now = Timestamp::from_system(state.clock.now());
    let mut backlog_last = after;
    let mut truncated = false;
    let backlog = {
        let log = lock(&state.log);
        let mut events = Vec::new();
        if let Some(signed) = log.latest().cloned() {
            let mut entries =
                log.store
                    .entries_of(person.as_str(), after, signed.checkpoint.size, PAGE + 1)?;
            truncated = entries.len() > PAGE;
            entries.truncate(PAGE);
            for e in entries {
                let proof = log.inclusion_proof(e.index, signed.checkpoint.size)?;
                let data = item_json(&e, &proof, &signed.note, now)?.to_string();
                events.push(Ok(Event::default()
                    .id(e.index.to_string())
                    .event("usage")
                    .data(data)));
                backlog_last = Some(e.index);
            }
        }
        events
    };
    let subject = person.as_str().to_owned();
    // A backlog longer than a page ends the stream after the page: the client reconnects with
    // Last-Event-ID for the rest, so no entry falls between the backlog and the live events.
    let live = stream::unfold(
        (rx, backlog_last, subject),
        move |(mut rx, last, subject)| async move {
            if truncated {
                return None;
            }
            loop {
                match rx.recv().await {
                    Ok(ev) if ev.subject == subject && last.is_none_or(|l| ev.index > l) => {
                        let event = Event::default()
                            .id(ev.index.to_string())
                            .event("usage")
                            .data(ev.data.clone());
                        return Some((Ok(event), (rx, Some(ev.index), subject)));
                    }
                    Ok(_) => {}
                    // A subscriber that fell behind is closed; it resumes with Last-Event-ID.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => return None,
                }
            }
        },
    );
    let events = stream::iter(backlog)
        .chain(live)
        .take_until(tokio::time::sleep(session_left));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// `GET /v1/checkpoint`: the latest signed checkpoint, `text/plain`.
pub(crate) async fn checkpoint(
    AxumState(state): AxumState<Arc<State>>,
) -> Result<Response, ApiError> {
    let note = lock(&state.log).latest().map(|s| s.note.clone());
    match note {
        Some(note) => {
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_checkpoint",
            "the log has no checkpoint yet",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyQuery {
    from: u64,
    to: u64,
}

/// `GET /v1/consistency?from=M&to=N`: the RFC 9162 consistency proof between two signed sizes.
pub(crate) async fn consistency(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let log = lock(&state.log);
    let signed = log.latest().map_or(0, |s| s.checkpoint.size);
    if q.to > signed {
        return Err(ApiError::bad_request(format!(
            "the latest checkpoint has size {signed}; no proof to size {}",
            q.to
        )));
    }
    match log.consistency_proof(q.from, q.to) {
        Ok(proof) => Ok(Json(
            serde_json::json!({"from": q.from, "to": q.to, "proof": proof}),
        )),
        Err(
            e @ (ProofError::OldEmpty
            | ProofError::OldLarger { .. }
            | ProofError::TreeTooSmall { .. }),
        ) => Err(ApiError::bad_request(e.to_string())),
        Err(e) => Err(NodeError::Internal(e.to_string()).into()),
    }
}
