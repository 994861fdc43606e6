//! The derived views in one place, each keyed by what it was computed from: the point colours
//! (colouring, hidden classes, data, and the latents or scores when coloured by them), the
//! inspected galaxy (its index, model, latents and scores), the corner plot's bins (latents and
//! colours), the selection's residuals (the selection's generation), the inspected galaxy's
//! population fits (the galaxy, data and model). A view is recomputed only
//! when its key changes; results of background work for an old key are dropped.

use std::sync::Arc;
use std::time::Instant;

use burn::prelude::Device;

use crate::analysis::fidelity::chi2_per_pixel;
use crate::analysis::umap::place_by_neighbours;
use crate::app::colouring::point_colours;
use crate::app::corner_bins::{CornerBins, CornerKey};
use crate::app::jobs::views::{CornerInputs, PopulationInputs};
use crate::app::persisted::{ColourBy, Persisted};
use crate::app::session::Session;
use crate::app::view_models::{
    FittedLatents, Inspected, PopulationsKey, SelectionResiduals, Synthetic, Views,
};
use crate::data::store::Block;
use crate::model::evaluate::{decode_one, reconstruct_rows};
use crate::spectro::bins::Bins;
use crate::spectro::ratios::line_ratios;
use crate::synth::fit::PopulationPair;
use crate::train::fit_latents::{FIT_STEPS, fit_latents};
use crate::train::native::Mlp;
use crate::triage::Ranking;
use crate::triage::ranking::unsupervised_order;

/// Latent neighbours listed in the inspector.
const NEIGHBOURS: usize = 20;

/// What the colours were computed from: colouring, hidden classes, data, and the latents,
/// scores and labels (or learned fit) where the colouring depends on them.
type ColoursKey = (ColourBy, [bool; 5], u64, u64, u64, u64);
/// What the inspected galaxy's view was computed from.
type InspectedKey = (usize, u64, u64, u64, bool);

/// The views and the keys they were computed from.
#[derive(Default)]
pub struct Derived {
    pub views: Views,
    colours_key: Option<ColoursKey>,
    inspected_key: Option<InspectedKey>,
    /// The corner bins asked for last (binned by a background task).
    corner_asked: Option<CornerKey>,
    /// The population fits asked for last (fitted by a background task).
    populations_asked: Option<PopulationsKey>,
    /// Changes whenever the selection does (residuals of an older selection are dropped).
    pub selection_gen: u64,
    ranked_key: Option<RankedKey>,
    labelled_key: Option<(u64, u64)>,
}

/// What the ranked order was computed from: the ranking, the scores, the learned fit's labels.
type RankedKey = (Ranking, u64, u64);

impl Derived {
    /// Forgets everything computed from the open data (other data were opened).
    pub fn clear(&mut self) {
        self.ranked_key = None;
        self.labelled_key = None;
        self.views.synthetic = None;
        self.views.inspected = None;
        self.views.corner = None;
        self.views.selection_residuals = None;
        self.inspected_key = None;
        self.corner_asked = None;
        self.selection_gen += 1;
    }

    /// The selection changed: its residuals are obsolete.
    pub fn selection_changed(&mut self) {
        self.views.selection_residuals = None;
        self.selection_gen += 1;
    }

    /// The focus changed by a click (not by walking the neighbours): a new walk starts.
    pub fn focus_changed(&mut self) {
        self.inspected_key = None;
        if let Some(ins) = &mut self.views.inspected {
            ins.walk = None;
        }
    }

    /// Brings the colours and the inspected galaxy up to date (cheap when nothing changed).
    pub fn refresh(&mut self, session: &Session, state: &Persisted) {
        // Colours change only with what they are computed from: a new epoch's latents
        // re-colour nothing unless the points are coloured by a latent.
        let by = state.colour_by;
        let key = (
            by,
            state.hidden,
            session.data_gen,
            if matches!(by, ColourBy::Latent(_)) {
                session.latents_gen
            } else {
                0
            },
            if matches!(
                by,
                ColourBy::OutlierScore | ColourBy::Chi2 | ColourBy::Learned
            ) {
                session.scores_gen
            } else {
                0
            },
            match by {
                ColourBy::Label => session.labels_gen(),
                // A store's S/N arrives after it opened.
                ColourBy::Snr => session.data.as_ref().map_or(0, |d| d.snr.len() as u64),
                ColourBy::Learned => session.current_learned().map_or(u64::MAX, |l| l.labels_gen),
                _ => 0,
            },
        );
        if self.colours_key != Some(key) {
            self.views.colours = point_colours(session, by, &state.hidden);
            self.colours_key = Some(key);
            self.views.colours_gen += 1;
        }
        self.refresh_inspected(session, state);
        self.refresh_triage(session, state);
    }

    /// The Outliers panel's order and the labelled markers, when their inputs changed.
    fn refresh_triage(&mut self, session: &Session, state: &Persisted) {
        let learned = session
            .current_learned()
            .filter(|_| state.ranking == Ranking::Learned);
        let key = (
            state.ranking,
            session.scores_gen,
            learned.map_or(u64::MAX, |l| l.labels_gen),
        );
        if self.ranked_key != Some(key) {
            self.ranked_key = Some(key);
            let (order, by) = match (learned, &session.scores) {
                (Some(l), _) => (l.fit.order.clone(), Some(Ranking::Learned)),
                // The combined order is the outlier table's (no second sort).
                (None, Some(a)) => match state.ranking {
                    Ranking::Learned | Ranking::Combined => {
                        (a.combined_order(), Some(Ranking::Combined))
                    }
                    r => (unsupervised_order(r, &a.lof, &a.chi2), Some(r)),
                },
                (None, None) => (vec![], None),
            };
            self.views.ranked = Arc::new(order);
            self.views.ranked_by = by;
        }
        let lkey = (session.data_gen, session.labels_gen());
        if self.labelled_key != Some(lkey) {
            self.labelled_key = Some(lkey);
            self.views.labelled = session
                .book()
                .map(|b| {
                    b.rows_labelled()
                        .into_iter()
                        .map(|(i, l)| (i as u32, l.effective_score()))
                        .collect()
                })
                .unwrap_or_default();
        }
    }

    /// The corner bins to compute, if the latents or colours on screen have none yet (each
    /// key is asked for once).
    pub fn corner_wanted(&mut self, session: &Session) -> Option<CornerInputs> {
        let (l, d) = (session.latents.as_ref()?, session.data.as_ref()?);
        let key = (session.latents_gen, self.views.colours_gen);
        if self.corner_asked == Some(key) {
            return None;
        }
        self.corner_asked = Some(key);
        Some(CornerInputs {
            key,
            z: l.z.clone(),
            range: l.range.clone(),
            colours: self.views.colours.colours.clone(),
            spectra: d.spectra.clone(),
        })
    }

    /// Takes in corner bins, unless the colours they were binned with have changed since
    /// (a newer binning is on its way). Bins of older latents are kept until the new ones
    /// arrive: they are drawn with the ranges they were binned with.
    pub fn take_corner(&mut self, session: &Session, bins: CornerBins) {
        let newer = self
            .views
            .corner
            .as_ref()
            .is_none_or(|c| c.key.0 <= bins.key.0);
        if newer && bins.key.0 <= session.latents_gen && bins.key.1 == self.views.colours_gen {
            self.views.corner = Some(Arc::new(bins));
        }
    }

    /// The inspected galaxy's stellar-population fits, when the inspector shows them and they
    /// have not been asked for: what the background task needs.
    pub fn populations_wanted(
        &mut self,
        session: &Session,
        state: &Persisted,
    ) -> Option<PopulationInputs> {
        if !state.fit_populations {
            return None;
        }
        let ins = self.views.inspected.as_ref()?;
        let d = session.data.as_ref()?;
        if ins.x.is_empty() || ins.xhat.len() != ins.x.len() || ins.w.len() != ins.x.len() {
            return None;
        }
        let key = (ins.index, session.data_gen, session.model_gen);
        if self.populations_asked == Some(key)
            || self
                .views
                .populations
                .as_ref()
                .is_some_and(|(k, _)| *k == key)
        {
            return None;
        }
        self.populations_asked = Some(key);
        Some(PopulationInputs {
            key,
            x: ins.x.clone(),
            xhat: ins.xhat.clone(),
            w: ins.w.clone(),
            wavelengths: d.spectra.wavelengths(),
        })
    }

    /// Takes in population fits if they are of the galaxy last asked about.
    pub fn take_populations(&mut self, key: PopulationsKey, pair: Result<PopulationPair, String>) {
        if self.populations_asked == Some(key) {
            self.views.populations = Some((key, pair));
        }
    }

    /// Takes in residuals of the selection of generation `selection_gen`, if still current.
    pub fn take_selection_residuals(&mut self, selection_gen: u64, r: SelectionResiduals) {
        if selection_gen == self.selection_gen {
            self.views.selection_residuals = Some(r);
        }
    }

    /// Recomputes the inspected galaxy's reconstructions and neighbours when it changes.
    fn refresh_inspected(&mut self, session: &Session, state: &Persisted) {
        let Some(i) = state.focus.filter(|&i| i < session.n()) else {
            self.views.inspected = None;
            self.inspected_key = None;
            return;
        };
        let key = (
            i,
            session.model_gen,
            session.latents_gen,
            session.scores_gen,
            state.fit_latents,
        );
        if self.inspected_key == Some(key) {
            return;
        }
        self.inspected_key = Some(key);
        // The one spectrum, from memory or read from a store on disk (~10 kB).
        let row = session.data.as_ref().map(|d| d.spectra.rows(i..i + 1));
        let (row, row_error) = match row {
            Some(Ok(b)) if b.x.nrows() == 1 => (Some(b), None),
            Some(Err(e)) => (None, Some(e.to_string())),
            _ => (None, None),
        };
        let x = row
            .as_ref()
            .map(|b| b.x.row(0).to_vec())
            .unwrap_or_default();
        let w: Vec<f32> = row
            .as_ref()
            .map(|b| b.w.row(0).to_vec())
            .unwrap_or_default();
        let masked = w.iter().map(|&w| w <= 0.0).collect();
        let (Some(m), Some(b)) = (&session.model, &row) else {
            self.views.inspected = Some(Inspected {
                index: i,
                anchor: i,
                x,
                masked,
                w,
                row_error,
                ..Default::default()
            });
            return;
        };
        let xhat = reconstruct_rows(&m.model, b.x.view(), &[0], &Device::flex())
            .row(0)
            .to_vec();
        let pca = session
            .baseline
            .as_ref()
            .filter(|p| p.mean.len() == b.x.ncols())
            .map(|p| p.reconstruct(b.x.row(0)));
        // Walking keeps the anchor's neighbour list; a new focus starts a new walk.
        let walking = self
            .views
            .inspected
            .as_ref()
            .filter(|p| p.walk.is_some() && p.neighbours.contains(&i))
            .map(|p| (p.anchor, p.neighbours.clone(), p.walk));
        let (anchor, neighbours, walk) = match walking {
            Some(w) => w,
            None => {
                let nn = session
                    .latents
                    .as_ref()
                    .filter(|l| i < l.z.nrows())
                    .map(|l| {
                        let q = l.z.row(i).to_vec();
                        l.index
                            .nearest(&q, NEIGHBOURS + 1)
                            .into_iter()
                            .map(|(j, _)| j as usize)
                            .filter(|&j| j != i)
                            .take(NEIGHBOURS)
                            .collect()
                    })
                    .unwrap_or_default();
                (i, nn, None)
            }
        };
        let outlier_rank = session
            .scores
            .as_ref()
            .and_then(|a| a.outliers.iter().position(|r| r.index == i))
            .map(|k| k + 1);
        let validation = m.split.valid.contains(&(i as u32));
        let fitted = state
            .fit_latents
            .then(|| m.native.as_deref().map(|mlp| fitted_latents(mlp, b, &xhat)))
            .flatten();
        let line_ratios = session.data.as_ref().map(|d| {
            let grid = Bins::new(d.spectra.grid());
            let ivar: Vec<f64> = w.iter().map(|&w| f64::from(w)).collect();
            (
                line_ratios(&grid, &x, &ivar),
                line_ratios(&grid, &xhat, &ivar),
            )
        });
        self.views.inspected = Some(Inspected {
            index: i,
            x,
            masked,
            w,
            row_error,
            xhat,
            pca,
            neighbours,
            walk,
            anchor,
            outlier_rank,
            validation,
            fitted,
            line_ratios,
        });
    }

    /// Steps the walk through the inspected galaxy's latent neighbours (the arrow keys);
    /// returns the galaxy to focus.
    pub fn step_neighbour(&mut self, d: i32) -> Option<usize> {
        let ins = self.views.inspected.as_mut()?;
        if ins.neighbours.is_empty() {
            return None;
        }
        let pos = ins.walk.map(|w| w as i32).unwrap_or(-1) + d;
        if pos < 0 {
            ins.walk = None;
            Some(ins.anchor)
        } else {
            let p = (pos as usize).min(ins.neighbours.len() - 1);
            ins.walk = Some(p);
            Some(ins.neighbours[p])
        }
    }

    /// Decodes `z` on the UI thread (well under a millisecond for one vector on the CPU) so
    /// the spectrum redraws in the next frame, and places it in the UMAP.
    pub fn decode_synthetic(&mut self, session: &Session, z: Vec<f32>) {
        let Some(m) = &session.model else { return };
        if z.len() != m.latent_dim || z.iter().any(|v| !v.is_finite()) {
            return;
        }
        let t0 = Instant::now();
        let spectrum = decode_one(&m.model, &z, &Device::flex());
        let decode_us = t0.elapsed().as_secs_f64() * 1e6;
        let umap_pos = match (&session.latents, &session.umap) {
            (Some(l), Some(u)) if l.z.nrows() == u.embedding.nrows() => {
                place_by_neighbours(&l.index, u.embedding.view(), &z, 10)
            }
            _ => None,
        };
        self.views.synthetic = Some(Synthetic {
            z,
            spectrum,
            umap_pos,
            decode_us,
        });
    }
}

/// The latents of `mlp` (the model's native copy) fitted to the one spectrum of `b`, with
/// χ²/pixel against the encoder's reconstruction `xhat` (46 ms on the UI thread, once per
/// galaxy shown: the view is cached by its key).
fn fitted_latents(mlp: &Mlp, b: &Block, xhat: &[f32]) -> FittedLatents {
    let fit = fit_latents(mlp, b.x.view(), b.w.view(), FIT_STEPS);
    let enc = ndarray::ArrayView1::from(xhat);
    FittedLatents {
        z: fit.z.row(0).to_vec(),
        xhat: fit.xhat.row(0).to_vec(),
        chi2_encoded: chi2_per_pixel(b.x.row(0), enc, b.w.row(0)),
        chi2_fitted: chi2_per_pixel(b.x.row(0), fit.xhat.row(0), b.w.row(0)),
    }
}
