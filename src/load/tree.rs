//! The arena tree every template is loaded into. YAML and JSON produce the same shape; short-form
//! tags are already normalised to the long form (`!Ref X` is a one-key map `{Ref: X}`).

use indexmap::IndexMap;

use crate::source::Span;

/// Index of a node in its [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A map key with its own span.
#[derive(Debug, Clone)]
pub struct Key {
    pub text: Box<str>,
    pub span: Span,
}

/// A mapping: keys in source order, last duplicate wins (duplicates are reported by the loader).
/// Boxed so that every [`Node`] stays small (most nodes are scalars).
#[derive(Debug, Clone, Default)]
pub struct Map {
    pub entries: Box<IndexMap<Box<str>, (Span, NodeId)>>,
}

impl Map {
    pub fn get(&self, key: &str) -> Option<NodeId> {
        self.entries.get(key).map(|(_, v)| *v)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.get(key).map(|(s, _)| *s)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Span, NodeId)> {
        self.entries.iter().map(|(k, (s, v))| (k.as_ref(), *s, *v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A scalar or collection value.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, kept as written (`017`, `1_000`, `0x1F` are resolved into `num`).
    Number {
        num: f64,
        text: Box<str>,
    },
    Str(Box<str>),
    Seq(Vec<NodeId>),
    Map(Map),
    /// A YAML alias (`*name`): never expanded, reported by the loader.
    Alias,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A loaded template: the arena and its root.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
}

impl Document {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.0 as usize)
    }

    pub fn value(&self, id: NodeId) -> &Value {
        self.node(id).map_or(&Value::Null, |n| &n.value)
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).map_or(Span::default(), |n| n.span)
    }

    pub fn push(&mut self, value: Value, span: Span) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node { value, span });
        id
    }

    pub fn set(&mut self, id: NodeId, value: Value, span: Span) {
        if let Some(n) = self.nodes.get_mut(id.0 as usize) {
            n.value = value;
            n.span = span;
        }
    }

    pub fn as_map(&self, id: NodeId) -> Option<&Map> {
        match self.value(id) {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.value(id) {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        match self.value(id) {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text (numbers as written, booleans as `true`/`false`).
    pub fn scalar_text(&self, id: NodeId) -> Option<String> {
        match self.value(id) {
            Value::Str(s) => Some(s.to_string()),
            Value::Number { text, .. } => Some(text.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Child of a map by key.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.as_map(id)?.get(key)
    }

    /// Follow a path of map keys.
    pub fn get_path(&self, id: NodeId, path: &[&str]) -> Option<NodeId> {
        path.iter().try_fold(id, |n, k| self.get(n, k))
    }

    /// A one-key map whose key is an intrinsic function (`Ref`, `Fn::*`, `Condition`).
    pub fn intrinsic(&self, id: NodeId) -> Option<(&str, NodeId)> {
        let m = self.as_map(id)?;
        if m.len() != 1 {
            return None;
        }
        let (k, _, v) = m.iter().next()?;
        (k == "Ref" || k.starts_with("Fn::") || k == "Condition").then_some((k, v))
    }

    /// Items of a sequence, or the node itself when it is a single value (IAM allows both).
    pub fn one_or_many(&self, id: NodeId) -> Vec<NodeId> {
        match self.value(id) {
            Value::Seq(s) => s.clone(),
            _ => vec![id],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_stay_small() {
        // 8M nodes must fit in memory: keep the arena entry compact.
        assert!(
            std::mem::size_of::<Node>() <= 40,
            "{}",
            std::mem::size_of::<Node>()
        );
    }
}
