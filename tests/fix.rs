//! Fixes: for every fixable rule, fixture templates in testdata/fix/<CODE>/ (YAML block style
//! with comments around the edits, YAML flow style, JSON with 2 and 4 spaces, and the 4-space
//! one again with CRLF line endings) are fixed; the fixed text is snapshotted, the rule's
//! findings are gone on a re-check, no new finding appears, no comment line is lost, and fixing
//! again changes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lambdalint::check::check_text;
use lambdalint::fix::{Applicability, fix_source, fix_source_with};

fn fixture_dirs() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir("testdata/fix")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    v.sort();
    v
}

/// (code, resource) -> count.
fn findings(display: &str, text: &str) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for d in check_text(display, text).unwrap_or_else(|e| panic!("{display}: {e}\n{text}")) {
        *m.entry((d.code.to_string(), d.resource.clone().unwrap_or_default()))
            .or_default() += 1;
    }
    m
}

/// The observability rules (LMB050, LMB051) fix almost every template: in the fixtures of other
/// rules their fixes are left out, so that each snapshot shows its own rule's edits.
const NOISY: &[&str] = &["LMB050", "LMB051"];

fn fixed(code: &str, display: &str, text: &str) -> (String, usize) {
    let sel = lambdalint::rule::RuleSelection {
        ignore: NOISY
            .iter()
            .filter(|c| **c != code)
            .map(|c| c.to_string())
            .collect(),
        ..lambdalint::rule::RuleSelection::default()
    };
    let f = fix_source_with(display, text, Applicability::Unsafe, &sel).unwrap();
    assert!(
        f.rejected.is_empty(),
        "{display}: rejected {:?}",
        f.rejected
    );
    (f.file.text.clone(), f.applied)
}

/// Fix one fixture text and check every property; returns the fixed text.
fn check_fixture(code: &str, display: &str, text: &str) -> String {
    let before = check_text(display, text).unwrap();
    let mine: Vec<_> = before.iter().filter(|d| d.code == code).collect();
    assert!(!mine.is_empty(), "{display}: no {code} finding");
    let meta = lambdalint::rule::meta(code).unwrap();
    for d in &mine {
        let fix = d
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{display}: {code} finding without a fix: {}", d.message));
        assert_eq!(
            Some(fix.applicability),
            meta.fix_applicability(),
            "{display}: the catalogue says {code}'s fix is {}",
            meta.fix
        );
    }
    let (out, applied) = fixed(code, display, text);
    assert!(applied >= mine.len(), "{display}: {applied} applied");
    // The findings are gone, and nothing new appeared.
    let old = findings(display, text);
    let new = findings(display, &out);
    assert!(
        !new.keys().any(|(c, _)| c == code),
        "{display}: {code} still there after the fix:\n{out}"
    );
    for (k, n) in &new {
        assert!(
            old.get(k).is_some_and(|o| o >= n),
            "{display}: new finding {k:?} after the fix:\n{out}"
        );
    }
    // Comments are kept, every one of them.
    for line in text.lines() {
        if let Some(i) = line.find('#') {
            let comment = &line[i..];
            assert!(
                out.lines().any(|l| l.ends_with(comment)),
                "{display}: lost the comment {comment:?}:\n{out}"
            );
        }
    }
    // Fixing again changes nothing.
    let (again, n) = fixed(code, display, &out);
    assert_eq!(again, out, "{display}: a second --fix changed the text");
    assert_eq!(n, 0);
    out
}

#[test]
fn fixes_make_the_expected_text() {
    let mut count = 0;
    for dir in fixture_dirs() {
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        for f in fixtures(&dir) {
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&f).unwrap();
            let display = f.to_string_lossy().to_string();
            let out = check_fixture(&code, &display, &text);
            insta::with_settings!({snapshot_path => "../testdata/fix/snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
                insta::assert_snapshot!(format!("{code}_{}", name.replace('.', "_")), out);
            });
            // The same template with CRLF line endings gets the same edits, with CRLF.
            if name.ends_with(".json") || name == "block.yaml" {
                let crlf = text.replace('\n', "\r\n");
                let out_crlf = check_fixture(&code, &display, &crlf);
                assert_eq!(out_crlf, out.replace('\n', "\r\n"), "{display} with CRLF");
            }
            count += 1;
        }
    }
    assert!(count >= 24, "only {count} fixtures");
}

/// Rules whose fixes edit handler sources: their fixtures are projects in testdata/fix-sources.
const SOURCE_FIXES: &[&str] = &["HDL010"];

/// Every rule the catalogue says has a fix has fixtures in every style; no other rule makes a
/// fix on its `bad_*` rule fixtures.
#[test]
fn catalogue_fix_field_matches_the_rules() {
    for m in lambdalint::rule::catalogue() {
        assert!(
            matches!(m.fix.as_str(), "safe" | "unsafe" | "none"),
            "{}: fix = {:?}",
            m.code,
            m.fix
        );
        let dir = Path::new("testdata/fix").join(&m.code);
        if SOURCE_FIXES.contains(&m.code.as_str()) {
            assert!(Path::new("testdata/fix-sources").join(&m.code).is_dir());
            assert!(m.fix_applicability().is_some());
            continue;
        }
        if m.fix_applicability().is_some() {
            for f in ["block.yaml", "flow.yaml", "json2.json", "json4.json"] {
                assert!(
                    dir.join(f).is_file(),
                    "{}: missing testdata/fix/{}/{f}",
                    m.code,
                    m.code
                );
            }
            assert!(m.markdown().contains("Fix: "), "{}", m.code);
            continue;
        }
        assert!(!dir.exists(), "{}: fixtures but `fix = \"none\"`", m.code);
        let rules = Path::new("testdata/rules").join(&m.code);
        if !rules.is_dir() {
            continue;
        }
        for f in fixtures(&rules) {
            let text = std::fs::read_to_string(&f).unwrap();
            let display = f.to_string_lossy().to_string();
            for d in check_text(&display, &text).unwrap_or_default() {
                assert!(
                    d.code != m.code || d.fix.is_none(),
                    "{display}: {} has a fix but the catalogue says none",
                    m.code
                );
            }
        }
    }
}

/// Safe fixes only with `Applicability::Safe`; unsafe ones wait for `--unsafe-fixes`.
#[test]
fn safe_mode_applies_only_safe_fixes() {
    let text = std::fs::read_to_string("testdata/fix/SQS001/block.yaml").unwrap();
    let f = fix_source("t.yaml", &text, Applicability::Safe).unwrap();
    assert_eq!(f.applied, 0);
    assert_eq!(f.file.text, text);
    let text = std::fs::read_to_string("testdata/fix/LMB010/block.yaml").unwrap();
    let f = fix_source("t.yaml", &text, Applicability::Safe).unwrap();
    assert_eq!(f.applied, 2, "both functions, one Globals edit");
    assert!(
        f.file
            .text
            .contains("Globals:\n  Function:\n    Timeout: 3\n")
    );
}

mod common;

/// Two functions without `Timeout` (LMB010, safe fix) and a queue without a dead-letter queue
/// (SQS001, unsafe fix).
const APP: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      InlineCode: 'def handler(e, c): pass'\n      Timeout: 10\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      InlineCode: 'def handler(e, c): pass'\n";

fn project(text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("template.yaml"), text).unwrap();
    d
}

fn read(d: &tempfile::TempDir) -> String {
    std::fs::read_to_string(d.path().join("template.yaml")).unwrap()
}

#[test]
fn cli_fix_applies_safe_fixes_and_reports_what_remains() {
    let d = project(APP);
    let r = common::run_in(
        d.path(),
        &["check", "--fix", "--ignore", "LMB050,LMB051", "."],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Fixed 1 finding (1 remaining)."),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("SQS001"), "{}", r.stdout);
    assert!(
        r.stdout.contains("1 fixable with `--fix --unsafe-fixes`."),
        "{}",
        r.stdout
    );
    let once = read(&d);
    assert!(
        once.contains("InlineCode: 'def handler(e, c): pass'\n      Timeout: 3\n"),
        "{once}"
    );
    assert!(!once.contains("RedrivePolicy"));
    // Again: nothing to do, the file is not rewritten.
    let before = std::fs::metadata(d.path().join("template.yaml"))
        .unwrap()
        .modified()
        .unwrap();
    let r = common::run_in(
        d.path(),
        &["check", "--fix", "--ignore", "LMB050,LMB051", "."],
    );
    assert!(
        r.stdout.contains("Fixed 0 findings (1 remaining)."),
        "{}",
        r.stdout
    );
    assert_eq!(read(&d), once);
    let after = std::fs::metadata(d.path().join("template.yaml"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
    // Unsafe fixes too: nothing remains, exit 0; twice is once.
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--ignore",
            "LMB050,LMB051",
            ".",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Fixed 1 finding (0 remaining)."),
        "{}",
        r.stdout
    );
    let twice = read(&d);
    assert!(
        twice.contains("deadLetterTargetArn: !GetAtt JobsDLQ.Arn"),
        "{twice}"
    );
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--ignore",
            "LMB050,LMB051",
            ".",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(read(&d), twice);
    // JSON output stays JSON; the summary goes to standard error.
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--fix",
            "--format",
            "json",
            "--ignore",
            "LMB050,LMB051",
            ".",
        ],
    );
    assert!(r.json()["diagnostics"].as_array().unwrap().is_empty());
    assert!(
        r.stderr.contains("Fixed 0 findings (0 remaining)."),
        "{}",
        r.stderr
    );
}

#[test]
fn cli_diff_prints_and_writes_nothing() {
    let d = project(APP);
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "--ignore",
            "LMB050,LMB051",
            "template.yaml",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(read(&d), APP);
    assert!(
        r.stdout
            .starts_with("--- template.yaml\n+++ template.yaml\n@@ "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n+      Timeout: 3\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\n+  JobsDLQ:\n"), "{}", r.stdout);
    assert!(
        r.stderr.contains("Would fix 2 findings (0 remaining)."),
        "{}",
        r.stderr
    );
    // Safe fixes only: the timeout alone.
    let r = common::run_in(d.path(), &["check", "--diff", "template.yaml"]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains("JobsDLQ"), "{}", r.stdout);
    // Nothing to fix: exit 0, no output.
    let clean = project("Resources:\n  T:\n    Type: AWS::SNS::Topic\n");
    let r = common::run_in(clean.path(), &["check", "--diff", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
}

#[cfg(unix)]
#[test]
fn cli_fix_never_writes_through_a_symlink() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("real.yaml");
    std::fs::write(&target, APP).unwrap();
    let d = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&target, d.path().join("template.yaml")).unwrap();
    let r = common::run_in(d.path(), &["check", "--fix", "template.yaml"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("symlink"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), APP);
}

#[test]
fn a_file_changed_on_disk_is_not_overwritten() {
    let d = project(APP);
    let paths = vec![d.path().to_path_buf()];
    let run = lambdalint::fix::run::fix_paths(
        &paths,
        &lambdalint::discover::Filter::new(&[], &[]).unwrap(),
        &lambdalint::rule::RuleSelection {
            ignore: vec!["LMB050".into(), "LMB051".into()],
            ..lambdalint::rule::RuleSelection::default()
        },
        &lambdalint::fsx::Access::new(&paths, &[], lambdalint::fsx::DEFAULT_SOURCE_CAP),
        Applicability::Unsafe,
        &|_| {},
    );
    assert_eq!(run.changes.len(), 1);
    assert_eq!(run.applied(), 2);
    let edited = format!("{APP}# edited meanwhile\n");
    std::fs::write(d.path().join("template.yaml"), &edited).unwrap();
    let e = lambdalint::fix::run::write(&run.changes[0], &paths).unwrap_err();
    assert!(e.contains("changed on disk"), "{e}");
    assert_eq!(read(&d), edited);
    // Outside the paths given: refused.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("template.yaml"), APP).unwrap();
    let e =
        lambdalint::fix::run::write(&run.changes[0], &[other.path().to_path_buf()]).unwrap_err();
    assert!(e.contains("outside"), "{e}");
    lambdalint::fix::run::write(&run.changes[0], &paths).unwrap();
    assert_eq!(read(&d), run.changes[0].fixed.text);
}

/// `lambdalint report` says for each finding whether `--fix` can fix it, and how (safe or
/// `--unsafe-fixes`); a finding without a fix gets no such line.
#[test]
fn report_says_which_findings_fix_can_fix() {
    let d = project(APP);
    let out = d.path().join("r.md");
    let r = common::run_in(
        d.path(),
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let md = std::fs::read_to_string(&out).unwrap();
    // Each finding is a "- **severity** [CODE ...](...)" item followed by its indented lines.
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    for line in md.lines() {
        if line.starts_with("- **") {
            items.push((line.to_string(), Vec::new()));
        } else if line.starts_with("  ")
            && let Some(last) = items.last_mut()
        {
            last.1.push(line.to_string());
        }
    }
    let fix_of = |code: &str, resource: &str| -> Vec<Option<String>> {
        items
            .iter()
            .filter(|(h, _)| {
                h.contains(&format!("[{code} ")) && h.contains(&format!("`{resource}`"))
            })
            .map(|(_, rest)| {
                rest.iter()
                    .find_map(|l| l.trim_start().strip_prefix("fix: ").map(str::to_string))
            })
            .collect()
    };
    assert_eq!(
        fix_of("LMB010", "Api"),
        [Some("fixable with `lambdalint check --fix`".to_string())],
        "{md}"
    );
    let sqs = fix_of("SQS001", "Jobs");
    assert_eq!(sqs.len(), 1, "{md}");
    assert!(
        sqs[0]
            .as_deref()
            .is_some_and(|n| n.starts_with("fixable with `lambdalint check --fix --unsafe-fixes`")),
        "{md}"
    );
    // LMB050 has a fix for a log group without retention, none for a function without a log
    // group (creating `/aws/lambda/<name>` would collide with the one Lambda made): no fix line.
    assert_eq!(fix_of("LMB050", "Api"), vec![None::<String>], "{md}");
    assert_eq!(fix_of("LMB050", "Worker"), vec![None::<String>], "{md}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// HDL010: `--fix --unsafe-fixes` writes a timeout argument into the handler sources (Python,
/// JavaScript, TypeScript); the fixed sources are snapshotted, the findings are gone except the
/// one with no fix (`fetch(url, opts)`), a second run changes nothing, safe fixes leave the
/// sources alone, and naming only the template leaves them alone too.
#[test]
fn handler_sources_get_a_timeout_argument() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(Path::new("testdata/fix-sources/HDL010"), d.path());
    let read = |f: &str| std::fs::read_to_string(d.path().join(f)).unwrap();
    let files = ["src/app.py", "src/index.mjs", "src/api.ts"];
    let before: Vec<String> = files.iter().map(|f| read(f)).collect();
    let args = ["check", "--no-config", "--select", "HDL010"];
    // Safe fixes only: nothing to do.
    let r = common::run_in(d.path(), &[&args[..], &["--fix", "."]].concat());
    assert!(
        r.stdout.contains("Fixed 0 findings (7 remaining)."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    // The template alone: the sources are outside the paths given.
    let r = common::run_in(
        d.path(),
        &[&args[..], &["--fix", "--unsafe-fixes", "template.yaml"]].concat(),
    );
    assert!(
        r.stdout.contains("Fixed 0 findings (7 remaining)."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let same: Vec<String> = files.iter().map(|f| read(f)).collect();
    assert_eq!(same, before);
    let r = common::run_in(
        d.path(),
        &[&args[..], &["--fix", "--unsafe-fixes", "."]].concat(),
    );
    assert!(
        r.stdout.contains("Fixed 6 findings (1 remaining)."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("src/api.ts:4"), "{}", r.stdout);
    for f in files {
        let text = read(f);
        // Comments kept.
        for line in before[files.iter().position(|x| *x == f).unwrap()].lines() {
            let marker = if f.ends_with(".py") { "# " } else { "// " };
            if let Some(i) = line.find(marker) {
                assert!(text.contains(&line[i..]), "{f}: lost {:?}", &line[i..]);
            }
        }
        insta::with_settings!({snapshot_path => "../testdata/fix/snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("HDL010_{}", f.replace(['/', '.'], "_")), text);
        });
    }
    let once: Vec<String> = files.iter().map(|f| read(f)).collect();
    let r = common::run_in(
        d.path(),
        &[&args[..], &["--fix", "--unsafe-fixes", "."]].concat(),
    );
    assert!(
        r.stdout.contains("Fixed 0 findings (1 remaining)."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let twice: Vec<String> = files.iter().map(|f| read(f)).collect();
    assert_eq!(once, twice);
}

/// Two functions behind one deprecated `Globals` runtime (one grouped LMB060 finding), both
/// without `Timeout` (two LMB010 findings, one `Globals` edit), and two unused services in one
/// `Action` list (two IAM005 fixes that touch the same list: applied in separate passes).
const GROUPED: &str = r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.8
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          TABLE: !Ref Orders
      InlineCode: |
        import os
        import boto3
        ddb = boto3.client("dynamodb")

        def handler(event, context):
            return ddb.get_item(TableName=os.environ["TABLE"], Key={"id": {"S": event["id"]}})
      Policies:
        - Statement:
            - Effect: Allow
              Action:
                - dynamodb:GetItem
                - sqs:SendMessage
                - sns:Publish
              Resource: !GetAtt Orders.Arn
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return event
"#;

/// (code, count) of a JSON check of the project.
fn counts(d: &tempfile::TempDir) -> BTreeMap<String, usize> {
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--fail-on",
            "error",
            ".",
        ],
    );
    let mut m = BTreeMap::new();
    for x in r.json()["diagnostics"].as_array().unwrap() {
        *m.entry(x["code"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

/// "Fixed N findings (M remaining)": N is exactly how many fewer findings a re-check shows, M
/// how many it shows, with grouped findings, fixes that share an edit and fixes applied over
/// several passes.
#[test]
fn fix_summary_equals_the_recheck() {
    let d = project(GROUPED);
    let before = counts(&d);
    assert_eq!(before.get("LMB060"), Some(&1), "{before:?}");
    assert_eq!(before.get("LMB010"), Some(&2), "{before:?}");
    assert_eq!(before.get("IAM005"), Some(&2), "{before:?}");
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "json",
            ".",
        ],
    );
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("Fixed "))
        .unwrap_or_else(|| panic!("no summary: {}", r.stderr));
    let after = counts(&d);
    let total = |m: &BTreeMap<String, usize>| m.values().sum::<usize>();
    let fixed = total(&before) - total(&after);
    assert_eq!(
        line,
        format!("Fixed {fixed} findings ({} remaining).", total(&after)),
        "before {before:?}, after {after:?}"
    );
    for code in ["LMB060", "LMB010", "IAM005"] {
        assert!(
            !after.contains_key(code),
            "{code} left: {after:?}\n{}",
            read(&d)
        );
    }
    for (code, n) in &after {
        assert!(before.get(code).is_some_and(|b| b >= n), "new {code}");
    }
    assert!(fixed >= 5, "{line}");
    let text = read(&d);
    assert!(
        !text.contains("sqs:SendMessage") && !text.contains("sns:Publish"),
        "{text}"
    );
}

/// IAM006's finding is in the handler file and its fix is a grant in the template: `--fix`
/// writes the template (the handler is untouched), the findings are gone on a re-check.
#[test]
fn handler_finding_fixed_in_the_template() {
    let d = project(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n  Writer:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n      CodeUri: src/\n      Timeout: 10\n      Environment:\n        Variables:\n          TABLE: !Ref Orders\n      Policies:\n        - DynamoDBReadPolicy:\n            TableName: !Ref Orders\n",
    );
    let code = "import os\nimport boto3\n\nddb = boto3.client(\"dynamodb\")\n\n\ndef handler(event, context):\n    ddb.put_item(TableName=os.environ[\"TABLE\"], Item={\"id\": {\"S\": event[\"id\"]}})\n    return ddb.get_item(TableName=os.environ[\"TABLE\"], Key={\"id\": {\"S\": event[\"id\"]}})\n";
    std::fs::create_dir(d.path().join("src")).unwrap();
    std::fs::write(d.path().join("src/app.py"), code).unwrap();
    let args = [
        "check",
        "--no-config",
        "--ignore",
        "LMB050,LMB051,LMB030",
        ".",
    ];
    let r = common::run_in(d.path(), &args);
    assert!(r.stdout.contains("IAM006"), "{}", r.stdout);
    assert!(r.stdout.contains("src/app.py"), "{}", r.stdout);
    let r = common::run_in(
        d.path(),
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--ignore",
            "LMB050,LMB051,LMB030",
            ".",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Fixed 1 finding (0 remaining)."),
        "{}",
        r.stdout
    );
    let t = read(&d);
    assert!(
        t.ends_with("        - Statement:\n            - Effect: Allow\n              Action: dynamodb:PutItem\n              Resource: !GetAtt Orders.Arn\n"),
        "{t}"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("src/app.py")).unwrap(),
        code
    );
    let r = common::run_in(d.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stdout);
}
