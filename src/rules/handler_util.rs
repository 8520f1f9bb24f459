//! Shared by the handler rules (LMB030, HDL001, HDL002, HDL003, HDL010, IAM005, IAM006): the
//! functions with handler facts, custom-resource providers, IAM wildcard matching and the
//! role's known Allow actions.

use crate::graph::Edge;
use crate::handler::FunctionFacts;
use crate::model::Known;
use crate::rule::Context;

/// Every function with handler facts.
pub fn each<'a>(cx: &Context<'a>) -> Vec<&'a FunctionFacts> {
    cx.handlers
        .map(|h| h.functions.values().collect())
        .unwrap_or_default()
}

/// A function only CloudFormation invokes, as the provider of custom resources (a
/// `ServiceToken`), with no event sources: it runs once per stack operation, so per-invocation
/// costs (HDL001, HDL002, HDL003) do not matter.
pub fn custom_resource_only(cx: &Context<'_>, function: &str) -> bool {
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
pub fn each_invoked<'a>(cx: &Context<'a>) -> Vec<&'a FunctionFacts> {
    each(cx)
        .into_iter()
        .filter(|f| !custom_resource_only(cx, &f.function))
        .collect()
}

/// Managed policies known to grant only logs / X-Ray / VPC networking.
pub fn harmless_managed(arn: &str) -> bool {
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
pub fn known_allows(
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
