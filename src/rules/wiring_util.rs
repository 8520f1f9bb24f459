//! Shared by the rules that read code and template together (HDL020, LMB004, LMB031, LMB032):
//! the environment a function gets from its template, and what an environment variable points
//! at.

use std::collections::BTreeMap;

use crate::handler::facts::ArgValue;
use crate::load::NodeId;
use crate::model::template::Target;
use crate::model::{App, Function, Known};

/// The variables of a function's `Environment.Variables` (with `Globals.Function`'s, SAM map
/// merge) and their value nodes; unknown when the environment is computed or may be set by
/// something the template does not show (a container image, a custom runtime, an exec
/// wrapper).
pub fn environment(app: &App, f: &Function) -> Known<BTreeMap<String, NodeId>> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    if f.prop(tpl, "PackageType")
        .and_then(|p| doc.as_str(p.node))
        .is_some_and(|t| t == "Image")
    {
        return Known::Unknown("a container image can set environment variables".into());
    }
    if let Some(p) = f.prop(tpl, "Runtime") {
        match doc.as_str(p.node) {
            Some(r) if r.starts_with("provided") => {
                return Known::Unknown("a custom runtime's bootstrap can set variables".into());
            }
            Some(_) => {}
            None => return Known::Unknown("the runtime is computed".into()),
        }
    }
    // `Environment` itself or its `Variables` computed (`Fn::If`, a parameter).
    for base in f.nested(tpl, &["Environment"]) {
        let Some(m) = doc.as_map(base.node) else {
            return Known::Unknown("`Environment` is computed".into());
        };
        if m.iter().any(|(k, _, _)| k != "Variables") {
            return Known::Unknown("`Environment` has a computed entry".into());
        }
    }
    let mut out = BTreeMap::new();
    for vars in f.nested(tpl, &["Environment", "Variables"]) {
        let Some(m) = doc.as_map(vars.node) else {
            return Known::Unknown("`Environment.Variables` is computed".into());
        };
        for (k, _, v) in m.iter() {
            if k.starts_with("Fn::") || k == "Ref" {
                return Known::Unknown("`Environment.Variables` is computed".into());
            }
            out.entry(k.to_string()).or_insert(v);
        }
    }
    if out.contains_key("AWS_LAMBDA_EXEC_WRAPPER") {
        return Known::Unknown("an exec wrapper script can set variables".into());
    }
    Known::Yes(out)
}

/// Variables Lambda sets in every execution environment (and the ones its runtimes read from
/// the system): never missing.
pub fn lambda_provided(name: &str) -> bool {
    name.starts_with("AWS_LAMBDA_")
        || name.starts_with("_AWS_")
        || name.starts_with("_X_AMZN")
        || name.starts_with("_LAMBDA")
        || name.starts_with("AWS_XRAY_")
        || matches!(
            name,
            "AWS_REGION"
                | "AWS_DEFAULT_REGION"
                | "AWS_EXECUTION_ENV"
                | "AWS_ACCESS_KEY_ID"
                | "AWS_SECRET_ACCESS_KEY"
                | "AWS_SESSION_TOKEN"
                | "AWS_XRAY_CONTEXT_MISSING"
                | "AWS_XRAY_DAEMON_ADDRESS"
                | "AWS_CONTAINER_CREDENTIALS_FULL_URI"
                | "AWS_CONTAINER_AUTHORIZATION_TOKEN"
                | "_HANDLER"
                | "LAMBDA_TASK_ROOT"
                | "LAMBDA_RUNTIME_DIR"
                | "TZ"
                | "LANG"
                | "PATH"
                | "LD_LIBRARY_PATH"
                | "NODE_PATH"
                | "PYTHONPATH"
                | "HOME"
                | "USER"
                | "PWD"
                | "SHLVL"
                | "TMPDIR"
        )
}

/// The template resource an argument designates: a variable of the function's environment that
/// references it (`Ref`, `Fn::GetAtt`, `Fn::Sub`), or a literal equal to a name the template
/// gives it (`BucketName`, `QueueName`, `TopicName`, `TableName`, `StreamName`,
/// `FunctionName`).
pub fn resource_of(app: &App, f: &Function, v: &ArgValue) -> Option<String> {
    let tpl = &app.tpl;
    match v {
        ArgValue::Env(name) => {
            let Known::Yes(env) = environment(app, f) else {
                return None;
            };
            let node = env.get(name)?;
            match tpl.target(*node) {
                Target::Resource { id, .. } => Some(id),
                Target::Literal(s) => resource_of(app, f, &ArgValue::Literal(s)),
                // The same `Fn::Sub` text as a resource's name (`${AWS::StackName}-uploads`,
                // the usual way around the circular reference of a bucket that notifies the
                // function naming it).
                _ => {
                    let form = sub_text(app, *node)?;
                    tpl.resources.values().find_map(|r| {
                        let n = tpl.prop(r, name_key(&r.type_)?)?;
                        (sub_text(app, n)? == form).then(|| r.id.clone())
                    })
                }
            }
        }
        ArgValue::Literal(s) => {
            let s = s.as_str();
            tpl.resources.values().find_map(|r| {
                let n = tpl.prop(r, name_key(&r.type_)?)?;
                let name = tpl.doc.as_str(n)?;
                let matches = s == name
                    || s.ends_with(&format!(":{name}"))
                    || s.ends_with(&format!("/{name}"));
                matches.then(|| r.id.clone())
            })
        }
        ArgValue::Unknown => None,
    }
}

/// The property that names a resource of this type.
fn name_key(type_: &str) -> Option<&'static str> {
    Some(match type_ {
        "AWS::S3::Bucket" => "BucketName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => "TableName",
        "AWS::Kinesis::Stream" => "Name",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "FunctionName",
        _ => return None,
    })
}

/// The text of an `Fn::Sub` string (its one-argument form).
fn sub_text(app: &App, node: NodeId) -> Option<String> {
    let doc = &app.tpl.doc;
    match doc.intrinsic(node)? {
        ("Fn::Sub", arg) => doc.as_str(arg).map(str::to_string),
        _ => None,
    }
}
