//! What a call does, from the value of its callee: AWS SDK clients and operations (boto3
//! clients, resources and tables; JavaScript SDK v2 clients and DocumentClient; v3 clients,
//! commands, `lib-dynamodb`, paginators, waiters, presigners, `lib-storage`), HTTP calls and
//! database connections. Language knowledge lives here as tables over values; the analysis
//! that finds the values is the same for every language.

use super::facts::{document_op, iam_prefix, pascal};
use super::ir::*;
use super::program::{Analysis, ModId, Val};

/// An AWS SDK value.
#[derive(Debug, Clone, PartialEq)]
pub enum Sdk {
    /// A boto3 / botocore session (its clients use its credentials).
    Session { own: bool },
    Client {
        service: String,
        kind: Kind,
        own: bool,
    },
    /// `resource.meta` (its `client` is the low-level client).
    Meta { service: String, own: bool },
    /// A JavaScript SDK v3 command (sent later with `client.send`).
    Command {
        service: String,
        op: String,
        actions: Option<Vec<String>>,
    },
    Paginator {
        service: String,
        op: String,
        own: bool,
    },
    Waiter {
        service: String,
        op: String,
        own: bool,
    },
    /// A boto3 collection (`bucket.objects`).
    Collection { service: String, own: bool },
    /// A `lib-storage` upload (already counted).
    Upload,
}

/// Kinds of SDK clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// boto3 low-level client.
    Client,
    /// boto3 service resource.
    Resource,
    Table,
    Bucket,
    Object,
    Queue,
    Topic,
    BatchWriter,
    /// JavaScript SDK v2 service client.
    V2,
    /// JavaScript SDK v2 DocumentClient.
    V2Doc,
    /// JavaScript SDK v3 client (bare or aggregated).
    V3,
    /// `lib-dynamodb` document client.
    V3Doc,
    /// A local signer (RDS / DSQL auth tokens).
    Signer,
}

/// What one call does.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    None,
    /// An SDK client (resource, document client) is constructed.
    NewClient {
        service: String,
        own: bool,
    },
    /// An AWS operation (`network`: false for local signing: presigned URLs, auth tokens).
    Sdk {
        service: String,
        op: String,
        network: bool,
        own: bool,
        /// The IAM actions, when the call's arguments decide them (a transaction's items).
        actions: Option<Vec<String>>,
    },
    Http {
        callee: String,
        timeout: bool,
        url: Option<ExprId>,
    },
    Db {
        driver: String,
    },
    /// An SDK call whose operation cannot be told.
    Unattributed(String),
}

/// A call being classified.
pub struct CallCx<'c> {
    pub m: ModId,
    pub f: FnId,
    pub args: &'c [Arg],
    pub new: bool,
    pub python: bool,
}

impl CallCx<'_> {
    fn positional(&self, i: usize) -> Option<ExprId> {
        self.args
            .iter()
            .filter(|a| a.name.is_none())
            .nth(i)
            .map(|a| a.value)
    }

    fn keyword(&self, name: &str) -> Option<ExprId> {
        self.args
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .map(|a| a.value)
    }

    /// A Python keyword argument (or a `**kwargs` splat, which may hold it).
    fn has_keyword(&self, names: &[&str]) -> bool {
        self.args.iter().any(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n == "**" || names.contains(&n))
        })
    }

    fn positional_count(&self) -> usize {
        self.args.iter().filter(|a| a.name.is_none()).count()
    }
}

fn str_of(a: &mut Analysis<'_>, cx: &CallCx<'_>, e: Option<ExprId>) -> Option<String> {
    match a.eval(cx.m, cx.f, e?) {
        Val::Str(s) => Some(s),
        _ => None,
    }
}

/// The keys of an object literal argument (`None` when it is not one we can read: a
/// variable of unknown value, a spread).
fn object_keys(a: &mut Analysis<'_>, cx: &CallCx<'_>, e: ExprId) -> Option<Vec<String>> {
    let v = a.eval(cx.m, cx.f, e);
    let Val::Object(om, _, oe) = v else {
        return None;
    };
    let module = &a.parsed(om)?.module;
    let Expr::Object(entries) = module.expr(oe) else {
        return None;
    };
    let mut keys = Vec::new();
    for (k, _) in entries {
        match k {
            Some(Key::Name(n)) => keys.push(n.clone()),
            _ => return None,
        }
    }
    Some(keys)
}

/// A value (object literal) has one of `keys` at any depth (`{ requestHandler: { timeout } }`),
/// or cannot be read (precision first: it may).
fn object_has_key(a: &mut Analysis<'_>, cx: &CallCx<'_>, e: ExprId, keys: &[&str]) -> bool {
    let v = a.eval(cx.m, cx.f, e);
    let Val::Object(om, _, oe) = v else {
        return !matches!(v, Val::Str(_) | Val::Const);
    };
    let Some(module) = a.parsed(om).map(|p| &p.module) else {
        return true;
    };
    let mut found = false;
    module.visit(oe, |_, x| {
        if let Expr::Object(entries) = x {
            for (k, _) in entries {
                match k {
                    Some(Key::Name(n)) if keys.iter().any(|k| n.eq_ignore_ascii_case(k)) => {
                        found = true
                    }
                    None => found = true,
                    _ => {}
                }
            }
        }
    });
    found
}

const CREDENTIAL_KEYWORDS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// A JavaScript client configuration that brings its own credentials.
fn js_own_credentials(a: &mut Analysis<'_>, cx: &CallCx<'_>) -> bool {
    let Some(cfg) = cx.positional(0) else {
        return false;
    };
    match object_keys(a, cx, cfg) {
        Some(keys) => keys.iter().any(|k| {
            matches!(
                k.as_str(),
                "credentials" | "accessKeyId" | "secretAccessKey"
            )
        }),
        None => false,
    }
}

/// A boto3 client / resource construction (`boto3.client("s3")`, `session.client(..)`).
fn boto_client(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    resource: bool,
    session_own: bool,
) -> (Event, Val) {
    let svc = str_of(a, cx, cx.positional(0)).or_else(|| {
        cx.keyword("service_name")
            .and_then(|e| match a.eval(cx.m, cx.f, e) {
                Val::Str(s) => Some(s),
                _ => None,
            })
    });
    let Some(svc) = svc else {
        return (
            Event::Unattributed("an SDK client for a computed service name".into()),
            Val::Unknown,
        );
    };
    let service = iam_prefix(&svc);
    let own = session_own || cx.has_keyword(CREDENTIAL_KEYWORDS);
    let kind = if resource {
        Kind::Resource
    } else {
        Kind::Client
    };
    (
        Event::NewClient {
            service: service.clone(),
            own,
        },
        Val::Sdk(Sdk::Client { service, kind, own }),
    )
}

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// A call to something from a module that is not local.
pub fn external(a: &mut Analysis<'_>, cx: &CallCx<'_>, module: &str, path: &str) -> (Event, Val) {
    let result = || Val::Ext(module.to_string(), format!("{path}()"));
    if cx.python {
        python_external(a, cx, module, path).unwrap_or_else(|| (Event::None, result()))
    } else {
        js_external(a, cx, module, path).unwrap_or_else(|| (Event::None, result()))
    }
}

fn python_external(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    module: &str,
    path: &str,
) -> Option<(Event, Val)> {
    let full = if path.is_empty() {
        module.to_string()
    } else {
        format!("{module}.{path}")
    };
    match module {
        "boto3" => {
            return Some(match path {
                "client" => boto_client(a, cx, false, false),
                "resource" => boto_client(a, cx, true, false),
                "Session" | "session.Session" => (
                    Event::None,
                    Val::Sdk(Sdk::Session {
                        own: cx.has_keyword(CREDENTIAL_KEYWORDS),
                    }),
                ),
                _ => (Event::None, Val::Unknown),
            });
        }
        "botocore" if path == "session.get_session" || path == "session.Session" => {
            return Some((Event::None, Val::Sdk(Sdk::Session { own: false })));
        }
        "requests" => {
            if let Some(verb) = path.strip_prefix("api.").or(Some(path))
                && HTTP_VERBS.contains(&verb)
            {
                return Some((
                    Event::Http {
                        callee: format!("requests.{verb}"),
                        timeout: cx.has_keyword(&["timeout"]),
                        url: cx.positional(0).or(cx.keyword("url")),
                    },
                    Val::Unknown,
                ));
            }
            if matches!(path, "Session" | "session" | "sessions.Session") {
                return Some((Event::None, Val::Http("requests".into(), false)));
            }
        }
        "httpx" => {
            // httpx has a 5 s default timeout.
            if HTTP_VERBS.contains(&path) || path == "stream" {
                return Some((Event::None, Val::Unknown));
            }
            if matches!(path, "Client" | "AsyncClient") {
                return Some((Event::None, Val::Http("httpx".into(), true)));
            }
        }
        "urllib" if path == "request.urlopen" => {
            return Some((
                Event::Http {
                    callee: "urllib.request.urlopen".into(),
                    timeout: cx.has_keyword(&["timeout"]) || cx.positional_count() >= 3,
                    url: cx.positional(0).or(cx.keyword("url")),
                },
                Val::Unknown,
            ));
        }
        "urllib3" => {
            if matches!(
                path,
                "PoolManager" | "ProxyManager" | "HTTPConnectionPool" | "HTTPSConnectionPool"
            ) {
                return Some((
                    Event::None,
                    Val::Http("urllib3".into(), cx.has_keyword(&["timeout"])),
                ));
            }
            if path == "request" {
                return Some((
                    Event::Http {
                        callee: "urllib3.request".into(),
                        timeout: cx.has_keyword(&["timeout"]),
                        url: cx.positional(1),
                    },
                    Val::Unknown,
                ));
            }
        }
        _ => {}
    }
    let driver = match full.as_str() {
        "pymysql.connect" | "pymysql.connections.Connection" | "pymysql.Connect" => "pymysql",
        "psycopg2.connect" => "psycopg2",
        "psycopg.connect" | "psycopg.Connection.connect" | "psycopg.AsyncConnection.connect" => {
            "psycopg"
        }
        "mysql.connector.connect" => "mysql-connector",
        "pg8000.connect" | "pg8000.native.Connection" | "pg8000.dbapi.connect" => "pg8000",
        "sqlalchemy.create_engine" => "sqlalchemy",
        "pymongo.MongoClient" => "pymongo",
        "redis.Redis" | "redis.StrictRedis" | "redis.from_url" | "redis.Redis.from_url" => "redis",
        _ => return None,
    };
    Some((
        Event::Db {
            driver: driver.into(),
        },
        Val::Unknown,
    ))
}

/// The service of an `@aws-sdk/client-*` package.
fn v3_service(pkg: &str) -> String {
    iam_prefix(
        pkg.trim_start_matches("@aws-sdk/")
            .trim_start_matches("client-")
            .trim_start_matches("lib-"),
    )
}

/// SDK v2 classes under `AWS.` that are not service clients.
fn is_v2_helper_class(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    path.contains("Signers.")
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

fn js_external(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    module: &str,
    path: &str,
) -> Option<(Event, Val)> {
    let path = path.strip_prefix("default.").unwrap_or(path);
    let path = if path == "default" { "" } else { path };
    let last = path.rsplit('.').next().unwrap_or(path);
    // X-Ray instrumentation returns the client (or SDK) it is given.
    if matches!(
        module,
        "aws-xray-sdk" | "aws-xray-sdk-core" | "@aws-lambda-powertools/tracer"
    ) && matches!(
        last,
        "captureAWSv3Client" | "captureAWSClient" | "captureAWS"
    ) {
        let v = cx
            .positional(0)
            .map_or(Val::Unknown, |e| a.eval(cx.m, cx.f, e));
        return Some((Event::None, v));
    }
    // SDK v3.
    if module.starts_with("@aws-sdk/client-") {
        let service = v3_service(module);
        if cx.new {
            if last.ends_with("Command") {
                let op = last.trim_end_matches("Command").to_string();
                let actions = transact_items(a, cx, &service, &op, cx.positional(0));
                return Some((
                    Event::None,
                    Val::Sdk(Sdk::Command {
                        service,
                        op,
                        actions,
                    }),
                ));
            }
            if last.ends_with("Exception") || last.ends_with("Error") {
                return Some((Event::None, Val::Unknown));
            }
            let own = js_own_credentials(a, cx);
            return Some((
                Event::NewClient {
                    service: service.clone(),
                    own,
                },
                Val::Sdk(Sdk::Client {
                    service,
                    kind: Kind::V3,
                    own,
                }),
            ));
        }
        if let Some(op) = last.strip_prefix("paginate") {
            return Some((sdk_event(&service, op, true, false), Val::Unknown));
        }
        if let Some(w) = last
            .strip_prefix("waitUntil")
            .or(last.strip_prefix("waitFor"))
        {
            return Some((
                sdk_event(&service, &format!("Waiter:{w}"), true, false),
                Val::Unknown,
            ));
        }
        return Some((Event::None, Val::Unknown));
    }
    match module {
        "@aws-sdk/lib-dynamodb" => {
            if matches!(
                path,
                "DynamoDBDocumentClient.from" | "DynamoDBDocument.from"
            ) {
                let own = match cx.positional(0).map(|e| a.eval(cx.m, cx.f, e)) {
                    Some(Val::Sdk(Sdk::Client { own, .. })) => own,
                    _ => false,
                };
                return Some((
                    Event::NewClient {
                        service: "dynamodb".into(),
                        own,
                    },
                    Val::Sdk(Sdk::Client {
                        service: "dynamodb".into(),
                        kind: Kind::V3Doc,
                        own,
                    }),
                ));
            }
            if cx.new && last.ends_with("Command") {
                let op = document_op(last).map(str::to_string);
                return Some(match op {
                    Some(op) => {
                        let actions = transact_items(a, cx, "dynamodb", &op, cx.positional(0));
                        (
                            Event::None,
                            Val::Sdk(Sdk::Command {
                                service: "dynamodb".into(),
                                op,
                                actions,
                            }),
                        )
                    }
                    None => (Event::None, Val::Unknown),
                });
            }
            if let Some(op) = last.strip_prefix("paginate") {
                return Some((sdk_event("dynamodb", op, true, false), Val::Unknown));
            }
            return Some((Event::None, Val::Unknown));
        }
        "@aws-sdk/lib-storage" if cx.new && last == "Upload" => {
            return Some((
                sdk_event("s3", "Upload", true, false),
                Val::Sdk(Sdk::Upload),
            ));
        }
        "@aws-sdk/s3-request-presigner" if last == "getSignedUrl" => {
            let cmd = cx.positional(1).map(|e| a.eval(cx.m, cx.f, e));
            return Some(match cmd {
                Some(Val::Sdk(Sdk::Command { service, op, .. })) => {
                    (sdk_event(&service, &op, false, false), Val::Unknown)
                }
                _ => (
                    Event::Unattributed("a presigned URL whose operation cannot be told".into()),
                    Val::Unknown,
                ),
            });
        }
        "@aws-sdk/s3-presigned-post" if last == "createPresignedPost" => {
            return Some((sdk_event("s3", "PutObject", false, false), Val::Unknown));
        }
        "@aws-sdk/rds-signer" if cx.new => {
            return Some((
                Event::None,
                Val::Sdk(Sdk::Client {
                    service: "rds-db".into(),
                    kind: Kind::Signer,
                    own: false,
                }),
            ));
        }
        "@aws-sdk/dsql-signer" if cx.new => {
            return Some((
                Event::None,
                Val::Sdk(Sdk::Client {
                    service: "dsql".into(),
                    kind: Kind::Signer,
                    own: false,
                }),
            ));
        }
        _ => {}
    }
    // SDK v2.
    if module == "aws-sdk" || module == "aws-sdk/global" || module.starts_with("aws-sdk/clients/") {
        if !cx.new {
            return Some((Event::None, Val::Unknown));
        }
        let (service, rest) = match module.strip_prefix("aws-sdk/clients/") {
            Some(s) => (s.to_string(), path.to_string()),
            None => {
                let mut parts = path.splitn(2, '.');
                let s = parts.next().unwrap_or("").to_string();
                (s, parts.next().unwrap_or("").to_string())
            }
        };
        let full = format!("{service}.{rest}");
        if full.ends_with("S3.ManagedUpload") || rest == "ManagedUpload" {
            return Some((
                sdk_event("s3", "Upload", true, false),
                Val::Sdk(Sdk::Upload),
            ));
        }
        if rest == "Signer" && service.eq_ignore_ascii_case("rds") {
            return Some((
                Event::None,
                Val::Sdk(Sdk::Client {
                    service: "rds-db".into(),
                    kind: Kind::Signer,
                    own: false,
                }),
            ));
        }
        if is_v2_helper_class(path) || service.is_empty() {
            return Some((Event::None, Val::Unknown));
        }
        let doc = rest == "DocumentClient";
        if !rest.is_empty() && !doc {
            return Some((Event::None, Val::Unknown));
        }
        let service = iam_prefix(&service);
        let own = js_own_credentials(a, cx);
        return Some((
            Event::NewClient {
                service: service.clone(),
                own,
            },
            Val::Sdk(Sdk::Client {
                service,
                kind: if doc { Kind::V2Doc } else { Kind::V2 },
                own,
            }),
        ));
    }
    // HTTP.
    let http_cfg = |a: &mut Analysis<'_>, from: usize| -> bool {
        cx.args.iter().skip(from).any(|x| {
            matches!(
                a.parsed(cx.m).map(|p| p.module.expr(x.value)),
                Some(Expr::Spread(_))
            ) || object_has_key(
                a,
                cx,
                x.value,
                &["timeout", "signal", "timeoutMs", "timeoutInMs"],
            )
        })
    };
    match (module, path) {
        ("global", "fetch") | ("node-fetch", "") | ("undici", "fetch") | ("cross-fetch", "") => {
            let timeout = http_cfg(a, 1);
            return Some((
                Event::Http {
                    callee: "fetch".into(),
                    timeout,
                    url: cx.positional(0),
                },
                Val::Unknown,
            ));
        }
        ("axios", "create") => {
            let timeout = http_cfg(a, 0);
            return Some((Event::None, Val::Http("axios".into(), timeout)));
        }
        ("axios", p) if p.is_empty() || HTTP_VERBS.contains(&p) => {
            let timeout = http_cfg(a, if p.is_empty() { 0 } else { 1 });
            return Some((
                Event::Http {
                    callee: if p.is_empty() {
                        "axios".into()
                    } else {
                        format!("axios.{p}")
                    },
                    timeout,
                    url: cx.positional(0),
                },
                Val::Unknown,
            ));
        }
        ("got", p) if p.is_empty() || HTTP_VERBS.contains(&p) => {
            let timeout = http_cfg(a, 1);
            return Some((
                Event::Http {
                    callee: if p.is_empty() {
                        "got".into()
                    } else {
                        format!("got.{p}")
                    },
                    timeout,
                    url: cx.positional(0),
                },
                Val::Unknown,
            ));
        }
        ("http" | "https" | "node:http" | "node:https", "request" | "get") => {
            let timeout = http_cfg(a, 0);
            return Some((
                Event::Http {
                    callee: format!("{}.{path}", module.trim_start_matches("node:")),
                    timeout,
                    url: cx.positional(0),
                },
                Val::Unknown,
            ));
        }
        _ => {}
    }
    // Database drivers.
    let driver = match module {
        "pg" | "pg-pool" => (cx.new || matches!(last, "connect")).then_some("pg"),
        "mysql" | "mysql2" | "mysql2/promise" => matches!(
            last,
            "createConnection" | "createPool" | "createPoolCluster" | "connect"
        )
        .then_some("mysql2"),
        "knex" => (path.is_empty() || last == "knex" || last == "Knex").then_some("knex"),
        "@prisma/client" => (cx.new && last == "PrismaClient").then_some("prisma"),
        "mongodb" => ((cx.new && last == "MongoClient") || path == "MongoClient.connect")
            .then_some("mongodb"),
        "mssql" => (last == "connect" || (cx.new && last == "ConnectionPool")).then_some("mssql"),
        "oracledb" => matches!(last, "getConnection" | "createPool").then_some("oracledb"),
        "sequelize" => (cx.new && (last == "Sequelize" || path.is_empty())).then_some("sequelize"),
        _ => None,
    };
    driver.map(|d| {
        (
            Event::Db {
                driver: d.to_string(),
            },
            Val::Unknown,
        )
    })
}

fn sdk_event(service: &str, op: &str, network: bool, own: bool) -> Event {
    Event::Sdk {
        service: service.to_string(),
        op: op.to_string(),
        network,
        own,
        actions: None,
    }
}

fn with_actions(e: Event, actions: Option<Vec<String>>) -> Event {
    match e {
        Event::Sdk {
            service,
            op,
            network,
            own,
            ..
        } => Event::Sdk {
            service,
            op,
            network,
            own,
            actions,
        },
        other => other,
    }
}

/// The item-level actions of a DynamoDB transaction, from its literal `TransactItems`
/// (`None` when they cannot be read, or for other operations).
fn transact_items(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    service: &str,
    op: &str,
    input: Option<ExprId>,
) -> Option<Vec<String>> {
    if service != "dynamodb" || !matches!(op, "TransactWriteItems" | "TransactGetItems") {
        return None;
    }
    let items = if cx.python {
        cx.keyword("TransactItems")?
    } else {
        let Val::Object(om, of, oe) = a.eval(cx.m, cx.f, input?) else {
            return None;
        };
        let module = &a.parsed(om)?.module;
        let Expr::Object(entries) = module.expr(oe) else {
            return None;
        };
        let v = entries.iter().find_map(|(k, v)| match k {
            Some(Key::Name(n)) if n == "TransactItems" => Some(*v),
            _ => None,
        })?;
        let _ = of;
        if om != cx.m {
            return None;
        }
        v
    };
    let module = &a.parsed(cx.m)?.module;
    let Expr::Array(list) = module.expr(items) else {
        return None;
    };
    let mut out: Vec<String> = Vec::new();
    for item in list {
        let Expr::Object(entries) = module.expr(*item) else {
            return None;
        };
        for (k, _) in entries {
            let Some(Key::Name(n)) = k else { return None };
            let action = match n.as_str() {
                "Put" => "dynamodb:PutItem",
                "Update" => "dynamodb:UpdateItem",
                "Delete" => "dynamodb:DeleteItem",
                "ConditionCheck" => "dynamodb:ConditionCheckItem",
                "Get" => "dynamodb:GetItem",
                _ => return None,
            };
            if !out.iter().any(|x| x == action) {
                out.push(action.to_string());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A member of an SDK value that is itself a value (`resource.meta.client`, `bucket.objects`).
pub fn member(s: &Sdk, name: &str) -> Val {
    match (s, name) {
        (
            Sdk::Client {
                service,
                kind:
                    Kind::Resource
                    | Kind::Table
                    | Kind::Bucket
                    | Kind::Object
                    | Kind::Queue
                    | Kind::Topic,
                own,
            },
            "meta",
        ) => Val::Sdk(Sdk::Meta {
            service: service.clone(),
            own: *own,
        }),
        (Sdk::Meta { service, own }, "client") => Val::Sdk(Sdk::Client {
            service: service.clone(),
            kind: Kind::Client,
            own: *own,
        }),
        (
            Sdk::Client {
                service,
                kind: Kind::Bucket | Kind::Resource,
                own,
            },
            "objects" | "buckets" | "object_versions",
        ) => Val::Sdk(Sdk::Collection {
            service: service.clone(),
            own: *own,
        }),
        _ => Val::Unknown,
    }
}

/// boto3 client methods that are not service operations.
fn is_boto_helper(m: &str) -> bool {
    matches!(
        m,
        "can_paginate" | "close" | "meta" | "exceptions" | "get_waiter" | "get_paginator"
    )
}

/// A boto3 waiter's operation (what it polls).
fn waiter_op(service: &str, name: &str) -> String {
    match (service, name) {
        ("s3", "object_exists" | "object_not_exists") => "HeadObject".into(),
        ("s3", "bucket_exists" | "bucket_not_exists") => "HeadBucket".into(),
        ("dynamodb", "table_exists" | "table_not_exists") => "DescribeTable".into(),
        _ => format!("Waiter:{name}"),
    }
}

/// A method called on an SDK value.
pub fn method(a: &mut Analysis<'_>, cx: &CallCx<'_>, s: &Sdk, name: &str) -> (Event, Val) {
    let none = (Event::None, Val::Unknown);
    match s {
        Sdk::Session { own } => match name {
            "client" | "create_client" => boto_client(a, cx, false, *own),
            "resource" => boto_client(a, cx, true, *own),
            _ => none,
        },
        Sdk::Paginator { service, op, own } if name == "paginate" => {
            (sdk_event(service, op, true, *own), Val::Unknown)
        }
        Sdk::Waiter { service, op, own } if name == "wait" => {
            (sdk_event(service, op, true, *own), Val::Unknown)
        }
        Sdk::Collection { service, own } => match name {
            "all" | "filter" | "limit" | "page_size" | "pages" => (
                sdk_event(service, "ListObjectsV2", true, *own),
                Val::Sdk(s.clone()),
            ),
            "delete" => (
                sdk_event(service, "DeleteObjects", true, *own),
                Val::Unknown,
            ),
            _ => none,
        },
        Sdk::Client { service, kind, own } => client_method(a, cx, service, *kind, *own, name),
        _ => none,
    }
}

fn unattributed(what: &str) -> (Event, Val) {
    (Event::Unattributed(what.to_string()), Val::Unknown)
}

fn client_method(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    service: &str,
    kind: Kind,
    own: bool,
    name: &str,
) -> (Event, Val) {
    let call = |op: &str| (sdk_event(service, op, true, own), Val::Unknown);
    let sub = |k: Kind, svc: &str| {
        Val::Sdk(Sdk::Client {
            service: svc.to_string(),
            kind: k,
            own,
        })
    };
    match kind {
        Kind::Client => match name {
            "get_paginator" => {
                match str_of(a, cx, cx.positional(0).or(cx.keyword("operation_name"))) {
                    Some(op) => (
                        Event::None,
                        Val::Sdk(Sdk::Paginator {
                            service: service.to_string(),
                            op: pascal(&op),
                            own,
                        }),
                    ),
                    None => unattributed("a paginator whose operation cannot be told"),
                }
            }
            "get_waiter" => match str_of(a, cx, cx.positional(0).or(cx.keyword("waiter_name"))) {
                Some(w) => (
                    Event::None,
                    Val::Sdk(Sdk::Waiter {
                        service: service.to_string(),
                        op: waiter_op(service, &w),
                        own,
                    }),
                ),
                None => unattributed("a waiter whose operation cannot be told"),
            },
            "generate_presigned_url" => {
                match str_of(a, cx, cx.positional(0).or(cx.keyword("ClientMethod"))) {
                    Some(op) => (sdk_event(service, &pascal(&op), false, own), Val::Unknown),
                    None => unattributed("a presigned URL whose operation cannot be told"),
                }
            }
            "generate_presigned_post" => {
                (sdk_event(service, "PutObject", false, own), Val::Unknown)
            }
            "generate_db_auth_token" => (
                sdk_event(service, "GenerateDbAuthToken", false, own),
                Val::Unknown,
            ),
            m if is_boto_helper(m) => (Event::None, Val::Unknown),
            m => {
                let op = pascal(m);
                let actions = transact_items(a, cx, service, &op, None);
                (
                    with_actions(sdk_event(service, &op, true, own), actions),
                    Val::Unknown,
                )
            }
        },
        Kind::Resource => match name {
            "Table" => (Event::None, sub(Kind::Table, "dynamodb")),
            "Bucket" => (Event::None, sub(Kind::Bucket, "s3")),
            "Object" | "ObjectSummary" => (Event::None, sub(Kind::Object, "s3")),
            "Queue" => (Event::None, sub(Kind::Queue, "sqs")),
            "Topic" | "PlatformEndpoint" => (Event::None, sub(Kind::Topic, "sns")),
            "get_queue_by_name" => (
                sdk_event(service, "GetQueueUrl", true, own),
                sub(Kind::Queue, "sqs"),
            ),
            "create_queue" => (
                sdk_event(service, "CreateQueue", true, own),
                sub(Kind::Queue, "sqs"),
            ),
            "create_topic" => (
                sdk_event(service, "CreateTopic", true, own),
                sub(Kind::Topic, "sns"),
            ),
            "create_table" => (
                sdk_event(service, "CreateTable", true, own),
                sub(Kind::Table, "dynamodb"),
            ),
            "create_bucket" => (
                sdk_event(service, "CreateBucket", true, own),
                sub(Kind::Bucket, "s3"),
            ),
            "meta" => (Event::None, Val::Unknown),
            m => call(&pascal(m)),
        },
        Kind::Table => match name {
            "batch_writer" => (
                sdk_event("dynamodb", "BatchWriteItem", true, own),
                sub(Kind::BatchWriter, "dynamodb"),
            ),
            "load" | "reload" | "wait_until_exists" | "wait_until_not_exists" => {
                call("DescribeTable")
            }
            "delete" => call("DeleteTable"),
            "update" => call("UpdateTable"),
            m => match document_op(m) {
                Some(op) => call(op),
                None => unattributed(&format!("the DynamoDB `Table` method `{m}`")),
            },
        },
        Kind::BatchWriter => (Event::None, Val::Unknown),
        Kind::Bucket => match name {
            "put_object" | "upload_file" | "upload_fileobj" => call("PutObject"),
            "download_file" | "download_fileobj" => call("GetObject"),
            "copy" => call("CopyObject"),
            "delete_objects" => call("DeleteObjects"),
            "delete" => call("DeleteBucket"),
            "load" => call("HeadBucket"),
            "Object" => (Event::None, sub(Kind::Object, "s3")),
            m => unattributed(&format!("the S3 `Bucket` method `{m}`")),
        },
        Kind::Object => match name {
            "get" | "download_file" | "download_fileobj" => call("GetObject"),
            "put" | "upload_file" | "upload_fileobj" => call("PutObject"),
            "delete" => call("DeleteObject"),
            "load" | "reload" => call("HeadObject"),
            "copy_from" | "copy" => call("CopyObject"),
            m => unattributed(&format!("the S3 `Object` method `{m}`")),
        },
        Kind::Queue => match name {
            "send_message" => call("SendMessage"),
            "send_messages" => call("SendMessageBatch"),
            "receive_messages" => call("ReceiveMessage"),
            "delete_messages" => call("DeleteMessageBatch"),
            "change_message_visibility_batch" => call("ChangeMessageVisibilityBatch"),
            "purge" => call("PurgeQueue"),
            "load" | "reload" => call("GetQueueAttributes"),
            m => unattributed(&format!("the SQS `Queue` method `{m}`")),
        },
        Kind::Topic => match name {
            "publish" => call("Publish"),
            "subscribe" => call("Subscribe"),
            m => unattributed(&format!("the SNS `Topic` method `{m}`")),
        },
        Kind::V2 => match name {
            "getSignedUrl" | "getSignedUrlPromise" => match str_of(a, cx, cx.positional(0)) {
                Some(op) => (sdk_event(service, &pascal(&op), false, own), Val::Unknown),
                None => unattributed("a presigned URL whose operation cannot be told"),
            },
            "createPresignedPost" => (sdk_event(service, "PutObject", false, own), Val::Unknown),
            "upload" => call("Upload"),
            "waitFor" => match str_of(a, cx, cx.positional(0)) {
                Some(w) => call(&format!("Waiter:{w}")),
                None => call("Waiter:"),
            },
            "makeRequest" => match str_of(a, cx, cx.positional(0)) {
                Some(op) => call(&pascal(&op)),
                None => unattributed("`makeRequest` with a computed operation"),
            },
            "promise"
            | "on"
            | "config"
            | "setupRequestListeners"
            | "makeUnauthenticatedRequest"
            | "defineService"
            | "endpoint" => (Event::None, Val::Unknown),
            m => call(&pascal(m)),
        },
        Kind::V2Doc => match name {
            "createSet" | "promise" | "on" => (Event::None, Val::Unknown),
            m => match document_op(m) {
                Some(op) => {
                    let actions = transact_items(a, cx, "dynamodb", op, cx.positional(0));
                    (
                        with_actions(sdk_event("dynamodb", op, true, own), actions),
                        Val::Unknown,
                    )
                }
                None => unattributed(&format!("the DocumentClient method `{m}`")),
            },
        },
        Kind::V3 | Kind::V3Doc => match name {
            "send" => match cx.positional(0).map(|e| a.eval(cx.m, cx.f, e)) {
                Some(Val::Sdk(Sdk::Command {
                    service: cs,
                    op,
                    actions,
                })) => {
                    let svc = if kind == Kind::V3Doc {
                        "dynamodb".to_string()
                    } else {
                        cs
                    };
                    (
                        with_actions(sdk_event(&svc, &op, true, own), actions),
                        Val::Unknown,
                    )
                }
                _ => unattributed("`send` of a command that cannot be told"),
            },
            "destroy" | "middlewareStack" | "config" => (Event::None, Val::Unknown),
            m if kind == Kind::V3Doc => match document_op(m) {
                Some(op) => call(op),
                None => unattributed(&format!("the document client method `{m}`")),
            },
            m => call(&pascal(m)),
        },
        Kind::Signer => match name {
            "getAuthToken" => (
                sdk_event("rds-db", "GetAuthToken", false, own),
                Val::Unknown,
            ),
            "getDbConnectAdminAuthToken" => (
                sdk_event("dsql", "DbConnectAdmin", false, own),
                Val::Unknown,
            ),
            "getDbConnectAuthToken" => (sdk_event("dsql", "DbConnect", false, own), Val::Unknown),
            _ => (Event::None, Val::Unknown),
        },
    }
}

/// Calling an SDK value itself (rare; nothing known).
pub fn call_sdk(_a: &mut Analysis<'_>, _cx: &CallCx<'_>, _s: &Sdk) -> (Event, Val) {
    (Event::None, Val::Unknown)
}

/// A method of an HTTP client instance.
pub fn http_method(
    a: &mut Analysis<'_>,
    cx: &CallCx<'_>,
    lib: &str,
    timeout: bool,
    name: &str,
) -> (Event, Val) {
    if !HTTP_VERBS.contains(&name) && name != "urlopen" {
        return (Event::None, Val::Unknown);
    }
    let call_timeout = if cx.python {
        cx.has_keyword(&["timeout"])
    } else {
        cx.args
            .iter()
            .skip(1)
            .any(|x| object_has_key(a, cx, x.value, &["timeout", "signal"]))
    };
    (
        Event::Http {
            callee: format!("{lib}.{name}"),
            timeout: timeout || call_timeout,
            url: if lib == "urllib3" {
                cx.positional(1)
            } else {
                cx.positional(0)
            },
        },
        Val::Unknown,
    )
}

/// SSM parameter and Secrets Manager secret reads.
pub fn is_param_fetch(service: &str, op: &str) -> bool {
    (service == "ssm" && matches!(op, "GetParameter" | "GetParameters" | "GetParametersByPath"))
        || (service == "secretsmanager" && op == "GetSecretValue")
}
