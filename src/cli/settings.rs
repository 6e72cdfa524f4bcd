//! Flags, environment and defaults resolved once into [`Settings`].
//!
//! Precedence: flags > environment > config file > default. Commands receive a `Settings` and
//! never read the environment themselves.

use std::ffi::OsString;
use std::path::PathBuf;

use super::GlobalArgs;
use crate::client::kubeconfig;
use crate::client::site_files::SiteStore;
use crate::client::{ClientSettings, Target};

/// What every command runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Which site, namespace and files the client layer works with.
    pub client: ClientSettings,
    /// Colours and styles on terminal output.
    pub color: bool,
    /// Log verbosity: 0 warnings, 1 info, 2 debug, 3+ trace.
    pub verbose: u8,
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

impl Environment {
    /// Whether `NO_COLOR` asks for no colour (any non-empty value, <https://no-color.org>).
    pub fn no_color(&self) -> bool {
        self.no_color.as_ref().is_some_and(|v| !v.is_empty())
    }
}

impl Settings {
    /// Resolves the global flags against the environment.
    pub fn resolve(args: &GlobalArgs, env: &Environment) -> Self {
        let kubeconfig_paths = kubeconfig::paths(env.kubeconfig.as_deref(), env.home.as_deref());
        Self {
            client: ClientSettings {
                site: args.site.clone(),
                namespace: args.namespace.clone(),
                kubeconfig_paths,
                sites: SiteStore::new(
                    env.data_dir
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(".ike"))
                        .join("sites"),
                ),
            },
            color: !env.no_color(),
            verbose: args.verbose,
            exe: env.exe.clone().unwrap_or_else(|| PathBuf::from("ike")),
            interactive: env.stdin_tty,
        }
    }

    /// The cluster the command talks to.
    pub async fn target(&self) -> Result<Target, kubeconfig::Error> {
        Target::resolve(&self.client).await
    }
}
