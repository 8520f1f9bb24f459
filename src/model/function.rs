//! Lambda functions (SAM and plain CloudFormation) with SAM `Globals` merged in this one place.

use crate::load::NodeId;
use crate::model::template::{Resource, Target, Template};
use crate::source::Span;

pub const SAM_FUNCTION: &str = "AWS::Serverless::Function";
pub const CFN_FUNCTION: &str = "AWS::Lambda::Function";

/// Where an effective property value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prop {
    pub node: NodeId,
    /// Span of the property key (in the function or in `Globals.Function`).
    pub key_span: Span,
    pub from_globals: bool,
}

/// The execution role of a function.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleRef {
    /// An `AWS::IAM::Role` of this template.
    Template(String),
    /// The role SAM generates from `Policies` (no `Role` property).
    SamGenerated,
    /// A role outside the template (an ARN string, a parameter, an import): its policies are unknown.
    External(String),
    /// No role at all (an invalid plain CloudFormation function).
    Missing,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub id: String,
    pub sam: bool,
    pub role: RoleRef,
}

impl Function {
    pub fn from_resource(tpl: &Template, r: &Resource) -> Option<Function> {
        let sam = match r.type_.as_str() {
            SAM_FUNCTION => true,
            CFN_FUNCTION => false,
            _ => return None,
        };
        let role = match tpl.prop(r, "Role") {
            None if sam => RoleRef::SamGenerated,
            None => RoleRef::Missing,
            Some(n) => match tpl.target(n) {
                Target::Resource { id, .. }
                    if tpl
                        .resource(&id)
                        .is_some_and(|x| x.type_ == "AWS::IAM::Role") =>
                {
                    RoleRef::Template(id)
                }
                Target::Resource { id, .. } => RoleRef::External(format!("`{id}`")),
                Target::Literal(s) => RoleRef::External(s),
                Target::Parameter(p) => RoleRef::External(format!("parameter `{p}`")),
                Target::Unknown(why) => RoleRef::External(why),
            },
        };
        Some(Function {
            id: r.id.clone(),
            sam,
            role,
        })
    }

    pub fn resource<'t>(&self, tpl: &'t Template) -> Option<&'t Resource> {
        tpl.resource(&self.id)
    }

    /// Does `Globals.Function` apply to property `name` of this function? Only for SAM functions, and
    /// not when the resource attribute `IgnoreGlobals` is `"*"` or lists the property.
    pub fn uses_globals(&self, tpl: &Template, name: &str) -> bool {
        self.sam
            && self
                .resource(tpl)
                .is_none_or(|r| tpl.takes_globals(r, name))
    }

    /// The effective value of a property: the function's own, else `Globals.Function` (SAM only,
    /// unless `IgnoreGlobals` excludes it).
    pub fn prop(&self, tpl: &Template, name: &str) -> Option<Prop> {
        let r = self.resource(tpl)?;
        if let Some(props) = r.properties
            && let Some(m) = tpl.doc.as_map(props)
            && let Some(node) = m.get(name)
        {
            return Some(Prop {
                node,
                key_span: m.key_span(name).unwrap_or_default(),
                from_globals: false,
            });
        }
        if self.uses_globals(tpl, name)
            && let Some(g) = tpl.globals_function
            && let Some(m) = tpl.doc.as_map(g)
            && let Some(node) = m.get(name)
        {
            return Some(Prop {
                node,
                key_span: m.key_span(name).unwrap_or_default(),
                from_globals: true,
            });
        }
        None
    }

    /// A nested property (`["Environment", "Variables"]`) with the SAM map-merge rule: keys of the
    /// function win, keys only in `Globals` still count (`IgnoreGlobals` as in [`Function::prop`]).
    pub fn nested(&self, tpl: &Template, path: &[&str]) -> Vec<Prop> {
        let Some((first, rest)) = path.split_first() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let r = self.resource(tpl);
        let own = r
            .and_then(|r| r.properties)
            .and_then(|p| tpl.doc.get(p, first));
        let glob = if self.uses_globals(tpl, first) {
            tpl.globals_function.and_then(|g| tpl.doc.get(g, first))
        } else {
            None
        };
        for (base, from_globals) in [(own, false), (glob, true)] {
            let Some(mut node) = base else { continue };
            let mut key_span = Span::default();
            let mut ok = true;
            for k in rest {
                match tpl
                    .doc
                    .as_map(node)
                    .and_then(|m| Some((m.get(k)?, m.key_span(k)?)))
                {
                    Some((n, ks)) => {
                        node = n;
                        key_span = ks;
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                out.push(Prop {
                    node,
                    key_span,
                    from_globals,
                });
            }
        }
        out
    }

    /// Span to point at when a property is missing: the logical id of the function.
    pub fn anchor(&self, tpl: &Template) -> Span {
        self.resource(tpl).map(|r| r.key_span).unwrap_or_default()
    }

    /// The `Events` map of a SAM function.
    pub fn sam_events(&self, tpl: &Template) -> Option<NodeId> {
        if !self.sam {
            return None;
        }
        let r = self.resource(tpl)?;
        tpl.prop(r, "Events")
    }
}
