//! SQS010 visibility-timeout-below-function-timeout.

use crate::diagnostic::Severity;
use crate::model::{Known, Mode};
use crate::rule::{Context, Report, Rule};

pub struct VisibilityTimeoutBelowFunctionTimeout;

pub fn message(
    queue: &str,
    visibility: f64,
    default: bool,
    function: &str,
    timeout: f64,
    recommended: f64,
) -> String {
    let vt = if default {
        format!("the default `VisibilityTimeout` of {visibility} s")
    } else {
        format!("`VisibilityTimeout: {visibility}`")
    };
    if visibility < timeout {
        format!(
            "queue `{queue}` has {vt}, less than the {timeout} s `Timeout` of its consumer `{function}`: a message becomes visible again while it is still being processed and is handled twice"
        )
    } else {
        format!(
            "queue `{queue}` has {vt}, less than {recommended} s (6 x the {timeout} s `Timeout` of its consumer `{function}`, as AWS recommends): retries of throttled or failed batches can make messages visible again while they are in flight"
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
        let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
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
            if !seen.insert((q, f.id.as_str())) {
                continue;
            }
            let timeout_prop = f.prop(tpl, "Timeout");
            let timeout = match timeout_prop.map(|p| tpl.number(p.node)) {
                None => 3.0,
                Some(Known::Yes(v)) => v,
                Some(Known::Unknown(_)) => continue,
            };
            let vt_node = tpl.prop(queue, "VisibilityTimeout");
            let visibility = match vt_node.map(|n| tpl.number(n)) {
                None => 30.0,
                Some(Known::Yes(v)) => v,
                Some(Known::Unknown(_)) => continue,
            };
            let window = match e
                .props
                .and_then(|p| tpl.doc.get(p, "MaximumBatchingWindowInSeconds"))
                .map(|n| tpl.number(n))
            {
                Some(Known::Yes(w)) => w,
                _ => 0.0,
            };
            let recommended = 6.0 * timeout + window;
            if visibility >= recommended {
                continue;
            }
            let severity = if visibility < timeout {
                Severity::Error
            } else {
                Severity::Warning
            };
            let span = vt_node.map_or(queue.key_span, |n| tpl.doc.span(n));
            let help = if let Some(how) = tpl.dialect().say("VisibilityTimeout") {
                format!("set {how} of `{q}` to at least {recommended} seconds")
            } else if vt_node.is_some() {
                format!("raise `VisibilityTimeout` of `{q}` to at least {recommended}")
            } else {
                format!("set `VisibilityTimeout: {recommended}` (or more) on `{q}`")
            };
            let help = if window > 0.0 {
                format!("{help} (6 x `Timeout` + `MaximumBatchingWindowInSeconds`)")
            } else {
                help
            };
            cx.emit(
                Report::new(
                    span,
                    message(
                        q,
                        visibility,
                        vt_node.is_none(),
                        &f.id,
                        timeout,
                        recommended,
                    ),
                )
                .resource(q)
                .path(&["VisibilityTimeout"])
                .help(help)
                .severity(severity),
            );
        }
    }
}
