//! `ike tenant` and `ike ns` end to end: a platform admin and tenant owners, members and
//! viewers, each a real account with its own certificate, against the real control plane and
//! controller; kubectl as the cluster admin shows what really happened.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{DeletesTenant, User, admin, fails, ike, kubectl, ok, unique};

const LIMIT: Duration = Duration::from_secs(15);

/// Polls `probe` every 200 ms until it gives a value; panics after 15 s saying `what`.
fn wait_until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < LIMIT, "waited {LIMIT:?} for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A person whose account exists and who has logged in. Unlike `harness::enrolled` it waits
/// for what follows a watch: the first admin's cluster-admin binding (account create is
/// forbidden until the controller made it) and the account API's view of a new account (no
/// token until its store has the Account).
pub(crate) fn enrolled(prefix: &str) -> User {
    let user = User::new(&unique(prefix));
    let a = user.account.as_str();
    let token = wait_until(&format!("an enrollment token for {a}"), || {
        let out = admin().ike(&["account", "create", a, "-o", "json"]);
        let out = if out.status.success() {
            out
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("forbidden")
                    || err.contains("already exists")
                    || err.contains("create the Account first"),
                "{err}"
            );
            admin().ike(&["account", "token", a, "-o", "json"])
        };
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        v["token"].as_str().map(String::from)
    });
    ok(user.login(&token, &[]));
    user
}

/// `kubectl get KIND NAME -o json` as the cluster admin; `None` when it does not exist.
fn get(kind: &str, name: &str) -> Option<Value> {
    let out = kubectl(&["get", kind, name, "-o", "json"]);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("NotFound"), "kubectl get {kind} {name}: {err}");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The error `ike` printed: exactly one line starting with `error: `.
fn one_line_error(output: Output) -> String {
    let err = fails(output);
    assert!(
        err.starts_with("error: ") && err.trim_end().lines().count() == 1,
        "not a one-line error: {err:?}"
    );
    err.trim_end().trim_start_matches("error: ").to_string()
}

/// The members of a tenant as kubectl sees them: (account, role), in spec order.
fn members(tenant: &str) -> Vec<(String, String)> {
    let t = get("tenant", tenant).expect("the tenant exists");
    t["spec"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn listed_namespaces(tenant: &str) -> Vec<String> {
    let t = get("tenant", tenant).expect("the tenant exists");
    serde_json::from_value(t["spec"]["namespaces"].clone()).unwrap_or_default()
}

fn tenant_label(ns: &Value) -> Option<&str> {
    ns["metadata"]["labels"]["ike.dev/tenant"].as_str()
}

/// Waits until namespace `ns` is gone or being deleted; panics with what it is instead.
fn wait_namespace_deleted(ns: &str) {
    let start = Instant::now();
    loop {
        let n = match get("namespace", ns) {
            None => return,
            Some(n) if n["metadata"]["deletionTimestamp"].is_string() => return,
            Some(n) => n,
        };
        assert!(
            start.elapsed() < LIMIT,
            "namespace {ns} is not deleted after {LIMIT:?}; its labels: {}",
            n["metadata"]["labels"]
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Names of the tenants in `ike tenant list -o json`.
fn tenant_names(list_json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(list_json).unwrap_or_else(|e| panic!("{e}: {list_json}"));
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// A tenant the admin created with `ike tenant create`: owner, member and viewer, one
/// namespace. Deleted (with its namespaces) when dropped.
struct Team {
    name: String,
    ns: String,
    owner: User,
    member: User,
    viewer: User,
    _deleted: DeletesTenant,
}

impl Team {
    fn new(prefix: &str, extra: &[&str]) -> Self {
        let (owner, member, viewer) = (
            enrolled(&format!("{prefix}-own")),
            enrolled(&format!("{prefix}-mem")),
            enrolled(&format!("{prefix}-view")),
        );
        let name = unique(prefix);
        let ns = unique(&format!("{prefix}-ns"));
        let mut args = vec![
            "tenant",
            "create",
            &name,
            "--owner",
            &owner.account,
            "--member",
            &member.account,
            "--viewer",
            &viewer.account,
            "--namespace",
            &ns,
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = ok(admin().ike(&args));
        let created: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        let ready = created["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "Ready")
            .unwrap()
            .clone();
        assert_eq!(ready["status"], "True", "{created}");
        assert_eq!(
            ready["observedGeneration"],
            created["metadata"]["generation"]
        );
        Self {
            _deleted: DeletesTenant(name.clone()),
            name,
            ns,
            owner,
            member,
            viewer,
        }
    }
}

#[test]
fn an_admin_creates_a_ready_tenant_whose_namespace_kubectl_shows_labelled() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-ready", &["--description", "the web shop"]);
    let ns = get("namespace", &team.ns).expect("the controller created the namespace");
    assert_eq!(tenant_label(&ns), Some(team.name.as_str()));
    assert_eq!(
        members(&team.name),
        [
            (team.owner.account.clone(), "owner".into()),
            (team.member.account.clone(), "member".into()),
            (team.viewer.account.clone(), "viewer".into()),
        ]
    );
    // Fields ike did not set are not in the object (nothing server-side to fight over).
    let t = get("tenant", &team.name).unwrap();
    assert_eq!(t["spec"]["description"], "the web shop");
    assert!(t["spec"].get("nodeSelector").is_none(), "{t}");

    // Everyone in the tenant can read it; the table is for people.
    for user in [&team.owner, &team.member, &team.viewer] {
        let shown = ok(user.ike(&["tenant", "show", &team.name]));
        assert!(
            shown.starts_with(&format!("Tenant:          {}\n", team.name)),
            "{shown}"
        );
        let rows: Vec<Vec<&str>> = shown
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        for want in [
            vec![
                "Ready:",
                "True",
                "(Ready):",
                "1",
                "namespaces,",
                "3",
                "members",
            ],
            vec![team.owner.account.as_str(), "owner"],
            vec![team.member.account.as_str(), "member"],
            vec![team.viewer.account.as_str(), "viewer"],
            vec!["NAMESPACE", "LISTED", "HELD"],
            vec![team.ns.as_str(), "yes", "yes"],
            vec!["Node", "selector:"],
            vec!["(none)"],
            vec!["TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"],
        ] {
            assert!(rows.contains(&want), "no {want:?} in\n{shown}");
        }
        let yaml = ok(user.ike(&["tenant", "show", &team.name, "-o", "yaml"]));
        assert!(
            yaml.starts_with("apiVersion: ike.dev/v1alpha1\nkind: Tenant\n"),
            "{yaml}"
        );
    }
}

#[test]
fn an_owner_lists_only_their_own_tenants_and_an_admin_lists_them_all() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-list", &[]);
    let other = Team::new("tc-other", &[]);
    // The account API learns memberships from the Account's status, which follows the Tenant.
    let mine = wait_until("the owner's tenant list to show the tenant", || {
        let names = tenant_names(&ok(team.owner.ike(&["tenant", "list", "-o", "json"])));
        (!names.is_empty()).then_some(names)
    });
    assert_eq!(mine, std::slice::from_ref(&team.name));
    let table = ok(team.owner.ike(&["tenant", "list"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "ROLE", "NAMESPACES", "MEMBERS", "READY", "REASON"]
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        row,
        [
            team.name.as_str(),
            "owner",
            team.ns.as_str(),
            "3",
            "True",
            "Ready"
        ]
    );
    let viewer = wait_until("the viewer's tenant list to show the tenant", || {
        let table = ok(team.viewer.ike(&["tenant", "list"]));
        table.contains(&team.name).then_some(table)
    });
    assert!(viewer.contains(" viewer "), "{viewer}");
    assert!(!viewer.contains(&other.name), "{viewer}");

    let all = tenant_names(&ok(admin().ike(&["tenant", "list", "-o", "json"])));
    assert!(
        all.contains(&team.name) && all.contains(&other.name),
        "{all:?}"
    );
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
}

#[test]
fn an_owner_adds_and_removes_members_and_others_are_refused_in_one_line() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-members", &[]);
    let extra = enrolled("tc-extra");
    let t = team.name.as_str();
    ok(team.owner.ike(&[
        "tenant",
        "add-member",
        t,
        &extra.account,
        "--role",
        "viewer",
    ]));
    assert!(members(t).contains(&(extra.account.clone(), "viewer".into())));
    // Adding again with another role changes the role; nobody is listed twice.
    ok(team.owner.ike(&["tenant", "add-member", t, &extra.account]));
    let now = members(t);
    assert_eq!(
        now.iter().filter(|(a, _)| *a == extra.account).count(),
        1,
        "{now:?}"
    );
    assert!(now.contains(&(extra.account.clone(), "member".into())));
    // The new member really gets the role the controller binds.
    wait_until("the added member to edit in the namespace", || {
        let out = extra.kubectl(&["auth", "can-i", "create", "configmaps", "-n", &team.ns]);
        (String::from_utf8_lossy(&out.stdout).trim() == "yes").then_some(())
    });

    for user in [&team.member, &team.viewer, &extra] {
        let err = one_line_error(user.ike(&[
            "tenant",
            "add-member",
            t,
            &user.account,
            "--role",
            "owner",
        ]));
        assert_eq!(
            err,
            format!("only an owner of tenant {t} can change its members")
        );
        let err = one_line_error(user.ike(&["tenant", "remove-member", t, &team.viewer.account]));
        assert_eq!(
            err,
            format!("only an owner of tenant {t} can change its members")
        );
    }
    // An account outside the tenant is refused the same way.
    let stranger = enrolled("tc-stranger");
    let err = one_line_error(stranger.ike(&["tenant", "add-member", t, &stranger.account]));
    assert_eq!(
        err,
        format!("only an owner of tenant {t} can change its members")
    );
    assert_eq!(members(t).len(), 4);

    // A mistyped account is refused before anything is written, with the command that makes
    // it (owners may not read Accounts: the account API answers whether it exists); so is a
    // disabled one.
    let generation = |t: &str| get("tenant", t).unwrap()["metadata"]["generation"].clone();
    let before = generation(t);
    // Disabled first: the account API's watch has seen it by the time it is asked (the
    // unknown account below takes the API's catch-up second).
    let off = enrolled("tc-disabled");
    ok(admin().ike(&["account", "disable", &off.account]));
    let typo = unique("tc-no-such-account");
    let err = one_line_error(team.owner.ike(&["tenant", "add-member", t, &typo]));
    assert_eq!(
        err,
        format!(
            "there is no account {typo}: a platform admin creates it first with 'ike account create {typo} --display-name NAME --email EMAIL'"
        )
    );
    let err = one_line_error(team.owner.ike(&["tenant", "add-member", t, &off.account]));
    assert_eq!(
        err,
        format!(
            "account {0} is disabled: a platform admin enables it again with 'ike account enable {0}'",
            off.account
        )
    );
    assert_eq!(members(t).len(), 4);
    assert_eq!(
        generation(t),
        before,
        "a refused add-member wrote the tenant"
    );

    ok(team
        .owner
        .ike(&["tenant", "remove-member", t, &extra.account]));
    assert!(!members(t).iter().any(|(a, _)| *a == extra.account));
    let err = one_line_error(
        team.owner
            .ike(&["tenant", "remove-member", t, &team.owner.account]),
    );
    assert!(
        err.starts_with(&format!(
            "{} is the last owner of tenant {t}",
            team.owner.account
        )),
        "{err}"
    );
    let err = one_line_error(team.owner.ike(&[
        "tenant",
        "add-member",
        t,
        &team.owner.account,
        "--role",
        "viewer",
    ]));
    assert!(err.contains("is the last owner"), "{err}");
    assert_eq!(members(t).len(), 3);
}

#[test]
fn an_owner_creates_lists_and_deletes_namespaces_and_a_member_may_not() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-ns", &[]);
    let t = team.name.as_str();
    let ns2 = unique("tc-ns2");
    ok(team.owner.ike(&["ns", "create", &ns2, "--tenant", t]));
    // Created means held: the namespace is there, labelled, when the command returns.
    let n = get("namespace", &ns2).expect("ike ns create waited for the namespace");
    assert_eq!(tenant_label(&n), Some(t));

    let list = wait_until("the owner's ns list to show both namespaces", || {
        let list = ok(team.owner.ike(&["ns", "list"]));
        (list.contains(&team.ns) && list.contains(&ns2)).then_some(list)
    });
    let lines: Vec<Vec<&str>> = list
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["NAMESPACE", "TENANT", "ROLE", "READY"]);
    assert!(
        lines.contains(&vec![ns2.as_str(), t, "owner", "True"]),
        "{list}"
    );
    let json: Value = serde_json::from_str(&ok(team
        .member
        .ike(&["ns", "list", "--tenant", t, "-o", "json"])))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2, "{json}");
    assert_eq!(json[0]["role"], "member");

    // What the Tenant webhook refuses is said as it is, not as a missing permission.
    let err = one_line_error(
        team.owner
            .ike(&["ns", "create", "kube-system", "--tenant", t]),
    );
    assert!(
        err.starts_with(&format!("tenant {t} refused the change: "))
            && err.ends_with("namespace kube-system is reserved for the platform"),
        "{err}"
    );

    let ns3 = unique("tc-ns3");
    let err = one_line_error(team.member.ike(&["ns", "create", &ns3, "--tenant", t]));
    assert_eq!(
        err,
        format!("only an owner of tenant {t} can change its namespaces")
    );
    assert!(get("namespace", &ns3).is_none());

    let err = one_line_error(team.owner.ike(&["ns", "delete", &ns2]));
    assert_eq!(
        err,
        format!("deleting namespace {ns2} needs confirmation: pass --yes")
    );
    assert!(listed_namespaces(t).contains(&ns2));
    let err = one_line_error(team.member.ike(&["ns", "delete", &ns2, "--yes"]));
    assert_eq!(
        err,
        format!("only an owner of tenant {t} can change its namespaces")
    );

    let out = team.owner.ike(&["ns", "delete", &ns2, "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(
        said.contains(&format!(
            "Namespace {ns2} and everything in it will be deleted."
        )),
        "{said}"
    );
    assert_eq!(listed_namespaces(t), std::slice::from_ref(&team.ns));
}

#[test]
fn a_namespace_dropped_from_a_tenant_is_deleted_unless_the_tenant_keeps_its_namespaces() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-drop", &[]);
    ok(team
        .owner
        .ike(&["ns", "delete", &team.ns, "--tenant", &team.name, "--yes"]));
    wait_namespace_deleted(&team.ns);

    let keeper = Team::new("tc-keepdrop", &["--keep-namespaces"]);
    let out = keeper.owner.ike(&[
        "ns",
        "delete",
        &keeper.ns,
        "--tenant",
        &keeper.name,
        "--yes",
    ]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(said.contains("is kept"), "{said}");
    let kept = wait_until("the dropped namespace to lose the tenant label", || {
        let n = get("namespace", &keeper.ns).expect("a kept namespace stays");
        tenant_label(&n).is_none().then_some(n)
    });
    assert!(kept["metadata"]["deletionTimestamp"].is_null(), "{kept}");
    let _ = kubectl(&["delete", "namespace", &keeper.ns, "--wait=false"]);
}

#[test]
fn ns_create_of_a_namespace_someone_else_has_fails_and_leaves_the_tenant_as_it_was() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let team = Team::new("tc-taken", &[]);
    let taken = unique("tc-taken-ns");
    ok(kubectl(&["create", "namespace", &taken]));
    let err = one_line_error(
        team.owner
            .ike(&["ns", "create", &taken, "--tenant", &team.name]),
    );
    // Refused before anything is written: the Tenant webhook does not let an owner list an
    // existing namespace that is not the tenant's.
    assert!(
        err.contains(&format!(
            "namespace {taken} exists and is not this tenant's"
        )),
        "{err}"
    );
    assert_eq!(
        listed_namespaces(&team.name),
        std::slice::from_ref(&team.ns)
    );
    let n = get("namespace", &taken).unwrap();
    assert_eq!(tenant_label(&n), None);
    // The tenant is ready again once the conflicting name is off its list.
    wait_until("the tenant to be ready again", || {
        let out = ok(admin().ike(&["tenant", "show", &team.name, "-o", "json"]));
        let t: Value = serde_json::from_str(&out).unwrap();
        (t["status"]["conditions"][0]["status"] == "True").then_some(())
    });
    let _ = kubectl(&["delete", "namespace", &taken, "--wait=false"]);
}

#[test]
fn tenant_create_with_a_taken_namespace_says_namespace_conflict_and_exits_5_not_ready() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let owner = enrolled("tc-conf-own");
    let taken = unique("tc-conf-ns");
    ok(kubectl(&["create", "namespace", &taken]));
    let name = unique("tc-conf");
    let out = admin().ike(&[
        "tenant",
        "create",
        &name,
        "--owner",
        &owner.account,
        "--namespace",
        &taken,
    ]);
    // Created but not ready: not an error (1) but "not done" (5), so a script can tell them
    // apart.
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let err = one_line_error(out);
    assert!(
        err.starts_with(&format!(
            "tenant {name} was created but is not ready (NamespaceConflict): namespaces {taken} exist"
        )),
        "{err}"
    );
    let n = get("namespace", &taken).unwrap();
    assert_eq!(tenant_label(&n), None);
    let _ = kubectl(&["delete", "tenant", &name, "--wait=false"]);
    let _ = kubectl(&["delete", "namespace", &taken, "--wait=false"]);
}

#[test]
fn dry_runs_print_what_would_change_and_change_nothing() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    // Offline: a person with no kubeconfig at all gets the exact object for Git.
    let nobody = User::new("nobody");
    let name = unique("tc-dry");
    let out = ok(nobody.ike(&[
        "tenant",
        "create",
        &name,
        "--owner",
        "alice",
        "--viewer",
        "bob",
        "--namespace",
        "web",
        "--node-selector",
        "pool=gpu",
        "--dry-run",
        "-o",
        "yaml",
    ]));
    assert_eq!(
        out,
        format!(
            "apiVersion: ike.dev/v1alpha1\nkind: Tenant\nmetadata:\n  name: {name}\nspec:\n  members:\n  - account: alice\n    role: owner\n  - account: bob\n    role: viewer\n  namespaces:\n  - web\n  nodeSelector:\n    pool: gpu\n  keepNamespaces: false\n"
        )
    );
    // kubectl takes it as it is (server-side dry run), so it can go into Git.
    let file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    std::fs::write(file.path(), &out).unwrap();
    ok(kubectl(&[
        "apply",
        "--dry-run=server",
        "-f",
        file.path().to_str().unwrap(),
    ]));
    // Without --owner the caller is the owner, which needs the account API but no write.
    let me = enrolled("tc-dry-me");
    let out = ok(me.ike(&["tenant", "create", &name, "--dry-run", "-o", "json"]));
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["spec"]["members"][0]["account"], me.account.as_str());
    assert_eq!(t["spec"]["members"][0]["role"], "owner");
    assert!(get("tenant", &name).is_none());

    // Changes to an existing tenant go to the server as dry runs.
    let team = Team::new("tc-dryteam", &[]);
    let t = team.name.as_str();
    let before = get("tenant", t).unwrap();
    let extra = enrolled("tc-dry-extra");
    let new_ns = unique("tc-dry-ns");
    ok(team
        .owner
        .ike(&["tenant", "add-member", t, &extra.account, "--dry-run"]));
    ok(team.owner.ike(&[
        "tenant",
        "remove-member",
        t,
        &team.viewer.account,
        "--dry-run",
    ]));
    ok(team
        .owner
        .ike(&["ns", "create", &new_ns, "--tenant", t, "--dry-run"]));
    ok(team.owner.ike(&[
        "ns",
        "delete",
        &team.ns,
        "--tenant",
        t,
        "--yes",
        "--dry-run",
    ]));
    ok(admin().ike(&[
        "tenant",
        "delete",
        t,
        "--keep-namespaces",
        "--yes",
        "--dry-run",
    ]));
    let after = get("tenant", t).expect("a dry-run delete deletes nothing");
    assert_eq!(before["spec"], after["spec"]);
    assert_eq!(
        before["metadata"]["resourceVersion"],
        after["metadata"]["resourceVersion"]
    );
    assert!(after["metadata"]["deletionTimestamp"].is_null());
    assert!(get("namespace", &new_ns).is_none());
    assert_eq!(tenant_label(&get("namespace", &team.ns).unwrap()), Some(t));
}

#[test]
fn bad_input_gets_one_clear_line_and_creates_nothing() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let owner = enrolled("tc-bad-own");
    let o = owner.account.as_str();
    let name = unique("tc-bad");
    let n = name.as_str();
    for (args, want) in [
        (
            vec!["tenant", "create", "Bad_Name", "--owner", o],
            "'Bad_Name' is not a valid tenant name".to_string(),
        ),
        (
            vec!["tenant", "create", n, "--owner", o, "--namespace", "a.b"],
            "'a.b' is not a valid namespace name".into(),
        ),
        (
            vec!["tenant", "create", n, "--owner", "Alice"],
            "'Alice' is not a valid account name".into(),
        ),
        (
            vec![
                "tenant",
                "create",
                n,
                "--owner",
                o,
                "--node-selector",
                "gpu",
            ],
            "'gpu' is not a node selector: write KEY=VALUE, e.g. pool=gpu".into(),
        ),
        (
            vec![
                "tenant",
                "create",
                n,
                "--owner",
                o,
                "--node-selector",
                "pool=a b",
            ],
            "'a b' is not a valid node label value".into(),
        ),
        (
            vec![
                "tenant",
                "create",
                n,
                "--owner",
                o,
                "-n",
                "x",
                "--namespace",
                "x",
            ],
            "namespace x is given twice".into(),
        ),
        (
            vec!["ns", "create", "Web", "--tenant", n],
            "'Web' is not a valid namespace name".into(),
        ),
    ] {
        let err = one_line_error(admin().ike(&args));
        assert!(err.starts_with(&want), "{args:?}: {err}");
    }
    // An owner that is no account: refused before the tenant is written.
    let nobody = unique("tc-nobody");
    let err = one_line_error(admin().ike(&["tenant", "create", n, "--owner", &nobody]));
    assert!(
        err.starts_with(&format!("there is no account {nobody}: ")),
        "{err}"
    );
    assert!(get("tenant", n).is_none());
    // No owner: the cluster admin's kubeconfig is no ike account, so nobody would own it.
    let err = one_line_error(ike(&["tenant", "create", n]));
    assert!(
        err.starts_with(&format!("tenant {n} needs an owner: pass --owner ACCOUNT")),
        "{err}"
    );
    // An unknown role is a usage error, refused before anything runs.
    let out = admin().ike(&["tenant", "add-member", n, o, "--role", "boss"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'boss' for '--role <ROLE>'")
            && err.contains("[possible values: owner, member, viewer]"),
        "{err}"
    );
    assert!(get("tenant", n).is_none());
    assert!(get("namespace", "x").is_none());

    // Without self-service only platform admins create tenants.
    let err = one_line_error(owner.ike(&["tenant", "create", n]));
    assert!(
        err.starts_with("your account may not create tenants on this site: "),
        "{err}"
    );
    assert!(get("tenant", n).is_none());

    // Deleting without a terminal needs --yes, and nothing is deleted without it.
    let team = Team::new("tc-bad-team", &[]);
    let err = one_line_error(admin().ike(&["tenant", "delete", &team.name]));
    assert_eq!(
        err,
        format!(
            "deleting tenant {} needs confirmation: pass --yes",
            team.name
        )
    );
    assert!(get("tenant", &team.name).is_some());
    // Owners may change their tenant but not delete it; a refused delete changes nothing, not
    // even keepNamespaces.
    let err = one_line_error(team.owner.ike(&[
        "tenant",
        "delete",
        &team.name,
        "--keep-namespaces",
        "--yes",
    ]));
    assert!(err.contains("forbidden"), "{err}");
    let t = get("tenant", &team.name).unwrap();
    assert_eq!(t["spec"]["keepNamespaces"], false, "{t}");
    assert!(t["metadata"]["deletionTimestamp"].is_null(), "{t}");
}

#[test]
fn deleting_a_tenant_deletes_its_namespaces_unless_asked_to_keep_them() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let gone = Team::new("tc-del", &[]);
    let out = admin().ike(&["tenant", "delete", &gone.name, "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(
        said.contains(&format!(
            "Its namespaces {} will be deleted with everything in them.",
            gone.ns
        )),
        "{said}"
    );
    wait_namespace_deleted(&gone.ns);
    wait_until("the tenant to be gone", || {
        get("tenant", &gone.name).is_none().then_some(())
    });

    let kept = Team::new("tc-keep", &[]);
    let out = admin().ike(&["tenant", "delete", &kept.name, "--keep-namespaces", "--yes"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(
        said.contains(&format!("Its namespaces {} are kept", kept.ns)),
        "{said}"
    );
    wait_until("the tenant to be gone", || {
        get("tenant", &kept.name).is_none().then_some(())
    });
    let ns = get("namespace", &kept.ns).expect("the namespace is kept");
    assert!(ns["metadata"]["deletionTimestamp"].is_null(), "{ns}");
    assert_eq!(tenant_label(&ns), None, "{ns}");
    let _ = kubectl(&["delete", "namespace", &kept.ns, "--wait=false"]);
}
