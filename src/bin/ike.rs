//! `ike`: wiring only. Parse, set up logging, run, print the error chain, map to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser};
use ike::cli::Cli;
use ike::cli::exit::ExitStatus;
use ike::cli::settings::Environment;

fn main() -> ExitCode {
    let env = Environment::from_process();
    // Completion first, and before logging is set up: the shell shows whatever reaches stderr in
    // the middle of the prompt. `IKE_COMPLETE=<shell> ike -- <words>` exits here.
    if env.completing {
        ike::install_crypto_provider();
        ike::cli::complete::init(&env, std::env::args_os());
        clap_complete::CompleteEnv::with_factory(Cli::command)
            .var("IKE_COMPLETE")
            .bin("ike")
            .completer("ike")
            .complete();
    }
    // `--help`, `--version` and usage errors exit here, before anything else is set up: this is
    // what keeps `ike --help` fast.
    let cli = Cli::parse();
    ike::util::logging::init(cli.global.verbose, env.no_color());
    ike::install_crypto_provider();
    ExitStatus::report(cli.run(&env)).into()
}
