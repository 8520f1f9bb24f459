//! The one place where untrusted text (logical ids, file names, messages and help built from
//! template values, excerpts, reasons) is made safe for each output:
//!
//! - terminal: control characters (C0, DEL, C1) and bidirectional overrides are shown, never
//!   sent: C0 as the Unicode control pictures (`␛`, `␇`, `␍`, ...; the same ones the excerpt
//!   renderer uses), the others as `\u{..}`;
//! - Markdown: text is escaped (HTML, emphasis, links, headings, table pipes) and flattened to one
//!   line; code spans get a backtick fence longer than any run inside them, so they cannot be
//!   broken out of;
//! - HTML: the five HTML metacharacters are escaped.
//!
//! JSON and SARIF are safe by construction (serde escapes), GitHub annotations escape their own
//! separators (`render::github`).

use std::borrow::Cow;

/// Characters that reorder text on screen (Trojan Source) or are invisible format controls.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn needs_terminal_escape(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

fn push_visible(out: &mut String, c: char) {
    let u = u32::from(c);
    if u < 0x20 {
        // U+2400..U+241F: the control pictures.
        out.push(char::from_u32(0x2400 + u).unwrap_or('\u{FFFD}'));
    } else if u == 0x7F {
        out.push('\u{2421}');
    } else {
        out.push_str(&format!("\\u{{{u:x}}}"));
    }
}

/// One line of untrusted text for a terminal: every control character shown, none sent.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_terminal_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_terminal_escape(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Several lines of untrusted text for a terminal: newlines kept (a carriage return shown as a
/// space, like the excerpts), every other control character shown.
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_terminal_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\r' => out.push(' '),
            c if needs_terminal_escape(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Source lines for an excerpt, with the same byte length (so annotation ranges still hold):
/// control characters other than C0 (which the excerpt renderer shows as pictures itself) and
/// bidirectional overrides are replaced by a visible character of the same UTF-8 length
/// (`?`, `¿`, `\u{FFFD}`).
pub fn same_length(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && u32::from(c) >= 0x7F) || is_bidi(c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if !bad(c) {
                    return c;
                }
                match c.len_utf8() {
                    1 => '?',
                    2 => '\u{BF}',
                    _ => '\u{FFFD}',
                }
            })
            .collect(),
    )
}

/// The message part of a GitHub Actions workflow command: `%`, CR and LF percent-encoded (the
/// runner decodes them), every other control character shown, not sent (the log viewer
/// interprets escape sequences).
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if needs_terminal_escape(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A property value of a workflow command (`file=`, `title=`): [`github_data`] plus `:` and `,`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// HTML text or attribute value.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown text on one line (a paragraph, a heading, a list item, a table cell): newlines and
/// control characters flattened, HTML and Markdown punctuation escaped, so the text can neither
/// open HTML, a link, emphasis, a heading or a code span, nor leave its table cell.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c if needs_terminal_escape(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `s` verbatim (flattened to one line): the backtick fence is
/// longer than any run of backticks inside, padded with spaces, and table pipes are escaped (GFM
/// splits cells on `|` even inside code spans).
pub fn md_code(s: &str) -> String {
    let mut flat = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => flat.push(' '),
            '|' => flat.push_str("\\|"),
            c if needs_terminal_escape(c) => push_visible(&mut flat, c),
            c => flat.push(c),
        }
    }
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // Padding is needed when the content touches the fence with a backtick (CommonMark strips
    // one space on each side when both are there).
    if flat.is_empty() || flat.starts_with('`') || flat.ends_with('`') {
        return format!("{fence} {flat} {fence}");
    }
    format!("{fence}{flat}{fence}")
}

/// A message with `identifiers` in backticks (the convention of every lambdalint message) as
/// Markdown: the text parts escaped, the identifiers as unbreakable code spans. An unpaired
/// backtick is text.
pub fn md_inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    let last = parts.len().saturating_sub(1);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && i < last {
            out.push_str(&md_code(p));
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&md_text(p));
        }
    }
    out
}

/// A fenced Markdown code block holding `s` verbatim: the fence is longer than any backtick run
/// in `s`, control characters other than newlines are shown.
pub fn md_block(s: &str, lang: &str) -> String {
    let body = terminal_lines(s);
    let mut n = 3;
    while body.contains(&"`".repeat(n)) {
        n += 1;
    }
    let fence = "`".repeat(n);
    let lang: String = lang.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{fence}{lang}\n{}\n{fence}", body.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls() {
        assert_eq!(terminal("plain"), "plain");
        let t = terminal("a\x1b]0;t\x07b\rc\u{9b}d\u{202e}e\x7f");
        assert!(!t.chars().any(needs_terminal_escape), "{t}");
        assert_eq!(
            t,
            "a\u{241b}]0;t\u{2407}b\u{240d}c\\u{9b}d\\u{202e}e\u{2421}"
        );
        assert_eq!(terminal_lines("a\nb\x1bc\r"), "a\nb\u{241b}c ");
        let src = "x\u{9b}y\u{202e}z\x7f\x1b";
        let same = same_length(src);
        assert_eq!(same.len(), src.len());
        assert_eq!(same, "x\u{bf}y\u{fffd}z?\x1b");
    }

    #[test]
    fn markdown_cannot_be_broken_out_of() {
        let id = "X`<img src=x onerror=alert(1)>`\n# Heading\n<script>alert(1)</script>|";
        let code = md_code(id);
        assert!(code.starts_with("``X") && code.ends_with("|``"), "{code}");
        assert!(!code.contains('\n'));
        assert!(!code.contains("||"));
        let text = md_text(id);
        assert!(!text.contains('<') && !text.contains('\n'), "{text}");
        assert!(text.contains("\\# Heading"), "{text}");
        // The id of the issue: its backtick closes the code span early; what follows is text,
        // escaped.
        let msg = md_inline("function `X`<img src=x onerror=alert(1)>` has no `Timeout`");
        assert!(!msg.contains("<img"), "{msg}");
        let msg = md_inline(&format!("function `{id}` has no `Timeout`"));
        assert!(!msg.contains('\n'), "{msg}");
        assert_eq!(md_inline("a `b` c"), "a `b` c");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_inline("odd `tick"), "odd \\`tick");
        let block = md_block("x\n```\ny", "yaml");
        assert!(
            block.starts_with("````yaml\n") && block.ends_with("\n````"),
            "{block}"
        );
    }

    #[test]
    fn html_escapes() {
        assert_eq!(
            html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
