//! The rules that keep a tenant pod off its node: the Pod Security Standards *baseline*,
//! written out for clusters without Pod Security Admission (1.20 has none). Pure functions of the
//! pod; the webhooks call them.

use k8s_openapi::api::core::v1::{ContainerPort, Pod, SecurityContext};

/// Capabilities a container may add: the Pod Security Standards baseline list, spelled exactly
/// as Pod Security Admission compares them (so `CAP_CHOWN` or `chown` are refused, as there).
pub const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Every way `pod` reaches the host, one short sentence each naming the container or volume;
/// empty when the pod is allowed in a tenant namespace.
pub fn review_pod(pod: &Pod) -> Vec<String> {
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    let mut violations = Vec::new();
    for (set, field) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if set == Some(true) {
            violations.push(format!("{field} is not allowed"));
        }
    }
    for volume in spec.volumes.iter().flatten() {
        if volume.host_path.is_some() {
            violations.push(format!("volume {:?} is a hostPath", volume.name));
        }
    }
    // The rest of the Pod Security Standards' baseline: pod-level settings.
    if let Some(psc) = &spec.security_context {
        review_selinux("the pod", psc.se_linux_options.as_ref(), &mut violations);
        if psc
            .seccomp_profile
            .as_ref()
            .is_some_and(|p| p.type_ == "Unconfined")
        {
            violations.push("the pod's seccomp profile is Unconfined".to_string());
        }
        if psc.windows_options.as_ref().and_then(|w| w.host_process) == Some(true) {
            violations.push("the pod is a Windows hostProcess".to_string());
        }
        for sysctl in psc.sysctls.iter().flatten() {
            if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
                violations.push(format!("sysctl {:?} is not a safe sysctl", sysctl.name));
            }
        }
    }
    for (key, value) in pod.metadata.annotations.iter().flatten() {
        let apparmor = key.starts_with("container.apparmor.security.beta.kubernetes.io/");
        if apparmor && value != "runtime/default" && !value.starts_with("localhost/") {
            violations.push(format!("AppArmor profile {value:?} ({key}) is not allowed"));
        }
    }
    for c in &spec.containers {
        review_container(
            "container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    for c in spec.init_containers.iter().flatten() {
        review_container(
            "init container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        review_container(
            "ephemeral container",
            &c.name,
            c.security_context.as_ref(),
            c.ports.as_deref(),
            &mut violations,
        );
    }
    violations
}

// `Container` and `EphemeralContainer` are distinct types with the same fields, hence the parts.
/// Sysctls the baseline allows (namespaced, safe).
const SAFE_SYSCTLS: [&str; 5] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
];

/// SELinux: no custom user or role, and only the container types.
fn review_selinux(
    who: &str,
    options: Option<&k8s_openapi::api::core::v1::SELinuxOptions>,
    violations: &mut Vec<String>,
) {
    let Some(o) = options else { return };
    if o.user.as_deref().is_some_and(|u| !u.is_empty())
        || o.role.as_deref().is_some_and(|r| !r.is_empty())
    {
        violations.push(format!("{who} sets an SELinux user or role"));
    }
    if let Some(t) = o.type_.as_deref().filter(|t| !t.is_empty())
        && !["container_t", "container_init_t", "container_kvm_t"].contains(&t)
    {
        violations.push(format!("{who} uses SELinux type {t:?}"));
    }
}

fn review_container(
    kind: &str,
    name: &str,
    security: Option<&SecurityContext>,
    ports: Option<&[ContainerPort]>,
    violations: &mut Vec<String>,
) {
    if security.and_then(|s| s.privileged) == Some(true) {
        violations.push(format!("{kind} {name:?} is privileged"));
    }
    let who = format!("{kind} {name:?}");
    review_selinux(
        &who,
        security.and_then(|s| s.se_linux_options.as_ref()),
        violations,
    );
    if security.and_then(|s| s.proc_mount.as_deref()) == Some("Unmasked") {
        violations.push(format!("{who} mounts /proc unmasked"));
    }
    if security
        .and_then(|s| s.seccomp_profile.as_ref())
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        violations.push(format!("{who}'s seccomp profile is Unconfined"));
    }
    if security
        .and_then(|s| s.windows_options.as_ref())
        .and_then(|w| w.host_process)
        == Some(true)
    {
        violations.push(format!("{who} is a Windows hostProcess"));
    }
    let added = security
        .and_then(|s| s.capabilities.as_ref())
        .and_then(|c| c.add.as_deref())
        .unwrap_or_default();
    for cap in added {
        if !BASELINE_CAPABILITIES.contains(&cap.as_str()) {
            violations.push(format!("{kind} {name:?} adds capability {cap:?}"));
        }
    }
    // hostPort 0 means "none" (PSA allows it too).
    for port in ports.unwrap_or_default() {
        if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
            violations.push(format!("{kind} {name:?} uses hostPort {host_port}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        Capabilities, Container, HostPathVolumeSource, SecretVolumeSource, Volume,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use k8s_openapi::api::core::v1::{EphemeralContainer, PodSpec};

    fn container(name: &str) -> Container {
        Container {
            name: name.to_owned(),
            image: Some("nginx".to_owned()),
            ..Container::default()
        }
    }

    fn pod(spec: PodSpec) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some("p".to_owned()),
                namespace: Some("t-a".to_owned()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
            status: None,
        }
    }

    fn with_containers(containers: Vec<Container>) -> Pod {
        pod(PodSpec {
            containers,
            ..PodSpec::default()
        })
    }

    fn privileged() -> Option<SecurityContext> {
        Some(SecurityContext {
            privileged: Some(true),
            ..SecurityContext::default()
        })
    }

    fn adding(caps: &[&str]) -> Option<SecurityContext> {
        Some(SecurityContext {
            capabilities: Some(Capabilities {
                add: Some(caps.iter().map(|c| (*c).to_owned()).collect()),
                drop: None,
            }),
            ..SecurityContext::default()
        })
    }

    fn ordinary() -> Pod {
        pod(PodSpec {
            containers: vec![Container {
                ports: Some(vec![ContainerPort {
                    container_port: 8080,
                    ..ContainerPort::default()
                }]),
                security_context: Some(SecurityContext {
                    privileged: Some(false),
                    allow_privilege_escalation: Some(false),
                    capabilities: Some(Capabilities {
                        add: None,
                        drop: Some(vec!["ALL".to_owned()]),
                    }),
                    ..SecurityContext::default()
                }),
                ..container("app")
            }],
            volumes: Some(vec![Volume {
                name: "token".to_owned(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some("token".to_owned()),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            }]),
            host_network: Some(false),
            host_pid: Some(false),
            host_ipc: Some(false),
            ..PodSpec::default()
        })
    }

    #[test]
    fn an_ordinary_pod_is_allowed() {
        assert_eq!(review_pod(&ordinary()), Vec::<String>::new());
    }

    #[test]
    fn a_pod_without_spec_is_allowed() {
        assert!(review_pod(&Pod::default()).is_empty());
    }

    #[test]
    fn host_namespaces_are_refused() {
        let p = pod(PodSpec {
            containers: vec![container("app")],
            host_network: Some(true),
            host_pid: Some(true),
            host_ipc: Some(true),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                "hostNetwork is not allowed",
                "hostPID is not allowed",
                "hostIPC is not allowed"
            ]
        );
    }

    #[test]
    fn host_path_volumes_are_refused_by_name() {
        let p = pod(PodSpec {
            containers: vec![container("app")],
            volumes: Some(vec![
                Volume {
                    name: "root".to_owned(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/".to_owned(),
                        type_: None,
                    }),
                    ..Volume::default()
                },
                Volume {
                    name: "scratch".to_owned(),
                    empty_dir: Some(Default::default()),
                    ..Volume::default()
                },
            ]),
            ..PodSpec::default()
        });
        assert_eq!(review_pod(&p), [r#"volume "root" is a hostPath"#]);
    }

    #[test]
    fn privileged_containers_of_every_kind_are_refused() {
        let p = pod(PodSpec {
            containers: vec![
                Container {
                    security_context: privileged(),
                    ..container("app")
                },
                container("sidecar"),
            ],
            init_containers: Some(vec![Container {
                security_context: privileged(),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                security_context: privileged(),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "app" is privileged"#,
                r#"init container "setup" is privileged"#,
                r#"ephemeral container "debug" is privileged"#,
            ]
        );
    }

    #[test]
    fn host_ports_of_every_kind_are_refused_but_port_zero_is_none() {
        let ports = |host_port| {
            Some(vec![ContainerPort {
                container_port: 80,
                host_port,
                ..ContainerPort::default()
            }])
        };
        let p = pod(PodSpec {
            containers: vec![
                Container {
                    ports: ports(Some(8080)),
                    ..container("web")
                },
                Container {
                    ports: ports(Some(0)),
                    ..container("zero")
                },
            ],
            init_containers: Some(vec![Container {
                ports: ports(Some(81)),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                ports: ports(Some(82)),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "web" uses hostPort 8080"#,
                r#"init container "setup" uses hostPort 81"#,
                r#"ephemeral container "debug" uses hostPort 82"#,
            ]
        );
    }

    #[test]
    fn every_baseline_capability_is_allowed() {
        let p = with_containers(vec![Container {
            security_context: adding(&BASELINE_CAPABILITIES),
            ..container("app")
        }]);
        assert!(review_pod(&p).is_empty());
    }

    #[test]
    fn capabilities_beyond_baseline_are_refused_in_every_kind_of_container() {
        let p = pod(PodSpec {
            containers: vec![Container {
                security_context: adding(&["NET_BIND_SERVICE", "SYS_ADMIN", "ALL"]),
                ..container("app")
            }],
            init_containers: Some(vec![Container {
                security_context: adding(&["NET_ADMIN"]),
                ..container("setup")
            }]),
            ephemeral_containers: Some(vec![EphemeralContainer {
                name: "debug".to_owned(),
                security_context: adding(&["SYS_PTRACE"]),
                ..EphemeralContainer::default()
            }]),
            ..PodSpec::default()
        });
        assert_eq!(
            review_pod(&p),
            [
                r#"container "app" adds capability "SYS_ADMIN""#,
                r#"container "app" adds capability "ALL""#,
                r#"init container "setup" adds capability "NET_ADMIN""#,
                r#"ephemeral container "debug" adds capability "SYS_PTRACE""#,
            ]
        );
    }

    #[test]
    fn capabilities_are_compared_exactly_as_pod_security_admission_does() {
        let p = with_containers(vec![Container {
            security_context: adding(&["CAP_CHOWN", "chown"]),
            ..container("app")
        }]);
        assert_eq!(review_pod(&p).len(), 2);
    }

    #[test]
    fn dropping_capabilities_is_always_allowed() {
        let p = with_containers(vec![Container {
            security_context: Some(SecurityContext {
                capabilities: Some(Capabilities {
                    add: None,
                    drop: Some(vec!["ALL".to_owned(), "SYS_ADMIN".to_owned()]),
                }),
                ..SecurityContext::default()
            }),
            ..container("app")
        }]);
        assert!(review_pod(&p).is_empty());
    }

    #[test]
    fn names_are_quoted_so_a_message_stays_on_one_line() {
        let p = with_containers(vec![Container {
            security_context: adding(&["X\nY"]),
            ..container("app")
        }]);
        assert_eq!(
            review_pod(&p),
            [r#"container "app" adds capability "X\nY""#]
        );
    }
}

#[cfg(test)]
mod baseline_tests {
    use super::review_pod;

    fn pod(json: serde_json::Value) -> k8s_openapi::api::core::v1::Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_rest_of_the_baseline_is_refused_too() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
            "spec": {
                "securityContext": {
                    "seLinuxOptions": {"type": "spc_t"},
                    "seccompProfile": {"type": "Unconfined"},
                    "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.ipv4.tcp_syncookies", "value": "1"}]
                },
                "containers": [{"name": "app", "image": "x", "securityContext": {
                    "procMount": "Unmasked",
                    "seLinuxOptions": {"user": "root"},
                    "windowsOptions": {"hostProcess": true}
                }}]
            }
        }));
        let v = review_pod(&p).join("; ");
        for expected in [
            "the pod uses SELinux type \"spc_t\"",
            "the pod's seccomp profile is Unconfined",
            "sysctl \"kernel.msgmax\" is not a safe sysctl",
            "AppArmor profile \"unconfined\"",
            "container \"app\" mounts /proc unmasked",
            "container \"app\" sets an SELinux user or role",
            "container \"app\" is a Windows hostProcess",
        ] {
            assert!(v.contains(expected), "missing {expected:?} in {v}");
        }
        assert!(!v.contains("tcp_syncookies"), "{v}");
    }

    #[test]
    fn baseline_friendly_settings_pass() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
            "spec": {
                "securityContext": {"seLinuxOptions": {"type": "container_t"}, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": "x", "securityContext": {"procMount": "Default"}}]
            }
        }));
        assert!(review_pod(&p).is_empty(), "{:?}", review_pod(&p));
    }
}
