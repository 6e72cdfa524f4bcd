//! Names without objects: the API server's `Table` of a list (or of one object), its cells only.
//!
//! `includeObject=None` leaves out every object: only the printer columns travel. Lists are
//! served from the watch cache (`resourceVersion=0`, no limit). A server that cannot make a
//! table answers with a plain list; its items' names are used then.

use serde_json::Value;

/// The Accept header of a Table request, with a plain list as the fallback.
const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// One row: the object's name and namespace, and its cells by lower-case column name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// The object's name.
    pub name: String,
    /// Its namespace, when the request asked for metadata (`with_metadata`).
    pub namespace: Option<String>,
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

/// The rows of a Table answer, or of a plain list or object when the server sent one.
pub fn rows(answer: &Value) -> Vec<Row> {
    if answer["kind"] != "Table" {
        let items: Vec<&Value> = match answer["items"].as_array() {
            Some(items) => items.iter().collect(),
            None => vec![answer],
        };
        return items
            .into_iter()
            .filter_map(|item| {
                let meta = &item["metadata"];
                Some(Row {
                    name: meta["name"].as_str()?.to_string(),
                    namespace: meta["namespace"].as_str().map(String::from),
                    cells: Vec::new(),
                })
            })
            .collect();
    }
    let columns: Vec<String> = answer["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["name"].as_str().unwrap_or_default().to_ascii_lowercase())
        .collect();
    answer["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let cells: Vec<(String, String)> = columns
                .iter()
                .zip(row["cells"].as_array().into_iter().flatten())
                .map(|(c, v)| (c.clone(), text(v)))
                .collect();
            let meta = &row["object"]["metadata"];
            let name = meta["name"].as_str().map(String::from).or_else(|| {
                cells
                    .iter()
                    .find(|(c, _)| c == "name")
                    .map(|(_, v)| v.clone())
            })?;
            Some(Row {
                name,
                namespace: meta["namespace"].as_str().map(String::from),
                cells,
            })
        })
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
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
