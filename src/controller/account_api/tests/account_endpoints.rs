//! What logged-in accounts ask the account API, without a cluster (the [`Offline`] server):
//! enrollment tokens (platform admins), who they are, and whether another account exists.

use super::offline::Offline;
use super::*;
use crate::api::AccountStatus;
use crate::util::time::rfc3339;

#[tokio::test]
async fn only_active_admins_make_tokens() {
    let server =
        Offline::start(&[account("alice", false, false), account("root", true, true)]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let (status, body) = server
        .client(Some((&cert, &key)))
        .post("/v1/accounts/alice/token", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("only platform admins"));
    let (cert, key) = server.identity("root", HOUR, SystemTime::now());
    let (status, body) = server
        .client(Some((&cert, &key)))
        .post("/v1/accounts/alice/token", &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error_message(&body).contains("disabled"));
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_token_lifetime_outside_a_minute_to_a_week_is_refused_as_ike_refuses_it() {
    let server = Offline::start(&[account("boss", true, false)]).await;
    let (cert, key) = server.identity("boss", HOUR, SystemTime::now());
    let boss = server.client(Some((&cert, &key)));
    for seconds in [59, 7 * 24 * 3600 + 1] {
        let (status, body) = boss
            .post(
                "/v1/accounts/alice/token",
                &json!({ "ttlSeconds": seconds }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            error_message(&body),
            format!("ttlSeconds {seconds} is out of range: a token lives from 60 s to 7 days")
        );
        assert!(crate::api::wire::token_ttl(seconds).is_err());
    }
    for seconds in [60, 7 * 24 * 3600] {
        assert!(crate::api::wire::token_ttl(seconds).is_ok());
    }
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn whoami_describes_the_caller_and_its_certificate() {
    let mut alice = account("alice", true, false);
    alice.status = Some(AccountStatus {
        tenants: vec![crate::api::TenantRole {
            tenant: "shop".into(),
            role: crate::api::Role::Owner,
        }],
        ..AccountStatus::default()
    });
    let server = Offline::start(&[alice]).await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let info = pki::cert_info(&cert).unwrap();
    let (status, body) = server.client(Some((&cert, &key))).get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "account": "alice",
            "displayName": "alice display",
            "email": "alice@example.com",
            "admin": true,
            "disabled": false,
            "tenants": [{ "tenant": "shop", "role": "owner" }],
            "certificate": { "serial": info.serial, "notAfter": rfc3339(info.not_after) },
        })
    );
    // The shared wire type reads it.
    let parsed: crate::api::wire::WhoamiResponse = serde_json::from_value(body).unwrap();
    assert_eq!(parsed.account, "alice");
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn any_logged_in_account_learns_whether_another_exists_and_is_enabled_and_nothing_more() {
    let server = Offline::start(&[
        account("alice", false, false),
        account("bob", false, false),
        account("dave", false, true),
    ])
    .await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let alice = server.client(Some((&cert, &key)));
    let (status, body) = alice.get("/v1/accounts/bob").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "account": "bob", "exists": true, "disabled": false })
    );
    let (_, body) = alice.get("/v1/accounts/dave").await;
    assert_eq!(body["disabled"], true);
    // Unknown after the store's catch-up time (a second), not at once.
    let asked = Instant::now();
    let (status, body) = alice.get("/v1/accounts/zed").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({ "account": "zed", "exists": false, "disabled": false })
        )
    );
    assert!(asked.elapsed() >= handlers::STORE_CATCH_UP);
    let (status, body) = alice.get("/v1/accounts/Not%20A%20Name").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Only for logged-in accounts that are not disabled themselves.
    let (status, _) = server.client(None).get("/v1/accounts/bob").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (cert, key) = server.identity("dave", HOUR, SystemTime::now());
    let (status, _) = server
        .client(Some((&cert, &key)))
        .get("/v1/accounts/bob")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.api.shutdown().await.unwrap();
}
