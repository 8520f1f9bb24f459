//! LMB002 stream-source-without-failure-destination.

use crate::load::NodeId;
use crate::model::{App, EventSource, Known, Mode, Target};
use crate::rule::{Context, Report, Rule};

pub struct StreamSourceWithoutFailureDestination;

/// `bound`: the retry limit the source sets (`MaximumRetryAttempts: 2`), if any.
pub fn message(function: &str, source: &str, bound: Option<&str>) -> String {
    match bound {
        Some(b) => format!(
            "{source} of function `{function}` has no `DestinationConfig.OnFailure`: the records of a batch that still fails after `{b}` are discarded without a trace"
        ),
        None => format!(
            "{source} of function `{function}` has no `DestinationConfig.OnFailure`: a batch that keeps failing blocks its shard or partition until the records expire, and is then lost"
        ),
    }
}

/// The retry limit of a source: `MaximumRetryAttempts` (not -1), else `MaximumRecordAgeInSeconds`
/// (not -1), as written. `None`: unbounded (the default) or unknown.
fn retry_bound(app: &App, props: NodeId) -> Option<String> {
    let tpl = &app.tpl;
    for key in ["MaximumRetryAttempts", "MaximumRecordAgeInSeconds"] {
        if let Some(n) = tpl.doc.get(props, key)
            && let Known::Yes(v) = tpl.number(n)
            && v >= 0.0
        {
            return Some(format!("{key}: {v}"));
        }
    }
    None
}

/// A Kinesis, DynamoDB Streams or Kafka source (not SQS, MQ or DocumentDB): its name for messages.
fn stream_kind(app: &App, e: &EventSource) -> Option<String> {
    let tpl = &app.tpl;
    if e.mode != Mode::Stream {
        return None;
    }
    if let Some(name) = &e.name {
        return matches!(
            e.kind.as_str(),
            "Kinesis" | "DynamoDB" | "MSK" | "SelfManagedKafka"
        )
        .then(|| format!("`{}` event `{name}`", e.kind));
    }
    if e.kind != "AWS::Lambda::EventSourceMapping" {
        return None;
    }
    let props = e.props?;
    let ok = match tpl.doc.get(props, "EventSourceArn").map(|a| tpl.target(a)) {
        Some(Target::Resource { id, .. }) => tpl.resource(&id).is_some_and(|r| {
            matches!(
                r.type_.as_str(),
                "AWS::Kinesis::Stream"
                    | "AWS::DynamoDB::Table"
                    | "AWS::DynamoDB::GlobalTable"
                    | "AWS::MSK::Cluster"
                    | "AWS::MSK::ServerlessCluster"
            )
        }),
        Some(Target::Literal(s)) => {
            matches!(s.split(':').nth(2), Some("kinesis" | "dynamodb" | "kafka"))
        }
        _ => tpl.doc.get(props, "SelfManagedEventSource").is_some(),
    };
    ok.then(|| format!("event source mapping `{}`", e.declared_in))
}

impl Rule for StreamSourceWithoutFailureDestination {
    fn code(&self) -> &'static str {
        "LMB002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let doc = &app.tpl.doc;
        for e in &app.events {
            let Some(what) = stream_kind(app, e) else {
                continue;
            };
            if let Some(props) = e.props
                && let Some(d) = doc.get(props, "DestinationConfig")
            {
                // Present with OnFailure, or computed (`Fn::If`): not a finding.
                if doc.get(d, "OnFailure").is_some() || doc.as_map(d).is_none() {
                    continue;
                }
                if doc.intrinsic(d).is_some() {
                    continue;
                }
            }
            let sam = e.name.is_some();
            let help = if sam {
                "add `DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecordsQueue.Arn}}` to the event's `Properties`, with `MaximumRetryAttempts` (and `BisectBatchOnFunctionError: true`) so a poison record is retried a bounded number of times and then sent there"
            } else {
                "add `DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecordsQueue.Arn}}` to the mapping, with `MaximumRetryAttempts` (and `BisectBatchOnFunctionError: true`) so a poison record is retried a bounded number of times and then sent there"
            };
            cx.emit(
                Report::new(
                    e.span,
                    message(
                        &e.function,
                        &what,
                        e.props.and_then(|p| retry_bound(app, p)).as_deref(),
                    ),
                )
                .resource(&e.declared_in)
                .path(&["DestinationConfig", "OnFailure"])
                .help(help),
            );
        }
    }
}
