//! What one render decides, as a pure function of the base and every config: which configs
//! become receivers, why the others are left out, and the configuration's text.
//!
//! A config that cannot become a receiver is left out with a reason for its status, and never
//! stops the others from being rendered: an invalid address, a missing Teams URL (native
//! delivery only) or e-mail without SMTP settings concern that one config. Barry and Teams
//! receivers in relay mode need nothing from a Secret to be rendered; the relay reads it when
//! it delivers, and the config reconciler reports a missing one (`ChannelReady`,
//! `WebhookReady`).

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{Resource, ResourceExt};

use super::alertmanager::{
    BaseConfig, Options, RenderError, TeamsDelivery, TenantReceiver, render,
};
use super::status::{Key, Kind};
use super::teams::check_webhook_url;
use crate::api::{
    BarryConfig, CommonStatus, EmailConfig, NotifyConfig, TeamsConfig, condition, receiver_name,
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
    let mut receivers = Vec::new();
    let mut verdicts = Vec::new();
    let mut decide = |v: Verdict, receiver: Option<TenantReceiver>| {
        receivers.extend(receiver);
        verdicts.push(v);
    };
    for config in live(inputs.barry) {
        match config.spec.validate() {
            Ok(()) => decide(verdict(config, None), Some(TenantReceiver::barry(config))),
            Err(why) => decide(verdict(config, Some((condition::INVALID_SPEC, why))), None),
        }
    }
    for config in live(inputs.email) {
        let left_out = match TenantReceiver::email(config) {
            Err(why) => Err((condition::INVALID_ADDRESS, why)),
            Ok(_) if !base.sends_email() => Err((
                condition::SMTP_NOT_CONFIGURED,
                format!(
                    "the platform's Alertmanager has no SMTP settings (global smtp_smarthost and smtp_from in {}), so it sends no e-mail: ask a platform admin",
                    inputs.base_name
                ),
            )),
            Ok(receiver) => Ok(receiver),
        };
        match left_out {
            Ok(receiver) => decide(verdict(config, None), Some(receiver)),
            Err(why) => decide(verdict(config, Some(why)), None),
        }
    }
    for config in live(inputs.teams) {
        let native = inputs.options.teams == TeamsDelivery::Native;
        let namespace = config.meta().namespace.clone().unwrap_or_default();
        let url = native.then(|| (inputs.native_url)(&namespace, &config.name_any()));
        let left_out = match (config.spec.validate(), url) {
            (Err(why), _) => Some((condition::INVALID_SPEC, why)),
            (Ok(()), Some(None)) => Some((
                condition::WEBHOOK_SECRET_MISSING,
                format!(
                    "Secret '{}' holds no usable Workflows webhook URL under the key 'url' (see WebhookReady)",
                    config.spec.webhook_url_secret_name
                ),
            )),
            (Ok(()), Some(Some(url))) => check_webhook_url(&url)
                .err()
                .map(|why| (condition::INVALID_WEBHOOK_URL, why)),
            (Ok(()), None) => None,
        };
        match left_out {
            None => {
                let url = native
                    .then(|| (inputs.native_url)(&namespace, &config.name_any()))
                    .flatten();
                decide(
                    verdict(config, None),
                    Some(TenantReceiver::teams(config, url)),
                );
            }
            Some(why) => decide(verdict(config, Some(why)), None),
        }
    }
    verdicts.sort_by(|a, b| a.receiver.cmp(&b.receiver));
    let rendered = render(&base, &receivers, inputs.options)?;
    Ok(Plan {
        rendered: Some(rendered),
        verdicts,
        warnings: base.warnings(),
    })
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
mod tests;
