//! What a handler's source says: SDK clients and calls, HTTP calls, DB connections, parameter
//! fetches, and the forwarding shape. Spans are byte ranges in `FunctionFacts::file`.

use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// One AWS SDK operation call, with its IAM action.
#[derive(Debug, Clone)]
pub struct SdkCall {
    /// IAM service prefix (`dynamodb`, `states`, ...).
    pub service: String,
    /// SDK operation name (`PutItem`).
    pub operation: String,
    /// The file the call is in (a local module, the handler file, the template).
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// Runs on every invocation (reached from the entry point, not a cached initialisation).
    pub in_handler: bool,
    /// Made with a client given its own credentials (a tenant's, an assumed role's), not with
    /// the function's role.
    pub own_credentials: bool,
    /// Makes a request to AWS (false: local signing, a presigned URL or an auth token).
    pub network: bool,
    /// The IAM actions when the call's arguments decide them (a transaction's items).
    pub actions: Option<Vec<String>>,
    /// (module, expression) of the call in the analysis, to find it again.
    pub site: (u32, u32),
}

impl SdkCall {
    pub fn action(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }

    /// The IAM actions this call needs (see [`super::actions::needs`]).
    pub fn needs(&self) -> super::actions::Needs {
        match &self.actions {
            Some(a) if a.iter().all(|x| super::actions::known_action(x)) => {
                super::actions::Needs::Actions(a.clone())
            }
            Some(_) => super::actions::Needs::Unknown,
            None => super::actions::needs(&self.service, &self.operation),
        }
    }
}

/// An SDK client (or resource / DocumentClient) construction.
#[derive(Debug, Clone)]
pub struct ClientNew {
    pub service: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub in_handler: bool,
    /// Constructed with explicit credentials: it has to be created per caller.
    pub own_credentials: bool,
    /// Kept across invocations although built in the handler: a lazy initialisation of a
    /// module-level variable (`if table is None: table = ...`, `client ??= new X()`, `global`).
    pub cached: bool,
    /// Configured from the invocation's event (an endpoint, region or credentials from the
    /// request), so one client per invocation is expected.
    pub from_event: bool,
}

#[derive(Debug, Clone)]
pub struct HttpCall {
    /// `requests.post`, `fetch`, ...
    pub callee: String,
    pub file: Arc<SourceFile>,
    /// The call's first line.
    pub span: Span,
    /// The whole call (`None` in inline code).
    pub extent: Option<Span>,
    pub has_timeout: bool,
    /// To `localhost` (a Lambda extension: Parameters and Secrets, AppConfig agent).
    pub local: bool,
}

#[derive(Debug, Clone)]
pub struct DbConnect {
    pub driver: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub in_handler: bool,
}

#[derive(Debug, Clone)]
pub struct ParamFetch {
    /// `ssm` or `secretsmanager`.
    pub service: String,
    pub operation: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub in_handler: bool,
    pub cached: bool,
}

/// The handler only passes the event to one AWS service call.
#[derive(Debug, Clone)]
pub struct Forward {
    pub call: SdkCall,
}

/// Everything found for one function: only what its entry point reaches.
#[derive(Debug, Clone)]
pub struct FunctionFacts {
    pub function: String,
    /// The file of the entry point (the template for inline code).
    pub file: Arc<SourceFile>,
    pub handler_name: String,
    /// The handler definition (or the file start when it was not found).
    pub handler_span: Span,
    pub handler_found: bool,
    pub clients: Vec<ClientNew>,
    pub calls: Vec<SdkCall>,
    pub http: Vec<HttpCall>,
    pub db: Vec<DbConnect>,
    pub params: Vec<ParamFetch>,
    pub forward: Option<Forward>,
    /// Credential literals, file writes, floating promises (HDL040, HDL021, HDL030).
    pub hygiene: super::hygiene::Hygiene,
    /// Services that imported libraries call with the function's credentials (Powertools
    /// parameters, OpenSearch clients, the Secrets Manager cache, ...).
    pub implicit: Vec<String>,
    /// Parse errors of the entry file (span of the first error node).
    pub parse_error: Option<Span>,
    /// Every SDK call could be attributed to a service and operation and all the code the entry
    /// point reaches was followed (no unresolved local imports, no dynamic dispatch, no parse
    /// error, nothing cut by a work budget). When false, `incomplete` says why.
    pub complete: bool,
    /// Why the facts are incomplete.
    pub incomplete: Vec<String>,
    /// Every source file the analysis read for this function (entry file first).
    pub files: Vec<Arc<SourceFile>>,
    /// Environment reads, batch responses, resource writes, Lambda invocations.
    pub wiring: WiringFacts,
}

/// IAM prefix for an SDK service name (boto3 name, v3 package suffix, v2 class name lowercased).
pub fn iam_prefix(sdk: &str) -> String {
    let raw = sdk.to_ascii_lowercase().replace('_', "-");
    let s = raw.replace('-', "");
    let p = match s.as_str() {
        "sfn" | "stepfunctions" => "states",
        "eventbridge" | "cloudwatchevents" => "events",
        "cloudwatchlogs" => "logs",
        "dynamodbstreams" | "documentclient" => "dynamodb",
        "apigatewaymanagementapi" => "execute-api",
        "elasticloadbalancingv2" | "elbv2" => "elasticloadbalancing",
        "firehose" | "kinesisfirehose" => "firehose",
        "sesv2" | "ses" => "ses",
        "iotdata" | "iotdataplane" => "iot",
        "iotjobsdata" | "iotjobsdataplane" => "iotjobsdata",
        "bedrockruntime"
        | "bedrockagentruntime"
        | "bedrockagent"
        | "bedrockdataautomation"
        | "bedrockdataautomationruntime" => "bedrock",
        "cognitoidp" | "cognitoidentityprovider" | "cognitoidentityserviceprovider" => {
            "cognito-idp"
        }
        "cognitoidentity" => "cognito-identity",
        "rdsdata" | "rdsdataservice" => "rds-data",
        "redshiftdata" | "redshiftdataapiservice" => "redshift-data",
        "timestreamwrite" | "timestreamquery" => "timestream",
        "opensearch" | "opensearchservice" => "es",
        "opensearchserverless" => "aoss",
        "pinpoint" => "mobiletargeting",
        "pinpointsmsvoicev2" => "sms-voice",
        "pinpointemail" => "ses",
        "sagemakerruntime" => "sagemaker",
        "transcribeservice" | "transcribestreaming" => "transcribe",
        "location" => "geo",
        "appconfigdata" => "appconfig",
        "lexruntime" | "lexruntimev2" | "lexruntimeservice" | "lexmodelsv2" => "lex",
        "personalizeruntime" | "personalizeevents" => "personalize",
        "resourcegroupstaggingapi" => "tag",
        "marketplacemetering" | "meteringmarketplace" | "marketplaceentitlementservice" => {
            "aws-marketplace"
        }
        "emrserverless" => "emr-serverless",
        "neptunedata" => "neptune-db",
        "kinesisanalyticsv2" => "kinesisanalytics",
        "chimesdkmessaging" | "chimesdkmeetings" | "chimesdkidentity" => "chime",
        "s3control" => "s3",
        _ if crate::model::iam_actions::table().contains_key(raw.as_str()) => return raw,
        _ => return s,
    };
    p.to_string()
}

/// Is this an IAM service prefix (in data/iam_actions.tsv)?
pub fn known_service(prefix: &str) -> bool {
    crate::model::iam_actions::table().contains_key(prefix)
}

/// `put_item` / `putItem` -> `PutItem`.
pub fn pascal(op: &str) -> String {
    let mut out = String::with_capacity(op.len());
    let mut up = true;
    for c in op.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// DynamoDB DocumentClient / lib-dynamodb / boto3 Table method -> DynamoDB action.
pub fn document_op(op: &str) -> Option<&'static str> {
    Some(match op.trim_end_matches("Command") {
        "put" | "Put" | "put_item" => "PutItem",
        "get" | "Get" | "get_item" => "GetItem",
        "update" | "Update" | "update_item" => "UpdateItem",
        "delete" | "Delete" | "delete_item" => "DeleteItem",
        "query" | "Query" => "Query",
        "scan" | "Scan" => "Scan",
        "batchWrite" | "BatchWrite" | "batch_writer" | "batch_write_item" => "BatchWriteItem",
        "batchGet" | "BatchGet" | "batch_get_item" => "BatchGetItem",
        "transactWrite" | "TransactWrite" | "transact_write_items" => "TransactWriteItems",
        "transactGet" | "TransactGet" | "transact_get_items" => "TransactGetItems",
        "executeStatement" | "ExecuteStatement" | "execute_statement" => "ExecuteStatement",
        "batchExecuteStatement" | "BatchExecuteStatement" => "BatchExecuteStatement",
        "executeTransaction" | "ExecuteTransaction" => "ExecuteTransaction",
        _ => return None,
    })
}

/// What an imported library does with AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryUse {
    /// It calls these services with the function's credentials.
    Services(&'static [&'static str]),
    /// It signs requests to services we cannot tell (SigV4 helpers, dataframe libraries).
    Unknown,
}

/// Libraries (Python modules, npm packages) that call AWS services themselves.
const LIBRARIES: &[(&str, LibraryUse)] = &[
    // Python
    (
        "aws_lambda_powertools.utilities.parameters",
        LibraryUse::Services(&["ssm", "secretsmanager", "appconfig", "dynamodb"]),
    ),
    (
        "aws_lambda_powertools.utilities.idempotency",
        LibraryUse::Services(&["dynamodb"]),
    ),
    (
        "aws_lambda_powertools.utilities.feature_flags",
        LibraryUse::Services(&["appconfig"]),
    ),
    (
        "aws_lambda_powertools.utilities.streaming",
        LibraryUse::Services(&["s3"]),
    ),
    (
        "aws_secretsmanager_caching",
        LibraryUse::Services(&["secretsmanager"]),
    ),
    ("opensearchpy", LibraryUse::Services(&["es", "aoss"])),
    ("pynamodb", LibraryUse::Services(&["dynamodb"])),
    ("aurora_dsql_psycopg2", LibraryUse::Services(&["dsql"])),
    ("aurora_dsql_psycopg", LibraryUse::Services(&["dsql"])),
    (
        "redshift_connector",
        LibraryUse::Services(&["redshift", "redshift-serverless"]),
    ),
    ("langchain_aws", LibraryUse::Services(&["bedrock"])),
    ("strands", LibraryUse::Services(&["bedrock"])),
    ("smart_open", LibraryUse::Services(&["s3"])),
    ("s3fs", LibraryUse::Services(&["s3"])),
    (
        "aws_durable_execution_sdk_python",
        LibraryUse::Services(&["lambda"]),
    ),
    ("requests_aws4auth", LibraryUse::Unknown),
    ("aws_requests_auth", LibraryUse::Unknown),
    ("botocore.auth", LibraryUse::Unknown),
    ("awswrangler", LibraryUse::Unknown),
    ("aioboto3", LibraryUse::Unknown),
    ("aiobotocore", LibraryUse::Unknown),
    ("sagemaker", LibraryUse::Unknown),
    // npm
    (
        "@aws-lambda-powertools/parameters",
        LibraryUse::Services(&["ssm", "secretsmanager", "appconfig", "dynamodb"]),
    ),
    (
        "@aws-lambda-powertools/idempotency",
        LibraryUse::Services(&["dynamodb"]),
    ),
    ("@middy/ssm", LibraryUse::Services(&["ssm"])),
    (
        "@middy/secrets-manager",
        LibraryUse::Services(&["secretsmanager"]),
    ),
    ("@middy/appconfig", LibraryUse::Services(&["appconfig"])),
    ("@middy/dynamodb", LibraryUse::Services(&["dynamodb"])),
    ("@middy/s3", LibraryUse::Services(&["s3"])),
    ("@middy/rds-signer", LibraryUse::Services(&["rds-db"])),
    ("@middy/sts", LibraryUse::Services(&["sts"])),
    ("dynamoose", LibraryUse::Services(&["dynamodb"])),
    (
        "@opensearch-project/opensearch",
        LibraryUse::Services(&["es", "aoss"]),
    ),
    ("amazon-qldb-driver-nodejs", LibraryUse::Services(&["qldb"])),
    (
        "@aws-sdk/s3-request-presigner",
        LibraryUse::Services(&["s3"]),
    ),
    ("@aws-sdk/dsql-signer", LibraryUse::Services(&["dsql"])),
    (
        "@aws/durable-execution-sdk-js",
        LibraryUse::Services(&["lambda"]),
    ),
    ("aws4", LibraryUse::Unknown),
    ("aws-sigv4-fetch", LibraryUse::Unknown),
    ("@aws-sdk/signature-v4", LibraryUse::Unknown),
    ("@smithy/signature-v4", LibraryUse::Unknown),
    ("aws-amplify", LibraryUse::Unknown),
];

/// What an imported module (`a.b.c` in Python, `pkg/sub` in JS) does with AWS, if anything.
pub fn library_use(module: &str) -> Option<LibraryUse> {
    LIBRARIES.iter().find_map(|(m, u)| {
        let rest = module.strip_prefix(m)?;
        (rest.is_empty() || rest.starts_with('.') || rest.starts_with('/')).then_some(*u)
    })
}

/// Services whose one call is a candidate for a direct integration (LMB030).
pub fn forwardable(service: &str) -> bool {
    matches!(
        service,
        "dynamodb" | "sqs" | "sns" | "kinesis" | "events" | "states" | "s3" | "firehose"
    )
}

// ---------------------------------------------------------------------------------------------
// Facts that tie the code to the template (HDL020, LMB004, LMB031, LMB032): see
// [`super::wiring`].

/// What an argument of a call holds, as far as it ties to the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue {
    /// A literal string (a bucket name, a queue URL, a function name or ARN).
    Literal(String),
    /// The value of an environment variable of the function.
    Env(String),
    Unknown,
}

/// An environment variable the code reads.
#[derive(Debug, Clone)]
pub struct EnvRead {
    pub name: String,
    /// Read without a default and without a check: Python `os.environ["X"]` (raises when it
    /// is not set), JavaScript `process.env.X` used as is (undefined).
    pub hard: bool,
    pub python: bool,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// Where the code reports batch item failures.
#[derive(Debug, Clone)]
pub struct BatchResponse {
    /// `returns \`batchItemFailures\``, `uses Powertools \`process_partial_response\``.
    pub how: String,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// A Lambda `Invoke` call.
#[derive(Debug, Clone)]
pub struct InvokeCall {
    /// The `FunctionName` argument.
    pub target: ArgValue,
    /// `Some(true)`: `RequestResponse` (the default); `Some(false)`: `Event` / `DryRun`;
    /// `None`: computed.
    pub sync: Option<bool>,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// The literal parts of an object key the code writes (`f"processed/{name}.json"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyShape {
    pub prefix: String,
    pub suffix: String,
}

/// An SDK call that writes to a named resource (an S3 object, a queue message, a topic message,
/// a table item, a stream record).
#[derive(Debug, Clone)]
pub struct ResourceWrite {
    pub service: String,
    pub operation: String,
    /// The bucket, queue URL, topic ARN, table or stream name.
    pub target: ArgValue,
    /// S3: the object key written, when its literal parts are known.
    pub key: Option<KeyShape>,
    pub file: Arc<SourceFile>,
    pub span: Span,
}

/// The facts that tie a handler's code to its template, attributed like the others (only what
/// the entry point reaches).
#[derive(Debug, Clone, Default)]
pub struct WiringFacts {
    pub env_reads: Vec<EnvRead>,
    /// Variables the code sets itself (`os.environ["X"] = ..`, `process.env.X = ..`,
    /// `setdefault`).
    pub env_set: Vec<String>,
    /// Why the environment is not only the template's (a `.env` file loaded with `dotenv`,
    /// `os.environ.update(..)`, a computed name written): the reads cannot be judged.
    pub env_dynamic: Option<String>,
    pub batch: Vec<BatchResponse>,
    /// An entry point returns something other than a literal (a value the analysis cannot
    /// see into): whether it carries `batchItemFailures` is unknown.
    pub returns_unknown: bool,
    pub invokes: Vec<InvokeCall>,
    /// The code reads an invocation result's `FunctionError` (or the payload's
    /// `errorMessage` / `errorType`).
    pub reads_function_error: bool,
    pub writes: Vec<ResourceWrite>,
    /// Every SDK call naming one resource (the writes above, and reads, receives, deletes,
    /// executions, invocations): what it names (`key` is not recorded). IAM002's fix scopes a
    /// wildcard resource to these.
    pub uses: Vec<ResourceWrite>,
}
