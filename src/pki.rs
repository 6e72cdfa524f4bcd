//! Certificates, shared by the CLI and the account API: the account CA that signs client and
//! serving certificates, CSR validation, the key and CSR a client makes, facts read from a
//! certificate, and the CA pin checked on first login.
//!
//! Nothing here does I/O. The server decides every field of an issued certificate; from a CSR
//! only the public key is used, after its signature verifies. Kubernetes cannot revoke client
//! certificates and reads groups from `O=`, so an issued certificate names exactly one user
//! (`CN=<account>`), no groups, and lives briefly.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SanType, SerialNumber, SignatureAlgorithm,
};
use ring::rand::SecureRandom as _;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, CertificateSigningRequestDer};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::error::X509Error;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_PKCS1_SHA1WITHRSA, OID_SHA1_WITH_RSA, OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer as _;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

/// Issued certificates start this much before "now", so a client whose clock is a little behind
/// the server's can use them at once.
pub const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// The shortest lifetime the CA issues: a certificate shorter than this expires before a client
/// could renew it.
pub const MIN_TTL: Duration = Duration::from_secs(60);

/// The longest lifetime of a client certificate: they cannot be revoked, so they stay short (the
/// account API's own maximum is far lower).
pub const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// The longest lifetime of a CA or serving certificate made here.
pub const MAX_CA_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The smallest and largest RSA keys accepted in a CSR, in bits.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// The longest name Kubernetes accepts for an object (DNS-1123 subdomain).
const MAX_NAME_LEN: usize = 253;

/// Why a CA, a key or a certificate could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// The CA certificate file holds no PEM `CERTIFICATE` block.
    #[error("the CA certificate is not a PEM certificate")]
    CaCertificatePem(#[source] rustls_pki_types::pem::Error),
    /// The CA certificate's DER does not parse.
    #[error("the CA certificate cannot be parsed")]
    CaCertificate(#[source] X509Error),
    /// The CA certificate lacks `basicConstraints CA:TRUE`.
    #[error("the CA certificate is not a CA certificate (no basicConstraints CA:TRUE)")]
    NotACa,
    /// rcgen cannot read the CA certificate's subject or key identifier.
    #[error("the CA certificate cannot be used to sign")]
    CaIssuer(#[source] rcgen::Error),
    /// The CA key is not an unencrypted PKCS#8 key of a kind ring can sign with.
    #[error(
        "the CA key is not an unencrypted PKCS#8 PEM key (ECDSA P-256/P-384, RSA or Ed25519): convert it with 'openssl pkcs8 -topk8 -nocrypt'"
    )]
    CaKey(#[source] rcgen::Error),
    /// The CA key and certificate are not a pair.
    #[error("the CA key does not belong to the CA certificate: check that the two files match")]
    CaKeyMismatch,
    /// A PEM input holds no `CERTIFICATE` block.
    #[error("not a PEM certificate")]
    CertificatePem(#[source] rustls_pki_types::pem::Error),
    /// A certificate's DER does not parse.
    #[error("the certificate cannot be parsed")]
    Certificate(#[source] X509Error),
    /// A serving certificate's subject alternative name is neither an IP address nor a DNS name.
    #[error("'{0}' is neither an IP address nor a DNS name")]
    SubjectAltName(String),
    /// A lifetime beyond [`MAX_CA_TTL`] (or one that overflows the clock) was asked for.
    #[error("a lifetime of {0} s is too long")]
    TtlTooLong(u64),
    /// The operating system's random source failed (serial numbers).
    #[error("the operating system's random source failed")]
    Random,
    /// rcgen refused to generate a key, a CSR or a certificate.
    #[error("cannot generate the {what}")]
    Generate {
        /// What was being generated.
        what: &'static str,
        /// rcgen's reason.
        #[source]
        source: rcgen::Error,
    },
}

/// Why a CSR was refused. Every message is one line that tells the caller what to do: the
/// account API sends it back as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// The input holds no PEM `CERTIFICATE REQUEST` block.
    #[error("the CSR is not a PEM 'CERTIFICATE REQUEST': send the CSR that 'ike login' generates")]
    NotPem,
    /// The CSR's DER does not parse.
    #[error("the CSR cannot be parsed: generate the key and CSR again with 'ike login'")]
    Malformed,
    /// The CSR's key is of a kind or size that is not accepted.
    #[error(
        "the CSR's key is {0}, which is not accepted: use ECDSA P-256 or P-384, Ed25519, or RSA of 2048 to 8192 bits ('ike login' makes ECDSA P-256)"
    )]
    UnsupportedKey(String),
    /// The CSR is signed with an algorithm that is not accepted (SHA-1, RSA-PSS, unknown).
    #[error(
        "the CSR is signed with an algorithm that is not accepted: sign it with SHA-256 or better, or let 'ike login' generate it"
    )]
    UnsupportedSignature,
    /// The CSR's signature does not match its content and key.
    #[error("the CSR's signature does not verify: generate the key and CSR again with 'ike login'")]
    BadSignature,
    /// The account name is empty or not a DNS-1123 subdomain.
    #[error(
        "'{0}' is not a valid account name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters"
    )]
    InvalidAccount(String),
    /// The account name starts with `system:`, which Kubernetes reserves for itself.
    #[error(
        "'{0}' is not a valid account name: names starting with 'system:' are reserved for Kubernetes"
    )]
    ReservedAccount(String),
    /// The requested lifetime is above [`MAX_TTL`].
    #[error("a certificate lifetime of {0} s is too long: ask for at most a year")]
    TtlTooLong(u64),
    /// The requested lifetime is below [`MIN_TTL`].
    #[error("a certificate lifetime of {0} s is too short: ask for at least 60 s")]
    TtlTooShort(u64),
    /// Signing failed on the server's side.
    #[error(
        "the account API could not sign the certificate: try again, and tell a platform admin if it persists"
    )]
    Sign,
}

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

/// A client certificate issued by [`AccountCa::issue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// Its serial number, lower-case hex without leading zeros.
    pub serial: String,
    /// When it stops being valid (whole seconds, as written in the certificate).
    pub not_after: SystemTime,
}

/// Facts read from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// The subject's organisations (`O=`): the groups Kubernetes would grant.
    pub organizations: Vec<String>,
    /// Serial number, lower-case hex without leading zeros.
    pub serial: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// The issuer's common name, if it has one.
    pub issuer_common_name: Option<String>,
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

    /// Validates `csr_pem` and issues a client certificate for `account`, valid from
    /// `now - CLOCK_SKEW` to `now + ttl`.
    ///
    /// The server decides everything: the subject is exactly `CN=<account>`; no SANs and no
    /// extension comes from the CSR; key usage is digitalSignature (plus keyEncipherment for RSA),
    /// extended key usage clientAuth only, basicConstraints CA:FALSE; the serial is random.
    /// Refused: unparsable input, a signature that does not verify, keys other than ECDSA
    /// P-256/P-384, Ed25519 and RSA 2048–8192, SHA-1 signatures, account names that are not
    /// DNS-1123 subdomains or start with `system:`, and `ttl` below [`MIN_TTL`].
    pub fn issue(
        &self,
        csr_pem: &str,
        account: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Issued, CsrError> {
        check_account_name(account)?;
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
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if key.is_rsa {
            params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
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
                Err(_) if is_dns_name(san) => SanType::DnsName(
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

/// Client side: a new ECDSA P-256 key (PKCS#8 PEM) and a CSR for it (PEM) with subject
/// `CN=<account_hint>` (no subject when the hint is empty). The server ignores the subject; the
/// hint only helps a person reading the CSR.
pub fn new_key_and_csr(account_hint: &str) -> Result<(String, String), PkiError> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|source| {
        PkiError::Generate {
            what: "key",
            source,
        }
    })?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    if !account_hint.is_empty() {
        params
            .distinguished_name
            .push(DnType::CommonName, account_hint);
    }
    let csr = params
        .serialize_request(&key)
        .map_err(|source| PkiError::Generate {
            what: "certificate signing request",
            source,
        })?;
    let csr_pem = pem_encode("CERTIFICATE REQUEST", csr.der());
    Ok((key.serialize_pem(), csr_pem))
}

/// Facts from the first certificate in `cert_pem`.
pub fn cert_info(cert_pem: &str) -> Result<CertInfo, PkiError> {
    let der =
        CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(PkiError::CertificatePem)?;
    cert_info_der(&der)
}

/// Facts from a DER certificate (as a TLS peer presents it).
pub fn cert_info_der(der: &[u8]) -> Result<CertInfo, PkiError> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| PkiError::Certificate(nom_error(e)))?;
    let validity = cert.validity();
    Ok(CertInfo {
        common_name: first_common_name(cert.subject()),
        organizations: cert
            .subject()
            .iter_organization()
            .filter_map(|o| o.as_str().ok().map(str::to_string))
            .collect(),
        serial: serial_hex(cert.raw_serial()),
        not_before: asn1_time(validity.not_before),
        not_after: asn1_time(validity.not_after),
        issuer_common_name: first_common_name(cert.issuer()),
    })
}

/// `sha256:<hex>` of the SubjectPublicKeyInfo DER of the first certificate in `cert_pem` (the
/// form of kubeadm's `--discovery-token-ca-cert-hash`). Pins the account API's CA on first login.
pub fn ca_pin(cert_pem: &str) -> Result<String, PkiError> {
    let der =
        CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(PkiError::CertificatePem)?;
    let (_, cert) =
        X509Certificate::from_der(&der).map_err(|e| PkiError::Certificate(nom_error(e)))?;
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.public_key().raw);
    Ok(format!("sha256:{}", hex(digest.as_ref())))
}

/// Checks that `name` can be an account: a DNS-1123 subdomain (an object name Kubernetes
/// accepts) that does not start with `system:` (those user names are Kubernetes' own).
pub fn check_account_name(name: &str) -> Result<(), CsrError> {
    if name.starts_with("system:") {
        return Err(CsrError::ReservedAccount(name.to_string()));
    }
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
    };
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.split('.').all(label_ok) {
        return Err(CsrError::InvalidAccount(name.chars().take(64).collect()));
    }
    Ok(())
}

/// A host name as a serving certificate may name: letters, digits and '-' in dot-separated
/// labels, the first label possibly `*`.
fn is_dns_name(name: &str) -> bool {
    name.len() <= MAX_NAME_LEN
        && name.split('.').enumerate().all(|(i, label)| {
            (i == 0 && label == "*")
                || (!label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-'))
        })
}

/// The public key of a CSR whose signature verified, in the form rcgen writes into a
/// certificate.
struct CsrKey {
    /// The subjectPublicKey bits.
    raw: Vec<u8>,
    /// Determines the SubjectPublicKeyInfo algorithm identifier rcgen writes; chosen from the
    /// key itself, not from the CSR's signature algorithm.
    alg: &'static SignatureAlgorithm,
    is_rsa: bool,
}

impl PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

fn verified_csr_key(der: &[u8]) -> Result<CsrKey, CsrError> {
    let (rest, csr) = X509CertificationRequest::from_der(der).map_err(|_| CsrError::Malformed)?;
    if !rest.is_empty() {
        return Err(CsrError::Malformed);
    }
    let spki = &csr.certification_request_info.subject_pki;
    // The key is judged before the signature, so that an unsupported key is reported as such
    // rather than as a signature that does not verify.
    let key = accepted_key(spki)?;
    let sig_alg = &csr.signature_algorithm.algorithm;
    if *sig_alg == OID_PKCS1_SHA1WITHRSA || *sig_alg == OID_SHA1_WITH_RSA {
        return Err(CsrError::UnsupportedSignature);
    }
    match csr.verify_signature() {
        Ok(()) => Ok(key),
        Err(X509Error::SignatureUnsupportedAlgorithm) => Err(CsrError::UnsupportedSignature),
        Err(_) => Err(CsrError::BadSignature),
    }
}

fn accepted_key(spki: &SubjectPublicKeyInfo<'_>) -> Result<CsrKey, CsrError> {
    let oid = &spki.algorithm.algorithm;
    let raw = spki.subject_public_key.data.to_vec();
    if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok());
        let alg = match curve {
            Some(c) if c == OID_EC_P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Some(c) if c == OID_NIST_EC_P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Some(c) => return Err(CsrError::UnsupportedKey(format!("ECDSA on curve {c}"))),
            None => {
                return Err(CsrError::UnsupportedKey(
                    "ECDSA without a named curve".into(),
                ));
            }
        };
        Ok(CsrKey {
            raw,
            alg,
            is_rsa: false,
        })
    } else if *oid == OID_SIG_ED25519 {
        Ok(CsrKey {
            raw,
            alg: &rcgen::PKCS_ED25519,
            is_rsa: false,
        })
    } else if *oid == OID_PKCS1_RSAENCRYPTION {
        let bits = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => bit_length(rsa.modulus),
            _ => return Err(CsrError::Malformed),
        };
        if !RSA_BITS.contains(&bits) {
            return Err(CsrError::UnsupportedKey(format!("RSA of {bits} bits")));
        }
        Ok(CsrKey {
            raw,
            alg: &rcgen::PKCS_RSA_SHA256,
            is_rsa: true,
        })
    } else {
        Err(CsrError::UnsupportedKey(format!("of algorithm {oid}")))
    }
}

/// The bit length of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> usize {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    match bytes.get(start) {
        Some(first) => (bytes.len() - start - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

fn common_name_only(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

/// `now - CLOCK_SKEW` and `now + ttl`, in whole seconds: X.509 has no finer resolution, and the
/// returned end must equal what the certificate says.
/// `None` when `ttl` exceeds [`MAX_CA_TTL`] or the clock is absurd.
fn validity(now: SystemTime, ttl: Duration) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let whole = |t: SystemTime| {
        let t = OffsetDateTime::from(t);
        t.replace_nanosecond(0).unwrap_or(t)
    };
    let since_epoch = now.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    // OffsetDateTime::from panics beyond the year 9999; stay far from it.
    if ttl > MAX_CA_TTL || since_epoch > Duration::from_secs(200 * 365 * 24 * 3600) {
        return None;
    }
    Some((
        whole(now.checked_sub(CLOCK_SKEW)?),
        whole(now.checked_add(ttl)?),
    ))
}

fn ca_validity(
    now: SystemTime,
    ttl: Duration,
) -> Result<(OffsetDateTime, OffsetDateTime), PkiError> {
    validity(now, ttl).ok_or(PkiError::TtlTooLong(ttl.as_secs()))
}

/// A random positive 128-bit serial and its hex. The top bit is set so the number always has 128
/// bits (32 hex digits); the other 127 bits are random, far above RFC 5280's 64-bit minimum.
fn random_serial() -> Result<(SerialNumber, String), PkiError> {
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| PkiError::Random)?;
    bytes[0] |= 0x80;
    Ok((SerialNumber::from_slice(&bytes), hex(&bytes)))
}

fn serial_hex(raw: &[u8]) -> String {
    let start = raw.iter().position(|b| *b != 0).unwrap_or(raw.len());
    if start == raw.len() {
        return "0".to_string();
    }
    hex(&raw[start..])
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn first_common_name(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
}

fn asn1_time(t: x509_parser::time::ASN1Time) -> SystemTime {
    let secs = t.timestamp();
    match u64::try_from(secs) {
        Ok(s) => SystemTime::UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()),
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in b64.as_bytes().chunks(64) {
        // base64 output is ASCII.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

fn nom_error(e: x509_parser::nom::Err<X509Error>) -> X509Error {
    match e {
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e,
        x509_parser::nom::Err::Incomplete(_) => X509Error::InvalidCertificate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::oid_registry::{
        OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
        OID_X509_EXT_EXTENDED_KEY_USAGE, OID_X509_EXT_KEY_USAGE,
        OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
    };

    const HOUR: Duration = Duration::from_secs(3600);

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn test_ca() -> AccountCa {
        AccountCa::generate("ike test CA", 24 * HOUR, SystemTime::now())
            .unwrap()
            .0
    }

    fn der_of(pem: &str) -> Vec<u8> {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .to_vec()
    }

    fn csr_with(params: &CertificateParams, alg: &'static SignatureAlgorithm) -> String {
        let key = KeyPair::generate_for(alg).unwrap();
        let csr = params.serialize_request(&key).unwrap();
        pem_encode("CERTIFICATE REQUEST", csr.der())
    }

    /// A CSR asking for everything a client must never get.
    fn forged_csr() -> String {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "admin");
        dn.push(DnType::OrganizationName, "system:masters");
        dn.push(DnType::OrganizationalUnitName, "ops");
        params.distinguished_name = dn;
        params.subject_alt_names = vec![
            SanType::DnsName("kubernetes.default".try_into().unwrap()),
            SanType::IpAddress("10.0.0.1".parse().unwrap()),
            SanType::Rfc822Name("root@example.com".try_into().unwrap()),
        ];
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::Any,
            ExtendedKeyUsagePurpose::CodeSigning,
        ];
        params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 4, 1, 99999, 1],
            vec![0x05, 0x00],
        )];
        csr_with(&params, &rcgen::PKCS_ECDSA_P256_SHA256)
    }

    fn csr_spki(csr_pem: &str) -> Vec<u8> {
        let der = CertificateSigningRequestDer::from_pem_slice(csr_pem.as_bytes()).unwrap();
        let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
        csr.certification_request_info.subject_pki.raw.to_vec()
    }

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
        for ext in cert.extensions() {
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
        assert!(cert.subject_alternative_name().unwrap().is_none());
        assert!(cert.key_usage().unwrap().is_some());
        assert!(cert.extended_key_usage().unwrap().is_some());
        assert!(cert.basic_constraints().unwrap().is_some());
    }

    #[test]
    fn a_forged_csr_gets_exactly_cn_account_and_client_auth() {
        let ca = test_ca();
        let csr = forged_csr();
        let issued = ca.issue(&csr, "alice", HOUR, SystemTime::now()).unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "alice", &csr, false);
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.common_name.as_deref(), Some("alice"));
        assert!(info.organizations.is_empty());
    }

    #[test]
    fn a_forged_openssl_rsa_csr_gets_exactly_cn_account_and_client_auth() {
        let ca = test_ca();
        let issued = ca
            .issue(RSA2048_CSR, "bob", HOUR, SystemTime::now())
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
            let issued = ca.issue(&csr, "carol", HOUR, SystemTime::now());
            let issued = issued.unwrap_or_else(|e| panic!("{alg:?}: {e}"));
            assert_client_cert(&ca, &issued.cert_pem, "carol", &csr, false);
        }
    }

    #[test]
    fn a_tampered_csr_signature_is_refused() {
        let ca = test_ca();
        let csr = forged_csr();
        let mut der = CertificateSigningRequestDer::from_pem_slice(csr.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec();
        // Change the content: "admin" becomes "bdmin"; the signature no longer matches.
        let at = der.windows(5).position(|w| w == b"admin").unwrap();
        der[at] = b'b';
        let tampered = pem_encode("CERTIFICATE REQUEST", &der);
        assert_eq!(
            ca.issue(&tampered, "alice", HOUR, now()),
            Err(CsrError::BadSignature)
        );

        // Change the signature itself (its last byte).
        let mut der = CertificateSigningRequestDer::from_pem_slice(RSA2048_CSR.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec();
        let last = der.len() - 1;
        der[last] ^= 0x01;
        let tampered = pem_encode("CERTIFICATE REQUEST", &der);
        assert_eq!(
            ca.issue(&tampered, "alice", HOUR, now()),
            Err(CsrError::BadSignature)
        );
    }

    #[test]
    fn every_single_byte_change_of_a_csr_is_refused_without_panic() {
        let ca = test_ca();
        let der = CertificateSigningRequestDer::from_pem_slice(RSA2048_CSR.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec();
        let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
        // The signed content and the signature value; the outer algorithm identifier is not
        // signed, and a change there that still parses as the same algorithm is harmless.
        let info_len = csr.certification_request_info.raw.len();
        let info = 4..4 + info_len;
        let signature = der.len() - csr.signature_value.data.len()..der.len();
        for i in 0..der.len() {
            let mut changed = der.clone();
            changed[i] ^= 0x5a;
            let pem = pem_encode("CERTIFICATE REQUEST", &changed);
            let result = ca.issue(&pem, "alice", HOUR, now());
            if info.contains(&i) || signature.contains(&i) {
                assert!(result.is_err(), "byte {i} changed and still accepted");
            }
        }
    }

    #[test]
    fn garbage_and_truncated_input_is_refused_without_panic() {
        let ca = test_ca();
        let valid = forged_csr();
        let der = CertificateSigningRequestDer::from_pem_slice(valid.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec();
        let garbage = [
            String::new(),
            "garbage".to_string(),
            "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n"
                .to_string(),
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
                .to_string(),
            valid[..valid.len() / 2].to_string(),
            valid.replace("CERTIFICATE REQUEST", "CERTIFICATE"),
            ca.cert_pem().to_string(),
            String::from_utf8_lossy(&der).into_owned(),
        ];
        for input in &garbage {
            let result = ca.issue(input, "alice", HOUR, now());
            assert!(
                matches!(result, Err(CsrError::NotPem | CsrError::Malformed)),
                "{input:?} gave {result:?}"
            );
        }
        for len in 0..der.len() {
            let pem = pem_encode("CERTIFICATE REQUEST", &der[..len]);
            assert!(
                ca.issue(&pem, "alice", HOUR, now()).is_err(),
                "prefix {len}"
            );
        }
        let mut trailing = der.clone();
        trailing.extend_from_slice(b"extra");
        let pem = pem_encode("CERTIFICATE REQUEST", &trailing);
        assert_eq!(
            ca.issue(&pem, "alice", HOUR, now()),
            Err(CsrError::Malformed)
        );
    }

    #[test]
    fn unsupported_keys_and_signatures_are_refused() {
        let ca = test_ca();
        let small = ca.issue(RSA1024_CSR, "alice", HOUR, now());
        assert_eq!(
            small,
            Err(CsrError::UnsupportedKey("RSA of 1024 bits".into()))
        );
        let p521 = ca.issue(P521_CSR, "alice", HOUR, now());
        assert!(matches!(p521, Err(CsrError::UnsupportedKey(ref k)) if k.contains("1.3.132.0.35")));
        let sha1 = ca.issue(RSA2048SHA1_CSR, "alice", HOUR, now());
        assert_eq!(sha1, Err(CsrError::UnsupportedSignature));
        let message = small.unwrap_err().to_string();
        assert!(message.contains("ECDSA P-256"), "{message}");
    }

    #[test]
    fn system_and_invalid_account_names_are_refused() {
        let ca = test_ca();
        let csr = new_key_and_csr("x").unwrap().1;
        for name in ["system:foo", "system:masters", "system:"] {
            assert_eq!(
                ca.issue(&csr, name, HOUR, now()),
                Err(CsrError::ReservedAccount(name.into()))
            );
        }
        let long = "a".repeat(254);
        for name in [
            "", "Alice", "a_b", "-a", "a-", "a..b", ".a", "a.", "a b", "ä", &long,
        ] {
            assert!(
                matches!(
                    ca.issue(&csr, name, HOUR, now()),
                    Err(CsrError::InvalidAccount(_))
                ),
                "{name:?}"
            );
        }
        for name in ["alice", "alice.smith", "a-1", "0", &"a".repeat(253)] {
            assert_eq!(check_account_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn the_lifetime_is_now_plus_ttl_and_starts_five_minutes_early() {
        let ca = test_ca();
        let csr = new_key_and_csr("dave").unwrap().1;
        let start = now() + Duration::from_millis(700);
        let issued = ca.issue(&csr, "dave", 2 * HOUR, start).unwrap();
        let info = cert_info(&issued.cert_pem).unwrap();
        assert_eq!(info.not_after, now() + 2 * HOUR);
        assert_eq!(info.not_before, now() - CLOCK_SKEW);
        assert_eq!(issued.not_after, info.not_after);

        let short = ca.issue(&csr, "dave", Duration::from_secs(59), start);
        assert_eq!(short, Err(CsrError::TtlTooShort(59)));
        assert!(ca.issue(&csr, "dave", MIN_TTL, start).is_ok());
        let long = ca.issue(&csr, "dave", MAX_TTL + Duration::from_secs(1), start);
        assert!(matches!(long, Err(CsrError::TtlTooLong(_))));
    }

    #[test]
    fn serials_are_random_128_bit_and_reported_as_in_the_certificate() {
        let ca = test_ca();
        let csr = new_key_and_csr("erin").unwrap().1;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let issued = ca.issue(&csr, "erin", HOUR, now()).unwrap();
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
            .issue(&csr_pem, "frank", HOUR, SystemTime::now())
            .unwrap();
        assert_client_cert(&ca, &issued.cert_pem, "frank", &csr_pem, false);

        let (_, anonymous) = new_key_and_csr("").unwrap();
        assert!(ca.issue(&anonymous, "frank", HOUR, now()).is_ok());
    }

    #[test]
    fn an_rsa_ca_from_openssl_signs_and_pins_like_openssl() {
        let ca = AccountCa::from_pem(RSACA_CRT, RSACA_KEY).unwrap();
        let csr = new_key_and_csr("gina").unwrap().1;
        let issued = ca.issue(&csr, "gina", HOUR, SystemTime::now()).unwrap();
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
    fn cert_info_and_ca_pin_refuse_garbage() {
        assert!(matches!(cert_info(""), Err(PkiError::CertificatePem(_))));
        assert!(matches!(ca_pin("junk"), Err(PkiError::CertificatePem(_))));
        let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(cert_info(broken), Err(PkiError::Certificate(_))));
        let pin = ca_pin(test_ca().cert_pem()).unwrap();
        assert!(pin.starts_with("sha256:") && pin.len() == 7 + 64);
    }

    #[test]
    fn bit_length_counts_significant_bits() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
    }

    // Made with openssl 3.0: `openssl req -new -newkey rsa:1024 ...` and so on; see each name.

    const RSA1024_CSR: &str = "\
-----BEGIN CERTIFICATE REQUEST-----\n\
MIIBTzCBuQIBADAQMQ4wDAYDVQQDDAVhbGljZTCBnzANBgkqhkiG9w0BAQEFAAOB\n\
jQAwgYkCgYEA6DdjsMlLaIypiu5TTqrBAVLWCJP/3XkUVQd3Z2UxeC3c5O1NQ7ln\n\
vJS3WSnurOJ8VfVHhYaqeKuASq+6Ao9bzaIWniGbwDaabNonx4RwVQH+uNCI+P7I\n\
SptHh/iss6jY5I2PfChxE/qSQuckUTwJsbzHNWucIup0VwGZ0tpvVYECAwEAAaAA\n\
MA0GCSqGSIb3DQEBCwUAA4GBAJLYP+l9TwHvTRcT8lrw1Ss47G8XgoLADbLC7WaM\n\
4/3a1k/Npa0Yi541flObyX74brqdNoOmHsgB1G6JyReEz9oxBBKN3x8oL4YVEHJx\n\
fhb6gjvXRef63vuKvSCjZKGJ+5sR4us/v/cVmiHsFDbNBedzj3LQWmVcS7C6AID8\n\
bih9\n\
-----END CERTIFICATE REQUEST-----\n";

    const P521_CSR: &str = "\
-----BEGIN CERTIFICATE REQUEST-----\n\
MIIBUjCBtQIBADAQMQ4wDAYDVQQDDAVhbGljZTCBmzAQBgcqhkjOPQIBBgUrgQQA\n\
IwOBhgAEAXwqPgetLfa1Yp/9VrFYtXtk7ZgpPkm7nRBjgVRXG/DcEZKjBJTlR6Kz\n\
gZUX0u07EJENlZo2W2jbDX/FkakAs8goAGRCwS8QK6Di6WCcPFGYYs3VYXne8p1N\n\
Vwp4jDlxajCt3j+vH8wqP4dMDEdIbB8HTb3ICWZjxvvvsb13cQbTS7CFoAAwCgYI\n\
KoZIzj0EAwIDgYsAMIGHAkF7/arpMSw3kiPtMQQDZZv12U6MyifmYHYWUuvksul/\n\
Q5bFVuUuYKEmU6sYrDTiDjsjln0qOXmYi/WLto9bKd+dhAJCAXZXWViYbaaBHc44\n\
JOFM36jFKGikz1AnfVRt5Z0Ni3p/DwmH2StWZ62k9dk7+56fhS5HAWhJVZMhQhzY\n\
qtgMLAOn\n\
-----END CERTIFICATE REQUEST-----\n";

    const RSA2048_CSR: &str = "\
-----BEGIN CERTIFICATE REQUEST-----\n\
MIICzDCCAbQCAQAwKTEOMAwGA1UEAwwFYWRtaW4xFzAVBgNVBAoMDnN5c3RlbTpt\n\
YXN0ZXJzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqdbC7+BvHwhG\n\
mFNPodSr1XtF1eD1QXAIH1H+mBLqy8kIPXdcxOJ5iLQdT1DPxGjRZxetLm8qoFYc\n\
aCbLU6NiZTc7GMV6FE/H8o6OGlcgUPgv+hpI4SjQY4QYhsbrSxx5RVnkczFNEggj\n\
Ww1kTGE/eW/IzZ3Pe50l9xE47W853cxJ/op0m7G79/Me4DB/I2ma50SlHE3gbtSB\n\
dOG76YovlQS2FZGLBqVmYN+GNpIe40G1YltirVIwL7LMqhaTS25LGJq8Qjtj/rGw\n\
/mdJI5qxK37HnzOJHMDyieZOsqrxQSAPJH0GXM/JoA7Z09v02RmhAFB93EsjWKY7\n\
6qJj7kRqywIDAQABoF4wXAYJKoZIhvcNAQkOMU8wTTAbBgNVHREEFDASggprdWJl\n\
cm5ldGVzhwQKAAABMA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0lBBYwFAYIKwYBBQUH\n\
AwEGCCsGAQUFBwMCMA0GCSqGSIb3DQEBCwUAA4IBAQCnSt2J2u65LDScrGTAEcYK\n\
enqORqMp36EL8P+frRd8HGqAAI0DNNF3hVauj3eWv1wCZMXrGgWqbaQ3sZBd8wiF\n\
N8vTeIZISNlRBh2pfLRWVSm4Po2AJk7Dhru1yH1dhxUvj4e6+qR9MgqggHu5q2zZ\n\
QFLzniT/8NYcdH6+ZAUpOSHDiWVXnQXhT/rk2HqZHzt5X59wPodWx3otKMA3r/TR\n\
CL1kyanFRfA23vNT2tAIHks7Uij+I96D21stWlF/3ElPxMemgx7/7niHGk6g4zyy\n\
rtq9vdKKqwP7pS56G7DCGQ07TGPeBGvZwdYHExcF6Pk6cFg/cHFzkwI+HRdoFpqo\n\
-----END CERTIFICATE REQUEST-----\n";

    const RSA2048SHA1_CSR: &str = "\
-----BEGIN CERTIFICATE REQUEST-----\n\
MIICVTCCAT0CAQAwEDEOMAwGA1UEAwwFYWxpY2UwggEiMA0GCSqGSIb3DQEBAQUA\n\
A4IBDwAwggEKAoIBAQChk4j/HuqdeJlLG5YQkZfMF/QWGvA4ReH/G/yz5g7Q3wfC\n\
CX3SMcF3SNRwESraDs7g4E6w5hj9zt5K8Qhpta7Z/LNXDiUU6hWSJ5wd1S5F3RjB\n\
I9By5YZISncFy3XS8DTgNUzQT/eZDDMQ+Xgv26ISI774CJQQvWtd8IMkIpKAU6G4\n\
fXWw9e4DCERthA0GFQiT87P/ULOzPUXVeFj5UzVTTbFzV7Cm5h13xpJA+sfgHEfT\n\
5bdJ9lWlnvI+DijiFe22W+lfBN21bDgPXtI8t+KUCRUyp6/VA2z0JJxwZavsLHXO\n\
yqQk9Hw+XkIcyXjLON2ErPNc6YLkPzeKnsbuXZYFAgMBAAGgADANBgkqhkiG9w0B\n\
AQUFAAOCAQEAjlLP/v60TaxDA2SGO4Na7oeBjlXhlQaNauNOLGzogY9S3VzMW3b8\n\
PU4P25yKHEVkj9SuhKDctfVFyinVWCp2K7gqfYwnHpZduLSWVCinO4NuvzDH6bbQ\n\
MbvVL/dXovjR3YlQg5uA07flaJTMDrWq/AucznGgpHfKNuCfwLQ/HKUKhlzk4Z+2\n\
iB8oH3ptwBvj9hWoBQVh0lc8ynbobfDGWcdqLjNGy7YnisgxuVeHy/afxeASGQ1o\n\
724S9mOKeMMqcmFFK9BwqAb/iGMCqYGDoADhl3FWl7rSIvJRxl43O9B5dLTUqQHH\n\
UFdymRZLbhOxCER+S7mJrZZc9o6KynvDEw==\n\
-----END CERTIFICATE REQUEST-----\n";

    const RSACA_CRT: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIDHzCCAgegAwIBAgIUZe2mxcD70b6YKqy622KX9VpV6fAwDQYJKoZIhvcNAQEL\n\
BQAwFjEUMBIGA1UEAwwLcnNhLXRlc3QtY2EwIBcNMjYxMTI2MTUxOTA3WhgPMjEy\n\
NjExMDIxNTE5MDdaMBYxFDASBgNVBAMMC3JzYS10ZXN0LWNhMIIBIjANBgkqhkiG\n\
9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtlLfknZsrj95GwbtOXZu+psZPwEtAoBNZDL8\n\
f0sNFUuB3f/uxmFDWHEKyZPd4+iNd7RYqGOfxweAfVLCye/VQbsdStkTQQrCZunD\n\
Me+BFZc8Vo9M85LSkh6+zJ6Bc4Z8pfNKlgi5a6IQ2qUhVSOCFhS3vuofQ2Ub09AM\n\
g9//URzH7kOUEuS3NbwZK/Z4fW4EmsSBEtlduzpdpPsis1vgGQrweigxsrD8/P1E\n\
UY+UcFdEXwrmHK+kkY0AJp5VC3r0Q6TtA5c9KwU8xp4vU5oiFhUGj7vZwKw3cf3J\n\
6+lGVJQx9Cm7JRsJhzuRlaSLHK2VD1WT3QFDA+Zp2Ss0+YSGBwIDAQABo2MwYTAd\n\
BgNVHQ4EFgQU0VpauBgW6DM7cJLyltX9Ol8h/68wHwYDVR0jBBgwFoAU0VpauBgW\n\
6DM7cJLyltX9Ol8h/68wDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw\n\
DQYJKoZIhvcNAQELBQADggEBACiCZRbCyeBeOgK1EWrDwlhtUma6PUvEcs13+L0u\n\
vN0fsvlz1gnbL+DF+9HOQz1xbT6Okql77Q9OqJ3PA35RyPAP5DDsSXMkOvpzuAoJ\n\
2aVRCF5GN1UQoprDJQlZCqqeGXefc+NjBkXKqOSHICWZp1G3m4iUNI9n7L0iEInJ\n\
RmJfjWmNijc3vbBo+jmdd9i/EPYapLB7mtSax7DVKqoW2qLQ9Q+5QppGARr1Ebo7\n\
yBs2uDaCx7FGnLPdm1uHxEFzKe+cBvFgH8bDcrXJi19AflFc6PCmfSyYyI3HVtz6\n\
cUNe9XjBOjqbMWf+YQHZZMBiEAjq12zJ20sEVWqGDWEsUto=\n\
-----END CERTIFICATE-----\n";

    const RSACA_KEY: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC2Ut+SdmyuP3kb\n\
Bu05dm76mxk/AS0CgE1kMvx/Sw0VS4Hd/+7GYUNYcQrJk93j6I13tFioY5/HB4B9\n\
UsLJ79VBux1K2RNBCsJm6cMx74EVlzxWj0zzktKSHr7MnoFzhnyl80qWCLlrohDa\n\
pSFVI4IWFLe+6h9DZRvT0AyD3/9RHMfuQ5QS5Lc1vBkr9nh9bgSaxIES2V27Ol2k\n\
+yKzW+AZCvB6KDGysPz8/URRj5RwV0RfCuYcr6SRjQAmnlULevRDpO0Dlz0rBTzG\n\
ni9TmiIWFQaPu9nArDdx/cnr6UZUlDH0KbslGwmHO5GVpIscrZUPVZPdAUMD5mnZ\n\
KzT5hIYHAgMBAAECggEACAy5pUBIRRs1UB2qrJ5PgQ4G+9Kj95fNku5zWnVoUvfd\n\
+Hy7wJN7wzReew7lvZG/aTkTrv+TBtkMcbwNMJg/rKLDxNG3uWfttFh+zz4ZT2g5\n\
eELkbV6eoGfuGZ+n7H9UEome0ef5s8hYgSbIRXeHX00z3aB9l96nb18gplPl9GFD\n\
WAelQguMISV27Vf6p2eZSSV9AFOj7zj/7Ot4op2HC5M+GzUt16yf1uuTuZ7QoW9S\n\
GBhwiPHMI7BCWSs+ECx6nso3/DBYx8LH5z3pmTj5DV72+bijlM/F8rWXVIw5wBma\n\
WgrWZBfjoxTU4d3XWhRLyvAa9npfQ9HaDJsvM9epEQKBgQDbvQJ5McBeTWlU19aM\n\
q34r/Fbs0W57ox4JzyibfvFGgBfHSwK6UoVvqwiDR4d6Iqd0M9l3guBtsssKmQ6T\n\
QKKp20SjBORuil1TOib5lIfeC3oNpTutZd+AkvqnYL03uo7x7hw6qDr/Ynu9YT9B\n\
JG2W63UQIqWzmT5GXYJ/lEcLFwKBgQDUaUJoGb0Jy2JJocThp+OqA/jeXnf/nMiS\n\
1gIqpzJ+P/avDMsKkL7Q6RPLrs+topUAv5sDsKaNk3mg2GcVJHcqC+9T0t/X3RQO\n\
tLGHTr9AsXdUsQbN3l+lnsbKw9W5X0lhJPUtaqs+kS1c99wL0ttGtmY1MyO2Jr4X\n\
f56jssFykQKBgQDA87vUSEevhzJS+iS/6WcloLODyHPHxXh/DJWP1Wxwh9JZghin\n\
HAdoAzu6a3kfWobIly8Crr38FeANMlGGJF+x34Tp0UX1ezJv/sRyrGaSKGnIyasZ\n\
nDciY+4OQ/hjk0IqVvga2dbUotoddeNhhGdm+uMUhBgVGR+CEmKhPMcViQKBgDF+\n\
oXmuXa01lh6AMmc+fr80E76FFsMaHmaQtYqI0Sw37VxWx80bc0sstG8mub/E/aFi\n\
BFX0yKp+rb28DzEPATFr/IV0wrIDEtRmaGOWBtylPaAfa+12nqTx/XJr9ZYvTOL1\n\
AKhnjaWToJVkMAMVTAELKX/F/dFI78x78VRFp+vxAoGAIZU3TVMcdF5m3E6Vvy9r\n\
Vq31dDuv6Jj3jpm/9cYuzl2mNTRQ+yKcMaymklbxryGh6zqA0PHoR0PhD3fuJvRk\n\
w5Jfa0EjxEuXWdbmpTdBOpMXld3hqq4A3SupoozTrnT9lDijo7i5BME+vfPBNqp8\n\
FsWioIsKRCisMB95neYQs2k=\n\
-----END PRIVATE KEY-----\n";

    const LEAF_CRT: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIDBjCCAe6gAwIBAgIUV3VlaPg7J+iXcDOmVl4AdsvZTKwwDQYJKoZIhvcNAQEL\n\
BQAwEzERMA8GA1UEAwwIbm90LWEtY2EwIBcNMjYxMTI2MTUxOTA3WhgPMjEyNjEx\n\
MDIxNTE5MDdaMBMxETAPBgNVBAMMCG5vdC1hLWNhMIIBIjANBgkqhkiG9w0BAQEF\n\
AAOCAQ8AMIIBCgKCAQEA82vViK4nKN1aD5jpV+X2OpUkv2RpGvuI+rtUmXhzJOLy\n\
FHgUj97uQO+DGnIe8jcPHZJC5hL38XWHgd26LR927Wv0MR0RTHVbA/0vR0RxNW3A\n\
HTsADxWTxw64PumzcKaC21t/FEWdDxvgAmCU6wBS3sZ+TMfx9B+yMI7voKGxhWLU\n\
XEyDEYCC6Kgxw4kRYaMP4srlCSwIJQcyF2OEVm++XLU+R71i8dFYze8UHHNngVZo\n\
/ga+j548dsCOVRntto6xa4lyzg95s3+drJC/+tUd81aXhn6LB84V9iubpGiBKqIn\n\
IYig1ox2kvFuir0ab44bCNatJz3a6xbPFOtA8PybnQIDAQABo1AwTjAdBgNVHQ4E\n\
FgQU4oF3FXY1liP4BIaQTLVZhrlsHtUwHwYDVR0jBBgwFoAU4oF3FXY1liP4BIaQ\n\
TLVZhrlsHtUwDAYDVR0TAQH/BAIwADANBgkqhkiG9w0BAQsFAAOCAQEAedMQcTj4\n\
CDA2/O6fFoUj6rfVTxHyHpMzrm4zhhBejoXjWKb2pXhzacQgQ0ZYL82A/znXiZRd\n\
lDpnnhs9RyT0l+0gv8kNbODZv+i2F7y/44sXoi4+nNo/tVCYDcPnVXoWh5aVTWuH\n\
Cph2IICiq6jOEQayUiKmzbIVkj8WfK7neoYbT1M9pNXwgjok+WurcBi3yKSqsG0d\n\
2BYskBf9SNqMz5mZ1d3k01FkR3pbje0GoSOXBcch9kDjNO+oxJZbLpQiyM3qNAJE\n\
c+/ovY5J0xCc2Vt55sfZo9EKv4O445QVdH2+lvRt4ihBzQTVhtBZLVhM+M7WJUlh\n\
D6oFSjefceJ/dQ==\n\
-----END CERTIFICATE-----\n";
}
