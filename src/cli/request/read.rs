//! `ike request list` and `ike request show`: requests as reviewers and requesters read them.

use std::fmt::Write as _;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;
use kube::ResourceExt;
use serde::Serialize;

use crate::api::request::{Decision, Phase, ResourceRequest};
use crate::cli::OutputArgs;
use crate::cli::exit::ExitStatus;
use crate::cli::output::{Format, Tabular, namespace_first, print, print_object, write_stdout};
use crate::cli::settings::Settings;
use crate::client::requests::{self, Summary};

/// Arguments of `ike request list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only requests waiting for a decision, in every namespace you may read.
    #[arg(long)]
    pub pending: bool,
    /// Requests of every namespace you may read.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `ike request show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The request: NAME (in -n's namespace) or NAMESPACE/NAME.
    #[arg(add = ArgValueCompleter::new(crate::cli::complete::requests))]
    pub name: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `list`'s result.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RequestList {
    /// The rows.
    pub rows: Vec<Summary>,
    /// Whether rows come from several namespaces (a NAMESPACE column).
    #[serde(skip)]
    pub all_namespaces: bool,
}

impl Tabular for RequestList {
    fn headers(&self) -> Vec<&'static str> {
        let h = vec![
            "name",
            "tenant",
            "action",
            "object",
            "phase",
            "requester",
            "created",
        ];
        namespace_first(self.all_namespaces, "namespace", h)
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let row = vec![
                    r.name.clone(),
                    r.tenant.clone(),
                    r.action.clone(),
                    r.object.clone(),
                    r.phase.clone(),
                    r.requester.clone(),
                    r.created.clone(),
                ];
                namespace_first(self.all_namespaces, r.namespace.clone(), row)
            })
            .collect()
    }
}

/// The phase as people should read it: a decision or withdrawal the controller has not
/// recorded yet shows as what it is.
fn phase(request: &ResourceRequest) -> &'static str {
    let recorded = request.phase();
    if recorded != Phase::Pending {
        return recorded.as_str();
    }
    match (&request.spec.withdrawal, &request.spec.review) {
        (Some(_), _) => Phase::Withdrawn.as_str(),
        (None, Some(r)) if r.decision == Decision::Deny => Phase::Denied.as_str(),
        (None, Some(_)) => Phase::Approved.as_str(),
        (None, None) => Phase::Pending.as_str(),
    }
}

/// Runs `ike request list`.
pub async fn list(args: ListArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let every = args.all_namespaces || args.pending;
    let target = settings.target().await?;
    let namespace = (!every).then(|| target.namespace.clone());
    let found = requests::list(&target, namespace.as_deref()).await?;
    let list = RequestList {
        rows: found
            .into_iter()
            .filter(|r| !args.pending || r.pending())
            .collect(),
        all_namespaces: every,
    };
    if list.rows.is_empty() && args.output.format == Format::Table {
        match (&namespace, args.pending) {
            (_, true) => eprintln!("No request waits for a decision."),
            (Some(ns), false) => eprintln!("No requests in namespace {ns}."),
            (None, false) => eprintln!("No requests you may read."),
        }
        return Ok(ExitStatus::Success);
    }
    print(args.output.format, &list, settings)?;
    Ok(ExitStatus::Success)
}

/// Runs `ike request show`.
pub async fn show(args: ShowArgs, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let target = settings.target().await?;
    let (namespace, name) = super::locate(&args.name, &target)?;
    let request = requests::get(&target.client, &namespace, &name).await?;
    print_request(args.output.format, &request)?;
    Ok(ExitStatus::Success)
}

/// Prints one request: a description for people, the object for programs.
pub fn print_request(format: Format, request: &ResourceRequest) -> anyhow::Result<()> {
    match format {
        Format::Table => write_stdout(describe(request).as_bytes()),
        Format::Json | Format::Yaml => {
            let mut request = request.clone();
            request.metadata.managed_fields = None;
            print_object(format, &request)
        }
    }
}

/// `text` with every control character but the line break shown as `?`: a request is written by
/// tenants, and an escape sequence in its reason must not rewrite a reviewer's terminal.
fn printable(text: String) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

/// The checks, one line each.
pub fn checks_text(request: &ResourceRequest) -> String {
    let mut out = String::new();
    for c in request.status.iter().flat_map(|s| &s.validation) {
        let verdict = if c.passed { "pass" } else { "FAIL" };
        let _ = writeln!(out, "  {verdict}  {:<14}{}", c.name, c.message);
    }
    printable(out)
}

fn indented(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// The description `show` prints.
pub fn describe(request: &ResourceRequest) -> String {
    let mut out = String::new();
    let status = request.status.clone().unwrap_or_default();
    let field = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "{:<12}{value}", format!("{name}:"));
    };
    field(&mut out, "Name", &request.name_any());
    field(
        &mut out,
        "Namespace",
        &request.namespace().unwrap_or_default(),
    );
    field(
        &mut out,
        "Tenant",
        if status.tenant.is_empty() {
            "-"
        } else {
            &status.tenant
        },
    );
    let object = request
        .object()
        .map(|t| t.to_string())
        .unwrap_or_else(|e| e);
    field(
        &mut out,
        "Asks",
        &format!("{:?} {object}", request.spec.action),
    );
    field(&mut out, "Phase", phase(request));
    field(
        &mut out,
        "Requester",
        request.spec.requester.as_deref().unwrap_or("-"),
    );
    field(&mut out, "Reason", &request.spec.reason);
    field(&mut out, "Digest", &request.spec_digest());
    let decision = match (&request.spec.review, &request.spec.withdrawal) {
        (Some(r), _) => format!(
            "{:?} by {} at {}{}",
            r.decision,
            r.reviewer.as_deref().unwrap_or("?"),
            r.decided_at.as_deref().unwrap_or("?"),
            if r.comment.is_empty() {
                String::new()
            } else {
                format!(": {}", r.comment)
            }
        ),
        (None, Some(w)) => format!(
            "withdrawn by {} at {}",
            w.by.as_deref().unwrap_or("?"),
            w.at.as_deref().unwrap_or("?")
        ),
        (None, None) => "none yet".into(),
    };
    field(&mut out, "Decision", &decision);
    let _ = writeln!(out, "Checks:");
    if status.validation.is_empty() {
        let _ = writeln!(out, "  none yet: ike-controller has not checked it");
    }
    out.push_str(&checks_text(request));
    let _ = writeln!(out, "Diff against the cluster:");
    out.push_str(&match status.diff.is_empty() {
        true if status.validation.is_empty() => "  not computed yet\n".to_string(),
        true => "  no change\n".to_string(),
        false => indented(&status.diff),
    });
    let _ = writeln!(out, "History:");
    for h in &status.history {
        let by =
            h.by.as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
        let message = if h.message.is_empty() {
            String::new()
        } else {
            format!(": {}", h.message)
        };
        let _ = writeln!(out, "  {}  {}{by}{message}", h.time, h.event);
    }
    let _ = writeln!(out, "Conditions:");
    for c in &status.conditions {
        let _ = writeln!(
            out,
            "  {:<10}{:<6}{}: {}",
            c.type_, c.status, c.reason, c.message
        );
    }
    let ns = request.namespace().unwrap_or_default();
    let name = request.name_any();
    if request.spec.review.is_none() && request.spec.withdrawal.is_none() {
        if crate::client::requests::checked_and_passing(request) {
            let _ = writeln!(
                out,
                "Approve:    ike request approve {name} -n {ns} --digest {}",
                request.spec_digest()
            );
        } else if status.digest != request.spec_digest() {
            let _ = writeln!(
                out,
                "Approve:    not yet: ike-controller has not checked this version"
            );
        } else {
            let _ = writeln!(out, "Approve:    not possible: it does not pass its checks");
        }
    }
    if let Some(manifest) = &request.spec.manifest {
        let _ = writeln!(out, "Manifest:");
        out.push_str(&indented(
            &serde_saphyr::to_string(manifest).unwrap_or_default(),
        ));
    }
    printable(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_tenants_wrote_cannot_rewrite_a_reviewers_terminal() {
        let mut r = crate::api::fixtures::storage_class_request("alice");
        r.spec.reason = "fine\u{1b}[2K\rApprove: looks good".into();
        let text = describe(&r);
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text}");
        assert!(text.contains("fine?[2K?Approve: looks good"), "{text}");
        assert!(text.lines().count() > 5, "line breaks stay");
    }
}
