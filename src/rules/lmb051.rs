//! LMB051 tracing-disabled.

use crate::model::Known;
use crate::rule::{Context, Report, Rule};

pub struct TracingDisabled;

pub fn message(function: &str, setting: Option<&str>) -> String {
    match setting {
        Some(s) => format!(
            "function `{function}` has {s}: it does not sample requests for AWS X-Ray, so its calls do not show in traces"
        ),
        None => format!(
            "function `{function}` does not enable AWS X-Ray tracing: its invocations and the calls they make do not show in traces"
        ),
    }
}

impl Rule for TracingDisabled {
    fn code(&self) -> &'static str {
        "LMB051"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for f in app.functions.values() {
            // SAM: `Tracing` (own or `Globals.Function`); CloudFormation: `TracingConfig.Mode`.
            let (prop, key) = if f.sam {
                (f.prop(tpl, "Tracing"), "Tracing")
            } else {
                (
                    f.nested(tpl, &["TracingConfig", "Mode"]).first().copied(),
                    "TracingConfig.Mode",
                )
            };
            let setting = match prop {
                None => None,
                Some(p) => match tpl.string(p.node) {
                    Known::Yes(v) if v.eq_ignore_ascii_case("Active") => continue,
                    Known::Yes(v) => Some((p, v)),
                    Known::Unknown(_) => continue,
                },
            };
            // `TracingConfig` itself computed: not judged.
            if !f.sam
                && setting.is_none()
                && f.prop(tpl, "TracingConfig").is_some_and(|p| {
                    tpl.doc.as_map(p.node).is_none() || tpl.doc.intrinsic(p.node).is_some()
                })
            {
                continue;
            }
            let (span, text) = match &setting {
                Some((p, v)) if !p.from_globals => (p.key_span, Some(format!("`{key}: {v}`"))),
                Some((_, v)) => (
                    f.anchor(tpl),
                    Some(format!("`{key}: {v}` (from `Globals.Function`)")),
                ),
                None => (f.anchor(tpl), None),
            };
            let help = if f.sam {
                format!(
                    "set `Tracing: Active` on `{}` or once in `Globals.Function` (SAM adds the X-Ray permissions)",
                    f.id
                )
            } else {
                format!(
                    "set `TracingConfig: {{Mode: Active}}` on `{}` and allow `xray:PutTraceSegments` and `xray:PutTelemetryRecords` to its role (`AWSXRayDaemonWriteAccess`)",
                    f.id
                )
            };
            cx.emit(
                Report::new(span, message(&f.id, text.as_deref()))
                    .resource(&f.id)
                    .path(&[if f.sam { "Tracing" } else { "TracingConfig" }])
                    .help(help),
            );
        }
    }
}
