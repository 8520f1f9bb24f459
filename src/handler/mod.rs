//! Handler source analysis: find each function's handler source, parse it with tree-sitter and
//! extract facts (SDK calls, HTTP calls, DB connections, parameter fetches, forwarding shape).

pub mod actions;
pub mod facts;
pub mod javascript;
pub mod python;
pub mod resolve;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::OnceLock;

use indexmap::IndexMap;
use tree_sitter::{Node, Parser, Tree};

pub use facts::FunctionFacts;
use facts::{Forward, forwardable};
use resolve::{Lang, Resolved};

use crate::model::App;
use crate::source::Span;

/// The facts of every function whose source was found, by logical id, plus notes on the others.
#[derive(Debug, Default)]
pub struct HandlerFacts {
    pub functions: IndexMap<String, FunctionFacts>,
    /// Functions without analysable source: logical id -> why (for `--verbose` and the report).
    pub notes: IndexMap<String, String>,
}

impl HandlerFacts {
    pub fn get(&self, function: &str) -> Option<&FunctionFacts> {
        self.functions.get(function)
    }
}

/// Resolve, parse and extract the facts of every function of `app` (reads confined to the
/// template's project with the default limits, see [`crate::fsx`]).
pub fn analyze(app: &App) -> HandlerFacts {
    let scope = crate::fsx::Access::default().scope_for(&app.tpl.file.path);
    analyze_with(app, &resolve::Sources::disk(scope))
}

/// [`analyze`], reading through `sources` (open editor buffers first, then the disk).
pub fn analyze_with(app: &App, sources: &resolve::Sources<'_>) -> HandlerFacts {
    let mut out = HandlerFacts::default();
    for f in app.functions.values() {
        match resolve::resolve_with(app, f, sources) {
            Ok(r) => {
                out.functions.insert(f.id.clone(), extract(&f.id, &r));
            }
            Err(why) => {
                out.notes.insert(f.id.clone(), why);
            }
        }
    }
    out
}

/// A node kind the extractors look at, found by kind id (no string comparisons per node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    Other,
    // Python
    ImportStatement,
    ImportFromStatement,
    DottedName,
    AliasedImport,
    Call,
    Attribute,
    Assignment,
    FunctionDefinition,
    DecoratedDefinition,
    ListComprehension,
    ForInClause,
    ConditionalExpression,
    BooleanOperator,
    GlobalStatement,
    KeywordArgument,
    DictionarySplat,
    String,
    BinaryOperator,
    // Both
    ForStatement,
    WhileStatement,
    IfStatement,
    Identifier,
    Comment,
    // JavaScript / TypeScript
    CallExpression,
    NewExpression,
    MemberExpression,
    VariableDeclarator,
    AssignmentExpression,
    AugmentedAssignmentExpression,
    BinaryExpression,
    TernaryExpression,
    FunctionDeclaration,
    ArrowFunction,
    FunctionExpression,
    ForInStatement,
    ShorthandPropertyIdentifierPattern,
    ShorthandPropertyIdentifier,
    ExportSpecifier,
    Object,
    Pair,
    AwaitExpression,
    ParenthesizedExpression,
    TemplateString,
}

fn kind_of(name: &str) -> K {
    match name {
        "import_statement" => K::ImportStatement,
        "import_from_statement" => K::ImportFromStatement,
        "dotted_name" => K::DottedName,
        "aliased_import" => K::AliasedImport,
        "call" => K::Call,
        "attribute" => K::Attribute,
        "assignment" => K::Assignment,
        "function_definition" => K::FunctionDefinition,
        "decorated_definition" => K::DecoratedDefinition,
        "list_comprehension" => K::ListComprehension,
        "for_in_clause" => K::ForInClause,
        "conditional_expression" => K::ConditionalExpression,
        "boolean_operator" => K::BooleanOperator,
        "global_statement" => K::GlobalStatement,
        "keyword_argument" => K::KeywordArgument,
        "dictionary_splat" => K::DictionarySplat,
        "string" => K::String,
        "binary_operator" => K::BinaryOperator,
        "template_string" => K::TemplateString,
        "for_statement" => K::ForStatement,
        "while_statement" => K::WhileStatement,
        "if_statement" => K::IfStatement,
        "identifier" => K::Identifier,
        "comment" => K::Comment,
        "call_expression" => K::CallExpression,
        "new_expression" => K::NewExpression,
        "member_expression" => K::MemberExpression,
        "variable_declarator" => K::VariableDeclarator,
        "assignment_expression" => K::AssignmentExpression,
        "augmented_assignment_expression" => K::AugmentedAssignmentExpression,
        "binary_expression" => K::BinaryExpression,
        "ternary_expression" => K::TernaryExpression,
        "function_declaration" | "generator_function_declaration" => K::FunctionDeclaration,
        "arrow_function" => K::ArrowFunction,
        "function_expression" | "function" | "generator_function" => K::FunctionExpression,
        "for_in_statement" | "for_of_statement" => K::ForInStatement,
        "shorthand_property_identifier_pattern" => K::ShorthandPropertyIdentifierPattern,
        "shorthand_property_identifier" => K::ShorthandPropertyIdentifier,
        "export_specifier" => K::ExportSpecifier,
        "object" => K::Object,
        "pair" => K::Pair,
        "await_expression" => K::AwaitExpression,
        "parenthesized_expression" => K::ParenthesizedExpression,
        _ => K::Other,
    }
}

/// Field ids of one grammar (0: the grammar has no such field).
#[derive(Debug, Default, Clone, Copy)]
pub struct Fields {
    pub function: u16,
    pub arguments: u16,
    pub name: u16,
    pub alias: u16,
    pub left: u16,
    pub right: u16,
    pub value: u16,
    pub object: u16,
    pub attribute: u16,
    pub property: u16,
    pub constructor: u16,
    pub source: u16,
    pub module_name: u16,
    pub definition: u16,
    pub body: u16,
    pub operator: u16,
    pub key: u16,
    pub condition: u16,
}

/// One tree-sitter grammar with its kind table and field ids, built once.
pub struct Grammar {
    pub language: tree_sitter::Language,
    kinds: Vec<K>,
    pub f: Fields,
}

impl Grammar {
    fn new(language: tree_sitter::Language) -> Self {
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                let id = u16::try_from(id).unwrap_or(u16::MAX);
                if !language.node_kind_is_named(id) {
                    return K::Other;
                }
                language.node_kind_for_id(id).map_or(K::Other, kind_of)
            })
            .collect();
        let field = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        let f = Fields {
            function: field("function"),
            arguments: field("arguments"),
            name: field("name"),
            alias: field("alias"),
            left: field("left"),
            right: field("right"),
            value: field("value"),
            object: field("object"),
            attribute: field("attribute"),
            property: field("property"),
            constructor: field("constructor"),
            source: field("source"),
            module_name: field("module_name"),
            definition: field("definition"),
            body: field("body"),
            operator: field("operator"),
            key: field("key"),
            condition: field("condition"),
        };
        Grammar { language, kinds, f }
    }

    /// The kind of a node.
    #[inline]
    pub fn kind(&self, n: Node<'_>) -> K {
        self.kinds
            .get(usize::from(n.kind_id()))
            .copied()
            .unwrap_or(K::Other)
    }
}

/// The grammar of a language (built on first use).
pub fn grammar(lang: Lang) -> &'static Grammar {
    static PY: OnceLock<Grammar> = OnceLock::new();
    static JS: OnceLock<Grammar> = OnceLock::new();
    static TS: OnceLock<Grammar> = OnceLock::new();
    match lang {
        Lang::Python => PY.get_or_init(|| Grammar::new(tree_sitter_python::LANGUAGE.into())),
        Lang::JavaScript => {
            JS.get_or_init(|| Grammar::new(tree_sitter_javascript::LANGUAGE.into()))
        }
        Lang::TypeScript => {
            TS.get_or_init(|| Grammar::new(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()))
        }
    }
}

thread_local! {
    /// One parser per language and thread, reused across files.
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parse `code` with the thread's parser for `lang`.
fn parse(lang: Lang, code: &str) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.try_borrow_mut().ok()?;
        if !parsers.iter().any(|(l, _)| *l == lang) {
            let mut p = Parser::new();
            p.set_language(&grammar(lang).language).ok()?;
            parsers.push((lang, p));
        }
        let (_, parser) = parsers.iter_mut().find(|(l, _)| *l == lang)?;
        parser.parse(code.as_bytes(), None)
    })
}

/// Visit every node of a tree once, pre-order, with its kind and its ancestors (root first).
/// Iterative: deep trees do not overflow the stack, and no `Node::parent` walks.
pub fn walk<'t>(root: Node<'t>, g: &Grammar, mut visit: impl FnMut(Node<'t>, K, &[Node<'t>])) {
    let mut cursor = root.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    loop {
        let n = cursor.node();
        visit(n, g.kind(n), &ancestors);
        if cursor.goto_first_child() {
            ancestors.push(n);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// The first error or missing node, descending only into subtrees that contain one.
fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    let mut n = root;
    'down: loop {
        if n.is_error() || n.is_missing() {
            return Some(n);
        }
        let mut c = n.walk();
        for child in n.children(&mut c) {
            if child.has_error() || child.is_missing() {
                n = child;
                continue 'down;
            }
        }
        return (n.id() != root.id()).then_some(n);
    }
}

/// Parse one resolved source and extract its facts. Parse errors are recorded, never fatal.
pub fn extract(function: &str, r: &Resolved) -> FunctionFacts {
    let code = r.code();
    let facts = FunctionFacts {
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
    let Some(tree) = parse(r.lang, code) else {
        let mut facts = facts;
        facts.complete = false;
        return facts;
    };
    let g = grammar(r.lang);
    let root = tree.root_node();
    let mut cx = Ctx {
        src: code.as_bytes(),
        g,
        handler_name: &r.handler_name,
        handler: None,
        resolved: r,
        facts,
        complete: true,
        guards: Vec::new(),
        handler_global: Vec::new(),
        event_param: None,
    };
    if root.has_error() {
        let first = first_error(root);
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
    pub g: &'static Grammar,
    pub handler_name: &'a str,
    /// Byte range of the handler function in the code.
    pub handler: Option<(usize, usize)>,
    pub resolved: &'a Resolved,
    pub facts: FunctionFacts,
    pub complete: bool,
    /// Byte ranges of nodes that guard what they contain (`if`, conditional expressions,
    /// `x ??= ...`, `a or b`): a fetch inside one is cached.
    pub guards: Vec<(usize, usize)>,
    /// Names the handler declares `global` (module-level caches).
    pub handler_global: Vec<String>,
    /// The handler's first parameter (the event).
    pub event_param: Option<String>,
}

impl Ctx<'_> {
    /// Record the handler function (`def`, declaration, arrow function...) and the node that
    /// names it (reported as the handler's position).
    pub fn set_handler(&mut self, f: Option<Node<'_>>, name: Option<Node<'_>>) {
        if let Some(n) = f {
            self.handler = Some((n.start_byte(), n.end_byte()));
            self.facts.handler_found = true;
            let name = name.or(n.child_by_field_id(self.g.f.name)).unwrap_or(n);
            self.facts.handler_span = self.span(name);
            self.event_param = first_param(n, self.g, self.src);
        }
    }

    /// A construction inside the handler assigned to `target` that is a lazy initialisation
    /// kept across invocations: `target` is declared `global`, or an enclosing guard inside the
    /// handler tests it (`if table is None:`, `if (!client)`, `c = c || new X()`, `c ??= ..`).
    pub fn lazy_init(&self, target: Option<&str>, ancestors: &[Node<'_>]) -> bool {
        let Some(t) = target else { return false };
        if self.handler_global.iter().any(|g| g == t) {
            return true;
        }
        let g = self.g;
        for a in ancestors.iter().rev() {
            if !self.in_handler(*a) {
                break;
            }
            let tested = match g.kind(*a) {
                K::AugmentedAssignmentExpression => true,
                K::IfStatement | K::TernaryExpression | K::ConditionalExpression => a
                    .child_by_field_id(g.f.condition)
                    .is_some_and(|c| mentions(text(c, self.src), t)),
                K::BooleanOperator | K::BinaryExpression => {
                    matches!(
                        a.child_by_field_id(g.f.operator).map(|o| text(o, self.src)),
                        Some("or" | "||" | "??")
                    ) && mentions(text(*a, self.src), t)
                }
                _ => false,
            };
            if tested {
                return true;
            }
        }
        false
    }

    /// Do a construction's arguments use the handler's event?
    pub fn uses_event(&self, args: &str) -> bool {
        self.event_param
            .as_deref()
            .is_some_and(|e| !e.is_empty() && mentions(args, e))
    }

    /// Mark the clients built in the handler from values derived from the event
    /// (`ctx = event["requestContext"]`, `const { domainName } = event.requestContext`) as
    /// configured from the event. `pending` are (client index, arguments text) of clients not
    /// already decided; the handler is walked only when there are some.
    pub fn clients_from_derived_event(
        &mut self,
        handler: Option<Node<'_>>,
        pending: &[(usize, &str)],
    ) {
        let (Some(h), Some(event)) = (handler, self.event_param.clone()) else {
            return;
        };
        if pending.is_empty() || event.is_empty() {
            return;
        }
        let (g, src) = (self.g, self.src);
        let mut names: Vec<&str> = vec![event.as_str()];
        walk(h, g, |n, k, _| {
            let (target, value) = match k {
                K::Assignment | K::AssignmentExpression => (
                    n.child_by_field_id(g.f.left),
                    n.child_by_field_id(g.f.right),
                ),
                K::VariableDeclarator => (
                    n.child_by_field_id(g.f.name),
                    n.child_by_field_id(g.f.value),
                ),
                _ => return,
            };
            let (Some(t), Some(v)) = (target, value) else {
                return;
            };
            if names.len() < 64 && names.iter().any(|e| mentions(text(v, src), e)) {
                walk(t, g, |id, k, _| {
                    if matches!(k, K::Identifier | K::ShorthandPropertyIdentifierPattern) {
                        names.push(text(id, src));
                    }
                });
            }
        });
        for &(i, args) in pending {
            if names.iter().any(|e| mentions(args, e))
                && let Some(c) = self.facts.clients.get_mut(i)
            {
                c.from_event = true;
            }
        }
    }

    /// Record an SDK client construction at `n` (assigned to `target`, inside `ancestors`, built
    /// with the argument text `args`). A client created per invocation that is neither a lazy
    /// initialisation, nor configured from the event, nor built with its own credentials is left
    /// in `pending` for [`Ctx::clients_from_derived_event`].
    #[allow(clippy::too_many_arguments)]
    pub fn push_client<'s>(
        &mut self,
        n: Node<'_>,
        service: &str,
        target: Option<&str>,
        ancestors: &[Node<'_>],
        args: &'s str,
        own_credentials: bool,
        pending: &mut Vec<(usize, &'s str)>,
    ) {
        let span = self.span(n);
        let in_handler = self.in_handler(n);
        let cached = in_handler && self.lazy_init(target, ancestors);
        let from_event = in_handler && self.uses_event(args);
        if in_handler && !cached && !from_event && !own_credentials {
            pending.push((self.facts.clients.len(), args));
        }
        self.facts.clients.push(crate::handler::facts::ClientNew {
            service: service.to_string(),
            span,
            in_handler,
            own_credentials,
            cached,
            from_event,
        });
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

    /// A call inside the handler that is guarded (`if cache is None:`, `x ??= ...`, `global`),
    /// from the byte ranges of the guards inside the handler.
    pub fn cached(&self, n: Node<'_>) -> bool {
        let Some((hs, he)) = self.handler else {
            return false;
        };
        let (s, e) = (n.start_byte(), n.end_byte());
        if s < hs || e > he {
            return false;
        }
        !self.handler_global.is_empty()
            || self
                .guards
                .iter()
                .any(|&(gs, ge)| gs >= hs && ge <= he && gs <= s && e <= ge)
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
    /// helpers (JSON, env, logging). `calls` are the call nodes of the file with their callee
    /// text; `control` the start bytes of control-flow nodes.
    pub fn forward_shape(
        &mut self,
        handler: Option<Node<'_>>,
        calls: &[(Node<'_>, &str)],
        control: &[usize],
    ) {
        let Some(h) = handler else { return };
        let Some((hs, he)) = self.handler else { return };
        let Some(event) = first_param(h, self.g, self.src) else {
            return;
        };
        if control.iter().any(|&p| p >= hs && p < he) {
            return;
        }
        let sdk: Vec<_> = self.facts.calls.iter().filter(|c| c.in_handler).collect();
        let [call] = sdk.as_slice() else { return };
        if !forwardable(&call.service) {
            return;
        }
        let mut sdk_node = None;
        for (n, callee) in calls.iter().filter(|(n, _)| self.in_handler(*n)) {
            if self.span(*n) == call.span {
                sdk_node = Some(*n);
                continue;
            }
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

pub(super) fn mentions(hay: &str, ident: &str) -> bool {
    hay.match_indices(ident).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + ident.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

pub(super) fn first_param(h: Node<'_>, g: &Grammar, src: &[u8]) -> Option<String> {
    if let Some(p) = h.child_by_field_name("parameter") {
        return Some(text(p, src).to_string());
    }
    let params = h.child_by_field_name("parameters")?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| g.kind(*n) != K::Comment)?;
    let id = if g.kind(first) == K::Identifier {
        first
    } else {
        first
            .child_by_field_name("pattern")
            .or(first.named_child(0))?
    };
    Some(text(id, src).to_string())
}

/// Does a URL (or the text building it) point at this machine (a Lambda extension)?
pub(super) fn is_local_url(t: &str) -> bool {
    t.contains("localhost") || t.contains("127.0.0.1")
}

/// The text of a node ("" on invalid UTF-8).
pub fn text<'s>(n: Node<'_>, src: &'s [u8]) -> &'s str {
    src.get(n.start_byte()..n.end_byte())
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// The source directory of a function, for tools that want it.
pub fn code_dir(r: &Resolved) -> Option<PathBuf> {
    r.code_dir.clone()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::sync::Arc;

    use super::*;
    use crate::source::SourceFile;

    fn facts(lang: Lang, code: &str) -> FunctionFacts {
        let r = Resolved {
            file: Arc::new(SourceFile::new(
                PathBuf::from("t"),
                "t".into(),
                code.to_string(),
            )),
            lang,
            handler_name: "handler".into(),
            code_dir: None,
            inline: None,
        };
        extract("F", &r)
    }

    #[test]
    fn parse_error_is_located_and_makes_facts_incomplete() {
        let code = "import boto3\n\ndef handler(event, context):\n    x = (1,\n    return x\n";
        let f = facts(Lang::Python, code);
        let at = f.parse_error.unwrap();
        assert!(at.start > 0 && (at.start as usize) < code.len(), "{at:?}");
        assert!(!f.complete);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 3000;
        let code = format!(
            "export const handler = async (e) => {{ return {}1{}; }};\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let f = facts(Lang::JavaScript, &code);
        assert!(f.handler_found);
        let py = format!(
            "def handler(event, context):\n    return {}1{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert!(facts(Lang::Python, &py).handler_found);
    }

    #[test]
    fn guarded_fetches_are_cached() {
        let py = "import boto3\nssm = boto3.client('ssm')\n_v = None\n\ndef handler(event, context):\n    global _v\n    _v = ssm.get_parameter(Name='a')\n    return _v\n";
        assert!(facts(Lang::Python, py).params[0].cached);
        let py = "import boto3\nssm = boto3.client('ssm')\nC = {}\n\ndef handler(event, context):\n    v = C.get('a') or ssm.get_parameter(Name='a')\n    w = ssm.get_parameter(Name='b')\n    return v, w\n";
        let p = facts(Lang::Python, py).params;
        assert!(p[0].cached && !p[1].cached, "{p:?}");
        let js = "import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';\nconst ssm = new SSMClient({});\nlet v;\nexport const handler = async () => {\n  v ??= await ssm.send(new GetParameterCommand({ Name: 'a' }));\n  const w = await ssm.send(new GetParameterCommand({ Name: 'b' }));\n  return [v, w];\n};\n";
        let p = facts(Lang::JavaScript, js).params;
        assert!(p[0].cached && !p[1].cached, "{p:?}");
    }

    #[test]
    fn handler_behind_wrappers_and_exports() {
        for js in [
            "exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.end(); });",
            "const main = async (event) => event;\nexport const handler = middy(main).use(x());",
            "module.exports.handler = metricScope((metrics) => async (event) => event);",
            "async function main(event) { return event; }\nexport { main as handler };",
            "const handler = async (event) => event;\nmodule.exports = { handler };",
        ] {
            assert!(facts(Lang::JavaScript, js).handler_found, "{js}");
        }
        assert!(!facts(Lang::JavaScript, "exports.other = async (e) => e;").handler_found);
    }

    #[test]
    fn tables_and_command_variables_are_attributed() {
        let py = "import boto3\ndynamodb = boto3.resource('dynamodb')\n\ndef handler(event, context):\n    table = dynamodb.Table('t')\n    table.put_item(Item=event)\n";
        let f = facts(Lang::Python, py);
        assert!(f.complete);
        assert_eq!(f.calls.len(), 1);
        assert_eq!(f.calls[0].action(), "dynamodb:PutItem");
        let js = "import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';\nconst client = new BedrockRuntimeClient({});\nexport const handler = async (event) => {\n  const command = new InvokeModelCommand({ modelId: 'm', body: event.body });\n  return client.send(command);\n};\n";
        let f = facts(Lang::JavaScript, js);
        assert!(f.complete);
        assert_eq!(f.calls[0].action(), "bedrock:InvokeModel");
    }

    #[test]
    fn clients_with_their_own_credentials() {
        let js = "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nexport const handler = async (e) => {\n  const s3 = new S3Client({ credentials: e.creds });\n  return s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\n};\n";
        let f = facts(Lang::JavaScript, js);
        assert!(f.clients[0].own_credentials && f.calls[0].own_credentials);
        let py = "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3', aws_access_key_id=event['k'], aws_secret_access_key=event['s'])\n    return s3.get_object(Bucket='b', Key='k')\n";
        let f = facts(Lang::Python, py);
        assert!(f.clients[0].own_credentials && f.calls[0].own_credentials);
        let py = "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    return s3.get_object(Bucket='b', Key='k')\n";
        let f = facts(Lang::Python, py);
        assert!(!f.clients[0].own_credentials && !f.calls[0].own_credentials);
    }
}
