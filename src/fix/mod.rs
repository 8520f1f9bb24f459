//! Fixes: what a finding's fix is (a title, whether it is safe, text edits at byte spans), the
//! builders rules make their edits with ([`edit::Editor`]), and applying fixes to a text in
//! passes of non-overlapping edits with a re-check in between ([`fix_text`]). The command line
//! (`check --fix`, `--diff`, see [`run`]) and the language server's code actions use the same
//! code, so an editor's quick fix is exactly the edit `--fix` makes.
//!
//! Fixes never re-serialise a document: every edit replaces or inserts a few bytes at a known
//! span, in the style of the text around it (see [`style`]).

pub mod aws;
pub mod edit;
pub mod run;
pub mod source;
pub mod style;
pub mod val;

#[cfg(test)]
mod builder_tests;

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

pub use edit::Editor;
pub use style::Style;
pub use val::Val;

/// Whether a fix may be applied without asking (ruff's meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Keeps what the deployed application does (`check --fix`).
    Safe,
    /// Changes behaviour or adds resources: applied with `--unsafe-fixes` only.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes of `span` by `text` (an insertion when `span` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub text: String,
    /// Indentation of the block an insertion starts: of two insertions at one offset (the line
    /// after a resource that ends `Resources`), the deeper one goes first, so that a key for the
    /// resource's properties comes before a new resource.
    pub depth: u32,
}

/// A finding's fix: edits in the finding's file (or in `file`).
#[derive(Debug, Clone)]
pub struct Fix {
    /// What it does, for menus and `--diff` summaries ("Set `Timeout: 3`").
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// What the fix takes for itself besides its spans (a key of a mapping it inserts, a new
    /// logical id): two fixes claiming the same thing are applied in separate passes.
    pub claims: Vec<String>,
    /// The file the edits are in when it is not the finding's: the template, for a finding in
    /// a handler source whose fix is a grant in the template (IAM006).
    pub file: Option<Arc<SourceFile>>,
}

impl PartialEq for Fix {
    fn eq(&self, o: &Fix) -> bool {
        self.title == o.title
            && self.applicability == o.applicability
            && self.edits == o.edits
            && self.claims == o.claims
            && self.file.as_ref().map(|f| &f.path) == o.file.as_ref().map(|f| &f.path)
    }
}

impl Fix {
    /// One fix doing what all of `fixes` do (a grouped finding's members each fixed in their
    /// own place), when their edits and claims do not conflict; unsafe when any is.
    pub fn merge(fixes: &[Fix], title: String) -> Option<Fix> {
        let mut edits: Vec<Edit> = Vec::new();
        let mut claims: Vec<String> = Vec::new();
        let mut applicability = Applicability::Safe;
        let file = fixes.first().and_then(|f| f.file.clone());
        for f in fixes {
            if f.file.as_ref().map(|x| &x.path) != file.as_ref().map(|x| &x.path) {
                return None;
            }
            for e in &f.edits {
                if edits
                    .iter()
                    .any(|x| edits_conflict(x, e) || x.span == e.span)
                {
                    return None;
                }
            }
            if f.claims.iter().any(|c| claims.contains(c)) {
                return None;
            }
            edits.extend(f.edits.iter().cloned());
            claims.extend(f.claims.iter().cloned());
            if f.applicability == Applicability::Unsafe {
                applicability = Applicability::Unsafe;
            }
        }
        Some(Fix {
            title,
            applicability,
            edits,
            claims,
            file,
        })
    }
}

fn edits_conflict(a: &Edit, b: &Edit) -> bool {
    let (ae, be) = (a.span.start == a.span.end, b.span.start == b.span.end);
    match (ae, be) {
        // Insertions at the same place are applied one after the other.
        (true, true) => false,
        (true, false) => b.span.start <= a.span.start && a.span.start <= b.span.end,
        (false, true) => a.span.start <= b.span.start && b.span.start <= a.span.end,
        (false, false) => a.span.start < b.span.end && b.span.start < a.span.end,
    }
}

impl Fix {
    /// Can these two fixes not be applied in the same pass?
    pub fn conflicts(&self, other: &Fix) -> bool {
        self.claims.iter().any(|c| other.claims.contains(c))
            || self
                .edits
                .iter()
                .any(|a| other.edits.iter().any(|b| edits_conflict(a, b)))
    }
}

/// Apply edits to a text. `None` when two edits overlap or a span is outside the text.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    // Stable: insertions at one offset and depth keep their order.
    sorted.sort_by_key(|e| (e.span.start, e.span.end, std::cmp::Reverse(e.depth)));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0usize;
    for e in sorted {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            return None;
        }
        out.push_str(text.get(at..s)?);
        out.push_str(&e.text);
        at = t;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// The fixes one pass applies, in the given order: each fix that conflicts with none chosen
/// before it. A fix with exactly the edits of a chosen one (the same `Globals` timeout for
/// several functions) is counted as applied with it: `(chosen, duplicates)`.
///
/// The chosen fixes' edits and claims are indexed (a handler file can have tens of thousands
/// of fixes), so each fix is checked in logarithmic time, not against every chosen one.
pub fn select(fixes: &[&Fix]) -> (Vec<usize>, Vec<usize>) {
    let mut chosen: Vec<usize> = Vec::new();
    let mut dups = Vec::new();
    let mut taken = Taken::default();
    for (i, &f) in fixes.iter().enumerate() {
        if taken.edit_sets.contains(f.edits.as_slice()) {
            dups.push(i);
            continue;
        }
        let conflict = if taken.scan {
            chosen
                .iter()
                .filter_map(|&c| fixes.get(c))
                .any(|c| c.conflicts(f))
        } else {
            taken.conflicts(f)
        };
        if !conflict {
            chosen.push(i);
            taken.add(f);
        }
    }
    (chosen, dups)
}

/// What the fixes chosen so far edit and claim.
#[derive(Default)]
struct Taken<'f> {
    edit_sets: HashSet<&'f [Edit]>,
    claims: HashSet<&'f str>,
    /// Replacements (non-empty spans), end by start: they never overlap one another, so the
    /// one starting last before an offset ends last too.
    spans: std::collections::BTreeMap<u32, u32>,
    /// Insertion offsets.
    inserts: std::collections::BTreeSet<u32>,
    /// A chosen fix's own replacements overlap (no rule makes one): the index no longer
    /// answers, and each fix is compared with every chosen one instead.
    scan: bool,
}

impl<'f> Taken<'f> {
    /// Does a chosen replacement overlap the bytes `s..t` (`t > s`)?
    fn replaced(&self, s: u32, t: u32) -> bool {
        self.spans
            .range(..t)
            .next_back()
            .is_some_and(|(_, &end)| end > s)
    }

    /// Does an edit of `f` conflict with a chosen edit ([`edits_conflict`]), or a claim with a
    /// chosen claim?
    fn conflicts(&self, f: &Fix) -> bool {
        f.claims.iter().any(|c| self.claims.contains(c.as_str()))
            || f.edits.iter().any(|e| {
                let (s, t) = (e.span.start, e.span.end);
                if s == t {
                    // An insertion inside (or at either end of) a replacement.
                    self.spans
                        .range(..=s)
                        .next_back()
                        .is_some_and(|(_, &end)| end >= s)
                } else {
                    self.replaced(s, t) || self.inserts.range(s..=t).next().is_some()
                }
            })
    }

    fn add(&mut self, f: &'f Fix) {
        self.edit_sets.insert(f.edits.as_slice());
        self.claims.extend(f.claims.iter().map(String::as_str));
        for e in &f.edits {
            let (s, t) = (e.span.start, e.span.end);
            if s == t {
                self.inserts.insert(s);
            } else if self.replaced(s, t) {
                self.scan = true;
            } else {
                self.spans.insert(s, t);
            }
        }
    }
}

/// At most this many passes (check, apply the non-overlapping fixes, re-check) per file.
pub const MAX_PASSES: usize = 10;

/// The result of fixing one text.
#[derive(Debug)]
pub struct Fixed {
    /// The file after the last accepted pass (the input itself when nothing was applied).
    pub file: Arc<SourceFile>,
    /// Findings fixed: for each rule, how many fewer findings the last check has than the
    /// first (a grouped finding counts once, as it is reported; a fix that leaves its finding
    /// in place, or a group that only shrinks, fixes nothing).
    pub applied: usize,
    /// Findings of the last check of `file`.
    pub diagnostics: Vec<Diagnostic>,
    /// Titles of fixes that were dropped because the text they produced did not load.
    pub rejected: Vec<String>,
}

impl Fixed {
    pub fn changed(&self, original: &SourceFile) -> bool {
        self.file.text != original.text
    }
}

/// Identity of a finding's fix across passes (spans move; these do not).
fn fix_key(d: &Diagnostic, f: &Fix) -> String {
    format!(
        "{}|{}|{}|{}",
        d.code,
        d.resource.as_deref().unwrap_or(""),
        d.path.join("."),
        f.title
    )
}

/// How many findings of `before` are gone in `after`, rule by rule: the sum over codes of
/// `before - after` where positive. With no new finding this is exactly
/// `before.len() - after.len()`, the drop a re-check shows.
pub fn gone(before: &[Diagnostic], after: &[Diagnostic]) -> usize {
    let mut by_code: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for d in before {
        *by_code.entry(d.code).or_default() += 1;
    }
    for d in after {
        *by_code.entry(d.code).or_default() -= 1;
    }
    by_code
        .values()
        .filter(|n| **n > 0)
        .map(|n| usize::try_from(*n).unwrap_or(0))
        .sum()
}

/// Loader findings (`E0xx`): a pass that adds one (a duplicate key) is refused.
fn input_problems(ds: &[Diagnostic]) -> usize {
    ds.iter().filter(|d| d.code.starts_with('E')).count()
}

/// Apply the fixes of `diagnostics` (findings of `file`) whose applicability is at most `allow`,
/// in passes: each pass applies the fixes that do not conflict, then `check` re-checks the new
/// text (returning `None` when it no longer loads as a template). A fix is applied at most once;
/// a pass whose text does not load is retried one fix at a time and the culprits are dropped.
pub fn fix_text(
    file: &Arc<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    allow: Applicability,
    check: &dyn Fn(&Arc<SourceFile>) -> Option<Vec<Diagnostic>>,
) -> Fixed {
    let mut cur = Arc::clone(file);
    let first = diagnostics.clone();
    let mut diags = diagnostics;
    let mut tried: HashSet<String> = HashSet::new();
    let mut rejected = Vec::new();
    for _ in 0..MAX_PASSES {
        let mut cands: Vec<(&Diagnostic, &Fix)> = diags
            .iter()
            .filter(|d| d.fix_file().path == cur.path)
            .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
            .filter(|(d, f)| f.applicability <= allow && !tried.contains(&fix_key(d, f)))
            .collect();
        cands.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
        if cands.is_empty() {
            break;
        }
        let fixes: Vec<&Fix> = cands.iter().map(|(_, f)| *f).collect();
        let (chosen, dups) = select(&fixes);
        let keys: Vec<String> = chosen
            .iter()
            .chain(&dups)
            .filter_map(|&i| cands.get(i))
            .map(|(d, f)| fix_key(d, f))
            .collect();
        let before = input_problems(&diags);
        let attempt = |idx: &[usize]| -> Option<(Arc<SourceFile>, Vec<Diagnostic>)> {
            let edits: Vec<&Edit> = idx
                .iter()
                .filter_map(|&i| fixes.get(i))
                .flat_map(|f| f.edits.iter())
                .collect();
            let text = apply_edits(&cur.text, &edits)?;
            let next = Arc::new(SourceFile::new(cur.path.clone(), cur.display.clone(), text));
            let ds = check(&next)?;
            (input_problems(&ds) <= before).then_some((next, ds))
        };
        let result = match attempt(&chosen) {
            Some(r) => Some(r),
            None => {
                // Find the fixes that break the text, one at a time; keep the first good one.
                let mut found = None;
                for &i in &chosen {
                    match attempt(&[i]) {
                        Some(r) => {
                            found = Some(r);
                            break;
                        }
                        None => {
                            if let Some((_, f)) = cands.get(i) {
                                rejected.push(f.title.clone());
                            }
                        }
                    }
                }
                found
            }
        };
        tried.extend(keys);
        let Some((next, ds)) = result else { continue };
        cur = next;
        diags = ds;
    }
    // Counted from the findings, not from the fixes applied: a grouped finding's fix applied
    // member by member over several passes, or a fix that does not remove its finding, would
    // otherwise be counted more than once or for nothing.
    let applied = if Arc::ptr_eq(&cur, file) {
        0
    } else {
        gone(&first, &diags)
    };
    Fixed {
        file: cur,
        applied,
        diagnostics: diags,
        rejected,
    }
}

/// Check `text` as the file `display` with every rule (default selection, no handler sources on
/// disk) and apply its fixes up to `allow`: for tests and tools.
pub fn fix_source(
    display: &str,
    text: &str,
    allow: Applicability,
) -> Result<Fixed, crate::load::LoadError> {
    fix_source_with(display, text, allow, &crate::rule::RuleSelection::default())
}

/// [`fix_source`] with the rules of `sel` only.
pub fn fix_source_with(
    display: &str,
    text: &str,
    allow: Applicability,
    sel: &crate::rule::RuleSelection,
) -> Result<Fixed, crate::load::LoadError> {
    let file = Arc::new(SourceFile::new(
        std::path::PathBuf::from(display),
        display.to_string(),
        text.to_string(),
    ));
    let rules = crate::rules::all();
    let diags = crate::check::check_source(&file, &rules, sel)?.unwrap_or_default();
    let recheck = |f: &Arc<SourceFile>| crate::check::check_source(f, &rules, sel).ok().flatten();
    Ok(fix_text(&file, diags, allow, &recheck))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn edit(s: usize, e: usize, t: &str) -> Edit {
        Edit {
            span: Span::new(s, e),
            text: t.into(),
            depth: 0,
        }
    }

    fn fix(edits: Vec<Edit>, claims: &[&str]) -> Fix {
        Fix {
            title: "t".into(),
            applicability: Applicability::Safe,
            edits,
            claims: claims.iter().map(|c| c.to_string()).collect(),
            file: None,
        }
    }

    #[test]
    fn edits_apply_in_offset_order() {
        let a = edit(4, 5, "X");
        let b = edit(0, 0, ">");
        let c = edit(0, 0, ">>");
        assert_eq!(apply_edits("abcdef", &[&a, &b, &c]).unwrap(), ">>>abcdXf");
        let deep = Edit {
            depth: 4,
            ..edit(0, 0, "d")
        };
        assert_eq!(apply_edits("abc", &[&b, &deep]).unwrap(), "d>abc");
        let d = edit(3, 5, "");
        assert_eq!(apply_edits("abcdef", &[&a, &d]), None);
        assert_eq!(apply_edits("abc", &[&edit(2, 9, "")]), None);
    }

    #[test]
    fn conflicts_and_duplicates() {
        let f1 = fix(vec![edit(10, 12, "a")], &[]);
        let f2 = fix(vec![edit(11, 11, "b")], &[]);
        let f3 = fix(vec![edit(12, 12, "c")], &[]);
        let f4 = fix(vec![edit(20, 20, "d")], &["key:1:Timeout"]);
        let f5 = fix(vec![edit(20, 20, "e")], &["key:1:Timeout"]);
        let f6 = fix(vec![edit(10, 12, "a")], &[]);
        let f7 = fix(vec![edit(20, 20, "f")], &[]);
        assert!(f1.conflicts(&f2));
        assert!(f1.conflicts(&f3));
        assert!(!f2.conflicts(&f3));
        assert!(f4.conflicts(&f5));
        assert!(!f4.conflicts(&f7));
        let (chosen, dups) = select(&[&f1, &f2, &f4, &f5, &f6, &f7]);
        assert_eq!(chosen, [0, 2, 5]);
        assert_eq!(dups, [4]);
    }

    /// The indexed [`select`] chooses exactly what comparing each fix with every chosen one
    /// does, on random fixes (insertions and replacements over a short text, shared claims,
    /// duplicates, fixes whose own edits overlap).
    #[test]
    fn indexed_selection_is_the_pairwise_one() {
        fn pairwise(fixes: &[&Fix]) -> (Vec<usize>, Vec<usize>) {
            let mut chosen: Vec<usize> = Vec::new();
            let mut dups = Vec::new();
            for (i, f) in fixes.iter().enumerate() {
                let picked = || chosen.iter().filter_map(|&c| fixes.get(c));
                if picked().any(|c| c.edits == f.edits) {
                    dups.push(i);
                } else if !picked().any(|c| c.conflicts(f)) {
                    chosen.push(i);
                }
            }
            (chosen, dups)
        }
        // xorshift: the same cases on every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n).unwrap()
        };
        let mut differing = 0;
        let mut chosen_total = 0;
        for case in 0..3000 {
            let count = 1 + next(30);
            let fixes: Vec<Fix> = (0..count)
                .map(|_| {
                    let edits = (0..1 + next(3))
                        .map(|_| {
                            let s = next(60);
                            let len = if next(2) == 0 { 0 } else { 1 + next(6) };
                            edit(s, s + len, "x")
                        })
                        .collect();
                    let claims: &[&str] = match next(8) {
                        0 => &["a"],
                        1 => &["b"],
                        _ => &[],
                    };
                    fix(edits, claims)
                })
                .collect();
            let refs: Vec<&Fix> = fixes.iter().collect();
            let want = pairwise(&refs);
            let got = select(&refs);
            chosen_total += got.0.len();
            if got != want {
                differing += 1;
                assert_eq!(got, want, "case {case}: {fixes:?}");
            }
        }
        assert_eq!(differing, 0);
        // The cases do choose and refuse fixes.
        assert!(
            chosen_total > 3000 && chosen_total < 3000 * 15,
            "{chosen_total}"
        );
    }
}
