//! HDL010 http-call-without-timeout.

use crate::fix::source::{FixBudget, http_timeout_fix};
use crate::model::Known;
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
use crate::diagnostic::Severity;
use crate::handler::hygiene::{ClientSdk, DefaultTimeoutClient};
use crate::model::Resource;
pub struct HttpCallWithoutTimeout;

pub fn message_hdl010(function: &str, callee: &str) -> String {
    format!(
        "`{callee}` in `{function}` has no timeout: a slow server holds the function until it times out"
    )
}

pub fn message_hdl010_late(function: &str, callee: &str, seconds: f64, timeout: f64) -> String {
    format!(
        "`{callee}` in `{function}` has a {seconds} s timeout, not shorter than the function's `Timeout` of {timeout} s: it can never fire"
    )
}

/// A client on the SDK's default timeouts in a function behind an API (`api`, giving up after
/// `limit` seconds).
pub fn message_hdl010_sdk(
    function: &str,
    service: &str,
    sdk: ClientSdk,
    api: &str,
    limit: f64,
) -> String {
    let default = match sdk {
        ClientSdk::Boto3 => {
            "keeps boto3's default timeouts (60 s to connect and 60 s to read, each attempt retried)"
        }
        ClientSdk::JsV3 => "has no request timeout (the JavaScript SDK v3 default)",
        ClientSdk::JsV2 => {
            "keeps the JavaScript SDK v2's default timeout (120 s per request, no connect timeout)"
        }
    };
    format!(
        "the `{service}` client of `{function}` {default}, but the function is behind {api}, which gives up after {limit} s: a slow AWS call outlasts the API's answer"
    )
}

/// What to set, per SDK: a read timeout of at most 5 s and under half the API's limit, so that
/// a retry still ends before the API gives up.
fn help_sdk(sdk: ClientSdk, limit: f64) -> String {
    let read = ((limit / 2.0).floor() - 2.0).clamp(1.0, 5.0);
    match sdk {
        ClientSdk::Boto3 => format!(
            "pass `config=Config(connect_timeout=1, read_timeout={read}, retries={{\"total_max_attempts\": 2}})` (`from botocore.config import Config`): the call and a retry then end within the API's {limit} s"
        ),
        ClientSdk::JsV3 => format!(
            "set `requestHandler: {{ connectionTimeout: 1000, requestTimeout: {}, throwOnRequestTimeout: true }}` (or a `NodeHttpHandler` with them) and `maxAttempts: 2` in the client's configuration: the call and a retry then end within the API's {limit} s (since `@smithy/node-http-handler` 4.4 a request timeout only logs a warning without `throwOnRequestTimeout`)",
            read * 1000.0
        ),
        ClientSdk::JsV2 => format!(
            "set `httpOptions: {{ connectTimeout: 1000, timeout: {} }}` and `maxRetries: 1` in the client's configuration: the call and a retry then end within the API's {limit} s",
            read * 1000.0
        ),
    }
}

/// The function's timeout in seconds (3 when not set), when the template fixes it.
fn function_timeout(cx: &Context<'_>, function: &str) -> Option<f64> {
    let app = cx.app;
    let f = app.functions.get(function)?;
    match f.prop(&app.tpl, "Timeout") {
        None => Some(3.0),
        Some(t) => app.tpl.number(t.node).known(),
    }
}

impl Rule for HttpCallWithoutTimeout {
    fn code(&self) -> &'static str {
        "HDL010"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        // Fixes in the handler source, for templates the user edits (not a lowered
        // `serverless.yml` or a CDK assembly: their help says it in their own terms).
        let fixes = tpl.dialect() == crate::model::dialect::Dialect::CloudFormation;
        let api_resources: Vec<&Resource> = tpl
            .resources
            .values()
            .filter(|r| r.type_.starts_with("AWS::ApiGateway"))
            .collect();
        // What is parsed for the fixes, bounded per handler file.
        let mut budget = FixBudget::default();
        for f in each(cx) {
            // SDK clients on default timeouts in a function behind an API (info): the API
            // answers the caller with an error long before the SDK gives up.
            let behind = if f.hygiene.default_timeout_clients.is_empty() {
                None
            } else {
                app.functions.get(&f.function).and_then(|g| {
                    super::lmb011::integrations(app, g, &api_resources)
                        .into_iter()
                        .chain(super::lmb011::openapi_integrations(app, g))
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                })
            };
            if let Some((api, limit)) = &behind {
                // Only clients of a service the function makes a request to: a client used for
                // local signing only (an RDS auth token, a presigned URL) waits on nothing.
                for c in f
                    .hygiene
                    .default_timeout_clients
                    .iter()
                    .filter(|c| f.calls.iter().any(|k| k.network && k.service == c.service))
                {
                    let DefaultTimeoutClient {
                        sdk,
                        service,
                        file,
                        span,
                        ..
                    } = c;
                    let r = Report::new(
                        *span,
                        message_hdl010_sdk(&f.function, service, *sdk, api, *limit),
                    )
                    .resource(&f.function)
                    .severity(Severity::Info)
                    .help(help_sdk(*sdk, *limit));
                    cx.emit_in(file, r);
                }
            }
            let timeout = app.functions.get(&f.function).and_then(|g| {
                match g.prop(tpl, "Timeout").map(|p| tpl.number(p.node)) {
                    None => Some(3.0),
                    Some(Known::Yes(v)) => Some(v),
                    Some(Known::Unknown(_)) => None,
                }
            });
            // Calls to a Lambda extension on localhost are exempt.
            for h in f.http.iter().filter(|h| !h.has_timeout && !h.local) {
                let fix = timeout
                    .filter(|_| fixes)
                    .zip(h.extent)
                    .and_then(|(t, call)| {
                        http_timeout_fix(&mut budget, &h.file, call, &h.callee, t)
                    });
                let r = Report::new(h.span, message_hdl010(&f.function, &h.callee))
                    .resource(&f.function)
                    .help("pass a timeout shorter than the function's `Timeout` (`timeout=` in Python, an `AbortSignal.timeout(ms)` signal or `timeout` option in Node.js)")
                    .fix(fix);
                cx.emit_in(&h.file, r);
            }
            let Some(limit) = function_timeout(cx, &f.function) else {
                continue;
            };
            for t in f
                .hygiene
                .http_timeouts
                .iter()
                .filter(|t| t.seconds >= limit)
            {
                let r = Report::new(t.span, message_hdl010_late(&f.function, &t.callee, t.seconds, limit))
                    .resource(&f.function)
                    .help("give the call a timeout shorter than the function's `Timeout`, leaving time to handle the failure (log, retry, return an error)");
                cx.emit_in(&t.file, r);
            }
        }
    }
}
