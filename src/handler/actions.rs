//! SDK operation -> the IAM actions it needs. Most operations are their own action
//! (`dynamodb` `PutItem` is `dynamodb:PutItem`), but some are renamed (`lambda` `Invoke` is
//! `lambda:InvokeFunction`), some are SDK helpers over other operations (`upload_file` is
//! `s3:PutObject`), some need no IAM permission at all (`sts:GetCallerIdentity`, Cognito's public
//! operations), and some cannot be decided from the call (PartiQL statements).

use crate::model::iam_actions::{Support, support};

/// What an SDK call needs from the caller's IAM policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// These actions (`service:Action`, each known to IAM).
    Actions(Vec<String>),
    /// Nothing: local signing, or an operation IAM policies do not govern.
    Nothing,
    /// Cannot be decided (unknown action, or it depends on the arguments).
    Unknown,
}

/// Operations whose IAM action has another name (or other names).
const RENAMED: &[(&str, &str, &[&str])] = &[
    ("lambda", "Invoke", &["lambda:InvokeFunction"]),
    (
        "lambda",
        "InvokeWithResponseStream",
        &["lambda:InvokeFunction"],
    ),
    ("bedrock", "Converse", &["bedrock:InvokeModel"]),
    (
        "bedrock",
        "ConverseStream",
        &["bedrock:InvokeModelWithResponseStream"],
    ),
    // S3 transfer helpers (boto3 managed transfers, lib-storage `Upload`, v2 `ManagedUpload`).
    ("s3", "UploadFile", &["s3:PutObject"]),
    ("s3", "UploadFileobj", &["s3:PutObject"]),
    ("s3", "Upload", &["s3:PutObject"]),
    ("s3", "DownloadFile", &["s3:GetObject"]),
    ("s3", "DownloadFileobj", &["s3:GetObject"]),
    ("s3", "Copy", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "CopyObject", &["s3:GetObject", "s3:PutObject"]),
    // Multipart uploads are authorised as `PutObject`.
    ("s3", "CreateMultipartUpload", &["s3:PutObject"]),
    ("s3", "UploadPart", &["s3:PutObject"]),
    ("s3", "UploadPartCopy", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "CompleteMultipartUpload", &["s3:PutObject"]),
    ("s3", "ListParts", &["s3:ListMultipartUploadParts"]),
    (
        "s3",
        "ListMultipartUploads",
        &["s3:ListBucketMultipartUploads"],
    ),
    ("s3", "HeadObject", &["s3:GetObject"]),
    ("s3", "SelectObjectContent", &["s3:GetObject"]),
    ("s3", "HeadBucket", &["s3:ListBucket"]),
    ("s3", "ListObjects", &["s3:ListBucket"]),
    ("s3", "ListObjectsV2", &["s3:ListBucket"]),
    ("s3", "ListObjectVersions", &["s3:ListBucketVersions"]),
    ("s3", "ListBuckets", &["s3:ListAllMyBuckets"]),
    ("s3", "DeleteObjects", &["s3:DeleteObject"]),
    (
        "s3",
        "PutBucketNotificationConfiguration",
        &["s3:PutBucketNotification"],
    ),
    (
        "s3",
        "GetBucketNotificationConfiguration",
        &["s3:GetBucketNotification"],
    ),
    (
        "s3",
        "PutBucketLifecycleConfiguration",
        &["s3:PutLifecycleConfiguration"],
    ),
    (
        "s3",
        "GetBucketLifecycleConfiguration",
        &["s3:GetLifecycleConfiguration"],
    ),
    (
        "s3",
        "WriteGetObjectResponse",
        &["s3-object-lambda:WriteGetObjectResponse"],
    ),
    // RDS IAM authentication tokens are signed locally; the database checks `rds-db:connect`.
    ("rds", "GenerateDbAuthToken", &["rds-db:connect"]),
    ("rds", "GenerateDBAuthToken", &["rds-db:connect"]),
    ("rds-db", "GetAuthToken", &["rds-db:connect"]),
    // Batch variants authorised as the single operation.
    ("sqs", "SendMessageBatch", &["sqs:SendMessage"]),
    ("sqs", "DeleteMessageBatch", &["sqs:DeleteMessage"]),
    (
        "sqs",
        "ChangeMessageVisibilityBatch",
        &["sqs:ChangeMessageVisibility"],
    ),
    ("sns", "PublishBatch", &["sns:Publish"]),
    // Transactions of reads only ever need `GetItem` (writes depend on their items).
    ("dynamodb", "TransactGetItems", &["dynamodb:GetItem"]),
    // S3 bucket configuration operations authorised under older names.
    (
        "s3",
        "GetBucketEncryption",
        &["s3:GetEncryptionConfiguration"],
    ),
    (
        "s3",
        "PutBucketEncryption",
        &["s3:PutEncryptionConfiguration"],
    ),
    (
        "s3",
        "DeleteBucketEncryption",
        &["s3:PutEncryptionConfiguration"],
    ),
    (
        "s3",
        "GetBucketReplication",
        &["s3:GetReplicationConfiguration"],
    ),
    (
        "s3",
        "PutBucketReplication",
        &["s3:PutReplicationConfiguration"],
    ),
    (
        "s3",
        "DeleteBucketReplication",
        &["s3:PutReplicationConfiguration"],
    ),
    (
        "s3",
        "GetPublicAccessBlock",
        &["s3:GetBucketPublicAccessBlock"],
    ),
    (
        "s3",
        "PutPublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    (
        "s3",
        "DeletePublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    (
        "s3",
        "GetBucketLifecycle",
        &["s3:GetLifecycleConfiguration"],
    ),
    (
        "s3",
        "PutBucketLifecycle",
        &["s3:PutLifecycleConfiguration"],
    ),
    (
        "s3",
        "DeleteBucketLifecycle",
        &["s3:PutLifecycleConfiguration"],
    ),
    (
        "s3",
        "PutBucketInventoryConfiguration",
        &["s3:PutInventoryConfiguration"],
    ),
    (
        "s3",
        "GetBucketInventoryConfiguration",
        &["s3:GetInventoryConfiguration"],
    ),
    (
        "s3",
        "PutBucketAnalyticsConfiguration",
        &["s3:PutAnalyticsConfiguration"],
    ),
    (
        "s3",
        "GetBucketAnalyticsConfiguration",
        &["s3:GetAnalyticsConfiguration"],
    ),
    (
        "s3",
        "PutBucketMetricsConfiguration",
        &["s3:PutMetricsConfiguration"],
    ),
    (
        "s3",
        "GetBucketMetricsConfiguration",
        &["s3:GetMetricsConfiguration"],
    ),
    (
        "s3",
        "PutBucketIntelligentTieringConfiguration",
        &["s3:PutIntelligentTieringConfiguration"],
    ),
    (
        "s3",
        "GetBucketIntelligentTieringConfiguration",
        &["s3:GetIntelligentTieringConfiguration"],
    ),
    ("s3", "DeleteBucketCors", &["s3:PutBucketCORS"]),
    ("s3", "DeleteBucketWebsite", &["s3:DeleteBucketWebsite"]),
    ("s3", "DeleteBucketTagging", &["s3:PutBucketTagging"]),
    (
        "s3",
        "GetObjectAttributes",
        &["s3:GetObject", "s3:GetObjectAttributes"],
    ),
    // The Kinesis Data Streams v2 name of the same operations.
    ("kinesis", "PutRecordBatch", &["kinesis:PutRecords"]),
    // SDK helpers that call `DescribeEndpoints` then write (Timestream).
    (
        "timestream",
        "WriteRecords",
        &["timestream:WriteRecords", "timestream:DescribeEndpoints"],
    ),
];

/// Operations no IAM policy governs: local helpers, and public (unauthenticated or
/// token-authorised) APIs.
const NO_PERMISSION: &[(&str, &str)] = &[
    ("sts", "GetCallerIdentity"),
    ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "AssumeRoleWithSAML"),
    // Cognito user pools: unauthenticated and access-token-authorised operations.
    ("cognito-idp", "InitiateAuth"),
    ("cognito-idp", "RespondToAuthChallenge"),
    ("cognito-idp", "SignUp"),
    ("cognito-idp", "ConfirmSignUp"),
    ("cognito-idp", "ResendConfirmationCode"),
    ("cognito-idp", "ForgotPassword"),
    ("cognito-idp", "ConfirmForgotPassword"),
    ("cognito-idp", "ChangePassword"),
    ("cognito-idp", "GetUser"),
    ("cognito-idp", "GlobalSignOut"),
    ("cognito-idp", "RevokeToken"),
    ("cognito-idp", "UpdateUserAttributes"),
    ("cognito-idp", "DeleteUser"),
    ("cognito-idp", "DeleteUserAttributes"),
    ("cognito-idp", "VerifyUserAttribute"),
    ("cognito-idp", "GetUserAttributeVerificationCode"),
    ("cognito-idp", "AssociateSoftwareToken"),
    ("cognito-idp", "VerifySoftwareToken"),
    ("cognito-idp", "SetUserMFAPreference"),
    ("cognito-idp", "SetUserSettings"),
    ("cognito-idp", "ListDevices"),
    ("cognito-idp", "GetDevice"),
    ("cognito-idp", "ForgetDevice"),
    ("cognito-idp", "ConfirmDevice"),
    ("cognito-idp", "UpdateDeviceStatus"),
    // Cognito identity pools: public operations.
    ("cognito-identity", "GetId"),
    ("cognito-identity", "GetCredentialsForIdentity"),
    ("cognito-identity", "GetOpenIdToken"),
    ("cognito-identity", "UnlinkIdentity"),
];

/// Operations whose action depends on the arguments (PartiQL statements).
const UNDECIDED: &[(&str, &str)] = &[
    // Authorised per item (`PutItem`, `UpdateItem`, ...): decided from the items when they are
    // literal (see `SdkCall::actions`), else unknown.
    ("dynamodb", "TransactWriteItems"),
    ("dynamodb", "ExecuteStatement"),
    ("dynamodb", "BatchExecuteStatement"),
    ("dynamodb", "ExecuteTransaction"),
];

/// Is `service:action` an IAM action (in data/iam_actions.tsv)?
pub fn known_action(action: &str) -> bool {
    support(action) != Support::Unknown
}

/// The IAM actions one SDK operation needs. Only actions IAM knows are returned: a call whose
/// action is not in the table is [`Needs::Unknown`], never a guess.
pub fn needs(service: &str, operation: &str) -> Needs {
    let eq = |(s, o): (&str, &str)| s == service && o.eq_ignore_ascii_case(operation);
    if NO_PERMISSION.iter().any(|p| eq(*p)) {
        return Needs::Nothing;
    }
    if UNDECIDED.iter().any(|p| eq(*p)) {
        return Needs::Unknown;
    }
    if service == "execute-api" {
        // Every API Gateway management API call (PostToConnection, ...) is one action.
        return Needs::Actions(vec!["execute-api:ManageConnections".into()]);
    }
    if service == "apigateway" {
        // The API Gateway control plane is authorised by HTTP method.
        let verb = ["Get", "List"]
            .iter()
            .any(|p| operation.starts_with(p))
            .then_some("GET")
            .or_else(|| operation.starts_with("Create").then_some("POST"))
            .or_else(|| operation.starts_with("Update").then_some("PATCH"))
            .or_else(|| operation.starts_with("Delete").then_some("DELETE"))
            .or_else(|| {
                (operation.starts_with("Put") || operation.starts_with("Import")).then_some("PUT")
            });
        return match verb {
            Some(v) => Needs::Actions(vec![format!("apigateway:{v}")]),
            None => Needs::Unknown,
        };
    }
    let actions: Vec<String> = match RENAMED.iter().find(|(s, o, _)| eq((s, o))) {
        Some((_, _, to)) => to.iter().map(|a| (*a).to_string()).collect(),
        None => vec![format!("{service}:{operation}")],
    };
    if actions.iter().all(|a| known_action(a)) {
        Needs::Actions(actions)
    } else {
        Needs::Unknown
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn acts(s: &str, o: &str) -> Vec<String> {
        match needs(s, o) {
            Needs::Actions(a) => a,
            other => panic!("{s}:{o} -> {other:?}"),
        }
    }

    #[test]
    fn same_name() {
        assert_eq!(acts("dynamodb", "PutItem"), ["dynamodb:PutItem"]);
        assert_eq!(acts("states", "StartExecution"), ["states:StartExecution"]);
    }

    #[test]
    fn renamed() {
        assert_eq!(acts("lambda", "Invoke"), ["lambda:InvokeFunction"]);
        assert_eq!(acts("bedrock", "Converse"), ["bedrock:InvokeModel"]);
        assert_eq!(
            acts("bedrock", "ConverseStream"),
            ["bedrock:InvokeModelWithResponseStream"]
        );
        assert_eq!(acts("s3", "UploadFile"), ["s3:PutObject"]);
        assert_eq!(acts("s3", "DownloadFile"), ["s3:GetObject"]);
        assert_eq!(acts("s3", "Upload"), ["s3:PutObject"]);
        assert_eq!(acts("s3", "CreateMultipartUpload"), ["s3:PutObject"]);
        assert_eq!(acts("s3", "ListObjectsV2"), ["s3:ListBucket"]);
        assert_eq!(acts("s3", "CopyObject"), ["s3:GetObject", "s3:PutObject"]);
        assert_eq!(acts("rds", "GenerateDbAuthToken"), ["rds-db:connect"]);
        assert_eq!(
            acts("s3", "WriteGetObjectResponse"),
            ["s3-object-lambda:WriteGetObjectResponse"]
        );
        assert_eq!(
            acts("execute-api", "PostToConnection"),
            ["execute-api:ManageConnections"]
        );
        assert_eq!(acts("apigateway", "GetRestApis"), ["apigateway:GET"]);
        assert_eq!(acts("apigateway", "CreateApiKey"), ["apigateway:POST"]);
        assert_eq!(
            acts("s3", "PutBucketEncryption"),
            ["s3:PutEncryptionConfiguration"]
        );
        assert_eq!(
            acts("s3", "PutBucketNotificationConfiguration"),
            ["s3:PutBucketNotification"]
        );
        assert_eq!(acts("dynamodb", "TransactGetItems"), ["dynamodb:GetItem"]);
        assert_eq!(needs("dynamodb", "TransactWriteItems"), Needs::Unknown);
    }

    #[test]
    fn no_permission() {
        assert_eq!(needs("sts", "GetCallerIdentity"), Needs::Nothing);
        assert_eq!(needs("cognito-idp", "InitiateAuth"), Needs::Nothing);
        assert_eq!(needs("cognito-identity", "GetId"), Needs::Nothing);
    }

    #[test]
    fn unknown_actions_are_not_guessed() {
        assert_eq!(needs("pinpoint", "SendMessages"), Needs::Unknown);
        assert_eq!(needs("signaturev4", "Sign"), Needs::Unknown);
        assert_eq!(needs("s3", "NoSuchOperation"), Needs::Unknown);
        assert_eq!(needs("dynamodb", "ExecuteStatement"), Needs::Unknown);
        assert_eq!(
            acts("mobiletargeting", "SendMessages"),
            ["mobiletargeting:SendMessages"]
        );
    }
}
