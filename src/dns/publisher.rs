//! The [`Publisher`]: publish and remove one name at a time, reading, deciding (in
//! [`super::update`]) and sending one guarded update.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::tsig::TsigAlgorithm;
use hickory_proto::rr::{Name, TSigner};

use super::update::{self, Desired, Ownership, Step};
use super::{
    Answer, DEFAULT_TIMEOUT, Error, MAX_ATTEMPTS, Outcome, TTL_MAX, TsigKey, parse_name, read, wire,
};

/// Publishes names of one zone to its primary server, signed with one TSIG key, on behalf of
/// one owner (e.g. the site). Cheap to clone; share one per zone.
#[derive(Clone)]
pub struct Publisher {
    exchanger: wire::Exchanger,
    zone: Name,
    key_name: String,
    owner: String,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("server", &self.exchanger.server)
            .field("zone", &self.zone())
            .field("key", &self.key_name)
            .field("owner", &self.owner)
            .finish()
    }
}

/// Whether an update was applied or its prerequisite failed.
enum Applied {
    Yes,
    PrerequisiteFailed,
}

impl Publisher {
    /// A publisher of names in `zone` (e.g. `office.example.org`) on `server`, claiming them
    /// for `owner` (ASCII letters, digits and `-._/:`). Sends nothing yet.
    pub fn new(
        server: SocketAddr,
        zone: &str,
        key: &TsigKey,
        owner: &str,
    ) -> Result<Publisher, Error> {
        let zone = parse_name(zone)?;
        // The claim's other half is checked per call; a placeholder checks the owner now.
        Ownership::new(owner, "-")?;
        let algorithm = match key.algorithm {
            super::Algorithm::HmacSha256 => TsigAlgorithm::HmacSha256,
            super::Algorithm::HmacSha384 => TsigAlgorithm::HmacSha384,
            super::Algorithm::HmacSha512 => TsigAlgorithm::HmacSha512,
        };
        let signer = TSigner::new(
            key.secret().to_vec(),
            algorithm,
            parse_name(&key.name)?,
            wire::FUDGE,
        )
        .map_err(|e| Error::BadKey {
            problem: format!("key {:?}: {e}", key.name),
        })?;
        Ok(Publisher {
            exchanger: wire::Exchanger {
                server,
                timeout: DEFAULT_TIMEOUT,
                signer: Some(signer),
            },
            zone,
            key_name: key.name.clone(),
            owner: owner.into(),
        })
    }

    /// The same publisher with another timeout per UDP attempt (three are made) and per TCP
    /// exchange; the default is [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Publisher {
        self.exchanger.timeout = timeout;
        self
    }

    /// The server updates are sent to.
    pub fn server(&self) -> SocketAddr {
        self.exchanger.server
    }

    /// The zone, without the trailing dot.
    pub fn zone(&self) -> String {
        self.zone.to_string().trim_end_matches('.').to_string()
    }

    /// The owner id written into every claim.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Makes `name` (in the zone; trailing dot optional) resolve to exactly `ips` with `ttl`,
    /// claimed for `resource`: creates it if no one uses it, replaces its whole A and AAAA sets
    /// if we hold it, and leaves it alone ([`Outcome::NotOwned`]) otherwise. Empty `ips` keeps
    /// the name and the claim without addresses (see the module docs for why).
    pub async fn publish(
        &self,
        name: &str,
        ips: &[IpAddr],
        ttl: u32,
        resource: &str,
    ) -> Result<Outcome, Error> {
        if ttl > TTL_MAX {
            return Err(Error::BadTtl { ttl });
        }
        let name = self.name_in_zone(name)?;
        let desired = Desired::new(Ownership::new(&self.owner, resource)?, ips, ttl);
        let mut create_refused = false;
        for _ in 0..MAX_ATTEMPTS {
            let plan = |current: &Answer| update::plan_publish(current, &desired, create_refused);
            let Some(step) = self.decide(&name, plan).await? else {
                continue;
            };
            let done = match &step {
                Step::Done(outcome) => return Ok(outcome.clone()),
                Step::Create => Outcome::Created,
                Step::Replace | Step::Delete => Outcome::Updated,
            };
            match self.send(&step, &name, &desired).await? {
                Applied::Yes => return Ok(done),
                Applied::PrerequisiteFailed => create_refused |= step == Step::Create,
            }
        }
        Err(Error::Contended {
            name: name.to_string(),
        })
    }

    /// Deletes the addresses and the claim of `name` if `resource` holds it
    /// ([`Outcome::Removed`]); [`Outcome::Absent`] if there is nothing, and
    /// [`Outcome::NotOwned`] (nothing deleted) if someone else holds it.
    pub async fn remove(&self, name: &str, resource: &str) -> Result<Outcome, Error> {
        let name = self.name_in_zone(name)?;
        let desired = Desired::new(Ownership::new(&self.owner, resource)?, &[], 0);
        for _ in 0..MAX_ATTEMPTS {
            let plan = |current: &Answer| update::plan_remove(current, &desired.claim);
            let Some(step) = self.decide(&name, plan).await? else {
                continue;
            };
            if let Step::Done(outcome) = step {
                return Ok(outcome);
            }
            if let Applied::Yes = self.send(&step, &name, &desired).await? {
                return Ok(Outcome::Removed);
            }
        }
        Err(Error::Contended {
            name: name.to_string(),
        })
    }

    /// Reads `name` and plans with `plan`; None when the name is changing under us.
    ///
    /// A NotOwned plan is confirmed by a second read that must agree: the A, AAAA and TXT
    /// queries of one read are answered one by one, so a read that straddles another writer's
    /// update can see its addresses without its claim and take them for records ike did not
    /// write. (Writes need no such care: their prerequisites are checked by the server.)
    async fn decide(
        &self,
        name: &Name,
        plan: impl Fn(&Answer) -> Step,
    ) -> Result<Option<Step>, Error> {
        let step = plan(&read(&self.exchanger, name).await?);
        if let Step::Done(Outcome::NotOwned { .. }) = step
            && plan(&read(&self.exchanger, name).await?) != step
        {
            return Ok(None);
        }
        Ok(Some(step))
    }

    fn name_in_zone(&self, text: &str) -> Result<Name, Error> {
        let name = parse_name(text)?;
        if self.zone.zone_of(&name) && name.num_labels() > self.zone.num_labels() {
            Ok(name)
        } else {
            Err(Error::OutsideZone {
                name: text.trim_end_matches('.').to_string(),
                zone: self.zone(),
            })
        }
    }

    async fn send(&self, step: &Step, name: &Name, desired: &Desired) -> Result<Applied, Error> {
        let message = update::message(step, &self.zone, name, desired);
        let answer = self.exchanger.exchange(message, false).await?;
        let server = self.exchanger.server;
        let rcode = answer.metadata.response_code;
        match rcode {
            ResponseCode::NoError => Ok(Applied::Yes),
            // The prerequisite's answers (RFC 2136 3.2.1-3.2.3).
            ResponseCode::YXDomain
            | ResponseCode::NXDomain
            | ResponseCode::YXRRSet
            | ResponseCode::NXRRSet => Ok(Applied::PrerequisiteFailed),
            ResponseCode::Refused => Err(Error::Refused {
                server,
                name: name.to_string(),
                key: self.key_name.clone(),
                zone: self.zone(),
            }),
            ResponseCode::NotAuth => Err(Error::NotAuthoritative {
                server,
                zone: self.zone(),
                rcode: "NOTAUTH",
            }),
            ResponseCode::NotZone => Err(Error::NotAuthoritative {
                server,
                zone: self.zone(),
                rcode: "NOTZONE",
            }),
            _ => Err(Error::Server {
                server,
                rcode: rcode.to_string(),
                what: format!("the update of {name}"),
            }),
        }
    }
}
