//! The pure core's domain types: parsed, never merely validated, so a value that exists is a
//! valid one. No IO: the browser uses the same checks for form validation.
pub mod alarm;
pub mod aws;
pub mod balancer;
pub mod identity;
pub mod plan;
pub mod rule;
pub mod schedule;
pub mod topic;

pub use identity::{Email, IdentityError, Password, Role, TeamName};
