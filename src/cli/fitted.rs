//! χ² with latents fitted to each spectrum (`crate::train::fit_latents`), a block of spectra
//! at a time: `specae fidelity --fit-latents` and the fitted reference `specae export` stores.

use anyhow::Context;
use specae::analysis::fidelity::{SpectrumFit, fits_of_reconstructions};
use specae::data::Spectra;
use specae::model::Autoencoder;
use specae::train::fit_latents::{FIT_STEPS, fit_latents, mlp_of};

/// Spectra fitted at once (bounds the buffers: ~14 MB).
const FIT_BLOCK: usize = 512;

/// χ²/pixel and S/N of each of `rows` of `sp` with its latents fitted to it, in the order of
/// `rows`; `what` names them in the line printed after more than one block.
pub fn fitted_fits_of_rows(
    model: &Autoencoder,
    sp: &Spectra,
    rows: &[u32],
    what: &str,
) -> anyhow::Result<Vec<SpectrumFit>> {
    let mlp = mlp_of(model).context("the model's weights, for fitting latents")?;
    let started = std::time::Instant::now();
    // A bar where there is more than one block (hidden when stderr is not a terminal).
    let pb = (rows.len() > FIT_BLOCK)
        .then(|| super::progress::bar(rows.len() as u64, "fitting latents"));
    let mut out = Vec::with_capacity(rows.len());
    for block in rows.chunks(FIT_BLOCK) {
        let idx: Vec<usize> = block.iter().map(|&r| r as usize).collect();
        let x = sp.x.select(ndarray::Axis(0), &idx);
        let w = sp.w.select(ndarray::Axis(0), &idx);
        let fit = fit_latents(&mlp, x.view(), w.view(), FIT_STEPS);
        out.extend(fits_of_reconstructions(sp, block, fit.xhat.view()));
        if let Some(pb) = &pb {
            pb.inc(block.len() as u64);
        }
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
        eprintln!(
            "latents fitted to {} ({}) in {:.1} s",
            what,
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(out)
}
