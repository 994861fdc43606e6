//! From one DESI coadd to kept spectra and reasons: each target's redshift (the user's
//! catalogue, else the redrock file beside the coadd), the rejections (sky and bad fibres,
//! failed or uncertain redshifts, too little rest-frame coverage), the rest-frame rebinning and
//! the class measured from the spectrum's lines with astroML's `lineratio_index` rules (DESI
//! has no `lineindex_cln`), as for the built-in survey.

use std::path::Path;

use super::desi_fits::{DesiCoadd, DesiTarget, read_desi_coadd_bytes};
use super::options::IngestOptions;
use super::outcome::{FileOutcome, Processed, Row, file_name};
use super::rebin::rebin_rest_frame;
use super::redshifts::{Redshift, Redshifts, read_redshifts, redrock_beside};
use crate::data::release::desi_release;
use crate::spectro::bins::Bins;
use crate::spectro::measure::measure;

/// Redrock's ZWARN bits (redrock.zwarning).
const ZWARN_NAMES: [&str; 12] = [
    "SKY",
    "LITTLE_COVERAGE",
    "SMALL_DELTA_CHI2",
    "NEGATIVE_MODEL",
    "MANY_OUTLIERS",
    "Z_FITLIMIT",
    "NEGATIVE_EMISSION",
    "UNPLUGGED",
    "BAD_TARGET",
    "NODATA",
    "BAD_MINFLUX",
    "POORDATA",
];

/// DESI's fibre-status bits (desispec.maskbits.fibermask).
fn fiberstatus_name(bit: u32) -> &'static str {
    match bit {
        0 => "UNASSIGNED",
        1 => "BROKENFIBER",
        2 => "MISSINGPOSITION",
        3 => "BADPOSITION",
        4 => "POORPOSITION",
        8 => "LOWEFFTIME",
        9 => "BADFIBER",
        10 => "BADTRACE",
        11 => "BADFLAT",
        12 => "BADARC",
        13 => "MANYBADCOL",
        14 => "MANYREJECTED",
        16 => "BADAMPB",
        17 => "BADAMPR",
        18 => "BADAMPZ",
        24 => "BADPETALPOS",
        25 => "BADPETALSTDSTAR",
        26 => "BADPETALSKY",
        27 => "BADPETALFLUXCAL",
        28 => "BADREADNOISE",
        _ => "unnamed",
    }
}

fn bit_names(v: i64, name: impl Fn(u32) -> &'static str) -> String {
    (0..63)
        .filter(|b| v & (1i64 << b) != 0)
        .map(|b| name(b as u32))
        .collect::<Vec<_>>()
        .join("|")
}

/// Why a target is not kept (before rebinning), or `None`.
fn rejection(z: &Redshift, opts: &IngestOptions) -> Option<String> {
    if !z.z.is_finite() || z.z <= -0.01 {
        return Some(format!("unusable redshift z = {}", z.z));
    }
    if z.zwarn != 0 {
        let names = bit_names(z.zwarn, |b| {
            ZWARN_NAMES.get(b as usize).copied().unwrap_or("unnamed")
        });
        return Some(format!("redshift failed (ZWARN={}: {names})", z.zwarn));
    }
    if z.deltachi2 < opts.min_deltachi2 {
        return Some(format!(
            "uncertain redshift (DELTACHI2 = {:.1} < {}; --min-deltachi2 sets the cut)",
            z.deltachi2, opts.min_deltachi2
        ));
    }
    None
}

/// Why a fibre carries no target spectrum, or `None`.
fn fibre_rejection(t: &DesiTarget) -> Option<String> {
    match t.objtype.to_ascii_uppercase().as_str() {
        "SKY" => return Some("sky fibre (OBJTYPE=SKY)".into()),
        "BAD" => return Some("bad fibre (OBJTYPE=BAD)".into()),
        _ => {}
    }
    if t.fiberstatus != 0 {
        return Some(format!(
            "bad fibre status (COADD_FIBERSTATUS={}: {})",
            t.fiberstatus,
            bit_names(t.fiberstatus, fiberstatus_name)
        ));
    }
    None
}

/// The astroML class code of a DESI spectrum: QSO → 6 (broad-line AGN), STAR → 1, galaxies by
/// their measured lines.
fn class_of(
    spectype: &str,
    grid: &Bins,
    flux: &[f32],
    err: &[f32],
    mask: &[bool],
) -> (i64, f64, f64) {
    match spectype.trim().to_ascii_uppercase().as_str() {
        "QSO" => (6, f64::NAN, f64::NAN),
        "STAR" => (1, f64::NAN, f64::NAN),
        _ => {
            let m = measure(grid, flux, err, mask);
            (m.lineindex, m.log_nii_ha, m.log_oiii_hb)
        }
    }
}

/// Processes the coadd in `bytes`: an outcome per target (or one for the whole file when it
/// cannot be used), and a row per kept target.
pub fn process_coadd(
    path: &Path,
    bytes: Vec<u8>,
    catalogue: Option<&Redshifts>,
    grid: &Bins,
    opts: &IngestOptions,
) -> Processed {
    let coadd = match read_desi_coadd_bytes(bytes, path) {
        Ok(c) => c,
        Err(error) => return vec![(FileOutcome::Failed { error }, None)],
    };
    let beside = redrock_beside(path);
    let redrock = match &beside {
        Some(p) => match read_redshifts(p) {
            Ok(r) => Some(r),
            Err(error) => {
                if catalogue.is_none() {
                    return vec![(FileOutcome::Failed { error }, None)];
                }
                None
            }
        },
        None => None,
    };
    if catalogue.is_none() && redrock.is_none() {
        let name = file_name(path);
        let rest = name
            .strip_prefix("coadd-")
            .or_else(|| name.strip_prefix("spectra-"))
            .unwrap_or(&name);
        return vec![(
            FileOutcome::Rejected {
                path: path.to_path_buf(),
                target: None,
                reason: format!(
                    "no redshifts for its {} targets: no redrock-{rest} (or zbest-{rest}) \
                     beside it and no catalogue named; name one with --redshifts FILE (a DESI \
                     zpix/zall catalogue, or a CSV or FITS table with TARGETID and Z), or put \
                     the redrock file beside the coadd",
                    coadd.targets.len()
                ),
            },
            None,
        )];
    }
    targets_of(&coadd, catalogue, redrock.as_ref(), grid, opts)
}

/// The targets of a coadd already read, with redshifts from `catalogue` (and a redrock file's
/// where the catalogue lacks a target): an outcome per target, a row per kept one.
pub fn targets_of(
    coadd: &DesiCoadd,
    catalogue: Option<&Redshifts>,
    redrock: Option<&Redshifts>,
    grid: &Bins,
    opts: &IngestOptions,
) -> Processed {
    let path = &coadd.path;
    let release = desi_release(&coadd.survey, &coadd.program);
    let rejected = |t: &DesiTarget, reason: String| {
        (
            FileOutcome::Rejected {
                path: path.clone(),
                target: Some(t.targetid),
                reason,
            },
            None,
        )
    };
    coadd
        .targets
        .iter()
        .map(|t| {
            if let Some(reason) = fibre_rejection(t) {
                return rejected(t, reason);
            }
            let z = catalogue
                .and_then(|c| c.get(t.targetid, &coadd.survey, &coadd.program))
                .or_else(|| redrock.and_then(|r| r.get(t.targetid, &coadd.survey, &coadd.program)));
            let Some(z) = z else {
                let sources: Vec<String> = catalogue
                    .iter()
                    .chain(redrock.iter())
                    .map(|r| file_name(&r.path))
                    .collect();
                return rejected(t, format!("no redshift in {}", sources.join(" or ")));
            };
            if let Some(reason) = rejection(z, opts) {
                return rejected(t, reason);
            }
            let bad: Vec<bool> = match opts.mask {
                super::rebin::PixelMask::Pipeline => t.bad.clone(),
                super::rebin::PixelMask::Ivar => {
                    t.ivar.iter().map(|&v| v.is_nan() || v <= 0.0).collect()
                }
            };
            let r = rebin_rest_frame(&coadd.loglam, &t.flux, &t.ivar, &bad, z.z, &grid.grid);
            if r.coverage < opts.min_coverage {
                return rejected(
                    t,
                    format!(
                        "covers {:.0}% of the rest-frame grid ({:.0}–{:.0} Å) at z = {:.3} \
                         (< {:.0}%)",
                        100.0 * r.coverage,
                        grid.grid.span().0,
                        grid.grid.span().1,
                        z.z,
                        100.0 * opts.min_coverage
                    ),
                );
            }
            let (lineindex, x, y) = class_of(&z.spectype, grid, &r.flux, &r.err, &r.mask);
            (
                FileOutcome::Kept {
                    path: path.clone(),
                    target: Some(t.targetid),
                    z: z.z,
                    class: z.spectype.clone(),
                    lineindex,
                    coverage: r.coverage,
                },
                Some(Row {
                    flux: r.flux,
                    err: r.err,
                    mask: r.mask,
                    z: z.z,
                    zerr: z.zerr,
                    plate: -1,
                    mjd: -1,
                    fiber: -1,
                    targetid: t.targetid,
                    release,
                    rank: (t.numexp, t.tsnr2),
                    lineindex,
                    log_nii_ha: x,
                    log_oiii_hb: y,
                }),
            )
        })
        .collect()
}
