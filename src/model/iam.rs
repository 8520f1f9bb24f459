//! IAM: every policy statement and managed policy that reaches a function's execution role.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::load::NodeId;
use crate::model::function::{Function, RoleRef};
use crate::model::template::{Known, Target, Template};
use crate::source::Span;

/// A string of a policy (an action or a resource) with where it is written.
#[derive(Debug, Clone)]
pub struct Item {
    pub value: Known<String>,
    pub span: Span,
}

/// How a statement reaches the role.
#[derive(Debug, Clone, PartialEq)]
pub enum Via {
    /// `Policies` of an `AWS::IAM::Role`.
    RolePolicy,
    /// An `AWS::IAM::Policy` attached with `Roles`.
    IamPolicy,
    /// An `AWS::IAM::ManagedPolicy` of the template.
    ManagedPolicy,
    /// An inline statement in SAM `Policies`.
    SamInline,
    /// A SAM policy template (`DynamoDBCrudPolicy`, ...), expanded from the built-in table.
    SamTemplate(String),
    /// An `AWS::Serverless::Connector` (or `Connectors` attribute) written in this resource.
    Connector(String),
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub allow: bool,
    pub actions: Vec<Item>,
    /// The statement uses `NotAction` (its items are in `actions`).
    pub not_action: bool,
    pub resources: Vec<Item>,
    pub not_resource: bool,
    /// The statement (or the SAM policy template entry) to report at.
    pub span: Span,
    /// Logical id of the resource the statement is written in.
    pub written_in: String,
    pub via: Via,
    /// Property path from the resource to the statement (for fingerprints).
    pub path: Vec<String>,
}

/// A managed policy attached to the role, by name or ARN.
#[derive(Debug, Clone)]
pub struct ManagedRef {
    pub arn: Known<String>,
    pub span: Span,
    pub written_in: String,
    pub path: Vec<String>,
}

/// Everything known about a function's permissions.
#[derive(Debug, Clone, Default)]
pub struct FunctionIam {
    /// Shared by the functions of one role (see [`function_iam`]).
    pub statements: std::sync::Arc<Vec<Statement>>,
    pub managed: Vec<ManagedRef>,
    /// False when some permissions are not visible (external role, computed policy document...).
    pub complete: bool,
}

/// The permissions of every function grouped by statement list: the functions of one role share
/// theirs (one `Arc`), so a rule reads each list once however many functions use it (the
/// Serverless Framework gives every function one role). Groups in the order of their first
/// function in `iam`, functions in that order.
pub fn shared_statements(
    iam: &indexmap::IndexMap<String, FunctionIam>,
) -> Vec<(&FunctionIam, Vec<&str>)> {
    let mut groups: Vec<(&FunctionIam, Vec<&str>)> = Vec::new();
    let mut index: HashMap<*const Vec<Statement>, usize> = HashMap::new();
    for (fid, f) in iam {
        let key = std::sync::Arc::as_ptr(&f.statements);
        match index.get(&key) {
            Some(&g) => {
                if let Some((_, fids)) = groups.get_mut(g) {
                    fids.push(fid.as_str());
                }
            }
            None => {
                index.insert(key, groups.len());
                groups.push((f, vec![fid.as_str()]));
            }
        }
    }
    groups
}

/// Function ids named by findings, once each, in the order of `iam` (the order they were listed
/// in before the statements were grouped).
pub fn in_order<'a>(
    iam: &indexmap::IndexMap<String, FunctionIam>,
    fids: Vec<&'a str>,
) -> Vec<&'a str> {
    let mut keyed: Vec<(usize, &str)> = fids
        .into_iter()
        .map(|f| (iam.get_index_of(f).unwrap_or(usize::MAX), f))
        .collect();
    keyed.sort_unstable();
    keyed.dedup();
    keyed.into_iter().map(|(_, f)| f).collect()
}

/// One SAM policy template from the built-in table.
#[derive(Debug, serde::Deserialize)]
pub struct SamPolicyTemplate {
    #[serde(rename = "Parameters")]
    pub parameters: Vec<String>,
    #[serde(rename = "Statement")]
    pub statement: Vec<serde_json::Value>,
}

/// The SAM policy templates, derived from aws-sam-translator 1.115.0 (Apache-2.0; see
/// data/sam_policy_templates.LICENSE).
pub fn sam_policy_templates() -> &'static HashMap<String, SamPolicyTemplate> {
    static TABLE: OnceLock<HashMap<String, SamPolicyTemplate>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/sam_policy_templates.json"))
            .unwrap_or_default()
    })
}

fn items(tpl: &Template, node: Option<NodeId>) -> Vec<Item> {
    let Some(node) = node else { return Vec::new() };
    tpl.doc
        .one_or_many(node)
        .into_iter()
        .map(|n| Item {
            value: tpl.string(n),
            span: tpl.doc.span(n),
        })
        .collect()
}

/// Statements of a policy document node.
fn document(
    tpl: &Template,
    doc_node: NodeId,
    written_in: &str,
    via: &Via,
    path: &[String],
    out: &mut FunctionIam,
) {
    let doc = &tpl.doc;
    let Some(stmts) = doc.get(doc_node, "Statement") else {
        out.complete = false;
        return;
    };
    for (i, s) in doc.one_or_many(stmts).into_iter().enumerate() {
        if doc.as_map(s).is_none() {
            out.complete = false;
            continue;
        }
        let effect = doc.get(s, "Effect").and_then(|e| doc.as_str(e));
        let not_action = doc.get(s, "NotAction").is_some();
        let actions = items(
            tpl,
            doc.get(s, "Action").or_else(|| doc.get(s, "NotAction")),
        );
        let not_resource = doc.get(s, "NotResource").is_some();
        let resources = items(
            tpl,
            doc.get(s, "Resource").or_else(|| doc.get(s, "NotResource")),
        );
        let mut p = path.to_vec();
        p.push("Statement".into());
        p.push(i.to_string());
        std::sync::Arc::make_mut(&mut out.statements).push(Statement {
            allow: effect == Some("Allow"),
            actions,
            not_action,
            resources,
            not_resource,
            span: doc.span(s),
            written_in: written_in.to_string(),
            via: via.clone(),
            path: p,
        });
    }
}

/// Collect the permissions of a function: its role's policies and what connectors grant it.
pub fn function_iam(
    tpl: &Template,
    f: &Function,
    attached: &HashMap<String, Vec<String>>,
    connectors: &crate::model::connectors::Grants,
    by_role: &mut HashMap<String, FunctionIam>,
) -> FunctionIam {
    // A role of the template shared by many functions (the Serverless Framework's one role
    // for all) is read once: its policies grow with the functions, so reading it per function
    // is quadratic.
    let mut out = match &f.role {
        RoleRef::Template(role) => by_role
            .entry(role.clone())
            .or_insert_with(|| role_iam(tpl, f, attached))
            .clone(),
        _ => role_iam(tpl, f, attached),
    };
    if matches!(f.role, RoleRef::Template(_) | RoleRef::SamGenerated) {
        if let Some(s) = connectors.by_function.get(&f.id) {
            std::sync::Arc::make_mut(&mut out.statements).extend(s.iter().cloned());
        }
        if let RoleRef::Template(role) = &f.role
            && let Some(s) = connectors.by_role.get(role)
        {
            std::sync::Arc::make_mut(&mut out.statements).extend(s.iter().cloned());
        }
        if connectors.unknown_functions.contains(&f.id) {
            out.complete = false;
        }
    }
    out
}

/// The permissions of a function's role.
fn role_iam(tpl: &Template, f: &Function, attached: &HashMap<String, Vec<String>>) -> FunctionIam {
    let doc = &tpl.doc;
    let mut out = FunctionIam {
        complete: true,
        ..FunctionIam::default()
    };
    match &f.role {
        RoleRef::Template(role_id) => {
            let Some(role) = tpl.resource(role_id) else {
                out.complete = false;
                return out;
            };
            if let Some(pols) = tpl.prop(role, "Policies") {
                for (i, p) in doc.one_or_many(pols).into_iter().enumerate() {
                    match doc.get(p, "PolicyDocument") {
                        Some(d) => document(
                            tpl,
                            d,
                            role_id,
                            &Via::RolePolicy,
                            &["Policies".into(), i.to_string(), "PolicyDocument".into()],
                            &mut out,
                        ),
                        None => out.complete = false,
                    }
                }
            }
            if let Some(arns) = tpl.prop(role, "ManagedPolicyArns") {
                for (i, a) in doc.one_or_many(arns).into_iter().enumerate() {
                    managed_item(
                        tpl,
                        a,
                        role_id,
                        vec!["ManagedPolicyArns".into(), i.to_string()],
                        &mut out,
                    );
                }
            }
            for pid in attached.get(role_id).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(pr) = tpl.resource(pid) else {
                    continue;
                };
                let via = if pr.type_ == "AWS::IAM::ManagedPolicy" {
                    Via::ManagedPolicy
                } else {
                    Via::IamPolicy
                };
                match tpl.prop(pr, "PolicyDocument") {
                    Some(d) => document(tpl, d, pid, &via, &["PolicyDocument".into()], &mut out),
                    None => out.complete = false,
                }
            }
        }
        RoleRef::SamGenerated => {
            let Some(r) = f.resource(tpl) else { return out };
            let Some(pols) = tpl.prop(r, "Policies") else {
                return out;
            };
            for (i, p) in doc.one_or_many(pols).into_iter().enumerate() {
                let path = vec!["Policies".to_string(), i.to_string()];
                if doc.scalar_text(p).is_some() || doc.intrinsic(p).is_some() {
                    managed_item(tpl, p, &f.id, path, &mut out);
                    continue;
                }
                let Some(m) = doc.as_map(p) else {
                    out.complete = false;
                    continue;
                };
                if m.get("Statement").is_some() {
                    document(tpl, p, &f.id, &Via::SamInline, &path, &mut out);
                    continue;
                }
                for (name, key_span, _) in m.iter() {
                    let Some(t) = sam_policy_templates().get(name) else {
                        out.complete = false;
                        continue;
                    };
                    let mut p2 = path.clone();
                    p2.push(name.to_string());
                    for st in &t.statement {
                        let strs = |k: &str| -> Vec<Item> {
                            let v = st.get(k);
                            let list: Vec<&serde_json::Value> = match v {
                                Some(serde_json::Value::Array(a)) => a.iter().collect(),
                                Some(x) => vec![x],
                                None => Vec::new(),
                            };
                            list.into_iter()
                                .map(|x| Item {
                                    value: match x.as_str() {
                                        Some(s) => Known::Yes(s.to_string()),
                                        None => Known::Unknown(format!(
                                            "a resource scoped by the `{name}` parameters"
                                        )),
                                    },
                                    span: key_span,
                                })
                                .collect()
                        };
                        std::sync::Arc::make_mut(&mut out.statements).push(Statement {
                            allow: st.get("Effect").and_then(|e| e.as_str()) == Some("Allow"),
                            actions: strs("Action"),
                            not_action: false,
                            resources: strs("Resource"),
                            not_resource: false,
                            span: key_span,
                            written_in: f.id.clone(),
                            via: Via::SamTemplate(name.to_string()),
                            path: p2.clone(),
                        });
                    }
                }
            }
        }
        RoleRef::External(_) | RoleRef::Missing => out.complete = false,
    }
    out
}

fn managed_item(
    tpl: &Template,
    node: NodeId,
    written_in: &str,
    path: Vec<String>,
    out: &mut FunctionIam,
) {
    // A managed policy of this template: take its statements instead.
    if let Target::Resource { id, .. } = tpl.target(node)
        && let Some(r) = tpl.resource(&id)
        && r.type_ == "AWS::IAM::ManagedPolicy"
    {
        match tpl.prop(r, "PolicyDocument") {
            Some(d) => document(
                tpl,
                d,
                &id,
                &Via::ManagedPolicy,
                &["PolicyDocument".into()],
                out,
            ),
            None => out.complete = false,
        }
        return;
    }
    let arn = tpl.string(node);
    if matches!(arn, Known::Unknown(_)) {
        out.complete = false;
    }
    out.managed.push(ManagedRef {
        arn,
        span: tpl.doc.span(node),
        written_in: written_in.to_string(),
        path,
    });
}

/// Role logical id -> policies (`AWS::IAM::Policy` / `ManagedPolicy`) that list it in `Roles`.
pub fn attached_policies(tpl: &Template) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for r in tpl.resources.values() {
        if r.type_ != "AWS::IAM::Policy" && r.type_ != "AWS::IAM::ManagedPolicy" {
            continue;
        }
        let Some(roles) = tpl.prop(r, "Roles") else {
            continue;
        };
        for n in tpl.doc.one_or_many(roles) {
            if let Some(role) = tpl.ref_resource(n) {
                out.entry(role.to_string()).or_default().push(r.id.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{FunctionIam, Statement, in_order, shared_statements};

    #[test]
    fn functions_sharing_a_role_share_one_group_in_their_order() {
        let role: Arc<Vec<Statement>> = Arc::new(Vec::new());
        // Each function of its own role has its own list, even when it is as empty.
        let own = || FunctionIam {
            statements: Arc::new(Vec::new()),
            ..FunctionIam::default()
        };
        let shared = || FunctionIam {
            statements: Arc::clone(&role),
            ..FunctionIam::default()
        };
        let iam: indexmap::IndexMap<String, FunctionIam> = [
            ("A", shared()),
            ("B", own()),
            ("C", shared()),
            ("D", own()),
            ("E", shared()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let groups: Vec<Vec<&str>> = shared_statements(&iam)
            .into_iter()
            .map(|(_, f)| f)
            .collect();
        assert_eq!(groups, [vec!["A", "C", "E"], vec!["B"], vec!["D"]]);
        // Findings list functions once each, in the template's order, whatever the grouping.
        assert_eq!(
            in_order(&iam, vec!["E", "B", "A", "C", "B"]),
            ["A", "B", "C", "E"]
        );
    }
}
