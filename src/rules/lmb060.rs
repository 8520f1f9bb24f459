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
    if l.deprecated > today {
        let days = l.deprecated.days() - today.days();
        return format!(
            "function `{function}` uses {rt}, deprecated on {} (in {days} days): it then stops getting security patches",
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
        "function `{function}` uses {rt}, deprecated since {}: it no longer gets security patches{blocks}",
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
            let span = if p.from_globals {
                f.anchor(tpl)
            } else {
                p.key_span
            };
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
            cx.emit(
                Report::new(span, message(&f.id, l, today, p.from_globals))
                    .resource(&f.id)
                    .path(&["Runtime"])
                    .help(help)
                    .severity(severity),
            );
        }
    }
}
