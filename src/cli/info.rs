//! `specae info`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
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
    let s = Spectra::load(&path)?;
    let split = Split::seeded(s.n_spectra(), a.split_seed, DEFAULT_TRAIN_FRACTION);
    let summary = Summary::of(&s, &split);
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
