//! Alarms about agencies' logs, never hidden: a proof that failed, a log rewritten or shrunk, two
//! signed checkpoints for one size, an entry the agency served before and no longer serves.
//!
//! Each is raised where it is found — the data client's visit of a log ([`crate::data::usage`],
//! [`crate::data::follow`]) or the access log's comparison with the entries the vault kept — and
//! kept in the vault with its evidence (the signed checkpoints and the item as the node sent
//! them) until the person dismisses it. The same problem with the same evidence is one alarm,
//! however often it is seen. The evidence can be saved as a JSON file for the agency's data
//! protection officer or the Data Protection Inspectorate.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use signet_core::Code;

use crate::dashboard::AccessEntryView;
use crate::data::LogProblem;
use crate::{ApiError, Context};

/// What an alarm is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum AlarmKind {
    /// An entry the node served is not in its log as the signed checkpoint says.
    ProofFailed,
    /// The log does not extend the checkpoint the person kept: entries were changed, removed
    /// or reordered.
    HistoryRewritten,
    /// The log is now shorter than the checkpoint the person kept.
    LogShrunk,
    /// Two checkpoints signed with the log's key for the same size, with different contents:
    /// the node shows different histories (both are kept).
    TwoCheckpoints,
    /// A checkpoint the node sent is not signed with the key Signet pinned for it.
    UntrustedCheckpoint,
    /// An entry the agency served before (its proof verified then) is no longer served.
    EntryRemoved,
}

/// An alarm, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AlarmView {
    /// Its id (for dismissing it and saving its evidence).
    pub id: String,
    /// The node whose log raised it.
    pub node: String,
    /// The agency.
    pub agency: String,
    /// What it is about.
    pub kind: AlarmKind,
    /// When it was raised (RFC 3339).
    pub raised_at: String,
    /// What happened, in English (the window says it in its language by `kind`).
    pub message: String,
    /// How many signed checkpoints are kept as evidence.
    #[ts(type = "number")]
    pub checkpoints: u64,
    /// The entry no longer served, for [`AlarmKind::EntryRemoved`].
    pub entry: Option<AccessEntryView>,
}

/// What the vault keeps of an alarm.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AlarmRecord {
    pub(crate) kind: AlarmKind,
    pub(crate) message: String,
    /// The signed checkpoint notes, exactly as received (the person's earlier one first).
    pub(crate) checkpoints: Vec<String>,
    /// The item the node served, exactly as received, when the problem is with one.
    pub(crate) item: Option<serde_json::Value>,
    /// The entry the agency no longer serves.
    pub(crate) entry: Option<AccessEntryView>,
}

impl AlarmRecord {
    /// The alarm for a log that failed its verification, with its evidence.
    pub(crate) fn for_log(
        problem: &LogProblem,
        checkpoints: &[&str],
        item: Option<&serde_json::Value>,
    ) -> Self {
        let kind = match problem {
            LogProblem::HistoryRewritten {
                old_size, new_size, ..
            } if new_size < old_size => AlarmKind::LogShrunk,
            LogProblem::HistoryRewritten {
                old_size, new_size, ..
            } if new_size == old_size => AlarmKind::TwoCheckpoints,
            LogProblem::HistoryRewritten { .. } => AlarmKind::HistoryRewritten,
            LogProblem::NotIncluded { .. } => AlarmKind::ProofFailed,
            LogProblem::UntrustedCheckpoint { .. } => AlarmKind::UntrustedCheckpoint,
        };
        Self {
            kind,
            message: problem.message().to_owned(),
            checkpoints: checkpoints
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| (*c).to_owned())
                .collect(),
            item: item.cloned(),
            entry: None,
        }
    }

    /// The alarm for an entry the agency no longer serves.
    pub(crate) fn removed(entry: &AccessEntryView) -> Self {
        Self {
            kind: AlarmKind::EntryRemoved,
            message: format!(
                "entry {} of the log of {}, served before with a valid proof, is no longer served",
                entry.index, entry.node
            ),
            checkpoints: Vec::new(),
            item: None,
            entry: Some(entry.clone()),
        }
    }

    /// The same problem has the same id, however often it is seen while the log grows: an
    /// entry by its index and content, a log that does not extend the person's checkpoint by
    /// that checkpoint.
    fn id(&self, node: &str) -> String {
        let mut hash = sha2::Sha256::new();
        hash.update(node.as_bytes());
        hash.update([0]);
        hash.update(serde_json::to_vec(&self.kind).unwrap_or_default());
        match (&self.item, &self.entry) {
            (Some(item), _) => {
                hash.update(item["index"].as_u64().unwrap_or(u64::MAX).to_be_bytes());
                hash.update(item["entry"].to_string().as_bytes());
            }
            (None, Some(entry)) => hash.update(entry.index.to_be_bytes()),
            (None, None) => {
                hash.update(
                    self.checkpoints
                        .first()
                        .map_or("", String::as_str)
                        .as_bytes(),
                );
            }
        }
        hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Keeps `record` for `node` in `vault` (once); whether it is a new one.
pub(crate) fn raise(vault: &mut signet_vault::Vault, node: &str, record: &AlarmRecord) -> bool {
    let id = record.id(node);
    let Ok(document) = serde_json::to_vec(record) else {
        return false;
    };
    match vault.raise_alarm(&id, node, &document) {
        Ok(true) => {
            tracing::warn!(%node, kind = ?record.kind, alarm = %id, "alarm raised about an agency's log");
            true
        }
        Ok(false) => false,
        Err(err) => {
            tracing::error!(%node, kind = ?record.kind, error = %err, "an alarm could not be kept in the vault");
            false
        }
    }
}

fn view(
    context: &Context,
    kept: &signet_vault::KeptAlarm,
) -> Result<(AlarmView, AlarmRecord), ApiError> {
    let record: AlarmRecord = serde_json::from_slice(&kept.document).map_err(|e| {
        ApiError::new(
            Code::Internal,
            format!("an alarm kept in the vault cannot be read: {e}"),
        )
    })?;
    let agency = crate::data::node_list(context)
        .unwrap_or_default()
        .iter()
        .find(|n| n.url == kept.node)
        .map_or_else(|| kept.node.clone(), crate::dashboard::agency_name);
    Ok((
        AlarmView {
            id: kept.id.clone(),
            node: kept.node.clone(),
            agency,
            kind: record.kind,
            raised_at: signet_pki::time::Utc(kept.raised_at).to_string(),
            message: record.message.clone(),
            checkpoints: record.checkpoints.len() as u64,
            entry: record.entry.clone(),
        },
        record,
    ))
}

/// The alarms the person has not dismissed, oldest first. Without a vault there are none kept.
pub fn alarms(context: &Context) -> Result<Vec<AlarmView>, ApiError> {
    // Alarms are raised by reading agencies' logs, which makes the vault: none made, none kept.
    if !crate::vault::exists(context) {
        return Ok(Vec::new());
    }
    let vault = match crate::vault::open(context) {
        Ok(vault) => vault,
        Err(crate::vault::Unopened::Stopped(err)) => return Err(err),
        Err(crate::vault::Unopened::Vault(err)) => {
            tracing::info!(error = %err, "no vault: no alarms are kept");
            return Ok(Vec::new());
        }
    };
    let kept = vault.open_alarms().map_err(|e| crate::vault::error(&e))?;
    kept.iter().map(|k| view(context, k).map(|v| v.0)).collect()
}

/// Dismisses alarm `id`: it is no longer shown, and stays in the vault as evidence.
pub fn dismiss(context: &Context, id: &str) -> Result<(), ApiError> {
    let mut vault = crate::vault::open_or_error(context)?;
    if vault
        .dismiss_alarm(id)
        .map_err(|e| crate::vault::error(&e))?
    {
        tracing::info!(alarm = %id, "alarm dismissed");
        Ok(())
    } else {
        Err(
            ApiError::new(Code::InvalidInput, format!("there is no alarm {id}"))
                .recommend("Reload the window: the alarm may have been dismissed already."),
        )
    }
}

/// The evidence file: the alarm and everything kept with it, exactly as the node sent it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Evidence<'a> {
    what: &'static str,
    alarm: &'a AlarmView,
    /// The signed checkpoint notes, exactly as received (the person's earlier one first).
    checkpoints: &'a [String],
    /// The item the node served, exactly as received.
    item: Option<&'a serde_json::Value>,
    saved_at: String,
}

/// Saves alarm `id`'s evidence as JSON in `folder` (numbered when the name is taken, never
/// replacing a file). Returns the file written.
pub fn save_evidence(context: &Context, id: &str, folder: &Path) -> Result<PathBuf, ApiError> {
    let vault = crate::vault::open_or_error(context)?;
    let kept = vault
        .alarm(id)
        .map_err(|e| crate::vault::error(&e))?
        .ok_or_else(|| ApiError::new(Code::InvalidInput, format!("there is no alarm {id}")))?;
    let (alarm, record) = view(context, &kept)?;
    let evidence = Evidence {
        what: "Signet: evidence of an agency's log that failed verification",
        alarm: &alarm,
        checkpoints: &record.checkpoints,
        item: record.item.as_ref(),
        saved_at: signet_pki::time::Utc(context.clock().now()).to_string(),
    };
    let bytes = serde_json::to_vec_pretty(&evidence)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    let day = alarm.raised_at.get(..10).unwrap_or("alarm");
    let name = format!(
        "signet-alarm-{day}-{}.json",
        &alarm.id[..8.min(alarm.id.len())]
    );
    let written = crate::output::write_numbered(folder, &name, &mut |f| {
        std::io::Write::write_all(f, &bytes)
    })?;
    tracing::info!(alarm = %id, "alarm evidence saved");
    Ok(written)
}
