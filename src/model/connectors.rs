//! `AWS::Serverless::Connector` resources and `Connectors` resource attributes: the permissions
//! SAM adds to a function's role for a connection (`Read` / `Write` to a destination, or the
//! poller permissions of a queue or stream whose destination is the function).
//!
//! The access categories follow the connector profiles of aws-sam-translator (Apache-2.0, see
//! NOTICE), for the connections whose policy goes on a Lambda function's role.

use std::collections::HashMap;

use crate::load::NodeId;
use crate::model::iam::{Item, Statement, Via};
use crate::model::template::{Known, Template};
use crate::source::Span;

/// The CloudFormation type a connector endpoint stands for (SAM types map to what SAM
/// generates).
fn cfn_type(t: &str) -> &str {
    match t {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        other => other,
    }
}

/// Actions a Lambda function's role gets for a connection to a destination of type `dest`,
/// per access category.
fn function_to(dest: &str, category: &str) -> Option<&'static [&'static str]> {
    Some(match (dest, category) {
        ("AWS::DynamoDB::Table", "Read") => &[
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PartiQLSelect",
        ],
        ("AWS::DynamoDB::Table", "Write") => &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PartiQLDelete",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
        ],
        ("AWS::S3::Bucket", "Read") => &[
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectLegalHold",
            "s3:GetObjectRetention",
            "s3:GetObjectTorrent",
            "s3:GetObjectVersion",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionTorrent",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:ListBucketVersions",
            "s3:ListMultipartUploadParts",
        ],
        ("AWS::S3::Bucket", "Write") => &[
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:PutObject",
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
            "s3:RestoreObject",
        ],
        ("AWS::SQS::Queue", "Read") => &["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
        ("AWS::SQS::Queue", "Write") => &[
            "sqs:DeleteMessage",
            "sqs:SendMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:PurgeQueue",
        ],
        ("AWS::SNS::Topic", "Write") => &["sns:Publish"],
        ("AWS::Lambda::Function", "Write") => &["lambda:InvokeAsync", "lambda:InvokeFunction"],
        ("AWS::StepFunctions::StateMachine", "Write") => &[
            "states:StartExecution",
            "states:StartSyncExecution",
            "states:StopExecution",
        ],
        ("AWS::StepFunctions::StateMachine", "Read") => &[
            "states:DescribeStateMachine",
            "states:ListExecutions",
            "states:DescribeExecution",
            "states:DescribeStateMachineForExecution",
            "states:GetExecutionHistory",
        ],
        ("AWS::Events::EventBus", "Write") => &["events:PutEvents"],
        ("AWS::Location::PlaceIndex", "Read") => &[
            "geo:DescribePlaceIndex",
            "geo:GetPlace",
            "geo:SearchPlaceIndexForPosition",
            "geo:SearchPlaceIndexForSuggestions",
            "geo:SearchPlaceIndexForText",
        ],
        _ => return None,
    })
}

/// Actions a Lambda function's role gets when it is the destination of a connection from a
/// source of type `src` (the event source mapping's poller).
fn to_function(src: &str, category: &str) -> Option<&'static [&'static str]> {
    Some(match (src, category) {
        ("AWS::DynamoDB::Table", "Read") => &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        ("AWS::SQS::Queue", "Read") => &["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
        ("AWS::SQS::Queue", "Write") => &["sqs:DeleteMessage"],
        _ => return None,
    })
}

/// One connection.
struct Connection {
    /// Logical id of the connector resource (or of the resource holding `Connectors`).
    written_in: String,
    source: Endpoint,
    destinations: Vec<Endpoint>,
    /// The access categories, or None when they are not literal.
    permissions: Option<Vec<String>>,
    span: Span,
    path: Vec<String>,
}

/// A connector endpoint: a resource of the template, or a type with an ARN.
struct Endpoint {
    id: Option<String>,
    type_: Option<String>,
    /// `RoleName` of an endpoint given by ARN: the role the policy goes on.
    role: Option<String>,
}

fn endpoint(tpl: &Template, node: NodeId) -> Endpoint {
    let doc = &tpl.doc;
    let id = doc
        .get(node, "Id")
        .and_then(|n| doc.as_str(n))
        .map(str::to_string);
    let type_ = id
        .as_ref()
        .and_then(|i| tpl.resource(i))
        .map(|r| cfn_type(&r.type_).to_string())
        .or_else(|| {
            doc.get(node, "Type")
                .and_then(|n| doc.as_str(n))
                .map(|t| cfn_type(t).to_string())
        });
    let role = doc
        .get(node, "RoleName")
        .and_then(|n| tpl.ref_resource(n))
        .map(str::to_string);
    Endpoint { id, type_, role }
}

fn connection(
    tpl: &Template,
    written_in: &str,
    source: Endpoint,
    props: NodeId,
    path: Vec<String>,
) -> Option<Connection> {
    let doc = &tpl.doc;
    let dest = doc.get(props, "Destination")?;
    let destinations = match doc.value(dest) {
        crate::load::Value::Seq(_) => doc
            .one_or_many(dest)
            .into_iter()
            .map(|d| endpoint(tpl, d))
            .collect(),
        _ => vec![endpoint(tpl, dest)],
    };
    let perms = doc.get(props, "Permissions");
    let permissions = perms.and_then(|p| {
        doc.one_or_many(p)
            .into_iter()
            .map(|x| doc.as_str(x).map(str::to_string))
            .collect::<Option<Vec<String>>>()
    });
    let span = perms.map_or_else(|| doc.span(props), |p| doc.span(p));
    Some(Connection {
        written_in: written_in.to_string(),
        source,
        destinations,
        permissions,
        span,
        path,
    })
}

/// Every connection of the template.
fn connections(tpl: &Template) -> Vec<Connection> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    for r in tpl.resources.values() {
        if r.type_ == "AWS::Serverless::Connector" {
            let Some(props) = doc.get(r.node, "Properties") else {
                continue;
            };
            let Some(src) = doc.get(props, "Source") else {
                continue;
            };
            let source = endpoint(tpl, src);
            out.extend(connection(
                tpl,
                &r.id,
                source,
                props,
                vec!["Properties".into(), "Permissions".into()],
            ));
        }
        if let Some(c) = doc.get(r.node, "Connectors").and_then(|n| doc.as_map(n)) {
            for (name, _, conn) in c.iter() {
                let Some(props) = doc.get(conn, "Properties") else {
                    continue;
                };
                let source = Endpoint {
                    id: Some(r.id.clone()),
                    type_: Some(cfn_type(&r.type_).to_string()),
                    role: None,
                };
                out.extend(connection(
                    tpl,
                    &r.id,
                    source,
                    props,
                    vec![
                        "Connectors".into(),
                        name.to_string(),
                        "Properties".into(),
                        "Permissions".into(),
                    ],
                ));
            }
        }
    }
    out
}

/// What connectors grant, per function (by logical id) and per role given by `RoleName`:
/// statements, and whether some grant could not be read (the function's IAM facts are then
/// incomplete).
#[derive(Debug, Default)]
pub struct Grants {
    pub by_function: HashMap<String, Vec<Statement>>,
    pub by_role: HashMap<String, Vec<Statement>>,
    pub unknown_functions: Vec<String>,
}

fn statement(c: &Connection, actions: &[&str]) -> Statement {
    Statement {
        allow: true,
        actions: actions
            .iter()
            .map(|a| Item {
                value: Known::Yes((*a).to_string()),
                span: c.span,
            })
            .collect(),
        not_action: false,
        resources: vec![Item {
            value: Known::Unknown("the connector's destination".into()),
            span: c.span,
        }],
        not_resource: false,
        span: c.span,
        written_in: c.written_in.clone(),
        via: Via::Connector(c.written_in.clone()),
        path: c.path.clone(),
    }
}

/// The grants of every connector of the template.
pub fn grants(tpl: &Template) -> Grants {
    let mut g = Grants::default();
    let is_fn = |e: &Endpoint| e.type_.as_deref() == Some("AWS::Lambda::Function");
    for c in connections(tpl) {
        // The function whose role gets the policy: the source (function -> destination), or
        // the destination (queue / stream -> function).
        let from_fn = is_fn(&c.source);
        let Some(perms) = &c.permissions else {
            if from_fn && let Some(id) = &c.source.id {
                g.unknown_functions.push(id.clone());
            }
            continue;
        };
        if from_fn {
            let mut actions: Vec<&str> = Vec::new();
            let mut unknown = false;
            for d in &c.destinations {
                match d.type_.as_deref() {
                    Some(t) => {
                        for p in perms {
                            match function_to(t, p) {
                                Some(a) => actions.extend(a),
                                None => unknown = true,
                            }
                        }
                    }
                    None => unknown = true,
                }
            }
            let st = statement(&c, &actions);
            match (&c.source.id, &c.source.role) {
                (Some(id), _) => {
                    if unknown {
                        g.unknown_functions.push(id.clone());
                    }
                    g.by_function.entry(id.clone()).or_default().push(st);
                }
                (None, Some(role)) => g.by_role.entry(role.clone()).or_default().push(st),
                _ => {}
            }
        }
        for d in c.destinations.iter().filter(|d| is_fn(d)) {
            let Some(src) = c.source.type_.as_deref() else {
                continue;
            };
            let actions: Vec<&str> = perms
                .iter()
                .filter_map(|p| to_function(src, p))
                .flatten()
                .copied()
                .collect();
            if actions.is_empty() {
                continue;
            }
            let st = statement(&c, &actions);
            match (&d.id, &d.role) {
                (Some(id), _) => g.by_function.entry(id.clone()).or_default().push(st),
                (None, Some(role)) => g.by_role.entry(role.clone()).or_default().push(st),
                _ => {}
            }
        }
    }
    g
}
