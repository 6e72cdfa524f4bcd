//! Every path to a claim is reviewed the same way: a StatefulSet's `volumeClaimTemplates` and a
//! pod's generic ephemeral volumes are judged as the claims they become, where the tenant looks
//! (`kubectl apply` answers), and the claims the cluster's controllers then make from them are
//! judged again, so a template admitted while it was harmless makes no claim once it is not.
//! Each next to its neighbour: the tenant's own StorageClass in a template, a claim the
//! StatefulSet and ephemeral volume controllers make for it.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Team, allowed, create, refused, wait_for};
use crate::harness::{kubectl, ok, sharing_the_tenant_controller, unique};

/// A StorageClass made by the cluster admin, labelled for `tenant` (as an approved request
/// leaves it) or the site's (`None`).
fn storage_class(name: &str, tenant: Option<&str>) {
    let labels = match tenant {
        Some(t) => json!({"ike.dev/tenant": t}),
        None => json!({}),
    };
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name, "labels": labels},
            "provisioner": "example.com/no-such-driver"}),
    ));
}

/// A StatefulSet of `replicas` (started in parallel) with one claim template `data`.
fn stateful_set(name: &str, replicas: u32, claim: Value) -> Value {
    let mut spec = json!({"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}});
    spec.as_object_mut()
        .unwrap()
        .extend(claim.as_object().unwrap().clone());
    json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
        "spec": {"serviceName": name, "replicas": replicas, "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "db", "image": "registry.invalid/db:1"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": spec}]}})
}

/// A pod spec with one generic ephemeral volume `scratch` of `class`.
fn ephemeral_spec(class: &str) -> Value {
    json!({"containers": [{"name": "app", "image": "registry.invalid/app:1"}],
        "volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {
            "storageClassName": class, "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}}}}]})
}

/// The StorageClass of claim `name` in `ns`, once it exists.
fn claim_class(ns: &str, name: &str) -> String {
    wait_for(
        &format!("claim {ns}/{name}"),
        Duration::from_secs(30),
        || {
            let out = kubectl(&[
                "get",
                "pvc",
                name,
                "-n",
                ns,
                "-o",
                "jsonpath={.spec.storageClassName}",
            ]);
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        },
    )
}

#[test]
fn claim_templates_are_judged_as_the_claims_they_become_on_every_path() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = (Team::new("claims-a"), Team::new("claims-b"));
    let theirs = unique("a-class");
    storage_class(&theirs, Some(&a.name));
    let pv = unique("admin-pv");
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                "nfs": {"server": "192.0.2.1", "path": "/admin"}}}),
    ));

    // B's StatefulSet naming A's class or the admin's volume is refused where B looks.
    refused(
        create(
            Some(&b.owner),
            &b.ns,
            &stateful_set("steal", 1, json!({"storageClassName": theirs})),
        ),
        &[
            "the volumeClaimTemplate data of StatefulSet steal",
            &format!("StorageClass {theirs} is tenant {}'s", a.name),
        ],
    );
    refused(
        create(
            Some(&b.owner),
            &b.ns,
            &stateful_set("grab", 1, json!({"storageClassName": "", "volumeName": pv})),
        ),
        &[&format!("volume {pv} was not provisioned for this tenant")],
    );
    // A's own class in A's template: admitted, and the StatefulSet controller makes the claim.
    allowed(create(
        Some(&a.owner),
        &a.ns,
        &stateful_set("db", 1, json!({"storageClassName": theirs})),
    ));
    assert_eq!(claim_class(&a.ns, "data-db-0"), theirs);

    // Generic ephemeral volumes, of a pod and of a Deployment's pod template.
    let pod = |name: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": ephemeral_spec(&theirs)})
    };
    refused(
        create(Some(&b.owner), &b.ns, &pod("scratchy")),
        &[
            "the ephemeral volume scratch",
            &format!("is tenant {}'s", a.name),
        ],
    );
    refused(
        create(
            Some(&b.owner),
            &b.ns,
            &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": ephemeral_spec(&theirs)}}}),
        ),
        &["the ephemeral volume scratch in the pod template of Deployment web"],
    );
    allowed(create(Some(&a.owner), &a.ns, &pod("scratchy")));
    // The ephemeral volume controller makes A's claim.
    assert_eq!(claim_class(&a.ns, "scratchy-scratch"), theirs);

    // The claims the cluster's controllers make are judged too: a StatefulSet admitted while
    // its class was the site's gets no new claim once that class is another tenant's.
    let shared = unique("site-class");
    storage_class(&shared, None);
    allowed(create(
        Some(&b.owner),
        &b.ns,
        &stateful_set("later", 1, json!({"storageClassName": shared})),
    ));
    assert_eq!(claim_class(&b.ns, "data-later-0"), shared);
    ok(kubectl(&[
        "label",
        "storageclass",
        &shared,
        &format!("ike.dev/tenant={}", a.name),
    ]));
    ok(b.owner
        .kubectl(&["scale", "statefulset", "later", "--replicas=2", "-n", &b.ns]));
    let refusal = wait_for(
        "the StatefulSet controller's claim to be refused",
        Duration::from_secs(30),
        || {
            let out = ok(kubectl(&[
                "get",
                "events",
                "-n",
                &b.ns,
                "--field-selector",
                "involvedObject.name=later,reason=FailedCreate",
                "-o",
                "jsonpath={.items[*].message}",
            ]));
            out.contains("data-later-1").then_some(out)
        },
    );
    assert!(
        refusal.contains("ike: ") && refusal.contains(&format!("is tenant {}'s", a.name)),
        "{refusal}"
    );
    assert!(
        !kubectl(&["get", "pvc", "data-later-1", "-n", &b.ns])
            .status
            .success(),
        "the refused claim was made"
    );

    for (kind, name) in [
        ("storageclass", &theirs),
        ("storageclass", &shared),
        ("pv", &pv),
    ] {
        let _ = kubectl(&["delete", kind, name, "--wait=false"]);
    }
}
