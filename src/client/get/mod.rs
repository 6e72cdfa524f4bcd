//! Tenant-wide reads (`ike get`): which resource an argument names, which namespaces a tenant
//! holds, lists there as the caller merged into one table, one watch stream over all of them,
//! and the tenant's view of cluster-scoped kinds.
//!
//! Every request is the caller's own (their certificate), so RBAC decides and the audit log
//! names the person; there is no server in between with rights of its own.

pub mod cluster;
pub mod discovery;
pub mod fetch;
pub mod watch;

use kube::ResourceExt as _;

use super::Target;
use super::tenants::{self, Visible};
use fetch::Place;

/// The tenants a read covers: those named (`--tenant`, any the caller may read), else the
/// caller's own (those they are a member of, with any role), sorted by name.
pub async fn tenants(target: &Target, named: &[String]) -> anyhow::Result<Vec<Visible>> {
    if named.is_empty() {
        let mut mine = tenants::visible_tenants(target).await?;
        mine.retain(|v| v.role.is_some());
        return Ok(mine);
    }
    let mut out = Vec::new();
    for name in named {
        crate::api::names::check_tenant(name)?;
        if out.iter().any(|v: &Visible| v.tenant.name_any() == *name) {
            continue;
        }
        out.push(tenants::visible(target, name).await?);
    }
    out.sort_by_key(|v| v.tenant.name_any());
    Ok(out)
}

/// The namespaces the tenants hold (per their status, never their spec: a name there is only a
/// claim), each with its tenant; only `namespace` when `-n` names one (RBAC decides, so a
/// namespace none of them holds is asked as `-`).
pub fn places(visible: &[Visible], namespace: Option<&str>) -> Vec<Place> {
    let mut out: Vec<Place> = visible
        .iter()
        .flat_map(|v| {
            v.tenant.held_namespaces().iter().map(|ns| Place {
                tenant: v.tenant.name_any(),
                namespace: ns.clone(),
            })
        })
        .filter(|p| namespace.is_none_or(|n| n == p.namespace))
        .collect();
    out.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    out.dedup_by(|a, b| a.namespace == b.namespace);
    if let (Some(ns), true) = (namespace, out.is_empty()) {
        out.push(Place {
            tenant: "-".into(),
            namespace: ns.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Member, Role, Tenant, TenantSpec, TenantStatus};

    fn visible(name: &str, listed: &[&str], held: &[&str]) -> Visible {
        let mut tenant = Tenant::new(
            name,
            TenantSpec {
                members: vec![Member {
                    account: "o".into(),
                    role: Role::Owner,
                }],
                namespaces: listed.iter().map(|s| s.to_string()).collect(),
                ..TenantSpec::default()
            },
        );
        tenant.status = Some(TenantStatus {
            namespaces: held.iter().map(|s| s.to_string()).collect(),
            ..TenantStatus::default()
        });
        Visible {
            tenant,
            role: Some(Role::Viewer),
        }
    }

    #[test]
    fn only_held_namespaces_are_read_and_minus_n_narrows_to_one() {
        let v = [
            visible("t1", &["b", "a", "claimed"], &["b", "a"]),
            visible("t2", &["c"], &["c"]),
        ];
        let got: Vec<(String, String)> = places(&v, None)
            .into_iter()
            .map(|p| (p.tenant, p.namespace))
            .collect();
        assert_eq!(
            got,
            [("t1", "a"), ("t1", "b"), ("t2", "c")].map(|(t, n)| (t.to_string(), n.to_string()))
        );
        assert_eq!(places(&v, Some("c"))[0].tenant, "t2");
        assert_eq!(places(&v, Some("claimed"))[0].tenant, "-");
    }
}
