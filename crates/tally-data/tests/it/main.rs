//! Integration tests of loading and rendering.

mod acme;
mod errors;
mod formats;
mod render;
mod sources;
mod support;
