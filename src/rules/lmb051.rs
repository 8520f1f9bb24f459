//! LMB051 tracing-disabled.

use std::collections::HashMap;

use crate::fix::{Applicability, Editor, Val, aws};
use crate::model::{App, Function, Known, RoleRef};
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

/// The actions Active tracing needs on the execution role (`AWSXRayDaemonWriteAccess`).
const XRAY_ACTIONS: &[&str] = &["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// Does the role of `f` already allow X-Ray, or will SAM add it? `None`: the role is outside the
/// template (its permissions cannot be edited; Lambda refuses Active tracing without them).
fn xray_granted(app: &App, f: &Function) -> Option<bool> {
    match &f.role {
        RoleRef::SamGenerated => Some(true),
        RoleRef::Template(role) => Some(aws::role_mentions(
            &app.tpl,
            role,
            &["xray:PutTraceSegments", "xray:*", "*"],
            &["XRayDaemonWriteAccess", "XrayWriteOnlyAccess"],
        )),
        RoleRef::External(_) | RoleRef::Missing => None,
    }
}

/// Give the role of `f` the X-Ray actions when it does not have them (`granted`: what
/// [`xray_granted`] says of it).
fn grant_xray(e: &mut Editor<'_>, granted: Option<bool>, f: &Function) -> Option<()> {
    match (granted?, &f.role) {
        (false, RoleRef::Template(role)) => {
            aws::grant_role_actions(e, role, XRAY_ACTIONS, Val::str("*"), "XRayWrite")
        }
        _ => Some(()),
    }
}

/// Should the SAM fix go into `Globals.Function`? When the SAM functions (several, or a
/// `Globals.Function` section exists) all lack `Tracing`, take it from `Globals` and have the
/// role SAM generates (which SAM gives the X-Ray permissions).
fn tracing_in_globals(app: &App) -> bool {
    let tpl = &app.tpl;
    let sam: Vec<_> = app.functions.values().filter(|f| f.sam).collect();
    tpl.is_sam
        && (sam.len() >= 2 || tpl.globals_function.is_some())
        && sam.iter().all(|f| {
            f.prop(tpl, "Tracing").is_none()
                && f.uses_globals(tpl, "Tracing")
                && f.role == RoleRef::SamGenerated
        })
}

/// `Globals.Function.Tracing: Active`, creating `Function` or `Globals` (before `Resources`).
fn set_globals_tracing(e: &mut Editor<'_>) -> Option<()> {
    let tpl = e.tpl;
    let root = tpl.doc.root?;
    let v = Val::str("Active");
    match (tpl.globals_function, tpl.doc.get(root, "Globals")) {
        (Some(gf), _) => e.insert(gf, &["Tracing"], v),
        (None, Some(g)) => e.insert(g, &["Function", "Tracing"], v),
        (None, None) => e.insert_before(
            root,
            "Globals",
            "Resources",
            Val::map([("Function", Val::map([("Tracing", v)]))]),
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
        // Read once per template, not once per function (a role shared by thousands of
        // functions, as the Serverless Framework makes, would be read again for each).
        let mut granted_by_role: HashMap<String, Option<bool>> = HashMap::new();
        let mut globals_sam_roles: Option<bool> = None;
        let mut in_globals: Option<bool> = None;
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
            let granted = match &f.role {
                RoleRef::Template(role) => *granted_by_role
                    .entry(role.clone())
                    .or_insert_with(|| xray_granted(app, f)),
                _ => xray_granted(app, f),
            };
            // Unsafe: X-Ray is paid per trace, and the role gets the X-Ray write actions.
            let fix = match (&setting, f.sam) {
                // From `Globals.Function`: set there when every function taking it has the role
                // SAM generates.
                (Some((p, _)), true) if p.from_globals => {
                    (*globals_sam_roles.get_or_insert_with(|| {
                        app.functions
                            .values()
                            .filter(|g| g.sam && g.uses_globals(tpl, "Tracing"))
                            .all(|g| g.role == RoleRef::SamGenerated)
                    }))
                    .then(|| {
                        cx.fix(
                            "Set `Tracing: Active` in `Globals.Function`",
                            Applicability::Unsafe,
                            |e| e.set(p.node, &Val::str("Active")),
                        )
                    })
                    .flatten()
                }
                (Some((p, _)), _) => cx.fix(
                    format!("Set `{key}: Active` on `{}`", f.id),
                    Applicability::Unsafe,
                    |e| {
                        grant_xray(e, granted, f)?;
                        e.set(p.node, &Val::str("Active"))
                    },
                ),
                (None, true) if *in_globals.get_or_insert_with(|| tracing_in_globals(app)) => cx
                    .fix(
                        "Set `Tracing: Active` in `Globals.Function`",
                        Applicability::Unsafe,
                        set_globals_tracing,
                    ),
                (None, sam) => cx.fix(
                    format!("Set `{key}: Active` on `{}`", f.id),
                    Applicability::Unsafe,
                    |e| {
                        grant_xray(e, granted, f)?;
                        let path: &[&str] = if sam {
                            &["Properties", "Tracing"]
                        } else {
                            &["Properties", "TracingConfig", "Mode"]
                        };
                        e.insert(f.resource(tpl)?.node, path, Val::str("Active"))
                    },
                ),
            };
            cx.emit(
                Report::new(span, message(&f.id, text.as_deref()))
                    .resource(&f.id)
                    .path(&[if f.sam { "Tracing" } else { "TracingConfig" }])
                    .help(help)
                    .fix(fix),
            );
        }
    }
}
