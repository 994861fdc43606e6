//! The training engine on small problems: learning, schedule, checkpoints, resume, stop,
//! non-finite losses and PyTorch-format weights.

use std::sync::Arc;
use std::time::Duration;

use burn::prelude::*;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use specae::data::Split;
use specae::model::AutoencoderConfig;
use specae::model::interop::{
    InteropError, config_from_safetensors, model_from_safetensors, state_dict, to_safetensors,
};
use specae::train::checkpoint::{Checkpoint, save};
use specae::train::stream::Rows;
use specae::train::trainer::{EpochEnd, Flow, TrainData, TrainError};
use specae::train::worker::{FinishReason, Launch, WorkerOptions};
use specae::train::{Command, EngineKind, Event, TrainConfig, Trainer, TrainingWorker};

const D: usize = 40;

/// Rank-3 spectra-like data with noise; unit weights.
fn data(n: usize) -> TrainData {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = Array2::from_shape_fn((n, D), |_| 0.0f32);
    let mut x = x;
    for i in 0..n {
        let a: [f32; 3] = [
            rng.random_range(0.5..1.5),
            rng.random_range(-0.5..0.5),
            rng.random_range(-0.3..0.3),
        ];
        for j in 0..D {
            let t = j as f32 / D as f32;
            x[[i, j]] = a[0] * (1.0 + t)
                + a[1] * (6.0 * t).sin()
                + a[2] * (11.0 * t).cos()
                + 0.01 * rng.random_range(-1.0..1.0);
        }
    }
    let w = Array2::from_elem((n, D), 1.0f32);
    TrainData {
        rows: Rows::memory(Arc::new(x), Arc::new(w)),
        split: Split::seeded(n, 1, 0.75),
        identity: None,
        grid: None,
        infill: None,
    }
}

fn config(epochs: usize) -> TrainConfig {
    TrainConfig::new(
        AutoencoderConfig::new()
            .with_n_bins(D)
            .with_hidden(vec![24, 12])
            .with_latent(3),
    )
    .with_batch_size(16)
    .with_max_epochs(epochs)
    .with_seed(7)
}

/// Equal up to float rounding (a transposed weight takes another matmul path).
fn assert_close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-5, "max difference {worst}");
}

fn run_epochs(t: &mut Trainer, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| match t.run_epoch(&mut |_| Flow::Continue).unwrap() {
            EpochEnd::Done(r) => r.valid_loss,
            EpochEnd::Interrupted => panic!("interrupted"),
        })
        .collect()
}

#[test]
fn loss_decreases_on_a_small_problem() {
    let mut t = Trainer::new(config(40), data(400), &Device::flex()).unwrap();
    let before = t.validation_loss();
    let v = run_epochs(&mut t, 25);
    let after = *v.last().unwrap();
    println!("validation loss {before:.4} → {after:.4}");
    assert!(after < 0.1 * before, "{before} → {after}");
    assert_eq!(t.history.len(), 25);
}

fn resume_continues_the_same_run_on(engine: EngineKind) {
    let dev = Device::flex();
    let mut straight = Trainer::new_on(config(10), data(300), &dev, engine).unwrap();
    let full = run_epochs(&mut straight, 4);

    let mut first = Trainer::new_on(config(10), data(300), &dev, engine).unwrap();
    let head = run_epochs(&mut first, 2);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("last.safetensors");
    save(&first, "cpu", &p).unwrap();
    drop(first);
    let ck = Checkpoint::read(&p).unwrap();
    assert_eq!(ck.meta.epoch, 2);
    let mut resumed = ck
        .resume_on(ck.meta.config.clone(), data(300), &dev, engine)
        .unwrap();
    assert!(!resumed.optimizer_restarted);
    assert_eq!(resumed.engine_kind(), engine);
    let tail = run_epochs(&mut resumed, 2);
    let joined: Vec<f64> = head.into_iter().chain(tail).collect();
    for (a, b) in full.iter().zip(&joined) {
        assert!(
            (a - b).abs() <= 1e-5 * a.abs(),
            "{engine:?}: straight {full:?} vs resumed {joined:?}"
        );
    }
    assert_eq!(resumed.history.len(), 4);
}

#[test]
fn resume_continues_the_same_run() {
    // The CPU's default engine is the native one.
    assert_eq!(EngineKind::for_device(&Device::flex()), EngineKind::Native);
    resume_continues_the_same_run_on(EngineKind::Native);
    resume_continues_the_same_run_on(EngineKind::Burn);
}

/// Relative difference, for losses.
fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-12)
}

#[test]
fn native_engine_matches_burn_step_by_step() {
    // Same seed → same initial weights on both engines; then every step must agree: the same
    // batch losses, the same weights after Adam, the same validation loss.
    let dev = Device::flex();
    let cfg = config(5);
    let mut burn = Trainer::new_on(cfg.clone(), data(300), &dev, EngineKind::Burn).unwrap();
    let mut native = Trainer::new_on(cfg, data(300), &dev, EngineKind::Native).unwrap();
    let (w0b, _) = burn.state_dict().unwrap();
    let (w0n, _) = native.state_dict().unwrap();
    for ((na, _, a), (nb, _, b)) in w0b.iter().zip(&w0n) {
        assert_eq!(na, nb);
        assert_close(a, b);
    }
    let lb = burn.first_batch_losses(12);
    let ln = native.first_batch_losses(12);
    for (a, b) in lb.iter().zip(&ln) {
        assert!(rel(*a, *b) < 1e-5, "burn {lb:?} vs native {ln:?}");
    }
    assert_weights_close(&burn, &native, 1e-4, "after 12 steps");
    let (vb, vn) = (burn.validation_loss(), native.validation_loss());
    assert!(rel(vb, vn) < 1e-5, "validation: burn {vb} vs native {vn}");
    // Whole epochs with shuffling, the LR schedule and a larger batch.
    let cfg = config(5).with_batch_size(64);
    let mut burn = Trainer::new_on(cfg.clone(), data(400), &dev, EngineKind::Burn).unwrap();
    let mut native = Trainer::new_on(cfg, data(400), &dev, EngineKind::Native).unwrap();
    let eb = run_epochs(&mut burn, 3);
    let en = run_epochs(&mut native, 3);
    for (a, b) in eb.iter().zip(&en) {
        assert!(rel(*a, *b) < 1e-3, "epochs: burn {eb:?} vs native {en:?}");
    }
}

#[test]
fn resuming_on_the_other_engine_keeps_weights_and_schedule() {
    let dev = Device::flex();
    let mut t = Trainer::new_on(config(10), data(200), &dev, EngineKind::Burn).unwrap();
    run_epochs(&mut t, 2);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("last.safetensors");
    save(&t, "cpu (burn flex)", &p).unwrap();
    let ck = Checkpoint::read(&p).unwrap();
    let mut r = ck
        .resume_on(t.config.clone(), data(200), &dev, EngineKind::Native)
        .unwrap();
    assert!(r.optimizer_restarted, "Adam's moments cannot cross engines");
    assert_eq!((r.epoch, r.history.len()), (2, 2));
    assert!(rel(r.validation_loss(), t.validation_loss()) < 1e-5);
    let v = run_epochs(&mut r, 1)[0];
    assert!(v.is_finite());
    // And back: a native checkpoint resumed on burn.
    save(&r, "cpu", &p).unwrap();
    let ck = Checkpoint::read(&p).unwrap();
    assert!(ck.meta.adam.is_some());
    let b = ck
        .resume_on(r.config.clone(), data(200), &dev, EngineKind::Burn)
        .unwrap();
    assert!(b.optimizer_restarted);
    assert!(rel(b.validation_loss(), r.validation_loss()) < 1e-5);
}

#[test]
fn checkpoint_round_trip_and_bad_checkpoints() {
    let dev = Device::flex();
    let mut t = Trainer::new(config(3), data(200), &dev).unwrap();
    run_epochs(&mut t, 1);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("best.safetensors");
    save(&t, "cpu", &p).unwrap();
    let ck = Checkpoint::read(&p).unwrap();
    assert_eq!(ck.meta.config, t.config);
    assert_eq!(ck.split, t.data.split);
    let m = ck.model(&dev).unwrap();
    let x = Tensor::<2>::ones([2, D], &dev);
    let a: Vec<f32> = m.forward(x.clone()).into_data().try_into_vec().unwrap();
    let b: Vec<f32> = t
        .inference_model()
        .forward(x)
        .into_data()
        .try_into_vec()
        .unwrap();
    assert_close(&a, &b);

    // A corrupt file and a file of another architecture are clear errors.
    let bad = dir.path().join("bad.safetensors");
    std::fs::write(&bad, b"not a checkpoint").unwrap();
    let e = Checkpoint::read(&bad).err().unwrap().to_string();
    assert!(
        e.contains("bad.safetensors") && e.contains("not a specae checkpoint"),
        "{e}"
    );
    let other = TrainConfig::new(AutoencoderConfig::new().with_n_bins(D).with_latent(5));
    let t2 = Trainer::new(other, data(200), &dev).unwrap();
    let (tensors, _) = t2.state_dict().unwrap();
    let bytes = to_safetensors(&tensors, &[], None).unwrap();
    let err = model_from_safetensors(&t.config.model, &bytes, None, &dev)
        .err()
        .unwrap();
    assert!(
        matches!(err, InteropError::Shape { .. } | InteropError::Missing(_)),
        "{err}"
    );
}

#[test]
fn safetensors_use_pytorch_names_and_layout() {
    let dev = Device::flex();
    let cfg = AutoencoderConfig::new();
    let m = cfg.init(&dev);
    let (tensors, _) = state_dict(&m).unwrap();
    let names: Vec<&str> = tensors.iter().map(|t| t.0.as_str()).collect();
    for n in [
        "0.0.weight",
        "0.0.bias",
        "0.2.weight",
        "0.4.weight",
        "1.0.weight",
        "1.2.bias",
        "1.4.weight",
        "1.4.bias",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let shape = |n: &str| tensors.iter().find(|t| t.0 == n).unwrap().1.clone();
    assert_eq!(shape("0.0.weight"), vec![703, 1000]); // [out, in] as PyTorch stores it
    assert_eq!(shape("0.4.weight"), vec![6, 94]);
    assert_eq!(shape("1.4.weight"), vec![1000, 703]);
    let bytes = to_safetensors(&tensors, &[], None).unwrap();
    assert_eq!(config_from_safetensors(&bytes).unwrap(), cfg);
    let back = model_from_safetensors(&cfg, &bytes, None, &dev).unwrap();
    let x = Tensor::<2>::ones([3, 1000], &dev);
    let a: Vec<f32> = m.forward(x.clone()).into_data().try_into_vec().unwrap();
    let b: Vec<f32> = back.forward(x).into_data().try_into_vec().unwrap();
    assert_close(&a, &b);
    assert_eq!(
        cfg.n_params(),
        2 * (1000 * 703 + 703 * 94 + 94 * 6) + 703 + 94 + 6 + 94 + 703 + 1000
    );
}

#[test]
fn non_finite_loss_stops_training_with_a_clear_error() {
    let mut d = data(200);
    let (x, w) = d.rows.in_memory().expect("in memory");
    let (mut x, w) = ((**x).clone(), w.clone());
    x[[d.split.train[5] as usize, 3]] = f32::NAN;
    d.rows = Rows::memory(Arc::new(x), w);
    let mut t = Trainer::new(config(3), d, &Device::flex()).unwrap();
    match t.run_epoch(&mut |_| Flow::Continue) {
        Err(e @ TrainError::NonFinite { .. }) => {
            assert!(e.to_string().contains("checkpoint is kept"), "{e}")
        }
        other => panic!("expected a non-finite error, got {other:?}"),
    }
}

/// A trainer as the worker takes it.
fn launch(t: Result<Trainer, TrainError>) -> Result<Launch, String> {
    t.map(|trainer| Launch {
        trainer,
        backend: "cpu".into(),
        reason: "test".into(),
        watch: None,
    })
    .map_err(|e| e.to_string())
}

fn collect_until_finished(w: &TrainingWorker) -> Vec<Event> {
    let mut v = vec![];
    while let Ok(e) = w.events.recv_timeout(Duration::from_secs(120)) {
        let done = matches!(
            e,
            Event::Finished { .. } | Event::Failed(_) | Event::EngineFailed { .. }
        );
        v.push(e);
        if done {
            break;
        }
    }
    v
}

#[test]
fn worker_trains_saves_and_stops_on_command() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WorkerOptions {
        progress_interval: Duration::from_millis(0),
        ..WorkerOptions::new(dir.path())
    };
    // Full run: early stopping or the cap, with checkpoints and an exported model.
    let w = TrainingWorker::spawn(
        || launch(Trainer::new(config(3), data(200), &Device::flex())),
        opts.clone(),
    )
    .unwrap();
    let ev = collect_until_finished(&w);
    w.join();
    assert_eq!(
        ev.iter().filter(|e| matches!(e, Event::Epoch(_))).count(),
        3
    );
    assert!(
        matches!(
            ev.last(),
            Some(Event::Finished {
                reason: FinishReason::MaxEpochs,
                ..
            })
        ),
        "{ev:?}"
    );
    for f in ["best.safetensors", "last.safetensors", "model.safetensors"] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }

    // Stop: with batch size 1 an epoch has 150 batches; a stop sent before the first batch
    // ends the run after at most one.
    let cfg = config(50).with_batch_size(1);
    let dir2 = tempfile::tempdir().unwrap();
    let opts2 = WorkerOptions {
        out_dir: dir2.path().to_path_buf(),
        ..opts
    };
    // The worker starts training only once the stop is on its control channel (a batch takes
    // microseconds: a test thread descheduled under load once saw a whole epoch go by).
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let w = TrainingWorker::spawn(
        move || {
            let _ = wait.recv();
            launch(Trainer::new(cfg, data(200), &Device::flex()))
        },
        opts2,
    )
    .unwrap();
    assert!(w.send(Command::Stop));
    go.send(()).unwrap();
    let events = collect_until_finished(&w);
    let batches = w.progress().map_or(0, |p| p.batch);
    w.join();
    assert!(
        matches!(
            events.last(),
            Some(Event::Finished {
                reason: FinishReason::Stopped,
                ..
            })
        ),
        "{events:?}"
    );
    assert!(batches <= 1, "{batches} batches ran after the stop");
    assert!(!events.iter().any(|e| matches!(e, Event::Epoch(_))));
}

#[test]
fn unwritable_output_is_an_error_and_keeps_previous_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let w = TrainingWorker::spawn(
        || launch(Trainer::new(config(2), data(100), &Device::flex())),
        WorkerOptions::new(&blocker),
    )
    .unwrap();
    let ev = collect_until_finished(&w);
    w.join();
    match ev.last() {
        Some(Event::Failed(msg)) => assert!(
            msg.contains("not-a-folder") && msg.contains("intact"),
            "{msg}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}

#[test]
fn encode_and_decode_apis_agree_with_the_model() {
    use specae::model::evaluate::{decode_one, encode_rows, reconstruct_rows};
    let dev = Device::flex();
    let d = data(50);
    let cfg = AutoencoderConfig::new()
        .with_n_bins(D)
        .with_hidden(vec![24, 12])
        .with_latent(3);
    let m = cfg.init(&dev);
    let idx: Vec<u32> = (0..50).collect();
    let x = d.rows.in_memory().expect("in memory").0;
    let z = encode_rows(&m, x.view(), &idx, &dev);
    let r = reconstruct_rows(&m, x.view(), &idx, &dev);
    assert_eq!(z.dim(), (50, 3));
    assert_eq!(r.dim(), (50, D));
    // Decoding row 7's latent vector gives row 7's reconstruction.
    let one = decode_one(&m, z.row(7).as_slice().unwrap(), &dev);
    assert_eq!(one.len(), D);
    assert_close(&one, r.row(7).as_slice().unwrap());
    let t0 = std::time::Instant::now();
    for _ in 0..100 {
        std::hint::black_box(decode_one(&m, &[0.1, 0.2, 0.3], &dev));
    }
    println!(
        "decode_one (small model): {:.3} ms",
        t0.elapsed().as_secs_f64() * 10.0
    );
}

/// The worker never waits for its reader: a run nobody listens to (a hidden window) goes on
/// to its end, and its reader later finds every event and the newest progress.
#[test]
fn worker_runs_to_the_end_while_nobody_reads() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WorkerOptions {
        progress_interval: Duration::from_millis(0),
        ..WorkerOptions::new(dir.path())
    };
    // Early stopping is off (patience beyond the cap): the run must reach its 300 epochs.
    let cfg = config(300).with_stop_patience(1000);
    let w = TrainingWorker::spawn(
        move || launch(Trainer::new(cfg, data(40), &Device::flex())),
        opts,
    )
    .unwrap();
    // Nobody reads the events while it runs: the run has ended when it exports its model.
    let t0 = std::time::Instant::now();
    while !dir.path().join("model.safetensors").is_file() {
        assert!(
            t0.elapsed() < Duration::from_secs(300),
            "the worker stalled with nobody reading ({} events waiting)",
            w.events.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ev = collect_until_finished(&w);
    w.join();
    let epochs = ev.iter().filter(|e| matches!(e, Event::Epoch(_))).count();
    assert_eq!(epochs, 300, "every epoch's event was kept");
    assert!(
        matches!(
            ev.last(),
            Some(Event::Finished {
                reason: FinishReason::MaxEpochs,
                epochs: 300,
                ..
            })
        ),
        "{:?}",
        ev.last()
    );
}

/// Every weight of two engines after the same steps, within `tol`.
fn assert_weights_close(a: &Trainer, b: &Trainer, tol: f32, what: &str) {
    let (wa, _) = a.state_dict().unwrap();
    let (wb, _) = b.state_dict().unwrap();
    for ((name, _, x), (_, _, y)) in wa.iter().zip(&wb) {
        let worst = x
            .iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < tol, "{what}: {name} differs by {worst}");
    }
}

/// burn on wgpu (lavapipe in CI: scripts/test.sh installs it) against the native engine from
/// the same weights: batch losses, weights after Adam and the validation loss agree to the
/// burn-vs-native tolerances above. Needs an adapter: ignored with the reason unless
/// scripts/test.sh found one.
#[cfg(feature = "gpu")]
#[test]
#[ignore = "needs a wgpu adapter (lavapipe: scripts/install-gui-deps.sh); scripts/test.sh includes it when one is installed"]
fn wgpu_matches_the_native_engine_step_by_step_on_a_wgpu_adapter() {
    let gpu = specae::train::gpu::open().unwrap_or_else(|why| panic!("no wgpu adapter: {why}"));
    eprintln!("wgpu parity on {}", gpu.label());
    let flex = Device::flex();
    let check = |cfg: TrainConfig, data: TrainData, steps: usize| {
        let native = Trainer::new_on(cfg.clone(), data.clone(), &flex, EngineKind::Native).unwrap();
        let wgpu = Trainer::with_model_on(
            cfg.clone(),
            data.clone(),
            &gpu.device,
            native.inference_model(),
            EngineKind::Burn,
        )
        .unwrap();
        assert_weights_close(&wgpu, &native, 1e-6, "initial weights");
        let p = specae::train::parity::against_native(&gpu.device, cfg, data, steps).unwrap();
        eprintln!(
            "{steps} steps: losses {:.1e}, weights {:.1e}, validation {:.1e}",
            p.loss_rel, p.weight_abs, p.valid_rel
        );
        assert_eq!(p.losses.len(), steps);
        assert!(p.within(1e-5, 1e-4), "{p:?}");
    };
    // The small problem of the burn-vs-native test, 12 steps.
    check(config(5), data(300), 12);
    // The paper's network on spectra-sized rows (tile edges at 703 and 94), batch 64.
    let (cfg, big) = specae::train::parity::paper_problem(200, 11);
    check(cfg, big, 3);
}

/// A GPU lost mid-run (burn's runtime panics): the run ends with a message naming the failure,
/// the last whole epoch's checkpoint is intact, and it resumes on the CPU to the end.
#[test]
fn an_engine_failing_mid_run_keeps_its_checkpoint_and_resumes_on_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WorkerOptions::new(dir.path());
    let dev = Device::flex();
    let cfg = config(6);
    let d = data(320);
    let steps_per_epoch = d.split.train.len().div_ceil(cfg.batch_size);
    let t = Trainer::new_on(cfg.clone(), d.clone(), &dev, EngineKind::Burn).map(|mut t| {
        // Two whole epochs, then the device is lost in the third.
        t.inject_fault(2 * steps_per_epoch + 3, "device lost (DEVICE_LOST)");
        t
    });
    let w = TrainingWorker::spawn(
        move || {
            launch(t).map(|l| Launch {
                backend: "wgpu on Test GPU".into(),
                ..l
            })
        },
        opts.clone(),
    )
    .unwrap();
    let events = collect_until_finished(&w);
    w.join();
    let Some(Event::EngineFailed {
        message,
        resume_from,
    }) = events.last()
    else {
        panic!("the run did not end with the engine's failure: {events:?}");
    };
    assert!(
        message.contains("wgpu on Test GPU failed in epoch 3")
            && message.contains("device lost")
            && message.contains("checkpoint of epoch 2 is intact"),
        "{message}"
    );
    assert_eq!(resume_from.as_deref(), Some(opts.last_path().as_path()));
    let epochs: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::Epoch(r) => Some(r.epoch),
            _ => None,
        })
        .collect();
    assert_eq!(epochs, vec![1, 2]);
    // The checkpoint reads back whole and the run goes on, on the native CPU engine.
    let ck = Checkpoint::read(&opts.last_path()).unwrap();
    assert_eq!(ck.meta.epoch, 2);
    let resumed = ck
        .resume_on(ck.meta.config.clone(), d, &dev, EngineKind::Native)
        .unwrap();
    assert_eq!(resumed.epoch, 2);
    let w = TrainingWorker::spawn(move || launch(Ok(resumed)), opts.clone()).unwrap();
    let events = collect_until_finished(&w);
    w.join();
    assert!(
        matches!(events.last(), Some(Event::Finished { epochs, .. }) if *epochs == 6),
        "{events:?}"
    );
}

/// A failure before any epoch finished says there is nothing to resume.
#[test]
fn an_engine_failing_in_the_first_epoch_says_there_is_no_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WorkerOptions::new(dir.path());
    let t =
        Trainer::new_on(config(3), data(200), &Device::flex(), EngineKind::Native).map(|mut t| {
            t.inject_fault(2, "out of memory");
            t
        });
    let w = TrainingWorker::spawn(move || launch(t), opts).unwrap();
    let events = collect_until_finished(&w);
    w.join();
    match events.last() {
        Some(Event::EngineFailed {
            message,
            resume_from: None,
        }) => assert!(
            message.contains("failed in epoch 1: out of memory")
                && message.contains("no checkpoint to resume"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

/// `auto`'s measurement on whatever adapter this machine has (lavapipe in CI): both engines
/// timed at the run's shape, the faster chosen with both rates in the reason, remembered in the
/// cache and reused; `fresh` measures again.
#[cfg(feature = "gpu")]
#[test]
#[ignore = "needs a wgpu adapter (lavapipe: scripts/install-gui-deps.sh); scripts/test.sh includes it when one is installed"]
fn auto_times_both_engines_and_remembers_the_choice_on_a_wgpu_adapter() {
    use specae::train::backend::{RunShape, by_measurement};
    let gpu = specae::train::gpu::open().unwrap_or_else(|why| panic!("no wgpu adapter: {why}"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("engine-speeds.json");
    let shape = RunShape {
        model: config(1).model,
        batch: 16,
    };
    let first = by_measurement(&gpu, &shape, &cache, false);
    eprintln!("{}: {}", first.name, first.reason);
    let m = first.speeds.clone().expect("measured");
    assert!(m.gpu > 0.0 && m.cpu > 0.0, "{m:?}");
    assert!(
        first.reason.contains("by measurement")
            && first.reason.contains("measured now; remembered")
            && first.reason.contains(&gpu.label())
            && first.reason.contains("at batch 16"),
        "{}",
        first.reason
    );
    let gpu_won = m.gpu > m.cpu;
    assert_eq!(first.engine == EngineKind::Burn, gpu_won);
    let again = by_measurement(&gpu, &shape, &cache, false);
    assert!(again.reason.contains(" ago; "), "{}", again.reason);
    assert_eq!(again.speeds, first.speeds, "the remembered numbers");
    assert_eq!(again.name, first.name);
    let fresh = by_measurement(&gpu, &shape, &cache, true);
    assert!(fresh.reason.contains("measured now"), "{}", fresh.reason);
}

/// The initial model of a run from one seed, bit for bit, and its first batch loss on every
/// engine of this machine: the native engine, burn on the CPU and (when one opens) burn on the
/// wgpu adapter — the weights are drawn on the CPU and moved to the device.
#[test]
fn one_seed_is_one_initial_model_and_one_first_batch_loss_on_every_engine() {
    let cfg = config(1);
    let mut engines: Vec<(String, Device, EngineKind)> = vec![
        ("native".into(), Device::flex(), EngineKind::Native),
        ("burn-cpu".into(), Device::flex(), EngineKind::Burn),
    ];
    match specae::train::gpu::open() {
        Ok(g) => engines.push((g.label(), g.device.clone(), EngineKind::Burn)),
        Err(why) => eprintln!("no wgpu adapter ({why}): the CPU engines only"),
    }
    let mut first: Option<(Vec<specae::model::interop::NamedTensor>, f64)> = None;
    for (name, device, engine) in engines {
        let mut t = Trainer::new_on(cfg.clone(), data(300), &device, engine).unwrap();
        let (w, _) = t.state_dict().unwrap();
        let loss = t.first_batch_losses(1)[0];
        eprintln!("{name}: first batch loss {loss}");
        match &first {
            None => first = Some((w, loss)),
            Some((w0, l0)) => {
                for ((n, _, a), (_, _, b)) in w0.iter().zip(&w) {
                    assert!(
                        a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
                        "{name}: initial {n} differs from the native engine's"
                    );
                }
                assert!(rel(loss, *l0) < 1e-6, "{name}: {loss} vs native {l0}");
            }
        }
    }
    // Another seed, another model.
    let other = Trainer::new_on(
        cfg.with_seed(8),
        data(300),
        &Device::flex(),
        EngineKind::Native,
    )
    .unwrap();
    let (w, _) = other.state_dict().unwrap();
    assert_ne!(w[0].2, first.unwrap().0[0].2);
}

/// A run far slower than the measurement its engine was chosen by: after its second epoch the
/// worker warns, naming both rates, and the remembered measurement is forgotten (the next
/// `auto` measures again).
#[test]
fn a_run_far_slower_than_measured_forgets_the_measurement() {
    use specae::train::engine_speed::{Measured, SpeedKey, SpeedWatch, lookup, remember};
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("engine-speeds.json");
    let key = SpeedKey {
        engine: "wgpu".into(),
        adapter: "Test GPU".into(),
        driver: String::new(),
        fingerprint: "wgsl".into(),
        features: vec![],
        model: "Ae".into(),
        layers: vec![D, 24, 12, 3],
        batch: 16,
        cpu_threads: 1,
        specae: "test".into(),
    };
    // Remembered: the CPU engine at a rate no machine reaches.
    let m = Measured::now(key.clone(), 1.0, 1e12);
    remember(&cache, &m).unwrap();
    let watch = SpeedWatch::new(
        cache.clone(),
        &m,
        "cpu (specae native engine)".into(),
        m.cpu,
    );
    let t = Trainer::new_on(config(3), data(300), &Device::flex(), EngineKind::Native);
    let w = TrainingWorker::spawn(
        move || {
            launch(t).map(|l| Launch {
                watch: Some(watch),
                ..l
            })
        },
        WorkerOptions::new(dir.path()),
    )
    .unwrap();
    let events = collect_until_finished(&w);
    w.join();
    let warnings: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Warning(w) => Some(w),
            _ => None,
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    assert!(
        warnings[0].contains("under half") && warnings[0].contains("forgotten"),
        "{}",
        warnings[0]
    );
    // It came after the second epoch, and the run went on to its end.
    let pos = |f: &dyn Fn(&Event) -> bool| events.iter().position(f).unwrap();
    let second = pos(&|e| matches!(e, Event::Epoch(r) if r.epoch == 2));
    let warned = pos(&|e| matches!(e, Event::Warning(_)));
    assert!(warned > second, "{events:?}");
    assert!(matches!(
        events.last(),
        Some(Event::Finished { epochs: 3, .. })
    ));
    assert!(lookup(&cache, &key).is_none(), "forgotten");
}

/// `auto` when the GPU engine panics while it is measured (burn's runtime panics on device
/// errors): the CPU, with the panic's message in the reason, and the failure remembered, so
/// the next run does not measure (nor panic) again; `fresh` tries again.
#[test]
fn auto_falls_back_to_the_cpu_when_measuring_the_gpu_panics_and_remembers_why() {
    use specae::train::backend::{Auto, RunShape, measured_choice};
    use specae::train::gpu::{Gpu, GpuApi};
    let dir = tempfile::tempdir().unwrap();
    let auto = Auto {
        cache: dir.path().join("engine-speeds.json"),
        fresh: false,
        fault: None,
    };
    let gpu = Gpu {
        api: GpuApi::Wgpu,
        device: Device::flex(),
        adapter: "Test GPU".into(),
        fingerprint: "wgsl".into(),
        driver: "Test 1.0".into(),
        software: false,
    };
    let shape = RunShape {
        model: config(1).model,
        batch: 16,
    };
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let panicking = |_: &Gpu, _: &RunShape| -> specae::train::engine_speed::Measured {
        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        panic!("Metal shader compilation failed: unsupported type (injected)")
    };
    let c = measured_choice(std::slice::from_ref(&gpu), &shape, &auto, &panicking);
    assert_eq!(c.engine, EngineKind::Native);
    assert!(c.name.starts_with("cpu"), "{}", c.name);
    assert!(
        c.reason.contains("wgpu on Test GPU failed its test run")
            && c.reason.contains("Metal shader compilation failed")
            && c.reason.contains("remembered for this machine")
            && c.reason.contains("training on the CPU"),
        "{}",
        c.reason
    );
    let again = measured_choice(std::slice::from_ref(&gpu), &shape, &auto, &panicking);
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "remembered"
    );
    assert!(
        again.reason.contains("Metal shader compilation failed") && again.reason.contains(" ago"),
        "{}",
        again.reason
    );
    let fresh = Auto {
        fresh: true,
        ..auto.clone()
    };
    measured_choice(std::slice::from_ref(&gpu), &shape, &fresh, &panicking);
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "measured again"
    );
}

/// `auto` on this machine's adapter (lavapipe in CI, measured although it is a software
/// renderer because a test's fault is injected): the GPU engine's first step panics inside the
/// measurement, and the run trains on the CPU with the panic's message as the reason.
#[cfg(feature = "gpu")]
#[test]
#[ignore = "needs a wgpu adapter (lavapipe: scripts/install-gui-deps.sh); scripts/test.sh includes it when one is installed"]
fn a_panicking_gpu_engine_during_auto_gives_the_cpu_and_why_on_a_wgpu_adapter() {
    use specae::train::backend::{Auto, BackendChoice, RunShape, choose_with};
    let gpu = specae::train::gpu::open().unwrap_or_else(|why| panic!("no wgpu adapter: {why}"));
    let dir = tempfile::tempdir().unwrap();
    let auto = Auto {
        cache: dir.path().join("engine-speeds.json"),
        fresh: false,
        fault: Some("device lost (injected)".into()),
    };
    let shape = RunShape {
        model: config(1).model,
        batch: 16,
    };
    let c = choose_with(BackendChoice::Auto, &shape, &auto).unwrap();
    assert_eq!(c.engine, EngineKind::Native);
    assert!(
        c.reason
            .contains(&format!("{} failed its test run", gpu.label()))
            && c.reason.contains("device lost (injected)"),
        "{}",
        c.reason
    );
    assert!(!auto.cache.exists(), "a test's fault is not remembered");
}
