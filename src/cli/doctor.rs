//! `ike doctor`: what the caller may and may not do, checked from the caller's own viewpoint.

use std::process::ExitCode;

use clap::Args;

use crate::settings::Settings;

/// Arguments of `ike doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {}

/// Runs `ike doctor`.
pub fn run(_args: DoctorArgs, _settings: &Settings) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet")
}
