//! Running the real binary with a time limit: a hang is a test failure, not a stuck CI job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TIME_LIMIT: Duration = Duration::from_secs(20);

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_lambdalint")
}

/// Run `lambdalint ARGS` in `cwd`, killing it after [`TIME_LIMIT`].
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    run_limited(cwd, args, TIME_LIMIT)
}

/// [`run_in`] with another time limit (large inputs in a debug build on a busy machine).
pub fn run_limited(cwd: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lambdalint");
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
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lambdalint {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("lambdalint {args:?} was killed by a signal: {stderr}"));
    assert!(
        !stderr.contains("panicked"),
        "lambdalint {args:?} panicked: {stderr}"
    );
    Run {
        code,
        stdout,
        stderr,
    }
}

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
