//! The configuration file: `lambdalint.toml` (or `.lambdalint.toml`, or `[tool.lambdalint]` in
//! `pyproject.toml`), found by walking up from the checked path. See docs/config.md.
//!
//! Every key is checked: an unknown key, an unknown rule code, a bad severity or a rule option of
//! the wrong type is an error with its `file:line:column`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::rule::{RuleSelection, is_builtin, valid_selector};
use crate::source::LineIndex;

/// File names looked for in each directory, in order.
pub const FILE_NAMES: &[&str] = &["lambdalint.toml", ".lambdalint.toml", "pyproject.toml"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read configuration: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: u32,
        column: u32,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    severity: Option<Spanned<String>>,
    options: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    allowed_roots: Vec<Spanned<String>>,
    max_source_bytes: Option<Spanned<i64>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
struct PyProject {
    tool: Option<PyTool>,
}

#[derive(Debug, Deserialize)]
struct PyTool {
    lambdalint: Option<RawConfig>,
}

/// A loaded, validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (none: defaults).
    pub path: Option<PathBuf>,
    /// Rules to run (codes, prefixes, categories, names); none: all.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// `allowed-roots`: directories outside the project that handler sources and other files
    /// templates point at may be read from (resolved against the configuration's directory).
    pub allowed_roots: Vec<PathBuf>,
    /// `max-source-bytes`: the cap on one handler source (or other file a template points at).
    pub max_source_bytes: Option<u64>,
    /// `[rules.CODE] severity = ".."`.
    pub severity: Vec<(String, Severity)>,
    /// `[rules.CODE.options]`.
    pub options: Vec<(String, toml::Table)>,
}

/// Resolve an `allowed-roots` entry against the configuration's directory. The configuration
/// may come from the code under review (a pull request), so a root must exist, must not be `/`
/// or the home directory, and must stay inside the repository (the nearest directory above the
/// configuration holding `.git`) when there is one.
fn allowed_root(config: &Path, entry: &str) -> Result<PathBuf, String> {
    let base = config.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = std::path::absolute(&base).unwrap_or(base);
    let p = base.join(entry);
    let canon = std::fs::canonicalize(&p)
        .map_err(|e| format!("allowed root `{entry}` cannot be used: {e}"))?;
    if !canon.is_dir() {
        return Err(format!("allowed root `{entry}` is not a directory"));
    }
    if crate::fsx::too_wide(&canon) {
        return Err(format!(
            "allowed root `{entry}` is the filesystem root or the home directory"
        ));
    }
    let base = std::fs::canonicalize(&base).unwrap_or(base);
    let repo = base.ancestors().find(|d| d.join(".git").exists());
    if let Some(repo) = repo
        && !canon.starts_with(repo)
    {
        return Err(format!(
            "allowed root `{entry}` is outside the repository `{}`",
            repo.display()
        ));
    }
    Ok(canon)
}

fn parse_severity(s: &str) -> Option<Severity> {
    Severity::parse(s)
}

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    lines: LineIndex,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let offset = u32::try_from(span.start).unwrap_or(u32::MAX);
        let lc = self.lines.line_col(self.text, offset);
        ConfigError::Invalid {
            path: self.path.to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        }
    }

    fn toml_err(&self, e: &toml::de::Error) -> ConfigError {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => self.err(span, message),
            None => ConfigError::Invalid {
                path: self.path.to_string(),
                line: 1,
                column: 1,
                message,
            },
        }
    }
}

impl Config {
    /// Parse a configuration text. `pyproject` selects the `[tool.lambdalint]` table; returns
    /// `Ok(None)` when a `pyproject.toml` has no such table.
    pub fn parse(path: &Path, text: &str, pyproject: bool) -> Result<Option<Config>, ConfigError> {
        let display = path.display().to_string();
        let cx = Ctx {
            path: &display,
            text,
            lines: LineIndex::new(text),
        };
        let raw = if pyproject {
            let py: PyProject = toml::from_str(text).map_err(|e| cx.toml_err(&e))?;
            match py.tool.and_then(|t| t.lambdalint) {
                Some(raw) => raw,
                None => return Ok(None),
            }
        } else {
            toml::from_str::<RawConfig>(text).map_err(|e| cx.toml_err(&e))?
        };
        for g in raw.include.iter().chain(&raw.exclude) {
            if let Err(e) = crate::discover::Filter::new(std::slice::from_ref(g.get_ref()), &[]) {
                return Err(cx.err(g.span(), e.to_string()));
            }
        }
        let mut cfg = Config {
            path: Some(path.to_path_buf()),
            include: raw.include.into_iter().map(Spanned::into_inner).collect(),
            exclude: raw.exclude.into_iter().map(Spanned::into_inner).collect(),
            ..Config::default()
        };
        for r in &raw.allowed_roots {
            cfg.allowed_roots
                .push(allowed_root(path, r.get_ref()).map_err(|m| cx.err(r.span(), m))?);
        }
        if let Some(m) = &raw.max_source_bytes {
            let v = *m.get_ref();
            let max = i64::try_from(crate::load::MAX_FILE_BYTES).unwrap_or(i64::MAX);
            if v <= 0 || v > max {
                return Err(cx.err(
                    m.span(),
                    format!("`max-source-bytes` must be from 1 to {max}, not {v}"),
                ));
            }
            cfg.max_source_bytes = u64::try_from(v).ok();
        }
        for s in raw.select.iter().flatten().chain(&raw.ignore) {
            if !valid_selector(s.get_ref()) {
                return Err(cx.err(
                    s.span(),
                    format!(
                        "`{}` is not a rule code, prefix, category or name (see `lambdalint rules`)",
                        s.get_ref()
                    ),
                ));
            }
        }
        cfg.select = raw
            .select
            .map(|v| v.into_iter().map(Spanned::into_inner).collect());
        cfg.ignore = raw.ignore.into_iter().map(Spanned::into_inner).collect();
        if let Some(f) = raw.fail_on {
            cfg.fail_on = Some(parse_severity(f.get_ref()).ok_or_else(|| {
                cx.err(
                    f.span(),
                    format!(
                        "`fail-on` must be \"error\", \"warning\" or \"info\", not `{}`",
                        f.get_ref()
                    ),
                )
            })?);
        }
        let rules = crate::rules::all();
        for (code, rule) in raw.rules {
            let key = code.get_ref().to_ascii_uppercase();
            let known_rule = crate::rule::meta(&key).is_some();
            if !known_rule && !is_builtin(&key) {
                return Err(cx.err(
                    code.span(),
                    format!(
                        "unknown rule `{}` in `[rules]` (see `lambdalint rules`)",
                        code.get_ref()
                    ),
                ));
            }
            let rule = rule.into_inner();
            if let Some(s) = rule.severity {
                let sev = parse_severity(s.get_ref()).ok_or_else(|| {
                    cx.err(
                        s.span(),
                        format!(
                            "severity must be \"error\", \"warning\" or \"info\", not `{}`",
                            s.get_ref()
                        ),
                    )
                })?;
                cfg.severity.push((key.clone(), sev));
            }
            if let Some(opts) = rule.options {
                let declared = rules
                    .iter()
                    .find(|r| r.code() == key)
                    .map_or(&[][..], |r| r.options());
                let mut table = toml::Table::new();
                for (name, value) in opts {
                    let Some(o) = declared.iter().find(|o| o.name == name.get_ref()) else {
                        let known: Vec<&str> = declared.iter().map(|o| o.name).collect();
                        return Err(cx.err(
                            name.span(),
                            if known.is_empty() {
                                format!(
                                    "unknown option `{}`: rule {key} has no options",
                                    name.get_ref()
                                )
                            } else {
                                format!(
                                    "unknown option `{}` for rule {key} (known: {})",
                                    name.get_ref(),
                                    known.join(", ")
                                )
                            },
                        ));
                    };
                    if !o.kind.accepts(value.get_ref()) {
                        return Err(cx.err(
                            value.span(),
                            format!(
                                "option `{}` of rule {key} must be {}",
                                o.name,
                                o.kind.as_str()
                            ),
                        ));
                    }
                    table.insert(name.into_inner(), value.into_inner());
                }
                cfg.options.push((key, table));
            }
        }
        Ok(Some(cfg))
    }

    /// Load a configuration file named on the command line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        Ok(
            Config::parse(path, &text, pyproject)?.unwrap_or_else(|| Config {
                path: Some(path.to_path_buf()),
                ..Config::default()
            }),
        )
    }

    /// Find the configuration for `start` (a file or directory): the first `lambdalint.toml`,
    /// `.lambdalint.toml` or `pyproject.toml` with a `[tool.lambdalint]` table in it or one of its
    /// parent directories.
    pub fn discover(start: &Path) -> Result<Option<Config>, ConfigError> {
        let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if abs.is_file() {
            abs.parent().map(Path::to_path_buf)
        } else {
            Some(abs)
        };
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let p = d.join(name);
                if !p.is_file() {
                    continue;
                }
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                let pyproject = *name == "pyproject.toml";
                if pyproject && !text.contains("tool.lambdalint") {
                    continue;
                }
                if let Some(c) = Config::parse(&p, &text, pyproject)? {
                    return Ok(Some(c));
                }
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(None)
    }

    /// What a run over `paths` may read: their projects, the `allowed-roots`, the
    /// `max-source-bytes` cap.
    pub fn access(&self, paths: &[PathBuf]) -> crate::fsx::Access {
        crate::fsx::Access::new(
            paths,
            &self.allowed_roots,
            self.max_source_bytes
                .unwrap_or(crate::fsx::DEFAULT_SOURCE_CAP),
        )
    }

    /// The rule selection, with command-line `--select` replacing the configured `select` and
    /// command-line `--ignore` added to the configured `ignore`.
    pub fn selection(&self, cli_select: &[String], cli_ignore: &[String]) -> RuleSelection {
        RuleSelection {
            select: if cli_select.is_empty() {
                self.select.clone().unwrap_or_default()
            } else {
                cli_select.to_vec()
            },
            ignore: self.ignore.iter().chain(cli_ignore).cloned().collect(),
            severity: self.severity.clone(),
            options: self.options.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn parse(text: &str) -> Result<Option<Config>, ConfigError> {
        Config::parse(Path::new("lambdalint.toml"), text, false)
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("expected an error, got {c:?}"),
        }
    }

    #[test]
    fn all_keys() {
        let c = parse(
            r#"
select = ["LMB", "IAM001"]
ignore = ["SQS001"]
fail-on = "error"
include = ["**/template.yaml"]
exclude = ["tests/**"]

[rules.LMB010]
severity = "error"

[rules.LMB010.options]
allow-globals = false
"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.select, Some(vec!["LMB".into(), "IAM001".into()]));
        assert_eq!(c.ignore, vec!["SQS001".to_string()]);
        assert_eq!(c.fail_on, Some(Severity::Error));
        assert_eq!(c.include, vec!["**/template.yaml".to_string()]);
        assert_eq!(c.exclude, vec!["tests/**".to_string()]);
        assert_eq!(c.severity, vec![("LMB010".to_string(), Severity::Error)]);
        let (code, t) = &c.options[0];
        assert_eq!(code, "LMB010");
        assert_eq!(t.get("allow-globals"), Some(&toml::Value::Boolean(false)));
        let sel = c.selection(&[], &["IAM".to_string()]);
        assert_eq!(sel.select, vec!["LMB".to_string(), "IAM001".to_string()]);
        assert_eq!(sel.ignore, vec!["SQS001".to_string(), "IAM".to_string()]);
        let sel = c.selection(&["SQS".to_string()], &[]);
        assert_eq!(sel.select, vec!["SQS".to_string()]);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(
            err("select = [\"LMB\"]\nfail_on = \"error\"\n")
                .split(": ")
                .next(),
            Some("lambdalint.toml:2:1")
        );
        assert!(err("select = [\"NOPE\"]\n").starts_with("lambdalint.toml:1:11: `NOPE`"));
        assert!(err("fail-on = \"fatal\"\n").starts_with("lambdalint.toml:1:11:"));
        assert!(err("[rules.XYZ999]\nseverity = \"error\"\n").starts_with("lambdalint.toml:1:8:"));
        assert!(err("[rules.LMB010]\nseverity = \"loud\"\n").starts_with("lambdalint.toml:2:12:"));
        assert!(err("[rules.LMB010]\nlevel = \"error\"\n").starts_with("lambdalint.toml:2:1:"));
        let e = err("[rules.LMB010.options]\nnope = 1\n");
        assert!(
            e.starts_with("lambdalint.toml:2:1: unknown option `nope`"),
            "{e}"
        );
        let e = err("[rules.LMB010.options]\nallow-globals = 1\n");
        assert!(
            e.starts_with("lambdalint.toml:2:17: option `allow-globals`"),
            "{e}"
        );
        let e = err("[rules.SQS001.options]\nx = 1\n");
        assert!(e.contains("has no options"), "{e}");
    }

    #[test]
    fn globs_roots_and_caps_are_checked_with_positions() {
        let e = err("include = [\"ok/**\", \"bad[\"]\n");
        assert!(
            e.starts_with("lambdalint.toml:1:21: invalid glob `bad[`"),
            "{e}"
        );
        let e = err("exclude = [\"{a\"]\n");
        assert!(e.starts_with("lambdalint.toml:1:12:"), "{e}");
        let e = err("max-source-bytes = 0\n");
        assert!(
            e.starts_with("lambdalint.toml:1:20: `max-source-bytes`"),
            "{e}"
        );
        let c = parse("max-source-bytes = 4096\n").unwrap().unwrap();
        assert_eq!(c.max_source_bytes, Some(4096));
        // Roots: inside the repository only, never / or the home directory.
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(d.path().join("repo/app")).unwrap();
        std::fs::create_dir_all(d.path().join("repo/shared")).unwrap();
        std::fs::create_dir_all(d.path().join("elsewhere")).unwrap();
        let cfg = d.path().join("repo/app/lambdalint.toml");
        let ok = Config::parse(&cfg, "allowed-roots = [\"../shared\"]\n", false)
            .unwrap()
            .unwrap();
        assert_eq!(
            ok.allowed_roots,
            vec![std::fs::canonicalize(d.path().join("repo/shared")).unwrap()]
        );
        for bad in ["../../elsewhere", "/", "../nope"] {
            let e = Config::parse(&cfg, &format!("allowed-roots = [\"{bad}\"]\n"), false)
                .unwrap_err()
                .to_string();
            assert!(e.contains(":1:18: allowed root"), "{bad}: {e}");
        }
    }

    #[test]
    fn pyproject_table() {
        let p = Path::new("pyproject.toml");
        let none = Config::parse(p, "[project]\nname = \"x\"\n", true).unwrap();
        assert!(none.is_none());
        let c = Config::parse(
            p,
            "[project]\nname = \"x\"\n[tool.lambdalint]\nignore = [\"IAM\"]\n",
            true,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.ignore, vec!["IAM".to_string()]);
        let e = Config::parse(p, "[tool.lambdalint]\nbogus = 1\n", true).unwrap_err();
        assert!(e.to_string().starts_with("pyproject.toml:2:1:"), "{e}");
    }
}
