//! Renderers: every output format is built from the same `Diagnostic` values.

pub mod github;
pub mod human;
pub mod json;
pub mod safe;
pub mod sarif;
