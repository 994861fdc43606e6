//! χ² with latents fitted to each spectrum (`crate::train::fit_latents`), a block of spectra
//! at a time: `specae fidelity --fit-latents` and the fitted reference `specae export` stores.

use anyhow::Context;
use ndarray::Array2;
use specae::analysis::fidelity::{SpectrumFit, fits_of_reconstructions};
use specae::data::Spectra;
use specae::model::Autoencoder;
use specae::train::fit_latents::{FIT_BLOCK, fitted_reconstructions, mlp_of};

/// χ²/pixel and S/N of each of `rows` of `sp` with its latents fitted to it, in the order of
/// `rows`; `what` names them in the line printed after more than one block.
pub fn fitted_fits_of_rows(
    model: &Autoencoder,
    sp: &Spectra,
    rows: &[u32],
    what: &str,
) -> anyhow::Result<Vec<SpectrumFit>> {
    let xhat = fitted_reconstructions_of_rows(model, sp, rows, what)?;
    Ok(fits_of_reconstructions(sp, rows, xhat.view()))
}

/// The decoder's best reconstruction of each of `rows` of `sp` (its latents fitted to it),
/// row for row with `rows`.
pub fn fitted_reconstructions_of_rows(
    model: &Autoencoder,
    sp: &Spectra,
    rows: &[u32],
    what: &str,
) -> anyhow::Result<Array2<f32>> {
    let mlp = mlp_of(model).context("the model's weights, for fitting latents")?;
    let started = std::time::Instant::now();
    // A bar where there is more than one block (hidden when stderr is not a terminal).
    let pb = (rows.len() > FIT_BLOCK)
        .then(|| super::progress::bar(rows.len() as u64, "fitting latents"));
    let xhat = fitted_reconstructions(&mlp, sp.x.view(), sp.w.view(), rows, |n| {
        if let Some(pb) = &pb {
            pb.set_position(n as u64);
        }
    });
    if let Some(pb) = pb {
        pb.finish_and_clear();
        eprintln!(
            "latents fitted to {} ({}) in {:.1} s",
            what,
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(xhat)
}
