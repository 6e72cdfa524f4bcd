//! Fuzzing the Office host names a tenant writes on a Service: each input is the hostname
//! annotation, then (after a newline) the TTL annotation, then the hostname annotation of the
//! Service as it was (an UPDATE). The Service goes through the hostnames webhook's real route,
//! on a site with name limits where other Services of the tenant, of another tenant and of the
//! platform hold names; its names then through the publisher's allotment (the limits the
//! publisher applies), under the site's limits and at the extremes.
//!
//! Beyond not panicking: what is admitted is under the site's domains, a valid host name, held
//! by no other Service and within both limits; what the publisher allots is within them too and
//! leaves nothing out without saying why.

use k8s_openapi::api::core::v1::{Namespace, Service};
use serde_json::{Value, json};

use super::{admission_review, answered, listed, one_line_refusal};
use crate::api::consts::TENANT_LABEL;
use crate::api::names::parse_host_names;
use crate::api::office::limits::{Candidate, allot};
use crate::api::office::{HOSTNAME_ANNOTATION, TTL_ANNOTATION, exposure};
use crate::api::{OfficeSpec, Site};
use crate::controller::webhooks::{hostnames, routes, tests::policy};
use crate::util::fuzz::{campaign, corpus};

const TOKENS: &[&[u8]] = &[
    b".office.example.org",
    b".lab.example.org",
    b"one.office.example.org",
    b"shared.office.example.org",
    b",",
    b", ",
    b".",
    b"..",
    b"*.",
    b"-",
    b"\n",
    b"xn--bcher-kva.",
    b"office.example.org.evil",
    b"0",
    b"4294967296",
    b"1h",
    b"999999999999999999999s",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

/// The site's Office: two domains, at most 4 names per Service and 8 per tenant.
const PER_SERVICE: usize = 4;
const PER_TENANT: usize = 8;
const DOMAINS: [&str; 2] = ["office.example.org", "lab.example.org"];

fn office(per_service: u32, per_tenant: u32) -> OfficeSpec {
    OfficeSpec {
        domains: DOMAINS.iter().map(|d| d.to_string()).collect(),
        max_names_per_service: Some(per_service),
        max_names_per_tenant: Some(per_tenant),
        ..OfficeSpec::default()
    }
}

/// Whose namespace is whose: a-prod and a-dev tenant a's, b-prod b's, ops the platform's.
fn tenant_of(namespace: &str) -> Option<&'static str> {
    match namespace {
        "a-prod" | "a-dev" => Some("a"),
        "b-prod" => Some("b"),
        _ => None,
    }
}

fn namespace(name: &str) -> Namespace {
    let labels = tenant_of(name).map(|t| json!({ TENANT_LABEL: t }));
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}})).unwrap()
}

/// A headless Service carrying `annotations`, created at `created` (seconds).
fn service(namespace: &str, name: &str, annotations: Value, created: i64) -> Value {
    let created = k8s_openapi::jiff::Timestamp::from_second(created).unwrap();
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": annotations,
            "creationTimestamp": created.to_string(),
        },
        "spec": {"clusterIP": "None", "selector": {"app": name}}
    })
}

/// The Services holding names already: (namespace, name, names).
const HELD: [(&str, &str, &str); 4] = [
    (
        "a-prod",
        "one",
        "one.office.example.org,two.office.example.org",
    ),
    ("a-prod", "db", "db.lab.example.org"),
    (
        "b-prod",
        "theirs",
        "shared.office.example.org,b.lab.example.org",
    ),
    ("ops", "platform", "ns1.office.example.org"),
];

/// Whether `host` is a name the site's DNS may carry for a tenant: a host name of lower-case
/// labels of 1 to 63 letters, digits and inner '-', at most 253 in all, strictly below one of
/// the site's domains. Written apart from `api::names` so that the two check each other.
fn publishable(host: &str) -> bool {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    host.len() <= 253
        && host.split('.').all(label_ok)
        && DOMAINS.iter().any(|d| {
            host.strip_suffix(d)
                .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
        })
}

/// The input's three fields: hostnames, TTL (absent when empty), hostnames before (absent:
/// a CREATE).
fn fields(input: &[u8]) -> (String, Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(input);
    let mut parts = text.splitn(3, '\n');
    let hosts = parts.next().unwrap_or_default().to_string();
    let ttl = parts.next().filter(|t| !t.is_empty()).map(String::from);
    let old = parts.next().map(String::from);
    (hosts, ttl, old)
}

/// Checks what [`allot`] gives the tenant's Services under `office`: each Service's names split
/// into published and left out, in order, both limits held, a reason whenever any is left out.
fn check_allotment(tenant: &str, candidates: &[Candidate], office: &OfficeSpec) {
    let allotted = allot(tenant, candidates.to_vec(), office);
    assert_eq!(allotted.len(), candidates.len());
    let mut published = 0;
    for candidate in candidates {
        let a = &allotted[&candidate.resource];
        assert!(a.published.len() <= office.max_names_per_service());
        let mut both = a.published.clone();
        both.extend(a.left_out.iter().cloned());
        both.sort();
        let mut asked = candidate.hosts.clone();
        asked.sort();
        assert_eq!(both, asked, "{}: names lost or made up", candidate.resource);
        let mut rest = candidate.hosts.iter();
        assert!(
            a.published.iter().all(|p| rest.any(|h| h == p)),
            "{}: published out of order",
            candidate.resource
        );
        assert_eq!(a.why.is_some(), !a.left_out.is_empty(), "{a:?}");
        published += a.published.len();
    }
    assert!(published <= office.max_names_per_tenant());
}

#[test]
fn fuzz_office_host_names_never_panic_and_admit_only_what_the_site_allows() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let site_office = office(PER_SERVICE as u32, PER_TENANT as u32);
    let site: Site = serde_json::from_value(json!({
        "apiVersion": "ike.dev/v1alpha1", "kind": "Site",
        "metadata": {"name": "site"},
        "spec": {"office": site_office}
    }))
    .unwrap();
    let held: Vec<Value> = HELD
        .iter()
        .enumerate()
        .map(|(i, (ns, name, hosts))| {
            service(
                ns,
                name,
                json!({ HOSTNAME_ANNOTATION: hosts }),
                1_800_000_000 + i as i64,
            )
        })
        .collect();
    let mut policy = policy();
    policy.sites = listed([site]);
    policy.office = hostnames::Holders {
        services: listed(
            held.iter()
                .map(|s| serde_json::from_value::<Service>(s.clone()).unwrap()),
        ),
        namespaces: listed(["a-prod", "a-dev", "b-prod", "ops"].map(namespace)),
        listed: crate::controller::runtime::Listed::now(),
    };
    let router = routes(policy);
    let corpus = corpus("office_host_names", Vec::new());
    let (mut reviewed, mut admitted) = (0, 0);
    campaign("office_host_names", &corpus, TOKENS, 3_000, |input| {
        let (hosts, ttl, old_hosts) = fields(input);
        // The namespace is the input's too, so that every kind of owner is tried.
        let ns = ["a-dev", "a-dev", "b-prod", "ops"][input.len() % 4];
        let mut annotations = json!({ HOSTNAME_ANNOTATION: hosts });
        if let Some(ttl) = &ttl {
            annotations[TTL_ANNOTATION] = json!(ttl);
        }
        let object = service(ns, "web", annotations.clone(), 1_900_000_000);
        let old = old_hosts.as_ref().map(|h| {
            let mut before = annotations.clone();
            before[HOSTNAME_ANNOTATION] = json!(h);
            service(ns, "web", before, 1_900_000_000)
        });
        let operation = if old.is_some() { "UPDATE" } else { "CREATE" };
        let body = admission_review(
            ("", "v1", "Service", "services"),
            ns,
            operation,
            "alice",
            &object,
            old.as_ref(),
        );
        let Some(response) = answered(&runtime, &router, hostnames::HOOK.path, body) else {
            return;
        };
        one_line_refusal(hostnames::HOOK.path, &response);
        reviewed += 1;
        admitted += usize::from(response["allowed"] == true);
        let message = response["status"]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("still reading"), "{message}");
        let annotations = serde_json::from_value(annotations).unwrap();
        let exposed = exposure(Some(&annotations), &site_office);
        let tenant = tenant_of(ns);
        // An UPDATE leaving both annotations as they were is admitted whatever they say.
        let unchanged = old_hosts.as_deref() == Some(hosts.as_str());
        if response["allowed"] == true && !unchanged {
            let exposed = exposed
                .clone()
                .unwrap()
                .unwrap_or_else(|problems| panic!("admitted although {problems:?}"));
            assert!((1..=3600).contains(&exposed.ttl), "TTL {}", exposed.ttl);
            let had = old_hosts
                .and_then(|h| parse_host_names(&h).ok())
                .unwrap_or_default();
            let added: Vec<&String> = exposed.hosts.iter().filter(|h| !had.contains(h)).collect();
            for host in &exposed.hosts {
                assert!(publishable(host), "admitted {host:?}");
            }
            for host in &added {
                assert!(
                    !HELD
                        .iter()
                        .any(|(_, _, h)| h.split(',').any(|h| h == *host)),
                    "admitted {host}, which another Service holds"
                );
            }
            if let Some(tenant) = tenant.filter(|_| !added.is_empty()) {
                let theirs: usize = HELD
                    .iter()
                    .filter(|(n, _, _)| tenant_of(n) == Some(tenant))
                    .map(|(_, _, h)| h.split(',').count())
                    .sum();
                assert!(exposed.hosts.len() <= PER_SERVICE, "{:?}", exposed.hosts);
                assert!(
                    theirs + exposed.hosts.len() <= PER_TENANT,
                    "{:?}",
                    exposed.hosts
                );
            }
        }
        // The publisher, whatever admission said (limits lowered after names were admitted):
        // this Service is the tenant's newest.
        let (Some(tenant), Some(Ok(exposed))) = (tenant, exposed) else {
            return;
        };
        let mut candidates: Vec<Candidate> = HELD
            .iter()
            .enumerate()
            .filter(|(_, (n, _, _))| tenant_of(n) == Some(tenant))
            .map(|(i, (n, name, h))| Candidate {
                resource: format!("service/{n}/{name}"),
                created: 1_800_000_000 + i as i64,
                hosts: h.split(',').map(String::from).collect(),
            })
            .collect();
        candidates.push(Candidate {
            resource: format!("service/{ns}/web"),
            created: 1_900_000_000,
            hosts: exposed.hosts,
        });
        for limits in [
            &site_office,
            &office(0, 0),
            &office(1, 2),
            &office(u32::MAX, u32::MAX),
        ] {
            check_allotment(tenant, &candidates, limits);
        }
    });
    eprintln!("fuzz office_host_names: {reviewed} reviewed by the webhook, {admitted} admitted");
}
