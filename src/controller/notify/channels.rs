//! A BarryConfig's channels in Barry: each opened by name (create or get) and given the wanted
//! mute state.
//!
//! A channel taken off the spec is left as it is in Barry: ike stops posting to it, but Barry
//! names channels per token account, so another BarryConfig with the same token (another
//! namespace of the same team) may still use it, and muting or deleting it would silence that
//! one too. The contract has no delete for the same reason.

use super::barry::{self, Barry};
use crate::api::{BarryChannel, BarryChannelStatus};

/// What syncing found: the channels as Barry has them now, and the first failure.
#[derive(Debug)]
pub struct Synced {
    /// The channels opened, in spec order, up to the first failure.
    pub channels: Vec<BarryChannelStatus>,
    /// The channel that failed and why; the ones after it were not tried.
    pub failed: Option<(String, barry::Error)>,
}

/// Opens the channel `want` with `token` (create or get) and gives it the wanted mute state
/// where Barry's differs, before anything is posted to it: a channel Barry opens anew is
/// unmuted, and an alert posted to it first would page people the config keeps quiet.
pub async fn open(
    barry: &dyn Barry,
    token: &str,
    want: &BarryChannel,
) -> Result<barry::Channel, barry::Error> {
    let channel = barry.ensure_channel(token, &want.name).await?;
    if channel.muted == want.mute {
        return Ok(channel);
    }
    barry.set_mute(token, &channel.id, want.mute).await
}

/// Opens every channel of `wanted` with `token` and sets its mute state where Barry's differs.
pub async fn sync(barry: &dyn Barry, token: &str, wanted: &[BarryChannel]) -> Synced {
    let mut channels = Vec::new();
    for want in wanted {
        match open(barry, token, want).await {
            Ok(channel) => channels.push(BarryChannelStatus {
                name: want.name.clone(),
                channel_id: channel.id,
                muted: channel.muted,
            }),
            Err(e) => {
                return Synced {
                    channels,
                    failed: Some((want.name.clone(), e)),
                };
            }
        }
    }
    Synced {
        channels,
        failed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::notify::barry::memory::Memory;

    fn channel(name: &str, mute: bool) -> BarryChannel {
        BarryChannel {
            name: name.into(),
            mute,
        }
    }

    #[tokio::test]
    async fn channels_are_opened_and_muted_only_where_barry_differs() {
        let barry = Memory::default();
        let wanted = [channel("a", true), channel("b", false)];
        let synced = sync(&barry, "t", &wanted).await;
        assert!(synced.failed.is_none());
        assert_eq!(
            synced.channels,
            [
                BarryChannelStatus {
                    name: "a".into(),
                    channel_id: "ch-1".into(),
                    muted: true
                },
                BarryChannelStatus {
                    name: "b".into(),
                    channel_id: "ch-2".into(),
                    muted: false
                },
            ]
        );
        barry.calls.lock().unwrap().clear();
        sync(&barry, "t", &wanted).await;
        assert_eq!(*barry.calls.lock().unwrap(), ["ensure a", "ensure b"]);
        sync(&barry, "t", &[channel("a", false)]).await;
        assert!(
            barry
                .calls
                .lock()
                .unwrap()
                .contains(&"mute ch-1 false".to_string())
        );
    }

    #[tokio::test]
    async fn the_first_failing_channel_stops_the_sync_and_is_named() {
        let barry = Memory {
            refuse: Some("b"),
            ..Default::default()
        };
        let synced = sync(&barry, "t", &[channel("a", false), channel("b", false)]).await;
        assert_eq!(synced.channels.len(), 1);
        let (name, err) = synced.failed.unwrap();
        assert_eq!(name, "b");
        assert_eq!(err.reason(), "Rejected");
    }
}
