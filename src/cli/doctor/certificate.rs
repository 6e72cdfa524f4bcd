//! Checks 2 and 3: the certificate on disk, the clock against the API server's, and the
//! account API's view of the account.

use std::time::{Duration, SystemTime};

use super::TIMEOUT;
use super::report::{Check, error_chain};
use crate::api::wire::WhoamiResponse;
use crate::client::identity::{self, Freshness};
use crate::client::site_files::SiteFiles;
use crate::util::time::{human, rfc3339};

/// Clock skew beyond this is worth a warning: logs and expiry times stop lining up.
const SKEW_WARN: Duration = Duration::from_secs(5);

/// Clock skew beyond this fails. Certificates start 5 minutes before they are issued
/// ([`crate::pki::CLOCK_SKEW`]), so a minute is still safe for them, but a clock that far off is
/// broken, and the margin shrinks to nothing long before a new certificate looks "not yet
/// valid" here.
const SKEW_FAIL: Duration = Duration::from_secs(60);

/// Judges the site's certificate at `now`: it parses, names `account`, and is valid.
pub fn judge_certificate(cert_pem: &str, account: &str, site: &str, now: SystemTime) -> Check {
    const CHECK: &str = "certificate";
    let relogin = format!("run 'ike login --site {site} --token TOKEN' with a new token");
    let info = match crate::pki::cert_info(cert_pem) {
        Ok(info) => info,
        Err(e) => {
            return Check::fail(
                CHECK,
                format!(
                    "cannot read your certificate ({}): {relogin}",
                    error_chain(&e)
                ),
            );
        }
    };
    let cn = info.common_name.clone().unwrap_or_default();
    if cn != account {
        return Check::fail(
            CHECK,
            format!("the certificate is for CN={cn:?}, not account {account:?}: {relogin}"),
        );
    }
    let expires = rfc3339(info.not_after);
    match identity::freshness(info.not_before, info.not_after, now, None) {
        Freshness::Expired if now < info.not_before => Check::fail(
            CHECK,
            format!(
                "not valid before {}: this machine's clock is behind",
                rfc3339(info.not_before)
            ),
        ),
        Freshness::Expired => Check::fail(CHECK, format!("expired at {expires}: {relogin}")),
        Freshness::RenewalDue => Check::warn(
            CHECK,
            format!(
                "CN={cn}, expires {expires} (in {}): renewal is due; the next kubectl or ike call renews it",
                human(info.not_after.duration_since(now).unwrap_or_default())
            ),
        ),
        Freshness::Fresh if !info.organizations.is_empty() => Check::warn(
            CHECK,
            format!(
                "CN={cn} also carries groups O={} that ike never issues: {relogin}",
                info.organizations.join(",")
            ),
        ),
        Freshness::Fresh => Check::pass(
            CHECK,
            format!(
                "CN={cn}, serial {}, expires {expires} (in {})",
                info.serial,
                human(info.not_after.duration_since(now).unwrap_or_default())
            ),
        ),
    }
}

/// Parses an HTTP `Date` header (IMF-fixdate, RFC 9110), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(value.trim(), format)
        .ok()
        .map(|t| t.assume_utc().into())
}

/// Judges the clock from the API server's `Date` header and the local time the answer came at.
/// The header has whole seconds, so the server's time is taken as the middle of its second.
pub fn judge_clock(date: Option<&str>, local: SystemTime) -> Check {
    const CHECK: &str = "clock";
    let Some(date) = date else {
        return Check::warn(
            CHECK,
            "the API server sent no Date header: cannot compare clocks",
        );
    };
    let Some(server) = parse_http_date(date) else {
        return Check::warn(
            CHECK,
            format!("cannot read the API server's Date header {date:?}"),
        );
    };
    let server = server + Duration::from_millis(500);
    let (skew, direction) = match local.duration_since(server) {
        Ok(ahead) => (ahead, "ahead of"),
        Err(behind) => (behind.duration(), "behind"),
    };
    let amount = format!("{:.1}s", skew.as_secs_f64());
    if skew > SKEW_FAIL {
        Check::fail(
            CHECK,
            format!(
                "this machine's clock is {amount} {direction} the API server's: certificate expiry and renewal go wrong; sync it (e.g. with NTP)"
            ),
        )
    } else if skew > SKEW_WARN {
        Check::warn(
            CHECK,
            format!(
                "this machine's clock is {amount} {direction} the API server's: sync it (e.g. with NTP)"
            ),
        )
    } else {
        Check::pass(CHECK, format!("within {amount} of the API server's clock"))
    }
}

/// Asks the account API who the caller is, bounded by [`TIMEOUT`].
pub async fn whoami(files: &SiteFiles) -> Result<WhoamiResponse, String> {
    let client = identity::client(files).map_err(|e| error_chain(&e))?;
    // The client bounds each exchange by TIMEOUT itself; this also bounds connecting.
    match tokio::time::timeout(TIMEOUT + Duration::from_secs(1), client.whoami()).await {
        Ok(answer) => answer.map_err(|e| error_chain(&e)),
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

/// Judges the account API's answer to whoami.
pub fn judge_whoami(answer: &Result<WhoamiResponse, String>, url: &str, site: &str) -> Check {
    const CHECK: &str = "account-api";
    match answer {
        Err(e) => Check::fail(
            CHECK,
            format!(
                "{url} does not answer whoami: {e}; if your certificate expired, run 'ike login --site {site}'"
            ),
        ),
        Ok(who) if who.disabled => Check::fail(
            CHECK,
            format!(
                "your account {} is disabled: ask a platform admin",
                who.account
            ),
        ),
        Ok(who) => {
            let tenants = if who.tenants.is_empty() {
                "no tenant".to_string()
            } else {
                who.tenants
                    .iter()
                    .map(|t| format!("{} ({})", t.tenant, t.role))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Check::pass(
                CHECK,
                format!(
                    "{url} knows you as {}{}, {tenants}",
                    who.account,
                    if who.admin { " (admin)" } else { "" }
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::Outcome;

    const H: Duration = Duration::from_secs(3600);

    #[test]
    fn http_dates_parse_as_utc() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs(),
            784_111_777
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn clock_skew_warns_beyond_five_seconds_and_fails_beyond_a_minute() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let server = parse_http_date(date).unwrap() + Duration::from_millis(500);
        let at = |secs: i64| {
            if secs >= 0 {
                server + Duration::from_secs(secs as u64)
            } else {
                server - Duration::from_secs((-secs) as u64)
            }
        };
        assert_eq!(judge_clock(Some(date), at(0)).result, Outcome::Pass);
        assert_eq!(judge_clock(Some(date), at(-5)).result, Outcome::Pass);
        assert_eq!(judge_clock(Some(date), at(6)).result, Outcome::Warn);
        assert_eq!(judge_clock(Some(date), at(-60)).result, Outcome::Warn);
        let behind = judge_clock(Some(date), at(-61));
        assert_eq!(behind.result, Outcome::Fail);
        assert!(behind.detail.contains("61.0s behind"), "{}", behind.detail);
        let ahead = judge_clock(Some(date), at(3600));
        assert!(ahead.detail.contains("ahead of"), "{}", ahead.detail);
        assert_eq!(judge_clock(None, at(0)).result, Outcome::Warn);
        assert_eq!(judge_clock(Some("soon"), at(0)).result, Outcome::Warn);
    }

    fn certificate(account: &str, now: SystemTime) -> String {
        let (ca, _key) = crate::pki::AccountCa::generate("test-ca", 100 * H, now).unwrap();
        let (_, csr) = crate::pki::new_key_and_csr(account).unwrap();
        let to = crate::pki::AccountBinding {
            account,
            uid: "test-uid",
            valid_after: None,
        };
        ca.issue(&csr, &to, 12 * H, now).unwrap().cert_pem
    }

    #[test]
    fn the_certificate_must_name_the_account_and_be_valid() {
        let now = SystemTime::now();
        let pem = certificate("alice", now);
        let fresh = judge_certificate(&pem, "alice", "tokyo", now + H);
        assert_eq!(fresh.result, Outcome::Pass, "{}", fresh.detail);
        assert!(
            fresh.detail.starts_with("CN=alice, serial "),
            "{}",
            fresh.detail
        );
        let due = judge_certificate(&pem, "alice", "tokyo", now + 10 * H);
        assert_eq!(due.result, Outcome::Warn, "{}", due.detail);
        assert!(due.detail.contains("renewal is due"), "{}", due.detail);
        let expired = judge_certificate(&pem, "alice", "tokyo", now + 13 * H);
        assert_eq!(expired.result, Outcome::Fail);
        assert!(
            expired.detail.contains("ike login --site tokyo"),
            "{}",
            expired.detail
        );
        let early = judge_certificate(&pem, "alice", "tokyo", now - H);
        assert_eq!(early.result, Outcome::Fail);
        assert!(early.detail.contains("clock is behind"), "{}", early.detail);
        let other = judge_certificate(&pem, "bob", "tokyo", now);
        assert_eq!(other.result, Outcome::Fail);
        assert!(
            other.detail.contains("not account \"bob\""),
            "{}",
            other.detail
        );
        let garbage = judge_certificate("junk", "alice", "tokyo", now);
        assert_eq!(garbage.result, Outcome::Fail);
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human(Duration::from_secs(12)), "12s");
        assert_eq!(human(Duration::from_secs(250)), "4m 10s");
        assert_eq!(human(12 * H - Duration::from_secs(60)), "11h 59m");
        assert_eq!(human(50 * H), "2d 2h");
    }
}
