//! Names without objects: the API server's `Table` of a list (or of one object), its cells only.
//!
//! `includeObject=None` leaves out every object: only the printer columns travel. Lists are
//! served from the watch cache (`resourceVersion=0`, no limit). A server that cannot make a
//! table answers with a plain list; its items' names are used then.

use serde_json::Value;

use crate::client::table::{self, ACCEPT_TABLE};

/// One row: the object's name and namespace, and its cells by lower-case column name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// The object's name.
    pub name: String,
    /// Its namespace, when the request asked for metadata (`with_metadata`).
    pub namespace: Option<String>,
    /// When it was made (RFC 3339), when the request asked for metadata; else empty.
    pub created: String,
    /// The cells, by lower-case column name, as text.
    pub cells: Vec<(String, String)>,
}

impl Row {
    /// The cell of column `name` (lower-case), empty when there is none.
    pub fn cell(&self, name: &str) -> &str {
        self.cells
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

/// GETs `path` (a list, or one object) as a Table. `with_metadata` asks for each row's
/// metadata too (`includeObject=Metadata`), for the namespace of a cluster-wide list.
pub async fn get(
    client: &kube::Client,
    path: String,
    list: bool,
    with_metadata: bool,
) -> Result<Vec<Row>, kube::Error> {
    let include = if with_metadata { "Metadata" } else { "None" };
    let query = if list {
        format!("?resourceVersion=0&includeObject={include}")
    } else {
        format!("?includeObject={include}")
    };
    let request = http::Request::get(format!("{path}{query}"))
        .header(http::header::ACCEPT, ACCEPT_TABLE)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    let answer: Value = client.request(request).await?;
    Ok(rows(&answer))
}

/// The rows of a Table answer, or of a plain list or object when the server sent one, with
/// their cells by lower-case column name.
pub fn rows(answer: &Value) -> Vec<Row> {
    let page = table::page(answer);
    let columns: Vec<String> = page
        .columns
        .iter()
        .map(|c| c.name.to_ascii_lowercase())
        .collect();
    page.rows
        .into_iter()
        .map(|row| Row {
            name: row.name,
            namespace: (!row.namespace.is_empty()).then_some(row.namespace),
            created: row.created,
            cells: columns.iter().cloned().zip(row.cells).collect(),
        })
        .collect()
}

/// The names in a list cell: the API server renders an array column as JSON (`["a","b"]`);
/// a plain word is one name.
pub fn list_cell(cell: &str) -> Vec<String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Vec::new();
    }
    if let Ok(names) = serde_json::from_str::<Vec<String>>(cell) {
        return names;
    }
    cell.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_gives_names_and_cells_and_a_plain_list_gives_names() {
        let table = serde_json::json!({
            "kind": "Table",
            "columnDefinitions": [{"name": "Name"}, {"name": "Ready"}, {"name": "Namespaces"}],
            "rows": [
                {"cells": ["payments", "True", "[\"payments-prod\",\"payments-dev\"]"]},
                {"cells": ["web", null, null], "object": {"metadata": {"name": "web", "namespace": "shop"}}}
            ]
        });
        let got = rows(&table);
        assert_eq!(got[0].name, "payments");
        assert_eq!(got[0].cell("ready"), "True");
        assert_eq!(
            list_cell(got[0].cell("namespaces")),
            ["payments-prod", "payments-dev"]
        );
        assert_eq!(got[1].namespace.as_deref(), Some("shop"));
        assert!(list_cell(got[1].cell("namespaces")).is_empty());
        let list =
            serde_json::json!({"kind": "TenantList", "items": [{"metadata": {"name": "a"}}]});
        assert_eq!(rows(&list)[0].name, "a");
    }
}
