//! The one finding type every stage produces and every renderer consumes.

use std::sync::Arc;

use crate::source::{LineCol, SourceFile, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One finding: what, where (file, byte span, resource, property path), and what to do.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// Logical id of the resource the finding is about.
    pub resource: Option<String>,
    /// Property path inside the resource (for fingerprints that survive line shifts).
    pub path: Vec<String>,
    /// The fix, when the rule knows one (edits in `file`).
    pub fix: Option<crate::fix::Fix>,
    /// AWS CDK construct path of the resource (`OrdersStack/CreateOrder/Resource`), when known.
    pub construct: Option<String>,
    /// The resources a finding with one cause affects (a `Globals` value behind many
    /// functions), each at its own place. Empty for an ordinary finding.
    pub related: Vec<Related>,
    /// How the rule words the finding when its cause is shared by several resources (see
    /// [`crate::group`]); consumed by the grouping step.
    pub shared: Option<Box<Shared>>,
    /// The template that deployed the file, for a finding in a handler source.
    pub template: Option<String>,
}

/// A resource a grouped finding affects, at the place that defines it.
#[derive(Debug, Clone)]
pub struct Related {
    pub resource: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// The property path the resource's own finding had (its fingerprint, for baselines).
    pub path: Vec<String>,
    /// What the resource is (`function`), for "affects 3 functions".
    pub kind: &'static str,
}

/// The wording of a finding whose cause (a `Globals` value, a shared role) is one place for
/// several resources: reported once, at the cause, naming the resources.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The message of the grouped finding (about the cause, not one resource).
    pub message: String,
    /// What to do about the cause.
    pub help: Option<String>,
    /// Property path of the cause (for fingerprints).
    pub path: Vec<String>,
    /// Where this finding's resource is defined (its logical id).
    pub anchor: Span,
    /// What the resource is (`function`).
    pub kind: &'static str,
}

impl Diagnostic {
    /// A finding with no resource, path, or relations.
    pub fn new(
        code: &'static str,
        severity: Severity,
        message: String,
        file: Arc<SourceFile>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message,
            help: None,
            file,
            span,
            resource: None,
            path: Vec::new(),
            fix: None,
            construct: None,
            related: Vec::new(),
            shared: None,
            template: None,
        }
    }

    pub fn range(&self) -> (LineCol, LineCol) {
        self.file.range(self.span)
    }

    /// "affects 3 resources: `A`, `B`, `C`" for a grouped finding (at most `max` names), or
    /// `None`.
    pub fn affects(&self, max: usize) -> Option<String> {
        if self.related.is_empty() {
            return None;
        }
        let n = self.related.len();
        let names: Vec<String> = self
            .related
            .iter()
            .take(max)
            .map(|r| format!("`{}`", r.resource))
            .collect();
        let more = if n > max {
            format!(" and {} more", n - max)
        } else {
            String::new()
        };
        let kind = self.related.first().map_or("resource", |r| r.kind);
        let kind = if self.related.iter().all(|r| r.kind == kind) {
            kind
        } else {
            "resource"
        };
        let plural = if n == 1 { "" } else { "s" };
        Some(format!(
            "affects {n} {kind}{plural}: {}{more}",
            names.join(", ")
        ))
    }

    /// How `--fix` can fix it: `None` when it cannot.
    /// The file the finding's fix edits: the finding's own file unless the fix says otherwise
    /// (a grant in the template for a finding in a handler source).
    pub fn fix_file(&self) -> &Arc<SourceFile> {
        self.fix
            .as_ref()
            .and_then(|f| f.file.as_ref())
            .unwrap_or(&self.file)
    }

    pub fn fixable(&self) -> Option<crate::fix::Applicability> {
        self.fix.as_ref().map(|f| f.applicability)
    }

    /// Sort key: file, position, code.
    pub fn sort_key(&self) -> (&str, u32, &'static str, u32) {
        (
            &self.file.display,
            self.span.start,
            self.code,
            self.span.end,
        )
    }
}

/// A file that could not be read or parsed (exit code 2); the run goes on.
#[derive(Debug, Clone)]
pub struct InputError {
    pub code: &'static str,
    pub message: String,
    /// Display path of the file.
    pub file: String,
    /// Position, when the file was read (parse errors).
    pub position: Option<(Arc<SourceFile>, Span)>,
}

impl InputError {
    pub fn range(&self) -> Option<(LineCol, LineCol)> {
        self.position.as_ref().map(|(f, s)| f.range(*s))
    }
}
