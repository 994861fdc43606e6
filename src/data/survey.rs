//! A survey file's arrays as stored in astroML's `sdss_corrected_spectra` npz schema.
//!
//! Required: `spectra, mask, spec_err, coeff0, coeff1, norms, mu, evecs, coeffs`.
//! Optional: `lineindex_cln, z, zerr, plate, mjd, fiber, log_NII_Ha, log_OIII_Hb, evals`.
//! specae's built-in survey adds `truth_*` keys (what the generator intended), which other tools
//! ignore.

use std::path::Path;

use ndarray::{Array1, Array2, arr0};
use ndarray_npy::NpzWriter;

use super::arrays::ArraySource;
use super::error::DataError;
use super::npz::{NpzFile, check_finite};
use crate::util::atomic::write_atomically;
use crate::util::progress::{CancelWriter, Progress};

/// Per-spectrum catalogue columns (all optional in the schema).
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub lineindex_cln: Option<Array1<i64>>,
    pub z: Option<Array1<f32>>,
    pub zerr: Option<Array1<f32>>,
    pub plate: Option<Array1<i64>>,
    pub mjd: Option<Array1<i64>>,
    pub fiber: Option<Array1<i64>>,
    pub log_nii_ha: Option<Array1<f32>>,
    pub log_oiii_hb: Option<Array1<f32>>,
    /// DESI's TARGETID (−1 for spectra that have none, e.g. SDSS ones in a mixed survey).
    pub targetid: Option<Array1<i64>>,
    /// [`super::release`] code of each spectrum's survey.
    pub release: Option<Array1<i64>>,
}

/// Integer columns the npz schema stores as int32 (TARGETIDs and release codes keep 64 bits).
pub const INT32_COLUMNS: [&str; 4] = ["lineindex_cln", "plate", "mjd", "fiber"];

impl Metadata {
    /// The integer columns by their file keys (npz and store).
    pub fn int_columns(&self) -> [(&'static str, &Option<Array1<i64>>); 6] {
        [
            ("lineindex_cln", &self.lineindex_cln),
            ("plate", &self.plate),
            ("mjd", &self.mjd),
            ("fiber", &self.fiber),
            ("targetid", &self.targetid),
            ("release", &self.release),
        ]
    }

    /// The float columns by their file keys (npz and store).
    pub fn float_columns(&self) -> [(&'static str, &Option<Array1<f32>>); 4] {
        [
            ("z", &self.z),
            ("zerr", &self.zerr),
            ("log_NII_Ha", &self.log_nii_ha),
            ("log_OIII_Hb", &self.log_oiii_hb),
        ]
    }

    /// The name of spectrum `i` as its survey gives it: SDSS plate-MJD-fibre, or DESI
    /// "TARGETID 39627… (sv3/dark)".
    pub fn name(&self, i: usize) -> Option<String> {
        if let Some(pmf) = self.plate_mjd_fiber(i) {
            return Some(pmf);
        }
        let t = *self.targetid.as_ref()?.get(i)?;
        if t < 0 {
            return None;
        }
        let release = self
            .release
            .as_ref()
            .and_then(|r| r.get(i))
            .and_then(|&c| super::release::release_name(c))
            .map(|r| format!(" ({})", r.trim_start_matches("DESI ")))
            .unwrap_or_default();
        Some(format!("TARGETID {t}{release}"))
    }

    /// SDSS's name of spectrum `i`, "PLATE-MJD-FIBER" (fibre zero-padded as in SDSS file
    /// names), when the file has the three columns.
    pub fn plate_mjd_fiber(&self, i: usize) -> Option<String> {
        let (p, m, f) = (
            self.plate.as_ref()?,
            self.mjd.as_ref()?,
            self.fiber.as_ref()?,
        );
        let (p, m, f) = (*p.get(i)?, *m.get(i)?, *f.get(i)?);
        if p <= 0 || m <= 0 || f <= 0 {
            return None;
        }
        Some(format!("{p}-{m}-{f:04}"))
    }
}

/// What the built-in survey's generator intended for each spectrum (`truth_*` keys).
#[derive(Clone, Debug)]
pub struct Truth {
    /// [`crate::synth::Kind`] code: the generator's intended galaxy type.
    pub kind: Array1<i64>,
    /// [`crate::synth::Oddity`] code: 0 = normal, otherwise an injected oddity.
    pub oddity: Array1<i64>,
    /// True redshift (differs from `z` for stars given a galaxy's redshift).
    pub z: Array1<f32>,
    /// Fraction of the 5500 Å stellar light from stars younger than 1 Gyr.
    pub young_frac: Array1<f32>,
    /// Nebular E(B−V).
    pub ebv: Array1<f32>,
    /// Stellar velocity dispersion (km/s).
    pub vdisp: Array1<f32>,
    /// Continuum flux density at 5500 Å rest (1e-17 erg s⁻¹ cm⁻² Å⁻¹).
    pub flux5500: Array1<f32>,
    /// Intrinsic log([NII]6584/Hα) and log([OIII]5007/Hβ) (NaN without emission lines).
    pub log_nii_ha: Array1<f32>,
    pub log_oiii_hb: Array1<f32>,
    /// [α/Fe] of the stars (dex); absent in surveys generated before populations had one.
    pub alpha_fe: Option<Array1<f32>>,
}

impl Truth {
    /// The float columns every survey with truth has, by their file keys (npz and store).
    pub fn float_columns(&self) -> [(&'static str, &Array1<f32>); 7] {
        [
            ("truth_z", &self.z),
            ("truth_young_frac", &self.young_frac),
            ("truth_ebv", &self.ebv),
            ("truth_vdisp", &self.vdisp),
            ("truth_flux5500", &self.flux5500),
            ("truth_log_NII_Ha", &self.log_nii_ha),
            ("truth_log_OIII_Hb", &self.log_oiii_hb),
        ]
    }
}

/// The arrays of one survey file.
#[derive(Clone, Debug)]
pub struct Survey {
    /// Raw flux, n × d, in the file's units (SDSS: 1e-17 erg s⁻¹ cm⁻² Å⁻¹).
    pub spectra: Array2<f32>,
    /// True where a pixel is masked (its flux is replaced by the PCA reconstruction).
    pub mask: Array2<bool>,
    /// Raw flux errors, n × d.
    pub spec_err: Array2<f32>,
    pub coeff0: f64,
    pub coeff1: f64,
    /// Per-spectrum normalisation (raw = normalised × norm).
    pub norms: Array1<f32>,
    /// PCA mean of the normalised spectra, d.
    pub mu: Array1<f32>,
    /// PCA eigenvectors as rows, m × d.
    pub evecs: Array2<f32>,
    /// PCA coefficients used to fill masked pixels, n × k (k ≤ m).
    pub coeffs: Array2<f32>,
    pub evals: Option<Array1<f32>>,
    pub meta: Metadata,
    pub truth: Option<Truth>,
}

impl Survey {
    pub fn n_spectra(&self) -> usize {
        self.spectra.nrows()
    }

    pub fn n_bins(&self) -> usize {
        self.spectra.ncols()
    }

    pub fn wavelengths(&self) -> Vec<f64> {
        super::grid::wavelengths(self.coeff0, self.coeff1, self.n_bins())
    }

    /// The rest-frame grid the spectra are on (from the file's `coeff0`, `coeff1` and width).
    pub fn grid(&self) -> super::grid::LogGrid {
        super::grid::LogGrid {
            coeff0: self.coeff0,
            coeff1: self.coeff1,
            n: self.n_bins(),
        }
    }

    /// Reads and validates an npz file (see [`Survey::read`] for any survey path).
    pub(crate) fn read_npz(path: &Path) -> Result<Self, DataError> {
        Self::from_source(NpzFile::open(path)?)
    }

    /// Reads and validates a survey file's bytes; `name` names it in errors.
    pub fn read_bytes(bytes: Vec<u8>, name: &Path) -> Result<Self, DataError> {
        Self::from_source(NpzFile::from_bytes(bytes, name)?)
    }

    /// Reads and validates the arrays of `f` (an npz file or a store).
    pub(crate) fn from_source<S: ArraySource>(mut f: S) -> Result<Self, DataError> {
        let path = f.path().to_path_buf();
        let p = path.clone();
        let spectra = f.floats2("spectra")?;
        let (n, d) = spectra.dim();
        if n == 0 || d == 0 {
            return Err(DataError::Empty { path: p });
        }
        let shape_err = |key: &str, found: &[usize], expected: String| {
            DataError::shape(&p, key, found, expected)
        };
        let mask = f.mask2("mask")?;
        if mask.dim() != (n, d) {
            return Err(shape_err(
                "mask",
                mask.shape(),
                format!("[{n}, {d}] like spectra"),
            ));
        }
        let spec_err = f.floats2("spec_err")?;
        if spec_err.dim() != (n, d) {
            return Err(shape_err(
                "spec_err",
                spec_err.shape(),
                format!("[{n}, {d}] like spectra"),
            ));
        }
        let coeff0 = f.scalar_f64("coeff0")?;
        let coeff1 = f.scalar_f64("coeff1")?;
        if !(coeff1 > 0.0 && coeff1.is_finite()) {
            return Err(DataError::BadValue {
                path: p.clone(),
                key: "coeff1".into(),
                detail: format!("the log-wavelength step must be positive, got {coeff1}"),
            });
        }
        // The grid's ends must be wavelengths a spectrum can have (no NaN, no 10^300 Å).
        let (lo, hi) = super::grid::RANGE_LIMITS;
        let (first, last) = (
            super::grid::wavelength(coeff0, coeff1, 0),
            super::grid::wavelength(coeff0, coeff1, d.saturating_sub(1)),
        );
        if !(first >= lo / 10.0 && last <= hi * 10.0) {
            return Err(DataError::BadValue {
                path: p.clone(),
                key: "coeff0".into(),
                detail: format!(
                    "coeff0 = {coeff0}, coeff1 = {coeff1} put the grid at {first:.4e}–{last:.4e} Å, \
                     outside {}–{} Å",
                    lo / 10.0,
                    hi * 10.0
                ),
            });
        }
        let norms = f.floats1("norms")?;
        if norms.len() != n {
            return Err(shape_err("norms", norms.shape(), format!("[{n}]")));
        }
        check_finite(&p, "norms", norms.iter(), 1)?;
        if let Some((i, v)) = norms.iter().enumerate().find(|(_, v)| **v <= 0.0) {
            return Err(DataError::BadValue {
                path: p.clone(),
                key: "norms".into(),
                detail: format!("norms must be positive; spectrum {i} has {v}"),
            });
        }
        let mu = f.floats1("mu")?;
        if mu.len() != d {
            return Err(shape_err("mu", mu.shape(), format!("[{d}]")));
        }
        check_finite(&p, "mu", mu.iter(), 1)?;
        let evecs = f.floats2("evecs")?;
        if evecs.ncols() != d {
            return Err(shape_err("evecs", evecs.shape(), format!("[m, {d}]")));
        }
        let coeffs = f.floats2("coeffs")?;
        if coeffs.nrows() != n || coeffs.ncols() > evecs.nrows() {
            return Err(shape_err(
                "coeffs",
                coeffs.shape(),
                format!("[{n}, k] with k ≤ {} eigenvectors", evecs.nrows()),
            ));
        }
        let k = coeffs.ncols();
        check_finite(&p, "evecs", evecs.rows().into_iter().take(k).flatten(), d)?;
        check_finite(&p, "coeffs", coeffs.iter(), k)?;
        // Flux must be finite wherever it is used (masked pixels are replaced).
        check_finite(
            &p,
            "spectra (unmasked pixels)",
            spectra
                .iter()
                .zip(mask.iter())
                .map(|(v, m)| if *m { &0.0 } else { v }),
            d,
        )?;
        let evals = if f.has("evals") {
            Some(f.floats1("evals")?)
        } else {
            None
        };

        let (meta, truth) = read_columns(&mut f, n)?;
        Ok(Survey {
            spectra,
            mask,
            spec_err,
            coeff0,
            coeff1,
            norms,
            mu,
            evecs,
            coeffs,
            evals,
            meta,
            truth,
        })
    }

    /// Writes the survey atomically as an npz file in the astroML schema (readable by numpy's
    /// `np.load`), as the stage "writing the survey" of `progress`: a cancel stops it at the
    /// next buffer (a 64k-spectrum survey takes ~7 s on 2 cores) and leaves no file behind.
    pub(crate) fn write_npz(
        &self,
        path: &Path,
        compressed: bool,
        progress: &Progress,
    ) -> Result<(), DataError> {
        progress.stage(&format!("writing {}", path.display()), 0);
        let werr = |e: ndarray_npy::WriteNpzError| DataError::Write {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let written = write_atomically(path, |w| {
            let w = CancelWriter::new(w, progress);
            let mut npz = if compressed {
                NpzWriter::new_compressed(w)
            } else {
                NpzWriter::new(w)
            };
            let arrays = |npz: &mut NpzWriter<_>| -> Result<(), DataError> {
                npz.add_array("spectra", &self.spectra).map_err(werr)?;
                npz.add_array("mask", &self.mask).map_err(werr)?;
                npz.add_array("spec_err", &self.spec_err).map_err(werr)?;
                npz.add_array("coeff0", &arr0(self.coeff0)).map_err(werr)?;
                npz.add_array("coeff1", &arr0(self.coeff1)).map_err(werr)?;
                npz.add_array("norms", &self.norms).map_err(werr)?;
                npz.add_array("mu", &self.mu).map_err(werr)?;
                npz.add_array("evecs", &self.evecs).map_err(werr)?;
                npz.add_array("coeffs", &self.coeffs).map_err(werr)?;
                if let Some(e) = &self.evals {
                    npz.add_array("evals", e).map_err(werr)?;
                }
                for (k, v) in self.meta.int_columns() {
                    match v {
                        Some(v) if INT32_COLUMNS.contains(&k) => {
                            npz.add_array(k, &v.mapv(|x| x as i32)).map_err(werr)?
                        }
                        // TARGETIDs need all 64 bits.
                        Some(v) => npz.add_array(k, v).map_err(werr)?,
                        None => {}
                    }
                }
                for (k, v) in self.meta.float_columns() {
                    if let Some(v) = v {
                        npz.add_array(k, v).map_err(werr)?;
                    }
                }
                if let Some(t) = &self.truth {
                    npz.add_array("truth_kind", &t.kind.mapv(|x| x as i32))
                        .map_err(werr)?;
                    npz.add_array("truth_oddity", &t.oddity.mapv(|x| x as i32))
                        .map_err(werr)?;
                    for (k, v) in t.float_columns() {
                        npz.add_array(k, v).map_err(werr)?;
                    }
                    if let Some(a) = &t.alpha_fe {
                        npz.add_array("truth_alpha_fe", a).map_err(werr)?;
                    }
                }
                Ok(())
            };
            match arrays(&mut npz) {
                Ok(()) => npz.finish().map_err(werr).map(|_| ()),
                Err(e) => {
                    // A cancelled write: the temporary file goes; the zip writer's own
                    // finishing on drop would only fail again (and say so on stderr).
                    if progress.is_cancelled() {
                        std::mem::forget(npz);
                    }
                    Err(e)
                }
            }
        });
        match written {
            Err(_) if progress.is_cancelled() => Err(DataError::Cancelled {
                path: path.to_path_buf(),
            }),
            w => w,
        }
    }
}

/// The per-spectrum catalogue columns of a survey of `n` spectra (the metadata and, for
/// generated surveys, the truth), each checked to hold one value per spectrum.
pub(crate) fn read_columns<S: ArraySource>(
    f: &mut S,
    n: usize,
) -> Result<(Metadata, Option<Truth>), DataError> {
    let meta = Metadata {
        lineindex_cln: optional(f, "lineindex_cln", n, S::ints1)?,
        z: optional(f, "z", n, S::floats1)?,
        zerr: optional(f, "zerr", n, S::floats1)?,
        plate: optional(f, "plate", n, S::ints1)?,
        mjd: optional(f, "mjd", n, S::ints1)?,
        fiber: optional(f, "fiber", n, S::ints1)?,
        log_nii_ha: optional(f, "log_NII_Ha", n, S::floats1)?,
        log_oiii_hb: optional(f, "log_OIII_Hb", n, S::floats1)?,
        targetid: optional(f, "targetid", n, S::ints1)?,
        release: optional(f, "release", n, S::ints1)?,
    };
    let truth = if f.has("truth_kind") {
        Some(Truth {
            kind: per_spectrum(f, "truth_kind", n, S::ints1)?,
            oddity: per_spectrum(f, "truth_oddity", n, S::ints1)?,
            z: per_spectrum(f, "truth_z", n, S::floats1)?,
            young_frac: per_spectrum(f, "truth_young_frac", n, S::floats1)?,
            ebv: per_spectrum(f, "truth_ebv", n, S::floats1)?,
            vdisp: per_spectrum(f, "truth_vdisp", n, S::floats1)?,
            flux5500: per_spectrum(f, "truth_flux5500", n, S::floats1)?,
            log_nii_ha: per_spectrum(f, "truth_log_NII_Ha", n, S::floats1)?,
            log_oiii_hb: per_spectrum(f, "truth_log_OIII_Hb", n, S::floats1)?,
            alpha_fe: optional(f, "truth_alpha_fe", n, S::floats1)?,
        })
    } else {
        None
    };
    Ok((meta, truth))
}

type ReadArray<S, T> = fn(&mut S, &str) -> Result<Array1<T>, DataError>;

/// A 1-D array with one value per spectrum.
fn per_spectrum<S: ArraySource, T>(
    f: &mut S,
    key: &str,
    n: usize,
    read: ReadArray<S, T>,
) -> Result<Array1<T>, DataError> {
    let a = read(f, key)?;
    if a.len() != n {
        return Err(DataError::Shape {
            path: f.path().to_path_buf(),
            key: key.into(),
            found: format!("{:?}", a.shape()),
            expected: format!("[{n}], one per spectrum"),
        });
    }
    Ok(a)
}

/// As [`per_spectrum`], for a key the schema makes optional.
fn optional<S: ArraySource, T>(
    f: &mut S,
    key: &str,
    n: usize,
    read: ReadArray<S, T>,
) -> Result<Option<Array1<T>>, DataError> {
    if f.has(key) {
        per_spectrum(f, key, n, read).map(Some)
    } else {
        Ok(None)
    }
}
