//! Human output: annotate-snippets excerpts with the primary label on the offending key or value.

use std::borrow::Cow;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::safe::terminal;
use crate::source::{SourceFile, Span, ceil_char_boundary, floor_char_boundary};

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// The lines around a span, so a 50 MB template does not get handed to the renderer whole.
/// Returns (excerpt, first line number, span relative to the excerpt).
fn excerpt(file: &SourceFile, span: Span) -> (Cow<'_, str>, usize, std::ops::Range<usize>) {
    let text = &file.text;
    let start = floor_char_boundary(text, span.start as usize);
    let mut end = ceil_char_boundary(text, (span.end as usize).max(start));
    // Keep excerpts short: at most 6 lines of the span.
    let l0 = file.lines.line_of(start as u32);
    let l_end = file.lines.line_of(end as u32);
    if l_end > l0 + 5 {
        end = (file.lines.line_start(l0 + 1) as usize)
            .saturating_sub(1)
            .max(start);
        end = floor_char_boundary(text, end);
    }
    let from = file.lines.line_start(l0) as usize;
    let l_last = file.lines.line_of(end as u32);
    let to = if l_last + 1 < file.lines.line_count() {
        (file.lines.line_start(l_last + 1) as usize).saturating_sub(1)
    } else {
        text.len()
    };
    let to = ceil_char_boundary(text, to.max(end));
    let ex = text.get(from..to).unwrap_or("");
    // CRLF files: show the lines without a visible carriage return (same byte length); other
    // control characters are made visible at the same byte length (C0 ones are shown as
    // pictures by the renderer).
    let ex = if ex.contains('\r') {
        // `\r\n` -> ` \n`; a lone `\r` is a line break of its own -> `\n`.
        let b = ex.as_bytes();
        let fixed: String = ex
            .char_indices()
            .map(|(i, c)| match c {
                '\r' if b.get(i + 1) == Some(&b'\n') => ' ',
                '\r' => '\n',
                c => c,
            })
            .collect();
        Cow::Owned(fixed)
    } else {
        Cow::Borrowed(ex)
    };
    let ex = match crate::render::safe::same_length(&ex) {
        Cow::Borrowed(_) => ex,
        Cow::Owned(o) => Cow::Owned(o),
    };
    (ex, l0 + 1, (start - from)..(end - from))
}

/// Lines longer than this (minified JSON, hostile input) are not excerpted: the position alone.
const MAX_EXCERPT: usize = 4096;

fn origin<'a>(file: &SourceFile, span: Span, path: &'a str) -> annotate_snippets::Origin<'a> {
    let at = file.line_col(span.start);
    annotate_snippets::Origin::path(path)
        .line(at.line as usize)
        .char_column(at.column as usize)
}

pub struct Human {
    pub color: bool,
}

impl Human {
    fn renderer(&self) -> Renderer {
        let r = if self.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        r.decor_style(DecorStyle::Ascii)
    }

    pub fn diagnostic(&self, d: &Diagnostic) -> String {
        let (ex, line, range) = excerpt(&d.file, d.span);
        // Every text from the input is made safe here (the excerpt is made safe by the
        // renderer itself, which shows control characters as pictures).
        let label = d
            .resource
            .as_deref()
            .map(|r| match &d.construct {
                // AWS CDK: the construct path the user recognises.
                Some(c) => format!("in `{}` (construct `{}`)", terminal(r), terminal(c)),
                None => format!("in `{}`", terminal(r)),
            })
            .unwrap_or_default();
        let path = terminal(&d.file.display);
        let message = terminal(&d.message);
        let title = level(d.severity).primary_title(message.as_ref()).id(d.code);
        let mut group = if ex.len() > MAX_EXCERPT {
            Group::with_title(title).element(origin(&d.file, d.span, &path))
        } else {
            Group::with_title(title).element(
                Snippet::source(ex.as_ref())
                    .path(path.as_ref())
                    .line_start(line)
                    .annotation(AnnotationKind::Primary.span(range).label(label)),
            )
        };
        let help = d.help.as_deref().map(terminal);
        if let Some(h) = &help {
            group = group.element(Level::HELP.message(h.as_ref()));
        }
        self.renderer().render(&[group])
    }

    pub fn render(&self, out: &Outcome) -> String {
        let mut s = String::new();
        for e in &out.errors {
            let message = terminal(&e.message);
            let path = terminal(&e.file);
            let title = Level::ERROR.primary_title(message.as_ref()).id(e.code);
            let ex = e.position.as_ref().map(|(file, span)| excerpt(file, *span));
            let group = match (&e.position, &ex) {
                (Some((f, sp)), Some((x, _, _))) if x.len() > MAX_EXCERPT => {
                    Group::with_title(title).element(origin(f, *sp, &path))
                }
                (_, Some((ex, line, range))) => Group::with_title(title).element(
                    Snippet::source(ex.as_ref())
                        .path(path.as_ref())
                        .line_start(*line)
                        .annotation(AnnotationKind::Primary.span(range.clone())),
                ),
                _ => {
                    Group::with_title(title).element(annotate_snippets::Origin::path(path.as_ref()))
                }
            };
            s.push_str(&self.renderer().render(&[group]));
            s.push_str("\n\n");
        }
        for d in &out.diagnostics {
            s.push_str(&self.diagnostic(d));
            s.push_str("\n\n");
        }
        let count = |sev| out.diagnostics.iter().filter(|d| d.severity == sev).count();
        let (e, w, i) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        let total = out.diagnostics.len();
        if total == 0 && out.errors.is_empty() {
            s.push_str(&format!(
                "All checks passed ({} template{} checked).\n",
                out.templates,
                if out.templates == 1 { "" } else { "s" }
            ));
        } else {
            s.push_str(&format!(
                "Found {total} problem{} ({e} error{}, {w} warning{}, {i} info) in {} template{}",
                if total == 1 { "" } else { "s" },
                if e == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" },
                out.templates,
                if out.templates == 1 { "" } else { "s" },
            ));
            if !out.errors.is_empty() {
                // Files that could not be checked at all, and input problems in files that were.
                let unchecked: std::collections::BTreeSet<&str> = out
                    .errors
                    .iter()
                    .filter(|e| !out.checked.contains(&e.file))
                    .map(|e| e.file.as_str())
                    .collect();
                let problems = out.errors.len();
                if unchecked.len() == problems {
                    s.push_str(&format!(
                        "; {} file{} could not be checked",
                        problems,
                        if problems == 1 { "" } else { "s" }
                    ));
                } else {
                    s.push_str(&format!(
                        "; {} input problem{}",
                        problems,
                        if problems == 1 { "" } else { "s" }
                    ));
                    if !unchecked.is_empty() {
                        s.push_str(&format!(
                            " ({} file{} could not be checked)",
                            unchecked.len(),
                            if unchecked.len() == 1 { "" } else { "s" }
                        ));
                    }
                }
            }
            s.push_str(".\n");
        }
        s
    }
}
