//! IAM002 wildcard-resource.
use crate::diagnostic::Severity;

use crate::fix::{Applicability, Editor, Val};
use crate::handler::actions::Needs;
use crate::load::NodeId;
use std::collections::HashMap;

use crate::model::iam::{Statement, Via, in_order, shared_statements};
use crate::model::iam_actions::{glob_match, scoped_matches};
use crate::model::{Known, Template};
use crate::rule::{Context, Report, Rule};
use crate::source::Span;

use super::handler_util::glob;

pub struct WildcardResource;

/// How many actions a message names before "and N more".
const NAMED: usize = 3;

pub fn message(actions: &[String], sam_template: Option<&str>, functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    let mut what = actions
        .iter()
        .take(NAMED)
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if actions.len() > NAMED {
        what.push_str(&format!(" and {} more", actions.len() - NAMED));
    }
    match sam_template {
        Some(t) => format!(
            "SAM policy template `{t}` allows {what} on `Resource: \"*\"`, every resource of the account, for function{s} {who}"
        ),
        None => format!(
            "`Resource: \"*\"` applies {what} to every resource of the account, for function{s} {who}"
        ),
    }
}

/// Actions that need `*` or are harmless with it: logs, tracing, ENI management for VPC
/// functions, `ec2:Describe*`, metrics.
pub fn exempt(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    let (svc, name) = a.split_once(':').unwrap_or(("", a.as_str()));
    match svc {
        "logs" | "xray" => true,
        // `AWSLambdaVPCAccessExecutionRole`: ENIs and their private IPs.
        "ec2" => {
            name.contains("networkinterface")
                || name.starts_with("describe")
                || name == "assignprivateipaddresses"
                || name == "unassignprivateipaddresses"
        }
        "cloudwatch" => name == "putmetricdata",
        // The only resource of these calls is an optional add-on (a custom terminology or parallel
        // data set, a pronunciation lexicon, a custom model endpoint): the usual call names no
        // resource, and IAM authorizes it against `*`.
        "translate" => matches!(
            name,
            "translatetext" | "translatedocument" | "starttexttranslationjob"
        ),
        "polly" => matches!(name, "synthesizespeech" | "startspeechsynthesistask"),
        "comprehend" => name == "detectentities",
        "rekognition" => matches!(name, "detectmoderationlabels" | "startmediaanalysisjob"),
        _ => false,
    }
}

/// Does a resource pattern of a `Deny` cover every resource of `service` (`*`, `arn:aws:sns:*:*:*`,
/// `arn:aws:sns:*:*`)?
fn covers_service(resource: &str, service: &str) -> bool {
    let r = resource.trim();
    if r == "*" {
        return true;
    }
    let mut parts = r.split(':');
    parts.next() == Some("arn")
        && parts.next().is_some()
        && parts.next().is_some_and(|s| glob_match(s, service))
        && parts.all(|p| p.chars().all(|c| c == '*'))
}

/// Do the `Deny` statements reaching the role deny `action` (lowercase `service:name`) on every
/// resource of its service? Then an `Allow` on `*` only grants the calls that name no resource (the
/// documented way to allow `sns:Publish` to phone numbers, never to topics).
fn denied_everywhere(statements: &[Statement], action: &str) -> bool {
    let service = action.split(':').next().unwrap_or("");
    statements
        .iter()
        .filter(|s| !s.allow && !s.not_action && !s.not_resource)
        .any(|s| {
            s.actions
                .iter()
                .any(|a| matches!(&a.value, Known::Yes(p) if glob_match(p.trim(), action)))
                && s.resources
                    .iter()
                    .any(|r| matches!(&r.value, Known::Yes(v) if covers_service(v, service)))
        })
}

/// Does an action pattern (as written) cover actions with resource-level permissions that are not
/// exempt? Unknown services/actions are not judged.
pub fn concerned(pattern: &str) -> bool {
    concerned_unless_denied(pattern, &[])
}

/// [`concerned`], leaving out the actions that `Deny` statements forbid on every resource.
fn concerned_unless_denied(pattern: &str, statements: &[Statement]) -> bool {
    if pattern == "*" {
        return true;
    }
    scoped_matches(pattern)
        .iter()
        .any(|a| !exempt(a) && !denied_everywhere(statements, a))
}

/// The statement's node, from the resource and the property path the model recorded.
pub(crate) fn statement_node(tpl: &Template, st: &Statement) -> Option<NodeId> {
    let r = tpl.resource(&st.written_in)?;
    let mut segs = st.path.iter();
    let mut node = tpl.prop(r, segs.next()?)?;
    for seg in segs {
        node = match (seg.parse::<usize>(), tpl.doc.as_seq(node)) {
            (Ok(i), Some(items)) => *items.get(i)?,
            (Ok(0), None) => node,
            _ => tpl.doc.get(node, seg)?,
        };
    }
    Some(node)
}

struct Finding<'a> {
    span: Span,
    actions: Vec<String>,
    written_in: String,
    path: Vec<String>,
    sam_template: Option<String>,
    functions: Vec<&'a str>,
    via: Via,
    /// Every action pattern of the statement (exempt ones too); `None` when one is computed.
    all_actions: Option<Vec<String>>,
    /// The statement's node (not for a SAM policy template).
    statement: Option<NodeId>,
}

/// The ARNs a call of `service` (needing `actions`) makes on the template resource `id`, when
/// the resource's type is the one that service's calls act on.
pub(crate) fn arns_of(
    tpl: &Template,
    service: &str,
    actions: &[String],
    id: &str,
) -> Option<Vec<Val>> {
    let r = tpl.resource(id)?;
    let t = r.type_.as_str();
    let arn = || Val::get_att(id, "Arn");
    Some(match (service, t) {
        ("dynamodb", "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable") => {
            let mut v = vec![arn()];
            // A query or scan may name an index: its ARN is the table's with `/index/<name>`.
            if actions.iter().any(|a| {
                let a = a.to_ascii_lowercase();
                a == "dynamodb:query" || a == "dynamodb:scan"
            }) {
                v.push(Val::Sub(format!("${{{id}.Arn}}/index/*")));
            }
            v
        }
        ("s3", "AWS::S3::Bucket") => {
            let mut v = Vec::new();
            let object = |a: &String| {
                let n = a.to_ascii_lowercase();
                n.contains("object") || n.contains("multipartupload")
            };
            if actions.iter().any(|a| !object(a)) {
                v.push(arn());
            }
            if actions.iter().any(object) {
                v.push(Val::Sub(format!("${{{id}.Arn}}/*")));
            }
            v
        }
        ("sqs", "AWS::SQS::Queue")
        | ("kinesis", "AWS::Kinesis::Stream")
        | ("firehose", "AWS::KinesisFirehose::DeliveryStream")
        | ("lambda", "AWS::Lambda::Function" | "AWS::Serverless::Function") => vec![arn()],
        // `Ref` is the ARN.
        ("sns", "AWS::SNS::Topic")
        | ("states", "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine")
        | ("secretsmanager", "AWS::SecretsManager::Secret") => vec![Val::Ref(id.to_string())],
        _ => return None,
    })
}

/// The resources `Resource: "*"` can be replaced by: every call the handlers of the role's
/// functions make with an action of the statement names a resource of the template (through
/// an environment variable or its name), and each action of the statement is called. `None`
/// when the facts are not complete, the role is not only these functions', Lambda itself uses
/// the service with the role (a queue poller, a destination), or a call's resource does not
/// resolve.
fn scoped(cx: &Context<'_>, f: &Finding<'_>) -> Option<Vec<Val>> {
    let app = cx.app;
    let tpl = &app.tpl;
    if !matches!(f.via, Via::RolePolicy | Via::SamInline)
        || !super::iam001::role_only_for_functions(app, &f.via, &f.written_in, &f.functions)
    {
        return None;
    }
    let patterns = f.all_actions.as_ref()?;
    // An action that needs `*` (logs, tracing) keeps the statement as it is.
    if patterns.is_empty() || patterns.iter().any(|p| p == "*" || !concerned(p)) {
        return None;
    }
    let services: Vec<String> = patterns
        .iter()
        .filter_map(|p| p.split_once(':').map(|(s, _)| s.to_ascii_lowercase()))
        .collect();
    let handlers = cx.handlers?;
    let mut out: Vec<Val> = Vec::new();
    let mut called = vec![false; patterns.len()];
    for id in &f.functions {
        if services
            .iter()
            .any(|s| super::iam001::used_by_lambda(app, id, s))
        {
            return None;
        }
        let facts = handlers.get(id)?;
        let func = app.functions.get(*id)?;
        if !facts.complete || !facts.handler_found || facts.parse_error.is_some() {
            return None;
        }
        if facts.implicit.iter().any(|s| services.contains(s)) {
            return None;
        }
        for c in facts.calls.iter().filter(|c| !c.own_credentials) {
            if super::iam001::DELEGATING.contains(&c.service.as_str()) {
                return None;
            }
            let actions = match c.needs() {
                Needs::Actions(a) => a,
                Needs::Nothing => continue,
                Needs::Unknown if services.contains(&c.service) => return None,
                Needs::Unknown => continue,
            };
            let matched: Vec<String> = actions
                .into_iter()
                .filter(|a| {
                    let mut any = false;
                    for (i, p) in patterns.iter().enumerate() {
                        if glob(p, a) {
                            any = true;
                            if let Some(k) = called.get_mut(i) {
                                *k = true;
                            }
                        }
                    }
                    any
                })
                .collect();
            if matched.is_empty() {
                continue;
            }
            let used = facts
                .wiring
                .uses
                .iter()
                .find(|u| u.span == c.span && u.file.path == c.file.path)?;
            let target = crate::rules::wiring_util::resource_of(app, func, &used.target)?;
            for v in arns_of(tpl, &c.service, &matched, &target)? {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    (called.iter().all(|c| *c) && !out.is_empty()).then_some(out)
}

/// Write `arns` in place of the statement's `*` resource.
fn replace_star(e: &mut Editor<'_>, st: NodeId, arns: &[Val]) -> Option<()> {
    let doc = &e.tpl.doc;
    let res = doc.get(st, "Resource")?;
    if doc.as_str(res).is_some() {
        let v = match arns {
            [one] => one.clone(),
            many => Val::Seq(many.to_vec()),
        };
        return e.set(res, &v);
    }
    let items = doc.as_seq(res)?;
    let star = *items
        .iter()
        .find(|n| doc.as_str(**n).is_some_and(|s| s.trim() == "*"))?;
    let (first, rest) = arns.split_first()?;
    e.set(star, first)?;
    for a in rest {
        e.push(res, a.clone())?;
    }
    Some(())
}

impl Rule for WildcardResource {
    fn code(&self) -> &'static str {
        "IAM002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let mut found: Vec<Finding<'_>> = Vec::new();
        // Each role's statements once (see `shared_statements`); one finding per place.
        let mut at: HashMap<(Span, &str), usize> = HashMap::new();
        for (iam, fids) in shared_statements(&app.iam) {
            for st in iam.statements.iter() {
                if !st.allow || st.not_action || st.not_resource {
                    continue;
                }
                let Some(star) = st
                    .resources
                    .iter()
                    .find(|r| matches!(&r.value, Known::Yes(v) if v.trim() == "*"))
                else {
                    continue;
                };
                let actions: Vec<String> = st
                    .actions
                    .iter()
                    .filter_map(|a| match &a.value {
                        // `Action: "*"` on `Resource: "*"` is one finding, IAM001's.
                        Known::Yes(v) if v.trim() == "*" => None,
                        Known::Yes(v) if concerned_unless_denied(v.trim(), &iam.statements) => {
                            Some(v.trim().to_string())
                        }
                        _ => None,
                    })
                    .collect();
                if actions.is_empty() {
                    continue;
                }
                // A `Condition` can scope the statement (`aws:ResourceTag/...`): not judged.
                if !matches!(st.via, Via::SamTemplate(_))
                    && statement_node(tpl, st)
                        .is_some_and(|n| tpl.doc.get(n, "Condition").is_some())
                {
                    continue;
                }
                if let Some(e) = at
                    .get(&(star.span, st.written_in.as_str()))
                    .and_then(|&i| found.get_mut(i))
                {
                    // The same statement for another function of the role, or another statement
                    // of the same SAM policy template.
                    for a in actions {
                        if !e.actions.contains(&a) {
                            e.actions.push(a);
                        }
                    }
                    e.functions.extend(fids.iter().copied());
                    continue;
                }
                let mut path = st.path.clone();
                if !matches!(st.via, Via::SamTemplate(_)) {
                    path.push("Resource".into());
                }
                let all_actions: Option<Vec<String>> = st
                    .actions
                    .iter()
                    .map(|a| match &a.value {
                        Known::Yes(v) => Some(v.trim().to_string()),
                        Known::Unknown(_) => None,
                    })
                    .collect();
                at.insert((star.span, st.written_in.as_str()), found.len());
                found.push(Finding {
                    span: star.span,
                    actions,
                    written_in: st.written_in.clone(),
                    path,
                    sam_template: match &st.via {
                        Via::SamTemplate(t) => Some(t.clone()),
                        _ => None,
                    },
                    functions: fids.clone(),
                    via: st.via.clone(),
                    all_actions,
                    statement: match st.via {
                        Via::RolePolicy | Via::SamInline => statement_node(tpl, st),
                        _ => None,
                    },
                });
            }
        }
        for mut f in found {
            f.functions = in_order(&app.iam, f.functions);
            // AWS wrote the `*` of a SAM policy template: the user cannot scope it without replacing
            // the template, so it is worth knowing (info), not a warning about their own statement.
            let severity = if f.sam_template.is_some() {
                Severity::Info
            } else {
                cx.severity
            };
            let help = match &f.sam_template {
                Some(t) => format!(
                    "replace `{t}` with a `Statement` whose `Resource` names the ARNs the function uses"
                ),
                None => "scope `Resource` to the ARNs the function uses (e.g. `!GetAtt OrdersTable.Arn`, `!Sub \"${Bucket.Arn}/*\"`)".to_string(),
            };
            let fix = f.statement.and_then(|st| {
                let arns = scoped(cx, &f)?;
                let shown: Vec<String> = arns
                    .iter()
                    .map(|a| match a {
                        Val::GetAtt(id, at) => format!("`{id}.{at}`"),
                        Val::Ref(id) => format!("`{id}`"),
                        Val::Sub(t) => format!("`{t}`"),
                        _ => String::new(),
                    })
                    .collect();
                cx.fix(
                    format!(
                        "Replace `Resource: \"*\"` by the resources the handler calls on: {}",
                        shown.join(", ")
                    ),
                    Applicability::Unsafe,
                    |e| replace_star(e, st, &arns),
                )
            });
            cx.emit(
                Report::new(
                    f.span,
                    message(&f.actions, f.sam_template.as_deref(), &f.functions),
                )
                .resource(&f.written_in)
                .path(&f.path)
                .severity(severity)
                .help(help)
                .fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{concerned, covers_service, exempt};

    #[test]
    fn exemptions() {
        assert!(exempt("logs:PutLogEvents"));
        assert!(exempt("xray:PutTraceSegments"));
        assert!(exempt("ec2:CreateNetworkInterface"));
        assert!(exempt("ec2:DescribeInstances"));
        assert!(exempt("ec2:AssignPrivateIpAddresses"));
        assert!(exempt("cloudwatch:PutMetricData"));
        assert!(!exempt("ec2:TerminateInstances"));
        assert!(!exempt("s3:GetObject"));
        assert!(exempt("translate:TranslateText"));
        assert!(exempt("polly:SynthesizeSpeech"));
        assert!(!exempt("polly:GetLexicon"));
    }

    #[test]
    fn deny_on_every_resource_of_a_service() {
        assert!(covers_service("*", "sns"));
        assert!(covers_service("arn:aws:sns:*:*:*", "sns"));
        assert!(covers_service("arn:aws:sns:*:*", "sns"));
        assert!(covers_service("arn:aws:s3:::*", "s3"));
        assert!(!covers_service("arn:aws:sns:*:*:orders", "sns"));
        assert!(!covers_service("arn:aws:sqs:*:*:*", "sns"));
    }

    #[test]
    fn concerned_actions() {
        assert!(concerned("*"));
        assert!(concerned("s3:*"));
        assert!(concerned("s3:Get*"));
        assert!(concerned("dynamodb:PutItem"));
        assert!(concerned("ec2:*"));
        assert!(!concerned("logs:*"));
        assert!(!concerned("logs:CreateLogGroup"));
        assert!(!concerned("xray:*"));
        assert!(!concerned("ec2:Describe*"));
        assert!(!concerned("ec2:CreateNetworkInterface"));
        assert!(!concerned("cloudwatch:PutMetricData"));
        assert!(!concerned("s3:ListAllMyBuckets"));
        assert!(!concerned("sqs:NoSuchAction"));
        assert!(!concerned("madeup:Get*"));
    }
}
