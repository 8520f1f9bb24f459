//! YAML (1.1 scalars, as CloudFormation reads them) into the arena tree, from granit-parser events.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use super::tree::{Document, Map, NodeId, Value};
use super::{LoadError, LoadIssue, Loaded, MAX_NODES, intrinsic_long_name};
use crate::source::Span;

enum Frame {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
        start: usize,
        end: usize,
        tag: Option<String>,
        tag_start: Option<usize>,
    },
    Map {
        id: NodeId,
        map: Map,
        key: Option<(Box<str>, Span)>,
        start: usize,
        end: usize,
        tag: Option<String>,
        tag_start: Option<usize>,
    },
}

fn byte_range(span: &YSpan) -> (usize, usize) {
    let s = span.start.byte_offset().unwrap_or(0);
    let e = span.end.byte_offset().unwrap_or(s).max(s);
    (s, e)
}

/// A local CloudFormation tag (`!Ref`, `!GetAtt`, ...) by its suffix; core tags are `!!x`.
fn local_tag(tag: Option<&Cow<'_, Tag>>) -> Option<String> {
    let t = tag?;
    if t.handle() == "!" {
        Some(t.suffix().to_string())
    } else if t.handle() == "tag:yaml.org,2002:" {
        Some(format!("!!{}", t.suffix()))
    } else {
        None
    }
}

struct Builder<'a> {
    doc: Document,
    stack: Vec<Frame>,
    issues: Vec<LoadIssue>,
    text: &'a str,
}

impl Builder<'_> {
    fn check_size(&self, at: usize) -> Result<(), LoadError> {
        if self.doc.nodes.len() >= MAX_NODES {
            return Err(LoadError {
                message: format!("template has more than {MAX_NODES} nodes"),
                span: Span::empty(at),
            });
        }
        Ok(())
    }

    /// Wrap a finished node in its intrinsic function when it carries a CloudFormation tag.
    fn apply_tag(&mut self, id: NodeId, tag: Option<String>, tag_start: Option<usize>) -> NodeId {
        let Some(tag) = tag else { return id };
        let span = self.doc.span(id);
        if let Some(core) = tag.strip_prefix("!!") {
            if core == "str" {
                let text = self.text.get(span.range()).unwrap_or("");
                if let Value::Number { text: t, .. } = self.doc.value(id) {
                    let t = t.clone();
                    self.doc.set(id, Value::Str(t), span);
                } else if let Value::Bool(_) | Value::Null = self.doc.value(id) {
                    self.doc.set(id, Value::Str(text.into()), span);
                }
            }
            return id;
        }
        let Some(long) = intrinsic_long_name(&tag) else {
            self.issues.push(LoadIssue::unknown_tag(&tag, span));
            return id;
        };
        let start = tag_start.unwrap_or(span.start as usize);
        let tag_span = Span::new(start, start + tag.len() + 1);
        let outer_span = tag_span.cover(span);
        let inner = if long == "Fn::GetAtt" {
            // `!GetAtt A.B.C` is `[A, B.C]`.
            match self.doc.value(id).clone() {
                Value::Str(s) => {
                    let (a, b) = s.split_once('.').unwrap_or((&s, ""));
                    let a_span = Span::new(span.start as usize, span.start as usize + a.len());
                    let an = self.doc.push(Value::Str(a.into()), a_span);
                    let bn = self.doc.push(Value::Str(b.into()), span);
                    self.doc.push(Value::Seq(vec![an, bn]), span)
                }
                _ => id,
            }
        } else {
            id
        };
        let mut map = Map::default();
        map.entries.insert(long.into(), (tag_span, inner));
        self.doc.push(Value::Map(map), outer_span)
    }

    /// Attach a finished node to its parent (or make it the root).
    fn finish(&mut self, id: NodeId) {
        let end = self.doc.span(id).end as usize;
        match self.stack.last_mut() {
            None => {
                if self.doc.root.is_none() {
                    self.doc.root = Some(id);
                }
            }
            Some(Frame::Seq { items, end: e, .. }) => {
                items.push(id);
                *e = end;
            }
            Some(Frame::Map {
                map, key, end: e, ..
            }) => match key.take() {
                Some((k, kspan)) => {
                    if let Some((first, _)) = map.entries.get(&k) {
                        let first_line = *first;
                        self.issues
                            .push(LoadIssue::duplicate_key(&k, kspan, first_line, true));
                    }
                    map.entries.insert(k, (kspan, id));
                    *e = end;
                }
                None => {
                    // A complex (collection or alias) key: keep it under a text placeholder.
                    let span = self.doc.span(id);
                    let text = self.text.get(span.range()).unwrap_or("?");
                    *key = Some((text.into(), span));
                }
            },
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }
}

/// Resolve a plain scalar the way YAML 1.1 (PyYAML, CloudFormation) does.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    match parse_number(s) {
        Some(num) => Value::Number {
            num,
            text: s.into(),
        },
        None => Value::Str(s.into()),
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    if let Some(hex) = clean.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|v| sign * v as f64);
    }
    if let Some(bin) = clean.strip_prefix("0b") {
        return i64::from_str_radix(bin, 2).ok().map(|v| sign * v as f64);
    }
    if let Some(oct) = clean.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(|v| sign * v as f64);
    }
    if clean.len() > 1 && clean.starts_with('0') && clean.bytes().all(|b| b.is_ascii_digit()) {
        // YAML 1.1 octal; `09` is not a number at all.
        return i64::from_str_radix(&clean, 8).ok().map(|v| sign * v as f64);
    }
    if clean.bytes().all(|b| b.is_ascii_digit()) {
        return clean.parse::<f64>().ok().map(|v| sign * v);
    }
    match clean.as_str() {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // Floats need a dot or an exponent and only number characters.
    let numeric = clean
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if numeric && clean.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) && clean != "." {
        return clean.parse::<f64>().ok().map(|v| sign * v);
    }
    None
}

pub fn load(text: &str) -> Result<Loaded, LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        doc: Document::default(),
        stack: Vec::new(),
        issues: Vec::new(),
        text,
    };
    let mut comments = Vec::new();
    let mut docs_seen = 0usize;
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let m = e.marker();
            let at = m.byte_offset().unwrap_or(0);
            let info = e.info();
            LoadError {
                message: if info.contains("recursion limit") {
                    format!("nesting too deep: {info}")
                } else {
                    info
                },
                span: Span::empty(at),
            }
        })?;
        let (s, e) = byte_range(&span);
        let tag_start = span.tag_start.and_then(|m| m.byte_offset());
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => {
                docs_seen += 1;
                if docs_seen > 1 {
                    b.issues.push(LoadIssue::extra_document(Span::new(s, e)));
                    break;
                }
            }
            Event::DocumentEnd => {}
            Event::Comment(c, _) => comments.push((Span::new(s, e), c.to_string())),
            Event::Anchor(..) => {}
            Event::Alias(_) | Event::UnresolvedAlias(_) => {
                b.check_size(s)?;
                let sp = Span::new(s, e);
                b.issues.push(LoadIssue::alias(sp));
                let id = b.doc.push(Value::Alias, sp);
                b.finish(id);
            }
            Event::Scalar(value, style, _, tag) => {
                b.check_size(s)?;
                let tag = local_tag(tag.as_ref());
                if b.expecting_key() && tag.is_none() {
                    if let Some(Frame::Map { key, .. }) = b.stack.last_mut() {
                        *key = Some((value.as_ref().into(), Span::new(s, e)));
                    }
                    continue;
                }
                let v = if style == ScalarStyle::Plain && tag.is_none() {
                    resolve_plain(&value)
                } else {
                    Value::Str(value.as_ref().into())
                };
                let id = b.doc.push(v, Span::new(s, e));
                let id = b.apply_tag(id, tag, tag_start);
                b.finish(id);
            }
            Event::SequenceStart(_, _, tag) => {
                b.check_size(s)?;
                let id = b.doc.push(Value::Null, Span::new(s, e));
                b.stack.push(Frame::Seq {
                    id,
                    items: Vec::new(),
                    start: s,
                    end: e,
                    tag: local_tag(tag.as_ref()),
                    tag_start,
                });
            }
            Event::MappingStart(_, _, tag) => {
                b.check_size(s)?;
                let id = b.doc.push(Value::Null, Span::new(s, e));
                b.stack.push(Frame::Map {
                    id,
                    map: Map::default(),
                    key: None,
                    start: s,
                    end: e,
                    tag: local_tag(tag.as_ref()),
                    tag_start,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = b.stack.pop();
                let (id, value, start, end, tag, ts) = match frame {
                    Some(Frame::Seq {
                        id,
                        items,
                        start,
                        end,
                        tag,
                        tag_start,
                    }) => (id, Value::Seq(items), start, end, tag, tag_start),
                    Some(Frame::Map {
                        id,
                        map,
                        start,
                        end,
                        tag,
                        tag_start,
                        ..
                    }) => (id, Value::Map(map), start, end, tag, tag_start),
                    None => continue,
                };
                // Flow collections end at their closing bracket; block ones at their last child.
                let close = if text
                    .as_bytes()
                    .get(s)
                    .is_some_and(|c| matches!(c, b']' | b'}'))
                {
                    e
                } else {
                    end
                };
                b.doc.set(id, value, Span::new(start, close.max(end)));
                let id = b.apply_tag(id, tag, ts);
                b.finish(id);
            }
            _ => {}
        }
    }
    Ok(Loaded {
        doc: b.doc,
        issues: b.issues,
        comments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_scalars() {
        assert!(matches!(resolve_plain("yes"), Value::Bool(true)));
        assert!(matches!(resolve_plain("Off"), Value::Bool(false)));
        assert!(matches!(resolve_plain("~"), Value::Null));
        assert!(matches!(resolve_plain("017"), Value::Number { num, .. } if num == 15.0));
        assert!(matches!(resolve_plain("1_000"), Value::Number { num, .. } if num == 1000.0));
        assert!(matches!(resolve_plain("0x1F"), Value::Number { num, .. } if num == 31.0));
        assert!(matches!(resolve_plain("-2.5e3"), Value::Number { num, .. } if num == -2500.0));
        assert!(matches!(resolve_plain("09"), Value::Str(_)));
        assert!(matches!(resolve_plain("1.2.3"), Value::Str(_)));
        assert!(matches!(resolve_plain("y"), Value::Str(_)));
        assert!(matches!(resolve_plain("arn:aws:s3"), Value::Str(_)));
    }
}
