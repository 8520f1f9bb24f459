//! One run: candidates -> loaded templates -> models -> rule diagnostics, in parallel, sorted.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, InputError, Severity};
use crate::discover::{Candidate, Filter, discover};
use crate::fsx::Access;
use crate::load::{self, LoadError, MAX_FILE_BYTES};
use crate::model::{App, Template};
use crate::rule::{Context, Rule, meta};
use crate::source::{SourceFile, Span};

/// Which rules run and how severe their findings are.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Codes or prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Codes or prefixes not to run.
    pub ignore: Vec<String>,
    /// Per-code severity overrides.
    pub severity: Vec<(String, Severity)>,
    /// Per-code rule options (`[rules.CODE.options]`).
    pub options: Vec<(String, toml::Table)>,
}

fn matches(pattern: &str, code: &str) -> bool {
    let p = pattern.to_ascii_uppercase();
    p == "ALL"
        || code.starts_with(&p)
        || meta(code).is_some_and(|m| m.category == pattern || m.name == pattern)
}

impl RuleSelection {
    pub fn enabled(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, code)))
            && !self.ignore.iter().any(|s| matches(s, code))
    }

    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity
            .iter()
            .rev()
            .find(|(c, _)| matches(c, code))
            .map(|(_, s)| *s)
    }

    pub fn options_for(&self, code: &str) -> Option<&toml::Table> {
        self.options
            .iter()
            .rev()
            .find(|(c, _)| c == code)
            .map(|(_, t)| t)
    }
}

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
    /// Functions whose handler was analysed only in part, and why: (template, logical id,
    /// reasons).
    pub partial: Vec<(String, String, Vec<String>)>,
    /// Functions in the checked templates.
    pub functions: usize,
    /// Functions whose handler was analysed (completely or in part).
    pub analysed: usize,
    /// Handler source files lowered in this run (each once).
    pub handler_parses: usize,
}

/// Cheap test before parsing: does the text look like a CloudFormation template?
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
        || text.contains("AWS::Serverless")
}

enum FileResult {
    Skipped,
    Checked(Box<CheckedFile>),
    Failed(InputError),
}

/// What one template contributed to the outcome.
struct CheckedFile {
    diagnostics: Vec<Diagnostic>,
    notes: Vec<(String, String)>,
    partial: Vec<(String, Vec<String>)>,
    errors: Vec<InputError>,
    functions: usize,
    analysed: usize,
}

fn input_error(c: &Candidate, file: Option<Arc<SourceFile>>, e: LoadError) -> InputError {
    InputError {
        code: "E001",
        message: e.message,
        file: c.display.clone(),
        position: file.map(|f| (f, e.span)),
    }
}

fn read_limited(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
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
    if !c.explicit && !looks_like_template(&text) {
        return Ok(None);
    }
    Ok(Some(Arc::new(SourceFile::new(
        c.path.clone(),
        c.display.clone(),
        text,
    ))))
}

fn check_candidate(
    c: &Candidate,
    rules: &[Box<dyn Rule>],
    sel: &RuleSelection,
    access: &Access,
    modules: &Arc<crate::handler::ModuleCache>,
) -> FileResult {
    let file = match read_candidate(c) {
        Ok(Some(f)) => f,
        Ok(None) => return FileResult::Skipped,
        Err(e) => return FileResult::Failed(e),
    };
    match check_source_cached(&file, rules, sel, access, &|_| None, Arc::clone(modules)) {
        Ok(Some(checked)) => {
            let errors = handler_errors(&checked, &c.display);
            let h = checked.handlers;
            FileResult::Checked(Box::new(CheckedFile {
                functions: checked.app.functions.len(),
                analysed: h.functions.len(),
                partial: h
                    .partial()
                    .map(|(id, why)| (id.to_string(), why.to_vec()))
                    .collect(),
                notes: h.notes.into_iter().collect(),
                errors,
                diagnostics: checked.diagnostics,
            }))
        }
        Ok(None) => FileResult::Skipped,
        Err(e) => FileResult::Failed(input_error(c, Some(Arc::clone(&file)), e)),
    }
}

/// Handler files that exist but cannot be read: input errors (E000) at the function's
/// `Handler`/`CodeUri`/`Code` in the template, naming the function.
pub fn handler_errors(checked: &Checked, display: &str) -> Vec<InputError> {
    checked
        .handlers
        .errors
        .iter()
        .map(|e| InputError {
            code: "E000",
            message: format!("function `{}`: {}", e.function, e.message),
            file: display.to_string(),
            position: Some((Arc::clone(&checked.app.tpl.file), e.span)),
        })
        .collect()
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
    let loaded = load::load(&file.text, file.format())?;
    if !load::is_template(&loaded.doc) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for issue in &loaded.issues {
        if !sel.enabled(issue.code) {
            continue;
        }
        out.push(Diagnostic {
            code: issue.code,
            severity: sel.severity_of(issue.code).unwrap_or(Severity::Error),
            message: issue.message.clone(),
            help: issue.help.clone(),
            file: Arc::clone(file),
            span: issue.span,
            resource: None,
            path: Vec::new(),
        });
    }
    let app = App::new(Template::new(Arc::clone(file), loaded));
    let handlers = if app.functions.is_empty() {
        crate::handler::HandlerFacts::default()
    } else {
        let sources = crate::handler::resolve::Sources {
            scope: access.scope_for(&file.path),
            overlay,
            modules,
        };
        crate::handler::analyze_with(&app, &sources)
    };
    run_rules_with(&app, Some(&handlers), rules, sel, &mut out);
    crate::suppress::apply(&app.tpl, sel, &mut out);
    Ok(Some(Checked {
        app,
        handlers,
        diagnostics: out,
    }))
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
    for rule in rules {
        let code = rule.code();
        if !sel.enabled(code) {
            continue;
        }
        let default = meta(code).map_or(Severity::Warning, |m| m.default_severity());
        let start = out.len();
        let mut cx = Context {
            app,
            code,
            severity: default,
            out,
            options: sel.options_for(code),
            handlers,
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
    let (candidates, missing) = discover(paths, filter);
    let rules = crate::rules::all();
    let modules = Arc::new(crate::handler::ModuleCache::new());
    let results: Vec<FileResult> = candidates
        .par_iter()
        .map(|c| check_candidate(c, &rules, sel, access, &modules))
        .collect();
    let mut out = Outcome {
        files: candidates.len(),
        handler_parses: modules.parses(),
        ..Outcome::default()
    };
    for (file, why) in missing {
        out.errors.push(InputError {
            code: "E000",
            message: why,
            file,
            position: None,
        });
    }
    for (c, r) in candidates.iter().zip(results) {
        match r {
            FileResult::Skipped => {}
            FileResult::Checked(r) => {
                let r = *r;
                out.templates += 1;
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
    let (candidates, _) = discover(paths, filter);
    let access = Access::new(paths, &[], crate::fsx::DEFAULT_SOURCE_CAP);
    let modules = Arc::new(crate::handler::ModuleCache::new());
    candidates
        .par_iter()
        .filter_map(|c| {
            let file = read_candidate(c).ok().flatten()?;
            let loaded = load::load(&file.text, file.format()).ok()?;
            if !load::is_template(&loaded.doc) {
                return None;
            }
            let app = App::new(Template::new(file, loaded));
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
