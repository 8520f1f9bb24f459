//! `lambdalint server`: a Language Server (LSP over stdio, synchronous: lsp-server + lsp-types).
//!
//! One loop owns all state. Diagnostics are computed from the open buffers (an overlay over the
//! file system) on open, save, and change (debounced with `recv_timeout`). A change to a handler
//! file re-checks the templates that deploy it.

pub mod convert;
pub mod framing;
pub mod overlay;
pub mod workspace;

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Diagnostic as LspDiagnostic, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    MarkupContent, MarkupKind, NumberOrString, Position, PublishDiagnosticsParams, Range,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};

use crate::check::check_source_full;
use crate::rule::{Rule, RuleSelection, meta};
use crate::source::SourceFile;
use overlay::{Overlay, path_to_uri, uri_to_path};
use workspace::HandlerMap;

/// The code action kind of "fix all" (`editor.codeActionsOnSave`).
pub const FIX_ALL: &str = "source.fixAll.lambdalint";

/// Quiet time after the last keystroke before a changed buffer is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(150);
fn log(msg: impl std::fmt::Display) {
    eprintln!("lambdalint server: {msg}");
}

/// Run the server on stdin/stdout until `exit` or end of input.
/// Returns whether the session ended cleanly (`shutdown` before `exit`); the process then exits
/// with 0, otherwise with 1, as the specification says.
pub fn run_stdio() -> std::io::Result<bool> {
    let (in_tx, in_rx) = unbounded::<Message>();
    let (out_tx, out_rx) = unbounded::<Message>();
    let reader = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || read_loop(&mut std::io::stdin().lock(), &in_tx))?;
    let writer = std::thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let mut out = std::io::stdout().lock();
            for m in out_rx {
                if let Err(e) = m.write(&mut out).and_then(|()| out.flush()) {
                    log(format!("cannot write: {e}"));
                    break;
                }
            }
        })?;
    let mut server = Server::new(out_tx);
    server.run(&in_rx);
    let clean = server.shutdown;
    drop(server);
    if writer.join().is_err() {
        log("writer thread failed");
    }
    // The reader may be blocked on stdin after `exit`: do not wait for it.
    drop(reader);
    Ok(clean)
}

/// Read Content-Length framed JSON-RPC messages ([`framing`]): malformed frames are logged and
/// skipped, and reading resynchronises at the next header, so one bad frame never silences the
/// server.
pub fn read_loop(input: &mut impl Read, tx: &Sender<Message>) {
    let mut framer = framing::Framer::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                log(format!("cannot read input: {e}"));
                return;
            }
        };
        framer.push(chunk.get(..n).unwrap_or(&[]));
        while let Some(frame) = framer.next_frame() {
            let body = match frame {
                framing::Frame::Body(b) => b,
                framing::Frame::Skipped(why) => {
                    log(why);
                    continue;
                }
            };
            match serde_json::from_slice::<Message>(&body) {
                Ok(m) => {
                    let exit = matches!(&m, Message::Notification(n) if n.method == "exit");
                    if tx.send(m).is_err() || exit {
                        return;
                    }
                }
                Err(e) => log(format!(
                    "malformed message skipped ({e}): {:?}",
                    truncate(&String::from_utf8_lossy(&body))
                )),
            }
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The server state, owned by the main loop.
pub struct Server {
    out: Sender<Message>,
    rules: Vec<Box<dyn Rule>>,
    selection: RuleSelection,
    roots: Vec<PathBuf>,
    /// What the analysis may read: the workspace folders' projects.
    access: crate::fsx::Access,
    overlay: Overlay,
    handlers: HandlerMap,
    /// Files to check when their deadline passes (debounced changes).
    pending: HashMap<PathBuf, Instant>,
    /// Last diagnostics published per file (for hover, code actions, clearing).
    published: HashMap<PathBuf, Vec<LspDiagnostic>>,
    initialized: bool,
    shutdown: bool,
}

impl Server {
    pub fn new(out: Sender<Message>) -> Self {
        Server {
            out,
            rules: crate::rules::all(),
            selection: RuleSelection::default(),
            roots: Vec::new(),
            access: crate::fsx::Access::default(),
            overlay: Overlay::default(),
            handlers: HandlerMap::default(),
            pending: HashMap::new(),
            published: HashMap::new(),
            initialized: false,
            shutdown: false,
        }
    }

    /// The loop: messages, and debounced checks when no message arrives in time.
    pub fn run(&mut self, rx: &Receiver<Message>) {
        loop {
            let next = self.pending.values().min().copied();
            let msg = match next {
                Some(deadline) => {
                    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                None => match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
            };
            if let Some(m) = msg {
                match m {
                    Message::Request(r) => self.on_request(r),
                    Message::Notification(n) => {
                        if n.method == "exit" {
                            return;
                        }
                        self.on_notification(n);
                    }
                    Message::Response(_) => {}
                }
            }
            self.flush_due();
        }
    }

    fn send(&self, m: Message) {
        if self.out.send(m).is_err() {
            log("output closed");
        }
    }

    fn reply_err(&self, id: RequestId, code: ErrorCode, msg: String) {
        self.send(Message::Response(Response::new_err(id, code as i32, msg)));
    }

    fn on_request(&mut self, r: Request) {
        let id = r.id.clone();
        if self.shutdown {
            return self.reply_err(id, ErrorCode::InvalidRequest, "shutting down".into());
        }
        if !self.initialized && r.method != "initialize" {
            return self.reply_err(
                id,
                ErrorCode::ServerNotInitialized,
                "not initialized".into(),
            );
        }
        let result = match r.method.as_str() {
            "initialize" => serde_json::from_value::<InitializeParams>(r.params)
                .map(|p| to_json(&self.initialize(p))),
            "shutdown" => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            "textDocument/hover" => {
                serde_json::from_value::<HoverParams>(r.params).map(|p| to_json(&self.hover(&p)))
            }
            "textDocument/codeAction" => serde_json::from_value::<CodeActionParams>(r.params)
                .map(|p| to_json(&self.code_actions(&p))),
            other => {
                return self.reply_err(
                    id,
                    ErrorCode::MethodNotFound,
                    format!("unknown method `{other}`"),
                );
            }
        };
        match result {
            Ok(v) => self.send(Message::Response(Response::new_ok(id, v))),
            Err(e) => self.reply_err(id, ErrorCode::InvalidParams, e.to_string()),
        }
    }

    fn on_notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let r = match method.as_str() {
            "initialized" => Ok(()),
            "textDocument/didOpen" => serde_json::from_value::<DidOpenTextDocumentParams>(n.params)
                .map(|p| {
                    if let Some(path) = uri_to_path(p.text_document.uri.as_str()) {
                        self.overlay.open(path.clone(), p.text_document.text);
                        self.changed(&path, false);
                    }
                }),
            "textDocument/didChange" => {
                serde_json::from_value::<DidChangeTextDocumentParams>(n.params).map(|p| {
                    if let Some(path) = uri_to_path(p.text_document.uri.as_str()) {
                        if let Some(text) = self.overlay.get_mut(&path) {
                            for c in p.content_changes {
                                convert::apply_change(text, c);
                            }
                        }
                        self.changed(&path, true);
                    }
                })
            }
            "textDocument/didSave" => serde_json::from_value::<DidSaveTextDocumentParams>(n.params)
                .map(|p| {
                    if let Some(path) = uri_to_path(p.text_document.uri.as_str()) {
                        if let (Some(text), Some(buf)) = (p.text, self.overlay.get_mut(&path)) {
                            *buf = text;
                        }
                        if path.file_name().is_some_and(|f| {
                            f == "lambdalint.toml"
                                || f == ".lambdalint.toml"
                                || f == "pyproject.toml"
                        }) {
                            self.reload_settings();
                        } else {
                            self.changed(&path, false);
                        }
                    }
                }),
            "textDocument/didClose" => {
                serde_json::from_value::<DidCloseTextDocumentParams>(n.params).map(|p| {
                    if let Some(path) = uri_to_path(p.text_document.uri.as_str()) {
                        self.overlay.close(&path);
                        self.pending.remove(&path);
                        self.publish(&path, Vec::new());
                        // Templates deploying a closed handler now see the file on disk.
                        for t in self.handlers.templates_of(&path) {
                            if self.overlay.is_open(&t) {
                                self.pending.insert(t, Instant::now());
                            }
                        }
                    }
                })
            }
            _ => Ok(()),
        };
        if let Err(e) = r {
            log(format!("bad `{method}` notification: {e}"));
        }
    }

    fn initialize(&mut self, p: InitializeParams) -> InitializeResult {
        self.initialized = true;
        let mut roots: Vec<PathBuf> = p
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| uri_to_path(f.uri.as_str()))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = p.root_uri.as_ref().and_then(|u| uri_to_path(u.as_str()))
        {
            roots.push(root);
        }
        if workspace::scannable_roots(&roots).len() < roots.len() {
            log("the filesystem root or the home directory is not scanned as a workspace folder");
        }
        self.roots = roots;
        self.reload_settings();
        let start = Instant::now();
        let templates = workspace::scan_templates(&self.roots);
        for t in &templates {
            self.index_template(t);
        }
        log(format!(
            "{} workspace folder(s), {} template(s) indexed in {:?}",
            self.roots.len(),
            templates.len(),
            start.elapsed()
        ));
        InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::from(FIX_ALL),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "lambdalint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    fn reload_settings(&mut self) {
        let scannable = workspace::scannable_roots(&self.roots);
        let cfg = workspace::load_config(&scannable);
        self.selection = cfg.selection(&[], &[]);
        self.access = cfg.access(&scannable);
        let open: Vec<PathBuf> = self.published.keys().cloned().collect();
        for p in open {
            self.pending.insert(p, Instant::now());
        }
    }

    fn index_template(&mut self, template: &Path) {
        if let Some(text) = self.overlay.text(template) {
            let hs = workspace::handler_files(template, &text);
            self.handlers.set(template.to_path_buf(), hs);
        }
    }

    /// A file changed: check it (now or after the debounce), and the templates deploying it.
    fn changed(&mut self, path: &Path, debounce: bool) {
        let due = if debounce {
            Instant::now() + DEBOUNCE
        } else {
            Instant::now()
        };
        self.pending.insert(path.to_path_buf(), due);
        // Handler sources, and files a `serverless.yml` includes with `${file()}`.
        for t in self.handlers.templates_of(path) {
            self.pending.insert(t, due);
        }
    }

    fn flush_due(&mut self) {
        let now = Instant::now();
        let due: BTreeSet<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, d)| **d <= now)
            .map(|(p, _)| p.clone())
            .collect();
        for p in due {
            self.pending.remove(&p);
            self.check(&p);
        }
    }

    /// Check one file and publish its diagnostics.
    fn check(&mut self, path: &Path) {
        if workspace::is_handler_path(path) {
            // A handler's findings come from checking the templates that deploy it (queued by
            // `changed`), which publish them on the handler's URI.
            return;
        }
        if !workspace::is_template_path(path) {
            return;
        }
        // A file a `serverless.yml` includes (`${file(./config.yml)}`) that is not a template
        // itself: its findings come from checking the configuration (queued by `changed`).
        let included = !self.handlers.templates_of(path).is_empty();
        let Some(text) = self.overlay.text(path) else {
            self.publish(path, Vec::new());
            return;
        };
        let file = Arc::new(SourceFile::new(
            path.to_path_buf(),
            path.display().to_string(),
            text,
        ));
        let overlay = &self.overlay;
        let read_open = |p: &Path| overlay.open_text(p);
        let diags = match check_source_full(
            &file,
            &self.rules,
            &self.selection,
            &self.access,
            &read_open,
        ) {
            Ok(Some(checked)) => {
                let handler_files = workspace::handler_files_of_checked(&checked);
                let mut ds = checked.diagnostics;
                // Input problems in a template that was still checked (structure, values).
                for e in checked.errors {
                    if let Some((f, span)) = e.position {
                        ds.push(crate::diagnostic::Diagnostic::new(
                            e.code,
                            crate::diagnostic::Severity::Error,
                            e.message,
                            f,
                            span,
                        ));
                    }
                }
                ds.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                // Findings in the handler sources this template deploys are published for those
                // files (an empty list clears what a previous check published there).
                let mut per_handler: std::collections::BTreeMap<PathBuf, Vec<LspDiagnostic>> =
                    handler_files
                        .iter()
                        .map(|h| (h.clone(), Vec::new()))
                        .collect();
                let mut own = Vec::new();
                for d in &ds {
                    if Arc::ptr_eq(&d.file, &file) || d.file.path == path {
                        own.push(convert::diagnostic(d));
                    } else {
                        per_handler
                            .entry(d.file.path.clone())
                            .or_default()
                            .push(convert::diagnostic(d));
                    }
                }
                for (h, list) in per_handler {
                    self.publish(&h, list);
                }
                self.handlers.set(path.to_path_buf(), handler_files);
                own
            }
            Ok(None) if included => return,
            Ok(None) => Vec::new(),
            Err(e) => {
                if self.selection.enabled("E001") && crate::check::looks_like_template(&file.text) {
                    vec![convert::load_error(&file.text, e.span, &e.message)]
                } else {
                    Vec::new()
                }
            }
        };
        self.publish(path, diags);
    }

    fn publish(&mut self, path: &Path, diagnostics: Vec<LspDiagnostic>) {
        let had = self.published.get(path).is_some_and(|d| !d.is_empty());
        if diagnostics.is_empty() && !had && !self.overlay.is_open(path) {
            return;
        }
        let Ok(uri) = Uri::from_str(&path_to_uri(path)) else {
            log(format!("cannot make a URI for {}", path.display()));
            return;
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics: diagnostics.clone(),
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        )));
        if diagnostics.is_empty() {
            self.published.remove(path);
        } else {
            self.published.insert(path.to_path_buf(), diagnostics);
        }
    }

    fn diagnostics_at(&self, uri: &Uri, pos: Position) -> Vec<&LspDiagnostic> {
        let Some(path) = uri_to_path(uri.as_str()) else {
            return Vec::new();
        };
        self.published
            .get(&path)
            .map(|ds| ds.iter().filter(|d| contains(d.range, pos)).collect())
            .unwrap_or_default()
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let tdp = &p.text_document_position_params;
        let ds = self.diagnostics_at(&tdp.text_document.uri, tdp.position);
        let mut parts = Vec::new();
        let mut range = None;
        for d in ds {
            if let Some(NumberOrString::String(code)) = &d.code
                && let Some(m) = meta(code)
            {
                parts.push(m.markdown());
                range.get_or_insert(d.range);
            }
        }
        if parts.is_empty() {
            return None;
        }
        parts.dedup();
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n---\n"),
            }),
            range,
        })
    }

    /// Check an open template's current text (for its fixes): the file and its findings.
    fn current(
        &self,
        path: &Path,
    ) -> Option<(Arc<SourceFile>, Vec<crate::diagnostic::Diagnostic>)> {
        if !workspace::is_template_path(path) {
            return None;
        }
        let text = self.overlay.text(path)?;
        let file = Arc::new(SourceFile::new(
            path.to_path_buf(),
            path.display().to_string(),
            text,
        ));
        let ds = self.recheck(&file)?;
        Some((file, ds))
    }

    fn recheck(&self, file: &Arc<SourceFile>) -> Option<Vec<crate::diagnostic::Diagnostic>> {
        let overlay = &self.overlay;
        let read_open = |p: &Path| overlay.open_text(p);
        match check_source_full(file, &self.rules, &self.selection, &self.access, &read_open) {
            Ok(Some(c)) => Some(c.diagnostics),
            _ => None,
        }
    }

    /// Quick fixes for the findings in `range`, and "fix all" (the safe fixes, applied in passes
    /// exactly as `check --fix` does) for the document.
    fn fix_actions(&self, p: &CodeActionParams, path: &Path) -> Vec<CodeActionOrCommand> {
        let wants = |kind: &str| {
            p.context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let (quick, all) = (wants(CodeActionKind::QUICKFIX.as_str()), wants(FIX_ALL));
        if !quick && !all {
            return Vec::new();
        }
        let Some((file, ds)) = self.current(path) else {
            return Vec::new();
        };
        let uri = &p.text_document.uri;
        let workspace_edit = |edits: Vec<TextEdit>| {
            // The map type is lsp-types' (`Uri` is only hashed by its text).
            #[allow(clippy::mutable_key_type)]
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), edits);
            WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            }
        };
        let mut out = Vec::new();
        if quick {
            for d in &ds {
                let Some(fix) = d.fix.as_ref() else { continue };
                if d.file.path != file.path || d.fix_file().path != file.path {
                    continue;
                }
                let ld = convert::diagnostic(d);
                if !overlaps(ld.range, p.range) {
                    continue;
                }
                let safe = fix.applicability == crate::fix::Applicability::Safe;
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: convert::range(&file.lines, &file.text, e.span),
                        new_text: e.text.clone(),
                    })
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: if safe {
                        format!("{} ({})", fix.title, d.code)
                    } else {
                        format!("{} ({}, unsafe fix)", fix.title, d.code)
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![ld]),
                    edit: Some(workspace_edit(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
        }
        let safe_fixes = ds.iter().any(|d| {
            d.file.path == file.path && d.fixable() == Some(crate::fix::Applicability::Safe)
        });
        if all && safe_fixes {
            let recheck = |f: &Arc<SourceFile>| self.recheck(f);
            let fixed = crate::fix::fix_text(&file, ds, crate::fix::Applicability::Safe, &recheck);
            if let Some(edit) = convert::whole_edit(&file, &fixed.file.text) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!(
                        "Fix all lambdalint findings with safe fixes ({})",
                        fixed.applied
                    ),
                    kind: Some(CodeActionKind::from(FIX_ALL)),
                    edit: Some(workspace_edit(vec![edit])),
                    ..CodeAction::default()
                }));
            }
        }
        out
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(path) = uri_to_path(uri.as_str()) else {
            return Vec::new();
        };
        let mut out = self.fix_actions(p, &path);
        let suppress = p
            .context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|k| "quickfix".starts_with(k.as_str())));
        // JSON has no comments (CloudFormation rejects them): suppress there with the resource's
        // `Metadata` instead, which `lambdalint rule` documents.
        if !suppress || path.extension().is_some_and(|e| e == "json") {
            return out;
        }
        let Some(text) = self.overlay.text(&path) else {
            return out;
        };
        let marker = convert::comment_marker(&path);
        // Our diagnostics overlapping the requested range (the client's context may be empty).
        let mut ds: Vec<&LspDiagnostic> = self
            .published
            .get(&path)
            .map(|ds| ds.iter().filter(|d| overlaps(d.range, p.range)).collect())
            .unwrap_or_default();
        for d in &p.context.diagnostics {
            if d.source.as_deref() == Some("lambdalint") && !ds.contains(&d) {
                ds.push(d);
            }
        }
        for d in ds {
            let Some(NumberOrString::String(code)) = &d.code else {
                continue;
            };
            if code.starts_with('E') {
                continue;
            }
            let line = d.range.start.line;
            let at = Position::new(line, 0);
            let edit = TextEdit {
                range: Range::new(at, at),
                new_text: convert::suppression(&text, line, code, marker),
            };
            // The map type is lsp-types' (`Uri` is only hashed by its text).
            #[allow(clippy::mutable_key_type)]
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), vec![edit]);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore {code} here (lambdalint: ignore[{code}])"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            }));
        }
        out
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn contains(r: Range, p: Position) -> bool {
    r.start <= p && p <= r.end
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}
