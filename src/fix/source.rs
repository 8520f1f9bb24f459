//! Fixes in handler source files: a timeout argument for an HTTP call (HDL010). The call is
//! found in the file's syntax tree (tree-sitter, as the handler analysis reads it); the edit
//! inserts a few bytes into its argument list, and is kept only when the edited file still
//! parses as cleanly as before.

use super::{Applicability, Edit, Fix};
use crate::handler::lower::{MAX_PARSE_OPS, PARSE_BUDGET, parse};
use crate::handler::modules::lang_of;
use crate::handler::resolve::Lang;
use crate::source::{SourceFile, Span};
use tree_sitter::Node;

/// Python callees that take `timeout=` in seconds.
fn python_takes_timeout(callee: &str) -> bool {
    callee.starts_with("requests.")
        || callee == "urllib.request.urlopen"
        || callee == "urllib3.request"
}

/// The innermost call starting at `at` (`requests.get(x)` in `requests.get(x).json()`).
fn call_at(root: Node<'_>, at: usize) -> Option<Node<'_>> {
    let mut n = root.descendant_for_byte_range(at, at)?;
    loop {
        if matches!(n.kind(), "call" | "call_expression") && n.start_byte() == at {
            return Some(n);
        }
        n = n.parent()?;
        if n.start_byte() != at {
            return None;
        }
    }
}

fn line_indent(text: &str, offset: usize) -> &str {
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text.get(start..).unwrap_or("");
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..n).unwrap_or("")
}

/// Insert `arg` as the last argument of the argument list `args` (after a trailing comma on a
/// line of its own when the call is written one argument per line).
fn append_arg(text: &str, args: Node<'_>, arg: &str) -> Option<(usize, String)> {
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
            let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let indent = line_indent(text, last.start_byte());
            Some((at, format!("{nl}{indent}{arg},")))
        }
        Some(i) => Some((last.end_byte() + i + 1, format!(" {arg}"))),
    }
}

/// The edit giving the HTTP call at `span` of `file` a timeout of `secs` seconds: `timeout=N`
/// (Python `requests`, `urllib`, `urllib3`), an `AbortSignal.timeout(ms)` signal (`fetch`).
/// `None` for other callees, calls with `*args` / `**kwargs` / spread arguments, a `fetch`
/// whose options are not an object literal, or an edit after which the file no longer parses.
pub fn timeout_edit(file: &SourceFile, span: Span, callee: &str, secs: u32) -> Option<Edit> {
    let lang = lang_of(&file.path)?;
    let text = file.text.as_str();
    let tree = parse(lang, text, MAX_PARSE_OPS, PARSE_BUDGET).ok()?;
    let call = call_at(tree.root_node(), span.start as usize)?;
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
    let (at, insert) = match lang {
        Lang::Python if python_takes_timeout(callee) => {
            if items.iter().any(|n| {
                n.kind() == "keyword_argument"
                    && n.child_by_field_name("name")
                        .and_then(|k| k.utf8_text(text.as_bytes()).ok())
                        == Some("timeout")
            }) {
                return None;
            }
            append_arg(text, args, &format!("timeout={secs}"))?
        }
        Lang::Python => return None,
        _ if callee == "fetch" => {
            let signal = format!("signal: AbortSignal.timeout({})", u64::from(secs) * 1000);
            match items.as_slice() {
                [_] => append_arg(text, args, &format!("{{ {signal} }}"))?,
                [_, opts] if opts.kind() == "object" => {
                    let mut c = opts.walk();
                    let empty = opts.named_children(&mut c).all(|n| n.kind() == "comment");
                    if empty {
                        return Some(Edit {
                            span: Span::new(opts.start_byte(), opts.end_byte()),
                            text: format!("{{ {signal} }}"),
                            depth: 0,
                        })
                        .filter(|e| still_parses(lang, text, e));
                    }
                    // One property per line: the signal on a line of its own, first.
                    let first = opts
                        .named_children(&mut c)
                        .find(|n| n.kind() != "comment")?;
                    let brace = opts.start_byte() + 1;
                    if text.get(brace..first.start_byte())?.contains('\n') {
                        let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
                        let indent = line_indent(text, first.start_byte());
                        (brace, format!("{nl}{indent}{signal},"))
                    } else {
                        (brace, format!(" {signal},"))
                    }
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    let e = Edit {
        span: Span::empty(at),
        text: insert,
        depth: 0,
    };
    still_parses(lang, text, &e).then_some(e)
}

/// Does the text parse without errors after the edit, when it did before?
fn still_parses(lang: Lang, text: &str, e: &Edit) -> bool {
    let Some(new) = super::apply_edits(text, &[e]) else {
        return false;
    };
    let had =
        parse(lang, text, MAX_PARSE_OPS, PARSE_BUDGET).is_ok_and(|t| t.root_node().has_error());
    match parse(lang, &new, MAX_PARSE_OPS, PARSE_BUDGET) {
        Ok(t) => had || !t.root_node().has_error(),
        Err(_) => false,
    }
}

/// HDL010's fix: a timeout one second shorter than the function's (`function_timeout`, whole
/// seconds), unsafe (a slow call now fails instead of waiting).
pub fn http_timeout_fix(
    file: &SourceFile,
    span: Span,
    callee: &str,
    function_timeout: f64,
) -> Option<Fix> {
    if !function_timeout.is_finite() || function_timeout < 2.0 {
        return None;
    }
    let secs = u32::try_from((function_timeout - 1.0).floor() as i64).ok()?;
    let edit = timeout_edit(file, span, callee, secs)?;
    let what = if callee == "fetch" {
        format!("`signal: AbortSignal.timeout({})`", u64::from(secs) * 1000)
    } else {
        format!("`timeout={secs}`")
    };
    Some(Fix {
        title: format!("Pass {what} to `{callee}` (shorter than the function's timeout)"),
        applicability: Applicability::Unsafe,
        claims: vec![format!("call:{}", span.start)],
        edits: vec![edit],
        file: None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::path::PathBuf;

    fn fixed(name: &str, text: &str, needle: &str, callee: &str) -> Option<String> {
        let f = SourceFile::new(PathBuf::from(name), name.into(), text.into());
        let at = text.find(needle).unwrap();
        let fix = http_timeout_fix(&f, Span::new(at, at + needle.len()), callee, 10.0)?;
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
