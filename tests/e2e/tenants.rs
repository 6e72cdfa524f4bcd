//! Tenants end to end: isolation between tenants and between roles, host isolation, dedicated
//! nodes, revocation, account status, convergence of the tenant reconciler (conflicts, unknown
//! accounts, deletion, a killed controller), refusal of bad input, and quiet no-op reconciles.
//!
//! Every person is a real account with its own certificate (`enrolled`); kubectl is the
//! independent client, as that person or as the cluster admin, who applies the Tenants.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{
    DeletesTenant, User, admin, controller_get, create_account, enrolled, fails, kubectl, ok,
    sharing_the_tenant_controller, the_tenant_controller_to_myself, unique,
};

mod roles;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const POLL: Duration = Duration::from_millis(100);

/// Polls `probe` every 100 ms until it gives a value; panics after `limit` saying `what`.
fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(POLL);
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `value` as a JSON file for `kubectl -f`.
fn manifest(value: &Value) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .prefix("ike-manifest-")
        .suffix(".json")
        .tempfile()
        .unwrap();
    serde_json::to_writer(file.as_file(), value).unwrap();
    file
}

fn path(file: &tempfile::NamedTempFile) -> &str {
    file.path().to_str().unwrap()
}

/// A Tenant manifest; `members` are (account, role).
fn tenant(name: &str, members: &[(&str, &str)], namespaces: &[&str]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|(account, role)| json!({ "account": account, "role": role }))
        .collect();
    json!({
        "apiVersion": "ike.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": { "name": name },
        "spec": { "members": members, "namespaces": namespaces },
    })
}

/// `kubectl apply -f` of `object` as the cluster admin.
fn admin_apply(object: &Value) -> Output {
    let file = manifest(object);
    kubectl(&["apply", "-f", path(&file)])
}

/// `kubectl get KIND NAME -o json` as the cluster admin; `None` when it does not exist.
fn get(args: &[&str]) -> Option<Value> {
    let mut all = vec!["get"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let out = kubectl(&all);
    if !out.status.success() {
        let err = stderr(&out);
        assert!(err.contains("NotFound"), "kubectl {all:?}: {err}");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A Tenant the cluster admin applied; deleted when dropped (its namespaces go with it).
struct Applied {
    name: String,
    _deleted: DeletesTenant,
}

impl Applied {
    fn new(object: Value) -> Self {
        ok(admin_apply(&object));
        let name = object["metadata"]["name"].as_str().unwrap().to_string();
        Self {
            _deleted: DeletesTenant(name.clone()),
            name,
        }
    }
}

/// A namespace the cluster admin created outside any tenant; deleted when dropped.
struct PlainNamespace(String);

impl PlainNamespace {
    fn new(prefix: &str) -> Self {
        let name = unique(prefix);
        ok(kubectl(&["create", "namespace", &name]));
        Self(name)
    }
}

impl Drop for PlainNamespace {
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

/// The tenant's Ready condition, if it has one yet.
fn ready_condition(tenant: &str) -> Option<Value> {
    let t = get(&["tenant", tenant])?;
    t["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")
        .cloned()
}

/// Waits until the tenant's Ready condition has `status` and `reason`; returns its message.
fn wait_condition(tenant: &str, status: &str, reason: &str) -> String {
    let start = Instant::now();
    loop {
        let c = ready_condition(tenant);
        if let Some(c) = &c
            && c["status"] == status
            && c["reason"] == reason
        {
            return c["message"].as_str().unwrap_or_default().to_string();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "tenant {tenant}: Ready is not {status}/{reason} after 15 s, it is {c:?}"
        );
        std::thread::sleep(POLL);
    }
}

fn wait_ready(tenant: &str) {
    wait_condition(tenant, "True", "Ready");
}

/// Runs `f` on every item, `threads` at a time; results in the order of `items`.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.min(items.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    *results[i].lock().unwrap() = Some(f(item));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap().expect("every item ran"))
        .collect()
}

/// Waits, once, until the harness's admin may create accounts. The account reconciler binds
/// the bootstrap admin to cluster-admin only once the controller holds its Lease, so the
/// first `create_account` of a run can otherwise be Forbidden (a race for `harness::admin`).
fn admin_ready() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        wait_for(
            "the bootstrap admin to be allowed to create accounts",
            Duration::from_secs(30),
            || {
                let out = admin().kubectl(&["auth", "can-i", "create", "accounts.ike.dev"]);
                (String::from_utf8_lossy(&out.stdout).trim() == "yes").then_some(())
            },
        );
    });
}

/// A person whose account exists and who has logged in (`harness::enrolled`).
fn person(prefix: &str) -> User {
    admin_ready();
    enrolled(prefix)
}

/// Enrolls one person per prefix, all at once.
fn enroll_all<const N: usize>(prefixes: [&str; N]) -> [User; N] {
    let users = par_map(&prefixes, N, |p| person(p));
    users
        .try_into()
        .unwrap_or_else(|_| unreachable!("one user per prefix"))
}

/// A tenant with one namespace and one enrolled person in each role.
struct Team {
    tenant: Applied,
    ns: String,
    owner: User,
    member: User,
    viewer: User,
}

impl Team {
    fn people(&self) -> [(&'static str, &User); 3] {
        [
            ("owner", &self.owner),
            ("member", &self.member),
            ("viewer", &self.viewer),
        ]
    }

    fn apply(prefix: &str, owner: User, member: User, viewer: User) -> Team {
        let name = unique(prefix);
        let ns = unique(&format!("{prefix}-ns"));
        let tenant = Applied::new(tenant(
            &name,
            &[
                (&owner.account, "owner"),
                (&member.account, "member"),
                (&viewer.account, "viewer"),
            ],
            &[&ns],
        ));
        Team {
            tenant,
            ns,
            owner,
            member,
            viewer,
        }
    }

    /// One team, Ready.
    fn new(prefix: &str) -> Team {
        let [o, m, v] = enroll_all(["owner", "member", "viewer"]);
        let team = Team::apply(prefix, o, m, v);
        wait_ready(&team.tenant.name);
        team
    }

    /// Two teams, six people enrolled in parallel, both Ready.
    fn two(prefix: &str) -> (Team, Team) {
        let [ao, am, av, bo, bm, bv] = enroll_all([
            "a-owner", "a-member", "a-viewer", "b-owner", "b-member", "b-viewer",
        ]);
        let a = Team::apply(&format!("{prefix}-a"), ao, am, av);
        let b = Team::apply(&format!("{prefix}-b"), bo, bm, bv);
        wait_ready(&a.tenant.name);
        wait_ready(&b.tenant.name);
        (a, b)
    }
}

/// One question to the authorizer: may I `verb` `resource` (in `namespace`)?
#[derive(Clone, Debug)]
struct Ask {
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    namespace: Option<String>,
}

impl Ask {
    fn new(verb: &'static str, (group, resource): (&'static str, &'static str)) -> Ask {
        Ask {
            verb,
            group,
            resource,
            namespace: None,
        }
    }

    fn in_ns(mut self, ns: &str) -> Ask {
        self.namespace = Some(ns.to_string());
        self
    }

    /// The attributes as the API server echoes them (empty fields left out), to match answers.
    fn key(attributes: &Value) -> String {
        let field = |f: &str| attributes[f].as_str().unwrap_or_default().to_string();
        format!(
            "{} {}/{} {}",
            field("verb"),
            field("group"),
            field("resource"),
            field("namespace")
        )
    }

    fn attributes(&self) -> Value {
        let mut a = json!({ "verb": self.verb, "group": self.group, "resource": self.resource });
        if let Some(ns) = &self.namespace {
            a["namespace"] = json!(ns);
        }
        a
    }
}

impl std::fmt::Display for Ask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let group = if self.group.is_empty() {
            String::new()
        } else {
            format!(".{}", self.group)
        };
        match &self.namespace {
            Some(ns) => write!(f, "{} {}{group} -n {ns}", self.verb, self.resource),
            None => write!(f, "{} {}{group} (cluster)", self.verb, self.resource),
        }
    }
}

/// The API server's answers to `asks` for `user`, through the user's own certificate: one
/// SelfSubjectAccessReview per ask, exactly what `kubectl auth can-i` sends, but all created
/// by one kubectl call (hundreds of `kubectl auth can-i` processes take half a minute on two
/// cores).
fn access_reviews(user: &User, asks: &[Ask]) -> Vec<bool> {
    let items: Vec<Value> = asks
        .iter()
        .map(|a| {
            json!({
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SelfSubjectAccessReview",
                "spec": { "resourceAttributes": a.attributes() },
            })
        })
        .collect();
    let file = manifest(&json!({ "apiVersion": "v1", "kind": "List", "items": items }));
    let out = ok(user.kubectl(&["create", "-f", path(&file), "-o", "json"]));
    // kubectl prints one JSON document per created object.
    let reviews: Vec<Value> = serde_json::Deserializer::from_str(&out)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    // Matched by attributes, not by position, so the order kubectl prints in does not matter.
    let allowed: BTreeMap<String, bool> = reviews
        .iter()
        .map(|r| {
            (
                Ask::key(&r["spec"]["resourceAttributes"]),
                r["status"]["allowed"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    asks.iter()
        .map(|a| {
            let key = Ask::key(&a.attributes());
            *allowed
                .get(&key)
                .unwrap_or_else(|| panic!("no review for {a} in {out}"))
        })
        .collect()
}

/// `kubectl auth can-i` as `user`.
fn can_i(user: &User, ask: &Ask) -> bool {
    let resource = if ask.group.is_empty() {
        ask.resource.to_string()
    } else {
        format!("{}.{}", ask.resource, ask.group)
    };
    let mut args = vec!["auth", "can-i", ask.verb, resource.as_str()];
    if let Some(ns) = &ask.namespace {
        args.extend_from_slice(&["-n", ns]);
    }
    let out = user.kubectl(&args);
    match String::from_utf8_lossy(&out.stdout).trim() {
        "yes" => true,
        "no" => false,
        other => panic!("kubectl auth can-i {ask}: {other:?} {}", stderr(&out)),
    }
}

const VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];
const READ: [&str; 3] = ["get", "list", "watch"];
const RBAC: &str = "rbac.authorization.k8s.io";
const NAMESPACED: [(&str, &str); 6] = [
    ("", "pods"),
    ("", "secrets"),
    ("", "configmaps"),
    ("", "services"),
    ("apps", "deployments"),
    (RBAC, "rolebindings"),
];

/// What a tenant role may do in the tenant's own namespaces: owner → admin, member → edit,
/// viewer → view (Kubernetes' aggregated ClusterRoles).
fn role_allows(role: &str, verb: &str, resource: &str) -> bool {
    match role {
        "owner" => true,
        // edit: every workload resource and secrets, no RBAC objects at all.
        "member" => resource != "rolebindings",
        // view: reads, but neither secrets nor RBAC objects.
        "viewer" => READ.contains(&verb) && !["secrets", "rolebindings"].contains(&resource),
        _ => unreachable!(),
    }
}

/// Polls `kubectl ARGS` as `user` every 100 ms until it is forbidden; returns how long that
/// took from `since`. Gives up (panics) after 10 s.
fn forbidden_after(user: &User, args: &[&str], since: Instant) -> Duration {
    loop {
        let out = user.kubectl(args);
        if !out.status.success() {
            let err = stderr(&out);
            assert!(
                err.contains(&format!("User \"{}\" cannot", user.account)),
                "kubectl {args:?} as {} failed, but not as forbidden: {err}",
                user.account
            );
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "kubectl {args:?} as {} still allowed after 10 s",
            user.account
        );
        std::thread::sleep(POLL);
    }
}

/// A Pod manifest with one ordinary container; `change` adds what the case needs.
fn pod(name: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut p = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name },
        "spec": { "containers": [{ "name": "app", "image": "registry.invalid/app:1" }] },
    });
    change(&mut p);
    p
}

/// `kubectl create -n NS -f` of `object` as `user` (or the admin with `None`).
fn create_as(user: Option<&User>, ns: &str, object: &Value) -> Output {
    let file = manifest(object);
    let args = ["create", "-n", ns, "-f", path(&file)];
    match user {
        Some(u) => u.kubectl(&args),
        None => kubectl(&args),
    }
}

/// Pods need the namespace's default ServiceAccount, which kube-controller-manager creates
/// shortly after the namespace.
fn wait_for_default_service_account(ns: &str) {
    wait_for(
        &format!("the default service account in {ns}"),
        Duration::from_secs(20),
        || get(&["serviceaccount", "default", "-n", ns]),
    );
}

fn labels(object: &Value) -> BTreeMap<String, String> {
    serde_json::from_value(object["metadata"]["labels"].clone()).unwrap_or_default()
}

/// The ike:tenant:* RoleBindings in `ns`, by name, with their subjects' names.
fn tenant_bindings(ns: &str) -> BTreeMap<String, Vec<String>> {
    let list = get(&["rolebindings", "-n", ns]).expect("a list");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|rb| {
            let name = rb["metadata"]["name"].as_str()?;
            name.starts_with("ike:tenant:").then(|| {
                let subjects = rb["subjects"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| s["name"].as_str().unwrap().to_string())
                    .collect();
                (name.to_string(), subjects)
            })
        })
        .collect()
}

/// status.tenants of an account, as (tenant, role).
fn account_tenants(account: &str) -> Vec<(String, String)> {
    let a = get(&["account", account]).expect("the account exists");
    let mut out: Vec<(String, String)> = a["status"]["tenants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["tenant"].as_str().unwrap().to_string(),
                t["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// An account that exists (nobody logs in with it).
fn account(prefix: &str) -> String {
    admin_ready();
    let name = unique(prefix);
    create_account(&name, &[]);
    name
}

// ---------------------------------------------------------------------------------------------
// 1. Isolation between tenants and roles
// ---------------------------------------------------------------------------------------------

#[test]
fn every_role_does_exactly_what_it_allows_in_its_own_tenant_and_nothing_in_the_other() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = Team::two("iso");
    // (person, role, own namespace, other namespace)
    let people: Vec<(&User, &str, &str, &str)> = [(&a, &b), (&b, &a)]
        .into_iter()
        .flat_map(|(own, other)| {
            own.people()
                .map(|(role, user)| (user, role, own.ns.as_str(), other.ns.as_str()))
        })
        .collect();

    let wrong: Vec<String> = par_map(&people, people.len(), |&(user, role, own, other)| {
        let mut asks = Vec::new();
        for ns in [own, other] {
            for verb in VERBS {
                for resource in NAMESPACED {
                    asks.push(Ask::new(verb, resource).in_ns(ns));
                }
            }
        }
        let answers = access_reviews(user, &asks);
        asks.iter()
            .zip(answers)
            .filter_map(|(ask, allowed)| {
                let expected = ask.namespace.as_deref() == Some(own)
                    && role_allows(role, ask.verb, ask.resource);
                (allowed != expected).then(|| {
                    format!(
                        "{role} {}: {ask}: allowed={allowed}, expected {expected}",
                        user.account
                    )
                })
            })
            .collect::<Vec<_>>()
    })
    .concat();
    assert!(
        wrong.is_empty(),
        "{} wrong answers of {}:\n{}",
        wrong.len(),
        people.len() * VERBS.len() * NAMESPACED.len() * 2,
        wrong.join("\n")
    );

    // The same, as a person types it: `kubectl auth can-i`, a sample for each of the six.
    let spot: Vec<(&User, Ask, bool)> = people
        .iter()
        .flat_map(|&(user, role, own, other)| {
            [
                (
                    user,
                    Ask::new("get", ("", "secrets")).in_ns(own),
                    role != "viewer",
                ),
                (
                    user,
                    Ask::new("create", (RBAC, "rolebindings")).in_ns(own),
                    role == "owner",
                ),
                (user, Ask::new("list", ("", "pods")).in_ns(other), false),
            ]
        })
        .collect();
    let wrong: Vec<String> = par_map(&spot, 8, |(user, ask, expected)| {
        let allowed = can_i(user, ask);
        (allowed != *expected).then(|| {
            format!(
                "kubectl auth can-i {ask} as {}: {allowed}, expected {expected}",
                user.account
            )
        })
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // What a person sees.
    ok(a.member.kubectl(&[
        "create",
        "configmap",
        "made-by-member",
        "-n",
        &a.ns,
        "--from-literal=k=v",
    ]));
    ok(a.viewer
        .kubectl(&["get", "configmap", "made-by-member", "-n", &a.ns]));
    let err = fails(a.viewer.kubectl(&[
        "create",
        "configmap",
        "made-by-viewer",
        "-n",
        &a.ns,
        "--from-literal=k=v",
    ]));
    assert!(
        err.contains(&format!(
            "User \"{}\" cannot create resource \"configmaps\"",
            a.viewer.account
        )),
        "{err}"
    );
    ok(kubectl(&[
        "create",
        "secret",
        "generic",
        "b-secret",
        "-n",
        &b.ns,
        "--from-literal=password=hunter2",
    ]));
    ok(b.member
        .kubectl(&["get", "secret", "b-secret", "-n", &b.ns]));
    let err = fails(a.owner.kubectl(&["get", "secret", "b-secret", "-n", &b.ns]));
    assert!(
        err.contains(&format!(
            "User \"{}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{}\"",
            a.owner.account, b.ns
        )),
        "{err}"
    );
    let err = fails(a.member.kubectl(&["get", "pods", "-n", &b.ns]));
    assert!(err.contains("Forbidden"), "{err}");
}

#[test]
fn no_tenant_account_writes_cluster_scope_but_each_reads_what_a_tenant_needs() {
    let _shared = sharing_the_tenant_controller();
    let (a, b) = Team::two("cluster");
    let people: Vec<(&str, &User)> = a.people().into_iter().chain(b.people()).collect();
    let written = [
        ("", "namespaces"),
        ("storage.k8s.io", "storageclasses"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        (RBAC, "clusterroles"),
        (RBAC, "clusterrolebindings"),
        ("", "nodes"),
    ];
    let read = [
        ("", "nodes"),
        ("", "namespaces"),
        ("storage.k8s.io", "storageclasses"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("networking.k8s.io", "ingressclasses"),
        ("scheduling.k8s.io", "priorityclasses"),
    ];
    let mut asks: Vec<(Ask, bool)> = Vec::new();
    for verb in ["create", "update", "patch", "delete"] {
        asks.extend(written.iter().map(|r| (Ask::new(verb, *r), false)));
    }
    for verb in READ {
        asks.extend(read.iter().map(|r| (Ask::new(verb, *r), true)));
    }
    let questions: Vec<Ask> = asks.iter().map(|(a, _)| a.clone()).collect();
    let wrong: Vec<String> = par_map(&people, people.len(), |&(role, user)| {
        access_reviews(user, &questions)
            .into_iter()
            .zip(&asks)
            .filter(|(allowed, (_, expected))| allowed != expected)
            .map(|(allowed, (ask, expected))| {
                format!(
                    "{role} {}: {ask}: allowed={allowed}, expected {expected}",
                    user.account
                )
            })
            .collect::<Vec<_>>()
    })
    .concat();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // As typed, for one person in each role.
    for (role, user) in a.people() {
        assert!(
            !can_i(user, &Ask::new("create", ("", "namespaces"))),
            "{role}"
        );
        assert!(can_i(user, &Ask::new("list", ("", "nodes"))), "{role}");
    }
    let err = fails(
        a.owner
            .kubectl(&["create", "namespace", &unique("owner-made")]),
    );
    assert!(
        err.contains(&format!(
            "User \"{}\" cannot create resource \"namespaces\"",
            a.owner.account
        )),
        "{err}"
    );
    let err = fails(a.owner.kubectl(&[
        "create",
        "clusterrolebinding",
        &unique("owner-made"),
        "--clusterrole=cluster-admin",
        &format!("--user={}", a.owner.account),
    ]));
    assert!(err.contains("forbidden"), "{err}");
    for what in [
        "nodes",
        "namespaces",
        "storageclasses",
        "crds",
        "ingressclasses",
        "priorityclasses",
    ] {
        ok(a.viewer.kubectl(&["get", what]));
    }
}

#[test]
fn an_owner_cannot_grant_cluster_admin_and_only_an_owner_may_change_its_tenant() {
    let _shared = sharing_the_tenant_controller();
    let team = Team::new("owner");
    let name = &team.tenant.name;

    // RBAC escalation: an owner (admin) cannot bind what it does not hold ...
    let err = fails(team.owner.kubectl(&[
        "create",
        "rolebinding",
        "x",
        "--clusterrole=cluster-admin",
        &format!("--user={}", team.owner.account),
        "-n",
        &team.ns,
    ]));
    assert!(
        err.contains("forbidden")
            && err.contains("is attempting to grant RBAC permissions not currently held"),
        "not refused as an escalation: {err}"
    );
    assert!(get(&["rolebinding", "x", "-n", &team.ns]).is_none());
    // ... but may hand out what it holds in its own namespace.
    ok(team.owner.kubectl(&[
        "create",
        "rolebinding",
        "extra-viewer",
        "--clusterrole=view",
        &format!("--user={}", team.viewer.account),
        "-n",
        &team.ns,
    ]));

    // Every member reads the Tenant; a member or viewer may not make itself owner.
    for (role, user) in [("member", &team.member), ("viewer", &team.viewer)] {
        ok(user.kubectl(&["get", "tenant", name]));
        let index = if role == "member" { 1 } else { 2 };
        let promote = format!(
            r#"[{{"op":"test","path":"/spec/members/{index}/account","value":"{}"}},{{"op":"replace","path":"/spec/members/{index}/role","value":"owner"}}]"#,
            user.account
        );
        let err = fails(user.kubectl(&["patch", "tenant", name, "--type=json", "-p", &promote]));
        assert!(
            err.contains(&format!(
                "User \"{}\" cannot patch resource \"tenants\"",
                user.account
            )),
            "{role}: {err}"
        );
        let err = fails(user.kubectl(&[
            "patch",
            "tenant",
            name,
            "--type=merge",
            "-p",
            r#"{"spec":{"description":"mine now"}}"#,
        ]));
        assert!(err.contains("Forbidden"), "{role}: {err}");
    }
    let roles: Vec<String> = get(&["tenant", name]).unwrap()["spec"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roles, ["owner", "member", "viewer"]);

    // An owner of another tenant cannot touch this one.
    let stranger = person("stranger");
    let other = Applied::new(tenant(
        &unique("owner-other"),
        &[(&stranger.account, "owner")],
        &[],
    ));
    wait_ready(&other.name);
    let err = fails(stranger.kubectl(&[
        "patch",
        "tenant",
        name,
        "--type=merge",
        "-p",
        r#"{"spec":{"description":"taken over"}}"#,
    ]));
    assert!(err.contains("Forbidden"), "{err}");

    // The owner may change members: the viewer becomes a member, and can write at once.
    let promote = format!(
        r#"[{{"op":"test","path":"/spec/members/2/account","value":"{}"}},{{"op":"replace","path":"/spec/members/2/role","value":"member"}}]"#,
        team.viewer.account
    );
    ok(team
        .owner
        .kubectl(&["patch", "tenant", name, "--type=json", "-p", &promote]));
    let since = Instant::now();
    wait_for(
        "the promoted viewer to be allowed to create configmaps",
        Duration::from_secs(5),
        || {
            can_i(
                &team.viewer,
                &Ask::new("create", ("", "configmaps")).in_ns(&team.ns),
            )
            .then_some(())
        },
    );
    assert!(
        since.elapsed() < Duration::from_secs(2),
        "{:?}",
        since.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Host isolation
// ---------------------------------------------------------------------------------------------

#[test]
fn pods_that_reach_the_host_are_refused_in_tenant_namespaces_with_a_clear_message() {
    let _shared = sharing_the_tenant_controller();
    let owner = person("host-owner");
    let ns = unique("host-ns");
    let t = Applied::new(tenant(
        &unique("host"),
        &[(&owner.account, "owner")],
        &[&ns],
    ));
    wait_ready(&t.name);

    // Pod Security Admission labels, for clusters that have it (1.23+).
    let labels = labels(&get(&["namespace", &ns]).unwrap());
    for (key, value) in [
        ("pod-security.kubernetes.io/enforce", "baseline"),
        ("pod-security.kubernetes.io/warn", "restricted"),
        ("pod-security.kubernetes.io/audit", "restricted"),
    ] {
        assert_eq!(
            labels.get(key).map(String::as_str),
            Some(value),
            "{key}: {labels:?}"
        );
    }
    wait_for_default_service_account(&ns);

    type Change = fn(&mut Value);
    let cases: [(&str, Change, &str); 5] = [
        (
            "host-path",
            |p| p["spec"]["volumes"] = json!([{ "name": "root", "hostPath": { "path": "/" } }]),
            r#"volume "root" is a hostPath"#,
        ),
        (
            "host-network",
            |p| p["spec"]["hostNetwork"] = json!(true),
            "hostNetwork is not allowed",
        ),
        (
            "privileged",
            |p| {
                p["spec"]["containers"][0]["securityContext"] = json!({ "privileged": true });
            },
            r#"container "app" is privileged"#,
        ),
        (
            "host-pid",
            |p| p["spec"]["hostPID"] = json!(true),
            "hostPID is not allowed",
        ),
        (
            "sys-admin",
            |p| {
                p["spec"]["containers"][0]["securityContext"] =
                    json!({ "capabilities": { "add": ["SYS_ADMIN"] } });
            },
            r#"container "app" adds capability "SYS_ADMIN""#,
        ),
    ];
    let wrong: Vec<String> = par_map(&cases, cases.len(), |(name, change, detail)| {
        let out = create_as(Some(&owner), &ns, &pod(name, change));
        let err = stderr(&out);
        let clear = err.contains("ike: pods in tenant namespaces cannot reach the host")
            && err.contains(detail);
        (out.status.success() || !clear).then(|| format!("{name}: {err}"))
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    ok(create_as(Some(&owner), &ns, &pod("ordinary", |_| {})));
    let pods = ok(owner.kubectl(&["get", "pods", "-n", &ns, "-o", "name"]));
    assert_eq!(pods.trim(), "pod/ordinary", "refused pods exist: {pods}");

    // Outside tenant namespaces the cluster admin decides.
    let plain = PlainNamespace::new("host-plain");
    wait_for_default_service_account(&plain.0);
    ok(create_as(
        None,
        &plain.0,
        &pod("admin-privileged", |p| {
            p["spec"]["containers"][0]["securityContext"] = json!({ "privileged": true });
        }),
    ));
}

// ---------------------------------------------------------------------------------------------
// 3. Dedicated nodes
// ---------------------------------------------------------------------------------------------

fn dedicated_tenant(prefix: &str) -> (User, String, Applied, String) {
    let owner = person(&format!("{prefix}-owner"));
    let ns = unique(&format!("{prefix}-ns"));
    let pool = unique("pool");
    let mut object = tenant(&unique(prefix), &[(&owner.account, "owner")], &[&ns]);
    object["spec"]["nodeSelector"] = json!({ "ike.dev/dedicated": pool });
    let t = Applied::new(object);
    wait_ready(&t.name);
    (owner, ns, t, pool)
}

#[test]
fn pods_of_a_tenant_with_dedicated_nodes_get_its_node_selector() {
    let _shared = sharing_the_tenant_controller();
    let (owner, ns, _tenant, pool) = dedicated_tenant("dedicated");
    let namespace = get(&["namespace", &ns]).unwrap();
    assert_eq!(
        namespace["metadata"]["annotations"]["scheduler.alpha.kubernetes.io/node-selector"],
        format!("ike.dev/dedicated={pool}"),
        "{namespace}"
    );
    wait_for_default_service_account(&ns);
    ok(create_as(Some(&owner), &ns, &pod("placed", |_| {})));
    let placed = get(&["pod", "placed", "-n", &ns]).unwrap();
    assert_eq!(
        placed["spec"]["nodeSelector"],
        json!({ "ike.dev/dedicated": pool }),
        "{placed}"
    );
    // A pod cannot ask for other nodes, and the owner cannot edit the namespace's annotation.
    let err = fails(create_as(
        Some(&owner),
        &ns,
        &pod("elsewhere", |p| {
            p["spec"]["nodeSelector"] = json!({ "ike.dev/dedicated": "someone-else" });
        }),
    ));
    assert!(err.contains("conflicts"), "{err}");
    let err = fails(owner.kubectl(&[
        "annotate",
        "namespace",
        &ns,
        "scheduler.alpha.kubernetes.io/node-selector-",
    ]));
    assert!(err.contains("Forbidden"), "{err}");
}

/// Dedicated nodes mean nothing if the owner can edit them away: only a platform admin may.
#[test]
fn an_owner_cannot_move_its_tenant_off_its_dedicated_nodes() {
    let _shared = sharing_the_tenant_controller();
    let (owner, ns, tenant, pool) = dedicated_tenant("dedicated-edit");
    for patch in [
        r#"{"spec":{"nodeSelector":null}}"#,
        r#"{"spec":{"nodeSelector":{"ike.dev/dedicated":"someone-elses"}}}"#,
    ] {
        let out = owner.kubectl(&["patch", "tenant", &tenant.name, "--type=merge", "-p", patch]);
        let annotation = || {
            get(&["namespace", &ns]).unwrap()["metadata"]["annotations"]
                ["scheduler.alpha.kubernetes.io/node-selector"]
                .clone()
        };
        assert!(
            !out.status.success(),
            "the owner changed the tenant's nodeSelector with {patch}; the namespace annotation \
             is now {}",
            annotation()
        );
        let err = stderr(&out);
        assert!(
            err.contains("only a platform admin can set or change a tenant's dedicated nodes"),
            "{err}"
        );
        assert_eq!(annotation(), format!("ike.dev/dedicated={pool}"));
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Revocation
// ---------------------------------------------------------------------------------------------

#[test]
fn a_removed_member_is_forbidden_within_two_seconds_though_its_certificate_is_still_valid() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("rm-owner");
    let member = person("rm-member");
    let ns = unique("rm-ns");
    let t = Applied::new(tenant(
        &unique("rm"),
        &[(&owner, "owner"), (&member.account, "member")],
        &[&ns],
    ));
    wait_ready(&t.name);
    ok(member.kubectl(&["get", "pods", "-n", &ns]));

    let remove = format!(
        r#"[{{"op":"test","path":"/spec/members/1/account","value":"{}"}},{{"op":"remove","path":"/spec/members/1"}}]"#,
        member.account
    );
    ok(kubectl(&[
        "patch",
        "tenant",
        &t.name,
        "--type=json",
        "-p",
        &remove,
    ]));
    let took = forbidden_after(&member, &["get", "pods", "-n", &ns], Instant::now());
    assert!(
        took < Duration::from_secs(2),
        "still allowed {took:?} after removal"
    );

    // The certificate is still valid: the API server knows who asks and refuses.
    let identity = std::fs::read_to_string(
        member
            .site_dir(&crate::harness::env().site)
            .join("identity.pem"),
    )
    .unwrap();
    let info = ike::pki::cert_info(&identity).unwrap();
    assert!(info.not_after > std::time::SystemTime::now());
    let err = fails(member.kubectl(&["get", "pods", "-n", &ns]));
    assert!(
        err.contains(&format!(
            "User \"{}\" cannot list resource \"pods\"",
            member.account
        )),
        "{err}"
    );
}

#[test]
fn a_disabled_account_is_forbidden_within_two_seconds_in_every_tenant() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("off-owner");
    let person = person("off");
    let (ns1, ns2) = (unique("off-ns1"), unique("off-ns2"));
    let t1 = Applied::new(tenant(
        &unique("off1"),
        &[(&owner, "owner"), (&person.account, "member")],
        &[&ns1],
    ));
    let t2 = Applied::new(tenant(
        &unique("off2"),
        &[(&owner, "owner"), (&person.account, "viewer")],
        &[&ns2],
    ));
    wait_ready(&t1.name);
    wait_ready(&t2.name);
    for ns in [&ns1, &ns2] {
        ok(person.kubectl(&["get", "pods", "-n", ns]));
    }

    ok(kubectl(&[
        "patch",
        "account",
        &person.account,
        "--type=merge",
        "-p",
        r#"{"spec":{"disabled":true}}"#,
    ]));
    let since = Instant::now();
    let took = par_map(&[&ns1, &ns2], 2, |ns| {
        forbidden_after(&person, &["get", "pods", "-n", ns], since)
    });
    for (ns, took) in [&ns1, &ns2].iter().zip(took) {
        assert!(
            took < Duration::from_secs(2),
            "{ns}: still allowed {took:?} after disabling"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Account status
// ---------------------------------------------------------------------------------------------

#[test]
fn an_accounts_status_lists_its_tenants_and_roles_and_follows_removal() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("st-owner");
    let person = account("st-person");
    let (n1, n2) = (unique("st1"), unique("st2"));
    let t1 = Applied::new(tenant(&n1, &[(&owner, "owner"), (&person, "member")], &[]));
    let t2 = Applied::new(tenant(&n2, &[(&owner, "owner"), (&person, "viewer")], &[]));
    let both = vec![
        (n1.clone(), "member".to_string()),
        (n2.clone(), "viewer".to_string()),
    ];
    wait_for(
        &format!("status.tenants of {person} to be {both:?}"),
        Duration::from_secs(5),
        || (account_tenants(&person) == both).then_some(()),
    );
    // The same through the jsonpath a script would use.
    let raw = ok(kubectl(&[
        "get",
        "account",
        &person,
        "-o",
        "jsonpath={range .status.tenants[*]}{.tenant}={.role}{\"\\n\"}{end}",
    ]));
    assert_eq!(raw, format!("{n1}=member\n{n2}=viewer\n"));

    let remove = format!(
        r#"[{{"op":"test","path":"/spec/members/1/account","value":"{person}"}},{{"op":"remove","path":"/spec/members/1"}}]"#
    );
    ok(kubectl(&[
        "patch",
        "tenant",
        &t1.name,
        "--type=json",
        "-p",
        &remove,
    ]));
    let left = vec![(n2.clone(), "viewer".to_string())];
    wait_for(
        &format!("status.tenants of {person} to be {left:?}"),
        Duration::from_secs(5),
        || (account_tenants(&person) == left).then_some(()),
    );
    drop(t2);
    wait_for(
        &format!("status.tenants of {person} to be empty after deleting {n2}"),
        Duration::from_secs(10),
        || account_tenants(&person).is_empty().then_some(()),
    );
    assert_eq!(account_tenants(&owner), vec![(n1, "owner".to_string())]);
}

// ---------------------------------------------------------------------------------------------
// 6. Convergence
// ---------------------------------------------------------------------------------------------

#[test]
fn a_tenant_never_adopts_an_existing_namespace_and_says_namespace_conflict() {
    let _shared = sharing_the_tenant_controller();
    let taken = PlainNamespace::new("taken");
    let free = unique("free");
    let owner = account("conflict-owner");
    let t = Applied::new(tenant(
        &unique("conflict"),
        &[(&owner, "owner")],
        &[&taken.0, &free],
    ));
    let message = wait_condition(&t.name, "False", "NamespaceConflict");
    assert!(message.contains(&taken.0), "{message}");

    let ns = get(&["namespace", &taken.0]).unwrap();
    let l = labels(&ns);
    assert!(
        !l.contains_key("ike.dev/tenant") && !l.keys().any(|k| k.starts_with("pod-security")),
        "adopted: {l:?}"
    );
    assert_eq!(tenant_bindings(&taken.0), BTreeMap::new());
    // The namespace that was free is the tenant's.
    let status = get(&["tenant", &t.name]).unwrap()["status"].clone();
    assert_eq!(status["namespaces"], json!([free]), "{status}");
    assert_eq!(
        labels(&get(&["namespace", &free]).unwrap())
            .get("ike.dev/tenant")
            .map(String::as_str),
        Some(t.name.as_str())
    );
    assert_eq!(
        tenant_bindings(&free)["ike:tenant:owner"],
        vec![owner.clone()]
    );
    // Still not adopted after another reconcile, observed: a spec change the controller must
    // report on (its status names the new generation), not a pause that passes if none ran.
    ok(kubectl(&[
        "patch",
        "tenant",
        &t.name,
        "--type=merge",
        "-p",
        r#"{"spec":{"description":"poked by the e2e test"}}"#,
    ]));
    let generation = get(&["tenant", &t.name]).unwrap()["metadata"]["generation"]
        .as_i64()
        .unwrap();
    wait_for(
        &format!("tenant {} to report on generation {generation}", t.name),
        Duration::from_secs(10),
        || {
            let status = get(&["tenant", &t.name]).unwrap()["status"].clone();
            (status["observedGeneration"].as_i64() == Some(generation)).then_some(())
        },
    );
    assert!(!labels(&get(&["namespace", &taken.0]).unwrap()).contains_key("ike.dev/tenant"));
    assert_eq!(tenant_bindings(&taken.0), BTreeMap::new());
}

#[test]
fn a_tenant_with_an_unknown_account_says_so_binds_the_known_members_and_converges_once_it_exists() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("unknown-owner");
    let ghost = unique("ghost");
    let ns = unique("unknown-ns");
    let t = Applied::new(tenant(
        &unique("unknown"),
        &[(&owner, "owner"), (&ghost, "member")],
        &[&ns],
    ));
    let message = wait_condition(&t.name, "False", "UnknownAccount");
    assert!(message.contains(&ghost), "{message}");
    let bindings = tenant_bindings(&ns);
    assert_eq!(bindings["ike:tenant:owner"], vec![owner.clone()]);
    assert!(
        bindings
            .get("ike:tenant:member")
            .is_none_or(|s| s.is_empty()),
        "{bindings:?}"
    );

    create_account(&ghost, &[]);
    wait_ready(&t.name);
    assert_eq!(tenant_bindings(&ns)["ike:tenant:member"], vec![ghost]);
}

#[test]
fn deleting_a_tenant_deletes_its_namespaces() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("del-owner");
    let (ns1, ns2) = (unique("del-ns1"), unique("del-ns2"));
    let name = unique("del");
    let _t = Applied::new(tenant(&name, &[(&owner, "owner")], &[&ns1, &ns2]));
    wait_ready(&name);
    ok(kubectl(&["delete", "tenant", &name, "--timeout=20s"]));
    assert!(get(&["tenant", &name]).is_none());
    for ns in [&ns1, &ns2] {
        wait_for(
            &format!("namespace {ns} to be gone or terminating"),
            Duration::from_secs(10),
            || match get(&["namespace", ns]) {
                None => Some(()),
                Some(n) => n["metadata"]["deletionTimestamp"].is_string().then_some(()),
            },
        );
    }
    // Its access rules to the Tenant object go with it (garbage collection).
    for suffix in ["reader", "owner"] {
        let role = format!("ike:tenant:{name}:{suffix}");
        wait_for(
            &format!("clusterrole {role} to be collected"),
            Duration::from_secs(15),
            || get(&["clusterrole", &role]).is_none().then_some(()),
        );
    }
}

#[test]
fn deleting_a_tenant_that_keeps_its_namespaces_leaves_them_without_its_label_and_bindings() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("keep-owner");
    let ns = unique("keep-ns");
    let name = unique("keep");
    let mut object = tenant(&name, &[(&owner, "owner")], &[&ns]);
    object["spec"]["keepNamespaces"] = json!(true);
    let _t = Applied::new(object);
    let _ns = PlainNamespace(ns.clone());
    wait_ready(&name);
    ok(kubectl(&[
        "create",
        "configmap",
        "data",
        "-n",
        &ns,
        "--from-literal=k=v",
    ]));
    ok(kubectl(&["delete", "tenant", &name, "--timeout=20s"]));
    assert!(get(&["tenant", &name]).is_none());

    let namespace = get(&["namespace", &ns]).expect("the namespace is kept");
    assert!(
        namespace["metadata"]["deletionTimestamp"].is_null(),
        "{namespace}"
    );
    assert!(
        !labels(&namespace).contains_key("ike.dev/tenant"),
        "{namespace}"
    );
    assert_eq!(tenant_bindings(&ns), BTreeMap::new());
    ok(kubectl(&["get", "configmap", "data", "-n", &ns]));
}

/// A local IKE of its own (control plane + controller). The test kills its controller, and a
/// new replica waits out the killed one's Lease (15 s) before it reconciles: done to the shared
/// controller (`harness::restart_controller`), that would stall every test running meanwhile.
/// Its directory is removed when the test passes and kept, with the logs, when it fails.
pub(crate) struct PrivateIke {
    local: Option<ike::local::LocalIke>,
    dir: PathBuf,
}

impl PrivateIke {
    pub(crate) fn start() -> PrivateIke {
        let dir = tempfile::Builder::new()
            .prefix("ike-restart-e2e-")
            .tempdir()
            .unwrap()
            .keep();
        let options = ike::local::StartOptions {
            dir: dir.clone(),
            detach: false,
            controller_exe: PathBuf::from(env!("CARGO_BIN_EXE_ike-controller")),
            existing_kubeconfig: None,
            existing_ca: None,
            bootstrap_admin: "restart-admin".into(),
            site: "restart".into(),
            extra_controller_args: Vec::new(),
        };
        let local = ike::local::start(&options).unwrap_or_else(|e| {
            panic!(
                "cannot start a private local IKE in {}: {e:#}",
                dir.display()
            )
        });
        PrivateIke {
            local: Some(local),
            dir,
        }
    }

    pub(crate) fn local(&self) -> &ike::local::LocalIke {
        self.local.as_ref().expect("running until dropped")
    }

    /// SIGKILL, wherever it is, then start it again and wait until it is ready.
    pub(crate) fn restart_controller(&self) {
        let killed = self.local().controller_pid();
        self.local().restart_controller().unwrap_or_else(|e| {
            panic!(
                "the controller did not come back (logs in {}): {e:#}",
                self.dir.display()
            )
        });
        assert_ne!(self.local().controller_pid(), killed);
    }

    pub(crate) fn kubectl(&self, args: &[&str]) -> Output {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.local().admin_kubeconfig)
            .args(args)
            .output()
            .unwrap()
    }

    pub(crate) fn json(&self, args: &[&str]) -> Option<Value> {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "json"]);
        let out = self.kubectl(&all);
        out.status
            .success()
            .then(|| serde_json::from_slice(&out.stdout).unwrap())
    }

    /// Namespaces labelled with `tenant`, with whether each is being deleted.
    fn tenant_namespaces(&self, tenant: &str) -> Vec<(String, bool)> {
        let list = self
            .json(&["namespaces", "-l", &format!("ike.dev/tenant={tenant}")])
            .unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["metadata"]["name"].as_str().unwrap().to_string(),
                    n["metadata"]["deletionTimestamp"].is_string(),
                )
            })
            .collect()
    }
}

impl Drop for PrivateIke {
    fn drop(&mut self) {
        drop(self.local.take()); // stops the controller and the control plane
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[test]
fn the_tenant_reconciler_converges_after_its_controller_is_killed_mid_reconcile() {
    let ike = PrivateIke::start();
    let apply = |object: &Value| ok(ike.kubectl(&["apply", "-f", path(&manifest(object))]));
    let ready = |tenant: &str| -> Option<()> {
        let t = ike.json(&["tenant", tenant])?;
        let ready = t["status"]["conditions"]
            .as_array()?
            .iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True");
        ready.then_some(())
    };
    let owner = "restart-owner";
    apply(&json!({
        "apiVersion": "ike.dev/v1alpha1", "kind": "Account",
        "metadata": { "name": owner }, "spec": {},
    }));
    let names = |prefix: &str, n: usize| -> Vec<String> {
        (0..n).map(|i| format!("{prefix}-{i:02}")).collect()
    };
    let (growing, going) = ("growing", "going");
    let (grown_ns, gone_ns) = (names(growing, 30), names(going, 30));
    apply(&tenant(going, &[(owner, "owner")], &strs(&gone_ns)));
    wait_for(
        &format!("{going} to be Ready"),
        Duration::from_secs(15),
        || ready(going),
    );

    // One tenant being created and one being deleted when the controller is killed.
    apply(&tenant(growing, &[(owner, "owner")], &strs(&grown_ns)));
    wait_for(
        "the first namespace of the new tenant",
        Duration::from_secs(10),
        || (!ike.tenant_namespaces(growing).is_empty()).then_some(()),
    );
    ok(ike.kubectl(&["delete", "tenant", going, "--wait=false"]));
    wait_for(
        "the first namespace of the deleted tenant to be deleted",
        Duration::from_secs(10),
        || {
            ike.tenant_namespaces(going)
                .iter()
                .any(|(_, deleting)| *deleting)
                .then_some(())
        },
    );
    // The kill lands while one tenant is half created and the other half deleted (waited for
    // above). The restarted replica holds the Lease again at once (same identity) and goes on.
    ike.restart_controller();

    wait_for(
        "the new tenant to become Ready after the restart",
        Duration::from_secs(30),
        || ready(growing),
    );
    let held = ike.tenant_namespaces(growing);
    assert_eq!(held.len(), grown_ns.len(), "{held:?}");
    let bindings = ike
        .json(&[
            "rolebindings",
            "-A",
            "-l",
            &format!("ike.dev/tenant={growing}"),
        ])
        .unwrap();
    let owners: Vec<&Value> = bindings["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|rb| rb["metadata"]["name"] == "ike:tenant:owner")
        .collect();
    assert_eq!(owners.len(), grown_ns.len(), "{owners:?}");
    for rb in &owners {
        assert_eq!(rb["subjects"][0]["name"], owner, "{rb}");
    }
    let status = ike.json(&["tenant", growing]).unwrap()["status"]["namespaces"].clone();
    assert_eq!(status, json!(grown_ns));

    wait_for(
        "the deleted tenant to be gone after the restart",
        Duration::from_secs(10),
        || ike.json(&["tenant", going]).is_none().then_some(()),
    );
    let left: Vec<(String, bool)> = ike
        .tenant_namespaces(going)
        .into_iter()
        .filter(|(_, deleting)| !deleting)
        .collect();
    assert!(left.is_empty(), "namespaces left behind: {left:?}");
}

// ---------------------------------------------------------------------------------------------
// 7. Bad input
// ---------------------------------------------------------------------------------------------

/// Applies each case; collects those that were not refused with one of `expected` in the
/// message (kubectl validates some fields itself, the API server the rest) or that left a
/// Tenant behind.
fn refused(cases: Vec<(&str, Value, &[&str])>) -> Vec<String> {
    let wrong = par_map(&cases, 4, |(what, object, expected)| {
        let out = admin_apply(object);
        let err = stderr(&out);
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let created = get(&["tenant", name]).is_some();
        if created {
            let _ = kubectl(&["delete", "tenant", name, "--wait=false"]);
        }
        let clear = expected.iter().any(|e| err.contains(e));
        if out.status.success() || !clear || created {
            Some(format!(
                "{what}: exit {}, created: {created}, stderr: {}",
                out.status,
                err.trim()
            ))
        } else {
            None
        }
    });
    wrong.into_iter().flatten().collect()
}

#[test]
fn tenant_yaml_with_an_unknown_role_or_that_is_not_a_tenant_is_refused_and_creates_nothing() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("bad-owner");
    let good = |name: &str| tenant(name, &[(&owner, "owner")], &[&unique("bad-ns")]);
    let mut unknown_role = good(&unique("bad-role"));
    unknown_role["spec"]["members"][0]["role"] = json!("superuser");
    let mut wrong_version = good(&unique("bad-version"));
    wrong_version["apiVersion"] = json!("ike.dev/v1");
    let mut wrong_kind = good(&unique("bad-kind"));
    wrong_kind["kind"] = json!("Tennant");
    let mut no_members = good(&unique("bad-members"));
    no_members["spec"]
        .as_object_mut()
        .unwrap()
        .remove("members");
    let mut members_not_a_list = good(&unique("bad-list"));
    members_not_a_list["spec"]["members"] = json!(owner);
    let wrong = refused(vec![
        (
            "unknown role",
            unknown_role,
            &[r#"Unsupported value: "superuser""#],
        ),
        (
            "wrong apiVersion",
            wrong_version,
            &[r#"no matches for kind "Tenant" in version "ike.dev/v1""#],
        ),
        (
            "wrong kind",
            wrong_kind,
            &[r#"no matches for kind "Tennant""#],
        ),
        (
            "no members",
            no_members,
            &[
                "spec.members: Required value",
                r#"missing required field "members""#,
            ],
        ),
        (
            "members not a list",
            members_not_a_list,
            &["spec.members: Invalid value", "spec.members"],
        ),
    ]);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn tenant_yaml_with_invalid_names_is_refused_and_creates_nothing() {
    let _shared = sharing_the_tenant_controller();
    let owner = account("badname-owner");
    let bad_tenant_name = tenant("Not_A_Name", &[(&owner, "owner")], &[]);
    let bad_namespace = unique("badname-ns");
    let bad_ns = tenant(
        &unique("badname-ns"),
        &[(&owner, "owner")],
        &["Not_A_Namespace", &bad_namespace],
    );
    let bad_account = tenant(
        &unique("badname-acct"),
        &[(&owner, "owner"), ("Not An Account!", "member")],
        &[],
    );
    let wrong = refused(vec![
        (
            "invalid tenant name",
            bad_tenant_name,
            &[r#"metadata.name: Invalid value: "Not_A_Name""#],
        ),
        (
            "invalid namespace name",
            bad_ns,
            &["'Not_A_Namespace' is not a valid namespace name"],
        ),
        (
            "invalid account name",
            bad_account,
            &["'Not An Account!' is not a valid account name"],
        ),
    ]);
    // Nothing created means no namespace either.
    let leaked = get(&["namespace", &bad_namespace]).is_some();
    if leaked {
        let _ = kubectl(&["delete", "namespace", &bad_namespace, "--wait=false"]);
    }
    assert!(
        wrong.is_empty() && !leaked,
        "namespace {bad_namespace} created: {leaked}\n{}",
        wrong.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 8. No-op reconciles write nothing
// ---------------------------------------------------------------------------------------------

/// (ike_reconcile_writes_total, ike_reconciles_total{result="ok"}) of the tenant controller.
fn tenant_counters() -> (u64, u64) {
    let (status, body) = controller_get("/metrics");
    assert_eq!(status, 200, "{body}");
    let value = |series: &str| -> u64 {
        body.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .map(|v| v.trim().parse::<f64>().unwrap() as u64)
            .unwrap_or(0)
    };
    (
        value(r#"ike_reconcile_writes_total{controller="tenant"}"#),
        value(r#"ike_reconciles_total{controller="tenant",result="ok"}"#),
    )
}

/// Waits until the tenant controller has been idle for 750 ms (other tests' leftovers).
fn wait_for_quiet() -> (u64, u64) {
    let mut last = tenant_counters();
    let mut since = Instant::now();
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let now = tenant_counters();
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= Duration::from_millis(750) {
            return now;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the tenant controller never went quiet"
        );
    }
}

/// Triggers a reconcile with `poke` and returns the (writes, ok reconciles) it added.
fn resync(poke: impl FnOnce()) -> (u64, u64) {
    let (writes, oks) = wait_for_quiet();
    poke();
    wait_for("a reconcile after the poke", Duration::from_secs(5), || {
        (tenant_counters().1 > oks).then_some(())
    });
    // Let it finish, and anything it would have triggered: until the controller is quiet again.
    let (w, o) = wait_for_quiet();
    (w - writes, o - oks)
}

#[test]
fn a_resync_that_changes_nothing_writes_nothing() {
    let _alone = the_tenant_controller_to_myself();
    let owner = account("noop-owner");
    let member = account("noop-member");
    let viewer = account("noop-viewer");
    let ns = unique("noop-ns");
    let full = Applied::new(tenant(
        &unique("noop"),
        &[(&owner, "owner"), (&member, "member"), (&viewer, "viewer")],
        &[&ns],
    ));
    let lone_ns = unique("noop-lone-ns");
    let lone = Applied::new(tenant(
        &unique("noop-lone"),
        &[(&owner, "owner")],
        &[&lone_ns],
    ));
    wait_ready(&full.name);
    wait_ready(&lone.name);
    let generation = get(&["tenant", &full.name]).unwrap()["metadata"]["generation"].clone();

    let annotate = |tenant: &str| {
        ok(kubectl(&[
            "annotate",
            "tenant",
            tenant,
            &format!("e2e.ike.dev/resync={}", unique("n")),
            "--overwrite",
        ]));
    };
    let mut wrote = Vec::new();
    for (what, (writes, reconciles)) in [
        (
            "annotating a Tenant with every role filled",
            resync(|| annotate(&full.name)),
        ),
        (
            "labelling its namespace (unrelated label)",
            resync(|| {
                ok(kubectl(&[
                    "label",
                    "namespace",
                    &ns,
                    &format!("e2e.ike.dev/unrelated={}", unique("n")),
                    "--overwrite",
                ]));
            }),
        ),
        (
            "annotating a Tenant with only an owner",
            resync(|| annotate(&lone.name)),
        ),
    ] {
        if writes > 0 {
            wrote.push(format!(
                "{what}: {writes} writes in {reconciles} successful reconciles"
            ));
        }
    }
    assert_eq!(
        get(&["tenant", &full.name]).unwrap()["metadata"]["generation"],
        generation,
        "an annotation changed the generation"
    );
    assert!(wrote.is_empty(), "{}", wrote.join("\n"));
}
