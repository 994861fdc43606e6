//! `specae`: the command-line face of the app. Every job the GUI does can run headless here.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Errors of the libraries below (wgpu, cubecl: a GPU failure's root cause) by default;
    // RUST_LOG for more. Not wgpu's OpenGL probing, which burn's adapter search runs and which
    // logs EGL errors on every headless Linux machine (the GPU engines never use OpenGL).
    // Not fitsrs either: it logs "Fail reading the header without encountering the END card"
    // when it looks for another HDU past a file's last one — for every DESI coadd and redrock
    // file — and specae reports a file that cannot be read itself, naming it.
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("error,wgpu_hal::gles=off,fitsrs=off"),
    )
    .init();
    let args = cli::Cli::parse();
    let result = cli::run(args);
    // `specae bench scale` runs each step as a child and reads its high-water mark here.
    if std::env::var_os(cli::PEAK_ENV).is_some()
        && let Some(mb) = cli::peak_rss_mb()
    {
        eprintln!("{} {mb:.1}", cli::PEAK_ENV);
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
