//! IAM001 wildcard-action.

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
}

impl Rule for WildcardAction {
    fn code(&self) -> &'static str {
        "IAM001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        // A statement shared by several functions (one role) is reported once, naming them all.
        let mut found: Vec<Finding<'_>> = Vec::new();
        let mut record =
            |span: Span, action: &str, not_action: bool, st: &crate::model::iam::Statement, fid| {
                if let Some(e) = found
                    .iter_mut()
                    .find(|e| e.span == span && e.action == action)
                {
                    if !e.functions.contains(&fid) {
                        e.functions.push(fid);
                    }
                    return;
                }
                found.push(Finding {
                    span,
                    action: action.to_string(),
                    not_action,
                    written_in: st.written_in.clone(),
                    path: st.path.clone(),
                    functions: vec![fid],
                });
            };
        for (fid, iam) in &app.iam {
            for st in iam.statements.iter().filter(|s| s.allow) {
                if st.not_action {
                    let span = st.actions.first().map_or(st.span, |a| a.span);
                    record(span, "NotAction", true, st, fid.as_str());
                    continue;
                }
                for a in &st.actions {
                    if let Known::Yes(action) = &a.value
                        && is_wildcard(action)
                    {
                        record(a.span, action, false, st, fid.as_str());
                    }
                }
            }
        }
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
            let mut p = f.path;
            p.push("Action".into());
            cx.emit(
                Report::new(f.span, message(&f.action, f.not_action, &f.functions))
                    .resource(&f.written_in)
                    .path(&p)
                    .severity(severity)
                    .help(help),
            );
        }
    }
}
