//! Rules over handler source facts: LMB030, HDL001, HDL002, HDL003, HDL010, IAM005, IAM006.

use std::collections::BTreeSet;

use crate::graph::Edge;
use crate::handler::FunctionFacts;
use crate::handler::actions::Needs;
use crate::handler::facts::known_service;
use crate::model::Known;
use crate::model::function::RoleRef;
use crate::rule::{Context, Report, Rule};

fn each<'a>(cx: &Context<'a>) -> Vec<&'a FunctionFacts> {
    cx.handlers
        .map(|h| h.functions.values().collect())
        .unwrap_or_default()
}

pub struct FunctionOnlyForwards;
pub struct SdkClientCreatedInHandler;
pub struct ParameterFetchedPerInvocation;
pub struct DbConnectionPerInvocation;
pub struct HttpCallWithoutTimeout;
pub struct PermissionNotUsedByCode;
pub struct CodeCallsWithoutPermission;

pub fn message_lmb030(function: &str, action: &str) -> String {
    format!(
        "handler of `{function}` only passes the event to `{action}`: the function is a transport"
    )
}

/// The direct integration to use instead, from how the function is invoked.
fn integration(cx: &Context<'_>, function: &str, service: &str) -> String {
    let kinds: Vec<String> = cx
        .app
        .events
        .iter()
        .filter(|e| e.function == function)
        .map(|e| e.kind.clone())
        .collect();
    let target = if service == "states" {
        "the Step Functions SDK integration".to_string()
    } else {
        format!("`{service}`")
    };
    if kinds
        .iter()
        .any(|k| matches!(k.as_str(), "Api" | "HttpApi"))
    {
        format!(
            "integrate API Gateway with {target} directly (an AWS service integration) and delete the function"
        )
    } else if kinds
        .iter()
        .any(|k| matches!(k.as_str(), "SQS" | "Kinesis" | "DynamoDB" | "MSK"))
    {
        format!("use an EventBridge Pipe from the source to {target} and delete the function")
    } else if kinds.iter().any(|k| {
        matches!(
            k.as_str(),
            "EventBridgeRule" | "CloudWatchEvent" | "Schedule" | "ScheduleV2"
        )
    }) {
        format!(
            "make {target} the EventBridge rule or schedule target directly and delete the function"
        )
    } else {
        format!(
            "call {target} directly from the producer (API Gateway service integration, EventBridge Pipes or target, Step Functions SDK integration)"
        )
    }
}

impl Rule for FunctionOnlyForwards {
    fn code(&self) -> &'static str {
        "LMB030"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            let Some(fw) = &f.forward else { continue };
            let help = integration(cx, &f.function, &fw.call.service);
            let r = Report::new(fw.call.span, message_lmb030(&f.function, &fw.call.action()))
                .resource(&f.function)
                .help(help);
            cx.emit_in(&f.file, r);
        }
    }
}

/// A function only CloudFormation invokes, as the provider of custom resources (a
/// `ServiceToken`), with no event sources: it runs once per stack operation, so per-invocation
/// costs (HDL001, HDL002, HDL003) do not matter.
fn custom_resource_only(cx: &Context<'_>, function: &str) -> bool {
    let app = cx.app;
    let referrers = app
        .graph
        .incoming(function, |e| matches!(e, Edge::References));
    let provider = referrers.iter().any(|id| {
        app.tpl.resource(id).is_some_and(|r| {
            r.type_.starts_with("Custom::") || r.type_ == "AWS::CloudFormation::CustomResource"
        })
    });
    provider && app.events_of(function).next().is_none()
}

/// [`each`] without the custom resource providers.
fn each_invoked<'a>(cx: &Context<'a>) -> Vec<&'a FunctionFacts> {
    each(cx)
        .into_iter()
        .filter(|f| !custom_resource_only(cx, &f.function))
        .collect()
}

pub fn message_hdl001(function: &str, service: &str) -> String {
    format!("`{service}` client of `{function}` is created inside the handler, on every invocation")
}

impl Rule for SdkClientCreatedInHandler {
    fn code(&self) -> &'static str {
        "HDL001"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            // A client given the caller's own credentials, or configured from the event, has
            // to be created per invocation; a lazy initialisation is kept across invocations.
            for c in f
                .clients
                .iter()
                .filter(|c| c.in_handler && !c.own_credentials && !c.from_event && !c.cached)
            {
                let r = Report::new(c.span, message_hdl001(&f.function, &c.service))
                    .resource(&f.function)
                    .help("create the client once at module level (outside the handler) and reuse it across invocations");
                cx.emit_in(&f.file, r);
            }
        }
    }
}

pub fn message_hdl002(function: &str, action: &str) -> String {
    format!("`{action}` runs on every invocation of `{function}`, without a cache")
}

impl Rule for ParameterFetchedPerInvocation {
    fn code(&self) -> &'static str {
        "HDL002"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            for p in f.params.iter().filter(|p| p.in_handler && !p.cached) {
                let action = format!("{}:{}", p.service, p.operation);
                let r = Report::new(p.span, message_hdl002(&f.function, &action))
                    .resource(&f.function)
                    .help("fetch the value once at init and cache it (module-level variable with a TTL, Powertools parameters, or the Parameters and Secrets Lambda extension)");
                cx.emit_in(&f.file, r);
            }
        }
    }
}

pub fn message_hdl003(function: &str, driver: &str) -> String {
    format!(
        "`{driver}` connection is opened inside the handler of `{function}`, on every invocation"
    )
}

impl Rule for DbConnectionPerInvocation {
    fn code(&self) -> &'static str {
        "HDL003"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each_invoked(cx) {
            for d in f.db.iter().filter(|d| d.in_handler) {
                let r = Report::new(d.span, message_hdl003(&f.function, &d.driver))
                    .resource(&f.function)
                    .help("open the connection (or pool) once at module level and reuse it; put RDS Proxy in front of the database");
                cx.emit_in(&f.file, r);
            }
        }
    }
}

pub fn message_hdl010(function: &str, callee: &str) -> String {
    format!(
        "`{callee}` in `{function}` has no timeout: a slow server holds the function until it times out"
    )
}

impl Rule for HttpCallWithoutTimeout {
    fn code(&self) -> &'static str {
        "HDL010"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            // Calls to a Lambda extension on localhost are exempt.
            for h in f.http.iter().filter(|h| !h.has_timeout && !h.local) {
                let r = Report::new(h.span, message_hdl010(&f.function, &h.callee))
                    .resource(&f.function)
                    .help("pass a timeout shorter than the function's `Timeout` (`timeout=` in Python, an `AbortSignal.timeout(ms)` signal or `timeout` option in Node.js)");
                cx.emit_in(&f.file, r);
            }
        }
    }
}

/// Managed policies known to grant only logs / X-Ray / VPC networking.
fn harmless_managed(arn: &str) -> bool {
    [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaExecute",
    ]
    .iter()
    .any(|m| arn.ends_with(m))
}

/// IAM wildcard match (`*`, `?`), case-insensitive.
pub fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = s.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_none_or(|rest| rest.iter().all(|c| *c == '*'))
}

/// The role's Allow actions, when every one of them is known; None when unknowable.
fn known_allows(
    cx: &Context<'_>,
    function: &str,
    strict_managed: bool,
) -> Option<Vec<(String, crate::source::Span, String)>> {
    let iam = cx.app.iam.get(function)?;
    if !iam.complete {
        return None;
    }
    if iam.managed.iter().any(|m| match &m.arn {
        Known::Yes(a) => strict_managed && !harmless_managed(a),
        Known::Unknown(_) => true,
    }) {
        return None;
    }
    let mut out = Vec::new();
    for st in iam.statements.iter().filter(|s| s.allow) {
        if st.not_action {
            return None;
        }
        for a in &st.actions {
            match &a.value {
                Known::Yes(v) => out.push((v.clone(), a.span, st.written_in.clone())),
                Known::Unknown(_) => return None,
            }
        }
    }
    Some(out)
}

pub fn message_iam006(function: &str, action: &str) -> String {
    format!("handler of `{function}` calls `{action}`, but no policy on its role allows it")
}

impl Rule for CodeCallsWithoutPermission {
    fn code(&self) -> &'static str {
        "IAM006"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            let Some(allows) = known_allows(cx, &f.function, true) else {
                continue;
            };
            let mut seen = BTreeSet::new();
            // Calls made with credentials the code passes (a tenant's, an assumed role's) do
            // not use the function's role.
            for c in f.calls.iter().filter(|c| !c.own_credentials) {
                // Calls needing no permission, and calls whose action is not a known IAM
                // action, are never reported (precision first).
                let Needs::Actions(actions) = c.needs() else {
                    continue;
                };
                for action in actions {
                    if !seen.insert(action.clone()) {
                        continue;
                    }
                    if allows.iter().any(|(p, _, _)| glob(p, &action)) {
                        continue;
                    }
                    let r = Report::new(c.span, message_iam006(&f.function, &action))
                        .resource(&f.function)
                        .help(format!("grant `{action}` on the resource the code uses (a SAM policy template or a statement in the role's policy)"));
                    cx.emit_in(&f.file, r);
                }
            }
        }
    }
}

pub fn message_iam005(function: &str, action: &str) -> String {
    format!("role of `{function}` grants `{action}`, but its handler never calls that service")
}

/// IAM005 for a role shared by several functions.
pub fn message_iam005_shared(role: &str, functions: &[&str], action: &str) -> String {
    let names: Vec<String> = functions.iter().map(|f| format!("`{f}`")).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!(
        "role `{role}` of {list} grants `{action}`, but none of their handlers calls that service"
    )
}

/// Services the Lambda service itself uses with the function's role (logs, tracing, VPC, event
/// source pollers, destinations, encryption): never "unused".
fn infra_services(cx: &Context<'_>, function: &str) -> BTreeSet<String> {
    // iam (PassRole), rds-db (IAM DB auth), appsync/qldb (signed HTTP or non-SDK drivers), sts,
    // lambda (durable functions, extensions): used without a visible SDK call.
    let mut s: BTreeSet<String> = [
        "logs",
        "xray",
        "ec2",
        "kms",
        "cloudwatch",
        "iam",
        "rds-db",
        "appsync",
        "qldb",
        "sts",
        "lambda",
        "execute-api",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for e in cx.app.events_of(function) {
        let k = e.kind.to_ascii_lowercase();
        for svc in ["sqs", "kinesis", "dynamodb", "kafka", "mq"] {
            if k.contains(svc) {
                s.insert(svc.to_string());
            }
        }
        // MQ / Kafka event sources read their credentials from Secrets Manager.
        if k.contains("mq") || k.contains("msk") || k.contains("kafka") {
            s.insert("secretsmanager".into());
        }
        if k.contains("msk") {
            s.insert("kafka".into());
        }
        // A stream or queue mapping's on-failure destination is written with the role.
        if let Some(p) = e.props
            && cx.app.tpl.doc.get(p, "DestinationConfig").is_some()
        {
            s.extend(["sqs", "sns", "s3"].map(String::from));
        }
    }
    // Destinations and DLQs are written by Lambda with the role.
    let destinations = ["sqs", "sns", "lambda", "events", "s3"].map(String::from);
    if let Some(func) = cx.app.functions.get(function) {
        for p in ["DeadLetterQueue", "DeadLetterConfig", "EventInvokeConfig"] {
            if func.prop(&cx.app.tpl, p).is_some() {
                s.extend(destinations.clone());
            }
        }
    }
    let invoke_config = cx
        .app
        .graph
        .incoming(function, |e| matches!(e, Edge::References))
        .into_iter()
        .filter_map(|id| cx.app.tpl.resource(id))
        .any(|r| r.type_ == "AWS::Lambda::EventInvokeConfig");
    if invoke_config {
        s.extend(destinations);
    }
    s
}

/// Actions a service call makes AWS perform with the caller's credentials: Textract,
/// Rekognition, Transcribe, Comprehend and Bedrock read (and some write) the S3 objects named in
/// the request, Athena reads the Glue catalog and writes results to S3, the Data APIs read the
/// database secret. (KMS, logs, X-Ray and VPC networking are exempt for every function, see
/// [`infra_services`].)
const IMPLIED: &[(&str, &[&str])] = &[
    ("textract:*", &["s3:Get*", "s3:List*", "s3:PutObject*"]),
    ("rekognition:*", &["s3:Get*", "s3:List*"]),
    ("transcribe:*", &["s3:Get*", "s3:List*", "s3:PutObject*"]),
    ("comprehend:*", &["s3:Get*", "s3:List*"]),
    ("comprehendmedical:*", &["s3:Get*", "s3:List*"]),
    ("bedrock:*", &["s3:Get*", "s3:List*", "s3:PutObject*"]),
    (
        "polly:StartSpeechSynthesisTask",
        &["s3:PutObject*", "s3:GetBucketLocation"],
    ),
    ("translate:*", &["s3:Get*", "s3:List*"]),
    (
        "athena:*",
        &["s3:*", "glue:*", "lakeformation:GetDataAccess"],
    ),
    ("rds-data:*", &["secretsmanager:GetSecretValue"]),
    (
        "redshift-data:*",
        &[
            "secretsmanager:GetSecretValue",
            "redshift:GetClusterCredentials*",
            "redshift-serverless:GetCredentials",
        ],
    ),
    ("dynamodb:ImportTable", &["s3:*"]),
    ("dynamodb:ExportTableToPointInTime", &["s3:*"]),
    ("lambda:CreateFunction", &["s3:Get*"]),
    ("lambda:UpdateFunctionCode", &["s3:Get*"]),
    ("cloudformation:*", &["*"]),
];

/// The action patterns a called action implies.
fn implied_by(action: &str) -> impl Iterator<Item = &'static str> + '_ {
    IMPLIED
        .iter()
        .filter(move |(call, _)| glob(call, action))
        .flat_map(|(_, implied)| implied.iter().copied())
}

/// Do two action patterns (`s3:Get*`, `s3:*`, `s3:GetObject`) share an action?
fn overlaps(a: &str, b: &str) -> bool {
    glob(a, b) || glob(b, a)
}

/// The functions whose handlers use one role: every function of the template with the same
/// template role (the role is judged on what all of them call), or the function alone (a role
/// SAM generates from its `Policies`). None when the role is also used by another kind of
/// resource (a state machine, an instance profile, ...).
fn role_users<'a>(
    cx: &Context<'a>,
    by_role: &std::collections::HashMap<&'a str, Vec<&'a str>>,
    function: &'a str,
) -> Option<(Option<&'a str>, Vec<&'a str>)> {
    let f = cx.app.functions.get(function)?;
    let RoleRef::Template(role) = &f.role else {
        return Some((None, vec![function]));
    };
    let users: Vec<&str> = by_role.get(role.as_str()).cloned().unwrap_or_default();
    let others = cx
        .app
        .graph
        .incoming(role, |e| matches!(e, Edge::References))
        .into_iter()
        .filter(|id| !users.contains(id))
        .any(|id| {
            cx.app.tpl.resource(id).is_none_or(|r| {
                !matches!(
                    r.type_.as_str(),
                    "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::Lambda::Permission"
                )
            })
        });
    (!others).then_some((Some(role.as_str()), users))
}

impl Rule for PermissionNotUsedByCode {
    fn code(&self) -> &'static str {
        "IAM005"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let Some(handlers) = cx.handlers else { return };
        // Functions by template role, once (not per function: templates have 100k functions).
        let mut by_role: std::collections::HashMap<&str, Vec<&str>> =
            std::collections::HashMap::new();
        for g in cx.app.functions.values() {
            if let RoleRef::Template(r) = &g.role {
                by_role.entry(r.as_str()).or_default().push(g.id.as_str());
            }
        }
        let mut done: BTreeSet<&str> = BTreeSet::new();
        for f in handlers.functions.values() {
            if done.contains(f.function.as_str()) {
                continue;
            }
            let Some((role, users)) = role_users(cx, &by_role, &f.function) else {
                continue;
            };
            done.extend(users.iter().copied());
            // Every function on the role has complete facts, and one creates an SDK client.
            let facts: Vec<&FunctionFacts> = users.iter().filter_map(|u| handlers.get(u)).collect();
            if facts.len() != users.len()
                || facts.iter().any(|f| !f.complete)
                || facts.iter().all(|f| f.clients.is_empty())
            {
                continue;
            }
            let Some(allows) = known_allows(cx, &f.function, false) else {
                continue;
            };
            // Services the code calls (and the services of the actions those calls need, such
            // as `rds-db` for an RDS auth token), and services of the clients it creates.
            let mut used: BTreeSet<String> = BTreeSet::new();
            let mut implied: Vec<&str> = Vec::new();
            let mut infra = BTreeSet::new();
            for g in &facts {
                for c in &g.calls {
                    used.insert(c.service.clone());
                    let actions = match c.needs() {
                        Needs::Actions(a) => a,
                        _ => vec![c.action()],
                    };
                    for a in &actions {
                        if let Some((svc, _)) = a.split_once(':') {
                            used.insert(svc.to_string());
                        }
                        implied.extend(implied_by(a));
                    }
                }
                used.extend(g.clients.iter().map(|c| c.service.clone()));
                used.extend(g.implicit.iter().cloned());
                infra.extend(infra_services(cx, &g.function));
            }
            let mut seen = BTreeSet::new();
            for (action, span, _) in allows {
                let Some((svc, _)) = action.split_once(':') else {
                    continue;
                };
                let svc = svc.to_ascii_lowercase();
                if svc.contains('*') || used.contains(&svc) || infra.contains(&svc) {
                    continue;
                }
                // Not an IAM service prefix (`bedrock-runtime:InvokeModel`): it grants nothing,
                // and the code may well call the service under its real prefix.
                if !known_service(&svc) {
                    continue;
                }
                if implied.iter().any(|p| overlaps(p, &action)) {
                    continue;
                }
                if !seen.insert(svc.clone()) {
                    continue;
                }
                let message = match (role, users.as_slice()) {
                    (Some(role), [_, _, ..]) => message_iam005_shared(role, &users, &action),
                    _ => message_iam005(&f.function, &action),
                };
                cx.emit(
                    Report::new(span, message)
                        .resource(&f.function)
                        .help(format!("remove the `{svc}` permissions from the role, or keep them only if code outside the handler file needs them")),
                );
            }
        }
    }
}
