//! Certificates and the admin kubeconfig of the local control plane.
//!
//! Every key is ECDSA P-256 in PKCS#8 PEM: ring (our only crypto backend) cannot generate RSA
//! keys, and kube-apiserver 1.20 accepts ECDSA keys for serving, client and service-account
//! signing (ES256) alike.

use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Name of the admin context, user and (prefix of the) cluster in the admin kubeconfig.
pub const ADMIN_CONTEXT: &str = "ike-local-admin";
/// Name of the cluster entry in kubeconfigs written for the local control plane.
pub const CLUSTER_NAME: &str = "ike-local";

/// Certificates are back-dated by this much so that a slightly slow clock elsewhere still
/// accepts them.
const BACKDATE: Duration = Duration::hours(1);
const CA_VALIDITY: Duration = Duration::days(3650);
const LEAF_VALIDITY: Duration = Duration::days(365);

/// A certificate and its private key, both PEM encoded (the key as PKCS#8).
#[derive(Clone, Debug)]
pub struct CertAndKey {
    /// The certificate, PEM (`CERTIFICATE`).
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM (`PRIVATE KEY`).
    pub key_pem: String,
}

/// Why a certificate or key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// The operating system's random source could not be read (for serial numbers).
    #[error("could not read random bytes from /dev/urandom")]
    Random(#[source] std::io::Error),
    /// rcgen refused to generate or sign.
    #[error("could not generate the {what}")]
    Rcgen {
        /// What was being generated, e.g. "apiserver serving certificate".
        what: &'static str,
        /// The rcgen error.
        #[source]
        source: rcgen::Error,
    },
}

/// The cluster CA: signs every other certificate of the plane.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, PEM.
    pub cert_pem: String,
    /// The CA key, PKCS#8 PEM.
    pub key_pem: String,
}

impl Ca {
    /// Generates a new self-signed CA named `CN=ike-local-ca`.
    pub fn generate() -> Result<Ca, PkiError> {
        let what = "cluster CA";
        let key = KeyPair::generate().map_err(rcgen_err(what))?;
        let mut params = base_params("ike-local-ca", None, CA_VALIDITY)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).map_err(rcgen_err(what))?;
        let key_pem = key.serialize_pem();
        Ok(Ca {
            issuer: Issuer::new(params, key),
            cert_pem: cert.pem(),
            key_pem,
        })
    }

    /// Loads a CA written earlier by [`Ca::generate`].
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Ca, PkiError> {
        let what = "cluster CA from its PEM files";
        let key = KeyPair::from_pem(key_pem).map_err(rcgen_err(what))?;
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key).map_err(rcgen_err(what))?;
        Ok(Ca {
            issuer,
            cert_pem: cert_pem.to_owned(),
            key_pem: key_pem.to_owned(),
        })
    }

    /// Issues the kube-apiserver serving certificate for `IP:127.0.0.1` and `DNS:localhost`.
    pub fn issue_serving(&self) -> Result<CertAndKey, PkiError> {
        let what = "apiserver serving certificate";
        let mut params = base_params("kube-apiserver", None, LEAF_VALIDITY)?;
        params.subject_alt_names = vec![
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::DnsName("localhost".try_into().map_err(rcgen_err(what))?),
        ];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params, what)
    }

    /// Issues a client certificate for user `user` (CN) in group `group` (O=, at most one: see
    /// CRATES.md).
    pub fn issue_client(&self, user: &str, group: Option<&str>) -> Result<CertAndKey, PkiError> {
        let mut params = base_params(user, group, LEAF_VALIDITY)?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, "client certificate")
    }

    fn issue(&self, params: CertificateParams, what: &'static str) -> Result<CertAndKey, PkiError> {
        let key = KeyPair::generate().map_err(rcgen_err(what))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(rcgen_err(what))?;
        Ok(CertAndKey {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

/// A service-account token signing key pair, PEM: PKCS#8 private key and SPKI public key.
pub struct ServiceAccountKey {
    /// `PRIVATE KEY` PEM, for `--service-account-signing-key-file` and kube-controller-manager.
    pub private_pem: String,
    /// `PUBLIC KEY` PEM, for `--service-account-key-file`.
    pub public_pem: String,
}

impl ServiceAccountKey {
    /// Generates an ECDSA P-256 key pair (tokens are signed ES256).
    pub fn generate() -> Result<ServiceAccountKey, PkiError> {
        let key = KeyPair::generate().map_err(rcgen_err("service-account key"))?;
        Ok(ServiceAccountKey {
            private_pem: key.serialize_pem(),
            public_pem: key.public_key_pem(),
        })
    }
}

fn base_params(
    common_name: &str,
    organization: Option<&str>,
    validity: Duration,
) -> Result<CertificateParams, PkiError> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    // rcgen's defaults (valid 1975-4096, the same serial every time) are wrong for us.
    params.not_before = now - BACKDATE;
    params.not_after = now + validity;
    params.serial_number = Some(random_serial()?);
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    if let Some(organization) = organization {
        name.push(DnType::OrganizationName, organization);
    }
    params.distinguished_name = name;
    Ok(params)
}

/// A positive, non-zero 128-bit serial number.
fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(PkiError::Random)?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}

fn rcgen_err(what: &'static str) -> impl Fn(rcgen::Error) -> PkiError {
    move |source| PkiError::Rcgen { what, source }
}

/// A kubeconfig file as written for the local control plane (the subset of fields we use).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    /// Always `v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// Always `Config`.
    pub kind: String,
    /// The single cluster.
    pub clusters: Vec<NamedCluster>,
    /// The single user.
    pub users: Vec<NamedUser>,
    /// The single context.
    pub contexts: Vec<NamedContext>,
    /// Name of the context.
    pub current_context: String,
}

/// A `clusters[]` entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct NamedCluster {
    /// Cluster name.
    pub name: String,
    /// Server and CA.
    pub cluster: Cluster,
}

/// A cluster: server URL and its CA.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    /// `https://127.0.0.1:PORT`.
    pub server: String,
    /// Base64 of the CA certificate PEM.
    pub certificate_authority_data: String,
}

/// A `users[]` entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct NamedUser {
    /// User name.
    pub name: String,
    /// Client certificate and key.
    pub user: User,
}

/// A user authenticated by an embedded client certificate.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct User {
    /// Base64 of the client certificate PEM.
    pub client_certificate_data: String,
    /// Base64 of the client key PEM.
    pub client_key_data: String,
}

/// A `contexts[]` entry.
#[derive(Debug, Serialize, Deserialize)]
pub struct NamedContext {
    /// Context name.
    pub name: String,
    /// Cluster and user of the context.
    pub context: Context,
}

/// A context: which cluster, which user.
#[derive(Debug, Serialize, Deserialize)]
pub struct Context {
    /// Cluster name.
    pub cluster: String,
    /// User name.
    pub user: String,
}

/// Renders a kubeconfig with one cluster, one user and one context named `context`, all
/// credentials embedded as `*-data` fields.
pub fn render_kubeconfig(server: &str, ca_pem: &str, context: &str, client: &CertAndKey) -> String {
    let config = Kubeconfig {
        api_version: "v1".into(),
        kind: "Config".into(),
        clusters: vec![NamedCluster {
            name: CLUSTER_NAME.into(),
            cluster: Cluster {
                server: server.into(),
                certificate_authority_data: base64(ca_pem.as_bytes()),
            },
        }],
        users: vec![NamedUser {
            name: context.into(),
            user: User {
                client_certificate_data: base64(client.cert_pem.as_bytes()),
                client_key_data: base64(client.key_pem.as_bytes()),
            },
        }],
        contexts: vec![NamedContext {
            name: context.into(),
            context: Context {
                cluster: CLUSTER_NAME.into(),
                user: context.into(),
            },
        }],
        current_context: context.into(),
    };
    // Plain scalars: the default folds long base64 values into `>-` blocks, which is valid YAML
    // but not what kubectl writes or people expect to read.
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    serde_saphyr::to_string_with_options(&config, options)
        .expect("a kubeconfig of plain strings always serializes")
}

/// Standard base64 with padding (RFC 4648 §4), as kubeconfig `*-data` fields want it.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    fn parse_pem(pem: &str) -> Vec<u8> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
        pem.contents
    }

    #[test]
    fn serving_cert_is_signed_by_the_ca_for_loopback_names() {
        let ca = Ca::generate().unwrap();
        let serving = ca.issue_serving().unwrap();
        let ca_der = parse_pem(&ca.cert_pem);
        let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
        let der = parse_pem(&serving.cert_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();

        cert.verify_signature(Some(ca_cert.public_key())).unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
        assert!(ca_cert.is_ca());
        let sans = &cert.subject_alternative_name().unwrap().unwrap().value;
        assert_eq!(
            sans.general_names,
            [
                GeneralName::IPAddress(&[127, 0, 0, 1]),
                GeneralName::DNSName("localhost")
            ]
        );
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.server_auth && !eku.client_auth);
    }

    #[test]
    fn admin_cert_is_in_the_system_masters_group() {
        let ca = Ca::generate().unwrap();
        let admin = ca.issue_client("admin", Some("system:masters")).unwrap();
        let der = parse_pem(&admin.cert_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();

        let cn: Vec<_> = cert.subject().iter_common_name().collect();
        let o: Vec<_> = cert.subject().iter_organization().collect();
        assert_eq!(cn.len(), 1);
        assert_eq!(cn[0].as_str().unwrap(), "admin");
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].as_str().unwrap(), "system:masters");
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.client_auth && !eku.server_auth);
    }

    #[test]
    fn certs_have_explicit_validity_and_distinct_random_serials() {
        let ca = Ca::generate().unwrap();
        let a = ca.issue_client("a", None).unwrap();
        let b = ca.issue_client("b", None).unwrap();
        let mut serials = Vec::new();
        for pem in [&ca.cert_pem, &a.cert_pem, &b.cert_pem] {
            let der = parse_pem(pem);
            let (_, cert) = X509Certificate::from_der(&der).unwrap();
            let not_before = cert.validity().not_before.to_datetime();
            let not_after = cert.validity().not_after.to_datetime();
            let now = OffsetDateTime::now_utc();
            assert!(not_before < now && now - not_before <= BACKDATE + Duration::minutes(1));
            assert!(not_after > now && not_after - now <= CA_VALIDITY);
            serials.push(cert.raw_serial().to_vec());
        }
        serials.sort();
        serials.dedup();
        assert_eq!(serials.len(), 3);
    }

    #[test]
    fn a_reloaded_ca_signs_certs_that_verify_against_the_original() {
        let ca = Ca::generate().unwrap();
        let reloaded = Ca::from_pem(&ca.cert_pem, &ca.key_pem).unwrap();
        let leaf = reloaded.issue_serving().unwrap();
        let ca_der = parse_pem(&ca.cert_pem);
        let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
        let der = parse_pem(&leaf.cert_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        cert.verify_signature(Some(ca_cert.public_key())).unwrap();
        assert_eq!(cert.issuer(), ca_cert.subject());
    }

    #[test]
    fn keys_are_pkcs8_and_the_sa_public_key_is_spki() {
        let ca = Ca::generate().unwrap();
        assert!(ca.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let sa = ServiceAccountKey::generate().unwrap();
        assert!(sa.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(sa.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn kubeconfig_parses_as_yaml_with_embedded_credentials() {
        let client = CertAndKey {
            cert_pem: "CERT".into(),
            key_pem: "KEY".repeat(100),
        };
        let yaml = render_kubeconfig("https://127.0.0.1:6443", "CA", ADMIN_CONTEXT, &client);
        let key_data = base64("KEY".repeat(100).as_bytes());
        assert!(
            yaml.contains(&format!("    client-key-data: {key_data}\n")),
            "long values stay on one line:\n{yaml}"
        );
        let parsed: Kubeconfig = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(parsed.api_version, "v1");
        assert_eq!(parsed.kind, "Config");
        assert_eq!(parsed.current_context, ADMIN_CONTEXT);
        assert_eq!(parsed.contexts[0].name, ADMIN_CONTEXT);
        assert_eq!(parsed.contexts[0].context.user, parsed.users[0].name);
        assert_eq!(parsed.contexts[0].context.cluster, parsed.clusters[0].name);
        assert_eq!(parsed.clusters[0].cluster.server, "https://127.0.0.1:6443");
        assert_eq!(
            parsed.clusters[0].cluster.certificate_authority_data,
            "Q0E="
        );
        assert_eq!(parsed.users[0].user.client_certificate_data, "Q0VSVA==");
        assert_eq!(parsed.users[0].user.client_key_data, key_data);
        for key in [
            "certificate-authority-data:",
            "client-certificate-data:",
            "current-context:",
        ] {
            assert!(yaml.contains(key), "{key} missing from:\n{yaml}");
        }
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in vectors {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
