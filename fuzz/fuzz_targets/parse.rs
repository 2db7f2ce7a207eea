//! Fuzz target `parse`: see `../targets/bodies.rs` and `../README.md`.
#![no_main]

#[path = "../targets/bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::parse(data));
