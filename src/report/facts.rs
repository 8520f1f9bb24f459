//! Per-function facts for the report table: configuration as the template states it, with the
//! unknown kept unknown (parameters, imports, conditions are shown as such, never guessed).

use crate::graph::collect_refs;
use crate::load::NodeId;
use crate::model::iam::FunctionIam;
use crate::model::{App, Function, Known, Target};
use crate::report::Finding;

/// One cell: a value and, when it is not the function's own, where it comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub value: String,
    /// `Some("Globals")`, `Some("default")`, `Some("unknown")`...
    pub note: Option<String>,
}

impl Cell {
    fn new(value: impl Into<String>, note: Option<&str>) -> Cell {
        Cell {
            value: value.into(),
            note: note.map(str::to_string),
        }
    }

    /// Value and note as one text.
    pub fn text(&self) -> String {
        match &self.note {
            Some(n) => format!("{} ({n})", self.value),
            None => self.value.clone(),
        }
    }
}

/// An invocation source.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// SAM event type or CloudFormation resource type.
    pub kind: String,
    /// sync / async / stream / queue / unknown.
    pub mode: String,
    /// Event name or the declaring resource.
    pub name: String,
    /// The queue, stream, topic or bucket, when in the template.
    pub source: Option<String>,
}

impl Invocation {
    /// `Api `CreateOrder` (sync) from `Queue`` (markdown-style backticks).
    pub fn describe(&self) -> String {
        let src = self
            .source
            .as_ref()
            .map(|x| format!(" from `{x}`"))
            .unwrap_or_default();
        format!("{} `{}` ({}){src}", self.kind, self.name, self.mode)
    }
}

impl IamBreadth {
    /// What makes the role broad, one item each (empty: scoped); see [`IamBreadth::scoped`].
    pub fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if !self.wildcard_actions.is_empty() {
            parts.push(format!(
                "wildcard actions: {}",
                self.wildcard_actions
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.star_resources > 0 {
            parts.push(format!(
                "{} statement{} on `*` resources",
                self.star_resources,
                if self.star_resources == 1 { "" } else { "s" }
            ));
        }
        if !self.managed.is_empty() {
            parts.push(format!("managed: {}", self.managed.join(", ")));
        }
        if let Some(why) = &self.incomplete {
            parts.push(format!("incomplete ({why})"));
        }
        parts
    }

    /// The text for a role with no broad part.
    pub fn scoped(&self) -> String {
        if self.statements == 0 {
            "no permissions".into()
        } else {
            format!(
                "scoped ({} statement{})",
                self.statements,
                if self.statements == 1 { "" } else { "s" }
            )
        }
    }
}

/// IAM breadth of the execution role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IamBreadth {
    /// Allowed actions with wildcards (`*`, `s3:*`, `s3:Get*`) or `NotAction`.
    pub wildcard_actions: Vec<String>,
    /// Allow statements with `Resource: "*"`.
    pub star_resources: usize,
    /// Managed policies by name (the last part of the ARN) or as written.
    pub managed: Vec<String>,
    pub statements: usize,
    /// Where the role comes from when its policies are not visible.
    pub incomplete: Option<String>,
}

/// What handler analysis says about a function: one line per fact, or why there is no source.
#[derive(Debug, Clone, PartialEq)]
pub enum HandlerFacts {
    /// No analysable source, with the reason when known (code in S3, container image, ...).
    NotAnalysed(Option<String>),
    Analysed(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct FunctionFacts {
    pub id: String,
    pub kind: String,
    pub handler: Option<String>,
    pub runtime: Cell,
    pub memory: Cell,
    pub timeout: Cell,
    pub invocations: Vec<Invocation>,
    pub failure_destinations: Vec<String>,
    pub vpc: Cell,
    pub egress: Vec<String>,
    pub reserved_concurrency: Cell,
    pub database_links: Vec<String>,
    pub iam: IamBreadth,
    pub handler_facts: HandlerFacts,
    /// Findings whose resource is this function, by severity (error, warning, info).
    pub findings: super::Counts,
}

/// Text of a scalar or the reason it is unknown.
fn value_cell(app: &App, node: NodeId, note: Option<&str>) -> Cell {
    let tpl = &app.tpl;
    if let Some(s) = tpl.doc.scalar_text(node) {
        return Cell::new(s, note);
    }
    match tpl.target(node) {
        Target::Parameter(p) => Cell::new(format!("parameter `{p}`"), Some("unknown")),
        Target::Resource { id, .. } => Cell::new(format!("`{id}`"), Some("reference")),
        Target::Literal(s) => Cell::new(s, note),
        Target::Unknown(why) => Cell::new(why, Some("unknown")),
    }
}

fn prop_cell(app: &App, f: &Function, name: &str, default: Option<&str>) -> Cell {
    match f.prop(&app.tpl, name) {
        Some(p) => value_cell(app, p.node, p.from_globals.then_some("Globals")),
        None => match default {
            Some(d) => Cell::new(d, Some("default")),
            None => Cell::new("—", None),
        },
    }
}

fn describe_target(app: &App, node: NodeId) -> String {
    match app.tpl.target(node) {
        Target::Resource { id, .. } => {
            let t = app.tpl.resource(&id).map_or("", |r| r.type_.as_str());
            format!("`{id}` ({})", short_type(t))
        }
        Target::Literal(s) => s,
        Target::Parameter(p) => format!("parameter `{p}` (unknown)"),
        Target::Unknown(why) => format!("unknown: {why}"),
    }
}

/// `AWS::SQS::Queue` -> `SQS Queue`.
pub fn short_type(t: &str) -> String {
    let t = t.strip_prefix("AWS::").unwrap_or(t);
    t.replace("::", " ")
}

fn failure_destinations(app: &App, f: &Function) -> Vec<String> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out = Vec::new();
    if let Some(p) = f.prop(tpl, "DeadLetterQueue") {
        let target = doc
            .get(p.node, "TargetArn")
            .map_or_else(|| "?".to_string(), |n| describe_target(app, n));
        let g = if p.from_globals { " (Globals)" } else { "" };
        out.push(format!("DeadLetterQueue → {target}{g}"));
    }
    if let Some(p) = f.prop(tpl, "DeadLetterConfig") {
        let target = doc
            .get(p.node, "TargetArn")
            .map_or_else(|| "?".to_string(), |n| describe_target(app, n));
        out.push(format!("DeadLetterConfig → {target}"));
    }
    if let Some(p) = f.prop(tpl, "EventInvokeConfig")
        && let Some(d) = doc.get_path(p.node, &["DestinationConfig", "OnFailure", "Destination"])
    {
        let g = if p.from_globals { " (Globals)" } else { "" };
        out.push(format!("OnFailure → {}{g}", describe_target(app, d)));
    }
    for r in tpl.resources_of("AWS::Lambda::EventInvokeConfig") {
        if tpl
            .prop(r, "FunctionName")
            .and_then(|n| tpl.ref_resource(n))
            == Some(f.id.as_str())
            && let Some(d) = tpl
                .prop(r, "DestinationConfig")
                .and_then(|n| doc.get_path(n, &["OnFailure", "Destination"]))
        {
            out.push(format!(
                "OnFailure → {} (`{}`)",
                describe_target(app, d),
                r.id
            ));
        }
    }
    // Stream and queue sources carry their own failure handling.
    for e in app.events_of(&f.id) {
        if let Some(props) = e.props
            && let Some(d) = doc.get_path(props, &["DestinationConfig", "OnFailure", "Destination"])
        {
            let name = e.name.clone().unwrap_or_else(|| e.declared_in.clone());
            out.push(format!("{name} OnFailure → {}", describe_target(app, d)));
        }
    }
    out
}

fn vpc(app: &App, f: &Function) -> (Cell, Vec<String>) {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let Some(p) = f.prop(tpl, "VpcConfig") else {
        return (Cell::new("no VPC", None), Vec::new());
    };
    let note = p.from_globals.then_some("Globals");
    let Some(subnets) = doc.get(p.node, "SubnetIds") else {
        return (Cell::new("VpcConfig without SubnetIds", note), Vec::new());
    };
    let mut names = Vec::new();
    let mut egress = Vec::new();
    let mut unknown = false;
    let items = match doc.as_seq(subnets) {
        Some(s) => s.to_vec(),
        None => {
            // `!Ref SubnetListParameter` or a split import.
            unknown = true;
            names.push(match tpl.target(subnets) {
                Target::Parameter(p) => format!("parameter `{p}`"),
                Target::Unknown(why) => why,
                Target::Literal(l) => l,
                Target::Resource { id, .. } => format!("`{id}`"),
            });
            Vec::new()
        }
    };
    for s in items {
        match tpl.target(s) {
            Target::Resource { id, .. } => {
                egress.extend(subnet_egress(app, &id));
                names.push(format!("`{id}`"));
            }
            Target::Literal(l) => {
                unknown = true;
                names.push(l);
            }
            Target::Parameter(p) => {
                unknown = true;
                names.push(format!("parameter `{p}`"));
            }
            Target::Unknown(why) => {
                unknown = true;
                names.push(why);
            }
        }
    }
    if unknown {
        egress.push("unknown (subnets from outside the template)".into());
    }
    egress.sort();
    egress.dedup();
    let mut cell = Cell::new(format!("subnets {}", names.join(", ")), note);
    if unknown {
        cell.note = Some("unknown".into());
    }
    (cell, egress)
}

/// Default route of a subnet: NAT gateway, internet gateway, or none (from the template only).
fn subnet_egress(app: &App, subnet: &str) -> Vec<String> {
    let tpl = &app.tpl;
    let mut tables = Vec::new();
    for a in tpl.resources_of("AWS::EC2::SubnetRouteTableAssociation") {
        if tpl.prop(a, "SubnetId").and_then(|n| tpl.ref_resource(n)) == Some(subnet)
            && let Some(t) = tpl
                .prop(a, "RouteTableId")
                .and_then(|n| tpl.ref_resource(n))
        {
            tables.push(t.to_string());
        }
    }
    if tables.is_empty() {
        return vec![format!("`{subnet}`: no route table in the template")];
    }
    let mut out = Vec::new();
    for t in &tables {
        let mut found = false;
        for r in tpl.resources_of("AWS::EC2::Route") {
            if tpl
                .prop(r, "RouteTableId")
                .and_then(|n| tpl.ref_resource(n))
                != Some(t.as_str())
            {
                continue;
            }
            let cidr = tpl
                .prop(r, "DestinationCidrBlock")
                .and_then(|n| tpl.string(n).known());
            if cidr.as_deref() != Some("0.0.0.0/0") {
                continue;
            }
            for (k, label) in [
                ("NatGatewayId", "NAT gateway"),
                ("GatewayId", "internet gateway"),
                ("TransitGatewayId", "transit gateway"),
                ("InstanceId", "NAT instance"),
                ("VpcPeeringConnectionId", "peering"),
            ] {
                if let Some(n) = tpl.prop(r, k) {
                    found = true;
                    let target = match tpl.ref_resource(n) {
                        Some(id) => format!("`{id}`"),
                        None => "(outside the template)".into(),
                    };
                    out.push(format!("`{subnet}` → `{t}` → {label} {target}"));
                }
            }
        }
        if !found {
            out.push(format!("`{subnet}` → `{t}`: no 0.0.0.0/0 route"));
        }
    }
    for e in tpl.resources_of("AWS::EC2::VPCEndpoint") {
        let mut refs = Vec::new();
        if let Some(p) = e.properties {
            collect_refs(tpl, p, &mut refs);
        }
        if refs.iter().any(|r| r == subnet || tables.contains(r)) {
            let svc = tpl
                .prop(e, "ServiceName")
                .and_then(|n| tpl.string(n).known())
                .or_else(|| {
                    tpl.prop(e, "ServiceName")
                        .and_then(|n| tpl.doc.intrinsic(n))
                        .and_then(|(_, a)| {
                            tpl.doc
                                .as_str(a)
                                .or_else(|| {
                                    tpl.doc
                                        .as_seq(a)
                                        .and_then(|s| s.first())
                                        .and_then(|x| tpl.doc.as_str(*x))
                                })
                                .map(str::to_string)
                        })
                })
                .unwrap_or_else(|| "?".into());
            let svc = svc.rsplit('.').next().unwrap_or(&svc).to_string();
            out.push(format!("VPC endpoint `{}` ({svc})", e.id));
        }
    }
    out
}

const DB_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBProxy",
    "AWS::RDS::DBProxyEndpoint",
];

fn database_links(app: &App, f: &Function) -> Vec<String> {
    let tpl = &app.tpl;
    let mut out = Vec::new();
    for p in f.nested(tpl, &["Environment", "Variables"]) {
        let Some(m) = tpl.doc.as_map(p.node) else {
            continue;
        };
        for (var, _, node) in m.iter() {
            let mut refs = Vec::new();
            collect_refs(tpl, node, &mut refs);
            for r in refs {
                if let Some(res) = tpl.resource(&r)
                    && DB_TYPES.contains(&res.type_.as_str())
                {
                    let g = if p.from_globals { " (Globals)" } else { "" };
                    out.push(format!("{var} → `{r}` ({}){g}", short_type(&res.type_)));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_wildcard_action(a: &str) -> bool {
    a.contains('*')
}

fn iam_breadth(f: &Function, iam: Option<&FunctionIam>) -> IamBreadth {
    let mut b = IamBreadth::default();
    let Some(iam) = iam else {
        b.incomplete = Some("no role information".into());
        return b;
    };
    b.statements = iam.statements.len();
    for s in iam.statements.iter().filter(|s| s.allow) {
        for a in &s.actions {
            if let Known::Yes(v) = &a.value
                && (s.not_action || is_wildcard_action(v))
            {
                let v = if s.not_action {
                    format!("NotAction {v}")
                } else {
                    v.clone()
                };
                if !b.wildcard_actions.contains(&v) {
                    b.wildcard_actions.push(v);
                }
            }
        }
        if s.resources
            .iter()
            .any(|r| matches!(&r.value, Known::Yes(v) if v == "*"))
        {
            b.star_resources += 1;
        }
    }
    for m in &iam.managed {
        let name = match &m.arn {
            Known::Yes(a) => a.rsplit('/').next().unwrap_or(a).to_string(),
            Known::Unknown(why) => format!("unknown ({why})"),
        };
        b.managed.push(name);
    }
    if !iam.complete {
        b.incomplete = Some(match &f.role {
            crate::model::RoleRef::External(why) => format!("external role: {why}"),
            crate::model::RoleRef::Missing => "no role".into(),
            _ => "some policies are computed".into(),
        });
    }
    b
}

/// Handler facts of a function, one line each: the source file, SDK clients and where they are
/// created, the IAM actions the code calls, HTTP calls without a timeout, database connections,
/// parameter/secret fetches, the forwarding shape, parse errors.
pub fn handler_facts(
    app: &App,
    f: &Function,
    handlers: Option<&crate::handler::HandlerFacts>,
) -> HandlerFacts {
    let Some(all) = handlers else {
        return HandlerFacts::NotAnalysed(None);
    };
    let Some(h) = all.get(&f.id) else {
        return HandlerFacts::NotAnalysed(all.notes.get(&f.id).cloned());
    };
    let line = |span: crate::source::Span| h.file.line_col(span.start).line;
    // `line N` in the handler file, `file:N` in another module.
    let place_of = |file: &std::sync::Arc<crate::source::SourceFile>, span: crate::source::Span| {
        let n = file.line_col(span.start).line;
        if std::sync::Arc::ptr_eq(file, &h.file) {
            format!("line {n}")
        } else {
            format!("`{}:{n}`", file.display)
        }
    };
    let place = |in_handler: bool| {
        if in_handler {
            "per invocation"
        } else {
            "at init"
        }
    };
    // The source path relative to the template's folder (the table is narrow).
    let tpl_dir = std::path::Path::new(&app.tpl.file.display)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let source = std::path::Path::new(&h.file.display)
        .strip_prefix(tpl_dir)
        .map_or_else(|_| h.file.display.clone(), |p| p.display().to_string());
    let mut out = vec![format!(
        "source `{}`{}",
        source,
        if h.handler_found {
            format!(" (`{}` line {})", h.handler_name, line(h.handler_span))
        } else {
            format!(" (`{}` not found)", h.handler_name)
        }
    )];
    if let Some(e) = h.parse_error {
        out.push(format!("parse error at line {}", line(e)));
    }
    let mut clients: Vec<String> = h
        .clients
        .iter()
        .map(|c| format!("{} ({})", c.service, place(c.in_handler)))
        .collect();
    clients.dedup();
    if !clients.is_empty() {
        out.push(format!("SDK clients: {}", clients.join(", ")));
    }
    let mut actions: Vec<String> = h.calls.iter().map(|c| c.action()).collect();
    actions.sort();
    actions.dedup();
    if !actions.is_empty() {
        out.push(format!("calls: {}", actions.join(", ")));
    }
    for x in &h.http {
        out.push(format!(
            "HTTP `{}` {}{}",
            x.callee,
            place_of(&x.file, x.span),
            if x.has_timeout {
                ""
            } else {
                " without timeout"
            }
        ));
    }
    for d in &h.db {
        out.push(format!(
            "database `{}` connection {} ({})",
            d.driver,
            place(d.in_handler),
            place_of(&d.file, d.span)
        ));
    }
    for p in &h.params {
        out.push(format!(
            "{}:{} {}{} ({})",
            p.service,
            p.operation,
            place(p.in_handler),
            if p.cached { ", cached" } else { "" },
            place_of(&p.file, p.span)
        ));
    }
    if let Some(fw) = &h.forward {
        out.push(format!("only forwards the event to `{}`", fw.call.action()));
    }
    if h.files.len() > 1 {
        let others: Vec<String> = h
            .files
            .iter()
            .skip(1)
            .filter(|f| !std::sync::Arc::ptr_eq(f, &app.tpl.file))
            .map(|f| format!("`{}`", f.display))
            .collect();
        if !others.is_empty() {
            out.push(format!("local modules: {}", others.join(", ")));
        }
    }
    if !h.complete {
        out.push(format!("partial: {}", h.incomplete.join("; ")));
    }
    HandlerFacts::Analysed(out)
}

pub fn function_facts(
    app: &App,
    f: &Function,
    handlers: Option<&crate::handler::HandlerFacts>,
    findings: &[Finding],
) -> FunctionFacts {
    let tpl = &app.tpl;
    let invocations = app
        .events_of(&f.id)
        .map(|e| Invocation {
            kind: if e.kind.starts_with("AWS::") {
                short_type(&e.kind)
            } else {
                e.kind.clone()
            },
            mode: e.mode.as_str().to_string(),
            name: e.name.clone().unwrap_or_else(|| e.declared_in.clone()),
            source: e.source.clone(),
        })
        .collect();
    let (vpc, egress) = vpc(app, f);
    let image = f
        .prop(tpl, "PackageType")
        .and_then(|p| tpl.doc.as_str(p.node))
        == Some("Image");
    let runtime = if image && f.prop(tpl, "Runtime").is_none() {
        Cell::new("container image", None)
    } else {
        prop_cell(app, f, "Runtime", None)
    };
    let mut counts = super::Counts::default();
    for x in findings
        .iter()
        .filter(|x| x.resource.as_deref() == Some(f.id.as_str()))
    {
        counts.add(x.severity);
    }
    FunctionFacts {
        id: f.id.clone(),
        kind: if f.sam {
            "AWS::Serverless::Function".into()
        } else {
            "AWS::Lambda::Function".into()
        },
        handler: f
            .prop(tpl, "Handler")
            .and_then(|p| tpl.doc.scalar_text(p.node)),
        runtime,
        memory: prop_cell(app, f, "MemorySize", Some("128")),
        timeout: prop_cell(app, f, "Timeout", Some("3")),
        invocations,
        failure_destinations: failure_destinations(app, f),
        vpc,
        egress,
        reserved_concurrency: match f.prop(tpl, "ReservedConcurrentExecutions") {
            Some(_) => prop_cell(app, f, "ReservedConcurrentExecutions", None),
            None => Cell::new("none", None),
        },
        database_links: database_links(app, f),
        iam: iam_breadth(f, app.iam.get(&f.id)),
        handler_facts: handler_facts(app, f, handlers),
        findings: counts,
    }
}
