use serde_json::json;

use super::*;
use crate::api::Role;
use crate::api::fixtures::{status, tenant};
use crate::api::tenant_object::{Source, TenantObjectSpec};

fn payments() -> Tenant {
    let mut t = tenant(
        "payments",
        &[("alice", Role::Owner), ("bob", Role::Member)],
        &["pay-dev", "pay-prod"],
    );
    t.status = Some(status(&["pay-dev", "pay-prod"], None));
    t
}

fn declared(template: Value) -> TenantObject {
    let mut o = TenantObject::new(
        "ci",
        TenantObjectSpec {
            template: Some(template),
            declared_by: Some("alice".into()),
            ..Default::default()
        },
    );
    o.metadata.namespace = Some("pay-dev".into());
    o
}

fn binding(role_kind: &str, role: &str, subjects: Value) -> TenantObject {
    declared(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "ci-deployer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subjects,
    }))
}

fn sa(ns: &str) -> Value {
    json!([{"kind": "ServiceAccount", "name": "ci", "namespace": ns}])
}

#[test]
fn a_binding_of_edit_to_the_tenants_own_service_account_is_allowed() {
    let problems = review(
        &binding("ClusterRole", "edit", sa("pay-dev")),
        &payments(),
        &[],
    );
    assert!(problems.is_empty(), "{problems:?}");
    let problems = review(
        &binding("Role", "anything", sa("pay-prod")),
        &payments(),
        &[],
    );
    assert!(problems.is_empty(), "{problems:?}");
    let own = binding(
        "ClusterRole",
        "ike:tenant:payments:requested-edit",
        sa("pay-dev"),
    );
    assert!(review(&own, &payments(), &[]).is_empty());
}

#[test]
fn cluster_admin_and_another_tenants_roles_are_refused() {
    let p = review(
        &binding("ClusterRole", "cluster-admin", sa("pay-dev")),
        &payments(),
        &[],
    );
    assert!(p[0].contains("not cluster-admin"), "{p:?}");
    let p = review(
        &binding(
            "ClusterRole",
            "ike:tenant:other:requested-edit",
            sa("pay-dev"),
        ),
        &payments(),
        &[],
    );
    assert!(p[0].contains("is tenant other's"), "{p:?}");
    let p = review(&binding("Group", "edit", sa("pay-dev")), &payments(), &[]);
    assert!(p[0].contains("roleRef.kind"), "{p:?}");
}

#[test]
fn subjects_outside_the_tenant_are_refused() {
    let t = payments();
    let p = review(&binding("ClusterRole", "edit", sa("other-ns")), &t, &[]);
    assert!(
        p[0].contains("not in a namespace of tenant payments"),
        "{p:?}"
    );
    let user = |name: &str| json!([{"kind": "User", "name": name}]);
    assert!(review(&binding("ClusterRole", "view", user("bob")), &t, &[]).is_empty());
    let p = review(&binding("ClusterRole", "view", user("mallory")), &t, &[]);
    assert!(p[0].contains("not a member"), "{p:?}");
    let group = |name: &str| json!([{"kind": "Group", "name": name}]);
    let allowed = vec!["auditors".to_string(), "system:masters".to_string()];
    assert!(
        review(
            &binding("ClusterRole", "view", group("auditors")),
            &t,
            &allowed
        )
        .is_empty()
    );
    // A system group never, even when a site lists it.
    let p = review(
        &binding("ClusterRole", "view", group("system:masters")),
        &t,
        &allowed,
    );
    assert!(p[0].contains("not one the site lets"), "{p:?}");
    let p = review(&binding("ClusterRole", "view", json!([])), &t, &[]);
    assert!(p[0].contains("at least one subject"), "{p:?}");
}

#[test]
fn only_the_listed_kinds_are_kept_and_a_secret_never_inline() {
    let t = payments();
    for (api_version, kind) in [
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("v1", "LimitRange"),
        ("v1", "ConfigMap"),
    ] {
        let o =
            declared(json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}));
        assert!(review(&o, &t, &[]).is_empty(), "{kind}");
    }
    let p = review(
        &declared(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}})),
        &t,
        &[],
    );
    assert!(p[0].contains("never inline"), "{p:?}");
    for (api_version, kind) in [
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("v1", "Pod"),
        ("apps/v1", "Deployment"),
        ("v1", "Role"),
    ] {
        let o =
            declared(json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}));
        assert!(review(&o, &t, &[])[0].contains("cannot be kept"), "{kind}");
    }
    let mut o = declared(json!({}));
    o.spec.template = None;
    assert!(review(&o, &t, &[])[0].contains("exactly one"));
    o.spec.source = Some(Source {
        kind: "Pod".into(),
        name: "x".into(),
    });
    assert!(review(&o, &t, &[])[0].contains("only Secret and ConfigMap"));
}

#[test]
fn names_namespaces_and_platform_labels_are_checked() {
    let t = payments();
    let named = |name: &str| {
        declared(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}))
    };
    assert!(review(&named("Bad_Name"), &t, &[])[0].contains("DNS-1123"));
    assert!(review(&named(""), &t, &[])[0].contains("DNS-1123"));
    assert!(review(&named("ike-thing"), &t, &[])[0].contains("platform's"));
    let o = declared(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "kube-system"}}));
    assert!(review(&o, &t, &[])[0].contains("metadata.namespace"));
    let o = declared(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"ike.dev/tenant": "other"}}}));
    assert!(review(&o, &t, &[])[0].contains("platform's"));
    let mut o = named("x");
    o.spec.namespaces = vec!["pay-prod".into(), "other-prod".into()];
    let p = review(&o, &t, &[]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("does not hold namespace other-prod"));
}

#[test]
fn copies_go_to_every_held_namespace_or_the_listed_ones_it_holds() {
    let mut t = payments();
    let mut o = binding("ClusterRole", "edit", sa("pay-dev"));
    assert_eq!(target_namespaces(&o, &t), ["pay-dev", "pay-prod"]);
    // Listed but no longer held: no copy, so a Secret never lands in another's namespace.
    t.status = Some(status(&["pay-dev"], None));
    o.spec.namespaces = vec!["pay-prod".into(), "pay-dev".into()];
    assert_eq!(target_namespaces(&o, &t), ["pay-dev"]);
    // A copied source's own namespace holds the source, not a copy.
    t.status = Some(status(&["pay-dev", "pay-prod"], None));
    o.spec.template = None;
    o.spec.source = Some(Source {
        kind: "Secret".into(),
        name: "regcred".into(),
    });
    assert_eq!(target_namespaces(&o, &t), ["pay-prod"]);
    // Listed in spec.namespaces only (a claim, not held): nothing.
    t.status = None;
    assert!(target_namespaces(&o, &t).is_empty());
}

#[test]
fn a_copy_carries_where_it_came_from_and_drops_inactive_users() {
    let o = binding(
        "ClusterRole",
        "edit",
        json!([{"kind": "User", "name": "bob"}, {"kind": "User", "name": "gone"},
               {"kind": "ServiceAccount", "name": "ci", "namespace": "pay-dev"}]),
    );
    let copy = desired_copy(&o, "payments", "pay-prod", None, |u| u == "bob").unwrap();
    assert_eq!(copy["metadata"]["namespace"], "pay-prod");
    assert_eq!(copy["metadata"]["name"], "ci-deployer");
    let labels: BTreeMap<String, String> =
        serde_json::from_value(copy["metadata"]["labels"].clone()).unwrap();
    assert!(is_copy_of(Some(&labels), "ci", "pay-dev"));
    assert!(!is_copy_of(Some(&labels), "ci", "pay-prod"));
    assert!(!is_copy_of(None, "ci", "pay-dev"));
    assert_eq!(labels[TENANT_LABEL], "payments");
    assert_eq!(
        copy["metadata"]["annotations"][DECLARED_BY_ANNOTATION],
        "alice"
    );
    assert_eq!(copy["subjects"].as_array().unwrap().len(), 2);
}

#[test]
fn a_secret_is_copied_from_its_source_only_of_an_allowed_type() {
    let mut o = declared(json!({}));
    o.spec.template = None;
    o.spec.source = Some(Source {
        kind: "Secret".into(),
        name: "regcred".into(),
    });
    let missing = desired_copy(&o, "payments", "pay-prod", None, |_| true).unwrap_err();
    assert!(
        missing.contains("does not exist in namespace pay-dev"),
        "{missing}"
    );
    let source = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred",
        "namespace": "pay-dev", "labels": {"x": "y"}},
        "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "e30="}});
    let copy = desired_copy(&o, "payments", "pay-prod", Some(&source), |_| true).unwrap();
    assert_eq!(copy["type"], "kubernetes.io/dockerconfigjson");
    assert_eq!(copy["data"][".dockerconfigjson"], "e30=");
    assert_eq!(copy["metadata"]["namespace"], "pay-prod");
    let token = json!({"type": "kubernetes.io/service-account-token", "data": {}});
    let refused = desired_copy(&o, "payments", "pay-prod", Some(&token), |_| true).unwrap_err();
    assert!(refused.contains("never copied"), "{refused}");
}

#[test]
fn drift_is_a_changed_or_added_payload_not_a_server_default() {
    let o = declared(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "x"}, "data": {"a": "1"}}));
    let want = desired_copy(&o, "payments", "pay-prod", None, |_| true).unwrap();
    let mut have = want.clone();
    have["metadata"]["resourceVersion"] = json!("7");
    have["metadata"]["labels"]["someone"] = json!("else");
    assert!(same_payload(&have, &want));
    have["data"]["b"] = json!("2");
    assert!(!same_payload(&have, &want), "an added key is drift");
    let mut have = want.clone();
    have["binaryData"] = json!({"c": "AA=="});
    assert!(!same_payload(&have, &want), "an added map is drift");
    let mut have = want.clone();
    have["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove(TENANT_OBJECT_LABEL);
    assert!(!same_payload(&have, &want), "a removed label is drift");

    let b = binding("ClusterRole", "edit", sa("pay-dev"));
    let want = desired_copy(&b, "payments", "pay-prod", None, |_| true).unwrap();
    let mut have = want.clone();
    have["subjects"][0]["apiGroup"] = json!(""); // a default the server fills in
    assert!(same_payload(&have, &want));
    have["subjects"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "User", "name": "mallory"}));
    assert!(!same_payload(&have, &want), "an added subject is drift");
    let mut have = want.clone();
    have["roleRef"]["name"] = json!("admin");
    assert!(!same_payload(&have, &want));
}
