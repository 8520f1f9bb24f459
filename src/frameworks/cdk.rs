//! AWS CDK cloud assemblies (`cdk.out`, what `cdk synth` writes).
//!
//! A stack's `*.template.json` is plain CloudFormation and is checked as it is. What the assembly
//! adds around it is used to bring findings back to the app:
//!
//! - **construct paths**: `aws:cdk:path` resource metadata (written by the CLI) or the
//!   `aws:cdk:logicalId` entries of `<Stack>.metadata.json` (written by a bare `node app.js` too):
//!   every finding names `OrdersStack/CreateOrder/Resource` besides the logical id;
//! - **creation stacks**: `aws:cdk:creationStack` in the same file; a finding moves to the first
//!   frame in the app's own source (`app.ts:21:25`) when that file is inside the project holding
//!   `cdk.json` (the path is absolute on the machine that synthesised: it is re-rooted when
//!   needed); otherwise it stays in the synthesised template;
//! - **handler code**: the function's asset folder (`aws:asset:path`, else the `S3Key` hash ->
//!   `asset.<hash>/`), the staged copy of `Code.fromAsset(...)`; bundled `NodejsFunction` output
//!   (one minified file) is not analysed, with the reason;
//! - **CDK's own helper functions** (S3 notifications, auto-delete objects, log retention, custom
//!   resource providers) land in the user's template but cannot be fixed by the user: their
//!   findings are dropped and said under `--verbose`.
//!
//! Every file is read through the template's [`crate::fsx::Scope`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fsx::{Access, Scope};
use crate::load::{Loaded, NodeId, Value};
use crate::model::dialect::{Dialect, Origin, UNRESOLVED};
use crate::source::{SourceFile, Span};

/// Metadata files can be larger than handler sources.
const METADATA_CAP: u64 = 64 * 1024 * 1024;

/// Construct ids (path segments) of functions the CDK adds to a stack for its own features.
const HELPER_MARKERS: &[&str] = &[
    "BucketNotificationsHandler",
    "Custom::S3AutoDeleteObjectsCustomResourceProvider",
    "Custom::VpcRestrictDefaultSGCustomResourceProvider",
    "Custom::CDKBucketDeployment",
    "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
    "AWS679f53fac002430cb0da5b7982bd2287",
    "CustomResourceProvider",
    "framework-onEvent",
    "framework-isComplete",
    "framework-onTimeout",
];

/// Is `dir` a cloud assembly (holds `manifest.json`)?
pub fn is_assembly_dir(dir: &Path) -> bool {
    dir.join("manifest.json").is_file()
}

/// The cloud assembly directory a template is in, when it is in one.
pub fn assembly_of(template: &Path) -> Option<PathBuf> {
    let dir = template.parent()?;
    let name = template.file_name()?.to_str()?;
    (name.ends_with(".template.json") && is_assembly_dir(dir)).then(|| dir.to_path_buf())
}

fn scope_for(access: &Access, path: &Path) -> Scope {
    let mut s = access.scope_for(path);
    s.cap = s.cap.max(METADATA_CAP);
    s
}

fn read_json(scope: &Scope, path: &Path) -> Option<serde_json::Value> {
    let text = scope.read_text(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// The stack templates of an assembly (nested stacks and nested assemblies of stages included),
/// from its `manifest.json`; sorted.
pub fn assembly_templates(dir: &Path, access: &Access) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_templates(dir, access, 0, &mut out);
    out.sort();
    out.dedup();
    out
}

fn collect_templates(dir: &Path, access: &Access, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    let scope = scope_for(access, dir);
    let Some(manifest) = read_json(&scope, &dir.join("manifest.json")) else {
        return;
    };
    if let Some(arts) = manifest.get("artifacts").and_then(|a| a.as_object()) {
        for art in arts.values() {
            let props = art.get("properties");
            match art.get("type").and_then(|t| t.as_str()) {
                Some("aws:cloudformation:stack") => {
                    if let Some(t) = props
                        .and_then(|p| p.get("templateFile"))
                        .and_then(|t| t.as_str())
                    {
                        out.push(dir.join(t));
                    }
                }
                Some("cdk:cloud-assembly") => {
                    if let Some(d) = props
                        .and_then(|p| p.get("directoryName"))
                        .and_then(|t| t.as_str())
                    {
                        collect_templates(&dir.join(d), access, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }
    // Nested stacks are assets of their parent: `<Parent><Nested>.nested.template.json`.
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name();
            if name
                .to_str()
                .is_some_and(|n| n.ends_with(".nested.template.json"))
            {
                out.push(dir.join(name));
            }
        }
    }
}

/// Where the app's `cdk.json` says the assembly goes (`"output"`, default `cdk.out`).
pub fn output_dir(project: &Path, access: &Access) -> PathBuf {
    let scope = access.scope_for(project);
    let out = read_json(&scope, &project.join("cdk.json"))
        .and_then(|v| v.get("output").and_then(|o| o.as_str()).map(str::to_string))
        .unwrap_or_else(|| "cdk.out".into());
    project.join(out)
}

/// What the assembly's metadata says about one stack: logical id -> construct path, and
/// construct path -> creation stack frames, and which constructs are CDK helpers.
#[derive(Default)]
struct StackMeta {
    paths: HashMap<String, String>,
    stacks: HashMap<String, Vec<String>>,
    helpers: Vec<String>,
}

fn stack_meta(dir: &Path, template_name: &str, scope: &Scope) -> StackMeta {
    let mut meta = StackMeta::default();
    let Some(manifest) = read_json(scope, &dir.join("manifest.json")) else {
        return meta;
    };
    let Some(arts) = manifest.get("artifacts").and_then(|a| a.as_object()) else {
        return meta;
    };
    // The stack whose template this is; nested templates share their parent's metadata.
    let mut entries: Vec<serde_json::Value> = Vec::new();
    for art in arts.values() {
        if art.get("type").and_then(|t| t.as_str()) != Some("aws:cloudformation:stack") {
            continue;
        }
        let tf = art
            .get("properties")
            .and_then(|p| p.get("templateFile"))
            .and_then(|t| t.as_str())
            .unwrap_or("");
        let stem = tf.trim_end_matches(".template.json");
        let mine = tf == template_name
            || (template_name.ends_with(".nested.template.json")
                && !stem.is_empty()
                && template_name.starts_with(stem));
        if !mine {
            continue;
        }
        if let Some(m) = art.get("metadata") {
            entries.push(m.clone());
        }
        if let Some(f) = art.get("additionalMetadataFile").and_then(|f| f.as_str())
            && let Some(m) = read_json(scope, &dir.join(f))
        {
            entries.push(m);
        }
    }
    for m in entries {
        let Some(obj) = m.as_object() else { continue };
        for (path, items) in obj {
            let path = path.trim_start_matches('/').to_string();
            for it in items.as_array().map(Vec::as_slice).unwrap_or(&[]) {
                let ty = it.get("type").and_then(|t| t.as_str()).unwrap_or("");
                let data = it.get("data");
                match ty {
                    "aws:cdk:logicalId" => {
                        if let Some(id) = data.and_then(|d| d.as_str()) {
                            meta.paths.insert(id.to_string(), path.clone());
                        }
                    }
                    "aws:cdk:creationStack" => {
                        let frames = data
                            .and_then(|d| d.as_array())
                            .map(|a| {
                                a.iter()
                                    .filter_map(|f| f.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        meta.stacks.insert(path.clone(), frames);
                    }
                    t if t.starts_with("aws:cdk:is-custom-resource-handler") => {
                        meta.helpers.push(path.clone());
                    }
                    _ => {}
                }
            }
        }
    }
    meta
}

/// `new OrdersStack (/home/me/app/lib/orders.ts:14:20)` -> (path, line, column).
pub fn parse_frame(frame: &str) -> Option<(String, usize, usize)> {
    let inner = match (frame.rfind('('), frame.rfind(')')) {
        (Some(a), Some(b)) if a < b => frame.get(a + 1..b)?,
        _ => frame.trim().trim_start_matches("at ").trim(),
    };
    let inner = inner.strip_prefix("file://").unwrap_or(inner);
    let (rest, col) = inner.rsplit_once(':')?;
    let (path, line) = rest.rsplit_once(':')?;
    let line = line.parse().ok()?;
    let col = col.parse().ok()?;
    if path.is_empty() || path.contains("node_modules") || path.starts_with("node:") {
        return None;
    }
    Some((path.to_string(), line, col))
}

/// A frame path on this machine: as written when it is inside the project, else re-rooted on
/// the project by its longest existing suffix (synthesised elsewhere, e.g. in CI).
fn reroot(path: &str, project: &Path, scope: &Scope) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    if p.is_absolute() && scope.is_file(&p) {
        let canon_project = std::fs::canonicalize(project).ok()?;
        let canon = std::fs::canonicalize(&p).ok()?;
        if canon.starts_with(&canon_project) {
            return Some(p);
        }
    }
    let parts: Vec<_> = p.components().collect();
    for i in 1..parts.len() {
        let rel: PathBuf = parts.get(i..)?.iter().collect();
        if rel.as_os_str().is_empty() || rel.components().any(|c| c.as_os_str() == "node_modules") {
            continue;
        }
        let cand = project.join(&rel);
        if scope.is_file(&cand) {
            return Some(cand);
        }
    }
    None
}

/// `A/B/C`, `A/B`, `A` (never the stack alone).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(path);
    std::iter::from_fn(move || {
        let here = cur?;
        cur = here
            .rsplit_once('/')
            .map(|(a, _)| a)
            .filter(|a| a.contains('/'));
        Some(here)
    })
}

/// The span of `line:col` (1-based) to the end of that line.
fn line_span(file: &SourceFile, line: usize, col: usize) -> Span {
    let start = file.lines.line_start(line.saturating_sub(1)) as usize;
    let text = file.text.get(start..).unwrap_or("");
    let len = text.find('\n').unwrap_or(text.len());
    let line_text = text.get(..len).unwrap_or("");
    let skip: usize = line_text
        .chars()
        .take(col.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    let end = start + line_text.trim_end().len().max(skip);
    Span::new(start + skip, end)
}

fn is_helper(path: &str, meta: &StackMeta) -> bool {
    HELPER_MARKERS
        .iter()
        .any(|m| path.split('/').any(|seg| seg.starts_with(m)))
        || meta.helpers.iter().any(|h| path.starts_with(h.as_str()))
}

/// Is this the output of a bundler (esbuild for `NodejsFunction`): one minified or generated
/// file whose findings could not point at the real sources?
fn bundled(text: &str) -> bool {
    text.contains("\n// node_modules/")
        || text.contains("var __defProp = Object.defineProperty")
        || text.lines().take(50).any(|l| l.len() > 2000)
}

/// The origin of a template of a cloud assembly (the default origin for any other template).
/// Function `Code` pointing at a staged asset is rewritten to that folder, so the handler
/// analysis reads it like a SAM `CodeUri`.
pub fn origin(file: &Arc<SourceFile>, loaded: &mut Loaded, access: &Access) -> Origin {
    let Some(dir) = assembly_of(&file.path) else {
        return Origin::default();
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let scope = scope_for(access, &file.path);
    let template_name = file
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    let meta = stack_meta(&dir, &template_name, &scope);
    let project = dir.parent().map(Path::to_path_buf).unwrap_or_default();
    let display_project = Path::new(&file.display)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut origin = Origin {
        dialect: Dialect::Cdk,
        ..Origin::default()
    };
    let doc = &mut loaded.doc;
    let Some(resources) = doc.root.and_then(|r| doc.get(r, "Resources")) else {
        return origin;
    };
    let entries: Vec<(String, NodeId)> = doc
        .as_map(resources)
        .map(|m| m.iter().map(|(k, _, v)| (k.to_string(), v)).collect())
        .unwrap_or_default();
    let mut files: HashMap<PathBuf, Option<Arc<SourceFile>>> = HashMap::new();
    let mut rerooted: HashMap<String, Option<PathBuf>> = HashMap::new();
    for (id, node) in entries {
        let path = doc
            .get_path(node, &["Metadata", "aws:cdk:path"])
            .and_then(|n| doc.as_str(n))
            .map(str::to_string)
            .or_else(|| meta.paths.get(&id).cloned());
        let ty = doc
            .get(node, "Type")
            .and_then(|t| doc.as_str(t))
            .unwrap_or("")
            .to_string();
        if let Some(p) = &path {
            if is_helper(p, &meta) {
                origin.helpers.push(id.clone());
                if ty == "AWS::Lambda::Function" {
                    origin.remarks.push(format!(
                        "CDK helper function `{id}` (`{p}`) is not reported: the CDK adds it for its own features and you cannot change it"
                    ));
                }
            }
            origin.construct_paths.insert(id.clone(), p.clone());
            // The creation stack of the construct, else of its nearest ancestor with a frame in
            // the app (a role's default policy: the function that created the role).
            let located = ancestors(p).find_map(|a| {
                [a.to_string(), format!("{a}/Resource")]
                    .iter()
                    .filter_map(|k| meta.stacks.get(k))
                    .flatten()
                    .find_map(|f| {
                        let (path, line, col) = parse_frame(f)?;
                        // Many constructs share a file: look each path up once.
                        let found = rerooted
                            .entry(path)
                            .or_insert_with_key(|path| reroot(path, &project, &scope))
                            .clone()?;
                        Some((found, line, col))
                    })
            });
            if let Some((fp, line, col)) = located {
                let f = files.entry(fp.clone()).or_insert_with(|| {
                    let text = scope.read_text(&fp).ok()?;
                    let rel = fp
                        .strip_prefix(&project)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| fp.clone());
                    let shown = display_project
                        .join(rel)
                        .to_string_lossy()
                        .replace('\\', "/");
                    Some(Arc::new(SourceFile::new(fp.clone(), shown, text)))
                });
                if let Some(f) = f {
                    let span = line_span(f, line, col);
                    origin.creation.insert(id.clone(), (Arc::clone(f), span));
                }
            }
        }
        if ty == "AWS::Lambda::Function" {
            let template_dir = file
                .path
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        p
                    }
                })
                .and_then(|p| std::path::absolute(p).ok());
            stage_code(doc, node, &dir, template_dir.as_deref(), &scope);
        }
    }
    origin
}

/// Point a function's `Code` at its staged asset folder (or say why its code is not analysed).
fn stage_code(
    doc: &mut crate::load::Document,
    node: NodeId,
    dir: &Path,
    template_dir: Option<&Path>,
    scope: &Scope,
) {
    let Some(code) = doc.get_path(node, &["Properties", "Code"]) else {
        return;
    };
    if doc.get(code, "ZipFile").is_some() {
        return;
    }
    let asset = doc
        .get_path(node, &["Metadata", "aws:asset:path"])
        .and_then(|n| doc.as_str(n))
        .map(str::to_string)
        .or_else(|| {
            let key = doc.get(code, "S3Key").and_then(|k| doc.as_str(k))?;
            let hash = key.strip_suffix(".zip").unwrap_or(key);
            Some(format!("asset.{hash}"))
        });
    let span = doc.span(code);
    let Some(asset) = asset else { return };
    let folder = dir.join(&asset);
    if !scope.is_dir(&folder) {
        let why = format!("its asset `{asset}` is not in the cloud assembly");
        unresolved(doc, code, &why, span);
        return;
    }
    // Bundled output: not analysed (findings would point into generated code).
    let handler = doc
        .get_path(node, &["Properties", "Handler"])
        .and_then(|h| doc.as_str(h))
        .unwrap_or("")
        .to_string();
    let module = handler.rsplit_once('.').map_or("", |(m, _)| m);
    let export = handler.rsplit_once('.').map_or("", |(_, e)| e);
    for ext in ["js", "mjs", "cjs"] {
        let p = folder.join(format!("{module}.{ext}"));
        if let Ok(text) = scope.read_text(&p)
            && bundled(&text)
        {
            let map = folder.join(format!("{module}.{ext}.map"));
            if !scope.is_file(&map) {
                unresolved(
                    doc,
                    code,
                    "bundled `NodejsFunction` output without a source map (set `bundling: {sourceMap: true}`)",
                    span,
                );
                return;
            }
            // The source map names the real sources: analyse the entry module there, so
            // findings point at the files the user edits.
            let project = dir.parent().unwrap_or(dir);
            match mapped_entry(&map, export, project, scope) {
                Some(entry) => {
                    let from = template_dir.unwrap_or(dir);
                    let (Some(entry_dir), Some(stem)) =
                        (entry.parent(), entry.file_stem().and_then(|s| s.to_str()))
                    else {
                        return;
                    };
                    let rel = relative_path(from, entry_dir);
                    doc.set(code, Value::Str(rel.into()), span);
                    if let Some(h) = doc.get_path(node, &["Properties", "Handler"]) {
                        let hs = doc.span(h);
                        doc.set(h, Value::Str(format!("{stem}.{export}").into()), hs);
                    }
                }
                None => unresolved(
                    doc,
                    code,
                    "bundled `NodejsFunction` output whose source map names no source file of the project that exports the handler",
                    span,
                ),
            }
            return;
        }
    }
    doc.set(code, Value::Str(asset.into()), span);
}

/// The source of a bundle's entry module, from its source map (`sources`, `sourceRoot`): the
/// sources outside `node_modules` that exist in the project (as written relative to the map,
/// else re-rooted on the project when bundled elsewhere, e.g. in Docker), and of those the one
/// that exports `export` (or the only one).
fn mapped_entry(map: &Path, export: &str, project: &Path, scope: &Scope) -> Option<PathBuf> {
    let v = read_json(scope, map)?;
    let folder = map.parent()?;
    let root = v.get("sourceRoot").and_then(|r| r.as_str()).unwrap_or("");
    let mut local: Vec<PathBuf> = Vec::new();
    for s in v
        .get("sources")?
        .as_array()?
        .iter()
        .filter_map(|s| s.as_str())
    {
        let s = s.strip_prefix("webpack://").unwrap_or(s);
        if s.contains("node_modules/") || s.contains("node_modules\\") {
            continue;
        }
        let p = crate::source::normalize_path(&folder.join(root).join(s));
        let found = if scope.is_file(&p) {
            Some(p)
        } else {
            reroot(s.trim_start_matches("../"), project, scope)
        };
        if let Some(f) = found
            && !local.contains(&f)
        {
            local.push(f);
        }
        if local.len() > 200 {
            break;
        }
    }
    let exports = |text: &str| {
        !export.is_empty()
            && [
                format!("export const {export}"),
                format!("export let {export}"),
                format!("export async function {export}"),
                format!("export function {export}"),
                format!("exports.{export}"),
                format!("export {{ {export}"),
                format!("export {{{export}"),
            ]
            .iter()
            .any(|pat| text.contains(pat.as_str()))
    };
    let with_export: Vec<&PathBuf> = local
        .iter()
        .filter(|p| scope.read_text(p).is_ok_and(|t| exports(&t)))
        .collect();
    match (with_export.as_slice(), local.as_slice()) {
        ([one], _) => Some((*one).clone()),
        ([], [only]) => Some(only.clone()),
        _ => None,
    }
}

/// `to` relative to the directory `from` (both absolute), with `..` where needed.
fn relative_path(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in t.iter().skip(common) {
        out.push(c.as_os_str());
    }
    let s = out.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".into() } else { s }
}

fn unresolved(doc: &mut crate::load::Document, code: NodeId, why: &str, span: Span) {
    let arg = doc.push(Value::Str(why.into()), span);
    let mut m = crate::load::Map::default();
    m.entries.insert(UNRESOLVED.into(), (span, arg));
    doc.set(code, Value::Map(m), span);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn frames_are_parsed() {
        assert_eq!(
            parse_frame("new OrdersStack (/tmp/app/lib/orders.ts:14:20)"),
            Some(("/tmp/app/lib/orders.ts".into(), 14, 20))
        );
        assert_eq!(
            parse_frame("<anonymous> (/tmp/cdkp/app.js:29:1)"),
            Some(("/tmp/cdkp/app.js".into(), 29, 1))
        );
        assert_eq!(parse_frame("...new Function2 in aws-cdk-lib..."), None);
        assert_eq!(parse_frame("x (/a/node_modules/b.js:1:2)"), None);
        assert_eq!(parse_frame("...node internals..."), None);
    }

    #[test]
    fn helpers_are_recognised() {
        let m = StackMeta::default();
        assert!(is_helper(
            "S/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Resource",
            &m
        ));
        assert!(is_helper(
            "S/Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler",
            &m
        ));
        assert!(!is_helper("S/CreateOrder/Resource", &m));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/p/cdk.out"), Path::new("/p/src/orders")),
            "../src/orders"
        );
        assert_eq!(
            relative_path(Path::new("/p/cdk.out"), Path::new("/p/cdk.out")),
            "."
        );
        assert_eq!(
            relative_path(Path::new("/p/cdk.out/assembly-Prod"), Path::new("/p/src")),
            "../../src"
        );
    }

    /// A map from a Docker bundle (`/asset-input/...`) is re-rooted on the project; of several
    /// local sources, the one exporting the handler is the entry; `node_modules` never is.
    #[test]
    fn source_map_entries() {
        let dir = tempfile::tempdir().unwrap();
        let project = std::fs::canonicalize(dir.path()).unwrap();
        let asset = project.join("cdk.out/asset.abc");
        std::fs::create_dir_all(&asset).unwrap();
        std::fs::create_dir_all(project.join("src/lib")).unwrap();
        std::fs::write(
            project.join("src/create.ts"),
            "import { id } from './lib/ids';\nexport const handler = async () => id();\n",
        )
        .unwrap();
        std::fs::write(
            project.join("src/lib/ids.ts"),
            "export function id() { return 1; }\n",
        )
        .unwrap();
        let map = asset.join("index.js.map");
        std::fs::write(
            &map,
            r#"{"version":3,"sources":["../asset-input/node_modules/x/index.js","../asset-input/src/lib/ids.ts","../asset-input/src/create.ts"],"mappings":""}"#,
        )
        .unwrap();
        let access = Access::new(std::slice::from_ref(&project), &[], 1 << 20);
        let scope = access.scope_for(&map);
        assert_eq!(
            mapped_entry(&map, "handler", &project, &scope),
            Some(project.join("src/create.ts"))
        );
        // No source exports `main`, and there are two: no guess.
        assert_eq!(mapped_entry(&map, "main", &project, &scope), None);
    }
}
