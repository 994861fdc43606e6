//! A survey as a Zarr v3 store: the npz schema's arrays under one group (`spectra`, `mask`,
//! `spec_err`, `norms`, `coeffs`, `mu`, `evecs`, `coeff0`, `coeff1` and the optional columns),
//! chunked by rows, with the grid and provenance in the group's attributes.
//!
//! Writing is atomic at the store's level: everything goes to `NAME.partial/`, the root
//! `zarr.json` — which says `"complete": true` — is written last, and the folder is renamed to
//! `NAME` at the end. An interrupted `generate`/`ingest`/`convert` leaves `NAME.partial/`,
//! never a `NAME` that looks whole; a store whose root does not say it is complete is refused.

use std::fs;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use serde_json::{Value, json};

use super::zarr::{self, ArrayMeta, ArrayWriter, DType};
use crate::data::arrays::ArraySource;
use crate::data::error::DataError;
use crate::data::survey::Survey;
use crate::util::fasthash::Fnv1a;
use crate::util::progress::Progress;

/// Bytes per chunk of the 2-D arrays (16 MiB: 4,194 float32 spectra of 1000 bins).
const CHUNK_BYTES: usize = 16 << 20;
/// Rows per chunk of the per-spectrum columns (1 MiB of float32).
const COLUMN_CHUNK_ROWS: usize = 1 << 18;
/// The n × d arrays, whose bytes the progress bar counts.
const BIG: [&str; 3] = ["spectra", "mask", "spec_err"];
/// What the root group's attributes call a survey store.
const FORMAT: &str = "specae survey";
const VERSION: u64 = 1;

/// Whether `path` is a Zarr store (a folder with a `zarr.json`), finished or not.
pub fn is_store(path: &Path) -> bool {
    path.is_dir() && path.join("zarr.json").is_file()
}

/// Whether `path` names a store to write (it ends in `.zarr`).
pub fn wants_store(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zarr"))
}

/// An open survey store: its arrays' metadata, read on demand.
pub struct SurveyStore {
    path: PathBuf,
    keys: Vec<String>,
    pub attributes: Value,
}

impl SurveyStore {
    /// Opens the store at `path`: a finished specae survey store, or an error saying why not.
    pub fn open(path: &Path) -> Result<Self, DataError> {
        let root = zarr::read_node(path, "")?;
        let bad = |detail: String| DataError::Corrupt {
            path: path.to_path_buf(),
            key: "(root)".into(),
            detail,
        };
        if root.get("node_type").and_then(Value::as_str) != Some("group") {
            return Err(bad("the store's root is not a group".into()));
        }
        let attributes = root.get("attributes").cloned().unwrap_or(Value::Null);
        let specae = &attributes["specae"];
        if specae["format"].as_str() != Some(FORMAT) {
            return Err(bad(
                "it is a Zarr store but not a specae survey (no specae.format attribute)".into(),
            ));
        }
        if specae["complete"].as_bool() != Some(true) {
            return Err(bad(
                "the store is incomplete: its writing was interrupted (generate, ingest or \
                 convert it again)"
                    .into(),
            ));
        }
        let mut keys = vec![];
        let rd = fs::read_dir(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        for e in rd.flatten() {
            if e.path().join("zarr.json").is_file() {
                keys.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        keys.sort();
        Ok(Self {
            path: path.to_path_buf(),
            keys,
            attributes,
        })
    }

    fn meta(&self, key: &str) -> Result<ArrayMeta, DataError> {
        if !self.has(key) {
            return Err(DataError::MissingKey {
                path: self.path.clone(),
                key: key.into(),
                present: self.keys.join(", "),
            });
        }
        zarr::read_meta(&self.path, key)
    }

    /// Array `key`'s metadata, checked to have `dims` dimensions.
    pub(super) fn meta_of(&self, key: &str, dims: usize) -> Result<ArrayMeta, DataError> {
        let meta = self.meta(key)?;
        if meta.shape.len() != dims {
            return Err(DataError::Shape {
                path: self.path.clone(),
                key: key.into(),
                found: format!("{:?}", meta.shape),
                expected: format!("a {dims}-D array"),
            });
        }
        Ok(meta)
    }

    fn dtype_error(&self, key: &str, found: DType, expected: &str) -> DataError {
        DataError::Dtype {
            path: self.path.clone(),
            key: key.into(),
            found: found.name().into(),
            expected: expected.into(),
        }
    }

    /// All of array `key`, decoded chunk by chunk with `decode` (None: a dtype it does not
    /// take, named by `expected`).
    pub(super) fn decoded<T>(
        &self,
        key: &str,
        dims: usize,
        expected: &str,
        decode: fn(DType, &[u8]) -> Option<Vec<T>>,
    ) -> Result<(Vec<usize>, Vec<T>), DataError> {
        let meta = self.meta_of(key, dims)?;
        if decode(meta.dtype, &[]).is_none() {
            return Err(self.dtype_error(key, meta.dtype, expected));
        }
        let total: usize = meta.shape.iter().product();
        let mut out = Vec::with_capacity(total);
        zarr::visit_rows(&self.path, key, &meta, 0..meta.shape[0], &mut |b| {
            out.extend(decode(meta.dtype, b).unwrap_or_default())
        })?;
        Ok((meta.shape, out))
    }

    pub(super) fn floats(
        &self,
        key: &str,
        dims: usize,
    ) -> Result<(Vec<usize>, Vec<f32>), DataError> {
        self.decoded(key, dims, "float32 or float64", zarr::decode_f32)
    }

    pub(super) fn ints(&self, key: &str, dims: usize) -> Result<(Vec<usize>, Vec<i64>), DataError> {
        self.decoded(key, dims, "an integer dtype", zarr::decode_i64)
    }
}

fn shape_err(path: &Path, key: &str, e: ndarray::ShapeError) -> DataError {
    DataError::Corrupt {
        path: path.to_path_buf(),
        key: key.into(),
        detail: e.to_string(),
    }
}

impl ArraySource for SurveyStore {
    fn path(&self) -> &Path {
        &self.path
    }

    fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    fn floats2(&mut self, key: &str) -> Result<Array2<f32>, DataError> {
        let (shape, v) = self.floats(key, 2)?;
        Array2::from_shape_vec((shape[0], shape[1]), v).map_err(|e| shape_err(&self.path, key, e))
    }

    fn floats1(&mut self, key: &str) -> Result<Array1<f32>, DataError> {
        let (_, v) = self.floats(key, 1)?;
        Ok(Array1::from(v))
    }

    fn ints1(&mut self, key: &str) -> Result<Array1<i64>, DataError> {
        let (_, v) = self.ints(key, 1)?;
        Ok(Array1::from(v))
    }

    fn scalar_f64(&mut self, key: &str) -> Result<f64, DataError> {
        let (shape, v) = self.decoded(key, 1, "float32 or float64", zarr::decode_f64)?;
        match v.as_slice() {
            [x] if x.is_finite() => Ok(*x),
            [_] => Err(DataError::NonFinite {
                path: self.path.clone(),
                key: key.into(),
                count: 1,
                where_: String::new(),
            }),
            _ => Err(DataError::Shape {
                path: self.path.clone(),
                key: key.into(),
                found: format!("{shape:?}"),
                expected: "a scalar ([1])".into(),
            }),
        }
    }

    fn mask2(&mut self, key: &str) -> Result<Array2<bool>, DataError> {
        let (shape, v) = self.ints(key, 2)?;
        Array2::from_shape_vec(
            (shape[0], shape[1]),
            v.into_iter().map(|x| x != 0).collect(),
        )
        .map_err(|e| shape_err(&self.path, key, e))
    }
}

/// Little-endian bytes of values.
trait LeBytes: Copy {
    const DTYPE: DType;
    fn put(self, out: &mut Vec<u8>);
}

macro_rules! le_bytes {
    ($($t:ty => $d:expr),*) => {$(
        impl LeBytes for $t {
            const DTYPE: DType = $d;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
le_bytes!(f32 => DType::Float32, f64 => DType::Float64, i64 => DType::Int64);
impl LeBytes for bool {
    const DTYPE: DType = DType::Bool;
    fn put(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
}

/// Writes the arrays of a store being built, hashing what it writes (the store's content id)
/// and reporting progress in rows.
struct Builder<'a> {
    dir: PathBuf,
    hash: Fnv1a,
    progress: &'a Progress,
    /// Whether writing the n × d arrays advances the progress bar (by bytes).
    count_bytes: bool,
}

impl Builder<'_> {
    fn io(&self, key: &str, e: std::io::Error) -> DataError {
        DataError::Write {
            path: self.dir.clone(),
            detail: format!("array '{key}': {e}"),
        }
    }

    /// Array `key` from `rows` × `cols` values (row-major), chunked by rows.
    fn array<T: LeBytes>(
        &mut self,
        key: &str,
        values: impl Iterator<Item = T>,
        shape: &[usize],
        chunk_rows: usize,
        dims: &[&str],
    ) -> Result<(), DataError> {
        let mut w = ArrayWriter::create(&self.dir, key, T::DTYPE, shape, chunk_rows, dims)
            .map_err(|e| self.io(key, e))?;
        let row: usize = shape[1..].iter().product::<usize>().max(1);
        let per = chunk_rows.max(1) * row;
        let mut buf = Vec::with_capacity(per * T::DTYPE.size());
        let mut count = 0usize;
        for v in values {
            v.put(&mut buf);
            count += 1;
            if count.is_multiple_of(per) {
                self.flush(key, &mut w, &mut buf)?;
            }
        }
        self.flush(key, &mut w, &mut buf)?;
        w.finish().map_err(|e| self.io(key, e))
    }

    fn flush(
        &mut self,
        key: &str,
        w: &mut ArrayWriter,
        buf: &mut Vec<u8>,
    ) -> Result<(), DataError> {
        if buf.is_empty() {
            return Ok(());
        }
        if self.progress.is_cancelled() {
            return Err(DataError::Cancelled {
                path: self.dir.clone(),
            });
        }
        self.hash.update(buf);
        w.append(buf).map_err(|e| self.io(key, e))?;
        if self.count_bytes && BIG.contains(&key) {
            self.progress.add(buf.len() as u64);
        }
        buf.clear();
        Ok(())
    }
}

/// Writes `survey` as a store at `path` (atomically: see the module's documentation), the
/// 2-D arrays in chunks of 16 MiB.
pub fn write_survey(survey: &Survey, path: &Path, progress: &Progress) -> Result<(), DataError> {
    let rows = CHUNK_BYTES / (survey.n_bins().max(1) * 4);
    write_survey_rows(survey, path, rows, progress)
}

/// As [`write_survey`], with `chunk_rows` spectra per chunk of the 2-D arrays.
pub fn write_survey_rows(
    survey: &Survey,
    path: &Path,
    chunk_rows: usize,
    progress: &Progress,
) -> Result<(), DataError> {
    let (n, d) = survey.spectra.dim();
    let partial = start_partial(path)?;
    // The 2-D arrays' bytes, for the progress bar.
    let total = (n * d * (4 + 1 + 4)) as u64;
    progress.stage(&format!("writing {}", path.display()), total);
    let mut b = Builder {
        dir: partial.clone(),
        hash: Fnv1a::default(),
        progress,
        count_bytes: true,
    };
    let written = write_row_arrays(survey, chunk_rows.max(1), &mut b)
        .and_then(|()| write_other_arrays(survey, &mut b))
        .and_then(|()| finish_store(&partial, path, survey, b.hash.finish()));
    ended(written, &partial, path, progress)
}

/// A fresh `NAME.partial/` for the store at `path`.
fn start_partial(path: &Path) -> Result<PathBuf, DataError> {
    let partial = sibling(path, "partial");
    let werr = |e: std::io::Error| DataError::Write {
        path: path.to_path_buf(),
        detail: format!("{}: {e}", partial.display()),
    };
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(werr)?;
    }
    fs::create_dir_all(&partial).map_err(werr)?;
    Ok(partial)
}

/// Writes the root (complete, with the grid and the content id) and moves the store in place.
fn finish_store(partial: &Path, path: &Path, s: &Survey, hash: u64) -> Result<(), DataError> {
    let werr = |detail: String| DataError::Write {
        path: path.to_path_buf(),
        detail,
    };
    let attributes = json!({
        "specae": {
            "format": FORMAT,
            "version": VERSION,
            "complete": true,
            "n_spectra": s.norms.len(),
            "n_bins": s.mu.len(),
            "grid": {"coeff0": s.coeff0, "coeff1": s.coeff1,
                     "log10_wavelength": "coeff0 + coeff1 * bin"},
            "content_id": format!("{hash:016x}"),
            "written_by": format!("specae {}", env!("CARGO_PKG_VERSION")),
            "schema": "astroML sdss_corrected_spectra (npz keys as arrays)",
        }
    });
    zarr::write_group(partial, attributes).map_err(|e| werr(e.to_string()))?;
    replace_dir(partial, path).map_err(|e| werr(e.to_string()))
}

/// A write's end: on failure the partial store goes, and a cancel says so.
fn ended(
    written: Result<(), DataError>,
    partial: &Path,
    path: &Path,
    progress: &Progress,
) -> Result<(), DataError> {
    if written.is_err() {
        let _ = fs::remove_dir_all(partial);
    }
    match written {
        Err(_) if progress.is_cancelled() => Err(DataError::Cancelled {
            path: path.to_path_buf(),
        }),
        other => other,
    }
}

/// A store written a block of spectra at a time, for a survey too big to hold: the n × d
/// arrays and the PCA coefficients are appended as rows come; the rest (per-spectrum columns,
/// the basis, the grid) at [`finish`](Self::finish). Dropped unfinished, it leaves nothing.
pub struct StoreWriter<'a> {
    path: PathBuf,
    partial: PathBuf,
    b: Builder<'a>,
    arrays: Vec<(&'static str, ArrayWriter)>,
    shape: (usize, usize, usize),
    rows: usize,
    done: bool,
}

impl<'a> StoreWriter<'a> {
    /// Starts a store of `n` spectra of `d` bins with `k` PCA coefficients each.
    pub fn create(
        path: &Path,
        (n, d, k): (usize, usize, usize),
        progress: &'a Progress,
    ) -> Result<Self, DataError> {
        let partial = start_partial(path)?;
        let b = Builder {
            dir: partial.clone(),
            hash: Fnv1a::default(),
            progress,
            count_bytes: false,
        };
        let rows = (CHUNK_BYTES / (d.max(1) * 4)).max(1);
        let sb = ["spectrum", "bin"];
        let open = |key: &'static str, dtype: DType, cols: usize, dims: &[&str]| {
            ArrayWriter::create(&partial, key, dtype, &[n, cols], rows, dims)
                .map(|w| (key, w))
                .map_err(|e| b.io(key, e))
        };
        let arrays = vec![
            open("spectra", DType::Float32, d, &sb)?,
            open("mask", DType::Bool, d, &sb)?,
            open("spec_err", DType::Float32, d, &sb)?,
            open("coeffs", DType::Float32, k, &["spectrum", "coefficient"])?,
        ];
        Ok(Self {
            path: path.to_path_buf(),
            partial,
            b,
            arrays,
            shape: (n, d, k),
            rows: 0,
            done: false,
        })
    }

    /// Appends spectra (row-major flux, mask, raw errors and coefficients of whole rows).
    pub fn append(
        &mut self,
        spectra: &[f32],
        mask: &[bool],
        spec_err: &[f32],
        coeffs: &[f32],
    ) -> Result<(), DataError> {
        let (_, d, k) = self.shape;
        let m = spectra.len() / d.max(1);
        if spectra.len() != m * d
            || mask.len() != m * d
            || spec_err.len() != m * d
            || coeffs.len() != m * k
        {
            return Err(DataError::Write {
                path: self.path.clone(),
                detail: "rows of unequal lengths were appended".into(),
            });
        }
        let bytes = |f: &mut dyn FnMut(&mut Vec<u8>)| {
            let mut buf = vec![];
            f(&mut buf);
            buf
        };
        let mut bufs = [
            bytes(&mut |o| spectra.iter().for_each(|&v| v.put(o))),
            bytes(&mut |o| mask.iter().for_each(|&v| v.put(o))),
            bytes(&mut |o| spec_err.iter().for_each(|&v| v.put(o))),
            bytes(&mut |o| coeffs.iter().for_each(|&v| v.put(o))),
        ];
        for ((key, w), buf) in self.arrays.iter_mut().zip(bufs.iter_mut()) {
            self.b.flush(key, w, buf)?;
        }
        self.rows += m;
        Ok(())
    }

    /// Finishes the store with `rest`'s other arrays: its per-spectrum columns (norms,
    /// metadata, truth; one per spectrum appended), the basis and the grid. `rest`'s own
    /// spectra, mask, errors and coefficients are not used.
    pub fn finish(mut self, rest: &Survey) -> Result<(), DataError> {
        let (n, d, _) = self.shape;
        let arrays = std::mem::take(&mut self.arrays);
        let mut written: Result<(), DataError> = Ok(());
        for (key, w) in arrays {
            if written.is_ok() {
                written = w.finish().map_err(|e| self.b.io(key, e));
            }
        }
        if written.is_ok() && (rest.norms.len() != n || rest.mu.len() != d || self.rows != n) {
            written = Err(DataError::Write {
                path: self.path.clone(),
                detail: format!(
                    "{} spectra appended and {} per-spectrum values given for a store of {n}",
                    self.rows,
                    rest.norms.len()
                ),
            });
        }
        let written = written
            .and_then(|()| write_other_arrays(rest, &mut self.b))
            .and_then(|()| finish_store(&self.partial, &self.path, rest, self.b.hash.finish()));
        self.done = true;
        ended(written, &self.partial, &self.path, self.b.progress)
    }
}

impl Drop for StoreWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.partial);
        }
    }
}

/// The arrays with a row per spectrum and a value per bin or component.
fn write_row_arrays(s: &Survey, rows: usize, b: &mut Builder<'_>) -> Result<(), DataError> {
    let (n, d) = s.spectra.dim();
    let sb = ["spectrum", "bin"];
    b.array("spectra", s.spectra.iter().copied(), &[n, d], rows, &sb)?;
    b.array("mask", s.mask.iter().copied(), &[n, d], rows, &sb)?;
    b.array("spec_err", s.spec_err.iter().copied(), &[n, d], rows, &sb)?;
    let k = s.coeffs.ncols();
    b.array(
        "coeffs",
        s.coeffs.iter().copied(),
        &[n, k],
        rows,
        &["spectrum", "coefficient"],
    )
}

/// Everything else: the basis, the grid and the per-spectrum columns.
fn write_other_arrays(s: &Survey, b: &mut Builder<'_>) -> Result<(), DataError> {
    let d = s.mu.len();
    let (m, _) = s.evecs.dim();
    b.array(
        "evecs",
        s.evecs.iter().copied(),
        &[m, d],
        m,
        &["component", "bin"],
    )?;
    b.array("mu", s.mu.iter().copied(), &[d], d, &["bin"])?;
    b.array("coeff0", std::iter::once(s.coeff0), &[1], 1, &["scalar"])?;
    b.array("coeff1", std::iter::once(s.coeff1), &[1], 1, &["scalar"])?;
    if let Some(e) = &s.evals {
        b.array(
            "evals",
            e.iter().copied(),
            &[e.len()],
            e.len(),
            &["component"],
        )?;
    }
    fn column<T: LeBytes>(b: &mut Builder<'_>, key: &str, v: &Array1<T>) -> Result<(), DataError> {
        let n = v.len();
        b.array(
            key,
            v.iter().copied(),
            &[n],
            COLUMN_CHUNK_ROWS,
            &["spectrum"],
        )
    }
    let (col, int_col) = (column::<f32>, column::<i64>);
    col(b, "norms", &s.norms)?;
    for (k, v) in s.meta.int_columns() {
        if let Some(v) = v {
            int_col(b, k, v)?;
        }
    }
    for (k, v) in s.meta.float_columns() {
        if let Some(v) = v {
            col(b, k, v)?;
        }
    }
    if let Some(t) = &s.truth {
        int_col(b, "truth_kind", &t.kind)?;
        int_col(b, "truth_oddity", &t.oddity)?;
        for (k, v) in t.float_columns() {
            col(b, k, v)?;
        }
        if let Some(a) = &t.alpha_fe {
            col(b, "truth_alpha_fe", a)?;
        }
    }
    Ok(())
}

/// `path` with `.suffix` appended to its file name (`survey.zarr` → `survey.zarr.partial`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// Moves the finished `from` to `to`, replacing a store already there only once the new one is
/// in place.
fn replace_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        let old = sibling(to, "old");
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        fs::rename(to, &old)?;
        fs::rename(from, to)?;
        fs::remove_dir_all(&old)
    } else {
        fs::rename(from, to)
    }
}

/// The content id a store's root records (what [`crate::data::identity`] fingerprints).
pub fn content_id(path: &Path) -> Option<String> {
    let root = zarr::read_node(path, "").ok()?;
    root["attributes"]["specae"]["content_id"]
        .as_str()
        .map(str::to_string)
}
