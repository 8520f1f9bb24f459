//! LMB040 secret-in-function-environment.

use std::collections::HashSet;

use crate::diagnostic::Severity;
use crate::load::{NodeId, Value};
use crate::model::template::{Template, sub_variables};
use crate::rule::{Context, Report, Rule};

pub struct SecretInFunctionEnvironment;

/// What makes a value a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// `{{resolve:secretsmanager:...}}`.
    SecretsManager,
    /// `{{resolve:ssm-secure:...}}`: not accepted in Lambda environment variables.
    SsmSecure,
    /// A `NoEcho` parameter.
    NoEcho(String),
    /// A literal that looks like a credential: what gives it away.
    Literal(String),
}

pub fn message(function: &str, variable: &str, secret: &Secret, from_globals: bool) -> String {
    let var = if from_globals {
        format!(
            "environment variable `{variable}` (from `Globals.Function`) of function `{function}`"
        )
    } else {
        format!("environment variable `{variable}` of function `{function}`")
    };
    let readable = "is stored in plain text in the function's configuration, readable by anyone allowed `lambda:GetFunctionConfiguration` and shown in the console";
    match secret {
        Secret::SecretsManager => format!(
            "{var} holds a `{{{{resolve:secretsmanager:..}}}}` reference: CloudFormation resolves it at deploy time, so the secret's value {readable}"
        ),
        Secret::SsmSecure => format!(
            "{var} holds a `{{{{resolve:ssm-secure:..}}}}` reference: CloudFormation does not accept `ssm-secure` references in Lambda environment variables, so the deployment fails"
        ),
        Secret::NoEcho(p) => format!(
            "{var} holds the `NoEcho` parameter `{p}`: `NoEcho` only hides it from the stack's outputs and events; in the environment its value {readable}"
        ),
        Secret::Literal(why) => format!(
            "{var} holds a literal credential ({why}): the value is in the template and {readable}"
        ),
    }
}

const HELP: &str = "keep the secret in Secrets Manager (or a `SecureString` parameter), put its ARN or name in the variable instead, allow `secretsmanager:GetSecretValue` on it, and read it at run time (the AWS Parameters and Secrets Lambda Extension caches it)";

/// Names that say "credential" (upper case, `_`-separated words).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "PRIVATE_KEY",
    "PRIVATEKEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "CLIENT_SECRET",
    "AUTH_KEY",
    "SIGNING_KEY",
];

/// Name endings that say "where the secret is", not the secret.
const POINTER_SUFFIXES: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_PATH",
    "_PARAM",
    "_PARAMETER",
    "_SSM",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_TABLE",
    "_BUCKET",
    "_REGION",
    "_HEADER",
    "_TTL",
    "_EXPIRY",
    "_EXPIRATION",
    "_LENGTH",
    "_FILE",
    "_LOCATION",
    "_PREFIX",
    "_KEY_ID",
    "_TYPE",
    "_FIELD",
    "_ENABLED",
    "_TIMEOUT",
    "_SECONDS",
    "_VERSION",
];

fn name_says_secret(name: &str) -> bool {
    let up = name.to_ascii_uppercase().replace('-', "_");
    if POINTER_SUFFIXES.iter().any(|s| up.ends_with(s)) || up.starts_with("AWS_SESSION") {
        return false;
    }
    SECRET_WORDS.iter().any(|w| {
        up == *w
            || up.starts_with(&format!("{w}_"))
            || up.ends_with(&format!("_{w}"))
            || up.contains(&format!("_{w}_"))
    })
}

fn is_placeholder(v: &str) -> bool {
    let low = v.to_ascii_lowercase();
    v.len() < 8
        || v.contains(char::is_whitespace)
        || [
            "example",
            "dummy",
            "changeme",
            "change_me",
            "replace",
            "placeholder",
            "xxxx",
            "todo",
            "your",
            "<",
            "{{",
            "${",
            "secret",
            "password",
            "test",
            "fake",
            "sample",
            "none",
            "null",
            "default",
        ]
        .iter()
        .any(|p| low.contains(p))
        || low.starts_with("arn:")
        || low.starts_with('/')
        || low.starts_with("http://")
        || low.starts_with("https://")
        || v.parse::<f64>().is_ok()
        || matches!(low.as_str(), "true" | "false")
}

/// A literal whose shape is a known credential format.
fn credential_shape(v: &str) -> Option<&'static str> {
    let b = v.as_bytes();
    let upper_alnum = |s: &[u8]| {
        s.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if b.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && upper_alnum(b)
        && !v.contains("EXAMPLE")
    {
        return Some("an AWS access key id");
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    for (prefix, what) in [
        ("ghp_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("xoxb-", "a Slack token"),
        ("xoxp-", "a Slack token"),
        ("sk_live_", "a Stripe key"),
        ("glpat-", "a GitLab token"),
    ] {
        if v.starts_with(prefix) && v.len() > prefix.len() + 10 {
            return Some(what);
        }
    }
    None
}

/// Every string below a node (literal strings, `Fn::Sub` templates, `Fn::Join` parts).
fn strings_below(tpl: &Template, node: NodeId) -> Vec<&str> {
    let doc = &tpl.doc;
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match doc.value(n) {
            Value::Str(s) => out.push(s.as_ref()),
            Value::Seq(s) => stack.extend(s.iter().copied()),
            Value::Map(m) => stack.extend(m.iter().map(|(_, _, v)| v)),
            _ => {}
        }
    }
    out
}

/// `NoEcho` parameters referenced below a node (`Ref`, `${Param}`).
fn no_echo_below(tpl: &Template, node: NodeId, no_echo: &HashSet<String>) -> Option<String> {
    let doc = &tpl.doc;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(("Ref", a)) = doc.intrinsic(n)
            && let Some(p) = doc.as_str(a)
            && no_echo.contains(p)
        {
            return Some(p.to_string());
        }
        if let Some(("Fn::Sub", a)) = doc.intrinsic(n) {
            let text = doc.as_str(a).or_else(|| {
                doc.as_seq(a)
                    .and_then(|s| s.first())
                    .and_then(|x| doc.as_str(*x))
            });
            for v in text.map(sub_variables).unwrap_or_default() {
                if no_echo.contains(&v) {
                    return Some(v);
                }
            }
        }
        match doc.value(n) {
            Value::Seq(s) => stack.extend(s.iter().copied()),
            Value::Map(m) => stack.extend(m.iter().map(|(_, _, v)| v)),
            _ => {}
        }
    }
    None
}

fn no_echo_parameters(tpl: &Template) -> HashSet<String> {
    let doc = &tpl.doc;
    let Some(params) = doc
        .root
        .and_then(|r| doc.get(r, "Parameters"))
        .and_then(|p| doc.as_map(p))
    else {
        return HashSet::new();
    };
    params
        .iter()
        .filter(|(_, _, p)| {
            doc.get(*p, "NoEcho")
                .is_some_and(|n| tpl.boolean(n).known() == Some(true))
        })
        .map(|(k, _, _)| k.to_string())
        .collect()
}

/// What secret a variable's value holds, if any.
pub fn secret_in(
    tpl: &Template,
    name: &str,
    value: NodeId,
    no_echo: &HashSet<String>,
) -> Option<Secret> {
    let strings = strings_below(tpl, value);
    if strings.iter().any(|s| s.contains("{{resolve:ssm-secure:")) {
        return Some(Secret::SsmSecure);
    }
    if strings
        .iter()
        .any(|s| s.contains("{{resolve:secretsmanager:"))
    {
        return Some(Secret::SecretsManager);
    }
    if let Some(p) = no_echo_below(tpl, value, no_echo) {
        return Some(Secret::NoEcho(p));
    }
    let literal = tpl.doc.as_str(value)?;
    if let Some(what) = credential_shape(literal) {
        return Some(Secret::Literal(format!("the value is {what}")));
    }
    (name_says_secret(name) && !is_placeholder(literal))
        .then(|| Secret::Literal("its name says so".to_string()))
}

impl Rule for SecretInFunctionEnvironment {
    fn code(&self) -> &'static str {
        "LMB040"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        let no_echo = no_echo_parameters(tpl);
        // A variable in `Globals.Function` is reported once, at the first function using it.
        let mut seen: HashSet<NodeId> = HashSet::new();
        for f in app.functions.values() {
            let mut names: HashSet<String> = HashSet::new();
            for p in f.nested(tpl, &["Environment", "Variables"]) {
                let Some(m) = doc.as_map(p.node) else {
                    continue;
                };
                for (name, key_span, v) in m.iter() {
                    // The function's own key wins over the one in Globals.
                    if !names.insert(name.to_string()) || !seen.insert(v) {
                        continue;
                    }
                    let Some(secret) = secret_in(tpl, name, v, &no_echo) else {
                        continue;
                    };
                    let mut r = Report::new(key_span, message(&f.id, name, &secret, p.from_globals))
                        .resource(&f.id)
                        .path(&["Environment", "Variables", name])
                        .help(if secret == Secret::SsmSecure {
                            "use a plain `{{resolve:ssm:..}}` parameter name, or read the `SecureString` at run time with `ssm:GetParameter` and `WithDecryption`"
                        } else {
                            HELP
                        });
                    if secret == Secret::SsmSecure {
                        r = r.severity(Severity::Error);
                    }
                    cx.emit(r);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "PASSWORD",
            "api_key",
            "STRIPE_SECRET_KEY",
            "GITHUB_TOKEN",
        ] {
            assert!(name_says_secret(n), "{n}");
        }
        for n in [
            "SECRET_ARN",
            "DB_SECRET_NAME",
            "TOKEN_URL",
            "TABLE",
            "PASSWORD_PARAM",
            "API_KEY_ID",
            "TOKENIZER",
        ] {
            assert!(!name_says_secret(n), "{n}");
        }
    }

    #[test]
    fn shapes_and_placeholders() {
        assert!(credential_shape("AKIAABCDEFGHIJKLMNOP").is_some());
        assert!(credential_shape("AKIAIOSFODNN7EXAMPLE").is_none());
        assert!(credential_shape("ghp_0123456789abcdefghij").is_some());
        assert!(is_placeholder("DUMMYEXAMPLEKEY"));
        assert!(is_placeholder("changeme"));
        assert!(is_placeholder(
            "arn:aws:secretsmanager:eu-west-1:1:secret:x"
        ));
        assert!(!is_placeholder("s3cr3t-Pa55w0rd!"));
    }
}
