//! The rules, one module each, and the registry.

pub mod iam001;
pub mod lmb001;
pub mod lmb002;
pub mod lmb010;
pub mod lmb011;
pub mod sqs001;
pub mod sqs010;

use crate::rule::Rule;

/// Every rule, in code order.
pub fn all() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(iam001::WildcardAction),
        Box::new(lmb001::AsyncFunctionWithoutFailureDestination),
        Box::new(lmb002::StreamSourceWithoutFailureDestination),
        Box::new(lmb010::FunctionWithoutTimeout),
        Box::new(lmb011::TimeoutExceedsApiIntegration),
        Box::new(sqs001::QueueWithoutRedrivePolicy),
        Box::new(sqs010::VisibilityTimeoutBelowFunctionTimeout),
    ]
}
