//! `ike tenant`: create, list, show and change tenants.

use std::process::ExitCode;

use clap::Subcommand;

use crate::settings::Settings;

/// `ike tenant ...`
#[derive(Debug, Subcommand)]
pub enum TenantCommand {}

/// Runs `ike tenant ...`.
pub fn run(cmd: TenantCommand, _settings: &Settings) -> anyhow::Result<ExitCode> {
    match cmd {}
}
