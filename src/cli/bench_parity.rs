//! `specae bench parity`: every GPU engine this machine opens (wgpu; CUDA with `gpu-cuda`)
//! against the native CPU engine, step by step from the same weights on the same batches — the
//! paper's network at batch 64 — with the batch losses, weights and validation loss compared.
//! Fails (exit status 1) when an engine strays beyond the tolerances or fails.

use clap::Args;
use specae::train::gpu;
use specae::train::parity::{against_native, paper_problem};

#[derive(Debug, Args)]
pub struct ParityArgs {
    /// Optimisation steps compared.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Largest relative difference allowed of a batch or validation loss (lavapipe stays
    /// under 1e-5; a GPU may sum in another order, or multiply in TF32).
    #[arg(long, default_value_t = 1e-3)]
    pub loss_rel: f64,
    /// Largest absolute difference allowed of a weight after the steps.
    #[arg(long, default_value_t = 1e-3)]
    pub weight_abs: f32,
    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,
}

pub fn parity(a: ParityArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.steps > 0, "--steps must be at least 1");
    let (config, data) = paper_problem(64 * a.steps.max(4), 11);
    let (mut opened, mut bad) = (0usize, vec![]);
    for (api, r) in gpu::open_all() {
        let g = match r {
            Ok(g) => g,
            Err(why) => {
                eprintln!("{}: not available ({why})", api.name());
                continue;
            }
        };
        opened += 1;
        let t0 = std::time::Instant::now();
        let got = specae::util::catch(|| {
            against_native(&g.device, config.clone(), data.clone(), a.steps)
        })
        .and_then(|r| r);
        let secs = t0.elapsed().as_secs_f64();
        match got {
            Ok(p) => {
                let ok = p.within(a.loss_rel, a.weight_abs);
                if a.json {
                    println!(
                        "{}",
                        serde_json::json!({"engine": g.label(), "ok": ok, "seconds": secs, "parity": p})
                    );
                } else {
                    println!(
                        "{}: {} steps of 1000-703-94-6 at batch 64 vs the native engine: batch \
                         losses within {:.1e} (relative), weights within {:.1e}, validation \
                         loss within {:.1e} — {} ({secs:.1} s)",
                        g.label(),
                        p.steps,
                        p.loss_rel,
                        p.weight_abs,
                        p.valid_rel,
                        if ok { "OK" } else { "BEYOND TOLERANCE" }
                    );
                }
                if !ok {
                    bad.push(g.label());
                }
            }
            Err(e) => {
                println!("{}: FAILED ({e})", g.label());
                bad.push(g.label());
            }
        }
    }
    anyhow::ensure!(opened > 0, "no GPU engine could be opened (see above)");
    anyhow::ensure!(
        bad.is_empty(),
        "{} did not match the native engine (tolerances: losses {:.0e}, weights {:.0e})",
        bad.join(", "),
        a.loss_rel,
        a.weight_abs
    );
    Ok(())
}
