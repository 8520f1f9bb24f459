//! The module graph's raw material: every handler source file is read (through
//! [`Sources`](super::resolve::Sources), so inside the project and capped) and lowered once per
//! run, whatever number of functions and templates point at it; and the resolution of an import
//! to a file (Python modules and packages, JavaScript relative paths, `index.*` folders, layers).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::ir::Module;
use super::resolve::{InlineMap, Lang, Sources};
use crate::fsx::ReadError;
use crate::source::{SourceFile, Span};

/// A source file read and lowered.
#[derive(Debug)]
pub struct Parsed {
    /// The file diagnostics point into (the template, for inline code).
    pub file: Arc<SourceFile>,
    pub lang: Lang,
    pub module: Module,
    /// Inline code: how code offsets map into `file`.
    pub inline: Option<InlineMap>,
    /// The folder the file is in (relative imports), as read and as displayed.
    pub dir: PathBuf,
    pub display_dir: String,
    /// A Python package's `__init__.py` (its folder holds submodules).
    pub package: bool,
}

impl Parsed {
    /// Lower a source text.
    pub fn new(
        file: Arc<SourceFile>,
        code: &str,
        lang: Lang,
        inline: Option<InlineMap>,
        dir: PathBuf,
        display_dir: String,
    ) -> Parsed {
        let package = file.path.file_name().is_some_and(|n| n == "__init__.py");
        Parsed {
            module: super::lower::lower(lang, code),
            file,
            lang,
            inline,
            dir,
            display_dir,
            package,
        }
    }

    /// The code text (inline code, or the whole file).
    pub fn code(&self) -> &str {
        match &self.inline {
            Some(m) => &m.code,
            None => &self.file.text,
        }
    }

    /// A code range as a span of `file`, whole (`None` for inline code: its text in the file
    /// is not the code's).
    pub fn extent(&self, r: super::ir::Range) -> Option<Span> {
        self.inline
            .is_none()
            .then(|| Span::new(r.start as usize, r.end as usize))
    }

    /// A code range as a span of `file`, cut to its first line.
    pub fn span(&self, r: super::ir::Range) -> Span {
        let (s, e) = (r.start as usize, r.end as usize);
        let (fs, fe) = match &self.inline {
            Some(m) => (m.map(s), m.map(e)),
            None => (s, e),
        };
        let lines = &self.file.lines;
        let line = lines.line_of(u32::try_from(fs).unwrap_or(u32::MAX));
        let next = if line + 1 < lines.line_count() {
            lines.line_start(line + 1) as usize
        } else {
            self.file.text.len()
        };
        // Report one line at most (without its line break).
        let line_end = self
            .file
            .text
            .get(..next)
            .map_or(next, |t| t.trim_end_matches(['\n', '\r']).len())
            .max(fs);
        Span::new(fs, fe.min(line_end).max(fs))
    }
}

type Slot = Arc<OnceLock<Result<Arc<Parsed>, ReadError>>>;

/// Every module read in one run, by path and display name: each file is read and lowered once,
/// also when templates are checked in parallel (a second thread asking for a file being parsed
/// waits for it).
#[derive(Debug, Default)]
pub struct ModuleCache {
    slots: Mutex<HashMap<(PathBuf, String), Slot>>,
    parses: AtomicUsize,
}

impl ModuleCache {
    pub fn new() -> ModuleCache {
        ModuleCache::default()
    }

    /// How many files were lowered (each file once per run).
    pub fn parses(&self) -> usize {
        self.parses.load(Ordering::Relaxed)
    }

    /// Read and lower the file at `path` (allowed by `sources`), once per run.
    pub fn load(
        &self,
        sources: &Sources<'_>,
        path: &Path,
        display: &str,
        display_dir: &str,
        lang: Lang,
    ) -> Result<Arc<Parsed>, ReadError> {
        // Admission is decided per template (its scope), before the shared cache is consulted.
        sources.admit(path)?;
        let key = (
            crate::source::normalize_path(
                &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            ),
            display.to_string(),
        );
        let slot: Slot = match self.slots.lock() {
            Ok(mut m) => Arc::clone(m.entry(key).or_default()),
            // A poisoned lock (a panic elsewhere): read without the cache.
            Err(_) => Arc::new(OnceLock::new()),
        };
        slot.get_or_init(|| {
            let text = sources.read(path)?;
            self.parses.fetch_add(1, Ordering::Relaxed);
            let file = Arc::new(SourceFile::new(
                path.to_path_buf(),
                display.to_string(),
                text.clone(),
            ));
            Ok(Arc::new(Parsed::new(
                file,
                &text,
                lang,
                None,
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
                display_dir.to_string(),
            )))
        })
        .clone()
    }
}

/// The language of a source file by extension.
pub fn lang_of(path: &Path) -> Option<Lang> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py") => Some(Lang::Python),
        Some("js" | "mjs" | "cjs" | "jsx") => Some(Lang::JavaScript),
        Some("ts" | "mts" | "cts") => Some(Lang::TypeScript),
        Some("tsx") => Some(Lang::Tsx),
        _ => None,
    }
}

/// `base` (a display path) joined with `rel`, normalised (`a/./b/../c` -> `a/c`).
pub fn display_join(base: &str, rel: &Path) -> String {
    let joined = Path::new(base).join(rel);
    let s = crate::source::normalize_path(&joined)
        .to_string_lossy()
        .replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Where the local code of one function is: its code root (`CodeUri`), its layers' local
/// folders, and the template's folder (to tell a module left outside the code from a
/// third-party package).
#[derive(Debug, Clone, Default)]
pub struct Roots {
    /// (path, display) of the code root.
    pub code: Option<(PathBuf, String)>,
    /// (path, display) of each local layer folder.
    pub layers: Vec<(PathBuf, String)>,
    /// The template's folder.
    pub near: Option<PathBuf>,
}

/// One resolved import.
#[derive(Debug, Clone)]
pub enum Found {
    /// A local file: (path, display, language).
    File(PathBuf, String, Lang),
    /// A Python namespace package (a folder without `__init__.py`): (path, display).
    Folder(PathBuf, String),
    /// Not local: a third-party or standard library module.
    External,
    /// Local, but cannot be followed: why.
    Unresolved(String),
}

const JS_EXTS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx"];

/// Resolve a JavaScript / TypeScript specifier imported by a file in `dir` (displayed as
/// `display_dir`).
pub fn resolve_js(
    sources: &Sources<'_>,
    roots: &Roots,
    spec: &str,
    dir: &Path,
    display_dir: &str,
) -> Found {
    let try_file = |base: &Path, display: &str, rel: &str| -> Option<Found> {
        let p = base.join(rel);
        let d = display_join(display, Path::new(rel));
        let lang = lang_of(&p);
        if lang.is_some() && sources.exists(&p) {
            return lang.map(|l| Found::File(p, d, l));
        }
        // `./x.js` written for `./x.ts` (TypeScript), or no extension.
        let stem = match p.extension().and_then(|e| e.to_str()) {
            Some(e) if JS_EXTS.contains(&e) => rel.strip_suffix(&format!(".{e}")).unwrap_or(rel),
            _ => rel,
        };
        for ext in JS_EXTS {
            let r = format!("{stem}.{ext}");
            let p = base.join(&r);
            if sources.exists(&p) {
                return lang_of(&p)
                    .map(|l| Found::File(p, display_join(display, Path::new(&r)), l));
            }
        }
        for ext in JS_EXTS {
            let r = format!("{stem}/index.{ext}");
            let p = base.join(&r);
            if sources.exists(&p) {
                return lang_of(&p)
                    .map(|l| Found::File(p, display_join(display, Path::new(&r)), l));
            }
        }
        None
    };
    if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
        return try_file(dir, display_dir, spec).unwrap_or_else(|| {
            Found::Unresolved(format!(
                "local module `{spec}` not found next to `{display_dir}`"
            ))
        });
    }
    // Layers: `/opt/nodejs/x` and packages under `nodejs/node_modules`.
    if let Some(rest) = spec.strip_prefix("/opt/") {
        for (l, ld) in &roots.layers {
            if let Some(f) = try_file(l, ld, rest) {
                return f;
            }
        }
        return Found::Unresolved(format!("layer module `{spec}` not found in a local layer"));
    }
    if spec.starts_with('/') {
        return Found::Unresolved(format!("absolute import `{spec}` is not followed"));
    }
    for (l, ld) in &roots.layers {
        for base in ["nodejs/node_modules", "nodejs"] {
            if let Some(f) = try_file(&l.join(base), &format!("{ld}/{base}"), spec) {
                return f;
            }
        }
    }
    // A `baseUrl`-style import of a folder of the code root (`lib/db`, `@/lib/db`).
    let first = spec.split('/').next().unwrap_or("");
    if let Some((c, cd)) = &roots.code {
        let rel = spec
            .strip_prefix("@/")
            .or(spec.strip_prefix("~/"))
            .unwrap_or(spec);
        if (rel != spec || (!first.starts_with('@') && sources.is_dir(&c.join(first))))
            && let Some(f) = try_file(c, cd, rel)
        {
            return f;
        }
    }
    if spec.starts_with("@/") || spec.starts_with("~/") || spec.starts_with('#') {
        return Found::Unresolved(format!("import alias `{spec}` is not resolved"));
    }
    Found::External
}

/// Resolve a Python import `spec` with `level` leading dots, imported by a file in `dir`.
pub fn resolve_py(
    sources: &Sources<'_>,
    roots: &Roots,
    spec: &str,
    level: u32,
    dir: &Path,
    display_dir: &str,
) -> Found {
    let rel = spec.replace('.', "/");
    let try_at = |base: &Path, display: &str| -> Option<Found> {
        if rel.is_empty() {
            let init = base.join("__init__.py");
            if sources.exists(&init) {
                return Some(Found::File(
                    init,
                    display_join(display, Path::new("__init__.py")),
                    Lang::Python,
                ));
            }
            return sources
                .is_dir(base)
                .then(|| Found::Folder(base.to_path_buf(), display.to_string()));
        }
        let file = base.join(format!("{rel}.py"));
        if sources.exists(&file) {
            return Some(Found::File(
                file,
                display_join(display, Path::new(&format!("{rel}.py"))),
                Lang::Python,
            ));
        }
        let init = base.join(&rel).join("__init__.py");
        if sources.exists(&init) {
            return Some(Found::File(
                init,
                display_join(display, Path::new(&format!("{rel}/__init__.py"))),
                Lang::Python,
            ));
        }
        let folder = base.join(&rel);
        sources
            .is_dir(&folder)
            .then(|| Found::Folder(folder, display_join(display, Path::new(&rel))))
    };
    if level > 0 {
        let mut base = dir.to_path_buf();
        let mut display = display_dir.to_string();
        for _ in 1..level {
            base.pop();
            display = display_join(&display, Path::new(".."));
        }
        return try_at(&base, &display).unwrap_or_else(|| {
            Found::Unresolved(format!(
                "relative import `{}{spec}` not found from `{display_dir}`",
                ".".repeat(level as usize)
            ))
        });
    }
    if let Some((c, cd)) = &roots.code
        && let Some(f) = try_at(c, cd)
    {
        return f;
    }
    for (l, ld) in &roots.layers {
        if let Some(f) = try_at(&l.join("python"), &format!("{ld}/python")) {
            return f;
        }
    }
    // A module next to the importing file (scripts run from their folder; the handler's folder
    // is the code root in most projects).
    if roots.code.as_ref().is_none_or(|(c, _)| c != dir)
        && let Some(f) = try_at(dir, display_dir)
    {
        return f;
    }
    // Present in the project but outside the function's code: it will not be deployed with it.
    let top = spec.split('.').next().unwrap_or("");
    if let Some(near) = &roots.near
        && !top.is_empty()
        && (sources.exists(&near.join(format!("{top}.py")))
            || sources.exists(&near.join(top).join("__init__.py")))
    {
        return Found::Unresolved(format!(
            "module `{spec}` is in the project but outside the function's code (`CodeUri`)"
        ));
    }
    Found::External
}
