//! `specae bench engines`: training speed of the GPU engine (burn on wgpu) and of specae's
//! native CPU engine for the paper's network, per batch size — the first step (on a GPU: kernel
//! compilation), the steady rate and the ratio — and the GPU memory the run reserved. The
//! measurements replace the ones `--backend auto` decides by.

use std::time::{Duration, Instant};

use anyhow::Context;
use burn::prelude::*;
use clap::Args;
use specae::model::AutoencoderConfig;
use specae::train::EngineKind;
use specae::train::backend::{RunShape, speed_key};
use specae::train::engine_speed::{self, Measured, fmt_rate, speed_trainer};
use specae::train::gpu;

#[derive(Debug, Args)]
pub struct EnginesArgs {
    /// Batch sizes to time.
    #[arg(long, value_delimiter = ',', default_value = "64,512")]
    pub batch: Vec<usize>,
    /// Seconds of timed steps per engine and batch size (after the warm-up steps).
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Time the CPU engine only (no GPU is opened).
    #[arg(long)]
    pub cpu_only: bool,
    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,
}

struct Timing {
    first_step_s: f64,
    samples_per_s: f64,
}

fn time_engine(
    device: &Device,
    engine: EngineKind,
    model: &AutoencoderConfig,
    batch: usize,
    budget: Duration,
) -> anyhow::Result<Timing> {
    let mut t = speed_trainer(device, engine, model, batch).map_err(anyhow::Error::msg)?;
    let t0 = Instant::now();
    t.measure_speed(0, 1, Duration::ZERO)?;
    let first_step_s = t0.elapsed().as_secs_f64();
    let samples_per_s = t.measure_speed(engine_speed::WARM_STEPS, usize::MAX / 2, budget)?;
    Ok(Timing {
        first_step_s,
        samples_per_s,
    })
}

pub fn engines(a: EnginesArgs) -> anyhow::Result<()> {
    let model = AutoencoderConfig::new();
    let budget = Duration::from_secs_f64(a.seconds.max(0.1));
    let gpu = if a.cpu_only {
        None
    } else {
        let t0 = Instant::now();
        match gpu::open() {
            Ok(g) => {
                eprintln!(
                    "GPU: {} — opened in {:.2} s",
                    g.label(),
                    t0.elapsed().as_secs_f64()
                );
                Some(g)
            }
            Err(why) => {
                eprintln!("GPU: none ({why})");
                None
            }
        }
    };
    eprintln!(
        "CPU: native engine on {} threads; model {:?}",
        rayon::current_num_threads(),
        model.encoder_sizes()
    );
    for &batch in &a.batch {
        anyhow::ensure!(batch > 0, "--batch sizes must be at least 1");
        let cpu = time_engine(&Device::flex(), EngineKind::Native, &model, batch, budget)
            .context("timing the CPU engine")?;
        let g = match &gpu {
            Some(g) => Some(
                time_engine(&g.device, EngineKind::Burn, &model, batch, budget)
                    .with_context(|| format!("timing {}", g.label()))?,
            ),
            None => None,
        };
        let memory = gpu
            .as_ref()
            .and_then(|g| g.device.memory_pool_usage())
            .map(|u| u.bytes_reserved as f64 / 1e6);
        if let (Some(gd), Some(gt)) = (&gpu, &g) {
            let shape = RunShape {
                model: model.clone(),
                batch,
            };
            let m = Measured::now(speed_key(gd, &shape), gt.samples_per_s, cpu.samples_per_s);
            if let Err(e) = engine_speed::remember(&engine_speed::cache_path(), &m) {
                eprintln!("warning: the measurement was not remembered: {e}");
            }
        }
        if a.json {
            println!(
                "{}",
                serde_json::json!({
                    "batch": batch,
                    "cpu_samples_per_s": cpu.samples_per_s,
                    "cpu_first_step_s": cpu.first_step_s,
                    "gpu": gpu.as_ref().map(|g| g.label()),
                    "gpu_samples_per_s": g.as_ref().map(|t| t.samples_per_s),
                    "gpu_first_step_s": g.as_ref().map(|t| t.first_step_s),
                    "gpu_reserved_mb": memory,
                })
            );
            continue;
        }
        let mut line = format!(
            "batch {batch:>5}: CPU native {:>9} spectra/s (first step {:.3} s)",
            fmt_rate(cpu.samples_per_s),
            cpu.first_step_s
        );
        if let (Some(gd), Some(gt)) = (&gpu, &g) {
            line += &format!(
                "; {} {:>9} spectra/s (first step {:.2} s); GPU/CPU {:.2}x",
                gd.label(),
                fmt_rate(gt.samples_per_s),
                gt.first_step_s,
                gt.samples_per_s / cpu.samples_per_s.max(1e-9)
            );
            if let Some(mb) = memory {
                line += &format!("; GPU memory reserved {mb:.0} MB");
            }
        }
        println!("{line}");
    }
    if gpu.is_some() {
        eprintln!(
            "remembered in {} (what --backend auto decides by)",
            engine_speed::cache_path().display()
        );
    }
    Ok(())
}
