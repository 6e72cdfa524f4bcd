//! One DNS exchange with one server: UDP with retries (TCP when the message is too large for
//! UDP or the answer comes back truncated), optional TSIG signing of the request and checking
//! of the response, a timeout on every step.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Edns, Message};
use hickory_proto::rr::TSigner;
use hickory_proto::rr::rdata::tsig::TsigError;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpStream, UdpSocket};

use super::Error;

/// How many times a UDP request is sent before giving up.
pub(crate) const UDP_ATTEMPTS: u32 = 3;
/// Requests larger than this go over TCP (the classic DNS UDP limit, which every server takes).
const UDP_REQUEST_MAX: usize = 512;
/// The EDNS payload size advertised in queries: large enough for dozens of addresses, small
/// enough not to fragment (the DNS flag day 2020 value).
const EDNS_PAYLOAD: u16 = 1232;
/// How far the server's clock may be from ours, in seconds (BIND's default is 300 too).
pub(crate) const FUDGE: u16 = 300;

/// Where and how to exchange messages.
#[derive(Clone)]
pub(crate) struct Exchanger {
    pub server: SocketAddr,
    /// Per UDP attempt, and for a whole TCP exchange.
    pub timeout: Duration,
    pub signer: Option<TSigner>,
}

impl Exchanger {
    /// Sends `request` and returns the server's answer, authenticated when a signer is set.
    ///
    /// An answer whose TSIG does not verify is refused if it claims success; an error answer is
    /// returned even unsigned (servers do not sign some errors, and a forged error can only
    /// make us fail, never write).
    pub async fn exchange(&self, mut request: Message, edns: bool) -> Result<Message, Error> {
        if edns {
            request
                .edns
                .get_or_insert_with(Edns::new)
                .set_max_payload(EDNS_PAYLOAD)
                .set_version(0);
        }
        let mut verifier = match &self.signer {
            Some(signer) => request
                .finalize(signer, unix_now())
                .map_err(|e| Error::Encode {
                    problem: e.to_string(),
                })?,
            None => None,
        };
        let id = request.metadata.id;
        let bytes = request.to_vec().map_err(|e| Error::Encode {
            problem: e.to_string(),
        })?;
        let mut raw = None;
        if bytes.len() <= UDP_REQUEST_MAX {
            let answer = self.udp(&bytes, id).await?;
            // The TC bit is the third bit of the third byte.
            if answer.get(2).is_some_and(|flags| flags & 0x02 == 0) {
                raw = Some(answer);
            }
        }
        let raw = match raw {
            Some(raw) => raw,
            None => self.tcp(&bytes, id).await?,
        };
        let answer = Message::from_vec(&raw).map_err(|e| Error::Malformed {
            server: self.server,
            problem: e.to_string(),
        })?;
        let Some(verifier) = verifier.as_mut() else {
            return Ok(answer);
        };
        if let Some(tsig) = &answer.signature
            && let Some(error) = tsig.data.error
        {
            return Err(Error::TsigRejected {
                server: self.server,
                key: self.key_name(),
                code: tsig_error_name(error),
            });
        }
        match verifier.verify(&raw) {
            Ok(_) => Ok(answer),
            Err(_) if answer.metadata.response_code != hickory_proto::op::ResponseCode::NoError => {
                Ok(answer)
            }
            Err(e) => Err(Error::BadResponseSignature {
                server: self.server,
                key: self.key_name(),
                problem: e.to_string(),
            }),
        }
    }

    fn key_name(&self) -> String {
        self.signer
            .as_ref()
            .map(|s| {
                s.signer_name()
                    .to_string()
                    .trim_end_matches('.')
                    .to_string()
            })
            .unwrap_or_default()
    }

    async fn udp(&self, request: &[u8], id: u16) -> Result<Vec<u8>, Error> {
        let io = |source| Error::Io {
            server: self.server,
            transport: "UDP",
            source,
        };
        let local: SocketAddr = match self.server {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local).await.map_err(io)?;
        // Connected: the kernel drops datagrams from anyone but the server.
        socket.connect(self.server).await.map_err(io)?;
        let mut buf = vec![0u8; usize::from(u16::MAX)];
        for _ in 0..UDP_ATTEMPTS {
            socket.send(request).await.map_err(io)?;
            let deadline = tokio::time::Instant::now() + self.timeout;
            loop {
                match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
                    Err(_elapsed) => break,
                    Ok(Err(e)) => return Err(io(e)),
                    // A late answer to an earlier attempt has the same id and is as good.
                    Ok(Ok(n)) if n >= 12 && buf[..2] == id.to_be_bytes() => {
                        return Ok(buf[..n].to_vec());
                    }
                    Ok(Ok(_)) => {}
                }
            }
        }
        Err(Error::Timeout {
            server: self.server,
            waited: self.timeout * UDP_ATTEMPTS,
            transport: "UDP",
        })
    }

    async fn tcp(&self, request: &[u8], id: u16) -> Result<Vec<u8>, Error> {
        let exchange = async {
            let mut stream = TcpStream::connect(self.server).await?;
            let length = u16::try_from(request.len())
                .map_err(|_| std::io::Error::other("the request exceeds 64 KiB"))?;
            let mut framed = Vec::with_capacity(request.len() + 2);
            framed.extend_from_slice(&length.to_be_bytes());
            framed.extend_from_slice(request);
            stream.write_all(&framed).await?;
            loop {
                let length = stream.read_u16().await?;
                let mut answer = vec![0u8; usize::from(length)];
                stream.read_exact(&mut answer).await?;
                if answer.len() >= 12 && answer[..2] == id.to_be_bytes() {
                    return Ok(answer);
                }
            }
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result.map_err(|source| Error::Io {
                server: self.server,
                transport: "TCP",
                source,
            }),
            Err(_elapsed) => Err(Error::Timeout {
                server: self.server,
                waited: self.timeout,
                transport: "TCP",
            }),
        }
    }
}

fn tsig_error_name(error: TsigError) -> String {
    match error {
        TsigError::BadSig => "BADSIG".into(),
        TsigError::BadKey => "BADKEY".into(),
        TsigError::BadTime => "BADTIME".into(),
        TsigError::BadTrunc => "BADTRUNC".into(),
        TsigError::Unknown(code) => format!("TSIG error {code}"),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
