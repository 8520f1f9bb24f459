//! Security groups of the template: ingress and egress rules written on the group
//! (`SecurityGroupIngress` / `SecurityGroupEgress`) and as separate `AWS::EC2::SecurityGroupIngress`
//! / `SecurityGroupEgress` resources, with the default allow-all egress rule EC2 adds when a group
//! declares no egress of its own. Peers are CIDR ranges, prefix lists or other groups. Whatever the
//! template cannot decide (a computed rule list, a rule whose group is conditional) makes the
//! group's rules `Unknown`, and the rules built on them stay silent.

use std::collections::HashMap;

use crate::load::NodeId;
use crate::model::network::resource_of_type;
use crate::model::template::{Known, Template};
use crate::source::Span;

pub const SECURITY_GROUP: &str = "AWS::EC2::SecurityGroup";

/// The other side of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// A literal CIDR range (IPv4 or IPv6).
    Cidr(String),
    /// A managed prefix list (AWS service ranges, or the customer's).
    PrefixList,
    /// A security group of this template.
    Group(String),
    /// A group, CIDR or prefix list the template does not show (a parameter, an `sg-` id...).
    Unknown,
}

/// One rule.
#[derive(Debug, Clone)]
pub struct SgRule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, ... lower case; `None` when computed.
    pub protocol: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub peer: Peer,
    /// The rule (or the resource declaring it), to report at.
    pub span: Span,
    /// Resource that declares it.
    pub declared_in: String,
    /// The implicit allow-all egress rule of a group without `SecurityGroupEgress`.
    pub default: bool,
}

impl SgRule {
    /// Does the rule let TCP traffic on `port` through? `None`: cannot tell.
    pub fn admits_tcp(&self, port: u16) -> Option<bool> {
        match self.protocol.as_deref() {
            Some("-1" | "all") => Some(true),
            Some("tcp" | "6") => {
                let (a, b) = (self.from?, self.to?);
                let p = i64::from(port);
                Some((a <= p && p <= b) || (a == -1 && b == -1))
            }
            Some(_) => Some(false),
            None => None,
        }
    }
}

/// One `AWS::EC2::SecurityGroup`.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub key_span: Span,
    pub ingress: Known<Vec<SgRule>>,
    pub egress: Known<Vec<SgRule>>,
}

/// Every security group of the template, by logical id.
#[derive(Debug, Clone, Default)]
pub struct SecurityGroups {
    pub groups: HashMap<String, Group>,
}

impl SecurityGroups {
    pub fn get(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }
}

fn rule(tpl: &Template, node: NodeId, declared_in: &str, egress: bool, span: Span) -> SgRule {
    let doc = &tpl.doc;
    let protocol = doc
        .get(node, "IpProtocol")
        .and_then(|n| tpl.string(n).known())
        .map(|s| s.to_ascii_lowercase());
    let num = |k: &str| -> Option<i64> {
        let n = doc.get(node, k)?;
        tpl.number(n).known().map(|v| v as i64)
    };
    let (from, to) = match protocol.as_deref() {
        // All traffic: ports do not apply.
        Some("-1" | "all") => (Some(-1), Some(-1)),
        _ => (num("FromPort"), num("ToPort")),
    };
    let (cidr_keys, group_key, list_key) = if egress {
        (
            ["CidrIp", "CidrIpv6"],
            "DestinationSecurityGroupId",
            "DestinationPrefixListId",
        )
    } else {
        (
            ["CidrIp", "CidrIpv6"],
            "SourceSecurityGroupId",
            "SourcePrefixListId",
        )
    };
    let mut peer = Peer::Unknown;
    for k in cidr_keys {
        if let Some(n) = doc.get(node, k) {
            peer = match tpl.string(n) {
                Known::Yes(c) => Peer::Cidr(c),
                Known::Unknown(_) => Peer::Unknown,
            };
        }
    }
    if doc.get(node, list_key).is_some() {
        peer = Peer::PrefixList;
    }
    if let Some(n) = doc.get(node, group_key).or_else(|| {
        (!egress)
            .then(|| doc.get(node, "SourceSecurityGroupName"))
            .flatten()
    }) {
        peer = match resource_of_type(tpl, n, SECURITY_GROUP) {
            Some(g) => Peer::Group(g.to_string()),
            None => Peer::Unknown,
        };
    }
    SgRule {
        protocol,
        from,
        to,
        peer,
        span,
        declared_in: declared_in.to_string(),
        default: false,
    }
}

/// Collect the security groups of a template.
pub fn collect(tpl: &Template) -> SecurityGroups {
    let doc = &tpl.doc;
    let mut groups: HashMap<String, Group> = HashMap::new();
    // Rules of separate resources whose group is not decidable: every group may have them.
    let mut stray_ingress = false;
    let mut stray_egress = false;
    for r in tpl.resources_of(SECURITY_GROUP) {
        let inline = |key: &str, egress: bool| -> Option<Known<Vec<SgRule>>> {
            let n = tpl.prop(r, key)?;
            let Some(items) = doc.as_seq(n).filter(|_| doc.intrinsic(n).is_none()) else {
                return Some(Known::Unknown(format!("`{key}` of `{}` is computed", r.id)));
            };
            let mut v = Vec::new();
            for it in items {
                if doc.as_map(*it).is_none() || doc.intrinsic(*it).is_some() {
                    return Some(Known::Unknown(format!("a rule of `{}` is computed", r.id)));
                }
                v.push(rule(tpl, *it, &r.id, egress, doc.span(*it)));
            }
            Some(Known::Yes(v))
        };
        let ingress = inline("SecurityGroupIngress", false).unwrap_or(Known::Yes(Vec::new()));
        let egress = inline("SecurityGroupEgress", true).unwrap_or_else(|| {
            Known::Yes(vec![SgRule {
                protocol: Some("-1".into()),
                from: Some(-1),
                to: Some(-1),
                peer: Peer::Cidr("0.0.0.0/0".into()),
                span: r.key_span,
                declared_in: r.id.clone(),
                default: true,
            }])
        });
        groups.insert(
            r.id.clone(),
            Group {
                id: r.id.clone(),
                key_span: r.key_span,
                ingress,
                egress,
            },
        );
    }
    if groups.is_empty() {
        return SecurityGroups { groups };
    }
    for r in tpl.resources.values() {
        let egress = match r.type_.as_str() {
            "AWS::EC2::SecurityGroupIngress" => false,
            "AWS::EC2::SecurityGroupEgress" => true,
            _ => continue,
        };
        let Some(props) = r.properties else { continue };
        let group = doc
            .get(props, "GroupId")
            .or_else(|| doc.get(props, "GroupName"))
            .and_then(|n| resource_of_type(tpl, n, SECURITY_GROUP));
        let conditional = r.condition.is_some()
            || doc
                .get(props, "GroupId")
                .is_some_and(|n| matches!(doc.intrinsic(n), Some(("Fn::If", _))));
        match group {
            Some(g) if !conditional => {
                let rl = rule(tpl, props, &r.id, egress, r.key_span);
                if let Some(grp) = groups.get_mut(g) {
                    let list = if egress {
                        &mut grp.egress
                    } else {
                        &mut grp.ingress
                    };
                    if let Known::Yes(v) = list {
                        v.push(rl);
                    }
                }
            }
            // A conditional rule: it may or may not exist.
            Some(g) => {
                if let Some(grp) = groups.get_mut(g) {
                    let why = Known::Unknown(format!("rule `{}` is conditional", r.id));
                    if egress {
                        grp.egress = why;
                    } else {
                        grp.ingress = why;
                    }
                }
            }
            None => {
                // A group outside the template (a parameter, an `sg-` id): not ours, unless the
                // id is computed from one of ours (`Fn::If`).
                let computed = doc
                    .get(props, "GroupId")
                    .is_some_and(|n| doc.intrinsic(n).is_some() && tpl.ref_resource(n).is_none());
                if computed && conditional {
                    if egress {
                        stray_egress = true;
                    } else {
                        stray_ingress = true;
                    }
                }
            }
        }
    }
    if stray_ingress || stray_egress {
        for g in groups.values_mut() {
            if stray_ingress {
                g.ingress = Known::Unknown("a conditional ingress rule may belong to it".into());
            }
            if stray_egress {
                g.egress = Known::Unknown("a conditional egress rule may belong to it".into());
            }
        }
    }
    SecurityGroups { groups }
}

/// Does a set of groups (all of this template) let the function's traffic out to `port`
/// anywhere? `Some(false)` only when every rule is known and none admits it.
pub fn egress_allows(sgs: &SecurityGroups, groups: &[String], port: u16) -> Option<bool> {
    let mut unknown = false;
    for g in groups {
        let grp = sgs.get(g)?;
        let Known::Yes(rules) = &grp.egress else {
            unknown = true;
            continue;
        };
        for r in rules {
            match r.admits_tcp(port) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
    }
    if unknown { None } else { Some(false) }
}

/// Does group `target` admit TCP `port` from a function with security groups `from`?
/// `Some(false)` only when every ingress rule is known and each one either does not cover the
/// port or names another group of the template.
pub fn ingress_admits(
    sgs: &SecurityGroups,
    target: &str,
    from: &[String],
    port: u16,
) -> Option<bool> {
    let grp = sgs.get(target)?;
    let Known::Yes(rules) = &grp.ingress else {
        return None;
    };
    let mut unknown = false;
    for r in rules {
        match r.admits_tcp(port) {
            Some(true) => match &r.peer {
                Peer::Group(g) if !from.contains(g) => {}
                // A CIDR range or prefix list may well contain the function's addresses.
                _ => return Some(true),
            },
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}
