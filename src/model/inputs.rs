//! What a model's input depended on, carried in its file so that wherever the model meets
//! other data it sees them as it saw its training data:
//!
//! - the training survey's PCA infill basis (`specae.infill.mu`, `specae.infill.evecs`): masked
//!   pixels of other spectra are refilled from it ([`crate::data::Spectra::as_seen_by`]) by
//!   `analyze`, `evaluate`, `fidelity` and the explorer alike;
//! - the reconstruction χ²/pixel and S/N of the training survey's validation spectra
//!   (`specae.reference`, n × 2): the reference `specae fidelity` and the explorer compare
//!   other spectra with, without the training survey at hand;
//! - the same with each validation spectrum's latents fitted to it (`specae.reference.fitted`,
//!   m × 2: S/N and χ²; see `crate::train::fit_latents`), the reference of
//!   `specae fidelity --fit-latents`.
//!
//! The grid is metadata ([`super::interop::GRID_KEY`]). About 45 KB for the basis (10
//! eigenvectors of 1000 bins, float16) and 64 KB for 16,000 validation fits.

use ndarray::{Array1, Array2};
use safetensors::SafeTensors;

use super::interop::{InteropError, NamedTensor, values_f32};
use crate::data::preprocess::PcaBasis;

pub const INFILL_MU: &str = "specae.infill.mu";
pub const INFILL_EVECS: &str = "specae.infill.evecs";
pub const REFERENCE: &str = "specae.reference";
pub const REFERENCE_FITTED: &str = "specae.reference.fitted";

/// Most eigenvectors an infill basis may have (astroML's files use 10).
pub const MAX_EIGENVECTORS: usize = 64;
/// Most reference spectra a file may carry.
pub const MAX_REFERENCE: usize = 10_000_000;
/// χ² values are stored clipped here (float16's range ends at 65504; a median is unaffected).
const CHI2_CLIP: f32 = 6.0e4;

/// One reference spectrum: median S/N per pixel and reconstruction χ²/pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReferenceFit {
    pub snr: f32,
    pub chi2: f32,
}

/// What a model file says about its input (each part absent in files written before it was
/// recorded).
#[derive(Clone, Debug, Default)]
pub struct ModelInputs {
    pub infill: Option<PcaBasis>,
    pub reference: Option<Vec<ReferenceFit>>,
    /// The validation fits with latents fitted to each spectrum.
    pub reference_fitted: Option<Vec<ReferenceFit>>,
}

impl ModelInputs {
    /// Both parts, read from safetensors `bytes` of a model with `n_bins` inputs.
    pub fn from_safetensors(bytes: &[u8], n_bins: usize) -> Result<Self, InteropError> {
        let st = deserialize(bytes)?;
        Ok(Self {
            infill: infill_of(&st, n_bins)?,
            reference: reference_of(&st, REFERENCE)?,
            reference_fitted: reference_of(&st, REFERENCE_FITTED)?,
        })
    }

    /// As named tensors, to store beside the weights.
    pub fn tensors(&self) -> Vec<NamedTensor> {
        let mut t = self
            .infill
            .as_ref()
            .map(|b| infill_tensors(b, b.evecs.nrows()))
            .unwrap_or_default();
        t.extend(self.reference.as_deref().map(reference_tensor));
        t.extend((self.reference_fitted.as_deref()).map(|f| named_fits(REFERENCE_FITTED, f)));
        t
    }
}

/// The basis as named tensors (the first `n_ev` eigenvectors).
pub fn infill_tensors(basis: &PcaBasis, n_ev: usize) -> Vec<NamedTensor> {
    let k = n_ev.min(basis.evecs.nrows());
    let d = basis.mu.len();
    let evecs: Vec<f32> = basis
        .evecs
        .rows()
        .into_iter()
        .take(k)
        .flat_map(|r| r.to_vec())
        .collect();
    vec![
        (INFILL_MU.into(), vec![d], basis.mu.to_vec()),
        (INFILL_EVECS.into(), vec![k, d], evecs),
    ]
}

/// The reference fits as a named tensor.
pub fn reference_tensor(fits: &[ReferenceFit]) -> NamedTensor {
    named_fits(REFERENCE, fits)
}

/// Fits as the tensor `name`, n × 2 (S/N, χ²).
fn named_fits(name: &str, fits: &[ReferenceFit]) -> NamedTensor {
    let v = fits
        .iter()
        .flat_map(|f| [f.snr, f.chi2.min(CHI2_CLIP)])
        .collect();
    (name.into(), vec![fits.len(), 2], v)
}

/// The infill basis stored in safetensors `bytes` for a model of `n_bins` inputs; `None` when
/// the file has none (older files, PyTorch's).
pub fn infill_from_safetensors(
    bytes: &[u8],
    n_bins: usize,
) -> Result<Option<PcaBasis>, InteropError> {
    infill_of(&deserialize(bytes)?, n_bins)
}

fn deserialize(bytes: &[u8]) -> Result<SafeTensors<'_>, InteropError> {
    SafeTensors::deserialize(bytes).map_err(|e| InteropError::Format(e.to_string()))
}

fn infill_of(st: &SafeTensors<'_>, n_bins: usize) -> Result<Option<PcaBasis>, InteropError> {
    let (Ok(mu), Ok(evecs)) = (st.tensor(INFILL_MU), st.tensor(INFILL_EVECS)) else {
        return Ok(None);
    };
    let shape = |name: &str, found: &[usize], expected: Vec<usize>| InteropError::Shape {
        name: name.into(),
        found: found.to_vec(),
        expected,
    };
    if mu.shape() != [n_bins] {
        return Err(shape(INFILL_MU, mu.shape(), vec![n_bins]));
    }
    let k = match evecs.shape() {
        [k, d] if *d == n_bins && (1..=MAX_EIGENVECTORS).contains(k) => *k,
        other => return Err(shape(INFILL_EVECS, other, vec![10, n_bins])),
    };
    let mu = Array1::from(values_f32(&mu, INFILL_MU)?);
    let evecs = Array2::from_shape_vec((k, n_bins), values_f32(&evecs, INFILL_EVECS)?)
        .map_err(|e| InteropError::Data(e.to_string()))?;
    Ok(Some(PcaBasis {
        mu,
        evecs,
        evals: None,
    }))
}

/// The reference fits stored in safetensors `bytes`; `None` when the file has none.
pub fn reference_from_safetensors(bytes: &[u8]) -> Result<Option<Vec<ReferenceFit>>, InteropError> {
    reference_of(&deserialize(bytes)?, REFERENCE)
}

/// The fits stored as tensor `name` (n × 2: S/N, χ²); `None` when there is none.
fn reference_of(
    st: &SafeTensors<'_>,
    name: &str,
) -> Result<Option<Vec<ReferenceFit>>, InteropError> {
    let Ok(t) = st.tensor(name) else {
        return Ok(None);
    };
    match t.shape() {
        [n, 2] if (1..=MAX_REFERENCE).contains(n) => {}
        other => {
            return Err(InteropError::Shape {
                name: name.into(),
                found: other.to_vec(),
                expected: vec![16_000, 2],
            });
        }
    }
    let v = values_f32(&t, name)?;
    let fits: Vec<ReferenceFit> = v
        .chunks_exact(2)
        .map(|c| ReferenceFit {
            snr: c[0],
            chi2: c[1],
        })
        .collect();
    if fits.iter().any(|f| f.snr < 0.0 || f.chi2 < 0.0) {
        return Err(InteropError::Data(format!(
            "'{name}' holds a negative S/N or χ²"
        )));
    }
    Ok(Some(fits))
}

/// Whether `name` is one of these tensors (not a weight).
pub fn is_input_tensor(name: &str) -> bool {
    [INFILL_MU, INFILL_EVECS, REFERENCE, REFERENCE_FITTED].contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::interop::{to_safetensors, to_safetensors_f16};

    #[test]
    fn basis_and_reference_round_trip_and_bad_ones_are_refused() {
        let d = 8;
        let basis = PcaBasis {
            mu: Array1::from_iter((0..d).map(|j| j as f32 * 0.1)),
            evecs: Array2::from_shape_fn((3, d), |(q, j)| (q * d + j) as f32 * 0.01),
            evals: None,
        };
        let fits = vec![
            ReferenceFit {
                snr: 10.0,
                chi2: 1.02,
            },
            ReferenceFit {
                snr: 40.0,
                chi2: 1e6,
            },
        ];
        let mut tensors = infill_tensors(&basis, 2);
        tensors.push(reference_tensor(&fits));
        tensors.push(named_fits(REFERENCE_FITTED, &fits[..1]));
        for half in [false, true] {
            let bytes = if half {
                to_safetensors_f16(&tensors, None).unwrap()
            } else {
                to_safetensors(&tensors, &[], None).unwrap()
            };
            let b = infill_from_safetensors(&bytes, d).unwrap().unwrap();
            assert_eq!(b.evecs.nrows(), 2);
            let tol = if half { 1e-3 } else { 0.0 };
            for (x, y) in b.evecs.iter().zip(basis.evecs.iter()) {
                assert!((x - y).abs() <= tol * y.abs().max(1.0), "{x} vs {y}");
            }
            let r = reference_from_safetensors(&bytes).unwrap().unwrap();
            assert_eq!(r.len(), 2);
            let all = ModelInputs::from_safetensors(&bytes, d).unwrap();
            assert_eq!(all.reference_fitted.map(|f| f.len()), Some(1));
            assert!((r[0].chi2 - 1.02).abs() < 1e-3);
            // Clipped into float16's range, still finite.
            assert!(r[1].chi2 >= 5.9e4 && r[1].chi2.is_finite());
            // A model of another width: refused, naming the tensor.
            let e = infill_from_safetensors(&bytes, d + 1).unwrap_err();
            assert!(e.to_string().contains(INFILL_MU), "{e}");
        }
        // A file without them: none.
        let plain = to_safetensors(&[("x".into(), vec![1], vec![0.0])], &[], None).unwrap();
        assert!(infill_from_safetensors(&plain, d).unwrap().is_none());
        assert!(reference_from_safetensors(&plain).unwrap().is_none());
        // NaN in the basis: refused.
        let mut bad = infill_tensors(&basis, 2);
        bad[0].2[3] = f32::NAN;
        let bytes = to_safetensors(&bad, &[], None).unwrap();
        assert!(infill_from_safetensors(&bytes, d).is_err());
        // Fitted fits of the wrong shape: refused, naming the tensor.
        let bad = vec![(REFERENCE_FITTED.to_string(), vec![3], vec![1.0; 3])];
        let bytes = to_safetensors(&bad, &[], None).unwrap();
        let e = ModelInputs::from_safetensors(&bytes, d).unwrap_err();
        assert!(e.to_string().contains(REFERENCE_FITTED), "{e}");
    }
}
