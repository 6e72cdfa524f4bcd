use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn site(blocked: &[&str]) -> NotificationPolicy {
    NotificationPolicy {
        blocked_networks: blocked.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// Real Workflows URLs' shapes (the signature made up): both kinds Microsoft hands out.
const WORKFLOWS: [&str; 2] = [
    "https://prod-23.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf012345",
    "https://default0a1b2c3d4e5f.09.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/86ffea63/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf012345",
];

#[test]
fn a_real_workflows_url_is_allowed_next_to_every_address_that_reaches_the_platform() {
    let rules = Destinations::new(&NotificationPolicy::default(), false);
    for url in WORKFLOWS {
        assert!(rules.check_url(url).is_ok(), "{url}");
    }
    for (url, kind) in [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://127.1.2.3:8443/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://10.0.0.7/hook", "private"),
        ("https://172.20.1.1/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://100.64.0.1/hook", "shared (CGNAT)"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://[::]/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://[::ffff:169.254.169.254]/hook", "link-local"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://[64:ff9b::a00:1]/hook", "private"),
        ("https://[2002:a9fe:a9fe::1]/hook", "link-local"),
        ("https://[fd00::1]/hook", "private (unique local)"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[ff02::1]/hook", "multicast"),
    ] {
        assert_eq!(rules.check_url(url), Err(Refusal::Address(kind)), "{url}");
    }
}

#[test]
fn only_the_sites_hosts_over_https_are_allowed() {
    let rules = Destinations::new(&NotificationPolicy::default(), false);
    for url in [
        "https://evil.example/workflows/x",
        "https://logic.azure.com.evil.example/x",
        "https://evil-logic.azure.com/x",
        "https://localhost/x",
        "https://8.8.8.8/x",
    ] {
        assert!(
            matches!(rules.check_url(url), Err(Refusal::HostNotAllowed(_))),
            "{url}"
        );
    }
    let plain = WORKFLOWS[0].replace("https://", "http://");
    assert_eq!(rules.check_url(&plain), Err(Refusal::NotHttps));
    for url in [
        "",
        "prod-1.logic.azure.com/x",
        "ftp://prod-1.logic.azure.com/x",
        "https:///x",
    ] {
        assert!(rules.check_url(url).is_err(), "{url:?}");
    }
    // A site may name its own hosts; a host may be given exactly.
    let own = NotificationPolicy {
        allowed_hosts: Some(vec!["Hooks.Example.".into()]),
        ..Default::default()
    };
    let rules = Destinations::new(&own, false);
    assert!(rules.check_url("https://hooks.example/x").is_ok());
    assert!(rules.check_url(WORKFLOWS[0]).is_err());
}

#[test]
fn the_insecure_switch_allows_http_and_loopback_and_nothing_else() {
    let rules = Destinations::new(&NotificationPolicy::default(), true);
    for url in [
        "http://127.0.0.1:8080/hook?sig=x",
        "http://localhost:8080/hook",
        "https://[::1]:8443/hook",
        "http://prod-1.westeurope.logic.azure.com/x",
    ] {
        assert!(rules.check_url(url).is_ok(), "{url}");
    }
    for url in [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/",
        "http://evil.example/",
        "http://[::ffff:192.168.0.1]/",
    ] {
        assert!(rules.check_url(url).is_err(), "{url}");
    }
    assert_eq!(rules.check_address(ip("127.0.0.1")), Ok(()));
    assert_eq!(
        rules.check_address(ip("10.1.1.1")),
        Err(Refusal::Address("private"))
    );
}

#[test]
fn the_sites_blocked_networks_are_refused_even_for_allowed_hosts() {
    let rules = Destinations::new(
        &site(&["203.0.113.0/24", "2001:db9::/32", "198.51.100.7"]),
        true,
    );
    for blocked in [
        "203.0.113.9",
        "::ffff:203.0.113.9",
        "2001:db9::1",
        "198.51.100.7",
    ] {
        assert_eq!(
            rules.check_address(ip(blocked)),
            Err(Refusal::Blocked),
            "{blocked}"
        );
    }
    for open in ["203.0.114.1", "198.51.100.8", "2001:db8a::1", "20.50.1.1"] {
        assert_eq!(rules.check_address(ip(open)), Ok(()), "{open}");
    }
    // Even loopback with the switch on, when the site lists it.
    let rules = Destinations::new(&site(&["127.0.0.77/32"]), true);
    assert_eq!(rules.check_address(ip("127.0.0.77")), Err(Refusal::Blocked));
    assert_eq!(rules.check_address(ip("127.0.0.1")), Ok(()));
    assert_eq!(
        rules.check_url("http://127.0.0.77:9/x"),
        Err(Refusal::Blocked)
    );
}

#[test]
fn a_broken_blocked_network_stops_every_tenant_destination() {
    let rules = Destinations::new(&site(&["10.0.0.0/8", "not-a-network"]), false);
    let err = rules.check_url(WORKFLOWS[0]).unwrap_err();
    assert!(
        matches!(err, Refusal::BadPolicy(ref m) if m.contains("not-a-network")),
        "{err}"
    );
    assert!(matches!(
        rules.check_address(ip("20.1.1.1")),
        Err(Refusal::BadPolicy(_))
    ));
}

#[test]
fn networks_parse_as_cidr_and_nothing_else() {
    for good in [
        "10.0.0.0/8",
        "10.1.2.3",
        "0.0.0.0/0",
        "2001:db8::/32",
        "::1/128",
        "1.2.3.4/32",
    ] {
        assert!(good.parse::<Network>().is_ok(), "{good}");
    }
    for bad in [
        "",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "10/8",
        "::/129",
        "x/8",
        "10.0.0.0/8/8",
    ] {
        assert!(bad.parse::<Network>().is_err(), "{bad}");
    }
    let net: Network = "10.96.0.0/12".parse().unwrap();
    assert!(net.contains(ip("10.111.255.255")) && !net.contains(ip("10.112.0.0")));
    assert!(net.contains(ip("::ffff:10.96.0.1")));
    assert!(
        !net.contains(ip("::a60:1")),
        "an IPv4 network holds no other IPv6 form"
    );
}

#[test]
fn public_addresses_are_not_reserved() {
    for public in [
        "20.50.1.1",
        "13.107.6.152",
        "8.8.8.8",
        "2603:1030::1",
        "172.32.0.1",
        "100.128.0.1",
    ] {
        assert_eq!(reserved(ip(public)), None, "{public}");
    }
}

#[test]
fn refusals_never_repeat_the_url() {
    let rules = Destinations::new(&NotificationPolicy::default(), false);
    let url = "https://evil.example/hook?sig=S3CRET-SIGNATURE";
    let err = rules.check_url(url).unwrap_err().to_string();
    assert!(
        !err.contains("S3CRET") && !err.contains("evil.example"),
        "{err}"
    );
}
