//! SQS010 visibility-timeout-below-function-timeout.

use crate::diagnostic::Severity;
use crate::model::{Known, Mode};
use crate::rule::{Context, Report, Rule};

pub struct VisibilityTimeoutBelowFunctionTimeout;

/// SQS default visibility timeout and Lambda default timeout, in seconds.
pub const DEFAULT_VISIBILITY: f64 = 30.0;
pub const DEFAULT_FUNCTION_TIMEOUT: f64 = 3.0;
/// AWS recommends a visibility timeout of at least six times the function timeout.
pub const RECOMMENDED_FACTOR: f64 = 6.0;

pub fn message(queue: &str, visibility: f64, set: bool, function: &str, timeout: f64) -> String {
    let vis = if set {
        format!("`VisibilityTimeout: {visibility}`")
    } else {
        format!("the default `VisibilityTimeout` of {visibility} s")
    };
    if visibility < timeout {
        format!(
            "queue `{queue}` has {vis}, shorter than the {timeout} s `Timeout` of its consumer `{function}`: messages become visible again while still being processed and are handled twice"
        )
    } else {
        format!(
            "queue `{queue}` has {vis}, less than 6 times the {timeout} s `Timeout` of its consumer `{function}`: retries and batching can make messages visible again while in flight"
        )
    }
}

impl Rule for VisibilityTimeoutBelowFunctionTimeout {
    fn code(&self) -> &'static str {
        "SQS010"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for e in app.events.iter().filter(|e| e.mode == Mode::Queue) {
            let Some(q) = e.source.as_deref() else {
                continue;
            };
            let Some(queue) = tpl.resource(q).filter(|r| r.type_ == "AWS::SQS::Queue") else {
                continue;
            };
            let Some(f) = app.functions.get(&e.function) else {
                continue;
            };
            if seen.contains(&(q, f.id.as_str())) {
                continue;
            }
            seen.push((q, f.id.as_str()));
            let timeout = match f.prop(tpl, "Timeout") {
                Some(p) => match tpl.number(p.node) {
                    Known::Yes(t) => t,
                    Known::Unknown(_) => continue,
                },
                None => DEFAULT_FUNCTION_TIMEOUT,
            };
            let vis_node = tpl.prop(queue, "VisibilityTimeout");
            let visibility = match vis_node {
                Some(n) => match tpl.number(n) {
                    Known::Yes(v) => v,
                    Known::Unknown(_) => continue,
                },
                None => DEFAULT_VISIBILITY,
            };
            let recommended = timeout * RECOMMENDED_FACTOR;
            if visibility >= recommended {
                continue;
            }
            let severity = if visibility < timeout {
                Severity::Error
            } else {
                Severity::Warning
            };
            let span = vis_node.map_or(queue.key_span, |n| tpl.doc.span(n));
            cx.emit(
                Report::new(span, message(q, visibility, vis_node.is_some(), &f.id, timeout))
                    .resource(q)
                    .path(&["VisibilityTimeout"])
                    .severity(severity)
                    .help(format!(
                        "set `VisibilityTimeout: {recommended}` (6 x the function timeout) on `{q}`, or lower the function's `Timeout`"
                    )),
            );
        }
    }
}
