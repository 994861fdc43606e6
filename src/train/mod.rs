//! Training the autoencoder: a hand-written loop (burn's custom-training-loop style) on a
//! background worker thread, driven over channels.
//!
//! - [`config`]: hyper-parameters (`#[derive(Config)]`);
//! - [`schedule`]: ReduceLROnPlateau and early stopping;
//! - [`backend`]: choosing a GPU engine or the CPU at run time, by measurement
//!   ([`engine_speed`]);
//! - [`gpu`]: opening the GPUs (wgpu; CUDA with `gpu-cuda`) once per process;
//! - [`draws`]: the VAE's seeded random draws, shared by both engines;
//! - [`stream`]: the rows a run trains on, in memory or streamed from a survey store;
//! - [`fit_latents`]: a trained decoder's best latents for given spectra;
//! - [`trainer`]: the loop itself (epochs, validation, NaN guard), on one of two engines;
//! - [`native`]: the native CPU engine (hand-written forward/backward and Adam on faer);
//! - [`parity`]: a GPU engine step by step against the native engine;
//! - [`checkpoint`]: atomic checkpoints and resuming;
//! - [`worker`]: the thread, its event and control channels.

pub mod backend;
pub mod checkpoint;
pub mod config;
pub mod draws;
pub mod engine_speed;
pub mod fit_latents;
pub mod gpu;
pub mod load;
pub mod native;
pub mod parity;
pub mod schedule;
pub mod stream;
pub mod trainer;
pub mod worker;

pub use config::TrainConfig;
pub use trainer::{EngineKind, EpochRecord, Trainer};
pub use worker::{Command, Event, TrainingWorker};
