//! JavaScript / TypeScript handlers (AWS SDK v2 and v3, DocumentClient, fetch/axios/http, DB drivers).
//!
//! One traversal of the tree collects imports, handler candidates, constructions and calls
//! (with what they are assigned to, from the ancestors at hand), control flow and guards; the
//! constructions and calls are then attributed once every import is known.

use std::collections::HashMap;

use tree_sitter::Node;

use super::facts::*;
use super::python::unquote;
use super::{Ctx, Grammar, K, is_local_url, text, walk};

/// What an imported name is.
#[derive(Debug, Clone)]
enum Import {
    /// A v3 class (`DynamoDBClient`, `PutItemCommand`) from `@aws-sdk/<pkg>`.
    V3 { pkg: String },
    /// The v2 `AWS` namespace (`aws-sdk`) or a v2 service class (`aws-sdk/clients/x`).
    V2,
    /// Any other module (`pg`, `mysql2`, `axios`, ...).
    Other(String),
}

fn db_driver(module: &str) -> Option<&'static str> {
    Some(match module {
        "pg" => "pg",
        "mysql" | "mysql2" | "mysql2/promise" => "mysql2",
        "knex" => "knex",
        "@prisma/client" => "prisma",
        "mongodb" => "mongodb",
        "mssql" => "mssql",
        "oracledb" => "oracledb",
        "sequelize" => "sequelize",
        _ => return None,
    })
}

/// `@aws-sdk/` packages that hold service clients or make service calls. The others
/// (`signature-v4`, `s3-request-presigner`, `credential-providers`, `util-*`, `types`, ...) are
/// local helpers.
fn is_v3_client_pkg(m: &str) -> bool {
    m.starts_with("@aws-sdk/client-")
        || matches!(
            m,
            "@aws-sdk/lib-dynamodb" | "@aws-sdk/lib-storage" | "@aws-sdk/rds-signer"
        )
}

/// SDK v2 classes under `AWS.` that are not service clients.
fn is_v2_helper_class(ct: &str) -> bool {
    let last = ct.rsplit('.').next().unwrap_or(ct);
    ct.contains(".Signers.")
        || last.ends_with("Credentials")
        || matches!(
            last,
            "Endpoint"
                | "Config"
                | "HttpRequest"
                | "HttpResponse"
                | "NodeHttpClient"
                | "Request"
                | "Response"
                | "EventListeners"
                | "SequentialExecutor"
                | "ParamValidator"
                | "MetadataService"
                | "CredentialProviderChain"
                | "Converter"
                | "Presigner"
                | "Signer"
        )
}

fn service_of_pkg(pkg: &str) -> String {
    let s = pkg
        .trim_start_matches("@aws-sdk/")
        .trim_start_matches("client-")
        .trim_start_matches("lib-");
    iam_prefix(s)
}

fn classify(m: &str) -> Import {
    if is_v3_client_pkg(m) {
        Import::V3 { pkg: m.to_string() }
    } else if m == "aws-sdk" || m.starts_with("aws-sdk/") {
        Import::V2
    } else {
        Import::Other(m.to_string())
    }
}

/// A `new X(..)` or `f(..)` that may construct a client or a connection.
struct Construction<'t, 's> {
    node: Node<'t>,
    ctor: &'s str,
    is_new: bool,
    /// The variable (or member) it is assigned to.
    target: Option<&'s str>,
    /// Enclosing guards (`if`, ternary, `||`/`??`, `??=`), outermost first (client
    /// constructions only).
    guards: Vec<Node<'t>>,
}

/// The enclosing nodes that may guard a lazy initialisation.
fn guards_of<'t>(g: &Grammar, ancestors: &[Node<'t>]) -> Vec<Node<'t>> {
    ancestors
        .iter()
        .filter(|a| {
            matches!(
                g.kind(**a),
                K::IfStatement
                    | K::TernaryExpression
                    | K::BinaryExpression
                    | K::AugmentedAssignmentExpression
            )
        })
        .copied()
        .collect()
}

/// Where the handler is: a function, or a name to look up among the file's functions.
enum HandlerRef<'t, 's> {
    Function(Node<'t>),
    Named(&'s str),
}

/// Extract the facts of one JS/TS file into `cx`.
pub fn extract(cx: &mut Ctx<'_>, root: Node<'_>) {
    let src = cx.src;
    let g = cx.g;
    let f = g.f;
    let handler_name = cx.handler_name;
    let exports_handler = [
        format!("exports.{handler_name}"),
        format!("module.exports.{handler_name}"),
    ];
    let mut imports: HashMap<String, Import> = HashMap::new();
    // Handler candidates (the last definition wins) with the node naming them.
    let mut handler_refs: Vec<(Vec<HandlerRef<'_, '_>>, Option<Node<'_>>)> = Vec::new();
    let mut functions: HashMap<&str, Node<'_>> = HashMap::new();
    let mut constructions: Vec<Construction<'_, '_>> = Vec::new();
    // (call, callee text, grandparent)
    let mut calls: Vec<(Node<'_>, &str, Option<Node<'_>>)> = Vec::new();
    let mut control: Vec<usize> = Vec::new();
    let mut local_urls: Vec<&str> = Vec::new();
    walk(root, g, |n, k, ancestors| match k {
        K::ImportStatement => {
            let Some(s) = n.child_by_field_id(f.source) else {
                return;
            };
            let m = unquote(text(s, src));
            if m.starts_with('.') {
                cx.complete = false;
            }
            cx.note_import(&m);
            let kind = classify(&m);
            walk(n, g, |id, k, _| {
                if k == K::Identifier {
                    imports.insert(text(id, src).to_string(), kind.clone());
                }
            });
        }
        K::CallExpression => {
            let Some(func) = n.child_by_field_id(f.function) else {
                return;
            };
            let ft = text(func, src);
            if ft == "require" {
                require(cx, n, ancestors, &mut imports);
            }
            let grand = ancestors
                .len()
                .checked_sub(2)
                .and_then(|i| ancestors.get(i));
            calls.push((n, ft, grand.copied()));
            constructions.push(Construction {
                node: n,
                ctor: ft,
                is_new: false,
                target: assigned_to(g, ancestors, src),
                guards: if ft.ends_with(".from") {
                    guards_of(g, ancestors)
                } else {
                    Vec::new()
                },
            });
        }
        K::NewExpression => {
            if let Some(c) = n.child_by_field_id(f.constructor) {
                constructions.push(Construction {
                    node: n,
                    ctor: text(c, src),
                    is_new: true,
                    target: assigned_to(g, ancestors, src),
                    guards: guards_of(g, ancestors),
                });
            }
        }
        K::FunctionDeclaration => {
            if let Some(name) = n.child_by_field_id(f.name) {
                let name_t = text(name, src);
                functions.insert(name_t, n);
                if name_t == handler_name {
                    handler_refs.push((vec![HandlerRef::Function(n)], Some(name)));
                }
            }
        }
        K::VariableDeclarator => {
            let (Some(name), Some(v)) = (n.child_by_field_id(f.name), n.child_by_field_id(f.value))
            else {
                return;
            };
            let name_t = text(name, src);
            match g.kind(v) {
                K::ArrowFunction | K::FunctionExpression => {
                    functions.insert(name_t, v);
                }
                // `const url = "http://localhost:2772/..." + path`
                K::String | K::TemplateString | K::BinaryExpression
                    if is_local_url(text(v, src)) =>
                {
                    local_urls.push(name_t);
                }
                _ => {}
            }
            if name_t == handler_name {
                handler_refs.push((unwrap_handler(v, g, src, 0), Some(name)));
            }
        }
        K::AssignmentExpression => {
            let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right))
            else {
                return;
            };
            let lt = text(l, src);
            if exports_handler.iter().any(|w| w == lt) {
                handler_refs.push((unwrap_handler(r, g, src, 0), Some(l)));
            } else if lt == "module.exports" && g.kind(r) == K::Object {
                // module.exports = { handler: ..., other }
                let mut c = r.walk();
                for p in r.named_children(&mut c) {
                    match g.kind(p) {
                        K::Pair => {
                            if let (Some(key), Some(v)) =
                                (p.child_by_field_id(f.key), p.child_by_field_id(f.value))
                                && unquote(text(key, src)) == handler_name
                            {
                                handler_refs.push((unwrap_handler(v, g, src, 0), Some(key)));
                            }
                        }
                        K::ShorthandPropertyIdentifier if text(p, src) == handler_name => {
                            handler_refs.push((vec![HandlerRef::Named(handler_name)], Some(p)));
                        }
                        _ => {}
                    }
                }
            }
            // `client = new X()` at module level after `let client;`.
        }
        K::ExportSpecifier => {
            // export { main as handler }
            if let (Some(name), Some(alias)) =
                (n.child_by_field_id(f.name), n.child_by_field_id(f.alias))
                && text(alias, src) == handler_name
            {
                handler_refs.push((vec![HandlerRef::Named(text(name, src))], Some(alias)));
            }
        }
        K::ForStatement | K::ForInStatement | K::WhileStatement => control.push(n.start_byte()),
        K::IfStatement | K::TernaryExpression => {
            control.push(n.start_byte());
            cx.guards.push((n.start_byte(), n.end_byte()));
        }
        K::AugmentedAssignmentExpression => cx.guards.push((n.start_byte(), n.end_byte())),
        K::BinaryExpression => {
            if matches!(
                n.child_by_field_id(f.operator).map(|o| text(o, src)),
                Some("??" | "||")
            ) {
                cx.guards.push((n.start_byte(), n.end_byte()));
            }
        }
        _ => {}
    });

    // The handler: the last definition that resolves to a function.
    let mut handler: Option<(Node<'_>, Option<Node<'_>>)> = None;
    for (refs, name) in handler_refs.iter().rev() {
        let found = refs.iter().find_map(|r| match r {
            HandlerRef::Function(n) => Some(*n),
            HandlerRef::Named(id) => functions.get(id).copied(),
        });
        if let Some(h) = found {
            handler = Some((h, *name));
            break;
        }
    }
    cx.set_handler(handler.map(|h| h.0), handler.and_then(|h| h.1));
    let handler = handler.map(|h| h.0);

    // Client variables: name -> (service, document client, own credentials).
    let mut clients: HashMap<&str, (String, bool, bool)> = HashMap::new();
    // The byte range of the last client construction: a client built inside another one's
    // arguments (`DynamoDBDocumentClient.from(new DynamoDBClient())`) is the same site.
    let mut last_client: Option<(usize, usize)> = None;
    // Command variables: name -> command class.
    let mut commands: HashMap<&str, &str> = HashMap::new();
    // Clients built in the handler that may be configured from values derived from the event.
    let mut pending: Vec<(usize, &str)> = Vec::new();
    for c in &constructions {
        let (n, ct) = (c.node, c.ctor);
        let root_name = ct.split('.').next().unwrap_or("");
        let Some(imp) = imports.get(root_name) else {
            continue;
        };
        let last = ct.rsplit('.').next().unwrap_or("");
        let args = n.child_by_field_id(f.arguments);
        let args_t = args.map_or("", |a| text(a, src));
        let mut own_credentials = args_t.contains("credentials") || args_t.contains("accessKeyId");
        // (service, document client, reported as a client construction)
        let found: (String, bool, bool) = match imp {
            Import::V3 { pkg } if c.is_new || ct.ends_with(".from") => {
                if !c.is_new && pkg != "@aws-sdk/lib-dynamodb" {
                    continue;
                }
                if last.ends_with("Command") {
                    // `const command = new GetItemCommand(..)`, sent later.
                    if let Some(t) = c.target {
                        commands.insert(t, ct);
                    }
                    continue;
                }
                if ["Exception", "Error"].iter().any(|s| last.ends_with(s)) {
                    continue;
                }
                if !c.is_new {
                    // `DynamoDBDocumentClient.from(client)`: the wrapped client's credentials.
                    let inner = args.and_then(|a| a.named_child(0)).map(|a| text(a, src));
                    if let Some((_, _, own)) = inner.and_then(|i| clients.get(i)) {
                        own_credentials |= *own;
                    }
                }
                match pkg.as_str() {
                    "@aws-sdk/lib-storage" => {
                        // `new Upload({ client, params })`: a managed upload (s3:PutObject).
                        if last == "Upload" {
                            push_call(cx, n, "s3", "Upload", false);
                        }
                        continue;
                    }
                    // `new Signer(..).getAuthToken()`: local signing, checked as rds-db:connect.
                    "@aws-sdk/rds-signer" => ("rds-db".to_string(), false, false),
                    _ => {
                        let service = service_of_pkg(pkg);
                        if !known_service(&service) {
                            cx.complete = false;
                        }
                        (service, pkg == "@aws-sdk/lib-dynamodb", true)
                    }
                }
            }
            Import::V2 if c.is_new => {
                if ct.ends_with("S3.ManagedUpload") {
                    push_call(cx, n, "s3", "Upload", false);
                    continue;
                }
                if ct.ends_with("RDS.Signer") {
                    ("rds-db".to_string(), false, false)
                } else if is_v2_helper_class(ct) {
                    continue;
                } else {
                    let parts: Vec<&str> = ct.split('.').collect();
                    let doc = ct.ends_with("DocumentClient");
                    let svc = match parts.as_slice() {
                        [_, s, ..] => s.to_string(),
                        [s] => s.to_string(),
                        [] => continue,
                    };
                    let service = iam_prefix(&svc);
                    if !known_service(&service) {
                        // A client we cannot attribute.
                        cx.complete = false;
                        continue;
                    }
                    (service, doc, true)
                }
            }
            Import::Other(m) if db_driver(m).is_some() => {
                let connects = c.is_new
                    || matches!(
                        last,
                        "createConnection" | "createPool" | "connect" | "knex" | "Knex"
                    )
                    || ct == root_name;
                if connects && !matches!(last, "query" | "execute" | "end" | "release" | "raw") {
                    let span = cx.span(n);
                    let in_handler = cx.in_handler(n);
                    cx.facts.db.push(DbConnect {
                        driver: db_driver(m).unwrap_or("").to_string(),
                        span,
                        in_handler,
                    });
                }
                continue;
            }
            _ => continue,
        };
        let (service, doc, is_client) = found;
        let range = (n.start_byte(), n.end_byte());
        let nested = last_client.is_some_and(|(s, e)| range.0 >= s && range.1 <= e);
        if is_client && !nested {
            cx.push_client(
                n,
                &service,
                c.target,
                &c.guards,
                args_t,
                own_credentials,
                &mut pending,
            );
            last_client = Some(range);
        }
        if let Some(t) = c.target {
            clients.insert(t, (service, doc, own_credentials));
        }
    }

    cx.clients_from_derived_event(handler, &pending);

    // Calls: client.send(new XCommand(..)), client.op(..), fetch/axios/http.
    for &(n, ft, grand) in &calls {
        let Some(func) = n.child_by_field_id(f.function) else {
            continue;
        };
        let in_handler = cx.in_handler(n);
        let args = n.child_by_field_id(f.arguments);
        if g.kind(func) == K::MemberExpression
            && let (Some(obj), Some(prop)) = (
                func.child_by_field_id(f.object),
                func.child_by_field_id(f.property),
            )
            && let Some((service, doc, own_credentials)) = clients.get(text(obj, src)).cloned()
        {
            let m = text(prop, src);
            let mut op: Option<(String, String)> = None;
            if m == "send" {
                let cmd = args.and_then(|a| a.named_child(0));
                // `send(new XCommand(..))` or `send(command)` with `command = new XCommand(..)`.
                let cname = cmd.and_then(|c| match g.kind(c) {
                    K::NewExpression => c.child_by_field_id(f.constructor).map(|x| text(x, src)),
                    K::Identifier => commands.get(text(c, src)).copied(),
                    _ => None,
                });
                match cname {
                    Some(cname) => {
                        let (svc, is_doc) = match imports.get(cname) {
                            Some(Import::V3 { pkg }) => {
                                (service_of_pkg(pkg), pkg.contains("lib-dynamodb"))
                            }
                            _ => (service.clone(), false),
                        };
                        let o = if is_doc {
                            document_op(cname).map(str::to_string)
                        } else {
                            Some(cname.trim_end_matches("Command").to_string())
                        };
                        match o {
                            Some(o) => op = Some((svc, o)),
                            None => cx.complete = false,
                        }
                    }
                    _ => cx.complete = false,
                }
            } else if is_client_helper(m) {
            } else if doc {
                match document_op(m) {
                    Some(o) => op = Some((service.clone(), o.to_string())),
                    None => cx.complete = false,
                }
            } else {
                op = Some((service.clone(), pascal(m)));
            }
            if let Some((service, operation)) = op {
                if (service == "ssm"
                    && matches!(
                        operation.as_str(),
                        "GetParameter" | "GetParameters" | "GetParametersByPath"
                    ))
                    || (service == "secretsmanager" && operation == "GetSecretValue")
                {
                    let cached = cx.cached(n);
                    cx.facts.params.push(ParamFetch {
                        service: service.clone(),
                        operation: operation.clone(),
                        span: cx.span(n),
                        in_handler,
                        cached,
                    });
                }
                cx.facts.calls.push(SdkCall {
                    service,
                    operation,
                    span: cx.span(n),
                    in_handler,
                    own_credentials,
                });
            }
            continue;
        }
        // HTTP.
        let root_name = ft.split('.').next().unwrap_or("");
        let imp_mod = match imports.get(root_name) {
            Some(Import::Other(m)) => m.as_str(),
            _ => "",
        };
        let last = ft.rsplit('.').next().unwrap_or("");
        let is_http = ft == "fetch"
            || (imp_mod == "axios"
                && (ft == root_name
                    || matches!(
                        last,
                        "get" | "post" | "put" | "patch" | "delete" | "head" | "request"
                    )))
            || (matches!(imp_mod, "http" | "https" | "node:http" | "node:https")
                && matches!(last, "get" | "request"));
        if is_http {
            let has_timeout = args.is_some_and(|a| {
                let t = text(a, src);
                t.contains("timeout") || t.contains("signal") || t.contains("...")
            }) || grand.is_some_and(|p| text(p, src).contains("setTimeout"));
            let url = args
                .and_then(|a| a.named_child(0))
                .map_or("", |a| text(a, src));
            let local = is_local_url(url) || local_urls.contains(&url);
            cx.facts.http.push(HttpCall {
                callee: ft.to_string(),
                span: cx.span(n),
                has_timeout,
                local,
            });
        }
    }
    let call_nodes: Vec<(Node<'_>, &str)> = calls.iter().map(|(n, t, _)| (*n, *t)).collect();
    cx.forward_shape(handler, &call_nodes, &control);
}

/// `const X = require(..)` / `const { A, B } = require(..)` / `require(..).X`: the imported
/// names.
fn require(
    cx: &mut Ctx<'_>,
    n: Node<'_>,
    ancestors: &[Node<'_>],
    imports: &mut HashMap<String, Import>,
) {
    let (g, src) = (cx.g, cx.src);
    let Some(arg) = n
        .child_by_field_id(g.f.arguments)
        .and_then(|a| a.named_child(0))
    else {
        return;
    };
    let m = unquote(text(arg, src));
    if m.starts_with('.') {
        cx.complete = false;
    }
    cx.note_import(&m);
    let kind = classify(&m);
    let mut up = ancestors.iter().rev();
    let decl = up.find(|p| g.kind(**p) != K::MemberExpression);
    if let Some(p) = decl
        && g.kind(*p) == K::VariableDeclarator
        && let Some(name) = p.child_by_field_id(g.f.name)
    {
        walk(name, g, |id, k, _| {
            if matches!(k, K::Identifier | K::ShorthandPropertyIdentifierPattern) {
                imports.insert(text(id, src).to_string(), kind.clone());
            }
        });
    }
}

/// The variable or member a construction is assigned to (`const x = ..`, `x = ..`,
/// `this.x = ..`).
fn assigned_to<'s>(g: &Grammar, ancestors: &[Node<'_>], src: &'s [u8]) -> Option<&'s str> {
    let p = ancestors.last()?;
    let target = match g.kind(*p) {
        K::VariableDeclarator => p.child_by_field_id(g.f.name),
        K::AssignmentExpression | K::AugmentedAssignmentExpression => p.child_by_field_id(g.f.left),
        _ => None,
    }?;
    Some(text(target, src))
}

/// The handler function behind a value: the function itself, the function a wrapper is given
/// (`streamifyResponse(async (event, stream) => ..)`, `middy(main).use(..)`,
/// `metricScope(metrics => async (event) => ..)`), or a name to look up. Functions first.
fn unwrap_handler<'t, 's>(
    v: Node<'t>,
    g: &Grammar,
    src: &'s [u8],
    depth: u32,
) -> Vec<HandlerRef<'t, 's>> {
    if depth > 8 {
        return Vec::new();
    }
    match g.kind(v) {
        K::ArrowFunction | K::FunctionExpression => {
            // A function that returns the handler.
            if let Some(body) = v.child_by_field_id(g.f.body)
                && matches!(g.kind(body), K::ArrowFunction | K::FunctionExpression)
            {
                return unwrap_handler(body, g, src, depth + 1);
            }
            vec![HandlerRef::Function(v)]
        }
        K::Identifier => vec![HandlerRef::Named(text(v, src))],
        K::AwaitExpression | K::ParenthesizedExpression => v
            .named_child(0)
            .map(|c| unwrap_handler(c, g, src, depth + 1))
            .unwrap_or_default(),
        K::CallExpression => {
            let mut out = Vec::new();
            if let Some(args) = v.child_by_field_id(g.f.arguments) {
                let mut c = args.walk();
                for a in args.named_children(&mut c) {
                    out.extend(unwrap_handler(a, g, src, depth + 1));
                }
            }
            // middy(main).use(...): the object of the member call.
            if let Some(func) = v.child_by_field_id(g.f.function)
                && g.kind(func) == K::MemberExpression
                && let Some(obj) = func.child_by_field_id(g.f.object)
            {
                out.extend(unwrap_handler(obj, g, src, depth + 1));
            }
            out.sort_by_key(|r| matches!(r, HandlerRef::Named(_)));
            out
        }
        _ => Vec::new(),
    }
}

/// An SDK call that is not a method on a client variable (`new Upload(..)`).
fn push_call(cx: &mut Ctx<'_>, n: Node<'_>, service: &str, operation: &str, own: bool) {
    let span = cx.span(n);
    let in_handler = cx.in_handler(n);
    cx.facts.calls.push(SdkCall {
        service: service.to_string(),
        operation: operation.to_string(),
        span,
        in_handler,
        own_credentials: own,
    });
}
