//! Choosing where to train. `auto` opens the GPU (burn's wgpu: Metal on a Mac, Vulkan or DX12
//! elsewhere) and, the first time on a machine for a model shape and batch size, times a few
//! real steps of the GPU engine and of specae's native CPU engine and takes the faster; the
//! answer is remembered (see [`super::engine_speed`]). A software renderer is not timed: it
//! runs on the same cores as the native engine, far slower. `wgpu`, `cpu` and `burn-cpu` choose
//! without measuring. Call it on the thread that will train: opening a GPU takes seconds.

use std::time::Duration;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::engine_speed::{self, Measured, SpeedKey, fmt_rate};
use super::gpu::{self, Gpu};
use super::trainer::EngineKind;
use crate::model::AutoencoderConfig;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum BackendChoice {
    /// The faster of the GPU and the CPU on this machine, measured once and remembered.
    Auto,
    /// wgpu; an error if no GPU can be opened.
    Wgpu,
    /// The CPU, with specae's native engine (the fastest CPU path).
    Cpu,
    /// The CPU with burn's autodiff on its Flex backend (slower; for comparisons).
    BurnCpu,
}

/// What a run trains: the engine speed depends on it.
#[derive(Clone, Debug)]
pub struct RunShape {
    pub model: AutoencoderConfig,
    pub batch: usize,
}

/// The device chosen, with a sentence saying why.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub device: Device,
    /// The engine that trains on it.
    pub engine: EngineKind,
    /// "wgpu on Apple M2", "cpu (specae native engine)".
    pub name: String,
    pub reason: String,
    /// The measurement `auto` decided by (fresh or remembered).
    pub speeds: Option<Measured>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the wgpu backend was requested but {0}")]
    NoWgpu(String),
}

const CPU_NAME: &str = "cpu (specae native engine)";

fn cpu(reason: String, speeds: Option<Measured>) -> Chosen {
    Chosen {
        device: Device::flex(),
        engine: EngineKind::Native,
        name: CPU_NAME.into(),
        reason,
        speeds,
    }
}

/// burn's autodiff on the CPU.
fn burn_cpu(reason: String) -> Chosen {
    Chosen {
        device: Device::flex(),
        engine: EngineKind::Burn,
        name: "cpu (burn flex)".into(),
        reason,
        speeds: None,
    }
}

/// Picks a device for `choice` and a run of `shape`.
pub fn choose(choice: BackendChoice, shape: &RunShape) -> Result<Chosen, BackendError> {
    match choice {
        BackendChoice::Cpu => Ok(cpu("requested with --backend cpu".into(), None)),
        BackendChoice::BurnCpu => Ok(burn_cpu("requested with --backend burn-cpu".into())),
        BackendChoice::Wgpu => gpu::open()
            .map(|g| Chosen {
                device: g.device.clone(),
                engine: EngineKind::Burn,
                name: g.label(),
                reason: "requested with --backend wgpu".into(),
                speeds: None,
            })
            .map_err(BackendError::NoWgpu),
        BackendChoice::Auto => Ok(match gpu::open() {
            // A software renderer (llvmpipe, WARP) runs on the cores the native engine uses:
            // measured here at 0.02-0.04x of it, and timing it costs up to a minute (its
            // kernel autotuning at a new batch size), so it is not timed again.
            Ok(g) if g.software => cpu(
                format!(
                    "the GPU adapter found, {}, is a software renderer on these same CPU cores; \
                     training on the CPU (`specae bench engines` times both)",
                    g.adapter
                ),
                None,
            ),
            Ok(g) => by_measurement(&g, shape, &engine_speed::cache_path(), false),
            Err(why) => cpu(format!("{why}; training on the CPU"), None),
        }),
    }
}

/// The measurement's cache key for `gpu` and `shape` on this machine.
pub fn speed_key(gpu: &Gpu, shape: &RunShape) -> SpeedKey {
    SpeedKey {
        adapter: gpu.adapter.clone(),
        fingerprint: gpu.fingerprint.clone(),
        layers: shape.model.encoder_sizes(),
        batch: shape.batch,
        cpu_threads: rayon::current_num_threads(),
        specae: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Measures both engines for `shape` (no cache), or says why the GPU could not be measured.
pub fn measure_both(gpu: &Gpu, shape: &RunShape) -> Result<Measured, String> {
    let budget = engine_speed::MEASURE_BUDGET;
    let g = engine_speed::measure(
        &gpu.device,
        EngineKind::Burn,
        &shape.model,
        shape.batch,
        budget,
    )?;
    let c = engine_speed::measure(
        &Device::flex(),
        EngineKind::Native,
        &shape.model,
        shape.batch,
        budget,
    )?;
    Ok(Measured::now(speed_key(gpu, shape), g, c))
}

/// `auto` with a GPU: the remembered measurement for this key (unless `fresh`), else a new one
/// (remembered in `cache`); the faster engine wins.
pub fn by_measurement(gpu: &Gpu, shape: &RunShape, cache: &std::path::Path, fresh: bool) -> Chosen {
    let key = speed_key(gpu, shape);
    let remembered = if fresh {
        None
    } else {
        engine_speed::lookup(cache, &key)
    };
    let (m, how) = match remembered {
        Some(m) => {
            let ago = engine_speed::unix_now().saturating_sub(m.when);
            let how = format!(
                "measured {} ago; `specae bench engines` measures again",
                fmt_age(Duration::from_secs(ago))
            );
            (m, how)
        }
        None => match measure_both(gpu, shape) {
            Ok(m) => {
                let how = match engine_speed::remember(cache, &m) {
                    Ok(()) => "measured now; remembered for this machine".to_string(),
                    Err(e) => format!("measured now; not remembered: {e}"),
                };
                (m, how)
            }
            Err(e) => {
                return cpu(
                    format!(
                        "{} failed a test run ({e}); training on the CPU",
                        gpu.label()
                    ),
                    None,
                );
            }
        },
    };
    let rates = format!(
        "{} {} spectra/s vs CPU {} at batch {}",
        gpu.label(),
        fmt_rate(m.gpu),
        fmt_rate(m.cpu),
        shape.batch
    );
    if m.gpu > m.cpu {
        Chosen {
            device: gpu.device.clone(),
            engine: EngineKind::Burn,
            name: gpu.label(),
            reason: format!("faster by measurement: {rates} ({how})"),
            speeds: Some(m),
        }
    } else {
        cpu(
            format!("the CPU is faster by measurement: {rates} ({how})"),
            Some(m),
        )
    }
}

fn fmt_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86400),
    }
}
