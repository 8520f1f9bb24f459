//! The rules, one module each, and the registry.

pub mod handler_util;
pub mod hdl001;
pub mod hdl002;
pub mod hdl003;
pub mod hdl010;
pub mod iam001;
pub mod iam002;
pub mod iam003;
pub mod iam005;
pub mod iam006;
pub mod lmb001;
pub mod lmb002;
pub mod lmb010;
pub mod lmb011;
pub mod lmb030;
pub mod rds001;
pub mod sqs001;
pub mod sqs010;
pub mod vpc001;
pub mod vpc002;

use crate::rule::Rule;

/// Every rule, in code order.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(iam001::WildcardAction),
        Box::new(iam002::WildcardResource),
        Box::new(iam003::OverlyPermissiveManagedPolicy),
        Box::new(lmb001::AsyncFunctionWithoutFailureDestination),
        Box::new(lmb002::StreamSourceWithoutFailureDestination),
        Box::new(lmb010::FunctionWithoutTimeout),
        Box::new(lmb011::TimeoutExceedsApiIntegration),
        Box::new(rds001::UnboundedConcurrencyToDatabase),
        Box::new(sqs001::QueueWithoutRedrivePolicy),
        Box::new(sqs010::VisibilityTimeoutBelowFunctionTimeout),
        Box::new(vpc001::VpcFunctionWithoutEgress),
        Box::new(vpc002::VpcFunctionInPublicSubnet),
        Box::new(lmb030::FunctionOnlyForwards),
        Box::new(hdl001::SdkClientCreatedInHandler),
        Box::new(hdl002::ParameterFetchedPerInvocation),
        Box::new(hdl003::DbConnectionPerInvocation),
        Box::new(hdl010::HttpCallWithoutTimeout),
        Box::new(iam005::PermissionNotUsedByCode),
        Box::new(iam006::CodeCallsWithoutPermission),
    ]
}
