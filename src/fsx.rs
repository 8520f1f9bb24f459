//! Reading untrusted files: the one place the analysis opens a file it was pointed at by a
//! template or a handler (handler sources, local modules, definition files, `${file()}`, ...).
//!
//! Every such read
//! - stays inside the project: the canonical path (symlinks resolved) must be under one of the
//!   scope's roots: the project root of the template (the nearest directory above it holding
//!   `lambdalint.toml`, `cdk.json`, `.lambdalint.toml`, `pyproject.toml` or `.git`, never `/` nor the home
//!   directory), else the path given on the command line or the editor's workspace folder, plus the
//!   extra roots the configuration allows (`allowed-roots`);
//! - reads regular files only (no devices, FIFOs, sockets, directories);
//! - is bounded: at most `cap` bytes are read, a larger file is refused with its size.
//!
//! A refusal is a [`ReadError`] whose message says why; callers turn it into a note (`--verbose`,
//! the report) or a diagnostic, never into silence.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Default cap on one handler source file (or any file a template points at), in bytes.
pub const DEFAULT_SOURCE_CAP: u64 = 2 * 1024 * 1024;

/// Files whose directory is a project root.
pub const ROOT_MARKERS: &[&str] = &[
    "lambdalint.toml",
    "cdk.json",
    ".lambdalint.toml",
    "pyproject.toml",
    ".git",
];

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("`{path}` does not exist")]
    NotFound { path: String },
    #[error(
        "`{path}` is outside the project (root `{root}`); allow it with `allowed-roots` in lambdalint.toml"
    )]
    Outside { path: String, root: String },
    #[error("`{path}` is not a regular file ({kind})")]
    NotRegular { path: String, kind: &'static str },
    #[error(
        "`{path}` is {size} bytes, over the {cap}-byte limit (`max-source-bytes` in lambdalint.toml)"
    )]
    TooLarge { path: String, size: u64, cap: u64 },
    #[error("cannot read `{path}`: {why}")]
    Io { path: String, why: String },
}

impl ReadError {
    /// The file does not exist (a candidate path that is simply not there).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound { .. })
    }
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// What a run may read: the roots given on the command line (or the editor's workspace folders),
/// the extra roots allowed by the configuration, and the size cap. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Access {
    /// Canonical command-line paths (directories; a named file stands for its directory), as a
    /// set: a run naming a thousand files looks each template's folder up by its ancestors.
    given: Arc<HashSet<PathBuf>>,
    /// Canonical extra roots.
    extra: Vec<PathBuf>,
    /// Cap on one source file, in bytes.
    pub source_cap: u64,
    /// Directory -> its project root by marker (None: no marker up to the filesystem root).
    markers: Arc<Mutex<HashMap<PathBuf, Option<PathBuf>>>>,
    /// Directory as named -> its canonical path (templates of one folder resolve it once).
    dirs: Arc<Mutex<HashMap<PathBuf, Option<PathBuf>>>>,
}

impl Default for Access {
    fn default() -> Self {
        Access::new(&[], &[], DEFAULT_SOURCE_CAP)
    }
}

/// The user's home directory, canonical (never a project root: a dotfiles `.git` there must not
/// open the whole home to a template).
fn home() -> Option<&'static Path> {
    // Resolved once per process: `too_wide` asks for every directory a run walks up through.
    static HOME: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .and_then(|h| std::fs::canonicalize(h).ok())
    })
    .as_deref()
}

/// Is `dir` too wide to be a root (the filesystem root or the home directory)?
pub fn too_wide(dir: &Path) -> bool {
    dir.parent().is_none() || home().is_some_and(|h| h == dir)
}

impl Access {
    /// `given`: the paths named on the command line (or workspace folders); `extra`: extra roots
    /// (already resolved against the configuration file's directory); `source_cap`: bytes.
    pub fn new(given: &[PathBuf], extra: &[PathBuf], source_cap: u64) -> Access {
        let canon = |p: &PathBuf| -> Option<PathBuf> {
            let c = std::fs::canonicalize(p).ok()?;
            if c.is_dir() {
                Some(c)
            } else {
                c.parent().map(Path::to_path_buf)
            }
        };
        Access {
            given: Arc::new(given.iter().filter_map(canon).collect()),
            extra: extra
                .iter()
                .filter_map(canon)
                .filter(|p| !too_wide(p))
                .collect(),
            source_cap,
            markers: Arc::default(),
            dirs: Arc::default(),
        }
    }

    /// The canonical path of `file`: its folder's canonical path (resolved once per folder)
    /// joined with its name, unless the file itself is a symbolic link (then resolved in full).
    fn canonical(&self, file: &Path) -> Option<PathBuf> {
        let (Some(parent), Some(name)) = (file.parent(), file.file_name()) else {
            return std::fs::canonicalize(file).ok();
        };
        let meta = std::fs::symlink_metadata(file).ok()?;
        if meta.file_type().is_symlink() || name == ".." || name == "." {
            return std::fs::canonicalize(file).ok();
        }
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        let cached = self.dirs.lock().ok().and_then(|m| m.get(parent).cloned());
        let dir = match cached {
            Some(d) => d,
            None => {
                let d = std::fs::canonicalize(parent).ok();
                if let Ok(mut m) = self.dirs.lock() {
                    m.insert(parent.to_path_buf(), d.clone());
                }
                d
            }
        };
        Some(dir?.join(name))
    }

    /// The nearest directory at or above `dir` (canonical) holding a root marker, skipping `/`
    /// and the home directory.
    fn marked_root(&self, dir: &Path) -> Option<PathBuf> {
        if let Ok(m) = self.markers.lock()
            && let Some(r) = m.get(dir)
        {
            return r.clone();
        }
        // Walk up; a folder already resolved (a sibling's ancestor) answers for the rest.
        let mut found = None;
        let mut visited: Vec<&Path> = Vec::new();
        let mut d = Some(dir);
        while let Some(cur) = d {
            if too_wide(cur) {
                break;
            }
            if let Ok(m) = self.markers.lock()
                && let Some(r) = m.get(cur)
            {
                found = r.clone();
                break;
            }
            visited.push(cur);
            if ROOT_MARKERS.iter().any(|m| cur.join(m).exists()) {
                found = Some(cur.to_path_buf());
                break;
            }
            d = cur.parent();
        }
        if let Ok(mut m) = self.markers.lock() {
            for v in visited {
                // A folder below the marked one has the same root; the marked one is its own.
                m.insert(v.to_path_buf(), found.clone());
            }
        }
        found
    }

    /// The scope of a template (or of any file the analysis starts from): where reads it causes
    /// may go.
    pub fn scope_for(&self, file: &Path) -> Scope {
        let abs = self
            .canonical(file)
            .or_else(|| std::path::absolute(file).ok())
            .unwrap_or_else(|| file.to_path_buf());
        let dir = if abs.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        let root = self
            .marked_root(&dir)
            .or_else(|| {
                // The command-line path (or workspace folder) that holds the file: the
                // deepest, found walking up (linear in the depth, not in the paths named).
                dir.ancestors()
                    .find(|a| self.given.contains(*a))
                    .map(Path::to_path_buf)
            })
            .unwrap_or(dir);
        let mut roots = vec![root];
        roots.extend(self.extra.iter().cloned());
        Scope {
            roots,
            cap: self.source_cap,
        }
    }
}

/// Where reads for one template may go, and how much each may read.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Canonical roots; the first is the project root.
    roots: Vec<PathBuf>,
    /// Bytes per file.
    pub cap: u64,
}

impl Scope {
    /// A scope with these roots (canonicalised; missing roots are dropped).
    pub fn with_roots(roots: &[PathBuf], cap: u64) -> Scope {
        Scope {
            roots: roots
                .iter()
                .filter_map(|r| std::fs::canonicalize(r).ok())
                .collect(),
            cap,
        }
    }

    /// The project root (the first root), when there is one.
    pub fn root(&self) -> Option<&Path> {
        self.roots.first().map(PathBuf::as_path)
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Resolve `path` for reading: it exists, its canonical form is inside a root. Returns the
    /// canonical path and its metadata.
    fn admit(&self, path: &Path) -> Result<(PathBuf, std::fs::Metadata), ReadError> {
        let canon = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::NotFound { path: shown(path) });
            }
            Err(e) => {
                return Err(ReadError::Io {
                    path: shown(path),
                    why: e.to_string(),
                });
            }
        };
        if !self.roots.iter().any(|r| canon.starts_with(r)) {
            return Err(ReadError::Outside {
                path: shown(path),
                root: self.root().map(shown).unwrap_or_default(),
            });
        }
        let meta = std::fs::metadata(&canon).map_err(|e| ReadError::Io {
            path: shown(path),
            why: e.to_string(),
        })?;
        Ok((canon, meta))
    }

    /// Is `path` a regular file inside the scope? (No file is opened.)
    pub fn is_file(&self, path: &Path) -> bool {
        self.admit(path).is_ok_and(|(_, m)| m.is_file())
    }

    /// Is `path` a directory inside the scope?
    pub fn is_dir(&self, path: &Path) -> bool {
        self.admit(path).is_ok_and(|(_, m)| m.is_dir())
    }

    /// Check that `path` may be read (inside the scope, a regular file, within the cap) without
    /// reading it.
    pub fn check(&self, path: &Path) -> Result<PathBuf, ReadError> {
        let (canon, meta) = self.admit(path)?;
        check_kind(path, &meta)?;
        if meta.len() > self.cap {
            return Err(ReadError::TooLarge {
                path: shown(path),
                size: meta.len(),
                cap: self.cap,
            });
        }
        Ok(canon)
    }

    /// Read a file inside the scope: at most `cap` bytes, regular files only.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        let canon = self.check(path)?;
        read_capped(&canon, path, self.cap)
    }

    /// [`Scope::read_bytes`], decoded as UTF-8 (invalid sequences replaced).
    pub fn read_text(&self, path: &Path) -> Result<String, ReadError> {
        let bytes = self.read_bytes(path)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

fn check_kind(path: &Path, meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = if meta.is_dir() {
        "a directory"
    } else {
        special_kind(meta)
    };
    Err(ReadError::NotRegular {
        path: shown(path),
        kind,
    })
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Read at most `cap` bytes of a regular file (a file that grows past the cap while read, or a
/// procfs file whose size is not its length, is refused, not read to the end).
pub fn read_capped(open: &Path, shown_as: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io {
        path: shown(shown_as),
        why: e.to_string(),
    };
    let f = std::fs::File::open(open).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    check_kind(shown_as, &meta)?;
    let len = meta.len().min(cap.saturating_add(1));
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    f.take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            path: shown(shown_as),
            size: meta.len().max(buf.len() as u64),
            cap,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn project() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("proj/src")).unwrap();
        std::fs::create_dir_all(d.path().join("outside")).unwrap();
        std::fs::write(d.path().join("proj/template.yaml"), "Resources: {}\n").unwrap();
        std::fs::write(d.path().join("proj/src/app.py"), "x = 1\n").unwrap();
        std::fs::write(d.path().join("outside/secret.py"), "KEY = 'x'\n").unwrap();
        d
    }

    #[test]
    fn reads_inside_refuses_outside() {
        let d = project();
        let proj = d.path().join("proj");
        let access = Access::new(std::slice::from_ref(&proj), &[], 1024);
        let scope = access.scope_for(&proj.join("template.yaml"));
        assert_eq!(
            scope.read_text(&proj.join("src/app.py")).unwrap(),
            "x = 1\n"
        );
        let e = scope
            .read_text(&proj.join("../outside/secret.py"))
            .unwrap_err();
        assert!(matches!(e, ReadError::Outside { .. }), "{e}");
        assert!(!scope.is_file(&proj.join("../outside/secret.py")));
        assert!(scope.read_text(Path::new("/etc/passwd")).is_err());
        assert!(
            scope
                .read_text(&proj.join("src/missing.py"))
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let d = project();
        let proj = d.path().join("proj");
        std::os::unix::fs::symlink(d.path().join("outside"), proj.join("src/lib")).unwrap();
        let scope = Access::new(std::slice::from_ref(&proj), &[], 1024)
            .scope_for(&proj.join("template.yaml"));
        let e = scope
            .read_text(&proj.join("src/lib/secret.py"))
            .unwrap_err();
        assert!(matches!(e, ReadError::Outside { .. }), "{e}");
    }

    #[test]
    fn extra_roots_are_allowed() {
        let d = project();
        let proj = d.path().join("proj");
        let access = Access::new(
            std::slice::from_ref(&proj),
            &[d.path().join("outside")],
            1024,
        );
        let scope = access.scope_for(&proj.join("template.yaml"));
        assert!(scope.read_text(&proj.join("../outside/secret.py")).is_ok());
    }

    #[test]
    fn marker_widens_to_the_repository() {
        let d = project();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        let proj = d.path().join("proj");
        let scope = Access::new(std::slice::from_ref(&proj), &[], 1024)
            .scope_for(&proj.join("template.yaml"));
        assert_eq!(
            scope.root().unwrap(),
            std::fs::canonicalize(d.path()).unwrap()
        );
        assert!(scope.read_text(&proj.join("../outside/secret.py")).is_ok());
    }

    #[test]
    fn over_the_cap_is_refused_with_the_size() {
        let d = project();
        let proj = d.path().join("proj");
        std::fs::write(proj.join("src/big.py"), vec![b'#'; 2000]).unwrap();
        let scope = Access::new(std::slice::from_ref(&proj), &[], 1024)
            .scope_for(&proj.join("template.yaml"));
        match scope.read_text(&proj.join("src/big.py")).unwrap_err() {
            ReadError::TooLarge { size, cap, .. } => assert_eq!((size, cap), (2000, 1024)),
            e => panic!("{e}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn directories_and_fifos_are_not_read() {
        let d = project();
        let proj = d.path().join("proj");
        let scope = Access::new(std::slice::from_ref(&proj), &[], 1024)
            .scope_for(&proj.join("template.yaml"));
        let e = scope.read_text(&proj.join("src")).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { .. }), "{e}");
        let fifo = proj.join("src/pipe.py");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let e = scope.read_text(&fifo).unwrap_err();
            assert!(
                matches!(e, ReadError::NotRegular { kind: "a FIFO", .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn filesystem_root_and_home_are_never_roots() {
        assert!(too_wide(Path::new("/")));
        if let Some(h) = home() {
            assert!(too_wide(h));
        }
        let a = Access::new(&[PathBuf::from("/")], &[PathBuf::from("/")], 10);
        assert!(a.extra.is_empty());
    }
}
