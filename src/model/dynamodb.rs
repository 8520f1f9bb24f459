//! DynamoDB tables: billing mode, auto scaling, and the functions that read or write them.

use std::collections::{HashMap, HashSet};

use crate::load::NodeId;
use crate::model::App;
use crate::model::database::environment;
use crate::model::function::{Function, RoleRef};
use crate::model::iam::attached_policies;
use crate::model::network::refs_below;
use crate::model::template::Known;
use crate::source::Span;

/// A table with provisioned capacity.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    pub key_span: Span,
    /// `AWS::Serverless::SimpleTable`.
    pub sam: bool,
    /// Provisioned capacity (`Yes(true)`), on demand (`Yes(false)`), or a computed billing mode.
    pub provisioned: Known<bool>,
    /// An `AWS::ApplicationAutoScaling::ScalableTarget` scales its capacity.
    pub autoscaled: bool,
    /// Functions that call it (policies, environment, connectors), in template order.
    pub callers: Vec<String>,
}

/// Tables of the template with what decides their capacity, and their callers.
pub fn tables(app: &App) -> Vec<Table> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let mut out: Vec<Table> = Vec::new();
    for r in tpl.resources.values() {
        let (sam, provisioned) = match r.type_.as_str() {
            "AWS::DynamoDB::Table" => {
                let p = match tpl.prop(r, "BillingMode") {
                    None => Known::Yes(true),
                    Some(n) => match tpl.string(n) {
                        Known::Yes(m) => Known::Yes(m != "PAY_PER_REQUEST"),
                        Known::Unknown(w) => Known::Unknown(w),
                    },
                };
                (false, p)
            }
            "AWS::Serverless::SimpleTable" => (
                true,
                Known::Yes(tpl.prop(r, "ProvisionedThroughput").is_some()),
            ),
            _ => continue,
        };
        out.push(Table {
            id: r.id.clone(),
            key_span: r.key_span,
            sam,
            provisioned,
            autoscaled: false,
            callers: Vec::new(),
        });
    }
    if out.is_empty() {
        return out;
    }
    let ids: HashSet<String> = out.iter().map(|t| t.id.clone()).collect();
    let mut scaled: HashSet<String> = HashSet::new();
    let mut connectors: HashMap<String, Vec<String>> = HashMap::new();
    for r in tpl.resources.values() {
        match r.type_.as_str() {
            "AWS::ApplicationAutoScaling::ScalableTarget" => {
                if let Some(n) = tpl.prop(r, "ResourceId") {
                    scaled.extend(refs_below(tpl, n).into_iter().map(|x| x.id));
                    // `table/MyTable` written out.
                    if let Some(s) = tpl.string(n).known()
                        && let Some(name) = s.strip_prefix("table/")
                    {
                        scaled.insert(name.split('/').next().unwrap_or("").to_string());
                    }
                }
            }
            "AWS::Serverless::Connector" => {
                let id_of = |k: &str| {
                    tpl.prop(r, k)
                        .and_then(|n| doc.get(n, "Id"))
                        .and_then(|n| doc.as_str(n))
                        .map(str::to_string)
                };
                if let (Some(src), Some(dst)) = (id_of("Source"), id_of("Destination")) {
                    connectors.entry(dst).or_default().push(src);
                }
            }
            _ => {}
        }
    }
    // Embedded connectors (`Connectors` resource attribute of a function).
    for f in app.functions.values() {
        let Some(r) = f.resource(tpl) else { continue };
        let Some(c) = doc.get(r.node, "Connectors").and_then(|n| doc.as_map(n)) else {
            continue;
        };
        for (_, _, conn) in c.iter() {
            if let Some(dst) = doc
                .get_path(conn, &["Properties", "Destination", "Id"])
                .and_then(|n| doc.as_str(n))
            {
                connectors
                    .entry(dst.to_string())
                    .or_default()
                    .push(f.id.clone());
            }
        }
    }
    let mut callers: HashMap<String, Vec<String>> = HashMap::new();
    let attached = attached_policies(tpl);
    for f in app.functions.values() {
        let mut seen: HashSet<String> = HashSet::new();
        let mut nodes = policies(app, f, &attached);
        nodes.extend(environment(tpl, f).into_iter().map(|(_, n)| n));
        for n in nodes {
            for x in refs_below(tpl, n) {
                if ids.contains(&x.id) && seen.insert(x.id.clone()) {
                    callers.entry(x.id).or_default().push(f.id.clone());
                }
            }
        }
    }
    for t in &mut out {
        t.autoscaled = scaled.contains(&t.id);
        let mut c = callers.remove(&t.id).unwrap_or_default();
        for src in connectors.get(&t.id).map(Vec::as_slice).unwrap_or(&[]) {
            if app.functions.contains_key(src) && !c.contains(src) {
                c.push(src.clone());
            }
        }
        t.callers = c;
    }
    out
}

/// Policy nodes that reach a function's role (SAM `Policies`; a template role's `Policies` and
/// the `AWS::IAM::Policy` / `ManagedPolicy` documents attached to it), from an index built once.
fn policies(app: &App, f: &Function, attached: &HashMap<String, Vec<String>>) -> Vec<NodeId> {
    let tpl = &app.tpl;
    let mut out = Vec::new();
    match &f.role {
        RoleRef::SamGenerated => {
            if let Some(r) = f.resource(tpl) {
                out.extend(tpl.prop(r, "Policies"));
            }
        }
        RoleRef::Template(role) => {
            if let Some(r) = tpl.resource(role) {
                out.extend(tpl.prop(r, "Policies"));
            }
            for p in attached.get(role).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(pr) = tpl.resource(p) {
                    out.extend(tpl.prop(pr, "PolicyDocument"));
                }
            }
        }
        RoleRef::External(_) | RoleRef::Missing => {}
    }
    out
}
