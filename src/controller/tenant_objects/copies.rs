//! Writing and removing the copies of one TenantObject in one namespace.
//!
//! Copies are written by a client that impersonates the owner who declared the object, so the
//! API server's RBAC (escalation check included) and ike's webhooks judge each copy as they
//! would one that owner made by hand. Removal uses the controller's own client (a deletion
//! grants nothing) and only ever deletes an object labelled as this declaration's copy.

use http::HeaderValue;
use kube::api::{Api, DeleteParams, DynamicObject, PostParams, Preconditions};
use serde_json::Value;

use crate::api::consts::TENANT_OBJECT_MANAGER;
use crate::api::tenant_object::{CopyKind, is_copy_of, same_payload};
use crate::controller::runtime::{KubeError, kube_err};

/// What happened to the copy in one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The copy is there as declared (`true`: written now).
    Applied(bool),
    /// An object of that name exists that this declaration did not make.
    Conflict,
    /// The API server or a webhook refused the write, with its message.
    Refused(String),
}

/// Sends every request through the controller's client with `Impersonate-User` set.
#[derive(Clone)]
struct Impersonate {
    base: kube::Client,
    user: HeaderValue,
}

impl tower_service::Service<http::Request<kube::client::Body>> for Impersonate {
    type Response = http::Response<kube::client::Body>;
    type Error = kube::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, kube::Error>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), kube::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: http::Request<kube::client::Body>) -> Self::Future {
        request
            .headers_mut()
            .insert("Impersonate-User", self.user.clone());
        let base = self.base.clone();
        Box::pin(async move { base.send(request).await })
    }
}

/// A client that sends every request as `user` (`Impersonate-User`), through `client`'s own
/// connection and credentials.
pub fn impersonating(client: &kube::Client, user: &str) -> Result<kube::Client, String> {
    let user = HeaderValue::from_str(user).map_err(|_| format!("{user:?} is no user name"))?;
    let service = Impersonate {
        base: client.clone(),
        user,
    };
    Ok(kube::Client::new(service, client.default_namespace()))
}

/// The API of `kind` in `namespace`.
pub fn api(client: &kube::Client, kind: CopyKind, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), namespace, &kind.api_resource())
}

/// A refusal the API server answers for a write: not a failure to retry, a verdict to report.
fn refusal(error: &kube::Error) -> Option<String> {
    match error {
        kube::Error::Api(s) if matches!(s.code, 400 | 403 | 409 | 422) => Some(s.message.clone()),
        _ => None,
    }
}

fn object(value: &Value, what: &str) -> Result<DynamicObject, KubeError> {
    serde_json::from_value(value.clone())
        .map_err(|e| kube_err(what.to_string())(kube::Error::SerdeError(e)))
}

/// Makes the copy in its namespace `want` (as `writer`), unless it is there already; an object
/// of that name this declaration did not make is never taken over.
pub async fn apply(
    writer: &kube::Client,
    kind: CopyKind,
    object: &str,
    home: &str,
    want: &Value,
) -> Result<Outcome, KubeError> {
    let namespace = want["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = want["metadata"]["name"].as_str().unwrap_or_default();
    let what = format!("{} {namespace}/{name}", kind.kind());
    let api = api(writer, kind, namespace);
    let params = PostParams {
        field_manager: Some(TENANT_OBJECT_MANAGER.into()),
        ..Default::default()
    };
    let have = match api.get_opt(name).await {
        Ok(have) => have,
        Err(e) => match refusal(&e) {
            Some(message) => return Ok(Outcome::Refused(message)),
            None => return Err(kube_err(format!("reading {what}"))(e)),
        },
    };
    let Some(have) = have else {
        return create(&api, &params, want, &what).await;
    };
    if !is_copy_of(have.metadata.labels.as_ref(), object, home) {
        return Ok(Outcome::Conflict);
    }
    let have_value = serde_json::to_value(&have)
        .map_err(|e| kube_err(format!("reading {what}"))(kube::Error::SerdeError(e)))?;
    if same_payload(&have_value, want) {
        return Ok(Outcome::Applied(false));
    }
    // The declared object whole, over what someone changed or added: a replace (with the
    // resourceVersion read, so a concurrent change is read again, never overwritten blind).
    let mut replacement = object_value(want, &what)?;
    replacement.metadata.resource_version = have.metadata.resource_version.clone();
    let role_ref_changed =
        kind == CopyKind::RoleBinding && have_value["roleRef"] != want["roleRef"];
    if role_ref_changed {
        // roleRef cannot change: the binding is made again.
        delete_exact(&api, &have, &what).await?;
        return create(&api, &params, want, &what).await;
    }
    match api.replace(name, &params, &replacement).await {
        Ok(_) => Ok(Outcome::Applied(true)),
        Err(e) => match refusal(&e) {
            Some(message) => Ok(Outcome::Refused(message)),
            None => Err(kube_err(format!("replacing {what}"))(e)),
        },
    }
}

fn object_value(want: &Value, what: &str) -> Result<DynamicObject, KubeError> {
    object(want, &format!("writing {what}"))
}

async fn create(
    api: &Api<DynamicObject>,
    params: &PostParams,
    want: &Value,
    what: &str,
) -> Result<Outcome, KubeError> {
    let new = object_value(want, what)?;
    let mut tried_again = false;
    loop {
        match api.create(params, &new).await {
            Ok(_) => return Ok(Outcome::Applied(true)),
            // A namespace the tenant got a moment ago: the owner's binding there may not have
            // reached the API server's authorizer yet. Once more, then report.
            Err(kube::Error::Api(s)) if s.code == 403 && !tried_again => {
                tried_again = true;
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
            Err(e) => {
                return match refusal(&e) {
                    Some(message) => Ok(Outcome::Refused(message)),
                    None => Err(kube_err(format!("creating {what}"))(e)),
                };
            }
        }
    }
}

async fn delete_exact(
    api: &Api<DynamicObject>,
    have: &DynamicObject,
    what: &str,
) -> Result<(), KubeError> {
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid: have.metadata.uid.clone(),
            resource_version: None,
        }),
        ..Default::default()
    };
    let name = have.metadata.name.clone().unwrap_or_default();
    match api.delete(&name, &params).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => Ok(()),
        Err(e) => Err(kube_err(format!("deleting {what}"))(e)),
    }
}

/// Deletes the copy named `name` of declaration `object` (of namespace `home`) in `namespace`,
/// as the controller, if it is one; returns whether it deleted.
pub async fn remove(
    client: &kube::Client,
    kind: CopyKind,
    object: &str,
    home: &str,
    namespace: &str,
    name: &str,
) -> Result<bool, KubeError> {
    let what = format!("{} {namespace}/{name}", kind.kind());
    let api = api(client, kind, namespace);
    let have = api
        .get_opt(name)
        .await
        .map_err(kube_err(format!("reading {what}")))?;
    match have {
        Some(have) if is_copy_of(have.metadata.labels.as_ref(), object, home) => {
            delete_exact(&api, &have, &what).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
