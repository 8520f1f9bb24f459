//! Serverless Framework round trip: lambdalint's findings on `serverless.yml` equal its findings on
//! the CloudFormation the real Framework (v3, from npm) packages for it, function by function;
//! the defects of `testdata/serverless/orders-bad` are all found and its clean twin
//! `orders-good` has none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod frameworks;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use frameworks::{
    NOT_YET_LOWERED, copy_dir, findings, frameworks, lambdalint_json, repo, run_cmd, skip,
};

/// The Framework's `getNormalizedFunctionName`.
fn normalized(name: &str) -> String {
    let s = name.replace('-', "Dash").replace('_', "Underscore");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Function keys of a `serverless.yml` (the test fixtures keep them simple: two-space indent).
fn function_names(yml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in yml.lines() {
        if line.starts_with("functions:") {
            inside = true;
            continue;
        }
        if inside && !line.starts_with(' ') && !line.trim().is_empty() {
            break;
        }
        if inside
            && let Some(k) = line.strip_prefix("  ")
            && !k.starts_with(' ')
            && let Some(name) = k.strip_suffix(':')
        {
            out.push(name.to_string());
        }
    }
    out
}

/// Package a project with the real Framework, offline (dummy credentials; remote variables
/// replaced by literals), and return the packaged template's path.
fn package(prefix: &Path, project: &Path, work: &Path) -> std::path::PathBuf {
    copy_dir(project, work);
    let yml = work.join("serverless.yml");
    let text = std::fs::read_to_string(&yml).unwrap();
    std::fs::write(
        &yml,
        text.replace("${ssm:/orders/api-key-name}", "api-key-name"),
    )
    .unwrap();
    let home = work.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new("node");
    cmd.current_dir(work)
        .arg(prefix.join("node_modules/serverless/bin/serverless.js"))
        .args(["package", "--stage", "dev", "--region", "us-east-1"])
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("SLS_TELEMETRY_DISABLED", "1")
        .env("SLS_NOTIFICATIONS_MODE", "off")
        .env("SLS_DEPRECATION_DISABLE", "*")
        .env("CI", "1");
    run_cmd(cmd, "serverless package");
    let t = work.join(".serverless/cloudformation-template-update-stack.json");
    assert!(t.is_file(), "the Framework wrote no template");
    t
}

/// Findings on the source form and on the packaged template, resources in the source form's
/// terms (packaged generated ids -> the function key they belong to).
fn round_trip(project: &str) -> Option<(BTreeSet<(String, String)>, serde_json::Value)> {
    let prefix = match frameworks() {
        Ok(p) => p,
        Err(why) => {
            skip(&format!("serverless round trip ({project})"), &why);
            return None;
        }
    };
    let src = repo().join("testdata/serverless").join(project);
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join(project);
    let packaged = package(&prefix, &src, &work);

    let source = lambdalint_json(&src, &["serverless.yml"]);
    assert_eq!(source["errors"], serde_json::json!([]), "{source:#}");
    let names = function_names(&std::fs::read_to_string(src.join("serverless.yml")).unwrap());
    let mut by_prefix: Vec<(String, String)> =
        names.iter().map(|n| (normalized(n), n.clone())).collect();
    by_prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let to_function = |id: &str| -> String {
        by_prefix
            .iter()
            .find(|(p, _)| id.starts_with(p.as_str()))
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let from_source = findings(&source, &|r| r.to_string());
    let pk = lambdalint_json(packaged.parent().unwrap(), &[packaged.to_str().unwrap()]);
    let from_package: BTreeSet<(String, String)> = findings(&pk, &to_function)
        .into_iter()
        .filter(|(_, r)| !r.starts_with("ServerlessDeploymentBucket"))
        .collect();
    assert_eq!(
        from_source, from_package,
        "{project}: findings on serverless.yml differ from findings on the packaged template\nsource: {source:#}\npackaged: {pk:#}"
    );
    // Every source-form finding lands in a file the user edits.
    for d in source["diagnostics"].as_array().unwrap() {
        let f = d["file"].as_str().unwrap();
        assert!(
            f == "serverless.yml" || f == "config.yml" || f.starts_with("src/"),
            "{d:#}"
        );
    }
    Some((from_source, source))
}

fn pair(code: &str, resource: &str) -> (String, String) {
    (code.to_string(), resource.to_string())
}

#[test]
fn defects_are_found_the_same_on_serverless_yml_and_the_packaged_template() {
    let Some((found, source)) = round_trip("orders-bad") else {
        return;
    };
    let expected: BTreeSet<_> = [
        pair("LMB001", "notify"),
        pair("LMB011", "api"),
        pair("LMB002", "stream"),
        pair("SQS001", "WorkQueue"),
        pair("SQS010", "WorkQueue"),
        pair("IAM001", "IamRoleLambdaExecution"),
        pair("IAM002", "IamRoleLambdaExecution"),
        pair("VPC001", "private"),
    ]
    .into_iter()
    .collect();
    // The classic defects, exactly (the hygiene rules added since, such as log retention or
    // tracing, also fire on this project; they are compared across forms above).
    let classic: BTreeSet<_> = found
        .into_iter()
        .filter(|(c, _)| MISSION_CODES.contains(&c.as_str()))
        .collect();
    assert_eq!(classic, expected, "{source:#}");
    // Handler findings come from the sources `handler:` names.
    let diags = source["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["code"] == "HDL001"
            && d["file"] == "src/worker.py"
            && d["resource"] == "worker"),
        "{source:#}"
    );
    // The timeout comes from `${file(./config.yml):apiTimeout}`: the finding is there.
    let lmb011 = diags.iter().find(|d| d["code"] == "LMB011").unwrap();
    assert_eq!(lmb011["file"], "config.yml");
    assert_eq!(lmb011["range"]["start"]["line"], 1);
    // Help speaks the Framework's keys.
    let lmb001 = diags.iter().find(|d| d["code"] == "LMB001").unwrap();
    assert!(
        lmb001["help"].as_str().unwrap().contains("destinations"),
        "{lmb001:#}"
    );
    assert!(
        lmb011["help"]
            .as_str()
            .unwrap()
            .contains("provider.timeout"),
        "{lmb011:#}"
    );
}

#[test]
fn the_clean_twin_is_clean_on_both_forms() {
    let Some((found, source)) = round_trip("orders-good") else {
        return;
    };
    assert!(
        found
            .iter()
            .all(|(c, _)| !MISSION_CODES.contains(&c.as_str())),
        "{source:#}"
    );
    // No warning or error of any rule; the observability infos (log retention, tracing) are
    // not modelled from the Framework's `logRetentionInDays` / `tracing` keys yet.
    let serious: Vec<_> = source["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["severity"] != "info" && !NOT_YET_LOWERED.contains(&d["code"].as_str().unwrap())
        })
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

/// The 19 rules of the six mission concerns.
const MISSION_CODES: &[&str] = &[
    "LMB001", "LMB002", "SQS001", "LMB010", "LMB011", "SQS010", "VPC001", "VPC002", "LMB030",
    "RDS001", "IAM001", "IAM002", "IAM003", "HDL001", "HDL002", "HDL003", "HDL010", "IAM005",
    "IAM006",
];
