//! Tenant notifications (issue 10), the parts that need no cluster: Alertmanager's
//! configuration rendered from the admin's base and the tenants' configs, the Barry client,
//! the Teams card, and Alertmanager's webhook body that the relay receives.

pub mod alertmanager;
pub mod barry;
pub mod http;
pub mod payload;
pub mod teams;
