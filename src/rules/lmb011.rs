//! LMB011 timeout-exceeds-api-integration.

use crate::fix::{Applicability, Val};
use crate::load::{NodeId, Value};
use crate::model::{App, Function, Known, Mode, Resource};
use crate::rule::{Context, Report, Rule};

pub struct TimeoutExceedsApiIntegration;

pub fn message(function: &str, timeout: f64, from_globals: bool, api: &str, limit: f64) -> String {
    let where_ = if from_globals {
        " (from `Globals.Function`)"
    } else {
        ""
    };
    // A WebSocket route has no HTTP status to return: the integration times out and the
    // client gets an error message on the connection.
    let outcome = if api.starts_with("API Gateway WebSocket") {
        "the client gets an integration timeout error on the connection"
    } else {
        "the caller gets a 504"
    };
    format!(
        "function `{function}` has `Timeout: {timeout}`{where_} but is behind {api}, which gives up after {limit} s: {outcome} while the function keeps running"
    )
}

/// The message of one `Globals.Function` timeout above the limit of the APIs of several
/// functions (reported once, at `Globals`).
pub fn message_globals(timeout: f64, limit: f64) -> String {
    format!(
        "`Timeout: {timeout}` in `Globals.Function` is above the {limit}-second limit of the API Gateway integrations in front of these functions: callers get an error while the functions keep running"
    )
}

/// Every resource a value refers to (Ref, GetAtt, Sub variables, inside Fn::Join...). `None` when an
/// `Fn::If` makes the value conditional.
fn refs(app: &App, node: NodeId, out: &mut Vec<String>) -> Option<()> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    if let Some((f, _)) = doc.intrinsic(node)
        && f == "Fn::If"
    {
        return None;
    }
    if let Some(id) = tpl.ref_resource(node) {
        out.push(id.to_string());
    }
    match doc.value(node) {
        Value::Map(m) => {
            for (_, _, v) in m.iter() {
                refs(app, v, out)?;
            }
        }
        Value::Seq(s) => {
            for c in s {
                refs(app, *c, out)?;
            }
        }
        _ => {}
    }
    Some(())
}

/// The limit from an optional `TimeoutInMillis` node, else the default. `None`: unknown.
fn limit(app: &App, millis: Option<NodeId>, default: f64) -> Option<f64> {
    match millis {
        None => Some(default),
        Some(n) => match app.tpl.number(n) {
            Known::Yes(v) => Some(v / 1000.0),
            Known::Unknown(_) => None,
        },
    }
}

/// The text of a string or of an `Fn::Sub` template.
fn text(app: &App, node: NodeId) -> Option<&str> {
    let doc = &app.tpl.doc;
    if let Some(s) = doc.as_str(node) {
        return Some(s);
    }
    match doc.intrinsic(node)? {
        ("Fn::Sub", arg) => doc
            .as_str(arg)
            .or_else(|| doc.as_seq(arg)?.first().and_then(|&t| doc.as_str(t))),
        _ => None,
    }
}

/// Does this integration stream its response (`STREAM` transfer mode, or the Lambda
/// `response-streaming-invocations` URI)? Then API Gateway does not give up after 29 s (up to 15
/// minutes).
fn streams(app: &App, mode: Option<NodeId>, uri: Option<NodeId>) -> bool {
    let doc = &app.tpl.doc;
    mode.and_then(|m| doc.as_str(m))
        .is_some_and(|m| m == "STREAM" || m == "RESPONSE_STREAM")
        || uri
            .and_then(|u| text(app, u))
            .is_some_and(|u| u.contains("/response-streaming-invocations"))
}

/// The `x-amazon-apigateway-integration` of a SAM `Api` / `HttpApi` event's path and method in the
/// OpenAPI `DefinitionBody` of the API it names (`RestApiId` / `ApiId`).
fn definition_integration(app: &App, kind: &str, props: NodeId) -> Option<NodeId> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let api_key = if kind == "HttpApi" {
        "ApiId"
    } else {
        "RestApiId"
    };
    let api = tpl.resource(tpl.ref_resource(doc.get(props, api_key)?)?)?;
    let body = tpl.prop(api, "DefinitionBody")?;
    let path = doc.as_str(doc.get(props, "Path")?)?;
    let method = doc.as_str(doc.get(props, "Method")?)?.to_ascii_lowercase();
    let method = if method == "any" {
        "x-amazon-apigateway-any-method".to_string()
    } else {
        method
    };
    let op = doc.get(doc.get(doc.get(body, "paths")?, path)?, &method)?;
    doc.get(op, "x-amazon-apigateway-integration")
}

/// (description, limit in seconds) of each API integration in front of `f` (`api_resources`:
/// the template's `AWS::ApiGateway*` resources). Also used by HDL010 (SDK clients on default
/// timeouts behind an API).
pub(crate) fn integrations(
    app: &App,
    f: &Function,
    api_resources: &[&Resource],
) -> Vec<(String, f64)> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out = Vec::new();
    for e in app
        .events_of(&f.id)
        .filter(|e| e.mode == Mode::Sync && e.name.is_some())
    {
        let (api, default) = match e.kind.as_str() {
            "Api" => ("API Gateway REST API", 29.0),
            "HttpApi" => ("API Gateway HTTP API", 30.0),
            _ => continue,
        };
        let def = e
            .props
            .and_then(|p| definition_integration(app, &e.kind, p));
        let event_mode = e.props.and_then(|p| doc.get(p, "ResponseTransferMode"));
        if streams(app, event_mode, None)
            || def.is_some_and(|i| {
                streams(app, doc.get(i, "responseTransferMode"), doc.get(i, "uri"))
            })
        {
            continue;
        }
        let millis = e
            .props
            .and_then(|p| doc.get(p, "TimeoutInMillis"))
            .or_else(|| def.and_then(|i| doc.get(i, "timeoutInMillis")));
        if let Some(l) = limit(app, millis, default) {
            let name = e.name.as_deref().unwrap_or_default();
            out.push((format!("{api} event `{name}`"), l));
        }
    }
    for r in api_resources {
        let (uri, millis, api, default) = match r.type_.as_str() {
            "AWS::ApiGateway::Method" => {
                let Some(i) = tpl.prop(r, "Integration") else {
                    continue;
                };
                // `X-Amz-Invocation-Type: 'Event'`: API Gateway invokes asynchronously, no wait.
                if doc
                    .get_path(
                        i,
                        &[
                            "RequestParameters",
                            "integration.request.header.X-Amz-Invocation-Type",
                        ],
                    )
                    .and_then(|n| doc.as_str(n))
                    .is_some_and(|v| v.trim_matches('\'') != "RequestResponse")
                {
                    continue;
                }
                if streams(app, doc.get(i, "ResponseTransferMode"), doc.get(i, "Uri")) {
                    continue;
                }
                (
                    doc.get(i, "Uri"),
                    doc.get(i, "TimeoutInMillis"),
                    "API Gateway REST method",
                    29.0,
                )
            }
            "AWS::ApiGatewayV2::Integration" => (
                tpl.prop(r, "IntegrationUri"),
                tpl.prop(r, "TimeoutInMillis"),
                "API Gateway HTTP API integration",
                30.0,
            ),
            _ => continue,
        };
        let Some(uri) = uri else { continue };
        let mut ids = Vec::new();
        if refs(app, uri, &mut ids).is_none() || !ids.contains(&f.id) {
            continue;
        }
        let websocket = r.type_ == "AWS::ApiGatewayV2::Integration"
            && tpl
                .prop(r, "ApiId")
                .and_then(|a| tpl.ref_resource(a))
                .and_then(|a| tpl.resource(a))
                .and_then(|a| tpl.prop(a, "ProtocolType"))
                .and_then(|p| doc.as_str(p))
                .is_some_and(|p| p == "WEBSOCKET");
        let (api, default) = if websocket {
            ("API Gateway WebSocket integration", 29.0)
        } else {
            (api, default)
        };
        if let Some(l) = limit(app, millis, default) {
            out.push((format!("{api} `{}`", r.id), l));
        }
    }
    out
}

/// (description, limit in seconds) of each integration of an inline OpenAPI definition
/// (`DefinitionBody` of a SAM `Api` / `HttpApi`, `Body` of a `RestApi` / ApiGatewayV2 `Api`)
/// whose `x-amazon-apigateway-integration` `uri` refers to `f` (streaming integrations
/// excepted). Used by HDL010; LMB011 reads the integrations of `f`'s events and resources only.
pub(crate) fn openapi_integrations(app: &App, f: &Function) -> Vec<(String, f64)> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out = Vec::new();
    for (ty, prop, api, default) in [
        (
            "AWS::Serverless::Api",
            "DefinitionBody",
            "API Gateway REST API",
            29.0,
        ),
        (
            "AWS::ApiGateway::RestApi",
            "Body",
            "API Gateway REST API",
            29.0,
        ),
        (
            "AWS::Serverless::HttpApi",
            "DefinitionBody",
            "API Gateway HTTP API",
            30.0,
        ),
        (
            "AWS::ApiGatewayV2::Api",
            "Body",
            "API Gateway HTTP API",
            30.0,
        ),
    ] {
        for r in tpl.resources_of(ty) {
            let Some(paths) = tpl
                .prop(r, prop)
                .and_then(|b| doc.get(b, "paths"))
                .and_then(|p| doc.as_map(p))
            else {
                continue;
            };
            for (path, _, ops) in paths.iter() {
                let Some(ops) = doc.as_map(ops) else { continue };
                for (method, _, op) in ops.iter() {
                    let Some(i) = doc.get(op, "x-amazon-apigateway-integration") else {
                        continue;
                    };
                    let Some(uri) = doc.get(i, "uri") else {
                        continue;
                    };
                    let mut ids = Vec::new();
                    if refs(app, uri, &mut ids).is_none() || !ids.contains(&f.id) {
                        continue;
                    }
                    if streams(app, doc.get(i, "responseTransferMode"), Some(uri)) {
                        continue;
                    }
                    if let Some(l) = limit(app, doc.get(i, "timeoutInMillis"), default) {
                        out.push((
                            format!(
                                "{api} `{}` (`{} {path}`)",
                                r.id,
                                method.to_ascii_uppercase()
                            ),
                            l,
                        ));
                    }
                }
            }
        }
    }
    out
}

impl Rule for TimeoutExceedsApiIntegration {
    fn code(&self) -> &'static str {
        "LMB011"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        // API integration resources, found once (not once per function).
        let api_resources: Vec<&Resource> = tpl
            .resources
            .values()
            .filter(|r| r.type_.starts_with("AWS::ApiGateway"))
            .collect();
        for f in app.functions.values() {
            let Some(t) = f.prop(tpl, "Timeout") else {
                continue;
            };
            let Known::Yes(timeout) = tpl.number(t.node) else {
                continue;
            };
            let over: Vec<(String, f64)> = integrations(app, f, &api_resources)
                .into_iter()
                .filter(|(_, l)| timeout > *l)
                .collect();
            let Some((api, l)) = over.iter().min_by(|a, b| a.1.total_cmp(&b.1)).cloned() else {
                continue;
            };
            let help = if let Some(how) = tpl.dialect().say("Timeout") {
                format!(
                    "lower {how} to {l} s or less, or answer the API quickly and hand long work to an asynchronous path (SQS, Step Functions)"
                )
            } else if t.from_globals {
                format!(
                    "set `Timeout: {l}` or less on `{}` (overriding `Globals.Function`), or answer the API quickly and hand long work to an asynchronous path (SQS, Step Functions)",
                    f.id
                )
            } else {
                format!(
                    "lower `Timeout` to {l} s or less, or answer the API quickly and hand long work to an asynchronous path (SQS, Step Functions)"
                )
            };
            // Whole seconds at or under the limit (Lambda timeouts are integers).
            let secs = l.floor();
            let fix = (secs >= 1.0).then_some(secs as i64).and_then(|secs| {
                cx.fix(
                    format!(
                        "Set `Timeout: {secs}` on `{}` (the integration limit)",
                        f.id
                    ),
                    Applicability::Unsafe,
                    |e| {
                        if t.from_globals {
                            let r = f.resource(tpl)?;
                            e.insert(r.node, &["Properties", "Timeout"], Val::Int(secs))
                        } else {
                            e.set(t.node, &Val::Int(secs))
                        }
                    },
                )
            });
            let mut report = Report::new(
                tpl.doc.span(t.node),
                message(&f.id, timeout, t.from_globals, &api, l),
            )
            .resource(&f.id)
            .path(&["Timeout"])
            .help(help)
            .fix(fix);
            if t.from_globals {
                // One cause for every function that inherits it: reported once, at Globals.
                report = report.shared_cause(
                    message_globals(timeout, l),
                    format!(
                        "lower `Timeout` in `Globals.Function` to {l} s or less (and give the functions that are not behind an API their own `Timeout`), or answer the API quickly and hand long work to an asynchronous path (SQS, Step Functions)"
                    ),
                    &["Globals", "Function", "Timeout"],
                    f.anchor(tpl),
                );
            }
            cx.emit(report);
        }
    }
}
