//! `specae generate`: a synthetic survey as an npz (astroML schema) or as DESI files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use specae::data::sources::builtin_survey_path;
use specae::ingest::desi_write::{DesiLayout, DesiWriteError, write_desi};
use specae::synth::{SynthConfig, SynthError, generate};

/// What `specae generate` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One survey file in astroML's `sdss_corrected_spectra` npz schema.
    #[default]
    Npz,
    /// A folder of DESI healpix coadds with their redrock files (observed frame, DESI's
    /// B/R/Z arms), for `specae ingest`.
    Desi,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of spectra.
    #[arg(long, default_value_t = 64_000)]
    pub n: usize,
    /// Random seed (the same seed gives the same survey).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file (a folder with `--format desi`) [default: the built-in survey's cache in
    /// the data directory].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// npz (one survey file) or desi (coadd + redrock files in healpix groups).
    #[arg(long, value_enum, default_value_t = Format::Npz)]
    pub format: Format,
    /// Targets per DESI coadd file (`--format desi`).
    #[arg(long, default_value_t = 500)]
    pub per_file: usize,
    /// Every N-th target is written again into an sv3 coadd with fewer exposures, as DESI
    /// observes some targets in two surveys (`--format desi`; 0: none).
    #[arg(long, default_value_t = 100)]
    pub repeat_every: usize,
    /// Also write each arm's resolution matrices (`*_RESOLUTION`, 11 diagonals per pixel) as
    /// real DESI coadds have them (`--format desi`; the files grow 4.7 times).
    #[arg(long)]
    pub resolution: bool,
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
    let cfg = SynthConfig {
        n: a.n,
        seed: a.seed,
        oddity_rate: a.oddity_rate,
        ..SynthConfig::default()
    };
    if a.format == Format::Desi {
        let Some(out) = a.out else {
            anyhow::bail!("--format desi needs --out DIR (the folder for the DESI files)");
        };
        let layout = DesiLayout {
            per_file: a.per_file,
            repeat_every: a.repeat_every,
            resolution: a.resolution,
        };
        return generate_desi(&cfg, &out, &layout);
    }
    let out = a.out.unwrap_or_else(|| builtin_survey_path(a.n, a.seed));
    super::builtin::generate_to(&cfg, &out, a.compress)?;
    println!("{}", out.display());
    Ok(())
}

/// Generates a survey and writes it into `dir` as DESI files, with progress bars; Ctrl-C
/// stops between files (each file written is whole).
fn generate_desi(cfg: &SynthConfig, dir: &Path, layout: &DesiLayout) -> anyhow::Result<()> {
    if dir.is_file() {
        anyhow::bail!(
            "--out {} is a file; --format desi writes a folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let t0 = Instant::now();
    let (progress, bars) = super::progress::bars();
    let survey = generate(cfg, &progress);
    bars.finish();
    let survey = match survey {
        Err(SynthError::Cancelled) => anyhow::bail!("cancelled: nothing was written"),
        s => s.context("generating the survey")?,
    };
    let t_gen = t0.elapsed().as_secs_f64();
    let written = write_desi(&survey, dir, layout, &progress);
    bars.finish();
    let written = match written {
        Err(e @ DesiWriteError::Cancelled { .. }) => anyhow::bail!("{e}"),
        w => w?,
    };
    let bytes: u64 = written
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "generated {} spectra in {t_gen:.1} s; wrote {} target rows into {} DESI files ({:.1} MB) in {:.1} s",
        cfg.n,
        written.rows,
        written.files.len(),
        bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64() - t_gen
    );
    println!("{}", dir.display());
    Ok(())
}
