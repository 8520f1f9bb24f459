//! The JSON contract: `{"version": 1, "diagnostics": [...], "errors": [...], "summary": {...}}`.

use serde::Serialize;

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::code_name;
use crate::source::LineCol;

#[derive(Serialize)]
pub struct Range {
    pub start: LineCol,
    pub end: LineCol,
}

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub file: &'a str,
    pub resource: Option<&'a str>,
    /// AWS CDK construct path of the resource (optional; absent for other templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<&'a str>,
    pub range: Range,
}

#[derive(Serialize)]
pub struct JsonError<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub message: &'a str,
    pub file: &'a str,
    pub range: Option<Range>,
}

#[derive(Serialize)]
pub struct Summary {
    pub templates: usize,
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub input_errors: usize,
}

#[derive(Serialize)]
pub struct JsonOutput<'a> {
    pub version: u32,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    pub errors: Vec<JsonError<'a>>,
    pub summary: Summary,
}

pub fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    let (start, end) = d.range();
    JsonDiagnostic {
        code: d.code,
        name: code_name(d.code),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        file: &d.file.display,
        resource: d.resource.as_deref(),
        construct_path: d.construct.as_deref(),
        range: Range { start, end },
    }
}

pub fn render(out: &Outcome) -> String {
    let count = |s| out.diagnostics.iter().filter(|d| d.severity == s).count();
    let doc = JsonOutput {
        version: 1,
        diagnostics: out.diagnostics.iter().map(diagnostic).collect(),
        errors: out
            .errors
            .iter()
            .map(|e| JsonError {
                code: e.code,
                name: code_name(e.code),
                message: &e.message,
                file: &e.file,
                range: e.range().map(|(start, end)| Range { start, end }),
            })
            .collect(),
        summary: Summary {
            templates: out.templates,
            files: out.files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            input_errors: out.errors.len(),
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
