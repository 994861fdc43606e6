//! Drawing many points cheaply: a view transform with uniform scale, points splatted into an
//! image (one texture per view instead of 64k shapes), and 2-D density images for the corner
//! plot. Picking uses k-d trees (see the panels), never a linear hover search over shapes.

use eframe::egui::{Color32, ColorImage, Pos2, Rect, Vec2, pos2};
use ndarray::ArrayView2;

/// Data → screen with the same scale on both axes (y up).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewTransform {
    pub centre: [f64; 2],
    /// Screen points per data unit.
    pub scale: f64,
}

impl ViewTransform {
    /// Fits the points of columns (cx, cy) into `rect` with a 5% margin.
    pub fn fit(points: ArrayView2<f32>, cx: usize, cy: usize, rect: Rect) -> Self {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for r in points.rows() {
            let (x, y) = (r[cx] as f64, r[cy] as f64);
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        if x0 > x1 {
            return Self {
                centre: [0.0, 0.0],
                scale: 1.0,
            };
        }
        let w = (x1 - x0).max(1e-9) * 1.1;
        let h = (y1 - y0).max(1e-9) * 1.1;
        let scale = (rect.width() as f64 / w).min(rect.height() as f64 / h);
        Self {
            centre: [(x0 + x1) / 2.0, (y0 + y1) / 2.0],
            scale: scale.max(1e-9),
        }
    }

    pub fn to_screen(&self, rect: Rect, x: f64, y: f64) -> Pos2 {
        let c = rect.center();
        pos2(
            c.x + ((x - self.centre[0]) * self.scale) as f32,
            c.y - ((y - self.centre[1]) * self.scale) as f32,
        )
    }

    pub fn to_data(&self, rect: Rect, p: Pos2) -> [f64; 2] {
        let c = rect.center();
        [
            self.centre[0] + (p.x - c.x) as f64 / self.scale,
            self.centre[1] - (p.y - c.y) as f64 / self.scale,
        ]
    }

    /// Pans by a screen-space drag.
    pub fn pan(&mut self, delta: Vec2) {
        self.centre[0] -= delta.x as f64 / self.scale;
        self.centre[1] += delta.y as f64 / self.scale;
    }

    /// Zooms by `factor` keeping the data point under `anchor` fixed.
    pub fn zoom_at(&mut self, rect: Rect, anchor: Pos2, factor: f64) {
        let before = self.to_data(rect, anchor);
        self.scale = (self.scale * factor).clamp(1e-6, 1e9);
        let after = self.to_data(rect, anchor);
        self.centre[0] += before[0] - after[0];
        self.centre[1] += before[1] - after[1];
    }
}

/// A premultiplied RGBA buffer with integer "over" blending (no float rounding per pixel:
/// this runs for every point of a 64k-point view on every pan or zoom frame).
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<[u8; 4]>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            px: vec![[0; 4]; w * h],
        }
    }

    /// "Over" compositing of colour `c` with opacity `a` (0–255).
    fn blend(&mut self, x: usize, y: usize, c: [u32; 3], a: u32) {
        let p = &mut self.px[y * self.w + x];
        let k = 255 - a;
        let mix = |src: u32, dst: u8| ((src * a + dst as u32 * k + 127) / 255) as u8;
        p[0] = mix(c[0], p[0]);
        p[1] = mix(c[1], p[1]);
        p[2] = mix(c[2], p[2]);
        p[3] = mix(255, p[3]);
    }

    fn into_image(self) -> ColorImage {
        let pixels = self
            .px
            .iter()
            .map(|p| Color32::from_rgba_premultiplied(p[0], p[1], p[2], p[3]))
            .collect();
        ColorImage::new([self.w, self.h], pixels)
    }
}

/// Splats the points of columns (cx, cy) into an image covering `rect` at `pixels_per_point`
/// (capped at `max_side` pixels a side): each visible point is a dot of `dot_points` points
/// (so the same size on a 2× Retina display as on a 1× one), drawn in `order` with opacity
/// `alpha`. Transparent colours are skipped (hidden classes).
#[allow(clippy::too_many_arguments)]
pub fn splat_points(
    points: ArrayView2<f32>,
    cx: usize,
    cy: usize,
    colours: &[Color32],
    order: &[u32],
    t: &ViewTransform,
    rect: Rect,
    pixels_per_point: f32,
    max_side: usize,
    dot_points: f32,
    alpha: f32,
) -> ColorImage {
    let ppp = pixels_per_point
        .min(max_side as f32 / rect.width().max(1.0))
        .min(max_side as f32 / rect.height().max(1.0))
        .max(0.05);
    let dot = (dot_points * ppp).round().max(1.0) as usize;
    let w = ((rect.width() * ppp).round() as usize).max(1);
    let h = ((rect.height() * ppp).round() as usize).max(1);
    let half = dot as f32 / 2.0;
    // The top-left pixel of point i's dot, if any of it is in the image.
    let corner = |i: usize| -> Option<(i64, i64)> {
        let p = t.to_screen(rect, points[[i, cx]] as f64, points[[i, cy]] as f64);
        let px = (p.x - rect.min.x) * ppp - half;
        let py = (p.y - rect.min.y) * ppp - half;
        if !(px > -(dot as f32) && py > -(dot as f32)) || px >= w as f32 || py >= h as f32 {
            return None;
        }
        // Truncation after +0.5 rounds (px > −dot here; the odd pixel at −0 does not matter).
        Some(((px + 0.5) as i64, (py + 0.5) as i64))
    };
    let shown = |i: usize| i < points.nrows() && i < colours.len() && colours[i].a() > 0;
    // Counted only as far as the threshold: a dense view stops there.
    let dense = order
        .iter()
        .filter(|&&i| shown(i as usize) && corner(i as usize).is_some())
        .nth(DENSITY_ABOVE)
        .is_some();
    if dense {
        return density_splat(order, colours, (w, h), dot, &shown, &corner);
    }
    let mut canvas = Canvas::new(w, h);
    let a = (alpha.clamp(0.0, 1.0) * 255.0) as u32;
    for &i in order {
        let i = i as usize;
        if i >= points.nrows() || i >= colours.len() {
            continue;
        }
        let c = colours[i];
        if c.a() == 0 {
            continue;
        }
        let rgb = [c.r() as u32, c.g() as u32, c.b() as u32];
        let Some((x0, y0)) = corner(i) else {
            continue;
        };
        for dy in 0..dot as i64 {
            for dx in 0..dot as i64 {
                let (x, y) = (x0 + dx, y0 + dy);
                if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                    canvas.blend(x as usize, y as usize, rgb, a);
                }
            }
        }
    }
    canvas.into_image()
}

/// Above this many points in view, [`splat_points`] draws density instead of points: at
/// 256,000 points and more the dots cover each other (the last class drawn hides the
/// others); zoomed in far enough that fewer are in view, points again.
pub const DENSITY_ABOVE: usize = 150_000;

/// Density as datashader draws it: every pixel takes the mean colour of the points on it
/// (classes blended in proportion to their counts, so none hides another) and an opacity
/// rising with the log of their number (a lone point stays visible).
fn density_splat(
    order: &[u32],
    colours: &[Color32],
    (w, h): (usize, usize),
    dot: usize,
    shown: &dyn Fn(usize) -> bool,
    corner: &dyn Fn(usize) -> Option<(i64, i64)>,
) -> ColorImage {
    // Per pixel: summed r, g, b and the count.
    let mut acc = vec![[0u32; 4]; w * h];
    for &i in order {
        let i = i as usize;
        if !shown(i) {
            continue;
        }
        let Some((x0, y0)) = corner(i) else {
            continue;
        };
        let c = colours[i];
        for y in y0.max(0)..(y0 + dot as i64).min(h as i64) {
            for x in x0.max(0)..(x0 + dot as i64).min(w as i64) {
                let p = &mut acc[y as usize * w + x as usize];
                p[0] += c.r() as u32;
                p[1] += c.g() as u32;
                p[2] += c.b() as u32;
                p[3] += 1;
            }
        }
    }
    let max = acc.iter().map(|p| p[3]).max().unwrap_or(0).max(1) as f32;
    let scale = 1.0 / (1.0 + max).ln();
    let pixels = acc
        .iter()
        .map(|p| {
            let n = p[3];
            if n == 0 {
                return Color32::TRANSPARENT;
            }
            let a = 0.3 + 0.7 * (1.0 + n as f32).ln() * scale;
            let mean = |s: u32| (s as f32 / n as f32) as u8;
            Color32::from_rgba_unmultiplied(
                mean(p[0]),
                mean(p[1]),
                mean(p[2]),
                (a * 255.0).round() as u8,
            )
        })
        .collect();
    ColorImage::new([w, h], pixels)
}

/// A `bins` × `bins` density image of columns (i, j) over `(xr, yr)`: each cell takes the mean
/// colour of its points, shaded by log count (empty cells transparent). Row 0 is the top
/// (largest y).
pub fn density_image(
    points: ArrayView2<f32>,
    i: usize,
    j: usize,
    xr: (f32, f32),
    yr: (f32, f32),
    colours: &[Color32],
    bins: usize,
) -> ColorImage {
    let mut sum = vec![[0f32; 3]; bins * bins];
    let mut count = vec![0u32; bins * bins];
    let (sx, sy) = (
        bins as f32 / (xr.1 - xr.0).max(1e-12),
        bins as f32 / (yr.1 - yr.0).max(1e-12),
    );
    for (r, c) in points.rows().into_iter().zip(colours) {
        if c.a() == 0 {
            continue;
        }
        let bx = ((r[i] - xr.0) * sx).floor();
        let by = ((r[j] - yr.0) * sy).floor();
        if !(bx >= 0.0 && by >= 0.0 && bx < bins as f32 && by < bins as f32) {
            continue;
        }
        let k = (bins - 1 - by as usize) * bins + bx as usize;
        sum[k][0] += c.r() as f32;
        sum[k][1] += c.g() as f32;
        sum[k][2] += c.b() as f32;
        count[k] += 1;
    }
    let max = count.iter().copied().max().unwrap_or(0).max(1) as f32;
    let pixels = sum
        .iter()
        .zip(&count)
        .map(|(s, &n)| {
            if n == 0 {
                return Color32::TRANSPARENT;
            }
            let a = 0.2 + 0.8 * (1.0 + n as f32).ln() / (1.0 + max).ln();
            let m = |v: f32| (v / n as f32 * a).round() as u8;
            Color32::from_rgba_premultiplied(m(s[0]), m(s[1]), m(s[2]), (255.0 * a) as u8)
        })
        .collect();
    ColorImage::new([bins, bins], pixels)
}

/// A seeded permutation of 0..n, so no class is always drawn on top.
pub fn draw_order(n: usize, seed: u64) -> Vec<u32> {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let mut v: Vec<u32> = (0..n as u32).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    v.shuffle(&mut rng);
    v
}

/// The 2-D histogram `counts[[iy, ix]]` as an image (row 0 = top = largest y), log colour
/// scale over viridis; empty cells transparent.
pub fn histogram_image(counts: &ndarray::Array2<u64>) -> ColorImage {
    let (ny, nx) = counts.dim();
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut pixels = Vec::with_capacity(nx * ny);
    for iy in (0..ny).rev() {
        for ix in 0..nx {
            let c = counts[[iy, ix]];
            pixels.push(if c == 0 {
                Color32::TRANSPARENT
            } else {
                super::colouring::viridis32((1.0 + c as f64).ln() / (1.0 + max).ln())
            });
        }
    }
    ColorImage::new([nx, ny], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui;

    /// Pixels covered by one splatted point at `ppp`.
    fn dot_pixels(ppp: f32, max_side: usize) -> usize {
        let pts = ndarray::arr2(&[[0.0f32, 0.0], [10.0, 10.0]]);
        let rect = Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(400.0, 400.0));
        let t = ViewTransform::fit(pts.view(), 0, 1, rect);
        let img = splat_points(
            pts.view(),
            0,
            1,
            &[Color32::RED, Color32::TRANSPARENT],
            &[0, 1],
            &t,
            rect,
            ppp,
            max_side,
            2.0,
            1.0,
        );
        img.pixels.iter().filter(|p| p.a() > 0).count()
    }

    #[test]
    fn many_points_are_drawn_as_density_where_no_class_hides_another() {
        // Two classes on the same spot, red drawn last: as points red covers blue; as
        // density (more points than DENSITY_ABOVE in view) the pixel is their mean, purple.
        let n = DENSITY_ABOVE + 2;
        let mut pts = ndarray::Array2::<f32>::zeros((n + 1, 2));
        pts[[n, 0]] = 10.0;
        pts[[n, 1]] = 10.0;
        let colours: Vec<Color32> = (0..=n)
            .map(|i| {
                if i % 2 == 0 {
                    Color32::BLUE
                } else {
                    Color32::RED
                }
            })
            .collect();
        let rect = Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(100.0, 100.0));
        let t = ViewTransform::fit(pts.view(), 0, 1, rect);
        let draw = |order: &[u32]| {
            splat_points(
                pts.view(),
                0,
                1,
                &colours,
                order,
                &t,
                rect,
                1.0,
                4096,
                1.0,
                1.0,
            )
        };
        let origin = |img: &ColorImage| {
            let p = t.to_screen(rect, 0.0, 0.0);
            img.pixels[(p.y as usize) * img.size[0] + p.x as usize]
        };
        let dense = draw(&(0..=n as u32).collect::<Vec<_>>());
        let c = origin(&dense);
        assert!(c.r() > 90 && c.b() > 90 && c.g() == 0, "{c:?}");
        assert!(c.a() == 255, "the densest pixel is opaque: {c:?}");
        // The lone point at (10, 10) stays visible.
        assert!(dense.pixels.iter().filter(|p| p.a() > 0).count() >= 2);
        // Few points in view: points, the last drawn on top.
        let few = draw(&[0, 1]);
        assert_eq!(origin(&few), Color32::RED);
    }

    #[test]
    fn points_keep_their_size_in_points_on_a_retina_display() {
        // 2 points = 2 × 2 pixels at 1×, 4 × 4 pixels at 2×: the same size on screen.
        assert_eq!(dot_pixels(1.0, 4096), 4);
        assert_eq!(dot_pixels(2.0, 4096), 16);
        // A texture cap below the panel's pixel size shrinks the texture, and the dot with it.
        assert_eq!(dot_pixels(2.0, 400), 4);
    }
}
