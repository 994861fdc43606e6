//! `specae triage`: the outlier ranking with the user's labels — LOF, χ², combined, or learned
//! from a labels CSV (the explorer's, or any `id,score,tags` file) — as a ranked CSV and a
//! contact sheet of the top candidates.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use burn::prelude::Device;
use clap::Args;
use specae::analysis::options::AnalysisOptions;
use specae::analysis::rows::SpectraRows;
use specae::analysis::run::{Inputs, Scored, score_spectra};
use specae::data::Spectra;
use specae::data::catalogue::Catalogue;
use specae::data::identity::FileIdentity;
use specae::data::store::{StoreRows, is_store};
use specae::figures::contact_sheet::{ContactSheet, MAX_PANELS, panel_title};
use specae::figures::render::{Format, render};
use specae::train::load::LoadedModel;
use specae::triage::ranked::{RankedColumns, ranked_csv};
use specae::triage::ranking::{combined_percentile, unsupervised_order};
use specae::triage::{Features, LabelBook, Ranking, fit_learned, survey_ids};
use specae::util::atomic::write_bytes_atomically;
use specae::util::progress::Progress;

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// The survey [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The model whose latents and reconstructions are ranked: a checkpoint, exported weights,
    /// or `builtin` / `builtin-vae`.
    #[arg(long, default_value = "builtin")]
    pub model: PathBuf,
    /// Labels (CSV with `id` and `score` and/or `tags` columns: the explorer's labels file, an
    /// export of it, or a ranked list someone annotated).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// lof, chi2, combined or learned [default: learned with --labels, else combined].
    #[arg(long)]
    pub ranking: Option<String>,
    /// Write the whole ranked list here (CSV; its id/score/tags columns import as labels).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Candidates printed, and panels of the contact sheet.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// A contact sheet of the top candidates with their reconstructions (.pdf, .png or .svg).
    #[arg(long)]
    pub sheet: Option<PathBuf>,
    /// Split seed, for weights files without a stored split.
    #[arg(long, default_value_t = 0)]
    pub split_seed: u64,
}

/// The spectra of a scored survey: in memory, or a store streamed block by block (only the
/// catalogue and the scores held: ~100 bytes a spectrum).
pub(super) enum Source {
    Memory(Spectra),
    Store(StoreRows, Catalogue),
}

/// A survey scored by a model: the data, the model, and every spectrum's latents, χ², LOF and
/// residual statistics by region.
pub(super) struct ScoredSurvey {
    pub data: PathBuf,
    pub source: Source,
    pub device: Device,
    pub loaded: LoadedModel,
    pub scored: Scored,
}

impl ScoredSurvey {
    pub fn rows(&self) -> SpectraRows<'_> {
        match &self.source {
            Source::Memory(s) => SpectraRows::Memory(s),
            Source::Store(rows, catalogue) => SpectraRows::Stream { rows, catalogue },
        }
    }
}

/// Opens the model for the survey and scores every spectrum: a store is streamed when the
/// model's infill basis is its own (as `specae analyze` does), else read whole.
pub(super) fn score_survey(
    model: &Path,
    data: Option<PathBuf>,
    split_seed: u64,
) -> anyhow::Result<ScoredSurvey> {
    let data = super::resolve_data(data)?;
    let device = Device::flex();
    let streamed = match is_store(&data) {
        true => super::analyze::open_store_for_model(model, &data, split_seed, &device)?,
        false => None,
    };
    let (source, loaded) = match streamed {
        Some((rows, catalogue, loaded)) => (Source::Store(rows, catalogue), loaded),
        None => {
            let (_, spectra, _, loaded) =
                super::analyze::open_model_and_data(model, Some(data.clone()), split_seed)?;
            (Source::Memory(spectra), loaded)
        }
    };
    let (progress, bars) = super::progress::bars();
    let spectra = match &source {
        Source::Memory(s) => SpectraRows::Memory(s),
        Source::Store(rows, catalogue) => SpectraRows::Stream { rows, catalogue },
    };
    let scored = score_spectra(
        &Inputs {
            spectra,
            model: &loaded.model,
            device: &device,
            split: &loaded.split,
            model_path: Some(model),
            data_path: Some(&data),
            latents: None,
        },
        &AnalysisOptions::default(),
        &progress,
    );
    bars.finish();
    let scored =
        scored.with_context(|| format!("scoring {} with {}", data.display(), model.display()))?;
    Ok(ScoredSurvey {
        data,
        source,
        device,
        loaded,
        scored,
    })
}

pub fn run(a: TriageArgs) -> anyhow::Result<()> {
    let ranking = match &a.ranking {
        Some(r) => Ranking::parse(r).with_context(|| {
            format!("unknown ranking `{r}`: use lof, chi2, combined or learned")
        })?,
        None if a.labels.is_some() => Ranking::Learned,
        None => Ranking::Combined,
    };
    if ranking == Ranking::Learned && a.labels.is_none() {
        bail!("the learned ranking needs labels: pass --labels FILE.csv");
    }
    if let Some(l) = &a.labels
        && !l.is_file()
    {
        bail!("{}: no such labels file", l.display());
    }
    let s = score_survey(&a.model, a.data.clone(), a.split_seed)?;
    let rows = s.rows();
    let n = rows.n_spectra();
    let fingerprint = FileIdentity::of(&s.data)?.fingerprint;
    let ids = survey_ids(rows.meta(), n, &fingerprint);
    let book = match &a.labels {
        Some(p) => Some(LabelBook::open(p, ids.clone())?),
        None => None,
    };
    let sc = &s.scored;
    let combined = combined_percentile(&sc.lof, &sc.chi2);
    let mut learned = None;
    let order = match ranking {
        Ranking::Learned => {
            let book = book.as_ref().context("no labels")?;
            let labelled = book.labelled();
            let features = Features::new(sc.latents.view(), &sc.chi2, &sc.lof, sc.regions.view())?;
            let fit = fit_learned(&features, &combined, &labelled, &Progress::new())?;
            eprintln!(
                "learned ranking: {} labelled spectra ({} labels in {}, {} naming no spectrum \
                 here), fitted in {:.2} s",
                fit.n_labels,
                book.labels().len(),
                book.path.display(),
                book.unmatched(),
                fit.seconds
            );
            let order = fit.order.clone();
            learned = Some(fit);
            order
        }
        r => unsupervised_order(r, &sc.lof, &sc.chi2),
    };
    let class = |i: usize| rows.classes()[i].label().to_string();
    let cols = RankedColumns {
        ids: &ids,
        class: &class,
        z: rows.meta().z.as_ref().and_then(|z| z.as_slice()),
        lof: &sc.lof,
        chi2: &sc.chi2,
        combined: &combined,
        interest: learned.as_ref().map(|l| l.interest.as_slice()),
        labels: book.as_ref(),
    };
    if let Some(out) = &a.out {
        write_bytes_atomically(out, ranked_csv(&cols, &order, None).as_bytes())?;
        eprintln!("ranked list of {n} spectra → {}", out.display());
    }
    println!(
        "{} ranking of {} ({} spectra), model {}:",
        ranking.label(),
        s.data.display(),
        n,
        a.model.display()
    );
    print!("{}", ranked_csv(&cols, &order, Some(a.top)));
    if let Some(sheet) = &a.sheet {
        let format = match sheet
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .parse()
            .with_context(|| format!("{}: name it .pdf, .png or .svg", sheet.display()))?
        {
            // 150 dpi: a 48-panel sheet is 1650 × 3000 pixels.
            Format::Png { .. } => Format::Png { dpi: 150 },
            f => f,
        };
        let panels: Vec<(usize, String)> = order
            .iter()
            .take(a.top.min(MAX_PANELS))
            .enumerate()
            .map(|(k, &i)| {
                let i = i as usize;
                let z = cols.z.and_then(|z| z.get(i)).copied();
                (i, panel_title(k + 1, &ids[i], &class(i), z))
            })
            .collect();
        let heading = format!(
            "{}: top {} by the {} ranking (model {})",
            s.data.display(),
            panels.len(),
            ranking.label(),
            a.model.display()
        );
        let fig = ContactSheet::of_rows(
            rows,
            &s.loaded.model,
            &s.device,
            &panels,
            "contact_sheet",
            &heading,
        )?;
        let bytes = render(&fig, format)?;
        write_bytes_atomically(sheet, &bytes)?;
        eprintln!(
            "contact sheet of {} spectra → {}",
            panels.len(),
            sheet.display()
        );
    }
    Ok(())
}
