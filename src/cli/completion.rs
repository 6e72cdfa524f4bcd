//! `ike completion`: the shell's registration of ike's dynamic completion.
//!
//! The script only registers: at every TAB the shell runs `IKE_COMPLETE=<shell> ike -- <words>`,
//! and ike answers with subcommands, flags and names from the site (sites, tenants, namespaces,
//! accounts, notification configs, requests; see [`super::complete`]). The script calls `ike`
//! by name from PATH, so it is the same for everyone and `completions/` holds it verbatim.

use clap::Args;
use clap_complete::Shell;
use clap_complete::env::EnvCompleter;

use crate::cli::exit::ExitStatus;

/// Arguments of `ike completion`.
#[derive(Debug, Args)]
#[command(
    after_help = "Install (one line; new shells complete ike, names from the site included):\n  echo 'source <(ike completion bash)' >> ~/.bashrc\n  echo 'source <(ike completion zsh)' >> ~/.zshrc\n  ike completion fish > ~/.config/fish/completions/ike.fish\n  ike completion powershell | Out-String | Invoke-Expression   # in $PROFILE\n  eval (ike completion elvish | slurp)                          # in rc.elv"
)]
pub struct CompletionArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The environment variable that turns `ike` into its own completer.
pub const VAR: &str = "IKE_COMPLETE";

/// zsh loads a `_ike` found in `$fpath` on the first TAB, which only registers the completer:
/// this line completes that first TAB too, and does nothing when the script is sourced (an
/// `if`, not `&&`: sourced, the script must end with status 0).
const ZSH_FPATH_BRIDGE: &str =
    "if [[ ${funcstack[1]} = _ike ]]; then _clap_dynamic_completer_ike \"$@\"; fi\n";

/// The registration script of `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &clap_complete::env::Bash,
        Shell::Zsh => &clap_complete::env::Zsh,
        Shell::Fish => &clap_complete::env::Fish,
        Shell::PowerShell => &clap_complete::env::Powershell,
        Shell::Elvish => &clap_complete::env::Elvish,
        _ => &clap_complete::env::Bash,
    };
    let mut out = Vec::new();
    completer
        .write_registration(VAR, "ike", "ike", "ike", &mut out)
        .expect("writing into memory cannot fail");
    if shell == Shell::Zsh {
        out.extend_from_slice(ZSH_FPATH_BRIDGE.as_bytes());
    }
    out
}

/// Prints the registration script for the shell.
pub fn run(args: CompletionArgs) -> anyhow::Result<ExitStatus> {
    super::output::write_stdout(&script(args.shell))?;
    Ok(ExitStatus::Success)
}
