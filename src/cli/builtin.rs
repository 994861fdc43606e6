//! The built-in survey: generated on first use and cached in the platform's data directory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use specae::data::sources::builtin_survey_path;
use specae::synth::{Stage, SynthConfig, generate};

use super::progress::bar;

/// Generates a survey with progress bars and writes it atomically to `out`.
pub fn generate_to(cfg: &SynthConfig, out: &Path, compressed: bool) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let spectra_bar = bar(cfg.n as u64, "spectra");
    let mut pca_bar: Option<indicatif::ProgressBar> = None;
    let mut t_spectra = 0.0;
    let survey = generate(cfg, &mut |stage, done, total| match stage {
        Stage::Spectra => spectra_bar.set_position(done as u64),
        Stage::PcaInfill => {
            let pb = pca_bar.get_or_insert_with(|| {
                spectra_bar.finish();
                t_spectra = t0.elapsed().as_secs_f64();
                bar(total as u64, "PCA infill")
            });
            pb.set_position(done as u64);
        }
    })
    .context("generating the built-in survey")?;
    if let Some(pb) = pca_bar {
        pb.finish();
    }
    let t_gen = t0.elapsed();
    survey.write(out, compressed)?;
    eprintln!(
        "generated {} spectra in {:.1} s (spectra {:.1} s, PCA infill {:.1} s), wrote {} in {:.1} s",
        cfg.n,
        t_gen.as_secs_f64(),
        t_spectra,
        t_gen.as_secs_f64() - t_spectra,
        out.display(),
        (t0.elapsed() - t_gen).as_secs_f64()
    );
    Ok(())
}

/// The cached built-in survey of `n` spectra, generated now if missing.
pub fn ensure_builtin(n: usize, seed: u64) -> anyhow::Result<PathBuf> {
    let path = builtin_survey_path(n, seed);
    if !path.is_file() {
        eprintln!(
            "First run: generating the built-in survey ({n} spectra) into {}",
            path.display()
        );
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        }
        let cfg = SynthConfig {
            n,
            seed,
            ..SynthConfig::default()
        };
        generate_to(&cfg, &path, false)?;
    }
    Ok(path)
}
