//! Lowering a `serverless.yml` into the CloudFormation the Framework (v3) would generate, with
//! every node carrying the span of the `serverless.yml` text it comes from. Generated defaults
//! (the 6-second timeout, the execution role) point at the key that implies them.
//!
//! Logical ids follow the Framework's naming (`lib/plugins/aws/lib/naming.js`): function
//! `create-order` is `CreateDashorderLambdaFunction`, its SQS mapping
//! `CreateDashorderEventSourceMappingSQS<Queue>`, the shared role `IamRoleLambdaExecution`, so
//! `!GetAtt CreateDashorderLambdaFunction.Arn` under `resources` resolves to the function.

use indexmap::IndexMap;

use super::vars::{Resolver, Val};
use crate::load::{Document, LoadError, MAX_NODES, Map, NodeId, Value};
use crate::model::dialect::{Reported, UNRESOLVED};
use crate::source::Span;

/// The Framework's defaults (not CloudFormation's).
pub const DEFAULT_TIMEOUT: f64 = 6.0;
pub const DEFAULT_MEMORY: f64 = 1024.0;

/// `_.upperFirst`.
fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `getNormalizedFunctionName`: `create-order` -> `CreateDashorder`.
pub fn normalized_function_name(name: &str) -> String {
    upper_first(&name.replace('-', "Dash").replace('_', "Underscore"))
}

/// `normalizeNameToAlphaNumericOnly`.
pub fn alnum_name(name: &str) -> String {
    upper_first(
        &name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    )
}

/// `getLambdaLogicalId`.
pub fn function_logical_id(name: &str) -> String {
    format!("{}LambdaFunction", normalized_function_name(name))
}

/// The generated template under construction.
pub struct Out {
    pub doc: Document,
    pub resources: IndexMap<String, (Span, NodeId)>,
    pub ids: std::collections::HashMap<String, Reported>,
    over_budget: bool,
}

type Entries<'a> = Vec<(&'a str, Span, NodeId)>;

impl Out {
    fn new() -> Self {
        Out {
            doc: Document::default(),
            resources: IndexMap::new(),
            ids: std::collections::HashMap::new(),
            over_budget: false,
        }
    }

    fn push(&mut self, v: Value, sp: Span) -> NodeId {
        if self.doc.nodes.len() >= MAX_NODES {
            self.over_budget = true;
            return NodeId(0);
        }
        self.doc.push(v, sp)
    }

    fn str(&mut self, s: &str, sp: Span) -> NodeId {
        self.push(Value::Str(s.into()), sp)
    }

    fn num(&mut self, n: f64, sp: Span) -> NodeId {
        self.push(
            Value::Number {
                num: n,
                text: format!("{n}").into(),
            },
            sp,
        )
    }

    fn map(&mut self, entries: Entries<'_>, sp: Span) -> NodeId {
        let mut m = Map::default();
        for (k, ks, v) in entries {
            m.entries.insert(k.into(), (ks, v));
        }
        self.push(Value::Map(m), sp)
    }

    fn seq(&mut self, items: Vec<NodeId>, sp: Span) -> NodeId {
        self.push(Value::Seq(items), sp)
    }

    fn intrinsic(&mut self, name: &str, arg: NodeId, sp: Span) -> NodeId {
        self.map(vec![(name, sp, arg)], sp)
    }

    fn unknown(&mut self, why: &str, sp: Span) -> NodeId {
        let a = self.str(why, sp);
        self.intrinsic(UNRESOLVED, a, sp)
    }

    fn get_att(&mut self, id: &str, attr: &str, sp: Span) -> NodeId {
        let a = self.str(id, sp);
        let b = self.str(attr, sp);
        let s = self.seq(vec![a, b], sp);
        self.intrinsic("Fn::GetAtt", s, sp)
    }

    fn ref_(&mut self, id: &str, sp: Span) -> NodeId {
        let a = self.str(id, sp);
        self.intrinsic("Ref", a, sp)
    }

    /// `Fn::Join ["", ["arn:", {Ref: AWS::Partition}, rest...]]`, as the Framework writes ARNs.
    fn partition_arn(&mut self, rest: &str, sp: Span) -> NodeId {
        let a = self.str("arn:", sp);
        let p = self.ref_("AWS::Partition", sp);
        let r = self.str(rest, sp);
        let parts = self.seq(vec![a, p, r], sp);
        let sep = self.str("", sp);
        let args = self.seq(vec![sep, parts], sp);
        self.intrinsic("Fn::Join", args, sp)
    }

    /// `Fn::Join ["", [parts...]]`: a literal is a string, `@X` a `Ref` to `X`.
    fn join(&mut self, parts: &[&str], sp: Span) -> NodeId {
        let items: Vec<NodeId> = parts
            .iter()
            .map(|p| match p.strip_prefix('@') {
                Some(r) => self.ref_(r, sp),
                None => self.str(p, sp),
            })
            .collect();
        let list = self.seq(items, sp);
        let sep = self.str("", sp);
        let args = self.seq(vec![sep, list], sp);
        self.intrinsic("Fn::Join", args, sp)
    }

    fn resource(
        &mut self,
        id: &str,
        type_: &str,
        props: Entries<'_>,
        sp: Span,
        reported: Option<Reported>,
    ) {
        let t = self.str(type_, sp);
        let p = self.map(props, sp);
        let r = self.map(vec![("Type", sp, t), ("Properties", sp, p)], sp);
        self.resources.insert(id.to_string(), (sp, r));
        if let Some(rep) = reported
            && rep.resource != id
        {
            self.ids.insert(id.to_string(), rep);
        }
    }

    /// Properties node of a generated resource.
    fn props_of(&self, id: &str) -> Option<NodeId> {
        let (_, r) = self.resources.get(id)?;
        self.doc.get(*r, "Properties")
    }

    /// Append to a sequence node.
    fn append(&mut self, seq: NodeId, v: NodeId) {
        if let Some(n) = self.doc.nodes.get_mut(seq.0 as usize)
            && let Value::Seq(s) = &mut n.value
        {
            s.push(v);
        }
    }

    /// Deep merge `over` into `base` (lodash `_.merge`, which is how the Framework merges
    /// `resources.Resources` into what it generated): maps merge key by key, anything else is
    /// replaced.
    fn merge(&mut self, base: NodeId, over: NodeId, depth: usize) -> NodeId {
        if depth > 64 {
            return over;
        }
        let (Some(bm), Some(om)) = (self.doc.as_map(base), self.doc.as_map(over)) else {
            return over;
        };
        let mut merged = bm.clone();
        let over_entries: Vec<(Box<str>, (Span, NodeId))> =
            om.entries.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (k, (ks, ov)) in over_entries {
            let nv = match merged.entries.get(&k).map(|(_, v)| *v) {
                Some(bv) => self.merge(bv, ov, depth + 1),
                None => ov,
            };
            merged.entries.insert(k, (ks, nv));
        }
        let sp = self.doc.span(base);
        self.doc.set(base, Value::Map(merged), sp);
        base
    }
}

/// Reads of the resolved configuration.
pub struct Cfg<'r, 'a> {
    pub r: &'r mut Resolver<'a>,
}

impl Cfg<'_, '_> {
    /// A child of a map value, variables resolved. `Some(Unknown)` when it may exist but cannot
    /// be known (the map merges a YAML alias with `<<`, or is itself unknown).
    pub fn get(&mut self, v: &Val, key: &str) -> Option<Val> {
        let Val::Node(src, node) = v else {
            return match v {
                Val::Unknown(w) => Some(Val::Unknown(w.clone())),
                _ => None,
            };
        };
        let (src, node) = (*src, *node);
        let child = match self.r.value(src, node) {
            Value::Map(m) => match m.get(key) {
                Some(c) => c,
                None if m.get("<<").is_some() => {
                    return Some(Val::Unknown(
                        "merged from a YAML anchor (`<<: *...`), which lambdalint does not expand"
                            .into(),
                    ));
                }
                None => return None,
            },
            _ => return None,
        };
        let v = self.r.resolve(Val::Node(src, child));
        match &v {
            Val::Node(s, n) if matches!(self.r.value(*s, *n), Value::Null) => None,
            _ => Some(v),
        }
    }

    pub fn path(&mut self, v: &Val, path: &[&str]) -> Option<Val> {
        let mut cur = v.clone();
        for k in path {
            cur = self.get(&cur, k)?;
        }
        Some(cur)
    }

    pub fn text(&mut self, v: &Val) -> Option<String> {
        self.r.scalar_text(v)
    }

    /// Entries of a map value (keys with their shifted spans), in order.
    pub fn entries(&mut self, v: &Val) -> Vec<(String, Span, Val)> {
        let Val::Node(src, node) = v else {
            return Vec::new();
        };
        let (src, node) = (*src, *node);
        let items: Vec<(String, Span, NodeId)> = match self.r.value(src, node) {
            Value::Map(m) => m
                .iter()
                .filter(|(k, _, _)| *k != "<<")
                .map(|(k, s, n)| (k.to_string(), s, n))
                .collect(),
            _ => return Vec::new(),
        };
        items
            .into_iter()
            .map(|(k, s, n)| {
                let v = self.r.resolve(Val::Node(src, n));
                (k, self.r.shift(src, s), v)
            })
            .collect()
    }

    /// Items of a list value (each resolved).
    pub fn items(&mut self, v: &Val) -> Vec<Val> {
        let Val::Node(src, node) = v else {
            return Vec::new();
        };
        let (src, node) = (*src, *node);
        let items: Vec<NodeId> = match self.r.value(src, node) {
            Value::Seq(s) => s.clone(),
            _ => return Vec::new(),
        };
        items
            .into_iter()
            .map(|n| self.r.resolve(Val::Node(src, n)))
            .collect()
    }

    pub fn is_map(&self, v: &Val) -> bool {
        matches!(v, Val::Node(s, n) if matches!(self.r.value(*s, *n), Value::Map(_)))
    }

    pub fn is_seq(&self, v: &Val) -> bool {
        matches!(v, Val::Node(s, n) if matches!(self.r.value(*s, *n), Value::Seq(_)))
    }

    /// Span of a value in the lowered offset space (`at` for computed strings).
    pub fn span(&self, v: &Val, at: Span) -> Span {
        match v {
            Val::Node(s, n) => self.r.span(*s, *n),
            _ => at,
        }
    }

    /// Copy a value into the generated template, variables resolved. Scalars that came from a
    /// variable take the span of the text that referenced them (`at`).
    pub fn copy(&mut self, out: &mut Out, v: &Val, at: Span) -> NodeId {
        self.copy_depth(out, v, at, None, 0)
    }

    fn copy_depth(
        &mut self,
        out: &mut Out,
        v: &Val,
        at: Span,
        scalar_at: Option<Span>,
        depth: usize,
    ) -> NodeId {
        if depth > crate::load::MAX_DEPTH || out.over_budget {
            return out.unknown("nested too deep", at);
        }
        match v {
            Val::Str(s) => out.str(s, at),
            Val::Unknown(why) => out.unknown(why, at),
            Val::Node(src, node) => {
                let (src, node) = (*src, *node);
                let own = self.r.span(src, node);
                let value = self.r.value(src, node).clone();
                match value {
                    Value::Str(s) if s.contains("${") => {
                        let here = scalar_at.unwrap_or(own);
                        let rv = self.r.resolve(Val::Node(src, node));
                        match rv {
                            Val::Node(s2, n2) if (s2, n2) == (src, node) => out.str(&s, here),
                            other => self.copy_depth(out, &other, here, Some(here), depth + 1),
                        }
                    }
                    Value::Map(m) => {
                        let items: Vec<(String, Span, NodeId)> = m
                            .iter()
                            .filter(|(k, _, _)| *k != "<<")
                            .map(|(k, s, n)| (k.to_string(), s, n))
                            .collect();
                        let mut map = Map::default();
                        for (k, ks, n) in items {
                            let c = self.copy_depth(out, &Val::Node(src, n), own, None, depth + 1);
                            map.entries.insert(k.into(), (self.r.shift(src, ks), c));
                        }
                        out.push(Value::Map(map), own)
                    }
                    Value::Seq(items) => {
                        let mut v2 = Vec::with_capacity(items.len());
                        for n in items {
                            v2.push(self.copy_depth(out, &Val::Node(src, n), own, None, depth + 1));
                        }
                        out.push(Value::Seq(v2), own)
                    }
                    Value::Alias => out.unknown(
                        "a YAML alias (lambdalint does not expand anchors)",
                        scalar_at.unwrap_or(own),
                    ),
                    other => out.push(other, scalar_at.unwrap_or(own)),
                }
            }
        }
    }
}

/// One function of `functions:`.
struct Func {
    name: String,
    key_span: Span,
    cfg: Val,
    id: String,
    norm: String,
    /// Gets a generated role (the shared one, or its own with `per_fn_role`).
    default_role: bool,
    /// `serverless-iam-roles-per-function`: the function's `iamRoleStatements` make its own
    /// role, `<Norm>IamRoleLambdaExecution`.
    per_fn_role: bool,
    /// The generated role it uses.
    role_id: String,
}

/// Statements the generated role gets from events and destinations.
#[derive(Default)]
struct RoleExtras {
    statements: Vec<NodeId>,
    needs_vpc_policy: bool,
}

pub struct Lowered {
    pub doc: Document,
    pub ids: std::collections::HashMap<String, Reported>,
}

/// Lower the configuration read by `r` (its source 0 is `serverless.yml`).
pub fn lower(r: &mut Resolver<'_>) -> Result<Lowered, LoadError> {
    let mut out = Out::new();
    let mut c = Cfg { r };
    let Some(root) = c.r.root() else {
        return Err(LoadError {
            message: "empty `serverless.yml`".into(),
            span: Span::default(),
        });
    };
    let root_span = c.span(&root, Span::default());
    let top_key = |c: &mut Cfg<'_, '_>, k: &str| -> Span {
        match &root {
            Val::Node(s, n) => {
                c.r.doc(*s)
                    .and_then(|d| d.as_map(*n))
                    .and_then(|m| m.key_span(k))
                    .map_or(root_span, |sp| c.r.shift(*s, sp))
            }
            _ => root_span,
        }
    };
    let provider_span = top_key(&mut c, "provider");
    let functions_span = top_key(&mut c, "functions");
    let service = match c.get(&root, "service") {
        Some(v) if c.is_map(&v) => c
            .get(&v, "name")
            .and_then(|n| c.text(&n))
            .unwrap_or_else(|| "service".into()),
        Some(v) => c.text(&v).unwrap_or_else(|| "service".into()),
        None => "service".into(),
    };
    let provider = c.get(&root, "provider").unwrap_or(Val::Str(String::new()));
    let stage = match c.path(&provider, &["stage"]) {
        Some(v) => c.text(&v).unwrap_or_else(|| "dev".into()),
        None => "dev".into(),
    };
    let version = c
        .get(&root, "frameworkVersion")
        .and_then(|v| c.text(&v))
        .unwrap_or_default();
    let v3 = {
        let digits: String = version
            .chars()
            .skip_while(|ch| !ch.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits == "3"
    };
    let prefix = format!("{service}-{stage}");

    // Functions: a map, or a list of maps (each possibly a `${file()}`).
    let mut funcs: Vec<Func> = Vec::new();
    let mut fn_maps: Vec<Val> = Vec::new();
    if let Some(f) = c.get(&root, "functions") {
        if c.is_seq(&f) {
            fn_maps.extend(c.items(&f));
        } else {
            fn_maps.push(f);
        }
    }
    // The role: a string (name or ARN) means no generated role.
    let provider_role = c
        .path(&provider, &["iam", "role"])
        .filter(|v| !c.is_map(v) || c.get(v, "Fn::GetAtt").is_some() || c.get(v, "Ref").is_some())
        .or_else(|| c.get(&provider, "role"));
    let user_resources = collect_user_resources(&mut c, &root);
    let per_fn_plugin = has_plugin(&mut c, &root, "serverless-iam-roles-per-function");
    let default_inherit = c
        .path(
            &root,
            &[
                "custom",
                "serverless-iam-roles-per-function",
                "defaultInherit",
            ],
        )
        .and_then(|v| c.text(&v))
        .is_some_and(|t| t == "true");
    for m in &fn_maps {
        for (name, key_span, cfg) in c.entries(m) {
            if !c.is_map(&cfg) {
                continue;
            }
            let norm = normalized_function_name(&name);
            let own_role = c.get(&cfg, "role").is_some();
            let per_fn_role =
                per_fn_plugin && !own_role && c.get(&cfg, "iamRoleStatements").is_some();
            funcs.push(Func {
                id: format!("{norm}LambdaFunction"),
                role_id: if per_fn_role {
                    format!("{norm}IamRoleLambdaExecution")
                } else {
                    "IamRoleLambdaExecution".into()
                },
                norm,
                name,
                key_span,
                cfg,
                default_role: per_fn_role || (!own_role && provider_role.is_none()),
                per_fn_role,
            });
        }
    }

    let mut extras = RoleExtras::default();
    let mut s3_buckets: IndexMap<String, (Span, Vec<NodeId>)> = IndexMap::new();
    let mut event_counter = 0usize;
    for f in &funcs {
        let mut own = RoleExtras::default();
        let ex = if f.per_fn_role { &mut own } else { &mut extras };
        lower_function(
            &mut c,
            &mut out,
            f,
            &provider,
            &provider_role,
            &user_resources,
            &prefix,
            v3,
            ex,
        );
        lower_events(
            &mut c,
            &mut out,
            f,
            &prefix,
            ex,
            &mut s3_buckets,
            &mut event_counter,
        );
        if f.per_fn_role {
            lower_function_role(
                &mut c,
                &mut out,
                f,
                &provider,
                &prefix,
                default_inherit,
                own,
            );
        }
    }
    for (bucket, (sp, confs)) in s3_buckets {
        let id = format!("S3Bucket{}", alnum_name(&bucket));
        let name = out.str(&bucket, sp);
        let list = out.seq(confs, sp);
        let nc = out.map(vec![("LambdaConfigurations", sp, list)], sp);
        out.resource(
            &id,
            "AWS::S3::Bucket",
            vec![
                ("BucketName", sp, name),
                ("NotificationConfiguration", sp, nc),
            ],
            sp,
            None,
        );
    }
    lower_api_stages(&mut c, &mut out, &provider, &service, &stage, &prefix);
    if funcs.iter().any(|f| f.default_role && !f.per_fn_role) {
        let role_span = c
            .path(&provider, &["iam", "role", "statements"])
            .or_else(|| c.get(&provider, "iamRoleStatements"))
            .map(|_| role_statements_key(&mut c, &provider))
            .unwrap_or(functions_span.max(provider_span));
        lower_role(&mut c, &mut out, &provider, &prefix, role_span, extras);
    }
    merge_user_resources(&mut c, &mut out, &root);

    // The template root.
    let mut res_map = Map::default();
    for (id, (sp, node)) in &out.resources {
        res_map.entries.insert(id.as_str().into(), (*sp, *node));
    }
    let resources = out.push(Value::Map(res_map), root_span);
    let ver = out.str("2010-09-09", root_span);
    let mut entries: Vec<(&str, Span, NodeId)> = vec![
        ("AWSTemplateFormatVersion", root_span, ver),
        ("Resources", root_span, resources),
    ];
    let extra_top = top_level_sections(&mut c, &mut out, &root);
    for (k, sp, n) in &extra_top {
        entries.push((k.as_str(), *sp, *n));
    }
    let root_node = out.map(entries, root_span);
    if out.over_budget {
        return Err(LoadError {
            message: format!("`serverless.yml` expands to more than {MAX_NODES} nodes"),
            span: Span::default(),
        });
    }
    out.doc.root = Some(root_node);
    Ok(Lowered {
        doc: out.doc,
        ids: out.ids,
    })
}

/// Span and value of `provider.<path>` (the value's span; `None` when absent).
fn provider_value(c: &mut Cfg<'_, '_>, provider: &Val, path: &[&str]) -> Option<(Span, Val)> {
    let v = c.path(provider, path)?;
    Some((c.span(&v, Span::default()), v))
}

/// Is a setting on: `true`, or a map (`logs.restApi: {accessLogging: false}` is on, its keys
/// say how)? `None`: not knowable offline.
fn setting_on(c: &mut Cfg<'_, '_>, v: &Val) -> Option<bool> {
    if let Val::Unknown(_) = v {
        return None;
    }
    if c.is_map(v) {
        return Some(true);
    }
    match c.text(v).as_deref() {
        Some("true") => Some(true),
        Some(_) => Some(false),
        None => None,
    }
}

/// A boolean sub-key of a logs setting with the Framework's default.
fn flag(c: &mut Cfg<'_, '_>, v: &Val, key: &str, default: bool) -> Option<bool> {
    match c.get(v, key) {
        None => Some(default),
        Some(x) => match c.text(&x).as_deref() {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        },
    }
}

/// The first generated resource whose id starts with `prefix` (its span: the event).
fn first_span(out: &Out, prefix: &str) -> Option<Span> {
    out.resources
        .iter()
        .find(|(id, _)| id.starts_with(prefix))
        .map(|(_, (sp, _))| *sp)
}

/// The stages of the APIs the events created, with what the Framework configures on them.
///
/// - REST (`http` events): v3 writes `ApiGatewayDeployment<n>` with `StageName` and applies
///   `provider.logs.restApi` and `provider.tracing.apiGateway` through the SDK after the stack
///   deploys (`update-stage.js`: access logs to `ApiGatewayLogGroup`, execution logging with
///   `fullExecutionData` (default true) as `DataTraceEnabled`). The packaged template cannot
///   show those; the stage here is the one that ends up deployed.
/// - HTTP API (`httpApi`): `HttpApiStage` (`$default`), access logs with `provider.logs.httpApi`.
/// - WebSocket (`websocket`): `WebsocketsDeploymentStage`, logs with `provider.logs.websocket`.
///
/// No stage when the API is external (`provider.apiGateway.restApiId`, `provider.httpApi.id`,
/// `provider.apiGateway.websocketApiId`). None of them has throttling unless
/// `resources.extensions` adds it.
fn lower_api_stages(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    provider: &Val,
    service: &str,
    stage: &str,
    prefix: &str,
) {
    let retention = c.get(provider, "logRetentionInDays");
    let log_group = |c: &mut Cfg<'_, '_>, out: &mut Out, id: &str, name: &str, sp: Span| {
        let n = out.str(name, sp);
        let mut p = vec![("LogGroupName", sp, n)];
        if let Some(v) = &retention {
            let ks = c.span(v, sp);
            let r = c.copy(out, v, ks);
            p.push(("RetentionInDays", ks, r));
        }
        out.resource(id, "AWS::Logs::LogGroup", p, sp, None);
    };
    let unknown_why = "a `provider.logs` setting that cannot be known offline";
    // A stage's access-log setting `key`: to the log group (id, name) the Framework creates
    // (`Some(Some(..))`), none (`Some(None)`), or a setting unknown offline (`None`).
    let access_log = |c: &mut Cfg<'_, '_>,
                      out: &mut Out,
                      props: &mut Entries<'static>,
                      key: &'static str,
                      group: Option<Option<(&str, String)>>,
                      lsp: Span| {
        let d = match group {
            Some(Some((id, name))) => {
                log_group(c, out, id, &name, lsp);
                out.get_att(id, "Arn", lsp)
            }
            Some(None) => return,
            None => out.unknown(unknown_why, lsp),
        };
        let m = out.map(vec![("DestinationArn", lsp, d)], lsp);
        props.push((key, lsp, m));
    };

    // REST API.
    if let Some(ev_sp) = first_span(out, "ApiGatewayMethod")
        && c.path(provider, &["apiGateway", "restApiId"]).is_none()
    {
        let logs = provider_value(c, provider, &["logs", "restApi"]);
        let tracing = provider_value(c, provider, &["tracing", "apiGateway"]);
        let sp = logs.as_ref().map_or(ev_sp, |(s, _)| *s);
        let api = out.ref_("ApiGatewayRestApi", sp);
        let name = out.str(stage, sp);
        let mut props = vec![("RestApiId", sp, api), ("StageName", sp, name)];
        if let Some((lsp, l)) = &logs {
            let (lsp, l) = (*lsp, l.clone());
            match setting_on(c, &l) {
                Some(true) => {
                    let group = flag(c, &l, "accessLogging", true).map(|on| {
                        on.then(|| {
                            let name = format!("/aws/api-gateway/{service}-{stage}");
                            ("ApiGatewayLogGroup", name)
                        })
                    });
                    access_log(c, out, &mut props, "AccessLogSetting", group, lsp);
                    let trace = match flag(c, &l, "fullExecutionData", true) {
                        Some(b) => out.push(Value::Bool(b), lsp),
                        None => out.unknown(unknown_why, lsp),
                    };
                    let level = match flag(c, &l, "executionLogging", true) {
                        Some(false) => out.str("OFF", lsp),
                        _ => match c.get(&l, "level") {
                            Some(v) => c.copy(out, &v, lsp),
                            None => out.str("INFO", lsp),
                        },
                    };
                    let hm = out.str("*", lsp);
                    let rp = out.str("/*", lsp);
                    let ms = out.map(
                        vec![
                            ("HttpMethod", lsp, hm),
                            ("ResourcePath", lsp, rp),
                            ("DataTraceEnabled", lsp, trace),
                            ("LoggingLevel", lsp, level),
                        ],
                        lsp,
                    );
                    let list = out.seq(vec![ms], lsp);
                    props.push(("MethodSettings", lsp, list));
                }
                Some(false) => {}
                None => access_log(c, out, &mut props, "AccessLogSetting", None, lsp),
            }
        }
        if let Some((tsp, t)) = tracing {
            let n = c.copy(out, &t, tsp);
            props.push(("TracingEnabled", tsp, n));
        }
        // Reported as the REST API: the deployment's id carries a timestamp.
        let rep = Reported {
            resource: "ApiGatewayRestApi".into(),
            display: format!("{stage} (the REST API of `http` events)"),
        };
        out.resource(
            "ApiGatewayStage",
            "AWS::ApiGateway::Stage",
            props,
            sp,
            Some(rep),
        );
    }

    // HTTP API.
    if let Some(ev_sp) = first_span(out, "HttpApiIntegration")
        && c.path(provider, &["httpApi", "id"]).is_none()
    {
        let logs = provider_value(c, provider, &["logs", "httpApi"]);
        let sp = logs.as_ref().map_or(ev_sp, |(s, _)| *s);
        let api = out.ref_("HttpApi", sp);
        let name = out.str("$default", sp);
        let auto = out.push(Value::Bool(true), sp);
        let mut props = vec![
            ("ApiId", sp, api),
            ("StageName", sp, name),
            ("AutoDeploy", sp, auto),
        ];
        if let Some((lsp, l)) = &logs {
            let (lsp, l) = (*lsp, l.clone());
            let group = setting_on(c, &l)
                .map(|on| on.then(|| ("HttpApiLogGroup", format!("/aws/http-api/{prefix}"))));
            access_log(c, out, &mut props, "AccessLogSettings", group, lsp);
        }
        let rep = Reported {
            resource: "HttpApi".into(),
            display: "$default (the HTTP API of `httpApi` events)".into(),
        };
        out.resource(
            "HttpApiStage",
            "AWS::ApiGatewayV2::Stage",
            props,
            sp,
            Some(rep),
        );
    }

    // WebSocket API.
    if let Some(ev_sp) = first_span(out, "WebsocketsApi")
        && c.path(provider, &["apiGateway", "websocketApiId"])
            .is_none()
    {
        let logs = provider_value(c, provider, &["logs", "websocket"]);
        let sp = logs.as_ref().map_or(ev_sp, |(s, _)| *s);
        let api = out.ref_("WebsocketsApi", sp);
        let name = out.str(stage, sp);
        let mut props = vec![("ApiId", sp, api), ("StageName", sp, name)];
        if let Some((lsp, l)) = &logs {
            let (lsp, l) = (*lsp, l.clone());
            match setting_on(c, &l) {
                Some(true) => {
                    let trace = match flag(c, &l, "fullExecutionData", true) {
                        Some(b) => out.push(Value::Bool(b), lsp),
                        None => out.unknown(unknown_why, lsp),
                    };
                    let drs = out.map(vec![("DataTraceEnabled", lsp, trace)], lsp);
                    props.push(("DefaultRouteSettings", lsp, drs));
                    let group = flag(c, &l, "accessLogging", true).map(|on| {
                        on.then(|| {
                            let name = format!("/aws/websocket/{service}-{stage}");
                            ("WebsocketsLogGroup", name)
                        })
                    });
                    access_log(c, out, &mut props, "AccessLogSettings", group, lsp);
                }
                Some(false) => {}
                None => access_log(c, out, &mut props, "AccessLogSettings", None, lsp),
            }
        }
        let rep = Reported {
            resource: "WebsocketsApi".into(),
            display: format!("{stage} (the WebSocket API of `websocket` events)"),
        };
        out.resource(
            "WebsocketsDeploymentStage",
            "AWS::ApiGatewayV2::Stage",
            props,
            sp,
            Some(rep),
        );
    }
}

fn role_statements_key(c: &mut Cfg<'_, '_>, provider: &Val) -> Span {
    let node = c
        .path(provider, &["iam", "role"])
        .map(|r| (r, "statements"))
        .or_else(|| Some((provider.clone(), "iamRoleStatements")));
    if let Some((Val::Node(s, n), k)) = node
        && let Some(sp) =
            c.r.doc(s)
                .and_then(|d| d.as_map(n))
                .and_then(|m| m.key_span(k))
    {
        return c.r.shift(s, sp);
    }
    c.span(provider, Span::default())
}

/// Logical ids under `resources.Resources` (for role names and references).
fn collect_user_resources(c: &mut Cfg<'_, '_>, root: &Val) -> Vec<String> {
    let mut out = Vec::new();
    for part in resource_parts(c, root) {
        if let Some(res) = c.get(&part, "Resources") {
            out.extend(c.entries(&res).into_iter().map(|(k, _, _)| k));
        }
    }
    out
}

/// `resources` is a map or a list of maps (each possibly a `${file()}`).
fn resource_parts(c: &mut Cfg<'_, '_>, root: &Val) -> Vec<Val> {
    match c.get(root, "resources") {
        Some(v) if c.is_seq(&v) => c.items(&v),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

/// Merge `resources.Resources` (deep, over what was generated) and `resources.extensions`.
fn merge_user_resources(c: &mut Cfg<'_, '_>, out: &mut Out, root: &Val) {
    for part in resource_parts(c, root) {
        if let Some(res) = c.get(&part, "Resources") {
            for (id, ks, v) in c.entries(&res) {
                let node = c.copy(out, &v, ks);
                match out.resources.get(&id).map(|(_, n)| *n) {
                    Some(base) => {
                        out.merge(base, node, 0);
                    }
                    None => {
                        out.resources.insert(id, (ks, node));
                    }
                }
            }
        }
        if let Some(ext) = c.get(&part, "extensions") {
            for (id, ks, v) in c.entries(&ext) {
                let node = c.copy(out, &v, ks);
                if let Some(base) = out.resources.get(&id).map(|(_, n)| *n) {
                    out.merge(base, node, 0);
                }
            }
        }
    }
}

/// `Outputs`, `Conditions`, `Parameters`, `Mappings` of `resources`.
fn top_level_sections(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    root: &Val,
) -> Vec<(String, Span, NodeId)> {
    let mut acc: IndexMap<String, (Span, NodeId)> = IndexMap::new();
    for part in resource_parts(c, root) {
        for key in ["Parameters", "Conditions", "Mappings", "Outputs"] {
            if let Some(v) = c.get(&part, key) {
                let sp = c.span(&v, Span::default());
                let node = c.copy(out, &v, sp);
                match acc.get(key).map(|(_, n)| *n) {
                    Some(base) => {
                        out.merge(base, node, 0);
                    }
                    None => {
                        acc.insert(key.to_string(), (sp, node));
                    }
                }
            }
        }
    }
    acc.into_iter().map(|(k, (s, n))| (k, s, n)).collect()
}

/// A value of the function, else of `provider` (`timeout`, `memorySize`, `runtime`, ...).
fn fn_or_provider(c: &mut Cfg<'_, '_>, f: &Func, provider: &Val, key: &str) -> Option<Val> {
    c.get(&f.cfg, key).or_else(|| c.get(provider, key))
}

#[allow(clippy::too_many_arguments)]
fn lower_function(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    f: &Func,
    provider: &Val,
    provider_role: &Option<Val>,
    user_resources: &[String],
    prefix: &str,
    v3: bool,
    extras: &mut RoleExtras,
) {
    let at = f.key_span;
    let mut props: Vec<(&str, Span, NodeId)> = Vec::new();
    let image = c.get(&f.cfg, "image");
    if let Some(h) = c.get(&f.cfg, "handler") {
        let n = c.copy(out, &h, at);
        props.push(("Handler", c.span(&h, at), n));
    }
    match fn_or_provider(c, f, provider, "runtime") {
        Some(v) => {
            let n = c.copy(out, &v, at);
            props.push(("Runtime", c.span(&v, at), n));
        }
        // The v3 default runtime (`provider.js`); other versions: not known.
        None if image.is_none() && v3 => {
            let n = out.str("nodejs16.x", at);
            props.push(("Runtime", at, n));
        }
        None => {}
    }
    let fname = match c.get(&f.cfg, "name") {
        Some(v) => c.copy(out, &v, at),
        None => out.str(&format!("{prefix}-{}", f.name), at),
    };
    props.push(("FunctionName", at, fname));
    for (key, cfn, default) in [
        ("memorySize", "MemorySize", DEFAULT_MEMORY),
        ("timeout", "Timeout", DEFAULT_TIMEOUT),
    ] {
        match fn_or_provider(c, f, provider, key) {
            Some(v) => {
                let sp = c.span(&v, at);
                let n = c.copy(out, &v, sp);
                props.push((cfn, sp, n));
            }
            None => {
                let n = out.num(default, at);
                props.push((cfn, at, n));
            }
        }
    }
    // Role.
    let inherited = if f.per_fn_role {
        None
    } else {
        provider_role.clone()
    };
    let role = match c.get(&f.cfg, "role").or(inherited) {
        Some(v) => {
            let sp = c.span(&v, at);
            match c.text(&v) {
                Some(name) if !name.starts_with("arn:") && user_resources.contains(&name) => {
                    out.get_att(&name, "Arn", sp)
                }
                _ => c.copy(out, &v, sp),
            }
        }
        None => out.get_att(&f.role_id, "Arn", at),
    };
    props.push(("Role", at, role));
    // Environment: provider's, then the function's on top.
    let mut env = Map::default();
    for src in [c.get(provider, "environment"), c.get(&f.cfg, "environment")]
        .into_iter()
        .flatten()
    {
        if !c.is_map(&src) {
            let sp = c.span(&src, at);
            let n = c.copy(out, &src, sp);
            env = Map::default();
            env.entries.insert("*".into(), (sp, n));
            continue;
        }
        for (k, ks, v) in c.entries(&src) {
            let n = c.copy(out, &v, ks);
            env.entries.insert(k.into(), (ks, n));
        }
    }
    if !env.is_empty() {
        let vars = out.push(Value::Map(env), at);
        let e = out.map(vec![("Variables", at, vars)], at);
        props.push(("Environment", at, e));
    }
    // VPC.
    if let Some(vpc) = fn_or_provider(c, f, provider, "vpc") {
        let sp = c.span(&vpc, at);
        let mut entries = Vec::new();
        for (k, cfn) in [
            ("securityGroupIds", "SecurityGroupIds"),
            ("subnetIds", "SubnetIds"),
        ] {
            if let Some(v) = c.get(&vpc, k) {
                let ks = c.span(&v, sp);
                let n = c.copy(out, &v, ks);
                entries.push((cfn, ks, n));
            }
        }
        if !entries.is_empty() {
            let n = out.map(entries, sp);
            props.push(("VpcConfig", sp, n));
            if f.default_role {
                extras.needs_vpc_policy = true;
            }
        }
    }
    if let Some(v) = c.get(&f.cfg, "onError") {
        let sp = c.span(&v, at);
        let t = c.copy(out, &v, sp);
        let n = out.map(vec![("TargetArn", sp, t)], sp);
        props.push(("DeadLetterConfig", sp, n));
    }
    if let Some(v) = c.get(&f.cfg, "reservedConcurrency") {
        let sp = c.span(&v, at);
        let n = c.copy(out, &v, sp);
        props.push(("ReservedConcurrentExecutions", sp, n));
    }
    // Tracing: `tracing: Active|PassThrough|true` on the function, `provider.tracing.lambda`.
    let tracing = c
        .get(&f.cfg, "tracing")
        .or_else(|| c.path(provider, &["tracing", "lambda"]));
    if let Some(t) = tracing {
        let sp = c.span(&t, at);
        let mode = match c.text(&t).as_deref() {
            Some("true" | "Active") => Some("Active"),
            Some("PassThrough") => Some("PassThrough"),
            _ => None,
        };
        if let Some(m) = mode {
            let mn = out.str(m, sp);
            let n = out.map(vec![("Mode", sp, mn)], sp);
            props.push(("TracingConfig", sp, n));
        }
    }
    if let Some(v) = fn_or_provider(c, f, provider, "layers") {
        let sp = c.span(&v, at);
        let n = c.copy(out, &v, sp);
        props.push(("Layers", sp, n));
    }
    if let Some(v) = fn_or_provider(c, f, provider, "architecture") {
        let sp = c.span(&v, at);
        let n = c.copy(out, &v, sp);
        let s = out.seq(vec![n], sp);
        props.push(("Architectures", sp, s));
    }
    if let Some(img) = image {
        let sp = c.span(&img, at);
        let t = out.str("Image", sp);
        props.push(("PackageType", sp, t));
        let why = out.unknown("a container image", sp);
        let code = out.map(vec![("ImageUri", sp, why)], sp);
        props.push(("Code", sp, code));
    } else if let Some(a) = c.path(&f.cfg, &["package", "artifact"]).or_else(|| {
        let root = c_root(c);
        c.path(&root, &["package", "artifact"])
    }) {
        let sp = c.span(&a, at);
        let what = c.text(&a).unwrap_or_default();
        let n = out.unknown(&format!("a prebuilt artifact `{what}`"), sp);
        props.push(("Code", sp, n));
    }
    // serverless-python-requirements (and the Framework's `module` for Python): the handler
    // path is relative to the function's module folder.
    if let Some(m) = c.get(&f.cfg, "module")
        && !props.iter().any(|(k, _, _)| *k == "Code")
    {
        let sp = c.span(&m, at);
        let n = c.copy(out, &m, sp);
        props.push(("Code", sp, n));
    }
    let rep = Reported {
        resource: f.name.clone(),
        display: f.name.clone(),
    };
    out.resource(&f.id, "AWS::Lambda::Function", props, at, Some(rep));

    // `provisionedConcurrency`: the alias the Framework creates (`provisioned`). Event sources
    // stay on the function here; the packaged template points them at the alias ARN.
    if let Some(pc) = c.get(&f.cfg, "provisionedConcurrency") {
        let sp = c.span(&pc, at);
        let fref = out.ref_(&f.id, sp);
        let name = out.str("provisioned", sp);
        let ver = out.unknown("the version the Framework publishes", sp);
        let n = c.copy(out, &pc, sp);
        let cfg = out.map(vec![("ProvisionedConcurrentExecutions", sp, n)], sp);
        out.resource(
            &format!("{}ProvConcLambdaAlias", f.norm),
            "AWS::Lambda::Alias",
            vec![
                ("FunctionName", sp, fref),
                ("FunctionVersion", sp, ver),
                ("Name", sp, name),
                ("ProvisionedConcurrencyConfig", sp, cfg),
            ],
            sp,
            Some(Reported {
                resource: f.name.clone(),
                display: format!("{}.provisionedConcurrency", f.name),
            }),
        );
    }

    // Log group (retention from `provider.logRetentionInDays`).
    let lg_id = format!("{}LogGroup", f.norm);
    let lg_name = out.str(&format!("/aws/lambda/{prefix}-{}", f.name), at);
    let mut lg = vec![("LogGroupName", at, lg_name)];
    if let Some(v) = c.get(provider, "logRetentionInDays") {
        let sp = c.span(&v, at);
        let n = c.copy(out, &v, sp);
        lg.push(("RetentionInDays", sp, n));
    }
    out.resource(
        &lg_id,
        "AWS::Logs::LogGroup",
        lg,
        at,
        Some(Reported {
            resource: f.name.clone(),
            display: format!("{} log group", f.name),
        }),
    );

    // Asynchronous invocation config: `destinations`, `maximumRetryAttempts`, `maximumEventAge`.
    let dest = c.get(&f.cfg, "destinations");
    let retries = c.get(&f.cfg, "maximumRetryAttempts");
    let age = c.get(&f.cfg, "maximumEventAge");
    if dest.is_some() || retries.is_some() || age.is_some() {
        let sp = dest
            .as_ref()
            .or(retries.as_ref())
            .or(age.as_ref())
            .map_or(at, |v| c.span(v, at));
        let fref = out.ref_(&f.id, sp);
        let q = out.str("$LATEST", sp);
        let mut p = vec![("FunctionName", sp, fref), ("Qualifier", sp, q)];
        if let Some(d) = &dest {
            let mut dc = Vec::new();
            for (k, cfn) in [("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")] {
                if let Some(v) = c.get(d, k) {
                    let ks = c.span(&v, sp);
                    let target = destination(c, out, &v, ks);
                    if cfn == "OnFailure" && f.default_role {
                        dest_statement(c, out, &v, target, ks, extras);
                    }
                    let m = out.map(vec![("Destination", ks, target)], ks);
                    dc.push((cfn, ks, m));
                }
            }
            if !dc.is_empty() {
                let m = out.map(dc, sp);
                p.push(("DestinationConfig", sp, m));
            }
        }
        for (v, cfn) in [
            (retries, "MaximumRetryAttempts"),
            (age, "MaximumEventAgeInSeconds"),
        ] {
            if let Some(v) = v {
                let ks = c.span(&v, sp);
                let n = c.copy(out, &v, ks);
                p.push((cfn, ks, n));
            }
        }
        out.resource(
            &format!("{}LambdaEvConf", f.norm),
            "AWS::Lambda::EventInvokeConfig",
            p,
            sp,
            Some(Reported {
                resource: f.name.clone(),
                display: format!("{}.destinations", f.name),
            }),
        );
    }
}

fn c_root(c: &mut Cfg<'_, '_>) -> Val {
    c.r.root().unwrap_or(Val::Str(String::new()))
}

/// A destination: an ARN, `{type, arn}`, an intrinsic, or the name of a function of the service.
fn destination(c: &mut Cfg<'_, '_>, out: &mut Out, v: &Val, sp: Span) -> NodeId {
    if c.is_map(v) {
        if let Some(a) = c.get(v, "arn") {
            return c.copy(out, &a, sp);
        }
        return c.copy(out, v, sp);
    }
    match c.text(v) {
        Some(s) if !s.starts_with("arn:") && !s.is_empty() => {
            out.get_att(&function_logical_id(&s), "Arn", sp)
        }
        _ => c.copy(out, v, sp),
    }
}

/// The role statement the Framework adds for a failure destination (`sqs:SendMessage`, ...).
fn dest_statement(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    v: &Val,
    target: NodeId,
    sp: Span,
    extras: &mut RoleExtras,
) {
    let arn = if c.is_map(v) {
        c.get(v, "arn").and_then(|a| c.text(&a))
    } else {
        c.text(v)
    };
    let ty = c.get(v, "type").and_then(|t| c.text(&t));
    let service = arn
        .as_deref()
        .and_then(|a| a.split(':').nth(2))
        .map(str::to_string)
        .or(ty);
    let action = match service.as_deref() {
        Some("sqs") => "sqs:SendMessage",
        Some("sns") => "sns:Publish",
        Some("lambda" | "function") => "lambda:InvokeFunction",
        Some("events" | "eventBus") => "events:PutEvents",
        _ if arn.as_deref().is_some_and(|a| !a.starts_with("arn:")) => "lambda:InvokeFunction",
        _ => return,
    };
    let a = out.str(action, sp);
    let e = out.str("Allow", sp);
    let s = out.map(
        vec![
            ("Effect", sp, e),
            ("Action", sp, a),
            ("Resource", sp, target),
        ],
        sp,
    );
    extras.statements.push(s);
}

fn statement(out: &mut Out, actions: &[&str], resource: NodeId, sp: Span) -> NodeId {
    let items: Vec<NodeId> = actions.iter().map(|a| out.str(a, sp)).collect();
    let a = out.seq(items, sp);
    let r = out.seq(vec![resource], sp);
    let e = out.str("Allow", sp);
    out.map(
        vec![("Effect", sp, e), ("Action", sp, a), ("Resource", sp, r)],
        sp,
    )
}

/// The permission the Framework writes (once) for API Gateway to invoke `f` from API `api`:
/// `SourceArn` is the API's `execute-api` ARN followed by `routes`.
fn api_permission(
    out: &mut Out,
    id: &str,
    f: &Func,
    api: &str,
    routes: &str,
    sp: Span,
    rep: &Reported,
) {
    if out.resources.contains_key(id) {
        return;
    }
    let api = format!("@{api}");
    let src = out.join(
        &[
            "arn:",
            "@AWS::Partition",
            ":execute-api:",
            "@AWS::Region",
            ":",
            "@AWS::AccountId",
            ":",
            &api,
            routes,
        ],
        sp,
    );
    permission(out, id, f, "apigateway.amazonaws.com", Some(src), sp, rep);
}

fn permission(
    out: &mut Out,
    id: &str,
    f: &Func,
    principal: &str,
    source_arn: Option<NodeId>,
    sp: Span,
    rep: &Reported,
) {
    permission_with(out, id, f, principal, source_arn, false, sp, rep);
}

/// A permission, with `SourceAccount: !Ref AWS::AccountId` when `account` (S3, as the
/// Framework writes it).
#[allow(clippy::too_many_arguments)]
fn permission_with(
    out: &mut Out,
    id: &str,
    f: &Func,
    principal: &str,
    source_arn: Option<NodeId>,
    account: bool,
    sp: Span,
    rep: &Reported,
) {
    let fa = out.get_att(&f.id, "Arn", sp);
    let action = out.str("lambda:InvokeFunction", sp);
    let p = out.str(principal, sp);
    let mut props = vec![
        ("FunctionName", sp, fa),
        ("Action", sp, action),
        ("Principal", sp, p),
    ];
    if let Some(s) = source_arn {
        props.push(("SourceArn", sp, s));
    }
    if account {
        let a = out.ref_("AWS::AccountId", sp);
        props.push(("SourceAccount", sp, a));
    }
    out.resource(id, "AWS::Lambda::Permission", props, sp, Some(rep.clone()));
}

/// Name of the resource an ARN value names (`Fn::GetAtt [Q, Arn]` -> `Q`, `arn:...:q` -> `q`).
fn arn_name(c: &mut Cfg<'_, '_>, v: &Val) -> String {
    if let Some(t) = c.text(v) {
        return t.rsplit([':', '/']).next().unwrap_or("").to_string();
    }
    if let Some(g) = c.get(v, "Fn::GetAtt") {
        if let Some(first) = c.items(&g).first() {
            return c.text(first).unwrap_or_default();
        }
        if let Some(t) = c.text(&g) {
            return t.split('.').next().unwrap_or("").to_string();
        }
    }
    if let Some(rf) = c.get(v, "Ref") {
        return c.text(&rf).unwrap_or_default();
    }
    if let Some(imp) = c.get(v, "Fn::ImportValue") {
        return c.text(&imp).unwrap_or_default();
    }
    String::new()
}

/// Copy selected keys of an event into properties.
fn copy_keys<'k>(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    ev: &Val,
    keys: &[(&str, &'k str)],
    sp: Span,
    props: &mut Vec<(&'k str, Span, NodeId)>,
) {
    for (k, cfn) in keys {
        if let Some(v) = c.get(ev, k) {
            let ks = c.span(&v, sp);
            let n = c.copy(out, &v, ks);
            props.push((cfn, ks, n));
        }
    }
}

#[allow(clippy::too_many_lines)]
fn lower_events(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    f: &Func,
    prefix: &str,
    extras: &mut RoleExtras,
    s3_buckets: &mut IndexMap<String, (Span, Vec<NodeId>)>,
    counter: &mut usize,
) {
    let Some(events) = c.get(&f.cfg, "events") else {
        return;
    };
    let mut per_type: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, ev) in c.items(&events).into_iter().enumerate() {
        *counter += 1;
        let entries = c.entries(&ev);
        let Some((ty, ty_span, body)) = entries.into_iter().next() else {
            continue;
        };
        let k = {
            let e = per_type.entry(ty.clone()).or_insert(0);
            *e += 1;
            *e
        };
        let sp = ty_span;
        let rep = Reported {
            resource: f.name.clone(),
            display: format!("{}.events[{i}].{ty}", f.name),
        };
        let norm = &f.norm;
        let fn_arn = |out: &mut Out| out.get_att(&f.id, "Arn", sp);
        match ty.as_str() {
            "http" => {
                let (path, method, integration, is_async) = if c.is_map(&body) {
                    let p = c
                        .get(&body, "path")
                        .and_then(|v| c.text(&v))
                        .unwrap_or_default();
                    let m = c
                        .get(&body, "method")
                        .and_then(|v| c.text(&v))
                        .unwrap_or_default();
                    let i = c.get(&body, "integration").and_then(|v| c.text(&v));
                    let a = c.get(&body, "async").and_then(|v| c.text(&v)) == Some("true".into());
                    (p, m, i, a)
                } else {
                    let t = c.text(&body).unwrap_or_default();
                    let mut parts = t.split_whitespace();
                    let m = parts.next().unwrap_or("").to_string();
                    let p = parts.next().unwrap_or("").to_string();
                    (p, m, None, false)
                };
                let ty_int = match integration
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    None | Some("lambda-proxy" | "aws_proxy" | "aws-proxy") => "AWS_PROXY",
                    Some("lambda" | "aws") => "AWS",
                    _ => continue,
                };
                let path_id: String = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        let s = s.replace('-', "Dash");
                        let s = match (s.strip_prefix('{'), s.strip_suffix('}')) {
                            (Some(_), Some(_)) => format!("{}Var", s.trim_matches(['{', '}'])),
                            _ => s,
                        };
                        upper_first(
                            &s.chars()
                                .filter(char::is_ascii_alphanumeric)
                                .collect::<String>(),
                        )
                    })
                    .collect();
                let m_norm = upper_first(&method.to_ascii_lowercase());
                let id = format!("ApiGatewayMethod{path_id}{m_norm}");
                let uri = {
                    let a = out.str("arn:", sp);
                    let p = out.ref_("AWS::Partition", sp);
                    let b = out.str(":apigateway:", sp);
                    let r = out.ref_("AWS::Region", sp);
                    let cpath = out.str(":lambda:path/2015-03-31/functions/", sp);
                    let fa = fn_arn(out);
                    let inv = out.str("/invocations", sp);
                    let parts = out.seq(vec![a, p, b, r, cpath, fa, inv], sp);
                    let sep = out.str("", sp);
                    let args = out.seq(vec![sep, parts], sp);
                    out.intrinsic("Fn::Join", args, sp)
                };
                let t = out.str(ty_int, sp);
                let hm = out.str("POST", sp);
                let mut integ = vec![
                    ("IntegrationHttpMethod", sp, hm),
                    ("Type", sp, t),
                    ("Uri", sp, uri),
                ];
                if is_async {
                    let v = out.str("'Event'", sp);
                    let rp = out.map(
                        vec![("integration.request.header.X-Amz-Invocation-Type", sp, v)],
                        sp,
                    );
                    integ.push(("RequestParameters", sp, rp));
                }
                let integ = out.map(integ, sp);
                let verb = out.str(&method.to_ascii_uppercase(), sp);
                let api = out.ref_("ApiGatewayRestApi", sp);
                out.resource(
                    &id,
                    "AWS::ApiGateway::Method",
                    vec![
                        ("HttpMethod", sp, verb),
                        ("RestApiId", sp, api),
                        ("Integration", sp, integ),
                    ],
                    sp,
                    Some(rep.clone()),
                );
                if !out.resources.contains_key("ApiGatewayRestApi") {
                    let n = out.str(prefix, sp);
                    out.resource(
                        "ApiGatewayRestApi",
                        "AWS::ApiGateway::RestApi",
                        vec![("Name", sp, n)],
                        sp,
                        None,
                    );
                }
                let perm = format!("{norm}LambdaPermissionApiGateway");
                api_permission(out, &perm, f, "ApiGatewayRestApi", "/*/*", sp, &rep);
            }
            "httpApi" => {
                let api = out.ref_("HttpApi", sp);
                let ty_ = out.str("AWS_PROXY", sp);
                let uri = fn_arn(out);
                let pf = out.str("2.0", sp);
                let to = out.num(30000.0, sp);
                out.resource(
                    &format!("HttpApiIntegration{norm}"),
                    "AWS::ApiGatewayV2::Integration",
                    vec![
                        ("ApiId", sp, api),
                        ("IntegrationType", sp, ty_),
                        ("IntegrationUri", sp, uri),
                        ("PayloadFormatVersion", sp, pf),
                        ("TimeoutInMillis", sp, to),
                    ],
                    sp,
                    Some(rep.clone()),
                );
                if !out.resources.contains_key("HttpApi") {
                    let n = out.str(prefix, sp);
                    let p = out.str("HTTP", sp);
                    out.resource(
                        "HttpApi",
                        "AWS::ApiGatewayV2::Api",
                        vec![("Name", sp, n), ("ProtocolType", sp, p)],
                        sp,
                        None,
                    );
                }
                let perm = format!("{norm}LambdaPermissionHttpApi");
                api_permission(out, &perm, f, "HttpApi", "/*", sp, &rep);
            }
            "websocket" => {
                // The Framework scopes this permission to nothing (no `SourceArn`).
                if !out.resources.contains_key("WebsocketsApi") {
                    let n = out.str(&format!("{prefix}-websockets"), sp);
                    let p = out.str("WEBSOCKET", sp);
                    out.resource(
                        "WebsocketsApi",
                        "AWS::ApiGatewayV2::Api",
                        vec![("Name", sp, n), ("ProtocolType", sp, p)],
                        sp,
                        None,
                    );
                }
                let perm = format!("{norm}LambdaPermissionWebsockets");
                if !out.resources.contains_key(&perm) {
                    permission(out, &perm, f, "apigateway.amazonaws.com", None, sp, &rep);
                }
            }
            "alb" => {
                // Scoped to the generated target group; the Framework also writes an unscoped
                // `...LambdaPermissionRegisterTarget` (ELB invokes the function to register it).
                let perm = format!("{norm}LambdaPermissionAlb");
                if !out.resources.contains_key(&perm) {
                    let src = out.unknown("the generated ALB target group", sp);
                    permission(
                        out,
                        &perm,
                        f,
                        "elasticloadbalancing.amazonaws.com",
                        Some(src),
                        sp,
                        &rep,
                    );
                    permission(
                        out,
                        &format!("{norm}LambdaPermissionRegisterTarget"),
                        f,
                        "elasticloadbalancing.amazonaws.com",
                        None,
                        sp,
                        &rep,
                    );
                }
            }
            "cognitoUserPool" => {
                let src = out.unknown("the Cognito user pool's ARN", sp);
                permission(
                    out,
                    &format!("{norm}LambdaPermissionCognitoUserPool{k}"),
                    f,
                    "cognito-idp.amazonaws.com",
                    Some(src),
                    sp,
                    &rep,
                );
            }
            "alexaSkill" | "alexaSmartHome" => {
                let principal = if ty == "alexaSkill" {
                    "alexa-appkit.amazon.com"
                } else {
                    "alexa-connectedhome.amazon.com"
                };
                let id = format!("{norm}LambdaPermission{}{k}", upper_first(&ty));
                permission(out, &id, f, principal, None, sp, &rep);
                // `alexaSkill: <appId>` or `{appId}`: the skill id scopes the permission.
                let app_id = if c.is_map(&body) {
                    c.get(&body, "appId")
                } else {
                    Some(body.clone())
                };
                if let Some(a) = app_id {
                    let ks = c.span(&a, sp);
                    let n = c.copy(out, &a, ks);
                    if let Some(p) = out.props_of(&id)
                        && let Some(m) = out.doc.as_map(p)
                    {
                        let mut m = m.clone();
                        m.entries.insert("EventSourceToken".into(), (ks, n));
                        let psp = out.doc.span(p);
                        out.doc.set(p, Value::Map(m), psp);
                    }
                }
            }
            "sqs" => {
                let arn = if c.is_map(&body) && c.get(&body, "arn").is_some() {
                    c.get(&body, "arn")
                } else {
                    Some(body.clone())
                };
                let Some(arn) = arn else { continue };
                let name = arn_name(c, &arn);
                let id = format!("{norm}EventSourceMappingSQS{}", alnum_name(&name));
                let arn_sp = c.span(&arn, sp);
                let arn_node = c.copy(out, &arn, arn_sp);
                let fa = fn_arn(out);
                let mut props = vec![
                    ("EventSourceArn", arn_sp, arn_node),
                    ("FunctionName", sp, fa),
                ];
                let bs = out.num(10.0, sp);
                props.push(("BatchSize", sp, bs));
                if c.is_map(&body) {
                    copy_keys(
                        c,
                        out,
                        &body,
                        &[
                            ("batchSize", "BatchSize"),
                            ("maximumBatchingWindow", "MaximumBatchingWindowInSeconds"),
                            ("enabled", "Enabled"),
                        ],
                        sp,
                        &mut props,
                    );
                    response_types(c, out, &body, sp, &mut props);
                    if let Some(mc) = c.get(&body, "maximumConcurrency") {
                        let ks = c.span(&mc, sp);
                        let n = c.copy(out, &mc, ks);
                        let m = out.map(vec![("MaximumConcurrency", ks, n)], ks);
                        props.push(("ScalingConfig", ks, m));
                    }
                }
                dedup_last(&mut props);
                out.resource(
                    &id,
                    "AWS::Lambda::EventSourceMapping",
                    props,
                    sp,
                    Some(rep.clone()),
                );
                if f.default_role {
                    let r = c.copy(out, &arn, arn_sp);
                    let s = statement(
                        out,
                        &[
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:GetQueueAttributes",
                        ],
                        r,
                        sp,
                    );
                    extras.statements.push(s);
                }
            }
            "stream" => {
                let arn = if c.is_map(&body) {
                    c.get(&body, "arn")
                } else {
                    Some(body.clone())
                };
                let Some(arn) = arn else { continue };
                let arn_text = c.text(&arn);
                let declared = if c.is_map(&body) {
                    c.get(&body, "type").and_then(|t| c.text(&t))
                } else {
                    None
                };
                let kind = declared.unwrap_or_else(|| {
                    match arn_text.as_deref().and_then(|a| a.split(':').nth(2)) {
                        Some("kinesis") => "kinesis".into(),
                        _ => "dynamodb".into(),
                    }
                });
                let name = match arn_text.as_deref() {
                    Some(a) if a.contains("/stream/") => {
                        a.split('/').nth(1).unwrap_or("").to_string()
                    }
                    _ => arn_name(c, &arn),
                };
                let id = format!(
                    "{norm}EventSourceMapping{}{}",
                    upper_first(&kind),
                    alnum_name(&name)
                );
                let arn_sp = c.span(&arn, sp);
                let arn_node = c.copy(out, &arn, arn_sp);
                let fa = fn_arn(out);
                let bs = out.num(10.0, sp);
                let stp = out.str("TRIM_HORIZON", sp);
                let mut props = vec![
                    ("EventSourceArn", arn_sp, arn_node),
                    ("FunctionName", sp, fa),
                    ("BatchSize", sp, bs),
                    ("StartingPosition", sp, stp),
                ];
                if c.is_map(&body) {
                    copy_keys(
                        c,
                        out,
                        &body,
                        &[
                            ("batchSize", "BatchSize"),
                            ("startingPosition", "StartingPosition"),
                            ("batchWindow", "MaximumBatchingWindowInSeconds"),
                            ("maximumBatchingWindow", "MaximumBatchingWindowInSeconds"),
                            ("maximumRetryAttempts", "MaximumRetryAttempts"),
                            ("maximumRecordAgeInSeconds", "MaximumRecordAgeInSeconds"),
                            ("bisectBatchOnFunctionError", "BisectBatchOnFunctionError"),
                            ("parallelizationFactor", "ParallelizationFactor"),
                            ("tumblingWindowInSeconds", "TumblingWindowInSeconds"),
                            ("enabled", "Enabled"),
                        ],
                        sp,
                        &mut props,
                    );
                    response_types(c, out, &body, sp, &mut props);
                    if let Some(on_failure) = c.path(&body, &["destinations", "onFailure"]) {
                        let ks = c.span(&on_failure, sp);
                        let d = destination(c, out, &on_failure, ks);
                        if f.default_role {
                            dest_statement(c, out, &on_failure, d, ks, extras);
                        }
                        let m = out.map(vec![("Destination", ks, d)], ks);
                        let of = out.map(vec![("OnFailure", ks, m)], ks);
                        props.push(("DestinationConfig", ks, of));
                    }
                }
                dedup_last(&mut props);
                out.resource(
                    &id,
                    "AWS::Lambda::EventSourceMapping",
                    props,
                    sp,
                    Some(rep.clone()),
                );
                if f.default_role {
                    let r = c.copy(out, &arn, arn_sp);
                    let acts: &[&str] = if kind == "kinesis" {
                        &[
                            "kinesis:GetRecords",
                            "kinesis:GetShardIterator",
                            "kinesis:DescribeStreamSummary",
                            "kinesis:ListShards",
                        ]
                    } else {
                        &[
                            "dynamodb:GetRecords",
                            "dynamodb:GetShardIterator",
                            "dynamodb:DescribeStream",
                            "dynamodb:ListStreams",
                        ]
                    };
                    let s = statement(out, acts, r, sp);
                    extras.statements.push(s);
                }
            }
            "msk" | "kafka" | "activemq" | "rabbitmq" => {
                let fa = fn_arn(out);
                let mut props = vec![("FunctionName", sp, fa)];
                match ty.as_str() {
                    "msk" | "activemq" | "rabbitmq" => {
                        let key = "arn";
                        if let Some(a) = c.get(&body, key) {
                            let ks = c.span(&a, sp);
                            let n = c.copy(out, &a, ks);
                            props.push(("EventSourceArn", ks, n));
                        }
                    }
                    _ => {
                        if let Some(b) = c.get(&body, "bootstrapServers") {
                            let ks = c.span(&b, sp);
                            let n = c.copy(out, &b, ks);
                            let kb = out.map(vec![("KafkaBootstrapServers", ks, n)], ks);
                            let se = out.map(vec![("Endpoints", ks, kb)], ks);
                            props.push(("SelfManagedEventSource", ks, se));
                        }
                    }
                }
                if let Some(t) = c.get(&body, "topic") {
                    let ks = c.span(&t, sp);
                    let n = c.copy(out, &t, ks);
                    let s = out.seq(vec![n], ks);
                    props.push(("Topics", ks, s));
                }
                copy_keys(
                    c,
                    out,
                    &body,
                    &[
                        ("batchSize", "BatchSize"),
                        ("startingPosition", "StartingPosition"),
                        ("enabled", "Enabled"),
                    ],
                    sp,
                    &mut props,
                );
                let id = format!("{norm}EventSourceMapping{}{k}", upper_first(&ty));
                out.resource(
                    &id,
                    "AWS::Lambda::EventSourceMapping",
                    props,
                    sp,
                    Some(rep.clone()),
                );
            }
            "sns" => {
                let (arn, topic_name, filter, redrive) = if c.is_map(&body) {
                    (
                        c.get(&body, "arn"),
                        c.get(&body, "topicName").and_then(|t| c.text(&t)),
                        c.get(&body, "filterPolicy"),
                        c.get(&body, "redrivePolicy"),
                    )
                } else {
                    match c.text(&body) {
                        Some(s) if s.starts_with("arn:") => (Some(body.clone()), None, None, None),
                        Some(s) => (None, Some(s), None, None),
                        None => (Some(body.clone()), None, None, None),
                    }
                };
                let topic = topic_name.clone().unwrap_or_else(|| match &arn {
                    Some(a) => arn_name(c, a),
                    None => String::new(),
                });
                let tnorm = alnum_name(&topic);
                let topic_arn = match &arn {
                    Some(a) => {
                        let ks = c.span(a, sp);
                        c.copy(out, a, ks)
                    }
                    None => out.ref_(&format!("SNSTopic{tnorm}"), sp),
                };
                if arn.is_none() && filter.is_none() && redrive.is_none() {
                    let tid = format!("SNSTopic{tnorm}");
                    let fa = fn_arn(out);
                    let proto = out.str("lambda", sp);
                    let sub = out.map(vec![("Endpoint", sp, fa), ("Protocol", sp, proto)], sp);
                    match out
                        .props_of(&tid)
                        .and_then(|p| out.doc.get(p, "Subscription"))
                    {
                        Some(list) => out.append(list, sub),
                        None => {
                            let tn = out.str(&topic, sp);
                            let list = out.seq(vec![sub], sp);
                            out.resource(
                                &tid,
                                "AWS::SNS::Topic",
                                vec![("TopicName", sp, tn), ("Subscription", sp, list)],
                                sp,
                                None,
                            );
                        }
                    }
                } else {
                    if arn.is_none() {
                        let tid = format!("SNSTopic{tnorm}");
                        if !out.resources.contains_key(&tid) {
                            let tn = out.str(&topic, sp);
                            out.resource(
                                &tid,
                                "AWS::SNS::Topic",
                                vec![("TopicName", sp, tn)],
                                sp,
                                None,
                            );
                        }
                    }
                    let fa = fn_arn(out);
                    let proto = out.str("lambda", sp);
                    let mut props = vec![
                        ("TopicArn", sp, topic_arn),
                        ("Protocol", sp, proto),
                        ("Endpoint", sp, fa),
                    ];
                    if let Some(fp) = filter {
                        let ks = c.span(&fp, sp);
                        let n = c.copy(out, &fp, ks);
                        props.push(("FilterPolicy", ks, n));
                    }
                    if let Some(rd) = redrive {
                        let ks = c.span(&rd, sp);
                        let target = c
                            .get(&rd, "deadLetterTargetArn")
                            .map(|v| c.copy(out, &v, ks))
                            .or_else(|| {
                                c.get(&rd, "deadLetterTargetRef")
                                    .and_then(|v| c.text(&v))
                                    .map(|r| out.get_att(&r, "Arn", ks))
                            })
                            .or_else(|| {
                                c.get(&rd, "deadLetterTargetImport")
                                    .map(|_| out.unknown("an imported dead-letter queue", ks))
                            });
                        if let Some(t) = target {
                            let m = out.map(vec![("deadLetterTargetArn", ks, t)], ks);
                            props.push(("RedrivePolicy", ks, m));
                        }
                    }
                    out.resource(
                        &format!("{norm}SnsSubscription{tnorm}"),
                        "AWS::SNS::Subscription",
                        props,
                        sp,
                        Some(rep.clone()),
                    );
                }
                if arn.is_none() {
                    out.ids
                        .entry(format!("SNSTopic{tnorm}"))
                        .or_insert_with(|| rep.clone());
                }
                let src = match &arn {
                    Some(a) => {
                        let ks = c.span(a, sp);
                        c.copy(out, a, ks)
                    }
                    None => out.ref_(&format!("SNSTopic{tnorm}"), sp),
                };
                let src = Some(src);
                permission(
                    out,
                    &format!("{norm}LambdaPermission{tnorm}SNS"),
                    f,
                    "sns.amazonaws.com",
                    src,
                    sp,
                    &rep,
                );
            }
            "s3" => {
                let (bucket, event, existing, rules) = if c.is_map(&body) {
                    (
                        c.get(&body, "bucket")
                            .and_then(|b| c.text(&b))
                            .unwrap_or_default(),
                        c.get(&body, "event"),
                        c.get(&body, "existing").and_then(|e| c.text(&e)) == Some("true".into()),
                        c.get(&body, "rules"),
                    )
                } else {
                    (c.text(&body).unwrap_or_default(), None, false, None)
                };
                let bnorm = alnum_name(&bucket);
                if existing {
                    let fa = fn_arn(out);
                    out.resource(
                        &format!("{norm}CustomS3{k}"),
                        "Custom::S3",
                        vec![("FunctionArn", sp, fa)],
                        sp,
                        Some(rep.clone()),
                    );
                } else {
                    let ev = match &event {
                        Some(e) => {
                            let ks = c.span(e, sp);
                            c.copy(out, e, ks)
                        }
                        None => out.str("s3:ObjectCreated:*", sp),
                    };
                    let fa = fn_arn(out);
                    let mut conf = vec![("Event", sp, ev), ("Function", sp, fa)];
                    if let Some(r) = rules {
                        let ks = c.span(&r, sp);
                        let n = c.copy(out, &r, ks);
                        let k = out.map(vec![("Rules", ks, n)], ks);
                        let f2 = out.map(vec![("S3Key", ks, k)], ks);
                        conf.push(("Filter", ks, f2));
                    }
                    let conf = out.map(conf, sp);
                    s3_buckets
                        .entry(bucket.clone())
                        .or_insert((sp, Vec::new()))
                        .1
                        .push(conf);
                    out.ids
                        .entry(format!("S3Bucket{bnorm}"))
                        .or_insert_with(|| Reported {
                            resource: f.name.clone(),
                            display: format!("{}.events[{i}].s3", f.name),
                        });
                }
                let src = out.partition_arn(&format!(":s3:::{bucket}"), sp);
                permission_with(
                    out,
                    &format!("{norm}LambdaPermission{bnorm}S3"),
                    f,
                    "s3.amazonaws.com",
                    Some(src),
                    true,
                    sp,
                    &rep,
                );
            }
            "schedule" | "cloudwatchEvent" | "eventBridge" => {
                lower_rule(c, out, f, &ty, &body, k, *counter, prefix, sp, &rep);
            }
            "cloudwatchLog" => {
                let lg = if c.is_map(&body) {
                    c.get(&body, "logGroup")
                } else {
                    Some(body.clone())
                };
                let fa = fn_arn(out);
                let mut props = vec![("DestinationArn", sp, fa)];
                if let Some(l) = &lg {
                    let ks = c.span(l, sp);
                    let n = c.copy(out, l, ks);
                    props.push(("LogGroupName", ks, n));
                }
                copy_keys(
                    c,
                    out,
                    &body,
                    &[("filter", "FilterPattern")],
                    sp,
                    &mut props,
                );
                out.resource(
                    &format!("{norm}LogsSubscriptionFilterCloudWatchLog{k}"),
                    "AWS::Logs::SubscriptionFilter",
                    props,
                    sp,
                    Some(rep.clone()),
                );
                let lg_name = lg.as_ref().and_then(|l| c.text(l)).unwrap_or_default();
                let src = out.join(
                    &[
                        "arn:",
                        "@AWS::Partition",
                        ":logs:",
                        "@AWS::Region",
                        ":",
                        "@AWS::AccountId",
                        ":log-group:",
                        &lg_name,
                        ":*",
                    ],
                    sp,
                );
                permission(
                    out,
                    &format!("{norm}LambdaPermissionLogsSubscriptionFilterCloudWatchLog"),
                    f,
                    "logs.amazonaws.com",
                    Some(src),
                    sp,
                    &rep,
                );
            }
            "iot" => {
                let fa = fn_arn(out);
                let mut payload = Vec::new();
                copy_keys(
                    c,
                    out,
                    &body,
                    &[("sql", "Sql"), ("sqlVersion", "AwsIotSqlVersion")],
                    sp,
                    &mut payload,
                );
                let lam = out.map(vec![("FunctionArn", sp, fa)], sp);
                let act = out.map(vec![("Lambda", sp, lam)], sp);
                let acts = out.seq(vec![act], sp);
                payload.push(("Actions", sp, acts));
                let p = out.map(payload, sp);
                out.resource(
                    &format!("{norm}IotTopicRule{k}"),
                    "AWS::IoT::TopicRule",
                    vec![("TopicRulePayload", sp, p)],
                    sp,
                    Some(rep.clone()),
                );
                let src = out.get_att(&format!("{norm}IotTopicRule{k}"), "Arn", sp);
                permission(
                    out,
                    &format!("{norm}LambdaPermissionIotTopicRule{k}"),
                    f,
                    "iot.amazonaws.com",
                    Some(src),
                    sp,
                    &rep,
                );
            }
            _ => {}
        }
    }
}

/// `functionResponseType: ReportBatchItemFailures` -> `FunctionResponseTypes: [...]`.
fn response_types(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    body: &Val,
    sp: Span,
    props: &mut Vec<(&str, Span, NodeId)>,
) {
    if let Some(v) = c.get(body, "functionResponseType") {
        let ks = c.span(&v, sp);
        let n = c.copy(out, &v, ks);
        let s = out.seq(vec![n], ks);
        props.push(("FunctionResponseTypes", ks, s));
    }
}

/// Later entries win (defaults first, the user's values after).
fn dedup_last(props: &mut Vec<(&str, Span, NodeId)>) {
    let mut seen = std::collections::HashSet::new();
    let mut keep = vec![false; props.len()];
    for (i, (k, _, _)) in props.iter().enumerate().rev() {
        if seen.insert(*k)
            && let Some(x) = keep.get_mut(i)
        {
            *x = true;
        }
    }
    let mut it = keep.into_iter();
    props.retain(|_| it.next().unwrap_or(true));
}

/// `schedule`, `cloudwatchEvent` and `eventBridge` events: an `AWS::Events::Rule` (or an
/// `AWS::Scheduler::Schedule` with `method: scheduler`) targeting the function, and its
/// permission.
#[allow(clippy::too_many_arguments)]
fn lower_rule(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    f: &Func,
    ty: &str,
    body: &Val,
    k: usize,
    counter: usize,
    prefix: &str,
    sp: Span,
    rep: &Reported,
) {
    let norm = &f.norm;
    let map = c.is_map(body);
    let mut props: Vec<(&str, Span, NodeId)> = Vec::new();
    let (id, perm_id) = match ty {
        "schedule" => {
            let scheduler =
                map && c.get(body, "method").and_then(|m| c.text(&m)) == Some("scheduler".into());
            let rate = if map {
                c.get(body, "rate")
            } else {
                Some(body.clone())
            };
            let rate = match rate {
                Some(r) if c.is_seq(&r) => c.items(&r).into_iter().next(),
                other => other,
            };
            if let Some(r) = rate {
                let ks = c.span(&r, sp);
                let n = c.copy(out, &r, ks);
                props.push(("ScheduleExpression", ks, n));
            }
            if scheduler {
                let fa = out.get_att(&f.id, "Arn", sp);
                let t = out.map(vec![("Arn", sp, fa)], sp);
                props.push(("Target", sp, t));
                let id = format!("{norm}SchedulerSchedule{k}");
                out.resource(
                    &id,
                    "AWS::Scheduler::Schedule",
                    props,
                    sp,
                    Some(rep.clone()),
                );
                return;
            }
            (
                format!("{norm}EventsRuleSchedule{k}"),
                format!("{norm}LambdaPermissionEventsRuleSchedule{k}"),
            )
        }
        "cloudwatchEvent" => {
            if let Some(e) = c.get(body, "event") {
                let ks = c.span(&e, sp);
                let n = c.copy(out, &e, ks);
                props.push(("EventPattern", ks, n));
            }
            (
                format!("{norm}EventsRuleCloudWatchEvent{k}"),
                format!("{norm}LambdaPermissionEventsRuleCloudWatchEvent{k}"),
            )
        }
        _ => {
            copy_keys(
                c,
                out,
                body,
                &[
                    ("pattern", "EventPattern"),
                    ("schedule", "ScheduleExpression"),
                    ("eventBus", "EventBusName"),
                ],
                sp,
                &mut props,
            );
            let name = format!("{prefix}-{}-rule-{counter}", f.name);
            (
                format!("{}EventBridgeRule", alnum_name(&name)),
                format!("{norm}EventBridgeLambdaPermission{counter}"),
            )
        }
    };
    let fa = out.get_att(&f.id, "Arn", sp);
    let tid = out.str(&format!("{}{}", f.name, upper_first(ty)), sp);
    let mut target = vec![("Arn", sp, fa), ("Id", sp, tid)];
    if ty == "eventBridge" && map {
        if let Some(d) = c.get(body, "deadLetterQueueArn") {
            let ks = c.span(&d, sp);
            let n = c.copy(out, &d, ks);
            let m = out.map(vec![("Arn", ks, n)], ks);
            target.push(("DeadLetterConfig", ks, m));
        }
        if let Some(rp) = c.get(body, "retryPolicy") {
            let ks = c.span(&rp, sp);
            let mut e = Vec::new();
            copy_keys(
                c,
                out,
                &rp,
                &[
                    ("maximumEventAge", "MaximumEventAgeInSeconds"),
                    ("maximumRetryAttempts", "MaximumRetryAttempts"),
                ],
                ks,
                &mut e,
            );
            let m = out.map(e, ks);
            target.push(("RetryPolicy", ks, m));
        }
    }
    let t = out.map(target, sp);
    let ts = out.seq(vec![t], sp);
    props.push(("Targets", sp, ts));
    let enabled = map && c.get(body, "enabled").and_then(|e| c.text(&e)) == Some("false".into());
    let st = out.str(if enabled { "DISABLED" } else { "ENABLED" }, sp);
    props.push(("State", sp, st));
    out.resource(&id, "AWS::Events::Rule", props, sp, Some(rep.clone()));
    let src = out.get_att(&id, "Arn", sp);
    permission(out, &perm_id, f, "events.amazonaws.com", Some(src), sp, rep);
}

/// `IamRoleLambdaExecution`: the log statements, `provider.iam.role.statements` (or the older
/// `provider.iamRoleStatements`), what events and destinations need, and managed policies.
fn lower_role(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    provider: &Val,
    prefix: &str,
    sp: Span,
    extras: RoleExtras,
) {
    let user = c
        .path(provider, &["iam", "role", "statements"])
        .into_iter()
        .chain(c.get(provider, "iamRoleStatements"))
        .collect::<Vec<_>>();
    let managed = c
        .path(provider, &["iam", "role", "managedPolicies"])
        .into_iter()
        .chain(c.get(provider, "iamManagedPolicies"))
        .collect::<Vec<_>>();
    let role = RoleSpec {
        id: "IamRoleLambdaExecution",
        log_groups: format!("/aws/lambda/{prefix}"),
        policy_name: format!("{prefix}-lambda"),
    };
    lower_role_as(c, out, &role, user, managed, sp, extras);
}

/// Whether `plugins` (a list, or `{modules: [...]}`) names a plugin.
fn has_plugin(c: &mut Cfg<'_, '_>, root: &Val, name: &str) -> bool {
    let Some(p) = c.get(root, "plugins") else {
        return false;
    };
    let list = if c.is_map(&p) {
        match c.get(&p, "modules") {
            Some(m) => m,
            None => return false,
        }
    } else {
        p
    };
    c.items(&list)
        .iter()
        .any(|v| c.text(v).as_deref() == Some(name))
}

/// `serverless-iam-roles-per-function`: `<Norm>IamRoleLambdaExecution` with the log statements
/// of the function's log group, its `iamRoleStatements` (and the provider's with
/// `iamRoleStatementsInherit: true` or `custom.serverless-iam-roles-per-function.defaultInherit`),
/// what its events and destinations need, and its `iamManagedPolicies`.
fn lower_function_role(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    f: &Func,
    provider: &Val,
    prefix: &str,
    default_inherit: bool,
    extras: RoleExtras,
) {
    let mine = c.get(&f.cfg, "iamRoleStatements");
    let sp = mine.as_ref().map_or(f.key_span, |v| c.span(v, f.key_span));
    let inherit = match c.get(&f.cfg, "iamRoleStatementsInherit") {
        Some(v) => c.text(&v).as_deref() == Some("true"),
        None => default_inherit,
    };
    let mut user: Vec<Val> = mine.into_iter().collect();
    let mut managed: Vec<Val> = c.get(&f.cfg, "iamManagedPolicies").into_iter().collect();
    if inherit {
        user.extend(
            c.path(provider, &["iam", "role", "statements"])
                .into_iter()
                .chain(c.get(provider, "iamRoleStatements")),
        );
        managed.extend(
            c.path(provider, &["iam", "role", "managedPolicies"])
                .into_iter()
                .chain(c.get(provider, "iamManagedPolicies")),
        );
    }
    let role = RoleSpec {
        id: &f.role_id,
        log_groups: format!("/aws/lambda/{prefix}-{}", f.name),
        policy_name: format!("{prefix}-{}-lambda", f.name),
    };
    lower_role_as(c, out, &role, user, managed, sp, extras);
}

struct RoleSpec<'a> {
    id: &'a str,
    /// The log group name (prefix) its log statements cover.
    log_groups: String,
    policy_name: String,
}

fn lower_role_as(
    c: &mut Cfg<'_, '_>,
    out: &mut Out,
    role: &RoleSpec<'_>,
    user: Vec<Val>,
    managed_lists: Vec<Val>,
    sp: Span,
    extras: RoleExtras,
) {
    let mut stmts = Vec::new();
    for (acts, suffix) in [
        (
            &[
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:TagResource",
            ][..],
            "*:*",
        ),
        (&["logs:PutLogEvents"][..], "*:*:*"),
    ] {
        let r = out.str(
            &format!(
                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{}{suffix}",
                role.log_groups
            ),
            sp,
        );
        let sub = out.intrinsic("Fn::Sub", r, sp);
        stmts.push(statement(out, acts, sub, sp));
    }
    for list in user {
        if c.is_seq(&list) {
            for s in c.items(&list) {
                let ssp = c.span(&s, sp);
                stmts.push(c.copy(out, &s, ssp));
            }
        } else {
            let lsp = c.span(&list, sp);
            stmts.push(c.copy(out, &list, lsp));
        }
    }
    stmts.extend(extras.statements);
    let list = out.seq(stmts, sp);
    let ver = out.str("2012-10-17", sp);
    let doc = out.map(vec![("Version", sp, ver), ("Statement", sp, list)], sp);
    let pname = out.str(&role.policy_name, sp);
    let pol = out.map(
        vec![("PolicyName", sp, pname), ("PolicyDocument", sp, doc)],
        sp,
    );
    let pols = out.seq(vec![pol], sp);
    let assume = {
        let e = out.str("Allow", sp);
        let svc = out.str("lambda.amazonaws.com", sp);
        let svcs = out.seq(vec![svc], sp);
        let pr = out.map(vec![("Service", sp, svcs)], sp);
        let a = out.str("sts:AssumeRole", sp);
        let acts = out.seq(vec![a], sp);
        let st = out.map(
            vec![
                ("Effect", sp, e),
                ("Principal", sp, pr),
                ("Action", sp, acts),
            ],
            sp,
        );
        let sts = out.seq(vec![st], sp);
        let v = out.str("2012-10-17", sp);
        out.map(vec![("Version", sp, v), ("Statement", sp, sts)], sp)
    };
    let mut props = vec![
        ("AssumeRolePolicyDocument", sp, assume),
        ("Policies", sp, pols),
    ];
    let mut managed = Vec::new();
    for v in managed_lists {
        for m in c.items(&v) {
            let msp = c.span(&m, sp);
            managed.push(c.copy(out, &m, msp));
        }
    }
    if extras.needs_vpc_policy {
        managed.push(out.partition_arn(
            ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            sp,
        ));
    }
    if !managed.is_empty() {
        let m = out.seq(managed, sp);
        props.push(("ManagedPolicyArns", sp, m));
    }
    out.resource(role.id, "AWS::IAM::Role", props, sp, None);
}
