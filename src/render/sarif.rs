//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! Hand-written serde structs covering what we emit; validated in tests against the OASIS schema
//! (`testdata/sarif/sarif-schema-2.1.0.json`). Columns are Unicode code points
//! (`columnKind: unicodeCodePoints`); `partialFingerprints` come from [`crate::fingerprint`] and
//! do not depend on line numbers.

use std::collections::HashMap;

use serde::Serialize;

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fingerprint::fingerprint;
use crate::rule::{BUILTIN_CODES, DOCS_BASE, catalogue};
use crate::source::LineCol;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/lambdalint/lambdalint";
/// Key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "lambdalint/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub invocations: Vec<Invocation>,
    pub column_kind: &'static str,
    pub results: Vec<ResultItem>,
}

#[derive(Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Help {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleProperties {
    pub tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorRef {
    pub id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub level: &'static str,
    pub message: Text,
    pub descriptor: DescriptorRef,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    /// AWS CDK construct path (`OrdersStack/CreateOrder/Resource`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    pub kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultItem {
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    pub partial_fingerprints: HashMap<&'static str, String>,
    pub properties: ResultProperties,
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative or absolute path as a URI reference (`/` separators, percent-encoded).
pub fn path_uri(display: &str) -> String {
    let p = display.replace('\\', "/");
    let mut out = String::with_capacity(p.len() + 8);
    let mut rest = p.as_str();
    if p.starts_with('/') {
        out.push_str("file://");
    } else if let Some((drive, tail)) = p.split_once(":/")
        && drive.len() == 1
        && drive.bytes().all(|b| b.is_ascii_alphabetic())
    {
        out.push_str("file:///");
        out.push_str(drive);
        out.push_str(":/");
        rest = tail;
    }
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(start: LineCol, end: LineCol) -> Region {
    Region {
        start_line: start.line.max(1),
        start_column: start.column.max(1),
        end_line: end.line.max(start.line).max(1),
        end_column: end.column.max(1),
    }
}

fn location(
    file: &str,
    range: Option<(LineCol, LineCol)>,
    resource: Option<&str>,
    construct: Option<&str>,
) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: path_uri(file),
            },
            region: range.map(|(s, e)| region(s, e)),
        },
        logical_locations: resource
            .map(|r| LogicalLocation {
                name: r.to_string(),
                fully_qualified_name: construct.map(str::to_string),
                kind: "resource",
            })
            .into_iter()
            .collect(),
    }
}

/// Every rule descriptor: the catalogue, then the built-in codes.
pub fn descriptors() -> Vec<ReportingDescriptor> {
    let mut v: Vec<ReportingDescriptor> = catalogue()
        .iter()
        .map(|m| ReportingDescriptor {
            id: m.code.clone(),
            name: m.name.clone(),
            short_description: Text {
                text: m.summary.trim().to_string(),
            },
            full_description: Some(Text {
                text: m.docs.what.trim().to_string(),
            }),
            help: Some(Help {
                text: m.docs.why.trim().to_string(),
                markdown: Some(m.markdown()),
            }),
            help_uri: Some(m.help_uri()),
            default_configuration: Configuration {
                level: level(m.default_severity()),
            },
            properties: RuleProperties {
                tags: vec![m.category.clone()],
            },
        })
        .collect();
    for (code, name, what) in BUILTIN_CODES {
        v.push(ReportingDescriptor {
            id: (*code).to_string(),
            name: (*name).to_string(),
            short_description: Text {
                text: (*what).to_string(),
            },
            full_description: None,
            help: None,
            help_uri: Some(format!("{DOCS_BASE}/README.md#built-in-codes")),
            default_configuration: Configuration {
                level: if *code == "E010" { "note" } else { "error" },
            },
            properties: RuleProperties {
                tags: vec!["input".to_string()],
            },
        });
    }
    v
}

fn result(
    d: &Diagnostic,
    index: &HashMap<String, usize>,
    seen: &mut HashMap<String, usize>,
) -> ResultItem {
    // `hash:n`: the n-th finding with this key in the run (in output order), so that findings
    // sharing a key keep distinct fingerprints, as GitHub does for its own line hashes.
    let key = fingerprint(d);
    let n = seen.entry(key.clone()).or_default();
    *n += 1;
    let mut fp = HashMap::new();
    fp.insert(FINGERPRINT_KEY, format!("{key}:{n}"));
    ResultItem {
        rule_id: d.code.to_string(),
        rule_index: index.get(d.code).copied(),
        level: level(d.severity),
        message: Text {
            text: d.message.clone(),
        },
        locations: vec![location(
            &d.file.display,
            Some(d.range()),
            d.resource.as_deref(),
            d.construct.as_deref(),
        )],
        partial_fingerprints: fp,
        properties: ResultProperties {
            help: d.help.clone(),
            path: d.path.clone(),
        },
    }
}

/// The SARIF log of a run.
pub fn log(out: &Outcome) -> Log {
    let rules = descriptors();
    let index: HashMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let notifications = out
        .errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text {
                text: e.message.clone(),
            },
            descriptor: DescriptorRef {
                id: e.code.to_string(),
            },
            locations: vec![location(&e.file, e.range(), None, None)],
        })
        .collect();
    let mut seen = HashMap::new();
    let results = out
        .diagnostics
        .iter()
        .map(|d| result(d, &index, &mut seen))
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "lambdalint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

pub fn render(out: &Outcome) -> String {
    serde_json::to_string_pretty(&log(out)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
