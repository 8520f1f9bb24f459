//! Typed views over a template: functions (Globals merged), event sources, permissions, graph.

pub mod database;
pub mod events;
pub mod function;
pub mod iam;
pub mod iam_actions;
pub mod network;
pub mod template;
pub mod validate;

use indexmap::IndexMap;

use crate::graph::ResourceGraph;
pub use events::{EventSource, Mode};
pub use function::{Function, Prop, RoleRef};
pub use iam::FunctionIam;
pub use template::{Known, Resource, Target, Template};

/// One application: a template and everything derived from it.
#[derive(Debug)]
pub struct App {
    pub tpl: Template,
    pub functions: IndexMap<String, Function>,
    pub events: Vec<EventSource>,
    pub iam: IndexMap<String, FunctionIam>,
    pub graph: ResourceGraph,
    /// Indexes into `events` per function (keeps per-function lookups linear on huge templates).
    pub events_by_function: std::collections::HashMap<String, Vec<usize>>,
}

impl App {
    pub fn new(tpl: Template) -> Self {
        let functions: IndexMap<String, Function> = tpl
            .resources
            .values()
            .filter_map(|r| Function::from_resource(&tpl, r))
            .map(|f| (f.id.clone(), f))
            .collect();
        let events = events::collect(&tpl, &functions);
        let attached = iam::attached_policies(&tpl);
        let iam = functions
            .values()
            .map(|f| (f.id.clone(), iam::function_iam(&tpl, f, &attached)))
            .collect();
        let graph = ResourceGraph::build(&tpl, &functions, &events);
        let mut events_by_function: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, e) in events.iter().enumerate() {
            events_by_function
                .entry(e.function.clone())
                .or_default()
                .push(i);
        }
        App {
            tpl,
            functions,
            events,
            iam,
            graph,
            events_by_function,
        }
    }

    /// Event sources invoking a function.
    pub fn events_of<'a>(
        &'a self,
        function: &'a str,
    ) -> impl Iterator<Item = &'a EventSource> + 'a {
        self.events_by_function
            .get(function)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(|i| self.events.get(*i))
    }
}
