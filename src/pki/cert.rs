//! Facts read from a certificate, and the pin of a CA.

use std::time::{Duration, SystemTime};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;
use x509_parser::x509::X509Name;

use super::{PkiError, hex, nom_error, serial_hex};

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
    /// The Account UID the certificate is bound to, when ike's account API issued it.
    pub account_uid: Option<String>,
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
        account_uid: super::binding::account_uid(&cert),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testdata::*;

    #[test]
    fn cert_info_and_ca_pin_refuse_garbage() {
        assert!(matches!(cert_info(""), Err(PkiError::CertificatePem(_))));
        assert!(matches!(ca_pin("junk"), Err(PkiError::CertificatePem(_))));
        let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(cert_info(broken), Err(PkiError::Certificate(_))));
        let pin = ca_pin(test_ca().cert_pem()).unwrap();
        assert!(pin.starts_with("sha256:") && pin.len() == 7 + 64);
    }
}
