//! APIGW004 authorizer-cache-scoped-to-method.

use crate::model::{App, Known};
use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct AuthorizerCacheScopedToMethod;

pub fn message_apigw004(function: &str, authorizer: &str, ttl: f64) -> String {
    format!(
        "authorizer `{function}` returns a policy for `event.methodArn` only, and `{authorizer}` caches it for {ttl} s: the cached policy is applied to the caller's requests to every other method and path"
    )
}

/// A Lambda authorizer of a REST API with result caching on.
struct Cached {
    function: String,
    /// `Api.Authorizers.Name` or the `AWS::ApiGateway::Authorizer` logical id.
    name: String,
    ttl: f64,
    /// Declared in an OpenAPI definition (`x-amazon-apigateway-authorizer`).
    openapi: bool,
}

/// TOKEN / REQUEST authorizers with a TTL > 0 (300 s when not set) whose function is in the
/// template: `AWS::ApiGateway::Authorizer`, SAM `Auth.Authorizers` (also from `Globals.Api`) and
/// `x-amazon-apigateway-authorizer` in an inline OpenAPI `DefinitionBody` / `Body`. HTTP API authorizers are not included (caching is off unless configured, and
/// simple responses carry no policy).
fn cached_authorizers(app: &App) -> Vec<Cached> {
    let tpl = &app.tpl;
    let doc = &tpl.doc;
    let function_of = |n| {
        tpl.ref_resource(n)
            .filter(|id| app.functions.contains_key(*id))
            .map(str::to_string)
    };
    let ttl_of = |n: Option<crate::load::NodeId>| -> Option<f64> {
        match n {
            None => Some(300.0),
            Some(n) => match tpl.number(n) {
                Known::Yes(v) => Some(v),
                Known::Unknown(_) => None,
            },
        }
    };
    let mut out = Vec::new();
    for r in tpl.resources_of("AWS::ApiGateway::Authorizer") {
        let kind = tpl
            .prop(r, "Type")
            .and_then(|n| tpl.string(n).known())
            .unwrap_or_default()
            .to_ascii_uppercase();
        if kind != "TOKEN" && kind != "REQUEST" {
            continue;
        }
        let Some(function) = tpl.prop(r, "AuthorizerUri").and_then(function_of) else {
            continue;
        };
        let Some(ttl) = ttl_of(tpl.prop(r, "AuthorizerResultTtlInSeconds")) else {
            continue;
        };
        out.push(Cached {
            function,
            name: r.id.clone(),
            ttl,
            openapi: false,
        });
    }
    // Authorizers declared in an inline OpenAPI definition (`securityDefinitions` in OpenAPI 2,
    // `components.securitySchemes` in OpenAPI 3): `x-amazon-apigateway-authorizer`.
    for (ty, prop) in [
        ("AWS::Serverless::Api", "DefinitionBody"),
        ("AWS::ApiGateway::RestApi", "Body"),
    ] {
        for r in tpl.resources_of(ty) {
            let Some(body) = tpl.prop(r, prop) else {
                continue;
            };
            for path in [
                &["securityDefinitions"][..],
                &["components", "securitySchemes"][..],
            ] {
                let Some(map) = doc.get_path(body, path).and_then(|n| doc.as_map(n)) else {
                    continue;
                };
                for (name, _, scheme) in map.iter() {
                    let Some(a) = doc.get(scheme, "x-amazon-apigateway-authorizer") else {
                        continue;
                    };
                    let kind = doc
                        .get(a, "type")
                        .and_then(|n| doc.as_str(n))
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if kind != "token" && kind != "request" {
                        continue;
                    }
                    // A REQUEST authorizer caches only with an identity source (its cache key).
                    if kind == "request"
                        && doc
                            .get(a, "identitySource")
                            .is_none_or(|n| doc.as_str(n).is_some_and(|s| s.trim().is_empty()))
                    {
                        continue;
                    }
                    let Some(function) = doc.get(a, "authorizerUri").and_then(function_of) else {
                        continue;
                    };
                    let Some(ttl) = ttl_of(doc.get(a, "authorizerResultTtlInSeconds")) else {
                        continue;
                    };
                    out.push(Cached {
                        function,
                        name: format!("{}.{prop}.{}.{name}", r.id, path.join(".")),
                        ttl,
                        openapi: true,
                    });
                }
            }
        }
    }
    for r in tpl.resources_of("AWS::Serverless::Api") {
        let auth = tpl.prop(r, "Auth").or_else(|| {
            tpl.takes_globals(r, "Auth")
                .then(|| tpl.globals("Api").and_then(|g| doc.get(g, "Auth")))
                .flatten()
        });
        let Some(authorizers) = auth.and_then(|a| doc.get(a, "Authorizers")) else {
            continue;
        };
        let Some(map) = doc.as_map(authorizers) else {
            continue;
        };
        for (name, _, node) in map.iter() {
            if doc.get(node, "UserPoolArn").is_some() {
                continue;
            }
            let Some(function) = doc.get(node, "FunctionArn").and_then(function_of) else {
                continue;
            };
            let ttl = ttl_of(doc.get_path(node, &["Identity", "ReauthorizeEvery"]));
            let Some(ttl) = ttl else { continue };
            out.push(Cached {
                function,
                name: format!("{}.Auth.Authorizers.{name}", r.id),
                ttl,
                openapi: false,
            });
        }
    }
    out
}

impl Rule for AuthorizerCacheScopedToMethod {
    fn code(&self) -> &'static str {
        "APIGW004"
    }
    fn check(&self, cx: &mut Context<'_>) {
        let cached = cached_authorizers(cx.app);
        if cached.is_empty() {
            return;
        }
        for f in each(cx) {
            let Some(a) = cached
                .iter()
                .filter(|a| a.function == f.function && a.ttl > 0.0)
                .max_by(|x, y| x.ttl.total_cmp(&y.ttl))
            else {
                continue;
            };
            for p in &f.hygiene.method_arn_policies {
                let off = if a.openapi {
                    "`authorizerResultTtlInSeconds: 0` in the `x-amazon-apigateway-authorizer`"
                } else {
                    "`ReauthorizeEvery: 0`, `AuthorizerResultTtlInSeconds: 0`"
                };
                let r = Report::new(p.span, message_apigw004(&f.function, &a.name, a.ttl))
                    .resource(&f.function)
                    .help(format!("return a policy whose `Resource` covers every method and path the token may call (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/*/*`), or turn the cache off ({off})"));
                cx.emit_in(&p.file, r);
            }
        }
    }
}
