//! LMB060 deprecated-runtime.

use crate::diagnostic::Severity;
use crate::model::runtimes::{Date, Lifecycle, table};
use crate::rule::{Context, OptionKind, Report, Rule, RuleOption};

pub struct DeprecatedRuntime;

/// Days before the deprecation date from which a runtime is reported (info).
pub const WARN_DAYS: i64 = 180;

const OPTIONS: &[RuleOption] = &[RuleOption {
    name: "date",
    kind: OptionKind::Date,
    help: "the date runtimes are compared with (default: today); pin it to keep a CI gate from changing on its own",
}];

pub fn message(function: &str, l: &Lifecycle, today: Date, from_globals: bool) -> String {
    let rt = if from_globals {
        format!("runtime `{}` (from `Globals.Function`)", l.runtime)
    } else {
        format!("runtime `{}`", l.runtime)
    };
    format!("function `{function}` uses {rt}{}", status(l, today))
}

/// The message of one deprecated runtime in `Globals.Function` used by several functions
/// (reported once, at `Globals`).
pub fn message_globals(l: &Lifecycle, today: Date) -> String {
    format!(
        "`Globals.Function` sets runtime `{}` for these functions{}",
        l.runtime,
        status(l, today)
    )
}

/// ", deprecated on ...: what it means".
fn status(l: &Lifecycle, today: Date) -> String {
    if l.deprecated > today {
        let days = l.deprecated.days() - today.days();
        return format!(
            ", deprecated on {} (in {days} days): it then stops getting security patches",
            l.deprecated
        );
    }
    let mut blocks = Vec::new();
    match l.create_blocked {
        Some(d) if d <= today => blocks.push(format!("creating functions with it fails since {d}")),
        Some(d) => blocks.push(format!("creating functions with it fails from {d}")),
        None => {}
    }
    match l.update_blocked {
        Some(d) if d <= today => blocks.push(format!("updating them fails since {d}")),
        Some(d) => blocks.push(format!("updating them fails from {d}")),
        None => {}
    }
    let blocks = if blocks.is_empty() {
        String::new()
    } else {
        format!("; {}", blocks.join(", "))
    };
    format!(
        ", deprecated since {}: it no longer gets security patches{blocks}",
        l.deprecated
    )
}

impl Rule for DeprecatedRuntime {
    fn code(&self) -> &'static str {
        "LMB060"
    }

    fn options(&self) -> &'static [RuleOption] {
        OPTIONS
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        if app.functions.is_empty() {
            return;
        }
        let today = cx.option_date("date").unwrap_or_else(Date::today);
        let runtimes = table();
        for f in app.functions.values() {
            let Some(p) = f.prop(tpl, "Runtime") else {
                continue;
            };
            let Some(rt) = tpl.string(p.node).known() else {
                continue;
            };
            let Some(l) = runtimes.get(rt.trim()) else {
                continue;
            };
            let days_left = l.deprecated.days() - today.days();
            if days_left > WARN_DAYS {
                continue;
            }
            let severity = if days_left > 0 {
                Severity::Info
            } else {
                Severity::Warning
            };
            // A runtime from `Globals.Function` is one cause for every function that inherits it:
            // reported once, at `Globals` (see `Report::shared_cause`).
            let span = p.key_span;
            let help = match &l.successor {
                Some(s) => format!(
                    "move `{}` to `{s}` (test the code on it first){}",
                    f.id,
                    if p.from_globals {
                        ": change `Runtime` in `Globals.Function`"
                    } else {
                        ""
                    }
                ),
                None => format!("move `{}` to a supported runtime", f.id),
            };
            // The next supported runtime of the same language (in `Globals.Function` when the
            // runtime comes from there): the code has to be tested on it, so unsafe.
            let fix = l.successor.as_deref().and_then(|s| {
                cx.fix(
                    format!("Set `Runtime: {s}`"),
                    crate::fix::Applicability::Unsafe,
                    |e| e.set(p.node, &crate::fix::Val::str(s)),
                )
            });
            let mut report = Report::new(span, message(&f.id, l, today, p.from_globals))
                .resource(&f.id)
                .path(&["Runtime"])
                .help(help)
                .severity(severity)
                .fix(fix);
            if p.from_globals {
                let help = match &l.successor {
                    Some(s) => format!(
                        "move `Runtime` in `Globals.Function` to `{s}` (test the code on it first)"
                    ),
                    None => "move `Runtime` in `Globals.Function` to a supported runtime".into(),
                };
                report = report.shared_cause(
                    message_globals(l, today),
                    help,
                    &["Globals", "Function", "Runtime"],
                    f.anchor(tpl),
                );
            }
            cx.emit(report);
        }
    }
}
