//! The resource graph as the report draws it: which resources become nodes, which relations become
//! edges, the findings on each node, and the DOT text.

use std::collections::{HashMap, HashSet};

use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::graph::Edge;
use crate::model::App;
use crate::report::facts::short_type;
use crate::report::{Counts, Finding};

/// What a node is, for its colour and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// API, schedule, rule, bucket notification...: something that invokes.
    Trigger,
    Function,
    Queue,
    Topic,
    Stream,
    Storage,
    Database,
    Network,
    Iam,
    Other,
}

impl Kind {
    pub fn of(type_: &str) -> Kind {
        match type_ {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => Kind::Function,
            "AWS::SQS::Queue" => Kind::Queue,
            "AWS::SNS::Topic" => Kind::Topic,
            "AWS::Kinesis::Stream" | "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => {
                Kind::Stream
            }
            "AWS::DynamoDB::Table"
            | "AWS::Serverless::SimpleTable"
            | "AWS::DynamoDB::GlobalTable"
            | "AWS::S3::Bucket" => Kind::Storage,
            t if t.starts_with("AWS::RDS::")
                || t.starts_with("AWS::DocDB::")
                || t.starts_with("AWS::ElastiCache::") =>
            {
                Kind::Database
            }
            t if t.starts_with("AWS::EC2::") => Kind::Network,
            "AWS::IAM::Role" => Kind::Iam,
            t if t.starts_with("AWS::ApiGateway")
                || t.starts_with("AWS::Serverless::Api")
                || t.starts_with("AWS::Serverless::HttpApi")
                || t.starts_with("AWS::Events::")
                || t.starts_with("AWS::Scheduler::")
                || t.starts_with("AWS::ElasticLoadBalancingV2::")
                || t.starts_with("AWS::Cognito::")
                || t.starts_with("AWS::AppSync::") =>
            {
                Kind::Trigger
            }
            _ => Kind::Other,
        }
    }

    /// Fill colour.
    pub fn fill(self) -> &'static str {
        match self {
            Kind::Trigger => "#eef2ff",
            Kind::Function => "#fff4e0",
            Kind::Queue | Kind::Topic | Kind::Stream => "#e9f7ef",
            Kind::Storage => "#e8f4fd",
            Kind::Database => "#f3e8fd",
            Kind::Network => "#f1f1f1",
            Kind::Iam => "#fdf0f0",
            Kind::Other => "#ffffff",
        }
    }
}

/// Resource types that only connect others: drawn as edges (or not at all), never as nodes.
const CONNECTORS: &[&str] = &[
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::Route",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Stage",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudFormation::WaitCondition",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// An event source invokes a function (label: the mode).
    Invokes,
    /// A reference (environment variable, property, VPC configuration...).
    References,
    /// A function's execution role.
    Role,
    /// Subnet -> route table -> gateway.
    Route,
}

#[derive(Debug, Clone)]
pub struct GNode {
    pub id: String,
    /// Short type (`SQS Queue`, `Api event`).
    pub type_label: String,
    pub kind: Kind,
    /// A node for an implicit source (a SAM `Api` or `Schedule` event), not a template resource.
    pub synthetic: bool,
    pub findings: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GEdge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub label: String,
}

#[derive(Debug, Clone, Default)]
pub struct GraphData {
    pub nodes: Vec<GNode>,
    pub edges: Vec<GEdge>,
    /// Nodes before the size cap.
    pub total_nodes: usize,
}

impl GraphData {
    pub fn truncated(&self) -> bool {
        self.total_nodes > self.nodes.len()
    }
}

/// Pick the nodes and edges of an application's graph (at most `cap` nodes: functions and the
/// resources with findings first, then their neighbours, then the rest).
pub fn build(app: &App, findings: &[Finding], cap: usize) -> GraphData {
    let tpl = &app.tpl;
    let mut on_resource: HashMap<&str, Counts> = HashMap::new();
    for f in findings {
        if let Some(r) = &f.resource {
            on_resource.entry(r.as_str()).or_default().add(f.severity);
        }
    }
    let mut nodes: Vec<GNode> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in tpl.resources.values() {
        if CONNECTORS.contains(&r.type_.as_str()) {
            continue;
        }
        index.insert(r.id.clone(), nodes.len());
        nodes.push(GNode {
            id: r.id.clone(),
            type_label: short_type(&r.type_),
            kind: Kind::of(&r.type_),
            synthetic: false,
            findings: on_resource.get(r.id.as_str()).copied().unwrap_or_default(),
        });
    }
    let mut edges: HashSet<GEdge> = HashSet::new();
    let mut invoked: HashSet<(usize, usize)> = HashSet::new();
    // Invocations, with implicit sources (SAM events without a template resource) as their own node.
    for e in &app.events {
        let Some(&to) = index.get(&e.function) else {
            continue;
        };
        let src = e.source.as_deref().or_else(|| {
            (e.declared_in != e.function && index.contains_key(&e.declared_in))
                .then_some(e.declared_in.as_str())
        });
        let from = match src.and_then(|s| index.get(s)) {
            Some(&i) => i,
            None => {
                let id = match &e.name {
                    Some(n) => format!("{}.{n}", e.function),
                    None => format!("{} ({})", e.declared_in, short_type(&e.kind)),
                };
                let i = nodes.len();
                index.insert(id.clone(), i);
                nodes.push(GNode {
                    id,
                    type_label: format!("{} event", e.kind),
                    kind: Kind::Trigger,
                    synthetic: true,
                    findings: Counts::default(),
                });
                i
            }
        };
        invoked.insert((from, to));
        edges.insert(GEdge {
            from,
            to,
            kind: EdgeKind::Invokes,
            label: e.mode.as_str().to_string(),
        });
    }
    let g = &app.graph.graph;
    for er in g.edge_references() {
        let (Some(a), Some(b)) = (g.node_weight(er.source()), g.node_weight(er.target())) else {
            continue;
        };
        let (Some(&from), Some(&to)) = (index.get(a), index.get(b)) else {
            continue;
        };
        let kind = match er.weight() {
            Edge::References => EdgeKind::References,
            Edge::UsesRole => EdgeKind::Role,
            Edge::DependsOn | Edge::Invokes(_) => continue,
        };
        // A SAM event references its queue; the invocation edge already says it.
        if invoked.contains(&(to, from)) || invoked.contains(&(from, to)) {
            continue;
        }
        edges.insert(GEdge {
            from,
            to,
            kind,
            label: String::new(),
        });
    }
    // Subnet -> route table -> gateway, through the connector resources.
    for a in tpl.resources_of("AWS::EC2::SubnetRouteTableAssociation") {
        let s = tpl.prop(a, "SubnetId").and_then(|n| tpl.ref_resource(n));
        let t = tpl
            .prop(a, "RouteTableId")
            .and_then(|n| tpl.ref_resource(n));
        if let (Some(&from), Some(&to)) =
            (s.and_then(|s| index.get(s)), t.and_then(|t| index.get(t)))
        {
            edges.insert(GEdge {
                from,
                to,
                kind: EdgeKind::Route,
                label: String::new(),
            });
        }
    }
    for r in tpl.resources_of("AWS::EC2::Route") {
        let t = tpl
            .prop(r, "RouteTableId")
            .and_then(|n| tpl.ref_resource(n));
        let cidr = tpl
            .prop(r, "DestinationCidrBlock")
            .and_then(|n| tpl.string(n).known())
            .unwrap_or_default();
        for k in [
            "NatGatewayId",
            "GatewayId",
            "TransitGatewayId",
            "InstanceId",
        ] {
            let gw = tpl.prop(r, k).and_then(|n| tpl.ref_resource(n));
            if let (Some(&from), Some(&to)) =
                (t.and_then(|t| index.get(t)), gw.and_then(|g| index.get(g)))
            {
                edges.insert(GEdge {
                    from,
                    to,
                    kind: EdgeKind::Route,
                    label: cidr.clone(),
                });
            }
        }
    }
    // Drop isolated nodes that are not functions and carry no finding (parameters-only noise).
    let mut degree = vec![0usize; nodes.len()];
    for e in &edges {
        if let Some(d) = degree.get_mut(e.from) {
            *d += 1;
        }
        if let Some(d) = degree.get_mut(e.to) {
            *d += 1;
        }
    }
    let keep_base: Vec<bool> = nodes
        .iter()
        .zip(&degree)
        .map(|(n, d)| *d > 0 || n.kind == Kind::Function || n.findings.total() > 0)
        .collect();
    let total = keep_base.iter().filter(|k| **k).count();
    // The size cap: priority 0 = functions and nodes with findings, 1 = their neighbours, 2 = rest.
    let mut prio: Vec<u8> = nodes
        .iter()
        .map(|n| {
            if n.kind == Kind::Function || n.findings.total() > 0 {
                0
            } else {
                2
            }
        })
        .collect();
    for e in &edges {
        let (pa, pb) = (
            prio.get(e.from).copied().unwrap_or(2),
            prio.get(e.to).copied().unwrap_or(2),
        );
        if pa == 0
            && let Some(p) = prio.get_mut(e.to)
        {
            *p = (*p).min(1);
        }
        if pb == 0
            && let Some(p) = prio.get_mut(e.from)
        {
            *p = (*p).min(1);
        }
    }
    let mut order: Vec<usize> = (0..nodes.len())
        .filter(|i| keep_base.get(*i).copied().unwrap_or(false))
        .collect();
    order.sort_by_key(|i| (prio.get(*i).copied().unwrap_or(2), *i));
    order.truncate(cap);
    order.sort_unstable();
    let mut remap: HashMap<usize, usize> = HashMap::new();
    let mut out_nodes = Vec::with_capacity(order.len());
    for (new, old) in order.iter().enumerate() {
        remap.insert(*old, new);
        if let Some(n) = nodes.get(*old) {
            out_nodes.push(n.clone());
        }
    }
    let mut out_edges: Vec<GEdge> = edges
        .into_iter()
        .filter_map(|e| {
            Some(GEdge {
                from: *remap.get(&e.from)?,
                to: *remap.get(&e.to)?,
                ..e
            })
        })
        .collect();
    out_edges.sort_by(|a, b| {
        (a.from, a.to, a.kind as u8, &a.label).cmp(&(b.from, b.to, b.kind as u8, &b.label))
    });
    GraphData {
        nodes: out_nodes,
        edges: out_edges,
        total_nodes: total,
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Border colour by the worst finding on a node.
pub fn border(c: &Counts) -> (&'static str, f32) {
    if c.error > 0 {
        ("#d62728", 3.0)
    } else if c.warning > 0 {
        ("#e07b00", 2.5)
    } else if c.info > 0 {
        ("#1f77b4", 2.0)
    } else {
        ("#888888", 1.0)
    }
}

/// The graph in Graphviz DOT (left to right: triggers, functions, what they use).
pub fn to_dot(g: &GraphData, title: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!("digraph \"{}\" {{\n", dot_escape(title)));
    s.push_str("  rankdir=LR; nodesep=0.25; ranksep=0.6; bgcolor=\"transparent\";\n");
    s.push_str("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, margin=\"0.12,0.06\"];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\", arrowsize=0.7];\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let (color, width) = border(&n.findings);
        let mut label = format!("{}\\n{}", dot_escape(&n.id), dot_escape(&n.type_label));
        if n.findings.total() > 0 {
            label.push_str(&format!(
                "\\n⚠ {} finding{}",
                n.findings.total(),
                if n.findings.total() == 1 { "" } else { "s" }
            ));
        }
        let style = if n.synthetic {
            "rounded,filled,dashed"
        } else {
            "rounded,filled"
        };
        s.push_str(&format!(
            "  n{i} [label=\"{label}\", fillcolor=\"{}\", color=\"{color}\", penwidth={width}, style=\"{style}\", tooltip=\"{}\"{}];\n",
            n.kind.fill(),
            dot_escape(&n.id),
            if n.findings.total() > 0 {
                ", fontcolor=\"#222222\""
            } else {
                ""
            }
        ));
    }
    for e in &g.edges {
        let attrs = match e.kind {
            EdgeKind::Invokes => format!("label=\"{}\", color=\"#333333\"", dot_escape(&e.label)),
            EdgeKind::References => "style=dashed".to_string(),
            EdgeKind::Role => "style=dotted, arrowhead=none".to_string(),
            EdgeKind::Route => format!("color=\"#2b7a78\", label=\"{}\"", dot_escape(&e.label)),
        };
        s.push_str(&format!("  n{} -> n{} [{attrs}];\n", e.from, e.to));
    }
    s.push_str("}\n");
    s
}
