//! What a logged-in person reads: holdings, usage entries with proofs, the live stream, and the
//! public checkpoint and consistency proofs.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt as _};
use serde::Deserialize;
use signet_data::holdings::Holdings;
use signet_data::merkle::Hash;
use signet_data::{ProofError, Timestamp};
use tokio::sync::broadcast::error::RecvError;

use crate::http::{ApiError, session, session_person};
use crate::store::StoredEntry;
use crate::usage_log::Signed;
use crate::{LogEvent, NodeError, State, lock};

/// The most entries one answer (or one stream's backlog) carries; the client asks again with
/// `after` (or reconnects with `Last-Event-ID`) for the rest.
pub const PAGE: usize = 1000;

/// How many inclusion proofs are computed in one hold of the log's lock: between two chunks,
/// official queries waiting for the lock get it.
const PROOF_CHUNK: usize = 64;

/// The inclusion proofs of `entries` in the tree of `size`, a chunk at a time under the log's
/// lock (the tree is append-only, so a proof for `size` stays the same while it grows).
pub(crate) fn proofs_of(
    state: &State,
    indices: &[u64],
    size: u64,
) -> Result<Vec<Vec<Hash>>, NodeError> {
    let mut proofs = Vec::with_capacity(indices.len());
    for chunk in indices.chunks(PROOF_CHUNK) {
        let log = lock(&state.log);
        for &index in chunk {
            proofs.push(log.inclusion_proof(index, size)?);
        }
    }
    Ok(proofs)
}

/// Covers pending entries with a new checkpoint and sends them to subscribers. The entries'
/// proofs and JSON are made after the signing, outside the log's lock.
pub(crate) fn sign_and_publish(state: &State) -> Result<(), NodeError> {
    let now = Timestamp::from_system(state.clock.now());
    let pending = {
        let mut log = lock(&state.log);
        let (durable, synced) = log.commit()?;
        crate::durable::note(state, durable, synced);
        log.sign_pending()?
    };
    let Some((signed, entries)) = pending else {
        return Ok(());
    };
    // Entries hidden from their person are not sent (`crate::disclosure`).
    let items = crate::disclosure::items(state, &entries, &signed, now)?;
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        events.push(Arc::new(LogEvent {
            index: item.index,
            subject: item.subject,
            data: item.data.to_string(),
            disclosure: false,
        }));
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

/// The latest checkpoint and up to a page and one of `person`'s entries it covers after
/// `after`, leaving out those hidden from the person at `now` (read a page at a time under the
/// log's lock).
fn signed_entries_of(
    state: &State,
    person: &str,
    after: Option<u64>,
    now: Timestamp,
) -> Result<Option<(Signed, Vec<StoredEntry>)>, NodeError> {
    let Some(signed) = lock(&state.log).latest().cloned() else {
        return Ok(None);
    };
    let mut visible = Vec::new();
    let mut cursor = after;
    loop {
        let page =
            lock(&state.log)
                .store
                .entries_of(person, cursor, signed.checkpoint.size, PAGE + 1)?;
        let exhausted = page.len() <= PAGE;
        cursor = page.last().map(|e| e.index).or(cursor);
        for e in page {
            if !crate::disclosure::hidden_at(&e, now)? {
                visible.push(e);
            }
        }
        if exhausted || visible.len() > PAGE {
            break;
        }
    }
    Ok(Some((signed, visible)))
}

/// The usage streams open per session and in all.
#[derive(Debug, Default)]
pub(crate) struct StreamCounts {
    per_session: HashMap<[u8; 32], usize>,
    total: usize,
}

/// One open stream's place in [`StreamCounts`], given back when the stream ends.
struct StreamSlot {
    state: Arc<State>,
    session: [u8; 32],
}

impl StreamSlot {
    fn take(state: &Arc<State>, session: [u8; 32]) -> Result<Self, ApiError> {
        let mut counts = lock(&state.streams);
        let mine = counts.per_session.get(&session).copied().unwrap_or(0);
        if mine >= state.limits.streams_per_session {
            return Err(ApiError::too_many(
                "too_many_streams",
                format!("this session has {mine} usage streams open; close one first"),
            ));
        }
        if counts.total >= state.limits.streams_total {
            tracing::warn!(
                open = counts.total,
                "usage stream refused: the node's maximum is open"
            );
            return Err(ApiError::too_many(
                "too_many_streams",
                "the node has its maximum of usage streams open; try again later",
            ));
        }
        *counts.per_session.entry(session).or_default() += 1;
        counts.total += 1;
        Ok(Self {
            state: Arc::clone(state),
            session,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = lock(&self.state.streams);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_session.get_mut(&self.session) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_session.remove(&self.session);
            }
        }
    }
}

fn entries_json(
    state: &State,
    person: &str,
    after: Option<u64>,
) -> Result<serde_json::Value, ApiError> {
    let now = Timestamp::from_system(state.clock.now());
    let Some((signed, mut entries)) = signed_entries_of(state, person, after, now)? else {
        return Ok(serde_json::json!({"checkpoint": null, "entries": []}));
    };
    let size = signed.checkpoint.size;
    let more = entries.len() > PAGE;
    entries.truncate(PAGE);
    let items: Vec<serde_json::Value> = crate::disclosure::items(state, &entries, &signed, now)?
        .into_iter()
        .map(|i| i.data)
        .collect();
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
    let (person, expires, session_key) = session(&state, &headers)?;
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
    let slot = StreamSlot::take(&state, session_key)?;
    // Subscribe before reading the backlog, so nothing falls between the two.
    let rx = state.events.subscribe();
    let now = Timestamp::from_system(state.clock.now());
    let mut backlog_last = after;
    let mut truncated = false;
    // The backlog's proofs and JSON are made off the async threads, the proofs a chunk at a
    // time under the log's lock, so official queries are not held up by a new stream.
    let building = Arc::clone(&state);
    let subject = person.as_str().to_owned();
    let built = tokio::task::spawn_blocking(move || {
        let mut items = Vec::new();
        let mut truncated = false;
        if let Some((signed, mut entries)) = signed_entries_of(&building, &subject, after, now)? {
            truncated = entries.len() > PAGE;
            entries.truncate(PAGE);
            for item in crate::disclosure::items(&building, &entries, &signed, now)? {
                items.push((item.index, item.data.to_string()));
            }
        }
        Ok::<_, NodeError>((items, truncated))
    })
    .await
    .map_err(|e| NodeError::Internal(format!("the stream's backlog task failed: {e}")))??;
    let mut backlog = Vec::with_capacity(built.0.len());
    let in_backlog: std::collections::HashSet<u64> = built.0.iter().map(|(i, _)| *i).collect();
    for (index, data) in built.0 {
        backlog.push(Ok(Event::default()
            .id(index.to_string())
            .event("usage")
            .data(data)));
        backlog_last = Some(index);
    }
    truncated |= built.1;
    let subject = person.as_str().to_owned();
    // A backlog longer than a page ends the stream after the page: the client reconnects with
    // Last-Event-ID for the rest, so no entry falls between the backlog and the live events.
    // A hidden entry whose date comes is sent as a `disclosure` event without an id (its index
    // is below those sent already), unless the backlog carried it.
    let live = stream::unfold(
        (rx, backlog_last, subject, in_backlog),
        move |(mut rx, last, subject, in_backlog)| async move {
            if truncated {
                return None;
            }
            loop {
                match rx.recv().await {
                    Ok(ev)
                        if ev.subject == subject
                            && ev.disclosure
                            && !in_backlog.contains(&ev.index) =>
                    {
                        let event = Event::default().event("disclosure").data(ev.data.clone());
                        return Some((Ok(event), (rx, last, subject, in_backlog)));
                    }
                    Ok(ev)
                        if ev.subject == subject
                            && !ev.disclosure
                            && last.is_none_or(|l| ev.index > l) =>
                    {
                        let event = Event::default()
                            .id(ev.index.to_string())
                            .event("usage")
                            .data(ev.data.clone());
                        return Some((Ok(event), (rx, Some(ev.index), subject, in_backlog)));
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
        .take_until(tokio::time::sleep(session_left))
        // The slot is given back when the stream is dropped (ended or disconnected).
        .map(move |event| {
            let _open = &slot;
            event
        });
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
