//! The rule engine: the catalogue (metadata and docs, from `rules/*.toml`), the `Rule` trait and
//! the context a rule reports through. Rules never print.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::App;
use crate::source::Span;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Base address of the rule pages.
pub const DOCS_BASE: &str = "https://github.com/lambdalint/lambdalint/blob/main/docs/rules";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    pub what: String,
    pub why: String,
    pub example: String,
    pub use_instead: String,
    #[serde(default)]
    pub references: Vec<String>,
}

/// One catalogue entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    /// failure-handling, timeouts, networking, transport, database, iam, handler, input
    pub category: String,
    pub severity: String,
    pub summary: String,
    /// Whether `check --fix` can fix a finding: `safe` (with `--fix`), `unsafe` (with
    /// `--unsafe-fixes`: it changes behaviour or adds resources) or `none`.
    #[serde(default = "no_fix")]
    pub fix: String,
    pub docs: Docs,
}

fn no_fix() -> String {
    "none".into()
}

impl RuleMeta {
    pub fn default_severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Warning)
    }

    /// The applicability of the rule's fixes (`None`: the rule has no fix).
    pub fn fix_applicability(&self) -> Option<crate::fix::Applicability> {
        match self.fix.as_str() {
            "safe" => Some(crate::fix::Applicability::Safe),
            "unsafe" => Some(crate::fix::Applicability::Unsafe),
            _ => None,
        }
    }

    /// The fix line of the rule page.
    pub fn fix_text(&self) -> &'static str {
        match self.fix_applicability() {
            Some(crate::fix::Applicability::Safe) => {
                "Fix: safe, applied by `lambdalint check --fix` (and the editor's quick fix)"
            }
            Some(crate::fix::Applicability::Unsafe) => {
                "Fix: unsafe (it changes behaviour or adds resources), applied by `lambdalint check --fix --unsafe-fixes` (and the editor's quick fix): review the diff (`--diff`)"
            }
            None => "Fix: none (the finding needs a decision `--fix` cannot make)",
        }
    }

    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}/{}.md", self.code)
    }

    /// The rule page in Markdown (used by `lambdalint rule`, docs/ and SARIF help).
    pub fn markdown(&self) -> String {
        let d = &self.docs;
        let mut s = format!(
            "# {} ({})\n\n{}\n\nCategory: {} · Default severity: {}\n\n{}\n\n## What it does\n\n{}\n\n## Why is this bad?\n\n{}\n\n## Example\n\n```yaml\n{}\n```\n\n## Use instead\n\n```yaml\n{}\n```\n",
            self.name,
            self.code,
            self.summary.trim(),
            self.category,
            self.severity,
            self.fix_text(),
            d.what.trim(),
            d.why.trim(),
            d.example.trim_end(),
            d.use_instead.trim_end()
        );
        if !d.references.is_empty() {
            s.push_str("\n## References\n\n");
            for r in &d.references {
                s.push_str(&format!("- <{r}>\n"));
            }
        }
        s
    }
}

/// The whole catalogue, by code, sorted.
pub fn catalogue() -> &'static [RuleMeta] {
    static CAT: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    CAT.get_or_init(|| {
        let mut v: Vec<RuleMeta> = RULE_FILES
            .iter()
            .filter_map(|(_, text)| toml::from_str::<RuleMeta>(text).ok())
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    })
}

pub fn meta(code: &str) -> Option<&'static RuleMeta> {
    static BY_CODE: OnceLock<HashMap<&'static str, &'static RuleMeta>> = OnceLock::new();
    BY_CODE
        .get_or_init(|| catalogue().iter().map(|m| (m.code.as_str(), m)).collect())
        .get(code)
        .copied()
}

/// Look a rule up by code or by name.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    let up = code_or_name.to_ascii_uppercase();
    meta(&up).or_else(|| catalogue().iter().find(|m| m.name == code_or_name))
}

/// A check over one application.
pub trait Rule: Send + Sync {
    fn code(&self) -> &'static str;
    fn check(&self, cx: &mut Context<'_>);
    /// Options this rule reads from `[rules.CODE.options]` in the configuration.
    fn options(&self) -> &'static [RuleOption] {
        &[]
    }
}

/// The type of a rule option value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Bool,
    Integer,
    String,
    StringList,
}

impl OptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Bool => "a boolean",
            OptionKind::Integer => "an integer",
            OptionKind::String => "a string",
            OptionKind::StringList => "a list of strings",
        }
    }

    pub fn accepts(self, v: &toml::Value) -> bool {
        match self {
            OptionKind::Bool => v.is_bool(),
            OptionKind::Integer => v.is_integer(),
            OptionKind::String => v.is_str(),
            OptionKind::StringList => v
                .as_array()
                .is_some_and(|a| a.iter().all(toml::Value::is_str)),
        }
    }
}

/// A configurable rule option (`[rules.CODE.options] name = value`).
#[derive(Debug, Clone, Copy)]
pub struct RuleOption {
    pub name: &'static str,
    pub kind: OptionKind,
    pub help: &'static str,
}

/// What a rule sees and reports through.
pub struct Context<'a> {
    pub app: &'a App,
    pub code: &'static str,
    pub severity: Severity,
    pub out: &'a mut Vec<Diagnostic>,
    /// The rule's `[rules.CODE.options]` from the configuration, validated against
    /// [`Rule::options`].
    pub options: Option<&'a toml::Table>,
    /// Handler source facts (None when the handler stage did not run).
    pub handlers: Option<&'a crate::handler::HandlerFacts>,
    /// How the template is written, detected once by the first fix (see [`Context::fix`]).
    pub fix_style: &'a OnceLock<crate::fix::Style>,
}

/// A finding under construction: `cx.report(span, message).resource(id).help(..)`.
pub struct Report {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub resource: Option<String>,
    pub path: Vec<String>,
    pub severity: Option<Severity>,
    pub fix: Option<crate::fix::Fix>,
}

impl Report {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Report {
            span,
            message: message.into(),
            help: None,
            resource: None,
            path: Vec::new(),
            severity: None,
            fix: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn resource(mut self, id: &str) -> Self {
        self.resource = Some(id.to_string());
        self
    }

    pub fn path<S: ToString>(mut self, path: &[S]) -> Self {
        self.path = path.iter().map(ToString::to_string).collect();
        self
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    /// The finding's fix (from [`Context::fix`]; `None`: no fix).
    pub fn fix(mut self, fix: Option<crate::fix::Fix>) -> Self {
        self.fix = fix;
        self
    }
}

impl Context<'_> {
    /// A configured option value.
    pub fn option(&self, name: &str) -> Option<&toml::Value> {
        self.options.and_then(|t| t.get(name))
    }

    pub fn option_bool(&self, name: &str) -> Option<bool> {
        self.option(name).and_then(toml::Value::as_bool)
    }

    pub fn option_int(&self, name: &str) -> Option<i64> {
        self.option(name).and_then(toml::Value::as_integer)
    }

    /// A fix for a finding in the template: `build` makes its edits with the builders of
    /// [`crate::fix::Editor`] and returns `None` when the template is not in a shape it can
    /// edit (then there is no fix).
    ///
    /// ```ignore
    /// let fix = cx.fix("Set `Timeout: 3`", Applicability::Safe, |e| {
    ///     e.insert(resource.node, &["Properties", "Timeout"], Val::Int(3))
    /// });
    /// cx.emit(Report::new(span, message).fix(fix));
    /// ```
    pub fn fix(
        &self,
        title: impl Into<String>,
        applicability: crate::fix::Applicability,
        build: impl FnOnce(&mut crate::fix::Editor<'_>) -> Option<()>,
    ) -> Option<crate::fix::Fix> {
        let style = self
            .fix_style
            .get_or_init(|| crate::fix::Style::detect(&self.app.tpl));
        let mut e = crate::fix::Editor::new(&self.app.tpl, style);
        build(&mut e)?;
        e.finish(title.into(), applicability)
    }

    /// Report in another file than the template (a handler source).
    pub fn emit_in(&mut self, file: &Arc<crate::source::SourceFile>, r: Report) {
        let start = self.out.len();
        self.emit(r);
        if let Some(d) = self.out.get_mut(start) {
            d.file = Arc::clone(file);
        }
    }

    pub fn emit(&mut self, r: Report) {
        self.out.push(Diagnostic {
            code: self.code,
            severity: r.severity.unwrap_or(self.severity),
            message: r.message,
            help: r.help,
            file: Arc::clone(&self.app.tpl.file),
            span: r.span,
            resource: r.resource,
            path: r.path,
            fix: r.fix,
        });
    }
}
