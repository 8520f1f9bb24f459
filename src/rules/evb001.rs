//! EVB001 rule-target-without-dead-letter-queue.

use crate::fix::{Applicability, Editor, Val, aws};
use crate::load::NodeId;
use crate::model::{Resource, Template};
use crate::rule::{Context, Report, Rule};

pub struct RuleTargetWithoutDeadLetterQueue;

pub fn message(what: &str, targets: &[String]) -> String {
    let t = if targets.is_empty() {
        String::new()
    } else {
        let s = if targets.len() == 1 { "" } else { "s" };
        format!(
            " (target{s} {})",
            targets
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "{what} has no `DeadLetterConfig`{t}: an event that cannot be delivered (the target throttles, is missing or refuses the call), after up to 24 hours of retries, is dropped"
    )
}

/// Is a dead-letter queue configured (or computed: not judged) on a target / event?
fn has_dlq(tpl: &Template, map: Option<NodeId>) -> bool {
    let doc = &tpl.doc;
    let Some(d) = map.and_then(|m| doc.get(m, "DeadLetterConfig")) else {
        return false;
    };
    doc.intrinsic(d).is_some()
        || doc.as_map(d).is_none()
        || doc.get(d, "Arn").is_some()
        || doc.get(d, "Type").is_some()
}

const SAM_TYPES: &[&str] = &[
    "EventBridgeRule",
    "Schedule",
    "ScheduleV2",
    "CloudWatchEvent",
];

/// A dead-letter queue for the targets `targets` of the `AWS::Events::Rule` `rule`: the queue,
/// `DeadLetterConfig.Arn` on each target, and a queue policy letting EventBridge send to it
/// for this rule only.
fn add_rule_dlq(e: &mut Editor<'_>, rule: &Resource, targets: &[NodeId]) -> Option<()> {
    let q = aws::add_service_queue(
        e,
        &format!("{}{}", rule.id, e.style.dlq_suffix),
        false,
        "events.amazonaws.com",
        Val::get_att(&rule.id, "Arn"),
    )?;
    for t in targets {
        e.insert(
            *t,
            &["DeadLetterConfig"],
            Val::map([("Arn", Val::get_att(&q, "Arn"))]),
        )?;
    }
    Some(())
}

impl Rule for RuleTargetWithoutDeadLetterQueue {
    fn code(&self) -> &'static str {
        "EVB001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let tpl = &cx.app.tpl;
        let doc = &tpl.doc;
        for r in tpl.resources.values() {
            match r.type_.as_str() {
                "AWS::Events::Rule" => {
                    let Some(targets) = tpl.prop(r, "Targets").and_then(|n| doc.as_seq(n)) else {
                        continue;
                    };
                    let missing_nodes: Vec<NodeId> = targets
                        .iter()
                        .filter(|t| doc.as_map(**t).is_some() && doc.intrinsic(**t).is_none())
                        .filter(|t| !has_dlq(tpl, Some(**t)))
                        .copied()
                        .collect();
                    let missing: Vec<String> = missing_nodes
                        .iter()
                        .map(|t| {
                            doc.get(*t, "Id")
                                .and_then(|n| doc.scalar_text(n))
                                .unwrap_or_else(|| "?".into())
                        })
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    // Unsafe: adds a queue and its policy.
                    let fix = cx.fix(
                        format!("Add a dead-letter queue for the targets of `{}`", r.id),
                        Applicability::Unsafe,
                        |e| add_rule_dlq(e, r, &missing_nodes),
                    );
                    cx.emit(
                        Report::new(r.key_span, message(&format!("EventBridge rule `{}`", r.id), &missing))
                            .resource(&r.id)
                            .path(&["Targets"])
                            .help("add `DeadLetterConfig: {Arn: !GetAtt RuleDLQ.Arn}` to each target, with an SQS queue whose policy lets `events.amazonaws.com` send to it (and a `RetryPolicy` if 24 hours is too long)")
                            .fix(fix),
                    );
                }
                "AWS::Scheduler::Schedule" => {
                    let target = tpl.prop(r, "Target");
                    if target.is_none() || has_dlq(tpl, target) {
                        continue;
                    }
                    cx.emit(
                        Report::new(
                            r.key_span,
                            message(&format!("EventBridge Scheduler schedule `{}`", r.id), &[]),
                        )
                        .resource(&r.id)
                        .path(&["Target", "DeadLetterConfig"])
                        .help("add `DeadLetterConfig: {Arn: !GetAtt ScheduleDLQ.Arn}` to `Target`, with an SQS queue the schedule's role may send to"),
                    );
                }
                "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
                    let Some(events) = tpl.prop(r, "Events").and_then(|n| doc.as_map(n)) else {
                        continue;
                    };
                    for (name, key_span, ev) in events.iter() {
                        let kind = doc
                            .get(ev, "Type")
                            .and_then(|t| doc.as_str(t))
                            .unwrap_or("");
                        if !SAM_TYPES.contains(&kind) {
                            continue;
                        }
                        let props = doc.get(ev, "Properties");
                        if has_dlq(tpl, props) {
                            continue;
                        }
                        let help = if kind == "CloudWatchEvent" {
                            "use an `EventBridgeRule` event instead (`CloudWatchEvent` has no `DeadLetterConfig`) with `DeadLetterConfig: {Type: SQS}`".to_string()
                        } else {
                            format!(
                                "add `DeadLetterConfig: {{Type: SQS}}` (SAM creates the queue) or `{{Arn: !GetAtt {name}DLQ.Arn}}` to the event's `Properties`"
                            )
                        };
                        // SAM creates the queue and its policy (not for `CloudWatchEvent`).
                        let fix = (kind != "CloudWatchEvent")
                            .then(|| {
                                cx.fix(
                                    format!("Set `DeadLetterConfig: {{Type: SQS}}` on the event `{name}` of `{}`", r.id),
                                    Applicability::Unsafe,
                                    |e| {
                                        e.insert(
                                            ev,
                                            &["Properties", "DeadLetterConfig"],
                                            Val::map([("Type", Val::str("SQS"))]),
                                        )
                                    },
                                )
                            })
                            .flatten();
                        cx.emit(
                            Report::new(
                                key_span,
                                message(&format!("`{kind}` event `{name}` of `{}`", r.id), &[]),
                            )
                            .resource(&r.id)
                            .path(&["Events", name, "Properties", "DeadLetterConfig"])
                            .help(help)
                            .fix(fix),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
