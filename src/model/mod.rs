//! Typed views over a template: functions (Globals merged), event sources, permissions, graph.

pub mod api;
pub mod concurrency;
pub mod connectors;
pub mod database;
pub mod dialect;
pub mod dynamodb;
pub mod events;
pub mod function;
pub mod iam;
pub mod iam_actions;
pub mod network;
pub mod runtimes;
pub mod security_groups;
pub mod stepfunctions;
pub mod template;
pub mod validate;

use std::sync::OnceLock;

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
    /// Views built on first use and shared by the rules that need them.
    lazy: Lazy,
    /// Where files the template points at may be read from (definition files...).
    scope: Option<crate::fsx::Scope>,
}

#[derive(Debug, Default)]
struct Lazy {
    apis: OnceLock<api::Apis>,
    state_machines: OnceLock<Vec<stepfunctions::StateMachine>>,
    security_groups: OnceLock<security_groups::SecurityGroups>,
    tables: OnceLock<Vec<dynamodb::Table>>,
    links: OnceLock<network::FunctionLinks>,
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
        let grants = connectors::grants(&tpl);
        let mut by_role = std::collections::HashMap::new();
        let iam = functions
            .values()
            .map(|f| {
                let x = iam::function_iam(&tpl, f, &attached, &grants, &mut by_role);
                (f.id.clone(), x)
            })
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
            lazy: Lazy::default(),
            scope: None,
        }
    }

    /// The same application, reading the files its template points at through `scope` (without
    /// one: the default scope of the template's project).
    pub fn with_scope(mut self, scope: crate::fsx::Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// API Gateway APIs and stages (built once).
    pub fn apis(&self) -> &api::Apis {
        self.lazy.apis.get_or_init(|| api::collect(self))
    }

    /// Step Functions state machines and their task states (built once; local definition files
    /// are read here).
    pub fn state_machines(&self) -> &[stepfunctions::StateMachine] {
        self.lazy.state_machines.get_or_init(|| {
            let scope = self
                .scope
                .clone()
                .unwrap_or_else(|| crate::fsx::Access::default().scope_for(&self.tpl.file.path));
            stepfunctions::collect(&self.tpl, &scope)
        })
    }

    /// Security groups and their rules (built once).
    pub fn security_groups(&self) -> &security_groups::SecurityGroups {
        self.lazy
            .security_groups
            .get_or_init(|| security_groups::collect(&self.tpl))
    }

    /// DynamoDB tables, their capacity and callers (built once).
    pub fn tables(&self) -> &[dynamodb::Table] {
        self.lazy.tables.get_or_init(|| dynamodb::tables(self))
    }

    /// Links from other resources to functions (built once).
    pub fn links(&self) -> &network::FunctionLinks {
        self.lazy
            .links
            .get_or_init(|| network::FunctionLinks::new(&self.tpl))
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
