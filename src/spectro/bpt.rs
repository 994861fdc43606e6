//! The BPT diagram's dividing lines ([N II]/Hα against [O III]/Hβ) and astroML's AGN test.

/// Kauffmann et al. (2003) star-forming / composite boundary.
pub fn kauffmann03(log_nii_ha: f64) -> f64 {
    0.61 / (log_nii_ha - 0.05) + 1.3
}

/// Kewley et al. (2001) maximum-starburst line, as astroML's `log_OIII_Hb_NII`.
pub fn kewley01(log_nii_ha: f64) -> f64 {
    0.61 / (log_nii_ha - 0.47) + 1.19
}

/// astroML's test: above the Kewley line (or right of its asymptote) is an AGN.
pub fn is_agn_bpt(log_nii_ha: f64, log_oiii_hb: f64) -> bool {
    log_nii_ha >= 0.47 || log_oiii_hb >= kewley01(log_nii_ha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agn_lie_above_the_kewley_line() {
        assert!(is_agn_bpt(0.0, 0.8) && !is_agn_bpt(-0.8, 0.0));
        assert!(is_agn_bpt(0.5, -1.0));
        assert!(kauffmann03(-0.5) < kewley01(-0.5));
    }
}
