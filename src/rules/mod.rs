//! The rules, one module each, and the registry.

pub mod handler_rules;
pub mod iam001;
pub mod lmb010;
pub mod sqs001;

use crate::rule::Rule;

/// Every rule, in code order.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(iam001::WildcardAction),
        Box::new(lmb010::FunctionWithoutTimeout),
        Box::new(sqs001::QueueWithoutRedrivePolicy),
        Box::new(handler_rules::FunctionOnlyForwards),
        Box::new(handler_rules::SdkClientCreatedInHandler),
        Box::new(handler_rules::ParameterFetchedPerInvocation),
        Box::new(handler_rules::DbConnectionPerInvocation),
        Box::new(handler_rules::HttpCallWithoutTimeout),
        Box::new(handler_rules::PermissionNotUsedByCode),
        Box::new(handler_rules::CodeCallsWithoutPermission),
    ]
}
