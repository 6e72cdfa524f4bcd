//! Check 5: pods tried with a server-side dry run in a tenant namespace, an ordinary one must
//! be allowed, those reaching the host refused by a policy.

use futures::future::join_all;
use k8s_openapi::api::core::v1::{
    Container, HostPathVolumeSource, Pod, PodSpec, SecurityContext, Volume, VolumeMount,
};
use kube::api::{Api, ObjectMeta};

use super::access::{Access, Answer, TryNamespace};
use super::report::{Attempt, Check, MAX_MESSAGE, one_line, timed, webhook_refusal};

/// The image of the dry-run pods. Never pulled: nothing is created.
const PROBE_IMAGE: &str = "registry.k8s.io/pause:3.9";

/// The pods tried with a server-side dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Nothing special: a tenant should be able to run it.
    Ordinary,
    /// Mounts the node's root directory.
    HostPath,
    /// Uses the node's network namespace.
    HostNetwork,
    /// A privileged container.
    Privileged,
}

impl Probe {
    /// Every probe, in the order they are reported.
    pub const ALL: [Probe; 4] = [
        Probe::Ordinary,
        Probe::HostPath,
        Probe::HostNetwork,
        Probe::Privileged,
    ];

    fn check(self) -> &'static str {
        match self {
            Probe::Ordinary => "pod.ordinary",
            Probe::HostPath => "pod.host-path",
            Probe::HostNetwork => "pod.host-network",
            Probe::Privileged => "pod.privileged",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Probe::Ordinary => "an ordinary pod",
            Probe::HostPath => "a pod with a hostPath volume",
            Probe::HostNetwork => "a pod with hostNetwork",
            Probe::Privileged => "a pod with a privileged container",
        }
    }

    /// The pod tried in `namespace`.
    pub fn pod(self, namespace: &str) -> Pod {
        let mut container = Container {
            name: "probe".into(),
            image: Some(PROBE_IMAGE.into()),
            ..Container::default()
        };
        let mut spec = PodSpec {
            automount_service_account_token: Some(false),
            ..PodSpec::default()
        };
        match self {
            Probe::Ordinary => {}
            Probe::HostPath => {
                spec.volumes = Some(vec![Volume {
                    name: "host".into(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/".into(),
                        type_: None,
                    }),
                    ..Volume::default()
                }]);
                container.volume_mounts = Some(vec![VolumeMount {
                    name: "host".into(),
                    mount_path: "/host".into(),
                    read_only: Some(true),
                    ..VolumeMount::default()
                }]);
            }
            Probe::HostNetwork => spec.host_network = Some(true),
            Probe::Privileged => {
                container.security_context = Some(SecurityContext {
                    privileged: Some(true),
                    ..SecurityContext::default()
                });
            }
        }
        spec.containers = vec![container];
        Pod {
            metadata: ObjectMeta {
                generate_name: Some("ike-doctor-".into()),
                namespace: Some(namespace.into()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        }
    }
}

/// Whether a refusal message is a policy that keeps pods off the host: an admission webhook, Pod
/// Security Admission, or the API server's own `--allow-privileged=false`.
fn host_policy(message: &str) -> Option<String> {
    if let Some((webhook, said)) = webhook_refusal(message) {
        return Some(format!(
            "refused by webhook {webhook}: {}",
            one_line(said, MAX_MESSAGE)
        ));
    }
    if message.contains("violates PodSecurity") || message.contains("disallowed by cluster policy")
    {
        return Some(format!("refused: {}", one_line(message, MAX_MESSAGE)));
    }
    None
}

/// Judges one dry-run pod in `namespace`. `may_create` is whether RBAC lets the caller create
/// pods there: without it every pod is refused before admission, as expected. `tenant` is
/// whether `namespace` is a tenant's: host isolation applies only there.
pub fn judge_probe(
    probe: Probe,
    namespace: &str,
    may_create: bool,
    tenant: bool,
    attempt: &Attempt,
) -> Check {
    let check = probe.check();
    let what = probe.what();
    match (probe, attempt) {
        (_, Attempt::NoAnswer(e)) => Check::fail(check, format!("no answer: {e}")),
        (Probe::Ordinary, Attempt::Allowed) if may_create => Check::pass(
            check,
            format!("{what} is allowed in {namespace} (server-side dry run)"),
        ),
        (Probe::Ordinary, Attempt::Allowed) => Check::fail(
            check,
            format!("{what} is allowed in {namespace} although RBAC says you may not create pods"),
        ),
        (Probe::Ordinary, Attempt::Refused { message, .. }) if may_create => Check::fail(
            check,
            format!(
                "{what} is refused in {namespace}: {}",
                one_line(message, MAX_MESSAGE)
            ),
        ),
        (_, Attempt::Refused { code, .. }) if !may_create => Check::pass(
            check,
            format!(
                "forbidden (HTTP {code}): your role in {namespace} may not create pods{}",
                if probe == Probe::Ordinary {
                    ""
                } else {
                    ", so host isolation cannot be tried from this account"
                }
            ),
        ),
        (_, Attempt::Allowed) if !tenant => Check::warn(
            check,
            format!(
                "{what} is allowed in {namespace}, which is not a tenant namespace (server-side dry run)"
            ),
        ),
        (_, Attempt::Allowed) => Check::fail(
            check,
            format!(
                "host isolation is not enforced: {what} is allowed in {namespace} (server-side dry run)"
            ),
        ),
        (_, Attempt::Refused { code, message }) => match host_policy(message) {
            Some(refusal) => Check::pass(check, refusal),
            None => Check::warn(
                check,
                format!(
                    "refused (HTTP {code}) for another reason, so host isolation was not tried: {}",
                    one_line(message, MAX_MESSAGE)
                ),
            ),
        },
    }
}

/// Tries every [`Probe`] in the namespace.
pub async fn try_pods(client: &kube::Client, target: &TryNamespace) -> Vec<Check> {
    let ns = target.namespace.as_str();
    let may_create = Access {
        verb: "create",
        group: "",
        resource: "pods",
        namespace: Some(ns),
    }
    .ask(client)
    .await;
    let may_create = match may_create {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Unknown(e) => {
            return vec![Check::fail(
                "pod",
                format!("cannot ask whether you may create pods in {ns}: {e}"),
            )];
        }
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let params = crate::client::post_params(true);
    let attempts = join_all(Probe::ALL.map(|probe| {
        let pods = pods.clone();
        let params = params.clone();
        async move {
            match timed(pods.create(&params, &probe.pod(ns))).await {
                Ok(_) => Attempt::Allowed,
                Err(e) => e,
            }
        }
    }))
    .await;
    Probe::ALL
        .iter()
        .zip(&attempts)
        .map(|(probe, attempt)| {
            judge_probe(*probe, ns, may_create, target.tenant.is_some(), attempt)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::Outcome;

    fn refused(code: u16, message: &str) -> Attempt {
        Attempt::Refused {
            code,
            message: message.into(),
        }
    }

    const WEBHOOK: &str = "admission webhook \"pods.host-isolation.ike.dev\" denied the request: \
        ike: pods in tenant namespaces cannot reach the host: volume \"host\" is a hostPath";
    const RBAC: &str = "pods is forbidden: User \"v\" cannot create resource \"pods\"";

    #[test]
    fn an_ordinary_pod_must_be_allowed_unless_rbac_forbids_creating_pods() {
        let judge =
            |may, attempt: &Attempt| judge_probe(Probe::Ordinary, "t-a", may, true, attempt);
        assert_eq!(judge(true, &Attempt::Allowed).result, Outcome::Pass);
        let refused_anyway = judge(true, &refused(403, "error looking up service account"));
        assert_eq!(refused_anyway.result, Outcome::Fail);
        assert!(refused_anyway.detail.contains("service account"));
        let viewer = judge(false, &refused(403, RBAC));
        assert_eq!(viewer.result, Outcome::Pass);
        assert!(
            viewer.detail.contains("may not create pods"),
            "{}",
            viewer.detail
        );
        assert_eq!(judge(false, &Attempt::Allowed).result, Outcome::Fail);
        assert_eq!(
            judge(true, &Attempt::NoAnswer("timeout".into())).result,
            Outcome::Fail
        );
    }

    #[test]
    fn a_pod_reaching_the_host_must_be_refused_by_a_policy() {
        for probe in [Probe::HostPath, Probe::HostNetwork, Probe::Privileged] {
            let judge = |may, attempt: &Attempt| judge_probe(probe, "t-a", may, true, attempt);
            let refused_by_webhook = judge(true, &refused(403, WEBHOOK));
            assert_eq!(refused_by_webhook.result, Outcome::Pass);
            assert_eq!(
                refused_by_webhook.detail,
                "refused by webhook pods.host-isolation.ike.dev: ike: pods in tenant namespaces \
                 cannot reach the host: volume \"host\" is a hostPath"
            );
            let allowed = judge(true, &Attempt::Allowed);
            assert_eq!(allowed.result, Outcome::Fail);
            assert!(allowed.detail.starts_with("host isolation is not enforced"));
            let psa = judge(
                true,
                &refused(
                    403,
                    "pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces",
                ),
            );
            assert_eq!(psa.result, Outcome::Pass);
            let other = judge(
                true,
                &refused(403, "error looking up service account t-a/default"),
            );
            assert_eq!(other.result, Outcome::Warn);
            assert!(other.detail.contains("not tried"));
            let viewer = judge(false, &refused(403, RBAC));
            assert_eq!(viewer.result, Outcome::Pass);
            assert!(
                viewer.detail.contains("cannot be tried"),
                "{}",
                viewer.detail
            );
            assert_eq!(
                judge(true, &Attempt::NoAnswer("x".into())).result,
                Outcome::Fail
            );
            // Outside tenant namespaces host access is no failure of isolation.
            let elsewhere = judge_probe(probe, "default", true, false, &Attempt::Allowed);
            assert_eq!(elsewhere.result, Outcome::Warn);
            assert!(elsewhere.detail.contains("not a tenant namespace"));
        }
    }

    #[test]
    fn probe_pods_reach_the_host_only_in_their_one_way() {
        let spec = |p: Probe| p.pod("t-a").spec.unwrap();
        let ordinary = spec(Probe::Ordinary);
        assert!(ordinary.volumes.is_none() && ordinary.host_network.is_none());
        assert!(ordinary.containers[0].security_context.is_none());
        assert!(
            spec(Probe::HostPath).volumes.unwrap()[0]
                .host_path
                .is_some()
        );
        assert_eq!(spec(Probe::HostNetwork).host_network, Some(true));
        let privileged = spec(Probe::Privileged).containers[0]
            .security_context
            .clone();
        assert_eq!(privileged.unwrap().privileged, Some(true));
        let pod = Probe::HostPath.pod("t-a");
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("ike-doctor-"));
        assert_eq!(pod.metadata.namespace.as_deref(), Some("t-a"));
    }
}
