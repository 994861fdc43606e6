//! `specae gui [FILE] [--model MODEL]`: the desktop explorer. The bare `specae` opens it too
//! when a display is available.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct GuiArgs {
    /// Survey file to open [default: the last one, else the built-in survey].
    pub data: Option<PathBuf>,
    /// Model to open (checkpoint or weights, or `builtin` / `builtin-vae`) [default: the last
    /// one, else the built-in model].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Ignore the files of the last session.
    #[arg(long)]
    pub fresh: bool,
}

/// Whether a window can be opened here.
pub fn display_available() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

#[cfg(feature = "gui")]
pub fn run(a: GuiArgs) -> anyhow::Result<()> {
    if !display_available() {
        anyhow::bail!(
            "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); run under a desktop \
             session, or `xvfb-run specae gui` on a headless machine"
        );
    }
    let opts = specae::app::options::AppOptions {
        data: a.data,
        model: a.model,
        restore_files: !a.fresh,
        ..Default::default()
    };
    specae::app::run_native(opts)
        .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}

#[cfg(not(feature = "gui"))]
pub fn run(_: GuiArgs) -> anyhow::Result<()> {
    anyhow::bail!("this build of specae has no GUI (built without the `gui` feature)")
}
