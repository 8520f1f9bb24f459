//! LMB010 function-without-timeout.

use crate::rule::{Context, OptionKind, Report, Rule, RuleOption};

pub struct FunctionWithoutTimeout;

pub fn message(function: &str) -> String {
    format!("function `{function}` has no `Timeout`: it is stopped after the 3-second default")
}

/// Message when only `Globals.Function.Timeout` sets the timeout and `allow-globals = false`.
pub fn message_globals_only(function: &str) -> String {
    format!("function `{function}` has no `Timeout` of its own, only the one in `Globals.Function`")
}

const OPTIONS: &[RuleOption] = &[RuleOption {
    name: "allow-globals",
    kind: OptionKind::Bool,
    help: "when false, a `Timeout` in SAM `Globals.Function` does not count: every function must set its own (default: true)",
}];

impl Rule for FunctionWithoutTimeout {
    fn options(&self) -> &'static [RuleOption] {
        OPTIONS
    }

    fn code(&self) -> &'static str {
        "LMB010"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let allow_globals = cx.option_bool("allow-globals").unwrap_or(true);
        for f in app.functions.values() {
            // `Properties` computed (`Fn::If`) or not a map at all (a template CloudFormation
            // rejects): its `Timeout` cannot be told.
            let doc = &app.tpl.doc;
            if let Some(r) = f.resource(&app.tpl)
                && let Some(p) = doc.get(r.node, "Properties")
                && (doc.as_map(p).is_none() || doc.intrinsic(p).is_some())
            {
                continue;
            }
            if let Some(p) = f.prop(&app.tpl, "Timeout") {
                if allow_globals || !p.from_globals {
                    continue;
                }
                cx.emit(
                    Report::new(f.anchor(&app.tpl), message_globals_only(&f.id))
                        .resource(&f.id)
                        .path(&["Timeout"])
                        .help("set `Timeout` on the function itself (the `allow-globals = false` option of LMB010 is on)"),
                );
                continue;
            }
            let dialect_help = app
                .tpl
                .dialect()
                .say("Timeout")
                .map(|how| format!("set {how} to a little more than its expected duration"));
            let help = if let Some(h) = dialect_help.as_deref() {
                h
            } else if f.sam && !f.uses_globals(&app.tpl, "Timeout") {
                "set `Timeout` (seconds) on the function: its `IgnoreGlobals` excludes the one in `Globals.Function`"
            } else if f.sam {
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
