//! A cheap fingerprint of a data file, stored with models so a model is never silently applied
//! to other data.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::DataError;
use crate::util::fasthash::Fnv1a;

const CHUNK: u64 = 1 << 20;

/// Size plus a hash of the first, middle and last MiB of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    pub path: PathBuf,
    pub bytes: u64,
    pub fingerprint: String,
}

impl FileIdentity {
    /// The fingerprint of a file, or of a survey store (a folder: the content id its root
    /// records, which hashes every chunk written).
    pub fn of(path: &Path) -> Result<Self, DataError> {
        let io = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        if super::store::is_store(path) {
            let id =
                super::store::survey_store::content_id(path).ok_or_else(|| DataError::Corrupt {
                    path: path.to_path_buf(),
                    key: "(root)".into(),
                    detail: "the store records no content id".into(),
                })?;
            let bytes = std::fs::metadata(path.join("zarr.json")).map_err(io)?.len();
            return Ok(FileIdentity {
                path: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
                bytes,
                fingerprint: id,
            });
        }
        let mut f = File::open(path).map_err(io)?;
        let bytes = f.metadata().map_err(io)?.len();
        let mut h = Fnv1a::default();
        h.update(&bytes.to_le_bytes());
        let mut buf = vec![0u8; CHUNK as usize];
        for start in [
            0,
            bytes.saturating_sub(CHUNK) / 2,
            bytes.saturating_sub(CHUNK),
        ] {
            f.seek(SeekFrom::Start(start)).map_err(io)?;
            let mut got = 0;
            loop {
                let r = f.read(&mut buf[got..]).map_err(io)?;
                if r == 0 {
                    break;
                }
                got += r;
            }
            h.update(&buf[..got]);
        }
        Ok(FileIdentity {
            path: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
            bytes,
            fingerprint: format!("{:016x}", h.finish()),
        })
    }

    /// Same content (the path may differ: files get moved).
    pub fn same_content(&self, other: &FileIdentity) -> bool {
        self.bytes == other.bytes && self.fingerprint == other.fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, vec![1u8; 3_000_000]).unwrap();
        let ia = FileIdentity::of(&a).unwrap();
        let b = dir.path().join("b");
        std::fs::write(&b, vec![1u8; 3_000_000]).unwrap();
        assert!(ia.same_content(&FileIdentity::of(&b).unwrap()));
        let mut v = vec![1u8; 3_000_000];
        v[2_999_000] = 2;
        std::fs::write(&b, v).unwrap();
        assert!(!ia.same_content(&FileIdentity::of(&b).unwrap()));
    }
}
