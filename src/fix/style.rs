//! How a template is written (indentation width, sequence indentation, line endings, intrinsic
//! form, quotes, logical id naming), detected once per template so that inserted text looks like
//! the text around it.

use std::collections::HashMap;

use crate::load::{Document, NodeId, Value};
use crate::model::Template;
use crate::source::{Format, LineIndex};

#[derive(Debug, Clone)]
pub struct Style {
    pub format: Format,
    /// `"\n"` or `"\r\n"`.
    pub nl: &'static str,
    /// YAML: spaces per nesting level.
    pub step: usize,
    /// YAML: block sequences indented under their key (`key:\n  - a`) rather than not
    /// (`key:\n- a`).
    pub indent_sequences: bool,
    /// YAML: `!GetAtt Q.Arn` rather than `Fn::GetAtt: [Q, Arn]`.
    pub short_intrinsics: bool,
    /// YAML: quote strings with `"` rather than `'` when they need quotes.
    pub double_quotes: bool,
    /// JSON: one indentation level (spaces or a tab).
    pub json_unit: String,
    /// JSON: objects are written one entry per line (not minified).
    pub json_multiline: bool,
    /// JSON: what separates a key from its value (`": "`, `" : "`, `":"`).
    pub json_colon: String,
    /// JSON: intrinsic functions (`{"Ref": "X"}`) are written on one line even in multi-line
    /// objects.
    pub json_inline_intrinsics: bool,
    /// JSON: arrays of strings and numbers are written on one line.
    pub json_inline_arrays: bool,
    /// Logical ids start with a lowercase letter (`ordersQueue`).
    pub lower_ids: bool,
    /// Suffix of the template's dead-letter queue names (`DLQ`, `Dlq`, `DeadLetterQueue`).
    pub dlq_suffix: String,
    /// SAM resources (logical id -> their event names), whose generated resources' ids new
    /// resources must not take.
    pub sam: HashMap<String, Vec<String>>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            format: Format::Yaml,
            nl: "\n",
            step: 2,
            indent_sequences: true,
            short_intrinsics: true,
            double_quotes: false,
            json_unit: "  ".into(),
            json_multiline: true,
            json_colon: ": ".into(),
            json_inline_intrinsics: true,
            json_inline_arrays: true,
            lower_ids: false,
            dlq_suffix: "DLQ".into(),
            sam: HashMap::new(),
        }
    }
}

/// The column (bytes from the line start) of an offset.
pub fn column(lines: &LineIndex, offset: u32) -> usize {
    let line = lines.line_of(offset);
    (offset - lines.line_start(line).min(offset)) as usize
}

/// The most frequent value, ties to the smallest; None when empty.
fn mode<T: Ord + Copy + std::hash::Hash>(counts: &HashMap<T, usize>) -> Option<T> {
    let mut v: Vec<(T, usize)> = counts.iter().map(|(k, n)| (*k, *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.first().map(|(k, _)| *k)
}

/// Is this map node a YAML block mapping (not `{...}`)?
pub fn is_block_map(doc: &Document, text: &str, id: NodeId) -> bool {
    let Some(m) = doc.as_map(id) else {
        return false;
    };
    let start = doc.span(id).start;
    match m.iter().next() {
        None => false,
        Some((_, ks, _)) => {
            !(text.as_bytes().get(start as usize) == Some(&b'{') && ks.start > start)
        }
    }
}

/// Is this sequence node a YAML block sequence (not `[...]`)?
pub fn is_block_seq(doc: &Document, text: &str, id: NodeId) -> bool {
    let Some(items) = doc.as_seq(id) else {
        return false;
    };
    let start = doc.span(id).start;
    match items.first() {
        None => false,
        Some(first) => {
            let fs = doc.span(*first).start;
            !(text.as_bytes().get(start as usize) == Some(&b'[') && fs > start)
        }
    }
}

/// The offset of the `-` of a block sequence item (scanning back from the item on its line).
pub fn dash_of(text: &str, item_start: u32) -> Option<u32> {
    let bytes = text.as_bytes();
    let mut i = item_start as usize;
    while i > 0 {
        i -= 1;
        match bytes.get(i)? {
            b' ' => continue,
            b'-' => return u32::try_from(i).ok(),
            _ => return None,
        }
    }
    None
}

impl Style {
    pub fn detect(tpl: &Template) -> Style {
        let text = tpl.file.text.as_str();
        let lines = &tpl.file.lines;
        let doc = &tpl.doc;
        let format = tpl.file.format();
        let mut s = Style {
            format,
            nl: if text.contains("\r\n") { "\r\n" } else { "\n" },
            ..Style::default()
        };
        let mut steps: HashMap<usize, usize> = HashMap::new();
        let mut seq_indent: HashMap<bool, usize> = HashMap::new();
        let mut quotes = (0usize, 0usize);
        for (i, n) in doc.nodes.iter().enumerate() {
            let id = NodeId(u32::try_from(i).unwrap_or(u32::MAX));
            match &n.value {
                Value::Str(_) => match text.as_bytes().get(n.span.start as usize) {
                    Some(b'"') => quotes.1 += 1,
                    Some(b'\'') => quotes.0 += 1,
                    _ => {}
                },
                Value::Map(m) => {
                    for (_, ks, _) in m.iter() {
                        match text.as_bytes().get(ks.start as usize) {
                            Some(b'"') => quotes.1 += 1,
                            Some(b'\'') => quotes.0 += 1,
                            _ => {}
                        }
                    }
                    if format != Format::Yaml || !is_block_map(doc, text, id) {
                        continue;
                    }
                    for (_, ks, v) in m.iter() {
                        let kc = column(lines, ks.start);
                        if let Some((_, cks, _)) = doc.as_map(v).and_then(|cm| cm.iter().next())
                            && is_block_map(doc, text, v)
                        {
                            let cc = column(lines, cks.start);
                            if cc > kc && lines.line_of(cks.start) > lines.line_of(ks.start) {
                                *steps.entry(cc - kc).or_default() += 1;
                            }
                        }
                        if let Some(first) = doc.as_seq(v).and_then(|s| s.first())
                            && is_block_seq(doc, text, v)
                            && let Some(d) = dash_of(text, doc.span(*first).start)
                        {
                            *seq_indent.entry(column(lines, d) > kc).or_default() += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(st) = mode(&steps) {
            s.step = st.clamp(1, 8);
        }
        if let Some(b) = mode(&seq_indent) {
            s.indent_sequences = b;
        }
        s.double_quotes = quotes.1 > quotes.0;
        if format == Format::Yaml {
            let short = text.matches("!GetAtt").count()
                + text.matches("!Ref").count()
                + text.matches("!Sub").count();
            let long = text.matches("Fn::GetAtt").count()
                + text.matches("Ref:").count()
                + text.matches("Fn::Sub").count();
            s.short_intrinsics = short >= long;
        } else {
            detect_json(tpl, &mut s);
        }
        let ids: Vec<&str> = tpl.resources.keys().map(String::as_str).collect();
        let lower = ids
            .iter()
            .filter(|i| i.starts_with(|c: char| c.is_ascii_lowercase()))
            .count();
        s.lower_ids = lower * 2 > ids.len();
        for r in tpl
            .resources
            .values()
            .filter(|r| r.type_.starts_with("AWS::Serverless::"))
        {
            let events = tpl
                .prop(r, "Events")
                .and_then(|e| doc.as_map(e))
                .map(|m| m.iter().map(|(k, _, _)| k.to_string()).collect())
                .unwrap_or_default();
            s.sam.insert(r.id.clone(), events);
        }
        for suffix in ["DeadLetterQueue", "DLQ", "Dlq", "DeadLetter"] {
            if tpl
                .resources
                .values()
                .any(|r| r.type_ == "AWS::SQS::Queue" && r.id.ends_with(suffix))
            {
                s.dlq_suffix = suffix.to_string();
                break;
            }
        }
        s
    }
}

/// JSON indentation: the leading whitespace of the root object's first key line (one level),
/// and whether objects are written one entry per line at all.
fn detect_json(tpl: &Template, s: &mut Style) {
    let text = tpl.file.text.as_str();
    let lines = &tpl.file.lines;
    let doc = &tpl.doc;
    let Some(root) = doc.root else { return };
    let Some((_, ks, _)) = doc.as_map(root).and_then(|m| m.iter().next()) else {
        return;
    };
    let open = doc.span(root).start;
    if lines.line_of(ks.start) == lines.line_of(open) {
        s.json_multiline = false;
        return;
    }
    let line_start = lines.line_start(lines.line_of(ks.start)) as usize;
    let lead = text.get(line_start..ks.start as usize).unwrap_or("");
    let root_lead_start = lines.line_start(lines.line_of(open)) as usize;
    let root_lead = text.get(root_lead_start..open as usize).unwrap_or("");
    let unit = lead.strip_prefix(root_lead).unwrap_or(lead);
    if !unit.is_empty() && unit.chars().all(|c| c == ' ' || c == '\t') {
        s.json_unit = unit.to_string();
    }
    let one_line = |id: NodeId| {
        let sp = doc.span(id);
        lines.line_of(sp.start) == lines.line_of(sp.end)
    };
    let mut colons: HashMap<&str, usize> = HashMap::new();
    let (mut intrinsics, mut arrays) = ((0usize, 0usize), (0usize, 0usize));
    for (i, n) in doc.nodes.iter().enumerate() {
        let id = NodeId(u32::try_from(i).unwrap_or(u32::MAX));
        match &n.value {
            Value::Map(m) => {
                for (_, ks, v) in m.iter() {
                    let sep = text
                        .get(ks.end as usize..doc.span(v).start as usize)
                        .unwrap_or("");
                    if sep.len() <= 4 && sep.contains(':') && !sep.contains('\n') {
                        *colons.entry(sep).or_default() += 1;
                    }
                }
                if doc.intrinsic(id).is_some() {
                    if one_line(id) {
                        intrinsics.0 += 1;
                    } else {
                        intrinsics.1 += 1;
                    }
                }
            }
            Value::Seq(items)
                if items.len() >= 2 && items.iter().all(|c| doc.scalar_text(*c).is_some()) =>
            {
                if one_line(id) {
                    arrays.0 += 1;
                } else {
                    arrays.1 += 1;
                }
            }
            _ => {}
        }
    }
    let mut seps: Vec<(&str, usize)> = colons.into_iter().collect();
    seps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if let Some((sep, _)) = seps.first() {
        s.json_colon = (*sep).to_string();
    }
    s.json_inline_intrinsics = intrinsics.0 >= intrinsics.1;
    s.json_inline_arrays = arrays.0 >= arrays.1;
}
