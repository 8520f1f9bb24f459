//! Hostile inputs, generated at test time (nothing big is committed): lambdalint runs on pull
//! requests and on whatever folder an editor opens. For every case: no read outside the project,
//! bounded time and memory, no terminal or Markdown injection, no silent pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, bin};

/// Wall-time guard: generous for a debug build on a shared 2-core machine. With
/// `LAMBDALINT_BIN=target/release/lambdalint LAMBDALINT_HOSTILE_MB=20` the same cases run on the
/// release binary against the 5 s budget.
fn limit() -> Duration {
    if std::env::var_os("LAMBDALINT_BIN").is_some() {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(30)
    }
}

/// The binary under test: `LAMBDALINT_BIN`, or the one cargo built for the tests.
fn binary() -> String {
    std::env::var("LAMBDALINT_BIN").unwrap_or_else(|_| bin().to_string())
}
/// Peak resident memory allowed for any case.
const MAX_RSS_KB: u64 = 1024 * 1024;

/// A secret outside the project: it must never appear in any output.
const SECRET: &str = "SECRET-7f3c9a-DO-NOT-PRINT";

struct Measured {
    run: Run,
    peak_kb: u64,
    elapsed: Duration,
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Run the binary in `cwd`, polling its peak memory; panics on a hang, a signal or a panic.
fn measured(cwd: &Path, args: &[&str]) -> Measured {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lambdalint {args:?} did not finish within {:?}", limit());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("lambdalint {args:?} was killed by a signal: {stderr}"));
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(
        peak <= MAX_RSS_KB,
        "{args:?}: peak memory {peak} kB over {MAX_RSS_KB} kB"
    );
    Measured {
        run: Run {
            code,
            stdout,
            stderr,
        },
        peak_kb: peak,
        elapsed,
    }
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    p
}

/// A workspace: `proj/` (the project, with `.git`) and `outside/` next to it holding secrets.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let proj = d.path().join("proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    let secret_py = format!(
        "# {SECRET}\nimport boto3\nimport requests\n\ndef handler(event, context):\n    requests.get('https://example.com')\n    return boto3.client('s3').get_object(Bucket='b', Key='k')\n"
    );
    write(d.path(), "outside/app.py", &secret_py);
    write(d.path(), "outside/dir/app.py", &secret_py);
    write(
        d.path(),
        "outside/index.js",
        format!("// {SECRET}\nexports.handler = async () => fetch('http://x');\n"),
    );
    (d, proj)
}

fn sam_function(id: &str, props: &str) -> String {
    format!(
        "  {id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 10\n{props}"
    )
}

fn template(functions: &[String]) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    for f in functions {
        t.push_str(f);
    }
    t
}

/// Every output of `check` and `report` for `proj`: none may contain the secret.
fn assert_never_printed(proj: &Path) {
    for format in ["human", "json", "sarif", "github"] {
        let m = measured(proj, &["check", "-v", "--format", format, "."]);
        for text in [&m.run.stdout, &m.run.stderr] {
            assert!(
                !text.contains(SECRET),
                "{format}: the secret was printed:\n{text}"
            );
        }
    }
    for format in ["html", "markdown"] {
        let m = measured(proj, &["report", "--format", format, "."]);
        assert!(
            !m.run.stdout.contains(SECRET),
            "report {format} printed the secret"
        );
    }
}

#[test]
fn reads_stay_inside_the_project() {
    let (d, proj) = workspace();
    let outside = d.path().join("outside");
    let fns = vec![
        sam_function(
            "Rel",
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: ../outside\n",
        ),
        sam_function(
            "RelDeep",
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: ./src/../../proj/../outside/dir\n",
        ),
        sam_function(
            "Abs",
            &format!(
                "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: {}\n",
                outside.display()
            ),
        ),
        sam_function(
            "EtcPasswd",
            "      Runtime: nodejs20.x\n      Handler: passwd.handler\n      CodeUri: .\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        EntryPoints: [/etc/passwd]\n",
        ),
        sam_function(
            "EtcShadow",
            "      Runtime: nodejs20.x\n      Handler: shadow.handler\n      CodeUri: src\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        EntryPoints: ['../../../../../../../../etc/shadow', ../../outside/index.js]\n",
        ),
        sam_function(
            "Index",
            "      Runtime: nodejs20.x\n      Handler: index.handler\n      CodeUri: src\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        EntryPoints: [../../outside/index.js]\n",
        ),
    ];
    write(&proj, "template.yaml", template(&fns));
    std::fs::create_dir_all(proj.join("src")).unwrap();
    // A symbolic link inside the project that leads out of it.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, proj.join("linked")).unwrap();
    #[cfg(unix)]
    {
        let mut t = std::fs::read_to_string(proj.join("template.yaml")).unwrap();
        t.push_str(&sam_function(
            "Linked",
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: linked\n",
        ));
        std::fs::write(proj.join("template.yaml"), t).unwrap();
    }
    // The functions' handlers are not analysed, and --verbose says why.
    let m = measured(&proj, &["check", "-v", "--format", "json", "."]);
    let j = m.run.json();
    for d in j["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap();
        assert!(
            !file.contains("outside") && !file.contains("etc"),
            "finding in {file}: {d}"
        );
    }
    for id in ["Rel", "RelDeep", "Abs", "Index"] {
        assert!(
            m.run
                .stderr
                .lines()
                .any(|l| l.contains(&format!("`{id}`")) && l.contains("outside the project")),
            "{id} not explained:\n{}",
            m.run.stderr
        );
    }
    assert_never_printed(&proj);
}

#[test]
fn allowed_roots_open_a_named_folder_only() {
    let (d, proj) = workspace();
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    std::fs::remove_dir_all(proj.join(".git")).unwrap();
    write(
        d.path(),
        "shared/app.py",
        "import requests\n\ndef handler(event, context):\n    return requests.get('https://example.com')\n",
    );
    write(
        &proj,
        "template.yaml",
        template(&[sam_function(
            "Shared",
            "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: ../shared\n",
        )]),
    );
    // The repository is the whole temp folder: ../shared is inside the project root already.
    let m = measured(&proj, &["check", "--format", "json", "."]);
    assert!(m.run.stdout.contains("HDL010"), "{}", m.run.stdout);
}

#[test]
fn special_and_huge_files_are_bounded() {
    let (_d, proj) = workspace();
    let mut fns = vec![
        sam_function(
            "Pagemap",
            "      Runtime: nodejs20.x\n      Handler: pagemap.handler\n      CodeUri: .\n    Metadata:\n      BuildProperties:\n        EntryPoints: [/proc/self/pagemap]\n",
        ),
        sam_function(
            "Zero",
            "      Runtime: python3.12\n      Handler: zero.handler\n      CodeUri: src\n",
        ),
        sam_function(
            "Big",
            "      Runtime: python3.12\n      Handler: big.handler\n      CodeUri: src\n",
        ),
        sam_function(
            "Dir",
            "      Runtime: python3.12\n      Handler: pkg.handler\n      CodeUri: src\n",
        ),
    ];
    // A 10 MB one-line handler: over the size cap, said, not parsed.
    let mut big = String::from("def handler(event, context):\n    return ");
    big.push_str(&"1+".repeat(5_000_000));
    big.push_str("1\n");
    write(&proj, "src/big.py", big);
    std::fs::create_dir_all(proj.join("src/pkg.py")).unwrap();
    #[cfg(unix)]
    {
        // Devices and FIFOs inside the project are not read.
        std::os::unix::fs::symlink("/dev/zero", proj.join("src/zero.py")).unwrap();
        let fifo = proj.join("src/fifo.py");
        if Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            fns.push(sam_function(
                "Fifo",
                "      Runtime: python3.12\n      Handler: fifo.handler\n      CodeUri: src\n",
            ));
        }
    }
    write(&proj, "template.yaml", template(&fns));
    let m = measured(&proj, &["check", "-v", "--format", "json", "."]);
    assert!(m.run.code <= 1, "{}\n{}", m.run.stdout, m.run.stderr);
    let why = |id: &str| {
        m.run
            .stderr
            .lines()
            .find(|l| l.contains(&format!("`{id}`")))
            .unwrap_or_else(|| panic!("{id} not explained:\n{}", m.run.stderr))
            .to_string()
    };
    assert!(why("Big").contains("over the"), "{}", why("Big"));
    assert!(
        why("Zero").contains("not a regular file") || why("Zero").contains("outside the project"),
        "{}",
        why("Zero")
    );
    assert!(
        why("Pagemap").contains("outside the project"),
        "{}",
        why("Pagemap")
    );
    eprintln!("special files: {:?}, peak {} kB", m.elapsed, m.peak_kb);
}

#[test]
fn big_templates_and_deep_nesting_are_bounded() {
    let d = tempfile::tempdir().unwrap();
    // 20 MB of resources.
    let mut t = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    let mut i = 0;
    // 5 MB here (a debug build); `scripts/hostile` runs 20 MB on the release binary.
    let target = std::env::var("LAMBDALINT_HOSTILE_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5);
    while t.len() < target * 1_000_000 {
        t.push_str(&format!(
            "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 30\n"
        ));
        i += 1;
    }
    write(d.path(), "big.yaml", &t);
    // 100k-deep flow nesting and an alias bomb.
    write(
        d.path(),
        "deep.yaml",
        format!(
            "Resources:\n  A: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for k in 1..30 {
        bomb.push_str(&format!(
            "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
            (b'a' + (k % 26) as u8) as char,
            k,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1,
            k - 1
        ));
    }
    write(d.path(), "bomb.yaml", format!("Resources: {{}}\n{bomb}"));
    let m = measured(d.path(), &["check", "--format", "json", "."]);
    assert!(m.run.code <= 2, "{}", m.run.stderr);
    let j = m.run.json();
    assert!(j["summary"]["templates"].as_u64().unwrap() >= 1, "{j}");
    eprintln!("big templates: {:?}, peak {} kB", m.elapsed, m.peak_kb);
}

const NASTY_IDS: &[&str] = &[
    "Fn\u{1b}[31mRED\u{1b}[0m",
    "Fn\u{1b}]0;owned\u{7}X",
    "Fn\rOverwrite",
    "Fn\u{9b}31m",
    "Fn\u{202e}txt.exe",
];

/// A YAML double-quoted scalar with every non-printable character escaped.
fn yaml_quoted(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() || ('\u{2000}'..='\u{206f}').contains(&c) => {
                q.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn nasty_template() -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    for (i, id) in NASTY_IDS.iter().enumerate() {
        let quoted = yaml_quoted(id);
        t.push_str(&format!("  {quoted}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app{i}.handler\n      CodeUri: ./missing{i}\n      Events:\n        S:\n          Type: SNS\n          Properties: {{Topic: arn:aws:sns:us-east-1:1:t}}\n"));
    }
    t
}

fn has_raw_control(s: &str) -> Option<char> {
    s.chars().find(|c| {
        (c.is_control() && *c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn terminal_output_never_carries_control_characters() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "template.yaml", nasty_template());
    // A file name with an escape sequence, found by walking and named.
    let weird = "t\u{1b}]0;x\u{7}.yaml";
    write(d.path(), weird, nasty_template());
    for args in [
        vec!["check", "-v", "."],
        vec!["check", "-v", "--format", "github", "."],
        vec!["check", "-v", "template.yaml", weird],
        vec!["check", "--list-templates", "."],
        vec!["check", "-v", "--select", "LMB010", "nonexistent\u{1b}[2J"],
    ] {
        let m = measured(d.path(), &args);
        for (name, text) in [("stdout", &m.run.stdout), ("stderr", &m.run.stderr)] {
            if let Some(c) = has_raw_control(text) {
                panic!("{args:?}: {name} carries {c:?}:\n{text}");
            }
        }
    }
}

#[test]
fn markdown_report_cannot_be_broken_out_of() {
    let d = tempfile::tempdir().unwrap();
    let ids = [
        "X`<img src=x onerror=alert(1)>`",
        "Y\n# Injected heading\n<script>alert(1)</script>",
        "Z|broken|table",
    ];
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    for id in ids {
        t.push_str(&format!("  {}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: a.h\n      InlineCode: x\n", serde_json::to_string(id).unwrap()));
    }
    write(d.path(), "template.yaml", &t);
    let m = measured(d.path(), &["report", "--format", "markdown", "."]);
    let md = &m.run.stdout;
    // Parse it as GitHub does (CommonMark + tables): the only HTML is the report's own, no
    // heading comes from an id, and every table row keeps its cells.
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut heading = false;
    let mut row_cells = 0usize;
    let mut header_cells = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => {
                let own = [
                    "<details>",
                    "</details>",
                    "<summary>",
                    "</summary>",
                    "<code>",
                    "</code>",
                ];
                let mut rest = h.to_string();
                for o in own {
                    rest = rest.replace(o, "");
                }
                assert!(!rest.contains('<'), "HTML from the input: {h:?}");
            }
            Event::Start(Tag::Heading { .. }) => heading = true,
            Event::End(TagEnd::Heading(_)) => heading = false,
            Event::Text(t) if heading => {
                assert!(!t.contains("Injected"), "heading from an id: {t}")
            }
            Event::Start(Tag::TableRow) | Event::Start(Tag::TableHead) => row_cells = 0,
            Event::Start(Tag::TableCell) => row_cells += 1,
            Event::End(TagEnd::TableHead) => header_cells = Some(row_cells),
            Event::End(TagEnd::TableRow) => {
                assert_eq!(Some(row_cells), header_cells, "a row lost its cells")
            }
            Event::End(TagEnd::Table) => header_cells = None,
            _ => {}
        }
    }
    let m = measured(d.path(), &["report", "--format", "html", "."]);
    assert!(!m.run.stdout.contains("<img src=x") && !m.run.stdout.contains("<script>alert"));
}

#[test]
fn no_silent_pass() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let fun = |v: &str| {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: a.h\n      InlineCode: x\n      Timeout: {v}\n"
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("multi.yaml", "---\n---\nAWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n".into(), "E005"),
        ("ref.yaml", "!Ref X\n".into(), "E006"),
        ("res_list.yaml", "Resources:\n  - Type: AWS::SQS::Queue\n".into(), "E007"),
        ("props_list.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: [1, 2]\n".into(), "E007"),
        ("type_map.yaml", "Resources:\n  Q:\n    Type: {a: b}\n".into(), "E007"),
        ("t_abc.yaml", fun("\"abc\""), "E008"),
        ("t_neg.yaml", fun("-1"), "E008"),
        ("t_nan.yaml", fun(".nan"), "E008"),
        ("t_yes.yaml", fun("yes"), "E008"),
    ];
    for (name, text, code) in &cases {
        write(p, name, text);
        let m = measured(p, &["check", "--format", "json", name]);
        assert_eq!(m.run.code, 2, "{name}: {}", m.run.stdout);
        let j = m.run.json();
        let e = &j["errors"][0];
        assert_eq!(e["code"], *code, "{name}: {j}");
        assert!(
            e["range"]["start"]["line"].as_u64().unwrap() >= 1,
            "{name}: no position"
        );
    }
    // Walking the folder: every one of them is still reported.
    let m = measured(p, &["check", "--format", "json", "."]);
    assert_eq!(m.run.code, 2);
    let j = m.run.json();
    let files: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    for (name, _, _) in cases.iter().filter(|c| c.0 != "ref.yaml") {
        assert!(files.contains(name), "{name} passed in silence: {files:?}");
    }
    // A rule that does not exist is a usage error.
    assert_eq!(measured(p, &["rule", "NOSUCH"]).run.code, 2);
    // A baseline of another version, an invalid glob in the configuration, an output file that
    // cannot be written: each says what and where.
    write(p, "b.json", "{\"version\": 99, \"findings\": []}");
    let m = measured(p, &["check", "--baseline", "b.json", "t_abc.yaml"]);
    assert_eq!(m.run.code, 2);
    assert!(
        m.run.stderr.contains("b.json: baseline version 99"),
        "{}",
        m.run.stderr
    );
    let cfgdir = p.join("cfg");
    write(&cfgdir, "lambdalint.toml", "exclude = [\"a/**\", \"b[\"]\n");
    write(&cfgdir, "template.yaml", fun("30"));
    let m = measured(&cfgdir, &["check", "."]);
    assert_eq!(m.run.code, 2);
    assert!(
        m.run
            .stderr
            .contains("lambdalint.toml:1:20: invalid glob `b[`"),
        "{}",
        m.run.stderr
    );
    let m = measured(
        p,
        &["check", "t_abc.yaml", "-o", "/nonexistent/dir/out.txt"],
    );
    assert_eq!(m.run.code, 2);
    assert!(
        m.run.stderr.contains("/nonexistent/dir/out.txt"),
        "{}",
        m.run.stderr
    );
}

#[test]
fn carriage_return_line_endings_have_right_positions() {
    let d = tempfile::tempdir().unwrap();
    let t = "Transform: AWS::Serverless-2016-10-31\rResources:\r  Fn:\r    Type: AWS::Serverless::Function\r    Properties:\r      Runtime: python3.12\r      Handler: a.h\r      InlineCode: x\r";
    write(d.path(), "cr.yaml", t);
    let m = measured(d.path(), &["check", "--format", "json", "cr.yaml"]);
    let j = m.run.json();
    let d0 = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LMB010")
        .unwrap();
    assert_eq!(d0["range"]["start"]["line"], 3, "{d0}");
    assert_eq!(d0["range"]["start"]["column"], 3, "{d0}");
}

#[cfg(unix)]
#[test]
fn unreadable_directories_are_errors() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    write(
        p,
        "ok/template.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    );
    write(
        p,
        "locked/inner/template.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    );
    std::fs::set_permissions(p.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root every directory is readable: run as `nobody` then.
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let run = |args: &[&str]| -> (i32, String, String) {
        let mut cmd = if as_root {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                &binary(),
            ]);
            c
        } else {
            Command::new(binary())
        };
        let o = cmd
            .args(args)
            .current_dir(p)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    // The binary must be reachable for `nobody` (it is under a world-readable target/).
    let (code, out, _) = run(&["check", "--format", "json", "."]);
    assert_eq!(code, 2, "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errs = j["errors"].as_array().unwrap();
    assert!(
        errs.iter()
            .any(|e| e["file"].as_str().unwrap().contains("locked")
                && e["message"].as_str().unwrap().contains("permission denied")),
        "{j}"
    );
    assert_eq!(j["summary"]["templates"], 1, "{j}");
    let (code, out, _) = run(&["check", "--format", "json", "locked"]);
    assert_eq!(code, 2, "{out}");
    let (code, out, _) = run(&["check", "--format", "json", "locked/inner/template.yaml"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("permission denied") && !out.contains("no such file"),
        "{out}"
    );
    std::fs::set_permissions(p.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}
