//! `specae generate`.

use std::path::PathBuf;

use clap::Args;
use specae::data::sources::builtin_survey_path;
use specae::synth::SynthConfig;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of spectra.
    #[arg(long, default_value_t = 64_000)]
    pub n: usize,
    /// Random seed (the same seed gives the same survey).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file [default: the built-in survey's cache in the data directory].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Fraction of spectra with an injected oddity (star or artefact).
    #[arg(long, default_value_t = 0.005)]
    pub oddity_rate: f64,
    /// Write a deflate-compressed npz (smaller, slower).
    #[arg(long)]
    pub compress: bool,
}

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    if a.n == 0 {
        anyhow::bail!("--n must be at least 1");
    }
    if !(0.0..=1.0).contains(&a.oddity_rate) {
        anyhow::bail!(
            "--oddity-rate must be between 0 and 1, got {}",
            a.oddity_rate
        );
    }
    let out = a.out.unwrap_or_else(|| builtin_survey_path(a.n, a.seed));
    let cfg = SynthConfig {
        n: a.n,
        seed: a.seed,
        oddity_rate: a.oddity_rate,
        ..SynthConfig::default()
    };
    super::builtin::generate_to(&cfg, &out, a.compress)?;
    println!("{}", out.display());
    Ok(())
}
