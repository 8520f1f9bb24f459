//! VPC001 vpc-function-without-egress.

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::handler::HandlerFacts;
use crate::model::network::{
    Blocked, Egress, Endpoint, EndpointPath, FunctionLinks, RouteTables, ServiceUse, endpoint_path,
    endpoints, function_vpc, services_used, vpc_of_subnet,
};
use crate::model::{App, Function};
use crate::rule::{Context, Report, Rule};
use crate::source::Span;

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
    blocked: &BTreeMap<String, Blocked>,
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
    let unusable = if blocked.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            blocked
                .iter()
                .map(|(id, b)| blocked_why(id, b))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let usable = if blocked.is_empty() {
        ""
    } else {
        " it can use"
    };
    format!(
        "function `{function}` runs in subnet{s} {}{} whose {route}, and no VPC endpoint{usable} serves {services}: calls to these services from the function time out{unusable}",
        ticks(subnets),
        if from_globals {
            " (`VpcConfig` from `Globals.Function`)"
        } else {
            ""
        }
    )
}

/// Why an interface endpoint is no path, for messages.
pub fn blocked_why(endpoint: &str, b: &Blocked) -> String {
    match b {
        Blocked::NoPrivateDns => format!(
            "interface endpoint `{endpoint}` has no `PrivateDnsEnabled: true`, so the SDK's calls to the public service name do not reach it"
        ),
        Blocked::SecurityGroups(g) => format!(
            "the security group{} {} of interface endpoint `{endpoint}` {} not admit TCP 443 from the function's",
            if g.len() == 1 { "" } else { "s" },
            ticks(g),
            if g.len() == 1 { "does" } else { "do" }
        ),
    }
}

pub fn help(
    route_tables: &[String],
    missing: &BTreeMap<String, ServiceUse>,
    blocked: &BTreeMap<String, Blocked>,
) -> String {
    let fix = fix_blocked(blocked);
    let base = help_routes(route_tables, missing);
    if fix.is_empty() {
        base
    } else {
        format!("{fix}; or {base}")
    }
}

/// What makes the blocked endpoints usable.
fn fix_blocked(blocked: &BTreeMap<String, Blocked>) -> String {
    blocked
        .iter()
        .map(|(id, b)| match b {
            Blocked::NoPrivateDns => format!("set `PrivateDnsEnabled: true` on `{id}`"),
            Blocked::SecurityGroups(g) => format!(
                "admit TCP 443 from the function's security group in {} (of `{id}`)",
                ticks(g)
            ),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn help_routes(route_tables: &[String], missing: &BTreeMap<String, ServiceUse>) -> String {
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

/// AWS services the handler source calls (SDK calls, or clients whose calls were not
/// attributed): (service prefix, why), for [`services_used`].
pub fn handler_services(handlers: Option<&HandlerFacts>, f: &Function) -> Vec<(String, String)> {
    let mut extra: Vec<(String, String)> = Vec::new();
    let Some(h) = handlers.and_then(|h| h.get(&f.id)) else {
        return extra;
    };
    // Calls that make a request (not presigned URLs or auth tokens signed locally; constructing
    // a client is not a use), wherever the handler reaches them (its own file or a module).
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
    extra
}

/// A function without a path to AWS services it uses: what VPC001 reports.
#[derive(Debug, Clone)]
pub struct NoEgress {
    pub function: String,
    pub span: Span,
    pub from_globals: bool,
    pub subnets: Vec<String>,
    pub route_tables: Vec<String>,
    pub igw: Vec<String>,
    pub missing: BTreeMap<String, ServiceUse>,
    /// Interface endpoints that would serve a missing service, and why they cannot.
    pub blocked: BTreeMap<String, Blocked>,
}

/// What a whole-template VPC001 analysis needs, built once.
pub struct Egresses<'a> {
    app: &'a App,
    tables: RouteTables,
    eps: Vec<Endpoint>,
    handlers: Option<&'a HandlerFacts>,
}

impl<'a> Egresses<'a> {
    pub fn new(app: &'a App, handlers: Option<&'a HandlerFacts>) -> Self {
        Egresses {
            app,
            tables: RouteTables::default(),
            eps: endpoints(&app.tpl),
            handlers,
        }
    }

    /// The VPC001 finding of one function, if any.
    pub fn of(&mut self, f: &Function) -> Option<NoEgress> {
        let app = self.app;
        let tpl = &app.tpl;
        let links: &FunctionLinks = app.links();
        let vpc = function_vpc(tpl, f)?;
        let subnets = vpc.subnets.as_ref()?;
        let extra = handler_services(self.handlers, f);
        let used = services_used(app, links, f, &extra);
        if used.is_empty() {
            return None;
        }
        let fn_sgs = vpc
            .security_groups_listed
            .then_some(vpc.security_groups.as_slice());
        let sgs = app.security_groups();
        let mut out = NoEgress {
            function: f.id.clone(),
            span: vpc.key_span,
            from_globals: vpc.from_globals,
            subnets: Vec::new(),
            route_tables: Vec::new(),
            igw: Vec::new(),
            missing: BTreeMap::new(),
            blocked: BTreeMap::new(),
        };
        for s in subnets {
            let Some(id) = &s.subnet else { continue };
            let Some((rt, egress)) = self.tables.of(tpl, id) else {
                continue;
            };
            let igw = match egress {
                Egress::Yes(_) | Egress::Unknown(_) => continue,
                Egress::No => None,
                Egress::InternetGatewayOnly(g) => Some(g),
            };
            let in_vpc = vpc_of_subnet(tpl, id);
            let mut lacking: Vec<(&String, &ServiceUse)> = Vec::new();
            for (svc, u) in &used {
                if let EndpointPath::No(blocked) =
                    endpoint_path(&self.eps, sgs, svc, in_vpc.as_deref(), &rt, fn_sgs)
                {
                    lacking.push((svc, u));
                    out.blocked.extend(blocked);
                }
            }
            if lacking.is_empty() {
                continue;
            }
            if !out.subnets.contains(id) {
                out.subnets.push(id.clone());
            }
            if !out.route_tables.contains(&rt) {
                out.route_tables.push(rt.clone());
            }
            if let Some(g) = igw
                && !out.igw.contains(&g)
            {
                out.igw.push(g);
            }
            for (svc, u) in lacking {
                out.missing.entry(svc.clone()).or_insert_with(|| u.clone());
            }
        }
        (!out.subnets.is_empty()).then_some(out)
    }
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
        let mut eg = Egresses::new(app, cx.handlers);
        for f in app.functions.values() {
            let Some(n) = eg.of(f) else { continue };
            // Role permissions suggest calls; a custom resource response or a call seen in the
            // handler is certain.
            let certain = n
                .missing
                .values()
                .any(|u| !matches!(u, ServiceUse::Action(_)));
            let severity = if certain {
                Severity::Error
            } else {
                Severity::Warning
            };
            cx.emit(
                Report::new(
                    n.span,
                    message(
                        &n.function,
                        n.from_globals,
                        &n.subnets,
                        &n.route_tables,
                        &n.igw,
                        &n.missing,
                        &n.blocked,
                    ),
                )
                .resource(&n.function)
                .path(&["VpcConfig"])
                .help(help(&n.route_tables, &n.missing, &n.blocked))
                .severity(severity),
            );
        }
    }
}
