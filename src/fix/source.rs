//! Fixes in handler source files: a timeout argument for an HTTP call (HDL010). The call is
//! parsed on its own (tree-sitter, as the handler analysis reads it: the finding's span is the
//! whole call); the edit inserts a few bytes into its argument list, and is kept only when the
//! edited call still parses without error. An edit only ever changes the inside of an
//! argument list, so the rest of the file parses as before.
//!
//! A file with thousands of calls to fix costs about one parse of the file, not three per call
//! (as when each fix parsed the whole file twice), and what is parsed per file is bounded (see
//! [`check_budget`]): past it, findings are reported without a fix.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Applicability, Edit, Fix};
use crate::handler::lower::{MAX_PARSE_OPS, PARSE_BUDGET, parse};
use crate::handler::modules::lang_of;
use crate::handler::resolve::Lang;
use crate::source::{SourceFile, Span};
use tree_sitter::Node;

/// Bytes of calls parsed to make and check the fixes of one file, at most: four times the file
/// and 64 KiB (calls nested in each other's arguments would otherwise cost the file's size
/// each).
const fn check_budget(len: usize) -> usize {
    len.saturating_mul(4).saturating_add(64 * 1024)
}

/// What the fixes in one file share.
struct FileState {
    /// The file's line break (`\r\n` when it has any).
    nl: &'static str,
    /// Bytes parsed so far (see [`check_budget`]).
    parsed: usize,
}

/// What the fixes made in the handler files of one check have parsed, per file.
#[derive(Default)]
pub struct FixBudget {
    files: HashMap<PathBuf, FileState>,
}

impl FixBudget {
    /// Count `bytes` more parsed in `file`: its line break, or `None` once over its budget.
    fn spend(&mut self, file: &SourceFile, bytes: usize) -> Option<&'static str> {
        let st = self
            .files
            .entry(file.path.clone())
            .or_insert_with(|| FileState {
                nl: if file.text.contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                },
                parsed: 0,
            });
        st.parsed = st.parsed.saturating_add(bytes);
        (st.parsed <= check_budget(file.text.len())).then_some(st.nl)
    }
}

/// Python callees that take `timeout=` in seconds.
fn python_takes_timeout(callee: &str) -> bool {
    callee.starts_with("requests.")
        || callee == "urllib.request.urlopen"
        || callee == "urllib3.request"
}

/// A call's text in parentheses, parsed on its own: offsets in it are the file's minus
/// [`Snippet::base`].
struct Snippet<'f> {
    /// The whole file (indentation is read there).
    file: &'f str,
    text: String,
    base: usize,
    nl: &'static str,
}

impl Snippet<'_> {
    /// The file offset of snippet offset `o`.
    fn at(&self, o: usize) -> usize {
        o + self.base
    }

    /// The indentation of the file's line holding snippet offset `o`.
    fn indent(&self, o: usize) -> &str {
        let offset = self.at(o);
        let text = self.file;
        let start = text
            .get(..offset)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = text.get(start..).unwrap_or("");
        let n = line.len() - line.trim_start_matches([' ', '\t']).len();
        line.get(..n).unwrap_or("")
    }
}

/// Insert `arg` as the last argument of the argument list `args` (after a trailing comma on a
/// line of its own when the call is written one argument per line). Snippet offsets.
fn append_arg(s: &Snippet<'_>, args: Node<'_>, arg: &str) -> Option<(usize, String)> {
    let text = s.text.as_str();
    let close = args.end_byte().checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b')') {
        return None;
    }
    let mut cur = args.walk();
    let items: Vec<Node<'_>> = args
        .named_children(&mut cur)
        .filter(|n| n.kind() != "comment")
        .collect();
    let Some(last) = items.last() else {
        return Some((close, arg.to_string()));
    };
    let between = text.get(last.end_byte()..close)?;
    match between.find(',') {
        None => Some((last.end_byte(), format!(", {arg}"))),
        Some(i) if between.contains('\n') => {
            // At the end of the line of the comma (after its comment).
            let after = last.end_byte() + i + 1;
            let mut at = after + text.get(after..close)?.find('\n')?;
            if at > 0 && text.as_bytes().get(at - 1) == Some(&b'\r') {
                at -= 1;
            }
            let indent = s.indent(last.start_byte());
            Some((at, format!("{}{indent}{arg},", s.nl)))
        }
        Some(i) => Some((last.end_byte() + i + 1, format!(" {arg}"))),
    }
}

/// The edit giving the HTTP call at `span` of `file` (the whole call) a timeout of `secs`
/// seconds: `timeout=N` (Python `requests`, `urllib`, `urllib3`), an `AbortSignal.timeout(ms)`
/// signal (`fetch`). `None` for other callees, calls with `*args` / `**kwargs` / spread
/// arguments, a `fetch` whose options are not an object literal, a call that does not parse on
/// its own, or an edit after which it no longer does.
pub fn timeout_edit(
    budget: &mut FixBudget,
    file: &SourceFile,
    span: Span,
    callee: &str,
    secs: u32,
) -> Option<Edit> {
    let lang = lang_of(&file.path)?;
    let call_text = file.text.get(span.range())?;
    // The call and the edited call are parsed.
    let nl = budget.spend(file, call_text.len().saturating_mul(2).saturating_add(64))?;
    let close = if lang == Lang::Python { ")\n" } else { ");\n" };
    let s = Snippet {
        file: &file.text,
        text: format!("({call_text}{close}"),
        base: (span.start as usize).checked_sub(1)?,
        nl,
    };
    let tree = parse(lang, &s.text, MAX_PARSE_OPS, PARSE_BUDGET).ok()?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let call = root.descendant_for_byte_range(1, 1 + call_text.len())?;
    if !matches!(call.kind(), "call" | "call_expression")
        || call.start_byte() != 1
        || call.end_byte() != 1 + call_text.len()
    {
        return None;
    }
    let text = s.text.as_str();
    let args = call.child_by_field_name("arguments")?;
    let mut cur = args.walk();
    let items: Vec<Node<'_>> = args
        .named_children(&mut cur)
        .filter(|n| n.kind() != "comment")
        .collect();
    if items.iter().any(|n| {
        matches!(
            n.kind(),
            "dictionary_splat" | "list_splat" | "spread_element"
        )
    }) {
        return None;
    }
    let ((at, to), insert) = match lang {
        Lang::Python if python_takes_timeout(callee) => {
            if items.iter().any(|n| {
                n.kind() == "keyword_argument"
                    && n.child_by_field_name("name")
                        .and_then(|k| k.utf8_text(text.as_bytes()).ok())
                        == Some("timeout")
            }) {
                return None;
            }
            let (at, insert) = append_arg(&s, args, &format!("timeout={secs}"))?;
            ((at, at), insert)
        }
        Lang::Python => return None,
        _ if callee == "fetch" => {
            let signal = format!("signal: AbortSignal.timeout({})", u64::from(secs) * 1000);
            match items.as_slice() {
                [_] => {
                    let (at, insert) = append_arg(&s, args, &format!("{{ {signal} }}"))?;
                    ((at, at), insert)
                }
                [_, opts] if opts.kind() == "object" => {
                    let mut c = opts.walk();
                    let empty = opts.named_children(&mut c).all(|n| n.kind() == "comment");
                    if empty {
                        (
                            (opts.start_byte(), opts.end_byte()),
                            format!("{{ {signal} }}"),
                        )
                    } else {
                        // One property per line: the signal on a line of its own, first.
                        let first = opts
                            .named_children(&mut c)
                            .find(|n| n.kind() != "comment")?;
                        let brace = opts.start_byte() + 1;
                        if text.get(brace..first.start_byte())?.contains('\n') {
                            let indent = s.indent(first.start_byte());
                            ((brace, brace), format!("{}{indent}{signal},", s.nl))
                        } else {
                            ((brace, brace), format!(" {signal},"))
                        }
                    }
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    // The edited call must parse on its own too.
    let edited = format!("{}{insert}{}", text.get(..at)?, text.get(to..)?);
    let clean =
        parse(lang, &edited, MAX_PARSE_OPS, PARSE_BUDGET).is_ok_and(|t| !t.root_node().has_error());
    clean.then(|| Edit {
        span: Span::new(s.at(at), s.at(to)),
        text: insert,
        depth: 0,
    })
}

/// HDL010's fix for the HTTP call at `call` (the whole call): a timeout one second shorter
/// than the function's (`function_timeout`, whole seconds), unsafe (a slow call now fails instead of waiting).
pub fn http_timeout_fix(
    budget: &mut FixBudget,
    file: &SourceFile,
    call: Span,
    callee: &str,
    function_timeout: f64,
) -> Option<Fix> {
    if !function_timeout.is_finite() || function_timeout < 2.0 {
        return None;
    }
    let secs = u32::try_from((function_timeout - 1.0).floor() as i64).ok()?;
    let edit = timeout_edit(budget, file, call, callee, secs)?;
    let what = if callee == "fetch" {
        format!("`signal: AbortSignal.timeout({})`", u64::from(secs) * 1000)
    } else {
        format!("`timeout={secs}`")
    };
    Some(Fix {
        title: format!("Pass {what} to `{callee}` (shorter than the function's timeout)"),
        applicability: Applicability::Unsafe,
        claims: vec![format!("call:{}", call.start)],
        edits: vec![edit],
        file: None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::path::PathBuf;

    /// Fix the call starting at `needle` (its span the whole call, as the analysis gives it).
    fn fixed(name: &str, text: &str, needle: &str, callee: &str) -> Option<String> {
        let f = SourceFile::new(PathBuf::from(name), name.into(), text.into());
        let at = text.find(needle).unwrap();
        let lang = lang_of(&f.path).unwrap();
        let tree = parse(lang, text, MAX_PARSE_OPS, PARSE_BUDGET).unwrap();
        let mut n = tree.root_node().descendant_for_byte_range(at, at).unwrap();
        while !(matches!(n.kind(), "call" | "call_expression") && n.start_byte() == at) {
            n = n.parent().unwrap();
        }
        let (at, end) = (n.start_byte(), n.end_byte());
        let mut budget = FixBudget::default();
        let fix = http_timeout_fix(&mut budget, &f, Span::new(at, end), callee, 10.0)?;
        super::super::apply_edits(text, &fix.edits.iter().collect::<Vec<_>>())
    }

    #[test]
    fn python_calls_get_a_timeout_keyword() {
        let t = "import requests\nr = requests.get(u)\ns = requests.get(u, headers=h).json()\n";
        assert_eq!(
            fixed("a.py", t, "requests.get(u)", "requests.get").unwrap(),
            "import requests\nr = requests.get(u, timeout=9)\ns = requests.get(u, headers=h).json()\n"
        );
        let out = fixed("a.py", t, "requests.get(u, headers", "requests.get").unwrap();
        assert!(
            out.contains("s = requests.get(u, headers=h, timeout=9).json()"),
            "{out}"
        );
        // One argument per line, trailing comma: a new line in the same indentation.
        let t = "x = requests.post(\n    u,\n    json=b,  # body\n)\n";
        assert_eq!(
            fixed("a.py", t, "requests.post", "requests.post").unwrap(),
            "x = requests.post(\n    u,\n    json=b,  # body\n    timeout=9,\n)\n"
        );
        // **kwargs may hold a timeout already; aiohttp takes no number.
        assert_eq!(
            fixed(
                "a.py",
                "requests.get(u, **kw)\n",
                "requests",
                "requests.get"
            ),
            None
        );
        assert_eq!(fixed("a.py", "s.get(u)\n", "s.get", "aiohttp.get"), None);
    }

    #[test]
    fn fetch_gets_an_abort_signal() {
        let t = "const r = await fetch(url);\nconst s = await fetch(url, { method: 'POST' });\nconst e = await fetch(url, {});\nconst o = await fetch(url, opts);\n";
        assert!(
            fixed("a.mjs", t, "fetch(url);", "fetch")
                .unwrap()
                .contains("fetch(url, { signal: AbortSignal.timeout(9000) });")
        );
        assert!(
            fixed("a.mjs", t, "fetch(url, { method", "fetch")
                .unwrap()
                .contains("fetch(url, { signal: AbortSignal.timeout(9000), method: 'POST' });")
        );
        assert!(
            fixed("a.ts", t, "fetch(url, {})", "fetch")
                .unwrap()
                .contains("fetch(url, { signal: AbortSignal.timeout(9000) });")
        );
        assert_eq!(fixed("a.mjs", t, "fetch(url, opts)", "fetch"), None);
        let t = "await fetch(url, {\n  method: 'POST', // send\n  body,\n});\n";
        assert_eq!(
            fixed("a.js", t, "fetch", "fetch").unwrap(),
            "await fetch(url, {\n  signal: AbortSignal.timeout(9000),\n  method: 'POST', // send\n  body,\n});\n"
        );
    }
}
