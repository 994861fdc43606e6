//! `specae bench triage`: a simulated user triages the built-in survey (its truth as the user's
//! interest, `specae::triage::simulate`): interesting spectra among the first views of each
//! unsupervised ranking and of the learned one, and the refit time.

use clap::Args;
use specae::triage::Features;
use specae::triage::simulate::{SimulatedUser, found_by, simulate};

#[derive(Debug, Args)]
pub struct TriageBenchArgs {
    /// Spectra viewed.
    #[arg(long, default_value_t = 100)]
    pub views: usize,
    /// Numbers of labels after which the learned ranking's next VIEWS candidates are counted.
    #[arg(long, value_delimiter = ',', default_value = "10,20,50")]
    pub labels: Vec<usize>,
    /// The model [default: the built-in model].
    #[arg(long, default_value = "builtin")]
    pub model: std::path::PathBuf,
    /// A survey with the generator's truth (`specae generate`) [default: the built-in survey].
    #[arg(long)]
    pub data: Option<std::path::PathBuf>,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the simulated user's labels of the learning session (the spectra it viewed) to
    /// this CSV — a labels file the explorer and `specae triage --labels` read.
    #[arg(long)]
    pub write_labels: Option<std::path::PathBuf>,
}

pub fn run(a: TriageBenchArgs) -> anyhow::Result<()> {
    let s = super::triage::score_survey(&a.model, a.data.clone(), 0)?;
    let truth = s
        .rows()
        .truth()
        .ok_or_else(|| anyhow::anyhow!("{} has no truth columns", s.data.display()))?;
    let user = SimulatedUser::from_truth(truth);
    let sc = &s.scored;
    let t = std::time::Instant::now();
    let f = Features::new(sc.latents.view(), &sc.chi2, &sc.lof, sc.regions.view())?;
    let features_s = t.elapsed().as_secs_f64();
    let (progress, bars) = super::progress::bars();
    let sim = simulate(&f, &sc.lof, &sc.chi2, &user, a.views, &a.labels, &progress);
    bars.finish();
    let sim = sim?;
    let n = f.n();
    if let Some(out) = &a.write_labels {
        let fingerprint = specae::data::identity::FileIdentity::of(&s.data)?.fingerprint;
        let ids = specae::triage::survey_ids(s.rows().meta(), n, &fingerprint);
        let mut labels = specae::triage::Labels::default();
        for &i in &sim.learned_viewed {
            labels.set(&ids[i as usize], user.labels[i as usize].clone());
        }
        labels.write(out)?;
        eprintln!(
            "{} labels of the simulated session → {}",
            labels.len(),
            out.display()
        );
    }
    if a.json {
        let unsupervised: serde_json::Map<String, serde_json::Value> = sim
            .unsupervised
            .iter()
            .map(|(r, cum)| (r.name().to_string(), cum.clone().into()))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "n": n,
                "interesting": sim.n_interesting,
                "views": sim.views,
                "unsupervised": unsupervised,
                "learned": sim.learned_found,
                "after_labels": sim.after_labels,
                "refit_seconds": sim.refit_seconds,
                "features_seconds": features_s,
            })
        );
        return Ok(());
    }
    println!(
        "simulated triage of {} ({n} spectra; interesting: {} stars at galaxy redshift and \
         post-starbursts, {:.2}%; artefacts labelled 0, other galaxies 1)",
        s.data.display(),
        sim.n_interesting,
        100.0 * sim.n_interesting as f64 / n.max(1) as f64
    );
    let marks: Vec<usize> = [10, 20, 50, 100, 200, 500]
        .into_iter()
        .filter(|&v| v < sim.views)
        .chain(std::iter::once(sim.views))
        .collect();
    println!("interesting spectra found by view:");
    let head: Vec<String> = marks.iter().map(|v| format!("{v:>6}")).collect();
    println!("  {:<30}{}", "ranking", head.join(""));
    let row = |name: &str, cum: &[usize]| {
        let cells: Vec<String> = marks
            .iter()
            .map(|&v| format!("{:>6}", found_by(cum, v)))
            .collect();
        println!("  {name:<30}{}", cells.join(""));
    };
    for (r, cum) in &sim.unsupervised {
        row(&format!("{} (unsupervised)", r.label()), cum);
    }
    row("learned (refit every label)", &sim.learned_found);
    let best = sim
        .unsupervised
        .iter()
        .max_by_key(|(_, cum)| found_by(cum, sim.views))
        .map(|(r, cum)| (r.label(), found_by(cum, sim.views)))
        .unwrap_or(("none", 0));
    let combined = sim
        .unsupervised
        .iter()
        .find(|(r, _)| *r == specae::triage::Ranking::Combined)
        .map_or(0, |(_, cum)| found_by(cum, sim.views));
    let online = found_by(&sim.learned_found, sim.views);
    println!(
        "first {} viewed: learned {online}, combined {combined}, best unsupervised ({}) {}: \
         ratio learned / best unsupervised = {:.2}",
        sim.views,
        best.0,
        best.1,
        online as f64 / best.1.max(1) as f64
    );
    let tally = |rows: &[u32]| {
        user.tally(rows)
            .iter()
            .map(|(name, k)| format!("{k} {name}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("  learned viewed: {}", tally(&sim.learned_viewed));
    let combined_rows: Vec<u32> = specae::triage::ranking::unsupervised_order(
        specae::triage::Ranking::Combined,
        &sc.lof,
        &sc.chi2,
    )
    .into_iter()
    .take(sim.views)
    .collect();
    println!("  combined viewed: {}", tally(&combined_rows));
    for &(k, found) in &sim.after_labels {
        println!(
            "the learned ranking after {k} labels, held fixed: {found} interesting among its next \
             {} candidates ({:.2}× the best unsupervised first {})",
            sim.views,
            found as f64 / best.1.max(1) as f64,
            sim.views
        );
    }
    let mut t = sim.refit_seconds.clone();
    t.sort_by(f64::total_cmp);
    if !t.is_empty() {
        println!(
            "refit at {n} spectra: median {:.3} s, max {:.3} s ({} refits, up to {} labels); \
             + {features_s:.3} s for the features, which the explorer rebuilds with each refit",
            t[t.len() / 2],
            t[t.len() - 1],
            t.len(),
            t.len()
        );
    }
    Ok(())
}
