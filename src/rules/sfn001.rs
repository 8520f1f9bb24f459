//! SFN001 task-without-timeout.

use crate::diagnostic::Severity;
use crate::model::Known;
use crate::model::stepfunctions::{Location, Pattern, StateMachine, Task, TaskResource};
use crate::rule::{Context, Report, Rule};

pub struct TaskWithoutTimeout;

/// What the task waits for, when it waits for something outside the state machine.
fn waits_for(t: &Task) -> Option<String> {
    match &t.resource {
        TaskResource::Activity(a) => Some(match a {
            Some(a) => format!("waits for a worker of activity `{a}`"),
            None => "waits for an activity worker".into(),
        }),
        TaskResource::Service {
            name,
            pattern: Pattern::WaitForTaskToken,
        } => Some(format!("waits for a task token (`{name}`)")),
        TaskResource::Lambda {
            pattern: Pattern::WaitForTaskToken,
            ..
        } => Some("waits for a task token (`lambda:invoke.waitForTaskToken`)".into()),
        TaskResource::Service {
            name,
            pattern: Pattern::Sync,
        } => Some(format!("runs `{name}` and waits for it to finish")),
        _ => None,
    }
}

pub fn message(machine: &str, state: &str, waits: &str, in_string: bool) -> String {
    let where_ = if in_string {
        " (in `DefinitionString`)"
    } else {
        ""
    };
    format!(
        "task state `{state}` of state machine `{machine}`{where_} {waits} with no `TimeoutSeconds` or `HeartbeatSeconds`, and the state machine has no `TimeoutSeconds`: if the answer never comes, the execution waits a year (the default) before it fails"
    )
}

pub fn message_unread(machine: &str, why: &str) -> String {
    format!(
        "the definition of state machine `{machine}` was not read, so its tasks are not checked: {why}"
    )
}

/// Report a finding where the state is written (the template, or the definition file).
pub(crate) fn emit_at(
    cx: &mut Context<'_>,
    loc: &Location,
    r: impl FnOnce(crate::source::Span) -> Report,
) {
    match loc {
        Location::Template(span) => cx.emit(r(*span)),
        Location::File(file, span) => cx.emit_in(file, r(*span)),
    }
}

/// A definition file that could not be read: said once, at info level (by SFN001, or by SFN002
/// when SFN001 is off).
pub(crate) fn report_unread(cx: &mut Context<'_>, m: &StateMachine) {
    let Some(why) = &m.unread else { return };
    cx.emit(
        Report::new(m.key_span, message_unread(&m.id, why))
            .resource(&m.id)
            .path(&["DefinitionUri"])
            .severity(Severity::Info)
            .help("make the file readable inside the project (or allow its folder with `allowed-roots` in lambdalint.toml)"),
    );
}

impl Rule for TaskWithoutTimeout {
    fn code(&self) -> &'static str {
        "SFN001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for m in app.state_machines() {
            report_unread(cx, m);
            // Express workflows cannot wait (and end after five minutes); a machine-wide
            // `TimeoutSeconds` bounds every state.
            if m.express == Known::Yes(true) || m.timeout {
                continue;
            }
            let Known::Yes(tasks) = &m.tasks else {
                continue;
            };
            let in_string = !m.sam
                && m.file.is_none()
                && app
                    .tpl
                    .resource(&m.id)
                    .and_then(|r| app.tpl.prop(r, "DefinitionString"))
                    .is_some();
            for t in tasks {
                if t.timeout || t.heartbeat {
                    continue;
                }
                let Some(waits) = waits_for(t) else { continue };
                let msg = message(&m.id, &t.name, &waits, in_string);
                let help = format!(
                    "add `TimeoutSeconds` to `{}` (or `HeartbeatSeconds`, with a worker that sends heartbeats), and a `Catch` for `States.Timeout`",
                    t.name
                );
                let id = m.id.clone();
                let path: Vec<String> = std::iter::once("Definition".to_string())
                    .chain(t.path.iter().cloned())
                    .chain(std::iter::once("TimeoutSeconds".to_string()))
                    .collect();
                emit_at(cx, &t.location, |span| {
                    Report::new(span, msg).resource(&id).path(&path).help(help)
                });
            }
        }
    }
}
