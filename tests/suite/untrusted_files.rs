//! The readers of untrusted files on damaged input: a bounded, seeded mutation test of each
//! reader (the normal run's share of the fuzzing that `scripts/fuzz.sh` does with cargo-fuzz),
//! every input cargo-fuzz ever crashed a reader with (tests/fixtures/fuzz/<reader>/), and
//! files whose headers claim far more data than they hold.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use specae::fuzzing;

type Reader = fn(&[u8]) -> Result<(), String>;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One random change of a kind that real damage and hand-edited headers produce.
fn mutate(seed: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    if b.is_empty() {
        return vec![rng.random()];
    }
    for _ in 0..rng.random_range(1..4) {
        let at = rng.random_range(0..b.len());
        match rng.random_range(0..7) {
            0 => b[at] ^= 1 << rng.random_range(0..8),
            1 => b[at] = [0x00, 0xff, 0x7f, 0x80][rng.random_range(0..4)],
            2 => b.truncate(at),
            3 => {
                let end = (at + rng.random_range(1..64)).min(b.len());
                let chunk = b[at..end].to_vec();
                let to = rng.random_range(0..=b.len());
                b.splice(to..to, chunk);
            }
            4 => {
                // A huge or negative number where a size or count might be (FITS cards are
                // ASCII; npy headers are Python literals).
                let n = ["999999999999", "-1", "0", "18446744073709551615", "1e308"]
                    [rng.random_range(0..5)];
                let end = (at + n.len()).min(b.len());
                b.splice(at..end, n.bytes());
            }
            5 => {
                let end = (at + 8).min(b.len());
                let v: u64 = [u64::MAX, 1 << 40, 0, u32::MAX as u64][rng.random_range(0..4)];
                b.splice(at..end, v.to_le_bytes());
            }
            _ => {
                let end = (at + rng.random_range(1..256)).min(b.len());
                b.drain(at..end);
            }
        }
        if b.is_empty() {
            break;
        }
    }
    b
}

/// Runs `read` on `input`; a panic is reported with the input saved for replay.
fn no_panic(name: &str, read: Reader, input: &[u8], what: &str) {
    let r = catch_unwind(AssertUnwindSafe(|| read(input)));
    if r.is_err() {
        let keep = std::env::temp_dir().join(format!("specae-{name}-panic.bin"));
        let _ = std::fs::write(&keep, input);
        panic!(
            "the {name} reader panicked on {what} (saved to {}; add it to tests/fixtures/fuzz/{name}/)",
            keep.display()
        );
    }
}

/// Mutates each seed for up to `budget` (at most `per_seed` inputs each); returns the count.
fn mutation_run(
    name: &str,
    read: Reader,
    seeds: &[Vec<u8>],
    per_seed: usize,
    budget: Duration,
) -> usize {
    let t0 = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut runs = 0;
    for seed in seeds {
        // The seed itself reads cleanly or gives an error; it never panics.
        no_panic(name, read, seed, "a seed file");
        for k in 0..per_seed {
            if t0.elapsed() > budget {
                return runs;
            }
            let input = mutate(seed, &mut rng);
            no_panic(name, read, &input, &format!("mutation {k}"));
            runs += 1;
        }
    }
    runs
}

/// Inputs cargo-fuzz once crashed a reader with (kept as regression tests).
fn regressions(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fixtures().join("fuzz").join(name);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut v: Vec<(PathBuf, Vec<u8>)> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

fn check_reader(name: &str, read: Reader, seeds: Vec<Vec<u8>>) {
    // scripts/fuzz.sh takes its seed corpora from here.
    if let Some(dir) = std::env::var_os("SPECAE_FUZZ_SEEDS") {
        let dir = PathBuf::from(dir).join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (k, s) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{k}")), s).unwrap();
        }
    }
    for (p, input) in regressions(name) {
        no_panic(name, read, &input, &p.display().to_string());
    }
    let runs = mutation_run(name, read, &seeds, 2000, Duration::from_secs(15));
    eprintln!(
        "{name}: {} seeds, {runs} mutated inputs, no panic",
        seeds.len()
    );
    assert!(runs > 0);
}

fn read_all(paths: impl IntoIterator<Item = PathBuf>) -> Vec<Vec<u8>> {
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

#[test]
fn survey_files_never_panic_the_reader() {
    let seeds = read_all(
        ["small_ok.npz", "refsynth.npz", "bad_object_array.npz"]
            .iter()
            .map(|f| fixtures().join(f)),
    );
    assert_eq!(seeds.len(), 3);
    check_reader("npz", fuzzing::survey_npz, seeds);
}

#[test]
fn fits_files_never_panic_the_reader() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/sdss");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&shared)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "fits" || e == "fit"));
    paths.sort();
    if paths.is_empty() {
        eprintln!("skipped the seeded part: {} is absent", shared.display());
    }
    // FITS cards are where damage bites: mutate the headers more than the data. Small valid
    // files of both layouts keep the whole reading path within a fuzzer's reach.
    let mut seeds: Vec<Vec<u8>> = read_all(paths)
        .into_iter()
        .flat_map(|b| {
            let head = b[..b.len().min(2880 * 4)].to_vec();
            [b, head]
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let (spec, spspec) = (dir.path().join("spec.fits"), dir.path().join("spSpec.fit"));
    crate::common::write_spec(&spec, 0.1, 0, "GALAXY", 300, 300);
    crate::common::write_spspec(&spspec, 0.05, 300);
    seeds.extend(read_all([spec, spspec]));
    for s in &seeds[seeds.len() - 2..] {
        fuzzing::sdss_fits(s).expect("the small written files read");
    }
    check_reader("fits", fuzzing::sdss_fits, seeds);
}

#[test]
fn weights_and_checkpoints_never_panic_the_reader() {
    use burn::prelude::Device;
    use specae::model::AutoencoderConfig;
    use specae::train::{TrainConfig, Trainer};
    let dir = tempfile::tempdir().unwrap();
    let cfg = AutoencoderConfig::new()
        .with_n_bins(24)
        .with_hidden(vec![8])
        .with_latent(2);
    let weights = dir.path().join("w.safetensors");
    specae::train::checkpoint::export_weights(&cfg.init(&Device::flex()), &weights).unwrap();
    let x = ndarray::Array2::from_shape_fn((40, 24), |(i, j)| ((i * j) % 7) as f32 * 0.1 + 1.0);
    let data = specae::train::trainer::TrainData {
        x: std::sync::Arc::new(x.clone()),
        w: std::sync::Arc::new(x.mapv(|_| 1.0)),
        split: specae::data::Split::seeded(40, 0, 0.75),
        identity: None,
    };
    let mut t = Trainer::new(
        TrainConfig::new(cfg).with_batch_size(8).with_max_epochs(1),
        data,
        &Device::flex(),
    )
    .unwrap();
    t.run_epoch(&mut |_| specae::train::trainer::Flow::Continue)
        .unwrap();
    let ck = dir.path().join("ck.safetensors");
    specae::train::checkpoint::save(&t, "cpu", &ck).unwrap();
    let seeds = read_all([weights, ck]);
    for s in &seeds {
        fuzzing::weights_and_checkpoint(s).expect("the seeds read");
    }
    check_reader("safetensors", fuzzing::weights_and_checkpoint, seeds);
}

#[test]
fn analysis_caches_never_panic_the_reader() {
    use specae::analysis::options::AnalysisOptions;
    use specae::analysis::run::{Inputs, analyze};
    use specae::util::progress::Progress;
    let dir = tempfile::tempdir().unwrap();
    // 60 spectra of 40 bins: a small analysis.npz, every array present.
    let (n, d) = (60, 40);
    let spectra_raw = ndarray::Array2::from_shape_fn((n, d), |(i, j)| {
        1.0 + ((i * 7 + j * 3) % 11) as f32 * 0.1 + (i % 3) as f32
    });
    let survey = specae::data::Survey {
        spectra: spectra_raw,
        mask: ndarray::Array2::from_elem((n, d), false),
        spec_err: ndarray::Array2::from_elem((n, d), 1.0),
        coeff0: 3.6,
        coeff1: 0.002,
        norms: ndarray::Array1::from_elem(n, 1.0),
        mu: ndarray::Array1::zeros(d),
        evecs: ndarray::Array2::zeros((1, d)),
        coeffs: ndarray::Array2::zeros((n, 1)),
        evals: None,
        meta: specae::data::survey::Metadata {
            lineindex_cln: Some(ndarray::Array1::from_shape_fn(n, |i| 2 + (i % 4) as i64)),
            ..Default::default()
        },
        truth: None,
    };
    let spectra = specae::data::Spectra::from_survey(survey);
    let device = burn::prelude::Device::flex();
    let model = specae::model::AutoencoderConfig::new()
        .with_n_bins(d)
        .with_hidden(vec![12])
        .with_latent(3)
        .init(&device);
    let split = specae::data::Split::seeded(n, 0, 0.75);
    let mut opt = AnalysisOptions::default();
    opt.umap.n_epochs = Some(20);
    opt.trust_sample = 60;
    let inputs = Inputs {
        spectra: &spectra,
        model: &model,
        device: &device,
        split: &split,
        model_path: None,
        data_path: None,
    };
    let a = analyze(&inputs, &opt, &Progress::new()).unwrap();
    a.write(dir.path(), &spectra, &split).unwrap();
    let seed = std::fs::read(dir.path().join("analysis.npz")).unwrap();
    fuzzing::analysis_cache(&seed).expect("the seed reads");
    check_reader("analysis_cache", fuzzing::analysis_cache, vec![seed]);
}

// ---- Headers that claim far more than the file holds ---------------------------------------

fn card(out: &mut Vec<u8>, s: &str) {
    let mut c = format!("{s:<80}").into_bytes();
    c.truncate(80);
    out.extend(c);
}

/// A DR7 spSpec header claiming 10⁶ × 10⁶ pixels, followed by one block of data.
fn giant_spspec() -> Vec<u8> {
    let mut b = vec![];
    for c in [
        "SIMPLE  =                    T",
        "BITPIX  =                  -32",
        "NAXIS   =                    2",
        "NAXIS1  =              1000000",
        "NAXIS2  =              1000000",
        "COEFF0  =               3.5800",
        "COEFF1  =               0.0001",
        "Z       =                  0.1",
        "END",
    ] {
        card(&mut b, c);
    }
    b.resize(2880 * 2, 0);
    b
}

/// An npz whose spectra array claims shape (10⁶, 10⁶) float32 but holds 16 bytes.
fn giant_npz() -> Vec<u8> {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }";
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    let mut h = header.to_string();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    npy.extend((h.len() as u16).to_le_bytes());
    npy.extend(h.as_bytes());
    npy.extend([0u8; 16]);
    let mut out = std::io::Cursor::new(vec![]);
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("spectra.npy", opts).unwrap();
        std::io::Write::write_all(&mut z, &npy).unwrap();
        z.finish().unwrap();
    }
    out.into_inner()
}

/// An archive whose tail holds hundreds of end-of-central-directory markers (found by fuzzing:
/// the zip reader tried each one over the whole file) is refused at once.
#[test]
fn archives_with_many_end_markers_are_refused() {
    let slow = std::fs::read(fixtures().join("fuzz/npz/slow-eocd-3710593b")).unwrap();
    let e = fuzzing::survey_npz(&slow).unwrap_err();
    assert!(e.contains("end-of-central-directory markers"), "{e}");
    let e = fuzzing::analysis_cache(&slow).unwrap_err();
    assert!(e.contains("end-of-central-directory markers"), "{e}");
}

#[test]
fn headers_claiming_huge_arrays_are_errors_not_allocations() {
    let e = fuzzing::sdss_fits(&giant_spspec()).unwrap_err();
    assert!(e.contains("claims 1000000 × 1000000 pixels"), "{e}");
    let e = fuzzing::survey_npz(&giant_npz()).unwrap_err();
    assert!(
        e.contains("spectra") && e.contains("claims shape [1000000, 1000000]"),
        "{e}"
    );
}
