//! Choosing where to train. `auto` opens the GPU engines of this build (burn's wgpu: Metal on
//! a Mac, Vulkan or DX12 elsewhere; burn's CUDA with `gpu-cuda`) and, the first time on a
//! machine for a model and batch size, times real steps of each against specae's native CPU
//! engine (alternated, best of two runs of ≥ 1 s) and takes the fastest; the answer is
//! remembered (see [`super::engine_speed`]). A GPU engine that fails or panics while measured
//! is "the CPU, and why" — remembered too. A software renderer is not timed: it runs on the
//! same cores as the native engine, far slower. `wgpu`, `cuda`, `cpu` and `burn-cpu` choose
//! without measuring. Call it on the thread that will train: opening a GPU takes seconds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::engine_speed::{self, Measured, SpeedKey, SpeedWatch, fmt_rate};
use super::gpu::{self, Gpu, GpuApi};
use super::trainer::EngineKind;
use crate::model::AutoencoderConfig;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum BackendChoice {
    /// The fastest of the GPU engines and the CPU on this machine, measured once and
    /// remembered.
    Auto,
    /// wgpu; an error if no GPU can be opened.
    Wgpu,
    /// burn's CUDA backend on an NVIDIA GPU (builds with `--features gpu-cuda`); an error if
    /// CUDA cannot be opened.
    Cuda,
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
    /// Checks the run's first epochs against that measurement (see [`SpeedWatch`]).
    pub watch: Option<SpeedWatch>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the wgpu backend was requested but {0}")]
    NoWgpu(String),
    #[error("the CUDA backend was requested but {0}")]
    NoCuda(String),
}

const CPU_NAME: &str = "cpu (specae native engine)";

fn cpu(reason: String, speeds: Option<Measured>) -> Chosen {
    Chosen {
        device: Device::flex(),
        engine: EngineKind::Native,
        name: CPU_NAME.into(),
        reason,
        speeds,
        watch: None,
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
        watch: None,
    }
}

/// How `auto` decides: where it remembers, whether to measure afresh, and a test's fault.
#[derive(Clone, Debug)]
pub struct Auto {
    /// The measurement cache ([`engine_speed::cache_path`] by default).
    pub cache: PathBuf,
    /// Measure even when a measurement is remembered.
    pub fresh: bool,
    /// Tests of the recovery: the GPU engine's measurement panics with this message, as a
    /// device error does inside burn's runtime. A software renderer is then measured rather
    /// than skipped (so CI's lavapipe runs the path), and the failure is not remembered (it
    /// says nothing about the machine).
    #[doc(hidden)]
    pub fault: Option<String>,
}

impl Default for Auto {
    fn default() -> Self {
        Self {
            cache: engine_speed::cache_path(),
            fresh: false,
            fault: None,
        }
    }
}

/// Picks a device for `choice` and a run of `shape`.
pub fn choose(choice: BackendChoice, shape: &RunShape) -> Result<Chosen, BackendError> {
    choose_with(choice, shape, &Auto::default())
}

/// [`choose`], with `auto`'s settings.
pub fn choose_with(
    choice: BackendChoice,
    shape: &RunShape,
    auto: &Auto,
) -> Result<Chosen, BackendError> {
    let requested = |g: Gpu, flag: &str| Chosen {
        device: g.device.clone(),
        engine: EngineKind::Burn,
        name: g.label(),
        reason: format!("requested with --backend {flag}"),
        speeds: None,
        watch: None,
    };
    match choice {
        BackendChoice::Cpu => Ok(cpu("requested with --backend cpu".into(), None)),
        BackendChoice::BurnCpu => Ok(burn_cpu("requested with --backend burn-cpu".into())),
        BackendChoice::Wgpu => gpu::open()
            .map(|g| requested(g, "wgpu"))
            .map_err(BackendError::NoWgpu),
        BackendChoice::Cuda => gpu::open_cuda()
            .map(|g| requested(g, "cuda"))
            .map_err(BackendError::NoCuda),
        BackendChoice::Auto => {
            let mut candidates = vec![];
            let mut skipped = vec![];
            for (api, opened) in gpu::open_all() {
                match opened {
                    // A software renderer (llvmpipe, WARP) runs on the cores the native
                    // engine uses: measured here at 0.02-0.04x of it, and timing it costs up
                    // to a minute (its kernel compilation at a new batch size), so it is not
                    // timed.
                    Ok(g) if g.software && auto.fault.is_none() => skipped.push(format!(
                        "the GPU adapter found, {}, is a software renderer on these same CPU \
                         cores",
                        g.adapter
                    )),
                    Ok(g) => candidates.push(g),
                    // Without the CUDA feature there is nothing to say about CUDA.
                    Err(_) if api == GpuApi::Cuda && !cfg!(feature = "gpu-cuda") => {}
                    Err(why) => skipped.push(why),
                }
            }
            if candidates.is_empty() {
                return Ok(cpu(
                    format!(
                        "{}; training on the CPU (`specae bench engines` times both)",
                        skipped.join("; ")
                    ),
                    None,
                ));
            }
            Ok(by_measurement_with(&candidates, shape, auto))
        }
    }
}

/// The measurement's cache key for `gpu` and `shape` on this machine.
pub fn speed_key(gpu: &Gpu, shape: &RunShape) -> SpeedKey {
    SpeedKey {
        engine: gpu.api.name().into(),
        adapter: gpu.adapter.clone(),
        driver: gpu.driver.clone(),
        fingerprint: gpu.fingerprint.clone(),
        features: engine_speed::build_features(),
        model: format!("{:?}", shape.model.model_kind()),
        layers: shape.model.encoder_sizes(),
        batch: shape.batch,
        cpu_threads: rayon::current_num_threads(),
        specae: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Measures `gpu`'s engine against the native CPU engine for `shape` (no cache):
/// [`engine_speed::ROUNDS`] alternated runs of at least [`engine_speed::RUN_TIME`] each, or why
/// the GPU engine failed (a panic inside burn's runtime included).
pub fn measure_both(gpu: &Gpu, shape: &RunShape, fault: Option<&str>) -> Measured {
    let key = speed_key(gpu, shape);
    match engine_speed::measure_pair(
        &gpu.device,
        &shape.model,
        shape.batch,
        engine_speed::RUN_TIME,
        engine_speed::ROUNDS,
        fault,
    ) {
        Ok((g, c)) => Measured::of_runs(key, g, c),
        Err(why) => Measured::failure(key, why),
    }
}

/// `auto` with `gpu` as the only candidate (see [`by_measurement_with`]).
pub fn by_measurement(gpu: &Gpu, shape: &RunShape, cache: &Path, fresh: bool) -> Chosen {
    let auto = Auto {
        cache: cache.to_path_buf(),
        fresh,
        fault: None,
    };
    by_measurement_with(std::slice::from_ref(gpu), shape, &auto)
}

/// `auto` among GPU engines: for each, the remembered measurement for its key (unless
/// `fresh`), else a new one (remembered in the cache, a failure too); the fastest engine wins,
/// the native CPU engine unless a GPU beat it.
pub fn by_measurement_with(gpus: &[Gpu], shape: &RunShape, auto: &Auto) -> Chosen {
    measured_choice(gpus, shape, auto, &|g, s| {
        measure_both(g, s, auto.fault.as_deref())
    })
}

/// [`by_measurement_with`] with the measurement passed in (tests make it fail).
pub fn measured_choice(
    gpus: &[Gpu],
    shape: &RunShape,
    auto: &Auto,
    measure: &dyn Fn(&Gpu, &RunShape) -> Measured,
) -> Chosen {
    let mut said = vec![];
    let mut best: Option<(&Gpu, Measured, String)> = None;
    let mut cpu_best: Option<(Measured, String)> = None;
    for gpu in gpus {
        let key = speed_key(gpu, shape);
        let remembered = if auto.fresh || auto.fault.is_some() {
            None
        } else {
            engine_speed::lookup(&auto.cache, &key)
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
            None => {
                // The runtime's own panic message is printed by the default hook as well;
                // what matters is that it ends here, as the CPU and a reason.
                let m = crate::util::catch(|| measure(gpu, shape))
                    .unwrap_or_else(|p| Measured::failure(key.clone(), p));
                let how = if auto.fault.is_some() {
                    "measured now; a test's fault, not remembered".to_string()
                } else {
                    match engine_speed::remember(&auto.cache, &m) {
                        Ok(()) => "measured now; remembered for this machine".to_string(),
                        Err(e) => format!("measured now; not remembered: {e}"),
                    }
                };
                (m, how)
            }
        };
        if let Some(why) = &m.failed {
            said.push(format!(
                "{} failed its test run ({why}) — {how}",
                gpu.label()
            ));
            continue;
        }
        let noise = m
            .noise()
            .map(|r| format!("; noisy: runs {r:.1}x apart"))
            .unwrap_or_default();
        said.push(format!(
            "{} {} spectra/s vs CPU {} at batch {}, best of {} runs of ≥ {:.0} s{noise} ({how})",
            gpu.label(),
            fmt_rate(m.gpu),
            fmt_rate(m.cpu),
            shape.batch,
            m.gpu_runs.len().max(1),
            engine_speed::RUN_TIME.as_secs_f64(),
        ));
        if m.gpu > m.cpu && best.as_ref().is_none_or(|(_, b, _)| m.gpu > b.gpu) {
            best = Some((gpu, m.clone(), how.clone()));
        }
        if cpu_best.as_ref().is_none_or(|(c, _)| m.cpu > c.cpu) {
            cpu_best = Some((m, how));
        }
    }
    let rates = said.join("; ");
    if let Some((gpu, m, _)) = best {
        let watch = SpeedWatch::new(auto.cache.clone(), &m, gpu.label(), m.gpu);
        return Chosen {
            device: gpu.device.clone(),
            engine: EngineKind::Burn,
            name: gpu.label(),
            reason: format!("faster by measurement: {rates}"),
            speeds: Some(m),
            watch: (auto.fault.is_none()).then_some(watch),
        };
    }
    match cpu_best {
        Some((m, _)) => {
            let mut c = cpu(
                format!("the CPU is faster by measurement: {rates}"),
                Some(m.clone()),
            );
            c.watch = (auto.fault.is_none())
                .then(|| SpeedWatch::new(auto.cache.clone(), &m, CPU_NAME.into(), m.cpu));
            c
        }
        None => cpu(format!("{rates}; training on the CPU"), None),
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
