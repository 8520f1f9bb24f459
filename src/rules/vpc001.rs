//! VPC001 vpc-function-without-egress.

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::model::network::{
    Egress, FunctionLinks, RouteTables, ServiceUse, endpoint_covers, endpoints, function_vpc,
    services_used, vpc_of_subnet,
};
use crate::rule::{Context, Report, Rule};

pub struct VpcFunctionWithoutEgress;

/// Global services without a VPC endpoint: only a NAT route reaches them.
const NO_PRIVATELINK: &[&str] = &[
    "iam",
    "cloudfront",
    "route53",
    "route53domains",
    "waf",
    "shield",
    "budgets",
    "globalaccelerator",
];

/// The endpoint service name to suggest for an IAM prefix.
pub fn endpoint_name(service: &str) -> &str {
    match service {
        "kinesis" => "kinesis-streams",
        "firehose" => "kinesis-firehose",
        "cloudwatch" => "monitoring",
        "ses" => "email",
        "bedrock" => "bedrock-runtime",
        "sagemaker" => "sagemaker.runtime",
        "ecr" => "ecr.api",
        "iot" => "iot.data",
        "appconfig" => "appconfigdata",
        other => other,
    }
}

fn why(u: &ServiceUse) -> String {
    match u {
        ServiceUse::Action(a) => format!("its role allows `{a}`"),
        ServiceUse::CustomResourceResponse(cr) => {
            format!("the response to custom resource `{cr}` goes to a pre-signed S3 URL")
        }
        ServiceUse::Handler(h) => h.clone(),
    }
}

fn ticks(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `subnets`: the subnets without a path; `route_tables`: their route tables; `igw`: internet
/// gateways their `0.0.0.0/0` routes go to (useless to Lambda); `missing`: service -> why used.
pub fn message(
    function: &str,
    from_globals: bool,
    subnets: &[String],
    route_tables: &[String],
    igw: &[String],
    missing: &BTreeMap<String, ServiceUse>,
) -> String {
    let s = if subnets.len() == 1 { "" } else { "s" };
    let rs = if route_tables.len() == 1 { "" } else { "s" };
    let route = if igw.is_empty() {
        format!(
            "route table{rs} {} {} no `0.0.0.0/0` route to a NAT gateway",
            ticks(route_tables),
            if route_tables.len() == 1 {
                "has"
            } else {
                "have"
            }
        )
    } else {
        format!(
            "route table{rs} {} {} `0.0.0.0/0` only to internet gateway {} (useless without a public IP)",
            ticks(route_tables),
            if route_tables.len() == 1 {
                "sends"
            } else {
                "send"
            },
            ticks(igw)
        )
    };
    let services = missing
        .iter()
        .map(|(svc, u)| format!("`{svc}` ({})", why(u)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "function `{function}` runs in subnet{s} {}{} whose {route}, and no VPC endpoint serves {services}: calls to these services from the function time out",
        ticks(subnets),
        if from_globals {
            " (`VpcConfig` from `Globals.Function`)"
        } else {
            ""
        }
    )
}

pub fn help(route_tables: &[String], missing: &BTreeMap<String, ServiceUse>) -> String {
    let mut gateway = Vec::new();
    let mut interface = Vec::new();
    let mut nat_only = Vec::new();
    for svc in missing.keys() {
        match svc.as_str() {
            "s3" | "dynamodb" => gateway.push(svc.clone()),
            other if NO_PRIVATELINK.contains(&other) => nat_only.push(svc.clone()),
            other => interface.push(format!(
                "com.amazonaws.${{AWS::Region}}.{}",
                endpoint_name(other)
            )),
        }
    }
    let rts = route_tables.join(", ");
    let nat = format!(
        "add a `0.0.0.0/0` route with `NatGatewayId` (a NAT gateway in a public subnet) to {}",
        ticks(route_tables)
    );
    let mut eps = Vec::new();
    if !gateway.is_empty() {
        eps.push(format!(
            "a gateway `AWS::EC2::VPCEndpoint` for {} with `RouteTableIds: [{rts}]`",
            ticks(&gateway)
        ));
    }
    if !interface.is_empty() {
        eps.push(format!(
            "interface endpoints (`VpcEndpointType: Interface`, `PrivateDnsEnabled: true`) for {}",
            ticks(&interface)
        ));
    }
    if !nat_only.is_empty() {
        return format!(
            "{nat}: {} {} no VPC endpoint",
            ticks(&nat_only),
            if nat_only.len() == 1 { "has" } else { "have" }
        );
    }
    format!("{nat}, or add {}", eps.join(" and "))
}

impl Rule for VpcFunctionWithoutEgress {
    fn code(&self) -> &'static str {
        "VPC001"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        if tpl.resources_of("AWS::EC2::Subnet").next().is_none() {
            return;
        }
        let mut tables = RouteTables::default();
        let eps = endpoints(tpl);
        let links = FunctionLinks::new(tpl);
        for f in app.functions.values() {
            let Some(vpc) = function_vpc(tpl, f) else {
                continue;
            };
            let Some(subnets) = &vpc.subnets else {
                continue;
            };
            // SDK calls (or clients whose calls were not attributed) seen in the handler.
            let mut extra: Vec<(String, String)> = Vec::new();
            if let Some(h) = cx.handlers.and_then(|h| h.get(&f.id)) {
                // Calls that make a request (not presigned URLs or auth tokens signed locally;
                // constructing a client is not a use).
                for c in h.calls.iter().filter(|c| c.network) {
                    if !extra.iter().any(|(s, _)| *s == c.service) {
                        let line = c.file.line_col(c.span.start).line;
                        extra.push((
                            c.service.clone(),
                            format!(
                                "its handler calls `{}` at `{}:{line}`",
                                c.action(),
                                c.file.display
                            ),
                        ));
                    }
                }
            }
            let used = services_used(app, &links, f, &extra);
            if used.is_empty() {
                continue;
            }
            let mut bad_subnets: Vec<String> = Vec::new();
            let mut rts: Vec<String> = Vec::new();
            let mut igws: Vec<String> = Vec::new();
            let mut missing: BTreeMap<String, ServiceUse> = BTreeMap::new();
            for s in subnets {
                let Some(id) = &s.subnet else { continue };
                let Some((rt, egress)) = tables.of(tpl, id) else {
                    continue;
                };
                let igw = match egress {
                    Egress::Yes(_) | Egress::Unknown(_) => continue,
                    Egress::No => None,
                    Egress::InternetGatewayOnly(g) => Some(g),
                };
                let in_vpc = vpc_of_subnet(tpl, id);
                let lacking: Vec<(&String, &ServiceUse)> = used
                    .iter()
                    .filter(|(svc, _)| !endpoint_covers(&eps, svc, in_vpc.as_deref(), &rt))
                    .collect();
                if lacking.is_empty() {
                    continue;
                }
                if !bad_subnets.contains(id) {
                    bad_subnets.push(id.clone());
                }
                if !rts.contains(&rt) {
                    rts.push(rt.clone());
                }
                if let Some(g) = igw
                    && !igws.contains(&g)
                {
                    igws.push(g);
                }
                for (svc, u) in lacking {
                    missing.entry(svc.clone()).or_insert_with(|| u.clone());
                }
            }
            if bad_subnets.is_empty() {
                continue;
            }
            // Role permissions suggest calls; a custom resource response or a call seen in the
            // handler is certain.
            let certain = missing
                .values()
                .any(|u| !matches!(u, ServiceUse::Action(_)));
            let severity = if certain {
                Severity::Error
            } else {
                Severity::Warning
            };
            cx.emit(
                Report::new(
                    vpc.key_span,
                    message(&f.id, vpc.from_globals, &bad_subnets, &rts, &igws, &missing),
                )
                .resource(&f.id)
                .path(&["VpcConfig"])
                .help(help(&rts, &missing))
                .severity(severity),
            );
        }
    }
}
