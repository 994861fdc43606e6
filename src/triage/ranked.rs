//! The ranked list as CSV: one line per spectrum in ranking order, with its scores and label.
//! Its `id`, `score` and `tags` columns are a labels file's, so a ranked list a collaborator
//! annotated imports back as labels.

use std::fmt::Write as _;

use super::book::LabelBook;

/// The columns of the ranked list, one value per spectrum (indexed by row).
pub struct RankedColumns<'a> {
    pub ids: &'a [String],
    pub class: &'a dyn Fn(usize) -> String,
    pub z: Option<&'a [f32]>,
    pub lof: &'a [f64],
    pub chi2: &'a [f64],
    /// Combined outlier percentile (0 … 1).
    pub combined: &'a [f64],
    /// The learned ranking's predicted interest, when fitted.
    pub interest: Option<&'a [f32]>,
    pub labels: Option<&'a LabelBook>,
}

/// The ranked list of `order` (at most `top` lines when given) as CSV text.
pub fn ranked_csv(c: &RankedColumns<'_>, order: &[u32], top: Option<usize>) -> String {
    let mut s = String::from(
        "rank,row,id,class,z,lof,chi2,combined_percentile,learned_interest,score,tags\n",
    );
    let field = |v: &str| {
        if v.contains([',', '"']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    };
    for (rank, &i) in order.iter().take(top.unwrap_or(usize::MAX)).enumerate() {
        let i = i as usize;
        let label = c.labels.and_then(|b| b.label(i));
        let _ = writeln!(
            s,
            "{},{},{},{},{},{:.4},{:.4},{:.5},{},{},{}",
            rank + 1,
            i,
            field(c.ids.get(i).map_or("", |v| v.as_str())),
            field(&(c.class)(i)),
            c.z.and_then(|z| z.get(i))
                .map_or(String::new(), |v| format!("{v:.5}")),
            c.lof.get(i).copied().unwrap_or(f64::NAN),
            c.chi2.get(i).copied().unwrap_or(f64::NAN),
            c.combined.get(i).copied().unwrap_or(f64::NAN),
            c.interest
                .and_then(|u| u.get(i))
                .map_or(String::new(), |v| format!("{v:.4}")),
            label
                .and_then(|l| l.score)
                .map_or(String::new(), |v| v.to_string()),
            field(&label.map(|l| l.tags_text()).unwrap_or_default()),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::labels::{Label, Labels, Tag};
    use std::path::Path;

    #[test]
    fn a_ranked_list_reads_back_as_the_labels_it_shows() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = ["266-51602-0001", "266-51602-0002", "x,y"]
            .map(String::from)
            .to_vec();
        let mut book = LabelBook::open(&dir.path().join("l.csv"), ids.clone()).unwrap();
        book.set(
            2,
            Label {
                score: Some(5),
                tags: [Tag::Star, Tag::Interesting].into(),
            },
        )
        .unwrap();
        let class = |i: usize| format!("class {i}");
        let cols = RankedColumns {
            ids: &ids,
            class: &class,
            z: Some(&[0.1, 0.2, 0.3]),
            lof: &[1.0, 2.0, 3.0],
            chi2: &[1.0, 5.0, 2.0],
            combined: &[0.0, 0.67, 0.67],
            interest: None,
            labels: Some(&book),
        };
        let csv = ranked_csv(&cols, &[2, 1, 0], Some(2));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(
            lines[1].starts_with("1,2,\"x,y\",class 2,0.30000,"),
            "{csv}"
        );
        let back = Labels::from_csv(&csv, Path::new("ranked.csv")).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back.get("x,y"), book.label(2));
    }
}
