//! Many at once against one real control plane: colleagues behind one address, renewals in a
//! crowd.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_enrollments_from_one_address_are_never_refused_however_many_fail_or_hang_up() {
    let cluster = Cluster::connect().await;
    // The enrollment limit at its default: 10 failures per source.
    let (api, ca) = cluster.start().await;
    let addr = api.local_addr();
    // 100 accounts with tokens: 50 for logins that hang up, 50 for colleagues at once.
    let mut tokens = Vec::new();
    for _ in 0..100 {
        let name = unique("nat");
        cluster.create_account(&name, false).await;
        let (token, enrollment) = new_enrollment(HOUR, SystemTime::now()).unwrap();
        store_enrollment(&cluster.accounts(), &name, &enrollment)
            .await
            .unwrap();
        tokens.push(token);
    }
    let anonymous = TestClient::new(addr, ca.cert_pem(), None);
    // The store delivers in order: once the last token is there, every one is.
    let last = tokens.last().unwrap().clone();
    within(Duration::from_secs(5), async || {
        anonymous
            .post("/v1/enroll", &json!({ "token": last, "csr": "x" }))
            .await
            .0
            == StatusCode::BAD_REQUEST
    })
    .await
    .expect("the tokens reached the store");
    // Someone behind the same address guesses: its failures run out, and it is told so.
    let mut status = StatusCode::OK;
    for _ in 0..=ENROLL_RATE.burst {
        status = enroll(&anonymous, "ike1_guess").await.0;
    }
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // 50 logins that hang up at some point before their answer (a closed laptop, Ctrl-C).
    let colleagues = tokens.split_off(50);
    let hung_up = tokens.into_iter().enumerate().map(|(i, token)| {
        let client = TestClient::new(addr, ca.cert_pem(), None);
        tokio::spawn(async move {
            let patience = Duration::from_millis(1 + (i as u64 * 7) % 40);
            let _ = tokio::time::timeout(patience, enroll(&client, &token)).await;
        })
    });
    for run in futures::future::join_all(hung_up).await {
        run.unwrap();
    }
    // Then 50 colleagues at once, from the same address: every one gets its certificate.
    let at_once = colleagues.into_iter().map(|token| {
        let client = TestClient::new(addr, ca.cert_pem(), None);
        tokio::spawn(async move {
            let (status, body, _) = enroll(&client, &token).await;
            (status, body)
        })
    });
    for run in futures::future::join_all(at_once).await {
        let (status, body) = run.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The guesser is still limited.
    assert_eq!(
        enroll(&anonymous, "ike1_guess").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    api.shutdown().await.unwrap();
}

/// 64 clients renewing at once over kept-alive connections: no errors, and every account's
/// status ends with its newest certificates. (A correctness test; throughput is measured by
/// `benches/account_api.rs`.)
#[tokio::test(flavor = "multi_thread")]
async fn sixty_four_clients_renewing_at_once_all_succeed_and_are_recorded() {
    const CLIENTS: usize = 64;
    let seconds: u64 = std::env::var("IKE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let cluster = Cluster::connect().await;
    let (api, ca) = cluster.start().await;
    let mut clients = Vec::new();
    let mut names = Vec::new();
    for i in 0..CLIENTS {
        let name = unique(&format!("load{i}"));
        let uid = cluster.create_account(&name, false).await;
        let (key, csr) = pki::new_key_and_csr(&name).unwrap();
        let cert = ca
            .issue(&csr, &bound(&name, &uid), HOUR, SystemTime::now())
            .unwrap()
            .cert_pem;
        clients.push((
            TestClient::new(api.local_addr(), ca.cert_pem(), Some((&cert, &key))),
            serde_json::to_vec(&json!({ "csr": pki::new_key_and_csr(&name).unwrap().1 })).unwrap(),
        ));
        names.push(name);
    }
    // Every account in the store, and every connection open, before measuring.
    for (client, body) in &clients {
        within(Duration::from_secs(10), async || {
            client
                .send(
                    Method::POST,
                    "/v1/renew",
                    Some("application/json"),
                    body.clone(),
                )
                .await
                .is_ok_and(|(s, _)| s == StatusCode::OK)
        })
        .await
        .expect("warm-up");
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks = clients.into_iter().map(|(client, body)| {
        tokio::spawn(async move {
            let body = Bytes::from(body);
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let started = Instant::now();
                match client
                    .send(
                        Method::POST,
                        "/v1/renew",
                        Some("application/json"),
                        body.clone(),
                    )
                    .await
                {
                    Ok((StatusCode::OK, _)) => latencies.push(started.elapsed()),
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        })
    });
    let started = Instant::now();
    let results = futures::future::join_all(tasks).await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut errors = 0;
    for result in results {
        let (l, e) = result.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    eprintln!(
        "load: {} certificates in {:.1} s = {rate:.0}/s with {CLIENTS} clients; errors {errors}; latency p50 {:?} p99 {:?} max {:?}",
        latencies.len(),
        elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        latencies.last().unwrap(),
    );
    // The recorder writes every 500 ms: wait until one account's status lists the newest.
    let mut status = AccountStatus::default();
    within(Duration::from_secs(10), async || {
        status = cluster
            .accounts()
            .get_status(&names[0])
            .await
            .unwrap()
            .status
            .unwrap_or_default();
        status.certificates.len() == recorder::KEEP
    })
    .await;
    eprintln!(
        "{} lists {} certificates",
        names[0],
        status.certificates.len()
    );
    assert_eq!(status.certificates.len(), recorder::KEEP);
    assert_eq!(errors, 0);
    api.shutdown().await.unwrap();
}
