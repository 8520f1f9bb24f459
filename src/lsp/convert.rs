//! Conversions between our byte spans / diagnostics and LSP's UTF-16 positions / diagnostics.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticSeverity, NumberOrString, Position,
    Range, TextDocumentContentChangeEvent, Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::meta;
use crate::source::{LineIndex, Span};

/// A byte span as an LSP range (UTF-16 columns).
pub fn range(index: &LineIndex, text: &str, span: Span) -> Range {
    let (l0, c0) = index.utf16_col(text, span.start);
    let (l1, c1) = index.utf16_col(text, span.end.max(span.start));
    Range {
        start: Position::new(l0, c0),
        end: Position::new(l1, c1),
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One of our findings as an LSP diagnostic.
pub fn diagnostic(d: &Diagnostic) -> LspDiagnostic {
    let file = &d.file;
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let code_description = meta(d.code)
        .and_then(|m| Uri::from_str(&m.help_uri()).ok())
        .map(|href| CodeDescription { href });
    LspDiagnostic {
        range: range(&file.lines, &file.text, d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description,
        source: Some("lambdalint".to_string()),
        message,
        ..LspDiagnostic::default()
    }
}

/// A file that could not be parsed: one error at the parser's position.
pub fn load_error(text: &str, span: Span, message: &str) -> LspDiagnostic {
    let index = LineIndex::new(text);
    LspDiagnostic {
        range: range(&index, text, span),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String("E001".to_string())),
        source: Some("lambdalint".to_string()),
        message: message.to_string(),
        ..LspDiagnostic::default()
    }
}

/// Apply one `didChange` content change (full or incremental) to a buffer.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(r) = change.range else {
        *text = change.text;
        return;
    };
    let index = LineIndex::new(text);
    let pos = |p: Position| -> usize {
        if p.line as usize >= index.line_count() {
            text.len()
        } else {
            index.offset_of_utf16(text, p.line, p.character)
        }
    };
    let start = pos(r.start);
    let end = pos(r.end).max(start);
    if text.is_char_boundary(start) && text.is_char_boundary(end) {
        text.replace_range(start..end, &change.text);
    }
}

/// Comment marker for a file: `//` for JavaScript/TypeScript, `#` otherwise (YAML, Python).
pub fn comment_marker(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx") => "//",
        _ => "#",
    }
}

/// The suppression line to insert above `line0`, with the line's indentation.
pub fn suppression(text: &str, line0: u32, code: &str, marker: &str) -> String {
    let line = text.lines().nth(line0 as usize).unwrap_or("");
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    format!("{indent}{marker} lambdalint: ignore[{code}]\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn incremental_change_in_utf16() {
        let mut t = String::from("a: \"🚀x\"\nb: 1\n");
        // Replace `x` (after a surrogate pair: UTF-16 column 5) with `y`.
        apply_change(
            &mut t,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(0, 6), Position::new(0, 7))),
                range_length: None,
                text: "y".into(),
            },
        );
        assert_eq!(t, "a: \"🚀y\"\nb: 1\n");
        apply_change(
            &mut t,
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(9, 0), Position::new(9, 0))),
                range_length: None,
                text: "c: 2\n".into(),
            },
        );
        assert_eq!(t, "a: \"🚀y\"\nb: 1\nc: 2\n");
    }

    #[test]
    fn suppression_keeps_indentation() {
        let t = "Resources:\n  Fn:\n    Type: x\n";
        assert_eq!(
            suppression(t, 1, "LMB010", "#"),
            "  # lambdalint: ignore[LMB010]\n"
        );
        assert_eq!(
            suppression(t, 9, "LMB010", "//"),
            "// lambdalint: ignore[LMB010]\n"
        );
    }
}
