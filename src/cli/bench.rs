//! `specae bench`: data-layer benchmarks, reported as medians and ratios against
//! `reference.py` run on the same file on the same machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use specae::data::prepped::write_prepped;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::{Spectra, Split};
use specae::synth::SynthConfig;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Generate + infill a survey, then read + preprocess it (each read in a fresh process, for
    /// its peak memory), side by side with `reference.py prep` on the same file.
    Data(DataArgs),
    /// (Used by `bench data`.) Read + preprocess one file; print seconds and peak memory as JSON.
    Read(ReadArgs),
    /// Latency of decoding one latent vector on the CPU (the GUI's sliders): median and p95.
    Decode(DecodeArgs),
    /// UMAP of a latents file (n × k npy) with the analysis settings; prints seconds and
    /// trustworthiness as JSON, like `reference.py umap` (see scripts/bench-umap.sh).
    Umap(UmapArgs),
    /// Frame time of the explorer (egui update + tessellation, headless) with every view
    /// showing all spectra: p50/p95 idle, dragging a slider, and while training.
    Gui(GuiBenchArgs),
    /// Training speed of the GPU engine (wgpu) and the native CPU engine per batch size, the
    /// first step's time (GPU kernel compilation) and GPU memory; refreshes the measurement
    /// `--backend auto` decides by.
    Engines(super::bench_engines::EnginesArgs),
    /// Every GPU engine against the native CPU engine, step by step from the same weights on
    /// the same batches: batch losses, weights and validation loss (exit status 1 beyond the
    /// tolerances).
    Parity(super::bench_parity::ParityArgs),
    /// How soon each long job (generate, PCA infill, writing, encode, the analysis's stages,
    /// a figure) stops after Cancel: median and max latency at `--n` spectra.
    Cancel(super::bench_cancel::CancelArgs),
    /// Cost against the survey's size: generate, info, one epoch and analyze at each size,
    /// each in its own process (wall time and peak resident memory); writes DIR/scale-*.json.
    Scale(super::bench_scale::ScaleArgs),
    /// Training streamed from a survey store vs the same store in memory: samples/s,
    /// validation loss and peak memory of each, in fresh processes, alternated.
    Stream(super::bench_stream::StreamArgs),
    /// A simulated user triages the built-in survey (its truth as their interest): interesting
    /// spectra among the first 100 viewed by each ranking, learned after 10, 20 and 50 labels.
    Triage(super::bench_triage::TriageBenchArgs),
    /// The explorer's first launch: seconds until the survey, the latents, the outlier list,
    /// the UMAP and the whole analysis appear (built-in survey generated and analysed afresh).
    Launch(LaunchArgs),
}

#[derive(Debug, Args)]
pub struct LaunchArgs {
    /// Spectra in the built-in survey.
    #[arg(long, default_value_t = 64_000)]
    pub n: usize,
    /// Keep the generated survey (only the analysis is computed afresh) in this folder.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GuiBenchArgs {
    /// Survey [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Model [default: the built-in model].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Frames per scenario.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
    /// Also measure while training runs.
    #[arg(long)]
    pub train: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UmapArgs {
    #[arg(long)]
    pub latents: PathBuf,
    /// Write the embedding (n × 2 npy).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// All cores (Hogwild!) instead of the reproducible single-threaded optimisation.
    #[arg(long)]
    pub parallel: bool,
    /// Fit on an evenly spaced sample of at most this many points, place the others
    /// (0: all points).
    #[arg(long, default_value_t = specae::analysis::umap::FIT_MAX)]
    pub fit_max: usize,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Weights or checkpoint [default: a freshly initialised 1000-703-94-6 model].
    pub model: Option<PathBuf>,
    #[arg(long, default_value_t = 2000)]
    pub repeats: usize,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    #[arg(long, default_value_t = 64_000)]
    pub n: usize,
    /// Repeats of the read benchmarks (medians are reported).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// reference.py to compare with [default: ../shared/anchors/reference.py if present].
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// Python interpreter with numpy, for the reference.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Folder for the benchmark's files [default: a temporary folder].
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    pub file: PathBuf,
    /// Also write the prepped file (the whole job `reference.py prep` does).
    #[arg(long)]
    pub write_prepped: Option<PathBuf>,
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Data(a) => data(a),
        BenchCommand::Read(a) => read(a),
        BenchCommand::Gui(a) => gui(a),
        BenchCommand::Decode(a) => decode(a),
        BenchCommand::Umap(a) => umap(a),
        BenchCommand::Engines(a) => super::bench_engines::engines(a),
        BenchCommand::Cancel(a) => super::bench_cancel::cancel(a),
        BenchCommand::Parity(a) => super::bench_parity::parity(a),
        BenchCommand::Launch(a) => launch(a),
        BenchCommand::Stream(a) => super::bench_stream::stream(a),
        BenchCommand::Triage(a) => super::bench_triage::run(a),
        BenchCommand::Scale(a) => super::bench_scale::scale(a),
    }
}

fn umap(a: UmapArgs) -> anyhow::Result<()> {
    use ndarray::{Array2, Axis};
    use ndarray_npy::{ReadNpyExt, WriteNpyExt};
    use specae::analysis::trust::{subsample, trustworthiness};
    use specae::analysis::umap::{UmapParams, umap_embed};
    let f = std::fs::File::open(&a.latents)
        .with_context(|| format!("cannot open {}", a.latents.display()))?;
    let z = Array2::<f32>::read_npy(f)
        .with_context(|| format!("{}: not an n × k float32 npy array", a.latents.display()))?;
    let params = UmapParams {
        seed: a.seed,
        reproducible: !a.parallel,
        fit_max: a.fit_max,
        ..Default::default()
    };
    let t0 = Instant::now();
    let emb = umap_embed(z.view(), &params, &specae::util::progress::Progress::new())
        .with_context(|| a.latents.display().to_string())?;
    let secs = t0.elapsed().as_secs_f64();
    let sub = subsample(z.nrows(), 5000, 0);
    let tw = trustworthiness(
        z.select(Axis(0), &sub).view(),
        emb.select(Axis(0), &sub).view(),
        15,
    )?;
    if let Some(out) = &a.out {
        specae::util::atomic::write_atomically::<anyhow::Error, _>(out, |w| {
            emb.write_npy(w)?;
            Ok(())
        })?;
    }
    println!(
        "{}",
        serde_json::json!({"n": z.nrows(), "umap_s": (secs * 100.0).round() / 100.0,
            "trustworthiness@15": (tw * 1e4).round() / 1e4, "parallel": a.parallel,
            "fit_max": a.fit_max})
    );
    Ok(())
}

/// Peak resident memory of this process (MB), where the OS reports it.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn read(a: ReadArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let s = Spectra::load(&a.file)?;
    let t_read = t0.elapsed().as_secs_f64();
    if let Some(out) = &a.write_prepped {
        let split = Split::seeded(s.n_spectra(), 0, DEFAULT_TRAIN_FRACTION);
        write_prepped(out, &s, &split)?;
    }
    let total = t0.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"read_s": t_read, "total_s": total, "peak_rss_mb": peak_rss_mb()})
    );
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn child_read(file: &Path, prepped: Option<&Path>) -> anyhow::Result<serde_json::Value> {
    let exe = std::env::current_exe().context("locating the specae executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench", "read"]).arg(file);
    if let Some(p) = prepped {
        cmd.arg("--write-prepped").arg(p);
    }
    let out = cmd.output().context("running `specae bench read`")?;
    if !out.status.success() {
        bail!(
            "`specae bench read` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("parsing `specae bench read` output")
}

fn data(a: DataArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir().context("creating a temporary folder")?;
    let dir = a.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("bench-survey-n{}.npz", a.n));
    let cfg = SynthConfig {
        n: a.n,
        ..SynthConfig::default()
    };
    let t0 = Instant::now();
    super::builtin::generate_to(&cfg, &file, false)?;
    let t_gen = t0.elapsed().as_secs_f64();
    let gen_peak = peak_rss_mb();

    let repeats = a.repeats.max(1);
    let prepped = dir.join("bench-prepped-specae.npz");
    let (mut reads, mut totals, mut peaks) = (vec![], vec![], vec![]);
    for _ in 0..repeats {
        let v = child_read(&file, Some(&prepped))?;
        reads.push(v["read_s"].as_f64().unwrap_or(f64::NAN));
        totals.push(v["total_s"].as_f64().unwrap_or(f64::NAN));
        peaks.push(v["peak_rss_mb"].as_f64().unwrap_or(f64::NAN));
    }
    let reference = a.reference.clone().or_else(|| {
        let p = PathBuf::from("../shared/anchors/reference.py");
        p.is_file().then_some(p)
    });
    let mut ref_times = vec![];
    if let Some(r) = &reference {
        let out = dir.join("bench-prepped-reference.npz");
        for _ in 0..repeats {
            let t = Instant::now();
            let st = Command::new(&a.python)
                .arg(r)
                .args(["prep", "--data"])
                .arg(&file)
                .arg("--out")
                .arg(&out)
                .output()
                .with_context(|| format!("running {} {}", a.python, r.display()))?;
            if !st.status.success() {
                bail!(
                    "reference.py prep failed: {}",
                    String::from_utf8_lossy(&st.stderr)
                );
            }
            ref_times.push(t.elapsed().as_secs_f64());
        }
    }
    let (m_read, m_total, m_peak) = (median(reads), median(totals), median(peaks));
    println!(
        "bench data: n = {} spectra, {} repeats (medians)",
        a.n, repeats
    );
    println!(
        "  generate + PCA infill + write   {t_gen:8.2} s   peak {:.0} MB",
        gen_peak.unwrap_or(f64::NAN)
    );
    println!("  read + preprocess (specae)      {m_read:8.2} s   peak {m_peak:.0} MB");
    println!("  prep job incl. write (specae)   {m_total:8.2} s");
    if !ref_times.is_empty() {
        let m_ref = median(ref_times);
        println!("  reference.py prep (numpy)       {m_ref:8.2} s");
        println!("  ratio reference / specae (prep) {:8.2}×", m_ref / m_total);
    } else {
        println!("  (reference.py not found: pass --reference to compare)");
    }
    Ok(())
}

fn decode(a: DecodeArgs) -> anyhow::Result<()> {
    use specae::model::AutoencoderConfig;
    use specae::model::evaluate::decode_one;
    use specae::model::interop::{config_from_safetensors, model_from_safetensors};
    let device = burn::prelude::Device::flex();
    let model = match &a.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            let cfg = config_from_safetensors(&bytes)?;
            model_from_safetensors(&cfg, &bytes, None, &device)?
        }
        None => AutoencoderConfig::new().init(&device),
    };
    let latent = model
        .decoder
        .first()
        .map(|l| l.weight.val().dims()[0])
        .unwrap_or(6);
    let z: Vec<f32> = (0..latent).map(|i| 0.1 * i as f32).collect();
    for _ in 0..20 {
        std::hint::black_box(decode_one(&model, &z, &device));
    }
    let mut times: Vec<f64> = (0..a.repeats.max(1))
        .map(|k| {
            let mut zz = z.clone();
            zz[0] += k as f32 * 1e-3;
            let t = Instant::now();
            std::hint::black_box(decode_one(&model, &zz, &device));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(|x, y| x.total_cmp(y));
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "decode one latent vector ({} repeats): median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        times.len(),
        q(0.5),
        q(0.95),
        q(1.0)
    );
    Ok(())
}

#[cfg(feature = "gui")]
fn gui(a: GuiBenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let opts = specae::app::options::AppOptions {
        data: a.data,
        model: a.model,
        restore_files: false,
        // Benchmark runs write their checkpoints to a temporary folder.
        runs_dir: tmp.path().join("runs"),
        ..Default::default()
    };
    let stats = specae::app::frame_bench::run(opts, a.frames, a.train, &mut |m| eprintln!("{m}"))
        .map_err(anyhow::Error::msg)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    println!(
        "{:<46} {:>7} {:>9} {:>9} {:>9} {:>12}",
        "scenario", "frames", "p50 ms", "p95 ms", "max ms", "decode µs"
    );
    for s in &stats {
        println!(
            "{:<46} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>12}",
            s.scenario,
            s.frames,
            s.p50_ms,
            s.p95_ms,
            s.max_ms,
            s.decode_p50_us
                .map(|d| format!("{d:.0}"))
                .unwrap_or_default()
        );
    }
    let worst = stats.iter().map(|s| s.p95_ms).fold(0.0, f64::max);
    println!(
        "worst p95 {worst:.2} ms: {} the 16 ms (60 fps) budget; ratio p95/16 ms = {:.2}",
        if worst <= 16.0 { "within" } else { "over" },
        worst / 16.0
    );
    // Start and epoch ends are single events a user sees as a hitch: their worst frame counts.
    for s in stats
        .iter()
        .filter(|s| s.scenario.starts_with("clicking Start") || s.scenario.starts_with("epoch"))
    {
        println!(
            "{}: max {:.2} ms, {} 16 ms",
            s.scenario,
            s.max_ms,
            if s.max_ms <= 16.0 { "within" } else { "over" }
        );
    }
    Ok(())
}

#[cfg(feature = "gui")]
fn launch(a: LaunchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = a.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let survey = dir.join(format!("builtin-{}.npz", a.n));
    // The built-in model's analysis is cached beside the survey: remove it, so it is computed.
    let cache = specae::app::builtin_model::analysis_dir_of(
        specae::app::builtin_model::Builtin::Ae,
        &survey,
    );
    if cache.exists() {
        std::fs::remove_dir_all(&cache)?;
    }
    let generated = !survey.is_file();
    let opts = specae::app::options::AppOptions {
        builtin_n: a.n,
        builtin_path: Some(survey.clone()),
        restore_files: false,
        runs_dir: tmp.path().join("runs"),
        ..Default::default()
    };
    let t = specae::app::frame_bench::launch_times(opts, std::time::Duration::from_secs(1800))
        .map_err(anyhow::Error::msg)?;
    let s = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} s"));
    println!(
        "first launch on the built-in survey ({} spectra{}):",
        a.n,
        if generated {
            ", generated now"
        } else {
            ", analysis only"
        }
    );
    println!("  survey open      {}", s(t.data));
    println!("  latents          {}", s(t.latents));
    println!("  outlier list     {}", s(t.scores));
    println!("  UMAP visible     {}", s(t.umap));
    println!("  analysis done    {}", s(t.complete));
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn launch(_: LaunchArgs) -> anyhow::Result<()> {
    bail!("this build of specae has no GUI (built without the `gui` feature)")
}

#[cfg(not(feature = "gui"))]
fn gui(_: GuiBenchArgs) -> anyhow::Result<()> {
    bail!("this build of specae has no GUI (built without the `gui` feature)")
}
