//! Unit tests of the lowering and the analysis over single source texts (the multi-file cases
//! are end to end in tests/handlers.rs).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::facts::FunctionFacts;
use super::resolve::Lang;
use super::{analyze_text, lower};

fn py(code: &str) -> FunctionFacts {
    analyze_text(Lang::Python, code, "handler")
}

fn js(code: &str) -> FunctionFacts {
    analyze_text(Lang::JavaScript, code, "handler")
}

fn actions(f: &FunctionFacts) -> Vec<(String, bool)> {
    f.calls.iter().map(|c| (c.action(), c.in_handler)).collect()
}

#[test]
fn parse_error_is_located_and_makes_facts_incomplete() {
    let code = "import boto3\n\ndef handler(event, context):\n    x = (1,\n    return x\n";
    let f = py(code);
    let at = f.parse_error.unwrap();
    assert!(at.start > 0 && (at.start as usize) < code.len(), "{at:?}");
    assert!(!f.complete);
    assert!(
        f.incomplete.iter().any(|r| r.contains("syntax error")),
        "{:?}",
        f.incomplete
    );
}

#[test]
fn deep_nesting_is_cut_not_overflowed() {
    let depth = 3000;
    let code = format!(
        "export const handler = async (e) => {{ return {}1{}; }};\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let f = js(&code);
    assert!(f.handler_found);
    let code = format!(
        "def handler(event, context):\n    return {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let f = py(&code);
    assert!(f.handler_found);
    assert!(!f.complete && f.incomplete.iter().any(|r| r.contains("nested deeper")));
}

#[test]
fn guarded_fetches_are_cached() {
    // Assigned to a global, but fetched on every invocation: not a cache.
    let code = "import boto3\nssm = boto3.client('ssm')\n_v = None\n\ndef handler(event, context):\n    global _v\n    _v = ssm.get_parameter(Name='a')\n    return _v\n";
    assert!(!py(code).params[0].cached);
    let code = "import boto3\nssm = boto3.client('ssm')\n_v = None\n\ndef handler(event, context):\n    global _v\n    if _v is None:\n        _v = ssm.get_parameter(Name='a')\n    return _v\n";
    assert!(py(code).params[0].cached);
    let code = "import boto3\nssm = boto3.client('ssm')\nC = {}\n\ndef handler(event, context):\n    v = C.get('a') or ssm.get_parameter(Name='a')\n    w = ssm.get_parameter(Name='b')\n    return v, w\n";
    let p = py(code).params;
    assert!(!p[1].cached, "{p:?}");
    let code = "import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';\nconst ssm = new SSMClient({});\nlet v;\nexport const handler = async () => {\n  v ??= await ssm.send(new GetParameterCommand({ Name: 'a' }));\n  const w = await ssm.send(new GetParameterCommand({ Name: 'b' }));\n  return [v, w];\n};\n";
    let p = js(code).params;
    assert!(p[0].cached && !p[1].cached, "{p:?}");
}

#[test]
fn handler_behind_wrappers_and_exports() {
    for code in [
        "exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.end(); });",
        "const main = async (event) => event;\nexport const handler = middy(main).use(x());",
        "module.exports.handler = metricScope((metrics) => async (event) => event);",
        "async function main(event) { return event; }\nexport { main as handler };",
        "const handler = async (event) => event;\nmodule.exports = { handler };",
        "export default async function handler(event) { return event; }\nexport { handler };",
    ] {
        assert!(js(code).handler_found, "{code}");
    }
    assert!(!js("exports.other = async (e) => e;").handler_found);
}

#[test]
fn tables_and_command_variables_are_attributed() {
    let f = py(
        "import boto3\ndynamodb = boto3.resource('dynamodb')\n\ndef handler(event, context):\n    table = dynamodb.Table('t')\n    table.put_item(Item=event)\n",
    );
    assert!(f.complete, "{:?}", f.incomplete);
    assert_eq!(actions(&f), [("dynamodb:PutItem".to_string(), true)]);
    let f = js(
        "import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';\nconst client = new BedrockRuntimeClient({});\nexport const handler = async (event) => {\n  const command = new InvokeModelCommand({ modelId: 'm', body: event.body });\n  return client.send(command);\n};\n",
    );
    assert!(f.complete, "{:?}", f.incomplete);
    assert_eq!(f.calls[0].action(), "bedrock:InvokeModel");
}

#[test]
fn clients_with_their_own_credentials() {
    let f = js(
        "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nexport const handler = async (e) => {\n  const s3 = new S3Client({ credentials: e.creds });\n  return s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\n};\n",
    );
    assert!(f.clients[0].own_credentials && f.calls[0].own_credentials);
    let f = py(
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3', aws_access_key_id=event['k'], aws_secret_access_key=event['s'])\n    return s3.get_object(Bucket='b', Key='k')\n",
    );
    assert!(f.clients[0].own_credentials && f.calls[0].own_credentials);
    let f = py(
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    return s3.get_object(Bucket='b', Key='k')\n",
    );
    assert!(!f.clients[0].own_credentials && !f.calls[0].own_credentials);
}

#[test]
fn only_what_the_entry_point_reaches_is_attributed() {
    let code = "import boto3\nimport requests\ns3 = boto3.client('s3')\n\ndef get(event, context):\n    return s3.get_object(Bucket='b', Key=event['k'])\n\ndef handler(event, context):\n    return requests.get('https://x', timeout=3).json()\n";
    let f = py(code);
    assert!(f.calls.is_empty(), "{:?}", actions(&f));
    assert_eq!(f.http.len(), 1);
    let f = analyze_text(Lang::Python, code, "get");
    assert_eq!(actions(&f), [("s3:GetObject".to_string(), true)]);
    assert!(f.http.is_empty());
}

#[test]
fn helpers_run_per_invocation_unless_cached() {
    // A connection opened in a helper the handler calls: per invocation.
    let code = "import pymysql\n\ndef db():\n    return pymysql.connect(host='h')\n\ndef handler(event, context):\n    conn = db()\n    return conn.cursor()\n";
    let f = py(code);
    assert!(f.db[0].in_handler, "{:?}", f.db);
    // The same helper cached in a module global: once.
    let code = "import pymysql\n_conn = None\n\ndef db():\n    global _conn\n    if _conn is None:\n        _conn = pymysql.connect(host='h')\n    return _conn\n\ndef handler(event, context):\n    return db().cursor()\n";
    assert!(!py(code).db[0].in_handler);
    // Early return form.
    let code = "import boto3\n_secret = None\nsm = boto3.client('secretsmanager')\n\ndef secret():\n    global _secret\n    if _secret:\n        return _secret\n    _secret = sm.get_secret_value(SecretId='s')['SecretString']\n    return _secret\n\ndef handler(event, context):\n    return secret()\n";
    let f = py(code);
    assert!(f.params[0].cached, "{:?}", f.params);
    // lru_cache.
    let code = "import functools\nimport boto3\n\n@functools.lru_cache(maxsize=1)\ndef client():\n    return boto3.client('s3')\n\ndef handler(event, context):\n    return client().list_buckets()\n";
    let f = py(code);
    assert!(!f.clients[0].in_handler, "{:?}", f.clients);
    assert_eq!(actions(&f), [("s3:ListBuckets".to_string(), true)]);
    // A client built in a helper on every invocation.
    let code = "import { S3Client, ListBucketsCommand } from '@aws-sdk/client-s3';\nconst make = () => new S3Client({});\nexport const handler = async () => make().send(new ListBucketsCommand({}));\n";
    let f = js(code);
    assert!(f.clients[0].in_handler);
    assert_eq!(actions(&f), [("s3:ListBuckets".to_string(), true)]);
    // A memoising closure.
    let code = "import { S3Client } from '@aws-sdk/client-s3';\nconst getClient = (() => { let c; return () => { if (!c) { c = new S3Client({}); } return c; }; })();\nexport const handler = async () => getClient();\n";
    assert!(!js(code).clients[0].in_handler);
}

#[test]
fn methods_of_module_level_instances_are_followed() {
    let code = "import boto3\n\nclass Repo:\n    def __init__(self):\n        self.table = boto3.resource('dynamodb').Table('t')\n\n    def save(self, item):\n        self.table.put_item(Item=item)\n\nrepo = Repo()\n\ndef handler(event, context):\n    repo.save(event)\n";
    let f = py(code);
    assert_eq!(actions(&f), [("dynamodb:PutItem".to_string(), true)]);
    assert!(!f.clients[0].in_handler, "built at init: {:?}", f.clients);
    let code = "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nclass Bus { constructor() { this.sqs = new SQSClient({}); } send(b) { return this.sqs.send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: b })); } }\nconst bus = new Bus();\nexports.handler = async (event) => bus.send(event.body);\n";
    let f = js(code);
    assert_eq!(actions(&f), [("sqs:SendMessage".to_string(), true)]);
}

#[test]
fn dispatch_tables_and_registered_routes() {
    let code = "import boto3\nsqs = boto3.client('sqs')\nsns = boto3.client('sns')\n\ndef a(e):\n    sqs.send_message(QueueUrl='q', MessageBody='x')\n\ndef b(e):\n    sns.publish(TopicArn='t', Message='x')\n\nROUTES = {'a': a, 'b': b}\n\ndef handler(event, context):\n    return ROUTES[event['kind']](event)\n";
    let mut got: Vec<String> = py(code).calls.iter().map(|c| c.action()).collect();
    got.sort();
    assert_eq!(got, ["sns:Publish", "sqs:SendMessage"]);
    let code = "import boto3\nfrom aws_lambda_powertools.event_handler import APIGatewayRestResolver\napp = APIGatewayRestResolver()\nddb = boto3.resource('dynamodb').Table('t')\n\n@app.get('/items')\ndef items():\n    return ddb.scan()\n\ndef handler(event, context):\n    return app.resolve(event, context)\n";
    assert_eq!(actions(&py(code)), [("dynamodb:Scan".to_string(), true)]);
}

#[test]
fn iam_names_of_sdk_helpers() {
    // Presigned URLs sign the operation locally: its action, no network call.
    let f = py(
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    return s3.generate_presigned_url('put_object', Params={'Bucket': 'b', 'Key': 'k'})\n",
    );
    assert_eq!(f.calls[0].action(), "s3:PutObject");
    assert!(!f.calls[0].network);
    let f = js(
        "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nexports.handler = async () => s3.getSignedUrlPromise('getObject', { Bucket: 'b', Key: 'k' });\n",
    );
    assert_eq!(f.calls[0].action(), "s3:GetObject");
    assert!(!f.calls[0].network);
    let f = js(
        "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nimport { getSignedUrl } from '@aws-sdk/s3-request-presigner';\nconst s3 = new S3Client({});\nexport const handler = async () => getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 60 });\n",
    );
    assert_eq!(f.calls[0].action(), "s3:GetObject");
    assert!(!f.calls[0].network);
    // Transactions need the item-level actions of their items.
    let f = py(
        "import boto3\nddb = boto3.client('dynamodb')\n\ndef handler(event, context):\n    ddb.transact_write_items(TransactItems=[{'Put': {}}, {'Update': {}}])\n",
    );
    assert_eq!(
        f.calls[0].needs(),
        super::actions::Needs::Actions(vec![
            "dynamodb:PutItem".into(),
            "dynamodb:UpdateItem".into()
        ])
    );
    // Paginators and waiters.
    let f = py(
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    for page in s3.get_paginator('list_objects_v2').paginate(Bucket='b'):\n        pass\n    s3.get_waiter('object_exists').wait(Bucket='b', Key='k')\n",
    );
    assert_eq!(
        actions(&f),
        [
            ("s3:ListObjectsV2".to_string(), true),
            ("s3:HeadObject".to_string(), true)
        ]
    );
}

#[test]
fn lowering_is_language_neutral() {
    let p = lower::lower(
        Lang::Python,
        "import x\nfrom .y import z as w\n\ndef f(a, *b, **c):\n    return a\n",
    );
    let j = lower::lower(
        Lang::JavaScript,
        "import x from 'x';\nimport { z as w } from './y.js';\nfunction f(a, ...b) { return a; }\n",
    );
    for m in [&p, &j] {
        assert_eq!(m.imports.len(), 2, "{:?}", m.imports);
        assert_eq!(m.funcs.len(), 2);
        assert_eq!(m.funcs[1].name, "f");
        assert!(matches!(
            m.funcs[1].body.last().unwrap().kind,
            super::ir::StmtKind::Return(Some(_))
        ));
    }
    assert_eq!(p.imports[1].level, 1);
}

/// Work units spent on `code` (deterministic).
fn steps(lang: Lang, code: &str) -> usize {
    let (f, steps) = super::analyze_text_budget(lang, code, "handler", usize::MAX);
    assert!(f.handler_found, "{code:.200}");
    steps
}

/// Code shapes where a value is asked for many times through cycles (`x = x or x`, `self.c =
/// self.c`, a global reassigned to itself, star-import style chains): each value is computed
/// once, so doubling the input doubles the work (it was quadratic, and exponential for class
/// attributes assigned from themselves).
#[test]
fn analysis_work_is_linear_in_the_code() {
    type Gen = fn(usize) -> String;
    let shapes: &[(&str, Lang, Gen)] = &[
        ("py self attribute", Lang::Python, |n| {
            format!(
                "import boto3\nclass C:\n    def __init__(self):\n        self.c = boto3.client('s3')\n{}    def run(self, e):\n{}def handler(event, context):\n    return C().run(event)\n",
                "        self.c = self.c\n".repeat(n),
                "        self.c.get_object(Bucket=e)\n".repeat(n)
            )
        }),
        ("py same name or", Lang::Python, |n| {
            format!(
                "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n    x = event\n{}",
                "    x = x or x\n    s3.get_object(Bucket=x)\n".repeat(n)
            )
        }),
        ("py global reassigned", Lang::Python, |n| {
            format!(
                "import boto3\nx = boto3.client('s3')\n{}def handler(event, context):\n{}",
                "x = x\n".repeat(n),
                "    x.get_object(Bucket=event)\n".repeat(n)
            )
        }),
        ("js global reassigned", Lang::JavaScript, |n| {
            format!(
                "const {{S3}} = require('@aws-sdk/client-s3');\nlet x = new S3();\n{}exports.handler = async (event) => {{\n{}}};\n",
                "x = x;\n".repeat(n),
                "  x.getObject({Bucket: event});\n".repeat(n)
            )
        }),
        ("js this attribute", Lang::JavaScript, |n| {
            format!(
                "const {{S3}} = require('@aws-sdk/client-s3');\nclass C {{\n  constructor() {{\n    this.c = new S3();\n{}  }}\n  run(e) {{\n{}  }}\n}}\nexports.handler = async (event) => new C().run(event);\n",
                "    this.c = this.c;\n".repeat(n),
                "    this.c.getObject({Bucket: e});\n".repeat(n)
            )
        }),
        ("py returns through branches", Lang::Python, |n| {
            let mut s =
                String::from("import boto3\ns3 = boto3.client('s3')\ndef f0(e):\n    return s3\n");
            for i in 1..n {
                s.push_str(&format!(
                    "def f{i}(e):\n    if e:\n        return f{}(e)\n    return f{}(e)\n",
                    i - 1,
                    i - 1
                ));
            }
            s.push_str("def handler(event, context):\n");
            for i in (0..n).rev() {
                s.push_str(&format!("    f{i}(event).get_object(Bucket=event)\n"));
            }
            s
        }),
        ("py or chain asked from the end", Lang::Python, |n| {
            let mut s = String::from("import boto3\ns3 = boto3.client('s3')\n");
            s.push_str(&format!(
                "def handler(event, context):\n    s3.get_object(Bucket=a{})\n",
                n - 1
            ));
            s.push_str("a0 = s3\n");
            for i in 1..n {
                s.push_str(&format!("a{i} = a{} or a{}\n", i - 1, i - 1));
            }
            s
        }),
    ];
    for (name, lang, make) in shapes {
        let small = steps(*lang, &make(400));
        let big = steps(*lang, &make(1600));
        // 4x the code: at most ~4x the work (plus a constant).
        assert!(
            big <= 5 * small + 1000,
            "{name}: {small} work units for 400, {big} for 1600 (super-linear)"
        );
    }
}

#[test]
fn budget_exceeded_makes_facts_incomplete_with_the_reason() {
    let code = format!(
        "import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n{}",
        "    s3.get_object(Bucket=event)\n".repeat(200)
    );
    let (full, spent) = super::analyze_text_budget(Lang::Python, &code, "handler", usize::MAX);
    assert!(full.complete, "{:?}", full.incomplete);
    assert_eq!(full.calls.len(), 200);
    let (cut, used) = super::analyze_text_budget(Lang::Python, &code, "handler", spent / 2);
    assert!(!cut.complete);
    assert!(
        cut.incomplete
            .iter()
            .any(|r| r.contains("analysis budget exceeded in `handler`")),
        "{:?}",
        cut.incomplete
    );
    assert!(used <= spent / 2 + 1, "{used} of {}", spent / 2);
    // The same input gives the same cut (deterministic, not time-based).
    let (again, _) = super::analyze_text_budget(Lang::Python, &code, "handler", spent / 2);
    assert_eq!(cut.calls.len(), again.calls.len());
    assert_eq!(cut.incomplete, again.incomplete);
}

/// The parse budget counts tree-sitter's operations: the same count on every run, whatever the
/// machine's load; ordinary code is far below it, a file over it is left unanalysed with the
/// reason.
#[test]
fn parse_budget_is_deterministic_operations() {
    use std::time::Duration;
    let unit = "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n    for r in event['Records']:\n        s3.put_object(Bucket='b', Key=r['id'], Body=json.dumps(r))\n    return {'ok': True}\n";
    let code = unit.repeat(200_000 / unit.len());
    let hostile = [
        ("py", Lang::Python, code.clone()),
        (
            "js",
            Lang::JavaScript,
            "const x = require('y');\nexports.handler = async (e) => { for (const r of e.Records) { await x.send({a: r.id, b: [1, 2, 3]}); } return {ok: true}; };\n".repeat(1500),
        ),
        ("py parens", Lang::Python, format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000))),
        ("js parens", Lang::JavaScript, format!("x = {}1{};\n", "(".repeat(100_000), ")".repeat(100_000))),
        ("py garbage", Lang::Python, "def (((: ] } lambda ,, \n".repeat(8000)),
        ("js garbage", Lang::JavaScript, "function ((( } => ]] ,, `\n".repeat(8000)),
    ];
    for (what, lang, text) in &hostile {
        let (r, ops) = lower::parse_counted(*lang, text, u64::MAX, Duration::from_secs(600));
        assert!(r.is_ok(), "{what}");
        let (_, again) = lower::parse_counted(*lang, text, u64::MAX, Duration::from_secs(600));
        assert_eq!(ops, again, "{what}: not deterministic");
        eprintln!(
            "{what}: {} bytes, {ops} parser operations ({:.1}/byte)",
            text.len(),
            ops as f64 / text.len() as f64
        );
        // The 2 MB size cap times this rate stays under the budget.
        assert!(
            (ops as f64 / text.len() as f64) * 2_097_152.0 < lower::MAX_PARSE_OPS as f64,
            "{what}: {ops} operations for {} bytes",
            text.len()
        );
    }
    let (_, ops) = lower::parse_counted(Lang::Python, &code, u64::MAX, Duration::from_secs(600));
    let m = lower::lower_with(
        Lang::Python,
        &code,
        ops / 2,
        Duration::from_secs(600),
        lower::MAX_WORK,
    );
    let why = m.truncated.unwrap();
    assert!(why.contains("budget"), "{why}");
    assert!(m.funcs.len() <= 1);
}

#[test]
fn dynamic_imports_and_computed_dispatch_make_facts_incomplete() {
    // A module imported by a computed name: the code it runs is unknown.
    let f = py(
        "import importlib\n\ndef handler(event, context):\n    mod = importlib.import_module('handlers.' + event['kind'])\n    return mod.run(event)\n",
    );
    assert!(
        !f.complete
            && f.incomplete
                .iter()
                .any(|r| r.contains("a module imported by a computed name")),
        "{:?}",
        f.incomplete
    );
    let f = py("def handler(event, context):\n    return __import__(event['m']).run(event)\n");
    assert!(!f.complete, "{:?}", f.incomplete);
    // A literal name is an ordinary import: a library, the facts stay complete.
    let f = py(
        "import importlib\nboto3 = importlib.import_module('boto3')\nsqs = boto3.client('sqs')\n\ndef handler(event, context):\n    sqs.send_message(QueueUrl='q', MessageBody='x')\n",
    );
    assert!(f.complete, "{:?}", f.incomplete);
    assert_eq!(actions(&f), [("sqs:SendMessage".to_string(), true)]);
    // A local function chosen by a computed name: getattr on a class instance, this[name].
    let f = py(
        "import boto3\n\nclass Api:\n    def get(self, e):\n        return boto3.client('s3').list_buckets()\n\napi = Api()\n\ndef handler(event, context):\n    return getattr(api, event['op'])(event)\n",
    );
    assert!(
        f.incomplete
            .iter()
            .any(|r| r.contains("chosen by a computed name")),
        "{:?}",
        f.incomplete
    );
    let f = js(
        "class Api { get(e) { return e; } run(e) { return this[e.op](e); } }\nconst api = new Api();\nexports.handler = async (event) => api.run(event);\n",
    );
    assert!(!f.complete, "{:?}", f.incomplete);
    // getattr with a literal name, and getattr on something not local, are not dispatch.
    let f = py(
        "import json\n\ndef handler(event, context):\n    dumps = getattr(json, 'dumps')\n    return getattr(event, event['k'])\n",
    );
    assert!(f.complete, "{:?}", f.incomplete);
}

/// Every handler of the fixtures (`testdata/`) with one of the extensions `exts` that parses
/// on its own as `lang`, one after the other, in path order. (A file that does not parse would
/// make the whole text fall back to one parse.)
fn fixture_handlers(lang: Lang, exts: &[&str]) -> String {
    fn walk(dir: &std::path::Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, exts, out);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
            {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")),
        exts,
        &mut files,
    );
    files.sort();
    let mut code = String::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if lower::lower(lang, &text).parse_error.is_none() {
            code.push_str(&text);
            code.push('\n');
        }
    }
    code
}

const BUDGETS: (u64, std::time::Duration, usize) =
    (lower::MAX_PARSE_OPS, lower::PARSE_BUDGET, lower::MAX_WORK);

/// `code` lowered whole, and cut into at most `parts` pieces (files of 2 KiB or more, pieces of
/// at least 1 KiB).
fn whole_and_cut(lang: Lang, code: &str, parts: usize) -> (super::ir::Module, super::ir::Module) {
    (
        lower::lower_split(lang, code, BUDGETS, (usize::MAX, 1)),
        lower::lower_split(lang, code, BUDGETS, (2048, parts)),
    )
}

/// `code` cut into 2, 3 and 8 pieces (`cuts` finds them all) lowers exactly as the whole file.
fn assert_pieces_lower_as_whole(
    lang: Lang,
    code: &str,
    cuts: fn(&[u8], usize, usize) -> Vec<usize>,
) {
    let whole = format!(
        "{:?}",
        lower::lower_split(lang, code, BUDGETS, (usize::MAX, 1))
    );
    for parts in [2, 3, 8] {
        assert_eq!(
            cuts(code.as_bytes(), parts, 1024).len(),
            parts - 1,
            "{parts} pieces"
        );
        let cut = format!(
            "{:?}",
            lower::lower_split(lang, code, BUDGETS, (2048, parts))
        );
        assert!(
            cut == whole,
            "{parts} pieces lower differently from the whole file"
        );
    }
}

#[test]
fn a_python_file_cut_into_pieces_lowers_exactly_as_the_whole_file() {
    // Every Python handler of the fixtures, one after the other: many top-level definitions,
    // decorators, docstrings, brackets across lines.
    let code = fixture_handlers(Lang::Python, &["py"]);
    assert!(code.len() > 20_000, "{} bytes", code.len());
    assert_pieces_lower_as_whole(Lang::Python, &code, lower::split::python_cuts);
    // A syntax error in one piece: the whole file is parsed at once, the error reported where
    // it is, the rest lowered as before.
    let broken = code.replacen("\ndef ", "\ndef (((:\ndef ", 1);
    let (whole, cut) = whole_and_cut(Lang::Python, &broken, 4);
    assert!(whole.parse_error.is_some());
    assert!(format!("{cut:?}") == format!("{whole:?}"));
    // The same in the last piece (the earlier pieces were already lowered when it is seen).
    let at = code.rfind("\ndef ").unwrap();
    let broken = format!("{}\ndef (((:{}", &code[..at], &code[at..]);
    let (whole, cut) = whole_and_cut(Lang::Python, &broken, 8);
    assert!(
        whole
            .parse_error
            .is_some_and(|r| r.start as usize > code.len() / 2)
    );
    assert!(format!("{cut:?}") == format!("{whole:?}"));
    // Over the parser's budget: the pieces share it, and the reason is the whole file's.
    let small = (20_000, lower::PARSE_BUDGET, lower::MAX_WORK);
    let whole = lower::lower_split(Lang::Python, &code, small, (usize::MAX, 1));
    let cut = lower::lower_split(Lang::Python, &code, small, (2048, 8));
    assert!(
        whole
            .truncated
            .as_deref()
            .is_some_and(|t| t.contains("budget"))
    );
    assert_eq!(cut.truncated, whole.truncated);
    assert!(cut.funcs.len() == 1 && cut.exprs.is_empty());
    // A cut inside a string the scanner cannot follow (a nested f-string): still the same.
    let nested = format!("x = f\"{{d[\"\"\"]}}\"\n{code}");
    let (whole, cut) = whole_and_cut(Lang::Python, &nested, 4);
    assert!(format!("{cut:?}") == format!("{whole:?}"));
}

#[test]
fn a_javascript_file_cut_into_pieces_lowers_exactly_as_the_whole_file() {
    // Every JavaScript handler of the fixtures that parses on its own, one after the other:
    // imports, exports, classes, template literals, regular expressions, semicolon-less code.
    let code = fixture_handlers(Lang::JavaScript, &["js", "mjs", "cjs"]);
    assert!(code.len() > 15_000, "{} bytes", code.len());
    assert_pieces_lower_as_whole(Lang::JavaScript, &code, lower::split::js_cuts);
    // A syntax error in the last piece: the whole file is parsed at once.
    let at = code.rfind("\nexport ").unwrap();
    let broken = format!("{}\nconst = ;{}", &code[..at], &code[at..]);
    let (whole, cut) = whole_and_cut(Lang::JavaScript, &broken, 8);
    assert!(whole.parse_error.is_some());
    assert!(format!("{cut:?}") == format!("{whole:?}"));
    // A regular expression the scanner takes for a division, with a backquote in it: the
    // scanner sees template literals where there are none, and its cuts are wrong; still the
    // same.
    let odd = format!("if (x) /`/.test(y);\n{code}");
    let (whole, cut) = whole_and_cut(Lang::JavaScript, &odd, 4);
    assert!(format!("{cut:?}") == format!("{whole:?}"));
}
