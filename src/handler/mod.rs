//! Handler source analysis: find each function's handler source, parse it with tree-sitter and
//! extract facts (SDK calls, HTTP calls, DB connections, parameter fetches, forwarding shape).

pub mod actions;
pub mod facts;
pub mod javascript;
pub mod python;
pub mod resolve;

use std::path::PathBuf;

use indexmap::IndexMap;
use tree_sitter::{Node, Parser};

pub use facts::FunctionFacts;
use facts::{Forward, forwardable};
use resolve::{Lang, Resolved};

use crate::model::App;
use crate::source::Span;

/// The facts of every function whose source was found, by logical id, plus notes on the others.
#[derive(Debug, Default)]
pub struct HandlerFacts {
    pub functions: IndexMap<String, FunctionFacts>,
    /// Functions without analysable source: (logical id, why), for `--verbose`.
    pub notes: Vec<(String, String)>,
}

impl HandlerFacts {
    pub fn get(&self, function: &str) -> Option<&FunctionFacts> {
        self.functions.get(function)
    }
}

/// Resolve, parse and extract the facts of every function of `app`.
pub fn analyze(app: &App) -> HandlerFacts {
    analyze_with(app, &|_| None)
}

/// [`analyze`], reading open editor buffers through `overlay` first (language server).
pub fn analyze_with(app: &App, overlay: resolve::Overlay<'_>) -> HandlerFacts {
    let mut out = HandlerFacts::default();
    for f in app.functions.values() {
        match resolve::resolve_with(app, f, overlay) {
            Ok(r) => {
                out.functions.insert(f.id.clone(), extract(&f.id, &r));
            }
            Err(why) => out.notes.push((f.id.clone(), why)),
        }
    }
    out
}

/// Parse one resolved source and extract its facts. Parse errors are recorded, never fatal.
pub fn extract(function: &str, r: &Resolved) -> FunctionFacts {
    let code = r.code();
    let mut facts = FunctionFacts {
        function: function.to_string(),
        file: r.file.clone(),
        handler_name: r.handler_name.clone(),
        handler_span: Span::default(),
        handler_found: false,
        clients: Vec::new(),
        calls: Vec::new(),
        http: Vec::new(),
        db: Vec::new(),
        params: Vec::new(),
        forward: None,
        implicit: Vec::new(),
        parse_error: None,
        complete: true,
    };
    let mut parser = Parser::new();
    let lang: tree_sitter::Language = match r.lang {
        Lang::Python => tree_sitter_python::LANGUAGE.into(),
        Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
    };
    if parser.set_language(&lang).is_err() {
        facts.complete = false;
        return facts;
    }
    let Some(tree) = parser.parse(code.as_bytes(), None) else {
        facts.complete = false;
        return facts;
    };
    let root = tree.root_node();
    let mut cx = Ctx {
        src: code.as_bytes(),
        handler_name: &r.handler_name,
        handler: None,
        resolved: r,
        facts,
        complete: true,
    };
    if root.has_error() {
        let first = all_nodes(root)
            .into_iter()
            .find(|n| n.is_error() || n.is_missing());
        cx.facts.parse_error = Some(first.map_or(Span::default(), |n| cx.span(n)));
        cx.complete = false;
    }
    match r.lang {
        Lang::Python => python::extract(&mut cx, root),
        Lang::JavaScript | Lang::TypeScript => javascript::extract(&mut cx, root),
    }
    let mut facts = cx.facts;
    facts.complete = cx.complete && facts.handler_found;
    facts
}

/// Per-file extraction state shared by the language modules.
pub struct Ctx<'a> {
    pub src: &'a [u8],
    pub handler_name: &'a str,
    /// Byte range of the handler function in the code.
    pub handler: Option<(usize, usize)>,
    pub resolved: &'a Resolved,
    pub facts: FunctionFacts,
    pub complete: bool,
}

impl Ctx<'_> {
    pub fn set_handler(&mut self, n: Option<Node<'_>>) {
        if let Some(n) = n {
            self.handler = Some((n.start_byte(), n.end_byte()));
            self.facts.handler_found = true;
            self.facts.handler_span = self.span(n.child_by_field_name("name").unwrap_or(n));
        }
    }

    /// A node's span in the reported file.
    pub fn span(&self, n: Node<'_>) -> Span {
        let (s, e) = (n.start_byte(), n.end_byte());
        let ms = self.resolved.map(s);
        // Report one line at most: the first line of the node.
        let first_line_end = self
            .src
            .get(s..e)
            .and_then(|b| b.iter().position(|&c| c == b'\n'))
            .map_or(e, |p| s + p);
        Span::new(ms, self.resolved.map(first_line_end).max(ms))
    }

    pub fn in_handler(&self, n: Node<'_>) -> bool {
        self.handler
            .is_some_and(|(s, e)| n.start_byte() >= s && n.end_byte() <= e)
    }

    /// A call inside the handler that is guarded (`if cache is None:`, `x ??= ...`, `global`).
    pub fn cached(&self, n: Node<'_>) -> bool {
        let mut p = n.parent();
        while let Some(a) = p {
            if !self.in_handler(a) {
                break;
            }
            match a.kind() {
                "if_statement" | "conditional_expression" | "ternary_expression" => return true,
                "augmented_assignment_expression" => return true,
                "binary_expression" | "boolean_operator" => {
                    let t = text(a, self.src);
                    if t.contains("??") || t.contains("||") || t.contains(" or ") {
                        return true;
                    }
                }
                "function_definition" if text(a, self.src).contains("global ") => return true,
                _ => {}
            }
            p = a.parent();
        }
        false
    }

    /// An imported module: libraries that call AWS themselves add their services, or make the
    /// facts incomplete when the services cannot be told.
    pub fn note_import(&mut self, module: &str) {
        match facts::library_use(module) {
            Some(facts::LibraryUse::Services(svcs)) => {
                for s in svcs {
                    if !self.facts.implicit.iter().any(|x| x == s) {
                        self.facts.implicit.push((*s).to_string());
                    }
                }
            }
            Some(facts::LibraryUse::Unknown) => self.complete = false,
            None => {}
        }
    }

    pub fn is_local_module(&self, name: &str) -> bool {
        let Some(dir) = &self.resolved.code_dir else {
            return false;
        };
        !name.is_empty() && (dir.join(format!("{name}.py")).is_file() || dir.join(name).is_dir())
    }

    /// Detect the forwarding shape: inside the handler, no control flow, exactly one SDK call on
    /// a forwardable service, whose arguments use the event, and other calls only to harmless
    /// helpers (JSON, env, logging).
    pub fn forward_shape(
        &mut self,
        handler: Option<Node<'_>>,
        nodes: &[Node<'_>],
        call_kinds: &[&str],
        control_kinds: &[&str],
    ) {
        let Some(h) = handler else { return };
        let event = first_param(h, self.src);
        let Some(event) = event else { return };
        let inside: Vec<&Node<'_>> = nodes.iter().filter(|n| self.in_handler(**n)).collect();
        if inside.iter().any(|n| control_kinds.contains(&n.kind())) {
            return;
        }
        let sdk: Vec<_> = self.facts.calls.iter().filter(|c| c.in_handler).collect();
        let [call] = sdk.as_slice() else { return };
        if !forwardable(&call.service) {
            return;
        }
        let mut sdk_node = None;
        for n in &inside {
            if !call_kinds.contains(&n.kind()) {
                continue;
            }
            if self.span(**n) == call.span {
                sdk_node = Some(**n);
                continue;
            }
            let callee = n
                .child_by_field_name("function")
                .map(|f| text(f, self.src))
                .unwrap_or("");
            if !harmless(callee) {
                return;
            }
        }
        let Some(sn) = sdk_node else { return };
        if !mentions(text(sn, self.src), &event) {
            return;
        }
        self.facts.forward = Some(Forward {
            call: (*call).clone(),
        });
    }
}

fn harmless(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        callee,
        "json.dumps"
            | "json.loads"
            | "JSON.stringify"
            | "JSON.parse"
            | "os.environ.get"
            | "os.getenv"
            | "print"
            | "str"
            | "int"
            | "dict"
            | "String"
            | "Number"
    ) || callee.starts_with("console.")
        || callee.starts_with("logger.")
        || callee.starts_with("logging.")
        || last == "promise"
        || last == "get" && callee.starts_with("event")
}

fn mentions(hay: &str, ident: &str) -> bool {
    hay.match_indices(ident).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + ident.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn first_param(h: Node<'_>, src: &[u8]) -> Option<String> {
    if let Some(p) = h.child_by_field_name("parameter") {
        return Some(text(p, src).to_string());
    }
    let params = h.child_by_field_name("parameters")?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| n.kind() != "comment")?;
    let id = if first.kind() == "identifier" {
        first
    } else {
        first
            .child_by_field_name("pattern")
            .or(first.named_child(0))?
    };
    Some(text(id, src).to_string())
}

/// The text of a node ("" on invalid UTF-8).
pub fn text<'s>(n: Node<'_>, src: &'s [u8]) -> &'s str {
    src.get(n.start_byte()..n.end_byte())
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// Every node of a tree, pre-order (iterative: deep trees do not overflow the stack).
pub fn all_nodes(root: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    'outer: loop {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'outer;
            }
            if !cursor.goto_parent() {
                break 'outer;
            }
        }
    }
    out
}

/// The source directory of a function, for tools that want it.
pub fn code_dir(r: &Resolved) -> Option<PathBuf> {
    r.code_dir.clone()
}
