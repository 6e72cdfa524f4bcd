//! One delivery: the config and its Secret read now, then Barry's channels or the Teams card,
//! and an [`Outcome`] whose message holds no secret and nothing the receiving system said
//! beyond its status.

use axum::http::StatusCode;
use kube::Api;

use super::{Outcome, Relay};
use crate::api::{BarryConfig, TeamsConfig, condition};
use crate::controller::notify::barry::{self, Barry};
use crate::controller::notify::payload::Payload;
use crate::controller::notify::secrets::{self, Redactor};
use crate::controller::notify::{channels, teams};

fn alerts(payload: &Payload) -> String {
    match payload.alerts.len() {
        1 => "1 alert".into(),
        n => format!("{n} alerts"),
    }
}

impl Relay {
    /// Redacts the relay token, and `secret` when given.
    fn redactor(&self, secret: Option<&secrets::SecretValue>) -> Redactor {
        let redactor = Redactor::default().with(&self.notify.settings.relay.token);
        match secret {
            Some(secret) => redactor.with(secret),
            None => redactor,
        }
    }

    /// The notification config `name`, read now: `None` when it is gone, `Err` the outcome to
    /// report (with `unreachable` as its reason) when it cannot be read.
    async fn config<K>(
        &self,
        namespace: &str,
        name: &str,
        unreachable: &'static str,
    ) -> Result<Option<K>, Outcome>
    where
        K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + std::fmt::Debug
            + serde::de::DeserializeOwned,
    {
        let api: Api<K> = Api::namespaced(self.notify.client.clone(), namespace);
        api.get_opt(name).await.map_err(|e| {
            let message = format!(
                "cannot read the {}: {}",
                K::kind(&()),
                crate::controller::runtime::chain(&e)
            );
            Outcome::failed(unreachable, message)
        })
    }

    /// Value `key` of the Secret a config names, read now; `Err` the outcome to report: the
    /// missing piece's reason, else `unreachable`.
    async fn secret(
        &self,
        namespace: &str,
        secret: &str,
        key: &str,
        unreachable: &'static str,
    ) -> Result<secrets::SecretValue, Outcome> {
        secrets::read(&self.notify.client, namespace, secret, key)
            .await
            .map_err(|e| {
                let reason = if e.is_missing() {
                    e.reason(key)
                } else {
                    unreachable
                };
                Outcome::failed(reason, format!("{e}; Alertmanager will send again"))
            })
    }

    /// Delivers to every channel of the BarryConfig; `None` when the config is gone.
    pub(super) async fn to_barry(
        &self,
        namespace: &str,
        name: &str,
        payload: &Payload,
    ) -> Option<Outcome> {
        let unreachable = condition::BARRY_UNREACHABLE;
        let config: BarryConfig = match self.config(namespace, name, unreachable).await {
            Ok(config) => config?,
            Err(outcome) => return Some(outcome),
        };
        let Some(barry) = &self.notify.barry else {
            return Some(Outcome::failed(
                condition::BARRY_NOT_CONFIGURED,
                "this site's ike-controller has no Barry URL (--barry-url): ask a platform admin"
                    .into(),
            ));
        };
        let secret = &config.spec.token_secret_name;
        let token = match self.secret(namespace, secret, "token", unreachable).await {
            Ok(token) => token,
            Err(outcome) => return Some(outcome),
        };
        let redactor = self.redactor(Some(&token));
        let mut outcome =
            deliver_to_channels(barry.as_ref(), token.expose(), &config, payload).await;
        outcome.message = redactor.redact(&outcome.message);
        Some(outcome)
    }

    /// Posts the card to the TeamsConfig's webhook; `None` when the config is gone.
    pub(super) async fn to_teams(
        &self,
        namespace: &str,
        name: &str,
        payload: &Payload,
    ) -> Option<Outcome> {
        let unreachable = condition::TEAMS_UNREACHABLE;
        let config: TeamsConfig = match self.config(namespace, name, unreachable).await {
            Ok(config) => config?,
            Err(outcome) => return Some(outcome),
        };
        let secret = &config.spec.webhook_url_secret_name;
        let url = match self.secret(namespace, secret, "url", unreachable).await {
            Ok(url) => url,
            Err(outcome) => return Some(outcome),
        };
        let redactor = self.redactor(Some(&url));
        if let Err(why) = teams::check_webhook_url(url.expose()) {
            return Some(Outcome::failed(
                condition::INVALID_WEBHOOK_URL,
                redactor.redact(&why),
            ));
        }
        let card = teams::card(payload);
        let outcome = match teams::post_card(&self.notify.teams_client, url.expose(), &card).await {
            Ok(()) => Outcome::delivered(format!(
                "{} delivered to Teams as an Adaptive Card",
                alerts(payload)
            )),
            Err(e) => {
                let message = crate::controller::runtime::chain(&e);
                match e {
                    teams::Error::Rejected { .. } => Outcome::rejected(message),
                    _ => Outcome::failed(e.reason(), message),
                }
            }
        };
        Some(Outcome {
            message: redactor.redact(&outcome.message),
            ..outcome
        })
    }
}

/// Posts `payload` to every channel of `config`, opening (and muting as the spec says) a
/// channel the status does not know or Barry no longer knows, before posting to it.
async fn deliver_to_channels(
    barry: &dyn Barry,
    token: &str,
    config: &BarryConfig,
    payload: &Payload,
) -> Outcome {
    let known: Vec<_> = config.status.iter().flat_map(|s| &s.channels).collect();
    let mut delivered = Vec::new();
    for channel in &config.spec.channels {
        let known = known.iter().find(|k| k.name == channel.name);
        let mut id = match known {
            Some(k) => k.channel_id.clone(),
            // Not opened yet (Barry was down when the config came): open it now.
            None => match channels::open(barry, token, channel).await {
                Ok(c) => c.id,
                Err(e) => return failure(&channel.name, &delivered, &e),
            },
        };
        let mut posted = barry.post_alerts(token, &id, payload).await;
        // A channel id in the status that Barry no longer knows: open it by name again, muted
        // as the config asks before anything is posted to it.
        if known.is_some() && posted.as_ref().is_err_and(is_unknown_channel) {
            match channels::open(barry, token, channel).await {
                Ok(c) => id = c.id,
                Err(e) => return failure(&channel.name, &delivered, &e),
            }
            posted = barry.post_alerts(token, &id, payload).await;
        }
        if let Err(e) = posted {
            return failure(&channel.name, &delivered, &e);
        }
        delivered.push(format!("{} ({id})", channel.name));
    }
    Outcome::delivered(format!(
        "{} delivered to Barry channels {}",
        alerts(payload),
        delivered.join(", ")
    ))
}

fn is_unknown_channel(e: &barry::Error) -> bool {
    matches!(e, barry::Error::Rejected { status } if *status == StatusCode::NOT_FOUND)
}

fn failure(channel: &str, delivered: &[String], e: &barry::Error) -> Outcome {
    let before = if delivered.is_empty() {
        String::new()
    } else {
        format!(" (delivered to {} before)", delivered.join(", "))
    };
    let message = format!("channel '{channel}': {}{before}", e.hint());
    match e {
        barry::Error::Rejected { .. } => Outcome::rejected(message),
        _ => Outcome::failed(e.reason(), message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BarryChannel, BarryChannelStatus, BarryConfigSpec, BarryConfigStatus};
    use crate::controller::notify::barry::memory::Memory;

    #[tokio::test]
    async fn a_channel_opened_again_after_a_404_keeps_its_mute_before_anything_is_posted() {
        let barry = Memory::default();
        let mut config = BarryConfig::new(
            "oncall",
            BarryConfigSpec {
                channels: vec![BarryChannel {
                    name: "quiet".into(),
                    mute: true,
                }],
                token_secret_name: "barry".into(),
            },
        );
        // The status knows a channel id Barry has forgotten.
        config.status = Some(BarryConfigStatus {
            channels: vec![BarryChannelStatus {
                name: "quiet".into(),
                channel_id: "ch-gone".into(),
                muted: true,
            }],
            ..Default::default()
        });
        let payload = crate::controller::notify::payload::tests::sample();
        let outcome = deliver_to_channels(&barry, "t", &config, &payload).await;
        assert_eq!(outcome.reason, condition::ACCEPTED, "{}", outcome.message);
        assert_eq!(
            *barry.calls.lock().unwrap(),
            [
                "ensure quiet",
                "open ch-1",
                "mute ch-1 true",
                "post ch-1 recorded"
            ]
        );
        // The neighbour: an unmuted channel is posted to as it is, and pages.
        config.spec.channels[0].mute = false;
        barry.channels.lock().unwrap().clear();
        barry.calls.lock().unwrap().clear();
        deliver_to_channels(&barry, "t", &config, &payload).await;
        assert_eq!(
            *barry.calls.lock().unwrap(),
            ["ensure quiet", "open ch-1", "post ch-1 paged"]
        );
    }
}
