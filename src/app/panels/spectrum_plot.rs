//! The spectrum plot the inspector and the latent sliders share: data and reconstructions,
//! masked spans shaded, spectral lines dotted and labelled in staggered rows.

use eframe::egui::{self, Color32};
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Span, Text, VLine};

use crate::figures::spectrum::masked_runs;
use crate::figures::style::LINES;

pub const DATA_COLOUR: Color32 = Color32::from_gray(200);
pub const AE_COLOUR: Color32 = Color32::from_rgb(230, 159, 0);
pub const PCA_COLOUR: Color32 = Color32::from_rgb(86, 180, 233);

/// Settings every spectrum plot shares: the scroll wheel scrolls the tile, not the plot
/// (drag pans, Cmd/Ctrl-scroll or pinch zooms, double-click fits); a new `data_key` (another
/// galaxy, model or data) fits the view to the new data, so a plot never ends in an empty range.
pub fn plot_for_data(ui: &egui::Ui, id: &str, data_key: u64) -> Plot<'static> {
    let mem = egui::Id::unique((id, "data-key"));
    let plot = Plot::new(id.to_string())
        .allow_scroll(false)
        .link_axis(egui::Id::unique("spectrum-x"), [true, false]);
    if ui.data(|d| d.get_temp::<u64>(mem)) == Some(data_key) {
        plot
    } else {
        ui.data_mut(|d| d.insert_temp(mem, data_key));
        plot.reset()
    }
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
        .legend(Legend::default())
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
    use super::label_rows;

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
