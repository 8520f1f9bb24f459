//! VPC003 security-group-blocks-traffic.

use std::collections::{BTreeMap, HashSet};

use crate::model::database::{
    DbIndex, HandlerDbFacts, How, connections, database_port, database_security_groups,
};
use crate::model::network::{
    Blocked, ServiceUse, endpoint_serves, endpoints, function_vpc, services_used, vpc_of_subnet,
};
use crate::model::security_groups::{egress_allows, ingress_admits};
use crate::model::{App, Function, Known};
use crate::rule::{Context, Report, Rule};
use crate::rules::vpc001::{Egresses, handler_services};

pub struct SecurityGroupBlocksTraffic;

fn ticks(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "security group `A`" / "security groups `A`, `B`".
fn groups(g: &[String]) -> String {
    format!(
        "security group{} {}",
        if g.len() == 1 { "" } else { "s" },
        ticks(g)
    )
}

/// A verb agreeing with the number of groups: "admits" / "admit".
fn verb(g: &[String], v: &str) -> String {
    if g.len() == 1 {
        format!("{v}s")
    } else {
        v.to_string()
    }
}

pub fn message_egress_aws(function: &str, sgs: &[String], services: &str) -> String {
    format!(
        "the {} of function `{function}` {} no outbound TCP 443: its calls to {services} cannot leave its network interfaces and time out",
        groups(sgs),
        verb(sgs, "allow")
    )
}

pub fn message_egress_db(function: &str, sgs: &[String], db: &str, port: u16, how: &str) -> String {
    format!(
        "the {} of function `{function}` {} no outbound TCP {port}, the port of database `{db}` ({how}): its connections time out",
        groups(sgs),
        verb(sgs, "allow")
    )
}

pub fn message_ingress_db(
    db_sgs: &[String],
    db: &str,
    port: u16,
    function: &str,
    how: &str,
) -> String {
    format!(
        "the {} of database `{db}` {} nothing on TCP {port} from function `{function}` ({how}): its connections time out",
        groups(db_sgs),
        verb(db_sgs, "admit")
    )
}

pub fn message_ingress_endpoint(
    ep_sgs: &[String],
    endpoint: &str,
    function: &str,
    service: &str,
) -> String {
    format!(
        "the {} of interface endpoint `{endpoint}` {} no TCP 443 from function `{function}`: with private DNS, its `{service}` calls go to the endpoint and time out",
        groups(ep_sgs),
        verb(ep_sgs, "admit")
    )
}

fn use_text(svc: &str, u: &ServiceUse) -> String {
    match u {
        ServiceUse::Action(a) => format!("`{svc}` (its role allows `{a}`)"),
        ServiceUse::CustomResourceResponse(cr) => {
            format!("`{svc}` (the response to custom resource `{cr}`)")
        }
        ServiceUse::Handler(h) => format!("`{svc}` ({h})"),
    }
}

/// The function's security groups, when every `SecurityGroupIds` item is a group of this
/// template (the rules of the others are unknown).
fn own_groups(app: &App, f: &Function) -> Option<Vec<String>> {
    let tpl = &app.tpl;
    let vpc = function_vpc(tpl, f)?;
    let listed = f
        .nested(tpl, &["VpcConfig", "SecurityGroupIds"])
        .first()
        .and_then(|p| tpl.doc.as_seq(p.node))
        .map_or(0, <[_]>::len);
    (vpc.security_groups_listed && listed > 0 && vpc.security_groups.len() == listed)
        .then_some(vpc.security_groups)
}

impl Rule for SecurityGroupBlocksTraffic {
    fn code(&self) -> &'static str {
        "VPC003"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        if tpl.resources_of("AWS::EC2::SecurityGroup").next().is_none() {
            return;
        }
        let sgs = app.security_groups();
        let links = app.links();
        let eps = endpoints(tpl);
        let has_db = tpl.resources.values().any(|r| {
            r.type_ == crate::model::database::DB_INSTANCE
                || r.type_ == crate::model::database::DB_CLUSTER
        });
        let idx = has_db.then(|| DbIndex::new(app));
        let vpc001 = cx.enabled("VPC001");
        let mut egresses = Egresses::new(app, cx.handlers);
        let mut reported_endpoints: HashSet<(String, String)> = HashSet::new();
        let mut reported_db: HashSet<(String, String)> = HashSet::new();
        for f in app.functions.values() {
            let Some(vpc) = function_vpc(tpl, f) else {
                continue;
            };
            let Some(fn_sgs) = own_groups(app, f) else {
                continue;
            };
            let extra = handler_services(cx.handlers, f);
            let used: BTreeMap<String, ServiceUse> = services_used(app, links, f, &extra);
            // 1. Outbound HTTPS to AWS services.
            if !used.is_empty() && egress_allows(sgs, &fn_sgs, 443) == Some(false) {
                let services = used
                    .iter()
                    .map(|(s, u)| use_text(s, u))
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.emit(
                    Report::new(vpc.key_span, message_egress_aws(&f.id, &fn_sgs, &services))
                        .resource(&f.id)
                        .path(&["VpcConfig", "SecurityGroupIds"])
                        .help(format!(
                            "allow outbound TCP 443 in {} (to `0.0.0.0/0`, the AWS prefix lists, or the security group of the VPC endpoints)",
                            ticks(&fn_sgs)
                        )),
                );
            }
            // 2. Databases the function connects to.
            if let Some(idx) = &idx {
                for c in connections(app, idx, f, &HandlerDbFacts::default()) {
                    let Some(db) = c.db.as_deref() else { continue };
                    // A security group path is the proof that the traffic is admitted.
                    if matches!(c.how, How::SecurityGroup { .. }) {
                        continue;
                    }
                    let Some(port) = database_port(tpl, db) else {
                        continue;
                    };
                    let how = c.how.describe(Some(db));
                    if egress_allows(sgs, &fn_sgs, port) == Some(false) {
                        cx.emit(
                            Report::new(
                                vpc.key_span,
                                message_egress_db(&f.id, &fn_sgs, db, port, &how),
                            )
                            .resource(&f.id)
                            .path(&["VpcConfig", "SecurityGroupIds"])
                            .help(format!(
                                "allow outbound TCP {port} to the database's security group in {}",
                                ticks(&fn_sgs)
                            )),
                        );
                        continue;
                    }
                    let db_sgs = database_security_groups(tpl, db);
                    if db_sgs.is_empty() || !reported_db.insert((db.to_string(), f.id.clone())) {
                        continue;
                    }
                    if db_sgs
                        .iter()
                        .all(|g| ingress_admits(sgs, g, &fn_sgs, port) == Some(false))
                    {
                        let anchor = tpl
                            .resource(db_sgs.first().map_or("", String::as_str))
                            .map_or(vpc.key_span, |r| r.key_span);
                        cx.emit(
                            Report::new(anchor, message_ingress_db(&db_sgs, db, port, &f.id, &how))
                                .resource(db_sgs.first().map_or(db, String::as_str))
                                .path(&["SecurityGroupIngress"])
                                .help(format!(
                                    "add an ingress rule for TCP {port} with `SourceSecurityGroupId: !Ref {}` to {}",
                                    fn_sgs.first().map_or("", String::as_str),
                                    ticks(&db_sgs)
                                )),
                        );
                    }
                }
            }
            // 3. Interface endpoints of the services it uses.
            if used.is_empty() {
                continue;
            }
            let vpc001_says: Vec<String> = if vpc001 {
                egresses
                    .of(f)
                    .map(|n| {
                        n.blocked
                            .into_iter()
                            .filter(|(_, b)| matches!(b, Blocked::SecurityGroups(_)))
                            .map(|(id, _)| id)
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let fn_vpc = vpc
                .subnets
                .iter()
                .flatten()
                .find_map(|s| s.subnet.as_deref().and_then(|id| vpc_of_subnet(tpl, id)));
            for e in &eps {
                if e.gateway || e.private_dns != Known::Yes(true) {
                    continue;
                }
                if let (Some(a), Some(b)) = (e.vpc.as_deref(), fn_vpc.as_deref())
                    && a != b
                {
                    continue;
                }
                let Some(svc) = e.service.as_deref() else {
                    continue;
                };
                let Some(used_svc) = used.keys().find(|u| endpoint_serves(svc, u)) else {
                    continue;
                };
                let Known::Yes(ep_sgs) = &e.security_groups else {
                    continue;
                };
                if ep_sgs.is_empty()
                    || vpc001_says.contains(&e.id)
                    || !ep_sgs
                        .iter()
                        .all(|g| ingress_admits(sgs, g, &fn_sgs, 443) == Some(false))
                    || !reported_endpoints.insert((e.id.clone(), f.id.clone()))
                {
                    continue;
                }
                let anchor = tpl.resource(&e.id).map_or(vpc.key_span, |r| r.key_span);
                cx.emit(
                    Report::new(anchor, message_ingress_endpoint(ep_sgs, &e.id, &f.id, used_svc))
                        .resource(&e.id)
                        .path(&["SecurityGroupIds"])
                        .help(format!(
                            "admit TCP 443 from {} in {} (a rule with `SourceSecurityGroupId`, or the VPC's CIDR range)",
                            ticks(&fn_sgs),
                            ticks(ep_sgs)
                        )),
                );
            }
        }
    }
}
