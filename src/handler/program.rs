//! The one analysis over lowered modules, for every language: from a function's entry point,
//! the module graph (local modules and packages, followed through their imports), the call
//! graph, reachability and lifecycle (init, cached, per invocation), the values that flow into
//! calls (SDK clients, commands, HTTP clients, local functions and classes), and the facts that
//! belong to the function (only what its entry point reaches).
//!
//! Everything is bounded: values are evaluated with memoisation and a depth limit, every module
//! is visited once per mode, so the work is linear in the code reached.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::facts::{
    ClientNew, DbConnect, FunctionFacts, HttpCall, LibraryUse, ParamFetch, SdkCall, library_use,
};
use super::ir::*;
use super::modules::{Found, Parsed, Roots, resolve_js, resolve_py};
use super::resolve::{Entry, Lang, Sources};
use super::sdk::{self, Sdk};

/// Index of a module in [`Analysis::mods`]; 0 is the entry module.
pub type ModId = u32;

/// A value an expression may hold, as far as the analysis can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Unknown,
    Const,
    Str(String),
    /// A local module (or Python package).
    Module(ModId),
    /// Something from a module that is not local (`boto3.client`, `@aws-sdk/client-s3`
    /// `S3Client`): the module and the dotted path inside it (`()` marks a call result).
    Ext(String, String),
    Func(ModId, FnId),
    Class(ModId, ClassId),
    Instance(ModId, ClassId),
    /// An object / dict literal written in function `FnId`.
    Object(ModId, FnId, ExprId),
    Sdk(Sdk),
    /// An HTTP client instance (`axios.create(..)`, `requests.Session()`): its library and
    /// whether it was given a timeout.
    Http(String, bool),
}

impl Val {
    fn rank(&self) -> u8 {
        match self {
            Val::Unknown => 0,
            Val::Const => 1,
            Val::Str(_) => 2,
            Val::Object(..) => 3,
            Val::Ext(..) => 4,
            Val::Module(_) | Val::Func(..) | Val::Class(..) | Val::Instance(..) => 5,
            Val::Sdk(_) | Val::Http(..) => 6,
        }
    }

    /// The more informative of two values (the first on a tie).
    fn best(self, other: Val) -> Val {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// When code runs, relative to the invocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Once, when the execution environment starts (module top level, what it calls).
    Init,
    /// Once, then cached (a lazy initialisation, an `lru_cache` function).
    Cached,
    /// On every invocation (reached from the entry point).
    Invocation,
}

/// Where a name is bound in one function.
#[derive(Debug, Clone)]
enum Site {
    /// `name = value` (with the property / index when destructured), written in function
    /// `FnId`.
    Assign(FnId, ExprId, Option<String>),
    Def(FnId),
    Class(ClassId),
    Param,
    Star(ImportId),
}

/// One module of the program: a lowered file or a Python namespace package (a folder).
#[derive(Debug)]
pub struct Mod {
    pub parsed: Option<Arc<Parsed>>,
    pub dir: std::path::PathBuf,
    pub display_dir: String,
}

/// Per-module indexes, built once.
#[derive(Debug, Default)]
struct Index {
    /// (scope function, name) -> where it is bound.
    /// Shared (`Arc`): a name assigned in thousands of places is asked about as often.
    sites: HashMap<(FnId, String), Arc<Vec<Site>>>,
    /// (class, attribute) -> (function, value) assigned through `self.x` / `this.x`.
    attrs: HashMap<(ClassId, String), Vec<(FnId, ExprId)>>,
    /// Module-level name -> functions registered on it (`@app.get(..)`, `app.post(p, fn)`).
    registered: HashMap<String, Vec<FnId>>,
    built: bool,
}

/// Decorator methods that wrap a function (it is still called directly), not register it.
const WRAPPERS: &[&str] = &[
    "capture_lambda_handler",
    "capture_method",
    "inject_lambda_context",
    "log_metrics",
    "log_event",
    "capture",
    "wraps",
    "setter",
    "getter",
    "deleter",
    "instrument",
    "trace",
    "retry",
    "handler",
    "lambda_handler",
    "lambda_handler_decorator",
    "event_source",
    "validator",
    "idempotent",
    "idempotent_function",
    "batch_processor",
    "async_batch_processor",
    "log_request",
    "timer",
];

/// Decorators whose function runs once per distinct arguments (a cache).
fn is_cache_decorator(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.contains("cache") || last.contains("memoiz") || last == "lru" || last == "once"
}

/// The analysis of one function.
pub struct Analysis<'a> {
    sources: &'a Sources<'a>,
    roots: Roots,
    pub mods: Vec<Mod>,
    by_path: HashMap<std::path::PathBuf, ModId>,
    index: Vec<Index>,
    imports: HashMap<(ModId, ImportId), Option<ModId>>,
    import_notes: HashMap<(ModId, ImportId), Found>,
    /// Values computed, by query (each at most once, see [`Analysis::query`]).
    memo: HashMap<Query, Val>,
    classified: HashMap<(ModId, ExprId), (sdk::Event, Val)>,
    /// Queries being computed, with their depth.
    busy: HashMap<Query, u32>,
    /// The shallowest depth a value below was cut at: a cycle back to the query at that depth,
    /// or 0 for the depth limit or the budget (`NOT_CUT` when nothing was cut).
    cut: u32,
    depth: u32,
    /// Work units spent (queries computed), against [`MAX_STEPS`].
    steps: usize,
    /// The work budget was spent: every further query is unknown.
    exhausted: bool,
    /// (module, name) pairs visited by the current namespace lookup, and its nesting.
    ns_seen: HashSet<(ModId, String)>,
    ns_depth: u32,
    ns_root: u32,
    /// Import specifiers resolved, by (module, specifier, level).
    resolved: HashMap<(ModId, String, u32), Found>,
    /// [`Analysis::registered_on`], by (module, name).
    registered_memo: HashMap<(ModId, String), Vec<(ModId, FnId)>>,
    /// The work budget ([`MAX_STEPS`] unless a test sets it).
    pub max_steps: usize,
    /// Why the facts are incomplete (deduplicated, in order).
    pub incomplete: Vec<String>,
    /// Local files that could not be read (input errors).
    pub errors: Vec<String>,
    /// Services libraries call for the function (Powertools parameters, ...).
    pub implicit: Vec<String>,
    /// Reached functions and their lifecycle.
    pub reached: HashMap<(ModId, FnId), Mode>,
}

const MAX_EVAL_DEPTH: u32 = 48;
/// Work units (values computed: expressions, names, module members, class members, returns)
/// one function's analysis may spend; past it the facts are incomplete ("analysis budget
/// exceeded"). Deterministic, unlike a time limit; linear code of a few MB stays well below.
pub const MAX_STEPS: usize = 2_000_000;
const NOT_CUT: u32 = u32::MAX;

/// A value the analysis computes, memoised (see [`Analysis::query`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Query {
    Expr(ModId, ExprId),
    /// A name in the scope (function) that binds it.
    Name(ModId, FnId, String),
    /// A member of a module's namespace.
    Ns(ModId, String),
    /// A member of a class (or of its instances).
    Member(ModId, ClassId, String),
    /// What a local function returns.
    Returns(ModId, FnId),
}

impl Query {
    fn module(&self) -> ModId {
        match self {
            Query::Expr(m, _)
            | Query::Name(m, ..)
            | Query::Ns(m, _)
            | Query::Member(m, ..)
            | Query::Returns(m, _) => *m,
        }
    }
}

impl<'a> Analysis<'a> {
    pub fn new(sources: &'a Sources<'a>, entry: &Entry) -> Analysis<'a> {
        let parsed = Arc::clone(&entry.parsed);
        let mut a = Analysis {
            sources,
            roots: entry.roots.clone(),
            mods: Vec::new(),
            by_path: HashMap::new(),
            index: Vec::new(),
            imports: HashMap::new(),
            import_notes: HashMap::new(),
            memo: HashMap::new(),
            classified: HashMap::new(),
            busy: HashMap::new(),
            cut: NOT_CUT,
            depth: 0,
            steps: 0,
            exhausted: false,
            max_steps: MAX_STEPS,
            registered_memo: HashMap::new(),
            resolved: HashMap::new(),
            ns_seen: HashSet::new(),
            ns_depth: 0,
            ns_root: 0,
            incomplete: Vec::new(),
            errors: Vec::new(),
            implicit: Vec::new(),
            reached: HashMap::new(),
        };
        a.add_mod(Some(parsed));
        a
    }

    fn add_mod(&mut self, parsed: Option<Arc<Parsed>>) -> ModId {
        let id = u32::try_from(self.mods.len()).unwrap_or(u32::MAX);
        let (dir, display_dir) = parsed
            .as_ref()
            .map(|p| (p.dir.clone(), p.display_dir.clone()))
            .unwrap_or_default();
        if let Some(p) = &parsed
            && p.inline.is_none()
        {
            self.by_path
                .insert(crate::source::normalize_path(&p.file.path), id);
        }
        self.mods.push(Mod {
            parsed,
            dir,
            display_dir,
        });
        self.index.push(Index::default());
        id
    }

    pub fn parsed(&self, m: ModId) -> Option<&Arc<Parsed>> {
        self.mods.get(m as usize).and_then(|x| x.parsed.as_ref())
    }

    fn module(&self, m: ModId) -> Option<&Module> {
        self.parsed(m).map(|p| &p.module)
    }

    fn lang(&self, m: ModId) -> Lang {
        self.parsed(m).map_or(Lang::Python, |p| p.lang)
    }

    pub fn note(&mut self, why: String) {
        if !self.incomplete.contains(&why) && self.incomplete.len() < 64 {
            self.incomplete.push(why);
        }
    }

    /// `file:line` of a code range of module `m`.
    pub fn at(&self, m: ModId, r: Range) -> String {
        match self.parsed(m) {
            Some(p) => {
                let span = p.span(r);
                format!("`{}:{}`", p.file.display, p.file.line_col(span.start).line)
            }
            None => "?".into(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Modules and imports

    /// The module an import loads, when it is local (read and lowered once per run).
    pub fn import(&mut self, m: ModId, i: ImportId) -> Option<ModId> {
        if let Some(r) = self.imports.get(&(m, i)) {
            return *r;
        }
        self.imports.insert((m, i), None);
        let imp = self.module(m).and_then(|x| x.import(i)).cloned()?;
        let (dir, display_dir) = match self.mods.get(m as usize) {
            Some(x) => (x.dir.clone(), x.display_dir.clone()),
            None => return None,
        };
        // The same specifier imported again by the module (a file of thousands of functions
        // each importing `json`) is resolved once: each resolution probes the file system.
        let key = (m, imp.spec.clone(), imp.level);
        let found = if imp.dynamic {
            Found::Unresolved("a module imported by a computed name".into())
        } else if let Some(f) = self.resolved.get(&key) {
            f.clone()
        } else {
            let f = if self.lang(m).is_python() {
                resolve_py(
                    self.sources,
                    &self.roots,
                    &imp.spec,
                    imp.level,
                    &dir,
                    &display_dir,
                )
            } else {
                resolve_js(self.sources, &self.roots, &imp.spec, &dir, &display_dir)
            };
            self.resolved.insert(key, f.clone());
            f
        };
        let out = match &found {
            Found::File(path, display, lang) => {
                let key = crate::source::normalize_path(path);
                if let Some(id) = self.by_path.get(&key) {
                    Some(*id)
                } else {
                    let dd = std::path::Path::new(display)
                        .parent()
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    match self
                        .sources
                        .modules
                        .load(self.sources, path, display, &dd, *lang)
                    {
                        Ok(p) => Some(self.add_mod(Some(p))),
                        Err(e) => {
                            let why = format!("local module `{display}` not analysed: {e}");
                            if matches!(e, crate::fsx::ReadError::Io { .. }) {
                                self.errors
                                    .push(format!("cannot read local module `{display}`: {e}"));
                            }
                            self.import_notes.insert((m, i), Found::Unresolved(why));
                            None
                        }
                    }
                }
            }
            Found::Folder(path, display) => {
                let key = crate::source::normalize_path(path);
                match self.by_path.get(&key) {
                    Some(id) => Some(*id),
                    None => {
                        let id = self.add_mod(None);
                        if let Some(x) = self.mods.get_mut(id as usize) {
                            x.dir = path.clone();
                            x.display_dir = display.clone();
                        }
                        self.by_path.insert(key, id);
                        Some(id)
                    }
                }
            }
            Found::External | Found::Unresolved(_) => None,
        };
        self.import_notes.entry((m, i)).or_insert(found);
        self.imports.insert((m, i), out);
        out
    }

    /// Record what reaching an import means: an unresolved local module or a dynamic import
    /// makes the facts incomplete; a library that calls AWS adds its services.
    fn reach_import(&mut self, m: ModId, i: ImportId) -> Option<ModId> {
        let out = self.import(m, i);
        let imp = self.module(m).and_then(|x| x.import(i)).cloned();
        match self.import_notes.get(&(m, i)).cloned() {
            Some(Found::Unresolved(why)) => {
                let at = imp.map(|x| self.at(m, x.range)).unwrap_or_default();
                self.note(format!("{why} (imported at {at})"));
            }
            Some(Found::External) => {
                if let Some(imp) = imp {
                    let name = if self.lang(m).is_python() {
                        imp.spec.clone()
                    } else {
                        imp.spec.trim_start_matches("node:").to_string()
                    };
                    let mut uses: Vec<LibraryUse> = library_use(&name).into_iter().collect();
                    if self.lang(m).is_python() {
                        for n in &imp.names {
                            uses.extend(library_use(&format!("{name}.{n}")));
                        }
                    }
                    for u in uses {
                        match u {
                            LibraryUse::Services(svcs) => {
                                for s in svcs {
                                    if !self.implicit.iter().any(|x| x == s) {
                                        self.implicit.push((*s).to_string());
                                    }
                                }
                            }
                            LibraryUse::Unknown => self.note(format!(
                                "library `{name}` calls AWS services that cannot be told"
                            )),
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }

    fn import_val(&mut self, m: ModId, i: ImportId) -> Val {
        match self.import(m, i) {
            Some(t) => Val::Module(t),
            None => match self.module(m).and_then(|x| x.import(i)) {
                Some(imp)
                    if !imp.dynamic
                        && matches!(
                            self.import_notes.get(&(m, i)),
                            Some(Found::External) | None
                        ) =>
                {
                    let spec = imp.spec.trim_start_matches("node:").to_string();
                    // `import a.b.c` binds `a`: the path is inside `a`.
                    if self.lang(m).is_python() {
                        let mut parts = spec.splitn(2, '.');
                        let top = parts.next().unwrap_or("").to_string();
                        let rest = parts.next().unwrap_or("").to_string();
                        Val::Ext(top, rest)
                    } else {
                        Val::Ext(spec, String::new())
                    }
                }
                _ => Val::Unknown,
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Bindings

    fn build_index(&mut self, m: ModId) {
        if self.index.get(m as usize).is_some_and(|x| x.built) {
            return;
        }
        let Some(module) = self.module(m) else {
            if let Some(x) = self.index.get_mut(m as usize) {
                x.built = true;
            }
            return;
        };
        let mut idx = Index {
            built: true,
            ..Index::default()
        };
        let nfuncs = u32::try_from(module.funcs.len()).unwrap_or(0);
        for fid in 0..nfuncs {
            let Some(func) = module.func(fid) else {
                continue;
            };
            for p in &func.params {
                for n in &p.names {
                    Arc::make_mut(idx.sites.entry((fid, n.clone())).or_default()).push(Site::Param);
                }
            }
            for s in &func.body {
                match &s.kind {
                    StmtKind::Assign { target, value, .. } => match target {
                        Target::Name(n) => {
                            let scope = scope_of(module, fid, n);
                            Arc::make_mut(idx.sites.entry((scope, n.clone())).or_default())
                                .push(Site::Assign(fid, *value, None));
                        }
                        Target::Pattern(pairs, _) => {
                            for (k, n) in pairs {
                                let scope = scope_of(module, fid, n);
                                Arc::make_mut(idx.sites.entry((scope, n.clone())).or_default())
                                    .push(Site::Assign(fid, *value, Some(k.clone())));
                            }
                        }
                        Target::Member(e) => {
                            if let Expr::Member { obj, name } = module.expr(*e)
                                && matches!(module.expr(*obj), Expr::This)
                                && let Some(c) = class_of(module, fid)
                            {
                                idx.attrs
                                    .entry((c, name.clone()))
                                    .or_default()
                                    .push((fid, *value));
                            }
                        }
                        Target::Other => {}
                    },
                    StmtKind::Def(d) => {
                        if let Some(df) = module.func(*d)
                            && !df.name.is_empty()
                            && df.class.is_none()
                        {
                            Arc::make_mut(idx.sites.entry((fid, df.name.clone())).or_default())
                                .push(Site::Def(*d));
                        }
                    }
                    StmtKind::Class(c) => {
                        if let Some(cl) = module.class(*c)
                            && !cl.name.is_empty()
                        {
                            Arc::make_mut(idx.sites.entry((fid, cl.name.clone())).or_default())
                                .push(Site::Class(*c));
                        }
                    }
                    StmtKind::StarImport(i) => {
                        Arc::make_mut(idx.sites.entry((fid, "*".into())).or_default())
                            .push(Site::Star(*i));
                    }
                    StmtKind::Eval(e) if fid == TOP => {
                        // `app.get("/x", fn)`: a route registered on a module-level object.
                        if let Expr::Call { callee, args, .. } = module.expr(*e)
                            && let Expr::Member { obj, name } = module.expr(*callee)
                            && let Expr::Name(root) = module.expr(*obj)
                            && !WRAPPERS.contains(&name.as_str())
                        {
                            for a in args {
                                if let Expr::Func(f) = module.expr(a.value) {
                                    idx.registered.entry(root.clone()).or_default().push(*f);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            // `@app.route(..)` / `@router.get`: registered on `app` / `router`.
            for d in &func.decorators {
                let target = match module.expr(*d) {
                    Expr::Call { callee, .. } => *callee,
                    _ => *d,
                };
                if let Expr::Member { obj, name } = module.expr(target)
                    && !WRAPPERS.contains(&name.as_str())
                    && !is_cache_decorator(name)
                    && let Some(root) = Expr::dotted(module, *obj)
                {
                    let root = root.split('.').next().unwrap_or("").to_string();
                    idx.registered.entry(root).or_default().push(fid);
                }
            }
        }
        if let Some(x) = self.index.get_mut(m as usize) {
            *x = idx;
        }
    }

    fn sites(&mut self, m: ModId, scope: FnId, name: &str) -> Arc<Vec<Site>> {
        self.build_index(m);
        self.index
            .get(m as usize)
            .and_then(|x| x.sites.get(&(scope, name.to_string())))
            .cloned()
            .unwrap_or_default()
    }

    /// The function whose scope binds `name` as seen from function `f` (TOP when unbound).
    fn lookup(&mut self, m: ModId, f: FnId, name: &str) -> FnId {
        let Some(module) = self.module(m) else {
            return TOP;
        };
        scope_of(module, f, name)
    }

    /// The values assigned to `name` as seen from function `f` of module `m`: (function the
    /// assignment is written in, value, property when destructured); None when there are more
    /// than `limit` (read no further: a name assigned in thousands of places is asked about as
    /// often).
    pub fn assignments(
        &mut self,
        m: ModId,
        f: FnId,
        name: &str,
        limit: usize,
    ) -> Option<Vec<(FnId, ExprId, Option<String>)>> {
        let scope = self.lookup(m, f, name);
        let sites = self.sites(m, scope, name);
        let mut out = Vec::new();
        for s in sites.iter() {
            if let Site::Assign(wf, e, key) = s {
                if out.len() == limit {
                    return None;
                }
                out.push((*wf, *e, key.clone()));
            }
        }
        Some(out)
    }

    /// The value of `name` in function `f` of module `m`.
    pub fn name_val(&mut self, m: ModId, f: FnId, name: &str) -> Val {
        let scope = self.lookup(m, f, name);
        self.query(Query::Name(m, scope, name.to_string()), |a| {
            let sites = a.sites(m, scope, name);
            let mut v = Val::Unknown;
            for s in sites.iter() {
                let sv = match s {
                    Site::Assign(wf, e, key) => {
                        let base = a.eval(m, *wf, *e);
                        match key {
                            None => base,
                            Some(k) => a.member(base, k),
                        }
                    }
                    Site::Def(fid) => Val::Func(m, *fid),
                    Site::Class(c) => Val::Class(m, *c),
                    Site::Param | Site::Star(_) => Val::Unknown,
                };
                v = v.best(sv);
            }
            if sites.is_empty() && scope == TOP {
                v = a.unbound(m, name);
            }
            v
        })
    }

    /// The value of query `q`, computed by `compute` at most once: memoised, unless it was cut
    /// by a cycle back to an enclosing query (whose value is not known yet), by the depth limit
    /// or by the work budget. A cycle answers unknown; the query it led back to is memoised
    /// when it completes, so a value is computed once however many times it is asked for, and
    /// the work is linear in the code reached. Every computation spends one work unit.
    fn query(&mut self, q: Query, compute: impl FnOnce(&mut Self) -> Val) -> Val {
        if let Some(v) = self.memo.get(&q) {
            return v.clone();
        }
        if let Some(&d) = self.busy.get(&q) {
            self.cut = self.cut.min(d);
            return Val::Unknown;
        }
        if self.depth > MAX_EVAL_DEPTH || !self.spend(q.module()) {
            self.cut = 0;
            return Val::Unknown;
        }
        let outer = std::mem::replace(&mut self.cut, NOT_CUT);
        self.depth += 1;
        let d = self.depth;
        self.busy.insert(q.clone(), d);
        let v = compute(self);
        self.busy.remove(&q);
        self.depth -= 1;
        if self.cut >= d {
            // Complete, or cut only by cycles back to this query or below it.
            self.memo.insert(q, v.clone());
            self.cut = outer;
        } else {
            self.cut = self.cut.min(outer);
        }
        v
    }

    /// Spend one work unit; false (the facts marked incomplete, once) when the budget is spent.
    fn spend(&mut self, m: ModId) -> bool {
        if self.exhausted {
            return false;
        }
        self.steps += 1;
        if self.steps <= self.max_steps {
            return true;
        }
        self.exhausted = true;
        let file = self
            .parsed(m)
            .map_or_else(String::new, |p| p.file.display.clone());
        self.note(format!(
            "analysis budget exceeded in `{file}` (more than {} values computed); the rest was not analysed",
            self.max_steps
        ));
        false
    }

    /// Work units spent so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// A name bound nowhere in the module: a star import, or a global / builtin.
    fn unbound(&mut self, m: ModId, name: &str) -> Val {
        for s in self.sites(m, TOP, "*").iter().cloned() {
            if let Site::Star(i) = s
                && let Some(t) = self.import(m, i)
            {
                let v = self.ns(t, name);
                if v != Val::Unknown {
                    return v;
                }
            }
        }
        let global = if self.lang(m).is_python() {
            "builtins"
        } else {
            "global"
        };
        Val::Ext(global.into(), name.into())
    }

    /// A member of a module's namespace.
    fn ns(&mut self, m: ModId, name: &str) -> Val {
        let q = Query::Ns(m, name.to_string());
        if let Some(v) = self.memo.get(&q) {
            return v.clone();
        }
        // One lookup through star imports / re-exports visits each (module, name) once: in a
        // ring of modules re-exporting each other nothing inside the cycle is memoised, and
        // each module re-exporting two others would make the search exponential.
        if self.ns_depth == 0 {
            self.ns_seen.clear();
            // The depth the lookup's first query gets: it is complete (memoised) when done.
            self.ns_root = self.depth + 1;
        }
        if !self.ns_seen.insert((m, name.to_string())) {
            self.cut = self.cut.min(self.ns_root);
            return Val::Unknown;
        }
        self.ns_depth += 1;
        let v = self.query(q, |a| a.ns_inner(m, name));
        self.ns_depth -= 1;
        v
    }

    fn ns_inner(&mut self, m: ModId, name: &str) -> Val {
        let python = self.lang(m).is_python();
        let Some(module) = self.module(m) else {
            // A namespace package: its submodule.
            return self.submodule(m, name);
        };
        if !python {
            let export = module
                .exports
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, e)| *e);
            if let Some(e) = export {
                return self.eval(m, TOP, e);
            }
            let cjs = module.cjs_exports;
            let stars = module.star_exports.clone();
            if let Some(c) = cjs {
                let v = self.eval(m, TOP, c);
                if name == "default" {
                    return v;
                }
                let mv = self.member(v, name);
                if mv != Val::Unknown {
                    return mv;
                }
            }
            for i in stars {
                if let Some(t) = self.import(m, i) {
                    let v = self.ns(t, name);
                    if v != Val::Unknown {
                        return v;
                    }
                }
            }
            // A module without exports read as a namespace (`import x from './cjs'`).
            if name == "default" {
                return Val::Module(m);
            }
            return Val::Unknown;
        }
        let has = !self.sites(m, TOP, name).is_empty();
        if has {
            return self.name_val(m, TOP, name);
        }
        for s in self.sites(m, TOP, "*").iter().cloned() {
            if let Site::Star(i) = s
                && let Some(t) = self.import(m, i)
            {
                let v = self.ns(t, name);
                if v != Val::Unknown {
                    return v;
                }
            }
        }
        if self.parsed(m).is_some_and(|p| p.package) {
            return self.submodule(m, name);
        }
        Val::Unknown
    }

    /// `pkg.name`: the submodule `name` of a Python package.
    fn submodule(&mut self, m: ModId, name: &str) -> Val {
        let Some(x) = self.mods.get(m as usize) else {
            return Val::Unknown;
        };
        let (dir, display) = (x.dir.clone(), x.display_dir.clone());
        match resolve_py(self.sources, &Roots::default(), name, 1, &dir, &display) {
            Found::File(path, display, lang) => {
                let key = crate::source::normalize_path(&path);
                if let Some(id) = self.by_path.get(&key) {
                    return Val::Module(*id);
                }
                let dd = std::path::Path::new(&display)
                    .parent()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                match self
                    .sources
                    .modules
                    .load(self.sources, &path, &display, &dd, lang)
                {
                    Ok(p) => Val::Module(self.add_mod(Some(p))),
                    Err(e) => {
                        self.note(format!("local module `{display}` not analysed: {e}"));
                        Val::Unknown
                    }
                }
            }
            Found::Folder(path, display) => {
                let key = crate::source::normalize_path(&path);
                if let Some(id) = self.by_path.get(&key) {
                    return Val::Module(*id);
                }
                let id = self.add_mod(None);
                if let Some(x) = self.mods.get_mut(id as usize) {
                    x.dir = path;
                    x.display_dir = display;
                }
                self.by_path.insert(key, id);
                Val::Module(id)
            }
            _ => Val::Unknown,
        }
    }

    /// A member of a value.
    pub fn member(&mut self, v: Val, name: &str) -> Val {
        match v {
            Val::Module(m) => self.ns(m, name),
            Val::Ext(module, path) => {
                if path.is_empty() && name == "default" {
                    Val::Ext(module, path)
                } else if path.is_empty() {
                    Val::Ext(module, name.to_string())
                } else {
                    Val::Ext(module, format!("{path}.{name}"))
                }
            }
            Val::Instance(m, c) | Val::Class(m, c) => self.class_member(m, c, name, 0),
            Val::Object(m, f, e) => self.object_member(m, f, e, name),
            Val::Func(..) if matches!(name, "call" | "apply" | "bind") => v,
            Val::Sdk(s) => sdk::member(&s, name),
            _ => Val::Unknown,
        }
    }

    fn object_member(&mut self, m: ModId, f: FnId, e: ExprId, name: &str) -> Val {
        let Some(Expr::Object(entries)) = self.module(m).map(|x| x.expr(e).clone()) else {
            return Val::Unknown;
        };
        let mut out = Val::Unknown;
        for (k, v) in entries {
            match k {
                Some(Key::Name(n)) if n == name => out = self.eval(m, f, v),
                None => {
                    let base = self.eval(m, f, v);
                    let mv = self.member(base, name);
                    if mv != Val::Unknown {
                        out = mv;
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn class_member(&mut self, m: ModId, c: ClassId, name: &str, depth: u32) -> Val {
        if depth > 8 {
            return Val::Unknown;
        }
        self.query(Query::Member(m, c, name.to_string()), |a| {
            a.class_member_inner(m, c, name, depth)
        })
    }

    fn class_member_inner(&mut self, m: ModId, c: ClassId, name: &str, depth: u32) -> Val {
        let Some(class) = self.module(m).and_then(|x| x.class(c)) else {
            return Val::Unknown;
        };
        let module = self.module(m);
        let method = class
            .methods
            .iter()
            .rev()
            .find(|f| {
                module
                    .and_then(|x| x.func(**f))
                    .is_some_and(|x| x.name == name)
            })
            .copied();
        if let Some(f) = method {
            return Val::Func(m, f);
        }
        let attrs: Vec<ExprId> = class
            .attrs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, e)| *e)
            .collect();
        let bases = class.bases.clone();
        let scope = class.scope;
        let mut v = Val::Unknown;
        for e in attrs {
            let x = self.eval(m, scope, e);
            v = v.best(x);
        }
        self.build_index(m);
        let assigned = self
            .index
            .get(m as usize)
            .and_then(|x| x.attrs.get(&(c, name.to_string())))
            .cloned()
            .unwrap_or_default();
        for (f, e) in assigned {
            let x = self.eval(m, f, e);
            v = v.best(x);
        }
        if v != Val::Unknown {
            return v;
        }
        for b in bases {
            if let Val::Class(bm, bc) = self.eval(m, scope, b) {
                let x = self.class_member(bm, bc, name, depth + 1);
                if x != Val::Unknown {
                    return x;
                }
            }
        }
        Val::Unknown
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    /// The value of expression `e`, written in function `f` of module `m`.
    pub fn eval(&mut self, m: ModId, f: FnId, e: ExprId) -> Val {
        self.query(Query::Expr(m, e), |a| a.eval_inner(m, f, e))
    }

    fn eval_inner(&mut self, m: ModId, f: FnId, e: ExprId) -> Val {
        let Some(p) = self.parsed(m).map(Arc::clone) else {
            return Val::Unknown;
        };
        match p.module.expr(e) {
            Expr::Name(n) => self.name_val(m, f, n),
            Expr::This => match self.module(m).and_then(|x| class_of(x, f)) {
                Some(c) => Val::Instance(m, c),
                None => Val::Unknown,
            },
            Expr::Member { obj, name } => {
                let o = self.eval(m, f, *obj);
                self.member(o, name)
            }
            Expr::Index { obj, key } => match self.eval(m, f, *key) {
                Val::Str(k) => {
                    let o = self.eval(m, f, *obj);
                    self.member(o, &k)
                }
                _ => Val::Unknown,
            },
            Expr::Call { .. } => self.classify(m, f, e).1,
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Num | Expr::Const => Val::Const,
            Expr::Object(_) => Val::Object(m, f, e),
            Expr::Func(id) => Val::Func(m, *id),
            Expr::Class(c) => Val::Class(m, *c),
            Expr::Binary {
                op: BinOp::Or | BinOp::Nullish | BinOp::And,
                left,
                right,
            } => {
                let l = self.eval(m, f, *left);
                let r = self.eval(m, f, *right);
                l.best(r)
            }
            Expr::Cond { then, other, .. } => {
                let a = self.eval(m, f, *then);
                let b = self.eval(m, f, *other);
                a.best(b)
            }
            Expr::Await(x) => self.eval(m, f, *x),
            Expr::Import(i) => self.import_val(m, *i),
            _ => Val::Unknown,
        }
    }

    /// The value a local function returns (its most informative `return`).
    fn returns(&mut self, m: ModId, f: FnId) -> Val {
        self.query(Query::Returns(m, f), |a| a.returns_inner(m, f))
    }

    fn returns_inner(&mut self, m: ModId, f: FnId) -> Val {
        let rets: Vec<ExprId> = self
            .module(m)
            .and_then(|x| x.func(f))
            .map(|func| {
                func.body
                    .iter()
                    .filter_map(|s| match s.kind {
                        StmtKind::Return(Some(e)) => Some(e),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut v = Val::Unknown;
        for r in rets {
            let x = self.eval(m, f, r);
            v = v.best(x);
        }
        v
    }

    /// What call `e` (in function `f` of module `m`) does, and the value it gives.
    pub fn classify(&mut self, m: ModId, f: FnId, e: ExprId) -> (sdk::Event, Val) {
        if let Some(c) = self.classified.get(&(m, e)) {
            return c.clone();
        }
        let r = self.classify_inner(m, f, e);
        self.classified.insert((m, e), r.clone());
        r
    }

    fn classify_inner(&mut self, m: ModId, f: FnId, e: ExprId) -> (sdk::Event, Val) {
        let Some(p) = self.parsed(m).map(Arc::clone) else {
            return (sdk::Event::None, Val::Unknown);
        };
        let Expr::Call { callee, args, new } = p.module.expr(e) else {
            return (sdk::Event::None, Val::Unknown);
        };
        let cx = sdk::CallCx {
            m,
            f,
            args,
            new: *new,
            python: p.lang.is_python(),
        };
        // A method of a value.
        if let Expr::Member { obj, name } = p.module.expr(*callee) {
            let recv = self.eval(m, f, *obj);
            match recv {
                Val::Sdk(s) => return sdk::method(self, &cx, &s, name),
                Val::Http(lib, timeout) => return sdk::http_method(self, &cx, &lib, timeout, name),
                Val::Ext(module, path) => {
                    let p = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    return sdk::external(self, &cx, &module, &p);
                }
                Val::Unknown => return (sdk::Event::None, Val::Unknown),
                other => {
                    let fv = self.member(other, name);
                    return self.call_value(m, f, fv, &cx);
                }
            }
        }
        let cv = self.eval(m, f, *callee);
        self.call_value(m, f, cv, &cx)
    }

    fn call_value(
        &mut self,
        _m: ModId,
        _f: FnId,
        cv: Val,
        cx: &sdk::CallCx<'_>,
    ) -> (sdk::Event, Val) {
        match cv {
            Val::Func(fm, ff) => {
                let v = self.returns(fm, ff);
                (sdk::Event::None, v)
            }
            Val::Class(cm, c) => (sdk::Event::None, Val::Instance(cm, c)),
            Val::Ext(module, path) => sdk::external(self, cx, &module, &path),
            Val::Sdk(s) => sdk::call_sdk(self, cx, &s),
            _ => (sdk::Event::None, Val::Unknown),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Entry points

    /// The functions a handler name designates in the entry module: the function itself, or
    /// the functions a wrapper is given (`middy(main)`, `Mangum(app)`'s registered routes).
    pub fn entries(&mut self, name: &str) -> (Vec<(ModId, FnId)>, Option<Range>) {
        let Some(module) = self.module(0) else {
            return (Vec::new(), None);
        };
        let python = self.lang(0).is_python();
        let mut exprs: Vec<(FnId, ExprId)> = Vec::new();
        if !python {
            if let Some((_, e)) = module.exports.iter().rev().find(|(n, _)| n == name) {
                exprs.push((TOP, *e));
            }
            if exprs.is_empty()
                && let Some(c) = module.cjs_exports
            {
                exprs.extend(self.object_entry(0, TOP, c, name));
            }
        }
        let mut out = Vec::new();
        let mut at = None;
        for (f, e) in exprs {
            at = at.or(self.module(0).map(|x| x.range(e)));
            out.extend(self.unwrap(0, f, e, 0));
        }
        if out.is_empty() {
            // A top-level definition (Python; JavaScript without an export we could read).
            for s in self.sites(0, TOP, name).iter().rev().cloned() {
                match s {
                    Site::Def(fid) => {
                        out.push((0, fid));
                    }
                    Site::Assign(wf, e, None) => {
                        at = at.or(self.module(0).map(|x| x.range(e)));
                        out.extend(self.unwrap(0, wf, e, 0));
                    }
                    _ => {}
                }
                if !out.is_empty() {
                    break;
                }
            }
        }
        if out.is_empty() && !python {
            // Exported through a re-export or a star export.
            if let Val::Func(m2, f2) = self.ns(0, name) {
                out.push((m2, f2));
            }
        }
        out.sort();
        out.dedup();
        (out, at)
    }

    /// `module.exports = { handler: .. }` / `= obj` where `obj` is such a literal: the value
    /// expression of key `name`.
    fn object_entry(&mut self, m: ModId, f: FnId, e: ExprId, name: &str) -> Vec<(FnId, ExprId)> {
        let Some(x) = self.module(m).map(|x| x.expr(e).clone()) else {
            return Vec::new();
        };
        match x {
            Expr::Object(entries) => entries
                .into_iter()
                .filter_map(|(k, v)| match k {
                    Some(Key::Name(n)) if n == name => Some((f, v)),
                    _ => None,
                })
                .collect(),
            Expr::Name(n) => {
                let scope = self.lookup(m, f, &n);
                let mut out = Vec::new();
                for s in self.sites(m, scope, &n).iter().cloned() {
                    if let Site::Assign(wf, v, None) = s {
                        out.extend(self.object_entry(m, wf, v, name));
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The functions behind a handler value.
    fn unwrap(&mut self, m: ModId, f: FnId, e: ExprId, depth: u32) -> Vec<(ModId, FnId)> {
        if depth > 8 {
            return Vec::new();
        }
        let Some(x) = self.module(m).map(|x| x.expr(e).clone()) else {
            return Vec::new();
        };
        match x {
            Expr::Func(id) => {
                // A function that returns the handler (`metricScope(m => async e => ..)`).
                let inner = self.module(m).and_then(|x| x.func(id)).and_then(|func| {
                    match func.body.as_slice() {
                        [
                            Stmt {
                                kind: StmtKind::Return(Some(r)),
                                ..
                            },
                        ] => Some(*r),
                        _ => None,
                    }
                });
                if let Some(r) = inner
                    && matches!(self.module(m).map(|x| x.expr(r)), Some(Expr::Func(_)))
                {
                    return self.unwrap(m, id, r, depth + 1);
                }
                vec![(m, id)]
            }
            Expr::Name(n) => {
                let scope = self.lookup(m, f, &n);
                let mut out = Vec::new();
                for s in self.sites(m, scope, &n).iter().rev().cloned() {
                    match s {
                        Site::Def(fid) => out.push((m, fid)),
                        Site::Assign(wf, v, None) => out.extend(self.unwrap(m, wf, v, depth + 1)),
                        _ => {}
                    }
                    if !out.is_empty() {
                        return out;
                    }
                }
                match self.eval(m, f, e) {
                    Val::Func(a, b) => vec![(a, b)],
                    _ => self.registered_on(m, f, &n),
                }
            }
            Expr::Call { callee, args, .. } => {
                let mut out = Vec::new();
                for a in &args {
                    out.extend(self.unwrap(m, f, a.value, depth + 1));
                }
                if let Some(Expr::Member { obj, .. }) =
                    self.module(m).map(|x| x.expr(callee).clone())
                {
                    out.extend(self.unwrap(m, f, obj, depth + 1));
                }
                if out.is_empty()
                    && let Val::Func(a, b) = self.eval(m, f, e)
                {
                    out.push((a, b));
                }
                out
            }
            Expr::Await(x) => self.unwrap(m, f, x, depth + 1),
            _ => match self.eval(m, f, e) {
                Val::Func(a, b) => vec![(a, b)],
                _ => Vec::new(),
            },
        }
    }

    /// Functions registered on the module-level object `name` (`@app.get(..)`), following
    /// `from x import app` to the module that defines it.
    fn registered_on(&mut self, m: ModId, f: FnId, name: &str) -> Vec<(ModId, FnId)> {
        let scope = self.lookup(m, f, name);
        if scope != TOP {
            return Vec::new();
        }
        // Once per (module, name): it is asked for at every call on the object. The empty
        // entry stops a cycle of modules importing the object from each other.
        let key = (m, name.to_string());
        if let Some(v) = self.registered_memo.get(&key) {
            return v.clone();
        }
        self.registered_memo.insert(key.clone(), Vec::new());
        if !self.spend(m) {
            return Vec::new();
        }
        self.build_index(m);
        let mut out: Vec<(ModId, FnId)> = self
            .index
            .get(m as usize)
            .and_then(|x| x.registered.get(name))
            .map(|v| v.iter().map(|f| (m, *f)).collect())
            .unwrap_or_default();
        for s in self.sites(m, TOP, name).iter().cloned() {
            if let Site::Assign(_, e, None) = s
                && let Some(Expr::Member { obj, name: orig }) =
                    self.module(m).map(|x| x.expr(e).clone())
                && let Some(Expr::Import(i)) = self.module(m).map(|x| x.expr(obj).clone())
                && let Some(t) = self.import(m, i)
                && t != m
            {
                out.extend(self.registered_on(t, TOP, &orig));
            }
        }
        self.registered_memo.insert(key, out.clone());
        out
    }

    // -----------------------------------------------------------------------------------------
    // Reachability and lifecycle

    /// A call whose function is chosen by a computed name among local code
    /// (`getattr(module, name)(..)`, `HANDLERS[action](..)`, `this[method](..)`): why the facts
    /// are incomplete, since the function it runs is not known.
    fn computed_dispatch(&mut self, m: ModId, f: FnId, c: ExprId) -> Option<String> {
        let module = self.module(m)?;
        let Expr::Call { callee, .. } = module.expr(c) else {
            return None;
        };
        let (obj, key) = match module.expr(*callee) {
            Expr::Index { obj, key } => (*obj, *key),
            Expr::Call {
                callee: g, args, ..
            } if matches!(module.expr(*g), Expr::Name(n) if n == "getattr") => {
                match args.as_slice() {
                    [o, k, ..] if o.name.is_none() && k.name.is_none() => (o.value, k.value),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let range = module.range(c);
        if matches!(self.eval(m, f, key), Val::Str(_)) {
            return None;
        }
        let local = match self.eval(m, f, obj) {
            Val::Module(_) | Val::Class(..) | Val::Instance(..) => true,
            // A dict / object of functions is a dispatch table: every entry is followed
            // (`call_targets`).
            _ => false,
        };
        local.then(|| {
            format!(
                "the call at {} runs a local function chosen by a computed name",
                self.at(m, range)
            )
        })
    }

    /// Reach every function the entries call, with its lifecycle.
    pub fn reach(&mut self, entries: &[(ModId, FnId)]) {
        let mut work: Vec<(ModId, FnId)> = Vec::new();
        let push = |a: &mut Self, key: (ModId, FnId), mode: Mode, work: &mut Vec<(ModId, FnId)>| {
            let cur = a.reached.get(&key).copied();
            if cur.is_none_or(|c| c < mode) {
                a.reached.insert(key, mode);
                work.push(key);
            }
        };
        push(self, (0, TOP), Mode::Init, &mut work);
        for e in entries {
            push(self, *e, Mode::Invocation, &mut work);
        }
        let mut steps = 0usize;
        while let Some((m, f)) = work.pop() {
            steps += 1;
            if steps > 200_000 {
                self.note("the call graph is too large to follow completely".into());
                break;
            }
            let mode = self.reached.get(&(m, f)).copied().unwrap_or(Mode::Init);
            for (t, tm) in self.callees(m, f, mode) {
                push(self, t, tm, &mut work);
            }
        }
    }

    /// The functions one function calls (or hands to a call as a callback), and the modules it
    /// imports (their top level), with the lifecycle they run in.
    fn callees(&mut self, m: ModId, f: FnId, mode: Mode) -> Vec<((ModId, FnId), Mode)> {
        let Some(module) = self.module(m) else {
            return Vec::new();
        };
        let Some(func) = module.func(f) else {
            return Vec::new();
        };
        let guards = Guards::of(module, f);
        let mut stmts: Vec<(usize, ExprId, BlockId, Range)> = Vec::new();
        for (i, s) in func.body.iter().enumerate() {
            match &s.kind {
                StmtKind::Assign { value, target, .. } => {
                    stmts.push((i, *value, s.block, s.range));
                    if let Target::Member(t) = target {
                        stmts.push((i, *t, s.block, s.range));
                    }
                }
                StmtKind::Eval(e) | StmtKind::Return(Some(e)) => {
                    stmts.push((i, *e, s.block, s.range))
                }
                StmtKind::Throw { value: Some(e), .. } => stmts.push((i, *e, s.block, s.range)),
                _ => {}
            }
        }
        let stars: Vec<ImportId> = func
            .body
            .iter()
            .filter_map(|s| match s.kind {
                StmtKind::StarImport(i) => Some(i),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for i in stars {
            if let Some(t) = self.reach_import(m, i) {
                out.push(((t, TOP), Mode::Init));
            }
        }
        for (si, root, block, _) in stmts {
            let mut exprs: Vec<ExprId> = Vec::new();
            if let Some(module) = self.module(m) {
                module.visit(root, |id, _| exprs.push(id));
            }
            let site_guarded = self
                .module(m)
                .is_some_and(|module| guards.guarded(module, f, si, block));
            for id in exprs {
                let Some(x) = self.module(m).map(|x| x.expr(id).clone()) else {
                    continue;
                };
                match x {
                    Expr::Import(i) => {
                        if let Some(t) = self.reach_import(m, i) {
                            out.push(((t, TOP), Mode::Init));
                        }
                    }
                    Expr::Call { callee, args, new } => {
                        let call_mode = if site_guarded || mode == Mode::Cached {
                            mode.min(Mode::Cached)
                        } else {
                            mode
                        };
                        for t in self.call_targets(m, f, callee, new) {
                            let tm = if self.cache_decorated(t.0, t.1) {
                                call_mode.min(Mode::Cached)
                            } else {
                                call_mode
                            };
                            out.push((t, tm));
                        }
                        // Callbacks run while the call runs; at the top level they are
                        // registered (routes), not run.
                        let cb_mode = if f == TOP { Mode::Init } else { call_mode };
                        for a in args {
                            match self.module(m).map(|x| x.expr(a.value).clone()) {
                                Some(Expr::Func(fid)) => out.push(((m, fid), cb_mode)),
                                Some(Expr::Name(_) | Expr::Member { .. }) => {
                                    if let Val::Func(a2, b2) = self.eval(m, f, a.value) {
                                        out.push(((a2, b2), cb_mode));
                                    }
                                    if let Some(Expr::Name(n)) =
                                        self.module(m).map(|x| x.expr(a.value).clone())
                                    {
                                        for r in self.registered_on(m, f, &n) {
                                            out.push((r, cb_mode));
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                        // Using a module-level object that has routes registered on it
                        // (`app.resolve(event, context)`).
                        if f != TOP
                            && let Some(root) = self.module(m).and_then(|x| Expr::dotted(x, callee))
                            && let Some(r) = root.split('.').next()
                            && root.contains('.')
                        {
                            let r = r.to_string();
                            for t in self.registered_on(m, f, &r) {
                                out.push((t, call_mode));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The local functions a call runs.
    fn call_targets(&mut self, m: ModId, f: FnId, callee: ExprId, new: bool) -> Vec<(ModId, FnId)> {
        let v = self.eval(m, f, callee);
        match v {
            Val::Func(a, b) => vec![(a, b)],
            Val::Class(cm, c) => {
                let ctor = if self.lang(cm).is_python() {
                    "__init__"
                } else {
                    "constructor"
                };
                match self.class_member(cm, c, ctor, 0) {
                    Val::Func(a, b) => vec![(a, b)],
                    _ => Vec::new(),
                }
            }
            Val::Instance(cm, c) if !new => match self.class_member(cm, c, "__call__", 0) {
                Val::Func(a, b) => vec![(a, b)],
                _ => Vec::new(),
            },
            _ => {
                // A dispatch table: `handlers[route](event)`.
                if let Some(Expr::Index { obj, .. }) =
                    self.module(m).map(|x| x.expr(callee).clone())
                    && let Val::Object(om, of, oe) = self.eval(m, f, obj)
                    && let Some(Expr::Object(entries)) = self.module(om).map(|x| x.expr(oe).clone())
                {
                    let mut out = Vec::new();
                    for (_, v) in entries {
                        if let Val::Func(a, b) = self.eval(om, of, v) {
                            out.push((a, b));
                        }
                    }
                    return out;
                }
                Vec::new()
            }
        }
    }

    fn cache_decorated(&self, m: ModId, f: FnId) -> bool {
        let Some(module) = self.module(m) else {
            return false;
        };
        let Some(func) = module.func(f) else {
            return false;
        };
        func.decorators.iter().any(|d| {
            let target = match module.expr(*d) {
                Expr::Call { callee, .. } => *callee,
                _ => *d,
            };
            Expr::dotted(module, target).is_some_and(|n| is_cache_decorator(&n))
        })
    }

    // -----------------------------------------------------------------------------------------
    // Facts

    /// Collect the facts of every reached function into `out`.
    pub fn collect(&mut self, out: &mut FunctionFacts, event_params: &[(ModId, FnId)]) {
        let mut reached: Vec<((ModId, FnId), Mode)> =
            self.reached.iter().map(|(k, v)| (*k, *v)).collect();
        reached.sort();
        let mut local_methods: HashSet<String> = HashSet::new();
        for (m, _) in reached.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>() {
            if let Some(module) = self.module(m) {
                for c in &module.classes {
                    for f in &c.methods {
                        if let Some(func) = module.func(*f)
                            && !func.name.starts_with("__")
                            && func.name != "constructor"
                        {
                            local_methods.insert(func.name.clone());
                        }
                    }
                }
            }
        }
        let mut seen_mods = BTreeSet::new();
        for ((m, f), mode) in reached {
            if seen_mods.insert(m)
                && let Some(p) = self.parsed(m)
            {
                let p = Arc::clone(p);
                if let Some(r) = p.module.parse_error {
                    let line = p.file.line_col(p.span(r).start).line;
                    self.note(format!("syntax error in `{}` line {line}", p.file.display));
                    if m == 0 && out.parse_error.is_none() {
                        out.parse_error = Some(p.span(r));
                    }
                }
                if let Some(t) = &p.module.truncated {
                    self.note(format!("`{}`: {t}", p.file.display));
                }
                if !out.files.iter().any(|x| Arc::ptr_eq(x, &p.file)) {
                    out.files.push(Arc::clone(&p.file));
                }
            }
            self.collect_fn(m, f, mode, out, event_params, &local_methods);
        }
    }

    fn collect_fn(
        &mut self,
        m: ModId,
        f: FnId,
        mode: Mode,
        out: &mut FunctionFacts,
        entries: &[(ModId, FnId)],
        local_methods: &HashSet<String>,
    ) {
        let Some(p) = self.parsed(m).cloned() else {
            return;
        };
        let module = &p.module;
        let Some(func) = module.func(f) else { return };
        let guards = Guards::of(module, f);
        let seeds = super::dataflow::seeds(module, f, entries.contains(&(m, f)));
        let tainted = super::dataflow::tainted_names(module, f, &seeds);
        // Calls inside `Promise.race([...])` and functions with `.setTimeout(..)` on a request.
        let mut raced: HashSet<ExprId> = HashSet::new();
        let mut sets_timeout = false;
        let mut stmts: Vec<(usize, ExprId, BlockId)> = Vec::new();
        for (i, s) in func.body.iter().enumerate() {
            match &s.kind {
                StmtKind::Assign { value, .. } => stmts.push((i, *value, s.block)),
                StmtKind::Eval(e) | StmtKind::Return(Some(e)) => stmts.push((i, *e, s.block)),
                StmtKind::Throw { value: Some(e), .. } => stmts.push((i, *e, s.block)),
                _ => {}
            }
        }
        for (_, root, _) in &stmts {
            module.visit(*root, |_, x| {
                if let Expr::Call { callee, args, .. } = x
                    && let Expr::Member { name, obj } = module.expr(*callee)
                {
                    let on = |want: &str| matches!(module.expr(*obj), Expr::Name(n) if n == want);
                    if name == "setTimeout" && !on("window") && !on("globalThis") {
                        sets_timeout = true;
                    }
                    if name == "race" && on("Promise") {
                        for a in args {
                            module.visit(a.value, |id, _| {
                                raced.insert(id);
                            });
                        }
                    }
                }
            });
        }
        let mut nested: HashSet<ExprId> = HashSet::new();
        let mut seen: HashSet<ExprId> = HashSet::new();
        for (si, root, block) in stmts {
            let site_guarded = guards.guarded(module, f, si, block);
            let per_invocation = mode == Mode::Invocation && !site_guarded;
            let cached = site_guarded || mode == Mode::Cached;
            let mut calls = Vec::new();
            module.visit(root, |id, x| {
                if matches!(x, Expr::Call { .. }) {
                    calls.push(id);
                }
            });
            for c in calls {
                // An expression shared by two statements (a loop's iterable) is one call.
                if nested.contains(&c) || !seen.insert(c) {
                    continue;
                }
                let (ev, _) = self.classify(m, f, c);
                let range = module.range(c);
                let span = p.span(range);
                match ev {
                    sdk::Event::None => {
                        if let Some(why) = self.computed_dispatch(m, f, c) {
                            self.note(why);
                        }
                        // A method call on something unknown that may be local code.
                        if let Expr::Call { callee, .. } = module.expr(c)
                            && let Expr::Member { obj, name } = module.expr(*callee)
                            && local_methods.contains(name)
                            && !matches!(module.expr(*obj), Expr::This)
                            && self.eval(m, f, *obj) == Val::Unknown
                        {
                            let at = self.at(m, range);
                            self.note(format!(
                                "the call `.{name}(..)` at {at} may run local code that cannot be resolved"
                            ));
                        }
                    }
                    sdk::Event::NewClient { service, own } => {
                        if let Expr::Call { args, .. } = module.expr(c) {
                            for a in args {
                                module.visit(a.value, |id, x| {
                                    if matches!(x, Expr::Call { .. }) {
                                        nested.insert(id);
                                    }
                                });
                            }
                        }
                        let from_event = per_invocation
                            && module
                                .expr(c)
                                .clone()
                                .call_args()
                                .iter()
                                .any(|a| super::dataflow::mentions_any(module, *a, &tainted));
                        if !super::facts::known_service(&service) {
                            let at = self.at(m, range);
                            self.note(format!(
                                "SDK client for `{service}` at {at}: not an IAM service we know"
                            ));
                        }
                        out.clients.push(ClientNew {
                            service,
                            file: Arc::clone(&p.file),
                            span,
                            in_handler: per_invocation,
                            own_credentials: own,
                            cached: cached && mode != Mode::Init,
                            from_event,
                        });
                    }
                    sdk::Event::Sdk {
                        service,
                        op,
                        network,
                        own,
                        actions,
                    } => {
                        if super::sdk::is_param_fetch(&service, &op) {
                            out.params.push(ParamFetch {
                                service: service.clone(),
                                operation: op.clone(),
                                file: Arc::clone(&p.file),
                                span,
                                in_handler: per_invocation,
                                cached: cached || !per_invocation,
                            });
                        }
                        out.calls.push(SdkCall {
                            service,
                            operation: op,
                            file: Arc::clone(&p.file),
                            span,
                            in_handler: per_invocation,
                            own_credentials: own,
                            network,
                            actions,
                            site: (m, c),
                        });
                    }
                    sdk::Event::Http {
                        callee,
                        timeout,
                        url,
                    } => {
                        let local = url.is_some_and(|u| self.local_url(m, f, u, 0));
                        let timeout = timeout
                            || raced.contains(&c)
                            || (sets_timeout && callee.contains("http"));
                        out.http.push(HttpCall {
                            callee,
                            file: Arc::clone(&p.file),
                            span,
                            extent: p.extent(range),
                            has_timeout: timeout,
                            local,
                        });
                    }
                    sdk::Event::Db { driver } => out.db.push(DbConnect {
                        driver,
                        file: Arc::clone(&p.file),
                        span,
                        in_handler: per_invocation,
                    }),
                    sdk::Event::Unattributed(why) => {
                        let at = self.at(m, range);
                        self.note(format!("{why} at {at}"));
                    }
                }
            }
        }
    }

    /// Does a URL expression point at this machine (a Lambda extension on localhost)?
    fn local_url(&mut self, m: ModId, f: FnId, e: ExprId, depth: u32) -> bool {
        if depth > 4 {
            return false;
        }
        let Some(module) = self.module(m) else {
            return false;
        };
        let mut names = Vec::new();
        let mut local = false;
        module.visit(e, |_, x| match x {
            Expr::Str(s) => local |= s.contains("localhost") || s.contains("127.0.0.1"),
            Expr::Name(n) => names.push(n.clone()),
            _ => {}
        });
        if local {
            return true;
        }
        for n in names {
            let scope = self.lookup(m, f, &n);
            for s in self.sites(m, scope, &n).iter().cloned() {
                if let Site::Assign(wf, v, None) = s
                    && self.local_url(m, wf, v, depth + 1)
                {
                    return true;
                }
            }
        }
        false
    }
}

/// The scope that binds `name` as seen from function `f`: the innermost enclosing function
/// declaring it, else the top level.
fn scope_of(module: &Module, f: FnId, name: &str) -> FnId {
    let mut cur = f;
    for _ in 0..256 {
        if cur == TOP {
            return TOP;
        }
        let Some(func) = module.func(cur) else {
            return TOP;
        };
        if func.nonlocal.iter().any(|n| n == name) {
            // `global x` (Python) is the top level; `nonlocal x` an enclosing function.
            cur = func.parent.unwrap_or(TOP);
            continue;
        }
        if func
            .locals
            .binary_search_by(|x| x.as_str().cmp(name))
            .is_ok()
            || func
                .params
                .iter()
                .any(|p| p.names.iter().any(|n| n == name))
        {
            return cur;
        }
        cur = func.parent.unwrap_or(TOP);
    }
    TOP
}

/// The class a function is a method of (arrow functions inside a method see its `this`).
fn class_of(module: &Module, f: FnId) -> Option<ClassId> {
    let mut cur = f;
    for _ in 0..64 {
        let func = module.func(cur)?;
        if func.class.is_some() {
            return func.class;
        }
        cur = func.parent?;
    }
    None
}

/// Lazy-initialisation patterns of one function: module-level (or instance, or closure) state
/// it tests and assigns, so what it computes runs once and is kept.
struct Guards {
    /// Keys (`name`, `this.attr`) of non-local state both tested and assigned here.
    memo: Vec<String>,
    /// Statement ranges of `if` blocks testing that state and returning early.
    early: Vec<Range>,
    /// Blocks whose condition tests that state.
    blocks: HashSet<BlockId>,
}

impl Guards {
    fn of(module: &Module, f: FnId) -> Guards {
        let mut g = Guards {
            memo: Vec::new(),
            early: Vec::new(),
            blocks: HashSet::new(),
        };
        let Some(func) = module.func(f) else { return g };
        if f == TOP {
            return g;
        }
        let nonlocal_key = |t: &Target| -> Option<String> {
            match t {
                Target::Name(n) if scope_of(module, f, n) != f => Some(n.clone()),
                Target::Member(e) => {
                    let base = match module.expr(*e) {
                        Expr::Index { obj, .. } => *obj,
                        _ => *e,
                    };
                    let d = Expr::dotted(module, base)?;
                    let root = d.split('.').next().unwrap_or("");
                    (root == "this" || scope_of(module, f, root) != f).then_some(d)
                }
                _ => None,
            }
        };
        let mut assigned: Vec<String> = Vec::new();
        let mut if_empty: Vec<String> = Vec::new();
        for s in &func.body {
            if let StmtKind::Assign { target, op, .. } = &s.kind
                && let Some(k) = nonlocal_key(target)
            {
                if *op == AssignOp::IfEmpty {
                    if_empty.push(k.clone());
                }
                assigned.push(k);
            }
        }
        if assigned.is_empty() {
            return g;
        }
        // What the function tests: conditions of its blocks, `x or ..` / `x ?? ..` operands.
        let mut tested: HashSet<String> = HashSet::new();
        let mention = |e: ExprId, tested: &mut HashSet<String>| {
            module.visit(e, |id, x| {
                if matches!(x, Expr::Name(_) | Expr::Member { .. } | Expr::This)
                    && let Some(d) = Expr::dotted(module, id)
                {
                    tested.insert(d);
                }
            });
        };
        let mut test_blocks: Vec<(BlockId, Vec<String>)> = Vec::new();
        for (bi, b) in module.blocks.iter().enumerate() {
            if !func.range.contains(b.range) {
                continue;
            }
            if let BlockKind::If { cond: Some(c) } = b.kind {
                let mut t = HashSet::new();
                mention(c, &mut t);
                test_blocks.push((
                    u32::try_from(bi).unwrap_or(u32::MAX),
                    t.iter().cloned().collect(),
                ));
                tested.extend(t);
            }
        }
        for s in &func.body {
            let root = match &s.kind {
                StmtKind::Assign { value, .. } => Some(*value),
                StmtKind::Eval(e) | StmtKind::Return(Some(e)) => Some(*e),
                _ => None,
            };
            if let Some(r) = root {
                module.visit(r, |_, x| {
                    if let Expr::Binary {
                        op: BinOp::Or | BinOp::Nullish,
                        left,
                        ..
                    } = x
                    {
                        module.visit(*left, |id, y| {
                            if matches!(y, Expr::Name(_) | Expr::Member { .. })
                                && let Some(d) = Expr::dotted(module, id)
                            {
                                tested.insert(d);
                            }
                        });
                    }
                });
            }
        }
        g.memo = assigned
            .into_iter()
            .filter(|k| if_empty.contains(k) || tested.contains(k))
            .collect();
        g.memo.sort();
        g.memo.dedup();
        if g.memo.is_empty() {
            return g;
        }
        for (bi, t) in test_blocks {
            if t.iter().any(|x| g.memo.contains(x)) {
                g.blocks.insert(bi);
                // An early return: `if cache: return cache`.
                let has_return = func.body.iter().any(|s| {
                    matches!(s.kind, StmtKind::Return(_))
                        && module.enclosing(s.block).any(|(id, _)| id == bi)
                });
                if has_return && let Some(b) = module.block(bi) {
                    g.early.push(b.range);
                }
            }
        }
        g
    }

    /// Is statement `si` (in block `block`) of `f` a lazy initialisation?
    fn guarded(&self, module: &Module, f: FnId, si: usize, block: BlockId) -> bool {
        if self.memo.is_empty() {
            return false;
        }
        let Some(s) = module.func(f).and_then(|x| x.body.get(si)) else {
            return false;
        };
        if let StmtKind::Assign { target, op, .. } = &s.kind {
            let key = match target {
                Target::Name(n) => Some(n.clone()),
                Target::Member(e) => {
                    let base = match module.expr(*e) {
                        Expr::Index { obj, .. } => *obj,
                        _ => *e,
                    };
                    Expr::dotted(module, base)
                }
                _ => None,
            };
            if key.is_some_and(|k| self.memo.contains(&k)) || *op == AssignOp::IfEmpty {
                return true;
            }
        }
        if module
            .enclosing(block)
            .any(|(id, _)| self.blocks.contains(&id))
        {
            return true;
        }
        self.early.iter().any(|r| s.range.start >= r.end)
    }
}

trait CallArgs {
    fn call_args(&self) -> Vec<ExprId>;
}

impl CallArgs for Expr {
    fn call_args(&self) -> Vec<ExprId> {
        match self {
            Expr::Call { args, .. } => args.iter().map(|a| a.value).collect(),
            _ => Vec::new(),
        }
    }
}
