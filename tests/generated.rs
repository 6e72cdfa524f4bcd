//! The committed generated files (completions, man pages, CRDs) are exactly what the current
//! code generates. Refresh them with `IKE_BLESS=1 cargo test --test generated`.

use std::path::Path;

fn check(files: Vec<(String, Vec<u8>)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("IKE_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, contents) in files {
        let full = root.join(&path);
        if std::fs::read(&full).ok().as_deref() != Some(contents.as_slice()) {
            if bless {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, &contents).unwrap();
            } else {
                stale.push(path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `IKE_BLESS=1 cargo test --test generated` and commit them"
    );
}

#[test]
fn completions_are_fresh() {
    check(
        ike::cli::generate::completions()
            .into_iter()
            .map(|f| (f.path, f.contents))
            .collect(),
    );
}

#[test]
fn man_pages_are_fresh_and_cover_every_subcommand() {
    let pages = ike::cli::generate::man_pages();
    let names: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "man/ike.1",
        "man/ike-completion.1",
        "man/ike-site-list.1",
        "man/ike-version.1",
    ] {
        assert!(names.contains(&expected), "no {expected} in {names:?}");
    }
    // No page without a generator: a removed subcommand's page must go too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Ok(dir) = std::fs::read_dir(root.join("man")) {
        for entry in dir {
            let path = format!("man/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(
                names.contains(&path.as_str()),
                "{path} is not generated any more: delete it"
            );
        }
    }
    check(pages.into_iter().map(|f| (f.path, f.contents)).collect());
}

#[test]
fn crds_in_examples_are_fresh() {
    check(vec![(
        "examples/crds.yaml".to_string(),
        ike::api::crds_yaml().into_bytes(),
    )]);
}

#[test]
fn one_tls_stack_and_one_crypto_provider() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for forbidden in ["aws-lc-rs", "aws-lc-sys", "openssl-sys", "native-tls"] {
        let out = std::process::Command::new(&cargo)
            .args(["tree", "--offline", "-e", "normal,build", "-i", forbidden])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo tree runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("did not match any packages"),
            "{forbidden} is in the dependency tree:\n{}{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn ike_completion_prints_the_committed_scripts_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in [
        ("bash", "ike.bash"),
        ("zsh", "_ike"),
        ("fish", "ike.fish"),
        ("powershell", "_ike.ps1"),
        ("elvish", "ike.elv"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ike"))
            .args(["completion", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(
            out.stdout,
            std::fs::read(root.join("completions").join(file)).unwrap(),
            "ike completion {shell} differs from completions/{file}"
        );
        // `IKE_COMPLETE=SHELL ike` prints the registration too (zsh: without the fpath line).
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ike"))
            .env("IKE_COMPLETE", shell)
            .output()
            .unwrap();
        assert!(out.status.success() && out.stderr.is_empty());
        assert!(
            out.stdout.len() > 100,
            "IKE_COMPLETE={shell} ike printed no registration"
        );
    }
}
