//! IAM010 unscoped-invoke-permission.

use std::collections::HashSet;

use crate::diagnostic::Severity;
use crate::rule::{Context, Report, Rule};

pub struct UnscopedInvokePermission;

/// Why a permission is too wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unscoped {
    /// A service principal without `SourceArn` (`account`: it has `SourceAccount`).
    NoSourceArn { principal: String, account: bool },
    /// S3 with `SourceArn` but without `SourceAccount`.
    S3NoAccount,
    /// `Principal: "*"` without any condition.
    Anyone,
    /// The public-access permission of a function URL with `AuthType: NONE`.
    PublicUrl,
}

pub fn message(permission: &str, function: &str, u: &Unscoped) -> String {
    match u {
        Unscoped::NoSourceArn {
            principal,
            account: false,
        } => format!(
            "permission `{permission}` lets `{principal}` invoke {function} without `SourceArn` or `SourceAccount`: any resource of that service, in any AWS account, that names the function can invoke it (a confused deputy)"
        ),
        Unscoped::NoSourceArn {
            principal,
            account: true,
        } => format!(
            "permission `{permission}` lets `{principal}` invoke {function} without `SourceArn`: any resource of that service in the account can invoke it, not only the one meant to"
        ),
        Unscoped::S3NoAccount => format!(
            "permission `{permission}` lets S3 invoke {function} with a `SourceArn` but no `SourceAccount`: bucket ARNs carry no account, so a bucket of that name in another account (once yours is deleted) could invoke it"
        ),
        Unscoped::Anyone => format!(
            "permission `{permission}` lets any principal (`*`) invoke {function}, with no `SourceArn`, `SourceAccount` or `PrincipalOrgID`: anyone with AWS credentials can call it"
        ),
        Unscoped::PublicUrl => format!(
            "permission `{permission}` makes the function URL of {function} public (`FunctionUrlAuthType: NONE`): anyone on the internet can invoke it, and it must authenticate every request itself"
        ),
    }
}

/// `url`: the `AWS::Lambda::Url` resource (`None`: SAM `FunctionUrlConfig`).
pub fn message_url(url: Option<&str>, function: Option<&str>, from_globals: bool) -> String {
    let glob = if from_globals {
        " (from `Globals.Function`)"
    } else {
        ""
    };
    let what = match (url, function) {
        (Some(u), Some(f)) => format!("function URL `{u}` of function `{f}`"),
        (Some(u), None) => format!("function URL `{u}`"),
        (None, f) => format!("the function URL of `{}`", f.unwrap_or("")),
    };
    format!(
        "{what} has `AuthType: NONE`{glob}: anyone on the internet can invoke the function, and it must authenticate every request itself"
    )
}

/// A `Lambda::Permission`'s principal is an AWS service (`events.amazonaws.com`,
/// `alexa-appkit.amazon.com`).
fn service_principal(p: &str) -> bool {
    p.ends_with(".amazonaws.com") || p.ends_with(".amazon.com") || p.ends_with(".amazonaws.com.cn")
}

impl Rule for UnscopedInvokePermission {
    fn code(&self) -> &'static str {
        "IAM010"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        // Functions whose public URL is reported on the URL itself.
        let mut public_urls: HashSet<String> = HashSet::new();
        for r in tpl.resources_of("AWS::Lambda::Url") {
            let Some(auth) = tpl.prop(r, "AuthType").and_then(|n| tpl.string(n).known()) else {
                continue;
            };
            if auth != "NONE" {
                continue;
            }
            let target = tpl.prop(r, "TargetFunctionArn");
            let fid = target.and_then(|n| tpl.ref_resource(n)).map(str::to_string);
            if let Some(f) = &fid {
                public_urls.insert(f.clone());
            }
            cx.emit(
                Report::new(r.key_span, message_url(Some(&r.id), fid.as_deref(), false))
                    .resource(&r.id)
                    .path(&["AuthType"])
                    .help(help_url(false)),
            );
        }
        for f in app.functions.values() {
            if !f.sam {
                continue;
            }
            let Some(p) = f
                .nested(tpl, &["FunctionUrlConfig", "AuthType"])
                .first()
                .copied()
            else {
                continue;
            };
            if tpl.string(p.node).known().as_deref() != Some("NONE") {
                continue;
            }
            public_urls.insert(f.id.clone());
            let span = if p.from_globals {
                f.anchor(tpl)
            } else {
                f.prop(tpl, "FunctionUrlConfig")
                    .map_or_else(|| f.anchor(tpl), |x| x.key_span)
            };
            cx.emit(
                Report::new(span, message_url(None, Some(&f.id), p.from_globals))
                    .resource(&f.id)
                    .path(&["FunctionUrlConfig", "AuthType"])
                    .help(help_url(true)),
            );
        }
        for r in tpl.resources_of("AWS::Lambda::Permission") {
            let Some(props) = r.properties else { continue };
            let prop = |k: &str| doc.get(props, k);
            let Some(principal) = prop("Principal").and_then(|n| tpl.string(n).known()) else {
                continue;
            };
            let fid = prop("FunctionName").and_then(|n| tpl.ref_resource(n));
            let function = match fid {
                Some(id) => format!("function `{id}`"),
                None => "its function".to_string(),
            };
            let has = |k: &str| prop(k).is_some();
            let unscoped = if principal == "*" {
                let url_auth = prop("FunctionUrlAuthType").and_then(|n| tpl.string(n).known());
                match url_auth.as_deref() {
                    // IAM-authenticated function URL: callers must sign.
                    Some("AWS_IAM") => continue,
                    Some("NONE") => {
                        if fid.is_some_and(|f| public_urls.contains(f)) {
                            continue;
                        }
                        Unscoped::PublicUrl
                    }
                    _ if has("SourceArn") || has("SourceAccount") || has("PrincipalOrgID") => {
                        continue;
                    }
                    // A computed `FunctionUrlAuthType`: not judged.
                    _ if has("FunctionUrlAuthType") => continue,
                    _ => Unscoped::Anyone,
                }
            } else if service_principal(&principal) {
                let s3 = principal.starts_with("s3.");
                if !has("SourceArn") {
                    // Alexa skills are scoped by their skill id.
                    if has("EventSourceToken") {
                        continue;
                    }
                    Unscoped::NoSourceArn {
                        principal: principal.clone(),
                        account: has("SourceAccount"),
                    }
                } else if s3 && !has("SourceAccount") {
                    Unscoped::S3NoAccount
                } else {
                    continue;
                }
            } else {
                // An account or role: scoped to it.
                continue;
            };
            let severity = match &unscoped {
                Unscoped::NoSourceArn { account: true, .. } => Some(Severity::Info),
                _ => None,
            };
            let help = match &unscoped {
                Unscoped::NoSourceArn { .. } => format!(
                    "add `SourceArn` (the ARN of the rule, bucket, topic, API... that invokes the function){}",
                    if principal.starts_with("s3.") {
                        " and `SourceAccount: !Ref AWS::AccountId`"
                    } else {
                        ""
                    }
                ),
                Unscoped::S3NoAccount => {
                    "add `SourceAccount: !Ref AWS::AccountId` next to `SourceArn`".to_string()
                }
                Unscoped::Anyone => "name the principal that invokes the function (an account, a role or a service with `SourceArn`), or add `PrincipalOrgID` / `SourceAccount`".to_string(),
                Unscoped::PublicUrl => help_url(false),
            };
            let mut rep = Report::new(r.key_span, message(&r.id, &function, &unscoped))
                .resource(&r.id)
                .path(&[match unscoped {
                    Unscoped::S3NoAccount => "SourceAccount",
                    Unscoped::Anyone | Unscoped::PublicUrl => "Principal",
                    Unscoped::NoSourceArn { .. } => "SourceArn",
                }])
                .help(help);
            if let Some(s) = severity {
                rep = rep.severity(s);
            }
            cx.emit(rep);
        }
    }
}

fn help_url(sam: bool) -> String {
    if sam {
        "set `FunctionUrlConfig.AuthType: AWS_IAM` and sign requests with SigV4 (behind CloudFront, with origin access control), or keep `NONE` only if the handler verifies every request (a webhook signature, a token)".to_string()
    } else {
        "set `AuthType: AWS_IAM` and sign requests with SigV4 (behind CloudFront, with origin access control), or keep `NONE` only if the handler verifies every request (a webhook signature, a token)".to_string()
    }
}
