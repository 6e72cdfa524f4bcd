//! End-to-end tests against a real control plane (etcd + kube-apiserver +
//! kube-controller-manager v1.20.2) with a real `ike-controller`, kubectl as the independent
//! client. All tests of this binary share one control plane (see `harness`).

mod harness;
#[path = "../readme_blocks/mod.rs"]
mod readme_blocks;
#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod bound_certificates;
mod completion;
mod deploy;
mod doctor;
mod every_site;
mod foundation;
mod hostile;
mod listener;
mod newcomer;
mod notify;
mod office;
mod removal;
mod requests;
mod restart;
mod tenant_cli;
#[path = "tenant_scope/get.rs"]
mod tenant_scope_get;
mod tenants;
