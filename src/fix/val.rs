//! Values a fix writes, and their rendering in the template's own style (YAML block, YAML flow,
//! JSON; short or long intrinsic forms; quoting; indentation; line endings).

use super::style::Style;

/// A value to write into a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(i64),
    Bool(bool),
    Str(String),
    Map(Vec<(String, Val)>),
    Seq(Vec<Val>),
    /// `!Ref X` / `{"Ref": "X"}`.
    Ref(String),
    /// `!GetAtt X.Attr` / `{"Fn::GetAtt": ["X", "Attr"]}`.
    GetAtt(String, String),
    /// `!Sub "text"` / `{"Fn::Sub": "text"}` (one-argument form).
    Sub(String),
}

impl Val {
    pub fn str(s: impl Into<String>) -> Val {
        Val::Str(s.into())
    }

    /// A map from `(key, value)` pairs, in order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Val)>) -> Val {
        Val::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn get_att(id: &str, attr: &str) -> Val {
        Val::GetAtt(id.to_string(), attr.to_string())
    }

    fn is_scalar(&self) -> bool {
        matches!(self, Val::Int(_) | Val::Bool(_) | Val::Str(_))
    }

    /// Written on one line in YAML block context (scalars, short intrinsics, empty collections).
    fn yaml_inline(&self, style: &Style) -> bool {
        match self {
            Val::Map(m) => m.is_empty(),
            Val::Seq(s) => s.is_empty(),
            Val::Ref(_) | Val::GetAtt(..) | Val::Sub(_) => style.short_intrinsics,
            _ => true,
        }
    }
}

/// Could this plain YAML scalar be read back as something other than this string (a number, a
/// boolean, null, a date), or not be a valid plain scalar at all?
fn needs_quotes(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    if !matches!(
        crate::load::yaml::resolve_plain(s),
        crate::load::Value::Str(_)
    ) {
        return true;
    }
    // YAML 1.1 timestamps and sexagesimal numbers (`2012-10-17`, `1:30`).
    if first.is_ascii_digit()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | '_'))
    {
        return true;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return true;
    }
    if s.ends_with(char::is_whitespace) || s.ends_with(':') {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.chars().any(char::is_control) {
        return true;
    }
    flow && s.chars().any(|c| ",[]{}".contains(c))
}

/// A string as a YAML scalar: plain when that reads back as the same string, else quoted.
pub fn yaml_str(s: &str, flow: bool, style: &Style) -> String {
    if !needs_quotes(s, flow) {
        return s.to_string();
    }
    yaml_quoted(s, style.double_quotes)
}

/// A string in quotes (single quotes unless `double` or it has control characters).
pub fn yaml_quoted(s: &str, double: bool) -> String {
    if double || s.chars().any(char::is_control) {
        json_str(s)
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// One value on one line, YAML flow style (`{a: 1, b: [x, y]}`, `!GetAtt Q.Arn`).
pub fn yaml_flow(v: &Val, style: &Style) -> String {
    match v {
        Val::Int(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Str(s) => yaml_str(s, true, style),
        Val::Ref(id) if style.short_intrinsics => format!("!Ref {id}"),
        Val::Ref(id) => format!("{{Ref: {id}}}"),
        Val::GetAtt(id, a) if style.short_intrinsics => format!("!GetAtt {id}.{a}"),
        Val::GetAtt(id, a) => format!("{{Fn::GetAtt: [{id}, {a}]}}"),
        Val::Sub(t) if style.short_intrinsics => format!("!Sub {}", yaml_quoted(t, true)),
        Val::Sub(t) => format!("{{Fn::Sub: {}}}", yaml_quoted(t, true)),
        Val::Map(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", yaml_str(k, true, style), yaml_flow(v, style)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Val::Seq(s) => {
            let inner: Vec<String> = s.iter().map(|v| yaml_flow(v, style)).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// `key: value` entries in YAML block style, each line indented by `col` spaces.
pub fn yaml_block_entries(entries: &[(String, Val)], col: usize, style: &Style) -> String {
    let mut out = String::new();
    for (k, v) in entries {
        yaml_block_entry(&mut out, k, v, col, style);
    }
    out
}

fn yaml_block_entry(out: &mut String, key: &str, v: &Val, col: usize, style: &Style) {
    let pad = " ".repeat(col);
    let key = yaml_str(key, false, style);
    let nl = style.nl;
    if v.yaml_inline(style) {
        out.push_str(&format!("{pad}{key}: {}{nl}", yaml_flow(v, style)));
        return;
    }
    out.push_str(&format!("{pad}{key}:{nl}"));
    match v {
        Val::Map(m) => out.push_str(&yaml_block_entries(m, col + style.step, style)),
        Val::Seq(items) => {
            let c = if style.indent_sequences {
                col + style.step
            } else {
                col
            };
            out.push_str(&yaml_block_items(items, c, style));
        }
        // Long-form intrinsics: `Fn::GetAtt: [Q, Arn]` one level down.
        Val::Ref(id) => out.push_str(&format!(
            "{}Ref: {}{nl}",
            " ".repeat(col + style.step),
            yaml_str(id, false, style)
        )),
        Val::GetAtt(id, a) => out.push_str(&format!(
            "{}Fn::GetAtt: [{id}, {a}]{nl}",
            " ".repeat(col + style.step)
        )),
        Val::Sub(t) => out.push_str(&format!(
            "{}Fn::Sub: {}{nl}",
            " ".repeat(col + style.step),
            yaml_quoted(t, true)
        )),
        _ => {}
    }
}

/// Items of a block sequence whose dashes are at column `col`.
pub fn yaml_block_items(items: &[Val], col: usize, style: &Style) -> String {
    let mut out = String::new();
    let pad = " ".repeat(col);
    let nl = style.nl;
    for item in items {
        match item {
            Val::Map(m) if !m.is_empty() => {
                // The first entry on the dash line, the others under it.
                let body = yaml_block_entries(m, col + 2, style);
                let rest = body.get(col + 2..).unwrap_or("");
                out.push_str(&format!("{pad}- {rest}"));
            }
            Val::Seq(s) if !s.is_empty() => {
                out.push_str(&format!("{pad}- {}{nl}", yaml_flow(item, style)));
            }
            v if v.yaml_inline(style) => {
                out.push_str(&format!("{pad}- {}{nl}", yaml_flow(v, style)));
            }
            v => out.push_str(&format!("{pad}- {}{nl}", yaml_flow(v, style))),
        }
    }
    out
}

/// A value as JSON. `indent`: the indentation of the line the value starts on; `multiline`:
/// objects (and arrays of objects) one entry per line, else everything on one line.
pub fn json_value(v: &Val, indent: &str, multiline: bool, style: &Style) -> String {
    let nl = style.nl;
    let unit = style.json_unit.as_str();
    let colon = style.json_colon.as_str();
    match v {
        Val::Int(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Str(s) => json_str(s),
        Val::Ref(id) if multiline && !style.json_inline_intrinsics => {
            json_value(&Val::map([("Ref", Val::str(id))]), indent, true, style)
        }
        Val::GetAtt(id, a) if multiline && !style.json_inline_intrinsics => json_value(
            &Val::map([("Fn::GetAtt", Val::Seq(vec![Val::str(id), Val::str(a)]))]),
            indent,
            true,
            style,
        ),
        Val::Sub(t) if multiline && !style.json_inline_intrinsics => {
            json_value(&Val::map([("Fn::Sub", Val::str(t))]), indent, true, style)
        }
        Val::Sub(t) => format!("{{\"Fn::Sub\"{colon}{}}}", json_str(t)),
        Val::Ref(id) => format!("{{\"Ref\"{colon}{}}}", json_str(id)),
        Val::GetAtt(id, a) => format!(
            "{{\"Fn::GetAtt\"{colon}[{}, {}]}}",
            json_str(id),
            json_str(a)
        ),
        Val::Map(m) if m.is_empty() => "{}".to_string(),
        Val::Map(m) if multiline => {
            let inner = format!("{indent}{unit}");
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{inner}{}{colon}{}",
                        json_str(k),
                        json_value(v, &inner, true, style)
                    )
                })
                .collect();
            format!("{{{nl}{}{nl}{indent}}}", entries.join(&format!(",{nl}")))
        }
        Val::Map(m) => {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}{colon}{}",
                        json_str(k),
                        json_value(v, indent, false, style)
                    )
                })
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Val::Seq(s)
            if multiline
                && (s.iter().any(|x| !x.is_scalar())
                    || (!style.json_inline_arrays && s.len() > 1)) =>
        {
            let inner = format!("{indent}{unit}");
            let items: Vec<String> = s
                .iter()
                .map(|x| format!("{inner}{}", json_value(x, &inner, true, style)))
                .collect();
            format!("[{nl}{}{nl}{indent}]", items.join(&format!(",{nl}")))
        }
        Val::Seq(s) => {
            let items: Vec<String> = s
                .iter()
                .map(|x| json_value(x, indent, false, style))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn style() -> Style {
        Style::default()
    }

    #[test]
    fn strings_are_quoted_only_when_needed() {
        let s = style();
        assert_eq!(yaml_str("AWS::SQS::Queue", false, &s), "AWS::SQS::Queue");
        assert_eq!(yaml_str("2012-10-17", false, &s), "'2012-10-17'");
        assert_eq!(yaml_str("yes", false, &s), "'yes'");
        assert_eq!(yaml_str("30", false, &s), "'30'");
        assert_eq!(yaml_str("a: b", false, &s), "'a: b'");
        assert_eq!(yaml_str("it's", false, &s), "it's");
        assert_eq!(yaml_str("*", false, &s), "'*'");
        assert_eq!(yaml_str("sqs:SendMessage", true, &s), "sqs:SendMessage");
        assert_eq!(yaml_str("a,b", true, &s), "'a,b'");
        assert_eq!(yaml_str("", false, &s), "''");
        assert_eq!(yaml_quoted("it's", false), "'it''s'");
        assert_eq!(yaml_quoted("x", true), "\"x\"");
    }

    #[test]
    fn block_rendering() {
        let s = style();
        let v = Val::map([
            ("Type", Val::str("AWS::SQS::Queue")),
            (
                "Properties",
                Val::map([
                    ("A", Val::Int(1)),
                    ("L", Val::Seq(vec![Val::map([("K", Val::Bool(true))])])),
                    ("G", Val::get_att("Q", "Arn")),
                ]),
            ),
        ]);
        let Val::Map(m) = v else { panic!() };
        assert_eq!(
            yaml_block_entries(&m, 2, &s),
            "  Type: AWS::SQS::Queue\n  Properties:\n    A: 1\n    L:\n      - K: true\n    G: !GetAtt Q.Arn\n"
        );
        let long = Style {
            short_intrinsics: false,
            indent_sequences: false,
            step: 4,
            ..style()
        };
        assert_eq!(
            yaml_block_entries(
                &[(
                    "P".into(),
                    Val::map([
                        ("G", Val::get_att("Q", "Arn")),
                        ("L", Val::Seq(vec![Val::Int(1)]))
                    ])
                )],
                0,
                &long
            ),
            "P:\n    G:\n        Fn::GetAtt: [Q, Arn]\n    L:\n    - 1\n"
        );
    }

    #[test]
    fn json_rendering() {
        let s = Style {
            json_unit: "    ".into(),
            nl: "\r\n",
            ..style()
        };
        let v = Val::map([("A", Val::Int(1)), ("B", Val::get_att("Q", "Arn"))]);
        assert_eq!(
            json_value(&v, "  ", true, &s),
            "{\r\n      \"A\": 1,\r\n      \"B\": {\"Fn::GetAtt\": [\"Q\", \"Arn\"]}\r\n  }"
        );
        assert_eq!(
            json_value(&v, "", false, &s),
            "{\"A\": 1, \"B\": {\"Fn::GetAtt\": [\"Q\", \"Arn\"]}}"
        );
    }
}
