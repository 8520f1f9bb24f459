//! HDL002 parameter-fetched-per-invocation.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each_invoked;
pub struct ParameterFetchedPerInvocation;

pub fn message_hdl002(function: &str, action: &str) -> String {
    format!("`{action}` runs on every invocation of `{function}`, without a cache")
}

impl Rule for ParameterFetchedPerInvocation {
    fn code(&self) -> &'static str {
        "HDL002"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            for p in f.params.iter().filter(|p| p.in_handler && !p.cached) {
                let action = format!("{}:{}", p.service, p.operation);
                let r = Report::new(p.span, message_hdl002(&f.function, &action))
                    .resource(&f.function)
                    .help("fetch the value once at init and cache it (module-level variable with a TTL, Powertools parameters, or the Parameters and Secrets Lambda extension)");
                cx.emit_in(&p.file, r);
            }
        }
    }
}
