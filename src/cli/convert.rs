//! `specae convert IN OUT`: a survey from one format to the other — an npz file (astroML's
//! schema) to a Zarr v3 store (OUT ending in `.zarr`), or a store back to npz — checked on the
//! way in as every survey is, written atomically on the way out.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use specae::data::Survey;
use specae::data::error::DataError;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The survey to read: an npz file or a Zarr store (a folder with a zarr.json).
    pub input: PathBuf,
    /// Where to write: a path ending in `.zarr` becomes a store, anything else an npz file.
    pub output: PathBuf,
    /// Compress the npz (deflate); stores are written uncompressed.
    #[arg(long)]
    pub compress: bool,
}

pub fn run(a: ConvertArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        a.input != a.output,
        "the output {} is the input: choose another path",
        a.output.display()
    );
    let t0 = Instant::now();
    let survey = Survey::read(&a.input)?;
    let t_read = t0.elapsed().as_secs_f64();
    let (progress, bars) = super::progress::bars();
    let written = survey.write_with(&a.output, a.compress, &progress);
    bars.finish();
    match written {
        Err(e @ DataError::Cancelled { .. }) => anyhow::bail!("{e}"),
        w => w.with_context(|| format!("converting {}", a.input.display()))?,
    }
    eprintln!(
        "{} spectra × {} bins: read {} in {t_read:.1} s, wrote {} in {:.1} s",
        survey.n_spectra(),
        survey.n_bins(),
        a.input.display(),
        a.output.display(),
        t0.elapsed().as_secs_f64() - t_read
    );
    println!("{}", a.output.display());
    Ok(())
}
