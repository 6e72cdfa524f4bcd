//! Test CAs, CSRs and certificates shared by the pki tests.

#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType, SignatureAlgorithm,
};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, CertificateSigningRequestDer};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer as _;

use super::{AccountCa, pem_encode};

pub const HOUR: Duration = Duration::from_secs(3600);

pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

pub fn test_ca() -> AccountCa {
    AccountCa::generate("ike test CA", 24 * HOUR, SystemTime::now())
        .unwrap()
        .0
}

pub fn der_of(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

pub fn csr_with(params: &CertificateParams, alg: &'static SignatureAlgorithm) -> String {
    let key = KeyPair::generate_for(alg).unwrap();
    let csr = params.serialize_request(&key).unwrap();
    pem_encode("CERTIFICATE REQUEST", csr.der())
}

/// A CSR asking for everything a client must never get.
pub fn forged_csr() -> String {
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

pub fn csr_spki(csr_pem: &str) -> Vec<u8> {
    let der = CertificateSigningRequestDer::from_pem_slice(csr_pem.as_bytes()).unwrap();
    let (_, csr) = X509CertificationRequest::from_der(&der).unwrap();
    csr.certification_request_info.subject_pki.raw.to_vec()
}

// Made with openssl 3.0: `openssl req -new -newkey rsa:1024 ...` and so on; see each name.

pub const RSA1024_CSR: &str = "\
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

pub const P521_CSR: &str = "\
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

pub const RSA2048_CSR: &str = "\
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

pub const RSA2048SHA1_CSR: &str = "\
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

pub const RSACA_CRT: &str = "\
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

pub const RSACA_KEY: &str = "\
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

pub const LEAF_CRT: &str = "\
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

/// What a test certificate for `account` is bound to: a fixed UID, nothing revoked.
pub fn to(account: &str) -> super::AccountBinding<'_> {
    super::AccountBinding {
        account,
        uid: "test-uid",
        valid_after: None,
    }
}
