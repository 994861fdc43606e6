//! `specae fidelity --lines`: each judged spectrum's diagnostic line ratios beside its
//! reconstruction's, measured alike ([`line_ratios`]), so a user sees which lines the model
//! misses — on real SDSS galaxies the shipped model's [S II] was the one (0295: −0.39 measured,
//! −0.11 reconstructed).

use ndarray::ArrayView2;
use specae::data::Spectra;
use specae::spectro::bins::Bins;
use specae::spectro::ratios::{LineRatios, line_ratios, ratio_text};

/// The line ratios of spectrum `rows[i]` of `sp` and of its reconstruction `xhat` row `i`,
/// for each `i`.
pub fn ratios_of(
    sp: &Spectra,
    rows: &[u32],
    xhat: ArrayView2<f32>,
) -> Vec<(LineRatios, LineRatios)> {
    let grid = Bins::new(sp.grid());
    rows.iter()
        .enumerate()
        .map(|(i, &r)| {
            let r = r as usize;
            let ivar: Vec<f64> = sp.w.row(r).iter().map(|&w| f64::from(w)).collect();
            let of = |x: ndarray::ArrayView1<f32>| line_ratios(&grid, &x.to_vec(), &ivar);
            (of(sp.x.row(r)), of(xhat.row(i)))
        })
        .collect()
}

/// The table: one row a spectrum, "data (model)" in each column, "—" where a line is not
/// detected.
pub fn print_ratios(names: &[String], ratios: &[(LineRatios, LineRatios)], name_width: usize) {
    let w = name_width.max(24);
    print!("{:<w$}", "log ratio: data (model)");
    for h in LineRatios::NAMES {
        print!(" {h:>15}");
    }
    println!();
    for (name, (data, model)) in names.iter().zip(ratios) {
        print!("{name:<w$}");
        for (d, m) in data.values().into_iter().zip(model.values()) {
            print!(" {:>15}", format!("{} ({})", ratio_text(d), ratio_text(m)));
        }
        println!();
    }
    println!(
        "line ratios: Gaussian fits on a local linear continuum (the Balmer lines with the stars' \
         absorption under them), the same on the spectrum and on its reconstruction; — where a \
         line is below 2σ"
    );
}
