//! The exit statuses of `ike`: the contract scripts rely on (README, man pages).
//!
//! Every command returns an [`ExitStatus`] or an error; `main` turns either into the process's
//! exit code through [`ExitStatus::of_error`], the one place an error becomes a status. A status
//! means one thing: 1 is an error, never "written but not in effect" (that is 5, so a script can
//! tell "try again later" from "fix something").

use std::process::ExitCode;

use crate::client::NotDone;

/// What an `ike` exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Everything asked for was done (for a dry run: would be done).
    Success = 0,
    /// An error: nothing (more) was done; the message says why and what to do. A declined
    /// confirmation prompt ends the same way, and so does `ike doctor` with a failing check.
    Failure = 1,
    /// A usage error (clap): unknown flag, missing argument, a value the parser refuses.
    Usage = 2,
    /// `ike resolve`: DNS and the API disagree.
    Drift = 3,
    /// Some sites (or namespaces) failed and the others were done: each failure has its own
    /// `warning:` line on stderr (`ike login --all`).
    Partial = 4,
    /// Not done, or not ready: the change was accepted, but what it asked for is not in effect
    /// (the controller reported not ready, not applied, a conflict, or did not report within
    /// the wait; a test alert did not arrive). The message says what is missing and how to
    /// follow it.
    NotDone = 5,
}

impl ExitStatus {
    /// Every status, in the order of their codes (the README's and the man pages' table).
    pub const ALL: [ExitStatus; 6] = [
        ExitStatus::Success,
        ExitStatus::Failure,
        ExitStatus::Usage,
        ExitStatus::Drift,
        ExitStatus::Partial,
        ExitStatus::NotDone,
    ];

    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// One line for the README and the man pages' EXIT STATUS section.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "done (a dry run: would be done)",
            ExitStatus::Failure => {
                "error: nothing (more) was done, one line says why and what to do; 'ike doctor': a check failed"
            }
            ExitStatus::Usage => "usage error: unknown flag, missing or invalid argument",
            ExitStatus::Drift => "'ike resolve' found drift: DNS and the API disagree",
            ExitStatus::Partial => {
                "partly done: some sites failed, each with a warning line, the others were done ('ike login --all')"
            }
            ExitStatus::NotDone => {
                "not done or not ready: the change was accepted but is not in effect (not ready, not applied, a conflict, no verdict within the wait, a test alert not delivered)"
            }
        }
    }

    /// The status an error ends a command with: [`ExitStatus::NotDone`] when any error in its
    /// chain is a [`NotDone`], [`ExitStatus::Usage`] for a parser's error, else
    /// [`ExitStatus::Failure`].
    pub fn of_error(err: &anyhow::Error) -> Self {
        if err.chain().any(|e| e.is::<NotDone>()) {
            ExitStatus::NotDone
        } else if err.chain().any(|e| e.is::<clap::Error>()) {
            ExitStatus::Usage
        } else {
            ExitStatus::Failure
        }
    }

    /// The status of a command's outcome; an error is printed first (`error: ` and its chain,
    /// one line).
    pub fn report(outcome: anyhow::Result<ExitStatus>) -> ExitStatus {
        match outcome {
            Ok(status) => status,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitStatus::of_error(&err)
            }
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_code_in_order() {
        let codes: Vec<u8> = ExitStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
        for s in ExitStatus::ALL {
            assert_eq!(ExitCode::from(s), ExitCode::from(s.code()));
            assert!(!s.meaning().is_empty());
        }
    }

    #[test]
    fn an_error_is_a_failure_unless_it_says_not_done() {
        let plain = anyhow::anyhow!("tenant t not found");
        assert_eq!(ExitStatus::of_error(&plain), ExitStatus::Failure);
        let io = anyhow::Error::new(std::io::Error::other("disk full"));
        assert_eq!(ExitStatus::of_error(&io), ExitStatus::Failure);
        let not_ready = anyhow::Error::new(NotDone::new("tenant t is not ready"));
        assert_eq!(ExitStatus::of_error(&not_ready), ExitStatus::NotDone);
    }

    #[test]
    fn not_done_counts_wherever_it_is_in_the_chain_and_keeps_its_message() {
        let wrapped = anyhow::Error::new(NotDone::new("the test alert did not arrive"))
            .context("ike notify test");
        assert_eq!(ExitStatus::of_error(&wrapped), ExitStatus::NotDone);
        assert_eq!(
            format!("{wrapped:#}"),
            "ike notify test: the test alert did not arrive"
        );
        // Built with anyhow's macros too: the message is the one line a user reads.
        let e: anyhow::Error = NotDone::new(format!("tenant {} is not ready", "t")).into();
        assert_eq!(format!("{e:#}"), "tenant t is not ready");
    }

    #[test]
    fn a_parser_error_is_a_usage_error() {
        use clap::Parser as _;
        let e = crate::cli::Cli::try_parse_from(["ike", "--no-such-flag"]).unwrap_err();
        assert_eq!(
            ExitStatus::of_error(&anyhow::Error::new(e)),
            ExitStatus::Usage
        );
    }

    #[test]
    fn an_outcome_becomes_its_status() {
        for s in ExitStatus::ALL {
            assert_eq!(ExitStatus::report(Ok(s)), s);
        }
        assert_eq!(
            ExitStatus::report(Err(anyhow::anyhow!("boom"))),
            ExitStatus::Failure
        );
        assert_eq!(
            ExitStatus::report(Err(NotDone::new("not yet").into())),
            ExitStatus::NotDone
        );
    }
}
