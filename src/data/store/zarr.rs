//! The subset of Zarr v3 specae writes and reads: arrays on a regular chunk grid, the default
//! chunk key encoding (`c/0/0`), the `bytes` codec (little-endian, uncompressed), one folder per
//! array with its `zarr.json`. zarr-python, xarray and Dask read it as they read any Zarr v3
//! store; specae reads back what it wrote, and refuses anything else with the array and chunk
//! named.
//!
//! Written by hand rather than with the `zarrs` crate: the subset is ~300 lines, costs no build
//! time, and lets every error name the file, the array and the chunk the way the npz reader's
//! do. Uncompressed because float32 spectra gain little from a general-purpose compressor and
//! the npz files specae writes are uncompressed too (same size on disk).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::data::error::DataError;

/// A `zarr.json` larger than this is not one specae wrote (or any sane tool).
const MAX_META_BYTES: u64 = 1 << 20;
/// An array whose elements would take more than this many bytes is refused before any
/// allocation (64 GiB: 16 million 1000-bin float32 spectra).
pub const MAX_ARRAY_BYTES: u64 = 1 << 36;
/// At most this many dimensions.
const MAX_DIMS: usize = 8;

/// The element types of the stores specae writes and reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::UInt8 => "uint8",
            DType::UInt16 => "uint16",
            DType::UInt32 => "uint32",
            DType::UInt64 => "uint64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "bool" => DType::Bool,
            "int8" => DType::Int8,
            "int16" => DType::Int16,
            "int32" => DType::Int32,
            "int64" => DType::Int64,
            "uint8" => DType::UInt8,
            "uint16" => DType::UInt16,
            "uint32" => DType::UInt32,
            "uint64" => DType::UInt64,
            "float32" => DType::Float32,
            "float64" => DType::Float64,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 => 8,
        }
    }

    fn is_float(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }
}

/// One array's metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayMeta {
    pub shape: Vec<usize>,
    pub chunks: Vec<usize>,
    pub dtype: DType,
}

impl ArrayMeta {
    /// Bytes of one (full, padded) chunk.
    pub fn chunk_bytes(&self) -> usize {
        self.chunks.iter().product::<usize>() * self.dtype.size()
    }

    /// Chunks along each dimension.
    pub fn grid(&self) -> Vec<usize> {
        self.shape
            .iter()
            .zip(&self.chunks)
            .map(|(s, c)| s.div_ceil(*c))
            .collect()
    }

    fn to_json(&self, dimension_names: &[&str]) -> Value {
        let fill = if self.dtype == DType::Bool {
            json!(false)
        } else if self.dtype.is_float() {
            json!(0.0)
        } else {
            json!(0)
        };
        let bytes = if self.dtype.size() == 1 {
            json!({"name": "bytes"})
        } else {
            json!({"name": "bytes", "configuration": {"endian": "little"}})
        };
        let mut v = json!({
            "zarr_format": 3,
            "node_type": "array",
            "shape": self.shape,
            "data_type": self.dtype.name(),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": self.chunks}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": fill,
            "codecs": [bytes],
            "attributes": {},
        });
        if dimension_names.len() == self.shape.len() {
            v["dimension_names"] = json!(dimension_names);
        }
        v
    }
}

/// An error about array `key` of the store at `path`.
fn corrupt(path: &Path, key: &str, detail: impl Into<String>) -> DataError {
    DataError::Corrupt {
        path: path.to_path_buf(),
        key: key.into(),
        detail: detail.into(),
    }
}

/// Reads a node's `zarr.json` (bounded), as JSON.
pub fn read_node(store: &Path, key: &str) -> Result<Value, DataError> {
    let file = if key.is_empty() {
        store.join("zarr.json")
    } else {
        store.join(key).join("zarr.json")
    };
    let what = if key.is_empty() { "(root)" } else { key };
    let f = fs::File::open(&file).map_err(|e| {
        corrupt(
            store,
            what,
            format!("its metadata {} cannot be read: {e}", file.display()),
        )
    })?;
    let mut text = String::new();
    f.take(MAX_META_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| corrupt(store, what, format!("its metadata is unreadable: {e}")))?;
    if text.len() as u64 > MAX_META_BYTES {
        return Err(corrupt(
            store,
            what,
            "its zarr.json is over 1 MiB: not store metadata",
        ));
    }
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| corrupt(store, what, format!("its zarr.json is not valid JSON: {e}")))?;
    if v.get("zarr_format").and_then(Value::as_u64) != Some(3) {
        return Err(corrupt(
            store,
            what,
            "its zarr.json is not Zarr format 3 (zarr_format must be 3)",
        ));
    }
    Ok(v)
}

/// Parses and checks an array's metadata: only what specae writes is accepted.
pub fn read_meta(store: &Path, key: &str) -> Result<ArrayMeta, DataError> {
    let v = read_node(store, key)?;
    let bad = |detail: String| corrupt(store, key, detail);
    if v.get("node_type").and_then(Value::as_str) != Some("array") {
        return Err(bad("it is not an array (node_type)".into()));
    }
    let dims = |field: &str, v: Option<&Value>| -> Result<Vec<usize>, DataError> {
        let a = v
            .and_then(Value::as_array)
            .ok_or_else(|| bad(format!("{field} is missing or not a list")))?;
        if a.len() > MAX_DIMS {
            return Err(bad(format!("{field} has {} dimensions", a.len())));
        }
        a.iter()
            .map(|x| {
                x.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| bad(format!("{field} holds {x}, not a size")))
            })
            .collect()
    };
    let shape = dims("shape", v.get("shape"))?;
    let dtype_name = v
        .get("data_type")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    let dtype = DType::from_name(dtype_name).ok_or_else(|| DataError::Dtype {
        path: store.to_path_buf(),
        key: key.into(),
        found: dtype_name.into(),
        expected: "bool, an integer or a float type".into(),
    })?;
    let grid = v.get("chunk_grid");
    if grid.and_then(|g| g.get("name")).and_then(Value::as_str) != Some("regular") {
        return Err(bad("its chunk grid is not regular".into()));
    }
    let chunks = dims(
        "chunk_shape",
        grid.and_then(|g| g.get("configuration"))
            .and_then(|c| c.get("chunk_shape")),
    )?;
    if chunks.len() != shape.len() || chunks.contains(&0) {
        return Err(bad(format!(
            "chunk shape {chunks:?} does not fit shape {shape:?}"
        )));
    }
    if chunks.get(1..) != shape.get(1..) {
        return Err(bad(format!(
            "it is chunked {chunks:?} across its {shape:?}; specae reads arrays chunked by \
             rows only (whole spectra per chunk): rechunk it, e.g. with zarr-python"
        )));
    }
    let encoding = v.get("chunk_key_encoding");
    let separator = encoding
        .and_then(|e| e.get("configuration"))
        .and_then(|c| c.get("separator"))
        .and_then(Value::as_str)
        .unwrap_or("/");
    if encoding.and_then(|e| e.get("name")).and_then(Value::as_str) != Some("default")
        || separator != "/"
    {
        return Err(bad(
            "its chunk keys are not the default encoding with '/'".into()
        ));
    }
    let codecs = v
        .get("codecs")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("codecs are missing".into()))?;
    let plain = codecs.len() == 1
        && codecs[0].get("name").and_then(Value::as_str) == Some("bytes")
        && codecs[0]
            .get("configuration")
            .and_then(|c| c.get("endian"))
            .and_then(Value::as_str)
            .is_none_or(|e| e == "little");
    if !plain {
        return Err(bad(format!(
            "its codecs {} are not the uncompressed little-endian bytes codec specae reads \
             (convert it with zarr-python, or write it with specae)",
            Value::Array(codecs.clone())
        )));
    }
    let elements = shape
        .iter()
        .try_fold(1u64, |a, &s| a.checked_mul(s as u64))
        .unwrap_or(u64::MAX);
    let chunk_elements = chunks
        .iter()
        .try_fold(1u64, |a, &s| a.checked_mul(s as u64))
        .unwrap_or(u64::MAX);
    let size = dtype.size() as u64;
    if elements.saturating_mul(size) > MAX_ARRAY_BYTES
        || chunk_elements.saturating_mul(size) > MAX_ARRAY_BYTES
    {
        return Err(bad(format!(
            "shape {shape:?} (chunks {chunks:?}) of {} would take over 64 GiB",
            dtype.name()
        )));
    }
    Ok(ArrayMeta {
        shape,
        chunks,
        dtype,
    })
}

/// The file of chunk `index` of array `key` (the default key encoding: `c/i/j`).
pub fn chunk_path(store: &Path, key: &str, index: &[usize]) -> PathBuf {
    let mut p = store.join(key).join("c");
    for i in index {
        p = p.join(i.to_string());
    }
    p
}

fn chunk_name(index: &[usize]) -> String {
    let mut s = "c".to_string();
    for i in index {
        s.push('/');
        s.push_str(&i.to_string());
    }
    s
}

/// Reads rows `rows` of array `key` chunk by chunk, handing `visit` the bytes of consecutive
/// whole rows in order (a chunk's part inside `rows`), so a caller decodes into its own array
/// without a second copy of the whole. Every chunk is checked to exist and to have exactly its
/// size. Arrays are chunked by rows only (what specae writes; [`read_meta`] refuses others).
pub fn visit_rows(
    store: &Path,
    key: &str,
    meta: &ArrayMeta,
    rows: std::ops::Range<usize>,
    visit: &mut dyn FnMut(&[u8]),
) -> Result<(), DataError> {
    if meta.shape.is_empty() {
        return Err(corrupt(store, key, "a 0-d array where rows were expected"));
    }
    let n = meta.shape[0];
    let rows = rows.start.min(n)..rows.end.min(n);
    let row_bytes = meta.shape[1..].iter().product::<usize>() * meta.dtype.size();
    if rows.is_empty() || row_bytes == 0 {
        return Ok(());
    }
    let crow = meta.chunks[0];
    // One buffer per thread, reused: a streamed epoch reads ~50 chunks of 16 MiB, and fresh
    // ones cost their page faults and zeroing on every read.
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut buf = BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    buf.resize(meta.chunk_bytes(), 0);
    let read = read_chunks(store, key, meta, rows, row_bytes, crow, &mut buf, visit);
    if buf.capacity() <= 64 << 20 {
        BUF.with(|b| *b.borrow_mut() = buf);
    }
    read
}

/// Opens chunk row `ci` of array `key`, checked to exist and to have exactly its size; with
/// its name (`c/i/0`) for errors.
fn open_chunk(
    store: &Path,
    key: &str,
    meta: &ArrayMeta,
    ci: usize,
) -> Result<(fs::File, String), DataError> {
    let mut idx = vec![0usize; meta.shape.len()];
    idx[0] = ci;
    let name = chunk_name(&idx);
    let f = fs::File::open(chunk_path(store, key, &idx)).map_err(|e| {
        corrupt(
            store,
            key,
            format!("chunk {name} is missing ({e}): the store is damaged"),
        )
    })?;
    let len = f
        .metadata()
        .map_err(|e| corrupt(store, key, format!("chunk {name}: {e}")))?
        .len();
    if len != meta.chunk_bytes() as u64 {
        return Err(corrupt(
            store,
            key,
            format!(
                "chunk {name} holds {len} bytes, expected {} (truncated or damaged)",
                meta.chunk_bytes()
            ),
        ));
    }
    Ok((f, name))
}

/// Reads rows `rows` of array `key` as raw little-endian bytes straight into `dst` (exactly
/// their size): no intermediate buffer, for arrays whose dtype is the caller's own in-memory
/// layout (float32 on a little-endian machine). Chunks are checked as [`visit_rows`] checks.
pub fn read_rows_into(
    store: &Path,
    key: &str,
    meta: &ArrayMeta,
    rows: std::ops::Range<usize>,
    dst: &mut [u8],
) -> Result<(), DataError> {
    use std::io::{Seek, SeekFrom};
    let n = meta.shape.first().copied().unwrap_or(0);
    let rows = rows.start.min(n)..rows.end.min(n);
    let row_bytes = meta.shape[1..].iter().product::<usize>() * meta.dtype.size();
    if dst.len() != rows.len() * row_bytes {
        return Err(corrupt(
            store,
            key,
            "a read of the wrong size was asked for",
        ));
    }
    let crow = meta.chunks[0].max(1);
    let mut at = 0usize;
    for ci in rows.start / crow..rows.end.div_ceil(crow) {
        let (mut f, name) = open_chunk(store, key, meta, ci)?;
        let r0 = ci * crow;
        let (lo, hi) = (r0.max(rows.start), (r0 + crow).min(rows.end));
        let bytes = (hi - lo) * row_bytes;
        f.seek(SeekFrom::Start(((lo - r0) * row_bytes) as u64))
            .and_then(|_| f.read_exact(&mut dst[at..at + bytes]))
            .map_err(|e| corrupt(store, key, format!("chunk {name}: {e}")))?;
        at += bytes;
    }
    Ok(())
}

/// [`visit_rows`]'s loop over the chunks, reading each into `buf` (one chunk's size).
#[allow(clippy::too_many_arguments)]
fn read_chunks(
    store: &Path,
    key: &str,
    meta: &ArrayMeta,
    rows: std::ops::Range<usize>,
    row_bytes: usize,
    crow: usize,
    buf: &mut [u8],
    visit: &mut dyn FnMut(&[u8]),
) -> Result<(), DataError> {
    for ci in rows.start / crow..rows.end.div_ceil(crow) {
        let (mut f, name) = open_chunk(store, key, meta, ci)?;
        f.read_exact(buf)
            .map_err(|e| corrupt(store, key, format!("chunk {name}: {e}")))?;
        // The chunk's rows inside `rows`.
        let r0 = ci * crow;
        let (lo, hi) = (r0.max(rows.start), (r0 + crow).min(rows.end));
        visit(&buf[(lo - r0) * row_bytes..(hi - r0) * row_bytes]);
    }
    Ok(())
}

/// Writes array `key` of a store being built: its metadata now, then its chunks by rows.
pub struct ArrayWriter {
    dir: PathBuf,
    meta: ArrayMeta,
    /// Rows written so far.
    rows: usize,
    /// Rows of the current chunk row not yet written (bytes, row-major over the whole row).
    pending: Vec<u8>,
}

impl ArrayWriter {
    /// Creates array `key` under `store` with `shape` and `chunk_rows` rows per chunk (the
    /// other dimensions whole).
    pub fn create(
        store: &Path,
        key: &str,
        dtype: DType,
        shape: &[usize],
        chunk_rows: usize,
        dimension_names: &[&str],
    ) -> std::io::Result<Self> {
        let mut chunks = shape.to_vec();
        if let Some(c) = chunks.first_mut() {
            *c = chunk_rows.clamp(1, shape[0].max(1));
        }
        let meta = ArrayMeta {
            shape: shape.to_vec(),
            chunks,
            dtype,
        };
        let dir = store.join(key);
        fs::create_dir_all(&dir)?;
        let text = serde_json::to_string_pretty(&meta.to_json(dimension_names))
            .map_err(std::io::Error::other)?;
        fs::write(dir.join("zarr.json"), text)?;
        Ok(Self {
            dir,
            meta,
            rows: 0,
            pending: vec![],
        })
    }

    fn row_bytes(&self) -> usize {
        self.meta.shape[1..].iter().product::<usize>() * self.meta.dtype.size()
    }

    /// Appends whole rows (raw little-endian bytes, row-major); full chunks go to disk.
    pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let rb = self.row_bytes().max(1);
        if !bytes.len().is_multiple_of(rb) {
            return Err(std::io::Error::other("a partial row was appended"));
        }
        self.pending.extend_from_slice(bytes);
        let chunk_rows = self.meta.chunks[0];
        while self.pending.len() >= chunk_rows * rb {
            let rest = self.pending.split_off(chunk_rows * rb);
            let full = std::mem::replace(&mut self.pending, rest);
            self.write_chunk_row(&full)?;
        }
        Ok(())
    }

    /// Writes the last (padded) chunk row; checks the row count against the shape.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.write_chunk_row(&pending)?;
        }
        let n = self.meta.shape.first().copied().unwrap_or(1);
        if self.rows != n {
            return Err(std::io::Error::other(format!(
                "{} rows written to an array of {n}",
                self.rows
            )));
        }
        Ok(())
    }

    /// Writes one chunk of up to `chunks[0]` rows from `rows_bytes` (padded to full size).
    fn write_chunk_row(&mut self, rows_bytes: &[u8]) -> std::io::Result<()> {
        let nrows = rows_bytes.len() / self.row_bytes().max(1);
        let mut chunk = vec![0u8; self.meta.chunk_bytes()];
        chunk[..rows_bytes.len()].copy_from_slice(rows_bytes);
        let mut idx = vec![0usize; self.meta.shape.len().max(1)];
        idx[0] = self.rows / self.meta.chunks.first().copied().unwrap_or(1).max(1);
        self.write_chunk(&idx, &chunk)?;
        self.rows += nrows;
        Ok(())
    }

    fn write_chunk(&self, idx: &[usize], bytes: &[u8]) -> std::io::Result<()> {
        let mut p = self.dir.join("c");
        for i in &idx[..idx.len() - 1] {
            p = p.join(i.to_string());
        }
        fs::create_dir_all(&p)?;
        let file = p.join(idx[idx.len() - 1].to_string());
        let mut f = fs::File::create(file)?;
        f.write_all(bytes)?;
        Ok(())
    }
}

/// Writes a group node's `zarr.json` with `attributes`.
pub fn write_group(dir: &Path, attributes: Value) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    let v = json!({"zarr_format": 3, "node_type": "group", "attributes": attributes});
    let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
    let tmp = dir.join(".zarr.json.tmp");
    fs::write(&tmp, text)?;
    fs::rename(tmp, dir.join("zarr.json"))
}

/// Decodes little-endian bytes of `dtype` as f64 values (floats) — used by the typed readers.
pub fn decode_f64(dtype: DType, bytes: &[u8]) -> Option<Vec<f64>> {
    Some(match dtype {
        DType::Float32 => bytes
            .chunks_exact(4)
            .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect(),
        DType::Float64 => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect(),
        _ => return None,
    })
}

/// Decodes little-endian bytes of `dtype` as f32 values (floats).
pub fn decode_f32(dtype: DType, bytes: &[u8]) -> Option<Vec<f32>> {
    Some(match dtype {
        DType::Float32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        DType::Float64 => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f32)
            .collect(),
        _ => return None,
    })
}

/// Decodes little-endian bytes of an integer (or bool) `dtype` as i64.
pub fn decode_i64(dtype: DType, bytes: &[u8]) -> Option<Vec<i64>> {
    macro_rules! ints {
        ($t:ty, $n:expr) => {
            bytes
                .chunks_exact($n)
                .map(|b| <$t>::from_le_bytes(b.try_into().unwrap_or([0; $n])) as i64)
                .collect()
        };
    }
    Some(match dtype {
        DType::Bool | DType::UInt8 => bytes.iter().map(|&b| i64::from(b)).collect(),
        DType::Int8 => bytes.iter().map(|&b| i64::from(b as i8)).collect(),
        DType::Int16 => ints!(i16, 2),
        DType::UInt16 => ints!(u16, 2),
        DType::Int32 => ints!(i32, 4),
        DType::UInt32 => ints!(u32, 4),
        DType::Int64 => ints!(i64, 8),
        DType::UInt64 => ints!(u64, 8),
        DType::Float32 | DType::Float64 => return None,
    })
}
