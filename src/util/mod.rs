//! Small helpers shared by all pipeline stages.

pub mod atomic;
pub mod fasthash;
