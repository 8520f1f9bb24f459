//! SARIF output against the OASIS SARIF 2.1.0 schema (testdata/sarif/, draft-07), for every
//! example project and every rule fixture, plus the properties code scanning relies on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use lambdalint::check::check_paths;
use lambdalint::discover::Filter;
use lambdalint::render::sarif;
use lambdalint::rule::RuleSelection;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("testdata/sarif/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sarif_of(paths: &[PathBuf]) -> Value {
    let filter = Filter::new(&[], &[]).unwrap();
    let out = check_paths(paths, &filter, &RuleSelection::default());
    serde_json::from_str(&sarif::render(&out)).unwrap()
}

fn dirs(root: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

#[test]
fn every_project_and_fixture_validates() {
    let v = validator();
    let mut n = 0;
    let mut results = 0;
    for d in dirs("testdata/projects")
        .into_iter()
        .chain(dirs("testdata/rules"))
        .chain([PathBuf::from("testdata")])
    {
        let doc = sarif_of(std::slice::from_ref(&d));
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{}: {errs:#?}", d.display());
        results += doc["runs"][0]["results"].as_array().unwrap().len();
        n += 1;
    }
    assert!(n >= 4);
    assert!(results > 10, "only {results} results");
}

#[test]
fn negative_control_is_rejected() {
    let v = validator();
    let mut doc = sarif_of(&[PathBuf::from("testdata/rules/LMB010/bad_sam.yaml")]);
    doc["runs"][0]["results"][0]["level"] = Value::from("fatal");
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert_eq!(errors(&v, &doc).len(), 2);
}

#[test]
fn results_have_locations_rules_and_fingerprints() {
    let doc = sarif_of(&[PathBuf::from("testdata/rules/LMB010/bad_sam.yaml")]);
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for m in lambdalint::rule::catalogue() {
        let r = rules.iter().find(|r| r["id"] == m.code.as_str()).unwrap();
        assert_eq!(r["name"], m.name.as_str());
        assert_eq!(r["help"]["markdown"], m.markdown().as_str());
        assert_eq!(r["helpUri"], m.help_uri().as_str());
        assert!(r["shortDescription"]["text"].is_string());
        assert!(r["fullDescription"]["text"].is_string());
        assert!(r["defaultConfiguration"]["level"].is_string());
    }
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "LMB010");
    assert_eq!(
        rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "LMB010"
    );
    let loc = &res["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/rules/LMB010/bad_sam.yaml"
    );
    let region = &loc["physicalLocation"]["region"];
    for k in ["startLine", "startColumn", "endLine", "endColumn"] {
        assert!(region[k].as_u64().unwrap() >= 1, "{k}");
    }
    assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
    assert!(loc["logicalLocations"][0]["name"].is_string());
    let fp = res["partialFingerprints"]["lambdalint/v1"]
        .as_str()
        .unwrap();
    assert_eq!(fp.len(), 18, "{fp}");
    assert!(fp.ends_with(":1"));
}

#[test]
fn fingerprints_survive_shifted_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("testdata/rules/LMB010/bad_sam.yaml").unwrap();
    let p = dir.path().join("template.yaml");
    std::fs::write(&p, &text).unwrap();
    let run = |p: &PathBuf| {
        let doc = sarif_of(std::slice::from_ref(p));
        let r = &doc["runs"][0]["results"][0];
        (
            r["partialFingerprints"]["lambdalint/v1"].clone(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
        )
    };
    let (fp1, line1) = run(&p);
    std::fs::write(&p, format!("# a comment\n\n{text}")).unwrap();
    let (fp2, line2) = run(&p);
    assert_eq!(fp1, fp2);
    assert_eq!(line2.as_u64().unwrap(), line1.as_u64().unwrap() + 2);
}

#[test]
fn fingerprints_are_unique_in_a_run() {
    let doc = sarif_of(&[PathBuf::from("testdata")]);
    let fps: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["lambdalint/v1"].as_str().unwrap())
        .collect();
    let mut unique = fps.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), fps.len());
}

#[test]
fn parse_errors_are_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.yaml");
    std::fs::write(&p, "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n").unwrap();
    let doc = sarif_of(&[p]);
    let v = validator();
    assert!(errors(&v, &doc).is_empty());
    let n = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["descriptor"]["id"], "E001");
    assert!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
}

#[test]
fn uris_are_encoded() {
    assert_eq!(sarif::path_uri("a b/c%.yaml"), "a%20b/c%25.yaml");
    assert_eq!(sarif::path_uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
    assert_eq!(sarif::path_uri("C:\\t\\x.yaml"), "file:///C:/t/x.yaml");
}
