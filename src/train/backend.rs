//! Choosing where to train: burn's wgpu backend (Metal on a Mac, Vulkan/DX12 elsewhere) when
//! an adapter exists and the `gpu` feature is built, else burn's pure-Rust CPU backend (Flex).

use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum BackendChoice {
    /// wgpu if an adapter is found, else the CPU.
    Auto,
    /// wgpu; an error if none is available.
    Wgpu,
    /// The CPU (burn Flex, multi-threaded).
    Cpu,
}

/// The device chosen, with a sentence saying why.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub device: Device,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the wgpu backend was requested but {0}")]
    NoWgpu(String),
}

#[cfg(feature = "gpu")]
fn probe_wgpu() -> Result<Device, String> {
    // Creating the device and running a tiny op checks that an adapter really works.
    std::panic::catch_unwind(|| {
        let device = Device::wgpu(Default::default());
        let t = Tensor::<1>::from_floats([1.0, 2.0], &device);
        let s: f32 = t.sum().into_scalar();
        (s == 3.0).then_some(device)
    })
    .map_err(|_| "no GPU adapter could be opened".to_string())?
    .ok_or_else(|| "the GPU adapter computed a wrong result".to_string())
}

#[cfg(not(feature = "gpu"))]
fn probe_wgpu() -> Result<Device, String> {
    Err("this build of specae has no GPU support (built without the `gpu` feature)".into())
}

/// Picks a device for `choice`.
pub fn choose(choice: BackendChoice) -> Result<Chosen, BackendError> {
    let cpu = |reason: String| Chosen {
        device: Device::flex(),
        name: "cpu (burn flex)".into(),
        reason,
    };
    match choice {
        BackendChoice::Cpu => Ok(cpu("requested with --backend cpu".into())),
        BackendChoice::Wgpu => probe_wgpu()
            .map(|device| Chosen {
                device,
                name: "wgpu".into(),
                reason: "requested with --backend wgpu".into(),
            })
            .map_err(BackendError::NoWgpu),
        BackendChoice::Auto => match probe_wgpu() {
            Ok(device) => Ok(Chosen {
                device,
                name: "wgpu".into(),
                reason: "a GPU adapter was found".into(),
            }),
            Err(why) => Ok(cpu(format!("{why}; using the CPU"))),
        },
    }
}
