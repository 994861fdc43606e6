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
    specae::train::checkpoint::export_weights(&cfg.init(&Device::flex()), None, &weights).unwrap();
    let x = ndarray::Array2::from_shape_fn((40, 24), |(i, j)| ((i * j) % 7) as f32 * 0.1 + 1.0);
    let data = specae::train::trainer::TrainData {
        rows: specae::train::stream::Rows::memory(
            std::sync::Arc::new(x.clone()),
            std::sync::Arc::new(x.mapv(|_| 1.0)),
        ),
        split: specae::data::Split::seeded(40, 0, 0.75),
        identity: None,
        grid: None,
        infill: None,
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
        spectra: (&spectra).into(),
        model: &model,
        device: &device,
        split: &split,
        model_path: None,
        data_path: None,
        latents: None,
    };
    let a = analyze(&inputs, &opt, &Progress::new()).unwrap();
    a.write(dir.path(), (&spectra).into(), &split).unwrap();
    let seed = std::fs::read(dir.path().join("analysis.npz")).unwrap();
    fuzzing::analysis_cache(&seed).expect("the seed reads");
    check_reader("analysis_cache", fuzzing::analysis_cache, vec![seed]);
}

#[test]
fn labels_files_never_panic_the_reader_and_survive_a_round_trip() {
    // The format's words in the seeds (quotes, every tag, the ranked list's columns), so
    // mutations reach the parser's branches rather than the header check.
    let seeds: Vec<Vec<u8>> = [
        "id,score,tags\n266-51602-0001,5,interesting;post-starburst\n\"TARGETID 3962 (sv3/dark)\",0,sky residual;artefact\n",
        "rank,row,id,class,z,lof,chi2,combined_percentile,learned_interest,score,tags\n1,7,\"a,\"\"b\"\"\",quiescent,0.1,1.0,2.0,0.9,,3,star;flux calibration\n",
        "id,tags\nrow 3 of 0123abcd,artefact\r\nx,\n",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    for s in &seeds {
        fuzzing::labels_csv(s).expect("the seeds read");
    }
    check_reader("labels", fuzzing::labels_csv, seeds.clone());
    // The mutations never break the round trip either (the reader's own output reads back
    // the same).
    for s in &seeds {
        for cut in 0..s.len() {
            if let Err(e) = fuzzing::labels_csv(&s[..cut]) {
                assert!(!e.contains("round trip"), "{e}: {:?}", &s[..cut]);
            }
        }
    }
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

// ---- FITS headers, card by card -------------------------------------------------------------
//
// Byte-level mutation rarely writes a whole card such as `TFIELDS = 2147483648`, which once
// made ingest loop for minutes on a 170 KB file. These mutations know the format: they find
// the header cards (80 bytes, at 80-byte offsets, `KEYWORD = value`) of the keywords that
// drive a reader's loops and sizes, and give them huge, negative, zero, non-numeric, missing or
// repeated values (or end the header early), keeping the file's length.

/// Keywords whose values size or count something, and those the readers look up.
fn is_sizing_key(key: &str) -> bool {
    const EXACT: [&str; 16] = [
        "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "THEAP", "BSCALE", "BZERO", "XTENSION",
        "EXTNAME", "ZNAXIS", "COEFF0", "COEFF1", "Z", "SURVEY", "PROGRAM",
    ];
    EXACT.contains(&key)
        || ["NAXIS", "TFORM", "TTYPE", "TDIM", "ZNAXIS"]
            .iter()
            .any(|p| key.starts_with(p) && key[p.len()..].bytes().all(|b| b.is_ascii_digit()))
}

/// Byte offsets of the cards of sizing keywords.
fn sizing_cards(b: &[u8]) -> Vec<usize> {
    (0..b.len() / 80)
        .map(|k| k * 80)
        .filter(|&at| {
            let c = &b[at..at + 80];
            c[8..10] == *b"= "
                && c[..8].iter().all(|&x| {
                    x.is_ascii_uppercase() || x.is_ascii_digit() || x == b'_' || x == b' '
                })
                && is_sizing_key(std::str::from_utf8(&c[..8]).unwrap_or("").trim())
        })
        .collect()
}

const CARD_VALUES: [&str; 16] = [
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "999999999999",
    "1000",
    "-1",
    "-2147483649",
    "0",
    "'X'",
    "T",
    "1E308",
    "NaN",
    "''",
    "'2147483647E'",
    "'1PB(99999999)'",
];

fn set_card(b: &mut [u8], at: usize, text: &str) {
    let mut c = format!("{text:<80}").into_bytes();
    c.truncate(80);
    b[at..at + 80].copy_from_slice(&c);
}

/// One to three card-level changes of `seed`.
fn mutate_cards(seed: &[u8], cards: &[usize], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    if cards.is_empty() {
        return mutate(seed, rng);
    }
    for _ in 0..rng.random_range(1..4) {
        let at = cards[rng.random_range(0..cards.len())];
        let key = String::from_utf8_lossy(&b[at..at + 8]).to_string();
        match rng.random_range(0..10) {
            0..6 => {
                let v = CARD_VALUES[rng.random_range(0..CARD_VALUES.len())];
                set_card(&mut b, at, &format!("{key}= {v:>20}"));
            }
            // Missing: the card blanked.
            6 => set_card(&mut b, at, ""),
            // Repeated: the card over the next one (another keyword's place).
            7 => {
                if at + 160 <= b.len() {
                    let c = b[at..at + 80].to_vec();
                    b[at + 80..at + 160].copy_from_slice(&c);
                }
            }
            // The header ended early.
            8 => set_card(&mut b, at, "END"),
            // Another sizing card's value here.
            _ => {
                let from = cards[rng.random_range(0..cards.len())];
                let v = b[from + 10..from + 80].to_vec();
                b[at + 10..at + 80].copy_from_slice(&v);
            }
        }
    }
    b
}

/// Card-mutates each seed up to `per_seed` times within `budget`; fails on a panic or on an
/// input that takes `too_slow` (a hang: real readers take milliseconds). Returns the count
/// and the slowest input's time.
fn card_mutation_run(
    name: &str,
    read: Reader,
    seeds: &[Vec<u8>],
    per_seed: usize,
    budget: Duration,
    too_slow: Duration,
) -> (usize, Duration) {
    let t0 = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(0xCA7D);
    let (mut runs, mut slowest) = (0, Duration::ZERO);
    let per_seed_budget = budget
        .checked_div(seeds.len().max(1) as u32)
        .unwrap_or(budget);
    for seed in seeds {
        let cards = sizing_cards(seed);
        assert!(!cards.is_empty(), "a {name} seed without header cards");
        let ts = Instant::now();
        for k in 0..per_seed {
            if ts.elapsed() > per_seed_budget || t0.elapsed() > budget {
                break;
            }
            let input = mutate_cards(seed, &cards, &mut rng);
            let t = Instant::now();
            no_panic(name, read, &input, &format!("card mutation {k}"));
            let took = t.elapsed();
            if took > too_slow {
                let keep = std::env::temp_dir().join(format!("specae-{name}-slow.bin"));
                let _ = std::fs::write(&keep, &input);
                panic!(
                    "the {name} reader took {took:?} on card mutation {k} (saved to {})",
                    keep.display()
                );
            }
            slowest = slowest.max(took);
            runs += 1;
        }
    }
    (runs, slowest)
}

/// Small files of the three FITS layouts specae reads: SDSS DR8+ and DR7 (written by the
/// tests) and DESI coadds + redrock files (the fixture galaxies written by specae), plus the
/// real files of ../shared where present.
fn fits_layout_seeds() -> [(&'static str, Reader, Vec<Vec<u8>>); 3] {
    let dir = tempfile::tempdir().unwrap();
    let (spec, spspec) = (dir.path().join("spec.fits"), dir.path().join("spSpec.fit"));
    crate::common::write_spec(&spec, 0.1, 0, "GALAXY", 300, 300);
    crate::common::write_spspec(&spspec, 0.05, 300);
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let real = |sub: &str, prefix: &str| -> Vec<Vec<u8>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(shared.join(sub))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.retain(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        });
        v.sort();
        read_all(v.into_iter().take(2))
    };
    let mut dr8 = read_all([spec]);
    dr8.extend(real("sdss", "spec-"));
    let mut dr7 = read_all([spspec]);
    dr7.extend(real("sdss", "spSpec-"));
    let desi_dir = dir.path().join("desi");
    std::fs::create_dir_all(&desi_dir).unwrap();
    let survey = specae::data::Survey::read(&fixtures().join("sdss-galaxies.npz")).unwrap();
    let layout = specae::ingest::desi_write::DesiLayout {
        per_file: 1,
        repeat_every: 0,
        resolution: false,
    };
    let w = specae::ingest::desi_write::write_desi(
        &survey,
        &desi_dir,
        &layout,
        &specae::util::progress::Progress::new(),
    )
    .unwrap();
    // One coadd and its redrock file.
    let mut desi = read_all(w.files.into_iter().take(2));
    desi.extend(real("desi", "coadd-4"));
    desi.extend(real("desi", "redrock-4"));
    for s in &desi {
        fuzzing::desi_fits(s).expect("the DESI seeds read");
    }
    [
        ("fits-dr8", fuzzing::sdss_fits as Reader, dr8),
        ("fits-dr7", fuzzing::sdss_fits as Reader, dr7),
        ("desi", fuzzing::desi_fits as Reader, desi),
    ]
}

#[test]
fn fits_headers_with_absurd_card_values_never_panic_or_hang_the_readers() {
    // What this test once found (overflows in fitsrs): replayed first.
    for (p, input) in regressions("desi") {
        no_panic("desi", fuzzing::desi_fits, &input, &p.display().to_string());
    }
    for (name, read, seeds) in fits_layout_seeds() {
        if let Some(dir) = std::env::var_os("SPECAE_FUZZ_SEEDS")
            && name == "desi"
        {
            let dir = PathBuf::from(dir).join(name);
            std::fs::create_dir_all(&dir).unwrap();
            for (k, s) in seeds.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{k}")), s).unwrap();
            }
        }
        // SPECAE_CARD_MUTATIONS=N runs N card mutations of each layout (shared among its
        // seeds) with no time budget and fails on any input over 1 s: a long fuzzing run, the
        // numbers in fuzz/README.md. SPECAE_CARD_LAYOUTS=fits-dr7,desi picks layouts. The
        // normal run takes ~12 s a layout and fails only at 10 s an input (a loaded CI machine).
        let long = std::env::var("SPECAE_CARD_MUTATIONS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if let Ok(only) = std::env::var("SPECAE_CARD_LAYOUTS")
            && !only.split(',').any(|l| l.trim() == name)
        {
            continue;
        }
        let (per_seed, budget, too_slow) = match long {
            Some(n) => (
                n.div_ceil(seeds.len().max(1)),
                Duration::MAX,
                Duration::from_secs(1),
            ),
            None => (3000, Duration::from_secs(12), Duration::from_secs(10)),
        };
        let t0 = Instant::now();
        let (runs, slowest) = card_mutation_run(name, read, &seeds, per_seed, budget, too_slow);
        eprintln!(
            "{name}: {} seeds, {runs} card-mutated inputs in {:.0} s, no panic, slowest \
             {slowest:?}",
            seeds.len(),
            t0.elapsed().as_secs_f64()
        );
        assert!(
            runs >= 100 * seeds.len().min(2),
            "{name}: only {runs} inputs ran"
        );
    }
}

/// The case that was a hang: `TFIELDS = 2147483648` in a binary table's header (a 170 KB file
/// read for minutes) is an error naming the standard's bound, in each layout.
#[test]
fn an_absurd_tfields_is_an_error_at_once() {
    for (name, read, seeds) in fits_layout_seeds() {
        let mut refused = 0;
        for seed in &seeds {
            let tfields: Vec<usize> = sizing_cards(seed)
                .into_iter()
                .filter(|&at| &seed[at..at + 8] == b"TFIELDS ")
                .collect();
            for at in tfields {
                let mut b = seed.clone();
                set_card(&mut b, at, &format!("TFIELDS = {:>20}", 2_147_483_648u64));
                let t = Instant::now();
                let r = read(&b);
                let took = t.elapsed();
                assert!(took < Duration::from_secs(10), "{name}: {took:?}");
                // A table the reader needs is refused with the standard's bound; one it does not
                // need (the real DR7 files' later tables) may be left unread.
                if let Err(e) = r {
                    assert!(e.contains("TFIELDS"), "{name}: {e}");
                    refused += 1;
                }
            }
        }
        if name != "fits-dr7" {
            assert!(refused > 0, "{name}: no table with 2^31 fields was refused");
        }
        eprintln!("{name}: {refused} absurd TFIELDS refused");
    }
    // The SDSS reader needs its COADD table: there the bound is the error.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.fits");
    crate::common::write_spec(&spec, 0.1, 0, "GALAXY", 300, 300);
    let mut b = std::fs::read(&spec).unwrap();
    let at = sizing_cards(&b)
        .into_iter()
        .find(|&at| &b[at..at + 8] == b"TFIELDS ")
        .unwrap();
    set_card(&mut b, at, &format!("TFIELDS = {:>20}", 2_147_483_648u64));
    let e = fuzzing::sdss_fits(&b).unwrap_err();
    assert!(e.contains("TFIELDS exceeds 999"), "{e}");
}
