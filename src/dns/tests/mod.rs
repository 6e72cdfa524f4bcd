//! Publishing against a real BIND 9 (one `named` per test), checked with `dig` and `nsupdate`
//! as independent clients. Without BIND installed every test here fails, saying what to install.

use std::net::IpAddr;
use std::process::{Command, Stdio};

use super::*;
use crate::local::bind::{Bind, Options};

const ZONE: &str = "office.local";
const SITE: &str = "site-a";
const PRINTER: &str = "Service/office/printer";

struct Server {
    bind: Bind,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("a temp dir for named");
        let bind = Bind::start(&Options::new(dir.path()))
            .unwrap_or_else(|e| panic!("cannot run the DNS tests: {e}"));
        Server { bind, _dir: dir }
    }

    fn key(&self) -> TsigKey {
        self.bind.key().unwrap_or_else(|e| panic!("{e}"))
    }

    fn publisher(&self, owner: &str) -> Publisher {
        Publisher::new(self.bind.addr(), ZONE, &self.key(), owner).unwrap()
    }

    /// `dig @server NAME TYPE +noall +answer`: the answer section, one record per line.
    fn dig(&self, name: &str, rtype: &str) -> Vec<String> {
        let out = self.dig_raw(&[name, rtype, "+noall", "+answer"]);
        // BIND rotates the order of an RRset's records from one answer to the next.
        let mut lines: Vec<String> = out
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        lines.sort();
        lines
    }

    /// The `status:` dig reports for NAME A (NOERROR, NXDOMAIN, ...).
    fn dig_status(&self, name: &str) -> String {
        let out = self.dig_raw(&[name, "A", "+noall", "+comments"]);
        let status = out
            .split("status: ")
            .nth(1)
            .unwrap_or_else(|| panic!("{out}"));
        status.split(',').next().unwrap().to_string()
    }

    fn dig_raw(&self, args: &[&str]) -> String {
        let output = Command::new("dig")
            .arg("@127.0.0.1")
            .args(["-p", &self.bind.port.to_string()])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("dig: {e}: run 'apt-get install -y bind9-dnsutils'"));
        assert!(output.status.success(), "dig {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs `nsupdate -k KEY` with `updates` (e.g. "update add x 300 A 192.0.2.1") and `send`.
    fn nsupdate(&self, updates: &str) {
        use std::io::Write as _;
        let mut child = Command::new("nsupdate")
            .arg("-k")
            .arg(&self.bind.key_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("nsupdate: {e}: run 'apt-get install -y bind9-dnsutils'"));
        let script = format!(
            "server 127.0.0.1 {}\nzone {ZONE}\n{updates}\nsend\n",
            self.bind.port
        );
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "nsupdate: {output:?}");
    }
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|ip| ip.parse().unwrap()).collect()
}

fn claim(owner: &str, resource: &str) -> String {
    format!("\"heritage=ike,ike/owner={owner},ike/resource={resource}\"")
}

#[tokio::test]
async fn published_addresses_are_served_with_their_ttl_and_claim() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let addresses = ips(&["10.1.0.7", "10.1.0.8", "fd00::7"]);

    let outcome = publisher
        .publish("printer.office.local", &addresses, 30, PRINTER)
        .await;
    assert_eq!(outcome.unwrap(), Outcome::Created);

    let name = "printer.office.local.";
    assert_eq!(
        server.dig(name, "A"),
        [
            format!("{name} 30 IN A 10.1.0.7"),
            format!("{name} 30 IN A 10.1.0.8")
        ]
    );
    assert_eq!(
        server.dig(name, "AAAA"),
        [format!("{name} 30 IN AAAA fd00::7")]
    );
    assert_eq!(
        server.dig(name, "TXT"),
        [format!("{name} 30 IN TXT {}", claim(SITE, PRINTER))]
    );

    let answer = lookup(server.bind.addr(), "printer.office.local")
        .await
        .unwrap();
    assert!(answer.exists);
    let expected: Vec<Address> = addresses
        .iter()
        .map(|&ip| Address { ip, ttl: 30 })
        .collect();
    assert_eq!(answer.addresses, expected);
    let ownership = answer.ownership().unwrap();
    assert_eq!(
        (ownership.owner.as_str(), ownership.resource.as_str()),
        (SITE, PRINTER)
    );

    let again = publisher
        .publish("printer.office.local.", &addresses, 30, PRINTER)
        .await;
    assert_eq!(again.unwrap(), Outcome::Unchanged);
}

#[tokio::test]
async fn new_addresses_replace_the_old_ones_entirely() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let name = "printer.office.local";
    let first = ips(&["10.1.0.1", "10.1.0.2", "fd00::1"]);
    assert_eq!(
        publisher.publish(name, &first, 30, PRINTER).await.unwrap(),
        Outcome::Created
    );

    let second = ips(&["10.1.0.3"]);
    assert_eq!(
        publisher.publish(name, &second, 60, PRINTER).await.unwrap(),
        Outcome::Updated
    );
    assert_eq!(
        server.dig(name, "A"),
        ["printer.office.local. 60 IN A 10.1.0.3"]
    );
    assert_eq!(server.dig(name, "AAAA"), Vec::<String>::new());

    let v6_only = ips(&["fd00::9"]);
    assert_eq!(
        publisher
            .publish(name, &v6_only, 60, PRINTER)
            .await
            .unwrap(),
        Outcome::Updated
    );
    assert_eq!(server.dig(name, "A"), Vec::<String>::new());
    assert_eq!(
        server.dig(name, "AAAA"),
        ["printer.office.local. 60 IN AAAA fd00::9"]
    );
}

#[tokio::test]
async fn removed_names_are_nxdomain_and_keep_no_claim() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let name = "printer.office.local";
    let addresses = ips(&["10.1.0.1", "fd00::1"]);
    assert_eq!(
        publisher
            .publish(name, &addresses, 30, PRINTER)
            .await
            .unwrap(),
        Outcome::Created
    );

    assert_eq!(
        publisher.remove(name, PRINTER).await.unwrap(),
        Outcome::Removed
    );
    assert_eq!(server.dig_status(name), "NXDOMAIN");
    assert_eq!(server.dig(name, "TXT"), Vec::<String>::new());
    assert!(!lookup(server.bind.addr(), name).await.unwrap().exists);

    assert_eq!(
        publisher.remove(name, PRINTER).await.unwrap(),
        Outcome::Absent
    );
}

#[tokio::test]
async fn names_made_by_hand_are_never_touched() {
    let server = Server::start();
    server.nsupdate(
        "update add hand.office.local 300 A 192.0.2.7\n\
         update add alias.office.local 300 CNAME hand.office.local\n\
         update add mail.office.local 300 MX 10 hand.office.local",
    );
    let publisher = server.publisher(SITE);
    let not_owned = Outcome::NotOwned { holder: None };
    for name in [
        "hand.office.local",
        "alias.office.local",
        "mail.office.local",
    ] {
        let published = publisher
            .publish(name, &ips(&["10.1.0.1"]), 30, PRINTER)
            .await;
        assert_eq!(published.unwrap(), not_owned, "{name}");
        assert_eq!(
            publisher.remove(name, PRINTER).await.unwrap(),
            not_owned,
            "{name}"
        );
    }
    assert_eq!(
        server.dig("hand.office.local", "A"),
        ["hand.office.local. 300 IN A 192.0.2.7"]
    );
    assert_eq!(
        server.dig("alias.office.local", "CNAME"),
        ["alias.office.local. 300 IN CNAME hand.office.local."]
    );
    assert_eq!(
        server.dig("mail.office.local", "ANY"),
        ["mail.office.local. 300 IN MX 10 hand.office.local."]
    );
    let apex = publisher
        .publish("office.local", &[], 30, PRINTER)
        .await
        .unwrap_err();
    assert!(matches!(apex, Error::OutsideZone { .. }), "{apex}");
}

#[tokio::test]
async fn a_second_owner_or_resource_cannot_take_a_held_name() {
    let server = Server::start();
    let site_a = server.publisher(SITE);
    let site_b = server.publisher("site-b");
    let name = "printer.office.local";
    let held = ips(&["10.1.0.1"]);
    assert_eq!(
        site_a.publish(name, &held, 30, PRINTER).await.unwrap(),
        Outcome::Created
    );

    let holder = Some(Ownership::new(SITE, PRINTER).unwrap());
    let not_owned = Outcome::NotOwned { holder };
    let other = ips(&["10.9.9.9"]);
    assert_eq!(
        site_b.publish(name, &other, 30, PRINTER).await.unwrap(),
        not_owned
    );
    assert_eq!(site_b.remove(name, PRINTER).await.unwrap(), not_owned);
    let scanner = "Service/office/scanner";
    assert_eq!(
        site_a.publish(name, &other, 30, scanner).await.unwrap(),
        not_owned
    );
    assert_eq!(site_a.remove(name, scanner).await.unwrap(), not_owned);

    assert_eq!(
        server.dig(name, "A"),
        ["printer.office.local. 30 IN A 10.1.0.1"]
    );
    assert_eq!(
        server.dig(name, "TXT"),
        [format!("{name}. 30 IN TXT {}", claim(SITE, PRINTER))]
    );
}

#[tokio::test]
async fn a_name_with_a_foreign_txt_added_later_is_no_longer_ours() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let name = "printer.office.local";
    let first = ips(&["10.1.0.1"]);
    assert_eq!(
        publisher.publish(name, &first, 30, PRINTER).await.unwrap(),
        Outcome::Created
    );
    server.nsupdate("update add printer.office.local 30 TXT \"v=spf1 -all\"");

    let not_owned = Outcome::NotOwned { holder: None };
    let second = ips(&["10.1.0.2"]);
    assert_eq!(
        publisher.publish(name, &second, 30, PRINTER).await.unwrap(),
        not_owned
    );
    assert_eq!(publisher.remove(name, PRINTER).await.unwrap(), not_owned);
    assert_eq!(
        server.dig(name, "A"),
        ["printer.office.local. 30 IN A 10.1.0.1"]
    );
}

#[tokio::test]
async fn no_ready_addresses_keep_the_name_and_its_claim() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let name = "printer.office.local";
    let some = ips(&["10.1.0.1"]);
    assert_eq!(
        publisher.publish(name, &some, 30, PRINTER).await.unwrap(),
        Outcome::Created
    );
    assert_eq!(
        publisher.publish(name, &[], 30, PRINTER).await.unwrap(),
        Outcome::Updated
    );

    assert_eq!(server.dig_status(name), "NOERROR");
    assert_eq!(server.dig(name, "A"), Vec::<String>::new());
    assert_eq!(
        server.dig(name, "TXT"),
        [format!("{name}. 30 IN TXT {}", claim(SITE, PRINTER))]
    );
    let site_b = server.publisher("site-b");
    let taken = site_b
        .publish(name, &ips(&["10.9.9.9"]), 30, PRINTER)
        .await
        .unwrap();
    assert!(
        matches!(taken, Outcome::NotOwned { holder: Some(_) }),
        "{taken}"
    );
    assert_eq!(
        publisher.publish(name, &some, 30, PRINTER).await.unwrap(),
        Outcome::Updated
    );
}

mod network;

#[tokio::test]
async fn server_addresses_take_ips_names_and_default_to_port_53() {
    let cases = [
        ("192.0.2.53:5353", "192.0.2.53:5353"),
        ("192.0.2.53", "192.0.2.53:53"),
        ("[fd00::53]:53", "[fd00::53]:53"),
        ("fd00::53", "[fd00::53]:53"),
        ("localhost:5353", "127.0.0.1:5353"),
    ];
    for (given, want) in cases {
        let got = server_address(given)
            .await
            .unwrap_or_else(|e| panic!("{given}: {e}"));
        if given.starts_with("localhost") {
            assert_eq!(got.port(), 5353, "{given}");
        } else {
            assert_eq!(got.to_string(), want, "{given}");
        }
    }
    let err = server_address("").await.unwrap_err().to_string();
    assert!(err.contains("write HOST:PORT"), "{err}");
}
