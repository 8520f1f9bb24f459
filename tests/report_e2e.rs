//! `lambdalint report` end to end: the HTML report of the example application opens in headless
//! Chromium without script errors, shows the graph and the findings table, and renders a non-blank
//! page; the Markdown report carries the same content.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const APP: &str = "testdata/projects/orders-app";

fn lambdalint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambdalint"))
        .args(args)
        .output()
        .unwrap()
}

fn report(dir: &Path, name: &str, extra: &[&str]) -> (PathBuf, String) {
    let out = dir.join(name);
    let mut args = vec!["report", APP, "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = lambdalint(&args);
    assert!(
        o.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    (out, text)
}

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Run a command with a deadline (a hung browser must not hang the suite).
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let read = |mut p: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = p.read_to_end(&mut v);
            v
        })
    };
    let out_t = read(Box::new(out_pipe));
    let err_t = read(Box::new(err_pipe));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

fn chromium(bin: &Path, profile: &Path, extra: &[String], page: &Path) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    run_with_timeout(&mut cmd, Duration::from_secs(120))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn html_report_has_graph_functions_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    for layout in ["builtin", "auto"] {
        let (_, html) = report(dir.path(), "r.html", &["--layout", layout]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<svg"), "{layout}: no graph");
        assert!(html.contains("class=\"functions\""));
        assert!(html.contains("class=\"findings\""));
        // The example app's findings, each with its rule page and a marked excerpt line.
        for code in ["LMB010", "SQS001", "IAM001"] {
            assert!(html.contains(&format!("/docs/rules/{code}.md\"")), "{code}");
        }
        assert!(html.contains("<span class=\"mark\"><i>49</i>  StoreOrderFunction:</span>"));
        // Facts: Globals origin, defaults, invocation modes, handler facts.
        assert!(html.contains("python3.13<span class=\"note\">Globals</span>"));
        assert!(html.contains("3<span class=\"note\">default</span>"));
        assert!(html.contains("(queue) from <code>OrdersQueue</code>"));
        assert!(html.contains("calls: dynamodb:PutItem"));
        assert!(html.contains("dynamodb (per invocation)"));
        assert!(html.contains("without timeout"));
        assert!(!html.contains("not analysed"));
        // Self-contained: nothing fetched from the network.
        assert!(!html.contains("<script"));
        assert!(!html.contains("<link"));
        assert!(!html.contains("src=\"http"));
    }
}

#[test]
fn markdown_report_has_the_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let (_, md) = report(dir.path(), "r.md", &["--format", "markdown"]);
    assert!(md.starts_with("# Serverless audit report"));
    assert!(md.contains("| `StoreOrderFunction` |"));
    assert!(md.contains("3 (default)"));
    assert!(md.contains("```dot\ndigraph"));
    assert!(md.contains("[LMB010 function-without-timeout](https://"));
    assert!(md.contains(">   49 |   StoreOrderFunction:"));
    // SQS001 on `OrdersQueue` and LMB001 on the scheduled `NightlyReportFunction`, in the
    // by-rule table, and failure handling in the by-concern table.
    for code in ["SQS001", "LMB001"] {
        assert!(
            md.lines()
                .any(|l| l.starts_with(&format!("| [{code}](")) && l.ends_with("| 1 |")),
            "{code}:\n{md}"
        );
    }
    assert!(md.contains("| Failure handling |"));
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(bin) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "chromium is not installed (scripts/apt-packages lists it); CI must run this test"
            );
        }
        eprintln!("SKIPPED html_report_renders_in_headless_chromium: chromium is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (page, _) = report(dir.path(), "report.html", &[]);
    let page = page.canonicalize().unwrap();

    // The DOM after rendering: the graph and the findings table are there, no script errors.
    let dom = chromium(
        &bin,
        &dir.path().join("profile-dom"),
        &["--dump-dom".to_string()],
        &page,
    );
    let stdout = String::from_utf8_lossy(&dom.stdout);
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium failed: {stderr}");
    assert!(stdout.contains("<svg"), "no graph in the DOM");
    assert!(
        stdout.contains("<table class=\"findings\">"),
        "no findings table"
    );
    assert!(stdout.contains("StoreOrderFunction"));
    assert!(!stderr.contains("Uncaught"), "script error: {stderr}");
    assert!(
        !stderr.contains("ERR_FILE_NOT_FOUND"),
        "missing resource: {stderr}"
    );

    // The picture: a PNG of the window size that is not blank (a blank page compresses to a few KB).
    let shot = dir.path().join("report.png");
    let o = chromium(
        &bin,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
        ],
        &page,
    );
    assert!(
        o.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&png), (1280, 2000));
    assert!(
        png.len() > 60_000,
        "screenshot looks blank ({} bytes)",
        png.len()
    );
}

#[test]
fn function_facts_from_the_template() {
    use lambdalint::discover::Filter;
    use lambdalint::report::{Options, collect};
    use lambdalint::rule::RuleSelection;

    let r = collect(
        &[PathBuf::from("testdata/report/vpc-db-app")],
        &Filter::new(&[], &[]).unwrap(),
        &RuleSelection::default(),
        &Options::default(),
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let app = &r.apps[0];
    let f = |id: &str| app.functions.iter().find(|f| f.id == id).unwrap();

    let api = f("OrdersApi");
    assert_eq!(api.runtime.text(), "nodejs22.x (Globals)");
    assert_eq!(api.timeout.text(), "20 (Globals)");
    assert_eq!(api.memory.text(), "512");
    assert_eq!(api.reserved_concurrency.text(), "5");
    assert_eq!(api.invocations[0].mode, "async");
    assert_eq!(api.invocations[0].source.as_deref(), Some("Uploads"));
    assert_eq!(
        api.failure_destinations,
        vec!["DeadLetterQueue → `FailedEvents` (SQS Queue)"]
    );
    assert_eq!(api.vpc.text(), "subnets `PrivateSubnet`");
    assert_eq!(
        api.egress,
        vec!["`PrivateSubnet` → `PrivateRoutes` → NAT gateway `Nat`"]
    );
    assert_eq!(
        api.database_links,
        vec!["DB_HOST → `Database` (RDS DBCluster)"]
    );
    assert_eq!(api.iam.managed, vec!["AdministratorAccess"]);

    let worker = f("Worker");
    assert_eq!(worker.vpc.note.as_deref(), Some("unknown"));
    assert!(worker.egress.iter().any(|e| e.starts_with("unknown")));
    assert_eq!(
        worker.failure_destinations,
        vec!["OnFailure → `FailedEvents` (SQS Queue)"]
    );
    assert_eq!(worker.iam.wildcard_actions, vec!["s3:*"]);
    assert_eq!(worker.iam.star_resources, 1);
    assert_eq!(worker.reserved_concurrency.text(), "none");

    // The graph: subnet -> route table -> NAT, the bucket invoking the function.
    let node = |id: &str| app.graph.nodes.iter().position(|n| n.id == id).unwrap();
    let has = |a: &str, b: &str| {
        app.graph
            .edges
            .iter()
            .any(|e| e.from == node(a) && e.to == node(b))
    };
    assert!(has("PrivateSubnet", "PrivateRoutes"));
    assert!(has("PrivateRoutes", "Nat"));
    assert!(has("Uploads", "OrdersApi"));
    assert!(has("OrdersApi", "Database"));
    assert!(!app.graph.nodes.iter().any(|n| n.id == "DefaultRoute"));
}

#[test]
fn many_applications_in_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.html");
    let o = lambdalint(&["report", "testdata", "-o", out.to_str().unwrap()]);
    // Some fixtures are deliberately broken (exit 2), the report is still written.
    assert!(o.status.code() == Some(0) || o.status.code() == Some(2));
    let html = std::fs::read_to_string(&out).unwrap();
    let apps = html.matches("<section class=\"app\"").count();
    assert!(apps > 10, "{apps} applications");
    // Many applications: sections collapsed, an overview table links to them.
    assert!(html.contains("<table class=\"apps\">"));
    assert!(html.contains("<details><summary>"));
    assert!(html.contains("href=\"#app-0\""));
}

#[test]
fn functions_without_source_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("template.yaml");
    std::fs::write(
        &tpl,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  FromS3:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      Timeout: 10\n      CodeUri: s3://bucket/code.zip\n  Image:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1\n      Timeout: 10\n",
    )
    .unwrap();
    let out = dir.path().join("r.md");
    let o = lambdalint(&[
        "report",
        tpl.to_str().unwrap(),
        "--format",
        "markdown",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("not analysed: code in S3"), "{md}");
    assert!(md.contains("not analysed: container image"), "{md}");
}
