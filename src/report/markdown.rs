//! The Markdown report: the same content as the HTML report; the graph as DOT text (render it with
//! `dot -Tsvg`), since Markdown has no inline pictures of its own.

use std::fmt::Write as _;

use crate::report::facts::{Cell, HandlerFacts};
use crate::report::graph::to_dot;
use crate::report::{AppReport, Options, Report, SCORE_FORMULA, concern_label};
use crate::rule::meta;

use crate::render::safe::{md_block, md_code, md_inline, md_text};

/// Text (with `identifiers` in backticks) safe inside a table cell, a heading or a list item.
fn cell_text(s: &str) -> String {
    md_inline(s)
}

fn c(x: &Cell) -> String {
    cell_text(&x.text())
}

fn join(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        cell_text(&items.join("; "))
    }
}

fn app(s: &mut String, a: &AppReport, opts: &Options) {
    let _ = writeln!(
        s,
        "## {}\n\nScore **{}** (grade {}) · {} function(s) · {} resource(s) · {} error(s), {} warning(s), {} info\n",
        md_text(&a.file),
        a.score,
        a.grade(),
        a.functions.len(),
        a.resources,
        a.counts.error,
        a.counts.warning,
        a.counts.info
    );
    if let Some(d) = &a.description {
        let _ = writeln!(s, "{}\n", md_text(d));
    }
    if !a.functions.is_empty() {
        s.push_str("### Functions\n\n| Function | Runtime | Memory (MB) | Timeout (s) | Invoked by (mode) | Failure destination | VPC / egress | Reserved concurrency | Database links | IAM breadth | Handler | Findings |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for f in &a.functions {
            let inv: Vec<String> = f.invocations.iter().map(|i| i.describe()).collect();
            let mut vpc = c(&f.vpc);
            if !f.egress.is_empty() {
                let _ = write!(vpc, "; egress: {}", join(&f.egress, ""));
            }
            let iam = f.iam.parts();
            let iam = if iam.is_empty() {
                f.iam.scoped()
            } else {
                join(&iam, "")
            };
            let handler = match &f.handler_facts {
                HandlerFacts::NotAnalysed(why) => match why {
                    Some(w) => format!("not analysed: {}", cell_text(w)),
                    None => "not analysed".to_string(),
                },
                HandlerFacts::Analysed(v) => join(v, "nothing notable"),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md_code(&f.id),
                c(&f.runtime),
                c(&f.memory),
                c(&f.timeout),
                join(&inv, "none in the template"),
                join(&f.failure_destinations, "none"),
                vpc,
                c(&f.reserved_concurrency),
                join(&f.database_links, "none"),
                iam,
                handler,
                f.findings.total()
            );
        }
        s.push('\n');
    }
    if !a.graph.nodes.is_empty() {
        let dot = md_block(&to_dot(&a.graph, &a.file), "dot");
        let _ = writeln!(
            s,
            "<details><summary>Resource graph (DOT, {} of {} resources; render with <code>dot -Tsvg</code>)</summary>\n\n{dot}\n\n</details>\n",
            a.graph.nodes.len(),
            a.graph.total_nodes
        );
    }
    let _ = writeln!(s, "### Findings ({})\n", a.findings.len());
    if a.findings.is_empty() {
        s.push_str("No findings.\n\n");
    }
    for (k, f) in a.findings.iter().enumerate() {
        let rule = if f.help_uri.is_empty() {
            format!("{} {}", f.code, f.name)
        } else {
            format!("[{} {}]({})", f.code, f.name, f.help_uri)
        };
        let _ = writeln!(
            s,
            "- **{}** {} — {}{}  \n  {} · {}",
            f.severity.as_str(),
            rule,
            md_inline(&f.message),
            f.resource
                .as_ref()
                .map(|r| format!(" (resource {})", md_code(r)))
                .unwrap_or_default(),
            md_code(&format!("{}:{}:{}", f.file, f.line, f.column)),
            concern_label(&f.category)
        );
        if let Some(h) = &f.help {
            let _ = writeln!(s, "  help: {}", md_inline(h));
        }
        if k < opts.max_excerpts_per_app && !f.excerpt.is_empty() {
            let body: String = f
                .excerpt
                .iter()
                .map(|l| {
                    format!(
                        "{}{:>5} | {}\n",
                        if l.marked { ">" } else { " " },
                        l.number,
                        l.text
                    )
                })
                .collect();
            let _ = writeln!(s);
            for line in md_block(&body, "text").lines() {
                let _ = writeln!(s, "  {line}");
            }
            let _ = writeln!(s);
        }
    }
    s.push('\n');
}

/// Render the whole report as Markdown.
pub fn render(r: &Report, opts: &Options) -> String {
    let mut s = String::new();
    let functions: usize = r.apps.iter().map(|a| a.functions.len()).sum();
    let _ = writeln!(
        s,
        "# Serverless audit report\n\nlambdalint {} · {} application(s) · {} function(s) · {} file(s) looked at\n",
        env!("CARGO_PKG_VERSION"),
        r.apps.len(),
        functions,
        r.files
    );
    let _ = writeln!(
        s,
        "## Summary\n\n**{}** findings: **{}** errors, **{}** warnings, **{}** info.\n",
        r.counts.total(),
        r.counts.error,
        r.counts.warning,
        r.counts.info
    );
    s.push_str("### By concern\n\n| Concern | Errors | Warnings | Info |\n|---|---:|---:|---:|\n");
    for (cat, n) in &r.by_concern {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            concern_label(cat),
            n.error,
            n.warning,
            n.info
        );
    }
    s.push_str("\n### By rule\n\n");
    if r.by_rule.is_empty() {
        s.push_str("No findings.\n");
    } else {
        s.push_str("| Rule | Name | Concern | Findings |\n|---|---|---|---:|\n");
        for (code, (n, _)) in &r.by_rule {
            let m = meta(code);
            let link = m.map_or_else(|| code.clone(), |m| format!("[{code}]({})", m.help_uri()));
            let _ = writeln!(
                s,
                "| {link} | {} | {} | {n} |",
                m.map_or("input-problem", |m| m.name.as_str()),
                concern_label(m.map_or("input", |m| m.category.as_str()))
            );
        }
    }
    s.push('\n');
    if r.apps.len() > 1 {
        s.push_str("### Applications\n\n| Template | Functions | Errors | Warnings | Info | Score |\n|---|---:|---:|---:|---:|---:|\n");
        for a in &r.apps {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} ({}) |",
                md_text(&a.file),
                a.functions.len(),
                a.counts.error,
                a.counts.warning,
                a.counts.info,
                a.score,
                a.grade()
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "Score: {SCORE_FORMULA}\n");
    if !r.errors.is_empty() {
        s.push_str("## Input problems\n\n");
        for e in &r.errors {
            let _ = writeln!(
                s,
                "- {} {}: {}",
                md_code(&e.file),
                e.code,
                md_inline(&e.message)
            );
        }
        s.push('\n');
    }
    for a in &r.apps {
        app(&mut s, a, opts);
    }
    s
}
