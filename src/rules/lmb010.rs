//! LMB010 function-without-timeout.

use crate::fix::{Applicability, Editor, Val};
use crate::model::{App, Known};
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

/// The Lambda default, written out: the fix keeps what the function does.
const DEFAULT_TIMEOUT: i64 = 3;

/// Should the fix set the timeout once in `Globals.Function`? When the template is SAM, no SAM
/// function has a `Timeout` and none ignores the `Globals` one, and there are several of them
/// (or a `Globals.Function` section already).
fn timeout_in_globals(app: &App) -> bool {
    let tpl = &app.tpl;
    let sam: Vec<_> = app.functions.values().filter(|f| f.sam).collect();
    tpl.is_sam
        && (sam.len() >= 2 || tpl.globals_function.is_some())
        && sam
            .iter()
            .all(|f| f.prop(tpl, "Timeout").is_none() && f.uses_globals(tpl, "Timeout"))
}

/// `Globals.Function.Timeout`, creating `Function` or `Globals` (before `Resources`) as needed.
fn set_globals_timeout(e: &mut Editor<'_>, value: i64) -> Option<()> {
    let tpl = e.tpl;
    let root = tpl.doc.root?;
    match (tpl.globals_function, tpl.doc.get(root, "Globals")) {
        (Some(gf), _) => e.insert(gf, &["Timeout"], Val::Int(value)),
        (None, Some(g)) => e.insert(g, &["Function", "Timeout"], Val::Int(value)),
        (None, None) => e.insert_before(
            root,
            "Globals",
            "Resources",
            Val::map([("Function", Val::map([("Timeout", Val::Int(value))]))]),
        ),
    }
}

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
        let in_globals = timeout_in_globals(app);
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
                let value = match app.tpl.number(p.node) {
                    Known::Yes(v) if v.fract() == 0.0 && v >= 1.0 => Some(v as i64),
                    _ => None,
                };
                let fix = value.and_then(|v| {
                    cx.fix(
                        format!(
                            "Set `Timeout: {v}` (the `Globals.Function` value) on the function"
                        ),
                        Applicability::Safe,
                        |e| {
                            e.insert(
                                f.resource(&app.tpl)?.node,
                                &["Properties", "Timeout"],
                                Val::Int(v),
                            )
                        },
                    )
                });
                cx.emit(
                    Report::new(f.anchor(&app.tpl), message_globals_only(&f.id))
                        .resource(&f.id)
                        .path(&["Timeout"])
                        .help("set `Timeout` on the function itself (the `allow-globals = false` option of LMB010 is on)")
                        .fix(fix),
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
            let fix = if allow_globals && f.sam && in_globals {
                cx.fix(
                    format!("Set `Timeout: {DEFAULT_TIMEOUT}` (the default, made explicit) in `Globals.Function`"),
                    Applicability::Safe,
                    |e| set_globals_timeout(e, DEFAULT_TIMEOUT),
                )
            } else {
                cx.fix(
                    format!("Set `Timeout: {DEFAULT_TIMEOUT}` (the default, made explicit)"),
                    Applicability::Safe,
                    |e| {
                        e.insert(
                            f.resource(&app.tpl)?.node,
                            &["Properties", "Timeout"],
                            Val::Int(DEFAULT_TIMEOUT),
                        )
                    },
                )
            };
            cx.emit(
                Report::new(f.anchor(&app.tpl), message(&f.id))
                    .resource(&f.id)
                    .path(&["Timeout"])
                    .help(help)
                    .fix(fix),
            );
        }
    }
}
