//! `specae bench stream`: training streamed from a survey store against the same store read
//! into memory, in one process with the two runs' epochs alternated (memory, stream, memory,
//! …) so both see the same machine; `--rounds` repeats it with seeds 0, 1, … so the rounds
//! show how far the validation loss moves with the seed alone. Prints samples/s per epoch,
//! the median of the per-epoch ratios stream / memory, and the validation losses. Memory use
//! of each mode is `specae bench scale`'s (one process per stage).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::store::{StoreRows, is_store};
use specae::data::{Spectra, Split};
use specae::model::AutoencoderConfig;
use specae::train::stream::Rows;
use specae::train::trainer::{EpochEnd, EpochRecord, Flow, TrainData};
use specae::train::{TrainConfig, Trainer};

#[derive(Debug, Args)]
pub struct StreamArgs {
    /// A survey store (`specae convert survey.npz survey.zarr`, or `generate --out X.zarr`).
    #[arg(long)]
    pub data: PathBuf,
    /// Epochs per run (the paper's network on the native CPU engine).
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// Pairs of runs; round r seeds the weights and shuffles of both with r − 1.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
}

pub fn stream(a: StreamArgs) -> anyhow::Result<()> {
    if !is_store(&a.data) {
        bail!(
            "{} is not a survey store: convert it first (specae convert {} OUT.zarr)",
            a.data.display(),
            a.data.display()
        );
    }
    anyhow::ensure!(
        a.epochs > 0 && a.batch > 0 && a.rounds > 0,
        "--epochs, --batch and --rounds must be at least 1"
    );
    let s = Spectra::load(&a.data)?;
    let store = Arc::new(StoreRows::open(&a.data)?);
    let split = Split::seeded(s.n_spectra(), 0, DEFAULT_TRAIN_FRACTION);
    let trainer = |rows: Rows, seed: u64| {
        let data = TrainData {
            rows,
            split: split.clone(),
            identity: None,
            grid: None,
            infill: None,
        };
        let config = TrainConfig::new(AutoencoderConfig::new().with_n_bins(s.n_bins()))
            .with_batch_size(a.batch)
            .with_max_epochs(a.epochs)
            .with_seed(seed);
        Trainer::new(config, data, &burn::prelude::Device::flex())
    };
    let epoch = |t: &mut Trainer| -> anyhow::Result<EpochRecord> {
        match t.run_epoch(&mut |_| Flow::Continue)? {
            EpochEnd::Done(r) => Ok(r),
            EpochEnd::Interrupted => bail!("an epoch was interrupted"),
        }
    };
    println!(
        "{} spectra of {} ({} training), batch {}, {} epochs a run, epochs alternated",
        s.n_spectra(),
        a.data.display(),
        split.train.len(),
        a.batch,
        a.epochs
    );
    println!(
        "{:>5} {:>5}  {:>14} {:>14} {:>7}  {:>12} {:>12}",
        "seed", "epoch", "memory sps", "stream sps", "ratio", "memory valid", "stream valid"
    );
    let mut ratios = vec![];
    let mut finals = vec![];
    for round in 0..a.rounds as u64 {
        let mut mem = trainer(Rows::memory(s.x.clone(), s.w.clone()), round)?;
        let mut st = trainer(Rows::Stream(store.clone()), round)?;
        let (mut m, mut r) = (None, None);
        for e in 1..=a.epochs {
            let (rm, rs) = (epoch(&mut mem)?, epoch(&mut st)?);
            let ratio = rs.samples_per_s / rm.samples_per_s;
            ratios.push(ratio);
            println!(
                "{round:>5} {e:>5}  {:>14.0} {:>14.0} {ratio:>7.3}  {:>12.3} {:>12.3}",
                rm.samples_per_s, rs.samples_per_s, rm.valid_loss, rs.valid_loss
            );
            (m, r) = (Some(rm.valid_loss), Some(rs.valid_loss));
        }
        finals.push((m.unwrap_or(f64::NAN), r.unwrap_or(f64::NAN)));
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "median of the per-epoch ratios stream / memory: {median:.3} (min {:.3}, max {:.3}, {} epochs)",
        ratios.first().copied().unwrap_or(f64::NAN),
        ratios.last().copied().unwrap_or(f64::NAN),
        ratios.len()
    );
    let show = |f: &dyn Fn(&(f64, f64)) -> f64| {
        finals
            .iter()
            .map(|p| format!("{:.1}", f(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "final validation loss by seed: memory {}; stream {}",
        show(&|p| p.0),
        show(&|p| p.1)
    );
    Ok(())
}
