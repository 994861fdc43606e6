//! Building a galaxy's noiseless rest-frame spectrum from its parameters: the star-formation
//! history summed over simple stellar populations, Charlot & Fall dust, velocity broadening,
//! nebular lines from the young stars, then the AGN's lines and continuum.

use super::physics::{attenuation, cf00_shape};
use super::population::{Galaxy, NarrowLines};
use super::ssp::{Ssp, line};
use super::templates::{Templates, star};
use crate::spectro::bins::Bins;
use crate::spectro::lines::{SIGMA_INSTRUMENT, lam, sigma_angstrom};

/// Case-B Balmer ratios relative to Hβ (Osterbrock & Ferland 2006, 10⁴ K).
const HA_HB: f64 = 2.86;
const HG_HB: f64 = 0.468;
const HD_HB: f64 = 0.259;
const HE_HB: f64 = 0.159;

/// Stars younger than this sit in their birth clouds (Charlot & Fall 2000).
const BIRTH_CLOUD_YR: f64 = 1e7;
/// Light from stars younger than this counts as young (`truth_young_frac`).
const YOUNG_YR: f64 = 1e9;

/// Precomputed per-grid quantities shared by all spectra.
pub struct Builder {
    pub grid: Bins,
    pub templates: Templates,
    ssp: &'static Ssp,
    /// τ(λ)/τ_V on the fine grid and at each nebular line.
    dust_fine: Vec<f64>,
    dust_lines: Vec<f64>,
    bin_5500: std::ops::Range<usize>,
    fine_5500: usize,
}

/// A built spectrum and what it was built with.
pub struct Built {
    pub flux: Vec<f64>,
    /// Fraction of the stellar light at 5500 Å from stars younger than 1 Gyr.
    pub young_frac: f64,
    /// log [NII]/Hα and [OIII]/Hβ of all narrow lines together, as emitted (after dust).
    pub log_nii_ha: f64,
    pub log_oiii_hb: f64,
}

fn mean_over(s: &[f64], r: std::ops::Range<usize>) -> f64 {
    let n = r.len().max(1) as f64;
    r.map(|k| s[k]).sum::<f64>() / n
}

impl Builder {
    /// `grid` must be the survey's standard grid, which the tables are made for.
    pub fn new(grid: Bins, ssp: &'static Ssp) -> Self {
        let templates = Templates::new(&grid);
        let bin_5500 = grid.bins_near(5500.0, 30.0);
        let fine_5500 = ssp.fine_lam.partition_point(|&l| l < 5500.0);
        Self {
            dust_fine: ssp.fine_lam.iter().map(|&l| cf00_shape(l)).collect(),
            dust_lines: ssp.neb_wav.iter().map(|&l| cf00_shape(l)).collect(),
            grid,
            templates,
            ssp,
            bin_5500,
            fine_5500,
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

    /// The stellar spectrum on the fine grid (attenuated, not broadened), the nebular line
    /// luminosities of its young stars (attenuated), and the young fraction of its light.
    fn stars(&self, g: &Galaxy) -> (Vec<f64>, Vec<f64>, f64) {
        let ssp = self.ssp;
        let st = &g.stars;
        let masses = st.sfh.masses(&ssp.age_lo, &ssp.age_hi);
        let nf = ssp.n_fine();
        let mut born = vec![0.0; nf];
        let mut older = vec![0.0; nf];
        let mut lines = vec![0.0; line::COUNT];
        let (mut young_light, mut light) = (0.0, 0.0);
        for (a, &m) in masses.iter().enumerate() {
            if m <= 0.0 {
                continue;
            }
            let age = ssp.age[a];
            let log_z = st.log_zmet - st.zmet_gradient * age / 1e10;
            let (z0, z1, t) = ssp.z_bracket(log_z);
            let (w0, w1) = (m * (1.0 - t), m * t);
            let (r0, r1) = (
                ssp.flux.slice(ndarray::s![z0, a, ..]),
                ssp.flux.slice(ndarray::s![z1, a, ..]),
            );
            let out = if age <= BIRTH_CLOUD_YR * 1.001 {
                &mut born
            } else {
                &mut older
            };
            for ((o, &f0), &f1) in out.iter_mut().zip(r0.iter()).zip(r1.iter()) {
                *o += w0 * f0 as f64 + w1 * f1 as f64;
            }
            let at_5500 = w0 * r0[self.fine_5500] as f64 + w1 * r1[self.fine_5500] as f64;
            light += at_5500;
            if age < YOUNG_YR {
                young_light += at_5500;
            }
            ssp.add_lines(a, log_z, st.log_u, m, &mut lines);
        }
        let (tau_bc, tau_ism) = (st.tau_v, st.mu * st.tau_v);
        let mut spec: Vec<f64> = (0..nf)
            .map(|j| {
                let d = self.dust_fine[j];
                born[j] * (-tau_bc * d).exp() + older[j] * (-tau_ism * d).exp()
            })
            .collect();
        super::alpha::enhance(&ssp.fine_lam, &mut spec, st.alpha_fe);
        for (l, v) in lines.iter_mut().enumerate() {
            *v *= (-tau_bc * self.dust_lines[l]).exp();
        }
        let young = if light > 0.0 {
            young_light / light
        } else {
            0.0
        };
        (spec, lines, young)
    }

    /// Noiseless rest-frame flux density (1e-17 erg s⁻¹ cm⁻² Å⁻¹) of `g`.
    pub fn build(&self, g: &Galaxy) -> Built {
        let n = self.grid.len();
        if let Some(t) = g.star_temp {
            let mut s = star(&self.grid, t);
            s.iter_mut().for_each(|v| *v *= g.flux5500);
            return Built {
                flux: s,
                young_frac: 0.0,
                log_nii_ha: f64::NAN,
                log_oiii_hb: f64::NAN,
            };
        }
        let (fine, nebular, young_frac) = self.stars(g);
        let mut s = self.ssp.broaden_and_bin(&fine, g.vdisp, self.grid.len());
        let c = mean_over(&s, self.bin_5500.clone());
        let mut scale = if c > 0.0 { 1.0 / c } else { 0.0 };
        s.iter_mut().for_each(|v| *v *= scale);
        if let Some(b) = &g.broad {
            let (pl, fe) = (&self.templates.power_law, &self.templates.fe_ii);
            for k in 0..n {
                s[k] = (1.0 - b.f_agn) * s[k] + b.f_agn * (pl[k] + b.fe_ii * fe[k]);
            }
            scale *= 1.0 - b.f_agn;
        }
        s.iter_mut().for_each(|v| *v *= g.flux5500);
        scale *= g.flux5500;

        let sigma_gas = g.stars.sigma_gas;
        let sig = |c: f64, v: f64| sigma_angstrom(c, (v * v + SIGMA_INSTRUMENT.powi(2)).sqrt());
        // Lines of star formation: luminosities per unit mass, scaled as the continuum was.
        let (mut ha, mut hb, mut nii, mut oiii) = (0.0, 0.0, 0.0, 0.0);
        for (l, &lum) in nebular.iter().enumerate() {
            let f = lum * scale;
            let c = self.ssp.neb_wav[l];
            self.grid.add_line(&mut s, c, sig(c, sigma_gas), f);
            match l {
                line::H_ALPHA => ha += f,
                line::H_BETA => hb += f,
                line::NII_6584 => nii += f,
                line::OIII_5007 => oiii += f,
                _ => {}
            }
        }
        if let Some(l) = &g.agn {
            let cont_ha = self.side_band_level(&s, lam::H_ALPHA, 40.0, 90.0);
            let ebv = g.stars.mu * g.stars.tau_v * 1.086 / 4.05;
            let f = self.agn_lines(&mut s, l, cont_ha, ebv, l.sigma);
            ha += f[0];
            hb += f[1];
            nii += f[2];
            oiii += f[3];
        }
        if let Some(b) = &g.broad {
            // Against the nucleus's continuum, or (type 1.9, no nuclear continuum) the host's.
            let cont_ha = if b.f_agn > 0.0 {
                b.f_agn
                    * g.flux5500
                    * self.templates.power_law
                        [self.grid.bins_near(lam::H_ALPHA, 0.1).start.min(n - 1)]
            } else {
                self.side_band_level(&s, lam::H_ALPHA, 40.0, 90.0)
            };
            let ha = b.ha_ew * cont_ha;
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
        let ratio = |a: f64, b: f64| {
            if a > 0.0 && b > 0.0 {
                (a / b).log10()
            } else {
                f64::NAN
            }
        };
        Built {
            flux: s,
            young_frac,
            log_nii_ha: ratio(nii, ha),
            log_oiii_hb: ratio(oiii, hb),
        }
    }

    /// Adds an AGN/LINER narrow-line component of Hα equivalent width `l.ha_ew` against
    /// continuum `cont_ha`, behind dust `ebv`; returns the emitted Hα, Hβ, [NII], [OIII].
    fn agn_lines(
        &self,
        s: &mut [f64],
        l: &NarrowLines,
        cont_ha: f64,
        ebv: f64,
        sigma_gas: f64,
    ) -> [f64; 4] {
        let sig = |c: f64| sigma_angstrom(c, (sigma_gas.powi(2) + SIGMA_INSTRUMENT.powi(2)).sqrt());
        // Intrinsic (dust-free) Hα and Hβ; every line is then attenuated at its wavelength.
        let ha_int = l.ha_ew * cont_ha / attenuation(lam::H_ALPHA, ebv);
        let hb_int = ha_int / HA_HB;
        let p10 = |x: f64| 10f64.powf(x);
        let lines = [
            (lam::H_ALPHA, ha_int),
            (lam::H_BETA, hb_int),
            (lam::NII_B, ha_int * p10(l.log_nii_ha)),
            (lam::OIII_B, hb_int * p10(l.log_oiii_hb)),
            (lam::NII_A, ha_int * p10(l.log_nii_ha) / 2.95),
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
        let mut emitted = [0.0; 4];
        for (i, (c, f)) in lines.into_iter().enumerate() {
            let f = f * attenuation(c, ebv);
            self.grid.add_line(s, c, sig(c), f);
            if i < 4 {
                emitted[i] = f;
            }
        }
        emitted
    }
}
