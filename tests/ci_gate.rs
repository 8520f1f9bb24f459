//! The built binary end to end: configuration keys, suppressions, baselines, formats, exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lambdalint");

/// LMB010 (warning) on `AFunction`, IAM001 (error, `Action: "*"`) on its policy.
const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  AFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: "*"
              Resource: "arn:aws:s3:::reports/*"
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout {} stderr {}", self.stdout, self.stderr))
    }

    /// `(code, severity, line)` of every diagnostic.
    fn findings(&self) -> Vec<(String, String, u64)> {
        self.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    fn codes(&self) -> Vec<String> {
        self.findings().into_iter().map(|f| f.0).collect()
    }
}

/// The observability rules (LMB050 log retention, LMB051 tracing; info) fire on nearly every
/// function; these tests are about other things, so they leave them out.
const QUIET: &[&str] = &["--ignore", "LMB050,LMB051"];

fn run(dir: &Path, args: &[&str]) -> Run {
    let quiet: &[&str] = if args.first() == Some(&"check") {
        QUIET
    } else {
        &[]
    };
    let out = Command::new(BIN)
        .args(args)
        .args(quiet)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn check_json(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

// ---------- exit codes ----------

#[test]
fn fail_on_exit_codes() {
    let d = project(&[("template.yaml", TEMPLATE)]);
    assert_eq!(check_json(d.path(), &[]).code, 1);
    assert_eq!(check_json(d.path(), &["--fail-on", "error"]).code, 1);
    // Only the LMB010 warning is left.
    let r = check_json(d.path(), &["--fail-on", "error", "--ignore", "IAM001"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.codes(), vec!["LMB010"]);
    assert_eq!(
        check_json(d.path(), &["--fail-on", "warning", "--ignore", "IAM001"]).code,
        1
    );
    // An info finding (unused suppression) fails only with --fail-on info.
    let d = project(&[(
        "template.yaml",
        &TEMPLATE.replace(
            "  AFunction:\n",
            "  AFunction: # lambdalint: ignore[SQS001]\n",
        ),
    )]);
    let args = ["--select", "SQS001,E010"];
    let r = check_json(d.path(), &args);
    assert_eq!(r.findings(), vec![("E010".into(), "info".into(), 4)]);
    assert_eq!(r.code, 0);
    assert_eq!(
        check_json(d.path(), &[&args[..], &["--fail-on", "info"]].concat()).code,
        1
    );
    // Input errors win: exit 2, the other files are still reported.
    let d = project(&[
        ("template.yaml", TEMPLATE),
        ("broken.yaml", "Resources: [\n"),
    ]);
    let r = check_json(d.path(), &["broken.yaml", "template.yaml"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), vec!["LMB010", "IAM001"]);
}

// ---------- formats ----------

#[test]
fn github_annotations() {
    let d = project(&[("dir,1/template.yaml", TEMPLATE)]);
    let r = run(d.path(), &["check", "--format", "github"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].starts_with(
            "::warning file=dir%2C1/template.yaml,line=4,col=3,endLine=4,endColumn=12,title=LMB010 function-without-timeout::function `AFunction` has no `Timeout`"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("%0Ahelp: "), "{}", lines[0]);
    assert!(lines[1].starts_with("::error file=dir%2C1/template.yaml,line=13,"));
}

#[test]
fn sarif_output_file() {
    let d = project(&[("template.yaml", TEMPLATE)]);
    let r = run(
        d.path(),
        &["check", "--format", "sarif", "--output", "out.sarif"],
    );
    assert_eq!(r.code, 1);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 2);
}

// ---------- configuration ----------

#[test]
fn config_select_ignore_severity() {
    let d = project(&[
        ("template.yaml", TEMPLATE),
        ("lambdalint.toml", "select = [\"LMB\"]\n"),
    ]);
    assert_eq!(check_json(d.path(), &[]).codes(), vec!["LMB010"]);
    // CLI --select replaces the configured select.
    assert_eq!(
        check_json(d.path(), &["--select", "IAM001"]).codes(),
        vec!["IAM001"]
    );
    // ignore by category.
    let d = project(&[
        ("template.yaml", TEMPLATE),
        ("lambdalint.toml", "ignore = [\"iam\"]\n"),
    ]);
    assert_eq!(check_json(d.path(), &[]).codes(), vec!["LMB010"]);
    // CLI --ignore adds to the configured ignore.
    assert!(
        check_json(d.path(), &["--ignore", "LMB010"])
            .codes()
            .is_empty()
    );
    // Per-rule severity.
    let d = project(&[
        ("template.yaml", TEMPLATE),
        (
            "lambdalint.toml",
            "[rules.LMB010]\nseverity = \"error\"\n[rules.IAM001]\nseverity = \"info\"\n",
        ),
    ]);
    assert_eq!(
        check_json(d.path(), &[]).findings(),
        vec![
            ("LMB010".into(), "error".into(), 4),
            ("IAM001".into(), "info".into(), 13)
        ]
    );
}

#[test]
fn config_fail_on() {
    let d = project(&[
        ("template.yaml", TEMPLATE),
        (
            "lambdalint.toml",
            "fail-on = \"error\"\nignore = [\"IAM001\"]\n",
        ),
    ]);
    assert_eq!(check_json(d.path(), &[]).code, 0);
    assert_eq!(check_json(d.path(), &["--fail-on", "warning"]).code, 1);
}

#[test]
fn config_include_exclude() {
    let files = [("a/template.yaml", TEMPLATE), ("b/template.yaml", TEMPLATE)];
    let files_of = |r: &Run| -> Vec<String> {
        let mut v: Vec<String> = r.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect();
        v.dedup();
        v
    };
    let mut f = files.to_vec();
    f.push(("lambdalint.toml", "exclude = [\"b/**\"]\n"));
    let d = project(&f);
    assert_eq!(
        files_of(&check_json(d.path(), &[])),
        vec!["a/template.yaml"]
    );
    let mut f = files.to_vec();
    f.push(("lambdalint.toml", "include = [\"b/*.yaml\"]\n"));
    let d = project(&f);
    assert_eq!(
        files_of(&check_json(d.path(), &[])),
        vec!["b/template.yaml"]
    );
    // CLI --include replaces the configured include.
    assert_eq!(
        files_of(&check_json(d.path(), &["--include", "a/*.yaml"])),
        vec!["a/template.yaml"]
    );
}

#[test]
fn config_rule_options() {
    let globals = TEMPLATE.replace(
        "Resources:\n",
        "Globals:\n  Function:\n    Timeout: 10\nResources:\n",
    );
    let d = project(&[("template.yaml", &globals)]);
    assert_eq!(
        check_json(d.path(), &["--select", "LMB010"]).codes(),
        Vec::<String>::new()
    );
    std::fs::write(
        d.path().join("lambdalint.toml"),
        "[rules.LMB010.options]\nallow-globals = false\n",
    )
    .unwrap();
    let r = check_json(d.path(), &["--select", "LMB010"]);
    assert_eq!(r.codes(), vec!["LMB010"]);
    assert!(
        r.json()["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only the one in `Globals.Function`")
    );
}

#[test]
fn config_errors_have_positions() {
    for (text, want) in [
        (
            "select = [\"LMB\"]\nfail_on = \"error\"\n",
            "lambdalint.toml:2:1: unknown field `fail_on`",
        ),
        ("ignore = [\"BOGUS\"]\n", "lambdalint.toml:1:11: `BOGUS`"),
        (
            "[rules.NOPE1]\n",
            "lambdalint.toml:1:8: unknown rule `NOPE1`",
        ),
        (
            "[rules.LMB010.options]\nwhatever = true\n",
            "lambdalint.toml:2:1: unknown option `whatever`",
        ),
    ] {
        let d = project(&[("template.yaml", TEMPLATE), ("lambdalint.toml", text)]);
        let r = check_json(d.path(), &[]);
        assert_eq!(r.code, 2, "{text}");
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains(want), "{text}: {}", r.stderr);
        assert!(r.stderr.contains(&d.path().display().to_string()));
    }
}

#[test]
fn config_discovery_pyproject_override_and_no_config() {
    // Found upward from the checked path.
    let d = project(&[
        ("app/template.yaml", TEMPLATE),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.lambdalint]\nselect = [\"IAM\"]\n",
        ),
    ]);
    assert_eq!(check_json(d.path(), &["app"]).codes(), vec!["IAM001"]);
    assert_eq!(
        check_json(&d.path().join("app"), &[]).codes(),
        vec!["IAM001"]
    );
    assert_eq!(
        check_json(d.path(), &["app/template.yaml"]).codes(),
        vec!["IAM001"]
    );
    // lambdalint.toml in a nearer directory wins.
    std::fs::write(d.path().join("app/lambdalint.toml"), "select = [\"LMB\"]\n").unwrap();
    assert_eq!(check_json(d.path(), &["app"]).codes(), vec!["LMB010"]);
    // --config overrides discovery, --no-config ignores every file.
    std::fs::write(d.path().join("other.toml"), "select = [\"IAM001\"]\n").unwrap();
    assert_eq!(
        check_json(d.path(), &["app", "--config", "other.toml"]).codes(),
        vec!["IAM001"]
    );
    assert_eq!(
        check_json(d.path(), &["app", "--no-config"]).codes(),
        vec!["LMB010", "IAM001"]
    );
    let r = check_json(d.path(), &["app", "--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"));
}

// ---------- suppressions ----------

#[test]
fn comment_suppressions() {
    // Trailing comment on the finding's line.
    let t = TEMPLATE.replace(
        "  AFunction:\n",
        "  AFunction: # lambdalint: ignore[LMB010] timeout set by the deploy script\n",
    );
    let d = project(&[("template.yaml", &t)]);
    assert_eq!(check_json(d.path(), &[]).codes(), vec!["IAM001"]);
    // Comment alone on the line above; several codes; prefix.
    let t = TEMPLATE
        .replace(
            "  AFunction:\n",
            "  # lambdalint: ignore[LMB010, SQS001] reviewed\n  AFunction:\n",
        )
        .replace(
            "              Action: \"*\"\n",
            "              # lambdalint: ignore[IAM]\n              Action: \"*\"\n",
        );
    let d = project(&[("template.yaml", &t)]);
    let r = check_json(d.path(), &[]);
    // SQS001 had nothing to suppress on that line.
    assert_eq!(r.findings(), vec![("E010".into(), "info".into(), 4)]);
    assert!(
        r.json()["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`SQS001`")
    );
    // A comment two lines above does not count, and is itself unused.
    let t = TEMPLATE.replace(
        "Resources:\n",
        "# lambdalint: ignore[LMB010]\n\nResources:\n",
    );
    let d = project(&[("template.yaml", &t)]);
    let r = check_json(d.path(), &[]);
    assert_eq!(r.codes(), vec!["E010", "LMB010", "IAM001"], "{}", r.stdout);
    // Unknown code in a suppression.
    let t = TEMPLATE.replace(
        "  AFunction:\n",
        "  AFunction: # lambdalint: ignore[XYZ123]\n",
    );
    let d = project(&[("template.yaml", &t)]);
    let r = check_json(d.path(), &[]);
    assert_eq!(r.codes(), vec!["LMB010", "E010", "IAM001"]);
    assert!(r.stdout.contains("not a rule code"));
    // Unused-suppression reports can be turned off like any code.
    assert_eq!(
        check_json(d.path(), &["--ignore", "E010"]).codes(),
        vec!["LMB010", "IAM001"]
    );
}

#[test]
fn metadata_suppressions() {
    let t = TEMPLATE.replace(
        "    Type: AWS::Serverless::Function\n",
        "    Type: AWS::Serverless::Function\n    Metadata:\n      lambdalint:\n        ignore: [LMB010, SQS001]\n        reason: timeout comes from the pipeline\n",
    );
    let d = project(&[("template.yaml", &t)]);
    let r = check_json(d.path(), &[]);
    // LMB010 suppressed; SQS001 unused (reported at its entry, line 8); IAM001 stays.
    assert_eq!(
        r.findings(),
        vec![
            ("E010".into(), "info".into(), 8),
            ("IAM001".into(), "error".into(), 17)
        ]
    );
    assert_eq!(r.json()["diagnostics"][0]["resource"], "AFunction");
    // A single string, and the rule name instead of the code.
    let t = TEMPLATE.replace(
        "    Type: AWS::Serverless::Function\n",
        "    Type: AWS::Serverless::Function\n    Metadata:\n      lambdalint:\n        ignore: wildcard-action\n",
    );
    let d = project(&[("template.yaml", &t)]);
    assert_eq!(check_json(d.path(), &[]).codes(), vec!["LMB010"]);
    // Template-level Metadata: the whole file.
    let t = format!("Metadata:\n  lambdalint:\n    ignore: [all]\n{TEMPLATE}");
    let d = project(&[("template.yaml", &t)]);
    assert!(check_json(d.path(), &[]).codes().is_empty());
    // JSON templates have no comments: Metadata works there too.
    let json = r#"{
  "Resources": {
    "AFunction": {
      "Type": "AWS::Lambda::Function",
      "Metadata": {"lambdalint": {"ignore": ["LMB010"], "reason": "set elsewhere"}},
      "Properties": {"Handler": "app.handler", "Runtime": "python3.13", "Role": "arn:aws:iam::123456789012:role/x", "Code": {"ZipFile": "x"}}
    }
  }
}
"#;
    let d = project(&[("template.json", json)]);
    let r = check_json(d.path(), &[]);
    assert!(r.codes().is_empty(), "{}", r.stdout);
    assert_eq!(r.code, 0);
}

// ---------- baseline ----------

#[test]
fn baseline_round_trip_with_shifted_lines() {
    let d = project(&[("template.yaml", TEMPLATE)]);
    let r = check_json(d.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["version"], 1);
    let entries = b["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["code"], "LMB010");
    assert_eq!(entries[0]["file"], "template.yaml");
    assert_eq!(entries[0]["resource"], "AFunction");
    assert!(
        entries[0]["message"]
            .as_str()
            .unwrap()
            .contains("AFunction")
    );
    assert_eq!(entries[0]["fingerprint"].as_str().unwrap().len(), 16);

    let r = check_json(d.path(), &["--baseline", "baseline.json"]);
    assert!(r.codes().is_empty());
    assert_eq!(r.code, 0);

    // Shift every line and add a new function: only the new finding is reported.
    let shifted = format!(
        "# a new header comment\n\n{TEMPLATE}  BFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: b.handler\n      Runtime: python3.13\n      CodeUri: src/\n"
    )
    .replace("Transform:", "Description: shifted\nTransform:");
    std::fs::write(d.path().join("template.yaml"), shifted).unwrap();
    let r = check_json(d.path(), &["--baseline", "baseline.json"]);
    assert_eq!(r.findings(), vec![("LMB010".into(), "warning".into(), 18)]);
    assert_eq!(r.json()["diagnostics"][0]["resource"], "BFunction");
    assert_eq!(r.code, 1);
    // Without the baseline everything is back.
    assert_eq!(check_json(d.path(), &[]).codes().len(), 3);

    // Refreshing a baseline in place keeps the old findings and adds the new one.
    let r = check_json(
        d.path(),
        &[
            "--baseline",
            "baseline.json",
            "--write-baseline",
            "baseline.json",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.codes(), vec!["LMB010"]);
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["findings"].as_array().unwrap().len(), 3);
    assert!(
        check_json(d.path(), &["--baseline", "baseline.json"])
            .codes()
            .is_empty()
    );

    // A broken or missing baseline is a usage error.
    std::fs::write(d.path().join("bad.json"), "[1, 2]").unwrap();
    assert_eq!(check_json(d.path(), &["--baseline", "bad.json"]).code, 2);
    assert_eq!(check_json(d.path(), &["--baseline", "nope.json"]).code, 2);
}
