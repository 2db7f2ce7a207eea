//! Fuzz target `fmt_roundtrip`: see `../targets/bodies.rs` and `../README.md`.
#![no_main]

#[path = "../targets/bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::fmt_roundtrip(data));
