//! Handler source analysis end to end: the rules over testdata/projects fire at the right
//! file:line naming the function, and never on the good projects.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use lambdalint::check::check_paths;
use lambdalint::discover::Filter;
use lambdalint::rule::RuleSelection;

/// (code, file suffix, line, resource) of every finding of the handler rules.
fn findings(project: &str) -> Vec<(String, String, u32, String)> {
    let out = check_paths(
        &[PathBuf::from(format!("testdata/projects/{project}"))],
        &Filter::new(&[], &[]).unwrap(),
        &RuleSelection::default(),
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let mut v: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| HANDLER_CODES.contains(&d.code))
        .map(|d| {
            (
                d.code.to_string(),
                d.file.display.replace('\\', "/"),
                d.file.line_col(d.span.start).line,
                d.resource.clone().unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The messages of the findings of one rule.
fn messages(project: &str, code: &str) -> Vec<String> {
    let out = check_paths(
        &[PathBuf::from(format!("testdata/projects/{project}"))],
        &Filter::new(&[], &[]).unwrap(),
        &RuleSelection::default(),
    );
    out.diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.message.clone())
        .collect()
}

/// The 19 rules of the six mission concerns.
const MISSION_CODES: &[&str] = &[
    "LMB001", "LMB002", "SQS001", "LMB010", "LMB011", "SQS010", "VPC001", "VPC002", "LMB030",
    "RDS001", "IAM001", "IAM002", "IAM003", "HDL001", "HDL002", "HDL003", "HDL010", "IAM005",
    "IAM006",
];

const HANDLER_CODES: &[&str] = &[
    "LMB030", "HDL001", "HDL002", "HDL003", "HDL010", "IAM005", "IAM006", "HDL021", "HDL030",
    "HDL040", "APIGW004",
];

fn has(v: &[(String, String, u32, String)], code: &str, file: &str, line: u32, res: &str) {
    assert!(
        v.iter()
            .any(|(c, f, l, r)| c == code && f.ends_with(file) && *l == line && r == res),
        "expected {code} at {file}:{line} on {res}, got {v:#?}"
    );
}

#[test]
fn python_bad_project() {
    let v = findings("py-bad");
    has(&v, "HDL001", "src/writer.py", 9, "WriterFunction");
    has(&v, "HDL003", "src/writer.py", 10, "WriterFunction");
    has(&v, "HDL010", "src/writer.py", 11, "WriterFunction");
    has(&v, "IAM006", "src/writer.py", 14, "WriterFunction");
    has(&v, "IAM005", "template.yaml", 26, "WriterFunction");
    has(
        &v,
        "LMB030",
        "src/handlers/forward.py",
        10,
        "ForwarderFunction",
    );
    // Inline code: positions inside the template.
    has(&v, "HDL001", "template.yaml", 51, "InlineFunction");
    has(&v, "HDL002", "template.yaml", 52, "InlineFunction");
    assert!(
        !v.iter()
            .any(|(c, _, _, r)| c == "IAM006" && r == "InlineFunction")
    );
    assert!(
        !v.iter()
            .any(|(c, _, _, r)| c == "IAM005" && r == "ForwarderFunction")
    );
    // Renamed actions: `download_file` needs s3:GetObject, `invoke` lambda:InvokeFunction.
    has(&v, "IAM006", "src/copier.py", 11, "CopyFunction");
    has(&v, "IAM006", "src/copier.py", 13, "CopyFunction");
    let iam006 = messages("py-bad", "IAM006");
    assert!(
        iam006.iter().any(|m| m.contains("`s3:GetObject`"))
            && iam006.iter().any(|m| m.contains("`lambda:InvokeFunction`")),
        "{iam006:#?}"
    );
    // Textract reads S3 with the function's credentials: only the delete is unused.
    has(&v, "IAM005", "template.yaml", 90, "OcrFunction");
    let iam005 = messages("py-bad", "IAM005");
    assert!(
        iam005
            .iter()
            .any(|m| m.contains("`OcrFunction`") && m.contains("`s3:DeleteObject`")),
        "{iam005:#?}"
    );
    // A trust policy naming the function's role allows sts:AssumeRole (same account); the twin
    // is named by none.
    has(&v, "IAM006", "src/assumer.py", 9, "AssumerTwinFunction");
    assert!(
        !v.iter()
            .any(|(c, _, _, r)| c == "IAM006" && r == "AssumerFunction"),
        "{v:#?}"
    );
    // A SAM policy template grants several actions: one finding at the template entry names it
    // and every action it grants on the unused service.
    has(&v, "IAM005", "template.yaml", 130, "ArchiveFunction");
    assert!(
        iam005.iter().any(|m| m.contains("`ArchiveFunction`")
            && m.contains("`DynamoDBReadPolicy` (a SAM policy template:")
            && ["GetItem", "Scan", "Query", "BatchGetItem", "DescribeTable"]
                .iter()
                .all(|a| m.contains(&format!("`dynamodb:{a}`")))),
        "{iam005:#?}"
    );
    // A role shared by two functions is judged (and reported) once, on both handlers.
    has(&v, "IAM005", "template.yaml", 111, "FirstProducerFunction");
    assert!(
        iam005.contains(&"role `SharedRole` of `FirstProducerFunction` and `SecondProducerFunction` grants `sns:Publish`, but none of their handlers calls that service".to_string()),
        "{iam005:#?}"
    );
    assert_eq!(
        iam005.iter().filter(|m| m.contains("SharedRole")).count(),
        1
    );
}

#[test]
fn javascript_bad_project() {
    let v = findings("js-bad");
    has(&v, "HDL001", "src/save.mjs", 6, "SaveFunction");
    // `DynamoDBDocumentClient.from(new DynamoDBClient({}))` is one construction site.
    assert_eq!(
        v.iter()
            .filter(|(c, f, _, _)| c == "HDL001" && f.ends_with("src/save.mjs"))
            .count(),
        1,
        "{v:#?}"
    );
    has(&v, "HDL003", "src/save.mjs", 7, "SaveFunction");
    has(&v, "IAM006", "src/save.mjs", 10, "SaveFunction");
    has(&v, "LMB030", "src/publish.js", 6, "PublishFunction");
    has(&v, "HDL002", "src/report.ts", 7, "ReportFunction");
    has(&v, "HDL010", "src/report.ts", 8, "ReportFunction");
    has(&v, "HDL010", "src/report.ts", 9, "ReportFunction");
    has(&v, "IAM005", "template.yaml", 46, "ReportFunction");
    // Handlers behind wrappers are found.
    has(&v, "HDL001", "src/streaming.mjs", 4, "StreamingFunction");
    has(&v, "HDL001", "src/middy.mjs", 5, "MiddyFunction");
}

#[test]
fn good_projects_are_clean() {
    for p in ["py-good", "js-good"] {
        let v = findings(p);
        assert!(v.is_empty(), "{p}: {v:#?}");
    }
}

#[test]
fn orders_app_findings() {
    let v = findings("orders-app");
    has(
        &v,
        "LMB030",
        "src/create_order.py",
        11,
        "CreateOrderFunction",
    );
    has(&v, "HDL001", "src/store_order.py", 8, "StoreOrderFunction");
    has(&v, "HDL010", "src/report.py", 12, "NightlyReportFunction");
}

/// Every handler finding of a project, exactly: (code, file suffix, line, function).
fn exactly(project: &str, expected: &[(&str, &str, u32, &str)]) {
    let got = findings(project);
    let mut want: Vec<(String, String, u32, String)> = expected
        .iter()
        .map(|(c, f, l, r)| (c.to_string(), f.to_string(), *l, r.to_string()))
        .collect();
    want.sort();
    let got_short: Vec<(String, String, u32, String)> = got
        .iter()
        .map(|(c, f, l, r)| {
            let short = f
                .split_once(&format!("projects/{project}/"))
                .map_or(f.as_str(), |(_, s)| s)
                .to_string();
            (c.clone(), short, *l, r.clone())
        })
        .collect();
    let mut got_sorted = got_short.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want, "{project}");
}

/// Every finding of one rule in a project, exactly: (code, file suffix, line, function).
fn exactly_code(project: &str, code: &str, expected: &[(&str, &str, u32, &str)]) {
    let got: Vec<(String, String, u32, String)> = findings(project)
        .into_iter()
        .filter(|(c, _, _, _)| c == code)
        .map(|(c, f, l, r)| {
            let short = f
                .split_once(&format!("projects/{project}/"))
                .map_or(f.as_str(), |(_, s)| s)
                .to_string();
            (c, short, l, r)
        })
        .collect();
    let mut want: Vec<(String, String, u32, String)> = expected
        .iter()
        .map(|(c, f, l, r)| (c.to_string(), f.to_string(), *l, r.to_string()))
        .collect();
    want.sort();
    let mut got = got;
    got.sort();
    assert_eq!(got, want, "{project} {code}");
}

/// Two handlers in one module (Python) and a JavaScript module exporting two handlers: a call
/// is attributed only to the function whose entry point reaches it (also through a helper).
#[test]
fn findings_belong_to_the_function_that_reaches_them() {
    exactly(
        "attribution",
        &[
            ("HDL010", "src/app.py", 6, "ReportFunction"),
            ("HDL001", "src/app.py", 10, "ReportFunction"),
            ("HDL010", "web/handlers.mjs", 8, "CreateFunction"),
        ],
    );
}

/// A connection or secret fetch in a helper the handler calls runs per invocation; cached in
/// a module global (`global` + guard, `lru_cache`, `??=`) it runs once.
#[test]
fn helpers_per_invocation_and_cached_twins() {
    exactly(
        "lifecycle",
        &[
            ("HDL003", "src/per_call.py", 7, "PerCallFunction"),
            (
                "HDL002",
                "src/secret_per_call.py",
                7,
                "SecretPerCallFunction",
            ),
            ("HDL001", "web/helper_client.mjs", 3, "HelperClientFunction"),
        ],
    );
}

/// Problems inside a sibling module, a package (through its `__init__` re-export), a relative
/// JavaScript path and an `index.*` folder re-exporting another file; clean twins silent.
#[test]
fn problems_in_local_modules_and_packages() {
    exactly(
        "modules",
        &[
            ("HDL003", "src/common/db.py", 8, "IngestFunction"),
            ("HDL010", "src/utils.py", 5, "IngestFunction"),
            ("HDL010", "web/lib/http.js", 2, "HookFunction"),
            ("HDL001", "web/store/dynamo.mjs", 6, "HookFunction"),
            ("IAM006", "web/store/dynamo.mjs", 7, "HookFunction"),
        ],
    );
}

/// Permissions granted by SAM connectors (resource and `Connectors` attribute, a list of
/// destinations): only the operation the connector does not grant is reported.
#[test]
fn connectors_grant_permissions() {
    exactly(
        "connectors",
        &[("IAM006", "src/writer.py", 10, "WriterFunction")],
    );
    let m = messages("connectors", "IAM006");
    assert_eq!(
        m,
        ["handler of `WriterFunction` calls `dynamodb:Query`, but no policy on its role allows it"]
    );
}

/// LMB030 on several forwarding shapes (a copy and `json.loads`/`json.dumps` with a log line,
/// `try`/`except` re-raising with a generated id, a helper, a v3 command built in a `const`, SDK
/// v2 `.promise()`, Step Functions) and none on handlers doing real work. The functions behind
/// the API build their clients on the SDK's default timeouts (HDL010 at info); the ones behind
/// queues and EventBridge rules (`via_helper`, `loops`, `maps`) are not reported for it.
#[test]
fn forwarding_shapes_and_real_work() {
    exactly(
        "forwarders",
        &[
            ("HDL010", "src/branches.py", 6, "BranchesFunction"),
            ("HDL010", "src/computes.py", 6, "ComputesFunction"),
            ("HDL010", "src/copy_then_send.py", 8, "CopyThenSendFunction"),
            (
                "HDL010",
                "src/reads_then_writes.py",
                5,
                "ReadsThenWritesFunction",
            ),
            ("HDL010", "src/try_put.py", 7, "TryPutFunction"),
            ("HDL010", "web/command.mjs", 3, "CommandFunction"),
            ("HDL010", "web/enrich.mjs", 3, "EnrichFunction"),
            ("HDL010", "web/stepfn.mjs", 3, "StepFunctionsFunction"),
            ("HDL010", "web/v2.js", 3, "SdkV2Function"),
            (
                "LMB030",
                "src/copy_then_send.py",
                16,
                "CopyThenSendFunction",
            ),
            ("LMB030", "src/try_put.py", 13, "TryPutFunction"),
            ("LMB030", "src/via_helper.py", 10, "ViaHelperFunction"),
            ("LMB030", "web/command.mjs", 10, "CommandFunction"),
            ("LMB030", "web/stepfn.mjs", 7, "StepFunctionsFunction"),
            ("LMB030", "web/v2.js", 7, "SdkV2Function"),
        ],
    );
}

/// HDL040: an access key id and secret key given to a boto3 client, literal passwords (a
/// keyword argument, a constant of a helper module, inline ZipFile code in JSON), a PEM block in
/// a template literal, a client secret, a session key id in YAML inline code; the clean twins
/// (documentation example key, placeholders, names to look up, a PEM header alone, secrets
/// from Secrets Manager, a test file) are silent.
#[test]
fn hdl040_hardcoded_credentials() {
    exactly_code(
        "hdl040",
        "HDL040",
        &[
            ("HDL040", "cfn.json", 19, "InlineDbFunction"),
            ("HDL040", "cfn.yaml", 22, "InlineKeyFunction"),
            ("HDL040", "src/db_settings.py", 1, "ReportDbFunction"),
            ("HDL040", "src/export.py", 5, "ExportFunction"),
            ("HDL040", "src/export.py", 6, "ExportFunction"),
            ("HDL040", "src/report.py", 7, "ReportDbFunction"),
            ("HDL040", "web/signer.mjs", 3, "SignerFunction"),
            ("HDL040", "web/signer.mjs", 8, "SignerFunction"),
        ],
    );
}

/// HDL021: relative writes (`open`, boto3 `download_file`, `fs/promises` with a template
/// literal), the code directory (`os.path.join(dirname(abspath(__file__)), ..)` in a helper,
/// `path.join(__dirname, ..)`), absolute paths (`Path.mkdir`, `createWriteStream`, `/opt` in
/// inline code); the `/tmp` twins (`os.path.join("/tmp", ..)`, `gettempdir()`, `os.tmpdir()`,
/// pathlib `/`, f-strings, an EFS mount, a path from the event, reads) are silent.
#[test]
fn hdl021_write_outside_tmp() {
    exactly_code(
        "hdl021",
        "HDL021",
        &[
            ("HDL021", "cfn.json", 18, "InlineWriteFunction"),
            ("HDL021", "cfn.yaml", 24, "InlineOptFunction"),
            ("HDL021", "src/cache.py", 10, "CacheFunction"),
            ("HDL021", "src/cache.py", 15, "CacheFunction"),
            ("HDL021", "src/report.py", 9, "ReportFunction"),
            ("HDL021", "src/report.py", 10, "ReportFunction"),
            ("HDL021", "web/export.mjs", 6, "ExportWebFunction"),
            ("HDL021", "web/export.mjs", 7, "ExportWebFunction"),
            ("HDL021", "web/export.mjs", 8, "ExportWebFunction"),
        ],
    );
}

/// HDL030: dropped promises (SDK v3 `send`, `fetch(..).then(..).catch(..)`, SDK v2
/// `.promise()`, a local async function, `forEach(async ..)`, an unused promise variable, in
/// TypeScript and inline code); awaited, returned, `Promise.all`/`allSettled`, `void` and a
/// callback-style handler are silent.
#[test]
fn hdl030_unawaited_promise() {
    exactly_code(
        "hdl030",
        "HDL030",
        &[
            ("HDL030", "cfn.json", 18, "InlineFetchFunction"),
            ("HDL030", "cfn.yaml", 26, "InlineDropFunction"),
            ("HDL030", "web/batch.ts", 11, "BatchFunction"),
            ("HDL030", "web/batch.ts", 14, "BatchFunction"),
            ("HDL030", "web/batch.ts", 15, "BatchFunction"),
            ("HDL030", "web/legacy.js", 6, "LegacyFunction"),
            ("HDL030", "web/notify.mjs", 6, "NotifyFunction"),
            ("HDL030", "web/notify.mjs", 7, "NotifyFunction"),
        ],
    );
}

/// The human rendering of the issue-14 (part B) rules on their projects (that rule only).
#[test]
fn issue14b_rendering_snapshots() {
    let human = lambdalint::render::human::Human { color: false };
    for p in [
        "hdl021",
        "hdl030",
        "hdl040",
        "apigw004",
        "hdl010-timeouts",
        "hdl010-sdk-defaults",
        "apigw004-openapi",
    ] {
        let out = check_paths(
            &[PathBuf::from(format!("testdata/projects/{p}"))],
            &Filter::new(&[], &[]).unwrap(),
            &RuleSelection::default(),
        );
        let code = p.split('-').next().unwrap_or(p).to_ascii_uppercase();
        let rendered: String = out
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| human.diagnostic(d) + "\n")
            .collect();
        insta::with_settings!({snapshot_path => format!("../testdata/projects/{p}/snapshots"), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(p.replace('-', "_"), rendered);
        });
    }
}

/// APIGW004: cached REST authorizers (SAM default 300 s, `ReauthorizeEvery: 600`, from
/// `Globals.Api`; CFN TOKEN default TTL in JSON, REQUEST 60 s in YAML) returning a policy for
/// the `methodArn` (directly, in a one-element list, through a name, through a `generatePolicy`
/// helper); the cache-off twins, wildcard resources and a Cognito authorizer are silent.
#[test]
fn apigw004_authorizer_cache_scoped_to_method() {
    exactly_code(
        "apigw004",
        "APIGW004",
        &[
            ("APIGW004", "cfn.json", 19, "AuthFunction"),
            ("APIGW004", "cfn.yaml", 29, "RequestAuthFunction"),
            ("APIGW004", "src/token_auth.py", 9, "GlobalAuthFunction"),
            ("APIGW004", "src/token_auth.py", 9, "TokenAuthFunction"),
            ("APIGW004", "web/helper_auth.mjs", 5, "HelperAuthFunction"),
        ],
    );
}

/// APIGW004 with authorizers declared only in inline OpenAPI (`x-amazon-apigateway-authorizer`
/// in a SAM `DefinitionBody` and a RestApi `Body`; OpenAPI 3 `components.securitySchemes` and
/// OpenAPI 2 `securityDefinitions`; TOKEN with the default 300 s, REQUEST with an identity source
/// and its TTL); silent: TTL 0, a TTL from a parameter, a REQUEST authorizer without an identity
/// source, a Cognito scheme.
#[test]
fn apigw004_authorizers_declared_in_openapi() {
    exactly_code(
        "apigw004-openapi",
        "APIGW004",
        &[
            ("APIGW004", "cfn.json", 78, "TokenAuthFunction"),
            ("APIGW004", "cfn.yaml", 45, "KeyAuthFunction"),
            (
                "APIGW004",
                "src/token_auth.py",
                9,
                "OpenApiTokenAuthFunction",
            ),
            (
                "APIGW004",
                "web/request_auth.mjs",
                7,
                "OpenApiRequestAuthFunction",
            ),
        ],
    );
    let m = messages("apigw004-openapi", "APIGW004");
    assert!(
        m.iter().any(
            |x| x.contains("OpenApi2.DefinitionBody.securityDefinitions.RequestAuth")
                && x.contains("900 s")
        ),
        "{m:#?}"
    );
}

/// HDL010, a timeout that can never fire: literal HTTP timeouts (`timeout=30`, `timeout=(3,
/// 15)`, `AbortSignal.timeout(15000)`, axios `{ timeout: 10000 }`) not shorter than the
/// function's `Timeout` (from Globals, the 3 s default, the function's own); shorter ones and a
/// function overriding the Globals timeout with a longer one are silent.
#[test]
fn hdl010_timeouts_that_never_fire() {
    exactly_code(
        "hdl010-timeouts",
        "HDL010",
        &[
            ("HDL010", "cfn.json", 17, "InlineSlowFunction"),
            ("HDL010", "cfn.yaml", 25, "InlineHookFunction"),
            ("HDL010", "src/rates.py", 5, "RatesFunction"),
            ("HDL010", "src/rates.py", 6, "RatesFunction"),
            ("HDL010", "web/hook.mjs", 4, "HookFunction"),
            ("HDL010", "web/hook.mjs", 6, "HookFunction"),
        ],
    );
}

/// HDL010 at info, SDK clients on default timeouts in functions behind an API: boto3 clients
/// without a botocore `Config` timeout (module level, in a reached helper module, a session
/// client in the handler), v3 clients without a `requestHandler` timeout, a v2 client without
/// `httpOptions`, behind a SAM `Api` / `HttpApi` event (its `TimeoutInMillis` named), an
/// integration of an inline OpenAPI definition, a REST method and HTTP API integrations (plain
/// CloudFormation, YAML and JSON inline code). Silent: an authorizer the OpenAPI names,
/// `Config` timeouts (a constant, a merge, inline), `requestHandler` timeouts (object shorthand,
/// `NodeHttpHandler`), v2 `httpOptions`, a `Config` imported from a layer (unknown), a client
/// built in a function the handler never calls, an RDS client that only signs auth tokens
/// locally, the same code behind a queue or no trigger.
#[test]
fn hdl010_sdk_clients_on_default_timeouts_behind_an_api() {
    exactly_code(
        "hdl010-sdk-defaults",
        "HDL010",
        &[
            ("HDL010", "cfn.json", 74, "InlineWebFunction"),
            ("HDL010", "cfn.json", 91, "InlineV2Function"),
            ("HDL010", "cfn.yaml", 58, "InlineApiFunction"),
            ("HDL010", "src/defined.py", 3, "DefinedApiFunction"),
            ("HDL010", "src/lib/store.py", 3, "OrdersApiFunction"),
            ("HDL010", "src/orders.py", 6, "OrdersApiFunction"),
            ("HDL010", "src/orders.py", 19, "OrdersApiFunction"),
            ("HDL010", "web/api.mjs", 6, "WebApiFunction"),
        ],
    );
    let info = messages("hdl010-sdk-defaults", "HDL010");
    assert!(
        info.iter()
            .any(|m| m.contains("`WebApiFunction`") && m.contains("gives up after 10 s")),
        "{info:#?}"
    );
}

#[test]
fn human_rendering_snapshots() {
    let human = lambdalint::render::human::Human { color: false };
    for p in [
        "py-bad",
        "js-bad",
        "attribution",
        "lifecycle",
        "modules",
        "connectors",
        "forwarders",
    ] {
        let out = check_paths(
            &[PathBuf::from(format!("testdata/projects/{p}"))],
            &Filter::new(&[], &[]).unwrap(),
            &RuleSelection::default(),
        );
        let rendered: String = out
            .diagnostics
            .iter()
            .filter(|d| HANDLER_CODES.contains(&d.code))
            .map(|d| human.diagnostic(d) + "\n")
            .collect();
        insta::with_settings!({snapshot_path => format!("../testdata/projects/{p}/snapshots"), prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(p.replace('-', "_"), rendered);
        });
    }
}

/// Handler facts feed the template rules: SDK calls count for VPC001 (and make it certain: error),
/// a database driver counts for RDS001 (info when the database is outside the template).
#[test]
fn handler_facts_feed_vpc001_and_rds001() {
    // The mission rules only: the good twin is about egress and database connections, not
    // about the hygiene rules added since (API logging, tracing, log retention, runtimes).
    let mission = RuleSelection {
        select: MISSION_CODES.iter().map(|c| c.to_string()).collect(),
        ..RuleSelection::default()
    };
    let run = |p: &str| {
        check_paths(
            &[PathBuf::from(format!("testdata/projects/{p}"))],
            &Filter::new(&[], &[]).unwrap(),
            &mission,
        )
    };
    let bad = run("vpc-db-bad");
    let pick = |code: &str| -> Vec<(String, String, String)> {
        bad.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                (
                    d.resource.clone().unwrap_or_default(),
                    d.severity.as_str().to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    };
    let vpc = pick("VPC001");
    assert_eq!(vpc.len(), 2, "{vpc:#?}");
    for (res, file, line) in [
        ("PyFunction", "src/orders.py", 16),
        ("JsFunction", "src/audit.mjs", 10),
    ] {
        let (_, sev, msg) = vpc.iter().find(|(r, _, _)| r == res).unwrap();
        assert_eq!(sev, "error");
        assert!(
            msg.contains(&format!("its handler calls `dynamodb:PutItem` at `testdata/projects/vpc-db-bad/{file}:{line}`")),
            "{msg}"
        );
    }
    let rds = pick("RDS001");
    assert_eq!(rds.len(), 2, "{rds:#?}");
    for (res, driver) in [("PyFunction", "pymysql"), ("JsFunction", "mysql2")] {
        let (_, sev, msg) = rds.iter().find(|(r, _, _)| r == res).unwrap();
        assert_eq!(sev, "info");
        assert!(
            msg.contains(&format!("opens a connection with `{driver}`")),
            "{msg}"
        );
    }
    let good = run("vpc-db-good");
    assert!(good.errors.is_empty());
    // The fixed twin, as far as these two rules go (other rules judge other parts of it).
    let left: Vec<_> = good
        .diagnostics
        .iter()
        .filter(|d| d.code == "VPC001" || d.code == "RDS001")
        .collect();
    assert!(left.is_empty(), "{left:#?}");
}

/// A driver-only RDS001 (database outside the template) stays silent when the function's
/// configuration names the RDS Proxy it goes through.
#[test]
fn rds001_driver_only_respects_a_named_proxy() {
    let cases = [
        ("DB_HOST: !Ref DbHost", "", true),
        ("DB_HOST: !Ref RdsProxyEndpoint", "", false),
        ("DB_PROXY_HOST: !Ref DbHost", "", false),
        (
            "DB_HOST: !Ref DbHost",
            "      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: rds-db:connect\n              Resource: !Sub arn:aws:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:prx-0123456789abcdef/app\n",
            false,
        ),
    ];
    for (env, policies, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/app.py"),
            "import os\nimport pymysql\n\nconn = pymysql.connect(host=os.environ[\"DB_HOST\"])\n\ndef handler(event, context):\n    return conn.open\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("template.yaml"),
            format!(
                "Transform: AWS::Serverless-2016-10-31\nParameters:\n  DbHost: {{Type: String}}\n  RdsProxyEndpoint: {{Type: String}}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n      CodeUri: src/\n      Timeout: 10\n      Environment:\n        Variables:\n          {env}\n{policies}      Events:\n        Api:\n          Type: HttpApi\n"
            ),
        )
        .unwrap();
        let out = check_paths(
            &[dir.path().to_path_buf()],
            &Filter::new(&[], &[]).unwrap(),
            &RuleSelection::default(),
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let rds: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "RDS001")
            .collect();
        assert_eq!(!rds.is_empty(), expect, "{env} {policies}: {rds:#?}");
        if expect {
            assert_eq!(rds[0].severity.as_str(), "info");
        }
    }
}
