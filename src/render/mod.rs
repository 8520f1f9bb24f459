//! Renderers: every output format is built from the same `Diagnostic` values.

pub mod human;
pub mod json;
