//! Writing a signed PDF atomically and durably without a second copy in memory: the bytes that
//! were read and hashed (never the input file read again) are written into a temporary file
//! next to the output and flushed to disk on a thread of their own while the document is hashed
//! and signed; the new revision is then appended, the file synced once more, and put in place
//! without replacing an existing file, through [`signet_fs`] as every Signet writer does.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use signet_fs::{NamedTempFile, Placement};

/// A copy of the original under way.
#[derive(Debug)]
pub struct DurableCopy {
    handle: Option<JoinHandle<std::io::Result<NamedTempFile>>>,
    output: PathBuf,
}

impl DurableCopy {
    /// Starts writing `original` (the bytes read, which are hashed and signed) to a temporary
    /// file in `output`'s folder, and flushing it.
    pub fn start(original: Arc<Vec<u8>>, output: &Path) -> Self {
        let to = output.to_owned();
        let handle = std::thread::spawn(move || -> std::io::Result<NamedTempFile> {
            let mut temp = signet_fs::temp_next_to(&to)?;
            temp.as_file_mut().write_all(&original)?;
            temp.as_file().sync_data()?;
            Ok(temp)
        });
        Self {
            handle: Some(handle),
            output: output.to_owned(),
        }
    }

    /// Appends `appended` (the new revisions), syncs, and puts the file in place. An existing
    /// output (even one created meanwhile) is never replaced: the error is
    /// [`std::io::ErrorKind::AlreadyExists`] and the temporary file is removed.
    pub fn finish(mut self, appended: &[u8]) -> std::io::Result<()> {
        let handle = self
            .handle
            .take()
            .ok_or_else(|| std::io::Error::other("the copy was already finished"))?;
        let mut temp = handle
            .join()
            .map_err(|_| std::io::Error::other("the copying thread panicked"))??;
        temp.as_file_mut().write_all(appended)?;
        temp.as_file().sync_all()?;
        signet_fs::persist(temp, &self.output, Placement::New)?;
        let _ = signet_fs::sync_folder(&signet_fs::folder_of(&self.output));
        Ok(())
    }
}

impl Drop for DurableCopy {
    fn drop(&mut self) {
        // The temporary file, when the copy got that far, is removed as it is dropped.
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn the_bytes_given_are_written_and_an_existing_output_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pdf");
        std::fs::write(&input, b"%PDF- as read").unwrap();
        let read = Arc::new(std::fs::read(&input).unwrap());
        // The input changes after it was read: the output still holds what was read.
        std::fs::write(&input, b"%PDF- swapped").unwrap();
        let out = dir.path().join("out.pdf");
        DurableCopy::start(read.clone(), &out)
            .finish(b" + revision")
            .unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF- as read + revision");
        let err = DurableCopy::start(read, &out)
            .finish(b" + again")
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF- as read + revision");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
