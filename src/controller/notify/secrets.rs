//! Reading one value from a tenant's Secret, when it is needed and not before: the controller
//! keeps no copy of tenants' Secrets (no watch, no cache), and the value never reaches a log,
//! an event, a status or an error message.

use k8s_openapi::api::core::v1::Secret;
use kube::Api;

use crate::api::condition;

/// A value read from a Secret. Its `Debug` shows no part of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a secret the controller was given (its relay token).
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The value itself, to put in a request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// Why a value could not be read; messages name the Secret and key, never the value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Secret does not exist.
    #[error("Secret '{secret}' does not exist in namespace {namespace}")]
    Missing {
        /// The namespace.
        namespace: String,
        /// The Secret's name.
        secret: String,
    },
    /// The Secret has no such key, or it is empty.
    #[error("Secret '{secret}' has no key '{key}' (or it is empty)")]
    MissingKey {
        /// The Secret's name.
        secret: String,
        /// The key.
        key: String,
    },
    /// The value is not UTF-8 text.
    #[error("the value under the key '{key}' of Secret '{secret}' is not text")]
    NotText {
        /// The Secret's name.
        secret: String,
        /// The key.
        key: String,
    },
    /// The API server did not answer.
    #[error("cannot read Secret '{secret}'")]
    Api {
        /// The Secret's name.
        secret: String,
        /// Why.
        #[source]
        source: kube::Error,
    },
}

impl Error {
    /// Whether the tenant can fix it (missing Secret or key), as opposed to a passing API error.
    pub fn is_missing(&self) -> bool {
        !matches!(self, Error::Api { .. })
    }

    /// The condition reason: TokenSecretMissing for `token`, WebhookSecretMissing for `url`.
    pub fn reason(&self, key: &str) -> &'static str {
        match key {
            "token" => condition::TOKEN_SECRET_MISSING,
            _ => condition::WEBHOOK_SECRET_MISSING,
        }
    }
}

/// Reads `key` of Secret `namespace/name`, trimmed of surrounding white space (a file written
/// with `echo` ends in a line break).
pub async fn read(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<SecretValue, Error> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let secret = api
        .get_opt(name)
        .await
        .map_err(|source| Error::Api {
            secret: name.into(),
            source,
        })?
        .ok_or_else(|| Error::Missing {
            namespace: namespace.into(),
            secret: name.into(),
        })?;
    let missing = || Error::MissingKey {
        secret: name.into(),
        key: key.into(),
    };
    let bytes = match (
        secret.data.as_ref().and_then(|d| d.get(key)),
        &secret.string_data,
    ) {
        (Some(bytes), _) => bytes.0.clone(),
        // Only a dry-run answer would carry stringData; read it anyway.
        (None, Some(strings)) => strings.get(key).ok_or_else(missing)?.clone().into_bytes(),
        (None, None) => return Err(missing()),
    };
    let text = String::from_utf8(bytes).map_err(|_| Error::NotText {
        secret: name.into(),
        key: key.into(),
    })?;
    let text = text.trim();
    if text.is_empty() {
        return Err(missing());
    }
    Ok(SecretValue(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_value_never_shows_in_debug_output() {
        let value = SecretValue("hunter2".into());
        assert_eq!(format!("{value:?}"), "SecretValue(<redacted>)");
        assert_eq!(value.expose(), "hunter2");
    }
}
