//! LMB020 reserved-concurrency-conflict.

use crate::model::concurrency::{is_sqs, max_concurrency, reserved};
use crate::model::{Known, Mode};
use crate::rule::{Context, Report, Rule};

pub struct ReservedConcurrencyConflict;

pub fn message_zero(function: &str, from_globals: bool) -> String {
    format!(
        "function `{function}` has `ReservedConcurrentExecutions: 0`{}: every invocation is throttled, so it never runs",
        if from_globals {
            " (from `Globals.Function`)"
        } else {
            ""
        }
    )
}

pub fn message_max_concurrency(function: &str, source: &str, max: f64, reserved: f64) -> String {
    format!(
        "{source} of function `{function}` has `ScalingConfig.MaximumConcurrency: {max}`, above the function's `ReservedConcurrentExecutions: {reserved}`: the pollers keep receiving batches the function cannot run, and the throttled messages go back to the queue, counting toward its `maxReceiveCount`"
    )
}

pub fn message_below_five(function: &str, source: &str, reserved: f64) -> String {
    format!(
        "function `{function}` has `ReservedConcurrentExecutions: {reserved}` and reads {source}: the SQS pollers start with 5 concurrent batches, so receives are throttled, and throttled messages count toward the queue's `maxReceiveCount` and can end up in its dead-letter queue unprocessed"
    )
}

impl Rule for ReservedConcurrencyConflict {
    fn code(&self) -> &'static str {
        "LMB020"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for f in app.functions.values() {
            let Some(Known::Yes(r)) = reserved(app, f) else {
                continue;
            };
            let prop = f.prop(tpl, "ReservedConcurrentExecutions");
            if r == 0.0 {
                let from_globals = prop.is_some_and(|p| p.from_globals);
                let span = prop.map_or_else(|| f.anchor(tpl), |p| p.key_span);
                let span = if from_globals { f.anchor(tpl) } else { span };
                cx.emit(
                    Report::new(span, message_zero(&f.id, from_globals))
                        .resource(&f.id)
                        .path(&["ReservedConcurrentExecutions"])
                        .help(format!(
                            "remove `ReservedConcurrentExecutions` from `{}` or set it to the concurrency the function needs (0 is the kill switch: keep it only while the function must stay off)",
                            f.id
                        )),
                );
                continue;
            }
            for e in app.events_of(&f.id) {
                if e.mode != Mode::Queue || !is_sqs(app, e) {
                    continue;
                }
                let source = match &e.name {
                    Some(n) => format!("`SQS` event `{n}`"),
                    None => format!("event source mapping `{}`", e.declared_in),
                };
                let span = e.span;
                let max = max_concurrency(app, e).map(|n| tpl.number(n));
                match max {
                    Some(Known::Unknown(_)) => continue,
                    Some(Known::Yes(m)) if m > r => {
                        cx.emit(
                            Report::new(span, message_max_concurrency(&f.id, &source, m, r))
                                .resource(&e.declared_in)
                                .path(&["ScalingConfig", "MaximumConcurrency"])
                                .help(format!(
                                    "set `ScalingConfig.MaximumConcurrency` to at most {r} (the function's reserved concurrency), or raise `ReservedConcurrentExecutions` of `{}`",
                                    f.id
                                )),
                        );
                    }
                    // Capped at or below the reservation: the pollers never exceed it.
                    Some(Known::Yes(_)) => {}
                    None if r < 5.0 => {
                        let help = if r >= 2.0 {
                            format!(
                                "cap the pollers instead: `ScalingConfig: {{MaximumConcurrency: {r}}}` on the source, or raise `ReservedConcurrentExecutions` of `{}` to 5 or more",
                                f.id
                            )
                        } else {
                            format!(
                                "raise `ReservedConcurrentExecutions` of `{}` to 5 or more, or to 2 with `ScalingConfig: {{MaximumConcurrency: 2}}` on the source (its minimum)",
                                f.id
                            )
                        };
                        cx.emit(
                            Report::new(span, message_below_five(&f.id, &source, r))
                                .resource(&e.declared_in)
                                .path(&["ScalingConfig", "MaximumConcurrency"])
                                .help(help),
                        );
                    }
                    None => {}
                }
            }
        }
    }
}
