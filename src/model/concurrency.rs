//! How far a function's concurrency can grow: reserved concurrency, and whether something that
//! invokes it scales with traffic (API calls, uncapped SQS pollers, notifications) or is bounded
//! by its nature (schedules, stream shards, `MaximumConcurrency`).

use crate::load::NodeId;
use crate::model::network::FunctionLinks;
use crate::model::{App, EventSource, Function, Known, Mode};

/// `ScalingConfig.MaximumConcurrency` of an SQS event / event source mapping.
pub fn max_concurrency(app: &App, e: &EventSource) -> Option<NodeId> {
    let doc = &app.tpl.doc;
    doc.get_path(e.props?, &["ScalingConfig", "MaximumConcurrency"])
}

/// An SQS poller (not Amazon MQ).
pub fn is_sqs(app: &App, e: &EventSource) -> bool {
    e.kind == "SQS"
        || (e.kind == "AWS::Lambda::EventSourceMapping"
            && e.source
                .as_deref()
                .and_then(|s| app.tpl.resource(s))
                .is_none_or(|r| r.type_ == "AWS::SQS::Queue"))
}

/// Is this invocation's concurrency bounded by its nature (schedules, shards, capped pollers),
/// `None` when unknown?
pub fn bounded(app: &App, e: &EventSource) -> Option<bool> {
    let tpl = &app.tpl;
    if max_concurrency(app, e).is_some() {
        return Some(true);
    }
    match e.mode {
        Mode::Stream => Some(true),
        Mode::Queue => Some(!is_sqs(app, e)),
        // Secrets Manager invokes rotation functions a few times per rotation.
        Mode::Sync if e.kind == "AWS::Lambda::Permission" => {
            let principal = e
                .props
                .and_then(|p| tpl.doc.get(p, "Principal"))
                .and_then(|n| tpl.string(n).known())
                .unwrap_or_default();
            Some(principal.starts_with("secretsmanager"))
        }
        Mode::Sync => Some(false),
        Mode::Async => {
            if matches!(
                e.kind.as_str(),
                "Schedule" | "ScheduleV2" | "AWS::Scheduler::Schedule"
            ) {
                return Some(true);
            }
            // A rule (or the permission for one) that runs on a schedule.
            let rule = if e.kind == "AWS::Events::Rule" {
                Some(e.declared_in.as_str())
            } else {
                e.source.as_deref()
            };
            let scheduled = rule
                .and_then(|r| tpl.resource(r))
                .filter(|r| r.type_ == "AWS::Events::Rule" || r.type_ == "AWS::Scheduler::Schedule")
                .is_some_and(|r| {
                    r.type_ == "AWS::Scheduler::Schedule"
                        || tpl.prop(r, "ScheduleExpression").is_some()
                });
            Some(scheduled)
        }
        Mode::Unknown => None,
    }
}

/// "`Api` event (HttpApi)", "SQS source `Jobs`", "`AWS::Lambda::Permission` `P`".
pub fn describe(e: &EventSource) -> String {
    if let Some(n) = &e.name {
        return format!("`{n}` event (`{}`)", e.kind);
    }
    let what = match e.kind.as_str() {
        "AWS::S3::Bucket" => "S3 notification from",
        "AWS::Lambda::Permission" => "invoke permission",
        "AWS::Events::Rule" => "EventBridge rule",
        "AWS::SNS::Subscription" => "SNS subscription",
        "AWS::SNS::Topic" => "SNS subscription of",
        "AWS::Lambda::EventSourceMapping" => "event source mapping",
        _ => "invocation by",
    };
    format!("{what} `{}`", e.declared_in)
}

/// Is the function the rotation function of an `AWS::SecretsManager::RotationSchedule`?
pub fn rotates_secrets(app: &App, f: &Function) -> bool {
    let tpl = &app.tpl;
    tpl.resources_of("AWS::SecretsManager::RotationSchedule")
        .filter_map(|r| tpl.prop(r, "RotationLambdaARN"))
        .any(|n| tpl.ref_resource(n) == Some(f.id.as_str()))
}

/// What lets the function's concurrency grow with traffic: `None` when every invocation in the
/// template is bounded (or it only backs custom resources / secret rotation); `Some(None)` when
/// the template shows no invocation at all (nothing bounds it); `Some(Some(t))`: the trigger.
pub fn unbounded_trigger(app: &App, links: &FunctionLinks, f: &Function) -> Option<Option<String>> {
    let events: Vec<&EventSource> = app.events_of(&f.id).collect();
    if events.is_empty() {
        return (links.custom_resources_of(&f.id).is_empty() && !rotates_secrets(app, f))
            .then_some(None);
    }
    events
        .iter()
        .find(|e| bounded(app, e) == Some(false))
        .map(|e| Some(describe(e)))
}

/// `ReservedConcurrentExecutions` of a function (Globals-aware): `None` when not set.
pub fn reserved(app: &App, f: &Function) -> Option<Known<f64>> {
    let p = f.prop(&app.tpl, "ReservedConcurrentExecutions")?;
    Some(app.tpl.number(p.node))
}
