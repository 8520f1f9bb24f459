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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::model::{App, Known, Template};

    fn app_in(dir: &Path, yml: &str) -> App {
        std::fs::write(dir.join("serverless.yml"), yml).unwrap();
        let file = Arc::new(SourceFile::new(
            dir.join("serverless.yml"),
            "serverless.yml".into(),
            yml.to_string(),
        ));
        let scope =
            crate::fsx::Access::new(&[dir.to_path_buf()], &[], 1 << 20).scope_for(&file.path);
        let (loaded, origin) = load(&file, &scope).unwrap().unwrap();
        App::new(Template::lowered(file, loaded, origin))
    }

    fn prop(app: &App, id: &str, name: &str) -> crate::load::NodeId {
        let r = app.tpl.resource(id).unwrap();
        app.tpl.prop(r, name).unwrap()
    }

    #[test]
    fn variables_resolve_offline_and_unknowns_carry_the_reason() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("sizes.yml"), "dev:\n  memory: 512\n").unwrap();
        let app = app_in(
            d.path(),
            "service: shop\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n  timeout: ${env:NOPE_LAMBDALINT, 12}\ncustom:\n  mem: ${file(./sizes.yml):${sls:stage}.memory}\n  name: q-${self:provider.stage}\nfunctions:\n  create-order:\n    handler: h.main\n    memorySize: ${self:custom.mem}\n    reservedConcurrency: ${ssm:/shop/conc}\n    environment:\n      QUEUE: ${self:custom.name}\n      PLUGIN: ${foo:bar}\n      MISSING: ${env:NOPE_LAMBDALINT}\n",
        );
        let id = "CreateDashorderLambdaFunction";
        assert!(app.functions.contains_key(id));
        let t = &app.tpl;
        assert_eq!(t.number(prop(&app, id, "Timeout")), Known::Yes(12.0));
        assert_eq!(t.number(prop(&app, id, "MemorySize")), Known::Yes(512.0));
        match t.number(prop(&app, id, "ReservedConcurrentExecutions")) {
            Known::Unknown(why) => assert!(why.contains("${ssm:/shop/conc}"), "{why}"),
            k => panic!("{k:?}"),
        }
        let env = t
            .doc
            .get_path(prop(&app, id, "Environment"), &["Variables"])
            .unwrap();
        let var = |k: &str| t.string(t.doc.get(env, k).unwrap());
        assert_eq!(var("QUEUE"), Known::Yes("q-dev".into()));
        assert!(matches!(var("PLUGIN"), Known::Unknown(w) if w.contains("plugin")));
        assert!(matches!(var("MISSING"), Known::Unknown(w) if w.contains("environment")));
        // The memory value is reported where it is written: in sizes.yml.
        let span = t.doc.span(prop(&app, id, "MemorySize"));
        let (f, s) = t.origin.locate(&t.file, span);
        assert_eq!(f.display, "sizes.yml");
        assert_eq!(&f.text[s.range()], "512");
    }

    #[test]
    fn framework_defaults_and_generated_ids() {
        let d = tempfile::tempdir().unwrap();
        let app = app_in(
            d.path(),
            "service: s\nframeworkVersion: '3'\nprovider:\n  name: aws\nfunctions:\n  my_fn:\n    handler: a.b\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs\nresources:\n  Resources:\n    MyFnLambdaFunctionAlias:\n      Type: AWS::Lambda::Alias\n      Properties:\n        FunctionName: !Ref My_fnLambdaFunction\n    My_fnLambdaFunction:\n      Properties:\n        MemorySize: 256\n",
        );
        let id = "MyUnderscorefnLambdaFunction";
        assert!(app.functions.contains_key(id), "{:?}", app.functions.keys());
        let t = &app.tpl;
        assert_eq!(t.number(prop(&app, id, "Timeout")), Known::Yes(6.0));
        assert_eq!(t.number(prop(&app, id, "MemorySize")), Known::Yes(1024.0));
        assert_eq!(
            t.string(prop(&app, id, "Runtime")),
            Known::Yes("nodejs16.x".into())
        );
        // The default timeout points at the function key.
        let sp = t.doc.span(prop(&app, id, "Timeout"));
        assert_eq!(&t.file.text[sp.range()], "my_fn");
        let q = app.events_of(id).next().unwrap();
        assert_eq!(q.mode, crate::model::Mode::Queue);
        assert_eq!(
            t.origin.ids.get(id).map(|r| r.resource.as_str()),
            Some("my_fn")
        );
        assert!(t.resource("IamRoleLambdaExecution").is_some());
    }

    #[test]
    fn resources_merge_over_generated_ones() {
        let d = tempfile::tempdir().unwrap();
        let app = app_in(
            d.path(),
            "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::123456789012:role/x\nfunctions:\n  create:\n    handler: a.b\nresources:\n  Resources:\n    CreateLambdaFunction:\n      Properties:\n        Timeout: 20\n  extensions:\n    CreateLogGroup:\n      Properties:\n        RetentionInDays: 7\n",
        );
        let t = &app.tpl;
        assert_eq!(
            t.number(prop(&app, "CreateLambdaFunction", "Timeout")),
            Known::Yes(20.0)
        );
        assert_eq!(
            t.number(prop(&app, "CreateLogGroup", "RetentionInDays")),
            Known::Yes(7.0)
        );
        // A role given by ARN: no generated role, the function's role is external.
        assert!(t.resource("IamRoleLambdaExecution").is_none());
        assert!(matches!(
            app.functions["CreateLambdaFunction"].role,
            crate::model::RoleRef::External(_)
        ));
    }

    #[test]
    fn hostile_variables_end_as_unknowns() {
        let d = tempfile::tempdir().unwrap();
        let app = app_in(
            d.path(),
            "service: s\nprovider:\n  name: aws\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nfunctions:\n  f:\n    handler: a.b\n    timeout: ${self:custom.a}\n    memorySize: ${file(../../../etc/passwd):x}\n",
        );
        let t = &app.tpl;
        assert!(matches!(
            t.number(prop(&app, "FLambdaFunction", "Timeout")),
            Known::Unknown(_)
        ));
        assert!(matches!(
            t.number(prop(&app, "FLambdaFunction", "MemorySize")),
            Known::Unknown(_)
        ));
    }
}
