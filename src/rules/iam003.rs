//! IAM003 overly-permissive-managed-policy.

use crate::diagnostic::Severity;
use crate::load::NodeId;
use std::collections::HashMap;

use crate::model::iam::{ManagedRef, in_order};
use crate::model::{Known, Template};
use crate::rule::{Context, Report, Rule};
use crate::source::Span;

pub struct OverlyPermissiveManagedPolicy;

/// Policies that grant (nearly) everything, or control over IAM itself.
const CRITICAL: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

pub fn message(policy: &str, functions: &[&str]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    let what = match policy {
        "AdministratorAccess" => "every action on every resource",
        "PowerUserAccess" => "every action except most of IAM and Organizations",
        "IAMFullAccess" => "full control over IAM users, roles and policies",
        _ => "every action of a service on all its resources",
    };
    format!("AWS managed policy `{policy}` grants {what} to function{s} {who}")
}

/// The name of an AWS managed policy from a SAM policy name or a managed policy ARN
/// (`arn:aws:iam::aws:policy/service-role/X`, partition as `${AWS::Partition}` too).
/// Customer managed policies (an account id instead of `aws`) are `None`.
pub fn aws_policy_name(arn: &str) -> Option<&str> {
    let arn = arn.trim();
    if !arn.starts_with("arn:") {
        // A SAM `Policies` item: the name of an AWS managed policy.
        return (!arn.is_empty() && !arn.contains(':') && !arn.contains('/')).then_some(arn);
    }
    let (_, rest) = arn.split_once(":iam::aws:policy/")?;
    rest.rsplit('/').next().filter(|n| !n.is_empty())
}

/// Text of a `Fn::Sub` / `Fn::Join` whose only variables are pseudo parameters
/// (`${AWS::Partition}`), which do not change the policy name.
fn pseudo_text(tpl: &Template, node: NodeId) -> Option<String> {
    let doc = &tpl.doc;
    match doc.intrinsic(node)? {
        ("Fn::Sub", arg) => {
            let text = doc.as_str(arg)?;
            crate::model::template::sub_variables(text)
                .iter()
                .all(|v| v.starts_with("AWS::"))
                .then(|| text.to_string())
        }
        ("Fn::Join", arg) => {
            let parts = doc.as_seq(arg)?;
            let sep = doc.as_str(*parts.first()?)?;
            let items = doc.as_seq(*parts.get(1)?)?;
            let mut out = Vec::new();
            for &i in items {
                if let Some(s) = doc.as_str(i) {
                    out.push(s.to_string());
                } else if let Some(("Ref", r)) = doc.intrinsic(i)
                    && let Some(p) = doc.as_str(r)
                    && p.starts_with("AWS::")
                {
                    out.push(format!("${{{p}}}"));
                } else {
                    return None;
                }
            }
            Some(out.join(sep))
        }
        _ => None,
    }
}

/// The text of a managed policy reference, when the template fixes it.
fn arn_text(tpl: &Template, m: &ManagedRef) -> Option<String> {
    if let Known::Yes(s) = &m.arn {
        return Some(s.clone());
    }
    // Find the node again from the property path (`ManagedPolicyArns`/`Policies`, index).
    let r = tpl.resource(&m.written_in)?;
    let prop = tpl.prop(r, m.path.first()?)?;
    let idx: usize = m.path.get(1)?.parse().ok()?;
    let node = *tpl.doc.one_or_many(prop).get(idx)?;
    pseudo_text(tpl, node)
}

struct Finding<'a> {
    span: Span,
    policy: String,
    written_in: String,
    path: Vec<String>,
    functions: Vec<&'a str>,
}

impl Rule for OverlyPermissiveManagedPolicy {
    fn code(&self) -> &'static str {
        "IAM003"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let mut found: Vec<Finding<'_>> = Vec::new();
        let mut at: HashMap<Span, usize> = HashMap::new();
        for (fid, iam) in &app.iam {
            for m in &iam.managed {
                let Some(text) = arn_text(&app.tpl, m) else {
                    continue;
                };
                let Some(name) = aws_policy_name(&text) else {
                    continue;
                };
                if !CRITICAL.contains(&name) && !name.ends_with("FullAccess") {
                    continue;
                }
                if let Some(e) = at.get(&m.span).and_then(|&i| found.get_mut(i)) {
                    e.functions.push(fid.as_str());
                    continue;
                }
                at.insert(m.span, found.len());
                found.push(Finding {
                    span: m.span,
                    policy: name.to_string(),
                    written_in: m.written_in.clone(),
                    path: m.path.clone(),
                    functions: vec![fid.as_str()],
                });
            }
        }
        for mut f in found {
            f.functions = in_order(&app.iam, f.functions);
            let critical = CRITICAL.contains(&f.policy.as_str());
            let severity = if critical {
                Severity::Error
            } else {
                cx.severity
            };
            let help = if critical {
                format!(
                    "replace `{}` with a policy that allows only the actions and resources the function uses",
                    f.policy
                )
            } else {
                format!(
                    "replace `{}` with the actions the function calls on its own resources (a SAM policy template or an inline statement)",
                    f.policy
                )
            };
            cx.emit(
                Report::new(f.span, message(&f.policy, &f.functions))
                    .resource(&f.written_in)
                    .path(&f.path)
                    .severity(severity)
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::aws_policy_name;

    #[test]
    fn policy_names_from_arns_and_sam_names() {
        assert_eq!(
            aws_policy_name("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            aws_policy_name("arn:${AWS::Partition}:iam::aws:policy/AmazonS3FullAccess"),
            Some("AmazonS3FullAccess")
        );
        assert_eq!(
            aws_policy_name("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            Some("AWSLambdaBasicExecutionRole")
        );
        assert_eq!(
            aws_policy_name("AmazonDynamoDBFullAccess"),
            Some("AmazonDynamoDBFullAccess")
        );
        assert_eq!(
            aws_policy_name("arn:aws:iam::123456789012:policy/MyS3FullAccess"),
            None
        );
        assert_eq!(aws_policy_name(""), None);
    }
}
