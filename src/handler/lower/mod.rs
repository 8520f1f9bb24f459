//! Front ends: parse a source file with tree-sitter and lower its tree into the
//! language-neutral [`Module`] model. The front ends only lower; every analysis runs over the
//! model (see [`super::program`]).
//!
//! Lowering is linear in the input: one visit per tree node, a nesting limit (deeper code is
//! cut and the module marked truncated with the reason), and a work budget per file. Parsing
//! has a time budget too: a file tree-sitter cannot parse in time is left unanalysed with the
//! reason, never a stall.

mod javascript;
mod python;
pub(crate) mod split;

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tree_sitter::{Node, Parser, Tree};

use super::ir::*;
use super::resolve::Lang;

/// Deepest nesting of statements and expressions lowered; deeper code is cut (the module is
/// marked truncated).
pub const MAX_DEPTH: u32 = 200;
/// Tree nodes lowered per file at most.
pub const MAX_WORK: usize = 4_000_000;
/// Parser operations tree-sitter may spend on one file, counted through its progress callback
/// (called every 100 operations): the parse budget is deterministic, the same on a loaded
/// machine as on an idle one. Ordinary code takes a few operations per byte (a handler file at
/// the 2 MB size cap well under this); what is over is left unanalysed with the reason.
pub const MAX_PARSE_OPS: u64 = 60_000_000;
/// Wall-time backstop for one parse, far above what [`MAX_PARSE_OPS`] costs.
pub const PARSE_BUDGET: Duration = Duration::from_secs(20);
/// Files at least this large are cut into pieces parsed on several threads at once (see
/// [`split`]); each piece is at least half of it.
pub const SPLIT_MIN: usize = 192 * 1024;
/// At most this many pieces per file.
const MAX_PIECES: usize = 8;

/// A node kind the front ends look at, by kind id (no string comparisons per node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    Other,
    Comment,
    Identifier,
    // Python statements
    ExpressionStatement,
    Assignment,
    AugmentedAssignment,
    FunctionDefinition,
    DecoratedDefinition,
    Decorator,
    ClassDefinition,
    IfStatement,
    ElifClause,
    ElseClause,
    ForStatement,
    WhileStatement,
    TryStatement,
    ExceptClause,
    FinallyClause,
    WithStatement,
    WithClause,
    WithItem,
    ReturnStatement,
    RaiseStatement,
    GlobalStatement,
    NonlocalStatement,
    ImportStatement,
    ImportFromStatement,
    FutureImportStatement,
    MatchStatement,
    CaseClause,
    Block,
    // Python expressions
    Attribute,
    Subscript,
    Call,
    ArgumentList,
    KeywordArgument,
    ListSplat,
    DictionarySplat,
    String,
    ConcatenatedString,
    Interpolation,
    StringContent,
    StringStart,
    StringEnd,
    EscapeSequence,
    Integer,
    Float,
    True,
    False,
    NoneLit,
    List,
    Tuple,
    Set,
    Dictionary,
    Pair,
    Lambda,
    BinaryOperator,
    BooleanOperator,
    ComparisonOperator,
    NotOperator,
    UnaryOperator,
    ConditionalExpression,
    ParenthesizedExpression,
    Await,
    ListComprehension,
    DictionaryComprehension,
    SetComprehension,
    GeneratorExpression,
    ForInClause,
    IfClause,
    NamedExpression,
    ExpressionList,
    DottedName,
    AliasedImport,
    RelativeImport,
    ImportPrefix,
    WildcardImport,
    Parameters,
    LambdaParameters,
    DefaultParameter,
    TypedParameter,
    TypedDefaultParameter,
    ListSplatPattern,
    DictionarySplatPattern,
    TuplePattern,
    ListPattern,
    PatternList,
    AsPattern,
    Ellipsis,
    // JavaScript / TypeScript statements
    Program,
    LexicalDeclaration,
    VariableDeclaration,
    VariableDeclarator,
    FunctionDeclaration,
    GeneratorFunctionDeclaration,
    ClassDeclaration,
    AbstractClassDeclaration,
    ClassBody,
    MethodDefinition,
    FieldDefinition,
    PublicFieldDefinition,
    ClassStaticBlock,
    ClassHeritage,
    StatementBlock,
    ForInStatement,
    DoStatement,
    CatchClause,
    SwitchStatement,
    SwitchCase,
    SwitchDefault,
    ThrowStatement,
    ExportStatement,
    ExportClause,
    ExportSpecifier,
    NamespaceExport,
    ImportClause,
    NamespaceImport,
    NamedImports,
    ImportSpecifier,
    ImportRequireClause,
    LabeledStatement,
    // JavaScript / TypeScript expressions
    MemberExpression,
    SubscriptExpression,
    CallExpression,
    NewExpression,
    Arguments,
    Import,
    StringFragment,
    TemplateString,
    TemplateSubstitution,
    Number,
    Null,
    Undefined,
    This,
    Super,
    Object,
    PropertyIdentifier,
    ShorthandPropertyIdentifier,
    SpreadElement,
    ComputedPropertyName,
    Array,
    ArrowFunction,
    FunctionExpression,
    Class,
    AssignmentExpression,
    AugmentedAssignmentExpression,
    BinaryExpression,
    UnaryExpression,
    UpdateExpression,
    TernaryExpression,
    AwaitExpression,
    SequenceExpression,
    YieldExpression,
    AsExpression,
    SatisfiesExpression,
    NonNullExpression,
    TypeAssertion,
    InstantiationExpression,
    FormalParameters,
    RequiredParameter,
    OptionalParameter,
    AssignmentPattern,
    ObjectPattern,
    ArrayPattern,
    PairPattern,
    ShorthandPropertyIdentifierPattern,
    ObjectAssignmentPattern,
    RestPattern,
    // TypeScript declarations without runtime code
    TypeOnly,
}

fn kind_of(name: &str) -> K {
    match name {
        "comment" => K::Comment,
        "identifier" => K::Identifier,
        "expression_statement" => K::ExpressionStatement,
        "assignment" => K::Assignment,
        "augmented_assignment" => K::AugmentedAssignment,
        "function_definition" => K::FunctionDefinition,
        "decorated_definition" => K::DecoratedDefinition,
        "decorator" => K::Decorator,
        "class_definition" => K::ClassDefinition,
        "if_statement" => K::IfStatement,
        "elif_clause" => K::ElifClause,
        "else_clause" => K::ElseClause,
        "for_statement" => K::ForStatement,
        "while_statement" => K::WhileStatement,
        "try_statement" => K::TryStatement,
        "except_clause" | "except_group_clause" => K::ExceptClause,
        "finally_clause" => K::FinallyClause,
        "with_statement" => K::WithStatement,
        "with_clause" => K::WithClause,
        "with_item" => K::WithItem,
        "return_statement" => K::ReturnStatement,
        "raise_statement" => K::RaiseStatement,
        "global_statement" => K::GlobalStatement,
        "nonlocal_statement" => K::NonlocalStatement,
        "import_statement" => K::ImportStatement,
        "import_from_statement" => K::ImportFromStatement,
        "future_import_statement" => K::FutureImportStatement,
        "match_statement" => K::MatchStatement,
        "case_clause" => K::CaseClause,
        "block" => K::Block,
        "attribute" => K::Attribute,
        "subscript" => K::Subscript,
        "call" => K::Call,
        "argument_list" => K::ArgumentList,
        "keyword_argument" => K::KeywordArgument,
        "list_splat" | "parenthesized_list_splat" => K::ListSplat,
        "dictionary_splat" => K::DictionarySplat,
        "string" => K::String,
        "concatenated_string" => K::ConcatenatedString,
        "interpolation" => K::Interpolation,
        "string_content" => K::StringContent,
        "string_start" => K::StringStart,
        "string_end" => K::StringEnd,
        "escape_sequence" => K::EscapeSequence,
        "integer" => K::Integer,
        "float" => K::Float,
        "true" => K::True,
        "false" => K::False,
        "none" => K::NoneLit,
        "list" => K::List,
        "tuple" => K::Tuple,
        "set" => K::Set,
        "dictionary" => K::Dictionary,
        "pair" => K::Pair,
        "lambda" => K::Lambda,
        "binary_operator" => K::BinaryOperator,
        "boolean_operator" => K::BooleanOperator,
        "comparison_operator" => K::ComparisonOperator,
        "not_operator" => K::NotOperator,
        "unary_operator" => K::UnaryOperator,
        "conditional_expression" => K::ConditionalExpression,
        "parenthesized_expression" => K::ParenthesizedExpression,
        "await" => K::Await,
        "list_comprehension" => K::ListComprehension,
        "dictionary_comprehension" => K::DictionaryComprehension,
        "set_comprehension" => K::SetComprehension,
        "generator_expression" => K::GeneratorExpression,
        "for_in_clause" => K::ForInClause,
        "if_clause" => K::IfClause,
        "named_expression" => K::NamedExpression,
        "expression_list" => K::ExpressionList,
        "dotted_name" => K::DottedName,
        "aliased_import" => K::AliasedImport,
        "relative_import" => K::RelativeImport,
        "import_prefix" => K::ImportPrefix,
        "wildcard_import" => K::WildcardImport,
        "parameters" => K::Parameters,
        "lambda_parameters" => K::LambdaParameters,
        "default_parameter" => K::DefaultParameter,
        "typed_parameter" => K::TypedParameter,
        "typed_default_parameter" => K::TypedDefaultParameter,
        "list_splat_pattern" => K::ListSplatPattern,
        "dictionary_splat_pattern" => K::DictionarySplatPattern,
        "tuple_pattern" => K::TuplePattern,
        "list_pattern" => K::ListPattern,
        "pattern_list" => K::PatternList,
        "as_pattern" => K::AsPattern,
        "ellipsis" => K::Ellipsis,
        "program" => K::Program,
        "lexical_declaration" | "using_declaration" => K::LexicalDeclaration,
        "variable_declaration" => K::VariableDeclaration,
        "variable_declarator" => K::VariableDeclarator,
        "function_declaration" => K::FunctionDeclaration,
        "generator_function_declaration" => K::GeneratorFunctionDeclaration,
        "class_declaration" => K::ClassDeclaration,
        "abstract_class_declaration" => K::AbstractClassDeclaration,
        "class_body" => K::ClassBody,
        "method_definition" => K::MethodDefinition,
        "field_definition" => K::FieldDefinition,
        "public_field_definition" => K::PublicFieldDefinition,
        "class_static_block" => K::ClassStaticBlock,
        "class_heritage" => K::ClassHeritage,
        "statement_block" => K::StatementBlock,
        "for_in_statement" => K::ForInStatement,
        "do_statement" => K::DoStatement,
        "catch_clause" => K::CatchClause,
        "switch_statement" => K::SwitchStatement,
        "switch_case" => K::SwitchCase,
        "switch_default" => K::SwitchDefault,
        "throw_statement" => K::ThrowStatement,
        "export_statement" => K::ExportStatement,
        "export_clause" => K::ExportClause,
        "export_specifier" => K::ExportSpecifier,
        "namespace_export" => K::NamespaceExport,
        "import_clause" => K::ImportClause,
        "namespace_import" => K::NamespaceImport,
        "named_imports" => K::NamedImports,
        "import_specifier" => K::ImportSpecifier,
        "import_require_clause" => K::ImportRequireClause,
        "labeled_statement" => K::LabeledStatement,
        "member_expression" => K::MemberExpression,
        "subscript_expression" => K::SubscriptExpression,
        "call_expression" => K::CallExpression,
        "new_expression" => K::NewExpression,
        "arguments" => K::Arguments,
        "import" => K::Import,
        "string_fragment" => K::StringFragment,
        "template_string" => K::TemplateString,
        "template_substitution" => K::TemplateSubstitution,
        "number" => K::Number,
        "null" => K::Null,
        "undefined" => K::Undefined,
        "this" => K::This,
        "super" => K::Super,
        "object" => K::Object,
        "property_identifier" | "private_property_identifier" => K::PropertyIdentifier,
        "shorthand_property_identifier" => K::ShorthandPropertyIdentifier,
        "spread_element" => K::SpreadElement,
        "computed_property_name" => K::ComputedPropertyName,
        "array" => K::Array,
        "arrow_function" => K::ArrowFunction,
        "function_expression" | "function" | "generator_function" => K::FunctionExpression,
        "class" => K::Class,
        "assignment_expression" => K::AssignmentExpression,
        "augmented_assignment_expression" => K::AugmentedAssignmentExpression,
        "binary_expression" => K::BinaryExpression,
        "unary_expression" => K::UnaryExpression,
        "update_expression" => K::UpdateExpression,
        "ternary_expression" => K::TernaryExpression,
        "await_expression" => K::AwaitExpression,
        "sequence_expression" => K::SequenceExpression,
        "yield_expression" => K::YieldExpression,
        "as_expression" => K::AsExpression,
        "satisfies_expression" => K::SatisfiesExpression,
        "non_null_expression" => K::NonNullExpression,
        "type_assertion" => K::TypeAssertion,
        "instantiation_expression" => K::InstantiationExpression,
        "formal_parameters" => K::FormalParameters,
        "required_parameter" => K::RequiredParameter,
        "optional_parameter" => K::OptionalParameter,
        "assignment_pattern" => K::AssignmentPattern,
        "object_pattern" => K::ObjectPattern,
        "array_pattern" => K::ArrayPattern,
        "pair_pattern" => K::PairPattern,
        "shorthand_property_identifier_pattern" => K::ShorthandPropertyIdentifierPattern,
        "object_assignment_pattern" => K::ObjectAssignmentPattern,
        "rest_pattern" => K::RestPattern,
        "type_alias_declaration"
        | "interface_declaration"
        | "ambient_declaration"
        | "type_alias_statement"
        | "function_signature"
        | "abstract_method_signature"
        | "index_signature"
        | "method_signature"
        | "property_signature"
        | "type_annotation"
        | "type_arguments"
        | "type_parameters"
        | "decorator_parameters" => K::TypeOnly,
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
    pub consequence: u16,
    pub alternative: u16,
    pub parameters: u16,
    pub parameter: u16,
    pub subscript: u16,
    pub index: u16,
    pub argument: u16,
    pub superclasses: u16,
    pub declaration: u16,
    pub handler: u16,
    pub finalizer: u16,
    pub pattern: u16,
    pub subject: u16,
    pub kind: u16,
    pub member: u16,
    pub label: u16,
    pub expression: u16,
    pub initializer: u16,
    pub increment: u16,
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
                    // The `import` keyword of a dynamic `import(..)` is anonymous in some
                    // grammar versions.
                    return match language.node_kind_for_id(id) {
                        Some("import") => K::Import,
                        _ => K::Other,
                    };
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
            consequence: field("consequence"),
            alternative: field("alternative"),
            parameters: field("parameters"),
            parameter: field("parameter"),
            subscript: field("subscript"),
            index: field("index"),
            argument: field("argument"),
            superclasses: field("superclasses"),
            declaration: field("declaration"),
            handler: field("handler"),
            finalizer: field("finalizer"),
            pattern: field("pattern"),
            subject: field("subject"),
            kind: field("kind"),
            member: field("member"),
            label: field("label"),
            expression: field("expression"),
            initializer: field("initializer"),
            increment: field("increment"),
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
    static TSX: OnceLock<Grammar> = OnceLock::new();
    match lang {
        Lang::Python => PY.get_or_init(|| Grammar::new(tree_sitter_python::LANGUAGE.into())),
        Lang::JavaScript => {
            JS.get_or_init(|| Grammar::new(tree_sitter_javascript::LANGUAGE.into()))
        }
        Lang::TypeScript => {
            TS.get_or_init(|| Grammar::new(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()))
        }
        Lang::Tsx => TSX.get_or_init(|| Grammar::new(tree_sitter_typescript::LANGUAGE_TSX.into())),
    }
}

thread_local! {
    /// One parser per language and thread, reused across files.
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Why a file could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseFailure {
    /// tree-sitter did not finish within its operation budget ([`MAX_PARSE_OPS`]).
    OverBudget,
    /// tree-sitter did not finish within [`PARSE_BUDGET`].
    TimedOut,
    /// The parser could not be set up or gave no tree.
    NoTree,
}

/// Parse `code` with the thread's parser for `lang`, within `ops` parser operations and
/// `budget` of wall time.
pub fn parse(lang: Lang, code: &str, ops: u64, budget: Duration) -> Result<Tree, ParseFailure> {
    parse_counted(lang, code, ops, budget).0
}

/// [`parse`], with the parser operations spent (in hundreds, as tree-sitter reports them).
pub fn parse_counted(
    lang: Lang,
    code: &str,
    ops: u64,
    budget: Duration,
) -> (Result<Tree, ParseFailure>, u64) {
    let calls = AtomicU64::new(0);
    let r = parse_inner(
        lang,
        code,
        ops / 100,
        (Instant::now(), budget),
        &calls,
        None,
    );
    (r, calls.into_inner().saturating_mul(100))
}

/// The byte ranges (with their positions) of the pieces of `code` between `cuts`.
fn piece_ranges(code: &str, cuts: &[usize]) -> Vec<tree_sitter::Range> {
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(cuts);
    bounds.push(code.len());
    // Rows counted once, from one cut to the next.
    let (mut row, mut line, mut at) = (0, 0, 0);
    let mut point = |to: usize| {
        let part = code.as_bytes().get(at..to).unwrap_or(&[]);
        row += part.iter().filter(|&&b| b == b'\n').count();
        if let Some(p) = part.iter().rposition(|&b| b == b'\n') {
            line = at + p + 1;
        }
        at = to;
        tree_sitter::Point::new(row, to - line)
    };
    let points: Vec<tree_sitter::Point> = bounds.iter().map(|&b| point(b)).collect();
    bounds
        .windows(2)
        .zip(points.windows(2))
        .filter_map(|(b, p)| match (b, p) {
            (&[a, b], &[pa, pb]) => Some(tree_sitter::Range {
                start_byte: a,
                end_byte: b,
                start_point: pa,
                end_point: pb,
            }),
            _ => None,
        })
        .collect()
}

/// Parse `code` (only `range` of it when given) with the thread's parser for `lang`, stopping
/// once `calls` (shared by the pieces of one file) passes `max_calls` or the budget from its
/// start is spent.
fn parse_inner(
    lang: Lang,
    code: &str,
    max_calls: u64,
    (start, budget): (Instant, Duration),
    calls: &AtomicU64,
    range: Option<tree_sitter::Range>,
) -> Result<Tree, ParseFailure> {
    PARSERS.with(|cell| {
        let mut parsers = cell.try_borrow_mut().map_err(|_| ParseFailure::NoTree)?;
        if !parsers.iter().any(|(l, _)| *l == lang) {
            let mut p = Parser::new();
            p.set_language(&grammar(lang).language)
                .map_err(|_| ParseFailure::NoTree)?;
            parsers.push((lang, p));
        }
        let (_, parser) = parsers
            .iter_mut()
            .find(|(l, _)| *l == lang)
            .ok_or(ParseFailure::NoTree)?;
        if let Some(r) = range {
            parser
                .set_included_ranges(&[r])
                .map_err(|_| ParseFailure::NoTree)?;
        }
        let mut failed = None;
        let mut progress = |_: &tree_sitter::ParseState| {
            let n = calls.fetch_add(1, Ordering::Relaxed) + 1;
            if n > max_calls {
                failed = Some(ParseFailure::OverBudget);
                return ControlFlow::Break(());
            }
            if n.is_multiple_of(256) && start.elapsed() > budget {
                failed = Some(ParseFailure::TimedOut);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        };
        let bytes = code.as_bytes();
        let len = bytes.len();
        let mut input = |i: usize, _| -> &[u8] {
            if i < len {
                bytes.get(i..).unwrap_or(&[])
            } else {
                &[]
            }
        };
        let tree = parser.parse_with_options(
            &mut input,
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
        );
        if range.is_some() {
            // The parser is reused for whole files: back to the whole text.
            let _ = parser.set_included_ranges(&[]);
        }
        if let Some(f) = failed {
            parser.reset();
            return Err(f);
        }
        tree.ok_or(ParseFailure::NoTree)
    })
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

/// Parse and lower one source text.
pub fn lower(lang: Lang, code: &str) -> Module {
    lower_with(lang, code, MAX_PARSE_OPS, PARSE_BUDGET, MAX_WORK)
}

/// [`lower`] with explicit budgets (tests).
pub fn lower_with(lang: Lang, code: &str, ops: u64, budget: Duration, work: usize) -> Module {
    let threads = rayon::current_num_threads();
    // More pieces than threads: the pieces are lowered in order while the later ones are still
    // being parsed.
    let parts = if threads < 2 {
        1
    } else {
        threads.saturating_mul(4).min(MAX_PIECES)
    };
    lower_split(lang, code, (ops, budget, work), (SPLIT_MIN, parts))
}

/// What became of a file parsed in pieces.
enum Pieces {
    Lowered(Box<Module>),
    Failed(ParseFailure),
    /// A piece has a syntax error (or was cut in the wrong place).
    SyntaxError,
}

/// [`lower_with`], cutting files of at least `split.0` bytes into at most `split.1` pieces
/// (see [`split`]). When every piece parses without error the result is the same as
/// for the whole file; when one has an error the whole file is parsed and lowered at once.
pub(crate) fn lower_split(
    lang: Lang,
    code: &str,
    (ops, budget, work): (u64, Duration, usize),
    (split_min, parts): (usize, usize),
) -> Module {
    if code.len() >= split_min {
        let cuts = match lang {
            Lang::Python => split::python_cuts(code.as_bytes(), parts, split_min / 2),
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
                split::js_cuts(code.as_bytes(), parts, split_min / 2)
            }
        };
        if !cuts.is_empty() {
            match lower_pieces(lang, code, &cuts, (ops, budget, work)) {
                Pieces::Lowered(m) => return *m,
                Pieces::Failed(f) => return not_parsed(lang, f, ops, budget),
                Pieces::SyntaxError => {}
            }
        }
    }
    match parse(lang, code, ops, budget) {
        Ok(tree) => {
            let root = tree.root_node();
            let error = root.has_error().then(|| {
                first_error(root).map_or(Range::default(), |n| {
                    Range::new(n.start_byte(), n.end_byte())
                })
            });
            let mut cx = Lower::new(lang, code, work);
            cx.m.parse_error = error;
            cx.root(lang, root);
            release(tree, code.len());
            cx.finish()
        }
        Err(f) => not_parsed(lang, f, ops, budget),
    }
}

/// What became of one piece of a file.
enum Piece {
    Tree(Tree),
    Failed(ParseFailure),
    /// Not parsed: another piece failed or has an error.
    Skipped,
}

/// The pieces of one file, shared by the thread lowering them and the helpers parsing them.
struct PieceWork {
    lang: Lang,
    code: std::sync::Arc<str>,
    ranges: Vec<tree_sitter::Range>,
    /// The next piece nobody has claimed yet.
    next: std::sync::atomic::AtomicUsize,
    slots: std::sync::Mutex<Vec<Option<Piece>>>,
    filled: std::sync::Condvar,
    /// Parser operations spent on the pieces (in hundreds), against `max_calls`.
    calls: AtomicU64,
    max_calls: u64,
    /// Set once a piece failed or has an error: the pieces not yet parsed are left alone.
    stop: std::sync::atomic::AtomicBool,
    start: Instant,
    budget: Duration,
}

impl PieceWork {
    /// Claim the next piece to parse.
    fn claim(&self) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.ranges.len()).then_some(i)
    }

    /// Parse piece `i` (claimed) and put it in its slot.
    fn parse(&self, i: usize) {
        let Some(&r) = self.ranges.get(i) else {
            return;
        };
        let piece = if self.stop.load(Ordering::Relaxed) {
            Piece::Skipped
        } else {
            match parse_inner(
                self.lang,
                &self.code,
                self.max_calls,
                (self.start, self.budget),
                &self.calls,
                Some(r),
            ) {
                Ok(t) => {
                    if t.root_node().has_error() {
                        self.stop.store(true, Ordering::Relaxed);
                    }
                    Piece::Tree(t)
                }
                Err(f) => {
                    self.stop.store(true, Ordering::Relaxed);
                    Piece::Failed(f)
                }
            }
        };
        if let Ok(mut slots) = self.slots.lock()
            && let Some(s) = slots.get_mut(i)
        {
            *s = Some(piece);
        }
        self.filled.notify_all();
    }

    /// Piece `i`, once parsed: parsing the unclaimed pieces meanwhile, else waiting for the
    /// helper parsing it. Never runs other work of the pool (the caller may be inside a module
    /// being loaded that other work waits for). `None` if a lock was poisoned.
    fn take(&self, i: usize) -> Option<Piece> {
        loop {
            {
                let mut slots = self.slots.lock().ok()?;
                if let Some(p) = slots.get_mut(i)?.take() {
                    return Some(p);
                }
                if self.next.load(Ordering::Relaxed) >= self.ranges.len() {
                    // Every piece is claimed: piece `i` is being parsed by a helper.
                    let mut slots = self
                        .filled
                        .wait_while(slots, |s| s.get(i).is_some_and(Option::is_none))
                        .ok()?;
                    return slots.get_mut(i)?.take();
                }
            }
            if let Some(j) = self.claim() {
                self.parse(j);
            }
        }
    }
}

/// Parse the pieces of `code` between `cuts` and lower each one, in order, as soon as it is
/// parsed, within `ops` parser operations in all and `budget` of wall time from the start.
/// Helpers on the thread pool parse the pieces this thread has not reached yet; this thread
/// parses whatever is left unclaimed and waits only for pieces a helper is parsing, so it
/// finishes on its own when the pool is busy.
fn lower_pieces(
    lang: Lang,
    code: &str,
    cuts: &[usize],
    (ops, budget, work): (u64, Duration, usize),
) -> Pieces {
    use std::sync::Arc;
    let ranges = piece_ranges(code, cuts);
    let n = ranges.len();
    let w = Arc::new(PieceWork {
        lang,
        code: Arc::from(code),
        ranges,
        next: std::sync::atomic::AtomicUsize::new(0),
        slots: std::sync::Mutex::new((0..n).map(|_| None).collect()),
        filled: std::sync::Condvar::new(),
        calls: AtomicU64::new(0),
        max_calls: ops / 100,
        stop: std::sync::atomic::AtomicBool::new(false),
        start: Instant::now(),
        budget,
    });
    // Helpers take the pieces after the first, in order; they are detached: one that starts
    // after every piece is claimed ends at once.
    let helpers = rayon::current_num_threads().saturating_sub(1).min(n - 1);
    for _ in 0..helpers {
        let w = Arc::clone(&w);
        rayon::spawn(move || {
            while let Some(i) = w.claim() {
                w.parse(i);
            }
        });
    }
    let len = code.len();
    let mut cx = Lower::new(lang, code, work);
    for i in 0..n {
        match w.take(i) {
            Some(Piece::Tree(t)) => {
                let clean = !t.root_node().has_error();
                if clean {
                    cx.root(lang, t.root_node());
                }
                release(t, len);
                if !clean {
                    return stopped(&w, i + 1);
                }
            }
            Some(Piece::Failed(f)) => return Pieces::Failed(f),
            Some(Piece::Skipped) => return stopped(&w, i + 1),
            None => return Pieces::Failed(ParseFailure::NoTree),
        }
    }
    Pieces::Lowered(Box::new(cx.finish()))
}

/// The outcome of pieces stopped early, from piece `from` on: the first one (in order) that
/// failed decides, as for a whole parse; else a piece has a syntax error.
fn stopped(w: &PieceWork, from: usize) -> Pieces {
    for i in from..w.ranges.len() {
        match w.take(i) {
            Some(Piece::Failed(f)) => return Pieces::Failed(f),
            Some(Piece::Tree(t)) => release(t, w.code.len()),
            Some(Piece::Skipped) | None => {}
        }
    }
    Pieces::SyntaxError
}

/// The module of a file that was not parsed, with the reason.
fn not_parsed(lang: Lang, f: ParseFailure, ops: u64, budget: Duration) -> Module {
    Module {
        lang: Some(lang),
        funcs: vec![Func::default()],
        truncated: Some(match f {
            ParseFailure::OverBudget => format!(
                "not parsed: over the parser's budget of {ops} operations (the file is too large or too unusual)"
            ),
            ParseFailure::TimedOut => format!(
                "not parsed within {} s (the file is too large or too unusual)",
                budget.as_secs()
            ),
            ParseFailure::NoTree => "the parser gave no syntax tree".into(),
        }),
        ..Module::default()
    }
}

/// Free a syntax tree: a large one on the thread pool, without waiting (freeing a 1 MB file's
/// tree costs a tenth of its parse).
fn release(tree: Tree, len: usize) {
    if len >= 64 * 1024 && rayon::current_num_threads() > 1 {
        rayon::spawn(move || drop(tree));
    } else {
        drop(tree);
    }
}

/// Lowering state shared by the front ends.
pub(crate) struct Lower<'s> {
    pub src: &'s [u8],
    pub g: &'static Grammar,
    pub m: Module,
    /// The function being lowered.
    pub func: FnId,
    /// The innermost control-flow region.
    pub block: BlockId,
    /// The class whose body is being lowered.
    pub class: Option<ClassId>,
    /// Names bound to the caught error by the enclosing exception handlers.
    pub catch_vars: Vec<String>,
    depth: u32,
    work: usize,
    max_work: usize,
}

impl<'s> Lower<'s> {
    /// Lowering state for the source text `code`, with a budget of `work` tree nodes.
    fn new(lang: Lang, code: &'s str, work: usize) -> Self {
        let top = Func {
            range: Range::new(0, code.len()),
            ..Func::default()
        };
        Lower {
            src: code.as_bytes(),
            g: grammar(lang),
            m: Module {
                lang: Some(lang),
                funcs: vec![top],
                ..Module::default()
            },
            func: TOP,
            block: NO_BLOCK,
            class: None,
            catch_vars: Vec::new(),
            depth: 0,
            work: 0,
            max_work: work,
        }
    }

    /// Lower the syntax tree (or the tree of one piece) rooted at `root`.
    fn root(&mut self, lang: Lang, root: Node<'_>) {
        match lang {
            Lang::Python => python::module(self, root),
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => javascript::module(self, root),
        }
    }

    /// The lowered module.
    fn finish(self) -> Module {
        let mut m = self.m;
        for f in &mut m.funcs {
            f.locals.sort();
            f.locals.dedup();
        }
        m
    }

    /// Enter a node: false (and the module marked truncated) past the nesting limit or the
    /// work budget. Pair with [`Lower::leave`] when true.
    pub fn enter(&mut self, n: Node<'_>) -> bool {
        self.work += 1;
        if self.depth >= MAX_DEPTH {
            if self.m.truncated.is_none() {
                self.m.truncated = Some(format!(
                    "code nested deeper than {MAX_DEPTH} levels (line {}) was not analysed",
                    n.start_position().row + 1
                ));
            }
            return false;
        }
        if self.work > self.max_work {
            if self.m.truncated.is_none() {
                self.m.truncated = Some(format!(
                    "the file is too large to analyse completely (more than {} syntax nodes; stopped at line {})",
                    self.max_work,
                    n.start_position().row + 1
                ));
            }
            return false;
        }
        self.depth += 1;
        true
    }

    /// Is `name` the error caught by an enclosing handler?
    pub fn catch_var(&self, name: &str) -> bool {
        !name.is_empty() && self.catch_vars.iter().any(|c| c == name)
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The text of a node ("" on invalid UTF-8).
    pub fn text(&self, n: Node<'_>) -> &'s str {
        self.src
            .get(n.start_byte()..n.end_byte())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    pub fn kind(&self, n: Node<'_>) -> K {
        self.g.kind(n)
    }

    pub fn range(n: Node<'_>) -> Range {
        Range::new(n.start_byte(), n.end_byte())
    }

    pub fn push(&mut self, e: Expr, n: Node<'_>) -> ExprId {
        self.push_at(e, Self::range(n))
    }

    pub fn push_at(&mut self, e: Expr, r: Range) -> ExprId {
        let id = u32::try_from(self.m.exprs.len()).unwrap_or(u32::MAX);
        self.m.exprs.push(e);
        self.m.ranges.push(r);
        id
    }

    pub fn stmt(&mut self, kind: StmtKind, n: Node<'_>) {
        let s = Stmt {
            kind,
            block: self.block,
            range: Self::range(n),
        };
        if let Some(f) = self.m.funcs.get_mut(self.func as usize) {
            f.body.push(s);
        }
    }

    pub fn cur(&mut self) -> Option<&mut Func> {
        self.m.funcs.get_mut(self.func as usize)
    }

    /// Declare `name` in the current function.
    pub fn bind(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        if let Some(f) = self.cur() {
            f.locals.push(name.to_string());
        }
    }

    /// Start a function (a child of the current one).
    pub fn new_func(&mut self, name: &str, n: Node<'_>, name_node: Option<Node<'_>>) -> FnId {
        let id = u32::try_from(self.m.funcs.len()).unwrap_or(u32::MAX);
        self.m.funcs.push(Func {
            name: name.to_string(),
            parent: Some(self.func),
            class: self.class,
            range: Self::range(n),
            name_range: Self::range(name_node.unwrap_or(n)),
            ..Func::default()
        });
        id
    }

    /// Lower the body of function `f` with `body`.
    pub fn in_func<R>(&mut self, f: FnId, body: impl FnOnce(&mut Self) -> R) -> R {
        let (func, block, class) = (self.func, self.block, self.class);
        self.func = f;
        self.block = NO_BLOCK;
        self.class = None;
        let r = body(self);
        self.func = func;
        self.block = block;
        self.class = class;
        r
    }

    /// Lower `body` inside a new control-flow region.
    pub fn in_block<R>(
        &mut self,
        kind: BlockKind,
        n: Node<'_>,
        body: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let id = u32::try_from(self.m.blocks.len()).unwrap_or(u32::MAX);
        self.m.blocks.push(Block {
            kind,
            parent: self.block,
            range: Self::range(n),
        });
        let saved = self.block;
        self.block = id;
        let r = body(self);
        self.block = saved;
        r
    }

    pub fn new_import(&mut self, spec: &str, level: u32, dynamic: bool, n: Node<'_>) -> ImportId {
        let id = u32::try_from(self.m.imports.len()).unwrap_or(u32::MAX);
        self.m.imports.push(Import {
            spec: spec.to_string(),
            level,
            dynamic,
            range: Self::range(n),
            names: Vec::new(),
        });
        id
    }

    /// Record a name imported from import `i`.
    pub fn import_name(&mut self, i: ImportId, name: &str) {
        if let Some(imp) = self.m.imports.get_mut(i as usize) {
            imp.names.push(name.to_string());
        }
    }

    pub fn new_class(&mut self, name: &str, n: Node<'_>) -> ClassId {
        let id = u32::try_from(self.m.classes.len()).unwrap_or(u32::MAX);
        self.m.classes.push(Class {
            name: name.to_string(),
            range: Self::range(n),
            scope: self.func,
            ..Class::default()
        });
        id
    }

    /// The children of a node in field `field` (several for repeated fields).
    pub fn field_children<'t>(&self, n: Node<'t>, field: u16) -> Vec<Node<'t>> {
        let Some(id) = std::num::NonZeroU16::new(field) else {
            return Vec::new();
        };
        let mut c = n.walk();
        n.children_by_field_id(id, &mut c).collect()
    }

    /// The named children of a node, comments left out.
    pub fn named<'t>(&self, n: Node<'t>) -> Vec<Node<'t>> {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|x| self.g.kind(*x) != K::Comment)
            .collect()
    }
}

/// Decode the escapes of a quoted string body (Python and JavaScript share the common ones).
pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}
