//! Python handlers (boto3, requests/httpx/urllib3, DB drivers).
//!
//! One traversal of the tree collects imports, client constructions (with their assignment
//! target, from the ancestors at hand), the other calls, control flow and guards; the calls are
//! then attributed once every client variable is known.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::facts::*;
use super::{Ctx, Grammar, K, is_local_url, text, walk};

const DB: &[(&str, &str)] = &[
    ("pymysql.connect", "pymysql"),
    ("psycopg2.connect", "psycopg2"),
    ("psycopg.connect", "psycopg"),
    ("mysql.connector.connect", "mysql-connector"),
    ("pg8000.connect", "pg8000"),
    ("create_engine", "sqlalchemy"),
    ("sqlalchemy.create_engine", "sqlalchemy"),
    ("pymongo.MongoClient", "pymongo"),
    ("MongoClient", "pymongo"),
    ("redis.Redis", "redis"),
];

/// Keyword arguments that give a client (or session) its own credentials.
const CREDENTIAL_KEYWORDS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// A client variable: service, whether it is a boto3 resource (`Table`, ...), and whether it
/// was given its own credentials.
#[derive(Debug, Clone)]
struct Client {
    service: String,
    resource: bool,
    own_credentials: bool,
}

/// Extract the facts of one Python file into `cx`.
pub fn extract(cx: &mut Ctx<'_>, root: Node<'_>) {
    let src = cx.src;
    let g = cx.g;
    let f = g.f;
    // The handler: a top-level `def NAME` (decorated or not).
    let mut handler: Option<Node<'_>> = None;
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let def = if g.kind(child) == K::DecoratedDefinition {
            child.child_by_field_id(f.definition)
        } else {
            Some(child)
        };
        if let Some(d) = def
            && g.kind(d) == K::FunctionDefinition
            && d.child_by_field_id(f.name).map(|n| text(n, src)) == Some(cx.handler_name)
        {
            handler = Some(d);
        }
    }
    cx.set_handler(handler, None);

    let mut clients: HashMap<String, Client> = HashMap::new();
    let mut cred_sessions: HashSet<String> = HashSet::new();
    let mut calls: Vec<(Node<'_>, &str)> = Vec::new();
    let mut control: Vec<usize> = Vec::new();
    let mut imports: Vec<Node<'_>> = Vec::new();
    let mut local_urls: Vec<&str> = Vec::new();
    let mut tables: Vec<(&str, &str)> = Vec::new();
    // Clients built in the handler that may be configured from values derived from the event.
    let mut pending: Vec<(usize, &str)> = Vec::new();
    walk(root, g, |n, k, ancestors| match k {
        K::ImportStatement | K::ImportFromStatement => imports.push(n),
        K::ForStatement
        | K::WhileStatement
        | K::IfStatement
        | K::ListComprehension
        | K::ForInClause => {
            control.push(n.start_byte());
            if k == K::IfStatement {
                cx.guards.push((n.start_byte(), n.end_byte()));
            }
        }
        K::ConditionalExpression => cx.guards.push((n.start_byte(), n.end_byte())),
        K::BooleanOperator
            if n.child_by_field_id(f.operator).map(|o| text(o, src)) == Some("or") =>
        {
            cx.guards.push((n.start_byte(), n.end_byte()));
        }
        K::GlobalStatement if cx.in_handler(n) => {
            let mut c = n.walk();
            for id in n.named_children(&mut c) {
                cx.handler_global.push(text(id, src).to_string());
            }
        }
        // `URL = "http://localhost:2773/..." + name`: calls to it stay on the machine.
        K::Assignment => {
            if let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right))
                && matches!(g.kind(r), K::String | K::BinaryOperator)
                && is_local_url(text(r, src))
            {
                local_urls.push(text(l, src));
            }
        }
        K::Call => {
            let Some(func) = n.child_by_field_id(f.function) else {
                return;
            };
            let fname = text(func, src);
            let method = fname.rsplit('.').next().unwrap_or("");
            let is_boto = matches!(method, "client" | "resource" | "create_client")
                && (fname.starts_with("boto3.")
                    || fname.contains("session")
                    || fname.contains("Session"));
            calls.push((n, fname));
            if is_boto {
                boto_client(
                    cx,
                    n,
                    fname,
                    method,
                    ancestors,
                    &cred_sessions,
                    &mut clients,
                    &mut pending,
                );
                return;
            }
            // `table = dynamodb.Table(name)`: a table of a resource client.
            if method == "Table"
                && let Some(target) = assignment_target(g, ancestors, src)
            {
                tables.push((target, fname.trim_end_matches(".Table")));
            }
            // `s = boto3.Session(aws_access_key_id=...)`: clients of `s` use those credentials.
            if method == "Session"
                && CREDENTIAL_KEYWORDS
                    .iter()
                    .any(|kw| has_keyword(n, g, src, kw))
                && let Some(target) = assignment_target(g, ancestors, src)
            {
                cred_sessions.insert(target.to_string());
            }
        }
        _ => {}
    });
    for n in imports {
        import(cx, n);
    }
    cx.clients_from_derived_event(handler, &pending);
    for (target, resource) in tables {
        if let Some(c) = clients.get(resource).filter(|c| c.resource).cloned() {
            clients.insert(target.to_string(), c);
        }
    }
    // Calls on clients, HTTP, DB.
    for &(n, fname) in &calls {
        let Some(func) = n.child_by_field_id(f.function) else {
            continue;
        };
        let in_h = cx.in_handler(n);
        if g.kind(func) == K::Attribute
            && let (Some(obj), Some(attr)) = (
                func.child_by_field_id(f.object),
                func.child_by_field_id(f.attribute),
            )
        {
            let m = text(attr, src);
            let obj_t = text(obj, src);
            let target = clients.get(obj_t).cloned().or_else(|| {
                // boto3.client("s3").put_object(...)
                (g.kind(obj) == K::Call)
                    .then(|| text(obj, src))
                    .filter(|t| t.starts_with("boto3.client("))
                    .and_then(|_| first_string_arg(obj, g, src))
                    .map(|s| Client {
                        service: iam_prefix(&s),
                        resource: false,
                        own_credentials: false,
                    })
            });
            if let Some(c) = target {
                let op = if m == "get_paginator" {
                    first_string_arg(n, g, src).map(|s| pascal(&s))
                } else if is_client_helper(m) {
                    None
                } else if c.resource {
                    match (c.service.as_str(), document_op(m)) {
                        ("dynamodb", Some(op)) => Some(op.to_string()),
                        // `dynamodb.Table(name)`: no request.
                        ("dynamodb", None) if m == "Table" => None,
                        _ => {
                            cx.complete = false;
                            None
                        }
                    }
                } else {
                    Some(pascal(m))
                };
                if let Some(op) = op {
                    if is_param_fetch(&c.service, &op) {
                        let cached = cx.cached(n);
                        cx.facts.params.push(ParamFetch {
                            service: c.service.clone(),
                            operation: op.clone(),
                            span: cx.span(n),
                            in_handler: in_h,
                            cached,
                        });
                    }
                    cx.facts.calls.push(SdkCall {
                        service: c.service,
                        operation: op,
                        span: cx.span(n),
                        in_handler: in_h,
                        own_credentials: c.own_credentials,
                    });
                }
                continue;
            }
        }
        // HTTP
        let http = matches!(
            fname,
            "requests.get"
                | "requests.post"
                | "requests.put"
                | "requests.patch"
                | "requests.delete"
                | "requests.head"
                | "requests.request"
                | "urllib.request.urlopen"
                | "urlopen"
        ) || fname.ends_with("PoolManager().request");
        if http {
            let has_timeout = has_keyword(n, g, src, "timeout")
                || (fname.ends_with("urlopen") && positional_count(n, g) >= 3);
            let url = first_arg(n, g).map_or("", |a| text(a, src));
            let local = is_local_url(url) || local_urls.contains(&url);
            cx.facts.http.push(HttpCall {
                callee: fname.to_string(),
                span: cx.span(n),
                has_timeout,
                local,
            });
            continue;
        }
        if let Some((_, driver)) = DB.iter().find(|(c, _)| *c == fname) {
            cx.facts.db.push(DbConnect {
                driver: (*driver).to_string(),
                span: cx.span(n),
                in_handler: in_h,
            });
        }
    }
    cx.forward_shape(handler, &calls, &control);
}

/// `boto3.client("svc")` / `boto3.resource("svc")[.Table(...)]` / `session.client(...)`.
#[allow(clippy::too_many_arguments)]
fn boto_client<'s>(
    cx: &mut Ctx<'s>,
    n: Node<'_>,
    fname: &str,
    method: &str,
    ancestors: &[Node<'_>],
    cred_sessions: &HashSet<String>,
    clients: &mut HashMap<String, Client>,
    pending: &mut Vec<(usize, &'s str)>,
) {
    let (g, src) = (cx.g, cx.src);
    let Some(service) = first_string_arg(n, g, src) else {
        if fname.starts_with("boto3.") {
            cx.complete = false;
        }
        return;
    };
    let service = iam_prefix(&service);
    if !known_service(&service) {
        // A client we cannot attribute to an IAM service.
        cx.complete = false;
    }
    let session = fname.rsplit_once('.').map_or("", |(s, _)| s);
    let own_credentials = CREDENTIAL_KEYWORDS
        .iter()
        .any(|kw| has_keyword(n, g, src, kw) || fname.contains(kw))
        || cred_sessions.contains(session);
    // The assignment target, through `.Table(...)`.
    let mut resource = method == "resource";
    let mut up = ancestors.iter().rev().peekable();
    while let Some(p) = up.peek() {
        match g.kind(**p) {
            K::Attribute => {
                if p.child_by_field_id(g.f.attribute).map(|a| text(a, src)) == Some("Table") {
                    resource = true;
                }
            }
            K::Call => {}
            _ => break,
        }
        up.next();
    }
    let target = up
        .next()
        .filter(|p| g.kind(**p) == K::Assignment)
        .and_then(|p| p.child_by_field_id(g.f.left))
        .map(|l| text(l, src));
    let args = n
        .child_by_field_id(g.f.arguments)
        .map_or("", |a| text(a, src));
    cx.push_client(
        n,
        &service,
        target,
        ancestors,
        args,
        own_credentials,
        pending,
    );
    if let Some(t) = target {
        clients.insert(
            t.to_string(),
            Client {
                service,
                resource,
                own_credentials,
            },
        );
    }
}

fn first_arg<'t>(call: Node<'t>, g: &Grammar) -> Option<Node<'t>> {
    call.child_by_field_id(g.f.arguments)?.named_child(0)
}

/// `NAME = <call>`: the text of NAME.
fn assignment_target<'s>(g: &Grammar, ancestors: &[Node<'_>], src: &'s [u8]) -> Option<&'s str> {
    let p = ancestors.last()?;
    (g.kind(*p) == K::Assignment)
        .then(|| p.child_by_field_id(g.f.left))
        .flatten()
        .map(|l| text(l, src))
}

/// An import statement: relative and local-module imports make the facts incomplete; libraries
/// that call AWS are noted.
fn import(cx: &mut Ctx<'_>, n: Node<'_>) {
    let (g, src) = (cx.g, cx.src);
    if text(n, src).starts_with("from .") {
        cx.complete = false;
    }
    let from = n
        .child_by_field_id(g.f.module_name)
        .map(|m| text(m, src).to_string());
    if let Some(m) = &from {
        cx.note_import(m);
    }
    let mut c = n.walk();
    for m in n.named_children(&mut c) {
        if matches!(g.kind(m), K::DottedName | K::AliasedImport) {
            let full = text(m, src).split(' ').next().unwrap_or("");
            match &from {
                // `from a.b import c`: the module `a.b.c` (when `c` is a module).
                Some(f) if f != full => cx.note_import(&format!("{f}.{full}")),
                Some(_) => {}
                None => cx.note_import(full),
            }
            let name = full.split('.').next().unwrap_or("");
            if cx.is_local_module(name) {
                cx.complete = false;
            }
        }
    }
}

fn is_param_fetch(service: &str, op: &str) -> bool {
    (service == "ssm" && matches!(op, "GetParameter" | "GetParameters" | "GetParametersByPath"))
        || (service == "secretsmanager" && op == "GetSecretValue")
}

fn first_string_arg(call: Node<'_>, g: &Grammar, src: &[u8]) -> Option<String> {
    let args = call.child_by_field_id(g.f.arguments)?;
    let mut c = args.walk();
    for a in args.named_children(&mut c) {
        let v = if g.kind(a) == K::KeywordArgument {
            let name = a.child_by_field_id(g.f.name).map(|n| text(n, src));
            if !matches!(name, Some("service_name") | Some("service_id")) {
                continue;
            }
            a.child_by_field_id(g.f.value)?
        } else {
            a
        };
        return (g.kind(v) == K::String).then(|| unquote(text(v, src)));
    }
    None
}

fn has_keyword(call: Node<'_>, g: &Grammar, src: &[u8], key: &str) -> bool {
    let Some(args) = call.child_by_field_id(g.f.arguments) else {
        return false;
    };
    let mut c = args.walk();
    args.named_children(&mut c).any(|a| {
        (g.kind(a) == K::KeywordArgument
            && a.child_by_field_id(g.f.name).map(|n| text(n, src)) == Some(key))
            || g.kind(a) == K::DictionarySplat
    })
}

fn positional_count(call: Node<'_>, g: &Grammar) -> usize {
    let Some(args) = call.child_by_field_id(g.f.arguments) else {
        return 0;
    };
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| !matches!(g.kind(*a), K::KeywordArgument | K::Comment))
        .count()
}

pub(super) fn unquote(s: &str) -> String {
    s.trim_start_matches(['r', 'b', 'f', 'u', 'R', 'B', 'F', 'U'])
        .trim_matches(['"', '\'', '`'])
        .to_string()
}
