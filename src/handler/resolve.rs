//! Find a function's handler source: `CodeUri` + `Handler` (Globals-aware), `InlineCode` /
//! `Code.ZipFile` (positions map back into the template), esbuild `EntryPoints`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fsx::{ReadError, Scope};
use crate::model::{App, Function, Known};
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
}

/// A function's source, ready to parse.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The file diagnostics point into (the handler file, or the template for inline code).
    pub file: Arc<SourceFile>,
    pub lang: Lang,
    pub handler_name: String,
    pub code_dir: Option<PathBuf>,
    /// Inline code: the code text and, per code line, the byte offset of its start in `file`.
    pub inline: Option<(String, Vec<usize>)>,
}

impl Resolved {
    pub fn code(&self) -> &str {
        match &self.inline {
            Some((code, _)) => code,
            None => &self.file.text,
        }
    }

    /// Byte offset in the code -> byte offset in `file`.
    pub fn map(&self, offset: usize) -> usize {
        let Some((code, starts)) = &self.inline else {
            return offset;
        };
        let before = code.get(..offset).unwrap_or(code);
        let line = before.matches('\n').count();
        let col = before
            .rfind('\n')
            .map_or(before.len(), |p| before.len() - p - 1);
        starts.get(line).map_or(0, |s| s + col)
    }
}

fn lang_of_runtime(rt: &str) -> Option<Lang> {
    if rt.starts_with("python") {
        Some(Lang::Python)
    } else if rt.starts_with("nodejs") {
        Some(Lang::JavaScript)
    } else {
        None
    }
}

/// Reads a handler source: the editor's unsaved buffer when there is one (the language server's
/// overlay), otherwise `None` and the file is read from disk.
pub type Overlay<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// How the analysis reads source files: the editor's unsaved buffers first (language server),
/// then the disk, always inside the template's [`Scope`] and bounded by its cap.
pub struct Sources<'a> {
    pub scope: Scope,
    pub overlay: Overlay<'a>,
}

impl<'a> Sources<'a> {
    /// Sources of a template on disk, with no editor buffers.
    pub fn disk(scope: Scope) -> Sources<'static> {
        Sources {
            scope,
            overlay: &|_| None,
        }
    }

    /// Is `path` lexically inside the scope? (Editor buffers may not exist on disk yet.)
    fn lexically_inside(&self, path: &Path) -> bool {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let abs = crate::source::normalize_path(&abs);
        self.scope.roots().iter().any(|r| abs.starts_with(r))
    }

    /// Read a source file: an open buffer, or the file on disk (inside the scope, regular,
    /// capped). `Err(NotFound)` when there is neither.
    pub fn read(&self, path: &Path) -> Result<String, ReadError> {
        let norm = crate::source::normalize_path(path);
        if let Some(t) = (self.overlay)(&norm)
            && self.lexically_inside(&norm)
        {
            if t.len() as u64 > self.scope.cap {
                return Err(ReadError::TooLarge {
                    path: norm.to_string_lossy().into_owned(),
                    size: t.len() as u64,
                    cap: self.scope.cap,
                });
            }
            return Ok(t);
        }
        self.scope.read_text(path)
    }

    /// Does a source file exist at `path` (open buffer, or a regular file inside the scope)?
    pub fn exists(&self, path: &Path) -> bool {
        let norm = crate::source::normalize_path(path);
        ((self.overlay)(&norm).is_some() && self.lexically_inside(&norm))
            || self.scope.is_file(path)
    }

    /// Is `path` a directory inside the scope?
    pub fn is_dir(&self, path: &Path) -> bool {
        self.scope.is_dir(path)
    }
}

/// Resolve a function's source, or say why there is none (reads confined to the template's
/// project, see [`crate::fsx`]).
pub fn resolve(app: &App, f: &Function) -> Result<Resolved, String> {
    let scope = crate::fsx::Access::default().scope_for(&app.tpl.file.path);
    resolve_with(app, f, &Sources::disk(scope))
}

/// Where a function's source is: inline in the template, or one of candidate files.
enum Location {
    Inline(Resolved),
    Files {
        handler: String,
        name: String,
        code_dir: PathBuf,
        display_base: PathBuf,
        /// Relative to `code_dir`, in order of preference.
        candidates: Vec<PathBuf>,
    },
}

/// Find where a function's source is, or say why there is none (no file is read).
fn locate(app: &App, f: &Function) -> Result<Location, String> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let str_prop = |name: &str| -> Option<String> {
        f.prop(tpl, name).and_then(|p| tpl.string(p.node).known())
    };
    if str_prop("PackageType").as_deref() == Some("Image") {
        return Err("container image: no source to analyse".into());
    }
    let runtime = str_prop("Runtime");
    let rt_lang = runtime.as_deref().and_then(lang_of_runtime);
    if runtime.is_some() && rt_lang.is_none() {
        return Err(format!(
            "runtime `{}` is not analysed",
            runtime.unwrap_or_default()
        ));
    }
    let handler = str_prop("Handler").ok_or("no literal `Handler`")?;
    let (module, name) = handler
        .rsplit_once('.')
        .ok_or_else(|| format!("handler `{handler}` has no `module.function` form"))?;
    // Inline code.
    let inline_node = f
        .prop(tpl, "InlineCode")
        .map(|p| p.node)
        .or_else(|| f.prop(tpl, "Code").and_then(|p| doc.get(p.node, "ZipFile")));
    if let Some(node) = inline_node {
        let Some(code) = doc.as_str(node) else {
            return Err("inline code is not a literal string".into());
        };
        let starts = inline_line_starts(&tpl.file.text, doc.span(node).range(), code);
        return Ok(Location::Inline(Resolved {
            file: Arc::clone(&tpl.file),
            lang: rt_lang.unwrap_or(Lang::Python),
            handler_name: name.to_string(),
            code_dir: None,
            inline: Some((code.to_string(), starts)),
        }));
    }
    let base = tpl
        .file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let code_uri = match f.prop(tpl, "CodeUri").or_else(|| f.prop(tpl, "Code")) {
        None => String::new(),
        Some(p) => match tpl.string(p.node) {
            Known::Yes(s) => s,
            Known::Unknown(why) => return Err(format!("code location unknown: {why}")),
        },
    };
    if code_uri.starts_with("s3://") || code_uri.contains("://") {
        return Err("code in S3: no source to analyse".into());
    }
    let code_dir = base.join(&code_uri);
    let display_base = Path::new(&tpl.file.display)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join(&code_uri);
    // esbuild entry points.
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(r) = f.resource(tpl)
        && let Some(eps) = doc.get_path(r.node, &["Metadata", "BuildProperties", "EntryPoints"])
    {
        for ep in doc.one_or_many(eps) {
            if let Some(s) = doc.as_str(ep) {
                let stem = Path::new(module)
                    .file_name()
                    .map(|s| s.to_string_lossy().to_string());
                let ep_stem = Path::new(s)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string());
                if stem == ep_stem {
                    candidates.push(PathBuf::from(s));
                }
            }
        }
    }
    let py = format!("{}.py", module.replace('.', "/"));
    let langs: Vec<Lang> = match rt_lang {
        Some(l) => vec![l],
        None => vec![Lang::Python, Lang::JavaScript],
    };
    for l in &langs {
        match l {
            Lang::Python => candidates.push(PathBuf::from(&py)),
            _ => {
                for ext in ["js", "mjs", "cjs", "ts"] {
                    candidates.push(PathBuf::from(format!("{module}.{ext}")));
                }
            }
        }
    }
    Ok(Location::Files {
        handler: handler.clone(),
        name: name.to_string(),
        code_dir,
        display_base,
        candidates,
    })
}

/// The files a function's source may be in (normalised paths, in order of preference; empty for
/// inline code or no source). The language server uses them to know which templates deploy a
/// handler file, also before that file exists on disk.
pub fn candidate_paths(app: &App, f: &Function) -> Vec<PathBuf> {
    match locate(app, f) {
        Ok(Location::Files {
            code_dir,
            candidates,
            ..
        }) => candidates
            .iter()
            .map(|c| crate::source::normalize_path(&code_dir.join(c)))
            .collect(),
        _ => Vec::new(),
    }
}

/// [`resolve`], reading through `sources` (open editor buffers first, then the disk).
pub fn resolve_with(app: &App, f: &Function, sources: &Sources<'_>) -> Result<Resolved, String> {
    let (handler, name, code_dir, display_base, candidates) = match locate(app, f)? {
        Location::Inline(r) => return Ok(r),
        Location::Files {
            handler,
            name,
            code_dir,
            display_base,
            candidates,
        } => (handler, name, code_dir, display_base, candidates),
    };
    for c in candidates {
        let path = code_dir.join(&c);
        let text = match sources.read(&path) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.to_string()),
        };
        let lang = match path.extension().and_then(|e| e.to_str()) {
            Some("py") => Lang::Python,
            Some("ts") | Some("mts") | Some("cts") => Lang::TypeScript,
            _ => Lang::JavaScript,
        };
        let display = display_base.join(&c).to_string_lossy().replace('\\', "/");
        let display = display.strip_prefix("./").unwrap_or(&display).to_string();
        let code_dir = path.parent().map(Path::to_path_buf);
        return Ok(Resolved {
            file: Arc::new(SourceFile::new(path, display, text)),
            lang,
            handler_name: name,
            code_dir,
            inline: None,
        });
    }
    Err(format!(
        "handler `{handler}` not found under `{}`",
        code_dir.display()
    ))
}

/// For a block scalar at `range` of `text` with value `code`, the file offset of each code line.
fn inline_line_starts(text: &str, range: std::ops::Range<usize>, code: &str) -> Vec<usize> {
    let raw = text.get(range.clone()).unwrap_or("");
    let start = range.start;
    let n = code.lines().count().max(1);
    let block = raw.starts_with('|') || raw.starts_with('>');
    if !block && (raw.starts_with('"') || raw.starts_with('\'') || n == 1) {
        // Quoted or plain: map every line to the scalar start (+1 past a quote).
        let q = usize::from(raw.starts_with('"') || raw.starts_with('\''));
        return vec![start + q; n];
    }
    let mut out = Vec::with_capacity(n);
    let mut pos = if block {
        start + raw.find('\n').map_or(raw.len(), |p| p + 1)
    } else {
        // The span starts at the content: go back to the start of its line.
        text.get(..start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |p| p + 1)
    };
    let mut indent = None;
    for line in text.get(pos..).unwrap_or("").split_inclusive('\n') {
        if out.len() >= n {
            break;
        }
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let ind = trimmed.len() - trimmed.trim_start_matches(' ').len();
        if indent.is_none() && !trimmed.trim().is_empty() {
            indent = Some(ind);
        }
        let i = indent.unwrap_or(ind).min(trimmed.len());
        out.push(pos + i);
        pos += line.len();
    }
    while out.len() < n {
        out.push(pos);
    }
    out
}
