//! The account's certificate on this machine: first enrollment, renewal, and the exec
//! credential that kubectl asks `ike credential` for.
//!
//! A new key pair is made for every certificate, on this machine; only its CSR is sent.

use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::account_client::{self, AccountClient, Identity};
use super::site_files::{SiteFiles, SiteSettings, SiteStore};
use crate::api::wire::{EnrollRequest, IssueResponse, RenewRequest};
use crate::pki::CLOCK_SKEW;
use crate::util::time::rfc3339;

/// How long one account API exchange may take: the credential plugin must never block kubectl.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Renew once less than this share of the certificate's lifetime is left (like the kubelet,
/// which rotates at 70–90 % of the lifetime).
pub const RENEW_AT_REMAINING: f64 = 0.3;

/// The shortest time kubectl is told to use a credential before asking the plugin again.
pub const MIN_REFRESH: Duration = Duration::from_secs(30);

/// The state of a certificate at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Valid and not close to expiry.
    Fresh,
    /// Valid, but renewal is due.
    RenewalDue,
    /// Expired (or not yet valid).
    Expired,
}

/// How long a certificate valid from `not_before` to `not_after` was issued for: ike backdates
/// the start by [`CLOCK_SKEW`] for clients whose clocks lag, which is not lifetime (counted in,
/// it made a 2-minute certificate look due for renewal the moment it was issued).
pub fn lifetime(not_before: SystemTime, not_after: SystemTime) -> Duration {
    let issued = not_before + CLOCK_SKEW;
    let from = if issued < not_after {
        issued
    } else {
        not_before
    };
    not_after.duration_since(from).unwrap_or(Duration::ZERO)
}

/// Judges a certificate valid from `not_before` to `not_after` at `now`; `renew_within`
/// forces renewal when less than that is left.
pub fn freshness(
    not_before: SystemTime,
    not_after: SystemTime,
    now: SystemTime,
    renew_within: Option<Duration>,
) -> Freshness {
    let Ok(remaining) = not_after.duration_since(now) else {
        return Freshness::Expired;
    };
    if now < not_before {
        return Freshness::Expired;
    }
    let lifetime = lifetime(not_before, not_after);
    let due_share = remaining.as_secs_f64() < lifetime.as_secs_f64() * RENEW_AT_REMAINING;
    let due_forced = renew_within.is_some_and(|w| remaining < w);
    if due_share || due_forced {
        Freshness::RenewalDue
    } else {
        Freshness::Fresh
    }
}

/// A client of the site's account API that presents the account's current certificate.
pub fn client(files: &SiteFiles) -> Result<AccountClient, account_client::Error> {
    AccountClient::new(
        &files.settings.account_api,
        Some(&files.ca_pem),
        Some(Identity {
            cert_pem: &files.cert_pem,
            key_pem: &files.key_pem,
        }),
        TIMEOUT,
    )
}

/// Enrolls with a one-time token; returns the files to save (nothing is saved here).
pub async fn enroll(
    site: &str,
    account_api: &str,
    ca_pem: Option<&str>,
    token: &str,
    ttl: Option<Duration>,
) -> anyhow::Result<(SiteFiles, IssueResponse)> {
    let client = AccountClient::new(account_api, ca_pem, None, TIMEOUT)?;
    let (key_pem, csr) = crate::pki::new_key_and_csr(site)?;
    let issued = client
        .enroll(&EnrollRequest {
            token: token.to_string(),
            csr,
            ttl_seconds: ttl.map(|t| t.as_secs()),
        })
        .await?;
    let files = SiteFiles {
        settings: SiteSettings {
            site: site.to_string(),
            account_api: account_api.to_string(),
            api_server: issued.api_server.clone(),
            account: issued.account.clone(),
            ttl_seconds: ttl.map(|t| t.as_secs()),
        },
        ca_pem: issued.ca_certificate.clone(),
        key_pem,
        cert_pem: issued.certificate.clone(),
    };
    Ok((files, issued))
}

/// Renews the site's certificate with the current one, for the lifetime chosen at login (the
/// site's default when none was), and saves the new key and certificate.
pub async fn renew(
    store: &SiteStore,
    files: &SiteFiles,
) -> anyhow::Result<(SiteFiles, IssueResponse)> {
    let client = client(files)?;
    // The key pair and the atomic save (an fsync) run on the blocking pool: `ike login --all`
    // renews many sites on one thread, and they must not wait for each other's CPU and disk.
    let account = files.settings.account.clone();
    let (key_pem, csr) =
        tokio::task::spawn_blocking(move || crate::pki::new_key_and_csr(&account)).await??;
    let issued = client
        .renew(&RenewRequest {
            csr,
            ttl_seconds: files.settings.ttl_seconds,
        })
        .await?;
    let (saver, site, key, cert) = (
        store.clone(),
        files.settings.site.clone(),
        key_pem.clone(),
        issued.certificate.clone(),
    );
    tokio::task::spawn_blocking(move || saver.save_identity(&site, &key, &cert)).await??;
    let mut renewed = files.clone();
    renewed.key_pem = key_pem;
    renewed.cert_pem = issued.certificate.clone();
    Ok((renewed, issued))
}

/// The `client.authentication.k8s.io/v1` ExecCredential kubectl reads from the plugin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecCredential {
    api_version: &'static str,
    kind: &'static str,
    status: ExecCredentialStatus,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredentialStatus {
    expiration_timestamp: String,
    client_certificate_data: String,
    client_key_data: String,
}

impl ExecCredential {
    /// The credential for a certificate and key. `refresh_at` is when kubectl should ask again
    /// (when renewal becomes due), so long-running clients renew too.
    pub fn new(cert_pem: &str, key_pem: &str, refresh_at: SystemTime) -> Self {
        Self {
            api_version: "client.authentication.k8s.io/v1",
            kind: "ExecCredential",
            status: ExecCredentialStatus {
                expiration_timestamp: rfc3339(refresh_at),
                client_certificate_data: cert_pem.to_string(),
                client_key_data: key_pem.to_string(),
            },
        }
    }
}

/// When renewal becomes due for a certificate valid from `not_before` to `not_after`.
pub fn renewal_time(not_before: SystemTime, not_after: SystemTime) -> SystemTime {
    not_after - lifetime(not_before, not_after).mul_f64(RENEW_AT_REMAINING)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: Duration = Duration::from_secs(3600);

    #[test]
    fn a_short_lifetime_is_measured_without_the_backdating_and_is_fresh_when_issued() {
        // What the account API issues at `now` for 2 minutes: valid from now - 5 min.
        let now = SystemTime::UNIX_EPOCH + 1000 * H;
        let two_minutes = Duration::from_secs(120);
        let (start, end) = (now - CLOCK_SKEW, now + two_minutes);
        assert_eq!(lifetime(start, end), two_minutes);
        assert_eq!(freshness(start, end, now, None), Freshness::Fresh);
        assert_eq!(
            freshness(start, end, now + Duration::from_secs(80), None),
            Freshness::Fresh
        );
        assert_eq!(
            freshness(start, end, now + Duration::from_secs(90), None),
            Freshness::RenewalDue
        );
        assert_eq!(renewal_time(start, end), now + Duration::from_secs(84));
    }

    #[test]
    fn renewal_is_due_in_the_last_thirty_percent_of_the_lifetime() {
        let start = SystemTime::UNIX_EPOCH + 1000 * H - CLOCK_SKEW;
        let end = start + CLOCK_SKEW + 10 * H;
        assert_eq!(freshness(start, end, start + H, None), Freshness::Fresh);
        assert_eq!(freshness(start, end, start + 6 * H, None), Freshness::Fresh);
        assert_eq!(
            freshness(start, end, start + 8 * H, None),
            Freshness::RenewalDue
        );
        assert_eq!(freshness(start, end, end + H, None), Freshness::Expired);
        assert_eq!(freshness(start, end, start - H, None), Freshness::Expired);
        assert_eq!(
            freshness(start, end, start + H, Some(10 * H)),
            Freshness::RenewalDue
        );
        assert_eq!(renewal_time(start, end), start + CLOCK_SKEW + 7 * H);
    }

    #[test]
    fn exec_credential_is_what_kubectl_expects() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let json = serde_json::to_value(ExecCredential::new("C", "K", t)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "apiVersion": "client.authentication.k8s.io/v1",
                "kind": "ExecCredential",
                "status": {
                    "expirationTimestamp": "2027-01-15T08:00:00Z",
                    "clientCertificateData": "C",
                    "clientKeyData": "K"
                }
            })
        );
    }
}
