//! DESI redshifts by TARGETID: a coadd's redrock file (`redrock-*.fits`, older `zbest-*.fits`:
//! table `REDSHIFTS`), or a catalogue the user names — a DESI zcatalog FITS (`zpix-*`, `zall-*`,
//! `ztile-*`: table `ZCATALOG`) or any FITS table or CSV with `TARGETID` and `Z` columns.
//! `ZERR`, `ZWARN`, `SPECTYPE` and `DELTACHI2` are read where present. Where a catalogue holds a
//! target more than once (zall: one row per survey and program), the row of the coadd's own
//! survey and program is used, else the `ZCAT_PRIMARY` one, else the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fitsrs::HDU;

use super::IngestError;
use super::fits_table::{Table, each_hdu, open_bytes, read_columns, read_file};

/// The largest redshift file read (DR1's zall catalogue is ~10 GB: split it, or name a zpix
/// catalogue of the healpix files at hand).
pub const MAX_REDSHIFT_BYTES: u64 = 4 << 30;

/// One target's redshift fit.
#[derive(Clone, Debug, PartialEq)]
pub struct Redshift {
    pub z: f64,
    pub zerr: f64,
    /// Redrock's warning bits (0 = fine).
    pub zwarn: i64,
    /// "GALAXY", "QSO", "STAR" (empty when the source does not say).
    pub spectype: String,
    /// χ² difference to the next-best fit (NaN when the source does not say).
    pub deltachi2: f64,
    /// Survey and program of the row (empty when the source does not say).
    pub survey: String,
    pub program: String,
    /// `ZCAT_PRIMARY` (true when the source does not say).
    pub primary: bool,
}

/// Redshifts by TARGETID from one file; several rows per target where it holds them.
#[derive(Clone, Debug, Default)]
pub struct Redshifts {
    pub path: PathBuf,
    by_target: HashMap<i64, Vec<Redshift>>,
}

impl Redshifts {
    pub fn len(&self) -> usize {
        self.by_target.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_target.is_empty()
    }

    /// The redshift of `targetid` as observed in `survey`/`program`.
    pub fn get(&self, targetid: i64, survey: &str, program: &str) -> Option<&Redshift> {
        let rows = self.by_target.get(&targetid)?;
        let same = |r: &&Redshift| {
            !r.survey.is_empty()
                && r.survey.eq_ignore_ascii_case(survey)
                && r.program.eq_ignore_ascii_case(program)
        };
        rows.iter()
            .find(same)
            .or_else(|| rows.iter().find(|r| r.primary))
            .or_else(|| rows.first())
    }

    /// Redshifts from rows of (TARGETID, redshift); `path` names their source.
    pub fn from_rows(path: &Path, rows: impl IntoIterator<Item = (i64, Redshift)>) -> Self {
        let mut out = Redshifts {
            path: path.to_path_buf(),
            ..Default::default()
        };
        for (t, r) in rows {
            out.push(t, r);
        }
        out
    }

    fn push(&mut self, targetid: i64, r: Redshift) {
        let rows = self.by_target.entry(targetid).or_default();
        // A catalogue row per (survey, program) at most; more is damage.
        if rows.len() < 64 {
            rows.push(r);
        }
    }
}

/// The redrock file of a coadd, if one lies beside it: `coadd-X.fits` → `redrock-X.fits`
/// (or `zbest-X.fits`; `spectra-X` files likewise).
pub fn redrock_beside(coadd: &Path) -> Option<PathBuf> {
    let name = coadd.file_name()?.to_str()?;
    let rest = name
        .strip_prefix("coadd-")
        .or_else(|| name.strip_prefix("spectra-"))?;
    let dir = coadd.parent()?;
    ["redrock-", "zbest-"]
        .iter()
        .map(|p| dir.join(format!("{p}{rest}")))
        .find(|p| p.is_file())
}

/// Whether a file name is a DESI redshift file rather than spectra.
pub fn is_redshift_file_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    ["redrock-", "zbest-", "zpix-", "zall-", "ztile-", "zcatalog"]
        .iter()
        .any(|p| name.starts_with(p))
}

fn bad(path: &Path, detail: impl Into<String>) -> IngestError {
    IngestError::NotDesi {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Reads a redshift file: FITS (redrock, zcatalog, any table with TARGETID and Z) or CSV.
pub fn read_redshifts(path: &Path) -> Result<Redshifts, IngestError> {
    let bytes = read_file(path, MAX_REDSHIFT_BYTES, "a redshift catalogue")?;
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let text =
            String::from_utf8(bytes).map_err(|_| bad(path, "not a text (UTF-8) CSV file"))?;
        return redshifts_from_csv(&text, path);
    }
    redshifts_from_fits_bytes(bytes, path)
}

const COLUMNS: [&str; 9] = [
    "TARGETID",
    "Z",
    "ZERR",
    "ZWARN",
    "SPECTYPE",
    "DELTACHI2",
    "SURVEY",
    "PROGRAM",
    "ZCAT_PRIMARY",
];

/// Reads the first table with TARGETID and Z (REDSHIFTS or ZCATALOG in DESI's files).
pub fn redshifts_from_fits_bytes(bytes: Vec<u8>, path: &Path) -> Result<Redshifts, IngestError> {
    let file_len = bytes.len() as u64;
    let mut fits = open_bytes(bytes, path)?;
    let mut found: Option<Table> = None;
    each_hdu(&mut fits, path, |fits, _name, hdu| {
        if found.is_none()
            && let HDU::XBinaryTable(t) = hdu
        {
            let x = t.get_header().get_xtension();
            if x.find_field_by_ttype("TARGETID").is_some() && x.find_field_by_ttype("Z").is_some() {
                found = Some(read_columns(fits, &t, &COLUMNS, file_len, path)?);
            }
        }
        Ok(())
    })?;
    let t = found.ok_or_else(|| bad(path, "no table with TARGETID and Z columns"))?;
    let ids = t
        .ints("TARGETID")
        .ok_or_else(|| bad(path, "TARGETID is not an integer column"))?;
    let z = t
        .floats("Z")
        .ok_or_else(|| bad(path, "Z is not a numeric column"))?;
    let n = t.nrows;
    let f = |k: &str, d: f64| t.floats(k).unwrap_or_else(|| vec![d; n]);
    let (zerr, dchi2) = (f("ZERR", f64::NAN), f("DELTACHI2", f64::NAN));
    let zwarn = t.ints("ZWARN").unwrap_or_else(|| vec![0; n]);
    let primary = t.ints("ZCAT_PRIMARY").unwrap_or_else(|| vec![1; n]);
    let s = |k: &str| t.texts(k).unwrap_or_else(|| vec![String::new(); n]);
    let (spectype, survey, program) = (s("SPECTYPE"), s("SURVEY"), s("PROGRAM"));
    let mut out = Redshifts {
        path: path.to_path_buf(),
        ..Default::default()
    };
    for i in 0..n {
        out.push(
            ids[i],
            Redshift {
                z: z[i],
                zerr: zerr[i],
                zwarn: zwarn[i],
                spectype: spectype[i].clone(),
                deltachi2: dchi2[i],
                survey: survey[i].clone(),
                program: program[i].clone(),
                primary: primary[i] != 0,
            },
        );
    }
    Ok(out)
}

/// A CSV with a header row naming at least TARGETID and Z (any case, any column order).
pub fn redshifts_from_csv(text: &str, path: &Path) -> Result<Redshifts, IngestError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| bad(path, "the CSV file is empty"))?;
    let cols: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_uppercase())
        .collect();
    let at = |k: &str| cols.iter().position(|c| c == k);
    let (Some(it), Some(iz)) = (at("TARGETID"), at("Z")) else {
        return Err(bad(
            path,
            format!("its header row ({header}) lacks a TARGETID or Z column"),
        ));
    };
    let (ie, iw, is, id) = (at("ZERR"), at("ZWARN"), at("SPECTYPE"), at("DELTACHI2"));
    let (isv, ipg) = (at("SURVEY"), at("PROGRAM"));
    let mut out = Redshifts {
        path: path.to_path_buf(),
        ..Default::default()
    };
    for (ln, line) in lines {
        let f: Vec<&str> = line
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .collect();
        let get = |i: Option<usize>| i.and_then(|i| f.get(i).copied()).unwrap_or("");
        let num = |i: Option<usize>, d: f64| get(i).parse::<f64>().unwrap_or(d);
        let line_err = |what: &str| bad(path, format!("line {}: {what}", ln + 1));
        let tid: i64 = get(Some(it))
            .parse()
            .map_err(|_| line_err(&format!("TARGETID {:?} is not an integer", get(Some(it)))))?;
        let z: f64 = get(Some(iz))
            .parse()
            .map_err(|_| line_err(&format!("Z {:?} is not a number", get(Some(iz)))))?;
        out.push(
            tid,
            Redshift {
                z,
                zerr: num(ie, f64::NAN),
                zwarn: get(iw).parse().unwrap_or(0),
                spectype: get(is).to_string(),
                deltachi2: num(id, f64::NAN),
                survey: get(isv).to_string(),
                program: get(ipg).to_string(),
                primary: true,
            },
        );
    }
    if out.is_empty() {
        return Err(bad(path, "the CSV file has a header row but no redshifts"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_catalogues_are_read_by_their_header_row() {
        let p = Path::new("z.csv");
        let r = redshifts_from_csv(
            "z,TargetID,zwarn\n0.1,39627000000000001,0\n0.25,39627000000000002,4\n",
            p,
        )
        .unwrap();
        let a = r.get(39627000000000001, "main", "dark").unwrap();
        assert_eq!(a.z, 0.1);
        assert_eq!(r.get(39627000000000002, "", "").unwrap().zwarn, 4);
        let e = redshifts_from_csv("id,z\n1,0.1\n", p).unwrap_err();
        assert!(e.to_string().contains("lacks a TARGETID"), "{e}");
        let e = redshifts_from_csv("targetid,z\nx,0.1\n", p).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn a_catalogue_row_of_the_coadds_own_survey_is_preferred() {
        let mut r = Redshifts::default();
        let row = |z: f64, survey: &str, primary: bool| Redshift {
            z,
            zerr: 0.0,
            zwarn: 0,
            spectype: "GALAXY".into(),
            deltachi2: 100.0,
            survey: survey.into(),
            program: "dark".into(),
            primary,
        };
        r.push(7, row(0.1, "sv3", false));
        r.push(7, row(0.2, "main", true));
        assert_eq!(r.get(7, "sv3", "dark").unwrap().z, 0.1);
        assert_eq!(r.get(7, "special", "dark").unwrap().z, 0.2);
    }
}
