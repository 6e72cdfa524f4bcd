//! How `ike get` prints: kubectl's plain table (upper-case headers, columns three spaces
//! apart, the last one unpadded) with TENANT and NAMESPACE in front, `-o name`, and the rows a
//! watch adds, padded to the first table's widths.

use std::io::Write;

use crate::client::get::discovery::ApiKind;
use crate::client::get::watch::Change;
use crate::client::table::{Column, Row};

/// What a table shows besides the server's columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// A TENANT column first.
    pub tenant: bool,
    /// A NAMESPACE column (namespaced kinds).
    pub namespace: bool,
    /// Priority > 0 columns too (`-o wide`).
    pub wide: bool,
    /// Names as `kind.group/name` (several kinds in one command).
    pub with_kind: bool,
    /// An EVENT column first (`--output-watch-events`).
    pub events: bool,
}

/// A table ready to print: its header and rows as cells, and the widths of its columns.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Column widths.
    pub widths: Vec<usize>,
    layout: Layout,
    shown: Vec<usize>,
    kind: String,
}

impl Grid {
    /// The grid of `columns` for `rows`, widths taken from the header and every row.
    pub fn new(kind: &ApiKind, columns: &[Column], rows: &[Row], layout: Layout) -> Grid {
        let shown: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| layout.wide || c.priority == 0)
            .map(|(i, _)| i)
            .collect();
        let mut grid = Grid {
            widths: Vec::new(),
            layout,
            shown,
            kind: kind.kind_group(),
        };
        let header = grid.header(columns);
        grid.widths = header.iter().map(|h| h.chars().count()).collect();
        if layout.events {
            // Room for the longest event word (MODIFIED), which a later row may bring.
            grid.widths[0] = grid.widths[0].max(Change::Modified.as_str().len());
        }
        for row in rows {
            grid.widen(&grid.cells(None, row));
        }
        grid
    }

    fn widen(&mut self, cells: &[String]) {
        for (w, c) in self.widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }

    /// The header cells.
    pub fn header(&self, columns: &[Column]) -> Vec<String> {
        let mut out = Vec::new();
        if self.layout.events {
            out.push("EVENT".to_string());
        }
        if self.layout.tenant {
            out.push("TENANT".to_string());
        }
        if self.layout.namespace {
            out.push("NAMESPACE".to_string());
        }
        out.extend(self.shown.iter().map(|&i| {
            columns
                .get(i)
                .map(|c| c.name.to_uppercase())
                .unwrap_or_default()
        }));
        out
    }

    /// A row's cells, with its event when the layout has that column.
    pub fn cells(&self, event: Option<Change>, row: &Row) -> Vec<String> {
        let mut out = Vec::new();
        if self.layout.events {
            out.push(event.map(Change::as_str).unwrap_or("ADDED").to_string());
        }
        if self.layout.tenant {
            out.push(row.tenant.clone());
        }
        if self.layout.namespace {
            out.push(row.namespace.clone());
        }
        for (n, &i) in self.shown.iter().enumerate() {
            let cell = row.cells.get(i).cloned().unwrap_or_default();
            if n == 0 && self.layout.with_kind {
                out.push(format!("{}/{cell}", self.kind));
            } else {
                out.push(cell);
            }
        }
        out
    }

    /// One line of `cells` padded to the widths (the last cell unpadded, as kubectl prints).
    pub fn line(&self, cells: &[String]) -> String {
        let mut line = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if i < last {
                let width = self.widths.get(i).copied().unwrap_or_default();
                let pad = width.saturating_sub(cell.chars().count()) + 3;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        line.trim_end().to_string()
    }

    /// The whole table: header, then rows.
    pub fn lines(&self, columns: &[Column], rows: &[Row]) -> Vec<String> {
        let mut out = vec![self.line(&self.header(columns))];
        out.extend(rows.iter().map(|r| self.line(&self.cells(None, r))));
        out
    }
}

/// `-o name`: `pod/web`, `deployment.apps/web`, as kubectl writes them.
pub fn name_line(kind: &ApiKind, row: &Row) -> String {
    format!("{}/{}", kind.kind_group(), row.name)
}

/// Writes `lines` to stdout; a closed pipe is not an error.
pub fn out(lines: &[String]) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for l in lines {
        writeln!(w, "{l}")?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> ApiKind {
        ApiKind {
            group: String::new(),
            version: "v1".into(),
            plural: "pods".into(),
            singular: "pod".into(),
            kind: "Pod".into(),
            short_names: vec!["po".into()],
            categories: Vec::new(),
            namespaced: true,
            verbs: Vec::new(),
        }
    }

    fn row(tenant: &str, ns: &str, name: &str, ip: &str) -> Row {
        Row {
            tenant: tenant.into(),
            namespace: ns.into(),
            name: name.into(),
            cells: vec![name.into(), "Running".into(), ip.into()],
            ..Row::default()
        }
    }

    fn columns() -> Vec<Column> {
        vec![
            Column {
                name: "Name".into(),
                priority: 0,
            },
            Column {
                name: "Status".into(),
                priority: 0,
            },
            Column {
                name: "IP".into(),
                priority: 1,
            },
        ]
    }

    #[test]
    fn a_table_is_kubectls_with_tenant_and_namespace_first_and_wide_adds_priority_columns() {
        let rows = [
            row("t1", "a", "web-1", "10.0.0.1"),
            row("t2", "bb", "db", ""),
        ];
        let layout = Layout {
            tenant: true,
            namespace: true,
            ..Layout::default()
        };
        let grid = Grid::new(&pods(), &columns(), &rows, layout);
        assert_eq!(
            grid.lines(&columns(), &rows),
            [
                "TENANT   NAMESPACE   NAME    STATUS",
                "t1       a           web-1   Running",
                "t2       bb          db      Running",
            ]
        );
        let wide = Layout {
            wide: true,
            namespace: true,
            ..Layout::default()
        };
        let grid = Grid::new(&pods(), &columns(), &rows, wide);
        assert_eq!(
            grid.lines(&columns(), &rows),
            [
                "NAMESPACE   NAME    STATUS    IP",
                "a           web-1   Running   10.0.0.1",
                "bb          db      Running",
            ]
        );
        // A watch's row is padded to the first table's widths.
        let events = Layout {
            events: true,
            namespace: true,
            ..Layout::default()
        };
        let grid = Grid::new(&pods(), &columns(), &rows, events);
        let line = grid.line(&grid.cells(Some(Change::Deleted), &row("-", "a", "x", "")));
        assert_eq!(line, "DELETED    a           x       Running");
    }

    #[test]
    fn names_are_kind_dot_group_slash_name_and_several_kinds_prefix_the_name_cell() {
        let r = row("t", "a", "web", "");
        assert_eq!(name_line(&pods(), &r), "pod/web");
        let mut deploy = pods();
        deploy.group = "apps".into();
        deploy.kind = "Deployment".into();
        assert_eq!(name_line(&deploy, &r), "deployment.apps/web");
        let layout = Layout {
            with_kind: true,
            ..Layout::default()
        };
        let grid = Grid::new(&deploy, &columns(), std::slice::from_ref(&r), layout);
        assert_eq!(grid.cells(None, &r)[0], "deployment.apps/web");
    }
}
