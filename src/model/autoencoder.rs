//! The autoencoder of Portillo et al. (2020): encoder 1000-703-94-6, decoder 6-94-703-1000, ReLU
//! between layers, linear output. The VAE kinds add a log-variance head (94 → 6) beside the
//! latent layer, which then gives the posterior mean μ: encoding and decoding at inference are
//! the same for every kind.

use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig, Relu};
use burn::prelude::*;

use super::kind::{Activation, LEAKY_SLOPE, ModelKind};

/// Layer sizes. `hidden` lists the encoder's hidden widths; the decoder mirrors them.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    #[config(default = 1000)]
    pub n_bins: usize,
    #[config(default = "vec![703, 94]")]
    pub hidden: Vec<usize>,
    #[config(default = 6)]
    pub latent: usize,
    /// The model family (absent: the autoencoder, as in files written before the VAEs).
    pub kind: Option<ModelKind>,
    /// The activation between layers (absent: ReLU).
    pub activation: Option<Activation>,
    /// The encoder reads x − ⟨x⟩, the mean training spectrum, and the decoder adds it back
    /// (the input of Portillo's `trainVAE.py`); absent: x itself (the paper's AE, ours).
    pub subtract_mean: Option<bool>,
}

impl AutoencoderConfig {
    /// The model family.
    pub fn model_kind(&self) -> ModelKind {
        self.kind.unwrap_or_default()
    }

    /// The activation between layers.
    pub fn activation_kind(&self) -> Activation {
        self.activation.unwrap_or_default()
    }

    /// Whether the model has a log-variance head.
    pub fn variational(&self) -> bool {
        self.model_kind().variational()
    }

    /// The log-variance head's input width (the encoder's last hidden layer).
    fn logvar_input(&self) -> usize {
        self.hidden.last().copied().unwrap_or(self.n_bins)
    }

    /// Encoder widths: n_bins, hidden…, latent.
    pub fn encoder_sizes(&self) -> Vec<usize> {
        let mut v = vec![self.n_bins];
        v.extend(&self.hidden);
        v.push(self.latent);
        v
    }

    /// Decoder widths: latent, hidden reversed…, n_bins.
    pub fn decoder_sizes(&self) -> Vec<usize> {
        let mut v = self.encoder_sizes();
        v.reverse();
        v
    }

    /// A fresh model with PyTorch's default initialisation (U(±1/√fan_in) for weights and
    /// biases), on `device`.
    pub fn init(&self, device: &Device) -> Autoencoder {
        let layers = |sizes: Vec<usize>| -> Vec<Linear> {
            sizes
                .windows(2)
                .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                .collect()
        };
        Autoencoder {
            encoder: layers(self.encoder_sizes()),
            decoder: layers(self.decoder_sizes()),
            activation: Relu::new(),
            leaky: (self.activation_kind() == Activation::LeakyRelu).then(|| {
                LeakyReluConfig::new()
                    .with_negative_slope(LEAKY_SLOPE)
                    .init()
            }),
            mean: self
                .subtract_mean
                .unwrap_or(false)
                .then(|| Tensor::<1>::zeros([self.n_bins], device)),
            logvar: self
                .variational()
                .then(|| LinearConfig::new(self.logvar_input(), self.latent).init(device)),
        }
    }

    /// Number of trainable parameters.
    pub fn n_params(&self) -> usize {
        let count = |s: Vec<usize>| s.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<usize>();
        let head = if self.variational() {
            self.logvar_input() * self.latent + self.latent
        } else {
            0
        };
        count(self.encoder_sizes()) + count(self.decoder_sizes()) + head
    }
}

#[derive(Module, Debug)]
pub struct Autoencoder {
    pub encoder: Vec<Linear>,
    pub decoder: Vec<Linear>,
    pub activation: Relu,
    /// Leaky ReLU in place of ReLU (Portillo's InfoVAE).
    pub leaky: Option<LeakyRelu>,
    /// The VAE's log σ² head (input: the encoder's last hidden layer); `None` for the AE.
    pub logvar: Option<Linear>,
    /// The mean training spectrum the encoder's input is taken from and the decoder's output
    /// is added to (a constant, not trained); `None`: the spectra as they are.
    pub mean: Option<Tensor<1>>,
}

impl Autoencoder {
    fn stack(&self, layers: &[Linear], mut x: Tensor<2>) -> Tensor<2> {
        let last = layers.len().saturating_sub(1);
        for (i, l) in layers.iter().enumerate() {
            x = l.forward(x);
            if i < last {
                x = self.act(x);
            }
        }
        x
    }

    /// The activation between layers.
    fn act(&self, x: Tensor<2>) -> Tensor<2> {
        match &self.leaky {
            Some(l) => l.forward(x),
            None => self.activation.forward(x),
        }
    }

    /// The input as the encoder reads it: minus the mean spectrum where there is one.
    fn centred(&self, x: Tensor<2>) -> Tensor<2> {
        match &self.mean {
            Some(m) => x - m.clone().unsqueeze_dim(0),
            None => x,
        }
    }

    /// Spectra (batch × n_bins) → latents (batch × latent); for a VAE, the posterior mean μ.
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        self.stack(&self.encoder, self.centred(x))
    }

    /// The encoder's last hidden layer (after its activation) for centred input `x`: what μ
    /// and log σ² read.
    fn hidden(&self, mut x: Tensor<2>) -> Tensor<2> {
        let n = self.encoder.len().saturating_sub(1);
        for l in &self.encoder[..n] {
            x = self.act(l.forward(x));
        }
        x
    }

    /// μ and, for a VAE, log σ² of the latent posterior.
    pub fn posterior(&self, x: Tensor<2>) -> (Tensor<2>, Option<Tensor<2>>) {
        let h = self.hidden(self.centred(x));
        let lv = self.logvar.as_ref().map(|l| l.forward(h.clone()));
        let mu = match self.encoder.last() {
            Some(l) => l.forward(h),
            None => h,
        };
        (mu, lv)
    }

    /// Latents → reconstructed spectra.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        let y = self.stack(&self.decoder, z);
        match &self.mean {
            Some(m) => y + m.clone().unsqueeze_dim(0),
            None => y,
        }
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(x))
    }

    /// Width of the input: bins per spectrum (the encoder's first input).
    pub fn n_bins(&self) -> usize {
        self.encoder.first().map_or(0, |l| l.weight.dims()[0])
    }

    /// Width of the latent layer (the encoder's last output).
    pub fn latent_dim(&self) -> usize {
        self.encoder.last().map_or(0, |l| l.weight.dims()[1])
    }
}
