//! Objects for unit tests, built one way everywhere (tests only).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use super::{Account, AccountSpec, Member, Role, Tenant, TenantSpec, TenantStatus};

/// A tenant spec with these members, nothing else.
pub fn spec(members: &[(&str, Role)]) -> TenantSpec {
    TenantSpec {
        members: members
            .iter()
            .map(|(account, role)| Member {
                account: account.to_string(),
                role: *role,
            })
            .collect(),
        ..Default::default()
    }
}

/// Tenant `name` with these members and namespaces, as the API server would hand it back
/// (a uid, generation 1).
pub fn tenant(name: &str, members: &[(&str, Role)], namespaces: &[&str]) -> Tenant {
    let mut tenant = Tenant::new(
        name,
        TenantSpec {
            namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
            ..spec(members)
        },
    );
    tenant.metadata.uid = Some(format!("uid-{name}"));
    tenant.metadata.generation = Some(1);
    tenant
}

/// The tenant's status: it holds `held`, with a Ready condition of `reason` for `generation`.
pub fn status(held: &[&str], ready: Option<(&str, i64)>) -> TenantStatus {
    TenantStatus {
        conditions: ready
            .map(|(reason, generation)| ready_condition(reason, generation))
            .into_iter()
            .collect(),
        namespaces: held.iter().map(|s| s.to_string()).collect(),
        observed_generation: ready.map(|(_, g)| g),
    }
}

/// A Ready condition: True when `reason` is "Ready".
pub fn ready_condition(reason: &str, generation: i64) -> Condition {
    Condition {
        type_: "Ready".into(),
        status: if reason == "Ready" { "True" } else { "False" }.into(),
        reason: reason.into(),
        message: format!("{reason} (test)"),
        observed_generation: Some(generation),
        last_transition_time: Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
    }
}

/// Account `name` as stored (a uid and a resourceVersion), with a display name and e-mail.
pub fn account(name: &str, admin: bool, disabled: bool) -> Account {
    let mut account = Account::new(
        name,
        AccountSpec {
            display_name: Some(format!("{name} display")),
            email: Some(format!("{name}@example.com")),
            admin,
            disabled,
            certificates_valid_after: None,
        },
    );
    account.metadata.uid = Some(format!("uid-{name}"));
    account.metadata.resource_version = Some("1".into());
    account
}

/// A pending request of `requester` in namespace a-prod for StorageClass `fast`, as stored
/// (generation 1).
pub fn storage_class_request(requester: &str) -> super::ResourceRequest {
    let mut r = super::ResourceRequest::new(
        "sc-fast",
        super::ResourceRequestSpec {
            manifest: Some(
                serde_json::json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "fast"}, "provisioner": "example.com/csi"}),
            ),
            reason: "databases".into(),
            requester: Some(requester.into()),
            ..Default::default()
        },
    );
    r.metadata.namespace = Some("a-prod".into());
    r.metadata.generation = Some(1);
    r
}
