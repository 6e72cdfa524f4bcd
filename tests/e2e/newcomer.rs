//! A newcomer's first hour, exactly as README tells it, on a machine of their own (own home,
//! own state directory): `local up`, the printed PATH and `ike login` lines run as printed, then
//! README's usage walk command by command from the clone, each printing what README shows.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::harness::{User, fails, ok};
use crate::readme_blocks::{Block, blocks, matches};

/// README's values for what differs from run to run.
const README_HOME: &str = "/root";
const README_BIN: &str = "/root/ike/target/release";
const README_API: &str = "https://127.0.0.1:40125";
const README_METRICS: &str = "127.0.0.1:41237";
const README_DNS_PORT: &str = "40853";

/// `ike-controller local down` when dropped, whatever the test's outcome.
struct Down {
    bin: PathBuf,
    home: PathBuf,
}

impl Drop for Down {
    fn drop(&mut self) {
        let _ = newcomer_command(&self.bin, &self.home, "ike-controller local down").output();
    }
}

/// A shell line run as the newcomer: their home, PATH as they have it, no terminal.
fn newcomer_command(bin: &Path, home: &Path, line: &str) -> Command {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(line)
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", home)
        .env("NO_COLOR", "1")
        // The control plane is built once per machine, not once per home.
        .env("IKE_K8S_BIN_DIR", ike::local::Binaries::cache_dir())
        .stdin(std::process::Stdio::null());
    cmd
}

fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn readme_block(first_command: &str) -> Block {
    blocks("tests/e2e/newcomer.rs")
        .into_iter()
        .find(|b| b.steps[0].command.starts_with(first_command))
        .unwrap_or_else(|| panic!("README has no checked block starting with {first_command}"))
}

#[test]
fn a_newcomer_follows_the_readme_from_local_up_through_its_whole_walk() {
    let person = User::new("newcomer");
    let home = person.home().to_path_buf();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_ike-controller"))
        .parent()
        .unwrap()
        .to_path_buf();
    // README's first command, without cargo around it (the binaries are built already).
    let up = Command::new(env!("CARGO_BIN_EXE_ike-controller"))
        .args(["local", "up"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("IKE_K8S_BIN_DIR", ike::local::Binaries::cache_dir())
        .output()
        .unwrap();
    let _down = Down {
        bin: bin.clone(),
        home: home.clone(),
    };
    let greeting = ok(up);
    let line = |prefix: &str| -> String {
        greeting
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{greeting}"))
            .to_string()
    };
    let export = line("export PATH=");
    let login = line("ike login ");
    let api = login
        .split_whitespace()
        .skip_while(|w| *w != "--server")
        .nth(1)
        .unwrap()
        .to_string();
    let metrics = line("curl http://")
        .trim_start_matches("curl http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(export, format!("export PATH={}:$PATH", bin.display()));
    let dns_port = line("dig @127.0.0.1 -p ")
        .split_whitespace()
        .nth(3)
        .unwrap()
        .to_string();

    // README shows what local up prints, but for paths and ports.
    let normalize = |text: &str| {
        text.replace(&home.display().to_string(), README_HOME)
            .replace(&bin.display().to_string(), README_BIN)
            .replace(&api, README_API)
            .replace(&metrics, README_METRICS)
            .replace(
                &format!("127.0.0.1:{dns_port};"),
                &format!("127.0.0.1:{README_DNS_PORT};"),
            )
            .replace(
                &format!("-p {dns_port} "),
                &format!("-p {README_DNS_PORT} "),
            )
    };
    let block = readme_block("cargo run --release --bin ike-controller -- local up");
    if let Err(why) = matches(&block.steps[0].output, &normalize(&greeting)) {
        panic!("README's local up block is not what local up prints: {why}\n{greeting}");
    }

    // Without the pin, a first login says what to pass (and uses nothing up).
    let without_pin: Vec<&str> = login.split(" --ca-pin ").collect();
    let rest = without_pin[1].split_once(' ').unwrap().1;
    let err = fails(
        newcomer_command(&bin, &home, &format!("{} {rest}", without_pin[0]))
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("a CA this machine does not trust: pass --ca-pin sha256:"),
        "{err}"
    );

    // The printed login command, run as printed, prints what README shows.
    let logged_in = newcomer_command(&bin, &home, &format!("{export}; {login}"))
        .output()
        .unwrap();
    assert!(logged_in.status.success(), "{}", printed(&logged_in));
    let block = readme_block("ike login ");
    if let Err(why) = matches(&block.steps[0].output, &normalize(&printed(&logged_in))) {
        panic!("README's login block is not what ike login prints: {why}");
    }

    // README's walk, each command as written, from the clone, in the newcomer's shell.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let crds = newcomer_command(&bin, &home, "kubectl get crd")
            .output()
            .unwrap();
        if crds.status.success() && printed(&crds).contains("tenants.ike.dev") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "kubectl never listed the CRDs as the admin: {}",
            printed(&crds)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let walk = readme_block("ike whoami");
    for step in &walk.steps {
        // Both streams in one, in the order a terminal shows them.
        let output = newcomer_command(&bin, &home, &format!("{} 2>&1", step.command))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let shown = normalize(&printed(&output));
        assert!(
            output.status.success(),
            "README line {}: `{}` failed ({}):\n{shown}",
            step.line,
            step.command,
            output.status
        );
        if let Err(why) = matches(&step.output, &shown) {
            panic!(
                "README line {}: `{}` prints something else: {why}\n--- README ---\n{}\n--- printed ---\n{shown}",
                step.line,
                step.command,
                step.output.join("\n")
            );
        }
    }
}

/// README's first command runs `local up` under `cargo run`, and `local up` builds `ike` with a
/// nested cargo. This runs that very command (`-v` added), in the environment cargo gives the
/// programs it runs (`cargo test` sets the same variables as `cargo run`), right after cargo
/// built this test: every dependency must be Fresh. Before the fix, ring's build script counted
/// as changed ("the env variable CARGO_MANIFEST_DIR changed") and ring, rustls, kube... were
/// compiled again.
#[test]
fn local_up_under_cargo_builds_ike_without_compiling_a_dependency_again() {
    for set_by_cargo in ["CARGO", "CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"] {
        assert!(
            std::env::var_os(set_by_cargo).is_some(),
            "{set_by_cargo} is not set: run this test with cargo test, as cargo run runs local up"
        );
    }
    let controller = Path::new(env!("CARGO_BIN_EXE_ike-controller"));
    let mut build = ike::local::ike_build_command(controller, std::env::vars_os())
        .expect("under cargo, local up builds ike");
    let output = build.arg("-v").output().expect("cargo runs");
    let printed = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}");
    let lines: Vec<&str> = printed.lines().map(str::trim_start).collect();
    let compiled: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("Compiling ") || l.starts_with("Dirty "))
        .filter(|l| l.split_whitespace().nth(1).is_none_or(|p| p != "ike"))
        .collect();
    assert!(
        compiled.is_empty(),
        "the nested build compiled dependencies again:\n{}",
        compiled
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // It did look at them: ring (whose build script watches cargo's variables) among them.
    assert!(
        lines.iter().any(|l| l.starts_with("Fresh ring ")),
        "no 'Fresh ring' line: did cargo build anything?\n{printed}"
    );
}
