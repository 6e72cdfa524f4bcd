//! Installing and upgrading ike's CRDs with server-side apply.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::Api;
use kube::runtime::wait::{await_condition, conditions};

/// Errors installing the CRDs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused the apply.
    #[error("applying CRD {name} failed")]
    Apply {
        /// The CRD.
        name: String,
        /// Why.
        source: kube::Error,
    },
    /// The CRD never became Established.
    #[error("CRD {name} did not become established within 30 s")]
    NotEstablished {
        /// The CRD.
        name: String,
    },
}

/// Applies every CRD that is missing or differs (creating or upgrading it) and waits until
/// each is established.
pub async fn install(
    client: &kube::Client,
    metrics: &super::metrics::Metrics,
) -> Result<(), Error> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crate::api::crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let applied = super::apply::apply_if_changed(&api, &name, &crd)
            .await
            .map_err(|source| Error::Apply {
                name: name.clone(),
                source,
            })?;
        if applied {
            metrics.crds_applied.inc();
        }
        let established = await_condition(api.clone(), &name, conditions::is_crd_established());
        match tokio::time::timeout(Duration::from_secs(30), established).await {
            Ok(Ok(_)) => tracing::info!(crd = %name, "CRD established"),
            _ => return Err(Error::NotEstablished { name }),
        }
    }
    Ok(())
}
