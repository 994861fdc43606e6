//! `specae bench scale`: what each stage costs against the survey's size — generate, info,
//! one training epoch, analyze, and on request ingest (of DESI coadds written first by
//! `generate --format desi`, ~90 KB a spectrum on disk) — as wall time and the peak resident memory the OS reports for
//! each stage's own process (each runs as a child of this one). The README's table of cost
//! against size comes from here.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One npz file, read whole by every stage.
    Npz,
    /// A Zarr survey store, written and read a block at a time.
    Zarr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Step {
    Generate,
    Info,
    Epoch,
    Analyze,
    /// The survey written as DESI coadds with redrock files (DIR/desi-N), for `ingest`.
    Desi,
    /// `specae ingest` of DIR/desi-N into DIR/ingested-N (.zarr or .npz).
    Ingest,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Survey sizes (spectra).
    #[arg(long, value_delimiter = ',', default_value = "64000,256000,1000000")]
    pub sizes: Vec<usize>,
    /// Folder for the surveys and runs (a million spectra take 9 GB).
    #[arg(long)]
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Zarr)]
    pub format: Format,
    /// The stages, in order (analyze needs the epoch's model; ingest the desi files).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "generate,info,epoch,analyze"
    )]
    pub steps: Vec<Step>,
    /// Keep a survey already in DIR instead of generating it again.
    #[arg(long)]
    pub reuse: bool,
    /// Run the analysis's UMAP on all cores (`analyze --parallel`).
    #[arg(long)]
    pub parallel: bool,
}

/// One stage's cost.
struct Cost {
    seconds: f64,
    peak_mb: Option<f64>,
    failed: Option<String>,
}

pub fn scale(a: ScaleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!a.sizes.is_empty(), "--sizes is empty");
    std::fs::create_dir_all(&a.dir)
        .with_context(|| format!("cannot create {}", a.dir.display()))?;
    let exe = std::env::current_exe().context("cannot find specae's own binary")?;
    let ext = if a.format == Format::Zarr {
        "zarr"
    } else {
        "npz"
    };
    println!(
        "{:>9}  {:<9} {:>10} {:>11}",
        "spectra", "stage", "seconds", "peak MB"
    );
    let mut lines = vec![];
    for &n in &a.sizes {
        let data = a.dir.join(format!("survey-{n}.{ext}"));
        let run = a.dir.join(format!("run-{n}-{ext}"));
        let model = run.join("best.safetensors");
        for &step in &a.steps {
            let mut c = Command::new(&exe);
            match step {
                Step::Generate => {
                    if a.reuse && data.exists() {
                        continue;
                    }
                    c.args(["generate", "--n", &n.to_string(), "--out"])
                        .arg(&data);
                }
                Step::Info => {
                    c.arg("info").arg(&data);
                }
                Step::Epoch => {
                    c.args(["train", "--epochs", "1", "--backend", "cpu", "--data"])
                        .arg(&data)
                        .arg("--out")
                        .arg(&run);
                }
                Step::Desi => {
                    let desi = a.dir.join(format!("desi-{n}"));
                    if a.reuse && desi.exists() {
                        continue;
                    }
                    c.args([
                        "generate",
                        "--format",
                        "desi",
                        "--n",
                        &n.to_string(),
                        "--out",
                    ])
                    .arg(desi);
                }
                Step::Ingest => {
                    c.arg("ingest")
                        .arg(a.dir.join(format!("desi-{n}")))
                        .arg("--out")
                        .arg(a.dir.join(format!("ingested-{n}.{ext}")));
                }
                Step::Analyze => {
                    c.arg("analyze")
                        .arg(&model)
                        .arg("--data")
                        .arg(&data)
                        .arg("--out")
                        .arg(run.join("analysis"));
                    if a.parallel {
                        c.arg("--parallel");
                    }
                }
            }
            let cost = measure(c)?;
            let name = format!("{step:?}").to_lowercase();
            let peak = cost.peak_mb.map_or("n/a".into(), |m| format!("{m:.0}"));
            match &cost.failed {
                None => println!("{n:>9}  {name:<9} {:>10.1} {peak:>11}", cost.seconds),
                Some(why) => println!(
                    "{n:>9}  {name:<9} {:>10.1} {peak:>11}  FAILED: {why}",
                    cost.seconds
                ),
            }
            lines.push(serde_json::json!({"n": n, "format": ext, "stage": name,
                "seconds": cost.seconds, "peak_mb": cost.peak_mb, "failed": cost.failed}));
        }
    }
    let out = a.dir.join(format!("scale-{ext}.json"));
    std::fs::write(&out, serde_json::to_vec_pretty(&lines)?)
        .with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// Runs `c` with its high-water mark reported (see `main`), timing it.
fn measure(mut c: Command) -> anyhow::Result<Cost> {
    c.env(super::PEAK_ENV, "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let t0 = Instant::now();
    let out = c.output().context("cannot run a stage's process")?;
    let seconds = t0.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let peak_mb = err
        .lines()
        .filter_map(|l| l.strip_prefix(super::PEAK_ENV))
        .filter_map(|v| v.trim().parse().ok())
        .next_back();
    let failed = (!out.status.success()).then(|| {
        err.lines()
            .rfind(|l| l.starts_with("error"))
            .unwrap_or("failed")
            .to_string()
    });
    Ok(Cost {
        seconds,
        peak_mb,
        failed,
    })
}
