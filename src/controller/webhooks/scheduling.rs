//! Where a tenant pod may run and whom it may preempt: never on another tenant's dedicated nodes
//! or the control plane (by nodeName, nodeSelector, node affinity or a toleration of their
//! taints), and with no PriorityClass the tenant is not allowed (a `system-*` class would let it
//! preempt everyone's pods).
//!
//! Dedicated nodes are a tenant's `nodeSelector` labels; they are also expected to carry the
//! taint [`DEDICATED_TAINT`]`=<tenant>:NoSchedule`, which the tenant's own pods are given a
//! toleration for by the mutating webhook.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeSelectorTerm, Pod};
use kube::core::PartialObjectMeta;

use crate::api::{Tenant, TenantPolicy};

/// The taint key of a tenant's dedicated nodes; its value is the tenant's name.
pub const DEDICATED_TAINT: &str = "ike.dev/dedicated";

/// Labels and taint keys of control-plane nodes.
pub const CONTROL_PLANE_KEYS: [&str; 2] = [
    "node-role.kubernetes.io/master",
    "node-role.kubernetes.io/control-plane",
];

/// What a pod's scheduling is judged against.
pub struct Scheduling<'a> {
    /// The tenant of the pod's namespace, if any.
    pub tenant: Option<&'a Tenant>,
    /// Every tenant (their dedicated pools).
    pub tenants: &'a [std::sync::Arc<Tenant>],
    /// Every node's labels, by name (for `nodeName` and `metadata.name` affinity).
    pub nodes: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// The site's policy.
    pub site: &'a TenantPolicy,
}

/// Node labels by node name, from a metadata store.
pub fn node_labels(
    nodes: &[std::sync::Arc<PartialObjectMeta<Node>>],
) -> BTreeMap<String, BTreeMap<String, String>> {
    nodes
        .iter()
        .filter_map(|n| {
            Some((
                n.metadata.name.clone()?,
                n.metadata.labels.clone().unwrap_or_default(),
            ))
        })
        .collect()
}

impl Scheduling<'_> {
    fn own_name(&self) -> &str {
        self.tenant
            .and_then(|t| t.metadata.name.as_deref())
            .unwrap_or_default()
    }

    /// The other tenants' dedicated label pairs, each with its tenant; pairs the pod's own tenant
    /// also selects are shared and not anyone's to claim.
    fn foreign_pairs(&self) -> Vec<(String, String, String)> {
        let own: BTreeMap<String, String> = self
            .tenant
            .and_then(|t| t.spec.node_selector.clone())
            .unwrap_or_default();
        let mut pairs = Vec::new();
        for other in self.tenants {
            let name = other.metadata.name.clone().unwrap_or_default();
            if name == self.own_name() {
                continue;
            }
            for (k, v) in other.spec.node_selector.iter().flatten() {
                if own.get(k) != Some(v) {
                    pairs.push((k.clone(), v.clone(), name.clone()));
                }
            }
        }
        pairs
    }

    /// Why a node with these labels is not the pod's to run on, if it is not.
    fn node_refusal(&self, node: &str, labels: &BTreeMap<String, String>) -> Option<String> {
        if CONTROL_PLANE_KEYS.iter().any(|k| labels.contains_key(*k)) {
            return Some(format!("node {node} is a control-plane node"));
        }
        for other in self.tenants {
            let name = other.metadata.name.as_deref().unwrap_or_default();
            let Some(selector) = other.spec.node_selector.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            if name != self.own_name() && selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                return Some(format!("node {node} is dedicated to another tenant"));
            }
        }
        None
    }

    /// Everything wrong with where `pod` would run and whom it could preempt.
    pub fn review(&self, pod: &Pod) -> Vec<String> {
        let Some(spec) = &pod.spec else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        let foreign = self.foreign_pairs();
        let aimed = |key: &str, value: &str| {
            foreign
                .iter()
                .find(|(k, v, _)| k == key && v == value)
                .map(|_| {
                    format!("node label {key}={value} belongs to another tenant's dedicated nodes")
                })
                .or_else(|| {
                    CONTROL_PLANE_KEYS
                        .contains(&key)
                        .then(|| format!("node label {key} selects control-plane nodes"))
                })
        };
        if let Some(node) = spec.node_name.as_deref().filter(|n| !n.is_empty())
            && let Some(labels) = self.nodes.get(node)
            && let Some(why) = self.node_refusal(node, labels)
        {
            problems.push(format!("nodeName: {why}"));
        }
        for (k, v) in spec.node_selector.iter().flatten() {
            if let Some(why) = aimed(k, v) {
                problems.push(format!("nodeSelector: {why}"));
            }
        }
        let affinity = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref());
        let required = affinity
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .map(|r| r.node_selector_terms.clone())
            .unwrap_or_default();
        let preferred = affinity
            .and_then(|a| {
                a.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .map(|p| p.iter().map(|t| t.preference.clone()).collect::<Vec<_>>())
            .unwrap_or_default();
        for term in required.iter().chain(&preferred) {
            problems.extend(self.term_problems(term, &aimed));
        }
        for t in spec.tolerations.iter().flatten() {
            let key = t.key.as_deref().unwrap_or_default();
            let exists = t.operator.as_deref() == Some("Exists");
            let value = t.value.as_deref().unwrap_or_default();
            if key.is_empty() && exists {
                problems.push(
                    "a toleration of every taint would reach dedicated and control-plane nodes"
                        .to_owned(),
                );
            } else if CONTROL_PLANE_KEYS.contains(&key) {
                problems.push(format!(
                    "toleration of {key}: control-plane nodes are not for tenants"
                ));
            } else if key == DEDICATED_TAINT && (exists || value != self.own_name()) {
                problems.push(format!(
                    "toleration of {DEDICATED_TAINT}{}: another tenant's dedicated nodes",
                    if exists {
                        String::new()
                    } else {
                        format!("={value}")
                    }
                ));
            }
        }
        if let Some(class) = spec
            .priority_class_name
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            let allowed = !class.starts_with("system-")
                && (self.site.priority_classes.iter().any(|c| c == class)
                    || self.tenant.is_some_and(|t| {
                        t.spec.policy.priority_classes.iter().any(|c| c == class)
                    }));
            if !allowed {
                problems.push(format!(
                    "priorityClassName {class} is not allowed for tenant {} (it could preempt other tenants' pods; a platform admin may allow a class: spec.policy.priorityClasses)",
                    if self.own_name().is_empty() { "(none)" } else { self.own_name() }
                ));
            }
        }
        problems
    }

    fn term_problems(
        &self,
        term: &NodeSelectorTerm,
        aimed: &dyn Fn(&str, &str) -> Option<String>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for e in term.match_expressions.iter().flatten() {
            let values = e.values.clone().unwrap_or_default();
            match e.operator.as_str() {
                "In" => {
                    for v in &values {
                        if let Some(why) = aimed(&e.key, v) {
                            problems.push(format!("node affinity: {why}"));
                        }
                    }
                }
                "Exists" if CONTROL_PLANE_KEYS.contains(&e.key.as_str()) => problems.push(format!(
                    "node affinity: {} selects control-plane nodes",
                    e.key
                )),
                _ => {}
            }
        }
        for f in term.match_fields.iter().flatten() {
            if f.key == "metadata.name" && f.operator == "In" {
                for node in f.values.iter().flatten() {
                    if let Some(labels) = self.nodes.get(node)
                        && let Some(why) = self.node_refusal(node, labels)
                    {
                        problems.push(format!("node affinity: {why}"));
                    }
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::Role;
    use crate::api::fixtures::tenant;

    fn with_pool(name: &str, pool: &str) -> Arc<Tenant> {
        let mut t = tenant(name, &[("o", Role::Owner)], &[]);
        t.spec.node_selector = Some([("pool".to_string(), pool.to_string())].into());
        Arc::new(t)
    }

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({"metadata": {"name": "p"}, "spec": spec}))
            .unwrap()
    }

    fn check(own: &Tenant, spec: serde_json::Value) -> Vec<String> {
        let tenants = vec![with_pool("a", "gpu-a"), with_pool("b", "gpu-b")];
        let nodes = BTreeMap::from([
            (
                "a-1".to_string(),
                BTreeMap::from([("pool".to_string(), "gpu-a".to_string())]),
            ),
            ("shared-1".to_string(), BTreeMap::new()),
            (
                "cp-1".to_string(),
                BTreeMap::from([("node-role.kubernetes.io/master".to_string(), String::new())]),
            ),
        ]);
        let site = TenantPolicy {
            priority_classes: vec!["batch".into()],
            ..Default::default()
        };
        Scheduling {
            tenant: Some(own),
            tenants: &tenants,
            nodes: &nodes,
            site: &site,
        }
        .review(&pod(spec))
    }

    #[test]
    fn a_pod_on_shared_nodes_or_its_own_pool_is_allowed() {
        let b = with_pool("b", "gpu-b");
        let c = tenant("c", &[("o", Role::Owner)], &[]);
        for spec in [
            serde_json::json!({"containers": []}),
            serde_json::json!({"nodeName": "shared-1"}),
            serde_json::json!({"nodeSelector": {"pool": "gpu-b"}}),
            serde_json::json!({"tolerations": [{"key": "ike.dev/dedicated", "value": "b", "effect": "NoSchedule"}]}),
            serde_json::json!({"priorityClassName": "batch"}),
        ] {
            assert!(check(&b, spec.clone()).is_empty(), "{spec}");
        }
        assert!(check(&c, serde_json::json!({"nodeSelector": {"disk": "ssd"}})).is_empty());
    }

    #[test]
    fn every_way_onto_another_tenants_nodes_is_refused() {
        let b = with_pool("b", "gpu-b");
        for spec in [
            serde_json::json!({"nodeName": "a-1"}),
            serde_json::json!({"nodeSelector": {"pool": "gpu-a"}}),
            serde_json::json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["gpu-a"]}]}]}}}}),
            serde_json::json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["x", "gpu-a"]}]}}]}}}),
            serde_json::json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a-1"]}]}]}}}}),
            serde_json::json!({"tolerations": [{"key": "ike.dev/dedicated", "value": "a", "effect": "NoSchedule"}]}),
            serde_json::json!({"tolerations": [{"key": "ike.dev/dedicated", "operator": "Exists"}]}),
            serde_json::json!({"tolerations": [{"operator": "Exists"}]}),
        ] {
            let p = check(&b, spec.clone());
            assert!(!p.is_empty(), "allowed: {spec}");
        }
    }

    #[test]
    fn the_control_plane_is_no_ones() {
        let c = tenant("c", &[("o", Role::Owner)], &[]);
        for spec in [
            serde_json::json!({"nodeName": "cp-1"}),
            serde_json::json!({"nodeSelector": {"node-role.kubernetes.io/master": ""}}),
            serde_json::json!({"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}),
            serde_json::json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "node-role.kubernetes.io/master", "operator": "Exists"}]}]}}}}),
        ] {
            let p = check(&c, spec.clone());
            assert!(
                p.iter().any(|p| p.contains("control-plane")),
                "{spec}: {p:?}"
            );
        }
    }

    #[test]
    fn system_and_unlisted_priority_classes_are_refused() {
        let mut c = tenant("c", &[("o", Role::Owner)], &[]);
        for class in ["system-cluster-critical", "system-node-critical", "urgent"] {
            let p = check(&c, serde_json::json!({"priorityClassName": class}));
            assert!(
                p[0].contains(&format!("priorityClassName {class}")),
                "{p:?}"
            );
        }
        c.spec.policy.priority_classes = vec!["urgent".into(), "system-node-critical".into()];
        assert!(check(&c, serde_json::json!({"priorityClassName": "urgent"})).is_empty());
        // Not even an admin's allowance hands a tenant a system class.
        assert!(
            !check(
                &c,
                serde_json::json!({"priorityClassName": "system-node-critical"})
            )
            .is_empty()
        );
    }
}
