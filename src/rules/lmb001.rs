//! LMB001 async-function-without-failure-destination.

use crate::load::Value;
use crate::model::{App, EventSource, Function, Mode};
use crate::rule::{Context, Report, Rule};

pub struct AsyncFunctionWithoutFailureDestination;

/// How an event source is named in messages: "`S3` event `Upload`" or "`AWS::SNS::Subscription` `Sub`".
pub fn describe(e: &EventSource) -> String {
    match &e.name {
        Some(n) => format!("`{}` event `{n}`", e.kind),
        None => format!("`{}` `{}`", e.kind, e.declared_in),
    }
}

pub fn message(function: &str, sources: &[String]) -> String {
    format!(
        "function `{function}` is invoked asynchronously by {} but has no failure destination: an event that still fails after Lambda's two retries is dropped",
        sources.join(", ")
    )
}

/// Does an `AWS::Lambda::EventInvokeConfig` (or an unresolvable one) give `f` an OnFailure destination?
/// `None`: cannot tell.
fn invoke_config_resource(app: &App, f: &Function) -> Option<bool> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut found = Some(false);
    for r in tpl.resources_of("AWS::Lambda::EventInvokeConfig") {
        let Some(name) = tpl.prop(r, "FunctionName") else {
            continue;
        };
        let on_failure = match tpl.prop(r, "DestinationConfig") {
            None => false,
            Some(d) if doc.as_map(d).is_none() || doc.intrinsic(d).is_some() => {
                // Fn::If or another computed value: unknown.
                if tpl.ref_resource(name) == Some(f.id.as_str()) || tpl.ref_resource(name).is_none()
                {
                    found = None;
                }
                continue;
            }
            Some(d) => doc.get(d, "OnFailure").is_some(),
        };
        if !on_failure {
            continue;
        }
        match tpl.ref_resource(name) {
            Some(id) if id == f.id => return Some(true),
            Some(_) => {}
            // A literal name or a parameter: it may be this function.
            None => found = None,
        }
    }
    found
}

/// Is a failure destination configured on the function itself? `None`: cannot tell.
fn own_destination(app: &App, f: &Function) -> Option<bool> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    for key in ["DeadLetterQueue", "DeadLetterConfig"] {
        if f.prop(tpl, key).is_some() {
            // Present (maybe behind `Fn::If`): either satisfied or unknown, never a finding.
            return Some(true);
        }
    }
    if f.sam {
        let mut unknown = false;
        for p in f.nested(tpl, &["EventInvokeConfig"]) {
            if doc.intrinsic(p.node).is_some() {
                unknown = true;
            }
        }
        for p in f.nested(tpl, &["EventInvokeConfig", "DestinationConfig"]) {
            match doc.value(p.node) {
                Value::Map(_) if doc.intrinsic(p.node).is_none() => {
                    if doc.get(p.node, "OnFailure").is_some() {
                        return Some(true);
                    }
                }
                _ => unknown = true,
            }
        }
        if unknown {
            return None;
        }
    }
    Some(false)
}

/// A permission whose principal also invokes synchronously: SES receipt rules (`RequestResponse`
/// possible) and IoT custom authorizers (the function is an `AWS::IoT::Authorizer`).
fn ambiguous_permission(app: &App, e: &EventSource, f: &Function) -> bool {
    let tpl = &app.tpl;
    let principal = e
        .props
        .and_then(|p| tpl.doc.get(p, "Principal"))
        .and_then(|n| tpl.string(n).known())
        .unwrap_or_default();
    if principal.starts_with("ses.") {
        return true;
    }
    principal.starts_with("iot.")
        && tpl.resources_of("AWS::IoT::Authorizer").any(|r| {
            tpl.prop(r, "AuthorizerFunctionArn")
                .and_then(|n| tpl.ref_resource(n))
                == Some(f.id.as_str())
        })
}

impl Rule for AsyncFunctionWithoutFailureDestination {
    fn code(&self) -> &'static str {
        "LMB001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for f in app.functions.values() {
            let asyncs: Vec<&EventSource> = app
                .events_of(&f.id)
                .filter(|e| e.mode == Mode::Async)
                .collect();
            let mut sources: Vec<String> = Vec::new();
            for e in &asyncs {
                if e.kind == "AWS::Lambda::Permission" && ambiguous_permission(app, e, f) {
                    continue;
                }
                // A permission for a rule, topic or bucket already named is the same invocation
                // (without `SourceArn`, a permission next to a declared source is taken to be its).
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
            if sources.is_empty() {
                continue;
            }
            if own_destination(app, f) != Some(false)
                || invoke_config_resource(app, f) != Some(false)
            {
                continue;
            }
            let (path, help) = if f.sam {
                (
                    "EventInvokeConfig",
                    format!(
                        "add `EventInvokeConfig: {{DestinationConfig: {{OnFailure: {{Type: SQS, Destination: !GetAtt {0}FailureQueue.Arn}}}}}}` (or `DeadLetterQueue: {{Type: SQS, TargetArn: !GetAtt {0}FailureQueue.Arn}}`) to `{0}`{1}",
                        f.id,
                        if f.uses_globals(&app.tpl, "EventInvokeConfig") {
                            " or to `Globals.Function`"
                        } else {
                            " (its `IgnoreGlobals` excludes `Globals.Function`)"
                        }
                    ),
                )
            } else {
                (
                    "DeadLetterConfig",
                    format!(
                        "add an `AWS::Lambda::EventInvokeConfig` with `FunctionName: !Ref {0}`, `Qualifier: $LATEST` and `DestinationConfig.OnFailure.Destination` (an SQS queue, SNS topic, S3 bucket or function), or `DeadLetterConfig: {{TargetArn: !GetAtt {0}FailureQueue.Arn}}` on `{0}`",
                        f.id
                    ),
                )
            };
            // Serverless Framework / CDK users fix it in their own terms.
            let help = match app.tpl.dialect().say("EventInvokeConfig.OnFailure") {
                Some(how) => {
                    format!("add {how}, so an event that still fails after the retries is kept")
                }
                None => help,
            };
            cx.emit(
                Report::new(f.anchor(&app.tpl), message(&f.id, &sources))
                    .resource(&f.id)
                    .path(&[path])
                    .help(help),
            );
        }
    }
}
