//! The training loop: seeded shuffles, Adam, weighted loss, validation every epoch,
//! ReduceLROnPlateau, early stopping and a guard against non-finite losses.

use std::collections::HashMap;
use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::config::TrainConfig;
use super::draws::draw_values;
use super::native::{Mlp, NativeEngine};
use super::schedule::{EarlyStopper, Plateau};
use super::stream::{Batch, Batches, Rows, Window, stream_order};
use crate::data::Split;
use crate::data::grid::LogGrid;
use crate::data::identity::FileIdentity;
use crate::data::store::StoreRows;
use crate::model::Autoencoder;
use crate::model::interop::{NamedTensor, model_from_state_dict, state_dict};
use crate::model::loss::weighted_loss;
use crate::model::tensors::{rows_to_tensor, scalar};
use crate::model::vae_loss::{Draws, PRIOR_SAMPLES, vae_terms};

/// The data a run trains on, shared with the GUI without copies.
#[derive(Clone, Debug)]
pub struct TrainData {
    /// x and w: in memory, or streamed from a survey store.
    pub rows: Rows,
    pub split: Split,
    /// The data file, stored in checkpoints so a model is never applied to other data silently.
    pub identity: Option<FileIdentity>,
    /// The rest-frame grid of the spectra, stored in checkpoints and exported weights so a
    /// model refuses spectra on another grid.
    pub grid: Option<LogGrid>,
    /// The PCA basis the data's masked pixels were filled from (the survey's first
    /// eigenvectors), stored in checkpoints and exported weights so the model's other data are
    /// refilled the same way ([`crate::data::Spectra::refilled_for`]); `None` for prepped
    /// arrays, which do not keep it.
    pub infill: Option<crate::data::preprocess::PcaBasis>,
}

/// One finished epoch.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EpochRecord {
    pub epoch: usize,
    pub train_loss: f64,
    pub valid_loss: f64,
    /// Learning rate used during this epoch.
    pub lr: f64,
    pub seconds: f64,
    pub samples_per_s: f64,
    /// The LR was reduced after this epoch.
    pub lr_dropped: bool,
    /// A new best validation loss (by the early-stopping criterion).
    pub best: bool,
    /// VAE kinds: the validation set's Σ w (x − x̂)² decoded from μ, the autoencoder's loss
    /// (`valid_loss` is then the whole VAE loss, what the schedule watches).
    #[serde(default)]
    pub valid_recon: Option<f64>,
}

/// Batch-level progress passed to the loop's callback.
#[derive(Clone, Copy, Debug)]
pub struct BatchProgress {
    pub epoch: usize,
    pub batch: usize,
    pub n_batches: usize,
    pub samples_per_s: f64,
}

/// What the callback tells the loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("the data have {data} bins but the model expects {model}")]
    BinMismatch { data: usize, model: usize },
    #[error("the split has no {0} spectra")]
    EmptySplit(&'static str),
    #[error("invalid split: {0}")]
    BadSplit(String),
    #[error("invalid setting: {0}")]
    BadConfig(String),
    #[error("the model's weights: {0}")]
    Model(String),
    #[error("reading the training data: {0}")]
    Data(#[from] crate::data::DataError),
    #[error("the device failed in epoch {epoch} (batch {batch}): {message}")]
    Device {
        epoch: usize,
        batch: usize,
        message: String,
    },
    #[error(
        "the loss became {value} in epoch {epoch} (batch {batch}); training stopped, the last good checkpoint is kept"
    )]
    NonFinite {
        epoch: usize,
        batch: usize,
        value: f64,
    },
}

/// How an epoch ended.
#[derive(Clone, Debug)]
pub enum EpochEnd {
    Done(EpochRecord),
    /// Stopped by the callback within the epoch; the partial epoch is discarded.
    Interrupted,
}

/// Rows of validation processed per forward pass.
const EVAL_CHUNK: usize = 2048;
/// Training rows a speed measurement cycles over (streamed rows: from the first blocks).
const MEASURE_ROWS: usize = 16_384;
/// Read the running loss back from the device every this many batches (NaN guard).
const SYNC_EVERY: usize = 8;

/// Which implementation computes the training steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngineKind {
    /// burn's autodiff on the chosen device: the GPU engine (wgpu), or burn's Flex on the CPU.
    Burn,
    /// specae's native CPU engine ([`super::native`]): the same network, loss and Adam,
    /// written out on faer's matrix products.
    Native,
}

impl EngineKind {
    /// The engine a device trains with by default: native on the CPU, burn on a GPU.
    pub fn for_device(device: &Device) -> Self {
        if device.clone().inner() == Device::flex() {
            EngineKind::Native
        } else {
            EngineKind::Burn
        }
    }
}

/// The model and optimiser state of the engine in use.
// One per trainer, never in a collection: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Engine {
    Burn {
        /// Always `Some` between calls (taken only while the optimiser updates it).
        model: Option<Autoencoder>,
        optim: ModuleOptimizer,
    },
    Native(Box<NativeEngine>),
}

/// A batch's loss: still on the device (burn; read back every few batches) or on the host.
enum BatchLoss {
    Device(Box<Tensor<1>>),
    Host(f64),
}

/// Running sum of an epoch's batch losses, weighted by batch size.
#[derive(Default)]
struct LossSum {
    device: Option<Tensor<1>>,
    host: f64,
}

impl LossSum {
    fn add(&mut self, loss: BatchLoss, rows: usize) {
        match loss {
            BatchLoss::Host(v) => self.host += v * rows as f64,
            BatchLoss::Device(t) => {
                let t = t.mul_scalar(rows as f64);
                self.device = Some(match self.device.take() {
                    Some(a) => a + t,
                    None => t,
                });
            }
        }
    }

    /// The sum so far; reading it back from a GPU is where a failed device shows.
    fn value(&self) -> Result<f64, String> {
        let device = match &self.device {
            Some(t) => read_scalar(t.clone())?,
            None => 0.0,
        };
        Ok(self.host + device)
    }
}

/// Why a validation pass failed: the data (a damaged store) or the device.
enum Failure {
    Data(crate::data::DataError),
    Device(String),
}

impl From<String> for Failure {
    fn from(m: String) -> Self {
        Failure::Device(m)
    }
}

/// A scalar read back from its device, with the device's error instead of a panic.
fn read_scalar(t: Tensor<1>) -> Result<f64, String> {
    let v = t
        .try_into_data()
        .map_err(|e| e.to_string())?
        .try_to_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    v.first()
        .map(|&x| f64::from(x))
        .ok_or_else(|| "the device returned no value".to_string())
}

pub struct Trainer {
    pub config: TrainConfig,
    /// Autodiff device of the burn engine; the native engine converts its weights to burn
    /// models on this device's plain counterpart.
    pub device: Device,
    pub(crate) engine: Engine,
    pub data: TrainData,
    pub plateau: Plateau,
    pub stopper: EarlyStopper,
    /// Epochs completed.
    pub epoch: usize,
    pub history: Vec<EpochRecord>,
    /// Set when a resumed run could not restore Adam's moments (the checkpoint was written
    /// by the other engine): weights, schedule and history continue, the moments restart.
    pub optimizer_restarted: bool,
    fault: Option<InjectedFault>,
    /// The random stream of the next VAE step's draws (epoch and batch).
    draw_stream: u64,
}

/// A failure a test asks for (see [`Trainer::inject_fault`]).
struct InjectedFault {
    steps_left: usize,
    message: String,
}

impl Trainer {
    /// A new run: freshly initialised weights (seeded), on the device's default engine.
    pub fn new(config: TrainConfig, data: TrainData, device: &Device) -> Result<Self, TrainError> {
        Self::new_on(config, data, device, EngineKind::for_device(device))
    }

    /// A new run on a given engine. The initial weights depend only on the seed, not on the
    /// engine or the device: they are drawn on the CPU (burn's Flex, seeded) and moved to the
    /// device, so one seed is one initial model on the CPU, wgpu and CUDA alike (a device's
    /// own generator draws other numbers).
    pub fn new_on(
        config: TrainConfig,
        data: TrainData,
        device: &Device,
        engine: EngineKind,
    ) -> Result<Self, TrainError> {
        let model = initial_model(&config, &data)?;
        Self::with_model_on(config, data, device, model, engine)
    }

    /// A new run starting from given weights (e.g. imported from PyTorch).
    pub fn with_model(
        config: TrainConfig,
        data: TrainData,
        device: &Device,
        model: Autoencoder,
    ) -> Result<Self, TrainError> {
        let engine = EngineKind::for_device(device);
        Self::with_model_on(config, data, device, model, engine)
    }

    /// As [`with_model`](Self::with_model), on a given engine.
    pub fn with_model_on(
        config: TrainConfig,
        data: TrainData,
        device: &Device,
        model: Autoencoder,
        engine: EngineKind,
    ) -> Result<Self, TrainError> {
        validate(&config, &data)?;
        let device = device.clone().autodiff();
        let engine = match engine {
            EngineKind::Burn => Engine::Burn {
                model: Some(model.to_device(&device).train()),
                optim: AdamConfig::new().with_epsilon(config.adam_epsilon).init(),
            },
            EngineKind::Native => {
                let (tensors, _) =
                    state_dict(&model).map_err(|e| TrainError::Model(e.to_string()))?;
                let mlp = Mlp::from_state_dict(&config.model, &tensors)
                    .map_err(|e| TrainError::Model(e.to_string()))?;
                let adam = NativeEngine::fresh_adam(&mlp, config.adam_epsilon);
                Engine::Native(Box::new(NativeEngine::new(mlp, adam)))
            }
        };
        Ok(Trainer {
            plateau: Plateau::new(config.lr, config.lr_factor, config.lr_patience),
            stopper: EarlyStopper::new(config.stop_patience, config.stop_min_rel),
            engine,
            device,
            data,
            config,
            epoch: 0,
            history: vec![],
            optimizer_restarted: false,
            fault: None,
            draw_stream: 0,
        })
    }

    /// The engine computing the steps.
    pub fn engine_kind(&self) -> EngineKind {
        match self.engine {
            Engine::Burn { .. } => EngineKind::Burn,
            Engine::Native(_) => EngineKind::Native,
        }
    }

    /// The weights in PyTorch naming and layout, with burn's parameter ids (burn engine only;
    /// they line up its optimiser state on resume).
    pub fn state_dict(&self) -> Result<(Vec<NamedTensor>, HashMap<String, u64>), TrainError> {
        match &self.engine {
            Engine::Burn { model, .. } => {
                state_dict(model.as_ref().expect("the model is present between steps"))
                    .map_err(|e| TrainError::Model(e.to_string()))
            }
            Engine::Native(e) => Ok((e.mlp.state_dict(), HashMap::new())),
        }
    }

    pub fn lr(&self) -> f64 {
        self.plateau.lr
    }

    /// Whether early stopping or the epoch cap has ended the run.
    pub fn finished(&self) -> bool {
        self.epoch >= self.config.max_epochs || self.stopper.bad_epochs >= self.stopper.patience
    }

    /// Best validation loss so far (by the early-stopping criterion).
    pub fn best_valid(&self) -> f64 {
        self.stopper.best
    }

    /// Training indices in the order epoch `epoch` (1-based) visits them (streamed rows:
    /// block windows, see [`super::stream`]).
    pub fn epoch_order(&self, epoch: usize) -> Vec<u32> {
        if let Rows::Stream(s) = &self.data.rows {
            return self
                .stream_windows(s, epoch)
                .into_iter()
                .flat_map(|w| w.rows)
                .collect();
        }
        let mut order = self.data.split.train.clone();
        if self.config.shuffle {
            let mut rng = ChaCha8Rng::seed_from_u64(self.config.seed);
            rng.set_stream(epoch as u64);
            order.shuffle(&mut rng);
        }
        order
    }

    fn stream_windows(&self, s: &StoreRows, epoch: usize) -> Vec<Window> {
        let train = &self.data.split.train;
        stream_order(s, train, self.config.seed, epoch, self.config.shuffle)
    }

    /// Epoch `epoch`'s batches.
    fn epoch_batches(&self, epoch: usize) -> Batches {
        let bs = self.config.batch_size;
        match &self.data.rows {
            Rows::Stream(s) => Batches::stream(s, self.stream_windows(s, epoch), bs),
            Rows::Memory { .. } => self
                .data
                .rows
                .batches_in_order(&self.epoch_order(epoch), bs),
        }
    }

    /// One optimisation step on a batch; returns the batch loss.
    fn step(&mut self, batch: &Batch) -> BatchLoss {
        let idx = batch.idx.as_slice();
        let (x, w) = batch.views();
        if let Some(fault) = self.fault.as_mut() {
            fault.steps_left = fault.steps_left.saturating_sub(1);
            if fault.steps_left == 0 {
                panic!("{}", fault.message);
            }
        }
        let lr = self.plateau.lr;
        match &mut self.engine {
            Engine::Native(e) => BatchLoss::Host(match self.config.vae_weights() {
                Some(weights) => {
                    let stream = self.draw_stream;
                    self.draw_stream += 1;
                    let latent = self.config.model.latent;
                    let d = draw_values(self.config.seed, stream, idx.len(), latent);
                    e.step_vae(x, w, idx, lr, weights, &d)
                }
                None => e.step(x, w, idx, lr),
            }),
            Engine::Burn { model, optim } => {
                let xb = rows_to_tensor(x, idx, &self.device);
                let wb = rows_to_tensor(w, idx, &self.device);
                let m = model.take().expect("the model is present between steps");
                let loss = match self.config.vae_weights() {
                    Some(weights) => {
                        let stream = self.draw_stream;
                        self.draw_stream += 1;
                        let d = draws(&self.config, stream, idx.len(), &self.device);
                        vae_terms(&m, xb, wb, d, weights).total
                    }
                    None => {
                        let out = m.forward(xb.clone());
                        weighted_loss(xb, out, wb)
                    }
                };
                let grads = GradientsParams::from_grads(loss.backward(), &m);
                *model = Some(optim.step(lr, m, grads));
                BatchLoss::Device(Box::new(loss.inner()))
            }
        }
    }

    /// Makes the `after_steps`-th optimisation step from now panic with `message`, as a GPU
    /// that is lost or out of memory makes burn's runtime panic (tests of the recovery).
    #[doc(hidden)]
    pub fn inject_fault(&mut self, after_steps: usize, message: &str) {
        self.fault = Some(InjectedFault {
            steps_left: after_steps.max(1),
            message: message.to_string(),
        });
    }

    /// Training speed in spectra/s: `warm` untimed steps (the first compile the GPU's kernels),
    /// then steps on the training rows (cycling, whole batches) until `max_steps` are done or
    /// `budget` has passed, reading the loss back every few steps as training does.
    pub fn measure_speed(
        &mut self,
        warm: usize,
        max_steps: usize,
        budget: std::time::Duration,
    ) -> Result<f64, TrainError> {
        let bs = self.config.batch_size;
        let sample = self.data.rows.sample(&self.data.split.train, MEASURE_ROWS);
        let all: Vec<Batch> = self
            .data
            .rows
            .batches_in_order(&sample, bs)
            .collect::<Result<_, _>>()?;
        let whole: Vec<&Batch> = all.iter().filter(|b| b.idx.len() == bs).collect();
        let batches = if whole.is_empty() {
            all.iter().collect()
        } else {
            whole
        };
        let fail = |batch: usize, message: String| TrainError::Device {
            epoch: 0,
            batch,
            message,
        };
        let mut cycle = batches.iter().cycle();
        for b in 0..warm {
            let Some(batch) = cycle.next() else { break };
            if let BatchLoss::Device(t) = self.step(batch) {
                read_scalar(*t).map_err(|m| fail(b + 1, m))?;
            }
        }
        let t0 = Instant::now();
        let mut rows = 0usize;
        for b in 0..max_steps.max(1) {
            let Some(batch) = cycle.next() else { break };
            rows += batch.idx.len();
            let loss = self.step(batch);
            if b % SYNC_EVERY == SYNC_EVERY - 1 || b + 1 == max_steps.max(1) {
                if let BatchLoss::Device(t) = loss {
                    read_scalar(*t).map_err(|m| fail(warm + b + 1, m))?;
                }
                if t0.elapsed() >= budget {
                    break;
                }
            }
        }
        Ok(rows as f64 / t0.elapsed().as_secs_f64().max(1e-9))
    }

    /// Losses of the first `n` batches of the next epoch, stepping the model (parity checks).
    pub fn first_batch_losses(&mut self, n: usize) -> Vec<f64> {
        let batches = self.epoch_batches(self.epoch + 1);
        batches
            .take(n)
            .map_while(Result::ok)
            .map(|batch| match self.step(&batch) {
                BatchLoss::Host(v) => v,
                BatchLoss::Device(t) => scalar(*t),
            })
            .collect()
    }

    /// Runs one epoch. `callback` is called after every batch and may stop the run; a stopped
    /// epoch is discarded (the model keeps its updates; checkpoints hold the last whole epoch).
    pub fn run_epoch(
        &mut self,
        callback: &mut dyn FnMut(BatchProgress) -> Flow,
    ) -> Result<EpochEnd, TrainError> {
        let epoch = self.epoch + 1;
        let t0 = Instant::now();
        let batches = self.epoch_batches(epoch);
        let n_rows = batches.rows();
        let bs = self.config.batch_size;
        let n_batches = n_rows.div_ceil(bs);
        let mut acc = LossSum::default();
        for (b, batch) in batches.enumerate() {
            let batch = batch?;
            self.draw_stream = ((epoch as u64) << 32) | b as u64;
            let loss = self.step(&batch);
            let on_host = matches!(loss, BatchLoss::Host(_));
            acc.add(loss, batch.idx.len());
            if on_host || (b + 1) % SYNC_EVERY == 0 || b + 1 == n_batches {
                let v = acc.value().map_err(|message| TrainError::Device {
                    epoch,
                    batch: b + 1,
                    message,
                })?;
                if !v.is_finite() {
                    return Err(TrainError::NonFinite {
                        epoch,
                        batch: b + 1,
                        value: v,
                    });
                }
            }
            let done = ((b + 1) * bs).min(n_rows);
            let flow = callback(BatchProgress {
                epoch,
                batch: b + 1,
                n_batches,
                samples_per_s: done as f64 / t0.elapsed().as_secs_f64().max(1e-9),
            });
            if flow == Flow::Stop {
                return Ok(EpochEnd::Interrupted);
            }
        }
        let t_train = t0.elapsed().as_secs_f64();
        let train_loss = acc.value().map_err(|message| TrainError::Device {
            epoch,
            batch: n_batches,
            message,
        })? / n_rows.max(1) as f64;
        let (valid_loss, valid_recon) = self.checked_validation().map_err(|e| match e {
            Failure::Data(e) => TrainError::Data(e),
            Failure::Device(message) => TrainError::Device {
                epoch,
                batch: n_batches,
                message: format!("validation: {message}"),
            },
        })?;
        if !valid_loss.is_finite() {
            return Err(TrainError::NonFinite {
                epoch,
                batch: n_batches,
                value: valid_loss,
            });
        }
        let lr = self.plateau.lr;
        let lr_dropped = self.plateau.step(valid_loss);
        self.stopper.step(valid_loss);
        let rec = EpochRecord {
            epoch,
            train_loss,
            valid_loss,
            lr,
            seconds: t0.elapsed().as_secs_f64(),
            samples_per_s: n_rows as f64 / t_train.max(1e-9),
            lr_dropped,
            best: self.stopper.improved(),
            valid_recon,
        };
        self.epoch = epoch;
        self.history.push(rec.clone());
        Ok(EpochEnd::Done(rec))
    }

    /// Weighted loss of the current model on the validation split (NaN if the device failed:
    /// see [`try_validation_loss`](Self::try_validation_loss)).
    pub fn validation_loss(&self) -> f64 {
        self.try_validation_loss().unwrap_or(f64::NAN)
    }

    /// Weighted loss of the current model on the validation split, or the device's error.
    /// For a VAE, the whole VAE loss (see [`validation_terms`](Self::validation_terms)).
    pub fn try_validation_loss(&self) -> Result<f64, String> {
        self.validation_terms().map(|(v, _)| v)
    }

    /// The validation loss the schedule watches and, for a VAE, its Σ w (x − x̂)² decoded from
    /// μ (comparable with an autoencoder's loss). A VAE's validation draws are the same every
    /// epoch, so the criterion moves only with the model.
    pub fn validation_terms(&self) -> Result<(f64, Option<f64>), String> {
        self.checked_validation().map_err(|e| match e {
            Failure::Data(e) => e.to_string(),
            Failure::Device(m) => m,
        })
    }

    /// [`validation_terms`](Self::validation_terms), telling data from device failures.
    fn checked_validation(&self) -> Result<(f64, Option<f64>), Failure> {
        let Some(weights) = self.config.vae_weights() else {
            return self.reconstruction_loss().map(|v| (v, None));
        };
        let valid = &self.data.split.valid;
        let model = self.inference_model();
        let device = self.device.clone().inner();
        let (mut total, mut recon) = (0.0, 0.0);
        for (c, batch) in self.validation_batches().enumerate() {
            let batch = batch.map_err(Failure::Data)?;
            let (x, w) = batch.views();
            let idx = batch.idx.as_slice();
            let xb = rows_to_tensor(x, idx, &device);
            let wb = rows_to_tensor(w, idx, &device);
            let d = draws(&self.config, u64::MAX - c as u64, idx.len(), &device);
            let t = vae_terms(&model, xb.clone(), wb.clone(), d, weights);
            total += read_scalar(t.total)? * idx.len() as f64;
            let out = model.forward(xb.clone());
            recon += read_scalar(weighted_loss(xb, out, wb))? * idx.len() as f64;
        }
        let n = valid.len().max(1) as f64;
        Ok((total / n, Some(recon / n)))
    }

    /// Σ w (x − x̂)² of the validation split, decoded from the encoder's output.
    fn reconstruction_loss(&self) -> Result<f64, Failure> {
        let valid = &self.data.split.valid;
        // The native engine sums on its own; the burn engine through its model without autodiff.
        enum Summer<'a> {
            Native(&'a NativeEngine),
            Burn(Box<Autoencoder>),
        }
        let model = match &self.engine {
            Engine::Native(e) => Summer::Native(e),
            Engine::Burn { .. } => Summer::Burn(Box::new(self.inference_model())),
        };
        let device = self.device.clone().inner();
        let mut total = 0.0;
        for batch in self.validation_batches() {
            let batch = batch.map_err(Failure::Data)?;
            let (x, w) = batch.views();
            let idx = batch.idx.as_slice();
            total += match &model {
                Summer::Native(native) => native.loss_sum(x, w, idx),
                Summer::Burn(model) => {
                    let xb = rows_to_tensor(x, idx, &device);
                    let wb = rows_to_tensor(w, idx, &device);
                    let out = model.forward(xb.clone());
                    read_scalar(weighted_loss(xb, out, wb))? * idx.len() as f64
                }
            };
        }
        Ok(total / valid.len().max(1) as f64)
    }

    /// The validation rows in batches of [`EVAL_CHUNK`] (streamed rows: block by block).
    fn validation_batches(&self) -> Batches {
        self.data
            .rows
            .batches_in_order(&self.data.split.valid, EVAL_CHUNK)
    }

    /// The model without autodiff, for encoding and decoding.
    pub fn inference_model(&self) -> Autoencoder {
        match &self.engine {
            Engine::Burn { model, .. } => model
                .as_ref()
                .expect("the model is present between steps")
                .valid(),
            Engine::Native(e) => model_from_state_dict(
                &self.config.model,
                &e.mlp.state_dict(),
                None,
                &self.device.clone().inner(),
            )
            .expect("the native engine's layers match its configuration"),
        }
    }
}

fn validate(config: &TrainConfig, data: &TrainData) -> Result<(), TrainError> {
    if data.rows.n_bins() != config.model.n_bins {
        return Err(TrainError::BinMismatch {
            data: data.rows.n_bins(),
            model: config.model.n_bins,
        });
    }
    if data.split.train.is_empty() {
        return Err(TrainError::EmptySplit("training"));
    }
    if data.split.valid.is_empty() {
        return Err(TrainError::EmptySplit("validation"));
    }
    data.split
        .validate(data.rows.n_rows())
        .map_err(TrainError::BadSplit)?;
    if config.batch_size == 0 {
        return Err(TrainError::BadConfig(
            "the batch size must be at least 1".into(),
        ));
    }
    if !(config.lr > 0.0 && config.lr.is_finite()) {
        return Err(TrainError::BadConfig(format!(
            "learning rate {}",
            config.lr
        )));
    }
    if config.model.latent == 0 {
        return Err(TrainError::BadConfig(
            "the latent dimension must be at least 1".into(),
        ));
    }
    if let Some(w) = config.vae_weights() {
        if !(0.0..=1.0).contains(&w.alpha) {
            return Err(TrainError::BadConfig(format!(
                "InfoVAE α must lie in [0, 1], got {}",
                w.alpha
            )));
        }
        if !(w.lambda.is_finite() && w.lambda + w.alpha - 1.0 >= 0.0) {
            return Err(TrainError::BadConfig(format!(
                "InfoVAE λ must be finite with λ + α − 1 ≥ 0 (the MMD's weight), got λ = {}",
                w.lambda
            )));
        }
    }
    Ok(())
}

/// One VAE step's random draws as tensors (see [`draw_values`]).
fn draws(config: &TrainConfig, stream: u64, rows: usize, device: &Device) -> Draws {
    let v = draw_values(config.seed, stream, rows, config.model.latent);
    let t = |data: Vec<f32>, n: usize| {
        Tensor::<2>::from_data(burn::tensor::TensorData::new(data, [n, v.latent]), device)
    };
    Draws {
        eps: t(v.eps.clone(), rows),
        eps_mmd: t(v.eps_mmd.clone(), rows),
        prior: t(v.prior.clone(), PRIOR_SAMPLES),
    }
}

/// The seeded initial weights of a run, drawn on the CPU (see [`Trainer::new_on`]).
fn initial_model(config: &TrainConfig, data: &TrainData) -> Result<Autoencoder, TrainError> {
    // Seeding and drawing must not interleave with another thread's draws from the same
    // generator (tests train in parallel): one at a time.
    static DRAW: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = DRAW.lock().unwrap_or_else(|p| p.into_inner());
    let cpu = Device::flex().autodiff();
    cpu.seed(config.seed);
    let mut model = config.model.init(&cpu);
    if model.mean.is_some() {
        model.mean = Some(training_mean(data, &cpu)?);
    }
    // burn's parameters are lazy, drawn where they are first used: moved to a GPU undrawn,
    // they would come from the GPU's generator. Reading them here draws them on the CPU.
    let model_err = |e: crate::model::interop::InteropError| TrainError::Model(e.to_string());
    let (tensors, _) = state_dict(&model).map_err(model_err)?;
    model_from_state_dict(&config.model, &tensors, None, &Device::flex()).map_err(model_err)
}

/// The mean spectrum of the training split (what a model that reads x − ⟨x⟩ subtracts).
fn training_mean(data: &TrainData, device: &Device) -> Result<Tensor<1>, TrainError> {
    let d = data.rows.n_bins();
    let mut sum = vec![0f64; d];
    for batch in data.rows.batches_in_order(&data.split.train, EVAL_CHUNK) {
        let batch = batch?;
        for &i in &batch.idx {
            for (s, &v) in sum.iter_mut().zip(batch.x.row(i as usize)) {
                *s += f64::from(v);
            }
        }
    }
    let n = data.split.train.len().max(1) as f64;
    let mean: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();
    Ok(Tensor::<1>::from_data(
        burn::tensor::TensorData::new(mean, [d]),
        device,
    ))
}
