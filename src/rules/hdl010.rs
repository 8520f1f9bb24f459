//! HDL010 http-call-without-timeout.

use crate::fix::source::http_timeout_fix;
use crate::model::Known;
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct HttpCallWithoutTimeout;

pub fn message_hdl010(function: &str, callee: &str) -> String {
    format!(
        "`{callee}` in `{function}` has no timeout: a slow server holds the function until it times out"
    )
}

pub fn message_hdl010_late(function: &str, callee: &str, seconds: f64, timeout: f64) -> String {
    format!(
        "`{callee}` in `{function}` has a {seconds} s timeout, not shorter than the function's `Timeout` of {timeout} s: it can never fire"
    )
}

/// The function's timeout in seconds (3 when not set), when the template fixes it.
fn function_timeout(cx: &Context<'_>, function: &str) -> Option<f64> {
    let app = cx.app;
    let f = app.functions.get(function)?;
    match f.prop(&app.tpl, "Timeout") {
        None => Some(3.0),
        Some(t) => app.tpl.number(t.node).known(),
    }
}

impl Rule for HttpCallWithoutTimeout {
    fn code(&self) -> &'static str {
        "HDL010"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        // Fixes in the handler source, for templates the user edits (not a lowered
        // `serverless.yml` or a CDK assembly: their help says it in their own terms).
        let fixes = tpl.dialect() == crate::model::dialect::Dialect::CloudFormation;
        for f in each(cx) {
            let timeout = app.functions.get(&f.function).and_then(|g| {
                match g.prop(tpl, "Timeout").map(|p| tpl.number(p.node)) {
                    None => Some(3.0),
                    Some(Known::Yes(v)) => Some(v),
                    Some(Known::Unknown(_)) => None,
                }
            });
            // Calls to a Lambda extension on localhost are exempt.
            for h in f.http.iter().filter(|h| !h.has_timeout && !h.local) {
                let fix = timeout
                    .filter(|_| fixes)
                    .and_then(|t| http_timeout_fix(&h.file, h.span, &h.callee, t));
                let r = Report::new(h.span, message_hdl010(&f.function, &h.callee))
                    .resource(&f.function)
                    .help("pass a timeout shorter than the function's `Timeout` (`timeout=` in Python, an `AbortSignal.timeout(ms)` signal or `timeout` option in Node.js)")
                    .fix(fix);
                cx.emit_in(&h.file, r);
            }
            let Some(limit) = function_timeout(cx, &f.function) else {
                continue;
            };
            for t in f
                .hygiene
                .http_timeouts
                .iter()
                .filter(|t| t.seconds >= limit)
            {
                let r = Report::new(t.span, message_hdl010_late(&f.function, &t.callee, t.seconds, limit))
                    .resource(&f.function)
                    .help("give the call a timeout shorter than the function's `Timeout`, leaving time to handle the failure (log, retry, return an error)");
                cx.emit_in(&t.file, r);
            }
        }
    }
}
