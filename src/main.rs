//! The `lambdalint` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use lambdalint::baseline::Baseline;
use lambdalint::check;
use lambdalint::config::Config;
use lambdalint::diagnostic::Severity;
use lambdalint::discover::Filter;
use lambdalint::fix::Applicability;
use lambdalint::render;
use lambdalint::report;
use lambdalint::rule;

#[derive(Parser)]
#[command(
    name = "lambdalint",
    version,
    about = "Static analyzer and best-practice linter for AWS serverless applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Html,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportLayout {
    Auto,
    Dot,
    Builtin,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Subcommand)]
enum Command {
    /// Check templates (files or directories; default: the current directory).
    Check {
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Lowest severity that makes the exit code 1 [default: `fail-on` from the
        /// configuration, else warning].
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Configuration file (default: the first `lambdalint.toml`, `.lambdalint.toml` or
        /// `pyproject.toml` with `[tool.lambdalint]` in the checked directory or its parents).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Ignore configuration files.
        #[arg(long, conflicts_with = "config")]
        no_config: bool,
        /// Report only findings that are not in this baseline file.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Write the current findings to this baseline file (the exit code is then 0 unless a
        /// file could not be checked).
        #[arg(long)]
        write_baseline: Option<PathBuf>,
        /// Only check files matching these globs (repeatable).
        #[arg(long)]
        include: Vec<String>,
        /// Skip files matching these globs (repeatable).
        #[arg(long)]
        exclude: Vec<String>,
        /// Only run these rules (codes, prefixes such as `IAM`, or categories).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Do not run these rules (codes, prefixes or categories).
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Write the output to a file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print the files recognised as templates (one per line) instead of the findings.
        #[arg(long)]
        list_templates: bool,
        /// Also print, on standard error, the functions whose handler source was not analysed
        /// and why (code in S3, container image, handler file not found, ...).
        #[arg(long, short)]
        verbose: bool,
        /// Apply the safe fixes to the templates (in place), then report what remains.
        #[arg(long, conflicts_with_all = ["write_baseline", "list_templates"])]
        fix: bool,
        /// Also apply the unsafe fixes (they change behaviour or add resources), with `--fix`
        /// or `--diff`.
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print the fixes as a unified diff instead of writing them; exit code 1 when there is
        /// something to fix.
        #[arg(long, conflicts_with_all = ["write_baseline", "list_templates", "fix"])]
        diff: bool,
    },
    /// Write an audit report (summary, functions, resource graph, findings with excerpts).
    Report {
        paths: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        /// Write the report to this file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Graph layout: Graphviz `dot` when installed, or the built-in layout.
        #[arg(long, value_enum, default_value = "auto")]
        layout: ReportLayout,
        /// Only check files matching these globs (repeatable).
        #[arg(long)]
        include: Vec<String>,
        /// Skip files matching these globs (repeatable).
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Print the documentation of a rule.
    Rule { code: String },
    /// List the rules.
    Rules,
    /// Run the language server (LSP over stdio) for editors.
    Server,
    /// Internals for developers (not a stable interface).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Subcommand)]
enum DebugCommand {
    /// Per function: handler resolution and the facts found in its source; totals at the end.
    Facts {
        paths: Vec<PathBuf>,
        /// Only the totals.
        #[arg(long)]
        summary: bool,
    },
}

macro_rules! say {
    ($($arg:tt)*) => {
        say_line(&format!($($arg)*))
    };
}

#[global_allocator]
static GLOBAL: lambdalint::alloc::Global = mimalloc::MiMalloc;

fn main() -> ExitCode {
    lambdalint::alloc::install_parser_allocator();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            say!("lambdalint: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Server => {
            // The specification: exit code 0 after `shutdown` then `exit`, 1 otherwise.
            let clean = lambdalint::lsp::run_stdio()?;
            Ok(if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Debug(DebugCommand::Facts { paths, summary }) => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let mut all = check::handler_facts(&paths, &Filter::new(&[], &[])?);
            all.sort_by(|a, b| a.template.cmp(&b.template));
            print_out(&render::safe::terminal_lines(&debug_facts(&all, summary)))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules => {
            let mut s = String::new();
            for m in rule::catalogue() {
                let fix = match m.fix_applicability() {
                    Some(a) => a.as_str(),
                    None => "-",
                };
                s.push_str(&format!(
                    "{:<8} {:<45} {:<8} {:<6} {}\n",
                    m.code,
                    m.name,
                    m.severity,
                    fix,
                    m.summary.trim()
                ));
            }
            print_out(&s)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            paths,
            format,
            output,
            layout,
            include,
            exclude,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let filter = Filter::new(&include, &exclude)?;
            let opts = report::Options {
                layout: match layout {
                    ReportLayout::Auto => report::Layout::Auto,
                    ReportLayout::Dot => report::Layout::Dot,
                    ReportLayout::Builtin => report::Layout::Builtin,
                },
                ..report::Options::default()
            };
            // The same rule selection as `check` (lambdalint.toml / pyproject.toml), when there is one.
            let cfg = match paths.first().map_or(Ok(None), |p| Config::discover(p)) {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    say!("lambdalint: error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let sel = cfg.selection(&[], &[]);
            let opts = report::Options {
                access: Some(cfg.access(&paths)),
                ..opts
            };
            let r = report::collect(&paths, &filter, &sel, &opts);
            let text = match format {
                ReportFormat::Html => report::html::render(&r, &opts),
                ReportFormat::Markdown => report::markdown::render(&r, &opts),
            };
            match output {
                Some(p) => write_output(&p, &text)?,
                None => print_out(&text)?,
            }
            Ok(if r.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Rule { code } => match rule::find(&code) {
            Some(m) => {
                print_out(&m.markdown())?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                say!("lambdalint: error: no rule `{code}` (see `lambdalint rules`)");
                Ok(ExitCode::from(2))
            }
        },
        Command::Check {
            paths,
            format,
            fail_on,
            include,
            exclude,
            select,
            ignore,
            output,
            list_templates,
            verbose,
            config,
            no_config,
            baseline,
            write_baseline,
            fix,
            unsafe_fixes,
            diff,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            for s in select.iter().chain(&ignore) {
                if !rule::valid_selector(s) {
                    say!(
                        "lambdalint: error: `{s}` is not a rule code, prefix or category (see `lambdalint rules`)"
                    );
                    return Ok(ExitCode::from(2));
                }
            }
            let loaded = match (&config, no_config) {
                (_, true) => Ok(None),
                (Some(p), _) => Config::load(p).map(Some),
                (None, _) => paths.first().map_or(Ok(None), |p| Config::discover(p)),
            };
            let cfg = match loaded {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    say!("lambdalint: error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let include = if include.is_empty() {
                cfg.include.clone()
            } else {
                include
            };
            let exclude: Vec<String> = cfg.exclude.iter().cloned().chain(exclude).collect();
            let filter = Filter::new(&include, &exclude)?;
            let sel = cfg.selection(&select, &ignore);
            let base = match &baseline {
                Some(p) => match Baseline::read(p) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        say!("lambdalint: error: {e}");
                        return Ok(ExitCode::from(2));
                    }
                },
                None => None,
            };
            let access = cfg.access(&paths);
            if fix || diff {
                let allow = if unsafe_fixes {
                    Applicability::Unsafe
                } else {
                    Applicability::Safe
                };
                let keep = |d: &mut Vec<lambdalint::diagnostic::Diagnostic>| {
                    if let Some(b) = &base {
                        b.filter(d);
                    }
                };
                let run =
                    lambdalint::fix::run::fix_paths(&paths, &filter, &sel, &access, allow, &keep);
                for c in &run.changes {
                    for title in &c.rejected {
                        say!(
                            "lambdalint: {}: fix not applied, the template it made did not load (please report): {title}",
                            c.original.display
                        );
                    }
                }
                if diff {
                    let text: String = run.changes.iter().map(lambdalint::fix::run::diff).collect();
                    print_out(&text)?;
                    eprintln!(
                        "{}",
                        lambdalint::fix::run::summary(
                            true,
                            run.applied(),
                            run.outcome.diagnostics.len()
                        )
                    );
                    return Ok(if !run.outcome.errors.is_empty() {
                        ExitCode::from(2)
                    } else if run.changes.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    });
                }
                let outcome = run.outcome;
                let mut fixed = 0;
                let mut failed = false;
                for c in &run.changes {
                    match lambdalint::fix::run::write(c, &paths) {
                        Ok(()) => fixed += c.applied,
                        Err(e) => {
                            say!("lambdalint: error: {e}");
                            failed = true;
                        }
                    }
                }
                let summary =
                    lambdalint::fix::run::summary(false, fixed, outcome.diagnostics.len());
                let color = output.is_none()
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none();
                let text = match format {
                    Format::Human => {
                        render::human::Human { color }.render(&outcome) + &summary + "\n"
                    }
                    Format::Json => render::json::render(&outcome) + "\n",
                    Format::Sarif => render::sarif::render(&outcome) + "\n",
                    Format::Github => render::github::render(&outcome),
                };
                if !matches!(format, Format::Human) {
                    eprintln!("{summary}");
                }
                match output {
                    Some(p) => write_output(&p, &text)?,
                    None => print_out(&text)?,
                }
                let threshold = threshold(fail_on, &cfg);
                return Ok(if !outcome.errors.is_empty() || failed {
                    ExitCode::from(2)
                } else if outcome.diagnostics.iter().any(|d| d.severity >= threshold) {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                });
            }
            let mut outcome = check::check_paths_with(&paths, &filter, &sel, &access);
            for (file, hint) in &outcome.hints {
                say!("lambdalint: {file}: {hint}");
            }
            for (file, why) in &outcome.notices {
                say!("lambdalint: {file}: skipped: {why}");
            }
            if verbose {
                for (file, why) in &outcome.skipped {
                    say!("lambdalint: {file}: skipped: {why}");
                }
                for (tpl, id, why) in &outcome.notes {
                    say!("lambdalint: {tpl}: function `{id}`: handler not analysed: {why}");
                }
                for (tpl, id, why) in &outcome.partial {
                    let why = why.join("; ");
                    say!("lambdalint: {tpl}: function `{id}`: handler analysed in part: {why}");
                }
                say!(
                    "lambdalint: handlers analysed: {} of {} functions ({} partially); handler files parsed: {}",
                    outcome.analysed,
                    outcome.functions,
                    outcome.partial.len(),
                    outcome.handler_parses
                );
            }
            // Written before `--baseline` filters, so `--baseline F --write-baseline F` refreshes F.
            if let Some(p) = &write_baseline {
                Baseline::from_diagnostics(&outcome.diagnostics).write(p)?;
            }
            if let Some(b) = &base {
                b.filter(&mut outcome.diagnostics);
            }
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let text = if list_templates {
                outcome
                    .checked
                    .iter()
                    .map(|f| format!("{}\n", render::safe::terminal(f)))
                    .collect()
            } else {
                match format {
                    Format::Human => render::human::Human { color }.render(&outcome),
                    Format::Json => render::json::render(&outcome) + "\n",
                    Format::Sarif => render::sarif::render(&outcome) + "\n",
                    Format::Github => render::github::render(&outcome),
                }
            };
            match output {
                Some(p) => write_output(&p, &text)?,
                None => print_out(&text)?,
            }
            let threshold = threshold(fail_on, &cfg);
            Ok(if !outcome.errors.is_empty() {
                ExitCode::from(2)
            } else if write_baseline.is_some() {
                ExitCode::SUCCESS
            } else if outcome.diagnostics.iter().any(|d| d.severity >= threshold) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// The lowest severity that fails the run.
fn threshold(fail_on: Option<FailOn>, cfg: &Config) -> Severity {
    match fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Info) => Severity::Info,
        None => cfg.fail_on.unwrap_or(Severity::Warning),
    }
}

/// Write the output file named with `-o`, saying which file could not be written.
fn write_output(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

/// Print a line on standard error, with every control character from the input shown, not
/// sent (see `render::safe`).
fn say_line(s: &str) {
    eprintln!("{}", render::safe::terminal(s));
}

/// Print, ignoring a closed pipe (`lambdalint ... | head`).
fn print_out(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// The `debug facts` table: one line per function, then totals.
fn debug_facts(all: &[check::TemplateFacts], summary_only: bool) -> String {
    use std::collections::BTreeMap;
    let mut s = String::new();
    let (mut functions, mut resolved, mut found, mut complete, mut parse_errors) = (0, 0, 0, 0, 0);
    let mut counts = [0usize; 6];
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut partial: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown_actions: BTreeMap<String, usize> = BTreeMap::new();
    // Paths and names left out, to group reasons.
    let group = |why: &str| -> String {
        why.split(" (imported at")
            .next()
            .unwrap_or(why)
            .split(" at `")
            .next()
            .unwrap_or(why)
            .split('`')
            .enumerate()
            .map(|(i, p)| if i % 2 == 1 { "…" } else { p })
            .collect()
    };
    for t in all {
        functions += t.functions;
        for (id, f) in &t.facts.functions {
            resolved += 1;
            found += usize::from(f.handler_found);
            complete += usize::from(f.complete);
            parse_errors += usize::from(f.parse_error.is_some());
            let row = [
                f.clients.len(),
                f.calls.len(),
                f.http.len(),
                f.db.len(),
                f.params.len(),
                usize::from(f.forward.is_some()),
            ];
            for (c, r) in counts.iter_mut().zip(row) {
                *c += r;
            }
            for c in &f.calls {
                let needs = c.needs();
                if needs == lambdalint::handler::actions::Needs::Unknown {
                    *unknown_actions.entry(c.action()).or_default() += 1;
                }
                if !summary_only {
                    s.push_str(&format!(
                        "{}\t{id}\tcall {} {:?}{}\n",
                        t.template,
                        c.action(),
                        needs,
                        if c.in_handler {
                            " per invocation"
                        } else {
                            " at init"
                        }
                    ));
                }
            }
            for why in &f.incomplete {
                *partial.entry(group(why)).or_default() += 1;
                if !summary_only {
                    s.push_str(&format!("{}\t{id}\tpartial: {why}\n", t.template));
                }
            }
            if !summary_only {
                s.push_str(&format!(
                    "{}\t{id}\t{}\thandler={}\tcomplete={}\tclients={} calls={} http={} db={} params={} forward={}\n",
                    t.template,
                    f.file.display,
                    if f.handler_found { "found" } else { "missing" },
                    f.complete,
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                ));
            }
        }
        for (id, why) in &t.facts.notes {
            // Group reasons without their paths and names.
            let key = why
                .split_once(" under ")
                .map_or(why.as_str(), |(a, _)| a)
                .split('`')
                .enumerate()
                .map(|(i, p)| if i % 2 == 1 { "…" } else { p })
                .collect::<String>();
            *reasons.entry(key).or_default() += 1;
            if !summary_only {
                s.push_str(&format!("{}\t{id}\tunresolved: {why}\n", t.template));
            }
        }
    }
    let facts: usize = counts.iter().take(5).sum();
    s.push_str(&format!(
        "templates: {}\nfunctions: {functions}\nhandler source resolved: {resolved}\nhandler function found: {found}\nfacts complete: {complete}\nparse errors: {parse_errors}\nfacts: {facts} (clients {}, sdk calls {}, http calls {}, db connections {}, parameter fetches {}), forwarding handlers: {}\n",
        all.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        counts[5],
    ));
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (why, n) in reasons {
        s.push_str(&format!("unresolved: {n}\t{why}\n"));
    }
    let mut partial: Vec<_> = partial.into_iter().collect();
    partial.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (why, n) in partial {
        s.push_str(&format!("partial: {n}\t{why}\n"));
    }
    for (a, n) in unknown_actions {
        s.push_str(&format!("sdk call without a known IAM action: {n}\t{a}\n"));
    }
    s
}
