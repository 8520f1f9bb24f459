//! DDB001 provisioned-table-unbounded-callers.

use crate::model::Known;
use crate::model::concurrency::{reserved, unbounded_trigger};
use crate::rule::{Context, Report, Rule};

pub struct ProvisionedTableUnboundedCallers;

pub fn message(table: &str, callers: &[(String, Option<String>)]) -> String {
    let who = callers
        .iter()
        .map(|(f, t)| match t {
            Some(t) => format!("`{f}` (its {t} scales it out)"),
            None => format!("`{f}` (nothing in the template bounds how often it runs)"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let s = if callers.len() == 1 { "" } else { "s" };
    format!(
        "table `{table}` has provisioned capacity without auto scaling, and function{s} {who} with no reserved concurrency read or write it: a burst of invocations exceeds the capacity, and their requests fail with `ProvisionedThroughputExceededException`"
    )
}

impl Rule for ProvisionedTableUnboundedCallers {
    fn code(&self) -> &'static str {
        "DDB001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let links = app.links();
        for t in app.tables() {
            if t.provisioned != Known::Yes(true) || t.autoscaled || t.callers.is_empty() {
                continue;
            }
            // A provisioned `AWS::DynamoDB::Table` without `ProvisionedThroughput` is a stub (it
            // does not deploy as written): its capacity is not known.
            if app.tpl.resource(&t.id).is_some_and(|r| {
                r.type_ == "AWS::DynamoDB::Table"
                    && app.tpl.prop(r, "ProvisionedThroughput").is_none()
            }) {
                continue;
            }
            let mut unbounded: Vec<(String, Option<String>)> = Vec::new();
            for fid in &t.callers {
                let Some(f) = app.functions.get(fid) else {
                    continue;
                };
                if reserved(app, f).is_some() {
                    continue;
                }
                if let Some(trigger) = unbounded_trigger(app, links, f) {
                    unbounded.push((fid.clone(), trigger));
                }
            }
            if unbounded.is_empty() {
                continue;
            }
            let help = if t.sam {
                format!(
                    "drop `ProvisionedThroughput` from `{}` (on-demand capacity follows the traffic), or use an `AWS::DynamoDB::Table` with auto scaling, or cap the functions with `ReservedConcurrentExecutions`",
                    t.id
                )
            } else {
                format!(
                    "set `BillingMode: PAY_PER_REQUEST` on `{}`, or add `AWS::ApplicationAutoScaling::ScalableTarget`s (and target-tracking policies) for its read and write capacity, or cap the functions with `ReservedConcurrentExecutions`",
                    t.id
                )
            };
            cx.emit(
                Report::new(t.key_span, message(&t.id, &unbounded))
                    .resource(&t.id)
                    .path(&["BillingMode"])
                    .help(help),
            );
        }
    }
}
