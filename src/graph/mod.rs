//! The resource graph: resources as nodes, typed relations as edges.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::load::{NodeId, Value};
use crate::model::events::{EventSource, Mode};
use crate::model::function::{Function, RoleRef};
use crate::model::template::{Template, sub_variables};

#[derive(Debug, Clone, PartialEq)]
pub enum Edge {
    /// `Ref`, `Fn::GetAtt` or a `Fn::Sub` variable, from the resource that writes it.
    References,
    DependsOn,
    /// From an event source (or the resource declaring it) to the function.
    Invokes(Mode),
    /// From a function to its execution role.
    UsesRole,
}

#[derive(Debug, Default)]
pub struct ResourceGraph {
    pub graph: StableDiGraph<String, Edge>,
    pub index: HashMap<String, NodeIndex>,
}

impl ResourceGraph {
    pub fn build(
        tpl: &Template,
        functions: &indexmap::IndexMap<String, Function>,
        events: &[EventSource],
    ) -> Self {
        let mut g = ResourceGraph::default();
        for id in tpl.resources.keys() {
            let ix = g.graph.add_node(id.clone());
            g.index.insert(id.clone(), ix);
        }
        for r in tpl.resources.values() {
            let Some(&from) = g.index.get(&r.id) else {
                continue;
            };
            let mut targets = Vec::new();
            if let Some(p) = r.properties {
                collect_refs(tpl, p, &mut targets);
            }
            for t in targets {
                if let Some(&to) = g.index.get(&t)
                    && to != from
                {
                    g.graph.add_edge(from, to, Edge::References);
                }
            }
            if let Some(d) = tpl.doc.get(r.node, "DependsOn") {
                for n in tpl.doc.one_or_many(d) {
                    if let Some(s) = tpl.doc.as_str(n)
                        && let Some(&to) = g.index.get(s)
                    {
                        g.graph.add_edge(from, to, Edge::DependsOn);
                    }
                }
            }
        }
        for e in events {
            let src = e.source.as_ref().unwrap_or(&e.declared_in);
            if let (Some(&a), Some(&b)) = (g.index.get(src), g.index.get(&e.function)) {
                g.graph.add_edge(a, b, Edge::Invokes(e.mode));
            }
        }
        for f in functions.values() {
            if let RoleRef::Template(role) = &f.role
                && let (Some(&a), Some(&b)) = (g.index.get(&f.id), g.index.get(role))
            {
                g.graph.add_edge(a, b, Edge::UsesRole);
            }
        }
        g
    }

    /// Logical ids this resource points at with an edge of the given kind.
    pub fn outgoing<'a>(&'a self, id: &str, pred: impl Fn(&Edge) -> bool + 'a) -> Vec<&'a str> {
        let Some(&ix) = self.index.get(id) else {
            return Vec::new();
        };
        self.graph
            .edges_directed(ix, Direction::Outgoing)
            .filter(|e| pred(e.weight()))
            .filter_map(|e| self.graph.node_weight(e.target()).map(String::as_str))
            .collect()
    }

    /// Logical ids pointing at this resource with an edge of the given kind.
    pub fn incoming<'a>(&'a self, id: &str, pred: impl Fn(&Edge) -> bool + 'a) -> Vec<&'a str> {
        let Some(&ix) = self.index.get(id) else {
            return Vec::new();
        };
        self.graph
            .edges_directed(ix, Direction::Incoming)
            .filter(|e| pred(e.weight()))
            .filter_map(|e| self.graph.node_weight(e.source()).map(String::as_str))
            .collect()
    }
}

/// Every resource referenced anywhere below a node (iterative: no recursion on deep input).
pub fn collect_refs(tpl: &Template, root: NodeId, out: &mut Vec<String>) {
    let doc = &tpl.doc;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Map(m) => {
                if m.len() == 1
                    && let Some((k, _, v)) = m.iter().next()
                {
                    match k {
                        "Ref" => {
                            if let Some(s) = doc.as_str(v)
                                && tpl.resources.contains_key(s)
                            {
                                out.push(s.to_string());
                            }
                            continue;
                        }
                        "Fn::GetAtt" => {
                            if let Some(s) = doc
                                .as_seq(v)
                                .and_then(|s| s.first())
                                .and_then(|x| doc.as_str(*x))
                                && tpl.resources.contains_key(s)
                            {
                                out.push(s.to_string());
                            }
                            continue;
                        }
                        "Fn::Sub" => {
                            let text = doc.as_str(v).or_else(|| {
                                doc.as_seq(v)
                                    .and_then(|s| s.first())
                                    .and_then(|x| doc.as_str(*x))
                            });
                            if let Some(text) = text {
                                for var in sub_variables(text) {
                                    let id = var.split('.').next().unwrap_or("");
                                    if tpl.resources.contains_key(id) {
                                        out.push(id.to_string());
                                    }
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
}
