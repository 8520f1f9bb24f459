//! Python front end: a tree-sitter-python tree -> the module model.

use tree_sitter::Node;

use super::{K, Lower, unescape};
use crate::handler::ir::*;

pub(super) fn module(cx: &mut Lower<'_>, root: Node<'_>) {
    body(cx, root);
}

fn body(cx: &mut Lower<'_>, n: Node<'_>) {
    for c in cx.named(n) {
        stmt(cx, c);
    }
}

fn stmt(cx: &mut Lower<'_>, n: Node<'_>) {
    if !cx.enter(n) {
        return;
    }
    stmt_inner(cx, n);
    cx.leave();
}

/// Python expression kinds (a statement of one of these is evaluated for its effect).
fn is_expr(k: K) -> bool {
    matches!(
        k,
        K::Identifier
            | K::Attribute
            | K::Subscript
            | K::Call
            | K::String
            | K::ConcatenatedString
            | K::Integer
            | K::Float
            | K::True
            | K::False
            | K::NoneLit
            | K::List
            | K::Tuple
            | K::Set
            | K::Dictionary
            | K::Lambda
            | K::BinaryOperator
            | K::BooleanOperator
            | K::ComparisonOperator
            | K::NotOperator
            | K::UnaryOperator
            | K::ConditionalExpression
            | K::ParenthesizedExpression
            | K::Await
            | K::ListComprehension
            | K::DictionaryComprehension
            | K::SetComprehension
            | K::GeneratorExpression
            | K::NamedExpression
            | K::ExpressionList
            | K::Ellipsis
    )
}

fn stmt_inner(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    match cx.kind(n) {
        K::Comment | K::FutureImportStatement | K::TypeOnly => {}
        K::ExpressionStatement => {
            for c in cx.named(n) {
                match cx.kind(c) {
                    K::Assignment => assignment(cx, c),
                    K::AugmentedAssignment => augmented(cx, c),
                    _ => {
                        let e = expr(cx, c);
                        cx.stmt(StmtKind::Eval(e), c);
                    }
                }
            }
        }
        K::Assignment => assignment(cx, n),
        K::AugmentedAssignment => augmented(cx, n),
        K::Block => body(cx, n),
        K::FunctionDefinition => {
            let id = function(cx, n, Vec::new());
            cx.stmt(StmtKind::Def(id), n);
        }
        K::DecoratedDefinition => {
            let mut decos = Vec::new();
            for c in cx.named(n) {
                if cx.kind(c) == K::Decorator
                    && let Some(e) = cx.named(c).first().copied()
                {
                    decos.push(expr(cx, e));
                }
            }
            if let Some(d) = n.child_by_field_id(f.definition) {
                match cx.kind(d) {
                    K::FunctionDefinition => {
                        let id = function(cx, d, decos);
                        cx.stmt(StmtKind::Def(id), d);
                    }
                    K::ClassDefinition => class(cx, d, decos),
                    _ => stmt(cx, d),
                }
            }
        }
        K::ClassDefinition => class(cx, n, Vec::new()),
        K::IfStatement => if_statement(cx, n),
        K::ForStatement => {
            let over = n.child_by_field_id(f.right).map(|r| expr(cx, r));
            if let Some(o) = over {
                cx.stmt(StmtKind::Eval(o), n);
            }
            cx.in_block(BlockKind::Loop { over }, n, |cx| {
                if let Some(l) = n.child_by_field_id(f.left) {
                    let target = target(cx, l);
                    let key = cx.push(Expr::Unknown, l);
                    let value = match over {
                        Some(o) => cx.push(Expr::Index { obj: o, key }, l),
                        None => key,
                    };
                    cx.stmt(
                        StmtKind::Assign {
                            target,
                            value,
                            op: AssignOp::Set,
                        },
                        l,
                    );
                }
                if let Some(b) = n.child_by_field_id(f.body) {
                    body(cx, b);
                }
            });
            if let Some(a) = n.child_by_field_id(f.alternative) {
                stmt(cx, a);
            }
        }
        K::WhileStatement => {
            let cond = n.child_by_field_id(f.condition).map(|c| expr(cx, c));
            if let Some(c) = cond {
                cx.stmt(StmtKind::Eval(c), n);
            }
            cx.in_block(BlockKind::Loop { over: cond }, n, |cx| {
                if let Some(b) = n.child_by_field_id(f.body) {
                    body(cx, b);
                }
            });
            if let Some(a) = n.child_by_field_id(f.alternative) {
                stmt(cx, a);
            }
        }
        K::ElseClause => {
            if let Some(b) = n.child_by_field_id(f.body) {
                body(cx, b);
            } else {
                body(cx, n);
            }
        }
        K::TryStatement => try_statement(cx, n),
        K::WithStatement => {
            for c in cx.named(n) {
                if cx.kind(c) == K::WithClause {
                    for item in cx.named(c) {
                        with_item(cx, item);
                    }
                }
            }
            cx.in_block(BlockKind::With, n, |cx| {
                if let Some(b) = n.child_by_field_id(f.body) {
                    body(cx, b);
                }
            });
        }
        K::ReturnStatement => {
            let v = cx.named(n).first().map(|c| expr(cx, *c));
            cx.stmt(StmtKind::Return(v), n);
        }
        K::RaiseStatement => {
            let first = cx.named(n).first().copied();
            let reraise = match first {
                None => true,
                Some(c) => cx.kind(c) == K::Identifier && cx.catch_var(cx.text(c)),
            };
            let value = first.map(|c| expr(cx, c));
            cx.stmt(StmtKind::Throw { value, reraise }, n);
        }
        K::GlobalStatement | K::NonlocalStatement => {
            let names: Vec<String> = cx
                .named(n)
                .into_iter()
                .map(|c| cx.text(c).to_string())
                .collect();
            if let Some(func) = cx.cur() {
                func.nonlocal.extend(names);
            }
        }
        K::ImportStatement => import_statement(cx, n),
        K::ImportFromStatement => import_from(cx, n),
        K::MatchStatement => {
            let on = n.child_by_field_id(f.subject).map(|s| expr(cx, s));
            if let Some(o) = on {
                cx.stmt(StmtKind::Eval(o), n);
            }
            if let Some(b) = n.child_by_field_id(f.body) {
                for case in cx.named(b) {
                    cx.in_block(BlockKind::Case { on }, case, |cx| {
                        if let Some(c) = case.child_by_field_id(f.consequence) {
                            body(cx, c);
                        }
                    });
                }
            }
        }
        k if is_expr(k) => {
            let e = expr(cx, n);
            cx.stmt(StmtKind::Eval(e), n);
        }
        _ => body(cx, n),
    }
}

/// `if __name__ == "__main__":` does not run in Lambda.
fn is_main_guard(cx: &Lower<'_>, cond: Node<'_>) -> bool {
    let t = cx.text(cond);
    t.contains("__name__") && t.contains("__main__")
}

fn if_statement(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let Some(c) = n.child_by_field_id(f.condition) else {
        return;
    };
    if cx.func == TOP && is_main_guard(cx, c) {
        return;
    }
    let cond = expr(cx, c);
    cx.stmt(StmtKind::Eval(cond), c);
    cx.in_block(BlockKind::If { cond: Some(cond) }, n, |cx| {
        if let Some(b) = n.child_by_field_id(f.consequence) {
            body(cx, b);
        }
    });
    let alts = cx.field_children(n, f.alternative);
    // `elif` and `else` run when the first test fails: they depend on it too.
    cx.in_block(BlockKind::If { cond: Some(cond) }, n, |cx| {
        for a in alts {
            if !cx.enter(a) {
                continue;
            }
            match cx.kind(a) {
                K::ElifClause => {
                    if let Some(c2) = a.child_by_field_id(f.condition) {
                        let c2e = expr(cx, c2);
                        cx.stmt(StmtKind::Eval(c2e), c2);
                        cx.in_block(BlockKind::If { cond: Some(c2e) }, a, |cx| {
                            if let Some(b) = a.child_by_field_id(f.consequence) {
                                body(cx, b);
                            }
                        });
                    }
                }
                _ => {
                    if let Some(b) = a.child_by_field_id(f.body) {
                        body(cx, b);
                    } else {
                        body(cx, a);
                    }
                }
            }
            cx.leave();
        }
    });
}

fn try_statement(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    cx.in_block(BlockKind::Try, n, |cx| {
        if let Some(b) = n.child_by_field_id(f.body) {
            body(cx, b);
        }
    });
    for c in cx.named(n) {
        match cx.kind(c) {
            K::ExceptClause => {
                cx.in_block(BlockKind::Catch, c, |cx| {
                    let alias = c.child_by_field_id(f.alias).map(|a| cx.text(a).to_string());
                    if let Some(a) = &alias {
                        cx.bind(a);
                    }
                    cx.catch_vars.push(alias.unwrap_or_default());
                    for b in cx.named(c) {
                        if cx.kind(b) == K::Block {
                            body(cx, b);
                        }
                    }
                    cx.catch_vars.pop();
                });
            }
            K::ElseClause => cx.in_block(BlockKind::Try, c, |cx| {
                if let Some(b) = c.child_by_field_id(f.body) {
                    body(cx, b);
                }
            }),
            K::FinallyClause => cx.in_block(BlockKind::Finally, c, |cx| body(cx, c)),
            _ => {}
        }
    }
}

fn with_item(cx: &mut Lower<'_>, item: Node<'_>) {
    let f = cx.g.f;
    let Some(v) = item.child_by_field_id(f.value) else {
        return;
    };
    if cx.kind(v) == K::AsPattern {
        let parts = cx.named(v);
        let Some(e) = parts.first().map(|e| expr(cx, *e)) else {
            return;
        };
        match v.child_by_field_id(f.alias).or(parts.get(1).copied()) {
            Some(t) => {
                let t = cx.named(t).first().copied().unwrap_or(t);
                let target = target(cx, t);
                cx.stmt(
                    StmtKind::Assign {
                        target,
                        value: e,
                        op: AssignOp::Set,
                    },
                    item,
                );
            }
            None => cx.stmt(StmtKind::Eval(e), item),
        }
    } else {
        let e = expr(cx, v);
        cx.stmt(StmtKind::Eval(e), item);
    }
}

fn assignment(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    // `a = b = value`: every target gets the innermost value.
    let mut targets = Vec::new();
    let mut cur = n;
    let value = loop {
        if let Some(l) = cur.child_by_field_id(f.left) {
            targets.push(l);
        }
        match cur.child_by_field_id(f.right) {
            Some(r) if cx.kind(r) == K::Assignment && targets.len() < 64 => cur = r,
            Some(r) => break Some(r),
            None => break None,
        }
    };
    let Some(v) = value else {
        // `x: int` declares a local.
        for t in targets {
            if cx.kind(t) == K::Identifier {
                let name = cx.text(t).to_string();
                cx.bind(&name);
            }
        }
        return;
    };
    let value = expr(cx, v);
    for t in targets {
        let target = target(cx, t);
        cx.stmt(
            StmtKind::Assign {
                target,
                value,
                op: AssignOp::Set,
            },
            n,
        );
    }
}

fn augmented(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right)) else {
        return;
    };
    let value = expr(cx, r);
    let target = target(cx, l);
    cx.stmt(
        StmtKind::Assign {
            target,
            value,
            op: AssignOp::Update,
        },
        n,
    );
}

/// An assignment target (binding the names it declares).
fn target(cx: &mut Lower<'_>, t: Node<'_>) -> Target {
    match cx.kind(t) {
        K::Identifier => {
            let name = cx.text(t).to_string();
            cx.bind(&name);
            Target::Name(name)
        }
        K::Attribute | K::Subscript => Target::Member(expr(cx, t)),
        K::PatternList
        | K::TuplePattern
        | K::ListPattern
        | K::Tuple
        | K::List
        | K::ExpressionList
        | K::ParenthesizedExpression => {
            let mut names = Vec::new();
            pattern_names(cx, t, &mut names, 0);
            for (_, n) in &names {
                cx.bind(n);
            }
            Target::Pattern(names, Vec::new())
        }
        K::ListSplatPattern | K::ListSplat => {
            let mut names = Vec::new();
            pattern_names(cx, t, &mut names, 0);
            for (_, n) in &names {
                cx.bind(n);
            }
            Target::Pattern(names, Vec::new())
        }
        _ => Target::Other,
    }
}

fn pattern_names(cx: &Lower<'_>, t: Node<'_>, out: &mut Vec<(String, String)>, depth: u32) {
    if depth > 16 || out.len() > 256 {
        return;
    }
    for (i, c) in cx.named(t).into_iter().enumerate() {
        match cx.kind(c) {
            K::Identifier => out.push((i.to_string(), cx.text(c).to_string())),
            _ => pattern_names(cx, c, out, depth + 1),
        }
    }
}

fn function(cx: &mut Lower<'_>, n: Node<'_>, decorators: Vec<ExprId>) -> FnId {
    let f = cx.g.f;
    let name_node = n.child_by_field_id(f.name);
    let name = name_node.map(|x| cx.text(x)).unwrap_or("").to_string();
    let method_of = cx.class;
    if method_of.is_none() {
        cx.bind(&name);
    }
    let is_async = n.child(0).is_some_and(|c| cx.text(c) == "async");
    let params = n
        .child_by_field_id(f.parameters)
        .map(|p| parameters(cx, p))
        .unwrap_or_default();
    let id = cx.new_func(&name, n, name_node);
    if let Some(func) = cx.m.funcs.get_mut(id as usize) {
        func.params = params;
        func.decorators = decorators;
        func.is_async = is_async;
    }
    if let Some(c) = method_of
        && let Some(class) = cx.m.classes.get_mut(c as usize)
    {
        class.methods.push(id);
    }
    if let Some(b) = n.child_by_field_id(f.body) {
        cx.in_func(id, |cx| body(cx, b));
    }
    id
}

/// Parameters (default values are evaluated where the function is defined).
fn parameters(cx: &mut Lower<'_>, p: Node<'_>) -> Vec<Param> {
    let f = cx.g.f;
    let mut out = Vec::new();
    for c in cx.named(p) {
        let param = match cx.kind(c) {
            K::Identifier => Param {
                names: vec![cx.text(c).to_string()],
                rest: false,
            },
            K::DefaultParameter | K::TypedDefaultParameter => {
                if let Some(v) = c.child_by_field_id(f.value) {
                    let e = expr(cx, v);
                    cx.stmt(StmtKind::Eval(e), v);
                }
                Param {
                    names: c
                        .child_by_field_id(f.name)
                        .map(|x| vec![cx.text(x).to_string()])
                        .unwrap_or_default(),
                    rest: false,
                }
            }
            K::TypedParameter => {
                let inner = cx.named(c).first().copied();
                match inner {
                    Some(i) if cx.kind(i) == K::Identifier => Param {
                        names: vec![cx.text(i).to_string()],
                        rest: false,
                    },
                    Some(i) => Param {
                        names: cx
                            .named(i)
                            .first()
                            .map(|x| vec![cx.text(*x).to_string()])
                            .unwrap_or_default(),
                        rest: true,
                    },
                    None => continue,
                }
            }
            K::ListSplatPattern | K::DictionarySplatPattern => Param {
                names: cx
                    .named(c)
                    .first()
                    .map(|x| vec![cx.text(*x).to_string()])
                    .unwrap_or_default(),
                rest: true,
            },
            K::TuplePattern => {
                let mut names = Vec::new();
                pattern_names(cx, c, &mut names, 0);
                Param {
                    names: names.into_iter().map(|(_, n)| n).collect(),
                    rest: false,
                }
            }
            _ => continue,
        };
        out.push(param);
    }
    out
}

fn class(cx: &mut Lower<'_>, n: Node<'_>, decorators: Vec<ExprId>) {
    let f = cx.g.f;
    let name = n
        .child_by_field_id(f.name)
        .map(|x| cx.text(x))
        .unwrap_or("")
        .to_string();
    cx.bind(&name);
    for d in decorators {
        cx.stmt(StmtKind::Eval(d), n);
    }
    let id = cx.new_class(&name, n);
    if let Some(sup) = n.child_by_field_id(f.superclasses) {
        for b in cx.named(sup) {
            if cx.kind(b) == K::KeywordArgument {
                continue;
            }
            let e = expr(cx, b);
            if let Some(c) = cx.m.classes.get_mut(id as usize) {
                c.bases.push(e);
            }
        }
    }
    if let Some(b) = n.child_by_field_id(f.body) {
        let saved = cx.class;
        for s in cx.named(b) {
            if !cx.enter(s) {
                continue;
            }
            match cx.kind(s) {
                K::FunctionDefinition | K::DecoratedDefinition => {
                    cx.class = Some(id);
                    stmt_inner(cx, s);
                    cx.class = saved;
                }
                K::ExpressionStatement => {
                    // `name = value` in a class body: a class attribute (evaluated now).
                    for a in cx.named(s) {
                        if cx.kind(a) == K::Assignment
                            && let (Some(l), Some(r)) =
                                (a.child_by_field_id(f.left), a.child_by_field_id(f.right))
                            && cx.kind(l) == K::Identifier
                        {
                            let v = expr(cx, r);
                            cx.stmt(StmtKind::Eval(v), a);
                            let attr = cx.text(l).to_string();
                            if let Some(c) = cx.m.classes.get_mut(id as usize) {
                                c.attrs.push((attr, v));
                            }
                        } else if cx.kind(a) != K::Assignment {
                            let e = expr(cx, a);
                            cx.stmt(StmtKind::Eval(e), a);
                        }
                    }
                }
                _ => stmt_inner(cx, s),
            }
            cx.leave();
        }
        cx.class = saved;
    }
    cx.stmt(StmtKind::Class(id), n);
}

/// `importlib.import_module("x")` / `__import__("x")`: an import of `x`, or, when the name is
/// computed, a dynamic import (which makes the facts of the functions reaching it incomplete).
fn dynamic_import(cx: &mut Lower<'_>, n: Node<'_>) -> Option<ExprId> {
    let f = cx.g.f;
    let func = n.child_by_field_id(f.function)?;
    let dunder = match cx.text(func) {
        "importlib.import_module" | "import_module" => false,
        "__import__" => true,
        _ => return None,
    };
    let args = n
        .child_by_field_id(f.arguments)
        .map(|a| arguments(cx, a))
        .unwrap_or_default();
    let first = args.iter().find(|a| a.name.is_none()).map(|a| a.value);
    let spec = first.and_then(|e| match cx.m.expr(e) {
        Expr::Str(s) => Some(s.clone()),
        _ => None,
    });
    let Some(spec) = spec else {
        for a in &args {
            cx.stmt(StmtKind::Eval(a.value), n);
        }
        let i = cx.new_import("", 0, true, n);
        return Some(cx.push(Expr::Import(i), n));
    };
    let level = u32::try_from(spec.len() - spec.trim_start_matches('.').len()).unwrap_or(1);
    let name = spec.trim_start_matches('.').to_string();
    let i = cx.new_import(&name, level, false, n);
    let full = cx.push(Expr::Import(i), n);
    let top = name.split('.').next().unwrap_or("");
    // `__import__("a.b")` loads `a.b` and gives `a`.
    if dunder && level == 0 && top != name {
        cx.stmt(StmtKind::Eval(full), n);
        let t = cx.new_import(top, 0, false, n);
        return Some(cx.push(Expr::Import(t), n));
    }
    Some(full)
}

fn import_statement(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let names = cx.field_children(n, f.name);
    for c in names {
        match cx.kind(c) {
            K::DottedName => {
                let full = cx.text(c).to_string();
                let top = full.split('.').next().unwrap_or("").to_string();
                let i_full = cx.new_import(&full, 0, false, c);
                let e_full = cx.push(Expr::Import(i_full), c);
                let value = if top != full {
                    cx.stmt(StmtKind::Eval(e_full), c);
                    let i_top = cx.new_import(&top, 0, false, c);
                    cx.push(Expr::Import(i_top), c)
                } else {
                    e_full
                };
                cx.bind(&top);
                cx.stmt(
                    StmtKind::Assign {
                        target: Target::Name(top),
                        value,
                        op: AssignOp::Set,
                    },
                    n,
                );
            }
            K::AliasedImport => {
                let (Some(name), Some(alias)) =
                    (c.child_by_field_id(f.name), c.child_by_field_id(f.alias))
                else {
                    continue;
                };
                let spec = cx.text(name).to_string();
                let local = cx.text(alias).to_string();
                let i = cx.new_import(&spec, 0, false, c);
                let value = cx.push(Expr::Import(i), c);
                cx.bind(&local);
                cx.stmt(
                    StmtKind::Assign {
                        target: Target::Name(local),
                        value,
                        op: AssignOp::Set,
                    },
                    n,
                );
            }
            _ => {}
        }
    }
}

fn import_from(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let Some(m) = n.child_by_field_id(f.module_name) else {
        return;
    };
    let (spec, level) = if cx.kind(m) == K::RelativeImport {
        let mut level = 0u32;
        let mut spec = String::new();
        for c in cx.named(m) {
            match cx.kind(c) {
                K::ImportPrefix => {
                    level = u32::try_from(cx.text(c).matches('.').count()).unwrap_or(1)
                }
                _ => spec = cx.text(c).to_string(),
            }
        }
        (spec, level.max(1))
    } else {
        (cx.text(m).to_string(), 0)
    };
    let i = cx.new_import(&spec, level, false, n);
    let module = cx.push(Expr::Import(i), m);
    let mut any = false;
    let names = cx.field_children(n, f.name);
    for c in names {
        let (name, local) = match cx.kind(c) {
            K::DottedName => (cx.text(c).to_string(), cx.text(c).to_string()),
            K::AliasedImport => match (c.child_by_field_id(f.name), c.child_by_field_id(f.alias)) {
                (Some(a), Some(b)) => (cx.text(a).to_string(), cx.text(b).to_string()),
                _ => continue,
            },
            _ => continue,
        };
        any = true;
        cx.import_name(i, &name);
        let value = cx.push(
            Expr::Member {
                obj: module,
                name: name.clone(),
            },
            c,
        );
        cx.bind(&local);
        cx.stmt(
            StmtKind::Assign {
                target: Target::Name(local),
                value,
                op: AssignOp::Set,
            },
            n,
        );
    }
    if cx.named(n).iter().any(|c| cx.kind(*c) == K::WildcardImport) {
        any = true;
        cx.stmt(StmtKind::StarImport(i), n);
        if cx.func == TOP {
            cx.m.star_exports.push(i);
        }
    }
    if !any {
        cx.stmt(StmtKind::Eval(module), n);
    }
}

pub(super) fn expr(cx: &mut Lower<'_>, n: Node<'_>) -> ExprId {
    if !cx.enter(n) {
        return cx.push(Expr::Unknown, n);
    }
    let e = expr_inner(cx, n);
    cx.leave();
    e
}

fn exprs(cx: &mut Lower<'_>, n: Node<'_>) -> Vec<ExprId> {
    cx.named(n)
        .into_iter()
        .map(|c| match cx.kind(c) {
            K::ListSplat | K::DictionarySplat => {
                let inner = cx.named(c).first().copied();
                let v = match inner {
                    Some(i) => expr(cx, i),
                    None => cx.push(Expr::Unknown, c),
                };
                cx.push(Expr::Spread(v), c)
            }
            _ => expr(cx, c),
        })
        .collect()
}

fn expr_inner(cx: &mut Lower<'_>, n: Node<'_>) -> ExprId {
    let f = cx.g.f;
    let e = match cx.kind(n) {
        K::Identifier => {
            let t = cx.text(n);
            if t == "self" {
                Expr::This
            } else {
                Expr::Name(t.to_string())
            }
        }
        K::Attribute => {
            let obj = match n.child_by_field_id(f.object) {
                Some(o) => expr(cx, o),
                None => cx.push(Expr::Unknown, n),
            };
            let name = n
                .child_by_field_id(f.attribute)
                .map(|a| cx.text(a))
                .unwrap_or("")
                .to_string();
            Expr::Member { obj, name }
        }
        K::Subscript => {
            let obj = match n.child_by_field_id(f.value) {
                Some(o) => expr(cx, o),
                None => cx.push(Expr::Unknown, n),
            };
            let key = match n.child_by_field_id(f.subscript) {
                Some(k) => expr(cx, k),
                None => cx.push(Expr::Unknown, n),
            };
            Expr::Index { obj, key }
        }
        K::Call => {
            if let Some(e) = dynamic_import(cx, n) {
                return e;
            }
            let callee = match n.child_by_field_id(f.function) {
                Some(c) => expr(cx, c),
                None => cx.push(Expr::Unknown, n),
            };
            let args = n
                .child_by_field_id(f.arguments)
                .map(|a| arguments(cx, a))
                .unwrap_or_default();
            Expr::Call {
                callee,
                args,
                new: false,
            }
        }
        K::String => string(cx, n),
        K::ConcatenatedString => {
            let parts: Vec<ExprId> = cx.named(n).into_iter().map(|c| expr(cx, c)).collect();
            let mut all = String::new();
            let mut literal = true;
            for p in &parts {
                match cx.m.expr(*p) {
                    Expr::Str(s) => all.push_str(s),
                    _ => literal = false,
                }
            }
            if literal {
                Expr::Str(all)
            } else {
                Expr::Format(parts)
            }
        }
        K::Integer | K::Float => Expr::Num,
        K::True | K::False | K::NoneLit | K::Ellipsis => Expr::Const,
        K::List | K::Tuple | K::Set | K::ExpressionList => Expr::Array(exprs(cx, n)),
        K::Dictionary => {
            let mut entries = Vec::new();
            for c in cx.named(n) {
                match cx.kind(c) {
                    K::Pair => {
                        let (Some(k), Some(v)) =
                            (c.child_by_field_id(f.key), c.child_by_field_id(f.value))
                        else {
                            continue;
                        };
                        let key = expr(cx, k);
                        let key = match cx.m.expr(key) {
                            Expr::Str(s) => Key::Name(s.clone()),
                            _ => Key::Computed(key),
                        };
                        let v = expr(cx, v);
                        entries.push((Some(key), v));
                    }
                    K::DictionarySplat => {
                        if let Some(i) = cx.named(c).first().copied() {
                            let v = expr(cx, i);
                            entries.push((None, v));
                        }
                    }
                    _ => {}
                }
            }
            Expr::Object(entries)
        }
        K::Lambda => {
            let id = cx.new_func("", n, None);
            let params = n
                .child_by_field_id(f.parameters)
                .map(|p| parameters(cx, p))
                .unwrap_or_default();
            if let Some(func) = cx.m.funcs.get_mut(id as usize) {
                func.params = params;
            }
            if let Some(b) = n.child_by_field_id(f.body) {
                cx.in_func(id, |cx| {
                    let v = expr(cx, b);
                    cx.stmt(StmtKind::Return(Some(v)), b);
                });
            }
            Expr::Func(id)
        }
        K::BinaryOperator => {
            let op = match n.child_by_field_id(f.operator).map(|o| cx.text(o)) {
                Some("+") => BinOp::Add,
                _ => BinOp::Arith,
            };
            binary(cx, n, op)
        }
        K::BooleanOperator => {
            let op = match n.child_by_field_id(f.operator).map(|o| cx.text(o)) {
                Some("and") => BinOp::And,
                _ => BinOp::Or,
            };
            binary(cx, n, op)
        }
        K::ComparisonOperator => {
            let parts = exprs(cx, n);
            match parts.as_slice() {
                [l, r, ..] => Expr::Binary {
                    op: BinOp::Compare,
                    left: *l,
                    right: *r,
                },
                _ => Expr::Other(parts),
            }
        }
        K::NotOperator | K::UnaryOperator => match n.child_by_field_id(f.argument) {
            Some(a) => Expr::Unary(expr(cx, a)),
            None => Expr::Unknown,
        },
        K::ConditionalExpression => {
            let parts = exprs(cx, n);
            match parts.as_slice() {
                [then, test, other] => Expr::Cond {
                    test: *test,
                    then: *then,
                    other: *other,
                },
                _ => Expr::Other(parts),
            }
        }
        K::ParenthesizedExpression => {
            return match cx.named(n).first().copied() {
                Some(i) => expr(cx, i),
                None => cx.push(Expr::Unknown, n),
            };
        }
        K::Await => match cx.named(n).first().copied() {
            Some(i) => Expr::Await(expr(cx, i)),
            None => Expr::Unknown,
        },
        K::ListComprehension
        | K::SetComprehension
        | K::GeneratorExpression
        | K::DictionaryComprehension => comprehension(cx, n),
        K::NamedExpression => {
            let (Some(name), Some(v)) = (n.child_by_field_id(f.name), n.child_by_field_id(f.value))
            else {
                return cx.push(Expr::Unknown, n);
            };
            let value = expr(cx, v);
            let name = cx.text(name).to_string();
            cx.bind(&name);
            cx.stmt(
                StmtKind::Assign {
                    target: Target::Name(name.clone()),
                    value,
                    op: AssignOp::Set,
                },
                n,
            );
            Expr::Name(name)
        }
        K::ListSplat | K::DictionarySplat => match cx.named(n).first().copied() {
            Some(i) => Expr::Spread(expr(cx, i)),
            None => Expr::Unknown,
        },
        K::KeywordArgument => match n.child_by_field_id(f.value) {
            Some(v) => return expr(cx, v),
            None => Expr::Unknown,
        },
        K::Comment => Expr::Unknown,
        _ => Expr::Other(exprs(cx, n)),
    };
    cx.push(e, n)
}

fn binary(cx: &mut Lower<'_>, n: Node<'_>, op: BinOp) -> Expr {
    let f = cx.g.f;
    let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right)) else {
        return Expr::Unknown;
    };
    let left = expr(cx, l);
    let right = expr(cx, r);
    Expr::Binary { op, left, right }
}

fn arguments(cx: &mut Lower<'_>, a: Node<'_>) -> Vec<Arg> {
    let f = cx.g.f;
    if cx.kind(a) == K::GeneratorExpression {
        return vec![Arg {
            name: None,
            value: expr(cx, a),
        }];
    }
    let mut out = Vec::new();
    for c in cx.named(a) {
        match cx.kind(c) {
            K::KeywordArgument => {
                let name = c.child_by_field_id(f.name).map(|x| cx.text(x).to_string());
                let value = match c.child_by_field_id(f.value) {
                    Some(v) => expr(cx, v),
                    None => cx.push(Expr::Unknown, c),
                };
                out.push(Arg { name, value });
            }
            K::DictionarySplat => {
                let inner = cx.named(c).first().copied();
                let value = match inner {
                    Some(i) => expr(cx, i),
                    None => cx.push(Expr::Unknown, c),
                };
                out.push(Arg {
                    name: Some("**".into()),
                    value,
                });
            }
            K::Comment => {}
            _ => {
                let value = expr(cx, c);
                out.push(Arg { name: None, value });
            }
        }
    }
    out
}

fn string(cx: &mut Lower<'_>, n: Node<'_>) -> Expr {
    let f = cx.g.f;
    let mut subs = Vec::new();
    let mut raw = false;
    let (mut start, mut end) = (n.start_byte(), n.end_byte());
    for c in cx.named(n) {
        match cx.kind(c) {
            K::Interpolation => {
                if let Some(e) = c.child_by_field_id(f.expression).or(c.named_child(0)) {
                    subs.push(expr(cx, e));
                }
            }
            K::StringStart => {
                raw = cx.text(c).contains(['r', 'R']);
                start = c.end_byte();
            }
            K::StringEnd => end = c.start_byte(),
            _ => {}
        }
    }
    if !subs.is_empty() {
        return Expr::Format(subs);
    }
    let body = cx
        .src
        .get(start..end.max(start))
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("");
    if raw {
        Expr::Str(body.to_string())
    } else {
        Expr::Str(unescape(body))
    }
}

fn comprehension(cx: &mut Lower<'_>, n: Node<'_>) -> Expr {
    let f = cx.g.f;
    let mut over = Vec::new();
    let mut parts = Vec::new();
    for c in cx.named(n) {
        match cx.kind(c) {
            K::ForInClause => {
                if let Some(r) = c.child_by_field_id(f.right) {
                    over.push(expr(cx, r));
                }
                if let Some(l) = c.child_by_field_id(f.left) {
                    let _ = target(cx, l);
                }
            }
            K::IfClause => parts.extend(exprs(cx, c)),
            K::Pair => parts.extend(exprs(cx, c)),
            K::Comment => {}
            _ => parts.push(expr(cx, c)),
        }
    }
    Expr::Comprehension { over, parts }
}
