//! The config reconciler, one `Controller` per kind: what a config needs besides Alertmanager.
//!
//! - BarryConfig: reads the token from the tenant's Secret (at reconcile time, never cached),
//!   opens the channels in Barry and sets their mute state: `ChannelReady` and
//!   `status.channels`.
//! - TeamsConfig: checks that the Secret holds a Workflows webhook URL that leads where the
//!   site sends (`Site.spec.notifications`): `WebhookReady`.
//! - EmailConfig: nothing beyond what the publisher checks.
//! - Every kind: the test `ike notify test` asked for ([`super::test_alert`]), and
//!   `observedGeneration`.
//!
//! Each reconciles when its spec or annotations change (not on its own status writes), when the
//! Secret it names changes (TeamsConfigs also when the site's notification policy does), and
//! periodically: soon while Barry is unreachable, hourly otherwise,
//! so a channel someone unmuted in Barry's UI is muted again.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Secret;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::{Predicate as _, PredicateConfig, WatchStreamExt, predicates, watcher};
use kube::{Resource, ResourceExt};

use super::status::{self, ConditionChange};
use super::{Notify, channels, secrets, teams, test_alert};
use crate::api::{
    BarryChannelStatus, BarryConfig, CommonStatus, EmailConfig, NotifyConfig, TeamsConfig,
    condition, set_condition,
};
use crate::controller::runtime::{self, Failure, Floor, Reconciler, Shared, Stores, concerned};

/// A reconcile that could not finish; retried by the error policy.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the Secret failed (not: it is missing).
    #[error("reading the config's Secret failed")]
    Secret(#[from] secrets::Error),
    /// Writing the status failed.
    #[error("writing the status failed")]
    Status(#[source] kube::Error),
}

impl Failure for Error {
    fn kind(&self) -> &'static str {
        match self {
            Error::Secret(_) => "secret",
            Error::Status(_) => "kube",
        }
    }
}

/// What checking one config found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Conditions to set.
    pub conditions: Vec<ConditionChange>,
    /// Barry's channels, when they were synced.
    pub channels: Option<Vec<BarryChannelStatus>>,
    /// When to check again.
    pub requeue: Option<Duration>,
}

/// Checked hourly when all is well.
const HEALTHY: Duration = Duration::from_secs(3600);
/// Checked again soon while the receiving system cannot be reached.
const UNREACHABLE: Duration = Duration::from_secs(10);
/// Checked again now and then while the tenant must act (the Secret watch also triggers).
const WAITING: Duration = Duration::from_secs(300);

impl Outcome {
    fn one(
        type_: &'static str,
        ok: bool,
        reason: &'static str,
        message: String,
        requeue: Duration,
    ) -> Self {
        Self {
            conditions: vec![ConditionChange {
                type_,
                status: ok,
                reason,
                message,
                generation: None,
            }],
            channels: None,
            requeue: Some(requeue),
        }
    }
}

/// What each kind checks.
pub trait Checked: NotifyConfig {
    /// The process's watch of this kind.
    fn shared(stores: &Stores) -> &Shared<Self>;

    /// Checks the config against what it names (Secret, Barry).
    fn check<'a>(&'a self, ctx: &'a Notify) -> BoxFuture<'a, Result<Outcome, Error>>;

    /// Writes what only this kind's status has; whether it changed anything.
    fn record(_outcome: &Outcome, _status: &mut Self::Status) -> bool {
        false
    }
}

fn namespace_of(config: &impl Resource) -> String {
    config.meta().namespace.clone().unwrap_or_default()
}

impl Checked for BarryConfig {
    fn shared(stores: &Stores) -> &Shared<Self> {
        stores.barry()
    }

    fn check<'a>(&'a self, ctx: &'a Notify) -> BoxFuture<'a, Result<Outcome, Error>> {
        Box::pin(async move {
            let ready = |ok, reason, message, requeue| {
                Outcome::one(condition::CHANNEL_READY, ok, reason, message, requeue)
            };
            if let Err(why) = self.spec.validate() {
                return Ok(ready(false, condition::INVALID_SPEC, why, HEALTHY));
            }
            let namespace = namespace_of(self);
            let secret = &self.spec.token_secret_name;
            let token = match secrets::read(&ctx.client, &namespace, secret, "token").await {
                Ok(token) => token,
                Err(e) if e.is_missing() => {
                    let message = format!(
                        "{e}: put the tenant's Barry API token under the key 'token' ('ike notify barry {} --token-file FILE' does)",
                        self.name_any()
                    );
                    return Ok(ready(false, e.reason("token"), message, WAITING));
                }
                Err(e) => return Err(e.into()),
            };
            let Some(barry) = &ctx.barry else {
                let message = "this site's ike-controller has no Barry URL (--barry-url), so no channel can be opened: ask a platform admin".into();
                return Ok(ready(
                    false,
                    condition::BARRY_NOT_CONFIGURED,
                    message,
                    WAITING,
                ));
            };
            let synced = channels::sync(barry.as_ref(), token.expose(), &self.spec.channels).await;
            // Channels not reached this time keep what the status knew of them.
            let mut known = synced.channels.clone();
            let previous = self.status.iter().flat_map(|s| &s.channels);
            for old in previous {
                let wanted = self.spec.channels.iter().any(|c| c.name == old.name);
                if wanted && !known.iter().any(|c| c.name == old.name) {
                    known.push(old.clone());
                }
            }
            let redactor = secrets::Redactor::default()
                .with(&token)
                .with(&ctx.settings.relay.token);
            let mut outcome = match synced.failed {
                None => {
                    let list: Vec<String> = synced
                        .channels
                        .iter()
                        .map(|c| {
                            let muted = if c.muted { ", muted" } else { "" };
                            format!("{} ({}{muted})", c.name, c.channel_id)
                        })
                        .collect();
                    ready(
                        true,
                        condition::CHANNELS_OPEN,
                        format!("open in Barry: {}", list.join(", ")),
                        HEALTHY,
                    )
                }
                Some((channel, e)) => {
                    let requeue = if e.reason() == condition::BARRY_UNREACHABLE {
                        UNREACHABLE
                    } else {
                        WAITING
                    };
                    let message = format!("channel '{channel}': {}", e.hint());
                    ready(false, e.reason(), redactor.redact(&message), requeue)
                }
            };
            outcome.channels = Some(known);
            Ok(outcome)
        })
    }

    fn record(outcome: &Outcome, status: &mut Self::Status) -> bool {
        match &outcome.channels {
            Some(channels) if *channels != status.channels => {
                status.channels = channels.clone();
                true
            }
            _ => false,
        }
    }
}

impl Checked for TeamsConfig {
    fn shared(stores: &Stores) -> &Shared<Self> {
        stores.teams()
    }

    fn check<'a>(&'a self, ctx: &'a Notify) -> BoxFuture<'a, Result<Outcome, Error>> {
        Box::pin(async move {
            let key = (namespace_of(self), self.name_any());
            let ready = |ok, reason, message, requeue| {
                ctx.set_native_url(&key, None);
                Outcome::one(condition::WEBHOOK_READY, ok, reason, message, requeue)
            };
            if let Err(why) = self.spec.validate() {
                return Ok(ready(false, condition::INVALID_SPEC, why, HEALTHY));
            }
            let secret = &self.spec.webhook_url_secret_name;
            let url = match secrets::read(&ctx.client, &key.0, secret, "url").await {
                Ok(url) => url,
                Err(e) if e.is_missing() => {
                    let message = format!(
                        "{e}: put the Teams Workflows webhook URL under the key 'url' ('ike notify teams {} --webhook-url-file FILE' does)",
                        key.1
                    );
                    return Ok(ready(false, e.reason("url"), message, WAITING));
                }
                Err(e) => return Err(e.into()),
            };
            let redactor = secrets::Redactor::default().with(&url);
            if let Err(why) = teams::check_webhook_url(url.expose()) {
                let why = redactor.redact(&why);
                return Ok(ready(false, condition::INVALID_WEBHOOK_URL, why, WAITING));
            }
            if let Err(why) = ctx.destinations().check_url(url.expose()) {
                let why = redactor.redact(&why.to_string());
                return Ok(ready(
                    false,
                    condition::DESTINATION_NOT_ALLOWED,
                    why,
                    WAITING,
                ));
            }
            ctx.set_native_url(&key, Some(url));
            Ok(Outcome::one(
                condition::WEBHOOK_READY,
                true,
                condition::WEBHOOK_VALID,
                format!("Secret '{secret}' holds a Teams Workflows webhook URL"),
                HEALTHY,
            ))
        })
    }
}

impl Checked for EmailConfig {
    fn shared(stores: &Stores) -> &Shared<Self> {
        stores.email()
    }

    fn check<'a>(&'a self, _ctx: &'a Notify) -> BoxFuture<'a, Result<Outcome, Error>> {
        Box::pin(async {
            Ok(Outcome {
                requeue: Some(HEALTHY),
                ..Outcome::default()
            })
        })
    }
}

/// One reconcile of one config.
pub async fn reconcile<K: Checked>(config: Arc<K>, ctx: Arc<Notify>) -> Result<Action, Error> {
    if config.meta().deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let outcome = config.check(&ctx).await?;
    let test = match test_alert::requested(&*config) {
        Some(id) => Some(test_alert::send(&*config, &id, &ctx).await),
        None => None,
    };
    let generation = config.meta().generation;
    let change = |c: &mut K| {
        let status = c.status_mut();
        let mut changed = false;
        for cond in &outcome.conditions {
            changed |= set_condition(
                status.conditions_mut(),
                cond.type_,
                cond.status,
                cond.reason,
                &cond.message,
                generation,
            );
        }
        changed |= K::record(&outcome, status);
        if let Some(test) = &test {
            // The relay may have recorded this test's result already: keep it.
            let finished = status
                .last_test()
                .is_some_and(|t| t.id == test.id && t.result.is_final());
            if !finished && status.last_test() != Some(test) {
                *status.last_test_mut() = Some(test.clone());
                changed = true;
            }
        }
        if *status.observed_generation_mut() != generation {
            *status.observed_generation_mut() = generation;
            changed = true;
        }
        changed
    };
    let mut copy = (*config).clone();
    let wrote = if change(&mut copy) {
        let namespace = namespace_of(&*config);
        status::update::<K>(&ctx.client, &namespace, &config.name_any(), change)
            .await
            .map_err(Error::Status)?
    } else {
        false
    };
    ctx.metrics.count_status_write(wrote);
    runtime::wrote(wrote);
    Ok(outcome
        .requeue
        .map_or_else(Action::await_change, Action::requeue))
}

/// How soon a failed reconcile is tried again.
const RETRY: Duration = Duration::from_secs(5);

/// Runs the reconciler of kind `K` until the floor's shutdown.
pub async fn run<K: Checked>(ctx: Arc<Notify>, floor: Floor) {
    let stores = &floor.stores;
    let shared = K::shared(stores);
    let store = shared.store();
    // Its own status writes do not trigger it: only the spec (generation) and annotations (a
    // test asked for) do.
    let events = shared
        .subscribe()
        .map(|config| Ok::<_, watcher::Error>((*config).clone()))
        .predicate_filter(
            predicates::generation::<K>.combine(predicates::annotations::<K>),
            PredicateConfig::default(),
        );
    let mut controller = Controller::for_stream(events, store.clone());
    if K::KIND == "teams" {
        // Where a URL may lead is the site's to say: a changed Site is checked again at once.
        controller = controller.reconcile_all_on(ctx.policy_changes());
    }
    if K::KIND != "email" {
        // Secrets trigger only: their metadata is enough, and no tenant Secret is kept.
        controller = controller.watches_shared_stream(
            stores.secret_names().subscribe(),
            concerned(store, |secret: &PartialObjectMeta<Secret>, c: &K| {
                secret.meta().namespace == c.meta().namespace
                    && c.secret_name() == secret.meta().name.as_deref()
            }),
        );
    }
    let reconciler = Reconciler {
        name: K::KIND,
        retry: RETRY,
    };
    runtime::reconcile::run(&floor, reconciler, controller, reconcile::<K>, ctx).await;
}
