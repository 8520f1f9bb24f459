//! LMB010 function-without-timeout.

use crate::rule::{Context, Report, Rule};

pub struct FunctionWithoutTimeout;

pub fn message(function: &str) -> String {
    format!("function `{function}` has no `Timeout`: it is stopped after the 3-second default")
}

impl Rule for FunctionWithoutTimeout {
    fn code(&self) -> &'static str {
        "LMB010"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for f in app.functions.values() {
            if f.prop(&app.tpl, "Timeout").is_some() {
                continue;
            }
            let help = if f.sam {
                "set `Timeout` (seconds) on the function, or once for all functions in `Globals.Function`"
            } else {
                "set `Timeout` (seconds) on the function to a little more than its expected duration"
            };
            cx.emit(
                Report::new(f.anchor(&app.tpl), message(&f.id))
                    .resource(&f.id)
                    .path(&["Timeout"])
                    .help(help),
            );
        }
    }
}
