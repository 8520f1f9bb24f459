//! Handler source analysis.
//!
//! - [`resolve`]: find each function's entry module (`CodeUri` + `Handler`, inline code, esbuild
//!   entry points) or say why there is none;
//! - [`lower`]: per-language front ends (Python, JavaScript, TypeScript) that only lower a
//!   tree-sitter tree into the language-neutral [`ir::Module`];
//! - [`modules`]: each source file read and lowered once per run ([`modules::ModuleCache`]),
//!   imports resolved to local files;
//! - [`program`]: one analysis for every language: module graph, call graph from the entry
//!   point, reachability and lifecycle, values, and the facts attributed to the function;
//! - [`sdk`]: what calls do (AWS SDK, HTTP, database drivers);
//! - [`dataflow`]: values derived from the event, and the forwarding shape (LMB030);
//! - [`facts`], [`actions`]: the facts the rules read, SDK operation -> IAM actions.

pub mod actions;
pub mod dataflow;
pub mod facts;
pub mod hygiene;
pub mod ir;
pub mod lower;
pub mod modules;
pub mod program;
pub mod resolve;
pub mod sdk;
pub mod wiring;

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

pub use facts::FunctionFacts;
pub use modules::ModuleCache;

use crate::model::{App, Function};
use crate::source::Span;

/// The facts of every function whose source was found, by logical id, plus notes on the others.
#[derive(Debug, Default)]
pub struct HandlerFacts {
    pub functions: IndexMap<String, FunctionFacts>,
    /// Functions without analysable source: logical id -> why (for `--verbose` and the report).
    pub notes: IndexMap<String, String>,
    /// Handler files that exist but cannot be read (input errors, positioned in the template).
    pub errors: Vec<HandlerError>,
    /// Every handler source file read for the template (the language server re-checks the
    /// template when one changes).
    pub files: Vec<PathBuf>,
}

/// A handler file that could not be read: an input problem of the template.
#[derive(Debug, Clone)]
pub struct HandlerError {
    /// The function's logical id.
    pub function: String,
    /// Where in the template (its `Handler`, `CodeUri` or `Code`).
    pub span: Span,
    pub message: String,
}

impl HandlerFacts {
    pub fn get(&self, function: &str) -> Option<&FunctionFacts> {
        self.functions.get(function)
    }

    /// Functions analysed only in part: (logical id, reasons).
    pub fn partial(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.functions
            .iter()
            .filter(|(_, f)| !f.complete)
            .map(|(id, f)| (id.as_str(), f.incomplete.as_slice()))
    }
}

/// Resolve, parse and extract the facts of every function of `app` (reads confined to the
/// template's project with the default limits, see [`crate::fsx`]).
pub fn analyze(app: &App) -> HandlerFacts {
    let scope = crate::fsx::Access::default().scope_for(&app.tpl.file.path);
    analyze_with(app, &resolve::Sources::disk(scope))
}

/// [`analyze`], reading through `sources` (open editor buffers first, then the disk; each file
/// lowered once per run through `sources.modules`).
pub fn analyze_with(app: &App, sources: &resolve::Sources<'_>) -> HandlerFacts {
    let mut out = HandlerFacts::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for f in app.functions.values() {
        match analyze_function(app, f, sources) {
            Ok((facts, errors)) => {
                for e in errors {
                    out.errors.push(HandlerError {
                        function: f.id.clone(),
                        span: f
                            .prop(&app.tpl, "Handler")
                            .map(|p| p.key_span)
                            .unwrap_or_default(),
                        message: e,
                    });
                }
                for file in &facts.files {
                    if !Arc::ptr_eq(file, &app.tpl.file) {
                        files.push(file.path.clone());
                    }
                }
                out.functions.insert(f.id.clone(), facts);
            }
            Err(na) => {
                if na.error {
                    out.errors.push(HandlerError {
                        function: f.id.clone(),
                        span: na.at,
                        message: na.reason.clone(),
                    });
                }
                out.notes.insert(f.id.clone(), na.reason);
            }
        }
    }
    files.sort();
    files.dedup();
    out.files = files;
    out
}

/// Analyse one function: its facts, and local modules that could not be read.
pub fn analyze_function(
    app: &App,
    f: &Function,
    sources: &resolve::Sources<'_>,
) -> Result<(FunctionFacts, Vec<String>), resolve::NotAnalysed> {
    let entry = resolve::entry(app, f, sources)?;
    Ok(analyze_entry(&f.id, &entry, sources))
}

/// The facts of the function `id` whose entry is `entry`.
pub fn analyze_entry(
    id: &str,
    entry: &resolve::Entry,
    sources: &resolve::Sources<'_>,
) -> (FunctionFacts, Vec<String>) {
    let (facts, errors, _) = analyze_entry_budget(id, entry, sources, program::MAX_STEPS);
    (facts, errors)
}

/// [`analyze_entry`] with a work budget (values computed, see [`program::MAX_STEPS`]); also
/// gives the work spent.
pub fn analyze_entry_budget(
    id: &str,
    entry: &resolve::Entry,
    sources: &resolve::Sources<'_>,
    max_steps: usize,
) -> (FunctionFacts, Vec<String>, usize) {
    let p = Arc::clone(&entry.parsed);
    let mut a = program::Analysis::new(sources, entry);
    a.max_steps = max_steps;
    let (entries, at) = a.entries(&entry.handler_name);
    let handler_found = !entries.is_empty();
    let handler_span = match entries.first() {
        Some((0, fid)) => p
            .module
            .func(*fid)
            .map(|x| p.span(x.name_range))
            .unwrap_or_default(),
        Some((m, fid)) => a
            .parsed(*m)
            .and_then(|q| q.module.func(*fid).map(|x| q.span(x.name_range)))
            .unwrap_or_default(),
        None => at
            .map(|r| p.span(r))
            .unwrap_or_else(|| p.span(ir::Range::default())),
    };
    let handler_span = match (entries.first(), at) {
        // A wrapper (`handler = middy(main)`): the export names the handler.
        (Some((m, _)), Some(r)) if *m != 0 || handler_span == Span::default() => p.span(r),
        _ => handler_span,
    };
    let mut facts = FunctionFacts {
        function: id.to_string(),
        file: Arc::clone(&p.file),
        handler_name: entry.handler_name.clone(),
        handler_span,
        handler_found,
        clients: Vec::new(),
        calls: Vec::new(),
        http: Vec::new(),
        db: Vec::new(),
        params: Vec::new(),
        forward: None,
        hygiene: hygiene::Hygiene::default(),
        implicit: Vec::new(),
        parse_error: None,
        complete: true,
        incomplete: Vec::new(),
        files: vec![Arc::clone(&p.file)],
        wiring: facts::WiringFacts::default(),
    };
    if !handler_found {
        a.note(format!(
            "handler function `{}` not found in `{}`",
            entry.handler_name, p.file.display
        ));
    }
    a.reach(&entries);
    a.collect(&mut facts, &entries);
    wiring::collect(&mut a, &entries, &mut facts.wiring);
    hygiene::collect(&mut a, &mut facts.hygiene);
    if handler_found && a.incomplete.is_empty() {
        facts.forward = dataflow::forward(&mut a, &entries, &facts);
    }
    facts.implicit = a.implicit.clone();
    facts.incomplete = a.incomplete.clone();
    facts.complete = facts.incomplete.is_empty();
    (facts, a.errors.clone(), a.steps())
}

/// The source directory of a function, for tools that want it.
pub fn code_dir(app: &App, f: &Function) -> Option<PathBuf> {
    resolve::candidate_paths(app, f)
        .first()
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
}

/// The facts of one source text analysed alone (no local modules), for tests and benchmarks:
/// `handler` is the handler function's name.
pub fn analyze_text(lang: resolve::Lang, code: &str, handler: &str) -> FunctionFacts {
    analyze_text_budget(lang, code, handler, program::MAX_STEPS).0
}

/// [`analyze_text`] with a work budget; also gives the work spent (deterministic: tests
/// compare it across input sizes to prove the analysis linear).
pub fn analyze_text_budget(
    lang: resolve::Lang,
    code: &str,
    handler: &str,
    max_steps: usize,
) -> (FunctionFacts, usize) {
    let file = Arc::new(crate::source::SourceFile::new(
        PathBuf::from("handler"),
        "handler".into(),
        code.to_string(),
    ));
    let parsed = modules::Parsed::new(file, code, lang, None, PathBuf::new(), String::new());
    let entry = resolve::Entry {
        parsed: Arc::new(parsed),
        handler_name: handler.to_string(),
        roots: modules::Roots::default(),
    };
    let sources = resolve::Sources::disk(crate::fsx::Scope::with_roots(&[], 0));
    let (facts, _, steps) = analyze_entry_budget("F", &entry, &sources, max_steps);
    (facts, steps)
}

#[cfg(test)]
mod tests;
