//! Checks 6 and 7: what the caller may reach beyond its tenants, another tenant's namespace
//! and cluster-scoped writes, asked with SelfSubjectAccessReviews.

use futures::future::join_all;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};

use super::report::Check;
use super::report::{attempt_text, timed};
use crate::api::Tenant;
use crate::api::consts::TENANT_LABEL;
use crate::api::wire::WhoamiResponse;

/// The answer to a SelfSubjectAccessReview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Allowed.
    Yes,
    /// Denied.
    No,
    /// The review itself failed (refused or no answer): why.
    Unknown(String),
}

/// Judges a SelfSubjectAccessReview that should be denied. `admin` is whether the caller is a
/// platform admin (`None`: unknown), for whom everything is allowed.
pub fn judge_denied(check: &str, what: &str, admin: Option<bool>, answer: &Answer) -> Check {
    match answer {
        Answer::No => Check::pass(check, format!("denied: you may not {what}")),
        Answer::Unknown(e) => Check::fail(check, format!("cannot ask whether you may {what}: {e}")),
        Answer::Yes if admin == Some(true) => {
            Check::pass(check, format!("admin: allowed to {what}"))
        }
        Answer::Yes => Check::fail(
            check,
            format!(
                "you may {what}, and you are {}: tell a platform admin",
                if admin.is_none() {
                    "perhaps not an admin"
                } else {
                    "not an admin"
                }
            ),
        ),
    }
}

/// One access review: whether the caller may `verb` `resource` (of `group`) in `namespace`.
pub struct Access<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub namespace: Option<&'a str>,
}

impl Access<'_> {
    /// Asks the API server.
    pub async fn ask(&self, client: &kube::Client) -> Answer {
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(self.verb.into()),
                    group: Some(self.group.into()),
                    resource: Some(self.resource.into()),
                    namespace: self.namespace.map(String::from),
                    ..ResourceAttributes::default()
                }),
                non_resource_attributes: None,
            },
            ..SelfSubjectAccessReview::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
        match timed(api.create(&PostParams::default(), &review)).await {
            Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => Answer::Yes,
            Ok(_) => Answer::No,
            Err(e) => Answer::Unknown(attempt_text(&e)),
        }
    }
}

/// The namespace to try pods in, with its tenant label.
pub struct TryNamespace {
    /// The namespace.
    pub namespace: String,
    /// Its tenant, when it is a tenant's.
    pub tenant: Option<String>,
}

/// Finds the namespace to try pods in: the one asked for, else the first namespace of the
/// caller's first tenant. `Err` is the row to report instead.
pub async fn find_target(
    client: &kube::Client,
    asked: Option<&str>,
    who: Option<&WhoamiResponse>,
) -> Result<TryNamespace, Check> {
    const CHECK: &str = "tenant-namespace";
    let namespace = match asked {
        Some(ns) => ns.to_string(),
        None => {
            let Some(who) = who else {
                return Err(Check::skip(
                    CHECK,
                    "your tenants are unknown (the account API did not answer): pass --tenant-namespace NAMESPACE",
                ));
            };
            let Some(first) = who.tenants.first() else {
                return Err(Check::skip(
                    CHECK,
                    "you belong to no tenant: ask a tenant owner to add you, or pass --tenant-namespace NAMESPACE",
                ));
            };
            let tenants: Api<Tenant> = Api::all(client.clone());
            let tenant = timed(tenants.get(&first.tenant)).await.map_err(|e| {
                Check::fail(
                    CHECK,
                    format!("cannot read tenant {}: {}", first.tenant, attempt_text(&e)),
                )
            })?;
            let held = tenant
                .status
                .as_ref()
                .and_then(|s| s.namespaces.first().cloned());
            match held.or_else(|| tenant.spec.namespaces.first().cloned()) {
                Some(ns) => ns,
                None => {
                    return Err(Check::skip(
                        CHECK,
                        format!(
                            "tenant {} holds no namespace yet: pass --tenant-namespace NAMESPACE",
                            first.tenant
                        ),
                    ));
                }
            }
        }
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let found = timed(namespaces.get(&namespace)).await.map_err(|e| {
        Check::fail(
            CHECK,
            format!("cannot read namespace {namespace}: {}", attempt_text(&e)),
        )
    })?;
    let tenant = found
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(TENANT_LABEL).cloned());
    Ok(TryNamespace { namespace, tenant })
}

/// Judges the namespace found.
pub fn judge_target(target: &TryNamespace, who: Option<&WhoamiResponse>) -> Check {
    const CHECK: &str = "tenant-namespace";
    let ns = &target.namespace;
    match &target.tenant {
        None => Check::warn(
            CHECK,
            format!(
                "{ns} is not a tenant namespace (no {TENANT_LABEL} label): host isolation does not apply there"
            ),
        ),
        Some(tenant) => {
            let role = who
                .and_then(|w| w.tenants.iter().find(|t| &t.tenant == tenant))
                .map(|t| format!("your role: {}", t.role))
                .unwrap_or_else(|| "you are not a member".into());
            Check::pass(CHECK, format!("{ns} of tenant {tenant} ({role})"))
        }
    }
}

/// Another tenant's namespace the caller should not reach, checked with access reviews.
pub async fn try_other_tenant(
    client: &kube::Client,
    who: Option<&WhoamiResponse>,
    own: Option<&str>,
) -> Vec<Check> {
    const CHECK: &str = "other-tenant";
    let Some(who) = who else {
        return vec![Check::skip(
            CHECK,
            "cannot tell which tenants are yours (the account API did not answer)",
        )];
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let list = match timed(namespaces.list(&ListParams::default().labels(TENANT_LABEL))).await {
        Ok(list) => list,
        Err(e) => {
            return vec![Check::skip(
                CHECK,
                format!("cannot list namespaces to find one: {}", attempt_text(&e)),
            )];
        }
    };
    let mut others: Vec<(String, String)> = list
        .items
        .iter()
        .filter_map(|ns| {
            let name = ns.metadata.name.clone()?;
            let tenant = ns.metadata.labels.as_ref()?.get(TENANT_LABEL)?.clone();
            let mine = who.tenants.iter().any(|t| t.tenant == tenant);
            (!mine && Some(name.as_str()) != own && ns.metadata.deletion_timestamp.is_none())
                .then_some((name, tenant))
        })
        .collect();
    others.sort();
    let Some((ns, tenant)) = others.into_iter().next() else {
        return vec![Check::skip(
            CHECK,
            "no other tenant's namespace on this site to try",
        )];
    };
    let asks = [
        ("get", "pods"),
        ("list", "pods"),
        ("get", "secrets"),
        ("list", "secrets"),
    ];
    let answers = join_all(asks.map(|(verb, resource)| {
        let ns = ns.as_str();
        async move {
            Access {
                verb,
                group: "",
                resource,
                namespace: Some(ns),
            }
            .ask(client)
            .await
        }
    }))
    .await;
    asks.iter()
        .zip(&answers)
        .map(|((verb, resource), answer)| {
            judge_denied(
                &format!("{CHECK}.{verb}-{resource}"),
                &format!("{verb} {resource} in {ns} of tenant {tenant}"),
                Some(who.admin),
                answer,
            )
        })
        .collect()
}

/// Cluster-scoped writes a tenant should not be allowed.
pub async fn try_cluster_writes(client: &kube::Client, admin: Option<bool>) -> Vec<Check> {
    let asks = [
        ("", "namespaces"),
        ("storage.k8s.io", "storageclasses"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
    ];
    let answers = join_all(asks.map(|(group, resource)| async move {
        Access {
            verb: "create",
            group,
            resource,
            namespace: None,
        }
        .ask(client)
        .await
    }))
    .await;
    asks.iter()
        .zip(&answers)
        .map(|((_, resource), answer)| {
            judge_denied(
                &format!("cluster.create-{resource}"),
                &format!("create {resource}"),
                admin,
                answer,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::Outcome;

    #[test]
    fn access_that_should_be_denied_passes_when_denied_or_for_admins() {
        let check = |admin, answer: &Answer| judge_denied("c", "create namespaces", admin, answer);
        let denied = check(Some(false), &Answer::No);
        assert_eq!(
            (denied.result, denied.detail.as_str()),
            (Outcome::Pass, "denied: you may not create namespaces")
        );
        let admin = check(Some(true), &Answer::Yes);
        assert_eq!(
            (admin.result, admin.detail.as_str()),
            (Outcome::Pass, "admin: allowed to create namespaces")
        );
        assert_eq!(check(Some(false), &Answer::Yes).result, Outcome::Fail);
        assert_eq!(check(None, &Answer::Yes).result, Outcome::Fail);
        let unasked = check(Some(false), &Answer::Unknown("HTTP 403: no".into()));
        assert_eq!(unasked.result, Outcome::Fail);
        assert!(
            unasked.detail.starts_with("cannot ask"),
            "{}",
            unasked.detail
        );
    }
}
