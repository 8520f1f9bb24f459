//! The audit report (`lambdalint report`): what a reviewer reads and looks at.
//!
//! Data flows in one direction: [`collect`] checks the templates with the same engine as
//! `lambdalint check` and gathers, per application, the findings (with source excerpts), the
//! per-function facts and the resource graph into plain structs ([`Report`]); `html` and `markdown`
//! render those structs; `graph` picks the nodes and edges and writes DOT; `svg` turns a graph into
//! an SVG picture with Graphviz `dot` when it is installed, else with the built-in `layout`.

pub mod facts;
pub mod graph;
pub mod html;
pub mod layout;
pub mod markdown;
pub mod svg;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::check_source_full;
use crate::diagnostic::{Diagnostic, InputError, Severity};
use crate::discover::{Filter, discover};
use crate::model::App;
use crate::rule::{RuleSelection, catalogue, meta};
use crate::source::SourceFile;

pub use facts::FunctionFacts;
pub use graph::GraphData;

/// Concerns a reviewer thinks in, from the rule catalogue's `category` (display order).
const CONCERNS: &[(&str, &str)] = &[
    ("failure-handling", "Failure handling"),
    ("timeouts", "Timeouts"),
    ("networking", "Networking"),
    ("transport", "Transport"),
    ("database", "Database concurrency"),
    ("iam", "IAM"),
    ("handler", "Handler code"),
    ("input", "Input"),
];

/// The display name of a rule category (unknown categories are shown capitalised as written).
pub fn concern_label(category: &str) -> String {
    CONCERNS
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| {
            let mut s = category.replace('-', " ");
            if let Some(first) = s.get(..1) {
                let up = first.to_ascii_uppercase();
                s.replace_range(..1, &up);
            }
            s
        })
}

/// Every concern of the catalogue, in display order (known ones first, then the others by name).
pub fn concerns() -> Vec<String> {
    let mut cats: Vec<String> = catalogue().iter().map(|m| m.category.clone()).collect();
    cats.push("input".into());
    cats.sort_by_key(|c| {
        (
            CONCERNS
                .iter()
                .position(|(k, _)| k == c)
                .unwrap_or(usize::MAX),
            c.clone(),
        )
    });
    cats.dedup();
    cats
}

/// Which graph layout to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Graphviz `dot` when installed (and the report has few applications), else built-in.
    Auto,
    Dot,
    Builtin,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub layout: Layout,
    /// Largest number of nodes drawn per application graph.
    pub max_graph_nodes: usize,
    /// With more applications than this, `Layout::Auto` uses the built-in layout (no process per graph).
    pub dot_max_apps: usize,
    /// Findings shown in full (with excerpt) per application; the rest are listed in one line each.
    pub max_excerpts_per_app: usize,
    /// What the analysis may read (None: the projects of the checked paths, default limits).
    pub access: Option<crate::fsx::Access>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            layout: Layout::Auto,
            max_graph_nodes: 120,
            dot_max_apps: 40,
            max_excerpts_per_app: 200,
            access: None,
        }
    }
}

/// One line of a source excerpt.
#[derive(Debug, Clone)]
pub struct ExcerptLine {
    pub number: usize,
    pub text: String,
    /// The line is (part of) the finding's span.
    pub marked: bool,
}

/// A finding as the report shows it.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub category: String,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub resource: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub excerpt: Vec<ExcerptLine>,
    /// The rule page (empty for input problems without a page).
    pub help_uri: String,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Counts {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.info
    }

    pub fn merge(&mut self, o: Counts) {
        self.error += o.error;
        self.warning += o.warning;
        self.info += o.info;
    }
}

/// One application (one template) of the report.
#[derive(Debug, Clone)]
pub struct AppReport {
    /// The template file, as given on the command line.
    pub file: String,
    pub description: Option<String>,
    pub is_sam: bool,
    pub resources: usize,
    pub functions: Vec<FunctionFacts>,
    pub findings: Vec<Finding>,
    pub counts: Counts,
    pub score: u32,
    pub graph: GraphData,
}

impl AppReport {
    pub fn grade(&self) -> char {
        grade(self.score)
    }
}

/// The whole report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub apps: Vec<AppReport>,
    pub errors: Vec<InputError>,
    pub counts: Counts,
    /// Code -> (count, severity of the rule's findings at their worst).
    pub by_rule: BTreeMap<String, (usize, Severity)>,
    /// Category -> count (every catalogue category, zero included).
    pub by_concern: Vec<(String, Counts)>,
    pub files: usize,
}

/// Score of an application, 0..=100.
///
/// Penalty `P = 10 × errors + 3 × warnings + 1 × info`; budget `B = 10 × max(1, functions)`;
/// `score = round(100 × B / (B + P))`. No findings: 100. One error per function: 50. The score
/// shrinks smoothly with the density of findings, so large applications are not punished for size.
pub fn score(counts: Counts, functions: usize) -> u32 {
    let penalty = 10 * counts.error + 3 * counts.warning + counts.info;
    let budget = 10 * functions.max(1);
    let s = (100 * budget + (budget + penalty) / 2) / (budget + penalty);
    u32::try_from(s).unwrap_or(100)
}

/// Letter grade of a score.
pub fn grade(score: u32) -> char {
    match score {
        90.. => 'A',
        75..=89 => 'B',
        50..=74 => 'C',
        25..=49 => 'D',
        _ => 'F',
    }
}

/// The scoring rule in words (shown in the reports).
pub const SCORE_FORMULA: &str = "score = 100 × B / (B + P), where P = 10 × errors + 3 × warnings + 1 × info and B = 10 × number of functions (at least 10); grades: A ≥ 90, B ≥ 75, C ≥ 50, D ≥ 25, F below.";

fn excerpt(file: &SourceFile, d: &Diagnostic) -> Vec<ExcerptLine> {
    const CONTEXT: usize = 2;
    const MAX_MARKED: usize = 4;
    let text = &file.text;
    if text.is_empty() {
        return Vec::new();
    }
    let l0 = file.lines.line_of(d.span.start);
    let l1 = file
        .lines
        .line_of(d.span.end.saturating_sub(1).max(d.span.start))
        .min(l0 + MAX_MARKED - 1);
    let first = l0.saturating_sub(CONTEXT);
    let last = (l1 + CONTEXT).min(file.lines.line_count().saturating_sub(1));
    let mut out = Vec::new();
    for l in first..=last {
        let start = file.lines.line_start(l) as usize;
        let end = if l + 1 < file.lines.line_count() {
            (file.lines.line_start(l + 1) as usize).saturating_sub(1)
        } else {
            text.len()
        };
        let line = text.get(start..end.max(start)).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Long lines (minified JSON) are cut around the span.
        let shown: String = if line.chars().count() > 240 {
            let col = if l == l0 {
                text.get(start..d.span.start as usize)
                    .map_or(0, |s| s.chars().count())
            } else {
                0
            };
            let from = col.saturating_sub(60);
            let mut s: String = line.chars().skip(from).take(200).collect();
            if from > 0 {
                s.insert(0, '…');
            }
            s.push('…');
            s
        } else {
            line.to_string()
        };
        if l + 1 == file.lines.line_count() && shown.is_empty() && l > l1 {
            continue;
        }
        out.push(ExcerptLine {
            number: l + 1,
            text: shown,
            marked: l >= l0 && l <= l1,
        });
    }
    out
}

fn finding(d: &Diagnostic) -> Finding {
    let m = meta(d.code);
    let (start, _) = d.range();
    Finding {
        code: d.code.to_string(),
        name: m.map_or_else(|| "input-problem".to_string(), |m| m.name.clone()),
        category: m.map_or_else(|| "input".to_string(), |m| m.category.clone()),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
        resource: d.resource.clone(),
        file: d.file.display.clone(),
        line: start.line,
        column: start.column,
        excerpt: excerpt(&d.file, d),
        help_uri: m.map(|m| m.help_uri()).unwrap_or_default(),
    }
}

enum Outcome {
    Skipped,
    /// An application, and the input problems found in it (it was still checked).
    App(Box<AppReport>, Vec<InputError>),
    Failed(InputError),
}

fn analyse(
    c: &crate::discover::Candidate,
    rules: &[Box<dyn crate::rule::Rule>],
    sel: &RuleSelection,
    opts: &Options,
    access: &crate::fsx::Access,
) -> Outcome {
    // The same reader as `lambdalint check`: the same files skipped, the same input errors.
    let file = match crate::check::read_candidate(c) {
        Ok(Some(f)) => f,
        Ok(None) => return Outcome::Skipped,
        Err(e) => return Outcome::Failed(e),
    };
    // The findings come from exactly the engine `lambdalint check` runs.
    let checked = match check_source_full(&file, rules, sel, access, &|_| None) {
        Ok(Some(c)) => c,
        Ok(None) => return Outcome::Skipped,
        Err(e) => {
            return Outcome::Failed(InputError {
                code: "E001",
                message: e.message,
                file: c.display.clone(),
                position: Some((Arc::clone(&file), e.span)),
            });
        }
    };
    // The facts come from the same model and handler analysis.
    Outcome::App(
        Box::new(app_report(
            &checked.app,
            Some(&checked.handlers),
            &checked.diagnostics,
            opts,
        )),
        checked.errors,
    )
}

/// Build the report of one modelled application and its findings.
pub fn app_report(
    app: &App,
    handlers: Option<&crate::handler::HandlerFacts>,
    diagnostics: &[Diagnostic],
    opts: &Options,
) -> AppReport {
    let tpl = &app.tpl;
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.sort_key().cmp(&b.sort_key()))
    });
    let findings: Vec<Finding> = sorted.iter().map(|d| finding(d)).collect();
    let mut counts = Counts::default();
    for f in &findings {
        counts.add(f.severity);
    }
    let functions: Vec<FunctionFacts> = app
        .functions
        .values()
        .map(|f| facts::function_facts(app, f, handlers, &findings))
        .collect();
    let description = tpl
        .doc
        .root
        .and_then(|r| tpl.doc.get(r, "Description"))
        .and_then(|n| tpl.doc.as_str(n))
        .map(|s| s.trim().to_string());
    let graph = graph::build(app, &findings, opts.max_graph_nodes);
    AppReport {
        file: tpl.file.display.clone(),
        description,
        is_sam: tpl.is_sam,
        resources: tpl.resources.len(),
        score: score(counts, functions.len()),
        functions,
        findings,
        counts,
        graph,
    }
}

/// Check the paths and gather everything the report shows.
pub fn collect(paths: &[PathBuf], filter: &Filter, sel: &RuleSelection, opts: &Options) -> Report {
    let found = discover(paths, filter);
    let (candidates, missing) = (found.candidates, found.errors);
    let rules = crate::rules::all();
    let access = opts
        .access
        .clone()
        .unwrap_or_else(|| crate::fsx::Access::new(paths, &[], crate::fsx::DEFAULT_SOURCE_CAP));
    let results: Vec<Outcome> = candidates
        .par_iter()
        .map(|c| analyse(c, &rules, sel, opts, &access))
        .collect();
    let mut report = Report {
        files: candidates.len(),
        ..Report::default()
    };
    for (file, why) in missing {
        report.errors.push(InputError {
            code: "E000",
            message: why,
            file,
            position: None,
        });
    }
    for r in results {
        match r {
            Outcome::Skipped => {}
            Outcome::App(a, errors) => {
                report.apps.push(*a);
                report.errors.extend(errors);
            }
            Outcome::Failed(e) => report.errors.push(e),
        }
    }
    report.apps.sort_by(|a, b| a.file.cmp(&b.file));
    report.errors.sort_by(|a, b| a.file.cmp(&b.file));
    summarise(&mut report);
    report
}

/// Fill the summary counts from the applications.
pub fn summarise(report: &mut Report) {
    let mut by_concern: BTreeMap<String, Counts> = BTreeMap::new();
    report.counts = Counts::default();
    report.by_rule.clear();
    for a in &report.apps {
        report.counts.merge(a.counts);
        for f in &a.findings {
            let e = report
                .by_rule
                .entry(f.code.clone())
                .or_insert((0, f.severity));
            e.0 += 1;
            e.1 = e.1.max(f.severity);
            by_concern
                .entry(f.category.clone())
                .or_default()
                .add(f.severity);
        }
    }
    let mut order = concerns();
    for c in by_concern.keys() {
        if !order.contains(c) {
            order.push(c.clone());
        }
    }
    report.by_concern = order
        .into_iter()
        .map(|c| {
            let n = by_concern.get(&c).copied().unwrap_or_default();
            (c, n)
        })
        .collect();
}

/// Graphs are drawn with `dot` for this report?
pub fn use_dot(report: &Report, opts: &Options) -> bool {
    match opts.layout {
        Layout::Builtin => false,
        Layout::Dot => true,
        Layout::Auto => report.apps.len() <= opts.dot_max_apps && svg::dot_available(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn score_formula() {
        assert_eq!(score(Counts::default(), 3), 100);
        let one_error = Counts {
            error: 1,
            ..Counts::default()
        };
        assert_eq!(score(one_error, 1), 50);
        assert_eq!(score(one_error, 0), 50);
        let many = Counts {
            error: 2,
            warning: 10,
            info: 5,
        };
        // P = 20 + 30 + 5 = 55, B = 40: 100 * 40 / 95 = 42.1
        assert_eq!(score(many, 4), 42);
        assert_eq!(grade(100), 'A');
        assert_eq!(grade(50), 'C');
        assert_eq!(grade(0), 'F');
    }

    #[test]
    fn concern_labels() {
        assert_eq!(concern_label("failure-handling"), "Failure handling");
        assert_eq!(concern_label("database"), "Database concurrency");
        assert_eq!(concern_label("cost-control"), "Cost control");
        let all = concerns();
        for m in catalogue() {
            assert!(all.contains(&m.category));
        }
    }
}
