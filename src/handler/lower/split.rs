//! Cutting a large source file into pieces that parse on their own, so that several threads
//! parse one file at once (tree-sitter's parse is the floor of a file's analysis time).
//!
//! A cut is only a guess made by a small scanner: the pieces are parsed with tree-sitter's
//! included ranges (positions stay those of the whole file), and when any piece has a syntax
//! error the caller parses the whole file at once instead, so a wrong cut never changes the
//! result, only its cost.

/// Where a Python module can be cut into `parts` pieces of about equal size: at the start of a
/// line at column 0 that begins a `def`, `class`, `async def` or a decorator, outside any
/// bracket and string, not after a line continuation and not between a decorator and what it
/// decorates. Each piece is at least `min` bytes. The cuts are in increasing order; none when
/// no place qualifies.
pub(crate) fn python_cuts(code: &[u8], parts: usize, min: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let parts = parts.min(code.len() / min.max(1));
    if parts < 2 {
        return cuts;
    }
    let step = code.len() / parts;
    let mut next = step;
    // Scanner state at the current byte.
    let mut depth: u32 = 0;
    // Inside a string: its quote and whether it is triple-quoted.
    let mut string: Option<(u8, bool)> = None;
    let mut line_start = true;
    // The line before ended with a backslash continuation.
    let mut continued = false;
    // The last line that began at column 0 (not blank, not a comment) was a decorator.
    let mut after_decorator = false;
    let mut i = 0;
    while i < code.len() {
        if line_start {
            line_start = false;
            let clean = depth == 0 && string.is_none() && !continued;
            continued = false;
            if clean {
                let rest = code.get(i..).unwrap_or(&[]);
                let opens = rest.starts_with(b"def ")
                    || rest.starts_with(b"class ")
                    || rest.starts_with(b"async def ");
                let decorator = rest.first() == Some(&b'@');
                if (opens || decorator) && !after_decorator && i >= next && i >= min {
                    if code.len() - i < min {
                        break;
                    }
                    cuts.push(i);
                    if cuts.len() + 1 >= parts {
                        break;
                    }
                    next = i + step;
                }
                match rest.first() {
                    Some(b' ' | b'\t' | b'\r' | b'\n' | b'#' | b'\x0c') | None => {}
                    Some(_) => after_decorator = decorator,
                }
            }
        }
        let Some(&b) = code.get(i) else { break };
        match string {
            Some((q, triple)) => match b {
                b'\\' => i += 1,
                b'\n' => {
                    line_start = true;
                    if !triple {
                        // An unterminated one-line string: Python stops it here too.
                        string = None;
                    }
                }
                _ if b == q => {
                    if !triple {
                        string = None;
                    } else if code.get(i + 1) == Some(&q) && code.get(i + 2) == Some(&q) {
                        string = None;
                        i += 2;
                    }
                }
                _ => {}
            },
            None => match b {
                b'#' => {
                    while code.get(i + 1).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                b'\'' | b'"' => {
                    let triple = code.get(i + 1) == Some(&b) && code.get(i + 2) == Some(&b);
                    string = Some((b, triple));
                    if triple {
                        i += 2;
                    }
                }
                b'(' | b'[' | b'{' => depth = depth.saturating_add(1),
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'\\' if code.get(i + 1) == Some(&b'\n') => {
                    continued = true;
                    line_start = true;
                    i += 1;
                }
                b'\\' if code.get(i + 1) == Some(&b'\r') && code.get(i + 2) == Some(&b'\n') => {
                    continued = true;
                    line_start = true;
                    i += 2;
                }
                b'\n' => line_start = true,
                _ => {}
            },
        }
        i += 1;
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::python_cuts;

    fn cut_lines(code: &str, parts: usize) -> Vec<String> {
        python_cuts(code.as_bytes(), parts, 1)
            .into_iter()
            .map(|c| code[c..].lines().next().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn python_cuts_only_at_top_level_definitions() {
        let code = "import os\n\n@app.route('/')\n\n# the handler\ndef a(event):\n    x = (\ndef_b)\n    s = \"\"\"\ndef not_here():\n\"\"\"\n    return s\n\nclass B:\n    def m(self):\n        pass\n\nx = 1 + \\\ndef_c\nasync def c():\n    return '''\n@no\n'''\n";
        let all = cut_lines(code, 100);
        assert_eq!(all, ["@app.route('/')", "class B:", "async def c():"]);
        // About equal pieces: one cut for two parts.
        assert_eq!(python_cuts(code.as_bytes(), 2, 1).len(), 1);
        // Pieces below the minimum size: no cut.
        assert!(python_cuts(code.as_bytes(), 2, code.len()).is_empty());
        // A one-line string left open ends at the line's end; an escaped quote does not end it.
        let code = "x = 'it\\'s\ndef a():\n    pass\ny = \"#\"\ndef b():\n    pass\n";
        assert_eq!(cut_lines(code, 100), ["def a():", "def b():"]);
    }
}
