//! Desktop habits: paths as users paste or drop them (`~`, quotes, `file://` URLs, files copied
//! in Finder/Explorer), what a dropped or pasted file opens as, showing an output in the
//! system's file manager, and a first window that fits the screen.

use std::path::{Path, PathBuf};

/// What a path opens as in the explorer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opens {
    /// A survey file (`.npz`).
    Data(PathBuf),
    /// A model or checkpoint (`.safetensors`).
    Model(PathBuf),
    /// SDSS FITS spectra (files, or folders searched for them): ingested into a survey.
    Fits(Vec<PathBuf>),
    /// Labels (`.csv`): imported into the open survey's labels.
    Labels(PathBuf),
    /// Something else (named in the message).
    Unknown(PathBuf),
}

/// `~` or `~/…` expanded to the home folder.
pub fn expand_tilde(p: &str) -> PathBuf {
    let home = || directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    if p == "~" {
        return home().unwrap_or_else(|| PathBuf::from(p));
    }
    if let Some(rest) = p.strip_prefix("~/").or_else(|| p.strip_prefix("~\\"))
        && let Some(h) = home()
    {
        return h.join(rest);
    }
    PathBuf::from(p)
}

/// A path from text as users paste it: trimmed, unquoted, `file://` URLs decoded, `~`
/// expanded. `None` for blank text.
pub fn path_from_text(text: &str) -> Option<PathBuf> {
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
        .unwrap_or(t)
        .trim();
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix("file://") {
        // file:///Users/me/x.npz or file://localhost/…; on Windows file:///C:/…
        let rest = rest.strip_prefix("localhost").unwrap_or(rest);
        let decoded = percent_decode(rest);
        let windows_drive = decoded.len() > 2
            && decoded.starts_with('/')
            && decoded.as_bytes()[2] == b':'
            && decoded.as_bytes()[1].is_ascii_alphabetic();
        return Some(PathBuf::from(if windows_drive {
            &decoded[1..]
        } else {
            &decoded[..]
        }));
    }
    Some(expand_tilde(t))
}

/// `%20` and friends decoded (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// What a set of dropped or pasted paths opens as: one survey (an npz file or a Zarr store's
/// folder), one model, labels (CSV), or FITS spectra (files and other folders together), one
/// entry per kind.
pub fn classify(paths: &[PathBuf]) -> Vec<Opens> {
    let mut out = vec![];
    let mut fits = vec![];
    for p in paths {
        if crate::data::store::is_store(p) {
            out.push(Opens::Data(p.clone()));
        } else if p.is_dir() || has_ext(p, &["fits", "fit"]) {
            fits.push(p.clone());
        } else if has_ext(p, &["npz"]) {
            out.push(Opens::Data(p.clone()));
        } else if has_ext(p, &["safetensors"]) {
            out.push(Opens::Model(p.clone()));
        } else if has_ext(p, &["csv"]) {
            out.push(Opens::Labels(p.clone()));
        } else {
            out.push(Opens::Unknown(p.clone()));
        }
    }
    if !fits.is_empty() {
        out.push(Opens::Fits(fits));
    }
    out
}

/// Files on the system clipboard (a file copied in Finder, Explorer or a Linux file manager
/// puts its URL there, with only its name as text). Empty when there are none.
pub fn clipboard_files() -> Vec<PathBuf> {
    arboard::Clipboard::new()
        .ok()
        .and_then(|mut c| c.get().file_list().ok())
        .unwrap_or_default()
}

/// Shows `path` in the system's file manager (selected where the platform can), without
/// waiting for it.
pub fn reveal_in_file_manager(path: &Path) -> Result<(), String> {
    let spawned = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
            .arg("-R")
            .arg(path)
            .spawn()
    } else if cfg!(target_os = "windows") {
        let mut arg = std::ffi::OsString::from("/select,");
        arg.push(path);
        std::process::Command::new("explorer").arg(arg).spawn()
    } else {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(path)
        };
        std::process::Command::new("xdg-open").arg(dir).spawn()
    };
    spawned
        .map(|_| ())
        .map_err(|e| format!("cannot open the file manager for {}: {e}", path.display()))
}

/// The first window's size: the preferred size, shrunk to fit the monitor (`monitor` in
/// points, when known) with room for the window's title bar and the system's menu bar or
/// taskbar. A 13" MacBook Air (1470 × 956 points) keeps the 1440 × 900 the layout is made for.
pub fn window_size_for(preferred: [f32; 2], monitor: Option<[f32; 2]>) -> [f32; 2] {
    match monitor {
        Some([w, h]) if w > 0.0 && h > 0.0 => [
            preferred[0].min((w - 30.0).max(640.0)),
            preferred[1].min((h - 56.0).max(480.0)),
        ],
        _ => preferred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_paths_are_cleaned_up() {
        assert_eq!(
            path_from_text("  '/data/my survey.npz' \n"),
            Some(PathBuf::from("/data/my survey.npz"))
        );
        assert_eq!(
            path_from_text("file:///Users/me/My%20Spectra/s.npz"),
            Some(PathBuf::from("/Users/me/My Spectra/s.npz"))
        );
        assert_eq!(
            path_from_text("file:///C:/data/s.npz"),
            Some(PathBuf::from("C:/data/s.npz"))
        );
        assert_eq!(path_from_text("   "), None);
        if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()) {
            assert_eq!(path_from_text("~/x.npz"), Some(home.join("x.npz")));
            assert_eq!(expand_tilde("~"), home);
        }
        assert_eq!(expand_tilde("a~/b"), PathBuf::from("a~/b"));
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn dropped_paths_open_as_what_they_are() {
        let dir = std::env::temp_dir();
        // A Zarr store is a folder too, but opens as a survey.
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("s.zarr");
        std::fs::create_dir(&store).unwrap();
        std::fs::write(store.join("zarr.json"), "{}").unwrap();
        let got = classify(&[
            store.clone(),
            PathBuf::from("/x/s.NPZ"),
            PathBuf::from("/x/m.safetensors"),
            PathBuf::from("/x/spec-1.fits"),
            dir.clone(),
            PathBuf::from("/x/notes.txt"),
            PathBuf::from("/x/labels.CSV"),
        ]);
        assert_eq!(
            got,
            vec![
                Opens::Data(store),
                Opens::Data(PathBuf::from("/x/s.NPZ")),
                Opens::Model(PathBuf::from("/x/m.safetensors")),
                Opens::Unknown(PathBuf::from("/x/notes.txt")),
                Opens::Labels(PathBuf::from("/x/labels.CSV")),
                Opens::Fits(vec![PathBuf::from("/x/spec-1.fits"), dir]),
            ]
        );
    }

    #[test]
    fn the_first_window_fits_the_screen() {
        assert_eq!(window_size_for([1440.0, 900.0], None), [1440.0, 900.0]);
        // A 13" MacBook Air at its default scaling (1470 × 956 points) keeps 1440 × 900; an
        // older 1440 × 900 screen gets a window that fits.
        assert_eq!(
            window_size_for([1440.0, 900.0], Some([1470.0, 956.0])),
            [1440.0, 900.0]
        );
        let [w, h] = window_size_for([1440.0, 900.0], Some([1440.0, 900.0]));
        assert!(w <= 1410.0 && h <= 844.0, "{w}×{h}");
        assert_eq!(
            window_size_for([1440.0, 900.0], Some([2560.0, 1440.0])),
            [1440.0, 900.0]
        );
    }
}
