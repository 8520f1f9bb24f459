//! Drive `lambdalint server` over stdio as an editor would (Content-Length framed JSON-RPC).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
}

impl Client {
    pub fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambdalint"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
        }
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == json!(id))
    }

    pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .rx
                .recv_timeout(left)
                .expect("timed out waiting for a message");
            if pred(&m) {
                return m;
            }
        }
    }

    /// The next publishDiagnostics for `uri`, without the observability infos (LMB050 log
    /// retention, LMB051 tracing), which fire on nearly every function and are not what these
    /// tests are about.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] != "LMB050" && d["code"] != "LMB051")
            .cloned()
            .collect()
    }

    pub fn initialize(&mut self, root: &Path) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": {},
                   "workspaceFolders": [{"uri": uri(root), "name": "ws"}]}),
        );
        self.notify("initialized", json!({}));
        r
    }

    pub fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exit status {status}");
                return;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

const BAD: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nDescription: größe 🚀 ünïcode\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: src/\n      Tracing: Active\n      LoggingConfig:\n        LogGroup: app-logs\n";

#[test]
fn diagnostics_hover_code_action_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/app.py"),
        "def handler(event, context):\n    return 1\n",
    )
    .unwrap();
    let tpl = root.join("template.yaml");
    std::fs::write(&tpl, BAD).unwrap();
    let turi = uri(&tpl);

    let mut c = Client::start();
    let init = c.initialize(&root);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.lambdalint"])
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "lambdalint");

    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": turi, "languageId": "yaml", "version": 1, "text": BAD}}),
    );
    let ds = c.diagnostics(&turi);
    assert_eq!(ds.len(), 1, "{ds:?}");
    let d = &ds[0];
    assert_eq!(d["code"], "LMB010");
    assert_eq!(d["severity"], 2);
    assert_eq!(d["source"], "lambdalint");
    assert_eq!(
        d["range"],
        json!({"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 4}})
    );
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("LMB010.md")
    );
    assert!(d["message"].as_str().unwrap().contains("`Fn`"));

    // Hover inside the range: the rule's docs.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": turi}, "position": {"line": 4, "character": 3}}),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap();
    assert_eq!(h["result"]["contents"]["kind"], "markdown");
    assert!(
        md.contains("(LMB010)") && md.contains("## Why is this bad?"),
        "{md}"
    );
    // Hover elsewhere: nothing.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": turi}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(h["result"], Value::Null);

    // Code action: suppression comment above, with the line's indentation.
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": turi},
               "range": {"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 2}},
               "context": {"diagnostics": [d]}}),
    );
    // (The observability infos at the same place get their own actions; not this test's.)
    let actions: Vec<Value> = a["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["diagnostics"][0]["code"] == "LMB010")
        .filter(|a| a["title"].as_str().unwrap().starts_with("Ignore"))
        .cloned()
        .collect();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = &actions[0]["edit"]["changes"][&turi];
    assert_eq!(
        edits,
        &json!([{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}},
                 "newText": "  # lambdalint: ignore[LMB010]\n"}])
    );

    // Fix it with an incremental change: insert `Timeout: 10` after the Properties line.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": turi, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 0}},
                                   "text": "      Timeout: 10\n"}]}),
    );
    let t0 = Instant::now();
    assert_eq!(c.diagnostics(&turi), Vec::<Value>::new());
    assert!(
        t0.elapsed() >= Duration::from_millis(100),
        "change was not debounced"
    );

    // Break it again, then save: diagnostics come back; a parse error is reported at its place.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": turi, "version": 3},
               "contentChanges": [{"text": format!("{BAD}  Broken: [\n")}]}),
    );
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": turi}}),
    );
    let ds = c.diagnostics(&turi);
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["code"], "E001");
    assert_eq!(ds[0]["severity"], 1);
    assert!(
        ds[0]["range"]["start"]["line"].as_u64().unwrap() >= 10,
        "{ds:?}"
    );

    // Close: cleared.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": turi}}),
    );
    assert_eq!(c.diagnostics(&turi), Vec::<Value>::new());
    c.finish();
}

#[test]
fn utf16_columns_on_a_non_ascii_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let tpl = root.join("one-line.json");
    // `"Fn"` starts after 41 code points, one of them (🚀) two UTF-16 units: column 42.
    let text = r#"{"Description": "größe 🚀", "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler", "Runtime": "python3.13", "CodeUri": "src/", "Tracing": "Active", "LoggingConfig": {"LogGroup": "app-logs"}}}}}"#;
    let mut c = Client::start();
    c.initialize(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&tpl), "languageId": "json", "version": 1, "text": text}}),
    );
    let ds = c.diagnostics(&uri(&tpl));
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["code"], "LMB010");
    assert_eq!(
        ds[0]["range"],
        json!({"start": {"line": 0, "character": 42}, "end": {"line": 0, "character": 46}})
    );
    c.finish();
}

/// A workspace with `template.yaml` (BAD: one LMB010) deploying a clean `src/app.py`, the template
/// open in a started client and its one diagnostic received.
fn open_template_with_handler() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    Client,
) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    let handler = root.join("src/app.py");
    std::fs::write(&handler, "def handler(event, context):\n    return 1\n").unwrap();
    let tpl = root.join("template.yaml");
    std::fs::write(&tpl, BAD).unwrap();
    let mut c = Client::start();
    c.initialize(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&tpl), "languageId": "yaml", "version": 1, "text": BAD}}),
    );
    assert_eq!(c.diagnostics(&uri(&tpl)).len(), 1);
    (dir, handler, tpl, c)
}

#[test]
fn handler_change_rechecks_its_template_and_settings_apply() {
    let (dir, handler, tpl, mut c) = open_template_with_handler();
    let root = dir.path().canonicalize().unwrap();
    // Saving the handler (never opened as a buffer) re-publishes the template that deploys it.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&handler)}}),
    );
    assert_eq!(c.diagnostics(&uri(&tpl)).len(), 1);
    // lambdalint.toml: ignoring the rule clears the template on save of the settings.
    let toml = root.join("lambdalint.toml");
    std::fs::write(&toml, "ignore = [\"LMB010\"]\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&toml)}}),
    );
    assert_eq!(c.diagnostics(&uri(&tpl)), Vec::<Value>::new());
    c.finish();
}

#[test]
fn unsaved_handler_buffer_gets_handler_diagnostics() {
    let (_dir, handler, _tpl, mut c) = open_template_with_handler();
    // The user types an HTTP call without a timeout in the handler, unsaved: the file on disk
    // is clean, the buffer is not. The finding is published on the handler's URI.
    let bad = "import requests\n\ndef handler(event, context):\n    return requests.get(\"https://example.com\").text\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&handler), "languageId": "python", "version": 1, "text": bad}}),
    );
    let ds = c.diagnostics(&uri(&handler));
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0]["code"], "HDL010");
    assert_eq!(ds[0]["range"]["start"]["line"], 3);
    // Fixing the buffer clears it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&handler), "version": 2}, "contentChanges": [{"text": "def handler(event, context):\n    return 1\n"}]}),
    );
    assert_eq!(c.diagnostics(&uri(&handler)), Vec::<Value>::new());
    c.finish();
}

#[test]
fn malformed_input_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start();
    // Requests before initialize are refused, not fatal.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    c.initialize(&root);
    // Garbage frames: not JSON, no Content-Length, a non-UTF-8 body, an absurd length header.
    c.raw(b"Content-Length: 9\r\n\r\nnot json!");
    c.raw(b"hello there\r\n\r\n");
    c.raw(b"Content-Length: 4\r\n\r\n\xff\xfe\x00\x01");
    c.raw(b"Content-Length: 99999999999999999999\r\n\r\n");
    c.raw(b"Content-Length: 17\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    // Unknown method: MethodNotFound; unknown notification: ignored; bad params: InvalidParams.
    let r = c.request("lambdalint/nonsense", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    c.notify("workspace/whatever", json!({"x": 1}));
    c.notify("textDocument/didOpen", json!({"textDocument": 42}));
    let r = c.request("textDocument/hover", json!({"textDocument": 1}));
    assert_eq!(r["error"]["code"], -32602);
    // A hostile document: binary-ish text, an alias, deep nesting; the server keeps answering.
    let turi = uri(&root.join("weird.yaml"));
    let text = format!(
        "Resources:\n  A: &a {{x: 1}}\n  B: *a\n  C: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": turi, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let _ = c.diagnostics(&turi);
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": turi}, "position": {"line": 999, "character": 999}}),
    );
    assert!(h.get("result").is_some(), "{h}");
    c.finish();
}

#[test]
fn framing_resynchronises_and_exit_code_follows_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start();
    c.initialize(&root);
    let ask =
        |id: i64| json!({"jsonrpc": "2.0", "id": id, "method": "lambdalint/nonsense"}).to_string();
    // A non-UTF-8 header line, then a frame: answered.
    c.raw(b"\xff\xfe\xfd\xfc junk header\r\n");
    let body = ask(100);
    c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    let r = c.wait(|m| m["id"] == 100);
    assert_eq!(r["error"]["code"], -32601);
    // A length too large, then a good frame: the good one is answered.
    let body = ask(101);
    c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 40).as_bytes());
    let body = ask(102);
    c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    let r = c.wait(|m| m["id"] == 102);
    assert_eq!(r["error"]["code"], -32601);
    // A length too small, then a good frame.
    let body = ask(103);
    c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 5).as_bytes());
    let body = ask(104);
    c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    let r = c.wait(|m| m["id"] == 104);
    assert_eq!(r["error"]["code"], -32601);
    // `exit` without `shutdown`: exit code 1.
    c.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = c.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn filesystem_root_as_workspace_is_not_scanned() {
    let mut c = Client::start();
    let start = Instant::now();
    let r = c.request(
        "initialize",
        json!({"processId": null, "rootUri": "file:///", "capabilities": {},
               "workspaceFolders": [{"uri": "file:///", "name": "root"}]}),
    );
    assert!(r.get("result").is_some(), "{r}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "initialize on / took {:?}",
        start.elapsed()
    );
    c.notify("initialized", json!({}));
    c.finish();
}

/// Apply LSP text edits (UTF-16 positions) to a text.
fn apply_lsp_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let col = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut seen = 0;
        for (i, ch) in text[start..].char_indices() {
            if seen >= col || ch == '\n' {
                return start + i;
            }
            seen += ch.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in spans {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// Quick fixes carry the same edits as `check --fix` (in UTF-16 positions, after non-ASCII
/// text), and "fix all" makes the text `check --fix` makes.
#[test]
fn quick_fixes_and_fix_all_match_the_cli() {
    use lambdalint::fix::{Applicability, fix_source};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let tpl = root.join("template.json");
    let text = "{\n  \"Transform\": \"AWS::Serverless-2016-10-31\",\n  \"Description\": \"größe 🚀\",\n  \"Resources\": {\n    \"Q\": {\"Type\": \"AWS::SQS::Queue\"},\n    \"A\": {\"Type\": \"AWS::Serverless::Function\", \"Properties\": {\"Handler\": \"a.h\", \"Runtime\": \"python3.13\", \"InlineCode\": \"x\", \"Tracing\": \"Active\", \"Description\": \"🚀🚀\", \"Events\": {\"Q\": {\"Type\": \"SQS\", \"Properties\": {\"Queue\": {\"Fn::GetAtt\": [\"Q\", \"Arn\"]}}}}}}\n  }\n}\n";
    std::fs::write(&tpl, text).unwrap();
    let turi = uri(&tpl);
    let mut c = Client::start();
    c.initialize(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": turi, "languageId": "json", "version": 1, "text": text}}),
    );
    let ds = c.diagnostics(&turi);
    let codes: Vec<&str> = ds.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(
        codes.contains(&"LMB010") && codes.contains(&"SQS001"),
        "{codes:?}"
    );
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": turi}, "range": whole, "context": {"diagnostics": []}}),
    );
    let actions = a["result"].as_array().unwrap().clone();
    let quick: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    // One quick fix per fixable finding (JSON: no suppression comments).
    assert_eq!(quick.len(), 2, "{actions:#?}");
    let timeout = quick
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("Timeout: 3"))
        .unwrap();
    assert_eq!(timeout["isPreferred"], true);
    assert_eq!(timeout["diagnostics"][0]["code"], "LMB010");
    let dlq = quick
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("unsafe"))
        .unwrap();
    assert_eq!(dlq["isPreferred"], false);
    // The quick fix's edits are the CLI's: applying the safe one gives the safe `--fix` text.
    let edited = apply_lsp_edits(text, timeout["edit"]["changes"][&turi].as_array().unwrap());
    let cli = fix_source("template.json", text, Applicability::Safe).unwrap();
    assert_eq!(edited, cli.file.text);
    assert!(edited.contains("}}}}, \"Timeout\": 3}}"), "{edited}");
    let unsafe_edited = apply_lsp_edits(text, dlq["edit"]["changes"][&turi].as_array().unwrap());
    assert!(unsafe_edited.contains("\"QDLQ\""), "{unsafe_edited}");
    // Fix all: the safe fixes, asked for with `only`.
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": turi}, "range": whole,
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = a["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.lambdalint");
    let all = apply_lsp_edits(
        text,
        actions[0]["edit"]["changes"][&turi].as_array().unwrap(),
    );
    assert_eq!(all, cli.file.text);
    // Only quick fixes: no fix-all.
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": turi}, "range": whole,
               "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert!(
        a["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "quickfix")
    );
}

/// (code, 0-based line) of the CLI's findings in `file`, without the observability infos.
fn cli_findings(dir: &Path, file: &str) -> Vec<(String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambdalint"))
        .current_dir(dir)
        .args(["check", "serverless.yml", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file && d["code"] != "LMB050" && d["code"] != "LMB051")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    got.sort();
    got
}

fn lsp_findings(ds: &[Value]) -> Vec<(String, u64)> {
    let mut got: Vec<(String, u64)> = ds
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    got
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

#[test]
fn serverless_yml_gets_the_cli_findings_and_its_included_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/serverless/orders-bad"),
        &root,
    );
    let yml = root.join("serverless.yml");
    let config = root.join("config.yml");
    let text = std::fs::read_to_string(&yml).unwrap();
    let expected = cli_findings(&root, "serverless.yml");
    assert!(expected.len() >= 10, "{expected:?}");
    let mut c = Client::start();
    c.initialize(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&yml), "languageId": "yaml", "version": 1, "text": text}}),
    );
    // The finding on the timeout `${file(./config.yml):apiTimeout}` pulled in lands in
    // config.yml (published before the configuration's own list).
    let in_config = c.diagnostics(&uri(&config));
    assert_eq!(lsp_findings(&in_config), cli_findings(&root, "config.yml"));
    assert_eq!(lsp_findings(&in_config), vec![("LMB011".to_string(), 0)]);
    assert_eq!(lsp_findings(&c.diagnostics(&uri(&yml))), expected);
    // Saving the included file re-checks the configuration: a timeout under API Gateway's
    // limit clears the finding there, and checking config.yml alone does not clobber it.
    std::fs::write(&config, "apiTimeout: 20\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    assert_eq!(c.diagnostics(&uri(&config)), Vec::<Value>::new());
    let after = lsp_findings(&c.diagnostics(&uri(&yml)));
    assert_eq!(after, cli_findings(&root, "serverless.yml"));
    // Saving a handler re-checks the configuration that deploys it.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&root.join("src/worker.py"))}}),
    );
    assert_eq!(lsp_findings(&c.diagnostics(&uri(&yml))), after);
    c.finish();
}

/// A hostile handler buffer (issue 16: a class attribute assigned from itself thousands of
/// times was exponential, 5,000-deep nested dicts): opening and saving it does not block the
/// server; it answers the next request within the bound.
#[test]
fn hostile_handler_buffer_does_not_block_the_server() {
    let (_dir, handler, _tpl, mut c) = open_template_with_handler();
    let mut code = String::from(
        "import boto3\nclass C:\n    def __init__(self):\n        self.c = boto3.client('s3')\n",
    );
    code.push_str(&"        self.c = self.c\n".repeat(2000));
    code.push_str("    def run(self, e):\n");
    code.push_str(&"        self.c.get_object(Bucket=e)\n".repeat(2000));
    code.push_str(&format!(
        "def handler(event, context):\n    C().run(event)\n    return {}event{}\n",
        "{'a': ".repeat(5000),
        "}".repeat(5000)
    ));
    let start = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&handler), "languageId": "python", "version": 1, "text": code}}),
    );
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&handler)}}),
    );
    // `shutdown` is answered after both notifications are handled.
    c.finish();
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "the server was blocked for {:?}",
        start.elapsed()
    );
}
