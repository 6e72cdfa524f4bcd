//! The publisher: Alertmanager's configuration kept equal to the base plus every valid config.
//!
//! One configuration is computed from every config, so instead of a `Controller` per object
//! (which would render it once per config) one loop renders it once per burst of changes: it
//! wakes on any change seen by the reflectors of the three kinds and of the base Secret,
//! drains what else arrived meanwhile, and then:
//!
//! 1. renders ([`plan`](super::plan)) and fingerprints the result;
//! 2. writes each output whose fingerprint differs (read from the output itself at start);
//! 3. after a file write, asks Alertmanager to reload; at start, when the file is already
//!    current, only when Alertmanager's running receivers differ from the file's;
//! 4. reads Alertmanager's running receivers when something was written or a config is not
//!    confirmed yet, and queues `ReceiverConfigured` for every config whose condition differs.
//!
//! A resync or a restart with nothing changed therefore writes nothing, reloads nothing and
//! writes no status. While a written receiver is not running yet (prometheus-operator's
//! reloader takes its time), the publisher looks again with a growing delay.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{FutureExt as _, StreamExt as _};
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt as _;
use kube::runtime::reflector::{ObjectRef, Store};

use super::alertmanager::{Options, RenderError, TENANT_PREFIX, fingerprint};
use super::output::{self, Output};
use super::plan::{self, Inputs, Plan, Verdict};
use super::status::{Change, ConditionChange};
use super::{BASE_KEY, Notify, POLICY_LOOK, secrets};
use crate::api::{BarryConfig, CommonStatus, EmailConfig, NotifyConfig, TeamsConfig, condition};
use crate::controller::runtime::Stores;

/// How long a burst of changes may go on before it is rendered.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// The first wait before looking again for receivers Alertmanager does not run yet.
const FIRST_LOOK: Duration = Duration::from_millis(500);
/// The longest such wait, and the longest wait after a failure.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Why a publish failed; it is tried again.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Rendering failed (a bug: configs that cannot render are left out before).
    #[error("cannot render Alertmanager's configuration")]
    Render(#[from] RenderError),
    /// An output could not be read or written.
    #[error("cannot publish Alertmanager's configuration")]
    Output(#[from] output::Error),
}

struct Publisher {
    notify: Arc<Notify>,
    options: Options,
    barry: Store<BarryConfig>,
    email: Store<EmailConfig>,
    teams: Store<TeamsConfig>,
    base: Store<Secret>,
    /// The fingerprint each output holds, once read or written.
    written: HashMap<usize, Option<String>>,
    /// The fingerprint Alertmanager was seen or asked to run, for file outputs.
    reloaded: Option<String>,
    look_again: Duration,
    warnings: Vec<String>,
}

fn confirmed(v: &Verdict) -> bool {
    v.configured.as_ref().is_some_and(|c| {
        c.status == "True"
            && c.reason == condition::CONFIGURED
            && c.observed_generation == v.generation
    })
}

impl Publisher {
    fn base_name(&self) -> String {
        let s = &self.notify.settings;
        format!("Secret {}/{}", s.controller_namespace, s.base_secret)
    }

    /// In native Teams mode, the URLs of configs whose check passed before this replica ran
    /// (a restart), so that a restart does not drop their receivers for a moment.
    async fn fill_native_urls(&self, teams: &[Arc<TeamsConfig>]) {
        if self.options.teams != super::alertmanager::TeamsDelivery::Native {
            return;
        }
        for config in teams {
            let namespace = config.namespace().unwrap_or_default();
            let ready = config
                .status()
                .and_then(|s| s.condition(condition::WEBHOOK_READY))
                .is_some_and(|c| c.status == "True");
            if !ready
                || self
                    .notify
                    .native_url(&namespace, &config.name_any())
                    .is_some()
            {
                continue;
            }
            let secret = &config.spec.webhook_url_secret_name;
            if let Ok(url) = secrets::read(&self.notify.client, &namespace, secret, "url").await {
                let key = (namespace, config.name_any());
                self.notify.set_native_url(&key, Some(url));
            }
        }
    }

    /// One render, write, reload and look; the delay before looking again, if needed.
    async fn publish(&mut self) -> Result<Option<Duration>, Error> {
        let started = Instant::now();
        let notify = self.notify.clone();
        let settings = &notify.settings;
        let base_ref = ObjectRef::new(&settings.base_secret).within(&settings.controller_namespace);
        let base = self
            .base
            .get(&base_ref)
            .and_then(|s| s.data.as_ref()?.get(BASE_KEY).cloned())
            .map(|bytes| String::from_utf8_lossy(&bytes.0).into_owned());
        let (barry, email, teams) = (self.barry.state(), self.email.state(), self.teams.state());
        self.fill_native_urls(&teams).await;
        let native_url =
            |ns: &str, name: &str| notify.native_url(ns, name).map(|u| u.expose().to_string());
        let base_name = self.base_name();
        let policy = notify.policy();
        let destinations = notify.destinations();
        let tenant_of = |namespace: &str| notify.tenant_of(namespace);
        let plan = plan::plan(&Inputs {
            base: base.as_deref(),
            base_name: &base_name,
            barry: &barry,
            email: &email,
            teams: &teams,
            native_url: &native_url,
            options: &self.options,
            policy: &policy,
            destinations: &destinations,
            tenant_of: &tenant_of,
        })?;
        let metrics = &notify.metrics;
        metrics.renders.inc();
        metrics
            .render_seconds
            .observe(started.elapsed().as_secs_f64());
        if plan.warnings != self.warnings {
            for warning in &plan.warnings {
                tracing::warn!(base = %base_name, "{warning}");
            }
            self.warnings = plan.warnings.clone();
        }
        let left_out = plan
            .verdicts
            .iter()
            .filter(|v| v.left_out.is_some())
            .count();
        for (state, n) in [
            ("included", plan.verdicts.len() - left_out),
            ("left_out", left_out),
        ] {
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            metrics
                .receivers
                .get_or_create(&vec![("state", state)])
                .set(n);
        }
        let Some(rendered) = &plan.rendered else {
            if base.is_none() {
                tracing::warn!(base = %base_name, "no base Alertmanager configuration: nothing written");
            }
            self.queue_statuses(&plan, None, None);
            return Ok(None);
        };
        let fp = fingerprint(rendered);
        metrics
            .config_bytes
            .set(i64::try_from(rendered.len()).unwrap_or(i64::MAX));
        let (wrote, wrote_file) = self.write(rendered, &fp, &plan).await?;

        let included: BTreeSet<&str> = plan
            .verdicts
            .iter()
            .filter(|v| v.left_out.is_none())
            .map(|v| v.receiver.as_str())
            .collect();
        let mut running = None;
        let mut reload_error = None;
        if let Some(alertmanager) = &notify.alertmanager {
            let has_file = settings
                .outputs
                .iter()
                .any(|o| matches!(o, Output::File(_)));
            if has_file && (wrote_file || self.reloaded.as_deref() != Some(&fp)) {
                let in_sync = !wrote_file
                    && alertmanager.running_receivers().await.is_ok_and(|r| {
                        let tenants: BTreeSet<&str> = r
                            .iter()
                            .map(String::as_str)
                            .filter(|n| n.starts_with(TENANT_PREFIX))
                            .collect();
                        tenants == included
                    });
                if in_sync {
                    self.reloaded = Some(fp.clone());
                } else {
                    let reload_started = Instant::now();
                    let result = alertmanager.reload().await;
                    metrics
                        .reload_seconds
                        .observe(reload_started.elapsed().as_secs_f64());
                    let label = if result.is_ok() { "ok" } else { "failed" };
                    metrics
                        .reloads
                        .get_or_create(&vec![("result", label)])
                        .inc();
                    match result {
                        Ok(()) => self.reloaded = Some(fp.clone()),
                        Err(e) => {
                            let e = crate::controller::runtime::chain(&e);
                            tracing::warn!(alertmanager = %alertmanager.url(), error = %e, "Alertmanager did not reload");
                            reload_error = Some(e);
                        }
                    }
                }
            }
            let unconfirmed = plan
                .verdicts
                .iter()
                .any(|v| v.left_out.is_none() && !confirmed(v));
            if wrote || unconfirmed || reload_error.is_some() {
                running = Some(
                    alertmanager
                        .running_receivers()
                        .await
                        .map_err(|e| crate::controller::runtime::chain(&e)),
                );
            }
        }
        let waiting = self.queue_statuses(&plan, running.as_ref(), reload_error.as_deref());
        if waiting {
            let wait = self.look_again;
            self.look_again = (wait * 2).min(LONGEST_WAIT);
            Ok(Some(wait))
        } else {
            self.look_again = FIRST_LOOK;
            Ok(None)
        }
    }

    /// Writes every output that does not hold `fp`: (whether anything was written, whether a
    /// file was).
    async fn write(
        &mut self,
        rendered: &str,
        fp: &str,
        plan: &Plan,
    ) -> Result<(bool, bool), Error> {
        let (mut wrote, mut wrote_file) = (false, false);
        for (i, out) in self.notify.settings.outputs.iter().enumerate() {
            let held = match self.written.get(&i) {
                Some(held) => held.clone(),
                None => out.current(&self.notify.client).await?,
            };
            self.written.insert(i, held.clone());
            if held.as_deref() == Some(fp) {
                continue;
            }
            let write_started = Instant::now();
            out.write(&self.notify.client, rendered, fp).await?;
            self.notify
                .metrics
                .write_seconds
                .observe(write_started.elapsed().as_secs_f64());
            self.written.insert(i, Some(fp.to_string()));
            self.notify
                .metrics
                .config_writes
                .get_or_create(&vec![("output", out.kind())])
                .inc();
            tracing::info!(
                output = %out.describe(),
                receivers = plan.verdicts.iter().filter(|v| v.left_out.is_none()).count(),
                bytes = rendered.len(),
                fingerprint = &fp[..12],
                "wrote Alertmanager's configuration"
            );
            wrote = true;
            wrote_file |= matches!(out, Output::File(_));
        }
        Ok((wrote, wrote_file))
    }

    /// Queues `ReceiverConfigured` for every config whose condition differs from what was
    /// found; whether some written receiver is not running yet.
    fn queue_statuses(
        &self,
        plan: &Plan,
        running: Option<&Result<BTreeSet<String>, String>>,
        reload_error: Option<&str>,
    ) -> bool {
        let outputs: Vec<String> = self
            .notify
            .settings
            .outputs
            .iter()
            .map(Output::describe)
            .collect();
        let outputs = outputs.join(" and ");
        let observing = self.notify.alertmanager.is_some();
        let mut waiting = false;
        for v in &plan.verdicts {
            let receiver = &v.receiver;
            let want = match (&v.left_out, observing, running) {
                (Some((reason, message)), _, _) => Some((false, *reason, message.clone())),
                (None, false, _) => Some((
                    true,
                    condition::WRITTEN,
                    format!(
                        "receiver {receiver} is in {outputs}; ike-controller cannot see whether Alertmanager loaded it (no --alertmanager-url)"
                    ),
                )),
                // Nothing looked at: every included config was confirmed already.
                (None, true, None) => None,
                (None, true, Some(Ok(names))) if names.contains(receiver) => Some((
                    true,
                    condition::CONFIGURED,
                    format!("Alertmanager runs with receiver {receiver}"),
                )),
                (None, true, Some(result)) => {
                    waiting = true;
                    let why = match (reload_error, result) {
                        (Some(e), _) => format!(": it refused to reload: {e}"),
                        (None, Err(e)) => format!(": cannot ask Alertmanager: {e}"),
                        (None, Ok(_)) => String::new(),
                    };
                    Some((
                        false,
                        condition::PENDING,
                        format!(
                            "receiver {receiver} is written to {outputs}; Alertmanager does not run it yet{why}"
                        ),
                    ))
                }
            };
            let Some((status, reason, message)) = want else {
                continue;
            };
            let same = v.configured.as_ref().is_some_and(|c| {
                (c.status == "True") == status
                    && c.reason == reason
                    && c.message == message
                    && c.observed_generation == v.generation
            });
            if !same {
                self.notify.statuses.push(
                    v.key.clone(),
                    Change {
                        conditions: vec![ConditionChange {
                            type_: condition::RECEIVER_CONFIGURED,
                            status,
                            reason,
                            message,
                            generation: v.generation,
                        }],
                        ..Change::default()
                    },
                );
            }
        }
        waiting
    }
}

/// Runs the publisher until `shutdown` resolves. The base Secret is read from the store of the
/// controller's namespace's Secrets.
pub async fn run(
    notify: Arc<Notify>,
    stores: Stores,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    let settings = &notify.settings;
    let (barry, email, teams) = (
        stores.barry().store(),
        stores.email().store(),
        stores.teams().store(),
    );
    let base = stores.own_secrets().store();
    let base_name = settings.base_secret.clone();
    let mut events = futures::stream::select_all([
        stores.barry().subscribe().map(|_| ()).boxed(),
        stores.email().subscribe().map(|_| ()).boxed(),
        stores.teams().subscribe().map(|_| ()).boxed(),
        stores
            .own_secrets()
            .subscribe()
            .filter(move |s| futures::future::ready(s.metadata.name.as_deref() == Some(&base_name)))
            .map(|_| ())
            .boxed(),
    ]);
    let options = Options {
        relay_url: settings.relay.url.clone(),
        relay_http_config: Some(settings.relay.http_config()),
        teams: settings.teams,
    };
    let resync_every = settings.resync;
    let mut publisher = Publisher {
        notify: notify.clone(),
        options,
        barry,
        email,
        teams,
        base,
        written: HashMap::new(),
        reloaded: None,
        look_again: FIRST_LOOK,
        warnings: Vec::new(),
    };
    let mut shutdown = std::pin::pin!(shutdown);
    // Nothing is rendered from half-listed stores: a restart would drop receivers for a moment.
    // The streams must be polled for the stores to fill, and yield nothing for empty lists.
    {
        let listed = stores
            .barry()
            .listed()
            .and(stores.email().listed())
            .and(stores.teams().listed())
            .and(stores.own_secrets().listed());
        let all_ready = listed.wait();
        let drive = async { while events.next().await.is_some() {} };
        tokio::select! {
            () = &mut shutdown => return,
            () = drive => return,
            _ = all_ready => {},
        }
    }
    let mut resync = tokio::time::interval(resync_every);
    resync.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    resync.tick().await;
    let mut next: Option<tokio::time::Instant> = Some(tokio::time::Instant::now());
    let mut failures = 0u32;
    let mut policy_look = tokio::time::interval(POLICY_LOOK);
    policy_look.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut policy = notify.policy();
    loop {
        let wake = next.unwrap_or_else(|| tokio::time::Instant::now() + LONGEST_WAIT * 1000);
        tokio::select! {
            () = &mut shutdown => return,
            e = events.next() => if e.is_none() { return },
            () = notify.render_now.notified() => {},
            _ = resync.tick() => {},
            () = tokio::time::sleep_until(wake), if next.is_some() => {},
            _ = policy_look.tick() => {
                let now = notify.policy();
                if now == policy {
                    continue;
                }
                policy = now;
            },
        }
        // Coalesce: what else arrived, and what follows within the debounce.
        tokio::time::sleep(DEBOUNCE).await;
        while let Some(Some(_)) = events.next().now_or_never() {}
        next = match publisher.publish().await {
            Ok(look_again) => {
                failures = 0;
                look_again.map(|wait| tokio::time::Instant::now() + wait)
            }
            Err(e) => {
                failures += 1;
                let wait = (FIRST_LOOK * 2u32.saturating_pow(failures)).min(LONGEST_WAIT);
                tracing::warn!(error = %crate::controller::runtime::chain(&e), retry_in = ?wait, "publishing Alertmanager's configuration failed");
                Some(tokio::time::Instant::now() + wait)
            }
        };
    }
}
