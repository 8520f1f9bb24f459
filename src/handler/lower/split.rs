//! Cutting a large source file into pieces that parse on their own, so that several threads
//! parse one file at once (tree-sitter's parse is the floor of a file's analysis time).
//!
//! A cut is only a guess made by a small scanner: the pieces are parsed with tree-sitter's
//! included ranges (positions stay those of the whole file), and when any piece has a syntax
//! error the caller parses the whole file at once instead, so a wrong cut never changes the
//! result, only its cost.

/// The cuts of one file, chosen as its scanner offers places: about `len / parts` bytes apart,
/// every piece at least `min` bytes.
struct Cuts {
    at: Vec<usize>,
    len: usize,
    parts: usize,
    min: usize,
    step: usize,
    /// No cut before this offset.
    next: usize,
}

impl Cuts {
    /// `None` when the file is too small for two pieces.
    fn new(len: usize, parts: usize, min: usize) -> Option<Self> {
        let parts = parts.min(len / min.max(1));
        if parts < 2 {
            return None;
        }
        let step = len / parts;
        Some(Cuts {
            at: Vec::new(),
            len,
            parts,
            min,
            step,
            next: step,
        })
    }

    /// Offset `i` is a place the file may be cut: cut there when it is far enough from the
    /// last cut. False once no more cuts are wanted.
    fn offer(&mut self, i: usize) -> bool {
        if i < self.next || i < self.min {
            return true;
        }
        if self.len - i < self.min {
            return false;
        }
        self.at.push(i);
        self.next = i + self.step;
        self.at.len() + 1 < self.parts
    }
}

/// Where a Python module can be cut into `parts` pieces of about equal size: at the start of a
/// line at column 0 that begins a `def`, `class`, `async def` or a decorator, outside any
/// bracket and string, not after a line continuation and not between a decorator and what it
/// decorates. Each piece is at least `min` bytes. The cuts are in increasing order; none when
/// no place qualifies.
pub(crate) fn python_cuts(code: &[u8], parts: usize, min: usize) -> Vec<usize> {
    let Some(mut cuts) = Cuts::new(code.len(), parts, min) else {
        return Vec::new();
    };
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
                if (opens || decorator) && !after_decorator && !cuts.offer(i) {
                    break;
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
    cuts.at
}

/// Words after which a line break does not end a JavaScript statement (or which a declaration
/// keyword on the next line would continue: `export default` / `async` + `function`).
const JS_CONTINUED: &[&[u8]] = &[
    b"abstract",
    b"async",
    b"await",
    b"case",
    b"const",
    b"declare",
    b"default",
    b"delete",
    b"do",
    b"else",
    b"export",
    b"extends",
    b"get",
    b"implements",
    b"import",
    b"in",
    b"instanceof",
    b"let",
    b"new",
    b"of",
    b"return",
    b"set",
    b"static",
    b"throw",
    b"type",
    b"typeof",
    b"var",
    b"void",
    b"yield",
];

/// Where a JavaScript / TypeScript module can be cut into `parts` pieces of about equal size:
/// at the start of a line at column 0 that begins a declaration (`function`, `async function`,
/// `class`, `const`, `let`, `var`, `export`, `import`), outside any bracket, string, template
/// literal, comment and regular expression, when the code before it ends a statement (its last
/// token is not an operator or a keyword a declaration could continue) and is not a decorator.
/// Each piece is at least `min` bytes. A wrong guess (a regular expression taken for a
/// division, JSX text) leaves a piece with a syntax error, and the caller parses the whole file.
pub(crate) fn js_cuts(code: &[u8], parts: usize, min: usize) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Code,
        LineComment,
        BlockComment,
        Str(u8),
        /// The text of a template literal.
        Template,
        Regex {
            class: bool,
        },
    }
    let Some(mut cuts) = Cuts::new(code.len(), parts, min) else {
        return Vec::new();
    };
    let mut st = if code.starts_with(b"#!") {
        St::LineComment
    } else {
        St::Code
    };
    let mut depth: u32 = 0;
    // The bracket depth of each open `${` of a template literal.
    let mut subs: Vec<u32> = Vec::new();
    // The last byte of code that is not a space or in a comment (`;` at the start).
    let mut last = b';';
    let mut last_at = 0usize;
    let mut line_start = true;
    // The last line with code began with a decorator.
    let mut after_decorator = false;
    let mut i = 0;
    while i < code.len() {
        if line_start {
            line_start = false;
            if st == St::Code && depth == 0 && subs.is_empty() {
                let rest = code.get(i..).unwrap_or(&[]);
                let declares = [
                    &b"function "[..],
                    b"function*",
                    b"async function",
                    b"class ",
                    b"const ",
                    b"let ",
                    b"var ",
                    b"export ",
                    b"import ",
                ]
                .iter()
                .any(|k| rest.starts_with(k));
                let ended = match last {
                    b';' | b'}' | b')' | b']' | b'"' | b'\'' | b'`' => true,
                    b if js_ident(b) => !JS_CONTINUED.contains(&js_word_ending_at(code, last_at)),
                    _ => false,
                };
                if declares && ended && !after_decorator && !cuts.offer(i) {
                    break;
                }
                match rest.first() {
                    Some(b' ' | b'\t' | b'\r' | b'\n') | None => {}
                    Some(b'/') if matches!(rest.get(1), Some(b'/' | b'*')) => {}
                    Some(&b) => after_decorator = b == b'@',
                }
            }
        }
        let Some(&b) = code.get(i) else { break };
        match st {
            St::LineComment => {
                if b == b'\n' {
                    st = St::Code;
                    line_start = true;
                }
            }
            St::BlockComment => {
                if b == b'*' && code.get(i + 1) == Some(&b'/') {
                    st = St::Code;
                    i += 1;
                } else if b == b'\n' {
                    line_start = true;
                }
            }
            St::Str(q) => match b {
                b'\\' => i += 1,
                b'\n' => {
                    // Unterminated: stop it here (the parser reports it).
                    st = St::Code;
                    line_start = true;
                }
                _ if b == q => {
                    st = St::Code;
                    (last, last_at) = (b, i);
                }
                _ => {}
            },
            St::Template => match b {
                b'\\' => i += 1,
                b'`' => {
                    st = St::Code;
                    (last, last_at) = (b, i);
                }
                b'$' if code.get(i + 1) == Some(&b'{') => {
                    subs.push(depth);
                    depth = depth.saturating_add(1);
                    st = St::Code;
                    (last, last_at) = (b'{', i + 1);
                    i += 1;
                }
                b'\n' => line_start = true,
                _ => {}
            },
            St::Regex { class } => match b {
                b'\\' => i += 1,
                b'[' => st = St::Regex { class: true },
                b']' => st = St::Regex { class: false },
                b'/' if !class => {
                    st = St::Code;
                    (last, last_at) = (b, i);
                }
                b'\n' => {
                    st = St::Code;
                    line_start = true;
                }
                _ => {}
            },
            St::Code => match b {
                b'\n' => line_start = true,
                b' ' | b'\t' | b'\r' => {}
                b'/' if code.get(i + 1) == Some(&b'/') => st = St::LineComment,
                b'/' if code.get(i + 1) == Some(&b'*') => {
                    st = St::BlockComment;
                    i += 1;
                }
                b'/' => {
                    // A regular expression where an operand is expected, else a division.
                    let operand = match last {
                        b')' | b']' | b'}' | b'"' | b'\'' | b'`' => false,
                        b if js_ident(b) => {
                            JS_CONTINUED.contains(&js_word_ending_at(code, last_at))
                        }
                        _ => true,
                    };
                    if operand {
                        st = St::Regex { class: false };
                    } else {
                        (last, last_at) = (b, i);
                    }
                }
                b'"' | b'\'' => st = St::Str(b),
                b'`' => st = St::Template,
                b'(' | b'[' | b'{' => {
                    depth = depth.saturating_add(1);
                    (last, last_at) = (b, i);
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if b == b'}' && subs.last() == Some(&depth) {
                        subs.pop();
                        st = St::Template;
                    }
                    (last, last_at) = (b, i);
                }
                _ => (last, last_at) = (b, i),
            },
        }
        i += 1;
    }
    cuts.at
}

/// A byte of a JavaScript identifier (any non-ASCII byte counts).
fn js_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The identifier (or keyword) whose last byte is at `end`.
fn js_word_ending_at(code: &[u8], end: usize) -> &[u8] {
    let start = code
        .get(..=end)
        .and_then(|t| t.iter().rposition(|&c| !js_ident(c)))
        .map_or(0, |p| p + 1);
    code.get(start..=end).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::{js_cuts, python_cuts};

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

    #[test]
    fn javascript_cuts_only_between_top_level_declarations() {
        let js = |code: &str| -> Vec<String> {
            js_cuts(code.as_bytes(), 100, 1)
                .into_iter()
                .map(|c| code[c..].lines().next().unwrap_or("").to_string())
                .collect()
        };
        let code = concat!(
            "import a from 'a';\n",
            "const s = `x ${ { a: `\nfunction no1() {}\n` } } y\nfunction no2() {}\n`;\n",
            "function yes1() {\n  return /[/\"]/.test(s) ? 1 : 2;\n}\n",
            "const t = 1 +\nfunction no3() {}\n",
            "export default\nfunction no4() {}\n",
            "/* block\nfunction no5() {}\n*/\n",
            "let q = 'a' // c\nclass Yes2 {}\n",
            "@decorate()\nexport class No6 {}\n",
            "const r = x / 2 / y\nexport const yes3 = 1\n",
            "const u = async\nfunction no7() {}\n",
            "foo(\nfunction no8() {})\n",
        );
        // Never inside a template literal (nor its `${}`), a regular expression, a block
        // comment or brackets, nor after an operator, `export default`, `async` or a decorator.
        assert_eq!(
            js(code),
            [
                "const s = `x ${ { a: `",
                "function yes1() {",
                "const t = 1 +",
                "export default",
                "let q = 'a' // c",
                "class Yes2 {}",
                "const r = x / 2 / y",
                "export const yes3 = 1",
                "const u = async",
            ]
        );
        // A hashbang line is a comment; pieces below the minimum size: no cut.
        assert!(js_cuts(b"#!/usr/bin/env node 'x\nconst a = 1;\n", 2, 1).len() == 1);
        assert!(js_cuts(code.as_bytes(), 2, code.len()).is_empty());
    }
}
