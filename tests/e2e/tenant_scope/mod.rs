//! Tenant scope (issue 19): what a tenant keeps and sees across its namespaces at once.

mod get;
mod objects;
