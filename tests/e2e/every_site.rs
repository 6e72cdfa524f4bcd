//! `ike login --all` and `ike site list` with three sites, one of them down: the other two are
//! renewed and listed, the down one is a warning line, and the exit status says "partly".

use std::path::Path;

use serde_json::Value;

use crate::harness::{User, env, ok};
use crate::tenant_cli::enrolled;

/// Copies `user`'s files for the e2e site to `site`, as if logged in there too; `down` points
/// its account API and API server at a port nothing listens on.
fn copy_site(user: &User, site: &str, down: Option<&str>) {
    let from = user.site_dir(&env().site);
    let to = user.site_dir(site);
    std::fs::create_dir_all(&to).unwrap();
    for file in ["ca.pem", "identity.pem"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    let mut settings: Value =
        serde_json::from_slice(&std::fs::read(from.join("site.json")).unwrap()).unwrap();
    settings["site"] = site.into();
    if let Some(url) = down {
        settings["accountApi"] = url.into();
        settings["apiServer"] = url.into();
    }
    std::fs::write(to.join("site.json"), settings.to_string()).unwrap();
}

fn serial(dir: &Path) -> String {
    let pem = std::fs::read_to_string(dir.join("identity.pem")).unwrap();
    ike::pki::cert_info(&pem).unwrap().serial
}

#[test]
fn login_all_renews_three_sites_at_once_and_a_down_site_is_a_warning_not_a_failure() {
    let user = enrolled("all");
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("https://{}", l.local_addr().unwrap())
    };
    let (up, gone) = ("e2e-second", "e2e-down");
    copy_site(&user, up, None);
    copy_site(&user, gone, Some(&down));
    let before: Vec<String> = [&env().site, up, gone]
        .iter()
        .map(|s| serial(&user.site_dir(s)))
        .collect();
    let current_before = ok(user.kubectl(&["config", "current-context"]));

    let out = user.ike(&["login", "--all"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("$ ike login --all\n{stderr}");
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "one line per site and a summary: {stderr}");
    let renewed = |site: &str| format!("{site:<10}  renewed as {}, valid until ", user.account);
    assert!(
        lines.iter().any(|l| l.starts_with(&renewed(&env().site))),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&renewed(up))),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("warning: site {gone} not renewed: "))),
        "{stderr}"
    );
    assert_eq!(lines[3], "Renewed 2 of 3 sites; the others are above.");
    let after: Vec<String> = [&env().site, up, gone]
        .iter()
        .map(|s| serial(&user.site_dir(s)))
        .collect();
    assert_ne!(after[0], before[0], "the e2e site was not renewed");
    assert_ne!(after[1], before[1], "the second site was not renewed");
    assert_eq!(after[2], before[2], "the down site changed");
    // The second site got its context; the current one stayed.
    assert_eq!(
        ok(user.kubectl(&["config", "current-context"])),
        current_before
    );
    assert!(
        ok(user.kubectl(&["config", "get-contexts", "-o", "name"])).contains(&format!("ike-{up}"))
    );

    let out = user.ike(&["site", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning = format!("warning: site {gone} does not answer: cannot reach {down}: ");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&warning) && stderr.contains("refused"),
        "{stderr}"
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |site: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["site"] == site)
            .unwrap()
            .clone()
    };
    for site in [env().site.as_str(), up] {
        let r = row(site);
        assert_eq!(r["account"], user.account.as_str(), "{r}");
        assert_eq!(r["answers"], true, "{r}");
        assert!(
            r["certificate"].as_str().unwrap().starts_with("valid "),
            "{r}"
        );
        assert!(r["certificateExpires"].is_string(), "{r}");
    }
    assert_eq!(row(&env().site)["current"], true);
    assert_eq!(row(gone)["answers"], false);
    assert_eq!(row(gone)["context"], Value::Null);

    // The table a person reads: one row per site.
    let out = user.ike(&["site", "list"]);
    eprintln!(
        "$ ike site list\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let table = ok(user.ike(&["site", "list", "--offline"]));
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "CURRENT",
            "SITE",
            "ACCOUNT",
            "CERTIFICATE",
            "API",
            "CONTEXT"
        ]
    );
    assert_eq!(table.lines().count(), 4, "{table}");
}
