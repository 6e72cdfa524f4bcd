//! A tenant's view of cluster-scoped kinds: its dedicated nodes, the StorageClasses and CRDs
//! applied for it next to the shared ones, and everything else as one plain list.
//!
//! Every account may read these kinds anyway (`ike:cluster-reader`): the filtering tidies the
//! view, it hides nothing and protects nothing.

use kube::ResourceExt as _;

use super::discovery::ApiKind;
use super::fetch::{Merged, Place, Selectors, list, merge};
use super::tenants::Visible;
use crate::api::consts::TENANT_LABEL;

/// How `ike get` treats a cluster-scoped kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Nodes: each tenant's dedicated ones (`spec.nodeSelector`).
    Nodes,
    /// StorageClasses and CRDs: those the requests controller applied for the tenants
    /// (labelled `ike.dev/tenant`), and the shared ones (no such label), marked `-`.
    Labelled,
    /// Namespaces: the rows of `ike ns list`.
    Namespaces,
    /// Anything else: one plain list, as RBAC allows.
    Plain,
}

/// The view of cluster-scoped `kind`.
pub fn view(kind: &ApiKind) -> View {
    match (kind.group.as_str(), kind.plural.as_str()) {
        ("", "nodes") => View::Nodes,
        ("", "namespaces") => View::Namespaces,
        ("storage.k8s.io", "storageclasses")
        | ("apiextensions.k8s.io", "customresourcedefinitions") => View::Labelled,
        _ => View::Plain,
    }
}

/// `-l` and ike's own selector, both applying.
pub fn and(user: Option<&str>, ours: &str) -> String {
    match user {
        Some(u) if !u.is_empty() => format!("{u},{ours}"),
        _ => ours.to_string(),
    }
}

/// The label selector of a tenant's dedicated nodes; `None` without one.
pub fn node_selector(v: &Visible) -> Option<String> {
    let selector = v.tenant.spec.node_selector.as_ref()?;
    if selector.is_empty() {
        return None;
    }
    Some(
        selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Each tenant's dedicated nodes, tagged with the tenant; tenants without any are named in the
/// second value.
pub async fn nodes(
    client: &kube::Client,
    kind: &ApiKind,
    tenants: &[Visible],
    sel: &Selectors,
) -> (Merged, Vec<String>) {
    let mut shared = Vec::new();
    let mut results = Vec::new();
    for v in tenants {
        let name = v.tenant.name_any();
        let Some(selector) = node_selector(v) else {
            shared.push(name);
            continue;
        };
        let sel = Selectors {
            labels: Some(and(sel.labels.as_deref(), &selector)),
            fields: sel.fields.clone(),
        };
        let got = list(client, kind, None, &sel).await;
        results.push((place(&name), got));
    }
    (merge(results), shared)
}

/// The objects applied for the tenants (their name in TENANT) and the shared ones (`-`).
pub async fn labelled(
    client: &kube::Client,
    kind: &ApiKind,
    tenants: &[Visible],
    sel: &Selectors,
) -> Merged {
    let names: Vec<String> = tenants.iter().map(|v| v.tenant.name_any()).collect();
    let shared = Selectors {
        labels: Some(and(sel.labels.as_deref(), &format!("!{TENANT_LABEL}"))),
        fields: sel.fields.clone(),
    };
    let mut results = vec![(place("-"), list(client, kind, None, &shared).await)];
    if !names.is_empty() {
        let theirs = Selectors {
            labels: Some(and(
                sel.labels.as_deref(),
                &format!("{TENANT_LABEL} in ({})", names.join(",")),
            )),
            fields: sel.fields.clone(),
        };
        let got = list(client, kind, None, &theirs).await.map(|mut page| {
            for row in &mut page.rows {
                row.tenant = row.labels.get(TENANT_LABEL).cloned().unwrap_or_default();
            }
            page
        });
        // Tagged by the label, not by the place: the place's tenant is only a default.
        results.push((place(""), got));
    }
    let mut merged = merge(results);
    for row in &mut merged.rows {
        if row.tenant.is_empty() {
            row.tenant = "-".into();
        }
    }
    merged
}

/// Cluster-scoped objects, one plain list.
pub async fn plain(client: &kube::Client, kind: &ApiKind, sel: &Selectors) -> Merged {
    merge(vec![(place("-"), list(client, kind, None, sel).await)])
}

fn place(tenant: &str) -> Place {
    Place {
        tenant: tenant.into(),
        namespace: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_combine_and_kinds_get_their_view() {
        assert_eq!(and(Some("a=b"), "!ike.dev/tenant"), "a=b,!ike.dev/tenant");
        assert_eq!(and(None, "x in (t)"), "x in (t)");
        let k = |group: &str, plural: &str| ApiKind {
            group: group.into(),
            version: "v1".into(),
            plural: plural.into(),
            singular: String::new(),
            kind: String::new(),
            short_names: Vec::new(),
            categories: Vec::new(),
            namespaced: false,
            verbs: Vec::new(),
        };
        assert_eq!(view(&k("", "nodes")), View::Nodes);
        assert_eq!(view(&k("", "namespaces")), View::Namespaces);
        assert_eq!(view(&k("storage.k8s.io", "storageclasses")), View::Labelled);
        assert_eq!(
            view(&k("apiextensions.k8s.io", "customresourcedefinitions")),
            View::Labelled
        );
        assert_eq!(
            view(&k("rbac.authorization.k8s.io", "clusterroles")),
            View::Plain
        );
    }
}
