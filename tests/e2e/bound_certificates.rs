//! Certificates end with the account they were issued for, and a chosen lifetime sticks: the
//! account API in the shared `ike-controller`, `ike login` and kubectl through ike's credential
//! plugin, kube-controller-manager signing CSR-API requests. Every refusal next to the use it
//! must not break.

use std::io::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use crate::accounts::{identity, renew_as, serial};
use crate::harness::{User, admin, create_account, enrolled, env, fails, kubectl, ok, unique};

/// Renews with `user`'s current certificate; `Err` carries the account API's answer.
fn renew(user: &User) -> Result<(), ike::client::account_client::Error> {
    let (cert, key) = identity(user);
    let csr = ike::pki::new_key_and_csr(&user.account).unwrap().1;
    renew_as(&cert, &key, &csr).map(|_| ())
}

/// Polls until renewal with `user`'s certificate is refused with HTTP 403 saying `why` (the
/// account API follows the Account from a watch); panics after 10 s.
fn refused(user: &User, why: &str) {
    let start = Instant::now();
    loop {
        match renew(user) {
            Err(e) if e.status() == Some(hyper::StatusCode::FORBIDDEN) => {
                assert!(e.to_string().contains(why), "{e}");
                return;
            }
            other => assert!(
                start.elapsed() < Duration::from_secs(10),
                "renewal not refused as '{why}' after 10 s: {other:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn token(account: &str, extra: &[&str]) -> String {
    let mut args = vec!["account", "token", account, "-o", "json"];
    args.extend_from_slice(extra);
    let out = ok(admin().ike(&args));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// The certificate's lifetime from issue (notBefore + the 5-minute backdating) to notAfter.
fn lifetime(user: &User) -> Duration {
    let info = ike::pki::cert_info(&identity(user).0).unwrap();
    ike::client::identity::lifetime(info.not_before, info.not_after)
}

#[test]
fn a_deleted_and_recreated_accounts_old_certificate_renews_no_more_and_the_new_ones_does() {
    let old = enrolled("phoenix");
    renew(&old).expect("a valid certificate renews");
    ok(admin().ike(&["account", "delete", &old.account, "--yes"]));
    let token = create_account(&old.account, &[]);
    refused(&old, "earlier account");
    let err = fails(old.ike(&["whoami"]));
    assert!(err.contains("earlier account"), "{err}");
    let err = fails(old.ike(&["login", "--site", &env().site]));
    assert!(err.contains("earlier account"), "{err}");

    // The new account's person logs in with the new token and renews.
    let new = User::new(&old.account);
    ok(new.login(&token, &[]));
    renew(&new).expect("the new account's certificate renews");
    ok(new.ike(&["whoami"]));
}

#[test]
fn revoked_certificates_renew_no_more_and_a_device_enrolled_afterwards_works() {
    let laptop = enrolled("lost");
    let account = laptop.account.clone();
    // A second device of the same person: both work.
    let phone = User::new(&account);
    ok(phone.login(&token(&account, &[]), &[]));
    renew(&laptop).expect("the first device renews");
    renew(&phone).expect("the second device renews");

    // The laptop is lost: every certificate issued so far is revoked.
    let dry = admin().ike(&["account", "revoke-certificates", &account, "--dry-run"]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stderr).contains("would be revoked (dry run)"));
    renew(&laptop).expect("a dry run revokes nothing");
    let out = admin().ike(&["account", "revoke-certificates", &account]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("are revoked"), "{said}");
    let valid_after = ok(kubectl(&[
        "get",
        "account",
        &account,
        "-o",
        "jsonpath={.spec.certificatesValidAfter}",
    ]));
    assert!(
        ike::util::time::parse_rfc3339(&valid_after).is_some(),
        "{valid_after}"
    );
    refused(&laptop, "revoked");
    refused(&phone, "revoked");
    let err = fails(laptop.ike(&["whoami"]));
    assert!(err.contains("revoked"), "{err}");

    // The replacement, enrolled afterwards, works, and renews.
    let replacement = User::new(&account);
    ok(replacement.login(&token(&account, &[]), &[]));
    renew(&replacement).expect("a device enrolled after the revocation renews");
    ok(replacement.ike(&["whoami"]));
    ok(replacement.kubectl(&["get", "--raw", "/version"]));

    // A new token that revokes at once, for the next lost device.
    let newest = User::new(&account);
    let out = admin().ike(&[
        "account",
        "token",
        &account,
        "--revoke-certificates",
        "-o",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    ok(newest.login(v["token"].as_str().unwrap(), &[]));
    refused(&replacement, "revoked");
    renew(&newest).expect("the device enrolled with the revoking token renews");
}

#[test]
fn a_certificate_signed_through_the_csr_api_with_an_accounts_name_is_refused_by_the_account_api() {
    let user = enrolled("csrapi");
    let uid = ok(kubectl(&[
        "get",
        "account",
        &user.account,
        "-o",
        "jsonpath={.metadata.uid}",
    ]));
    // The CSR even asks for the account's binding extension: the signer must not copy it.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, user.account.as_str());
    let arcs: Vec<u64> = ike::api::consts::ACCOUNT_UID_OID
        .split('.')
        .map(|a| a.parse().unwrap())
        .collect();
    let mut uid_der = vec![0x0c, uid.len() as u8];
    uid_der.extend_from_slice(uid.as_bytes());
    params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(&arcs, uid_der)];
    let csr_pem = params.serialize_request(&key).unwrap().pem().unwrap();

    let name = unique("csr");
    let csr = serde_json::json!({
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": { "name": name },
        "spec": {
            "request": base64_encode(csr_pem.as_bytes()),
            "signerName": "kubernetes.io/kube-apiserver-client",
            "usages": ["client auth"],
        },
    });
    let mut apply = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&env().kubeconfig)
        .args(["create", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    apply
        .stdin
        .take()
        .unwrap()
        .write_all(csr.to_string().as_bytes())
        .unwrap();
    ok(apply.wait_with_output().unwrap());
    ok(kubectl(&["certificate", "approve", &name]));
    // kube-controller-manager signs it with the cluster CA, the account CA too.
    let start = Instant::now();
    let signed = loop {
        let out = ok(kubectl(&[
            "get",
            "csr",
            &name,
            "-o",
            "jsonpath={.status.certificate}",
        ]));
        if !out.trim().is_empty() {
            break String::from_utf8(base64_decode(out.trim())).unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "kube-controller-manager never signed the CSR"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let info = ike::pki::cert_info(&signed).unwrap();
    assert_eq!(info.common_name.as_deref(), Some(user.account.as_str()));
    assert_eq!(info.account_uid, None, "the signer copied the binding");

    // It is the account as far as kube-apiserver goes, but never renews nor answers whoami.
    let csr2 = ike::pki::new_key_and_csr(&user.account).unwrap().1;
    let err = renew_as(&signed, &key.serialize_pem(), &csr2).unwrap_err();
    assert_eq!(err.status(), Some(hyper::StatusCode::FORBIDDEN), "{err}");
    assert!(
        err.to_string().contains("not issued by ike's account API"),
        "{err}"
    );
    let client = crate::accounts::client(Some((&signed, &key.serialize_pem())));
    let err = crate::accounts::block_on(client.whoami()).unwrap_err();
    assert_eq!(err.status(), Some(hyper::StatusCode::FORBIDDEN), "{err}");
    // The account's own certificate still renews.
    renew(&user).expect("the account's own certificate renews");
    ok(kubectl(&["delete", "csr", &name]));
}

#[test]
fn a_chosen_lifetime_sticks_through_kubectl_calls_and_renewals() {
    let user = User::new(&unique("short"));
    let token = create_account(&user.account, &[]);
    // The token from standard input: never on a command line.
    let e = env();
    let pin = ike::pki::ca_pin(&e.ca_cert_pem).unwrap();
    let mut login = user
        .ike_command(&[
            "login",
            "--site",
            &e.site,
            "--server",
            &e.account_api,
            "--ca-pin",
            &pin,
            "--token-file",
            "-",
            "--ttl",
            "3m",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(login.stdin.take().unwrap(), "{token}").unwrap();
    ok(login.wait_with_output().unwrap());
    let three_minutes = Duration::from_secs(180);
    assert_eq!(lifetime(&user), three_minutes);

    // kubectl twice: the certificate is fresh, nothing is replaced.
    let first = serial(&user);
    ok(user.kubectl(&["get", "--raw", "/version"]));
    ok(user.kubectl(&["get", "--raw", "/version"]));
    assert_eq!(
        serial(&user),
        first,
        "a fresh 3-minute certificate was replaced"
    );
    assert_eq!(lifetime(&user), three_minutes);

    // A renewal (forced here by a renewal window longer than the lifetime) asks for 3 minutes.
    let out = std::process::Command::new("kubectl")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", user.home())
        .env("XDG_DATA_HOME", user.home().join(".local/share"))
        .env("IKE_RENEW_WITHIN", "1h")
        .stdin(Stdio::null())
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    ok(out);
    assert_ne!(serial(&user), first, "the plugin did not renew");
    assert_eq!(lifetime(&user), three_minutes);
    ok(user.ike(&["login", "--site", &e.site]));
    assert_eq!(lifetime(&user), three_minutes);

    // Back to the site's default (12 h), remembered as well.
    ok(user.ike(&["login", "--site", &e.site, "--ttl", "default"]));
    assert_eq!(lifetime(&user), Duration::from_secs(12 * 3600));
    let settings = std::fs::read_to_string(user.site_dir(&e.site).join("site.json")).unwrap();
    assert!(!settings.contains("ttlSeconds"), "{settings}");
    let left = ike::pki::cert_info(&identity(&user).0)
        .unwrap()
        .not_after
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left > Duration::from_secs(11 * 3600), "{left:?}");
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
