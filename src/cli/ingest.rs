//! `specae ingest`: SDSS FITS files → a survey npz, with a kept/rejected table.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use specae::ingest::survey::{IngestSurveyError, collect_paths, outcome_counts};
use specae::ingest::{FileOutcome, IngestOptions, PixelMask, ingest};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// FITS files and/or folders (searched recursively for *.fits, *.fit).
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
    /// List every file (by default kept files are listed only for small inputs).
    #[arg(long, short)]
    pub verbose: bool,
}

fn print_table(outcomes: &[FileOutcome], verbose: bool) {
    let all = verbose || outcomes.len() <= 50;
    println!(
        "{:<34} {:<8} {:>8}  {:<22} detail",
        "file", "status", "z", "class"
    );
    for o in outcomes {
        let name = o
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
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
            FileOutcome::Failed { error } => {
                println!("{name:<34} {:<8} {:>8}  {:<22} {error}", "error", "", "")
            }
        }
    }
}

pub fn run(a: IngestArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&a.min_coverage) {
        anyhow::bail!(
            "--min-coverage must be between 0 and 1, got {}",
            a.min_coverage
        );
    }
    let paths = collect_paths(&a.inputs)?;
    let t0 = Instant::now();
    let (progress, bars) = super::progress::bars();
    let opts = IngestOptions {
        min_coverage: a.min_coverage,
        mask: a.mask,
        ..IngestOptions::default()
    };
    let result = ingest(&paths, &opts, &progress);
    bars.finish();
    let ingested = match result {
        Ok(i) => i,
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
            anyhow::bail!(
                "none of the {total} files could be used ({rejected} rejected or duplicates, \
                 {failed} unreadable)"
            );
        }
        Err(e) => return Err(e.into()),
    };
    print_table(&ingested.outcomes, a.verbose);
    let written = ingested.survey.write_with(&a.out, false, &progress);
    bars.finish();
    written?;
    println!(
        "\n{} of {} files in {:.2} s → {}",
        outcome_counts(&ingested.outcomes),
        paths.len(),
        t0.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(())
}
