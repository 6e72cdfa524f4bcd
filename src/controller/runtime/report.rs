//! How the controller reports what happened: an error with its sources on one line, for logs,
//! and the Event recorder its reconcilers write Events with.

/// An error and its sources on one line, for logs.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The Event recorder of the controller's reconcilers (`reportingController` ike-controller,
/// the instance its pod's name).
pub fn event_recorder(client: &kube::Client) -> kube::runtime::events::Recorder {
    kube::runtime::events::Recorder::new(
        client.clone(),
        kube::runtime::events::Reporter {
            controller: "ike-controller".into(),
            instance: std::env::var("POD_NAME").ok(),
        },
    )
}
