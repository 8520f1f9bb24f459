//! Hostile and unusual inputs (testdata/loader/ plus generated ones): every one gives a clear
//! error with a position where there is one (exit 2) or a result, never a panic or a hang, and the
//! other files of the run are still checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::{Run, repo, run_in};
use serde_json::Value;

const GOOD: &str = "testdata/loader/good.yaml";

fn fixture(name: &str) -> String {
    format!("testdata/loader/{name}")
}

/// `lambdalint check --format json FILES` from the repository root.
/// The observability rules (LMB050 log retention, LMB051 tracing; info) fire on nearly every
/// function; these tests are about other things, so they leave them out.
const QUIET: &[&str] = &["--ignore", "LMB050,LMB051"];

fn check(files: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(QUIET);
    args.extend_from_slice(files);
    run_in(repo(), &args)
}

/// Check `file` together with the good template: `file`'s outcome, and the good one was checked.
fn check_with_good(file: &str) -> (Run, Value) {
    let r = check(&[file, GOOD]);
    let j = r.json();
    assert!(
        j["summary"]["templates"].as_u64().unwrap() >= 1,
        "the good template was not checked next to {file}: {j}"
    );
    (r, j)
}

fn codes_for(j: &Value, file: &str) -> Vec<String> {
    j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The one input error of the run: (message, line, column).
fn the_error(j: &Value, file: &str) -> (String, Option<(u64, u64)>) {
    let errors: Vec<&Value> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == file)
        .collect();
    assert_eq!(errors.len(), 1, "expected one error for {file}: {j}");
    let e = errors[0];
    let pos = e["range"].as_object().map(|r| {
        (
            r["start"]["line"].as_u64().unwrap(),
            r["start"]["column"].as_u64().unwrap(),
        )
    });
    (e["message"].as_str().unwrap().to_string(), pos)
}

fn assert_parse_error(file: &str, message_has: &str) -> (String, (u64, u64)) {
    let (r, j) = check_with_good(file);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let (msg, pos) = the_error(&j, file);
    assert!(
        msg.to_lowercase().contains(message_has),
        "{file}: message `{msg}` lacks `{message_has}`"
    );
    let pos = pos.unwrap_or_else(|| panic!("{file}: error without a position: {j}"));
    // the human output names file:line:col too
    let h = run_in(repo(), &["check", file]);
    assert_eq!(h.code, 2);
    let at = format!("{file}:{}:{}", pos.0, pos.1);
    assert!(
        h.stdout.contains(&at),
        "human output lacks {at}:\n{}",
        h.stdout
    );
    (msg, pos)
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const HEAD: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n";

#[test]
fn alias_bomb_is_reported_not_expanded() {
    let f = fixture("alias_bomb.yaml");
    let start = std::time::Instant::now();
    let (r, j) = check_with_good(&f);
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let codes = codes_for(&j, &f);
    // 9 lines of 9 aliases each, plus the one under Environment
    assert_eq!(codes.iter().filter(|c| *c == "E003").count(), 82, "{j}");
    let first = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == f.as_str() && d["code"] == "E003")
        .unwrap();
    assert_eq!(first["range"]["start"]["line"], 3);
    assert_eq!(first["range"]["start"]["column"], 8);
}

#[test]
fn deep_flow_yaml_is_a_clear_error() {
    let d = tmp();
    let p = write(
        d.path(),
        "deep.yaml",
        format!("{HEAD}  X: {}\n", "[".repeat(100_000)),
    );
    let (_, (line, _)) = assert_parse_error(s(&p), "nesting");
    assert_eq!(line, 3);
}

#[test]
fn deep_flow_yaml_closed_is_a_clear_error() {
    let d = tmp();
    let p = write(
        d.path(),
        "deep.yaml",
        format!(
            "{HEAD}  X: {}{}\n",
            "{a: [".repeat(50_000),
            "]}".repeat(50_000)
        ),
    );
    assert_parse_error(s(&p), "nesting");
}

#[test]
fn deep_json_arrays_are_a_clear_error() {
    let d = tmp();
    let p = write(
        d.path(),
        "deep.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"X\": {}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let (_, (line, col)) = assert_parse_error(s(&p), "nesting");
    assert_eq!(line, 1);
    assert!(col > 60, "{col}");
    // unclosed too
    let p = write(
        d.path(),
        "open.json",
        format!("{{\"Resources\": {}", "[".repeat(100_000)),
    );
    assert_parse_error(s(&p), "nesting");
}

#[test]
fn deep_json_objects_are_a_clear_error() {
    let d = tmp();
    let p = write(
        d.path(),
        "deep.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}1{}}}",
            "{\"a\": ".repeat(100_000),
            "}".repeat(100_000)
        ),
    );
    assert_parse_error(s(&p), "nesting");
}

#[test]
fn json_just_under_the_parser_limit_hits_our_limit_or_loads() {
    // 400 levels: the JSON parser accepts it, our converter's own limit must answer cleanly.
    let d = tmp();
    let p = write(
        d.path(),
        "deep.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"X\": {}{}}}}}",
            "[".repeat(400),
            "]".repeat(400)
        ),
    );
    assert_parse_error(s(&p), "nesting");
}

#[test]
fn deep_block_yaml_is_a_clear_error() {
    let d = tmp();
    let mut t = String::from(HEAD);
    for i in 0..2000 {
        t.push_str(&"  ".repeat(i + 1));
        t.push_str(&format!("k{i}:\n"));
    }
    t.push_str(&"  ".repeat(2001));
    t.push_str("v: 1\n");
    let p = write(d.path(), "deep.yaml", t);
    let (_, (line, _)) = assert_parse_error(s(&p), "nesting");
    assert!(line > 200 && line < 300, "{line}");
}

#[test]
fn non_utf8_is_reported_at_the_bad_byte() {
    let f = fixture("non_utf8.yaml");
    let (msg, pos) = assert_parse_error(&f, "utf-8");
    assert!(msg.contains("0xe9"), "{msg}");
    assert_eq!(pos, (8, 23));
}

#[test]
fn non_utf8_template_found_by_walking_is_reported() {
    let d = tmp();
    std::fs::copy(
        repo().join(fixture("non_utf8.yaml")),
        d.path().join("t.yaml"),
    )
    .unwrap();
    std::fs::copy(repo().join(GOOD), d.path().join("good.yaml")).unwrap();
    // binary and non-template non-UTF-8 files found by walking are skipped silently
    write(d.path(), "notes.yaml", b"title: caf\xe9\n");
    std::fs::copy(repo().join(fixture("binary.yaml")), d.path().join("b.yaml")).unwrap();
    let r = run_in(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let j = r.json();
    assert_eq!(j["errors"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(j["errors"][0]["file"], "t.yaml");
    assert_eq!(j["summary"]["templates"], 1);
}

#[test]
fn empty_files_are_not_templates() {
    // Named on the command line, a file that is not a template says so (E006, exit 2); the
    // other files are still checked. Found by walking, it is skipped (said under --verbose).
    for f in ["empty.yaml", "empty.json"] {
        let f = fixture(f);
        let (r, j) = check_with_good(&f);
        assert_eq!(r.code, 2, "{}", r.stdout);
        assert_eq!(j["summary"]["templates"], 1);
        let (msg, _) = the_error(&j, &f);
        assert!(
            msg.contains("not a CloudFormation or SAM template: the file is empty"),
            "{msg}"
        );
        assert_eq!(j["errors"][0]["code"], "E006");
    }
    let d = tmp();
    write(d.path(), "empty.yaml", "");
    let r = run_in(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn byte_order_mark_is_accepted_and_columns_hold() {
    for (f, line, col) in [("bom.yaml", 3, 3), ("bom.json", 4, 5)] {
        let f = fixture(f);
        let (r, j) = check_with_good(&f);
        assert_eq!(r.code, 1, "{}", r.stdout);
        assert_eq!(j["summary"]["templates"], 2, "{j}");
        let d = j["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == f.as_str())
            .unwrap_or_else(|| panic!("no finding in {f}: {j}"));
        assert_eq!(d["code"], "LMB010");
        assert_eq!(d["range"]["start"]["line"], line, "{f}");
        assert_eq!(d["range"]["start"]["column"], col, "{f}");
    }
}

#[test]
fn crlf_positions_are_right() {
    let f = fixture("crlf.yaml");
    let (r, j) = check_with_good(&f);
    assert_eq!(r.code, 1);
    let d = &j["diagnostics"][0];
    assert_eq!(d["file"], f.as_str());
    assert_eq!(d["range"]["start"]["line"], 3);
    assert_eq!(d["range"]["start"]["column"], 3);
    assert_eq!(d["range"]["end"]["column"], 5);
    // no carriage return symbol in the excerpt
    let h = run_in(repo(), &["check", &f]);
    assert!(h.stdout.contains(&format!("{f}:3:3")), "{}", h.stdout);
    assert!(!h.stdout.contains('\r') && !h.stdout.contains('\u{240d}'));
    let (_, pos) = assert_parse_error(&fixture("crlf_error.yaml"), "");
    assert_eq!(pos, (4, 8));
}

#[test]
fn tabs_as_indentation_are_an_error_tabs_in_values_are_fine() {
    let (_, pos) = assert_parse_error(&fixture("tabs.yaml"), "tab");
    assert_eq!(pos, (3, 2));
    let (r, j) = check_with_good(&fixture("tabs_in_values.yaml"));
    assert_eq!(r.code, 1);
    assert_eq!(
        codes_for(&j, &fixture("tabs_in_values.yaml")),
        ["LMB010"],
        "{j}"
    );
}

#[test]
fn big_template_is_checked() {
    // ~20 MB, 100k+ functions: a result, in time.
    let d = tmp();
    let mut t = String::from(HEAD);
    let mut i = 0;
    while t.len() < 20 * 1024 * 1024 {
        t.push_str(&format!(
            "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Timeout: 10\n      Role: !GetAtt Role.Arn\n"
        ));
        i += 1;
    }
    t.push_str(
        "  Last:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n",
    );
    let p = write(d.path(), "big.yaml", &t);
    // a debug build on a shared machine: generous, but still bounded
    let r = common::run_limited(
        repo(),
        &["check", "--format", "json", s(&p)],
        std::time::Duration::from_secs(300),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["templates"], 1);
    let diags = j["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "LMB010" && d["resource"] == "Last"),
        "{j}"
    );
}

#[test]
fn file_over_the_size_limit_is_refused() {
    let d = tmp();
    let p = d.path().join("huge.yaml");
    let f = std::fs::File::create(&p).unwrap();
    // sparse: no disk cost
    f.set_len(lambdalint::load::MAX_FILE_BYTES + 10).unwrap();
    drop(f);
    let r = check(&[s(&p), GOOD]);
    assert_eq!(r.code, 2);
    let j = r.json();
    assert!(
        j["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than"),
        "{j}"
    );
    assert_eq!(j["summary"]["templates"], 1);
}

#[cfg(unix)]
#[test]
fn directory_symlink_loop_terminates() {
    let d = tmp();
    let a = d.path().join("a");
    std::fs::create_dir(&a).unwrap();
    std::os::unix::fs::symlink(d.path(), a.join("back")).unwrap();
    std::os::unix::fs::symlink("b", d.path().join("c")).unwrap();
    std::os::unix::fs::symlink("c", d.path().join("b")).unwrap();
    std::fs::copy(repo().join(GOOD), a.join("t.yaml")).unwrap();
    let r = run_in(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["summary"]["templates"], 1);
    // a named self-referencing link is a clear error
    let r = run_in(d.path(), &["check", "--format", "json", "b", "a"]);
    assert_eq!(r.code, 2);
    let j = r.json();
    assert_eq!(j["errors"][0]["file"], "b");
    assert_eq!(j["summary"]["templates"], 1);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmp();
    std::fs::copy(repo().join(GOOD), d.path().join("good.yaml")).unwrap();
    let p = write(d.path(), "locked.yaml", HEAD);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: then only the I/O-error case below applies
    let blocked = std::fs::File::open(&p).is_err();
    let r = run_in(d.path(), &["check", "--format", "json", "."]);
    let j = r.json();
    assert_eq!(
        j["summary"]["templates"],
        if blocked { 1 } else { 2 },
        "{j}"
    );
    if blocked {
        assert_eq!(r.code, 2);
        assert_eq!(j["errors"][0]["file"], "locked.yaml");
        assert_eq!(j["errors"][0]["code"], "E000");
    }
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    // a file whose read fails even for root: /proc/self/mem at offset 0 (Linux)
    if Path::new("/proc/self/mem").exists() {
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink("/proc/self/mem", d.path().join("mem.yaml")).unwrap();
        // Found by walking: the link leads out of the project, so it is not read (said with -v).
        let r = run_in(d.path(), &["check", "--format", "json", "-v", "."]);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(
            r.stderr.contains("mem.yaml: skipped: not read:")
                && r.stderr.contains("outside the project"),
            "{}",
            r.stderr
        );
        // Named: the user asked for it; the read fails even for root.
        let r = run_in(
            d.path(),
            &["check", "--format", "json", "mem.yaml", "good.yaml"],
        );
        assert_eq!(r.code, 2, "{}", r.stdout);
        let j = r.json();
        assert_eq!(j["errors"][0]["file"], "mem.yaml");
        assert!(
            j["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("cannot read"),
            "{j}"
        );
        assert_eq!(j["summary"]["templates"], 1);
    }
}

#[test]
fn binary_file_named_is_an_error_found_is_skipped() {
    let f = fixture("binary.yaml");
    let (r, j) = check_with_good(&f);
    assert_eq!(r.code, 2);
    let (msg, pos) = the_error(&j, &f);
    assert!(msg.contains("binary"), "{msg}");
    assert!(pos.is_none());
}

#[test]
fn json_array_and_scalars_are_not_templates() {
    for f in ["array.json", "scalar.json", "scalar.yaml"] {
        let f = fixture(f);
        let (r, j) = check_with_good(&f);
        assert_eq!(r.code, 2, "{f}: {}", r.stdout);
        assert_eq!(j["summary"]["templates"], 1, "{f}");
        let (msg, pos) = the_error(&j, &f);
        assert!(msg.contains("the top level is a"), "{f}: {msg}");
        assert_eq!(pos.map(|p| p.0), Some(1), "{f}");
    }
}

#[test]
fn duplicate_key_is_reported_at_the_second_key() {
    let f = fixture("duplicate_key.yaml");
    let (r, j) = check_with_good(&f);
    assert_eq!(r.code, 1);
    let d = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E002")
        .unwrap();
    assert_eq!(d["file"], f.as_str());
    assert_eq!(d["range"]["start"]["line"], 8);
    assert_eq!(d["range"]["start"]["column"], 3);
    assert!(d["message"].as_str().unwrap().contains("`Fn`"));
    let f = fixture("duplicate_key.json");
    let (_, j) = check_with_good(&f);
    assert_eq!(codes_for(&j, &f), ["E002"]);
    assert_eq!(j["diagnostics"][0]["range"]["start"]["line"], 3);
}

#[test]
fn multiple_documents_are_reported_and_the_first_is_checked() {
    let f = fixture("multi_doc.yaml");
    let (r, j) = check_with_good(&f);
    assert_eq!(r.code, 1);
    let codes = codes_for(&j, &f);
    assert!(codes.contains(&"E005".to_string()), "{j}");
    assert!(codes.contains(&"LMB010".to_string()), "{j}");
    let d = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E005")
        .unwrap();
    assert_eq!(d["range"]["start"]["line"], 8);
}

#[test]
fn library_load_never_panics_on_fixtures() {
    for e in std::fs::read_dir(repo().join("testdata/loader")).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for f in [
            lambdalint::source::Format::Yaml,
            lambdalint::source::Format::Json,
        ] {
            let _ = lambdalint::load::load(&text, f);
        }
        let _ = lambdalint::check::check_text(&p.display().to_string(), &text);
    }
}

#[test]
fn too_many_json_values_are_refused_early() {
    let d = tmp();
    let n = lambdalint::load::MAX_NODES + 10;
    let p = write(
        d.path(),
        "wide.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"x\", \"Resources\": {{\"A\": [{}1]}}}}",
            "1,".repeat(n)
        ),
    );
    assert_parse_error(s(&p), "more than");
}
