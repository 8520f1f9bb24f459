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
}

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
        LineIndex { starts }
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
        let column = text.get(start..end).map_or(0, |s| s.chars().count());
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
        let col: usize = text
            .get(start..end)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
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
            display,
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
