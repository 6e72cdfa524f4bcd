//! What a Tenant wants, as pure functions of the Tenant and the Accounts: namespaces, role
//! bindings, access to the Tenant object, and its Ready condition. The reconciler compares these
//! with what exists and writes only the difference.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector, Time};
use kube::api::ObjectMeta;
use kube::{Resource, ResourceExt};

use crate::api::consts::{
    API_GROUP, ISOLATED_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, NODE_SELECTOR_ANNOTATION,
    POD_SECURITY_LABELS, TENANT_LABEL,
};
use crate::api::request::AGGREGATE_LABEL;
use crate::api::{Account, Role, Tenant, tenant_role_name};
pub use crate::api::{REQUESTED_LEVELS, binding_name, own_binding_names, requested_binding_name};

/// The ClusterRole a tenant role gets in each of the tenant's namespaces.
pub fn cluster_role_for(role: Role) -> &'static str {
    match role {
        Role::Owner => "admin",
        Role::Member => "edit",
        Role::Viewer => "view",
    }
}

/// The labels of everything the controller makes for `tenant`.
pub fn labels(tenant: &str) -> BTreeMap<String, String> {
    [
        (TENANT_LABEL.to_string(), tenant.to_string()),
        (MANAGED_BY_LABEL.to_string(), MANAGED_BY_VALUE.to_string()),
    ]
    .into()
}

/// A RoleBinding subject naming account `name` as a user.
pub fn user(name: &str) -> Subject {
    Subject {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: "User".into(),
        name: name.to_string(),
        namespace: None,
    }
}

/// The accounts that hold each role: members whose Account exists and is enabled, sorted.
pub fn active_members(
    tenant: &Tenant,
    account: impl Fn(&str) -> Option<Arc<Account>>,
) -> (BTreeMap<Role, Vec<String>>, Vec<String>) {
    let mut by_role: BTreeMap<Role, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for m in &tenant.spec.members {
        match account(&m.account) {
            None => unknown.push(m.account.clone()),
            Some(a) if a.spec.disabled || a.metadata.deletion_timestamp.is_some() => {}
            Some(_) => by_role.entry(m.role).or_default().push(m.account.clone()),
        }
    }
    for accounts in by_role.values_mut() {
        accounts.sort();
        accounts.dedup();
    }
    unknown.sort();
    unknown.dedup();
    (by_role, unknown)
}

/// The namespace object a tenant wants.
pub fn desired_namespace(tenant: &Tenant, name: &str) -> Namespace {
    let mut labels = labels(&tenant.name_any());
    labels.insert(ISOLATED_LABEL.to_string(), "true".to_string());
    for (k, v) in POD_SECURITY_LABELS {
        labels.insert(k.to_string(), v.to_string());
    }
    let annotations = tenant.spec.node_selector.as_ref().map(|sel| {
        let value = sel
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        BTreeMap::from([(NODE_SELECTOR_ANNOTATION.to_string(), value)])
    });
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            annotations,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The RoleBindings a tenant wants in one namespace: one per role, naming its active accounts.
pub fn desired_bindings(
    tenant: &Tenant,
    namespace: &str,
    members: &BTreeMap<Role, Vec<String>>,
) -> Vec<RoleBinding> {
    [Role::Owner, Role::Member, Role::Viewer]
        .into_iter()
        .map(|role| {
            let accounts = members.get(&role).into_iter().flatten();
            binding(
                tenant,
                namespace,
                binding_name(role),
                cluster_role_for(role),
                accounts,
            )
        })
        .collect()
}

/// RoleBinding `name` of `tenant` in `namespace`: ClusterRole `cluster_role` to `accounts`.
fn binding<'a>(
    tenant: &Tenant,
    namespace: &str,
    name: impl Into<String>,
    cluster_role: impl Into<String>,
    accounts: impl IntoIterator<Item = &'a String>,
) -> RoleBinding {
    RoleBinding {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.to_string()),
            labels: Some(labels(&tenant.name_any())),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: cluster_role.into(),
        },
        subjects: Some(accounts.into_iter().map(|a| user(a)).collect()),
    }
}

/// The per-tenant ClusterRoles and bindings: every member may read the Tenant object; owners
/// may also change it (members, namespaces).
pub fn desired_access(
    tenant: &Tenant,
    members: &BTreeMap<Role, Vec<String>>,
) -> Vec<(ClusterRole, ClusterRoleBinding)> {
    let name = tenant.name_any();
    let owner_ref = tenant.controller_owner_ref(&()).map(|o| vec![o]);
    let rule = |verbs: &[&str]| PolicyRule {
        api_groups: Some(vec![API_GROUP.into()]),
        resources: Some(vec!["tenants".into()]),
        resource_names: Some(vec![name.clone()]),
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    };
    let all: Vec<String> = members
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let owners = members.get(&Role::Owner).cloned().unwrap_or_default();
    [
        (
            tenant_role_name(&name, "reader"),
            rule(&["get", "watch"]),
            all,
        ),
        (
            tenant_role_name(&name, "owner"),
            rule(&["get", "watch", "update", "patch"]),
            owners,
        ),
    ]
    .into_iter()
    .map(|(role_name, rule, subjects)| {
        let meta = ObjectMeta {
            name: Some(role_name.clone()),
            labels: Some(labels(&name)),
            owner_references: owner_ref.clone(),
            ..Default::default()
        };
        (
            ClusterRole {
                metadata: meta.clone(),
                rules: Some(vec![rule]),
                ..Default::default()
            },
            ClusterRoleBinding {
                metadata: meta,
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role_name,
                },
                subjects: Some(subjects.iter().map(|s| user(s)).collect()),
            },
        )
    })
    .collect()
}

/// The name of a tenant's aggregated ClusterRole of requested resources at `level`.
pub fn requested_role_name(tenant: &str, level: &str) -> String {
    tenant_role_name(tenant, &format!("requested-{level}"))
}

/// The tenant's aggregated ClusterRoles of requested resources: they take in the ClusterRoles
/// the request controller makes for each CRD approved for this tenant (labelled with the tenant
/// and `ike.dev/aggregate-to`), and nothing else; made only once a CRD is approved
/// ([`super::requested`]). Their rules are the aggregation controller's to write, so none are
/// set here.
pub fn desired_requested_roles(tenant: &Tenant) -> Vec<ClusterRole> {
    let name = tenant.name_any();
    let selector = |level: &str| LabelSelector {
        match_labels: Some(
            [
                (TENANT_LABEL.to_string(), name.clone()),
                (AGGREGATE_LABEL.to_string(), level.to_string()),
            ]
            .into(),
        ),
        match_expressions: None,
    };
    REQUESTED_LEVELS
        .iter()
        .map(|(level, _)| {
            let levels: &[&str] = if *level == "edit" {
                &["edit", "view"]
            } else {
                &["view"]
            };
            ClusterRole {
                metadata: ObjectMeta {
                    name: Some(requested_role_name(&name, level)),
                    labels: Some(labels(&name)),
                    owner_references: tenant.controller_owner_ref(&()).map(|o| vec![o]),
                    ..Default::default()
                },
                aggregation_rule: Some(AggregationRule {
                    cluster_role_selectors: Some(levels.iter().map(|l| selector(l)).collect()),
                }),
                rules: None,
            }
        })
        .collect()
}

/// The RoleBindings of requested resources in one namespace: owners and members to the
/// tenant's `requested-edit`, viewers to its `requested-view`.
pub fn desired_requested_bindings(
    tenant: &Tenant,
    namespace: &str,
    members: &BTreeMap<Role, Vec<String>>,
) -> Vec<RoleBinding> {
    REQUESTED_LEVELS
        .iter()
        .map(|(level, roles)| {
            let accounts: BTreeSet<&String> = roles
                .iter()
                .flat_map(|r| members.get(r).into_iter().flatten())
                .collect();
            binding(
                tenant,
                namespace,
                requested_binding_name(level),
                requested_role_name(&tenant.name_any(), level),
                accounts,
            )
        })
        .collect()
}

/// Subjects as the API server stores them: it omits an empty list.
pub fn same_subjects(have: &Option<Vec<Subject>>, want: &Option<Vec<Subject>>) -> bool {
    have.as_deref().unwrap_or_default() == want.as_deref().unwrap_or_default()
}

/// Whether `have` holds every label of `want`.
pub fn labels_contain(
    have: &Option<BTreeMap<String, String>>,
    want: &Option<BTreeMap<String, String>>,
) -> bool {
    let have = have.clone().unwrap_or_default();
    want.iter().flatten().all(|(k, v)| have.get(k) == Some(v))
}

/// The Ready condition; its transition time stays when nothing about it changed.
pub fn ready_condition(
    status: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
    previous: &[Condition],
) -> Condition {
    let status = if status { "True" } else { "False" }.to_string();
    let last = previous.iter().find(|c| c.type_ == "Ready");
    let unchanged =
        last.is_some_and(|c| c.status == status && c.reason == reason && c.message == message);
    Condition {
        type_: "Ready".into(),
        status,
        reason: reason.into(),
        message,
        observed_generation: generation,
        last_transition_time: match (unchanged, last) {
            (true, Some(c)) => c.last_transition_time.clone(),
            _ => Time(k8s_openapi::jiff::Timestamp::now()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fixtures::{account, tenant};

    fn members(t: &Tenant, accounts: &[Account]) -> (BTreeMap<Role, Vec<String>>, Vec<String>) {
        active_members(t, |name| {
            accounts
                .iter()
                .find(|a| a.name_any() == name)
                .cloned()
                .map(Arc::new)
        })
    }

    #[test]
    fn only_existing_enabled_accounts_get_a_role_and_unknown_ones_are_named() {
        let t = tenant(
            "t",
            &[
                ("alice", Role::Owner),
                ("bob", Role::Member),
                ("bob", Role::Member),
                ("carol", Role::Viewer),
                ("dave", Role::Member),
                ("ghost", Role::Viewer),
            ],
            &[],
        );
        let mut deleted = account("dave", false, false);
        deleted.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::now()));
        let accounts = [
            account("alice", false, false),
            account("bob", false, false),
            account("carol", false, true),
            deleted,
        ];
        let (by_role, unknown) = members(&t, &accounts);
        assert_eq!(
            by_role,
            BTreeMap::from([
                (Role::Owner, vec!["alice".to_string()]),
                (Role::Member, vec!["bob".to_string()]),
            ])
        );
        assert_eq!(unknown, ["ghost"]);
    }

    #[test]
    fn a_namespace_is_labelled_isolated_and_carries_the_dedicated_nodes() {
        let mut t = tenant("team", &[("alice", Role::Owner)], &["team-a"]);
        let ns = desired_namespace(&t, "team-a");
        let labels = ns.metadata.labels.unwrap();
        assert_eq!(labels[TENANT_LABEL], "team");
        assert_eq!(labels[ISOLATED_LABEL], "true");
        assert_eq!(labels[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
        for (k, v) in POD_SECURITY_LABELS {
            assert_eq!(labels[k], v);
        }
        assert!(ns.metadata.annotations.is_none());

        t.spec.node_selector = Some(BTreeMap::from([
            ("pool".to_string(), "gpu".to_string()),
            ("ike.dev/zone".to_string(), "b".to_string()),
        ]));
        let ns = desired_namespace(&t, "team-a");
        assert_eq!(
            ns.metadata.annotations.unwrap()[NODE_SELECTOR_ANNOTATION],
            "ike.dev/zone=b,pool=gpu"
        );
    }

    #[test]
    fn each_role_is_one_binding_naming_its_accounts_as_users() {
        let t = tenant("team", &[], &[]);
        let by_role = BTreeMap::from([
            (Role::Owner, vec!["alice".to_string()]),
            (Role::Viewer, vec!["carol".to_string(), "dan".to_string()]),
        ]);
        let bindings = desired_bindings(&t, "team-a", &by_role);
        type Summary = (String, String, Vec<(String, String)>);
        let summary: Vec<Summary> = bindings
            .iter()
            .map(|b| {
                assert_eq!(b.metadata.namespace.as_deref(), Some("team-a"));
                assert_eq!(b.metadata.labels.as_ref().unwrap()[TENANT_LABEL], "team");
                (
                    b.metadata.name.clone().unwrap(),
                    b.role_ref.name.clone(),
                    b.subjects
                        .iter()
                        .flatten()
                        .map(|s| (s.kind.clone(), s.name.clone()))
                        .collect(),
                )
            })
            .collect();
        let user = |n: &str| ("User".to_string(), n.to_string());
        assert_eq!(
            summary,
            [
                (
                    "ike:tenant:owner".into(),
                    "admin".into(),
                    vec![user("alice")]
                ),
                ("ike:tenant:member".into(), "edit".into(), vec![]),
                (
                    "ike:tenant:viewer".into(),
                    "view".into(),
                    vec![user("carol"), user("dan")]
                ),
            ]
        );
    }

    #[test]
    fn members_may_read_their_tenant_and_only_owners_change_it() {
        let t = tenant("team", &[], &[]);
        let by_role = BTreeMap::from([
            (Role::Owner, vec!["alice".to_string()]),
            (Role::Member, vec!["bob".to_string()]),
        ]);
        let access = desired_access(&t, &by_role);
        assert_eq!(access.len(), 2);
        for (role, binding) in &access {
            let rule = &role.rules.as_ref().unwrap()[0];
            assert_eq!(
                rule.resource_names.as_deref(),
                Some(&["team".to_string()][..])
            );
            assert_eq!(
                rule.resources.as_deref(),
                Some(&["tenants".to_string()][..])
            );
            let owner = role.metadata.owner_references.as_ref().unwrap();
            assert_eq!(owner[0].uid, "uid-team", "deleted with the tenant");
            assert_eq!(binding.role_ref.name, role.metadata.name.clone().unwrap());
        }
        let (reader, readers) = &access[0];
        assert_eq!(reader.rules.as_ref().unwrap()[0].verbs, ["get", "watch"]);
        let names: Vec<&str> = readers
            .subjects
            .iter()
            .flatten()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["alice", "bob"]);
        let (owner, owners) = &access[1];
        assert_eq!(
            owner.rules.as_ref().unwrap()[0].verbs,
            ["get", "watch", "update", "patch"]
        );
        assert_eq!(owners.subjects.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn requested_resources_are_bound_per_namespace_to_the_tenants_own_aggregated_roles() {
        let t = tenant("team", &[], &[]);
        let roles = desired_requested_roles(&t);
        let names: Vec<String> = roles.iter().map(|r| r.name_any()).collect();
        assert_eq!(
            names,
            [
                "ike:tenant:team:requested-edit",
                "ike:tenant:team:requested-view"
            ]
        );
        for role in &roles {
            assert!(
                role.rules.is_none(),
                "the aggregation controller writes them"
            );
            for selector in role
                .aggregation_rule
                .as_ref()
                .unwrap()
                .cluster_role_selectors
                .iter()
                .flatten()
            {
                let labels = selector.match_labels.as_ref().unwrap();
                assert_eq!(labels[TENANT_LABEL], "team", "this tenant's grants only");
                assert!(labels.contains_key(AGGREGATE_LABEL));
            }
            assert_eq!(
                role.metadata.owner_references.as_ref().unwrap()[0].uid,
                "uid-team"
            );
        }
        let by_role = BTreeMap::from([
            (Role::Owner, vec!["alice".to_string()]),
            (Role::Member, vec!["bob".to_string()]),
            (Role::Viewer, vec!["carol".to_string()]),
        ]);
        let bindings = desired_requested_bindings(&t, "team-a", &by_role);
        let summary: Vec<(String, String, Vec<String>)> = bindings
            .iter()
            .map(|b| {
                (
                    b.metadata.name.clone().unwrap(),
                    b.role_ref.name.clone(),
                    b.subjects
                        .iter()
                        .flatten()
                        .map(|s| s.name.clone())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "ike:tenant:requested-edit".to_string(),
                    "ike:tenant:team:requested-edit".to_string(),
                    vec!["alice".to_string(), "bob".to_string()]
                ),
                (
                    "ike:tenant:requested-view".to_string(),
                    "ike:tenant:team:requested-view".to_string(),
                    vec!["carol".to_string()]
                ),
            ]
        );
        assert_eq!(own_binding_names().len(), 5);
    }

    #[test]
    fn the_ready_condition_keeps_its_transition_time_while_nothing_changes() {
        let first = ready_condition(true, "Ready", "1 namespaces".into(), Some(1), &[]);
        let again = ready_condition(
            true,
            "Ready",
            "1 namespaces".into(),
            Some(2),
            std::slice::from_ref(&first),
        );
        assert_eq!(again.last_transition_time, first.last_transition_time);
        assert_eq!(again.observed_generation, Some(2));
        let changed = ready_condition(
            false,
            "NoOwner",
            "no owner".into(),
            Some(3),
            std::slice::from_ref(&first),
        );
        assert_eq!(changed.status, "False");
        assert!(changed.last_transition_time.0 >= first.last_transition_time.0);
    }
}
