//! The rankings a user picks from, and the survey id that keys each row's labels.

use serde::{Deserialize, Serialize};

pub use crate::analysis::outliers::combined_percentile;
use crate::data::survey::Metadata;

/// How the outlier list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ranking {
    /// Local outlier factor of the latents.
    Lof,
    /// Reduced χ² of the reconstruction.
    Chi2,
    /// The larger of the two percentiles (the unsupervised default).
    #[default]
    Combined,
    /// Fitted to the user's labels ([`super::learned`]); the combined ranking until then.
    Learned,
}

impl Ranking {
    pub const ALL: [Ranking; 4] = [
        Ranking::Lof,
        Ranking::Chi2,
        Ranking::Combined,
        Ranking::Learned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Ranking::Lof => "LOF",
            Ranking::Chi2 => "χ²",
            Ranking::Combined => "combined",
            Ranking::Learned => "learned",
        }
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Ranking::Lof => "lof",
            Ranking::Chi2 => "chi2",
            Ranking::Combined => "combined",
            Ranking::Learned => "learned",
        }
    }

    pub fn parse(s: &str) -> Option<Ranking> {
        Ranking::ALL
            .into_iter()
            .find(|r| r.name() == s.to_ascii_lowercase())
    }
}

/// Rows ordered by an unsupervised ranking, most outlying first (ties: higher χ², then row).
pub fn unsupervised_order(r: Ranking, lof: &[f64], chi2: &[f64]) -> Vec<u32> {
    let n = lof.len().min(chi2.len());
    let key: Vec<f64> = match r {
        Ranking::Lof => lof[..n].to_vec(),
        Ranking::Chi2 => chi2[..n].to_vec(),
        Ranking::Combined | Ranking::Learned => combined_percentile(&lof[..n], &chi2[..n]),
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        key[b]
            .total_cmp(&key[a])
            .then(chi2[b].total_cmp(&chi2[a]))
            .then(a.cmp(&b))
    });
    order
}

/// The survey id of every row: SDSS plate-MJD-fibre, DESI "TARGETID … (survey/program)", or,
/// for files with neither, "row i of <fingerprint>" (labels then follow the file, not the
/// galaxy).
pub fn survey_ids(meta: &Metadata, n: usize, fingerprint: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            meta.name(i)
                .unwrap_or_else(|| format!("row {i} of {fingerprint}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupervised_orders_follow_their_score() {
        let lof = [1.0, 3.0, 2.0, 1.5];
        let chi2 = [9.0, 1.0, 2.0, 0.5];
        assert_eq!(unsupervised_order(Ranking::Lof, &lof, &chi2), [1, 2, 3, 0]);
        assert_eq!(unsupervised_order(Ranking::Chi2, &lof, &chi2), [0, 2, 1, 3]);
        // Combined: row 0 (top χ²) and row 1 (top LOF) tie at 0.75; χ² breaks it.
        assert_eq!(
            unsupervised_order(Ranking::Combined, &lof, &chi2),
            [0, 1, 2, 3]
        );
        assert_eq!(Ranking::parse("CHI2"), Some(Ranking::Chi2));
        assert_eq!(Ranking::parse("best"), None);
    }

    #[test]
    fn rows_without_a_survey_name_are_keyed_by_the_file() {
        let meta = Metadata::default();
        assert_eq!(
            survey_ids(&meta, 2, "abc"),
            ["row 0 of abc", "row 1 of abc"]
        );
    }
}
