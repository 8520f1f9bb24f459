//! lambdalint: a fast, precise static analyzer for AWS serverless applications.
//!
//! Pipeline: `discover` -> `load` -> `model` -> `graph` -> `rules` -> `render`.

pub mod alloc;
pub mod baseline;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fingerprint;
pub mod fix;
pub mod frameworks;
pub mod fsx;
pub mod graph;
pub mod group;
pub mod handler;
pub mod load;
pub mod lsp;
pub mod model;
pub mod render;
pub mod report;
pub mod rule;
pub mod rules;
pub mod source;
pub mod suppress;
