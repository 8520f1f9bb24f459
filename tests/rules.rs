//! Every rule against its fixtures: `bad_*` files must produce the rule's code (snapshotted
//! rendering: message, resource, position), `good_*` files must not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use lambdalint::render::human::Human;

fn fixture_dirs() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir("testdata/rules")
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
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "json")
                )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn rules_fire_on_bad_and_not_on_good_fixtures() {
    let human = Human { color: false };
    let mut checked = 0;
    for dir in fixture_dirs() {
        let code = dir.file_name().unwrap().to_str().unwrap().to_string();
        for f in fixtures(&dir) {
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            let display = f.to_string_lossy().to_string();
            let diags = check_with(&display, &pinned());
            let mine: Vec<_> = diags.iter().filter(|d| d.code == code).collect();
            if name.starts_with("bad_") {
                assert!(
                    !mine.is_empty(),
                    "{display}: expected {code}, got {:?}",
                    diags.iter().map(|d| d.code).collect::<Vec<_>>()
                );
                let rendered: String = mine.iter().map(|d| human.diagnostic(d) + "\n").collect();
                let snap = name.replace('.', "_");
                insta::with_settings!({snapshot_path => format!("../{}/snapshots", dir.display()), prepend_module_to_snapshot => false, omit_expression => true}, {
                    insta::assert_snapshot!(snap, rendered);
                });
            } else if name.starts_with("good_") {
                assert!(
                    mine.is_empty(),
                    "{display}: unexpected {code}: {:#?}",
                    mine.iter().map(|d| &d.message).collect::<Vec<_>>()
                );
            } else {
                panic!("{display}: fixture names start with good_ or bad_");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fixtures");
}

/// Rules over handler source facts: their fixtures are whole projects (template + handler
/// sources) in testdata/projects, checked by tests/handlers.rs.
const PROJECT_RULES: &[&str] = &[
    "LMB030", "HDL001", "HDL002", "HDL003", "HDL010", "IAM005", "IAM006", "HDL021", "HDL030",
    "HDL040", "APIGW004",
];

/// Every rule of the registry has catalogue docs and good/bad fixtures for SAM and plain
/// CloudFormation, in YAML and JSON (handler rules: good and bad projects).
#[test]
fn every_rule_has_docs_and_fixtures() {
    for rule in lambdalint::rules::all() {
        let code = rule.code();
        if PROJECT_RULES.contains(&code) {
            let meta = lambdalint::rule::meta(code)
                .unwrap_or_else(|| panic!("{code}: no rules/{code}.toml"));
            assert!(meta.docs.why.len() > 50, "{code}: docs too thin");
            for p in ["py-bad", "py-good", "js-bad", "js-good"] {
                assert!(Path::new("testdata/projects").join(p).is_dir(), "{p}");
            }
            continue;
        }
        let meta =
            lambdalint::rule::meta(code).unwrap_or_else(|| panic!("{code}: no rules/{code}.toml"));
        assert_eq!(meta.code, code);
        assert!(
            meta.summary.len() > 10 && meta.docs.why.len() > 50,
            "{code}: docs too thin"
        );
        let dir = Path::new("testdata/rules").join(code);
        let names: Vec<String> = fixtures(&dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        for kind in ["good", "bad"] {
            for flavour in ["sam", "cfn"] {
                for ext in ["yaml", "json"] {
                    assert!(
                        names.iter().any(
                            |n| n.starts_with(&format!("{kind}_{flavour}")) && n.ends_with(ext)
                        ),
                        "{code}: missing a {kind}_{flavour}*.{ext} fixture (have {names:?})"
                    );
                }
            }
        }
    }
}

/// Check a fixture with a rule selection (ignored codes, rule options).
fn check_with(
    path: &str,
    sel: &lambdalint::rule::RuleSelection,
) -> Vec<lambdalint::diagnostic::Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = std::sync::Arc::new(lambdalint::source::SourceFile::new(
        PathBuf::from(path),
        path.to_string(),
        text,
    ));
    let rules = lambdalint::rules::all();
    lambdalint::check::check_source(&file, &rules, sel)
        .unwrap()
        .unwrap_or_default()
}

/// The default selection, with the date LMB060 compares runtimes with pinned (the fixtures must
/// not change verdict as time passes).
fn pinned() -> lambdalint::rule::RuleSelection {
    let mut t = toml::Table::new();
    t.insert("date".into(), toml::Value::String(PINNED_DATE.into()));
    lambdalint::rule::RuleSelection {
        options: vec![("LMB060".into(), t)],
        ..Default::default()
    }
}

const PINNED_DATE: &str = "2026-12-03";

fn ignoring(codes: &[&str]) -> lambdalint::rule::RuleSelection {
    lambdalint::rule::RuleSelection {
        ignore: codes.iter().map(|c| c.to_string()).collect(),
        ..Default::default()
    }
}

/// A stream source without OnFailure and without retry limits: one finding (LMB002) says both;
/// with LMB002 off, LMB003 says both.
#[test]
fn unbounded_stream_without_destination_is_one_finding() {
    for path in [
        "testdata/rules/LMB002/bad_cfn.yaml",
        "testdata/rules/LMB002/bad_sam.json",
    ] {
        let all = check_with(path, &Default::default());
        let l2: Vec<_> = all.iter().filter(|d| d.code == "LMB002").collect();
        assert!(!l2.is_empty(), "{path}");
        assert!(all.iter().all(|d| d.code != "LMB003"), "{path}");
        let without = check_with(path, &ignoring(&["LMB002"]));
        let l3: Vec<_> = without.iter().filter(|d| d.code == "LMB003").collect();
        // Bounded sources (bad_sam: `MaximumRetryAttempts: 3`) are LMB002's alone.
        if path.ends_with("bad_cfn.yaml") {
            assert_eq!(l3.len(), l2.len(), "{path}");
            for d in &l3 {
                assert!(
                    d.message
                        .contains("no `DestinationConfig.OnFailure` either"),
                    "{}",
                    d.message
                );
            }
        } else {
            assert!(l3.is_empty(), "{path}: {l3:?}");
        }
    }
}

/// LMB060 compares with its `date` option: the same template changes verdict with the date.
#[test]
fn deprecated_runtime_follows_the_pinned_date() {
    let with_date = |date: &str| {
        let mut t = toml::Table::new();
        t.insert("date".into(), toml::Value::String(date.into()));
        let sel = lambdalint::rule::RuleSelection {
            options: vec![("LMB060".into(), t)],
            ..Default::default()
        };
        check_with("testdata/rules/LMB060/bad_sam.yaml", &sel)
            .into_iter()
            .filter(|d| d.code == "LMB060")
            .map(|d| (d.resource.clone().unwrap(), d.severity))
            .collect::<Vec<_>>()
    };
    use lambdalint::diagnostic::Severity::{Info, Warning};
    // Long before: nothing; 180 days before python3.8's date: info; after both dates: warnings.
    assert!(with_date("2023-01-01").is_empty());
    assert_eq!(with_date("2024-05-01"), vec![("Legacy".to_string(), Info)]);
    assert_eq!(
        with_date("2027-05-01"),
        vec![
            ("Legacy".to_string(), Warning),
            ("Soon".to_string(), Warning)
        ]
    );
    // The option is validated: a TOML date or a YYYY-MM-DD string.
    let parse = |t: &str| {
        lambdalint::config::Config::parse(Path::new("lambdalint.toml"), t, false).map(|_| ())
    };
    assert!(parse("[rules.LMB060.options]\ndate = 2026-12-03\n").is_ok());
    assert!(parse("[rules.LMB060.options]\ndate = \"2026-12-03\"\n").is_ok());
    let e = parse("[rules.LMB060.options]\ndate = \"soon\"\n").unwrap_err();
    assert!(e.to_string().contains("a date"), "{e}");
}

/// An interface endpoint whose security group blocks the function, in subnets without other
/// egress: VPC001 says it in its finding; VPC003 says it only when VPC001 is off.
#[test]
fn blocked_endpoint_is_one_finding() {
    for path in [
        "testdata/rules/VPC001/bad_sam_endpoint_security_group.yaml",
        "testdata/rules/VPC001/bad_sam_endpoint_security_group.json",
    ] {
        let all = check_with(path, &Default::default());
        assert_eq!(
            all.iter().filter(|d| d.code == "VPC001").count(),
            1,
            "{path}"
        );
        assert!(all.iter().all(|d| d.code != "VPC003"), "{path}: {all:?}");
        let without = check_with(path, &ignoring(&["VPC001"]));
        let v3: Vec<_> = without.iter().filter(|d| d.code == "VPC003").collect();
        assert_eq!(v3.len(), 1, "{path}: {v3:?}");
        assert!(v3[0].message.contains("`SqsEndpoint`"), "{}", v3[0].message);
    }
}
