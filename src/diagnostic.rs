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
    /// AWS CDK construct path of the resource (`OrdersStack/CreateOrder/Resource`), when known.
    pub construct: Option<String>,
}

impl Diagnostic {
    pub fn range(&self) -> (LineCol, LineCol) {
        self.file.range(self.span)
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
