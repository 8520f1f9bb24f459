//! The command line contract: exit codes, the JSON shape, order, discovery, usage errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use common::{repo, run_in};
use serde_json::Value;

/// A function without `Timeout` (LMB010, warning); tracing and a log group named outside the
/// template keep the info rules LMB050/LMB051 quiet.
const WARN: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      TracingConfig: {Mode: Active}\n      LoggingConfig: {LogGroup: app-logs}\n";
/// Clean.
const CLEAN: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Timeout: 10\n      TracingConfig: {Mode: Active}\n      LoggingConfig: {LogGroup: app-logs}\n";
/// A duplicate key (E002, error) and nothing else.
const ERROR: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SQS::Queue\n";
/// Not YAML at all, but looks like a template.
const BROKEN: &str =
    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn: [1, 2\n  Other: 3\n";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

/// The observability rules (LMB050 log retention, LMB051 tracing; info) fire on nearly every
/// function; these tests are about other things, so they leave them out.
const QUIET: &[&str] = &["--ignore", "LMB050,LMB051"];

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut a = vec!["check", "--format", "json"];
    a.extend_from_slice(QUIET);
    a.extend_from_slice(args);
    let r = run_in(dir, &a);
    (r.code, r.json())
}

fn files_of(j: &Value) -> Vec<String> {
    let mut f: Vec<String> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    f.dedup();
    f
}

#[test]
fn exit_codes_follow_fail_on() {
    let d = tree(&[
        ("warn.yaml", WARN),
        ("clean.yaml", CLEAN),
        ("err.yaml", ERROR),
    ]);
    let p = d.path();
    assert_eq!(run_in(p, &["check", "clean.yaml"]).code, 0);
    assert_eq!(run_in(p, &["check", "warn.yaml"]).code, 1);
    assert_eq!(
        run_in(p, &["check", "--fail-on", "error", "warn.yaml"]).code,
        0
    );
    assert_eq!(
        run_in(p, &["check", "--fail-on", "warning", "warn.yaml"]).code,
        1
    );
    assert_eq!(
        run_in(p, &["check", "--fail-on", "info", "warn.yaml"]).code,
        1
    );
    assert_eq!(
        run_in(p, &["check", "--fail-on", "info", "clean.yaml"]).code,
        0
    );
    assert_eq!(
        run_in(p, &["check", "--fail-on", "error", "err.yaml"]).code,
        1
    );
    // a parse error wins over findings: 2
    std::fs::write(p.join("broken.yaml"), BROKEN).unwrap();
    assert_eq!(run_in(p, &["check", "warn.yaml", "broken.yaml"]).code, 2);
    assert_eq!(
        run_in(
            p,
            &["check", "--fail-on", "error", "clean.yaml", "broken.yaml"]
        )
        .code,
        2
    );
}

#[test]
fn json_contract_shape() {
    let d = tree(&[("sub/warn.yaml", WARN)]);
    let (code, j) = json(d.path(), &["sub/warn.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(j["version"], 1);
    assert!(j["errors"].as_array().unwrap().is_empty());
    let diags = j["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    let x = &diags[0];
    let keys: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "code", "name", "severity", "message", "help", "file", "resource", "range",
    ] {
        assert!(keys.contains(&k), "missing {k}: {x}");
    }
    assert_eq!(x["code"], "LMB010");
    assert_eq!(x["name"], "function-without-timeout");
    assert_eq!(x["severity"], "warning");
    assert!(x["message"].as_str().unwrap().starts_with("function `Fn`"));
    assert!(x["help"].as_str().unwrap().contains("Timeout"));
    assert_eq!(x["file"], "sub/warn.yaml");
    assert_eq!(x["resource"], "Fn");
    assert_eq!(
        x["range"],
        serde_json::json!({"start": {"line": 3, "column": 3}, "end": {"line": 3, "column": 5}})
    );
    let s = &j["summary"];
    assert_eq!(s["templates"], 1);
    assert_eq!(s["warnings"], 1);
    assert_eq!(s["errors"], 0);
    assert_eq!(s["input_errors"], 0);
    // absolute input -> absolute file
    let abs = d.path().join("sub/warn.yaml");
    let (_, j) = json(d.path(), &[abs.to_str().unwrap()]);
    assert_eq!(j["diagnostics"][0]["file"], abs.to_str().unwrap());
    // directory input: paths relative to it as given
    let (_, j) = json(d.path(), &["sub"]);
    assert_eq!(j["diagnostics"][0]["file"], "sub/warn.yaml");
    let (_, j) = json(&d.path().join("sub"), &[]);
    assert_eq!(j["diagnostics"][0]["file"], "warn.yaml");
}

#[test]
fn output_order_is_deterministic() {
    let mut files = Vec::new();
    for i in 0..30 {
        files.push((format!("t{:02}/template.yaml", 29 - i), WARN.to_string()));
        files.push((format!("t{:02}/err.yaml", i), ERROR.to_string()));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let d = tree(&refs);
    let first = json(d.path(), &["."]).1.to_string();
    for _ in 0..5 {
        assert_eq!(first, json(d.path(), &["."]).1.to_string());
    }
    let human = run_in(d.path(), &["check", "."]).stdout;
    assert_eq!(human, run_in(d.path(), &["check", "."]).stdout);
    let j: Value = serde_json::from_str(&first).unwrap();
    let keys: Vec<(String, u64, u64)> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 60);
}

#[test]
fn parse_error_has_a_position_and_the_rest_is_checked() {
    let d = tree(&[("a_broken.yaml", BROKEN), ("b_warn.yaml", WARN)]);
    let (code, j) = json(d.path(), &["."]);
    assert_eq!(code, 2);
    let e = &j["errors"][0];
    assert_eq!(e["code"], "E001");
    assert_eq!(e["name"], "parse-error");
    assert_eq!(e["file"], "a_broken.yaml");
    assert_eq!(e["range"]["start"]["line"], 4);
    assert_eq!(e["range"]["start"]["column"], 8);
    assert_eq!(files_of(&j), ["b_warn.yaml"]);
    assert_eq!(j["summary"]["input_errors"], 1);
    let h = run_in(d.path(), &["check", "."]);
    assert_eq!(h.code, 2);
    assert!(h.stdout.contains("a_broken.yaml:4:8"), "{}", h.stdout);
    assert!(h.stdout.contains("b_warn.yaml:3:3"), "{}", h.stdout);
    assert!(h.stdout.contains("1 file could not be checked"));
}

#[test]
fn include_and_exclude() {
    let d = tree(&[
        ("app/template.yaml", WARN),
        ("infra/stack.yaml", WARN),
        (
            "infra/other.json",
            "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\"}}}",
        ),
    ]);
    let (_, j) = json(d.path(), &["--include", "template.yaml", "."]);
    assert_eq!(files_of(&j), ["app/template.yaml"]);
    let (_, j) = json(d.path(), &["--exclude", "infra/**", "."]);
    assert_eq!(files_of(&j), ["app/template.yaml"]);
    let (_, j) = json(d.path(), &["--include", "*.json", "."]);
    assert_eq!(files_of(&j), ["infra/other.json"]);
    let (_, j) = json(
        d.path(),
        &["--include", "infra/*", "--exclude", "*.json", "."],
    );
    assert_eq!(files_of(&j), ["infra/stack.yaml"]);
    let r = run_in(d.path(), &["check", "--include", "a[", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid glob"), "{}", r.stderr);
}

#[test]
fn gitignore_and_build_folders_are_skipped() {
    let d = tree(&[
        ("template.yaml", WARN),
        (".gitignore", "generated/\n*.out.yaml\n"),
        ("generated/template.yaml", WARN),
        ("x.out.yaml", WARN),
        (".aws-sam/build/template.yaml", WARN),
        ("node_modules/pkg/template.yaml", WARN),
        ("cdk.out/stack.template.json", WARN),
        ("sub/.lambdalintignore", "skipme.yaml\n"),
        ("sub/skipme.yaml", WARN),
        ("sub/kept.yaml", WARN),
    ]);
    let (_, j) = json(d.path(), &["."]);
    assert_eq!(files_of(&j), ["sub/kept.yaml", "template.yaml"], "{j}");
    assert_eq!(j["summary"]["templates"], 2);
    // a file named explicitly is always checked
    let (_, j) = json(d.path(), &["generated/template.yaml"]);
    assert_eq!(files_of(&j), ["generated/template.yaml"]);
}

#[test]
fn non_template_files_are_skipped_silently() {
    let d = tree(&[
        ("template.yaml", WARN),
        ("package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}"),
        (
            "tsconfig.json",
            "{\n  // comments are fine here\n  \"compilerOptions\": {}\n}",
        ),
        (".github/workflows/ci.yml", "on: push\njobs: {}\n"),
        ("docker-compose.yml", "services:\n  web:\n    image: x\n"),
        ("broken-config.yaml", "a: [1\n"),
        (
            "k8s.yaml",
            "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\n",
        ),
        ("events/event.json", "[1, 2, 3]"),
        ("data.json", "\"just a string\""),
    ]);
    let r = run_in(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let j = r.json();
    assert!(j["errors"].as_array().unwrap().is_empty(), "{j}");
    assert_eq!(files_of(&j), ["template.yaml"]);
    assert_eq!(j["summary"]["templates"], 1);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let d = tree(&[("template.yaml", WARN)]);
    let p = d.path();
    for args in [
        vec!["check", "--format", "xml", "."],
        vec!["check", "--fail-on", "never", "."],
        vec!["check", "--no-such-flag"],
        vec!["check", "--select", "NOPE999", "."],
        vec!["check", "--ignore", "zzz", "."],
        vec!["frobnicate"],
        vec![],
    ] {
        let r = run_in(p, &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
    let r = run_in(p, &["check", "missing.yaml", "template.yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("missing.yaml"));
    assert!(r.stdout.contains("no such file"));
    assert!(r.stdout.contains("template.yaml:3:3"));
    assert_eq!(run_in(p, &["--help"]).code, 0);
    assert_eq!(run_in(p, &["--version"]).code, 0);
}

#[test]
fn select_and_ignore() {
    let d = tree(&[("warn.yaml", WARN), ("err.yaml", ERROR)]);
    let (code, j) = json(d.path(), &["--select", "E", "."]);
    assert_eq!(code, 1);
    assert_eq!(files_of(&j), ["err.yaml"]);
    let (code, j) = json(d.path(), &["--ignore", "LMB010,E002", "."]);
    assert_eq!(code, 0);
    assert!(j["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn rule_and_rules_commands() {
    let r = run_in(repo(), &["rule", "LMB010"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("function-without-timeout"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Timeout"));
    let r = run_in(repo(), &["rule", "lmb010"]);
    assert_eq!(r.code, 0, "case-insensitive code");
    let r = run_in(repo(), &["rule", "XYZ123"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("XYZ123"));
    let r = run_in(repo(), &["rules"]);
    assert_eq!(r.code, 0);
    for code in lambdalint::rules::all().iter().map(|r| r.code()) {
        assert!(r.stdout.contains(code), "{code} missing from `rules`");
    }
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), lambdalint::rules::all().len());
}

#[test]
fn no_colour_when_piped() {
    let d = tree(&[("warn.yaml", WARN), ("broken.yaml", BROKEN)]);
    let r = run_in(d.path(), &["check", "."]);
    assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
    assert!(!r.stderr.contains('\u{1b}'));
    assert!(r.stdout.contains("warning[LMB010]"));
    let r = run_in(d.path(), &["rules"]);
    assert!(!r.stdout.contains('\u{1b}'));
}

#[test]
fn output_file_and_list_templates() {
    let d = tree(&[("a.yaml", WARN), ("b.yaml", CLEAN), ("package.json", "{}")]);
    let r = run_in(
        d.path(),
        &["check", "--format", "json", "-o", "out.json", "."],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(j["summary"]["templates"], 2);
    let r = run_in(d.path(), &["check", "--list-templates", "."]);
    assert_eq!(r.stdout, "a.yaml\nb.yaml\n");
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    // `script` (util-linux) gives the binary a pseudo-terminal; skip where it is missing.
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipped: no `script` command");
        return;
    }
    let d = tree(&[("warn.yaml", WARN)]);
    let cmd = format!("{} check warn.yaml", common::bin());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(d.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("\u{1b}["), "no colour on a terminal: {s:?}");
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("warning[LMB010]"), "{s:?}");
    assert!(!s.contains("\u{1b}["), "colour despite NO_COLOR: {s:?}");
}

#[test]
fn verbose_says_which_handlers_were_not_analysed() {
    let d = tree(&[(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  FromS3:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      Timeout: 5\n      CodeUri: s3://bucket/code.zip\n  Image:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: repo/app:1\n      Timeout: 5\n  Missing:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: missing.handler\n      Runtime: nodejs22.x\n      Timeout: 5\n",
    )]);
    let quiet = run_in(d.path(), &["check", "."]);
    assert_eq!(quiet.code, 0);
    assert!(!quiet.stderr.contains("not analysed"), "{}", quiet.stderr);
    let r = run_in(d.path(), &["check", "--verbose", "."]);
    assert_eq!(r.code, 0, "no source is not an error");
    for (id, why) in [
        ("FromS3", "code in S3"),
        ("Image", "container image"),
        ("Missing", "handler file not found: looked for `missing.js`"),
    ] {
        assert!(
            r.stderr
                .contains(&format!("function `{id}`: handler not analysed: {why}")),
            "{id}: {}",
            r.stderr
        );
    }
}

#[test]
fn debug_facts_counts_functions_and_facts() {
    let r = run_in(
        repo(),
        &[
            "debug",
            "facts",
            "--summary",
            "testdata/projects/orders-app",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "functions: 3\n",
        "handler source resolved: 3\n",
        "handler function found: 3\n",
        "facts: 7 (clients 3, sdk calls 3, http calls 1, db connections 0, parameter fetches 0), forwarding handlers: 1",
    ] {
        assert!(r.stdout.contains(line), "{line:?} in\n{}", r.stdout);
    }
    // Hidden from the help.
    let help = run_in(repo(), &["--help"]);
    assert!(!help.stdout.contains("debug"), "{}", help.stdout);
}

#[test]
fn packaged_copies_ide_debug_templates_and_jinja_sources_are_skipped_when_walking() {
    let src = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n";
    let packaged = src.replace("CodeUri: src/", "CodeUri: s3://bucket/0123abcd");
    let jinja = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{% if cookiecutter.queue %}\n  Q:\n    Type: AWS::SQS::Queue\n{% endif %}\n";
    let d = tree(&[
        ("template.yaml", src),
        ("packaged.yaml", &packaged),
        ("template.yaml___vsctk___template.yaml", src),
        (
            "{{cookiecutter.project_name}}/template.yaml",
            "Resources: {{ x }\n",
        ),
        ("other/template.yaml", jinja),
    ]);
    let r = run_in(
        d.path(),
        &["check", "--format", "json", "-v", "--select", "LMB010", "."],
    );
    let j = r.json();
    // Only the source template is checked: one LMB010, no input error.
    assert_eq!(j["summary"]["templates"], 1, "{j}");
    assert_eq!(j["errors"], serde_json::json!([]), "{j}");
    assert_eq!(files_of(&j), vec!["template.yaml".to_string()]);
    for (file, why) in [
        ("packaged.yaml", "packaged copy of `template.yaml`"),
        (
            "template.yaml___vsctk___template.yaml",
            "AWS Toolkit debug template",
        ),
        ("{{cookiecutter.project_name}}", "Jinja placeholders"),
        ("other/template.yaml", "Jinja placeholders"),
    ] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains(&format!("{file}: skipped: ")) && l.contains(why)),
            "{file}: {}",
            r.stderr
        );
    }
    // Named, each is checked as any file.
    let (_, j) = json(d.path(), &["--select", "LMB010", "packaged.yaml"]);
    assert_eq!(files_of(&j), vec!["packaged.yaml".to_string()]);
    let (code, _) = json(d.path(), &["other/template.yaml"]);
    assert_eq!(code, 2, "a named Jinja source is a parse error");
}

/// Near misses of a packaged copy are applications of their own: two templates in one folder with
/// the same logical ids but different handlers, a "source" whose code is itself in S3 or at a URL,
/// and a resource of another type under the same id.
#[test]
fn templates_that_only_look_like_packaged_copies_are_checked() {
    let src = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n";
    let in_s3 = src.replace("CodeUri: src/", "CodeUri: s3://bucket/0123abcd");
    let d = tree(&[
        // Another handler: not the same application.
        ("a/template.yaml", src),
        ("a/other.yaml", &in_s3.replace("app.handler", "other.main")),
        // The "source" is in S3 too: neither is a copy of the other.
        ("b/one.yaml", &in_s3),
        (
            "b/two.yaml",
            &in_s3.replace("s3://bucket/0123abcd", "http://example.com/x.zip"),
        ),
        // Same ids, another resource type.
        ("c/template.yaml", src),
        (
            "c/other.yaml",
            &in_s3.replace("AWS::Serverless::Api", "AWS::Serverless::HttpApi"),
        ),
    ]);
    let r = run_in(
        d.path(),
        &["check", "--format", "json", "-v", "--select", "LMB010", "."],
    );
    let j = r.json();
    assert_eq!(j["summary"]["templates"], 6, "{j}\n{}", r.stderr);
    assert!(!r.stderr.contains("packaged copy"), "{}", r.stderr);
}
