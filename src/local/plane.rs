//! The control plane itself: etcd, kube-apiserver and kube-controller-manager, started,
//! watched and stopped.

use super::*;

/// A running local control plane.
///
/// Files in [`ControlPlane::dir`]: `ca.crt`/`ca.key` (cluster CA), `sa.key`/`sa.pub`
/// (service-account token keys), `apiserver.crt`/`.key`, `admin.crt`/`.key`,
/// `admin.kubeconfig`, `etcd/` (data), `<component>.log`, `pids`.
#[derive(Debug)]
pub struct ControlPlane {
    /// Directory holding data, certs and logs (absolute).
    pub dir: PathBuf,
    /// https://127.0.0.1:PORT
    pub server: String,
    /// etcd's client URL, http://127.0.0.1:PORT.
    pub etcd_server: String,
    /// Admin kubeconfig (CN=admin, O=system:masters, certs embedded as *-data fields, context
    /// name "ike-local-admin").
    pub admin_kubeconfig: PathBuf,
    /// The cluster CA certificate (PEM): client CA of kube-apiserver, signing CA of
    /// kube-controller-manager.
    pub ca_cert: PathBuf,
    /// The cluster CA key (PKCS#8 PEM, mode 0600).
    pub ca_key: PathBuf,
    /// Pids of etcd, kube-apiserver and kube-controller-manager, in start order.
    pub pids: Vec<u32>,
    detached: bool,
    children: Vec<(&'static str, Child)>,
}

impl ControlPlane {
    /// Starts etcd, kube-apiserver and kube-controller-manager on free loopback ports and waits
    /// (up to 60 s) until `/readyz` answers 200 to the admin certificate.
    ///
    /// The CA and service-account keys are generated on first use of `opts.dir` and reused
    /// afterwards (as is etcd's data), so a restarted plane keeps its objects and tokens;
    /// serving and admin certificates are fresh each time. Logs go to `<dir>/<component>.log`;
    /// errors quote the last lines of the failing component's log. If a port was taken in the
    /// meantime, starts once more on new ports.
    pub fn start(bins: &Binaries, opts: Options) -> Result<ControlPlane, Error> {
        let begun = Instant::now();
        fs::create_dir_all(&opts.dir)
            .map_err(Error::io(format!("create {}", opts.dir.display())))?;
        let dir = fs::canonicalize(&opts.dir)
            .map_err(Error::io(format!("resolve {}", opts.dir.display())))?;
        refuse_if_running(&dir)?;
        let certs = Certs::prepare(&dir)?;
        let plane = match ControlPlane::start_once(bins, &opts, &dir, &certs) {
            Err((error, true)) => {
                tracing::warn!("{error}; retrying on new ports");
                ControlPlane::start_once(bins, &opts, &dir, &certs).map_err(|(e, _)| e)?
            }
            other => other.map_err(|(e, _)| e)?,
        };
        tracing::info!(
            server = %plane.server,
            dir = %dir.display(),
            "local control plane ready in {:.1} s",
            begun.elapsed().as_secs_f64()
        );
        Ok(plane)
    }

    /// One attempt; on failure also says whether a port conflict caused it.
    fn start_once(
        bins: &Binaries,
        opts: &Options,
        dir: &Path,
        certs: &Certs,
    ) -> Result<ControlPlane, (Error, bool)> {
        let [etcd_port, peer_port, apiserver_port] = free_ports().map_err(|e| (e, false))?;
        let mut plane = ControlPlane {
            dir: dir.to_path_buf(),
            server: format!("https://127.0.0.1:{apiserver_port}"),
            etcd_server: format!("http://127.0.0.1:{etcd_port}"),
            admin_kubeconfig: dir.join("admin.kubeconfig"),
            ca_cert: dir.join("ca.crt"),
            ca_key: dir.join("ca.key"),
            pids: Vec::new(),
            detached: opts.detach,
            children: Vec::new(),
        };
        let booted = plane.boot(bins, opts, peer_port, apiserver_port, certs);
        if let Err(error) = booted {
            let port_conflict = plane.logs_mention("address already in use");
            plane.stop();
            return Err((error, port_conflict));
        }
        Ok(plane)
    }

    fn boot(
        &mut self,
        bins: &Binaries,
        opts: &Options,
        peer_port: u16,
        apiserver_port: u16,
        certs: &Certs,
    ) -> Result<(), Error> {
        let dir = self.dir.clone();
        let path = |name: &str| dir.join(name).display().to_string();
        write_file(
            &self.admin_kubeconfig,
            &certs::render_kubeconfig(
                &self.server,
                &certs.ca_pem,
                certs::ADMIN_CONTEXT,
                &certs.admin,
            ),
            0o600,
        )?;
        let etcd_data = dir.join("etcd");
        // etcd refuses a data dir that others can read.
        fs::create_dir_all(&etcd_data)
            .and_then(|()| fs::set_permissions(&etcd_data, fs::Permissions::from_mode(0o700)))
            .map_err(Error::io(format!("create {}", etcd_data.display())))?;

        let etcd_args = vec![
            "--data-dir".to_string(),
            etcd_data.display().to_string(),
            "--listen-client-urls".into(),
            self.etcd_server.clone(),
            "--advertise-client-urls".into(),
            self.etcd_server.clone(),
            "--listen-peer-urls".into(),
            format!("http://127.0.0.1:{peer_port}"),
        ];
        self.spawn(ETCD, &bins.etcd, etcd_args, opts.detach)?;

        let mut apiserver_args = vec![
            format!("--etcd-servers={}", self.etcd_server),
            "--bind-address=127.0.0.1".into(),
            format!("--secure-port={apiserver_port}"),
            "--insecure-port=0".into(),
            "--advertise-address=127.0.0.1".into(),
            format!("--tls-cert-file={}", path("apiserver.crt")),
            format!("--tls-private-key-file={}", path("apiserver.key")),
            format!("--client-ca-file={}", path("ca.crt")),
            format!("--service-account-key-file={}", path("sa.pub")),
            format!("--service-account-signing-key-file={}", path("sa.key")),
            "--service-account-issuer=https://kubernetes.default.svc".into(),
            "--authorization-mode=RBAC".into(),
            "--service-cluster-ip-range=10.0.0.0/24".into(),
            "--profiling=false".into(),
            FEATURE_GATES.into(),
        ];
        apiserver_args.extend(merge_admission_plugins(&opts.extra_apiserver_args));
        self.spawn(
            KUBE_APISERVER,
            &bins.kube_apiserver,
            apiserver_args,
            opts.detach,
        )?;

        let prober = probe::Prober::new(
            apiserver_port,
            &certs.ca_pem,
            &certs.admin.cert_pem,
            &certs.admin.key_pem,
        )
        .map_err(Error::ProbeClient)?;
        self.wait_ready(&prober)?;

        // Started only now: kube-controller-manager 1.20 exits if the apiserver is not healthy
        // within 10 s of its start.
        let kcm_args = vec![
            format!("--kubeconfig={}", self.admin_kubeconfig.display()),
            format!("--service-account-private-key-file={}", path("sa.key")),
            format!("--root-ca-file={}", path("ca.crt")),
            format!("--cluster-signing-cert-file={}", path("ca.crt")),
            format!("--cluster-signing-key-file={}", path("ca.key")),
            "--leader-elect=false".into(),
            "--port=0".into(),
            "--secure-port=0".into(),
            format!("--controllers={KCM_CONTROLLERS}"),
            FEATURE_GATES.into(),
        ];
        self.spawn(
            KUBE_CONTROLLER_MANAGER,
            &bins.kube_controller_manager,
            kcm_args,
            opts.detach,
        )?;
        // Bad flags or an unreadable kubeconfig make it exit within about 0.1 s.
        std::thread::sleep(KCM_SETTLE);
        self.check_children()?;
        self.write_pids_file()?;
        Ok(())
    }

    fn spawn(
        &mut self,
        name: &'static str,
        binary: &Path,
        args: Vec<String>,
        detach: bool,
    ) -> Result<(), Error> {
        let log_path = self.log_path(name);
        let log = fs::File::create(&log_path)
            .map_err(Error::io(format!("create {}", log_path.display())))?;
        let log2 = log
            .try_clone()
            .map_err(Error::io(format!("reopen {}", log_path.display())))?;
        let mut command = Command::new(binary);
        command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let spawned = if detach {
            process::spawn_detached(command)
        } else {
            process::spawn_attached(command)
        };
        let child = spawned.map_err(|source| Error::Spawn {
            name,
            path: binary.to_path_buf(),
            source,
        })?;
        tracing::debug!(pid = child.id(), "started {name}");
        self.pids.push(child.id());
        self.children.push((name, child));
        Ok(())
    }

    fn wait_ready(&mut self, prober: &probe::Prober) -> Result<(), Error> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            self.check_children()?;
            let last_probe = match prober.get_status("/readyz") {
                Ok(200) => return Ok(()),
                Ok(status) => format!("HTTP {status}"),
                Err(e) => e,
            };
            if Instant::now() >= deadline {
                let log = self.log_path(KUBE_APISERVER);
                return Err(Error::NotReady {
                    tail: log_tail(&log),
                    log,
                    last_probe,
                });
            }
            std::thread::sleep(READY_POLL);
        }
    }

    /// Err if a child has exited.
    fn check_children(&mut self) -> Result<(), Error> {
        for (name, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                let name = *name;
                let log = self.dir.join(format!("{name}.log"));
                return Err(Error::Exited {
                    name,
                    status,
                    tail: log_tail(&log),
                    log,
                });
            }
        }
        Ok(())
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    fn logs_mention(&self, needle: &str) -> bool {
        self.children.iter().any(|(name, _)| {
            fs::read_to_string(self.log_path(name)).is_ok_and(|log| log.contains(needle))
        })
    }

    /// Stops every started process by pid: SIGTERM, wait up to 5 s, then SIGKILL; reaps them.
    /// Idempotent. Goes in reverse start order, one process at a time (about 1.3 s in all).
    pub fn stop(&mut self) {
        process::stop_children(&mut self.children);
        self.children.clear();
        self.pids.clear();
        let _ = fs::remove_file(self.pids_file());
    }

    /// Path of the pids file, `<dir>/pids`.
    pub fn pids_file(&self) -> PathBuf {
        self.dir.join("pids")
    }

    /// Writes <dir>/pids (one pid per line) so a later process can stop a detached plane.
    /// [`ControlPlane::start`] already does this; the path is returned.
    pub fn write_pids_file(&self) -> Result<PathBuf, Error> {
        let path = self.pids_file();
        let text: String = self.pids.iter().fold(String::new(), |mut text, pid| {
            let _ = writeln!(text, "{pid}");
            text
        });
        write_file(&path, &text, 0o644)?;
        Ok(path)
    }

    /// Reads such a file and kills those pids (as [`terminate`] does: last line first, SIGTERM,
    /// up to 5 s, then SIGKILL); used by `local down`. The file is left in place.
    ///
    /// Only processes that started before the file was last written are signalled, so a stale
    /// file never kills an unrelated process that reused a pid. A missing file means nothing
    /// is running: Ok.
    pub fn stop_pids_file(path: &Path) -> Result<(), Error> {
        match read_pids_file(path) {
            Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
            Ok(pids) => {
                terminate(&pids);
                Ok(())
            }
        }
    }

    /// Issues a client certificate signed by the cluster CA for `user` (CN), optionally in one
    /// `group` (O); for tests that act as a particular user.
    pub fn issue_client_cert(&self, user: &str, group: Option<&str>) -> Result<CertAndKey, Error> {
        let ca = certs::Ca::from_pem(&read_text(&self.ca_cert)?, &read_text(&self.ca_key)?)?;
        Ok(ca.issue_client(user, group)?)
    }

    /// Whether the processes were started to outlive this process.
    pub fn is_detached(&self) -> bool {
        self.detached
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

/// The certificates and keys of a plane directory, as written there.
pub(super) struct Certs {
    pub(super) ca_pem: String,
    pub(super) admin: CertAndKey,
}

impl Certs {
    /// Loads the CA and service-account keys from `dir` if all four files are there (else
    /// generates and writes them), then issues fresh serving and admin certificates.
    pub(super) fn prepare(dir: &Path) -> Result<Certs, Error> {
        let file = |name: &str| dir.join(name);
        let existing = ["ca.crt", "ca.key", "sa.key", "sa.pub"]
            .iter()
            .all(|name| file(name).is_file());
        let reloaded = if existing {
            let loaded =
                certs::Ca::from_pem(&read_text(&file("ca.crt"))?, &read_text(&file("ca.key"))?);
            if let Err(e) = &loaded {
                tracing::warn!("{}: {e}; generating a new CA", dir.display());
            }
            loaded.ok()
        } else {
            None
        };
        let ca = match reloaded {
            Some(ca) => ca,
            None => {
                let ca = certs::Ca::generate()?;
                let sa = certs::ServiceAccountKey::generate()?;
                write_file(&file("ca.key"), &ca.key_pem, 0o600)?;
                write_file(&file("ca.crt"), &ca.cert_pem, 0o644)?;
                write_file(&file("sa.key"), &sa.private_pem, 0o600)?;
                write_file(&file("sa.pub"), &sa.public_pem, 0o644)?;
                ca
            }
        };
        let serving = ca.issue_serving()?;
        write_file(&file("apiserver.key"), &serving.key_pem, 0o600)?;
        write_file(&file("apiserver.crt"), &serving.cert_pem, 0o644)?;
        let admin = ca.issue_client("admin", Some("system:masters"))?;
        write_file(&file("admin.key"), &admin.key_pem, 0o600)?;
        write_file(&file("admin.crt"), &admin.cert_pem, 0o644)?;
        Ok(Certs {
            ca_pem: ca.cert_pem,
            admin,
        })
    }
}
