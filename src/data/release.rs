//! Which survey and release a spectrum came from, as one integer per spectrum (the `release`
//! column of a survey file): 0 for SDSS, `100 + 10·survey + program` for DESI, where survey
//! and program index [`DESI_SURVEYS`] and [`DESI_PROGRAMS`] (the last entry of each: other).

/// DESI's `SURVEY` values.
pub const DESI_SURVEYS: [&str; 7] = ["main", "sv1", "sv2", "sv3", "cmx", "special", "other"];
/// DESI's `PROGRAM` values.
pub const DESI_PROGRAMS: [&str; 5] = ["dark", "bright", "backup", "other", "unknown"];

/// The code of an SDSS spectrum.
pub const SDSS: i64 = 0;

/// Whether a code is one of DESI's.
pub fn is_desi(code: i64) -> bool {
    code >= 100
}

/// The code of a DESI spectrum from `survey`/`program` (header values, any case).
pub fn desi_release(survey: &str, program: &str) -> i64 {
    let find = |list: &[&str], v: &str, other: usize, missing: usize| {
        if v.trim().is_empty() {
            return missing;
        }
        list.iter()
            .position(|s| s.eq_ignore_ascii_case(v.trim()))
            .unwrap_or(other)
    };
    let s = find(
        &DESI_SURVEYS,
        survey,
        DESI_SURVEYS.len() - 1,
        DESI_SURVEYS.len() - 1,
    );
    // Tertiary and other special programs are "other".
    let p = find(&DESI_PROGRAMS, program, 3, DESI_PROGRAMS.len() - 1);
    100 + 10 * s as i64 + p as i64
}

/// "SDSS", "DESI sv3/dark", … for a code; `None` for a code no release has.
pub fn release_name(code: i64) -> Option<String> {
    if code == SDSS {
        return Some("SDSS".into());
    }
    let c = code.checked_sub(100)?;
    let (s, p) = (usize::try_from(c / 10).ok()?, usize::try_from(c % 10).ok()?);
    Some(format!(
        "DESI {}/{}",
        DESI_SURVEYS.get(s)?,
        DESI_PROGRAMS.get(p)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_to_names() {
        assert_eq!(release_name(SDSS).unwrap(), "SDSS");
        assert_eq!(
            release_name(desi_release("SV3", "dark")).unwrap(),
            "DESI sv3/dark"
        );
        assert_eq!(
            release_name(desi_release("special", "tertiary38")).unwrap(),
            "DESI special/other"
        );
        assert_eq!(
            release_name(desi_release("", "")).unwrap(),
            "DESI other/unknown"
        );
        assert!(release_name(57).is_none() && release_name(-3).is_none());
    }
}
