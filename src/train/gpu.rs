//! The GPUs: burn's wgpu runtime (Metal on a Mac, Vulkan or DX12 elsewhere) and, in builds with
//! the `gpu-cuda` feature, burn's CUDA runtime on NVIDIA cards. Each is opened once per process
//! through burn's API, inside a guard that turns the runtime's panics into errors (a missing
//! `libcuda`, a driver that refuses the device), and checked with a tiny computation.
//!
//! Opening takes seconds (instance, adapter, device, the first kernels), so it is done on the
//! thread that will train, never on the UI thread, and the answer is kept: burn's runtimes can
//! be initialised only once per process.

use std::sync::OnceLock;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Which of burn's GPU runtimes a device belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GpuApi {
    /// wgpu: Metal, Vulkan or DX12.
    Wgpu,
    /// CUDA (NVIDIA), with the `gpu-cuda` feature.
    Cuda,
}

impl GpuApi {
    pub fn name(self) -> &'static str {
        match self {
            GpuApi::Wgpu => "wgpu",
            GpuApi::Cuda => "CUDA",
        }
    }
}

/// An opened GPU.
#[derive(Clone, Debug)]
pub struct Gpu {
    pub api: GpuApi,
    /// The plain (non-autodiff) device.
    pub device: Device,
    /// The adapter's name ("Apple M2", "NVIDIA GeForce RTX 4070", "llvmpipe (LLVM 19.1.7, 256 bits)").
    pub adapter: String,
    /// What its kernels are compiled for ("wgsl", "spirv", "ptx_sm90"): part of the measured
    /// engine choice's cache key.
    pub fingerprint: String,
    /// The driver as the system reports it ("Mesa 25.0.7", "NVIDIA 550.54.14"); empty when it
    /// does not say. Part of the cache key: a new driver is measured again.
    pub driver: String,
    /// A software rasteriser (llvmpipe/lavapipe, WARP): no card behind it; it runs on the
    /// same CPU cores the native engine uses.
    pub software: bool,
}

impl Gpu {
    /// "wgpu on Apple M2", "CUDA on NVIDIA H100 80GB HBM3".
    pub fn label(&self) -> String {
        if self.software {
            format!(
                "{} on {}, a software renderer",
                self.api.name(),
                self.adapter
            )
        } else {
            format!("{} on {}", self.api.name(), self.adapter)
        }
    }
}

/// The wgpu GPU of this process, opened on the first call (from the calling thread) and kept;
/// the error says why there is none.
pub fn open() -> Result<Gpu, String> {
    static GPU: OnceLock<Result<Gpu, String>> = OnceLock::new();
    GPU.get_or_init(|| {
        crate::util::catch(open_wgpu)
            .unwrap_or_else(|p| Err(format!("opening the GPU panicked ({p})")))
    })
    .clone()
}

/// The CUDA GPU of this process (device 0), opened on the first call and kept; the error says
/// why there is none (no `gpu-cuda` feature, no NVIDIA driver, …).
pub fn open_cuda() -> Result<Gpu, String> {
    static GPU: OnceLock<Result<Gpu, String>> = OnceLock::new();
    GPU.get_or_init(|| {
        crate::util::catch(open_cuda_uncached)
            .unwrap_or_else(|p| Err(format!("CUDA could not be opened ({p})")))
    })
    .clone()
}

/// Every GPU engine this build has, opened (or why not): wgpu, then CUDA when built with it.
pub fn open_all() -> Vec<(GpuApi, Result<Gpu, String>)> {
    let mut all = vec![(GpuApi::Wgpu, open())];
    if cfg!(feature = "gpu-cuda") {
        all.push((GpuApi::Cuda, open_cuda()));
    }
    all
}

/// Checks `device` with 1 + 2 + 4 and describes it.
#[cfg(feature = "gpu")]
fn checked(api: GpuApi, device: Device, driver: impl Fn(&str) -> String) -> Result<Gpu, String> {
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
        api,
        driver: driver(&identity.name),
        device,
        software: identity.physical.is_none(),
        adapter: identity.name,
        fingerprint: identity.fingerprint,
    })
}

#[cfg(feature = "gpu")]
fn open_wgpu() -> Result<Gpu, String> {
    let device = Device::wgpu_options()
        .init()
        .map_err(|e| format!("no GPU could be opened ({e})"))?;
    checked(GpuApi::Wgpu, device, |name| {
        adapters()
            .into_iter()
            .find(|a| a.name == name)
            .map(|a| a.driver())
            .unwrap_or_default()
    })
}

#[cfg(not(feature = "gpu"))]
fn open_wgpu() -> Result<Gpu, String> {
    Err("this build of specae has no GPU support (built without the `gpu` feature)".into())
}

#[cfg(feature = "gpu-cuda")]
fn open_cuda_uncached() -> Result<Gpu, String> {
    checked(GpuApi::Cuda, Device::cuda(0), |_| nvidia_driver())
}

#[cfg(not(feature = "gpu-cuda"))]
fn open_cuda_uncached() -> Result<Gpu, String> {
    Err("this build of specae has no CUDA engine (build it with `--features gpu-cuda`)".into())
}

/// The NVIDIA kernel driver's version from `/proc/driver/nvidia/version` (Linux), or "".
pub fn nvidia_driver() -> String {
    std::fs::read_to_string("/proc/driver/nvidia/version")
        .ok()
        .and_then(|s| nvidia_driver_from_proc(&s))
        .unwrap_or_default()
}

/// "NVIDIA 550.54.14" from the first line of `/proc/driver/nvidia/version`
/// ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024").
pub fn nvidia_driver_from_proc(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let rest = line.split("Kernel Module").nth(1)?;
    let version = rest.split_whitespace().next()?;
    Some(format!("NVIDIA {version}"))
}

/// Why the NVIDIA card of a machine running the NVIDIA `driver` ("" when none is loaded) is
/// not among wgpu's `adapters`, given the Vulkan ICD manifests installed; `None` when there is
/// nothing to explain.
pub fn nvidia_hint(driver: &str, adapters: &[AdapterListing], icds: &[String]) -> Option<String> {
    if driver.is_empty()
        || adapters
            .iter()
            .any(|a| a.name.to_lowercase().contains("nvidia"))
    {
        return None;
    }
    let has_icd = icds.iter().any(|p| p.to_lowercase().contains("nvidia"));
    Some(if has_icd {
        format!(
            "the {driver} driver is loaded and its Vulkan ICD is installed, but wgpu lists no \
             NVIDIA adapter: RUST_LOG=wgpu_hal=info shows the Vulkan loader's reason"
        )
    } else {
        format!(
            "the {driver} driver is loaded but its Vulkan ICD (nvidia_icd.json) is not \
             installed, so wgpu cannot see the card: install the driver's Vulkan part (e.g. \
             libnvidia-gl), or use the CUDA engine (a build with --features gpu-cuda)"
        )
    })
}

/// One adapter as wgpu lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdapterListing {
    pub name: String,
    /// "Vulkan", "Metal", "Dx12", "Gl".
    pub backend: String,
    /// "DiscreteGpu", "IntegratedGpu", "Cpu" (a software renderer), …
    pub device_type: String,
    pub driver_name: String,
    pub driver_info: String,
}

impl AdapterListing {
    /// "Mesa 25.0.7", "NVIDIA 550.54.14": the driver's name and version as one string.
    pub fn driver(&self) -> String {
        match (self.driver_name.is_empty(), self.driver_info.is_empty()) {
            (false, false) => format!("{} {}", self.driver_name, self.driver_info),
            (false, true) => self.driver_name.clone(),
            (true, false) => self.driver_info.clone(),
            (true, true) => String::new(),
        }
    }
}

/// Every adapter wgpu finds on this machine on the graphics APIs burn's kernels run on —
/// Vulkan, Metal, DX12 (not OpenGL, whose probing only logs EGL errors on headless Linux) — from
/// a fresh instance: this does not open the GPU engine's device. Empty without the `gpu`
/// feature.
pub fn adapters() -> Vec<AdapterListing> {
    #[cfg(feature = "gpu")]
    {
        use burn::tensor::wgpu::wgpu;
        let Ok(instance) = crate::util::catch(wgpu::Instance::default) else {
            return vec![];
        };
        let found = block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY));
        found
            .iter()
            .map(|a| {
                let i = a.get_info();
                AdapterListing {
                    name: i.name,
                    backend: format!("{:?}", i.backend),
                    device_type: format!("{:?}", i.device_type),
                    driver_name: i.driver,
                    driver_info: i.driver_info,
                }
            })
            .collect()
    }
    #[cfg(not(feature = "gpu"))]
    vec![]
}

/// Drives a future that completes without waiting on anything outside this thread (wgpu's
/// native adapter enumeration is ready on its first poll).
#[cfg(feature = "gpu")]
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nvidia_driver_version_is_read_from_proc() {
        let text = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\nGCC version:  gcc version 12.2.0\n";
        assert_eq!(
            nvidia_driver_from_proc(text).as_deref(),
            Some("NVIDIA 550.54.14")
        );
        assert_eq!(nvidia_driver_from_proc(""), None);
        assert_eq!(nvidia_driver_from_proc("something else"), None);
    }

    #[test]
    fn an_nvidia_card_missing_from_wgpu_is_explained() {
        let lvp = AdapterListing {
            name: "llvmpipe (LLVM 15.0.6, 256 bits)".into(),
            backend: "Vulkan".into(),
            device_type: "Cpu".into(),
            driver_name: "llvmpipe".into(),
            driver_info: "Mesa 22.3.6".into(),
        };
        let nv = AdapterListing {
            name: "NVIDIA H100 80GB HBM3".into(),
            device_type: "DiscreteGpu".into(),
            ..lvp.clone()
        };
        let mesa = vec!["/usr/share/vulkan/icd.d/lvp_icd.x86_64.json".to_string()];
        let d = "NVIDIA 550.54.14";
        // No NVIDIA driver, or the card is listed: nothing to say.
        assert_eq!(nvidia_hint("", std::slice::from_ref(&lvp), &mesa), None);
        assert_eq!(nvidia_hint(d, &[lvp.clone(), nv], &mesa), None);
        let h = nvidia_hint(d, std::slice::from_ref(&lvp), &mesa).unwrap();
        assert!(
            h.contains("nvidia_icd.json") && h.contains("gpu-cuda"),
            "{h}"
        );
        let mut with_icd = mesa.clone();
        with_icd.push("/usr/share/vulkan/icd.d/nvidia_icd.json".into());
        let h = nvidia_hint(d, &[lvp], &with_icd).unwrap();
        assert!(h.contains("RUST_LOG=wgpu_hal"), "{h}");
    }

    #[test]
    fn a_driver_is_its_name_and_version() {
        let a = |name: &str, info: &str| AdapterListing {
            name: String::new(),
            backend: String::new(),
            device_type: String::new(),
            driver_name: name.into(),
            driver_info: info.into(),
        };
        assert_eq!(
            a("llvmpipe", "Mesa 22.3.6").driver(),
            "llvmpipe Mesa 22.3.6"
        );
        assert_eq!(a("NVIDIA", "").driver(), "NVIDIA");
        assert_eq!(a("", "").driver(), "");
    }

    #[test]
    fn a_build_without_cuda_says_how_to_get_it() {
        if !cfg!(feature = "gpu-cuda") {
            let e = open_cuda().unwrap_err();
            assert!(e.contains("--features gpu-cuda"), "{e}");
        }
    }
}
