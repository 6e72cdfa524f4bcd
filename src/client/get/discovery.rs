//! Which resource `ike get RESOURCE` means, resolved as kubectl resolves it over the API server's
//! discovery.
//!
//! A 1.20 API server has no aggregated discovery and kube's `Discovery` drops short names,
//! singular names and categories, so the raw lists are read (`/api/v1`, `/apis`, one
//! `/apis/<group>/<version>` each). The order of [`Discovery::resources`] is the tie-break
//! kubectl's priority mapper uses: core v1 first, then the groups in `/apis` order, each group's
//! preferred version first.

use futures::StreamExt as _;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;

/// How many discovery requests run at once.
const CONCURRENCY: usize = 16;

/// One resource the API server serves, at one group/version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiKind {
    /// Its API group, empty for the core group.
    pub group: String,
    /// The version.
    pub version: String,
    /// The plural resource name (`pods`).
    pub plural: String,
    /// The singular name (`pod`); empty when the server leaves it out.
    pub singular: String,
    /// The kind (`Pod`).
    pub kind: String,
    /// Short names (`po`).
    pub short_names: Vec<String>,
    /// Categories (`all`).
    pub categories: Vec<String>,
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// The verbs it serves.
    pub verbs: Vec<String>,
}

impl ApiKind {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The kind as `-o name` and several-type tables write it: `pod`, `deployment.apps`.
    pub fn kind_group(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }

    /// The URL path of its objects in `namespace` (or cluster-wide with `None`).
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{base}/namespaces/{ns}/{}", self.plural),
            _ => format!("{base}/{}", self.plural),
        }
    }

    /// The kube description of it, for typed-less lists.
    pub fn api_resource(&self) -> kube::discovery::ApiResource {
        kube::discovery::ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }
}

/// Everything the API server serves, in kubectl's priority order.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The resources, subresources left out.
    pub resources: Vec<ApiKind>,
}

/// Why RESOURCE names nothing.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    /// No resource, short name, kind or category matches (kubectl's words).
    #[error(
        "the server doesn't have a resource type \"{0}\" ('ike get' without arguments lists them)"
    )]
    Unknown(String),
    /// An empty part, as in `pods,,svc`.
    #[error("an empty resource type in \"{0}\": write RESOURCE[,RESOURCE...]")]
    Empty(String),
}

/// How long discovery is kept per site: kubectl keeps its own ten minutes too. A resource type
/// made since (a CRD approved a moment ago) is found anyway: a miss discovers again.
pub const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(600);

/// Discovery of one site, kept in `<cache dir>/sites/<site>/discovery.json` (0600, written
/// atomically) for [`CACHE_TTL`]; a file made for another API server is never read.
#[derive(Debug, Clone)]
pub struct DiscoveryCache {
    path: std::path::PathBuf,
    server: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    server: String,
    at_ms: u64,
    resources: Vec<ApiKind>,
}

fn millis(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

impl DiscoveryCache {
    /// The cache of `site`, whose API server is `server`, under ike's cache directory.
    pub fn new(cache_dir: &std::path::Path, site: &str, server: &str) -> Self {
        Self {
            path: cache_dir.join("sites").join(site).join("discovery.json"),
            server: server.to_string(),
        }
    }

    /// The cached discovery, if there is one younger than [`CACHE_TTL`] for this server.
    pub fn read(&self, now: std::time::SystemTime) -> Option<Discovery> {
        let file: CacheFile = serde_json::from_slice(&std::fs::read(&self.path).ok()?).ok()?;
        let age = millis(now).checked_sub(file.at_ms)?;
        (file.server == self.server && age < CACHE_TTL.as_millis() as u64).then_some(Discovery {
            resources: file.resources,
        })
    }

    /// Keeps `discovery`, made at `at`. A cache that cannot be written is only logged.
    pub fn write(&self, discovery: &Discovery, at: std::time::SystemTime) {
        let file = CacheFile {
            server: self.server.clone(),
            at_ms: millis(at),
            resources: discovery.resources.clone(),
        };
        let written = self
            .path
            .parent()
            .map_or(Ok(()), |dir| {
                use std::os::unix::fs::DirBuilderExt as _;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
            })
            .and_then(|()| serde_json::to_vec(&file).map_err(std::io::Error::other))
            .and_then(|bytes| crate::util::fs::write_atomic(&self.path, &bytes));
        if let Err(e) = written {
            tracing::debug!(path = %self.path.display(), error = %e, "discovery not cached");
        }
    }
}

/// Discovery from `cache` when it holds a fresh one and `again` is false, else from the API
/// server (and then kept in `cache`). Whether it came from the cache.
pub async fn cached(
    client: &kube::Client,
    cache: Option<&DiscoveryCache>,
    again: bool,
) -> Result<(Discovery, bool), kube::Error> {
    let now = std::time::SystemTime::now();
    if !again && let Some(found) = cache.and_then(|c| c.read(now)) {
        return Ok((found, true));
    }
    let discovery = discover(client).await?;
    if let Some(cache) = cache {
        cache.write(&discovery, now);
    }
    Ok((discovery, false))
}

/// Reads discovery from the API server. A group whose versions cannot be read (an aggregated
/// API that is down) is left out with a log line, as kubectl does.
pub async fn discover(client: &kube::Client) -> Result<Discovery, kube::Error> {
    let mut lists: Vec<(String, String)> = vec![(String::new(), "v1".into())];
    let groups = client.list_api_groups().await?;
    for group in groups.groups {
        let preferred = group.preferred_version.as_ref().map(|p| p.version.clone());
        let mut versions: Vec<String> = group.versions.iter().map(|v| v.version.clone()).collect();
        if let Some(p) = &preferred {
            versions.retain(|v| v != p);
            versions.insert(0, p.clone());
        }
        lists.extend(versions.into_iter().map(|v| (group.name.clone(), v)));
    }
    let fetched: Vec<(String, String, Result<APIResourceList, kube::Error>)> =
        futures::stream::iter(lists)
            .map(|(group, version)| async move {
                let got = if group.is_empty() {
                    client.list_core_api_resources(&version).await
                } else {
                    client
                        .list_api_group_resources(&format!("{group}/{version}"))
                        .await
                };
                (group, version, got)
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
    let mut resources = Vec::new();
    for (group, version, got) in fetched {
        let list = match got {
            Ok(list) => list,
            Err(e) if group.is_empty() => return Err(e),
            Err(e) => {
                tracing::warn!(%group, %version, error = %e, "discovery of a group failed");
                continue;
            }
        };
        for r in list.resources {
            if r.name.contains('/') {
                continue;
            }
            resources.push(ApiKind {
                group: group.clone(),
                version: version.clone(),
                plural: r.name,
                singular: r.singular_name,
                kind: r.kind,
                short_names: r.short_names.unwrap_or_default(),
                categories: r.categories.unwrap_or_default(),
                namespaced: r.namespaced,
                verbs: r.verbs,
            });
        }
    }
    Ok(Discovery { resources })
}

impl Discovery {
    /// Resolves `arg` (`pods,svc`, `deploy.apps`, `deployments.v1.apps`, `Deployment.apps`,
    /// `all`) to the resources it names, deduplicated by group and kind, in the order named.
    /// kubectl's order per part: categories, `resource.version.group`, resource or
    /// `resource.group` (after short-name expansion), then `Kind[.version].group`.
    pub fn resolve(&self, arg: &str) -> Result<Vec<ApiKind>, ResolveError> {
        let mut out: Vec<ApiKind> = Vec::new();
        for part in arg.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(ResolveError::Empty(arg.to_string()));
            }
            for found in self.resolve_one(part)? {
                if !out
                    .iter()
                    .any(|o| o.group == found.group && o.kind == found.kind)
                {
                    out.push(found);
                }
            }
        }
        Ok(out)
    }

    fn resolve_one(&self, part: &str) -> Result<Vec<ApiKind>, ResolveError> {
        let in_category: Vec<ApiKind> = self
            .preferred()
            .filter(|r| r.categories.iter().any(|c| c == part))
            .cloned()
            .collect();
        if !in_category.is_empty() {
            return Ok(in_category);
        }
        let lower = part.to_ascii_lowercase();
        if lower.matches('.').count() >= 2 {
            let mut it = lower.splitn(3, '.');
            let (res, version, group) = (
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
            );
            let (res, group) = self.expand_short_name(res, group);
            if let Some(found) = self.resources.iter().find(|r| {
                r.group == group && r.version == version && (r.plural == res || r.singular == res)
            }) {
                return Ok(vec![found.clone()]);
            }
        }
        let (res, group) = lower.split_once('.').unwrap_or((&lower, ""));
        let (res, group) = self.expand_short_name(res, group);
        if let Some(found) = self.resources.iter().find(|r| {
            (group.is_empty() || r.group == group) && (r.plural == res || r.singular == res)
        }) {
            return Ok(vec![found.clone()]);
        }
        // Kind[.version].group, compared without case.
        let by_kind = |kind: &str, version: Option<&str>, group: &str| {
            self.resources.iter().find(|r| {
                r.kind.eq_ignore_ascii_case(kind)
                    && r.group == group
                    && version.is_none_or(|v| r.version == v)
            })
        };
        let found = if lower.matches('.').count() >= 2 {
            let mut it = part.splitn(3, '.');
            let (kind, version, group) = (
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default().to_ascii_lowercase(),
            );
            by_kind(kind, Some(version), &group)
        } else {
            None
        };
        let found = found.or_else(|| {
            let (kind, group) = part.split_once('.').unwrap_or((part, ""));
            by_kind(kind, None, &group.to_ascii_lowercase())
        });
        found
            .map(|f| vec![f.clone()])
            .ok_or_else(|| ResolveError::Unknown(part.to_string()))
    }

    /// client-go's `expandResourceShortcut`: an exact plural or singular name is kept; else the
    /// first short name in discovery order (in the group given, or in a group it begins).
    fn expand_short_name(&self, res: &str, group: &str) -> (String, String) {
        let in_group = |r: &&ApiKind| group.is_empty() || r.group == group;
        if self
            .resources
            .iter()
            .filter(in_group)
            .any(|r| r.plural == res || r.singular == res)
        {
            return (res.to_string(), group.to_string());
        }
        let short = |r: &&ApiKind| r.short_names.iter().any(|s| s == res);
        let found = self.resources.iter().filter(in_group).find(short);
        let found = found.or_else(|| {
            (!group.is_empty())
                .then(|| {
                    self.resources
                        .iter()
                        .filter(|r| r.group.starts_with(group))
                        .find(short)
                })
                .flatten()
        });
        match found {
            Some(r) => (r.plural.clone(), r.group.clone()),
            None => (res.to_string(), group.to_string()),
        }
    }

    /// Each group's resources at the first (preferred) version only.
    fn preferred(&self) -> impl Iterator<Item = &ApiKind> {
        self.resources.iter().enumerate().filter_map(|(i, r)| {
            let earlier = self.resources[..i]
                .iter()
                .any(|e| e.group == r.group && e.plural == r.plural);
            (!earlier).then_some(r)
        })
    }

    /// Each served resource once (at its preferred version), for `ike get` without arguments.
    pub fn kinds(&self) -> Vec<&ApiKind> {
        self.preferred().collect()
    }
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
