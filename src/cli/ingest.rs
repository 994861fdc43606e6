//! `specae ingest`: SDSS FITS files and DESI coadds → a survey npz, with a table of what was
//! kept, dropped as a duplicate or rejected, and why.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use specae::data::grid::LogGrid;
use specae::ingest::outcome::report_csv;
use specae::ingest::survey::{IngestSurveyError, collect_paths, outcome_counts};
use specae::ingest::{FileOutcome, IngestOptions, PixelMask, ingest, ingest_to_store};
use specae::util::atomic::write_bytes_atomically;
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// FITS files and/or folders (searched recursively for *.fits, *.fit): SDSS spectra
    /// (spec-*, spSpec-*) and DESI coadds (coadd-*, with their redrock-* files beside them).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output survey file.
    #[arg(long)]
    pub out: PathBuf,
    /// Minimum fraction of the rest-frame grid a spectrum must cover.
    #[arg(long, default_value_t = 0.5)]
    pub min_coverage: f64,
    /// Which pixels are bad: the pipeline's mask bits and ivar = 0 (`pipeline`), or ivar = 0
    /// alone (`ivar`, for files whose mask flags good pixels).
    #[arg(long, value_enum, default_value_t = PixelMask::Pipeline)]
    pub mask: PixelMask,
    /// Redshifts for DESI coadds: a DESI catalogue (zpix-*, zall-*, ztile-* FITS) or any FITS
    /// table or CSV with TARGETID and Z columns. Without it, each coadd's redrock file beside it.
    #[arg(long, value_name = "FILE")]
    pub redshifts: Option<PathBuf>,
    /// DESI targets whose redshift beats the next-best fit by less than this Δχ² are rejected
    /// (DESI's BGS and LRG samples cut at 40 and 15).
    #[arg(long, default_value_t = 25.0)]
    pub min_deltachi2: f64,
    /// The rest-frame range (Å, bin centres) to rebin onto, e.g. 2400-8310 for DESI galaxies
    /// out to z ≈ 0.6. Default: the paper's 3388-8310, which models trained on SDSS expect.
    #[arg(long, value_name = "LO-HI", value_parser = parse_range)]
    pub rest_range: Option<(f64, f64)>,
    /// Number of rest-frame bins (default 1000 on the paper's range; on another range, as
    /// many as the paper's log10 step of 0.00039 gives).
    #[arg(long, value_name = "N")]
    pub bins: Option<usize>,
    /// Also write the table of what happened to each input as CSV (file, TARGETID, status,
    /// z, class, detail).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// List every file (by default kept files are listed only for small inputs).
    #[arg(long, short)]
    pub verbose: bool,
}

/// "3388-8310" (also "3388:8310" or "3388,8310") → (3388, 8310).
fn parse_range(s: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = s
        .split_once(['-', ':', ','])
        .ok_or_else(|| format!("'{s}' is not a range: write LO-HI in Å, e.g. 2400-8310"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{t}' in '{s}' is not a wavelength in Å"))
    };
    Ok((num(lo)?, num(hi)?))
}

/// The grid `--rest-range` and `--bins` ask for (the paper's without either).
fn grid_of(a: &IngestArgs) -> anyhow::Result<LogGrid> {
    let (lo, hi) = match a.rest_range {
        Some(r) => r,
        None if a.bins.is_none() => return Ok(LogGrid::STANDARD),
        None => LogGrid::STANDARD.span(),
    };
    let bins = a
        .bins
        .or((a.rest_range.is_none()).then_some(LogGrid::STANDARD.n));
    LogGrid::from_range(lo, hi, bins).map_err(|e| anyhow::anyhow!("--rest-range/--bins: {e}"))
}

fn print_table(outcomes: &[FileOutcome], verbose: bool) {
    let all = verbose || outcomes.len() <= 50;
    println!(
        "{:<34} {:<8} {:>8}  {:<22} detail",
        "file", "status", "z", "class"
    );
    for o in outcomes {
        let name = o.label();
        match o {
            FileOutcome::Kept { .. } if !all => {}
            FileOutcome::Kept {
                z,
                class,
                lineindex,
                coverage,
                ..
            } => println!(
                "{name:<34} {:<8} {z:>8.5}  {class:<22} lineindex_cln {lineindex}, covers {:.0}% of the grid",
                "kept",
                100.0 * coverage
            ),
            FileOutcome::Duplicate { of, .. } => println!(
                "{name:<34} {:<8} {:>8}  {:<22} the same spectrum as {}",
                "dropped",
                "",
                "duplicate",
                of.display()
            ),
            FileOutcome::Rejected { reason, .. } => {
                println!(
                    "{name:<34} {:<8} {:>8}  {:<22} {reason}",
                    "rejected", "", ""
                )
            }
            FileOutcome::Redshifts { note, .. } => {
                println!("{name:<34} {:<8} {:>8}  {:<22} {note}", "read", "", "")
            }
            FileOutcome::Failed { error } => {
                println!("{name:<34} {:<8} {:>8}  {:<22} {error}", "error", "", "")
            }
        }
    }
}

/// Writes the outcome table as CSV where `--report` asks for it.
fn write_report(path: Option<&std::path::Path>, outcomes: &[FileOutcome]) -> anyhow::Result<()> {
    if let Some(p) = path {
        write_bytes_atomically(p, report_csv(outcomes).as_bytes())?;
        eprintln!(
            "wrote the report of {} inputs to {}",
            outcomes.len(),
            p.display()
        );
    }
    Ok(())
}

pub fn run(a: IngestArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&a.min_coverage) {
        anyhow::bail!(
            "--min-coverage must be between 0 and 1, got {}",
            a.min_coverage
        );
    }
    if !(a.min_deltachi2 >= 0.0 && a.min_deltachi2.is_finite()) {
        anyhow::bail!(
            "--min-deltachi2 must be a number ≥ 0, got {}",
            a.min_deltachi2
        );
    }
    let grid = grid_of(&a)?;
    let paths = collect_paths(&a.inputs)?;
    let t0 = Instant::now();
    let (progress, bars) = super::progress::bars();
    let opts = IngestOptions {
        min_coverage: a.min_coverage,
        mask: a.mask,
        redshifts: a.redshifts.clone(),
        min_deltachi2: a.min_deltachi2,
        grid,
        ..IngestOptions::default()
    };
    if specae::data::store::wants_store(&a.out) {
        return ingest_into_store(&a, &paths, &opts, (&progress, &bars));
    }
    let result = ingest(&paths, &opts, &progress);
    bars.finish();
    let ingested = kept(result, &a)?;
    print_table(&ingested.outcomes, a.verbose);
    write_report(a.report.as_deref(), &ingested.outcomes)?;
    let written = ingested.survey.write_with(&a.out, false, &progress);
    bars.finish();
    written?;
    println!(
        "\n{} of {} files in {:.2} s → {} (rest frame {})",
        outcome_counts(&ingested.outcomes),
        paths.len(),
        t0.elapsed().as_secs_f64(),
        a.out.display(),
        grid.describe()
    );
    warn_of_grid(grid);
    Ok(())
}

/// Into a survey store: read a batch of files at a time, never holding every spectrum.
fn ingest_into_store(
    a: &IngestArgs,
    paths: &[PathBuf],
    opts: &IngestOptions,
    (progress, bars): (&Progress, &super::progress::Bars),
) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let grid = opts.grid;
    let result = ingest_to_store(paths, opts, &a.out, progress);
    bars.finish();
    let done = kept(result, a)?;
    print_table(&done.outcomes, a.verbose);
    write_report(a.report.as_deref(), &done.outcomes)?;
    let infill = if done.fitted_on < done.n_spectra {
        format!("; PCA infill fitted on {} of them", done.fitted_on)
    } else {
        String::new()
    };
    println!(
        "\n{} of {} files in {:.2} s → {} ({} spectra, rest frame {}{infill})",
        outcome_counts(&done.outcomes),
        paths.len(),
        t0.elapsed().as_secs_f64(),
        a.out.display(),
        done.n_spectra,
        grid.describe()
    );
    warn_of_grid(grid);
    Ok(())
}

/// What an ingest kept, or why it ends: cancelled, or nothing kept (the table of why printed
/// and the report written).
fn kept<T>(result: Result<T, IngestSurveyError>, a: &IngestArgs) -> anyhow::Result<T> {
    match result {
        Ok(i) => Ok(i),
        Err(IngestSurveyError::Cancelled) => {
            anyhow::bail!("cancelled: nothing was written to {}", a.out.display())
        }
        Err(IngestSurveyError::NothingKept {
            total,
            rejected,
            failed,
            outcomes,
        }) => {
            print_table(&outcomes, a.verbose);
            write_report(a.report.as_deref(), &outcomes)?;
            anyhow::bail!(
                "none of the {total} spectra could be used ({rejected} rejected or duplicates, \
                 {failed} unreadable)"
            );
        }
        Err(e) => Err(e.into()),
    }
}

/// A note when the grid is not the paper's.
fn warn_of_grid(grid: LogGrid) {
    if !grid.same_as(&LogGrid::STANDARD) {
        println!(
            "not the paper's grid ({}): models trained on SDSS-grid data, the built-in one \
             included, will not take this file",
            LogGrid::STANDARD.describe()
        );
    }
}
