//! The exit statuses of `ike`: the contract scripts rely on (README, man pages).

use std::process::ExitCode;

/// What an `ike` exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success = 0,
    /// An error: nothing (more) was done; the message says why and what to do.
    Failure = 1,
    /// A usage error (clap): unknown flag, missing argument.
    Usage = 2,
    /// `ike resolve`: DNS and the API disagree.
    Drift = 3,
    /// Some sites (or namespaces) failed and the others were done: each failure has its own
    /// `warning:` line on stderr (`ike login --all`).
    Partial = 4,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}
