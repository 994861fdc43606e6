//! Figures render at the requested size with real content; SVG and PDF parse; bad input.

use ndarray::Array2;
use specae::analysis::residuals::ResidualHistograms;
use specae::data::GalaxyClass;
use specae::figures::corner::CornerFigure;
use specae::figures::render::parse_svg;
use specae::figures::residuals::ResidualFigure;
use specae::figures::spectrum::SpectrumFigure;
use specae::figures::training::TrainingCurves;
use specae::figures::umap::{Colouring, UmapFigure};
use specae::figures::{Figure, Format, render};
use specae::train::EpochRecord;

/// Decoded PNG: (width, height, RGB bytes).
fn png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Fraction of non-white pixels in the box [x0, x1) × [y0, y1) given as fractions of the image.
fn ink(img: &(u32, u32, Vec<u8>), x0: f64, x1: f64, y0: f64, y1: f64) -> f64 {
    let (w, h, px) = img;
    let (a, b) = ((x0 * *w as f64) as u32, (x1 * *w as f64) as u32);
    let (c, d) = ((y0 * *h as f64) as u32, (y1 * *h as f64) as u32);
    let mut n = 0;
    let mut inked = 0;
    for y in c..d {
        for x in a..b {
            let i = ((y * w + x) * 3) as usize;
            n += 1;
            if px[i] < 245 || px[i + 1] < 245 || px[i + 2] < 245 {
                inked += 1;
            }
        }
    }
    inked as f64 / n.max(1) as f64
}

/// Fraction of the box's pixels in a colour near `rgb` (within 40 per channel): the ink of one
/// series, which axes, grid lines and text (greys) never match.
fn ink_of(img: &(u32, u32, Vec<u8>), rgb: [u8; 3], x0: f64, x1: f64, y0: f64, y1: f64) -> f64 {
    let (w, h, px) = img;
    let (a, b) = ((x0 * *w as f64) as u32, (x1 * *w as f64) as u32);
    let (c, d) = ((y0 * *h as f64) as u32, (y1 * *h as f64) as u32);
    let (mut n, mut hit) = (0, 0);
    for y in c..d {
        for x in a..b {
            let i = ((y * w + x) * 3) as usize;
            n += 1;
            if (0..3).all(|k| (px[i + k] as i32 - rgb[k] as i32).abs() <= 40) {
                hit += 1;
            }
        }
    }
    hit as f64 / n.max(1) as f64
}

fn check_all_formats<F: Figure>(fig: &F) -> (u32, u32, Vec<u8>) {
    let (w, h) = fig.size_in();
    let bytes = render(fig, Format::Png { dpi: 100 }).unwrap();
    if let Ok(dir) = std::env::var("SPECAE_FIGURE_DUMP") {
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{}.png", fig.name())),
            &bytes,
        )
        .unwrap();
    }
    let img = png(&bytes);
    assert_eq!(
        (img.0, img.1),
        ((w * 100.0).round() as u32, (h * 100.0).round() as u32)
    );
    let svg = String::from_utf8(render(fig, Format::Svg).unwrap()).unwrap();
    assert!(
        svg.contains(&format!("width=\"{}pt\"", (w * 72.0).round())),
        "SVG sized in points"
    );
    assert!(svg.contains("<text"), "SVG keeps text as text");
    parse_svg(&svg).unwrap();
    let pdf = render(fig, Format::Pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(64)..]).into_owned();
    assert!(
        tail.contains("%%EOF") && tail.contains("startxref"),
        "{tail}"
    );
    img
}

fn blobs() -> (Array2<f32>, Vec<GalaxyClass>) {
    let n = 4000;
    let mut e = Array2::zeros((n, 6));
    let mut classes = vec![];
    for i in 0..n {
        let c = i % 2;
        let t = (i as f32 * 0.618).fract();
        let u = (i as f32 * 0.377).fract();
        for j in 0..6 {
            e[[i, j]] = if c == 0 { -3.0 } else { 3.0 }
                + 2.0 * (t - 0.5) * (j as f32 + 1.0) / 3.0
                + (u - 0.5);
        }
        classes.push(if c == 0 {
            GalaxyClass::Quiescent
        } else {
            GalaxyClass::EmissionLine
        });
    }
    (e, classes)
}

#[test]
fn umap_figure_by_class_and_with_colour_bar() {
    let (e, classes) = blobs();
    let emb = e.slice(ndarray::s![.., 0..2]).to_owned();
    let fig = UmapFigure {
        embedding: emb.clone(),
        colouring: Colouring::Class(classes),
        bins: 120,
    };
    let img = check_all_formats(&fig);
    // Cells fill the two blobs (lower left and upper right of the plot area); the middle is
    // empty.
    assert!(ink(&img, 0.08, 0.32, 0.6, 0.92) > 0.05, "lower-left blob");
    assert!(ink(&img, 0.75, 0.97, 0.03, 0.3) > 0.05, "upper-right blob");
    assert!(ink(&img, 0.4, 0.6, 0.35, 0.6) < 0.01, "empty middle");
    let n = emb.nrows();
    let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let fig = UmapFigure {
        embedding: emb,
        colouring: Colouring::Numeric {
            label: "z".into(),
            values,
        },
        bins: 120,
    };
    let img = check_all_formats(&fig);
    // The colour bar: a saturated column at the right edge.
    assert!(ink(&img, 0.86, 0.89, 0.2, 0.8) > 0.9, "colour bar present");
    assert!(fig.name() == "umap_z");
}

#[test]
fn corner_training_spectrum_and_residual_figures_have_content() {
    let (e, classes) = blobs();
    let img = check_all_formats(&CornerFigure {
        latents: e,
        classes,
        bins: 30,
    });
    // Lower-left panel (z5 vs z0) has density; the upper-right triangle beyond the legend is empty.
    assert!(ink(&img, 0.03, 0.16, 0.85, 0.98) > 0.03);
    assert!(ink(&img, 0.7, 0.98, 0.3, 0.45) < 0.01);

    let history: Vec<EpochRecord> = (1..=30)
        .map(|e| EpochRecord {
            epoch: e,
            train_loss: 3000.0 / e as f64,
            valid_loss: 3200.0 / e as f64 + 50.0,
            lr: if e > 20 { 1e-4 } else { 1e-3 },
            seconds: 1.0,
            samples_per_s: 1000.0,
            lr_dropped: e == 20,
            best: e == 28,
            valid_recon: None,
        })
        .collect();
    let img = check_all_formats(&TrainingCurves {
        history,
        stopped_early: true,
    });
    // Both curves are drawn (in their own colours: axes and text alone do not pass), and
    // they fall: their ink is in the upper left early and in the lower right late.
    for (name, rgb) in [("train", [0, 114, 178]), ("validation", [213, 94, 0])] {
        let all = ink_of(&img, rgb, 0.05, 0.98, 0.02, 0.95);
        assert!(all > 0.002, "{name} curve: {all}");
        let early = ink_of(&img, rgb, 0.05, 0.3, 0.02, 0.5);
        let late_top = ink_of(&img, rgb, 0.7, 0.98, 0.02, 0.3);
        assert!(
            early > late_top,
            "{name}: {early} early vs {late_top} late at the top"
        );
    }

    let d = 1000;
    let lam: Vec<f64> = (0..d)
        .map(|k| 10f64.powf(3.53 + 0.00039 * k as f64))
        .collect();
    let x: Vec<f32> = (0..d)
        .map(|k| 1.0 + 0.3 * ((k as f32) / 50.0).sin())
        .collect();
    let xhat: Vec<f32> = x.iter().map(|v| v * 0.98).collect();
    let masked: Vec<bool> = (0..d).map(|k| k < 80).collect();
    let fig = SpectrumFigure {
        name: "s".into(),
        title: "test".into(),
        wavelengths: lam.clone(),
        x: x.clone(),
        xhat: xhat.clone(),
        pca: Some(x.clone()),
        masked: masked.clone(),
    };
    let img = check_all_formats(&fig);
    // The masked blue end is shaded grey over the whole height of the top panel.
    assert!(ink(&img, 0.085, 0.12, 0.2, 0.6) > 0.9);

    let mut h = ResidualHistograms::new(specae::analysis::residuals::wavelength_edges(
        3.53, 0.00039, d,
    ));
    let xa = Array2::from_shape_fn((50, d), |(i, k)| x[k] + 0.01 * ((i * 7 + k) % 13) as f32);
    let xh = Array2::from_shape_fn((50, d), |(_, k)| xhat[k]);
    let w = Array2::from_elem((50, d), 100f32);
    h.add(xa.view(), xh.view(), w.view());
    let img = check_all_formats(&ResidualFigure {
        vs_wavelength: h.vs_wavelength.clone(),
        vs_ivar: h.vs_ivar.clone(),
        subset: "test".into(),
    });
    assert!(ink(&img, 0.15, 0.5, 0.3, 0.5) > 0.05, "residual band");
    assert!(
        ink(&img, 0.915, 0.927, 0.2, 0.7) > 0.9,
        "colour bar present"
    );
}

#[test]
fn bad_figure_input_is_an_error() {
    assert!("tiff".parse::<Format>().is_err());
    assert_eq!("PDF".parse::<Format>().unwrap(), Format::Pdf);
    let empty = TrainingCurves {
        history: vec![],
        stopped_early: false,
    };
    assert!(render(&empty, Format::Svg).is_err());
    let fig = UmapFigure {
        embedding: Array2::zeros((0, 2)),
        colouring: Colouring::Class(vec![]),
        bins: 10,
    };
    assert!(render(&fig, Format::Png { dpi: 300 }).is_err());
    let (e, classes) = blobs();
    let fig = CornerFigure {
        latents: e,
        classes,
        bins: 10,
    };
    assert!(render(&fig, Format::Png { dpi: 5 }).is_err());
}
