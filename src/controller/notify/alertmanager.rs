//! Alertmanager's configuration: the admin's base plus one receiver and one route per tenant
//! notification config, rendered as YAML for Alertmanager 0.25 and later.
//!
//! # Routing, and why one tenant never gets another's alerts
//!
//! ```text
//! route:                          the base's root, as given (receiver, group_by, timings)
//!   routes:
//!   - matchers: ['namespace="a"', 'ike_notify_test=~"|tenant/a/barry/x"']
//!     receiver: tenant/a/barry/x  continue: true  group_by: <root's> + ike_notify_test_id
//!   - matchers: ['namespace="a"', 'ike_notify_test=~"|tenant/a/email/y"']
//!     receiver: tenant/a/email/y  continue: true  ...
//!   - matchers: ['ike_notify_test!=""']   receiver: ike/discard   (test alerts stop here)
//!   - receiver: <root receiver>   the platform's subtree: no matchers
//!     routes: <the base's routes, as given>
//! ```
//!
//! - Every tenant receiver is reachable by exactly one route, a direct child of the root whose
//!   matchers are the equality `namespace="<the config's namespace>"` and the test filter below,
//!   and which has no children. An alert reaches `tenant/a/...` only if its `namespace` label is
//!   exactly `a`. The value is quoted and escaped, and `=` never reads it as a regular
//!   expression.
//! - Tenant routes come first, so no base route (however broad, `continue` or not) can catch a
//!   tenant's alert before the tenant's own routes see it. Each has `continue: true`, so an
//!   alert goes on to the namespace's other receivers and then to the platform's subtree.
//! - The platform's subtree is a catch-all holding the base's routes: whatever the base routed
//!   before, it still routes, and an alert that matched none of the base's routes still lands
//!   on the root's receiver inside the subtree. Without it, a matched tenant route would stop the
//!   fall-through to the root's receiver (Alertmanager delivers to a node only when none of its
//!   children matched).
//! - Alertmanager groups alerts per route, so grouping never mixes two namespaces' alerts in
//!   one tenant notification, whatever the base's `group_by` says.
//! - Receiver names are `tenant/<namespace>/<kind>/<name>`; namespaces and object names hold no
//!   `/`, so two configs never share a name, and base receivers may not start with `tenant/`
//!   (nor `ike/`, which ike keeps for itself).
//!
//! # Test alerts (`ike notify test`)
//!
//! A test alert carries `ike_notify_test=<receiver>` and `ike_notify_test_id=<id>`. The second
//! matcher of each tenant route lets alerts without the label through, and test alerts only to
//! the receiver they name, so a test reaches one config and not its namespace's others; the
//! `ike/discard` route keeps tests from the platform's receivers. Adding `ike_notify_test_id`
//! to the tenant routes' `group_by` changes nothing for other alerts (they all lack it) and
//! gives every test its own group, so it is sent after `group_wait` instead of waiting for an
//! earlier test's group. A tenant can put the label on its own alerts, but only to keep them
//! from its own other receivers and the platform's: the namespace matcher still decides whose
//! receivers an alert can reach.
//!
//! This isolates tenants only if the `namespace` label is the namespace the alert came from:
//! Prometheus Operator must enforce it (`enforcedNamespaceLabel: namespace`), or a tenant's rule
//! could label its alerts with another namespace and write into that tenant's channels.
//!
//! # Secrets
//!
//! Barry and Teams receivers are webhooks to ike-controller's relay
//! (`<relay>/barry/<namespace>/<name>`), which reads the tenant's Secret when it forwards, so no
//! tenant secret is ever in Alertmanager's configuration. [`TeamsDelivery::Native`] (Alertmanager
//! 0.28 and later) instead renders `msteamsv2_configs` with the webhook URL itself: the URL
//! (which carries its own signature) is then copied into the configuration and readable by
//! whoever can read it, which is why the relay is the default.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::api::{
    BarryConfig, EmailConfig, TEST_ID_LABEL, TEST_RECEIVER_LABEL, TeamsConfig, check_literal,
    receiver_name,
};

/// The prefix of every receiver ike renders; base receivers may not use it.
pub const TENANT_PREFIX: &str = crate::api::TENANT_RECEIVER_PREFIX;
/// The prefix of receivers ike keeps for itself; base receivers may not use it either.
pub const IKE_PREFIX: &str = "ike/";
/// The receiver that takes test alerts away from the platform's routes: it sends nothing.
pub const DISCARD: &str = "ike/discard";

/// Errors in the admin's base configuration.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BaseError {
    /// The base is not YAML.
    #[error("the base Alertmanager configuration is not YAML: {0}")]
    NotYaml(String),
    /// The base lacks something Alertmanager requires.
    #[error("the base Alertmanager configuration {0}")]
    Invalid(&'static str),
    /// A base receiver uses a prefix reserved for tenant receivers or for ike.
    #[error(
        "the base receiver '{0}' starts with '{TENANT_PREFIX}' or '{IKE_PREFIX}', which are reserved for ike"
    )]
    ReservedName(String),
}

/// Errors rendering; each means the caller passed something it should have filtered out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    /// The relay URL is not an http(s) URL.
    #[error("the relay URL '{0}' is not an http:// or https:// URL")]
    RelayUrl(String),
    /// A namespace or name is not what Kubernetes allows.
    #[error("'{0}' is not a valid namespace or object name")]
    InvalidName(String),
    /// Two configs render to the same receiver.
    #[error("receiver '{0}' is given twice")]
    Duplicate(String),
    /// An e-mail receiver was given but the base has no global SMTP settings.
    #[error("receiver '{0}' sends e-mail but the base has no global smtp_smarthost and smtp_from")]
    NoSmtp(String),
    /// A native Teams receiver was given without its webhook URL.
    #[error("receiver '{0}' is a native Teams receiver without its webhook URL")]
    NoTeamsUrl(String),
    /// A tenant's value holds template syntax (`{` or `}`), which Alertmanager would execute.
    #[error("receiver '{0}' holds a brace, which Alertmanager would read as a template")]
    Template(String),
    /// Serializing YAML failed.
    #[error("cannot write YAML: {0}")]
    Yaml(String),
}

/// The admin-owned part of the configuration: global settings, templates, inhibit rules, the
/// platform's own route tree and receivers. Kept exactly as given, in the given order.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseConfig {
    doc: Map<String, Value>,
}

impl BaseConfig {
    /// Reads a base from YAML and checks what rendering relies on.
    pub fn from_yaml(yaml: &str) -> Result<Self, BaseError> {
        let value: Value =
            serde_saphyr::from_str(yaml).map_err(|e| BaseError::NotYaml(e.to_string()))?;
        let Value::Object(doc) = value else {
            return Err(BaseError::Invalid("is not a mapping"));
        };
        let root = doc
            .get("route")
            .and_then(Value::as_object)
            .ok_or(BaseError::Invalid("has no route"))?;
        if !root.get("receiver").is_some_and(Value::is_string) {
            return Err(BaseError::Invalid("has no receiver on its root route"));
        }
        if root
            .get("routes")
            .is_some_and(|r| !r.is_array() && !r.is_null())
        {
            return Err(BaseError::Invalid("has route.routes that is not a list"));
        }
        let receivers = match doc.get("receivers") {
            Some(Value::Array(r)) => r.as_slice(),
            _ => return Err(BaseError::Invalid("has no receivers list")),
        };
        for name in receivers.iter().filter_map(|r| r.get("name")?.as_str()) {
            if name.starts_with(TENANT_PREFIX) || name.starts_with(IKE_PREFIX) {
                return Err(BaseError::ReservedName(name.into()));
            }
        }
        Ok(Self { doc })
    }

    /// Whether e-mail receivers can be configured: the base sets `global.smtp_smarthost` and
    /// `global.smtp_from`. Without them Alertmanager rejects the whole configuration, so the
    /// caller leaves EmailConfigs out (condition reason SmtpNotConfigured) instead.
    pub fn sends_email(&self) -> bool {
        let global = self.doc.get("global");
        ["smtp_smarthost", "smtp_from"].iter().all(|key| {
            global
                .and_then(|g| g.get(key))
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        })
    }

    /// Base settings that let one tenant's alerts affect another's, for the controller to log:
    /// an inhibit rule whose `equal` lacks `namespace` lets an alert in one namespace silence
    /// alerts in every other.
    pub fn warnings(&self) -> Vec<String> {
        let rules = self.doc.get("inhibit_rules").and_then(Value::as_array);
        rules
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, rule)| {
                let equal = rule.get("equal").and_then(Value::as_array);
                !equal.is_some_and(|e| e.iter().any(|l| l.as_str() == Some("namespace")))
            })
            .map(|(i, _)| {
                format!(
                    "inhibit_rules[{i}] has no 'namespace' in equal: it inhibits across tenants"
                )
            })
            .collect()
    }
}

/// One tenant notification config, as it becomes a receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantReceiver {
    /// The config's namespace: the only `namespace` label value routed to it.
    pub namespace: String,
    /// The config's name.
    pub name: String,
    /// Where it sends.
    pub target: Target,
}

/// What a tenant receiver sends to.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// Barry, through the relay.
    Barry,
    /// E-mail, sent by Alertmanager.
    Email {
        /// Validated plain addresses.
        to: Vec<String>,
        /// Also send resolved notifications.
        send_resolved: bool,
        /// Literal text before the subject.
        subject_prefix: Option<String>,
    },
    /// Teams; the URL is needed only for [`TeamsDelivery::Native`].
    Teams {
        /// The Workflows webhook URL, from the config's Secret.
        webhook_url: Option<String>,
    },
}

impl std::fmt::Debug for Target {
    // The Teams URL is a secret: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Barry => f.write_str("Barry"),
            Target::Email { to, .. } => f.debug_struct("Email").field("to", to).finish(),
            Target::Teams { webhook_url } => f
                .debug_struct("Teams")
                .field("webhook_url", &webhook_url.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

impl Target {
    /// The tenant's values that go into the configuration as they are (names aside).
    fn values(&self) -> Vec<&str> {
        match self {
            Target::Barry => Vec::new(),
            Target::Email {
                to, subject_prefix, ..
            } => to
                .iter()
                .map(String::as_str)
                .chain(subject_prefix.as_deref())
                .collect(),
            Target::Teams { webhook_url } => webhook_url.as_deref().into_iter().collect(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Target::Barry => "barry",
            Target::Email { .. } => "email",
            Target::Teams { .. } => "teams",
        }
    }
}

impl TenantReceiver {
    fn new(meta: &kube::api::ObjectMeta, target: Target) -> Self {
        Self {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            target,
        }
    }

    /// A BarryConfig's receiver (a relay webhook).
    pub fn barry(config: &BarryConfig) -> Self {
        Self::new(&config.metadata, Target::Barry)
    }

    /// A TeamsConfig's receiver; `webhook_url` (from its Secret) only for native delivery.
    pub fn teams(config: &TeamsConfig, webhook_url: Option<String>) -> Self {
        Self::new(&config.metadata, Target::Teams { webhook_url })
    }

    /// An EmailConfig's receiver, or why it is left out (for the InvalidAddress condition).
    pub fn email(config: &EmailConfig) -> Result<Self, String> {
        validate(config)?;
        let mut to = config.spec.to.clone();
        to.sort();
        to.dedup();
        Ok(Self::new(
            &config.metadata,
            Target::Email {
                to,
                send_resolved: config.spec.send_resolved.unwrap_or(false),
                subject_prefix: config.spec.subject_prefix.clone(),
            },
        ))
    }

    /// The receiver's name in Alertmanager: `tenant/<namespace>/<kind>/<name>`.
    pub fn receiver_name(&self) -> String {
        receiver_name(&self.namespace, self.target.kind(), &self.name)
    }
}

/// Checks an EmailConfig before it becomes a receiver; the rule is
/// [`crate::api::EmailConfigSpec::validate`], shared with the CLI and the admission webhook.
pub fn validate(config: &EmailConfig) -> Result<(), String> {
    config.spec.validate()
}

/// How Teams receivers are rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TeamsDelivery {
    /// A webhook to the relay, which reads the URL from the Secret (Alertmanager 0.25+).
    #[default]
    Relay,
    /// `msteamsv2_configs` with the URL in the configuration (Alertmanager 0.28+).
    Native,
}

/// Settings of the rendering that come from the controller's deployment, not from tenants.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// The relay's base URL, such as `https://ike-controller.ike-system.svc:8443/relay`.
    pub relay_url: String,
    /// An Alertmanager `http_config` for the relay webhooks, such as
    /// `{"authorization": {"credentials_file": "/etc/alertmanager/relay-token"}}`, so only
    /// Alertmanager can post to the relay.
    pub relay_http_config: Option<Value>,
    /// How Teams receivers are rendered.
    pub teams: TeamsDelivery,
}

/// `label="value"` in Alertmanager's matcher syntax, with `"`, `\` and line breaks escaped.
pub fn equality_matcher(label: &str, value: &str) -> String {
    format!("{label}=\"{}\"", quoted(value))
}

/// The inside of a matcher's double-quoted value.
fn quoted(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `ike_notify_test=~"|<receiver>"`: no test label, or a test for exactly this receiver.
/// Receiver names hold lower-case letters, digits, `-`, `/` and `.`, of which only `.` means
/// something in a regular expression.
fn test_filter(receiver: &str) -> String {
    let pattern = format!("|{}", receiver.replace('.', "\\."));
    format!("{TEST_RECEIVER_LABEL}=~\"{}\"", quoted(&pattern))
}

fn is_dns_label(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The most alerts one relay webhook carries; Alertmanager says how many it left out
/// (`truncatedAlerts`). Bounds the body of a huge alert group: a Teams card shows ten, and a
/// group of thousands would hold the relay's listener (its body budget) for nothing.
pub const RELAY_MAX_ALERTS: u64 = 200;

/// One tenant receiver as it goes into the configuration: its route and its receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// The receiver's name.
    pub name: String,
    route: Value,
    receiver: Value,
}

impl Piece {
    /// About the bytes the piece takes in the rendered configuration (its JSON length; the YAML
    /// differs by a few percent, which the caller checks on the whole).
    pub fn cost(&self) -> usize {
        let len = |v: &Value| serde_json::to_string(v).map_or(0, |s| s.len());
        len(&self.route) + len(&self.receiver)
    }
}

/// The route and receiver of `r`, or why it cannot be rendered: names Kubernetes would not
/// allow, a template in a tenant's value (the last line of defence: the spec checks refuse
/// them first), a native Teams receiver without URL, e-mail without SMTP.
pub fn piece(
    base: &BaseConfig,
    r: &TenantReceiver,
    options: &Options,
) -> Result<Piece, RenderError> {
    let relay = relay_url(options)?;
    let name = r.receiver_name();
    // Kubernetes guarantees both; they go into receiver names and relay URLs unescaped.
    if !is_dns_label(&r.namespace) {
        return Err(RenderError::InvalidName(r.namespace.clone()));
    }
    if r.name.len() > 253 || !r.name.split('.').all(is_dns_label) {
        return Err(RenderError::InvalidName(r.name.clone()));
    }
    if r.target
        .values()
        .iter()
        .any(|v| check_literal("", v).is_err())
    {
        return Err(RenderError::Template(name));
    }
    let mut route = json!({
        "matchers": [equality_matcher("namespace", &r.namespace), test_filter(&name)],
        "receiver": name,
        "continue": true,
    });
    if let Some(group_by) = tenant_group_by(&base.doc["route"]) {
        route["group_by"] = group_by;
    }
    let receiver = receiver(base, r, &name, relay, options)?;
    Ok(Piece {
        name,
        route,
        receiver,
    })
}

fn relay_url(options: &Options) -> Result<&str, RenderError> {
    let relay = options.relay_url.trim_end_matches('/');
    if !(relay.starts_with("https://") || relay.starts_with("http://")) {
        return Err(RenderError::RelayUrl(options.relay_url.clone()));
    }
    Ok(relay)
}

/// Renders the complete configuration. The output depends only on the inputs (tenant
/// receivers sorted by name, the base in its own order), so a resync that changes nothing
/// renders the same bytes and [`fingerprint`] can decide that nothing needs writing.
pub fn render(
    base: &BaseConfig,
    receivers: &[TenantReceiver],
    options: &Options,
) -> Result<String, RenderError> {
    let pieces = receivers
        .iter()
        .map(|r| piece(base, r, options))
        .collect::<Result<Vec<_>, _>>()?;
    assemble(base, &pieces.iter().collect::<Vec<_>>(), options)
}

/// The configuration of the base and `pieces` (in any order).
pub fn assemble(
    base: &BaseConfig,
    pieces: &[&Piece],
    options: &Options,
) -> Result<String, RenderError> {
    relay_url(options)?;
    let mut pieces = pieces.to_vec();
    pieces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut seen = BTreeSet::new();
    let mut tenant_routes = Vec::with_capacity(pieces.len() + 2);
    let mut tenant_receivers = Vec::with_capacity(pieces.len());
    for p in pieces {
        if !seen.insert(p.name.as_str()) {
            return Err(RenderError::Duplicate(p.name.clone()));
        }
        tenant_routes.push(p.route.clone());
        tenant_receivers.push(p.receiver.clone());
    }

    let mut doc = base.doc.clone();
    let root = doc
        .get_mut("route")
        .and_then(Value::as_object_mut)
        .expect("checked by BaseConfig::from_yaml");
    let mut platform = Map::new();
    platform.insert("receiver".into(), root["receiver"].clone());
    match root.remove("routes") {
        Some(Value::Array(routes)) if !routes.is_empty() => {
            platform.insert("routes".into(), Value::Array(routes));
        }
        _ => {}
    }
    tenant_routes.push(json!({
        "matchers": [format!("{TEST_RECEIVER_LABEL}!=\"\"")],
        "receiver": DISCARD,
    }));
    tenant_routes.push(Value::Object(platform));
    root.insert("routes".into(), Value::Array(tenant_routes));
    let all = doc
        .get_mut("receivers")
        .and_then(Value::as_array_mut)
        .expect("checked by BaseConfig::from_yaml");
    all.push(json!({ "name": DISCARD }));
    all.extend(tenant_receivers);

    let yaml = serde_saphyr::to_string(&Value::Object(doc))
        .map_err(|e| RenderError::Yaml(e.to_string()))?;
    Ok(format!(
        "# Rendered by ike-controller from the base configuration and the tenants' \
         notification configs; edit those, not this.\n{yaml}"
    ))
}

/// The tenant routes' `group_by`: the root's plus the test id label, or `None` (inherit) when
/// the root groups by every label (`...`) already.
fn tenant_group_by(root: &Value) -> Option<Value> {
    let mut labels: Vec<Value> = match root.get("group_by") {
        Some(Value::Array(labels)) => labels.clone(),
        _ => Vec::new(),
    };
    if labels.iter().any(|l| l == "...") {
        return None;
    }
    if !labels.iter().any(|l| l == TEST_ID_LABEL) {
        labels.push(TEST_ID_LABEL.into());
    }
    Some(Value::Array(labels))
}

fn receiver(
    base: &BaseConfig,
    r: &TenantReceiver,
    name: &str,
    relay: &str,
    options: &Options,
) -> Result<Value, RenderError> {
    let webhook = |kind: &str| {
        let mut config = json!({
            "url": format!("{relay}/{kind}/{}/{}", r.namespace, r.name),
            "send_resolved": true,
            "max_alerts": RELAY_MAX_ALERTS,
        });
        if let Some(http) = &options.relay_http_config {
            config["http_config"] = http.clone();
        }
        json!({ "name": name, "webhook_configs": [config] })
    };
    Ok(match &r.target {
        Target::Barry => webhook("barry"),
        Target::Teams { .. } if options.teams == TeamsDelivery::Relay => webhook("teams"),
        Target::Teams { webhook_url } => {
            let url = webhook_url
                .as_ref()
                .ok_or_else(|| RenderError::NoTeamsUrl(name.into()))?;
            json!({
                "name": name,
                "msteamsv2_configs": [{ "webhook_url": url, "send_resolved": true }],
            })
        }
        Target::Email {
            to,
            send_resolved,
            subject_prefix,
        } => {
            if !base.sends_email() {
                return Err(RenderError::NoSmtp(name.into()));
            }
            let mut config = json!({ "to": to.join(", "), "send_resolved": send_resolved });
            if let Some(prefix) = subject_prefix {
                // Header values are Go templates: the prefix goes in as a string literal so
                // that a tenant's `{{` is text, never template code. JSON string escaping is
                // valid Go string-literal escaping.
                let literal = serde_json::to_string(prefix.trim_end()).expect("a string");
                config["headers"] = json!({
                    "Subject": format!(
                        "{{{{ {literal} }}}} {{{{ template \"email.default.subject\" . }}}}"
                    )
                });
            }
            json!({ "name": name, "email_configs": [config] })
        }
    })
}

/// A short hash of a rendered configuration (SHA-256, hex): equal hashes mean nothing to
/// write and no reload.
pub fn fingerprint(rendered: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, rendered.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
pub(crate) mod amtool;
#[cfg(test)]
mod tests;
