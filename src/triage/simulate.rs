//! A simulated user on the built-in survey (`specae bench triage`): the generator's truth
//! stands for the user's interest. Interesting: stars given a galaxy's redshift and
//! post-starburst galaxies (passive hosts with more than [`PSB_YOUNG_FRAC`] of their 5500 Å
//! light from stars younger than 1 Gyr: the 2% of early types given a recent burst); boring:
//! the data artefacts (spikes, dropouts, sky residuals, flux-calibration jumps) at 0 and every
//! other galaxy at 1. Each step the user views the top unviewed candidate of the ranking and
//! labels it; the learned ranking is refitted after every label.

use std::collections::HashSet;

use super::TriageError;
use super::features::Features;
use super::labels::{Label, MAX_SCORE, Tag};
use super::learned::{Labelled, fit_learned};
use super::ranking::{Ranking, combined_percentile, unsupervised_order};
use crate::data::survey::Truth;
use crate::synth::{Kind, Oddity};
use crate::util::progress::Progress;

/// Passive galaxies with more young light than this are post-starbursts to the simulated user.
pub const PSB_YOUNG_FRAC: f32 = 0.2;

/// What the simulated user says of each spectrum.
pub struct SimulatedUser {
    pub labels: Vec<Label>,
    pub interesting: Vec<bool>,
}

impl SimulatedUser {
    pub fn from_truth(t: &Truth) -> SimulatedUser {
        let n = t.kind.len().min(t.oddity.len()).min(t.young_frac.len());
        let label = |score: u8, tag: Option<Tag>| Label {
            score: Some(score),
            tags: tag.into_iter().collect(),
        };
        let labels: Vec<Label> = (0..n)
            .map(|i| match t.oddity[i] {
                x if x == Oddity::Star as i64 => label(MAX_SCORE, Some(Tag::Star)),
                x if x == Oddity::Spike as i64 || x == Oddity::Dropout as i64 => {
                    label(0, Some(Tag::Artefact))
                }
                x if x == Oddity::SkyResidual as i64 => label(0, Some(Tag::SkyResidual)),
                x if x == Oddity::CalibrationJump as i64 => label(0, Some(Tag::Calibration)),
                _ if t.kind[i] == Kind::Passive as i64 && t.young_frac[i] > PSB_YOUNG_FRAC => {
                    label(MAX_SCORE, Some(Tag::PostStarburst))
                }
                _ => label(1, None),
            })
            .collect();
        let interesting = labels
            .iter()
            .map(|l| l.effective_score() == Some(MAX_SCORE))
            .collect();
        SimulatedUser {
            labels,
            interesting,
        }
    }

    /// What the user would call each of `rows`, counted: ("post-starburst", 12), ("other
    /// galaxy", 40), …
    pub fn tally(&self, rows: &[u32]) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for &i in rows {
            let name = self
                .labels
                .get(i as usize)
                .and_then(|l| l.tags.iter().next())
                .map_or("other galaxy", |t| t.name());
            *counts.entry(name).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    pub fn n_interesting(&self) -> usize {
        self.interesting.iter().filter(|&&b| b).count()
    }
}

/// Interesting spectra found by view `v` (1-based) of a cumulative count.
pub fn found_by(cumulative: &[usize], v: usize) -> usize {
    cumulative
        .get(v.min(cumulative.len()).saturating_sub(1))
        .copied()
        .unwrap_or(0)
}

/// What a simulated session found.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// Interesting spectra found after each view of each unsupervised ranking (cumulative).
    pub unsupervised: Vec<(Ranking, Vec<usize>)>,
    /// Interesting spectra found after each view of the learning session (cumulative).
    pub learned_found: Vec<usize>,
    /// The rows the learning session viewed, in order.
    pub learned_viewed: Vec<u32>,
    /// After k labels: interesting spectra among the next `views` unviewed candidates of the
    /// learned ranking as it stands then.
    pub after_labels: Vec<(usize, usize)>,
    /// Seconds each refit took.
    pub refit_seconds: Vec<f64>,
    pub views: usize,
    pub n_interesting: usize,
}

/// Runs the simulated session: `views` spectra viewed, the learned ranking measured after
/// each number of labels in `checkpoints` (those below `views`).
pub fn simulate(
    f: &Features,
    lof: &[f64],
    chi2: &[f64],
    user: &SimulatedUser,
    views: usize,
    checkpoints: &[usize],
    progress: &Progress,
) -> Result<Simulation, TriageError> {
    let n = f.n();
    if lof.len() != n || chi2.len() != n || user.labels.len() != n {
        return Err(TriageError::Invalid(format!(
            "the simulation needs one LOF, χ² and truth per spectrum ({n} spectra)"
        )));
    }
    let views = views.min(n);
    let count = |rows: &mut dyn Iterator<Item = u32>| {
        rows.take(views)
            .filter(|&i| user.interesting[i as usize])
            .count()
    };
    let unsupervised = [Ranking::Lof, Ranking::Chi2, Ranking::Combined]
        .into_iter()
        .map(|r| {
            let found = unsupervised_order(r, lof, chi2)
                .into_iter()
                .take(views)
                .scan(0, |k, i| {
                    *k += usize::from(user.interesting[i as usize]);
                    Some(*k)
                })
                .collect();
            (r, found)
        })
        .collect();
    let prior = combined_percentile(lof, chi2);
    let mut labelled: Vec<Labelled> = vec![];
    let mut viewed = HashSet::new();
    let mut found = 0;
    let mut learned_found = vec![];
    let mut learned_viewed = vec![];
    let mut after_labels = vec![];
    let mut refit_seconds = vec![];
    progress.stage("simulated triage", views as u64);
    for _ in 0..views {
        let fit = fit_learned(f, &prior, &labelled, progress)?;
        if !labelled.is_empty() {
            refit_seconds.push(fit.seconds);
        }
        if checkpoints.contains(&labelled.len()) {
            let mut next = fit.order.iter().copied().filter(|i| !viewed.contains(i));
            after_labels.push((labelled.len(), count(&mut next)));
        }
        let Some(&row) = fit.order.iter().find(|i| !viewed.contains(*i)) else {
            break;
        };
        viewed.insert(row);
        learned_viewed.push(row);
        let r = row as usize;
        found += usize::from(user.interesting[r]);
        learned_found.push(found);
        if let Some(s) = user.labels[r].effective_score() {
            labelled.push(Labelled {
                row: r,
                score: f64::from(s),
            });
        }
        progress.add(1);
    }
    Ok(Simulation {
        unsupervised,
        learned_found,
        learned_viewed,
        after_labels,
        refit_seconds,
        views,
        n_interesting: user.n_interesting(),
    })
}
