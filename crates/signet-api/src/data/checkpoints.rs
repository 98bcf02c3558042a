//! The person's stored checkpoints (in the vault; an earlier Signet's plain file is read and
//! emptied), consistency proofs and verified usage entries.

use super::*;

/// The plain file of checkpoints an earlier Signet kept ([`CHECKPOINTS_FILE`]).
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

/// Removes `log` from the plain file an earlier Signet kept, and the file once it is empty: the
/// log's checkpoint is in the vault now.
fn forget_plain_checkpoint(context: &Context, log: &str) {
    let Ok(mut file) = load_checkpoints(context) else {
        return;
    };
    if file.logs.remove(log).is_none() {
        return;
    }
    let path = checkpoints_path(context);
    let done = if file.logs.is_empty() {
        std::fs::remove_file(&path).map_err(ApiError::from)
    } else {
        serde_json::to_vec_pretty(&file)
            .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
            .and_then(|bytes| {
                crate::output::write_atomically(&path, crate::output::Placement::Replace, |f| {
                    f.write_all(&bytes)
                })
            })
    };
    match done {
        Ok(()) => {
            tracing::info!(%log, file = %path.display(), "a checkpoint an earlier Signet kept in a plain file is now in the vault")
        }
        Err(err) => {
            tracing::warn!(%log, file = %path.display(), error = %err, "a checkpoint moved into the vault cannot be removed from the earlier plain file")
        }
    }
}

impl Sessions {
    /// The vault, for checkpoints: without it a visit cannot be checked against earlier ones.
    fn vault_for_checkpoints(&mut self, node: &Node) -> Result<&mut signet_vault::Vault, ApiError> {
        match self {
            Self::Vault(vault) => Ok(vault),
            Self::NotKept(err) => Err(ApiError::new(
                err.code(),
                format!(
                    "the usage log of {} cannot be checked against your earlier visits, which are kept in Signet's vault: {err}",
                    node.url
                ),
            )
            .recommend(err.recommendation())),
        }
    }

    /// The checkpoint of the node's log the person stored (in the vault, or in an earlier
    /// Signet's plain file), verified again with the pinned key.
    pub(super) fn stored_checkpoint(
        &mut self,
        context: &Context,
        node: &Node,
    ) -> Result<Option<(Checkpoint, String)>, DataError> {
        let log = signet_vault::LogId::new(node.pinned.origin.clone())
            .map_err(|e| crate::vault::error(&e))?;
        let kept = self
            .vault_for_checkpoints(node)?
            .latest_checkpoint(&log)
            .map_err(|e| crate::vault::error(&e))?;
        let note = match kept {
            Some(kept) => String::from_utf8(kept.signed_note).map_err(|_| {
                ApiError::new(
                    Code::Internal,
                    "a checkpoint kept in the vault is not UTF-8",
                )
            })?,
            None => match load_checkpoints(context)?.logs.remove(&node.pinned.origin) {
                Some(note) => note,
                None => return Ok(None),
            },
        };
        let checkpoint = node
            .pinned
            .advance(Known::FirstVisit, note.as_bytes(), &[])?;
        Ok(Some((checkpoint, note)))
    }

    /// Keeps `checkpoint` (its signed `note`) as the node's log's latest, in the vault.
    pub(super) fn store_checkpoint(
        &mut self,
        context: &Context,
        node: &Node,
        checkpoint: &Checkpoint,
        note: &str,
    ) -> Result<(), ApiError> {
        let log = signet_vault::LogId::new(node.pinned.origin.clone())
            .map_err(|e| crate::vault::error(&e))?;
        self.vault_for_checkpoints(node)?
            .put_checkpoint(&log, checkpoint.size, &checkpoint.root.0, note.as_bytes())
            .map_err(|e| crate::vault::error(&e))?;
        forget_plain_checkpoint(context, &node.pinned.origin);
        Ok(())
    }
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

/// Judges the checkpoints a vault import brought that differ from this computer's for the same
/// log and size. When both are signed with the key pinned for a listed node's log, the node
/// showed the two computers different histories: an alarm keeps both notes as evidence. A note
/// not signed with that key (or a log no listed node has) proves nothing about the node and is
/// only logged. Returns how many new alarms were raised (one already kept is not counted).
pub(crate) fn judge_imported_conflicts(
    context: &Context,
    vault: &mut signet_vault::Vault,
    conflicts: &[signet_vault::CheckpointConflict],
) -> usize {
    if conflicts.is_empty() {
        return 0;
    }
    let listings = node_list(context).unwrap_or_default();
    let mut raised = 0;
    for conflict in conflicts {
        let pinned = listings.iter().find_map(|listing| {
            let verifier = NoteVerifier::parse(&listing.log_key).ok()?;
            (verifier.name() == conflict.log).then(|| {
                (
                    normalise_url(&listing.url),
                    PinnedLog {
                        origin: verifier.name().to_owned(),
                        verifier,
                    },
                )
            })
        });
        let (Some((node, pinned)), Ok(ours), Ok(theirs)) = (
            pinned,
            std::str::from_utf8(&conflict.ours),
            std::str::from_utf8(&conflict.theirs),
        ) else {
            tracing::warn!(log = %conflict.log, size = conflict.tree_size, "an imported checkpoint differs from this computer's, for a log no listed node has");
            continue;
        };
        // Both must be the log's own checkpoints of the size they are filed under: a note of
        // another size put under this one (an export someone edited) proves nothing.
        let (Ok(kept), Ok(other)) = (
            pinned.advance(Known::FirstVisit, ours.as_bytes(), &[]),
            pinned.advance(Known::FirstVisit, theirs.as_bytes(), &[]),
        ) else {
            tracing::warn!(log = %conflict.log, "an imported checkpoint that differs from this computer's is not signed with the pinned key");
            continue;
        };
        if kept.size != conflict.tree_size
            || other.size != conflict.tree_size
            || kept.root == other.root
        {
            tracing::warn!(log = %conflict.log, size = conflict.tree_size, "an imported checkpoint is not of the size it is filed under");
            continue;
        }
        match pinned.advance(Known::Stored(&kept), theirs.as_bytes(), &[]) {
            Err(err @ LogError::HistoryRewritten { .. }) => {
                let DataError::Log(problem) = DataError::from(err) else {
                    continue;
                };
                // In one order whichever computer imports the other's: one alarm either way.
                let mut notes = [ours, theirs];
                notes.sort_unstable();
                let record = crate::alarms::AlarmRecord::for_log(&problem, &notes, None);
                if crate::alarms::raise(vault, &node, &record) {
                    raised += 1;
                }
            }
            Err(err) => {
                tracing::warn!(log = %conflict.log, error = %err, "an imported checkpoint that differs from this computer's is not the node's");
            }
            Ok(_) => {}
        }
    }
    raised
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use std::sync::Arc;

    use signet_data::NoteSigner;
    use signet_data::merkle::Hash;
    use signet_vault::CheckpointConflict;

    use super::*;

    const ORIGIN: &str = "rr.signet.test/usage";

    fn note(signer: &NoteSigner, size: u64, root: u8) -> Vec<u8> {
        let text = Checkpoint {
            origin: ORIGIN.to_owned(),
            size,
            root: Hash([root; 32]),
        }
        .to_text();
        signer.sign(&text).unwrap().into_bytes()
    }

    /// Two signed checkpoints of one size raise one alarm, whichever computer imports the
    /// other's and however often; a signed note of another size filed under that size (an
    /// edited export) raises none.
    #[test]
    fn only_two_signed_checkpoints_of_the_size_they_are_filed_under_raise_an_alarm() {
        let dir = tempfile::tempdir().unwrap();
        let keyring: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let context = Context::new(dir.path()).with_key_store(move |account| {
            Ok(Box::new(signet_vault::KeyringStore::new(
                &keyring, account,
            )?))
        });
        let signer =
            NoteSigner::new(ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[3; 32])).unwrap();
        std::fs::write(
            context.data_dir().join(NODES_FILE),
            serde_json::json!({"nodes": [{"url": "http://127.0.0.1:9", "origin": "https://rr.signet.test", "logKey": signer.verifier().to_text()}]})
                .to_string(),
        )
        .unwrap();
        let mut vault = crate::vault::open(&context).ok().unwrap();
        let conflict = |ours: Vec<u8>, theirs: Vec<u8>| CheckpointConflict {
            log: ORIGIN.to_owned(),
            tree_size: 3,
            ours,
            theirs,
        };

        let edited = conflict(note(&signer, 3, 1), note(&signer, 2, 9));
        assert_eq!(judge_imported_conflicts(&context, &mut vault, &[edited]), 0);
        let larger = conflict(note(&signer, 3, 1), note(&signer, 5, 9));
        assert_eq!(judge_imported_conflicts(&context, &mut vault, &[larger]), 0);
        assert!(vault.open_alarms().unwrap().is_empty());

        let split = conflict(note(&signer, 3, 1), note(&signer, 3, 2));
        assert_eq!(
            judge_imported_conflicts(&context, &mut vault, std::slice::from_ref(&split)),
            1
        );
        assert_eq!(
            judge_imported_conflicts(&context, &mut vault, std::slice::from_ref(&split)),
            0
        );
        let other_way = conflict(split.theirs, split.ours);
        assert_eq!(
            judge_imported_conflicts(&context, &mut vault, &[other_way]),
            0
        );
        assert_eq!(vault.open_alarms().unwrap().len(), 1);
    }
}
