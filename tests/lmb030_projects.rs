//! LMB030 ("Lambda as transport") on data flow, one project per shape family under
//! `testdata/projects/lmb030-*`: each holds handlers that only move the request to one AWS service
//! (reported) and twins that do real work (silent). The same shapes, generated over real
//! templates, are measured by `scripts/lmb030-recall`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use lambdalint::check::check_paths;
use lambdalint::discover::Filter;
use lambdalint::rule::RuleSelection;

/// (file below the project, line, function) of every LMB030 finding, sorted.
fn lmb030(project: &str) -> Vec<(String, u32, String)> {
    let out = check_paths(
        &[PathBuf::from(format!("testdata/projects/{project}"))],
        &Filter::new(&[], &[]).unwrap(),
        &RuleSelection::default(),
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let prefix = format!("projects/{project}/");
    let mut v: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "LMB030")
        .map(|d| {
            let file = d.file.display.replace('\\', "/");
            let short = file
                .split_once(&prefix)
                .map_or(file.as_str(), |(_, s)| s)
                .to_string();
            (
                short,
                d.file.line_col(d.span.start).line,
                d.resource.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn expect(project: &str, want: &[(&str, u32, &str)]) {
    let mut want: Vec<(String, u32, String)> = want
        .iter()
        .map(|(f, l, r)| (f.to_string(), *l, r.to_string()))
        .collect();
    want.sort();
    assert_eq!(lmb030(project), want, "{project}");
}

/// `json.loads` / `json.dumps` with logging and X-Ray annotations around the call is a transport;
/// the twin multiplies a field of the payload.
#[test]
fn python_json_and_logging() {
    expect(
        "lmb030-py-json-logging",
        &[("src/relay.py", 18, "RelayFunction")],
    );
}

/// `try`/`except` that logs and re-raises the caught error is not work; validating and rejecting
/// (`raise ValueError` when a field is missing) is.
#[test]
fn python_try_reraise_and_validation() {
    expect(
        "lmb030-py-try-reraise",
        &[("src/save_visit.py", 13, "SaveVisitFunction")],
    );
}

/// The event wrapped into a dict with constants and configuration, `.encode()`, the invocation
/// context's request id and a constant response; the twin builds a list with a comprehension.
#[test]
fn python_wrapping_and_constant_response() {
    expect(
        "lmb030-py-wrap-constant",
        &[
            ("src/click.py", 11, "ClickFunction"),
            ("src/start_checkout.py", 13, "StartCheckoutFunction"),
        ],
    );
}

/// SDK v3 command objects built in a `const` before `send` (with a `try`/`catch` that re-throws);
/// the twin picks a message group in a `switch` on the message's kind.
#[test]
fn node_command_in_a_const() {
    expect(
        "lmb030-js-command-const",
        &[
            ("src/record.mjs", 12, "RecordEntryFunction"),
            ("src/submit.mjs", 9, "SubmitJobFunction"),
        ],
    );
}

/// Plain CloudFormation JSON, SDK v2: a `DocumentClient.put` with a callback that passes the
/// error on, a `.promise()` in a helper; the twin trims and lower-cases a field first.
#[test]
fn node_sdk_v2_callbacks_and_helpers() {
    expect(
        "lmb030-js-v2-callback",
        &[
            ("src/announce.js", 6, "AnnounceFunction"),
            ("src/save.js", 7, "SaveProfileFunction"),
        ],
    );
}

/// Powertools logger / metrics / tracer (the client wrapped by `captureAWSv3Client`) and the
/// body turned into bytes (`Buffer.from`, `TextEncoder`); the twin loops over a batch.
#[test]
fn node_powertools_and_bytes() {
    expect(
        "lmb030-js-powertools-buffer",
        &[
            ("src/archive.mjs", 8, "ArchiveFunction"),
            ("src/ingest.mjs", 14, "IngestFunction"),
        ],
    );
}

/// A record handler given to a batch processor (a loop over the batch in a library) is work, as in
/// a public application where it was reported; a read by path parameter returned as JSON is a
/// transport.
#[test]
fn python_batch_processor_is_a_loop() {
    expect(
        "lmb030-py-batch-hook",
        &[("src/status.py", 10, "ShipmentStatusFunction")],
    );
}

#[test]
fn lmb030_rendering_snapshots() {
    let human = lambdalint::render::human::Human { color: false };
    for p in [
        "lmb030-py-json-logging",
        "lmb030-py-try-reraise",
        "lmb030-py-wrap-constant",
        "lmb030-js-command-const",
        "lmb030-js-v2-callback",
        "lmb030-js-powertools-buffer",
        "lmb030-py-batch-hook",
    ] {
        let out = check_paths(
            &[PathBuf::from(format!("testdata/projects/{p}"))],
            &Filter::new(&[], &[]).unwrap(),
            &RuleSelection::default(),
        );
        let rendered: String = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "LMB030")
            .map(|d| human.diagnostic(d) + "\n")
            .collect();
        insta::with_settings!({snapshot_path => format!("../testdata/projects/{p}/snapshots"), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(p.replace('-', "_"), rendered);
        });
    }
}
