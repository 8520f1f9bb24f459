//! Facts that tie a handler's code to its template (HDL020, LMB004, LMB031, LMB032), over the
//! code the entry point reaches (the same attribution as the other facts):
//!
//! - environment variables read, hard (`os.environ["X"]`, `process.env.X` used as is) or soft
//!   (`.get("X", d)`, `os.getenv`, `process.env.X ?? d`, checked first), and those the code
//!   sets or loads itself;
//! - batch item failure responses (`batchItemFailures` returned, Powertools batch processors);
//! - the resource each SDK write targets (argument -> literal / environment variable), with the
//!   literal parts of S3 object keys;
//! - Lambda `Invoke` calls, their `InvocationType`, and whether `FunctionError` is read.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::facts::{
    ArgValue, BatchResponse, EnvRead, InvokeCall, KeyShape, ResourceWrite, WiringFacts,
};
use super::ir::*;
use super::modules::Parsed;
use super::program::{Analysis, ModId, Val};
use super::sdk::{self, Kind, Sdk};

/// Calls that produce a batch item failure response (AWS Lambda Powertools, middy).
const BATCH_CALLS: &[&str] = &[
    "process_partial_response",
    "async_process_partial_response",
    "batch_processor",
    "async_batch_processor",
    "processPartialResponse",
    "processPartialResponseSync",
    "sqsPartialBatchFailure",
    "BatchProcessor",
    "AsyncBatchProcessor",
    "SqsFifoPartialProcessor",
    "SqsFifoPartialProcessorAsync",
    "BatchProcessorSync",
];

/// Modules that load environment variables from elsewhere (a `.env` file, a secrets store).
const ENV_LOADERS: &[&str] = &[
    "dotenv",
    "python-dotenv",
    "decouple",
    "environs",
    "dotenv-flow",
];

/// Collect the wiring facts of every reached function into `out`.
pub fn collect(a: &mut Analysis<'_>, entries: &[(ModId, FnId)], out: &mut WiringFacts) {
    let mut reached: Vec<(ModId, FnId)> = a.reached.keys().copied().collect();
    reached.sort();
    let mods: BTreeSet<ModId> = reached.iter().map(|(m, _)| *m).collect();
    for m in &mods {
        let Some(p) = a.parsed(*m).cloned() else {
            continue;
        };
        for i in &p.module.imports {
            let root = i.spec.split(['.', '/']).next().unwrap_or("");
            if ENV_LOADERS.contains(&root) && out.env_dynamic.is_none() {
                out.env_dynamic = Some(format!(
                    "`{}` loads environment variables from a file",
                    i.spec
                ));
            }
        }
    }
    for (m, f) in reached {
        let Some(p) = a.parsed(m).cloned() else {
            continue;
        };
        Walk { p: &p, m, f }.run(a, out, entries.contains(&(m, f)));
    }
}

struct Walk<'p> {
    p: &'p Arc<Parsed>,
    m: ModId,
    f: FnId,
}

impl Walk<'_> {
    fn module(&self) -> &Module {
        &self.p.module
    }

    fn python(&self) -> bool {
        self.p.lang.is_python()
    }

    fn run(&self, a: &mut Analysis<'_>, out: &mut WiringFacts, entry: bool) {
        let module = self.module();
        let Some(func) = module.func(self.f) else {
            return;
        };
        let mut roots: Vec<(ExprId, BlockId)> = Vec::new();
        for s in &func.body {
            match &s.kind {
                StmtKind::Assign { target, value, .. } => {
                    self.assign_target(a, target, *value, s.range, out);
                    roots.push((*value, s.block));
                }
                StmtKind::Eval(e) | StmtKind::Return(Some(e)) => roots.push((*e, s.block)),
                StmtKind::Throw { value: Some(e), .. } => roots.push((*e, s.block)),
                _ => {}
            }
            if entry && let StmtKind::Return(v) = &s.kind {
                out.returns_unknown |= v.is_some_and(|e| !self.literal_return(e));
            }
        }
        for d in &func.decorators {
            roots.push((*d, NO_BLOCK));
        }
        let mut conds: Vec<ExprId> = Vec::new();
        // Conditions of the function's own blocks (`if "X" in os.environ:`): the blocks around
        // its statements, inside the function (linear in its statements).
        let mut own: BTreeSet<BlockId> = BTreeSet::new();
        for s in &func.body {
            for (b, blk) in module.enclosing(s.block) {
                if (self.f != TOP && !func.range.contains(blk.range)) || !own.insert(b) {
                    break;
                }
                if let BlockKind::If { cond: Some(c) } | BlockKind::Case { on: Some(c) } = blk.kind
                {
                    roots.push((c, NO_BLOCK));
                    conds.push(c);
                }
            }
        }
        // Sub-expressions whose value is tested or given a default (soft reads), and names
        // checked for presence (`"X" in os.environ`).
        let mut soft: HashSet<ExprId> = HashSet::new();
        let mut checked: HashSet<String> = HashSet::new();
        // A variable tested in a condition (`if os.getenv("X"):`, `if (process.env.X)`) is
        // checked before its reads in the function.
        for c in &conds {
            let mut ids = Vec::new();
            module.visit(*c, |id, _| ids.push(id));
            for id in ids {
                if let Some((name, _)) = self.env_read(a, id) {
                    checked.insert(name);
                }
            }
        }
        if !self.python() {
            soft.extend(conds);
        }
        for (r, _) in &roots {
            module.visit(*r, |_, x| match x {
                Expr::Binary { op, left, right } => {
                    // Python raises on a missing key whatever the expression around it.
                    if !self.python() && !matches!(op, BinOp::Add | BinOp::Arith) {
                        soft.insert(*left);
                        soft.insert(*right);
                    }
                    if *op == BinOp::Compare
                        && let Expr::Str(s) = module.expr(*left)
                        && self.env_object(*right)
                    {
                        checked.insert(s.clone());
                    }
                }
                Expr::Cond { test, .. } if !self.python() => {
                    soft.insert(*test);
                }
                Expr::Unary(x) if !self.python() => {
                    soft.insert(*x);
                }
                Expr::Call { callee, args, .. } => {
                    if let Some(d) = Expr::dotted(module, *callee)
                        && (d.ends_with("env.hasOwnProperty") || d == "Object.hasOwn")
                    {
                        for x in args {
                            if let Expr::Str(s) = module.expr(x.value) {
                                checked.insert(s.clone());
                            }
                        }
                    }
                }
                _ => {}
            });
        }
        let mut seen: HashSet<ExprId> = HashSet::new();
        for (r, block) in roots {
            let in_try = module
                .enclosing(block)
                .any(|(_, b)| matches!(b.kind, BlockKind::Try));
            let main_guard = module.enclosing(block).any(
                |(_, b)| matches!(b.kind, BlockKind::If { cond: Some(c) } if self.mentions_main(c)),
            );
            if main_guard {
                continue;
            }
            let mut exprs: Vec<(ExprId, Expr)> = Vec::new();
            module.visit(r, |id, x| {
                if seen.insert(id) {
                    exprs.push((id, x.clone()));
                }
            });
            for (id, x) in exprs {
                self.expr(a, id, &x, &soft, &checked, in_try, out);
            }
        }
    }

    fn mentions_main(&self, e: ExprId) -> bool {
        let mut hit = false;
        self.module().visit(e, |_, x| {
            if let Expr::Name(n) = x
                && n == "__name__"
            {
                hit = true;
            }
        });
        hit
    }

    /// Is `e` the process environment (`os.environ`, `environ`, `process.env`)?
    fn env_object(&self, e: ExprId) -> bool {
        match Expr::dotted(self.module(), e).as_deref() {
            Some("os.environ") => self.python(),
            Some("environ") => self.python() && self.imports_environ(),
            Some("process.env") => !self.python(),
            _ => false,
        }
    }

    fn imports_environ(&self) -> bool {
        self.module()
            .imports
            .iter()
            .any(|i| i.spec == "os" && i.names.iter().any(|n| n == "environ"))
    }

    /// A constant string key.
    fn str_key(&self, a: &mut Analysis<'_>, e: ExprId) -> Option<String> {
        match self.module().expr(e) {
            Expr::Str(s) => Some(s.clone()),
            Expr::Name(_) | Expr::Member { .. } => match a.eval(self.m, self.f, e) {
                super::program::Val::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// An environment read: (name, soft by its form).
    fn env_read(&self, a: &mut Analysis<'_>, e: ExprId) -> Option<(String, bool)> {
        let module = self.module();
        match module.expr(e) {
            Expr::Index { obj, key } if self.env_object(*obj) => {
                Some((self.str_key(a, *key)?, false))
            }
            Expr::Member { obj, name } if !self.python() && self.env_object(*obj) => {
                Some((name.clone(), false))
            }
            Expr::Call { callee, args, .. } => {
                let first = args.iter().find(|x| x.name.is_none())?.value;
                let d = Expr::dotted(module, *callee)?;
                let env_get = match d.rsplit_once('.') {
                    Some((obj, "get" | "setdefault")) => {
                        obj == "os.environ" || (obj == "environ" && self.imports_environ())
                    }
                    _ => d == "os.getenv" || (d == "getenv" && self.python()),
                };
                if !env_get || !self.python() {
                    return None;
                }
                Some((self.str_key(a, first)?, true))
            }
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expr(
        &self,
        a: &mut Analysis<'_>,
        id: ExprId,
        x: &Expr,
        soft: &HashSet<ExprId>,
        checked: &HashSet<String>,
        in_try: bool,
        out: &mut WiringFacts,
    ) {
        let module = self.module();
        if let Some((name, soft_form)) = self.env_read(a, id) {
            let hard = !soft_form && !soft.contains(&id) && !in_try && !checked.contains(&name);
            if let Expr::Call { callee, .. } = x
                && Expr::dotted(module, *callee).is_some_and(|d| d.ends_with(".setdefault"))
            {
                out.env_set.push(name.clone());
            }
            out.env_reads.push(EnvRead {
                name,
                hard,
                python: self.python(),
                file: Arc::clone(&self.p.file),
                span: self.p.span(module.range(id)),
            });
        }
        match x {
            Expr::Call { callee, args, new } => {
                let dotted = Expr::dotted(module, *callee).unwrap_or_default();
                let last = dotted.rsplit('.').next().unwrap_or("");
                if BATCH_CALLS.contains(&last) {
                    out.batch.push(BatchResponse {
                        how: format!("uses `{last}`"),
                        file: Arc::clone(&self.p.file),
                        span: self.p.span(module.range(id)),
                    });
                }
                let first = args.first().map(|x| x.value);
                if (dotted == "os.environ.update" && self.python())
                    || (dotted == "Object.assign"
                        && first.is_some_and(|e| self.env_object(e))
                        && !self.python())
                    || dotted == "load_dotenv"
                {
                    out.env_dynamic.get_or_insert_with(|| {
                        format!("`{dotted}(..)` sets environment variables")
                    });
                }
                let _ = new;
                self.sdk_call(a, id, out);
            }
            Expr::Object(entries) => {
                for (k, _) in entries {
                    if let Some(Key::Name(n)) = k
                        && n == "batchItemFailures"
                    {
                        out.batch.push(BatchResponse {
                            how: "returns `batchItemFailures`".into(),
                            file: Arc::clone(&self.p.file),
                            span: self.p.span(module.range(id)),
                        });
                    }
                    if let Some(Key::Name(n)) = k
                        && is_error_field(n)
                    {
                        out.reads_function_error = true;
                    }
                }
            }
            Expr::Member { name, .. } if is_error_field(name) => out.reads_function_error = true,
            Expr::Str(s) if is_error_field(s) => out.reads_function_error = true,
            Expr::Member { name, .. } if name == "batchItemFailures" => {
                out.batch.push(BatchResponse {
                    how: "returns `batchItemFailures`".into(),
                    file: Arc::clone(&self.p.file),
                    span: self.p.span(module.range(id)),
                });
            }
            Expr::Str(s) if s == "batchItemFailures" => {
                out.batch.push(BatchResponse {
                    how: "returns `batchItemFailures`".into(),
                    file: Arc::clone(&self.p.file),
                    span: self.p.span(module.range(id)),
                });
            }
            _ => {}
        }
    }

    /// Assignments: variables the code sets, JavaScript destructuring of `process.env`,
    /// `FunctionError` destructured from a result.
    fn assign_target(
        &self,
        a: &mut Analysis<'_>,
        target: &Target,
        value: ExprId,
        range: Range,
        out: &mut WiringFacts,
    ) {
        let module = self.module();
        match target {
            Target::Member(t) => match module.expr(*t) {
                Expr::Index { obj, key } if self.env_object(*obj) => match self.str_key(a, *key) {
                    Some(k) => out.env_set.push(k),
                    None => {
                        out.env_dynamic
                            .get_or_insert_with(|| "the code sets a computed variable".into());
                    }
                },
                Expr::Member { obj, name } if self.env_object(*obj) => {
                    out.env_set.push(name.clone())
                }
                _ => {}
            },
            Target::Pattern(pairs, defaults) => {
                if pairs.iter().any(|(k, _)| is_error_field(k)) {
                    out.reads_function_error = true;
                }
                if self.env_object(value) {
                    // `const { A, B = "x" } = process.env`: a property given a default in the
                    // pattern is a soft read, the others hard. A rest element (`...rest`) is
                    // not a read of a variable.
                    for (k, _) in pairs.iter().filter(|(k, _)| !k.is_empty()) {
                        out.env_reads.push(EnvRead {
                            name: k.clone(),
                            hard: !defaults.contains(k),
                            python: self.python(),
                            file: Arc::clone(&self.p.file),
                            span: self.p.span(range),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// A return value the analysis sees completely (no value it cannot look into).
    fn literal_return(&self, e: ExprId) -> bool {
        match self.module().expr(e) {
            Expr::Const | Expr::Num | Expr::Str(_) | Expr::Format(_) => true,
            Expr::Object(entries) => entries.iter().all(|(k, _)| k.is_some()),
            _ => false,
        }
    }

    /// SDK writes and Lambda invocations.
    fn sdk_call(&self, a: &mut Analysis<'_>, id: ExprId, out: &mut WiringFacts) {
        let (ev, _) = a.classify(self.m, self.f, id);
        let sdk::Event::Sdk { service, op, .. } = ev else {
            return;
        };
        let span = self.p.span(self.module().range(id));
        if service == "lambda" && op == "Invoke" {
            let target = self
                .param(a, id, "FunctionName", 0)
                .map_or(ArgValue::Unknown, |e| self.value(a, e, 0));
            let sync = match self.param(a, id, "InvocationType", usize::MAX) {
                None if self.params_visible(a, id) => Some(true),
                None => None,
                Some(e) => match self.module().expr(e) {
                    Expr::Str(s) => Some(s == "RequestResponse"),
                    _ => None,
                },
            };
            out.uses.push(ResourceWrite {
                service: service.clone(),
                operation: op.clone(),
                target: target.clone(),
                key: None,
                file: Arc::clone(&self.p.file),
                span,
            });
            out.invokes.push(InvokeCall {
                target,
                sync,
                file: Arc::clone(&self.p.file),
                span,
            });
            return;
        }
        if service == "dynamodb" && matches!(op.as_str(), "BatchWriteItem" | "TransactWriteItems") {
            let targets = if op == "BatchWriteItem" {
                self.batch_targets(a, id)
            } else {
                self.transact_targets(a, id)
            };
            for target in targets {
                out.writes.push(ResourceWrite {
                    service: service.clone(),
                    operation: op.clone(),
                    target,
                    key: None,
                    file: Arc::clone(&self.p.file),
                    span,
                });
            }
            return;
        }
        if service == "s3"
            && let Some((target, key)) = self.s3_resource_write(a, id)
        {
            out.writes.push(ResourceWrite {
                service,
                operation: op,
                target,
                key,
                file: Arc::clone(&self.p.file),
                span,
            });
            return;
        }
        let write = write_param(&service, &op);
        let Some((param, positional)) = write.or_else(|| use_param(&service, &op)) else {
            return;
        };
        let mut target = self
            .param(a, id, param, positional)
            .map_or(ArgValue::Unknown, |e| self.value(a, e, 0));
        if target == ArgValue::Unknown
            && let Some(e) = self.constructor_arg(a, id)
        {
            target = self.value(a, e, 0);
        }
        out.uses.push(ResourceWrite {
            service: service.clone(),
            operation: op.clone(),
            target: target.clone(),
            key: None,
            file: Arc::clone(&self.p.file),
            span,
        });
        if write.is_none() {
            return;
        }
        let key = (service == "s3")
            .then(|| {
                let k = match op.as_str() {
                    "UploadFile" | "UploadFileobj" => self.param(a, id, "Key", 2),
                    _ => self.param(a, id, "Key", usize::MAX),
                };
                k.map(|e| self.key_shape(e, 0))
            })
            .flatten();
        out.writes.push(ResourceWrite {
            service,
            operation: op,
            target,
            key,
            file: Arc::clone(&self.p.file),
            span,
        });
    }

    /// The argument `name` of the SDK call `call`: a Python keyword (or positional argument
    /// `positional`), or a property of the JavaScript parameter object (v2 `client.op(params)`,
    /// v3 `client.send(new XCommand(params))`).
    fn param(
        &self,
        a: &mut Analysis<'_>,
        call: ExprId,
        name: &str,
        positional: usize,
    ) -> Option<ExprId> {
        let module = self.module();
        let Expr::Call { args, .. } = module.expr(call) else {
            return None;
        };
        if self.python() {
            return args
                .iter()
                .find(|x| x.name.as_deref() == Some(name))
                .or_else(|| args.iter().filter(|x| x.name.is_none()).nth(positional))
                .map(|x| x.value);
        }
        let mut obj = args.first()?.value;
        for _ in 0..4 {
            match module.expr(obj) {
                Expr::Object(entries) => {
                    let find = |want: &str| {
                        entries.iter().find_map(|(k, v)| match k {
                            Some(Key::Name(n)) if n == want => Some(*v),
                            _ => None,
                        })
                    };
                    // `new Upload({ client, params: { Bucket, Key } })` (lib-storage).
                    match (find(name), find("params")) {
                        (Some(v), _) => return Some(v),
                        (None, Some(p)) => obj = p,
                        (None, None) => return None,
                    }
                }
                Expr::Call {
                    args, new: true, ..
                } => obj = args.first()?.value,
                Expr::Await(x) => obj = *x,
                Expr::Name(n) => {
                    let n = n.clone();
                    let [(_, v, key)] = a.assignments(self.m, self.f, &n, 1)?.try_into().ok()?;
                    if key.is_some() {
                        return None;
                    }
                    obj = v;
                }
                _ => return None,
            }
        }
        None
    }

    /// Are all the arguments of the SDK call `call` visible (no `**kwargs`, a parameter object
    /// literal without spreads)? Only then does a missing argument mean it is not given.
    fn params_visible(&self, a: &mut Analysis<'_>, call: ExprId) -> bool {
        let module = self.module();
        let Expr::Call { args, .. } = module.expr(call) else {
            return false;
        };
        if self.python() {
            return args.iter().all(|x| {
                x.name.as_deref() != Some("**") && !matches!(module.expr(x.value), Expr::Spread(_))
            });
        }
        let Some(mut obj) = args.first().map(|x| x.value) else {
            return false;
        };
        for _ in 0..4 {
            match module.expr(obj) {
                Expr::Object(entries) => return entries.iter().all(|(k, _)| k.is_some()),
                Expr::Call {
                    args, new: true, ..
                } => match args.first() {
                    Some(x) => obj = x.value,
                    None => return false,
                },
                Expr::Await(x) => obj = *x,
                Expr::Name(n) => {
                    let n = n.clone();
                    let sites = a.assignments(self.m, self.f, &n, 1);
                    let Some([(_, v, None)]) = sites.as_deref() else {
                        return false;
                    };
                    obj = *v;
                }
                _ => return false,
            }
        }
        false
    }

    /// The name given to the boto3 resource the call is made on (`dynamodb.Table(name)`,
    /// `s3.Bucket(name)`, `sqs.Queue(url)`, `sns.Topic(arn)`).
    fn constructor_arg(&self, a: &mut Analysis<'_>, call: ExprId) -> Option<ExprId> {
        if !self.python() {
            return None;
        }
        let module = self.module();
        let Expr::Call { callee, .. } = module.expr(call) else {
            return None;
        };
        let Expr::Member { obj, .. } = module.expr(*callee) else {
            return None;
        };
        let mut recv = *obj;
        for _ in 0..4 {
            match module.expr(recv) {
                Expr::Call { callee, args, .. } => {
                    let Expr::Member { name, .. } = module.expr(*callee) else {
                        return None;
                    };
                    if !matches!(name.as_str(), "Table" | "Bucket" | "Queue" | "Topic") {
                        return None;
                    }
                    return args
                        .iter()
                        .find(|x| x.name.is_none() || x.name.as_deref() == Some("name"))
                        .map(|x| x.value);
                }
                Expr::Name(n) => {
                    let n = n.clone();
                    let sites = a.assignments(self.m, self.f, &n, 1);
                    let Some([(_, v, None)]) = sites.as_deref() else {
                        return None;
                    };
                    recv = *v;
                }
                _ => return None,
            }
        }
        None
    }

    /// The expression a name holds when it is assigned once (through `await`), up to a call
    /// or a literal.
    fn follow(&self, a: &mut Analysis<'_>, e: ExprId) -> ExprId {
        let mut cur = e;
        for _ in 0..4 {
            match self.module().expr(cur) {
                Expr::Await(x) => cur = *x,
                Expr::Name(n) => {
                    let n = n.clone();
                    let sites = a.assignments(self.m, self.f, &n, 1);
                    let Some([(_, v, None)]) = sites.as_deref() else {
                        return cur;
                    };
                    cur = *v;
                }
                _ => return cur,
            }
        }
        cur
    }

    /// The tables of a DynamoDB batch write: the `Table` a boto3 `batch_writer()` is made on,
    /// or the keys of `RequestItems` (`{TABLE: [..]}`, `{ [TABLE]: [..] }`).
    fn batch_targets(&self, a: &mut Analysis<'_>, call: ExprId) -> Vec<ArgValue> {
        let module = self.module();
        let writer = matches!(module.expr(call), Expr::Call { callee, .. }
            if matches!(module.expr(*callee), Expr::Member { name, .. } if name == "batch_writer"));
        if writer {
            return vec![
                self.constructor_arg(a, call)
                    .map_or(ArgValue::Unknown, |e| self.value(a, e, 0)),
            ];
        }
        let Some(items) = self.param(a, call, "RequestItems", usize::MAX) else {
            return vec![ArgValue::Unknown];
        };
        let items = self.follow(a, items);
        let Expr::Object(entries) = self.module().expr(items) else {
            return vec![ArgValue::Unknown];
        };
        let mut out: Vec<ArgValue> = Vec::new();
        for (k, _) in entries.clone() {
            let t = match k {
                Some(Key::Name(n)) => ArgValue::Literal(n),
                Some(Key::Computed(e)) => self.value(a, e, 0),
                None => ArgValue::Unknown,
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            out.push(ArgValue::Unknown);
        }
        out
    }

    /// The tables a DynamoDB transaction writes: the `TableName` of each `Put`, `Update` and
    /// `Delete` item of `TransactItems` (a `ConditionCheck` writes nothing).
    fn transact_targets(&self, a: &mut Analysis<'_>, call: ExprId) -> Vec<ArgValue> {
        let Some(items) = self.param(a, call, "TransactItems", usize::MAX) else {
            return vec![ArgValue::Unknown];
        };
        let items = self.follow(a, items);
        let Expr::Array(list) = self.module().expr(items).clone() else {
            return vec![ArgValue::Unknown];
        };
        let mut out: Vec<ArgValue> = Vec::new();
        let mut push = |t: ArgValue| {
            if !out.contains(&t) {
                out.push(t);
            }
        };
        for item in list {
            let item = self.follow(a, item);
            let Expr::Object(entries) = self.module().expr(item).clone() else {
                push(ArgValue::Unknown);
                continue;
            };
            for (k, v) in entries {
                match k {
                    Some(Key::Name(n)) if matches!(n.as_str(), "Put" | "Update" | "Delete") => {}
                    Some(Key::Name(_)) => continue,
                    _ => {
                        push(ArgValue::Unknown);
                        continue;
                    }
                }
                let v = self.follow(a, v);
                let table = match self.module().expr(v).clone() {
                    Expr::Object(fields) => fields.iter().find_map(|(k, x)| match k {
                        Some(Key::Name(n)) if n == "TableName" => Some(*x),
                        _ => None,
                    }),
                    _ => None,
                };
                push(table.map_or(ArgValue::Unknown, |e| self.value(a, e, 0)));
            }
        }
        if out.is_empty() {
            out.push(ArgValue::Unknown);
        }
        out
    }

    /// A boto3 resource write to S3 (bucket, key): `s3.Object(b, k).put()`, `upload_file`,
    /// `upload_fileobj` and `copy_from` on an `Object` (also `bucket.Object(k)`), and
    /// `put_object` / `upload_file(Filename, Key)` / `upload_fileobj` on a `Bucket`.
    fn s3_resource_write(
        &self,
        a: &mut Analysis<'_>,
        call: ExprId,
    ) -> Option<(ArgValue, Option<KeyShape>)> {
        if !self.python() {
            return None;
        }
        let module = self.module();
        let Expr::Call { callee, args, .. } = module.expr(call) else {
            return None;
        };
        let Expr::Member { obj, name } = module.expr(*callee) else {
            return None;
        };
        let recv = self.follow(a, *obj);
        let Expr::Call {
            callee: rc,
            args: rargs,
            ..
        } = module.expr(recv)
        else {
            return None;
        };
        let Expr::Member {
            obj: ro,
            name: rname,
        } = module.expr(*rc)
        else {
            return None;
        };
        let arg = |args: &[Arg], kw: &str, pos: usize| {
            args.iter()
                .find(|x| x.name.as_deref() == Some(kw))
                .or_else(|| args.iter().filter(|x| x.name.is_none()).nth(pos))
                .map(|x| x.value)
        };
        let (bucket, key) = match rname.as_str() {
            "Object" | "ObjectSummary" => {
                if !matches!(
                    name.as_str(),
                    "put" | "upload_file" | "upload_fileobj" | "copy_from"
                ) {
                    return None;
                }
                match a.eval(self.m, self.f, *ro) {
                    Val::Sdk(Sdk::Client {
                        kind: Kind::Bucket, ..
                    }) => {
                        let owner = self.follow(a, *ro);
                        let bucket = match module.expr(owner) {
                            Expr::Call { callee, args, .. } if matches!(module.expr(*callee), Expr::Member { name, .. } if name == "Bucket") => {
                                arg(args, "name", 0)
                            }
                            _ => None,
                        };
                        (bucket, arg(rargs, "key", 0))
                    }
                    Val::Sdk(Sdk::Client {
                        kind: Kind::Resource,
                        ..
                    }) => (arg(rargs, "bucket_name", 0), arg(rargs, "key", 1)),
                    _ => return None,
                }
            }
            "Bucket" => {
                let key = match name.as_str() {
                    "put_object" => arg(args, "Key", usize::MAX),
                    "upload_file" | "upload_fileobj" => arg(args, "Key", 1),
                    _ => return None,
                };
                (arg(rargs, "name", 0), key)
            }
            _ => return None,
        };
        let target = bucket.map_or(ArgValue::Unknown, |e| self.value(a, e, 0));
        Some((target, key.map(|e| self.key_shape(e, 0))))
    }

    /// What an argument holds: a literal, an environment variable, or unknown. At most
    /// [`VALUE_BUDGET`] steps per argument (a name assigned from itself in many places would
    /// otherwise be explored in exponential time); unknown when they run out.
    fn value(&self, a: &mut Analysis<'_>, e: ExprId, depth: u32) -> ArgValue {
        let mut budget = VALUE_BUDGET;
        let v = self.value_within(a, e, depth, &mut budget);
        if budget == 0 { ArgValue::Unknown } else { v }
    }

    fn value_within(
        &self,
        a: &mut Analysis<'_>,
        e: ExprId,
        depth: u32,
        budget: &mut u32,
    ) -> ArgValue {
        if depth > 6 || *budget == 0 {
            return ArgValue::Unknown;
        }
        *budget -= 1;
        if let Some((name, _)) = self.env_read(a, e) {
            return ArgValue::Env(name);
        }
        let module = self.module();
        match module.expr(e) {
            Expr::Str(s) => ArgValue::Literal(s.clone()),
            Expr::Await(x) => self.value_within(a, *x, depth + 1, budget),
            Expr::Binary {
                op: BinOp::Or | BinOp::Nullish,
                left,
                ..
            } => self.value_within(a, *left, depth + 1, budget),
            Expr::Name(n) => {
                let n = n.clone();
                // Every site costs a step: a name assigned in hundreds of places is not one
                // resource's name, and looking at each would be quadratic.
                let Some(sites) = a.assignments(self.m, self.f, &n, *budget as usize) else {
                    *budget = 0;
                    return ArgValue::Unknown;
                };
                *budget = budget.saturating_sub(u32::try_from(sites.len()).unwrap_or(u32::MAX));
                if *budget == 0 {
                    return ArgValue::Unknown;
                }
                let mut out = ArgValue::Unknown;
                for (_, v, key) in sites {
                    let x = match key {
                        Some(k) if self.env_object(v) => ArgValue::Env(k),
                        Some(_) => ArgValue::Unknown,
                        None => self.value_within(a, v, depth + 1, budget),
                    };
                    if *budget == 0 {
                        return ArgValue::Unknown;
                    }
                    if out == ArgValue::Unknown {
                        out = x;
                    } else if x != out {
                        return ArgValue::Unknown;
                    }
                }
                out
            }
            _ => ArgValue::Unknown,
        }
    }

    /// The literal prefix and suffix of an object key expression.
    fn key_shape(&self, e: ExprId, depth: u32) -> KeyShape {
        let module = self.module();
        if depth > 6 {
            return KeyShape::default();
        }
        match module.expr(e) {
            Expr::Str(s) => KeyShape {
                prefix: s.clone(),
                suffix: s.clone(),
            },
            Expr::Format(_) => {
                let r = module.range(e);
                let text = self
                    .p
                    .code()
                    .get(r.start as usize..r.end as usize)
                    .unwrap_or("");
                format_shape(text, self.python())
            }
            Expr::Binary {
                op: BinOp::Add,
                left,
                right,
            } => {
                let l = self.key_shape(*left, depth + 1);
                let r = self.key_shape(*right, depth + 1);
                let exact_l = matches!(module.expr(*left), Expr::Str(_));
                let exact_r = matches!(module.expr(*right), Expr::Str(_));
                KeyShape {
                    prefix: if exact_l {
                        format!("{}{}", l.prefix, r.prefix)
                    } else {
                        l.prefix
                    },
                    suffix: if exact_r {
                        format!("{}{}", l.suffix, r.suffix)
                    } else {
                        r.suffix
                    },
                }
            }
            _ => KeyShape::default(),
        }
    }
}

/// Reading this tells a failed invocation from a successful one.
fn is_error_field(name: &str) -> bool {
    matches!(name, "FunctionError" | "errorMessage" | "errorType")
}

/// The parameter naming the resource an SDK write goes to, and its position in boto3's
/// positional helpers (`upload_file(Filename, Bucket, Key)`).
fn write_param(service: &str, op: &str) -> Option<(&'static str, usize)> {
    Some(match (service, op) {
        ("s3", "UploadFile" | "UploadFileobj") => ("Bucket", 1),
        ("s3", "PutObject" | "CopyObject" | "CompleteMultipartUpload" | "Upload") => {
            ("Bucket", usize::MAX)
        }
        ("sqs", "SendMessage" | "SendMessageBatch") => ("QueueUrl", usize::MAX),
        ("sns", "Publish" | "PublishBatch") => ("TopicArn", usize::MAX),
        ("dynamodb", "PutItem" | "UpdateItem" | "DeleteItem") => ("TableName", usize::MAX),
        ("kinesis", "PutRecord" | "PutRecords") => ("StreamName", usize::MAX),
        _ => return None,
    })
}

/// Steps [`Walk::value`] may take for one argument.
const VALUE_BUDGET: u32 = 64;

/// The parameter naming the one resource an SDK call that is not a write acts on (reads,
/// deletes, receives), and its position in boto3's positional helpers
/// (`download_file(Bucket, Key, Filename)`).
fn use_param(service: &str, op: &str) -> Option<(&'static str, usize)> {
    Some(match (service, op) {
        ("s3", "DownloadFile") => ("Bucket", 0),
        (
            "s3",
            "GetObject" | "HeadObject" | "DeleteObject" | "ListObjects" | "ListObjectsV2"
            | "GetObjectTagging" | "PutObjectTagging" | "DownloadFileobj",
        ) => ("Bucket", usize::MAX),
        (
            "sqs",
            "ReceiveMessage"
            | "DeleteMessage"
            | "DeleteMessageBatch"
            | "ChangeMessageVisibility"
            | "GetQueueAttributes",
        ) => ("QueueUrl", usize::MAX),
        ("dynamodb", "GetItem" | "Query" | "Scan" | "DescribeTable") => ("TableName", usize::MAX),
        ("kinesis", "DescribeStream" | "DescribeStreamSummary") => ("StreamName", usize::MAX),
        ("firehose", "PutRecord" | "PutRecordBatch") => ("DeliveryStreamName", usize::MAX),
        ("states", "StartExecution" | "StartSyncExecution") => ("stateMachineArn", usize::MAX),
        ("secretsmanager", "GetSecretValue" | "DescribeSecret") => ("SecretId", usize::MAX),
        _ => return None,
    })
}

/// The literal prefix and suffix of an f-string / template literal's source text.
fn format_shape(text: &str, python: bool) -> KeyShape {
    let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let quote = ["\"\"\"", "'''", "\"", "'", "`"]
        .into_iter()
        .find(|q| body.starts_with(q) && body.len() >= 2 * q.len());
    let Some(q) = quote else {
        return KeyShape::default();
    };
    let inner = body.get(q.len()..body.len() - q.len()).unwrap_or_default();
    let open = if python { "{" } else { "${" };
    let prefix = inner.split(open).next().unwrap_or("");
    let suffix = inner.rsplit('}').next().unwrap_or("");
    if !inner.contains(open) {
        return KeyShape {
            prefix: inner.to_string(),
            suffix: inner.to_string(),
        };
    }
    KeyShape {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::format_shape;
    use crate::handler::facts::{ArgValue, WiringFacts};
    use crate::handler::resolve::Lang;

    fn py(code: &str) -> WiringFacts {
        crate::handler::analyze_text(Lang::Python, code, "handler").wiring
    }

    fn js(code: &str) -> WiringFacts {
        crate::handler::analyze_text(Lang::JavaScript, code, "handler").wiring
    }

    fn reads(w: &WiringFacts) -> Vec<(String, bool)> {
        w.env_reads
            .iter()
            .map(|r| (r.name.clone(), r.hard))
            .collect()
    }

    #[test]
    fn python_environment_reads() {
        let w = py(r#"
import os
from os import environ
TABLE = os.environ["TABLE"]
def handler(event, context):
    a = os.environ.get("A", "x")
    b = os.getenv("B")
    c = environ["C"]
    try:
        d = os.environ["D"]
    except KeyError:
        d = None
    if "E" in os.environ:
        e = os.environ["E"]
    if os.getenv("G"):
        g = os.environ["G"]
    os.environ["F"] = "1"
    return os.environ["F"]
def unused(event, context):
    return os.environ["UNUSED"]
if __name__ == "__main__":
    os.environ["LOCAL"]
"#);
        assert_eq!(
            reads(&w),
            [
                ("TABLE".into(), true),
                ("A".into(), false),
                ("B".into(), false),
                ("C".into(), true),
                ("D".into(), false),
                ("E".into(), false),
                ("G".into(), false),
                ("G".into(), false),
                ("F".into(), true),
            ]
        );
        assert_eq!(w.env_set, ["F"]);
        assert!(w.env_dynamic.is_none());
    }

    #[test]
    fn javascript_environment_reads() {
        let w = js(r#"
const { TABLE, MODE = "x" } = process.env;
const { QUEUE } = process.env; // a = b, c = d
const { REGION: region = "eu-west-1", BUCKET: bucket, ...rest } = process.env;
export const handler = async (event) => {
  const a = process.env.A ?? "d";
  const b = process.env.B || "d";
  if (process.env.DEBUG) console.log(event);
  const c = process.env["C"];
  const flag = process.env.FLAG === "1";
  return process.env.D.split(",");
};
"#);
        assert_eq!(
            reads(&w),
            [
                ("TABLE".into(), true),
                ("MODE".into(), false),
                ("QUEUE".into(), true),
                ("REGION".into(), false),
                ("BUCKET".into(), true),
                ("A".into(), false),
                ("B".into(), false),
                ("DEBUG".into(), false),
                ("C".into(), true),
                ("FLAG".into(), false),
                ("D".into(), true),
            ]
        );
    }

    #[test]
    fn dotenv_makes_the_environment_unknown() {
        let w = py(
            "from dotenv import load_dotenv\nimport os\nload_dotenv()\ndef handler(e, c):\n    return os.environ['X']\n",
        );
        assert!(w.env_dynamic.is_some());
    }

    #[test]
    fn batch_responses() {
        let w = py("def handler(event, context):\n    return {'batchItemFailures': []}\n");
        assert_eq!(w.batch.len(), 1);
        assert!(!w.returns_unknown);
        let w = py(
            "from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response\nprocessor = BatchProcessor(event_type=EventType.SQS)\ndef handler(event, context):\n    return process_partial_response(event=event, record_handler=print, processor=processor, context=context)\n",
        );
        assert_eq!(w.batch.len(), 2);
        let w = js(
            "export const handler = async (event) => { for (const r of event.Records) { await work(r); } return { ok: true }; };\nasync function work(r) {}\n",
        );
        assert!(w.batch.is_empty());
        assert!(!w.returns_unknown);
        let w = py("def handler(event, context):\n    return build(event)\n");
        assert!(w.returns_unknown);
    }

    #[test]
    fn invokes_and_function_error() {
        let w = py(r#"
import boto3, os, json
lam = boto3.client("lambda")
def handler(event, context):
    lam.invoke(FunctionName=os.environ["WORKER"], InvocationType="Event", Payload=b"{}")
    r = lam.invoke(FunctionName="worker", Payload=b"{}")
    return json.load(r["Payload"])
"#);
        assert_eq!(w.invokes.len(), 2);
        assert_eq!(w.invokes[0].target, ArgValue::Env("WORKER".into()));
        assert_eq!(w.invokes[0].sync, Some(false));
        assert_eq!(w.invokes[1].target, ArgValue::Literal("worker".into()));
        assert_eq!(w.invokes[1].sync, Some(true));
        assert!(!w.reads_function_error);
        let w = js(r#"
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
const client = new LambdaClient({});
const { WORKER } = process.env;
export const handler = async () => {
  const res = await client.send(new InvokeCommand({ FunctionName: WORKER }));
  if (res.FunctionError) throw new Error("worker failed");
};
"#);
        assert_eq!(w.invokes.len(), 1);
        assert_eq!(w.invokes[0].target, ArgValue::Env("WORKER".into()));
        assert_eq!(w.invokes[0].sync, Some(true));
        assert!(w.reads_function_error);
    }

    #[test]
    fn resource_writes() {
        let w = py(r#"
import boto3, os
s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET"]
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
def handler(event, context):
    name = event["key"]
    s3.put_object(Bucket=BUCKET, Key=f"processed/{name}.json", Body=b"")
    s3.upload_file("/tmp/x", BUCKET, "out/" + name)
    table.put_item(Item={})
"#);
        let v: Vec<_> = w
            .writes
            .iter()
            .map(|x| {
                (
                    x.operation.as_str(),
                    x.target.clone(),
                    x.key.clone().map(|k| (k.prefix, k.suffix)),
                )
            })
            .collect();
        assert_eq!(
            v,
            [
                (
                    "PutObject",
                    ArgValue::Env("BUCKET".into()),
                    Some(("processed/".into(), ".json".into()))
                ),
                (
                    "UploadFile",
                    ArgValue::Env("BUCKET".into()),
                    Some(("out/".into(), "".into()))
                ),
                ("PutItem", ArgValue::Env("TABLE".into()), None),
            ]
        );
        let w = js(r#"
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
const s3 = new S3Client({});
export const handler = async (event) => {
  await new Upload({ client: s3, params: { Bucket: process.env.BUCKET, Key: `out/${event.id}`, Body: "x" } }).done();
};
"#);
        assert_eq!(w.writes.len(), 1);
        assert_eq!(w.writes[0].target, ArgValue::Env("BUCKET".into()));
        assert_eq!(
            w.writes[0].key.as_ref().map(|k| k.prefix.as_str()),
            Some("out/")
        );
        let w = js(r#"
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "x" }));
};
"#);
        assert_eq!(w.writes.len(), 1);
        assert_eq!(w.writes[0].target, ArgValue::Env("QUEUE_URL".into()));
    }

    /// (operation, target, key prefix/suffix) of a write.
    type Write = (String, ArgValue, Option<(String, String)>);

    fn writes(w: &WiringFacts) -> Vec<Write> {
        w.writes
            .iter()
            .map(|x| {
                (
                    x.operation.clone(),
                    x.target.clone(),
                    x.key.clone().map(|k| (k.prefix, k.suffix)),
                )
            })
            .collect()
    }

    #[test]
    fn boto3_resource_batch_and_transaction_writes() {
        let w = py(r#"
import boto3, io, os
s3 = boto3.resource("s3")
bucket = s3.Bucket(os.environ["BUCKET"])
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
ddb = boto3.client("dynamodb")
s3c = boto3.client("s3")
def handler(event, context):
    name = event["key"]
    s3.Object(os.environ["BUCKET"], f"processed/{name}").put(Body=b"")
    obj = s3.Object(bucket_name="literal-bucket", key="out/" + name)
    obj.upload_file("/tmp/x")
    bucket.Object(f"thumbs/{name}.jpg").upload_fileobj(io.BytesIO(b""))
    bucket.upload_file("/tmp/y", f"copies/{name}")
    s3c.upload_fileobj(io.BytesIO(b""), os.environ["OTHER"], "raw/" + name)
    with table.batch_writer() as batch:
        batch.put_item(Item={"id": name})
    ddb.batch_write_item(RequestItems={os.environ["AUDIT"]: [], "literal-table": []})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": os.environ["TABLE"], "Item": {}}},
        {"ConditionCheck": {"TableName": os.environ["LOCKS"], "Key": {}}},
        {"Update": {"TableName": os.environ["AUDIT"], "Key": {}}},
    ])
    s3.Object(os.environ["BUCKET"], name).get()
"#);
        let env = |n: &str| ArgValue::Env(n.into());
        let key = |p: &str, s: &str| Some((p.to_string(), s.to_string()));
        assert_eq!(
            writes(&w),
            [
                ("PutObject".into(), env("BUCKET"), key("processed/", "")),
                (
                    "PutObject".into(),
                    ArgValue::Literal("literal-bucket".into()),
                    key("out/", "")
                ),
                ("PutObject".into(), env("BUCKET"), key("thumbs/", ".jpg")),
                ("PutObject".into(), env("BUCKET"), key("copies/", "")),
                ("UploadFileobj".into(), env("OTHER"), key("raw/", "")),
                ("BatchWriteItem".into(), env("TABLE"), None),
                ("BatchWriteItem".into(), env("AUDIT"), None),
                (
                    "BatchWriteItem".into(),
                    ArgValue::Literal("literal-table".into()),
                    None
                ),
                ("TransactWriteItems".into(), env("TABLE"), None),
                ("TransactWriteItems".into(), env("AUDIT"), None),
            ]
        );
        let w = js(r#"
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event) => {
  await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: process.env.TABLE, Item: {} } }] }));
  await doc.send(new BatchWriteCommand({ RequestItems: { [process.env.AUDIT]: [] } }));
};
"#);
        assert_eq!(
            writes(&w),
            [
                ("TransactWriteItems".into(), env("TABLE"), None),
                ("BatchWriteItem".into(), env("AUDIT"), None),
            ]
        );
    }

    #[test]
    fn format_shapes() {
        let s = format_shape("f\"processed/{name}.json\"", true);
        assert_eq!(
            (s.prefix.as_str(), s.suffix.as_str()),
            ("processed/", ".json")
        );
        let s = format_shape("`out/${id}`", false);
        assert_eq!((s.prefix.as_str(), s.suffix.as_str()), ("out/", ""));
        let s = format_shape("f'{a}/{b}'", true);
        assert_eq!((s.prefix.as_str(), s.suffix.as_str()), ("", ""));
    }
}
