//! Publishing host names to a site's authoritative DNS server: RFC 2136 dynamic updates signed
//! with TSIG (RFC 8945), with ownership records so that ike never changes a name it did not
//! create. A leaf: it knows DNS, not Kubernetes.
//!
//! # Ownership
//! Every name ike publishes carries, at the same name, one TXT record
//! `heritage=ike,ike/owner=OWNER,ike/resource=RESOURCE` (OWNER: the publisher's id, e.g. the
//! site; RESOURCE: what the name belongs to, e.g. `Service/office/printer`). The same name
//! rather than a prefixed one (external-dns' `PREFIX.name` registry) because then one RFC 2136
//! prerequisite on one name decides everything atomically, on the server:
//! - create: "name is not in use" (no record of any type, so nothing of anyone's, not even a
//!   CNAME or MX that the A/AAAA/TXT reads do not see);
//! - replace and remove: "the TXT RRset is exactly our claim" (value dependent), so a name
//!   someone else claimed, or where someone added their own TXT, fails the update;
//!
//! and removing leaves no orphaned claim at another name. The cost: a TXT query shows the
//! claim (which names no secret), and a name shared with someone's TXT is not ours any more.
//!
//! A name that holds records without exactly our claim is never written: the result is
//! [`Outcome::NotOwned`], naming the other claim when it is ike's. Each publish first reads
//! A, AAAA and TXT (signed with the key) so that an unchanged name costs no write, then sends
//! one update guarded by its prerequisite; a failed prerequisite means the name changed in
//! between, so it reads again and decides again (at most [`MAX_ATTEMPTS`] times). A decision
//! not to write (NotOwned) is confirmed by a second read, since one read's three queries may
//! straddle another writer's update.
//!
//! # No ready addresses
//! Publishing an empty address list keeps the name and the claim and removes A and AAAA: the
//! name belongs to its resource for as long as the resource exists. Releasing it while a
//! Service merely has no ready pod (a restart, a scale to zero) would let another owner take
//! it in the gap, and the returning pods would find their name `NotOwned`. Clients get NODATA
//! ("no address now") instead of NXDOMAIN ("no such name"). [`Publisher::remove`] is for when
//! the resource itself is gone.

mod key;
mod publisher;
mod update;
mod wire;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::op::{Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

pub use key::{Algorithm, TsigKey};
pub use publisher::Publisher;
pub use update::Ownership;

/// The TTL of published records unless the resource asks for another.
pub const DEFAULT_TTL: u32 = 30;
/// How long one UDP attempt (three are made) or one TCP exchange may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a publish or remove reads and decides again when the name changes under it.
pub const MAX_ATTEMPTS: u32 = 4;
/// The largest TTL RFC 2181 allows.
const TTL_MAX: u32 = (1 << 31) - 1;

/// What a publish or remove did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The name was free: claim and addresses were written.
    Created,
    /// The name was ours: its addresses (and TTL) were replaced.
    Updated,
    /// The name was ours and already served exactly these addresses and TTL: nothing written.
    Unchanged,
    /// The name was ours: addresses and claim were deleted.
    Removed,
    /// Nothing to remove: the name does not exist.
    Absent,
    /// Someone else holds the name; nothing was written.
    NotOwned {
        /// The other claim, when ike made it; None for records ike did not write (or a name
        /// shared with them).
        holder: Option<Ownership>,
    },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Created => f.write_str("created"),
            Outcome::Updated => f.write_str("updated"),
            Outcome::Unchanged => f.write_str("unchanged"),
            Outcome::Removed => f.write_str("removed"),
            Outcome::Absent => f.write_str("absent"),
            Outcome::NotOwned { holder: Some(h) } => write!(f, "not owned: held by {h}"),
            Outcome::NotOwned { holder: None } => {
                f.write_str("not owned: holds records that ike did not publish")
            }
        }
    }
}

/// One address record of a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address {
    /// The address (A: IPv4, AAAA: IPv6).
    pub ip: IpAddr,
    /// Its TTL in seconds, as the server gives it.
    pub ttl: u32,
}

/// What a server holds at a name, as far as ike cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// false when the server says the name does not exist (NXDOMAIN).
    pub exists: bool,
    /// A records, then AAAA records, each in address order.
    pub addresses: Vec<Address>,
    /// Each TXT record's text (its character-strings joined).
    pub txt: Vec<String>,
}

impl Answer {
    /// The ike claim among the TXT records, if there is one.
    pub fn ownership(&self) -> Option<Ownership> {
        self.txt.iter().find_map(|t| Ownership::from_txt(t))
    }

    fn v4(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.addresses.iter().filter_map(|a| match a.ip {
            IpAddr::V4(ip) => Some(ip),
            IpAddr::V6(_) => None,
        })
    }

    fn v6(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        self.addresses.iter().filter_map(|a| match a.ip {
            IpAddr::V6(ip) => Some(ip),
            IpAddr::V4(_) => None,
        })
    }
}

/// Asks `server` (unsigned) for the A, AAAA and TXT records of `name`, with
/// [`DEFAULT_TIMEOUT`]; the TTLs are the server's, so an authoritative server gives the
/// published ones.
pub async fn lookup(server: SocketAddr, name: &str) -> Result<Answer, Error> {
    let exchanger = wire::Exchanger {
        server,
        timeout: DEFAULT_TIMEOUT,
        signer: None,
    };
    read(&exchanger, &parse_name(name)?).await
}

/// A DNS server given as `HOST:PORT`, `HOST` (port 53), `IP`, `IP:PORT` or `[IPv6]:PORT`, as
/// a socket address (the first one a host name resolves to).
pub async fn server_address(server: &str) -> Result<SocketAddr, Error> {
    let server = server.trim();
    if let Ok(address) = server.parse() {
        return Ok(address);
    }
    if let Ok(ip) = server.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok((ip, 53).into());
    }
    let has_port = server
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    let with_port = if has_port {
        server.to_string()
    } else {
        format!("{server}:53")
    };
    let bad = || Error::BadServer {
        server: server.chars().take(64).collect(),
    };
    if server.is_empty() {
        return Err(bad());
    }
    tokio::net::lookup_host(&with_port)
        .await
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(bad)
}

/// The three queries run at once; each is answered on its own, so a concurrent update may
/// fall between them (publishing only decides on this, the update's prerequisite guards).
async fn read(exchanger: &wire::Exchanger, name: &Name) -> Result<Answer, Error> {
    let (a, aaaa, txt) = tokio::try_join!(
        query(exchanger, name, RecordType::A),
        query(exchanger, name, RecordType::AAAA),
        query(exchanger, name, RecordType::TXT),
    )?;
    let mut answer = Answer {
        exists: [&a, &aaaa, &txt]
            .iter()
            .all(|m| m.metadata.response_code != ResponseCode::NXDomain),
        ..Answer::default()
    };
    for record in [a, aaaa, txt].into_iter().flat_map(|m| m.answers) {
        // Only the name itself: a CNAME's target would otherwise pass for its addresses.
        if &record.name != name {
            continue;
        }
        let ttl = record.ttl;
        match record.data {
            RData::A(a) => answer.addresses.push(Address {
                ip: IpAddr::V4(a.0),
                ttl,
            }),
            RData::AAAA(aaaa) => answer.addresses.push(Address {
                ip: IpAddr::V6(aaaa.0),
                ttl,
            }),
            RData::TXT(txt) => answer.txt.push(
                txt.txt_data
                    .iter()
                    .map(|s| String::from_utf8_lossy(s))
                    .collect(),
            ),
            _ => {}
        }
    }
    // Servers rotate the order of an RRset's records; callers want stable output.
    answer.addresses.sort_by_key(|a| a.ip);
    Ok(answer)
}

async fn query(
    exchanger: &wire::Exchanger,
    name: &Name,
    rtype: RecordType,
) -> Result<Message, Error> {
    let mut request = Message::query();
    request.metadata.recursion_desired = false;
    request.add_query(Query::query(name.clone(), rtype));
    let answer = exchanger.exchange(request, true).await?;
    match answer.metadata.response_code {
        ResponseCode::NoError | ResponseCode::NXDomain => Ok(answer),
        ResponseCode::Refused => Err(Error::QueryRefused {
            server: exchanger.server,
            name: name.to_string(),
        }),
        code => Err(Error::Server {
            server: exchanger.server,
            rcode: code.to_string(),
            what: format!("the {rtype} query for {name}"),
        }),
    }
}

/// `text` as an absolute DNS name (a trailing dot is optional).
fn parse_name(text: &str) -> Result<Name, Error> {
    let bad = |problem: String| Error::BadName {
        name: text.to_string(),
        problem,
    };
    let trimmed = text.strip_suffix('.').unwrap_or(text);
    if trimmed.is_empty() {
        return Err(bad("it is empty".into()));
    }
    Name::from_ascii(format!("{trimmed}.")).map_err(|e| bad(e.to_string()))
}

/// What went wrong reading a key, checking input, or talking to the DNS server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The TSIG key file could not be read.
    #[error("could not read the TSIG key file {}", path.display())]
    ReadKey {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TSIG key text is not one usable BIND `key` clause.
    #[error("unusable TSIG key: {problem}")]
    BadKey {
        /// What is wrong, with the line where it applies and how to get a good key.
        problem: String,
    },
    /// A zone or host name is not a valid DNS name.
    #[error("{name:?} is not a valid DNS name: {problem}")]
    BadName {
        /// The text given.
        name: String,
        /// Why.
        problem: String,
    },
    /// A DNS server's address is neither an address nor a name that resolves.
    #[error(
        "the DNS server {server:?} is not an address and does not resolve: write HOST:PORT, e.g. 192.0.2.53:53"
    )]
    BadServer {
        /// The text given.
        server: String,
    },
    /// A name to publish is not below the publisher's zone.
    #[error("{name} is not a name below zone {zone}: publish names that end in .{zone}")]
    OutsideZone {
        /// The name.
        name: String,
        /// The zone.
        zone: String,
    },
    /// The owner id or resource cannot form a claim.
    #[error("invalid ownership claim: {problem}")]
    BadClaim {
        /// What is wrong.
        problem: String,
    },
    /// The TTL is above RFC 2181's limit.
    #[error("TTL {ttl} is above the DNS limit of {TTL_MAX} seconds")]
    BadTtl {
        /// The TTL asked for.
        ttl: u32,
    },
    /// A message could not be encoded or signed (a name or record too large).
    #[error("could not encode the DNS message: {problem}")]
    Encode {
        /// The encoder's complaint.
        problem: String,
    },
    /// A socket operation failed (e.g. "connection refused": nothing listens there).
    #[error(
        "could not talk to the DNS server {server} over {transport}: check that it runs and \
         listens on that address and port"
    )]
    Io {
        /// The server.
        server: SocketAddr,
        /// "UDP" or "TCP".
        transport: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No answer in time.
    #[error(
        "no answer from the DNS server {server} over {transport} within {waited:?}: check that \
         it runs, listens on that address and port, and that no firewall drops DNS"
    )]
    Timeout {
        /// The server.
        server: SocketAddr,
        /// How long was waited in all.
        waited: Duration,
        /// "UDP" or "TCP".
        transport: &'static str,
    },
    /// The answer is not a DNS message.
    #[error("the DNS server {server} sent an answer that is not valid DNS: {problem}")]
    Malformed {
        /// The server.
        server: SocketAddr,
        /// The decoder's complaint.
        problem: String,
    },
    /// The server did not accept our TSIG signature.
    #[error(
        "the DNS server {server} rejected the signature of TSIG key {key} ({code}): {}",
        tsig_hint(code)
    )]
    TsigRejected {
        /// The server.
        server: SocketAddr,
        /// The key's name.
        key: String,
        /// BADSIG, BADKEY, BADTIME or another TSIG error.
        code: String,
    },
    /// A success answer whose TSIG signature does not verify with our key.
    #[error(
        "the answer of {server} is not signed by TSIG key {key} ({problem}): ignoring it; \
         something between ike and the server changes answers, or the server has another secret"
    )]
    BadResponseSignature {
        /// The server.
        server: SocketAddr,
        /// The key's name.
        key: String,
        /// Why verification failed.
        problem: String,
    },
    /// The server refused the update itself (the key may not update the zone).
    #[error(
        "the DNS server {server} refused the update of {name} (REFUSED): check that key {key} \
         may update zone {zone} (BIND: update-policy {{ grant {key} zonesub ANY; }};)"
    )]
    Refused {
        /// The server.
        server: SocketAddr,
        /// The name being updated.
        name: String,
        /// The key's name.
        key: String,
        /// The zone.
        zone: String,
    },
    /// The server does not serve the zone as a primary.
    #[error(
        "the DNS server {server} is not authoritative for zone {zone} ({rcode}): send updates \
         to the zone's primary server and check the zone's name"
    )]
    NotAuthoritative {
        /// The server.
        server: SocketAddr,
        /// The zone.
        zone: String,
        /// The response code: NOTAUTH or NOTZONE.
        rcode: &'static str,
    },
    /// The server refused a query.
    #[error(
        "the DNS server {server} refused to answer for {name}: check that it serves the name's \
         zone and allows queries from this host (BIND: allow-query)"
    )]
    QueryRefused {
        /// The server.
        server: SocketAddr,
        /// The name asked for.
        name: String,
    },
    /// Any other error answer.
    #[error("the DNS server {server} answered {rcode} to {what}: see the server's log")]
    Server {
        /// The server.
        server: SocketAddr,
        /// The response code.
        rcode: String,
        /// What was asked.
        what: String,
    },
    /// The name kept changing between our read and our update.
    #[error(
        "{name} changed on the server during each of {MAX_ATTEMPTS} attempts: another writer \
         is updating it; try again later"
    )]
    Contended {
        /// The name.
        name: String,
    },
}

fn tsig_hint(code: &str) -> &'static str {
    match code {
        "BADKEY" => "the server does not know this key; add the key to its configuration",
        "BADTIME" => "the clocks of this host and the server differ by over 5 minutes; sync them",
        _ => "the server's key of that name has another secret or algorithm; use its key file",
    }
}

#[cfg(test)]
mod tests;
