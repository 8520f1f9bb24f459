//! AWS CDK round trip: apps synthesised with the real aws-cdk-lib (`node app.js`, from npm);
//! lambdalint's findings on the project (its `cdk.out`, with construct paths and creation
//! stacks) equal its findings on the same templates read as plain CloudFormation, minus CDK's own
//! helper functions; the defects of `testdata/cdk/orders-bad` are all found and its clean twin
//! `orders-good` has none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod frameworks;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use frameworks::{copy_dir, findings, frameworks, lambdalint_json, repo, run_cmd, skip};

/// Synthesise a fixture app in a fresh directory, then move the project elsewhere (the creation
/// stacks then hold paths of another machine, as in CI artifacts). Returns the moved project.
fn synth(prefix: &Path, app: &str, tmp: &Path) -> PathBuf {
    let built = tmp.join("synthesised-here").join(app);
    copy_dir(&repo().join("testdata/cdk").join(app), &built);
    // NodejsFunction bundles with `npx --no-install esbuild` from the app's node_modules.
    let bundles = built.join("package-lock.json").is_file();
    #[cfg(unix)]
    if bundles {
        std::os::unix::fs::symlink(prefix.join("node_modules"), built.join("node_modules"))
            .unwrap();
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(&built)
        .arg("app.js")
        .env("NODE_PATH", prefix.join("node_modules"))
        .env("CDK_OUTDIR", built.join("cdk.out"))
        .env("CDK_DISABLE_VERSION_CHECK", "1");
    run_cmd(cmd, "node app.js");
    assert!(built.join("cdk.out/manifest.json").is_file());
    if bundles {
        std::fs::remove_file(built.join("node_modules")).unwrap();
    }
    let moved = tmp.join("checked-there").join(app);
    copy_dir(&built, &moved);
    std::fs::remove_dir_all(&built).unwrap();
    moved
}

struct Checked {
    cdk: serde_json::Value,
    plain: serde_json::Value,
}

fn check(app: &str) -> Option<Checked> {
    let prefix = match frameworks() {
        Ok(p) => p,
        Err(why) => {
            skip(&format!("cdk round trip ({app})"), &why);
            return None;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = synth(&prefix, app, tmp.path());
    // The CDK form: `lambdalint check .` in the app finds `cdk.out` by its `cdk.json`.
    let cdk = lambdalint_json(&project, &["."]);
    assert_eq!(cdk["errors"], serde_json::json!([]), "{cdk:#}");
    assert_eq!(cdk["summary"]["templates"], 1, "{cdk:#}");
    // The same template as plain CloudFormation, outside any assembly.
    let plain_dir = tmp.path().join("plain");
    std::fs::create_dir_all(&plain_dir).unwrap();
    std::fs::copy(
        project.join("cdk.out/OrdersStack.template.json"),
        plain_dir.join("orders.json"),
    )
    .unwrap();
    let plain = lambdalint_json(&plain_dir, &["orders.json"]);
    Some(Checked { cdk, plain })
}

fn is_helper(id: &str) -> bool {
    id.starts_with("BucketNotificationsHandler") || id.starts_with("CustomS3AutoDeleteObjects")
}

fn compare(c: &Checked) -> BTreeSet<(String, String)> {
    let from_cdk = findings(&c.cdk, &|r| r.to_string());
    let from_plain: BTreeSet<_> = findings(&c.plain, &|r| r.to_string())
        .into_iter()
        .filter(|(_, r)| !is_helper(r))
        .collect();
    assert_eq!(
        from_cdk, from_plain,
        "cdk: {:#}\nplain: {:#}",
        c.cdk, c.plain
    );
    from_cdk
}

/// The logical id CDK gave a construct (`Notify` -> `Notify29C25B1B`).
fn id_of(found: &BTreeSet<(String, String)>, code: &str, construct: &str) -> bool {
    found.iter().any(|(c, r)| {
        c == code
            && r.starts_with(construct)
            && r.len() == construct.len() + 8
            && r[construct.len()..]
                .chars()
                .all(|ch| ch.is_ascii_hexdigit())
    })
}

#[test]
fn defects_are_found_in_the_cdk_app_and_its_synthesised_template_alike() {
    let Some(c) = check("orders-bad") else { return };
    let found = compare(&c);
    for (code, construct) in [
        ("LMB001", "Notify"),
        ("LMB010", "Notify"),
        ("LMB011", "Api"),
        ("SQS001", "Work"),
        ("SQS010", "Work"),
        ("VPC001", "Private"),
    ] {
        assert!(
            id_of(&found, code, construct),
            "{code} on {construct}: {found:?}"
        );
    }
    for code in ["IAM001", "IAM002"] {
        assert!(
            found
                .iter()
                .any(|(c, r)| c == code && r.starts_with("WorkerServiceRoleDefaultPolicy")),
            "{code}: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|(c, r)| c == "LMB002" && r.starts_with("StreamDynamoDBEventSource")),
        "{found:?}"
    );
    // CDK's helper functions had findings as plain CloudFormation; none in the CDK form.
    let plain_ids: Vec<&str> = c.plain["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["resource"].as_str())
        .collect();
    assert!(plain_ids.iter().any(|r| is_helper(r)), "{:#}", c.plain);
    let diags = c.cdk["diagnostics"].as_array().unwrap();
    for d in diags {
        let r = d["resource"].as_str().unwrap_or("");
        assert!(!is_helper(r), "{d:#}");
        // Every template finding names its construct and points at the app's own source.
        if !frameworks::handler_code(d["code"].as_str().unwrap()) {
            assert!(
                d["construct_path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("OrdersStack/")),
                "{d:#}"
            );
            assert_eq!(d["file"], "app.js", "{d:#}");
        }
    }
    // The async-invoked function: at the `new lambda.Function(this, 'Notify', ...)` line.
    let lmb001 = diags.iter().find(|d| d["code"] == "LMB001").unwrap();
    assert_eq!(lmb001["construct_path"], "OrdersStack/Notify/Resource");
    let src = std::fs::read_to_string(repo().join("testdata/cdk/orders-bad/app.js")).unwrap();
    let line = lmb001["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        src.lines().nth(line - 1).unwrap().contains("'Notify'"),
        "{lmb001:#}"
    );
    // Help in CDK terms.
    assert!(
        lmb001["help"].as_str().unwrap().contains("SqsDestination"),
        "{lmb001:#}"
    );
    // The handler comes from the staged asset (`Code.fromAsset`), by the S3Key hash.
    assert!(
        diags.iter().any(|d| d["code"] == "HDL001"
            && d["file"].as_str().unwrap().starts_with("cdk.out/asset.")
            && d["file"].as_str().unwrap().ends_with("/worker.py")),
        "{:#}",
        c.cdk
    );
}

#[test]
fn the_clean_cdk_twin_is_clean() {
    let Some(c) = check("orders-good") else {
        return;
    };
    let found = compare(&c);
    assert!(found.is_empty(), "{found:?}\n{:#}", c.cdk);
    assert_eq!(c.cdk["diagnostics"], serde_json::json!([]), "{:#}", c.cdk);
}

#[test]
fn a_cdk_app_without_an_assembly_says_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("cdk.json"), r#"{"app": "node app.js"}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lambdalint"))
        .current_dir(tmp.path())
        .args(["check", "."])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("npx cdk synth"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// Bundled `NodejsFunction` output (esbuild, one file): with a source map, the handler is
/// analysed in the real sources it names (`src/create.ts`, which imports `./ids`); without one,
/// it is not analysed and `--verbose` says why.
#[test]
fn bundled_nodejs_functions_are_analysed_through_their_source_maps() {
    let prefix = match frameworks() {
        Ok(p) => p,
        Err(why) => {
            skip("cdk bundled NodejsFunction", &why);
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = synth(&prefix, "bundled", tmp.path());
    let v = lambdalint_json(&project, &["."]);
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    let diags = v["diagnostics"].as_array().unwrap();
    let handler: Vec<(String, String, u64)> = diags
        .iter()
        .filter(|d| d["file"].as_str().unwrap().starts_with("src/"))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The client created per invocation, on the line of the real source (not the bundle).
    assert!(
        handler.contains(&("HDL001".into(), "src/create.ts".into(), 5)),
        "{v:#}"
    );
    assert!(
        diags
            .iter()
            .all(|d| !d["file"].as_str().unwrap().starts_with("cdk.out")),
        "no finding points into the bundle: {v:#}"
    );
    // The bundle without a source map: nothing from `src/report.ts`, and the reason.
    assert!(
        handler.iter().all(|(_, f, _)| f != "src/report.ts"),
        "{v:#}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_lambdalint"))
        .current_dir(&project)
        .args(["check", ".", "--verbose"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("without a source map"), "{text}");
}
