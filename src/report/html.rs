//! The self-contained HTML report: inline CSS, inline SVG, no script, no network, printable.

use std::fmt::Write as _;

use crate::diagnostic::Severity;
use crate::report::facts::{Cell, FunctionFacts, HandlerFacts};
use crate::report::{
    AppReport, Counts, Finding, Options, Report, SCORE_FORMULA, concern_label, svg, use_dot,
};
use crate::rule::meta;

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    crate::render::safe::html(s)
}

/// Escape, and show `identifiers` in backticks as code.
pub fn inline(s: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for (i, part) in s.split('`').enumerate() {
        if i > 0 {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        }
        out.push_str(&escape(part));
    }
    if code {
        out.push_str("</code>");
    }
    out
}

/// Only http(s) links are written as links.
fn safe_url(u: &str) -> Option<String> {
    (u.starts_with("https://") || u.starts_with("http://")).then(|| escape(u))
}

const CSS: &str = r#"
:root{--err:#c62828;--warn:#d97706;--info:#1f6fb4;--ok:#2e7d32;--line:#d9dde3;--muted:#5f6b7a;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;background:#fff}
main{max-width:1400px;margin:0 auto;padding:24px 28px 48px}
header.top{border-bottom:3px solid #1d2330;padding-bottom:10px;margin-bottom:18px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 10px}h3{font-size:16px;margin:22px 0 8px}
.muted{color:var(--muted)}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f5;padding:0 3px;border-radius:3px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:120px;background:var(--bg)}
.card b{display:block;font-size:24px}
.card.error b{color:var(--err)}.card.warning b{color:var(--warn)}.card.info b{color:var(--info)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;font-size:12.5px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.functions th,table.functions td{font-size:12px;padding:4px 6px}
table.functions code{font-size:11.5px}
table.functions td ul{margin:0;padding-left:14px}table.functions tr.hfacts td{border-top:0;padding-top:0;padding-bottom:8px}table.functions tr.hfacts ul{display:inline;padding:0}table.functions tr.hfacts li{display:inline}table.functions tr.hfacts li+li::before{content:" · ";color:#888}
.sev{display:inline-block;border-radius:10px;padding:0 8px;font-size:11.5px;font-weight:700;color:#fff;text-transform:uppercase}
.sev.error{background:var(--err)}.sev.warning{background:var(--warn)}.sev.info{background:var(--info)}
.grade{display:inline-block;min-width:2.2em;text-align:center;border-radius:6px;padding:1px 6px;font-weight:700;color:#fff}
.grade.A{background:var(--ok)}.grade.B{background:#689f38}.grade.C{background:var(--warn)}.grade.D{background:#e65100}.grade.F{background:var(--err)}
.note{font-size:11px;color:var(--muted);margin-left:4px}
.unknown{color:#8a5a00}
.none{color:var(--muted)}
section.app{border:1px solid var(--line);border-radius:10px;margin:18px 0;padding:0 16px}
section.app>details>summary{cursor:pointer;padding:12px 0;font-size:17px;font-weight:600;list-style-position:outside}
section.app>details>summary .counts{font-weight:400;font-size:13px;color:var(--muted);margin-left:8px}
figure{margin:8px 0 14px;border:1px solid var(--line);border-radius:8px;padding:10px;overflow-x:auto;background:#fcfcfd}
figure svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:var(--muted);margin-top:6px}
.legend span{display:inline-block;margin-right:12px}
.legend{margin-top:4px}.legend i{display:inline-block;width:16px;height:11px;border-radius:3px;vertical-align:-1px;margin-right:4px;border:1.5px solid #6b7280}
table.findings td.msg p{margin:2px 0}
table.findings td.msg .help{color:#2b4a6b}
pre.excerpt{margin:6px 0 2px;padding:6px 0;background:#1f2430;color:#e6e6e6;border-radius:6px;overflow-x:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre.excerpt span{display:block;padding:0 10px;white-space:pre}
pre.excerpt span.mark{background:#5a2a2a}
pre.excerpt i{display:inline-block;width:3.5em;color:#8c93a3;font-style:normal;text-align:right;margin-right:12px;user-select:none}
tr.error td:first-child{border-left:4px solid var(--err)}tr.warning td:first-child{border-left:4px solid var(--warn)}tr.info td:first-child{border-left:4px solid var(--info)}
table.apps td{padding:3px 8px}table.apps td:first-child{overflow-wrap:anywhere}td.num{white-space:nowrap}
details.errors summary{cursor:pointer}
footer{margin-top:30px;border-top:1px solid var(--line);padding-top:10px;font-size:12px;color:var(--muted)}
a{color:#1a56a8}
@media print{
  body{font-size:11px}
  main{max-width:none;padding:0}
  details::details-content{content-visibility:visible;display:block}
  section.app{break-inside:auto;border:none;padding:0}
  tr,figure,pre.excerpt{break-inside:avoid}
  pre.excerpt{background:#f4f4f4;color:#000;border:1px solid #ccc}
  pre.excerpt span.mark{background:#ffe0e0}
  a{color:inherit;text-decoration:none}
  .sev,.grade,.card{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"#;

fn sev_badge(s: Severity) -> String {
    format!("<span class=\"sev {0}\">{0}</span>", s.as_str())
}

fn counts_text(c: &Counts) -> String {
    format!(
        "{} error{}, {} warning{}, {} info",
        c.error,
        if c.error == 1 { "" } else { "s" },
        c.warning,
        if c.warning == 1 { "" } else { "s" },
        c.info
    )
}

fn cell(c: &Cell) -> String {
    let v = inline(&c.value);
    match c.note.as_deref() {
        Some("unknown") => {
            format!("<span class=\"unknown\">{v}</span><span class=\"note\">unknown</span>")
        }
        Some(n) => format!("{v}<span class=\"note\">{}</span>", escape(n)),
        None => v,
    }
}

fn list(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        return format!("<span class=\"none\">{}</span>", escape(empty));
    }
    if items.len() == 1 {
        return items.first().map(|s| inline(s)).unwrap_or_default();
    }
    let mut s = String::from("<ul>");
    for i in items {
        let _ = write!(s, "<li>{}</li>", inline(i));
    }
    s.push_str("</ul>");
    s
}

fn function_row(f: &FunctionFacts) -> String {
    let mut s = String::new();
    let invocations: Vec<String> = f.invocations.iter().map(|i| i.describe()).collect();
    let mut vpc = cell(&f.vpc);
    if !f.egress.is_empty() {
        vpc.push_str("<br>egress: ");
        vpc.push_str(&list(&f.egress, ""));
    }
    let iam = {
        let parts = f.iam.parts();
        if parts.is_empty() {
            let scoped = f.iam.scoped();
            if f.iam.statements == 0 {
                format!("<span class=\"none\">{}</span>", escape(&scoped))
            } else {
                escape(&scoped)
            }
        } else {
            list(&parts, "")
        }
    };
    let handler = match &f.handler_facts {
        HandlerFacts::NotAnalysed(why) => format!(
            "<span class=\"none\">not analysed{}</span>",
            why.as_ref()
                .map(|w| format!(": {}", escape(w)))
                .unwrap_or_default()
        ),
        HandlerFacts::Analysed(facts) => list(facts, "nothing notable"),
    };
    let findings = if f.findings.total() == 0 {
        "<span class=\"none\">0</span>".to_string()
    } else {
        let worst = if f.findings.error > 0 {
            Severity::Error
        } else if f.findings.warning > 0 {
            Severity::Warning
        } else {
            Severity::Info
        };
        format!(
            "<span class=\"sev {}\">{}</span>",
            worst.as_str(),
            f.findings.total()
        )
    };
    let _ = writeln!(
        s,
        "<tr><td><b>{}</b>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr><tr class=\"hfacts\"><td colspan=\"11\"><span class=\"note\">Handler facts</span> {}</td></tr>",
        escape(&f.id),
        f.handler
            .as_ref()
            .map(|h| format!("<br><span class=\"note\">{}</span>", escape(h)))
            .unwrap_or_default(),
        findings,
        cell(&f.runtime),
        cell(&f.memory),
        cell(&f.timeout),
        list(&invocations, "none in the template"),
        list(&f.failure_destinations, "none"),
        vpc,
        cell(&f.reserved_concurrency),
        list(&f.database_links, "none"),
        iam,
        handler
    );
    s
}

fn finding_row(f: &Finding, with_excerpt: bool) -> String {
    let mut s = String::new();
    let rule = if f.help_uri.is_empty() {
        format!(
            "<b>{}</b><br><span class=\"note\">{}</span>",
            escape(&f.code),
            escape(&f.name)
        )
    } else {
        format!(
            "<a href=\"{}\"><b>{}</b></a><br><span class=\"note\">{}</span>",
            safe_url(&f.help_uri).unwrap_or_default(),
            escape(&f.code),
            escape(&f.name)
        )
    };
    let _ = write!(
        s,
        "<tr class=\"{}\"><td>{}</td><td>{rule}</td><td>{}</td><td class=\"msg\"><p>{}</p>",
        f.severity.as_str(),
        sev_badge(f.severity),
        f.resource
            .as_ref()
            .map(|r| format!("<code>{}</code>", escape(r)))
            .unwrap_or_else(|| "<span class=\"none\">—</span>".into()),
        inline(&f.message)
    );
    if let Some(h) = &f.help {
        let _ = write!(s, "<p class=\"help\">help: {}</p>", inline(h));
    }
    let _ = write!(
        s,
        "<p class=\"note\">{}:{}:{} · {}</p>",
        escape(&f.file),
        f.line,
        f.column,
        escape(&concern_label(&f.category))
    );
    if with_excerpt && !f.excerpt.is_empty() {
        s.push_str("<pre class=\"excerpt\">");
        for l in &f.excerpt {
            let _ = write!(
                s,
                "<span{}><i>{}</i>{}</span>",
                if l.marked { " class=\"mark\"" } else { "" },
                l.number,
                escape(&l.text)
            );
        }
        s.push_str("</pre>");
    }
    s.push_str("</td></tr>\n");
    s
}

fn app_section(a: &AppReport, i: usize, open: bool, dot: bool, opts: &Options) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<section class=\"app\" id=\"app-{i}\"><details{}><summary><span class=\"grade {g}\">{g}</span> {} <span class=\"counts\">score {} · {} function{} · {} resource{} · {}</span></summary>",
        if open { " open" } else { "" },
        escape(&a.file),
        a.score,
        a.functions.len(),
        if a.functions.len() == 1 { "" } else { "s" },
        a.resources,
        if a.resources == 1 { "" } else { "s" },
        counts_text(&a.counts),
        g = a.grade(),
    );
    if let Some(d) = &a.description {
        let _ = write!(s, "<p class=\"muted\">{}</p>", escape(d));
    }
    // The picture.
    let pic = svg::draw(&a.graph, &a.file, i, dot);
    if !pic.svg.is_empty() {
        s.push_str("<h3>Resource graph</h3><figure>");
        s.push_str(&pic.svg);
        let mut cap = format!(
            "Resources and how they connect: solid arrows invoke (labelled with the invocation mode), dashed arrows are references, dotted lines lead to execution roles, teal arrows are routes. A coloured border and count mark the findings on a resource. Drawn with the {} layout.",
            pic.engine
        );
        if a.graph.truncated() {
            let _ = write!(
                cap,
                " Showing {} of {} resources (functions and resources with findings first).",
                a.graph.nodes.len(),
                a.graph.total_nodes
            );
        }
        let _ = writeln!(
            s,
            "<figcaption>{}<div class=\"legend\"><span><i style=\"background:#eef2ff\"></i>trigger</span><span><i style=\"background:#fff4e0\"></i>function</span><span><i style=\"background:#e9f7ef\"></i>queue / topic / stream</span><span><i style=\"background:#e8f4fd\"></i>storage</span><span><i style=\"background:#f3e8fd\"></i>database</span><span><i style=\"background:#f1f1f1\"></i>network</span><span><i style=\"background:#fdf0f0\"></i>IAM role</span></div></figcaption></figure>",
            escape(&cap)
        );
    }
    // Functions.
    let _ = write!(s, "<h3>Functions ({})</h3>", a.functions.len());
    if a.functions.is_empty() {
        s.push_str("<p class=\"none\">No Lambda functions in this template.</p>");
    } else {
        s.push_str("<div style=\"overflow-x:auto\"><table class=\"functions\"><thead><tr><th>Function</th><th class=\"num\">Findings</th><th>Runtime</th><th class=\"num\">Memory (MB)</th><th class=\"num\">Timeout (s)</th><th>Invoked by (mode)</th><th>Failure destination</th><th>VPC / egress</th><th>Reserved concurrency</th><th>Database links</th><th>IAM breadth</th></tr></thead><tbody>\n");
        for f in &a.functions {
            s.push_str(&function_row(f));
        }
        s.push_str("</tbody></table></div>\n");
    }
    // Findings.
    let _ = write!(s, "<h3>Findings ({})</h3>", a.findings.len());
    if a.findings.is_empty() {
        s.push_str("<p>No findings.</p>");
    } else {
        s.push_str("<table class=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th></tr></thead><tbody>\n");
        for (k, f) in a.findings.iter().enumerate() {
            s.push_str(&finding_row(f, k < opts.max_excerpts_per_app));
        }
        s.push_str("</tbody></table>\n");
        if a.findings.len() > opts.max_excerpts_per_app {
            let _ = write!(
                s,
                "<p class=\"note\">Source excerpts are shown for the first {} findings.</p>",
                opts.max_excerpts_per_app
            );
        }
    }
    s.push_str("</details></section>\n");
    s
}

/// Render the whole report.
pub fn render(r: &Report, opts: &Options) -> String {
    let dot = use_dot(r, opts);
    let mut s = String::with_capacity(64 * 1024);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"lambdalint\"><title>lambdalint audit report</title><style>");
    s.push_str(CSS);
    s.push_str("</style></head><body><main>\n");
    let functions: usize = r.apps.iter().map(|a| a.functions.len()).sum();
    let _ = writeln!(
        s,
        "<header class=\"top\"><h1>Serverless audit report</h1><div class=\"muted\">lambdalint {} · {} application{} · {} function{} · {} file{} looked at</div></header>",
        env!("CARGO_PKG_VERSION"),
        r.apps.len(),
        if r.apps.len() == 1 { "" } else { "s" },
        functions,
        if functions == 1 { "" } else { "s" },
        r.files,
        if r.files == 1 { "" } else { "s" },
    );
    // Summary.
    s.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
    let _ = write!(
        s,
        "<div class=\"card\"><b>{}</b>findings</div><div class=\"card error\"><b>{}</b>errors</div><div class=\"card warning\"><b>{}</b>warnings</div><div class=\"card info\"><b>{}</b>info</div>",
        r.counts.total(),
        r.counts.error,
        r.counts.warning,
        r.counts.info
    );
    if let [a] = r.apps.as_slice() {
        let _ = write!(
            s,
            "<div class=\"card\"><b><span class=\"grade {g}\">{g}</span> {}</b>score</div>",
            a.score,
            g = a.grade()
        );
    }
    if !r.errors.is_empty() {
        let _ = write!(
            s,
            "<div class=\"card error\"><b>{}</b>unreadable files</div>",
            r.errors.len()
        );
    }
    s.push_str("</div><div class=\"grid\"><div><h3>By concern</h3><table><thead><tr><th>Concern</th><th class=\"num\">Errors</th><th class=\"num\">Warnings</th><th class=\"num\">Info</th></tr></thead><tbody>");
    for (c, n) in &r.by_concern {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&concern_label(c)),
            n.error,
            n.warning,
            n.info
        );
    }
    s.push_str("</tbody></table></div><div><h3>By rule</h3>");
    if r.by_rule.is_empty() {
        s.push_str("<p class=\"none\">No findings.</p>");
    } else {
        s.push_str("<table><thead><tr><th>Rule</th><th>Name</th><th>Concern</th><th class=\"num\">Findings</th></tr></thead><tbody>");
        for (code, (n, sev)) in &r.by_rule {
            let m = meta(code);
            let link = m
                .and_then(|m| safe_url(&m.help_uri()))
                .map(|u| format!("<a href=\"{u}\">{}</a>", escape(code)))
                .unwrap_or_else(|| escape(code));
            let _ = write!(
                s,
                "<tr><td>{} {link}</td><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
                sev_badge(*sev),
                escape(m.map_or("input-problem", |m| m.name.as_str())),
                escape(&concern_label(m.map_or("input", |m| m.category.as_str())))
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</div></div>\n");
    // Applications overview when there are several.
    if r.apps.len() > 1 {
        let _ = writeln!(
            s,
            "<h3>Applications ({}, lowest score first)</h3><table class=\"apps\"><thead><tr><th>Template</th><th class=\"num\">Functions</th><th class=\"num\">Errors</th><th class=\"num\">Warnings</th><th class=\"num\">Info</th><th class=\"num\">Score</th></tr></thead><tbody>",
            r.apps.len()
        );
        // Worst first: that is where a reviewer starts.
        let mut order: Vec<(usize, &AppReport)> = r.apps.iter().enumerate().collect();
        order.sort_by_key(|(i, a)| (a.score, *i));
        for (i, a) in order {
            let _ = writeln!(
                s,
                "<tr><td><a href=\"#app-{i}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} <span class=\"grade {g}\">{g}</span></td></tr>",
                escape(&a.file),
                a.functions.len(),
                a.counts.error,
                a.counts.warning,
                a.counts.info,
                a.score,
                g = a.grade()
            );
        }
        s.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        s,
        "<p class=\"note\">Score: {}</p></section>",
        escape(SCORE_FORMULA)
    );
    if !r.errors.is_empty() {
        let _ = write!(
            s,
            "<section id=\"errors\"><h2>Input problems</h2><details class=\"errors\"{}><summary>{} problem{}</summary><ul>",
            if r.errors.len() <= 10 { " open" } else { "" },
            r.errors.len(),
            if r.errors.len() == 1 { "" } else { "s" }
        );
        for e in &r.errors {
            let pos = e
                .range()
                .map(|(a, _)| format!(":{}:{}", a.line, a.column))
                .unwrap_or_default();
            let _ = write!(
                s,
                "<li><code>{}{pos}</code> {} — {}</li>",
                escape(&e.file),
                escape(e.code),
                escape(&e.message)
            );
        }
        s.push_str("</ul></details></section>\n");
    }
    // One section per application: open when there are few, collapsed when there are many.
    let open = r.apps.len() <= 5;
    s.push_str("<h2>Applications</h2>\n");
    for (i, a) in r.apps.iter().enumerate() {
        s.push_str(&app_section(a, i, open, dot, opts));
    }
    s.push_str("<footer>Generated by lambdalint. Values from parameters, imports or conditions are shown as unknown, never guessed. “Globals” marks a value inherited from SAM <code>Globals.Function</code>; “default” marks the Lambda default. Handler facts come from the handler sources the template deploys (<code>CodeUri</code> + <code>Handler</code>, inline code).</footer>\n");
    s.push_str("</main></body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn escapes_and_code_spans() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            inline("function `F<1>` has no `Timeout`"),
            "function <code>F&lt;1&gt;</code> has no <code>Timeout</code>"
        );
        assert_eq!(inline("odd `tick"), "odd <code>tick</code>");
        assert_eq!(safe_url("javascript:alert(1)"), None);
    }
}
