//! `specae info`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::data::catalogue::Catalogue;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::store::{StoreRows, is_store};
use specae::data::summary::Summary;
use specae::data::{Spectra, Split};

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Survey file (astroML npz schema) [default: the built-in survey].
    pub file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Seed of the train/validation split to report.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
}

pub fn run(a: InfoArgs) -> anyhow::Result<()> {
    let path = super::resolve_data(a.file)?;
    let summary = if is_store(&path) {
        // A store is read a block at a time: its size does not matter.
        let rows = StoreRows::open(&path)?;
        let catalogue = Catalogue::of_store(&rows)?;
        let split = Split::seeded(rows.n_rows(), a.split_seed, DEFAULT_TRAIN_FRACTION);
        Summary::of_store(&rows, &catalogue, &split)?
    } else {
        let s = Spectra::load(&path)?;
        let split = Split::seeded(s.n_spectra(), a.split_seed, DEFAULT_TRAIN_FRACTION);
        Summary::of(&s, &split)
    };
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).context("encoding the summary")?
        );
    } else {
        println!("file         {}", path.display());
        print!("{summary}");
    }
    Ok(())
}
