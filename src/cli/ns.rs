//! `ike ns`: a tenant's namespaces.

use std::process::ExitCode;

use clap::Subcommand;

use crate::settings::Settings;

/// `ike ns ...`
#[derive(Debug, Subcommand)]
pub enum NsCommand {}

/// Runs `ike ns ...`.
pub fn run(cmd: NsCommand, _settings: &Settings) -> anyhow::Result<ExitCode> {
    match cmd {}
}
