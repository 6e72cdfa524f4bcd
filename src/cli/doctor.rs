//! `ike doctor`: what the caller may and may not do, checked from the caller's own viewpoint.
//!
//! Every check runs with the caller's own kubeconfig, certificate and site files, the way
//! kubectl and ike would use them, and ends as one row: pass, warn, fail or skip, with one line
//! saying what was found and, when it is not a pass, what to do. The command fails (exit 1) when
//! any check fails; warnings and skips do not.
//!
//! Nothing is changed on the cluster: pods are created with server-side dry run, and access is
//! asked with SelfSubjectAccessReviews (Kubernetes 1.20 has no SelfSubjectReview). Every network
//! call is bounded by [`TIMEOUT`], and a check that needs an earlier one that failed is skipped
//! rather than waited for.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Args;
use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{
    Container, HostPathVolumeSource, Namespace, Pod, PodSpec, SecurityContext, Volume, VolumeMount,
};
use kube::api::{Api, ListParams, ObjectMeta, PostParams};
use kube::config::Kubeconfig;
use serde::Serialize;

use super::OutputArgs;
use crate::api::wire::WhoamiResponse;
use crate::api::{Role, Tenant};
use crate::consts::{CLI_MANAGER, TENANT_LABEL, context_name};
use crate::credentials::{Freshness, rfc3339};
use crate::output::Tabular;
use crate::settings::Settings;

/// The longest any one network call may take.
pub const TIMEOUT: Duration = crate::credentials::TIMEOUT;

/// Clock skew beyond this is worth a warning: logs and expiry times stop lining up.
const SKEW_WARN: Duration = Duration::from_secs(5);

/// Clock skew beyond this fails. Certificates start 5 minutes before they are issued
/// ([`crate::pki::CLOCK_SKEW`]), so a minute is still safe for them, but a clock that far off is
/// broken, and the margin shrinks to nothing long before a new certificate looks "not yet
/// valid" here.
const SKEW_FAIL: Duration = Duration::from_secs(60);

/// The longest server message quoted in a detail.
const MAX_MESSAGE: usize = 200;

/// The longest detail.
const MAX_DETAIL: usize = 300;

/// The image of the dry-run pods. Never pulled: nothing is created.
const PROBE_IMAGE: &str = "registry.k8s.io/pause:3.9";

/// Arguments of `ike doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The namespace to try pods in (default: -n, else the first namespace of your first
    /// tenant).
    #[arg(long, value_name = "NAMESPACE")]
    pub tenant_namespace: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// As it should be.
    Pass,
    /// Works, but something should be fixed.
    Warn,
    /// Broken, or not as safe as it should be.
    Fail,
    /// Not run: an earlier check failed or there was nothing to check.
    Skip,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }
}

/// One check and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. `pod.host-path`.
    pub check: String,
    /// How it ended.
    pub result: Outcome,
    /// One line: what was found and, unless it passed, what to do.
    pub detail: String,
}

impl Check {
    /// A check; the detail is folded onto one line and shortened.
    pub fn new(check: &str, result: Outcome, detail: impl AsRef<str>) -> Self {
        Self {
            check: check.to_string(),
            result,
            detail: one_line(detail.as_ref(), MAX_DETAIL),
        }
    }
    fn pass(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Pass, detail)
    }
    fn warn(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Warn, detail)
    }
    fn fail(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Fail, detail)
    }
    fn skip(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Skip, detail)
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Report(pub Vec<Check>);

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.0.iter().any(|c| c.result == Outcome::Fail)
    }

    /// 0 when nothing failed, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        if self.failed() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

impl Tabular for Report {
    fn headers(&self) -> Vec<&'static str> {
        vec!["check", "result", "detail"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|c| {
                vec![
                    c.check.clone(),
                    c.result.as_str().to_string(),
                    c.detail.clone(),
                ]
            })
            .collect()
    }
}

/// Runs `ike doctor`.
pub fn run(args: DoctorArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let report = super::runtime()?.block_on(diagnose(&args, settings));
    super::print(args.output.format, &report, settings)?;
    Ok(report.exit_code())
}

/// Folds `text` onto one line (every run of whitespace becomes one space) and cuts it to `max`
/// characters, ending with `…` when cut.
pub fn one_line(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Splits an API server refusal by an admission webhook into (webhook, its message).
pub fn webhook_refusal(message: &str) -> Option<(&str, &str)> {
    let rest = message
        .split_once("admission webhook \"")
        .map(|(_, rest)| rest)?;
    let (webhook, rest) = rest.split_once('"')?;
    let (_, said) = rest.split_once("denied the request:")?;
    Some((webhook, said.trim()))
}

// --- 1. kubeconfig ---

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
        crate::kubeconfig::load(paths).map_err(|e| error_chain(&e))
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

    let site = match site {
        Some(site) => site.to_string(),
        None => match kubeconfig.current_context.as_deref() {
            None | Some("") => {
                findings.checks.push(Check::fail(
                    "kubeconfig.context",
                    "no current context and no --site: pass --site SITE",
                ));
                return findings;
            }
            Some(current) => match current.strip_prefix(crate::consts::CONTEXT_PREFIX) {
                Some(site) if !site.is_empty() => site.to_string(),
                _ => {
                    findings.checks.push(Check::fail(
                        "kubeconfig.context",
                        format!("the current context '{current}' is not an ike site: pass --site SITE or run 'kubectl config use-context ike-SITE'"),
                    ));
                    return findings;
                }
            },
        },
    };
    if let Err(e) = crate::sites::validate_name(&site) {
        findings
            .checks
            .push(Check::fail("kubeconfig.context", e.to_string()));
        return findings;
    }
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

// --- 2. certificate ---

/// Judges the site's certificate at `now`: it parses, names `account`, and is valid.
pub fn judge_certificate(cert_pem: &str, account: &str, site: &str, now: SystemTime) -> Check {
    const CHECK: &str = "certificate";
    let relogin = format!("run 'ike login --site {site} --token TOKEN' with a new token");
    let info = match crate::pki::cert_info(cert_pem) {
        Ok(info) => info,
        Err(e) => {
            return Check::fail(
                CHECK,
                format!(
                    "cannot read your certificate ({}): {relogin}",
                    error_chain(&e)
                ),
            );
        }
    };
    let cn = info.common_name.clone().unwrap_or_default();
    if cn != account {
        return Check::fail(
            CHECK,
            format!("the certificate is for CN={cn:?}, not account {account:?}: {relogin}"),
        );
    }
    let expires = rfc3339(info.not_after);
    match crate::credentials::freshness(info.not_before, info.not_after, now, None) {
        Freshness::Expired if now < info.not_before => Check::fail(
            CHECK,
            format!(
                "not valid before {}: this machine's clock is behind",
                rfc3339(info.not_before)
            ),
        ),
        Freshness::Expired => Check::fail(CHECK, format!("expired at {expires}: {relogin}")),
        Freshness::RenewalDue => Check::warn(
            CHECK,
            format!(
                "CN={cn}, expires {expires} (in {}): renewal is due; the next kubectl or ike call renews it",
                human(info.not_after.duration_since(now).unwrap_or_default())
            ),
        ),
        Freshness::Fresh if !info.organizations.is_empty() => Check::warn(
            CHECK,
            format!(
                "CN={cn} also carries groups O={} that ike never issues: {relogin}",
                info.organizations.join(",")
            ),
        ),
        Freshness::Fresh => Check::pass(
            CHECK,
            format!(
                "CN={cn}, serial {}, expires {expires} (in {})",
                info.serial,
                human(info.not_after.duration_since(now).unwrap_or_default())
            ),
        ),
    }
}

/// A duration as people read it: `11h 59m`, `4m 10s`, `12s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86400, s % 86400 / 3600),
    }
}

// --- 3. clock ---

/// Parses an HTTP `Date` header (IMF-fixdate, RFC 9110), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(value.trim(), format)
        .ok()
        .map(|t| t.assume_utc().into())
}

/// Judges the clock from the API server's `Date` header and the local time the answer came at.
/// The header has whole seconds, so the server's time is taken as the middle of its second.
pub fn judge_clock(date: Option<&str>, local: SystemTime) -> Check {
    const CHECK: &str = "clock";
    let Some(date) = date else {
        return Check::warn(
            CHECK,
            "the API server sent no Date header: cannot compare clocks",
        );
    };
    let Some(server) = parse_http_date(date) else {
        return Check::warn(
            CHECK,
            format!("cannot read the API server's Date header {date:?}"),
        );
    };
    let server = server + Duration::from_millis(500);
    let (skew, direction) = match local.duration_since(server) {
        Ok(ahead) => (ahead, "ahead of"),
        Err(behind) => (behind.duration(), "behind"),
    };
    let amount = format!("{:.1}s", skew.as_secs_f64());
    if skew > SKEW_FAIL {
        Check::fail(
            CHECK,
            format!(
                "this machine's clock is {amount} {direction} the API server's: certificate expiry and renewal go wrong; sync it (e.g. with NTP)"
            ),
        )
    } else if skew > SKEW_WARN {
        Check::warn(
            CHECK,
            format!(
                "this machine's clock is {amount} {direction} the API server's: sync it (e.g. with NTP)"
            ),
        )
    } else {
        Check::pass(CHECK, format!("within {amount} of the API server's clock"))
    }
}

// --- 5. pods ---

/// The pods tried with a server-side dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Nothing special: a tenant should be able to run it.
    Ordinary,
    /// Mounts the node's root directory.
    HostPath,
    /// Uses the node's network namespace.
    HostNetwork,
    /// A privileged container.
    Privileged,
}

impl Probe {
    /// Every probe, in the order they are reported.
    pub const ALL: [Probe; 4] = [
        Probe::Ordinary,
        Probe::HostPath,
        Probe::HostNetwork,
        Probe::Privileged,
    ];

    fn check(self) -> &'static str {
        match self {
            Probe::Ordinary => "pod.ordinary",
            Probe::HostPath => "pod.host-path",
            Probe::HostNetwork => "pod.host-network",
            Probe::Privileged => "pod.privileged",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Probe::Ordinary => "an ordinary pod",
            Probe::HostPath => "a pod with a hostPath volume",
            Probe::HostNetwork => "a pod with hostNetwork",
            Probe::Privileged => "a pod with a privileged container",
        }
    }

    /// The pod tried in `namespace`.
    pub fn pod(self, namespace: &str) -> Pod {
        let mut container = Container {
            name: "probe".into(),
            image: Some(PROBE_IMAGE.into()),
            ..Container::default()
        };
        let mut spec = PodSpec {
            automount_service_account_token: Some(false),
            ..PodSpec::default()
        };
        match self {
            Probe::Ordinary => {}
            Probe::HostPath => {
                spec.volumes = Some(vec![Volume {
                    name: "host".into(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/".into(),
                        type_: None,
                    }),
                    ..Volume::default()
                }]);
                container.volume_mounts = Some(vec![VolumeMount {
                    name: "host".into(),
                    mount_path: "/host".into(),
                    read_only: Some(true),
                    ..VolumeMount::default()
                }]);
            }
            Probe::HostNetwork => spec.host_network = Some(true),
            Probe::Privileged => {
                container.security_context = Some(SecurityContext {
                    privileged: Some(true),
                    ..SecurityContext::default()
                });
            }
        }
        spec.containers = vec![container];
        Pod {
            metadata: ObjectMeta {
                generate_name: Some("ike-doctor-".into()),
                namespace: Some(namespace.into()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        }
    }
}

/// How a request the API server was asked to do ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Allowed.
    Allowed,
    /// Refused with an API status.
    Refused {
        /// The HTTP status code.
        code: u16,
        /// The status message.
        message: String,
    },
    /// No answer (transport error or timeout).
    NoAnswer(String),
}

/// Whether a refusal message is a policy that keeps pods off the host: an admission webhook, Pod
/// Security Admission, or the API server's own `--allow-privileged=false`.
fn host_policy(message: &str) -> Option<String> {
    if let Some((webhook, said)) = webhook_refusal(message) {
        return Some(format!(
            "refused by webhook {webhook}: {}",
            one_line(said, MAX_MESSAGE)
        ));
    }
    if message.contains("violates PodSecurity") || message.contains("disallowed by cluster policy")
    {
        return Some(format!("refused: {}", one_line(message, MAX_MESSAGE)));
    }
    None
}

/// Judges one dry-run pod in `namespace`. `may_create` is whether RBAC lets the caller create
/// pods there: without it every pod is refused before admission, as expected. `tenant` is
/// whether `namespace` is a tenant's: host isolation applies only there.
pub fn judge_probe(
    probe: Probe,
    namespace: &str,
    may_create: bool,
    tenant: bool,
    attempt: &Attempt,
) -> Check {
    let check = probe.check();
    let what = probe.what();
    match (probe, attempt) {
        (_, Attempt::NoAnswer(e)) => Check::fail(check, format!("no answer: {e}")),
        (Probe::Ordinary, Attempt::Allowed) if may_create => Check::pass(
            check,
            format!("{what} is allowed in {namespace} (server-side dry run)"),
        ),
        (Probe::Ordinary, Attempt::Allowed) => Check::fail(
            check,
            format!("{what} is allowed in {namespace} although RBAC says you may not create pods"),
        ),
        (Probe::Ordinary, Attempt::Refused { message, .. }) if may_create => Check::fail(
            check,
            format!(
                "{what} is refused in {namespace}: {}",
                one_line(message, MAX_MESSAGE)
            ),
        ),
        (_, Attempt::Refused { code, .. }) if !may_create => Check::pass(
            check,
            format!(
                "forbidden (HTTP {code}): your role in {namespace} may not create pods{}",
                if probe == Probe::Ordinary {
                    ""
                } else {
                    ", so host isolation cannot be tried from this account"
                }
            ),
        ),
        (_, Attempt::Allowed) if !tenant => Check::warn(
            check,
            format!(
                "{what} is allowed in {namespace}, which is not a tenant namespace (server-side dry run)"
            ),
        ),
        (_, Attempt::Allowed) => Check::fail(
            check,
            format!(
                "host isolation is not enforced: {what} is allowed in {namespace} (server-side dry run)"
            ),
        ),
        (_, Attempt::Refused { code, message }) => match host_policy(message) {
            Some(refusal) => Check::pass(check, refusal),
            None => Check::warn(
                check,
                format!(
                    "refused (HTTP {code}) for another reason, so host isolation was not tried: {}",
                    one_line(message, MAX_MESSAGE)
                ),
            ),
        },
    }
}

// --- 6. and 7. access reviews ---

/// The answer to a SelfSubjectAccessReview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Allowed.
    Yes,
    /// Denied.
    No,
    /// The review itself failed (refused or no answer): why.
    Unknown(String),
}

/// Judges a SelfSubjectAccessReview that should be denied. `admin` is whether the caller is a
/// platform admin (`None`: unknown), for whom everything is allowed.
pub fn judge_denied(check: &str, what: &str, admin: Option<bool>, answer: &Answer) -> Check {
    match answer {
        Answer::No => Check::pass(check, format!("denied: you may not {what}")),
        Answer::Unknown(e) => Check::fail(check, format!("cannot ask whether you may {what}: {e}")),
        Answer::Yes if admin == Some(true) => {
            Check::pass(check, format!("admin: allowed to {what}"))
        }
        Answer::Yes => Check::fail(
            check,
            format!(
                "you may {what}, and you are {}: tell a platform admin",
                if admin.is_none() {
                    "perhaps not an admin"
                } else {
                    "not an admin"
                }
            ),
        ),
    }
}

/// One access review: whether the caller may `verb` `resource` (of `group`) in `namespace`.
struct Access<'a> {
    verb: &'a str,
    group: &'a str,
    resource: &'a str,
    namespace: Option<&'a str>,
}

impl Access<'_> {
    async fn ask(&self, client: &kube::Client) -> Answer {
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(self.verb.into()),
                    group: Some(self.group.into()),
                    resource: Some(self.resource.into()),
                    namespace: self.namespace.map(String::from),
                    ..ResourceAttributes::default()
                }),
                non_resource_attributes: None,
            },
            ..SelfSubjectAccessReview::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
        match timed(api.create(&PostParams::default(), &review)).await {
            Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => Answer::Yes,
            Ok(_) => Answer::No,
            Err(e) => Answer::Unknown(attempt_text(&e)),
        }
    }
}

// --- running them ---

/// Runs `call` with [`TIMEOUT`], turning every failure into an [`Attempt`].
async fn timed<T>(call: impl Future<Output = Result<T, kube::Error>>) -> Result<T, Attempt> {
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(kube::Error::Api(status))) => Err(Attempt::Refused {
            code: status.code,
            message: status.message,
        }),
        Ok(Err(e)) => Err(Attempt::NoAnswer(error_chain(&e))),
        Err(_) => Err(Attempt::NoAnswer(format!(
            "no answer within {} s",
            TIMEOUT.as_secs()
        ))),
    }
}

/// An error and its sources on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    one_line(&out, MAX_MESSAGE)
}

/// Why a kube client could not be made; for a failed credential plugin, what it said.
fn client_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(kube::client::AuthError::AuthExecRun { out, .. }) = e.downcast_ref() {
            let said = String::from_utf8_lossy(&out.stderr);
            let said = said.trim();
            return format!(
                "the credential plugin failed: {}",
                one_line(said.strip_prefix("error: ").unwrap_or(said), MAX_MESSAGE)
            );
        }
        current = e.source();
    }
    error_chain(error)
}

/// A kube client for the site, as kubectl would connect: the `ike-<site>` context.
async fn kube_client(settings: &Settings, site: &str) -> Result<kube::Client, String> {
    let mut settings = settings.clone();
    settings.site = Some(site.to_string());
    let (mut config, _) = crate::kubeconfig::client_config(&settings)
        .await
        .map_err(|e| client_error(&e))?;
    config.connect_timeout = Some(TIMEOUT);
    config.read_timeout = Some(TIMEOUT);
    config.write_timeout = Some(TIMEOUT);
    kube::Client::try_from(config).map_err(|e| client_error(&e))
}

/// The API server's answer to `GET /version`, read raw for its `Date` header.
struct VersionAnswer {
    status: u16,
    date: Option<String>,
    body: Vec<u8>,
    /// Local time halfway between sending and receiving.
    local: SystemTime,
}

async fn get_version(client: &kube::Client) -> Result<VersionAnswer, String> {
    let request = hyper::Request::get("/version")
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    let sent = SystemTime::now();
    let exchange = async {
        let response = client.send(request).await?;
        let received = SystemTime::now();
        let status = response.status().as_u16();
        let date = response
            .headers()
            .get(hyper::header::DATE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let body = response.into_body().collect_bytes().await?;
        Ok::<_, kube::Error>((status, date, body.to_vec(), received))
    };
    match tokio::time::timeout(TIMEOUT, exchange).await {
        Ok(Ok((status, date, body, received))) => Ok(VersionAnswer {
            status,
            date,
            body,
            local: sent + received.duration_since(sent).unwrap_or_default() / 2,
        }),
        Ok(Err(e)) => Err(error_chain(&e)),
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

/// Judges the API server's answer to `GET /version`.
fn judge_version(answer: &VersionAnswer, server: &str, site: &str) -> Check {
    const CHECK: &str = "api-server";
    if (200..300).contains(&answer.status) {
        let version =
            serde_json::from_slice::<k8s_openapi::apimachinery::pkg::version::Info>(&answer.body)
                .map(|i| i.git_version)
                .unwrap_or_else(|_| "an unknown version".into());
        return Check::pass(CHECK, format!("{server} answers: Kubernetes {version}"));
    }
    let message = serde_json::from_slice::<kube::core::Status>(&answer.body)
        .map(|s| s.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(&answer.body).into_owned());
    let hint = if answer.status == 401 {
        format!(": your certificate was refused; run 'ike login --site {site}'")
    } else {
        String::new()
    };
    Check::fail(
        CHECK,
        format!(
            "{server} answered HTTP {}: {}{hint}",
            answer.status,
            one_line(&message, MAX_MESSAGE)
        ),
    )
}

async fn whoami(files: &crate::sites::SiteFiles) -> Result<WhoamiResponse, String> {
    let client = crate::credentials::client(files).map_err(|e| error_chain(&e))?;
    // The client bounds each exchange by TIMEOUT itself; this also bounds connecting.
    match tokio::time::timeout(TIMEOUT + Duration::from_secs(1), client.whoami()).await {
        Ok(answer) => answer.map_err(|e| error_chain(&e)),
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

fn judge_whoami(answer: &Result<WhoamiResponse, String>, url: &str, site: &str) -> Check {
    const CHECK: &str = "account-api";
    match answer {
        Err(e) => Check::fail(
            CHECK,
            format!(
                "{url} does not answer whoami: {e}; if your certificate expired, run 'ike login --site {site}'"
            ),
        ),
        Ok(who) if who.disabled => Check::fail(
            CHECK,
            format!(
                "your account {} is disabled: ask a platform admin",
                who.account
            ),
        ),
        Ok(who) => {
            let tenants = if who.tenants.is_empty() {
                "no tenant".to_string()
            } else {
                who.tenants
                    .iter()
                    .map(|t| format!("{} ({})", t.tenant, role_name(t.role)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Check::pass(
                CHECK,
                format!(
                    "{url} knows you as {}{}, {tenants}",
                    who.account,
                    if who.admin { " (admin)" } else { "" }
                ),
            )
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Member => "member",
        Role::Viewer => "viewer",
    }
}

/// The namespace to try pods in, with its tenant label.
struct Target {
    namespace: String,
    tenant: Option<String>,
}

/// Finds the namespace to try pods in: the one asked for, else the first namespace of the
/// caller's first tenant. `Err` is the row to report instead.
async fn find_target(
    client: &kube::Client,
    asked: Option<&str>,
    who: Option<&WhoamiResponse>,
) -> Result<Target, Check> {
    const CHECK: &str = "tenant-namespace";
    let namespace = match asked {
        Some(ns) => ns.to_string(),
        None => {
            let Some(who) = who else {
                return Err(Check::skip(
                    CHECK,
                    "your tenants are unknown (the account API did not answer): pass --tenant-namespace NAMESPACE",
                ));
            };
            let Some(first) = who.tenants.first() else {
                return Err(Check::skip(
                    CHECK,
                    "you belong to no tenant: ask a tenant owner to add you, or pass --tenant-namespace NAMESPACE",
                ));
            };
            let tenants: Api<Tenant> = Api::all(client.clone());
            let tenant = timed(tenants.get(&first.tenant)).await.map_err(|e| {
                Check::fail(
                    CHECK,
                    format!("cannot read tenant {}: {}", first.tenant, attempt_text(&e)),
                )
            })?;
            let held = tenant
                .status
                .as_ref()
                .and_then(|s| s.namespaces.first().cloned());
            match held.or_else(|| tenant.spec.namespaces.first().cloned()) {
                Some(ns) => ns,
                None => {
                    return Err(Check::skip(
                        CHECK,
                        format!(
                            "tenant {} holds no namespace yet: pass --tenant-namespace NAMESPACE",
                            first.tenant
                        ),
                    ));
                }
            }
        }
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let found = timed(namespaces.get(&namespace)).await.map_err(|e| {
        Check::fail(
            CHECK,
            format!("cannot read namespace {namespace}: {}", attempt_text(&e)),
        )
    })?;
    let tenant = found
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(TENANT_LABEL).cloned());
    Ok(Target { namespace, tenant })
}

fn attempt_text(attempt: &Attempt) -> String {
    match attempt {
        Attempt::Allowed => "allowed".into(),
        Attempt::Refused { code, message } => {
            format!("HTTP {code}: {}", one_line(message, MAX_MESSAGE))
        }
        Attempt::NoAnswer(e) => e.clone(),
    }
}

fn judge_target(target: &Target, who: Option<&WhoamiResponse>) -> Check {
    const CHECK: &str = "tenant-namespace";
    let ns = &target.namespace;
    match &target.tenant {
        None => Check::warn(
            CHECK,
            format!(
                "{ns} is not a tenant namespace (no {TENANT_LABEL} label): host isolation does not apply there"
            ),
        ),
        Some(tenant) => {
            let role = who
                .and_then(|w| w.tenants.iter().find(|t| &t.tenant == tenant))
                .map(|t| format!("your role: {}", role_name(t.role)))
                .unwrap_or_else(|| "you are not a member".into());
            Check::pass(CHECK, format!("{ns} of tenant {tenant} ({role})"))
        }
    }
}

async fn try_pods(client: &kube::Client, target: &Target) -> Vec<Check> {
    let ns = target.namespace.as_str();
    let may_create = Access {
        verb: "create",
        group: "",
        resource: "pods",
        namespace: Some(ns),
    }
    .ask(client)
    .await;
    let may_create = match may_create {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Unknown(e) => {
            return vec![Check::fail(
                "pod",
                format!("cannot ask whether you may create pods in {ns}: {e}"),
            )];
        }
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let params = PostParams {
        dry_run: true,
        field_manager: Some(CLI_MANAGER.into()),
    };
    let attempts = join_all(Probe::ALL.map(|probe| {
        let pods = pods.clone();
        let params = params.clone();
        async move {
            match timed(pods.create(&params, &probe.pod(ns))).await {
                Ok(_) => Attempt::Allowed,
                Err(e) => e,
            }
        }
    }))
    .await;
    Probe::ALL
        .iter()
        .zip(&attempts)
        .map(|(probe, attempt)| {
            judge_probe(*probe, ns, may_create, target.tenant.is_some(), attempt)
        })
        .collect()
}

/// Another tenant's namespace the caller should not reach, checked with access reviews.
async fn try_other_tenant(
    client: &kube::Client,
    who: Option<&WhoamiResponse>,
    own: Option<&str>,
) -> Vec<Check> {
    const CHECK: &str = "other-tenant";
    let Some(who) = who else {
        return vec![Check::skip(
            CHECK,
            "cannot tell which tenants are yours (the account API did not answer)",
        )];
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let list = match timed(namespaces.list(&ListParams::default().labels(TENANT_LABEL))).await {
        Ok(list) => list,
        Err(e) => {
            return vec![Check::skip(
                CHECK,
                format!("cannot list namespaces to find one: {}", attempt_text(&e)),
            )];
        }
    };
    let mut others: Vec<(String, String)> = list
        .items
        .iter()
        .filter_map(|ns| {
            let name = ns.metadata.name.clone()?;
            let tenant = ns.metadata.labels.as_ref()?.get(TENANT_LABEL)?.clone();
            let mine = who.tenants.iter().any(|t| t.tenant == tenant);
            (!mine && Some(name.as_str()) != own && ns.metadata.deletion_timestamp.is_none())
                .then_some((name, tenant))
        })
        .collect();
    others.sort();
    let Some((ns, tenant)) = others.into_iter().next() else {
        return vec![Check::skip(
            CHECK,
            "no other tenant's namespace on this site to try",
        )];
    };
    let asks = [
        ("get", "pods"),
        ("list", "pods"),
        ("get", "secrets"),
        ("list", "secrets"),
    ];
    let answers = join_all(asks.map(|(verb, resource)| {
        let ns = ns.as_str();
        async move {
            Access {
                verb,
                group: "",
                resource,
                namespace: Some(ns),
            }
            .ask(client)
            .await
        }
    }))
    .await;
    asks.iter()
        .zip(&answers)
        .map(|((verb, resource), answer)| {
            judge_denied(
                &format!("{CHECK}.{verb}-{resource}"),
                &format!("{verb} {resource} in {ns} of tenant {tenant}"),
                Some(who.admin),
                answer,
            )
        })
        .collect()
}

async fn try_cluster_writes(client: &kube::Client, admin: Option<bool>) -> Vec<Check> {
    let asks = [
        ("", "namespaces"),
        ("storage.k8s.io", "storageclasses"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
    ];
    let answers = join_all(asks.map(|(group, resource)| async move {
        Access {
            verb: "create",
            group,
            resource,
            namespace: None,
        }
        .ask(client)
        .await
    }))
    .await;
    asks.iter()
        .zip(&answers)
        .map(|((_, resource), answer)| {
            judge_denied(
                &format!("cluster.create-{resource}"),
                &format!("create {resource}"),
                admin,
                answer,
            )
        })
        .collect()
}

async fn diagnose(args: &DoctorArgs, settings: &Settings) -> Report {
    let mut checks = Vec::new();
    let kubeconfig = check_kubeconfig(&settings.kubeconfig_paths, settings.site.as_deref());
    checks.extend(kubeconfig.checks);
    let site = kubeconfig.site;

    // 2. The certificate on disk, before the credential plugin (run below) renews it.
    let files = match &site {
        None => {
            checks.push(Check::skip(
                "certificate",
                "no site to check: pass --site SITE",
            ));
            None
        }
        Some(site) => match settings.sites.load(site) {
            Ok(files) => {
                checks.push(judge_certificate(
                    &files.cert_pem,
                    &files.settings.account,
                    site,
                    SystemTime::now(),
                ));
                Some(files)
            }
            Err(e) => {
                checks.push(Check::fail("certificate", error_chain(&e)));
                None
            }
        },
    };

    // 3. and 4. The API server (with the clock) and the account API, at once.
    let server = kubeconfig.server.clone().unwrap_or_default();
    let cluster = async {
        let Some(site) = site.as_deref().filter(|_| kubeconfig.usable) else {
            return Err("the kubeconfig is not usable (see above)".to_string());
        };
        let client = kube_client(settings, site)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let answer = get_version(&client)
            .await
            .map_err(|e| format!("{server} does not answer: {e}"))?;
        Ok((client, answer))
    };
    let account = async {
        match &files {
            Some(files) => Some(whoami(files).await),
            None => None,
        }
    };
    let (cluster, who) = futures::join!(cluster, account);
    let mut client = None;
    match cluster {
        Ok((c, answer)) => {
            checks.push(judge_clock(answer.date.as_deref(), answer.local));
            let version = judge_version(&answer, &server, site.as_deref().unwrap_or_default());
            if version.result != Outcome::Fail {
                client = Some(c);
            }
            checks.push(version);
        }
        Err(e) => {
            checks.push(Check::skip(
                "clock",
                "the API server was not reached (see api-server)",
            ));
            let result = if kubeconfig.usable {
                Outcome::Fail
            } else {
                Outcome::Skip
            };
            checks.push(Check::new("api-server", result, e));
        }
    }
    match (&who, &files) {
        (Some(answer), Some(files)) => checks.push(judge_whoami(
            answer,
            &files.settings.account_api,
            &files.settings.site,
        )),
        _ => checks.push(Check::skip(
            "account-api",
            "no site files to reach it with (see certificate)",
        )),
    }
    let who = who.and_then(Result::ok);

    // 5., 6. and 7. What the account may do: only with a working API server.
    let Some(client) = client else {
        for check in ["tenant-namespace", "other-tenant", "cluster"] {
            checks.push(Check::skip(
                check,
                "the API server is not usable (see above)",
            ));
        }
        return Report(checks);
    };
    let asked = args
        .tenant_namespace
        .as_deref()
        .or(settings.namespace.as_deref());
    let target = find_target(&client, asked, who.as_ref()).await;
    let (target_checks, own) = match &target {
        Ok(target) => (
            vec![judge_target(target, who.as_ref())],
            Some(target.namespace.as_str()),
        ),
        Err(check) => (vec![check.clone()], None),
    };
    checks.extend(target_checks);
    let pods = async {
        match &target {
            Ok(target) => try_pods(&client, target).await,
            Err(_) => Vec::new(),
        }
    };
    let (pods, other_tenant, cluster) = futures::join!(
        pods,
        try_other_tenant(&client, who.as_ref(), own),
        try_cluster_writes(&client, who.as_ref().map(|w| w.admin)),
    );
    checks.extend(pods);
    checks.extend(other_tenant);
    checks.extend(cluster);
    Report(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Duration = Duration::from_secs(3600);

    fn row(result: Outcome) -> Check {
        Check::new("x", result, "d")
    }

    #[test]
    fn the_exit_code_is_one_only_when_a_check_failed() {
        let ok = Report(vec![
            row(Outcome::Pass),
            row(Outcome::Warn),
            row(Outcome::Skip),
        ]);
        assert!(!ok.failed());
        assert_eq!(ok.exit_code(), ExitCode::SUCCESS);
        let bad = Report(vec![row(Outcome::Pass), row(Outcome::Fail)]);
        assert!(bad.failed());
        assert_eq!(bad.exit_code(), ExitCode::FAILURE);
        assert!(!Report::default().failed());
    }

    #[test]
    fn the_report_is_a_list_of_check_result_detail() {
        let report = Report(vec![Check::pass("clock", "fine"), row(Outcome::Fail)]);
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!([
                {"check": "clock", "result": "pass", "detail": "fine"},
                {"check": "x", "result": "fail", "detail": "d"}
            ])
        );
        assert_eq!(report.headers(), ["check", "result", "detail"]);
        assert_eq!(report.rows()[1], ["x", "fail", "d"]);
    }

    #[test]
    fn messages_are_folded_onto_one_line_and_shortened() {
        assert_eq!(one_line("  a\n b\t\tc \r\n", 80), "a b c");
        assert_eq!(one_line("abcdef", 6), "abcdef");
        assert_eq!(one_line("abcdefg", 6), "abcde…");
        assert_eq!(one_line("ab  cdefg", 4), "ab…");
        // Cut on characters, never inside one.
        assert_eq!(one_line("ééééé", 3), "éé…");
        let detail = Check::fail("x", "line one\nline two").detail;
        assert_eq!(detail, "line one line two");
        assert!(Check::fail("x", "y".repeat(1000)).detail.chars().count() <= MAX_DETAIL);
    }

    #[test]
    fn webhook_refusals_are_split_into_webhook_and_message() {
        let message = "admission webhook \"pods.host-isolation.ike.dev\" denied the request: \
                       ike: pods in tenant namespaces cannot reach the host: hostNetwork is not allowed";
        assert_eq!(
            webhook_refusal(message),
            Some((
                "pods.host-isolation.ike.dev",
                "ike: pods in tenant namespaces cannot reach the host: hostNetwork is not allowed"
            ))
        );
        assert_eq!(
            webhook_refusal("pods \"x\" is forbidden: error looking up service account"),
            None
        );
    }

    #[test]
    fn http_dates_parse_as_utc() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            784_111_777
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn clock_skew_warns_beyond_five_seconds_and_fails_beyond_a_minute() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let server = parse_http_date(date).unwrap() + Duration::from_millis(500);
        let at = |secs: i64| {
            if secs >= 0 {
                server + Duration::from_secs(secs as u64)
            } else {
                server - Duration::from_secs((-secs) as u64)
            }
        };
        assert_eq!(judge_clock(Some(date), at(0)).result, Outcome::Pass);
        assert_eq!(judge_clock(Some(date), at(-5)).result, Outcome::Pass);
        assert_eq!(judge_clock(Some(date), at(6)).result, Outcome::Warn);
        assert_eq!(judge_clock(Some(date), at(-60)).result, Outcome::Warn);
        let behind = judge_clock(Some(date), at(-61));
        assert_eq!(behind.result, Outcome::Fail);
        assert!(behind.detail.contains("61.0s behind"), "{}", behind.detail);
        let ahead = judge_clock(Some(date), at(3600));
        assert!(ahead.detail.contains("ahead of"), "{}", ahead.detail);
        assert_eq!(judge_clock(None, at(0)).result, Outcome::Warn);
        assert_eq!(judge_clock(Some("soon"), at(0)).result, Outcome::Warn);
    }

    fn certificate(account: &str, now: SystemTime) -> String {
        let (ca, _key) = crate::pki::AccountCa::generate("test-ca", 100 * H, now).unwrap();
        let (_, csr) = crate::pki::new_key_and_csr(account).unwrap();
        ca.issue(&csr, account, 12 * H, now).unwrap().cert_pem
    }

    #[test]
    fn the_certificate_must_name_the_account_and_be_valid() {
        let now = SystemTime::now();
        let pem = certificate("alice", now);
        let fresh = judge_certificate(&pem, "alice", "tokyo", now + H);
        assert_eq!(fresh.result, Outcome::Pass, "{}", fresh.detail);
        assert!(
            fresh.detail.starts_with("CN=alice, serial "),
            "{}",
            fresh.detail
        );
        let due = judge_certificate(&pem, "alice", "tokyo", now + 10 * H);
        assert_eq!(due.result, Outcome::Warn, "{}", due.detail);
        assert!(due.detail.contains("renewal is due"), "{}", due.detail);
        let expired = judge_certificate(&pem, "alice", "tokyo", now + 13 * H);
        assert_eq!(expired.result, Outcome::Fail);
        assert!(
            expired.detail.contains("ike login --site tokyo"),
            "{}",
            expired.detail
        );
        let early = judge_certificate(&pem, "alice", "tokyo", now - H);
        assert_eq!(early.result, Outcome::Fail);
        assert!(early.detail.contains("clock is behind"), "{}", early.detail);
        let other = judge_certificate(&pem, "bob", "tokyo", now);
        assert_eq!(other.result, Outcome::Fail);
        assert!(
            other.detail.contains("not account \"bob\""),
            "{}",
            other.detail
        );
        let garbage = judge_certificate("junk", "alice", "tokyo", now);
        assert_eq!(garbage.result, Outcome::Fail);
    }

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

    // --- pods and access reviews ---

    fn refused(code: u16, message: &str) -> Attempt {
        Attempt::Refused {
            code,
            message: message.into(),
        }
    }

    const WEBHOOK: &str = "admission webhook \"pods.host-isolation.ike.dev\" denied the request: \
        ike: pods in tenant namespaces cannot reach the host: volume \"host\" is a hostPath";
    const RBAC: &str = "pods is forbidden: User \"v\" cannot create resource \"pods\"";

    #[test]
    fn an_ordinary_pod_must_be_allowed_unless_rbac_forbids_creating_pods() {
        let judge =
            |may, attempt: &Attempt| judge_probe(Probe::Ordinary, "t-a", may, true, attempt);
        assert_eq!(judge(true, &Attempt::Allowed).result, Outcome::Pass);
        let refused_anyway = judge(true, &refused(403, "error looking up service account"));
        assert_eq!(refused_anyway.result, Outcome::Fail);
        assert!(refused_anyway.detail.contains("service account"));
        let viewer = judge(false, &refused(403, RBAC));
        assert_eq!(viewer.result, Outcome::Pass);
        assert!(
            viewer.detail.contains("may not create pods"),
            "{}",
            viewer.detail
        );
        assert_eq!(judge(false, &Attempt::Allowed).result, Outcome::Fail);
        assert_eq!(
            judge(true, &Attempt::NoAnswer("timeout".into())).result,
            Outcome::Fail
        );
    }

    #[test]
    fn a_pod_reaching_the_host_must_be_refused_by_a_policy() {
        for probe in [Probe::HostPath, Probe::HostNetwork, Probe::Privileged] {
            let judge = |may, attempt: &Attempt| judge_probe(probe, "t-a", may, true, attempt);
            let refused_by_webhook = judge(true, &refused(403, WEBHOOK));
            assert_eq!(refused_by_webhook.result, Outcome::Pass);
            assert_eq!(
                refused_by_webhook.detail,
                "refused by webhook pods.host-isolation.ike.dev: ike: pods in tenant namespaces \
                 cannot reach the host: volume \"host\" is a hostPath"
            );
            let allowed = judge(true, &Attempt::Allowed);
            assert_eq!(allowed.result, Outcome::Fail);
            assert!(allowed.detail.starts_with("host isolation is not enforced"));
            let psa = judge(
                true,
                &refused(
                    403,
                    "pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces",
                ),
            );
            assert_eq!(psa.result, Outcome::Pass);
            let other = judge(
                true,
                &refused(403, "error looking up service account t-a/default"),
            );
            assert_eq!(other.result, Outcome::Warn);
            assert!(other.detail.contains("not tried"));
            let viewer = judge(false, &refused(403, RBAC));
            assert_eq!(viewer.result, Outcome::Pass);
            assert!(
                viewer.detail.contains("cannot be tried"),
                "{}",
                viewer.detail
            );
            assert_eq!(
                judge(true, &Attempt::NoAnswer("x".into())).result,
                Outcome::Fail
            );
            // Outside tenant namespaces host access is no failure of isolation.
            let elsewhere = judge_probe(probe, "default", true, false, &Attempt::Allowed);
            assert_eq!(elsewhere.result, Outcome::Warn);
            assert!(elsewhere.detail.contains("not a tenant namespace"));
        }
    }

    #[test]
    fn probe_pods_reach_the_host_only_in_their_one_way() {
        let spec = |p: Probe| p.pod("t-a").spec.unwrap();
        let ordinary = spec(Probe::Ordinary);
        assert!(ordinary.volumes.is_none() && ordinary.host_network.is_none());
        assert!(ordinary.containers[0].security_context.is_none());
        assert!(
            spec(Probe::HostPath).volumes.unwrap()[0]
                .host_path
                .is_some()
        );
        assert_eq!(spec(Probe::HostNetwork).host_network, Some(true));
        let privileged = spec(Probe::Privileged).containers[0]
            .security_context
            .clone();
        assert_eq!(privileged.unwrap().privileged, Some(true));
        let pod = Probe::HostPath.pod("t-a");
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("ike-doctor-"));
        assert_eq!(pod.metadata.namespace.as_deref(), Some("t-a"));
    }

    #[test]
    fn access_that_should_be_denied_passes_when_denied_or_for_admins() {
        let check = |admin, answer: &Answer| judge_denied("c", "create namespaces", admin, answer);
        let denied = check(Some(false), &Answer::No);
        assert_eq!(
            (denied.result, denied.detail.as_str()),
            (Outcome::Pass, "denied: you may not create namespaces")
        );
        let admin = check(Some(true), &Answer::Yes);
        assert_eq!(
            (admin.result, admin.detail.as_str()),
            (Outcome::Pass, "admin: allowed to create namespaces")
        );
        assert_eq!(check(Some(false), &Answer::Yes).result, Outcome::Fail);
        assert_eq!(check(None, &Answer::Yes).result, Outcome::Fail);
        let unasked = check(Some(false), &Answer::Unknown("HTTP 403: no".into()));
        assert_eq!(unasked.result, Outcome::Fail);
        assert!(
            unasked.detail.starts_with("cannot ask"),
            "{}",
            unasked.detail
        );
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human(Duration::from_secs(12)), "12s");
        assert_eq!(human(Duration::from_secs(250)), "4m 10s");
        assert_eq!(human(12 * H - Duration::from_secs(60)), "11h 59m");
        assert_eq!(human(50 * H), "2d 2h");
    }
}
