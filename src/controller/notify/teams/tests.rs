//! The card's shape, pinned; the URL checks.

use super::*;
use crate::controller::notify::payload::tests::sample;

#[test]
fn a_firing_notification_becomes_this_card() {
    let expected = json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": [
                    {
                        "type": "Container",
                        "style": "attention",
                        "bleed": true,
                        "items": [{
                            "type": "TextBlock",
                            "text": "[FIRING:1] HighLatency",
                            "size": "Large",
                            "weight": "Bolder",
                            "color": "Attention",
                            "wrap": true
                        }]
                    },
                    {
                        "type": "Container",
                        "separator": true,
                        "items": [
                            {"type": "TextBlock", "text": "FIRING: p99 above 2 s", "weight": "Bolder", "color": "Attention", "wrap": true},
                            {"type": "TextBlock", "text": "checkout is slow", "wrap": true},
                            {"type": "FactSet", "facts": [
                                {"title": "alertname", "value": "HighLatency"},
                                {"title": "namespace", "value": "shop"},
                                {"title": "severity", "value": "critical"}
                            ]},
                            {"type": "ActionSet", "actions": [{
                                "type": "Action.OpenUrl",
                                "title": "Open in Prometheus",
                                "url": "http://prometheus:9090/graph?g0.expr=latency"
                            }]}
                        ]
                    }
                ]
            }
        }]
    });
    assert_eq!(card(&sample()), expected);
}

#[test]
fn a_resolved_notification_is_green_and_says_resolved() {
    let mut payload = sample();
    payload.status = Status::Resolved;
    payload.alerts[0].status = Status::Resolved;
    let card = card(&payload);
    let body = &card["attachments"][0]["content"]["body"];
    assert_eq!(body[0]["style"], "good");
    assert_eq!(body[0]["items"][0]["text"], "[RESOLVED] HighLatency");
    assert_eq!(body[0]["items"][0]["color"], "Good");
    assert_eq!(body[1]["items"][0]["text"], "RESOLVED: p99 above 2 s");
}

#[test]
fn long_notifications_are_cut_to_fit_a_card() {
    let mut payload = sample();
    payload.alerts[0]
        .annotations
        .insert("description".into(), "x".repeat(5000));
    payload.alerts[0].generator_url = "not a url".into();
    payload.alerts = vec![payload.alerts[0].clone(); MAX_ALERTS + 3];
    let card = card(&payload);
    let body = card["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap();
    assert_eq!(body.len(), 1 + MAX_ALERTS + 1);
    assert_eq!(body.last().unwrap()["text"], "… and 3 more alerts");
    assert_eq!(
        body[1]["items"][1]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        1001
    );
    assert!(
        !serde_json::to_string(&card)
            .unwrap()
            .contains("Action.OpenUrl")
    );
    assert!(serde_json::to_vec(&card).unwrap().len() < 28_000);
}

#[test]
fn the_card_never_contains_the_webhook_url() {
    let url = "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=S3CRET";
    let mut payload = sample();
    payload.receiver = "tenant/shop/teams/chat".into();
    let text = serde_json::to_string(&card(&payload)).unwrap();
    assert!(
        !text.contains("S3CRET") && !text.contains("logic.azure.com"),
        "{text}"
    );
    assert_eq!(check_webhook_url(url), Ok(()));
}

#[test]
fn office_365_connector_urls_are_flagged_with_what_to_do_instead() {
    for legacy in [
        "https://contoso.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abcd/ef01",
        "https://outlook.office.com/webhook/1234@5678/IncomingWebhook/abcd/ef01",
        "https://OUTLOOK.office365.com/webhook/x",
    ] {
        assert!(is_legacy_connector_url(legacy), "{legacy}");
        let message = check_webhook_url(legacy).unwrap_err();
        assert!(
            message.contains("Workflows webhook") && !message.contains("contoso"),
            "{message}"
        );
    }
    for modern in [
        "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke",
        "https://default123.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc",
        "https://contoso.webhook.office.com/other/path",
    ] {
        assert!(!is_legacy_connector_url(modern), "{modern}");
    }
    // Where a URL may lead is the site's rule, checked next to this one.
    let site = crate::api::Destinations::new(&Default::default(), false);
    assert!(site.check_url("http://example.com/hook").is_err());
    assert!(site.check_url("not a url").is_err());
    // The fakes and the local IKE listen on loopback without TLS: only with the switch.
    assert!(site.check_url("http://127.0.0.1:8080/hook?sig=x").is_err());
    let local = crate::api::Destinations::new(&Default::default(), true);
    assert!(local.check_url("http://127.0.0.1:8080/hook?sig=x").is_ok());
}
