//! The batch's journal, `OUT_DIR/.signet-batch.jsonl`: a "started" line before each file is
//! signed and a "signed" line once its output is in place, each appended and synced; locked so
//! that one batch at a time signs into a folder.

use std::io::{BufRead as _, Write as _};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use signet_core::{BaselineLevel, Code};

use super::{BatchFormat, JOURNAL};
use crate::ApiError;

/// One line of the journal: a file about to be signed (`outputSha256` absent), or signed with
/// its output in place.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JournalEntry {
    pub(super) input: String,
    pub(super) input_sha256: String,
    /// The output's file name in the output folder.
    pub(super) output: String,
    /// `None` on the line written before the signature: the output is not in place yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) output_sha256: Option<String>,
    pub(super) format: BatchFormat,
    /// On a "signed" line, the level its output validates at (`None`: no baseline level); on
    /// a "started" line, the level asked for.
    pub(super) level: Option<BaselineLevel>,
    pub(super) signed_at: String,
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

pub(super) fn read_journal(path: &Path) -> Vec<JournalEntry> {
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    // A line cut short by a crash is not an entry; its output is then "not from this batch".
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect()
}

/// The journal, opened (and the output folder created) at its first line.
pub(super) fn journal_file<'a>(
    journal: &'a mut Option<std::fs::File>,
    out_dir: &Path,
) -> Result<&'a mut std::fs::File, ApiError> {
    if journal.is_none() {
        std::fs::create_dir_all(out_dir).map_err(|e| {
            ApiError::new(
                Code::Io,
                format!("cannot create {}: {e}", out_dir.display()),
            )
            .recommend("Check that the folder can be created there.")
        })?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out_dir.join(JOURNAL))
            .map_err(|e| {
                ApiError::new(Code::Io, format!("cannot open the journal: {e}"))
                    .recommend("Check that the output folder is writable.")
            })?;
        // One batch at a time signs into a folder: a second one would sign the same files.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ApiError::new(
                    Code::Io,
                    format!(
                        "another signet batch is signing into {} now",
                        out_dir.display()
                    ),
                )
                .recommend("Wait for the other batch to end."));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                tracing::warn!(error = %e, "the journal cannot be locked; going on");
            }
        }
        // The journal's name is on the disk before any line in it counts.
        if let Ok(folder) = std::fs::File::open(out_dir) {
            let _ = folder.sync_all();
        }
        *journal = Some(file);
    }
    journal
        .as_mut()
        .ok_or_else(|| ApiError::new(Code::Internal, "the journal is not open"))
}

/// Whether `output` is `input` signed: a PDF that begins with the input's bytes and adds to
/// them (an incremental update), or a container holding exactly that file and a signature.
pub(super) fn looks_signed_from(
    format: BatchFormat,
    input: &[u8],
    input_path: &Path,
    output: &Path,
) -> bool {
    match format {
        BatchFormat::Pades => {
            std::fs::read(output).is_ok_and(|out| out.len() > input.len() && out.starts_with(input))
        }
        BatchFormat::Asice => crate::asice::asice_list(output).is_ok_and(|listing| {
            let name = input_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            listing.data_files.len() == 1
                && Some(&listing.data_files[0].name) == name.as_ref()
                && !listing.signatures.is_empty()
                && listing.problems.is_empty()
        }),
    }
}

pub(super) fn append(journal: &mut std::fs::File, entry: &JournalEntry) -> Result<(), ApiError> {
    let mut line = serde_json::to_string(entry)
        .map_err(|e| ApiError::new(Code::Internal, format!("journal entry: {e}")))?;
    line.push('\n');
    journal
        .write_all(line.as_bytes())
        .and_then(|()| journal.sync_data())
        .map_err(|e| {
            ApiError::new(Code::Io, format!("cannot write the journal: {e}"))
                .recommend("Check that the disk has room and the folder is writable.")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_input_signed_is_taken_for_an_interrupted_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = b"%PDF-1.7 the input\n%%EOF\n";
        let out = dir.path().join("a.pdf");
        let check = |content: &[u8]| {
            std::fs::write(&out, content).unwrap();
            looks_signed_from(BatchFormat::Pades, input, Path::new("a.pdf"), &out)
        };
        assert!(check(
            &[&input[..], b"1 0 obj << /new revision >>"].concat()
        ));
        assert!(!check(input), "the input alone is not signed");
        assert!(!check(
            b"%PDF-1.7 someone else's file, longer than the input"
        ));
        std::fs::write(&out, b"PK\x03\x04 not a container").unwrap();
        assert!(!looks_signed_from(
            BatchFormat::Asice,
            input,
            Path::new("a.pdf"),
            &out
        ));
    }

    #[test]
    fn one_batch_at_a_time_writes_a_journal() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut first = None;
        journal_file(&mut first, &out).unwrap();
        let mut second = None;
        let err = journal_file(&mut second, &out).unwrap_err();
        assert!(
            err.message.contains("another signet batch"),
            "{}",
            err.message
        );
        drop(first);
        journal_file(&mut second, &out).unwrap();
    }

    #[test]
    fn a_cut_journal_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL);
        let entry = JournalEntry {
            input: "a.pdf".into(),
            input_sha256: "00".into(),
            output: "a.pdf".into(),
            output_sha256: Some("11".into()),
            format: BatchFormat::Pades,
            level: Some(BaselineLevel::B_B),
            signed_at: "2026-01-01T00:00:00Z".into(),
        };
        let line = serde_json::to_string(&entry).unwrap();
        std::fs::write(&path, format!("{line}\n{}", &line[..line.len() / 2])).unwrap();
        let read = read_journal(&path);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].output_sha256.as_deref(), Some("11"));
    }
}
