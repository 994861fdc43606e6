//! `specae fidelity --populations`: each judged spectrum fitted with the built-in survey's own
//! stellar populations ([`PopulationFitter`]), and its reconstruction alike — the σ, age and
//! metallicity the model gave it, and the floor its stellar continuum sets for any model
//! trained on that survey, beside the model's χ² on the same pixels.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::Serialize;
use specae::data::Spectra;
use specae::data::preprocess::SIGMA2_FLOOR;
use specae::synth::fit::{PopulationFit, PopulationFitter};

/// One spectrum's fits.
#[derive(Clone, Debug, Serialize)]
pub struct Populations {
    pub data: Option<PopulationFit>,
    pub model: Option<PopulationFit>,
    /// The reconstruction's χ² per pixel on the pixels the data's fit used.
    pub model_chi2: Option<f64>,
}

/// The inverse variance of each pixel of a weight row (σ² = 1/w − floor; 0 where w = 0).
fn ivar_of(w: ndarray::ArrayView1<f32>) -> Vec<f64> {
    w.iter()
        .map(|&w| {
            if w > 0.0 {
                1.0 / (1.0 / f64::from(w) - SIGMA2_FLOOR).max(1e-30)
            } else {
                0.0
            }
        })
        .collect()
}

/// The fits of spectrum `rows[i]` of `sp` and of its reconstruction `xhat` row `i`, for each
/// `i`, in parallel.
pub fn populations_of(
    sp: &Spectra,
    rows: &[u32],
    xhat: ArrayView2<f32>,
) -> anyhow::Result<Vec<Populations>> {
    let fitter = PopulationFitter::new(&sp.wavelengths)
        .map_err(|e| anyhow::anyhow!("--populations: {e}"))?;
    Ok(rows
        .par_iter()
        .enumerate()
        .map(|(i, &r)| {
            let r = r as usize;
            let ivar = ivar_of(sp.w.row(r));
            let x: Vec<f32> = sp.x.row(r).to_vec();
            let m: Vec<f32> = xhat.row(i).to_vec();
            let used: Vec<usize> = (0..x.len())
                .filter(|&k| fitter.uses(k, x[k], ivar[k]))
                .collect();
            let model_chi2 = (!used.is_empty()).then(|| {
                used.iter()
                    .map(|&k| (f64::from(x[k]) - f64::from(m[k])).powi(2) * ivar[k])
                    .sum::<f64>()
                    / used.len() as f64
            });
            Populations {
                data: fitter.fit(&x, &ivar),
                model: fitter.fit(&m, &ivar),
                model_chi2,
            }
        })
        .collect())
}

/// The table: "data (model)" for σ, age and metallicity, then the population fit's χ² and the
/// model's on the same pixels.
pub fn print_populations(names: &[String], fits: &[Populations], name_width: usize) {
    let w = name_width.max(28);
    println!(
        "{:<w$} {:>13} {:>15} {:>15} {:>12} {:>9}",
        "stellar populations: data (model)",
        "σ km/s",
        "age Gyr",
        "log Z/Z☉",
        "χ² pop. fit",
        "χ² model"
    );
    for (name, p) in names.iter().zip(fits) {
        let pair = |f: &dyn Fn(&PopulationFit) -> String| {
            let d = p.data.as_ref().map_or("—".into(), f);
            let m = p.model.as_ref().map_or("—".into(), f);
            format!("{d} ({m})")
        };
        let num = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2}"));
        println!(
            "{name:<w$} {:>13} {:>15} {:>15} {:>12} {:>9}",
            pair(&|f| f.sigma_text()),
            pair(&|f| f.age_text()),
            pair(&|f| format!("{:+.2}", f.log_z)),
            num(p.data.as_ref().map(|f| f.chi2)),
            num(p.model_chi2),
        );
    }
    println!(
        "populations: a non-negative mix of the built-in survey's BC03+MILES populations (every \
         age and metallicity) at one σ, times a quadratic (the calibration's tilt and bow), the \
         nebular lines' windows left out — fitted to the spectrum and to its reconstruction \
         alike (light-weighted age and Z; σ at the grid's ends is a bound); χ² pop. fit: how \
         closely the survey's populations can make this stellar continuum (~1 for the survey's \
         own galaxies), χ² model: the reconstruction's on the same pixels"
    );
}
