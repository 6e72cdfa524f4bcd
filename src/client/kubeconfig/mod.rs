//! kubeconfig files as kubectl reads and writes them.
//!
//! - [`read`]: the files kubectl reads (`KUBECONFIG`, missing files passed over like kubectl does,
//!   which kube-rs does not), merged; the context and the site a command is about.
//! - [`edit`]: ike's own cluster, user and context `ike-<site>`, added and removed without
//!   touching anything else in a file that people and other tools edit too.
//! - [`file`]: one file read as YAML 1.1 and replaced atomically, 0600.
//! - [`lock`]: kubectl's `<file>.lock`, so ike and kubectl never interleave their writes.

mod edit;
mod file;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod fuzz;
mod lock;
mod read;

pub use edit::{SiteEntry, remove_site, sites_in, upsert_site};
pub use file::WriteError;
pub use read::{Error, context_for, load, paths, site_for, site_of_context, write_target};
