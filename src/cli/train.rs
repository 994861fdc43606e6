//! `specae train`: train the autoencoder on a worker thread, one line per epoch.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use specae::data::identity::FileIdentity;
use specae::data::prepped::read_prepped;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::store::{StoreRows, is_store};
use specae::data::{Spectra, Split};
use specae::model::interop::{config_from_safetensors, model_from_safetensors};
use specae::model::{Activation, AutoencoderConfig, ModelKind};
use specae::train::backend::{Auto, BackendChoice, RunShape, choose_with};
use specae::train::checkpoint::Checkpoint;
use specae::train::stream::Rows;
use specae::train::trainer::TrainData;
use specae::train::worker::{Launch, WorkerOptions};
use specae::train::{Command, Event, TrainConfig, Trainer, TrainingWorker};

use super::progress::bar;

/// What the encoder reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Input {
    Raw,
    MeanSubtracted,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Survey file (astroML npz schema) [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// A prepped file from `reference.py prep` / `specae prep` (x, w and split) instead of --data.
    #[arg(long, conflicts_with = "data")]
    pub prepped: Option<PathBuf>,
    /// Maximum number of epochs (early stopping usually ends sooner) [default: 200, or the
    /// resumed run's own cap].
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Latent dimension.
    #[arg(long, default_value_t = 6)]
    pub latent: usize,
    /// The model: the autoencoder (`ae`), a VAE, or Portillo et al.'s InfoVAE (VAE + MMD), on
    /// any engine.
    #[arg(long = "model", value_enum, default_value_t = ModelKind::Ae)]
    pub kind: ModelKind,
    /// InfoVAE λ: the MMD term's weight is λ + α − 1 [default: 1 for vae, 100 for infovae].
    #[arg(long)]
    pub lambda: Option<f64>,
    /// InfoVAE α: the KL term's weight is 1 − α [default: 0, as in Portillo's runs].
    #[arg(long)]
    pub alpha: Option<f64>,
    /// The activation between layers: relu (the paper's AE) or leaky-relu (Portillo's InfoVAE)
    /// [default: relu, or what --init's weights use].
    #[arg(long, value_enum)]
    pub activation: Option<Activation>,
    /// What the encoder reads: the spectra (`raw`, the paper's AE) or minus the mean training
    /// spectrum, which the decoder adds back (`mean-subtracted`, Portillo's `trainVAE.py`).
    #[arg(long, value_enum, default_value_t = Input::Raw)]
    pub input: Input,
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Output folder for checkpoints and the exported model.
    #[arg(long, default_value = "run")]
    pub out: PathBuf,
    /// Continue the run saved in this checkpoint (last.safetensors).
    #[arg(long, conflicts_with = "init")]
    pub resume: Option<PathBuf>,
    /// Start from these weights (safetensors with PyTorch names, e.g. reference.py --save-init).
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Seed of the initial weights and the shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Seed of the train/validation split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
    /// Train batches in split order (step-by-step parity with reference.py --no-shuffle).
    #[arg(long)]
    pub no_shuffle: bool,
    /// Print the losses of the first N batches as JSON and exit (parity checks).
    #[arg(long)]
    pub parity_batches: Option<usize>,
    /// Read a survey store (a `.zarr` folder) whole into memory instead of streaming it block
    /// by block (streaming keeps a run's memory at ~0.2 GB whatever the survey's size).
    #[arg(long)]
    pub in_memory: bool,
    /// Tests of the recovery: with `--backend auto`, the GPU engine's measurement panics with
    /// this message (a software renderer is measured too, so CI's lavapipe runs the path).
    #[arg(long, hide = true)]
    pub inject_gpu_fault: Option<String>,
}

struct Loaded {
    data: TrainData,
    n_bins: usize,
}

fn load(a: &TrainArgs) -> anyhow::Result<Loaded> {
    if let Some(p) = &a.prepped {
        let pr = read_prepped(p)?;
        let n_bins = pr.x.ncols();
        return Ok(Loaded {
            data: TrainData {
                rows: Rows::memory(Arc::new(pr.x), Arc::new(pr.w)),
                split: pr.split,
                identity: Some(FileIdentity::of(p)?),
                grid: Some(pr.grid),
                infill: None,
            },
            n_bins,
        });
    }
    let path = super::resolve_data(a.data.clone())?;
    if is_store(&path) && !a.in_memory {
        let rows = StoreRows::open(&path)?;
        let split = Split::seeded(rows.n_rows(), a.split_seed, DEFAULT_TRAIN_FRACTION);
        let (n_bins, grid, infill) = (rows.n_bins(), rows.grid(), rows.infill());
        return Ok(Loaded {
            data: TrainData {
                rows: Rows::Stream(Arc::new(rows)),
                split,
                identity: Some(FileIdentity::of(&path)?),
                grid: Some(grid),
                infill: Some(infill),
            },
            n_bins,
        });
    }
    let s = Spectra::load(&path)?;
    let split = Split::seeded(s.n_spectra(), a.split_seed, DEFAULT_TRAIN_FRACTION);
    let (n_bins, grid, infill) = (s.n_bins(), s.grid(), s.infill_basis());
    Ok(Loaded {
        data: TrainData {
            rows: Rows::memory(s.x, s.w),
            split,
            identity: Some(FileIdentity::of(&path)?),
            grid: Some(grid),
            infill: Some(infill),
        },
        n_bins,
    })
}

/// The data option of this command line, for a printed command that resumes it.
fn data_arg(a: &TrainArgs) -> String {
    match (&a.prepped, &a.data) {
        (Some(p), _) => format!(" --prepped {}", p.display()),
        (None, Some(d)) => format!(" --data {}", d.display()),
        (None, None) => String::new(),
    }
}

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    if a.batch == 0 || a.epochs == Some(0) || a.latent == 0 {
        bail!("--batch, --epochs and --latent must be at least 1");
    }
    if a.kind == ModelKind::Ae && (a.lambda.is_some() || a.alpha.is_some()) {
        bail!("--lambda and --alpha weigh a VAE's regularisers: use them with --model vae|infovae");
    }
    let Loaded { mut data, n_bins } = load(&a)?;
    if let Rows::Stream(s) = &data.rows {
        eprintln!(
            "data: {} spectra streamed from {} ({} blocks of {}, {} read at a time, shuffled per epoch)",
            s.n_rows(),
            s.path().display(),
            s.n_blocks(),
            s.block_rows(),
            specae::train::stream::WINDOW_BLOCKS,
        );
    }

    let resume = match &a.resume {
        Some(p) => Some(Checkpoint::read(p)?),
        None => None,
    };
    let mut config = match &resume {
        Some(ck) => {
            data.split = ck.split.clone();
            let mut c = ck.meta.config.clone();
            if let Some(n) = a.epochs {
                c.max_epochs = n;
            }
            c
        }
        None => TrainConfig::new(
            AutoencoderConfig::new()
                .with_n_bins(n_bins)
                .with_latent(a.latent)
                .with_kind((a.kind != ModelKind::Ae).then_some(a.kind))
                .with_activation(a.activation.filter(|&x| x != Activation::Relu))
                .with_subtract_mean((a.input == Input::MeanSubtracted).then_some(true)),
        )
        .with_lambda(a.lambda)
        .with_alpha(a.alpha)
        .with_batch_size(a.batch)
        .with_lr(a.lr)
        .with_max_epochs(a.epochs.unwrap_or(200))
        .with_seed(a.seed)
        .with_shuffle(!a.no_shuffle),
    };
    let init = match &a.init {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            let mut cfg =
                config_from_safetensors(&bytes).with_context(|| p.display().to_string())?;
            // Bare weights say whether there is a log-variance head, not which VAE trained it.
            if cfg.variational() && config.model.variational() {
                cfg.kind = config.model.kind;
            }
            // Their activation and input are theirs unless asked otherwise.
            if a.activation.is_none() {
                config.model.activation = cfg.activation;
            }
            if a.input == Input::Raw {
                config.model.subtract_mean = cfg.subtract_mean;
            }
            if cfg != config.model {
                bail!(
                    "{}: weights of architecture {:?}, but this run is {:?}",
                    p.display(),
                    cfg.encoder_sizes(),
                    config.model.encoder_sizes()
                );
            }
            Some(bytes)
        }
        None => None,
    };
    // The engine: `auto` measures both the first time for this machine, model and batch size.
    let shape = RunShape {
        model: config.model.clone(),
        batch: config.batch_size,
    };
    let auto = Auto {
        fault: a.inject_gpu_fault.clone(),
        ..Auto::default()
    };
    let chosen = choose_with(a.backend, &shape, &auto)?;
    eprintln!("backend: {} ({})", chosen.name, chosen.reason);
    let device = chosen.device.clone();
    let engine = chosen.engine;
    let build_trainer = move || -> Result<Trainer, String> {
        if let Some(ck) = resume {
            return ck
                .resume_on(config, data, &device, engine)
                .map_err(|e| e.to_string());
        }
        match init {
            Some(bytes) => {
                let plain = device.clone().inner();
                let model = model_from_safetensors(&config.model, &bytes, None, &plain)
                    .map_err(|e| e.to_string())?;
                Trainer::with_model_on(config, data, &device, model, engine)
                    .map_err(|e| e.to_string())
            }
            None => Trainer::new_on(config, data, &device, engine).map_err(|e| e.to_string()),
        }
    };

    if let Some(n) = a.parity_batches {
        let mut t = build_trainer().map_err(anyhow::Error::msg)?;
        let losses = t.first_batch_losses(n);
        let mean = losses.iter().sum::<f64>() / losses.len().max(1) as f64;
        println!(
            "{}",
            serde_json::json!({
                "first_batch_losses": losses,
                "mean_train_loss": mean,
                "valid_loss_after": t.validation_loss(),
            })
        );
        return Ok(());
    }

    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create the output folder {}", a.out.display()))?;
    let (backend, reason, watch) = (
        chosen.name.clone(),
        chosen.reason.clone(),
        chosen.watch.clone(),
    );
    let launch = move || {
        build_trainer().map(|trainer| Launch {
            trainer,
            backend,
            reason,
            watch,
        })
    };
    let worker = TrainingWorker::spawn(launch, WorkerOptions::new(&a.out))
        .context("starting the training thread")?;
    let stopper = worker.command_sender();
    // Ctrl-C: stop cleanly after the current batch; the last whole epoch stays saved.
    let _ = ctrlc::set_handler(move || {
        eprintln!("\nstopping after this batch…");
        let _ = stopper.send(Command::Stop);
    });
    let mut pb: Option<indicatif::ProgressBar> = None;
    let mut done_epoch = 0;
    let mut failed = None;
    loop {
        let ev = match worker.events.recv_timeout(Duration::from_millis(100)) {
            Ok(ev) => ev,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                // The newest batch progress of an epoch not yet reported.
                if let Some(p) = worker.progress().filter(|p| p.epoch > done_epoch) {
                    let b = pb.get_or_insert_with(|| {
                        bar(p.n_batches as u64, &format!("epoch {}", p.epoch))
                    });
                    b.set_position(p.batch as u64);
                }
                continue;
            }
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        match ev {
            Event::Started {
                epoch,
                n_train,
                backend: _,
                reason: _,
                n_valid,
                optimizer_restarted,
            } => {
                eprintln!(
                    "training on {n_train} spectra, validating on {n_valid}{}",
                    if epoch > 0 {
                        format!(", resuming after epoch {epoch}")
                    } else {
                        String::new()
                    }
                );
                if optimizer_restarted {
                    eprintln!(
                        "note: the checkpoint's optimizer state was written by the other engine \
                         (burn vs native); weights, schedule and history continue, Adam's moments \
                         restart from zero"
                    );
                }
            }
            Event::Epoch(r) => {
                done_epoch = r.epoch;
                if let Some(b) = pb.take() {
                    b.finish_and_clear();
                }
                let recon = r
                    .valid_recon
                    .map(|v| format!("  recon {v:>10.3}"))
                    .unwrap_or_default();
                println!(
                    "epoch {:>3}  train {:>10.3}  valid {:>10.3}{recon}  lr {:.0e}  {:>6.1} s  {:>7.0} samples/s{}{}",
                    r.epoch,
                    r.train_loss,
                    r.valid_loss,
                    r.lr,
                    r.seconds,
                    r.samples_per_s,
                    if r.best { "  *" } else { "" },
                    if r.lr_dropped { "  (LR ÷10)" } else { "" }
                );
            }
            Event::Saved(_) | Event::Paused | Event::Resumed => {}
            Event::Finished {
                reason,
                best_valid,
                epochs,
                best,
            } => {
                if let Some(b) = pb.take() {
                    b.finish_and_clear();
                }
                let why = reason.describe();
                println!(
                    "finished after {epochs} epochs ({why}); best validation loss {best_valid:.3}\n  checkpoint {}\n  weights for PyTorch {}\n  resume with --resume {}",
                    best.display(),
                    a.out.join("model.safetensors").display(),
                    a.out.join("last.safetensors").display()
                );
            }
            Event::Failed(msg) => failed = Some(msg),
            Event::EngineFailed {
                message,
                resume_from,
            } => {
                failed = Some(match resume_from {
                    Some(p) => format!(
                        "{message}\n  resume with: specae train --resume {} --backend cpu{}",
                        p.display(),
                        data_arg(&a)
                    ),
                    None => message,
                })
            }
            Event::Warning(msg) => {
                if let Some(b) = &pb {
                    b.suspend(|| eprintln!("warning: {msg}"));
                } else {
                    eprintln!("warning: {msg}");
                }
            }
        }
    }
    worker.join();
    if let Some(msg) = failed {
        bail!("{msg}");
    }
    Ok(())
}
