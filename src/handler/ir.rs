//! The language-neutral model of one source module that every front end lowers into and the one
//! analysis reads (see [`super::program`]): functions with their parameters and statements,
//! imports as expressions, exports, assignments, calls with their argument expressions, returns,
//! and the control-flow regions the rules need (conditions, loops, `try`).
//!
//! Nothing here depends on the function the module is analysed for: a module is lowered once
//! per run and shared by every function whose code reaches it.

use std::collections::HashMap;

use super::resolve::Lang;

/// Index of a function of a module; [`TOP`] is the module's top level.
pub type FnId = u32;
/// Index of an expression in [`Module::exprs`].
pub type ExprId = u32;
/// Index of a control-flow region in [`Module::blocks`]; [`NO_BLOCK`] is none.
pub type BlockId = u32;
/// Index of a class in [`Module::classes`].
pub type ClassId = u32;
/// Index of an import in [`Module::imports`].
pub type ImportId = u32;

/// The module's top level (runs once, at init).
pub const TOP: FnId = 0;
/// Not inside any control-flow region.
pub const NO_BLOCK: BlockId = u32::MAX;

/// A byte range in the module's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

impl Range {
    pub fn new(start: usize, end: usize) -> Range {
        Range {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub fn contains(self, other: Range) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// One lowered module.
#[derive(Debug, Default)]
pub struct Module {
    pub lang: Option<Lang>,
    /// `funcs[TOP]` is the top level; the others are every function, method, lambda and arrow
    /// function of the module.
    pub funcs: Vec<Func>,
    pub exprs: Vec<Expr>,
    /// Source range of each expression (same index as `exprs`).
    pub ranges: Vec<Range>,
    pub blocks: Vec<Block>,
    pub classes: Vec<Class>,
    pub imports: Vec<Import>,
    /// Named exports (JavaScript `export`, `exports.x =`, `module.exports = { .. }`): exported
    /// name -> value.
    pub exports: Vec<(String, ExprId)>,
    /// `export * from '..'`, Python `from x import *` at top level.
    pub star_exports: Vec<ImportId>,
    /// `module.exports = <value>` (CommonJS): what `require` returns.
    pub cjs_exports: Option<ExprId>,
    /// The first syntax error.
    pub parse_error: Option<Range>,
    /// The lowering stopped early (work budget, nesting depth): why. The facts of every
    /// function reaching this module are incomplete.
    pub truncated: Option<String>,
    /// Per function, the names assigned in its body (built on first use, see
    /// [`Module::assigned`]).
    pub assign_index: std::sync::OnceLock<Vec<HashMap<String, Assigned>>>,
}

/// How a name is assigned in one function's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    /// Exactly once, with `=`.
    Once(ExprId),
    /// More than once, or by an augmented assignment (`+=`, `||=`, ...).
    Many,
}

impl Module {
    /// How `name` is assigned in function `f`'s own body (`None`: not assigned). Indexed once
    /// per module: a lookup per name would scan the body, quadratic for a large top level.
    pub fn assigned(&self, f: FnId, name: &str) -> Option<Assigned> {
        let index = self.assign_index.get_or_init(|| {
            self.funcs
                .iter()
                .map(|func| {
                    let mut m: HashMap<String, Assigned> = HashMap::new();
                    for s in &func.body {
                        if let StmtKind::Assign {
                            target: Target::Name(t),
                            value,
                            op,
                        } = &s.kind
                        {
                            let a = if *op == AssignOp::Set {
                                Assigned::Once(*value)
                            } else {
                                Assigned::Many
                            };
                            m.entry(t.clone())
                                .and_modify(|x| *x = Assigned::Many)
                                .or_insert(a);
                        }
                    }
                    m
                })
                .collect()
        });
        index.get(f as usize)?.get(name).copied()
    }

    pub fn expr(&self, e: ExprId) -> &Expr {
        self.exprs.get(e as usize).unwrap_or(&Expr::Unknown)
    }

    pub fn range(&self, e: ExprId) -> Range {
        self.ranges.get(e as usize).copied().unwrap_or_default()
    }

    pub fn func(&self, f: FnId) -> Option<&Func> {
        self.funcs.get(f as usize)
    }

    pub fn block(&self, b: BlockId) -> Option<&Block> {
        self.blocks.get(b as usize)
    }

    pub fn class(&self, c: ClassId) -> Option<&Class> {
        self.classes.get(c as usize)
    }

    pub fn import(&self, i: ImportId) -> Option<&Import> {
        self.imports.get(i as usize)
    }

    /// The blocks enclosing `b`, innermost first.
    pub fn enclosing(&self, b: BlockId) -> impl Iterator<Item = (BlockId, &Block)> {
        let mut cur = b;
        std::iter::from_fn(move || {
            let blk = self.block(cur)?;
            let out = (cur, blk);
            cur = blk.parent;
            Some(out)
        })
    }

    /// Visit `e` and its sub-expressions (not the bodies of nested functions), pre-order.
    /// Iterative: expression depth is bounded by the lowering, but no recursion here anyway.
    pub fn visit(&self, e: ExprId, mut f: impl FnMut(ExprId, &Expr)) {
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            let ex = self.expr(x);
            f(x, ex);
            let before = stack.len();
            ex.children(|c| stack.push(c));
            // Keep source order (pre-order, left to right).
            if let Some(s) = stack.get_mut(before..) {
                s.reverse();
            }
        }
    }
}

/// A function, method, lambda or arrow function (or the module top level).
#[derive(Debug, Default)]
pub struct Func {
    /// Its name (`def name`, `function name`, `const name = () =>`, method name); empty when
    /// anonymous.
    pub name: String,
    /// The function it is written in (None for the top level).
    pub parent: Option<FnId>,
    /// The class it is a method of.
    pub class: Option<ClassId>,
    pub params: Vec<Param>,
    pub decorators: Vec<ExprId>,
    pub range: Range,
    /// Where its name is (or the whole function when anonymous).
    pub name_range: Range,
    pub body: Vec<Stmt>,
    /// Names declared `global` / `nonlocal` (Python): assignments to them are not local.
    pub nonlocal: Vec<String>,
    /// Names declared in its scope (`let`/`const`/`var`, Python assignment targets, nested
    /// definitions, parameters are in `params`).
    pub locals: Vec<String>,
    pub is_async: bool,
}

impl Func {
    /// Is `name` bound in this function's own scope?
    pub fn binds(&self, name: &str) -> bool {
        !self.nonlocal.iter().any(|n| n == name)
            && (self.locals.iter().any(|n| n == name)
                || self
                    .params
                    .iter()
                    .any(|p| p.names.iter().any(|n| n == name)))
    }

    /// The names of its first parameter (the event, for a handler).
    pub fn first_param(&self) -> Option<&Param> {
        self.params.first()
    }
}

/// A parameter: the names it binds (several when destructured).
#[derive(Debug, Clone, Default)]
pub struct Param {
    pub names: Vec<String>,
    /// `*args`, `...rest`, `**kwargs`.
    pub rest: bool,
}

/// One statement, with the innermost control-flow region it is in.
#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub block: BlockId,
    pub range: Range,
}

#[derive(Debug)]
pub enum StmtKind {
    /// `target = value` (also `let`/`const`/`var` with a value, `x ??= v`, `x += v`).
    Assign {
        target: Target,
        value: ExprId,
        op: AssignOp,
    },
    /// An expression evaluated for its effect.
    Eval(ExprId),
    Return(Option<ExprId>),
    /// `raise` / `throw`; `reraise`: a bare `raise`, or re-raising the caught error.
    Throw {
        value: Option<ExprId>,
        reraise: bool,
    },
    /// A nested function or method defined here (binds its name).
    Def(FnId),
    /// A class defined here.
    Class(ClassId),
    /// `from x import *` (Python) inside this function or at top level.
    StarImport(ImportId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    /// `??=`, `||=`: assigns only when the target is empty (a lazy initialisation).
    IfEmpty,
    /// `+=` and the other updates.
    Update,
}

/// What an assignment writes to.
#[derive(Debug, Clone)]
pub enum Target {
    Name(String),
    /// `a.b`, `a[k]`, `self.x`, `this.x`: the target expression.
    Member(ExprId),
    /// Destructuring: (property or index, bound name) pairs (`{a, b: c}`, `[x, y]`, `x, y`),
    /// and the properties given a default in the pattern (`{ a = 1, b: c = 2 }`: `a`, `b`).
    Pattern(Vec<(String, String)>, Vec<String>),
    Other,
}

impl Target {
    /// The names this target binds.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Target::Name(n) => vec![n.as_str()],
            Target::Pattern(p, _) => p.iter().map(|(_, n)| n.as_str()).collect(),
            _ => Vec::new(),
        }
    }
}

/// A control-flow region.
#[derive(Debug)]
pub struct Block {
    pub kind: BlockKind,
    pub parent: BlockId,
    pub range: Range,
}

#[derive(Debug, Clone, Copy)]
pub enum BlockKind {
    /// The body (or an `else`/`elif` branch) of a conditional; `cond` is the test.
    If {
        cond: Option<ExprId>,
    },
    /// A loop body (`for`, `while`, comprehension); `over` is what it iterates.
    Loop {
        over: Option<ExprId>,
    },
    Try,
    /// An exception handler; `error` is the name bound to the caught error.
    Catch,
    Finally,
    /// `with` / `using`.
    With,
    /// A `switch` / `match` case on `on`.
    Case {
        on: Option<ExprId>,
    },
}

/// A class: its methods and bases.
#[derive(Debug, Default)]
pub struct Class {
    pub name: String,
    pub bases: Vec<ExprId>,
    pub methods: Vec<FnId>,
    /// Class-level attributes and fields (`table = ...` in a Python class body, JavaScript
    /// fields): name -> value.
    pub attrs: Vec<(String, ExprId)>,
    pub range: Range,
    /// The function it is defined in.
    pub scope: FnId,
}

/// An import of another module (`import`, `from .. import`, `require`, dynamic `import()`).
#[derive(Debug, Clone)]
pub struct Import {
    /// The module as written: a Python dotted name, a JavaScript specifier.
    pub spec: String,
    /// Python relative import level (the number of leading dots); 0 otherwise.
    pub level: u32,
    /// The specifier is computed (`require(name)`, `import(x)`, `importlib.import_module(x)`).
    pub dynamic: bool,
    pub range: Range,
    /// The names imported from it (`from x import a, b`, `import { a } from "x"`).
    pub names: Vec<String>,
}

/// A binary operator class: what the rules need to know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`: string concatenation or arithmetic, depending on the operands.
    Add,
    /// Other arithmetic and bitwise operators.
    Arith,
    /// Comparisons, `in`, `instanceof`.
    Compare,
    /// `and` / `&&`.
    And,
    /// `or` / `||`.
    Or,
    /// `??`.
    Nullish,
}

/// An expression. Children are expression ids in the same module.
#[derive(Debug, Clone, Default)]
pub enum Expr {
    /// Could not be lowered (or not interesting).
    #[default]
    Unknown,
    Name(String),
    /// `self` / `this`.
    This,
    Member {
        obj: ExprId,
        name: String,
    },
    Index {
        obj: ExprId,
        key: ExprId,
    },
    Call {
        callee: ExprId,
        args: Vec<Arg>,
        /// `new X(..)`.
        new: bool,
    },
    /// A string literal without substitutions (decoded).
    Str(String),
    /// A string with substitutions (f-string, template literal): the substituted expressions.
    Format(Vec<ExprId>),
    Num,
    /// `True`/`false`/`None`/`null`/`undefined`.
    Const,
    /// A dict / object literal: (key, value); key `None` for a spread (`**x`, `...x`).
    Object(Vec<(Option<Key>, ExprId)>),
    /// A list / array / tuple / set literal.
    Array(Vec<ExprId>),
    /// A lambda / arrow function / function expression.
    Func(FnId),
    /// A class expression.
    Class(ClassId),
    Binary {
        op: BinOp,
        left: ExprId,
        right: ExprId,
    },
    /// `not x`, `!x`, `-x`, `typeof x`, ...
    Unary(ExprId),
    /// `a if t else b`, `t ? a : b`.
    Cond {
        test: ExprId,
        then: ExprId,
        other: ExprId,
    },
    Await(ExprId),
    /// `*x`, `...x` in a call or array.
    Spread(ExprId),
    /// A comprehension or generator: computes over `over` (a loop).
    Comprehension {
        over: Vec<ExprId>,
        parts: Vec<ExprId>,
    },
    /// The module an import loads (its namespace; `require(..)`, `import(..)`).
    Import(ImportId),
    /// Anything else, with its sub-expressions.
    Other(Vec<ExprId>),
}

/// An object key.
#[derive(Debug, Clone)]
pub enum Key {
    Name(String),
    Computed(ExprId),
}

/// A call argument.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Python keyword argument name.
    pub name: Option<String>,
    pub value: ExprId,
}

impl Expr {
    /// Call `f` on each direct sub-expression.
    pub fn children(&self, mut f: impl FnMut(ExprId)) {
        match self {
            Expr::Unknown
            | Expr::Name(_)
            | Expr::This
            | Expr::Str(_)
            | Expr::Num
            | Expr::Const
            | Expr::Func(_)
            | Expr::Class(_)
            | Expr::Import(_) => {}
            Expr::Member { obj, .. } => f(*obj),
            Expr::Index { obj, key } => {
                f(*obj);
                f(*key);
            }
            Expr::Call { callee, args, .. } => {
                f(*callee);
                for a in args {
                    f(a.value);
                }
            }
            Expr::Format(v) | Expr::Array(v) | Expr::Other(v) => v.iter().copied().for_each(f),
            Expr::Object(entries) => {
                for (k, v) in entries {
                    if let Some(Key::Computed(k)) = k {
                        f(*k);
                    }
                    f(*v);
                }
            }
            Expr::Binary { left, right, .. } => {
                f(*left);
                f(*right);
            }
            Expr::Unary(x) | Expr::Await(x) | Expr::Spread(x) => f(*x),
            Expr::Cond { test, then, other } => {
                f(*test);
                f(*then);
                f(*other);
            }
            Expr::Comprehension { over, parts } => {
                over.iter().chain(parts).copied().for_each(f);
            }
        }
    }

    /// The dotted path of a name / member chain (`a.b.c`), when it is one.
    pub fn dotted(m: &Module, e: ExprId) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        let mut cur = e;
        for _ in 0..64 {
            match m.expr(cur) {
                Expr::Name(n) => {
                    parts.push(n);
                    parts.reverse();
                    return Some(parts.join("."));
                }
                Expr::This => {
                    parts.push("this");
                    parts.reverse();
                    return Some(parts.join("."));
                }
                Expr::Member { obj, name } => {
                    parts.push(name);
                    cur = *obj;
                }
                _ => return None,
            }
        }
        None
    }
}
