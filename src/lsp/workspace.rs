//! What the server knows about the workspace: its templates, the handler files they deploy, and
//! the `lambdalint.toml` settings.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::looks_like_template;
use crate::discover::{Filter, discover_limited};
use crate::load;
use crate::model::{App, Template};
use crate::rule::RuleSelection;
use crate::source::SourceFile;

/// Is this path a template candidate (by extension)?
pub fn is_template_path(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json" | "template")
    )
}

/// Is this path a handler source (by extension)?
pub fn is_handler_path(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "js" | "mjs" | "cjs" | "ts" | "mts" | "cts")
    )
}

/// Directory entries the workspace scan looks at, in all folders.
pub const MAX_SCAN_ENTRIES: usize = 50_000;
/// Bytes of a candidate file read to tell whether it is a template.
pub const SCAN_PREFIX_BYTES: u64 = 256 * 1024;

/// Workspace folders that may be scanned: the filesystem root and the home directory are never
/// walked (an editor opened on `/` must not read the disk).
pub fn scannable_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    roots
        .iter()
        .filter(|r| {
            let c = std::fs::canonicalize(r).unwrap_or_else(|_| (*r).clone());
            !crate::fsx::too_wide(&c)
        })
        .cloned()
        .collect()
}

/// Does the start of the file at `path` look like a template? (At most
/// [`SCAN_PREFIX_BYTES`] are read; regular files only.)
fn starts_like_template(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut buf = Vec::new();
    if std::io::Read::read_to_end(&mut std::io::Read::take(f, SCAN_PREFIX_BYTES), &mut buf).is_err()
    {
        return false;
    }
    looks_like_template(&String::from_utf8_lossy(&buf))
}

/// Templates found in the workspace folders (absolute paths): a bounded walk (entries, bytes
/// read per file), never of `/` or the home directory.
pub fn scan_templates(roots: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(filter) = Filter::new(&[], &[]) else {
        return Vec::new();
    };
    let roots = scannable_roots(roots);
    let access = crate::fsx::Access::new(&roots, &[], crate::fsx::DEFAULT_SOURCE_CAP);
    let found = discover_limited(&roots, &filter, &access, MAX_SCAN_ENTRIES);
    found
        .candidates
        .into_iter()
        .filter(|c| {
            crate::frameworks::serverless::is_config_path(&c.path) || starts_like_template(&c.path)
        })
        .map(|c| c.path)
        .collect()
}

/// Handler source files a template deploys, from the handler analysis' own resolution
/// (`CodeUri` + `Handler`, Globals, esbuild `EntryPoints`; see `handler::resolve`): the candidate
/// files that exist, or the preferred one when none exists yet, so that a new, unsaved handler
/// file is tracked too.
pub fn handler_files(template: &Path, text: &str) -> Vec<PathBuf> {
    let file = Arc::new(SourceFile::new(
        template.to_path_buf(),
        template.display().to_string(),
        text.to_string(),
    ));
    // A `serverless.yml` is lowered first (its `${file()}` reads stay in its folder).
    if crate::frameworks::serverless::is_config_path(template) {
        let dir: Vec<PathBuf> = template
            .parent()
            .map(Path::to_path_buf)
            .into_iter()
            .collect();
        let access = crate::fsx::Access::new(&dir, &[], crate::fsx::DEFAULT_SOURCE_CAP);
        return match crate::check::load_template(&file, &access) {
            Ok(Some((loaded, origin))) => {
                let app = App::new(Template::lowered(Arc::clone(&file), loaded, origin));
                let mut out = handler_files_of(&app);
                out.extend(included_files(&app));
                out.sort();
                out.dedup();
                out
            }
            _ => Vec::new(),
        };
    }
    let Ok(loaded) = load::load(text, crate::source::format_of(template, text)) else {
        return Vec::new();
    };
    if !load::is_template(&loaded.doc) {
        return Vec::new();
    }
    handler_files_of(&App::new(Template::new(file, loaded)))
}

/// Files a configuration pulled in (`${file(./config.yml)}` of a `serverless.yml`): a change
/// to one re-checks the configuration, whose findings are published on it.
pub fn included_files(app: &App) -> Vec<PathBuf> {
    app.tpl
        .origin
        .included
        .iter()
        .map(|(_, f)| crate::source::normalize_path(&f.path))
        .collect()
}

/// [`handler_files`] of an already modelled template.
pub fn handler_files_of(app: &App) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in app.functions.values() {
        let candidates = crate::handler::resolve::candidate_paths(app, f);
        let existing: Vec<&PathBuf> = candidates.iter().filter(|p| p.is_file()).collect();
        if existing.is_empty() {
            out.extend(candidates.first().cloned());
        } else {
            out.extend(existing.into_iter().cloned());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// [`handler_files_of`] plus every local module the handler analysis followed from the
/// template's entry points (a change to `utils.py` re-checks the templates whose handlers
/// import it, and its findings are published on it).
pub fn handler_files_of_checked(checked: &crate::check::Checked) -> Vec<PathBuf> {
    let mut out = handler_files_of(&checked.app);
    out.extend(included_files(&checked.app));
    out.extend(
        checked
            .handlers
            .files
            .iter()
            .map(|p| crate::source::normalize_path(p)),
    );
    out.sort();
    out.dedup();
    out
}

/// Handler file -> templates that deploy it.
#[derive(Debug, Default)]
pub struct HandlerMap {
    by_template: HashMap<PathBuf, Vec<PathBuf>>,
}

impl HandlerMap {
    pub fn set(&mut self, template: PathBuf, handlers: Vec<PathBuf>) {
        self.by_template.insert(template, handlers);
    }

    pub fn templates_of(&self, handler: &Path) -> BTreeSet<PathBuf> {
        self.by_template
            .iter()
            .filter(|(_, hs)| hs.iter().any(|h| h == handler))
            .map(|(t, _)| t.clone())
            .collect()
    }

    pub fn handlers_of(&self, template: &Path) -> &[PathBuf] {
        self.by_template.get(template).map_or(&[], Vec::as_slice)
    }
}

/// Settings from the workspace configuration (`lambdalint.toml`, `.lambdalint.toml` or
/// `pyproject.toml` `[tool.lambdalint]`, found as the CLI finds it, upward from the first workspace
/// folder that has one). A configuration error is logged and the defaults are used.
pub fn load_settings(roots: &[PathBuf]) -> RuleSelection {
    load_config(roots).selection(&[], &[])
}

/// The configuration of the workspace: the first one found from its folders (defaults when
/// there is none or it is invalid; the error is logged).
pub fn load_config(roots: &[PathBuf]) -> crate::config::Config {
    for root in roots {
        match crate::config::Config::discover(root) {
            Ok(Some(cfg)) => return cfg,
            Ok(None) => {}
            Err(e) => {
                eprintln!(
                    "lambdalint server: {}",
                    crate::render::safe::terminal(&e.to_string())
                );
                return crate::config::Config::default();
            }
        }
    }
    crate::config::Config::default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn maps_python_and_node_handlers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("web")).unwrap();
        std::fs::write(root.join("src/app.py"), "def handler(e, c): pass\n").unwrap();
        std::fs::write(root.join("web/index.mjs"), "export const handler = 1;\n").unwrap();
        let tpl = root.join("template.yaml");
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Py:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: ./src/\n  Js:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs22.x\n      CodeUri: web\n";
        let hs = handler_files(&tpl, text);
        assert_eq!(
            hs,
            vec![root.join("src/app.py"), root.join("web/index.mjs")]
        );
        let mut m = HandlerMap::default();
        m.set(tpl.clone(), hs);
        assert_eq!(
            m.templates_of(&root.join("src/app.py"))
                .into_iter()
                .collect::<Vec<_>>(),
            vec![tpl]
        );
    }

    #[test]
    fn maps_esbuild_entry_points_like_the_handler_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("web/handlers")).unwrap();
        std::fs::write(
            root.join("web/handlers/app.ts"),
            "export const handler = 1;\n",
        )
        .unwrap();
        let tpl = root.join("template.yaml");
        let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        EntryPoints: [handlers/app.ts]\n    Properties:\n      Handler: app.handler\n      Runtime: nodejs22.x\n      CodeUri: web\n";
        assert_eq!(
            handler_files(&tpl, text),
            vec![root.join("web/handlers/app.ts")]
        );
    }

    #[test]
    fn settings_from_toml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("lambdalint.toml"),
            "ignore = [\"LMB010\"]\n",
        )
        .unwrap();
        let sel = load_settings(&[dir.path().to_path_buf()]);
        assert!(!sel.enabled("LMB010"));
        assert!(sel.enabled("IAM001"));
    }
}
