//! LMB050 log-group-without-retention.

use std::collections::{HashMap, HashSet};

use crate::fix::{Applicability, Val};
use crate::model::network::refs_below;
use crate::model::{App, Function, Known};
use crate::rule::{Context, Report, Rule};

pub struct LogGroupWithoutRetention;

pub fn message_missing(function: &str, default_group: &str) -> String {
    format!(
        "function `{function}` has no `AWS::Logs::LogGroup` with `RetentionInDays` in the template: Lambda creates {default_group} on the first invocation and keeps its logs forever"
    )
}

pub fn message_no_retention(group: &str, functions: &[String]) -> String {
    let who = functions
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = if functions.len() == 1 { "" } else { "s" };
    format!(
        "log group `{group}` of function{s} {who} has no `RetentionInDays`: its logs are kept forever"
    )
}

const LOG_GROUP: &str = "AWS::Logs::LogGroup";

/// Where a function's logs go, as far as the template tells.
enum Logs {
    /// A log group of this template.
    Group(String),
    /// No log group of the template: the default `/aws/lambda/<name>` that Lambda creates.
    Default,
    /// A log group named outside the template, or computed.
    Unknown,
}

/// Log groups of the template by the functions their `LogGroupName` refers to, and by literal
/// name.
struct Index {
    by_function: HashMap<String, String>,
    by_name: HashMap<String, String>,
}

fn index(app: &App) -> Index {
    let tpl = &app.tpl;
    let mut by_function = HashMap::new();
    let mut by_name = HashMap::new();
    for r in tpl.resources_of(LOG_GROUP) {
        let Some(n) = tpl.prop(r, "LogGroupName") else {
            continue;
        };
        for x in refs_below(tpl, n) {
            if app.functions.contains_key(&x.id) {
                by_function.entry(x.id).or_insert_with(|| r.id.clone());
            }
        }
        if let Some(name) = name_shape(tpl, n) {
            by_name.entry(name).or_insert_with(|| r.id.clone());
        }
    }
    Index {
        by_function,
        by_name,
    }
}

/// A name as written: a literal, or the text of an `Fn::Sub` with the literal values of its
/// variable map substituted and its other `${...}` placeholders kept, so that two names built
/// the same way compare equal.
fn name_shape(tpl: &crate::model::Template, n: crate::load::NodeId) -> Option<String> {
    if let Some(s) = tpl.string(n).known() {
        return Some(s);
    }
    let doc = &tpl.doc;
    let Some(("Fn::Sub", arg)) = doc.intrinsic(n) else {
        return None;
    };
    if let Some(s) = doc.as_str(arg) {
        return Some(s.trim().to_string());
    }
    let items = doc.as_seq(arg)?;
    let mut text = items
        .first()
        .and_then(|t| doc.as_str(*t))?
        .trim()
        .to_string();
    if let Some(vars) = items.get(1).and_then(|m| doc.as_map(*m)) {
        for (k, _, v) in vars.iter() {
            if let Some(val) = tpl.string(v).known() {
                text = text.replace(&format!("${{{k}}}"), &val);
            }
        }
    }
    Some(text)
}

fn logs_of(app: &App, idx: &Index, f: &Function) -> Logs {
    let tpl = &app.tpl;
    if let Some(p) = f.nested(tpl, &["LoggingConfig", "LogGroup"]).first() {
        if let Some(id) = tpl.ref_resource(p.node)
            && tpl.resource(id).is_some_and(|r| r.type_ == LOG_GROUP)
        {
            return Logs::Group(id.to_string());
        }
        return match name_shape(tpl, p.node) {
            Some(name) => match idx.by_name.get(&name) {
                Some(g) => Logs::Group(g.clone()),
                None => Logs::Unknown,
            },
            None => Logs::Unknown,
        };
    }
    if let Some(g) = idx.by_function.get(&f.id) {
        return Logs::Group(g.clone());
    }
    // A `FunctionName` names the default group (also one built with `Fn::Sub` the same way as
    // the group's name: `${AWS::StackName}-orders` and `/aws/lambda/${AWS::StackName}-orders`).
    if let Some(name) = f
        .prop(tpl, "FunctionName")
        .and_then(|p| name_shape(tpl, p.node))
        && let Some(g) = idx.by_name.get(&format!("/aws/lambda/{name}"))
    {
        return Logs::Group(g.clone());
    }
    Logs::Default
}

/// The retention the fix writes: the one most log groups of the template already use (the
/// longest of equally common ones), else 30 days.
fn fix_retention(app: &App) -> i64 {
    let tpl = &app.tpl;
    let mut count: HashMap<i64, usize> = HashMap::new();
    for r in tpl.resources_of(LOG_GROUP) {
        if let Some(Known::Yes(v)) = tpl.prop(r, "RetentionInDays").map(|n| tpl.number(n))
            && v.fract() == 0.0
            && v >= 1.0
        {
            *count.entry(v as i64).or_default() += 1;
        }
    }
    count
        .into_iter()
        .max_by_key(|(v, n)| (*n, *v))
        .map_or(30, |(v, _)| v)
}

impl Rule for LogGroupWithoutRetention {
    fn code(&self) -> &'static str {
        "LMB050"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        if app.functions.is_empty() {
            return;
        }
        let idx = index(app);
        let mut groups: indexmap::IndexMap<String, Vec<String>> = indexmap::IndexMap::new();
        for f in app.functions.values() {
            match logs_of(app, &idx, f) {
                Logs::Unknown => {}
                Logs::Group(g) => groups.entry(g).or_default().push(f.id.clone()),
                Logs::Default => {
                    let name = f
                        .prop(tpl, "FunctionName")
                        .and_then(|p| tpl.string(p.node).known())
                        .map_or_else(
                            || "its log group `/aws/lambda/<function name>`".to_string(),
                            |n| format!("its log group `/aws/lambda/{n}`"),
                        );
                    let help = if f.sam {
                        format!(
                            "add an `AWS::Logs::LogGroup` with `LogGroupName: !Sub /aws/lambda/${{{0}}}` and `RetentionInDays` (for example 30), or one shared log group with `RetentionInDays` named in `LoggingConfig.LogGroup` (of `{0}` or `Globals.Function`)",
                            f.id
                        )
                    } else {
                        format!(
                            "add an `AWS::Logs::LogGroup` with `LogGroupName: !Sub /aws/lambda/${{{0}}}` and `RetentionInDays` (for example 30), or name a log group with `RetentionInDays` in `LoggingConfig.LogGroup` of `{0}`",
                            f.id
                        )
                    };
                    cx.emit(
                        Report::new(f.anchor(tpl), message_missing(&f.id, &name))
                            .resource(&f.id)
                            .path(&["LoggingConfig", "LogGroup"])
                            .help(help),
                    );
                }
            }
        }
        let retention = fix_retention(app);
        let mut done: HashSet<String> = HashSet::new();
        for (g, functions) in groups {
            let Some(r) = tpl.resource(&g) else { continue };
            if !done.insert(g.clone()) {
                continue;
            }
            match tpl.prop(r, "RetentionInDays").map(|n| tpl.number(n)) {
                Some(Known::Yes(_)) | Some(Known::Unknown(_)) => continue,
                None => {}
            }
            // Unsafe: logs older than the retention are deleted.
            let fix = cx.fix(
                format!("Set `RetentionInDays: {retention}` on `{g}`"),
                Applicability::Unsafe,
                |e| {
                    e.insert(
                        r.node,
                        &["Properties", "RetentionInDays"],
                        Val::Int(retention),
                    )
                },
            );
            cx.emit(
                Report::new(r.key_span, message_no_retention(&g, &functions))
                    .resource(&g)
                    .path(&["RetentionInDays"])
                    .help(format!(
                        "set `RetentionInDays` on `{g}` (1, 3, 5, 7, 14, 30, 60, 90, ... days) to what you need to keep"
                    ))
                    .fix(fix),
            );
        }
    }
}
