//! Putting a written file in place, the one way every Signet writer does it: the file is written
//! to a temporary file next to its target, synced, then renamed, and the folder is synced so that
//! the rename is on the disk too. A new file never replaces one that is already there
//! ([`Placement::New`]): the rename is Linux's `renameat2(RENAME_NOREPLACE)`, or `link()` then
//! `unlink()` where the file system lacks it (tempfile's `persist_noclobber`), so a file someone
//! else created between a check and the rename is not overwritten, and the caller gets an
//! [`io::ErrorKind::AlreadyExists`] error. A document changed in place by design (a signature
//! added to a container, a settings file saved) replaces its old version ([`Placement::Replace`]),
//! atomically.
//!
//! - [`write_placed`]: the helper, with a check that runs right before the file is put in place;
//!   [`write_atomically`] is it for a file's bytes.
//! - [`temp_next_to`], [`persist`], [`sync_folder`]: its steps, for writers that put several
//!   files in place at once or check a file between writing and placing it.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

pub use tempfile::NamedTempFile;

/// Whether a written file is synced to the disk before it replaces its target.
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

/// Why a file was not put in place.
#[derive(Debug)]
pub enum PlaceError<E> {
    /// Creating, writing, syncing or renaming failed.
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The check before placing refused: the written file was discarded.
    Refused(E),
}

/// The folder `out` is in (`.` for a bare file name).
pub fn folder_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// A temporary file in `out`'s folder (so that the rename is atomic), private to its owner and
/// removed when dropped.
pub fn temp_next_to(out: &Path) -> io::Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".signet-")
        .suffix(".part")
        .tempfile_in(folder_of(out))
}

/// Renames `temp` to `out` as `placement` allows; on failure the temporary file is removed.
pub fn persist(temp: NamedTempFile, out: &Path, placement: Placement) -> io::Result<()> {
    let placed = match placement {
        Placement::New => temp.persist_noclobber(out),
        Placement::Replace => temp.persist(out),
    };
    placed.map(|_| ()).map_err(|e| e.error)
}

/// fsync of a folder, so that the names created or renamed in it are on the disk.
pub fn sync_folder(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

/// Writes `out` through a temporary file in the same folder: written by `write`, flushed,
/// synced (as `durability` says), checked by `before_place`, put in place as `placement`
/// allows, and the folder synced. On any error the temporary file is removed and `out` is
/// untouched.
pub fn write_placed<E>(
    out: &Path,
    durability: Durability,
    placement: Placement,
    before_place: &mut dyn FnMut() -> Result<(), E>,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), PlaceError<E>> {
    let dir = folder_of(out);
    let at = |path: &Path| {
        let path = path.to_owned();
        move |source| PlaceError::Io { path, source }
    };
    let mut temp = temp_next_to(out).map_err(at(&dir))?;
    write(temp.as_file_mut()).map_err(at(out))?;
    temp.as_file_mut().flush().map_err(at(out))?;
    if durability == Durability::Synced {
        temp.as_file().sync_all().map_err(at(out))?;
    }
    before_place().map_err(PlaceError::Refused)?;
    persist(temp, out, placement).map_err(at(out))?;
    if durability == Durability::Synced {
        // The file is in place and synced; a folder that cannot be opened to sync it (some
        // network file systems) does not undo that.
        let _ = sync_folder(&dir);
    }
    Ok(())
}

/// Writes `bytes` to `out` as `placement` allows, atomically and durably ([`write_placed`] with
/// [`Durability::Synced`] and no check).
pub fn write_atomically(out: &Path, placement: Placement, bytes: &[u8]) -> io::Result<()> {
    write_placed::<std::convert::Infallible>(
        out,
        Durability::Synced,
        placement,
        &mut || Ok(()),
        |f| f.write_all(bytes),
    )
    .map_err(|e| match e {
        PlaceError::Io { source, .. } => source,
        PlaceError::Refused(never) => match never {},
    })
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
        let err = write_placed::<()>(
            &out,
            Durability::Synced,
            Placement::New,
            &mut || Ok(()),
            |f| f.write_all(b"mine"),
        )
        .unwrap_err();
        assert!(
            matches!(&err, PlaceError::Io { source, .. } if source.kind() == io::ErrorKind::AlreadyExists),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"someone else's");
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let err = write_atomically(&out, Placement::New, b"mine").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        write_atomically(&out, Placement::Replace, b"mine").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"mine");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_refusal_before_placing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.asice");
        let err = write_placed(
            &out,
            Durability::Synced,
            Placement::New,
            &mut || Err("changed"),
            |f| f.write_all(b"mine"),
        )
        .unwrap_err();
        assert!(matches!(err, PlaceError::Refused("changed")), "{err:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
