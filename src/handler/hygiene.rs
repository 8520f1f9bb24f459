//! Facts of issue 14 (part B), read from the code every function's entry point reaches, in the
//! same analysis and with the same attribution as the others:
//!
//! - credential literals (HDL040): AWS access key ids (`AKIA`/`ASIA`), 40-character secret
//!   access keys given to a secret-key name, PEM private key blocks, and literal passwords and
//!   secrets given to a password / secret name;
//! - file writes with a path known from literals (HDL021): `open(p, "w")`, `pathlib` writes,
//!   `os.makedirs`, `shutil` copies, boto3 `download_file`, `fs` writes and directories, with
//!   paths built by `os.path.join` / `path.join`, f-strings and template literals,
//!   `tempfile.gettempdir()`, `os.tmpdir()`, `__file__`, `__dirname`;
//! - promises left floating in async JavaScript / TypeScript functions (HDL030).
//!
//! Precision first: a value that cannot be told is never reported; the documentation examples
//! of AWS (`AKIAIOSFODNN7EXAMPLE`) and placeholders (`changeme`, `<password>`, `${PASSWORD}`)
//! are not credentials; test files are not scanned for credentials.

use std::collections::HashSet;
use std::sync::Arc;

use super::ir::*;
use super::program::{Analysis, ModId, Mode, Val};
use super::sdk::{self, Kind, Sdk};
use crate::source::{SourceFile, Span};

/// The issue-14 (part B) facts of one function.
#[derive(Debug, Clone, Default)]
pub struct Hygiene {
    pub credentials: Vec<Credential>,
    pub writes: Vec<FileWrite>,
    pub floating: Vec<Floating>,
    /// Policies whose `Resource` is the request's `methodArn` only (APIGW004).
    pub method_arn_policies: Vec<MethodArnPolicy>,
    /// HTTP calls with a literal timeout (HDL010: not shorter than the function's).
    pub http_timeouts: Vec<HttpTimeout>,
    /// AWS SDK clients constructed without timeouts (HDL010: behind an API).
    pub default_timeout_clients: Vec<DefaultTimeoutClient>,
}

/// The SDK of a client construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSdk {
    /// boto3 / botocore (60 s to connect, 60 s to read, retried).
    Boto3,
    /// JavaScript SDK v3 (no request timeout).
    JsV3,
    /// JavaScript SDK v2 (120 s socket timeout, no connect timeout).
    JsV2,
}

/// An AWS SDK client constructed without a timeout, when its configuration can be read: a
/// boto3 client / resource without a botocore `Config` setting `connect_timeout` or
/// `read_timeout`; a JavaScript SDK v3 client without a `requestHandler` with
/// `requestTimeout` / `connectionTimeout`; a v2 client without `httpOptions` timeouts.
#[derive(Debug, Clone)]
pub struct DefaultTimeoutClient {
    pub sdk: ClientSdk,
    /// The IAM prefix of the client's service.
    pub service: String,
    /// The constructor as written (`boto3.client`, `S3Client`).
    pub callee: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// An HTTP call given a literal timeout.
#[derive(Debug, Clone)]
pub struct HttpTimeout {
    pub callee: String,
    /// The longest literal timeout of the call, in seconds (Python `timeout=(connect, read)`:
    /// the larger).
    pub seconds: f64,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// An authorizer policy statement whose `Resource` is `event.methodArn` (only).
#[derive(Debug, Clone)]
pub struct MethodArnPolicy {
    pub file: Arc<SourceFile>,
    /// The `Resource` value.
    pub span: Span,
}

/// What kind of credential a literal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredKind {
    AccessKeyId,
    SecretAccessKey,
    PrivateKey,
    Password,
    Secret,
}

impl CredKind {
    pub fn describe(self) -> &'static str {
        match self {
            CredKind::AccessKeyId => "an AWS access key id",
            CredKind::SecretAccessKey => "an AWS secret access key",
            CredKind::PrivateKey => "a private key",
            CredKind::Password => "a password",
            CredKind::Secret => "a secret",
        }
    }
}

/// A credential written in the code.
#[derive(Debug, Clone)]
pub struct Credential {
    pub kind: CredKind,
    /// The name it is given (variable, key, keyword argument), when it has one.
    pub name: Option<String>,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// A write to the local file system at a path known (at least its directory) from literals.
#[derive(Debug, Clone)]
pub struct FileWrite {
    /// `open`, `fs.writeFileSync`, ...
    pub callee: String,
    /// The path as far as it is known (`…` marks an unknown rest).
    pub path: String,
    /// The path is relative: it resolves under the code directory, `/var/task`.
    pub relative: bool,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// A promise an async function neither awaits, returns nor collects.
#[derive(Debug, Clone)]
pub struct Floating {
    /// What makes the promise (`client.send`, `fetch`, a local async function).
    pub callee: String,
    /// `forEach(async ..)`: the callbacks' promises are dropped.
    pub for_each: bool,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// Collect the facts of every reached function.
pub fn collect(a: &mut Analysis<'_>, out: &mut Hygiene) {
    let mut reached: Vec<((ModId, FnId), Mode)> = a.reached.iter().map(|(k, v)| (*k, *v)).collect();
    reached.sort();
    let mut seen: HashSet<(ModId, ExprId)> = HashSet::new();
    // The JavaScript SDK v2 has a global configuration (`AWS.config.update({httpOptions})`,
    // `AWS.config.httpOptions.timeout = ..`): when the code may set it, the timeouts of its v2
    // clients are not known (an update of other settings only, `{ region }`, is harmless).
    // Read from each reached module's code model once (the file's text would be the whole
    // template for inline code, scanned again for every function).
    let mods: std::collections::BTreeSet<ModId> = reached.iter().map(|((m, _), _)| *m).collect();
    let mut v2_global = mods.into_iter().any(|m| {
        a.parsed(m).is_some_and(|p| {
            let module = &p.module;
            module.exprs.iter().any(|e| match e {
                Expr::Member { obj, name } => {
                    name == "httpOptions"
                        || (name == "Config"
                            && matches!(module.expr(*obj), Expr::Name(n) if n == "AWS"))
                }
                _ => false,
            })
        })
    });
    for ((m, f), _) in reached.iter().copied() {
        collect_fn(a, m, f, out, &mut seen, &mut v2_global);
    }
    if v2_global {
        out.default_timeout_clients
            .retain(|c| c.sdk != ClientSdk::JsV2);
    }
    method_arn_policies(a, &reached, out);
}

/// Is `e` the request's `methodArn` (`event.methodArn`, `event["methodArn"]`, a name assigned
/// one of them once)?
fn is_method_arn(module: &Module, f: FnId, e: ExprId, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    match module.expr(e) {
        Expr::Member { name, .. } => name == "methodArn",
        Expr::Index { key, .. } => matches!(module.expr(*key), Expr::Str(k) if k == "methodArn"),
        Expr::Array(items) => {
            items.len() == 1
                && items
                    .first()
                    .is_some_and(|x| is_method_arn(module, f, *x, depth + 1))
        }
        Expr::Name(_) => single_binding(module, f, e)
            .is_some_and(|(wf, v)| is_method_arn(module, wf, v, depth + 1)),
        _ => false,
    }
}

/// The expressions of a function's statements (assigned, evaluated, returned) that `pick`
/// selects, in order.
fn exprs_in(module: &Module, func: &Func, pick: impl Fn(&Expr) -> bool) -> Vec<ExprId> {
    let mut out = Vec::new();
    for s in &func.body {
        let root = match &s.kind {
            StmtKind::Assign { value, .. } => *value,
            StmtKind::Eval(e) | StmtKind::Return(Some(e)) => *e,
            _ => continue,
        };
        module.visit(root, |id, x| {
            if pick(x) {
                out.push(id);
            }
        });
    }
    out
}

/// Policy statements (`{"Resource": ..}` objects) whose resource is the `methodArn` only,
/// directly or through a parameter of a helper (`generatePolicy(principal, "Allow",
/// event.methodArn)`) that some reached call passes it to.
fn method_arn_policies(a: &mut Analysis<'_>, reached: &[((ModId, FnId), Mode)], out: &mut Hygiene) {
    // (module, function, parameter index, span of the `Resource` value, file)
    let mut via_param: Vec<(ModId, FnId, usize, Span, Arc<SourceFile>)> = Vec::new();
    for ((m, f), _) in reached.iter().copied() {
        let Some(p) = a.parsed(m).cloned() else {
            continue;
        };
        let module = &p.module;
        let Some(func) = module.func(f) else { continue };
        let objects = exprs_in(module, func, |x| matches!(x, Expr::Object(_)));
        for o in objects {
            let Expr::Object(entries) = module.expr(o) else {
                continue;
            };
            for (k, v) in entries {
                let Some(Key::Name(k)) = k else { continue };
                if k != "Resource" {
                    continue;
                }
                let span = p.span(module.range(*v));
                if is_method_arn(module, f, *v, 0) {
                    out.method_arn_policies.push(MethodArnPolicy {
                        file: Arc::clone(&p.file),
                        span,
                    });
                    continue;
                }
                // A parameter of this function (also inside a one-element list).
                let inner = match module.expr(*v) {
                    Expr::Array(items) if items.len() == 1 => items.first().copied().unwrap_or(*v),
                    _ => *v,
                };
                if let Expr::Name(n) = module.expr(inner)
                    && let Some(i) = func.params.iter().position(|p| {
                        !p.rest && p.names.len() == 1 && p.names.iter().any(|x| x == n)
                    })
                    && single_binding(module, f, inner).is_none()
                    && module.assigned(f, n).is_none()
                {
                    via_param.push((m, f, i, span, Arc::clone(&p.file)));
                }
            }
        }
    }
    if via_param.is_empty() {
        return;
    }
    // Calls of those helpers that pass the `methodArn`; a helper is reported only when every
    // call found passes it.
    let mut passes: Vec<(usize, bool)> = Vec::new();
    for ((m, f), _) in reached.iter().copied() {
        let Some(p) = a.parsed(m).cloned() else {
            continue;
        };
        let module = &p.module;
        let Some(func) = module.func(f) else { continue };
        let calls = exprs_in(module, func, |x| matches!(x, Expr::Call { .. }));
        for c in calls {
            let Expr::Call { callee, args, .. } = module.expr(c) else {
                continue;
            };
            let Val::Func(tm, tf) = a.eval(m, f, *callee) else {
                continue;
            };
            for (k, (vm, vf, i, _, _)) in via_param.iter().enumerate() {
                if (*vm, *vf) != (tm, tf) {
                    continue;
                }
                let arg = args.iter().filter(|x| x.name.is_none()).nth(*i);
                let is = arg.is_some_and(|x| is_method_arn(module, f, x.value, 0));
                passes.push((k, is));
            }
        }
    }
    for (k, (_, _, _, span, file)) in via_param.into_iter().enumerate() {
        let mine: Vec<bool> = passes
            .iter()
            .filter(|(x, _)| *x == k)
            .map(|(_, b)| *b)
            .collect();
        if !mine.is_empty() && mine.iter().all(|b| *b) {
            out.method_arn_policies.push(MethodArnPolicy { file, span });
        }
    }
}

fn collect_fn(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    out: &mut Hygiene,
    seen: &mut HashSet<(ModId, ExprId)>,
    v2_global: &mut bool,
) {
    let Some(p) = a.parsed(m).cloned() else {
        return;
    };
    let module = &p.module;
    let Some(func) = module.func(f) else { return };
    let test_file = is_test_file(&p.file.path);
    let python = p.lang.is_python();
    let cred = |out: &mut Hygiene, kind, name: Option<&str>, e: ExprId| {
        let c = Credential {
            kind,
            name: name.map(str::to_string),
            file: Arc::clone(&p.file),
            span: p.span(module.range(e)),
        };
        if !out
            .credentials
            .iter()
            .any(|x| x.span == c.span && Arc::ptr_eq(&x.file, &c.file))
        {
            out.credentials.push(c);
        }
    };
    let mut roots: Vec<ExprId> = Vec::new();
    for s in &func.body {
        match &s.kind {
            StmtKind::Assign { target, value, .. } => {
                roots.push(*value);
                if let Target::Member(t) = target {
                    roots.push(*t);
                }
                if !test_file && let Expr::Str(v) = module.expr(*value) {
                    let name = match target {
                        Target::Name(n) => Some(n.clone()),
                        Target::Member(t) => match module.expr(*t) {
                            Expr::Member { name, .. } => Some(name.clone()),
                            Expr::Index { key, .. } => match module.expr(*key) {
                                Expr::Str(k) => Some(k.clone()),
                                _ => None,
                            },
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(n) = name
                        && let Some(k) = named_credential(&n, v)
                    {
                        cred(out, k, Some(&n), *value);
                    }
                }
            }
            StmtKind::Eval(e) | StmtKind::Return(Some(e)) => roots.push(*e),
            StmtKind::Throw { value: Some(e), .. } => roots.push(*e),
            _ => {}
        }
    }
    // Promises floating in async JavaScript functions.
    if !python && func.is_async && f != TOP {
        floating(a, m, f, &p, out);
    }
    for root in roots {
        let mut exprs: Vec<ExprId> = Vec::new();
        module.visit(root, |id, _| exprs.push(id));
        for id in exprs {
            if !seen.insert((m, id)) {
                continue;
            }
            match module.expr(id) {
                Expr::Str(s) if !test_file => {
                    if let Some(k) = credential_shape(s) {
                        cred(out, k, None, id);
                    }
                }
                Expr::Object(entries) if !test_file => {
                    for (k, v) in entries {
                        if let (Some(Key::Name(k)), Expr::Str(s)) = (k, module.expr(*v))
                            && let Some(kind) = named_credential(k, s)
                        {
                            cred(out, kind, Some(k), *v);
                        }
                    }
                }
                Expr::Call { callee, args, .. } => {
                    if !test_file {
                        for arg in args {
                            if let (Some(k), Expr::Str(s)) = (&arg.name, module.expr(arg.value))
                                && let Some(kind) = named_credential(k, s)
                            {
                                cred(out, kind, Some(k), arg.value);
                            }
                        }
                    }
                    if !python && !*v2_global && v2_config_update(a, m, f, *callee, args) {
                        *v2_global = true;
                    }
                    let classified = a.classify(m, f, id);
                    if let (
                        sdk::Event::NewClient { service, .. },
                        Val::Sdk(Sdk::Client { kind, .. }),
                    ) = &classified
                        && let Some(sdk) = client_sdk(*kind, python)
                        && client_timeouts(a, m, f, sdk, args) == Some(false)
                    {
                        let text = p.span(module.range(*callee));
                        let callee = p
                            .file
                            .text
                            .get(text.start as usize..text.end as usize)
                            .filter(|t| t.len() <= 60 && !t.contains('\n'))
                            .unwrap_or("client")
                            .to_string();
                        out.default_timeout_clients.push(DefaultTimeoutClient {
                            sdk,
                            service: service.clone(),
                            callee,
                            file: Arc::clone(&p.file),
                            span: p.span(module.range(id)),
                        });
                    }
                    if let (
                        sdk::Event::Http {
                            callee,
                            timeout: true,
                            ..
                        },
                        _,
                    ) = classified
                        && let Some(seconds) = literal_timeout(&p, args, python)
                    {
                        out.http_timeouts.push(HttpTimeout {
                            callee,
                            seconds,
                            file: Arc::clone(&p.file),
                            span: p.span(module.range(id)),
                        });
                    }
                    if let Some(w) = file_write(a, m, f, *callee, args, python) {
                        let (path, full) = match &w.1 {
                            PathV::Lit(s) => (s.clone(), true),
                            PathV::Prefix(s) => (s.clone(), false),
                            PathV::Unknown => continue,
                        };
                        if let Some(relative) = outside_tmp(&path, full) {
                            out.writes.push(FileWrite {
                                callee: w.0,
                                path: if full { path } else { format!("{path}…") },
                                relative,
                                file: Arc::clone(&p.file),
                                span: p.span(module.range(id)),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SDK client timeouts

/// The SDK of a client construction whose timeouts HDL010 judges (a wrapper such as
/// `DynamoDBDocumentClient.from(client)` is not a construction of its own).
fn client_sdk(kind: Kind, python: bool) -> Option<ClientSdk> {
    match kind {
        Kind::Client | Kind::Resource if python => Some(ClientSdk::Boto3),
        Kind::V3 if !python => Some(ClientSdk::JsV3),
        Kind::V2 | Kind::V2Doc if !python => Some(ClientSdk::JsV2),
        _ => None,
    }
}

/// `AWS.config.update(..)` (SDK v2) with anything but an object literal of other settings
/// than `httpOptions`.
fn v2_config_update(a: &mut Analysis<'_>, m: ModId, f: FnId, callee: ExprId, args: &[Arg]) -> bool {
    let Some(p) = a.parsed(m).cloned() else {
        return false;
    };
    let module = &p.module;
    let Expr::Member { obj, name } = module.expr(callee) else {
        return false;
    };
    if name != "update"
        || !matches!(module.expr(*obj), Expr::Member { name, .. } if name == "config")
    {
        return false;
    }
    match args {
        [x] => js_object_has(a, m, f, x.value, &["httpOptions"]) != Some(false),
        _ => true,
    }
}

/// Does a client construction set a timeout? `Some(false)`: the SDK's defaults apply;
/// `None`: the configuration cannot be read (a variable of unknown value, a spread, `**kwargs`,
/// an imported configuration).
fn client_timeouts(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    sdk: ClientSdk,
    args: &[Arg],
) -> Option<bool> {
    match sdk {
        ClientSdk::Boto3 => {
            let positional = args.iter().filter(|x| x.name.is_none()).count();
            if args.iter().any(|x| x.name.as_deref() == Some("**")) || positional > 2 {
                return None;
            }
            if let Some(Expr::Spread(_)) = args
                .iter()
                .find(|x| x.name.is_none())
                .and_then(|x| a.parsed(m).map(|p| p.module.expr(x.value).clone()))
            {
                return None;
            }
            match args.iter().find(|x| x.name.as_deref() == Some("config")) {
                None => Some(false),
                Some(c) => boto_config_timeouts(a, m, f, c.value, 0),
            }
        }
        ClientSdk::JsV3 | ClientSdk::JsV2 => {
            if args.len() > 1 {
                return None;
            }
            let Some(cfg) = args.first() else {
                return Some(false);
            };
            let (om, of, entries) = js_object(a, m, f, cfg.value)?;
            if entries
                .iter()
                .any(|(k, _)| !matches!(k, Some(Key::Name(_))))
            {
                return None;
            }
            let get = |name: &str| {
                entries.iter().find_map(|(k, v)| match k {
                    Some(Key::Name(n)) if n == name => Some(*v),
                    _ => None,
                })
            };
            if sdk == ClientSdk::JsV3 {
                match get("requestHandler") {
                    None => Some(false),
                    Some(h) => js_handler_timeouts(a, om, of, h, 0),
                }
            } else {
                // A DocumentClient given its service client: that construction is the one.
                if get("service").is_some() {
                    return None;
                }
                match get("httpOptions") {
                    None => Some(false),
                    Some(h) => js_object_has(a, om, of, h, &["timeout", "connectTimeout"]),
                }
            }
        }
    }
}

/// Does a botocore `Config` set a connect or read timeout (`Config(connect_timeout=..)`, held
/// in a name assigned once, `a.merge(b)`)? `config=None` sets none. `None`: cannot tell.
fn boto_config_timeouts(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    e: ExprId,
    depth: u32,
) -> Option<bool> {
    if depth > 6 {
        return None;
    }
    let p = a.parsed(m).cloned()?;
    let module = &p.module;
    match module.expr(e) {
        Expr::Const => {
            let s = p.span(module.range(e));
            (p.file.text.get(s.start as usize..s.end as usize) == Some("None")).then_some(false)
        }
        Expr::Name(_) => {
            let (wf, v) = single_binding(module, f, e)?;
            boto_config_timeouts(a, m, wf, v, depth + 1)
        }
        Expr::Call { callee, args, .. } => {
            if let Expr::Member { obj, name } = module.expr(*callee)
                && name == "merge"
            {
                let first = boto_config_timeouts(a, m, f, *obj, depth + 1);
                let other = match args.as_slice() {
                    [x] if x.name.is_none() => boto_config_timeouts(a, m, f, x.value, depth + 1),
                    _ => None,
                };
                return match (first, other) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
            let Val::Ext(lib, path) = a.eval(m, f, *callee) else {
                return None;
            };
            if !matches!(
                format!("{lib}.{path}").as_str(),
                "botocore.config.Config" | "botocore.client.Config"
            ) {
                return None;
            }
            if args
                .iter()
                .any(|x| x.name.is_none() || x.name.as_deref() == Some("**"))
            {
                return None;
            }
            Some(
                args.iter()
                    .any(|x| matches!(x.name.as_deref(), Some("connect_timeout" | "read_timeout"))),
            )
        }
        _ => None,
    }
}

/// The entries of the object literal an expression holds (in module `.0`, function `.1`).
type ObjectEntries = (ModId, FnId, Vec<(Option<Key>, ExprId)>);

fn js_object(a: &mut Analysis<'_>, m: ModId, f: FnId, e: ExprId) -> Option<ObjectEntries> {
    let Val::Object(om, of, oe) = a.eval(m, f, e) else {
        return None;
    };
    let p = a.parsed(om)?;
    match p.module.expr(oe) {
        Expr::Object(entries) => Some((om, of, entries.clone())),
        _ => None,
    }
}

/// Does the object literal `e` holds have one of `keys` (a spread or computed key: cannot
/// tell)?
fn js_object_has(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    e: ExprId,
    keys: &[&str],
) -> Option<bool> {
    let (_, _, entries) = js_object(a, m, f, e)?;
    let mut found = false;
    for (k, _) in &entries {
        match k {
            Some(Key::Name(n)) => found |= keys.contains(&n.as_str()),
            _ => return None,
        }
    }
    Some(found)
}

/// Packages of the JavaScript SDK v3 request handlers.
const JS_HANDLER_PACKAGES: &[&str] = &[
    "@smithy/node-http-handler",
    "@aws-sdk/node-http-handler",
    "@smithy/fetch-http-handler",
    "@aws-sdk/fetch-http-handler",
    "@aws-sdk/config/requestHandler",
    "@aws-sdk/xhr-http-handler",
];

const JS_HANDLER_TIMEOUTS: &[&str] = &["requestTimeout", "connectionTimeout", "socketTimeout"];

/// Does a v3 `requestHandler` set a timeout: the object shorthand `{ requestTimeout }`, a
/// `new NodeHttpHandler({ connectionTimeout, requestTimeout })` (also `NodeHttpHandler.create`,
/// `FetchHttpHandler`), held in a name assigned once? `None`: cannot tell.
fn js_handler_timeouts(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    e: ExprId,
    depth: u32,
) -> Option<bool> {
    if depth > 6 {
        return None;
    }
    let p = a.parsed(m).cloned()?;
    let module = &p.module;
    match module.expr(e) {
        Expr::Object(_) => js_object_has(a, m, f, e, JS_HANDLER_TIMEOUTS),
        Expr::Name(_) => {
            let (wf, v) = single_binding(module, f, e)?;
            js_handler_timeouts(a, m, wf, v, depth + 1)
        }
        Expr::Call { callee, args, .. } => {
            let Val::Ext(lib, path) = a.eval(m, f, *callee) else {
                return None;
            };
            let path = path.strip_prefix("default.").unwrap_or(&path);
            let known = JS_HANDLER_PACKAGES.contains(&lib.as_str())
                && matches!(
                    path,
                    "NodeHttpHandler"
                        | "NodeHttpHandler.create"
                        | "NodeHttp2Handler"
                        | "FetchHttpHandler"
                        | "FetchHttpHandler.create"
                        | "XhrHttpHandler"
                );
            if !known {
                return None;
            }
            match args.as_slice() {
                [] => Some(false),
                [x] => js_object_has(a, m, f, x.value, JS_HANDLER_TIMEOUTS),
                _ => None,
            }
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP timeouts

/// A number literal's value, from its source text.
fn number(p: &super::modules::Parsed, e: ExprId) -> Option<f64> {
    if !matches!(p.module.expr(e), Expr::Num) {
        return None;
    }
    let span = p.span(p.module.range(e));
    let text = p.file.text.get(span.start as usize..span.end as usize)?;
    text.replace('_', "").parse::<f64>().ok()
}

/// The literal timeout of an HTTP call, in seconds: Python `timeout=N` / `timeout=(c, r)`;
/// JavaScript `{ timeout: ms }` options and `AbortSignal.timeout(ms)`.
fn literal_timeout(p: &super::modules::Parsed, args: &[Arg], python: bool) -> Option<f64> {
    let module = &p.module;
    if python {
        let t = args.iter().find(|x| x.name.as_deref() == Some("timeout"))?;
        return match module.expr(t.value) {
            Expr::Array(items) => {
                let v: Vec<f64> = items.iter().filter_map(|x| number(p, *x)).collect();
                (v.len() == items.len() && !v.is_empty()).then(|| v.into_iter().fold(0.0, f64::max))
            }
            _ => number(p, t.value),
        };
    }
    let mut found: Option<f64> = None;
    for arg in args {
        module.visit(arg.value, |_, x| match x {
            Expr::Object(entries) => {
                for (k, v) in entries {
                    if let Some(Key::Name(k)) = k
                        && k == "timeout"
                        && let Some(ms) = number(p, *v)
                    {
                        found = Some(found.map_or(ms, |f| f.max(ms)));
                    }
                }
            }
            Expr::Call { callee, args, .. } => {
                if let Expr::Member { obj, name } = module.expr(*callee)
                    && name == "timeout"
                    && matches!(module.expr(*obj), Expr::Name(n) if n == "AbortSignal")
                    && let Some(ms) = args.first().and_then(|x| number(p, x.value))
                {
                    found = Some(found.map_or(ms, |f| f.max(ms)));
                }
            }
            _ => {}
        });
    }
    found.map(|ms| ms / 1000.0)
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// Test code is not deployed code (and holds fake keys on purpose).
fn is_test_file(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or("");
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem == "conftest"
        || name.contains(".test.")
        || name.contains(".spec.")
        || path.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("tests" | "test" | "__tests__" | "spec")
            )
        })
}

/// A credential recognisable by its shape alone: an access key id or a private key block.
pub fn credential_shape(s: &str) -> Option<CredKind> {
    if s.contains("-----BEGIN")
        && s.contains("PRIVATE KEY-----")
        && s.contains("-----END")
        && s.len() > 100
        && !s.to_ascii_uppercase().contains("EXAMPLE")
    {
        return Some(CredKind::PrivateKey);
    }
    access_key_id(s).then_some(CredKind::AccessKeyId)
}

/// An `AKIA`/`ASIA` access key id (20 characters, a token of its own), not the documentation's
/// `AKIAIOSFODNN7EXAMPLE` nor a filler such as `AKIAXXXXXXXXXXXXXXXX`.
pub fn access_key_id(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric();
    for i in 0..b.len() {
        let Some(head) = b.get(i..i + 4) else { break };
        if head != b"AKIA" && head != b"ASIA" {
            continue;
        }
        if i > 0 && b.get(i - 1).is_some_and(|c| word(*c)) {
            continue;
        }
        let Some(tail) = b.get(i + 4..i + 20) else {
            break;
        };
        if !tail
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            continue;
        }
        if b.get(i + 20).is_some_and(|c| word(*c)) {
            continue;
        }
        let distinct: HashSet<u8> = tail.iter().copied().collect();
        let token = std::str::from_utf8(b.get(i..i + 20).unwrap_or_default()).unwrap_or("");
        if distinct.len() >= 5 && !token.contains("EXAMPLE") {
            return true;
        }
    }
    false
}

/// Lowercase without `_`, `-`, `.`, spaces.
fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A literal given to a credential name (`password = "..."`, `{"secretAccessKey": ".."}`,
/// `connect(password="..")`).
pub fn named_credential(name: &str, value: &str) -> Option<CredKind> {
    let n = norm(name);
    if n.contains("secret") && (n.ends_with("accesskey") || n.ends_with("secretkey")) {
        return secret_access_key(value).then_some(CredKind::SecretAccessKey);
    }
    if n.ends_with("accesskeyid") || n == "accesskey" {
        return None;
    }
    let password = ["password", "passwd", "pwd", "passphrase"]
        .iter()
        .any(|w| n.ends_with(w))
        || n == "pass";
    if password && plausible_password(name, value) {
        return Some(CredKind::Password);
    }
    if n.ends_with("secret") && plausible_secret(value) {
        return Some(CredKind::Secret);
    }
    None
}

/// The shape of a secret access key: 40 characters of base64 with upper, lower and digits.
pub fn secret_access_key(s: &str) -> bool {
    s.len() == 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_digit())
        && !s.contains("EXAMPLE")
}

/// Words that make a value a placeholder, not a credential.
const PLACEHOLDERS: &[&str] = &[
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "changeit",
    "your",
    "dummy",
    "redacted",
    "todo",
    "fixme",
    "replace",
    "xxxx",
    "****",
    "....",
    "<",
    "${",
    "{{",
    "%(",
    "{}",
    "{0}",
    "%s",
];

/// Is `value` a literal password (not a placeholder, a lookup key, a path or a message)?
fn plausible_password(name: &str, value: &str) -> bool {
    let low = value.to_ascii_lowercase();
    value.len() >= 4
        && !value.chars().any(char::is_whitespace)
        && !PLACEHOLDERS.iter().any(|p| low.contains(p))
        && !matches!(
            low.as_str(),
            "password" | "passwd" | "pass" | "secret" | "none" | "null" | "undefined" | "test"
        )
        && norm(value) != norm(name)
        // An environment variable or parameter name to look up (`DB_PASSWORD`).
        && !value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !value.starts_with('/')
        && !value.starts_with('$')
        && !low.starts_with("arn:")
        && !low.starts_with("http")
        && value.chars().collect::<HashSet<_>>().len() > 2
}

/// Is `value` a literal secret (long, mixed characters, no path or name shape)?
fn plausible_secret(value: &str) -> bool {
    let low = value.to_ascii_lowercase();
    value.len() >= 12
        && !value.chars().any(char::is_whitespace)
        && !value.contains('/')
        && !value.contains(':')
        && !PLACEHOLDERS.iter().any(|p| low.contains(p))
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && !value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && value.chars().collect::<HashSet<_>>().len() > 5
}

// ---------------------------------------------------------------------------------------------
// File writes

/// A path as far as literals tell it.
#[derive(Debug, Clone, PartialEq)]
pub enum PathV {
    Lit(String),
    /// The known start of the path.
    Prefix(String),
    Unknown,
}

const FS_MODULES: &[&str] = &["fs", "fs/promises", "fs-extra", "graceful-fs"];

/// Is this call a write to the file system: (callee, path)?
fn file_write(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    callee: ExprId,
    args: &[Arg],
    python: bool,
) -> Option<(String, PathV)> {
    let module = a.parsed(m).cloned()?;
    let module = &module.module;
    let pos = |i: usize| {
        args.iter()
            .filter(|x| x.name.is_none())
            .nth(i)
            .map(|x| x.value)
    };
    let kw = |n: &str| {
        args.iter()
            .find(|x| x.name.as_deref() == Some(n))
            .map(|x| x.value)
    };
    let writes_mode = |e: Option<ExprId>| {
        e.is_some_and(
            |e| matches!(module.expr(e), Expr::Str(s) if s.contains(['w', 'a', 'x', '+'])),
        )
    };
    // Methods: pathlib writes, boto3 `download_file`.
    if let Expr::Member { obj, name } = module.expr(callee) {
        let recv = a.eval(m, f, *obj);
        if python {
            if name == "download_file" && matches!(recv, Val::Sdk(_)) {
                let target = kw("Filename").or(pos(2))?;
                return Some((name.clone(), path_of(a, m, f, target, 0)));
            }
            let pathlib = is_pathlib(a, m, f, *obj, 0);
            let method_writes = matches!(
                name.as_str(),
                "write_text" | "write_bytes" | "mkdir" | "touch"
            ) || (name == "open" && writes_mode(kw("mode").or(pos(0))));
            if pathlib && method_writes {
                return Some((format!("Path.{name}"), path_of(a, m, f, *obj, 0)));
            }
            if !matches!(recv, Val::Ext(..)) {
                return None;
            }
        }
    }
    let Val::Ext(lib, path) = a.eval(m, f, callee) else {
        return None;
    };
    let lib = lib.trim_start_matches("node:");
    let last = path.rsplit('.').next().unwrap_or("");
    let (target, label) = if python {
        match (lib, path.as_str()) {
            ("builtins", "open") | ("io", "open") | ("codecs", "open") => {
                if !writes_mode(kw("mode").or(pos(1))) {
                    return None;
                }
                (kw("file").or(pos(0)), path.clone())
            }
            ("os", "makedirs" | "mkdir") => (pos(0), format!("os.{path}")),
            ("shutil", "copy" | "copyfile" | "copy2" | "move" | "copytree") => {
                (kw("dst").or(pos(1)), format!("shutil.{path}"))
            }
            _ => return None,
        }
    } else {
        if !FS_MODULES.contains(&lib) {
            return None;
        }
        let label = format!("fs.{last}");
        match last {
            "writeFileSync" | "writeFile" | "appendFileSync" | "appendFile"
            | "createWriteStream" | "mkdirSync" | "mkdir" | "outputFileSync" | "outputFile"
            | "outputJsonSync" | "outputJson" | "writeJsonSync" | "writeJson" | "ensureDirSync"
            | "ensureDir" | "mkdirpSync" | "mkdirp" => (pos(0), label),
            "copyFileSync" | "copyFile" | "cpSync" | "cp" | "renameSync" | "rename" => {
                (pos(1), label)
            }
            "openSync" | "open" => {
                if !writes_mode(pos(1)) {
                    return None;
                }
                (pos(0), label)
            }
            _ => return None,
        }
    };
    let target = target?;
    Some((label, path_of(a, m, f, target, 0)))
}

/// Is `e` a `pathlib` path (`Path(..)`, `Path(..) / "x"`, a name bound to one)?
fn is_pathlib(a: &mut Analysis<'_>, m: ModId, f: FnId, e: ExprId, depth: u32) -> bool {
    if depth > 6 {
        return false;
    }
    let Some(p) = a.parsed(m).cloned() else {
        return false;
    };
    match p.module.expr(e) {
        Expr::Binary {
            op: BinOp::Arith,
            left,
            ..
        } => is_pathlib(a, m, f, *left, depth + 1),
        Expr::Member { obj, name } if name == "parent" => is_pathlib(a, m, f, *obj, depth + 1),
        Expr::Call { callee, .. } => {
            if let Expr::Member { obj, name } = p.module.expr(*callee)
                && matches!(
                    name.as_str(),
                    "resolve" | "absolute" | "joinpath" | "with_suffix" | "with_name"
                )
            {
                return is_pathlib(a, m, f, *obj, depth + 1);
            }
            matches!(a.eval(m, f, *callee), Val::Ext(l, path) if l == "pathlib" && matches!(path.as_str(), "Path" | "PosixPath" | "PurePath" | "PurePosixPath"))
        }
        Expr::Name(_) => match single_binding(&p.module, f, e) {
            Some((wf, v)) => is_pathlib(a, m, wf, v, depth + 1),
            None => false,
        },
        _ => false,
    }
}

/// The one value a name is assigned (in its own function or an enclosing one), when it is
/// assigned exactly once.
fn single_binding(module: &Module, f: FnId, e: ExprId) -> Option<(FnId, ExprId)> {
    let Expr::Name(n) = module.expr(e) else {
        return None;
    };
    let mut cur = Some(f);
    while let Some(fid) = cur {
        let func = module.func(fid)?;
        if func.params.iter().any(|p| p.names.iter().any(|x| x == n)) {
            return None;
        }
        match module.assigned(fid, n) {
            Some(Assigned::Once(v)) => return Some((fid, v)),
            None if !func.binds(n) => cur = func.parent.or((fid != TOP).then_some(TOP)),
            _ => return None,
        }
    }
    None
}

/// The literal start of an f-string / template literal, from its source text.
fn format_prefix(text: &str, python: bool) -> String {
    let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let t = t
        .strip_prefix("\"\"\"")
        .or_else(|| t.strip_prefix("'''"))
        .or_else(|| t.strip_prefix(['"', '\'', '`']))
        .unwrap_or("");
    let stop = if python { "{" } else { "${" };
    let end = t.find(stop).unwrap_or(0);
    t.get(..end).unwrap_or("").to_string()
}

/// The path an expression holds, as far as literals tell.
pub fn path_of(a: &mut Analysis<'_>, m: ModId, f: FnId, e: ExprId, depth: u32) -> PathV {
    if depth > 8 {
        return PathV::Unknown;
    }
    let Some(p) = a.parsed(m).cloned() else {
        return PathV::Unknown;
    };
    let python = p.lang.is_python();
    let module = &p.module;
    match module.expr(e) {
        Expr::Str(s) => PathV::Lit(s.clone()),
        Expr::Format(_) => {
            let span = p.span(module.range(e));
            let text = p
                .file
                .text
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            let pre = format_prefix(text, python);
            if pre.is_empty() || pre.contains('\\') {
                PathV::Unknown
            } else {
                PathV::Prefix(pre)
            }
        }
        Expr::Name(n) if n == "__dirname" && !python => PathV::Prefix("/var/task/".into()),
        Expr::Name(n) if n == "__file__" && python => PathV::Prefix("/var/task/".into()),
        Expr::Name(_) => {
            if let Some((wf, v)) = single_binding(module, f, e) {
                return path_of(a, m, wf, v, depth + 1);
            }
            PathV::Unknown
        }
        Expr::Binary {
            op: BinOp::Add,
            left,
            right,
        } => match path_of(a, m, f, *left, depth + 1) {
            PathV::Lit(x) => match path_of(a, m, f, *right, depth + 1) {
                PathV::Lit(y) => PathV::Lit(x + &y),
                PathV::Prefix(y) => PathV::Prefix(x + &y),
                PathV::Unknown => PathV::Prefix(x),
            },
            other => other,
        },
        Expr::Binary {
            op: BinOp::Arith,
            left,
            right,
        } if python && is_pathlib(a, m, f, *left, 0) => {
            let l = path_of(a, m, f, *left, depth + 1);
            join(a, m, f, l, &[*right], python, depth)
        }
        Expr::Member { obj, name } if name == "parent" && python => {
            under_code(path_of(a, m, f, *obj, depth + 1))
        }
        Expr::Call { callee, args, .. } => {
            let vals: Vec<ExprId> = args
                .iter()
                .filter(|x| x.name.is_none())
                .map(|x| x.value)
                .collect();
            if let Expr::Member { obj, name } = module.expr(*callee)
                && python
                && matches!(name.as_str(), "resolve" | "absolute")
                && is_pathlib(a, m, f, *obj, 0)
            {
                return path_of(a, m, f, *obj, depth + 1);
            }
            let Val::Ext(lib, path) = a.eval(m, f, *callee) else {
                return PathV::Unknown;
            };
            let lib = lib.trim_start_matches("node:").to_string();
            match (lib.as_str(), path.as_str()) {
                ("tempfile", "gettempdir") | ("os", "tmpdir") => PathV::Lit("/tmp".into()),
                ("tempfile", "mkdtemp") => PathV::Prefix("/tmp/".into()),
                ("os", "path.join") | ("posixpath", "join") => {
                    join(a, m, f, PathV::Lit(String::new()), &vals, python, depth)
                }
                ("path", "join" | "posix.join" | "resolve" | "default.join") => {
                    join(a, m, f, PathV::Lit(String::new()), &vals, python, depth)
                }
                ("os", "path.dirname" | "path.abspath" | "path.realpath") => match vals.first() {
                    Some(x) => under_code(path_of(a, m, f, *x, depth + 1)),
                    None => PathV::Unknown,
                },
                ("pathlib", "Path" | "PosixPath" | "PurePath" | "PurePosixPath") => {
                    join(a, m, f, PathV::Lit(String::new()), &vals, python, depth)
                }
                _ => PathV::Unknown,
            }
        }
        _ => PathV::Unknown,
    }
}

/// A path inside the code directory stays there (`dirname(__file__)`, `.parent`).
fn under_code(p: PathV) -> PathV {
    match p {
        PathV::Lit(s) | PathV::Prefix(s) if s.starts_with("/var/task") => {
            PathV::Prefix("/var/task/".into())
        }
        _ => PathV::Unknown,
    }
}

/// `os.path.join(acc, parts..)` / `path.join`.
fn join(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    mut acc: PathV,
    parts: &[ExprId],
    python: bool,
    depth: u32,
) -> PathV {
    for part in parts {
        let v = path_of(a, m, f, *part, depth + 1);
        acc = match (acc, v) {
            (PathV::Lit(x), PathV::Lit(y)) => {
                if x.is_empty() || (python && y.starts_with('/')) {
                    PathV::Lit(y)
                } else {
                    PathV::Lit(format!(
                        "{}/{}",
                        x.trim_end_matches('/'),
                        y.trim_start_matches('/')
                    ))
                }
            }
            (PathV::Lit(x), v) if x.is_empty() => match v {
                PathV::Lit(_) => v,
                other => return other,
            },
            (PathV::Lit(x), _) => return PathV::Prefix(format!("{}/", x.trim_end_matches('/'))),
            (other, _) => return other,
        };
    }
    match acc {
        PathV::Lit(x) if x.is_empty() => PathV::Unknown,
        other => other,
    }
}

/// When a written path is certainly outside `/tmp`: Some(relative). `full`: the whole path is
/// known, else only its start.
pub fn outside_tmp(path: &str, full: bool) -> Option<bool> {
    if path.is_empty()
        || path.contains("://")
        || path.starts_with('~')
        || path.starts_with('$')
        || path.starts_with('%')
        || path.starts_with('{')
        || path.contains('\0')
    {
        return None;
    }
    if let Some(rest) = path.strip_prefix('/') {
        if path == "/tmp" || path.starts_with("/tmp/") || (!full && path.starts_with("/tmp")) {
            return None;
        }
        if ["/dev/", "/proc/", "/mnt/"]
            .iter()
            .any(|d| path.starts_with(d))
        {
            return None;
        }
        // Only the start of the first folder is known (`/{x}`).
        if !full && !rest.contains('/') {
            return None;
        }
        return Some(false);
    }
    // A Windows path, a drive letter: not for Lambda.
    if path.contains(':') || path.contains('\\') {
        return None;
    }
    Some(true)
}

// ---------------------------------------------------------------------------------------------
// Promises

/// What a call makes a promise of: a label, when it certainly returns one.
fn promise_call(a: &mut Analysis<'_>, m: ModId, f: FnId, e: ExprId, depth: u32) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let p = a.parsed(m).cloned()?;
    let module = &p.module;
    let Expr::Call { callee, args, .. } = module.expr(e) else {
        return None;
    };
    if let Expr::Member { obj, name } = module.expr(*callee) {
        if matches!(name.as_str(), "then" | "catch" | "finally") {
            return promise_call(a, m, f, *obj, depth + 1);
        }
        if name == "promise"
            && let Expr::Call { callee: inner, .. } = module.expr(*obj)
            && let Expr::Member { obj: client, .. } = module.expr(*inner)
            && let Val::Sdk(Sdk::Client {
                kind: Kind::V2 | Kind::V2Doc,
                ..
            }) = a.eval(m, f, *client)
        {
            return Expr::dotted(module, *inner).or(Some("promise".into()));
        }
        let callback = args
            .last()
            .is_some_and(|x| matches!(module.expr(x.value), Expr::Func(_)));
        if let Val::Sdk(Sdk::Client {
            kind: Kind::V3 | Kind::V3Doc,
            ..
        }) = a.eval(m, f, *obj)
            && !callback
            && matches!(a.classify(m, f, e).0, sdk::Event::Sdk { network: true, .. })
        {
            return Some(Expr::dotted(module, *callee).unwrap_or_else(|| name.clone()));
        }
    }
    match a.classify(m, f, e).0 {
        sdk::Event::Http { callee, .. }
            if callee == "fetch" || callee.starts_with("axios") || callee.starts_with("got") =>
        {
            return Some(callee);
        }
        _ => {}
    }
    if let Val::Func(fm, ff) = a.eval(m, f, *callee)
        && a.parsed(fm)
            .and_then(|q| q.module.func(ff))
            .is_some_and(|x| x.is_async)
    {
        return Some(Expr::dotted(module, *callee).unwrap_or_else(|| "async function".into()));
    }
    None
}

/// Where function `f` mentions each name: the statements of `f` a mention is in (a mention in
/// a nested function counts for the statement that defines it), at most two distinct ones, which
/// is all [`Mentions::elsewhere`] needs. Built in one pass over `f` and its nested functions:
/// asking statement by statement (as before) was quadratic in a function of many assignments.
struct Mentions<'m> {
    at: std::collections::HashMap<&'m str, (usize, Option<usize>)>,
}

impl<'m> Mentions<'m> {
    fn new(module: &'m Module, f: FnId) -> Self {
        let mut at: std::collections::HashMap<&'m str, (usize, Option<usize>)> =
            std::collections::HashMap::new();
        // (function, the statement of `f` it is reached from; None for `f` itself)
        let mut fns: Vec<(FnId, Option<usize>)> = vec![(f, None)];
        let mut ids: Vec<ExprId> = Vec::new();
        let mut i = 0;
        while let Some((fid, origin)) = fns.get(i).copied() {
            i += 1;
            let Some(func) = module.func(fid) else {
                continue;
            };
            for (si, s) in func.body.iter().enumerate() {
                let here = origin.unwrap_or(si);
                let mut roots = Vec::new();
                match &s.kind {
                    StmtKind::Assign { target, value, .. } => {
                        roots.push(*value);
                        if let Target::Member(t) = target {
                            roots.push(*t);
                        }
                    }
                    StmtKind::Eval(e) | StmtKind::Return(Some(e)) => roots.push(*e),
                    StmtKind::Throw { value: Some(e), .. } => roots.push(*e),
                    StmtKind::Def(d) => fns.push((*d, Some(here))),
                    _ => {}
                }
                for r in roots {
                    ids.clear();
                    module.visit(r, |id, _| ids.push(id));
                    for &id in &ids {
                        match module.expr(id) {
                            Expr::Name(n) => {
                                let e = at.entry(n.as_str()).or_insert((here, None));
                                if e.0 != here && e.1.is_none() {
                                    e.1 = Some(here);
                                }
                            }
                            Expr::Func(d) => fns.push((*d, Some(here))),
                            _ => {}
                        }
                    }
                }
            }
        }
        Mentions { at }
    }

    /// Is `name` mentioned anywhere but in statement `skip` of `f` (nested functions too)?
    fn elsewhere(&self, name: &str, skip: usize) -> bool {
        self.at
            .get(name)
            .is_some_and(|(first, second)| *first != skip || second.is_some())
    }
}

/// Promises of an async function that are neither awaited, returned nor collected.
fn floating(
    a: &mut Analysis<'_>,
    m: ModId,
    f: FnId,
    p: &Arc<super::modules::Parsed>,
    out: &mut Hygiene,
) {
    let module = &p.module;
    let Some(func) = module.func(f) else { return };
    let mut found: Vec<(String, bool, ExprId)> = Vec::new();
    let mut mentions: Option<Mentions<'_>> = None;
    for (si, s) in func.body.iter().enumerate() {
        match &s.kind {
            StmtKind::Eval(e) => {
                if let Some(label) = promise_call(a, m, f, *e, 0) {
                    found.push((label, false, *e));
                    continue;
                }
                // `items.forEach(async (x) => ..)`
                if let Expr::Call { callee, args, .. } = module.expr(*e)
                    && let Expr::Member { name, .. } = module.expr(*callee)
                    && name == "forEach"
                    && args.iter().any(|x| {
                        matches!(module.expr(x.value), Expr::Func(id)
                            if module.func(*id).is_some_and(|g| g.is_async))
                    })
                {
                    found.push(("forEach".into(), true, *e));
                }
            }
            StmtKind::Assign {
                target: Target::Name(n),
                value,
                ..
            } => {
                if let Some(label) = promise_call(a, m, f, *value, 0)
                    && !mentions
                        .get_or_insert_with(|| Mentions::new(module, f))
                        .elsewhere(n, si)
                {
                    found.push((label, false, *value));
                }
            }
            _ => {}
        }
    }
    for (callee, for_each, e) in found {
        out.floating.push(Floating {
            callee,
            for_each,
            file: Arc::clone(&p.file),
            span: p.span(module.range(e)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids() {
        assert!(access_key_id("AKIA2E0A8F3B244C9986"));
        assert!(access_key_id("key=ASIAY34FZKBOKMUTVV7A;"));
        assert!(!access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(!access_key_id("AKIAXXXXXXXXXXXXXXXX"));
        assert!(!access_key_id("XAKIA2E0A8F3B244C9986"));
        assert!(!access_key_id("AKIA2E0A8F3B244C99861"));
        assert!(!access_key_id("AKIA2e0a8f3b244c9986"));
    }

    #[test]
    fn named_credentials() {
        use CredKind::*;
        let sk = "k7Qm2ZbP9xRt4LwVn8Hc3JdFs6GyA1uEo5KiT0pN";
        assert_eq!(
            named_credential("aws_secret_access_key", sk),
            Some(SecretAccessKey)
        );
        assert_eq!(
            named_credential("secretAccessKey", sk),
            Some(SecretAccessKey)
        );
        assert_eq!(
            named_credential(
                "aws_secret_access_key",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            ),
            None
        );
        assert_eq!(named_credential("password", "hunter2!"), Some(Password));
        assert_eq!(
            named_credential("DB_PASSWORD", "s3cr3t-Pa55"),
            Some(Password)
        );
        assert_eq!(named_credential("password", "changeme"), None);
        assert_eq!(named_credential("password", ""), None);
        assert_eq!(named_credential("password", "DB_PASSWORD"), None);
        assert_eq!(named_credential("password", "<your password>"), None);
        assert_eq!(named_credential("password", "Password is required"), None);
        assert_eq!(named_credential("password_field", "hunter2!"), None);
        assert_eq!(
            named_credential("client_secret", "9f8e7d6c5b4a39281706"),
            Some(Secret)
        );
        assert_eq!(named_credential("secret_name", "prod/db/creds1234"), None);
        assert_eq!(named_credential("SECRET", "prod/db/credentials"), None);
        assert_eq!(named_credential("SECRET", "MyDbSecret"), None);
    }

    #[test]
    fn private_keys() {
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA".repeat(8)
        );
        assert_eq!(credential_shape(&pem), Some(CredKind::PrivateKey));
        assert_eq!(credential_shape("-----BEGIN RSA PRIVATE KEY-----"), None);
    }

    #[test]
    fn paths_outside_tmp() {
        assert_eq!(outside_tmp("/tmp/x.csv", true), None);
        assert_eq!(outside_tmp("/tmp", true), None);
        assert_eq!(outside_tmp("/tmp", false), None);
        assert_eq!(outside_tmp("/var/task/out.json", true), Some(false));
        assert_eq!(outside_tmp("/data/", false), Some(false));
        assert_eq!(outside_tmp("/da", false), None);
        assert_eq!(outside_tmp("out.csv", true), Some(true));
        assert_eq!(outside_tmp("reports/", false), Some(true));
        assert_eq!(outside_tmp("s3://bucket/key", true), None);
        assert_eq!(outside_tmp("/mnt/efs/x", true), None);
        assert_eq!(outside_tmp("/dev/null", true), None);
    }

    #[test]
    fn format_prefixes() {
        assert_eq!(format_prefix("f\"/tmp/{name}.csv\"", true), "/tmp/");
        assert_eq!(format_prefix("`/var/task/${x}`", false), "/var/task/");
        assert_eq!(format_prefix("f'{x}/y'", true), "");
    }
}

#[cfg(test)]
mod analysis_tests {
    use super::super::analyze_text;
    use super::super::resolve::Lang;

    fn writes(lang: Lang, code: &str) -> Vec<String> {
        analyze_text(lang, code, "handler")
            .hygiene
            .writes
            .iter()
            .map(|w| format!("{} {}", w.callee, w.path))
            .collect()
    }

    fn floating(code: &str) -> Vec<String> {
        analyze_text(Lang::JavaScript, code, "handler")
            .hygiene
            .floating
            .iter()
            .map(|w| w.callee.clone())
            .collect()
    }

    #[test]
    fn python_writes() {
        let code = r#"
import os, json, shutil, tempfile
from pathlib import Path
import boto3
s3 = boto3.client("s3")
OUT = "/var/task/cache.json"
HERE = os.path.dirname(__file__)

def handler(event, context):
    name = event["name"]
    with open("report.csv", "w") as f:
        f.write("x")
    with open(OUT, mode="a") as f:
        f.write("x")
    open(os.path.join(HERE, "data", "x.json"), "w").write("{}")
    open(os.path.join("/tmp", name), "w").write("{}")
    open(os.path.join(tempfile.gettempdir(), "x"), "wb").write(b"")
    open(f"/tmp/{name}.csv", "w").close()
    open(f"/opt/out/{name}.csv", "w").close()
    open(name, "w").close()
    open("config.json").read()
    Path("/tmp") .joinpath("x")
    (Path("/tmp") / name).write_text("x")
    Path("out/result.txt").write_text("x")
    os.makedirs("/data/cache", exist_ok=True)
    s3.download_file("b", "k", "local.bin")
    s3.download_file("b", "k", f"/tmp/{name}")
    return {}
"#;
        assert_eq!(
            writes(Lang::Python, code),
            [
                "open report.csv",
                "open /var/task/cache.json",
                "open /var/task/…",
                "open /opt/out/…",
                "Path.write_text out/result.txt",
                "os.makedirs /data/cache",
                "download_file local.bin",
            ]
        );
    }

    #[test]
    fn javascript_writes() {
        let code = r#"
import fs from "fs";
import { writeFile } from "fs/promises";
import path from "path";
import os from "os";
export const handler = async (event) => {
  fs.writeFileSync("./out.json", "{}");
  fs.writeFileSync(path.join(__dirname, "cache.json"), "{}");
  fs.writeFileSync(path.join("/tmp", event.id), "{}");
  fs.writeFileSync(path.join(os.tmpdir(), "x.json"), "{}");
  await writeFile(`/tmp/${event.id}.json`, "{}");
  await writeFile(`data/${event.id}.json`, "{}");
  fs.createWriteStream("/var/log/app.log");
  fs.readFileSync("./config.json");
  return {};
};
"#;
        assert_eq!(
            writes(Lang::JavaScript, code),
            [
                "fs.writeFileSync ./out.json",
                "fs.writeFileSync /var/task/…",
                "fs.writeFile data/…",
                "fs.createWriteStream /var/log/app.log",
            ]
        );
    }

    #[test]
    fn floating_promises() {
        let code = r#"
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
async function audit(x) { await fetch("https://a.example.com", { signal: AbortSignal.timeout(1000) }); }
function sync(x) { return x; }
export const handler = async (event) => {
  sqs.send(new SendMessageCommand({ QueueUrl: "q", MessageBody: "x" }));
  fetch("https://b.example.com").then((r) => r.json());
  audit(event);
  event.items.forEach(async (i) => { await audit(i); });
  const p = sqs.send(new SendMessageCommand({ QueueUrl: "q", MessageBody: "y" }));
  const kept = audit(event);
  const all = [audit(1), audit(2)];
  await Promise.all(all);
  await kept;
  sync(event);
  void audit(event);
  await sqs.send(new SendMessageCommand({ QueueUrl: "q", MessageBody: "z" }));
  return audit(event);
};
"#;
        assert_eq!(
            floating(code),
            ["sqs.send", "fetch", "audit", "forEach", "sqs.send"]
        );
    }

    #[test]
    fn callback_handlers_are_not_checked() {
        let code = r#"
async function audit(x) { return x; }
exports.handler = function (event, context, callback) {
  audit(event);
  callback(null, {});
};
"#;
        assert!(floating(code).is_empty());
    }

    #[test]
    fn credentials_in_code() {
        let code = r#"
import pymysql
AWS_ACCESS_KEY_ID = "AKIA2E0A8F3B244C9986"
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
def handler(event, context):
    conn = pymysql.connect(host="db", user="app", password="S3cure!pass", db="x")
    other = pymysql.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])
    cfg = {"password": "changeme", "secret": "k3j4h5g6f7d8s9a0"}
    return {}
"#;
        let f = analyze_text(Lang::Python, code, "handler");
        let got: Vec<_> = f
            .hygiene
            .credentials
            .iter()
            .map(|c| (c.kind, c.name.clone()))
            .collect();
        use super::CredKind::*;
        assert_eq!(
            got,
            [
                (AccessKeyId, None),
                (Password, Some("password".into())),
                (Secret, Some("secret".into())),
            ]
        );
    }

    /// (callee, service, line) of the clients left on the SDK's default timeouts.
    fn default_clients(lang: Lang, code: &str) -> Vec<(String, String, usize)> {
        let f = analyze_text(lang, code, "handler");
        f.hygiene
            .default_timeout_clients
            .iter()
            .map(|c| {
                let line = c
                    .file
                    .text
                    .get(..c.span.start as usize)
                    .map_or(0, |t| t.matches('\n').count() + 1);
                (c.callee.clone(), c.service.clone(), line)
            })
            .collect()
    }

    #[test]
    fn boto3_clients_on_default_timeouts() {
        let code = r#"
import boto3
import botocore
from botocore.config import Config
from botocore.client import Config as ClientConfig
from .settings import SHARED_CONFIG
s3 = boto3.client("s3")
TIMEOUTS = Config(connect_timeout=2, read_timeout=5)
RETRIES = Config(retries={"max_attempts": 2})
ddb = boto3.resource("dynamodb", config=TIMEOUTS)
sqs = boto3.client("sqs", config=RETRIES)
sns = boto3.client("sns", config=RETRIES.merge(Config(read_timeout=3)))
kms = boto3.client("kms", config=SHARED_CONFIG)
ssm = boto3.client("ssm", config=botocore.config.Config(connect_timeout=1))
sts = boto3.client("sts", config=ClientConfig())
session = boto3.Session()
def handler(event, context):
    sfn = session.client("stepfunctions")
    ev = boto3.client("events", config=None)
    kw = boto3.client("lambda", **event["opts"])
    cw = boto3.client("cloudwatch", config=Config(**event["cfg"]))
    return {}
"#;
        assert_eq!(
            default_clients(Lang::Python, code),
            [
                ("boto3.client".into(), "s3".into(), 7),
                ("boto3.client".into(), "sqs".into(), 11),
                ("boto3.client".into(), "sts".into(), 15),
                ("session.client".into(), "states".into(), 18),
                ("boto3.client".into(), "events".into(), 19),
            ]
        );
    }

    #[test]
    fn javascript_clients_on_default_timeouts() {
        let code = r#"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { KMSClient } from "@aws-sdk/client-kms";
import { SSMClient } from "@aws-sdk/client-ssm";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { shared } from "./config.mjs";
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({ requestHandler: { requestTimeout: 3000 } });
const handler1 = new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 });
const sqs = new SQSClient({ region: "eu-west-1", requestHandler: handler1 });
const sns = new SNSClient({ requestHandler: new NodeHttpHandler({ keepAlive: true }) });
const kms = new KMSClient(shared);
const ssm = new SSMClient({ ...shared });
export const handler = async (event) => {
  const s3b = new S3Client();
  return {};
};
"#;
        assert_eq!(
            default_clients(Lang::JavaScript, code),
            [
                ("DynamoDBClient".into(), "dynamodb".into(), 11),
                ("SNSClient".into(), "sns".into(), 15),
                ("S3Client".into(), "s3".into(), 19),
            ]
        );
        let v2 = r#"
const AWS = require("aws-sdk");
const s3 = new AWS.S3();
const sqs = new AWS.SQS({ httpOptions: { timeout: 5000, connectTimeout: 1000 } });
const doc = new AWS.DynamoDB.DocumentClient({ service: new AWS.DynamoDB() });
exports.handler = async (event) => ({});
"#;
        assert_eq!(
            default_clients(Lang::JavaScript, v2),
            [
                ("AWS.S3".into(), "s3".into(), 3),
                ("AWS.DynamoDB".into(), "dynamodb".into(), 5),
            ]
        );
        let global = format!("{v2}AWS.config.update({{ httpOptions: {{ timeout: 5000 }} }});\n");
        assert!(default_clients(Lang::JavaScript, &global).is_empty());
        let settings = format!("{v2}AWS.config.update(settings);\n");
        assert!(default_clients(Lang::JavaScript, &settings).is_empty());
        let region = format!("{v2}AWS.config.update({{ region: \"eu-west-1\" }});\n");
        assert_eq!(default_clients(Lang::JavaScript, &region).len(), 2);
        // The global configuration set member by member, or a `new AWS.Config(..)`: unknown.
        let member = format!("{v2}AWS.config.httpOptions.timeout = 5000;\n");
        assert!(default_clients(Lang::JavaScript, &member).is_empty());
        let config =
            format!("{v2}AWS.config = new AWS.Config({{ httpOptions: {{ timeout: 1 }} }});\n");
        assert!(default_clients(Lang::JavaScript, &config).is_empty());
    }
}
