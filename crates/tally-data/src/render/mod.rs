//! Rendering report tables (spec §9).
