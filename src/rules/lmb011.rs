//! LMB011 timeout-exceeds-api-integration.

use crate::graph::collect_refs;
use crate::model::{Known, Prop};
use crate::rule::{Context, Report, Rule};

pub struct TimeoutExceedsApiIntegration;

/// API Gateway integration limits, in seconds.
pub const REST_LIMIT: f64 = 29.0;
pub const HTTP_LIMIT: f64 = 30.0;

pub fn message(function: &str, timeout: f64, api: &str, limit: f64, from_globals: bool) -> String {
    let origin = if from_globals {
        " (from `Globals.Function`)"
    } else {
        ""
    };
    format!(
        "function `{function}` has `Timeout: {timeout}`{origin} but sits behind {api}, whose integration times out after {limit} s: the client gets a 504 while the function keeps running"
    )
}

impl Rule for TimeoutExceedsApiIntegration {
    fn code(&self) -> &'static str {
        "LMB011"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        // Functions integrated by plain CloudFormation API resources.
        let mut cfn_rest: Vec<String> = Vec::new();
        let mut cfn_http: Vec<String> = Vec::new();
        for r in tpl.resources.values() {
            let (node, list) = match r.type_.as_str() {
                "AWS::ApiGateway::Method" => (
                    r.properties
                        .and_then(|p| doc.get_path(p, &["Integration", "Uri"])),
                    &mut cfn_rest,
                ),
                "AWS::ApiGatewayV2::Integration" => (tpl.prop(r, "IntegrationUri"), &mut cfn_http),
                _ => continue,
            };
            let Some(node) = node else { continue };
            let mut refs = Vec::new();
            collect_refs(tpl, node, &mut refs);
            for id in refs {
                if app.functions.contains_key(&id) && !list.contains(&id) {
                    list.push(id);
                }
            }
        }
        for f in app.functions.values() {
            let events: Vec<_> = app.events_of(&f.id).collect();
            let rest = events.iter().any(|e| e.kind == "Api") || cfn_rest.contains(&f.id);
            let http = events.iter().any(|e| e.kind == "HttpApi") || cfn_http.contains(&f.id);
            let (api, limit) = if rest {
                ("an API Gateway REST API", REST_LIMIT)
            } else if http {
                ("an API Gateway HTTP API", HTTP_LIMIT)
            } else {
                continue;
            };
            let Some(Prop {
                node, from_globals, ..
            }) = f.prop(tpl, "Timeout")
            else {
                continue;
            };
            let Known::Yes(timeout) = tpl.number(node) else {
                continue;
            };
            if timeout <= limit {
                continue;
            }
            let where_ = if from_globals {
                "set `Timeout` on the function"
            } else {
                "lower `Timeout`"
            };
            cx.emit(
                Report::new(doc.span(node), message(&f.id, timeout, api, limit, from_globals))
                    .resource(&f.id)
                    .path(&["Timeout"])
                    .help(format!(
                        "{where_} to at most {limit} s, or make the work asynchronous (return 202 and hand it to a queue or a Step Functions execution)"
                    )),
            );
        }
    }
}
