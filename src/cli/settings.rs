//! Flags, environment and defaults resolved once into [`Settings`].
//!
//! Precedence: flags > environment > config file > default. Commands receive a `Settings` and
//! never read the environment themselves.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

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
    /// ike's cache directory (`~/.cache/ike`): discovery and completion names, per site.
    pub cache_dir: PathBuf,
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
    /// Whether the shell asks for completions (`IKE_COMPLETE` set, not `0`).
    pub completing: bool,
    /// `IKE_SITE`, for completion (commands get it through clap).
    pub site: Option<String>,
    /// ike's XDG cache directory (`~/.cache/ike`).
    pub cache_dir: Option<PathBuf>,
    /// How long completion waits for a site (`IKE_COMPLETION_TIMEOUT`, e.g. `250ms`, `1s`).
    pub completion_deadline: Duration,
    /// Whether completion refreshes stale names in the background (`IKE_COMPLETION_BACKGROUND`,
    /// `0` turns it off).
    pub completion_background: bool,
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
            completing: std::env::var_os("IKE_COMPLETE").is_some_and(|v| !v.is_empty() && v != "0"),
            site: std::env::var("IKE_SITE").ok().filter(|s| !s.is_empty()),
            cache_dir: directories::ProjectDirs::from("", "", "ike")
                .map(|d| d.cache_dir().to_path_buf()),
            completion_deadline: std::env::var("IKE_COMPLETION_TIMEOUT")
                .ok()
                .and_then(|t| parse_millis(&t))
                .unwrap_or(crate::client::names::DEADLINE),
            completion_background: std::env::var_os("IKE_COMPLETION_BACKGROUND")
                .is_none_or(|v| v != "0"),
        }
    }

    /// ike's cache directory (a relative `.ike-cache` without a home).
    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(".ike-cache"))
    }
}

/// `250ms`, `1s` or plain milliseconds; `None` for anything else (the default holds then).
fn parse_millis(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(ms) = text.strip_suffix("ms") {
        return ms.parse().ok().map(Duration::from_millis);
    }
    if let Ok(ms) = text.parse() {
        return Some(Duration::from_millis(ms));
    }
    crate::util::time::parse_duration(text).ok()
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
            cache_dir: env.cache_dir(),
        }
    }

    /// The cluster the command talks to.
    pub async fn target(&self) -> Result<Target, kubeconfig::Error> {
        Target::resolve(&self.client).await
    }
}
