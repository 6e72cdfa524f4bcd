//! The wire side against a real BIND: keys, zones, TCP, timeouts and concurrent writers.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

use super::super::*;
use super::{PRINTER, SITE, Server, ZONE, ips};

#[tokio::test]
async fn a_wrong_key_is_rejected_with_a_hint_and_changes_nothing() {
    let server = Server::start();
    let good = server.key();
    let wrong_secret =
        TsigKey::new(&good.name, good.algorithm, b"not the secret".to_vec()).unwrap();
    let unknown_key = TsigKey::new("stranger", good.algorithm, good.secret().to_vec()).unwrap();
    for (key, code) in [(wrong_secret, "BADSIG"), (unknown_key, "BADKEY")] {
        let publisher = Publisher::new(server.bind.addr(), ZONE, &key, SITE).unwrap();
        let err = publisher
            .publish("printer.office.local", &ips(&["10.1.0.1"]), 30, PRINTER)
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(&err, Error::TsigRejected { code: c, .. } if c == code),
            "{message}"
        );
        assert!(message.contains(&key.name), "{message}");
        let err = publisher
            .remove("printer.office.local", PRINTER)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::TsigRejected { .. }), "{err}");
    }
    assert_eq!(server.dig_status("printer.office.local"), "NXDOMAIN");
}

#[tokio::test]
async fn a_zone_the_server_does_not_serve_is_refused() {
    let server = Server::start();
    let publisher = Publisher::new(server.bind.addr(), "elsewhere.test", &server.key(), SITE);
    let err = publisher
        .unwrap()
        .publish("printer.elsewhere.test", &ips(&["10.1.0.1"]), 30, PRINTER)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::QueryRefused { .. }), "{err}");
    assert!(err.to_string().contains("serves the name's zone"), "{err}");
}

#[tokio::test]
async fn large_address_sets_travel_over_tcp() {
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let many: Vec<IpAddr> = (1..=80)
        .map(|i| format!("fd00::{i:x}").parse().unwrap())
        .collect();
    let name = "farm.office.local";
    assert_eq!(
        publisher.publish(name, &many, 30, PRINTER).await.unwrap(),
        Outcome::Created
    );
    assert_eq!(server.dig(name, "AAAA").len(), 80);
    let answer = lookup(server.bind.addr(), name).await.unwrap();
    assert_eq!(answer.addresses.len(), 80);
    assert_eq!(
        publisher.publish(name, &many, 30, PRINTER).await.unwrap(),
        Outcome::Unchanged
    );
}

#[tokio::test]
async fn a_server_that_does_not_answer_times_out_and_a_closed_port_is_refused() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let key = TsigKey::new("k", Algorithm::HmacSha256, b"secret".to_vec()).unwrap();
    let publisher = Publisher::new(silent.local_addr().unwrap(), ZONE, &key, SITE)
        .unwrap()
        .with_timeout(Duration::from_millis(100));
    let started = std::time::Instant::now();
    let err = publisher
        .remove("printer.office.local", PRINTER)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let closed: SocketAddr = {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap()
    };
    let err = lookup(closed, "printer.office.local").await.unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("check that it runs"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_publishes_lose_no_name() {
    use futures::StreamExt as _;
    let server = Server::start();
    let publisher = server.publisher(SITE);
    let outcomes: Vec<Result<Outcome, Error>> = futures::stream::iter(0..200)
        .map(|i| {
            let publisher = publisher.clone();
            async move {
                let ip = IpAddr::from([10, 3, 0, i as u8]);
                let name = format!("n{i}.office.local");
                publisher.publish(&name, &[ip], 30, PRINTER).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(
        outcomes.iter().all(|o| matches!(o, Ok(Outcome::Created))),
        "{outcomes:?}"
    );
    for i in [0, 99, 199] {
        let name = format!("n{i}.office.local.");
        assert_eq!(
            server.dig(&name, "A"),
            [format!("{name} 30 IN A 10.3.0.{i}")]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_racing_for_a_name_leave_exactly_one_winner() {
    let server = Server::start();
    let sites: Vec<Publisher> = (0..8)
        .map(|i| server.publisher(&format!("site-{i}")))
        .collect();
    for round in 0..10 {
        let name = format!("contested{round}.office.local");
        let races = sites.iter().enumerate().map(|(i, site)| {
            let name = name.clone();
            let site = site.clone();
            tokio::spawn(async move {
                let ip = IpAddr::from([10, 4, round as u8, i as u8]);
                site.publish(&name, &[ip], 30, PRINTER).await
            })
        });
        let outcomes: Vec<Outcome> = futures::future::join_all(races)
            .await
            .into_iter()
            .map(|joined| joined.unwrap().unwrap())
            .collect();
        let winners: Vec<usize> = (0..outcomes.len())
            .filter(|&i| outcomes[i] == Outcome::Created)
            .collect();
        assert_eq!(winners.len(), 1, "{name}: {outcomes:?}");
        let winner = winners[0];
        let holder = Some(Ownership::new(&format!("site-{winner}"), PRINTER).unwrap());
        for (i, outcome) in outcomes.iter().enumerate().filter(|&(i, _)| i != winner) {
            assert_eq!(
                outcome,
                &Outcome::NotOwned {
                    holder: holder.clone()
                },
                "site-{i}"
            );
        }
        assert_eq!(
            server.dig(&name, "A"),
            [format!("{name}. 30 IN A 10.4.{round}.{winner}")]
        );
    }
}
