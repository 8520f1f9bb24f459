//! HDL001 sdk-client-created-in-handler.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each_invoked;
pub struct SdkClientCreatedInHandler;

pub fn message_hdl001(function: &str, service: &str) -> String {
    format!("`{service}` client of `{function}` is created inside the handler, on every invocation")
}

impl Rule for SdkClientCreatedInHandler {
    fn code(&self) -> &'static str {
        "HDL001"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            // A client given the caller's own credentials, or configured from the event, has
            // to be created per invocation; a lazy initialisation is kept across invocations.
            for c in f
                .clients
                .iter()
                .filter(|c| c.in_handler && !c.own_credentials && !c.from_event && !c.cached)
            {
                let r = Report::new(c.span, message_hdl001(&f.function, &c.service))
                    .resource(&f.function)
                    .help("create the client once at module level (outside the handler) and reuse it across invocations");
                cx.emit_in(&c.file, r);
            }
        }
    }
}
