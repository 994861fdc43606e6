//! The labels of one open survey: its rows' survey ids, the labels file, and the labels by row.
//! Every change is written to the file at once, atomically; nothing a user labelled lives only
//! in memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::TriageError;
use super::labels::{Label, Labels};
use super::learned::Labelled;

pub struct LabelBook {
    /// The labels file (read on opening, written on every change).
    pub path: PathBuf,
    /// Each row's survey id.
    ids: Vec<String>,
    rows_of: HashMap<String, Vec<usize>>,
    labels: Labels,
    /// Bumped on every change (views key their caches by it).
    pub generation: u64,
}

impl LabelBook {
    /// Opens the labels at `path` (none yet when the file does not exist) for rows with `ids`.
    pub fn open(path: &Path, ids: Vec<String>) -> Result<LabelBook, TriageError> {
        let labels = Labels::read(path)?;
        let mut rows_of: HashMap<String, Vec<usize>> = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            rows_of.entry(id.clone()).or_default().push(i);
        }
        Ok(LabelBook {
            path: path.to_path_buf(),
            ids,
            rows_of,
            labels,
            generation: 0,
        })
    }

    pub fn labels(&self) -> &Labels {
        &self.labels
    }
    /// Every row's survey id.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
    pub fn id(&self, row: usize) -> Option<&str> {
        self.ids.get(row).map(|s| s.as_str())
    }
    pub fn n_rows(&self) -> usize {
        self.ids.len()
    }

    pub fn label(&self, row: usize) -> Option<&Label> {
        self.labels.get(self.id(row)?)
    }

    /// Sets the label of `row` (and of every row with the same survey id) and writes the file.
    /// On a failed write the label is kept in memory and the error says where it could not go.
    pub fn set(&mut self, row: usize, label: Label) -> Result<(), TriageError> {
        let Some(id) = self.ids.get(row).cloned() else {
            return Err(TriageError::Invalid(format!(
                "row {row} is not in the survey ({} rows)",
                self.ids.len()
            )));
        };
        self.labels.set(&id, label);
        self.generation += 1;
        self.save()
    }

    /// Writes the labels file (atomically).
    pub fn save(&self) -> Result<(), TriageError> {
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| {
                crate::util::atomic::AtomicWriteError {
                    path: self.path.clone(),
                    source,
                }
            })?;
        }
        self.labels.write(&self.path)
    }

    /// Takes in the labels of a CSV file (theirs win) and saves. Returns (labels new or changed,
    /// labels in the file naming no spectrum of this survey).
    pub fn import(&mut self, path: &Path) -> Result<(usize, usize), TriageError> {
        let other = Labels::read(path)?;
        let unmatched = other
            .iter()
            .filter(|(id, _)| !self.rows_of.contains_key(id.as_str()))
            .count();
        let changed = self.labels.merge(other);
        self.generation += 1;
        self.save()?;
        Ok((changed, unmatched))
    }

    /// Labels naming no spectrum of this survey (kept in the file, not used).
    pub fn unmatched(&self) -> usize {
        self.labels
            .iter()
            .filter(|(id, _)| !self.rows_of.contains_key(id.as_str()))
            .count()
    }

    /// Every labelled row with its label, by row (cost: the labels, not the rows).
    pub fn rows_labelled(&self) -> Vec<(usize, &Label)> {
        let mut out: Vec<(usize, &Label)> = self
            .labels
            .iter()
            .filter_map(|(id, l)| Some((self.rows_of.get(id)?, l)))
            .flat_map(|(rows, l)| rows.iter().map(move |&r| (r, l)))
            .collect();
        out.sort_by_key(|(r, _)| *r);
        out
    }

    /// Labelled rows with a score (the user's, or the one their tags imply), for learning.
    pub fn labelled(&self) -> Vec<Labelled> {
        self.rows_labelled()
            .into_iter()
            .filter_map(|(row, l)| {
                Some(Labelled {
                    row,
                    score: f64::from(l.effective_score()?),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::labels::Tag;

    #[test]
    fn a_label_is_on_disk_as_soon_as_it_is_set_and_comes_back_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("s.npz.labels.csv");
        let ids: Vec<String> = ["a", "b", "a", "c"].map(String::from).to_vec();
        let mut book = LabelBook::open(&p, ids.clone()).unwrap();
        assert!(book.labelled().is_empty());
        book.set(
            0,
            Label {
                score: Some(4),
                tags: [Tag::Star].into(),
            },
        )
        .unwrap();
        book.set(
            3,
            Label {
                score: None,
                tags: [Tag::SkyResidual].into(),
            },
        )
        .unwrap();
        // The same galaxy twice in the file (rows 0 and 2) shares its label.
        let again = LabelBook::open(&p, ids).unwrap();
        assert_eq!(again.label(2).and_then(|l| l.score), Some(4));
        let rows: Vec<(usize, f64)> = again.labelled().iter().map(|l| (l.row, l.score)).collect();
        assert_eq!(rows, [(0, 4.0), (2, 4.0), (3, 0.0)]);
        // Rows reordered (another file of the same galaxies): labels follow the ids.
        let moved = LabelBook::open(&p, ["c", "a"].map(String::from).to_vec()).unwrap();
        assert_eq!(moved.label(1).and_then(|l| l.score), Some(4));
        assert_eq!(moved.unmatched(), 0);

        // Import: theirs win, unknown ids are counted.
        let other = dir.path().join("other.csv");
        std::fs::write(&other, "id,score,tags\na,1,artefact\nzz,5,\n").unwrap();
        let mut book = LabelBook::open(&p, ["a", "b", "c"].map(String::from).to_vec()).unwrap();
        assert_eq!(book.import(&other).unwrap(), (2, 1));
        assert_eq!(book.label(0).and_then(|l| l.score), Some(1));
        assert_eq!(book.unmatched(), 1);
        assert!(book.set(9, Label::default()).is_err());
    }
}
