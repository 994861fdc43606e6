//! Step-by-step parity of a GPU engine with the native CPU engine: the same initial weights,
//! the same batches in the same order, then the batch losses, every weight after Adam and the
//! validation loss compared. The test suite runs it on lavapipe; `specae bench parity` runs it
//! on whatever GPUs a machine has (scripts/gpu-check.sh).

use std::sync::Arc;

use burn::prelude::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::config::TrainConfig;
use super::stream::Rows;
use super::trainer::{EngineKind, TrainData, Trainer};
use crate::data::Split;
use crate::model::AutoencoderConfig;

/// How far an engine strayed from the native engine over the same steps.
#[derive(Clone, Debug, Serialize)]
pub struct Parity {
    pub steps: usize,
    pub losses: Vec<f64>,
    pub native_losses: Vec<f64>,
    /// The largest relative difference of a batch loss.
    pub loss_rel: f64,
    /// The largest absolute difference of a weight after the steps.
    pub weight_abs: f32,
    /// The relative difference of the validation loss after the steps.
    pub valid_rel: f64,
}

impl Parity {
    /// Within `loss_rel` for the losses (batch and validation) and `weight_abs` for weights.
    pub fn within(&self, loss_rel: f64, weight_abs: f32) -> bool {
        self.loss_rel < loss_rel && self.valid_rel < loss_rel && self.weight_abs < weight_abs
    }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-12)
}

/// Runs `steps` batches of `config` on `data` with burn on `device` and with the native engine
/// from the same initial weights, and compares them.
pub fn against_native(
    device: &Device,
    config: TrainConfig,
    data: TrainData,
    steps: usize,
) -> Result<Parity, String> {
    let err = |e: super::trainer::TrainError| e.to_string();
    let mut native = Trainer::new_on(
        config.clone(),
        data.clone(),
        &Device::flex(),
        EngineKind::Native,
    )
    .map_err(err)?;
    let model = native.inference_model();
    let mut other =
        Trainer::with_model_on(config, data, device, model, EngineKind::Burn).map_err(err)?;
    let losses = other.first_batch_losses(steps);
    let native_losses = native.first_batch_losses(steps);
    let loss_rel = losses
        .iter()
        .zip(&native_losses)
        .map(|(a, b)| rel(*a, *b))
        .fold(0.0, f64::max);
    let (wa, _) = other.state_dict().map_err(err)?;
    let (wb, _) = native.state_dict().map_err(err)?;
    let weight_abs = wa
        .iter()
        .zip(&wb)
        .flat_map(|((_, _, x), (_, _, y))| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0f32, f32::max);
    let valid_rel = rel(other.try_validation_loss()?, native.try_validation_loss()?);
    Ok(Parity {
        steps,
        losses,
        native_losses,
        loss_rel,
        weight_abs,
        valid_rel,
    })
}

/// The paper's network (1000-703-94-6) at batch 64 on `n` spectrum-like rows (smooth slopes
/// with noise; every 17th pixel masked), seeded: the problem parity is judged on.
pub fn paper_problem(n: usize, seed: u64) -> (TrainConfig, TrainData) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 1000), |(i, j)| {
        let t = j as f32 / 1000.0;
        1.0 + 0.3 * t * (i % 7) as f32 + 0.05 * rng.random_range(-1.0f32..1.0)
    });
    let w = Array2::from_shape_fn(
        (n, 1000),
        |(i, j)| if (i + j) % 17 == 0 { 0.0 } else { 40.0 },
    );
    let data = TrainData {
        rows: Rows::memory(Arc::new(x), Arc::new(w)),
        split: Split::seeded(n, 2, 0.75),
        identity: None,
        grid: None,
        infill: None,
    };
    let config = TrainConfig::new(AutoencoderConfig::new()).with_seed(3);
    (config, data)
}
