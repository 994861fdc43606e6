//! Spectroscopy shared by the synthetic survey and the readers of real spectra: vacuum rest
//! wavelengths of the lines galaxy spectra show, the BPT diagnostic lines, a grid's bins with
//! profiles integrated over them, and line measurement with astroML's `lineratio_index`
//! classification.
//!
//! - [`lines`]: rest wavelengths, the speed of light, instrumental resolution;
//! - [`bpt`]: Kauffmann et al. (2003) and Kewley et al. (2001) lines, astroML's AGN test;
//! - [`bins`]: a [`LogGrid`](crate::data::grid::LogGrid) with its bin centres and edges, and
//!   Gaussian profiles integrated over them;
//! - [`measure`]: weighted least-squares line fits and the class they give;
//! - [`ratios`]: the diagnostic line ratios ([N II], [S II], [O I] over Hα; [O III], [O II] over
//!   Hβ) by the same fits, for comparing a spectrum with its reconstruction.

pub mod bins;
pub mod bpt;
pub mod lines;
pub mod measure;
pub mod ratios;
