//! Requests cannot capture what is not the tenant's: a group the platform reserves or an
//! aggregated API serves, a CRD someone else manages too or whose custom resources live in
//! other namespaces, a StorageClass reading Secrets outside the tenant or of a provisioner the
//! site does not list (none listed: no StorageClass at all). Each next to its neighbour: the
//! tenant's own group, CRD and class, changed and deleted once nothing else holds on to them.

use std::time::Duration;

use serde_json::{Value, json};

use super::{
    PROVISIONERS, TEST_PROVISIONER, approve, crd, dry_run_class, exists, plural, request,
    set_provisioners, storage_class, storage_classes_allowed, wait_phase,
};
use crate::harness::{admin, kubectl, ok, sharing_the_tenant_controller, unique};
use crate::hostile::{Team, allowed, allowed_soon, create, refused, text, wait_for};

/// `ike request delete KIND/NAME --name REQUEST` as the team's owner.
fn request_delete(team: &Team, target: &str, name: &str) -> std::process::Output {
    team.owner.ike(&[
        "request",
        "delete",
        target,
        "--reason",
        "no longer needed",
        "--name",
        name,
        "-n",
        &team.ns,
    ])
}

#[test]
fn a_tenant_cannot_take_a_platform_group_nor_change_a_crd_someone_else_manages_or_uses() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("rq-cap");

    // Groups of components the platform installs (now or later), and below them.
    for group in [
        "cert-manager.io",
        "acme.cert-manager.io",
        "monitoring.coreos.com",
    ] {
        refused(
            request(
                &a.owner,
                "crd",
                &crd(group, "thing", "Thing"),
                &a.ns,
                "platform",
            ),
            &[
                &format!("group {group} is reserved"),
                "Site.spec.requests.reservedGroups",
            ],
        );
    }
    // A group an aggregated API serves.
    let aggregated = format!("{}.metrics.example.com", unique("agg"));
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": format!("v1.{aggregated}")},
            "spec": {"group": aggregated, "version": "v1", "insecureSkipTLSVerify": true,
                "groupPriorityMinimum": 1000, "versionPriority": 15,
                "service": {"namespace": "default", "name": "no-such-adapter"}}}),
    ));
    refused(
        request(
            &a.owner,
            "crd",
            &crd(&aggregated, "metric", "Metric"),
            &a.ns,
            "agg",
        ),
        &[&format!("APIService v1.{aggregated} (an aggregated API")],
    );
    let _ = kubectl(&["delete", "apiservice", &format!("v1.{aggregated}")]);

    // The neighbour: its own group, approved; a second CRD in it passes although the API
    // server now serves the group (its local APIService stands for the tenant's CRD).
    let group = format!("{}.example.com", unique("tools"));
    let manifest = crd(&group, "tool", "Tool");
    let name = format!("{}.{group}", plural("tool"));
    ok(request(&a.owner, "crd", &manifest, &a.ns, "tools"));
    ok(approve(admin(), &a.ns, "tools", &[]));
    wait_phase(&a.ns, "tools", "Applied");
    let second = ok(request(
        &a.owner,
        "crd",
        &crd(&group, "toolbox", "Toolbox"),
        &a.ns,
        "toolboxes",
    ));
    assert!(second.contains("pass  group-owner"), "{second}");
    ok(a.owner
        .ike(&["request", "withdraw", "toolboxes", "-n", &a.ns]));

    let mut v2 = manifest.clone();
    v2["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["description"] = json!("tools, v2");
    // Someone else manages it too (here the cluster admin's label; a platform installer's
    // apply alike): neither changed nor deleted by the tenant.
    ok(kubectl(&[
        "label",
        "crd",
        &name,
        "platform.example.com/installed=yes",
    ]));
    refused(
        request(&a.owner, "crd", &v2, &a.ns, "tools-v2"),
        &["is also managed by kubectl-label"],
    );
    refused(
        request_delete(&a, &format!("crd/{name}"), "drop-tools"),
        &["is also managed by kubectl-label"],
    );
    ok(kubectl(&[
        "label",
        "crd",
        &name,
        "platform.example.com/installed-",
    ]));

    // A custom resource of it in a namespace the tenant does not hold.
    let tool = |n: &str| {
        json!({"apiVersion": format!("{group}/v1"), "kind": "Tool", "metadata": {"name": n},
            "spec": {}})
    };
    allowed_soon("the owner's own Tool", || {
        create(Some(&a.owner), &a.ns, &tool("mine"))
    });
    let platform = unique("platform");
    ok(kubectl(&["create", "namespace", &platform]));
    allowed(create(None, &platform, &tool("theirs")));
    refused(
        request_delete(&a, &format!("crd/{name}"), "drop-tools"),
        &[
            "has custom resources outside",
            &format!("{platform}/theirs"),
        ],
    );
    refused(
        request(&a.owner, "crd", &v2, &a.ns, "tools-v2"),
        &["has custom resources outside"],
    );

    // Once nothing outside holds on to it, the tenant changes and deletes its own CRD.
    ok(kubectl(&["delete", &name, "theirs", "-n", &platform]));
    ok(request(&a.owner, "crd", &v2, &a.ns, "tools-v2"));
    ok(approve(admin(), &a.ns, "tools-v2", &[]));
    wait_phase(&a.ns, "tools-v2", "Applied");
    ok(request_delete(&a, &format!("crd/{name}"), "drop-tools"));
    ok(approve(admin(), &a.ns, "drop-tools", &[]));
    wait_for("the CRD to be gone", Duration::from_secs(30), || {
        (!exists("crd", &name)).then_some(())
    });
    let _ = kubectl(&["delete", "namespace", &platform, "--wait=false"]);
}

#[test]
fn a_storage_class_reads_only_the_tenants_secrets_and_needs_a_provisioner_the_site_lists() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("rq-cap-sc");
    // A site that lists no provisioner: no StorageClass, and the refusal says where to list.
    {
        let _alone = PROVISIONERS.write().unwrap_or_else(|p| p.into_inner());
        set_provisioners(None);
        wait_for(
            "a refusal naming the site's list",
            Duration::from_secs(15),
            || {
                let out = dry_run_class(&a);
                let said = text(&out);
                (!out.status.success() && said.contains("Site.spec.requests.storageProvisioners"))
                    .then_some(())
            },
        );
    }
    let _listed = storage_classes_allowed(&a);
    let class = |params: Value| {
        let mut sc = storage_class(&unique("keyed"));
        sc["parameters"] = params;
        sc
    };
    refused(
        request(
            &a.owner,
            "storageclass",
            &class(
                json!({"csi.storage.k8s.io/provisioner-secret-name": "creds",
                "csi.storage.k8s.io/provisioner-secret-namespace": "kube-system"}),
            ),
            &a.ns,
            "keyed",
        ),
        &["\"kube-system\" is not one of the tenant's namespaces"],
    );
    refused(
        request(
            &a.owner,
            "storageclass",
            &class(json!({"csi.storage.k8s.io/node-stage-secret-name": "creds"})),
            &a.ns,
            "keyed",
        ),
        &["names a Secret without its namespace"],
    );
    let mut other = class(json!({}));
    other["provisioner"] = json!("example.com/hostpath");
    refused(
        request(&a.owner, "storageclass", &other, &a.ns, "keyed"),
        &["is not one the site lets tenants use", TEST_PROVISIONER],
    );

    // The neighbour: Secrets of its own namespace and of the claim's.
    let own = class(
        json!({"csi.storage.k8s.io/provisioner-secret-name": "creds",
        "csi.storage.k8s.io/provisioner-secret-namespace": a.ns,
        "csi.storage.k8s.io/node-stage-secret-name": "creds",
        "csi.storage.k8s.io/node-stage-secret-namespace": "${pvc.namespace}"}),
    );
    let name = own["metadata"]["name"].as_str().unwrap().to_string();
    ok(request(&a.owner, "storageclass", &own, &a.ns, "keyed"));
    ok(approve(admin(), &a.ns, "keyed", &[]));
    wait_phase(&a.ns, "keyed", "Applied");

    // A volume of the class bound to a claim outside the tenant: the class stays.
    let pv = unique("bound-elsewhere");
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
            "spec": {"storageClassName": name, "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"], "nfs": {"server": "192.0.2.1", "path": "/x"},
                "claimRef": {"namespace": "platform-db", "name": "data"}}}),
    ));
    refused(
        request_delete(&a, &format!("storageclass/{name}"), "drop-keyed"),
        &["has volumes bound to claims outside", &pv],
    );
    ok(kubectl(&["delete", "pv", &pv]));
    ok(request_delete(
        &a,
        &format!("storageclass/{name}"),
        "drop-keyed",
    ));
    ok(approve(admin(), &a.ns, "drop-keyed", &[]));
    wait_for("the class to be gone", Duration::from_secs(30), || {
        (!exists("storageclass", &name)).then_some(())
    });
}
