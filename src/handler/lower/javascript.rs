//! JavaScript / TypeScript front end: a tree-sitter-javascript or -typescript tree -> the module
//! model (ES modules and CommonJS: `import`/`export`, `require`, `module.exports`).

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

fn is_expr(k: K) -> bool {
    matches!(
        k,
        K::Identifier
            | K::MemberExpression
            | K::SubscriptExpression
            | K::CallExpression
            | K::NewExpression
            | K::String
            | K::TemplateString
            | K::Number
            | K::True
            | K::False
            | K::Null
            | K::Undefined
            | K::This
            | K::Object
            | K::Array
            | K::ArrowFunction
            | K::FunctionExpression
            | K::Class
            | K::AssignmentExpression
            | K::AugmentedAssignmentExpression
            | K::BinaryExpression
            | K::UnaryExpression
            | K::UpdateExpression
            | K::TernaryExpression
            | K::ParenthesizedExpression
            | K::AwaitExpression
            | K::SequenceExpression
            | K::YieldExpression
            | K::AsExpression
            | K::SatisfiesExpression
            | K::NonNullExpression
            | K::TypeAssertion
            | K::InstantiationExpression
    )
}

fn stmt_inner(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    match cx.kind(n) {
        K::Comment | K::TypeOnly => {}
        K::ExpressionStatement => {
            for c in cx.named(n) {
                let assigns = matches!(
                    cx.kind(c),
                    K::AssignmentExpression | K::AugmentedAssignmentExpression
                );
                let e = expr(cx, c);
                if !assigns {
                    cx.stmt(StmtKind::Eval(e), c);
                }
            }
        }
        K::LexicalDeclaration | K::VariableDeclaration => declaration(cx, n),
        K::FunctionDeclaration | K::GeneratorFunctionDeclaration => {
            let id = function(cx, n, true);
            cx.stmt(StmtKind::Def(id), n);
        }
        K::ClassDeclaration | K::AbstractClassDeclaration => {
            let id = class(cx, n, true);
            cx.stmt(StmtKind::Class(id), n);
        }
        K::StatementBlock | K::Program => body(cx, n),
        K::IfStatement => {
            let cond = n.child_by_field_id(f.condition).map(|c| expr(cx, c));
            if let Some(c) = cond {
                cx.stmt(StmtKind::Eval(c), n);
            }
            cx.in_block(BlockKind::If { cond }, n, |cx| {
                if let Some(b) = n.child_by_field_id(f.consequence) {
                    stmt(cx, b);
                }
            });
            if let Some(a) = n.child_by_field_id(f.alternative) {
                cx.in_block(BlockKind::If { cond }, a, |cx| body(cx, a));
            }
        }
        K::ForStatement => {
            if let Some(i) = n.child_by_field_id(f.initializer) {
                stmt(cx, i);
            }
            let cond = n.child_by_field_id(f.condition).map(|c| expr(cx, c));
            cx.in_block(BlockKind::Loop { over: cond }, n, |cx| {
                if let Some(c) = cond {
                    cx.stmt(StmtKind::Eval(c), n);
                }
                if let Some(i) = n.child_by_field_id(f.increment) {
                    let e = expr(cx, i);
                    cx.stmt(StmtKind::Eval(e), i);
                }
                if let Some(b) = n.child_by_field_id(f.body) {
                    stmt(cx, b);
                }
            });
        }
        K::ForInStatement => {
            let over = n.child_by_field_id(f.right).map(|r| expr(cx, r));
            if let Some(o) = over {
                cx.stmt(StmtKind::Eval(o), n);
            }
            cx.in_block(BlockKind::Loop { over }, n, |cx| {
                if let Some(l) = n.child_by_field_id(f.left) {
                    let declare = n.child_by_field_id(f.kind).is_some();
                    let target = target(cx, l, declare);
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
                    stmt(cx, b);
                }
            });
        }
        K::WhileStatement | K::DoStatement => {
            let cond = n.child_by_field_id(f.condition).map(|c| expr(cx, c));
            cx.in_block(BlockKind::Loop { over: cond }, n, |cx| {
                if let Some(c) = cond {
                    cx.stmt(StmtKind::Eval(c), n);
                }
                if let Some(b) = n.child_by_field_id(f.body) {
                    stmt(cx, b);
                }
            });
        }
        K::TryStatement => {
            cx.in_block(BlockKind::Try, n, |cx| {
                if let Some(b) = n.child_by_field_id(f.body) {
                    stmt(cx, b);
                }
            });
            if let Some(h) = n.child_by_field_id(f.handler) {
                cx.in_block(BlockKind::Catch, h, |cx| {
                    let param = h.child_by_field_id(f.parameter);
                    let name = param
                        .filter(|p| cx.kind(*p) == K::Identifier)
                        .map(|p| cx.text(p).to_string());
                    if let Some(p) = param {
                        let _ = target(cx, p, true);
                    }
                    cx.catch_vars.push(name.unwrap_or_default());
                    if let Some(b) = h.child_by_field_id(f.body) {
                        stmt(cx, b);
                    }
                    cx.catch_vars.pop();
                });
            }
            if let Some(fin) = n.child_by_field_id(f.finalizer) {
                cx.in_block(BlockKind::Finally, fin, |cx| body(cx, fin));
            }
        }
        K::SwitchStatement => {
            let on = n.child_by_field_id(f.value).map(|v| expr(cx, v));
            if let Some(o) = on {
                cx.stmt(StmtKind::Eval(o), n);
            }
            if let Some(b) = n.child_by_field_id(f.body) {
                for case in cx.named(b) {
                    if !matches!(cx.kind(case), K::SwitchCase | K::SwitchDefault) {
                        continue;
                    }
                    cx.in_block(BlockKind::Case { on }, case, |cx| {
                        let value = case.child_by_field_id(f.value);
                        for c in cx.named(case) {
                            if Some(c) == value {
                                let e = expr(cx, c);
                                cx.stmt(StmtKind::Eval(e), c);
                            } else {
                                stmt(cx, c);
                            }
                        }
                    });
                }
            }
        }
        K::ReturnStatement => {
            let v = cx.named(n).first().map(|c| expr(cx, *c));
            cx.stmt(StmtKind::Return(v), n);
        }
        K::ThrowStatement => {
            let first = cx.named(n).first().copied();
            let reraise =
                first.is_some_and(|c| cx.kind(c) == K::Identifier && cx.catch_var(cx.text(c)));
            let value = first.map(|c| expr(cx, c));
            cx.stmt(StmtKind::Throw { value, reraise }, n);
        }
        K::ImportStatement => import_statement(cx, n),
        K::ExportStatement => export_statement(cx, n),
        K::LabeledStatement => {
            if let Some(b) = n.child_by_field_id(f.body) {
                stmt(cx, b);
            }
        }
        k if is_expr(k) => {
            let e = expr(cx, n);
            cx.stmt(StmtKind::Eval(e), n);
        }
        _ => body(cx, n),
    }
}

/// `const a = 1, { b } = x;` / `let c;`
fn declaration(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    for d in cx.named(n) {
        if cx.kind(d) != K::VariableDeclarator {
            continue;
        }
        let Some(name) = d.child_by_field_id(f.name) else {
            continue;
        };
        let target = target(cx, name, true);
        let Some(v) = d.child_by_field_id(f.value) else {
            continue;
        };
        let value = expr(cx, v);
        name_function(cx, value, &target, name);
        cx.stmt(
            StmtKind::Assign {
                target,
                value,
                op: AssignOp::Set,
            },
            d,
        );
    }
}

/// `const handler = async () => ..`: the function takes the variable's name.
fn name_function(cx: &mut Lower<'_>, value: ExprId, target: &Target, name_node: Node<'_>) {
    let (Expr::Func(id), Target::Name(name)) = (cx.m.expr(value).clone(), target) else {
        return;
    };
    if let Some(func) = cx.m.funcs.get_mut(id as usize)
        && func.name.is_empty()
    {
        func.name = name.clone();
        func.name_range = Lower::range(name_node);
    }
}

/// An assignment or declaration target; `declare` binds its names in the current function.
fn target(cx: &mut Lower<'_>, t: Node<'_>, declare: bool) -> Target {
    match cx.kind(t) {
        K::Identifier | K::ShorthandPropertyIdentifierPattern => {
            let name = cx.text(t).to_string();
            if declare {
                cx.bind(&name);
            }
            Target::Name(name)
        }
        K::MemberExpression | K::SubscriptExpression => Target::Member(expr(cx, t)),
        K::ObjectPattern | K::ArrayPattern => {
            let mut names = Vec::new();
            let mut defaults = Vec::new();
            pattern_names(cx, t, &mut names, &mut defaults, 0);
            if declare {
                for (_, n) in &names {
                    cx.bind(n);
                }
            }
            Target::Pattern(names, defaults)
        }
        K::AssignmentPattern => match t.child_by_field_id(cx.g.f.left) {
            Some(l) => target(cx, l, declare),
            None => Target::Other,
        },
        K::ParenthesizedExpression | K::NonNullExpression | K::AsExpression => {
            match cx.named(t).first().copied() {
                Some(i) => target(cx, i, declare),
                None => Target::Other,
            }
        }
        _ => Target::Other,
    }
}

/// The (property, name) pairs a destructuring pattern binds, and (into `defaults`) the
/// properties of its own level given a default value (`{ A = "x", B: b = 1 }`).
fn pattern_names(
    cx: &Lower<'_>,
    t: Node<'_>,
    out: &mut Vec<(String, String)>,
    defaults: &mut Vec<String>,
    depth: u32,
) {
    if depth > 16 || out.len() > 256 {
        return;
    }
    let f = cx.g.f;
    for (i, c) in cx.named(t).into_iter().enumerate() {
        match cx.kind(c) {
            K::Identifier | K::ShorthandPropertyIdentifierPattern => {
                let name = cx.text(c).to_string();
                let key = if cx.kind(t) == K::ArrayPattern {
                    i.to_string()
                } else {
                    name.clone()
                };
                out.push((key, name));
            }
            K::PairPattern => {
                let key = c
                    .child_by_field_id(f.key)
                    .map(|k| unquote(cx.text(k)))
                    .unwrap_or_default();
                if let Some(v) = c.child_by_field_id(f.value) {
                    match cx.kind(v) {
                        K::Identifier => out.push((key, cx.text(v).to_string())),
                        K::AssignmentPattern => {
                            if let Some(l) = v.child_by_field_id(f.left)
                                && cx.kind(l) == K::Identifier
                            {
                                if depth == 0 {
                                    defaults.push(key.clone());
                                }
                                out.push((key, cx.text(l).to_string()));
                            }
                        }
                        _ => pattern_names(cx, v, out, &mut Vec::new(), depth + 1),
                    }
                }
            }
            K::ObjectAssignmentPattern | K::AssignmentPattern => {
                if let Some(l) = c.child_by_field_id(f.left) {
                    match cx.kind(l) {
                        K::Identifier | K::ShorthandPropertyIdentifierPattern => {
                            let name = cx.text(l).to_string();
                            let key = if cx.kind(t) == K::ArrayPattern {
                                i.to_string()
                            } else {
                                name.clone()
                            };
                            if depth == 0 {
                                defaults.push(key.clone());
                            }
                            out.push((key, name));
                        }
                        _ => pattern_names(cx, l, out, &mut Vec::new(), depth + 1),
                    }
                }
            }
            K::RestPattern => {
                if let Some(x) = cx.named(c).first()
                    && cx.kind(*x) == K::Identifier
                {
                    out.push((String::new(), cx.text(*x).to_string()));
                }
            }
            _ => pattern_names(cx, c, out, &mut Vec::new(), depth + 1),
        }
    }
}

fn unquote(s: &str) -> String {
    s.trim_matches(['"', '\'', '`']).to_string()
}

/// A function declaration, expression, arrow function or method.
fn function(cx: &mut Lower<'_>, n: Node<'_>, declare: bool) -> FnId {
    let f = cx.g.f;
    let name_node = n.child_by_field_id(f.name);
    let name = name_node.map(|x| unquote(cx.text(x))).unwrap_or_default();
    let method_of = cx.class;
    if declare && method_of.is_none() {
        cx.bind(&name);
    }
    let is_async = {
        let mut c = n.walk();
        n.children(&mut c)
            .any(|x| !x.is_named() && cx.text(x) == "async")
    };
    let params = match n.child_by_field_id(f.parameter) {
        Some(p) => vec![Param {
            names: vec![cx.text(p).to_string()],
            rest: false,
        }],
        None => n
            .child_by_field_id(f.parameters)
            .map(|p| parameters(cx, p))
            .unwrap_or_default(),
    };
    let id = cx.new_func(&name, n, name_node);
    if let Some(func) = cx.m.funcs.get_mut(id as usize) {
        func.params = params;
        func.is_async = is_async;
    }
    if let Some(c) = method_of
        && let Some(class) = cx.m.classes.get_mut(c as usize)
    {
        class.methods.push(id);
    }
    if let Some(b) = n.child_by_field_id(f.body) {
        cx.in_func(id, |cx| {
            if cx.kind(b) == K::StatementBlock {
                body(cx, b);
            } else {
                let v = expr(cx, b);
                cx.stmt(StmtKind::Return(Some(v)), b);
            }
        });
    }
    id
}

fn parameters(cx: &mut Lower<'_>, p: Node<'_>) -> Vec<Param> {
    let f = cx.g.f;
    let mut out = Vec::new();
    for c in cx.named(p) {
        let (node, rest) = match cx.kind(c) {
            K::RequiredParameter | K::OptionalParameter => {
                match c
                    .child_by_field_id(f.pattern)
                    .or(c.child_by_field_id(f.name))
                {
                    Some(x) => (x, false),
                    None => continue,
                }
            }
            K::Comment | K::TypeOnly => continue,
            _ => (c, false),
        };
        let mut names = Vec::new();
        let rest = rest || cx.kind(node) == K::RestPattern;
        collect_param_names(cx, node, &mut names, 0);
        out.push(Param { names, rest });
    }
    out
}

fn collect_param_names(cx: &Lower<'_>, n: Node<'_>, out: &mut Vec<String>, depth: u32) {
    if depth > 16 || out.len() > 64 {
        return;
    }
    match cx.kind(n) {
        K::Identifier | K::ShorthandPropertyIdentifierPattern => out.push(cx.text(n).to_string()),
        K::AssignmentPattern | K::ObjectAssignmentPattern => {
            if let Some(l) = n.child_by_field_id(cx.g.f.left) {
                collect_param_names(cx, l, out, depth + 1);
            }
        }
        K::ObjectPattern | K::ArrayPattern => {
            let mut pairs = Vec::new();
            pattern_names(cx, n, &mut pairs, &mut Vec::new(), depth);
            out.extend(pairs.into_iter().map(|(_, n)| n));
        }
        K::RestPattern => {
            if let Some(x) = cx.named(n).first() {
                collect_param_names(cx, *x, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A class declaration or expression: its methods, fields and bases.
fn class(cx: &mut Lower<'_>, n: Node<'_>, declare: bool) -> ClassId {
    let f = cx.g.f;
    let name = n
        .child_by_field_id(f.name)
        .map(|x| cx.text(x))
        .unwrap_or("")
        .to_string();
    if declare {
        cx.bind(&name);
    }
    let id = cx.new_class(&name, n);
    for c in cx.named(n) {
        if cx.kind(c) == K::ClassHeritage {
            for b in cx.named(c) {
                let e = expr(cx, b);
                if let Some(cl) = cx.m.classes.get_mut(id as usize) {
                    cl.bases.push(e);
                }
            }
        }
    }
    let Some(b) = n.child_by_field_id(f.body) else {
        return id;
    };
    let saved = cx.class;
    for m in cx.named(b) {
        if !cx.enter(m) {
            continue;
        }
        match cx.kind(m) {
            K::MethodDefinition => {
                cx.class = Some(id);
                function(cx, m, false);
                cx.class = saved;
            }
            K::FieldDefinition | K::PublicFieldDefinition => {
                let key = m
                    .child_by_field_id(f.property)
                    .or(m.child_by_field_id(f.name))
                    .map(|k| unquote(cx.text(k)))
                    .unwrap_or_default();
                if let Some(v) = m.child_by_field_id(f.value) {
                    let e = if matches!(cx.kind(v), K::ArrowFunction | K::FunctionExpression) {
                        cx.class = Some(id);
                        let fid = function(cx, v, false);
                        cx.class = saved;
                        if let Some(func) = cx.m.funcs.get_mut(fid as usize)
                            && func.name.is_empty()
                        {
                            func.name = key.clone();
                        }
                        cx.push(Expr::Func(fid), v)
                    } else {
                        let e = expr(cx, v);
                        cx.stmt(StmtKind::Eval(e), v);
                        e
                    };
                    if let Some(cl) = cx.m.classes.get_mut(id as usize) {
                        cl.attrs.push((key, e));
                    }
                }
            }
            K::ClassStaticBlock => {
                if let Some(sb) = m.child_by_field_id(f.body) {
                    stmt(cx, sb);
                }
            }
            _ => {}
        }
        cx.leave();
    }
    cx.class = saved;
    id
}

fn import_statement(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let source = n.child_by_field_id(f.source).map(|s| unquote(cx.text(s)));
    let kids = cx.named(n);
    // TypeScript `import x = require("y")`.
    if let Some(req) = kids.iter().find(|c| cx.kind(**c) == K::ImportRequireClause) {
        let spec = req
            .child_by_field_id(f.source)
            .map(|s| unquote(cx.text(s)))
            .unwrap_or_default();
        let i = cx.new_import(&spec, 0, false, n);
        let value = cx.push(Expr::Import(i), n);
        if let Some(id) = cx.named(*req).first().copied()
            && cx.kind(id) == K::Identifier
        {
            let name = cx.text(id).to_string();
            cx.bind(&name);
            cx.stmt(
                StmtKind::Assign {
                    target: Target::Name(name),
                    value,
                    op: AssignOp::Set,
                },
                n,
            );
        }
        return;
    }
    let Some(spec) = source else { return };
    let i = cx.new_import(&spec, 0, false, n);
    let module = cx.push(Expr::Import(i), n);
    let mut any = false;
    let g = cx.g;
    let clauses: Vec<Node<'_>> = kids
        .iter()
        .copied()
        .filter(|c| g.kind(*c) == K::ImportClause)
        .collect();
    for clause in clauses {
        for c in cx.named(clause) {
            match cx.kind(c) {
                K::Identifier => {
                    any = true;
                    let v = cx.push(
                        Expr::Member {
                            obj: module,
                            name: "default".into(),
                        },
                        c,
                    );
                    bind_import(cx, cx.text(c).to_string(), v, n);
                }
                K::NamespaceImport => {
                    if let Some(id) = cx.named(c).first().copied() {
                        any = true;
                        bind_import(cx, cx.text(id).to_string(), module, n);
                    }
                }
                K::NamedImports => {
                    for s in cx.named(c) {
                        if cx.kind(s) != K::ImportSpecifier {
                            continue;
                        }
                        let Some(name) = s.child_by_field_id(f.name) else {
                            continue;
                        };
                        let imported = unquote(cx.text(name));
                        let local = s
                            .child_by_field_id(f.alias)
                            .map(|a| cx.text(a).to_string())
                            .unwrap_or_else(|| imported.clone());
                        any = true;
                        cx.import_name(i, &imported);
                        let v = cx.push(
                            Expr::Member {
                                obj: module,
                                name: imported,
                            },
                            s,
                        );
                        bind_import(cx, local, v, n);
                    }
                }
                _ => {}
            }
        }
    }
    if !any {
        cx.stmt(StmtKind::Eval(module), n);
    }
}

fn bind_import(cx: &mut Lower<'_>, local: String, value: ExprId, n: Node<'_>) {
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

fn export_statement(cx: &mut Lower<'_>, n: Node<'_>) {
    let f = cx.g.f;
    let is_default = {
        let mut c = n.walk();
        n.children(&mut c)
            .any(|x| !x.is_named() && cx.text(x) == "default")
    };
    let source = n.child_by_field_id(f.source).map(|s| unquote(cx.text(s)));
    let import = source.map(|s| {
        let i = cx.new_import(&s, 0, false, n);
        (i, cx.push(Expr::Import(i), n))
    });
    if let Some(d) = n.child_by_field_id(f.declaration) {
        let before = cx.m.funcs.len();
        let names = declared_names(cx, d);
        stmt(cx, d);
        for name in names {
            let v = cx.push(Expr::Name(name.clone()), d);
            let exported = if is_default { "default".into() } else { name };
            cx.m.exports.push((exported, v));
        }
        // `export default function () {}`: anonymous.
        if is_default
            && matches!(
                cx.kind(d),
                K::FunctionDeclaration | K::GeneratorFunctionDeclaration
            )
            && d.child_by_field_id(f.name).is_none()
            && let Ok(id) = u32::try_from(before)
        {
            let v = cx.push(Expr::Func(id), d);
            cx.m.exports.push(("default".into(), v));
        }
        return;
    }
    if let Some(v) = n.child_by_field_id(f.value) {
        let e = expr(cx, v);
        cx.stmt(StmtKind::Eval(e), v);
        cx.m.exports.push(("default".into(), e));
        return;
    }
    let mut any = false;
    for c in cx.named(n) {
        match cx.kind(c) {
            K::ExportClause => {
                for s in cx.named(c) {
                    if cx.kind(s) != K::ExportSpecifier {
                        continue;
                    }
                    let Some(name) = s.child_by_field_id(f.name) else {
                        continue;
                    };
                    let local = unquote(cx.text(name));
                    let exported = s
                        .child_by_field_id(f.alias)
                        .map(|a| unquote(cx.text(a)))
                        .unwrap_or_else(|| local.clone());
                    let v = match import {
                        Some((_, m)) => cx.push(
                            Expr::Member {
                                obj: m,
                                name: local,
                            },
                            s,
                        ),
                        None => cx.push(Expr::Name(local), s),
                    };
                    any = true;
                    cx.m.exports.push((exported, v));
                }
            }
            K::NamespaceExport => {
                if let (Some((_, m)), Some(id)) = (import, cx.named(c).first().copied()) {
                    any = true;
                    let name = unquote(cx.text(id));
                    cx.m.exports.push((name, m));
                }
            }
            _ => {}
        }
    }
    if !any && let Some((i, _)) = import {
        cx.m.star_exports.push(i);
    }
}

/// The names a declaration binds (for `export const a = .., b = ..`).
fn declared_names(cx: &Lower<'_>, d: Node<'_>) -> Vec<String> {
    let f = cx.g.f;
    match cx.kind(d) {
        K::FunctionDeclaration
        | K::GeneratorFunctionDeclaration
        | K::ClassDeclaration
        | K::AbstractClassDeclaration => d
            .child_by_field_id(f.name)
            .map(|n| vec![cx.text(n).to_string()])
            .unwrap_or_default(),
        K::LexicalDeclaration | K::VariableDeclaration => {
            let mut out = Vec::new();
            for v in cx.named(d) {
                if let Some(name) = v.child_by_field_id(f.name) {
                    match cx.kind(name) {
                        K::Identifier => out.push(cx.text(name).to_string()),
                        _ => {
                            let mut pairs = Vec::new();
                            pattern_names(cx, name, &mut pairs, &mut Vec::new(), 0);
                            out.extend(pairs.into_iter().map(|(_, n)| n));
                        }
                    }
                }
            }
            out
        }
        _ => Vec::new(),
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
    let g = cx.g;
    cx.named(n)
        .into_iter()
        .filter(|c| !matches!(g.kind(*c), K::Comment | K::TypeOnly))
        .map(|c| expr(cx, c))
        .collect()
}

/// `module.exports` / `exports`?
fn is_cjs_exports(cx: &Lower<'_>, n: Node<'_>) -> bool {
    matches!(cx.text(n), "module.exports" | "exports")
}

fn expr_inner(cx: &mut Lower<'_>, n: Node<'_>) -> ExprId {
    let f = cx.g.f;
    let e = match cx.kind(n) {
        K::Identifier => match cx.text(n) {
            "undefined" => Expr::Const,
            t => Expr::Name(t.to_string()),
        },
        K::This => Expr::This,
        K::Super => Expr::Unknown,
        K::MemberExpression => {
            let obj = match n.child_by_field_id(f.object) {
                Some(o) => expr(cx, o),
                None => cx.push(Expr::Unknown, n),
            };
            let name = n
                .child_by_field_id(f.property)
                .map(|p| cx.text(p))
                .unwrap_or("")
                .to_string();
            Expr::Member { obj, name }
        }
        K::SubscriptExpression => {
            let obj = match n.child_by_field_id(f.object) {
                Some(o) => expr(cx, o),
                None => cx.push(Expr::Unknown, n),
            };
            let key = match n.child_by_field_id(f.index) {
                Some(k) => expr(cx, k),
                None => cx.push(Expr::Unknown, n),
            };
            Expr::Index { obj, key }
        }
        K::CallExpression => return call(cx, n),
        K::NewExpression => {
            let callee = match n.child_by_field_id(f.constructor) {
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
                new: true,
            }
        }
        K::String => {
            let t = cx.text(n);
            let inner = t.get(1..t.len().saturating_sub(1)).unwrap_or("");
            Expr::Str(unescape(inner))
        }
        K::TemplateString => {
            let subs: Vec<ExprId> = cx
                .named(n)
                .into_iter()
                .filter(|c| cx.kind(*c) == K::TemplateSubstitution)
                .filter_map(|c| cx.named(c).first().copied())
                .collect::<Vec<_>>()
                .into_iter()
                .map(|c| expr(cx, c))
                .collect();
            if subs.is_empty() {
                let t = cx.text(n);
                Expr::Str(unescape(t.get(1..t.len().saturating_sub(1)).unwrap_or("")))
            } else {
                Expr::Format(subs)
            }
        }
        K::Number => Expr::Num,
        K::True | K::False | K::Null | K::Undefined => Expr::Const,
        K::Object => {
            let mut entries = Vec::new();
            for c in cx.named(n) {
                match cx.kind(c) {
                    K::Pair => {
                        let (Some(k), Some(v)) =
                            (c.child_by_field_id(f.key), c.child_by_field_id(f.value))
                        else {
                            continue;
                        };
                        let key = if cx.kind(k) == K::ComputedPropertyName {
                            match cx.named(k).first().copied() {
                                Some(i) => Key::Computed(expr(cx, i)),
                                None => continue,
                            }
                        } else {
                            Key::Name(unquote(cx.text(k)))
                        };
                        let value = expr(cx, v);
                        if let (Key::Name(kn), Expr::Func(fid)) = (&key, cx.m.expr(value).clone())
                            && let Some(func) = cx.m.funcs.get_mut(fid as usize)
                            && func.name.is_empty()
                        {
                            func.name = kn.clone();
                        }
                        entries.push((Some(key), value));
                    }
                    K::ShorthandPropertyIdentifier => {
                        let name = cx.text(c).to_string();
                        let v = cx.push(Expr::Name(name.clone()), c);
                        entries.push((Some(Key::Name(name)), v));
                    }
                    K::SpreadElement => {
                        if let Some(i) = cx.named(c).first().copied() {
                            let v = expr(cx, i);
                            entries.push((None, v));
                        }
                    }
                    K::MethodDefinition => {
                        let name = c
                            .child_by_field_id(f.name)
                            .map(|x| unquote(cx.text(x)))
                            .unwrap_or_default();
                        let id = function(cx, c, false);
                        let v = cx.push(Expr::Func(id), c);
                        entries.push((Some(Key::Name(name)), v));
                    }
                    _ => {}
                }
            }
            Expr::Object(entries)
        }
        K::Array => Expr::Array(exprs(cx, n)),
        K::ArrowFunction | K::FunctionExpression => Expr::Func(function(cx, n, false)),
        K::Class => Expr::Class(class(cx, n, false)),
        K::AssignmentExpression => return assignment(cx, n, AssignOp::Set),
        K::AugmentedAssignmentExpression => {
            let op = match n.child_by_field_id(f.operator).map(|o| cx.text(o)) {
                Some("??=" | "||=") => AssignOp::IfEmpty,
                _ => AssignOp::Update,
            };
            return assignment(cx, n, op);
        }
        K::BinaryExpression => {
            let op = match n.child_by_field_id(f.operator).map(|o| cx.text(o)) {
                Some("+") => BinOp::Add,
                Some("&&") => BinOp::And,
                Some("||") => BinOp::Or,
                Some("??") => BinOp::Nullish,
                Some(
                    "==" | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=" | "in" | "instanceof",
                ) => BinOp::Compare,
                _ => BinOp::Arith,
            };
            let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right))
            else {
                return cx.push(Expr::Unknown, n);
            };
            let left = expr(cx, l);
            let right = expr(cx, r);
            Expr::Binary { op, left, right }
        }
        K::UnaryExpression | K::UpdateExpression => match n.child_by_field_id(f.argument) {
            Some(a) => Expr::Unary(expr(cx, a)),
            None => Expr::Unknown,
        },
        K::TernaryExpression => {
            let parts = (
                n.child_by_field_id(f.condition),
                n.child_by_field_id(f.consequence),
                n.child_by_field_id(f.alternative),
            );
            let (Some(t), Some(a), Some(b)) = parts else {
                return cx.push(Expr::Unknown, n);
            };
            let test = expr(cx, t);
            let then = expr(cx, a);
            let other = expr(cx, b);
            Expr::Cond { test, then, other }
        }
        K::ParenthesizedExpression
        | K::AsExpression
        | K::SatisfiesExpression
        | K::NonNullExpression
        | K::TypeAssertion
        | K::InstantiationExpression => {
            let inner = cx.named(n).into_iter().find(|c| {
                !matches!(cx.kind(*c), K::TypeOnly | K::Comment | K::Other) || is_expr(cx.kind(*c))
            });
            return match inner {
                Some(i) => expr(cx, i),
                None => cx.push(Expr::Unknown, n),
            };
        }
        K::AwaitExpression => match cx.named(n).first().copied() {
            Some(i) => Expr::Await(expr(cx, i)),
            None => Expr::Unknown,
        },
        K::SpreadElement => match cx.named(n).first().copied() {
            Some(i) => Expr::Spread(expr(cx, i)),
            None => Expr::Unknown,
        },
        K::Comment | K::TypeOnly => Expr::Unknown,
        _ => Expr::Other(exprs(cx, n)),
    };
    cx.push(e, n)
}

/// `require("x")`, dynamic `import("x")`, or a call.
fn call(cx: &mut Lower<'_>, n: Node<'_>) -> ExprId {
    let f = cx.g.f;
    let func = n.child_by_field_id(f.function);
    let args_node = n.child_by_field_id(f.arguments);
    let is_require = func.is_some_and(|x| cx.kind(x) == K::Identifier && cx.text(x) == "require");
    let is_import = func.is_some_and(|x| cx.kind(x) == K::Import);
    if is_require || is_import {
        let first = args_node.and_then(|a| cx.named(a).first().copied());
        let literal = first.filter(|a| cx.kind(*a) == K::String);
        let spec = literal.map(|s| unquote(cx.text(s))).unwrap_or_default();
        let dynamic = literal.is_none();
        if dynamic && let Some(a) = first {
            let e = expr(cx, a);
            cx.stmt(StmtKind::Eval(e), a);
        }
        let i = cx.new_import(&spec, 0, dynamic, n);
        return cx.push(Expr::Import(i), n);
    }
    let callee = match func {
        Some(c) => expr(cx, c),
        None => cx.push(Expr::Unknown, n),
    };
    let args = match args_node {
        Some(a) if cx.kind(a) == K::TemplateString => vec![Arg {
            name: None,
            value: expr(cx, a),
        }],
        Some(a) => arguments(cx, a),
        None => Vec::new(),
    };
    cx.push(
        Expr::Call {
            callee,
            args,
            new: false,
        },
        n,
    )
}

fn arguments(cx: &mut Lower<'_>, a: Node<'_>) -> Vec<Arg> {
    let g = cx.g;
    cx.named(a)
        .into_iter()
        .filter(|c| !matches!(g.kind(*c), K::Comment | K::TypeOnly))
        .map(|c| Arg {
            name: None,
            value: expr(cx, c),
        })
        .collect()
}

/// `left = right` (and `??=`, `+=`): an assignment statement; the expression's value is the
/// right side. `module.exports = ..` and `exports.x = ..` are exports.
fn assignment(cx: &mut Lower<'_>, n: Node<'_>, op: AssignOp) -> ExprId {
    let f = cx.g.f;
    let (Some(l), Some(r)) = (n.child_by_field_id(f.left), n.child_by_field_id(f.right)) else {
        return cx.push(Expr::Unknown, n);
    };
    let value = expr(cx, r);
    if op == AssignOp::Set {
        if is_cjs_exports(cx, l) {
            cx.m.cjs_exports = Some(value);
        } else if cx.kind(l) == K::MemberExpression
            && let Some(obj) = l.child_by_field_id(f.object)
            && is_cjs_exports(cx, obj)
            && let Some(p) = l.child_by_field_id(f.property)
        {
            let name = cx.text(p).to_string();
            if let Expr::Func(fid) = cx.m.expr(value).clone()
                && let Some(func) = cx.m.funcs.get_mut(fid as usize)
                && func.name.is_empty()
            {
                func.name = name.clone();
                func.name_range = Lower::range(l);
            }
            cx.m.exports.push((name, value));
        }
    }
    let target = target(cx, l, false);
    name_function(cx, value, &target, l);
    cx.stmt(StmtKind::Assign { target, value, op }, n);
    value
}
