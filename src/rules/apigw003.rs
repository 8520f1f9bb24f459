//! APIGW003 api-data-trace-enabled.

use std::collections::HashSet;

use crate::rule::{Context, Report, Rule};

pub struct ApiDataTraceEnabled;

/// `globals`: the `Globals` section that sets it for every SAM API of its kind.
pub fn message(stage: &str, globals: Option<&str>) -> String {
    let who = match globals {
        Some(g) => {
            format!("`Globals.{g}` sets `DataTraceEnabled: true` for the SAM APIs of the template")
        }
        None => format!("{stage} has `DataTraceEnabled: true`"),
    };
    format!(
        "{who}: API Gateway writes full request and response bodies and headers (tokens, personal data) to CloudWatch Logs"
    )
}

impl Rule for ApiDataTraceEnabled {
    fn code(&self) -> &'static str {
        "APIGW003"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        // A `Globals` setting applies to several APIs: reported once.
        let mut seen: HashSet<(u32, u32)> = HashSet::new();
        for s in &app.apis().stages {
            for t in &s.data_trace {
                if !seen.insert((t.span.start, t.span.end)) {
                    continue;
                }
                let span = t.span;
                let path: Vec<&str> = t.path.iter().map(String::as_str).collect();
                let fix = cx.fix(
                    "Set `DataTraceEnabled: false`",
                    crate::fix::Applicability::Safe,
                    |e| {
                        let v = e.value_at_key(span)?;
                        e.set(v, &crate::fix::Val::Bool(false))
                    },
                );
                cx.emit(
                    Report::new(
                        span,
                        message(
                            &s.describe(),
                            t.from_globals.then_some(
                                if s.kind == crate::model::api::ApiKind::Rest {
                                    "Api"
                                } else {
                                    "HttpApi"
                                },
                            ),
                        ),
                    )
                        .resource(&s.declared_in)
                        .path(&path)
                        .help(match app.tpl.dialect().say("DataTraceEnabled") {
                            Some(how) => format!("stop logging full bodies: {how}; keep execution logging at `ERROR` or `INFO` and access logs, which record the request without its body"),
                            None => "remove `DataTraceEnabled` (or set it to `false`) outside short debugging sessions; keep `LoggingLevel: ERROR` or `INFO` and access logs, which record the request without its body".to_string(),
                        })
                        .fix(fix),
                );
            }
        }
    }
}
