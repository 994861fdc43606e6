//! specae's native CPU engine: the autoencoder's forward pass, backward pass and Adam written
//! out by hand on faer's matrix products (AVX-512/AVX2/NEON kernels picked at run time, both
//! cores), with no autodiff graph, no per-op allocation and the element-wise work fused.
//!
//! burn's Flex backend spends most of a batch-64 step outside its matrix products (autodiff
//! bookkeeping, one kernel per element-wise op, its optimiser's per-tensor updates), which made
//! CPU training 0.39× PyTorch's speed. The network is a fixed stack of dense layers, so its
//! gradients are three matrix products per layer and a mask: this engine computes exactly the
//! same function, loss and Adam update as the burn path (tested against it step by step) and is
//! what `--backend cpu` trains with. burn's wgpu backend remains the GPU engine, and burn's
//! Flex engine stays selectable (`--backend burn-cpu`).
//!
//! - [`mlp`]: the layers in PyTorch layout, forward and backward passes;
//! - [`adam`]: Adam with PyTorch's update rule;
//! - [`engine`]: a training step on a batch of rows, validation losses, reusable buffers.

pub mod adam;
pub mod engine;
pub mod mlp;

pub use adam::Adam;
pub use engine::NativeEngine;
pub use mlp::Mlp;
