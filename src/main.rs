//! The `lambdalint` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use lambdalint::check::{RuleSelection, check_paths};
use lambdalint::diagnostic::Severity;
use lambdalint::discover::Filter;
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
        /// Lowest severity that makes the exit code 1.
        #[arg(long, value_enum, default_value = "warning")]
        fail_on: FailOn,
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
}

fn main() -> ExitCode {
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
            eprintln!("lambdalint: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Rules => {
            let mut s = String::new();
            for m in rule::catalogue() {
                s.push_str(&format!(
                    "{:<8} {:<45} {:<8} {}\n",
                    m.code,
                    m.name,
                    m.severity,
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
            let r = report::collect(&paths, &filter, &RuleSelection::default(), &opts);
            let text = match format {
                ReportFormat::Html => report::html::render(&r, &opts),
                ReportFormat::Markdown => report::markdown::render(&r, &opts),
            };
            match output {
                Some(p) => std::fs::write(&p, text)?,
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
                eprintln!("lambdalint: error: no rule `{code}` (see `lambdalint rules`)");
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
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            for s in select.iter().chain(&ignore) {
                if !valid_selector(s) {
                    eprintln!(
                        "lambdalint: error: `{s}` is not a rule code, prefix or category (see `lambdalint rules`)"
                    );
                    return Ok(ExitCode::from(2));
                }
            }
            let filter = Filter::new(&include, &exclude)?;
            let sel = RuleSelection {
                select,
                ignore,
                severity: Vec::new(),
            };
            let outcome = check_paths(&paths, &filter, &sel);
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let text = match format {
                Format::Human => render::human::Human { color }.render(&outcome),
                Format::Json => render::json::render(&outcome) + "\n",
            };
            match output {
                Some(p) => std::fs::write(&p, text)?,
                None => print_out(&text)?,
            }
            let threshold = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
                FailOn::Info => Severity::Info,
            };
            Ok(if !outcome.errors.is_empty() {
                ExitCode::from(2)
            } else if outcome.diagnostics.iter().any(|d| d.severity >= threshold) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn valid_selector(s: &str) -> bool {
    let up = s.to_ascii_uppercase();
    up == "ALL"
        || up.starts_with('E')
        || rule::catalogue()
            .iter()
            .any(|m| m.code.starts_with(&up) || m.category == s || m.name == s)
}

/// Print, ignoring a closed pipe (`lambdalint ... | head`).
fn print_out(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
