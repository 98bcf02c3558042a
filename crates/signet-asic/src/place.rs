//! Putting a written file in place: it is written to a temporary file next to its target,
//! synced, then renamed. A new file never replaces one that is already there
//! ([`Placement::New`]): the rename is Linux's `renameat2(RENAME_NOREPLACE)`, or `link()` then
//! `unlink()` where the file system lacks it (tempfile's `persist_noclobber`), so a file someone
//! else created between a check and the rename is not overwritten, and the caller gets an
//! [`io::ErrorKind::AlreadyExists`] error. A document changed in place by design (a signature
//! added to a container, files added to an unsigned one) replaces its old version
//! ([`Placement::Replace`]), atomically.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::container::{AsicError, io_err};

/// Whether a written container is synced to the disk before it replaces its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync of the file and its folder (Signet's rule for every output).
    Synced,
    /// Written and renamed, left in the page cache: still atomic for readers, but a power cut
    /// may lose it. Only for measuring (`cargo xtask bench asice`) what the disk costs.
    Unsynced,
}

/// Whether a file written may take the place of one already at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// A new file: an existing one (even one created while this was written) is never
    /// replaced; placing fails with [`io::ErrorKind::AlreadyExists`] and the written file is
    /// discarded.
    #[default]
    New,
    /// Replace what is there, atomically (a document changed in place, or the caller said so).
    Replace,
}

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
        dirs.insert(folder_of(&p.out));
        persist(p.temp, &p.out, p.placement)?;
    }
    for dir in dirs {
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err(&dir))?;
    }
    Ok(())
}

pub(crate) fn folder_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

pub(crate) fn temp_next_to(out: &Path) -> Result<tempfile::NamedTempFile, AsicError> {
    let dir = folder_of(out);
    tempfile::Builder::new()
        .prefix(".signet-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(io_err(&dir))
}

/// Renames `temp` to `out` as `placement` allows; on failure the temporary file is removed.
fn persist(
    temp: tempfile::NamedTempFile,
    out: &Path,
    placement: Placement,
) -> Result<(), AsicError> {
    let placed = match placement {
        Placement::New => temp.persist_noclobber(out),
        Placement::Replace => temp.persist(out),
    };
    placed.map(|_| ()).map_err(|e| AsicError::Io {
        path: out.display().to_string(),
        source: e.error,
    })
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
    let dir = folder_of(out);
    let mut temp = temp_next_to(out)?;
    write(temp.as_file_mut()).map_err(io_err(out))?;
    temp.as_file_mut().flush().map_err(io_err(out))?;
    if durability == Durability::Synced {
        temp.as_file().sync_all().map_err(io_err(out))?;
    }
    before_place()?;
    persist(temp, out, placement)?;
    if durability == Durability::Synced
        && let Ok(d) = File::open(&dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn a_new_file_never_replaces_one_that_is_there() {
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
        assert_eq!(std::fs::read(&out).unwrap(), b"someone else's");
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_placed(
            &out,
            Durability::Synced,
            Placement::Replace,
            &mut || Ok(()),
            |f| f.write_all(b"mine"),
        )
        .unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"mine");
    }

    #[test]
    fn a_refusal_before_placing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.asice");
        let err = write_placed(
            &out,
            Durability::Synced,
            Placement::New,
            &mut || Err(AsicError::InputChanged(PathBuf::from("in.txt"))),
            |f| f.write_all(b"mine"),
        )
        .unwrap_err();
        assert!(matches!(err, AsicError::InputChanged(_)), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
