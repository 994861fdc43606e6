//! `specae bench engines`: training speed of the GPU engine (burn on wgpu) and of specae's
//! native CPU engine for the paper's network, per batch size — the first step (on a GPU: kernel
//! compilation), the steady rate and the ratio — and the GPU memory the run reserved. An engine
//! that fails (or panics) at one batch size is reported and the others go on. The measurements
//! replace the ones `--backend auto` decides by (a failure too).

use std::time::{Duration, Instant};

use burn::prelude::*;
use clap::Args;
use specae::model::AutoencoderConfig;
use specae::train::EngineKind;
use specae::train::backend::{RunShape, speed_key};
use specae::train::engine_speed::{self, Measured, fmt_rate, speed_trainer};
use specae::train::gpu::{self, Gpu};

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
    /// Tests: every engine's first step at this batch size panics, as a device error does
    /// inside burn's runtime.
    #[arg(long, hide = true)]
    pub inject_fault_at_batch: Option<usize>,
}

struct Timing {
    first_step_s: f64,
    samples_per_s: f64,
}

/// One engine at one batch size: its first step and its steady rate, or why it failed (a panic
/// inside burn's runtime included).
fn time_engine(
    device: &Device,
    engine: EngineKind,
    model: &AutoencoderConfig,
    batch: usize,
    budget: Duration,
    fault: bool,
) -> Result<Timing, String> {
    specae::util::catch(|| -> Result<Timing, String> {
        let mut t = speed_trainer(device, engine, model, batch)?;
        if fault {
            t.inject_fault(1, "device error (injected by a test)");
        }
        let t0 = Instant::now();
        t.measure_speed(0, 1, Duration::ZERO)
            .map_err(|e| e.to_string())?;
        let first_step_s = t0.elapsed().as_secs_f64();
        let samples_per_s = t
            .measure_speed(engine_speed::WARM_STEPS, usize::MAX / 2, budget)
            .map_err(|e| e.to_string())?;
        Ok(Timing {
            first_step_s,
            samples_per_s,
        })
    })
    .and_then(|r| r)
}

pub fn engines(a: EnginesArgs) -> anyhow::Result<()> {
    let model = AutoencoderConfig::new();
    let budget = Duration::from_secs_f64(a.seconds.max(0.1));
    anyhow::ensure!(
        a.batch.iter().all(|&b| b > 0),
        "--batch sizes must be at least 1"
    );
    let mut gpus: Vec<Gpu> = vec![];
    if !a.cpu_only {
        let t0 = Instant::now();
        let all = gpu::open_all();
        let opened_in = t0.elapsed().as_secs_f64();
        for (api, opened) in all {
            match opened {
                Ok(g) => {
                    eprintln!(
                        "GPU: {} (driver {}) — the GPU engines opened in {opened_in:.2} s",
                        g.label(),
                        if g.driver.is_empty() {
                            "unknown"
                        } else {
                            &g.driver
                        },
                    );
                    gpus.push(g);
                }
                Err(why) => eprintln!("GPU ({}): none ({why})", api.name()),
            }
        }
    }
    eprintln!(
        "CPU: native engine on {} threads; model {:?}",
        rayon::current_num_threads(),
        model.encoder_sizes()
    );
    let mut failures = 0usize;
    for &batch in &a.batch {
        let fault = a.inject_fault_at_batch == Some(batch);
        let cpu = time_engine(
            &Device::flex(),
            EngineKind::Native,
            &model,
            batch,
            budget,
            fault,
        );
        let timed: Vec<(&Gpu, Result<Timing, String>)> = gpus
            .iter()
            .map(|g| {
                (
                    g,
                    time_engine(&g.device, EngineKind::Burn, &model, batch, budget, fault),
                )
            })
            .collect();
        let shape = RunShape {
            model: model.clone(),
            batch,
        };
        for (g, t) in &timed {
            // What `auto` decides by: the new numbers, or the failure.
            let m = match (t, &cpu) {
                (Ok(gt), Ok(ct)) => Some(Measured::now(
                    speed_key(g, &shape),
                    gt.samples_per_s,
                    ct.samples_per_s,
                )),
                (Err(why), _) => Some(Measured::failure(speed_key(g, &shape), why.clone())),
                (Ok(_), Err(_)) => None,
            };
            if let Some(m) = m
                && let Err(e) = engine_speed::remember(&engine_speed::cache_path(), &m)
            {
                eprintln!("warning: the measurement was not remembered: {e}");
            }
        }
        failures += usize::from(cpu.is_err()) + timed.iter().filter(|(_, t)| t.is_err()).count();
        if a.json {
            let gpus_json: Vec<serde_json::Value> = timed
                .iter()
                .map(|(g, t)| {
                    let memory = g
                        .device
                        .memory_pool_usage()
                        .map(|u| u.bytes_reserved as f64 / 1e6);
                    match t {
                        Ok(t) => serde_json::json!({
                            "gpu": g.label(),
                            "samples_per_s": t.samples_per_s,
                            "first_step_s": t.first_step_s,
                            "reserved_mb": memory,
                        }),
                        Err(e) => serde_json::json!({"gpu": g.label(), "error": e}),
                    }
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "batch": batch,
                    "cpu_samples_per_s": cpu.as_ref().ok().map(|t| t.samples_per_s),
                    "cpu_first_step_s": cpu.as_ref().ok().map(|t| t.first_step_s),
                    "cpu_error": cpu.as_ref().err(),
                    "gpus": gpus_json,
                })
            );
            continue;
        }
        let mut line = match &cpu {
            Ok(c) => format!(
                "batch {batch:>5}: CPU native {:>9} spectra/s (first step {:.3} s)",
                fmt_rate(c.samples_per_s),
                c.first_step_s
            ),
            Err(e) => format!("batch {batch:>5}: CPU native FAILED ({e})"),
        };
        for (g, t) in &timed {
            match t {
                Ok(gt) => {
                    line += &format!(
                        "; {} {:>9} spectra/s (first step {:.2} s)",
                        g.label(),
                        fmt_rate(gt.samples_per_s),
                        gt.first_step_s,
                    );
                    if let Ok(c) = &cpu {
                        line += &format!(
                            "; GPU/CPU {:.2}x",
                            gt.samples_per_s / c.samples_per_s.max(1e-9)
                        );
                    }
                    if let Some(u) = g.device.memory_pool_usage() {
                        line += &format!(
                            "; GPU memory reserved {:.0} MB",
                            u.bytes_reserved as f64 / 1e6
                        );
                    }
                }
                Err(e) => line += &format!("; {} FAILED ({e})", g.label()),
            }
        }
        println!("{line}");
    }
    if !gpus.is_empty() {
        eprintln!(
            "remembered in {} (what --backend auto decides by)",
            engine_speed::cache_path().display()
        );
    }
    if failures > 0 {
        eprintln!("{failures} engine timing(s) failed (reported above); the others are complete");
    }
    Ok(())
}
