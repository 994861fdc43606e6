//! The GPU: burn's wgpu runtime (Metal on a Mac, Vulkan or DX12 elsewhere), opened once per
//! process through burn's fallible API and checked with a tiny computation.
//!
//! Opening takes seconds (instance, adapter, device, the first kernels), so it is done on the
//! thread that will train, never on the UI thread, and the answer is kept: burn's runtime can
//! be initialised only once per process.

use std::sync::OnceLock;

use burn::prelude::*;

/// An opened GPU.
#[derive(Clone, Debug)]
pub struct Gpu {
    /// The plain (non-autodiff) device.
    pub device: Device,
    /// The adapter's name ("Apple M2", "NVIDIA GeForce RTX 4070", "llvmpipe (LLVM 19.1.7, 256 bits)").
    pub adapter: String,
    /// What its kernels are compiled for (part of the measured engine choice's cache key).
    pub fingerprint: String,
    /// A software rasteriser (llvmpipe/lavapipe, WARP): no card behind it; it runs on the
    /// same CPU cores the native engine uses.
    pub software: bool,
}

impl Gpu {
    /// "wgpu on Apple M2".
    pub fn label(&self) -> String {
        if self.software {
            format!("wgpu on {}, a software renderer", self.adapter)
        } else {
            format!("wgpu on {}", self.adapter)
        }
    }
}

/// The GPU of this process, opened on the first call (from the calling thread) and kept;
/// the error says why there is none.
pub fn open() -> Result<Gpu, String> {
    static GPU: OnceLock<Result<Gpu, String>> = OnceLock::new();
    GPU.get_or_init(open_uncached).clone()
}

#[cfg(feature = "gpu")]
fn open_uncached() -> Result<Gpu, String> {
    let device = Device::wgpu_options()
        .init()
        .map_err(|e| format!("no GPU could be opened ({e})"))?;
    let identity = device
        .identity()
        .ok_or_else(|| "the GPU runtime did not say which adapter it opened".to_string())?;
    // A device that opens but computes wrong (or not at all) is no device.
    let t = Tensor::<1>::from_floats([1.0, 2.0, 4.0], &device);
    let sum = t
        .sum()
        .try_into_data()
        .map_err(|e| format!("the GPU ({}) failed a test computation: {e}", identity.name))?
        .try_to_vec::<f32>()
        .map_err(|e| {
            format!(
                "the GPU ({}) returned unreadable data: {e:?}",
                identity.name
            )
        })?;
    if sum.first() != Some(&7.0) {
        return Err(format!(
            "the GPU ({}) computed 1 + 2 + 4 = {sum:?}",
            identity.name
        ));
    }
    Ok(Gpu {
        device,
        software: identity.physical.is_none(),
        adapter: identity.name,
        fingerprint: identity.fingerprint,
    })
}

#[cfg(not(feature = "gpu"))]
fn open_uncached() -> Result<Gpu, String> {
    Err("this build of specae has no GPU support (built without the `gpu` feature)".into())
}
