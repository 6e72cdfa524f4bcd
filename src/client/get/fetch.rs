//! Lists in many namespaces at once, as the caller (so the audit log names the person), merged
//! into one sorted table; a namespace that fails is reported and the others still count.

use futures::StreamExt as _;
use kube::api::ListParams;
use serde_json::Value;

use super::discovery::ApiKind;
use crate::client::table::{ACCEPT_TABLE, Page, Row, page};

/// How many namespaces are asked at once. The kube client speaks HTTP/1.1: each request in
/// flight holds its own connection, reused from the pool.
pub const CONCURRENCY: usize = 16;

/// Where to list: a namespace and the tenant holding it (`-` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The tenant.
    pub tenant: String,
    /// The namespace; empty for a cluster-wide list.
    pub namespace: String,
}

/// What a list selects.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    /// `-l`.
    pub labels: Option<String>,
    /// `--field-selector`.
    pub fields: Option<String>,
}

/// One Table list of `kind` at `namespace` (`None`: cluster-wide), every page. The first page
/// comes from the watch cache (`resourceVersion=0`, no limit); a server that pages anyway gets
/// asked for the rest with its continue token.
pub async fn list(
    client: &kube::Client,
    kind: &ApiKind,
    namespace: Option<&str>,
    sel: &Selectors,
) -> Result<Page, kube::Error> {
    list_at(client, kind, namespace, sel, Some("0")).await
}

/// Like [`list`], read at `resource_version` (`None`: a consistent read from etcd, what a
/// watch re-lists with after 410 Gone).
pub async fn list_at(
    client: &kube::Client,
    kind: &ApiKind,
    namespace: Option<&str>,
    sel: &Selectors,
    resource_version: Option<&str>,
) -> Result<Page, kube::Error> {
    let path = kind.path(namespace);
    let mut params = ListParams {
        label_selector: sel.labels.clone(),
        field_selector: sel.fields.clone(),
        resource_version: resource_version.map(String::from),
        ..ListParams::default()
    };
    let mut all = Page::default();
    loop {
        let mut request = kube::core::Request::new(&path)
            .list(&params)
            .map_err(kube::Error::BuildRequest)?;
        with_table(&mut request)?;
        let answer: Value = client.request(request).await?;
        let got = page(&answer);
        if all.columns.is_empty() {
            all.columns = got.columns;
        }
        if all.resource_version.is_empty() {
            all.resource_version = got.resource_version;
        }
        all.rows.extend(got.rows);
        if got.continue_token.is_empty() {
            return Ok(all);
        }
        params.resource_version = None;
        params.continue_token = Some(got.continue_token);
    }
}

/// Asks for a Table with each row's metadata, for `request` built by kube.
pub fn with_table(request: &mut http::Request<Vec<u8>>) -> Result<(), kube::Error> {
    let uri = request.uri().to_string();
    let sep = if uri.contains('?') { '&' } else { '?' };
    *request.uri_mut() = format!("{uri}{sep}includeObject=Metadata")
        .parse()
        .map_err(|e: http::uri::InvalidUri| kube::Error::HttpError(e.into()))?;
    request.headers_mut().insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static(ACCEPT_TABLE),
    );
    Ok(())
}

/// The whole objects behind `rows` (for -o json|yaml), in the rows' order: one plain list per
/// namespace (cluster-wide for cluster-scoped kinds), managedFields cleared, apiVersion and
/// kind set as kubectl prints them. An error names the namespace that failed.
pub async fn objects(
    client: &kube::Client,
    kind: &ApiKind,
    rows: &[Row],
) -> Result<Vec<Value>, (String, kube::Error)> {
    use kube::api::{Api, DynamicObject};
    let ar = kind.api_resource();
    let mut by_key = std::collections::HashMap::new();
    let mut namespaces: Vec<&str> = rows.iter().map(|r| r.namespace.as_str()).collect();
    namespaces.dedup();
    for ns in namespaces {
        let api: Api<DynamicObject> = if kind.namespaced {
            Api::namespaced_with(client.clone(), ns, &ar)
        } else {
            Api::all_with(client.clone(), &ar)
        };
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| (ns.to_string(), e))?;
        for mut o in list.items {
            o.metadata.managed_fields = None;
            o.types = Some(kube::core::TypeMeta {
                api_version: kind.api_version(),
                kind: kind.kind.clone(),
            });
            let key = (
                o.metadata.namespace.clone().unwrap_or_default(),
                o.metadata.name.clone().unwrap_or_default(),
            );
            let value = serde_json::to_value(o)
                .map_err(|e| (ns.to_string(), kube::Error::SerdeError(e)))?;
            by_key.insert(key, value);
        }
    }
    Ok(rows
        .iter()
        .filter_map(|r| by_key.remove(&(r.namespace.clone(), r.name.clone())))
        .collect())
}

/// What a fan-out gives: the merged table and the places that failed.
#[derive(Debug, Default)]
pub struct Merged {
    /// The columns of the first answer that had any.
    pub columns: Vec<crate::client::table::Column>,
    /// Every row, sorted as `kubectl get -A` sorts (see [`sort_rows`]).
    pub rows: Vec<Row>,
    /// Each place's list resourceVersion (to watch from).
    pub versions: Vec<(Place, String)>,
    /// The places that failed, and why.
    pub failed: Vec<(Place, kube::Error)>,
}

/// Lists `kind` in every place, at most [`CONCURRENCY`] at once, and merges the answers.
pub async fn fan_out(
    client: &kube::Client,
    kind: &ApiKind,
    places: &[Place],
    sel: &Selectors,
) -> Merged {
    let results: Vec<(Place, Result<Page, kube::Error>)> = futures::stream::iter(places.to_vec())
        .map(|place| async move {
            let ns = (!place.namespace.is_empty()).then_some(place.namespace.as_str());
            let got = list(client, kind, ns, sel).await;
            (place, got)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    merge(results)
}

/// Merges per-place answers: columns from the first that has any, rows tagged with their
/// tenant and sorted, failures kept apart.
pub fn merge(results: Vec<(Place, Result<Page, kube::Error>)>) -> Merged {
    let mut out = Merged::default();
    for (place, got) in results {
        match got {
            Ok(page) => {
                if out.columns.is_empty() {
                    out.columns = page.columns;
                }
                out.rows.extend(page.rows.into_iter().map(|mut r| {
                    if r.tenant.is_empty() {
                        r.tenant = place.tenant.clone();
                    }
                    if r.namespace.is_empty() {
                        r.namespace = place.namespace.clone();
                    }
                    r
                }));
                out.versions.push((place, page.resource_version));
            }
            Err(e) => out.failed.push((place, e)),
        }
    }
    sort_rows(&mut out.rows);
    out.failed.sort_by(|a, b| a.0.namespace.cmp(&b.0.namespace));
    out
}

/// Sorts rows as `kubectl get -A` lists them: etcd's key order, the bytes of
/// `<namespace>/<name>` (`a-b/x` comes before `a/x`, unlike a sort by tuple).
pub fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| key(a).cmp(&key(b)));
}

fn key(r: &Row) -> (String, &str) {
    (format!("{}/{}", r.namespace, r.name), &r.tenant)
}

/// What the outcome of a fan-out means for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every place answered.
    Complete,
    /// Some failed, some answered.
    Partial,
    /// Every place failed.
    Failed,
}

/// The outcome of `answered` successful and `failed` failed places.
pub fn outcome(answered: usize, failed: usize) -> Outcome {
    match (answered, failed) {
        (_, 0) => Outcome::Complete,
        (0, _) => Outcome::Failed,
        _ => Outcome::Partial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ns: &str, name: &str) -> Row {
        Row {
            namespace: ns.into(),
            name: name.into(),
            cells: vec![name.into()],
            ..Row::default()
        }
    }

    fn place(tenant: &str, ns: &str) -> Place {
        Place {
            tenant: tenant.into(),
            namespace: ns.into(),
        }
    }

    #[test]
    fn rows_sort_by_the_bytes_of_namespace_slash_name_as_etcd_keys_do() {
        let mut rows = vec![row("a", "x"), row("a-b", "x"), row("a", "b"), row("b", "a")];
        sort_rows(&mut rows);
        let got: Vec<String> = rows
            .iter()
            .map(|r| format!("{}/{}", r.namespace, r.name))
            .collect();
        assert_eq!(got, ["a-b/x", "a/b", "a/x", "b/a"]);
    }

    #[test]
    fn merged_rows_carry_their_tenant_and_failures_are_kept_apart() {
        let page = |rows: Vec<Row>| Page {
            columns: vec![crate::client::table::Column {
                name: "Name".into(),
                priority: 0,
            }],
            rows,
            resource_version: "9".into(),
            ..Page::default()
        };
        let refused = kube::Error::Api(Box::new(
            kube::core::Status::failure("pods is forbidden", "Forbidden").with_code(403),
        ));
        let merged = merge(vec![
            (place("t2", "z"), Ok(page(vec![row("z", "b")]))),
            (place("t1", "y"), Err(refused)),
            (
                place("t1", "a"),
                Ok(page(vec![row("a", "c"), row("a", "a")])),
            ),
            (place("t1", "empty"), Ok(Page::default())),
        ]);
        let got: Vec<(&str, &str, &str)> = merged
            .rows
            .iter()
            .map(|r| (r.tenant.as_str(), r.namespace.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(got, [("t1", "a", "a"), ("t1", "a", "c"), ("t2", "z", "b")]);
        assert_eq!(merged.columns[0].name, "Name");
        assert_eq!(merged.failed.len(), 1);
        assert_eq!(merged.failed[0].0, place("t1", "y"));
        assert_eq!(merged.versions.len(), 3);
        assert_eq!(outcome(3, 1), Outcome::Partial);
    }

    #[test]
    fn the_outcome_is_partial_only_when_some_failed_and_some_answered() {
        assert_eq!(outcome(5, 0), Outcome::Complete);
        assert_eq!(outcome(0, 0), Outcome::Complete);
        assert_eq!(outcome(4, 1), Outcome::Partial);
        assert_eq!(outcome(0, 3), Outcome::Failed);
    }
}
