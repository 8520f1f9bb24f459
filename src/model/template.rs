//! A loaded template: its resources, parameters, conditions, and value evaluation that never guesses.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};

use crate::load::{Document, Loaded, NodeId, Value};
use crate::source::{SourceFile, Span};

/// One entry of `Resources`.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub type_: String,
    /// The resource's mapping node.
    pub node: NodeId,
    /// Span of the logical id key.
    pub key_span: Span,
    pub properties: Option<NodeId>,
    pub condition: Option<String>,
}

/// A value as far as the template alone can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Known<T> {
    Yes(T),
    /// Not decidable from the template (a parameter, an import, a condition...): the reason.
    Unknown(String),
}

impl<T> Known<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Known::Yes(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }
}

/// What a reference-like value points at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A resource of this template (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`).
    Resource {
        id: String,
        attr: Option<String>,
    },
    Parameter(String),
    Literal(String),
    Unknown(String),
}

#[derive(Debug)]
pub struct Template {
    pub file: Arc<SourceFile>,
    pub doc: Document,
    pub comments: Vec<(Span, String)>,
    pub is_sam: bool,
    pub parameters: IndexSet<String>,
    pub conditions: IndexSet<String>,
    pub resources: IndexMap<String, Resource>,
    /// Positions in `resources` by type (rules ask for the resources of a type once per
    /// function: a scan of every resource each time was quadratic in large templates).
    by_type: HashMap<String, Vec<usize>>,
    /// `Globals.Function`, when present.
    pub globals_function: Option<NodeId>,
    /// How the user wrote it (CloudFormation, `serverless.yml`, CDK) and how findings map back.
    pub origin: crate::model::dialect::Origin,
}

impl Template {
    pub fn new(file: Arc<SourceFile>, loaded: Loaded) -> Self {
        let Loaded { doc, comments, .. } = loaded;
        let root = doc.root;
        let top = |k: &str| root.and_then(|r| doc.get(r, k));
        let is_sam = top("Transform").is_some_and(|t| {
            doc.one_or_many(t).iter().any(|n| {
                doc.as_str(*n)
                    .is_some_and(|s| s.starts_with("AWS::Serverless"))
            })
        });
        let keys = |k: &str| -> IndexSet<String> {
            top(k)
                .and_then(|n| doc.as_map(n))
                .map(|m| m.iter().map(|(k, _, _)| k.to_string()).collect())
                .unwrap_or_default()
        };
        let parameters = keys("Parameters");
        let conditions = keys("Conditions");
        let mut resources = IndexMap::new();
        if let Some(m) = top("Resources").and_then(|n| doc.as_map(n)) {
            for (id, key_span, node) in m.iter() {
                let type_ = doc
                    .get(node, "Type")
                    .and_then(|t| doc.as_str(t))
                    .unwrap_or("")
                    .to_string();
                let properties = doc
                    .get(node, "Properties")
                    .filter(|p| doc.as_map(*p).is_some());
                let condition = doc
                    .get(node, "Condition")
                    .and_then(|c| doc.as_str(c))
                    .map(str::to_string);
                resources.insert(
                    id.to_string(),
                    Resource {
                        id: id.to_string(),
                        type_,
                        node,
                        key_span,
                        properties,
                        condition,
                    },
                );
            }
        }
        let globals_function = top("Globals")
            .and_then(|g| doc.get(g, "Function"))
            .filter(|f| doc.as_map(*f).is_some());
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in resources.values().enumerate() {
            by_type.entry(r.type_.clone()).or_default().push(i);
        }
        Template {
            file,
            doc,
            comments,
            is_sam,
            parameters,
            conditions,
            resources,
            by_type,
            globals_function,
            origin: crate::model::dialect::Origin::default(),
        }
    }

    /// A template lowered from another source form (`serverless.yml`, a CDK cloud assembly).
    pub fn lowered(
        file: Arc<SourceFile>,
        loaded: Loaded,
        origin: crate::model::dialect::Origin,
    ) -> Self {
        let mut t = Template::new(file, loaded);
        t.origin = origin;
        t
    }

    /// The source form of the template: rules word their help with [`crate::model::dialect::Dialect::say`].
    pub fn dialect(&self) -> crate::model::dialect::Dialect {
        self.origin.dialect
    }

    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.get(id)
    }

    /// A section of SAM `Globals` (`Function`, `Api`, `HttpApi`, `StateMachine`...), when it is a
    /// map and the template is a SAM template.
    pub fn globals(&self, section: &str) -> Option<NodeId> {
        if !self.is_sam {
            return None;
        }
        let root = self.doc.root?;
        self.doc
            .get_path(root, &["Globals", section])
            .filter(|n| self.doc.as_map(*n).is_some())
    }

    /// Does SAM `Globals` apply to property `name` of a SAM resource? Not when its resource
    /// attribute `IgnoreGlobals` is `"*"` or lists the property.
    pub fn takes_globals(&self, r: &Resource, name: &str) -> bool {
        let Some(ignore) = self.doc.get(r.node, "IgnoreGlobals") else {
            return true;
        };
        let doc = &self.doc;
        if let Some(s) = doc.as_str(ignore) {
            return s != "*";
        }
        match doc.as_seq(ignore) {
            Some(items) => !items.iter().any(|&i| doc.as_str(i) == Some(name)),
            // Any other shape is rejected by the SAM translator: keep the Globals.
            None => true,
        }
    }

    pub fn resources_of<'a>(&'a self, type_: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.by_type
            .get(type_)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.resources.get_index(i).map(|(_, r)| r))
    }

    /// A property of a resource.
    pub fn prop(&self, r: &Resource, name: &str) -> Option<NodeId> {
        self.doc.get(r.properties?, name)
    }

    /// Span of a property's key inside a map node.
    pub fn key_span(&self, map: NodeId, key: &str) -> Option<Span> {
        self.doc.as_map(map)?.key_span(key)
    }

    /// What a node refers to.
    pub fn target(&self, node: NodeId) -> Target {
        let doc = &self.doc;
        if let Some(s) = doc.scalar_text(node) {
            return Target::Literal(s);
        }
        let Some((f, arg)) = doc.intrinsic(node) else {
            return Target::Unknown("not a scalar".into());
        };
        match f {
            "Ref" => match doc.as_str(arg) {
                Some(name) if self.resources.contains_key(name) => Target::Resource {
                    id: name.to_string(),
                    attr: None,
                },
                Some(name) if self.parameters.contains(name) => Target::Parameter(name.to_string()),
                Some(name) if name.starts_with("AWS::") => {
                    Target::Unknown(format!("pseudo parameter `{name}`"))
                }
                Some(name) => Target::Unknown(format!("`{name}` is not defined in this template")),
                None => Target::Unknown("`Ref` to a computed name".into()),
            },
            "Fn::GetAtt" => {
                let parts = doc.as_seq(arg).unwrap_or(&[]);
                let id = parts.first().and_then(|n| doc.as_str(*n));
                let attr = parts.get(1).and_then(|n| doc.as_str(*n));
                match id {
                    Some(id) if self.resources.contains_key(id) => Target::Resource {
                        id: id.to_string(),
                        attr: attr.map(str::to_string),
                    },
                    _ => Target::Unknown("`Fn::GetAtt` on an unknown resource".into()),
                }
            }
            "Fn::Sub" => {
                let text = doc.as_str(arg).or_else(|| {
                    doc.as_seq(arg)
                        .and_then(|s| s.first())
                        .and_then(|n| doc.as_str(*n))
                });
                let Some(text) = text else {
                    return Target::Unknown("computed `Fn::Sub`".into());
                };
                let vars = sub_variables(text);
                if vars.is_empty() {
                    return Target::Literal(text.replace("${!", "${"));
                }
                // `${X}` or `${X.Arn}` alone, or inside an ARN: the first resource variable.
                for v in &vars {
                    let (id, attr) = match v.split_once('.') {
                        Some((a, b)) => (a, Some(b.to_string())),
                        None => (v.as_str(), None),
                    };
                    if self.resources.contains_key(id) {
                        return Target::Resource {
                            id: id.to_string(),
                            attr,
                        };
                    }
                }
                Target::Unknown(format!("`Fn::Sub` with `${{{}}}`", vars.join("}`, `${")))
            }
            "Fn::ImportValue" => Target::Unknown("`Fn::ImportValue` from another stack".into()),
            // A value a lowered source form could not resolve offline (`${ssm:...}`): the reason.
            crate::model::dialect::UNRESOLVED => {
                Target::Unknown(doc.as_str(arg).unwrap_or("an unresolved value").to_string())
            }
            "Fn::If" => Target::Unknown("depends on a condition (`Fn::If`)".into()),
            other => Target::Unknown(format!("computed by `{other}`")),
        }
    }

    /// Logical id of the template resource a node points at (Ref, GetAtt, Sub), if any.
    pub fn ref_resource(&self, node: NodeId) -> Option<&str> {
        match self.target(node) {
            Target::Resource { id, .. } => {
                self.resources.get_key_value(&id).map(|(k, _)| k.as_str())
            }
            _ => None,
        }
    }

    /// A number, when the template fixes it (numbers and numeric strings).
    pub fn number(&self, node: NodeId) -> Known<f64> {
        match self.doc.value(node) {
            Value::Number { num, .. } => Known::Yes(*num),
            Value::Str(s) => match s.trim().parse::<f64>() {
                Ok(v) => Known::Yes(v),
                Err(_) => Known::Unknown(format!("`{s}` is not a number")),
            },
            _ => self.unknown_reason(node),
        }
    }

    /// A string, when the template fixes it (literal or `Fn::Sub` without variables).
    pub fn string(&self, node: NodeId) -> Known<String> {
        match self.target(node) {
            Target::Literal(s) => Known::Yes(s),
            Target::Parameter(p) => Known::Unknown(format!("the value of parameter `{p}`")),
            Target::Resource { id, .. } => Known::Unknown(format!("a reference to `{id}`")),
            Target::Unknown(r) => Known::Unknown(r),
        }
    }

    pub fn boolean(&self, node: NodeId) -> Known<bool> {
        match self.doc.value(node) {
            Value::Bool(b) => Known::Yes(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Known::Yes(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Known::Yes(false),
            _ => self.unknown_reason(node),
        }
    }

    fn unknown_reason<T>(&self, node: NodeId) -> Known<T> {
        match self.target(node) {
            Target::Parameter(p) => Known::Unknown(format!("the value of parameter `{p}`")),
            Target::Unknown(r) => Known::Unknown(r),
            Target::Resource { id, .. } => Known::Unknown(format!("a reference to `{id}`")),
            Target::Literal(s) => Known::Unknown(format!("`{s}`")),
        }
    }

    /// Does a node contain an `Fn::If` or a parameter reference anywhere (a value we must not judge)?
    pub fn is_conditional(&self, node: NodeId) -> bool {
        matches!(self.doc.intrinsic(node), Some(("Fn::If", _)))
    }
}

/// Variable names in a `Fn::Sub` string (`${Name}`, `${Res.Attr}`; `${!Literal}` is skipped).
pub fn sub_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = rest.get(i + 2..).unwrap_or("");
        let Some(end) = after.find('}') else { break };
        let name = after.get(..end).unwrap_or("");
        if !name.starts_with('!') && !name.is_empty() {
            out.push(name.trim().to_string());
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}
