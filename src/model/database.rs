//! Relational databases (`AWS::RDS::DBInstance` / `DBCluster`), RDS Proxies, and how a function
//! connects to them, as far as the template tells.

use std::collections::HashMap;

use crate::load::{NodeId, Value};
use crate::model::App;
use crate::model::function::{Function, RoleRef};
use crate::model::network::{function_vpc, refs_below, resource_of_type};
use crate::model::template::Template;

pub const DB_INSTANCE: &str = "AWS::RDS::DBInstance";
pub const DB_CLUSTER: &str = "AWS::RDS::DBCluster";
pub const DB_PROXY: &str = "AWS::RDS::DBProxy";
pub const DB_PROXY_ENDPOINT: &str = "AWS::RDS::DBProxyEndpoint";

pub fn is_database(tpl: &Template, id: &str) -> bool {
    tpl.resource(id)
        .is_some_and(|r| r.type_ == DB_INSTANCE || r.type_ == DB_CLUSTER)
}

/// How a function reaches a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// An environment variable holds the endpoint (`Fn::GetAtt DB.Endpoint.Address`, ...).
    Endpoint { variable: String, attr: String },
    /// The function reads the database's credentials secret (env variable or IAM policy).
    Secret { secret: String },
    /// The role allows `rds-db:connect` (IAM database authentication) on the database.
    IamAuth,
    /// A security group rule lets the function's security group reach the database port.
    SecurityGroup {
        function_sg: String,
        db_sg: String,
        port: u16,
    },
    /// The handler opens a database connection (a driver, and where), from handler analysis.
    Driver(String, Option<String>),
}

impl How {
    pub fn describe(&self, db: Option<&str>) -> String {
        let _ = db;
        match self {
            How::Endpoint { variable, attr } => {
                format!("its environment variable `{variable}` holds `{attr}`")
            }
            How::Secret { secret } => format!("it reads the database secret `{secret}`"),
            How::IamAuth => {
                "its role allows `rds-db:connect` to it, for IAM database authentication".into()
            }
            How::SecurityGroup {
                function_sg,
                db_sg,
                port,
            } => format!(
                "security group `{db_sg}` admits its security group `{function_sg}` on port {port}"
            ),
            How::Driver(d, at) => match at {
                Some(at) => format!("its handler opens a connection with `{d}` at {at}"),
                None => format!("its handler opens a connection with `{d}`"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbConnection {
    /// The database of this template; `None` only for handler-only facts.
    pub db: Option<String>,
    pub how: How,
}

/// Facts from the handler source that the template cannot show. The extension point for handler
/// analysis: a DB driver import/connect (`pymysql.connect`, `pg.Client`) without a template link.
#[derive(Debug, Clone, Default)]
pub struct HandlerDbFacts {
    /// The driver (module) the handler connects with.
    pub driver: Option<String>,
    /// Where (`file:line`), for the message.
    pub at: Option<String>,
}

/// Facts computed once per template for [`connections`].
#[derive(Debug, Clone, Default)]
pub struct DbIndex {
    /// (secret, database) pairs, see [`database_secrets`].
    pub secrets: Vec<(String, String)>,
    /// Databases of the template.
    pub databases: Vec<String>,
    /// Security group -> number of functions using it in `VpcConfig`.
    pub sg_users: HashMap<String, usize>,
    /// Role -> number of functions assuming it.
    pub role_users: HashMap<String, usize>,
    /// (security group, source security group) -> ingress rules (inline and
    /// `AWS::EC2::SecurityGroupIngress`) with that `SourceSecurityGroupId`.
    pub ingress: HashMap<(String, String), Vec<NodeId>>,
}

impl DbIndex {
    pub fn new(app: &App) -> Self {
        let tpl = &app.tpl;
        let mut sg_users: HashMap<String, usize> = HashMap::new();
        let mut role_users: HashMap<String, usize> = HashMap::new();
        for f in app.functions.values() {
            if let Some(v) = function_vpc(tpl, f) {
                let mut sgs = v.security_groups;
                sgs.sort();
                sgs.dedup();
                for sg in sgs {
                    *sg_users.entry(sg).or_default() += 1;
                }
            }
            if let RoleRef::Template(r) = &f.role {
                *role_users.entry(r.clone()).or_default() += 1;
            }
        }
        let mut ingress: HashMap<(String, String), Vec<NodeId>> = HashMap::new();
        let source_of = |rule: NodeId| -> Option<String> {
            let n = tpl.doc.get(rule, "SourceSecurityGroupId")?;
            resource_of_type(tpl, n, "AWS::EC2::SecurityGroup").map(str::to_string)
        };
        for r in tpl.resources.values() {
            match r.type_.as_str() {
                "AWS::EC2::SecurityGroup" => {
                    if let Some(items) = tpl
                        .prop(r, "SecurityGroupIngress")
                        .and_then(|n| tpl.doc.as_seq(n))
                    {
                        for rule in items {
                            if let Some(src) = source_of(*rule) {
                                ingress.entry((r.id.clone(), src)).or_default().push(*rule);
                            }
                        }
                    }
                }
                "AWS::EC2::SecurityGroupIngress" => {
                    if let Some(g) = tpl
                        .prop(r, "GroupId")
                        .and_then(|n| resource_of_type(tpl, n, "AWS::EC2::SecurityGroup"))
                        && let Some(p) = r.properties
                        && let Some(src) = source_of(p)
                    {
                        ingress.entry((g.to_string(), src)).or_default().push(p);
                    }
                }
                _ => {}
            }
        }
        DbIndex {
            ingress,
            secrets: database_secrets(tpl),
            databases: tpl
                .resources
                .values()
                .filter(|r| r.type_ == DB_INSTANCE || r.type_ == DB_CLUSTER)
                .map(|r| r.id.clone())
                .collect(),
            sg_users,
            role_users,
        }
    }
}

/// Secrets of this template that hold a database's credentials: (secret, database).
pub fn database_secrets(tpl: &Template) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in tpl.resources_of("AWS::SecretsManager::SecretTargetAttachment") {
        let secret = tpl
            .prop(a, "SecretId")
            .and_then(|n| resource_of_type(tpl, n, "AWS::SecretsManager::Secret"));
        let db = tpl
            .prop(a, "TargetId")
            .and_then(|n| tpl.ref_resource(n))
            .filter(|id| is_database(tpl, id));
        if let (Some(s), Some(d)) = (secret, db) {
            out.push((s.to_string(), d.to_string()));
        }
    }
    // `MasterUserPassword: '{{resolve:secretsmanager:${Secret}:SecretString:password}}'`.
    for db in tpl.resources.values() {
        if db.type_ != DB_INSTANCE && db.type_ != DB_CLUSTER {
            continue;
        }
        for key in ["MasterUsername", "MasterUserPassword"] {
            let Some(n) = tpl.prop(db, key) else { continue };
            for r in refs_below(tpl, n) {
                if tpl
                    .resource(&r.id)
                    .is_some_and(|x| x.type_ == "AWS::SecretsManager::Secret")
                {
                    out.push((r.id, db.id.clone()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Policy nodes (documents, SAM `Policies` entries) that reach a function's role.
pub fn policy_nodes(tpl: &Template, f: &Function) -> Vec<NodeId> {
    let mut out = Vec::new();
    match &f.role {
        RoleRef::SamGenerated => {
            if let Some(r) = f.resource(tpl)
                && let Some(p) = tpl.prop(r, "Policies")
            {
                out.push(p);
            }
        }
        RoleRef::Template(role) => {
            if let Some(r) = tpl.resource(role) {
                out.extend(tpl.prop(r, "Policies"));
                out.extend(tpl.prop(r, "ManagedPolicyArns"));
            }
            for p in tpl.resources.values() {
                if p.type_ != "AWS::IAM::Policy" && p.type_ != "AWS::IAM::ManagedPolicy" {
                    continue;
                }
                let attached = tpl
                    .prop(p, "Roles")
                    .is_some_and(|n| refs_below(tpl, n).iter().any(|x| &x.id == role));
                let managed = tpl
                    .resource(role)
                    .and_then(|r| tpl.prop(r, "ManagedPolicyArns"))
                    .is_some_and(|n| refs_below(tpl, n).iter().any(|x| x.id == p.id));
                if attached || managed {
                    out.extend(tpl.prop(p, "PolicyDocument"));
                }
            }
        }
        RoleRef::External(_) | RoleRef::Missing => {}
    }
    out
}

/// Environment variables of a function (Globals-aware: the function's own keys win).
pub fn environment(tpl: &Template, f: &Function) -> Vec<(String, NodeId)> {
    let doc = &tpl.doc;
    let mut out: Vec<(String, NodeId)> = Vec::new();
    for p in f.nested(tpl, &["Environment", "Variables"]) {
        let Some(m) = doc.as_map(p.node) else {
            continue;
        };
        for (k, _, v) in m.iter() {
            if !out.iter().any(|(x, _)| x == k) {
                out.push((k.to_string(), v));
            }
        }
    }
    out
}

/// The RDS Proxy (or proxy endpoint) the function's environment points at.
pub fn proxy_used(tpl: &Template, f: &Function) -> Option<String> {
    environment(tpl, f).into_iter().find_map(|(_, n)| {
        refs_below(tpl, n)
            .into_iter()
            .find(|r| {
                tpl.resource(&r.id)
                    .is_some_and(|x| x.type_ == DB_PROXY || x.type_ == DB_PROXY_ENDPOINT)
            })
            .map(|r| r.id)
    })
}

/// Databases that an RDS Proxy of this template fronts.
pub fn proxied_databases(tpl: &Template) -> Vec<String> {
    let mut out = Vec::new();
    for tg in tpl.resources_of("AWS::RDS::DBProxyTargetGroup") {
        for key in ["DBInstanceIdentifiers", "DBClusterIdentifiers"] {
            if let Some(n) = tpl.prop(tg, key) {
                out.extend(
                    refs_below(tpl, n)
                        .into_iter()
                        .filter(|r| is_database(tpl, &r.id))
                        .map(|r| r.id),
                );
            }
        }
    }
    out
}

/// Aurora Data API: the cluster has `EnableHttpEndpoint: true` and the role allows `rds-data:`
/// actions. Such a function calls an HTTPS API instead of holding connections.
pub fn uses_data_api(app: &App, f: &Function, db: &str) -> bool {
    let tpl = &app.tpl;
    let enabled = tpl
        .resource(db)
        .filter(|r| r.type_ == DB_CLUSTER)
        .and_then(|r| tpl.prop(r, "EnableHttpEndpoint"))
        .and_then(|n| tpl.boolean(n).known())
        .unwrap_or(false);
    enabled
        && app.iam.get(&f.id).is_some_and(|iam| {
            iam.statements.iter().filter(|s| s.allow).any(|s| {
                s.actions.iter().any(|a| {
                    a.value
                        .clone()
                        .known()
                        .is_some_and(|v| v.to_ascii_lowercase().starts_with("rds-data:"))
                })
            })
        })
}

/// The port a database listens on: `Port`, else the engine default.
pub fn database_port(tpl: &Template, db: &str) -> Option<u16> {
    let r = tpl.resource(db)?;
    if let Some(n) = tpl.prop(r, "Port") {
        return tpl
            .number(n)
            .known()
            .filter(|p| (1.0..=65535.0).contains(p) && p.fract() == 0.0)
            .map(|p| p as u16);
    }
    let engine = tpl.prop(r, "Engine").and_then(|n| tpl.string(n).known())?;
    let e = engine.to_ascii_lowercase();
    if e.contains("postgres") {
        Some(5432)
    } else if e.starts_with("aurora") || e == "mysql" || e == "mariadb" {
        Some(3306)
    } else if e.starts_with("oracle") {
        Some(1521)
    } else if e.starts_with("sqlserver") {
        Some(1433)
    } else if e.starts_with("db2") {
        Some(50000)
    } else {
        None
    }
}

pub fn database_security_groups(tpl: &Template, db: &str) -> Vec<String> {
    let Some(r) = tpl.resource(db) else {
        return Vec::new();
    };
    let key = if r.type_ == DB_CLUSTER {
        "VpcSecurityGroupIds"
    } else {
        "VPCSecurityGroups"
    };
    let Some(n) = tpl.prop(r, key) else {
        return Vec::new();
    };
    tpl.doc
        .as_seq(n)
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| resource_of_type(tpl, *i, "AWS::EC2::SecurityGroup"))
        .map(str::to_string)
        .collect()
}

/// Does an ingress rule (a map with `IpProtocol`, `FromPort`, `ToPort`) admit `port`?
fn rule_admits(tpl: &Template, rule: NodeId, port: u16) -> bool {
    let doc = &tpl.doc;
    let proto = doc
        .get(rule, "IpProtocol")
        .and_then(|n| doc.scalar_text(n))
        .map(|s| s.to_ascii_lowercase());
    match proto.as_deref() {
        Some("-1" | "all") => true,
        Some("tcp" | "6") => {
            let num = |k: &str| doc.get(rule, k).and_then(|n| tpl.number(n).known());
            match (num("FromPort"), num("ToPort")) {
                (Some(a), Some(b)) => {
                    let p = f64::from(port);
                    (a <= p && p <= b) || (a == -1.0 && b == -1.0)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn security_group_path(tpl: &Template, idx: &DbIndex, fn_sgs: &[String], db: &str) -> Option<How> {
    // Only security groups dedicated to this function: a group shared by several functions says
    // nothing about which of them talk to the database.
    let fn_sgs: Vec<&String> = fn_sgs
        .iter()
        .filter(|sg| idx.sg_users.get(sg.as_str()).copied().unwrap_or(0) <= 1)
        .collect();
    if fn_sgs.is_empty() {
        return None;
    }
    let port = database_port(tpl, db)?;
    let db_sgs = database_security_groups(tpl, db);
    for db_sg in &db_sgs {
        for src in &fn_sgs {
            let rules = idx
                .ingress
                .get(&(db_sg.clone(), (*src).clone()))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if rules.iter().any(|rule| rule_admits(tpl, *rule, port)) {
                return Some(How::SecurityGroup {
                    function_sg: (*src).clone(),
                    db_sg: db_sg.clone(),
                    port,
                });
            }
        }
    }
    None
}

/// Does a policy node allow `rds-db:connect` on `db` (by reference to the database)?
fn iam_auth_to(tpl: &Template, policies: &[NodeId], db: &str) -> bool {
    let doc = &tpl.doc;
    let mut stack: Vec<NodeId> = policies.to_vec();
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Map(m) => {
                if let Some(a) = m.get("Action")
                    && let Some(res) = m.get("Resource")
                    && doc.one_or_many(a).iter().any(|x| {
                        doc.as_str(*x)
                            .is_some_and(|s| s.eq_ignore_ascii_case("rds-db:connect"))
                    })
                    && refs_below(tpl, res).iter().any(|r| r.id == db)
                {
                    return true;
                }
                stack.extend(m.iter().map(|(_, _, v)| v));
            }
            Value::Seq(s) => stack.extend(s.iter().copied()),
            _ => {}
        }
    }
    false
}

/// Every way the template shows a function connecting to a relational database, plus handler
/// facts (`hints`). Ordered: endpoint, secret, IAM auth, security group, driver.
pub fn connections(
    app: &App,
    idx: &DbIndex,
    f: &Function,
    hints: &HandlerDbFacts,
) -> Vec<DbConnection> {
    let tpl = &app.tpl;
    let mut out: Vec<DbConnection> = Vec::new();
    if idx.databases.is_empty() {
        if let Some(d) = &hints.driver {
            out.push(DbConnection {
                db: None,
                how: How::Driver(d.clone(), hints.at.clone()),
            });
        }
        return out;
    }
    let env = environment(tpl, f);
    // Policies of a role shared with other functions say nothing about this one.
    let shared_role = matches!(&f.role, RoleRef::Template(r)
        if idx.role_users.get(r).copied().unwrap_or(0) > 1);
    let policies = if shared_role {
        Vec::new()
    } else {
        policy_nodes(tpl, f)
    };
    let mut push = |db: &str, how: How| {
        if !out.iter().any(|c| c.db.as_deref() == Some(db)) {
            out.push(DbConnection {
                db: Some(db.to_string()),
                how,
            });
        }
    };
    for (var, node) in &env {
        for r in refs_below(tpl, *node) {
            let Some(attr) = r.attr.as_deref() else {
                continue;
            };
            if is_database(tpl, &r.id)
                && (attr.starts_with("Endpoint") || attr.starts_with("ReadEndpoint"))
            {
                push(
                    &r.id,
                    How::Endpoint {
                        variable: var.clone(),
                        attr: format!("{}.{attr}", r.id),
                    },
                );
            }
        }
    }
    let secrets = &idx.secrets;
    let mut referenced: Vec<crate::model::network::RefTo> = Vec::new();
    for (_, n) in &env {
        referenced.extend(refs_below(tpl, *n));
    }
    for p in &policies {
        referenced.extend(refs_below(tpl, *p));
    }
    for r in &referenced {
        // `Fn::GetAtt DB.MasterUserSecret.SecretArn` (RDS-managed master password).
        if is_database(tpl, &r.id)
            && r.attr
                .as_deref()
                .is_some_and(|a| a.starts_with("MasterUserSecret"))
        {
            push(
                &r.id,
                How::Secret {
                    secret: format!("{}.MasterUserSecret", r.id),
                },
            );
        }
        for (secret, db) in secrets {
            if *secret == r.id {
                push(
                    db,
                    How::Secret {
                        secret: secret.clone(),
                    },
                );
            }
        }
    }
    let dbs = &idx.databases;
    let fn_sgs = function_vpc(tpl, f)
        .map(|v| v.security_groups)
        .unwrap_or_default();
    for db in dbs {
        if iam_auth_to(tpl, &policies, db) {
            push(db, How::IamAuth);
        }
    }
    for db in dbs {
        if fn_sgs.is_empty() {
            break;
        }
        if let Some(how) = security_group_path(tpl, idx, &fn_sgs, db) {
            push(db, how);
        }
    }
    if out.is_empty()
        && let Some(d) = &hints.driver
    {
        out.push(DbConnection {
            db: None,
            how: How::Driver(d.clone(), hints.at.clone()),
        });
    }
    out
}
