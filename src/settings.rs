//! Flags, environment and defaults resolved once into [`Settings`].
//!
//! Precedence: flags > environment > config file > default. Commands receive a `Settings` and
//! never read the environment themselves.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::cli::GlobalArgs;

/// What every command runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The site to talk to (its kubeconfig context is `ike-<site>`); `None` means the current
    /// context.
    pub site: Option<String>,
    /// The namespace given with `-n`, if any.
    pub namespace: Option<String>,
    /// The kubeconfig files in the order kubectl reads them (from `KUBECONFIG`, else
    /// `~/.kube/config`).
    pub kubeconfig_paths: Vec<PathBuf>,
    /// Colours and styles on terminal output.
    pub color: bool,
    /// Log verbosity: 0 warnings, 1 info, 2 debug, 3+ trace.
    pub verbose: u8,
    /// Where `ike login` keeps each site's key, certificate and settings.
    pub sites: crate::sites::SiteStore,
    /// This `ike` binary, for the kubeconfig's exec credential plugin.
    pub exe: PathBuf,
    /// Whether stdin is a terminal: prompts are allowed only then.
    pub interactive: bool,
}

/// The environment variables settings depend on, read once in `main`.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// `KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    /// `NO_COLOR` (any non-empty value disables colour, <https://no-color.org>).
    pub no_color: Option<OsString>,
    /// The user's home directory.
    pub home: Option<PathBuf>,
    /// ike's XDG data directory (`~/.local/share/ike`).
    pub data_dir: Option<PathBuf>,
    /// This executable.
    pub exe: Option<PathBuf>,
    /// Whether stdin is a terminal.
    pub stdin_tty: bool,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        Self {
            kubeconfig: std::env::var_os("KUBECONFIG"),
            no_color: std::env::var_os("NO_COLOR"),
            home: directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()),
            data_dir: directories::ProjectDirs::from("", "", "ike")
                .map(|d| d.data_dir().to_path_buf()),
            exe: std::env::current_exe().ok(),
            stdin_tty: std::io::IsTerminal::is_terminal(&std::io::stdin()),
        }
    }
}

impl Settings {
    /// Resolves the global flags against the environment.
    pub fn resolve(args: &GlobalArgs, env: &Environment) -> Self {
        let kubeconfig_paths =
            crate::kubeconfig::paths(env.kubeconfig.as_deref(), env.home.as_deref());
        Self {
            site: args.site.clone(),
            namespace: args.namespace.clone(),
            kubeconfig_paths,
            color: env.no_color.as_ref().is_none_or(|v| v.is_empty()),
            verbose: args.verbose,
            sites: crate::sites::SiteStore::new(
                env.data_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(".ike"))
                    .join("sites"),
            ),
            exe: env.exe.clone().unwrap_or_else(|| PathBuf::from("ike")),
            interactive: env.stdin_tty,
        }
    }
}
