//! Python handlers (boto3, requests/httpx/urllib3, DB drivers).

use std::collections::HashMap;

use tree_sitter::Node;

use super::facts::*;
use super::{Ctx, all_nodes, text};
use crate::source::Span;

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

/// Extract the facts of one Python file into `cx`.
pub fn extract(cx: &mut Ctx<'_>, root: Node<'_>) {
    let src = cx.src;
    let nodes = all_nodes(root);
    // The handler: a top-level `def NAME`.
    let mut handler: Option<Node<'_>> = None;
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        let def = if child.kind() == "decorated_definition" {
            child.child_by_field_name("definition")
        } else {
            Some(child)
        };
        if let Some(d) = def
            && d.kind() == "function_definition"
            && d.child_by_field_name("name").map(|n| text(n, src)) == Some(cx.handler_name)
        {
            handler = Some(d);
        }
    }
    cx.set_handler(handler);
    // Local imports make the facts incomplete.
    for n in &nodes {
        if matches!(n.kind(), "import_statement" | "import_from_statement") {
            let t = text(*n, src);
            if t.starts_with("from .") {
                cx.complete = false;
            }
            let from = n
                .child_by_field_name("module_name")
                .map(|m| text(m, src).to_string());
            if let Some(m) = &from {
                cx.note_import(m);
            }
            let mut c = n.walk();
            for m in n.named_children(&mut c) {
                if matches!(m.kind(), "dotted_name" | "aliased_import") {
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
    }
    // Clients: NAME = boto3.client("svc") / boto3.resource("svc")[.Table(...)]
    let mut clients: HashMap<String, (String, bool)> = HashMap::new(); // var -> (service, is_resource)
    for n in &nodes {
        if n.kind() != "call" {
            continue;
        }
        let Some(func) = n.child_by_field_name("function") else {
            continue;
        };
        let fname = text(func, src);
        let method = fname.rsplit('.').next().unwrap_or("");
        let is_boto = (method == "client" || method == "resource" || method == "create_client")
            && (fname.starts_with("boto3.")
                || fname.contains("session")
                || fname.contains("Session"));
        if is_boto {
            let Some(service) = first_string_arg(*n, src) else {
                if fname.starts_with("boto3.") {
                    cx.complete = false;
                }
                continue;
            };
            let service = iam_prefix(&service);
            if !known_service(&service) {
                // A client we cannot attribute to an IAM service.
                cx.complete = false;
            }
            let span = cx.span(*n);
            let in_h = cx.in_handler(*n);
            cx.facts.clients.push(ClientNew {
                service: service.clone(),
                span,
                in_handler: in_h,
            });
            // The assignment target, through `.Table(...)`.
            let mut top = *n;
            let mut resource = method == "resource";
            while let Some(p) = top.parent() {
                if matches!(p.kind(), "attribute" | "call") {
                    if p.kind() == "attribute"
                        && p.child_by_field_name("attribute").map(|a| text(a, src)) == Some("Table")
                    {
                        resource = true;
                    }
                    top = p;
                } else {
                    break;
                }
            }
            if let Some(p) = top.parent()
                && p.kind() == "assignment"
                && let Some(l) = p.child_by_field_name("left")
            {
                clients.insert(text(l, src).to_string(), (service, resource));
            }
        }
    }
    // Calls on clients, HTTP, DB.
    for n in &nodes {
        if n.kind() != "call" {
            continue;
        }
        let Some(func) = n.child_by_field_name("function") else {
            continue;
        };
        let fname = text(func, src);
        let span = cx.span(*n);
        let in_h = cx.in_handler(*n);
        if func.kind() == "attribute"
            && let (Some(obj), Some(attr)) = (
                func.child_by_field_name("object"),
                func.child_by_field_name("attribute"),
            )
        {
            let m = text(attr, src);
            let obj_t = text(obj, src);
            let target = clients.get(obj_t).cloned().or_else(|| {
                // boto3.client("s3").put_object(...)
                (obj.kind() == "call")
                    .then(|| text(obj, src))
                    .filter(|t| t.starts_with("boto3.client("))
                    .and_then(|_| first_string_arg(obj, src))
                    .map(|s| (iam_prefix(&s), false))
            });
            if let Some((service, resource)) = target {
                let op = if m == "get_paginator" {
                    first_string_arg(*n, src).map(|s| pascal(&s))
                } else if is_client_helper(m) {
                    None
                } else if resource {
                    match (service.as_str(), document_op(m)) {
                        ("dynamodb", Some(op)) => Some(op.to_string()),
                        _ => {
                            cx.complete = false;
                            None
                        }
                    }
                } else {
                    Some(pascal(m))
                };
                if let Some(op) = op {
                    let call = SdkCall {
                        service: service.clone(),
                        operation: op.clone(),
                        span,
                        in_handler: in_h,
                    };
                    if (service == "ssm"
                        && matches!(
                            op.as_str(),
                            "GetParameter" | "GetParameters" | "GetParametersByPath"
                        ))
                        || (service == "secretsmanager" && op == "GetSecretValue")
                    {
                        let cached = cx.cached(*n);
                        cx.facts.params.push(ParamFetch {
                            service: service.clone(),
                            operation: op.clone(),
                            span,
                            in_handler: in_h,
                            cached,
                        });
                    }
                    cx.facts.calls.push(call);
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
            let has_timeout = has_keyword(*n, src, "timeout")
                || (fname.ends_with("urlopen") && positional_count(*n) >= 3);
            cx.facts.http.push(HttpCall {
                callee: fname.to_string(),
                span,
                has_timeout,
            });
            continue;
        }
        if let Some((_, driver)) = DB.iter().find(|(c, _)| *c == fname) {
            cx.facts.db.push(DbConnect {
                driver: (*driver).to_string(),
                span,
                in_handler: in_h,
            });
        }
    }
    cx.forward_shape(
        handler,
        &nodes,
        &["call"],
        &[
            "for_statement",
            "while_statement",
            "if_statement",
            "list_comprehension",
            "for_in_clause",
        ],
    );
}

fn first_string_arg(call: Node<'_>, src: &[u8]) -> Option<String> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    for a in args.named_children(&mut c) {
        let v = if a.kind() == "keyword_argument" {
            let name = a.child_by_field_name("name").map(|n| text(n, src));
            if !matches!(name, Some("service_name") | Some("service_id")) {
                continue;
            }
            a.child_by_field_name("value")?
        } else {
            a
        };
        return (v.kind() == "string").then(|| unquote(text(v, src)));
    }
    None
}

fn has_keyword(call: Node<'_>, src: &[u8], key: &str) -> bool {
    let Some(args) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut c = args.walk();
    args.named_children(&mut c).any(|a| {
        (a.kind() == "keyword_argument"
            && a.child_by_field_name("name").map(|n| text(n, src)) == Some(key))
            || a.kind() == "dictionary_splat"
    })
}

fn positional_count(call: Node<'_>) -> usize {
    let Some(args) = call.child_by_field_name("arguments") else {
        return 0;
    };
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
        .count()
}

pub(super) fn unquote(s: &str) -> String {
    s.trim_start_matches(['r', 'b', 'f', 'u', 'R', 'B', 'F', 'U'])
        .trim_matches(['"', '\'', '`'])
        .to_string()
}

#[allow(dead_code)]
fn _span(_: Span) {}
