//! `specae fidelity`: a model's reconstruction χ² on spectra it has not seen (real SDSS
//! galaxies, say) next to the median χ² of reference spectra of the same S/N (the validation
//! split of the survey it was trained on), and their ratio.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::analysis::fidelity::{
    SpectrumFit, fits_of_reconstructions, fits_of_reference, judge, matched_median, nearest_in_snr,
};
use specae::analysis::misfit::{
    LINE_HALF_WIDTH, MisfitSplit, SMOOTH_HALF, line_windows, median_split, misfit_split,
};
use specae::data::Spectra;
use specae::model::evaluate::reconstruct_rows;
use specae::train::fit_latents::FIT_STEPS;

use super::fitted::{fitted_fits_of_rows, fitted_reconstructions_of_rows};
use specae::train::load::{LoadedModel, ModelFile, check_grid, fit_model_to_spectra, read_model};

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
    /// Also split each spectrum's χ² into emission-line windows (±8 Å), the smooth continuum
    /// (the running median of (x − x̂)/σ over 21 pixels) and pixel-scale structure (the rest),
    /// next to the median split of the reference spectra nearest in S/N: the validation spectra
    /// of --against SURVEY, else of the built-in survey.
    #[arg(long)]
    pub split: bool,
    /// Also measure each spectrum's diagnostic line ratios (log [NII]/Hα, [SII]/Hα, [OI]/Hα,
    /// [OIII]/Hβ, [OII]/Hβ) and its reconstruction's, alike: which lines the model misses.
    #[arg(long)]
    pub lines: bool,
    /// Also fit each spectrum and its reconstruction with the built-in survey's stellar
    /// populations (any mix of BC03+MILES ages and metallicities at one σ, times the
    /// calibration's quadratic, nebular lines left out): the σ, age and metallicity the model
    /// gave the galaxy, and the χ² of the best fit — how closely the populations the built-in
    /// survey is made of can make its continuum — beside the model's on the same pixels (~0.12 s
    /// a spectrum on 2 cores).
    #[arg(long)]
    pub populations: bool,
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
    // With the training survey at hand (not the carried fits), `--split` takes its reference
    // from the same reconstructions.
    let (model, infill, ref_fits, ref_fitted, ref_name, ref_splits) = match carried {
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
            None,
        ),
        None => {
            let (against, reference, loaded) = against_survey(&a, file)?;
            let valid = &loaded.split.valid;
            let ref_xhat = reconstruct_rows(&loaded.model, reference.x.view(), valid, &device);
            let fits = fits_of_reconstructions(&reference, valid, ref_xhat.view());
            let splits = a
                .split
                .then(|| splits_of(&reference, valid, ref_xhat.view()));
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
                splits,
            )
        }
    };
    let judged = match infill.filter(|_| !a.own_infill) {
        Some(b) => judged.refilled_for(&b).unwrap_or(judged),
        None => judged,
    };
    let rows: Vec<u32> = (0..judged.n_spectra() as u32).collect();
    let xhat = reconstruct_rows(&model, judged.x.view(), &rows, &device);
    // With latents fitted: each spectrum's best reconstruction and χ², and its ratio to the
    // reference's fitted alike where there is one.
    let xfit = if a.fit_latents {
        Some(fitted_reconstructions_of_rows(
            &model,
            &judged,
            &rows,
            "the spectra",
        )?)
    } else {
        None
    };
    if let Some(out) = &a.residuals {
        write_residuals(out, &judged, &rows, xhat.view(), xfit.as_ref())?;
    }
    let out = judge(&judged, xhat.view(), &ref_fits, a.matched)
        .with_context(|| format!("{ref_name}: no spectra to compare with"))?;
    let fitted: Option<Vec<SpectrumFit>> = xfit
        .as_ref()
        .map(|x| fits_of_reconstructions(&judged, &rows, x.view()));
    // Each spectrum's χ² split, and the reference's median split at its S/N.
    let splits: Option<Vec<(MisfitSplit, Option<MisfitSplit>)>> = if a.split {
        let (snrs, ref_splits) = match ref_splits {
            Some(s) => s,
            None => reference_splits(&a, &device)?,
        };
        let in_line = line_windows(&judged.wavelengths);
        Some(
            out.iter()
                .map(|j| {
                    let i = j.fit.index;
                    let own = misfit_split(&in_line, judged.x.row(i), xhat.row(i), judged.w.row(i));
                    let near = nearest_in_snr(&snrs, j.fit.snr, a.matched);
                    (own, median_split(&ref_splits, &near))
                })
                .collect(),
        )
    } else {
        None
    };
    // Line ratios of each spectrum and its reconstruction, in the order of `out`.
    let lines = a.lines.then(|| {
        let by_row = super::fidelity_lines::ratios_of(&judged, &rows, xhat.view());
        out.iter().map(|j| by_row[j.fit.index]).collect::<Vec<_>>()
    });
    // Population fits of each spectrum and its reconstruction, in the order of `out`.
    let populations = if a.populations {
        let by_row = super::fidelity_populations::populations_of(&judged, &rows, xhat.view())?;
        Some(
            out.iter()
                .map(|j| by_row[j.fit.index].clone())
                .collect::<Vec<_>>(),
        )
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
            .enumerate()
            .map(|(k, j)| {
                let (f, m) = (&j.fit, &j.reference);
                let mut row = serde_json::json!({
                    "spectrum": name(f), "class": judged.classes[f.index].label(),
                    "snr": f.snr, "chi2": f.chi2, "reference_chi2": m.chi2,
                    "reference_n": m.n, "reference_snr": [m.snr_lo, m.snr_hi],
                    "ratio": j.ratio(), "chi2_fitted": chi2_fitted(f),
                    "ratio_fitted": ratio_fitted(f),
                });
                if let Some((own, reference)) = splits.as_ref().map(|s| s[k]) {
                    row["split"] = serde_json::json!(own);
                    row["reference_split"] = serde_json::json!(reference);
                }
                if let Some((data, model)) = lines.as_ref().map(|l| l[k]) {
                    row["line_ratios"] = serde_json::json!({ "data": data, "model": model });
                }
                if let Some(p) = populations.as_ref().map(|p| &p[k]) {
                    row["populations"] = serde_json::json!(p);
                }
                row
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
    if let Some(splits) = &splits {
        println!();
        println!(
            "{:<w$} {:>18} {:>18} {:>18}",
            "χ² split (ref.)", "lines", "smooth continuum", "pixel-scale"
        );
        for (j, (own, reference)) in out.iter().zip(splits) {
            let cell = |v: f64, r: Option<f64>| match r {
                Some(r) => format!("{v:.2} ({r:.2})"),
                None => format!("{v:.2} (—)"),
            };
            println!(
                "{:<w$} {:>18} {:>18} {:>18}",
                name(&j.fit),
                cell(own.lines, reference.map(|r| r.lines)),
                cell(own.smooth, reference.map(|r| r.smooth)),
                cell(own.pixel, reference.map(|r| r.pixel)),
            );
        }
        println!(
            "χ² split: the χ²/pixel from emission-line windows (±{LINE_HALF_WIDTH} Å), the smooth \
             continuum (running median of (x − x̂)/σ over {} pixels) and pixel-scale structure \
             (the rest of the continuum's; ~0.9 for noise alone); in brackets the median of the \
             {} reference spectra nearest in S/N",
            2 * SMOOTH_HALF + 1,
            a.matched
        );
    }
    if let Some(lines) = &lines {
        println!();
        let names: Vec<String> = out.iter().map(|j| name(&j.fit)).collect();
        super::fidelity_lines::print_ratios(&names, lines, w);
    }
    if let Some(populations) = &populations {
        println!();
        let names: Vec<String> = out.iter().map(|j| name(&j.fit)).collect();
        super::fidelity_populations::print_populations(&names, populations, w);
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
/// spectrum, and with latents fitted the decoder's best reconstruction (`xfit`) after σ.
fn write_residuals(
    out: &std::path::Path,
    sp: &Spectra,
    rows: &[u32],
    xhat: ndarray::ArrayView2<f32>,
    xfit: Option<&ndarray::Array2<f32>>,
) -> anyhow::Result<()> {
    use std::fmt::Write;
    let mut s = String::from("wavelength");
    for &r in rows {
        write!(s, ",x{r},xhat{r},sigma{r}")?;
        if xfit.is_some() {
            write!(s, ",xfit{r}")?;
        }
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
            if let Some(f) = xfit {
                write!(s, ",{:.6e}", f[[i, k]])?;
            }
        }
        s.push('\n');
    }
    specae::util::atomic::write_bytes_atomically(out, s.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// The S/N and χ² split of each validation spectrum of the model's training survey
/// (`--against`, else the built-in survey), for `--split`.
fn reference_splits(
    a: &FidelityArgs,
    device: &burn::prelude::Device,
) -> anyhow::Result<(Vec<f64>, Vec<MisfitSplit>)> {
    let (_, reference, loaded) = against_survey(a, read_model(&a.model, device)?)?;
    let rows = &loaded.split.valid;
    let xhat = reconstruct_rows(&loaded.model, reference.x.view(), rows, device);
    Ok(splits_of(&reference, rows, xhat.view()))
}

/// The S/N and χ² split of each of `rows` of `reference` reconstructed as `xhat` (row for row).
fn splits_of(
    reference: &Spectra,
    rows: &[u32],
    xhat: ndarray::ArrayView2<f32>,
) -> (Vec<f64>, Vec<MisfitSplit>) {
    let snr = reference.median_snr();
    let in_line = line_windows(&reference.wavelengths);
    let splits = rows
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let r = r as usize;
            misfit_split(
                &in_line,
                reference.x.row(r),
                xhat.row(i),
                reference.w.row(r),
            )
        })
        .collect();
    let snrs = rows.iter().map(|&r| f64::from(snr[r as usize])).collect();
    (snrs, splits)
}

/// The survey the model was trained on (`--against`, else the built-in survey), loaded, and the
/// model fitted to it (its training/validation split).
fn against_survey(
    a: &FidelityArgs,
    file: ModelFile,
) -> anyhow::Result<(PathBuf, Spectra, LoadedModel)> {
    let against = super::resolve_data(a.against.clone())?;
    let reference = Spectra::load(&against)?;
    let loaded = fit_model_to_spectra(file, &a.model, &against, &reference, a.split_seed)?;
    Ok((against, reference, loaded))
}
