//! LMB002 stream-source-without-failure-destination.

use crate::model::Mode;
use crate::rule::{Context, Report, Rule};

pub struct StreamSourceWithoutFailureDestination;

pub fn message(function: &str, source: &str) -> String {
    format!(
        "stream source {source} of function `{function}` has no on-failure destination: a record that keeps failing blocks its shard until it expires"
    )
}

impl Rule for StreamSourceWithoutFailureDestination {
    fn code(&self) -> &'static str {
        "LMB002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let doc = &app.tpl.doc;
        for e in app.events.iter().filter(|e| e.mode == Mode::Stream) {
            // SAM `DocumentDB` / MQ sources support no destinations: nothing to ask for.
            if e.kind == "DocumentDB" {
                continue;
            }
            let Some(props) = e.props else { continue };
            match doc.get(props, "DestinationConfig") {
                Some(d) if doc.intrinsic(d).is_some() => continue,
                Some(d) => {
                    if let Some(of) = doc.get(d, "OnFailure")
                        && (doc.get(of, "Destination").is_some() || doc.intrinsic(of).is_some())
                    {
                        continue;
                    }
                }
                None => {}
            }
            let (source, path) = match &e.name {
                Some(n) => (
                    format!("`{n}` (`{}`)", e.kind),
                    vec![
                        "Events".to_string(),
                        n.clone(),
                        "Properties".into(),
                        "DestinationConfig".into(),
                    ],
                ),
                None => (
                    format!("`{}`", e.declared_in),
                    vec!["DestinationConfig".to_string()],
                ),
            };
            let help = "add `DestinationConfig: {OnFailure: {Destination: <SQS queue or SNS topic ARN>}}` to the event source, with `MaximumRetryAttempts` and `BisectBatchOnFunctionError: true` so a poison record is isolated and set aside";
            cx.emit(
                Report::new(e.span, message(&e.function, &source))
                    .resource(&e.declared_in)
                    .path(&path)
                    .help(help),
            );
        }
    }
}
