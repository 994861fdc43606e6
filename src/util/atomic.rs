//! Atomic file writes: write to a temporary file in the destination folder, then rename.
//!
//! A crash, a full disk or an error half-way leaves the previous file (if any) intact.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An error while writing a file atomically; names the destination.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct AtomicWriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Writes `path` atomically: `write` fills a buffered temporary file in the same folder, which is
/// flushed, synced and renamed over `path` only if `write` succeeds.
pub fn write_atomically<E, F>(path: &Path, write: F) -> Result<(), E>
where
    E: From<AtomicWriteError>,
    F: FnOnce(&mut BufWriter<&mut fs::File>) -> Result<(), E>,
{
    let wrap = |source: io::Error| AtomicWriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(wrap(io::Error::new(
            io::ErrorKind::NotFound,
            format!("folder {} does not exist", dir.display()),
        ))
        .into());
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(wrap)?;
    {
        let mut buf = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut buf)?;
        buf.flush().map_err(wrap)?;
    }
    // Temporary files are created private (0600); give the result ordinary permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(wrap)?;
    }
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}

/// Writes bytes atomically.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<(), AtomicWriteError> {
    write_atomically(path, |w| {
        w.write_all(bytes).map_err(|source| AtomicWriteError {
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_bytes_atomically(&p, b"first").unwrap();
        let r: Result<(), AtomicWriteError> = write_atomically(&p, |w| {
            w.write_all(b"partial").unwrap();
            Err(AtomicWriteError {
                path: p.clone(),
                source: io::Error::other("disk full"),
            })
        });
        assert!(r.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"first");
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope").join("a.txt");
        let e = write_bytes_atomically(&p, b"x").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}
