pub mod clip;
pub mod parallel_vec;
pub mod seeded_rng;
