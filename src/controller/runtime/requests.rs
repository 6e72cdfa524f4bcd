//! The requests this process makes to the API server, counted by the client itself as the API
//! server names them (verb, resource): `ike_api_requests_total`. The API server's own counters
//! cannot say which client asked, and on a shared cluster kube-controller-manager's garbage
//! collector and namespace fillers make most of them.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request, Uri};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

/// Requests counted by [`Call`].
pub type ApiRequests = Family<Call, Counter>;

/// What the API server records of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Call {
    /// GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE or DELETECOLLECTION.
    verb: &'static str,
    /// `plural` or `plural/subresource`; `-` for discovery and other paths.
    resource: String,
}

/// A client built from `config` that counts each request it sends in `requests`.
pub fn counting_client(
    config: kube::Config,
    requests: ApiRequests,
) -> Result<kube::Client, kube::Error> {
    let count = tower::util::MapRequestLayer::new(move |request: Request<kube::client::Body>| {
        let (verb, resource) = classify(request.method(), request.uri(), request.headers());
        requests.get_or_create(&Call { verb, resource }).inc();
        request
    });
    Ok(kube::client::ClientBuilder::try_from(config)?
        .with_layer(&count)
        .build())
}

/// The verb and resource the API server records for a request to `uri`.
fn classify(method: &Method, uri: &Uri, headers: &HeaderMap) -> (&'static str, String) {
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    // After `/api/v1` or `/apis/GROUP/VERSION`: [namespaces, NS,] PLURAL [, NAME [, SUB]].
    let rest = match segments.as_slice() {
        ["api", _version, rest @ ..] => rest,
        ["apis", _group, _version, rest @ ..] => rest,
        _ => &[][..],
    };
    let rest = match rest {
        // A namespace's own subresources; anything else after a namespace is a kind in it.
        ["namespaces", _, "status" | "finalize"] => rest,
        ["namespaces", _, inner @ ..] if !inner.is_empty() => inner,
        _ => rest,
    };
    let (resource, named) = match rest {
        [] => ("-".to_string(), false),
        [plural] => (plural.to_string(), false),
        [plural, _name] => (plural.to_string(), true),
        [plural, _name, sub, ..] => (format!("{plural}/{sub}"), true),
    };
    let watch = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair == "watch=true" || pair == "watch=1")
    });
    let verb = match *method {
        Method::GET if watch => "WATCH",
        Method::GET if named || resource == "-" => "GET",
        Method::GET => "LIST",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH
            if headers
                .get(CONTENT_TYPE)
                .is_some_and(|t| t.as_bytes().starts_with(b"application/apply-patch")) =>
        {
            "APPLY"
        }
        Method::PATCH => "PATCH",
        Method::DELETE if named => "DELETE",
        Method::DELETE => "DELETECOLLECTION",
        _ => "OTHER",
    };
    (verb, resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verb_and_resource(method: Method, uri: &str, content_type: &str) -> (&'static str, String) {
        let mut headers = HeaderMap::new();
        if !content_type.is_empty() {
            headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        }
        classify(&method, &uri.parse().unwrap(), &headers)
    }

    #[test]
    fn requests_are_named_as_the_api_server_names_them() {
        let cases = [
            (
                Method::GET,
                "/apis/ike.dev/v1alpha1/tenants/payments",
                "",
                "GET",
                "tenants",
            ),
            (
                Method::GET,
                "/apis/ike.dev/v1alpha1/tenants?limit=500",
                "",
                "LIST",
                "tenants",
            ),
            (
                Method::GET,
                "/apis/ike.dev/v1alpha1/tenants?resourceVersion=9&watch=true&timeoutSeconds=290",
                "",
                "WATCH",
                "tenants",
            ),
            (
                Method::GET,
                "/api/v1/namespaces/pay-a",
                "",
                "GET",
                "namespaces",
            ),
            (Method::GET, "/api/v1/namespaces", "", "LIST", "namespaces"),
            (
                Method::PUT,
                "/api/v1/namespaces/pay-a/finalize",
                "",
                "PUT",
                "namespaces/finalize",
            ),
            (
                Method::GET,
                "/apis/rbac.authorization.k8s.io/v1/namespaces/pay-a/rolebindings",
                "",
                "LIST",
                "rolebindings",
            ),
            (
                Method::PATCH,
                "/apis/rbac.authorization.k8s.io/v1/namespaces/pay-a/rolebindings/ike-owner?fieldManager=ike",
                "application/apply-patch+yaml",
                "APPLY",
                "rolebindings",
            ),
            (
                Method::PATCH,
                "/apis/ike.dev/v1alpha1/tenants/payments/status",
                "application/merge-patch+json",
                "PATCH",
                "tenants/status",
            ),
            (
                Method::POST,
                "/api/v1/namespaces/pay-a/pods/web-0/eviction",
                "",
                "POST",
                "pods/eviction",
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/pay-a/secrets/s",
                "",
                "DELETE",
                "secrets",
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/pay-a/secrets",
                "",
                "DELETECOLLECTION",
                "secrets",
            ),
            (Method::GET, "/apis/ike.dev/v1alpha1", "", "GET", "-"),
            (Method::GET, "/version", "", "GET", "-"),
        ];
        for (method, uri, content_type, verb, resource) in cases {
            assert_eq!(
                verb_and_resource(method, uri, content_type),
                (verb, resource.to_string()),
                "{uri}"
            );
        }
    }
}
