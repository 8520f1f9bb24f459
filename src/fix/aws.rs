//! Edits that several fixes share: a failure queue, and the permission for a function's role to
//! send to it.

use super::edit::Editor;
use super::val::Val;
use crate::model::{Function, RoleRef};

/// Retention of the queues fixes create: 14 days, the maximum, so a dead-letter queue keeps its
/// messages longer than any source queue.
pub const FAILURE_RETENTION: i64 = 1_209_600;

/// Add an `AWS::SQS::Queue` for failed messages or events (FIFO when its source is FIFO).
pub fn add_queue(e: &mut Editor<'_>, base: &str, fifo: bool) -> Option<String> {
    let mut props = vec![("MessageRetentionPeriod", Val::Int(FAILURE_RETENTION))];
    if fifo {
        props.push(("FifoQueue", Val::Bool(true)));
    }
    e.add_resource(base, "AWS::SQS::Queue", Val::map(props))
}

/// Let function `f` send messages to `queue` (a logical id). A role SAM generates needs nothing
/// when `sam_grants` (SAM adds the policy for that property itself), else it gets the
/// `SQSSendMessagePolicy` template in `Policies`; a role of the template gets a policy. `None`:
/// the role is outside the template, its permissions cannot be edited.
pub fn allow_send(e: &mut Editor<'_>, f: &Function, queue: &str, sam_grants: bool) -> Option<()> {
    let tpl = e.tpl;
    match &f.role {
        RoleRef::SamGenerated if sam_grants => Some(()),
        RoleRef::SamGenerated => {
            let r = f.resource(tpl)?;
            let item = Val::map([(
                "SQSSendMessagePolicy",
                Val::map([("QueueName", Val::get_att(queue, "QueueName"))]),
            )]);
            match tpl.prop(r, "Policies") {
                Some(p) if tpl.doc.as_seq(p).is_some() => e.push(p, item),
                Some(_) => None,
                None => e.insert(r.node, &["Properties", "Policies"], Val::Seq(vec![item])),
            }
        }
        RoleRef::Template(role) => grant_role(
            e,
            role,
            "sqs:SendMessage",
            Val::get_att(queue, "Arn"),
            &format!("{queue}Send"),
        ),
        RoleRef::External(_) | RoleRef::Missing => None,
    }
}

/// Add an inline policy allowing `action` on `resource` to the `AWS::IAM::Role` `role`.
pub fn grant_role(
    e: &mut Editor<'_>,
    role: &str,
    action: &str,
    resource: Val,
    name: &str,
) -> Option<()> {
    grant_role_actions(e, role, &[action], resource, name)
}

/// Does a string under the `AWS::IAM::Role` `role` (an action of its inline policies, a managed
/// policy ARN) equal one of `exact` or contain one of `parts` (ASCII case ignored)? For a fix
/// that should not grant again what the role already has.
pub fn role_mentions(
    tpl: &crate::model::Template,
    role: &str,
    exact: &[&str],
    parts: &[&str],
) -> bool {
    let Some(r) = tpl.resource(role) else {
        return false;
    };
    let doc = &tpl.doc;
    let mut stack = vec![r.node];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            crate::load::Value::Map(m) => stack.extend(m.iter().map(|(_, _, v)| v)),
            crate::load::Value::Seq(s) => stack.extend(s.iter().copied()),
            crate::load::Value::Str(s) => {
                let l = s.to_ascii_lowercase();
                if exact.iter().any(|x| x.eq_ignore_ascii_case(s))
                    || parts.iter().any(|p| l.contains(&p.to_ascii_lowercase()))
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Add an inline policy allowing `actions` on `resource` to the `AWS::IAM::Role` `role`.
pub fn grant_role_actions(
    e: &mut Editor<'_>,
    role: &str,
    actions: &[&str],
    resource: Val,
    name: &str,
) -> Option<()> {
    let action = match actions {
        [one] => Val::str(*one),
        _ => Val::Seq(actions.iter().map(|a| Val::str(*a)).collect()),
    };
    let tpl = e.tpl;
    let doc = &tpl.doc;
    let r = tpl.resource(role).filter(|r| r.type_ == "AWS::IAM::Role")?;
    let pols = tpl.prop(r, "Policies");
    let taken: Vec<String> = pols
        .and_then(|p| doc.as_seq(p))
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| doc.get(*p, "PolicyName").and_then(|n| doc.scalar_text(n)))
        .collect();
    let mut policy_name = name.to_string();
    let mut n = 2;
    while taken.contains(&policy_name) {
        policy_name = format!("{name}{n}");
        n += 1;
    }
    let item = Val::map([
        ("PolicyName", Val::str(policy_name)),
        (
            "PolicyDocument",
            Val::map([
                ("Version", Val::str("2012-10-17")),
                (
                    "Statement",
                    Val::Seq(vec![Val::map([
                        ("Effect", Val::str("Allow")),
                        ("Action", action),
                        ("Resource", resource),
                    ])]),
                ),
            ]),
        ),
    ]);
    match pols {
        Some(p) if doc.as_seq(p).is_some() => e.push(p, item),
        Some(_) => None,
        None => e.insert(r.node, &["Properties", "Policies"], Val::Seq(vec![item])),
    }
}

/// A failure queue that an AWS service (`events.amazonaws.com`, `sns.amazonaws.com`) sends to
/// for one source only: the queue (`base`, 14-day retention, FIFO when `fifo`) and an
/// `AWS::SQS::QueuePolicy` allowing `sqs:SendMessage` when `aws:SourceArn` is `source_arn`.
pub fn add_service_queue(
    e: &mut Editor<'_>,
    base: &str,
    fifo: bool,
    service: &str,
    source_arn: Val,
) -> Option<String> {
    let q = add_queue(e, base, fifo)?;
    let statement = Val::map([
        ("Effect", Val::str("Allow")),
        ("Principal", Val::map([("Service", Val::str(service))])),
        ("Action", Val::str("sqs:SendMessage")),
        ("Resource", Val::get_att(&q, "Arn")),
        (
            "Condition",
            Val::map([("ArnEquals", Val::map([("aws:SourceArn", source_arn)]))]),
        ),
    ]);
    e.add_resource(
        &format!("{q}Policy"),
        "AWS::SQS::QueuePolicy",
        Val::map([
            ("Queues", Val::Seq(vec![Val::Ref(q.clone())])),
            (
                "PolicyDocument",
                Val::map([
                    ("Version", Val::str("2012-10-17")),
                    ("Statement", Val::Seq(vec![statement])),
                ]),
            ),
        ]),
    )?;
    Some(q)
}
