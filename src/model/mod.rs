//! Typed views over a template: functions (Globals merged), event sources, permissions, graph.

pub mod database;
pub mod events;
pub mod failure;
pub mod function;
pub mod iam;
pub mod iam_actions;
pub mod network;
pub mod template;

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
        App {
            tpl,
            functions,
            events,
            iam,
            graph,
        }
    }

    /// Event sources invoking a function.
    pub fn events_of<'a>(
        &'a self,
        function: &'a str,
    ) -> impl Iterator<Item = &'a EventSource> + 'a {
        self.events.iter().filter(move |e| e.function == function)
    }
}
