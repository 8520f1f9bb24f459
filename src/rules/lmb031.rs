//! LMB031 recursive-trigger.

use crate::diagnostic::Severity;
use crate::handler::facts::{KeyShape, ResourceWrite};
use crate::load::NodeId;
use crate::model::events::EventSource;
use crate::model::{App, Known};
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
use super::wiring_util::resource_of;

pub struct RecursiveTrigger;

pub fn message_lmb031(function: &str, op: &str, resource: &str, trigger: &str) -> String {
    format!(
        "`{function}` writes to `{resource}` ({op}), which triggers it through {trigger}: every invocation causes the next, an invocation loop that runs up the bill"
    )
}

/// The template resource type a write of this service goes to.
fn written_type(service: &str) -> &'static [&'static str] {
    match service {
        "s3" => &["AWS::S3::Bucket"],
        "sqs" => &["AWS::SQS::Queue"],
        "sns" => &["AWS::SNS::Topic"],
        "dynamodb" => &["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"],
        "kinesis" => &["AWS::Kinesis::Stream"],
        _ => &[],
    }
}

/// How a key compares with a filter part.
#[derive(Debug, PartialEq, Eq)]
enum Match {
    Yes,
    Maybe,
    No,
}

fn prefix_match(filter: &str, key: &str) -> Match {
    if filter.is_empty() || key.starts_with(filter) {
        Match::Yes
    } else if filter.starts_with(key) {
        Match::Maybe
    } else {
        Match::No
    }
}

fn suffix_match(filter: &str, key: &str) -> Match {
    if filter.is_empty() || key.ends_with(filter) {
        Match::Yes
    } else if filter.ends_with(key) {
        Match::Maybe
    } else {
        Match::No
    }
}

/// The S3 notification's key filter (prefix, suffix) under `base` (a SAM S3 event's
/// `Properties`, a bucket's `LambdaConfigurations` entry); unknown when computed.
fn s3_filter(app: &App, base: NodeId) -> Known<(String, String)> {
    let doc = &app.tpl.doc;
    let Some(filter) = doc.get(base, "Filter") else {
        return Known::Yes((String::new(), String::new()));
    };
    let Some(rules) = doc
        .get(filter, "S3Key")
        .and_then(|k| doc.get(k, "Rules"))
        .and_then(|r| doc.as_seq(r))
    else {
        return Known::Unknown("computed filter".into());
    };
    let (mut prefix, mut suffix) = (String::new(), String::new());
    for r in rules {
        let name = doc.get(*r, "Name").and_then(|n| doc.as_str(n));
        let value = doc.get(*r, "Value").and_then(|n| doc.as_str(n));
        match (name.map(str::to_ascii_lowercase).as_deref(), value) {
            (Some("prefix"), Some(v)) => prefix = v.to_string(),
            (Some("suffix"), Some(v)) => suffix = v.to_string(),
            _ => return Known::Unknown("computed filter rule".into()),
        }
    }
    Known::Yes((prefix, suffix))
}

/// Does an S3 notification fire on object creation? Unknown when computed.
fn on_create(app: &App, base: NodeId, key: &str) -> Known<bool> {
    let doc = &app.tpl.doc;
    let Some(n) = doc.get(base, key) else {
        return Known::Unknown("no event type".into());
    };
    let mut out = false;
    for e in doc.one_or_many(n) {
        match doc.as_str(e) {
            Some(s) => out |= s.starts_with("s3:ObjectCreated"),
            None => return Known::Unknown("computed event type".into()),
        }
    }
    Known::Yes(out)
}

/// Does this write certainly trigger the S3 notification `e`?
fn s3_loops(app: &App, e: &EventSource, key: Option<&KeyShape>) -> bool {
    let (base, events_key) = if e.kind == "AWS::S3::Bucket" {
        (Some(e.node), "Event")
    } else {
        (e.props, "Events")
    };
    let Some(base) = base else { return false };
    if on_create(app, base, events_key) != Known::Yes(true) {
        return false;
    }
    let Known::Yes((prefix, suffix)) = s3_filter(app, base) else {
        return false;
    };
    let empty = KeyShape::default();
    let key = key.unwrap_or(&empty);
    prefix_match(&prefix, &key.prefix) == Match::Yes
        && suffix_match(&suffix, &key.suffix) == Match::Yes
}

/// The trigger, for messages.
fn trigger_name(e: &EventSource) -> String {
    match &e.name {
        Some(n) => format!("its `{}` event `{n}`", e.kind),
        None if e.kind == "AWS::S3::Bucket" => {
            format!("the `NotificationConfiguration` of `{}`", e.declared_in)
        }
        None if e.kind == "AWS::Lambda::EventSourceMapping" => {
            format!("the event source mapping `{}`", e.declared_in)
        }
        None => format!("`{}`", e.declared_in),
    }
}

fn loops(app: &App, w: &ResourceWrite, e: &EventSource) -> bool {
    let doc = &app.tpl.doc;
    // Filtered sources (an event filter, a subscription filter policy) may skip what the
    // function writes: not judged.
    if e.props.is_some_and(|p| {
        doc.get(p, "FilterCriteria").is_some() || doc.get(p, "FilterPolicy").is_some()
    }) {
        return false;
    }
    match w.service.as_str() {
        "s3" => s3_loops(app, e, w.key.as_ref()),
        "dynamodb" | "kinesis" | "sqs" | "sns" => true,
        _ => false,
    }
}

impl Rule for RecursiveTrigger {
    fn code(&self) -> &'static str {
        "LMB031"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for f in each(cx) {
            let Some(func) = app.functions.get(&f.function) else {
                continue;
            };
            let mut seen = std::collections::HashSet::new();
            for w in &f.wiring.writes {
                let Some(target) = resource_of(app, func, &w.target) else {
                    continue;
                };
                let Some(r) = app.tpl.resource(&target) else {
                    continue;
                };
                if !written_type(&w.service).contains(&r.type_.as_str()) {
                    continue;
                }
                let Some(e) = app
                    .events_of(&f.function)
                    .find(|e| e.source.as_deref() == Some(target.as_str()) && loops(app, w, e))
                else {
                    continue;
                };
                if !seen.insert((target.clone(), w.span)) {
                    continue;
                }
                let op = format!("`{}:{}`", w.service, w.operation);
                let mut rep = Report::new(
                    w.span,
                    message_lmb031(&f.function, &op, &target, &trigger_name(e)),
                )
                .resource(&f.function)
                .help(match w.service.as_str() {
                    "s3" => "write the results to another bucket, or under a prefix (or suffix) the trigger's filter excludes",
                    "sqs" | "sns" => "send to another queue or topic; a deliberate re-enqueue needs a counter that stops it (and a filter on the source)",
                    _ => "write to another table or stream, or filter the event source so the function's own writes do not trigger it",
                });
                if matches!(w.service.as_str(), "sqs" | "sns") {
                    rep = rep.severity(Severity::Warning);
                }
                cx.emit_in(&w.file, rep);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_filters() {
        assert_eq!(prefix_match("uploads/", "processed/"), Match::No);
        assert_eq!(prefix_match("uploads/", "uploads/x/"), Match::Yes);
        assert_eq!(prefix_match("uploads/", "up"), Match::Maybe);
        assert_eq!(prefix_match("", "anything"), Match::Yes);
        assert_eq!(suffix_match(".jpg", ".json"), Match::No);
        assert_eq!(suffix_match(".jpg", ""), Match::Maybe);
        assert_eq!(suffix_match("", ""), Match::Yes);
    }
}
