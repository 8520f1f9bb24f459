//! API Gateway: REST, HTTP and WebSocket APIs and their stages, including the implicit APIs SAM
//! creates for `Api` / `HttpApi` events, with SAM `Globals.Api` / `Globals.HttpApi` merged here
//! (lists add up, maps merge, the resource's own keys win). For each stage: throttling (method and
//! route settings, usage plans), access logs, data tracing; for each REST API: its endpoint type
//! and what its resource policy lets in. Values the template cannot decide are `Unknown`.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::load::{Document, NodeId};
use crate::model::network::refs_below;
use crate::model::template::{Known, Template, sub_variables};
use crate::model::{App, EventSource};
use crate::source::{Format, Span};

/// The logical id SAM gives the REST API it creates for `Api` events without `RestApiId`.
pub const IMPLICIT_REST: &str = "ServerlessRestApi";
/// The logical id SAM gives the HTTP API it creates for `HttpApi` events without `ApiId`.
pub const IMPLICIT_HTTP: &str = "ServerlessHttpApi";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    Rest,
    Http,
    WebSocket,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Rest => "REST API",
            ApiKind::Http => "HTTP API",
            ApiKind::WebSocket => "WebSocket API",
        }
    }
}

/// What a REST API's resource policy lets in, for a private API.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Every `Allow` is conditioned on `aws:SourceVpce` / `aws:SourceVpc` (or the `Vpce*` keys), or
    /// a `Deny` on them guards it (SAM `IntrinsicVpceWhitelist` and the like produce that form).
    Guarded,
    /// An `Allow` that lets any VPC endpoint in: where it is (in the template) and how to name it.
    Open {
        span: Span,
        what: String,
    },
    /// No resource policy at all.
    NoPolicy,
    Unknown(String),
}

/// One API of the template (explicit or SAM-implicit).
#[derive(Debug, Clone)]
pub struct Api {
    /// Logical id (`ServerlessRestApi` / `ServerlessHttpApi` for the implicit ones).
    pub id: String,
    pub kind: ApiKind,
    /// An `AWS::Serverless::Api` / `HttpApi` (or an implicit one).
    pub sam: bool,
    pub implicit: bool,
    /// The resource to report at (for an implicit API, the first function with an event for it).
    pub declared_in: String,
    pub anchor: Span,
    /// Functions behind it (events, methods, integrations, OpenAPI definitions).
    pub functions: Vec<String>,
    /// REST APIs: is the endpoint type `PRIVATE`?
    pub private: Known<bool>,
    /// REST APIs: what the resource policy lets in (only computed for private APIs).
    pub access: Access,
}

/// Where a stage setting is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub span: Span,
    pub from_globals: bool,
    /// Property path from the resource (or `Globals.Api` / `Globals.HttpApi`).
    pub path: Vec<String>,
}

/// One deployed stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The API's logical id (as in [`Api::id`]).
    pub api: String,
    pub kind: ApiKind,
    pub sam: bool,
    pub implicit: bool,
    /// `StageName`, when literal.
    pub name: Option<String>,
    /// The resource to report at: the stage, the deployment that creates it, the SAM API, or the
    /// first function with an event for an implicit API.
    pub declared_in: String,
    pub anchor: Span,
    /// Throttling of the stage (method / route settings, usage plans): where, when there is some.
    pub throttling: Known<Option<String>>,
    pub access_logs: Known<bool>,
    /// `DataTraceEnabled: true` settings.
    pub data_trace: Vec<Setting>,
    /// `Globals.Api` / `Globals.HttpApi` applies to this stage (SAM, not opted out).
    pub globals: bool,
}

impl Stage {
    /// "stage `Prod` of REST API `Orders`", "the `Prod` stage of the REST API SAM creates for
    /// `Api` events (`ServerlessRestApi`)".
    pub fn describe(&self) -> String {
        let stage = match &self.name {
            Some(n) => format!("stage `{n}`"),
            None => "the stage".to_string(),
        };
        if self.implicit {
            let ev = if self.kind == ApiKind::Rest {
                "Api"
            } else {
                "HttpApi"
            };
            format!(
                "{stage} of the {} SAM creates for `{ev}` events (`{}`)",
                self.kind.as_str(),
                self.api
            )
        } else {
            format!("{stage} of {} `{}`", self.kind.as_str(), self.api)
        }
    }
}

/// The APIs and stages of a template.
#[derive(Debug, Clone, Default)]
pub struct Apis {
    pub apis: IndexMap<String, Api>,
    pub stages: Vec<Stage>,
}

impl Apis {
    pub fn api(&self, id: &str) -> Option<&Api> {
        self.apis.get(id)
    }
}

const REST_API: &str = "AWS::ApiGateway::RestApi";
const SAM_API: &str = "AWS::Serverless::Api";
const SAM_HTTP_API: &str = "AWS::Serverless::HttpApi";
const V2_API: &str = "AWS::ApiGatewayV2::Api";

/// Setting sources of a SAM resource: its own properties, then the `Globals` section (unless
/// `IgnoreGlobals` excludes `key`).
fn sam_sources(
    tpl: &Template,
    own: Option<&crate::model::Resource>,
    section: &str,
) -> Vec<(NodeId, bool)> {
    let mut v = Vec::new();
    if let Some(p) = own.and_then(|r| r.properties) {
        v.push((p, false));
    }
    if let Some(g) = tpl.globals(section) {
        v.push((g, true));
    }
    v
}

/// The sources that apply to one property (Globals dropped when `IgnoreGlobals` lists it).
fn for_key(
    tpl: &Template,
    own: Option<&crate::model::Resource>,
    sources: &[(NodeId, bool)],
    key: &str,
) -> Vec<(NodeId, bool)> {
    sources
        .iter()
        .copied()
        .filter(|(_, g)| !*g || own.is_none_or(|r| tpl.takes_globals(r, key)))
        .collect()
}

fn is_computed(doc: &Document, n: NodeId) -> bool {
    doc.intrinsic(n).is_some() || doc.as_map(n).is_none() && doc.as_seq(n).is_none()
}

const THROTTLE_KEYS: &[&str] = &["ThrottlingRateLimit", "ThrottlingBurstLimit"];

/// Throttling in REST settings: `MethodSettings` items, and (a deployment's `StageDescription`)
/// top-level `ThrottlingRateLimit` / `ThrottlingBurstLimit`.
fn rest_throttling(tpl: &Template, sources: &[(NodeId, bool)]) -> Known<Option<String>> {
    let doc = &tpl.doc;
    let mut unknown: Option<String> = None;
    for (m, g) in sources {
        let glob = if *g { " (`Globals.Api`)" } else { "" };
        for k in THROTTLE_KEYS {
            if doc.get(*m, k).is_some() {
                return Known::Yes(Some(format!("`{k}`{glob}")));
            }
        }
        let Some(ms) = doc.get(*m, "MethodSettings") else {
            continue;
        };
        let Some(items) = doc.as_seq(ms) else {
            unknown.get_or_insert_with(|| "`MethodSettings` is computed".into());
            continue;
        };
        for it in items {
            if doc.as_map(*it).is_none() || doc.intrinsic(*it).is_some() {
                unknown.get_or_insert_with(|| "a `MethodSettings` item is computed".into());
                continue;
            }
            for k in THROTTLE_KEYS {
                if doc.get(*it, k).is_some() {
                    return Known::Yes(Some(format!("`MethodSettings` `{k}`{glob}")));
                }
            }
        }
    }
    match unknown {
        Some(u) => Known::Unknown(u),
        None => Known::Yes(None),
    }
}

/// Throttling in HTTP / WebSocket settings: `DefaultRouteSettings`, `RouteSettings`.
fn route_throttling(tpl: &Template, sources: &[(NodeId, bool)]) -> Known<Option<String>> {
    let doc = &tpl.doc;
    let mut unknown: Option<String> = None;
    for (m, g) in sources {
        let glob = if *g { " (`Globals.HttpApi`)" } else { "" };
        if let Some(d) = doc.get(*m, "DefaultRouteSettings") {
            if is_computed(doc, d) {
                unknown.get_or_insert_with(|| "`DefaultRouteSettings` is computed".into());
            } else if THROTTLE_KEYS.iter().any(|k| doc.get(d, k).is_some()) {
                return Known::Yes(Some(format!("`DefaultRouteSettings`{glob}")));
            }
        }
        if let Some(r) = doc.get(*m, "RouteSettings") {
            let Some(routes) = doc.as_map(r).filter(|_| doc.intrinsic(r).is_none()) else {
                unknown.get_or_insert_with(|| "`RouteSettings` is computed".into());
                continue;
            };
            for (route, _, s) in routes.iter() {
                if THROTTLE_KEYS.iter().any(|k| doc.get(s, k).is_some()) {
                    return Known::Yes(Some(format!("`RouteSettings` of `{route}`{glob}")));
                }
            }
        }
    }
    match unknown {
        Some(u) => Known::Unknown(u),
        None => Known::Yes(None),
    }
}

/// Access logs: `AccessLogSetting(s).DestinationArn` in any source (SAM maps merge).
fn access_logs(tpl: &Template, sources: &[(NodeId, bool)], key: &str) -> Known<bool> {
    let doc = &tpl.doc;
    let mut unknown = None;
    for (m, _) in sources {
        let Some(a) = doc.get(*m, key) else { continue };
        if doc.intrinsic(a).is_some() || doc.as_map(a).is_none() {
            unknown.get_or_insert_with(|| format!("`{key}` is computed"));
            continue;
        }
        if doc.get(a, "DestinationArn").is_some() {
            return Known::Yes(true);
        }
    }
    match unknown {
        Some(u) => Known::Unknown(u),
        None => Known::Yes(false),
    }
}

/// `DataTraceEnabled: true` settings: in `MethodSettings` items, at the top of a deployment's
/// `StageDescription`, in `DefaultRouteSettings` / `RouteSettings`.
fn data_trace(tpl: &Template, sources: &[(NodeId, bool)], base: &[&str]) -> Vec<Setting> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    let mut check = |map: NodeId, g: bool, path: Vec<String>| {
        if let Some(v) = doc.get(map, "DataTraceEnabled")
            && tpl.boolean(v).known() == Some(true)
        {
            let mut p: Vec<String> = if g {
                Vec::new()
            } else {
                base.iter().map(|s| s.to_string()).collect()
            };
            p.extend(path);
            p.push("DataTraceEnabled".into());
            out.push(Setting {
                span: doc
                    .as_map(map)
                    .and_then(|m| m.key_span("DataTraceEnabled"))
                    .unwrap_or_else(|| doc.span(v)),
                from_globals: g,
                path: p,
            });
        }
    };
    for (m, g) in sources {
        check(*m, *g, Vec::new());
        if let Some(items) = doc.get(*m, "MethodSettings").and_then(|n| doc.as_seq(n)) {
            for (i, it) in items.iter().enumerate() {
                check(*it, *g, vec!["MethodSettings".into(), i.to_string()]);
            }
        }
        if let Some(d) = doc.get(*m, "DefaultRouteSettings") {
            check(d, *g, vec!["DefaultRouteSettings".into()]);
        }
        if let Some(routes) = doc.get(*m, "RouteSettings").and_then(|n| doc.as_map(n)) {
            for (route, _, s) in routes.iter() {
                check(s, *g, vec!["RouteSettings".into(), route.to_string()]);
            }
        }
    }
    out
}

/// SAM `Auth.UsagePlan` with a `Throttle` (and a plan actually created).
fn sam_usage_plan(tpl: &Template, sources: &[(NodeId, bool)]) -> Option<String> {
    let doc = &tpl.doc;
    for (m, g) in sources {
        let Some(plan) = doc.get_path(*m, &["Auth", "UsagePlan"]) else {
            continue;
        };
        let create = doc
            .get(plan, "CreateUsagePlan")
            .and_then(|n| tpl.string(n).known());
        if create.as_deref() == Some("NONE") {
            continue;
        }
        if doc.get(plan, "Throttle").is_some() {
            return Some(format!(
                "`Auth.UsagePlan.Throttle`{}",
                if *g { " (`Globals.Api`)" } else { "" }
            ));
        }
    }
    None
}

/// APIs named by `AWS::ApiGateway::UsagePlan`s that throttle: API id -> plan.
fn usage_plans(tpl: &Template) -> HashMap<String, String> {
    let doc = &tpl.doc;
    let mut out = HashMap::new();
    for r in tpl.resources_of("AWS::ApiGateway::UsagePlan") {
        let plan_throttle = tpl.prop(r, "Throttle").is_some();
        let Some(stages) = tpl.prop(r, "ApiStages") else {
            continue;
        };
        for s in doc.one_or_many(stages) {
            if !plan_throttle && doc.get(s, "Throttle").is_none() {
                continue;
            }
            let Some(api) = doc.get(s, "ApiId") else {
                continue;
            };
            let mut ids: Vec<String> = refs_below(tpl, api).into_iter().map(|x| x.id).collect();
            // `!Ref ServerlessRestApi`: the implicit API is not a resource of the template.
            if let Some(("Ref", n)) = doc.intrinsic(api)
                && doc.as_str(n) == Some(IMPLICIT_REST)
            {
                ids.push(IMPLICIT_REST.to_string());
            }
            for id in ids {
                out.entry(id).or_insert_with(|| r.id.clone());
            }
        }
    }
    out
}

/// Functions behind each API: SAM events, methods, integrations, OpenAPI definitions.
fn backends(app: &App) -> HashMap<String, Vec<String>> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    let mut add = |api: String, f: &str| {
        let v = out.entry(api).or_default();
        if !v.iter().any(|x| x == f) {
            v.push(f.to_string());
        }
    };
    for e in &app.events {
        if let Some(api) = event_api(tpl, e) {
            add(api, &e.function);
        }
    }
    let functions_below = |n: NodeId| -> Vec<String> {
        refs_below(tpl, n)
            .into_iter()
            .filter(|x| app.functions.contains_key(&x.id))
            .map(|x| x.id)
            .collect()
    };
    for r in tpl.resources.values() {
        let (api_key, target_keys): (&str, &[&[&str]]) = match r.type_.as_str() {
            "AWS::ApiGateway::Method" => ("RestApiId", &[&["Integration", "Uri"]]),
            "AWS::ApiGatewayV2::Integration" => ("ApiId", &[&["IntegrationUri"]]),
            REST_API | SAM_API => ("", &[&["Body"], &["DefinitionBody"]]),
            V2_API | SAM_HTTP_API => ("", &[&["Target"], &["Body"], &["DefinitionBody"]]),
            _ => continue,
        };
        let Some(props) = r.properties else { continue };
        let api = if api_key.is_empty() {
            Some(r.id.clone())
        } else {
            doc.get(props, api_key)
                .and_then(|n| tpl.ref_resource(n))
                .map(str::to_string)
        };
        let Some(api) = api else { continue };
        for path in target_keys {
            if let Some(n) = doc.get_path(props, path) {
                for f in functions_below(n) {
                    add(api.clone(), &f);
                }
            }
        }
    }
    out
}

/// The API a SAM `Api` / `HttpApi` event belongs to (the implicit one without `RestApiId` /
/// `ApiId`); `None` for other sources or a computed id.
pub fn event_api(tpl: &Template, e: &EventSource) -> Option<String> {
    let (key, implicit) = match e.kind.as_str() {
        "Api" if e.name.is_some() => ("RestApiId", IMPLICIT_REST),
        "HttpApi" if e.name.is_some() => ("ApiId", IMPLICIT_HTTP),
        _ => return None,
    };
    match e.props.and_then(|p| tpl.doc.get(p, key)) {
        None => Some(implicit.to_string()),
        Some(n) => tpl.ref_resource(n).map(str::to_string),
    }
}

/// `EndpointConfiguration` of a REST API: `Types: [PRIVATE]` (CloudFormation), `PRIVATE` or
/// `{Type: PRIVATE}` (SAM).
fn private_endpoint(tpl: &Template, sources: &[(NodeId, bool)]) -> Known<bool> {
    let doc = &tpl.doc;
    for (m, _) in sources {
        let Some(ec) = doc.get(*m, "EndpointConfiguration") else {
            continue;
        };
        if let Some(("Fn::If" | "Ref" | "Fn::FindInMap", _)) = doc.intrinsic(ec) {
            return Known::Unknown("`EndpointConfiguration` is computed".into());
        }
        let types: Vec<NodeId> = if doc.as_map(ec).is_some() {
            match doc.get(ec, "Types").or_else(|| doc.get(ec, "Type")) {
                Some(t) => doc.one_or_many(t),
                None => return Known::Yes(false),
            }
        } else {
            vec![ec]
        };
        for t in types {
            match tpl.string(t) {
                Known::Yes(s) if s.eq_ignore_ascii_case("PRIVATE") => return Known::Yes(true),
                Known::Yes(_) => {}
                Known::Unknown(why) => return Known::Unknown(why),
            }
        }
        return Known::Yes(false);
    }
    Known::Yes(false)
}

/// Condition keys that tie a request to a VPC endpoint or VPC.
const VPCE_KEYS: &[&str] = &[
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:vpceaccount",
    "aws:vpceorgid",
    "aws:vpceorgpaths",
];

/// Does a `Condition` block test one of [`VPCE_KEYS`], with a negated (`negated`) or a positive
/// operator?
fn vpce_condition(doc: &Document, cond: NodeId, negated: bool) -> bool {
    let Some(ops) = doc.as_map(cond) else {
        return false;
    };
    ops.iter().any(|(op, _, keys)| {
        let op = op.to_ascii_lowercase();
        let is_neg = op.contains("not");
        if is_neg != negated {
            return false;
        }
        doc.as_map(keys).is_some_and(|k| {
            k.iter()
                .any(|(key, _, _)| VPCE_KEYS.contains(&key.to_ascii_lowercase().as_str()))
        })
    })
}

/// Verdict over policy statements (in `doc`); `anchor` maps a statement to where to report it in
/// the template. `guard`: a `Deny` on the VPC endpoint keys is already known (SAM whitelists).
fn statements_access(
    doc: &Document,
    statements: &[NodeId],
    mut guard: bool,
    anchor: &dyn Fn(NodeId) -> Span,
) -> Access {
    let mut open: Option<(Span, String)> = None;
    for (i, s) in statements.iter().enumerate() {
        if doc.as_map(*s).is_none() || doc.intrinsic(*s).is_some() {
            return Access::Unknown("a policy statement is computed".into());
        }
        let effect = doc.get(*s, "Effect").and_then(|e| doc.as_str(e));
        let cond = doc.get(*s, "Condition");
        match effect {
            Some("Allow") => {
                if cond.is_some_and(|c| vpce_condition(doc, c, false)) {
                    continue;
                }
                if open.is_none() {
                    let what = match doc.get(*s, "Sid").and_then(|n| doc.scalar_text(n)) {
                        Some(sid) => format!("statement `{sid}`"),
                        None => format!("statement {}", i + 1),
                    };
                    open = Some((anchor(*s), what));
                }
            }
            Some("Deny") => {
                if cond.is_some_and(|c| vpce_condition(doc, c, true)) {
                    guard = true;
                }
            }
            _ => return Access::Unknown("a policy statement has a computed `Effect`".into()),
        }
    }
    match open {
        Some((span, what)) if !guard => Access::Open { span, what },
        _ => Access::Guarded,
    }
}

/// The statements of a policy document node.
fn statement_nodes(doc: &Document, policy: NodeId) -> Option<Vec<NodeId>> {
    let st = doc.get(policy, "Statement")?;
    if doc.intrinsic(st).is_some() {
        return None;
    }
    Some(doc.one_or_many(st))
}

/// A policy written as a JSON string (`Policy: '{"Version": ...}'`, or `Fn::Sub` of one): the
/// statements' verdict, anchored at `at`.
fn string_policy_access(tpl: &Template, node: NodeId, at: Span) -> Access {
    let doc = &tpl.doc;
    let text = match doc.as_str(node) {
        Some(s) => s.to_string(),
        None => match doc.intrinsic(node) {
            Some(("Fn::Sub", arg)) => {
                let Some(s) = doc.as_str(arg).or_else(|| {
                    doc.as_seq(arg)
                        .and_then(|s| s.first())
                        .and_then(|x| doc.as_str(*x))
                }) else {
                    return Access::Unknown("the resource policy is computed".into());
                };
                // Variables stand in string values (ARNs, ids): their text does not matter here.
                let mut t = s.to_string();
                for v in sub_variables(s) {
                    t = t.replace(&format!("${{{v}}}"), "VAR");
                }
                t
            }
            _ => return Access::Unknown("the resource policy is computed".into()),
        },
    };
    let Ok(loaded) = crate::load::load(&text, Format::Json) else {
        return Access::Unknown("the resource policy is not valid JSON".into());
    };
    let pdoc = loaded.doc;
    let Some(root) = pdoc.root else {
        return Access::Unknown("empty resource policy".into());
    };
    match statement_nodes(&pdoc, root) {
        Some(st) => statements_access(&pdoc, &st, false, &|_| at),
        None => Access::Unknown("the resource policy has no literal `Statement`".into()),
    }
}

/// What the resource policy of a REST API lets in.
fn rest_access(tpl: &Template, r: Option<&crate::model::Resource>, sam: bool) -> Access {
    let doc = &tpl.doc;
    let anchor = |n: NodeId| doc.span(n);
    let props = r.and_then(|r| r.properties);
    // An OpenAPI definition may carry `x-amazon-apigateway-policy`.
    for key in ["Body", "DefinitionBody"] {
        if let Some(b) = props.and_then(|p| doc.get(p, key))
            && let Some(p) = doc.get(b, "x-amazon-apigateway-policy")
        {
            return match statement_nodes(doc, p) {
                Some(st) => statements_access(doc, &st, false, &anchor),
                None => Access::Unknown("`x-amazon-apigateway-policy` is computed".into()),
            };
        }
    }
    if !sam {
        let Some(p) = props.and_then(|p| doc.get(p, "Policy")) else {
            if props.is_some_and(|p| doc.get(p, "BodyS3Location").is_some()) {
                return Access::Unknown("the OpenAPI definition (and its policy) is in S3".into());
            }
            return Access::NoPolicy;
        };
        if doc.as_map(p).is_some() && doc.intrinsic(p).is_none() {
            return match statement_nodes(doc, p) {
                Some(st) => statements_access(doc, &st, false, &anchor),
                None => Access::Unknown("the policy's `Statement` is computed".into()),
            };
        }
        let at = props
            .and_then(|m| tpl.key_span(m, "Policy"))
            .unwrap_or_else(|| doc.span(p));
        return string_policy_access(tpl, p, at);
    }
    // SAM: `Auth.ResourcePolicy` (own, else `Globals.Api`), and the `Policy` property, which SAM
    // passes to the REST API as it is (the statements of both end up in one policy).
    let sources = sam_sources(tpl, r, "Api");
    let sources = for_key(tpl, r, &sources, "Auth");
    let mut guard = false;
    let mut open: Option<Access> = None;
    let mut statements: Vec<NodeId> = Vec::new();
    let mut any = false;
    if let Some(p) = props.and_then(|p| doc.get(p, "Policy")) {
        any = true;
        if doc.as_map(p).is_none() || doc.intrinsic(p).is_some() {
            return Access::Unknown("the `Policy` is computed or a string".into());
        }
        match statement_nodes(doc, p) {
            Some(st) => statements.extend(st),
            None => return Access::Unknown("the policy's `Statement` is computed".into()),
        }
    }
    for (m, _) in &sources {
        let Some(rp) = doc.get_path(*m, &["Auth", "ResourcePolicy"]) else {
            continue;
        };
        any = true;
        let Some(map) = doc.as_map(rp).filter(|_| doc.intrinsic(rp).is_none()) else {
            return Access::Unknown("`Auth.ResourcePolicy` is computed".into());
        };
        for (k, ks, v) in map.iter() {
            match k {
                "IntrinsicVpceWhitelist" | "IntrinsicVpcWhitelist" | "SourceVpcWhitelist" => {
                    guard = true;
                }
                "AwsAccountWhitelist" | "IpRangeWhitelist" | "IntrinsicVpceBlacklist"
                | "IntrinsicVpcBlacklist" | "SourceVpcBlacklist" | "IpRangeBlacklist"
                | "AwsAccountBlacklist"
                    // SAM writes an `Allow` for these (a blacklist alone still allows the rest).
                    if open.is_none() =>
                {
                    open = Some(Access::Open {
                        span: ks,
                        what: format!("`{k}`"),
                    });
                }
                "CustomStatements" => {
                    if doc.intrinsic(v).is_some() {
                        return Access::Unknown("`CustomStatements` is computed".into());
                    }
                    statements.extend(doc.one_or_many(v));
                }
                _ => {}
            }
        }
    }
    if !any {
        if props.is_some_and(|p| doc.get(p, "DefinitionUri").is_some()) {
            return Access::Unknown("the OpenAPI definition (and its policy) is in a file".into());
        }
        return Access::NoPolicy;
    }
    match statements_access(doc, &statements, guard, &anchor) {
        Access::Guarded => match open {
            Some(o) if !guard => o,
            _ => Access::Guarded,
        },
        other => other,
    }
}

/// Collect the APIs and stages of an application.
pub fn collect(app: &App) -> Apis {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out = Apis::default();
    let has_api_resources = tpl.resources.values().any(|r| {
        matches!(
            r.type_.as_str(),
            REST_API | SAM_API | SAM_HTTP_API | V2_API | "AWS::ApiGateway::Stage"
        )
    });
    let has_api_events = app
        .events
        .iter()
        .any(|e| e.name.is_some() && (e.kind == "Api" || e.kind == "HttpApi"));
    if !has_api_resources && !has_api_events {
        return out;
    }
    let mut backends = backends(app);
    let plans = usage_plans(tpl);
    let plan_throttle = |api: &str| -> Option<String> {
        plans
            .get(api)
            .map(|p| format!("usage plan `{p}` (for requests with an API key)"))
    };
    // Explicit APIs.
    for r in tpl.resources.values() {
        let (kind, sam) = match r.type_.as_str() {
            REST_API => (ApiKind::Rest, false),
            SAM_API => (ApiKind::Rest, true),
            SAM_HTTP_API => (ApiKind::Http, true),
            V2_API => {
                let proto = tpl
                    .prop(r, "ProtocolType")
                    .and_then(|n| tpl.string(n).known());
                match proto.as_deref() {
                    Some("WEBSOCKET") => (ApiKind::WebSocket, false),
                    _ => (ApiKind::Http, false),
                }
            }
            _ => continue,
        };
        let sources = if sam {
            sam_sources(
                tpl,
                Some(r),
                if kind == ApiKind::Rest {
                    "Api"
                } else {
                    "HttpApi"
                },
            )
        } else {
            r.properties.map(|p| vec![(p, false)]).unwrap_or_default()
        };
        let (private, access) = if kind == ApiKind::Rest {
            let private = private_endpoint(
                tpl,
                &for_key(tpl, Some(r), &sources, "EndpointConfiguration"),
            );
            let access = if private == Known::Yes(true) {
                rest_access(tpl, Some(r), sam)
            } else {
                Access::Unknown("not a private API".into())
            };
            (private, access)
        } else {
            (Known::Yes(false), Access::Unknown("not a REST API".into()))
        };
        out.apis.insert(
            r.id.clone(),
            Api {
                id: r.id.clone(),
                kind,
                sam,
                implicit: false,
                declared_in: r.id.clone(),
                anchor: r.key_span,
                functions: backends.remove(&r.id).unwrap_or_default(),
                private,
                access,
            },
        );
        // The stage a SAM API creates; the `$default` stage of a quick-create HTTP API.
        if sam {
            let globals = !sources.iter().all(|(_, g)| !*g);
            let name = tpl
                .prop(r, "StageName")
                .and_then(|n| tpl.string(n).known())
                .or_else(|| (kind == ApiKind::Http).then(|| "$default".to_string()));
            out.stages.push(sam_stage(
                tpl,
                SamStage {
                    api: &r.id,
                    kind,
                    implicit: false,
                    name,
                    declared_in: &r.id,
                    anchor: r.key_span,
                    own: Some(r),
                    globals,
                },
                plan_throttle(&r.id),
            ));
        } else if kind == ApiKind::Http && tpl.prop(r, "Target").is_some() {
            out.stages.push(Stage {
                api: r.id.clone(),
                kind,
                sam: false,
                implicit: false,
                name: Some("$default".into()),
                declared_in: r.id.clone(),
                anchor: r.key_span,
                throttling: Known::Yes(None),
                access_logs: Known::Yes(false),
                data_trace: Vec::new(),
                globals: false,
            });
        }
    }
    // Implicit SAM APIs.
    for (kind, id, ev) in [
        (ApiKind::Rest, IMPLICIT_REST, "Api"),
        (ApiKind::Http, IMPLICIT_HTTP, "HttpApi"),
    ] {
        if out.apis.contains_key(id) {
            continue;
        }
        let Some(first) = app
            .events
            .iter()
            .find(|e| e.kind == ev && event_api(tpl, e).as_deref() == Some(id))
        else {
            continue;
        };
        let sources = sam_sources(tpl, None, ev);
        let (private, access) = if kind == ApiKind::Rest {
            let private = private_endpoint(tpl, &sources);
            let access = if private == Known::Yes(true) {
                rest_access(tpl, None, true)
            } else {
                Access::Unknown("not a private API".into())
            };
            (private, access)
        } else {
            (Known::Yes(false), Access::Unknown("not a REST API".into()))
        };
        out.apis.insert(
            id.to_string(),
            Api {
                id: id.to_string(),
                kind,
                sam: true,
                implicit: true,
                declared_in: first.function.clone(),
                anchor: first.span,
                functions: backends.remove(id).unwrap_or_default(),
                private,
                access,
            },
        );
        let name = match kind {
            ApiKind::Rest => Some("Prod".to_string()),
            _ => Some("$default".to_string()),
        };
        out.stages.push(sam_stage(
            tpl,
            SamStage {
                api: id,
                kind,
                implicit: true,
                name,
                declared_in: &first.function,
                anchor: first.span,
                own: None,
                globals: tpl.globals(ev).is_some(),
            },
            plan_throttle(id),
        ));
    }
    // CloudFormation stages and deployments.
    for r in tpl.resources.values() {
        match r.type_.as_str() {
            "AWS::ApiGateway::Stage" => {
                let Some(props) = r.properties else { continue };
                let api = doc
                    .get(props, "RestApiId")
                    .and_then(|n| tpl.ref_resource(n))
                    .map(str::to_string);
                let sources = [(props, false)];
                let mut throttling = rest_throttling(tpl, &sources);
                if let (Known::Yes(None), Some(p)) =
                    (&throttling, api.as_deref().and_then(plan_throttle))
                {
                    throttling = Known::Yes(Some(p));
                }
                out.stages.push(Stage {
                    api: api.unwrap_or_else(|| "an API outside the template".into()),
                    kind: ApiKind::Rest,
                    sam: false,
                    implicit: false,
                    name: doc
                        .get(props, "StageName")
                        .and_then(|n| tpl.string(n).known()),
                    declared_in: r.id.clone(),
                    anchor: r.key_span,
                    throttling,
                    access_logs: access_logs(tpl, &sources, "AccessLogSetting"),
                    data_trace: data_trace(tpl, &sources, &[]),
                    globals: false,
                });
            }
            "AWS::ApiGateway::Deployment" => {
                let Some(props) = r.properties else { continue };
                if doc.get(props, "StageName").is_none() {
                    continue;
                }
                let api = doc
                    .get(props, "RestApiId")
                    .and_then(|n| tpl.ref_resource(n))
                    .map(str::to_string);
                let sd = doc.get(props, "StageDescription");
                let sources: Vec<(NodeId, bool)> = sd.map(|s| vec![(s, false)]).unwrap_or_default();
                let mut throttling = rest_throttling(tpl, &sources);
                if let (Known::Yes(None), Some(p)) =
                    (&throttling, api.as_deref().and_then(plan_throttle))
                {
                    throttling = Known::Yes(Some(p));
                }
                if sd.is_some_and(|s| doc.intrinsic(s).is_some()) {
                    throttling = Known::Unknown("`StageDescription` is computed".into());
                }
                out.stages.push(Stage {
                    api: api.unwrap_or_else(|| "an API outside the template".into()),
                    kind: ApiKind::Rest,
                    sam: false,
                    implicit: false,
                    name: doc
                        .get(props, "StageName")
                        .and_then(|n| tpl.string(n).known()),
                    declared_in: r.id.clone(),
                    anchor: r.key_span,
                    throttling,
                    access_logs: access_logs(tpl, &sources, "AccessLogSetting"),
                    data_trace: data_trace(tpl, &sources, &["StageDescription"]),
                    globals: false,
                });
            }
            "AWS::ApiGatewayV2::Stage" => {
                let Some(props) = r.properties else { continue };
                let api = doc
                    .get(props, "ApiId")
                    .and_then(|n| tpl.ref_resource(n))
                    .map(str::to_string);
                let kind = api
                    .as_deref()
                    .and_then(|a| out.apis.get(a))
                    .map_or(ApiKind::Http, |a| a.kind);
                let sources = [(props, false)];
                out.stages.push(Stage {
                    api: api.unwrap_or_else(|| "an API outside the template".into()),
                    kind,
                    sam: false,
                    implicit: false,
                    name: doc
                        .get(props, "StageName")
                        .and_then(|n| tpl.string(n).known()),
                    declared_in: r.id.clone(),
                    anchor: r.key_span,
                    throttling: route_throttling(tpl, &sources),
                    access_logs: access_logs(tpl, &sources, "AccessLogSettings"),
                    data_trace: data_trace(tpl, &sources, &[]),
                    globals: false,
                });
            }
            _ => {}
        }
    }
    out
}

struct SamStage<'a> {
    api: &'a str,
    kind: ApiKind,
    implicit: bool,
    name: Option<String>,
    declared_in: &'a str,
    anchor: Span,
    own: Option<&'a crate::model::Resource>,
    globals: bool,
}

fn sam_stage(tpl: &Template, s: SamStage<'_>, plan: Option<String>) -> Stage {
    let section = if s.kind == ApiKind::Rest {
        "Api"
    } else {
        "HttpApi"
    };
    let sources = sam_sources(tpl, s.own, section);
    let (throttling, logs, trace) = if s.kind == ApiKind::Rest {
        let t = rest_throttling(tpl, &for_key(tpl, s.own, &sources, "MethodSettings"));
        let t = match (
            t,
            sam_usage_plan(tpl, &for_key(tpl, s.own, &sources, "Auth")),
            plan,
        ) {
            (Known::Yes(None), Some(u), _) | (Known::Yes(None), None, Some(u)) => {
                Known::Yes(Some(u))
            }
            (t, _, _) => t,
        };
        (
            t,
            access_logs(
                tpl,
                &for_key(tpl, s.own, &sources, "AccessLogSetting"),
                "AccessLogSetting",
            ),
            data_trace(tpl, &for_key(tpl, s.own, &sources, "MethodSettings"), &[]),
        )
    } else {
        let v = for_key(tpl, s.own, &sources, "DefaultRouteSettings");
        (
            route_throttling(tpl, &v),
            access_logs(
                tpl,
                &for_key(tpl, s.own, &sources, "AccessLogSettings"),
                "AccessLogSettings",
            ),
            data_trace(tpl, &v, &[]),
        )
    };
    Stage {
        api: s.api.to_string(),
        kind: s.kind,
        sam: true,
        implicit: s.implicit,
        name: s.name,
        declared_in: s.declared_in.to_string(),
        anchor: s.anchor,
        throttling,
        access_logs: logs,
        data_trace: trace,
        globals: s.globals,
    }
}
