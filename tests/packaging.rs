//! The packaging files agree with each other and leave lambdalint's behaviour alone. The packages
//! themselves (wheel, sdist, npm tarballs, the action's install) are built and run end to end by
//! scripts/test-packaging, which `./scripts/test` runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Command;

use lambdalint::config::Config;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lambdalint");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const LAUNCHER: &str = "npm/lambdalint/bin/lambdalint.js";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn npm_package() -> Value {
    serde_json::from_str(&read("npm/lambdalint/package.json")).unwrap()
}

/// The repository's pyproject.toml (the Python packaging) is not a lambdalint configuration:
/// checking the repository's own testdata finds no configuration there.
#[test]
fn repo_pyproject_is_not_picked_up_as_configuration() {
    let pyproject = root().join("pyproject.toml");
    assert!(pyproject.is_file());
    let projects = root().join("testdata/projects");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&projects)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 2, "{dirs:?}");
    dirs.push(root().join("testdata"));
    for dir in dirs {
        let found = Config::discover(&dir).unwrap();
        let from = found.and_then(|c| c.path);
        assert!(
            from.as_deref()
                .is_none_or(|p| std::path::absolute(p).unwrap() != pyproject),
            "{}: configuration taken from the repository's pyproject.toml",
            dir.display()
        );
    }
    // And a pyproject.toml that has the table is still read (the test above is not vacuous).
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[tool.lambdalint]\nignore = [\"LMB010\"]\n",
        read("pyproject.toml")
    );
    std::fs::write(tmp.path().join("pyproject.toml"), text).unwrap();
    let c = Config::discover(tmp.path()).unwrap().unwrap();
    assert_eq!(c.ignore, vec!["LMB010".to_string()]);
}

/// One version everywhere: Cargo.toml (which maturin gives the wheel), the npm package and the
/// platform packages it depends on.
#[test]
fn versions_agree() {
    let pyproject = read("pyproject.toml");
    assert!(
        pyproject.contains("dynamic = [\"version\"]"),
        "pyproject.toml must take the version from Cargo.toml"
    );
    assert!(pyproject.contains("bindings = \"bin\""));
    let npm = npm_package();
    assert_eq!(npm["version"], VERSION, "npm/lambdalint/package.json");
    let deps = npm["optionalDependencies"].as_object().unwrap();
    assert!(!deps.is_empty());
    for (name, v) in deps {
        assert_eq!(v, VERSION, "npm/lambdalint/package.json: {name}");
    }
}

/// Each platform package is named as the launcher looks it up (`process.platform`-`process.arch`)
/// and is built by the release workflow, from the wheel of that platform.
#[test]
fn npm_platforms_are_built_by_the_release() {
    let release = read(".github/workflows/release.yml");
    let table: Vec<Vec<&str>> = release
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|w| w.len() == 3 && w[2].ends_with(".whl"))
        .collect();
    let npm = npm_package();
    let deps = npm["optionalDependencies"].as_object().unwrap();
    assert_eq!(table.len(), deps.len(), "{table:?}");
    for name in deps.keys() {
        let target = name
            .strip_prefix("@lambdalint/cli-")
            .unwrap_or_else(|| panic!("{name}"));
        let (os, cpu) = target.split_once('-').unwrap();
        assert!(["linux", "darwin", "win32"].contains(&os), "{name}");
        assert!(["x64", "arm64"].contains(&cpu), "{name}");
        assert!(
            table.iter().any(|w| w[0] == target),
            "release.yml does not build {name}"
        );
    }
    for w in &table {
        let arch = if w[0].ends_with("-x64") {
            "x86_64"
        } else {
            "aarch64"
        };
        assert!(w[1].starts_with(arch), "{w:?}");
    }
}

fn node() -> Option<Command> {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "node not found: skipping the npm launcher test (scripts/test-packaging runs it)"
        );
        return None;
    }
    let mut c = Command::new("node");
    c.current_dir(root());
    Some(c)
}

/// The launcher runs the binary with the arguments and exit code passed through.
#[test]
fn npm_launcher_passes_arguments_and_exit_code() {
    let Some(mut node) = node() else { return };
    let direct = Command::new(BIN)
        .current_dir(root())
        .args(["check", "testdata/projects/orders-app", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(direct.status.code(), Some(1));
    let out = node
        .arg(LAUNCHER)
        .args(["check", "testdata/projects/orders-app", "--format", "json"])
        .env("LAMBDALINT_BINARY", BIN)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, direct.stdout);
}

/// On a platform without a package the launcher says which exist and exits 2.
#[test]
fn npm_launcher_on_an_unknown_platform() {
    let Some(mut node) = node() else { return };
    let out = node
        .args([
            "-e",
            "Object.defineProperty(process, 'platform', { value: 'aix' }); require('./npm/lambdalint/bin/lambdalint.js')",
        ])
        .env_remove("LAMBDALINT_BINARY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no prebuilt binary for aix-"), "{err}");
    assert!(err.contains("linux-x64"), "{err}");
}

/// A binary killed by a signal kills the launcher with the same signal.
#[cfg(unix)]
#[test]
fn npm_launcher_forwards_a_signal_death() {
    use std::os::unix::process::ExitStatusExt;
    let Some(mut node) = node() else { return };
    let out = node
        .args([LAUNCHER, "-c", "kill -TERM $$"])
        .env("LAMBDALINT_BINARY", "/bin/sh")
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(15), "{:?}", out.status);
}
