//! Queries hidden from the person until a date, done right: nothing of them is served to the
//! person before the date — no placeholder on the usage pages or the stream, nothing in
//! findUsage — while their commitment is in the log from the moment of the query, so every
//! checkpoint's size counts them. From the date on, such an entry is served with the signed
//! checkpoint of the size it was logged under (the smallest the node signed that covers it; the
//! node keeps every checkpoint it signed) and its inclusion proof in that tree: the person's
//! Signet checks that checkpoint's consistency with the one it trusts, then the inclusion. At the
//! date the entry is also sent on the person's stream, as a `disclosure` event.

use signet_data::Timestamp;
use signet_data::merkle::Hash;

use crate::store::{StoredEntry, parse_entry};
use crate::usage_log::{Signed, may_be_hidden};
use crate::{LogEvent, NodeError, State, lock};

/// One entry as served to its person: `{index, entry, salt, proof, checkpoint}`.
#[derive(Debug)]
pub(crate) struct Item {
    pub index: u64,
    pub subject: String,
    pub data: serde_json::Value,
}

/// How an entry is served at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visibility {
    /// Never hidden: against the latest checkpoint.
    Plain,
    /// Hidden from its person now: not served.
    Hidden,
    /// Hidden until a date that has come: against the checkpoint it was logged under.
    Disclosed,
}

fn visibility(e: &StoredEntry, now: Timestamp) -> Result<Visibility, NodeError> {
    if !may_be_hidden(&e.entry) {
        return Ok(Visibility::Plain);
    }
    let entry = parse_entry(&e.entry)?;
    Ok(if entry.hidden_reason.is_none() {
        Visibility::Plain
    } else if entry.is_hidden_at(now) {
        Visibility::Hidden
    } else {
        Visibility::Disclosed
    })
}

/// Whether `e` is hidden from its person at `now`.
pub(crate) fn hidden_at(e: &StoredEntry, now: Timestamp) -> Result<bool, NodeError> {
    Ok(visibility(e, now)? == Visibility::Hidden)
}

fn item_json(e: &StoredEntry, proof: &[Hash], note: &str) -> Result<serde_json::Value, NodeError> {
    let entry: serde_json::Value = serde_json::from_slice(&e.entry)
        .map_err(|err| NodeError::Database(format!("entry {} is not JSON: {err}", e.index)))?;
    Ok(serde_json::json!({
        "index": e.index,
        "entry": entry,
        "salt": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, e.salt.0),
        "proof": proof,
        "checkpoint": note,
    }))
}

/// The items of `entries` as served at `now`, in index order: entries hidden now are left out;
/// the others are proven against `signed`, except an entry that was hidden, which is proven
/// against the checkpoint it was logged under.
pub(crate) fn items(
    state: &State,
    entries: &[StoredEntry],
    signed: &Signed,
    now: Timestamp,
) -> Result<Vec<Item>, NodeError> {
    let mut plain = Vec::with_capacity(entries.len());
    let mut disclosed = Vec::new();
    for e in entries {
        match visibility(e, now)? {
            Visibility::Plain => plain.push(e),
            Visibility::Disclosed => disclosed.push(e),
            Visibility::Hidden => {}
        }
    }
    let indices: Vec<u64> = plain.iter().map(|e| e.index).collect();
    let proofs = crate::person::proofs_of(state, &indices, signed.checkpoint.size)?;
    let mut items = Vec::with_capacity(plain.len() + disclosed.len());
    for (e, proof) in plain.into_iter().zip(proofs) {
        items.push(Item {
            index: e.index,
            subject: e.subject.clone(),
            data: item_json(e, &proof, &signed.note)?,
        });
    }
    for e in disclosed {
        let (proof, note) = {
            let log = lock(&state.log);
            let (size, note) = log
                .store
                .checkpoint_covering(e.index)?
                .filter(|(size, _)| *size <= signed.checkpoint.size)
                .ok_or_else(|| {
                    NodeError::Internal(format!(
                        "no signed checkpoint covers the disclosed entry {}",
                        e.index
                    ))
                })?;
            (log.inclusion_proof(e.index, size)?, note)
        };
        items.push(Item {
            index: e.index,
            subject: e.subject.clone(),
            data: item_json(e, &proof, &note)?,
        });
    }
    items.sort_by_key(|i| i.index);
    Ok(items)
}

/// Sends the hidden entries whose date has come to their person's stream, each with the
/// checkpoint it was logged under.
pub(crate) fn disclose_due(state: &State) -> Result<(), NodeError> {
    let now = Timestamp::from_system(state.clock.now());
    let (due, signed) = {
        let mut log = lock(&state.log);
        let Some(signed) = log.latest().cloned() else {
            return Ok(());
        };
        (log.due_disclosures(now, signed.checkpoint.size), signed)
    };
    for index in due {
        let stored = lock(&state.log).store.entries_between(index, index + 1)?;
        for item in items(state, &stored, &signed, now)? {
            tracing::info!(index = item.index, "a hidden entry reached its date");
            // No subscriber is not an error.
            let _ = state.events.send(std::sync::Arc::new(LogEvent {
                index: item.index,
                subject: item.subject,
                data: item.data.to_string(),
                disclosure: true,
            }));
        }
    }
    Ok(())
}
