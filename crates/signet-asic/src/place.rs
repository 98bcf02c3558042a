//! Putting a written container in place, through [`signet_fs`] (the one helper every Signet
//! writer uses): written to a temporary file next to its target, synced, then renamed, never
//! over an existing file unless asked ([`Placement`]). This module adds the container's errors
//! and [`commit`], which puts a batch of containers in place with their syncs overlapped.

use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

pub use signet_fs::{Durability, Placement};

use crate::container::{AsicError, io_err};

/// A container written in full to a temporary file next to its target, not yet durable nor in
/// place. [`commit`] makes a batch of them durable and puts them in place; dropped without a
/// commit, the temporary file is removed and the target never appears.
#[derive(Debug)]
#[must_use = "a pending container appears only when committed"]
pub struct Pending {
    pub(crate) temp: tempfile::NamedTempFile,
    pub(crate) out: PathBuf,
    pub(crate) placement: Placement,
}

impl Pending {
    /// Where the container will be.
    pub fn target(&self) -> &Path {
        &self.out
    }
}

/// Makes every pending container durable, then puts it in place: an fsync of each temporary
/// file (several at once, so the file system commits them together rather than one journal
/// commit each), then each is renamed to its target, then one fsync of each folder. When a
/// sync fails nothing is renamed; once this returns `Ok`, every container is on the disk. A
/// pending container whose target exists by then fails the commit (the ones renamed before it
/// stay); the others are discarded.
pub fn commit(batch: Vec<Pending>) -> Result<(), AsicError> {
    const SYNCERS: usize = 8;
    let chunk = batch.len().div_ceil(SYNCERS).max(1);
    let synced: Vec<Result<(), AsicError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = batch
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    for p in part {
                        p.temp.as_file().sync_all().map_err(io_err(&p.out))?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    Err(AsicError::Io {
                        path: "a batch of containers".to_owned(),
                        source: io::Error::other("a sync thread panicked"),
                    })
                })
            })
            .collect()
    });
    synced.into_iter().collect::<Result<Vec<()>, _>>()?;
    let mut dirs = BTreeSet::new();
    for p in batch {
        dirs.insert(signet_fs::folder_of(&p.out));
        persist(p.temp, &p.out, p.placement)?;
    }
    for dir in dirs {
        signet_fs::sync_folder(&dir).map_err(io_err(&dir))?;
    }
    Ok(())
}

pub(crate) fn temp_next_to(out: &Path) -> Result<tempfile::NamedTempFile, AsicError> {
    signet_fs::temp_next_to(out).map_err(io_err(&signet_fs::folder_of(out)))
}

/// Renames `temp` to `out` as `placement` allows; on failure the temporary file is removed.
fn persist(
    temp: tempfile::NamedTempFile,
    out: &Path,
    placement: Placement,
) -> Result<(), AsicError> {
    signet_fs::persist(temp, out, placement).map_err(io_err(out))
}

/// Writes `out` through a temporary file in the same folder: synced, then renamed over `out`
/// (which it replaces). On any error the temporary file is removed and `out` is untouched.
pub fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), AsicError> {
    write_placed(
        out,
        Durability::Synced,
        Placement::Replace,
        &mut || Ok(()),
        write,
    )
}

/// [`write_atomically`] with a choice of durability and placement; `before_place` runs once the
/// file is written and synced, right before it is put in place: its error discards the file.
pub fn write_placed(
    out: &Path,
    durability: Durability,
    placement: Placement,
    before_place: &mut dyn FnMut() -> Result<(), AsicError>,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), AsicError> {
    signet_fs::write_placed(out, durability, placement, before_place, write).map_err(|e| match e {
        signet_fs::PlaceError::Io { path, source } => io_err(&path)(source),
        signet_fs::PlaceError::Refused(e) => e,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use std::io::Write as _;

    // The placing itself is signet-fs's, tested there; here, that its errors keep their kind.
    #[test]
    fn an_existing_file_and_a_refusal_keep_their_errors() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.asice");
        std::fs::write(&out, b"someone else's").unwrap();
        let err = write_placed(
            &out,
            Durability::Synced,
            Placement::New,
            &mut || Ok(()),
            |f| f.write_all(b"mine"),
        )
        .unwrap_err();
        assert!(
            matches!(&err, AsicError::Io { source, .. } if source.kind() == io::ErrorKind::AlreadyExists),
            "{err}"
        );
        let err = write_placed(
            &out,
            Durability::Synced,
            Placement::Replace,
            &mut || Err(AsicError::InputChanged(PathBuf::from("in.txt"))),
            |f| f.write_all(b"mine"),
        )
        .unwrap_err();
        assert!(matches!(err, AsicError::InputChanged(_)), "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"someone else's");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
