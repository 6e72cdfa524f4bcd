//! The network look-ups behind each [`Key`]: Table requests, names and a few cells only.

use kube::Resource;

use super::table::{self, Row};
use super::{Item, Key};
use crate::api::{Account, BarryConfig, EmailConfig, ResourceRequest, TeamsConfig, Tenant};
use crate::client::identity;
use crate::client::refused_by_rbac;
use crate::client::site_files::SiteFiles;

/// Fetches the names of `key` with `client` (the account's certificate, so RBAC bounds what
/// comes back) and, for tenants of an account that may not list them all, the account API.
pub async fn names(
    client: &kube::Client,
    files: &SiteFiles,
    key: &Key,
) -> anyhow::Result<Vec<Item>> {
    match key {
        Key::Tenants => tenants(client, files).await,
        Key::Accounts => accounts(client).await,
        Key::NotifyConfigs(ns) => notify_configs(client, ns).await,
        Key::Requests(ns) => requests(client, files, ns.as_deref()).await,
    }
}

fn tenant_item(row: &Row, help: String) -> Item {
    let namespaces = table::list_cell(row.cell("namespaces"));
    let held = match namespaces.len() {
        1 => "1 namespace".to_string(),
        n => format!("{n} namespaces"),
    };
    Item {
        name: row.name.clone(),
        help: if help.is_empty() {
            held
        } else {
            format!("{help}, {held}")
        },
        namespaces,
    }
}

/// Every tenant for whoever may list them (platform admins); else the caller's own, as the
/// account API names them, one Table of one tenant each. The namespaces come from the Tenant's
/// `Namespaces` column (`status.namespaces`, what the tenant holds), never from a list of
/// namespaces, which would show every tenant's.
async fn tenants(client: &kube::Client, files: &SiteFiles) -> anyhow::Result<Vec<Item>> {
    let path = Tenant::url_path(&(), None);
    match table::get(client, path.clone(), true, false).await {
        Ok(rows) => Ok(rows.iter().map(|r| tenant_item(r, String::new())).collect()),
        Err(e) if refused_by_rbac(&e) => {
            let who = identity::client(files)?.whoami().await?;
            let gets = who
                .tenants
                .iter()
                .map(|t| table::get(client, format!("{path}/{}", t.tenant), false, false));
            let got = futures::future::join_all(gets).await;
            let mut items = Vec::new();
            for (role, rows) in who.tenants.iter().zip(got) {
                match rows {
                    Ok(rows) => items.extend(
                        rows.iter()
                            .map(|r| tenant_item(r, role.role.as_str().to_string())),
                    ),
                    // Deleted meanwhile, or the controller has not bound the caller yet.
                    Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(items)
        }
        Err(e) => Err(e.into()),
    }
}

/// Accounts: platform admins only; anyone else gets none (a refusal is an answer, cached too).
async fn accounts(client: &kube::Client) -> anyhow::Result<Vec<Item>> {
    match table::get(client, Account::url_path(&(), None), true, false).await {
        Ok(rows) => Ok(rows
            .iter()
            .map(|r| Item::new(&r.name, r.cell("display name")))
            .collect()),
        Err(e) if refused_by_rbac(&e) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// The notification configs of every kind in `namespace`.
async fn notify_configs(client: &kube::Client, namespace: &str) -> anyhow::Result<Vec<Item>> {
    let kinds = [
        ("barry", BarryConfig::url_path(&(), Some(namespace))),
        ("email", EmailConfig::url_path(&(), Some(namespace))),
        ("teams", TeamsConfig::url_path(&(), Some(namespace))),
    ];
    let got = futures::future::join_all(
        kinds
            .iter()
            .map(|(_, p)| table::get(client, p.clone(), true, false)),
    )
    .await;
    let mut items = Vec::new();
    for ((kind, _), rows) in kinds.iter().zip(got) {
        match rows {
            Ok(rows) => items.extend(rows.iter().map(|r| Item::new(&r.name, kind))),
            Err(e) if refused_by_rbac(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(items)
}

/// Requests in `namespace` by name, or in every namespace the caller may read as
/// `NAMESPACE/NAME`; the help is the phase.
async fn requests(
    client: &kube::Client,
    files: &SiteFiles,
    namespace: Option<&str>,
) -> anyhow::Result<Vec<Item>> {
    let phase = |r: &Row| match (r.cell("phase"), r.cell("decision")) {
        ("" | "Pending", "Approve") => "Approved".to_string(),
        ("" | "Pending", "Deny") => "Denied".to_string(),
        ("", _) => "Pending".to_string(),
        (p, _) => p.to_string(),
    };
    if let Some(ns) = namespace {
        let rows = table::get(
            client,
            ResourceRequest::url_path(&(), Some(ns)),
            true,
            false,
        )
        .await
        .or_else(|e| {
            if refused_by_rbac(&e) {
                Ok(Vec::new())
            } else {
                Err(e)
            }
        })?;
        return Ok(rows.iter().map(|r| Item::new(&r.name, &phase(r))).collect());
    }
    let qualified = |rows: Vec<Row>, ns: Option<&str>| -> Vec<Item> {
        rows.iter()
            .filter_map(|r| {
                let ns = r.namespace.as_deref().or(ns)?;
                Some(Item::new(&format!("{ns}/{}", r.name), &phase(r)))
            })
            .collect()
    };
    match table::get(client, ResourceRequest::url_path(&(), None), true, true).await {
        Ok(rows) => Ok(qualified(rows, None)),
        Err(e) if refused_by_rbac(&e) => {
            let namespaces: Vec<String> = tenants(client, files)
                .await?
                .into_iter()
                .flat_map(|t| t.namespaces)
                .collect();
            let got = futures::future::join_all(namespaces.iter().map(|ns| {
                table::get(
                    client,
                    ResourceRequest::url_path(&(), Some(ns)),
                    true,
                    false,
                )
            }))
            .await;
            let mut items = Vec::new();
            for (ns, rows) in namespaces.iter().zip(got) {
                match rows {
                    Ok(rows) => items.extend(qualified(rows, Some(ns))),
                    Err(e) if refused_by_rbac(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(items)
        }
        Err(e) => Err(e.into()),
    }
}
