use std::io::BufRead as _;
use std::net::{Ipv4Addr, TcpListener};
use std::process::Output;

use super::plane::Certs;
use super::*;

#[test]
fn a_control_plane_can_live_in_a_static() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<ControlPlane>();
    shareable::<Error>();
}

#[test]
fn free_ports_are_distinct_loopback_ports_that_can_be_bound() {
    let ports: [u16; 3] = free_ports().unwrap();
    assert!(ports.iter().all(|&p| p != 0));
    assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    for port in ports {
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }
}

#[test]
fn pod_node_selector_is_always_enabled_and_merged_with_extra_plugins() {
    assert_eq!(
        merge_admission_plugins(&[]),
        ["--enable-admission-plugins=PodNodeSelector"]
    );
    let extra = [
        "--v=2".to_string(),
        "--enable-admission-plugins=NamespaceLifecycle,PodNodeSelector".to_string(),
        "--enable-admission-plugins=LimitRanger".to_string(),
    ];
    assert_eq!(
        merge_admission_plugins(&extra),
        [
            "--enable-admission-plugins=PodNodeSelector,NamespaceLifecycle,LimitRanger",
            "--v=2"
        ]
    );
}

#[test]
fn missing_binary_error_names_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = Binaries::locate_in(dir.path(), Ok("/usr/bin/etcd".into())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "kube-apiserver v1.20.2 not found in {}: run 'ike-controller local install' (builds \
             it from Debian's kubernetes source, about 6 minutes) or set IKE_K8S_BIN_DIR",
            dir.path().display()
        )
    );
}

#[test]
fn log_tail_quotes_the_last_five_non_empty_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("x.log");
    fs::write(&log, "1\n2\n3\n\n4\n5\n6\n7\n").unwrap();
    assert_eq!(log_tail(&log), "3 | 4 | 5 | 6 | 7");
    fs::write(&log, "").unwrap();
    assert_eq!(log_tail(&log), "(empty)");
}

#[test]
fn pids_file_lists_only_processes_older_than_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pids");
    // pid 1 started long before the file; `late` (standing for an unrelated process that
    // reused a pid) starts three seconds after the file's modification time.
    let mut late = Command::new("sleep").arg("30").spawn().unwrap();
    fs::write(&path, format!("1\n\n{}\n", late.id())).unwrap();
    filetime_set(&path, std::time::SystemTime::now() - Duration::from_secs(3));
    let listed = read_pids_file(&path);
    late.kill().unwrap();
    late.wait().unwrap();
    assert_eq!(listed.unwrap(), [1]);

    fs::write(&path, "12\nnope\n").unwrap();
    let err = read_pids_file(&path).unwrap_err();
    assert!(matches!(err, Error::BadPidsFile { line: 2, .. }), "{err}");
    fs::remove_file(&path).unwrap();
    ControlPlane::stop_pids_file(&path).unwrap();
}

fn filetime_set(path: &Path, mtime: std::time::SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

#[test]
fn is_alive_is_false_for_zombies_and_true_for_running_children() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    assert!(is_alive(child.id()));
    child.kill().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_alive(child.id()) {
        assert!(
            Instant::now() < deadline,
            "a killed child still counts as alive"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait().unwrap();
}

#[test]
fn terminate_stops_and_reaps_an_attached_child() {
    let pid = spawn(
        {
            let mut c = Command::new("sleep");
            c.arg("30");
            c
        },
        false,
    )
    .unwrap();
    assert!(is_alive(pid));
    terminate(&[pid]);
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "reaped");
}

#[test]
fn certs_are_written_with_private_keys_0600_and_the_ca_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let first = Certs::prepare(dir.path()).unwrap();
    for key in ["ca.key", "sa.key", "apiserver.key", "admin.key"] {
        let meta = fs::metadata(dir.path().join(key)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{key}");
        let pem = fs::read_to_string(dir.path().join(key)).unwrap();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----"),
            "{key} is PKCS#8"
        );
    }
    let sa_pub = fs::read_to_string(dir.path().join("sa.pub")).unwrap();
    let second = Certs::prepare(dir.path()).unwrap();
    assert_eq!(first.ca_pem, second.ca_pem);
    assert_eq!(
        sa_pub,
        fs::read_to_string(dir.path().join("sa.pub")).unwrap()
    );
    assert_ne!(first.admin.cert_pem, second.admin.cert_pem);
}

// ---- Against the real binaries -------------------------------------------------------------

fn binaries() -> Binaries {
    Binaries::locate().unwrap_or_else(|e| panic!("{e}"))
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("kubectl runs")
}

fn kubectl_ok(kubeconfig: &Path, args: &[&str]) -> String {
    let out = kubectl(kubeconfig, args);
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Running, or a zombie nobody reaped yet (which can do no harm).
fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_all_gone(pids: &[u32], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while pids.iter().any(|&p| alive(p)) {
        assert!(
            Instant::now() < deadline,
            "still running after {timeout:?}: {:?}",
            pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs the control-plane binaries; run with --include-ignored"]
fn starts_and_stops_a_real_control_plane() {
    let bins = binaries();
    let dir = tempfile::tempdir().unwrap();
    let begun = Instant::now();
    let mut plane = ControlPlane::start(&bins, Options::new(dir.path())).unwrap();
    eprintln!("start() took {:.1} s", begun.elapsed().as_secs_f64());
    let kubeconfig = plane.admin_kubeconfig.clone();
    assert_eq!(plane.pids.len(), 3);
    assert!(plane.pids.iter().all(|&p| alive(p)));
    assert_eq!(
        read_pids_file(&plane.pids_file()).unwrap(),
        plane.pids,
        "the pids file lists the running plane"
    );
    let ca_key_mode = fs::metadata(&plane.ca_key).unwrap().permissions().mode();
    assert_eq!(ca_key_mode & 0o777, 0o600);

    let namespaces = kubectl_ok(&kubeconfig, &["get", "ns", "-o", "name"]);
    assert!(namespaces.contains("namespace/default"), "{namespaces}");
    assert!(namespaces.contains("namespace/kube-system"), "{namespaces}");
    let context = kubectl_ok(&kubeconfig, &["config", "current-context"]);
    assert_eq!(context.trim(), "ike-local-admin");

    // Server-side apply, then kube-controller-manager's service-account and namespace
    // controllers at work.
    let ns = "ike-local-selftest";
    let manifest = dir.path().join("ns.yaml");
    fs::write(
        &manifest,
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  annotations:\n    \
             scheduler.alpha.kubernetes.io/node-selector: tier=tenant\n"
        ),
    )
    .unwrap();
    let manifest = manifest.display().to_string();
    kubectl_ok(&kubeconfig, &["apply", "--server-side", "-f", &manifest]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !kubectl(&kubeconfig, &["-n", ns, "get", "sa", "default"])
        .status
        .success()
    {
        assert!(
            Instant::now() < deadline,
            "no default ServiceAccount in {ns}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // The ECDSA service-account key signs tokens the apiserver accepts.
    let token = kubectl_ok(&kubeconfig, &["-n", ns, "create", "token", "default"]);
    let out = Command::new("kubectl")
        .args(["--server", &plane.server, "--certificate-authority"])
        .arg(&plane.ca_cert)
        .args(["--token", token.trim(), "auth", "can-i", "list", "pods"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "no",
        "token authenticated but not authorized: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // PodNodeSelector is on.
    kubectl_ok(
        &kubeconfig,
        &[
            "-n",
            ns,
            "run",
            "p",
            "--image=registry.invalid/x",
            "--restart=Never",
        ],
    );
    let selector = kubectl_ok(
        &kubeconfig,
        &[
            "-n",
            ns,
            "get",
            "pod",
            "p",
            "-o",
            "jsonpath={.spec.nodeSelector.tier}",
        ],
    );
    assert_eq!(selector, "tenant");

    // A user certificate from issue_client_cert authenticates as that user.
    let alice = plane.issue_client_cert("alice", Some("tenants")).unwrap();
    fs::write(dir.path().join("alice.crt"), &alice.cert_pem).unwrap();
    fs::write(dir.path().join("alice.key"), &alice.key_pem).unwrap();
    let out = Command::new("kubectl")
        .args(["--server", &plane.server, "--certificate-authority"])
        .arg(&plane.ca_cert)
        .arg("--client-certificate")
        .arg(dir.path().join("alice.crt"))
        .arg("--client-key")
        .arg(dir.path().join("alice.key"))
        .args(["get", "ns"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("User \"alice\" cannot list"), "{stderr}");

    kubectl_ok(
        &kubeconfig,
        &["delete", "ns", ns, "--wait", "--timeout=60s"],
    );
    let gone = kubectl(&kubeconfig, &["get", "ns", ns]);
    assert!(
        !gone.status.success(),
        "namespace {ns} was finalized and deleted"
    );

    let pids = plane.pids.clone();
    let stopping = Instant::now();
    plane.stop();
    eprintln!("stop() took {:.1} s", stopping.elapsed().as_secs_f64());
    assert!(pids.iter().all(|&p| !alive(p)), "{pids:?} still running");
    assert!(plane.pids.is_empty());
    assert!(!dir.path().join("pids").exists());
    plane.stop();
}

#[test]
#[ignore = "needs the control-plane binaries; run with --include-ignored"]
fn a_detached_plane_outlives_its_handle_and_is_stopped_through_its_pids_file() {
    let bins = binaries();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(dir.path());
    opts.detach = true;
    let plane = ControlPlane::start(&bins, opts).unwrap();
    assert!(plane.is_detached());
    let pids = plane.pids.clone();
    let pids_file = plane.pids_file();
    let kubeconfig = plane.admin_kubeconfig.clone();
    drop(plane);
    assert!(
        pids.iter().all(|&p| alive(p)),
        "dropping a detached plane stops nothing"
    );
    // Each child leads its own session.
    for pid in &pids {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
        assert_eq!(fields[3], pid.to_string(), "session id of {pid}");
    }

    let err = ControlPlane::start(&bins, Options::new(dir.path())).unwrap_err();
    assert!(matches!(err, Error::AlreadyRunning { .. }), "{err}");

    kubectl_ok(&kubeconfig, &["get", "ns"]);
    ControlPlane::stop_pids_file(&pids_file).unwrap();
    wait_all_gone(&pids, Duration::from_secs(1));
    assert!(read_pids_file(&pids_file).unwrap().is_empty());
    refuse_if_running(dir.path()).unwrap();
}

/// Set in a re-executed copy of the test binary: "exit" or "hang".
const CHILD_MODE: &str = "IKE_LOCAL_TEST_CHILD_MODE";
const CHILD_DIR: &str = "IKE_LOCAL_TEST_CHILD_DIR";

#[test]
#[ignore = "needs the control-plane binaries; run with --include-ignored"]
fn attached_children_die_when_the_test_process_exits_or_is_killed() {
    if let Ok(mode) = std::env::var(CHILD_MODE) {
        // We are the re-executed copy: start a plane, report its pids, then exit or hang.
        let dir = std::env::var(CHILD_DIR).unwrap();
        let plane = ControlPlane::start(&binaries(), Options::new(dir)).unwrap();
        println!("PIDS {:?}", plane.pids);
        io::stdout().flush().unwrap();
        // The plane lives on in a static, as in the e2e harness: Drop never runs.
        static KEEP: std::sync::OnceLock<ControlPlane> = std::sync::OnceLock::new();
        let _ = KEEP.set(plane);
        if mode == "hang" {
            std::thread::sleep(Duration::from_secs(600));
        }
        return;
    }

    let name = format!(
        "{}::attached_children_die_when_the_test_process_exits_or_is_killed",
        module_path!().split_once("::").unwrap().1
    );
    for mode in ["exit", "hang"] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &name, "--include-ignored", "--nocapture"])
            .env(CHILD_MODE, mode)
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = io::BufReader::new(child.stdout.take().unwrap()).lines();
        let pids: Vec<u32> = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let list = line.strip_prefix("PIDS [")?.strip_suffix(']')?.to_owned();
                Some(list.split(", ").map(|p| p.parse().unwrap()).collect())
            })
            .unwrap_or_else(|| panic!("the {mode} child reported no pids"));
        // Keep draining: a closed pipe would fail the child's own test output.
        let drain = std::thread::spawn(move || lines.for_each(drop));
        assert_eq!(pids.len(), 3);
        if mode == "hang" {
            assert!(pids.iter().all(|&p| alive(p)));
            child.kill().unwrap(); // SIGKILL: no atexit, only PDEATHSIG
        }
        let status = child.wait().unwrap();
        drain.join().unwrap();
        assert!(mode == "hang" || status.success(), "{mode} child: {status}");
        wait_all_gone(
            &pids,
            Duration::from_secs(if mode == "exit" { 1 } else { 5 }),
        );
        if mode == "exit" {
            // The exit handler's SIGTERM, not PDEATHSIG's SIGKILL, ended etcd.
            let log = fs::read_to_string(dir.path().join("etcd.log")).unwrap();
            assert!(log.contains("received terminated signal"), "{log}");
        }
    }
}

#[test]
#[ignore = "needs the control-plane binaries; run with --include-ignored"]
fn an_apiserver_that_exits_at_start_up_is_reported_with_its_log_and_nothing_is_left_running() {
    let bins = binaries();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(dir.path());
    opts.extra_apiserver_args = vec!["--no-such-flag".into()];
    let begun = Instant::now();
    let err = ControlPlane::start(&bins, opts).unwrap_err();
    assert!(begun.elapsed() < Duration::from_secs(10), "{err}");
    let message = err.to_string();
    assert!(
        matches!(
            err,
            Error::Exited {
                name: "kube-apiserver",
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("unknown flag: --no-such-flag"),
        "{message}"
    );
    assert!(message.contains("kube-apiserver.log"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");

    let marker = format!("{}/", fs::canonicalize(dir.path()).unwrap().display());
    let leftovers: Vec<String> = fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
