//! The loss plot of the Training panel: train and validation loss per epoch on a log axis
//! ticked at round values, LR drops dashed, the best epoch circled.

use eframe::egui;
use egui_plot::{GridInput, GridMark, Legend, Line, LineStyle, Plot, PlotPoints, Points, VLine};

use crate::train::trainer::EpochRecord;

/// A "nice" step of about `x`: 1, 2 or 5 × 10ⁿ, at least `x`.
fn nice_step(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// Tick values (in the data's units, not logs) of a log axis spanning `lo`..`hi` (log10):
/// 1, 2, 5 × 10ⁿ over a decade or more; closer, multiples of a round step (1200, 1400, …) so
/// the few-percent range of a converging loss still gets 3–6 labelled ticks.
pub fn log_axis_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 30.0 {
        return vec![];
    }
    let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
    if hi - lo >= 1.0 {
        let mut out = vec![];
        for e in (lo.floor() as i32 - 1)..=(hi.ceil() as i32) {
            for m in [1.0, 2.0, 5.0] {
                let v = m * 10f64.powi(e);
                if v >= a && v <= b {
                    out.push(v);
                }
            }
        }
        return out;
    }
    let step = nice_step((b - a) / 4.0);
    let first = (a / step).ceil() as i64;
    let last = (b / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick value as a short round number: 1400, 2.5, 0.002.
pub fn fmt_tick(v: f64) -> String {
    if v >= 1e5 || (v > 0.0 && v < 1e-3) {
        return format!("{v:.0e}");
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn log_grid(input: GridInput) -> Vec<GridMark> {
    let ticks = log_axis_ticks(input.bounds.0, input.bounds.1);
    // One step size for every mark: all lines look alike (egui_plot fades lines by it).
    let step = if ticks.len() >= 2 {
        (ticks[1].log10() - ticks[0].log10()).abs().max(1e-6)
    } else {
        1.0
    };
    ticks
        .into_iter()
        .map(|v| GridMark {
            value: v.log10(),
            step_size: step,
        })
        .collect()
}

/// Train and validation loss per epoch on a log axis, LR drops dashed, best epoch circled.
/// The scroll wheel scrolls the column it sits in; Cmd/Ctrl-scroll zooms.
pub fn loss_plot_ui(ui: &mut egui::Ui, history: &[EpochRecord]) -> egui_plot::PlotResponse<()> {
    let pts = |f: &dyn Fn(&EpochRecord) -> f64| -> PlotPoints<'static> {
        history
            .iter()
            .filter(|r| f(r) > 0.0 && f(r).is_finite())
            .map(|r| [r.epoch as f64, f(r).log10()])
            .collect()
    };
    let best = history
        .iter()
        .filter(|r| r.valid_loss.is_finite())
        .min_by(|a, b| a.valid_loss.total_cmp(&b.valid_loss));
    if let Some(last) = history.last() {
        ui.add(
            egui::Label::new(format!(
                "epoch {}: train {:.2}, validation {:.2}, lr {:.0e}{}",
                last.epoch,
                last.train_loss,
                last.valid_loss,
                last.lr,
                best.map(|b| format!("; best {:.2} (epoch {})", b.valid_loss, b.epoch))
                    .unwrap_or_default()
            ))
            .wrap(),
        );
    }
    Plot::new("loss-curves")
        .allow_scroll(false)
        .height(180.0)
        .legend(Legend::default())
        .x_axis_label("epoch")
        .y_axis_label("loss")
        .y_grid_spacer(log_grid)
        .y_axis_formatter(|m, _| fmt_tick(10f64.powf(m.value)))
        .label_formatter(|h| {
            let p = match h {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            Some(format!("epoch {:.0}\nloss {:.1}", p.x, 10f64.powf(p.y)))
        })
        .show(ui, |plot_ui| {
            plot_ui.line(Line::new("train", pts(&|r| r.train_loss)).width(1.5));
            plot_ui.line(Line::new("validation", pts(&|r| r.valid_loss)).width(1.5));
            for r in history.iter().filter(|r| r.lr_dropped) {
                plot_ui.vline(
                    VLine::new("LR ÷10", r.epoch as f64)
                        .style(LineStyle::dashed_loose())
                        .color(egui::Color32::GRAY),
                );
            }
            if let Some(b) = best {
                plot_ui.points(
                    Points::new("best", vec![[b.epoch as f64, b.valid_loss.log10()]])
                        .radius(5.0)
                        .filled(false),
                );
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_round() {
        let t = |lo: f64, hi: f64| log_axis_ticks(lo.log10(), hi.log10());
        // A wide range: 1, 2, 5 × 10ⁿ (not 2512, 3162, 3981, 5012, 6310).
        assert_eq!(t(150.0, 7000.0), vec![200.0, 500.0, 1000.0, 2000.0, 5000.0]);
        // A converging loss: a few round steps.
        assert_eq!(t(1310.0, 1480.0), vec![1350.0, 1400.0, 1450.0]);
        assert_eq!(t(2400.0, 6400.0), vec![3000.0, 4000.0, 5000.0, 6000.0]);
        assert!(t(1000.0, 1000.0).len() <= 1);
        assert_eq!(fmt_tick(1400.0), "1400");
        assert_eq!(fmt_tick(2.5), "2.5");
        assert_eq!(fmt_tick(0.002), "0.002");
    }
}
