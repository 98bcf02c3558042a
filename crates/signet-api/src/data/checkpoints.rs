//! The person's stored checkpoints, consistency proofs and verified usage entries.

use super::*;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CheckpointsFile {
    /// By log origin: the signed note as received.
    pub(super) logs: BTreeMap<String, String>,
}

pub(super) fn checkpoints_path(context: &Context) -> PathBuf {
    context.data_dir().join(CHECKPOINTS_FILE)
}

pub(super) fn load_checkpoints(context: &Context) -> Result<CheckpointsFile, ApiError> {
    let path = checkpoints_path(context);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            invalid(format!(
                "{} is not Signet's checkpoint store: {e}",
                path.display()
            ))
            .recommend("Restore it from a backup; deleting it makes the next visit a first visit.")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CheckpointsFile::default()),
        Err(e) => Err(ApiError::new(Code::Io, format!("{}: {e}", path.display()))),
    }
}

/// The checkpoint of `log` the person stored, verified again with the pinned key.
pub(super) fn stored_checkpoint(
    context: &Context,
    pinned: &PinnedLog,
) -> Result<Option<(Checkpoint, String)>, DataError> {
    let file = load_checkpoints(context)?;
    let Some(note) = file.logs.get(&pinned.origin) else {
        return Ok(None);
    };
    let checkpoint = pinned.advance(Known::FirstVisit, note.as_bytes(), &[])?;
    Ok(Some((checkpoint, note.clone())))
}

pub(super) fn store_checkpoint(context: &Context, log: &str, note: &str) -> Result<(), ApiError> {
    let mut file = load_checkpoints(context)?;
    file.logs.insert(log.to_owned(), note.to_owned());
    let bytes = serde_json::to_vec_pretty(&file)
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?;
    let path = checkpoints_path(context);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::output::write_atomically(&path, crate::output::Placement::Replace, |f| {
        f.write_all(&bytes)
    })
}

pub(super) fn consistency_proof(node: &Node, from: u64, to: u64) -> Result<Vec<Hash>, ApiError> {
    if from == 0 || from >= to {
        return Ok(Vec::new());
    }
    let answer = get(node, &format!("/v1/consistency?from={from}&to={to}"), None)?;
    if answer.status != 200 {
        return Err(answer.refused(node, "a consistency proof"));
    }
    serde_json::from_value(answer.json(node, "the consistency proof")?["proof"].clone()).map_err(
        |e| {
            ApiError::new(
                Code::Network,
                format!(
                    "the node {} sent a consistency proof Signet cannot read: {e}",
                    node.url
                ),
            )
        },
    )
}

/// Moves from `known` to the checkpoint `note`, proving the log only grew.
pub(super) fn advance(
    node: &Node,
    known: Option<&Checkpoint>,
    note: &str,
) -> Result<Checkpoint, DataError> {
    let Some(old) = known else {
        return Ok(node
            .pinned
            .advance(Known::FirstVisit, note.as_bytes(), &[])?);
    };
    // The new size is read from the note only to ask for the proof; `advance` takes it from
    // the verified checkpoint.
    let size =
        Checkpoint::parse_text(note.split("\n\n").next().unwrap_or_default()).map_or(0, |c| c.size);
    let proof = if size > old.size {
        consistency_proof(node, old.size, size)?
    } else {
        Vec::new()
    };
    Ok(node
        .pinned
        .advance(Known::Stored(old), note.as_bytes(), &proof)?)
}

/// The size a checkpoint note claims (read only to ask for a proof; the verified checkpoint's
/// size is what counts).
pub(super) fn note_size(note: &str) -> u64 {
    Checkpoint::parse_text(note.split("\n\n").next().unwrap_or_default()).map_or(0, |c| c.size)
}

/// The checkpoint an item is proven against: `current` when the item names it, or an earlier
/// one — a query that was hidden from the person until a date is served with the checkpoint it
/// was logged under — verified with the pinned key and proven consistent with `current` (an
/// RFC 9162 consistency proof from the node). Its size when it is an earlier one.
fn item_checkpoint(
    node: &Node,
    current: &Checkpoint,
    current_note: &str,
    note: &str,
) -> Result<(Checkpoint, Option<u64>), DataError> {
    if note == current_note {
        return Ok((current.clone(), None));
    }
    let size = note_size(note);
    if size > current.size {
        return Err(ApiError::new(
            Code::Network,
            format!(
                "the node {} sent a usage entry with a checkpoint of size {size}, beyond the one of size {} it came with",
                node.url, current.size
            ),
        )
        .into());
    }
    let proof = consistency_proof(node, size, current.size)?;
    let earlier = node
        .pinned
        .verify_earlier(current, note.as_bytes(), &proof)?;
    let size = earlier.size;
    Ok((earlier, Some(size)))
}

/// Verifies one served item `{index, entry, salt, proof, checkpoint}` against the trusted
/// checkpoint `current` (its signed note `current_note`), or against the earlier checkpoint it
/// names, proven consistent with `current` first.
pub(super) fn parse_item(
    node: &Node,
    current: &Checkpoint,
    current_note: &str,
    item: &serde_json::Value,
) -> Result<VerifiedEntry, DataError> {
    let bad = |what: &str| {
        DataError::Api(ApiError::new(
            Code::Network,
            format!(
                "the node {} sent a usage entry without a usable {what}",
                node.url
            ),
        ))
    };
    let index = item["index"].as_u64().ok_or_else(|| bad("index"))?;
    let proof: Vec<Hash> =
        serde_json::from_value(item["proof"].clone()).map_err(|_| bad("proof"))?;
    let note = item["checkpoint"].as_str().unwrap_or(current_note);
    let (checkpoint, logged_under) = item_checkpoint(node, current, current_note, note)?;
    let entry: UsageEntry =
        serde_json::from_value(item["entry"].clone()).map_err(|_| bad("entry"))?;
    let salt: [u8; 32] = item["salt"]
        .as_str()
        .and_then(|s| STANDARD.decode(s).ok())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("salt"))?;
    node.pinned
        .verify_entry(&checkpoint, index, &entry, &Salt(salt), &proof)?;
    Ok(VerifiedEntry {
        index,
        entry,
        logged_under,
    })
}
