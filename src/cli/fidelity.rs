//! `specae fidelity`: a model's reconstruction χ² on spectra it has not seen (real SDSS
//! galaxies, say) next to the median χ² of reference spectra of the same S/N (the validation
//! split of the survey it was trained on), and their ratio.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::analysis::fidelity::{
    SpectrumFit, fits_of_reference, fits_of_rows, judge, matched_median,
};
use specae::data::Spectra;
use specae::model::evaluate::reconstruct_rows;
use specae::train::fit_latents::FIT_STEPS;

use super::fitted::fitted_fits_of_rows;
use specae::train::load::{check_grid, fit_model_for, read_model};

#[derive(Debug, Args)]
pub struct FidelityArgs {
    /// A checkpoint (best.safetensors), exported weights, or `builtin` / `builtin-vae` (the
    /// shipped models).
    pub model: PathBuf,
    /// The spectra to judge (e.g. a survey made by `specae ingest` from SDSS FITS files).
    #[arg(long)]
    pub data: PathBuf,
    /// The survey the model was trained on, whose validation spectra are the reference
    /// [default: the validation fits the model file carries, else the built-in survey].
    #[arg(long)]
    pub against: Option<PathBuf>,
    /// Reference spectra nearest in S/N to each judged spectrum whose median χ² is taken.
    #[arg(long, default_value_t = 200)]
    pub matched: usize,
    /// Split seed, for weights files without a stored split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
    /// Keep the judged file's own infill of masked pixels instead of refilling them from the
    /// model's training survey's PCA basis (the infill the model saw in training).
    #[arg(long)]
    pub own_infill: bool,
    /// Also write each judged spectrum, its reconstruction and σ per wavelength to this CSV.
    #[arg(long)]
    pub residuals: Option<PathBuf>,
    /// Also fit each spectrum's latents (Adam on the model's loss, from the encoder's latents)
    /// and print the χ² of that best reconstruction — what the decoder can do; the rest of the
    /// misfit is the encoder's — and its ratio to the reference's, fitted alike (carried by
    /// models exported with their survey at hand, else fitted here: ~3.5 ms a spectrum on 2
    /// cores).
    #[arg(long)]
    pub fit_latents: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: FidelityArgs) -> anyhow::Result<()> {
    let device = burn::prelude::Device::flex();
    let judged = Spectra::load(&a.data)?;
    let file = read_model(&a.model, &device)?;
    check_grid(&file, &a.model, &a.data, &judged.grid())?;
    // The reference: the survey named, else the fits the model carries, else the built-in
    // survey's validation spectra.
    let carried = file
        .inputs
        .reference
        .clone()
        .filter(|_| a.against.is_none());
    let (model, infill, ref_fits, ref_fitted, ref_name) = match carried {
        Some(r) => (
            file.model,
            file.inputs.infill,
            fits_of_reference(&r),
            file.inputs
                .reference_fitted
                .as_deref()
                .map(fits_of_reference),
            format!(
                "the {} validation spectra {} carries",
                r.len(),
                a.model.display()
            ),
        ),
        None => {
            let against = super::resolve_data(a.against.clone())?;
            let reference = Spectra::load(&against)?;
            let loaded = fit_model_for(
                file,
                &a.model,
                &against,
                reference.n_spectra(),
                &reference.grid(),
                a.split_seed,
            )?;
            let fits = fits_of_rows(&loaded.model, &reference, &loaded.split.valid, &device);
            let fitted = if a.fit_latents {
                Some(fitted_fits_of_rows(
                    &loaded.model,
                    &reference,
                    &loaded.split.valid,
                    "the validation spectra",
                )?)
            } else {
                None
            };
            let infill = loaded
                .inputs
                .infill
                .clone()
                .unwrap_or_else(|| reference.infill_basis());
            (
                loaded.model,
                Some(infill),
                fits,
                fitted,
                format!("the validation spectra of {}", against.display()),
            )
        }
    };
    let judged = match infill.filter(|_| !a.own_infill) {
        Some(b) => judged.refilled_for(&b).unwrap_or(judged),
        None => judged,
    };
    let rows: Vec<u32> = (0..judged.n_spectra() as u32).collect();
    let xhat = reconstruct_rows(&model, judged.x.view(), &rows, &device);
    if let Some(out) = &a.residuals {
        write_residuals(out, &judged, &rows, xhat.view())?;
    }
    let out = judge(&judged, xhat.view(), &ref_fits, a.matched)
        .with_context(|| format!("{ref_name}: no spectra to compare with"))?;
    // With latents fitted: each spectrum's χ², and its ratio to the reference's fitted alike
    // where there is one.
    let fitted: Option<Vec<SpectrumFit>> = if a.fit_latents {
        Some(fitted_fits_of_rows(&model, &judged, &rows, "the spectra")?)
    } else {
        None
    };
    let chi2_fitted = |f: &SpectrumFit| fitted.as_ref().map(|v| v[f.index].chi2);
    let ratio_fitted = |f: &SpectrumFit| {
        let c = chi2_fitted(f)?;
        let m = matched_median(ref_fitted.as_deref()?, f.snr, a.matched)?;
        Some(c / m.chi2)
    };
    let name = |f: &SpectrumFit| {
        judged
            .meta
            .name(f.index)
            .unwrap_or_else(|| format!("#{}", f.index))
    };
    if a.json {
        let v: Vec<_> = out
            .iter()
            .map(|j| {
                let (f, m) = (&j.fit, &j.reference);
                serde_json::json!({
                    "spectrum": name(f), "class": judged.classes[f.index].label(),
                    "snr": f.snr, "chi2": f.chi2, "reference_chi2": m.chi2,
                    "reference_n": m.n, "reference_snr": [m.snr_lo, m.snr_hi],
                    "ratio": j.ratio(), "chi2_fitted": chi2_fitted(f),
                    "ratio_fitted": ratio_fitted(f),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "spectra": v }));
        return Ok(());
    }
    println!(
        "reconstruction χ²/pixel of {} on {} vs the median of the {} of {} nearest in S/N",
        a.model.display(),
        a.data.display(),
        a.matched,
        ref_name
    );
    // SDSS names are 15 characters, DESI's "TARGETID … (survey/program)" about 40.
    let w = out
        .iter()
        .map(|j| name(&j.fit).len())
        .max()
        .unwrap_or(0)
        .max(18);
    let fit_head = if a.fit_latents {
        "  χ² fitted  ratio fitted"
    } else {
        ""
    };
    println!(
        "{:<w$} {:<16} {:>6} {:>9} {:>10} {:>13} {:>7}{fit_head}",
        "spectrum", "class", "S/N", "χ²", "ref. χ²", "ref. S/N", "ratio"
    );
    for j in &out {
        let (f, m) = (&j.fit, &j.reference);
        let fit_col = match (chi2_fitted(f), ratio_fitted(f)) {
            (Some(c), Some(r)) => format!(" {c:>10.2} {r:>13.2}"),
            (Some(c), None) => format!(" {c:>10.2} {:>13}", "—"),
            _ => String::new(),
        };
        println!(
            "{:<w$} {:<16} {:>6.1} {:>9.2} {:>10.2} {:>6.1}–{:<6.1} {:>7.2}{fit_col}",
            name(f),
            judged.classes[f.index].label(),
            f.snr,
            f.chi2,
            m.chi2,
            m.snr_lo,
            m.snr_hi,
            j.ratio()
        );
    }
    if a.fit_latents {
        println!(
            "χ² fitted: with each spectrum's latents fitted to it ({FIT_STEPS} steps of Adam on \
             the model's loss, from the encoder's); ratio fitted: over the median of the \
             reference's, fitted alike{}",
            if ref_fitted.is_some() {
                ""
            } else {
                " (the model file carries none: export it with its survey at hand, or pass \
                 --against SURVEY)"
            }
        );
    }
    Ok(())
}

/// CSV: wavelength, then x, x̂ and σ (normalised units; σ empty where the weight is 0) of each
/// spectrum.
fn write_residuals(
    out: &std::path::Path,
    sp: &Spectra,
    rows: &[u32],
    xhat: ndarray::ArrayView2<f32>,
) -> anyhow::Result<()> {
    use std::fmt::Write;
    let mut s = String::from("wavelength");
    for &r in rows {
        write!(s, ",x{r},xhat{r},sigma{r}")?;
    }
    s.push('\n');
    for (k, l) in sp.wavelengths.iter().enumerate() {
        write!(s, "{l:.2}")?;
        for (i, &r) in rows.iter().enumerate() {
            let w = sp.w[[r as usize, k]];
            let sigma = if w > 0.0 {
                let s2 = 1.0 / f64::from(w) - specae::data::preprocess::SIGMA2_FLOOR;
                format!("{:.6e}", s2.max(0.0).sqrt())
            } else {
                String::new()
            };
            write!(
                s,
                ",{:.6e},{:.6e},{sigma}",
                sp.x[[r as usize, k]],
                xhat[[i, k]]
            )?;
        }
        s.push('\n');
    }
    specae::util::atomic::write_bytes_atomically(out, s.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}
