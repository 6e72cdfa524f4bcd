//! Against a real control plane: one started here from the cached binaries, or the one whose
//! directory `IKE_TEST_CONTROL_PLANE` names. Every Account a test creates is deleted when its
//! `Cluster` is dropped, whatever the test's outcome.

use std::sync::Mutex;

use kube::api::{Patch, PatchParams, PostParams};

use super::*;
use crate::api::{AccountSpec, AccountStatus};
use crate::controller::account_api::tokens::{new_enrollment, store_enrollment};
use crate::controller::bootstrap::bootstrap_admin;
use crate::util::time::parse_rfc3339;

mod load;

/// One control plane for these tests, started from the cached binaries (it dies with the test
/// process); a missing binary fails the test with what to run.
fn shared_plane() -> &'static crate::local::ControlPlane {
    static PLANE: std::sync::OnceLock<crate::local::ControlPlane> = std::sync::OnceLock::new();
    PLANE.get_or_init(|| {
        let bins = crate::local::Binaries::locate().unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::Builder::new()
            .prefix("ike-account-api-")
            .tempdir()
            .unwrap()
            .keep();
        crate::local::ControlPlane::start(&bins, crate::local::Options::new(dir))
            .unwrap_or_else(|e| panic!("cannot start a control plane: {e}"))
    })
}

/// The control plane named by `IKE_TEST_CONTROL_PLANE`, else one started here.
struct Cluster {
    client: kube::Client,
    dir: PathBuf,
    server_url: String,
    /// Accounts to delete on drop.
    created: Mutex<Vec<String>>,
    /// The Account watch the API serves from, as the controller's stores hold it.
    stores: crate::controller::runtime::Stores,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.created.lock().unwrap_or_else(|p| p.into_inner()));
        if names.is_empty() {
            return;
        }
        // Drop cannot await: kubectl, the independent client, deletes them.
        let _ = std::process::Command::new("kubectl")
            .arg(format!(
                "--kubeconfig={}",
                self.dir.join("admin.kubeconfig").display()
            ))
            .args([
                "delete",
                "accounts.ike.dev",
                "--ignore-not-found",
                "--wait=false",
            ])
            .args(&names)
            .output();
    }
}

impl Cluster {
    async fn connect() -> Self {
        crate::install_crypto_provider();
        let dir = match std::env::var_os("IKE_TEST_CONTROL_PLANE") {
            Some(dir) => PathBuf::from(dir),
            None => shared_plane().dir.clone(),
        };
        let kubeconfig = kube::config::Kubeconfig::read_from(dir.join("admin.kubeconfig")).unwrap();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap();
        let server_url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let client = kube::Client::try_from(config).unwrap();
        install_crds(&client).await;
        let stores =
            crate::controller::runtime::Stores::new(client.clone(), "default", Default::default());
        stores.open();
        Self {
            client,
            dir,
            server_url,
            created: Mutex::new(Vec::new()),
            stores,
        }
    }

    fn ca(&self) -> AccountCa {
        let read = |f: &str| std::fs::read_to_string(self.dir.join(f)).unwrap();
        AccountCa::from_pem(&read("ca.crt"), &read("ca.key")).unwrap()
    }

    async fn start(&self) -> (AccountApi, Arc<AccountCa>) {
        let mut config = AccountApiConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            self.ca(),
            &self.server_url,
            "test-site",
        );
        config.record_interval = Duration::from_millis(500);
        let ca = config.ca.clone();
        let accounts = self.stores.accounts();
        (
            start(
                self.client.clone(),
                config,
                accounts.store(),
                accounts.listed(),
            )
            .await
            .unwrap(),
            ca,
        )
    }

    fn accounts(&self) -> Api<Account> {
        Api::all(self.client.clone())
    }

    /// Deletes Account `name` when this is dropped.
    fn clean_up(&self, name: &str) {
        self.created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(name.to_string());
    }

    /// Creates Account `name`; returns its UID.
    async fn create_account(&self, name: &str, admin: bool) -> String {
        self.clean_up(name);
        let account = Account::new(
            name,
            AccountSpec {
                admin,
                ..AccountSpec::default()
            },
        );
        self.accounts()
            .create(&PostParams::default(), &account)
            .await
            .unwrap()
            .metadata
            .uid
            .expect("a stored object has a UID")
    }

    /// Runs kubectl with `cert`/`key` as the user; returns (success, stdout + stderr).
    fn kubectl_as(&self, cert: &str, key: &str, args: &[&str]) -> (bool, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.crt"), cert).unwrap();
        std::fs::write(dir.path().join("c.key"), key).unwrap();
        let output = std::process::Command::new("kubectl")
            .arg(format!("--server={}", self.server_url))
            .arg(format!(
                "--certificate-authority={}",
                self.dir.join("ca.crt").display()
            ))
            .arg(format!(
                "--client-certificate={}",
                dir.path().join("c.crt").display()
            ))
            .arg(format!(
                "--client-key={}",
                dir.path().join("c.key").display()
            ))
            .arg("--kubeconfig=/dev/null")
            .args(args)
            .output()
            .expect("kubectl is installed");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Runs kubectl as the cluster admin.
    fn kubectl(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("kubectl")
            .arg(format!(
                "--kubeconfig={}",
                self.dir.join("admin.kubeconfig").display()
            ))
            .args(args)
            .output()
            .expect("kubectl is installed");
        assert!(output.status.success(), "kubectl {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

async fn install_crds(client: &kube::Client) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crate::api::crds() {
        let name = crd.metadata.name.clone().unwrap();
        crds.patch(
            &name,
            &PatchParams::apply("ike-account-api-tests").force(),
            &Patch::Apply(&crd),
        )
        .await
        .unwrap();
        kube::runtime::wait::await_condition(
            crds.clone(),
            &name,
            kube::runtime::conditions::is_crd_established(),
        )
        .await
        .unwrap();
    }
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

async fn enroll(client: &TestClient, token: &str) -> (StatusCode, Value, String) {
    let (key, csr) = pki::new_key_and_csr("x").unwrap();
    let (status, body) = client
        .post("/v1/enroll", &json!({ "token": token, "csr": csr }))
        .await;
    (status, body, key)
}

/// Polls `check` every 50 ms for up to `limit`; returns how long it took to become true.
async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_works_once_and_the_certificate_authenticates_as_the_account() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let anonymous = TestClient::new(api.local_addr(), ca.cert_pem(), None);

    // The bootstrap admin gets a token; enrolling with it works once.
    let admin = unique("admin");
    cluster.clean_up(&admin);
    let token = bootstrap_admin(cluster.client.clone(), &admin, None)
        .await
        .unwrap()
        .expect("a new admin gets a token");
    let stored = cluster.accounts().get_status(&admin).await.unwrap();
    let enrollment = stored.status.clone().unwrap().enrollment.unwrap();
    assert_eq!(enrollment.token_hash, tokens::hash(&token));
    // A restart that finds the token it handed out still pending writes nothing.
    let again = bootstrap_admin(cluster.client.clone(), &admin, Some(&token)).await;
    assert_eq!(again.unwrap(), None);
    let unchanged = cluster.accounts().get_status(&admin).await.unwrap();
    assert_eq!(
        unchanged.metadata.resource_version,
        stored.metadata.resource_version
    );
    // The watch must deliver the status before the token is usable from the store.
    within(Duration::from_secs(5), async || {
        anonymous
            .post("/v1/enroll", &json!({ "token": token, "csr": "garbage" }))
            .await
            .0
            == StatusCode::BAD_REQUEST
    })
    .await
    .expect("the token reached the store");
    let (status, body, admin_key) = enroll(&anonymous, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"], admin.as_str());
    let admin_cert = body["certificate"].as_str().unwrap().to_string();
    let serial = body["serial"].as_str().unwrap().to_string();

    let (status, body, _) = enroll(&anonymous, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a replayed token: {body}");
    assert!(error_message(&body).contains("already used"));

    // kube-apiserver takes the certificate as user <admin>, with no groups beyond the defaults.
    let (ok, text) = cluster.kubectl_as(&admin_cert, &admin_key, &["get", "namespaces"]);
    assert!(!ok);
    assert!(
        text.contains(&format!(
            "User \"{admin}\" cannot list resource \"namespaces\""
        )),
        "{text}"
    );

    // The issued certificate is recorded in the background; the token is gone.
    let recorded = within(Duration::from_secs(5), async || {
        let status = cluster
            .accounts()
            .get_status(&admin)
            .await
            .unwrap()
            .status
            .unwrap_or_default();
        status.enrollment.is_none() && status.certificates.iter().any(|c| c.serial == serial)
    })
    .await;
    assert!(recorded.is_some(), "the certificate was not recorded");
    assert_eq!(
        bootstrap_admin(cluster.client.clone(), &admin, None)
            .await
            .unwrap(),
        None
    );

    // The admin makes a token for a new account, which enrolls with it.
    let admin_client = TestClient::new(
        api.local_addr(),
        ca.cert_pem(),
        Some((&admin_cert, &admin_key)),
    );
    let (status, body) = admin_client.get("/v1/whoami").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["account"].as_str(), body["admin"].as_bool()),
        (Some(admin.as_str()), Some(true))
    );
    assert_eq!(body["certificate"]["serial"], serial.as_str());

    let bob = unique("bob");
    let (status, body) = admin_client
        .post(&format!("/v1/accounts/{bob}/token"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    cluster.create_account(&bob, false).await;
    within(Duration::from_secs(5), async || {
        admin_client
            .post(
                &format!("/v1/accounts/{bob}/token"),
                &json!({ "ttlSeconds": 600 }),
            )
            .await
            .0
            == StatusCode::OK
    })
    .await
    .expect("bob reached the store");
    // A second token replaces the first.
    let (status, body) = admin_client
        .post(
            &format!("/v1/accounts/{bob}/token"),
            &json!({ "ttlSeconds": 600 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bob_token = body["token"].as_str().unwrap().to_string();
    let expires = parse_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.duration_since(SystemTime::now()).unwrap() <= Duration::from_secs(600));
    let enrolled = within(Duration::from_secs(5), async || {
        enroll(&anonymous, &bob_token).await.0 == StatusCode::OK
    })
    .await;
    assert!(enrolled.is_some());
    let (status, body, _) = enroll(&anonymous, &bob_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // Renewal, and the renewed certificate works too.
    let (key, csr) = pki::new_key_and_csr("x").unwrap();
    let (status, body) = admin_client.post("/v1/renew", &json!({ "csr": csr })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["certificate"].as_str().unwrap();
    let (ok, text) = cluster.kubectl_as(renewed, &key, &["get", "pods", "-n", "default"]);
    assert!(!ok);
    assert!(
        text.contains(&format!("User \"{admin}\" cannot list resource \"pods\"")),
        "{text}"
    );

    cluster
        .accounts()
        .delete(&admin, &Default::default())
        .await
        .unwrap();
    cluster
        .accounts()
        .delete(&bob, &Default::default())
        .await
        .unwrap();
    api.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redeems_of_one_token_issue_exactly_one_certificate() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let name = unique("race");
    cluster.create_account(&name, false).await;
    let (token, enrollment) = new_enrollment(HOUR, SystemTime::now()).unwrap();
    store_enrollment(&cluster.accounts(), &name, &enrollment)
        .await
        .unwrap();
    let client = TestClient::new(api.local_addr(), ca.cert_pem(), None);
    within(Duration::from_secs(5), async || {
        client
            .post("/v1/enroll", &json!({ "token": token, "csr": "x" }))
            .await
            .0
            == StatusCode::BAD_REQUEST
    })
    .await
    .expect("the token reached the store");

    let attempts = (0..8).map(|_| {
        let client = TestClient::new(api.local_addr(), ca.cert_pem(), None);
        let token = token.clone();
        tokio::spawn(async move { enroll(&client, &token).await.0 })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    cluster
        .accounts()
        .delete(&name, &Default::default())
        .await
        .unwrap();
    api.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_is_refused_renewal_within_a_second() {
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let name = unique("carol");
    let uid = cluster.create_account(&name, false).await;
    let (key, csr) = pki::new_key_and_csr(&name).unwrap();
    let cert = ca
        .issue(&csr, &bound(&name, &uid), HOUR, SystemTime::now())
        .unwrap()
        .cert_pem;
    let client = TestClient::new(api.local_addr(), ca.cert_pem(), Some((&cert, &key)));
    within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::OK
    })
    .await
    .expect("the account reached the store");

    // kubectl, the independent client, disables the account.
    cluster.kubectl(&[
        "patch",
        "accounts.ike.dev",
        &name,
        "--type=merge",
        "-p",
        r#"{"spec":{"disabled":true}}"#,
    ]);
    let refused_after = within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::FORBIDDEN
    })
    .await
    .expect("renewal refused");
    eprintln!("renewal refused {refused_after:?} after the patch returned");
    assert!(refused_after < Duration::from_secs(1), "{refused_after:?}");
    let (_, body) = client.post("/v1/renew", &renew_body()).await;
    assert_eq!(
        error_message(&body),
        format!("account {name} is disabled: ask a platform admin")
    );

    // A token of a disabled account is refused too, and stays unused.
    let (token, enrollment) = new_enrollment(HOUR, SystemTime::now()).unwrap();
    store_enrollment(&cluster.accounts(), &name, &enrollment)
        .await
        .unwrap();
    let anonymous = TestClient::new(api.local_addr(), ca.cert_pem(), None);
    let refused = within(Duration::from_secs(5), async || {
        enroll(&anonymous, &token).await.0 == StatusCode::FORBIDDEN
    })
    .await;
    assert!(refused.is_some());

    // Deleted: refused as well.
    cluster.kubectl(&[
        "patch",
        "accounts.ike.dev",
        &name,
        "--type=merge",
        "-p",
        r#"{"spec":{"disabled":false}}"#,
    ]);
    within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::OK
    })
    .await
    .expect("enabled again");
    cluster.kubectl(&["delete", "accounts.ike.dev", &name]);
    let gone_after = within(Duration::from_secs(5), async || {
        client.post("/v1/renew", &renew_body()).await.0 == StatusCode::FORBIDDEN
    })
    .await
    .expect("renewal refused after deletion");
    assert!(gone_after < Duration::from_secs(1), "{gone_after:?}");
    api.shutdown().await.unwrap();
}
