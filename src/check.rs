//! One run: candidates -> loaded templates -> models -> rule diagnostics, in parallel, sorted.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, InputError, Severity};
use crate::discover::{Candidate, Filter, discover, discover_with};
use crate::fsx::Access;
use crate::load::{self, LoadError, MAX_FILE_BYTES};
use crate::model::{App, Template};
use crate::rule::{Context, Rule, RuleSelection, meta};
use crate::source::{SourceFile, Span};

/// The result of checking some files.
#[derive(Debug, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub errors: Vec<InputError>,
    /// Templates checked (loaded and modelled).
    pub templates: usize,
    /// Files looked at.
    pub files: usize,
    /// Display paths of the templates checked (sorted), for `--list-templates`.
    pub checked: Vec<String>,
    /// Functions whose handler source was not analysed, and why (`--verbose`): (template,
    /// logical id, reason).
    pub notes: Vec<(String, String, String)>,
    /// Files left out on purpose, and why (`--verbose`): (display path, reason).
    pub skipped: Vec<(String, String)>,
    /// Files named on the command line that were not checked, and why (always said).
    pub notices: Vec<(String, String)>,
    /// What the user should do to have more checked (always said): (display path, hint).
    pub hints: Vec<(String, String)>,
    /// Functions whose handler was analysed only in part, and why: (template, logical id,
    /// reasons).
    pub partial: Vec<(String, String, Vec<String>)>,
    /// Functions in the checked templates.
    pub functions: usize,
    /// Functions whose handler was analysed (completely or in part).
    pub analysed: usize,
    /// Handler source files lowered in this run (each once, whatever number of functions and
    /// templates point at it).
    pub handler_parses: usize,
}

/// Cheap test before parsing: does the text look like a CloudFormation template?
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && (text.contains("AWS::") || text.contains("Type")))
        || text.contains("AWS::Serverless")
}

enum FileResult {
    Skipped,
    /// Not checked, with the reason (said always when the file was named, else under
    /// `--verbose`).
    Unchecked {
        why: String,
        named: bool,
    },
    Checked(Box<CheckedFile>),
    Failed(InputError),
}

/// What one checked template contributes to the outcome.
struct CheckedFile {
    diagnostics: Vec<Diagnostic>,
    /// Functions whose handler was not analysed: (logical id, why).
    notes: Vec<(String, String)>,
    /// Functions whose handler was analysed in part: (logical id, reasons).
    partial: Vec<(String, Vec<String>)>,
    errors: Vec<InputError>,
    /// Remarks of the reader (`--verbose`).
    remarks: Vec<String>,
    functions: usize,
    analysed: usize,
    /// The shape of the template (to recognise packaged copies).
    shape: Shape,
}

/// What tells a packaged copy (`sam package` / `aws cloudformation package` output) from its
/// source: the same resources (logical ids and types), the same handler and runtime on every
/// function, every function's code in S3 (or a registry image) in the copy and in a local folder
/// in the source.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// `(logical id, type)` of every resource, sorted.
    pub ids: Vec<(String, String)>,
    /// `(logical id, handler, runtime)` of every function, sorted (what `package` keeps as is).
    pub functions: Vec<(String, String, String)>,
    /// Functions whose code is in S3 or a container registry (no local source).
    pub code_elsewhere: usize,
    /// Functions whose code is a local path (`CodeUri: src/`, `Code: ./build`).
    pub code_local: usize,
}

impl Shape {
    fn of(app: &App) -> Shape {
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        let mut ids: Vec<(String, String)> = tpl
            .resources
            .iter()
            .map(|(id, r)| (id.clone(), r.type_.clone()))
            .collect();
        ids.sort();
        let code = |f: &crate::model::Function| -> Option<bool> {
            if f.prop(tpl, "ImageUri").is_some() {
                return Some(false);
            }
            let p = f.prop(tpl, "CodeUri").or_else(|| f.prop(tpl, "Code"))?;
            match doc.value(p.node) {
                load::Value::Str(s) if s.starts_with("s3://") => Some(false),
                // A local path (not a URL of another scheme, which is neither).
                load::Value::Str(s) if !s.contains("://") && !s.is_empty() => Some(true),
                load::Value::Map(m)
                    if (m.get("Bucket").is_some() || m.get("S3Bucket").is_some())
                        && m.get("ZipFile").is_none() =>
                {
                    Some(false)
                }
                _ => None,
            }
        };
        let text = |f: &crate::model::Function, k: &str| -> String {
            f.prop(tpl, k)
                .and_then(|p| doc.scalar_text(p.node))
                .map(|s| s.to_string())
                .unwrap_or_default()
        };
        let mut functions: Vec<(String, String, String)> = app
            .functions
            .values()
            .map(|f| (f.id.clone(), text(f, "Handler"), text(f, "Runtime")))
            .collect();
        functions.sort();
        Shape {
            ids,
            functions,
            code_elsewhere: app
                .functions
                .values()
                .filter(|f| code(f) == Some(false))
                .count(),
            code_local: app
                .functions
                .values()
                .filter(|f| code(f) == Some(true))
                .count(),
        }
    }

    /// A template whose every function's code is in S3.
    fn packaged(&self) -> bool {
        !self.functions.is_empty() && self.code_elsewhere == self.functions.len()
    }

    /// Could `self` be the source `copy` was packaged from?
    fn source_of(&self, copy: &Shape) -> bool {
        self.code_local > 0 && self.ids == copy.ids && self.functions == copy.functions
    }
}

/// For each checked template found by walking that is a packaged copy of another one in the
/// same folder (same resources, handlers and runtimes; every function's code in S3 while the
/// source has local code), the display path of its source.
fn packaged_copies(candidates: &[Candidate], results: &[FileResult]) -> Vec<Option<String>> {
    let shapes: Vec<Option<&Shape>> = results
        .iter()
        .map(|r| match r {
            FileResult::Checked(f) => Some(&f.shape),
            _ => None,
        })
        .collect();
    // Candidates by (folder, resources).
    type Key<'a> = (&'a std::path::Path, &'a [(String, String)]);
    let mut by_dir: std::collections::HashMap<Key<'_>, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, (c, s)) in candidates.iter().zip(&shapes).enumerate() {
        if let Some(s) = s {
            let dir = c.path.parent().unwrap_or(std::path::Path::new(""));
            by_dir.entry((dir, s.ids.as_slice())).or_default().push(i);
        }
    }
    let mut out = vec![None; candidates.len()];
    for (i, (c, s)) in candidates.iter().zip(&shapes).enumerate() {
        let Some(s) = s else { continue };
        if c.explicit || !s.packaged() {
            continue;
        }
        let dir = c.path.parent().unwrap_or(std::path::Path::new(""));
        let source = by_dir.get(&(dir, s.ids.as_slice())).and_then(|same| {
            same.iter().copied().find(|&j| {
                j != i
                    && shapes
                        .get(j)
                        .copied()
                        .flatten()
                        .is_some_and(|o| o.source_of(s))
            })
        });
        if let (Some(j), Some(slot)) = (source, out.get_mut(i)) {
            *slot = candidates.get(j).map(|s| s.display.clone());
        }
    }
    out
}

fn input_error(c: &Candidate, file: Option<Arc<SourceFile>>, e: LoadError) -> InputError {
    InputError {
        code: "E001",
        message: e.message,
        file: c.display.clone(),
        position: file.map(|f| (f, e.span)),
    }
}

pub(crate) fn read_limited(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    // One allocation of the right size (read_to_end would grow and copy).
    let len = f.metadata().map_or(0, |m| m.len()).min(MAX_FILE_BYTES + 1);
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Read a discovered file as a template candidate: `Ok(None)` when it is skipped (not a template
/// and not named on the command line), an input error with its position when it cannot be read
/// or decoded. The one reader of `check`, `report` and `debug facts`.
pub fn read_candidate(c: &Candidate) -> Result<Option<Arc<SourceFile>>, InputError> {
    let bytes = read_limited(&c.path).map_err(|e| InputError {
        code: "E000",
        message: format!("cannot read file: {e}"),
        file: c.display.clone(),
        position: None,
    })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        if !c.explicit
            && !looks_like_template(&String::from_utf8_lossy(
                bytes.get(..65536).unwrap_or(&bytes),
            ))
        {
            return Ok(None);
        }
        return Err(InputError {
            code: "E001",
            message: format!("file is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024),
            file: c.display.clone(),
            position: None,
        });
    }
    let text = match load::decode(bytes) {
        Ok(t) => t,
        Err((e, bytes)) => return undecodable(c, &bytes, e),
    };
    if !c.explicit
        && !looks_like_template(&text)
        && !crate::frameworks::serverless::is_config_path(&c.path)
    {
        return Ok(None);
    }
    Ok(Some(Arc::new(SourceFile::new(
        c.path.clone(),
        c.display.clone(),
        text,
    ))))
}

/// A step run on the findings of each checked template before they are collected (`check --fix`
/// applies the fixes there): it gets the template and its findings, returns the findings to keep.
pub type FileHook<'a> = dyn Fn(&Arc<SourceFile>, Vec<Diagnostic>) -> Vec<Diagnostic> + Sync + 'a;

fn check_candidate(
    c: &Candidate,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    access: &Access,
    hook: &FileHook<'_>,
    modules: &Arc<crate::handler::ModuleCache>,
) -> FileResult {
    let file = match read_candidate(c) {
        Ok(Some(f)) => f,
        Ok(None) => return FileResult::Skipped,
        Err(e) => return FileResult::Failed(e),
    };
    match check_source_cached(&file, rules, sel, access, &|_| None, Arc::clone(modules)) {
        Ok(Some(checked)) => {
            let h = checked.handlers;
            FileResult::Checked(Box::new(CheckedFile {
                functions: checked.app.functions.len(),
                analysed: h.functions.len(),
                partial: h
                    .partial()
                    .map(|(id, why)| (id.to_string(), why.to_vec()))
                    .collect(),
                notes: h.notes.into_iter().collect(),
                errors: checked.errors,
                remarks: checked.app.tpl.origin.remarks.clone(),
                shape: Shape::of(&checked.app),
                diagnostics: hook(&file, checked.diagnostics),
            }))
        }
        Ok(None) => not_a_template(c, &file),
        // A cookiecutter / Jinja source found by walking: its placeholders are what does not
        // parse; it is not a template until rendered (said under --verbose).
        Err(_) if !c.explicit && crate::discover::has_jinja_syntax(&file.text) => {
            FileResult::Unchecked {
                why: crate::discover::JINJA_NOTE.to_string(),
                named: false,
            }
        }
        Err(e) => FileResult::Failed(input_error(c, Some(Arc::clone(&file)), e)),
    }
}

/// A file that loaded but is not a template: an input error when it was named on the command
/// line or when it holds a template the loader cannot reach (an empty first YAML document); said
/// under `--verbose` otherwise.
fn not_a_template(c: &Candidate, file: &Arc<SourceFile>) -> FileResult {
    let Ok(loaded) = load::load(&file.text, file.format()) else {
        return FileResult::Skipped;
    };
    let doc = &loaded.doc;
    let root = doc
        .root
        .filter(|r| !matches!(doc.value(*r), load::Value::Null));
    let error = |code: &'static str, message: String, span: Span| {
        FileResult::Failed(InputError {
            code,
            message,
            file: c.display.clone(),
            position: Some((Arc::clone(file), span)),
        })
    };
    if root.is_none()
        && let Some(extra) = loaded.issues.iter().find(|i| i.code == "E005")
    {
        return error(
            "E005",
            "the first YAML document is empty and the template is in a later one: CloudFormation reads only the first document".into(),
            extra.span,
        );
    }
    let why = match root {
        None => "the file is empty".to_string(),
        Some(r) if doc.as_map(r).is_none() || doc.intrinsic(r).is_some() => format!(
            "the top level is {}, not a mapping",
            match doc.value(r) {
                load::Value::Seq(_) => "a list",
                load::Value::Map(_) => "an intrinsic function",
                _ => "a scalar",
            }
        ),
        Some(_) => {
            "no `Resources`, `AWSTemplateFormatVersion` or `Transform` at the top level".to_string()
        }
    };
    // A file named on the command line that parses but is not a template is said so on every
    // run (a hook hands lambdalint every staged YAML/JSON file, so it is not an input error: the
    // file was read and parsed); found by walking, it is said under --verbose.
    FileResult::Unchecked {
        why: format!("not a CloudFormation or SAM template: {why}"),
        named: c.explicit,
    }
}

/// A file that is not UTF-8: binary files are skipped unless named on the command line; a text
/// file that looks like a template is reported at its first bad byte.
fn undecodable(
    c: &Candidate,
    bytes: &[u8],
    e: LoadError,
) -> Result<Option<Arc<SourceFile>>, InputError> {
    let head = bytes.get(..8192).unwrap_or(bytes);
    let binary = head.contains(&0);
    if binary {
        return if c.explicit {
            Err(InputError {
                code: "E001",
                message: "binary file: not a YAML or JSON template".into(),
                file: c.display.clone(),
                position: None,
            })
        } else {
            Ok(None)
        };
    }
    let lossy = String::from_utf8_lossy(bytes).into_owned();
    if !c.explicit && !looks_like_template(&lossy) {
        return Ok(None);
    }
    // The text before the bad byte is unchanged by the lossy decoding, so the offset still holds.
    let file = Arc::new(SourceFile::new(c.path.clone(), c.display.clone(), lossy));
    Err(input_error(c, Some(file), e))
}

/// Check one source text. `Ok(None)`: it parsed but is not a template.
pub fn check_source(
    file: &Arc<SourceFile>,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
) -> Result<Option<Vec<Diagnostic>>, LoadError> {
    Ok(check_source_full(file, rules, sel, &Access::default(), &|_| None)?.map(|c| c.diagnostics))
}

/// One checked template: its model, the facts of its handlers, and the findings.
pub struct Checked {
    pub app: App,
    pub handlers: crate::handler::HandlerFacts,
    pub diagnostics: Vec<Diagnostic>,
    /// Input problems found in a template that was still checked (E007 structure, E008 values):
    /// each makes the exit code 2.
    pub errors: Vec<InputError>,
}

/// Check one source text and keep the model and handler facts (the audit report, the language
/// server), reading handler sources through `overlay` first (the editor's unsaved buffers), then
/// from disk inside the template's project (`access`, see [`crate::fsx`]).
pub fn check_source_full(
    file: &Arc<SourceFile>,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    access: &Access,
    overlay: crate::handler::resolve::Overlay<'_>,
) -> Result<Option<Checked>, LoadError> {
    let modules = Arc::new(crate::handler::ModuleCache::new());
    check_source_cached(file, rules, sel, access, overlay, modules)
}

/// [`check_source_full`] sharing the run's module cache (each handler file lowered once per
/// run, whatever number of templates and functions point at it).
pub fn check_source_cached(
    file: &Arc<SourceFile>,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    access: &Access,
    overlay: crate::handler::resolve::Overlay<'_>,
    modules: Arc<crate::handler::ModuleCache>,
) -> Result<Option<Checked>, LoadError> {
    let Some((loaded, origin)) = load_template(file, access)? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for issue in &loaded.issues {
        if !sel.enabled(issue.code) {
            continue;
        }
        out.push(Diagnostic {
            help: issue.help.clone(),
            ..Diagnostic::new(
                issue.code,
                sel.severity_of(issue.code).unwrap_or(Severity::Error),
                issue.message.clone(),
                Arc::clone(file),
                issue.span,
            )
        });
    }
    let scope = access.scope_for(&file.path);
    let app =
        App::new(Template::lowered(Arc::clone(file), loaded, origin)).with_scope(scope.clone());
    let mut errors: Vec<InputError> = crate::model::validate::validate(&app.tpl)
        .into_iter()
        .filter(|p| sel.enabled(p.code))
        .map(|p| {
            let (f, span, message) =
                crate::model::dialect::relocate_problem(&app.tpl, p.span, p.message);
            InputError {
                code: p.code,
                message,
                file: f.display.clone(),
                position: Some((f, span)),
            }
        })
        .collect();
    let handlers = if app.functions.is_empty() {
        crate::handler::HandlerFacts::default()
    } else {
        let sources = crate::handler::resolve::Sources {
            scope,
            overlay,
            modules,
        };
        let mut h = crate::handler::analyze_with(&app, &sources);
        // CDK helper functions are not the user's: no notes about their handlers either.
        h.notes
            .retain(|id, _| !app.tpl.origin.helpers.iter().any(|x| x == id));
        h
    };
    // Handler files that exist but cannot be read: input errors at the function's
    // `Handler`/`CodeUri`/`Code` in the template.
    if sel.enabled("E000") {
        errors.extend(handler_errors(&app, &handlers));
    }
    run_rules_with(&app, Some(&handlers), rules, sel, &mut out);
    crate::suppress::apply(&app.tpl, sel, &mut out);
    crate::model::dialect::relocate(&app.tpl, &mut out);
    crate::group::group(&mut out);
    Ok(Some(Checked {
        app,
        handlers,
        diagnostics: out,
        errors,
    }))
}

/// Handler files that exist but cannot be read: input errors (E000) in the template, naming the
/// function.
pub fn handler_errors(app: &App, handlers: &crate::handler::HandlerFacts) -> Vec<InputError> {
    handlers
        .errors
        .iter()
        .map(|e| InputError {
            code: "E000",
            message: format!("function `{}`: {}", e.function, e.message),
            file: app.tpl.file.display.clone(),
            position: Some((Arc::clone(&app.tpl.file), e.span)),
        })
        .collect()
}

/// Load a source text in whatever form it is (CloudFormation / SAM, `serverless.yml`, a template
/// of a CDK cloud assembly) into the CloudFormation-shaped tree and where it came from. `Ok(None)`:
/// it parsed but is none of these. Files a configuration points at are read inside `access`.
pub fn load_template(
    file: &Arc<SourceFile>,
    access: &Access,
) -> Result<Option<(load::Loaded, crate::model::dialect::Origin)>, LoadError> {
    if crate::frameworks::serverless::is_config_path(&file.path) {
        let scope = access.scope_for(&file.path);
        if let Some(x) = crate::frameworks::serverless::load(file, &scope)? {
            return Ok(Some(x));
        }
    }
    let mut loaded = load::load(&file.text, file.format())?;
    if !load::is_template(&loaded.doc) {
        return Ok(None);
    }
    let origin = crate::frameworks::cdk::origin(file, &mut loaded, access);
    Ok(Some((loaded, origin)))
}

/// Run the enabled rules over one application.
pub fn run_rules(
    app: &App,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    out: &mut Vec<Diagnostic>,
) {
    run_rules_with(app, None, rules, sel, out);
}

/// Run the enabled rules with the handler facts (see `crate::handler::analyze`).
pub fn run_rules_with(
    app: &App,
    handlers: Option<&crate::handler::HandlerFacts>,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    out: &mut Vec<Diagnostic>,
) {
    let fix_style = std::sync::OnceLock::new();
    for rule in rules {
        let code = rule.code();
        if !sel.enabled(code) {
            continue;
        }
        let default = meta(code).map_or(Severity::Warning, |m| m.default_severity());
        let start = out.len();
        let mut cx = Context {
            fix_style: &fix_style,
            app,
            code,
            severity: default,
            out,
            options: sel.options_for(code),
            handlers,
            selection: sel,
        };
        rule.check(&mut cx);
        if let Some(s) = sel.severity_of(code) {
            for d in out.iter_mut().skip(start) {
                d.severity = s;
            }
        }
    }
}

/// Check paths (files and directories), with reads confined to the projects of `paths` and the
/// default limits.
pub fn check_paths(paths: &[PathBuf], filter: &Filter, sel: &RuleSelection) -> Outcome {
    let access = Access::new(paths, &[], crate::fsx::DEFAULT_SOURCE_CAP);
    check_paths_with(paths, filter, sel, &access)
}

/// [`check_paths`] with explicit read access (extra roots, size cap from the configuration).
pub fn check_paths_with(
    paths: &[PathBuf],
    filter: &Filter,
    sel: &RuleSelection,
    access: &Access,
) -> Outcome {
    check_paths_hooked(paths, filter, sel, access, &|_, d| d)
}

/// [`check_paths_with`], running `hook` on the findings of each template (see [`FileHook`]).
pub fn check_paths_hooked(
    paths: &[PathBuf],
    filter: &Filter,
    sel: &RuleSelection,
    access: &Access,
    hook: &FileHook<'_>,
) -> Outcome {
    let found = discover_with(paths, filter, access);
    let candidates = found.candidates;
    let rules = crate::rules::all();
    let modules = Arc::new(crate::handler::ModuleCache::new());
    let results: Vec<FileResult> = candidates
        .par_iter()
        .map(|c| check_candidate(c, &rules, sel, access, hook, &modules))
        .collect();
    let mut out = Outcome {
        files: candidates.len(),
        handler_parses: modules.parses(),
        skipped: found.skipped,
        hints: found.hints,
        ..Outcome::default()
    };
    for (file, why) in found.errors {
        out.errors.push(InputError {
            code: "E000",
            message: why,
            file,
            position: None,
        });
    }
    let copies = packaged_copies(&candidates, &results);
    for ((c, r), copy) in candidates.iter().zip(results).zip(copies) {
        if let Some(source) = copy {
            out.skipped.push((
                c.display.clone(),
                format!("packaged copy of `{source}` (its code is in S3): its findings are those of the source; name it to check it anyway"),
            ));
            continue;
        }
        match r {
            FileResult::Skipped => {}
            FileResult::Unchecked { why, named: true } => {
                out.notices.push((c.display.clone(), why))
            }
            FileResult::Unchecked { why, named: false } => {
                out.skipped.push((c.display.clone(), why))
            }
            FileResult::Checked(r) => {
                let r = *r;
                out.templates += 1;
                out.skipped
                    .extend(r.remarks.into_iter().map(|x| (c.display.clone(), x)));
                out.checked.push(c.display.clone());
                out.diagnostics.extend(r.diagnostics);
                out.errors.extend(r.errors);
                out.functions += r.functions;
                out.analysed += r.analysed;
                out.notes.extend(
                    r.notes
                        .into_iter()
                        .map(|(id, why)| (c.display.clone(), id, why)),
                );
                out.partial.extend(
                    r.partial
                        .into_iter()
                        .map(|(id, why)| (c.display.clone(), id, why)),
                );
            }
            FileResult::Failed(e) => out.errors.push(e),
        }
    }
    out.diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.errors.sort_by(|a, b| {
        (a.file.as_str(), a.position.as_ref().map(|p| p.1))
            .cmp(&(b.file.as_str(), b.position.as_ref().map(|p| p.1)))
    });
    out
}

/// The handler facts of one template, for `lambdalint debug facts`.
#[derive(Debug)]
pub struct TemplateFacts {
    /// The template, as displayed.
    pub template: String,
    /// Functions in the template (SAM and CloudFormation).
    pub functions: usize,
    pub facts: crate::handler::HandlerFacts,
}

/// Discover, load and model the templates under `paths` and analyse their handlers, without
/// running the rules (files that are not templates or do not load are left out).
pub fn handler_facts(paths: &[PathBuf], filter: &Filter) -> Vec<TemplateFacts> {
    let candidates = discover(paths, filter).candidates;
    let access = Access::new(paths, &[], crate::fsx::DEFAULT_SOURCE_CAP);
    let modules = Arc::new(crate::handler::ModuleCache::new());
    candidates
        .par_iter()
        .filter_map(|c| {
            let file = read_candidate(c).ok().flatten()?;
            let (loaded, origin) = load_template(&file, &access).ok().flatten()?;
            let app = App::new(Template::lowered(file, loaded, origin));
            Some(TemplateFacts {
                template: c.display.clone(),
                functions: app.functions.len(),
                facts: crate::handler::analyze_with(
                    &app,
                    &crate::handler::resolve::Sources::shared(
                        access.scope_for(&c.path),
                        Arc::clone(&modules),
                    ),
                ),
            })
        })
        .collect()
}

/// Convenience for tests and the LSP: check a text as if it were the file `display`.
pub fn check_text(display: &str, text: &str) -> Result<Vec<Diagnostic>, LoadError> {
    let file = Arc::new(SourceFile::new(
        PathBuf::from(display),
        display.to_string(),
        text.to_string(),
    ));
    let rules = crate::rules::all();
    Ok(check_source(&file, &rules, &RuleSelection::default())?.unwrap_or_default())
}

/// A zero-width span, for errors without a better position.
pub fn nowhere() -> Span {
    Span::default()
}
