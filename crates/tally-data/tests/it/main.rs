//! Integration tests of loading and rendering.

// Test helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acme;
mod errors;
mod formats;
mod render;
mod roundtrip;
mod sources;
mod streamed;
mod support;
mod threads;
