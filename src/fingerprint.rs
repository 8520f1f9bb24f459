//! Stable finding fingerprints: file + resource + code + property path, never line numbers, so
//! they survive edits that shift lines (SARIF `partialFingerprints`, baselines).

use crate::diagnostic::Diagnostic;

/// 64-bit FNV-1a: tiny, dependency-free and stable across versions and platforms.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The fingerprint of a finding, as 16 hex digits.
///
/// Findings about a resource are keyed by file, resource, code and property path. Findings with
/// neither a resource nor a path (input problems such as duplicate keys) use the message instead.
pub fn fingerprint(d: &Diagnostic) -> String {
    let file = d.file.display.replace('\\', "/");
    let path = d.path.join("/");
    let resource = d.resource.as_deref().unwrap_or("");
    let extra = if d.resource.is_none() && d.path.is_empty() {
        d.message.as_str()
    } else {
        ""
    };
    format!("{:016x}", fnv1a(&[&file, resource, d.code, &path, extra]))
}

/// The fingerprint the finding of one resource of a grouped finding has (the same as when that
/// resource alone had the finding), so baselines work per resource.
pub fn member_fingerprint(d: &Diagnostic, r: &crate::diagnostic::Related) -> String {
    let file = d.file.display.replace('\\', "/");
    let path = r.path.join("/");
    format!("{:016x}", fnv1a(&[&file, &r.resource, d.code, &path, ""]))
}

/// The fingerprints a finding stands for: its members' for a grouped finding, its own otherwise.
pub fn fingerprints(d: &Diagnostic) -> Vec<String> {
    if d.related.is_empty() {
        vec![fingerprint(d)]
    } else {
        d.related.iter().map(|r| member_fingerprint(d, r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        // Known FNV-1a 64 value of the empty input followed by our separator byte.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(&["a", "b"]), fnv1a(&["ab", ""]));
    }
}
