//! Certificates, shared by the client and the account API: the account CA that signs client and
//! serving certificates ([`ca`]), CSR validation and the key and CSR a client makes ([`csr`]),
//! facts read from a certificate and the CA pin checked on first login ([`cert`]), and what
//! binds a certificate to its Account beyond the CN ([`binding`]).
//!
//! Nothing here does I/O. The server decides every field of an issued certificate; from a CSR
//! only the public key is used, after its signature verifies. Kubernetes cannot revoke client
//! certificates and reads groups from `O=`, so an issued certificate names exactly one user
//! (`CN=<account>`), no groups, and lives briefly; it carries its Account's UID, so that the
//! account API can tell it from one of another account of the same name, or one it did not
//! issue.

mod binding;
mod ca;
mod cert;
mod csr;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod testdata;

use std::time::{Duration, SystemTime};

use rcgen::{DistinguishedName, DnType, SerialNumber};
use ring::rand::SecureRandom as _;
use time::OffsetDateTime;
use x509_parser::error::X509Error;

pub use binding::{AccountBinding, BindingError, check_binding, issued_at, revoking_valid_after};
pub use ca::AccountCa;
pub use cert::{CertInfo, ca_pin, cert_info, cert_info_der};
pub use csr::new_key_and_csr;

use crate::api::names::NameError;

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
    /// The account name cannot be an account (not a DNS-1123 subdomain, or `system:...`).
    #[error(transparent)]
    Account(#[from] NameError),
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
