//! What `specae compare` compares: PCA or one of the model kinds.

use serde::{Deserialize, Serialize};

use crate::model::ModelKind;

/// A dimensionality reduction under comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// PCA fitted on the training split (no training; the paper's baseline).
    Pca,
    Model(ModelKind),
}

impl Method {
    /// `pca`, `ae`, `vae`, `infovae`.
    pub fn label(self) -> &'static str {
        match self {
            Method::Pca => "pca",
            Method::Model(k) => k.label(),
        }
    }

    /// Parses a comma-separated list such as `pca,ae,vae`.
    pub fn parse_list(s: &str) -> Result<Vec<Method>, String> {
        let mut out = vec![];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let m = match part {
                "pca" => Method::Pca,
                "ae" => Method::Model(ModelKind::Ae),
                "vae" => Method::Model(ModelKind::Vae),
                "infovae" => Method::Model(ModelKind::InfoVae),
                other => {
                    return Err(format!(
                        "'{other}' is not a method: choose among pca, ae, vae, infovae"
                    ));
                }
            };
            if !out.contains(&m) {
                out.push(m);
            }
        }
        if out.is_empty() {
            return Err("no methods given".into());
        }
        Ok(out)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_once_each_and_name_bad_entries() {
        assert_eq!(
            Method::parse_list("pca, ae,vae,ae").unwrap(),
            vec![
                Method::Pca,
                Method::Model(ModelKind::Ae),
                Method::Model(ModelKind::Vae)
            ]
        );
        assert!(Method::parse_list("pca,nmf").unwrap_err().contains("'nmf'"));
        assert!(Method::parse_list(" , ").is_err());
    }
}
