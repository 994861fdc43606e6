//! The autoencoder of Portillo et al. (2020) without the variational part:
//! encoder 1000-703-94-6, decoder 6-94-703-1000, ReLU between layers, linear output.

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;

/// Layer sizes. `hidden` lists the encoder's hidden widths; the decoder mirrors them.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    #[config(default = 1000)]
    pub n_bins: usize,
    #[config(default = "vec![703, 94]")]
    pub hidden: Vec<usize>,
    #[config(default = 6)]
    pub latent: usize,
}

impl AutoencoderConfig {
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
        }
    }

    /// Number of trainable parameters.
    pub fn n_params(&self) -> usize {
        let count = |s: Vec<usize>| s.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<usize>();
        count(self.encoder_sizes()) + count(self.decoder_sizes())
    }
}

#[derive(Module, Debug)]
pub struct Autoencoder {
    pub encoder: Vec<Linear>,
    pub decoder: Vec<Linear>,
    pub activation: Relu,
}

impl Autoencoder {
    fn stack(&self, layers: &[Linear], mut x: Tensor<2>) -> Tensor<2> {
        let last = layers.len().saturating_sub(1);
        for (i, l) in layers.iter().enumerate() {
            x = l.forward(x);
            if i < last {
                x = self.activation.forward(x);
            }
        }
        x
    }

    /// Spectra (batch × n_bins) → latents (batch × latent).
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        self.stack(&self.encoder, x)
    }

    /// Latents → reconstructed spectra.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        self.stack(&self.decoder, z)
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(x))
    }

    /// Width of the latent layer (the encoder's last output).
    pub fn latent_dim(&self) -> usize {
        self.encoder.last().map_or(0, |l| l.weight.dims()[1])
    }
}
