//! The benchmark's data and policy generator and its timing driver (see
//! `benches/run`).

pub mod gen;
pub mod timing;
