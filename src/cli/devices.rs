//! `specae devices`: what this machine offers the GPU engines — every adapter wgpu lists, the
//! one the wgpu engine opens, CUDA (in builds with `gpu-cuda`), the Vulkan drivers installed
//! (Linux) and why an NVIDIA card is not seen — and what `--backend auto` remembers here.

use clap::Args;
use specae::train::engine_speed::{self, fmt_rate};
use specae::train::gpu::{self, GpuApi};

#[derive(Debug, Args)]
pub struct DevicesArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The Vulkan installable client drivers (ICD manifests) the loader reads on Linux.
fn vulkan_icds() -> Vec<String> {
    if let Some(list) = std::env::var_os("VK_ICD_FILENAMES").or(std::env::var_os("VK_DRIVER_FILES"))
    {
        return list
            .to_string_lossy()
            .split(':')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut out = vec![];
    for dir in [
        "/etc/vulkan/icd.d",
        "/usr/share/vulkan/icd.d",
        "/usr/local/share/vulkan/icd.d",
    ] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut names: Vec<String> = rd
                .flatten()
                .map(|e| e.path().display().to_string())
                .collect();
            names.sort();
            out.extend(names);
        }
    }
    out
}

pub fn run(a: DevicesArgs) -> anyhow::Result<()> {
    let adapters = gpu::adapters();
    let icds = if cfg!(target_os = "linux") {
        vulkan_icds()
    } else {
        vec![]
    };
    let hint = gpu::nvidia_hint(&gpu::nvidia_driver(), &adapters, &icds);
    let opened: Vec<(GpuApi, Result<gpu::Gpu, String>)> = gpu::open_all();
    let cache = engine_speed::cache_path();
    let remembered = engine_speed::read_cache(&cache);
    if a.json {
        let engines: Vec<serde_json::Value> = opened
            .iter()
            .map(|(api, r)| match r {
                Ok(g) => serde_json::json!({
                    "engine": api.name(), "adapter": g.adapter, "driver": g.driver,
                    "fingerprint": g.fingerprint, "software": g.software,
                }),
                Err(e) => serde_json::json!({"engine": api.name(), "error": e}),
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "adapters": adapters,
                "engines": engines,
                "vulkan_icds": icds,
                "nvidia_hint": hint,
                "features": engine_speed::build_features(),
                "remembered": remembered,
            })
        );
        return Ok(());
    }
    println!("wgpu adapters ({}):", adapters.len());
    for ad in &adapters {
        println!(
            "  {} — {}, {}, driver {}",
            ad.name,
            ad.backend,
            ad.device_type,
            if ad.driver().is_empty() {
                "unknown".to_string()
            } else {
                ad.driver()
            }
        );
    }
    if adapters.is_empty() {
        println!("  none");
    }
    if !icds.is_empty() {
        println!("Vulkan drivers (ICDs): {}", icds.join(", "));
    }
    if let Some(h) = &hint {
        println!("NVIDIA: {h}");
    }
    println!("GPU engines of this build (features: {:?}):", {
        let f = engine_speed::build_features();
        if f.is_empty() {
            vec!["gpu".to_string()]
        } else {
            f
        }
    });
    for (api, r) in &opened {
        match r {
            Ok(g) => println!(
                "  {}: {} (kernels: {}, driver {}){}",
                api.name(),
                g.adapter,
                g.fingerprint,
                if g.driver.is_empty() {
                    "unknown"
                } else {
                    &g.driver
                },
                if g.software {
                    " — a software renderer: `auto` trains on the CPU without timing it"
                } else {
                    ""
                }
            ),
            Err(e) => println!("  {}: none ({e})", api.name()),
        }
    }
    println!(
        "Remembered by --backend auto ({}): {}",
        cache.display(),
        if remembered.is_empty() {
            "nothing yet"
        } else {
            ""
        }
    );
    for m in &remembered {
        let k = &m.key;
        let what = match &m.failed {
            Some(why) => format!("FAILED ({why})"),
            None => format!(
                "{} {} vs CPU {} spectra/s",
                k.engine,
                fmt_rate(m.gpu),
                fmt_rate(m.cpu)
            ),
        };
        println!(
            "  {} {:?} batch {} on {} ({} CPU threads, specae {}): {what}",
            k.model, k.layers, k.batch, k.adapter, k.cpu_threads, k.specae
        );
    }
    Ok(())
}
