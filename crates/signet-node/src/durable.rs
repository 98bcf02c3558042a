//! Group commit: an official's answer (and a findUsage answer) leaves only once its usage entry
//! is durably stored, and entries appended together share one sync.
//!
//! Appends go into an open batch (a transaction) under the log's lock. A handler then waits
//! for its entry to be durable: the first to arrive becomes the leader (one at a time),
//! optionally waits [`crate::Limits::group_commit_delay`] so more entries join, and commits the
//! batch — every entry appended so far, its own and the others' — with one sync; the others
//! find their entry covered and answer without a sync of their own. While a leader commits,
//! new appends wait for the log's lock and form the next batch.

use std::sync::atomic::Ordering;

use crate::{NodeError, State, lock};

/// Records what a commit made durable.
pub(crate) fn note(state: &State, durable: u64, synced: bool) {
    state.durable.fetch_max(durable, Ordering::AcqRel);
    if synced {
        state.syncs.fetch_add(1, Ordering::Relaxed);
    }
}

/// Returns once entry `index` is durably stored, committing the open batch when no one else has.
pub(crate) fn wait_for(state: &State, index: u64) -> Result<(), NodeError> {
    if state.durable.load(Ordering::Acquire) > index {
        return Ok(());
    }
    let _leader = lock(&state.commit_leader);
    if state.durable.load(Ordering::Acquire) > index {
        return Ok(());
    }
    let delay = state.limits.group_commit_delay;
    if !delay.is_zero() {
        std::thread::sleep(delay);
    }
    let (durable, synced) = lock(&state.log).commit()?;
    note(state, durable, synced);
    if durable > index {
        Ok(())
    } else {
        Err(NodeError::Internal(format!(
            "entry {index} is not durable after a commit of {durable} entries"
        )))
    }
}
