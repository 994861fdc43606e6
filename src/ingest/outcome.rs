//! What happened to each input of an ingest (a file, or one target of a DESI coadd), and the
//! rows of the spectra kept.

use std::path::{Path, PathBuf};

use super::IngestError;

/// What happened to one input: an SDSS file, one target of a DESI coadd (`target` is its
/// TARGETID), or a whole coadd (`target: None`).
#[derive(Clone, Debug)]
pub enum FileOutcome {
    Kept {
        path: PathBuf,
        target: Option<i64>,
        z: f64,
        class: String,
        lineindex: i64,
        coverage: f64,
    },
    Rejected {
        path: PathBuf,
        target: Option<i64>,
        reason: String,
    },
    /// The same spectrum as `of` (same plate, MJD and fibre; the same DESI TARGETID; or
    /// identical flux where the file has no ids), which is kept instead.
    Duplicate {
        path: PathBuf,
        target: Option<i64>,
        of: PathBuf,
    },
    /// A redshift file (redrock, zbest, zcatalog) among the inputs: read with its coadd.
    Redshifts {
        path: PathBuf,
        note: String,
    },
    Failed {
        error: IngestError,
    },
}

impl FileOutcome {
    pub fn path(&self) -> &Path {
        match self {
            FileOutcome::Kept { path, .. }
            | FileOutcome::Rejected { path, .. }
            | FileOutcome::Duplicate { path, .. }
            | FileOutcome::Redshifts { path, .. } => path,
            FileOutcome::Failed { error } => error.path(),
        }
    }

    /// The DESI TARGETID the outcome is about, if it is about one target.
    pub fn target(&self) -> Option<i64> {
        match self {
            FileOutcome::Kept { target, .. }
            | FileOutcome::Rejected { target, .. }
            | FileOutcome::Duplicate { target, .. } => *target,
            _ => None,
        }
    }

    /// "spec-0266-51602-0001.fits" or "coadd-sv3-dark-26065.fits TARGETID 3962…".
    pub fn label(&self) -> String {
        match self.target() {
            Some(t) => format!("{} TARGETID {t}", file_name(self.path())),
            None => file_name(self.path()),
        }
    }

    /// Why the input was not kept (`None` if it was, or is a redshift file).
    pub fn reason(&self) -> Option<String> {
        match self {
            FileOutcome::Kept { .. } | FileOutcome::Redshifts { .. } => None,
            FileOutcome::Rejected { reason, .. } => Some(format!("{}: {reason}", self.label())),
            FileOutcome::Duplicate { of, .. } => Some(format!(
                "{}: the same spectrum as {}",
                self.label(),
                of.display()
            )),
            FileOutcome::Failed { error } => Some(error.to_string()),
        }
    }
}

impl FileOutcome {
    /// What happened, in one word: kept, duplicate, rejected, unreadable, redshifts.
    pub fn status(&self) -> &'static str {
        match self {
            FileOutcome::Kept { .. } => "kept",
            FileOutcome::Duplicate { .. } => "duplicate",
            FileOutcome::Rejected { .. } => "rejected",
            FileOutcome::Failed { .. } => "unreadable",
            FileOutcome::Redshifts { .. } => "redshifts",
        }
    }

    /// The text of the report's detail column: why it was not kept, or what it is.
    pub fn detail(&self) -> String {
        match self {
            FileOutcome::Kept {
                lineindex,
                coverage,
                ..
            } => format!(
                "lineindex_cln {lineindex}, covers {:.0}% of the grid",
                100.0 * coverage
            ),
            FileOutcome::Rejected { reason, .. } => reason.clone(),
            FileOutcome::Duplicate { of, .. } => format!("the same spectrum as {}", of.display()),
            FileOutcome::Redshifts { note, .. } => note.clone(),
            FileOutcome::Failed { error } => error.to_string(),
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The outcome table as CSV: file, TARGETID (DESI), status, z, class, detail; one row per input
/// (a DESI coadd: per target).
pub fn report_csv(outcomes: &[FileOutcome]) -> String {
    let mut out = String::from("file,targetid,status,z,class,detail\n");
    for o in outcomes {
        let (z, class) = match o {
            FileOutcome::Kept { z, class, .. } => (format!("{z}"), class.clone()),
            _ => (String::new(), String::new()),
        };
        let row = [
            o.path().display().to_string(),
            o.target().map(|t| t.to_string()).unwrap_or_default(),
            o.status().to_string(),
            z,
            class,
            o.detail(),
        ];
        let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// Kept / duplicate / rejected / unreadable counts of an outcome table (and redshift files,
/// when there are any).
pub fn outcome_counts(outcomes: &[FileOutcome]) -> String {
    let count = |f: &dyn Fn(&FileOutcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let z = count(&|o| matches!(o, FileOutcome::Redshifts { .. }));
    format!(
        "{} kept, {} duplicates, {} rejected, {} unreadable{}",
        count(&|o| matches!(o, FileOutcome::Kept { .. })),
        count(&|o| matches!(o, FileOutcome::Duplicate { .. })),
        count(&|o| matches!(o, FileOutcome::Rejected { .. })),
        count(&|o| matches!(o, FileOutcome::Failed { .. })),
        if z > 0 {
            format!(", {z} redshift files")
        } else {
            String::new()
        }
    )
}

/// What processing one input gives: an outcome per file or target, with the row of each one
/// kept.
pub type Processed = Vec<(FileOutcome, Option<Row>)>;

/// One kept spectrum on the rest-frame grid, with its catalogue values.
pub struct Row {
    pub flux: Vec<f32>,
    pub err: Vec<f32>,
    pub mask: Vec<bool>,
    pub z: f64,
    pub zerr: f64,
    pub plate: i64,
    pub mjd: i64,
    pub fiber: i64,
    /// DESI TARGETID, −1 for SDSS.
    pub targetid: i64,
    /// [`crate::data::release`] code.
    pub release: i64,
    /// For two coadds of one target: more exposures, then higher TSNR2, wins.
    pub rank: (i64, f64),
    pub lineindex: i64,
    pub log_nii_ha: f64,
    pub log_oiii_hb: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_each_input_and_quotes_what_needs_it() {
        let o = vec![
            FileOutcome::Kept {
                path: "a/coadd-main-dark-1.fits".into(),
                target: Some(39_627_000_000_000_001),
                z: 0.25,
                class: "GALAXY".into(),
                lineindex: 4,
                coverage: 0.9,
            },
            FileOutcome::Rejected {
                path: "b/spec-1.fits".into(),
                target: None,
                reason: "redshift failed (ZWARN=4, \"bad\")".into(),
            },
        ];
        let csv = report_csv(&o);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "file,targetid,status,z,class,detail");
        assert!(
            lines[1].starts_with("a/coadd-main-dark-1.fits,39627000000000001,kept,0.25,GALAXY,")
        );
        assert_eq!(
            lines[2],
            "b/spec-1.fits,,rejected,,,\"redshift failed (ZWARN=4, \"\"bad\"\")\""
        );
    }
}
