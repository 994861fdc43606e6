//! The VAE and InfoVAE of Portillo et al.: gradients of their KL and MMD terms against finite
//! differences, training that lowers the loss, checkpoints that say which model they hold, and
//! the CLI's `train --model vae|infovae` followed by `evaluate`.

use std::sync::Arc;

use burn::prelude::*;
use burn::tensor::TensorData;
use ndarray::Array2;
use specae::data::Split;
use specae::model::interop::{NamedTensor, model_from_state_dict, state_dict};
use specae::model::vae_loss::{Draws, VaeTerms, VaeWeights, vae_terms};
use specae::model::{AutoencoderConfig, ModelKind};
use specae::train::checkpoint::{Checkpoint, save};
use specae::train::trainer::{EngineKind, EpochEnd, Flow, TrainData};
use specae::train::{TrainConfig, Trainer};

fn tiny_config(kind: ModelKind) -> AutoencoderConfig {
    AutoencoderConfig::new()
        .with_n_bins(8)
        .with_hidden(vec![6])
        .with_latent(2)
        .with_kind(Some(kind))
}

fn t2(v: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), device)
}

fn value(t: Tensor<1>) -> f64 {
    f64::from(t.into_data().try_to_vec::<f32>().unwrap()[0])
}

/// Fixed inputs, weights and draws for the gradient checks.
struct Fixed {
    x: Vec<f32>,
    w: Vec<f32>,
    eps: Vec<f32>,
    eps_mmd: Vec<f32>,
    prior: Vec<f32>,
}

const ROWS: usize = 5;

fn fixed() -> Fixed {
    let wave = |n: usize, a: f32, b: f32| -> Vec<f32> {
        (0..n).map(|i| (a * i as f32 + b).sin()).collect()
    };
    Fixed {
        x: wave(ROWS * 8, 0.7, 0.3).iter().map(|v| 1.0 + v).collect(),
        w: wave(ROWS * 8, 1.3, 0.1).iter().map(|v| 1.5 + v).collect(),
        eps: wave(ROWS * 2, 2.1, 0.5),
        eps_mmd: wave(ROWS * 2, 0.9, 1.7),
        prior: wave(40 * 2, 1.7, 0.2).iter().map(|v| 1.2 * v).collect(),
    }
}

/// The terms of `tensors` (a state dict) on `device`.
fn terms_of(
    cfg: &AutoencoderConfig,
    tensors: &[NamedTensor],
    f: &Fixed,
    device: &Device,
) -> (specae::model::Autoencoder, VaeTerms) {
    let model = model_from_state_dict(cfg, tensors, None, device).unwrap();
    let draws = Draws {
        eps: t2(f.eps.clone(), ROWS, 2, device),
        eps_mmd: t2(f.eps_mmd.clone(), ROWS, 2, device),
        prior: t2(f.prior.clone(), 40, 2, device),
    };
    let weights = VaeWeights {
        alpha: 0.0,
        lambda: 10.0,
    };
    let t = vae_terms(
        &model,
        t2(f.x.clone(), ROWS, 8, device),
        t2(f.w.clone(), ROWS, 8, device),
        draws,
        weights,
    );
    (model, t)
}

/// Autodiff's gradient of one term against central finite differences, for parameters of the
/// log-variance head, the latent layer and the first encoder layer.
#[test]
fn the_kl_and_mmd_gradients_match_finite_differences() {
    let cfg = tiny_config(ModelKind::InfoVae);
    let plain = Device::flex();
    let grad_device = plain.clone().autodiff();
    let start = cfg.init(&plain);
    let (tensors, _) = state_dict(&start).unwrap();
    let f = fixed();
    type Pick = fn(&VaeTerms) -> Tensor<1>;
    let picks: [(&str, Pick); 3] = [
        ("KL", |t| t.kl.clone()),
        ("MMD", |t| t.mmd.clone()),
        ("total", |t| t.total.clone()),
    ];
    for (term, pick) in picks {
        let (model, t) = terms_of(&cfg, &tensors, &f, &grad_device);
        let grads = pick(&t).backward();
        let lv = model.logvar.as_ref().unwrap();
        let layers = [
            ("lv.weight", lv.weight.val().grad(&grads).unwrap()),
            (
                "0.2.weight",
                model.encoder[1].weight.val().grad(&grads).unwrap(),
            ),
            (
                "0.0.weight",
                model.encoder[0].weight.val().grad(&grads).unwrap(),
            ),
        ];
        let mut checked = 0;
        for (name, g) in layers {
            // burn holds weights [in, out]; the state dict [out, in].
            let [d_in, d_out] = g.dims();
            let g = g.into_data().try_to_vec::<f32>().unwrap();
            let at = tensors.iter().position(|(n, _, _)| n == name).unwrap();
            for (o, i) in [(0, 0), (1, d_in - 1), (d_out - 1, d_in / 2)] {
                let h = 1e-2f32;
                let value_at = |delta: f32| {
                    let mut p = tensors.clone();
                    p[at].2[o * d_in + i] += delta;
                    value(pick(&terms_of(&cfg, &p, &f, &plain).1))
                };
                let fd = (value_at(h) - value_at(-h)) / (2.0 * f64::from(h));
                let ad = f64::from(g[i * d_out + o]);
                let scale = fd.abs().max(ad.abs()).max(1e-3);
                assert!(
                    (fd - ad).abs() / scale < 0.03,
                    "{term} ∂/∂{name}[{o},{i}]: autodiff {ad:.6}, finite differences {fd:.6}"
                );
                checked += usize::from(ad.abs() > 1e-5);
            }
        }
        assert!(checked >= 4, "{term}: too few non-zero gradients checked");
    }
}

fn smooth_data(n: usize, bins: usize) -> TrainData {
    let x = Array2::from_shape_fn((n, bins), |(i, j)| {
        let a = 1.0 + (i % 7) as f32 * 0.1;
        let b = ((i * 13) % 5) as f32 * 0.05;
        a + b * (j as f32 * 0.3).sin()
    });
    TrainData {
        rows: specae::train::stream::Rows::memory(Arc::new(x.clone()), Arc::new(x.mapv(|_| 4.0))),
        split: Split::seeded(n, 0, 0.75),
        identity: None,
        grid: None,
        infill: None,
    }
}

#[test]
fn a_vae_trains_reports_its_reconstruction_and_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [ModelKind::Vae, ModelKind::InfoVae] {
        let cfg = TrainConfig::new(tiny_config(kind).with_n_bins(16))
            .with_batch_size(16)
            .with_max_epochs(30)
            .with_lambda((kind == ModelKind::InfoVae).then_some(100.0));
        let device = Device::flex();
        let mut t = Trainer::new(cfg, smooth_data(200, 16), &device).unwrap();
        assert_eq!(t.engine_kind(), EngineKind::Native);
        let mut records = vec![];
        for _ in 0..30 {
            match t.run_epoch(&mut |_| Flow::Continue).unwrap() {
                EpochEnd::Done(r) => records.push(r),
                EpochEnd::Interrupted => unreachable!(),
            }
        }
        let (first, last) = (&records[0], &records[records.len() - 1]);
        let (r0, r1) = (first.valid_recon.unwrap(), last.valid_recon.unwrap());
        assert!(
            last.valid_loss < 0.5 * first.valid_loss && r1 < 0.5 * r0,
            "{kind}: validation loss {} → {}, reconstruction {r0} → {r1}",
            first.valid_loss,
            last.valid_loss
        );
        // The same validation twice: its draws are fixed.
        assert_eq!(t.validation_terms().unwrap(), t.validation_terms().unwrap());
        let path = dir.path().join(format!("{kind}.safetensors"));
        save(&t, "cpu", &path).unwrap();
        let ck = Checkpoint::read(&path).unwrap();
        assert_eq!(ck.meta.config.model.model_kind(), kind);
        let model = ck.model(&device).unwrap();
        assert!(model.logvar.is_some());
        // Resumed, it continues where it stopped: the same weights give the same validation.
        let resumed = ck.resume(smooth_data(200, 16), &device).unwrap();
        let (a, b) = (
            t.validation_terms().unwrap(),
            resumed.validation_terms().unwrap(),
        );
        assert!(
            (a.0 - b.0).abs() < 1e-6 * a.0.abs().max(1.0),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn bad_vae_settings_are_refused() {
    let device = Device::flex();
    for (alpha, lambda, says) in [
        (Some(1.5), None, "α must lie in [0, 1]"),
        (None, Some(-3.0), "λ must be finite"),
        (None, Some(f64::NAN), "λ must be finite"),
    ] {
        let cfg = TrainConfig::new(tiny_config(ModelKind::InfoVae))
            .with_alpha(alpha)
            .with_lambda(lambda);
        let e = Trainer::new(cfg, smooth_data(40, 8), &device)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn train_model_vae_then_evaluate_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_specae");
    let run = crate::common::specae;
    let data = crate::common::generated_survey(dir.path(), "s.npz", 300);
    let out = dir.path().join("run");
    let o = std::process::Command::new(bin)
        .args([
            "train",
            "--data",
            data.to_str().unwrap(),
            "--model",
            "infovae",
            "--lambda",
            "100",
            "--epochs",
            "2",
            "--batch",
            "32",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = crate::common::ok(o.clone());
    assert!(stdout.contains("recon"), "{stdout}");
    let best = out.join("best.safetensors");
    let ck = Checkpoint::read(&best).unwrap();
    assert_eq!(ck.meta.config.model.model_kind(), ModelKind::InfoVae);
    assert_eq!(ck.meta.config.lambda, Some(100.0));
    // The exported weights carry the log-variance head; evaluate encodes with μ.
    let weights = out.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    let cfg = specae::model::interop::config_from_safetensors(&bytes).unwrap();
    assert!(cfg.variational(), "{cfg:?}");
    let ev = crate::common::ok(run(&[
        "evaluate",
        best.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]));
    assert!(ev.contains("all"), "{ev}");
    // analyze and figures take a VAE as they take the AE (its latents are μ).
    crate::common::ok(run(&[
        "analyze",
        best.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]));
    let figs = dir.path().join("figs");
    crate::common::ok(run(&[
        "figures",
        best.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "png",
        "--out",
        figs.to_str().unwrap(),
    ]));
    assert!(figs.join("corner.png").is_file() && figs.join("umap_class.png").is_file());
    // --lambda belongs to the VAEs.
    let e = run(&["train", "--data", data.to_str().unwrap(), "--lambda", "5"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr).contains("--model vae|infovae"));
}

/// A 16-bin run for engine parity: the InfoVAE with Portillo's leaky ReLU (and, with
/// `mean_input`, the mean-subtracted spectrum his trainVAE.py feeds), the VAE as specae's.
fn parity_config(kind: ModelKind, mean_input: bool, seed: u64) -> TrainConfig {
    let info = kind == ModelKind::InfoVae;
    TrainConfig::new(
        tiny_config(kind)
            .with_n_bins(16)
            .with_hidden(vec![12, 6])
            .with_activation(info.then_some(specae::model::Activation::LeakyRelu))
            .with_subtract_mean((info && mean_input).then_some(true)),
    )
    .with_batch_size(16)
    .with_lambda(info.then_some(50.0))
    .with_seed(seed)
}

/// The native engine and burn's autodiff, from the same weights with the same draws, give the
/// same VAE losses step by step and the same weights after them.
#[test]
fn native_and_burn_vae_steps_agree() {
    for kind in [ModelKind::Vae, ModelKind::InfoVae] {
        let cfg = parity_config(kind, true, 5);
        let device = Device::flex();
        let data = smooth_data(200, 16);
        let mut native =
            Trainer::new_on(cfg.clone(), data.clone(), &device, EngineKind::Native).unwrap();
        // The same starting weights (burn's device RNG is shared with tests running alongside,
        // so seeding it twice need not give the same draws).
        let start = native.inference_model();
        let mut burn = Trainer::with_model_on(cfg, data, &device, start, EngineKind::Burn).unwrap();
        let (a, b) = (native.first_batch_losses(6), burn.first_batch_losses(6));
        for (s, (x, y)) in a.iter().zip(&b).enumerate() {
            assert!(
                (x - y).abs() < 1e-4 * x.abs().max(1.0),
                "{kind} step {s}: native {x} vs burn {y}"
            );
        }
        let (wa, _) = native.state_dict().unwrap();
        let (wb, _) = burn.state_dict().unwrap();
        assert_eq!(wa.len(), wb.len());
        let mut worst = 0.0f32;
        for ((na, _, va), (nb, _, vb)) in wa.iter().zip(&wb) {
            assert_eq!(na, nb);
            for (p, q) in va.iter().zip(vb) {
                worst = worst.max((p - q).abs());
            }
        }
        assert!(
            worst < 1e-4,
            "{kind}: weights differ by {worst} after 6 steps"
        );
        println!(
            "{kind}: losses {a:?} (native) vs {b:?} (burn); worst weight difference {worst:e}"
        );
    }
}

/// Portillo et al.'s `InfoVAE` names (`encd`, `enc2`, `mu`, `lv`, `decd`, `dec2`, `outp`) and
/// leaky ReLU: specae exports a VAE with them, reads such a file (with or without specae's
/// metadata, as PyTorch's `save_file` writes it) at its own layer sizes, and encodes as a plain
/// loop over the named tensors with leaky ReLU does.
#[test]
fn portillo_named_weights_round_trip_with_leaky_relu() {
    use specae::model::Activation;
    use specae::model::interop::{config_from_safetensors, to_portillo_names, to_safetensors};
    use specae::train::load::read_model;
    let dir = tempfile::tempdir().unwrap();
    // Portillo's default sizes: 1000-128-35-5.
    let cfg = AutoencoderConfig::new()
        .with_hidden(vec![128, 35])
        .with_latent(5)
        .with_kind(Some(ModelKind::InfoVae))
        .with_activation(Some(Activation::LeakyRelu));
    let device = Device::flex();
    let model = cfg.init(&device);
    let ours = dir.path().join("ours.safetensors");
    specae::train::checkpoint::export_weights(&model, None, &ours).unwrap();
    let bin = env!("CARGO_BIN_EXE_specae");
    let theirs = dir.path().join("portillo.safetensors");
    crate::common::ok(
        std::process::Command::new(bin)
            .args([
                "export",
                ours.to_str().unwrap(),
                "--names",
                "portillo",
                "--out",
            ])
            .arg(&theirs)
            .output()
            .unwrap(),
    );
    // As PyTorch writes it: Portillo's names, no metadata.
    let (tensors, _) = state_dict(&model).unwrap();
    let renamed = to_portillo_names(&tensors).unwrap();
    let bare = dir.path().join("bare.safetensors");
    std::fs::write(&bare, to_safetensors(&renamed, &[], None).unwrap()).unwrap();
    let x = ndarray::Array2::from_shape_fn((4, 1000), |(i, j)| {
        1.0 + 0.5 * ((i * 1000 + j) as f32 * 0.013).sin()
    });
    let idx: Vec<u32> = (0..4).collect();
    let expect = specae::model::evaluate::encode_rows(&model, x.view(), &idx, &device);
    for file in [&theirs, &bare] {
        let bytes = std::fs::read(file).unwrap();
        let c = config_from_safetensors(&bytes).unwrap();
        assert_eq!(
            c.encoder_sizes(),
            vec![1000, 128, 35, 5],
            "{}",
            file.display()
        );
        assert_eq!(c.activation_kind(), Activation::LeakyRelu);
        assert!(c.variational());
        let m = read_model(file, &device).unwrap().model;
        let got = specae::model::evaluate::encode_rows(&m, x.view(), &idx, &device);
        let diff = (&got - &expect).mapv(f32::abs).fold(0f32, |a, &b| a.max(b));
        assert!(diff < 1e-5, "{}: μ differs by {diff}", file.display());
    }
    // μ by hand from the named tensors: leaky ReLU (slope 0.01) after encd and enc2.
    let find = |name: &str| renamed.iter().find(|(n, _, _)| n == name).unwrap();
    let dense = |input: &[f32], layer: &str, leaky: bool| -> Vec<f32> {
        let (_, shape, w) = find(&format!("{layer}.weight"));
        let (_, _, b) = find(&format!("{layer}.bias"));
        (0..shape[0])
            .map(|o| {
                let v: f32 = b[o]
                    + (0..shape[1])
                        .map(|i| w[o * shape[1] + i] * input[i])
                        .sum::<f32>();
                if leaky && v < 0.0 { 0.01 * v } else { v }
            })
            .collect()
    };
    let row: Vec<f32> = x.row(2).to_vec();
    let mu = dense(
        &dense(&dense(&row, "encd", true), "enc2", true),
        "mu",
        false,
    );
    for (k, v) in mu.iter().enumerate() {
        assert!(
            (v - expect[[2, k]]).abs() < 1e-4,
            "μ[{k}] {v} vs {}",
            expect[[2, k]]
        );
    }
    // An autoencoder has no such names.
    let ae = AutoencoderConfig::new().init(&device);
    assert!(to_portillo_names(&state_dict(&ae).unwrap().0).is_err());
}

/// The VAE and the leaky-ReLU InfoVAE on burn's wgpu engine (lavapipe in the test run) against
/// the native engine, step by step from the same weights and draws.
#[cfg(feature = "gpu")]
#[test]
#[ignore = "needs a wgpu adapter (lavapipe: scripts/install-gui-deps.sh); scripts/test.sh includes it when one is installed"]
fn wgpu_vae_steps_match_the_native_engine_on_a_wgpu_adapter() {
    let gpu = specae::train::gpu::open().unwrap_or_else(|why| panic!("no wgpu adapter: {why}"));
    for kind in [ModelKind::Vae, ModelKind::InfoVae] {
        let cfg = parity_config(kind, false, 9);
        let data = smooth_data(200, 16);
        let flex = Device::flex();
        let mut native =
            Trainer::new_on(cfg.clone(), data.clone(), &flex, EngineKind::Native).unwrap();
        let start = native.inference_model();
        let mut wgpu =
            Trainer::with_model_on(cfg, data, &gpu.device, start, EngineKind::Burn).unwrap();
        let (a, b) = (native.first_batch_losses(6), wgpu.first_batch_losses(6));
        for (s, (x, y)) in a.iter().zip(&b).enumerate() {
            assert!(
                (x - y).abs() < 1e-4 * x.abs().max(1.0),
                "{kind} step {s}: native {x} vs wgpu {y}"
            );
        }
        let (va, _) = native.validation_terms().unwrap();
        let (vb, _) = wgpu.validation_terms().unwrap();
        assert!(
            (va - vb).abs() < 1e-4 * va.abs().max(1.0),
            "{kind}: {va} vs {vb}"
        );
    }
}

/// A model that reads x − ⟨x⟩: the mean is the training split's, it is kept by checkpoints and
/// exported weights (and named apart from Portillo's tensors), and encoding subtracts it.
#[test]
fn a_mean_subtracted_input_is_the_training_mean_and_travels_with_the_model() {
    use specae::model::interop::{INPUT_MEAN, config_from_safetensors, to_portillo_names};
    let dir = tempfile::tempdir().unwrap();
    let cfg = TrainConfig::new(
        tiny_config(ModelKind::Vae)
            .with_n_bins(16)
            .with_hidden(vec![12, 6])
            .with_subtract_mean(Some(true)),
    )
    .with_batch_size(16)
    .with_max_epochs(2);
    let data = smooth_data(200, 16);
    let device = Device::flex();
    let mut t = Trainer::new(cfg, data.clone(), &device).unwrap();
    t.run_epoch(&mut |_| Flow::Continue).unwrap();
    let model = t.inference_model();
    let mean = model
        .mean
        .clone()
        .expect("a mean")
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let x = data.rows.in_memory().expect("in memory").0;
    for (j, m) in mean.iter().enumerate() {
        let expect: f64 = data
            .split
            .train
            .iter()
            .map(|&i| f64::from(x[[i as usize, j]]))
            .sum::<f64>()
            / data.split.train.len() as f64;
        assert!(
            (f64::from(*m) - expect).abs() < 1e-5,
            "bin {j}: {m} vs {expect}"
        );
    }
    // Encoding subtracts it: the same as a copy of the model without a mean fed x − ⟨x⟩.
    let idx: Vec<u32> = (0..8).collect();
    let z = specae::model::evaluate::encode_rows(&model, x.view(), &idx, &device);
    let mut bare = model.clone();
    bare.mean = None;
    let centred = x.as_ref() - &ndarray::Array1::from_vec(mean.clone());
    let z2 = specae::model::evaluate::encode_rows(&bare, centred.view(), &idx, &device);
    assert!((&z - &z2).mapv(f32::abs).fold(0f32, |a, &b| a.max(b)) < 1e-5);
    // Checkpoints and exported weights keep it; Portillo's names leave it out.
    let ck = dir.path().join("ck.safetensors");
    save(&t, "cpu", &ck).unwrap();
    let back = Checkpoint::read(&ck).unwrap().model(&device).unwrap();
    assert!(back.mean.is_some());
    let w = dir.path().join("w.safetensors");
    specae::train::checkpoint::export_weights(&back, None, &w).unwrap();
    let bytes = std::fs::read(&w).unwrap();
    assert_eq!(
        config_from_safetensors(&bytes).unwrap().subtract_mean,
        Some(true)
    );
    let (tensors, _) = state_dict(&back).unwrap();
    assert!(tensors.iter().any(|(n, _, _)| n == INPUT_MEAN));
    assert!(
        to_portillo_names(&tensors)
            .unwrap()
            .iter()
            .all(|(n, _, _)| n != INPUT_MEAN)
    );
}
