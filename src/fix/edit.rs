//! The edit builders every fix is made of: set a scalar, insert a key into a mapping (YAML block,
//! YAML flow, JSON), insert a top-level section, add an item to a list, add a resource with a
//! fresh logical id. Each is a minimal text edit at known byte spans: the rest of the document
//! (comments, key order, quoting, flow/block style, indentation, line endings) is never touched.

use super::style::{Style, column, dash_of, is_block_map, is_block_seq};
use super::val::{Val, json_str, json_value, yaml_block_entries, yaml_block_items, yaml_flow};
use super::{Applicability, Edit, Fix};
use crate::load::{NodeId, Value};
use crate::model::Template;
use crate::source::{Format, Span};

/// Builds the edits of one fix against one template. Every builder returns `None` when the
/// template is not in a shape it can edit safely; the fix is then not offered.
pub struct Editor<'a> {
    pub tpl: &'a Template,
    pub style: &'a Style,
    text: &'a str,
    edits: Vec<Edit>,
    claims: Vec<String>,
    new_ids: Vec<String>,
}

/// The last entry of a mapping (in source order), in constant time.
fn last_entry(m: &crate::load::Map) -> Option<(&str, Span, NodeId)> {
    m.entries.last().map(|(k, (s, v))| (k.as_ref(), *s, *v))
}

/// Suffixes SAM appends to a resource's logical id for the resources it generates.
const SAM_SUFFIXES: &[&str] = &[
    "Role",
    "EventInvokeConfig",
    "Alias",
    "Version",
    "Deployment",
    "Stage",
    "Url",
    "Policy",
    "Permission",
    "CodeDeploy",
    "Domain",
    "ApiMapping",
    "BasePathMapping",
];

impl<'a> Editor<'a> {
    pub fn new(tpl: &'a Template, style: &'a Style) -> Self {
        Editor {
            tpl,
            style,
            text: &tpl.file.text,
            edits: Vec::new(),
            claims: Vec::new(),
            new_ids: Vec::new(),
        }
    }

    fn json(&self) -> bool {
        self.style.format == Format::Json
    }

    fn nl(&self) -> &'static str {
        self.style.nl
    }

    fn span(&self, id: NodeId) -> Span {
        self.tpl.doc.span(id)
    }

    fn line_of(&self, offset: u32) -> usize {
        self.tpl.file.lines.line_of(offset)
    }

    fn line_start_of(&self, offset: u32) -> u32 {
        self.tpl.file.lines.line_start(self.line_of(offset))
    }

    /// The whitespace before `offset` on its line, when there is only whitespace.
    fn lead(&self, offset: u32) -> Option<&'a str> {
        let s = self
            .text
            .get(self.line_start_of(offset) as usize..offset as usize)?;
        s.chars().all(|c| c == ' ' || c == '\t').then_some(s)
    }

    /// End of the last non-blank character of a node (block scalars and block collections end
    /// after trailing blank lines).
    fn content_end(&self, id: NodeId) -> u32 {
        let sp = self.span(id);
        let bytes = self.text.as_bytes();
        let mut e = sp.end as usize;
        while e > sp.start as usize && bytes.get(e - 1).is_some_and(u8::is_ascii_whitespace) {
            e -= 1;
        }
        u32::try_from(e).unwrap_or(sp.end)
    }

    /// Where the text after a block collection goes: the start of the line after `end`, and
    /// whether a line break has to come first (the collection ends the file without one).
    fn after_line(&self, end: u32) -> (u32, bool) {
        match self.text.get(end as usize..).and_then(|r| r.find('\n')) {
            Some(i) => (end + u32::try_from(i + 1).unwrap_or(0), false),
            None => (u32::try_from(self.text.len()).unwrap_or(u32::MAX), true),
        }
    }

    /// Does the last scalar of this block collection keep its trailing line breaks (`|+`)? Text
    /// inserted after it would then change its value.
    fn ends_with_kept_scalar(&self, id: NodeId) -> bool {
        let doc = &self.tpl.doc;
        let mut n = id;
        loop {
            match doc.value(n) {
                Value::Map(m) => match last_entry(m) {
                    Some((_, _, v)) => n = v,
                    None => return false,
                },
                Value::Seq(s) => match s.last() {
                    Some(v) => n = *v,
                    None => return false,
                },
                Value::Str(_) => break,
                _ => return false,
            }
        }
        let start = self.span(n).start;
        let line = self.line_of(start);
        // Block scalar content starts on a line of its own, under its indicator line.
        if line == 0 || self.lead(start).is_none() {
            return false;
        }
        let lines = &self.tpl.file.lines;
        let prev = self
            .text
            .get(lines.line_start(line - 1) as usize..lines.line_start(line) as usize)
            .unwrap_or("");
        let Some(ind) = prev.rfind(['|', '>']) else {
            return false;
        };
        prev.get(ind + 1..)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '+' || *c == '-')
            .any(|c| c == '+')
    }

    fn claim(&mut self, c: String) {
        self.claims.push(c);
    }

    fn push_edit(&mut self, span: Span, text: String) {
        self.push_block(span, text, 0);
    }

    fn push_block(&mut self, span: Span, text: String, depth: usize) {
        self.edits.push(Edit {
            span,
            text,
            depth: u32::try_from(depth).unwrap_or(u32::MAX),
        });
    }

    /// Is `id` a mapping the builders may write into (not an intrinsic function)?
    fn plain_map(&self, id: NodeId) -> bool {
        self.tpl.doc.as_map(id).is_some() && self.tpl.doc.intrinsic(id).is_none()
    }

    // ---------------------------------------------------------------- builders

    /// Replace a one-line scalar (number, string, boolean) by `v`, keeping its quoting.
    pub fn set(&mut self, node: NodeId, v: &Val) -> Option<()> {
        let doc = &self.tpl.doc;
        let sp = self.span(node);
        let old = self.text.get(sp.range())?;
        if old.is_empty() || old.contains('\n') {
            return None;
        }
        let quote = match old.as_bytes().first() {
            Some(b'"') => Some('"'),
            Some(b'\'') => Some('\''),
            _ => None,
        };
        match (doc.value(node), quote) {
            (Value::Number { .. } | Value::Bool(_), None) => {}
            (Value::Str(s), None) if s.as_ref() == old => {}
            (Value::Str(_), Some(_)) => {}
            _ => return None,
        }
        let new = match (v, quote) {
            (Val::Int(n), Some('"')) => format!("\"{n}\""),
            (Val::Int(n), Some(_)) => format!("'{n}'"),
            (Val::Int(n), None) => n.to_string(),
            (Val::Bool(b), Some('"')) => format!("\"{b}\""),
            (Val::Bool(b), Some(_)) => format!("'{b}'"),
            (Val::Bool(b), None) => b.to_string(),
            (Val::Str(s), Some('"')) => json_str(s),
            (Val::Str(s), Some(_)) => super::val::yaml_quoted(s, false),
            (Val::Str(s), None) if self.json() => json_str(s),
            (Val::Str(s), None) => super::val::yaml_str(s, true, self.style),
            (other, _) if self.json() => {
                let indent = self.lead_of_line(sp.start);
                json_value(other, &indent, self.style.json_multiline, self.style)
            }
            (other, _) => yaml_flow(other, self.style),
        };
        self.claim(format!("node:{}", sp.start));
        self.push_edit(sp, new);
        Some(())
    }

    /// The value of the mapping entry whose key is written at `key_span` (rules that report at a
    /// key).
    pub fn value_at_key(&self, key_span: Span) -> Option<NodeId> {
        self.tpl.doc.nodes.iter().find_map(|n| match &n.value {
            Value::Map(m) if n.span.start <= key_span.start && key_span.end <= n.span.end => m
                .iter()
                .find(|(_, ks, _)| *ks == key_span)
                .map(|(_, _, v)| v),
            _ => None,
        })
    }

    /// Insert `path = v` under the mapping `map`, creating the missing intermediate mappings
    /// (`["Properties", "Timeout"]` on a resource without `Properties`). `None` when the key is
    /// already there or a step is not a plain mapping.
    pub fn insert(&mut self, map: NodeId, path: &[&str], v: Val) -> Option<()> {
        let doc = &self.tpl.doc;
        let mut cur = map;
        let mut i = 0;
        while i + 1 < path.len() {
            let k = path.get(i)?;
            match doc.get(cur, k) {
                Some(child) if self.plain_map(child) => {
                    cur = child;
                    i += 1;
                }
                Some(_) => return None,
                None => break,
            }
        }
        let key = *path.get(i)?;
        if doc.get(cur, key).is_some() {
            return None;
        }
        let value = path
            .get(i + 1..)?
            .iter()
            .rev()
            .fold(v, |acc, k| Val::map([(*k, acc)]));
        self.insert_entry(cur, key, value)
    }

    /// Set `path` under `map` to `v`: replace the scalar when it is there, insert it otherwise.
    pub fn upsert(&mut self, map: NodeId, path: &[&str], v: Val) -> Option<()> {
        match self.tpl.doc.get_path(map, path) {
            Some(node) => self.set(node, &v),
            None => self.insert(map, path, v),
        }
    }

    /// Insert a new key at the end of a mapping, in the mapping's own style.
    pub fn insert_entry(&mut self, map: NodeId, key: &str, v: Val) -> Option<()> {
        if !self.plain_map(map) || self.tpl.doc.get(map, key).is_some() {
            return None;
        }
        self.claim(format!("key:{}:{key}", self.span(map).start));
        if self.json() || !is_block_map(&self.tpl.doc, self.text, map) {
            self.flow_map_insert(map, key, &v)
        } else {
            self.block_map_insert(map, key, &v)
        }
    }

    fn block_map_insert(&mut self, map: NodeId, key: &str, v: &Val) -> Option<()> {
        let m = self.tpl.doc.as_map(map)?;
        let (_, first, _) = m.iter().next()?;
        let prefix = self
            .text
            .get(self.line_start_of(first.start) as usize..first.start as usize)?;
        if !prefix.bytes().all(|b| b == b' ' || b == b'-') || self.ends_with_kept_scalar(map) {
            return None;
        }
        let col = prefix.len();
        // The last entry (in source order: an `IndexMap` keeps it) ends the mapping.
        let (_, last_key, last) = last_entry(m)?;
        let end = last_key.end.max(self.content_end(last));
        let (at, nl_first) = self.after_line(end);
        let mut t = String::new();
        if nl_first {
            t.push_str(self.nl());
        }
        // Entries written as one-line flow mappings (`Q: {Type: ..., Properties: {...}}`): the new
        // one too.
        let flow_siblings = matches!(v, Val::Map(_))
            && m.iter().take(16).all(|(_, _, c)| {
                let sp = self.span(c);
                self.tpl.doc.as_map(c).is_some()
                    && self.text.as_bytes().get(sp.start as usize) == Some(&b'{')
                    && self.line_of(sp.start) == self.line_of(sp.end)
            });
        if flow_siblings {
            t.push_str(&format!(
                "{}{}: {}{}",
                " ".repeat(col),
                super::val::yaml_str(key, false, self.style),
                yaml_flow(v, self.style),
                self.nl()
            ));
        } else {
            t.push_str(&yaml_block_entries(
                &[(key.to_string(), v.clone())],
                col,
                self.style,
            ));
        }
        self.push_block(Span::empty(at as usize), t, col);
        Some(())
    }

    /// `key: value` for a flow mapping or JSON object whose other keys start at `pad`.
    fn flow_entry(&self, key: &str, v: &Val, pad: &str, multiline: bool) -> String {
        if self.json() {
            format!(
                "{}{}{}",
                json_str(key),
                self.style.json_colon,
                json_value(v, pad, multiline, self.style)
            )
        } else {
            format!(
                "{}: {}",
                super::val::yaml_str(key, true, self.style),
                yaml_flow(v, self.style)
            )
        }
    }

    fn flow_map_insert(&mut self, map: NodeId, key: &str, v: &Val) -> Option<()> {
        let sp = self.span(map);
        let bytes = self.text.as_bytes();
        if bytes.get(sp.start as usize) != Some(&b'{')
            || bytes.get((sp.end as usize).checked_sub(1)?) != Some(&b'}')
        {
            return None;
        }
        let m = self.tpl.doc.as_map(map)?;
        let nl = self.nl();
        if m.is_empty() {
            let one = Val::map([(key, v.clone())]);
            let t = if self.json() {
                let indent = self.lead_of_line(sp.start);
                let multiline = self.style.json_multiline && self.ends_line(sp);
                json_value(&one, &indent, multiline, self.style)
            } else {
                yaml_flow(&one, self.style)
            };
            self.claim(format!("node:{}", sp.start));
            self.push_edit(sp, t);
            return Some(());
        }
        let (last_key, end) = last_entry(m).map(|(_, ks, v)| (ks, self.span(v).end))?;
        let multiline = self.line_of(last_key.start) > self.line_of(sp.start);
        let t = match (multiline, self.lead(last_key.start)) {
            (true, Some(pad)) => format!(",{nl}{pad}{}", self.flow_entry(key, v, pad, true)),
            _ => {
                let indent = self.lead_of_line(last_key.start);
                format!(", {}", self.flow_entry(key, v, &indent, false))
            }
        };
        self.push_edit(Span::empty(end as usize), t);
        Some(())
    }

    /// Is an empty `{}` / `[]` at `sp` alone at the end of its line (then it is opened over
    /// several lines in a multi-line JSON file)?
    fn ends_line(&self, sp: Span) -> bool {
        let rest = self.text.get(sp.end as usize..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        matches!(line.trim(), "" | ",")
    }

    /// The leading whitespace of the line holding `offset`.
    fn lead_of_line(&self, offset: u32) -> String {
        let ls = self.line_start_of(offset) as usize;
        self.text
            .get(ls..offset as usize)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// Insert a new key right before `before` (a top-level section before `Resources`); in YAML,
    /// above the comment lines that head `before`.
    pub fn insert_before(&mut self, map: NodeId, key: &str, before: &str, v: Val) -> Option<()> {
        let doc = &self.tpl.doc;
        if !self.plain_map(map) || doc.get(map, key).is_some() {
            return None;
        }
        let m = doc.as_map(map)?;
        let bks = m.key_span(before)?;
        self.claim(format!("key:{}:{key}", self.span(map).start));
        let nl = self.nl();
        if !self.json() && is_block_map(doc, self.text, map) {
            let pad = self.lead(bks.start)?;
            let lines = &self.tpl.file.lines;
            let mut line = self.line_of(bks.start);
            let line_text = |l: usize| -> &str {
                let s = lines.line_start(l) as usize;
                let e = if l + 1 < lines.line_count() {
                    lines.line_start(l + 1) as usize
                } else {
                    self.text.len()
                };
                self.text.get(s..e).unwrap_or("")
            };
            while line > 0 && line_text(line - 1).trim_start().starts_with('#') {
                line -= 1;
            }
            let blank_above = line > 0 && line_text(line - 1).trim().is_empty();
            let mut t = yaml_block_entries(&[(key.to_string(), v)], pad.len(), self.style);
            if blank_above {
                t.push_str(nl);
            }
            self.push_edit(Span::empty(lines.line_start(line) as usize), t);
            return Some(());
        }
        let sp = self.span(map);
        let multiline = self.line_of(bks.start) > self.line_of(sp.start);
        let t = match (multiline, self.lead(bks.start)) {
            (true, Some(pad)) => format!("{},{nl}{pad}", self.flow_entry(key, &v, pad, true)),
            _ => format!("{}, ", self.flow_entry(key, &v, "", false)),
        };
        self.push_edit(Span::empty(bks.start as usize), t);
        Some(())
    }

    /// Add an item at the end of a sequence, in the sequence's own style.
    pub fn push(&mut self, seq: NodeId, v: Val) -> Option<()> {
        let doc = &self.tpl.doc;
        let items = doc.as_seq(seq)?;
        let sp = self.span(seq);
        self.claim(format!("seq:{}", sp.start));
        let nl = self.nl();
        if !self.json() && is_block_seq(doc, self.text, seq) {
            let first = self.span(*items.first()?).start;
            let dash = dash_of(self.text, first)?;
            self.lead(dash)?;
            if self.ends_with_kept_scalar(seq) {
                return None;
            }
            let col = column(&self.tpl.file.lines, dash);
            let end = self.content_end(*items.last()?);
            let (at, nl_first) = self.after_line(end);
            let mut t = String::new();
            if nl_first {
                t.push_str(nl);
            }
            t.push_str(&yaml_block_items(&[v], col, self.style));
            self.push_block(Span::empty(at as usize), t, col + 1);
            return Some(());
        }
        let bytes = self.text.as_bytes();
        if bytes.get(sp.start as usize) != Some(&b'[')
            || bytes.get((sp.end as usize).checked_sub(1)?) != Some(&b']')
        {
            return None;
        }
        let render = |pad: &str, multiline: bool| {
            if self.json() {
                json_value(&v, pad, multiline, self.style)
            } else {
                yaml_flow(&v, self.style)
            }
        };
        let Some(last) = items.last() else {
            let indent = self.lead_of_line(sp.start);
            let t = if self.json() {
                json_value(
                    &Val::Seq(vec![v.clone()]),
                    &indent,
                    self.style.json_multiline && self.ends_line(sp),
                    self.style,
                )
            } else {
                format!("[{}]", yaml_flow(&v, self.style))
            };
            self.claim(format!("node:{}", sp.start));
            self.push_edit(sp, t);
            return Some(());
        };
        let ls = self.span(*last);
        let multiline = self.line_of(ls.start) > self.line_of(sp.start);
        let t = match (multiline, self.lead(ls.start)) {
            (true, Some(pad)) => format!(",{nl}{pad}{}", render(pad, true)),
            _ => format!(", {}", render(&self.lead_of_line(ls.start), false)),
        };
        self.push_edit(Span::empty(ls.end as usize), t);
        Some(())
    }

    /// Remove the items at `remove` (indexes, not all of them) from a sequence. Block YAML: the
    /// lines of each item; flow YAML and JSON: each run of removed items with the separator
    /// after it (before it for a run that ends the sequence). `None` when an item shares a line
    /// with other text, when the removed text holds a `#` (a comment would be lost), or when
    /// every item would go (the key would be left empty).
    pub fn remove_items(&mut self, seq: NodeId, remove: &[usize]) -> Option<()> {
        let doc = &self.tpl.doc;
        let items = doc.as_seq(seq)?;
        let block = !self.json() && is_block_seq(doc, self.text, seq);
        let mut children = Vec::new();
        for item in items {
            let sp = self.span(*item);
            let start = if block {
                dash_of(self.text, sp.start)?
            } else {
                sp.start
            };
            children.push((start, sp.end, *item));
        }
        self.remove_children(seq, &children, remove, block)
    }

    /// Remove the entries `keys` (not all of them) from a mapping, as [`Self::remove_items`]
    /// does for sequence items.
    pub fn remove_entries(&mut self, map: NodeId, keys: &[&str]) -> Option<()> {
        if !self.plain_map(map) {
            return None;
        }
        let doc = &self.tpl.doc;
        let m = doc.as_map(map)?;
        let block = !self.json() && is_block_map(doc, self.text, map);
        let mut children = Vec::new();
        let mut remove = Vec::new();
        for (i, (k, ks, v)) in m.iter().enumerate() {
            children.push((ks.start, self.span(v).end.max(ks.end), v));
            if keys.contains(&k) {
                remove.push(i);
            }
        }
        if remove.len() != keys.len() {
            return None;
        }
        self.remove_children(map, &children, &remove, block)
    }

    /// `children`: (start, end, node) of every child of `container` in source order (a block
    /// sequence item starts at its dash, a mapping entry at its key).
    fn remove_children(
        &mut self,
        container: NodeId,
        children: &[(u32, u32, NodeId)],
        remove: &[usize],
        block: bool,
    ) -> Option<()> {
        let mut gone: Vec<usize> = remove.to_vec();
        gone.sort_unstable();
        gone.dedup();
        if gone.is_empty()
            || gone.len() >= children.len()
            || gone.iter().any(|i| *i >= children.len())
        {
            return None;
        }
        let sp = self.span(container);
        // As `push` does: two fixes changing one collection's items go in separate passes.
        self.claim(format!("seq:{}", sp.start));
        let mut spans: Vec<Span> = Vec::new();
        if block {
            for &i in &gone {
                let (start, _, node) = *children.get(i)?;
                self.lead(start)?;
                let line_start = self.line_start_of(start);
                let end = self.content_end(node);
                let rest = self.text.get(end as usize..)?;
                let line_end = rest.find('\n').map_or(rest.len(), |k| k + 1);
                if !rest.get(..line_end)?.trim().is_empty() {
                    return None;
                }
                let (at, _) = self.after_line(end);
                spans.push(Span::new(line_start as usize, at as usize));
            }
        } else {
            let bytes = self.text.as_bytes();
            let (open, close) = match bytes.get(sp.start as usize) {
                Some(b'[') => (b'[', b']'),
                Some(b'{') => (b'{', b'}'),
                _ => return None,
            };
            if bytes.get(sp.start as usize) != Some(&open)
                || bytes.get((sp.end as usize).checked_sub(1)?) != Some(&close)
            {
                return None;
            }
            // Runs of consecutive removed indexes.
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for &i in &gone {
                match runs.last_mut() {
                    Some((_, e)) if *e + 1 == i => *e = i,
                    _ => runs.push((i, i)),
                }
            }
            for (a, b) in runs {
                let first = children.get(a)?.0;
                let last = children.get(b)?.1;
                let span = match (
                    children.get(b + 1),
                    a.checked_sub(1).and_then(|p| children.get(p)),
                ) {
                    (Some(next), _) => Span::new(first as usize, next.0 as usize),
                    (None, Some(prev)) => Span::new(prev.1 as usize, last as usize),
                    (None, None) => return None,
                };
                spans.push(span);
            }
        }
        for s in spans {
            if self.text.get(s.range())?.contains('#') {
                return None;
            }
            self.push_edit(s, String::new());
        }
        Some(())
    }

    /// A logical id that is not taken by a resource, a parameter, a resource SAM generates or an
    /// id this fix already added: `base`, then `base2`, `base3`, ...
    pub fn fresh_id(&mut self, base: &str) -> String {
        let mut clean: String = base.chars().filter(char::is_ascii_alphanumeric).collect();
        if clean.is_empty() {
            clean = "Resource".into();
        }
        if self.style.lower_ids
            && let Some(f) = clean.get(..1)
        {
            clean = f.to_ascii_lowercase() + clean.get(1..).unwrap_or("");
        }
        clean.truncate(200);
        let taken = |id: &str| {
            self.tpl.resources.contains_key(id)
                || self.tpl.parameters.contains(id)
                || self.new_ids.iter().any(|n| n == id)
                || self.sam_generated(id)
        };
        let mut id = clean.clone();
        let mut n = 2;
        while taken(&id) && n < 1_000_000 {
            id = format!("{clean}{n}");
            n += 1;
        }
        self.new_ids.push(id.clone());
        id
    }

    /// Could SAM generate a resource with this logical id (`<Function>Role`, `<Function><Event>`)?
    fn sam_generated(&self, id: &str) -> bool {
        (1..id.len())
            .filter(|i| id.is_char_boundary(*i))
            .filter_map(|i| Some((self.style.sam.get(id.get(..i)?)?, id.get(i..)?)))
            .any(|(events, rest)| {
                // `<Function>Role`, `<Function>Version<10 hex digits>`, `<Function><Event>`,
                // `<Function><Event>Permission`.
                if SAM_SUFFIXES.contains(&rest) {
                    return true;
                }
                if ["Version", "Deployment"].iter().any(|p| {
                    rest.strip_prefix(p)
                        .is_some_and(|h| h.len() == 10 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                }) {
                    return true;
                }
                events.iter().any(|k| {
                    rest.strip_prefix(k.as_str())
                        .is_some_and(|t| t.is_empty() || t == "Permission")
                })
            })
    }

    /// Add a resource at the end of `Resources` under a fresh logical id made from `base`.
    pub fn add_resource(&mut self, base: &str, type_: &str, properties: Val) -> Option<String> {
        let root = self.tpl.doc.root?;
        let resources = self.tpl.doc.get(root, "Resources")?;
        let id = self.fresh_id(base);
        let mut body = vec![("Type".to_string(), Val::str(type_))];
        if !matches!(&properties, Val::Map(m) if m.is_empty()) {
            body.push(("Properties".to_string(), properties));
        }
        self.claim(format!("id:{id}"));
        self.insert_entry(resources, &id, Val::Map(body))?;
        Some(id)
    }

    /// The fix, when at least one edit was made.
    pub fn finish(self, title: String, applicability: Applicability) -> Option<Fix> {
        if self.edits.is_empty() {
            return None;
        }
        Some(Fix {
            title,
            applicability,
            edits: self.edits,
            claims: self.claims,
            file: None,
        })
    }
}
