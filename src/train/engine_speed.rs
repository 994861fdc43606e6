//! How fast each engine trains a given model at a given batch size on this machine: measured
//! by real optimisation steps on random spectra, and remembered in a small JSON file
//! (`engine-speeds.json` in specae's data folder) keyed by everything the speed depends on —
//! the GPU engine and adapter, its driver and kernel target, the GPU features compiled in, the
//! model's kind and shape, the batch size, the CPU's thread count and specae's version — so
//! the measurement runs once per machine and setting, not at every launch.
//!
//! A measurement alternates the engines (GPU, CPU, GPU, CPU), each run at least
//! [`RUN_TIME`] after [`WARM_STEPS`] untimed steps, and keeps each engine's best: a laptop GPU
//! needs about a second of work to raise its clocks, and alternating spreads a background
//! burst over both engines rather than onto one. A GPU engine that fails or panics during its
//! test run is remembered as failed, with the reason. A remembered choice that a run
//! contradicts (its epochs far slower than measured, [`SpeedWatch`]) is forgotten.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use burn::prelude::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::stream::Rows;
use super::trainer::{EngineKind, TrainData, Trainer};
use crate::data::Split;
use crate::model::AutoencoderConfig;
use crate::util::atomic::{AtomicWriteError, write_atomically};

/// What a measurement was made for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeedKey {
    /// The GPU engine: "wgpu" or "CUDA".
    pub engine: String,
    pub adapter: String,
    /// The driver's name and version as the system reports them ("" when it does not).
    pub driver: String,
    /// What the GPU's kernels are compiled for ("wgsl", "spirv", "ptx_sm90").
    pub fingerprint: String,
    /// The GPU features of this build (`gpu-fusion`, `gpu-autotune`): they change the kernels.
    pub features: Vec<String>,
    /// The model's kind ("Ae", "Vae", "InfoVae").
    pub model: String,
    /// Encoder widths (n_bins, hidden…, latent).
    pub layers: Vec<usize>,
    pub batch: usize,
    pub cpu_threads: usize,
    pub specae: String,
}

/// The GPU features compiled into this build (part of [`SpeedKey`]).
pub fn build_features() -> Vec<String> {
    [
        (cfg!(feature = "gpu-fusion"), "gpu-fusion"),
        (cfg!(feature = "gpu-autotune"), "gpu-autotune"),
        (cfg!(feature = "gpu-cuda"), "gpu-cuda"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| f.to_string())
    .collect()
}

/// Both engines' speeds for one key, in spectra per second, or the GPU engine's failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub key: SpeedKey,
    /// The GPU engine's best run (0 when it failed).
    pub gpu: f64,
    /// The native CPU engine's best run.
    pub cpu: f64,
    /// Every timed run, in order (the spread says how noisy the machine was).
    #[serde(default)]
    pub gpu_runs: Vec<f64>,
    #[serde(default)]
    pub cpu_runs: Vec<f64>,
    /// The GPU engine failed or panicked during its test run: why (the CPU trains).
    #[serde(default)]
    pub failed: Option<String>,
    /// Seconds since 1970 when measured.
    pub when: u64,
}

/// To 0.1 spectra/s: far finer than the measurement noise, and numbers of few digits come back
/// from the JSON cache exactly (serde_json's default float parsing is not correctly rounded for
/// all 17-digit numbers, so a remembered rate could differ from the measured one in its last
/// bit).
fn tenth(r: f64) -> f64 {
    (r * 10.0).round() / 10.0
}

impl Measured {
    /// Both speeds for `key`, measured now.
    pub fn now(key: SpeedKey, gpu: f64, cpu: f64) -> Self {
        Self::of_runs(key, vec![gpu], vec![cpu])
    }

    /// The best of each engine's runs, measured now.
    pub fn of_runs(key: SpeedKey, gpu_runs: Vec<f64>, cpu_runs: Vec<f64>) -> Self {
        let gpu_runs: Vec<f64> = gpu_runs.into_iter().map(tenth).collect();
        let cpu_runs: Vec<f64> = cpu_runs.into_iter().map(tenth).collect();
        Self {
            key,
            gpu: gpu_runs.iter().copied().fold(0.0, f64::max),
            cpu: cpu_runs.iter().copied().fold(0.0, f64::max),
            gpu_runs,
            cpu_runs,
            failed: None,
            when: unix_now(),
        }
    }

    /// The GPU engine of `key` failed its test run.
    pub fn failure(key: SpeedKey, why: String) -> Self {
        Self {
            key,
            gpu: 0.0,
            cpu: 0.0,
            gpu_runs: vec![],
            cpu_runs: vec![],
            failed: Some(why),
            when: unix_now(),
        }
    }

    /// The ratio of an engine's slowest run to its fastest, when it is over 1.25: a noisy
    /// measurement worth saying so.
    pub fn noise(&self) -> Option<f64> {
        let spread = |runs: &[f64]| {
            let lo = runs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = runs.iter().copied().fold(0.0, f64::max);
            if lo > 0.0 && lo.is_finite() {
                hi / lo
            } else {
                1.0
            }
        };
        let worst = spread(&self.gpu_runs).max(spread(&self.cpu_runs));
        (worst > 1.25).then_some(worst)
    }
}

/// Seconds since 1970 (0 if the clock is before it).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Debug, thiserror::Error)]
pub enum SpeedCacheError {
    #[error(transparent)]
    Write(#[from] AtomicWriteError),
    #[error("cannot write {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The cache file: `engine-speeds.json` in specae's data folder (`SPECAE_DATA_DIR` overrides).
pub fn cache_path() -> PathBuf {
    crate::data::sources::data_dir().join("engine-speeds.json")
}

/// Every remembered measurement; a missing or unreadable file is an empty cache, and an entry
/// of an older layout is dropped (it is only a cache: the next measurement rewrites it).
pub fn read_cache(path: &Path) -> Vec<Measured> {
    let entries: Vec<serde_json::Value> = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    entries
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// The remembered measurement for `key`.
pub fn lookup(path: &Path, key: &SpeedKey) -> Option<Measured> {
    read_cache(path).into_iter().find(|m| &m.key == key)
}

/// Remembers `m` (replacing an older one of the same key), atomically.
pub fn remember(path: &Path, m: &Measured) -> Result<(), SpeedCacheError> {
    let mut all = read_cache(path);
    all.retain(|o| o.key != m.key);
    all.push(m.clone());
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    write_atomically(path, |f| {
        serde_json::to_writer_pretty(f, &all).map_err(|source| SpeedCacheError::Encode {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Forgets the measurement of `key` (a run contradicted it); true if there was one.
pub fn forget(path: &Path, key: &SpeedKey) -> Result<bool, SpeedCacheError> {
    let mut all = read_cache(path);
    let before = all.len();
    all.retain(|o| &o.key != key);
    if all.len() == before {
        return Ok(false);
    }
    write_atomically(path, |f| {
        serde_json::to_writer_pretty(f, &all).map_err(|source| SpeedCacheError::Encode {
            path: path.to_path_buf(),
            source,
        })
    })?;
    Ok(true)
}

/// Each timed run of an engine lasts at least this long (after its warm-up steps).
pub const RUN_TIME: Duration = Duration::from_secs(1);
/// Timed runs per engine, alternating; the best counts.
pub const ROUNDS: usize = 2;
/// Untimed steps first: the GPU compiles its kernels in the first ones.
pub const WARM_STEPS: usize = 3;

/// A fresh model (seeded) of `model`'s shape on `device`, training on random spectra at
/// `batch` (four batches and one validation row): what [`measure`] and `specae bench engines`
/// time.
pub fn speed_trainer(
    device: &Device,
    engine: EngineKind,
    model: &AutoencoderConfig,
    batch: usize,
) -> Result<Trainer, String> {
    let rows = batch.max(1) * 4 + 1;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let x = Array2::from_shape_fn((rows, model.n_bins), |_| rng.random::<f32>());
    let w = Array2::from_elem((rows, model.n_bins), 1.0f32);
    let data = TrainData {
        rows: Rows::memory(Arc::new(x), Arc::new(w)),
        split: Split {
            seed: None,
            train: (0..rows as u32 - 1).collect(),
            valid: vec![rows as u32 - 1],
        },
        identity: None,
        grid: None,
        infill: None,
    };
    let config = TrainConfig::new(model.clone())
        .with_batch_size(batch)
        .with_shuffle(false);
    Trainer::new_on(config, data, device, engine).map_err(|e| e.to_string())
}

/// Spectra/s of `engine` on `device` training `model` at `batch`: [`WARM_STEPS`] untimed
/// steps, then steps for at least `run_time`.
pub fn measure(
    device: &Device,
    engine: EngineKind,
    model: &AutoencoderConfig,
    batch: usize,
    run_time: Duration,
) -> Result<f64, String> {
    speed_trainer(device, engine, model, batch)?
        .measure_speed(WARM_STEPS, usize::MAX / 2, run_time)
        .map_err(|e| e.to_string())
}

/// Timed runs of the GPU engine on `gpu` and of the native CPU engine, alternating (GPU first),
/// `rounds` each of at least `run_time` after [`WARM_STEPS`] untimed steps. A failure or a
/// panic of the GPU engine is its error, with the runtime's message. `fault` (tests) makes
/// the GPU engine's first step panic with that message, as a device error does inside burn's
/// runtime.
pub fn measure_pair(
    gpu: &Device,
    model: &AutoencoderConfig,
    batch: usize,
    run_time: Duration,
    rounds: usize,
    fault: Option<&str>,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut g = crate::util::catch(|| speed_trainer(gpu, EngineKind::Burn, model, batch))
        .and_then(|r| r)
        .map_err(|e| format!("setting up: {e}"))?;
    if let Some(message) = fault {
        g.inject_fault(1, message);
    }
    let mut c = speed_trainer(&Device::flex(), EngineKind::Native, model, batch)?;
    let (mut gpu_runs, mut cpu_runs) = (vec![], vec![]);
    for round in 0..rounds.max(1) {
        let warm = if round == 0 { WARM_STEPS } else { 0 };
        let r = crate::util::catch(|| g.measure_speed(warm, usize::MAX / 2, run_time))
            .and_then(|r| r.map_err(|e| e.to_string()))?;
        gpu_runs.push(r);
        let r = c
            .measure_speed(warm, usize::MAX / 2, run_time)
            .map_err(|e| format!("the CPU engine: {e}"))?;
        cpu_runs.push(r);
    }
    Ok((gpu_runs, cpu_runs))
}

/// Slower than this fraction of the remembered speed, a run says the measurement was wrong.
pub const SLOW_FRACTION: f64 = 0.5;

/// Watches a run's first epochs against the speed its engine was chosen by: if the best of the
/// first two whole epochs trains at under [`SLOW_FRACTION`] of the measured rate, the
/// measurement is forgotten (the next run measures again) and the run says so, once.
#[derive(Clone, Debug)]
pub struct SpeedWatch {
    pub cache: PathBuf,
    pub key: SpeedKey,
    /// "wgpu on Apple M2", "cpu (specae native engine)".
    pub engine: String,
    /// The measured spectra/s of the chosen engine.
    pub expected: f64,
    pub when: u64,
    best: f64,
    epochs: usize,
    done: bool,
}

impl SpeedWatch {
    pub fn new(cache: PathBuf, m: &Measured, engine: String, expected: f64) -> Self {
        Self {
            cache,
            key: m.key.clone(),
            engine,
            expected,
            when: m.when,
            best: 0.0,
            epochs: 0,
            done: false,
        }
    }

    /// An epoch trained at `samples_per_s`; the warning, when this run contradicts the
    /// measurement (at most once per run).
    pub fn observe(&mut self, samples_per_s: f64) -> Option<String> {
        if self.done || !samples_per_s.is_finite() {
            return None;
        }
        self.epochs += 1;
        self.best = self.best.max(samples_per_s);
        if self.epochs < 2 {
            return None;
        }
        self.done = true;
        if self.best >= SLOW_FRACTION * self.expected {
            return None;
        }
        let what = match forget(&self.cache, &self.key) {
            Ok(true) => "the remembered choice is forgotten: the next run measures again",
            Ok(false) => "the next run measures again",
            Err(_) => "it could not be forgotten; `specae bench engines` measures again",
        };
        Some(format!(
            "{} trains at {} spectra/s, under half the {} measured for it at batch {}; {what}",
            self.engine,
            fmt_rate(self.best),
            fmt_rate(self.expected),
            self.key.batch
        ))
    }
}

/// "41,000" — thousands separated, as the panel and the CLI print speeds.
pub fn fmt_rate(v: f64) -> String {
    let n = v.round().max(0.0) as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(batch: usize) -> SpeedKey {
        SpeedKey {
            engine: "wgpu".into(),
            adapter: "Test GPU".into(),
            driver: "Test 1.0".into(),
            fingerprint: "wgsl".into(),
            features: vec![],
            model: "Ae".into(),
            layers: vec![1000, 703, 94, 6],
            batch,
            cpu_threads: 2,
            specae: "0.1.0".into(),
        }
    }

    #[test]
    fn measurements_are_remembered_per_key_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("engine-speeds.json");
        assert!(lookup(&p, &key(64)).is_none());
        let m = |batch, gpu| Measured {
            when: 1,
            ..Measured::now(key(batch), gpu, 1000.0)
        };
        remember(&p, &m(64, 5000.0)).unwrap();
        remember(&p, &m(512, 9000.0)).unwrap();
        remember(&p, &m(64, 6000.0)).unwrap();
        assert_eq!(lookup(&p, &key(64)).unwrap().gpu, 6000.0);
        assert_eq!(lookup(&p, &key(512)).unwrap().gpu, 9000.0);
        assert_eq!(read_cache(&p).len(), 2);
        // A corrupt cache is an empty one, and the next measurement replaces it.
        std::fs::write(&p, b"{not json").unwrap();
        assert!(lookup(&p, &key(64)).is_none());
        remember(&p, &m(64, 7000.0)).unwrap();
        assert_eq!(lookup(&p, &key(64)).unwrap().gpu, 7000.0);
    }

    #[test]
    fn a_measurement_comes_back_from_the_cache_exactly() {
        // 444.04810247511756 came back as 444.0481024751176 before rates were rounded (seen in
        // the test suite: serde_json's default float parsing is not correctly rounded).
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("engine-speeds.json");
        let m = Measured::now(key(16), 444.048_102_475_117_56, 803_209.491_258_821_7);
        assert_eq!((m.gpu, m.cpu), (444.0, 803_209.5));
        remember(&p, &m).unwrap();
        assert_eq!(lookup(&p, &key(16)).as_ref(), Some(&m));
        for r in [0.1, 12.3, 197.7, 8_650.4, 14_538.9, 589_871.3] {
            let m = Measured::now(key(8), r, r * 3.7);
            remember(&p, &m).unwrap();
            assert_eq!(lookup(&p, &key(8)).as_ref(), Some(&m), "{r}");
        }
    }

    #[test]
    fn an_entry_of_an_older_layout_is_dropped_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("engine-speeds.json");
        let good = Measured::now(key(64), 5000.0, 1000.0);
        let mut all = serde_json::to_value(vec![good.clone()]).unwrap();
        // The layout before drivers and features were in the key.
        all.as_array_mut().unwrap().insert(
            0,
            serde_json::json!({"key": {"adapter": "Old", "fingerprint": "wgsl",
                "layers": [1000, 6], "batch": 64, "cpu_threads": 2, "specae": "0.1.0"},
                "gpu": 1.0, "cpu": 2.0, "when": 3}),
        );
        std::fs::write(&p, serde_json::to_vec(&all).unwrap()).unwrap();
        assert_eq!(read_cache(&p), vec![good]);
    }

    #[test]
    fn the_best_run_counts_and_a_wide_spread_is_noise() {
        let m = Measured::of_runs(key(64), vec![900.04, 1200.0], vec![500.0, 520.0]);
        assert_eq!((m.gpu, m.cpu), (1200.0, 520.0));
        assert_eq!(m.gpu_runs, vec![900.0, 1200.0]);
        let noise = m.noise().unwrap();
        assert!((noise - 1200.0 / 900.0).abs() < 1e-9, "{noise}");
        let calm = Measured::of_runs(key(64), vec![1000.0, 1100.0], vec![500.0, 510.0]);
        assert_eq!(calm.noise(), None);
        let failed = Measured::failure(key(64), "out of memory".into());
        assert_eq!(failed.failed.as_deref(), Some("out of memory"));
        assert_eq!(failed.noise(), None);
    }

    /// A remembered choice that a run contradicts — its first two epochs far slower than the
    /// measured rate — is forgotten, once, with a warning naming both rates; a run at the
    /// measured speed keeps it.
    #[test]
    fn a_remembered_choice_is_forgotten_when_the_run_is_far_slower() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("engine-speeds.json");
        let m = Measured::now(key(64), 40_000.0, 10_000.0);
        remember(&p, &m).unwrap();
        remember(&p, &Measured::now(key(512), 90_000.0, 20_000.0)).unwrap();

        let mut fine = SpeedWatch::new(p.clone(), &m, "wgpu on Test GPU".into(), m.gpu);
        assert_eq!(fine.observe(15_000.0), None, "epoch 1 may compile kernels");
        assert_eq!(fine.observe(36_000.0), None);
        assert!(lookup(&p, &key(64)).is_some(), "kept");

        let mut slow = SpeedWatch::new(p.clone(), &m, "wgpu on Test GPU".into(), m.gpu);
        assert_eq!(slow.observe(9_000.0), None);
        let w = slow.observe(12_000.0).expect("a warning");
        assert!(
            w.contains("12,000") && w.contains("40,000") && w.contains("forgotten"),
            "{w}"
        );
        assert!(lookup(&p, &key(64)).is_none(), "forgotten");
        assert!(lookup(&p, &key(512)).is_some(), "other keys stay");
        assert_eq!(slow.observe(1.0), None, "said once");
    }

    #[test]
    fn rates_are_printed_with_thousands_separators() {
        assert_eq!(fmt_rate(41234.4), "41,234");
        assert_eq!(fmt_rate(999.6), "1,000");
        assert_eq!(fmt_rate(12.0), "12");
        assert_eq!(fmt_rate(1_234_567.0), "1,234,567");
    }

    #[test]
    fn the_native_engine_measures_a_positive_speed() {
        let model = AutoencoderConfig::new()
            .with_n_bins(50)
            .with_hidden(vec![20])
            .with_latent(2);
        let v = measure(
            &Device::flex(),
            EngineKind::Native,
            &model,
            16,
            Duration::from_millis(50),
        )
        .unwrap();
        assert!(v.is_finite() && v > 0.0, "{v}");
    }
}
