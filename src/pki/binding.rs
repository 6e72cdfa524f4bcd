//! What ties a client certificate to the Account it was issued for, beyond its CN: the
//! Account's UID in a non-critical extension under ike's OID ([`ACCOUNT_UID_OID`]), and the
//! Account's `certificatesValidAfter`. A certificate speaks for its account only while both
//! hold: an account deleted and created again under the same name has a new UID, and an admin
//! cuts off a lost device by moving `certificatesValidAfter` to now.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use rcgen::CustomExtension;
use x509_parser::certificate::X509Certificate;

use super::{CLOCK_SKEW, CertInfo};
use crate::api::consts::ACCOUNT_UID_OID;
use crate::util::time::rfc3339;

/// The account a certificate is issued to, or that a presented certificate must still speak
/// for: the live Account's name, UID and `certificatesValidAfter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountBinding<'a> {
    /// The account name: the certificate's CN, the Kubernetes user name.
    pub account: &'a str,
    /// The Account's `metadata.uid`.
    pub uid: &'a str,
    /// The Account's `certificatesValidAfter`: certificates issued before it do not count.
    pub valid_after: Option<SystemTime>,
}

/// Why a client certificate no longer speaks for the account it names. Each message is one line
/// for the certificate's holder; the account API sends it back as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// The certificate carries no account binding: ike's account API did not issue it (a
    /// cluster admin's certificate, one signed through the CSR API, one from before bindings).
    #[error(
        "this certificate was not issued by ike's account API, so it cannot be renewed or used here: log in with an enrollment token from a platform admin"
    )]
    Unbound,
    /// The certificate was issued to an earlier account of the same name, deleted since.
    #[error(
        "this certificate belongs to an earlier account named {account} that was deleted: log in with an enrollment token from a platform admin"
    )]
    OtherAccount {
        /// The account name.
        account: String,
    },
    /// The certificate was issued before the account's `certificatesValidAfter`.
    #[error(
        "a platform admin revoked the certificates of account {account} issued before {valid_after}: log in with an enrollment token from a platform admin"
    )]
    Revoked {
        /// The account name.
        account: String,
        /// `certificatesValidAfter`, RFC 3339.
        valid_after: String,
    },
}

/// Whether the certificate described by `info` still speaks for the live account `binding`:
/// it carries that account's UID and was issued (`notBefore` + [`CLOCK_SKEW`]) no earlier than
/// its `certificatesValidAfter`.
pub fn check_binding(info: &CertInfo, binding: &AccountBinding<'_>) -> Result<(), BindingError> {
    match info.account_uid.as_deref() {
        None => return Err(BindingError::Unbound),
        Some(uid) if uid != binding.uid => {
            return Err(BindingError::OtherAccount {
                account: binding.account.to_string(),
            });
        }
        Some(_) => {}
    }
    if let Some(valid_after) = binding.valid_after
        && issued_at(info) < valid_after
    {
        return Err(BindingError::Revoked {
            account: binding.account.to_string(),
            valid_after: rfc3339(valid_after),
        });
    }
    Ok(())
}

/// When a certificate of ike's was issued: its start of validity is backdated by [`CLOCK_SKEW`].
pub fn issued_at(info: &CertInfo) -> SystemTime {
    info.not_before + CLOCK_SKEW
}

/// The earliest start of validity a certificate issued at `now` may have so that it counts as
/// issued no earlier than `valid_after` (rounded up to a whole second, X.509's resolution).
/// Never later than `now`, so the certificate is valid at once; an admin's clock far ahead of
/// the server's can then still leave it revoked (see the README).
pub(super) fn earliest_not_before(
    valid_after: Option<SystemTime>,
    now: SystemTime,
) -> Option<SystemTime> {
    let valid_after = valid_after?.min(now + CLOCK_SKEW);
    let since_epoch = valid_after.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    let whole = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
    (SystemTime::UNIX_EPOCH + Duration::from_secs(whole)).checked_sub(CLOCK_SKEW)
}

/// [`ACCOUNT_UID_OID`]'s arcs.
static OID_ARCS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    ACCOUNT_UID_OID
        .split('.')
        .map(|arc| arc.parse().expect("ACCOUNT_UID_OID is a dotted OID"))
        .collect()
});

/// The extension carrying `uid`.
pub(super) fn extension(uid: &str) -> CustomExtension {
    CustomExtension::from_oid_content(&OID_ARCS, utf8_string(uid))
}

/// The account UID a certificate carries under [`ACCOUNT_UID_OID`], if it carries exactly one
/// that parses.
pub(super) fn account_uid(cert: &X509Certificate<'_>) -> Option<String> {
    let mut ours = cert.extensions().iter().filter(|e| {
        e.oid
            .iter()
            .is_some_and(|arcs| arcs.eq(OID_ARCS.iter().copied()))
    });
    let extension = ours.next()?;
    if ours.next().is_some() {
        return None;
    }
    parse_utf8_string(extension.value)
}

/// DER `UTF8String` (a UID is short: lengths up to 65535 bytes).
fn utf8_string(text: &str) -> Vec<u8> {
    let bytes = &text.as_bytes()[..text.len().min(usize::from(u16::MAX))];
    let mut out = vec![0x0c];
    match bytes.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n <= 0xff => out.extend([0x81, n as u8]),
        n => {
            out.push(0x82);
            out.extend((n as u16).to_be_bytes());
        }
    }
    out.extend_from_slice(bytes);
    out
}

fn parse_utf8_string(der: &[u8]) -> Option<String> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x0c {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        n if n < 0x80 => (usize::from(n), rest),
        0x81 => (usize::from(*rest.first()?), rest.get(1..)?),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.first()?, *rest.get(1)?])),
            rest.get(2..)?,
        ),
        _ => return None,
    };
    if rest.len() != len {
        return None;
    }
    String::from_utf8(rest.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testdata::*;
    use crate::pki::{cert_info, new_key_and_csr};

    fn binding(uid: &str, valid_after: Option<SystemTime>) -> AccountBinding<'_> {
        AccountBinding {
            account: "alice",
            uid,
            valid_after,
        }
    }

    #[test]
    fn an_issued_certificate_carries_the_uid_non_critically_under_ikes_oid() {
        let ca = test_ca();
        let csr = new_key_and_csr("alice").unwrap().1;
        let issued = ca
            .issue(&csr, &binding("0b2c-uid", None), HOUR, SystemTime::now())
            .unwrap();
        let der = der_of(&issued.cert_pem);
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        let ext = cert
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == ACCOUNT_UID_OID)
            .expect("the binding extension");
        assert!(!ext.critical);
        assert_eq!(parse_utf8_string(ext.value).as_deref(), Some("0b2c-uid"));

        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.account_uid.as_deref(), Some("0b2c-uid"));
        assert_eq!(check_binding(&info, &binding("0b2c-uid", None)), Ok(()));
    }

    #[test]
    fn a_certificate_of_another_uid_or_without_one_does_not_speak_for_the_account() {
        let ca = test_ca();
        let csr = new_key_and_csr("alice").unwrap().1;
        let issued = ca
            .issue(&csr, &binding("old-uid", None), HOUR, SystemTime::now())
            .unwrap();
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(
            check_binding(&info, &binding("new-uid", None)),
            Err(BindingError::OtherAccount {
                account: "alice".into()
            })
        );
        // A certificate signed by the same kind of CA without the extension (as
        // kube-controller-manager signs CSRs): not ike's.
        let unbound = cert_info(LEAF_CRT).unwrap();
        assert_eq!(unbound.account_uid, None);
        assert_eq!(
            check_binding(&unbound, &binding("new-uid", None)),
            Err(BindingError::Unbound)
        );
    }

    #[test]
    fn certificates_issued_before_valid_after_are_revoked_and_later_ones_are_not() {
        let ca = test_ca();
        let csr = new_key_and_csr("alice").unwrap().1;
        let t = now();
        let before = ca.issue(&csr, &binding("u", None), HOUR, t).unwrap();
        let info = cert_info(&before.cert_pem).unwrap();
        let revoked = binding("u", Some(t + Duration::from_secs(1)));
        assert!(matches!(
            check_binding(&info, &revoked),
            Err(BindingError::Revoked { .. })
        ));
        assert_eq!(check_binding(&info, &binding("u", Some(t))), Ok(()));

        // Issued in the same second as the revocation, after it: dated so that it counts.
        let during = t + Duration::from_millis(400);
        let after = ca.issue(&csr, &revoked, HOUR, during).unwrap();
        let info = cert_info(&after.cert_pem).unwrap();
        assert_eq!(check_binding(&info, &revoked), Ok(()));
        assert!(info.not_before <= during, "valid at once");

        // An admin's clock far ahead: the certificate is still valid at once.
        let ahead = binding("u", Some(t + Duration::from_secs(3600)));
        let info = cert_info(&ca.issue(&csr, &ahead, HOUR, t).unwrap().cert_pem).unwrap();
        assert!(info.not_before <= t);
    }

    #[test]
    fn utf8_strings_round_trip_and_garbage_reads_as_none() {
        for text in ["", "uid", &"x".repeat(200), &"y".repeat(70_000)] {
            let back = parse_utf8_string(&utf8_string(text)).unwrap();
            assert_eq!(back, text[..text.len().min(65_535)]);
        }
        for bad in [
            &b""[..],
            b"\x0c",
            b"\x0c\x05ab",
            b"\x04\x01a",
            b"\x0c\x83\x00\x00\x01a",
            b"\x0c\x02\xff\xfe",
        ] {
            assert_eq!(parse_utf8_string(bad), None, "{bad:?}");
        }
    }
}
