//! LMB003 stream-retries-unbounded.

use crate::load::NodeId;
use crate::model::{App, Known, Target};
use crate::rule::{Context, Report, Rule};
use crate::rules::lmb002::{has_destination, is_kafka, mapping_reads_stream, stream_kind};

pub struct StreamRetriesUnbounded;

/// `explicit`: the key written as `-1`; `on_failure`: the source has an OnFailure destination
/// (without one, and with LMB002 off, this finding says both).
pub fn message(function: &str, source: &str, explicit: Option<&str>, on_failure: bool) -> String {
    let how = match explicit {
        Some(k) => format!("sets `{k}: -1` and no other retry limit"),
        None => "sets neither `MaximumRetryAttempts` nor `MaximumRecordAgeInSeconds`".into(),
    };
    let then = if on_failure {
        "even though it has an OnFailure destination"
    } else {
        "and is then lost: there is no `DestinationConfig.OnFailure` either"
    };
    format!(
        "{source} of {function} {how}: a record that keeps failing is retried until it expires from the stream, blocking its shard all that time, {then}"
    )
}

/// The retry limit of a stream source: `Yes(Some(key))` bounded by that key, `Yes(None)`
/// unbounded (both absent or -1), `Unknown` when a value is computed.
fn retry_limit(app: &App, props: Option<NodeId>) -> Known<Option<&'static str>> {
    let tpl = &app.tpl;
    let Some(props) = props else {
        return Known::Yes(None);
    };
    for key in ["MaximumRetryAttempts", "MaximumRecordAgeInSeconds"] {
        let Some(n) = tpl.doc.get(props, key) else {
            continue;
        };
        match tpl.number(n) {
            Known::Yes(v) if v >= 0.0 => return Known::Yes(Some(key)),
            Known::Yes(_) => {}
            Known::Unknown(why) => return Known::Unknown(why),
        }
    }
    Known::Yes(None)
}

/// The key written as `-1`, for the message.
fn explicit_minus_one(app: &App, props: Option<NodeId>) -> Option<&'static str> {
    let tpl = &app.tpl;
    let props = props?;
    ["MaximumRetryAttempts", "MaximumRecordAgeInSeconds"]
        .into_iter()
        .find(|k| tpl.doc.get(props, k).is_some())
}

const HELP_SAM: &str = "add `MaximumRetryAttempts: 3` (or `MaximumRecordAgeInSeconds`) and `BisectBatchOnFunctionError: true` to the event's `Properties`, so a poison record is retried a bounded number of times and then goes to the OnFailure destination";
const HELP_MAPPING: &str = "add `MaximumRetryAttempts: 3` (or `MaximumRecordAgeInSeconds`) and `BisectBatchOnFunctionError: true` to the mapping, so a poison record is retried a bounded number of times and then goes to the OnFailure destination";

impl Rule for StreamRetriesUnbounded {
    fn code(&self) -> &'static str {
        "LMB003"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        // A source without OnFailure: LMB002 says both things in one finding.
        let lmb002 = cx.enabled("LMB002");
        for e in &app.events {
            let Some(what) = stream_kind(app, e) else {
                continue;
            };
            if is_kafka(app, &e.kind, e.props) {
                continue;
            }
            if retry_limit(app, e.props) != Known::Yes(None) {
                continue;
            }
            let on_failure = has_destination(app, e.props);
            if !on_failure && lmb002 {
                continue;
            }
            let msg = message(
                &format!("function `{}`", e.function),
                &what,
                explicit_minus_one(app, e.props),
                on_failure,
            );
            cx.emit(
                Report::new(e.span, msg)
                    .resource(&e.declared_in)
                    .path(&["MaximumRetryAttempts"])
                    .help(if e.name.is_some() {
                        HELP_SAM
                    } else {
                        HELP_MAPPING
                    }),
            );
        }
        // Mappings of a function defined elsewhere.
        let declared: std::collections::HashSet<&str> =
            app.events.iter().map(|e| e.declared_in.as_str()).collect();
        for r in tpl.resources_of("AWS::Lambda::EventSourceMapping") {
            if declared.contains(r.id.as_str()) {
                continue;
            }
            let Some(props) = r.properties else { continue };
            let Some(name) = tpl.doc.get(props, "FunctionName") else {
                continue;
            };
            if !mapping_reads_stream(app, props)
                || is_kafka(app, &r.type_, Some(props))
                || retry_limit(app, Some(props)) != Known::Yes(None)
            {
                continue;
            }
            let on_failure = has_destination(app, Some(props));
            if !on_failure && lmb002 {
                continue;
            }
            let function = match tpl.target(name) {
                Target::Literal(s) => format!("function `{s}`"),
                Target::Parameter(p) => format!("the function named by parameter `{p}`"),
                Target::Resource { id, .. } => format!("`{id}`"),
                Target::Unknown(_) => "a function outside the template".to_string(),
            };
            let msg = message(
                &function,
                &format!("event source mapping `{}`", r.id),
                explicit_minus_one(app, Some(props)),
                on_failure,
            );
            cx.emit(
                Report::new(r.key_span, msg)
                    .resource(&r.id)
                    .path(&["MaximumRetryAttempts"])
                    .help(HELP_MAPPING),
            );
        }
    }
}
