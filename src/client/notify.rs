//! Notification configs as `ike notify` handles them: the three kinds as one ([`AnyConfig`]),
//! found by name or listed, written with their Secret, tested, deleted. No printing here.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, DeleteParams, ListParams, Patch};
use kube::{Resource, ResourceExt};
use serde::Serialize;

use super::{Target, api_error, patch_params, refused_by_rbac};
use crate::api::{
    BarryConfig, CommonStatus, Delivery, EmailConfig, NotificationPolicy, NotifyConfig, NotifyTest,
    SITE_NAME, Site, TEST_ANNOTATION, TeamsConfig, condition,
};

/// The site's notification policy: the Site object's `notifications` section, the defaults
/// without one (every account may read the Site).
pub async fn site_policy(client: &kube::Client) -> anyhow::Result<NotificationPolicy> {
    let sites: Api<Site> = Api::all(client.clone());
    match sites.get_opt(SITE_NAME).await {
        Ok(site) => Ok(site.map(|s| s.spec.notifications).unwrap_or_default()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(NotificationPolicy::default()),
        Err(e) => Err(api_error(e, "the site's policy (Site site)")),
    }
}

/// How long `ike notify barry|email|teams` wait for the controller's verdict.
pub const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(200);

/// The three kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// BarryConfig.
    Barry,
    /// EmailConfig.
    Email,
    /// TeamsConfig.
    Teams,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 3] = [Kind::Barry, Kind::Email, Kind::Teams];

    /// The kind's object kind, `BarryConfig`...
    pub fn object_kind(self) -> &'static str {
        match self {
            Kind::Barry => "BarryConfig",
            Kind::Email => "EmailConfig",
            Kind::Teams => "TeamsConfig",
        }
    }

    /// `barry`, `email` or `teams`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Barry => "barry",
            Kind::Email => "email",
            Kind::Teams => "teams",
        }
    }
}

/// A notification config of any kind; serializes as the object itself.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum AnyConfig {
    /// A BarryConfig.
    Barry(BarryConfig),
    /// An EmailConfig.
    Email(EmailConfig),
    /// A TeamsConfig.
    Teams(TeamsConfig),
}

macro_rules! each {
    ($self:expr, $c:ident => $e:expr) => {
        match $self {
            AnyConfig::Barry($c) => $e,
            AnyConfig::Email($c) => $e,
            AnyConfig::Teams($c) => $e,
        }
    };
}

impl AnyConfig {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            AnyConfig::Barry(_) => Kind::Barry,
            AnyConfig::Email(_) => Kind::Email,
            AnyConfig::Teams(_) => Kind::Teams,
        }
    }

    /// Its name.
    pub fn name(&self) -> String {
        each!(self, c => c.name_any())
    }

    /// Its namespace.
    pub fn namespace(&self) -> String {
        each!(self, c => c.namespace().unwrap_or_default())
    }

    /// Its generation.
    pub fn generation(&self) -> Option<i64> {
        each!(self, c => c.meta().generation)
    }

    /// Its conditions.
    pub fn conditions(&self) -> &[Condition] {
        each!(self, c => c.status().map(|s| s.conditions()).unwrap_or_default())
    }

    /// The condition of type `type_`.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions().iter().find(|c| c.type_ == type_)
    }

    /// The last delivery.
    pub fn last_delivery(&self) -> Option<&Delivery> {
        each!(self, c => c.status().and_then(|s| s.last_delivery()))
    }

    /// The last test.
    pub fn last_test(&self) -> Option<&NotifyTest> {
        each!(self, c => c.status().and_then(|s| s.last_test()))
    }

    /// The Secret it names, if its kind uses one.
    pub fn secret_name(&self) -> Option<&str> {
        each!(self, c => c.secret_name())
    }

    /// Where it sends, in a few words.
    pub fn target(&self) -> String {
        match self {
            AnyConfig::Barry(c) => c
                .spec
                .channels
                .iter()
                .map(|ch| {
                    if ch.mute {
                        format!("{} (muted)", ch.name)
                    } else {
                        ch.name.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            AnyConfig::Email(c) => c.spec.to.join(", "),
            AnyConfig::Teams(c) => format!("Secret {}", c.spec.webhook_url_secret_name),
        }
    }

    /// The condition the controller reports first for this kind (the verdict `ike notify
    /// barry|email|teams` wait for).
    pub fn verdict_type(&self) -> &'static str {
        match self.kind() {
            Kind::Barry => condition::CHANNEL_READY,
            Kind::Email => condition::RECEIVER_CONFIGURED,
            Kind::Teams => condition::WEBHOOK_READY,
        }
    }

    /// `Ready` when every condition is True, else the reason of the first that is not.
    pub fn state(&self) -> String {
        let order = [
            condition::CHANNEL_READY,
            condition::WEBHOOK_READY,
            condition::RECEIVER_CONFIGURED,
            condition::DELIVERED,
        ];
        let conditions = self.conditions();
        if conditions.is_empty() {
            return "Waiting".into();
        }
        for type_ in order {
            if let Some(c) = conditions
                .iter()
                .find(|c| c.type_ == type_ && c.status != "True")
            {
                return c.reason.clone();
            }
        }
        "Ready".into()
    }
}

impl From<BarryConfig> for AnyConfig {
    fn from(c: BarryConfig) -> Self {
        AnyConfig::Barry(c)
    }
}

impl From<EmailConfig> for AnyConfig {
    fn from(c: EmailConfig) -> Self {
        AnyConfig::Email(c)
    }
}

impl From<TeamsConfig> for AnyConfig {
    fn from(c: TeamsConfig) -> Self {
        AnyConfig::Teams(c)
    }
}

async fn get_opt<K: NotifyConfig>(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> anyhow::Result<Option<K>> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.get_opt(name).await.map_err(|e| {
        let what = format!(
            "{} {name} in namespace {namespace}",
            kind_of::<K>().object_kind()
        );
        api_error(e, &what)
    })
}

fn kind_of<K: NotifyConfig>() -> Kind {
    match K::KIND {
        "barry" => Kind::Barry,
        "email" => Kind::Email,
        _ => Kind::Teams,
    }
}

/// The config `name` in `namespace` (of `kind`, when given); an error when there is none, or
/// when the name is used by several kinds and none was given.
pub async fn get(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    kind: Option<Kind>,
) -> anyhow::Result<AnyConfig> {
    let wanted = |k: Kind| kind.is_none_or(|want| want == k);
    let mut found = Vec::new();
    if wanted(Kind::Barry) {
        found.extend(
            get_opt::<BarryConfig>(client, namespace, name)
                .await?
                .map(AnyConfig::Barry),
        );
    }
    if wanted(Kind::Email) {
        found.extend(
            get_opt::<EmailConfig>(client, namespace, name)
                .await?
                .map(AnyConfig::Email),
        );
    }
    if wanted(Kind::Teams) {
        found.extend(
            get_opt::<TeamsConfig>(client, namespace, name)
                .await?
                .map(AnyConfig::Teams),
        );
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => anyhow::bail!(
            "no notification config {name} in namespace {namespace}: 'ike notify list -n {namespace}' shows them"
        ),
        _ => anyhow::bail!(
            "{name} names a {} in namespace {namespace}: pass --kind barry, email or teams",
            found
                .iter()
                .map(|c| c.kind().object_kind())
                .collect::<Vec<_>>()
                .join(" and a ")
        ),
    }
}

async fn list_kind<K: NotifyConfig>(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<K>, kube::Error> {
    let api: Api<K> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    Ok(api.list(&ListParams::default()).await?.items)
}

async fn list_in(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<AnyConfig>, kube::Error> {
    let mut all: Vec<AnyConfig> = Vec::new();
    all.extend(
        list_kind::<BarryConfig>(client, namespace)
            .await?
            .into_iter()
            .map(AnyConfig::Barry),
    );
    all.extend(
        list_kind::<EmailConfig>(client, namespace)
            .await?
            .into_iter()
            .map(AnyConfig::Email),
    );
    all.extend(
        list_kind::<TeamsConfig>(client, namespace)
            .await?
            .into_iter()
            .map(AnyConfig::Teams),
    );
    Ok(all)
}

/// The configs in `namespace`, or in every namespace the caller may read (`None`): all of them
/// for whoever may list them cluster-wide, else those in the namespaces of the caller's
/// tenants. Sorted by namespace, name and kind.
pub async fn list(target: &Target, namespace: Option<&str>) -> anyhow::Result<Vec<AnyConfig>> {
    let client = &target.client;
    let mut all =
        super::tenants::list_visible(target, namespace, "notification configs", |ns| async move {
            list_in(client, ns.as_deref()).await
        })
        .await?;
    all.sort_by_key(|c| (c.namespace(), c.name(), c.kind()));
    Ok(all)
}

/// Server-side applies `config` as ike (taking over the fields ike sets), or checks it with a
/// server-side dry run.
pub async fn apply<K: NotifyConfig>(
    client: &kube::Client,
    config: &K,
    dry_run: bool,
) -> anyhow::Result<K> {
    let namespace = config.meta().namespace.clone().unwrap_or_default();
    let name = config.name_any();
    let api: Api<K> = Api::namespaced(client.clone(), &namespace);
    let mut params = patch_params(dry_run);
    params.force = true;
    api.patch(&name, &params, &Patch::Apply(config))
        .await
        .map_err(|e| refused(e, kind_of::<K>().object_kind(), &name, &namespace))
}

fn refused(e: kube::Error, kind: &str, name: &str, namespace: &str) -> anyhow::Error {
    if refused_by_rbac(&e) {
        return anyhow::anyhow!(
            "your account may not change notification configs in namespace {namespace}: owners and members of its tenant can ('ike whoami' shows your roles)"
        );
    }
    api_error(e, &format!("{kind} {name} in namespace {namespace}"))
}

/// Server-side applies Secret `name` with `key` set to `value`; the value goes nowhere else.
pub async fn apply_secret(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    key: &str,
    value: &str,
    dry_run: bool,
) -> anyhow::Result<()> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(value);
    let secret = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": name, "namespace": namespace },
        "type": "Opaque",
        "data": { key: encoded },
    });
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let mut params = patch_params(dry_run);
    params.force = true;
    match api.patch(name, &params, &Patch::Apply(&secret)).await {
        Ok(_) => Ok(()),
        Err(e) if refused_by_rbac(&e) => anyhow::bail!(
            "your account may not write Secret {name} in namespace {namespace}: owners and members of its tenant can"
        ),
        // The error names the Secret, never its value.
        Err(e) => Err(api_error(
            e,
            &format!("Secret {name} in namespace {namespace}"),
        )),
    }
}

/// Polls `name` until `done` says the controller has answered, or [`WAIT`] passes; the last
/// version read either way.
pub async fn wait_for(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    kind: Kind,
    wait: Duration,
    done: impl Fn(&AnyConfig) -> bool,
) -> anyhow::Result<(AnyConfig, bool)> {
    let deadline = Instant::now() + wait;
    loop {
        let config = get(client, namespace, name, Some(kind)).await?;
        if done(&config) {
            return Ok((config, true));
        }
        if Instant::now() >= deadline {
            return Ok((config, false));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether the controller has reported the kind's verdict on `config`'s current generation.
pub fn has_verdict(config: &AnyConfig) -> bool {
    config
        .condition(config.verdict_type())
        .is_some_and(|c| c.observed_generation == config.generation())
}

/// A fresh test id: 12 lower-case hex digits.
pub fn test_id() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 6];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system has randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asks the controller for a test of `config` (the `monitoring.ike.dev/test` annotation).
pub async fn request_test(
    client: &kube::Client,
    config: &AnyConfig,
    id: &str,
) -> anyhow::Result<()> {
    let (namespace, name) = (config.namespace(), config.name());
    let patch = serde_json::json!({ "metadata": { "annotations": { TEST_ANNOTATION: id } } });
    let params = patch_params(false);
    let result = match config.kind() {
        Kind::Barry => Api::<BarryConfig>::namespaced(client.clone(), &namespace)
            .patch(&name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        Kind::Email => Api::<EmailConfig>::namespaced(client.clone(), &namespace)
            .patch(&name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        Kind::Teams => Api::<TeamsConfig>::namespaced(client.clone(), &namespace)
            .patch(&name, &params, &Patch::Merge(&patch))
            .await
            .map(|_| ()),
    };
    result.map_err(|e| refused(e, config.kind().object_kind(), &name, &namespace))
}

/// Deletes `config` (a server-side dry run when asked).
pub async fn delete(
    client: &kube::Client,
    config: &AnyConfig,
    dry_run: bool,
) -> anyhow::Result<()> {
    let (namespace, name) = (config.namespace(), config.name());
    let params = DeleteParams {
        dry_run,
        ..Default::default()
    };
    let result = match config.kind() {
        Kind::Barry => Api::<BarryConfig>::namespaced(client.clone(), &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
        Kind::Email => Api::<EmailConfig>::namespaced(client.clone(), &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
        Kind::Teams => Api::<TeamsConfig>::namespaced(client.clone(), &namespace)
            .delete(&name, &params)
            .await
            .map(|_| ()),
    };
    result.map_err(|e| refused(e, config.kind().object_kind(), &name, &namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{BarryChannel, BarryConfigSpec, set_condition};

    #[test]
    fn the_state_is_the_first_condition_that_is_not_true() {
        let mut c = BarryConfig::new(
            "oncall",
            BarryConfigSpec {
                channels: vec![BarryChannel {
                    name: "a".into(),
                    mute: true,
                }],
                token_secret_name: "t".into(),
            },
        );
        let any = AnyConfig::Barry(c.clone());
        assert_eq!(any.state(), "Waiting");
        assert_eq!(any.target(), "a (muted)");
        let conditions = &mut c.status_mut().conditions;
        set_condition(
            conditions,
            condition::RECEIVER_CONFIGURED,
            false,
            "Pending",
            "",
            None,
        );
        set_condition(
            conditions,
            condition::CHANNEL_READY,
            false,
            "TokenRejected",
            "",
            None,
        );
        assert_eq!(AnyConfig::Barry(c.clone()).state(), "TokenRejected");
        let conditions = &mut c.status_mut().conditions;
        set_condition(
            conditions,
            condition::CHANNEL_READY,
            true,
            "ChannelsOpen",
            "",
            None,
        );
        set_condition(
            conditions,
            condition::RECEIVER_CONFIGURED,
            true,
            "Configured",
            "",
            None,
        );
        assert_eq!(AnyConfig::Barry(c).state(), "Ready");
        assert_eq!(test_id().len(), 12);
    }
}
