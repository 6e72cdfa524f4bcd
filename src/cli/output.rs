//! Rendering results on stdout as a table (for people) or JSON/YAML (for programs).
//!
//! Results go to stdout only; logs, progress and prompts go to stderr.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use super::settings::Settings;

/// How a reading command prints its result (`-o`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    #[default]
    Table,
    /// JSON, one document.
    Json,
    /// YAML, one document.
    Yaml,
}

/// A result that can be shown as a table.
pub trait Tabular {
    /// The column headers.
    fn headers(&self) -> Vec<&'static str>;
    /// The rows, one cell per header.
    fn rows(&self) -> Vec<Vec<String>>;
}

/// `cells` with `namespace` first when `shown` (rows from several namespaces, as `kubectl -A`
/// shows them): for headers and rows alike.
pub fn namespace_first<T>(shown: bool, namespace: T, mut cells: Vec<T>) -> Vec<T> {
    if shown {
        cells.insert(0, namespace);
    }
    cells
}

/// Builds a table in kubectl's plain style: upper-case headers, no borders, columns separated
/// by three spaces. `color` makes headers bold on a terminal.
pub fn table(headers: Vec<&'static str>, rows: Vec<Vec<String>>, color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_style(comfy_table::presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    let header = headers.iter().map(|h| {
        let cell = comfy_table::Cell::new(h.to_uppercase());
        if color {
            cell.add_attribute(comfy_table::Attribute::Bold)
        } else {
            cell
        }
    });
    table.set_header(header);
    table.add_rows(rows);
    for column in table.column_iter_mut() {
        column.set_padding((0, 3));
    }
    if !color {
        table.force_no_tty();
    }
    table
}

/// Writes `value` to `out` in `format`.
pub fn write<T: Serialize + Tabular>(
    out: &mut dyn Write,
    format: Format,
    value: &T,
    color: bool,
) -> std::io::Result<()> {
    match format {
        Format::Table => {
            let table = table(value.headers(), value.rows(), color);
            // comfy-table pads the last column; kubectl does not.
            for line in table.lines() {
                writeln!(out, "{}", line.trim_end())?;
            }
            Ok(())
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, value)?;
            writeln!(out)
        }
        Format::Yaml => {
            let text = serde_saphyr::to_string(value).map_err(std::io::Error::other)?;
            out.write_all(text.as_bytes())
        }
    }
}

/// Writes a result to stdout, treating a closed pipe (`ike ... | head`) as success.
pub fn print<T: Serialize + Tabular>(
    format: Format,
    value: &T,
    settings: &Settings,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match write(&mut out, format, value, settings.color) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes one API object to stdout as YAML (table format) or JSON/YAML.
pub fn print_object<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(value)? + "\n",
        Format::Table | Format::Yaml => serde_saphyr::to_string(value)?,
    };
    write_stdout(text.as_bytes())
}

/// Writes raw bytes to stdout, treating a closed pipe as success.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
