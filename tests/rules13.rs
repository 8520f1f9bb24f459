//! Issue 13's template rules on projects the rule fixtures never saw (testdata/projects/rules13-*):
//! SAM and plain CloudFormation, YAML and JSON twins, inline and file-based state machines. Each
//! rule has two or more defect cases and a clean near-miss twin next to each: the findings of the
//! 21 rules are exactly the listed ones (so none on the twins).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use lambdalint::check::check_paths;
use lambdalint::discover::Filter;
use lambdalint::rule::RuleSelection;

const CODES: &[&str] = &[
    "LMB003", "LMB012", "LMB020", "LMB040", "LMB050", "LMB051", "LMB060", "IAM010", "SQS002",
    "SQS011", "SNS001", "EVB001", "APIGW001", "APIGW002", "APIGW003", "APIGW005", "SFN001",
    "SFN002", "VPC003", "VPC004", "DDB001",
];

type Row = (String, String, String, u32, String);

/// (code, severity, file inside the project, line, resource) of the 21 rules' findings, with
/// LMB060's date pinned.
fn findings(project: &str) -> Vec<Row> {
    let mut date = toml::Table::new();
    date.insert("date".into(), toml::Value::String("2026-12-03".into()));
    let sel = RuleSelection {
        options: vec![("LMB060".into(), date)],
        ..Default::default()
    };
    let out = check_paths(
        &[PathBuf::from(format!("testdata/projects/{project}"))],
        &Filter::new(&[], &[]).unwrap(),
        &sel,
    );
    assert!(out.errors.is_empty(), "{project}: {:?}", out.errors);
    let mut v: Vec<Row> = out
        .diagnostics
        .iter()
        .filter(|d| CODES.contains(&d.code))
        .map(|d| {
            let file = d.file.display.replace('\\', "/");
            let short = file
                .split_once(&format!("projects/{project}/"))
                .map_or(file.as_str(), |(_, s)| s)
                .to_string();
            (
                d.code.to_string(),
                d.severity.as_str().to_string(),
                short,
                d.file.line_col(d.span.start).line,
                d.resource.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

fn rows(expected: &[(&str, &str, &str, u32, &str)]) -> Vec<Row> {
    let mut v: Vec<Row> = expected
        .iter()
        .map(|(c, s, f, l, r)| {
            (
                c.to_string(),
                s.to_string(),
                f.to_string(),
                *l,
                r.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The JSON twin of a YAML project: the same findings (code, severity, file, resource); lines differ.
fn same_without_lines(yaml: &[Row], json: &[Row]) {
    let strip = |v: &[Row]| {
        let mut s: Vec<(String, String, String, String)> = v
            .iter()
            .map(|(c, s, f, _, r)| {
                (
                    c.clone(),
                    s.clone(),
                    f.replace("template.json", "template.yaml"),
                    r.clone(),
                )
            })
            .collect();
        s.sort();
        s
    };
    assert_eq!(strip(yaml), strip(json));
}

const SAM: &[(&str, &str, &str, u32, &str)] = &[
    ("APIGW001", "info", "template.yaml", 400, "Orders1"),
    ("APIGW002", "warning", "template.yaml", 400, "Orders1"),
    ("APIGW003", "warning", "template.yaml", 414, "OpsApi"),
    (
        "APIGW005",
        "warning",
        "template.yaml",
        436,
        "PrivateNoPolicy",
    ),
    ("APIGW005", "warning", "template.yaml", 450, "PrivateOpen"),
    ("DDB001", "warning", "template.yaml", 683, "Carts"),
    ("DDB001", "warning", "template.yaml", 696, "Sessions"),
    ("EVB001", "warning", "template.yaml", 364, "Notified"),
    ("IAM010", "warning", "template.yaml", 328, "PublicUrl"),
    (
        "IAM010",
        "warning",
        "template.yaml",
        339,
        "AlertsPermission",
    ),
    ("LMB003", "warning", "template.yaml", 74, "ClickConsumer"),
    (
        "LMB003",
        "warning",
        "template.yaml",
        87,
        "OrderStreamConsumer",
    ),
    ("LMB012", "warning", "template.yaml", 132, "MinuteJob"),
    ("LMB012", "warning", "template.yaml", 144, "FiveMinuteJob"),
    ("LMB020", "warning", "template.yaml", 228, "Disabled"),
    ("LMB020", "warning", "template.yaml", 236, "OverPolled"),
    ("LMB020", "warning", "template.yaml", 249, "Starved"),
    ("LMB040", "warning", "template.yaml", 286, "Leaky"),
    ("LMB040", "warning", "template.yaml", 287, "Leaky"),
    ("LMB050", "info", "template.yaml", 44, "ForeverLogs"),
    ("LMB051", "info", "template.yaml", 302, "Untraced"),
    ("LMB060", "warning", "template.yaml", 310, "OldNode"),
    ("LMB060", "info", "template.yaml", 315, "SoonNode"),
    (
        "SFN001",
        "warning",
        "statemachine/orders.asl.json",
        5,
        "OrderFlow",
    ),
    ("SFN001", "warning", "template.yaml", 529, "InlineFlow"),
    (
        "SFN002",
        "warning",
        "statemachine/orders.asl.json",
        14,
        "OrderFlow",
    ),
    ("SFN002", "warning", "template.yaml", 543, "InlineFlow"),
    ("SNS001", "warning", "template.yaml", 360, "Notified"),
    ("SQS002", "warning", "template.yaml", 204, "ShortDlq"),
    ("SQS011", "warning", "template.yaml", 195, "FewReceives"),
    ("VPC003", "warning", "template.yaml", 653, "LockedWriter"),
    ("VPC004", "warning", "template.yaml", 653, "LockedWriter"),
    ("VPC004", "warning", "template.yaml", 673, "OneSubnet"),
];

const CFN: &[(&str, &str, &str, u32, &str)] = &[
    (
        "APIGW001",
        "warning",
        "template.yaml",
        424,
        "ShopDeployment",
    ),
    ("APIGW001", "info", "template.yaml", 469, "EventsHttpStage"),
    (
        "APIGW002",
        "warning",
        "template.yaml",
        424,
        "ShopDeployment",
    ),
    (
        "APIGW002",
        "warning",
        "template.yaml",
        469,
        "EventsHttpStage",
    ),
    (
        "APIGW003",
        "warning",
        "template.yaml",
        446,
        "ShopDebugStage",
    ),
    ("APIGW005", "warning", "template.yaml", 488, "InternalApi"),
    (
        "APIGW005",
        "warning",
        "template.yaml",
        501,
        "InternalOpenApi",
    ),
    ("DDB001", "warning", "template.yaml", 804, "Carts"),
    ("EVB001", "warning", "template.yaml", 137, "FiveMinutes"),
    ("EVB001", "warning", "template.yaml", 159, "OrderShipped"),
    (
        "IAM010",
        "warning",
        "template.yaml",
        320,
        "UploadsPermission",
    ),
    (
        "IAM010",
        "warning",
        "template.yaml",
        337,
        "AnyonePermission",
    ),
    ("IAM010", "warning", "template.yaml", 352, "WorkerUrl"),
    ("LMB003", "warning", "template.yaml", 57, "ClicksMapping"),
    (
        "LMB003",
        "warning",
        "template.yaml",
        67,
        "ClicksMappingInfinite",
    ),
    ("LMB012", "warning", "template.yaml", 91, "SlowJob"),
    ("LMB020", "warning", "template.yaml", 226, "JobsMapping"),
    ("LMB040", "warning", "template.yaml", 270, "Legacy"),
    ("LMB040", "warning", "template.yaml", 271, "Legacy"),
    ("LMB050", "info", "template.yaml", 258, "Legacy"),
    ("LMB050", "info", "template.yaml", 311, "PassThroughLogs"),
    ("LMB051", "info", "template.yaml", 258, "Legacy"),
    ("LMB051", "info", "template.yaml", 310, "PassThrough"),
    ("LMB060", "warning", "template.yaml", 261, "Legacy"),
    ("SFN001", "warning", "template.yaml", 545, "StringFlow"),
    ("SFN001", "warning", "template.yaml", 577, "ObjectFlow"),
    ("SFN002", "warning", "template.yaml", 545, "StringFlow"),
    ("SFN002", "warning", "template.yaml", 583, "ObjectFlow"),
    ("SNS001", "warning", "template.yaml", 369, "AlertsToQueue"),
    ("SNS001", "warning", "template.yaml", 389, "InlineAlerts"),
    ("SQS002", "warning", "template.yaml", 188, "JobsDlq"),
    ("SQS011", "warning", "template.yaml", 197, "Jobs"),
    ("VPC003", "warning", "template.yaml", 656, "DbSg"),
    ("VPC003", "warning", "template.yaml", 799, "Sender"),
    ("VPC004", "warning", "template.yaml", 726, "DbClient"),
];

#[test]
fn sam_project_exact_findings() {
    assert_eq!(findings("rules13-sam"), rows(SAM));
}

#[test]
fn sam_json_twin_has_the_same_findings() {
    same_without_lines(&rows(SAM), &findings("rules13-sam-json"));
}

#[test]
fn cloudformation_project_exact_findings() {
    assert_eq!(findings("rules13-cfn"), rows(CFN));
}

#[test]
fn cloudformation_json_twin_has_the_same_findings() {
    same_without_lines(&rows(CFN), &findings("rules13-cfn-json"));
}

/// Every one of the 21 rules has at least two defect cases over the projects, and at least one
/// in each dialect (SAM, plain CloudFormation).
#[test]
fn every_rule_has_two_defect_cases() {
    let mut n: BTreeMap<&str, (usize, usize)> = CODES.iter().map(|c| (*c, (0, 0))).collect();
    for (c, ..) in SAM {
        n.get_mut(c).unwrap().0 += 1;
    }
    for (c, ..) in CFN {
        n.get_mut(c).unwrap().1 += 1;
    }
    for (c, (sam, cfn)) in &n {
        assert!(
            sam + cfn >= 2,
            "{c}: {sam} SAM + {cfn} CloudFormation cases"
        );
        // LMB012 has one finding per function; the CloudFormation function has two schedules.
        assert!(
            *sam >= 1 && *cfn >= 1,
            "{c}: {sam} SAM, {cfn} CloudFormation"
        );
    }
}

/// File-based state machines: findings point into the definition file, at the state.
#[test]
fn definition_file_findings_point_into_the_file() {
    for p in ["rules13-sam", "rules13-sam-json"] {
        let v = findings(p);
        let in_file: Vec<_> = v
            .iter()
            .filter(|r| r.2 == "statemachine/orders.asl.json")
            .map(|r| (r.0.as_str(), r.3))
            .collect();
        assert_eq!(in_file, vec![("SFN001", 5), ("SFN002", 14)], "{p}");
    }
}
