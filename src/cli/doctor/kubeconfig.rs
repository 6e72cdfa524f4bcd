//! Check 1: the kubeconfig: readable, private, the site's context whole, ike's plugin as its user.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use super::report::{Check, Outcome, error_chain};
use crate::api::consts::context_name;
use crate::client::kubeconfig as client_kubeconfig;

/// What the kubeconfig checks found.
#[derive(Debug)]
pub struct KubeconfigFindings {
    /// The rows.
    pub checks: Vec<Check>,
    /// The site: `--site`, else the one the current context names.
    pub site: Option<String>,
    /// The API server URL of the site's cluster entry.
    pub server: Option<String>,
    /// Whether the site's context can be used: it exists and runs ike's own credential plugin
    /// (doctor never runs someone else's plugin, which might prompt or hang).
    pub usable: bool,
}

/// Checks the kubeconfig files kubectl reads (`paths`, in order) for the site `site` (else the
/// current context's): they parse, the `ike-<site>` context names a cluster and a user that
/// exist, the user runs ike's credential plugin from an executable file, and no file is readable
/// by others.
pub fn check_kubeconfig(paths: &[PathBuf], site: Option<&str>) -> KubeconfigFindings {
    let mut findings = KubeconfigFindings {
        checks: Vec::new(),
        site: site.map(str::to_string),
        server: None,
        usable: false,
    };
    let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.exists()).collect();
    let listed = |files: &[&PathBuf]| {
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if existing.is_empty() {
        let looked: Vec<&PathBuf> = paths.iter().collect();
        findings.checks.push(Check::fail(
            "kubeconfig.files",
            format!(
                "no kubeconfig found (looked at {}): run 'ike login --site SITE'",
                listed(&looked)
            ),
        ));
        return findings;
    }

    let broken: Vec<String> = existing
        .iter()
        .filter_map(|p| {
            Kubeconfig::read_from(p)
                .err()
                .map(|e| format!("{}: {}", p.display(), error_chain(&e)))
        })
        .collect();
    let merged = if broken.is_empty() {
        client_kubeconfig::load(paths).map_err(|e| error_chain(&e))
    } else {
        Err(broken.join("; "))
    };
    match &merged {
        Ok(_) => findings.checks.push(Check::pass(
            "kubeconfig.files",
            format!("read {}", listed(&existing)),
        )),
        Err(e) => findings.checks.push(Check::fail(
            "kubeconfig.files",
            format!("kubectl cannot read them: {e}"),
        )),
    }
    findings.checks.push(check_modes(&existing));
    let Ok(kubeconfig) = merged else {
        return findings;
    };

    // The one resolver of `--site`: the same answer every command gets.
    let site = match client_kubeconfig::site_for(&kubeconfig, site) {
        Ok(site) => site,
        Err(e) => {
            findings
                .checks
                .push(Check::fail("kubeconfig.context", e.to_string()));
            return findings;
        }
    };
    findings.site = Some(site.clone());
    let login = format!("run 'ike login --site {site}' to write it again");
    let name = context_name(&site);
    let Some(context) = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref())
    else {
        findings.checks.push(Check::fail(
            "kubeconfig.context",
            format!("no context '{name}': {login}"),
        ));
        return findings;
    };
    let cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.as_ref());
    let user_name = context.user.clone().unwrap_or_default();
    let user = kubeconfig
        .auth_infos
        .iter()
        .find(|u| u.name == user_name)
        .and_then(|u| u.auth_info.as_ref());
    let server = cluster.and_then(|c| c.server.clone()).unwrap_or_default();
    match (cluster, user) {
        (None, _) => {
            findings.checks.push(Check::fail(
                "kubeconfig.context",
                format!(
                    "context '{name}' names cluster '{}', which is not in the kubeconfig: {login}",
                    context.cluster
                ),
            ));
            return findings;
        }
        (Some(_), _) if server.is_empty() => {
            findings.checks.push(Check::fail(
                "kubeconfig.context",
                format!("cluster '{}' has no server URL: {login}", context.cluster),
            ));
            return findings;
        }
        (Some(_), None) => {
            findings.checks.push(Check::fail(
                "kubeconfig.context",
                format!(
                    "context '{name}' names user '{user_name}', which is not in the kubeconfig: {login}"
                ),
            ));
            return findings;
        }
        (Some(_), Some(_)) => findings.checks.push(Check::pass(
            "kubeconfig.context",
            format!(
                "context '{name}': cluster '{}' at {server}, user '{user_name}'",
                context.cluster
            ),
        )),
    }
    findings.server = Some(server);

    let user_check = check_exec(&site, &user_name, user.and_then(|u| u.exec.as_ref()));
    findings.usable = user_check.result != Outcome::Fail;
    findings.checks.push(user_check);
    findings
}

/// Whether the kubeconfig user runs `ike credential --site <site>` from an executable file.
fn check_exec(site: &str, user: &str, exec: Option<&kube::config::ExecConfig>) -> Check {
    const CHECK: &str = "kubeconfig.user";
    let login = format!("run 'ike login --site {site}' to write it again");
    let Some(exec) = exec else {
        return Check::fail(
            CHECK,
            format!("user '{user}' does not run ike's credential plugin: {login}"),
        );
    };
    let command = exec.command.clone().unwrap_or_default();
    let args = exec.args.clone().unwrap_or_default();
    let for_site = args.first().map(String::as_str) == Some("credential")
        && (args.windows(2).any(|w| w[0] == "--site" && w[1] == site)
            || args.iter().any(|a| *a == format!("--site={site}")));
    let runs = format!("{command} {}", args.join(" "));
    if command.is_empty() || !for_site {
        return Check::fail(
            CHECK,
            format!(
                "user '{user}' runs '{}', not 'ike credential --site {site}': {login}",
                runs.trim()
            ),
        );
    }
    if !command.contains('/') {
        return Check::warn(
            CHECK,
            format!(
                "user '{user}' runs '{runs}', looked up in PATH each time: {login} with an absolute path"
            ),
        );
    }
    let path = Path::new(&command);
    match std::fs::metadata(path) {
        Err(_) => Check::fail(
            CHECK,
            format!("the credential plugin {command} does not exist: {login}"),
        ),
        Ok(meta) if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 => Check::fail(
            CHECK,
            format!("the credential plugin {command} is not an executable file: {login}"),
        ),
        Ok(_) => Check::pass(CHECK, format!("user '{user}' runs {runs}")),
    }
}

/// Whether the kubeconfig files are private (kubectl and ike write them 0600).
fn check_modes(files: &[&PathBuf]) -> Check {
    const CHECK: &str = "kubeconfig.mode";
    let mut open = Vec::new();
    for file in files {
        match std::fs::metadata(file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                open.push(format!(
                    "{} is {:04o}",
                    file.display(),
                    meta.permissions().mode() & 0o777
                ));
            }
            Ok(_) => {}
            Err(e) => open.push(format!("{}: {e}", file.display())),
        }
    }
    if open.is_empty() {
        Check::pass(CHECK, "only you can read the kubeconfig")
    } else {
        let paths = files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        Check::warn(
            CHECK,
            format!(
                "{}: others can read it; run 'chmod 600 {paths}'",
                open.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::doctor::Outcome;
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    // --- kubeconfig checks on real files ---

    struct Home {
        dir: tempfile::TempDir,
    }

    impl Home {
        fn new() -> Self {
            Self {
                dir: tempfile::tempdir().unwrap(),
            }
        }
        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }
        /// An executable standing in for ike.
        fn ike(&self) -> PathBuf {
            let path = self.path("ike");
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        }
        fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
            let path = self.path(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        }
    }

    fn kubeconfig(command: &str, args: &str) -> String {
        format!(
            "apiVersion: v1
kind: Config
current-context: ike-tokyo
clusters:
- name: ike-tokyo
  cluster:
    server: https://127.0.0.1:6443
users:
- name: ike-tokyo
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: {command}
      args: {args}
      interactiveMode: Never
contexts:
- name: ike-tokyo
  context:
    cluster: ike-tokyo
    user: ike-tokyo
"
        )
    }

    fn results(findings: &KubeconfigFindings) -> Vec<(&str, Outcome)> {
        findings
            .checks
            .iter()
            .map(|c| (c.check.as_str(), c.result))
            .collect()
    }

    const IKE_ARGS: &str = "[credential, --site, tokyo]";

    #[test]
    fn a_kubeconfig_written_by_ike_login_passes() {
        let home = Home::new();
        let ike = home.ike();
        let config = home.write(
            "config",
            &kubeconfig(&ike.display().to_string(), IKE_ARGS),
            0o600,
        );
        let found = check_kubeconfig(&[home.path("missing"), config], None);
        assert_eq!(
            results(&found),
            [
                ("kubeconfig.files", Outcome::Pass),
                ("kubeconfig.mode", Outcome::Pass),
                ("kubeconfig.context", Outcome::Pass),
                ("kubeconfig.user", Outcome::Pass),
            ],
            "{:#?}",
            found.checks
        );
        assert_eq!(found.site.as_deref(), Some("tokyo"));
        assert_eq!(found.server.as_deref(), Some("https://127.0.0.1:6443"));
        assert!(found.usable);
    }

    #[test]
    fn a_kubeconfig_others_can_read_is_a_warning() {
        let home = Home::new();
        let ike = home.ike();
        let config = home.write(
            "config",
            &kubeconfig(&ike.display().to_string(), IKE_ARGS),
            0o644,
        );
        let found = check_kubeconfig(std::slice::from_ref(&config), None);
        let mode = &found.checks[1];
        assert_eq!(
            (mode.check.as_str(), mode.result),
            ("kubeconfig.mode", Outcome::Warn)
        );
        assert!(mode.detail.contains("is 0644"), "{}", mode.detail);
        assert!(mode.detail.contains("chmod 600"), "{}", mode.detail);
        assert!(found.usable);
    }

    #[test]
    fn a_missing_or_broken_kubeconfig_fails() {
        let home = Home::new();
        let found = check_kubeconfig(&[home.path("nothing")], Some("tokyo"));
        assert_eq!(results(&found), [("kubeconfig.files", Outcome::Fail)]);
        assert!(found.checks[0].detail.contains("ike login"));
        assert_eq!(found.site.as_deref(), Some("tokyo"));
        assert!(!found.usable);

        let broken = home.write("broken", "clusters: [unclosed\n", 0o600);
        let found = check_kubeconfig(&[broken], None);
        assert_eq!(
            results(&found),
            [
                ("kubeconfig.files", Outcome::Fail),
                ("kubeconfig.mode", Outcome::Pass)
            ]
        );
        assert!(
            found.checks[0].detail.contains("broken"),
            "{}",
            found.checks[0].detail
        );
        assert!(!found.usable);
    }

    #[test]
    fn a_missing_context_cluster_or_user_fails() {
        let home = Home::new();
        let ike = home.ike().display().to_string();
        let good = kubeconfig(&ike, IKE_ARGS);
        let config = home.write("config", &good, 0o600);
        let found = check_kubeconfig(std::slice::from_ref(&config), Some("osaka"));
        assert_eq!(found.checks[2].result, Outcome::Fail);
        assert!(
            found.checks[2].detail.contains("no context 'ike-osaka'"),
            "{}",
            found.checks[2].detail
        );
        assert!(!found.usable);

        for (from, to, expected) in [
            (
                "    cluster: ike-tokyo\n    user",
                "    cluster: gone\n    user",
                "cluster 'gone'",
            ),
            (
                "    user: ike-tokyo\n",
                "    user: nobody\n",
                "user 'nobody'",
            ),
            (
                "current-context: ike-tokyo",
                "current-context: kind-kind",
                "not an ike site",
            ),
        ] {
            let config = home.write("config", &good.replace(from, to), 0o600);
            let found = check_kubeconfig(std::slice::from_ref(&config), None);
            let context = &found.checks[2];
            assert_eq!(context.result, Outcome::Fail, "{to}: {:#?}", found.checks);
            assert!(context.detail.contains(expected), "{}", context.detail);
            assert!(!found.usable);
        }
    }

    #[test]
    fn the_user_must_run_ikes_credential_plugin_from_an_executable() {
        let home = Home::new();
        let ike = home.ike().display().to_string();
        let not_executable = home
            .write("not-executable", "", 0o644)
            .display()
            .to_string();
        let missing = home.path("missing-ike").display().to_string();
        for (command, args, result, expected) in [
            (
                ike.as_str(),
                "[credential, --site, osaka]",
                Outcome::Fail,
                "not 'ike credential --site tokyo'",
            ),
            (
                "aws",
                "[eks, get-token]",
                Outcome::Fail,
                "runs 'aws eks get-token'",
            ),
            (missing.as_str(), IKE_ARGS, Outcome::Fail, "does not exist"),
            (
                not_executable.as_str(),
                IKE_ARGS,
                Outcome::Fail,
                "not an executable",
            ),
            ("ike", IKE_ARGS, Outcome::Warn, "looked up in PATH"),
        ] {
            let config = home.write("config", &kubeconfig(command, args), 0o600);
            let found = check_kubeconfig(std::slice::from_ref(&config), None);
            let user = &found.checks[3];
            assert_eq!(
                (user.check.as_str(), user.result),
                ("kubeconfig.user", result),
                "{command} {args}: {}",
                user.detail
            );
            assert!(user.detail.contains(expected), "{}", user.detail);
            assert_eq!(found.usable, result != Outcome::Fail);
        }

        // A user with embedded credentials instead of the plugin.
        let embedded =
            kubeconfig(&ike, IKE_ARGS).replace("    exec:\n", "    token: abc\n    exec-was:\n");
        let config = home.write("config", &embedded, 0o600);
        let found = check_kubeconfig(std::slice::from_ref(&config), None);
        assert_eq!(found.checks[3].result, Outcome::Fail);
        assert!(
            found.checks[3]
                .detail
                .contains("does not run ike's credential plugin")
        );
    }

    #[test]
    fn a_relative_plugin_path_resolves_against_the_kubeconfig_like_kubectl() {
        let home = Home::new();
        home.ike();
        let config = home.write("config", &kubeconfig("./ike", IKE_ARGS), 0o600);
        let found = check_kubeconfig(&[config], None);
        assert_eq!(
            found.checks[3].result,
            Outcome::Pass,
            "{}",
            found.checks[3].detail
        );
    }
}
