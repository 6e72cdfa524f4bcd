use std::io::{Read as _, Write as _};

use super::*;

/// One HTTP/1.1 request with a bearer token and a JSON body: (status, body).
fn call(url: &str, method: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let body = body.to_string();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn webhook_body() -> Value {
    json!({
        "version": "4", "groupKey": "g", "status": "firing", "receiver": "r",
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://am", "truncatedAlerts": 0,
        "alerts": [{
            "status": "firing", "labels": {"alertname": "IkeTest"}, "annotations": {},
            "startsAt": "2026-12-07T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "", "fingerprint": "f"
        }]
    })
}

#[test]
fn the_local_stand_in_takes_any_token_and_shows_and_records_what_arrived() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alerts.jsonl");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = runtime
        .block_on(BarryFake::start_with(Options {
            tokens: Tokens::Any,
            listen: (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            alerts_file: Some(file.clone()),
        }))
        .unwrap();
    let url = fake.url.clone();
    let channels = "/api/v1/channels/payments-alerts";
    let (status, channel) = call(&url, "PUT", channels, "made-up-token", &json!({}));
    assert_eq!((status, &channel["name"]), (201, &json!("payments-alerts")));
    let (status, again) = call(&url, "PUT", channels, "made-up-token", &json!({}));
    assert_eq!((status, &again), (200, &channel));
    // Another token is another account, with a channel of its own under the same name.
    let (_, other) = call(&url, "PUT", channels, "another-token", &json!({}));
    assert_ne!(other["id"], channel["id"]);
    let (status, _) = call(&url, "PUT", channels, "", &json!({}));
    assert_eq!(status, 401, "an empty token is refused");

    let id = channel["id"].as_str().unwrap();
    let alerts = format!("/api/v1/channels/{id}/alerts");
    let (status, _) = call(&url, "POST", &alerts, "made-up-token", &webhook_body());
    assert_eq!(status, 202);
    let (status, _) = call(&url, "POST", &alerts, "another-token", &webhook_body());
    assert_eq!(status, 404, "another account's channel is not found");
    let (status, _) = call(
        &url,
        "POST",
        &alerts,
        "made-up-token",
        &json!({"version": "3"}),
    );
    assert_eq!(status, 400);

    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["channel"]["name"], "payments-alerts");
    assert_eq!(lines[0]["body"], webhook_body());
    let (status, shown) = crate::local::http_get(&url, "/").unwrap();
    assert_eq!(status, 200);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["channels"].as_array().unwrap().len(), 2);
    assert_eq!(shown["alerts"][0]["channel"]["name"], "payments-alerts");
    assert!(!shown.to_string().contains("made-up-token"), "{shown}");
}
