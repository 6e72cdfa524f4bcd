//! Certificates bound to their Account, without a cluster: a certificate speaks for the account
//! it names only while it carries that Account's UID and was issued no earlier than its
//! `certificatesValidAfter`. Each refusal next to the use it must not break.

use super::offline::Offline;
use super::*;
use crate::util::time::{parse_rfc3339, rfc3339};

fn with_valid_after(mut account: Account, valid_after: &str) -> Account {
    account.spec.certificates_valid_after = Some(valid_after.into());
    account
}

#[tokio::test]
async fn a_certificate_of_a_deleted_and_recreated_account_renews_no_more_and_is_nobody() {
    let server = Offline::start(&[account("alice", false, false)]).await;
    let mut server = server;
    let (old_cert, old_key) = server.identity("alice", HOUR, SystemTime::now());
    let old = server.client(Some((&old_cert, &old_key)));
    assert_eq!(old.post("/v1/renew", &renew_body()).await.0, StatusCode::OK);

    // Deleted, then created again under the same name: a new UID.
    server
        .writer
        .apply_watcher_event(&watcher::Event::Delete(account("alice", false, false)));
    let mut again = account("alice", false, false);
    again.metadata.uid = Some("uid-alice-2".into());
    server
        .writer
        .apply_watcher_event(&watcher::Event::Apply(again));

    let (status, body) = old.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        error_message(&body).contains("earlier account named alice"),
        "{body}"
    );
    let (status, body) = old.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The new alice's certificate works.
    let (cert, key) =
        server.identity_bound(&bound("alice", "uid-alice-2"), HOUR, SystemTime::now());
    let new = server.client(Some((&cert, &key)));
    let (status, body) = new.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = pki::cert_info(body["certificate"].as_str().unwrap()).unwrap();
    assert_eq!(renewed.account_uid.as_deref(), Some("uid-alice-2"));
    assert_eq!(new.get("/v1/whoami").await.0, StatusCode::OK);
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_certificate_the_account_api_did_not_issue_is_never_renewed_whatever_its_cn() {
    let server = Offline::start(&[account("alice", true, false)]).await;
    // Signed by the same CA with CN=alice but no binding, as kube-controller-manager signs
    // CSR-API requests and as a cluster admin's own certificate is.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "alice");
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::minutes(5);
    params.not_after = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let ca = rcgen::Issuer::from_ca_cert_pem(
        server.ca.cert_pem(),
        rcgen::KeyPair::from_pem(&server.ca_key).unwrap(),
    )
    .unwrap();
    let cert = params.signed_by(&key, &ca).unwrap().pem();
    let client = server.client(Some((&cert, &key.serialize_pem())));
    for (status, body) in [
        client.post("/v1/renew", &renew_body()).await,
        client.get("/v1/whoami").await,
        client.post("/v1/accounts/alice/token", &json!({})).await,
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(
            error_message(&body).contains("not issued by ike's account API"),
            "{body}"
        );
    }
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn revoked_certificates_are_refused_and_a_device_enrolled_afterwards_works() {
    let mut server = Offline::start(&[account("alice", false, false)]).await;
    let (laptop_cert, laptop_key) = server.identity("alice", HOUR, SystemTime::now());
    let (phone_cert, phone_key) = server.identity("alice", HOUR, SystemTime::now());
    let laptop = server.client(Some((&laptop_cert, &laptop_key)));
    let phone = server.client(Some((&phone_cert, &phone_key)));
    // Two devices of one person both work.
    assert_eq!(
        laptop.post("/v1/renew", &renew_body()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        phone.post("/v1/renew", &renew_body()).await.0,
        StatusCode::OK
    );

    // The laptop is lost: certificates issued before the next whole second are revoked.
    let now = SystemTime::now();
    let revoked_at = rfc3339(now + Duration::from_secs(1));
    server
        .writer
        .apply_watcher_event(&watcher::Event::Apply(with_valid_after(
            account("alice", false, false),
            &revoked_at,
        )));
    for client in [&laptop, &phone] {
        let (status, body) = client.post("/v1/renew", &renew_body()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(error_message(&body).contains("revoked"), "{body}");
        assert_eq!(client.get("/v1/whoami").await.0, StatusCode::FORBIDDEN);
    }

    // A certificate issued from now on (as a new enrollment is) renews, and so do its renewals.
    let revoked = parse_rfc3339(&revoked_at);
    let to = pki::AccountBinding {
        valid_after: revoked,
        ..bound("alice", "uid-alice")
    };
    let (cert, key) = server.identity_bound(&to, HOUR, SystemTime::now());
    let new = server.client(Some((&cert, &key)));
    let (status, body) = new.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = pki::cert_info(body["certificate"].as_str().unwrap()).unwrap();
    assert!(pki::issued_at(&renewed) >= revoked.unwrap());
    let (status, body) = new.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server.api.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_valid_after_that_is_not_a_time_refuses_every_certificate_with_what_to_do() {
    let server = Offline::start(&[with_valid_after(
        account("alice", false, false),
        "yesterday",
    )])
    .await;
    let (cert, key) = server.identity("alice", HOUR, SystemTime::now());
    let client = server.client(Some((&cert, &key)));
    let (status, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        error_message(&body).contains("'yesterday', which is not an RFC 3339 time"),
        "{body}"
    );
    server.api.shutdown().await.unwrap();
}
