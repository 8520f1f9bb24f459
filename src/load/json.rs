//! JSON (strict ECMA-404: no comments, no trailing commas) into the arena tree.

use jsonc_parser::ast::{ObjectPropName, Value as JValue};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::tree::{Document, Map, NodeId, Value};
use super::{LoadError, LoadIssue, Loaded, MAX_DEPTH, MAX_NODES};
use crate::source::Span;

fn strict() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

pub fn load(text: &str) -> Result<Loaded, LoadError> {
    // A byte-order mark is allowed before the value.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or("");
    prescan(body, bom)?;
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = jsonc_parser::parse_to_ast(body, &collect, &strict()).map_err(|e| LoadError {
        message: super::lower_first(&e.kind().to_string()),
        span: Span::new(e.range().start + bom, e.range().end + bom),
    })?;
    let mut doc = Document::default();
    let mut issues = Vec::new();
    if let Some(v) = parsed.value {
        let root = convert(&mut doc, &mut issues, &v, bom, 0)?;
        doc.root = Some(root);
    }
    Ok(Loaded {
        doc,
        issues,
        comments: Vec::new(),
    })
}

/// One cheap pass before parsing: nesting depth and an upper bound of the value count, so that a
/// hostile file is refused at the offending byte before the parser builds its own tree for it.
fn prescan(body: &str, off: usize) -> Result<(), LoadError> {
    let mut depth = 0usize;
    let mut values = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                values += 1;
                if depth > MAX_DEPTH {
                    return Err(LoadError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        span: Span::new(off + i, off + i + 1),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => values += 1,
            _ => {}
        }
        if values > MAX_NODES {
            return Err(LoadError {
                message: format!("template has more than {MAX_NODES} values"),
                span: Span::new(off + i, off + i + 1),
            });
        }
    }
    Ok(())
}

fn convert(
    doc: &mut Document,
    issues: &mut Vec<LoadIssue>,
    v: &JValue<'_>,
    off: usize,
    depth: usize,
) -> Result<NodeId, LoadError> {
    let sp = |r: &jsonc_parser::common::Range| Span::new(r.start + off, r.end + off);
    if doc.nodes.len() >= MAX_NODES || depth > MAX_DEPTH {
        let r = match v {
            JValue::Object(o) => o.range,
            JValue::Array(a) => a.range,
            _ => jsonc_parser::common::Range { start: 0, end: 0 },
        };
        return Err(LoadError {
            message: if depth > MAX_DEPTH {
                format!("nesting deeper than {MAX_DEPTH} levels")
            } else {
                format!("template has more than {MAX_NODES} nodes")
            },
            span: sp(&r),
        });
    }
    Ok(match v {
        JValue::StringLit(s) => doc.push(Value::Str(s.value.as_ref().into()), sp(&s.range)),
        JValue::NumberLit(n) => doc.push(
            Value::Number {
                num: n.value.parse().unwrap_or(f64::NAN),
                text: n.value.into(),
            },
            sp(&n.range),
        ),
        JValue::BooleanLit(b) => doc.push(Value::Bool(b.value), sp(&b.range)),
        JValue::NullKeyword(n) => doc.push(Value::Null, sp(&n.range)),
        JValue::Array(a) => {
            let mut items = Vec::with_capacity(a.elements.len());
            for e in &a.elements {
                items.push(convert(doc, issues, e, off, depth + 1)?);
            }
            doc.push(Value::Seq(items), sp(&a.range))
        }
        JValue::Object(o) => {
            let mut map = Map::default();
            for p in &o.properties {
                let (name, kr) = match &p.name {
                    ObjectPropName::String(s) => (s.value.as_ref(), s.range),
                    ObjectPropName::Word(w) => (w.value, w.range),
                };
                let kspan = sp(&kr);
                let child = convert(doc, issues, &p.value, off, depth + 1)?;
                if let Some((first, _)) = map.entries.get(name) {
                    issues.push(LoadIssue::duplicate_key(name, kspan, *first, false));
                }
                map.entries.insert(name.into(), (kspan, child));
            }
            doc.push(Value::Map(map), sp(&o.range))
        }
    })
}
