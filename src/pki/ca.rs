//! The account CA: client certificates for accounts and the account API's serving certificate.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PublicKeyData as _, SanType,
};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, CertificateSigningRequestDer};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

use super::binding::{self, AccountBinding};
use super::csr::verified_csr_key;
use super::{
    CsrError, Issued, MAX_TTL, MIN_TTL, PkiError, ca_validity, common_name_only, nom_error,
    pem_encode, random_serial, validity,
};
use crate::api::names;

/// The signing CA of the account API: the cluster's client CA, so that what it issues
/// kube-apiserver accepts as user `CN=<account>`.
pub struct AccountCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
}

impl std::fmt::Debug for AccountCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("AccountCa").finish_non_exhaustive()
    }
}

impl AccountCa {
    /// Loads the CA from its certificate and its unencrypted PKCS#8 key (ECDSA P-256/P-384, RSA
    /// or Ed25519), both PEM. Refuses a certificate that is not a CA and a key that is not the
    /// certificate's.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, PkiError> {
        let der = CertificateDer::from_pem_slice(cert_pem.as_bytes())
            .map_err(PkiError::CaCertificatePem)?;
        let (_, cert) =
            X509Certificate::from_der(&der).map_err(|e| PkiError::CaCertificate(nom_error(e)))?;
        let is_ca = cert
            .basic_constraints()
            .map_err(PkiError::CaCertificate)?
            .is_some_and(|bc| bc.value.ca);
        if !is_ca {
            return Err(PkiError::NotACa);
        }
        let key = KeyPair::from_pem(key_pem).map_err(PkiError::CaKey)?;
        if key.subject_public_key_info() != cert.public_key().raw {
            return Err(PkiError::CaKeyMismatch);
        }
        let issuer = Issuer::from_ca_cert_der(&der, key).map_err(PkiError::CaIssuer)?;
        let cert_pem = pem_encode("CERTIFICATE", &der);
        Ok(Self { issuer, cert_pem })
    }

    /// A new self-signed ECDSA P-256 CA valid from `now - CLOCK_SKEW` for `ttl`, with its key as
    /// PKCS#8 PEM. For tests and throwaway sites; a real site brings the cluster's client CA.
    pub fn generate(
        common_name: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<(Self, String), PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|source| {
            PkiError::Generate {
                what: "CA key",
                source,
            }
        })?;
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name_only(common_name);
        params.serial_number = Some(random_serial()?.0);
        (params.not_before, params.not_after) = ca_validity(now, ttl)?;
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params
            .self_signed(&key)
            .map_err(|source| PkiError::Generate {
                what: "CA certificate",
                source,
            })?;
        let key_pem = key.serialize_pem();
        let ca = Self::from_pem(&pem_encode("CERTIFICATE", cert.der()), &key_pem)?;
        Ok((ca, key_pem))
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Validates `csr_pem` and issues a client certificate for `to.account`, valid from
    /// `now - CLOCK_SKEW` (later when `to.valid_after` asks, see
    /// [`binding`](super::binding)) to `now + ttl`.
    ///
    /// The server decides everything: the subject is exactly `CN=<account>`; no SANs and no
    /// extension comes from the CSR; key usage is digitalSignature (plus keyEncipherment for RSA),
    /// extended key usage clientAuth only, basicConstraints CA:FALSE; the serial is random; the
    /// account's UID is in the non-critical extension [`ACCOUNT_UID_OID`](crate::api::consts::ACCOUNT_UID_OID).
    /// Refused: unparsable input, a signature that does not verify, keys other than ECDSA
    /// P-256/P-384, Ed25519 and RSA 2048–8192, SHA-1 signatures, account names that are not
    /// DNS-1123 subdomains or start with `system:`, and `ttl` below [`MIN_TTL`].
    pub fn issue(
        &self,
        csr_pem: &str,
        to: &AccountBinding<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Issued, CsrError> {
        let account = to.account;
        names::check_account(account)?;
        if ttl < MIN_TTL {
            return Err(CsrError::TtlTooShort(ttl.as_secs()));
        }
        if ttl > MAX_TTL {
            return Err(CsrError::TtlTooLong(ttl.as_secs()));
        }
        let der = CertificateSigningRequestDer::from_pem_slice(csr_pem.as_bytes())
            .map_err(|_| CsrError::NotPem)?;
        let key = verified_csr_key(&der)?;

        let mut params = CertificateParams::default();
        params.distinguished_name = common_name_only(account);
        let (serial, serial_hex) = random_serial().map_err(|_| CsrError::Sign)?;
        params.serial_number = Some(serial);
        (params.not_before, params.not_after) = validity(now, ttl).ok_or(CsrError::Sign)?;
        if let Some(earliest) = binding::earliest_not_before(to.valid_after, now) {
            params.not_before = params.not_before.max(earliest.into());
        }
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if key.is_rsa {
            params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.custom_extensions = vec![binding::extension(to.uid)];
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|_| CsrError::Sign)?;
        Ok(Issued {
            cert_pem: pem_encode("CERTIFICATE", cert.der()),
            serial: serial_hex,
            not_after: params.not_after.into(),
        })
    }

    /// A serving certificate for the account API itself and its new ECDSA P-256 key (PKCS#8 PEM),
    /// signed by this CA, valid from `now - CLOCK_SKEW` for `ttl`. Each of `sans` is an IP address
    /// or a DNS name; the first one is also the common name.
    pub fn issue_server(
        &self,
        sans: &[String],
        ttl: Duration,
    ) -> Result<(String, String), PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|source| {
            PkiError::Generate {
                what: "serving key",
                source,
            }
        })?;
        let mut params = CertificateParams::default();
        params.distinguished_name =
            common_name_only(sans.first().map_or("ike account API", String::as_str));
        for san in sans {
            let name = match san.parse::<IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) if names::is_host_name(san, true) => SanType::DnsName(
                    san.as_str()
                        .try_into()
                        .map_err(|_| PkiError::SubjectAltName(san.clone()))?,
                ),
                Err(_) => return Err(PkiError::SubjectAltName(san.clone())),
            };
            params.subject_alt_names.push(name);
        }
        params.serial_number = Some(random_serial()?.0);
        (params.not_before, params.not_after) = ca_validity(SystemTime::now(), ttl)?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|source| PkiError::Generate {
                what: "serving certificate",
                source,
            })?;
        Ok((pem_encode("CERTIFICATE", cert.der()), key.serialize_pem()))
    }
}

#[cfg(test)]
mod tests {
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::oid_registry::{
        OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
        OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
        OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
    };

    use super::*;
    use crate::api::names::NameError;
    use crate::pki::testdata::*;
    use crate::pki::{CLOCK_SKEW, ca_pin, cert_info, new_key_and_csr};
    use x509_parser::certification_request::X509CertificationRequest;

    /// Asserts everything the server decides about a client certificate for `account`.
    fn assert_client_cert(ca: &AccountCa, cert_pem: &str, account: &str, csr_pem: &str, rsa: bool) {
        let der = der_of(cert_pem);
        let (rest, cert) = X509Certificate::from_der(&der).unwrap();
        assert!(rest.is_empty());

        let attributes: Vec<_> = cert.subject().iter_attributes().collect();
        assert_eq!(attributes.len(), 1, "subject is {}", cert.subject());
        assert_eq!(cert.subject().to_string(), format!("CN={account}"));

        let ca_der = der_of(ca.cert_pem());
        let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
        cert.verify_signature(Some(ca_cert.public_key()))
            .expect("signed by the CA");
        assert_eq!(
            cert.public_key().raw,
            csr_spki(csr_pem),
            "the CSR's key, unchanged"
        );

        let allowed = [
            OID_X509_EXT_KEY_USAGE,
            OID_X509_EXT_EXTENDED_KEY_USAGE,
            OID_X509_EXT_BASIC_CONSTRAINTS,
            OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
            OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
        ];
        let mut bound = false;
        for ext in cert.extensions() {
            if ext.oid.to_id_string() == crate::api::consts::ACCOUNT_UID_OID {
                assert!(!ext.critical);
                bound = true;
                continue;
            }
            assert!(
                allowed.contains(&ext.oid),
                "unexpected extension {}",
                ext.oid
            );
            match ext.parsed_extension() {
                ParsedExtension::KeyUsage(ku) => {
                    assert!(ku.digital_signature());
                    assert_eq!(ku.key_encipherment(), rsa);
                    assert!(!ku.key_cert_sign() && !ku.crl_sign());
                    let expected = if rsa { 0b101 } else { 0b1 };
                    assert_eq!(ku.flags, expected, "key usage {ku}");
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    assert!(eku.client_auth);
                    assert!(!eku.any && !eku.server_auth && !eku.code_signing);
                    assert!(!eku.email_protection && !eku.time_stamping && !eku.ocsp_signing);
                    assert!(eku.other.is_empty());
                }
                ParsedExtension::BasicConstraints(bc) => {
                    assert!(!bc.ca);
                    assert!(ext.critical);
                }
                ParsedExtension::AuthorityKeyIdentifier(_)
                | ParsedExtension::SubjectKeyIdentifier(_) => {}
                other => panic!("unexpected extension {other:?}"),
            }
        }
        assert!(bound, "no account binding");
        assert_eq!(
            cert_info(cert_pem).unwrap().account_uid.as_deref(),
            Some("test-uid")
        );
        assert!(cert.subject_alternative_name().unwrap().is_none());
        assert!(cert.key_usage().unwrap().is_some());
        assert!(cert.extended_key_usage().unwrap().is_some());
        assert!(cert.basic_constraints().unwrap().is_some());
    }

    #[test]
    fn a_forged_csr_gets_exactly_cn_account_and_client_auth() {
        let ca = test_ca();
        let csr = forged_csr();
        let issued = ca
            .issue(&csr, &to("alice"), HOUR, SystemTime::now())
            .unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "alice", &csr, false);
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.common_name.as_deref(), Some("alice"));
        assert!(info.organizations.is_empty());
    }

    #[test]
    fn a_forged_openssl_rsa_csr_gets_exactly_cn_account_and_client_auth() {
        let ca = test_ca();
        let issued = ca
            .issue(RSA2048_CSR, &to("bob"), HOUR, SystemTime::now())
            .unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "bob", RSA2048_CSR, true);
    }

    #[test]
    fn accepted_key_kinds_are_issued() {
        let ca = test_ca();
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let csr = csr_with(&CertificateParams::default(), alg);
            let issued = ca.issue(&csr, &to("carol"), HOUR, SystemTime::now());
            let issued = issued.unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_client_cert(&ca, &issued.cert_pem, "carol", &csr, false);
        }
    }

    #[test]
    fn system_and_invalid_account_names_are_refused() {
        let ca = test_ca();
        let csr = new_key_and_csr("x").unwrap().1;
        for name in ["system:foo", "system:masters", "system:"] {
            assert_eq!(
                ca.issue(&csr, &to(name), HOUR, now()),
                Err(CsrError::Account(NameError::ReservedAccount(name.into())))
            );
        }
        let long = "a".repeat(254);
        for name in [
            "", "Alice", "a_b", "-a", "a-", "a..b", ".a", "a.", "a b", "ä", &long,
        ] {
            assert!(
                matches!(
                    ca.issue(&csr, &to(name), HOUR, now()),
                    Err(CsrError::Account(NameError::Account(_)))
                ),
                "{name:?}"
            );
        }
        for name in ["alice", "alice.smith", "a-1", "0", &"a".repeat(253)] {
            assert_eq!(names::check_account(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn the_lifetime_is_now_plus_ttl_and_starts_five_minutes_early() {
        let ca = test_ca();
        let csr = new_key_and_csr("dave").unwrap().1;
        let start = now() + Duration::from_millis(700);
        let issued = ca.issue(&csr, &to("dave"), 2 * HOUR, start).unwrap();
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.not_after, now() + 2 * HOUR);
        assert_eq!(info.not_before, now() - CLOCK_SKEW);
        assert_eq!(issued.not_after, info.not_after);

        let short = ca.issue(&csr, &to("dave"), Duration::from_secs(59), start);
        assert_eq!(short, Err(CsrError::TtlTooShort(59)));
        assert!(ca.issue(&csr, &to("dave"), MIN_TTL, start).is_ok());
        let long = ca.issue(&csr, &to("dave"), MAX_TTL + Duration::from_secs(1), start);
        assert!(matches!(long, Err(CsrError::TtlTooLong(_))));
    }

    #[test]
    fn serials_are_random_128_bit_and_reported_as_in_the_certificate() {
        let ca = test_ca();
        let csr = new_key_and_csr("erin").unwrap().1;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let issued = ca.issue(&csr, &to("erin"), HOUR, now()).unwrap();
            assert_eq!(issued.serial.len(), 32, "{}", issued.serial);
            assert!(
                issued
                    .serial
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(cert_info(&issued.cert_pem).unwrap().serial, issued.serial);
            assert!(seen.insert(issued.serial));
        }
    }

    #[test]
    fn an_rsa_ca_from_openssl_signs_and_pins_like_openssl() {
        let ca = AccountCa::from_pem(RSACA_CRT, RSACA_KEY).unwrap();
        let csr = new_key_and_csr("gina").unwrap().1;
        let issued = ca
            .issue(&csr, &to("gina"), HOUR, SystemTime::now())
            .unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "gina", &csr, false);
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.issuer_common_name.as_deref(), Some("rsa-test-ca"));
        // `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`
        assert_eq!(
            ca_pin(RSACA_CRT).unwrap(),
            "sha256:a7ce27ee6f4a6fb82d1c3a26affaf4a0c2a595f6976904e4ce1fb6646959deb5"
        );
        let ca_info = cert_info(RSACA_CRT).unwrap();
        assert_eq!(ca_info.serial, "65eda6c5c0fbd1be982aacbadb6297f55a55e9f0");
        assert_eq!(ca_info.common_name.as_deref(), Some("rsa-test-ca"));
    }

    #[test]
    fn a_bad_ca_is_refused() {
        let (other, other_key) = AccountCa::generate("other", HOUR, SystemTime::now()).unwrap();
        assert!(matches!(
            AccountCa::from_pem(LEAF_CRT, &other_key),
            Err(PkiError::NotACa)
        ));
        assert!(matches!(
            AccountCa::from_pem(RSACA_CRT, &other_key),
            Err(PkiError::CaKeyMismatch)
        ));
        assert!(matches!(
            AccountCa::from_pem(other.cert_pem(), "not a key"),
            Err(PkiError::CaKey(_))
        ));
        assert!(matches!(
            AccountCa::from_pem("not a cert", &other_key),
            Err(PkiError::CaCertificatePem(_))
        ));
        assert!(format!("{other:?}").starts_with("AccountCa"));
        assert!(!format!("{other:?}").contains("PRIVATE"));
    }

    #[test]
    fn a_serving_certificate_has_the_sans_and_server_auth() {
        let ca = test_ca();
        let sans = vec!["127.0.0.1".to_string(), "accounts.example.com".to_string()];
        let (cert_pem, key_pem) = ca.issue_server(&sans, HOUR).unwrap();
        assert!(KeyPair::from_pem(&key_pem).is_ok());
        let der = der_of(&cert_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let san = cert.subject_alternative_name().unwrap().unwrap();
        use x509_parser::extensions::GeneralName;
        assert_eq!(
            san.value.general_names,
            [
                GeneralName::IPAddress(&[127, 0, 0, 1]),
                GeneralName::DNSName("accounts.example.com")
            ]
        );
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && !eku.client_auth);
        let ca_der = der_of(ca.cert_pem());
        let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
        cert.verify_signature(Some(ca_cert.public_key())).unwrap();
        assert!(
            ca.issue_server(&["*.example.com".to_string()], HOUR)
                .is_ok()
        );
        assert!(matches!(
            ca.issue_server(&["bad name!".to_string()], HOUR),
            Err(PkiError::SubjectAltName(_))
        ));
    }

    #[test]
    fn new_key_and_csr_makes_a_p256_key_and_a_csr_the_ca_accepts() {
        let (key_pem, csr_pem) = new_key_and_csr("frank").unwrap();
        assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let key = KeyPair::from_pem(&key_pem).unwrap();
        assert_eq!(key.algorithm(), &rcgen::PKCS_ECDSA_P256_SHA256);
        let der = CertificateSigningRequestDer::from_pem_slice(csr_pem.as_bytes()).unwrap();
        let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
        assert_eq!(
            csr.certification_request_info.subject.to_string(),
            "CN=frank"
        );
        assert_eq!(
            csr.certification_request_info.subject_pki.raw,
            key.subject_public_key_info()
        );

        let ca = test_ca();
        let issued = ca
            .issue(&csr_pem, &to("frank"), HOUR, SystemTime::now())
            .unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "frank", &csr_pem, false);

        let (_, anonymous) = new_key_and_csr("").unwrap();
        assert!(ca.issue(&anonymous, &to("frank"), HOUR, now()).is_ok());
    }
}
