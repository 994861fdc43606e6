//! `specae bench cancel`: how soon each long job stops after Cancel, at the survey size users
//! have. Each job runs on a generated survey and is cancelled mid-stage (by a progress handle
//! that cancels itself at a given step, or by a timer where a stage reports no steps); the
//! latency is the time from the cancel to the job's return. Medians over `--repeats` runs.

use std::time::{Duration, Instant};

use burn::prelude::Device;
use clap::Args;
use specae::analysis::options::AnalysisOptions;
use specae::analysis::run::{Inputs, analyze};
use specae::data::{Spectra, Split};
use specae::model::AutoencoderConfig;
use specae::model::evaluate::encode_all;
use specae::pca::iterative_pca;
use specae::synth::{SynthConfig, generate};
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// Spectra in the generated survey.
    #[arg(long, default_value_t = 64_000)]
    pub n: usize,
    /// Runs per job (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

/// One job's latencies.
struct Row {
    job: String,
    ms: Vec<f64>,
}

/// Runs `job` with a handle cancelled by `make`, `repeats` times; returns the latencies (ms).
fn time_cancel<T>(
    repeats: usize,
    make: &dyn Fn() -> Progress,
    job: &dyn Fn(&Progress) -> Result<T, String>,
) -> anyhow::Result<Vec<f64>> {
    let mut out = vec![];
    for _ in 0..repeats.max(1) {
        let p = make();
        let r = job(&p);
        let end = Instant::now();
        if r.is_ok() {
            anyhow::bail!("the job finished before it was cancelled");
        }
        let at = p
            .cancelled_at()
            .ok_or_else(|| anyhow::anyhow!("the job failed without being cancelled"))?;
        out.push((end - at).as_secs_f64() * 1e3);
    }
    Ok(out)
}

/// A handle cancelled by a timer `after` from now.
fn cancelled_after(after: Duration) -> Progress {
    let p = Progress::new();
    let q = p.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        q.cancel();
    });
    p
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn cancel(a: CancelArgs) -> anyhow::Result<()> {
    let n = a.n;
    let cfg = SynthConfig {
        n,
        ..SynthConfig::default()
    };
    let r = a.repeats;
    let mut rows = vec![];
    let mut push = |job: &str, ms: Vec<f64>| {
        eprintln!("{job}: {ms:.1?} ms");
        rows.push(Row {
            job: job.into(),
            ms,
        });
    };
    let err = |e: &dyn std::fmt::Display| e.to_string();

    push(
        "generate: spectra (cancel half-way)",
        time_cancel(
            r,
            &|| Progress::cancelling_at("generating spectra", n as u64 / 2),
            &|p| generate(&cfg, p).map_err(|e| err(&e)),
        )?,
    );
    eprintln!("generating the survey for the other jobs ({n} spectra)…");
    let survey = generate(&cfg, &Progress::new())?;
    push(
        "generate: PCA infill (after 3 iterations)",
        time_cancel(r, &|| Progress::cancelling_at("PCA infill", 3), &|p| {
            iterative_pca(survey.spectra.view(), survey.mask.view(), &cfg.pca, p)
                .map_err(|e| err(&e))
        })?,
    );
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("survey.npz");
    push(
        "writing the survey (cancel after 100 ms)",
        time_cancel(r, &|| cancelled_after(Duration::from_millis(100)), &|p| {
            survey.write_with(&out, false, p).map_err(|e| err(&e))
        })?,
    );
    if out.exists() || std::fs::read_dir(dir.path())?.next().is_some() {
        anyhow::bail!("a cancelled write left a file in {}", dir.path().display());
    }
    let spectra = Spectra::from_survey(survey);
    let device = Device::flex();
    let model = AutoencoderConfig::new().init(&device);
    push(
        "encode (cancel half-way)",
        time_cancel(
            r,
            &|| Progress::cancelling_at("encoding", n as u64 / 2),
            &|p| {
                encode_all(&model, spectra.x.view(), &device, p, &mut |_, _| {})
                    .map_err(|e| err(&e))
            },
        )?,
    );
    let split = Split::seeded(n, 0, specae::data::split::DEFAULT_TRAIN_FRACTION);
    let inputs = Inputs {
        spectra: (&spectra).into(),
        model: &model,
        device: &device,
        split: &split,
        model_path: None,
        data_path: None,
        latents: None,
    };
    let mut opt = AnalysisOptions::default();
    opt.umap.reproducible = false;
    // Few epochs: the stages after the UMAP run it in full before they are cancelled.
    opt.umap.n_epochs = Some(40);
    for (stage, at) in [
        ("local outlier factor", 0),
        ("UMAP", 20),
        ("PCA baseline", 0),
        ("kNN classifier", 0),
        ("trustworthiness", 0),
    ] {
        push(
            &format!("analysis: {stage} (cancel at step {at})"),
            time_cancel(r, &|| Progress::cancelling_at(stage, at), &|p| {
                analyze(&inputs, &opt, p).map(|_| ()).map_err(|e| err(&e))
            })?,
        );
    }
    // A figure is rendered whole (plotters cannot stop mid-picture); the export checks before
    // and after, so this is the longest a cancelled figure export can take.
    let emb = ndarray::Array2::from_shape_fn((n, 2), |(i, j)| {
        ((i as f32 * 0.618).fract() - 0.5) * (j as f32 + 1.0)
    });
    let fig = specae::figures::umap::UmapFigure {
        embedding: emb,
        colouring: specae::figures::umap::Colouring::Class(spectra.classes.clone()),
        bins: 220,
    };
    let mut render = vec![];
    for _ in 0..r.max(1) {
        let t = Instant::now();
        specae::figures::render(&fig, specae::figures::Format::Png { dpi: 300 })?;
        render.push(t.elapsed().as_secs_f64() * 1e3);
    }
    push("export: rendering the UMAP as PNG, 300 dpi (whole)", render);
    println!(
        "cancel latency at {n} spectra ({} runs each; time from Cancel to the job's return)",
        r.max(1)
    );
    println!("{:<48} {:>10} {:>10}", "job", "median ms", "max ms");
    let mut worst = 0.0f64;
    for row in &mut rows {
        let max = row.ms.iter().copied().fold(0.0, f64::max);
        worst = worst.max(max);
        println!(
            "{:<48} {:>10.0} {:>10.0}",
            row.job,
            median(&mut row.ms),
            max
        );
    }
    println!(
        "worst {:.0} ms: {} the 1 s target (ratio {:.2})",
        worst,
        if worst <= 1000.0 { "within" } else { "over" },
        worst / 1000.0
    );
    Ok(())
}
