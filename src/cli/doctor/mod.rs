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

mod access;
mod admission;
mod certificate;
mod kubeconfig;
mod pods;
mod report;

use std::time::{Duration, SystemTime};

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

pub use certificate::{judge_certificate, judge_clock, parse_http_date};
pub use kubeconfig::{KubeconfigFindings, check_kubeconfig};
pub use pods::{Probe, judge_probe};
pub use report::{Attempt, Check, Outcome, Report, one_line, webhook_refusal};

use super::OutputArgs;
use super::output::print;
use super::settings::Settings;
use crate::cli::exit::ExitStatus;
use access::{find_target, judge_target, try_cluster_writes, try_other_tenant};
use certificate::{judge_whoami, whoami};
use pods::try_pods;
use report::{MAX_MESSAGE, client_error, error_chain};

/// The longest any one network call may take.
pub const TIMEOUT: Duration = crate::client::identity::TIMEOUT;

/// Arguments of `ike doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The namespace to try pods in (default: -n, else the first namespace of your first
    /// tenant).
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::namespaces), long, value_name = "NAMESPACE")]
    pub tenant_namespace: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `ike doctor`.
pub fn run(args: DoctorArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let report = super::runtime()?.block_on(diagnose(&args, settings));
    print(args.output.format, &report, settings)?;
    Ok(report.exit_status())
}

/// A kube client for the site, as kubectl would connect: the `ike-<site>` context.
async fn kube_client(settings: &Settings, site: &str) -> Result<kube::Client, String> {
    let mut client = settings.client.clone();
    client.site = Some(site.to_string());
    let target = crate::client::Target::resolve_with(&client, |config| {
        config.connect_timeout = Some(TIMEOUT);
        config.read_timeout = Some(TIMEOUT);
        config.write_timeout = Some(TIMEOUT);
    })
    .await
    .map_err(|e| client_error(&e))?;
    Ok(target.client)
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

async fn diagnose(args: &DoctorArgs, settings: &Settings) -> Report {
    let mut checks = Vec::new();
    let kubeconfig = check_kubeconfig(
        &settings.client.kubeconfig_paths,
        settings.client.site.as_deref(),
    );
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
        Some(site) => match settings.client.sites.load(site) {
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
        .or(settings.client.namespace.as_deref());
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
    let admission = async {
        match &target {
            Ok(target) => admission::try_admission(&client, target).await,
            Err(_) => Vec::new(),
        }
    };
    let (pods, admission, other_tenant, cluster) = futures::join!(
        pods,
        admission,
        try_other_tenant(&client, who.as_ref(), own),
        try_cluster_writes(&client, who.as_ref().map(|w| w.admin)),
    );
    checks.extend(pods);
    checks.extend(admission);
    checks.extend(other_tenant);
    checks.extend(cluster);
    Report(checks)
}
