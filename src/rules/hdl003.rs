//! HDL003 db-connection-per-invocation.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each_invoked;
pub struct DbConnectionPerInvocation;

pub fn message_hdl003(function: &str, driver: &str) -> String {
    format!(
        "`{driver}` connection is opened inside the handler of `{function}`, on every invocation"
    )
}

impl Rule for DbConnectionPerInvocation {
    fn code(&self) -> &'static str {
        "HDL003"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            for d in f.db.iter().filter(|d| d.in_handler) {
                let r = Report::new(d.span, message_hdl003(&f.function, &d.driver))
                    .resource(&f.function)
                    .help("open the connection (or pool) once at module level and reuse it; put RDS Proxy in front of the database");
                cx.emit_in(&d.file, r);
            }
        }
    }
}
