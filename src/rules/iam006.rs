//! IAM006 code-calls-without-permission.

use std::collections::{BTreeSet, HashMap};

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

impl Rule for CodeCallsWithoutPermission {
    fn code(&self) -> &'static str {
        "IAM006"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let mut grants: Option<HashMap<String, BTreeSet<&'static str>>> = None;
        let none = BTreeSet::new();
        for f in each(cx) {
            let Some(allows) = known_allows(cx, &f.function, true) else {
                continue;
            };
            let grants = grants.get_or_insert_with(|| resource_policy_grants(cx));
            let by_resource_policy = role_id(cx, &f.function)
                .and_then(|r| grants.get(&r))
                .unwrap_or(&none);
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
                    if action
                        .split_once(':')
                        .is_some_and(|(svc, _)| by_resource_policy.contains(svc))
                    {
                        continue;
                    }
                    let r = Report::new(c.span, message_iam006(&f.function, &action))
                        .resource(&f.function)
                        .help(format!("grant `{action}` on the resource the code uses (a SAM policy template or a statement in the role's policy)"));
                    cx.emit_in(&c.file, r);
                }
            }
        }
    }
}
