//! A client for commands that run for hours (`ike get -w`): it is built again, with the site's
//! renewed certificate, before the one it presents is due.
//!
//! kube builds its TLS identity once, when the client is made, and a watch is authenticated
//! when it starts: a watch made at 09:00 with a 12-hour certificate is refused at the first
//! re-watch after 21:00, and said nothing about it. Here each re-watch asks [`Renewing::lease`]
//! for the client: when the certificate is due (as the credential plugin judges it), it is
//! renewed first, with the same call `ike credential` makes, and the client is made again; the
//! lease says how long it may be used, so that a watch ends in time for the next to be made
//! with the renewed one. An API server that answers 401 anyway ([`Renewing::refused`]: a
//! certificate renewed by `ike login` elsewhere, a kubeconfig of the engineer's own whose exec
//! plugin hands out tokens) gets a new client at the next lease, at most every
//! [`REBUILD_AT_MOST_EVERY`].

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::identity;
use super::target::{ClientSettings, Site, Target};

/// How long after a failed renewal it is tried again (while the certificate holds).
pub const RETRY_RENEWAL: Duration = Duration::from_secs(60);
/// A refused client is made again at most this often.
pub const REBUILD_AT_MOST_EVERY: Duration = Duration::from_secs(10);

/// Changes a client's configuration before it is made (timeouts).
pub type Adjust = Arc<dyn Fn(&mut kube::Config) + Send + Sync>;

/// A client that is made again with a renewed certificate when its own is due.
pub struct Renewing {
    settings: ClientSettings,
    adjust: Adjust,
    state: tokio::sync::Mutex<State>,
}

struct State {
    client: kube::Client,
    site: Option<Site>,
    /// When the site's files are looked at again; `None`: not while the client works.
    check_at: Option<SystemTime>,
    /// When the client was last made again.
    rebuilt: Option<Instant>,
}

/// The client to use now.
pub struct Lease {
    /// The client.
    pub client: kube::Client,
    /// How long it may be used before a new lease is asked for; `None`: as long as it works.
    pub for_at_most: Option<Duration>,
}

/// Why no client can be leased.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The certificate expired (or is not valid yet) and could not be renewed.
    #[error(
        "the certificate for site '{site}' is not valid now and cannot be renewed: run 'ike login --site {site}' with a new token"
    )]
    Expired {
        /// The site.
        site: String,
    },
    /// The client could not be made again.
    #[error(transparent)]
    Target(#[from] super::kubeconfig::Error),
}

/// What to do with the site's certificate at a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Valid and not due: make the client again with it (another command may have renewed it)
    /// and look again when it is due.
    Use,
    /// Due: renew it first.
    Renew,
    /// Not valid now: nothing to present until `ike login` writes a new one.
    Expired,
}

/// What [`Renewing`] does with a certificate valid from `not_before` to `not_after` at `now`:
/// renewal is due from [`identity::renewal_time`] on, as for the credential plugin.
pub fn step(not_before: SystemTime, not_after: SystemTime, now: SystemTime) -> Step {
    if now < not_before || now >= not_after {
        Step::Expired
    } else if now >= identity::renewal_time(not_before, not_after) {
        Step::Renew
    } else {
        Step::Use
    }
}

/// When a certificate valid from `not_before` to `not_after` is looked at again: when renewal
/// is due, or, when it is due already (a renewal that failed), in [`RETRY_RENEWAL`], and never
/// after it expires.
pub fn check_at(not_before: SystemTime, not_after: SystemTime, now: SystemTime) -> SystemTime {
    let due = identity::renewal_time(not_before, not_after);
    let at = if due > now { due } else { now + RETRY_RENEWAL };
    at.min(not_after)
}

impl Renewing {
    /// Leases `target`'s client until its certificate is due; made again from `settings` and
    /// `adjust`, as `target` was ([`Target::resolve_with`]).
    pub fn new(target: &Target, settings: ClientSettings, adjust: Adjust) -> Self {
        let check_at = target
            .site
            .as_ref()
            .and_then(|site| certificate_check(site, SystemTime::now()));
        Self {
            settings,
            adjust,
            state: tokio::sync::Mutex::new(State {
                client: target.client.clone(),
                site: target.site.clone(),
                check_at,
                rebuilt: None,
            }),
        }
    }

    /// The client to use now, renewing the certificate and making the client again first when
    /// it is due. Watchers that ask at once wait for one renewal and share its client.
    pub async fn lease(&self) -> Result<Lease, Error> {
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        if state.check_at.is_some_and(|at| now >= at) {
            self.check(&mut state, now).await?;
        }
        let for_at_most = state
            .check_at
            .map(|at| at.duration_since(SystemTime::now()).unwrap_or_default());
        Ok(Lease {
            client: state.client.clone(),
            for_at_most,
        })
    }

    /// The API server refused the leased client's credentials (401): the next lease makes it
    /// again, unless it was made less than [`REBUILD_AT_MOST_EVERY`] ago (then after that).
    pub async fn refused(&self) {
        let mut state = self.state.lock().await;
        let wait = state
            .rebuilt
            .map(|at| REBUILD_AT_MOST_EVERY.saturating_sub(at.elapsed()))
            .unwrap_or_default();
        state.check_at = Some(SystemTime::now() + wait);
    }

    async fn check(&self, state: &mut State, now: SystemTime) -> Result<(), Error> {
        if let Some(site) = &state.site
            && let Ok(files) = site.files()
            && let Ok(info) = crate::pki::cert_info(&files.cert_pem)
        {
            match step(info.not_before, info.not_after, now) {
                Step::Use => {}
                Step::Expired => {
                    // Looked at again at every lease (a file read): `ike login` in another
                    // terminal writes a new one, and the watch goes on with it.
                    state.check_at = Some(now);
                    return Err(Error::Expired {
                        site: site.name.clone(),
                    });
                }
                Step::Renew => {
                    if let Err(e) = identity::renew(&self.settings.sites, &files).await {
                        // The current one still holds: keep using it, try again later.
                        tracing::warn!(
                            "renewal for site {} failed, using the current certificate: {e:#}",
                            site.name
                        );
                        state.check_at = Some(check_at(info.not_before, info.not_after, now));
                        return Ok(());
                    }
                }
            }
        }
        let adjust = self.adjust.clone();
        let target = Target::resolve_with(&self.settings, move |config| adjust(config)).await?;
        state.check_at = target
            .site
            .as_ref()
            .and_then(|site| certificate_check(site, SystemTime::now()));
        state.client = target.client;
        state.site = target.site;
        state.rebuilt = Some(Instant::now());
        Ok(())
    }
}

/// When `site`'s certificate on disk is looked at again; `None` when it has none ike can read.
fn certificate_check(site: &Site, now: SystemTime) -> Option<SystemTime> {
    let files = site.files().ok()?;
    let info = crate::pki::cert_info(&files.cert_pem).ok()?;
    Some(check_at(info.not_before, info.not_after, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Duration = Duration::from_secs(60);

    /// A certificate the account API issued at `at` for `lifetime` (valid from 5 minutes before).
    fn issued(at: SystemTime, lifetime: Duration) -> (SystemTime, SystemTime) {
        (at - crate::pki::CLOCK_SKEW, at + lifetime)
    }

    #[test]
    fn a_fresh_certificate_is_looked_at_again_when_renewal_is_due_and_then_renewed() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (nb, na) = issued(t0, 12 * 60 * M);
        assert_eq!(step(nb, na, t0 + M), Step::Use);
        let due = check_at(nb, na, t0 + M);
        // 30 % of twelve hours left: after 8 h 24 min.
        assert_eq!(due, t0 + Duration::from_secs(8 * 3600 + 24 * 60));
        assert_eq!(step(nb, na, due), Step::Renew);
        assert_eq!(step(nb, na, na + Duration::from_secs(1)), Step::Expired);
    }

    #[test]
    fn a_due_certificate_whose_renewal_failed_is_tried_again_later_but_never_after_it_expires() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (nb, na) = issued(t0, 12 * 60 * M);
        let late = t0 + 10 * 60 * M;
        assert_eq!(check_at(nb, na, late), late + RETRY_RENEWAL);
        let last_seconds = na - Duration::from_secs(20);
        assert_eq!(check_at(nb, na, last_seconds), na);
    }

    #[test]
    fn a_ninety_second_certificate_is_due_after_sixty_three_seconds() {
        // What the e2e test of a long watch logs in with.
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (nb, na) = issued(t0, Duration::from_secs(90));
        assert_eq!(check_at(nb, na, t0), t0 + Duration::from_secs(63));
    }
}
