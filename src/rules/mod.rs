//! The rules, one module each, and the registry.

pub mod apigw001;
pub mod apigw002;
pub mod apigw003;
pub mod apigw004;
pub mod apigw005;
pub mod ddb001;
pub mod evb001;
pub mod handler_util;
pub mod hdl001;
pub mod hdl002;
pub mod hdl003;
pub mod hdl010;
pub mod hdl020;
pub mod hdl021;
pub mod hdl030;
pub mod hdl040;
pub mod iam001;
pub mod iam002;
pub mod iam003;
pub mod iam005;
pub mod iam006;
pub mod iam010;
pub mod lmb001;
pub mod lmb002;
pub mod lmb003;
pub mod lmb004;
pub mod lmb010;
pub mod lmb011;
pub mod lmb012;
pub mod lmb020;
pub mod lmb030;
pub mod lmb031;
pub mod lmb032;
pub mod lmb040;
pub mod lmb050;
pub mod lmb051;
pub mod lmb060;
pub mod rds001;
pub mod sfn001;
pub mod sfn002;
pub mod sns001;
pub mod sqs001;
pub mod sqs002;
pub mod sqs010;
pub mod sqs011;
pub mod vpc001;
pub mod vpc002;
pub mod vpc003;
pub mod vpc004;
pub mod wiring_util;

use crate::rule::Rule;

/// Every rule, in code order.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(iam001::WildcardAction),
        Box::new(iam002::WildcardResource),
        Box::new(iam003::OverlyPermissiveManagedPolicy),
        Box::new(iam010::UnscopedInvokePermission),
        Box::new(lmb001::AsyncFunctionWithoutFailureDestination),
        Box::new(lmb002::StreamSourceWithoutFailureDestination),
        Box::new(lmb003::StreamRetriesUnbounded),
        Box::new(lmb004::BatchFailureReportingMismatch),
        Box::new(lmb010::FunctionWithoutTimeout),
        Box::new(lmb011::TimeoutExceedsApiIntegration),
        Box::new(lmb012::ScheduleOverlapsItself),
        Box::new(lmb020::ReservedConcurrencyConflict),
        Box::new(lmb040::SecretInFunctionEnvironment),
        Box::new(lmb050::LogGroupWithoutRetention),
        Box::new(lmb051::TracingDisabled),
        Box::new(lmb060::DeprecatedRuntime),
        Box::new(rds001::UnboundedConcurrencyToDatabase),
        Box::new(sqs001::QueueWithoutRedrivePolicy),
        Box::new(sqs002::DlqRetentionTooShort),
        Box::new(sqs010::VisibilityTimeoutBelowFunctionTimeout),
        Box::new(sqs011::MaxReceiveCountTooLow),
        Box::new(sns001::SubscriptionWithoutRedrivePolicy),
        Box::new(evb001::RuleTargetWithoutDeadLetterQueue),
        Box::new(apigw001::ApiWithoutThrottling),
        Box::new(apigw002::ApiWithoutAccessLogging),
        Box::new(apigw003::ApiDataTraceEnabled),
        Box::new(apigw004::AuthorizerCacheScopedToMethod),
        Box::new(apigw005::PrivateApiWithoutVpcePolicy),
        Box::new(sfn001::TaskWithoutTimeout),
        Box::new(sfn002::LambdaTaskWithoutRetry),
        Box::new(vpc001::VpcFunctionWithoutEgress),
        Box::new(vpc002::VpcFunctionInPublicSubnet),
        Box::new(vpc003::SecurityGroupBlocksTraffic),
        Box::new(vpc004::VpcFunctionSingleAz),
        Box::new(ddb001::ProvisionedTableUnboundedCallers),
        Box::new(lmb030::FunctionOnlyForwards),
        Box::new(lmb031::RecursiveTrigger),
        Box::new(lmb032::SyncInvokeErrorUnchecked),
        Box::new(hdl001::SdkClientCreatedInHandler),
        Box::new(hdl002::ParameterFetchedPerInvocation),
        Box::new(hdl003::DbConnectionPerInvocation),
        Box::new(hdl010::HttpCallWithoutTimeout),
        Box::new(hdl020::EnvVarNotConfigured),
        Box::new(hdl021::WriteOutsideTmp),
        Box::new(hdl030::UnawaitedPromise),
        Box::new(hdl040::HardcodedCredentials),
        Box::new(iam005::PermissionNotUsedByCode),
        Box::new(iam006::CodeCallsWithoutPermission),
    ]
}
