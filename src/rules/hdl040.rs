//! HDL040 hardcoded-credentials.

use crate::handler::hygiene::CredKind;
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct HardcodedCredentials;

pub fn message_hdl040(function: &str, kind: CredKind, name: Option<&str>) -> String {
    match name {
        Some(n) => format!(
            "`{n}` holds {} written in the code of `{function}`",
            kind.describe()
        ),
        None => format!("{} is written in the code of `{function}`", kind.describe()),
    }
}

impl Rule for HardcodedCredentials {
    fn code(&self) -> &'static str {
        "HDL040"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            for c in &f.hygiene.credentials {
                let help = match c.kind {
                    CredKind::AccessKeyId | CredKind::SecretAccessKey => {
                        "deactivate and delete the key in IAM, and let the function use its execution role (grant it the permissions) instead of access keys"
                    }
                    _ => {
                        "remove it from the code and rotate it; read it at run time from Secrets Manager or SSM Parameter Store (fetched once at init and cached)"
                    }
                };
                let r = Report::new(
                    c.span,
                    message_hdl040(&f.function, c.kind, c.name.as_deref()),
                )
                .resource(&f.function)
                .help(help);
                cx.emit_in(&c.file, r);
            }
        }
    }
}
