//! End to end with a real editor: headless Neovim's built-in LSP client receives our diagnostics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn neovim_shows_lambdalint_diagnostics() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "nvim is required in CI (scripts/apt-packages: nvim:neovim)"
        );
        eprintln!(
            "SKIPPED: neovim (`nvim`) is not installed; `apt-get install neovim` to run this test"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let tpl = root.join("template.json");
    // A non-ASCII line: Neovim converts our UTF-16 columns into byte columns. Tracing and a log
    // group named outside the template keep the observability infos (LMB050/LMB051) quiet.
    std::fs::write(
        &tpl,
        r#"{"Description": "größe 🚀", "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler", "Runtime": "python3.13", "CodeUri": "src/", "Tracing": "Active", "LoggingConfig": {"LogGroup": "app-logs"}}}}}"#,
    )
    .unwrap();
    let out = root.join("diagnostics.txt");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/nvim/diagnostics.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {script}"))
        .env("LAMBDALINT_BIN", env!("CARGO_BIN_EXE_lambdalint"))
        .env("TEMPLATE", &tpl)
        .env("OUT", &out)
        .env("XDG_STATE_HOME", &root)
        .env("XDG_DATA_HOME", &root)
        .env("XDG_CONFIG_HOME", &root)
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 1, "{got}");
    let f: Vec<&str> = lines[0].splitn(8, '|').collect();
    // code, lnum, col, end_lnum, end_col (byte columns: `"Fn"` starts at byte 46), severity 2 = WARN.
    assert_eq!(
        &f[..7],
        ["LMB010", "0", "46", "0", "50", "2", "lambdalint"],
        "{got}"
    );
    assert!(f[7].contains("function `Fn` has no `Timeout`"), "{got}");
}
