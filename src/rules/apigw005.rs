//! APIGW005 private-api-without-vpce-policy.

use crate::model::Known;
use crate::model::api::Access;
use crate::rule::{Context, Report, Rule};

pub struct PrivateApiWithoutVpcePolicy;

pub fn message_no_policy(api: &str) -> String {
    format!(
        "private REST API `{api}` has no resource policy: no VPC endpoint can invoke it until one is attached, and a policy added by hand later must then restrict `aws:SourceVpce` itself"
    )
}

pub fn message_open(api: &str, what: &str) -> String {
    format!(
        "private REST API `{api}` has a resource policy whose {what} allows requests without a condition on `aws:SourceVpce` or `aws:SourceVpc`, and no `Deny` guards it: any VPC endpoint for API Gateway, in any AWS account, can reach the API"
    )
}

impl Rule for PrivateApiWithoutVpcePolicy {
    fn code(&self) -> &'static str {
        "APIGW005"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        for a in app.apis().apis.values() {
            if a.private != Known::Yes(true) {
                continue;
            }
            let (span, msg) = match &a.access {
                Access::NoPolicy => (a.anchor, message_no_policy(&a.id)),
                Access::Open { span, what } => (*span, message_open(&a.id, what)),
                Access::Guarded | Access::Unknown(_) => continue,
            };
            let help = if a.sam {
                format!(
                    "add `Auth: {{ResourcePolicy: {{IntrinsicVpceWhitelist: [!Ref ApiVpcEndpoint]}}}}` to {} (SAM writes the `Allow` and the `Deny` on `aws:SourceVpce`)",
                    if a.implicit {
                        "`Globals.Api`".to_string()
                    } else {
                        format!("`{}`", a.id)
                    }
                )
            } else {
                format!(
                    "give `{}` a `Policy` that allows `execute-api:Invoke` and denies it with `StringNotEquals: {{aws:SourceVpce: <your endpoint id>}}`",
                    a.id
                )
            };
            cx.emit(
                Report::new(span, msg)
                    .resource(&a.declared_in)
                    .path(&[if a.sam { "Auth" } else { "Policy" }])
                    .help(help),
            );
        }
    }
}
