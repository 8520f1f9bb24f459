//! One finding per cause: when several resources get the same finding from one place (a
//! `Timeout` in `Globals.Function` behind 61 functions), it is reported once, at that place,
//! with the affected resources in `related` and the rule's wording for the cause
//! ([`crate::rule::Report::shared_cause`]).
//!
//! Grouping runs after suppressions, so a suppression on one function (its `Metadata`, a comment
//! at the function) takes that function out of the group, and one at the cause silences it.
//! Baselines record one entry per affected resource (see [`crate::baseline`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Related};
use crate::source::Span;

/// Group the findings that share a cause; findings without a shared cause are left alone.
pub fn group(out: &mut Vec<Diagnostic>) {
    // (code, file, span, cause message) -> indexes of the findings with that cause.
    let mut groups: HashMap<(&'static str, usize, Span, String), Vec<usize>> = HashMap::new();
    for (i, d) in out.iter().enumerate() {
        if let Some(s) = &d.shared {
            let file = Arc::as_ptr(&d.file) as usize;
            groups
                .entry((d.code, file, d.span, s.message.clone()))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; out.len()];
    for (_, members) in groups {
        let resources = members
            .iter()
            .filter_map(|i| out.get(*i).and_then(|d| d.resource.clone()))
            .collect::<std::collections::BTreeSet<_>>();
        if resources.len() < 2 {
            continue;
        }
        let Some((&first, rest)) = members.split_first() else {
            continue;
        };
        let related: Vec<Related> = members
            .iter()
            .filter_map(|i| out.get(*i))
            .filter_map(|d| {
                Some(Related {
                    resource: d.resource.clone()?,
                    file: Arc::clone(&d.file),
                    span: d.shared.as_ref()?.anchor,
                    path: d.path.clone(),
                    kind: d.shared.as_ref()?.kind,
                })
            })
            .collect();
        // The group's fix fixes every member, when their fixes go together; else the first
        // one's (the others are fixed in the next passes of `--fix`).
        let fixes: Vec<crate::fix::Fix> = members
            .iter()
            .filter_map(|i| out.get(*i).and_then(|d| d.fix.clone()))
            .collect();
        let merged = if fixes.len() == members.len() && fixes.len() > 1 {
            let title = format!(
                "{} (and the same for {} more)",
                fixes.first().map_or("", |f| f.title.as_str()),
                fixes.len() - 1
            );
            crate::fix::Fix::merge(&fixes, title)
        } else {
            None
        };
        for i in rest {
            if let Some(f) = drop.get_mut(*i) {
                *f = true;
            }
        }
        if let Some(d) = out.get_mut(first)
            && let Some(s) = d.shared.take()
        {
            d.message = s.message;
            d.help = s.help;
            d.path = s.path;
            d.resource = None;
            d.construct = None;
            d.related = related;
            if merged.is_some() {
                d.fix = merged;
            }
        }
    }
    let mut i = 0;
    out.retain(|_| {
        let keep = !drop.get(i).copied().unwrap_or(false);
        i += 1;
        keep
    });
    for d in out.iter_mut() {
        d.shared = None;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::path::PathBuf;

    use super::*;
    use crate::diagnostic::{Severity, Shared};
    use crate::source::SourceFile;

    fn d(file: &Arc<SourceFile>, res: &str, at: u32, cause: Option<&str>) -> Diagnostic {
        Diagnostic {
            resource: Some(res.into()),
            shared: cause.map(|m| {
                Box::new(Shared {
                    message: m.into(),
                    help: Some("fix the cause".into()),
                    path: vec!["Globals".into()],
                    anchor: Span::new(at as usize, at as usize + 1),
                    kind: "function",
                })
            }),
            ..Diagnostic::new(
                "LMB011",
                Severity::Warning,
                format!("{res} is over"),
                Arc::clone(file),
                Span::new(1, 2),
            )
        }
    }

    #[test]
    fn shared_causes_are_reported_once() {
        let f = Arc::new(SourceFile::new(
            PathBuf::from("t"),
            "t".into(),
            "x".repeat(50),
        ));
        let mut out = vec![
            d(&f, "A", 10, Some("globals timeout")),
            d(&f, "B", 20, Some("globals timeout")),
            d(&f, "C", 30, None),
            d(&f, "D", 40, Some("other cause")),
        ];
        group(&mut out);
        assert_eq!(out.len(), 3, "{out:#?}");
        let g = &out[0];
        assert_eq!(g.message, "globals timeout");
        assert_eq!(g.resource, None);
        let names: Vec<&str> = g.related.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(g.related[1].span.start, 20);
        // A single finding with a shared cause keeps its own wording.
        assert_eq!(out[2].message, "D is over");
        assert!(out.iter().all(|d| d.shared.is_none()));
    }
}
