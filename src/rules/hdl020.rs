//! HDL020 env-var-not-configured.

use std::collections::HashSet;

use crate::diagnostic::Severity;
use crate::model::Known;
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
use super::wiring_util::{environment, lambda_provided};

pub struct EnvVarNotConfigured;

pub fn message_hdl020(function: &str, name: &str, python: bool, sam: bool) -> String {
    let unset = if sam {
        "neither the function nor `Globals` sets"
    } else {
        "the function does not set"
    };
    if python {
        format!(
            "`{function}` reads environment variable `{name}`, which {unset}: `os.environ[\"{name}\"]` raises `KeyError`"
        )
    } else {
        format!(
            "`{function}` reads environment variable `{name}`, which {unset}: `process.env.{name}` is `undefined`"
        )
    }
}

impl Rule for EnvVarNotConfigured {
    fn code(&self) -> &'static str {
        "HDL020"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            let Some(func) = cx.app.functions.get(&f.function) else {
                continue;
            };
            // A `.env` file loaded, variables set by the code from elsewhere: unknown.
            if f.wiring.env_dynamic.is_some() {
                continue;
            }
            let Known::Yes(env) = environment(cx.app, func) else {
                continue;
            };
            let mut seen: HashSet<&str> = HashSet::new();
            for r in f.wiring.env_reads.iter().filter(|r| r.hard) {
                if env.contains_key(&r.name)
                    || lambda_provided(&r.name)
                    || f.wiring.env_set.contains(&r.name)
                    || !seen.insert(r.name.as_str())
                {
                    continue;
                }
                let mut rep = Report::new(
                    r.span,
                    message_hdl020(&f.function, &r.name, r.python, func.sam),
                )
                .resource(&f.function)
                .help(format!(
                    "set `{}` under `Environment.Variables` of `{}`{}, or read it with a default",
                    r.name,
                    f.function,
                    if func.sam {
                        " (or `Globals.Function`)"
                    } else {
                        ""
                    }
                ));
                if !r.python {
                    rep = rep.severity(Severity::Warning);
                }
                cx.emit_in(&r.file, rep);
            }
        }
    }
}
