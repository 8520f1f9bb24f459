//! The rule engine and its one catalogue: rule metadata and docs (from `rules/*.toml`), the
//! built-in codes, the selection of rules a run uses, the `Rule` trait and the context a rule
//! reports through. Rules never print.

mod catalogue;
mod selection;

use std::sync::Arc;

pub use catalogue::{
    BUILTIN_CODES, DOCS_BASE, Docs, RuleMeta, catalogue, code_name, find, is_builtin, meta,
    valid_selector,
};
pub use selection::RuleSelection;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::App;
use crate::source::Span;

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
    /// A calendar date: a TOML date (`2026-12-03`) or a `"YYYY-MM-DD"` string.
    Date,
}

/// The date of a [`OptionKind::Date`] option value.
pub fn option_date(v: &toml::Value) -> Option<crate::model::runtimes::Date> {
    match v {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
            let d = d.date?;
            crate::model::runtimes::Date::parse(&format!(
                "{:04}-{:02}-{:02}",
                d.year, d.month, d.day
            ))
        }
        toml::Value::String(s) => crate::model::runtimes::Date::parse(s),
        _ => None,
    }
}

impl OptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OptionKind::Bool => "a boolean",
            OptionKind::Integer => "an integer",
            OptionKind::String => "a string",
            OptionKind::StringList => "a list of strings",
            OptionKind::Date => "a date (YYYY-MM-DD)",
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
            OptionKind::Date => option_date(v).is_some(),
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
    /// The rules of this run: a rule whose finding another enabled rule already states (one
    /// resource, one cause) leaves it to that rule.
    pub selection: &'a RuleSelection,
}

/// A finding under construction: `cx.report(span, message).resource(id).help(..)`.
pub struct Report {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub resource: Option<String>,
    pub path: Vec<String>,
    pub severity: Option<Severity>,
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

    pub fn option_date(&self, name: &str) -> Option<crate::model::runtimes::Date> {
        self.option(name).and_then(option_date)
    }

    pub fn option_str(&self, name: &str) -> Option<&str> {
        self.option(name).and_then(toml::Value::as_str)
    }

    /// Is another rule part of this run?
    pub fn enabled(&self, code: &str) -> bool {
        self.selection.enabled(code)
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
            construct: None,
        });
    }
}
