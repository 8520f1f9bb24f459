//! IAM006 code-calls-without-permission.

use std::collections::BTreeSet;

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

/// Does a `Ref`, `Fn::GetAtt` or `Fn::Sub` variable below `root` name the logical id `id`?
/// Iterative: no recursion on deep input.
fn names(tpl: &crate::model::Template, root: NodeId, id: &str) -> bool {
    let doc = &tpl.doc;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Map(m) => {
                if let Some((k, v)) = doc.intrinsic(n) {
                    let hit = match k {
                        "Ref" => doc.as_str(v) == Some(id),
                        "Fn::GetAtt" => {
                            let first = doc
                                .as_str(v)
                                .map(|s| s.split('.').next().unwrap_or(s))
                                .or_else(|| {
                                    doc.as_seq(v)
                                        .and_then(|s| s.first())
                                        .and_then(|x| doc.as_str(*x))
                                });
                            first == Some(id)
                        }
                        "Fn::Sub" => {
                            let text = doc.as_str(v).or_else(|| {
                                doc.as_seq(v)
                                    .and_then(|s| s.first())
                                    .and_then(|x| doc.as_str(*x))
                            });
                            text.map(crate::model::template::sub_variables)
                                .unwrap_or_default()
                                .iter()
                                .any(|var| var.split('.').next() == Some(id))
                        }
                        _ => false,
                    };
                    if hit {
                        return true;
                    }
                }
                stack.extend(m.iter().map(|(_, _, v)| v));
            }
            Value::Seq(items) => stack.extend(items.iter().copied()),
            _ => {}
        }
    }
    false
}

/// Services whose calls a resource-based policy of the template may allow to the function's
/// role (it names the role): IAM006 does not judge them.
fn allowed_by_resource_policies(cx: &Context<'_>, function: &str) -> BTreeSet<&'static str> {
    let tpl = &cx.app.tpl;
    let role = match cx.app.functions.get(function).map(|f| &f.role) {
        Some(RoleRef::Template(r)) => r.clone(),
        // The role SAM generates is `<function>Role`, and templates may name it.
        Some(RoleRef::SamGenerated) => format!("{function}Role"),
        _ => return BTreeSet::new(),
    };
    let mut out = BTreeSet::new();
    for (type_, prop, service) in RESOURCE_POLICIES {
        if out.contains(service) {
            continue;
        }
        let hit = tpl
            .resources_of(type_)
            .any(|r| r.id != role && tpl.prop(r, prop).is_some_and(|p| names(tpl, p, &role)));
        if hit {
            out.insert(*service);
        }
    }
    out
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
            let by_resource_policy = allowed_by_resource_policies(cx, &f.function);
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
