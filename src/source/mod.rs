//! Source files and positions: byte offsets to 1-based line/column.

use std::ops::Range;
use std::path::PathBuf;

/// A byte range in a source file. `u32` keeps nodes small; files are capped well below 4 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Span { start, end }
    }

    pub fn empty(at: usize) -> Self {
        Span::new(at, at)
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and column. Columns count Unicode scalar values (code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Line starts of a text, for offset -> line/column conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Columns of a text with non-ASCII characters: every [`MARK_EVERY`] bytes, the code points
    /// and UTF-16 units from the start of the line to there. A column is then counted from the
    /// nearest mark, not from the line start: a minified one-line handler with thousands of
    /// findings cost a scan of the line per finding.
    marks: Vec<Mark>,
    /// ASCII text: a column is the byte distance.
    ascii: bool,
}

#[derive(Debug, Clone, Copy)]
struct Mark {
    byte: u32,
    chars: u32,
    utf16: u32,
}

const MARK_EVERY: usize = 4096;

impl LineIndex {
    /// Line breaks are `\n`, `\r\n` and a lone `\r` (YAML and the LSP count all three).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let brk = match b {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if brk {
                starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        let mut marks = Vec::new();
        let ascii = text.is_ascii();
        if !ascii {
            let (mut next_line, mut next_mark) = (1usize, MARK_EVERY);
            let (mut chars, mut utf16) = (0u32, 0u32);
            for (i, c) in text.char_indices() {
                while starts.get(next_line).is_some_and(|&s| s as usize <= i) {
                    next_line += 1;
                    (chars, utf16) = (0, 0);
                }
                if i >= next_mark {
                    marks.push(Mark {
                        byte: u32::try_from(i).unwrap_or(u32::MAX),
                        chars,
                        utf16,
                    });
                    next_mark = i + MARK_EVERY;
                }
                chars += 1;
                utf16 += u32::try_from(c.len_utf16()).unwrap_or(1);
            }
        }
        LineIndex {
            starts,
            marks,
            ascii,
        }
    }

    /// Code points and UTF-16 units from `start` (a line start) to `end` on its line.
    fn count(&self, text: &str, start: usize, end: usize) -> (usize, usize) {
        let mut from = start;
        let (mut chars, mut utf16) = (0usize, 0usize);
        if self.ascii {
            let n = end.saturating_sub(start);
            return (n, n);
        }
        let i = self.marks.partition_point(|m| m.byte as usize <= end);
        if let Some(m) = i.checked_sub(1).and_then(|i| self.marks.get(i))
            && m.byte as usize >= start
        {
            from = m.byte as usize;
            chars = m.chars as usize;
            utf16 = m.utf16 as usize;
        }
        if let Some(s) = text.get(from..end) {
            for c in s.chars() {
                chars += 1;
                utf16 += c.len_utf16();
            }
        }
        (chars, utf16)
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line0: usize) -> u32 {
        self.starts.get(line0).copied().unwrap_or(0)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and code-point column of a byte offset (clamped to the text).
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let line0 = self.line_of(offset);
        let start = self.line_start(line0) as usize;
        let end = floor_char_boundary(text, offset as usize);
        let (column, _) = self.count(text, start, end);
        LineCol {
            line: u32::try_from(line0 + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// UTF-16 column (0-based) of a byte offset, for LSP.
    pub fn utf16_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let line0 = self.line_of(offset);
        let start = self.line_start(line0) as usize;
        let end = floor_char_boundary(text, offset as usize);
        let (_, col) = self.count(text, start, end);
        (
            u32::try_from(line0).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }

    /// Byte offset of a 0-based line and UTF-16 column (for LSP requests).
    pub fn offset_of_utf16(&self, text: &str, line0: u32, col16: u32) -> usize {
        let start = self.line_start(line0 as usize) as usize;
        let mut seen = 0u32;
        let line = text.get(start..).unwrap_or("");
        for (i, c) in line.char_indices() {
            if seen >= col16 || c == '\n' || c == '\r' {
                return start + i;
            }
            seen += u32::try_from(c.len_utf16()).unwrap_or(1);
        }
        text.len()
    }
}

/// The largest char boundary at or below `i`.
pub fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary at or above `i`.
pub fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The format of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// A file read into memory: its text (decoded), how the user named it, and a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path used to read the file.
    pub path: PathBuf,
    /// Path as shown to the user (relative when the input was relative).
    pub display: String,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            path,
            display: normalize_display(&display),
            text,
            lines,
        }
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// Start and end line/column of a span.
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        (self.line_col(span.start), self.line_col(span.end))
    }

    pub fn format(&self) -> Format {
        format_of(&self.path, &self.text)
    }
}

/// JSON when the extension says so, or when the first non-blank byte opens an object.
pub fn format_of(path: &std::path::Path, text: &str) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("yaml" | "yml") => Format::Yaml,
        _ => {
            if text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{')
            {
                Format::Json
            } else {
                Format::Yaml
            }
        }
    }
}

/// A path as shown to the user: `/` separators, no `.` segments, `x/..` folded (`00-base/./a.js`
/// -> `00-base/a.js`, `nested/../Tenant/app.py` -> `Tenant/app.py`); leading `..` kept, so the
/// path still leads where it did from the working directory.
pub fn normalize_display(s: &str) -> String {
    if !s.contains("./") && !s.contains('\\') && !s.ends_with("/.") && !s.contains("/..") {
        return s.to_string();
    }
    let s = s.replace('\\', "/");
    let absolute = s.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in s.split('/') {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Lexical path normalisation (`a/./b/../c` -> `a/c`), so paths built from `CodeUri` compare
/// equal to the paths editors send.
pub fn normalize_path(p: &std::path::Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn columns_from_marks_equal_columns_counted_from_the_line_start() {
        // Long non-ASCII lines (marks inside them), short ones, all three line breaks.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(["a", "é", "😀", "bc", "€"][i % 5]);
        }
        text.push_str("\r\nshort é\rlone\n");
        for i in 0..5000 {
            text.push_str(if i % 7 == 0 { "ü" } else { "x" });
        }
        let idx = LineIndex::new(&text);
        assert!(!idx.marks.is_empty());
        let naive = |offset: usize| {
            let line0 = idx.line_of(offset as u32);
            let start = idx.line_start(line0) as usize;
            let s = &text[start..offset];
            (
                s.chars().count() + 1,
                s.chars().map(char::len_utf16).sum::<usize>(),
            )
        };
        for (offset, _) in text.char_indices().step_by(13) {
            let lc = idx.line_col(&text, offset as u32);
            let (_, u16col) = idx.utf16_col(&text, offset as u32);
            assert_eq!(
                (lc.column as usize, u16col as usize),
                naive(offset),
                "at {offset}"
            );
        }
    }

    use super::*;

    #[test]
    fn line_col_counts_code_points() {
        let text = "a: 1\nb: \"caf\u{e9}\" x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            idx.line_col(text, x),
            LineCol {
                line: 2,
                column: 11
            }
        );
        // past the end is clamped, inside a char is floored
        assert_eq!(idx.line_col(text, 10_000).line, 3);
        let e = text.find('\u{e9}').unwrap() as u32 + 1;
        assert_eq!(idx.line_col(text, e).column, 8);
    }

    #[test]
    fn display_paths_are_normalised() {
        for (a, b) in [
            (
                "00-baseCore/./GetIoTEndpoint.js",
                "00-baseCore/GetIoTEndpoint.js",
            ),
            (
                "nested_templates/../TenantManagementService/app.py",
                "TenantManagementService/app.py",
            ),
            ("../shared/app.py", "../shared/app.py"),
            ("a/../../b.py", "../b.py"),
            ("/abs/./x/../y.py", "/abs/y.py"),
            ("template.yaml", "template.yaml"),
            ("./t.yaml", "t.yaml"),
            ("src\\app.py", "src/app.py"),
        ] {
            assert_eq!(normalize_display(a), b, "{a}");
        }
    }

    #[test]
    fn carriage_returns_alone_break_lines() {
        let text = "a: 1\rb: 2\r\nc: 3\rd";
        let idx = LineIndex::new(text);
        let d = text.find('d').unwrap() as u32;
        assert_eq!(idx.line_col(text, d), LineCol { line: 4, column: 1 });
        let c = text.find('c').unwrap() as u32;
        assert_eq!(idx.line_col(text, c), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn utf16_round_trip() {
        let text = "k: \"\u{1f680}x\"\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.utf16_col(text, x), (0, 6));
        assert_eq!(idx.offset_of_utf16(text, 0, 6), x as usize);
    }
}
