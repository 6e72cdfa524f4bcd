//! Building `ike` next to `ike-controller` when `local up` runs under `cargo run`.
//!
//! README's first command is `cargo run --release --bin ike-controller -- local up`, which builds
//! only ike-controller; `local up` then runs `cargo build --release --bin ike` so that both
//! programs are there. That nested cargo must find every dependency Fresh, and it only does with
//! the environment the person's shell gave the outer one: `cargo run` adds the variables Cargo
//! sets for the program it runs (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ...), and ring's build
//! script declares `rerun-if-env-changed` on several of them. Cargo compares those against its
//! own environment, so with them inherited ring's build script counts as changed ("Dirty ring:
//! the env variable CARGO_MANIFEST_DIR changed"), and ring and everything above it (rustls,
//! rcgen, hyper-rustls, kube, ike) was compiled a second time — four minutes of a fresh
//! machine's first `local up`, and the outer build's release artifacts overwritten, so the next
//! `cargo run` compiled them once more. [`nested_cargo_env`] takes them out again.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// Whether `name` is one of the variables Cargo sets for the programs and build scripts it runs
/// (never one a person sets to configure Cargo: `CARGO_HOME`, `CARGO_TARGET_DIR`,
/// `CARGO_PROFILE_*`, `CARGO_BUILD_*`, `RUSTFLAGS` and the like stay).
pub fn set_by_cargo_for_its_children(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    const EXACT: [&str; 10] = [
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "CARGO_MAKEFLAGS",
        "OUT_DIR",
    ];
    const PREFIXES: [&str; 4] = [
        "CARGO_PKG_",
        "CARGO_BIN_EXE_",
        "CARGO_CFG_",
        "CARGO_FEATURE_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The environment for a cargo started by a program that `cargo run` started: `env` without
/// what Cargo set for that program.
pub fn nested_cargo_env(
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    env.into_iter()
        .filter(|(name, _)| !set_by_cargo_for_its_children(name))
        .collect()
}

/// The cargo arguments that build `bin` into the directory `exe_dir` (`<target>/release`,
/// `<target>/debug` or `<target>/<profile>`): the profile is the directory's name, and the target
/// directory is its parent when Cargo made it (it holds `CACHEDIR.TAG`), so that a
/// `--target-dir` given to `cargo run` is kept too.
pub fn build_args(exe_dir: &Path, bin: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["build".into(), "--bin".into(), bin.into()];
    match exe_dir.file_name().and_then(OsStr::to_str) {
        Some("release") => args.push("--release".into()),
        Some("debug") | None => {}
        Some(profile) => args.extend(["--profile".into(), profile.into()]),
    }
    if let Some(target) = exe_dir
        .parent()
        .filter(|t| t.join("CACHEDIR.TAG").is_file())
    {
        args.extend(["--target-dir".into(), target.as_os_str().to_owned()]);
    }
    args
}

/// The command that builds `ike` next to `controller_exe` as the cargo that ran it would, with
/// that cargo's environment; `None` when ike-controller does not run under cargo (no `CARGO`
/// and `CARGO_MANIFEST_DIR` in `env`).
pub fn ike_build_command(
    controller_exe: &Path,
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Option<Command> {
    let env: Vec<(OsString, OsString)> = env.into_iter().collect();
    let get = |name: &str| {
        env.iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone())
    };
    let (cargo, manifest_dir) = (get("CARGO")?, get("CARGO_MANIFEST_DIR")?);
    let mut build = Command::new(cargo);
    build
        .current_dir(manifest_dir)
        .args(build_args(controller_exe.parent()?, "ike"))
        .env_clear()
        .envs(nested_cargo_env(env));
    Some(build)
}

/// The directory holding `ike-controller` and, next to it, `ike`: built there when run by cargo
/// and `ike` is missing or older than ike-controller.
pub fn ike_next_to_controller() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("ike-controller has no directory")?
        .to_path_buf();
    let ike = dir.join("ike");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&ike), modified(&exe)) {
        (None, _) => true,
        (Some(ike), Some(controller)) => ike < controller,
        (Some(_), None) => false,
    };
    if let (true, Some(mut build)) = (stale, ike_build_command(&exe, std::env::vars_os())) {
        let shown: Vec<String> = build
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        eprintln!(
            "building ike next to ike-controller (cargo {})",
            shown.join(" ")
        );
        let status = build.status().context("cannot run cargo")?;
        if !status.success() {
            bail!(
                "building ike failed ({status}): run 'cargo {}' yourself",
                shown.join(" ")
            );
        }
    }
    if !ike.exists() {
        bail!(
            "ike is not next to ike-controller in {}: build it with 'cargo build --release --bin ike'",
            dir.display()
        );
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(names: &[&str]) -> Vec<(OsString, OsString)> {
        names.iter().map(|n| (n.into(), "x".into())).collect()
    }

    #[test]
    fn what_cargo_run_sets_for_its_program_is_left_out_and_what_people_set_is_kept() {
        let env = vars(&[
            "CARGO",
            "CARGO_MANIFEST_DIR",
            "CARGO_MANIFEST_PATH",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_CRATE_NAME",
            "CARGO_BIN_EXE_ike",
            "OUT_DIR",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_PROFILE_RELEASE_LTO",
            "CARGO_BUILD_JOBS",
            "RUSTFLAGS",
            "PATH",
        ]);
        let kept: Vec<String> = nested_cargo_env(env)
            .into_iter()
            .map(|(n, _)| n.into_string().unwrap())
            .collect();
        assert_eq!(
            kept,
            [
                "CARGO",
                "CARGO_HOME",
                "CARGO_TARGET_DIR",
                "CARGO_PROFILE_RELEASE_LTO",
                "CARGO_BUILD_JOBS",
                "RUSTFLAGS",
                "PATH"
            ]
        );
    }

    #[test]
    fn the_profile_and_target_directory_are_those_of_the_running_controller() {
        let target = tempfile::tempdir().unwrap();
        let args = |dir: &Path| -> Vec<String> {
            build_args(dir, "ike")
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            args(&target.path().join("release")),
            ["build", "--bin", "ike", "--release"]
        );
        std::fs::write(target.path().join("CACHEDIR.TAG"), "").unwrap();
        let t = target.path().display().to_string();
        assert_eq!(
            args(&target.path().join("debug")),
            ["build", "--bin", "ike", "--target-dir", &t]
        );
        assert_eq!(
            args(&target.path().join("dist")),
            [
                "build",
                "--bin",
                "ike",
                "--profile",
                "dist",
                "--target-dir",
                &t
            ]
        );
    }

    #[test]
    fn outside_cargo_nothing_is_built() {
        let exe = Path::new("/opt/ike/ike-controller");
        assert!(ike_build_command(exe, vars(&["PATH", "CARGO_HOME"])).is_none());
        let cmd = ike_build_command(
            exe,
            vars(&["CARGO", "CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"]),
        )
        .unwrap();
        let envs: Vec<_> = cmd.get_envs().map(|(n, _)| n.to_owned()).collect();
        assert_eq!(envs, [OsString::from("CARGO")]);
    }
}
