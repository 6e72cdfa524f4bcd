//! A hostile tenant at admission: every class of object a tenant may create that could reach
//! other tenants' traffic, names, nodes or the platform is refused with one line naming the rule,
//! next to its legitimate neighbour, which still works. The attacker is an enrolled account using
//! kubectl with its own certificate; the cluster admin (kubectl) sets up and checks.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DeletesTenant, User, admin, enrolled, kubectl, ok, sharing_the_tenant_controller, unique,
};

mod claims;

/// Polls `probe` every 100 ms until it gives a value; panics after `limit` saying `what`.
pub(crate) fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `kubectl create -n NS -f -` of `object` as `user` (the cluster admin with `None`).
pub(crate) fn create(user: Option<&User>, ns: &str, object: &Value) -> Output {
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(file.as_file(), object).unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let args = ["create", "-n", ns, "-f", &path];
    match user {
        Some(u) => u.kubectl(&args),
        None => kubectl(&args),
    }
}

/// Asserts `out` failed with a message containing every one of `words`.
pub(crate) fn refused(out: Output, words: &[&str]) -> String {
    let said = text(&out);
    assert!(!out.status.success(), "allowed, expected a refusal: {said}");
    for w in words {
        assert!(said.contains(w), "no {w:?} in: {said}");
    }
    assert!(said.contains("ike: "), "not ike's refusal: {said}");
    said
}

pub(crate) fn allowed(out: Output) {
    assert!(out.status.success(), "refused: {}", text(&out));
}

/// Retries `attempt` until it succeeds (the webhooks see a policy change through a watch).
pub(crate) fn allowed_soon(what: &str, mut attempt: impl FnMut() -> Output) {
    let mut last = String::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        let out = attempt();
        if out.status.success() {
            return;
        }
        last = text(&out);
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what} was still refused after 15 s: {last}");
}

/// A tenant with one enrolled owner and one namespace, ready; deleted when dropped.
pub(crate) struct Team {
    pub(crate) name: String,
    pub(crate) owner: User,
    pub(crate) ns: String,
    _deleted: DeletesTenant,
}

impl Team {
    pub(crate) fn new(prefix: &str) -> Self {
        // The harness's admin must hold cluster-admin before it makes accounts.
        let _ = admin();
        let owner = enrolled(&format!("{prefix}-owner"));
        let name = unique(prefix);
        let ns = unique(&format!("{prefix}-ns"));
        let tenant = json!({
            "apiVersion": "ike.dev/v1alpha1", "kind": "Tenant",
            "metadata": {"name": name},
            "spec": {"members": [{"account": owner.account, "role": "owner"}], "namespaces": [ns]}
        });
        allowed(create(None, "default", &tenant));
        wait_for(
            &format!("tenant {name} to hold {ns}"),
            Duration::from_secs(20),
            || {
                let out = kubectl(&["get", "serviceaccount", "default", "-n", &ns]);
                out.status.success().then_some(())
            },
        );
        // Whose a namespace is comes from the tenant's status (the webhooks read it there), which
        // the controller writes after it made the namespace: a request made before that is
        // rightly refused as "no tenant's".
        wait_for(
            &format!("tenant {name}'s status to record {ns}"),
            Duration::from_secs(20),
            || {
                let out = kubectl(&[
                    "get",
                    "tenant",
                    &name,
                    "-o",
                    "jsonpath={.status.namespaces}",
                ]);
                text(&out).contains(&format!("\"{ns}\"")).then_some(())
            },
        );
        Self {
            _deleted: DeletesTenant(name.clone()),
            name,
            owner,
            ns,
        }
    }

    /// Merges `policy` into the tenant's `spec.policy` as the cluster admin.
    fn set_policy(&self, policy: Value) {
        let patch = json!({"spec": {"policy": policy}}).to_string();
        ok(kubectl(&[
            "patch",
            "tenant",
            &self.name,
            "--type=merge",
            "-p",
            &patch,
        ]));
    }
}

fn pod(name: &str, spec: Value) -> Value {
    let mut spec = spec;
    if spec.get("containers").is_none() {
        spec["containers"] = json!([{"name": "app", "image": "registry.invalid/app:1"}]);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})
}

fn service(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec})
}

#[test]
fn services_cannot_intercept_traffic_but_ordinary_ones_work() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("svc");
    let user = Some(&a.owner);
    let ports = json!([{"port": 80}]);
    allowed(create(
        user,
        &a.ns,
        &service("web", json!({"ports": ports, "selector": {"app": "web"}})),
    ));
    refused(
        create(
            user,
            &a.ns,
            &service(
                "intercept",
                json!({"ports": ports, "externalIPs": ["10.0.0.10"]}),
            ),
        ),
        &["spec.externalIPs", "CVE-2020-8554"],
    );
    refused(
        create(
            user,
            &a.ns,
            &service("np", json!({"type": "NodePort", "ports": ports})),
        ),
        &["type NodePort", "spec.policy.nodePorts"],
    );
    refused(
        create(
            user,
            &a.ns,
            &service(
                "alias",
                json!({"type": "ExternalName", "externalName": "web.other.svc.cluster.local"}),
            ),
        ),
        &["ExternalName", "is outside the domains"],
    );
    refused(
        create(
            user,
            &a.ns,
            &service(
                "lbip",
                json!({"type": "LoadBalancer", "ports": ports, "loadBalancerIP": "192.0.2.10"}),
            ),
        ),
        &["loadBalancerIP 192.0.2.10"],
    );
    // The site hands tenants load balancers: one without an address of its choosing is fine.
    allowed(create(
        user,
        &a.ns,
        &service("lb", json!({"type": "LoadBalancer", "ports": ports})),
    ));

    // An admin widens the tenant's policy: NodePort, an address range, a partner domain.
    a.set_policy(json!({
        "nodePorts": true,
        "loadBalancerIPs": ["192.0.2.0/28"],
        "externalNameDomains": [".partner.example"]
    }));
    allowed_soon("a NodePort Service once allowed", || {
        create(
            user,
            &a.ns,
            &service("np", json!({"type": "NodePort", "ports": ports})),
        )
    });
    allowed(create(
        user,
        &a.ns,
        &service(
            "lbip",
            json!({"type": "LoadBalancer", "ports": ports, "loadBalancerIP": "192.0.2.10"}),
        ),
    ));
    allowed(create(
        user,
        &a.ns,
        &service(
            "partner",
            json!({"type": "ExternalName", "externalName": "api.partner.example"}),
        ),
    ));
    // Still never externalIPs.
    refused(
        create(
            user,
            &a.ns,
            &service(
                "intercept",
                json!({"ports": ports, "externalIPs": ["10.0.0.10"]}),
            ),
        ),
        &["CVE-2020-8554"],
    );
    // The owner cannot widen it itself.
    let patch = json!({"spec": {"policy": {"loadBalancerIPs": ["0.0.0.0/0"]}}}).to_string();
    refused(
        a.owner
            .kubectl(&["patch", "tenant", &a.name, "--type=merge", "-p", &patch]),
        &["only a platform admin can set or change a tenant's policy"],
    );
}

#[test]
fn hand_made_endpoints_point_only_at_the_namespaces_own_pods() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("ep-a");
    let b = Team::new("ep-b");
    allowed(create(Some(&a.owner), &a.ns, &pod("web", json!({}))));
    allowed(create(Some(&b.owner), &b.ns, &pod("db", json!({}))));
    for (team, name, ip) in [(&a, "web", "10.244.1.7"), (&b, "db", "10.244.2.9")] {
        let status = json!({"status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}})
            .to_string();
        ok(kubectl(&[
            "patch",
            "pod",
            name,
            "-n",
            &team.ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &status,
        ]));
    }
    let endpoints = |addresses: Value| {
        json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "manual"},
               "subsets": [{"addresses": addresses, "ports": [{"port": 80}]}]})
    };
    let user = Some(&a.owner);
    // Another tenant's pod, a node's address, an address that is not the named pod's.
    refused(
        create(
            user,
            &a.ns,
            &endpoints(
                json!([{"ip": "10.244.2.9", "targetRef": {"kind": "Pod", "name": "db", "namespace": b.ns}}]),
            ),
        ),
        &["address 10.244.2.9", "CVE-2021-25740"],
    );
    refused(
        create(user, &a.ns, &endpoints(json!([{"ip": "10.0.0.1"}]))),
        &["names no pod"],
    );
    refused(
        create(
            user,
            &a.ns,
            &endpoints(json!([{"ip": "10.244.2.9", "targetRef": {"kind": "Pod", "name": "web"}}])),
        ),
        &["is not an address of pod web"],
    );
    let slice = json!({"apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice",
        "metadata": {"name": "manual-slice"}, "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.244.2.9"]}], "ports": [{"port": 80}]});
    // Tenant roles may not write EndpointSlices on 1.20 at all; a platform admin's account may,
    // and the rule holds for it in a tenant namespace too.
    refused(create(Some(admin()), &a.ns, &slice), &["CVE-2021-25740"]);
    // Its own pod is fine.
    allowed(create(
        user,
        &a.ns,
        &endpoints(json!([{"ip": "10.244.1.7", "targetRef": {"kind": "Pod", "name": "web"}}])),
    ));
}

fn ingress(host: &str) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
           "spec": {"rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})
}

/// Deletes a namespace made by the test, whatever its outcome.
struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "delete",
            "namespace",
            &self.0,
            "--wait=false",
            "--ignore-not-found",
        ]);
    }
}

#[test]
fn listing_a_namespace_the_tenant_does_not_hold_takes_none_of_its_ingress_hosts() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("claim-a");
    // An existing namespace no tenant holds (made by hand; one released with keepNamespaces
    // is the same), whose Ingress holds a host.
    let loose = Namespace(unique("loose"));
    ok(kubectl(&["create", "namespace", &loose.0]));
    let host = format!("{}.example.com", unique("held"));
    allowed(create(None, &loose.0, &ingress(&host)));
    // The tenant's owner lists it: refused at admission, the Tenant unchanged.
    let patch = json!({"spec": {"namespaces": [a.ns, loose.0]}}).to_string();
    refused(
        a.owner
            .kubectl(&["patch", "tenant", &a.name, "--type=merge", "-p", &patch]),
        &["namespace", &loose.0, "exists and is not this tenant's"],
    );
    let listed = ok(kubectl(&[
        "get",
        "tenant",
        &a.name,
        "-o",
        "jsonpath={.spec.namespaces}",
    ]));
    assert!(
        !listed.contains(&loose.0),
        "the refused claim was written: {listed}"
    );
    // A platform admin may list it; the controller still does not give it to the tenant.
    ok(kubectl(&[
        "patch",
        "tenant",
        &a.name,
        "--type=merge",
        "-p",
        &patch,
    ]));
    wait_for("NamespaceConflict", Duration::from_secs(20), || {
        let out = kubectl(&[
            "get",
            "tenant",
            &a.name,
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}",
        ]);
        (text(&out).trim() == "NamespaceConflict").then_some(())
    });
    // Listed, not held: the host of the Ingress there is not the tenant's to take.
    refused(
        create(Some(&a.owner), &a.ns, &ingress(&host)),
        &[&format!(
            "host {host} is already used by an Ingress outside your tenant"
        )],
    );
    allowed(create(
        Some(&a.owner),
        &a.ns,
        &ingress(&format!("{}.example.com", unique("free"))),
    ));
}

#[test]
fn an_ingress_host_stays_with_the_tenant_that_holds_it() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("ing-a");
    let b = Team::new("ing-b");
    let host = format!("{}.shop.example.com", unique("h"));
    allowed(create(Some(&a.owner), &a.ns, &ingress(&host)));
    let said = wait_for(
        "B's claim on A's host to be refused",
        Duration::from_secs(10),
        || {
            let out = create(Some(&b.owner), &b.ns, &ingress(&host));
            (!out.status.success()).then(|| text(&out))
        },
    );
    assert!(
        said.contains(&format!(
            "host {host} is already used by an Ingress outside your tenant"
        )),
        "{said}"
    );
    assert!(
        !said.contains(&a.ns),
        "the refusal names the holder's namespace: {said}"
    );
    // A wildcard over it is refused too; a free host is B's.
    refused(
        create(Some(&b.owner), &b.ns, &ingress("*.shop.example.com")),
        &["already used"],
    );
    allowed(create(
        Some(&b.owner),
        &b.ns,
        &ingress(&format!("{}.example.com", unique("free"))),
    ));
}

#[test]
fn platform_namespaces_cannot_be_squatted_and_a_prefix_and_limit_hold() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("squat");
    for reserved in ["cert-manager", "ingress-nginx", "monitoring", "ike-system"] {
        let out = a
            .owner
            .ike(&["ns", "create", reserved, "--tenant", &a.name]);
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{reserved} claimed: {said}");
        assert!(
            said.contains(&format!(
                "namespace {reserved} is reserved for the platform"
            )),
            "{said}"
        );
    }
    // The neighbour: an ordinary name is the owner's to add.
    let free = unique("squat-free");
    ok(a.owner.ike(&["ns", "create", &free, "--tenant", &a.name]));

    a.set_policy(json!({"namespacePrefix": format!("{}-", a.name), "maxNamespaces": 3}));
    let outside = unique("elsewhere");
    let inside = format!("{}-db", a.name);
    let said = wait_for("the prefix to be enforced", Duration::from_secs(10), || {
        let out = a
            .owner
            .ike(&["ns", "create", &outside, "--tenant", &a.name]);
        (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
    });
    assert!(
        said.contains(&format!("does not start with {}-", a.name)),
        "{said}"
    );
    ok(a.owner.ike(&["ns", "create", &inside, "--tenant", &a.name]));
    let said = String::from_utf8_lossy(
        &a.owner
            .ike(&[
                "ns",
                "create",
                &format!("{}-x", a.name),
                "--tenant",
                &a.name,
            ])
            .stderr,
    )
    .into_owned();
    assert!(said.contains("over its limit of 3"), "{said}");
}

#[test]
fn workload_templates_are_refused_where_the_user_is_looking() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("wl");
    let template = |spec: Value| {
        let mut spec = spec;
        spec["containers"] = json!([{"name": "app", "image": "registry.invalid/app:1"}]);
        json!({"metadata": {"labels": {"app": "w"}}, "spec": spec})
    };
    let deployment = |name: &str, spec: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
               "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": template(spec)}})
    };
    let said = refused(
        create(
            Some(&a.owner),
            &a.ns,
            &deployment("host", json!({"hostNetwork": true})),
        ),
        &["hostNetwork is not allowed", "Deployment host"],
    );
    assert!(
        said.contains("pods in tenant namespaces cannot reach the host"),
        "{said}"
    );
    let cron = json!({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "registry.invalid/c:1", "securityContext": {"privileged": true}}]}}}}}});
    refused(
        create(Some(&a.owner), &a.ns, &cron),
        &["is privileged", "CronJob nightly"],
    );
    let rc = json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
        "spec": {"selector": {"app": "w"}, "template": template(json!({"hostPID": true}))}});
    refused(
        create(Some(&a.owner), &a.ns, &rc),
        &["hostPID is not allowed"],
    );
    // The neighbour: an ordinary Deployment.
    allowed(create(Some(&a.owner), &a.ns, &deployment("web", json!({}))));
}

#[test]
fn dedicated_nodes_and_the_control_plane_are_out_of_other_tenants_reach() {
    let _shared = sharing_the_tenant_controller();
    let pool = unique("pool");
    let a = Team::new("pool-a");
    ok(kubectl(&[
        "patch",
        "tenant",
        &a.name,
        "--type=merge",
        "-p",
        &json!({"spec": {"nodeSelector": {"ike.dev/pool": pool}}}).to_string(),
    ]));
    let b = Team::new("pool-b");
    let node = |name: &str, labels: Value| json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}});
    let a_node = unique("a-node");
    let cp_node = unique("cp-node");
    allowed(create(
        None,
        "default",
        &node(&a_node, json!({"ike.dev/pool": pool})),
    ));
    allowed(create(
        None,
        "default",
        &node(&cp_node, json!({"node-role.kubernetes.io/master": ""})),
    ));
    let user = Some(&b.owner);
    let said = wait_for(
        "a pod aimed at A's pool to be refused",
        Duration::from_secs(10),
        || {
            let out = create(
                user,
                &b.ns,
                &pod("aim", json!({"nodeSelector": {"ike.dev/pool": pool}})),
            );
            (!out.status.success()).then(|| text(&out))
        },
    );
    assert!(
        said.contains("belongs to another tenant's dedicated nodes"),
        "{said}"
    );
    refused(
        create(user, &b.ns, &pod("direct", json!({"nodeName": a_node}))),
        &["is dedicated to another tenant"],
    );
    refused(
        create(
            user,
            &b.ns,
            &pod(
                "tolerate",
                json!({"tolerations": [{"key": "ike.dev/dedicated", "value": a.name, "effect": "NoSchedule"}]}),
            ),
        ),
        &["another tenant's dedicated nodes"],
    );
    refused(
        create(
            user,
            &b.ns,
            &pod(
                "everything",
                json!({"tolerations": [{"operator": "Exists"}]}),
            ),
        ),
        &["every taint"],
    );
    refused(
        create(user, &b.ns, &pod("cp", json!({"nodeName": cp_node}))),
        &["control-plane node"],
    );
    // The neighbours: B on shared nodes; A on its own pool (with its own taint tolerated).
    allowed(create(user, &b.ns, &pod("shared", json!({}))));
    allowed(create(Some(&a.owner), &a.ns, &pod("home", json!({}))));
    let home = ok(kubectl(&["get", "pod", "home", "-n", &a.ns, "-o", "json"]));
    let home: Value = serde_json::from_str(&home).unwrap();
    assert_eq!(home["spec"]["nodeSelector"]["ike.dev/pool"], pool.as_str());
    let tolerations = home["spec"]["tolerations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        tolerations
            .iter()
            .any(|t| t["key"] == "ike.dev/dedicated" && t["value"] == a.name.as_str()),
        "{tolerations:?}"
    );
    // ike doctor shows A its pool.
    let report = ok(a.owner.ike(&["doctor", "-o", "json"]));
    let report: Value = serde_json::from_str(&report).unwrap();
    let pool_row = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "nodes.pool")
        .cloned()
        .unwrap();
    assert!(
        pool_row["detail"].as_str().unwrap().contains(&a_node),
        "{pool_row}"
    );
    for n in [&a_node, &cp_node] {
        let _ = kubectl(&["delete", "node", n, "--wait=false"]);
    }
}

#[test]
fn priority_classes_and_foreign_volumes_are_refused_and_allowed_ones_work() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("prio-a");
    let b = Team::new("prio-b");
    let user = Some(&b.owner);
    refused(
        create(
            user,
            &b.ns,
            &pod(
                "critical",
                json!({"priorityClassName": "system-cluster-critical"}),
            ),
        ),
        &["priorityClassName system-cluster-critical"],
    );
    let class = unique("batch");
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
        "metadata": {"name": class}, "value": 1000}),
    ));
    refused(
        create(
            user,
            &b.ns,
            &pod("high", json!({"priorityClassName": class})),
        ),
        &["is not allowed for tenant"],
    );
    b.set_policy(json!({"priorityClasses": [class]}));
    allowed_soon("a pod with an allowed class", || {
        create(
            user,
            &b.ns,
            &pod("high", json!({"priorityClassName": class})),
        )
    });

    // A volume provisioned for A cannot be claimed by B.
    let pv = unique("pv");
    allowed(create(
        None,
        "default",
        &json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv, "labels": {"ike.dev/tenant": a.name}},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                 "nfs": {"server": "192.0.2.1", "path": "/a"}}}),
    ));
    let claim = |name: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
               "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": pv,
                        "resources": {"requests": {"storage": "1Gi"}}}})
    };
    refused(
        create(user, &b.ns, &claim("steal")),
        &[&format!("volume {pv} was not provisioned for this tenant")],
    );
    allowed(create(Some(&a.owner), &a.ns, &claim("mine")));
    let _ = kubectl(&["delete", "pv", &pv, "--wait=false"]);
    let _ = kubectl(&["delete", "priorityclass", &class, "--wait=false"]);
}

#[test]
fn tenant_pods_are_confined_by_default_and_unconfined_ones_refused() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("confine");
    allowed(create(Some(&a.owner), &a.ns, &pod("plain", json!({}))));
    let stored: Value = serde_json::from_str(&ok(kubectl(&[
        "get", "pod", "plain", "-n", &a.ns, "-o", "json",
    ])))
    .unwrap();
    assert_eq!(
        stored["spec"]["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(
        stored["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"],
        "runtime/default"
    );
    refused(
        create(
            Some(&a.owner),
            &a.ns,
            &pod(
                "open",
                json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
            ),
        ),
        &["seccomp profile is Unconfined"],
    );
}

#[test]
fn the_site_can_force_image_pulls_and_isolate_tenant_networks_and_admins_elsewhere_are_untouched() {
    let _shared = sharing_the_tenant_controller();
    let a = Team::new("site");
    let platform = unique("platform");
    ok(kubectl(&["create", "namespace", &platform]));
    // The Site is shared (the local IKE writes its office section): change only its tenant
    // policy, and put that back however the test ends.
    let tenants = json!({"spec": {"tenants": {"alwaysPullImages": true,
        "networkIsolation": {"allowFromNamespaces": [platform]}}}});
    let _restore = SiteTenantPolicy::set(&tenants);
    // Image pulls: a new pod gets Always whatever it asked.
    let asked = pod(
        "cached",
        json!({"containers": [{"name": "app", "image": "registry.invalid/app:1", "imagePullPolicy": "IfNotPresent"}]}),
    );
    wait_for(
        "imagePullPolicy Always on new pods",
        Duration::from_secs(10),
        || {
            let name = unique("cached");
            let mut p = asked.clone();
            p["metadata"]["name"] = name.clone().into();
            allowed(create(Some(&a.owner), &a.ns, &p));
            let stored: Value = serde_json::from_str(&ok(kubectl(&[
                "get", "pod", &name, "-n", &a.ns, "-o", "json",
            ])))
            .unwrap();
            (stored["spec"]["containers"][0]["imagePullPolicy"] == "Always").then_some(())
        },
    );
    // Ephemeral containers too (`kubectl debug`), added through their own subresource: here as
    // the cluster admin (Kubernetes 1.20's roles give tenants no `pods/ephemeralcontainers`), in
    // the form 1.20 takes (kubectl 1.32's `debug` speaks only the newer one).
    let debugged = unique("debugged");
    let mut p = asked.clone();
    p["metadata"]["name"] = debugged.clone().into();
    allowed(create(Some(&a.owner), &a.ns, &p));
    let ephemeral = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(
        ephemeral.as_file(),
        &json!({"apiVersion": "v1", "kind": "EphemeralContainers",
            "metadata": {"name": debugged, "namespace": a.ns},
            "ephemeralContainers": [{"name": "debug", "image": "registry.invalid/tools:1",
                "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}]}),
    )
    .unwrap();
    ok(kubectl(&[
        "replace",
        "--raw",
        &format!(
            "/api/v1/namespaces/{}/pods/{debugged}/ephemeralcontainers",
            a.ns
        ),
        "-f",
        ephemeral.path().to_str().unwrap(),
    ]));
    let stored: Value = serde_json::from_str(&ok(kubectl(&[
        "get", "pod", &debugged, "-n", &a.ns, "-o", "json",
    ])))
    .unwrap();
    assert_eq!(
        stored["spec"]["ephemeralContainers"][0]["imagePullPolicy"], "Always",
        "{stored}"
    );

    // Network isolation: the default policy appears, admits the tenant and the platform only,
    // comes back when deleted, and the tenant may add its own.
    let policy = wait_for("the default NetworkPolicy", Duration::from_secs(20), || {
        let out = kubectl(&[
            "get",
            "networkpolicy",
            "ike-tenant-isolation",
            "-n",
            &a.ns,
            "-o",
            "json",
        ]);
        out.status
            .success()
            .then(|| serde_json::from_slice::<Value>(&out.stdout).unwrap())
    });
    let from = &policy["spec"]["ingress"][0]["from"];
    assert_eq!(
        from[0]["namespaceSelector"]["matchLabels"]["ike.dev/tenant"],
        a.name.as_str()
    );
    assert_eq!(
        from[1]["namespaceSelector"]["matchExpressions"][0]["values"],
        json!([platform])
    );
    let labels = ok(kubectl(&[
        "get",
        "namespace",
        &platform,
        "-o",
        "jsonpath={.metadata.labels}",
    ]));
    assert!(
        labels.contains(&format!("\"kubernetes.io/metadata.name\":\"{platform}\"")),
        "{labels}"
    );
    allowed(a.owner.kubectl(&[
        "delete",
        "networkpolicy",
        "ike-tenant-isolation",
        "-n",
        &a.ns,
    ]));
    wait_for(
        "the default NetworkPolicy to come back",
        Duration::from_secs(20),
        || {
            kubectl(&["get", "networkpolicy", "ike-tenant-isolation", "-n", &a.ns])
                .status
                .success()
                .then_some(())
        },
    );
    allowed(create(
        Some(&a.owner),
        &a.ns,
        &json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "own"}, "spec": {"podSelector": {}, "ingress": [{}]}}),
    ));

    // Admins outside tenant namespaces are not affected by any of it.
    allowed(create(
        None,
        &platform,
        &service(
            "np",
            json!({"type": "NodePort", "ports": [{"port": 80}], "externalIPs": ["10.0.0.10"]}),
        ),
    ));
    allowed(create(
        None,
        &platform,
        &pod(
            "host",
            json!({"hostNetwork": true, "priorityClassName": "system-cluster-critical"}),
        ),
    ));

    let _ = kubectl(&["delete", "namespace", &platform, "--wait=false"]);
}

/// The Site's tenant policy as a test set it; cleared again when dropped.
struct SiteTenantPolicy;

impl SiteTenantPolicy {
    fn set(patch: &Value) -> Self {
        ok(kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]));
        Self
    }
}

impl Drop for SiteTenantPolicy {
    fn drop(&mut self) {
        let _ = kubectl(&[
            "patch",
            "site",
            "site",
            "--type=merge",
            "-p",
            r#"{"spec":{"tenants":null}}"#,
        ]);
    }
}
