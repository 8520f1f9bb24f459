//! SQS002 dlq-retention-too-short.

use crate::fix::{Applicability, Val, aws::FAILURE_RETENTION};
use crate::model::{Known, Resource, Template};
use crate::rule::{Context, Report, Rule};

pub struct DlqRetentionTooShort;

/// The SQS default `MessageRetentionPeriod` (4 days).
pub const DEFAULT_RETENTION: f64 = 345_600.0;

fn retention_text(secs: f64, default: bool) -> String {
    let days = secs / 86_400.0;
    let d = if days == 1.0 {
        "1 day".to_string()
    } else if days.fract() == 0.0 {
        format!("{days} days")
    } else {
        format!("{secs} s")
    };
    if default {
        format!("{d}, the default")
    } else {
        d
    }
}

pub fn message(dlq: &str, dlq_ret: (f64, bool), queue: &str, queue_ret: (f64, bool)) -> String {
    format!(
        "dead-letter queue `{dlq}` keeps messages for {}: {} its source queue `{queue}` ({}); a moved message keeps its original enqueue time, so it expires from `{dlq}` when it would have expired from `{queue}`, possibly right after the move",
        retention_text(dlq_ret.0, dlq_ret.1),
        if dlq_ret.0 < queue_ret.0 {
            "less than"
        } else {
            "no longer than"
        },
        retention_text(queue_ret.0, queue_ret.1)
    )
}

/// `MessageRetentionPeriod` of a queue: (seconds, is the default), or `None` when computed.
fn retention(tpl: &Template, q: &Resource) -> Option<(f64, bool)> {
    match tpl.prop(q, "MessageRetentionPeriod").map(|n| tpl.number(n)) {
        None => Some((DEFAULT_RETENTION, true)),
        Some(Known::Yes(v)) => Some((v, false)),
        Some(Known::Unknown(_)) => None,
    }
}

fn is_fifo(tpl: &Template, q: &Resource) -> Option<bool> {
    match tpl.prop(q, "FifoQueue").map(|n| tpl.boolean(n)) {
        None => Some(false),
        Some(Known::Yes(b)) => Some(b),
        Some(Known::Unknown(_)) => None,
    }
}

impl Rule for DlqRetentionTooShort {
    fn code(&self) -> &'static str {
        "SQS002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let tpl = &cx.app.tpl;
        let doc = &tpl.doc;
        for q in tpl.resources_of("AWS::SQS::Queue") {
            let Some(rp) = tpl.prop(q, "RedrivePolicy") else {
                continue;
            };
            let Some(target) = doc.get(rp, "deadLetterTargetArn") else {
                continue;
            };
            let Some(dlq) = tpl
                .ref_resource(target)
                .and_then(|id| tpl.resource(id))
                .filter(|r| r.type_ == "AWS::SQS::Queue")
            else {
                continue;
            };
            // FIFO dead-letter queues reset the enqueue time of moved messages.
            if is_fifo(tpl, dlq) != Some(false) {
                continue;
            }
            let (Some(dr), Some(qr)) = (retention(tpl, dlq), retention(tpl, q)) else {
                continue;
            };
            if dr.0 > qr.0 {
                continue;
            }
            let span = tpl
                .prop(dlq, "MessageRetentionPeriod")
                .and(dlq.properties)
                .and_then(|p| tpl.key_span(p, "MessageRetentionPeriod"))
                .unwrap_or(dlq.key_span);
            // 14 days, the maximum: only a source queue keeping messages for less can be fixed.
            // Unsafe: the dead-letter queue keeps its messages longer.
            let fix = (qr.0 < FAILURE_RETENTION as f64)
                .then(|| {
                    cx.fix(
                        format!(
                            "Set `MessageRetentionPeriod: {FAILURE_RETENTION}` (14 days) on `{}`",
                            dlq.id
                        ),
                        Applicability::Unsafe,
                        |e| {
                            e.upsert(
                                dlq.node,
                                &["Properties", "MessageRetentionPeriod"],
                                Val::Int(FAILURE_RETENTION),
                            )
                        },
                    )
                })
                .flatten();
            cx.emit(
                Report::new(span, message(&dlq.id, dr, &q.id, qr))
                    .resource(&dlq.id)
                    .path(&["MessageRetentionPeriod"])
                    .help(format!(
                        "set `MessageRetentionPeriod: 1209600` (14 days, the maximum) on `{}`, or at least longer than the {} s of `{}`",
                        dlq.id, qr.0, q.id
                    ))
                    .fix(fix),
            );
        }
    }
}
