//! SNS001 subscription-without-redrive-policy.

use crate::fix::{Applicability, Editor, Val, aws};
use crate::load::NodeId;
use crate::model::Known;
use crate::rule::{Context, Report, Rule};

pub struct SubscriptionWithoutRedrivePolicy;

pub fn message(what: &str, topic: Option<&str>, protocol: Option<&str>) -> String {
    let topic = topic
        .map(|t| format!(" to topic `{t}`"))
        .unwrap_or_default();
    let protocol = protocol.map(|p| format!(" ({p})")).unwrap_or_default();
    format!(
        "{what}{topic}{protocol} has no `RedrivePolicy`: a message SNS cannot deliver (the endpoint is gone, its policy refuses SNS, or the retries run out) is dropped"
    )
}

const HELP: &str = "add `RedrivePolicy: {deadLetterTargetArn: !GetAtt SubscriptionDLQ.Arn}` with an SQS queue whose policy lets `sns.amazonaws.com` send to it";

/// A dead-letter queue for a subscription to the topic `topic` of the template (FIFO for a FIFO
/// topic), its policy for SNS, and `RedrivePolicy` inserted under `map` at `path`. `None` when
/// the topic is not a template topic or its `FifoTopic` is computed.
fn add_subscription_dlq(
    e: &mut Editor<'_>,
    topic: &str,
    base: &str,
    map: NodeId,
    path: &[&str],
) -> Option<()> {
    let tpl = e.tpl;
    let t = tpl
        .resource(topic)
        .filter(|t| t.type_ == "AWS::SNS::Topic")?;
    let fifo = match tpl.prop(t, "FifoTopic").map(|n| tpl.boolean(n)) {
        None => false,
        Some(Known::Yes(b)) => b,
        Some(Known::Unknown(_)) => return None,
    };
    let q = aws::add_service_queue(
        e,
        &format!("{base}{}", e.style.dlq_suffix),
        fifo,
        "sns.amazonaws.com",
        Val::Ref(topic.to_string()),
    )?;
    e.insert(
        map,
        path,
        Val::map([("deadLetterTargetArn", Val::get_att(&q, "Arn"))]),
    )
}

impl Rule for SubscriptionWithoutRedrivePolicy {
    fn code(&self) -> &'static str {
        "SNS001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        for r in tpl.resources_of("AWS::SNS::Subscription") {
            let Some(props) = r.properties else { continue };
            if doc.get(props, "RedrivePolicy").is_some() {
                continue;
            }
            let topic = doc.get(props, "TopicArn").and_then(|n| tpl.ref_resource(n));
            let protocol = doc
                .get(props, "Protocol")
                .and_then(|n| tpl.string(n).known());
            // Unsafe: adds a queue and its policy.
            let fix = topic.and_then(|t| {
                cx.fix(
                    format!(
                        "Add a dead-letter queue and a `RedrivePolicy` to `{}`",
                        r.id
                    ),
                    Applicability::Unsafe,
                    |e| add_subscription_dlq(e, t, &r.id, r.node, &["Properties", "RedrivePolicy"]),
                )
            });
            cx.emit(
                Report::new(
                    r.key_span,
                    message(
                        &format!("subscription `{}`", r.id),
                        topic,
                        protocol.as_deref(),
                    ),
                )
                .resource(&r.id)
                .path(&["RedrivePolicy"])
                .help(HELP)
                .fix(fix),
            );
        }
        // Subscriptions written in the topic cannot have a redrive policy.
        for r in tpl.resources_of("AWS::SNS::Topic") {
            let Some(subs) = tpl.prop(r, "Subscription").and_then(|n| doc.as_seq(n)) else {
                continue;
            };
            for (i, s) in subs.iter().enumerate() {
                let protocol = doc.get(*s, "Protocol").and_then(|n| tpl.string(n).known());
                cx.emit(
                    Report::new(
                        doc.span(*s),
                        message(
                            &format!("subscription {} of topic `{}`", i + 1, r.id),
                            None,
                            protocol.as_deref(),
                        ),
                    )
                    .resource(&r.id)
                    .path(&["Subscription", &i.to_string()])
                    .help("move the subscription to an `AWS::SNS::Subscription` (a subscription inside `AWS::SNS::Topic` cannot have a redrive policy) with `RedrivePolicy: {deadLetterTargetArn: ...}`"),
                );
            }
        }
        // SAM `SNS` events.
        for e in &app.events {
            let Some(name) = &e.name else { continue };
            if e.kind != "SNS" {
                continue;
            }
            if e.props
                .is_some_and(|p| doc.get(p, "RedrivePolicy").is_some())
            {
                continue;
            }
            let sqs = e
                .props
                .and_then(|p| doc.get(p, "SqsSubscription"))
                .is_some_and(|n| tpl.boolean(n).known() != Some(false));
            let ev = tpl
                .resource(&e.function)
                .and_then(|r| tpl.prop(r, "Events"))
                .and_then(|evs| doc.get(evs, name));
            let fix = e.source.as_deref().zip(ev).and_then(|(t, ev)| {
                cx.fix(
                    format!("Add a dead-letter queue and a `RedrivePolicy` to the `SNS` event `{name}` of `{}`", e.function),
                    Applicability::Unsafe,
                    |ed| {
                        add_subscription_dlq(
                            ed,
                            t,
                            &format!("{}{name}", e.function),
                            ev,
                            &["Properties", "RedrivePolicy"],
                        )
                    },
                )
            });
            cx.emit(
                Report::new(
                    e.span,
                    message(
                        &format!("the subscription of `SNS` event `{name}` of function `{}`", e.function),
                        e.source.as_deref(),
                        Some(if sqs { "sqs" } else { "lambda" }),
                    ),
                )
                .resource(&e.function)
                .path(&["Events", name, "Properties", "RedrivePolicy"])
                .help("add `RedrivePolicy: {deadLetterTargetArn: !GetAtt SubscriptionDLQ.Arn}` to the event's `Properties`, with an SQS queue whose policy lets `sns.amazonaws.com` send to it")
                .fix(fix),
            );
        }
    }
}
