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

/// Takes secrets out of text meant for a status, an Event or the log. Defence in depth: no
/// message is built from a secret or from a remote system's answer in the first place (see
/// [`super::http`]), but a message that somehow carried one still shows `<redacted>`.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

/// The shortest part of a secret URL redacted on its own (a signature, an id); shorter ones
/// (`1.0`, `manual`) are not secrets and would blank out ordinary words.
const SHORTEST_PART: usize = 8;

impl Redactor {
    /// Also redacts `secret`; for a URL, also each of its path segments and query values of
    /// at least 8 characters, as given and percent-decoded (a system may echo just the
    /// signature).
    pub fn with(mut self, secret: &SecretValue) -> Self {
        let value = secret.expose();
        self.secrets.push(value.to_string());
        if let Ok(uri) = value.parse::<hyper::Uri>()
            && uri.host().is_some()
        {
            let query = uri.query().unwrap_or_default();
            let parts = uri.path().split('/').chain(
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('=').map(|(_, v)| v)),
            );
            for part in parts.filter(|p| p.len() >= SHORTEST_PART) {
                self.secrets.push(part.to_string());
                self.secrets.push(percent_decoded(part));
            }
        }
        // Longest first, so that a part never leaves the rest of a longer secret behind.
        self.secrets.retain(|s| !s.is_empty());
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        self.secrets.dedup();
        self
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "<redacted>");
            }
        }
        text
    }
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn secrets_and_the_parts_of_a_secret_url_are_redacted() {
        let token = SecretValue("tok-0123456789".into());
        let url = SecretValue(
            "https://prod-1.x.logic.azure.com/workflows/abcdef0123/triggers/manual/paths/invoke?api-version=2016-06-01&sig=S1GN%2BATURE99"
                .into(),
        );
        let redactor = Redactor::default().with(&token).with(&url);
        for (echoed, kept) in [
            (
                "token tok-0123456789 has expired",
                "token <redacted> has expired",
            ),
            ("bad signature S1GN+ATURE99", "bad signature <redacted>"),
            ("bad signature S1GN%2BATURE99", "bad signature <redacted>"),
            ("workflow abcdef0123 is gone", "workflow <redacted> is gone"),
            (
                "HTTP 401 Unauthorized, manual trigger",
                "HTTP 401 Unauthorized, manual trigger",
            ),
        ] {
            assert_eq!(redactor.redact(echoed), kept);
        }
        assert_eq!(
            redactor.redact(&format!("posting to {} failed", url.expose())),
            "posting to <redacted> failed"
        );
    }

    #[test]
    fn a_secret_value_never_shows_in_debug_output() {
        let value = SecretValue("hunter2".into());
        assert_eq!(format!("{value:?}"), "SecretValue(<redacted>)");
        assert_eq!(value.expose(), "hunter2");
    }
}
