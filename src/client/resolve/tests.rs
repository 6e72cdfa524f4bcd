//! The comparison of DNS with the API, without either.

use serde_json::json;

use super::*;
use crate::dns::{Address, Ownership};

fn service(ttl: Option<&str>) -> Service {
    let mut annotations = json!({ HOSTNAME_ANNOTATION: "web.office.local" });
    if let Some(ttl) = ttl {
        annotations[crate::api::office::TTL_ANNOTATION] = json!(ttl);
    }
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "t", "annotations": annotations},
        "spec": {"clusterIP": "None", "selector": {"app": "web"}}
    }))
    .unwrap()
}

fn pod(name: &str, ip: &str, ready: bool) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "t", "labels": {"app": "web"}},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]
        }
    }))
    .unwrap()
}

fn answer(ips: &[(&str, u32)], claim: Option<&str>) -> Answer {
    Answer {
        exists: true,
        addresses: ips
            .iter()
            .map(|(ip, ttl)| Address {
                ip: ip.parse().unwrap(),
                ttl: *ttl,
            })
            .collect(),
        txt: claim
            .map(|r| Ownership::new("site", r).unwrap().to_txt())
            .into_iter()
            .collect(),
    }
}

fn office() -> OfficeSpec {
    OfficeSpec {
        domains: vec!["office.local".into()],
        publish: true,
        ..OfficeSpec::default()
    }
}

#[test]
fn ready_pods_in_dns_are_ok_and_everything_else_is_drift() {
    let pods = [
        pod("a", "10.0.0.1", true),
        pod("b", "10.0.0.2", false),
        pod("c", "10.0.0.3", true),
    ];
    let dns = answer(
        &[("10.0.0.1", 30), ("10.0.0.2", 30), ("10.0.0.9", 30)],
        Some("service/t/web"),
    );
    let report = compare(
        "web.office.local",
        &dns,
        Some(&service(None)),
        &pods,
        &office(),
    );
    let states: Vec<(String, State, Option<String>)> = report
        .rows
        .iter()
        .map(|r| (r.ip.to_string(), r.state, r.detail.clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("10.0.0.1".into(), State::Ok, None),
            (
                "10.0.0.2".into(),
                State::Stale,
                Some("t/b is not ready".into())
            ),
            (
                "10.0.0.9".into(),
                State::Stale,
                Some("no pod of the Service has this IP".into())
            ),
            ("10.0.0.3".into(), State::Missing, Some("not in DNS".into())),
        ]
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert!(report.drift());
}

#[test]
fn a_name_in_sync_is_no_drift() {
    let pods = [pod("a", "10.0.0.1", true)];
    let dns = answer(&[("10.0.0.1", 60)], Some("service/t/web"));
    let report = compare(
        "web.office.local",
        &dns,
        Some(&service(Some("60"))),
        &pods,
        &office(),
    );
    assert!(!report.drift(), "{report:?}");
    assert_eq!(report.claim.as_deref(), Some("service/t/web of site"));
}

#[test]
fn a_changed_ttl_and_a_foreign_claim_are_named() {
    let pods = [pod("a", "10.0.0.1", true)];
    let dns = answer(&[("10.0.0.1", 300)], Some("service/other/web"));
    let report = compare(
        "web.office.local",
        &dns,
        Some(&service(None)),
        &pods,
        &office(),
    );
    assert_eq!(
        report.notes,
        [
            "DNS serves TTL 300 s, the Service asks for 30 s",
            "the name is claimed by service/other/web of site, not by service/t/web"
        ]
    );
}

#[test]
fn records_without_a_claim_are_someone_elses_when_ike_publishes() {
    let dns = answer(&[("10.0.0.1", 30)], None);
    let report = compare(
        "web.office.local",
        &dns,
        Some(&service(None)),
        &[],
        &office(),
    );
    assert!(
        report.notes[0].contains("records ike did not publish"),
        "{:?}",
        report.notes
    );
    let external_dns_site = OfficeSpec {
        publish: false,
        ..office()
    };
    let report = compare(
        "web.office.local",
        &dns,
        Some(&service(None)),
        &[],
        &external_dns_site,
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}
