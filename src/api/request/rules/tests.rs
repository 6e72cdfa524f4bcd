//! The rules against hand-made requests and facts.

use super::*;
use serde_json::json;

fn crd(group: &str, scope: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": scope,
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object"}}}]}
    })
}

fn apply(manifest: Value) -> ResourceRequestSpec {
    ResourceRequestSpec {
        manifest: Some(manifest),
        reason: "our operator".into(),
        ..Default::default()
    }
}

fn facts() -> Facts {
    Facts {
        tenant: "a".into(),
        namespaces: vec!["a-prod".into(), "a-dev".into()],
        provisioners: Some(vec!["example.com/csi".into()]),
        reserved_groups: crate::api::RequestPolicy::default().reserved_groups(),
        ..Default::default()
    }
}

fn failed(checks: &[Check]) -> Vec<&str> {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect()
}

#[test]
fn a_new_namespaced_crd_in_a_free_group_passes_every_check() {
    let checks = checks(&apply(crd("widgets.example.com", "Namespaced")), &facts());
    assert!(failed(&checks).is_empty(), "{checks:?}");
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "kind",
            "owner",
            "metadata",
            "labels",
            "group",
            "group-owner",
            "scope",
            "names",
            "conversion",
            "competing"
        ]
    );
}

#[test]
fn only_crds_and_storage_classes_of_their_own_api_versions_are_taken() {
    for (api_version, kind) in [
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
        ("storage.k8s.io/v1beta1", "StorageClass"),
        ("v1", "Namespace"),
    ] {
        let manifest = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
        let checks = checks(&apply(manifest), &facts());
        assert_eq!(failed(&checks), ["kind"], "{kind}");
        assert!(checks[0].message.contains(kind), "{}", checks[0].message);
        assert_eq!(checks.len(), 1, "nothing else is judged");
    }
    let nameless = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass"});
    assert!(identify(&nameless).unwrap_err().contains("metadata.name"));
}

#[test]
fn kubernetes_and_ike_groups_are_never_a_tenants() {
    for group in [
        "",
        "k8s.io",
        "apps.k8s.io",
        "networking.k8s.io",
        "snapshot.storage.k8s.io",
        "metrics.kubernetes.io",
        "cluster.x-k8s.io",
        "ike.dev",
        "monitoring.ike.dev",
        "nodot",
    ] {
        assert!(reserved_group(group).is_some(), "{group}");
    }
    for group in ["example.com", "widgets.example.com", "k8s.io.example.com"] {
        assert_eq!(reserved_group(group), None, "{group}");
    }
    let checks = checks(&apply(crd("apps.k8s.io", "Namespaced")), &facts());
    assert_eq!(failed(&checks), ["group"]);
}

#[test]
fn a_group_held_by_another_tenant_or_the_platform_is_refused_and_ones_own_is_not() {
    let mut f = facts();
    f.group_crds = vec![("gadgets.example.com".into(), Some("b".into()))];
    let c = checks(&apply(crd("example.com", "Namespaced")), &f);
    assert_eq!(failed(&c), ["group-owner"]);
    assert!(problems(&c)[0].contains("another tenant's"));
    f.group_crds = vec![("gadgets.example.com".into(), None)];
    let c = checks(&apply(crd("example.com", "Namespaced")), &f);
    assert!(problems(&c)[0].contains("the platform's"));
    f.group_crds = vec![("gadgets.example.com".into(), Some("a".into()))];
    assert!(failed(&checks(&apply(crd("example.com", "Namespaced")), &f)).is_empty());
}

#[test]
fn an_existing_object_is_updated_or_deleted_only_by_its_tenant() {
    let mut f = facts();
    let mut existing = crd("example.com", "Namespaced");
    f.existing = Some(existing.clone());
    let c = checks(&apply(crd("example.com", "Namespaced")), &f);
    assert_eq!(failed(&c), ["owner"], "the platform's");
    existing["metadata"]["labels"] = json!({TENANT_LABEL: "b"});
    f.existing = Some(existing.clone());
    assert_eq!(
        failed(&checks(&apply(crd("example.com", "Namespaced")), &f)),
        ["owner"]
    );
    existing["metadata"]["labels"] = json!({TENANT_LABEL: "a"});
    f.existing = Some(existing);
    assert!(failed(&checks(&apply(crd("example.com", "Namespaced")), &f)).is_empty());

    let delete = ResourceRequestSpec {
        action: Action::Delete,
        target: Some(Target {
            kind: Kind::StorageClass,
            name: "fast".into(),
        }),
        reason: "no longer used".into(),
        ..Default::default()
    };
    assert!(failed(&checks(&delete, &f)).is_empty());
    f.existing = None;
    let c = checks(&delete, &f);
    assert_eq!(failed(&c), ["owner"]);
    assert!(problems(&c)[0].contains("does not exist"));
}

#[test]
fn cluster_scoped_resources_and_conversion_webhooks_outside_the_tenant_are_refused() {
    assert_eq!(
        failed(&checks(&apply(crd("example.com", "Cluster")), &facts())),
        ["scope"]
    );
    let mut by_url = crd("example.com", "Namespaced");
    by_url["spec"]["conversion"] = json!({"strategy": "Webhook",
        "webhook": {"clientConfig": {"url": "https://10.0.0.1/convert"}}});
    assert_eq!(failed(&checks(&apply(by_url), &facts())), ["conversion"]);
    let mut elsewhere = crd("example.com", "Namespaced");
    elsewhere["spec"]["conversion"] = json!({"strategy": "Webhook",
        "webhook": {"clientConfig": {"service": {"namespace": "b-prod", "name": "conv"}}}});
    assert_eq!(
        failed(&checks(&apply(elsewhere.clone()), &facts())),
        ["conversion"]
    );
    elsewhere["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["namespace"] =
        json!("a-dev");
    assert!(failed(&checks(&apply(elsewhere), &facts())).is_empty());
}

#[test]
fn a_storage_class_is_never_the_default_nor_reads_other_namespaces_secrets() {
    let sc = |annotations: Value, parameters: Value| {
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast", "annotations": annotations},
            "provisioner": "example.com/csi", "parameters": parameters})
    };
    let fine = sc(
        json!({}),
        json!({"csi.storage.k8s.io/provisioner-secret-namespace": "a-prod",
               "csi.storage.k8s.io/node-stage-secret-namespace": "${pvc.namespace}"}),
    );
    assert!(failed(&checks(&apply(fine), &facts())).is_empty());
    let default = sc(
        json!({"storageclass.kubernetes.io/is-default-class": "true"}),
        json!({}),
    );
    assert_eq!(
        failed(&checks(&apply(default), &facts())),
        ["default-class"]
    );
    let foreign = sc(
        json!({}),
        json!({"csi.storage.k8s.io/provisioner-secret-namespace": "kube-system"}),
    );
    assert_eq!(failed(&checks(&apply(foreign), &facts())), ["secrets"]);
}

#[test]
fn another_tenants_label_open_requests_and_a_missing_reason_are_refused() {
    let mut labelled = crd("example.com", "Namespaced");
    labelled["metadata"]["labels"] = json!({TENANT_LABEL: "b"});
    assert_eq!(failed(&checks(&apply(labelled), &facts())), ["labels"]);
    let mut f = facts();
    f.competing = vec!["b-prod/crd-widgets".into()];
    assert_eq!(
        failed(&checks(&apply(crd("example.com", "Namespaced")), &f)),
        ["competing"]
    );
    let mut spec = apply(crd("example.com", "Namespaced"));
    spec.reason = " ".into();
    assert_eq!(failed(&checks(&spec, &facts())), ["reason"]);
}

#[test]
fn a_crd_named_like_something_served_or_in_category_all_is_refused() {
    let mut pods = crd("example.com", "Namespaced");
    pods["spec"]["names"]["shortNames"] = json!(["po"]);
    let c = checks(&apply(pods), &facts());
    assert_eq!(failed(&c), ["names"]);
    assert!(
        problems(&c)[0].contains("po (Kubernetes' or ike's)"),
        "{c:?}"
    );
    let mut f = facts();
    f.served_names = vec![("widgets".into(), "widgets.other.io".into())];
    let c = checks(&apply(crd("example.com", "Namespaced")), &f);
    assert!(
        problems(&c)[0].contains("widgets (widgets.other.io)"),
        "{c:?}"
    );
    let mut everywhere = crd("example.com", "Namespaced");
    everywhere["spec"]["names"]["categories"] = json!(["all"]);
    assert_eq!(failed(&checks(&apply(everywhere), &facts())), ["names"]);
    let mut rr = crd("example.com", "Namespaced");
    rr["spec"]["names"]["shortNames"] = json!(["rr"]);
    assert_eq!(
        failed(&checks(&apply(rr), &facts())),
        ["names"],
        "ike's own names too"
    );
}

#[test]
fn owner_references_and_finalizers_are_the_platforms_to_set() {
    let mut owned = crd("example.com", "Namespaced");
    owned["metadata"]["ownerReferences"] =
        json!([{"apiVersion": "v1", "kind": "Namespace", "name": "x", "uid": "u"}]);
    owned["metadata"]["finalizers"] = json!(["example.com/keep"]);
    let c = checks(&apply(owned), &facts());
    assert_eq!(failed(&c), ["metadata"]);
    assert!(problems(&c)[0].contains("metadata.ownerReferences and metadata.finalizers"));
}

#[test]
fn a_storage_class_uses_an_allowed_provisioner_and_no_volume_has_its_name_yet() {
    let sc = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "fast"}, "provisioner": "example.com/csi"});
    let mut f = facts();
    f.provisioners = Some(vec!["ebs.csi.aws.com".into()]);
    let c = checks(&apply(sc.clone()), &f);
    assert_eq!(failed(&c), ["provisioner"]);
    f.provisioners = Some(vec!["example.com/csi".into()]);
    assert!(failed(&checks(&apply(sc.clone()), &f)).is_empty());
    f.volumes_of_class = vec!["pv-old".into()];
    let c = checks(&apply(sc.clone()), &f);
    assert_eq!(failed(&c), ["volumes"]);
    assert!(problems(&c)[0].contains("pv-old"));
    // The tenant's own class, updated: its volumes are its own.
    let mut mine = sc.clone();
    mine["metadata"]["labels"] = json!({TENANT_LABEL: "a"});
    f.existing = Some(mine);
    assert!(failed(&checks(&apply(sc), &f)).is_empty());
}

#[test]
fn groups_the_platform_reserves_are_refused_with_every_group_below_them() {
    for group in [
        "cert-manager.io",
        "acme.cert-manager.io",
        "monitoring.coreos.com",
        "networking.istio.io",
    ] {
        let c = checks(&apply(crd(group, "Namespaced")), &facts());
        assert_eq!(failed(&c), ["group"], "{group}");
        assert!(
            problems(&c)[0].contains("Site.spec.requests.reservedGroups"),
            "{c:?}"
        );
    }
    // A domain that merely ends alike is someone else's.
    assert!(
        failed(&checks(
            &apply(crd("notcert-manager.io", "Namespaced")),
            &facts()
        ))
        .is_empty()
    );
    // The site's own list replaces the defaults.
    let mut f = facts();
    f.reserved_groups = vec!["example.com".into()];
    assert_eq!(
        failed(&checks(
            &apply(crd("widgets.example.com", "Namespaced")),
            &f
        )),
        ["group"]
    );
    assert!(failed(&checks(&apply(crd("cert-manager.io", "Namespaced")), &f)).is_empty());
}

#[test]
fn a_group_an_aggregated_api_or_the_api_server_serves_is_refused_and_a_crds_own_is_not() {
    let apiservice = |name: &str, group: &str, labels: Value, service: Value| {
        json!({"metadata": {"name": name, "labels": labels},
            "spec": {"group": group, "version": "v1", "service": service}})
    };
    let aggregated = apiservice(
        "v1.metrics.example.com",
        "metrics.example.com",
        json!({}),
        json!({"namespace": "monitoring", "name": "adapter"}),
    );
    assert_eq!(
        crd::apiservice_claim(&aggregated, "metrics.example.com").as_deref(),
        Some("APIService v1.metrics.example.com (an aggregated API: Service monitoring/adapter)")
    );
    assert_eq!(
        crd::apiservice_claim(&aggregated, "other.example.com"),
        None
    );
    let built_in = apiservice(
        "v1.apps.example.com",
        "apps.example.com",
        json!({"kube-aggregator.kubernetes.io/automanaged": "onstart"}),
        Value::Null,
    );
    assert!(
        crd::apiservice_claim(&built_in, "apps.example.com")
            .unwrap()
            .contains("the API server itself")
    );
    // On 1.20 every CRD group has a local APIService: the CRDs' owners decide, not it.
    let for_crds = apiservice(
        "v1.widgets.example.com",
        "widgets.example.com",
        json!({"kube-aggregator.kubernetes.io/automanaged": "true"}),
        Value::Null,
    );
    assert_eq!(
        crd::apiservice_claim(&for_crds, "widgets.example.com"),
        None
    );

    let mut f = facts();
    f.group_apiservices = vec!["APIService v1.metrics.example.com (an aggregated API)".into()];
    let c = checks(&apply(crd("metrics.example.com", "Namespaced")), &f);
    assert_eq!(failed(&c), ["group-owner"]);
    assert!(problems(&c)[0].contains("an aggregated API"), "{c:?}");
}

#[test]
fn an_object_someone_else_manages_too_or_with_instances_elsewhere_is_neither_updated_nor_deleted() {
    let entry = |manager: &str, fields: Value| json!({"manager": manager, "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": fields});
    let mut mine = crd("example.com", "Namespaced");
    mine["metadata"]["labels"] = json!({TENANT_LABEL: "a"});
    mine["metadata"]["managedFields"] = json!([
        entry("ike-requests", json!({"f:metadata": {}, "f:spec": {}})),
        // The API server's own conditions: not another manager.
        entry("kube-apiserver", json!({"f:status": {"f:conditions": {}}})),
        {"manager": "some-controller", "operation": "Update", "subresource": "status",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}},
    ]);
    assert!(other_managers(&mine).is_empty());
    let mut f = facts();
    f.existing = Some(mine.clone());
    let c = checks(&apply(crd("example.com", "Namespaced")), &f);
    assert!(failed(&c).is_empty(), "{c:?}");
    assert!(c.iter().any(|c| c.name == "managers" && c.passed));

    // The platform's installer applied the real CRD over the tenant's.
    let mut shared = mine.clone();
    shared["metadata"]["managedFields"]
        .as_array_mut()
        .unwrap()
        .push(entry("helm", json!({"f:spec": {"f:conversion": {}}})));
    assert_eq!(other_managers(&shared), ["helm"]);
    f.existing = Some(shared);
    let delete = ResourceRequestSpec {
        action: Action::Delete,
        target: Some(Target {
            kind: Kind::CustomResourceDefinition,
            name: "widgets.example.com".into(),
        }),
        reason: "no longer used".into(),
        ..Default::default()
    };
    for spec in [apply(crd("example.com", "Namespaced")), delete.clone()] {
        let c = checks(&spec, &f);
        assert_eq!(failed(&c), ["managers"], "{c:?}");
        assert!(problems(&c)[0].contains("also managed by helm"), "{c:?}");
    }

    // Custom resources in other namespaces, or no way to tell.
    f.existing = Some(mine);
    f.outside = vec!["b-prod/w1".into()];
    let c = checks(&delete, &f);
    assert_eq!(failed(&c), ["instances"]);
    assert!(problems(&c)[0].contains("b-prod/w1"), "{c:?}");
    f.outside = Vec::new();
    f.outside_unknown = Some("listing its custom resources failed: forbidden".into());
    let c = checks(&delete, &f);
    assert_eq!(failed(&c), ["instances"]);
    assert!(problems(&c)[0].contains("cannot tell"), "{c:?}");
}

#[test]
fn without_a_site_list_of_provisioners_no_storage_class_is_requested() {
    let sc = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "fast"}, "provisioner": "example.com/csi"});
    for provisioners in [None, Some(Vec::new())] {
        let mut f = facts();
        f.provisioners = provisioners;
        let c = checks(&apply(sc.clone()), &f);
        assert_eq!(failed(&c), ["provisioner"]);
        assert!(
            problems(&c)[0].contains("Site.spec.requests.storageProvisioners"),
            "{c:?}"
        );
    }
}

#[test]
fn every_secret_a_provisioner_reads_is_named_with_one_of_the_tenants_namespaces() {
    let ns = ["a-prod".to_string()];
    let csi = |step: &str| format!("csi.storage.k8s.io/{step}-secret");
    // Every CSI step, each in the tenant's namespace or the claim's.
    let mut fine = serde_json::Map::new();
    for step in [
        "provisioner",
        "controller-publish",
        "node-stage",
        "node-publish",
        "controller-expand",
        "node-expand",
    ] {
        fine.insert(format!("{}-name", csi(step)), json!("creds"));
        fine.insert(format!("{}-namespace", csi(step)), json!("a-prod"));
    }
    fine.insert(
        "csi.storage.k8s.io/node-stage-secret-namespace".into(),
        json!("${pvc.namespace}"),
    );
    assert_eq!(
        storage::secret_problems(&Value::Object(fine), &ns),
        Vec::<String>::new()
    );
    for (parameters, says) in [
        (
            json!({"csi.storage.k8s.io/node-publish-secret-namespace": "kube-system"}),
            "\"kube-system\" is not one of the tenant's namespaces",
        ),
        // Templates other than the claim's namespace: `${pv.name}` is nobody's namespace, an
        // annotation says whatever the claim's author wants.
        (
            json!({"csi.storage.k8s.io/provisioner-secret-namespace": "${pv.name}"}),
            "not one of the tenant's namespaces",
        ),
        (
            json!({"csi.storage.k8s.io/provisioner-secret-namespace": "${pvc.annotations['ns']}"}),
            "not one of the tenant's namespaces",
        ),
        // A name without its namespace: the provisioner's default (`default` for RBD's admin).
        (
            json!({"csi.storage.k8s.io/controller-expand-secret-name": "creds"}),
            "names a Secret without its namespace",
        ),
        (
            json!({"adminSecretName": "ceph-admin"}),
            "names a Secret without its namespace",
        ),
        // The deprecated CSI keys and in-tree ones, by their ending, in any case.
        (
            json!({"csiProvisionerSecretName": "x", "csiProvisionerSecretNamespace": "default"}),
            "\"default\" is not one of the tenant's namespaces",
        ),
        (
            json!({"userSecretName": "u", "USERSECRETNAMESPACE": "b-prod"}),
            "\"b-prod\" is not one of the tenant's namespaces",
        ),
    ] {
        let p = storage::secret_problems(&parameters, &ns);
        assert_eq!(p.len(), 1, "{parameters}: {p:?}");
        assert!(p[0].contains(says), "{parameters}: {p:?}");
    }
    assert!(
        storage::secret_problems(
            &json!({"secretName": "s", "secretNamespace": "a-prod"}),
            &ns
        )
        .is_empty()
    );
}

/// Found by the fuzzer: a parameter's key with a control character in it went into the refusal
/// and the status as it was, so one check could print as several lines.
#[test]
fn what_the_tenant_wrote_is_quoted_on_one_line() {
    let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "steal"}, "provisioner": "example.com/csi",
        "parameters": {"csi.st\u{0}orage.k8s.io/node-publish-secret-namespace": "kube-system\nok"}});
    let mut crd = crd("x.k8s.io", "Namespaced");
    crd["spec"]["group"] = json!("evil\n.k8s.io");
    for manifest in [class, crd] {
        let checks = checks(&apply(manifest), &facts());
        assert!(!failed(&checks).is_empty());
        for c in &checks {
            assert!(!c.message.contains(char::is_control), "{c:?}");
        }
    }
}
