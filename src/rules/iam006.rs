//! IAM006 code-calls-without-permission.

use std::collections::{BTreeSet, HashMap};

use crate::fix::{Applicability, Editor, Val};
use crate::handler::FunctionFacts;
use crate::handler::actions::Needs;
use crate::load::{NodeId, Value};
use crate::model::RoleRef;
use crate::rule::{Context, Report, Rule};

use super::handler_util::{each, glob, known_allows};
pub struct CodeCallsWithoutPermission;

pub fn message_iam006(function: &str, action: &str) -> String {
    format!("handler of `{function}` calls `{action}`, but no policy on its role allows it")
}

/// Resource-based policies of the template and the service whose calls they can allow: in one
/// account, a resource policy (or a role's trust policy) that names the caller's role allows the
/// call without any statement on the role itself.
const RESOURCE_POLICIES: &[(&str, &str, &str)] = &[
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", "sts"),
    ("AWS::S3::BucketPolicy", "PolicyDocument", "s3"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument", "sqs"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument", "sns"),
    ("AWS::KMS::Key", "KeyPolicy", "kms"),
    (
        "AWS::SecretsManager::ResourcePolicy",
        "ResourcePolicy",
        "secretsmanager",
    ),
    ("AWS::Events::EventBusPolicy", "Statement", "events"),
];

/// The logical ids a `Ref`, `Fn::GetAtt` or `Fn::Sub` variable below `root` names.
/// Iterative: no recursion on deep input.
fn named_ids(tpl: &crate::model::Template, root: NodeId, out: &mut BTreeSet<String>) {
    let doc = &tpl.doc;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Map(m) => {
                if let Some((k, v)) = doc.intrinsic(n) {
                    match k {
                        "Ref" => {
                            if let Some(id) = doc.as_str(v) {
                                out.insert(id.to_string());
                            }
                        }
                        "Fn::GetAtt" => {
                            let first = doc
                                .as_str(v)
                                .map(|s| s.split('.').next().unwrap_or(s))
                                .or_else(|| {
                                    doc.as_seq(v)
                                        .and_then(|s| s.first())
                                        .and_then(|x| doc.as_str(*x))
                                });
                            if let Some(id) = first {
                                out.insert(id.to_string());
                            }
                        }
                        "Fn::Sub" => {
                            let text = doc.as_str(v).or_else(|| {
                                doc.as_seq(v)
                                    .and_then(|s| s.first())
                                    .and_then(|x| doc.as_str(*x))
                            });
                            for var in text
                                .map(crate::model::template::sub_variables)
                                .unwrap_or_default()
                            {
                                if let Some(id) = var.split('.').next() {
                                    out.insert(id.to_string());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                stack.extend(m.iter().map(|(_, _, v)| v));
            }
            Value::Seq(items) => stack.extend(items.iter().copied()),
            _ => {}
        }
    }
}

/// For each role the template's resource-based policies name (a role's trust policy, a bucket /
/// queue / topic / key / secret / event-bus policy), the services whose calls those policies may
/// allow to it: IAM006 does not judge them. Read once per template (a lookup per function
/// would read every policy again: quadratic in a template of thousands of roles).
fn resource_policy_grants(cx: &Context<'_>) -> HashMap<String, BTreeSet<&'static str>> {
    let tpl = &cx.app.tpl;
    let mut out: HashMap<String, BTreeSet<&'static str>> = HashMap::new();
    for (type_, prop, service) in RESOURCE_POLICIES {
        for r in tpl.resources_of(type_) {
            let Some(p) = tpl.prop(r, prop) else {
                continue;
            };
            let mut ids = BTreeSet::new();
            named_ids(tpl, p, &mut ids);
            // A role's trust policy naming the role itself grants nothing new.
            ids.remove(r.id.as_str());
            for id in ids {
                out.entry(id).or_default().insert(*service);
            }
        }
    }
    out
}

/// The role a function runs with, as a logical id of the template.
fn role_id(cx: &Context<'_>, function: &str) -> Option<String> {
    match cx.app.functions.get(function).map(|f| &f.role) {
        Some(RoleRef::Template(r)) => Some(r.clone()),
        // The role SAM generates is `<function>Role`, and templates may name it.
        Some(RoleRef::SamGenerated) => Some(format!("{function}Role")),
        _ => None,
    }
}

/// The statements granting `missing` (action, the ARNs of the resource the call names), one
/// statement per set of resources, in the order first seen.
fn statements(missing: &[(String, Vec<Val>)]) -> Vec<Val> {
    let mut groups: Vec<(Vec<Val>, Vec<String>)> = Vec::new();
    for (action, arns) in missing {
        match groups.iter_mut().find(|(r, _)| r == arns) {
            Some((_, actions)) => {
                if !actions.contains(action) {
                    actions.push(action.clone());
                }
            }
            None => groups.push((arns.clone(), vec![action.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(arns, actions)| {
            let action = match actions.as_slice() {
                [one] => Val::str(one.as_str()),
                many => Val::Seq(many.iter().map(|a| Val::str(a.as_str())).collect()),
            };
            let resource = match arns.as_slice() {
                [one] => one.clone(),
                many => Val::Seq(many.to_vec()),
            };
            Val::map([
                ("Effect", Val::str("Allow")),
                ("Action", action),
                ("Resource", resource),
            ])
        })
        .collect()
}

/// Grant `missing` to the function's role: a `Statement` in its SAM `Policies`, or an inline
/// policy of its `AWS::IAM::Role` (named `<function>Calls`, made unique).
fn grant(e: &mut Editor<'_>, function: &str, missing: &[(String, Vec<Val>)]) -> Option<()> {
    let tpl = e.tpl;
    let doc = &tpl.doc;
    let f = tpl.resource(function)?;
    let statement = Val::Seq(statements(missing));
    let role = match tpl.prop(f, "Role") {
        None => None,
        Some(r) => match tpl.target(r) {
            crate::model::template::Target::Resource { id, .. } => Some(id),
            _ => return None,
        },
    };
    let (owner, item) = match role {
        None if f.type_ == "AWS::Serverless::Function" => (f, Val::map([("Statement", statement)])),
        Some(role) => {
            let r = tpl
                .resource(&role)
                .filter(|r| r.type_ == "AWS::IAM::Role")?;
            let taken: Vec<String> = tpl
                .prop(r, "Policies")
                .and_then(|p| doc.as_seq(p))
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| doc.get(*p, "PolicyName").and_then(|n| doc.scalar_text(n)))
                .collect();
            let base = format!("{function}Calls");
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            let item = Val::map([
                ("PolicyName", Val::str(name)),
                (
                    "PolicyDocument",
                    Val::map([
                        ("Version", Val::str("2012-10-17")),
                        ("Statement", statement),
                    ]),
                ),
            ]);
            (r, item)
        }
        None => return None,
    };
    match tpl.prop(owner, "Policies") {
        Some(p) if doc.as_seq(p).is_some() => e.push(p, item),
        Some(_) => None,
        None => e.insert(
            owner.node,
            &["Properties", "Policies"],
            Val::Seq(vec![item]),
        ),
    }
}

/// The fix every IAM006 finding of a function shares: grant all of its missing actions whose
/// resource resolves, on that resource. Findings of the function get the same edits, so one
/// pass applies them together; a finding whose own resource does not resolve gets none.
fn missing_grants(
    cx: &Context<'_>,
    f: &FunctionFacts,
    missing: &[(String, &crate::handler::facts::SdkCall)],
) -> Vec<(String, Vec<Val>)> {
    let app = cx.app;
    let Some(func) = app.functions.get(&f.function) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<Val>)> = Vec::new();
    for (action, c) in missing {
        let Some(u) = f
            .wiring
            .uses
            .iter()
            .find(|u| u.span == c.span && u.file.path == c.file.path)
        else {
            continue;
        };
        let Some(id) = crate::rules::wiring_util::resource_of(app, func, &u.target) else {
            continue;
        };
        let Some(arns) =
            super::iam002::arns_of(&app.tpl, &c.service, std::slice::from_ref(action), &id)
        else {
            continue;
        };
        match out.iter_mut().find(|(a, _)| a == action) {
            Some((_, have)) => {
                for v in arns {
                    if !have.contains(&v) {
                        have.push(v);
                    }
                }
            }
            None => out.push((action.clone(), arns)),
        }
    }
    out
}

impl Rule for CodeCallsWithoutPermission {
    fn code(&self) -> &'static str {
        "IAM006"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let mut policies: Option<HashMap<String, BTreeSet<&'static str>>> = None;
        let none = BTreeSet::new();
        for f in each(cx) {
            let Some(allows) = known_allows(cx, &f.function, true) else {
                continue;
            };
            let policies = policies.get_or_insert_with(|| resource_policy_grants(cx));
            let by_resource_policy = role_id(cx, &f.function)
                .and_then(|r| policies.get(&r))
                .unwrap_or(&none);
            let mut seen = BTreeSet::new();
            let mut found: Vec<(String, &crate::handler::facts::SdkCall)> = Vec::new();
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
                    if action
                        .split_once(':')
                        .is_some_and(|(svc, _)| by_resource_policy.contains(svc))
                    {
                        continue;
                    }
                    found.push((action, c));
                }
            }
            let grants = missing_grants(cx, f, &found);
            let fix = (!grants.is_empty())
                .then(|| {
                    let names: Vec<String> = grants.iter().map(|(a, _)| format!("`{a}`")).collect();
                    cx.fix(
                        format!(
                            "Allow {} to the role of `{}`, on the resources the handler calls",
                            names.join(", "),
                            f.function
                        ),
                        Applicability::Unsafe,
                        |e| grant(e, &f.function, &grants),
                    )
                })
                .flatten()
                .map(|mut x| {
                    x.file = Some(std::sync::Arc::clone(&cx.app.tpl.file));
                    x
                });
            for (action, c) in found {
                let mine = grants.iter().any(|(a, _)| *a == action);
                let r = Report::new(c.span, message_iam006(&f.function, &action))
                    .resource(&f.function)
                    .help(format!("grant `{action}` on the resource the code uses (a SAM policy template or a statement in the role's policy)"))
                    .fix(fix.clone().filter(|_| mine));
                cx.emit_in(&c.file, r);
            }
        }
    }
}
