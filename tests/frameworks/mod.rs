//! The real frameworks (Serverless Framework v3, aws-cdk-lib), installed from npm by
//! `scripts/setup-frameworks` (pinned, cached under target/frameworks).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The prefix holding `node_modules/{serverless,aws-cdk-lib}`, or why there is none. The install
/// runs once per test binary; a failure is printed loudly by the caller, which then skips.
pub fn frameworks() -> Result<PathBuf, String> {
    static PREFIX: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PREFIX
        .get_or_init(|| {
            let out = Command::new(repo().join("scripts/setup-frameworks"))
                .output()
                .map_err(|e| format!("cannot run scripts/setup-frameworks: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "scripts/setup-frameworks failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
            if p.join("node_modules/serverless").is_dir()
                && p.join("node_modules/aws-cdk-lib").is_dir()
            {
                Ok(p)
            } else {
                Err(format!("{} has no frameworks installed", p.display()))
            }
        })
        .clone()
}

/// Print a skip loudly (the test then returns): never a silent pass.
pub fn skip(test: &str, why: &str) {
    let line = "!".repeat(78);
    eprintln!("{line}\nSKIPPED {test}: {why}\n{line}");
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Run a command with a time limit; panics with its output when it fails.
pub fn run_cmd(mut cmd: Command, what: &str) -> String {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let start = std::time::Instant::now();
    let limit = std::time::Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: no result after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{what} failed ({status}):\n{out}\n{err}");
    out
}

/// `lambdalint check ARGS --format json` in `cwd`.
pub fn lambdalint_json(cwd: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_lambdalint"))
        .current_dir(cwd)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Codes that come from handler sources: a packaged template points its code at S3, so these
/// are compared on the source form only.
pub fn handler_code(code: &str) -> bool {
    code.starts_with("HDL") || matches!(code, "IAM005" | "IAM006" | "LMB030")
}

/// (code, resource) of the template findings of a JSON result, resources mapped by `map`.
pub fn findings(v: &serde_json::Value, map: &dyn Fn(&str) -> String) -> BTreeSet<(String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !handler_code(d["code"].as_str().unwrap()))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                map(d["resource"].as_str().unwrap_or("")),
            )
        })
        .collect()
}
