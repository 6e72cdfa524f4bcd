//! The API server's Table format (`meta.k8s.io/v1`), read once for every command that asks for
//! one (`ike get`, completion's names, `ike tenant list`, `ike request list`): the server's own
//! columns, and each row's cells with the object's namespace, name, uid and resourceVersion.
//!
//! k8s-openapi has no Table type. Cells are kept as JSON and printed as kubectl's `printTable`
//! prints them: a string as it is, `null` as nothing, anything else as JSON. AGE and other date
//! columns arrive already rendered ("5m").

use serde_json::Value;

/// The Accept header of a Table request, with a plain list as the fallback.
pub const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// One column the server defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name as the server writes it (`Name`, `Ready`).
    pub name: String,
    /// 0 for the default view, 1 and up for `-o wide` only.
    pub priority: i64,
}

/// One row of one object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// The tenant whose namespace it is in (`-` for shared or none).
    pub tenant: String,
    /// Its namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its uid (from the row's metadata; empty without it).
    pub uid: String,
    /// Its resourceVersion (empty without metadata).
    pub resource_version: String,
    /// Its labels (from the row's metadata).
    pub labels: std::collections::BTreeMap<String, String>,
    /// When it was made (RFC 3339, from the row's metadata; empty without it).
    pub created: String,
    /// The cells, one per column, as text.
    pub cells: Vec<String>,
}

/// One Table answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// The columns (empty in a watch event after the first).
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
    /// The list's resourceVersion.
    pub resource_version: String,
    /// The continue token of a paged list; empty on the last page.
    pub continue_token: String,
}

/// A Table (or, from a server that cannot make one, a plain list or object) as a [`Page`].
pub fn page(answer: &Value) -> Page {
    let resource_version = text(&answer["metadata"]["resourceVersion"]);
    let continue_token = text(&answer["metadata"]["continue"]);
    if answer["kind"] != "Table" {
        let items: Vec<&Value> = match answer["items"].as_array() {
            Some(items) => items.iter().collect(),
            None => vec![answer],
        };
        let rows = items
            .into_iter()
            .filter_map(|item| {
                let mut row = meta_row(&item["metadata"])?;
                row.cells = vec![row.name.clone()];
                Some(row)
            })
            .collect();
        return Page {
            columns: vec![Column {
                name: "Name".into(),
                priority: 0,
            }],
            rows,
            resource_version,
            continue_token,
        };
    }
    let columns: Vec<Column> = answer["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| Column {
            name: text(&c["name"]),
            priority: c["priority"].as_i64().unwrap_or_default(),
        })
        .collect();
    let rows = answer["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let cells: Vec<String> = r["cells"].as_array()?.iter().map(text).collect();
            let mut row = meta_row(&r["object"]["metadata"]).unwrap_or_default();
            if row.name.is_empty() {
                // Without metadata the first cell is the name (every printer's first column).
                row.name = cells.first()?.clone();
            }
            row.cells = cells;
            Some(row)
        })
        .collect();
    Page {
        columns,
        rows,
        resource_version,
        continue_token,
    }
}

fn meta_row(meta: &Value) -> Option<Row> {
    Some(Row {
        name: meta["name"].as_str()?.to_string(),
        namespace: text(&meta["namespace"]),
        uid: text(&meta["uid"]),
        resource_version: text(&meta["resourceVersion"]),
        created: text(&meta["creationTimestamp"]),
        labels: meta["labels"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect(),
        ..Row::default()
    })
}

/// A cell as kubectl prints it.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_gives_columns_cells_and_metadata_and_a_plain_list_gives_names() {
        let t = serde_json::json!({
            "kind": "Table",
            "metadata": {"resourceVersion": "42"},
            "columnDefinitions": [{"name": "Name", "priority": 0}, {"name": "IP", "priority": 1}],
            "rows": [{"cells": ["web", null],
                      "object": {"metadata": {"name": "web", "namespace": "a", "uid": "u1",
                                              "resourceVersion": "7", "labels": {"app": "w"}}}},
                     {"cells": ["db", 3]}]
        });
        let p = page(&t);
        assert_eq!(p.resource_version, "42");
        assert_eq!(p.columns[1].priority, 1);
        assert_eq!(p.rows[0].namespace, "a");
        assert_eq!(p.rows[0].cells, ["web", ""]);
        assert_eq!(p.rows[0].labels["app"], "w");
        assert_eq!(
            (p.rows[1].name.as_str(), p.rows[1].cells[1].as_str()),
            ("db", "3")
        );
        let list = serde_json::json!({"kind": "PodList", "metadata": {"resourceVersion": "5"},
            "items": [{"metadata": {"name": "p", "namespace": "n"}}]});
        let p = page(&list);
        assert_eq!(
            (p.rows[0].name.as_str(), p.rows[0].namespace.as_str()),
            ("p", "n")
        );
        assert_eq!(p.rows[0].cells, ["p"]);
    }
}
