//! Integration tests of loading and rendering.

mod acme;
mod errors;
mod formats;
mod sources;
mod support;
