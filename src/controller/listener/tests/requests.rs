//! Request limits: body deadline, size and budget, handling slots, handler deadline.

use std::io::Write;
use std::time::{Duration, Instant};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_body_gets_408_and_its_connection_closed_and_a_whole_one_is_echoed() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let (whole, half, took) = client(move || {
        let mut tls = connect(addr, &ca);
        tls.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            .unwrap();
        let whole = response(&mut tls);
        let mut tls = connect(addr, &ca);
        tls.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
            .unwrap();
        let started = Instant::now();
        let half = response(&mut tls);
        tls.sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        closed_by_server(&mut tls, Duration::from_secs(5));
        (whole, half, started.elapsed())
    })
    .await;
    assert_eq!(whole, (200, "hello".to_string()));
    assert_eq!(half.0, 408, "{half:?}");
    assert!(half.1.contains("did not arrive within 0.5 s"), "{half:?}");
    assert!(took >= 400 * MS && took < 2000 * MS, "{took:?}");
    assert_eq!(server.refused("body_timeout"), 1);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_above_the_limit_gets_413_whether_declared_or_streamed_and_one_at_it_is_served() {
    let server = serve(limits()).await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let (at, declared, streamed) = client(move || {
        let post = |head: &str, body: &[u8]| {
            let mut tls = connect(addr, &ca);
            tls.write_all(head.as_bytes()).unwrap();
            let _ = tls.write_all(body);
            response(&mut tls)
        };
        let at = post(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
            &[b'a'; 1000],
        );
        let declared = post(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n",
            b"",
        );
        let mut chunked = Vec::new();
        for _ in 0..3 {
            chunked.extend_from_slice(b"190\r\n");
            chunked.extend_from_slice(&[b'a'; 0x190]);
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let streamed = post(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            &chunked,
        );
        (at, declared, streamed)
    })
    .await;
    assert_eq!((at.0, at.1.len()), (200, 1000));
    assert_eq!(declared.0, 413, "{declared:?}");
    assert!(
        declared.1.contains("larger than 1000 bytes"),
        "{declared:?}"
    );
    assert_eq!(streamed.0, 413, "{streamed:?}");
    assert_eq!(server.refused("body_too_large"), 2);
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_beyond_the_budget_get_503_and_fit_again_once_it_is_freed() {
    let server = serve(Limits {
        body_budget: 1000,
        body_timeout: Duration::from_secs(3),
        ..limits()
    })
    .await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let metrics = server.metrics.clone();
    let (over, after) = client(move || {
        let post = |tls: &mut Tls, body: &[u8], declared: usize| {
            let head =
                format!("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n");
            tls.write_all(head.as_bytes()).unwrap();
            tls.write_all(body).unwrap();
            tls.flush().unwrap();
        };
        // 900 bytes of a 1000-byte body held by a slow sender.
        let mut holder = connect(addr, &ca);
        post(&mut holder, &[b'a'; 900], 1000);
        std::thread::sleep(300 * MS);
        let mut other = connect(addr, &ca);
        post(&mut other, &[b'b'; 200], 200);
        let over = response(&mut other);
        // The holder finishes: its budget is freed with its answer.
        holder.write_all(&[b'a'; 100]).unwrap();
        assert_eq!(response(&mut holder).0, 200);
        let mut again = connect(addr, &ca);
        post(&mut again, &[b'b'; 200], 200);
        (over, response(&mut again))
    })
    .await;
    assert_eq!(over.0, 503, "{over:?}");
    assert_eq!(after.0, 200);
    assert_eq!(
        metrics
            .requests_refused
            .get_or_create(&vec![("reason".into(), "body_budget".into())])
            .get(),
        1
    );
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_cap_get_503_while_a_half_sent_body_holds_no_slot() {
    // Deadlines far from the test's own: on a loaded machine the held request must stay in
    // its handler (and the polls' handshakes finish) until a poll has seen the 503.
    let server = serve(Limits {
        max_requests: 1,
        body_timeout: Duration::from_secs(5),
        handshake_timeout: Duration::from_secs(5),
        header_timeout: Duration::from_secs(5),
        handler_timeout: Duration::from_secs(30),
        ..limits()
    })
    .await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    // A half-sent body on one connection, then a whole request on another: served.
    let (mut half, served) = client({
        let ca = ca.clone();
        move || {
            let mut half = connect(addr, &ca);
            half.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
                .unwrap();
            half.flush().unwrap();
            std::thread::sleep(100 * MS);
            let served = get_ok(&mut connect(addr, &ca));
            (half, served)
        }
    })
    .await;
    assert_eq!(served.0, 200);
    // One request in its handler takes the only slot: the next gets 503 with Retry-After.
    let waiting = tokio::task::spawn_blocking({
        let ca = ca.clone();
        move || {
            let mut tls = connect(addr, &ca);
            tls.write_all(b"GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            response(&mut tls)
        }
    });
    // Asked only once it is in its handler: a request asked before could take the slot first
    // and send /wait away with the 503.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.entered.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the slot was never taken");
        tokio::time::sleep(20 * MS).await;
    }
    let busy = {
        let ca = ca.clone();
        client(move || get_ok(&mut connect(addr, &ca))).await
    };
    assert_eq!(busy.0, 503, "{busy:?}");
    assert!(busy.1.contains("too many requests at once"), "{busy:?}");
    server.release.notify_one();
    assert_eq!(waiting.await.unwrap(), (200, "released".to_string()));
    let (status, _) = client(move || get_ok(&mut connect(addr, &ca))).await;
    assert_eq!(status, 200);
    assert!(server.refused("busy") >= 1);
    let _ = client(move || half.write_all(b"cdefghij").map(|()| response(&mut half))).await;
    server.listener.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_past_its_deadline_gets_503() {
    let server = serve(Limits {
        handler_timeout: 300 * MS,
        ..limits()
    })
    .await;
    let (addr, ca) = (server.addr(), server.ca.cert_pem().to_string());
    let answer = client(move || {
        let mut tls = connect(addr, &ca);
        tls.write_all(b"GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        response(&mut tls)
    })
    .await;
    assert_eq!(answer.0, 503, "{answer:?}");
    assert!(answer.1.contains("took too long"), "{answer:?}");
    assert_eq!(server.refused("handler_timeout"), 1);
    server.listener.shutdown(Duration::from_secs(1)).await;
}
