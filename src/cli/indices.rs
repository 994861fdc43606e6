//! `specae indices`: Dn4000, Hδ_A, Mg b and Fe5270 of a survey's spectra by class (the
//! stellar-population diagnostics of Kauffmann et al. 2003), with an optional figure and
//! reference spectra (e.g. real SDSS galaxies) measured the same way.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use specae::analysis::indices::{IndexMeter, Indices};
use specae::data::{GalaxyClass, Spectra};
use specae::figures::indices::IndicesFigure;
use specae::figures::{Format, render};
use specae::util::atomic::write_bytes_atomically;
use specae::util::stats::quantiles;

#[derive(Debug, Args)]
pub struct IndicesArgs {
    /// Survey file [default: the built-in survey].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Spectra to mark on the figure and list (e.g. a survey ingested from SDSS FITS files).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// Write the figure here (.png, .svg or .pdf).
    #[arg(long)]
    pub figure: Option<PathBuf>,
    /// Only spectra with median S/N at least this (indices of noisy spectra scatter widely).
    #[arg(long, default_value_t = 10.0)]
    pub min_snr: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn measure(sp: &Spectra, min_snr: f64) -> Vec<(usize, Indices)> {
    let meter = IndexMeter::for_spectra(sp);
    let snr = sp.median_snr();
    (0..sp.n_spectra())
        .filter(|&i| f64::from(snr[i]) >= min_snr)
        .map(|i| (i, meter.measure_row(sp, i)))
        .collect()
}

/// A synthetic survey's [α/Fe] against velocity dispersion (its generator's truth, for
/// early types: those with [α/Fe] ≠ 0), in bins of σ.
fn alpha_vs_sigma(sp: &Spectra) {
    let Some(t) = &sp.truth else { return };
    let Some(alpha) = &t.alpha_fe else { return };
    let pairs: Vec<(f64, f64)> = t
        .vdisp
        .iter()
        .zip(alpha.iter())
        .filter(|(_, a)| **a != 0.0)
        .map(|(&s, &a)| (f64::from(s), f64::from(a)))
        .collect();
    if pairs.is_empty() {
        return;
    }
    println!("[α/Fe] of the early types (generator's truth) by velocity dispersion:");
    println!("{:>14} {:>6} {:>20}", "σ (km/s)", "n", "[α/Fe] 10/50/90%");
    for (lo, hi) in [
        (0.0, 100.0),
        (100.0, 150.0),
        (150.0, 200.0),
        (200.0, 250.0),
        (250.0, 400.0),
    ] {
        let sel: Vec<f64> = pairs
            .iter()
            .filter(|(s, _)| (lo..hi).contains(s))
            .map(|p| p.1)
            .collect();
        if let Some([a, b, c]) = quantiles(sel.iter().copied()) {
            println!(
                "{:>6.0}–{:<7.0} {:>6} {a:>6.2} {b:>6.2} {c:>6.2}",
                lo,
                hi,
                sel.len()
            );
        }
    }
}

pub fn run(a: IndicesArgs) -> anyhow::Result<()> {
    let path = super::resolve_data(a.data.clone())?;
    let sp = Spectra::load(&path)?;
    let got = measure(&sp, a.min_snr);
    let reference = match &a.reference {
        Some(p) => {
            let r = Spectra::load(p)?;
            let name = |i: usize| r.meta.name(i).unwrap_or_else(|| format!("#{i}"));
            measure(&r, 0.0)
                .into_iter()
                .map(|(i, x)| (format!("{} ({})", name(i), r.classes[i].label()), x))
                .collect()
        }
        None => vec![],
    };
    type Get = fn(&Indices) -> f64;
    let cols: [(&str, Get); 4] = [
        ("Dn4000", |i| i.dn4000),
        ("HdA", |i| i.hdelta_a),
        ("Mgb", |i| i.mg_b),
        ("Fe5270", |i| i.fe5270),
    ];
    let mut rows = vec![];
    for c in GalaxyClass::ALL {
        let sel: Vec<&Indices> = got
            .iter()
            .filter(|(i, _)| sp.classes[*i] == c)
            .map(|(_, x)| x)
            .collect();
        if sel.is_empty() {
            continue;
        }
        let q: Vec<Option<[f64; 3]>> = cols
            .iter()
            .map(|(_, f)| quantiles(sel.iter().map(|x| f(x))))
            .collect();
        rows.push((c, sel.len(), q));
    }
    if a.json {
        let v: Vec<_> = rows
            .iter()
            .map(|(c, n, q)| {
                let mut o = serde_json::json!({"class": c.label(), "n": n});
                for ((name, _), q) in cols.iter().zip(q) {
                    o[*name] = serde_json::json!(q);
                }
                o
            })
            .collect();
        let r: Vec<_> = reference
            .iter()
            .map(|(n, x)| serde_json::json!({"spectrum": n, "indices": x}))
            .collect();
        println!("{}", serde_json::json!({"classes": v, "reference": r}));
    } else {
        println!(
            "spectral indices of {} (S/N ≥ {}): 10th / 50th / 90th percentiles",
            path.display(),
            a.min_snr
        );
        print!("{:<16} {:>6}", "class", "n");
        for (name, _) in &cols {
            print!(" {name:>20}");
        }
        println!();
        for (c, n, q) in &rows {
            print!("{:<16} {n:>6}", c.label());
            for q in q {
                match q {
                    Some([a, b, c]) => print!(" {:>6.2} {:>6.2} {:>6.2}", a, b, c),
                    None => print!(" {:>20}", "-"),
                }
            }
            println!();
        }
        for (n, x) in &reference {
            println!(
                "{n:<40} Dn4000 {:.2}  HdA {:.2}  Mgb {:.2}  Fe5270 {:.2}",
                x.dn4000, x.hdelta_a, x.mg_b, x.fe5270
            );
        }
        alpha_vs_sigma(&sp);
    }
    if let Some(out) = &a.figure {
        let format: Format = out
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("png")
            .parse()?;
        let fig = IndicesFigure {
            indices: got.iter().map(|(_, x)| *x).collect(),
            classes: got.iter().map(|(i, _)| sp.classes[*i]).collect(),
            marked: reference,
            survey: path.display().to_string(),
        };
        let bytes = render(&fig, format)?;
        write_bytes_atomically(out, &bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
