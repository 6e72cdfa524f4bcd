use super::*;

fn kind(group: &str, version: &str, plural: &str, kind: &str, short: &[&str]) -> ApiKind {
    ApiKind {
        group: group.into(),
        version: version.into(),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        kind: kind.into(),
        short_names: short.iter().map(|s| s.to_string()).collect(),
        categories: Vec::new(),
        namespaced: true,
        verbs: vec!["get".into(), "list".into(), "watch".into()],
    }
}

/// A small server: core v1, apps v1, autoscaling v1 and v2beta1, a CRD whose short name
/// clashes, and a group whose `events` also exists in core.
fn discovery() -> Discovery {
    let mut pods = kind("", "v1", "pods", "Pod", &["po"]);
    pods.categories = vec!["all".into()];
    let mut svc = kind("", "v1", "services", "Service", &["svc"]);
    svc.categories = vec!["all".into()];
    let mut deploy = kind("apps", "v1", "deployments", "Deployment", &["deploy"]);
    deploy.categories = vec!["all".into()];
    let mut nodes = kind("", "v1", "nodes", "Node", &["no"]);
    nodes.namespaced = false;
    let mut crd_widget = kind(
        "shop.example.com",
        "v1",
        "widgets",
        "Widget",
        &["wd", "po2"],
    );
    crd_widget.singular = String::new();
    Discovery {
        resources: vec![
            pods,
            svc,
            kind("", "v1", "events", "Event", &["ev"]),
            kind("", "v1", "resourcequotas", "ResourceQuota", &["quota"]),
            nodes,
            deploy,
            kind(
                "autoscaling",
                "v1",
                "horizontalpodautoscalers",
                "HorizontalPodAutoscaler",
                &["hpa"],
            ),
            kind(
                "autoscaling",
                "v2beta1",
                "horizontalpodautoscalers",
                "HorizontalPodAutoscaler",
                &["hpa"],
            ),
            kind("events.k8s.io", "v1", "events", "Event", &["ev"]),
            crd_widget,
            kind("other.example.com", "v1", "gadgets", "Gadget", &["wd"]),
        ],
    }
}

fn names(found: Vec<ApiKind>) -> Vec<String> {
    found
        .iter()
        .map(|r| format!("{}.{}.{}", r.plural, r.version, r.group))
        .collect()
}

#[test]
fn plural_singular_short_name_and_kind_each_name_the_resource() {
    let d = discovery();
    for arg in ["pods", "pod", "po", "Pod", "PODS", "pods.v1."] {
        assert_eq!(names(d.resolve(arg).unwrap()), ["pods.v1."], "{arg}");
    }
    for arg in ["deployments", "deployment", "deploy", "Deployment.apps"] {
        assert_eq!(
            names(d.resolve(arg).unwrap()),
            ["deployments.v1.apps"],
            "{arg}"
        );
    }
}

#[test]
fn a_group_or_a_version_narrows_and_a_group_prefix_expands_short_names() {
    let d = discovery();
    assert_eq!(
        names(d.resolve("deploy.apps").unwrap()),
        ["deployments.v1.apps"]
    );
    assert_eq!(
        names(d.resolve("hpa.autoscal").unwrap()),
        ["horizontalpodautoscalers.v1.autoscaling"]
    );
    assert_eq!(
        names(
            d.resolve("horizontalpodautoscalers.v2beta1.autoscaling")
                .unwrap()
        ),
        ["horizontalpodautoscalers.v2beta1.autoscaling"]
    );
    assert_eq!(
        names(
            d.resolve("HorizontalPodAutoscaler.v2beta1.autoscaling")
                .unwrap()
        ),
        ["horizontalpodautoscalers.v2beta1.autoscaling"]
    );
    // A CRD: plural with its group, short name, kind with its group.
    for arg in [
        "widgets.shop.example.com",
        "wd.shop.example.com",
        "Widget.shop.example.com",
    ] {
        assert_eq!(
            names(d.resolve(arg).unwrap()),
            ["widgets.v1.shop.example.com"],
            "{arg}"
        );
    }
}

#[test]
fn ties_go_to_core_then_to_groups_in_discovery_order_and_preferred_versions() {
    let d = discovery();
    assert_eq!(names(d.resolve("events").unwrap()), ["events.v1."]);
    assert_eq!(names(d.resolve("ev").unwrap()), ["events.v1."]);
    assert_eq!(
        names(d.resolve("events.events.k8s.io").unwrap()),
        ["events.v1.events.k8s.io"]
    );
    // Two groups share the short name `wd`: the first in discovery order wins.
    assert_eq!(
        names(d.resolve("wd").unwrap()),
        ["widgets.v1.shop.example.com"]
    );
    assert_eq!(
        names(d.resolve("hpa").unwrap()),
        ["horizontalpodautoscalers.v1.autoscaling"]
    );
}

#[test]
fn categories_expand_first_and_lists_are_deduplicated_in_order() {
    let d = discovery();
    assert_eq!(
        names(d.resolve("all").unwrap()),
        ["pods.v1.", "services.v1.", "deployments.v1.apps"]
    );
    assert_eq!(
        names(d.resolve("svc,po,pods,all").unwrap()),
        ["services.v1.", "pods.v1.", "deployments.v1.apps"]
    );
    assert!(!d.resolve("nodes").unwrap()[0].namespaced);
}

#[test]
fn a_miss_says_what_kubectl_says_and_an_empty_part_is_refused() {
    let d = discovery();
    assert_eq!(
        d.resolve("pots").unwrap_err(),
        ResolveError::Unknown("pots".into())
    );
    assert!(
        d.resolve("pots")
            .unwrap_err()
            .to_string()
            .starts_with("the server doesn't have a resource type \"pots\"")
    );
    assert_eq!(
        d.resolve("deploy.nope").unwrap_err(),
        ResolveError::Unknown("deploy.nope".into())
    );
    assert_eq!(
        d.resolve("pods,,svc").unwrap_err(),
        ResolveError::Empty("pods,,svc".into())
    );
}

#[test]
fn paths_and_names_are_kubectls() {
    let d = discovery();
    let pods = &d.resolve("po").unwrap()[0];
    assert_eq!(pods.path(Some("a")), "/api/v1/namespaces/a/pods");
    assert_eq!(pods.kind_group(), "pod");
    let deploy = &d.resolve("deploy").unwrap()[0];
    assert_eq!(
        deploy.path(Some("a")),
        "/apis/apps/v1/namespaces/a/deployments"
    );
    assert_eq!(deploy.kind_group(), "deployment.apps");
    let nodes = &d.resolve("no").unwrap()[0];
    assert_eq!(nodes.path(Some("a")), "/api/v1/nodes");
}

#[test]
fn discovery_is_cached_per_site_and_server_for_ten_minutes_in_a_private_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now();
    let cache = DiscoveryCache::new(dir.path(), "tokyo", "https://tokyo:6443");
    assert!(cache.read(now).is_none());
    cache.write(&discovery(), now);
    let read = cache
        .read(now + CACHE_TTL / 2)
        .expect("a fresh cache is read");
    assert_eq!(read.resources, discovery().resources);
    assert!(
        cache.read(now + CACHE_TTL).is_none(),
        "ten minutes old: asked again"
    );
    let elsewhere = DiscoveryCache::new(dir.path(), "tokyo", "https://other:6443");
    assert!(
        elsewhere.read(now).is_none(),
        "another API server's file is not read"
    );
    let file = dir.path().join("sites/tokyo/discovery.json");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::write(&file, "not json").unwrap();
    assert!(
        cache.read(now).is_none(),
        "a damaged file is asked again, not an error"
    );
}
