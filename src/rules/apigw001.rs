//! APIGW001 api-without-throttling.

use crate::diagnostic::Severity;
use crate::model::api::{Api, ApiKind, Stage};
use crate::model::concurrency::reserved;
use crate::model::database::{DbIndex, HandlerDbFacts, connections};
use crate::model::{App, Known};
use crate::rule::{Context, Report, Rule};

pub struct ApiWithoutThrottling;

pub fn message(stage: &str, kind: ApiKind, bounded: Option<&str>) -> String {
    let what = match kind {
        ApiKind::Rest => "no `MethodSettings` rate or burst limit and no usage plan",
        ApiKind::Http | ApiKind::WebSocket => {
            "no `DefaultRouteSettings` or `RouteSettings` rate or burst limit"
        }
    };
    let base = format!(
        "{stage} has no throttling ({what}): it accepts up to the account's 10,000 requests per second, a quota shared by every API of the account in the region"
    );
    match bounded {
        Some(b) => format!(
            "{base}, while its backend cannot follow ({b}): a burst turns into throttled invocations and errors there instead of 429s at the door"
        ),
        None => base,
    }
}

/// Why the backend of an API cannot absorb unbounded traffic, if it cannot.
fn bounded_backend(
    app: &App,
    has_db: bool,
    idx: &mut Option<DbIndex>,
    api: &Api,
) -> Option<String> {
    for fid in &api.functions {
        let Some(f) = app.functions.get(fid) else {
            continue;
        };
        if let Some(Known::Yes(r)) = reserved(app, f)
            && r > 0.0
        {
            return Some(format!(
                "function `{fid}` has `ReservedConcurrentExecutions: {r}`"
            ));
        }
        for t in app.tables() {
            if t.provisioned == Known::Yes(true) && t.callers.iter().any(|c| c == fid) {
                return Some(format!(
                    "function `{fid}` uses table `{}`, which has provisioned capacity",
                    t.id
                ));
            }
        }
        if has_db {
            let idx = idx.get_or_insert_with(|| DbIndex::new(app));
            if let Some(c) = connections(app, idx, f, &HandlerDbFacts::default()).first()
                && let Some(db) = &c.db
            {
                return Some(format!("function `{fid}` connects to database `{db}`"));
            }
        }
    }
    None
}

fn help(s: &Stage) -> String {
    match (s.kind, s.sam, s.implicit) {
        (ApiKind::Rest, true, true) => "add `MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}]` to `Globals.Api` (the implicit API takes its settings from there), with limits the backend can take".into(),
        (ApiKind::Rest, true, false) => format!("add `MethodSettings: [{{ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}}]` to `{}` (or `Globals.Api`), with limits the backend can take", s.declared_in),
        (ApiKind::Rest, false, _) => format!("add `MethodSettings: [{{ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}}]` to `{}`, with limits the backend can take", s.declared_in),
        (_, true, true) => "add `DefaultRouteSettings: {ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}` to `Globals.HttpApi`, with limits the backend can take".into(),
        (_, _, _) => format!("add `DefaultRouteSettings: {{ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200}}` to `{}`, with limits the backend can take", s.declared_in),
    }
}

impl Rule for ApiWithoutThrottling {
    fn code(&self) -> &'static str {
        "APIGW001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let apis = app.apis();
        let mut idx: Option<DbIndex> = None;
        let has_db = app.tpl.resources.values().any(|r| {
            r.type_ == crate::model::database::DB_INSTANCE
                || r.type_ == crate::model::database::DB_CLUSTER
        });
        for s in &apis.stages {
            if s.throttling != Known::Yes(None) {
                continue;
            }
            let bounded = apis
                .api(&s.api)
                .and_then(|a| bounded_backend(app, has_db, &mut idx, a));
            let path = if s.kind == ApiKind::Rest {
                "MethodSettings"
            } else {
                "DefaultRouteSettings"
            };
            let mut r = Report::new(s.anchor, message(&s.describe(), s.kind, bounded.as_deref()))
                .resource(&s.declared_in)
                .path(&[path])
                .help(help(s));
            r = r.severity(if bounded.is_some() {
                Severity::Warning
            } else {
                Severity::Info
            });
            cx.emit(r);
        }
    }
}
