//! Pure logic of publishing: ownership claims, what to do given what the server holds, and
//! the RFC 2136 update messages that do it atomically.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::op::{Message, OpCode, Query};
use hickory_proto::rr::rdata::{A, AAAA, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use super::{Answer, Error, Outcome};

const HERITAGE: &str = "heritage=ike";
const OWNER: &str = "ike/owner=";
const RESOURCE: &str = "ike/resource=";
/// The longest character-string a TXT record holds.
const TXT_MAX: usize = 255;

/// Who holds a name: the `heritage=ike,ike/owner=OWNER,ike/resource=RESOURCE` TXT record
/// published next to the addresses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ownership {
    /// The publisher's owner id, e.g. the site name.
    pub owner: String,
    /// The resource the name belongs to, e.g. `Service/office/printer`.
    pub resource: String,
}

impl Ownership {
    /// A claim; Err unless both parts are non-empty and made of ASCII letters, digits and
    /// `-._/:` (no `,` or `=`, which separate the fields), and the TXT fits in 255 bytes.
    pub fn new(owner: &str, resource: &str) -> Result<Ownership, Error> {
        for (what, value) in [("owner id", owner), ("resource", resource)] {
            let allowed = |c: char| c.is_ascii_alphanumeric() || "-._/:".contains(c);
            if value.is_empty() || !value.chars().all(allowed) {
                return Err(Error::BadClaim {
                    problem: format!(
                        "the {what} {value:?} must be non-empty ASCII letters, digits and '-._/:'"
                    ),
                });
            }
        }
        let ownership = Ownership {
            owner: owner.into(),
            resource: resource.into(),
        };
        let length = ownership.to_txt().len();
        if length > TXT_MAX {
            return Err(Error::BadClaim {
                problem: format!(
                    "owner id and resource make a {length}-byte TXT record; shorten them to fit \
                     {TXT_MAX}"
                ),
            });
        }
        Ok(ownership)
    }

    /// The TXT text; always the same bytes for the same claim, since the server compares
    /// claims byte for byte.
    pub fn to_txt(&self) -> String {
        format!(
            "{HERITAGE},{OWNER}{},{RESOURCE}{}",
            self.owner, self.resource
        )
    }

    /// The claim a TXT text makes, if it is one of ike's.
    pub fn from_txt(text: &str) -> Option<Ownership> {
        let mut fields = text.split(',');
        if fields.next()? != HERITAGE {
            return None;
        }
        let owner = fields.next()?.strip_prefix(OWNER)?;
        let resource = fields.next()?.strip_prefix(RESOURCE)?;
        fields.next().is_none().then(|| Ownership {
            owner: owner.into(),
            resource: resource.into(),
        })
    }
}

impl fmt::Display for Ownership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {}", self.resource, self.owner)
    }
}

/// What a publish should leave at a name.
#[derive(Clone, Debug)]
pub(crate) struct Desired {
    pub claim: Ownership,
    pub v4: BTreeSet<Ipv4Addr>,
    pub v6: BTreeSet<Ipv6Addr>,
    pub ttl: u32,
}

impl Desired {
    pub fn new(claim: Ownership, ips: &[IpAddr], ttl: u32) -> Desired {
        let (mut v4, mut v6) = (BTreeSet::new(), BTreeSet::new());
        for ip in ips {
            match ip.to_canonical() {
                IpAddr::V4(ip) => v4.insert(ip),
                IpAddr::V6(ip) => v6.insert(ip),
            };
        }
        Desired { claim, v4, v6, ttl }
    }

    /// Whether the server already holds exactly this.
    fn is_served_by(&self, answer: &Answer) -> bool {
        let ttls_match = answer.addresses.iter().all(|a| a.ttl == self.ttl);
        let v4: BTreeSet<Ipv4Addr> = answer.v4().collect();
        let v6: BTreeSet<Ipv6Addr> = answer.v6().collect();
        ttls_match
            && v4 == self.v4
            && v6 == self.v6
            && answer.addresses.len() == v4.len() + v6.len()
    }
}

/// Who holds a name, judged from its A, AAAA and TXT records.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Holder {
    /// The only TXT is exactly our claim.
    Us,
    /// The name does not exist.
    Nobody,
    /// The name exists without A, AAAA or TXT: it has records of other types (which the
    /// reads do not see), or only names below it (an empty non-terminal).
    Unseen,
    /// Another ike claim (Some) or records ike did not write (None).
    Other(Option<Ownership>),
}

pub(crate) fn holder(answer: &Answer, claim: &Ownership) -> Holder {
    let claims: Vec<Ownership> = answer
        .txt
        .iter()
        .filter_map(|t| Ownership::from_txt(t))
        .collect();
    match (answer.txt.as_slice(), claims.as_slice()) {
        ([_], [only]) if only == claim => Holder::Us,
        ([], []) if answer.addresses.is_empty() && !answer.exists => Holder::Nobody,
        ([], []) if answer.addresses.is_empty() => Holder::Unseen,
        // Several TXTs (say, ours plus someone's): shared with a writer ike does not know.
        ([_], [other]) => Holder::Other(Some(other.clone())),
        _ => Holder::Other(None),
    }
}

/// The next step of a publish or remove.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Done(Outcome),
    /// Write claim and addresses, on condition that the name is not in use.
    Create,
    /// Replace the addresses, on condition that our claim is the name's only TXT.
    Replace,
    /// Delete addresses and claim, on the same condition.
    Delete,
}

/// `create_refused`: a Create was already refused because the name is in use; if the name
/// still exists without A, AAAA or TXT, it holds records the reads cannot see (a CNAME, an MX).
/// A name that no longer exists may be created again.
pub(crate) fn plan_publish(answer: &Answer, desired: &Desired, create_refused: bool) -> Step {
    match holder(answer, &desired.claim) {
        Holder::Us if desired.is_served_by(answer) => Step::Done(Outcome::Unchanged),
        Holder::Us => Step::Replace,
        Holder::Nobody => Step::Create,
        // An empty non-terminal may be created; other records make the server refuse.
        Holder::Unseen if !create_refused => Step::Create,
        Holder::Unseen => Step::Done(Outcome::NotOwned { holder: None }),
        Holder::Other(holder) => Step::Done(Outcome::NotOwned { holder }),
    }
}

pub(crate) fn plan_remove(answer: &Answer, claim: &Ownership) -> Step {
    match holder(answer, claim) {
        Holder::Us => Step::Delete,
        Holder::Nobody => Step::Done(Outcome::Absent),
        Holder::Unseen => Step::Done(Outcome::NotOwned { holder: None }),
        Holder::Other(holder) => Step::Done(Outcome::NotOwned { holder }),
    }
}

/// The update message of `step` (Create, Replace or Delete) for `name` in `zone`.
pub(crate) fn message(step: &Step, zone: &Name, name: &Name, desired: &Desired) -> Message {
    let mut message = Message::query();
    message.metadata.op_code = OpCode::Update;
    message.metadata.recursion_desired = false;
    let mut zone_section = Query::query(zone.clone(), RecordType::SOA);
    zone_section.set_query_class(DNSClass::IN);
    message.add_query(zone_section);

    let claim = || RData::TXT(TXT::new(vec![desired.claim.to_txt()]));
    let mut addresses = Vec::new();
    addresses.extend(desired.v4.iter().map(|ip| RData::A(A(*ip))));
    addresses.extend(desired.v6.iter().map(|ip| RData::AAAA(AAAA(*ip))));
    // RFC 2136 2.4.2, "RRset exists (value dependent)": the TXT RRset is exactly our claim.
    let our_claim_only = Record::from_rdata(name.clone(), 0, claim());
    // RFC 2136 2.5.2, "delete an RRset".
    let delete_rrset = |rtype| {
        let mut record = Record::update0(name.clone(), 0, rtype);
        record.dns_class = DNSClass::ANY;
        record
    };
    let add = |rdata| Record::from_rdata(name.clone(), desired.ttl, rdata);
    match step {
        Step::Create => {
            // RFC 2136 2.4.5, "name is not in use": no RR of any type, so nothing of anyone's.
            let mut not_in_use = Record::update0(name.clone(), 0, RecordType::ANY);
            not_in_use.dns_class = DNSClass::NONE;
            message.add_answer(not_in_use);
            message.add_authority(add(claim()));
            message.add_authorities(addresses.into_iter().map(add));
        }
        Step::Replace => {
            message.add_answer(our_claim_only);
            message.add_authority(delete_rrset(RecordType::A));
            message.add_authority(delete_rrset(RecordType::AAAA));
            message.add_authorities(addresses.into_iter().map(add));
        }
        Step::Delete | Step::Done(_) => {
            message.add_answer(our_claim_only);
            message.add_authority(delete_rrset(RecordType::A));
            message.add_authority(delete_rrset(RecordType::AAAA));
            // RFC 2136 2.5.4, "delete an RR from an RRset": only our claim, by value.
            let mut ours = Record::from_rdata(name.clone(), 0, claim());
            ours.dns_class = DNSClass::NONE;
            message.add_authority(ours);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::super::Address;
    use super::*;

    fn claim() -> Ownership {
        Ownership::new("site-a", "Service/office/printer").unwrap()
    }

    fn answer(txt: &[&str], ips: &[(&str, u32)]) -> Answer {
        Answer {
            exists: !(txt.is_empty() && ips.is_empty()),
            addresses: ips
                .iter()
                .map(|(ip, ttl)| Address {
                    ip: ip.parse().unwrap(),
                    ttl: *ttl,
                })
                .collect(),
            txt: txt.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn desired(ips: &[&str], ttl: u32) -> Desired {
        let ips: Vec<IpAddr> = ips.iter().map(|ip| ip.parse().unwrap()).collect();
        Desired::new(claim(), &ips, ttl)
    }

    #[test]
    fn claims_round_trip_through_their_txt_text() {
        let txt = claim().to_txt();
        assert_eq!(
            txt,
            "heritage=ike,ike/owner=site-a,ike/resource=Service/office/printer"
        );
        assert_eq!(Ownership::from_txt(&txt), Some(claim()));
        assert_eq!(Ownership::from_txt("v=spf1 -all"), None);
        assert_eq!(Ownership::from_txt("heritage=ike,ike/owner=a"), None);
        assert_eq!(Ownership::from_txt(&format!("{txt},more=1")), None);
    }

    #[test]
    fn claims_with_separators_or_too_long_are_refused() {
        for (owner, resource) in [("", "r"), ("a,b", "r"), ("a", "x=y"), ("a b", "r")] {
            let err = Ownership::new(owner, resource).unwrap_err();
            assert!(err.to_string().contains("must be non-empty"), "{err}");
        }
        let err = Ownership::new("a", &"r".repeat(230)).unwrap_err();
        assert!(err.to_string().contains("shorten them"), "{err}");
    }

    #[test]
    fn a_free_name_is_created_and_a_name_in_use_of_unseen_types_is_not_owned() {
        let free = answer(&[], &[]);
        assert_eq!(
            plan_publish(&free, &desired(&["10.0.0.1"], 30), false),
            Step::Create
        );
        let after_refusal = plan_publish(&free, &desired(&["10.0.0.1"], 30), true);
        assert_eq!(after_refusal, Step::Create);
        assert_eq!(plan_remove(&free, &claim()), Step::Done(Outcome::Absent));

        let not_owned = Step::Done(Outcome::NotOwned { holder: None });
        let unseen = Answer {
            exists: true,
            ..Answer::default()
        };
        // Perhaps an empty non-terminal: the server's prerequisite tells.
        assert_eq!(
            plan_publish(&unseen, &desired(&["10.0.0.1"], 30), false),
            Step::Create
        );
        assert_eq!(
            plan_publish(&unseen, &desired(&["10.0.0.1"], 30), true),
            not_owned
        );
        assert_eq!(plan_remove(&unseen, &claim()), not_owned);
    }

    #[test]
    fn our_name_is_replaced_unless_it_already_matches() {
        let ours = claim().to_txt();
        let now = answer(&[&ours], &[("10.0.0.1", 30), ("fd00::1", 30)]);
        let same = desired(&["fd00::1", "10.0.0.1", "::ffff:10.0.0.1"], 30);
        assert_eq!(
            plan_publish(&now, &same, false),
            Step::Done(Outcome::Unchanged)
        );
        let other_ttl = desired(&["10.0.0.1", "fd00::1"], 60);
        assert_eq!(plan_publish(&now, &other_ttl, false), Step::Replace);
        assert_eq!(
            plan_publish(&now, &desired(&["10.0.0.2"], 30), false),
            Step::Replace
        );
        assert_eq!(plan_publish(&now, &desired(&[], 30), false), Step::Replace);
        assert_eq!(plan_remove(&now, &claim()), Step::Delete);
    }

    #[test]
    fn names_held_by_others_or_shared_are_never_touched() {
        let theirs = Ownership::new("site-b", "Service/office/printer").unwrap();
        let another_resource = Ownership::new("site-a", "Service/office/scanner").unwrap();
        for other in [theirs, another_resource] {
            let held = answer(&[&other.to_txt()], &[("10.0.0.9", 30)]);
            let expected = Step::Done(Outcome::NotOwned {
                holder: Some(other.clone()),
            });
            assert_eq!(
                plan_publish(&held, &desired(&["10.0.0.1"], 30), false),
                expected
            );
            assert_eq!(plan_remove(&held, &claim()), expected);
        }
        let not_owned = Step::Done(Outcome::NotOwned { holder: None });
        let by_hand = answer(&[], &[("10.0.0.9", 300)]);
        let shared = answer(&[&claim().to_txt(), "v=spf1 -all"], &[]);
        for held in [by_hand, shared] {
            assert_eq!(
                plan_publish(&held, &desired(&["10.0.0.1"], 30), false),
                not_owned
            );
            assert_eq!(plan_remove(&held, &claim()), not_owned);
        }
    }

    #[test]
    fn updates_carry_their_prerequisites_and_replace_whole_address_sets() {
        let zone = Name::from_ascii("office.local.").unwrap();
        let name = Name::from_ascii("printer.office.local.").unwrap();
        let want = desired(&["10.0.0.1", "fd00::1"], 30);

        let create = message(&Step::Create, &zone, &name, &want);
        assert_eq!(create.metadata.op_code, OpCode::Update);
        assert_eq!(create.queries[0].name(), &zone);
        assert_eq!(create.answers.len(), 1);
        assert_eq!(create.answers[0].dns_class, DNSClass::NONE);
        assert_eq!(create.answers[0].record_type(), RecordType::ANY);
        let types: Vec<RecordType> = create.authorities.iter().map(|r| r.record_type()).collect();
        assert_eq!(types, [RecordType::TXT, RecordType::A, RecordType::AAAA]);
        assert!(create.authorities.iter().all(|r| r.ttl == 30));

        let replace = message(&Step::Replace, &zone, &name, &want);
        assert_eq!(replace.answers[0].dns_class, DNSClass::IN);
        assert_eq!(replace.answers[0].record_type(), RecordType::TXT);
        let classes: Vec<DNSClass> = replace.authorities.iter().map(|r| r.dns_class).collect();
        assert_eq!(
            classes,
            [DNSClass::ANY, DNSClass::ANY, DNSClass::IN, DNSClass::IN]
        );

        let delete = message(&Step::Delete, &zone, &name, &want);
        let last = delete.authorities.last().unwrap();
        assert_eq!(
            (last.dns_class, last.record_type()),
            (DNSClass::NONE, RecordType::TXT)
        );
        for m in [create, replace, delete] {
            m.to_vec().unwrap();
        }
    }
}
