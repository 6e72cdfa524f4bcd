//! How many Office names a tenant may have: per Service and across the tenant's Services (Site
//! `office.maxNamesPerService`, `office.maxNamesPerTenant`), so that one tenant cannot fill what
//! every tenant shares (the name registry, the zone). The admission webhook refuses a write that
//! adds names beyond either limit ([`admission`]); the publisher, finding a tenant beyond them
//! anyway (the limits lowered, names admitted before), leaves out that tenant's newest names:
//! those of the Services created last, and each Service's last names ([`allot`]). Services
//! outside tenant namespaces are the platform's: no limit.

use std::collections::BTreeMap;

use crate::api::OfficeSpec;

/// Why a Service of `tenant` asking for `hosts` (its names after the write) may not have them,
/// when its tenant's other Services hold `held` names already; empty: allowed.
pub fn admission(hosts: &[String], held: usize, tenant: &str, office: &OfficeSpec) -> Vec<String> {
    let mut problems = Vec::new();
    let per_service = office.max_names_per_service();
    if hosts.len() > per_service {
        problems.push(format!(
            "{} names on one Service: a Service may carry {per_service} (Site office.maxNamesPerService)",
            hosts.len()
        ));
    }
    let per_tenant = office.max_names_per_tenant();
    if held + hosts.len() > per_tenant {
        problems.push(format!(
            "tenant {tenant}'s Services carry {held} names already and may carry {per_tenant} in all (Site office.maxNamesPerTenant): take names off another Service or ask a platform admin"
        ));
    }
    problems
}

/// One of a tenant's Services the publisher would publish, as [`allot`] weighs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// `service/NS/NAME`.
    pub resource: String,
    /// When it was created (seconds since the epoch): the oldest keep their names.
    pub created: i64,
    /// Its names, in the order of its annotation.
    pub hosts: Vec<String>,
}

/// What one Service may publish.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allotment {
    /// The names it may publish.
    pub published: Vec<String>,
    /// The names left out; empty when none are.
    pub left_out: Vec<String>,
    /// Why they were left out, in one sentence.
    pub why: Option<String>,
}

/// The names each of one tenant's Services may publish: each Service its first
/// `maxNamesPerService` names, and the tenant's oldest Services first (creation time, then
/// resource) until `maxNamesPerTenant` are taken; the rest are left out. By resource.
pub fn allot(
    tenant: &str,
    mut services: Vec<Candidate>,
    office: &OfficeSpec,
) -> BTreeMap<String, Allotment> {
    services.sort_by(|a, b| (&a.created, &a.resource).cmp(&(&b.created, &b.resource)));
    let per_service = office.max_names_per_service();
    let per_tenant = office.max_names_per_tenant();
    let mut used = 0;
    let mut out = BTreeMap::new();
    for service in services {
        let mut allotment = Allotment::default();
        for (i, host) in service.hosts.into_iter().enumerate() {
            if i >= per_service {
                allotment.why.get_or_insert_with(|| {
                    format!(
                        "a Service may carry {per_service} names (Site office.maxNamesPerService)"
                    )
                });
                allotment.left_out.push(host);
            } else if used >= per_tenant {
                allotment.why.get_or_insert_with(|| {
                    format!(
                        "tenant {tenant}'s older Services carry the {per_tenant} names it may have (Site office.maxNamesPerTenant): take names off another Service or ask a platform admin"
                    )
                });
                allotment.left_out.push(host);
            } else {
                used += 1;
                allotment.published.push(host);
            }
        }
        out.insert(service.resource, allotment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office(per_service: u32, per_tenant: u32) -> OfficeSpec {
        OfficeSpec {
            max_names_per_service: Some(per_service),
            max_names_per_tenant: Some(per_tenant),
            ..OfficeSpec::default()
        }
    }

    fn hosts(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn admission_refuses_names_beyond_either_limit_and_says_which() {
        let o = office(2, 5);
        assert!(admission(&hosts(&["a", "b"]), 3, "t", &o).is_empty());
        let p = admission(&hosts(&["a", "b", "c"]), 0, "t", &o);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("maxNamesPerService"), "{p:?}");
        let p = admission(&hosts(&["a"]), 5, "t", &o);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("tenant t's Services carry 5 names already")
                && p[0].contains("maxNamesPerTenant"),
            "{p:?}"
        );
        // The defaults: 10 and 100.
        let d = OfficeSpec::default();
        assert!(admission(&vec!["x".to_string(); 10], 90, "t", &d).is_empty());
        assert_eq!(admission(&vec!["x".to_string(); 11], 90, "t", &d).len(), 2);
    }

    #[test]
    fn the_newest_names_are_left_out_oldest_services_keep_theirs() {
        let services = vec![
            Candidate {
                resource: "service/t-a/new".into(),
                created: 1_796_637_600,
                hosts: hosts(&["n1", "n2"]),
            },
            Candidate {
                resource: "service/t-a/old".into(),
                created: 1_796_119_200,
                hosts: hosts(&["o1", "o2", "o3"]),
            },
        ];
        let allotted = allot("t", services, &office(2, 3));
        let old = &allotted["service/t-a/old"];
        assert_eq!(old.published, ["o1", "o2"]);
        assert_eq!(old.left_out, ["o3"]);
        assert!(old.why.as_deref().unwrap().contains("maxNamesPerService"));
        let new = &allotted["service/t-a/new"];
        assert_eq!(new.published, ["n1"]);
        assert_eq!(new.left_out, ["n2"]);
        assert!(new.why.as_deref().unwrap().contains("maxNamesPerTenant"));
        // Within the limits nothing is left out.
        let all = allot(
            "t",
            vec![Candidate {
                resource: "service/t-a/x".into(),
                created: 0,
                hosts: hosts(&["a"]),
            }],
            &OfficeSpec::default(),
        );
        assert_eq!(all["service/t-a/x"].left_out, Vec::<String>::new());
        assert_eq!(all["service/t-a/x"].why, None);
    }
}
