//! Command-line interface: argument parsing and one module per subcommand.

mod analyze;
mod bench;
pub use bench::peak_rss_mb;

/// Set in a child's environment, it prints its peak resident memory (MB) last on stderr.
pub const PEAK_ENV: &str = "SPECAE_PEAK_MB";
mod bench_cancel;
mod bench_engines;
mod bench_parity;
mod bench_scale;
mod bench_stream;
mod bench_triage;
mod builtin;
mod compare;
mod convert;
mod devices;
mod evaluate;
mod export;
mod fidelity;
mod fidelity_lines;
mod fidelity_populations;
mod figures;
mod fitted;
mod generate;
mod gui;
mod indices;
mod info;
mod ingest;
mod prep;
mod progress;
mod train;
mod triage;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// specae — train an autoencoder on galaxy spectra and explore its latent space
/// (Portillo et al. 2020, AJ 160, 45).
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop explorer (what the bare `specae` does when a display is available).
    Gui(gui::GuiArgs),
    /// Generate the built-in synthetic SDSS-like survey (astroML npz schema).
    Generate(generate::GenerateArgs),
    /// A survey from npz to a Zarr v3 store (OUT ending in .zarr: chunked, readable by
    /// zarr-python, xarray and Dask) or back.
    Convert(convert::ConvertArgs),
    /// Summarise a survey file: classes, masking, S/N, wavelengths, redshifts, split.
    Info(info::InfoArgs),
    /// Build a survey (astroML npz schema) from SDSS FITS spectra (DR8+ spec-*.fits, DR7 spSpec-*.fit).
    Ingest(ingest::IngestArgs),
    /// Train the autoencoder (GPU via wgpu when built with `gpu`, else the CPU).
    Train(train::TrainArgs),
    /// Validation loss of a trained model against PCA, overall and per class.
    Evaluate(evaluate::EvaluateArgs),
    /// Portillo et al.'s comparison: PCA, AE, VAE and InfoVAE by latent dimension (table,
    /// CSV, figure); finished runs are reused, Ctrl-C keeps them.
    Compare(compare::CompareArgs),
    /// A model's reconstruction χ² on unseen spectra (real SDSS galaxies) vs synthetic ones of the same S/N.
    Fidelity(fidelity::FidelityArgs),
    /// Dn4000, Hδ_A, Mg b and Fe5270 of a survey by class, with a figure (Kauffmann et al. 2003's plane).
    Indices(indices::IndicesArgs),
    /// Latents, UMAP, outliers, class separation, residual statistics and latent tracks of a model.
    Analyze(analyze::AnalyzeArgs),
    /// The outlier ranking with your labels (LOF, χ², combined or learned from a labels CSV):
    /// a ranked CSV and a contact sheet of the top candidates.
    Triage(triage::TriageArgs),
    /// Publication figures (PNG/SVG/PDF) of an analysed model, with a manifest.
    Figures(figures::FiguresArgs),
    /// A model's weights as safetensors with PyTorch names (optionally float16).
    Export(export::ExportArgs),
    /// Preprocess a survey into reference.py's prepped schema (x, w, train, valid, cls, lam).
    Prep(prep::PrepArgs),
    /// List the data sets found on this machine.
    Sources,
    /// The GPUs this machine offers the training engines (wgpu adapters, CUDA, Vulkan drivers,
    /// why a card is not seen) and what `--backend auto` remembers here.
    Devices(devices::DevicesArgs),
    /// Benchmarks (printed as medians and ratios).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None if cfg!(feature = "gui") && gui::display_available() => gui::run(gui::GuiArgs {
            data: None,
            model: None,
            fresh: false,
        }),
        None => main_job(),
        Some(Command::Gui(a)) => gui::run(a),
        Some(Command::Generate(a)) => generate::run(a),
        Some(Command::Info(a)) => info::run(a),
        Some(Command::Convert(a)) => convert::run(a),
        Some(Command::Prep(a)) => prep::run(a),
        Some(Command::Ingest(a)) => ingest::run(a),
        Some(Command::Train(a)) => train::run(a),
        Some(Command::Evaluate(a)) => evaluate::run(a),
        Some(Command::Compare(a)) => compare::run(a),
        Some(Command::Fidelity(a)) => fidelity::run(a),
        Some(Command::Indices(a)) => indices::run(a),
        Some(Command::Analyze(a)) => analyze::run(a),
        Some(Command::Triage(a)) => triage::run(a),
        Some(Command::Figures(a)) => figures::run(a),
        Some(Command::Export(a)) => export::run(a),
        Some(Command::Sources) => sources(),
        Some(Command::Devices(a)) => devices::run(a),
        Some(Command::Bench(b)) => bench::run(b),
    }
}

/// The bare `specae` without a display (or without the GUI): make sure the built-in survey
/// exists and describe it.
fn main_job() -> anyhow::Result<()> {
    let path = builtin::ensure_builtin(specae::synth::SynthConfig::default().n, 0)?;
    println!("Built-in survey: {}", path.display());
    info::run(info::InfoArgs {
        file: Some(path),
        json: false,
        split_seed: 0,
    })?;
    println!(
        "\nNext: `specae train` trains the autoencoder on it (`--out DIR`, Ctrl-C stops cleanly), \
         `specae evaluate DIR/best.safetensors` compares it with PCA, `specae analyze \
         DIR/best.safetensors` computes latents, UMAP and outliers, `specae figures \
         DIR/best.safetensors --out FIGS` draws the paper's figures; `specae info FILE` or \
         `specae ingest DIR --out FILE` for your own spectra."
    );
    Ok(())
}

fn sources() -> anyhow::Result<()> {
    let cfg = specae::synth::SynthConfig::default();
    for s in specae::data::sources::discover(cfg.n, cfg.seed) {
        println!(
            "{:<8} {:<9} {}\n         {}",
            s.name,
            if s.present { "present" } else { "on demand" },
            s.description,
            s.path.display()
        );
    }
    Ok(())
}

/// A data argument: a file, or the built-in survey when absent.
pub fn resolve_data(file: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match file {
        Some(p) => Ok(p),
        None => builtin::ensure_builtin(specae::synth::SynthConfig::default().n, 0),
    }
}
