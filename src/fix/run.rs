//! `check --fix` / `--diff`: fix each checked template in passes, then write the changed files
//! (only those that were checked, inside the paths given, unchanged on disk since they were read)
//! or print a unified diff.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Applicability, fix_text};
use crate::check::{Outcome, check_paths_hooked, check_source_full};
use crate::diagnostic::Diagnostic;
use crate::discover::Filter;
use crate::fsx::Access;
use crate::rule::Rule;
use crate::rule::RuleSelection;
use crate::source::SourceFile;

/// One template the fixes changed.
#[derive(Debug)]
pub struct Change {
    /// The text as read.
    pub original: Arc<SourceFile>,
    /// The text after the fixes.
    pub fixed: Arc<SourceFile>,
    /// Findings fixed.
    pub applied: usize,
    /// Fixes dropped because the text they made did not load (a bug: please report).
    pub rejected: Vec<String>,
}

/// The findings after fixing (of the fixed texts), and the changes to write.
#[derive(Debug)]
pub struct FixRun {
    pub outcome: Outcome,
    pub changes: Vec<Change>,
}

impl FixRun {
    /// Findings fixed in all files.
    pub fn applied(&self) -> usize {
        self.changes.iter().map(|c| c.applied).sum()
    }
}

/// Findings that are kept (the baseline drops the known ones): only those are fixed.
pub type Keep<'a> = dyn Fn(&mut Vec<Diagnostic>) + Sync + 'a;

/// Check `paths` and fix every template with fixes of applicability `allow` or safer. Nothing
/// is written: see [`write`] and [`diff`].
pub fn fix_paths(
    paths: &[PathBuf],
    filter: &Filter,
    sel: &RuleSelection,
    access: &Access,
    allow: Applicability,
    keep: &Keep<'_>,
) -> FixRun {
    let rules = crate::rules::all();
    let changes = Mutex::new(Vec::new());
    let sources: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let hook = |file: &Arc<SourceFile>, mut diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
        keep(&mut diags);
        let fixable = diags.iter().any(|d| {
            d.fix_file().path == file.path
                && d.fix.as_ref().is_some_and(|f| f.applicability <= allow)
        });
        if !fixable {
            fix_sources(file, &mut diags, allow, paths, &changes, &sources);
            return diags;
        }
        let recheck = |f: &Arc<SourceFile>| recheck(f, &rules, sel, access, keep);
        let fixed = fix_text(file, diags, allow, &recheck);
        if fixed.changed(file) || !fixed.rejected.is_empty() {
            let change = Change {
                original: Arc::clone(file),
                fixed: Arc::clone(&fixed.file),
                applied: fixed.applied,
                rejected: fixed.rejected,
            };
            if let Ok(mut c) = changes.lock() {
                c.push(change);
            }
        }
        let mut diags = fixed.diagnostics;
        fix_sources(file, &mut diags, allow, paths, &changes, &sources);
        diags
    };
    let mut outcome = check_paths_hooked(paths, filter, sel, access, &hook);
    outcome
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut changes = changes.into_inner().unwrap_or_default();
    changes.retain(|c| c.fixed.text != c.original.text);
    changes.sort_by(|a, b| a.original.display.cmp(&b.original.display));
    FixRun { outcome, changes }
}

/// Apply the fixes of findings in the handler sources of the template `template` (HDL010's
/// timeout argument) in one pass: each source file inside `roots` (the paths given on the command
/// line) is fixed once, for the first template that reaches it; the findings fixed are removed
/// from `diags`. Fixes that conflict with one applied stay (a second `--fix` applies them).
fn fix_sources(
    template: &Arc<SourceFile>,
    diags: &mut Vec<Diagnostic>,
    allow: Applicability,
    roots: &[PathBuf],
    changes: &Mutex<Vec<Change>>,
    done: &Mutex<HashSet<PathBuf>>,
) {
    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    for d in diags.iter() {
        if d.fix_file().path != template.path
            && d.fix.as_ref().is_some_and(|f| f.applicability <= allow)
            && !files.iter().any(|f| f.path == d.fix_file().path)
        {
            files.push(Arc::clone(d.fix_file()));
        }
    }
    for src in files {
        if !inside(&src.path, roots) {
            continue;
        }
        let first = done.lock().is_ok_and(|mut s| s.insert(src.path.clone()));
        if !first {
            continue;
        }
        let idx: Vec<usize> = diags
            .iter()
            .enumerate()
            .filter(|(_, d)| d.fix_file().path == src.path)
            .filter(|(_, d)| d.fix.as_ref().is_some_and(|f| f.applicability <= allow))
            .map(|(i, _)| i)
            .collect();
        let fixes: Vec<&super::Fix> = idx
            .iter()
            .filter_map(|&i| diags.get(i).and_then(|d| d.fix.as_ref()))
            .collect();
        let (chosen, dups) = super::select(&fixes);
        let edits: Vec<&super::Edit> = chosen
            .iter()
            .filter_map(|&i| fixes.get(i))
            .flat_map(|f| f.edits.iter())
            .collect();
        let Some(text) = super::apply_edits(&src.text, &edits) else {
            continue;
        };
        if text == src.text {
            continue;
        }
        let fixed_idx: HashSet<usize> = chosen
            .iter()
            .chain(&dups)
            .filter_map(|&k| idx.get(k).copied())
            .collect();
        let change = Change {
            original: Arc::clone(&src),
            fixed: Arc::new(SourceFile::new(src.path.clone(), src.display.clone(), text)),
            applied: fixed_idx.len(),
            rejected: Vec::new(),
        };
        let mut i = 0;
        diags.retain(|_| {
            let keep = !fixed_idx.contains(&i);
            i += 1;
            keep
        });
        if let Ok(mut c) = changes.lock() {
            c.push(change);
        }
    }
}

/// Check a fixed text again: its findings, or `None` when it no longer loads as a template.
pub fn recheck(
    file: &Arc<SourceFile>,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    access: &Access,
    keep: &Keep<'_>,
) -> Option<Vec<Diagnostic>> {
    match check_source_full(file, rules, sel, access, &|_| None) {
        Ok(Some(c)) => {
            let mut d = c.diagnostics;
            keep(&mut d);
            Some(d)
        }
        _ => None,
    }
}

/// A unified diff of one change (`--diff`), headed by the file's path as displayed.
pub fn diff(c: &Change) -> String {
    let name = &c.original.display;
    similar::TextDiff::from_lines(&c.original.text, &c.fixed.text)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// Is `path` one of the files the paths given on the command line name, or inside one of the
/// directories they name (symlinks resolved)?
fn inside(path: &Path, roots: &[PathBuf]) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    roots.iter().filter_map(|r| r.canonicalize().ok()).any(|r| {
        if r.is_dir() {
            real.starts_with(&r)
        } else {
            real == r
        }
    })
}

/// Write a change to its file. Refused when the file is not inside `roots` (the paths given on
/// the command line), is a symlink or not a regular file, or changed on disk since it was read.
/// The new text is written to a temporary file beside it and renamed over it (permissions kept).
pub fn write(c: &Change, roots: &[PathBuf]) -> Result<(), String> {
    let path = &c.original.path;
    let shown = &c.original.display;
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{shown}: not fixed: {e}"))?;
    if !meta.file_type().is_file() {
        return Err(format!(
            "{shown}: not fixed: not a regular file (a symlink is not followed to write)"
        ));
    }
    if !inside(path, roots) {
        return Err(format!(
            "{shown}: not fixed: outside the paths given on the command line"
        ));
    }
    let now = crate::check::read_limited(path).map_err(|e| format!("{shown}: not fixed: {e}"))?;
    if now != c.original.text.as_bytes() {
        return Err(format!(
            "{shown}: not fixed: the file changed on disk since it was read"
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.lambdalint-fix-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(c.fixed.text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{shown}: not fixed: cannot write: {e}"));
    }
    Ok(())
}

/// "Fixed 3 findings (2 remaining)." / "Would fix ..." (`--diff`).
pub fn summary(would: bool, fixed: usize, remaining: usize) -> String {
    let s = if fixed == 1 { "" } else { "s" };
    let verb = if would { "Would fix" } else { "Fixed" };
    format!("{verb} {fixed} finding{s} ({remaining} remaining).")
}
