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

/// Expand the command-line paths into candidate files (sorted, deduplicated), plus paths that
/// do not exist.
pub fn discover(paths: &[PathBuf], filter: &Filter) -> (Vec<Candidate>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for root in paths {
        if root.is_file() {
            out.push(Candidate {
                path: root.clone(),
                display: display_of(root),
                explicit: true,
            });
            continue;
        }
        if !root.is_dir() {
            let why = if root.exists() {
                "not a regular file or directory"
            } else {
                "no such file or directory"
            };
            missing.push((display_of(root), why.to_string()));
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
        for entry in walker.flatten() {
            let p = entry.path();
            // The walker knows the type; only symlinks need another stat.
            let is_file = match entry.file_type() {
                Some(t) if t.is_symlink() => p.is_file(),
                Some(t) => t.is_file(),
                None => p.is_file(),
            };
            if !template_extension(p) || !is_file {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap_or(p);
            if !filter.accepts(rel) {
                continue;
            }
            out.push(Candidate {
                path: p.to_path_buf(),
                display: display_of(p),
                explicit: false,
            });
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.path == b.path);
    (out, missing)
}
