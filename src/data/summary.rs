//! What `specae info` prints: counts per class, masking, S/N, wavelengths, redshifts, split.

use std::fmt;

use serde::Serialize;

use super::catalogue::Catalogue;
use super::classes::GalaxyClass;
use super::error::DataError;
use super::preprocess::{Spectra, median_snr_rows};
use super::split::Split;
use super::store::StoreRows;

#[derive(Clone, Debug, Serialize)]
pub struct ClassCount {
    pub class: GalaxyClass,
    pub count: usize,
    pub fraction: f64,
}

/// Five-number-ish summary of a quantity.
#[derive(Clone, Debug, Serialize)]
pub struct Quantiles {
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
}

impl Quantiles {
    pub fn of(values: &[f32]) -> Option<Self> {
        let mut v: Vec<f32> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| f64::from(v[((v.len() - 1) as f64 * p).round() as usize]);
        Some(Quantiles {
            p10: q(0.1),
            median: q(0.5),
            p90: q(0.9),
            min: q(0.0),
            max: q(1.0),
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub n_spectra: usize,
    pub n_bins: usize,
    pub wavelength_min: f64,
    pub wavelength_max: f64,
    pub classes: Vec<ClassCount>,
    /// Fraction of all pixels that are masked.
    pub masked_fraction: f64,
    /// Fraction of pixels with zero weight (masked, or bad errors).
    pub zero_weight_fraction: f64,
    /// Per-spectrum median S/N per bin.
    pub snr: Option<Quantiles>,
    pub redshift: Option<Quantiles>,
    pub n_train: usize,
    pub n_valid: usize,
    pub split_seed: Option<u64>,
    /// Injected oddities (built-in survey only).
    pub n_oddities: Option<usize>,
}

/// The columns a summary reads, borrowed from spectra in memory or a store's catalogue.
struct Columns<'a> {
    classes: &'a [GalaxyClass],
    z: Option<&'a ndarray::Array1<f32>>,
    truth: Option<&'a super::survey::Truth>,
    grid: super::grid::LogGrid,
}

/// What a summary counts over the pixels, gathered in memory or block by block.
struct PixelCounts {
    total: usize,
    masked: usize,
    zero_weight: usize,
    snr: Vec<f32>,
}

impl Summary {
    pub fn of(s: &Spectra, split: &Split) -> Self {
        let counts = PixelCounts {
            total: s.x.len(),
            masked: s.mask.iter().filter(|&&m| m).count(),
            zero_weight: s.w.iter().filter(|&&w| w == 0.0).count(),
            snr: s.median_snr(),
        };
        let cat = Columns {
            classes: &s.classes,
            z: s.redshifts(),
            truth: s.truth.as_ref(),
            grid: s.grid(),
        };
        Self::from_parts(cat, counts, split)
    }

    /// The summary of a survey store, read a block at a time (a million spectra in ~0.2 GB).
    pub fn of_store(
        rows: &StoreRows,
        catalogue: &Catalogue,
        split: &Split,
    ) -> Result<Self, DataError> {
        let mut c = PixelCounts {
            total: 0,
            masked: 0,
            zero_weight: 0,
            snr: Vec::with_capacity(rows.n_rows()),
        };
        for b in 0..rows.n_blocks() {
            let blk = rows.block(b)?;
            c.total += blk.x.len();
            c.masked += blk.mask.iter().filter(|&&m| m).count();
            c.zero_weight += blk.w.iter().filter(|&&w| w == 0.0).count();
            c.snr.extend(median_snr_rows(blk.x.view(), blk.w.view()));
        }
        let cat = Columns {
            classes: &catalogue.classes,
            z: catalogue.meta.z.as_ref(),
            truth: catalogue.truth.as_ref(),
            grid: catalogue.grid,
        };
        Ok(Self::from_parts(cat, c, split))
    }

    fn from_parts(cat: Columns<'_>, c: PixelCounts, split: &Split) -> Self {
        let n = cat.classes.len();
        let classes = GalaxyClass::ALL
            .iter()
            .map(|&k| {
                let count = cat.classes.iter().filter(|&&x| x == k).count();
                ClassCount {
                    class: k,
                    count,
                    fraction: count as f64 / n.max(1) as f64,
                }
            })
            .collect();
        let total = c.total.max(1) as f64;
        let g = cat.grid;
        Summary {
            n_spectra: n,
            n_bins: g.n,
            wavelength_min: super::grid::wavelength(g.coeff0, g.coeff1, 0),
            wavelength_max: super::grid::wavelength(g.coeff0, g.coeff1, g.n.saturating_sub(1)),
            classes,
            masked_fraction: c.masked as f64 / total,
            zero_weight_fraction: c.zero_weight as f64 / total,
            snr: Quantiles::of(&c.snr),
            redshift: cat
                .z
                .and_then(|z| Quantiles::of(z.as_slice().unwrap_or(&[]))),
            n_train: split.train.len(),
            n_valid: split.valid.len(),
            split_seed: split.seed,
            n_oddities: cat
                .truth
                .map(|t| t.oddity.iter().filter(|&&o| o != 0).count()),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "spectra      {} × {} bins, {:.0}–{:.0} Å (rest frame)",
            self.n_spectra, self.n_bins, self.wavelength_min, self.wavelength_max
        )?;
        writeln!(f, "classes")?;
        for c in &self.classes {
            writeln!(
                f,
                "  {:<16} {:>7}  {:>5.1}%",
                c.class.label(),
                c.count,
                100.0 * c.fraction
            )?;
        }
        writeln!(
            f,
            "masked       {:.2}% of pixels ({:.2}% have zero weight)",
            100.0 * self.masked_fraction,
            100.0 * self.zero_weight_fraction
        )?;
        if let Some(q) = &self.snr {
            writeln!(
                f,
                "S/N per bin  median {:.1} (10%: {:.1}, 90%: {:.1}) over spectra",
                q.median, q.p10, q.p90
            )?;
        }
        if let Some(q) = &self.redshift {
            writeln!(
                f,
                "redshift     median {:.3} (10%: {:.3}, 90%: {:.3}, max {:.3})",
                q.median, q.p10, q.p90, q.max
            )?;
        }
        write!(
            f,
            "split        {} train / {} validation",
            self.n_train, self.n_valid
        )?;
        if let Some(seed) = self.split_seed {
            write!(f, " (seed {seed})")?;
        }
        writeln!(f)?;
        if let Some(k) = self.n_oddities {
            writeln!(f, "oddities     {k} injected (truth_oddity ≠ 0)")?;
        }
        Ok(())
    }
}
