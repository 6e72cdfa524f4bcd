//! Enrollment tokens (server side): the one-time secret an admin hands to a new account holder, redeemed by
//! `ike login` for a first certificate.
//!
//! A token is `ike1_` followed by 32 random bytes in unpadded base64url. Only its SHA-256 is
//! stored (in the Account's status), so reading the cluster does not reveal a usable token.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use kube::Api;
use kube::api::{Patch, PatchParams};
use ring::rand::SecureRandom as _;

use crate::api::consts::CONTROLLER_MANAGER;
use crate::api::{Account, Enrollment};
use crate::util::time::rfc3339;

/// Every token starts with this: it names the format, and lets secret scanners spot tokens.
pub const PREFIX: &str = "ike1_";

/// How long a token is accepted when nobody says otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Length of the random part, in bytes.
const RANDOM_BYTES: usize = 32;

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomError;

/// A new token: [`PREFIX`] and 32 random bytes, base64url without padding.
pub fn generate() -> Result<String, RandomError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| RandomError)?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The stored form of a token: SHA-256 of the whole token string, lower-case hex.
pub fn hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` hashes to `stored_hash`, compared in constant time so that response timing
/// reveals nothing about how much of a guess matched.
pub fn verify(token: &str, stored_hash: &str) -> bool {
    hash_matches(&hash(token), stored_hash)
}

/// Compares a computed hash with a stored one in constant time (for equal lengths; the length
/// of a hash is not secret).
pub fn hash_matches(computed: &str, stored_hash: &str) -> bool {
    let (a, b) = (computed.as_bytes(), stored_hash.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `token` has the shape of a token (prefix, 43 base64url characters). A cheap check
/// before hashing, so that obviously wrong input gets a precise message.
pub fn is_well_formed(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A new token and the hash and expiry to store for it.
pub fn new_enrollment(ttl: Duration, now: SystemTime) -> Result<(String, Enrollment), RandomError> {
    let token = generate()?;
    let enrollment = Enrollment {
        token_hash: hash(&token),
        expires_at: rfc3339(now + ttl),
    };
    Ok((token, enrollment))
}

/// Stores `enrollment` in the Account's status (merge patch: nothing else changes).
pub async fn store_enrollment(
    accounts: &Api<Account>,
    name: &str,
    enrollment: &Enrollment,
) -> Result<Account, kube::Error> {
    let patch = serde_json::json!({ "status": { "enrollment": enrollment } });
    accounts
        .patch_status(
            name,
            &PatchParams {
                field_manager: Some(CONTROLLER_MANAGER.to_string()),
                ..PatchParams::default()
            },
            &Patch::Merge(&patch),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_the_prefix_and_32_random_bytes_in_unpadded_base64url() {
        let token = generate().unwrap();
        assert!(token.starts_with("ike1_"), "{token}");
        let rest = &token[PREFIX.len()..];
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(rest)
            .unwrap();
        assert_eq!(bytes.len(), 32);
        assert!(!rest.contains('='));
        assert!(is_well_formed(&token));
    }

    #[test]
    fn tokens_differ() {
        let tokens: std::collections::HashSet<_> = (0..100).map(|_| generate().unwrap()).collect();
        assert_eq!(tokens.len(), 100);
    }

    #[test]
    fn the_hash_is_lower_case_hex_sha256_of_the_whole_token() {
        // sha256("abc"), a published test vector.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = generate().unwrap();
        let h = hash(&token);
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(
            h,
            hash(&token[PREFIX.len()..]),
            "the prefix is part of the hash"
        );
    }

    #[test]
    fn only_the_right_token_verifies() {
        let token = generate().unwrap();
        let stored = hash(&token);
        assert!(verify(&token, &stored));
        assert!(!verify(&generate().unwrap(), &stored));
        let mut altered = token.clone();
        altered.pop();
        altered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(!verify(&altered, &stored));
        assert!(!verify("", &stored));
        assert!(!verify(&token, ""));
        assert!(!verify(&token, &stored[..63]));
        assert!(!verify(&token, &stored.to_uppercase()));
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("ike1_"));
        assert!(!is_well_formed(
            "ike2_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(!is_well_formed(
            "ike1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        ));
        assert!(!is_well_formed(
            "ike1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(is_well_formed(
            "ike1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
    }

    #[test]
    fn the_default_lifetime_is_a_day() {
        assert_eq!(DEFAULT_LIFETIME, Duration::from_secs(86_400));
    }
}
