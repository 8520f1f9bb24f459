//! Serverless Framework variables, resolved offline: `${self:a.b}`, `${sls:stage}`,
//! `${opt:stage, 'dev'}`, `${env:X, default}`, `${file(./x.yml):key}`, nested
//! (`${self:custom.${sls:stage}.size}`) and interpolated (`arn:...:${self:custom.queue}`).
//!
//! What cannot be known without AWS or the user's shell (`${ssm:}`, `${cf:}`, `${aws:}`,
//! `${s3:}`, `${param:}`, plugin variables, an `${env:}` or `${opt:}` without a default) is
//! [`Val::Unknown`] with the reason: never a guess, never an error. lambdalint does not read the
//! environment (the Framework's value would differ from one shell to the next): an `${env:X, d}`
//! resolves to its default `d`.
//!
//! `${file()}` reads go through the template's [`Scope`] (inside the project, bounded). Nodes of
//! an included file keep their spans shifted by the file's base offset (see
//! [`crate::model::dialect::Origin::included`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fsx::Scope;
use crate::load::{Document, NodeId, Value};
use crate::source::{SourceFile, Span};

/// Variable references nest at most this deep (a cycle ends here, as an unknown value).
const MAX_DEPTH: usize = 24;
/// Variable resolutions per file (a hostile file cannot make the resolver run forever).
const MAX_STEPS: usize = 200_000;

/// A loaded source: `serverless.yml` (index 0) or a file pulled in with `${file()}`.
pub struct Src {
    pub file: Arc<SourceFile>,
    pub doc: Document,
    /// Offset added to this file's spans in the lowered template.
    pub base: u32,
}

/// A value after variable resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A node of source `file`.
    Node(usize, NodeId),
    /// A string built by interpolation.
    Str(String),
    /// Not knowable offline: the reason.
    Unknown(String),
}

/// The CloudFormation pseudo parameters and `Fn::Sub` variables are not Framework variables.
fn is_framework_variable(inner: &str) -> bool {
    let t = inner.trim_start();
    let word: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if word.is_empty() {
        return false;
    }
    let rest = t.get(word.len()..).unwrap_or("");
    (rest.starts_with(':') && !rest.starts_with("::")) || rest.starts_with('(')
}

/// Top-level `${...}` variables of a text: (start, end) byte ranges including `${` and `}`.
pub fn variables(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b.get(i) == Some(&b'$') && b.get(i + 1) == Some(&b'{') {
            let mut depth = 0usize;
            let mut j = i;
            let mut end = None;
            while j < b.len() {
                match b.get(j) {
                    Some(b'$') if b.get(j + 1) == Some(&b'{') => {
                        depth += 1;
                        j += 2;
                        continue;
                    }
                    Some(b'}') => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j + 1);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let Some(e) = end else { break };
            if text.get(i + 2..e - 1).is_some_and(is_framework_variable) {
                out.push((i, e));
            }
            i = e;
            continue;
        }
        i += 1;
    }
    out
}

/// Split at top-level commas (outside `${}`, quotes and parentheses).
fn split_commas(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

pub struct Resolver<'a> {
    pub srcs: Vec<Src>,
    scope: &'a Scope,
    /// Directory of `serverless.yml`.
    dir: PathBuf,
    /// Canonical-ish path -> source index, or why it could not be read.
    loaded: HashMap<PathBuf, Result<usize, String>>,
    steps: usize,
    next_base: u32,
}

impl<'a> Resolver<'a> {
    pub fn new(file: Arc<SourceFile>, doc: Document, scope: &'a Scope) -> Self {
        let dir = file
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let next_base = u32::try_from(file.text.len())
            .unwrap_or(u32::MAX / 2)
            .saturating_add(1);
        Resolver {
            srcs: vec![Src { file, doc, base: 0 }],
            scope,
            dir,
            loaded: HashMap::new(),
            steps: 0,
            next_base,
        }
    }

    pub fn doc(&self, src: usize) -> Option<&Document> {
        self.srcs.get(src).map(|s| &s.doc)
    }

    pub fn value(&self, src: usize, node: NodeId) -> &Value {
        self.doc(src).map_or(&Value::Null, |d| d.value(node))
    }

    /// Span of a node, in the lowered template's offset space.
    pub fn span(&self, src: usize, node: NodeId) -> Span {
        self.srcs.get(src).map_or(Span::default(), |s| {
            let sp = s.doc.span(node);
            Span {
                start: sp.start.saturating_add(s.base),
                end: sp.end.saturating_add(s.base),
            }
        })
    }

    /// Shift a span of source `src` into the lowered offset space.
    pub fn shift(&self, src: usize, sp: Span) -> Span {
        let base = self.srcs.get(src).map_or(0, |s| s.base);
        Span {
            start: sp.start.saturating_add(base),
            end: sp.end.saturating_add(base),
        }
    }

    /// The root of `serverless.yml`.
    pub fn root(&self) -> Option<Val> {
        let d = self.doc(0)?;
        d.root.map(|r| Val::Node(0, r))
    }

    /// Resolve a value whose node may be a string with variables (maps and lists are returned
    /// as they are: their children are resolved when read).
    pub fn resolve(&mut self, v: Val) -> Val {
        self.resolve_depth(v, 0)
    }

    fn resolve_depth(&mut self, v: Val, depth: usize) -> Val {
        let Val::Node(src, node) = v else { return v };
        let text = match self.value(src, node) {
            Value::Str(s) if s.contains("${") => s.to_string(),
            _ => return v,
        };
        self.resolve_text(src, &text, depth)
    }

    /// Resolve a string that may hold variables.
    fn resolve_text(&mut self, src: usize, text: &str, depth: usize) -> Val {
        let vars = variables(text);
        if vars.is_empty() {
            return Val::Str(text.to_string());
        }
        if depth > MAX_DEPTH {
            return Val::Unknown(format!(
                "variables nest more than {MAX_DEPTH} levels deep (a cycle?)"
            ));
        }
        if let [(0, e)] = vars.as_slice()
            && *e == text.len()
        {
            let inner = text.get(2..text.len() - 1).unwrap_or("");
            return self.variable(src, inner, depth + 1);
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (s, e) in vars {
            out.push_str(text.get(last..s).unwrap_or(""));
            let inner = text.get(s + 2..e - 1).unwrap_or("");
            match self.variable(src, inner, depth + 1) {
                Val::Unknown(why) => return Val::Unknown(why),
                v => match self.scalar_text(&v) {
                    Some(t) => out.push_str(&t),
                    None => {
                        return Val::Unknown(format!(
                            "`${{{inner}}}` is not a scalar but is interpolated into a string"
                        ));
                    }
                },
            }
            last = e;
        }
        out.push_str(text.get(last..).unwrap_or(""));
        Val::Str(out)
    }

    /// The text of a scalar value.
    pub fn scalar_text(&self, v: &Val) -> Option<String> {
        match v {
            Val::Str(s) => Some(s.clone()),
            Val::Node(src, n) => self.doc(*src)?.scalar_text(*n),
            Val::Unknown(_) => None,
        }
    }

    /// One variable (without `${` `}`), with its fallbacks.
    fn variable(&mut self, src: usize, inner: &str, depth: usize) -> Val {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Val::Unknown("too many variables to resolve".into());
        }
        // Nested variables in the reference itself (`self:custom.${sls:stage}`).
        let inner = if inner.contains("${") {
            match self.resolve_text(src, inner, depth) {
                Val::Str(s) => s,
                Val::Unknown(why) => return Val::Unknown(why),
                v => match self.scalar_text(&v) {
                    Some(s) => s,
                    None => return Val::Unknown("a computed variable reference".into()),
                },
            }
        } else {
            inner.to_string()
        };
        let parts = split_commas(&inner);
        let mut parts = parts.into_iter();
        let primary = parts.next().unwrap_or("").trim();
        let first = self.reference(src, primary, depth);
        match first {
            Some(v) => v,
            None => {
                for f in parts {
                    if let Some(v) = self.fallback(src, f.trim(), depth) {
                        return v;
                    }
                }
                let why = match primary.split_once(':').map(|(s, _)| s) {
                    Some("opt") => "is a command-line option, unknown offline",
                    Some("env") => {
                        "is read from the environment at deploy time (lambdalint does not read yours)"
                    }
                    _ => "is not set",
                };
                Val::Unknown(format!("`${{{primary}}}` {why}"))
            }
        }
    }

    /// A fallback: a literal (`'dev'`, `10`, `true`) or another reference.
    fn fallback(&mut self, src: usize, f: &str, depth: usize) -> Option<Val> {
        if f.is_empty() {
            return None;
        }
        if let Some(q) = f
            .strip_prefix('\'')
            .and_then(|x| x.strip_suffix('\''))
            .or_else(|| f.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
        {
            return Some(Val::Str(q.to_string()));
        }
        if f.starts_with("${") {
            return match self.resolve_text(src, f, depth) {
                Val::Unknown(r) if r.contains("` is ") && !r.contains("resolved from") => None,
                v => Some(v),
            };
        }
        if is_framework_variable(f) {
            return self.reference(src, f, depth);
        }
        Some(Val::Str(f.to_string()))
    }

    /// A reference: `Some(value)`, `None` when it is simply not set (a fallback applies), or an
    /// unknown value.
    fn reference(&mut self, src: usize, r: &str, depth: usize) -> Option<Val> {
        let (source, address) = match r.find([':', '(']) {
            Some(i) => (r.get(..i).unwrap_or(""), r.get(i..).unwrap_or("")),
            None => (r, ""),
        };
        let address = address.strip_prefix(':').unwrap_or(address);
        match source {
            "self" => {
                let root = self.root()?;
                self.lookup(root, address, depth)
            }
            "sls" => match address {
                "stage" => Some(self.stage(depth)),
                _ => Some(Val::Unknown(format!(
                    "`${{sls:{address}}}` is only known at deploy time"
                ))),
            },
            "opt" => None,
            "env" => None,
            "file" => self.file_ref(src, address, depth),
            "ssm" | "cf" | "s3" | "aws" | "param" | "sm" | "secretsmanager" | "terraform"
            | "vault" | "doppler" => Some(Val::Unknown(format!(
                "`${{{r}}}` is resolved from AWS or a remote store at deploy time"
            ))),
            "strToBool" => Some(Val::Unknown(format!("`${{{r}}}` is computed"))),
            _ => Some(Val::Unknown(format!(
                "`${{{r}}}` comes from a plugin's variable source"
            ))),
        }
    }

    /// `${sls:stage}`: `provider.stage` when set, else the Framework's default `dev`.
    fn stage(&mut self, depth: usize) -> Val {
        let Some(root) = self.root() else {
            return Val::Str("dev".into());
        };
        match self.lookup(root, "provider.stage", depth) {
            Some(v) => v,
            None => Val::Str("dev".into()),
        }
    }

    /// Follow a dotted address from a value (each step resolving variables on the way).
    pub fn lookup(&mut self, from: Val, address: &str, depth: usize) -> Option<Val> {
        let mut cur = self.resolve_depth(from, depth);
        for seg in address.split('.').filter(|s| !s.is_empty()) {
            let Val::Node(src, node) = cur else {
                return match cur {
                    Val::Unknown(w) => Some(Val::Unknown(w)),
                    _ => None,
                };
            };
            let child = match self.value(src, node) {
                Value::Map(m) => m.get(seg),
                Value::Seq(items) => seg
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).copied()),
                _ => None,
            }?;
            cur = self.resolve_depth(Val::Node(src, child), depth);
        }
        if let Val::Node(src, n) = cur
            && matches!(self.value(src, n), Value::Null)
        {
            return None;
        }
        Some(cur)
    }

    /// `${file(./x.yml)}` / `${file(./x.yml):a.b}`.
    fn file_ref(&mut self, src: usize, address: &str, depth: usize) -> Option<Val> {
        let Some(rest) = address.strip_prefix('(') else {
            return Some(Val::Unknown("malformed `${file()}`".into()));
        };
        let Some(close) = rest.find(')') else {
            return Some(Val::Unknown("malformed `${file()}`".into()));
        };
        let raw = rest.get(..close).unwrap_or("").trim();
        let raw = raw.trim_matches(|c| c == '\'' || c == '"');
        let key = rest
            .get(close + 1..)
            .unwrap_or("")
            .trim_start_matches(':')
            .trim();
        let idx = match self.load_file(src, raw) {
            Ok(i) => i,
            Err(why) => {
                return if why.is_empty() {
                    None
                } else {
                    Some(Val::Unknown(why))
                };
            }
        };
        let root = self.doc(idx)?.root?;
        self.lookup(Val::Node(idx, root), key, depth)
    }

    /// Load a file for `${file()}`: Ok(index), Err("") when it does not exist (a fallback
    /// applies), Err(reason) when it cannot be used.
    fn load_file(&mut self, src: usize, raw: &str) -> Result<usize, String> {
        let rel_dir = if src == 0 {
            self.dir.clone()
        } else {
            // Paths in `${file()}` are relative to the service directory, not the including file.
            self.dir.clone()
        };
        let path = crate::source::normalize_path(&rel_dir.join(raw));
        if let Some(r) = self.loaded.get(&path) {
            return r.clone();
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let r = if matches!(ext, "js" | "cjs" | "mjs" | "ts") {
            Err(format!(
                "`${{file({raw})}}` is JavaScript, run by the Framework: not read statically"
            ))
        } else {
            match self.scope.read_text(&path) {
                Err(e) if e.is_not_found() => Err(String::new()),
                Err(e) => Err(format!("`${{file({raw})}}`: {e}")),
                Ok(text) => {
                    let display = Path::new(
                        &self
                            .srcs
                            .first()
                            .map_or(String::new(), |s| s.file.display.clone()),
                    )
                    .parent()
                    .map(|p| p.join(raw))
                    .unwrap_or_else(|| PathBuf::from(raw));
                    let display = crate::source::normalize_path(&display)
                        .to_string_lossy()
                        .replace('\\', "/");
                    let file = Arc::new(SourceFile::new(path.clone(), display, text));
                    match crate::load::load(&file.text, file.format()) {
                        Err(e) => Err(format!("`${{file({raw})}}` does not parse: {}", e.message)),
                        Ok(l) => {
                            let base = self.next_base;
                            self.next_base = base
                                .saturating_add(u32::try_from(file.text.len()).unwrap_or(u32::MAX))
                                .saturating_add(1);
                            self.srcs.push(Src {
                                file,
                                doc: l.doc,
                                base,
                            });
                            Ok(self.srcs.len() - 1)
                        }
                    }
                }
            }
        };
        self.loaded.insert(path, r.clone());
        r
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn finds_framework_variables_only() {
        let t = "arn:${AWS::Partition}:sqs:${self:custom.q}-${Foo.Arn}-${opt:stage, 'dev'}";
        let v: Vec<_> = variables(t).iter().map(|(s, e)| &t[*s..*e]).collect();
        assert_eq!(v, ["${self:custom.q}", "${opt:stage, 'dev'}"]);
        let t = "${self:custom.${sls:stage}.size}";
        assert_eq!(variables(t), vec![(0, t.len())]);
        assert!(variables("${unclosed").is_empty());
    }

    #[test]
    fn commas_split_at_top_level() {
        assert_eq!(
            split_commas("env:X, 'a,b', ${self:y, 'c'}"),
            vec!["env:X", " 'a,b'", " ${self:y, 'c'}"]
        );
    }
}
