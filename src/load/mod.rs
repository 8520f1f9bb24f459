//! Loading: bytes -> text -> arena tree, with byte spans, normalised intrinsics and hard limits.

pub mod json;
pub mod tree;
pub mod yaml;

use crate::source::{Format, Span};
pub use tree::{Document, Map, NodeId, Value};

/// Files larger than this are refused with a clear error.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Node budget for one template.
pub const MAX_NODES: usize = 4_000_000;
/// Nesting budget (the YAML parser stops at 255 on its own).
pub const MAX_DEPTH: usize = 256;

/// A document that could not be loaded: the message and where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
    pub span: Span,
}

/// A problem found while loading a document that still loaded (reported as a diagnostic).
#[derive(Debug, Clone)]
pub struct LoadIssue {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
}

impl LoadIssue {
    fn duplicate_key(key: &str, span: Span, _first: Span) -> Self {
        LoadIssue {
            code: "E002",
            message: format!("duplicate key `{key}`: CloudFormation rejects the template"),
            help: Some("remove one of the two entries".into()),
            span,
        }
    }

    fn alias(span: Span) -> Self {
        LoadIssue {
            code: "E003",
            message: "YAML alias: CloudFormation does not support anchors and aliases".into(),
            help: Some(
                "write the value out in full (aliases are not expanded by lambdalint)".into(),
            ),
            span,
        }
    }

    fn unknown_tag(tag: &str, span: Span) -> Self {
        LoadIssue {
            code: "E004",
            message: format!("unknown tag `!{tag}`: CloudFormation has no such intrinsic function"),
            help: Some("use one of the short forms `!Ref`, `!GetAtt`, `!Sub`, `!If`, ...".into()),
            span,
        }
    }

    fn extra_document(span: Span) -> Self {
        LoadIssue {
            code: "E005",
            message: "more than one YAML document: CloudFormation reads a single document".into(),
            help: Some("split the documents into separate templates".into()),
            span,
        }
    }
}

/// The loaded tree, with what was found on the way, and the comments (for suppressions).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub doc: Document,
    pub issues: Vec<LoadIssue>,
    pub comments: Vec<(Span, String)>,
}

/// Long name of a CloudFormation short-form tag.
pub fn intrinsic_long_name(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "If" => "Fn::If",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "Equals" => "Fn::Equals",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "ImportValue" => "Fn::ImportValue",
        "GetAZs" => "Fn::GetAZs",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        "ForEach" => "Fn::ForEach",
        "Contains" => "Fn::Contains",
        "EachMemberEquals" => "Fn::EachMemberEquals",
        "EachMemberIn" => "Fn::EachMemberIn",
        "RefAll" => "Fn::RefAll",
        "ValueOf" => "Fn::ValueOf",
        "ValueOfAll" => "Fn::ValueOfAll",
        "Implies" => "Fn::Implies",
        _ => return None,
    })
}

/// At most this many loader issues per document are reported (a file with 500,000 duplicate keys
/// must not turn into 500,000 diagnostics).
pub const MAX_ISSUES: usize = 1_000;

/// Load a text in the given format.
pub fn load(text: &str, format: Format) -> Result<Loaded, LoadError> {
    let mut loaded = match format {
        Format::Yaml => yaml::load(text),
        Format::Json => json::load(text),
    }?;
    if loaded.issues.len() > MAX_ISSUES {
        let more = loaded.issues.len() - MAX_ISSUES;
        loaded.issues.truncate(MAX_ISSUES + 1);
        if let Some(last) = loaded.issues.last_mut() {
            last.message = format!("{more} more problems in this file are not reported");
            last.help = Some("fix the ones above and run again".into());
        }
    }
    Ok(loaded)
}

/// Decode file bytes: UTF-8 (BOM allowed). Anything else is an error at the first bad byte
/// (the bytes are handed back for a lossy rendering of the position).
pub fn decode(bytes: Vec<u8>) -> Result<String, (LoadError, Vec<u8>)> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bad = e.as_bytes().get(at).copied().unwrap_or(0);
        (
            LoadError {
                message: format!(
                    "file is not valid UTF-8: invalid byte 0x{bad:02x} at offset {at} (save it as UTF-8)"
                ),
                span: Span::new(at, at + 1),
            },
            e.into_bytes(),
        )
    })
}

/// Parser messages start lowercase like ours.
pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_uppercase() && !c.clone().next().is_some_and(char::is_uppercase) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

/// Is this loaded document a CloudFormation / SAM template?
pub fn is_template(doc: &Document) -> bool {
    let Some(root) = doc.root else { return false };
    let Some(m) = doc.as_map(root) else {
        return false;
    };
    // A `Resources` of the wrong kind still makes a template: the structure check reports it.
    m.get("AWSTemplateFormatVersion").is_some()
        || m.get("Transform").is_some()
        || m.get("Resources").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> Loaded {
        load(text, Format::Yaml).unwrap()
    }

    #[test]
    fn short_forms_become_long_forms() {
        let l = y(
            "A: !Ref X\nB: !GetAtt Fn.Arn.Part\nC: !Sub 'a-${X}'\nD: !If [C, 1, 2]\nE: !Not [!Equals [a, b]]\n",
        );
        let d = &l.doc;
        let root = d.root.unwrap();
        let a = d.get(root, "A").unwrap();
        assert_eq!(d.intrinsic(a).map(|(k, _)| k), Some("Ref"));
        let b = d.get(root, "B").unwrap();
        let (k, v) = d.intrinsic(b).unwrap();
        assert_eq!(k, "Fn::GetAtt");
        let parts: Vec<_> = d
            .as_seq(v)
            .unwrap()
            .iter()
            .map(|n| d.as_str(*n).unwrap())
            .collect();
        assert_eq!(parts, ["Fn", "Arn.Part"]);
        let e = d.get(root, "E").unwrap();
        let (k, v) = d.intrinsic(e).unwrap();
        assert_eq!(k, "Fn::Not");
        let inner = d.as_seq(v).unwrap()[0];
        assert_eq!(d.intrinsic(inner).unwrap().0, "Fn::Equals");
        // the span of the intrinsic starts at the tag
        let text = "A: !Ref X\n";
        let l = y(text);
        let a = l.doc.get(l.doc.root.unwrap(), "A").unwrap();
        assert_eq!(&text[l.doc.span(a).range()], "!Ref X");
    }

    #[test]
    fn duplicate_keys_and_aliases_are_reported() {
        let l = y("a: &x 1\nb: *x\na: 2\n");
        let codes: Vec<_> = l.issues.iter().map(|i| i.code).collect();
        assert_eq!(codes, ["E003", "E002"]);
        let l = load("{\"a\": 1, \"a\": 2}", Format::Json).unwrap();
        assert_eq!(l.issues.len(), 1);
    }

    #[test]
    fn spans_are_bytes() {
        let text = "D: \"caf\u{e9}\"\nT: 5\n";
        let l = y(text);
        let t = l.doc.get(l.doc.root.unwrap(), "T").unwrap();
        assert_eq!(&text[l.doc.span(t).range()], "5");
        let m = l.doc.as_map(l.doc.root.unwrap()).unwrap();
        assert_eq!(&text[m.key_span("T").unwrap().range()], "T");
    }

    #[test]
    fn loader_issues_are_capped() {
        let mut t = String::from("Resources:\n");
        for _ in 0..=(MAX_ISSUES + 50) {
            t.push_str("  A: 1\n");
        }
        let l = y(&t);
        assert_eq!(l.issues.len(), MAX_ISSUES + 1);
        let last = l.issues.last().unwrap();
        assert!(
            last.message.starts_with("50 more problems"),
            "{}",
            last.message
        );
    }

    #[test]
    fn json_errors_have_positions() {
        let e = load("{\n  \"a\": 1,\n}", Format::Json).unwrap_err();
        assert!(e.span.start >= 10, "{e:?}");
        let e = load("a: [1, 2\nb: 3\n", Format::Yaml).unwrap_err();
        assert!(!e.message.is_empty());
    }
}
