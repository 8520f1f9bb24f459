//! LMB012 schedule-overlaps-itself.

use crate::load::NodeId;
use crate::model::concurrency::reserved;
use crate::model::{App, EventSource, Known};
use crate::rule::{Context, Report, Rule};

pub struct ScheduleOverlapsItself;

pub fn message(
    function: &str,
    schedule: &str,
    expression: &str,
    period: f64,
    timeout: f64,
    from_globals: bool,
) -> String {
    let glob = if from_globals {
        " (from `Globals.Function`)"
    } else {
        ""
    };
    format!(
        "function `{function}` runs every {} (`{expression}`, {schedule}) and its `Timeout` is {timeout} s{glob}: a run that takes longer than {period} s is still going when the next one starts, and nothing keeps them apart",
        human(period)
    )
}

fn human(secs: f64) -> String {
    let (n, unit) = if secs % 86_400.0 == 0.0 {
        (secs / 86_400.0, "day")
    } else if secs % 3600.0 == 0.0 {
        (secs / 3600.0, "hour")
    } else {
        (secs / 60.0, "minute")
    };
    if n == 1.0 {
        unit.to_string()
    } else {
        format!("{n} {unit}s")
    }
}

/// The period of a `rate(N unit)` expression, in seconds.
pub fn rate_seconds(expr: &str) -> Option<f64> {
    let inner = expr.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let mut parts = inner.split_whitespace();
    let n: f64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?.to_ascii_lowercase();
    let mult = match unit.trim_end_matches('s') {
        "minute" => 60.0,
        "hour" => 3600.0,
        "day" => 86_400.0,
        _ => return None,
    };
    (n > 0.0).then_some(n * mult)
}

/// The schedule expression of an invocation, how to name it, and whether it is enabled.
fn schedule_of(app: &App, e: &EventSource) -> Option<(NodeId, String)> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let disabled = |map: Option<NodeId>| {
        map.is_some_and(|m| {
            doc.get(m, "Enabled")
                .is_some_and(|n| tpl.boolean(n).known() == Some(false))
                || doc
                    .get(m, "State")
                    .and_then(|n| tpl.string(n).known())
                    .is_some_and(|s| s.starts_with("DISABLED"))
        })
    };
    match e.kind.as_str() {
        "Schedule" | "ScheduleV2" => {
            let key = if e.kind == "Schedule" {
                "Schedule"
            } else {
                "ScheduleExpression"
            };
            if disabled(e.props) {
                return None;
            }
            let n = doc.get(e.props?, key)?;
            Some((
                n,
                format!("`{}` event `{}`", e.kind, e.name.as_deref().unwrap_or("")),
            ))
        }
        "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => {
            let r = tpl.resource(&e.declared_in)?;
            if disabled(r.properties) {
                return None;
            }
            let n = tpl.prop(r, "ScheduleExpression")?;
            let what = if e.kind == "AWS::Events::Rule" {
                "EventBridge rule"
            } else {
                "EventBridge Scheduler schedule"
            };
            Some((n, format!("{what} `{}`", r.id)))
        }
        _ => None,
    }
}

impl Rule for ScheduleOverlapsItself {
    fn code(&self) -> &'static str {
        "LMB012"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for f in app.functions.values() {
            let mut schedules = app
                .events_of(&f.id)
                .filter_map(|e| schedule_of(app, e).map(|s| (e, s)))
                .peekable();
            if schedules.peek().is_none() {
                continue;
            }
            let timeout_prop = f.prop(tpl, "Timeout");
            let timeout = match timeout_prop.map(|p| tpl.number(p.node)) {
                None => 3.0,
                Some(Known::Yes(v)) => v,
                Some(Known::Unknown(_)) => continue,
            };
            match reserved(app, f) {
                Some(Known::Yes(r)) if r <= 1.0 => continue,
                Some(Known::Unknown(_)) => continue,
                _ => {}
            }
            let mut done = false;
            for (e, (node, what)) in schedules {
                if done {
                    break;
                }
                let Some(expr) = tpl.string(node).known() else {
                    continue;
                };
                let Some(period) = rate_seconds(&expr) else {
                    continue;
                };
                if period > timeout {
                    continue;
                }
                let span = if e.name.is_some() {
                    e.span
                } else {
                    f.anchor(tpl)
                };
                let globals = if f.uses_globals(tpl, "ReservedConcurrentExecutions") {
                    " (or in `Globals.Function`)"
                } else {
                    ""
                };
                cx.emit(
                    Report::new(
                        span,
                        message(
                            &f.id,
                            &what,
                            &expr,
                            period,
                            timeout,
                            timeout_prop.is_some_and(|p| p.from_globals),
                        ),
                    )
                    .resource(&f.id)
                    .path(&["ReservedConcurrentExecutions"])
                    .help(format!(
                        "set `ReservedConcurrentExecutions: 1` on `{}`{globals} so a run never starts while the previous one is still going (the late invocation is throttled and retried), or lower `Timeout` below {period} s",
                        f.id
                    )),
                );
                done = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(rate_seconds("rate(1 minute)"), Some(60.0));
        assert_eq!(rate_seconds("rate(5 minutes)"), Some(300.0));
        assert_eq!(rate_seconds("rate(2 hours)"), Some(7200.0));
        assert_eq!(rate_seconds(" rate(1 day) "), Some(86_400.0));
        assert_eq!(rate_seconds("cron(0 12 * * ? *)"), None);
        assert_eq!(rate_seconds("rate(0 minutes)"), None);
        assert_eq!(rate_seconds("rate(5 weeks)"), None);
        assert_eq!(human(300.0), "5 minutes");
        assert_eq!(human(60.0), "minute");
    }
}
