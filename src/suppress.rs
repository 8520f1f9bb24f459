//! Suppressions: a filter stage after the rules.
//!
//! Forms (see docs/config.md):
//! - a comment `# lambdalint: ignore[CODE, ...] reason` on the line of the finding, or alone on the
//!   line above it (YAML templates; handler sources with `#` or `//` comments);
//! - resource `Metadata: {lambdalint: {ignore: [CODE, ...], reason: "..."}}`;
//! - template-level `Metadata: {lambdalint: {ignore: [...]}}` for the whole file.
//!
//! A code may also be a prefix (`IAM`), a rule name or `all`. A suppression that matches no finding
//! of an enabled rule is reported as `E010 unused-suppression` (info).

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Template;
use crate::rule::{BUILTIN_CODES, RuleSelection, meta, valid_selector};
use crate::source::{SourceFile, Span};

/// The code of unused-suppression findings.
pub const UNUSED_CODE: &str = "E010";

/// A parsed `lambdalint: ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub codes: Vec<String>,
    pub reason: Option<String>,
}

/// Parse the text of one comment (with or without its `#` / `//` marker).
pub fn parse_comment(comment: &str) -> Option<Directive> {
    let t = comment
        .trim_start()
        .trim_start_matches('#')
        .trim_start_matches("//")
        .trim_start();
    let rest = t.strip_prefix("lambdalint:")?.trim_start();
    let rest = rest.strip_prefix("ignore[")?;
    let (inside, after) = rest.split_once(']')?;
    let codes: Vec<String> = inside
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        return None;
    }
    let reason = after
        .trim()
        .trim_start_matches(['-', ':'])
        .trim()
        .to_string();
    Some(Directive {
        codes,
        reason: (!reason.is_empty()).then_some(reason),
    })
}

/// A directive found in a file, with the lines (1-based) it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDirective {
    pub directive: Directive,
    /// Span of the comment.
    pub span: Span,
    /// 1-based line of the comment.
    pub line: u32,
    /// The line it suppresses: its own line for a trailing comment, the next line for a comment
    /// alone on its line.
    pub target: u32,
}

/// Turn comments `(span, text)` of a file into directives. Works for any file whose comments are
/// known (YAML comments from the loader, or [`scan_source`] for other languages).
pub fn line_directives<'a>(
    text: &str,
    comments: impl IntoIterator<Item = (Span, &'a str)>,
) -> Vec<LineDirective> {
    let lines = crate::source::LineIndex::new(text);
    let mut out = Vec::new();
    for (span, comment) in comments {
        let Some(directive) = parse_comment(comment) else {
            continue;
        };
        let line0 = lines.line_of(span.start);
        let start = lines.line_start(line0) as usize;
        let before = text.get(start..span.start as usize).unwrap_or("");
        let own_line = before.trim().is_empty();
        let line = u32::try_from(line0 + 1).unwrap_or(u32::MAX);
        out.push(LineDirective {
            directive,
            span,
            line,
            target: if own_line { line + 1 } else { line },
        });
    }
    out
}

/// Find `# lambdalint: ignore[..]` and `// lambdalint: ignore[..]` comments in any source text
/// (handler code). A marker inside a string literal can match too; directives are explicit enough
/// that this does not matter in practice.
pub fn scan_source(text: &str) -> Vec<LineDirective> {
    let mut comments = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        if let Some(i) = line.find("lambdalint:") {
            let head = line.get(..i).unwrap_or("").trim_end();
            let marker = if head.ends_with("//") {
                Some(head.len() - 2)
            } else if head.ends_with('#') {
                Some(head.len() - 1)
            } else {
                None
            };
            if let Some(m) = marker {
                let body = line.trim_end_matches(['\n', '\r']);
                comments.push((
                    Span::new(offset + m, offset + body.len()),
                    body.get(m..).unwrap_or(""),
                ));
            }
        }
        offset += line.len();
    }
    line_directives(text, comments)
}

/// Is a finding with `code` starting on `line` (1-based) suppressed by one of `directives`?
/// For callers that check other files (handler sources) on their own.
pub fn is_suppressed(directives: &[LineDirective], line: u32, code: &str) -> bool {
    directives
        .iter()
        .any(|d| d.target == line && d.directive.codes.iter().any(|c| code_matches(c, code)))
}

/// Does a suppression code (code, prefix, rule name or `all`) cover `code`?
pub fn code_matches(pattern: &str, code: &str) -> bool {
    let up = pattern.to_ascii_uppercase();
    up == "ALL" || code.starts_with(&up) || meta(code).is_some_and(|m| m.name == pattern)
}

enum Scope {
    /// A line of a file (compared by display path).
    Line(String, u32),
    Resource(String),
    File,
}

struct Entry {
    code: String,
    span: Span,
    used: bool,
}

struct Suppression {
    scope: Scope,
    file: Arc<SourceFile>,
    resource: Option<String>,
    path: Vec<String>,
    entries: Vec<Entry>,
}

impl Suppression {
    fn covers(&self, d: &Diagnostic) -> bool {
        match &self.scope {
            Scope::Line(file, line) => d.file.display == *file && d.range().0.line == *line,
            Scope::Resource(id) => {
                Arc::ptr_eq(&d.file, &self.file) && d.resource.as_deref() == Some(id.as_str())
            }
            Scope::File => Arc::ptr_eq(&d.file, &self.file),
        }
    }
}

fn metadata_entries(tpl: &Template, metadata: crate::load::NodeId) -> Vec<Entry> {
    let doc = &tpl.doc;
    let Some(ll) = doc.get(metadata, "lambdalint") else {
        return Vec::new();
    };
    let Some(ignore) = doc.get(ll, "ignore") else {
        return Vec::new();
    };
    doc.one_or_many(ignore)
        .into_iter()
        .filter_map(|n| {
            doc.as_str(n).map(|c| Entry {
                code: c.to_string(),
                span: doc.span(n),
                used: false,
            })
        })
        .collect()
}

fn from_comments(file: &Arc<SourceFile>, directives: Vec<LineDirective>) -> Vec<Suppression> {
    directives
        .into_iter()
        .map(|d| Suppression {
            scope: Scope::Line(file.display.clone(), d.target),
            file: Arc::clone(file),
            resource: None,
            path: Vec::new(),
            entries: d
                .directive
                .codes
                .into_iter()
                .map(|code| Entry {
                    code,
                    span: d.span,
                    used: false,
                })
                .collect(),
        })
        .collect()
}

/// Every suppression written in a template (comments and Metadata).
fn template_suppressions(tpl: &Template) -> Vec<Suppression> {
    let comments = tpl.comments.iter().map(|(s, c)| (*s, c.as_str()));
    let mut v = from_comments(&tpl.file, line_directives(&tpl.file.text, comments));
    for (id, r) in &tpl.resources {
        let Some(md) = tpl.doc.get(r.node, "Metadata") else {
            continue;
        };
        let entries = metadata_entries(tpl, md);
        if !entries.is_empty() {
            v.push(Suppression {
                scope: Scope::Resource(id.clone()),
                file: Arc::clone(&tpl.file),
                resource: Some(id.clone()),
                path: vec!["Metadata".into(), "lambdalint".into(), "ignore".into()],
                entries,
            });
        }
    }
    if let Some(md) = tpl.doc.root.and_then(|r| tpl.doc.get(r, "Metadata")) {
        let entries = metadata_entries(tpl, md);
        if !entries.is_empty() {
            v.push(Suppression {
                scope: Scope::File,
                file: Arc::clone(&tpl.file),
                resource: None,
                path: vec!["Metadata".into(), "lambdalint".into(), "ignore".into()],
                entries,
            });
        }
    }
    v
}

/// Is any rule this pattern covers enabled? (A suppression of a disabled rule is not "unused".)
fn pattern_active(pattern: &str, sel: &RuleSelection) -> bool {
    let up = pattern.to_ascii_uppercase();
    if BUILTIN_CODES
        .iter()
        .any(|(c, _, _)| code_matches(pattern, c) && sel.enabled(c))
    {
        return true;
    }
    crate::rules::all().iter().any(|r| {
        let c = r.code();
        (up == "ALL" || c.starts_with(&up) || meta(c).is_some_and(|m| m.name == pattern))
            && sel.enabled(c)
    })
}

/// Remove suppressed findings from `out` (findings of the template and of other files it led
/// to, such as handler sources), then report unused suppressions as `E010`.
pub fn apply(tpl: &Template, sel: &RuleSelection, out: &mut Vec<Diagnostic>) {
    let mut sups = template_suppressions(tpl);
    // Other files (handler sources) with findings: scan their comments once each.
    let mut scanned: HashMap<String, ()> = HashMap::new();
    for d in out.iter() {
        if !Arc::ptr_eq(&d.file, &tpl.file) && !scanned.contains_key(&d.file.display) {
            scanned.insert(d.file.display.clone(), ());
            sups.extend(from_comments(&d.file, scan_source(&d.file.text)));
        }
    }
    if sups.is_empty() {
        return;
    }
    out.retain(|d| {
        for s in sups.iter_mut() {
            if !s.covers(d) {
                continue;
            }
            if let Some(e) = s.entries.iter_mut().find(|e| code_matches(&e.code, d.code)) {
                e.used = true;
                return false;
            }
        }
        true
    });
    if !sel.enabled(UNUSED_CODE) {
        return;
    }
    let severity = sel.severity_of(UNUSED_CODE).unwrap_or(Severity::Info);
    for s in &sups {
        for e in s.entries.iter().filter(|e| !e.used) {
            let known = valid_selector(&e.code);
            if known && !pattern_active(&e.code, sel) {
                continue;
            }
            let (message, help) = if known {
                (
                    format!("unused suppression: no `{}` finding here", e.code),
                    "remove the suppression (the finding it was written for is gone) or move it to the line of the finding",
                )
            } else {
                (
                    format!("suppression names `{}`, which is not a rule code", e.code),
                    "use a code from `lambdalint rules`",
                )
            };
            let mut path = s.path.clone();
            path.push(e.code.clone());
            out.push(Diagnostic {
                code: UNUSED_CODE,
                severity,
                message,
                help: Some(help.to_string()),
                file: Arc::clone(&s.file),
                span: e.span,
                resource: s.resource.clone(),
                path,
                construct: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments() {
        assert_eq!(
            parse_comment(" lambdalint: ignore[LMB010, IAM001] handled elsewhere"),
            Some(Directive {
                codes: vec!["LMB010".into(), "IAM001".into()],
                reason: Some("handled elsewhere".into())
            })
        );
        assert_eq!(
            parse_comment("# lambdalint: ignore[SQS001]"),
            Some(Directive {
                codes: vec!["SQS001".into()],
                reason: None
            })
        );
        assert_eq!(parse_comment("lambdalint: ignore[]"), None);
        assert_eq!(parse_comment("lambdalint ignore[X]"), None);
        assert_eq!(parse_comment("just a comment"), None);
    }

    #[test]
    fn scans_handler_sources() {
        let py = "import boto3\n\ndef handler(e, c):\n    # lambdalint: ignore[HDL001] one-off\n    s3 = boto3.client('s3')\n    x = 1  # lambdalint: ignore[HDL010]\n";
        let d = scan_source(py);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].line, d[0].target), (4, 5));
        assert_eq!(d[0].directive.reason.as_deref(), Some("one-off"));
        assert_eq!((d[1].line, d[1].target), (6, 6));
        let js = "const c = new S3Client({}); // lambdalint: ignore[HDL001]\n";
        let d = scan_source(js);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].target, 1);
        assert_eq!(&js[d[0].span.range()], "// lambdalint: ignore[HDL001]");
        assert!(scan_source("x = 'lambdalint: ignore[A]'\n").is_empty());
        let d = scan_source(py);
        assert!(is_suppressed(&d, 5, "HDL001"));
        assert!(is_suppressed(&d, 6, "HDL010"));
        assert!(!is_suppressed(&d, 4, "HDL001"));
        assert!(!is_suppressed(&d, 5, "HDL002"));
    }
}
