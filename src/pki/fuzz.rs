//! Fuzzing what outsiders hand the PKI: CSRs (every enrollment and renewal carries one) and
//! certificates (every TLS peer presents one; `ike whoami` and the credential plugin read the
//! saved one). See [`crate::util::fuzz`] for the engine and how to run a million executions.

use std::time::Duration;

use base64::Engine as _;

use super::testdata::{now, test_ca};
use super::{ca_pin, cert_info, cert_info_der};
use crate::util::fuzz::{campaign, corpus};

/// DER is wrapped in PEM with `label`; what already looks like PEM is handed over as text.
fn as_pem(input: &[u8], label: &str) -> String {
    if input.starts_with(b"-----BEGIN") {
        return String::from_utf8_lossy(input).into_owned();
    }
    let body = base64::engine::general_purpose::STANDARD.encode(input);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

const DER_TOKENS: &[&[u8]] = &[
    &[0x30, 0x82, 0xff, 0xff],
    &[0x30, 0x80],
    &[0x06, 0x03, 0x55, 0x04, 0x03],
    &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
    &[
        0x0c, 0x0e, b's', b'y', b's', b't', b'e', b'm', b':', b'm', b'a', b's', b't', b'e', b'r',
        b's',
    ],
    &[
        0x17, 0x0d, b'9', b'9', b'1', b'2', b'3', b'1', b'2', b'3', b'5', b'9', b'5', b'9', b'Z',
    ],
    &[0x02, 0x00],
    &[0x03, 0x01, 0x00],
    b"-----BEGIN CERTIFICATE REQUEST-----\n",
    b"-----END CERTIFICATE REQUEST-----\n",
];

/// What the certificates issued here are bound to.
const ALICE: super::AccountBinding<'static> = super::AccountBinding {
    account: "alice",
    uid: "uid-alice",
    valid_after: None,
};

#[test]
fn fuzz_csr_issuing_never_panics_and_names_only_the_account() {
    let ca = test_ca();
    let extra = vec![super::new_key_and_csr("alice").unwrap().1.into_bytes()];
    let corpus = corpus("csr", extra);
    campaign("csr", &corpus, DER_TOKENS, 3_000, |input| {
        let pem = as_pem(input, "CERTIFICATE REQUEST");
        if let Ok(issued) = ca.issue(&pem, &ALICE, Duration::from_secs(3600), now()) {
            // Whatever the CSR asked, the certificate names the account and no group, and is
            // bound to the account's UID.
            let info = cert_info(&issued.cert_pem).unwrap();
            assert_eq!(info.common_name.as_deref(), Some("alice"));
            assert!(info.organizations.is_empty());
            assert_eq!(info.account_uid.as_deref(), Some(ALICE.uid));
        }
    });
}

#[test]
fn fuzz_certificate_reading_never_panics() {
    let ca = test_ca();
    let (_, csr) = super::new_key_and_csr("alice").unwrap();
    let issued = ca
        .issue(&csr, &ALICE, Duration::from_secs(3600), now())
        .unwrap();
    let corpus = corpus(
        "certificate",
        vec![
            issued.cert_pem.into_bytes(),
            ca.cert_pem().as_bytes().to_vec(),
        ],
    );
    campaign("certificate", &corpus, DER_TOKENS, 5_000, |input| {
        let pem = as_pem(input, "CERTIFICATE");
        let _ = cert_info(&pem);
        let _ = ca_pin(&pem);
        let _ = cert_info_der(input);
    });
}
