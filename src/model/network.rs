//! VPC networking of functions: subnets, their route tables, where `0.0.0.0/0` goes, and the VPC
//! endpoints that give a private path to AWS services. Everything that cannot be decided from the
//! template alone is `Unknown`, and the rules built on it stay silent.

use std::collections::{BTreeMap, HashMap};

use crate::load::{NodeId, Value};
use crate::model::function::Function;
use crate::model::template::{Known, Target, Template, sub_variables};
use crate::source::Span;

/// A resource referenced below a node, with the attribute for `Fn::GetAtt` / `${X.Attr}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTo {
    pub id: String,
    pub attr: Option<String>,
}

/// Every template resource referenced below a node (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables),
/// with attributes. Iterative: no recursion on deep input.
pub fn refs_below(tpl: &Template, root: NodeId) -> Vec<RefTo> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Map(m) => {
                if let Some((k, v)) = doc.intrinsic(n) {
                    match k {
                        "Ref" => {
                            if let Some(s) = doc.as_str(v)
                                && tpl.resources.contains_key(s)
                            {
                                out.push(RefTo {
                                    id: s.to_string(),
                                    attr: None,
                                });
                            }
                            continue;
                        }
                        "Fn::GetAtt" => {
                            let (id, attr) = getatt_parts(tpl, v);
                            if let Some(id) = id.filter(|i| tpl.resources.contains_key(i.as_str()))
                            {
                                out.push(RefTo { id, attr });
                            }
                            continue;
                        }
                        "Fn::Sub" => {
                            let text = doc.as_str(v).or_else(|| {
                                doc.as_seq(v)
                                    .and_then(|s| s.first())
                                    .and_then(|x| doc.as_str(*x))
                            });
                            for var in text.map(sub_variables).unwrap_or_default() {
                                let (id, attr) = match var.split_once('.') {
                                    Some((a, b)) => (a.to_string(), Some(b.to_string())),
                                    None => (var.clone(), None),
                                };
                                if tpl.resources.contains_key(id.as_str()) {
                                    out.push(RefTo { id, attr });
                                }
                            }
                        }
                        _ => {}
                    }
                }
                stack.extend(m.iter().map(|(_, _, v)| v));
            }
            Value::Seq(s) => stack.extend(s.iter().copied()),
            _ => {}
        }
    }
    out
}

/// `Fn::GetAtt` argument: `[Id, Attr]` or the short string `Id.Attr.Sub`.
fn getatt_parts(tpl: &Template, arg: NodeId) -> (Option<String>, Option<String>) {
    let doc = &tpl.doc;
    if let Some(s) = doc.as_str(arg) {
        return match s.split_once('.') {
            Some((a, b)) => (Some(a.to_string()), Some(b.to_string())),
            None => (Some(s.to_string()), None),
        };
    }
    let parts = doc.as_seq(arg).unwrap_or(&[]);
    let id = parts
        .first()
        .and_then(|n| doc.as_str(*n))
        .map(str::to_string);
    let attr = parts
        .get(1)
        .and_then(|n| doc.as_str(*n))
        .map(str::to_string);
    (id, attr)
}

/// The template resource of a given type a single value points at (`Ref` or `Fn::GetAtt`).
pub fn resource_of_type<'t>(tpl: &'t Template, node: NodeId, type_: &str) -> Option<&'t str> {
    match tpl.target(node) {
        Target::Resource { id, .. } => tpl
            .resources
            .get_key_value(&id)
            .filter(|(_, r)| r.type_ == type_)
            .map(|(k, _)| k.as_str()),
        _ => None,
    }
}

/// One entry of a function's `VpcConfig.SubnetIds`.
#[derive(Debug, Clone)]
pub struct SubnetUse {
    /// The `AWS::EC2::Subnet` of this template, when the entry is a plain reference to one.
    pub subnet: Option<String>,
    /// Span of the list item.
    pub span: Span,
}

/// The VPC placement of a function.
#[derive(Debug, Clone)]
pub struct FunctionVpc {
    /// Span of the `VpcConfig` key (in the function or in `Globals.Function`).
    pub key_span: Span,
    pub from_globals: bool,
    /// `SubnetIds` items; `None` when the list itself is computed (a parameter, `Fn::If`, ...).
    pub subnets: Option<Vec<SubnetUse>>,
    /// Security groups of this template (`SecurityGroupIds` items that point at one).
    pub security_groups: Vec<String>,
    /// `SecurityGroupIds` is a literal list (its other items are groups outside the template).
    pub security_groups_listed: bool,
}

/// `VpcConfig` of a function, Globals-aware (function keys win, `Globals` keys still count).
pub fn function_vpc(tpl: &Template, f: &Function) -> Option<FunctionVpc> {
    let doc = &tpl.doc;
    let prop = f.prop(tpl, "VpcConfig")?;
    // `VpcConfig: !If [...]`, `!Ref AWS::NoValue`...: not decidable.
    doc.as_map(prop.node)?;
    let subnets = f
        .nested(tpl, &["VpcConfig", "SubnetIds"])
        .first()
        .and_then(|p| {
            let items = doc.as_seq(p.node)?;
            Some(
                items
                    .iter()
                    .map(|n| SubnetUse {
                        subnet: resource_of_type(tpl, *n, "AWS::EC2::Subnet").map(str::to_string),
                        span: doc.span(*n),
                    })
                    .collect(),
            )
        });
    let sg_list = f
        .nested(tpl, &["VpcConfig", "SecurityGroupIds"])
        .first()
        .and_then(|p| {
            doc.as_seq(p.node)
                .filter(|_| doc.intrinsic(p.node).is_none())
        });
    let security_groups = sg_list
        .map(|items| {
            items
                .iter()
                .filter_map(|n| resource_of_type(tpl, *n, "AWS::EC2::SecurityGroup"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let security_groups_listed = sg_list.is_some_and(|items| {
        items.iter().all(|n| {
            doc.intrinsic(*n)
                .is_none_or(|(k, _)| k == "Ref" || k == "Fn::GetAtt")
        })
    });
    Some(FunctionVpc {
        key_span: prop.key_span,
        from_globals: prop.from_globals,
        subnets,
        security_groups,
        security_groups_listed,
    })
}

/// Where a route table sends traffic for the internet and public AWS endpoints.
#[derive(Debug, Clone, PartialEq)]
pub enum Egress {
    /// A `0.0.0.0/0` route to a NAT gateway or another device that can reach the internet
    /// (transit gateway, NAT instance, peering, VPN gateway...): the description names it.
    Yes(String),
    /// `0.0.0.0/0` goes to this internet gateway only: useless for Lambda (no public IP).
    InternetGatewayOnly(String),
    /// No default route at all (only `local` and private destinations).
    No,
    /// A route whose destination, target or existence is not decidable.
    Unknown(String),
}

/// The route table a subnet uses, when an `AWS::EC2::SubnetRouteTableAssociation` of this
/// template decides it. Subnets without an association use the VPC main route table, which a
/// template cannot describe: `None`.
pub fn route_table_of(tpl: &Template, subnet: &str) -> Option<String> {
    let doc = &tpl.doc;
    let mut found: Option<String> = None;
    for a in tpl.resources_of("AWS::EC2::SubnetRouteTableAssociation") {
        let Some(s) = tpl.prop(a, "SubnetId") else {
            continue;
        };
        let refs = refs_below(tpl, s);
        if !refs.iter().any(|r| r.id == subnet) {
            continue;
        }
        // Conditional association or a computed route table: undecidable.
        if a.condition.is_some() || doc.intrinsic(s).is_some_and(|(k, _)| k == "Fn::If") {
            return None;
        }
        let rt = tpl
            .prop(a, "RouteTableId")
            .and_then(|n| resource_of_type(tpl, n, "AWS::EC2::RouteTable"))?;
        if found.as_deref().is_some_and(|f| f != rt) {
            return None;
        }
        found = Some(rt.to_string());
    }
    found
}

/// Is a literal CIDR a private (RFC 1918 / shared / link-local) IPv4 range or an IPv6 ULA?
fn is_private_cidr(cidr: &str) -> bool {
    let ip = cidr.split('/').next().unwrap_or("");
    let octets: Vec<u8> = ip.split('.').filter_map(|o| o.parse().ok()).collect();
    if let [a, b, ..] = octets.as_slice() {
        return *a == 10
            || (*a == 172 && (16..=31).contains(b))
            || (*a == 192 && *b == 168)
            || (*a == 100 && (64..=127).contains(b))
            || (*a == 169 && *b == 254);
    }
    let lower = ip.to_ascii_lowercase();
    lower.starts_with("fd") || lower.starts_with("fc") || lower.starts_with("fe80")
}

/// What a route target is.
enum Hop {
    InternetGateway(String),
    Device(String),
    Unknown,
}

fn route_hop(tpl: &Template, route: &crate::model::template::Resource) -> Hop {
    let egress_keys = [
        ("NatGatewayId", "NAT gateway"),
        ("TransitGatewayId", "transit gateway"),
        ("NetworkInterfaceId", "network interface (NAT instance)"),
        ("InstanceId", "instance (NAT instance)"),
        ("VpcPeeringConnectionId", "VPC peering connection"),
        ("VpcEndpointId", "Gateway Load Balancer endpoint"),
        ("CarrierGatewayId", "carrier gateway"),
        ("LocalGatewayId", "local gateway"),
        ("CoreNetworkArn", "core network"),
        (
            "EgressOnlyInternetGatewayId",
            "egress-only internet gateway",
        ),
    ];
    for (key, what) in egress_keys {
        if let Some(n) = tpl.prop(route, key) {
            let name = match tpl.ref_resource(n) {
                Some(id) => format!("{what} `{id}`"),
                None => what.to_string(),
            };
            return Hop::Device(name);
        }
    }
    let Some(g) = tpl.prop(route, "GatewayId") else {
        return Hop::Unknown;
    };
    match tpl.target(g) {
        Target::Resource { id, .. } => match tpl.resource(&id).map(|r| r.type_.as_str()) {
            Some("AWS::EC2::InternetGateway") => Hop::InternetGateway(id),
            Some("AWS::EC2::VPNGateway") => Hop::Device(format!("VPN gateway `{id}`")),
            _ => Hop::Unknown,
        },
        Target::Literal(s) if s.starts_with("igw-") => Hop::InternetGateway(s),
        Target::Literal(s) if s.starts_with("vgw-") => Hop::Device(format!("VPN gateway `{s}`")),
        _ => Hop::Unknown,
    }
}

/// Where a route table of this template sends traffic bound for the internet.
pub fn egress_of(tpl: &Template, rt: &str) -> Egress {
    let mut igw: Option<String> = None;
    let mut unknown: Option<String> = None;
    for route in tpl.resources_of("AWS::EC2::Route") {
        let Some(rt_node) = tpl.prop(route, "RouteTableId") else {
            continue;
        };
        let mine = refs_below(tpl, rt_node).iter().any(|r| r.id == rt);
        if !mine {
            continue;
        }
        let direct = tpl.ref_resource(rt_node) == Some(rt);
        let certain = direct && route.condition.is_none();
        // Destination.
        let v4 = tpl.prop(route, "DestinationCidrBlock");
        let v6 = tpl.prop(route, "DestinationIpv6CidrBlock");
        let dest = v4.or(v6).map(|n| tpl.string(n).known()).unwrap_or(None);
        enum Dest {
            DefaultV4,
            DefaultV6,
            Private,
            Other,
        }
        let dest = match dest.as_deref() {
            Some("0.0.0.0/0") => Dest::DefaultV4,
            Some("::/0") => Dest::DefaultV6,
            Some(c) if is_private_cidr(c) => Dest::Private,
            _ => Dest::Other,
        };
        let hop = route_hop(tpl, route);
        match (dest, hop) {
            (Dest::Private, _) => {}
            (Dest::DefaultV4, Hop::Device(what)) if certain => return Egress::Yes(what),
            (Dest::DefaultV4, Hop::InternetGateway(id)) if certain => igw = Some(id),
            (Dest::DefaultV4 | Dest::Other, Hop::InternetGateway(_)) => {}
            (Dest::DefaultV6, _) => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "route `{}` sends `::/0` out (IPv6 egress for dual-stack functions)",
                        route.id
                    )
                });
            }
            (_, _) => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "route `{}` of `{rt}` may send traffic out ({})",
                        route.id,
                        if certain {
                            "destination or target not decidable"
                        } else {
                            "conditional"
                        }
                    )
                });
            }
        }
    }
    if let Some(u) = unknown {
        return Egress::Unknown(u);
    }
    match igw {
        Some(id) => Egress::InternetGatewayOnly(id),
        None => Egress::No,
    }
}

/// Memo of subnet -> (route table, egress) for one template.
#[derive(Debug, Default)]
pub struct RouteTables {
    subnets: HashMap<String, Option<String>>,
    egress: HashMap<String, Egress>,
    /// Route table -> a resource that may add routes to it outside `AWS::EC2::Route`
    /// (a custom resource, a VPN route propagation...), computed on first use.
    others: Option<HashMap<String, String>>,
}

/// Resources that reference a route table without adding a default route to it.
const ROUTE_TABLE_REFERRERS: &[&str] = &[
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::GatewayRouteTableAssociation",
];

fn other_route_writers(tpl: &Template) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for r in tpl.resources.values() {
        if ROUTE_TABLE_REFERRERS.contains(&r.type_.as_str()) {
            continue;
        }
        let Some(p) = r.properties else { continue };
        for x in refs_below(tpl, p) {
            if tpl
                .resource(&x.id)
                .is_some_and(|t| t.type_ == "AWS::EC2::RouteTable")
            {
                out.entry(x.id).or_insert_with(|| r.id.clone());
            }
        }
    }
    out
}

impl RouteTables {
    /// The route table of a subnet and where it sends internet traffic, when decidable.
    pub fn of(&mut self, tpl: &Template, subnet: &str) -> Option<(String, Egress)> {
        let rt = self
            .subnets
            .entry(subnet.to_string())
            .or_insert_with(|| route_table_of(tpl, subnet))
            .clone()?;
        let others = self.others.get_or_insert_with(|| other_route_writers(tpl));
        let writer = others.get(&rt).cloned();
        let e = self
            .egress
            .entry(rt.clone())
            .or_insert_with(|| match writer {
                Some(w) => Egress::Unknown(format!("`{w}` may add routes to `{rt}`")),
                None => egress_of(tpl, &rt),
            })
            .clone();
        Some((rt, e))
    }
}

/// The VPC of a subnet of this template.
pub fn vpc_of_subnet(tpl: &Template, subnet: &str) -> Option<String> {
    let r = tpl.resource(subnet)?;
    let n = tpl.prop(r, "VpcId")?;
    resource_of_type(tpl, n, "AWS::EC2::VPC").map(str::to_string)
}

/// The Availability Zone of a subnet, as far as the template fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Az {
    /// `!Select [n, !GetAZs '']`: the n-th zone of the stack's region.
    Index(i64),
    /// A literal zone name (`eu-west-1a`), or `${AWS::Region}a` (written `REGIONa`).
    Name(String),
    /// A literal zone id (`euw1-az1`).
    Id(String),
}

/// The Availability Zone of a subnet of this template (`AvailabilityZone` or
/// `AvailabilityZoneId`); `None` when not decidable (a parameter, a list from a parameter...).
pub fn subnet_az(tpl: &Template, subnet: &str) -> Option<Az> {
    let doc = &tpl.doc;
    let r = tpl.resource(subnet)?;
    if let Some(n) = tpl.prop(r, "AvailabilityZoneId") {
        return tpl.string(n).known().map(Az::Id);
    }
    let n = tpl.prop(r, "AvailabilityZone")?;
    if let Some(s) = doc.as_str(n) {
        return Some(Az::Name(s.to_string()));
    }
    match doc.intrinsic(n)? {
        ("Fn::Select", arg) => {
            let items = doc.as_seq(arg)?;
            let index = tpl.number(*items.first()?).known()?;
            let list = *items.get(1)?;
            // `!GetAZs ''` or `!GetAZs !Ref AWS::Region`: the stack's own region.
            let (f, region) = doc.intrinsic(list)?;
            if f != "Fn::GetAZs" {
                return None;
            }
            let own_region = doc.as_str(region).is_some_and(str::is_empty)
                || matches!(doc.intrinsic(region), Some(("Ref", x)) if doc.as_str(x) == Some("AWS::Region"));
            (own_region && index >= 0.0 && index.fract() == 0.0).then_some(Az::Index(index as i64))
        }
        ("Fn::Sub", arg) => {
            let s = doc.as_str(arg)?;
            let vars = sub_variables(s);
            vars.iter()
                .all(|v| v == "AWS::Region")
                .then(|| Az::Name(s.replace("${AWS::Region}", "REGION")))
        }
        _ => None,
    }
}

/// The service part of a VPC endpoint service name: `com.amazonaws.${AWS::Region}.dynamodb` ->
/// `dynamodb`, `com.amazonaws.us-east-1.ecr.dkr` -> `ecr.dkr`. `None` when not decidable.
pub fn endpoint_service(tpl: &Template, node: NodeId) -> Option<String> {
    let doc = &tpl.doc;
    let text: String = if let Some(s) = doc.as_str(node) {
        s.to_string()
    } else {
        match doc.intrinsic(node)? {
            ("Fn::Sub", arg) => {
                let s = doc.as_str(arg).or_else(|| {
                    doc.as_seq(arg)
                        .and_then(|s| s.first())
                        .and_then(|x| doc.as_str(*x))
                })?;
                // Only the region (and partition URL suffix) may be variables.
                for v in sub_variables(s) {
                    if v != "AWS::Region" && v != "AWS::URLSuffix" {
                        return None;
                    }
                }
                s.replace("${AWS::Region}", "REGION")
            }
            ("Fn::Join", arg) => {
                let parts = doc.as_seq(arg)?;
                let sep = parts.first().and_then(|n| doc.as_str(*n))?;
                let items = parts.get(1).and_then(|n| doc.as_seq(*n))?;
                let mut pieces = Vec::new();
                for it in items {
                    if let Some(s) = doc.as_str(*it) {
                        pieces.push(s.to_string());
                    } else if let Some(("Ref", r)) = doc.intrinsic(*it)
                        && doc.as_str(r) == Some("AWS::Region")
                    {
                        pieces.push("REGION".into());
                    } else {
                        return None;
                    }
                }
                pieces.join(sep)
            }
            _ => return None,
        }
    };
    let rest = text
        .strip_prefix("cn.com.amazonaws.")
        .or_else(|| text.strip_prefix("com.amazonaws."))?;
    let (_region, service) = rest.split_once('.')?;
    (!service.is_empty()).then(|| service.to_ascii_lowercase())
}

/// One `AWS::EC2::VPCEndpoint`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    /// Service part of `ServiceName`, `None` when not decidable.
    pub service: Option<String>,
    /// Gateway endpoints (S3, DynamoDB) work through route tables; interface endpoints VPC-wide.
    pub gateway: bool,
    /// `VpcId` as a VPC of this template; `None` when it is something else.
    pub vpc: Option<String>,
    /// Route tables of a gateway endpoint; `None` when some item is not decidable.
    pub route_tables: Option<Vec<String>>,
    /// Interface endpoints: `PrivateDnsEnabled` (default `false` in CloudFormation). Without it
    /// the SDK's calls to the public service name do not go to the endpoint.
    pub private_dns: Known<bool>,
    /// Interface endpoints: `SecurityGroupIds`, when they are all groups of this template
    /// (`Unknown` for other groups, a computed list, or none: the VPC's default group).
    pub security_groups: Known<Vec<String>>,
}

pub fn endpoints(tpl: &Template) -> Vec<Endpoint> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    for r in tpl.resources_of("AWS::EC2::VPCEndpoint") {
        let kind = tpl
            .prop(r, "VpcEndpointType")
            .map(|n| tpl.string(n).known());
        let gateway = match kind {
            None => true,
            Some(Some(k)) if k == "Gateway" => true,
            Some(Some(k))
                if k == "GatewayLoadBalancer" || k == "Resource" || k == "ServiceNetwork" =>
            {
                continue;
            }
            _ => false,
        };
        let service = tpl
            .prop(r, "ServiceName")
            .and_then(|n| endpoint_service(tpl, n));
        let vpc = tpl
            .prop(r, "VpcId")
            .and_then(|n| resource_of_type(tpl, n, "AWS::EC2::VPC"))
            .map(str::to_string);
        let route_tables = match tpl.prop(r, "RouteTableIds") {
            None => Some(Vec::new()),
            Some(n) => doc.as_seq(n).and_then(|items| {
                items
                    .iter()
                    .map(|i| resource_of_type(tpl, *i, "AWS::EC2::RouteTable").map(str::to_string))
                    .collect::<Option<Vec<_>>>()
            }),
        };
        let private_dns = match tpl.prop(r, "PrivateDnsEnabled") {
            None => Known::Yes(false),
            Some(n) => tpl.boolean(n),
        };
        let security_groups = match tpl.prop(r, "SecurityGroupIds") {
            None => Known::Unknown("the VPC's default security group".into()),
            Some(n) => match doc.as_seq(n).filter(|_| doc.intrinsic(n).is_none()) {
                None => Known::Unknown("computed `SecurityGroupIds`".into()),
                Some(items) => items
                    .iter()
                    .map(|i| {
                        resource_of_type(tpl, *i, "AWS::EC2::SecurityGroup").map(str::to_string)
                    })
                    .collect::<Option<Vec<_>>>()
                    .map_or_else(
                        || Known::Unknown("a security group outside the template".into()),
                        Known::Yes,
                    ),
            },
        };
        out.push(Endpoint {
            id: r.id.clone(),
            service,
            gateway,
            vpc,
            route_tables,
            private_dns,
            security_groups,
        });
    }
    out
}

/// Endpoint service names that serve an IAM service prefix.
fn endpoint_names(service: &str) -> &'static [&'static str] {
    match service {
        "kinesis" => &["kinesis-streams"],
        "firehose" => &["kinesis-firehose"],
        "cloudwatch" => &["monitoring"],
        "ses" => &["email", "email-smtp"],
        "bedrock" => &["bedrock-runtime", "bedrock", "bedrock-agent-runtime"],
        "sagemaker" => &["sagemaker.runtime", "sagemaker.api"],
        "ecr" => &["ecr.api", "ecr.dkr"],
        "codecommit" => &["git-codecommit", "codecommit"],
        "iot" => &["iot.data", "iot.credentials", "iot"],
        "appconfig" => &["appconfigdata", "appconfig"],
        "states" => &["states", "sync-states"],
        "qldb" => &["qldb.session"],
        "servicediscovery" => &["servicediscovery", "data-servicediscovery"],
        _ => &[],
    }
}

/// Does an endpoint service name (`ecr.dkr`, `kms-fips`) serve an IAM service prefix?
pub fn endpoint_serves(endpoint_service: &str, service: &str) -> bool {
    let e = endpoint_service
        .strip_suffix("-fips")
        .unwrap_or(endpoint_service);
    let names = endpoint_names(service);
    if names.is_empty() {
        e == service
    } else {
        names.contains(&e)
    }
}

/// Why an interface endpoint for the right service is not a path for the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// No `PrivateDnsEnabled: true`: the public service name does not resolve to it.
    NoPrivateDns,
    /// None of its security groups admits TCP 443 from the function's.
    SecurityGroups(Vec<String>),
}

/// Whether a VPC endpoint gives the function a path to `service` from a subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointPath {
    /// An endpoint serves it (or may: unknown values count as a path).
    Yes,
    /// No endpoint does; endpoints that would, but cannot be used, and why.
    No(Vec<(String, Blocked)>),
}

/// Is there (or may there be) a VPC endpoint for `service` reachable from a subnet (in `vpc`,
/// using `route_table`) by a function with security groups `fn_sgs` (`None`: not decidable)?
pub fn endpoint_path(
    eps: &[Endpoint],
    sgs: &crate::model::security_groups::SecurityGroups,
    service: &str,
    vpc: Option<&str>,
    route_table: &str,
    fn_sgs: Option<&[String]>,
) -> EndpointPath {
    let mut blocked = Vec::new();
    for e in eps {
        let serves = e
            .service
            .as_deref()
            .is_none_or(|s| endpoint_serves(s, service));
        if !serves {
            continue;
        }
        if e.gateway {
            if e.route_tables
                .as_ref()
                .is_none_or(|rts| rts.iter().any(|r| r == route_table))
            {
                return EndpointPath::Yes;
            }
            continue;
        }
        // Interface endpoints answer the whole VPC; unknown VPCs count (never guess).
        if let (Some(a), Some(b)) = (e.vpc.as_deref(), vpc)
            && a != b
        {
            continue;
        }
        if e.private_dns == Known::Yes(false) {
            blocked.push((e.id.clone(), Blocked::NoPrivateDns));
            continue;
        }
        if let (Known::Yes(ep_sgs), Some(from)) = (&e.security_groups, fn_sgs)
            && !ep_sgs.is_empty()
            && ep_sgs.iter().all(|g| {
                crate::model::security_groups::ingress_admits(sgs, g, from, 443) == Some(false)
            })
        {
            blocked.push((e.id.clone(), Blocked::SecurityGroups(ep_sgs.clone())));
            continue;
        }
        return EndpointPath::Yes;
    }
    EndpointPath::No(blocked)
}

/// Why a function talks to an AWS service over its network interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceUse {
    /// An IAM action of the execution role (the first one seen).
    Action(String),
    /// The function backs a custom resource and must `PUT` its response to a pre-signed S3 URL.
    CustomResourceResponse(String),
    /// A fact from the handler source (SDK client or call), supplied by the caller.
    Handler(String),
}

/// IAM prefixes whose permissions do not mean network traffic from the function's ENIs: logs and
/// traces leave through the Lambda service, EFS and S3 Files are mounted by Lambda, KMS permissions mostly
/// serve server-side encryption, database/cache data planes live in the VPC, `rds-db:connect`
/// only signs a token locally.
const NOT_NETWORK: &[&str] = &[
    "logs",
    "xray",
    "elasticfilesystem",
    "s3files",
    "kms",
    "rds-db",
    "kafka-cluster",
    "kafka",
    "mq",
    "dax",
    "elasticache",
    "memorydb",
    "neptune-db",
    "es",
    "aoss",
];

/// Actions the Lambda service uses with the execution role, not the function code: event source
/// polling, VPC network interfaces.
pub fn poller_or_platform_action(prefix: &str, name: &str, has_queue_source: bool) -> bool {
    let n = name.to_ascii_lowercase();
    match prefix {
        "ec2" => {
            n.contains("networkinterface")
                || matches!(
                    n.as_str(),
                    "describesubnets" | "describevpcs" | "describesecuritygroups"
                )
        }
        "kinesis" => matches!(
            n.as_str(),
            "getrecords"
                | "getsharditerator"
                | "describestream"
                | "describestreamsummary"
                | "liststreams"
                | "listshards"
                | "subscribetoshard"
                | "describestreamconsumer"
                | "describelimits"
        ),
        "dynamodb" => matches!(
            n.as_str(),
            "getrecords" | "getsharditerator" | "describestream" | "liststreams"
        ),
        "sqs" => {
            has_queue_source
                && (n == "receivemessage"
                    || n == "getqueueattributes"
                    || n.starts_with("deletemessage")
                    || n.starts_with("changemessagevisibility"))
        }
        "iam" => n == "passrole",
        _ => false,
    }
}

/// Resources the Lambda service delivers to for the function (dead-letter queues, async
/// destinations, event source mapping failure destinations): no path needed from the function.
fn delivery_targets(tpl: &Template, links: &FunctionLinks, f: &Function) -> Vec<String> {
    let doc = &tpl.doc;
    let mut nodes: Vec<NodeId> = Vec::new();
    for p in ["DeadLetterQueue", "DeadLetterConfig", "EventInvokeConfig"] {
        if let Some(prop) = f.prop(tpl, p) {
            nodes.push(prop.node);
        }
    }
    if let Some(ev) = f.sam_events(tpl)
        && let Some(m) = doc.as_map(ev)
    {
        for (_, _, e) in m.iter() {
            if let Some(d) = doc.get_path(e, &["Properties", "DestinationConfig"]) {
                nodes.push(d);
            }
        }
    }
    nodes.extend(
        links
            .destinations
            .get(&f.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    );
    let mut out = Vec::new();
    for n in nodes {
        out.extend(refs_below(tpl, n).into_iter().map(|r| r.id));
    }
    out
}

/// Links from other resources to functions, computed in one pass over the template.
#[derive(Debug, Clone, Default)]
pub struct FunctionLinks {
    /// Function -> `DestinationConfig` nodes of its `EventInvokeConfig`s and event source mappings.
    pub destinations: HashMap<String, Vec<NodeId>>,
    /// Function -> custom resources whose `ServiceToken` it is.
    pub custom_resources: HashMap<String, Vec<String>>,
}

impl FunctionLinks {
    pub fn new(tpl: &Template) -> Self {
        let mut out = FunctionLinks::default();
        for r in tpl.resources.values() {
            let t = r.type_.as_str();
            if t == "AWS::Lambda::EventInvokeConfig" || t == "AWS::Lambda::EventSourceMapping" {
                if let Some(fid) = tpl
                    .prop(r, "FunctionName")
                    .and_then(|n| tpl.ref_resource(n))
                    && let Some(d) = tpl.prop(r, "DestinationConfig")
                {
                    out.destinations.entry(fid.to_string()).or_default().push(d);
                }
            } else if (t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource")
                && let Some(token) = tpl.prop(r, "ServiceToken")
            {
                for x in refs_below(tpl, token) {
                    out.custom_resources
                        .entry(x.id)
                        .or_default()
                        .push(r.id.clone());
                }
            }
        }
        out
    }

    /// Custom resources backed by a function.
    pub fn custom_resources_of(&self, function: &str) -> &[String] {
        self.custom_resources
            .get(function)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// AWS services (IAM prefixes) the function reaches over its own network interfaces: from the
/// actions its role allows (minus what the Lambda service does on its behalf), custom resource
/// responses, and `extra` facts from the handler source (the extension point for SDK-call
/// analysis: pass `(service prefix, description)` pairs).
pub fn services_used(
    app: &crate::model::App,
    links: &FunctionLinks,
    f: &Function,
    extra: &[(String, String)],
) -> BTreeMap<String, ServiceUse> {
    let tpl = &app.tpl;
    let mut out: BTreeMap<String, ServiceUse> = BTreeMap::new();
    let has_queue_source = app
        .events_of(&f.id)
        .any(|e| e.mode == crate::model::Mode::Queue);
    let targets = delivery_targets(tpl, links, f);
    if let Some(iam) = app.iam.get(&f.id) {
        for st in iam.statements.iter().filter(|s| s.allow && !s.not_action) {
            // A statement that only lets Lambda deliver to a DLQ / destination.
            let delivery_only = !targets.is_empty() && delivery_statement(tpl, f, st, &targets);
            if delivery_only {
                continue;
            }
            for a in &st.actions {
                let Some(action) = a.value.clone().known() else {
                    continue;
                };
                let Some((prefix, name)) = action.split_once(':') else {
                    continue;
                };
                let prefix = prefix.to_ascii_lowercase();
                if prefix.contains('*') || NOT_NETWORK.contains(&prefix.as_str()) {
                    continue;
                }
                if poller_or_platform_action(&prefix, name, has_queue_source) {
                    continue;
                }
                out.entry(prefix)
                    .or_insert(ServiceUse::Action(action.clone()));
            }
        }
    }
    // Certain evidence replaces what the role merely allows.
    let mut certain = |svc: &str, u: ServiceUse| {
        if out
            .get(svc)
            .is_none_or(|old| matches!(old, ServiceUse::Action(_)))
        {
            out.insert(svc.to_string(), u);
        }
    };
    if let Some(cr) = links.custom_resources_of(&f.id).first() {
        certain("s3", ServiceUse::CustomResourceResponse(cr.clone()));
    }
    for (svc, why) in extra {
        certain(svc, ServiceUse::Handler(why.clone()));
    }
    out
}

/// Does a statement only allow what the Lambda service needs to deliver to the function's
/// dead-letter queue or destinations (sending to exactly those resources)?
fn delivery_statement(
    tpl: &Template,
    f: &Function,
    st: &crate::model::iam::Statement,
    targets: &[String],
) -> bool {
    use crate::model::iam::Via;
    if let Via::SamTemplate(name) = &st.via {
        // `SQSSendMessagePolicy: {QueueName: !GetAtt DLQ.QueueName}`: the parameters name it.
        if !matches!(
            name.as_str(),
            "SQSSendMessagePolicy"
                | "SNSPublishMessagePolicy"
                | "LambdaInvokePolicy"
                | "EventBridgePutEventsPolicy"
        ) {
            return false;
        }
        let params = st
            .path
            .get(1)
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| {
                let pols = tpl.prop(f.resource(tpl)?, "Policies")?;
                let entry = *tpl.doc.as_seq(pols)?.get(i)?;
                tpl.doc.get(entry, name)
            });
        let Some(params) = params else { return false };
        let refs = refs_below(tpl, params);
        return !refs.is_empty() && refs.iter().all(|r| targets.contains(&r.id));
    }
    !st.resources.is_empty()
        && st.actions.iter().all(|a| {
            a.value.clone().known().is_some_and(|v| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "sqs:sendmessage"
                        | "sns:publish"
                        | "lambda:invokefunction"
                        | "events:putevents"
                )
            })
        })
        && st
            .resources
            .iter()
            .all(|r| statement_resource_target(r).is_some_and(|id| targets.contains(&id)))
}

/// The template resource a policy `Resource` item refers to: `Template::string` describes a
/// reference (`Ref`, `Fn::GetAtt`, `${X.Arn}`) as "a reference to `X`".
fn statement_resource_target(item: &crate::model::iam::Item) -> Option<String> {
    match &item.value {
        crate::model::template::Known::Unknown(why) => why
            .strip_prefix("a reference to `")
            .and_then(|r| r.strip_suffix('`'))
            .map(str::to_string),
        crate::model::template::Known::Yes(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::load::load;
    use crate::source::{Format, SourceFile};

    fn tpl(text: &str) -> Template {
        let file = Arc::new(SourceFile::new(
            PathBuf::from("t.yaml"),
            "t.yaml".into(),
            text.into(),
        ));
        Template::new(file, load(text, Format::Yaml).unwrap())
    }

    fn service_of(yaml_value: &str) -> Option<String> {
        let t = tpl(&format!(
            "Resources:\n  E:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      ServiceName: {yaml_value}\n"
        ));
        let r = t.resource("E").unwrap();
        endpoint_service(&t, t.prop(r, "ServiceName").unwrap())
    }

    #[test]
    fn endpoint_service_names() {
        assert_eq!(
            service_of("com.amazonaws.eu-west-1.s3").as_deref(),
            Some("s3")
        );
        assert_eq!(
            service_of("!Sub com.amazonaws.${AWS::Region}.ecr.dkr").as_deref(),
            Some("ecr.dkr")
        );
        assert_eq!(
            service_of("!Join ['', ['com.amazonaws.', !Ref 'AWS::Region', '.dynamodb']]")
                .as_deref(),
            Some("dynamodb")
        );
        assert_eq!(service_of("!Ref ServiceParam"), None);
        assert_eq!(service_of("!Sub com.amazonaws.${AWS::Region}.${Svc}"), None);
        assert!(endpoint_serves("kinesis-streams", "kinesis"));
        assert!(endpoint_serves("kms-fips", "kms"));
        assert!(!endpoint_serves("s3", "dynamodb"));
        assert!(endpoint_serves("sagemaker.runtime", "sagemaker"));
    }

    #[test]
    fn private_ranges() {
        assert!(is_private_cidr("10.1.0.0/16"));
        assert!(is_private_cidr("172.20.0.0/16"));
        assert!(!is_private_cidr("172.32.0.0/16"));
        assert!(is_private_cidr("192.168.1.0/24"));
        assert!(!is_private_cidr("52.94.0.0/16"));
        assert!(!is_private_cidr("0.0.0.0/0"));
    }

    #[test]
    fn egress_classification() {
        let t = tpl(
            "Parameters:\n  Gw:\n    Type: String\nResources:\n  Nat:\n    Type: AWS::EC2::RouteTable\n  Pub:\n    Type: AWS::EC2::RouteTable\n  None:\n    Type: AWS::EC2::RouteTable\n  Unk:\n    Type: AWS::EC2::RouteTable\n  Igw:\n    Type: AWS::EC2::InternetGateway\n  R1:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref Nat\n      DestinationCidrBlock: 0.0.0.0/0\n      NatGatewayId: nat-1\n  R2:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref Pub\n      DestinationCidrBlock: 0.0.0.0/0\n      GatewayId: !Ref Igw\n  R3:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref None\n      DestinationCidrBlock: 10.9.0.0/16\n      TransitGatewayId: tgw-1\n  R4:\n    Type: AWS::EC2::Route\n    Properties:\n      RouteTableId: !Ref Unk\n      DestinationCidrBlock: 0.0.0.0/0\n      GatewayId: !Ref Gw\n",
        );
        assert!(matches!(egress_of(&t, "Nat"), Egress::Yes(_)));
        assert_eq!(
            egress_of(&t, "Pub"),
            Egress::InternetGatewayOnly("Igw".into())
        );
        assert_eq!(egress_of(&t, "None"), Egress::No);
        assert!(matches!(egress_of(&t, "Unk"), Egress::Unknown(_)));
    }
}
