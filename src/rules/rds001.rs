//! RDS001 unbounded-concurrency-to-database.

use crate::load::NodeId;
use crate::model::concurrency::{is_sqs, max_concurrency, unbounded_trigger};
use crate::model::database::{
    DbConnection, DbIndex, HandlerDbFacts, How, connections, proxied_databases, proxy_used,
    uses_data_api,
};
use crate::model::network::FunctionLinks;
use crate::model::{App, Function, Mode};
use crate::rule::{Context, Report, Rule};

pub struct UnboundedConcurrencyToDatabase;

/// `trigger`: the invocation that scales with traffic, `None` when the template shows none.
pub fn message(function: &str, conns: &[DbConnection], trigger: Option<&str>) -> String {
    let what = conns
        .iter()
        .map(|c| match &c.db {
            Some(db) => format!("database `{db}` ({})", c.how.describe(Some(db))),
            None => format!("a database ({})", c.how.describe(None)),
        })
        .collect::<Vec<_>>()
        .join(" and ");
    let scales = match trigger {
        Some(t) => format!("its {t} scales it out"),
        None => "nothing in the template bounds how often it is invoked".to_string(),
    };
    format!(
        "function `{function}` connects to {what} with no `ReservedConcurrentExecutions` and no RDS Proxy, and {scales}: every concurrent execution holds its own connection, and a burst can exhaust the database's connection limit"
    )
}

fn sqs_without_cap(app: &App, f: &Function) -> Vec<String> {
    app.events_of(&f.id)
        .filter(|e| e.mode == Mode::Queue && is_sqs(app, e))
        .filter(|e| max_concurrency(app, e).is_none())
        .map(|e| e.name.clone().unwrap_or_else(|| e.declared_in.clone()))
        .collect()
}

/// Does the function's configuration name an RDS Proxy it connects through, when the database is
/// outside the template? An environment variable whose name or value mentions a proxy
/// (`DB_PROXY_HOST`, `!Ref RdsProxyEndpoint`), or `rds-db:connect` on a proxy resource id
/// (`dbuser:prx-...` or a `${ProxyResourceId}` variable) in its role's policies.
fn names_a_proxy(app: &App, f: &Function) -> bool {
    let tpl = &app.tpl;
    let text_of = |n: NodeId| {
        tpl.file
            .text
            .get(tpl.doc.span(n).range())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let env = crate::model::database::environment(tpl, f);
    if env.iter().any(|(name, node)| {
        name.to_ascii_lowercase().contains("proxy") || text_of(*node).contains("proxy")
    }) {
        return true;
    }
    crate::model::database::policy_nodes(tpl, f)
        .into_iter()
        .any(|n| {
            let t = text_of(n);
            t.contains("rds-db:") && (t.contains("prx-") || t.contains("proxy"))
        })
}

impl Rule for UnboundedConcurrencyToDatabase {
    fn code(&self) -> &'static str {
        "RDS001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let proxied = proxied_databases(tpl);
        let idx = DbIndex::new(app);
        let handlers = cx.handlers;
        let handler_db = |id: &str| -> HandlerDbFacts {
            let Some(h) = handlers.and_then(|h| h.get(id)) else {
                return HandlerDbFacts::default();
            };
            let Some(d) = h.db.first() else {
                return HandlerDbFacts::default();
            };
            HandlerDbFacts {
                driver: Some(d.driver.clone()),
                at: Some(format!(
                    "`{}:{}`",
                    d.file.display,
                    d.file.line_col(d.span.start).line
                )),
            }
        };
        if idx.databases.is_empty()
            && cx
                .handlers
                .is_none_or(|h| h.functions.values().all(|x| x.db.is_empty()))
        {
            return;
        }
        let links = FunctionLinks::new(tpl);
        for f in app.functions.values() {
            // A DB driver connect in the handler counts when the template shows no link.
            let mut conns = connections(app, &idx, f, &handler_db(&f.id));
            if conns.is_empty()
                || f.prop(tpl, "ReservedConcurrentExecutions").is_some()
                || proxy_used(tpl, f).is_some()
            {
                continue;
            }
            conns.retain(|c| match c.db.as_deref() {
                // Aurora Data API: HTTPS calls, no connections held.
                Some(db) if uses_data_api(app, f, db) => false,
                // Only a security group path to a database an RDS Proxy fronts: the function may
                // well go through the proxy.
                Some(db)
                    if matches!(c.how, How::SecurityGroup { .. })
                        && proxied.iter().any(|p| p == db) =>
                {
                    false
                }
                _ => true,
            });
            if conns.is_empty() {
                continue;
            }
            let Some(trigger) = unbounded_trigger(app, &links, f) else {
                continue;
            };
            let sqs = sqs_without_cap(app, f);
            let mut help = format!(
                "set `ReservedConcurrentExecutions` on `{}` below the database's `max_connections`, or connect through an `AWS::RDS::DBProxy`",
                f.id
            );
            if f.sam {
                help.push_str(
                    " (`ReservedConcurrentExecutions` may also go in `Globals.Function`)",
                );
            }
            if !sqs.is_empty() {
                help.push_str(&format!(
                    "; for the SQS source{} {}, `ScalingConfig: {{MaximumConcurrency: 5}}` caps the pollers",
                    if sqs.len() == 1 { "" } else { "s" },
                    sqs.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            // Only the handler shows the connection: the database (and whatever fronts it) is
            // outside the template, so an RDS Proxy cannot be ruled out: info, with the reason.
            let driver_only = conns.iter().all(|c| c.db.is_none());
            if driver_only && names_a_proxy(app, f) {
                continue;
            }
            let mut msg = message(&f.id, &conns, trigger.as_deref());
            if driver_only {
                msg.push_str(" (info: the database is not in this template, so whether an RDS Proxy fronts it is unknown)");
            }
            let mut report = Report::new(f.anchor(tpl), msg)
                .resource(&f.id)
                .path(&["ReservedConcurrentExecutions"])
                .help(help);
            if driver_only {
                report = report.severity(crate::diagnostic::Severity::Info);
            }
            cx.emit(report);
        }
    }
}
