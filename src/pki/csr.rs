//! CSRs: the key and CSR a client makes, and the server's check of what it receives.

use rcgen::{
    CertificateParams, DistinguishedName, DnType, KeyPair, PublicKeyData, SignatureAlgorithm,
};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::error::X509Error;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_PKCS1_SHA1WITHRSA, OID_SHA1_WITH_RSA, OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer as _;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::{CsrError, PkiError, pem_encode};

/// The smallest and largest RSA keys accepted in a CSR, in bits.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

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

/// The public key of a CSR whose signature verified, in the form rcgen writes into a
/// certificate.
pub(super) struct CsrKey {
    /// The subjectPublicKey bits.
    raw: Vec<u8>,
    /// Determines the SubjectPublicKeyInfo algorithm identifier rcgen writes; chosen from the
    /// key itself, not from the CSR's signature algorithm.
    alg: &'static SignatureAlgorithm,
    pub(super) is_rsa: bool,
}

impl PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

pub(super) fn verified_csr_key(der: &[u8]) -> Result<CsrKey, CsrError> {
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

#[cfg(test)]
mod tests {
    use rustls_pki_types::CertificateSigningRequestDer;
    use rustls_pki_types::pem::PemObject as _;

    use super::*;
    use crate::pki::testdata::*;

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
            ca.issue(&tampered, &to("alice"), HOUR, now()),
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
            ca.issue(&tampered, &to("alice"), HOUR, now()),
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
            let result = ca.issue(&pem, &to("alice"), HOUR, now());
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
            let result = ca.issue(input, &to("alice"), HOUR, now());
            assert!(
                matches!(result, Err(CsrError::NotPem | CsrError::Malformed)),
                "{input:?} gave {result:?}"
            );
        }
        for len in 0..der.len() {
            let pem = pem_encode("CERTIFICATE REQUEST", &der[..len]);
            assert!(
                ca.issue(&pem, &to("alice"), HOUR, now()).is_err(),
                "prefix {len}"
            );
        }
        let mut trailing = der.clone();
        trailing.extend_from_slice(b"extra");
        let pem = pem_encode("CERTIFICATE REQUEST", &trailing);
        assert_eq!(
            ca.issue(&pem, &to("alice"), HOUR, now()),
            Err(CsrError::Malformed)
        );
    }

    #[test]
    fn unsupported_keys_and_signatures_are_refused() {
        let ca = test_ca();
        let small = ca.issue(RSA1024_CSR, &to("alice"), HOUR, now());
        assert_eq!(
            small,
            Err(CsrError::UnsupportedKey("RSA of 1024 bits".into()))
        );
        let p521 = ca.issue(P521_CSR, &to("alice"), HOUR, now());
        assert!(matches!(p521, Err(CsrError::UnsupportedKey(ref k)) if k.contains("1.3.132.0.35")));
        let sha1 = ca.issue(RSA2048SHA1_CSR, &to("alice"), HOUR, now());
        assert_eq!(sha1, Err(CsrError::UnsupportedSignature));
        let message = small.unwrap_err().to_string();
        assert!(message.contains("ECDSA P-256"), "{message}");
    }

    #[test]
    fn bit_length_counts_significant_bits() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
    }
}
