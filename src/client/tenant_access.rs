//! Who can get into a tenant's namespaces besides what its member list says: the RoleBindings
//! naming an account (what `ike tenant remove-member` reports as revoked), and what outlives a
//! member's removal, which `ike tenant show` warns about: ServiceAccount tokens the member could
//! read, and bindings to groups every account is in.
//!
//! Everything here is read with the caller's own rights: owners and platform admins may list
//! RoleBindings and Secrets in the tenant's namespaces; a namespace the caller may not read is
//! reported as unchecked, never guessed at.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::ResourceExt;
use kube::api::{Api, ListParams};

use super::api_error;

/// A RoleBinding naming an account as a user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub binding: String,
    /// Made by hand (not one of ike's own bindings, `ike:tenant:<role>` and `ike:tenant:requested-*`).
    pub hand_made: bool,
}

/// Bindings and secrets read from some namespaces, and the namespaces that could not be read.
#[derive(Debug, Default)]
pub struct Observed {
    /// Every RoleBinding in the readable namespaces.
    pub bindings: Vec<RoleBinding>,
    /// Every ServiceAccount token Secret in them (`None` where secrets could not be listed).
    pub token_secrets: BTreeMap<String, Option<Vec<Secret>>>,
    /// Namespaces whose RoleBindings the caller may not list.
    pub unreadable: Vec<String>,
}

/// Reads the RoleBindings (and, with `secrets`, the ServiceAccount token Secrets) of
/// `namespaces`. Refusals and namespaces gone meanwhile are recorded, not errors.
pub async fn observe(
    client: &kube::Client,
    namespaces: &[String],
    secrets: bool,
) -> anyhow::Result<Observed> {
    let mut out = Observed::default();
    for ns in namespaces {
        let api: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
        match api.list(&ListParams::default()).await {
            Ok(list) => out.bindings.extend(list.items),
            Err(kube::Error::Api(s)) if s.code == 403 || s.code == 404 => {
                out.unreadable.push(ns.clone());
                continue;
            }
            Err(e) => return Err(api_error(e, &format!("role bindings in {ns}"))),
        }
        if !secrets {
            continue;
        }
        let api: Api<Secret> = Api::namespaced(client.clone(), ns);
        let tokens = ListParams::default().fields("type=kubernetes.io/service-account-token");
        let listed = match api.list_metadata(&tokens).await {
            Ok(list) => Some(
                list.items
                    .into_iter()
                    .map(|m| Secret {
                        metadata: m.metadata,
                        ..Secret::default()
                    })
                    .collect(),
            ),
            Err(kube::Error::Api(s)) if s.code == 403 || s.code == 404 => None,
            Err(e) => return Err(api_error(e, &format!("secrets in {ns}"))),
        };
        out.token_secrets.insert(ns.clone(), listed);
    }
    Ok(out)
}

/// Whether `binding` is one of ike's own (`ike:tenant:<role>`, `ike:tenant:requested-*`).
fn ikes_own(binding: &RoleBinding) -> bool {
    crate::api::own_binding_names().contains(&binding.name_any())
}

/// The bindings among `bindings` that name `account` as a user, sorted.
pub fn grants(bindings: &[RoleBinding], account: &str) -> Vec<Grant> {
    let mut out: Vec<Grant> = bindings
        .iter()
        .filter(|b| {
            b.subjects
                .iter()
                .flatten()
                .any(|s| s.kind == "User" && s.name == account)
        })
        .map(|b| Grant {
            namespace: b.namespace().unwrap_or_default(),
            binding: b.name_any(),
            hand_made: !ikes_own(b),
        })
        .collect();
    out.sort();
    out
}

/// Groups that hold every account (or every ServiceAccount): a binding to one outlives any
/// member's removal.
const EVERYONE: [&str; 3] = [
    "system:authenticated",
    "system:unauthenticated",
    "system:serviceaccounts",
];

/// Something that lets a removed member back in, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The namespace.
    pub namespace: String,
    /// What the risk is, one line.
    pub risk: String,
    /// The command that removes it.
    pub fix: String,
}

/// What in the observed namespaces outlives a member's removal: the token Secrets of
/// ServiceAccounts bound to roles (owners and members could read them, and copies outlive
/// membership), ServiceAccounts of other namespaces bound here, and bindings to groups every
/// account is in.
pub fn warnings(observed: &Observed) -> Vec<Warning> {
    let mut out = Vec::new();
    // ServiceAccounts bound in each namespace, with the roles they get.
    let mut bound: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for b in &observed.bindings {
        let ns = b.namespace().unwrap_or_default();
        for s in b.subjects.iter().flatten() {
            match s.kind.as_str() {
                "ServiceAccount" => {
                    let sa_ns = s.namespace.clone().unwrap_or_else(|| ns.clone());
                    if sa_ns == ns || observed.token_secrets.contains_key(&sa_ns) {
                        bound
                            .entry((sa_ns, s.name.clone()))
                            .or_default()
                            .insert(b.role_ref.name.clone());
                    } else {
                        out.push(Warning {
                            namespace: ns.clone(),
                            risk: format!(
                                "binding {} gives ServiceAccount {}/{} of another namespace role {}: whoever can read its tokens there has this access",
                                b.name_any(),
                                sa_ns,
                                s.name,
                                b.role_ref.name
                            ),
                            fix: format!("kubectl -n {ns} delete rolebinding {}", b.name_any()),
                        });
                    }
                }
                "Group" if EVERYONE.contains(&s.name.as_str()) => out.push(Warning {
                    namespace: ns.clone(),
                    risk: format!(
                        "binding {} gives group {} role {}: every account has it, removed members too",
                        b.name_any(),
                        s.name,
                        b.role_ref.name
                    ),
                    fix: format!("kubectl -n {ns} delete rolebinding {}", b.name_any()),
                }),
                _ => {}
            }
        }
    }
    for ((ns, sa), roles) in bound {
        let roles = roles.into_iter().collect::<Vec<_>>().join(", ");
        let secrets: Option<Vec<String>> = observed
            .token_secrets
            .get(&ns)
            .and_then(Option::as_ref)
            .map(|all| {
                all.iter()
                    .filter(|s| {
                        s.annotations()
                            .get("kubernetes.io/service-account.name")
                            .is_some_and(|n| *n == sa)
                    })
                    .map(|s| s.name_any())
                    .collect()
            });
        let risk = format!(
            "ServiceAccount {sa} has role {roles}; its tokens outlive the removal of any member who could read them"
        );
        match secrets {
            Some(secrets) if !secrets.is_empty() => out.push(Warning {
                namespace: ns.clone(),
                risk,
                fix: format!("kubectl -n {ns} delete secret {}", secrets.join(" ")),
            }),
            // No token Secret (or none readable): tokens made with 'kubectl create token' cannot
            // be listed, and only recreating the ServiceAccount invalidates them.
            _ => out.push(Warning {
                namespace: ns.clone(),
                risk,
                fix: format!(
                    "kubectl -n {ns} delete serviceaccount {sa} && kubectl -n {ns} create serviceaccount {sa}"
                ),
            }),
        }
    }
    out.sort_by(|a, b| (&a.namespace, &a.risk).cmp(&(&b.namespace, &b.risk)));
    out
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::rbac::v1::{RoleRef, Subject};
    use kube::api::ObjectMeta;

    use super::*;

    fn binding(
        ns: &str,
        name: &str,
        role: &str,
        subjects: &[(&str, &str, Option<&str>)],
    ) -> RoleBinding {
        RoleBinding {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                ..ObjectMeta::default()
            },
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: role.into(),
            },
            subjects: Some(
                subjects
                    .iter()
                    .map(|(kind, name, namespace)| Subject {
                        kind: (*kind).into(),
                        name: (*name).into(),
                        namespace: namespace.map(String::from),
                        api_group: None,
                    })
                    .collect(),
            ),
        }
    }

    fn token(ns: &str, name: &str, sa: &str) -> Secret {
        Secret {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                annotations: Some(
                    [(
                        "kubernetes.io/service-account.name".to_string(),
                        sa.to_string(),
                    )]
                    .into(),
                ),
                ..ObjectMeta::default()
            },
            ..Secret::default()
        }
    }

    #[test]
    fn grants_name_ikes_own_and_hand_made_bindings_of_one_account() {
        let bindings = [
            binding("a", "ike:tenant:member", "edit", &[("User", "bob", None)]),
            binding("a", "bob-debug", "edit", &[("User", "bob", None)]),
            binding(
                "b",
                "team",
                "view",
                &[("User", "carol", None), ("Group", "bob", None)],
            ),
        ];
        assert_eq!(
            grants(&bindings, "bob"),
            [
                Grant {
                    namespace: "a".into(),
                    binding: "bob-debug".into(),
                    hand_made: true
                },
                Grant {
                    namespace: "a".into(),
                    binding: "ike:tenant:member".into(),
                    hand_made: false
                },
            ]
        );
    }

    #[test]
    fn bound_service_accounts_foreign_ones_and_everyone_groups_are_warned_about_with_the_fix() {
        let observed = Observed {
            bindings: vec![
                binding(
                    "a",
                    "deploy",
                    "edit",
                    &[("ServiceAccount", "deployer", Some("a"))],
                ),
                binding(
                    "a",
                    "ci",
                    "admin",
                    &[("ServiceAccount", "builder", Some("other"))],
                ),
                binding(
                    "a",
                    "all",
                    "view",
                    &[("Group", "system:authenticated", None)],
                ),
                binding("a", "minted", "view", &[("ServiceAccount", "minted", None)]),
                binding("a", "carol", "view", &[("User", "carol", None)]),
            ],
            token_secrets: [(
                "a".to_string(),
                Some(vec![
                    token("a", "deployer-token-x1", "deployer"),
                    token("a", "default-token-q", "default"),
                ]),
            )]
            .into(),
            unreadable: vec![],
        };
        let w = warnings(&observed);
        let fixes: Vec<&str> = w.iter().map(|w| w.fix.as_str()).collect();
        assert_eq!(
            fixes,
            [
                "kubectl -n a delete secret deployer-token-x1",
                "kubectl -n a delete serviceaccount minted && kubectl -n a create serviceaccount minted",
                "kubectl -n a delete rolebinding all",
                "kubectl -n a delete rolebinding ci",
            ],
            "{w:#?}"
        );
        assert!(
            w[2].risk
                .contains("every account has it, removed members too")
        );
        assert!(
            w[3].risk
                .contains("ServiceAccount other/builder of another namespace")
        );
        // The default ServiceAccount, bound to nothing, is no risk.
        assert!(!w.iter().any(|w| w.risk.contains("default")));
    }
}
