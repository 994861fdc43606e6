//! Weights as safetensors with the state-dict names of `shared/anchors/reference.py`'s PyTorch
//! model: encoder linears `0.0`, `0.2`, `0.4`; decoder linears `1.0`, `1.2`, `1.4` (every
//! second index, the ReLUs between them), each `.weight` [out, in] and `.bias` [out], float32.
//! A PyTorch user loads a specae model with `model.load_state_dict(load_file(path))`, and
//! specae imports what `reference.py --save` writes.

use std::collections::HashMap;

use burn::module::{Param, ParamId};
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::TensorData;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::autoencoder::{Autoencoder, AutoencoderConfig};
use super::kind::Activation;
use crate::data::grid::LogGrid;

/// The safetensors metadata key holding the rest-frame grid a model was trained on (JSON:
/// `{"coeff0":3.53,"coeff1":0.00039,"n":1000}`).
pub const GRID_KEY: &str = "specae.grid";

#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    #[error("not a safetensors file: {0}")]
    Format(String),
    #[error("missing tensor '{0}' (is this a model of another architecture?)")]
    Missing(String),
    #[error("tensor '{name}' has shape {found:?}, this architecture needs {expected:?}")]
    Shape {
        name: String,
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    #[error("tensor '{name}' has dtype {dtype}, expected F32 (or F16)")]
    Dtype { name: String, dtype: String },
    #[error("tensor '{0}' holds non-finite values")]
    NonFinite(String),
    #[error("cannot read tensor data: {0}")]
    Data(String),
    #[error("its '{GRID_KEY}' metadata is not a grid: {0}")]
    Grid(String),
}

/// Safetensors metadata recording `grid` (none when the grid is unknown).
pub fn grid_metadata(grid: Option<&LogGrid>) -> Option<HashMap<String, String>> {
    let json = serde_json::to_string(grid?).ok()?;
    Some(HashMap::from([(GRID_KEY.to_string(), json)]))
}

/// The grid recorded in safetensors `bytes` by [`grid_metadata`]; `None` when the file records
/// none (weights exported by PyTorch or by specae before grids were recorded).
pub fn grid_from_safetensors(bytes: &[u8]) -> Result<Option<LogGrid>, InteropError> {
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| InteropError::Format(e.to_string()))?;
    let Some(json) = header.metadata().as_ref().and_then(|m| m.get(GRID_KEY)) else {
        return Ok(None);
    };
    let g: LogGrid = serde_json::from_str(json).map_err(|e| InteropError::Grid(e.to_string()))?;
    let sane = g.coeff0.is_finite()
        && g.coeff1.is_finite()
        && g.coeff1 > 0.0
        && (1..=crate::data::grid::BIN_LIMITS.1).contains(&g.n);
    if !sane {
        return Err(InteropError::Grid(format!("{g:?}")));
    }
    Ok(Some(g))
}

/// The safetensors metadata key naming the activation (`leaky_relu`; absent: ReLU, or leaky
/// ReLU for a file with Portillo's names).
pub const ACTIVATION_KEY: &str = "specae.activation";

/// specae's layer names and those of Portillo et al.'s PyTorch `InfoVAE` (SDSS-VAE,
/// `InfoVAE.py`: two hidden layers each side, leaky ReLU between them).
pub const PORTILLO_NAMES: [(&str, &str); 7] = [
    ("0.0", "encd"),
    ("0.2", "enc2"),
    ("0.4", "mu"),
    ("lv", "lv"),
    ("1.0", "decd"),
    ("1.2", "dec2"),
    ("1.4", "outp"),
];

/// Portillo's name for a specae tensor name (`0.2.weight` → `enc2.weight`).
pub fn portillo_name(name: &str) -> Option<String> {
    let (layer, what) = name.rsplit_once('.')?;
    PORTILLO_NAMES
        .iter()
        .find(|(ours, _)| *ours == layer)
        .map(|(_, theirs)| format!("{theirs}.{what}"))
}

/// A state dict renamed to Portillo's names; only a VAE with two hidden layers has them.
/// A model that reads x − ⟨x⟩ loses its mean here (Portillo's `trainVAE.py` subtracts it
/// before the model): a PyTorch user subtracts `specae.input_mean` of the specae file.
pub fn to_portillo_names(tensors: &[NamedTensor]) -> Result<Vec<NamedTensor>, InteropError> {
    let tensors: Vec<&NamedTensor> = tensors.iter().filter(|(n, _, _)| n != INPUT_MEAN).collect();
    if !tensors.iter().any(|(n, _, _)| n == "lv.weight") || tensors.len() != 14 {
        return Err(InteropError::Format(
            "Portillo's names fit a VAE with two hidden layers each side (encd, enc2, mu, lv, \
             decd, dec2, outp)"
                .into(),
        ));
    }
    tensors
        .iter()
        .map(|(n, s, v)| {
            let theirs = portillo_name(n).ok_or_else(|| InteropError::Missing(n.clone()))?;
            Ok((theirs, s.clone(), v.clone()))
        })
        .collect()
}

/// Tensor `name` of a file, under specae's name or Portillo's.
fn lookup<'a>(st: &'a SafeTensors<'a>, name: &str) -> Option<safetensors::tensor::TensorView<'a>> {
    st.tensor(name)
        .ok()
        .or_else(|| st.tensor(&portillo_name(name)?).ok())
}

/// The metadata exported weights carry: the grid (when known) and a leaky-ReLU activation.
pub fn weights_metadata(
    model: &Autoencoder,
    grid: Option<&LogGrid>,
) -> Option<HashMap<String, String>> {
    let mut m = grid_metadata(grid).unwrap_or_default();
    let a = if model.leaky.is_some() {
        Activation::LeakyRelu
    } else {
        Activation::Relu
    };
    m.extend(activation_metadata(a).unwrap_or_default());
    (!m.is_empty()).then_some(m)
}

/// Safetensors metadata recording a leaky-ReLU activation (none for ReLU).
pub fn activation_metadata(a: Activation) -> Option<HashMap<String, String>> {
    (a == Activation::LeakyRelu)
        .then(|| HashMap::from([(ACTIVATION_KEY.to_string(), "leaky_relu".to_string())]))
}

/// The mean training spectrum of a model that reads x − ⟨x⟩ ([n_bins], not trained).
pub const INPUT_MEAN: &str = "specae.input_mean";

/// The name of a VAE's log-variance layer (`lv.weight`, `lv.bias`, as in Portillo's InfoVAE).
pub const LOGVAR: &str = "lv";

/// The PyTorch name of encoder (`part` 0) or decoder (`part` 1) layer `i`.
pub fn torch_name(part: usize, i: usize) -> String {
    format!("{part}.{}", 2 * i)
}

/// One named tensor: name, shape, row-major values.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

fn tensor_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, InteropError> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| InteropError::Data(format!("{e:?}")))
}

/// The model's weights in PyTorch layout and naming, plus each parameter's burn id.
pub fn state_dict(
    model: &Autoencoder,
) -> Result<(Vec<NamedTensor>, HashMap<String, u64>), InteropError> {
    let mut out = vec![];
    let mut ids = HashMap::new();
    for (part, layers) in [(0usize, &model.encoder), (1, &model.decoder)] {
        for (i, l) in layers.iter().enumerate() {
            let name = torch_name(part, i);
            let w = l.weight.val(); // burn: [in, out]
            let [d_in, d_out] = w.dims();
            out.push((
                format!("{name}.weight"),
                vec![d_out, d_in],
                tensor_vec(w.transpose())?,
            ));
            ids.insert(format!("{name}.weight"), l.weight.id.val());
            if let Some(b) = &l.bias {
                out.push((format!("{name}.bias"), vec![d_out], tensor_vec(b.val())?));
                ids.insert(format!("{name}.bias"), b.id.val());
            }
        }
    }
    if let Some(l) = &model.logvar {
        let w = l.weight.val();
        let [d_in, d_out] = w.dims();
        out.push((
            format!("{LOGVAR}.weight"),
            vec![d_out, d_in],
            tensor_vec(w.transpose())?,
        ));
        ids.insert(format!("{LOGVAR}.weight"), l.weight.id.val());
        if let Some(b) = &l.bias {
            out.push((format!("{LOGVAR}.bias"), vec![d_out], tensor_vec(b.val())?));
            ids.insert(format!("{LOGVAR}.bias"), b.id.val());
        }
    }
    // Last: the native engine's Adam moments line up with the trained tensors before it.
    if let Some(m) = &model.mean {
        let n = m.dims()[0];
        out.push((INPUT_MEAN.into(), vec![n], tensor_vec(m.clone())?));
    }
    Ok((out, ids))
}

/// Serialises named tensors (and string metadata) as safetensors bytes.
pub fn to_safetensors(
    tensors: &[NamedTensor],
    extra_u8: &[(String, Vec<u8>)],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, InteropError> {
    serialize(tensors, false, extra_u8, metadata)
}

/// Serialises named tensors in half precision (F16): half the size of [`to_safetensors`];
/// PyTorch loads it as float16 (`.float()` restores float32).
pub fn to_safetensors_f16(
    tensors: &[NamedTensor],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, InteropError> {
    serialize(tensors, true, &[], metadata)
}

fn serialize(
    tensors: &[NamedTensor],
    half_precision: bool,
    extra_u8: &[(String, Vec<u8>)],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, InteropError> {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>, Dtype)> = tensors
        .iter()
        .map(|(n, s, v)| {
            let (data, dtype) = if half_precision {
                let b = v
                    .iter()
                    .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
                    .collect();
                (b, Dtype::F16)
            } else {
                (v.iter().flat_map(|x| x.to_le_bytes()).collect(), Dtype::F32)
            };
            (n.clone(), s.clone(), data, dtype)
        })
        .chain(
            extra_u8
                .iter()
                .map(|(n, b)| (n.clone(), vec![b.len()], b.clone(), Dtype::U8)),
        )
        .collect();
    let views: Vec<(String, TensorView<'_>)> = bytes
        .iter()
        .map(|(n, s, b, dt)| {
            TensorView::new(*dt, s.clone(), b)
                .map(|v| (n.clone(), v))
                .map_err(|e| InteropError::Format(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    safetensors::serialize(views, metadata).map_err(|e| InteropError::Format(e.to_string()))
}

fn read_f32(
    st: &SafeTensors<'_>,
    name: &str,
    expected: &[usize],
) -> Result<Vec<f32>, InteropError> {
    let t = lookup(st, name).ok_or_else(|| InteropError::Missing(name.to_string()))?;
    if t.shape() != expected {
        return Err(InteropError::Shape {
            name: name.into(),
            found: t.shape().to_vec(),
            expected: expected.to_vec(),
        });
    }
    values_f32(&t, name)
}

/// The values of a float tensor (F32 or F16) as f32, refusing other dtypes and non-finite
/// values.
pub(crate) fn values_f32(
    t: &safetensors::tensor::TensorView<'_>,
    name: &str,
) -> Result<Vec<f32>, InteropError> {
    let v: Vec<f32> = match t.dtype() {
        Dtype::F32 => t
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        // Half precision: the built-in model ships this way (half the size, same results to
        // ~1e-3 relative).
        Dtype::F16 => t
            .data()
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        other => {
            return Err(InteropError::Dtype {
                name: name.into(),
                dtype: format!("{other:?}"),
            });
        }
    };
    if v.iter().any(|x| !x.is_finite()) {
        return Err(InteropError::NonFinite(name.into()));
    }
    Ok(v)
}

/// Builds a model of architecture `cfg` from safetensors bytes in PyTorch naming/layout.
/// `ids` (from a checkpoint) restores burn parameter ids so optimizer state lines up.
/// For training, load on a plain device and let the trainer move the model to its autodiff
/// device (parameters then become tracked leaves).
pub fn model_from_safetensors(
    cfg: &AutoencoderConfig,
    bytes: &[u8],
    ids: Option<&HashMap<String, u64>>,
    device: &Device,
) -> Result<Autoencoder, InteropError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| InteropError::Format(e.to_string()))?;
    let mut tensors = vec![];
    for (name, d_in, d_out) in layer_shapes(cfg) {
        for (key, shape) in [
            (format!("{name}.weight"), vec![d_out, d_in]),
            (format!("{name}.bias"), vec![d_out]),
        ] {
            let v = read_f32(&st, &key, &shape)?;
            tensors.push((key, shape, v));
        }
    }
    if cfg.subtract_mean.unwrap_or(false) {
        let v = read_f32(&st, INPUT_MEAN, &[cfg.n_bins])?;
        tensors.push((INPUT_MEAN.into(), vec![cfg.n_bins], v));
    }
    model_from_state_dict(cfg, &tensors, ids, device)
}

/// Every linear layer of `cfg`: its PyTorch name, input and output widths.
fn layer_shapes(cfg: &AutoencoderConfig) -> Vec<(String, usize, usize)> {
    let mut v = vec![];
    for (part, sizes) in [(0usize, cfg.encoder_sizes()), (1, cfg.decoder_sizes())] {
        for (i, w) in sizes.windows(2).enumerate() {
            v.push((torch_name(part, i), w[0], w[1]));
        }
    }
    if cfg.variational() {
        let d_in = cfg.hidden.last().copied().unwrap_or(cfg.n_bins);
        v.push((LOGVAR.to_string(), d_in, cfg.latent));
    }
    v
}

/// The values of tensor `name` in a state dict, checked to have `shape`.
pub fn find_tensor(
    tensors: &[NamedTensor],
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, InteropError> {
    let (_, s, v) = tensors
        .iter()
        .find(|(n, _, _)| n == name)
        .ok_or_else(|| InteropError::Missing(name.into()))?;
    if s != shape || v.len() != shape.iter().product::<usize>() {
        return Err(InteropError::Shape {
            name: name.into(),
            found: s.clone(),
            expected: shape.to_vec(),
        });
    }
    Ok(v.clone())
}

/// Builds a model of architecture `cfg` from PyTorch-named tensors (as [`state_dict`] returns).
pub fn model_from_state_dict(
    cfg: &AutoencoderConfig,
    tensors: &[NamedTensor],
    ids: Option<&HashMap<String, u64>>,
    device: &Device,
) -> Result<Autoencoder, InteropError> {
    let find = |name: &str, shape: &[usize]| find_tensor(tensors, name, shape);
    let mut model = cfg.init(device);
    // Trainable parameters; a checkpoint's ids are restored so Adam's state lines up.
    let id_of = |name: &str| ids.and_then(|m| m.get(name)).map(|&id| ParamId::from(id));
    let (mut encoder, mut decoder) = (vec![], vec![]);
    for (name, d_in, d_out) in layer_shapes(cfg) {
        let wv = find(&format!("{name}.weight"), &[d_out, d_in])?;
        let bv = find(&format!("{name}.bias"), &[d_out])?;
        // PyTorch [out, in] → burn [in, out], transposed on the host so the parameter is a
        // plain leaf tensor (a transpose op would become part of the autodiff graph).
        let mut wt = vec![0.0f32; wv.len()];
        for o in 0..d_out {
            for i in 0..d_in {
                wt[i * d_out + o] = wv[o * d_in + i];
            }
        }
        let wt = Tensor::<2>::from_data(TensorData::new(wt, [d_in, d_out]), device);
        let bt = Tensor::<1>::from_data(TensorData::new(bv, [d_out]), device);
        let layer = Linear {
            weight: trainable(wt, id_of(&format!("{name}.weight"))),
            bias: Some(trainable(bt, id_of(&format!("{name}.bias")))),
        };
        match name.split('.').next() {
            Some("0") => encoder.push(layer),
            Some("1") => decoder.push(layer),
            _ => model.logvar = Some(layer),
        }
    }
    model.encoder = encoder;
    model.decoder = decoder;
    if cfg.subtract_mean.unwrap_or(false) {
        let v = find(INPUT_MEAN, &[cfg.n_bins])?;
        model.mean = Some(Tensor::<1>::from_data(
            TensorData::new(v, [cfg.n_bins]),
            device,
        ));
    }
    Ok(model)
}

/// A trainable parameter; a checkpoint's id is restored so Adam's state lines up.
fn trainable<const D: usize>(t: Tensor<D>, id: Option<ParamId>) -> Param<Tensor<D>> {
    let mut p = Param::from_tensor(t);
    if let Some(id) = id {
        p.id = id;
    }
    p
}

/// Infers the architecture (n_bins, hidden widths, latent) from a PyTorch-named state dict.
pub fn config_from_safetensors(bytes: &[u8]) -> Result<AutoencoderConfig, InteropError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| InteropError::Format(e.to_string()))?;
    let mut sizes = vec![];
    let mut i = 0;
    loop {
        let name = format!("{}.weight", torch_name(0, i));
        let Some(t) = lookup(&st, &name) else { break };
        let s = t.shape();
        if s.len() != 2 {
            return Err(InteropError::Shape {
                name,
                found: s.to_vec(),
                expected: vec![0, 0],
            });
        }
        if i == 0 {
            sizes.push(s[1]);
        }
        sizes.push(s[0]);
        i += 1;
    }
    if sizes.len() < 2 {
        return Err(InteropError::Missing("0.0.weight".into()));
    }
    let latent = sizes[sizes.len() - 1];
    // A log-variance head (Portillo's name, `lv`) makes it a VAE; which one (VAE or InfoVAE)
    // is how it was trained, which bare weights do not say.
    let kind = st
        .tensor(&format!("{LOGVAR}.weight"))
        .is_ok()
        .then_some(super::kind::ModelKind::Vae);
    // Portillo's names mean Portillo's leaky ReLU, unless the file says otherwise.
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| InteropError::Format(e.to_string()))?;
    let named = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(ACTIVATION_KEY));
    let activation = match named.map(String::as_str) {
        Some("leaky_relu") => Some(Activation::LeakyRelu),
        Some("relu") => None,
        Some(other) => {
            return Err(InteropError::Format(format!(
                "unknown activation '{other}' in {ACTIVATION_KEY}"
            )));
        }
        None => st
            .tensor("encd.weight")
            .is_ok()
            .then_some(Activation::LeakyRelu),
    };
    let subtract_mean = st.tensor(INPUT_MEAN).is_ok().then_some(true);
    Ok(AutoencoderConfig {
        n_bins: sizes[0],
        hidden: sizes[1..sizes.len() - 1].to_vec(),
        latent,
        kind,
        activation,
        subtract_mean,
    })
}
