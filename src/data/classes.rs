//! Galaxy classes, from astroML's `lineindex_cln` (Vanderplas & Connolly 2009 line-ratio index).

use serde::{Deserialize, Serialize};

/// The classes the app shows. astroML codes: 2, 3 quiescent (absorption / no significant lines);
/// 4 emission-line (below the Kewley 2001 line); 5 narrow-line AGN (above it); 6 broad-line AGN;
/// anything else (unknown, stars, sky, high-z QSOs) is kept and shown as unclassified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GalaxyClass {
    Quiescent,
    EmissionLine,
    NarrowLineAgn,
    BroadLineAgn,
    Unclassified,
}

impl GalaxyClass {
    pub const ALL: [GalaxyClass; 5] = [
        GalaxyClass::Quiescent,
        GalaxyClass::EmissionLine,
        GalaxyClass::NarrowLineAgn,
        GalaxyClass::BroadLineAgn,
        GalaxyClass::Unclassified,
    ];

    /// Class from an astroML `lineindex_cln` code.
    pub fn from_lineindex(code: i64) -> Self {
        match code {
            2 | 3 => GalaxyClass::Quiescent,
            4 => GalaxyClass::EmissionLine,
            5 => GalaxyClass::NarrowLineAgn,
            6 => GalaxyClass::BroadLineAgn,
            _ => GalaxyClass::Unclassified,
        }
    }

    /// Index into [`GalaxyClass::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            GalaxyClass::Quiescent => "quiescent",
            GalaxyClass::EmissionLine => "emission-line",
            GalaxyClass::NarrowLineAgn => "narrow-line AGN",
            GalaxyClass::BroadLineAgn => "broad-line AGN",
            GalaxyClass::Unclassified => "unclassified",
        }
    }
}

impl std::fmt::Display for GalaxyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astroml_codes_map_to_classes() {
        use GalaxyClass::*;
        let got: Vec<_> = (-1..=9).map(GalaxyClass::from_lineindex).collect();
        let want = [
            Unclassified,
            Unclassified,
            Unclassified,
            Quiescent,
            Quiescent,
            EmissionLine,
            NarrowLineAgn,
            BroadLineAgn,
            Unclassified,
            Unclassified,
            Unclassified,
        ];
        assert_eq!(got, want);
        for (i, c) in GalaxyClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }
}
