//! How many changes a person may send in an hour — consent changes, corrections and misuse
//! reports together ([`crate::Limits::changes_per_person_per_hour`]): each one is logged,
//! receipted and kept for good, so a stolen session (or a stuck script) must not be able to fill
//! the log. Past the limit the request is refused with 429 before anything is read or written,
//! and the person's other sessions share the count; other people are not affected.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use signet_data::entry::PersonCode;

use crate::http::ApiError;
use crate::{State, lock};

const WINDOW: Duration = Duration::from_secs(3600);

/// The times of each person's changes in the last hour.
#[derive(Debug, Default)]
pub(crate) struct ChangeCounts(HashMap<PersonCode, VecDeque<SystemTime>>);

/// Counts one change by `person` now, or refuses it (429) when the hour's limit is reached.
pub(crate) fn count_change(state: &State, person: &PersonCode) -> Result<(), ApiError> {
    let now = state.clock.now();
    let limit = state.limits.changes_per_person_per_hour;
    let mut counts = lock(&state.changes);
    // People with nothing in the window are forgotten, so the map stays as small as the
    // hour's active people.
    counts.0.retain(|_, times| {
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t).unwrap_or_default() >= WINDOW)
        {
            times.pop_front();
        }
        !times.is_empty()
    });
    let times = counts.0.entry(person.clone()).or_default();
    if times.len() >= limit {
        tracing::warn!(limit, "a person's changes refused: too many in an hour");
        return Err(ApiError::too_many(
            "too_many_changes",
            format!(
                "more than {limit} consent changes, corrections and reports in an hour: try again later"
            ),
        ));
    }
    times.push_back(now);
    Ok(())
}
