//! Find a function's handler source: `CodeUri` + `Handler` (Globals-aware), `InlineCode` /
//! `Code.ZipFile` (positions map back into the template, whatever the YAML scalar style), esbuild
//! `EntryPoints`; or say why there is none, in words that tell the user what to do.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::modules::{ModuleCache, Parsed, Roots, display_join, lang_of};
use crate::fsx::{ReadError, Scope};
use crate::model::{App, Function, Known};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
}

impl Lang {
    pub fn is_python(self) -> bool {
        self == Lang::Python
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

/// Inline code: the code text and how its byte offsets map into the template.
#[derive(Debug, Clone)]
pub struct InlineMap {
    pub code: String,
    /// (code offset, file offset) at the start of each run of bytes copied one to one, sorted.
    segs: Vec<(usize, usize)>,
}

impl InlineMap {
    /// Byte offset in the code -> byte offset in the template.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.segs.partition_point(|(c, _)| *c <= offset);
        match i.checked_sub(1).and_then(|i| self.segs.get(i)) {
            Some((c, f)) => f + (offset - c),
            None => self.segs.first().map_or(0, |s| s.1),
        }
    }
}

/// Reads a handler source: the editor's unsaved buffer when there is one (the language server's
/// overlay), otherwise `None` and the file is read from disk.
pub type Overlay<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// How the analysis reads source files: the editor's unsaved buffers first (language server),
/// then the disk, always inside the template's [`Scope`] and bounded by its cap; and the run's
/// module cache (each file lowered once per run).
pub struct Sources<'a> {
    pub scope: Scope,
    pub overlay: Overlay<'a>,
    pub modules: Arc<ModuleCache>,
}

impl<'a> Sources<'a> {
    /// Sources of a template on disk, with no editor buffers and a cache of its own.
    pub fn disk(scope: Scope) -> Sources<'static> {
        Sources {
            scope,
            overlay: &|_| None,
            modules: Arc::new(ModuleCache::new()),
        }
    }

    /// Sources on disk sharing the run's module cache.
    pub fn shared(scope: Scope, modules: Arc<ModuleCache>) -> Sources<'static> {
        Sources {
            scope,
            overlay: &|_| None,
            modules,
        }
    }

    /// Is `path` lexically inside the scope? (Editor buffers may not exist on disk yet.)
    fn lexically_inside(&self, path: &Path) -> bool {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let abs = crate::source::normalize_path(&abs);
        self.scope.roots().iter().any(|r| abs.starts_with(r))
    }

    /// May `path` be read (an open buffer inside the scope, or a regular file inside the scope
    /// within the cap)? Nothing is read.
    pub fn admit(&self, path: &Path) -> Result<(), ReadError> {
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
            return Ok(());
        }
        self.scope.check(path).map(|_| ())
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

/// Why a function's handler was not analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnalysed {
    pub reason: String,
    /// An input problem (a handler file that exists but cannot be read): reported as an error.
    pub error: bool,
    /// Where in the template (the `Handler`, `CodeUri` or `Code` property).
    pub at: Span,
}

impl NotAnalysed {
    fn note(reason: impl Into<String>, at: Span) -> NotAnalysed {
        NotAnalysed {
            reason: reason.into(),
            error: false,
            at,
        }
    }
}

/// A function's entry: the module its handler is in, the handler's name, and where the rest of
/// its code is.
#[derive(Debug, Clone)]
pub struct Entry {
    pub parsed: Arc<Parsed>,
    pub handler_name: String,
    pub roots: Roots,
}

/// Where a function's source is: inline in the template, or one of candidate files.
enum Location {
    Inline {
        map: InlineMap,
        lang: Lang,
        name: String,
    },
    Files {
        handler: String,
        name: String,
        code_uri: String,
        code_dir: PathBuf,
        display_base: String,
        /// Relative to `code_dir`, in order of preference.
        candidates: Vec<PathBuf>,
        at: Span,
        rt_lang: Option<Lang>,
    },
}

/// The span of a function property (its key), for notes and errors.
fn prop_at(app: &App, f: &Function, names: &[&str]) -> Span {
    for n in names {
        if let Some(p) = f.prop(&app.tpl, n) {
            return p.key_span;
        }
    }
    f.resource(&app.tpl)
        .map(|r| app.tpl.doc.span(r.node))
        .map(|s| Span::new(s.start as usize, s.start as usize))
        .unwrap_or_default()
}

/// Find where a function's source is, or say why there is none (no file is read).
fn locate(app: &App, f: &Function) -> Result<Location, NotAnalysed> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let str_prop = |name: &str| -> Option<String> {
        f.prop(tpl, name).and_then(|p| tpl.string(p.node).known())
    };
    let code_at = prop_at(app, f, &["CodeUri", "Code", "InlineCode", "Handler"]);
    let image = str_prop("PackageType").as_deref() == Some("Image")
        || f.prop(tpl, "Code")
            .is_some_and(|p| doc.get(p.node, "ImageUri").is_some());
    if image {
        return Err(NotAnalysed::note(
            "container image: no source to analyse",
            code_at,
        ));
    }
    let runtime = str_prop("Runtime");
    let rt_lang = runtime.as_deref().and_then(lang_of_runtime);
    if let (Some(rt), None) = (&runtime, rt_lang) {
        return Err(NotAnalysed::note(
            format!("runtime `{rt}` is not analysed (only Python and Node.js handlers are)"),
            prop_at(app, f, &["Runtime"]),
        ));
    }
    let handler_at = prop_at(app, f, &["Handler"]);
    let handler = match f.prop(tpl, "Handler").map(|p| tpl.string(p.node)) {
        None => return Err(NotAnalysed::note("no `Handler`", handler_at)),
        Some(Known::Unknown(why)) => {
            return Err(NotAnalysed::note(
                format!("`Handler` is computed ({why}): not analysed"),
                handler_at,
            ));
        }
        Some(Known::Yes(h)) => h,
    };
    let Some((module, name)) = handler.rsplit_once('.') else {
        return Err(NotAnalysed::note(
            format!("`Handler: {handler}` has no `module.function` form"),
            handler_at,
        ));
    };
    // Inline code.
    let inline_prop = f
        .prop(tpl, "InlineCode")
        .map(|p| p.node)
        .or_else(|| f.prop(tpl, "Code").and_then(|p| doc.get(p.node, "ZipFile")));
    if let Some(node) = inline_prop {
        let Some(code) = doc.as_str(node) else {
            return Err(NotAnalysed::note(
                "inline code is built with an intrinsic function (`Fn::Join`, `Fn::Sub`, ...): not analysed",
                code_at,
            ));
        };
        let json = matches!(tpl.file.format(), crate::source::Format::Json);
        let map = inline_map(&tpl.file.text, doc.span(node).range(), code, json);
        return Ok(Location::Inline {
            map,
            lang: rt_lang.unwrap_or(Lang::Python),
            name: name.to_string(),
        });
    }
    let code_prop = f
        .prop(tpl, "CodeUri")
        .map(|p| ("CodeUri", p))
        .or_else(|| f.prop(tpl, "Code").map(|p| ("Code", p)));
    let code_uri = match code_prop {
        None => String::new(),
        Some((key, p)) => {
            // A lowered source form says why its code cannot be read (a CDK bundle without
            // a source map, a Serverless `package.artifact`).
            if let Some(why) = doc
                .as_map(p.node)
                .and_then(|m| m.get(crate::model::dialect::UNRESOLVED))
                .and_then(|n| doc.as_str(n))
            {
                return Err(NotAnalysed::note(why.to_string(), p.key_span));
            }
            if let Some(m) = doc.as_map(p.node) {
                let s3 = m.get("Bucket").is_some()
                    || m.get("Key").is_some()
                    || m.get("S3Bucket").is_some()
                    || m.get("S3Key").is_some();
                return Err(NotAnalysed::note(
                    if s3 {
                        format!(
                            "code in S3 (`{key}` names a bucket and key): point `{key}` at the source folder to have it analysed"
                        )
                    } else {
                        format!(
                            "`{key}` is not a path: point it at the source folder to have the handler analysed"
                        )
                    },
                    p.key_span,
                ));
            }
            match tpl.string(p.node) {
                Known::Yes(s) => s,
                Known::Unknown(why) => {
                    return Err(NotAnalysed::note(
                        format!(
                            "code location is computed ({why}): point `{key}` at the source folder to have it analysed"
                        ),
                        p.key_span,
                    ));
                }
            }
        }
    };
    let uri_at = code_prop.map_or(handler_at, |(_, p)| p.key_span);
    let key = code_prop.map_or("CodeUri", |(k, _)| k);
    if code_uri.contains("://") {
        return Err(NotAnalysed::note(
            format!(
                "code in S3 (`{code_uri}`): point `{key}` at the source folder to have it analysed"
            ),
            uri_at,
        ));
    }
    let base = tpl
        .file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let code_dir = base.join(&code_uri);
    let tpl_display_dir = Path::new(&tpl.file.display)
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let display_base = display_join(&tpl_display_dir, Path::new(&code_uri));
    let lower = code_uri.to_ascii_lowercase();
    if [".zip", ".jar", ".tar.gz", ".tgz"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Err(NotAnalysed::note(
            if code_dir.exists() {
                format!(
                    "`{key}` is a build artefact (`{code_uri}`): point it at the source folder to have the handler analysed"
                )
            } else {
                format!(
                    "`{key}` points at the build artefact `{code_uri}`, which does not exist: point it at the source folder to have the handler analysed"
                )
            },
            uri_at,
        ));
    }
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
    let langs: Vec<Lang> = match rt_lang {
        Some(l) => vec![l],
        None => vec![Lang::Python, Lang::JavaScript],
    };
    for l in &langs {
        match l {
            Lang::Python => {
                candidates.push(PathBuf::from(format!("{}.py", module.replace('.', "/"))))
            }
            _ => {
                for ext in ["js", "mjs", "cjs", "ts", "mts", "cts", "tsx"] {
                    candidates.push(PathBuf::from(format!("{module}.{ext}")));
                }
            }
        }
    }
    Ok(Location::Files {
        handler: handler.clone(),
        name: name.to_string(),
        code_uri,
        code_dir,
        display_base,
        candidates,
        at: uri_at,
        rt_lang,
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

/// Local layer folders of a function (`Layers` naming layer resources of the template with a
/// local `ContentUri` / `Content`).
fn layer_roots(app: &App, f: &Function) -> Vec<(PathBuf, String)> {
    let tpl = &app.tpl;
    let Some(layers) = f.prop(tpl, "Layers") else {
        return Vec::new();
    };
    let base = tpl
        .file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let tpl_display_dir = Path::new(&tpl.file.display)
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let mut out = Vec::new();
    for l in tpl.doc.one_or_many(layers.node) {
        let Some(id) = tpl.ref_resource(l) else {
            continue;
        };
        let Some(r) = tpl.resource(id) else { continue };
        let content = tpl
            .prop(r, "ContentUri")
            .or_else(|| tpl.prop(r, "Content"))
            .and_then(|n| tpl.string(n).known());
        if let Some(c) = content
            && !c.contains("://")
        {
            out.push((base.join(&c), display_join(&tpl_display_dir, Path::new(&c))));
        }
    }
    out
}

/// Resolve a function's entry module (read through `sources`, lowered once per run), or say why
/// there is none.
pub fn entry(app: &App, f: &Function, sources: &Sources<'_>) -> Result<Entry, NotAnalysed> {
    let tpl_dir = app.tpl.file.path.parent().map(Path::to_path_buf);
    match locate(app, f)? {
        Location::Inline { map, lang, name } => {
            let code = map.code.clone();
            let dir = tpl_dir.clone().unwrap_or_default();
            let display_dir = Path::new(&app.tpl.file.display)
                .parent()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let parsed = Parsed::new(
                Arc::clone(&app.tpl.file),
                &code,
                lang,
                Some(map),
                dir,
                display_dir,
            );
            Ok(Entry {
                parsed: Arc::new(parsed),
                handler_name: name,
                roots: Roots {
                    code: None,
                    layers: layer_roots(app, f),
                    near: tpl_dir,
                },
            })
        }
        Location::Files {
            handler,
            name,
            code_uri,
            code_dir,
            display_base,
            candidates,
            at,
            rt_lang,
        } => {
            for c in &candidates {
                let path = code_dir.join(c);
                // An esbuild entry point may have any name: read as the runtime's language.
                let lang = lang_of(&path).unwrap_or(rt_lang.unwrap_or(Lang::JavaScript));
                let display = display_join(&display_base, c);
                let display_dir = Path::new(&display)
                    .parent()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                match sources
                    .modules
                    .load(sources, &path, &display, &display_dir, lang)
                {
                    Ok(parsed) => {
                        return Ok(Entry {
                            parsed,
                            handler_name: name,
                            roots: Roots {
                                code: Some((code_dir.clone(), display_base.clone())),
                                layers: layer_roots(app, f),
                                near: tpl_dir,
                            },
                        });
                    }
                    Err(e) if e.is_not_found() => continue,
                    Err(e @ ReadError::Io { .. }) => {
                        return Err(NotAnalysed {
                            reason: format!("handler file {e}"),
                            error: true,
                            at,
                        });
                    }
                    Err(e) => {
                        return Err(NotAnalysed::note(
                            format!("handler file not analysed: {e}"),
                            at,
                        ));
                    }
                }
            }
            let uri = if code_uri.is_empty() {
                ".".to_string()
            } else {
                code_uri
            };
            let looked = candidates
                .first()
                .map(|c| display_join(&display_base, c))
                .unwrap_or_default();
            let reason = if !sources.is_dir(&code_dir) && !sources.exists(&code_dir) {
                format!("`CodeUri` folder `{uri}` does not exist (handler `{handler}`)")
            } else if candidates.len() > 1 {
                format!(
                    "handler file not found: looked for `{looked}` and {} other name(s) (`Handler: {handler}`, `CodeUri: {uri}`)",
                    candidates.len() - 1
                )
            } else {
                format!(
                    "handler file not found: looked for `{looked}` (`Handler: {handler}`, `CodeUri: {uri}`)"
                )
            };
            Err(NotAnalysed::note(reason, at))
        }
    }
}

/// The source text and display of a template file as a [`SourceFile`] (tests).
pub fn source_file(path: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(
        PathBuf::from(path),
        path.to_string(),
        text.to_string(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Inline code positions, for every YAML scalar style (and JSON strings).

/// Map the inline code `value` of the scalar at `range` of the template `text` back into the
/// template. The scalar is decoded again here, keeping where each run of characters comes from;
/// when that decoding does not give `value` back (an unusual form), lines are mapped one by one.
pub fn inline_map(text: &str, range: std::ops::Range<usize>, value: &str, json: bool) -> InlineMap {
    let raw = text.get(range.clone()).unwrap_or("");
    let start = range.start;
    let header = if json {
        None
    } else {
        block_header(text, start)
    };
    let decoded = if let Some(h) = header {
        block_scalar(text, h, text.get(h..).unwrap_or(""))
    } else if raw.starts_with('"') {
        flow_scalar(raw, start, Quote::Double, json)
    } else if raw.starts_with('\'') {
        flow_scalar(raw, start, Quote::Single, false)
    } else {
        flow_scalar(raw, start, Quote::Plain, false)
    };
    match decoded {
        Some((code, segs)) if code == value => InlineMap { code, segs },
        _ => InlineMap {
            code: value.to_string(),
            segs: by_lines(text, range, value),
        },
    }
}

/// The offset of the `|` / `>` header of the block scalar whose content starts at `start` (the
/// loader's span of a block scalar starts at its content).
fn block_header(text: &str, start: usize) -> Option<usize> {
    let before = text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    if !before.get(line_start..)?.chars().all(|c| c == ' ') {
        return None;
    }
    // Back over blank lines to the header line.
    let mut end = line_start.checked_sub(1)?;
    loop {
        let ls = text.get(..end)?.rfind('\n').map_or(0, |p| p + 1);
        let line = text.get(ls..end)?.trim_end_matches('\r');
        if line.trim().is_empty() {
            end = ls.checked_sub(1)?;
            continue;
        }
        let code = match line.find(" #") {
            Some(i) => line.get(..i)?,
            None => line,
        }
        .trim_end();
        let ind = code.rfind(['|', '>'])?;
        let tail = code.get(ind + 1..)?;
        if !tail.chars().all(|c| matches!(c, '-' | '+' | '1'..='9')) {
            return None;
        }
        let prev = code.get(..ind)?.chars().next_back();
        if !matches!(prev, Some(' ' | ':' | '-' | '\t') | None) {
            return None;
        }
        return Some(ls + ind);
    }
}

/// A block scalar (`|` literal or `>` folded, with optional indentation and chomping
/// indicators) starting at `start` (its header).
fn block_scalar(text: &str, start: usize, raw: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let header_end = raw.find('\n')?;
    let header = raw.get(..header_end)?;
    let header = header.split(" #").next().unwrap_or(header).trim_end();
    let folded = header.starts_with('>');
    let mut indicator: Option<usize> = None;
    let mut chomp = '\0';
    for c in header.chars().skip(1) {
        match c {
            '-' | '+' => chomp = c,
            '1'..='9' => indicator = c.to_digit(10).map(|d| d as usize),
            ' ' | '\t' => {}
            _ => return None,
        }
    }
    // The indentation of the line holding the header (the parent node's).
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |p| p + 1);
    let parent_indent = text
        .get(line_start..start)
        .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    // Content lines.
    let mut pos = start + header_end + 1;
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut indent = indicator.map(|d| parent_indent + d);
    let mut rest = text.get(pos..).unwrap_or("");
    while !rest.is_empty() {
        let (line, next) = match rest.find('\n') {
            Some(i) => (rest.get(..i)?, i + 1),
            None => (rest, rest.len()),
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if !line.trim().is_empty() {
            match indent {
                None => {
                    if spaces <= parent_indent {
                        break;
                    }
                    indent = Some(spaces);
                }
                Some(i) if spaces < i => break,
                _ => {}
            }
        }
        lines.push((pos, line));
        pos += next;
        rest = text.get(pos..).unwrap_or("");
    }
    let indent = indent.unwrap_or(0);
    // Trailing blank lines belong to chomping.
    let mut last = lines.len();
    while last > 0
        && lines
            .get(last - 1)
            .is_some_and(|(_, l)| l.trim().is_empty())
    {
        last -= 1;
    }
    let trailing = lines.len() - last;
    let mut out = String::new();
    let mut segs = Vec::new();
    let mut prev_more: Option<bool> = None;
    let mut pending_blank = 0usize;
    for (off, line) in lines.iter().take(last) {
        if line.len() <= indent && line.trim().is_empty() {
            if folded {
                pending_blank += 1;
            } else {
                out.push('\n');
            }
            continue;
        }
        let c = line.get(indent..).unwrap_or("");
        let more = c.starts_with(' ') || c.starts_with('\t');
        if folded {
            match prev_more {
                None => out.push_str(&"\n".repeat(pending_blank)),
                Some(false) if !more && pending_blank == 0 => out.push(' '),
                Some(false) if !more => out.push_str(&"\n".repeat(pending_blank)),
                Some(_) => out.push_str(&"\n".repeat(pending_blank + 1)),
            }
            pending_blank = 0;
            prev_more = Some(more);
        }
        segs.push((out.len(), off + indent.min(line.len())));
        out.push_str(c);
        if !folded {
            out.push('\n');
        }
    }
    if folded && prev_more.is_some() {
        out.push('\n');
    }
    match chomp {
        '-' => {
            while out.ends_with('\n') {
                out.pop();
            }
        }
        '+' => out.push_str(&"\n".repeat(trailing)),
        _ => {}
    }
    if segs.is_empty() {
        segs.push((0, pos));
    }
    Some((out, segs))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Plain,
    Single,
    Double,
}

/// A flow scalar (plain, 'single' or "double" quoted; JSON strings are double quoted) with line
/// folding and escapes.
fn flow_scalar(
    raw: &str,
    start: usize,
    q: Quote,
    json: bool,
) -> Option<(String, Vec<(usize, usize)>)> {
    let (body, body_start) = match q {
        Quote::Plain => (raw, start),
        _ => (raw.get(1..raw.len().checked_sub(1)?)?, start + 1),
    };
    let mut out = String::new();
    let mut segs = vec![(0usize, body_start)];
    let bytes = body.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let c = body.get(i..)?.chars().next()?;
        match c {
            '\\' if q == Quote::Double => {
                let e = body.get(i + 1..)?.chars().next()?;
                let (s, len) = match e {
                    'n' => ("\n".to_string(), 2),
                    't' => ("\t".to_string(), 2),
                    'r' => ("\r".to_string(), 2),
                    '0' => ("\0".to_string(), 2),
                    '"' => ("\"".to_string(), 2),
                    '\\' => ("\\".to_string(), 2),
                    '/' => ("/".to_string(), 2),
                    'b' => ("\u{8}".to_string(), 2),
                    'f' => ("\u{c}".to_string(), 2),
                    ' ' if !json => (" ".to_string(), 2),
                    'e' if !json => ("\u{1b}".to_string(), 2),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex = body.get(i + 2..i + 2 + n)?;
                        let v = u32::from_str_radix(hex, 16).ok()?;
                        (
                            char::from_u32(v).map(String::from).unwrap_or_default(),
                            2 + n,
                        )
                    }
                    '\n' | '\r' if !json => {
                        // Escaped line break: nothing, and the next line's indentation goes.
                        let mut j = i + 1;
                        while matches!(bytes.get(j), Some(b'\n' | b'\r')) {
                            j += 1;
                        }
                        while matches!(bytes.get(j), Some(b' ' | b'\t')) {
                            j += 1;
                        }
                        i = j;
                        segs.push((out.len(), body_start + i));
                        continue;
                    }
                    _ => return None,
                };
                out.push_str(&s);
                i += len;
                segs.push((out.len(), body_start + i));
            }
            '\'' if q == Quote::Single && bytes.get(i + 1) == Some(&b'\'') => {
                out.push('\'');
                i += 2;
                segs.push((out.len(), body_start + i));
            }
            '\n' | '\r' if !json => {
                // Line folding: trailing white space goes; one break is a space, each empty line
                // a newline; the next line's leading white space goes.
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                let mut j = i;
                let mut breaks = 0;
                loop {
                    match bytes.get(j) {
                        Some(b'\r') => j += 1,
                        Some(b'\n') => {
                            breaks += 1;
                            j += 1;
                        }
                        Some(b' ' | b'\t') => j += 1,
                        _ => break,
                    }
                }
                if breaks <= 1 {
                    out.push(' ');
                } else {
                    out.push_str(&"\n".repeat(breaks - 1));
                }
                i = j;
                segs.push((out.len(), body_start + i));
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if q == Quote::Plain {
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
    Some((out, segs))
}

/// Fallback: map each code line to the start of a template line (block scalars), or every
/// line to the scalar start.
fn by_lines(text: &str, range: std::ops::Range<usize>, code: &str) -> Vec<(usize, usize)> {
    let raw = text.get(range.clone()).unwrap_or("");
    let start = range.start;
    if block_header(text, start).is_none() {
        let q = usize::from(raw.starts_with('"') || raw.starts_with('\''));
        return vec![(0, start + q)];
    }
    let mut out = Vec::new();
    let mut pos = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |p| p + 1);
    let mut indent = None;
    let mut code_off = 0usize;
    let mut code_lines = code.split_inclusive('\n');
    for line in text.get(pos..).unwrap_or("").split_inclusive('\n') {
        let Some(cl) = code_lines.next() else { break };
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let ind = trimmed.len() - trimmed.trim_start_matches(' ').len();
        if indent.is_none() && !trimmed.trim().is_empty() {
            indent = Some(ind);
        }
        let i = indent.unwrap_or(ind).min(trimmed.len());
        out.push((code_off, pos + i));
        code_off += cl.len();
        pos += line.len();
    }
    if out.is_empty() {
        out.push((0, start));
    }
    out
}
