//! The spectrum plot the inspector and the latent sliders share: data and reconstructions,
//! masked spans shaded, spectral lines dotted and labelled in staggered rows.

use eframe::egui::{self, Color32};
use egui_plot::{
    Corner, GridInput, GridMark, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Span, Text,
    VLine,
};

use crate::figures::spectrum::masked_runs;
use crate::figures::style::LINES;

pub const DATA_COLOUR: Color32 = Color32::from_gray(200);
pub const AE_COLOUR: Color32 = Color32::from_rgb(230, 159, 0);
pub const PCA_COLOUR: Color32 = Color32::from_rgb(86, 180, 233);
/// The reconstruction with latents fitted to the spectrum (Okabe–Ito bluish green).
pub const FIT_COLOUR: Color32 = Color32::from_rgb(0, 158, 115);

/// Settings every spectrum plot shares: the scroll wheel scrolls the tile, not the plot
/// (drag pans, Cmd/Ctrl-scroll or pinch zooms, double-click fits); a new `data_key` (another
/// galaxy, model or data) fits the view to the new data, so a plot never ends in an empty range.
pub fn plot_for_data(ui: &egui::Ui, id: &str, data_key: u64) -> Plot<'static> {
    let mem = egui::Id::unique((id, "data-key"));
    let plot = Plot::new(id.to_string())
        .allow_scroll(false)
        .x_grid_spacer(wavelength_grid)
        .link_axis(egui::Id::unique("spectrum-x"), [true, false]);
    if ui.data(|d| d.get_temp::<u64>(mem)) == Some(data_key) {
        plot
    } else {
        ui.data_mut(|d| d.insert_temp(mem, data_key));
        plot.reset()
    }
}

/// Grid marks of a wavelength axis (Å) at round wavelengths, labelled at the finest of 10, 20,
/// 50, … 10⁴ Å whose labels fit (egui_plot labels marks ≥ 60 points apart): every 1000 Å on
/// the inspector's plot, every 2000 Å on the narrow one beside the sliders, finer when zoomed
/// in; unlabelled lines between.
pub fn wavelength_grid(input: GridInput) -> Vec<GridMark> {
    const STEPS: [f64; 10] = [
        10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0,
    ];
    // egui_plot's base step is the data distance of its minimum grid spacing (8 points).
    let points_per_angstrom = 8.0 / input.base_step_size.max(1e-12);
    let (lo, hi) = (
        input.bounds.0.min(input.bounds.1),
        input.bounds.0.max(input.bounds.1),
    );
    if !(lo.is_finite() && hi.is_finite()) || hi - lo <= 0.0 {
        return vec![];
    }
    let k = STEPS
        .iter()
        .position(|&s| s * points_per_angstrom >= 72.0)
        .unwrap_or(STEPS.len() - 1);
    let major = STEPS[k];
    let minor = if k >= 2 { STEPS[k - 2] } else { major };
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    if last - first > 10_000 {
        return vec![];
    }
    (first..=last)
        .map(|m| {
            let v = m as f64 * minor;
            let on_major = (v / major - (v / major).round()).abs() < 1e-9;
            GridMark {
                value: v,
                step_size: if on_major { major } else { minor },
            }
        })
        .collect()
}

/// Rows (0 = lowest) for line labels centred at screen x positions `xs` with widths `ws` (in
/// wavelength order): each label takes the lowest row where it clears its left neighbour;
/// `None` where `rows` are full (the dotted line stays, the label is left out).
pub fn label_rows(xs: &[f32], ws: &[f32], rows: usize) -> Vec<Option<usize>> {
    let mut ends = vec![f32::NEG_INFINITY; rows];
    xs.iter()
        .zip(ws)
        .map(|(&x, &w)| {
            let r = ends.iter().position(|&e| e + 4.0 <= x - w / 2.0)?;
            ends[r] = x + w / 2.0;
            Some(r)
        })
        .collect()
}

/// Where the legend covers the least of a spectrum `flux`: the bottom corner under its higher
/// end (top corners hold the line labels). At the top right it hid the red end of every
/// early-type galaxy at 1440×900, whose flux rises to the red.
pub fn legend_corner(flux: &[f32]) -> Corner {
    let fifth = (flux.len() / 5).max(1);
    let mean = |v: &[f32]| {
        let (s, n) = v
            .iter()
            .filter(|x| x.is_finite())
            .fold((0.0f64, 0usize), |(s, n), &x| (s + x as f64, n + 1));
        (n > 0).then(|| s / n as f64)
    };
    match (
        mean(&flux[..fifth.min(flux.len())]),
        mean(&flux[flux.len().saturating_sub(fifth)..]),
    ) {
        (Some(blue), Some(red)) if blue > red => Corner::LeftBottom,
        _ => Corner::RightBottom,
    }
}

/// A spectrum plot: data, reconstructions, masked spans and spectral lines, labelled in
/// staggered rows so close lines ([O II], Ca K, Ca H, …) do not overlap.
pub fn spectrum_plot_ui(
    ui: &mut egui::Ui,
    id: &str,
    wavelengths: &[f64],
    series: &[(&str, &[f32], Color32)],
    masked: Option<&[bool]>,
    height: f32,
    data_key: u64,
) -> egui_plot::PlotResponse<()> {
    let line = |v: &[f32]| -> PlotPoints<'static> {
        wavelengths
            .iter()
            .zip(v)
            .map(|(&l, &y)| [l, y as f64])
            .collect()
    };
    let ymax = series
        .iter()
        .flat_map(|(_, v, _)| v.iter())
        .fold(f32::MIN, |m, &v| if v.is_finite() { m.max(v) } else { m }) as f64;
    plot_for_data(ui, id, data_key)
        .height(height)
        .legend(
            Legend::default()
                .position(
                    series
                        .first()
                        .map_or(Corner::RightBottom, |s| legend_corner(s.1)),
                )
                .text_style(egui::TextStyle::Small)
                .background_alpha(0.85),
        )
        .x_axis_label("rest wavelength [Å]")
        .y_axis_label("normalised flux")
        .show(ui, |p| {
            if let Some(m) = masked {
                for (a, b) in masked_runs(m) {
                    let lo = wavelengths[a.min(wavelengths.len() - 1)];
                    let hi = wavelengths[b.saturating_sub(1).min(wavelengths.len() - 1)];
                    p.span(
                        Span::new("", lo..=hi)
                            .fill(Color32::from_rgba_unmultiplied(160, 160, 160, 40)),
                    );
                }
            }
            let mut lines: Vec<(&str, f64)> = LINES.iter().map(|&(n, w, _)| (n, w)).collect();
            lines.sort_by(|a, b| a.1.total_cmp(&b.1));
            let t = *p.transform();
            let xs: Vec<f32> = lines.iter().map(|l| t.position_from_point_x(l.1)).collect();
            let ws: Vec<f32> = lines
                .iter()
                .map(|l| 6.5 * l.0.chars().count() as f32)
                .collect();
            let rows = label_rows(&xs, &ws, 3);
            for ((name, wl), row) in lines.into_iter().zip(rows) {
                // Unnamed, so the legend lists only the spectra.
                p.vline(
                    VLine::new("", wl)
                        .color(Color32::from_gray(90))
                        .style(LineStyle::dotted_dense())
                        .allow_hover(false),
                );
                if let Some(r) = row
                    && ymax.is_finite()
                {
                    let y = ymax * (1.05 + 0.08 * r as f64);
                    p.text(Text::new("", PlotPoint::new(wl, y), name).color(Color32::GRAY));
                }
            }
            for (name, v, c) in series {
                p.line(Line::new(*name, line(v)).color(*c).width(1.2));
            }
        })
}

#[cfg(test)]
mod tests {
    use super::{label_rows, wavelength_grid};

    #[test]
    fn narrow_plots_label_fewer_round_wavelengths() {
        let labelled = |width_points: f64| -> Vec<i64> {
            let (lo, hi) = (3388.0, 8310.0);
            let input = egui_plot::GridInput {
                bounds: (lo, hi),
                base_step_size: 8.0 * (hi - lo) / width_points,
            };
            let per_point = width_points / (hi - lo);
            wavelength_grid(input)
                .into_iter()
                .filter(|m| m.step_size * per_point > 60.0)
                .map(|m| m.value.round() as i64)
                .collect()
        };
        // The inspector (~570 points wide): every 1000 Å; beside the sliders (~250): 2000 Å.
        assert_eq!(labelled(570.0), vec![4000, 5000, 6000, 7000, 8000]);
        assert_eq!(labelled(250.0), vec![4000, 6000, 8000]);
    }

    #[test]
    fn the_legend_sits_under_the_higher_end() {
        use egui_plot::Corner;
        let rising: Vec<f32> = (0..1000).map(|k| 0.5 + k as f32 / 1000.0).collect();
        let falling: Vec<f32> = rising.iter().rev().copied().collect();
        assert_eq!(super::legend_corner(&rising), Corner::RightBottom);
        assert_eq!(super::legend_corner(&falling), Corner::LeftBottom);
        assert_eq!(super::legend_corner(&[]), Corner::RightBottom);
        assert_eq!(super::legend_corner(&[f32::NAN; 10]), Corner::RightBottom);
    }

    #[test]
    fn close_line_labels_go_to_other_rows() {
        // [O II] 3727, Ca K 3934, Ca H 3969 close together; Hβ far away.
        let rows = label_rows(&[100.0, 130.0, 136.0, 400.0], &[40.0, 30.0, 30.0, 20.0], 3);
        assert_eq!(rows, vec![Some(0), Some(1), Some(2), Some(0)]);
        // A fourth crowded label finds no row and is left out.
        let rows = label_rows(&[100.0, 101.0, 102.0, 103.0], &[40.0; 4], 3);
        assert_eq!(rows, vec![Some(0), Some(1), Some(2), None]);
    }
}
