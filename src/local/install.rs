//! Building kube-apiserver and kube-controller-manager from Debian's `kubernetes` source package.
//!
//! This machine has no route to release downloads, but apt works, and Debian bookworm's source
//! package vendors every Go dependency of Kubernetes 1.20.2. The steps are those of
//! `shared/CONTROL_PLANE.md`, which were measured at about five minutes on two cores.

use std::fs;
use std::io::{BufRead as _, BufReader, Write};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Binaries, Error};

/// Where the deb-src entry goes when none is configured.
const DEB_SRC_FILE: &str = "/etc/apt/sources.list.d/debian-src.sources";
const DEB_SRC: &str = "Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
";
/// `make` is not in CONTROL_PLANE.md's list because that machine had it; a minimal one may not.
/// golang-github-modern-go-reflect2-dev: see [`patch_reflect2`].
const PACKAGES: [&str; 5] = [
    "golang-go",
    "etcd-server",
    "rsync",
    "make",
    "golang-github-modern-go-reflect2-dev",
];
/// The real components the local IKE runs and the tests talk to: BIND for IKE Office's DNS,
/// Alertmanager (with amtool) and an SMTP server for notifications, and podman with runc to build
/// and start the controller's image (crun, podman's default, refuses hybrid cgroup hierarchies),
/// and zsh, fish and tmux, for the completion tests' other real shells and their interactive
/// terminal.
pub const SERVICE_PACKAGES: [&str; 9] = [
    "bind9",
    "bind9-dnsutils",
    "prometheus-alertmanager",
    "python3-aiosmtpd",
    "podman",
    "runc",
    "zsh",
    "fish",
    "tmux",
];
/// Where Debian's reflect2 package puts its source.
const REFLECT2_SOURCE: &str = "/usr/share/gocode/src/github.com/modern-go/reflect2";
/// The two binaries built, as `make WHAT=` targets and file names.
const TARGETS: [&str; 2] = ["kube-apiserver", "kube-controller-manager"];

/// Installs into `cache_dir`; see [`Binaries::install`].
///
/// `find_etcd` is how etcd is looked up (a parameter so tests need not touch the environment).
pub(super) fn install(
    cache_dir: &Path,
    find_etcd: impl Fn() -> Result<PathBuf, Error>,
    log: &mut dyn Write,
) -> Result<Binaries, Error> {
    let missing = missing_packages(&SERVICE_PACKAGES);
    let built = match Binaries::locate_in(cache_dir, find_etcd()) {
        Ok(binaries) if missing.is_empty() => return Ok(binaries),
        Ok(_) => true,
        // Installing cannot fix an explicit path.
        Err(e @ Error::BadEtcdPath { .. }) => return Err(e),
        Err(_) => false,
    };
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(Error::InstallNeedsRoot);
    }
    let started = Instant::now();
    fs::create_dir_all(cache_dir).map_err(Error::io(format!("create {}", cache_dir.display())))?;
    let transcript_path = cache_dir.join("install.log");
    let mut installer = Installer {
        log,
        transcript: fs::File::create(&transcript_path)
            .map_err(Error::io(format!("create {}", transcript_path.display())))?,
        transcript_path,
    };

    if deb_src_configured() {
        installer.progress("deb-src already configured");
    } else {
        installer.progress(&format!("adding deb-src for bookworm in {DEB_SRC_FILE}"));
        fs::write(DEB_SRC_FILE, DEB_SRC).map_err(Error::io(format!("write {DEB_SRC_FILE}")))?;
    }
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    installer.run("update the package lists", apt(&["update"]))?;
    if !missing.is_empty() {
        let mut install_args = vec!["install", "-y", "--no-install-recommends"];
        install_args.extend(&missing);
        installer.run(
            "install BIND, Alertmanager, an SMTP server and podman",
            apt(&install_args),
        )?;
    }
    if built {
        installer.progress("the control plane is built already");
        return Binaries::locate_in(cache_dir, find_etcd());
    }
    let mut install_args = vec!["install", "-y"];
    install_args.extend(PACKAGES);
    installer.run("install the build tools and etcd", apt(&install_args))?;

    if TARGETS
        .iter()
        .all(|t| super::is_executable(&cache_dir.join(t)))
    {
        // Only etcd was missing.
        installer.progress("kube-apiserver and kube-controller-manager already built");
        return Binaries::locate_in(cache_dir, find_etcd());
    }

    let work = cache_dir.join("build");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(Error::io(format!("remove {}", work.display())))?;
    }
    fs::create_dir_all(work.join("home"))
        .map_err(Error::io(format!("create {}", work.display())))?;
    let mut fetch = apt(&["source", "--download-only", "kubernetes"]);
    fetch.current_dir(&work);
    installer.run("download Debian's kubernetes source", fetch)?;

    let tarball = find_entry(&work, |name| {
        name.starts_with("kubernetes_") && name.ends_with(".orig.tar.gz")
    })
    .ok_or_else(|| Error::InstallStep {
        step: "find the source tarball",
        command: format!("ls {}/kubernetes_*.orig.tar.gz", work.display()),
        detail: "no such file after 'apt-get source'".into(),
    })?;
    let mut unpack = Command::new("tar");
    unpack.arg("xzf").arg(&tarball).current_dir(&work);
    installer.run("unpack the source", unpack)?;
    let source = find_entry(&work, |name| name.starts_with("kubernetes-"))
        .filter(|p| p.is_dir())
        .ok_or_else(|| Error::InstallStep {
            step: "find the unpacked source",
            command: format!("ls -d {}/kubernetes-*", work.display()),
            detail: "no such directory after unpacking".into(),
        })?;

    patch_reflect2(&source)?;
    installer.progress("vendored reflect2 replaced by Debian's 1.0.2 (Go 1.18+ map layout)");
    patch_empty_values(&source)?;
    installer.progress("schema validation fixed to keep empty strings (Go 1.18+ reflect)");

    // Kubernetes 1.20 builds in GOPATH mode, exactly as Debian's debian/rules does.
    let gopath = source.join(".go");
    let link_dir = gopath.join("src/k8s.io");
    fs::create_dir_all(&link_dir).map_err(Error::io(format!("create {}", link_dir.display())))?;
    std::os::unix::fs::symlink("../../..", link_dir.join("kubernetes"))
        .map_err(Error::io(format!("link {}/kubernetes", link_dir.display())))?;
    let what = TARGETS.map(|t| format!("cmd/{t}")).join(" ");
    let mut make = Command::new("make");
    make.arg(format!("WHAT={what}"))
        .current_dir(&source)
        .env("GOPATH", &gopath)
        .env("CGO_ENABLED", "0")
        .env("HOME", work.join("home"));
    installer.progress("building (about 5 minutes on 2 cores)");
    installer.run("build kube-apiserver and kube-controller-manager", make)?;

    for target in TARGETS {
        let built = source.join("_output/bin").join(target);
        let temp = cache_dir.join(format!(".{target}.partial"));
        let dest = cache_dir.join(target);
        fs::copy(&built, &temp)
            .and_then(|_| fs::set_permissions(&temp, fs::Permissions::from_mode(0o755)))
            .and_then(|()| fs::rename(&temp, &dest))
            .map_err(Error::io(format!(
                "copy {} to {}",
                built.display(),
                dest.display()
            )))?;
        installer.progress(&format!("installed {}", dest.display()));
    }
    fs::remove_dir_all(&work).map_err(Error::io(format!("remove {}", work.display())))?;
    installer.progress(&format!("done in {} s", started.elapsed().as_secs()));
    Binaries::locate_in(cache_dir, find_etcd())
}

/// Replaces the vendored github.com/modern-go/reflect2 v1.0.1 with Debian's 1.0.2.
///
/// reflect2 1.0.1 iterates maps through a copy of the runtime's private iterator layout, which
/// Go 1.18 changed: kube-apiserver built with Debian's Go 1.19 then dies with SIGSEGV
/// (`aeshashbody` in `mapiternext`) the first time it stores a custom resource. 1.0.2 is the
/// upstream fix. GOPATH builds read `vendor/` directly, so swapping the files is enough.
fn patch_reflect2(source: &Path) -> Result<(), Error> {
    let vendored = source.join("vendor/github.com/modern-go/reflect2");
    let fail = |detail: String| Error::InstallStep {
        step: "replace the vendored reflect2",
        command: format!(
            "cp {REFLECT2_SOURCE}/*.go {REFLECT2_SOURCE}/*.s {}",
            vendored.display()
        ),
        detail,
    };
    let entries = fs::read_dir(REFLECT2_SOURCE).map_err(|e| fail(e.to_string()))?;
    fs::remove_dir_all(&vendored).map_err(|e| fail(e.to_string()))?;
    fs::create_dir_all(&vendored).map_err(|e| fail(e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| fail(e.to_string()))?.path();
        let keep = path.extension().is_some_and(|e| e == "go" || e == "s")
            && !path.to_string_lossy().ends_with("_test.go");
        if keep {
            fs::copy(&path, vendored.join(path.file_name().unwrap_or_default()))
                .map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(())
}

/// The vendored OpenAPI validators whose type check misreads empty values.
const TYPE_VALIDATORS: [&str; 2] = [
    "vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go",
    "vendor/github.com/go-openapi/validate/type.go",
];
const EMPTY_CHECK: &str = "if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {";

/// Makes the CRD schema validator treat only `nil` as null.
///
/// The vendored check compares `reflect.Value`s with `reflect.DeepEqual`, which under Go 1.18+
/// holds for every zero value: an empty string in a custom resource (or a CRD's `default: ""`)
/// is then rejected as null. Upstream later dropped the comparison; so does this patch.
fn patch_empty_values(source: &Path) -> Result<(), Error> {
    for file in TYPE_VALIDATORS {
        let path = source.join(file);
        let fail = |detail: String| Error::InstallStep {
            step: "fix the schema validator's empty-value check",
            command: format!(
                "sed -i 's/{EMPTY_CHECK}/if data == nil {{/' {}",
                path.display()
            ),
            detail,
        };
        let text = fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
        if !text.contains(EMPTY_CHECK) {
            return Err(fail("the expected line is not there".into()));
        }
        fs::write(&path, text.replace(EMPTY_CHECK, "if data == nil {"))
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

struct Installer<'a> {
    log: &'a mut dyn Write,
    transcript: fs::File,
    transcript_path: PathBuf,
}

impl Installer<'_> {
    fn progress(&mut self, line: &str) {
        // Progress output is best effort: a closed stderr must not abort a 5-minute build.
        let _ = writeln!(self.log, "ike local install: {line}");
        let _ = writeln!(self.transcript, "### {line}");
    }

    /// Runs one step, its output going to the transcript; the error names the step and command.
    fn run(&mut self, step: &'static str, mut command: Command) -> Result<(), Error> {
        let shown = show_command(&command);
        self.progress(&format!("{step}: {shown}"));
        let fail = |detail: String| Error::InstallStep {
            step,
            command: shown.clone(),
            detail,
        };
        let (reader, writer) = std::io::pipe().map_err(|e| fail(e.to_string()))?;
        let writer2 = writer.try_clone().map_err(|e| fail(e.to_string()))?;
        command.stdin(Stdio::null()).stdout(writer).stderr(writer2);
        let mut child = command.spawn().map_err(|e| fail(e.to_string()))?;
        // The Command still holds the write ends; drop it so reading ends when the child does.
        drop(command);
        let mut tail = Vec::new();
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(self.transcript, "{line}");
            // Kubernetes' build announces each phase with "+++ "; a sign of life in a long step.
            if line.starts_with("+++ ") {
                let _ = writeln!(self.log, "  {line}");
            }
            tail.push(line);
            if tail.len() > 5 {
                tail.remove(0);
            }
        }
        let status = child.wait().map_err(|e| fail(e.to_string()))?;
        if status.success() {
            return Ok(());
        }
        for line in &tail {
            let _ = writeln!(self.log, "  {line}");
        }
        Err(fail(format!(
            "{status}; full output in {}",
            self.transcript_path.display()
        )))
    }
}

fn show_command(command: &Command) -> String {
    let mut shown = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            shown.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    shown.push_str(&command.get_program().to_string_lossy());
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        if arg.contains(' ') {
            shown.push_str(&format!(" '{arg}'"));
        } else {
            shown.push_str(&format!(" {arg}"));
        }
    }
    if let Some(dir) = command.get_current_dir() {
        shown = format!("cd {} && {shown}", dir.display());
    }
    shown
}

/// The Debian packages of `names` that are not installed.
fn missing_packages<'a>(names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|name| {
            let status = Command::new("dpkg-query")
                .args(["-W", "-f=${db:Status-Status}", name])
                .output();
            !status.is_ok_and(|o| o.status.success() && o.stdout == b"installed")
        })
        .collect()
}

/// Whether any apt source already has a `deb-src` entry (one-line or deb822 format).
fn deb_src_configured() -> bool {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(entries) = fs::read_dir("/etc/apt/sources.list.d") {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    files.iter().any(|file| {
        fs::read_to_string(file).is_ok_and(|text| {
            text.lines().map(str::trim).any(|line| {
                line.starts_with("deb-src ")
                    || (line.starts_with("Types:")
                        && line.split_whitespace().any(|t| t == "deb-src"))
            })
        })
    })
}

fn find_entry(dir: &Path, matches: impl Fn(&str) -> bool) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(&matches))
        .map(|e| e.path())
        .collect();
    found.sort();
    found.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_commands_can_be_pasted_into_a_shell() {
        let mut make = Command::new("make");
        make.arg("WHAT=cmd/a cmd/b")
            .current_dir("/w/src")
            .env("CGO_ENABLED", "0");
        assert_eq!(
            show_command(&make),
            "cd /w/src && CGO_ENABLED=0 make 'WHAT=cmd/a cmd/b'"
        );
    }

    #[test]
    fn installing_into_a_complete_cache_dir_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in TARGETS {
            let path = dir.path().join(name);
            fs::write(&path, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let etcd = dir.path().join("kube-apiserver");
        let mut log = Vec::new();
        let binaries = install(dir.path(), || Ok(etcd.clone()), &mut log).unwrap();
        assert_eq!(binaries.kube_apiserver, dir.path().join("kube-apiserver"));
        assert_eq!(binaries.etcd, etcd);
        assert!(log.is_empty(), "{}", String::from_utf8_lossy(&log));
        assert!(!dir.path().join("install.log").exists());
    }
}
