//! HDL010 http-call-without-timeout.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct HttpCallWithoutTimeout;

pub fn message_hdl010(function: &str, callee: &str) -> String {
    format!(
        "`{callee}` in `{function}` has no timeout: a slow server holds the function until it times out"
    )
}

impl Rule for HttpCallWithoutTimeout {
    fn code(&self) -> &'static str {
        "HDL010"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            // Calls to a Lambda extension on localhost are exempt.
            for h in f.http.iter().filter(|h| !h.has_timeout && !h.local) {
                let r = Report::new(h.span, message_hdl010(&f.function, &h.callee))
                    .resource(&f.function)
                    .help("pass a timeout shorter than the function's `Timeout` (`timeout=` in Python, an `AbortSignal.timeout(ms)` signal or `timeout` option in Node.js)");
                cx.emit_in(&h.file, r);
            }
        }
    }
}
