//! LMB030 function-only-forwards.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct FunctionOnlyForwards;

pub fn message_lmb030(function: &str, action: &str) -> String {
    format!(
        "handler of `{function}` only passes the event to `{action}`: the function is a transport"
    )
}

/// The direct integration to use instead, from how the function is invoked.
fn integration(cx: &Context<'_>, function: &str, service: &str) -> String {
    let kinds: Vec<String> = cx
        .app
        .events
        .iter()
        .filter(|e| e.function == function)
        .map(|e| e.kind.clone())
        .collect();
    let target = if service == "states" {
        "the Step Functions SDK integration".to_string()
    } else {
        format!("`{service}`")
    };
    // EventBridge rules and Pipes cannot target DynamoDB or S3: a Step Functions Express
    // workflow with the service's SDK integration sits in between.
    let via = if matches!(service, "dynamodb" | "s3") {
        format!("a Step Functions Express workflow that calls `{service}` (SDK integration)")
    } else {
        target.clone()
    };
    if kinds
        .iter()
        .any(|k| matches!(k.as_str(), "Api" | "HttpApi"))
    {
        format!(
            "integrate API Gateway with {target} directly (an AWS service integration) and delete the function"
        )
    } else if kinds
        .iter()
        .any(|k| matches!(k.as_str(), "SQS" | "Kinesis" | "DynamoDB" | "MSK"))
    {
        format!("use an EventBridge Pipe from the source to {via} and delete the function")
    } else if kinds.iter().any(|k| {
        matches!(
            k.as_str(),
            "EventBridgeRule" | "CloudWatchEvent" | "Schedule" | "ScheduleV2"
        )
    }) {
        format!(
            "make {via} the EventBridge rule or schedule target directly and delete the function"
        )
    } else {
        format!(
            "call {target} directly from the producer (API Gateway service integration, EventBridge Pipes or target, Step Functions SDK integration)"
        )
    }
}

impl Rule for FunctionOnlyForwards {
    fn code(&self) -> &'static str {
        "LMB030"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            let Some(fw) = &f.forward else { continue };
            let help = integration(cx, &f.function, &fw.call.service);
            let r = Report::new(fw.call.span, message_lmb030(&f.function, &fw.call.action()))
                .resource(&f.function)
                .help(help);
            cx.emit_in(&fw.call.file, r);
        }
    }
}
