//! IAM005 permission-not-used-by-code.

use std::collections::BTreeSet;

use std::collections::BTreeMap;

use crate::fix::{Applicability, Editor};
use crate::graph::Edge;
use crate::handler::FunctionFacts;
use crate::handler::actions::Needs;
use crate::handler::facts::known_service;
use crate::load::{NodeId, Value};
use crate::model::Known;
use crate::model::function::RoleRef;
use crate::model::iam::Via;
use crate::rule::{Context, Report, Rule};

use super::handler_util::{glob, known_allows};
pub struct PermissionNotUsedByCode;

pub fn message_iam005(function: &str, granted: &Granted<'_>) -> String {
    format!(
        "role of `{function}` grants {}, but its handler never calls that service",
        granted.describe()
    )
}

/// IAM005 for a role shared by several functions.
pub fn message_iam005_shared(role: &str, functions: &[&str], granted: &Granted<'_>) -> String {
    let names: Vec<String> = functions.iter().map(|f| format!("`{f}`")).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!(
        "role `{role}` of {list} grants {}, but none of their handlers calls that service",
        granted.describe()
    )
}

/// What a role grants on one service that no handler uses: every action of that service, and the
/// SAM policy template that grants them when there is one (a template grants several actions; the
/// finding names them all, not the first).
pub struct Granted<'a> {
    pub actions: Vec<&'a str>,
    pub sam_template: Option<&'a str>,
}

impl Granted<'_> {
    /// How many actions are named at most; past that, the first ones and "N more".
    const SHOWN: usize = 6;

    fn describe(&self) -> String {
        let quoted = |a: &&str| format!("`{a}`");
        let n = self.actions.len();
        match self.sam_template {
            Some(t) => {
                let names: Vec<String> =
                    self.actions.iter().take(Self::SHOWN).map(quoted).collect();
                let more = if n > Self::SHOWN {
                    format!(", and {} more", n - Self::SHOWN)
                } else {
                    String::new()
                };
                format!("`{t}` (a SAM policy template: {}{more})", names.join(", "))
            }
            None => {
                let names: Vec<String> =
                    self.actions.iter().take(Self::SHOWN).map(quoted).collect();
                if n > Self::SHOWN {
                    format!("{} and {} more", names.join(", "), n - Self::SHOWN)
                } else {
                    match names.split_last() {
                        Some((last, init)) if !init.is_empty() => {
                            format!("{} and {last}", init.join(", "))
                        }
                        _ => names.join(""),
                    }
                }
            }
        }
    }
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
        // SQS, Kinesis and DynamoDB stream pollers use only their own actions (see
        // `poller_or_platform_action`); Kafka and MQ pollers use the whole service.
        for svc in ["kafka", "mq"] {
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
    let is_user: std::collections::HashSet<&str> = users.iter().copied().collect();
    let others = cx
        .app
        .graph
        .incoming(role, |e| matches!(e, Edge::References))
        .into_iter()
        .filter(|id| !is_user.contains(id))
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

/// The mapping or sequence that holds `child` (a scan: fixes are built for findings only).
fn parent(doc: &crate::load::Document, child: NodeId) -> Option<NodeId> {
    doc.nodes.iter().enumerate().find_map(|(i, n)| {
        let holds = match &n.value {
            Value::Map(m) => m.iter().any(|(_, _, v)| v == child),
            Value::Seq(s) => s.contains(&child),
            _ => false,
        };
        holds.then(|| NodeId(u32::try_from(i).unwrap_or(u32::MAX)))
    })
}

/// The edits removing every grant of `actions` (one service's) from the policies of the role
/// `users` share: the action items of a statement, a statement left without actions, a policy
/// left without statements, `Policies` left without policies; a SAM policy template entry when
/// it grants nothing else. `None` when a grant is in a shape or a place the fix does not edit
/// (an `AWS::IAM::Policy` resource, a connector, a computed list, a template entry that also
/// grants something used, a comment in the way).
fn remove_grants(
    e: &mut Editor<'_>,
    cx: &Context<'_>,
    users: &[&str],
    actions: &[&str],
) -> Option<()> {
    let app = cx.app;
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let gone = |a: &str| actions.iter().any(|x| x.eq_ignore_ascii_case(a.trim()));
    let mut seen: BTreeSet<(String, crate::source::Span)> = BTreeSet::new();
    // Action list -> indexes of its items to remove.
    let mut action_items: BTreeMap<NodeId, Vec<usize>> = BTreeMap::new();
    // Statements left without actions, with the resource they are written in.
    let mut statements: Vec<(NodeId, String)> = Vec::new();
    // Nodes (a statement list, a lone statement, a SAM template entry) whose whole policy goes.
    let mut policies: Vec<(NodeId, String)> = Vec::new();
    for u in users {
        let iam = app.iam.get(*u)?;
        for st in iam.statements.iter().filter(|s| s.allow) {
            if !st
                .actions
                .iter()
                .any(|a| matches!(&a.value, Known::Yes(v) if gone(v)))
                || !seen.insert((st.written_in.clone(), st.span))
            {
                continue;
            }
            match &st.via {
                Via::SamTemplate(_) => {
                    // Every statement of the entry grants only what goes.
                    let all = iam
                        .statements
                        .iter()
                        .filter(|o| o.span == st.span)
                        .all(|o| {
                            o.actions
                                .iter()
                                .all(|a| matches!(&a.value, Known::Yes(v) if gone(v)))
                        });
                    let entry = super::iam002::statement_node(tpl, st)?;
                    let item = parent(doc, entry)?;
                    if !all || doc.as_map(item)?.len() != 1 {
                        return None;
                    }
                    policies.push((item, st.written_in.clone()));
                }
                Via::RolePolicy | Via::SamInline => {
                    if !super::iam001::role_only_for_functions(app, &st.via, &st.written_in, users)
                    {
                        return None;
                    }
                    let node = super::iam002::statement_node(tpl, st)?;
                    let action = doc.get(node, "Action")?;
                    if let Some(items) = doc.as_seq(action) {
                        let mut idx = Vec::new();
                        for (i, n) in items.iter().enumerate() {
                            match doc.as_str(*n) {
                                Some(a) if gone(a) => idx.push(i),
                                Some(_) => {}
                                None => return None,
                            }
                        }
                        if idx.len() == items.len() {
                            statements.push((node, st.written_in.clone()));
                        } else {
                            action_items.insert(action, idx);
                        }
                    } else if doc.as_str(action).is_some_and(gone) {
                        statements.push((node, st.written_in.clone()));
                    } else {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
    // Statements, by the list they are in; a list left empty takes its policy with it.
    let mut lists: BTreeMap<NodeId, (Vec<usize>, String)> = BTreeMap::new();
    for (node, owner) in statements {
        let up = parent(doc, node)?;
        match doc.as_seq(up) {
            Some(items) => {
                let i = items.iter().position(|n| *n == node)?;
                lists
                    .entry(up)
                    .or_insert_with(|| (Vec::new(), owner))
                    .0
                    .push(i);
            }
            None => policies.push((node, owner)),
        }
    }
    for (list, (idx, owner)) in lists {
        if idx.len() == doc.as_seq(list)?.len() {
            policies.push((list, owner));
        } else {
            e.remove_items(list, &idx)?;
        }
    }
    // Policies, by the resource's `Policies`; left empty, the key goes.
    let mut by_owner: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (node, owner) in policies {
        let r = tpl.resource(&owner)?;
        let pols = tpl.prop(r, "Policies")?;
        let sp = doc.span(node);
        let items = doc.as_seq(pols)?;
        let i = items.iter().position(|n| {
            let s = doc.span(*n);
            s.start <= sp.start && sp.end <= s.end
        })?;
        by_owner.entry(owner).or_default().push(i);
    }
    for (owner, mut idx) in by_owner {
        idx.sort_unstable();
        idx.dedup();
        let r = tpl.resource(&owner)?;
        let pols = tpl.prop(r, "Policies")?;
        if idx.len() == doc.as_seq(pols)?.len() {
            let props = doc.get(r.node, "Properties")?;
            e.remove_entries(props, &["Policies"])?;
        } else {
            e.remove_items(pols, &idx)?;
        }
    }
    for (list, idx) in action_items {
        e.remove_items(list, &idx)?;
    }
    Some(())
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
                || facts
                    .iter()
                    .all(|f| f.clients.is_empty() && f.calls.is_empty())
            {
                continue;
            }
            let Some(allows) = known_allows(cx, &f.function, false) else {
                continue;
            };
            // Services the code calls (and the services of the actions those calls need, such
            // as `rds-db` for an RDS auth token). Constructing a client is not a use.
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
                used.extend(g.implicit.iter().cloned());
                infra.extend(infra_services(cx, &g.function));
            }
            let queue_source = users.iter().any(|u| {
                cx.app
                    .events_of(u)
                    .any(|e| e.mode == crate::model::Mode::Queue)
            });
            // The unused grants, by service, in the order they are written: each service is one
            // finding at its first grant, naming every action of that service the role grants.
            let mut unused: Vec<(String, crate::source::Span, Vec<&str>)> = Vec::new();
            for (action, span, _) in &allows {
                let Some((svc, name)) = action.split_once(':') else {
                    continue;
                };
                let svc = svc.to_ascii_lowercase();
                if svc.contains('*') || used.contains(&svc) || infra.contains(&svc) {
                    continue;
                }
                // What the Lambda service does with the role (event source pollers, network
                // interfaces) is not the code's use.
                if crate::model::network::poller_or_platform_action(&svc, name, queue_source) {
                    continue;
                }
                // Not an IAM service prefix (`bedrock-runtime:InvokeModel`): it grants nothing,
                // and the code may well call the service under its real prefix.
                if !known_service(&svc) {
                    continue;
                }
                if implied.iter().any(|p| overlaps(p, action)) {
                    continue;
                }
                match unused.iter_mut().find(|(s, _, _)| *s == svc) {
                    Some((_, _, actions)) => {
                        if !actions.contains(&action.as_str()) {
                            actions.push(action);
                        }
                    }
                    None => unused.push((svc, *span, vec![action.as_str()])),
                }
            }
            let iam = cx.app.iam.get(&f.function);
            for (svc, span, actions) in unused {
                // The SAM policy template the first grant comes from, if any.
                let sam_template = iam.and_then(|iam| {
                    iam.statements.iter().find_map(|st| match &st.via {
                        crate::model::iam::Via::SamTemplate(t) if st.span == span => {
                            Some(t.as_str())
                        }
                        _ => None,
                    })
                });
                let granted = Granted {
                    actions,
                    sam_template,
                };
                let message = match (role, users.as_slice()) {
                    (Some(role), [_, _, ..]) => message_iam005_shared(role, &users, &granted),
                    _ => message_iam005(&f.function, &granted),
                };
                let help = match sam_template {
                    Some(t) => format!(
                        "remove `{t}` from the function's `Policies`, or keep it only if code the handler does not reach needs it"
                    ),
                    None => format!(
                        "remove the `{svc}` permissions from the role, or keep them only if code the handler does not reach needs them"
                    ),
                };
                let title = match sam_template {
                    Some(t) => format!("Remove `{t}` from `Policies`"),
                    None => format!(
                        "Remove the `{svc}` grants the handler does not use: {}",
                        granted
                            .actions
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let fix = cx.fix(title, Applicability::Unsafe, |e| {
                    remove_grants(e, cx, &users, &granted.actions)
                });
                cx.emit(
                    Report::new(span, message)
                        .resource(&f.function)
                        .help(help)
                        .fix(fix),
                );
            }
        }
    }
}
