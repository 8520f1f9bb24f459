//! Values derived from the invocation's event, and LMB030 ("Lambda as transport") on that data
//! flow: a handler is a transport when, per invocation, exactly one AWS call receives only values
//! derived from the event plus constants and configuration, and nothing computes (arithmetic,
//! branching on the data, loops over items, a second service call). Logging, metrics, tracing,
//! JSON decoding and encoding, wrapping values into objects, `try`/`except` that re-raises and
//! returning a constant response are not work. Precision first: anything not understood is work.

use std::collections::HashSet;

use super::facts::{Forward, FunctionFacts, forwardable};
use super::ir::*;
use super::program::{Analysis, ModId, Mode, Val};
use super::sdk::Event;

/// Does expression `e` use one of `names` (not looking into nested functions)?
pub fn mentions_any(module: &Module, e: ExprId, names: &HashSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    let mut hit = false;
    module.visit(e, |_, x| {
        if let Expr::Name(n) = x
            && names.contains(n)
        {
            hit = true;
        }
    });
    hit
}

/// The names of function `f` that hold values derived from `seeds` (its event parameter, or
/// parameters), through assignments (flow-insensitive).
pub fn tainted_names(module: &Module, f: FnId, seeds: &[String]) -> HashSet<String> {
    let mut set: HashSet<String> = seeds.iter().cloned().collect();
    let Some(func) = module.func(f) else {
        return set;
    };
    if set.is_empty() {
        return set;
    }
    for _ in 0..4 {
        let before = set.len();
        for s in &func.body {
            if let StmtKind::Assign { target, value, .. } = &s.kind
                && mentions_any(module, *value, &set)
            {
                for n in target.names() {
                    set.insert(n.to_string());
                }
            }
        }
        if set.len() == before {
            break;
        }
    }
    set
}

/// The seeds of a function's taint: the entry's event parameter; every parameter of a helper.
pub fn seeds(module: &Module, f: FnId, entry: bool) -> Vec<String> {
    let Some(func) = module.func(f) else {
        return Vec::new();
    };
    if f == TOP {
        return Vec::new();
    }
    if entry {
        return func
            .first_param()
            .map(|p| p.names.clone())
            .unwrap_or_default();
    }
    func.params
        .iter()
        .flat_map(|p| p.names.iter().cloned())
        .filter(|n| n != "self" && n != "cls")
        .collect()
}

/// Calls that are not work: JSON, logging, metrics, tracing, configuration, identifiers.
fn harmless_callee(dotted: &str) -> bool {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    let root = dotted.split('.').next().unwrap_or(dotted);
    matches!(
        dotted,
        "json.loads"
            | "json.dumps"
            | "json.load"
            | "json.dump"
            | "JSON.parse"
            | "JSON.stringify"
            | "os.environ.get"
            | "os.getenv"
            | "environ.get"
            | "getenv"
            | "print"
            | "str"
            | "int"
            | "float"
            | "bool"
            | "dict"
            | "String"
            | "Number"
            | "Boolean"
            | "Object.assign"
            | "Date.now"
            | "Date"
            | "time.time"
            | "uuid.uuid4"
            | "uuid.uuid1"
            | "uuid4"
            | "uuidv4"
            | "v4"
            | "randomUUID"
            | "crypto.randomUUID"
            | "datetime.now"
            | "datetime.utcnow"
            | "datetime.datetime.now"
            | "datetime.datetime.utcnow"
            | "datetime.today"
            | "Promise.resolve"
            | "Promise.reject"
            | "logging.getLogger"
            | "Buffer.from"
            | "TextEncoder"
            | "TextDecoder"
            | "base64.b64encode"
            | "base64.b64decode"
            | "b64encode"
            | "b64decode"
            | "bytes"
    ) || matches!(
        root,
        "console"
            | "logger"
            | "log"
            | "LOGGER"
            | "LOG"
            | "logging"
            | "metrics"
            | "tracer"
            | "xray_recorder"
            | "Sentry"
            | "sentry_sdk"
            | "segment"
            | "subsegment"
    ) || matches!(
        last,
        "promise"
            | "toString"
            | "toISOString"
            | "isoformat"
            | "encode"
            | "decode"
            | "get"
            | "info"
            | "debug"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "log"
            | "add_metric"
            | "addMetric"
            | "put_annotation"
            | "putAnnotation"
            | "put_metadata"
            | "putMetadata"
            | "append_keys"
            | "appendKeys"
            | "succeed"
            | "done"
            | "get_remaining_time_in_millis"
            | "getRemainingTimeInMillis"
    )
}

/// Why a function does work (None: it only moves values).
struct Check<'x> {
    m: ModId,
    f: FnId,
    tainted: HashSet<String>,
    /// The one SDK call (module, expression).
    call: (ModId, ExprId),
    /// The entry's callback parameter (`callback(null, result)`).
    callback: Option<&'x str>,
}

/// LMB030: the forwarding shape of a function whose facts are in `facts`.
pub fn forward(
    a: &mut Analysis<'_>,
    entries: &[(ModId, FnId)],
    facts: &FunctionFacts,
) -> Option<Forward> {
    let [entry] = entries else { return None };
    if facts.http.iter().any(|h| !h.local) {
        return None;
    }
    let per_invocation: Vec<_> = facts
        .calls
        .iter()
        .filter(|c| c.in_handler && c.network)
        .collect();
    let [call] = per_invocation.as_slice() else {
        return None;
    };
    // A call with the caller's own credentials (a tenant's), or a client configured from the
    // event, is more than a direct integration can do.
    if !forwardable(&call.service)
        || call.own_credentials
        || facts.db.iter().any(|d| d.in_handler)
        || facts
            .clients
            .iter()
            .any(|c| c.in_handler && (c.from_event || c.own_credentials))
    {
        return None;
    }
    // Every per-invocation function moves values only.
    let mut funcs: Vec<(ModId, FnId)> = a
        .reached
        .iter()
        .filter(|(_, m)| **m == Mode::Invocation)
        .map(|(k, _)| *k)
        .collect();
    funcs.sort();
    let mut call_tainted = false;
    for (m, f) in funcs {
        let module = a.parsed(m).map(std::sync::Arc::clone)?;
        let module = &module.module;
        let is_entry = (m, f) == *entry;
        // The callback given to the SDK call itself (`put(params, (err, data) => ..)`): its
        // error is not data (`if (err) return callback(err)` is error propagation); its result is.
        let sdk_callback = m == call.site.0
            && matches!(module.expr(call.site.1), Expr::Call { args, .. }
                if args.iter().any(|x| matches!(module.expr(x.value), Expr::Func(g) if *g == f)));
        let mut seeded = seeds(module, f, is_entry);
        if sdk_callback {
            let err: Vec<String> = module
                .func(f)
                .and_then(|x| x.first_param())
                .map(|p| p.names.clone())
                .unwrap_or_default();
            seeded.retain(|n| !err.contains(n));
        }
        let tainted = tainted_names(module, f, &seeded);
        // The entry's callback parameter, also seen by the closures written inside the entry
        // (`client.put(params, (err) => callback(err))`).
        let inside_entry = m == entry.0 && encloses(module, entry.1, f);
        let callback = if inside_entry {
            module
                .func(entry.1)
                .and_then(|x| x.params.get(2))
                .and_then(|p| p.names.first())
                .map(String::as_str)
                .filter(|n| is_entry || !module.func(f).is_some_and(|x| x.binds(n)))
        } else {
            None
        };
        let cx = Check {
            m,
            f,
            tainted,
            call: call.site,
            callback,
        };
        if !only_moves(a, module, &cx, &mut call_tainted) {
            return None;
        }
    }
    call_tainted.then(|| Forward {
        call: (*call).clone(),
    })
}

/// Is `inner` the function `outer` or written inside it?
fn encloses(module: &Module, outer: FnId, inner: FnId) -> bool {
    let mut cur = Some(inner);
    for _ in 0..64 {
        match cur {
            Some(c) if c == outer => return true,
            Some(c) => cur = module.func(c).and_then(|x| x.parent),
            None => return false,
        }
    }
    false
}

/// Does function `cx.f` only move values (no loops, no branching on the data, no arithmetic, no
/// call that is work)? Sets `call_tainted` when the SDK call is here and takes event data.
fn only_moves(
    a: &mut Analysis<'_>,
    module: &Module,
    cx: &Check<'_>,
    call_tainted: &mut bool,
) -> bool {
    let Some(func) = module.func(cx.f) else {
        return false;
    };
    for s in &func.body {
        for (_, b) in module.enclosing(s.block) {
            match b.kind {
                BlockKind::Loop { .. } => return false,
                BlockKind::If { cond: Some(c) } | BlockKind::Case { on: Some(c) }
                    if mentions_any(module, c, &cx.tainted) =>
                {
                    return false;
                }
                _ => {}
            }
        }
        let root = match &s.kind {
            StmtKind::Assign { value, op, .. } => {
                if *op == AssignOp::Update && mentions_any(module, *value, &cx.tainted) {
                    return false;
                }
                Some(*value)
            }
            StmtKind::Eval(e) | StmtKind::Return(Some(e)) => Some(*e),
            StmtKind::Throw { value: Some(e), .. } => Some(*e),
            _ => None,
        };
        let Some(root) = root else { continue };
        let mut nodes = Vec::new();
        module.visit(root, |id, _| nodes.push(id));
        for id in nodes {
            if !moves(a, module, cx, id, call_tainted) {
                return false;
            }
        }
    }
    true
}

fn moves(
    a: &mut Analysis<'_>,
    module: &Module,
    cx: &Check<'_>,
    id: ExprId,
    call_tainted: &mut bool,
) -> bool {
    let t = |e: ExprId| mentions_any(module, e, &cx.tainted);
    match module.expr(id) {
        Expr::Comprehension { .. } => false,
        Expr::Binary { op, left, right } => match op {
            BinOp::Arith | BinOp::Compare => !(t(*left) || t(*right)),
            BinOp::Add => {
                let is_text = |e: ExprId| matches!(module.expr(e), Expr::Str(_) | Expr::Format(_));
                is_text(*left) || is_text(*right) || !(t(*left) || t(*right))
            }
            BinOp::And => !(t(*left) || t(*right)),
            BinOp::Or | BinOp::Nullish => true,
        },
        Expr::Cond { test, .. } => !t(*test),
        Expr::Unary(x) => !t(*x),
        Expr::Call { callee, args, .. } => {
            if (cx.m, id) == cx.call {
                if args.iter().any(|x| t(x.value))
                    || args.iter().any(|x| command_tainted(a, module, cx, x.value))
                {
                    *call_tainted = true;
                }
                return args.iter().all(|x| pure(a, module, cx, x.value, 0));
            }
            if !call_is_harmless(a, module, cx, id, *callee) {
                return false;
            }
            // A local function handed to code that is not followed (a batch processor,
            // `forEach`, `map`): it may run once per item, a loop.
            let promise = matches!(module.expr(*callee),
                Expr::Member { name, .. } if matches!(name.as_str(), "then" | "catch" | "finally"));
            // `json.dumps(x, default=to_float)`: a serialisation hook, run on the one value.
            let json = Expr::dotted(module, *callee).is_some_and(|d| d.starts_with("json."));
            promise
                || json
                || matches!(a.eval(cx.m, cx.f, *callee), Val::Func(..))
                || !args
                    .iter()
                    .any(|x| matches!(a.eval(cx.m, cx.f, x.value), Val::Func(..)))
        }
        _ => true,
    }
}

/// `client.send(command)` where `command` was built from the event.
fn command_tainted(a: &mut Analysis<'_>, module: &Module, cx: &Check<'_>, e: ExprId) -> bool {
    let _ = a;
    if let Expr::Name(n) = module.expr(e) {
        return cx.tainted.contains(n);
    }
    false
}

fn call_is_harmless(
    a: &mut Analysis<'_>,
    module: &Module,
    cx: &Check<'_>,
    id: ExprId,
    callee: ExprId,
) -> bool {
    // The SDK call's wrappers and the calls nested in its arguments are judged with it.
    let (ev, _) = a.classify(cx.m, cx.f, id);
    match ev {
        Event::Sdk { .. } | Event::Http { .. } | Event::Db { .. } | Event::Unattributed(_) => {
            return false;
        }
        Event::NewClient { .. } => return true,
        Event::None => {}
    }
    let dotted = Expr::dotted(module, callee);
    if let Some(d) = &dotted
        && (Some(d.as_str()) == cx.callback || harmless_callee(d))
    {
        return true;
    }
    // `x.promise()`, `json.dumps(..).encode()`: by method name.
    if let Expr::Member { name, obj } = module.expr(callee) {
        if harmless_callee(name) {
            return true;
        }
        // A v3 command or client method chain on the SDK call itself is judged there.
        if let Expr::Call { .. } = module.expr(*obj)
            && matches!(name.as_str(), "then" | "catch" | "finally")
        {
            return true;
        }
    }
    match a.eval(cx.m, cx.f, callee) {
        // Local functions are judged themselves (they are reached per invocation).
        Val::Func(..) | Val::Class(..) => true,
        Val::Ext(module_name, path) => {
            let full = format!("{module_name}.{path}");
            harmless_callee(&path)
                || harmless_callee(&full)
                || matches!(
                    module_name.as_str(),
                    "uuid"
                        | "logging"
                        | "aws_lambda_powertools"
                        | "@aws-lambda-powertools/logger"
                        | "@aws-lambda-powertools/metrics"
                        | "@aws-lambda-powertools/tracer"
                )
                || (module_name == "global" && harmless_callee(&path))
                || module_name == "@aws-sdk/util-dynamodb"
                || module_name.starts_with("@aws-sdk/client-") && path.ends_with("Command")
                || module_name == "@aws-sdk/lib-dynamodb" && path.ends_with("Command")
        }
        _ => false,
    }
}

/// Is an argument built only from event data, constants and configuration?
fn pure(a: &mut Analysis<'_>, module: &Module, cx: &Check<'_>, e: ExprId, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let mut nodes = Vec::new();
    module.visit(e, |id, _| nodes.push(id));
    for id in nodes {
        match module.expr(id) {
            Expr::Name(n) => {
                if cx.tainted.contains(n) {
                    continue;
                }
                // A local of this function: its value must be pure too.
                let Some(func) = module.func(cx.f) else {
                    return false;
                };
                // The entry's context and callback, a helper's parameters: invocation metadata
                // (`context.awsRequestId`) or values checked where the helper is called.
                let param = func.params.iter().any(|p| p.names.iter().any(|x| x == n));
                if func.binds(n) && !param {
                    let values: Vec<ExprId> = func
                        .body
                        .iter()
                        .filter_map(|s| match &s.kind {
                            StmtKind::Assign { target, value, .. }
                                if target.names().contains(&n.as_str()) =>
                            {
                                Some(*value)
                            }
                            _ => None,
                        })
                        .collect();
                    if values.is_empty() {
                        return false;
                    }
                    for v in values {
                        if !pure(a, module, cx, v, depth + 1) {
                            return false;
                        }
                    }
                }
                // Module-level names (configuration, clients) and enclosing scopes are fine.
            }
            Expr::Call { callee, args, new } => {
                // A v3 command built in place, or a harmless helper.
                let v = a.eval(cx.m, cx.f, *callee);
                let command = *new
                    && matches!(&v, Val::Ext(m, p) if (m.starts_with("@aws-sdk/") && p.ends_with("Command")));
                if !command && !call_is_harmless(a, module, cx, id, *callee) {
                    return false;
                }
                let _ = args;
            }
            Expr::Comprehension { .. } => return false,
            Expr::Binary {
                op: BinOp::Arith | BinOp::Compare,
                ..
            } => return false,
            _ => {}
        }
    }
    true
}
