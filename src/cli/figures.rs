//! `specae figures MODEL --out DIR`: every publication figure of an analysed model.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::analysis::options::AnalysisOptions;
use specae::analysis::store::{default_dir, read_stored};
use specae::figures::Format;
use specae::figures::bundle::{FigureInputs, all_figures, write_figures};

#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// A checkpoint (best.safetensors) or exported weights (model.safetensors).
    pub model: PathBuf,
    /// Survey file the model was trained on [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// The model's analysis folder [default: MODEL.analysis beside the model; computed first
    /// when missing].
    #[arg(long)]
    pub analysis: Option<PathBuf>,
    /// Formats, comma-separated: png, svg, pdf.
    #[arg(long, default_value = "png,svg,pdf", value_delimiter = ',')]
    pub format: Vec<String>,
    /// PNG resolution.
    #[arg(long, default_value_t = 300)]
    pub dpi: u32,
    /// Split seed, for weights files without a stored split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
}

pub fn run(a: FiguresArgs) -> anyhow::Result<()> {
    let formats: Vec<Format> = a
        .format
        .iter()
        .map(|f| {
            f.parse::<Format>().map(|fmt| match fmt {
                Format::Png { .. } => Format::Png { dpi: a.dpi },
                other => other,
            })
        })
        .collect::<Result<_, _>>()?;
    if !(10..=2400).contains(&a.dpi) {
        anyhow::bail!("--dpi {} is outside 10 … 2400", a.dpi);
    }
    let t0 = std::time::Instant::now();
    let (data, spectra, device, loaded) =
        super::analyze::open_model_and_data(&a.model, a.data.clone(), a.split_seed)?;
    let adir = a.analysis.clone().unwrap_or_else(|| default_dir(&a.model));
    if !adir.join("analysis.npz").is_file() {
        eprintln!(
            "no analysis at {}: running `specae analyze` first",
            adir.display()
        );
        super::analyze::analyze_into(
            (&spectra).into(),
            &loaded,
            &device,
            &a.model,
            &data,
            &AnalysisOptions::default(),
            &specae::util::progress::Progress::new(),
            &adir,
        )?;
    }
    let stored = read_stored(&adir)?;
    let summary: serde_json::Value = std::fs::read(adir.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let ends = summary["track_endpoints"]
        .as_array()
        .map(|v| {
            [
                v[0].as_u64().unwrap_or(0) as usize,
                v.get(1).and_then(|x| x.as_u64()).unwrap_or(0) as usize,
            ]
        })
        .unwrap_or([0, 0]);
    let pcts: Vec<f64> = summary["options"]["track_percentiles"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_f64()).collect())
        .unwrap_or_else(|| AnalysisOptions::default().track_percentiles);
    let inputs = FigureInputs {
        spectra: &spectra,
        loaded: &loaded,
        device: &device,
        analysis: &stored,
        track_percentiles: pcts,
        track_endpoints: ends,
        model_path: Some(&a.model),
        data_path: Some(&data),
    };
    let t_load = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let figs = all_figures(&inputs)?;
    let total = figs.len() * formats.len();
    let bar = super::progress::bar(total as u64, "figures");
    let (manifest, path) = write_figures(&inputs, &figs, &a.out, &formats, &mut |i, _, _| {
        bar.set_position(i as u64)
    })
    .with_context(|| format!("writing figures to {}", a.out.display()))?;
    bar.finish_and_clear();
    for e in &manifest.figures {
        println!("{:<34} {:>9} bytes  {:>6.2} s", e.file, e.bytes, e.seconds);
    }
    println!(
        "{} files + {} in {:.1} s (loading data, model and analysis {:.1} s)",
        manifest.figures.len(),
        path.display(),
        t1.elapsed().as_secs_f64(),
        t_load
    );
    Ok(())
}
