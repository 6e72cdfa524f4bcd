//! Accounts and certificate login, end to end: the account API in `ike-controller`, `ike login`
//! and its kubeconfig entry, kubectl through ike's credential plugin.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::harness::{User, admin, create_account, enrolled, env, fails, kubectl, ok, unique};

/// An account API client presenting `identity` (cert, key), trusting the cluster CA.
pub(crate) fn client(identity: Option<(&str, &str)>) -> ike::client::account_client::AccountClient {
    ike::client::account_client::AccountClient::new(
        &env().account_api,
        Some(&env().ca_cert_pem),
        identity
            .map(|(cert_pem, key_pem)| ike::client::account_client::Identity { cert_pem, key_pem }),
        Duration::from_secs(10),
    )
    .unwrap()
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Renews with `cert`/`key` as the client identity.
pub(crate) fn renew_as(
    cert: &str,
    key: &str,
    csr: &str,
) -> Result<ike::api::wire::IssueResponse, ike::client::account_client::Error> {
    block_on(
        client(Some((cert, key))).renew(&ike::api::wire::RenewRequest {
            csr: csr.to_string(),
            ttl_seconds: None,
        }),
    )
}

pub(crate) fn identity(user: &User) -> (String, String) {
    let text = std::fs::read_to_string(user.site_dir(&env().site).join("identity.pem")).unwrap();
    let at = text.find("-----BEGIN PRIVATE KEY-----").unwrap();
    (text[..at].to_string(), text[at..].to_string())
}

pub(crate) fn serial(user: &User) -> String {
    ike::pki::cert_info(&identity(user).0).unwrap().serial
}

#[test]
fn an_enrolled_account_can_do_what_its_rbac_allows_and_nothing_more() {
    let user = enrolled("alice");
    let ns = unique("alice-ns");
    ok(kubectl(&["create", "namespace", &ns]));
    ok(kubectl(&[
        "create",
        "rolebinding",
        "edit",
        "-n",
        &ns,
        "--clusterrole=edit",
        &format!("--user={}", user.account),
    ]));

    // The key never left the machine and is private.
    let meta = std::fs::metadata(user.site_dir(&env().site).join("identity.pem")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    let kc = std::fs::metadata(user.kubeconfig()).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&kc.permissions()) & 0o777,
        0o600
    );

    // kubectl uses the new context (current) through the credential plugin.
    let ctx = ok(user.kubectl(&["config", "current-context"]));
    assert_eq!(ctx.trim(), format!("ike-{}", env().site));
    ok(user.kubectl(&["create", "configmap", "c", "-n", &ns, "--from-literal=a=b"]));
    ok(user.kubectl(&["get", "configmaps", "-n", &ns]));
    let denied = fails(user.kubectl(&["get", "pods", "-n", "default"]));
    assert!(
        denied.contains(&format!(
            "User \"{}\" cannot list resource \"pods\"",
            user.account
        )),
        "{denied}"
    );
    let denied = fails(user.kubectl(&["get", "secrets", "-A"]));
    assert!(denied.contains("forbidden"), "{denied}");
    let can = user.kubectl(&["auth", "can-i", "create", "namespaces"]);
    assert_eq!(String::from_utf8_lossy(&can.stdout).trim(), "no");

    // whoami from the account API.
    let who: serde_json::Value =
        serde_json::from_str(&ok(user.ike(&["whoami", "-o", "json"]))).unwrap();
    assert_eq!(who["account"], user.account.as_str());
    assert_eq!(who["site"], env().site.as_str());
    assert_eq!(who["serial"], serial(&user).as_str());
    ok(kubectl(&["delete", "namespace", &ns, "--wait=false"]));
}

#[test]
fn a_forged_csr_subject_gets_a_certificate_for_the_account_only() {
    let account = unique("mallory");
    let token = create_account(&account, &[]);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["kubernetes.default".into(), "127.0.0.1".into()])
            .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "admin");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "system:masters");
    let csr = params.serialize_request(&key).unwrap().pem().unwrap();
    let issued = block_on(client(None).enroll(&ike::api::wire::EnrollRequest {
        token,
        csr,
        ttl_seconds: None,
    }))
    .unwrap();
    let info = ike::pki::cert_info(&issued.certificate).unwrap();
    assert_eq!(info.common_name.as_deref(), Some(account.as_str()));
    assert!(info.organizations.is_empty(), "{:?}", info.organizations);

    // With that certificate kubectl is the account, not an admin.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let cert = write("c.pem", &issued.certificate);
    let keyf = write("k.pem", &key.serialize_pem());
    let ca = write("ca.pem", &env().ca_cert_pem);
    let server = ok(kubectl(&[
        "config",
        "view",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.server}",
    ]));
    let out = std::process::Command::new("kubectl")
        .args([
            "--server",
            &server,
            "--certificate-authority",
            &ca,
            "--client-certificate",
            &cert,
            "--client-key",
            &keyf,
        ])
        .args(["--kubeconfig", "/dev/null", "get", "secrets", "-A"])
        .output()
        .unwrap();
    let stderr = fails(out);
    assert!(
        stderr.contains(&format!(
            "User \"{account}\" cannot list resource \"secrets\""
        )),
        "{stderr}"
    );
}

#[test]
fn replayed_expired_and_disabled_tokens_are_refused_and_nothing_is_issued() {
    // Replay.
    let replay = User::new(&unique("replay"));
    let token = create_account(&replay.account, &[]);
    ok(replay.login(&token, &[]));
    let again = User::new(&replay.account);
    let err = fails(again.login(&token, &[]));
    assert!(err.contains("token"), "{err}");
    assert!(!again.site_dir(&env().site).exists());

    // Expired.
    let late = User::new(&unique("late"));
    let token = create_account(&late.account, &[]);
    // Tokens live at least a minute; move this one's expiry into the past instead of waiting.
    ok(kubectl(&[
        "patch",
        "account",
        &late.account,
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"enrollment":{"expiresAt":"2020-01-01T00:00:00Z"}}}"#,
    ]));
    refused_by_the_account_api(&token, "expired");
    let err = fails(late.login(&token, &[]));
    assert!(err.contains("expired"), "{err}");
    assert!(!late.site_dir(&env().site).exists());

    // A disabled account's token.
    let gone = User::new(&unique("gone"));
    let token = create_account(&gone.account, &[]);
    ok(admin().ike(&["account", "disable", &gone.account]));
    refused_by_the_account_api(&token, "disabled");
    let err = fails(gone.login(&token, &[]));
    assert!(err.contains("disabled"), "{err}");

    // None of them got a certificate.
    for account in [&late.account, &gone.account] {
        let certs = ok(kubectl(&[
            "get",
            "account",
            account,
            "-o",
            "jsonpath={.status.certificates}",
        ]));
        assert!(
            certs.trim().is_empty() || certs.trim() == "[]",
            "{account}: {certs}"
        );
    }
}

#[test]
fn renewal_is_refused_at_tls_for_expired_or_foreign_certificates_and_at_once_when_disabled() {
    let user = enrolled("renew");
    let (cert, key) = identity(&user);
    // Works while enabled.
    let (_, csr) = ike::pki::new_key_and_csr(&user.account).unwrap();
    renew_as(&cert, &key, &csr).unwrap();

    // An expired certificate from the right CA: refused in the TLS handshake.
    let ca = rcgen::Issuer::from_ca_cert_pem(
        &env().ca_cert_pem,
        rcgen::KeyPair::from_pem(&env().ca_key_pem).unwrap(),
    )
    .unwrap();
    let old_key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, user.account.as_str());
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(3);
    params.not_after = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let expired = params.signed_by(&old_key, &ca).unwrap().pem();
    let err = renew_as(&expired, &old_key.serialize_pem(), &csr).unwrap_err();
    assert!(
        err.status().is_none(),
        "expected a TLS failure, got an HTTP answer: {err}"
    );

    // A certificate from another CA with the same name: refused in the TLS handshake.
    let other_key = rcgen::KeyPair::generate().unwrap();
    let mut other_ca = rcgen::CertificateParams::default();
    other_ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other_issuer = rcgen::Issuer::new(other_ca, other_key);
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, user.account.as_str());
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let foreign = params.signed_by(&old_key, &other_issuer).unwrap().pem();
    let err = renew_as(&foreign, &old_key.serialize_pem(), &csr).unwrap_err();
    assert!(
        err.status().is_none(),
        "expected a TLS failure, got an HTTP answer: {err}"
    );

    // Disabled: refused from that moment on, though the certificate is valid.
    ok(admin().ike(&["account", "disable", &user.account]));
    let start = Instant::now();
    loop {
        let r = renew_as(&cert, &key, &csr);
        match r {
            Err(e) if e.status() == Some(hyper::StatusCode::FORBIDDEN) => {
                assert!(e.to_string().contains("disabled"), "{e}");
                break;
            }
            _ if start.elapsed() > Duration::from_secs(2) => {
                panic!("renewal still allowed 2 s after disabling: {r:?}")
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let err = fails(user.ike(&["login", "--site", &env().site]));
    assert!(err.contains("disabled"), "{err}");
}

#[test]
fn the_credential_plugin_renews_an_almost_expired_certificate_during_a_kubectl_call() {
    let user = User::new(&unique("plugin"));
    let token = create_account(&user.account, &[]);
    ok(user.login(&token, &["--ttl", "10m"]));
    let before = serial(&user);
    // Fresh: kubectl gets the current certificate, nothing is renewed.
    ok(user.kubectl(&["get", "--raw", "/version"]));
    assert_eq!(serial(&user), before, "renewed without being due");
    let start = Instant::now();
    let out = std::process::Command::new("kubectl")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", user.home())
        .env("XDG_DATA_HOME", user.home().join(".local/share"))
        .env("IKE_RENEW_WITHIN", "1h")
        .stdin(std::process::Stdio::null())
        // 10 minutes left is "almost expired" for a 1 h renewal window.
        .args(["get", "--raw", "/version"])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.to_lowercase().contains("token") && !stderr.contains("password"),
        "prompted: {stderr}"
    );
    let after = serial(&user);
    assert_ne!(after, before, "the plugin did not renew");
    let info = ike::pki::cert_info(&identity(&user).0).unwrap();
    let left = info
        .not_after
        .duration_since(std::time::SystemTime::now())
        .unwrap();
    // Renewed for the lifetime chosen at login, not the server's default of 12 h.
    assert!(
        left > Duration::from_secs(9 * 60) && left <= Duration::from_secs(10 * 60),
        "renewed for the chosen 10 minutes, got {left:?}"
    );
}

#[test]
fn twenty_concurrent_logins_into_one_kubeconfig_keep_every_context() {
    let shared = tempfile::tempdir().unwrap();
    let kubeconfig = shared.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.example:6443\nusers:\n- name: me\n  user:\n    token: secret\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: me\n- name: staging\n  context:\n    cluster: prod\n    user: me\ncurrent-context: prod\n",
    )
    .unwrap();
    let pin = ike::pki::ca_pin(&env().ca_cert_pem).unwrap();
    let users: Vec<(User, String)> = (0..20)
        .map(|i| {
            let u = User::new(&unique(&format!("c{i}")));
            let token = create_account(&u.account, &[]);
            (u, token)
        })
        .collect();
    let children: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, (u, token))| {
            let site = format!("site{i}");
            let mut cmd = u.ike_command(&[
                "login",
                "--site",
                &site,
                "--server",
                &env().account_api,
                "--ca-pin",
                &pin,
                "--token",
                token,
                "--no-switch",
            ]);
            cmd.env("KUBECONFIG", &kubeconfig)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        ok(child.wait_with_output().unwrap());
    }
    let out = std::process::Command::new("kubectl")
        .args([
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "config",
            "get-contexts",
            "-o",
            "name",
        ])
        .output()
        .unwrap();
    let names: Vec<String> = ok(out).lines().map(String::from).collect();
    // kubectl sorts what it lists; the file's own order must keep the old entries first.
    let file: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    let in_file: Vec<&str> = file["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        &in_file[..2],
        ["prod", "staging"],
        "pre-existing contexts moved: {in_file:?}"
    );
    for i in 0..20 {
        assert!(
            names.contains(&format!("ike-site{i}")),
            "ike-site{i} missing: {names:?}"
        );
    }
    assert_eq!(names.len(), 22);
    let current = std::process::Command::new("kubectl")
        .args([
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "config",
            "current-context",
        ])
        .output()
        .unwrap();
    assert_eq!(ok(current).trim(), "prod");
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains("token: secret") && text.contains("https://prod.example:6443"));
}

#[test]
fn a_login_killed_mid_write_leaves_the_old_files_whole_fifty_times() {
    let user = enrolled("killed");
    let site = env().site.clone();
    let kubeconfig = user.kubeconfig();
    for round in 0..50 {
        let mut child = user
            .ike_command(&["login", "--site", &site])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis((round * 7 % 60) as u64));
        let _ = child.kill();
        let _ = child.wait();
        // kubectl can still read the kubeconfig, and the identity file is a whole cert + key.
        let ctx = std::process::Command::new("kubectl")
            .args([
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
                "config",
                "get-contexts",
                "-o",
                "name",
            ])
            .output()
            .unwrap();
        assert!(ok(ctx).contains(&format!("ike-{site}")), "round {round}");
        let (cert, key) = identity(&user);
        ike::pki::cert_info(&cert).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(
            key.trim_end().ends_with("-----END PRIVATE KEY-----"),
            "round {round}"
        );
    }
    // And the result still works.
    ok(user.kubectl(&["get", "--raw", "/version"]));
}

#[test]
fn malformed_requests_get_a_4xx_with_a_message_and_the_server_keeps_serving() {
    let (status, _) = raw_post(
        "/v1/enroll",
        "application/json",
        b"-----BEGIN CERTIFICATE REQUEST-----\ngarbage",
    );
    assert_eq!(status / 100, 4);
    let token = create_account(&unique("bad"), &[]);
    let (_, csr) = ike::pki::new_key_and_csr("x").unwrap();
    for (what, body, content_type) in [
        ("garbage PEM", serde_json::json!({"token": token, "csr": "-----BEGIN CERTIFICATE REQUEST-----\nnot base64!\n-----END CERTIFICATE REQUEST-----\n"}).to_string().into_bytes(), "application/json"),
        ("truncated CSR", serde_json::json!({"token": token, "csr": &csr[..csr.len() / 2]}).to_string().into_bytes(), "application/json"),
        // Over the 64 KiB limit, within what socket buffers hold. (Much larger bodies are refused the same way, but the server's
        // early close then races the client's write and the answer can be lost in the reset.)
        ("huge body", vec![b'a'; 80 * 1024], "application/json"),
        ("wrong content type", serde_json::json!({"token": token, "csr": csr}).to_string().into_bytes(), "text/plain"),
        ("not JSON", b"{{{".to_vec(), "application/json"),
    ] {
        let (mut status, mut answer) = raw_post("/v1/enroll", content_type, &body);
        // The server answers an oversized body at once and closes; on a loaded machine the
        // client may still be writing, and the reset then loses the answer (status 0): that is
        // TCP, not the server, so ask again (a 2xx or 5xx still fails).
        for _ in 0..4 {
            if status != 0 {
                break;
            }
            (status, answer) = raw_post("/v1/enroll", content_type, &body);
        }
        let body = answer;
        assert!((400..500).contains(&status), "{what}: HTTP {status}: {body}");
        let msg: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: not a JSON error: {body}"));
        let msg = msg["error"].as_str().unwrap_or_default().to_string();
        assert!(!msg.is_empty() && !msg.contains('\n'), "{what}: {msg:?}");
    }
    // The server still serves.
    let (status, _) = raw_get("/healthz");
    assert_eq!(status, 200);
}

fn raw_request(method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let url = &env().account_api;
    let addr = url.trim_start_matches("https://");
    let mut roots = rustls::RootCertStore::empty();
    for c in ike::client::account_client::certs_from_pem("ca", &env().ca_cert_pem).unwrap() {
        roots.add(c).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let sock = std::net::TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    // A body is sent only once the server asks for it (`Expect: 100-continue`), as curl does for
    // large ones: a body the server refuses from its Content-Length alone is then never sent, so
    // its answer cannot be lost to the reset of a close with unread data.
    let expect = if body.is_empty() {
        ""
    } else {
        "Expect: 100-continue\r\n"
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{expect}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let mut response = Vec::new();
    if !body.is_empty() {
        let mut buf = [0u8; 4096];
        while !response.windows(4).any(|w| w == b"\r\n\r\n") {
            match std::io::Read::read(&mut tls, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => response.extend_from_slice(&buf[..n]),
            }
        }
        if response.starts_with(b"HTTP/1.1 100") {
            let end = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or(0)
                + 4;
            response.drain(..end);
            let _ = tls.write_all(body);
        }
    }
    let _ = std::io::Read::read_to_end(&mut tls, &mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    // Chunked bodies: keep the JSON line only.
    let body = body
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or(&body)
        .to_string();
    (status, body)
}

fn raw_post(path: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    raw_request("POST", path, content_type, body)
}

fn raw_get(path: &str) -> (u16, String) {
    raw_request("GET", path, "text/plain", b"")
}

#[test]
fn logout_removes_only_ikes_own_key_certificate_and_kubeconfig_entries() {
    let user = enrolled("bye");
    let kc = user.kubeconfig();
    let text = std::fs::read_to_string(&kc).unwrap();
    let with_other = text.replacen(
        "contexts:\n",
        "contexts:\n- name: mine\n  context:\n    cluster: ike-e2e\n    user: ike-e2e\n",
        1,
    );
    std::fs::write(&kc, with_other).unwrap();
    let out = ok(user.ike(&["logout", "--site", &env().site, "--dry-run"]));
    assert!(out.contains("would remove"), "{out}");
    assert!(user.site_dir(&env().site).exists());
    ok(user.ike(&["logout", "--site", &env().site]));
    assert!(!user.site_dir(&env().site).exists());
    let names = ok(std::process::Command::new("kubectl")
        .args([
            "--kubeconfig",
            kc.to_str().unwrap(),
            "config",
            "get-contexts",
            "-o",
            "name",
        ])
        .output()
        .unwrap());
    assert_eq!(names.trim(), "mine");
}

#[test]
fn admins_manage_accounts_and_other_accounts_cannot() {
    let name = unique("managed");
    // Dry run creates nothing and prints the object.
    let yaml = ok(admin().ike(&[
        "account",
        "create",
        &name,
        "--display-name",
        "Managed Person",
        "--email",
        "m@example.com",
        "--dry-run",
        "-o",
        "yaml",
    ]));
    assert!(
        yaml.contains(&format!("name: {name}")) && yaml.contains("displayName: Managed Person"),
        "{yaml}"
    );
    fails(kubectl(&["get", "account", &name]));

    let token = create_account(
        &name,
        &[
            "--display-name",
            "Managed Person",
            "--email",
            "m@example.com",
        ],
    );
    assert!(token.starts_with("ike1_"), "{token}");
    let list: serde_json::Value =
        serde_json::from_str(&ok(admin().ike(&["account", "list", "-o", "json"]))).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a["metadata"]["name"] == name.as_str()),
        "{list}"
    );
    let table = ok(admin().ike(&["account", "list"]));
    assert!(table.lines().next().unwrap().starts_with("NAME"), "{table}");
    assert!(
        table.contains(&name) && table.contains("Managed Person"),
        "{table}"
    );
    let shown = ok(admin().ike(&["account", "show", &name, "-o", "json"]));
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["spec"]["email"], "m@example.com");

    ok(admin().ike(&["account", "disable", &name]));
    assert_eq!(
        ok(kubectl(&[
            "get",
            "account",
            &name,
            "-o",
            "jsonpath={.spec.disabled}"
        ])),
        "true"
    );
    ok(admin().ike(&["account", "enable", &name]));
    assert_eq!(
        ok(kubectl(&[
            "get",
            "account",
            &name,
            "-o",
            "jsonpath={.spec.disabled}"
        ])),
        "false"
    );
    let token2 = ok(admin().ike(&["account", "token", &name, "-o", "json"]));
    assert!(token2.contains("ike login --site"), "{token2}");

    // Without a terminal, delete needs --yes, and then it is gone.
    let err = fails(admin().ike(&["account", "delete", &name]));
    assert!(err.contains("--yes"), "{err}");
    ok(admin().ike(&["account", "delete", &name, "--yes"]));
    fails(kubectl(&["get", "account", &name]));

    // An ordinary account can neither create accounts nor make tokens.
    let user = enrolled("plain");
    let err = fails(user.ike(&["account", "create", &unique("sneaky")]));
    assert!(
        err.contains("may not") || err.contains("forbidden"),
        "{err}"
    );
    let err = fails(user.ike(&["account", "token", &user.account]));
    assert!(err.contains("admin"), "{err}");
    let err = fails(user.ike(&["account", "create", "Bad_Name"]));
    assert!(!err.contains('\n') || err.lines().count() <= 2, "{err}");
}

#[test]
fn account_commands_that_could_make_no_token_refuse_before_writing() {
    // The cluster admin's kubeconfig (system:masters) may write Accounts, but it is no ike
    // login: there is no account API to make the token with.
    let name = unique("no-token");
    let err = fails(crate::harness::ike(&["account", "create", &name]));
    assert!(
        err.starts_with(&format!(
            "error: account {name} would get no enrollment token, so nothing was created: "
        )),
        "{err}"
    );
    fails(kubectl(&["get", "account", &name]));

    // A lost device's replacement token: the certificates stay valid when no token can follow.
    create_account(&name, &[]);
    let valid_after = || {
        ok(kubectl(&[
            "get",
            "account",
            &name,
            "-o",
            "jsonpath={.spec.certificatesValidAfter}",
        ]))
    };
    let before = valid_after();
    fails(crate::harness::ike(&[
        "account",
        "token",
        &name,
        "--revoke-certificates",
    ]));
    assert_eq!(valid_after(), before);

    // A lifetime the account API refuses is refused before the account is created.
    let err = fails(admin().ike(&["account", "create", &unique("short"), "--token-ttl", "30s"]));
    assert!(err.contains("a token lives from 60 s to 7 days"), "{err}");
    ok(admin().ike(&["account", "delete", &name, "--yes"]));
}

/// Waits until the account API refuses `token` with a message containing `why`: its store has
/// seen the change. Asks with a CSR that is not one, which the API checks only after the token,
/// so asking never uses the token up.
fn refused_by_the_account_api(token: &str, why: &str) {
    let e = env();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = ike::client::account_client::AccountClient::new(
        &e.account_api,
        Some(&e.ca_cert_pem),
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    let request = ike::api::wire::EnrollRequest {
        token: token.to_string(),
        csr: "not a CSR".into(),
        ttl_seconds: None,
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let said = match runtime.block_on(client.enroll(&request)) {
            Ok(_) => panic!("a CSR that is not one was signed"),
            Err(err) => err.to_string(),
        };
        if said.contains(why) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the account API never refused the token as {why}: {said}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_bootstrap_token_is_in_its_0600_file_and_in_no_log() {
    use std::os::unix::fs::PermissionsExt as _;
    let e = env();
    // The admin has used it by now or not: either way it was handed out, and only in the file.
    let _ = admin();
    let token = &e.bootstrap_token;
    assert!(token.len() >= 20, "a real token: {token:?}");
    let file = e.dir.join("bootstrap-token");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", file.display());
    let mut logs = 0;
    for entry in std::fs::read_dir(&e.dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "log") {
            logs += 1;
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            assert!(
                !text.contains(token.as_str()),
                "the token is in {}",
                path.display()
            );
        }
    }
    assert!(
        logs > 0,
        "no logs in {}: the check saw nothing",
        e.dir.display()
    );
    let controller_log = std::fs::read_to_string(e.dir.join("ike-controller.log")).unwrap();
    assert!(
        controller_log.contains("bootstrap"),
        "the controller says where the token went"
    );
}
