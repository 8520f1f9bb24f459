//! Baselines: accept the findings that exist today, report only new ones.
//!
//! `--write-baseline FILE` writes the current findings; `--baseline FILE` drops findings found in
//! it. Findings are keyed by their [`fingerprint`] (file, resource, code, property path), not by
//! line, so edits that shift lines do not bring old findings back. Each fingerprint is counted:
//! a second finding with the same key is new.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::fingerprint::fingerprint;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read baseline: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot write baseline: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a lambdalint baseline: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error(
        "{path}: baseline version {found} is not supported (this lambdalint reads version {VERSION}); write it again with --write-baseline"
    )]
    Version { path: String, found: u32 },
}

/// The baseline format this lambdalint writes and reads.
pub const VERSION: u32 = 1;

/// One accepted finding. Only `fingerprint` is used for matching; the rest is for humans.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub fingerprint: String,
    pub code: String,
    pub file: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

impl Baseline {
    pub fn from_diagnostics(diags: &[Diagnostic]) -> Baseline {
        Baseline {
            version: VERSION,
            findings: diags
                .iter()
                .map(|d| Entry {
                    fingerprint: fingerprint(d),
                    code: d.code.to_string(),
                    file: d.file.display.clone(),
                    resource: d.resource.clone(),
                    message: d.message.clone(),
                })
                .collect(),
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: p.clone(),
            source,
        })?;
        let b: Baseline = serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
            path: p.clone(),
            source,
        })?;
        if b.version != VERSION {
            return Err(BaselineError::Version {
                path: p,
                found: b.version,
            });
        }
        Ok(b)
    }

    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let mut text =
            serde_json::to_string_pretty(self).map_err(|source| BaselineError::Parse {
                path: path.display().to_string(),
                source,
            })?;
        text.push('\n');
        std::fs::write(path, text).map_err(|source| BaselineError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// Drop the findings in the baseline; returns how many were dropped.
    pub fn filter(&self, diags: &mut Vec<Diagnostic>) -> usize {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *left.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let before = diags.len();
        diags.retain(|d| match left.get_mut(fingerprint(d).as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        before - diags.len()
    }
}
