//! A user's labels: a 0–5 interest score and tags per galaxy, keyed by the spectrum's survey
//! id so they survive retraining, re-ingesting and row reordering. Stored as CSV
//! (`id,score,tags`, tags separated by `;`), written atomically on every change, beside the
//! survey (`survey.npz.labels.csv`), or in specae's data folder when that folder is read-only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::TriageError;
use crate::util::atomic::write_atomically;

/// The most labels a file may hold (a survey's worth; bounds the reader).
pub const MAX_LABELS: usize = 20_000_000;
/// The highest interest score.
pub const MAX_SCORE: u8 = 5;

/// What a user says a spectrum is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    Interesting,
    PostStarburst,
    Star,
    Artefact,
    SkyResidual,
    Calibration,
}

impl Tag {
    pub const ALL: [Tag; 6] = [
        Tag::Interesting,
        Tag::PostStarburst,
        Tag::Star,
        Tag::Artefact,
        Tag::SkyResidual,
        Tag::Calibration,
    ];

    /// The name in files and on screen.
    pub fn name(self) -> &'static str {
        match self {
            Tag::Interesting => "interesting",
            Tag::PostStarburst => "post-starburst",
            Tag::Star => "star",
            Tag::Artefact => "artefact",
            Tag::SkyResidual => "sky residual",
            Tag::Calibration => "flux calibration",
        }
    }

    /// The explorer's key for it.
    pub fn key(self) -> char {
        match self {
            Tag::Interesting => 'I',
            Tag::PostStarburst => 'P',
            Tag::Star => 'S',
            Tag::Artefact => 'A',
            Tag::SkyResidual => 'K',
            Tag::Calibration => 'C',
        }
    }

    /// The score a tag implies when the user gave none (science: 5, data problems: 0).
    pub fn implied_score(self) -> u8 {
        match self {
            Tag::Interesting | Tag::PostStarburst | Tag::Star => MAX_SCORE,
            Tag::Artefact | Tag::SkyResidual | Tag::Calibration => 0,
        }
    }

    pub fn parse(s: &str) -> Option<Tag> {
        let s = s.trim();
        Tag::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s) || t.name().replace(' ', "_") == s)
    }
}

/// One galaxy's label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    /// 0 (boring) … 5 (most interesting); `None` when only tags were given.
    pub score: Option<u8>,
    pub tags: BTreeSet<Tag>,
}

impl Label {
    pub fn is_empty(&self) -> bool {
        self.score.is_none() && self.tags.is_empty()
    }

    /// The score learning uses: the user's, else the highest a tag implies.
    pub fn effective_score(&self) -> Option<u8> {
        self.score
            .or_else(|| self.tags.iter().map(|t| t.implied_score()).max())
    }

    pub fn tags_text(&self) -> String {
        self.tags
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Every label of one survey, by survey id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    by_id: BTreeMap<String, Label>,
}

impl Labels {
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
    pub fn get(&self, id: &str) -> Option<&Label> {
        self.by_id.get(id)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Label)> {
        self.by_id.iter()
    }

    /// Sets (or, for an empty label, removes) the label of `id`.
    pub fn set(&mut self, id: &str, label: Label) {
        if label.is_empty() {
            self.by_id.remove(id);
        } else {
            self.by_id.insert(id.to_string(), label);
        }
    }

    /// Takes in `other`'s labels; theirs win where both label a galaxy. Returns how many
    /// were new or changed.
    pub fn merge(&mut self, other: Labels) -> usize {
        let mut changed = 0;
        for (id, l) in other.by_id {
            if self.by_id.get(&id) != Some(&l) {
                changed += 1;
                self.by_id.insert(id, l);
            }
        }
        changed
    }

    /// The CSV text: a header, then one line per label, sorted by id.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("id,score,tags\n");
        for (id, l) in &self.by_id {
            s.push_str(&csv_field(id));
            s.push(',');
            if let Some(v) = l.score {
                s.push_str(&v.to_string());
            }
            s.push(',');
            s.push_str(&csv_field(&l.tags_text()));
            s.push('\n');
        }
        s
    }

    /// Parses CSV text (`path` names it in errors): a header naming `id` and at least one of
    /// `score` and `tags` (other columns are ignored), one label per line.
    pub fn from_csv(text: &str, path: &Path) -> Result<Labels, TriageError> {
        let bad = |line: usize, detail: String| TriageError::Labels {
            path: path.to_path_buf(),
            line,
            detail,
        };
        // Spreadsheets save UTF-8 CSV with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Ok(Labels::default());
        };
        let cols: Vec<String> = split_csv(header)
            .map_err(|e| bad(1, e))?
            .into_iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let at = |name: &str| cols.iter().position(|c| c == name);
        let id_col = at("id").ok_or_else(|| {
            bad(
                1,
                format!(
                    "the header has no `id` column (it has: {})",
                    cols.join(", ")
                ),
            )
        })?;
        let (score_col, tags_col) = (at("score"), at("tags"));
        if score_col.is_none() && tags_col.is_none() {
            return Err(bad(
                1,
                "the header has neither a `score` nor a `tags` column".into(),
            ));
        }
        let mut out = Labels::default();
        for (k, line) in lines {
            let line_no = k + 1;
            if out.by_id.len() >= MAX_LABELS {
                return Err(bad(line_no, format!("more than {MAX_LABELS} labels")));
            }
            let f = split_csv(line).map_err(|e| bad(line_no, e))?;
            let get = |c: Option<usize>| c.and_then(|c| f.get(c)).map(|s| s.trim());
            let id = get(Some(id_col)).unwrap_or("");
            if id.is_empty() {
                return Err(bad(line_no, "no id".into()));
            }
            let score = match get(score_col) {
                None | Some("") => None,
                Some(v) => match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && (0.0..=f64::from(MAX_SCORE)).contains(&x) => {
                        Some(x.round() as u8)
                    }
                    _ => {
                        return Err(bad(
                            line_no,
                            format!("score `{v}` is not a number from 0 to {MAX_SCORE}"),
                        ));
                    }
                },
            };
            let mut tags = BTreeSet::new();
            for t in get(tags_col)
                .unwrap_or("")
                .split(';')
                .filter(|t| !t.trim().is_empty())
            {
                let tag = Tag::parse(t).ok_or_else(|| {
                    bad(
                        line_no,
                        format!(
                            "unknown tag `{}` (known: {})",
                            t.trim(),
                            Tag::ALL.map(|t| t.name()).join(", ")
                        ),
                    )
                })?;
                tags.insert(tag);
            }
            out.set(id, Label { score, tags });
        }
        Ok(out)
    }

    /// Reads a labels file (a missing file is no labels).
    pub fn read(path: &Path) -> Result<Labels, TriageError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Labels::default()),
            Err(source) => {
                return Err(TriageError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| TriageError::Labels {
            path: path.to_path_buf(),
            line: 0,
            detail: "not UTF-8 text".into(),
        })?;
        Labels::from_csv(&text, path)
    }

    /// Writes the labels atomically (the previous file stays whole on any failure).
    pub fn write(&self, path: &Path) -> Result<(), TriageError> {
        let text = self.to_csv();
        write_atomically::<TriageError, _>(path, |w| {
            w.write_all(text.as_bytes())
                .map_err(|source| TriageError::Io {
                    path: path.to_path_buf(),
                    source,
                })
        })
    }
}

/// Where the labels of the survey at `data` live: beside it (`<file>.labels.csv`) when that
/// file exists or its folder takes files, else in `fallback_dir` under the survey's name and
/// fingerprint (shared fixtures, read-only media).
pub fn labels_path_for(data: &Path, fingerprint: &str, fallback_dir: &Path) -> PathBuf {
    let name = data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "survey".into());
    let beside = data.with_file_name(format!("{name}.labels.csv"));
    if beside.is_file() || folder_takes_files(data.parent().unwrap_or(Path::new("."))) {
        return beside;
    }
    fallback_dir.join(format!("{name}-{fingerprint}.labels.csv"))
}

fn folder_takes_files(dir: &Path) -> bool {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    tempfile::Builder::new()
        .prefix(".specae-write-test")
        .tempfile_in(dir)
        .is_ok()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Splits one CSV line (RFC 4180 quoting; no line breaks inside fields).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (true, '"') => {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            (false, ',') => {
                out.push(std::mem::take(&mut cur));
                at_start = true;
            }
            (_, c) => {
                cur.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    out.push(cur);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(score: Option<u8>, tags: &[Tag]) -> Label {
        Label {
            score,
            tags: tags.iter().copied().collect(),
        }
    }

    #[test]
    fn labels_go_through_csv_and_a_file_unchanged() {
        let mut l = Labels::default();
        l.set(
            "266-51602-0001",
            label(Some(5), &[Tag::PostStarburst, Tag::Interesting]),
        );
        l.set(
            "TARGETID 39627 (sv3/dark)",
            label(Some(0), &[Tag::SkyResidual]),
        );
        l.set("row 7 of \"x,y\"", label(None, &[Tag::Artefact]));
        l.set("empty", Label::default());
        assert_eq!(l.len(), 3);
        let back = Labels::from_csv(&l.to_csv(), Path::new("l.csv")).unwrap();
        assert_eq!(back, l);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        l.write(&p).unwrap();
        assert_eq!(Labels::read(&p).unwrap(), l);
        assert_eq!(
            Labels::read(&dir.path().join("none.csv")).unwrap(),
            Labels::default()
        );
        assert_eq!(
            l.get("row 7 of \"x,y\"").unwrap().effective_score(),
            Some(0)
        );
    }

    #[test]
    fn a_bad_labels_file_is_named_with_its_line() {
        let p = Path::new("mine.csv");
        for (text, line, needle) in [
            ("name,score\nx,1\n", 1, "no `id`"),
            ("id,flag\nx,1\n", 1, "neither"),
            ("id,score\nx,7\n", 2, "from 0 to 5"),
            ("id,score\nx,nan\n", 2, "from 0 to 5"),
            ("id,score,tags\nx,1,\"open\n", 2, "not closed"),
            ("id,score,tags\nx,1,comet\n", 2, "unknown tag `comet`"),
            ("id,score\n,3\n", 2, "no id"),
        ] {
            let e = Labels::from_csv(text, p).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("mine.csv")
                    && msg.contains(&format!("line {line}"))
                    && msg.contains(needle),
                "{text:?}: {msg}"
            );
        }
        // A spreadsheet's byte-order mark is not part of the header.
        let l = Labels::from_csv("\u{feff}id,score\nb,2\n", p).unwrap();
        assert_eq!(l.get("b").and_then(|l| l.score), Some(2));
        // Extra columns (a ranked list written by `specae triage`) are ignored.
        let l = Labels::from_csv("rank,id,score,tags,chi2\n1,a,4,star,9.5\n", p).unwrap();
        assert_eq!(l.get("a"), Some(&label(Some(4), &[Tag::Star])));
    }

    #[test]
    fn labels_live_beside_a_writable_survey_else_in_the_fallback_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("s.npz");
        let fb = dir.path().join("fallback");
        assert_eq!(
            labels_path_for(&data, "ab", &fb),
            dir.path().join("s.npz.labels.csv")
        );
        let ro = Path::new("/proc/specae-nowhere/s.npz");
        assert_eq!(
            labels_path_for(ro, "ab", &fb),
            fb.join("s.npz-ab.labels.csv")
        );
    }
}
