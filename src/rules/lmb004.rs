//! LMB004 batch-failure-reporting-mismatch.

use crate::diagnostic::Severity;
use crate::load::NodeId;
use crate::model::events::EventSource;
use crate::model::{App, Known, Target};
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;

pub struct BatchFailureReportingMismatch;

/// The handler reports item failures but the source does not read them.
pub fn message_lmb004_ignored(function: &str, source: &str, how: &str, at: &str) -> String {
    format!(
        "the handler of `{function}` reports batch item failures ({how} at `{at}`), but {source} lacks `FunctionResponseTypes: [ReportBatchItemFailures]`: Lambda ignores the response and treats the whole batch as processed, so the failed records are lost"
    )
}

/// The source reads item failures but the handler never reports them.
pub fn message_lmb004_unused(function: &str, source: &str) -> String {
    format!(
        "{source} sets `FunctionResponseTypes: [ReportBatchItemFailures]`, but the handler of `{function}` never returns `batchItemFailures`: every batch that does not raise counts as fully processed, and partial failures cannot be reported"
    )
}

/// An SQS, Kinesis or DynamoDB Streams source (the ones with batch item failure reporting):
/// its name for messages.
fn batch_source(app: &App, e: &EventSource) -> Option<String> {
    let tpl = &app.tpl;
    if let Some(name) = &e.name {
        return matches!(e.kind.as_str(), "SQS" | "Kinesis" | "DynamoDB")
            .then(|| format!("the `{}` event `{name}`", e.kind));
    }
    if e.kind != "AWS::Lambda::EventSourceMapping" {
        return None;
    }
    let arn = tpl.doc.get(e.props?, "EventSourceArn")?;
    let ok = match tpl.target(arn) {
        Target::Resource { id, .. } => tpl.resource(&id).is_some_and(|r| {
            matches!(
                r.type_.as_str(),
                "AWS::SQS::Queue"
                    | "AWS::Kinesis::Stream"
                    | "AWS::DynamoDB::Table"
                    | "AWS::DynamoDB::GlobalTable"
            )
        }),
        Target::Literal(s) => matches!(s.split(':').nth(2), Some("sqs" | "kinesis" | "dynamodb")),
        _ => false,
    };
    ok.then(|| format!("the event source mapping `{}`", e.declared_in))
}

/// Does the source set `ReportBatchItemFailures`? Unknown when computed.
fn reports(app: &App, props: Option<NodeId>) -> Known<bool> {
    let doc = &app.tpl.doc;
    let Some(n) = props.and_then(|p| doc.get(p, "FunctionResponseTypes")) else {
        return Known::Yes(false);
    };
    let Some(items) = doc.as_seq(n) else {
        return Known::Unknown("`FunctionResponseTypes` is computed".into());
    };
    let mut out = false;
    for i in items {
        match doc.as_str(*i) {
            Some(s) => out |= s == "ReportBatchItemFailures",
            None => return Known::Unknown("`FunctionResponseTypes` is computed".into()),
        }
    }
    Known::Yes(out)
}

impl Rule for BatchFailureReportingMismatch {
    fn code(&self) -> &'static str {
        "LMB004"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        for f in each(cx) {
            if !f.handler_found {
                continue;
            }
            for e in app.events_of(&f.function) {
                let Some(source) = batch_source(app, e) else {
                    continue;
                };
                let Known::Yes(on) = reports(app, e.props) else {
                    continue;
                };
                match (on, f.wiring.batch.first()) {
                    (false, Some(b)) => {
                        let line = b.file.line_col(b.span.start).line;
                        let at = format!("{}:{line}", b.file.display);
                        cx.emit(
                            Report::new(
                                e.span,
                                message_lmb004_ignored(&f.function, &source, &b.how, &at),
                            )
                            .resource(&f.function)
                            .path(&["FunctionResponseTypes"])
                            .help("add `FunctionResponseTypes: [ReportBatchItemFailures]` to the event source"),
                        );
                    }
                    (true, None) if f.complete && !f.wiring.returns_unknown => {
                        let span = e
                            .props
                            .and_then(|p| tpl.key_span(p, "FunctionResponseTypes"))
                            .unwrap_or(e.span);
                        cx.emit(
                            Report::new(span, message_lmb004_unused(&f.function, &source))
                                .resource(&f.function)
                                .severity(Severity::Warning)
                                .help("return `{\"batchItemFailures\": [{\"itemIdentifier\": <messageId or sequence number>}]}` for the records that failed (or use a Powertools batch processor), or remove `ReportBatchItemFailures`"),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}
