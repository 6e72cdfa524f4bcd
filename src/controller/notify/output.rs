//! Where the rendered Alertmanager configuration goes, and how to tell that it is there already.
//!
//! - A Secret, key `alertmanager.yaml`: the one a prometheus-operator `Alertmanager` resource
//!   names in `configSecret`. The operator and its config-reloader take it from there.
//! - A file, for a plain Alertmanager started with `--config.file`; the publisher then asks
//!   Alertmanager to `POST /-/reload`.
//!
//! What is there is compared by fingerprint (SHA-256 of the bytes), read from the output itself
//! at start, so a restarted controller writes nothing when nothing changed.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};

use super::alertmanager::fingerprint;
use crate::api::consts::{CONTROLLER_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE};

/// The key of the configuration in the Secret, as prometheus-operator reads it.
pub const SECRET_KEY: &str = "alertmanager.yaml";
/// The annotation carrying the fingerprint on the Secret, for people and scripts.
pub const FINGERPRINT_ANNOTATION: &str = "monitoring.ike.dev/fingerprint";

/// One destination of the rendered configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A Secret `namespace/name` (key `alertmanager.yaml`).
    Secret {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// A file Alertmanager reads (`--config.file`); written atomically.
    File(PathBuf),
}

/// Why the configuration could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or did not answer.
    #[error("{what} Secret {namespace}/{name}")]
    Kube {
        /// Reading or writing.
        what: &'static str,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// Why.
        #[source]
        source: kube::Error,
    },
    /// The file could not be read or written.
    #[error("{what} {}", path.display())]
    File {
        /// Reading or writing.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Output {
    /// `NAMESPACE/NAME` as a Secret output.
    pub fn parse_secret(text: &str) -> Result<Self, String> {
        match text.split_once('/') {
            Some((namespace, name))
                if crate::api::names::is_dns_label(namespace)
                    && crate::api::names::is_dns_subdomain(name, 253) =>
            {
                Ok(Output::Secret {
                    namespace: namespace.into(),
                    name: name.into(),
                })
            }
            _ => Err(format!("'{text}' is not NAMESPACE/NAME of a Secret")),
        }
    }

    /// What it is, for logs and statuses.
    pub fn describe(&self) -> String {
        match self {
            Output::Secret { namespace, name } => format!("Secret {namespace}/{name}"),
            Output::File(path) => format!("file {}", path.display()),
        }
    }

    /// The short name used in metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Output::Secret { .. } => "secret",
            Output::File(_) => "file",
        }
    }

    /// The fingerprint of what is there now; `None` when nothing is.
    pub async fn current(&self, client: &kube::Client) -> Result<Option<String>, Error> {
        match self {
            Output::Secret { namespace, name } => {
                let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
                let secret = api.get_opt(name).await.map_err(|source| Error::Kube {
                    what: "reading",
                    namespace: namespace.clone(),
                    name: name.clone(),
                    source,
                })?;
                let data = secret.and_then(|s| s.data?.remove(SECRET_KEY));
                Ok(data.map(|bytes| fingerprint(&String::from_utf8_lossy(&bytes.0))))
            }
            Output::File(path) => match tokio::fs::read(path).await {
                Ok(bytes) => Ok(Some(fingerprint(&String::from_utf8_lossy(&bytes)))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(Error::File {
                    what: "reading",
                    path: path.clone(),
                    source,
                }),
            },
        }
    }

    /// Writes `rendered` (whose fingerprint is `fingerprint`).
    pub async fn write(
        &self,
        client: &kube::Client,
        rendered: &str,
        fingerprint: &str,
    ) -> Result<(), Error> {
        match self {
            Output::Secret { namespace, name } => {
                use base64::Engine as _;
                let data = base64::engine::general_purpose::STANDARD.encode(rendered);
                let secret = serde_json::json!({
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {
                        "name": name,
                        "namespace": namespace,
                        "labels": { MANAGED_BY_LABEL: MANAGED_BY_VALUE },
                        "annotations": { FINGERPRINT_ANNOTATION: fingerprint },
                    },
                    "type": "Opaque",
                    "data": { SECRET_KEY: data },
                });
                let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
                api.patch(
                    name,
                    &PatchParams::apply(CONTROLLER_MANAGER).force(),
                    &Patch::Apply(&secret),
                )
                .await
                .map_err(|source| Error::Kube {
                    what: "writing",
                    namespace: namespace.clone(),
                    name: name.clone(),
                    source,
                })?;
                Ok(())
            }
            Output::File(path) => {
                let (path, bytes) = (path.clone(), rendered.as_bytes().to_vec());
                let written = tokio::task::spawn_blocking({
                    let path = path.clone();
                    move || crate::util::fs::write_atomic(&path, &bytes)
                })
                .await
                .unwrap_or_else(|join| Err(std::io::Error::other(join)));
                written.map_err(|source| Error::File {
                    what: "writing",
                    path,
                    source,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_outputs_are_namespace_slash_name() {
        assert_eq!(
            Output::parse_secret("monitoring/alertmanager-main"),
            Ok(Output::Secret {
                namespace: "monitoring".into(),
                name: "alertmanager-main".into()
            })
        );
        for bad in ["alertmanager-main", "a/b/c", "/x", "Mon/x"] {
            assert!(Output::parse_secret(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_file_output_reads_back_the_fingerprint_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let output = Output::File(dir.path().join("alertmanager.yml"));
        // Never used: files need no cluster.
        let client =
            kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap()))
                .unwrap();
        assert_eq!(output.current(&client).await.unwrap(), None);
        let rendered = "route: {receiver: x}\n";
        output
            .write(&client, rendered, &fingerprint(rendered))
            .await
            .unwrap();
        assert_eq!(
            output.current(&client).await.unwrap(),
            Some(fingerprint(rendered))
        );
    }
}
