//! Unsaved buffers over the file system: an open document's text wins over the file on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::load::MAX_FILE_BYTES;

/// Open documents by path.
#[derive(Debug, Default)]
pub struct Overlay {
    docs: HashMap<PathBuf, String>,
}

impl Overlay {
    pub fn open(&mut self, path: PathBuf, text: String) {
        self.docs.insert(path, text);
    }

    pub fn close(&mut self, path: &Path) {
        self.docs.remove(path);
    }

    pub fn is_open(&self, path: &Path) -> bool {
        self.docs.contains_key(path)
    }

    pub fn get_mut(&mut self, path: &Path) -> Option<&mut String> {
        self.docs.get_mut(path)
    }

    /// The unsaved buffer of an open document (no disk read).
    pub fn open_text(&self, path: &Path) -> Option<String> {
        self.docs.get(path).cloned()
    }

    /// The current text: the buffer when open, else the file (`None` if unreadable, too large or not UTF-8).
    pub fn text(&self, path: &Path) -> Option<String> {
        if let Some(t) = self.docs.get(path) {
            return Some(t.clone());
        }
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return None;
        }
        String::from_utf8(std::fs::read(path).ok()?).ok()
    }
}

/// `file://` URI to a path (percent-decoded). Other schemes: `None`.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // Drop an authority (`file://localhost/x`).
    let rest = if rest.starts_with('/') {
        rest
    } else {
        rest.find('/').and_then(|i| rest.get(i..))?
    };
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    let s = String::from_utf8(out).ok()?;
    // Windows drive letters: `/C:/x` -> `C:/x`.
    let s = match s.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => s.get(1..).unwrap_or(&s).to_string(),
        _ => s,
    };
    Some(PathBuf::from(s))
}

/// A path to a `file://` URI (percent-encoding what URIs do not allow).
pub fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn uri_round_trip() {
        let p = PathBuf::from("/tmp/a b/Größe.yaml");
        let u = path_to_uri(&p);
        assert_eq!(u, "file:///tmp/a%20b/Gr%C3%B6%C3%9Fe.yaml");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert_eq!(
            uri_to_path("file://localhost/x/y").unwrap(),
            PathBuf::from("/x/y")
        );
        assert!(uri_to_path("untitled:1").is_none());
    }

    #[test]
    fn overlay_wins_over_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.yaml");
        std::fs::write(&p, "disk").unwrap();
        let mut o = Overlay::default();
        assert_eq!(o.text(&p).unwrap(), "disk");
        o.open(p.clone(), "buffer".into());
        assert_eq!(o.text(&p).unwrap(), "buffer");
        o.close(&p);
        assert_eq!(o.text(&p).unwrap(), "disk");
    }
}
