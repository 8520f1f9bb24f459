//! How the user wrote the template, and how findings get back to what the user edits.
//!
//! lambdalint reads three source forms: CloudFormation / SAM templates, Serverless Framework
//! `serverless.yml` files and AWS CDK cloud assemblies (`cdk.out`). The last two are *lowered*
//! into the same CloudFormation-shaped tree the model reads (see [`crate::frameworks`]), so every
//! rule works on all three without knowing which one it sees. Two things are left for the edges:
//!
//! 1. **Where a finding lands and what it is called** ([`Origin`]): after the rules ran,
//!    [`relocate`] maps the lowered logical id (`CreateLambdaFunction`) to the id the user knows
//!    (the function key `create`), a span in an included file (`${file(./fns.yml)}`) back to that
//!    file, and a CDK resource to its construct path and the line of the app that created it.
//!    Rules never do this themselves.
//!
//! 2. **How a fix is worded** ([`Dialect::say`]): a rule's `help:` names the property to set. The
//!    vocabulary maps a CloudFormation property (the names rules already use) to how the user
//!    writes it in their dialect. A rule adopts it in one line:
//!
//!    ```ignore
//!    let help = match app.tpl.dialect().say("Timeout") {
//!        // Serverless: "`timeout:` on the function (or `provider.timeout` for all of them)"
//!        // CDK:        "`timeout: Duration.seconds(10)` in the function's props"
//!        Some(how) => format!("set {how} to a little more than its expected duration"),
//!        None => "set `Timeout` (seconds) on the function ...".to_string(), // CloudFormation / SAM
//!    };
//!    ```
//!
//!    `say` returns `None` for CloudFormation and SAM (the rule keeps its own wording) and for a
//!    property the vocabulary does not know yet (add it to [`SERVERLESS`] and [`CDK`] below: one
//!    line each, keys are CloudFormation property paths as the rules name them).

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// The intrinsic a lowered template uses for a value that cannot be known offline; its argument
/// is the reason (`Template::target` turns it into `Target::Unknown(reason)`).
pub const UNRESOLVED: &str = "Fn::Unresolved";

/// The source form of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// CloudFormation or SAM, as written.
    #[default]
    CloudFormation,
    /// A Serverless Framework `serverless.yml`, lowered.
    Serverless,
    /// A template synthesised by the AWS CDK (`cdk.out`).
    Cdk,
}

/// CloudFormation property -> how a Serverless Framework user writes it.
pub const SERVERLESS: &[(&str, &str)] = &[
    (
        "Timeout",
        "`timeout:` on the function (or `provider.timeout` for all of them; the Framework's default is 6 s)",
    ),
    (
        "MemorySize",
        "`memorySize:` on the function (or `provider.memorySize`)",
    ),
    (
        "DeadLetterQueue",
        "`destinations: {onFailure: <queue ARN>}` on the function (or `onError:` with an SNS topic ARN)",
    ),
    (
        "DeadLetterConfig",
        "`onError:` on the function (an SNS topic ARN)",
    ),
    (
        "EventInvokeConfig.OnFailure",
        "`destinations: {onFailure: <queue, topic, bucket or function ARN>}` on the function",
    ),
    (
        "DestinationConfig.OnFailure",
        "`destinations: {onFailure: <queue or topic ARN>}` on the `stream` / `kafka` / `msk` event",
    ),
    (
        "MaximumRetryAttempts",
        "`maximumRetryAttempts:` on the `stream` event",
    ),
    (
        "MaximumRecordAgeInSeconds",
        "`maximumRecordAgeInSeconds:` on the `stream` event",
    ),
    (
        "BisectBatchOnFunctionError",
        "`bisectBatchOnFunctionError: true` on the `stream` event",
    ),
    (
        "FunctionResponseTypes",
        "`functionResponseType: ReportBatchItemFailures` on the `sqs` / `stream` event",
    ),
    (
        "ScalingConfig.MaximumConcurrency",
        "`maximumConcurrency:` on the `sqs` event",
    ),
    (
        "ReservedConcurrentExecutions",
        "`reservedConcurrency:` on the function",
    ),
    (
        "RedrivePolicy",
        "`RedrivePolicy: {deadLetterTargetArn: ..., maxReceiveCount: 5}` on the queue under `resources.Resources`",
    ),
    (
        "VisibilityTimeout",
        "`VisibilityTimeout` on the queue under `resources.Resources`",
    ),
    (
        "VpcConfig",
        "`vpc: {securityGroupIds, subnetIds}` on the function (or `provider.vpc`)",
    ),
    ("Policies", "`provider.iam.role.statements`"),
    ("ManagedPolicyArns", "`provider.iam.role.managedPolicies`"),
    (
        "Tracing",
        "`tracing: {lambda: true}` under `provider` (or `tracing: Active` on the function)",
    ),
    (
        "Environment",
        "`environment:` on the function (or `provider.environment`)",
    ),
    ("RetentionInDays", "`provider.logRetentionInDays`"),
    (
        "AccessLogSetting",
        "`provider.logs.restApi: true` (the Framework then writes access logs to `/aws/api-gateway/<service>-<stage>`)",
    ),
    (
        "AccessLogSettings",
        "`provider.logs.httpApi: true` (HTTP API) or `provider.logs.websocket: true` (WebSocket API)",
    ),
    (
        "DataTraceEnabled",
        "`fullExecutionData: false` under `provider.logs.restApi` / `provider.logs.websocket` (it defaults to true once those logs are on)",
    ),
];

/// CloudFormation property -> how an AWS CDK (TypeScript) user writes it.
pub const CDK: &[(&str, &str)] = &[
    (
        "Timeout",
        "`timeout: Duration.seconds(10)` in the function's props (the default is 3 s)",
    ),
    ("MemorySize", "`memorySize:` in the function's props"),
    (
        "DeadLetterQueue",
        "`onFailure: new SqsDestination(queue)` (or `deadLetterQueue: queue`) in the function's props",
    ),
    (
        "DeadLetterConfig",
        "`deadLetterQueue: queue` (or `deadLetterQueueEnabled: true`) in the function's props",
    ),
    (
        "EventInvokeConfig.OnFailure",
        "`onFailure: new SqsDestination(queue)` in the function's props (or `fn.configureAsyncInvoke({onFailure})`)",
    ),
    (
        "DestinationConfig.OnFailure",
        "`onFailure: new SqsDlq(queue)` in the event source's props (`KinesisEventSource`, `DynamoEventSource`)",
    ),
    (
        "MaximumRetryAttempts",
        "`retryAttempts:` in the event source's props",
    ),
    (
        "MaximumRecordAgeInSeconds",
        "`maxRecordAge: Duration.hours(1)` in the event source's props",
    ),
    (
        "BisectBatchOnFunctionError",
        "`bisectBatchOnError: true` in the event source's props",
    ),
    (
        "FunctionResponseTypes",
        "`reportBatchItemFailures: true` in the event source's props",
    ),
    (
        "ScalingConfig.MaximumConcurrency",
        "`maxConcurrency:` in the `SqsEventSource` props",
    ),
    (
        "ReservedConcurrentExecutions",
        "`reservedConcurrentExecutions:` in the function's props",
    ),
    (
        "RedrivePolicy",
        "`deadLetterQueue: { queue: dlq, maxReceiveCount: 5 }` in the queue's props",
    ),
    (
        "VisibilityTimeout",
        "`visibilityTimeout: Duration.seconds(...)` in the queue's props",
    ),
    (
        "VpcConfig",
        "`vpc` and `vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }` in the function's props",
    ),
    (
        "Policies",
        "the statements granted to the function (`fn.addToRolePolicy(...)`, `table.grantReadData(fn)`)",
    ),
    (
        "ManagedPolicyArns",
        "the managed policies of the role (`role.addManagedPolicy(...)`)",
    ),
    (
        "Tracing",
        "`tracing: Tracing.ACTIVE` in the function's props",
    ),
    ("Environment", "`environment:` in the function's props"),
    (
        "RetentionInDays",
        "`logRetention: RetentionDays.ONE_MONTH` (or a `logGroup` with a retention) in the function's props",
    ),
    (
        "AccessLogSetting",
        "`deployOptions: { accessLogDestination: new LogGroupLogDestination(logGroup), accessLogFormat: AccessLogFormat.jsonWithStandardFields() }` in the `RestApi` props",
    ),
    (
        "AccessLogSettings",
        "`accessLogSettings: { destinationArn: logGroup.logGroupArn, format: ... }` on the API's stage (`CfnStage`)",
    ),
    (
        "DataTraceEnabled",
        "`dataTraceEnabled: false` (the default) in the `RestApi`'s `deployOptions`",
    ),
];

impl Dialect {
    /// How the user writes a CloudFormation property in this dialect (`None` for CloudFormation
    /// and SAM, where the rule's own wording applies, and for a property not in the vocabulary).
    pub fn say(self, cfn_property: &str) -> Option<&'static str> {
        let table = match self {
            Dialect::CloudFormation => return None,
            Dialect::Serverless => SERVERLESS,
            Dialect::Cdk => CDK,
        };
        table
            .iter()
            .find(|(k, _)| *k == cfn_property)
            .map(|(_, v)| *v)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::CloudFormation => "cloudformation",
            Dialect::Serverless => "serverless",
            Dialect::Cdk => "cdk",
        }
    }
}

/// How a lowered logical id is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The `resource` of a finding (a function key under `functions:`, a key under
    /// `resources.Resources`, `IamRoleLambdaExecution`).
    pub resource: String,
    /// How the resource is named in messages (`create`, `create.events[1].sqs`).
    pub display: String,
}

/// Where the template came from, for [`relocate`].
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub dialect: Dialect,
    /// Lowered logical id -> the id reported (only ids that differ).
    pub ids: HashMap<String, Reported>,
    /// Files pulled in (`${file()}`): spans at or above `base` belong to `file` (shifted by
    /// `base`). Sorted by base.
    pub included: Vec<(u32, Arc<SourceFile>)>,
    /// CDK: logical id -> construct path (`OrdersStack/CreateOrder/Resource`).
    pub construct_paths: HashMap<String, String>,
    /// CDK: logical id -> the place in the app's source that created the construct.
    pub creation: HashMap<String, (Arc<SourceFile>, Span)>,
    /// Resources the framework adds for itself (CDK helper functions and their roles): their
    /// findings are dropped.
    pub helpers: Vec<String>,
    /// What the reader left out on purpose, said under `--verbose`.
    pub remarks: Vec<String>,
}

impl Origin {
    /// The file and span a template span really is in.
    pub fn locate(&self, main: &Arc<SourceFile>, span: Span) -> (Arc<SourceFile>, Span) {
        for (base, f) in self.included.iter().rev() {
            if span.start >= *base {
                let s = Span {
                    start: span.start - base,
                    end: span.end.saturating_sub(*base),
                };
                return (Arc::clone(f), s);
            }
        }
        (Arc::clone(main), span)
    }
}

/// Rename the lowered logical ids a text names (`` `Id` ``, `!Ref Id`, `!GetAtt Id.Arn`,
/// `Ref: Id`) to what the user wrote, in one pass over the text's words (logical ids are
/// alphanumeric): a finding about a role shared by thousands of functions names them all, and
/// a template of thousands of functions has as many ids.
fn rename_ids(text: &mut String, ids: &HashMap<String, Reported>) {
    let src = text.as_str();
    let bytes = src.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        let (Some(word), Some(before)) = (src.get(start..i), src.get(..start)) else {
            continue;
        };
        let Some(r) = ids.get(word) else {
            continue;
        };
        let ticked = before.ends_with('`') && bytes.get(i) == Some(&b'`');
        let referenced = ["!Ref ", "!GetAtt ", "Ref: "]
            .iter()
            .any(|p| before.ends_with(p));
        if !(ticked || referenced) {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(src.len()));
        o.push_str(src.get(copied..start).unwrap_or(""));
        o.push_str(&r.display);
        copied = i;
    }
    if let Some(mut o) = out {
        o.push_str(src.get(copied..).unwrap_or(""));
        *text = o;
    }
}

/// Map findings of a lowered template back to what the user edits (see the module docs). Ids are
/// mapped on every finding; positions only on findings in the template itself (handler findings
/// already point at their sources).
pub fn relocate(tpl: &crate::model::Template, out: &mut Vec<Diagnostic>) {
    let origin = &tpl.origin;
    if origin.dialect == Dialect::CloudFormation {
        return;
    }
    if !origin.helpers.is_empty() {
        out.retain(|d| {
            d.resource
                .as_ref()
                .is_none_or(|r| !origin.helpers.contains(r))
        });
    }
    for d in out.iter_mut() {
        let in_template = Arc::ptr_eq(&d.file, &tpl.file);
        if let Some(id) = d.resource.clone() {
            if let Some(path) = origin.construct_paths.get(&id) {
                d.construct = Some(path.clone());
            }
            if in_template && let Some((file, span)) = origin.creation.get(&id) {
                d.file = Arc::clone(file);
                d.span = *span;
            }
            if let Some(r) = origin.ids.get(&id) {
                d.resource = Some(r.resource.clone());
            }
        }
        // Lowered ids named in the message or help (the function, a mapping, a permission).
        if !origin.ids.is_empty() {
            rename_ids(&mut d.message, &origin.ids);
            if let Some(h) = d.help.as_mut() {
                rename_ids(h, &origin.ids);
            }
        }
        if in_template && Arc::ptr_eq(&d.file, &tpl.file) && !origin.included.is_empty() {
            let (f, s) = origin.locate(&tpl.file, d.span);
            d.file = f;
            d.span = s;
        }
    }
}

/// [`relocate`] for an input problem found in a lowered template: its file, span and message.
pub fn relocate_problem(
    tpl: &crate::model::Template,
    span: Span,
    mut message: String,
) -> (Arc<SourceFile>, Span, String) {
    rename_ids(&mut message, &tpl.origin.ids);
    let (f, s) = tpl.origin.locate(&tpl.file, span);
    (f, s, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_covers_the_same_properties() {
        let s: Vec<_> = SERVERLESS.iter().map(|(k, _)| *k).collect();
        let c: Vec<_> = CDK.iter().map(|(k, _)| *k).collect();
        assert_eq!(s, c, "every property needs a Serverless and a CDK wording");
        assert_eq!(Dialect::CloudFormation.say("Timeout"), None);
        assert!(
            Dialect::Serverless
                .say("Timeout")
                .is_some_and(|t| t.contains("provider.timeout"))
        );
        assert!(
            Dialect::Cdk
                .say("Timeout")
                .is_some_and(|t| t.contains("Duration.seconds"))
        );
    }

    #[test]
    fn ticked_ids_are_replaced_whole() {
        let ids: HashMap<String, Reported> = [
            ("CreateLambdaFunction", "create"),
            ("Queue1", "resources.Resources.Queue1"),
        ]
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Reported {
                    resource: v.to_string(),
                    display: v.to_string(),
                },
            )
        })
        .collect();
        let mut m = "function `CreateLambdaFunction` and `CreateLambdaFunctionX`, \
                     CreateLambdaFunction bare, `xCreateLambdaFunction`"
            .to_string();
        rename_ids(&mut m, &ids);
        assert_eq!(
            m,
            "function `create` and `CreateLambdaFunctionX`, CreateLambdaFunction bare, `xCreateLambdaFunction`"
        );
        let mut h = "set `Timeout` on !Ref CreateLambdaFunction, !GetAtt Queue1.Arn, Ref: Queue1; \
                     !Ref Queue12"
            .to_string();
        rename_ids(&mut h, &ids);
        assert_eq!(
            h,
            "set `Timeout` on !Ref create, !GetAtt resources.Resources.Queue1.Arn, \
             Ref: resources.Resources.Queue1; !Ref Queue12"
        );
        // A text naming thousands of ids is renamed in one pass.
        let many: Vec<String> = (0..20_000)
            .map(|_| "`CreateLambdaFunction`".into())
            .collect();
        let mut m = many.join(", ");
        rename_ids(&mut m, &ids);
        assert_eq!(m.matches("`create`").count(), 20_000);
    }
}
