//! LMB002 stream-source-without-failure-destination.

use crate::load::NodeId;
use crate::model::{App, EventSource, Known, Mode, Target};
use crate::rule::{Context, Report, Rule};

pub struct StreamSourceWithoutFailureDestination;

/// `function`: how the invoked function is named (`function `Processor``); `bound`: the retry limit
/// the source sets (`MaximumRetryAttempts: 2`), if any; `kafka`: a Kafka source (Lambda caps its
/// retries once an OnFailure destination is set, so the retry settings are not the other half of
/// the problem, as they are for Kinesis and DynamoDB streams: LMB003).
pub fn message(function: &str, source: &str, bound: Option<&str>, kafka: bool) -> String {
    match bound {
        Some(b) => format!(
            "{source} of {function} has no `DestinationConfig.OnFailure`: the records of a batch that still fails after `{b}` are discarded without a trace"
        ),
        None if kafka => format!(
            "{source} of {function} has no `DestinationConfig.OnFailure`: a batch that keeps failing blocks its shard or partition until the records expire, and is then lost"
        ),
        None => format!(
            "{source} of {function} has no `DestinationConfig.OnFailure` and no retry limit (`MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`): a batch that keeps failing blocks its shard until the records expire, and is then lost"
        ),
    }
}

/// Does a stream source read Kafka (MSK, self-managed)?
pub(crate) fn is_kafka(app: &App, e_kind: &str, props: Option<NodeId>) -> bool {
    if matches!(e_kind, "MSK" | "SelfManagedKafka") {
        return true;
    }
    let Some(props) = props else { return false };
    let tpl = &app.tpl;
    match tpl.doc.get(props, "EventSourceArn").map(|a| tpl.target(a)) {
        Some(Target::Resource { id, .. }) => tpl.resource(&id).is_some_and(|r| {
            matches!(
                r.type_.as_str(),
                "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster"
            )
        }),
        Some(Target::Literal(s)) => s.split(':').nth(2) == Some("kafka"),
        _ => tpl.doc.get(props, "SelfManagedEventSource").is_some(),
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

/// Does an `AWS::Lambda::EventSourceMapping` read a Kinesis stream, a DynamoDB stream or a Kafka
/// cluster (not SQS, MQ or DocumentDB)?
pub(crate) fn mapping_reads_stream(app: &App, props: NodeId) -> bool {
    let tpl = &app.tpl;
    match tpl.doc.get(props, "EventSourceArn").map(|a| tpl.target(a)) {
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
    }
}

/// A Kinesis, DynamoDB Streams or Kafka source (not SQS, MQ or DocumentDB): its name for messages.
pub(crate) fn stream_kind(app: &App, e: &EventSource) -> Option<String> {
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
    mapping_reads_stream(app, e.props?).then(|| format!("event source mapping `{}`", e.declared_in))
}

/// Is a failure destination configured (or computed, so not judged) in these properties?
pub(crate) fn has_destination(app: &App, props: Option<NodeId>) -> bool {
    let doc = &app.tpl.doc;
    let Some(d) = props.and_then(|p| doc.get(p, "DestinationConfig")) else {
        return false;
    };
    // Present with OnFailure, or computed (`Fn::If`): not a finding.
    doc.get(d, "OnFailure").is_some() || doc.as_map(d).is_none() || doc.intrinsic(d).is_some()
}

const HELP_SAM: &str = "add `DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecordsQueue.Arn}}` to the event's `Properties`, with `MaximumRetryAttempts` (and `BisectBatchOnFunctionError: true`) so a poison record is retried a bounded number of times and then sent there";
const HELP_MAPPING: &str = "add `DestinationConfig: {OnFailure: {Destination: !GetAtt FailedRecordsQueue.Arn}}` to the mapping, with `MaximumRetryAttempts` (and `BisectBatchOnFunctionError: true`) so a poison record is retried a bounded number of times and then sent there";

impl Rule for StreamSourceWithoutFailureDestination {
    fn code(&self) -> &'static str {
        "LMB002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for e in &app.events {
            let Some(what) = stream_kind(app, e) else {
                continue;
            };
            if has_destination(app, e.props) {
                continue;
            }
            let help = match app.tpl.dialect().say("DestinationConfig.OnFailure") {
                Some(how) => format!(
                    "add {how}, with {} (and {}) so a poison record is retried a bounded number of times and then sent there",
                    app.tpl
                        .dialect()
                        .say("MaximumRetryAttempts")
                        .unwrap_or("`MaximumRetryAttempts`"),
                    app.tpl
                        .dialect()
                        .say("BisectBatchOnFunctionError")
                        .unwrap_or("`BisectBatchOnFunctionError: true`")
                ),
                None if e.name.is_some() => HELP_SAM.to_string(),
                None => HELP_MAPPING.to_string(),
            };
            cx.emit(
                Report::new(
                    e.span,
                    message(
                        &format!("function `{}`", e.function),
                        &what,
                        e.props.and_then(|p| retry_bound(app, p)).as_deref(),
                        is_kafka(app, &e.kind, e.props),
                    ),
                )
                .resource(&e.declared_in)
                .path(&["DestinationConfig", "OnFailure"])
                .help(help),
            );
        }
        // Mappings of a function defined elsewhere (a name, an ARN, a parameter, an import): the
        // mapping alone decides.
        let declared: std::collections::HashSet<&str> =
            app.events.iter().map(|e| e.declared_in.as_str()).collect();
        for r in tpl.resources_of("AWS::Lambda::EventSourceMapping") {
            if declared.contains(r.id.as_str()) {
                continue;
            }
            let Some(props) = r.properties else { continue };
            let Some(name) = tpl.doc.get(props, "FunctionName") else {
                continue;
            };
            if !mapping_reads_stream(app, props) || has_destination(app, Some(props)) {
                continue;
            }
            let function = match tpl.target(name) {
                Target::Literal(s) => format!("function `{s}`"),
                Target::Parameter(p) => format!("the function named by parameter `{p}`"),
                Target::Resource { id, .. } => format!("`{id}`"),
                Target::Unknown(_) => "a function outside the template".to_string(),
            };
            cx.emit(
                Report::new(
                    r.key_span,
                    message(
                        &function,
                        &format!("event source mapping `{}`", r.id),
                        retry_bound(app, props).as_deref(),
                        is_kafka(app, &r.type_, Some(props)),
                    ),
                )
                .resource(&r.id)
                .path(&["DestinationConfig", "OnFailure"])
                .help(HELP_MAPPING),
            );
        }
    }
}
