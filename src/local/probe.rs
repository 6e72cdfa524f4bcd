//! A blocking `GET /readyz` over mutual TLS, to tell when kube-apiserver is ready.
//!
//! Synchronous on purpose: `ike::local` is used from plain `#[test]`s and from a CLI command
//! before any runtime exists. The ring provider is passed explicitly so that probing never
//! depends on (or installs) the process-wide default provider.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject as _};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

const TIMEOUT: Duration = Duration::from_secs(2);

/// A TLS client for the local apiserver, authenticated with a client certificate.
pub struct Prober {
    config: Arc<ClientConfig>,
    port: u16,
}

impl Prober {
    /// A prober of `https://127.0.0.1:port` trusting `ca_pem` and presenting `cert_pem`/`key_pem`.
    pub fn new(port: u16, ca_pem: &str, cert_pem: &str, key_pem: &str) -> Result<Prober, String> {
        let mut roots = RootCertStore::empty();
        let ca = CertificateDer::from_pem_slice(ca_pem.as_bytes()).map_err(|e| e.to_string())?;
        roots.add(ca).map_err(|e| e.to_string())?;
        let cert =
            CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| e.to_string())?;
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| e.to_string())?;
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_client_auth_cert(vec![cert], key)
                .map_err(|e| e.to_string())?;
        Ok(Prober {
            config: Arc::new(config),
            port,
        })
    }

    /// `GET path`; the HTTP status code, or why there was none.
    pub fn get_status(&self, path: &str) -> Result<u16, String> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
        tcp.set_read_timeout(Some(TIMEOUT))
            .and_then(|()| tcp.set_write_timeout(Some(TIMEOUT)))
            .map_err(|e| e.to_string())?;
        let server_name = ServerName::IpAddress(Ipv4Addr::LOCALHOST.into());
        let conn =
            ClientConnection::new(self.config.clone(), server_name).map_err(|e| e.to_string())?;
        let mut tls = StreamOwned::new(conn, tcp);
        write!(
            tls,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )
        .map_err(|e| e.to_string())?;
        tls.flush().map_err(|e| e.to_string())?;
        // Only the status line matters; stop reading as soon as it is complete.
        let mut head = Vec::new();
        let mut buf = [0u8; 512];
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed before a status line".into());
            }
            head.extend_from_slice(&buf[..n]);
        }
        parse_status_line(&head).ok_or_else(|| "malformed HTTP status line".into())
    }
}

fn parse_status_line(head: &[u8]) -> Option<u16> {
    let line = head.split(|&b| b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    parts.next()?.strip_prefix("HTTP/")?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_is_parsed() {
        assert_eq!(parse_status_line(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(parse_status_line(b"HTTP/1.1 500 Internal\r\nx"), Some(500));
        assert_eq!(parse_status_line(b"garbage\r\n"), None);
    }
}
