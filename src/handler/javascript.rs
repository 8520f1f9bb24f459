//! JavaScript / TypeScript handlers (AWS SDK v2 and v3, DocumentClient, fetch/axios/http, DB drivers).

use std::collections::HashMap;

use tree_sitter::Node;

use super::facts::*;
use super::python::unquote;
use super::{Ctx, all_nodes, text};

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

/// Extract the facts of one JS/TS file into `cx`.
pub fn extract(cx: &mut Ctx<'_>, root: Node<'_>) {
    let src = cx.src;
    let nodes = all_nodes(root);
    let mut imports: HashMap<String, Import> = HashMap::new();
    let classify = |m: &str| -> Import {
        if is_v3_client_pkg(m) {
            Import::V3 { pkg: m.to_string() }
        } else if m == "aws-sdk" || m.starts_with("aws-sdk/") {
            Import::V2
        } else {
            Import::Other(m.to_string())
        }
    };
    let mut handler: Option<Node<'_>> = None;
    for n in &nodes {
        match n.kind() {
            "import_statement" => {
                let Some(s) = n.child_by_field_name("source") else {
                    continue;
                };
                let m = unquote(text(s, src));
                if m.starts_with('.') {
                    cx.complete = false;
                }
                cx.note_import(&m);
                let kind = classify(&m);
                for id in all_nodes(*n) {
                    if id.kind() == "identifier" {
                        imports.insert(text(id, src).to_string(), kind.clone());
                    }
                }
            }
            "call_expression" => {
                let f = n.child_by_field_name("function").map(|f| text(f, src));
                if f == Some("require") {
                    let Some(arg) = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                    else {
                        continue;
                    };
                    let m = unquote(text(arg, src));
                    if m.starts_with('.') {
                        cx.complete = false;
                    }
                    cx.note_import(&m);
                    let kind = classify(&m);
                    // const X = require(..) / const { A, B } = require(..) / require(..).X
                    let mut top = *n;
                    while let Some(p) = top.parent() {
                        if p.kind() == "member_expression" {
                            top = p;
                        } else {
                            break;
                        }
                    }
                    if let Some(p) = top.parent()
                        && p.kind() == "variable_declarator"
                        && let Some(name) = p.child_by_field_name("name")
                    {
                        for id in all_nodes(name) {
                            if matches!(
                                id.kind(),
                                "identifier" | "shorthand_property_identifier_pattern"
                            ) {
                                imports.insert(text(id, src).to_string(), kind.clone());
                            }
                        }
                    }
                }
            }
            "function_declaration" | "generator_function_declaration"
                if n.child_by_field_name("name").map(|x| text(x, src)) == Some(cx.handler_name) =>
            {
                handler = Some(*n);
            }
            "variable_declarator" => {
                if n.child_by_field_name("name").map(|x| text(x, src)) == Some(cx.handler_name)
                    && let Some(v) = n.child_by_field_name("value")
                    && is_function(v)
                {
                    handler = Some(v);
                }
            }
            "assignment_expression" => {
                let l = n
                    .child_by_field_name("left")
                    .map(|x| text(x, src))
                    .unwrap_or("");
                let want = [
                    format!("exports.{}", cx.handler_name),
                    format!("module.exports.{}", cx.handler_name),
                ];
                if want.iter().any(|w| w == l)
                    && let Some(v) = n.child_by_field_name("right")
                    && is_function(v)
                {
                    handler = Some(v);
                }
            }
            _ => {}
        }
    }
    cx.set_handler(handler);
    if let Some(h) = handler
        && cx.facts.handler_span.start == cx.span(h).start
        && let Some(p) = h.parent()
    {
        // Point at `handler` in `exports.handler = ...` / `const handler = ...`.
        let name = p
            .child_by_field_name("name")
            .or(p.child_by_field_name("left"));
        if let Some(name) = name {
            cx.facts.handler_span = cx.span(name);
        }
    }
    // Client variables: name -> (service, document client).
    let mut clients: HashMap<String, (String, bool)> = HashMap::new();
    // The byte range of the last client construction: a client built inside another one's
    // arguments (`DynamoDBDocumentClient.from(new DynamoDBClient())`) is the same site.
    let mut last_client: Option<(usize, usize)> = None;
    for n in &nodes {
        let (ctor, is_new) = match n.kind() {
            "new_expression" => (n.child_by_field_name("constructor"), true),
            "call_expression" => (n.child_by_field_name("function"), false),
            _ => continue,
        };
        let Some(ctor) = ctor else { continue };
        let ct = text(ctor, src);
        let root_name = ct.split('.').next().unwrap_or("");
        let imp = imports.get(root_name);
        let last = ct.rsplit('.').next().unwrap_or("");
        // (service, document client, reported as a client construction)
        let found: (String, bool, bool) = match imp {
            Some(Import::V3 { pkg }) if is_new || ct.ends_with(".from") => {
                if !is_new && pkg != "@aws-sdk/lib-dynamodb" {
                    continue;
                }
                if ["Command", "Exception", "Error"]
                    .iter()
                    .any(|s| last.ends_with(s))
                {
                    continue;
                }
                match pkg.as_str() {
                    "@aws-sdk/lib-storage" => {
                        // `new Upload({ client, params })`: a managed upload (s3:PutObject).
                        if last == "Upload" {
                            push_call(cx, *n, "s3", "Upload");
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
            Some(Import::V2) if is_new => {
                if ct.ends_with("S3.ManagedUpload") {
                    push_call(cx, *n, "s3", "Upload");
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
            Some(Import::Other(m)) if db_driver(m).is_some() => {
                let connects = is_new
                    || matches!(
                        last,
                        "createConnection" | "createPool" | "connect" | "knex" | "Knex"
                    )
                    || ct == root_name;
                if connects && !matches!(last, "query" | "execute" | "end" | "release" | "raw") {
                    let span = cx.span(*n);
                    let in_handler = cx.in_handler(*n);
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
            let span = cx.span(*n);
            let in_handler = cx.in_handler(*n);
            cx.facts.clients.push(ClientNew {
                service: service.clone(),
                span,
                in_handler,
            });
            last_client = Some(range);
        }
        if let Some(p) = n.parent() {
            let name = match p.kind() {
                "variable_declarator" => p.child_by_field_name("name"),
                "assignment_expression" => p.child_by_field_name("left"),
                _ => None,
            };
            if let Some(name) = name {
                clients.insert(text(name, src).to_string(), (service, doc));
            }
        }
    }
    // Calls: client.send(new XCommand(..)), client.op(..), fetch/axios/http.
    for n in &nodes {
        if n.kind() != "call_expression" {
            continue;
        }
        let Some(func) = n.child_by_field_name("function") else {
            continue;
        };
        let ft = text(func, src);
        let span = cx.span(*n);
        let in_handler = cx.in_handler(*n);
        let args = n.child_by_field_name("arguments");
        if func.kind() == "member_expression"
            && let (Some(obj), Some(prop)) = (
                func.child_by_field_name("object"),
                func.child_by_field_name("property"),
            )
            && let Some((service, doc)) = clients.get(text(obj, src)).cloned()
        {
            let m = text(prop, src);
            let mut op: Option<(String, String)> = None;
            if m == "send" {
                let cmd = args.and_then(|a| a.named_child(0));
                match cmd {
                    Some(c) if c.kind() == "new_expression" => {
                        let cname = c
                            .child_by_field_name("constructor")
                            .map(|x| text(x, src))
                            .unwrap_or("");
                        let svc = match imports.get(cname) {
                            Some(Import::V3 { pkg }) => service_of_pkg(pkg),
                            _ => service.clone(),
                        };
                        let is_doc = matches!(imports.get(cname), Some(Import::V3{pkg}) if pkg.contains("lib-dynamodb"));
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
                    let cached = cx.cached(*n);
                    cx.facts.params.push(ParamFetch {
                        service: service.clone(),
                        operation: operation.clone(),
                        span,
                        in_handler,
                        cached,
                    });
                }
                cx.facts.calls.push(SdkCall {
                    service,
                    operation,
                    span,
                    in_handler,
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
            }) || n
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|p| text(p, src).contains("setTimeout"));
            cx.facts.http.push(HttpCall {
                callee: ft.to_string(),
                span,
                has_timeout,
            });
        }
    }
    cx.forward_shape(
        handler,
        &nodes,
        &["call_expression"],
        &[
            "for_statement",
            "for_in_statement",
            "for_of_statement",
            "while_statement",
            "if_statement",
            "ternary_expression",
        ],
    );
}

/// An SDK call that is not a method on a client variable (`new Upload(..)`).
fn push_call(cx: &mut Ctx<'_>, n: Node<'_>, service: &str, operation: &str) {
    let span = cx.span(n);
    let in_handler = cx.in_handler(n);
    cx.facts.calls.push(SdkCall {
        service: service.to_string(),
        operation: operation.to_string(),
        span,
        in_handler,
    });
}

fn is_function(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "arrow_function" | "function_expression" | "function" | "generator_function"
    )
}
