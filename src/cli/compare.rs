//! `specae compare`: Portillo et al.'s comparison of PCA, AE, VAE and InfoVAE by latent
//! dimension, as a table, CSV/JSON and a figure; finished runs are reused, Ctrl-C keeps them.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use specae::compare::run::{CompareOptions, run_dir};
use specae::compare::{CompareError, Method, RunResult, run_or_reuse};
use specae::data::identity::FileIdentity;
use specae::data::split::DEFAULT_TRAIN_FRACTION;
use specae::data::{Spectra, Split};
use specae::figures::compare::ComparisonFigure;
use specae::figures::{Format, render};
use specae::util::atomic::write_bytes_atomically;
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Survey file [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Methods, comma-separated: pca, ae, vae, infovae.
    #[arg(long, default_value = "pca,ae,vae,infovae")]
    pub models: String,
    /// Latent dimensions, comma-separated.
    #[arg(long, default_value = "2,4,6,10", value_delimiter = ',')]
    pub latent: Vec<usize>,
    /// Folder of the runs, the table and the figure.
    #[arg(long, default_value = "compare")]
    pub out: PathBuf,
    /// A first look in a few minutes: 3,000 training and 1,000 validation spectra, at most 8
    /// epochs a run.
    #[arg(long)]
    pub quick: bool,
    /// Maximum epochs a run (early stopping usually ends sooner) [default: 200; 8 with --quick].
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long, default_value_t = 64)]
    pub batch: usize,
    /// InfoVAE λ [default: 100, measured best of 10, 100, 1000, 10⁴].
    #[arg(long)]
    pub lambda: Option<f64>,
    /// Seed of the split and of the models' initial weights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Figure formats, comma-separated: png, svg, pdf.
    #[arg(long, default_value = "png,svg,pdf", value_delimiter = ',')]
    pub format: Vec<String>,
}

/// Rows of a `--quick` comparison.
const QUICK_TRAIN: usize = 3000;
const QUICK_VALID: usize = 1000;
const QUICK_EPOCHS: usize = 8;

pub fn run(a: CompareArgs) -> anyhow::Result<()> {
    let methods = Method::parse_list(&a.models).map_err(anyhow::Error::msg)?;
    if a.latent.is_empty() || a.latent.contains(&0) {
        anyhow::bail!("--latent needs dimensions of at least 1, e.g. 2,4,6,10");
    }
    if a.batch == 0 || a.epochs == Some(0) {
        anyhow::bail!("--batch and --epochs must be at least 1");
    }
    let formats: Vec<Format> = a
        .format
        .iter()
        .map(|f| f.parse::<Format>())
        .collect::<Result<_, _>>()?;
    let path = super::resolve_data(a.data.clone())?;
    let spectra = Spectra::load(&path)?;
    let mut split = Split::seeded(spectra.n_spectra(), a.seed, DEFAULT_TRAIN_FRACTION);
    if a.quick {
        split.train.truncate(QUICK_TRAIN);
        split.valid.truncate(QUICK_VALID);
    }
    if split.train.len() < 20 || split.valid.len() < 10 {
        anyhow::bail!(
            "{}: {} spectra are too few to compare models (20 training and 10 validation at \
             least)",
            path.display(),
            spectra.n_spectra()
        );
    }
    let opts = CompareOptions {
        out: a.out.clone(),
        split,
        data: Some(FileIdentity::of(&path)?),
        max_epochs: a.epochs.unwrap_or(if a.quick { QUICK_EPOCHS } else { 200 }),
        batch: a.batch,
        lambda: a.lambda,
        seed: a.seed,
        knn_k: 10,
        folds: 5,
        lof_k: 20,
    };
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let progress = Arc::new(Progress::new());
    let stopper = Arc::clone(&progress);
    let _ = ctrlc::set_handler(move || {
        eprintln!("\nstopping after this batch (finished runs are kept)…");
        stopper.cancel();
    });
    eprintln!(
        "comparing {} at latent dimensions {:?} on {} ({} training, {} validation spectra) in {}",
        methods
            .iter()
            .map(|m| m.label())
            .collect::<Vec<_>>()
            .join(", "),
        a.latent,
        path.display(),
        opts.split.train.len(),
        opts.split.valid.len(),
        a.out.display()
    );
    let total = methods.len() * a.latent.len();
    let mut results: Vec<RunResult> = vec![];
    for &latent in &a.latent {
        for &m in &methods {
            let k = results.len() + 1;
            eprintln!("[{k}/{total}] {m} at {latent} latents");
            let mut on_epoch = |r: &specae::train::EpochRecord| {
                eprintln!(
                    "    epoch {:>3}  valid {:>10.3}{}{}",
                    r.epoch,
                    r.valid_loss,
                    r.valid_recon
                        .map(|v| format!("  recon {v:.3}"))
                        .unwrap_or_default(),
                    if r.best { "  *" } else { "" }
                );
            };
            match run_or_reuse(&spectra, m, latent, &opts, &progress, &mut on_epoch) {
                Ok((r, reused)) => {
                    eprintln!(
                        "    validation loss {:.2}, kNN accuracy {:.3}, {:.0} s{}",
                        r.valid_loss,
                        r.knn_accuracy,
                        r.seconds,
                        if reused {
                            format!(" (reused from {})", run_dir(&a.out, m, latent).display())
                        } else {
                            String::new()
                        }
                    );
                    results.push(r);
                }
                Err(CompareError::Cancelled) => {
                    anyhow::bail!(
                        "cancelled: the {} finished runs are kept in {}; the same command \
                         resumes",
                        results.len(),
                        a.out.display()
                    )
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    print!("{}", table(&results));
    let csv = csv(&results);
    let json = serde_json::to_vec_pretty(&results)?;
    write_bytes_atomically(&a.out.join("compare.csv"), csv.as_bytes())?;
    write_bytes_atomically(&a.out.join("compare.json"), &json)?;
    let fig = ComparisonFigure { results };
    for f in formats {
        let bytes = render(&fig, f)?;
        let p = a.out.join(format!("comparison.{}", f.extension()));
        write_bytes_atomically(&p, &bytes)?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}

/// The classes with results, in the order first met.
fn classes(results: &[RunResult]) -> Vec<String> {
    let mut v: Vec<String> = vec![];
    for r in results {
        for c in &r.per_class {
            if !v.contains(&c.class) {
                v.push(c.class.clone());
            }
        }
    }
    v
}

fn class_loss(r: &RunResult, class: &str) -> Option<f64> {
    r.per_class
        .iter()
        .find(|c| c.class == class)
        .map(|c| c.loss)
}

/// The comparison as a text table, best validation loss per latent dimension marked.
fn table(results: &[RunResult]) -> String {
    let cls = classes(results);
    let mut s = String::new();
    let _ = write!(s, "\n{:<8} {:>6} {:>11}", "method", "latent", "valid loss");
    for c in &cls {
        let _ = write!(s, " {:>13}", c.chars().take(13).collect::<String>());
    }
    let _ = writeln!(s, " {:>8} {:>9} {:>8}", "kNN acc", "outl. P1%", "time s");
    for r in results {
        let best = results
            .iter()
            .filter(|o| o.latent == r.latent)
            .all(|o| o.valid_loss >= r.valid_loss);
        let _ = write!(
            s,
            "{:<8} {:>6} {:>10.2}{}",
            r.method.label(),
            r.latent,
            r.valid_loss,
            if best { "*" } else { " " }
        );
        for c in &cls {
            match class_loss(r, c) {
                Some(l) => {
                    let _ = write!(s, " {l:>13.2}");
                }
                None => {
                    let _ = write!(s, " {:>13}", "-");
                }
            }
        }
        let p = r
            .outlier_precision
            .map(|p| format!("{p:.3}"))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(s, " {:>8.3} {:>9} {:>8.0}", r.knn_accuracy, p, r.seconds);
    }
    let _ = writeln!(
        s,
        "valid loss: mean Σ w (x − x̂)² on the validation split (VAEs decoded from μ); * best at \
         its latent dimension; outl. P1%: injected oddities among the top 1% of the outlier \
         ranking"
    );
    s
}

fn csv(results: &[RunResult]) -> String {
    let cls = classes(results);
    let mut s = String::from("method,latent,n_train,n_valid,valid_loss");
    for c in &cls {
        let _ = write!(s, ",loss_{}", c.replace([' ', ','], "_"));
    }
    s.push_str(",knn_accuracy,outlier_precision,seconds,epochs\n");
    for r in results {
        let _ = write!(
            s,
            "{},{},{},{},{}",
            r.method.label(),
            r.latent,
            r.n_train,
            r.n_valid,
            r.valid_loss
        );
        for c in &cls {
            let _ = write!(
                s,
                ",{}",
                class_loss(r, c).map(|l| l.to_string()).unwrap_or_default()
            );
        }
        let _ = writeln!(
            s,
            ",{},{},{},{}",
            r.knn_accuracy,
            r.outlier_precision
                .map(|p| p.to_string())
                .unwrap_or_default(),
            r.seconds,
            r.epochs
        );
    }
    s
}
