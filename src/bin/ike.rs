//! `ike`: wiring only. Parse, set up logging, run, print the error chain, map to an exit code.

use std::process::ExitCode;

use clap::Parser;
use ike::cli::Cli;
use ike::cli::settings::Environment;

fn main() -> ExitCode {
    // `--help`, `--version` and usage errors exit here, before anything else is set up: this is
    // what keeps `ike --help` fast.
    let cli = Cli::parse();
    let env = Environment::from_process();
    ike::util::logging::init(cli.global.verbose, env.no_color());
    ike::install_crypto_provider();
    match cli.run(&env) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
