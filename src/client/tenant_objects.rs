//! Tenant-wide objects for `ike tenant apply|list-objects|delete-object`: a file's objects
//! become TenantObjects, which tenant they go to, and what a dry run would change in each
//! namespace (asked of the API server as the caller, so RBAC and the webhooks answer).

use std::path::Path;

use kube::ResourceExt;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::Value;

use super::{Target, api_error};
use crate::api::consts::CLI_MANAGER;
use crate::api::tenant_object::rules::kind_and_name;
use crate::api::tenant_object::{
    CopyKind, Source, desired_copy, is_copy_of, same_payload, target_namespaces,
};
use crate::api::{Role, Tenant, TenantObject, TenantObjectSpec};
use crate::client::tenants::visible_tenants;

/// One object of the file, as it is declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// The TenantObject's name: `<kind>-<name>`, lower case.
    pub name: String,
    /// Its spec.
    pub spec: TenantObjectSpec,
    /// A Secret of the file, applied to the home namespace first and copied from there
    /// (a Secret is never inline in a TenantObject, which viewers read).
    pub secret: Option<Value>,
}

/// The objects of `text` (YAML, one or more documents; `shown` names it in errors) as
/// declarations for `namespaces` (empty: every namespace of the tenant).
pub fn declarations(
    text: &str,
    shown: &str,
    namespaces: &[String],
) -> anyhow::Result<Vec<Declaration>> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        let first = e.to_string();
        let first = first.lines().next().unwrap_or_default().to_string();
        anyhow::anyhow!("{shown} is not YAML: {first}")
    })?;
    let objects: Vec<Value> = documents.into_iter().filter(|d| !d.is_null()).collect();
    if objects.is_empty() {
        anyhow::bail!(
            "{shown} holds no object: put the Roles, RoleBindings, NetworkPolicies, LimitRanges, ConfigMaps or Secrets to keep in it"
        );
    }
    let mut out = Vec::new();
    for object in objects {
        let Some(fields) = object.as_object() else {
            anyhow::bail!(
                "{shown} holds something that is not an object (apiVersion, kind, metadata, ...)"
            );
        };
        let api_version = fields
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = fields.get("kind").and_then(Value::as_str).unwrap_or("");
        let Some(copy_kind) = CopyKind::parse(api_version, kind) else {
            anyhow::bail!(
                "{shown}: a {kind} of {api_version} cannot be kept tenant-wide (Role, RoleBinding, NetworkPolicy, LimitRange, ConfigMap and Secret can)"
            );
        };
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if name.is_empty() {
            anyhow::bail!("{shown}: a {kind} without metadata.name");
        }
        let declared = format!("{}-{name}", kind.to_lowercase());
        let mut template = object.clone();
        if let Some(meta) = template.get_mut("metadata").and_then(Value::as_object_mut) {
            // Where the copies go is the controller's to say; what the server set is not ours.
            for field in [
                "namespace",
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "managedFields",
                "generation",
            ] {
                meta.remove(field);
            }
        }
        if let Some(fields) = template.as_object_mut() {
            fields.remove("status");
        }
        let (spec_template, source, secret) = match copy_kind {
            CopyKind::Secret => (
                None,
                Some(Source {
                    kind: "Secret".into(),
                    name: name.clone(),
                }),
                Some(template),
            ),
            _ => (Some(template), None, None),
        };
        let spec = TenantObjectSpec {
            template: spec_template,
            source,
            namespaces: namespaces.to_vec(),
            declared_by: None,
        };
        out.push(Declaration {
            name: declared,
            spec,
            secret,
        });
    }
    Ok(out)
}

/// Reads `path` ('-': standard input) and makes its objects declarations.
pub fn read(path: &Path, namespaces: &[String]) -> anyhow::Result<Vec<Declaration>> {
    let (shown, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| anyhow::anyhow!("cannot read standard input: {e}"))?;
        ("standard input".to_string(), text)
    } else {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {shown}: {e}"))?;
        (shown, text)
    };
    declarations(&text, &shown, namespaces)
}

/// The tenant `name`, or else the only tenant the caller owns (any tenant for an admin who
/// sees only one).
pub async fn tenant(target: &Target, name: Option<&str>) -> anyhow::Result<Tenant> {
    if let Some(name) = name {
        crate::api::names::check_tenant(name)?;
        return super::tenants::get(target, name).await;
    }
    let visible = visible_tenants(target).await?;
    let owned: Vec<&Tenant> = visible
        .iter()
        .filter(|v| v.role == Some(Role::Owner))
        .map(|v| &v.tenant)
        .collect();
    match owned.as_slice() {
        [one] => Ok((*one).clone()),
        [] => anyhow::bail!(
            "you own no tenant here: name one with --tenant (only owners declare tenant-wide objects)"
        ),
        many => anyhow::bail!(
            "you own {} tenants: name one with --tenant ({})",
            many.len(),
            many.iter()
                .map(|t| t.name_any())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Where `tenant`'s declarations live by default: `namespace` if given (it must be the
/// tenant's), else the first namespace it holds.
pub fn home(tenant: &Tenant, namespace: Option<&str>) -> anyhow::Result<String> {
    let name = tenant.name_any();
    match namespace {
        Some(ns) if tenant.holds_namespace(ns) => Ok(ns.to_string()),
        Some(ns) => anyhow::bail!(
            "tenant {name} does not hold namespace {ns}: declare its objects in one of {}",
            tenant.held_namespaces().join(", ")
        ),
        None => tenant.held_namespaces().first().cloned().ok_or_else(|| {
            anyhow::anyhow!("tenant {name} holds no namespace yet: add one with 'ike ns create'")
        }),
    }
}

fn dynamic(target: &Target, kind: CopyKind, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(target.client.clone(), namespace, &kind.api_resource())
}

/// Applies `secret` (a Secret of the file) to `home` as the caller.
pub async fn apply_secret(
    target: &Target,
    home: &str,
    secret: &Value,
    dry_run: bool,
) -> anyhow::Result<()> {
    let name = secret["metadata"]["name"].as_str().unwrap_or_default();
    let mut secret = secret.clone();
    secret["metadata"]["namespace"] = home.into();
    let object: DynamicObject = serde_json::from_value(secret)?;
    let api = dynamic(target, CopyKind::Secret, home);
    let mut params = PatchParams::apply(CLI_MANAGER).force();
    params.dry_run = dry_run;
    api.patch(name, &params, &Patch::Apply(&object))
        .await
        .map_err(|e| api_error(e, &format!("Secret {home}/{name}")))?;
    Ok(())
}

/// Applies declaration `declared` in `home` (server-side dry run with `dry_run`); the object
/// as the API server has it (with `spec.declaredBy` stamped).
pub async fn apply(
    target: &Target,
    home: &str,
    declared: &Declaration,
    dry_run: bool,
) -> anyhow::Result<TenantObject> {
    let mut object = TenantObject::new(&declared.name, declared.spec.clone());
    object.metadata.namespace = Some(home.to_string());
    let api: Api<TenantObject> = target.namespaced(home);
    let mut params = PatchParams::apply(CLI_MANAGER).force();
    params.dry_run = dry_run;
    let what = format!("tenant object {home}/{}", declared.name);
    api.patch(&declared.name, &params, &Patch::Apply(&object))
        .await
        .map_err(|e| match &e {
            kube::Error::Api(s) if super::refused_by_rbac(&e) => anyhow::anyhow!(
                "{what}: only an owner of the tenant declares tenant-wide objects ('ike tenant show' lists them): {}",
                s.message
            ),
            _ => api_error(e, &what),
        })
}

/// Waits (up to [`super::tenants::WAIT`]) for the controller's verdict on `object`: a Ready
/// condition for its generation. Its message when every copy exists; a [`super::NotDone`]
/// error when not (a conflict, a refusal, no report in time).
pub async fn wait_applied(target: &Target, object: &TenantObject) -> anyhow::Result<String> {
    let home = object.namespace().unwrap_or_default();
    let name = object.name_any();
    let generation = object.metadata.generation.unwrap_or_default();
    let api: Api<TenantObject> = target.namespaced(&home);
    let deadline = std::time::Instant::now() + super::tenants::WAIT;
    // A refusal may be the controller's view of a moment ago (an owner added a moment ago is
    // not in its store yet): it gets two seconds to change before it is the answer.
    let mut refused_since = None;
    loop {
        let now = api
            .get(&name)
            .await
            .map_err(|e| api_error(e, &format!("tenant object {home}/{name}")))?;
        let status = now.status.clone().unwrap_or_default();
        let ready = status
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .filter(|_| status.observed_generation.unwrap_or_default() >= generation);
        match ready {
            Some(c) if c.status == "True" => return Ok(c.message.clone()),
            Some(c)
                if std::time::Instant::now() >= deadline
                    || refused_since
                        .get_or_insert_with(std::time::Instant::now)
                        .elapsed()
                        >= std::time::Duration::from_secs(2) =>
            {
                crate::not_done!(
                    "tenant object {home}/{name} is not applied everywhere ({}): {} ('ike tenant list-objects' follows it)",
                    c.reason,
                    c.message
                )
            }
            _ if std::time::Instant::now() >= deadline => crate::not_done!(
                "ike-controller has not reported on tenant object {home}/{name} within {} s: is it running? ('ike tenant list-objects' follows it)",
                super::tenants::WAIT.as_secs()
            ),
            _ => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
}

/// What applying a declaration would do in one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The namespace.
    pub namespace: String,
    /// `create`, `update`, `recreate` (a RoleBinding whose roleRef changes), `unchanged`,
    /// `conflict` or `refused`.
    pub change: &'static str,
    /// What and why.
    pub detail: String,
}

/// What `object` (as the server would store it) would change in each namespace of `tenant`:
/// each copy is dry-run written as the caller, so RBAC's escalation check and the webhooks
/// answer for every namespace.
pub async fn plan(
    target: &Target,
    object: &TenantObject,
    tenant: &Tenant,
) -> anyhow::Result<Vec<Change>> {
    let (kind, name) = kind_and_name(object).map_err(|e| anyhow::anyhow!(e))?;
    let home = object.namespace().unwrap_or_default();
    let tenant_name = tenant.name_any();
    let source = match &object.spec.source {
        None => None,
        Some(source) => {
            let api = dynamic(target, kind, &home);
            api.get_opt(&source.name)
                .await
                .map_err(|e| api_error(e, &format!("{} {home}/{}", kind.kind(), source.name)))?
                .map(serde_json::to_value)
                .transpose()?
        }
    };
    let what = format!("{} {name}", kind.kind());
    let mut changes = Vec::new();
    for ns in target_namespaces(object, tenant) {
        let want = match desired_copy(object, &tenant_name, &ns, source.as_ref(), |u| {
            tenant.spec.role_of(u).is_some()
        }) {
            Ok(want) => want,
            Err(refusal) => {
                changes.push(Change {
                    namespace: ns,
                    change: "refused",
                    detail: refusal,
                });
                continue;
            }
        };
        let api = dynamic(target, kind, &ns);
        let have = api
            .get_opt(&name)
            .await
            .map_err(|e| api_error(e, &format!("{what} in {ns}")))?;
        let declared = object.name_any();
        let params = PostParams {
            dry_run: true,
            field_manager: Some(CLI_MANAGER.into()),
        };
        let mut new: DynamicObject = serde_json::from_value(want.clone())?;
        let (change, result) = match &have {
            None => ("create", api.create(&params, &new).await.map(|_| ())),
            Some(h) if !is_copy_of(h.metadata.labels.as_ref(), &declared, &home) => {
                changes.push(Change {
                    namespace: ns,
                    change: "conflict",
                    detail: format!(
                        "{what} exists and is not this declaration's: never taken over"
                    ),
                });
                continue;
            }
            Some(h) if same_payload(&serde_json::to_value(h)?, &want) => ("unchanged", Ok(())),
            Some(h)
                if kind == CopyKind::RoleBinding
                    && serde_json::to_value(h)?["roleRef"] != want["roleRef"] =>
            {
                // roleRef cannot change: the copy would be made again. RBAC is asked about the
                // new one with a dry-run create under a name no one uses.
                new.metadata.name = Some(format!("{name}-ike-dry-run"));
                ("recreate", api.create(&params, &new).await.map(|_| ()))
            }
            Some(h) => {
                new.metadata.resource_version = h.metadata.resource_version.clone();
                (
                    "update",
                    api.replace(&name, &params, &new).await.map(|_| ()),
                )
            }
        };
        changes.push(match result {
            Ok(()) => Change {
                namespace: ns,
                change,
                detail: what.clone(),
            },
            Err(kube::Error::Api(s)) => Change {
                namespace: ns,
                change: "refused",
                detail: s.message.replace(char::is_control, " "),
            },
            Err(e) => return Err(api_error(e, &format!("{what} in {ns}"))),
        });
    }
    Ok(changes)
}

/// The TenantObjects in `tenant`'s namespaces, sorted by namespace and name.
pub async fn list(target: &Target, tenant: &Tenant) -> anyhow::Result<Vec<TenantObject>> {
    let mut all = Vec::new();
    for ns in tenant.held_namespaces() {
        let api: Api<TenantObject> = target.namespaced(ns);
        let found = api
            .list(&ListParams::default())
            .await
            .map_err(|e| api_error(e, &format!("tenant objects in {ns}")))?;
        all.extend(found.items);
    }
    all.sort_by_key(|o| (o.namespace(), o.name_any()));
    Ok(all)
}

/// The names of the TenantObjects declared in `namespace`, sorted (none where the kind is not
/// served yet).
pub async fn declared_in(target: &Target, namespace: &str) -> anyhow::Result<Vec<String>> {
    let api: Api<TenantObject> = target.namespaced(namespace);
    match api.list_metadata(&ListParams::default()).await {
        Ok(list) => {
            let mut names: Vec<String> = list.items.iter().map(|o| o.name_any()).collect();
            names.sort();
            Ok(names)
        }
        Err(kube::Error::Api(s)) if s.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(api_error(e, &format!("tenant objects in {namespace}"))),
    }
}

/// Deletes TenantObject `name` of `tenant` (found in its namespaces, or in `namespace`).
pub async fn delete(
    target: &Target,
    tenant: &Tenant,
    name: &str,
    namespace: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<String> {
    let candidates: Vec<TenantObject> = list(target, tenant)
        .await?
        .into_iter()
        .filter(|o| {
            o.name_any() == name && namespace.is_none_or(|ns| o.namespace().as_deref() == Some(ns))
        })
        .collect();
    let object = match candidates.as_slice() {
        [one] => one,
        [] => anyhow::bail!(
            "tenant {} has no tenant-wide object {name}: 'ike tenant list-objects' shows them",
            tenant.name_any()
        ),
        _ => anyhow::bail!("{name} is declared in several namespaces: name one with -n"),
    };
    let home = object.namespace().unwrap_or_default();
    let api: Api<TenantObject> = target.namespaced(&home);
    let params = DeleteParams {
        dry_run,
        ..Default::default()
    };
    api.delete(name, &params)
        .await
        .map_err(|e| api_error(e, &format!("tenant object {home}/{name}")))?;
    Ok(home)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_object_of_a_file_becomes_a_declaration_and_a_secret_a_source() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ci\n  namespace: wherever\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: a-dev}]\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: regcred}\ntype: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: e30=}\n---\n";
        let found = declarations(text, "f.yaml", &["a-dev".into()]).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "rolebinding-ci");
        let template = found[0].spec.template.as_ref().unwrap();
        assert!(template["metadata"].get("namespace").is_none());
        assert_eq!(found[0].spec.namespaces, ["a-dev"]);
        assert_eq!(found[1].name, "secret-regcred");
        assert!(found[1].spec.template.is_none(), "a Secret is never inline");
        assert_eq!(found[1].spec.source.as_ref().unwrap().name, "regcred");
        assert_eq!(
            found[1].secret.as_ref().unwrap()["data"][".dockerconfigjson"],
            "e30="
        );
    }

    #[test]
    fn a_file_of_other_kinds_or_no_objects_is_refused_with_what_can_be_kept() {
        let e = declarations(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
            "f",
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("cannot be kept tenant-wide"), "{e}");
        let e = declarations("", "f", &[]).unwrap_err();
        assert!(e.to_string().contains("holds no object"), "{e}");
        let e = declarations("a: [", "f", &[]).unwrap_err();
        assert!(e.to_string().starts_with("f is not YAML"), "{e}");
        let e = declarations("- 1\n", "f", &[]).unwrap_err();
        assert!(e.to_string().contains("not an object"), "{e}");
        let e =
            declarations("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "f", &[]).unwrap_err();
        assert!(e.to_string().contains("without metadata.name"), "{e}");
    }

    #[test]
    fn the_home_namespace_is_one_the_tenant_holds() {
        let mut t = crate::api::fixtures::tenant("a", &[("alice", Role::Owner)], &["a-dev"]);
        assert!(
            home(&t, None)
                .unwrap_err()
                .to_string()
                .contains("holds no namespace")
        );
        t.status = Some(crate::api::fixtures::status(&["a-dev", "a-prod"], None));
        assert_eq!(home(&t, None).unwrap(), "a-dev");
        assert_eq!(home(&t, Some("a-prod")).unwrap(), "a-prod");
        assert!(
            home(&t, Some("b-dev"))
                .unwrap_err()
                .to_string()
                .contains("does not hold")
        );
    }
}
