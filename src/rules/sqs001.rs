//! SQS001 queue-without-redrive-policy.

use std::collections::HashSet;

use crate::fix::{Applicability, Val, aws};
use crate::load::{NodeId, Value};
use crate::model::events::queue_consumers;
use crate::model::{App, Known};
use crate::rule::{Context, Report, Rule};

pub struct QueueWithoutRedrivePolicy;

pub fn message(queue: &str, functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    format!(
        "queue `{queue}` is consumed by function{s} {who} but has no `RedrivePolicy`: a message that keeps failing is received again and again until it expires"
    )
}

/// Queues used as dead-letter queues or failure destinations anywhere in the template.
pub fn dead_letter_targets(app: &App) -> HashSet<String> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out = HashSet::new();
    let roots = tpl
        .resources
        .values()
        .filter_map(|r| r.properties)
        .chain(tpl.globals_function);
    for p in roots {
        let mut stack: Vec<(NodeId, bool)> = vec![(p, false)];
        while let Some((n, under_dlq)) = stack.pop() {
            if under_dlq && let Some(id) = tpl.ref_resource(n) {
                out.insert(id.to_string());
            }
            match doc.value(n) {
                Value::Map(m) => {
                    for (k, _, v) in m.iter() {
                        let lower = k.to_ascii_lowercase();
                        let dlq = under_dlq
                            || lower.contains("deadletter")
                            || lower == "onfailure"
                            || lower == "destinationconfig";
                        stack.push((v, dlq));
                    }
                }
                Value::Seq(s) => stack.extend(s.iter().map(|c| (*c, under_dlq))),
                _ => {}
            }
        }
    }
    out
}

impl Rule for QueueWithoutRedrivePolicy {
    fn code(&self) -> &'static str {
        "SQS001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let consumers = queue_consumers(tpl, &app.events, |_| true);
        if consumers.is_empty() {
            return;
        }
        let dlqs = dead_letter_targets(app);
        for (q, functions) in consumers {
            let Some(r) = tpl.resource(q) else { continue };
            if dlqs.contains(q) || tpl.prop(r, "RedrivePolicy").is_some() {
                continue;
            }
            // A FIFO queue needs a FIFO dead-letter queue: unknown (a parameter) means no fix.
            let fifo = match tpl.prop(r, "FifoQueue").map(|n| tpl.boolean(n)) {
                None => Some(false),
                Some(Known::Yes(b)) => Some(b),
                Some(Known::Unknown(_)) => None,
            };
            let fix = fifo.and_then(|fifo| {
                cx.fix(
                    format!("Add a dead-letter queue for `{q}` and a `RedrivePolicy` with `maxReceiveCount: 5`"),
                    Applicability::Unsafe,
                    |e| {
                        let dlq = aws::add_queue(e, &format!("{q}{}", e.style.dlq_suffix), fifo)?;
                        e.insert(
                            r.node,
                            &["Properties", "RedrivePolicy"],
                            Val::map([
                                ("deadLetterTargetArn", Val::get_att(&dlq, "Arn")),
                                ("maxReceiveCount", Val::Int(5)),
                            ]),
                        )
                    },
                )
            });
            cx.emit(
                Report::new(r.key_span, message(q, &functions.iter().copied().collect::<Vec<_>>()))
                    .resource(q)
                    .path(&["RedrivePolicy"])
                    .help(match tpl.dialect().say("RedrivePolicy") {
                        Some(how) => format!("add {how} (a dead-letter queue for `{q}`)"),
                        None => format!(
                            "add `RedrivePolicy: {{deadLetterTargetArn: !GetAtt {q}DLQ.Arn, maxReceiveCount: 5}}` with a dead-letter queue `{q}DLQ`"
                        ),
                    })
                    .fix(fix),
            );
        }
    }
}
