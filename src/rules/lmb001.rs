//! LMB001 async-function-without-failure-destination.

use crate::model::failure::async_failure_destination;
use crate::model::{EventSource, Mode};
use crate::rule::{Context, Report, Rule};

pub struct AsyncFunctionWithoutFailureDestination;

/// How an event source is named in messages.
pub fn describe(e: &EventSource) -> String {
    match &e.name {
        Some(n) => format!("`{}` event `{n}`", e.kind),
        None => format!("`{}` (`{}`)", e.declared_in, e.kind),
    }
}

pub fn message(function: &str, sources: &[String]) -> String {
    let (shown, more) = if sources.len() > 3 {
        (
            sources.get(..3).unwrap_or(&[]).join(", "),
            format!(" and {} more", sources.len() - 3),
        )
    } else {
        (sources.join(", "), String::new())
    };
    format!(
        "function `{function}` is invoked asynchronously by {shown}{more} but has no dead-letter queue or on-failure destination: events that fail after the two retries are lost"
    )
}

impl Rule for AsyncFunctionWithoutFailureDestination {
    fn code(&self) -> &'static str {
        "LMB001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for f in app.functions.values() {
            let asyncs: Vec<&EventSource> = app
                .events_of(&f.id)
                .filter(|e| e.mode == Mode::Async)
                .collect();
            let mut sources: Vec<String> = Vec::new();
            for e in &asyncs {
                // A permission for a rule, topic or bucket already named is the same invocation.
                // (Without `SourceArn`, a permission next to a declared source is taken to be its.)
                if e.kind == "AWS::Lambda::Permission"
                    && asyncs.iter().any(|o| {
                        o.kind != "AWS::Lambda::Permission"
                            && e.source.as_ref().is_none_or(|src| {
                                &o.declared_in == src || o.source.as_ref() == Some(src)
                            })
                    })
                {
                    continue;
                }
                let d = describe(e);
                if !sources.contains(&d) {
                    sources.push(d);
                }
            }
            if sources.is_empty() || async_failure_destination(tpl, f) != Some(false) {
                continue;
            }
            let help = if f.sam {
                "add `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt FailedEvents.Arn}}}` (or `DeadLetterQueue: {Type: SQS, TargetArn: ...}`) to the function or to `Globals.Function`"
            } else {
                "add an `AWS::Lambda::EventInvokeConfig` with `DestinationConfig.OnFailure.Destination` (or `DeadLetterConfig.TargetArn` on the function) pointing at an SQS queue or SNS topic"
            };
            cx.emit(
                Report::new(f.anchor(tpl), message(&f.id, &sources))
                    .resource(&f.id)
                    .path(&["EventInvokeConfig"])
                    .help(help),
            );
        }
    }
}
