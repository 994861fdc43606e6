//! `specae prep`: the same output as `reference.py prep`, for side-by-side runs.

use std::path::PathBuf;

use clap::Args;
use specae::data::catalogue::Catalogue;
use specae::data::prepped::{write_prepped, write_prepped_store};
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::store::{StoreRows, is_store};
use specae::data::{Spectra, Split};

#[derive(Debug, Args)]
pub struct PrepArgs {
    /// Survey file (astroML npz schema) [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output prepped npz.
    #[arg(long)]
    pub out: PathBuf,
    /// Split seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Fraction of spectra used for training.
    #[arg(long, default_value_t = DEFAULT_TRAIN_FRACTION)]
    pub train_frac: f64,
}

pub fn run(a: PrepArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&a.train_frac) {
        anyhow::bail!("--train-frac must be between 0 and 1, got {}", a.train_frac);
    }
    let path = super::resolve_data(a.data)?;
    let (n, split) = if is_store(&path) {
        // A store is read a block at a time, never whole.
        let rows = StoreRows::open(&path)?;
        let catalogue = Catalogue::of_store(&rows)?;
        let split = Split::seeded(rows.n_rows(), a.seed, a.train_frac);
        let (progress, bars) = super::progress::bars();
        let written = write_prepped_store(&a.out, &rows, &catalogue, &split, &progress);
        bars.finish();
        written?;
        (rows.n_rows(), split)
    } else {
        let s = Spectra::load(&path)?;
        let split = Split::seeded(s.n_spectra(), a.seed, a.train_frac);
        write_prepped(&a.out, &s, &split)?;
        (s.n_spectra(), split)
    };
    println!(
        "{{\"n\": {n}, \"train\": {}, \"valid\": {}}}",
        split.train.len(),
        split.valid.len()
    );
    Ok(())
}
