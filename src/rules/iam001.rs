//! IAM001 wildcard-action.

use std::collections::HashSet;

use crate::diagnostic::Severity;
use crate::model::Known;
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
        format!("`NotAction` in an `Allow` statement grants every action except the listed ones to function{s} {who}")
    } else if action == "*" {
        format!("`Action: \"*\"` grants every action of every AWS service to function{s} {who}")
    } else {
        let svc = action.split(':').next().unwrap_or(action);
        format!("`Action: \"{action}\"` grants every `{svc}` action to function{s} {who}")
    }
}

/// Is this action a whole-service or global wildcard?
pub fn is_wildcard(action: &str) -> bool {
    action == "*" || action.split_once(':').is_some_and(|(_, a)| a == "*")
}

impl Rule for WildcardAction {
    fn code(&self) -> &'static str {
        "IAM001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        // A statement shared by several functions (one role) is reported once, naming them all.
        let mut found: Vec<(Span, String, bool, String, Vec<String>, Vec<&str>)> = Vec::new();
        for (fid, iam) in &app.iam {
            for st in iam.statements.iter().filter(|s| s.allow) {
                if st.not_action {
                    let span = st.actions.first().map_or(st.span, |a| a.span);
                    record(&mut found, span, "NotAction", true, &st.written_in, &st.path, fid);
                    continue;
                }
                for a in &st.actions {
                    if let Known::Yes(action) = &a.value
                        && is_wildcard(action)
                    {
                        record(&mut found, a.span, action, false, &st.written_in, &st.path, fid);
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        for (span, action, not_action, written_in, path, functions) in found {
            if !seen.insert((span, action.clone())) {
                continue;
            }
            let severity = if action == "*" || not_action {
                Severity::Error
            } else {
                cx.severity
            };
            let help = if not_action {
                "list the actions the function needs in `Action` instead of excluding some with `NotAction`".to_string()
            } else if action == "*" {
                "list the actions the function calls (e.g. `dynamodb:GetItem`), or use a SAM policy template".to_string()
            } else {
                let svc = action.split(':').next().unwrap_or("");
                format!("list the `{svc}:` actions the function calls instead of `{action}`")
            };
            let mut p = path;
            p.push("Action".into());
            cx.emit(
                Report::new(span, message(&action, not_action, &functions))
                    .resource(&written_in)
                    .path(&p)
                    .severity(severity)
                    .help(help),
            );
        }
    }
}

#[allow(clippy::type_complexity)]
fn record<'a>(
    found: &mut Vec<(Span, String, bool, String, Vec<String>, Vec<&'a str>)>,
    span: Span,
    action: &str,
    not_action: bool,
    written_in: &str,
    path: &[String],
    function: &'a str,
) {
    if let Some(e) = found.iter_mut().find(|e| e.0 == span && e.1 == action) {
        if !e.5.contains(&function) {
            e.5.push(function);
        }
        return;
    }
    found.push((
        span,
        action.to_string(),
        not_action,
        written_in.to_string(),
        path.to_vec(),
        vec![function],
    ));
}
