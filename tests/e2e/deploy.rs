//! examples/deploy.yaml and the image it names: the manifests are accepted by a real API server
//! (server-side dry run), the controller runs restricted and with no more RBAC than the
//! ClusterRole there (a controller whose only credential is that ServiceAccount reconciles a
//! tenant on a control plane of its own), and the image builds offline from scratch and starts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{User, env, kubectl, ok};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Every document of examples/deploy.yaml.
fn deploy_documents() -> Vec<Value> {
    let text = std::fs::read_to_string(repo("examples/deploy.yaml")).unwrap();
    text.split("\n---\n")
        .map(|doc| serde_saphyr::from_str::<Value>(doc).unwrap())
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("deploy.yaml has no {kind} {name}"))
}

#[test]
fn deploy_yaml_runs_the_controller_as_non_root_read_only_without_capabilities_or_cluster_admin() {
    let docs = deploy_documents();
    let pod = &find(&docs, "Deployment", "ike-controller")["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert!(pod["securityContext"]["runAsUser"].as_u64().unwrap() > 0);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    for container in pod["containers"].as_array().unwrap() {
        let sc = &container["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false);
        assert_eq!(sc["readOnlyRootFilesystem"], true);
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
        assert!(sc["capabilities"]["add"].is_null());
        // Its webhooks have a listener (and a Service) of their own.
        let args: Vec<&str> = container["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(args.iter().any(|a| a.starts_with("--webhook-listen=")));
    }
    find(&docs, "Service", "ike-webhooks");
    // Nothing binds the controller to cluster-admin; no wildcard; escalate and bind only on
    // ClusterRoles (what approved ResourceRequests grant cannot be held in advance).
    for doc in &docs {
        if doc["kind"] == "ClusterRoleBinding" || doc["kind"] == "RoleBinding" {
            assert_ne!(doc["roleRef"]["name"], "cluster-admin", "{doc}");
        }
    }
    let role = find(&docs, "ClusterRole", "ike-controller");
    for rule in role["rules"].as_array().unwrap() {
        let verbs = rule["verbs"].as_array().unwrap();
        assert!(!verbs.contains(&json!("*")), "{rule}");
        if verbs.contains(&json!("escalate")) || verbs.contains(&json!("bind")) {
            assert_eq!(rule["resources"], json!(["clusterroles"]), "{rule}");
            assert_eq!(
                rule["apiGroups"],
                json!(["rbac.authorization.k8s.io"]),
                "{rule}"
            );
        }
        assert!(
            !rule["resources"].as_array().unwrap().contains(&json!("*")),
            "{rule}"
        );
        // Secrets: read by name only (notifications), never listed, watched or written; deleted
        // by name only (the copies of tenant-wide objects, when their namespace leaves the
        // tenant or their declaration goes).
        if rule["resources"]
            .as_array()
            .unwrap()
            .contains(&json!("secrets"))
        {
            assert!(
                rule["verbs"] == json!(["get"]) || rule["verbs"] == json!(["delete"]),
                "{rule}"
            );
        }
    }
}

#[test]
fn every_example_applies_with_server_side_dry_run() {
    env();
    // What the examples are written for: the seed's namespace, and the tenant of tenant.yaml
    // holding its namespaces (a request must be made in a tenant's namespace).
    let _ = kubectl(&["create", "namespace", "exmaple"]);
    ok(kubectl(&[
        "apply",
        "-f",
        repo("examples/tenant.yaml").to_str().unwrap(),
    ]));
    wait_for("payments-prod", Duration::from_secs(30), || {
        kubectl(&["get", "namespace", "payments-prod"])
            .status
            .success()
            .then_some(())
    });
    let mut files: Vec<String> = std::fs::read_dir(repo("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let path = repo(&format!("examples/{file}"));
        let out = kubectl(&["apply", "--dry-run=server", "-f", path.to_str().unwrap()]);
        let stdout = ok(out);
        assert!(stdout.contains("(server dry run)"), "{file}: {stdout}");
    }
    let _ = kubectl(&["delete", "tenant", "payments", "--wait=false"]);
    // The neighbour: a manifest the API server refuses fails the dry run (it is a real check).
    let broken = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    std::fs::write(
        broken.path(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken, namespace: default}\nspec: {replicas: -1}\n",
    )
    .unwrap();
    let out = kubectl(&[
        "apply",
        "--dry-run=server",
        "-f",
        broken.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
}

fn podman(args: &[&str]) -> std::process::Output {
    // runc: crun refuses this machine's hybrid cgroup hierarchy. The limits are set below the
    // sandbox's hard limits (podman's defaults are above them and cannot be set).
    let mut command = Command::new("podman");
    command.args(["--runtime", "runc"]).args(args);
    command
        .output()
        .expect("podman must be installed: run 'ike-controller local install'")
}

#[test]
fn the_controller_image_builds_offline_from_scratch_and_runs_read_only_as_non_root() {
    let root = tempfile::Builder::new()
        .prefix("ike-image-")
        .tempdir()
        .unwrap();
    let rootfs = root.path().join("rootfs");
    let staged = Command::new(repo("scripts/image-rootfs.sh"))
        .arg(env!("CARGO_BIN_EXE_ike-controller"))
        .arg(&rootfs)
        .output()
        .unwrap();
    assert!(
        staged.status.success(),
        "{}",
        String::from_utf8_lossy(&staged.stderr)
    );
    let tag = format!("localhost/ike-controller:e2e-{}", std::process::id());
    let built = podman(&[
        "build",
        "-q",
        "-f",
        repo("Containerfile").to_str().unwrap(),
        "-t",
        &tag,
        rootfs.to_str().unwrap(),
    ]);
    assert!(
        built.status.success(),
        "podman build: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let run = |args: &[&str]| {
        let mut all = vec![
            "run",
            "--rm",
            "--read-only",
            "--cap-drop=ALL",
            "--security-opt=no-new-privileges",
            "--network=none",
            "--ulimit=nofile=1024:1024",
            "--ulimit=nproc=1024:1024",
            &tag,
        ];
        all.extend_from_slice(args);
        podman(&all)
    };
    let version = run(&["--version"]);
    let crds = run(&["crds"]);
    let user = podman(&["image", "inspect", "--format", "{{.Config.User}}", &tag]);
    let _ = podman(&["rmi", "-f", &tag]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("ike-controller {}", env!("CARGO_PKG_VERSION")),
        "{}",
        String::from_utf8_lossy(&version.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&crds.stdout),
        std::fs::read_to_string(repo("examples/crds.yaml")).unwrap()
    );
    assert_eq!(String::from_utf8_lossy(&user.stdout).trim(), "65532:65532");
}

// ---------------------------------------------------------------------------------------------
// The controller with nothing but deploy.yaml's RBAC.

fn free_port() -> u16 {
    ike::local::free_port().unwrap()
}

/// kubectl against `kubeconfig`.
fn kubectl_at(kubeconfig: &Path, args: &[&str]) -> std::process::Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap()
}

fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Stops the controller started by the test, whatever happens.
struct Process(u32);

impl Drop for Process {
    fn drop(&mut self) {
        ike::local::terminate(&[self.0]);
    }
}

#[test]
fn a_controller_with_only_the_rbac_of_deploy_yaml_bootstraps_an_admin_and_reconciles_a_tenant() {
    ike::install_crypto_provider();
    let bins = ike::local::Binaries::locate().unwrap_or_else(|e| {
        panic!("the control plane is not installed ({e}): run 'ike-controller local install'")
    });
    let dir = tempfile::Builder::new()
        .prefix("ike-rbac-")
        .tempdir()
        .unwrap();
    let mut options = ike::local::Options::new(dir.path().join("plane"));
    // As the local IKE does: the API server allows privileged pods, ike's webhook refuses them.
    options.extra_apiserver_args = vec!["--allow-privileged=true".into()];
    let plane = ike::local::ControlPlane::start(&bins, options).unwrap();
    let admin_kc = plane.admin_kubeconfig.clone();
    let deploy = repo("examples/deploy.yaml");
    ok(kubectl_at(
        &admin_kc,
        &["apply", "-f", deploy.to_str().unwrap()],
    ));

    // The ServiceAccount's token (Kubernetes 1.20 keeps it in a Secret).
    let sa = "system:serviceaccount:ike-system:ike-controller";
    let token = wait_for(
        "the controller's ServiceAccount token",
        Duration::from_secs(30),
        || {
            let out = kubectl_at(
                &admin_kc,
                &[
                    "-n",
                    "ike-system",
                    "get",
                    "secrets",
                    "-o",
                    "jsonpath={.items[?(@.metadata.annotations.kubernetes\\.io/service-account\\.name==\"ike-controller\")].data.token}",
                ],
            );
            let b64 = String::from_utf8_lossy(&out.stdout).trim().to_string();
            use base64::Engine as _;
            (!b64.is_empty())
                .then(|| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap()
                })
                .map(|t| String::from_utf8(t).unwrap())
        },
    );
    let sa_kc = dir.path().join("controller.kubeconfig");
    std::fs::write(
        &sa_kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n    certificate-authority: {ca}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\n",
            server = plane.server,
            ca = plane.ca_cert.display(),
        ),
    )
    .unwrap();
    // Least privilege, as the API server sees it.
    for (verb, resource, allowed) in [
        // Notifications read a tenant's Secret by name; nothing lists or watches them.
        ("get", "secrets", "yes"),
        ("list", "secrets", "no"),
        ("watch", "secrets", "no"),
        ("create", "pods", "no"),
        // Approved CRDs' resources, granted to their tenant's aggregated roles.
        ("escalate", "clusterroles", "yes"),
        ("bind", "clusterroles/cluster-admin", "yes"),
        ("escalate", "roles", "no"),
        ("create", "clusterrolebindings", "yes"),
        ("create", "storageclasses", "yes"),
        ("create", "persistentvolumes", "no"),
        ("create", "rolebindings", "yes"),
    ] {
        let out = kubectl_at(
            &admin_kc,
            &[
                "auth",
                "can-i",
                verb,
                resource,
                "--all-namespaces",
                "--as",
                sa,
            ],
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            allowed,
            "can the controller {verb} {resource}?"
        );
    }

    let (health, account_api, webhooks) = (free_port(), free_port(), free_port());
    let token_file = dir.path().join("bootstrap-token");
    let log_path = dir.path().join("controller.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let admin_name = "rbac-admin";
    let mut command = Command::new(env!("CARGO_BIN_EXE_ike-controller"));
    command
        .args(["run", "--kubeconfig"])
        .arg(&sa_kc)
        .arg(format!("--listen=127.0.0.1:{health}"))
        .arg("--ca-cert")
        .arg(&plane.ca_cert)
        .arg("--ca-key")
        .arg(&plane.ca_key)
        .arg(format!("--account-api-listen=127.0.0.1:{account_api}"))
        .arg(format!("--webhook-listen=127.0.0.1:{webhooks}"))
        .arg(format!("--webhook-url=https://127.0.0.1:{webhooks}"))
        .args(["--site", "rbac", "--bootstrap-admin", admin_name])
        .arg("--bootstrap-token-file")
        .arg(&token_file)
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    let _controller = Process(ike::local::spawn(command, false).unwrap());
    let health_url = format!("http://127.0.0.1:{health}");
    let ready = std::panic::catch_unwind(|| {
        wait_for("the controller is ready", Duration::from_secs(60), || {
            matches!(ike::local::http_get(&health_url, "/readyz"), Ok((200, _))).then_some(())
        })
    });
    if ready.is_err() {
        panic!(
            "the controller with deploy.yaml's RBAC is not ready within 60 s; its log:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    let bootstrap = std::fs::read_to_string(&token_file).unwrap();

    // The admin logs in; the controller binds cluster-admin to them (bind on cluster-admin).
    let pin = ike::pki::ca_pin(&std::fs::read_to_string(&plane.ca_cert).unwrap()).unwrap();
    let server = format!("https://127.0.0.1:{account_api}");
    let login = |user: &User, token: &str| {
        ok(user.ike(&[
            "login",
            "--site",
            "rbac",
            "--server",
            &server,
            "--ca-pin",
            &pin,
            "--token",
            token.trim(),
        ]))
    };
    let admin = User::new(admin_name);
    login(&admin, &bootstrap);
    wait_for(
        "the admin is cluster-admin",
        Duration::from_secs(20),
        || {
            let out = admin.kubectl(&["auth", "can-i", "create", "accounts.ike.dev"]);
            (String::from_utf8_lossy(&out.stdout).trim() == "yes").then_some(())
        },
    );
    // An account with a token (the account API writes its status), logged in.
    let owner = User::new("rbac-owner");
    let created = ok(admin.ike(&["account", "create", &owner.account, "-o", "json"]));
    let created: Value = serde_json::from_str(&created).unwrap();
    login(&owner, created["token"].as_str().unwrap());

    // A tenant: namespace, RoleBindings to admin (bind), per-tenant ClusterRoles, status.
    let tenant = json!({
        "apiVersion": "ike.dev/v1alpha1",
        "kind": "Tenant",
        "metadata": { "name": "rbac" },
        "spec": {
            "members": [{ "account": owner.account, "role": "owner" }],
            "namespaces": ["rbac-ns"],
        },
    });
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    serde_json::to_writer(file.as_file(), &tenant).unwrap();
    ok(admin.kubectl(&["apply", "-f", file.path().to_str().unwrap()]));
    wait_for("the tenant is Ready", Duration::from_secs(30), || {
        let out = kubectl_at(
            &admin_kc,
            &[
                "get",
                "tenant",
                "rbac",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}",
            ],
        );
        (String::from_utf8_lossy(&out.stdout) == "True").then_some(())
    });
    wait_for(
        "the default ServiceAccount",
        Duration::from_secs(30),
        || {
            kubectl_at(&admin_kc, &["-n", "rbac-ns", "get", "sa", "default"])
                .status
                .success()
                .then_some(())
        },
    );
    // The owner works in it; the webhooks (registered by the controller) refuse a privileged pod.
    let pod = |name: &str, privileged: bool| {
        let mut container = json!({ "name": "app", "image": "registry.invalid/app:1" });
        if privileged {
            container["securityContext"] = json!({ "privileged": true });
        }
        let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
        let pod = json!({ "apiVersion": "v1", "kind": "Pod", "metadata": { "name": name },
                          "spec": { "containers": [container] } });
        serde_json::to_writer(file.as_file(), &pod).unwrap();
        owner.kubectl(&[
            "create",
            "-n",
            "rbac-ns",
            "-f",
            file.path().to_str().unwrap(),
        ])
    };
    ok(pod("plain", false));
    let refused = pod("privileged", true);
    let refusal = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && refusal.contains("ike:"),
        "{refusal}"
    );

    // Nothing it tried was forbidden.
    let log = std::fs::read_to_string(&log_path).unwrap();
    let forbidden: Vec<&str> = log
        .lines()
        .filter(|l| l.to_lowercase().contains("forbidden"))
        .collect();
    assert!(forbidden.is_empty(), "{}", forbidden.join("\n"));
    drop(plane);
}
