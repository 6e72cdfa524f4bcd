//! Tenant operations several commands share: which tenants the caller sees, changing a
//! Tenant's lists safely, and waiting for the controller's verdict.
//!
//! Member and namespace lists are changed by reading the Tenant, changing the list and
//! replacing the object with its resourceVersion: a JSON merge patch would replace the whole
//! list with what this client saw, silently undoing a concurrent change by someone else.

use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, DeleteParams, ListParams, Patch};
use kube::{Resource, ResourceExt};

use super::names::table;
use super::{Target, api_error, refused_by_rbac};
use crate::api::{Member, Role, Tenant, TenantSpec};

/// How long `ike tenant create` (and `ike ns create`) wait for the controller's verdict.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often they ask.
const POLL: Duration = Duration::from_millis(200);

/// What `list_in` finds in `namespace`, or in every namespace the caller may read (`None`):
/// one cluster-wide list for whoever may make it, else one list in each namespace of the
/// caller's tenants (those refused too are skipped). `what` names the objects in errors.
pub async fn list_visible<T, F, Fut>(
    target: &Target,
    namespace: Option<&str>,
    what: &str,
    list_in: F,
) -> anyhow::Result<Vec<T>>
where
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, kube::Error>>,
{
    match (namespace, list_in(namespace.map(String::from)).await) {
        (_, Ok(all)) => Ok(all),
        (None, Err(e)) if refused_by_rbac(&e) => {
            let visible = visible_tenants(target).await?;
            let mut namespaces: Vec<String> = visible
                .iter()
                .flat_map(|v| v.tenant.status.iter().flat_map(|s| s.namespaces.clone()))
                .collect();
            namespaces.sort();
            namespaces.dedup();
            let mut all = Vec::new();
            for ns in namespaces {
                match list_in(Some(ns.clone())).await {
                    Ok(found) => all.extend(found),
                    Err(e) if refused_by_rbac(&e) => {}
                    Err(e) => return Err(api_error(e, &format!("{what} in namespace {ns}"))),
                }
            }
            Ok(all)
        }
        (Some(ns), Err(e)) => Err(api_error(e, &format!("{what} in namespace {ns}"))),
        (None, Err(e)) => Err(api_error(e, what)),
    }
}

/// A tenant and the caller's role in it, if any.
#[derive(Debug, Clone)]
pub struct Visible {
    /// The tenant.
    pub tenant: Tenant,
    /// The caller's role.
    pub role: Option<Role>,
}

/// The tenants the caller may see, sorted by name: every tenant for whoever may list them
/// (platform admins), else the caller's own, as the account API names them.
pub async fn visible_tenants(target: &Target) -> anyhow::Result<Vec<Visible>> {
    let api: Api<Tenant> = target.all();
    // Listing first costs an admin one request and no account API call; everyone else pays one
    // refused request before asking the account API.
    match api.list(&ListParams::default()).await {
        Ok(list) => {
            let me = target.local_account();
            let mut out: Vec<Visible> = list
                .items
                .into_iter()
                .map(|tenant| Visible {
                    role: me.as_deref().and_then(|me| tenant.spec.role_of(me)),
                    tenant,
                })
                .collect();
            out.sort_by_key(|v| v.tenant.name_any());
            Ok(out)
        }
        Err(kube::Error::Api(s)) if s.code == 403 => {
            let who = target.site()?.whoami().await?;
            let gets = who.tenants.iter().map(|t| api.get(&t.tenant));
            let got = futures::future::join_all(gets).await;
            let mut out = Vec::new();
            for (tr, result) in who.tenants.into_iter().zip(got) {
                match result {
                    Ok(tenant) => out.push(Visible {
                        tenant,
                        role: Some(tr.role),
                    }),
                    // Deleted meanwhile, or the controller has not bound the caller yet.
                    Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => {
                        tracing::warn!(tenant = %tr.tenant, code = s.code, "cannot read tenant");
                    }
                    Err(e) => return Err(api_error(e, &format!("tenant {}", tr.tenant))),
                }
            }
            out.sort_by_key(|v| v.tenant.name_any());
            Ok(out)
        }
        Err(e) => Err(api_error(e, "tenants")),
    }
}

/// A tenant as `ike tenant list` shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The tenant's name.
    pub name: String,
    /// The caller's role in it.
    pub role: Option<Role>,
    /// The namespaces its spec lists.
    pub namespaces: Vec<String>,
    /// How many members it has.
    pub members: usize,
    /// The Ready condition's status ("Unknown" without one) and reason ("-").
    pub ready: (String, String),
}

impl Summary {
    /// The summary of a whole Tenant.
    pub fn of(visible: &Visible) -> Self {
        let t = &visible.tenant;
        let ready = t.ready_condition();
        Self {
            name: t.name_any(),
            role: visible.role,
            namespaces: t.spec.namespaces.clone(),
            members: t.spec.members.len(),
            ready: (
                ready.map_or("Unknown", |c| c.status.as_str()).to_string(),
                ready.map_or("-", |c| c.reason.as_str()).to_string(),
            ),
        }
    }

    /// The summary in a row of the Tenants' Table (their printer columns); `None` for a row
    /// without the columns (a CRD older than this client) or with members it cannot read.
    fn of_row(row: &table::Row, me: Option<&str>) -> Option<Self> {
        let members: Vec<Member> =
            serde_json::from_str(row.cells.iter().find(|(c, _)| c == "members")?.1.as_str())
                .ok()?;
        let spec = TenantSpec {
            members,
            ..Default::default()
        };
        let text = |column: &str, empty: &str| match row.cell(column) {
            "" => empty.to_string(),
            cell => cell.to_string(),
        };
        Some(Self {
            name: row.name.clone(),
            role: me.and_then(|me| spec.role_of(me)),
            namespaces: table::list_cell(row.cell("listed")),
            members: spec.members.len(),
            ready: (text("ready", "Unknown"), text("reason", "-")),
        })
    }
}

/// The tenants the caller may see, summed up, sorted by name. Whoever may list every tenant
/// (platform admins) gets the API server's Table of them: printer columns only, from the watch
/// cache, a tenth of the bytes of 500 whole Tenants. Everyone else gets their own, as
/// [`visible_tenants`] reads them.
pub async fn summaries(target: &Target) -> anyhow::Result<Vec<Summary>> {
    match table::get(&target.client, Tenant::url_path(&(), None), true, false).await {
        Ok(rows) => {
            let me = target.local_account();
            let summed: Option<Vec<Summary>> = rows
                .iter()
                .map(|row| Summary::of_row(row, me.as_deref()))
                .collect();
            if let Some(mut summed) = summed {
                summed.sort_by(|a, b| a.name.cmp(&b.name));
                return Ok(summed);
            }
        }
        Err(kube::Error::Api(s)) if s.code == 403 => {}
        Err(e) => return Err(api_error(e, "tenants")),
    }
    Ok(visible_tenants(target)
        .await?
        .iter()
        .map(Summary::of)
        .collect())
}

/// One namespace of one tenant.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceRow {
    /// The namespace.
    pub namespace: String,
    /// Its tenant.
    pub tenant: String,
    /// The caller's role in the tenant, if any.
    pub role: Option<Role>,
    /// Whether the tenant holds it (the controller created it and bound the members).
    pub ready: bool,
}

/// The namespaces the tenants list (`ike ns list`, `ike get ns`), sorted by namespace then tenant.
pub fn namespace_rows(visible: &[Visible]) -> Vec<NamespaceRow> {
    let mut rows: Vec<NamespaceRow> = visible
        .iter()
        .flat_map(|v| {
            let held = v.tenant.status.iter().flat_map(|s| &s.namespaces);
            let held: Vec<&String> = held.collect();
            v.tenant.spec.namespaces.iter().map(move |ns| NamespaceRow {
                namespace: ns.clone(),
                tenant: v.tenant.name_any(),
                role: v.role,
                ready: held.contains(&ns),
            })
        })
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.tenant).cmp(&(&b.namespace, &b.tenant)));
    rows
}

/// Tenant `name` as the caller may read it.
pub async fn get(target: &Target, name: &str) -> anyhow::Result<Tenant> {
    target
        .all::<Tenant>()
        .get(name)
        .await
        .map_err(|e| api_error(e, &format!("tenant {name}")))
}

/// Tenant `name` with the caller's role in it, by the account this machine is logged in as.
pub async fn visible(target: &Target, name: &str) -> anyhow::Result<Visible> {
    let tenant = get(target, name).await?;
    let me = target.local_account();
    Ok(Visible {
        role: me.as_deref().and_then(|me| tenant.spec.role_of(me)),
        tenant,
    })
}

/// Creates `tenant` as ike; a refusal says in one line why and whom to ask.
pub async fn create(target: &Target, tenant: &Tenant) -> anyhow::Result<Tenant> {
    let name = tenant.name_any();
    let params = crate::client::post_params(false);
    target
        .all::<Tenant>()
        .create(&params, tenant)
        .await
        .map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 409 => {
                anyhow::anyhow!("tenant {name} already exists: pick another name")
            }
            kube::Error::Api(s) if refused_by_rbac(&e) => anyhow::anyhow!(
                "your account may not create tenants on this site: {} (ask a platform admin)",
                s.message
            ),
            kube::Error::Api(s) if s.code == 403 => {
                anyhow::anyhow!("tenant {name} refused: {}", s.message)
            }
            _ => api_error(e, &format!("tenant {name}")),
        })
}

/// Deletes `tenant` (as read). With `keep_namespaces` its namespaces are kept: the flag is set
/// on the tenant first (the controller's cleanup reads it from the deleted object), after a dry
/// run of the delete, so that a caller who may patch but not delete (an owner) leaves the
/// tenant as it was.
pub async fn delete(
    target: &Target,
    tenant: &Tenant,
    keep_namespaces: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let name = tenant.name_any();
    let what = format!("tenant {name}");
    let api: Api<Tenant> = target.all();
    if keep_namespaces && !tenant.spec.keep_namespaces {
        let probe = DeleteParams {
            dry_run: true,
            ..Default::default()
        };
        api.delete(&name, &probe)
            .await
            .map_err(|e| api_error(e, &what))?;
        let patch = serde_json::json!({ "spec": { "keepNamespaces": true } });
        let params = crate::client::patch_params(dry_run);
        api.patch(&name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| api_error(e, &what))?;
    }
    let params = DeleteParams {
        dry_run,
        ..Default::default()
    };
    api.delete(&name, &params)
        .await
        .map_err(|e| api_error(e, &what))?;
    Ok(())
}

/// The result of [`update_tenant`].
#[derive(Debug)]
pub enum Update {
    /// The change was already there; nothing was written.
    Unchanged(Tenant),
    /// The tenant as the server stored it (or would have, in a dry run).
    Replaced(Tenant),
}

/// Reads tenant `name`, applies `change` (which returns whether it changed anything) and
/// replaces the object at the version read, trying once more if someone else changed it
/// meanwhile. A refusal becomes "only an owner of tenant NAME can `refused`".
pub async fn update_tenant(
    target: &Target,
    name: &str,
    dry_run: bool,
    refused: &str,
    mut change: impl FnMut(&mut Tenant) -> anyhow::Result<bool>,
) -> anyhow::Result<Update> {
    let map = |e: kube::Error| match &e {
        _ if refused_by_rbac(&e) => {
            anyhow::anyhow!("only an owner of tenant {name} can {refused}")
        }
        kube::Error::Api(s) if s.code == 403 => {
            anyhow::anyhow!("tenant {name} refused the change: {}", s.message)
        }
        _ => api_error(e, &format!("tenant {name}")),
    };
    let api: Api<Tenant> = target.all();
    let params = crate::client::post_params(dry_run);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tenant = api.get(name).await.map_err(map)?;
        if !change(&mut tenant)? {
            return Ok(Update::Unchanged(tenant));
        }
        match api.replace(name, &params, &tenant).await {
            Ok(t) => return Ok(Update::Replaced(t)),
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < 2 => {}
            Err(e) => return Err(map(e)),
        }
    }
}

/// Asks for tenant `name` every 200 ms for up to 10 s until `done` says something. Returns the
/// last tenant read and what `done` said, if it did. Refusals and "not found" count as "not
/// yet": the controller may not have bound the caller to a tenant just created.
pub async fn wait_for<T>(
    target: &Target,
    name: &str,
    mut done: impl FnMut(&Tenant) -> Option<T>,
) -> anyhow::Result<(Option<Tenant>, Option<T>)> {
    let api: Api<Tenant> = target.all();
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    loop {
        match api.get(name).await {
            Ok(tenant) => {
                let verdict = done(&tenant);
                let found = verdict.is_some();
                last = Some(tenant);
                if found {
                    return Ok((last, verdict));
                }
            }
            Err(kube::Error::Api(s)) if s.code == 403 || s.code == 404 => {}
            Err(e) => return Err(api_error(e, &format!("tenant {name}"))),
        }
        if Instant::now() + POLL > deadline {
            return Ok((last, None));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether `message` (a controller verdict) names `account` as a word (not as part of a longer name).
pub fn names(message: &str, account: &str) -> bool {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .any(|word| word.trim_end_matches('.') == account)
}

/// The Ready condition once the controller has seen `generation` of the spec (or a later one).
pub fn settled(tenant: &Tenant, generation: i64) -> Option<Condition> {
    let status = tenant.status.as_ref()?;
    let c = tenant.ready_condition()?;
    let observed = c.observed_generation.or(status.observed_generation)?;
    (observed >= generation).then(|| c.clone())
}

/// Gives `account` `role` in the tenant; returns whether anything changed. Refuses to leave the
/// tenant without an owner.
pub fn set_member(
    spec: &mut TenantSpec,
    tenant: &str,
    account: &str,
    role: Role,
) -> anyhow::Result<bool> {
    let have: Vec<Role> = spec
        .members
        .iter()
        .filter(|m| m.account == account)
        .map(|m| m.role)
        .collect();
    if have == [role] {
        return Ok(false);
    }
    let mut new = spec.clone();
    match new.members.iter().position(|m| m.account == account) {
        Some(i) => {
            new.members[i].role = role;
            let mut seen = false;
            new.members.retain(|m| {
                let dup = m.account == account && seen;
                seen |= m.account == account;
                !dup
            });
        }
        None => new.members.push(Member {
            account: account.to_string(),
            role,
        }),
    }
    check_owner_left(&new, tenant, account)?;
    *spec = new;
    Ok(true)
}

/// Takes `account` out of the tenant. Refuses an account that is not a member and the last
/// owner.
pub fn remove_member(spec: &mut TenantSpec, tenant: &str, account: &str) -> anyhow::Result<()> {
    if !spec.members.iter().any(|m| m.account == account) {
        anyhow::bail!("{account} is not a member of tenant {tenant}: nothing to remove");
    }
    let mut new = spec.clone();
    new.members.retain(|m| m.account != account);
    check_owner_left(&new, tenant, account)?;
    *spec = new;
    Ok(())
}

fn check_owner_left(spec: &TenantSpec, tenant: &str, account: &str) -> anyhow::Result<()> {
    if spec.members.iter().any(|m| m.role == Role::Owner) {
        return Ok(());
    }
    anyhow::bail!(
        "{account} is the last owner of tenant {tenant}: make someone else an owner first ('ike tenant add-member {tenant} ACCOUNT --role owner')"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fixtures::spec;

    #[test]
    fn a_row_of_the_tenants_table_sums_up_like_the_whole_tenant() {
        let answer = serde_json::json!({
            "kind": "Table",
            "columnDefinitions": [{"name": "Name"}, {"name": "Ready"}, {"name": "Reason"},
                {"name": "Namespaces"}, {"name": "Listed"}, {"name": "Members"}],
            "rows": [
                {"cells": ["payments", "True", "Ready", ["payments-prod"],
                    ["payments-prod", "payments-dev"],
                    [{"account": "alice", "role": "owner"}, {"account": "bob", "role": "viewer"}]]},
                {"cells": ["fresh", null, null, null, null, [{"account": "carol", "role": "owner"}]]},
            ],
        });
        let rows = table::rows(&answer);
        let bob = Summary::of_row(&rows[0], Some("bob")).unwrap();
        assert_eq!(
            bob,
            Summary {
                name: "payments".into(),
                role: Some(Role::Viewer),
                namespaces: vec!["payments-prod".into(), "payments-dev".into()],
                members: 2,
                ready: ("True".into(), "Ready".into()),
            }
        );
        let fresh = Summary::of_row(&rows[1], Some("bob")).unwrap();
        assert_eq!((fresh.role, fresh.members), (None, 1));
        assert_eq!(fresh.ready, ("Unknown".into(), "-".into()));
        assert!(fresh.namespaces.is_empty());

        // A CRD without the members column (an older controller's): no summary, the caller
        // reads whole Tenants instead.
        let old = serde_json::json!({
            "kind": "Table",
            "columnDefinitions": [{"name": "Name"}, {"name": "Ready"}],
            "rows": [{"cells": ["payments", "True"]}],
        });
        assert_eq!(Summary::of_row(&table::rows(&old)[0], None), None);
    }

    #[test]
    fn adding_an_existing_member_changes_its_role() {
        let mut s = spec(&[("alice", Role::Owner), ("bob", Role::Viewer)]);
        assert!(set_member(&mut s, "t", "bob", Role::Member).unwrap());
        assert_eq!(s, spec(&[("alice", Role::Owner), ("bob", Role::Member)]));
        assert!(!set_member(&mut s, "t", "bob", Role::Member).unwrap());
        assert!(set_member(&mut s, "t", "carol", Role::Viewer).unwrap());
        assert_eq!(s.members.len(), 3);
    }

    #[test]
    fn the_last_owner_cannot_leave_or_step_down() {
        let mut s = spec(&[("alice", Role::Owner), ("bob", Role::Member)]);
        let e = remove_member(&mut s, "t", "alice").unwrap_err().to_string();
        assert!(e.starts_with("alice is the last owner of tenant t"), "{e}");
        let e = set_member(&mut s, "t", "alice", Role::Viewer)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("alice is the last owner of tenant t"), "{e}");
        assert_eq!(s, spec(&[("alice", Role::Owner), ("bob", Role::Member)]));
        set_member(&mut s, "t", "bob", Role::Owner).unwrap();
        remove_member(&mut s, "t", "alice").unwrap();
        assert_eq!(s, spec(&[("bob", Role::Owner)]));
        let e = remove_member(&mut s, "t", "zed").unwrap_err().to_string();
        assert_eq!(e, "zed is not a member of tenant t: nothing to remove");
    }

    #[test]
    fn an_unknown_account_is_found_in_the_message_by_its_whole_name() {
        let m = "no account named bob, carol.x: create it with 'ike account create'";
        assert!(names(m, "bob"));
        assert!(names(m, "carol.x"));
        assert!(!names(m, "bo"));
        assert!(!names(m, "carol"));
    }

    #[test]
    fn a_verdict_counts_only_for_the_current_generation() {
        let mut t = Tenant::new("t", spec(&[("a", Role::Owner)]));
        t.metadata.generation = Some(2);
        assert!(settled(&t, 2).is_none());
        let condition = |g| Condition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: "Ready".into(),
            message: "m".into(),
            observed_generation: Some(g),
            last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
            ),
        };
        t.status = Some(crate::api::TenantStatus {
            conditions: vec![condition(1)],
            namespaces: vec![],
            observed_generation: Some(1),
        });
        assert!(settled(&t, 2).is_none());
        t.status.as_mut().unwrap().conditions = vec![condition(2)];
        assert_eq!(settled(&t, 2).unwrap().reason, "Ready");
    }
}
