//! IAM001 wildcard-action.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::Severity;
use crate::fix::{Applicability, Editor, Val};
use crate::graph::Edge;
use crate::handler::actions::Needs;
use crate::load::{NodeId, Value};
use crate::model::iam::{Via, in_order, shared_statements};
use crate::model::{App, Known, RoleRef};
use crate::rule::{Context, Report, Rule};
use crate::source::Span;

pub struct WildcardAction;

pub fn message(action: &str, not_action: bool, functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    if not_action {
        format!(
            "`NotAction` in an `Allow` statement grants every action except the listed ones to function{s} {who}"
        )
    } else if action == "*" {
        format!("`Action: \"*\"` grants every action of every AWS service to function{s} {who}")
    } else {
        let svc = action.split(':').next().unwrap_or(action);
        format!("`Action: \"{action}\"` grants every `{svc}` action to function{s} {who}")
    }
}

/// `Action: "*"` with `Resource: "*"`: one finding for both wildcards.
pub fn message_admin(functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    format!(
        "`Action: \"*\"` with `Resource: \"*\"` grants every action on every resource of every AWS service (administrator access) to function{s} {who}"
    )
}

/// Is this action a whole-service or global wildcard?
pub fn is_wildcard(action: &str) -> bool {
    action == "*" || action.split_once(':').is_some_and(|(_, a)| a == "*")
}

/// One wildcard, with every function it reaches.
struct Finding<'a> {
    span: Span,
    action: String,
    not_action: bool,
    written_in: String,
    path: Vec<String>,
    functions: Vec<&'a str>,
    /// The statement's span and how it reaches the role.
    statement: Span,
    /// The statement allows `Resource: "*"` too (one finding says both: IAM002 leaves it).
    every_resource: bool,
    via: Via,
}

/// Record a wildcard of statement `st` for functions `fids`: one finding per place.
fn record<'a>(
    found: &mut Vec<Finding<'a>>,
    at: &mut HashMap<(Span, &'a str), usize>,
    span: Span,
    action: &'a str,
    not_action: bool,
    st: &crate::model::iam::Statement,
    fids: &[&'a str],
) {
    if let Some(e) = at.get(&(span, action)).and_then(|&i| found.get_mut(i)) {
        e.functions.extend(fids.iter().copied());
        return;
    }
    at.insert((span, action), found.len());
    found.push(Finding {
        span,
        action: action.to_string(),
        not_action,
        written_in: st.written_in.clone(),
        path: st.path.clone(),
        functions: fids.to_vec(),
        statement: st.span,
        via: st.via.clone(),
        every_resource: !st.not_resource
            && st
                .resources
                .iter()
                .any(|r| matches!(&r.value, Known::Yes(v) if v.trim() == "*")),
    });
}

/// Services Lambda itself uses with every function's role (logs, tracing, networking, keys), or
/// that code uses without an SDK call we can see: a wildcard on those is never narrowed.
const INFRA: &[&str] = &[
    "logs",
    "xray",
    "ec2",
    "kms",
    "cloudwatch",
    "iam",
    "sts",
    "lambda",
    "execute-api",
    "rds-db",
    "appsync",
    "qldb",
];

/// Does Lambda use `service` with the role of function `fid` (an event source poller, a
/// destination or dead-letter queue)?
pub(crate) fn used_by_lambda(app: &App, fid: &str, service: &str) -> bool {
    if INFRA.contains(&service) {
        return true;
    }
    let tpl = &app.tpl;
    for e in app.events_of(fid) {
        let k = e.kind.to_ascii_lowercase();
        let reads = [
            "sqs",
            "kinesis",
            "dynamodb",
            "kafka",
            "mq",
            "msk",
            "documentdb",
        ]
        .iter()
        .any(|s| k.contains(s));
        if reads && (k.contains(service) || matches!(service, "secretsmanager" | "kafka")) {
            return true;
        }
        // An event source mapping reads its source whatever its kind says.
        if e.kind == "AWS::Lambda::EventSourceMapping" && e.mode != crate::model::Mode::Async {
            return true;
        }
        if e.props
            .is_some_and(|p| tpl.doc.get(p, "DestinationConfig").is_some())
            && matches!(service, "sqs" | "sns" | "s3")
        {
            return true;
        }
    }
    let destinations = matches!(service, "sqs" | "sns" | "lambda" | "events" | "s3");
    let configured = app.functions.get(fid).is_some_and(|f| {
        ["DeadLetterQueue", "DeadLetterConfig", "EventInvokeConfig"]
            .iter()
            .any(|p| f.prop(tpl, p).is_some())
    }) || tpl
        .resources_of("AWS::Lambda::EventInvokeConfig")
        .next()
        .is_some();
    destinations && configured
}
/// Services whose calls read or write other services with the caller's role (Textract reads
/// S3, Athena writes results, ...): a handler calling one of them keeps its other wildcards.
pub(crate) const DELEGATING: &[&str] = &[
    "textract",
    "rekognition",
    "transcribe",
    "comprehend",
    "comprehendmedical",
    "bedrock",
    "polly",
    "translate",
    "athena",
    "rds-data",
    "redshift-data",
    "cloudformation",
    "glue",
];

/// The actions `service:*` can be narrowed to: exactly what the handlers of every function on the
/// role call on that service, when their facts are complete and nothing else uses the role.
fn narrowed(cx: &Context<'_>, f: &Finding<'_>) -> Option<Vec<String>> {
    let app = cx.app;
    let (service, rest) = f.action.split_once(':')?;
    if rest != "*"
        || f.not_action
        || f.functions
            .iter()
            .any(|id| used_by_lambda(app, id, service))
    {
        return None;
    }
    if !matches!(f.via, Via::RolePolicy | Via::SamInline) || !role_only_for(app, f) {
        return None;
    }
    let handlers = cx.handlers?;
    let mut out: BTreeSet<String> = BTreeSet::new();
    for id in &f.functions {
        let facts = handlers.get(id)?;
        if !facts.complete || !facts.handler_found || facts.parse_error.is_some() {
            return None;
        }
        if facts.implicit.iter().any(|s| s == service) {
            return None;
        }
        for c in facts.calls.iter().filter(|c| !c.own_credentials) {
            if DELEGATING.contains(&c.service.as_str()) {
                return None;
            }
            match c.needs() {
                Needs::Actions(a) => out.extend(
                    a.into_iter()
                        .filter(|x| x.split_once(':').is_some_and(|(s, _)| s == service)),
                ),
                Needs::Nothing => {}
                Needs::Unknown if c.service == service => return None,
                Needs::Unknown => {}
            }
        }
    }
    (!out.is_empty()).then(|| out.into_iter().collect())
}

/// Is the role the statement is written in used by these functions only (not by a state
/// machine, an instance profile, another principal)?
fn role_only_for(app: &App, f: &Finding<'_>) -> bool {
    role_only_for_functions(app, &f.via, &f.written_in, &f.functions)
}

/// Is the role a statement (`via`, written in `written_in`) is on used only by `functions`
/// (Lambda is its only principal; no state machine, instance profile or other function uses
/// it)? Fixes that change the role's permissions need this.
pub(crate) fn role_only_for_functions(
    app: &App,
    via: &Via,
    written_in: &str,
    functions: &[&str],
) -> bool {
    let tpl = &app.tpl;
    if matches!(via, Via::SamInline) {
        return app
            .functions
            .get(written_in)
            .is_some_and(|g| g.role == RoleRef::SamGenerated);
    }
    let Some(role) = tpl.resource(written_in) else {
        return false;
    };
    let users: Vec<&str> = app
        .functions
        .values()
        .filter(|g| g.role == RoleRef::Template(role.id.clone()))
        .map(|g| g.id.as_str())
        .collect();
    if users.iter().any(|u| !functions.contains(u)) {
        return false;
    }
    let others = app
        .graph
        .incoming(&role.id, |e| matches!(e, Edge::References))
        .into_iter()
        .filter(|id| !users.contains(id))
        .any(|id| {
            tpl.resource(id).is_none_or(|r| {
                !matches!(
                    r.type_.as_str(),
                    "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::Lambda::Permission"
                )
            })
        });
    if others {
        return false;
    }
    // Assumed by Lambda only.
    let doc = &tpl.doc;
    let Some(trust) = tpl.prop(role, "AssumeRolePolicyDocument") else {
        return false;
    };
    let mut services = Vec::new();
    for st in doc
        .get(trust, "Statement")
        .map(|s| doc.one_or_many(s))
        .unwrap_or_default()
    {
        let Some(p) = doc.get(st, "Principal") else {
            return false;
        };
        let Some(svc) = doc.get(p, "Service") else {
            return false;
        };
        for s in doc.one_or_many(svc) {
            services.push(tpl.string(s).known().unwrap_or_default());
        }
    }
    !services.is_empty() && services.iter().all(|s| s == "lambda.amazonaws.com")
}

/// The node of a string written at `span` (an action item), and the statement's `Action` node.
fn action_nodes(app: &App, statement: Span, item: Span) -> Option<(NodeId, NodeId)> {
    let doc = &app.tpl.doc;
    let find = |span: Span, map: bool| {
        doc.nodes.iter().enumerate().find_map(|(i, n)| {
            let ok = n.span == span && matches!(n.value, Value::Map(_)) == map;
            ok.then(|| NodeId(u32::try_from(i).unwrap_or(u32::MAX)))
        })
    };
    let st = find(statement, true)?;
    let action = doc.get(st, "Action")?;
    let node = if doc.span(action) == item && doc.as_str(action).is_some() {
        action
    } else {
        *doc.as_seq(action)?.iter().find(|n| doc.span(**n) == item)?
    };
    Some((action, node))
}

/// Replace the wildcard item by the actions (the first in its place, the others added to the
/// list; a lone `Action: s3:*` becomes a list).
fn replace_wildcard(
    e: &mut Editor<'_>,
    app: &App,
    f: &Finding<'_>,
    actions: &[String],
) -> Option<()> {
    let doc = &app.tpl.doc;
    let (action, node) = action_nodes(app, f.statement, f.span)?;
    if action == node {
        let v = match actions {
            [one] => Val::str(one.as_str()),
            many => Val::Seq(many.iter().map(|a| Val::str(a.as_str())).collect()),
        };
        return e.set(node, &v);
    }
    let listed: Vec<String> = doc
        .as_seq(action)?
        .iter()
        .filter_map(|n| doc.as_str(*n).map(str::to_string))
        .collect();
    let new: Vec<&String> = actions.iter().filter(|a| !listed.contains(a)).collect();
    let (first, rest) = new.split_first()?;
    e.set(node, &Val::str(first.as_str()))?;
    for a in rest {
        e.push(action, Val::str(a.as_str()))?;
    }
    Some(())
}

impl Rule for WildcardAction {
    fn code(&self) -> &'static str {
        "IAM001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        // A statement shared by several functions (one role) is reported once, naming them all;
        // each role's statements are read once (see `shared_statements`).
        let mut found: Vec<Finding<'_>> = Vec::new();
        let mut at: HashMap<(Span, &str), usize> = HashMap::new();
        for (iam, fids) in shared_statements(&app.iam) {
            for st in iam.statements.iter().filter(|s| s.allow) {
                if st.not_action {
                    let span = st.actions.first().map_or(st.span, |a| a.span);
                    record(&mut found, &mut at, span, "NotAction", true, st, &fids);
                    continue;
                }
                for a in &st.actions {
                    if let Known::Yes(action) = &a.value
                        && is_wildcard(action)
                    {
                        record(&mut found, &mut at, a.span, action, false, st, &fids);
                    }
                }
            }
        }
        let found = found.into_iter().map(|mut f| {
            f.functions = in_order(&app.iam, f.functions);
            f
        });
        for f in found {
            let severity = if f.action == "*" || f.not_action {
                Severity::Error
            } else {
                cx.severity
            };
            let help = if f.not_action {
                "list the actions the function needs in `Action` instead of excluding some with `NotAction`".to_string()
            } else if f.action == "*" {
                "list the actions the function calls (e.g. `dynamodb:GetItem`), or use a SAM policy template".to_string()
            } else {
                let svc = f.action.split(':').next().unwrap_or("");
                format!(
                    "list the `{svc}:` actions the function calls instead of `{}`",
                    f.action
                )
            };
            let fix = narrowed(cx, &f).and_then(|actions| {
                cx.fix(
                    format!(
                        "Replace `{}` by the actions the handler calls: {}",
                        f.action,
                        actions
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Applicability::Unsafe,
                    |e| replace_wildcard(e, cx.app, &f, &actions),
                )
            });
            let mut p = f.path.clone();
            p.push("Action".into());
            let mut text = message(&f.action, f.not_action, &f.functions);
            if f.action == "*" && f.every_resource {
                // One statement, one finding: the wildcard resource is part of it (IAM002 does
                // not report `Action: "*"` again).
                text = message_admin(&f.functions);
            }
            cx.emit(
                Report::new(f.span, text)
                    .resource(&f.written_in)
                    .path(&p)
                    .severity(severity)
                    .help(help)
                    .fix(fix),
            );
        }
    }
}
