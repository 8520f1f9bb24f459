//! Source forms other than CloudFormation / SAM, lowered into the same CloudFormation-shaped tree
//! the model reads: Serverless Framework `serverless.yml` ([`serverless`]) and AWS CDK cloud
//! assemblies ([`cdk`]). How findings get back to what the user edits, and how help is worded,
//! is in [`crate::model::dialect`].

pub mod cdk;
pub mod serverless;
