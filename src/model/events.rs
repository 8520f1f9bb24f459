//! Event sources of functions, each with its invocation mode.

use crate::load::NodeId;
use crate::model::function::Function;
use crate::model::template::{Target, Template};
use crate::source::Span;

/// How Lambda is invoked by a source: this decides which failure handling applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// The caller waits (API Gateway, ALB, function URL, Cognito, Alexa, Lex): errors go back to it.
    Sync,
    /// Lambda queues the event (S3, SNS, EventBridge, schedules, IoT, logs): retried twice, then lost
    /// unless a DLQ or an OnFailure destination is configured.
    Async,
    /// A poller reads shards in order (Kinesis, DynamoDB Streams, Kafka): a failing batch blocks.
    Stream,
    /// A poller reads SQS: failures return to the queue and follow its redrive policy.
    Queue,
    /// An event source mapping we cannot classify (e.g. its ARN is a parameter).
    Unknown,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sync => "sync",
            Mode::Async => "async",
            Mode::Stream => "stream",
            Mode::Queue => "queue",
            Mode::Unknown => "unknown",
        }
    }
}

/// One way a function gets invoked.
#[derive(Debug, Clone)]
pub struct EventSource {
    /// Logical id of the invoked function.
    pub function: String,
    pub mode: Mode,
    /// SAM event type (`SQS`, `S3`, ...) or the CloudFormation resource type that declares it.
    pub kind: String,
    /// Logical id of the resource that declares the invocation (the SAM function for `Events`).
    pub declared_in: String,
    /// SAM event name (key under `Events`).
    pub name: Option<String>,
    /// Node of the declaration (SAM event map, mapping resource, permission, target...).
    pub node: NodeId,
    /// Span to report at (the event name key, or the resource key).
    pub span: Span,
    /// Properties map of the event / mapping, when there is one.
    pub props: Option<NodeId>,
    /// The queue, stream, topic, bucket... it comes from, when in this template.
    pub source: Option<String>,
}

/// The functions each SQS queue of the template (an `AWS::SQS::Queue` resource) feeds, from the
/// queue events `keep` accepts, queues and functions in order of appearance. A set per queue:
/// one queue can feed thousands of functions.
pub fn queue_consumers<'a>(
    tpl: &Template,
    events: &'a [EventSource],
    keep: impl Fn(&EventSource) -> bool,
) -> indexmap::IndexMap<&'a str, indexmap::IndexSet<&'a str>> {
    let mut consumers: indexmap::IndexMap<&str, indexmap::IndexSet<&str>> =
        indexmap::IndexMap::new();
    for e in events.iter().filter(|e| e.mode == Mode::Queue && keep(e)) {
        let Some(q) = e.source.as_deref() else {
            continue;
        };
        if tpl
            .resource(q)
            .is_some_and(|r| r.type_ == "AWS::SQS::Queue")
        {
            consumers.entry(q).or_default().insert(&e.function);
        }
    }
    consumers
}

/// Mode of a SAM event type.
pub fn sam_event_mode(kind: &str) -> Mode {
    match kind {
        "Api" | "HttpApi" | "AlexaSkill" | "Cognito" => Mode::Sync,
        "S3" | "SNS" | "EventBridgeRule" | "CloudWatchEvent" | "Schedule" | "ScheduleV2"
        | "IoTRule" | "CloudWatchLogs" => Mode::Async,
        "Kinesis" | "DynamoDB" | "MSK" | "SelfManagedKafka" | "DocumentDB" => Mode::Stream,
        "SQS" | "MQ" => Mode::Queue,
        _ => Mode::Unknown,
    }
}

/// Mode of an event source mapping from the type of the resource its ARN points at.
fn mapping_mode_from_type(t: &str) -> Mode {
    match t {
        "AWS::SQS::Queue" => Mode::Queue,
        "AWS::Kinesis::Stream"
        | "AWS::DynamoDB::Table"
        | "AWS::DynamoDB::GlobalTable"
        | "AWS::MSK::Cluster"
        | "AWS::MSK::ServerlessCluster"
        | "AWS::KinesisAnalyticsV2::Application" => Mode::Stream,
        "AWS::AmazonMQ::Broker" => Mode::Queue,
        "AWS::DocDB::DBCluster" => Mode::Stream,
        _ => Mode::Unknown,
    }
}

/// Mode from an ARN string (`arn:aws:sqs:...`, `arn:${AWS::Partition}:kinesis:...`).
pub fn mode_from_arn(arn: &str) -> Mode {
    let service = arn.split(':').nth(2).unwrap_or("");
    match service {
        "sqs" => Mode::Queue,
        "kinesis" | "dynamodb" | "kafka" => Mode::Stream,
        "mq" => Mode::Queue,
        _ => Mode::Unknown,
    }
}

/// Mode of a `Lambda::Permission` by its service principal.
pub fn principal_mode(principal: &str) -> Mode {
    let svc = principal.split('.').next().unwrap_or("");
    match svc {
        "s3" | "sns" | "events" | "iot" | "logs" | "ses" | "codecommit" | "cloudformation"
        | "config" | "scheduler" | "cloudwatch" | "iotevents" | "s3-object-lambda" => {
            if svc == "s3-object-lambda" {
                Mode::Sync
            } else {
                Mode::Async
            }
        }
        "apigateway"
        | "elasticloadbalancing"
        | "cognito-idp"
        | "lex"
        | "alexa-appkit"
        | "alexa-connectedhome"
        | "secretsmanager"
        | "cloudfront"
        | "edgelambda"
        | "appsync" => Mode::Sync,
        _ => Mode::Unknown,
    }
}

/// Collect every invocation of every function in the template.
pub fn collect(
    tpl: &Template,
    functions: &indexmap::IndexMap<String, Function>,
) -> Vec<EventSource> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    // SAM `Events`.
    for f in functions.values() {
        let Some(events) = f.sam_events(tpl).and_then(|e| doc.as_map(e)) else {
            continue;
        };
        for (name, key_span, ev) in events.iter() {
            let kind = doc
                .get(ev, "Type")
                .and_then(|t| doc.as_str(t))
                .unwrap_or("");
            let props = doc
                .get(ev, "Properties")
                .filter(|p| doc.as_map(*p).is_some());
            let source_key = match kind {
                "SQS" => Some("Queue"),
                "Kinesis" | "DynamoDB" | "MSK" => Some("Stream"),
                "DocumentDB" => Some("Cluster"),
                "SNS" => Some("Topic"),
                "S3" => Some("Bucket"),
                "MQ" => Some("Broker"),
                _ => None,
            };
            let source = source_key
                .and_then(|k| props.and_then(|p| doc.get(p, k)))
                .and_then(|n| tpl.ref_resource(n))
                .map(str::to_string);
            out.push(EventSource {
                function: f.id.clone(),
                mode: sam_event_mode(kind),
                kind: kind.to_string(),
                declared_in: f.id.clone(),
                name: Some(name.to_string()),
                node: ev,
                span: key_span,
                props,
                source,
            });
        }
    }
    let func_of = |node: Option<NodeId>| -> Option<String> {
        let id = tpl.ref_resource(node?)?;
        functions.contains_key(id).then(|| id.to_string())
    };
    for r in tpl.resources.values() {
        let props = r.properties;
        let p = |k: &str| props.and_then(|n| doc.get(n, k));
        let mut push =
            |function: String, mode: Mode, node: NodeId, span: Span, source: Option<String>| {
                out.push(EventSource {
                    function,
                    mode,
                    kind: r.type_.clone(),
                    declared_in: r.id.clone(),
                    name: None,
                    node,
                    span,
                    props,
                    source,
                });
            };
        match r.type_.as_str() {
            "AWS::Lambda::EventSourceMapping" => {
                let Some(function) = func_of(p("FunctionName")) else {
                    continue;
                };
                let arn = p("EventSourceArn");
                let (mode, source) = match arn.map(|a| tpl.target(a)) {
                    Some(Target::Resource { id, .. }) => {
                        let t = tpl.resource(&id).map_or("", |x| x.type_.as_str());
                        (mapping_mode_from_type(t), Some(id))
                    }
                    Some(Target::Literal(s)) => (mode_from_arn(&s), None),
                    _ if p("SelfManagedEventSource").is_some() => (Mode::Stream, None),
                    _ => (Mode::Unknown, None),
                };
                push(function, mode, r.node, r.key_span, source);
            }
            "AWS::Lambda::Permission" => {
                let Some(function) = func_of(p("FunctionName")) else {
                    continue;
                };
                let Some(principal) = p("Principal").and_then(|n| tpl.string(n).known()) else {
                    continue;
                };
                let mode = principal_mode(&principal);
                let source = p("SourceArn")
                    .and_then(|n| tpl.ref_resource(n))
                    .map(str::to_string);
                push(function, mode, r.node, r.key_span, source);
            }
            "AWS::SNS::Subscription" => {
                let proto = p("Protocol").and_then(|n| tpl.string(n).known());
                if proto.as_deref() != Some("lambda") {
                    continue;
                }
                let Some(function) = func_of(p("Endpoint")) else {
                    continue;
                };
                let source = p("TopicArn")
                    .and_then(|n| tpl.ref_resource(n))
                    .map(str::to_string);
                push(function, Mode::Async, r.node, r.key_span, source);
            }
            "AWS::SNS::Topic" => {
                for s in p("Subscription")
                    .map(|n| doc.one_or_many(n))
                    .unwrap_or_default()
                {
                    let proto = doc.get(s, "Protocol").and_then(|n| tpl.string(n).known());
                    if proto.as_deref() != Some("lambda") {
                        continue;
                    }
                    if let Some(function) = func_of(doc.get(s, "Endpoint")) {
                        push(function, Mode::Async, s, doc.span(s), Some(r.id.clone()));
                    }
                }
            }
            "AWS::Events::Rule" => {
                for t in p("Targets").map(|n| doc.one_or_many(n)).unwrap_or_default() {
                    if let Some(function) = func_of(doc.get(t, "Arn")) {
                        push(function, Mode::Async, t, doc.span(t), Some(r.id.clone()));
                    }
                }
            }
            "AWS::Scheduler::Schedule" => {
                if let Some(t) = p("Target")
                    && let Some(function) = func_of(doc.get(t, "Arn"))
                {
                    push(function, Mode::Async, t, doc.span(t), Some(r.id.clone()));
                }
            }
            "AWS::S3::Bucket" => {
                let confs = p("NotificationConfiguration")
                    .and_then(|n| doc.get(n, "LambdaConfigurations"))
                    .map(|n| doc.one_or_many(n))
                    .unwrap_or_default();
                for c in confs {
                    if let Some(function) = func_of(doc.get(c, "Function")) {
                        push(function, Mode::Async, c, doc.span(c), Some(r.id.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
