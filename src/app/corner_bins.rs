//! The corner plot's pixels: every visible point binned into the lower-triangle cells (one
//! density image per pair of latents, coloured by the chosen column) and class-stacked
//! histograms on the diagonal. Binning 64k points into 15 cells takes ~15 ms, so it runs as a
//! background task whenever the latents or colours change (every epoch while training).

use eframe::egui::{Color32, ColorImage};
use ndarray::Array2;

use super::raster::density_image;

/// Bins per cell side of the corner plot.
pub const BINS: usize = 64;
/// Bins of a diagonal histogram.
pub const HIST_BINS: usize = 40;

/// What the bins were computed from: (latents generation, colours generation).
pub type CornerKey = (u64, u64);

/// The corner plot's images.
pub struct CornerBins {
    pub key: CornerKey,
    /// (row, column) of each lower-triangle cell and its image.
    pub cells: Vec<((usize, usize), ColorImage)>,
    /// Per dimension: per bin, counts per class (indexed like `GalaxyClass::ALL`).
    pub hists: Vec<Vec<[u32; 5]>>,
    /// The latent ranges the cells were binned with.
    pub range: Vec<(f32, f32)>,
}

/// Bins every visible point (alpha > 0) of `z` into the cells and the diagonal histograms.
/// `classes` holds each point's class index.
pub fn corner_bins(
    key: CornerKey,
    z: &Array2<f32>,
    range: Vec<(f32, f32)>,
    colours: &[Color32],
    classes: &[usize],
) -> CornerBins {
    let k = z.ncols();
    let mut cells = vec![];
    for row in 1..k {
        for col in 0..row {
            let img = density_image(z.view(), col, row, range[col], range[row], colours, BINS);
            cells.push(((row, col), img));
        }
    }
    let hists = (0..k)
        .map(|d| {
            let (lo, hi) = range[d];
            let mut h = vec![[0u32; 5]; HIST_BINS];
            for (i, &v) in z.column(d).iter().enumerate() {
                if colours.get(i).is_none_or(|c| c.a() == 0) {
                    continue;
                }
                let Some(&class) = classes.get(i) else {
                    continue;
                };
                let b = ((v - lo) / (hi - lo).max(1e-12) * HIST_BINS as f32).floor();
                if b >= 0.0 && (b as usize) < HIST_BINS {
                    h[b as usize][class.min(4)] += 1;
                }
            }
            h
        })
        .collect();
    CornerBins {
        key,
        cells,
        hists,
        range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_visible_points_by_class() {
        let z = Array2::from_shape_fn((6, 2), |(i, j)| (i + j) as f32 * 0.1);
        let mut colours = vec![Color32::WHITE; 6];
        colours[5] = Color32::TRANSPARENT;
        let classes = [0, 1, 1, 2, 3, 0];
        let b = corner_bins((1, 2), &z, vec![(0.0, 1.0), (0.0, 1.0)], &colours, &classes);
        assert_eq!(b.cells.len(), 1);
        let per_class = |d: usize| {
            let mut c = [0u32; 5];
            for bin in &b.hists[d] {
                for k in 0..5 {
                    c[k] += bin[k];
                }
            }
            c
        };
        assert_eq!(
            per_class(0),
            [1, 2, 1, 1, 0],
            "the hidden point is not counted"
        );
    }
}
