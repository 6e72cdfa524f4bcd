//! What one render decides, as a pure function of the base and every config: which configs
//! become receivers, why the others are left out, and the configuration's text.
//!
//! A config that cannot become a receiver is left out with a reason for its status, and never
//! stops the others from being rendered: an invalid address, a missing Teams URL (native
//! delivery only), e-mail without SMTP settings, a recipient outside the site's domains, or a
//! config beyond its tenant's budget ([`super::budget`]) concern that one config. Barry and Teams
//! receivers in relay mode need nothing from a Secret to be rendered; the relay reads it when
//! it delivers, and the config reconciler reports a missing one (`ChannelReady`,
//! `WebhookReady`).

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{Resource, ResourceExt};

use super::alertmanager::{
    BaseConfig, Options, Piece, RenderError, TeamsDelivery, TenantReceiver, assemble, piece,
};
use super::budget::{self, Entry, MAX_CONFIGURATION_BYTES};
use super::status::{Key, Kind};
use super::teams::check_webhook_url;
use crate::api::{
    BarryConfig, CommonStatus, Destinations, EmailConfig, NotificationPolicy, NotifyConfig,
    TeamsConfig, condition, receiver_name,
};

/// What a render decided for one config.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The config.
    pub key: Key,
    /// The generation rendered.
    pub generation: Option<i64>,
    /// Its receiver's name.
    pub receiver: String,
    /// Why it was left out (reason, message); `None`: it is in the configuration.
    pub left_out: Option<(&'static str, String)>,
    /// Its ReceiverConfigured condition as the store has it.
    pub configured: Option<Condition>,
}

/// The outcome of one render.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The configuration to write; `None` without a usable base (then nothing is written).
    pub rendered: Option<String>,
    /// One per config, sorted by receiver name.
    pub verdicts: Vec<Verdict>,
    /// Base settings that cross tenants, to log.
    pub warnings: Vec<String>,
}

/// Everything a render reads.
pub struct Inputs<'a> {
    /// The base configuration's YAML; `None` when its Secret or key is missing.
    pub base: Option<&'a str>,
    /// Where the base lives, for messages (`Secret ike-system/alertmanager-base`).
    pub base_name: &'a str,
    /// Every BarryConfig.
    pub barry: &'a [Arc<BarryConfig>],
    /// Every EmailConfig.
    pub email: &'a [Arc<EmailConfig>],
    /// Every TeamsConfig.
    pub teams: &'a [Arc<TeamsConfig>],
    /// A TeamsConfig's webhook URL (namespace, name), for native delivery.
    pub native_url: &'a dyn Fn(&str, &str) -> Option<String>,
    /// The deployment's rendering options.
    pub options: &'a Options,
    /// The site's notification policy (e-mail domains, budgets).
    pub policy: &'a NotificationPolicy,
    /// The site's rules for tenant URLs (native Teams delivery: Alertmanager connects).
    pub destinations: &'a Destinations,
    /// The tenant of a namespace (see `Notify::tenant_of`).
    pub tenant_of: &'a dyn Fn(&str) -> String,
}

fn verdict<K: NotifyConfig>(config: &K, left_out: Option<(&'static str, String)>) -> Verdict {
    let namespace = config.meta().namespace.clone().unwrap_or_default();
    let name = config.name_any();
    Verdict {
        receiver: receiver_name(&namespace, K::KIND, &name),
        key: (Kind::of::<K>(), namespace, name),
        generation: config.meta().generation,
        left_out,
        configured: config
            .status()
            .and_then(|s| s.condition(condition::RECEIVER_CONFIGURED))
            .cloned(),
    }
}

fn live<K: Resource>(configs: &[Arc<K>]) -> impl Iterator<Item = &K> {
    configs
        .iter()
        .map(|c| &**c)
        .filter(|c| c.meta().deletion_timestamp.is_none())
}

/// Decides and renders.
pub fn plan(inputs: &Inputs<'_>) -> Result<Plan, RenderError> {
    let base = match inputs.base.map(BaseConfig::from_yaml) {
        Some(Ok(base)) => Some(base),
        Some(Err(e)) => {
            let message = format!("{e} (in {}): ask a platform admin", inputs.base_name);
            return Ok(nothing(inputs, message));
        }
        None => {
            let message = format!(
                "the platform's base Alertmanager configuration ({}, key alertmanager.yaml) is missing, so ike-controller configures no receiver: ask a platform admin",
                inputs.base_name
            );
            return Ok(nothing(inputs, message));
        }
    };
    let base = base.expect("returned above otherwise");
    let policy = inputs.policy;
    // Configs that may become receivers, with their creation times; then those left out.
    let mut candidates: Vec<(Verdict, TenantReceiver, i64)> = Vec::new();
    let mut verdicts = Vec::new();
    let mut decide =
        |v: Verdict, receiver: Result<TenantReceiver, (&'static str, String)>, created: i64| {
            match receiver {
                Ok(r) => candidates.push((v, r, created)),
                Err(why) => verdicts.push(Verdict {
                    left_out: Some(why),
                    ..v
                }),
            }
        };
    for config in live(inputs.barry) {
        let receiver = config
            .spec
            .validate()
            .map(|()| TenantReceiver::barry(config))
            .map_err(|why| (condition::INVALID_SPEC, why));
        decide(verdict(config, None), receiver, created(config));
    }
    for config in live(inputs.email) {
        let receiver = match TenantReceiver::email(config) {
            Err(why) => Err((condition::INVALID_ADDRESS, why)),
            Ok(_) if !base.sends_email() => Err((
                condition::SMTP_NOT_CONFIGURED,
                format!(
                    "the platform's Alertmanager has no SMTP settings (global smtp_smarthost and smtp_from in {}), so it sends no e-mail: ask a platform admin",
                    inputs.base_name
                ),
            )),
            Ok(receiver) => match policy.check_email_domains(&config.spec.to) {
                Err(why) => Err((condition::DOMAIN_NOT_ALLOWED, why)),
                Ok(()) if config.spec.to.len() > policy.max_addresses_per_config() => Err((
                    condition::OVER_BUDGET,
                    format!(
                        "spec.to names {} recipients, more than the {} this site allows per config (Site notifications.maxAddressesPerConfig): send to a mailing list, or ask a platform admin",
                        config.spec.to.len(),
                        policy.max_addresses_per_config()
                    ),
                )),
                Ok(()) => Ok(receiver),
            },
        };
        decide(verdict(config, None), receiver, created(config));
    }
    for config in live(inputs.teams) {
        let native = inputs.options.teams == TeamsDelivery::Native;
        let namespace = config.meta().namespace.clone().unwrap_or_default();
        let url = native
            .then(|| (inputs.native_url)(&namespace, &config.name_any()))
            .flatten();
        let receiver = match (config.spec.validate(), native, url) {
            (Err(why), _, _) => Err((condition::INVALID_SPEC, why)),
            (Ok(()), true, None) => Err((
                condition::WEBHOOK_SECRET_MISSING,
                format!(
                    "Secret '{}' holds no usable Workflows webhook URL under the key 'url' (see WebhookReady)",
                    config.spec.webhook_url_secret_name
                ),
            )),
            (Ok(()), true, Some(url)) => match check_webhook_url(&url) {
                Err(why) => Err((condition::INVALID_WEBHOOK_URL, why)),
                // Alertmanager connects in native delivery: the URL is all ike can check.
                Ok(()) => match inputs.destinations.check_url(&url) {
                    Err(why) => Err((condition::DESTINATION_NOT_ALLOWED, why.to_string())),
                    Ok(_) => Ok(TenantReceiver::teams(config, Some(url))),
                },
            },
            (Ok(()), false, _) => Ok(TenantReceiver::teams(config, None)),
        };
        decide(verdict(config, None), receiver, created(config));
    }

    // Each receiver as it would be rendered: what it costs, or why it cannot be.
    let mut pieces: Vec<(Verdict, Piece)> = Vec::with_capacity(candidates.len());
    let mut entries: Vec<Entry> = Vec::with_capacity(candidates.len());
    let mut seen = std::collections::HashSet::with_capacity(candidates.len());
    for (v, receiver, created) in candidates {
        // Kubernetes keeps names unique; were two the same, one is left out, not everyone.
        if !seen.insert(v.receiver.clone()) {
            verdicts.push(Verdict {
                left_out: Some((
                    condition::INVALID_SPEC,
                    "another config renders to the same receiver".into(),
                )),
                ..v
            });
            continue;
        }
        match piece(&base, &receiver, inputs.options) {
            Ok(p) => {
                entries.push(Entry {
                    tenant: (inputs.tenant_of)(&receiver.namespace),
                    namespace: receiver.namespace.clone(),
                    created,
                    receiver: p.name.clone(),
                    cost: p.cost(),
                });
                pieces.push((v, p));
            }
            Err(e @ RenderError::RelayUrl(_)) => return Err(e),
            Err(e) => verdicts.push(Verdict {
                left_out: Some((
                    condition::INVALID_SPEC,
                    format!("ike-controller does not render it: {e}"),
                )),
                ..v
            }),
        }
    }
    // Within the budgets, and within what a Secret holds: the estimate of each piece's size is
    // close, and checked on the whole; if the whole is over, the room shrinks by as much.
    let empty = assemble(&base, &[], inputs.options)?;
    let mut room = MAX_CONFIGURATION_BYTES.saturating_sub(empty.len());
    let (rendered, over_budget) = loop {
        let over_budget = budget::select(&entries, inputs.policy, room);
        let kept: Vec<&Piece> = pieces
            .iter()
            .zip(&over_budget)
            .filter(|(_, left_out)| left_out.is_none())
            .map(|((_, p), _)| p)
            .collect();
        let rendered = assemble(&base, &kept, inputs.options)?;
        let over = rendered.len().saturating_sub(MAX_CONFIGURATION_BYTES);
        if over == 0 || room == 0 {
            break (rendered, over_budget);
        }
        room = room.saturating_sub(over + over / 8 + 1024);
    };
    for ((v, _), left_out) in pieces.into_iter().zip(over_budget) {
        verdicts.push(Verdict { left_out, ..v });
    }
    verdicts.sort_by(|a, b| a.receiver.cmp(&b.receiver));
    Ok(Plan {
        rendered: Some(rendered),
        verdicts,
        warnings: base.warnings(),
    })
}

/// When `config` was created (Unix seconds; unknown: newest of all), for "newest first out".
fn created<K: Resource>(config: &K) -> i64 {
    config
        .meta()
        .creation_timestamp
        .as_ref()
        .map_or(i64::MAX, |t| t.0.as_second())
}

/// Every config left out for `message`, and nothing to write.
fn nothing(inputs: &Inputs<'_>, message: String) -> Plan {
    let why = || Some((condition::NO_BASE_CONFIGURATION, message.clone()));
    let mut verdicts: Vec<Verdict> = live(inputs.barry)
        .map(|c| verdict(c, why()))
        .chain(live(inputs.email).map(|c| verdict(c, why())))
        .chain(live(inputs.teams).map(|c| verdict(c, why())))
        .collect();
    verdicts.sort_by(|a, b| a.receiver.cmp(&b.receiver));
    Plan {
        rendered: None,
        verdicts,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
