//! APIGW002 api-without-access-logging.

use crate::model::Known;
use crate::model::api::ApiKind;
use crate::rule::{Context, Report, Rule};

pub struct ApiWithoutAccessLogging;

pub fn message(stage: &str, key: &str) -> String {
    format!(
        "{stage} has no access logs (`{key}.DestinationArn`): who called which route, from where, and with what result is not recorded anywhere"
    )
}

impl Rule for ApiWithoutAccessLogging {
    fn code(&self) -> &'static str {
        "APIGW002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for s in &app.apis().stages {
            if s.access_logs != Known::Yes(false) {
                continue;
            }
            let key = if s.kind == ApiKind::Rest {
                "AccessLogSetting"
            } else {
                "AccessLogSettings"
            };
            let target = if s.implicit {
                format!(
                    "`Globals.{}`",
                    if s.kind == ApiKind::Rest {
                        "Api"
                    } else {
                        "HttpApi"
                    }
                )
            } else if s.sam {
                format!(
                    "`{}` (or `Globals.{}`)",
                    s.declared_in,
                    if s.kind == ApiKind::Rest {
                        "Api"
                    } else {
                        "HttpApi"
                    }
                )
            } else {
                format!("`{}`", s.declared_in)
            };
            let help = match cx.app.tpl.dialect().say(key) {
                // Serverless Framework / CDK users turn it on in their own terms.
                Some(how) => format!("turn access logs on: {how}"),
                None => format!(
                    "add `{key}: {{DestinationArn: !GetAtt ApiAccessLogs.Arn, Format: ...}}` to {target}, with an `AWS::Logs::LogGroup` that has a `RetentionInDays`{}",
                    if s.kind == ApiKind::Rest {
                        " (REST APIs also need the account's CloudWatch role, `AWS::ApiGateway::Account`)"
                    } else {
                        ""
                    }
                ),
            };
            cx.emit(
                Report::new(s.anchor, message(&s.describe(), key))
                    .resource(&s.declared_in)
                    .path(&[key])
                    .help(help),
            );
        }
    }
}
