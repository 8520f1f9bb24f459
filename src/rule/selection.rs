//! Which rules a run uses and how severe their findings are (from the configuration and the
//! command line; read by the check, suppressions and the language server).

use crate::diagnostic::Severity;
use crate::rule::catalogue::meta;

/// Which rules run and how severe their findings are.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Codes or prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Codes or prefixes not to run.
    pub ignore: Vec<String>,
    /// Per-code severity overrides.
    pub severity: Vec<(String, Severity)>,
    /// Per-code rule options (`[rules.CODE.options]`).
    pub options: Vec<(String, toml::Table)>,
}

fn matches(pattern: &str, code: &str) -> bool {
    let p = pattern.to_ascii_uppercase();
    p == "ALL"
        || code.starts_with(&p)
        || meta(code).is_some_and(|m| m.category == pattern || m.name == pattern)
}

impl RuleSelection {
    pub fn enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, code)))
            && !self.ignore.iter().any(|s| matches(s, code))
    }

    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .rev()
            .find(|(c, _)| matches(c, code))
            .map(|(_, s)| *s)
    }

    pub fn options_for(&self, code: &str) -> Option<&toml::Table> {
        self.options
            .iter()
            .rev()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t)
    }
}
