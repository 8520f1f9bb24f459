//! SFN002 lambda-task-without-retry.

use crate::model::Known;
use crate::model::stepfunctions::TaskResource;
use crate::rule::{Context, Report, Rule};
use crate::rules::sfn001::{emit_at, report_unread};

pub struct LambdaTaskWithoutRetry;

/// Errors whose retry covers Lambda's transient failures.
const COVERING: &[&str] = &[
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
    "States.ALL",
    "States.TaskFailed",
];

pub fn message(machine: &str, state: &str, function: Option<&str>, in_string: bool) -> String {
    let f = function
        .map(|f| format!(" (function `{f}`)"))
        .unwrap_or_default();
    let where_ = if in_string {
        " (in `DefinitionString`)"
    } else {
        ""
    };
    format!(
        "Lambda task `{state}`{f} of state machine `{machine}`{where_} has no `Retry` for Lambda's transient errors (`Lambda.ServiceException`, `Lambda.TooManyRequestsException`, ...) and no `Catch`: a throttle or a brief Lambda service error fails the whole execution"
    )
}

const HELP: &str = "add `Retry: [{ErrorEquals: [Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: FULL}]` (what the Step Functions console writes for Lambda tasks), and a `Catch` for the errors that remain";

impl Rule for LambdaTaskWithoutRetry {
    fn code(&self) -> &'static str {
        "SFN002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let sfn001 = cx.enabled("SFN001");
        for m in app.state_machines() {
            if !sfn001 {
                report_unread(cx, m);
            }
            let Known::Yes(tasks) = &m.tasks else {
                continue;
            };
            let in_string = !m.sam
                && m.file.is_none()
                && app
                    .tpl
                    .resource(&m.id)
                    .and_then(|r| app.tpl.prop(r, "DefinitionString"))
                    .is_some();
            for t in tasks {
                let TaskResource::Lambda { function, .. } = &t.resource else {
                    continue;
                };
                if t.catch || t.computed {
                    continue;
                }
                if t.retry_errors
                    .iter()
                    .any(|e| COVERING.contains(&e.as_str()))
                {
                    continue;
                }
                let msg = message(&m.id, &t.name, function.as_deref(), in_string);
                let id = m.id.clone();
                let path: Vec<String> = std::iter::once("Definition".to_string())
                    .chain(t.path.iter().cloned())
                    .chain(std::iter::once("Retry".to_string()))
                    .collect();
                emit_at(cx, &t.location, |span| {
                    Report::new(span, msg).resource(&id).path(&path).help(HELP)
                });
            }
        }
    }
}
