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

use frameworks::{copy_dir, findings, frameworks, lambdalint_json, repo, run_cmd, skip};

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

/// `SNSTopic<Name>` ids the Framework generates for `sns:` events, to the function key that
/// subscribes (the source form reports a generated topic under that key).
fn sns_topics(yml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in yml.lines() {
        if let Some(k) = line.strip_prefix("  ")
            && !k.starts_with(' ')
            && let Some(name) = k.strip_suffix(':')
        {
            current = name.to_string();
        }
        let t = line.trim();
        let topic = t
            .strip_prefix("- sns: ")
            .or_else(|| t.strip_prefix("topicName: "));
        if let Some(topic) = topic {
            let alnum: String = topic.chars().filter(char::is_ascii_alphanumeric).collect();
            out.push((format!("SNSTopic{}", normalized(&alnum)), current.clone()));
        }
    }
    out
}

/// A packaged id in the source form's terms: the REST API's stage is a timestamped
/// `ApiGatewayDeployment<n>`, and the source form reports API stages under the API's id.
fn api_stage(id: &str) -> Option<&'static str> {
    if id.starts_with("ApiGatewayDeployment") || id == "ApiGatewayStage" {
        Some("ApiGatewayRestApi")
    } else if id == "HttpApiStage" {
        Some("HttpApi")
    } else if id == "WebsocketsDeploymentStage" {
        Some("WebsocketsApi")
    } else {
        None
    }
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
    // Plugins (serverless-iam-roles-per-function) resolve from a node_modules above the
    // project (Node's lookup walks up), so the Framework does not zip them into the package.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        prefix.join("node_modules"),
        work.parent().unwrap().join("node_modules"),
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
    let yml = std::fs::read_to_string(src.join("serverless.yml")).unwrap();
    let topics = sns_topics(&yml);
    let to_function = |id: &str| -> String {
        if let Some(api) = api_stage(id) {
            return api.to_string();
        }
        if let Some((_, f)) = topics.iter().find(|(t, _)| t == id) {
            return f.clone();
        }
        // serverless-iam-roles-per-function roles keep their id (`<Fn>IamRoleLambdaExecution`).
        if id.ends_with("IamRoleLambdaExecution") {
            return id.to_string();
        }
        by_prefix
            .iter()
            .find(|(p, _)| id.starts_with(p.as_str()))
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    // `provider.logs.restApi` is applied to the REST stage through the SDK after the stack
    // deploys (the Framework's `update-stage.js`): the packaged template cannot show it, the
    // source form models the stage that ends up deployed.
    let sdk_applied = yml.contains("    restApi:");
    let from_source = findings(&source, &|r| r.to_string());
    let pk = lambdalint_json(packaged.parent().unwrap(), &[packaged.to_str().unwrap()]);
    let from_package: BTreeSet<(String, String)> = findings(&pk, &to_function)
        .into_iter()
        // The Framework's own resources: the deployment bucket, and the custom resource
        // that sets the account's API Gateway CloudWatch role (a function nobody edits).
        .filter(|(_, r)| {
            !r.starts_with("ServerlessDeploymentBucket") && !r.starts_with("CustomDashresource")
        })
        .filter(|(c, r)| {
            !(sdk_applied
                && r == "ApiGatewayRestApi"
                && matches!(c.as_str(), "APIGW002" | "APIGW003"))
        })
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

/// Warnings and errors of the source form, handler findings included.
fn serious(source: &serde_json::Value) -> BTreeSet<(String, String)> {
    source["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn defects_are_found_the_same_on_serverless_yml_and_the_packaged_template() {
    let Some((found, source)) = round_trip("orders-bad") else {
        return;
    };
    // Every defect of the project, exactly: the classic ones, API stages (REST without access
    // logs, WebSocket logging full bodies), the Framework's unscoped WebSocket permission, the
    // SNS subscription without a redrive policy, the single-AZ VPC function, a schedule without
    // a dead-letter queue, a per-function role (serverless-iam-roles-per-function) with
    // wildcards.
    let expected: BTreeSet<_> = [
        pair("LMB001", "notify"),
        pair("LMB011", "api"),
        pair("LMB002", "stream"),
        pair("SQS001", "WorkQueue"),
        pair("SQS010", "WorkQueue"),
        pair("IAM001", "IamRoleLambdaExecution"),
        pair("IAM002", "IamRoleLambdaExecution"),
        pair("VPC001", "private"),
        pair("VPC004", "private"),
        pair("HDL001", "worker"),
        pair("APIGW002", "ApiGatewayRestApi"),
        pair("APIGW003", "WebsocketsApi"),
        pair("IAM010", "live"),
        pair("SNS001", "notify"),
        pair("EVB001", "nightly"),
        pair("LMB001", "nightly"),
        pair("IAM001", "AuditIamRoleLambdaExecution"),
        pair("IAM002", "AuditIamRoleLambdaExecution"),
    ]
    .into_iter()
    .collect();
    assert_eq!(serious(&source), expected, "{source:#}");
    // The observability infos: every function keeps its logs forever and is not traced.
    for f in [
        "api", "notify", "worker", "stream", "private", "live", "audit",
    ] {
        for code in ["LMB050", "LMB051"] {
            assert!(found.contains(&pair(code, f)), "{code} {f}: {source:#}");
        }
    }
    let classic: BTreeSet<_> = found
        .iter()
        .filter(|(c, _)| MISSION_CODES.contains(&c.as_str()))
        .cloned()
        .collect();
    assert!(classic.len() >= 8, "{classic:?}");
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
    // The WebSocket stage finding points at `provider.logs.websocket`, the key that turns
    // full-body logging on; the REST stage's at the `http` event that created the API.
    let yml = std::fs::read_to_string(repo().join("testdata/serverless/orders-bad/serverless.yml"))
        .unwrap();
    let line_of = |needle: &str| yml.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let apigw003 = diags.iter().find(|d| d["code"] == "APIGW003").unwrap();
    assert_eq!(apigw003["file"], "serverless.yml");
    assert_eq!(
        apigw003["range"]["start"]["line"],
        line_of("websocket: true"),
        "{apigw003:#}"
    );
    assert!(
        apigw003["help"]
            .as_str()
            .unwrap()
            .contains("fullExecutionData: false"),
        "{apigw003:#}"
    );
    let apigw002 = diags.iter().find(|d| d["code"] == "APIGW002").unwrap();
    assert!(
        apigw002["help"]
            .as_str()
            .unwrap()
            .contains("provider.logs.restApi: true"),
        "{apigw002:#}"
    );
    assert_eq!(
        apigw002["range"]["start"]["line"],
        line_of("- http:"),
        "{apigw002:#}"
    );
}

#[test]
fn the_clean_twin_is_clean_on_both_forms() {
    let Some((found, source)) = round_trip("orders-good") else {
        return;
    };
    assert!(serious(&source).is_empty(), "{source:#}");
    // One info is left: a v3 REST API has no stage throttling (the Framework offers usage
    // plans, which do not bound the stage).
    assert_eq!(
        found,
        [pair("APIGW001", "ApiGatewayRestApi")]
            .into_iter()
            .collect(),
        "{source:#}"
    );
}

/// The 19 rules of the six mission concerns.
const MISSION_CODES: &[&str] = &[
    "LMB001", "LMB002", "SQS001", "LMB010", "LMB011", "SQS010", "VPC001", "VPC002", "LMB030",
    "RDS001", "IAM001", "IAM002", "IAM003", "HDL001", "HDL002", "HDL003", "HDL010", "IAM005",
    "IAM006",
];
