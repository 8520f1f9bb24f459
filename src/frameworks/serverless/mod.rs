//! Serverless Framework (`serverless.yml`, v3 and v4 syntax), read statically.
//!
//! The configuration is lowered ([`lower`]) into the CloudFormation the Framework would package:
//! functions become `AWS::Lambda::Function` with the Framework's logical ids and defaults
//! (timeout 6 s, memory 1024 MB), events become the resources the Framework generates (event
//! source mappings, permissions, rules, API Gateway methods, SNS subscriptions, S3
//! notifications), `provider.iam.role` becomes `IamRoleLambdaExecution`, and
//! `resources.Resources` is merged on top. Every node keeps the span of the `serverless.yml` (or
//! `${file()}`) text it comes from, so every rule reports into the file the user edits. Variables
//! are resolved offline ([`vars`]); what cannot be known is an unknown value, never a guess.

pub mod lower;
pub mod vars;

use std::path::Path;
use std::sync::Arc;

use crate::fsx::Scope;
use crate::load::{self, LoadError, Loaded};
use crate::model::dialect::{Dialect, Origin};
use crate::source::SourceFile;

/// Is this file a Serverless Framework configuration by name?
pub fn is_config_path(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("serverless.yml" | "serverless.yaml" | "serverless.json")
    )
}

/// A configuration in code (`serverless.ts`, `serverless.js`, ...), which cannot be read
/// statically.
pub fn is_code_config_path(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("serverless.ts" | "serverless.js" | "serverless.cjs" | "serverless.mjs")
    )
}

/// Does a loaded document look like a Serverless Framework configuration?
pub fn looks_like_config(doc: &crate::load::Document) -> bool {
    let Some(m) = doc.root.and_then(|r| doc.as_map(r)) else {
        return false;
    };
    m.get("provider").is_some() || (m.get("service").is_some() && m.get("functions").is_some())
}

/// Load and lower a `serverless.yml`. `Ok(None)`: it parsed but is not a Serverless
/// configuration. Reads of `${file()}` go through `scope`.
pub fn load(file: &Arc<SourceFile>, scope: &Scope) -> Result<Option<(Loaded, Origin)>, LoadError> {
    let loaded = load::load(&file.text, file.format())?;
    if !looks_like_config(&loaded.doc) {
        return Ok(None);
    }
    // The Framework reads YAML with anchors and aliases (js-yaml) and its own CloudFormation
    // tags: those are not problems here.
    let issues: Vec<_> = loaded
        .issues
        .into_iter()
        .filter(|i| i.code != "E003")
        .collect();
    let mut r = vars::Resolver::new(Arc::clone(file), loaded.doc, scope);
    let lowered = lower::lower(&mut r)?;
    let included = r
        .srcs
        .iter()
        .skip(1)
        .map(|s| (s.base, Arc::clone(&s.file)))
        .collect();
    Ok(Some((
        Loaded {
            doc: lowered.doc,
            issues,
            comments: loaded.comments,
        },
        Origin {
            dialect: Dialect::Serverless,
            ids: lowered.ids,
            included,
            ..Origin::default()
        },
    )))
}
