//! The built-in survey: generated on first use and cached in the platform's data directory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use specae::data::sources::builtin_survey_path;
use specae::synth::{SynthConfig, SynthError, generate};

/// Generates a survey with progress bars and writes it atomically to `out`; Ctrl-C cancels
/// (nothing is written).
pub fn generate_to(cfg: &SynthConfig, out: &Path, compressed: bool) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let (progress, bars) = super::progress::bars();
    if specae::data::store::wants_store(out) {
        // A store is written as the spectra are generated, a block at a time.
        let written = specae::synth::generate_store(cfg, out, &progress);
        bars.finish();
        match written {
            Err(SynthError::Cancelled) => {
                anyhow::bail!("cancelled: nothing was written to {}", out.display())
            }
            w => w.with_context(|| format!("generating the survey into {}", out.display()))?,
        }
        eprintln!(
            "generated {} spectra into {} in {:.1} s (PCA infill fitted on {} of them)",
            cfg.n,
            out.display(),
            t0.elapsed().as_secs_f64(),
            cfg.n.min(specae::synth::SAMPLE_ROWS)
        );
        return Ok(());
    }
    let survey = generate(cfg, &progress);
    bars.finish();
    let survey = match survey {
        Err(SynthError::Cancelled) => {
            anyhow::bail!("cancelled: nothing was written to {}", out.display())
        }
        s => s.context("generating the built-in survey")?,
    };
    let t_gen = t0.elapsed();
    let t_spectra = bars
        .started("PCA")
        .map_or(t_gen.as_secs_f64(), |t| (t - t0).as_secs_f64());
    survey.write_with(out, compressed, &progress)?;
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
