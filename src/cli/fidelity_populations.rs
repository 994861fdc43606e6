//! `specae fidelity --populations`: each judged spectrum fitted with the built-in survey's own
//! stellar populations ([`PopulationFitter`]), and its reconstruction alike — the σ, age and
//! metallicity the model gave the galaxy, and how closely those populations make its stellar
//! continuum, beside the model's χ² on the same pixels.

use ndarray::ArrayView2;
use rayon::prelude::*;
use specae::data::Spectra;
use specae::data::preprocess::noise_ivar;
use specae::synth::fit::{PopulationFit, PopulationFitter, PopulationPair};

/// The fits of spectrum `rows[i]` of `sp` and of its reconstruction `xhat` row `i`, for each
/// `i`, in parallel.
pub fn populations_of(
    sp: &Spectra,
    rows: &[u32],
    xhat: ArrayView2<f32>,
) -> anyhow::Result<Vec<PopulationPair>> {
    let fitter = PopulationFitter::for_grid(&sp.wavelengths)
        .map_err(|e| anyhow::anyhow!("--populations: {e}"))?;
    let pb = super::progress::bar(rows.len() as u64, "stellar populations");
    let fits = rows
        .par_iter()
        .enumerate()
        .map(|(i, &r)| {
            let r = r as usize;
            let ivar: Vec<f64> = sp.w.row(r).iter().map(|&w| noise_ivar(w)).collect();
            let x: Vec<f32> = sp.x.row(r).to_vec();
            let m: Vec<f32> = xhat.row(i).to_vec();
            let pair = fitter.fit_pair(&x, &m, &ivar);
            pb.inc(1);
            pair
        })
        .collect();
    pb.finish_and_clear();
    Ok(fits)
}

/// The table: "data (model)" for σ, age and metallicity, then the population fit's χ² and the
/// model's on the same pixels.
pub fn print_populations(names: &[String], fits: &[PopulationPair], name_width: usize) {
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
