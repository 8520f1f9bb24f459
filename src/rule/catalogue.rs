//! The catalogue: every rule's metadata and docs (from `rules/*.toml`, embedded at compile time)
//! and the built-in codes (input problems, suppression bookkeeping) that are not catalogue rules.
//! Configuration, suppressions, the check and the renderers all look codes up here.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::diagnostic::Severity;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Base address of the rule pages.
pub const DOCS_BASE: &str = "https://github.com/lambdalint/lambdalint/blob/main/docs/rules";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    pub what: String,
    pub why: String,
    pub example: String,
    pub use_instead: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// What the fix writes, when the rule has one (shown after the fix line).
    #[serde(default)]
    pub fix: Option<String>,
}

/// One catalogue entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    /// failure-handling, timeouts, networking, transport, database, iam, handler, input
    pub category: String,
    pub severity: String,
    pub summary: String,
    /// Whether `check --fix` can fix a finding: `safe` (with `--fix`), `unsafe` (with
    /// `--unsafe-fixes`: it changes behaviour or adds resources) or `none`.
    #[serde(default = "no_fix")]
    pub fix: String,
    pub docs: Docs,
}

fn no_fix() -> String {
    "none".into()
}

impl RuleMeta {
    pub fn default_severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Warning)
    }

    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}/{}.md", self.code)
    }

    /// The rule page in Markdown (used by `lambdalint rule`, docs/ and SARIF help).
    /// The applicability of the rule's fixes (`None`: the rule has no fix).
    pub fn fix_applicability(&self) -> Option<crate::fix::Applicability> {
        match self.fix.as_str() {
            "safe" => Some(crate::fix::Applicability::Safe),
            "unsafe" => Some(crate::fix::Applicability::Unsafe),
            _ => None,
        }
    }

    /// The fix line of the rule page.
    pub fn fix_text(&self) -> &'static str {
        match self.fix_applicability() {
            Some(crate::fix::Applicability::Safe) => {
                "Fix: safe, applied by `lambdalint check --fix` (and the editor's quick fix)"
            }
            Some(crate::fix::Applicability::Unsafe) => {
                "Fix: unsafe (it changes behaviour or adds resources), applied by `lambdalint check --fix --unsafe-fixes` (and the editor's quick fix): review the diff (`--diff`)"
            }
            None => "Fix: none (the finding needs a decision `--fix` cannot make)",
        }
    }

    pub fn markdown(&self) -> String {
        let d = &self.docs;
        let mut s = format!(
            "# {} ({})\n\n{}\n\nCategory: {} · Default severity: {}\n\n{}\n\n## What it does\n\n{}\n\n## Why is this bad?\n\n{}\n\n## Example\n\n```yaml\n{}\n```\n\n## Use instead\n\n```yaml\n{}\n```\n",
            self.name,
            self.code,
            self.summary.trim(),
            self.category,
            self.severity,
            match &d.fix {
                Some(how) => format!("{}.\n\n{}", self.fix_text(), how.trim()),
                None => self.fix_text().to_string(),
            },
            d.what.trim(),
            d.why.trim(),
            d.example.trim_end(),
            d.use_instead.trim_end()
        );
        if !d.references.is_empty() {
            s.push_str("\n## References\n\n");
            for r in &d.references {
                s.push_str(&format!("- <{r}>\n"));
            }
        }
        s
    }
}

/// The whole catalogue, by code, sorted.
pub fn catalogue() -> &'static [RuleMeta] {
    static CAT: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    CAT.get_or_init(|| {
        let mut v: Vec<RuleMeta> = RULE_FILES
            .iter()
            .filter_map(|(_, text)| toml::from_str::<RuleMeta>(text).ok())
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    })
}

pub fn meta(code: &str) -> Option<&'static RuleMeta> {
    static BY_CODE: OnceLock<HashMap<&'static str, &'static RuleMeta>> = OnceLock::new();
    BY_CODE
        .get_or_init(|| catalogue().iter().map(|m| (m.code.as_str(), m)).collect())
        .get(code)
        .copied()
}

/// Look a rule up by code or by name.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    let up = code_or_name.to_ascii_uppercase();
    meta(&up).or_else(|| catalogue().iter().find(|m| m.name == code_or_name))
}

/// Codes that are not catalogue rules: input problems and suppression bookkeeping
/// (code, name, meaning).
pub const BUILTIN_CODES: &[(&str, &str, &str)] = &[
    ("E000", "io-error", "A file could not be read."),
    ("E001", "parse-error", "A file could not be parsed."),
    (
        "E002",
        "duplicate-key",
        "A mapping has the same key twice: YAML forbids it, and tools disagree on which value wins.",
    ),
    (
        "E003",
        "yaml-alias",
        "A YAML anchor or alias is used; CloudFormation does not support them.",
    ),
    (
        "E004",
        "unknown-tag",
        "A YAML tag is not a CloudFormation intrinsic function.",
    ),
    (
        "E005",
        "multiple-documents",
        "The file contains more than one YAML document.",
    ),
    (
        "E007",
        "invalid-structure",
        "`Resources`, a resource, its `Type` or `Properties`, or `Globals` has the wrong kind; that part is not checked.",
    ),
    (
        "E008",
        "invalid-value",
        "A property the rules read has a value of the wrong type or out of range (`Timeout: abc`, `-1`, `.nan`, `yes`).",
    ),
    (
        "E010",
        "unused-suppression",
        "A `lambdalint: ignore` suppression (comment or resource Metadata) matched no finding.",
    ),
];

/// Is `code` one of the [`BUILTIN_CODES`]?
pub fn is_builtin(code: &str) -> bool {
    BUILTIN_CODES.iter().any(|(c, _, _)| *c == code)
}

/// Name of a code: catalogue rules and built-in codes; `unknown` otherwise.
pub fn code_name(code: &str) -> &'static str {
    BUILTIN_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, name, _)| *name)
        .or_else(|| meta(code).map(|m| m.name.as_str()))
        .unwrap_or("unknown")
}

/// Is `s` a rule code, a code prefix, a category, a rule name, or `ALL`?
pub fn valid_selector(s: &str) -> bool {
    let up = s.to_ascii_uppercase();
    !s.is_empty()
        && (up == "ALL"
            || up == "E"
            || BUILTIN_CODES.iter().any(|(c, _, _)| c.starts_with(&up))
            || catalogue()
                .iter()
                .any(|m| m.code.starts_with(&up) || m.category == s || m.name == s))
}
