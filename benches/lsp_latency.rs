//! On-save latency of `lambdalint server`: didSave -> publishDiagnostics round trip over stdio,
//! for a typical template and for a synthetic 1,000-resource template.
//! Run: `cargo bench --bench lsp_latency` (or `LAMBDALINT_BIN=target/release/lambdalint cargo test
//! --bench lsp_latency` to measure a release binary without building the benches in release).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn frame(v: &Value) -> Vec<u8> {
    let b = v.to_string();
    format!("Content-Length: {}\r\n\r\n{b}", b.len()).into_bytes()
}

fn read_msg(r: &mut impl BufRead) -> Value {
    let mut len = 0;
    loop {
        let mut l = String::new();
        assert!(r.read_line(&mut l).unwrap() > 0, "server closed");
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("Content-Length: ") {
            len = v.parse().unwrap();
        }
    }
    let mut b = vec![0; len];
    r.read_exact(&mut b).unwrap();
    serde_json::from_slice(&b).unwrap()
}

fn typical() -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.13\n    MemorySize: 512\nResources:\n",
    );
    for i in 0..8 {
        s.push_str(&format!("  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      CodeUri: src/\n      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: [\"dynamodb:GetItem\", \"sqs:*\"]\n              Resource: \"*\"\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue{i}.Arn\n  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n"));
    }
    s
}

fn synthetic(n: usize) -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n",
    );
    for i in 0..n / 4 {
        s.push_str(&format!("  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: src/\n      Role: !GetAtt Role{i}.Arn\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue{i}.Arn\n  Queue{i}:\n    Type: AWS::SQS::Queue\n  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {{}}\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: \"s3:*\"\n                Resource: \"*\"\n  Topic{i}:\n    Type: AWS::SNS::Topic\n"));
    }
    s
}

fn bench(name: &str, text: &str, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap().join("template.yaml");
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    // LAMBDALINT_BIN: measure another build (e.g. target/release/lambdalint).
    let bin = std::env::var("LAMBDALINT_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_lambdalint").to_string());
    let mut child = Command::new(bin)
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut w = child.stdin.take().unwrap();
    let mut r = BufReader::new(child.stdout.take().unwrap());
    w.write_all(&frame(
        &json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}),
    ))
    .unwrap();
    w.flush().unwrap();
    while read_msg(&mut r).get("id").is_none() {}
    w.write_all(&frame(
        &json!({"jsonrpc":"2.0","method":"initialized","params":{}}),
    ))
    .unwrap();
    w.write_all(&frame(&json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":uri,"languageId":"yaml","version":1,"text":text}}}))).unwrap();
    w.flush().unwrap();
    let first = read_msg(&mut r);
    let n = first["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    let save = frame(
        &json!({"jsonrpc":"2.0","method":"textDocument/didSave","params":{"textDocument":{"uri":uri}}}),
    );
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        w.write_all(&save).unwrap();
        w.flush().unwrap();
        let m = read_msg(&mut r);
        times.push(t.elapsed());
        assert_eq!(m["method"], "textDocument/publishDiagnostics");
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} {:>7} bytes {:>5} diagnostics  didSave->publish: median {:.2} ms, p90 {:.2} ms, min {:.2} ms ({rounds} rounds)",
        text.len(),
        n,
        ms(times[rounds / 2]),
        ms(times[rounds * 9 / 10]),
        ms(times[0]),
    );
    drop(w);
    let _ = child.kill();
    let _ = child.wait();
}

fn main() {
    bench("typical (16 resources)", &typical(), 200);
    bench("synthetic 1,000 resources", &synthetic(1000), 30);
}
