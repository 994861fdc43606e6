//! Latent-space analysis on small data with known answers, and bad input.

use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use specae::analysis::AnalysisError;
use specae::analysis::classify::knn_cross_validate;
use specae::analysis::knn::KnnIndex;
use specae::analysis::lof::local_outlier_factor;
use specae::analysis::outliers::{outlier_table, precision_at_top, reduced_chi2};
use specae::analysis::residuals::{ResidualHistograms, wavelength_edges};
use specae::analysis::tracks::{line_between, percentile_track};
use specae::analysis::trust::trustworthiness;
use specae::analysis::umap::{UmapParams, place_by_neighbours, umap_embed};
use specae::util::progress::Progress;

/// `per` points around each of `centres` (Gaussian, σ = 1), labels = centre index.
fn clusters(centres: &[Vec<f32>], per: usize, seed: u64) -> (Array2<f32>, Vec<usize>) {
    let d = centres[0].len();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let g = Normal::new(0.0f32, 1.0).unwrap();
    let mut x = Array2::zeros((centres.len() * per, d));
    let mut labels = vec![];
    for (c, centre) in centres.iter().enumerate() {
        for i in 0..per {
            for j in 0..d {
                x[[c * per + i, j]] = centre[j] + g.sample(&mut rng);
            }
            labels.push(c);
        }
    }
    (x, labels)
}

fn five_clusters() -> (Array2<f32>, Vec<usize>) {
    let centres: Vec<Vec<f32>> = (0..5)
        .map(|c| (0..6).map(|j| if j == c { 12.0 } else { 0.0 }).collect())
        .collect();
    clusters(&centres, 300, 1)
}

/// Mean fraction of each point's 15 nearest embedding neighbours that share its label.
fn neighbour_label_agreement(emb: &Array2<f32>, labels: &[usize]) -> f64 {
    let index = KnnIndex::build(emb.view(), "embedding").unwrap();
    let g = index.graph(emb.view(), 15, false, "embedding").unwrap();
    let mut s = 0.0;
    for i in 0..emb.nrows() {
        let same = g
            .indices
            .row(i)
            .iter()
            .filter(|&&j| labels[j as usize] == labels[i])
            .count();
        s += same as f64 / 15.0;
    }
    s / emb.nrows() as f64
}

/// The regression test for the vendored umap-rs gradient fix (vendor/umap-rs/PATCHES.md):
/// without it, the clusters come out as one mixed ball (agreement 0.36).
#[test]
fn umap_keeps_separated_clusters_apart() {
    let (x, labels) = five_clusters();
    let emb = umap_embed(x.view(), &UmapParams::default(), &Progress::new()).unwrap();
    assert_eq!(emb.dim(), (1500, 2));
    let agreement = neighbour_label_agreement(&emb, &labels);
    assert!(agreement >= 0.95, "neighbour-label agreement {agreement}");
    let tw = trustworthiness(x.view(), emb.view(), 15).unwrap();
    assert!(tw > 0.9, "trustworthiness {tw}");
}

/// Above `fit_max` points the layout is optimised on an evenly spaced sample and the other
/// points placed among their nearest sampled neighbours: the clusters stay apart, every
/// placed point lands among its own cluster, the sampled points keep the sample's own layout,
/// and a seed still gives the same map.
#[test]
fn umap_above_fit_max_places_the_other_points_in_their_clusters() {
    let (x, labels) = five_clusters();
    let p = UmapParams {
        fit_max: 400,
        n_epochs: Some(200),
        ..Default::default()
    };
    let emb = umap_embed(x.view(), &p, &Progress::new()).unwrap();
    assert_eq!(emb.dim(), (1500, 2));
    let agreement = neighbour_label_agreement(&emb, &labels);
    assert!(agreement >= 0.95, "neighbour-label agreement {agreement}");
    let tw = trustworthiness(x.view(), emb.view(), 15).unwrap();
    assert!(tw > 0.9, "trustworthiness {tw}");
    // The sample (every 1500/400-th point) alone gives the sampled points' positions.
    let pick: Vec<usize> = (0..400).map(|j| j * 1500 / 400).collect();
    let sample = x.select(Axis(0), &pick);
    let alone = umap_embed(
        sample.view(),
        &UmapParams {
            fit_max: 0,
            ..p.clone()
        },
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(emb.select(Axis(0), &pick), alone);
    assert_eq!(umap_embed(x.view(), &p, &Progress::new()).unwrap(), emb);
    // A sample no larger than the neighbourhood is refused with the reason.
    let tiny = UmapParams {
        fit_max: 10,
        ..Default::default()
    };
    let e = umap_embed(x.view(), &tiny, &Progress::new()).unwrap_err();
    assert!(e.to_string().contains("sample of 10 points"), "{e}");
}

#[test]
fn umap_is_seeded() {
    let (x, _) = clusters(&[vec![0.0; 3], vec![8.0; 3]], 100, 2);
    let p = UmapParams {
        n_epochs: Some(50),
        ..Default::default()
    };
    let a = umap_embed(x.view(), &p, &Progress::new()).unwrap();
    // Same seed: the same layout; another seed: another one.
    let b = umap_embed(x.view(), &p, &Progress::new()).unwrap();
    assert_eq!(a, b);
    let other = UmapParams {
        seed: 1,
        ..p.clone()
    };
    let c = umap_embed(x.view(), &other, &Progress::new()).unwrap();
    assert_ne!(a, c);
    // Cancelling stops it.
    let r = umap_embed(x.view(), &p, &Progress::cancelling_at("UMAP", 10));
    assert!(matches!(r, Err(AnalysisError::Cancelled)));
}

#[test]
fn new_points_land_near_their_latent_neighbours() {
    let (x, labels) = five_clusters();
    let emb = umap_embed(x.view(), &UmapParams::default(), &Progress::new()).unwrap();
    let index = KnnIndex::build(x.view(), "latents").unwrap();
    // An existing point lands exactly on itself.
    let p = place_by_neighbours(&index, emb.view(), &x.row(7).to_vec(), 15).unwrap();
    assert_eq!(p, [emb[[7, 0]], emb[[7, 1]]]);
    // A new point at cluster 3's centre lands among cluster 3's points.
    let centre: Vec<f32> = (0..6).map(|j| if j == 3 { 12.0 } else { 0.0 }).collect();
    let p = place_by_neighbours(&index, emb.view(), &centre, 15).unwrap();
    let nearest = (0..emb.nrows())
        .min_by(|&a, &b| {
            let d = |i: usize| (emb[[i, 0]] - p[0]).powi(2) + (emb[[i, 1]] - p[1]).powi(2);
            d(a).total_cmp(&d(b))
        })
        .unwrap();
    assert_eq!(labels[nearest], 3);
}

#[test]
fn lof_finds_a_planted_outlier() {
    let (mut x, _) = clusters(&[vec![0.0; 6]], 300, 3);
    for j in 0..6 {
        x[[123, j]] = 9.0;
    }
    let lof = local_outlier_factor(x.view(), 20).unwrap();
    let top = (0..lof.len())
        .max_by(|&a, &b| lof[a].total_cmp(&lof[b]))
        .unwrap();
    assert_eq!(top, 123);
    assert!(lof[123] > 3.0, "{}", lof[123]);
    let mut inl: Vec<f64> = lof
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 123)
        .map(|(_, v)| *v)
        .collect();
    inl.sort_by(|a, b| a.total_cmp(b));
    let median = inl[inl.len() / 2];
    assert!((median - 1.0).abs() < 0.1, "median inlier LOF {median}");
}

#[test]
fn knn_classifier_accuracy_reflects_separation() {
    let (x, labels) = five_clusters();
    let acc = knn_cross_validate(x.view(), &labels, 5, 5, 0).unwrap();
    assert_eq!(acc.overall, 1.0);
    assert_eq!(acc.per_label.len(), 5);
    assert!(acc.per_label.iter().all(|&(_, n, a)| n == 300 && a == 1.0));
    // Labels unrelated to position: chance level (1/5).
    let shuffled: Vec<usize> = (0..labels.len()).map(|i| (i * 7 + i / 3) % 5).collect();
    let acc = knn_cross_validate(x.view(), &shuffled, 5, 5, 0).unwrap();
    assert!(acc.overall < 0.35, "{}", acc.overall);
}

#[test]
fn trustworthiness_is_one_for_a_faithful_embedding_and_lower_for_a_scrambled_one() {
    let (x, _) = clusters(&[vec![0.0, 0.0], vec![6.0, 0.0]], 150, 4);
    assert!((trustworthiness(x.view(), x.view(), 15).unwrap() - 1.0).abs() < 1e-12);
    let mut scrambled = x.clone();
    let n = x.nrows();
    for i in 0..n {
        scrambled.row_mut(i).assign(&x.row((i * 97 + 13) % n));
    }
    let t = trustworthiness(x.view(), scrambled.view(), 15).unwrap();
    assert!(t < 0.7, "{t}");
}

#[test]
fn bad_input_gives_clear_errors() {
    let (mut x, labels) = clusters(&[vec![0.0; 6]], 50, 5);
    let p = UmapParams::default();
    let go = &Progress::new();

    x[[17, 4]] = f32::NAN;
    let e = umap_embed(x.view(), &p, go).unwrap_err();
    assert!(
        matches!(
            e,
            AnalysisError::NonFinite {
                row: 17,
                col: 4,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("row 17, column 4"), "{e}");
    assert!(local_outlier_factor(x.view(), 20).is_err());
    assert!(knn_cross_validate(x.view(), &labels, 5, 5, 0).is_err());
    x[[17, 4]] = 0.0;

    let few = x.slice(ndarray::s![..10, ..]).to_owned();
    let e = umap_embed(few.view(), &p, go).unwrap_err();
    assert!(
        matches!(e, AnalysisError::TooFewPoints { n: 10, k: 14, .. }),
        "{e}"
    );
    assert!(matches!(
        local_outlier_factor(few.view(), 20),
        Err(AnalysisError::TooFewPoints { .. })
    ));

    let empty = Array2::<f32>::zeros((0, 6));
    assert!(matches!(
        umap_embed(empty.view(), &p, go),
        Err(AnalysisError::Empty { .. })
    ));
    let wide = Array2::<f32>::zeros((50, 13));
    assert!(matches!(
        KnnIndex::build(wide.view(), "latents"),
        Err(AnalysisError::Dimension { d: 13, .. })
    ));
    let bad = UmapParams {
        min_dist: 2.0,
        ..Default::default()
    };
    assert!(matches!(
        umap_embed(x.view(), &bad, go),
        Err(AnalysisError::Invalid(_))
    ));
    assert!(knn_cross_validate(x.view(), &labels[..10], 5, 5, 0).is_err());
}

#[test]
fn outlier_table_and_precision() {
    assert!(
        (reduced_chi2(&[1.0, 2.0, 3.0], &[1.0, 1.0, 0.0], &[1.0, 2.0, 0.0]) - 1.0).abs() < 1e-12
    );
    assert_eq!(reduced_chi2(&[1.0], &[0.0], &[0.0]), 0.0);
    let lof = vec![1.0, 5.0, 1.1, 0.9];
    let chi2 = vec![1.0, 1.0, 1.0, 8.0];
    let t = outlier_table(&lof, &chi2);
    assert_eq!(t.len(), 4);
    // Points 1 (highest LOF) and 3 (highest χ²) lead the table.
    let top: Vec<usize> = t[..2].iter().map(|r| r.index).collect();
    assert!(top.contains(&1) && top.contains(&3), "{top:?}");
    let flagged = [false, true, false, false];
    assert_eq!(precision_at_top(&lof, &flagged, 0.25), 1.0);
    assert_eq!(precision_at_top(&chi2, &flagged, 0.25), 0.0);
}

#[test]
fn residual_histograms_bin_known_residuals() {
    let edges = wavelength_edges(3.53, 0.00039, 4);
    assert_eq!(edges.len(), 5);
    assert!(edges[0] < 10f64.powf(3.53) && edges[1] > 10f64.powf(3.53));
    let mut h = ResidualHistograms::new(edges);
    let x =
        Array2::from_shape_vec((2, 4), vec![1.0f32, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
    let xhat =
        Array2::from_shape_vec((2, 4), vec![0.5f32, 1.0, 1.0, 3.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
    let w = Array2::from_shape_vec((2, 4), vec![100.0f32, 100.0, 0.0, 1.0, 1e4, 1e4, 1e4, 1e4])
        .unwrap();
    h.add(x.view(), xhat.view(), w.view());
    // 7 pixels with w > 0; the residual −2 at pixel 3 is outside the ±1 range.
    assert_eq!(h.vs_wavelength.total, 7);
    assert_eq!(h.vs_wavelength.outside, 1);
    assert_eq!(h.vs_wavelength.counts.sum(), 6);
    // Residual 0.5 at pixel 0: y bin of 0.5 in [−1, 1) with 160 bins = 120.
    assert_eq!(h.vs_wavelength.counts[[120, 0]], 1);
    // Column 0 holds residuals 0.5 and 0 (y bin 80).
    assert_eq!(h.vs_wavelength.counts.column(0).sum(), 2);
    assert_eq!(h.vs_wavelength.counts[[80, 0]], 1);
    // Inverse variance: log10 100 = 2, log10 1e4 = 4 in [−1, 6.5) with 150 bins → 60 and 100.
    assert_eq!(h.vs_ivar.counts.column(60).sum(), 2);
    assert_eq!(h.vs_ivar.counts.column(100).sum(), 4);
    // The data-driven range: ±6 robust σ rounded up to 1/2/2.5/5 × 10^k.
    let r = Array2::from_shape_fn(
        (10, 100),
        |(i, j)| if (i + j) % 2 == 0 { 0.01f32 } else { -0.01 },
    );
    let zero = Array2::<f32>::zeros((10, 100));
    let ones = Array2::<f32>::ones((10, 100));
    let range = specae::analysis::residuals::residual_range(r.view(), zero.view(), ones.view());
    assert_eq!(range, (-0.1, 0.1)); // 6 × 1.4826 × 0.01 = 0.089 → 0.1
    // Subsets merge.
    let mut all = h.clone();
    all.vs_wavelength.merge(&h.vs_wavelength);
    assert_eq!(all.vs_wavelength.counts.sum(), 12);
}

#[test]
fn latent_tracks() {
    let t = line_between(&[0.0, 1.0], &[4.0, -1.0], 5).unwrap();
    assert_eq!(t.row(0).to_vec(), vec![0.0, 1.0]);
    assert_eq!(t.row(4).to_vec(), vec![4.0, -1.0]);
    assert_eq!(t.row(2).to_vec(), vec![2.0, 0.0]);
    assert!(line_between(&[0.0], &[1.0, 2.0], 5).is_err());
    assert!(line_between(&[f32::NAN], &[1.0], 5).is_err());
    let z = Array2::from_shape_fn((101, 3), |(i, j)| (i as f32) * (j as f32 + 1.0));
    let p = percentile_track(z.view(), 1, &[0.0, 50.0, 100.0]).unwrap();
    assert_eq!(p.column(1).to_vec(), vec![0.0, 100.0, 200.0]);
    assert_eq!(p.column(0).to_vec(), vec![50.0; 3]);
    assert_eq!(p.column(2).to_vec(), vec![150.0; 3]);
    assert!(percentile_track(z.view(), 3, &[50.0]).is_err());
    assert_eq!(z.len_of(Axis(0)), 101);
}

#[test]
fn residual_histograms_of_any_subset_add_up() {
    use burn::prelude::Device;
    use specae::analysis::residuals::residuals_of_rows;
    use specae::data::Spectra;
    use specae::model::AutoencoderConfig;
    use specae::synth::{SynthConfig, generate};
    let cfg = SynthConfig {
        n: 40,
        seed: 5,
        ..SynthConfig::default()
    };
    let survey = generate(&cfg, &Progress::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.zarr");
    specae::data::store::write_survey(&survey, &store, &Progress::new()).unwrap();
    let s = Spectra::from_survey(survey);
    let device = Device::flex();
    let model = AutoencoderConfig::new().init(&device);
    let all: Vec<u32> = (0..40).collect();
    let range = (-0.5, 0.5);
    let h = residuals_of_rows(&model, &device, (&s).into(), &all, range).unwrap();
    let weighted = s.w.iter().filter(|&&w| w > 0.0).count() as u64;
    assert_eq!(h.vs_wavelength.total, weighted);
    assert_eq!(
        h.vs_wavelength.counts.sum() + h.vs_wavelength.outside,
        weighted
    );
    let mut a = residuals_of_rows(&model, &device, (&s).into(), &all[..13], range).unwrap();
    let b = residuals_of_rows(&model, &device, (&s).into(), &all[13..], range).unwrap();
    a.vs_wavelength.merge(&b.vs_wavelength);
    assert_eq!(a.vs_wavelength.counts, h.vs_wavelength.counts);
    // Out-of-range rows are ignored, not a panic.
    let none = residuals_of_rows(&model, &device, (&s).into(), &[999], range).unwrap();
    assert_eq!(none.vs_wavelength.total, 0);
    assert_eq!(h.vs_wavelength.y_range(), range);
    // A selection of a store (any order, repeats) reads its rows from disk: the same counts.
    let rows = specae::data::store::StoreRows::open(&store).unwrap();
    let catalogue = specae::data::catalogue::Catalogue::of_store(&rows).unwrap();
    let streamed = specae::analysis::rows::SpectraRows::Stream {
        rows: &rows,
        catalogue: &catalogue,
    };
    let pick = [39, 3, 7, 3, 0];
    let on_disk = residuals_of_rows(&model, &device, streamed, &pick, range).unwrap();
    let in_memory = residuals_of_rows(&model, &device, (&s).into(), &pick, range).unwrap();
    assert_eq!(on_disk.vs_wavelength.counts, in_memory.vs_wavelength.counts);
    assert_eq!(on_disk.vs_ivar.counts, in_memory.vs_ivar.counts);
    assert!(on_disk.vs_wavelength.total > 0);
}

/// Exact duplicate points (the same spectrum twice) are accepted as scikit-learn and umap-learn
/// accept them: zero distances are valid neighbours, nothing is NaN, copies stay together.
#[test]
fn exact_duplicate_points_are_accepted() {
    let (mut x, labels) = five_clusters();
    // Row 3 three more times, row 40 once more (a survey with repeated spectra).
    for (from, to) in [(3, 100), (3, 401), (3, 702), (40, 1003)] {
        let r = x.row(from).to_owned();
        x.row_mut(to).assign(&r);
    }
    let index = KnnIndex::build(x.view(), "latents").unwrap();
    let g = index.graph(x.view(), 15, true, "latents").unwrap();
    for i in [3usize, 100, 401, 702] {
        assert_eq!(
            g.indices[[i, 0]] as usize,
            i,
            "column 0 is the point itself"
        );
        let twins: Vec<usize> = (1..4).map(|c| g.indices[[i, c]] as usize).collect();
        assert!(
            (1..4).all(|c| g.dists[[i, c]] == 0.0),
            "row {i}: its three copies come first at distance 0: {twins:?}"
        );
        assert!(
            !twins.contains(&i),
            "row {i} is not its own neighbour twice"
        );
    }
    let lof = local_outlier_factor(x.view(), 20).unwrap();
    assert!(lof.iter().all(|v| v.is_finite()), "LOF finite");
    for i in [3usize, 100, 401, 702, 40, 1003] {
        assert!(
            lof[i] < 2.0,
            "a duplicated inlier is not an outlier: LOF {}",
            lof[i]
        );
    }
    let emb = umap_embed(x.view(), &UmapParams::default(), &Progress::new()).unwrap();
    let d = |a: usize, b: usize| {
        ((emb[[a, 0]] - emb[[b, 0]]).powi(2) + (emb[[a, 1]] - emb[[b, 1]]).powi(2)).sqrt()
    };
    assert!(d(3, 100) < 0.5 && d(40, 1003) < 0.5, "copies land together");
    assert!(neighbour_label_agreement(&emb, &labels) > 0.9);
    let acc = knn_cross_validate(x.view(), &labels, 5, 5, 0).unwrap();
    assert!(acc.overall > 0.95, "{}", acc.overall);
}

/// One kNN graph with the most neighbours any step needs gives the LOF's, the UMAP's (with
/// each point itself first) and the duplicate count as their own queries did (exactly, where
/// no two neighbours are equally far: among ties either may come first).
#[test]
fn one_knn_graph_serves_the_lof_the_umap_and_the_duplicate_count() {
    use specae::analysis::lof::lof_of_graph;
    let (mut x, _) = five_clusters();
    let index = KnnIndex::build(x.view(), "x").unwrap();
    let big = index.graph(x.view(), 20, false, "x").unwrap();
    let umap = index.graph(x.view(), 15, true, "x").unwrap();
    let from = big.first(15, true).unwrap();
    assert_eq!(from.indices, umap.indices);
    assert_eq!(from.dists, umap.dists);
    assert_eq!(big.duplicates, 0);
    // A spectrum twice.
    let row = x.row(7).to_owned();
    x.row_mut(8).assign(&row);
    let index = KnnIndex::build(x.view(), "x").unwrap();
    let big = index.graph(x.view(), 20, false, "x").unwrap();
    assert_eq!(
        big.duplicates,
        index.graph(x.view(), 1, false, "x").unwrap().duplicates
    );
    assert_eq!(big.duplicates, 2);
    assert_eq!(
        lof_of_graph(&big, 20),
        local_outlier_factor(x.view(), 20).unwrap()
    );
    assert!(big.first(22, false).is_none() && big.first(0, true).is_none());
}
