//! Logging to stderr: `-v` raises the level, `RUST_LOG` overrides it, `NO_COLOR` removes colour.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Sets up the global subscriber; logs always go to stderr so stdout holds results only.
/// `no_color` is whether `NO_COLOR` asks for no colour.
pub fn init(verbose: u8, no_color: bool) {
    let level = match verbose {
        // kube's HTTP trace layer logs every failed request as an ERROR; the command's own
        // error (or a site's warning line) already says it once, in words a person can act on.
        0 => "warn,kube_client::client::builder=off",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let color = !no_color && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(verbose >= 2)
        .try_init();
}
