//! GitHub Actions workflow commands: `::error file=..,line=..,col=..::message`, one per finding.
//! See <https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>.

use std::fmt::Write as _;

use crate::check::Outcome;
use crate::diagnostic::Severity;
use crate::rule::code_name;

/// Escape the message part of a command (see [`crate::render::safe::github_data`]).
pub fn escape_data(s: &str) -> String {
    crate::render::safe::github_data(s)
}

/// Escape a property value (see [`crate::render::safe::github_property`]).
pub fn escape_property(s: &str) -> String {
    crate::render::safe::github_property(s)
}

fn command(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(out: &Outcome) -> String {
    let mut s = String::new();
    for e in &out.errors {
        let _ = write!(s, "::error file={}", escape_property(&e.file));
        if let Some((start, end)) = e.range() {
            let _ = write!(
                s,
                ",line={},col={},endLine={},endColumn={}",
                start.line, start.column, end.line, end.column
            );
        }
        let _ = writeln!(
            s,
            ",title={}::{}",
            escape_property(&format!("{} {}", e.code, code_name(e.code))),
            escape_data(&e.message)
        );
    }
    for d in &out.diagnostics {
        let (start, end) = d.range();
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            s,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(d.severity),
            escape_property(&d.file.display),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", d.code, code_name(d.code))),
            escape_data(&message)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }
}
