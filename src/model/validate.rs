//! Structure and value checks the rules rely on: a template whose `Resources`, a resource, its
//! `Type` or `Properties` has the wrong kind (E007), or whose values the rules read are of the
//! wrong type or out of range (E008: `Timeout: "abc"`, `-1`, `.nan`, `yes`), is never passed in
//! silence. Values the template does not fix (parameters, intrinsic functions) are not judged.

use crate::load::{NodeId, Value};
use crate::model::Template;
use crate::source::Span;

/// One input problem with its position.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub resource: Option<String>,
}

/// Integer properties the rules read, per resource type: (property path, lowest, highest).
const FUNCTION_INTS: &[(&[&str], i64, i64)] = &[
    (&["Timeout"], 1, 900),
    (&["MemorySize"], 128, 10240),
    (&["ReservedConcurrentExecutions"], 0, i64::MAX),
    (&["EventInvokeConfig", "MaximumRetryAttempts"], 0, 2),
    (
        &["EventInvokeConfig", "MaximumEventAgeInSeconds"],
        60,
        21600,
    ),
];

const MAPPING_INTS: &[(&[&str], i64, i64)] = &[
    (&["BatchSize"], 1, 10000),
    (&["MaximumBatchingWindowInSeconds"], 0, 300),
    (&["MaximumRetryAttempts"], -1, 10000),
    (&["MaximumRecordAgeInSeconds"], -1, 604_800),
    (&["ParallelizationFactor"], 1, 10),
    (&["ScalingConfig", "MaximumConcurrency"], 2, 1000),
];

const QUEUE_INTS: &[(&[&str], i64, i64)] = &[
    (&["VisibilityTimeout"], 0, 43200),
    (&["MessageRetentionPeriod"], 60, 1_209_600),
    (&["DelaySeconds"], 0, 900),
    (&["ReceiveMessageWaitTimeSeconds"], 0, 20),
    (&["RedrivePolicy", "maxReceiveCount"], 1, 1000),
];

const INVOKE_CONFIG_INTS: &[(&[&str], i64, i64)] = &[
    (&["MaximumRetryAttempts"], 0, 2),
    (&["MaximumEventAgeInSeconds"], 60, 21600),
];

/// SAM event types whose `Properties` configure an event source mapping.
const MAPPING_EVENTS: &[&str] = &[
    "SQS",
    "Kinesis",
    "DynamoDB",
    "MSK",
    "SelfManagedKafka",
    "MQ",
    "DocumentDB",
];

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number { .. } => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
        Value::Alias => "an alias",
    }
}

/// Is `node` a value the template computes (an intrinsic function): not ours to judge.
fn computed(tpl: &Template, node: NodeId) -> bool {
    tpl.doc.intrinsic(node).is_some()
}

struct Checker<'a> {
    tpl: &'a Template,
    out: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, code: &'static str, span: Span, resource: Option<&str>, message: String) {
        self.out.push(Problem {
            code,
            message,
            span,
            resource: resource.map(str::to_string),
        });
    }

    /// The value as the user wrote it (for the message), one line, at most 40 characters.
    fn shown(&self, node: NodeId) -> String {
        let span = self.tpl.doc.span(node);
        let raw = self.tpl.file.text.get(span.range()).unwrap_or("");
        let line = raw.lines().next().unwrap_or("").trim();
        let mut s: String = line.chars().take(40).collect();
        if line.chars().count() > 40 {
            s.push('…');
        }
        if s.is_empty() {
            s = kind_name(self.tpl.doc.value(node)).to_string();
        }
        s
    }

    /// An integer in `lo..=hi` (a YAML/JSON integer or a string of one, as CloudFormation
    /// accepts), or a value the template computes.
    fn int(&mut self, node: NodeId, name: &str, lo: i64, hi: i64, resource: Option<&str>) {
        let doc = &self.tpl.doc;
        if computed(self.tpl, node) || matches!(doc.value(node), Value::Alias) {
            return;
        }
        let ok = match doc.value(node) {
            Value::Number { num, .. } => {
                num.is_finite() && num.fract() == 0.0 && *num >= lo as f64 && *num <= hi as f64
            }
            Value::Str(s) => s.trim().parse::<i64>().is_ok_and(|v| v >= lo && v <= hi),
            _ => false,
        };
        if ok {
            return;
        }
        let range = if hi == i64::MAX {
            format!("an integer of at least {lo}")
        } else {
            format!("an integer from {lo} to {hi}")
        };
        let shown = self.shown(node);
        self.push(
            "E008",
            doc.span(node),
            resource,
            format!("`{name}` is `{shown}`: it must be {range}; lambdalint cannot judge what depends on it"),
        );
    }

    fn ints(&mut self, base: NodeId, table: &[(&[&str], i64, i64)], resource: Option<&str>) {
        let doc = &self.tpl.doc;
        for (path, lo, hi) in table {
            // A nested map given as a JSON string (SQS `RedrivePolicy`) is not ours to parse here.
            if let Some(node) = doc.get_path(base, path) {
                let name = path.last().copied().unwrap_or("");
                self.int(node, name, *lo, *hi, resource);
            }
        }
    }

    /// A mapping, a computed value, or an input problem at `node`.
    fn expect_map(&mut self, node: NodeId, what: &str, resource: Option<&str>) -> bool {
        let doc = &self.tpl.doc;
        if doc.as_map(node).is_some() && !computed(self.tpl, node) {
            return true;
        }
        if computed(self.tpl, node) || matches!(doc.value(node), Value::Alias) {
            return false;
        }
        let kind = kind_name(doc.value(node));
        self.push(
            "E007",
            doc.span(node),
            resource,
            format!("{what} must be a mapping, not {kind}: it is not checked"),
        );
        false
    }
}

/// Check the structure of a loaded template and the values its rules read.
pub fn validate(tpl: &Template) -> Vec<Problem> {
    let mut c = Checker {
        tpl,
        out: Vec::new(),
    };
    let doc = &tpl.doc;
    let Some(root) = doc.root else {
        return c.out;
    };
    if let Some(res) = doc.get(root, "Resources")
        && c.expect_map(res, "`Resources`", None)
        && let Some(m) = doc.as_map(res)
    {
        for (id, key_span, node) in m.iter() {
            if !c.expect_map(node, &format!("resource `{id}`"), Some(id)) {
                continue;
            }
            match doc.get(node, "Type") {
                None => c.push(
                    "E007",
                    key_span,
                    Some(id),
                    format!("resource `{id}` has no `Type`: it is not checked"),
                ),
                Some(t) if doc.as_str(t).is_none() => {
                    let kind = kind_name(doc.value(t));
                    c.push(
                        "E007",
                        doc.span(t),
                        Some(id),
                        format!("`Type` of `{id}` must be a string, not {kind}: it is not checked"),
                    );
                }
                Some(_) => {}
            }
            if let Some(p) = doc.get(node, "Properties")
                && !matches!(doc.value(p), Value::Null)
            {
                c.expect_map(p, &format!("`Properties` of `{id}`"), Some(id));
            }
        }
    }
    if let Some(g) = doc.get(root, "Globals")
        && c.expect_map(g, "`Globals`", None)
        && let Some(m) = doc.as_map(g)
    {
        for (section, _, node) in m.iter() {
            if c.expect_map(node, &format!("`Globals.{section}`"), None) && section == "Function" {
                c.ints(node, FUNCTION_INTS, None);
            }
        }
    }
    for r in tpl.resources.values() {
        let Some(props) = r.properties else { continue };
        let id = Some(r.id.as_str());
        match r.type_.as_str() {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                c.ints(props, FUNCTION_INTS, id);
                if let Some(events) = doc.get(props, "Events").and_then(|e| doc.as_map(e)) {
                    for (_, _, ev) in events.iter() {
                        let is_mapping = doc
                            .get(ev, "Type")
                            .and_then(|t| doc.as_str(t))
                            .is_some_and(|t| MAPPING_EVENTS.contains(&t));
                        if is_mapping && let Some(p) = doc.get(ev, "Properties") {
                            c.ints(p, MAPPING_INTS, id);
                        }
                    }
                }
            }
            "AWS::Lambda::EventSourceMapping" => c.ints(props, MAPPING_INTS, id),
            "AWS::SQS::Queue" => c.ints(props, QUEUE_INTS, id),
            "AWS::Lambda::EventInvokeConfig" => c.ints(props, INVOKE_CONFIG_INTS, id),
            _ => {}
        }
    }
    c.out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::source::{Format, SourceFile};

    fn problems(text: &str) -> Vec<(String, String)> {
        let loaded = crate::load::load(text, Format::Yaml).unwrap();
        let file = Arc::new(SourceFile::new(
            PathBuf::from("t.yaml"),
            "t.yaml".into(),
            text.into(),
        ));
        let tpl = Template::new(file, loaded);
        validate(&tpl)
            .into_iter()
            .map(|p| (p.code.to_string(), p.message))
            .collect()
    }

    #[test]
    fn wrong_kinds_are_reported() {
        let p = problems("Resources:\n  - Type: AWS::SQS::Queue\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].1.contains("`Resources` must be a mapping, not a list"));
        let p = problems("Resources:\n  F:\n    Type: {a: b}\n    Properties: [1]\n  G: 3\n");
        let msgs: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(p.len(), 3, "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("`Type` of `F` must be a string"))
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`Properties` of `F` must be a mapping"))
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("resource `G` must be a mapping"))
        );
        // A computed Properties is the template's business, not an error.
        assert!(
            problems("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: !If [C, {}, {}]\n")
                .is_empty()
        );
    }

    #[test]
    fn wrong_values_are_reported() {
        for (v, shown) in [
            ("\"abc\"", "\"abc\""),
            ("-1", "-1"),
            (".nan", ".nan"),
            ("yes", "yes"),
            ("1.5", "1.5"),
            ("901", "901"),
        ] {
            let p = problems(&format!(
                "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: {v}\n"
            ));
            assert_eq!(p.len(), 1, "{v}: {p:?}");
            assert_eq!(p[0].0, "E008");
            assert!(p[0].1.contains(&format!("`Timeout` is `{shown}`")), "{p:?}");
        }
        for ok in ["30", "\"30\"", "!Ref T", "!If [C, 3, 4]"] {
            let p = problems(&format!(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: {ok}\n"
            ));
            assert!(p.is_empty(), "{ok}: {p:?}");
        }
        let p = problems(
            "Globals:\n  Function:\n    Timeout: abc\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: -5\n      RedrivePolicy: {maxReceiveCount: 0}\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }
}
