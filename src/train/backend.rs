//! Choosing where to train: burn's wgpu backend (Metal on a Mac, Vulkan/DX12 elsewhere) when
//! an adapter exists and the `gpu` feature is built, else the CPU with specae's native engine
//! (see [`super::native`]); burn's own CPU backend (Flex) on request.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::trainer::EngineKind;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum BackendChoice {
    /// wgpu if an adapter is found, else the CPU.
    Auto,
    /// wgpu; an error if none is available.
    Wgpu,
    /// The CPU, with specae's native engine (the fastest CPU path).
    Cpu,
    /// The CPU with burn's autodiff on its Flex backend (slower; for comparisons).
    BurnCpu,
}

/// The device chosen, with a sentence saying why.
#[derive(Clone, Debug)]
pub struct Chosen {
    pub device: Device,
    /// The engine that trains on it.
    pub engine: EngineKind,
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
        engine: EngineKind::Native,
        name: "cpu (specae native engine)".into(),
        reason,
    };
    match choice {
        BackendChoice::Cpu => Ok(cpu("requested with --backend cpu".into())),
        BackendChoice::BurnCpu => Ok(Chosen {
            device: Device::flex(),
            engine: EngineKind::Burn,
            name: "cpu (burn flex)".into(),
            reason: "requested with --backend burn-cpu".into(),
        }),
        BackendChoice::Wgpu => probe_wgpu()
            .map(|device| Chosen {
                device,
                engine: EngineKind::Burn,
                name: "wgpu".into(),
                reason: "requested with --backend wgpu".into(),
            })
            .map_err(BackendError::NoWgpu),
        BackendChoice::Auto => match probe_wgpu() {
            Ok(device) => Ok(Chosen {
                device,
                engine: EngineKind::Burn,
                name: "wgpu".into(),
                reason: "a GPU adapter was found".into(),
            }),
            Err(why) => Ok(cpu(format!("{why}; using the CPU"))),
        },
    }
}
