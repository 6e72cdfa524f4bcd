//! `ike get -w`: the table first, then one line per change in any namespace, each flushed at
//! once (a pipe reads it within the second).

use std::sync::Arc;

use tokio::sync::mpsc;

use super::print::{self, Grid, Layout};
use super::{GetArgs, GetFormat, ok_pipe};
use crate::cli::exit::ExitStatus;
use crate::client::get::discovery::ApiKind;
use crate::client::get::fetch::{Merged, Selectors};
use crate::client::get::watch::{Message, watch};
use crate::client::renewing::Renewing;

/// Prints `merged` and then every change, until stdout closes or the process is stopped. The
/// status is that of the first list (4 when some namespaces failed: those are not watched).
pub async fn run(
    clients: Arc<Renewing>,
    kind: ApiKind,
    merged: Merged,
    layout: Layout,
    sel: &Selectors,
    args: &GetArgs,
    status: ExitStatus,
) -> anyhow::Result<ExitStatus> {
    let names = args.output == GetFormat::Name;
    let grid = Grid::new(&kind, &merged.columns, &merged.rows, layout);
    let first: Vec<String> = if names {
        merged
            .rows
            .iter()
            .map(|r| print::name_line(&kind, r))
            .collect()
    } else if merged.rows.is_empty() {
        Vec::new()
    } else {
        grid.lines(&merged.columns, &merged.rows)
    };
    if broken(print::out(&first))? {
        return Ok(status);
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for (place, rv) in merged.versions {
        let initial = merged
            .rows
            .iter()
            .filter(|r| r.namespace == place.namespace)
            .cloned()
            .collect();
        tasks.push(tokio::spawn(watch(
            clients.clone(),
            kind.clone(),
            place,
            sel.clone(),
            initial,
            rv,
            tx.clone(),
        )));
    }
    drop(tx);
    // kubectl prints the header with the first row when the first list had none.
    let mut header =
        (merged.rows.is_empty() && !names).then(|| grid.line(&grid.header(&merged.columns)));
    while let Some(message) = rx.recv().await {
        let line = match message {
            Message::Warning(w) => {
                eprintln!("warning: {w}");
                continue;
            }
            Message::Event(_, row) if !args.names.is_empty() && !args.names.contains(&row.name) => {
                continue;
            }
            Message::Event(_, row) if names => print::name_line(&kind, &row),
            Message::Event(change, row) => grid.line(&grid.cells(Some(change), &row)),
        };
        let lines: Vec<String> = header.take().into_iter().chain([line]).collect();
        if broken(print::out(&lines))? {
            break;
        }
    }
    for t in tasks {
        t.abort();
    }
    Ok(status)
}

/// Whether stdout is gone (a closed pipe ends the watch, as it ends kubectl's).
fn broken(r: std::io::Result<()>) -> anyhow::Result<bool> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        other => ok_pipe(other).map(|()| false),
    }
}
