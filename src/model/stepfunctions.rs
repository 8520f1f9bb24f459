//! Step Functions state machines (`AWS::StepFunctions::StateMachine`, `AWS::Serverless::StateMachine`)
//! and the task states of their definitions: from `Definition` (a map in the template),
//! `DefinitionString` (a JSON string, `Fn::Sub` variables resolved), or `DefinitionUri` naming a
//! local file (JSON or YAML, read once and kept with its own positions), with
//! `DefinitionSubstitutions` applied. States are walked through `Parallel` branches and `Map`
//! item processors (`ItemProcessor`, `Iterator`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::fsx::Scope;
use crate::load::{Document, NodeId, Value};
use crate::model::template::{Known, Target, Template, sub_variables};
use crate::source::{Format, SourceFile, Span};

pub const SFN_MACHINE: &str = "AWS::StepFunctions::StateMachine";
pub const SAM_MACHINE: &str = "AWS::Serverless::StateMachine";

/// Where a state is written.
#[derive(Debug, Clone)]
pub enum Location {
    /// In the template, at this span (the state's name, or the `DefinitionString` holding it).
    Template(Span),
    /// In a local definition file, at this span.
    File(Arc<SourceFile>, Span),
}

impl Location {
    fn start(&self) -> u32 {
        match self {
            Location::Template(s) | Location::File(_, s) => s.start,
        }
    }

    /// The span, wherever it is.
    pub fn span(&self) -> Span {
        match self {
            Location::Template(s) | Location::File(_, s) => *s,
        }
    }
}

/// The integration pattern of a service task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    RequestResponse,
    /// `.sync` / `.sync:2`: waits for the job to finish.
    Sync,
    /// `.waitForTaskToken`: waits for a callback.
    WaitForTaskToken,
}

/// What a task state calls.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskResource {
    /// A Lambda function: `arn:aws:states:::lambda:invoke` (`integration`) or the function ARN
    /// itself. `function`: the function of this template, when known.
    Lambda {
        function: Option<String>,
        integration: bool,
        pattern: Pattern,
    },
    /// An activity (`arn:aws:states:...:activity:...`): a worker polls for it.
    Activity(Option<String>),
    /// Another service integration (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`).
    Service {
        name: String,
        pattern: Pattern,
    },
    Unknown(String),
}

/// One `Task` state.
#[derive(Debug, Clone)]
pub struct Task {
    pub name: String,
    /// Path of the state in the definition (`States`, `Branches`, `ItemProcessor`...).
    pub path: Vec<String>,
    pub location: Location,
    /// The `Resource` as written (after substitutions), for messages.
    pub resource_text: String,
    pub resource: TaskResource,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout: bool,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: bool,
    /// `ErrorEquals` of retriers that retry at least once.
    pub retry_errors: Vec<String>,
    /// A `Retry` or `Catch` that is computed (not judged).
    pub computed: bool,
    pub catch: bool,
}

/// One state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub id: String,
    pub sam: bool,
    pub key_span: Span,
    /// `Type` / `StateMachineType` is `EXPRESS` (at most five minutes per execution).
    pub express: Known<bool>,
    /// The definition's top-level `TimeoutSeconds` (bounds the whole execution).
    pub timeout: bool,
    /// The task states, or why they are not known (definition in S3, computed...).
    pub tasks: Known<Vec<Task>>,
    /// The definition file, when local.
    pub file: Option<Arc<SourceFile>>,
    /// Why a local definition file was not read (outside the project, too large, missing...).
    pub unread: Option<String>,
}

/// A substitution: what `${Name}` stands for.
#[derive(Debug, Clone)]
enum Subst {
    /// A Lambda function of this template.
    Function(String),
    /// An activity of this template.
    Activity(String),
    Text(String),
}

fn classify_target(tpl: &Template, t: &Target) -> Option<Subst> {
    match t {
        Target::Resource { id, .. } => {
            let ty = tpl.resource(id).map(|r| r.type_.as_str()).unwrap_or("");
            match ty {
                "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                    Some(Subst::Function(id.clone()))
                }
                // A version or alias of a function: still that function.
                "AWS::Lambda::Version" | "AWS::Lambda::Alias" => {
                    let r = tpl.resource(id)?;
                    let f = tpl
                        .prop(r, "FunctionName")
                        .and_then(|n| tpl.ref_resource(n))?;
                    Some(Subst::Function(f.to_string()))
                }
                "AWS::StepFunctions::Activity" => Some(Subst::Activity(id.clone())),
                _ => None,
            }
        }
        Target::Literal(s) => Some(Subst::Text(s.clone())),
        _ => None,
    }
}

/// Substitutions of a `DefinitionSubstitutions` map (or of an `Fn::Sub` variable map).
fn substitutions(tpl: &Template, map: Option<NodeId>) -> HashMap<String, Option<Subst>> {
    let doc = &tpl.doc;
    let mut out = HashMap::new();
    let Some(m) = map.and_then(|n| doc.as_map(n)) else {
        return out;
    };
    for (k, _, v) in m.iter() {
        out.insert(k.to_string(), classify_target(tpl, &tpl.target(v)));
    }
    out
}

/// Text of a substitution inside a definition string.
fn subst_text(s: &Subst) -> String {
    match s {
        Subst::Function(id) => format!("arn:aws:lambda:REGION:ACCOUNT:function:{id}"),
        Subst::Activity(id) => format!("arn:aws:states:REGION:ACCOUNT:activity:{id}"),
        Subst::Text(t) => t.clone(),
    }
}

/// Replace `${Name}` in `text` (`${!Literal}` stays): inside JSON strings the substitution is
/// escaped; outside a string (a number written as `${Timeout}`) an unknown value becomes `null`,
/// so the key still counts as present.
fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '$' && rest.starts_with("${") && !rest.starts_with("${!") {
            if let Some(end) = rest.find('}') {
                let name = rest.get(2..end).unwrap_or("").trim();
                let value = lookup(name);
                if in_string {
                    let v = value.unwrap_or_else(|| format!("${{{name}}}"));
                    let json = serde_json::to_string(&v).unwrap_or_default();
                    out.push_str(json.get(1..json.len().saturating_sub(1)).unwrap_or(""));
                } else {
                    match value {
                        Some(v) if v.parse::<f64>().is_ok() => out.push_str(&v),
                        _ => out.push_str("null"),
                    }
                }
                rest = rest.get(end + 1..).unwrap_or("");
                continue;
            }
        } else if c == '$' && rest.starts_with("${!") {
            out.push_str("${");
            rest = rest.get(3..).unwrap_or("");
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

/// Classify a task `Resource` string.
fn classify_resource(
    text: &str,
    function: Option<String>,
    activity: Option<String>,
) -> TaskResource {
    if text.contains("${") {
        return TaskResource::Unknown(format!("`Resource` is `{text}`"));
    }
    let parts: Vec<&str> = text.split(':').collect();
    let service = parts.get(2).copied().unwrap_or("");
    let pattern_of = |api: &str| {
        if api.ends_with(".waitForTaskToken") {
            Pattern::WaitForTaskToken
        } else if api.contains(".sync") {
            Pattern::Sync
        } else {
            Pattern::RequestResponse
        }
    };
    match service {
        "lambda" if parts.get(5) == Some(&"function") => TaskResource::Lambda {
            function: function.or_else(|| parts.get(6).map(|s| s.to_string())),
            integration: false,
            pattern: Pattern::RequestResponse,
        },
        "states" => {
            // arn:aws:states:region:account:activity:name
            if parts.get(5) == Some(&"activity") {
                return TaskResource::Activity(
                    activity.or_else(|| parts.get(6).map(|s| s.to_string())),
                );
            }
            // arn:aws:states:::service:api[.pattern]
            let svc = parts.get(5).copied().unwrap_or("");
            let api = parts.get(6..).map(|p| p.join(":")).unwrap_or_default();
            let pattern = pattern_of(&api);
            if svc == "lambda" && api.starts_with("invoke") {
                TaskResource::Lambda {
                    function,
                    integration: true,
                    pattern,
                }
            } else if svc.is_empty() {
                TaskResource::Unknown(format!("`Resource` is `{text}`"))
            } else {
                TaskResource::Service {
                    name: format!("{svc}:{api}"),
                    pattern,
                }
            }
        }
        _ => TaskResource::Unknown(format!("`Resource` is `{text}`")),
    }
}

/// A definition to walk: its document and how to place and resolve what it says.
struct Def<'a> {
    doc: &'a Document,
    root: NodeId,
    /// `None`: positions are the states' own (template or file); `Some`: everything is reported
    /// at this span (a definition inside a string).
    fixed: Option<Span>,
    file: Option<Arc<SourceFile>>,
    /// The definition is the template's own tree (intrinsics in it are template intrinsics).
    in_template: bool,
}

fn walk(tpl: &Template, def: &Def<'_>, subs: &HashMap<String, Option<Subst>>) -> Vec<Task> {
    let doc = def.doc;
    let mut out = Vec::new();
    let Some(states) = doc.get(def.root, "States") else {
        return out;
    };
    let mut stack: Vec<(NodeId, Vec<String>)> = vec![(states, vec!["States".into()])];
    while let Some((states, path)) = stack.pop() {
        let Some(m) = doc.as_map(states) else {
            continue;
        };
        for (name, key_span, st) in m.iter() {
            let mut p = path.clone();
            p.push(name.to_string());
            let ty = doc
                .get(st, "Type")
                .and_then(|t| doc.as_str(t))
                .unwrap_or("");
            match ty {
                "Parallel" => {
                    if let Some(branches) = doc.get(st, "Branches").and_then(|b| doc.as_seq(b)) {
                        for (i, b) in branches.iter().enumerate() {
                            if let Some(s) = doc.get(*b, "States") {
                                let mut bp = p.clone();
                                bp.extend(["Branches".into(), i.to_string(), "States".into()]);
                                stack.push((s, bp));
                            }
                        }
                    }
                }
                "Map" => {
                    for key in ["ItemProcessor", "Iterator"] {
                        if let Some(s) = doc.get_path(st, &[key, "States"]) {
                            let mut bp = p.clone();
                            bp.extend([key.to_string(), "States".into()]);
                            stack.push((s, bp));
                        }
                    }
                }
                "Task" => out.push(task(tpl, def, subs, name, key_span, st, p)),
                _ => {}
            }
        }
    }
    // Definition order for stable output.
    out.sort_by(|a, b| (a.location.start(), &a.path).cmp(&(b.location.start(), &b.path)));
    out
}

/// The function of this template a `lambda:invoke` task names in `Parameters.FunctionName`
/// (or `Arguments.FunctionName` in JSONata definitions).
fn invoked_function(
    tpl: &Template,
    def: &Def<'_>,
    subs: &HashMap<String, Option<Subst>>,
    st: NodeId,
) -> Option<String> {
    let doc = def.doc;
    let n = doc
        .get_path(st, &["Parameters", "FunctionName"])
        .or_else(|| doc.get_path(st, &["Arguments", "FunctionName"]))?;
    if let Some(s) = doc.as_str(n) {
        for v in sub_variables(s) {
            if let Some(Some(Subst::Function(f))) = subs.get(&v) {
                return Some(f.clone());
            }
        }
        // A function name or ARN written out (after `Fn::Sub`): a resource of the template?
        let name = s.rsplit(':').next().unwrap_or(s);
        return tpl
            .resource(name)
            .filter(|r| {
                r.type_ == "AWS::Lambda::Function" || r.type_ == "AWS::Serverless::Function"
            })
            .map(|r| r.id.clone());
    }
    if def.in_template
        && let Some(Subst::Function(f)) = classify_target(tpl, &tpl.target(n))
    {
        return Some(f);
    }
    None
}

fn task(
    tpl: &Template,
    def: &Def<'_>,
    subs: &HashMap<String, Option<Subst>>,
    name: &str,
    key_span: Span,
    st: NodeId,
    path: Vec<String>,
) -> Task {
    let doc = def.doc;
    let has = |k: &str| doc.get(st, k).is_some();
    let lookup = |v: &str| -> Option<Subst> { subs.get(v).cloned().flatten() };
    let (resource_text, resource) = match doc.get(st, "Resource") {
        None => (String::new(), TaskResource::Unknown("no `Resource`".into())),
        Some(r) => {
            if let Some(s) = doc.as_str(r) {
                // `${Name}` of DefinitionSubstitutions.
                let mut function = None;
                let mut activity = None;
                let mut text = s.to_string();
                for v in sub_variables(s) {
                    match lookup(&v) {
                        Some(x) => {
                            match &x {
                                Subst::Function(f) => function = Some(f.clone()),
                                Subst::Activity(a) => activity = Some(a.clone()),
                                Subst::Text(_) => {}
                            }
                            text = text.replace(&format!("${{{v}}}"), &subst_text(&x));
                        }
                        None if v.starts_with("AWS::") => {
                            let pseudo = if v == "AWS::Partition" {
                                "aws"
                            } else {
                                "PSEUDO"
                            };
                            text = text.replace(&format!("${{{v}}}"), pseudo);
                        }
                        None => {}
                    }
                }
                // A function named in the text (after `Fn::Sub` of a `DefinitionString`).
                if function.is_none()
                    && let Some(i) = text.find(":function:")
                {
                    let fname = text.get(i + 10..).unwrap_or("");
                    let fname = fname.split(':').next().unwrap_or("");
                    if tpl.resource(fname).is_some() {
                        function = Some(fname.to_string());
                    }
                }
                let c = classify_resource(&text, function, activity);
                (text, c)
            } else if def.in_template {
                // An intrinsic in a template `Definition` (`!GetAtt Fn.Arn`, `!Ref Activity`).
                match classify_target(tpl, &tpl.target(r)) {
                    Some(x) => {
                        let text = subst_text(&x);
                        let (f, a) = match &x {
                            Subst::Function(f) => (Some(f.clone()), None),
                            Subst::Activity(a) => (None, Some(a.clone())),
                            Subst::Text(_) => (None, None),
                        };
                        let c = classify_resource(&text, f, a);
                        (text, c)
                    }
                    None => (
                        String::new(),
                        TaskResource::Unknown("`Resource` is computed".into()),
                    ),
                }
            } else {
                (
                    String::new(),
                    TaskResource::Unknown("`Resource` is not a string".into()),
                )
            }
        }
    };
    // `lambda:invoke` names its function in `Parameters` / `Arguments`.
    let resource = match resource {
        TaskResource::Lambda {
            function: None,
            integration: true,
            pattern,
        } => TaskResource::Lambda {
            function: invoked_function(tpl, def, subs, st),
            integration: true,
            pattern,
        },
        other => other,
    };
    let mut computed = false;
    let mut retry_errors = Vec::new();
    if let Some(r) = doc.get(st, "Retry") {
        match doc.as_seq(r) {
            Some(items) => {
                for it in items {
                    let attempts = doc
                        .get(*it, "MaxAttempts")
                        .map(|n| match doc.value(n) {
                            Value::Number { num, .. } => *num,
                            _ => 1.0,
                        })
                        .unwrap_or(3.0);
                    if attempts <= 0.0 {
                        continue;
                    }
                    match doc.get(*it, "ErrorEquals").and_then(|e| doc.as_seq(e)) {
                        Some(errs) => {
                            retry_errors.extend(errs.iter().filter_map(|e| doc.scalar_text(*e)))
                        }
                        None => computed = true,
                    }
                }
            }
            None => computed = true,
        }
    }
    let catch = match doc.get(st, "Catch") {
        Some(c) => match doc.as_seq(c) {
            Some(items) => !items.is_empty(),
            None => {
                computed = true;
                false
            }
        },
        None => false,
    };
    let location = match (&def.fixed, &def.file) {
        (Some(s), _) => Location::Template(*s),
        (None, Some(f)) => Location::File(Arc::clone(f), key_span),
        (None, None) => Location::Template(key_span),
    };
    Task {
        name: name.to_string(),
        path,
        location,
        resource_text,
        resource,
        timeout: has("TimeoutSeconds") || has("TimeoutSecondsPath"),
        heartbeat: has("HeartbeatSeconds") || has("HeartbeatSecondsPath"),
        retry_errors,
        computed,
        catch,
    }
}

fn machine(tpl: &Template, scope: &Scope, r: &crate::model::Resource) -> Option<StateMachine> {
    let sam = match r.type_.as_str() {
        SAM_MACHINE => true,
        SFN_MACHINE => false,
        _ => return None,
    };
    let doc = &tpl.doc;
    let props = r.properties;
    let prop = |k: &str| props.and_then(|p| doc.get(p, k));
    let type_key = if sam { "Type" } else { "StateMachineType" };
    let express = match prop(type_key) {
        None => Known::Yes(false),
        Some(n) => match tpl.string(n) {
            Known::Yes(s) => Known::Yes(s.eq_ignore_ascii_case("EXPRESS")),
            Known::Unknown(w) => Known::Unknown(w),
        },
    };
    let subs = substitutions(tpl, prop("DefinitionSubstitutions"));
    let mut out = StateMachine {
        id: r.id.clone(),
        sam,
        key_span: r.key_span,
        express,
        timeout: false,
        tasks: Known::Unknown("no definition".into()),
        file: None,
        unread: None,
    };
    if let Some(d) = prop("Definition") {
        if doc.as_map(d).is_none() || doc.intrinsic(d).is_some() {
            out.tasks = Known::Unknown("`Definition` is computed".into());
            return Some(out);
        }
        out.timeout = doc.get(d, "TimeoutSeconds").is_some();
        let def = Def {
            doc,
            root: d,
            fixed: None,
            file: None,
            in_template: true,
        };
        out.tasks = Known::Yes(walk(tpl, &def, &subs));
        return Some(out);
    }
    if let Some(ds) = prop("DefinitionString") {
        let at = props
            .and_then(|p| tpl.key_span(p, "DefinitionString"))
            .unwrap_or_else(|| doc.span(ds));
        let text = match string_with_subs(tpl, ds, &subs) {
            Ok(t) => t,
            Err(why) => {
                out.tasks = Known::Unknown(why);
                return Some(out);
            }
        };
        let Ok(loaded) = crate::load::load(&text, Format::Json) else {
            out.tasks = Known::Unknown("`DefinitionString` is not valid JSON".into());
            return Some(out);
        };
        let Some(root) = loaded.doc.root else {
            return Some(out);
        };
        out.timeout = loaded.doc.get(root, "TimeoutSeconds").is_some();
        let def = Def {
            doc: &loaded.doc,
            root,
            fixed: Some(at),
            file: None,
            in_template: false,
        };
        out.tasks = Known::Yes(walk(tpl, &def, &HashMap::new()));
        return Some(out);
    }
    if let Some(uri) = prop("DefinitionUri") {
        let Some(rel) = doc.as_str(uri) else {
            out.tasks = Known::Unknown("`DefinitionUri` is in S3 or computed".into());
            return Some(out);
        };
        if rel.contains("://") {
            out.tasks = Known::Unknown("`DefinitionUri` is not a local file".into());
            return Some(out);
        }
        let base = tpl
            .file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = base.join(rel);
        let text = match scope.read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                let why = e.to_string();
                out.unread = Some(why.clone());
                out.tasks = Known::Unknown(why);
                return Some(out);
            }
        };
        let display_base = Path::new(&tpl.file.display)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let display = display_base.join(rel).to_string_lossy().replace('\\', "/");
        let display = display.strip_prefix("./").unwrap_or(&display).to_string();
        let file = Arc::new(SourceFile::new(path, display, text));
        let Ok(loaded) = crate::load::load(&file.text, file.format()) else {
            out.tasks = Known::Unknown(format!("`{rel}` does not parse"));
            return Some(out);
        };
        let Some(root) = loaded.doc.root else {
            return Some(out);
        };
        out.timeout = loaded.doc.get(root, "TimeoutSeconds").is_some();
        let def = Def {
            doc: &loaded.doc,
            root,
            fixed: None,
            file: Some(Arc::clone(&file)),
            in_template: false,
        };
        out.tasks = Known::Yes(walk(tpl, &def, &subs));
        out.file = Some(file);
        return Some(out);
    }
    if prop("DefinitionS3Location").is_some() {
        out.tasks = Known::Unknown("the definition is in S3".into());
    }
    Some(out)
}

/// The text of a `DefinitionString`: a literal, `Fn::Sub` (variables of its map, template
/// resources, `DefinitionSubstitutions`), or `Fn::Join` of literals and references.
fn string_with_subs(
    tpl: &Template,
    node: NodeId,
    subs: &HashMap<String, Option<Subst>>,
) -> Result<String, String> {
    let doc = &tpl.doc;
    let resolve_var = |local: &HashMap<String, Option<Subst>>, v: &str| -> Option<String> {
        if let Some(x) = local.get(v) {
            return x.as_ref().map(subst_text);
        }
        if let Some(x) = subs.get(v) {
            return x.as_ref().map(subst_text);
        }
        let (id, attr) = match v.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (v, None),
        };
        if tpl.resource(id).is_some() {
            let t = Target::Resource {
                id: id.to_string(),
                attr: attr.map(str::to_string),
            };
            return classify_target(tpl, &t).map(|x| subst_text(&x));
        }
        match v {
            "AWS::Partition" => Some("aws".into()),
            "AWS::Region" => Some("REGION".into()),
            "AWS::AccountId" => Some("ACCOUNT".into()),
            _ => None,
        }
    };
    if let Some(s) = doc.as_str(node) {
        return Ok(substitute(s, &|v| resolve_var(&HashMap::new(), v)));
    }
    match doc.intrinsic(node) {
        Some(("Fn::Sub", arg)) => {
            let (text, vars) = match doc.as_str(arg) {
                Some(s) => (s, None),
                None => {
                    let items = doc.as_seq(arg).unwrap_or(&[]);
                    let t = items
                        .first()
                        .and_then(|n| doc.as_str(*n))
                        .ok_or("`Fn::Sub` of a computed string")?;
                    (t, items.get(1).copied())
                }
            };
            let local = substitutions(tpl, vars);
            Ok(substitute(text, &|v| resolve_var(&local, v)))
        }
        Some(("Fn::Join", arg)) => {
            let parts = doc.as_seq(arg).ok_or("computed `Fn::Join`")?;
            let sep = parts
                .first()
                .and_then(|n| doc.as_str(*n))
                .ok_or("computed `Fn::Join`")?;
            let items = parts
                .get(1)
                .and_then(|n| doc.as_seq(*n))
                .ok_or("computed `Fn::Join`")?;
            let mut pieces = Vec::new();
            for it in items {
                if let Some(s) = doc.scalar_text(*it) {
                    pieces.push(s);
                } else {
                    let t = tpl.target(*it);
                    pieces.push(
                        classify_target(tpl, &t)
                            .map(|x| subst_text(&x))
                            .unwrap_or_else(|| "UNKNOWN".into()),
                    );
                }
            }
            Ok(pieces.join(sep))
        }
        _ => Err("`DefinitionString` is computed".into()),
    }
}

/// Every state machine of the template; local definition files are read through `scope`.
pub fn collect(tpl: &Template, scope: &Scope) -> Vec<StateMachine> {
    tpl.resources
        .values()
        .filter(|r| r.type_ == SFN_MACHINE || r.type_ == SAM_MACHINE)
        .filter_map(|r| machine(tpl, scope, r))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn substitution_keeps_json_valid() {
        let t = substitute(
            r#"{"Resource": "${Fn}", "TimeoutSeconds": ${T}, "X": "${!Keep}"}"#,
            &|v| (v == "Fn").then(|| "arn:\"q\"".to_string()),
        );
        assert_eq!(
            t,
            r#"{"Resource": "arn:\"q\"", "TimeoutSeconds": null, "X": "${Keep}"}"#
        );
    }

    #[test]
    fn resources() {
        assert!(matches!(
            classify_resource(
                "arn:aws:states:::lambda:invoke.waitForTaskToken",
                None,
                None
            ),
            TaskResource::Lambda {
                integration: true,
                pattern: Pattern::WaitForTaskToken,
                ..
            }
        ));
        assert!(matches!(
            classify_resource("arn:aws:states:::ecs:runTask.sync", None, None),
            TaskResource::Service {
                pattern: Pattern::Sync,
                ..
            }
        ));
        assert!(matches!(
            classify_resource("arn:aws:states:::states:startExecution.sync:2", None, None),
            TaskResource::Service {
                pattern: Pattern::Sync,
                ..
            }
        ));
        assert!(matches!(
            classify_resource("arn:aws:lambda:us-east-1:123:function:f", None, None),
            TaskResource::Lambda {
                integration: false,
                ..
            }
        ));
        assert!(matches!(
            classify_resource("arn:aws:states:us-east-1:123:activity:a", None, None),
            TaskResource::Activity(_)
        ));
        assert!(matches!(
            classify_resource("${Unknown}", None, None),
            TaskResource::Unknown(_)
        ));
    }
}
