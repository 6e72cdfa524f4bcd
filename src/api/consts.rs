//! Names shared by the CLI and the controller, kept in one place so the two cannot disagree.

/// The API group of every ike CRD.
pub const API_GROUP: &str = "ike.dev";
/// The served and stored version of every ike CRD.
pub const API_VERSION: &str = "v1alpha1";
/// The field manager used for every server-side apply by the controller.
pub const CONTROLLER_MANAGER: &str = "ike-controller";
/// The field manager used for every server-side apply by the CLI.
pub const CLI_MANAGER: &str = "ike";
/// Every verb of a resource: what the edit roles ike aggregates grant on tenants' kinds.
pub const EVERY_VERB: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];
/// The verbs of reading: what the view roles grant.
pub const READ_VERBS: [&str; 3] = ["get", "list", "watch"];
/// Prefix of the kubeconfig context, cluster and user that `ike login` writes for a site.
pub const CONTEXT_PREFIX: &str = "ike-";
/// Label put on every object the controller creates on behalf of ike.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Value of [`MANAGED_BY_LABEL`].
pub const MANAGED_BY_VALUE: &str = "ike-controller";
/// Label carrying the tenant a namespace or binding belongs to.
pub const TENANT_LABEL: &str = "ike.dev/tenant";
/// Label on every namespace that is or was a tenant's: the host-isolation webhook selects on it.
/// The controller sets it and never removes it (a released namespace stays isolated); only a
/// platform admin can lift isolation, by removing it.
pub const ISOLATED_LABEL: &str = "ike.dev/isolated";
/// Finalizer the tenant controller puts on every Tenant.
pub const TENANT_FINALIZER: &str = "ike.dev/tenant-cleanup";
/// Finalizer ike-controller puts on every Service whose names it publishes, so that their
/// records go with the Service.
pub const OFFICE_FINALIZER: &str = "ike.dev/office-dns";
/// The namespace annotation kube-apiserver's PodNodeSelector admission plugin applies to every
/// new pod: how a tenant's dedicated nodes are enforced.
pub const NODE_SELECTOR_ANNOTATION: &str = "scheduler.alpha.kubernetes.io/node-selector";
/// Pod Security Admission labels set on every tenant namespace (Kubernetes 1.23+).
pub const POD_SECURITY_LABELS: [(&str, &str); 3] = [
    ("pod-security.kubernetes.io/enforce", "baseline"),
    ("pod-security.kubernetes.io/warn", "restricted"),
    ("pod-security.kubernetes.io/audit", "restricted"),
];

/// The OID of the non-critical X.509 extension that binds every client certificate the account
/// API issues to its Account: the value is the DER `UTF8String` of the Account's
/// `metadata.uid`. It is ike's UUID (2d7e6255-f491-43df-82c1-7281e0a044a8, drawn once) under
/// the arc Microsoft set aside for OIDs made from a GUID without registering
/// (`1.2.840.113556.1.8000.2554`, the GUID split into 16,16,16,16,16,24,24-bit arcs). Not
/// `2.25.<UUID>`: that arc is a 128-bit number, and Go's crypto/x509 (kube-apiserver, kubectl)
/// refuses a certificate with any arc above 63 bits ("malformed extension OID field"). It never
/// changes, or every certificate issued before would stop renewing.
pub const ACCOUNT_UID_OID: &str =
    "1.2.840.113556.1.8000.2554.11646.25173.62609.17375.33473.7504352.10503336";

/// The kubeconfig context name of a site.
pub fn context_name(site: &str) -> String {
    format!("{CONTEXT_PREFIX}{site}")
}

/// Label on every copy of a TenantObject: the declaration's name.
pub const TENANT_OBJECT_LABEL: &str = "ike.dev/tenant-object";
/// Label on every copy of a TenantObject: the declaration's namespace.
pub const TENANT_OBJECT_NAMESPACE_LABEL: &str = "ike.dev/tenant-object-namespace";
/// Annotation on every copy of a TenantObject: whose rights wrote it.
pub const DECLARED_BY_ANNOTATION: &str = "ike.dev/declared-by";
/// Finalizer the TenantObject controller puts on every TenantObject: its copies go with it.
pub const TENANT_OBJECT_FINALIZER: &str = "ike.dev/tenant-object-cleanup";
/// The field manager of the copies of TenantObjects.
pub const TENANT_OBJECT_MANAGER: &str = "ike-tenant-objects";
