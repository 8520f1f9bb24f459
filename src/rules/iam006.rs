//! IAM006 code-calls-without-permission.

use std::collections::BTreeSet;

use crate::handler::actions::Needs;
use crate::rule::{Context, Report, Rule};

use super::handler_util::{each, glob, known_allows};
pub struct CodeCallsWithoutPermission;

pub fn message_iam006(function: &str, action: &str) -> String {
    format!("handler of `{function}` calls `{action}`, but no policy on its role allows it")
}

impl Rule for CodeCallsWithoutPermission {
    fn code(&self) -> &'static str {
        "IAM006"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            let Some(allows) = known_allows(cx, &f.function, true) else {
                continue;
            };
            let mut seen = BTreeSet::new();
            // Calls made with credentials the code passes (a tenant's, an assumed role's) do
            // not use the function's role.
            for c in f.calls.iter().filter(|c| !c.own_credentials) {
                // Calls needing no permission, and calls whose action is not a known IAM
                // action, are never reported (precision first).
                let Needs::Actions(actions) = c.needs() else {
                    continue;
                };
                for action in actions {
                    if !seen.insert(action.clone()) {
                        continue;
                    }
                    if allows.iter().any(|(p, _, _)| glob(p, &action)) {
                        continue;
                    }
                    let r = Report::new(c.span, message_iam006(&f.function, &action))
                        .resource(&f.function)
                        .help(format!("grant `{action}` on the resource the code uses (a SAM policy template or a statement in the role's policy)"));
                    cx.emit_in(&c.file, r);
                }
            }
        }
    }
}
