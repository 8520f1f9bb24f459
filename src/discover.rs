//! Finding the files to check: `ignore` walker (gitignore honoured), build/dependency folders
//! skipped, `--include` / `--exclude` globs.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

/// Folders never descended into: build output and dependencies.
pub const SKIPPED_DIRS: &[&str] = &[
    ".aws-sam",
    "node_modules",
    "cdk.out",
    ".git",
    "target",
    ".serverless",
];

/// A file to check, with how it was named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub display: String,
    /// Named on the command line (errors are always reported for it).
    pub explicit: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("invalid glob `{glob}`: {source}")]
    Glob {
        glob: String,
        source: globset::Error,
    },
}

pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

fn build(globs: &[String]) -> Result<GlobSet, DiscoverError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // A pattern without a slash matches at any depth, like .gitignore.
        let pat = if g.contains('/') {
            g.clone()
        } else {
            format!("**/{g}")
        };
        b.add(Glob::new(&pat).map_err(|source| DiscoverError::Glob {
            glob: g.clone(),
            source,
        })?);
    }
    b.build().map_err(|source| DiscoverError::Glob {
        glob: globs.join(","),
        source,
    })
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, DiscoverError> {
        Ok(Filter {
            include: if include.is_empty() {
                None
            } else {
                Some(build(include)?)
            },
            exclude: build(exclude)?,
        })
    }

    pub fn accepts(&self, rel: &Path) -> bool {
        if self.exclude.is_match(rel) {
            return false;
        }
        self.include.as_ref().is_none_or(|i| i.is_match(rel))
    }
}

/// Extensions of files that may be templates.
fn template_extension(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json" | "template")
    )
}

fn display_of(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// What discovery found: the files to check, the paths that could not be looked at (input
/// errors: missing, unreadable, not a file or directory), and the files left out on purpose with
/// the reason (`--verbose`).
#[derive(Debug, Default)]
pub struct Discovered {
    pub candidates: Vec<Candidate>,
    /// (display path, why): each is an input error (exit code 2).
    pub errors: Vec<(String, String)>,
    /// (display path, why): not checked, said under `--verbose`.
    pub skipped: Vec<(String, String)>,
    /// (display path, what to do): said always (an AWS CDK app without `cdk.out`).
    pub hints: Vec<(String, String)>,
}

/// What to do in an AWS CDK app that has no cloud assembly yet.
pub const CDK_SYNTH_HINT: &str = "AWS CDK app without a cloud assembly: run `npx cdk synth` to write `cdk.out`, then check again (lambdalint reads the synthesised templates)";

/// A Serverless Framework configuration in code.
pub const SERVERLESS_CODE_NOTE: &str = "Serverless Framework configuration in code cannot be read statically: only `serverless.yml` is checked";

/// Add the templates of the AWS CDK app in `dir` (its `cdk.out`), or say how to make them.
fn add_cdk_app(dir: &Path, cdk_json: &Path, access: &crate::fsx::Access, found: &mut Discovered) {
    let out = crate::frameworks::cdk::output_dir(dir, access);
    if !crate::frameworks::cdk::is_assembly_dir(&out) {
        found
            .hints
            .push((display_of(cdk_json), CDK_SYNTH_HINT.to_string()));
        return;
    }
    for t in crate::frameworks::cdk::assembly_templates(&out, access) {
        found.candidates.push(Candidate {
            display: display_of(&t),
            path: t,
            explicit: false,
        });
    }
}

/// Why a named path cannot be used, from the error of looking at it.
fn access_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "cannot access: permission denied".to_string(),
        _ => format!("cannot access: {e}"),
    }
}

/// The path of a walk error, and what went wrong.
fn walk_problem(e: &ignore::Error) -> (Option<PathBuf>, String) {
    match e {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), walk_problem(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_problem(err)
        }
        ignore::Error::Loop { child, .. } => {
            (Some(child.clone()), "symbolic link loop".to_string())
        }
        ignore::Error::Io(io) => (None, access_problem(io)),
        other => (None, other.to_string()),
    }
}

/// Expand the command-line paths into candidate files (sorted, deduplicated). A symbolic link
/// met while walking is followed only when its target stays inside the project (see
/// [`crate::fsx`]); a directory or file that cannot be read is an error, never a silent pass.
pub fn discover(paths: &[PathBuf], filter: &Filter) -> Discovered {
    let access = crate::fsx::Access::new(paths, &[], crate::fsx::DEFAULT_SOURCE_CAP);
    discover_with(paths, filter, &access)
}

/// [`discover`], with the read access of the run (extra roots from the configuration).
pub fn discover_with(
    paths: &[PathBuf],
    filter: &Filter,
    access: &crate::fsx::Access,
) -> Discovered {
    discover_limited(paths, filter, access, usize::MAX)
}

/// [`discover_with`], looking at no more than `limit` directory entries in all (the language
/// server's workspace scan must not walk a whole disk); stopping early is said in `skipped`.
pub fn discover_limited(
    paths: &[PathBuf],
    filter: &Filter,
    access: &crate::fsx::Access,
    limit: usize,
) -> Discovered {
    let mut seen = 0usize;
    let mut found = Discovered::default();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                found.errors.push((display_of(root), access_problem(&e)));
                continue;
            }
        };
        if meta.is_file() {
            found.candidates.push(Candidate {
                path: root.clone(),
                display: display_of(root),
                explicit: true,
            });
            continue;
        }
        if !meta.is_dir() {
            found.errors.push((
                display_of(root),
                "not a regular file or directory".to_string(),
            ));
            continue;
        }
        if let Err(e) = std::fs::read_dir(root) {
            found.errors.push((display_of(root), access_problem(&e)));
            continue;
        }
        // A cloud assembly named on the command line: its stack templates, not its other JSON.
        if crate::frameworks::cdk::is_assembly_dir(root) {
            for t in crate::frameworks::cdk::assembly_templates(root, access) {
                found.candidates.push(Candidate {
                    display: display_of(&t),
                    path: t,
                    explicit: false,
                });
            }
            continue;
        }
        let walker = WalkBuilder::new(root)
            .require_git(false)
            .hidden(true)
            .follow_links(false)
            .add_custom_ignore_filename(".lambdalintignore")
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
            })
            .build();
        for entry in walker {
            seen += 1;
            if seen > limit {
                found.skipped.push((
                    display_of(root),
                    format!("walk stopped after {limit} entries"),
                ));
                break;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let (path, why) = walk_problem(&e);
                    let shown = path.as_deref().map_or_else(|| display_of(root), display_of);
                    found.errors.push((shown, why));
                    continue;
                }
            };
            let p = entry.path();
            if crate::frameworks::serverless::is_code_config_path(p) {
                found
                    .skipped
                    .push((display_of(p), SERVERLESS_CODE_NOTE.to_string()));
                continue;
            }
            if p.file_name().is_some_and(|n| n == "cdk.json") {
                let dir = p.parent().unwrap_or(root);
                add_cdk_app(dir, p, access, &mut found);
                continue;
            }
            if !template_extension(p) {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap_or(p);
            if !filter.accepts(rel) {
                continue;
            }
            // The walker knows the type; only symlinks need another look.
            let is_file = match entry.file_type() {
                Some(t) if t.is_symlink() => {
                    let scope = access.scope_for(p.parent().unwrap_or(root));
                    match scope.check(p) {
                        Ok(_) => true,
                        Err(crate::fsx::ReadError::NotRegular { .. }) => false,
                        Err(crate::fsx::ReadError::TooLarge { .. }) => true,
                        Err(e) => {
                            found
                                .skipped
                                .push((display_of(p), format!("not read: {e}")));
                            false
                        }
                    }
                }
                Some(t) => t.is_file(),
                None => p.is_file(),
            };
            if !is_file {
                continue;
            }
            found.candidates.push(Candidate {
                path: p.to_path_buf(),
                display: display_of(p),
                explicit: false,
            });
        }
    }
    found.candidates.sort();
    // The same file named twice (`. cdk.out`, `./t.yaml t.yaml`) is checked once.
    let mut seen_paths = std::collections::HashSet::new();
    found.candidates.retain(|c| {
        let abs = std::path::absolute(&c.path).unwrap_or_else(|_| c.path.clone());
        seen_paths.insert(crate::source::normalize_path(&abs))
    });
    found.hints.sort();
    found.hints.dedup();
    found.errors.sort();
    found.errors.dedup();
    found
}
