//! Building a galaxy's noiseless rest-frame spectrum from its parameters.

use super::physics::{Grid, attenuation, calzetti_k, lam, sigma_angstrom};
use super::population::Galaxy;
use super::templates::{SIGMA_INSTRUMENT, Templates, star};

/// Case-B Balmer ratios relative to Hβ (Osterbrock & Ferland 2006, 10⁴ K).
const HA_HB: f64 = 2.86;
const HG_HB: f64 = 0.468;
const HD_HB: f64 = 0.259;
const HE_HB: f64 = 0.159;

/// Precomputed per-grid quantities shared by all spectra.
pub struct Builder {
    pub grid: Grid,
    pub templates: Templates,
    /// Calzetti k(λ) per bin.
    k_dust: Vec<f64>,
    bin_5500: std::ops::Range<usize>,
}

fn mean_over(s: &[f64], r: std::ops::Range<usize>) -> f64 {
    let n = r.len().max(1) as f64;
    r.map(|k| s[k]).sum::<f64>() / n
}

impl Builder {
    pub fn new(grid: Grid) -> Self {
        let templates = Templates::new(&grid);
        let k_dust = grid.lam.iter().map(|&l| calzetti_k(l)).collect();
        let bin_5500 = grid.bins_near(5500.0, 30.0);
        Self {
            grid,
            templates,
            k_dust,
            bin_5500,
        }
    }

    /// The continuum level near `centre`, from side bands `inner..outer` Å away on each side.
    fn side_band_level(&self, s: &[f64], centre: f64, inner: f64, outer: f64) -> f64 {
        let mut acc = 0.0;
        let mut n = 0.0;
        for (k, &l) in self.grid.lam.iter().enumerate() {
            let d = (l - centre).abs();
            if d > inner && d < outer {
                acc += s[k];
                n += 1.0;
            }
        }
        if n > 0.0 { acc / n } else { 0.0 }
    }

    /// Noiseless rest-frame flux density (1e-17 erg s⁻¹ cm⁻² Å⁻¹) of `g`.
    pub fn build(&self, g: &Galaxy) -> Vec<f64> {
        let n = self.grid.len();
        if let Some(t) = g.star_temp {
            let mut s = star(&self.grid, t);
            s.iter_mut().for_each(|v| *v *= g.flux5500);
            return s;
        }
        let mut s = vec![0.0; n];
        self.templates.old_at(g.vdisp, &mut s);
        let (a, ob) = (&self.templates.young_a, &self.templates.young_ob);
        let ebv_star = 0.44 * g.ebv;
        for k in 0..n {
            let young = (1.0 - g.ob_frac) * a[k] + g.ob_frac * ob[k];
            s[k] = (1.0 - g.young_frac) * s[k] + g.young_frac * young;
            s[k] *= 10f64.powf(-0.4 * ebv_star * self.k_dust[k]);
        }
        let c = mean_over(&s, self.bin_5500.clone());
        s.iter_mut().for_each(|v| *v /= c);
        if let Some(b) = &g.broad {
            let (pl, fe) = (&self.templates.power_law, &self.templates.fe_ii);
            for k in 0..n {
                s[k] = (1.0 - b.f_agn) * s[k] + b.f_agn * (pl[k] + b.fe_ii * fe[k]);
            }
        }
        s.iter_mut().for_each(|v| *v *= g.flux5500);

        if let Some(l) = &g.lines {
            let cont_ha = self.side_band_level(&s, lam::H_ALPHA, 40.0, 90.0);
            let sig = |c: f64| {
                sigma_angstrom(
                    c,
                    (l.sigma_gas * l.sigma_gas + SIGMA_INSTRUMENT * SIGMA_INSTRUMENT).sqrt(),
                )
            };
            // Intrinsic (dust-free) Hα and Hβ; every line is then attenuated at its wavelength.
            let ha_int = l.ha_ew * cont_ha / attenuation(lam::H_ALPHA, g.ebv);
            let hb_int = ha_int / HA_HB;
            let p10 = |x: f64| 10f64.powf(x);
            let lines = [
                (lam::H_ALPHA, ha_int),
                (lam::NII_B, ha_int * p10(l.log_nii_ha)),
                (lam::NII_A, ha_int * p10(l.log_nii_ha) / 2.95),
                (lam::H_BETA, hb_int),
                (lam::OIII_B, hb_int * p10(l.log_oiii_hb)),
                (lam::OIII_A, hb_int * p10(l.log_oiii_hb) / 2.98),
                (lam::H_GAMMA, hb_int * HG_HB),
                (lam::H_DELTA, hb_int * HD_HB),
                (lam::H_EPS, hb_int * HE_HB),
                (lam::OII_A, hb_int * p10(l.log_oii_hb) * 0.45),
                (lam::OII_B, hb_int * p10(l.log_oii_hb) * 0.55),
                (lam::NEIII, hb_int * p10(l.log_neiii_hb)),
                (lam::HEI, hb_int * 0.11),
                (lam::OI_A, ha_int * p10(l.log_oi_ha)),
                (lam::OI_B, ha_int * p10(l.log_oi_ha) / 3.0),
                (lam::SII_A, ha_int * p10(l.log_sii_ha) * 0.57),
                (lam::SII_B, ha_int * p10(l.log_sii_ha) * 0.43),
            ];
            for (c, f) in lines {
                self.grid
                    .add_line(&mut s, c, sig(c), f * attenuation(c, g.ebv));
            }
        }
        if let Some(b) = &g.broad {
            let pl_ha = b.f_agn
                * g.flux5500
                * self.templates.power_law[self.grid.bins_near(lam::H_ALPHA, 0.1).start.min(n - 1)];
            let ha = b.ha_ew * pl_ha;
            let hb = ha / b.decrement;
            let sigma_v = b.fwhm / 2.3548;
            for (c, f) in [
                (lam::H_ALPHA, ha),
                (lam::H_BETA, hb),
                (lam::H_GAMMA, hb * 0.47),
                (lam::H_DELTA, hb * 0.26),
            ] {
                self.grid.add_line(&mut s, c, sigma_angstrom(c, sigma_v), f);
            }
        }
        s
    }
}
