//! How fast each engine trains a given model at a given batch size on this machine: measured
//! by a few real optimisation steps on random spectra, and remembered in a small JSON file
//! (`engine-speeds.json` in specae's data folder) keyed by the GPU adapter, the model's shape,
//! the batch size, the CPU's thread count and specae's version — so the measurement runs once
//! per machine and setting, not at every launch.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use burn::prelude::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::trainer::{EngineKind, TrainData, Trainer};
use crate::data::Split;
use crate::model::AutoencoderConfig;
use crate::util::atomic::{AtomicWriteError, write_atomically};

/// What a measurement was made for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeedKey {
    pub adapter: String,
    pub fingerprint: String,
    /// Encoder widths (n_bins, hidden…, latent).
    pub layers: Vec<usize>,
    pub batch: usize,
    pub cpu_threads: usize,
    pub specae: String,
}

/// Both engines' speeds for one key, in spectra per second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub key: SpeedKey,
    pub gpu: f64,
    pub cpu: f64,
    /// Seconds since 1970 when measured.
    pub when: u64,
}

impl Measured {
    /// Both speeds for `key`, measured now, to 0.1 spectra/s: far finer than the measurement
    /// noise, and numbers of few digits come back from the JSON cache exactly (serde_json's
    /// default float parsing is not correctly rounded for all 17-digit numbers, so a
    /// remembered rate could differ from the measured one in its last bit).
    pub fn now(key: SpeedKey, gpu: f64, cpu: f64) -> Self {
        let tenth = |r: f64| (r * 10.0).round() / 10.0;
        Self {
            key,
            gpu: tenth(gpu),
            cpu: tenth(cpu),
            when: unix_now(),
        }
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

/// Every remembered measurement; a missing or unreadable file is an empty cache (it is only a
/// cache: the next measurement rewrites it).
pub fn read_cache(path: &Path) -> Vec<Measured> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
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

/// How long one engine's timing may take (after its warm-up steps).
pub const MEASURE_BUDGET: Duration = Duration::from_secs(2);
/// Untimed steps first: the GPU compiles its kernels in the first ones.
pub const WARM_STEPS: usize = 3;
/// At most this many timed steps.
pub const MAX_STEPS: usize = 48;

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
        x: Arc::new(x),
        w: Arc::new(w),
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
/// steps, then up to [`MAX_STEPS`] or `budget`.
pub fn measure(
    device: &Device,
    engine: EngineKind,
    model: &AutoencoderConfig,
    batch: usize,
    budget: Duration,
) -> Result<f64, String> {
    speed_trainer(device, engine, model, batch)?
        .measure_speed(WARM_STEPS, MAX_STEPS, budget)
        .map_err(|e| e.to_string())
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
            adapter: "Test GPU".into(),
            fingerprint: "wgsl".into(),
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
            key: key(batch),
            gpu,
            cpu: 1000.0,
            when: 1,
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
