//! The node operator's side of corrections and misuse reports, on the node's database
//! (`signet-node correction list|accept|reject`, `signet-node report list`).
//!
//! A decision is written into the case with a flag in one transaction, with the record's new
//! value when the correction is accepted and the field can hold it. The running node (or the
//! next one started on the database) appends the decision to its usage log, where it reaches the
//! person's stream, and signs its receipt: the operator's command never touches the log itself.

use serde::Serialize;
use signet_data::Timestamp;
use signet_data::correction::{Case, Correction, CorrectionStatus, MisuseReport};
use signet_data::holdings::{FieldKind, FieldValue};

use crate::store::{Database, Store};
use crate::{NodeError, cases};

/// A correction as the operator lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorCorrection {
    /// The correction.
    #[serde(flatten)]
    pub correction: Correction,
    /// Whether its decision is made but not yet in the usage log (the node logs it on its next
    /// tick; a stopped node when it starts).
    pub decision_not_logged_yet: bool,
}

/// The node's database, for its operator.
#[derive(Debug)]
pub struct Operator {
    store: Store,
}

fn refused(message: String) -> NodeError {
    NodeError::Refused(message)
}

/// The value `text` for a field of `kind`, when the field can hold it.
pub(crate) fn value_of(kind: FieldKind, text: &str) -> Option<FieldValue> {
    match kind {
        FieldKind::Text => Some(FieldValue::Text(text.to_owned())),
        FieldKind::Date => format!("{text}T00:00:00Z")
            .parse::<Timestamp>()
            .ok()
            .filter(|_| text.len() == 10)
            .map(|_| FieldValue::Date(text.to_owned())),
        FieldKind::DateTime => text.parse().ok().map(FieldValue::DateTime),
        FieldKind::Integer => text.parse().ok().map(FieldValue::Integer),
        FieldKind::Boolean => match text {
            "true" => Some(FieldValue::Boolean(true)),
            "false" => Some(FieldValue::Boolean(false)),
            _ => None,
        },
        // A classifier code needs its label, which a correction does not carry.
        _ => None,
    }
}

/// Writes `value` into the field of the correction's record when the field can hold it;
/// whether it did.
fn apply(store: &Store, c: &Correction, value: &str, now: Timestamp) -> Result<bool, NodeError> {
    let Some(set) = store.data_sets()?.into_iter().find(|s| s.id == c.data_set) else {
        return Ok(false);
    };
    let Some(kind) = set.fields.iter().find(|f| f.id == c.field).map(|f| f.kind) else {
        return Ok(false);
    };
    let Some(new) = value_of(kind, value) else {
        return Ok(false);
    };
    let Some(mut record) = store
        .records(c.subject.as_str(), Some(&c.data_set))?
        .into_iter()
        .find(|r| r.id == c.record)
    else {
        return Ok(false);
    };
    if record.values.get(&c.field) != Some(&new) {
        record.values.insert(c.field.clone(), new);
        record.updated = record.updated.max(now);
        store.put_record(&c.subject, &record)?;
    }
    Ok(true)
}

/// After the seed records are written at start: the accepted corrections that changed a record
/// are written into it again, so a seed does not undo them.
pub(crate) fn reapply_accepted(store: &Store) -> Result<(), NodeError> {
    for (case, _) in store.all_cases()? {
        if let Case::Correction(c) = case
            && c.status == CorrectionStatus::Accepted
            && c.record_updated
            && let Some(value) = &c.accepted_value
        {
            let decided = c.history.last().map_or(Timestamp::from_unix(0), |e| e.time);
            apply(store, &c, value, decided)?;
        }
    }
    Ok(())
}

impl Operator {
    /// Opens (creating and migrating) the node's database.
    pub fn open(database: &Database) -> Result<Self, NodeError> {
        Ok(Self {
            store: crate::store::open(database)?,
        })
    }

    /// Every correction, by id.
    pub fn corrections(&self) -> Result<Vec<OperatorCorrection>, NodeError> {
        Ok(self
            .store
            .all_cases()?
            .into_iter()
            .filter_map(|(case, pending)| match case {
                Case::Correction(correction) => Some(OperatorCorrection {
                    correction,
                    decision_not_logged_yet: pending,
                }),
                Case::MisuseReport(_) => None,
            })
            .collect())
    }

    /// Every misuse report, by id.
    pub fn reports(&self) -> Result<Vec<MisuseReport>, NodeError> {
        Ok(self
            .store
            .all_cases()?
            .into_iter()
            .filter_map(|(case, _)| match case {
                Case::MisuseReport(r) => Some(r),
                Case::Correction(_) => None,
            })
            .collect())
    }

    fn pending(&self, id: &str) -> Result<Correction, NodeError> {
        match self.store.case(id)? {
            Some((Case::Correction(c), false)) if c.status == CorrectionStatus::Pending => Ok(c),
            Some((Case::Correction(c), _)) => Err(refused(format!(
                "the correction {id} is decided already ({}); a decision is final",
                match c.status {
                    CorrectionStatus::Accepted => "accepted",
                    CorrectionStatus::Rejected => "rejected",
                    CorrectionStatus::Pending => "its decision is being logged",
                }
            ))),
            _ => Err(refused(format!(
                "no correction {id}; `signet-node correction list` shows them"
            ))),
        }
    }

    fn decide(
        &self,
        c: &Correction,
        apply_value: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, NodeError> {
        self.store.begin()?;
        let updated = match apply_value {
            Some(value) => apply(&self.store, c, value, now)?,
            None => false,
        };
        let mut decided = c.clone();
        decided.record_updated = updated;
        self.store.put_case(&Case::Correction(decided), true)?;
        self.store.commit()?;
        Ok(updated)
    }

    /// Accepts the pending correction `id` with `value` (the proposed value when `None`): the
    /// record's field takes the value when it can hold it, and the person is told on the node's
    /// next tick.
    pub fn accept(
        &self,
        id: &str,
        value: Option<&str>,
        now: Timestamp,
    ) -> Result<Correction, NodeError> {
        let mut c = self.pending(id)?;
        let value = value.unwrap_or(&c.proposed_value).to_owned();
        cases::check_text("the accepted value", &value).map_err(refused)?;
        c.status = CorrectionStatus::Accepted;
        c.accepted_value = Some(value.clone());
        c.record_updated = self.decide(&c, Some(&value), now)?;
        tracing::info!(correction = %c.id, record_updated = c.record_updated, "correction accepted by the operator");
        Ok(c)
    }

    /// Rejects the pending correction `id` for `reason` (shown to the person).
    pub fn reject(&self, id: &str, reason: &str, now: Timestamp) -> Result<Correction, NodeError> {
        let mut c = self.pending(id)?;
        cases::check_text("the reason", reason).map_err(refused)?;
        c.status = CorrectionStatus::Rejected;
        c.reason = Some(reason.to_owned());
        self.decide(&c, None, now)?;
        tracing::info!(correction = %c.id, "correction rejected by the operator");
        Ok(c)
    }
}
