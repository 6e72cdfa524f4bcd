//! Admission webhook benchmark: review latency of pods, workloads and Services with 500 tenants
//! loaded, as the webhooks measure it themselves (`ike_webhook_review_duration_seconds` on the
//! controller's `/metrics`), beside what the client sees for the whole API call.
//!
//! ```text
//! cargo bench --bench admission
//! ```
//!
//! A complete local IKE is started here (control plane and `ike-controller`, debug or release as
//! cargo built it) and stopped at the end. `IKE_BENCH_TENANTS` (default 500) tenants of one
//! namespace each are created; then `IKE_BENCH_REQUESTS` (default 300) server-side dry-run creates
//! of each kind are sent into random tenant namespaces (dry runs go through every webhook and
//! store nothing). Percentiles come from the webhook's histogram (interpolated in its bucket).
//! Goal: p99 < 10 ms at the webhook. A missed goal is reported, not failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};

const GOAL_P99: Duration = Duration::from_millis(10);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("admission bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn count(var: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(var) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{var}={v} is not a number")),
        Err(_) => Ok(default),
    }
}

fn run() -> anyhow::Result<()> {
    let tenants = count("IKE_BENCH_TENANTS", 500)?;
    let requests = count("IKE_BENCH_REQUESTS", 300)?;
    ike::install_crypto_provider();
    let dir = tempfile::Builder::new()
        .prefix("ike-bench-admission-")
        .tempdir()?;
    eprintln!("starting a local IKE");
    let local = ike::local::start(&ike::local::StartOptions {
        dir: dir.path().to_path_buf(),
        detach: false,
        controller_exe: env!("CARGO_BIN_EXE_ike-controller").into(),
        existing_kubeconfig: None,
        existing_ca: None,
        bootstrap_admin: "bench-admin".into(),
        site: "bench".into(),
        extra_controller_args: Vec::new(),
    })?;
    let metrics_url = format!("http://{}", local.controller_addr);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let kubeconfig = kube::config::Kubeconfig::read_from(&local.admin_kubeconfig)?;
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
        let client = kube::Client::try_from(config)?;

        eprintln!("creating {tenants} tenants");
        let started = Instant::now();
        let tenant_api: Api<ike::api::Tenant> = Api::all(client.clone());
        futures::stream::iter(0..tenants)
            .map(|i| {
                let api = tenant_api.clone();
                async move {
                    let tenant: ike::api::Tenant = serde_json::from_value(serde_json::json!({
                        "apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
                        "metadata": {"name": format!("bench-{i}")},
                        "spec": {"members": [{"account": format!("owner-{i}"), "role": "owner"}],
                                 "namespaces": [format!("bench-{i}")]}
                    }))?;
                    api.create(&PostParams::default(), &tenant).await?;
                    anyhow::Ok(())
                }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<Vec<_>>>()?;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        loop {
            let held = namespaces
                .list(&ListParams::default().labels("ike.dev/tenant"))
                .await?
                .items
                .len();
            if held >= tenants {
                break;
            }
            if started.elapsed() > Duration::from_secs(600) {
                bail!("only {held} of {tenants} tenant namespaces after 10 minutes");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        eprintln!("{tenants} tenants hold their namespaces after {:.1} s", started.elapsed().as_secs_f64());
        // A pod needs its namespace's default ServiceAccount token (1.20), which
        // kube-controller-manager makes at its own pace.
        let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::all(client.clone());
        loop {
            let tokens = secrets
                .list_metadata(&ListParams::default().fields("type=kubernetes.io/service-account-token"))
                .await?
                .items
                .iter()
                .filter(|s| {
                    s.metadata.namespace.as_deref().is_some_and(|ns| ns.starts_with("bench-"))
                        && s.metadata.name.as_deref().is_some_and(|n| n.starts_with("default-token-"))
                })
                .count();
            if tokens >= tenants {
                break;
            }
            if started.elapsed() > Duration::from_secs(900) {
                bail!("only {tokens} of {tenants} default ServiceAccount tokens after 15 minutes");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        eprintln!("and their ServiceAccount tokens after {:.1} s", started.elapsed().as_secs_f64());

        let dry = PostParams {
            dry_run: true,
            field_manager: Some("bench".into()),
        };
        let deployments = ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment"));
        let mut client_seconds: Vec<(&str, Vec<f64>)> = Vec::new();
        for kind in ["pod", "deployment", "service"] {
            let mut seen = Vec::with_capacity(requests);
            for n in 0..requests {
                let ns = format!("bench-{}", (n * 7919) % tenants);
                let container = serde_json::json!([{"name": "app", "image": "registry.invalid/app:1"}]);
                let begun = Instant::now();
                match kind {
                    "pod" => {
                        let pod: Pod = serde_json::from_value(serde_json::json!({
                            "metadata": {"generateName": "p-"}, "spec": {"containers": container}}))?;
                        Api::<Pod>::namespaced(client.clone(), &ns).create(&dry, &pod).await?;
                    }
                    "deployment" => {
                        let d: DynamicObject = serde_json::from_value(serde_json::json!({
                            "apiVersion": "apps/v1", "kind": "Deployment",
                            "metadata": {"generateName": "d-"},
                            "spec": {"selector": {"matchLabels": {"a": "b"}},
                                     "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": container}}}}))?;
                        Api::<DynamicObject>::namespaced_with(client.clone(), &ns, &deployments)
                            .create(&dry, &d)
                            .await?;
                    }
                    _ => {
                        let s: Service = serde_json::from_value(serde_json::json!({
                            "metadata": {"generateName": "s-"}, "spec": {"ports": [{"port": 80}]}}))?;
                        Api::<Service>::namespaced(client.clone(), &ns).create(&dry, &s).await?;
                    }
                }
                seen.push(begun.elapsed().as_secs_f64());
            }
            client_seconds.push((kind, seen));
        }

        let text = ike::local::http_get(&metrics_url, "/metrics")?.1;
        println!("\nadmission review latency with {tenants} tenants loaded, {requests} dry-run creates per kind");
        println!("{:<34} {:>8} {:>10} {:>10} {:>10}", "webhook", "reviews", "p50", "p99", "goal");
        for webhook in [
            "pods.defaults.ike.dev",
            "pods.host-isolation.ike.dev",
            "workloads.host-isolation.ike.dev",
            "services.traffic.ike.dev",
        ] {
            let buckets = histogram(&text, webhook);
            let total = buckets.last().map(|b| b.1).unwrap_or(0.0);
            if total == 0.0 {
                bail!("the controller recorded no review by {webhook}");
            }
            let (p50, p99) = (quantile(&buckets, 0.5), quantile(&buckets, 0.99));
            let goal = if p99 < GOAL_P99.as_secs_f64() { "met" } else { "MISSED" };
            println!(
                "{webhook:<34} {total:>8} {:>8.2}ms {:>8.2}ms {goal:>10}",
                p50 * 1e3,
                p99 * 1e3
            );
        }
        println!("\nwhole API call as the client sees it (apiserver + every webhook):");
        for (kind, mut seen) in client_seconds {
            seen.sort_by(f64::total_cmp);
            let at = |q: f64| seen[((seen.len() as f64 * q) as usize).min(seen.len() - 1)] * 1e3;
            println!("{kind:<12} p50 {:>7.2}ms  p99 {:>7.2}ms", at(0.5), at(0.99));
        }
        anyhow::Ok(())
    })?;
    drop(local);
    Ok(())
}

/// The cumulative buckets `(le, count)` of `webhook`'s review histogram, both verdicts summed.
fn histogram(metrics: &str, webhook: &str) -> Vec<(f64, f64)> {
    let mut buckets: std::collections::BTreeMap<u64, (f64, f64)> = Default::default();
    for line in metrics.lines() {
        if !line.starts_with("ike_webhook_review_duration_seconds_bucket")
            || !line.contains(&format!("webhook=\"{webhook}\""))
        {
            continue;
        }
        let le = line
            .split("le=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("+Inf");
        let le: f64 = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap_or(f64::INFINITY)
        };
        let value: f64 = line
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let entry = buckets.entry(le.to_bits()).or_insert((le, 0.0));
        entry.1 += value;
    }
    let mut out: Vec<(f64, f64)> = buckets.into_values().collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The `q` quantile of cumulative `buckets`, interpolated linearly inside its bucket.
fn quantile(buckets: &[(f64, f64)], q: f64) -> f64 {
    let total = buckets.last().map(|b| b.1).unwrap_or(0.0);
    let rank = total * q;
    let mut lower = (0.0, 0.0);
    for &(le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return lower.0;
            }
            let span = count - lower.1;
            let into = if span > 0.0 {
                (rank - lower.1) / span
            } else {
                0.0
            };
            return lower.0 + (le - lower.0) * into;
        }
        lower = (le, count);
    }
    lower.0
}
