//! Shell completion end to end: real bash, zsh and fish run ike's registration script and ask
//! for completions as a TAB does, against the real control plane. Names appear; another
//! tenant's never do; with the API server hanging or gone, or the certificate expired, the
//! answer comes from the cache within the deadline and nothing is renewed, written or asked.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{OwnedTenant, User, admin, env, ok, unique};
use crate::tenant_cli::enrolled;

/// What one TAB gave: the candidates, what reached stderr, and how long the completion
/// function took (measured inside the shell, so the shell's own start-up is not counted).
struct Tab {
    candidates: Vec<String>,
    stderr: String,
    took: Duration,
}

#[derive(Clone, Copy)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// The words of a command line, the last one being completed (possibly empty).
fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn script(shell: Shell, words: &[&str]) -> String {
    let cword = words.len() - 1;
    let cur = words[cword];
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    match shell {
        // What bash does on TAB: COMP_* set, the registered function called with the command,
        // the current and the previous word.
        Shell::Bash => format!(
            r#"source <(ike completion bash) || exit 9
COMP_WORDS=({words}); COMP_CWORD={cword}
COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9
start=$EPOCHREALTIME
_clap_complete_ike ike '{cur}' '{prev}'
end=$EPOCHREALTIME
printf '%s\n' "${{COMPREPLY[@]}}"
echo "__TOOK__ $start $end""#,
            words = quoted(words),
        ),
        // zsh's completion system stubbed at its two entry points the script uses:
        // `_describe` prints the candidates (value:help), `compdef` does nothing.
        Shell::Zsh => format!(
            r#"zmodload zsh/datetime
compdef() {{ : }}
_describe() {{ local a=${{@[-1]}}; print -rl -- "${{(@P)a}}" }}
source <(ike completion zsh) || exit 9
words=({words}); CURRENT={current}
start=$EPOCHREALTIME
_clap_dynamic_completer_ike
end=$EPOCHREALTIME
print "__TOOK__ $start $end""#,
            words = quoted(words),
            current = cword + 1,
        ),
        // fish's own completion of a command line, as a TAB asks for it.
        Shell::Fish => format!(
            r#"ike completion fish | source; or exit 9
set start (date +%s.%N)
complete -C '{line}'
set end (date +%s.%N)
echo "__TOOK__ $start $end""#,
            line = words.join(" "),
        ),
    }
}

/// The directory of the `ike` under test, first on PATH: the scripts call `ike` by name.
fn path_with_ike() -> String {
    let dir = Path::new(env!("CARGO_BIN_EXE_ike")).parent().unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// One TAB after `words` in `shell`, as `user`, with the background refresh on or off.
fn tab_with(user: &User, shell: Shell, words: &[&str], background: bool) -> Tab {
    let home = user.home();
    let (program, flags): (&str, &[&str]) = match shell {
        Shell::Bash => ("bash", &["--norc", "--noprofile", "-c"]),
        Shell::Zsh => ("zsh", &["-f", "-c"]),
        Shell::Fish => ("fish", &["--no-config", "-c"]),
    };
    let out = Command::new(program)
        .args(flags)
        .arg(script(shell, words))
        .env_clear()
        .env("PATH", path_with_ike())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env(
            "IKE_COMPLETION_BACKGROUND",
            if background { "1" } else { "0" },
        )
        // A terminal nobody types on: a prompt would wait here forever.
        .stdin(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed (Debian package {program}): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{program} failed ({}): {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let (list, took) = stdout
        .rsplit_once("__TOOK__ ")
        .unwrap_or_else(|| panic!("no timing in {stdout:?}"));
    let times: Vec<f64> = took
        .split_whitespace()
        .map(|t| t.replace(',', ".").parse().unwrap())
        .collect();
    let candidates = list
        .lines()
        // Flags come with the names on an empty word; these tests are about names.
        .filter(|l| !l.is_empty() && !l.starts_with('-'))
        // zsh: value:help, ':' in a value escaped as '\:'.
        .map(|l| match shell {
            Shell::Bash => l.to_string(),
            // fish: value<TAB>help.
            Shell::Fish => l.split('\t').next().unwrap_or_default().to_string(),
            Shell::Zsh => {
                let mut value = String::new();
                let mut chars = l.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        ':' => break,
                        c => value.push(c),
                    }
                }
                value
            }
        })
        .collect();
    Tab {
        candidates,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: Duration::from_secs_f64(times[1] - times[0]),
    }
}

fn tab(user: &User, shell: Shell, words: &[&str]) -> Tab {
    tab_with(user, shell, words, false)
}

fn has(tab: &Tab, name: &str) -> bool {
    tab.candidates.iter().any(|c| c == name)
}

fn cache_dir(user: &User) -> PathBuf {
    user.home()
        .join(".cache/ike/sites")
        .join(&env().site)
        .join("names")
}

/// Makes every cached file of `user` look older than any TTL.
fn age_cache(user: &User) {
    for entry in std::fs::read_dir(cache_dir(user)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let mut file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            file["atMs"] = 1_000.into();
            std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        }
    }
}

/// Points `user`'s kubeconfig at `server` instead of the site's API server.
fn point_kubeconfig_at(user: &User, server: &str) {
    let path = user.kubeconfig();
    let text = std::fs::read_to_string(&path).unwrap();
    let real = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .expect("a server in the kubeconfig")
        .to_string();
    std::fs::write(&path, text.replace(&real, server)).unwrap();
}

/// A TCP listener that accepts connections and never answers: a server that hangs.
fn blackhole() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    format!("https://{addr}")
}

/// A port nothing listens on: a server that is stopped.
fn stopped() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("https://{addr}")
}

/// The deadline (250 ms) and what a loaded two-core machine adds to a debug build's start.
const DEADLINE_AND_MARGIN: Duration = Duration::from_millis(250 + 750);

#[test]
fn bash_zsh_and_fish_complete_own_tenants_and_namespaces_and_never_another_tenants() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let (alice, bob) = (enrolled("cmp-a"), enrolled("cmp-b"));
    let (mine, theirs) = (
        OwnedTenant::new("cmp-a", &alice),
        OwnedTenant::new("cmp-b", &bob),
    );
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let t = tab(&alice, shell, &["ike", "tenant", "show", ""]);
        assert!(has(&t, &mine.tenant), "{:?}", t.candidates);
        // Observed own names first; only then is the other tenant's absence meaningful.
        assert!(!has(&t, &theirs.tenant), "{:?}", t.candidates);
        assert_eq!(t.stderr, "");

        let t = tab(&alice, shell, &["ike", "notify", "show", "x", "-n", ""]);
        assert!(has(&t, &mine.ns), "{:?}", t.candidates);
        assert!(!has(&t, &theirs.ns), "{:?}", t.candidates);
        let t = tab(&alice, shell, &["ike", "ns", "delete", "cmp-"]);
        assert!(has(&t, &mine.ns), "{:?}", t.candidates);
        assert!(t.candidates.iter().all(|c| c.starts_with("cmp-")));
        assert!(!has(&t, &theirs.ns), "{:?}", t.candidates);

        let t = tab(&alice, shell, &["ike", "--site", ""]);
        assert!(has(&t, &env().site), "{:?}", t.candidates);
        assert_eq!(t.stderr, "");
    }
    // Bob sees his, not Alice's: the cache is his own.
    let t = tab(&bob, Shell::Bash, &["ike", "tenant", "delete", ""]);
    assert!(
        has(&t, &theirs.tenant) && !has(&t, &mine.tenant),
        "{:?}",
        t.candidates
    );

    // The cache is private: sites/ 0700, every file 0600.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&alice.home().join(".cache/ike/sites")), 0o700);
    let file = cache_dir(&alice).join("tenants.json");
    assert_eq!(mode(&file), 0o600);
    // Names only: the cached file holds names, roles and namespaces, no objects.
    let cached = std::fs::read_to_string(&file).unwrap();
    assert!(
        !cached.contains("apiVersion") && !cached.contains(&theirs.tenant),
        "{cached}"
    );
}

#[test]
fn admins_complete_accounts_and_pending_requests_and_owners_their_configs() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let alice = enrolled("cmp-r");
    let mine = OwnedTenant::new("cmp-r", &alice);
    let t = tab(admin(), Shell::Bash, &["ike", "account", "show", "cmp-r"]);
    assert!(has(&t, &alice.account), "{:?}", t.candidates);
    // Not an admin: accounts are nobody else's to list, and a refusal completes nothing.
    let t = tab(&alice, Shell::Bash, &["ike", "account", "show", ""]);
    assert!(t.candidates.is_empty(), "{:?}", t.candidates);
    assert_eq!(t.stderr, "");

    ok(alice.ike(&[
        "notify",
        "email",
        "ops",
        "--to",
        "ops@example.com",
        "-n",
        &mine.ns,
    ]));
    let t = tab(
        &alice,
        Shell::Zsh,
        &["ike", "notify", "test", "-n", &mine.ns, ""],
    );
    assert_eq!(t.candidates, ["ops"]);

    // A CRD (a StorageClass would need the site to list provisioners, shared by other tests).
    let group = format!("{}.example.com", unique("cmp-sc"));
    let manifest = serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition", "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object"}}}]}});
    let file = alice.home().join("crd.json");
    std::fs::write(&file, manifest.to_string()).unwrap();
    ok(alice.ike(&[
        "request",
        "crd",
        "-f",
        file.to_str().unwrap(),
        "--reason",
        "completion test",
        "--name",
        "wants-sc",
        "-n",
        &mine.ns,
    ]));
    let pending = format!("{}/wants-sc", mine.ns);
    let t = tab(
        admin(),
        Shell::Bash,
        &["ike", "request", "approve", &mine.ns],
    );
    assert!(has(&t, &pending), "{:?}", t.candidates);
    let t = tab(
        &alice,
        Shell::Bash,
        &["ike", "request", "show", "-n", &mine.ns, ""],
    );
    assert_eq!(t.candidates, ["wants-sc"]);
}

#[test]
fn with_the_api_server_hanging_or_stopped_completion_answers_from_the_cache_in_time() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let alice = enrolled("cmp-d");
    let mine = OwnedTenant::new("cmp-d", &alice);
    let warm = tab(&alice, Shell::Bash, &["ike", "tenant", "show", ""]);
    assert!(has(&warm, &mine.tenant), "{:?}", warm.candidates);
    age_cache(&alice);
    let identity = alice.site_dir(&env().site).join("identity.pem");
    let before = std::fs::read(&identity).unwrap();

    for server in [blackhole(), stopped()] {
        point_kubeconfig_at(&alice, &server);
        let kubeconfig = std::fs::read(alice.kubeconfig()).unwrap();
        for shell in [Shell::Bash, Shell::Zsh] {
            // Stale names, no network on the way: at once.
            let t = tab(&alice, shell, &["ike", "tenant", "show", ""]);
            assert!(has(&t, &mine.tenant), "{server}: {:?}", t.candidates);
            assert!(t.took < DEADLINE_AND_MARGIN, "{server}: {:?}", t.took);
            assert_eq!(t.stderr, "");
            // Nothing cached for this namespace's configs: one bounded try, nothing offered.
            let t = tab(
                &alice,
                shell,
                &["ike", "notify", "show", "-n", &mine.ns, ""],
            );
            assert!(t.candidates.is_empty(), "{:?}", t.candidates);
            assert!(t.took < DEADLINE_AND_MARGIN, "{server}: took {:?}", t.took);
            assert_eq!(t.stderr, "");
        }
        // Nothing was renewed or written.
        assert_eq!(std::fs::read(alice.kubeconfig()).unwrap(), kubeconfig);
        assert_eq!(std::fs::read(&identity).unwrap(), before);
        let _ = std::fs::remove_file(cache_dir(&alice).join("down"));
    }
}

#[test]
fn with_an_expired_certificate_completion_answers_from_the_cache_and_renews_nothing() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let alice = enrolled("cmp-x");
    let mine = OwnedTenant::new("cmp-x", &alice);
    let warm = tab(&alice, Shell::Zsh, &["ike", "tenant", "show", ""]);
    assert!(has(&warm, &mine.tenant), "{:?}", warm.candidates);
    age_cache(&alice);

    // An expired certificate from the site's own CA, with its key, where ike keeps it.
    let ca = rcgen::Issuer::from_ca_cert_pem(
        &env().ca_cert_pem,
        rcgen::KeyPair::from_pem(&env().ca_key_pem).unwrap(),
    )
    .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, alice.account.as_str());
    params.not_before = time::OffsetDateTime::now_utc() - time::Duration::hours(3);
    params.not_after = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let expired = params.signed_by(&key, &ca).unwrap().pem();
    let identity = alice.site_dir(&env().site).join("identity.pem");
    std::fs::write(&identity, format!("{expired}{}", key.serialize_pem())).unwrap();
    let before = std::fs::read(&identity).unwrap();
    let kubeconfig = std::fs::read(alice.kubeconfig()).unwrap();

    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let t = tab_with(&alice, shell, &["ike", "tenant", "show", ""], true);
        assert!(has(&t, &mine.tenant), "{:?}", t.candidates);
        assert!(t.took < DEADLINE_AND_MARGIN, "took {:?}", t.took);
        assert_eq!(t.stderr, "");
        let t = tab_with(&alice, shell, &["ike", "-n", ""], true);
        assert!(has(&t, &mine.ns), "{:?}", t.candidates);
    }
    assert_eq!(
        std::fs::read(&identity).unwrap(),
        before,
        "a completion renewed"
    );
    assert_eq!(std::fs::read(alice.kubeconfig()).unwrap(), kubeconfig);
}

#[test]
fn stale_names_are_answered_at_once_and_refreshed_by_a_detached_process() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let alice = enrolled("cmp-s");
    let first = OwnedTenant::new("cmp-s", &alice);
    let t = tab(&alice, Shell::Bash, &["ike", "tenant", "show", ""]);
    assert_eq!(t.candidates, std::slice::from_ref(&first.tenant));
    let second = OwnedTenant::new("cmp-s2", &alice);
    age_cache(&alice);
    // The stale answer comes at once; the TAB does not wait for the refresh it starts (the
    // refresh holds none of the shell's pipes).
    let t = tab_with(&alice, Shell::Bash, &["ike", "tenant", "show", ""], true);
    assert_eq!(t.candidates, std::slice::from_ref(&first.tenant));
    assert!(t.took < DEADLINE_AND_MARGIN, "took {:?}", t.took);
    let file = cache_dir(&alice).join("tenants.json");
    let start = Instant::now();
    while !std::fs::read_to_string(&file)
        .unwrap()
        .contains(&second.tenant)
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the background refresh never cached {}",
            second.tenant
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let t = tab(&alice, Shell::Zsh, &["ike", "tenant", "show", ""]);
    let mut want = vec![first.tenant.clone(), second.tenant.clone()];
    want.sort();
    assert_eq!(t.candidates, want);
    // The refresher wrote its pid into the lock and is gone (it held no terminal).
    let pid = std::fs::read_to_string(cache_dir(&alice).join("tenants.lock")).unwrap();
    let pid: i32 = pid.trim().parse().unwrap();
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|c| c.contains("__complete-refresh"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "refresher {pid} still runs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_refresher_refuses_bad_input_in_one_line() {
    let alice = User::new("cmp-bad");
    let out = alice.ike(&["__complete-refresh", "--site", "e2e", "--key", "pods:x"]);
    let err = crate::harness::fails(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: 'pods:x' is not a completion key: use "),
        "{err}"
    );
    let out = alice.ike(&[
        "__complete-refresh",
        "--site",
        "Bad_Site",
        "--key",
        "tenants",
    ]);
    let err = crate::harness::fails(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A real interactive shell in tmux: keys typed, the screen read back.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(user: &User, shell: &[&str], extra_env: &[(&str, &Path)]) -> Self {
        let socket = unique("ike-tmux");
        let home = user.home();
        let mut command = Command::new("tmux");
        command
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .args(shell)
            .env_clear()
            .env("PATH", path_with_ike())
            .env("HOME", home)
            .env("TERM", "xterm")
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("IKE_COMPLETION_BACKGROUND", "0");
        for (k, v) in extra_env {
            command.env(k, v);
        }
        let out = command
            .output()
            .expect("tmux must be installed (Debian package tmux)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { socket }
    }

    fn keys(&self, keys: &[&str]) {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .output()
            .unwrap();
        assert!(out.status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `want` is on it (5 s at most); the screen either way.
    fn wait_for(&self, want: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(want) || start.elapsed() > Duration::from_secs(5) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn a_tab_in_interactive_bash_and_zsh_completes_a_tenant_name() {
    let _quiet = crate::harness::sharing_the_tenant_controller();
    let alice = enrolled("cmp-t");
    let mine = OwnedTenant::new("cmp-tty", &alice);
    // Typed up to a prefix only this tenant has; TAB completes the rest in the line.
    let prefix = &mine.tenant[..mine.tenant.len() - 2];

    let bash = Tmux::start(&alice, &["bash", "--norc", "--noprofile"], &[]);
    bash.keys(&["source <(ike completion bash)", "Enter"]);
    bash.keys(&[&format!("ike tenant show {prefix}"), "Tab"]);
    let line = format!("ike tenant show {}", mine.tenant);
    let screen = bash.wait_for(&line);
    assert!(screen.contains(&line), "bash:\n{screen}");

    // zsh the way most people set it up: compinit, and `_ike` in a directory of $fpath (the
    // first TAB must complete too, not only register).
    let zdot = alice.home().join("zdot");
    std::fs::create_dir_all(zdot.join("functions")).unwrap();
    let script = ok(alice.ike(&["completion", "zsh"]));
    std::fs::write(zdot.join("functions/_ike"), script).unwrap();
    std::fs::write(
        zdot.join(".zshrc"),
        format!(
            "fpath=({} $fpath)\nautoload -U compinit && compinit -u\nPS1='$ '\n",
            zdot.join("functions").display()
        ),
    )
    .unwrap();
    let zsh = Tmux::start(&alice, &["zsh"], &[("ZDOTDIR", &zdot)]);
    zsh.wait_for("$ ");
    zsh.keys(&[&format!("ike tenant show {prefix}"), "Tab"]);
    let screen = zsh.wait_for(&line);
    assert!(screen.contains(&line), "zsh:\n{screen}");
}
