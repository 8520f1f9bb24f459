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
    measured_env(cwd, args, &[])
}

/// [`measured`] with extra environment variables.
fn measured_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Measured {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
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
    // A named file that is not a template says so (it was read and parsed: not an input error).
    write(p, "ref.yaml", "!Ref X\n");
    let m = measured(p, &["check", "ref.yaml"]);
    assert_eq!(m.run.code, 0);
    assert!(
        m.run.stderr.contains(
            "ref.yaml: skipped: not a CloudFormation or SAM template: the top level is an intrinsic function"
        ),
        "{}",
        m.run.stderr
    );
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

// ------------------------------------------------------------------------------------------
// Handler analysis (issue 16 item 3): linear in every language, bounded, never a stall.

/// Bytes of each generated handler file: 60 KB in a debug build (it shares 2 cores with the other
/// tests in CI); `LAMBDALINT_HOSTILE_HANDLER_KB`
/// (scripts/bench runs 1500, the 1.5 MB of the report, on the release binary).
fn handler_bytes() -> usize {
    std::env::var("LAMBDALINT_HOSTILE_HANDLER_KB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(60)
        * 1000
}

/// `head` + `unit` repeated until the text is about `bytes` long + `tail`.
fn fill(head: &str, unit: &str, tail: &str, bytes: usize) -> String {
    let n = bytes.saturating_sub(head.len() + tail.len()) / unit.len().max(1);
    let mut s = String::with_capacity(bytes + tail.len());
    s.push_str(head);
    s.push_str(&unit.repeat(n.max(1)));
    s.push_str(tail);
    s
}

/// `open` nested `n` times around `inner`, closed by `close` (`open`/`close` of ~`bytes`).
fn nest(head: &str, open: &str, inner: &str, close: &str, tail: &str, bytes: usize) -> String {
    let n = bytes.saturating_sub(head.len() + tail.len()) / (open.len() + close.len()).max(1);
    format!(
        "{head}{}{inner}{}{tail}",
        open.repeat(n.max(1)),
        close.repeat(n.max(1))
    )
}

/// Every shape of handler code that could cost more than linear time, about `bytes` each:
/// (name, file extension, code). Each defines `handler`.
fn handler_shapes(bytes: usize) -> Vec<(&'static str, &'static str, String)> {
    let py = "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return ";
    let js = "const { S3 } = require('@aws-sdk/client-s3');\nconst s3 = new S3();\nexports.handler = async (event) => ";
    let pyh = "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n";
    let jsh = "const { S3 } = require('@aws-sdk/client-s3');\nconst s3 = new S3();\nexports.handler = async (event) => {\n";
    let b = bytes;
    let mut v = vec![
        (
            "calls",
            "py",
            nest(py, "s3.get_object(", "event", ")", "\n", b),
        ),
        (
            "calls",
            "js",
            nest(js, "s3.getObject(", "event", ")", ";\n", b),
        ),
        ("parens", "py", nest(py, "(", "event", ")", "\n", b)),
        ("parens", "js", nest(js, "(", "event", ")", ";\n", b)),
        (
            "binop-left",
            "py",
            fill(py, " + event", "\n", b).replacen("return  +", "return event +", 1),
        ),
        (
            "binop-left",
            "js",
            fill(js, " + event", ";\n", b).replacen("=>  +", "=> event +", 1),
        ),
        (
            "binop-right",
            "py",
            nest(py, "event + (", "event", ")", "\n", b),
        ),
        (
            "binop-right",
            "js",
            nest(js, "event + (", "event", ")", ";\n", b),
        ),
        (
            "member-chain",
            "py",
            fill(&format!("{py}event"), ".a", "\n", b),
        ),
        (
            "member-chain",
            "js",
            fill(&format!("{js}event"), ".a", ";\n", b),
        ),
        (
            "call-chain",
            "py",
            fill(&format!("{py}s3"), ".get_object()", "\n", b),
        ),
        (
            "call-chain",
            "js",
            fill(&format!("{js}s3"), ".getObject()", ";\n", b),
        ),
        (
            "lambdas",
            "py",
            nest(py, "lambda x: ", "event", "", "\n", b),
        ),
        ("lambdas", "js", nest(js, "(x) => ", "event", "", ";\n", b)),
        ("dicts", "py", nest(py, "{'a': ", "event", "}", "\n", b)),
        (
            "dicts",
            "js",
            nest(&format!("{js}("), "{a: ", "event", "}", ");\n", b),
        ),
        ("lists", "py", nest(py, "[", "event", "]", "\n", b)),
        ("lists", "js", nest(js, "[", "event", "]", ";\n", b)),
        (
            "flat-list",
            "py",
            fill(&format!("{py}["), "event, ", "]\n", b),
        ),
        (
            "flat-list",
            "js",
            fill(&format!("{js}["), "event, ", "];\n", b),
        ),
        (
            "long-line",
            "py",
            fill(
                &format!("{pyh}    "),
                "s3.get_object(Bucket=event); ",
                "\n",
                b,
            ),
        ),
        (
            "long-line",
            "js",
            fill(jsh, "s3.getObject({Bucket: event}); ", "};\n", b),
        ),
        // One line with non-ASCII text and a finding every few bytes: columns are counted in
        // code points, from the nearest mark, not from the start of the line per finding.
        (
            "long-line-utf8",
            "js",
            fill(jsh, "s3.getObject({Bucket: event}); /* é */ ", "};\n", b),
        ),
        ("string", "py", fill(&format!("{py}'"), "a", "'\n", b)),
        ("string", "js", fill(&format!("{js}'"), "a", "';\n", b)),
        (
            "f-string",
            "py",
            fill(&format!("{py}f'"), "{event}a", "'\n", b),
        ),
        (
            "f-string",
            "js",
            fill(&format!("{js}`"), "${event}a", "`;\n", b),
        ),
        (
            "same-name",
            "py",
            fill(
                &format!("{pyh}    x = event\n"),
                "    x = x or x\n    s3.get_object(Bucket=x)\n",
                "",
                b,
            ),
        ),
        (
            "same-name",
            "js",
            fill(
                &format!("{jsh}  let x = event;\n"),
                "  x = x || x;\n  s3.getObject({Bucket: x});\n",
                "};\n",
                b,
            ),
        ),
        ("global-reassigned", "py", {
            let half = fill(
                "import boto3\nx = boto3.client('s3')\n",
                "x = x\n",
                "",
                b / 2,
            );
            fill(
                &format!("{half}def handler(event, context):\n"),
                "    x.get_object(Bucket=event)\n",
                "",
                b,
            )
        }),
        ("global-reassigned", "js", {
            let half = fill(
                "const { S3 } = require('@aws-sdk/client-s3');\nlet x = new S3();\n",
                "x = x;\n",
                "",
                b / 2,
            );
            fill(
                &format!("{half}exports.handler = async (event) => {{\n"),
                "  x.getObject({Bucket: event});\n",
                "};\n",
                b,
            )
        }),
        ("self-attribute", "py", {
            let half = fill(
                "import boto3\nclass C:\n    def __init__(self):\n        self.c = boto3.client('s3')\n",
                "        self.c = self.c\n",
                "    def run(self, e):\n",
                b / 2,
            );
            fill(
                &half,
                "        self.c.get_object(Bucket=e)\n",
                "def handler(event, context):\n    return C().run(event)\n",
                b,
            )
        }),
        ("this-attribute", "js", {
            let half = fill(
                "const { S3 } = require('@aws-sdk/client-s3');\nclass C {\n  constructor() {\n    this.c = new S3();\n",
                "    this.c = this.c;\n",
                "  }\n  run(e) {\n",
                b / 2,
            );
            fill(
                &half,
                "    this.c.getObject({Bucket: e});\n",
                "  }\n}\nexports.handler = async (event) => new C().run(event);\n",
                b,
            )
        }),
    ];
    // Many small functions, each calling the previous one (a deep call graph), and a handler
    // calling all of them.
    let per = 48;
    let n = (b / per).max(2);
    let mut chain_py = String::from(
        "import boto3\ns3 = boto3.client('s3')\ndef f0(e):\n    return s3.get_object(Bucket=e)\n",
    );
    let mut chain_js = String::from(
        "const { S3 } = require('@aws-sdk/client-s3');\nconst s3 = new S3();\nfunction f0(e) { return s3.getObject({Bucket: e}); }\n",
    );
    for i in 1..n {
        chain_py.push_str(&format!("def f{i}(e):\n    return f{}(e)\n", i - 1));
        chain_js.push_str(&format!("function f{i}(e) {{ return f{}(e); }}\n", i - 1));
    }
    chain_py.push_str("def handler(event, context):\n");
    chain_js.push_str("exports.handler = async (event) => {\n");
    for i in (0..n).step_by(7) {
        chain_py.push_str(&format!("    f{i}(event)\n"));
        chain_js.push_str(&format!("  f{i}(event);\n"));
    }
    chain_js.push_str("};\n");
    v.push(("many-functions", "py", chain_py));
    v.push(("many-functions", "js", chain_js));
    // Thousands of HTTP calls with no timeout, each a finding with a fix (each fix once parsed
    // the whole file twice), and calls nested in each other's arguments (each one's text
    // nearly the whole file).
    let pyr = "import requests\ndef handler(event, context):\n";
    let jsr = "exports.handler = async (event) => {\n";
    v.push((
        "http-calls",
        "py",
        fill(pyr, "    requests.get(event['u'])\n", "", b),
    ));
    v.push((
        "http-calls",
        "js",
        fill(jsr, "  await fetch(event.u);\n", "};\n", b),
    ));
    v.push((
        "http-nested",
        "py",
        nest(
            &format!("{pyr}    return "),
            "requests.get(",
            "event",
            ")",
            "\n",
            b,
        ),
    ));
    v.push((
        "http-nested",
        "js",
        nest(
            &format!("{jsr}  return "),
            "fetch(",
            "event",
            ")",
            ";\n};\n",
            b,
        ),
    ));
    v
}

/// A project with one function on `src/<name>.<ext>`.
fn handler_project(dir: &Path, name: &str, ext: &str, code: &str) {
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let runtime = if ext == "py" {
        "python3.12"
    } else {
        "nodejs20.x"
    };
    write(dir, &format!("src/{name}.{ext}"), code);
    write(
        dir,
        "template.yaml",
        template(&[sam_function(
            "Fn",
            &format!(
                "      Runtime: {runtime}\n      Handler: {name}.handler\n      CodeUri: src\n"
            ),
        )]),
    );
}

/// Run `check -v` on a generated handler project: within the time and memory bounds, the
/// function analysed (in part at worst, with the reason said).
fn check_handler_project(dir: &Path, what: &str) -> Measured {
    let m = measured(dir, &["check", "-v", "--format", "json", "."]);
    assert!(
        m.run.code <= 1,
        "{what}: {}\n{}",
        m.run.stdout,
        m.run.stderr
    );
    assert!(
        m.run.stderr.contains("handlers analysed: 1 of 1 functions"),
        "{what}: the handler was not analysed:\n{}",
        m.run.stderr
    );
    eprintln!(
        "{what}: {:?}, peak {} kB{}",
        m.elapsed,
        m.peak_kb,
        m.run
            .stderr
            .lines()
            .find(|l| l.contains("analysed in part"))
            .map(|l| format!(" ({})", l.split("in part: ").nth(1).unwrap_or(l)))
            .unwrap_or_default()
    );
    m
}

fn handler_shapes_are_bounded(ext: &str) {
    let bytes = handler_bytes();
    let d = tempfile::tempdir().unwrap();
    for (name, e, code) in handler_shapes(bytes) {
        if e != ext {
            continue;
        }
        let dir = d.path().join(format!("{name}-{ext}"));
        handler_project(&dir, name, ext, &code);
        let m = check_handler_project(&dir, &format!("{name}.{ext} ({} bytes)", code.len()));
        // Cut code says so (never silently complete).
        let partial = m.run.stderr.contains("analysed in part");
        if matches!(name, "calls" | "parens" | "lambdas" | "dicts" | "lists") && bytes > 10_000 {
            assert!(partial, "{name}.{ext}: deep nesting cut without a word");
        }
        if name == "http-calls" {
            // Every call reported, and fixed (the function's `Timeout` is 10 s).
            let calls = code.matches("requests.get(").count() + code.matches("fetch(").count();
            let found = m.run.stdout.matches("\"HDL010\"").count();
            let text = measured(&dir, &["check", "."]);
            let fixes: usize = text
                .run
                .stdout
                .lines()
                .find_map(|l| {
                    l.split_once(" fixable with")
                        .map(|(n, _)| n.trim().to_string())
                })
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            assert!(
                found >= calls && fixes >= calls,
                "{name}.{ext}: {calls} calls, {found} findings, {fixes} fixes"
            );
            // And written: every call gets its timeout in one pass.
            let fixed = measured(&dir, &["check", "--fix", "--unsafe-fixes", "."]);
            let src = std::fs::read_to_string(dir.join(format!("src/{name}.{ext}"))).unwrap();
            let written =
                src.matches("timeout=9").count() + src.matches("AbortSignal.timeout(9000)").count();
            assert!(
                written == calls,
                "{name}.{ext}: {written} of {calls} calls fixed ({:?}): {}",
                fixed.elapsed,
                fixed.run.stdout.lines().last().unwrap_or("")
            );
            eprintln!("{name}.{ext} --fix: {:?}", fixed.elapsed);
        }
    }
}

#[test]
fn python_handler_shapes_are_bounded() {
    handler_shapes_are_bounded("py");
}

#[test]
fn javascript_handler_shapes_are_bounded() {
    handler_shapes_are_bounded("js");
}

/// Local modules importing each other: a long chain and a ring of star imports (each module
/// re-exporting the next two), in Python and JavaScript.
#[test]
fn import_chains_and_cycles_are_bounded() {
    let n = (handler_bytes() / 2000).clamp(20, 1000);
    let d = tempfile::tempdir().unwrap();
    for ext in ["py", "js"] {
        for shape in ["chain", "ring"] {
            let dir = d.path().join(format!("{shape}-{ext}"));
            let mut entry = String::new();
            for i in 0..n {
                let (a, b) = ((i + 1) % n, (i + 2) % n);
                let last = shape == "chain" && i + 1 == n;
                let code = match (ext, last) {
                    ("py", true) => "import boto3\ns3 = boto3.client('s3')\ndef go(e):\n    return s3.get_object(Bucket=e)\n".to_string(),
                    ("py", false) if shape == "chain" => format!("from m{a} import go as nxt\ndef go(e):\n    return nxt(e)\n"),
                    ("py", false) => format!("from m{a} import *\nfrom m{b} import *\nimport m{a}\ndef go{i}(e):\n    return m{a}.missing(e)\n"),
                    (_, true) => "const { S3 } = require('@aws-sdk/client-s3');\nconst s3 = new S3();\nexports.go = (e) => s3.getObject({Bucket: e});\n".to_string(),
                    (_, false) if shape == "chain" => format!("const {{ go: nxt }} = require('./m{a}');\nexports.go = (e) => nxt(e);\n"),
                    (_, false) => format!("export * from './m{a}';\nexport * from './m{b}';\nimport * as next from './m{a}';\nexport const go{i} = (e) => next.missing(e);\n"),
                };
                write(&dir, &format!("src/m{i}.{ext}"), code);
            }
            if ext == "py" {
                entry.push_str("import m0\nfrom m0 import *\ndef handler(event, context):\n    m0.go(event)\n    return missing(event)\n");
            } else {
                entry.push_str("import * as m0 from './m0';\nexport const handler = async (event) => { m0.go(event); return m0.missing(event); };\n");
            }
            handler_project(&dir, "app", ext, &entry);
            check_handler_project(&dir, &format!("{shape} of {n} modules ({ext})"));
        }
    }
}

/// A large handler file (parsed in pieces on the thread pool) shared by many templates checked
/// in parallel, with more threads than cores: a thread waiting for a piece of the file must not
/// pick up another template's work that waits for the same file (it would wait for itself).
/// Every template that uses it gets the same finding, and the file is parsed once.
#[test]
fn a_large_handler_shared_by_templates_checked_in_parallel() {
    let d = tempfile::tempdir().unwrap();
    let proj = d.path();
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    let mut big = String::from("import requests\n\n");
    let mut i = 0;
    while big.len() < 260_000 {
        big.push_str(&format!(
            "def f{i}(event):\n    return event.get('k{i}')\n\n\n"
        ));
        i += 1;
    }
    big.push_str("def handler(event, context):\n    return requests.get(f0(event))\n");
    write(proj, "src/big.py", &big);
    write(
        proj,
        "src/small.py",
        "def handler(event, context):\n    return 1\n",
    );
    for t in 0..24 {
        let h = if t % 3 == 0 { "small" } else { "big" };
        write(
            proj,
            &format!("t{t}/template.yaml"),
            template(&[sam_function(
                "Fn",
                &format!(
                    "      Runtime: python3.12\n      Handler: {h}.handler\n      CodeUri: ../src\n"
                ),
            )]),
        );
    }
    for threads in ["2", "4", "8"] {
        let m = measured_env(
            proj,
            &["check", "-v", "--format", "json", "."],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(m.run.code <= 1, "{}", m.run.stderr);
        assert!(
            m.run.stderr.contains("handler files parsed: 2"),
            "{threads} threads: {}",
            m.run.stderr
        );
        let hdl010 = m.run.stdout.matches("\"HDL010\"").count();
        assert_eq!(hdl010, 16, "{threads} threads: {}", m.run.stdout);
    }
}

/// One template, 300 functions, 40 handler files: each file is read and lowered once per run
/// (`--verbose` counts them).
#[test]
fn shared_handler_files_are_parsed_once() {
    let d = tempfile::tempdir().unwrap();
    let proj = d.path();
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    for i in 0..40 {
        let (ext, code) = if i % 2 == 0 {
            (
                "py",
                format!(
                    "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    return s3.get_object(Bucket='b{i}', Key='k')\n"
                ),
            )
        } else {
            (
                "js",
                format!(
                    "const {{ S3 }} = require('@aws-sdk/client-s3');\nconst s3 = new S3();\nexports.handler = async () => s3.getObject({{ Bucket: 'b{i}', Key: 'k' }});\n"
                ),
            )
        };
        write(proj, &format!("src/h{i}.{ext}"), code);
    }
    let fns: Vec<String> = (0..300)
        .map(|k| {
            let i = k % 40;
            let runtime = if i % 2 == 0 {
                "python3.12"
            } else {
                "nodejs20.x"
            };
            sam_function(
                &format!("Fn{k}"),
                &format!(
                    "      Runtime: {runtime}\n      Handler: h{i}.handler\n      CodeUri: src\n"
                ),
            )
        })
        .collect();
    write(proj, "template.yaml", template(&fns));
    let m = measured(proj, &["check", "-v", "--format", "json", "."]);
    assert!(m.run.code <= 1, "{}", m.run.stderr);
    assert!(
        m.run.stderr.contains(
            "handlers analysed: 300 of 300 functions (0 partially); handler files parsed: 40"
        ),
        "{}",
        m.run.stderr
    );
}
