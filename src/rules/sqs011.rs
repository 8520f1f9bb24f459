//! SQS011 max-receive-count-too-low.

use crate::fix::{Applicability, Val};
use crate::model::Known;
use crate::model::concurrency::is_sqs;
use crate::model::events::queue_consumers;
use crate::rule::{Context, Report, Rule};

pub struct MaxReceiveCountTooLow;

/// The lowest `maxReceiveCount` AWS recommends for a queue a function consumes.
pub const MIN_RECEIVES: f64 = 5.0;

pub fn message(queue: &str, count: f64, functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    format!(
        "queue `{queue}` has `maxReceiveCount: {count}` and is consumed by function{s} {who}: a message whose receive is throttled, or whose batch fails because of another message, moves to the dead-letter queue after {count} receive{} without being processed",
        if count == 1.0 { "" } else { "s" }
    )
}

impl Rule for MaxReceiveCountTooLow {
    fn code(&self) -> &'static str {
        "SQS011"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        let consumers = queue_consumers(tpl, &app.events, |e| is_sqs(app, e));
        for (q, functions) in consumers {
            let Some(r) = tpl.resource(q) else { continue };
            let Some(rp) = tpl.prop(r, "RedrivePolicy") else {
                continue;
            };
            let Some(n) = doc.get(rp, "maxReceiveCount") else {
                continue;
            };
            let Known::Yes(count) = tpl.number(n) else {
                continue;
            };
            if count >= MIN_RECEIVES {
                continue;
            }
            let span = doc
                .as_map(rp)
                .and_then(|m| m.key_span("maxReceiveCount"))
                .unwrap_or(r.key_span);
            // Unsafe: a failing message is retried more often before it moves.
            let fix = cx.fix(
                format!("Set `maxReceiveCount: 5` on `{q}`"),
                Applicability::Unsafe,
                |e| e.set(n, &Val::Int(5)),
            );
            cx.emit(
                Report::new(span, message(q, count, &functions.iter().copied().collect::<Vec<_>>()))
                    .resource(q)
                    .path(&["RedrivePolicy", "maxReceiveCount"])
                    .help(format!(
                        "raise `maxReceiveCount` of `{q}` to 5 or more (AWS's recommendation for Lambda consumers), and report partial batch failures (`FunctionResponseTypes: [ReportBatchItemFailures]`) so one bad message does not fail its whole batch"
                    ))
                    .fix(fix),
            );
        }
    }
}
