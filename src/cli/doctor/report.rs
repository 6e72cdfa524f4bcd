//! The doctor's report: checks that end as pass, warn, fail or skip, each with one line.

use serde::Serialize;

use super::TIMEOUT;
use crate::cli::exit::ExitStatus;
use crate::cli::output::Tabular;

/// The longest server message quoted in a detail.
pub const MAX_MESSAGE: usize = 200;

/// The longest detail.
const MAX_DETAIL: usize = 300;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// As it should be.
    Pass,
    /// Works, but something should be fixed.
    Warn,
    /// Broken, or not as safe as it should be.
    Fail,
    /// Not run: an earlier check failed or there was nothing to check.
    Skip,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }
}

/// One check and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. `pod.host-path`.
    pub check: String,
    /// How it ended.
    pub result: Outcome,
    /// One line: what was found and, unless it passed, what to do.
    pub detail: String,
}

impl Check {
    /// A check; the detail is folded onto one line and shortened.
    pub fn new(check: &str, result: Outcome, detail: impl AsRef<str>) -> Self {
        Self {
            check: check.to_string(),
            result,
            detail: one_line(detail.as_ref(), MAX_DETAIL),
        }
    }
    pub fn pass(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Pass, detail)
    }
    pub fn warn(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Warn, detail)
    }
    pub fn fail(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Fail, detail)
    }
    pub fn skip(check: &str, detail: impl AsRef<str>) -> Self {
        Self::new(check, Outcome::Skip, detail)
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Report(pub Vec<Check>);

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.0.iter().any(|c| c.result == Outcome::Fail)
    }

    /// 0 when nothing failed, 1 otherwise.
    pub fn exit_status(&self) -> ExitStatus {
        if self.failed() {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }
}

impl Tabular for Report {
    fn headers(&self) -> Vec<&'static str> {
        vec!["check", "result", "detail"]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .iter()
            .map(|c| {
                vec![
                    c.check.clone(),
                    c.result.as_str().to_string(),
                    c.detail.clone(),
                ]
            })
            .collect()
    }
}

/// Folds `text` onto one line (every run of whitespace becomes one space) and cuts it to `max`
/// characters, ending with `…` when cut.
pub fn one_line(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let mut cut: String = folded.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Splits an API server refusal by an admission webhook into (webhook, its message).
pub fn webhook_refusal(message: &str) -> Option<(&str, &str)> {
    let rest = message
        .split_once("admission webhook \"")
        .map(|(_, rest)| rest)?;
    let (webhook, rest) = rest.split_once('"')?;
    let (_, said) = rest.split_once("denied the request:")?;
    Some((webhook, said.trim()))
}

/// An error and its sources on one line.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    one_line(&out, MAX_MESSAGE)
}

/// Why a kube client could not be made; for a failed credential plugin, what it said.
pub fn client_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(kube::client::AuthError::AuthExecRun { out, .. }) = e.downcast_ref() {
            let said = String::from_utf8_lossy(&out.stderr);
            let said = said.trim();
            return format!(
                "the credential plugin failed: {}",
                one_line(said.strip_prefix("error: ").unwrap_or(said), MAX_MESSAGE)
            );
        }
        current = e.source();
    }
    error_chain(error)
}

/// How a request the API server was asked to do ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Allowed.
    Allowed,
    /// Refused with an API status.
    Refused {
        /// The HTTP status code.
        code: u16,
        /// The status message.
        message: String,
    },
    /// No answer (transport error or timeout).
    NoAnswer(String),
}

/// Runs `call` with [`TIMEOUT`], turning every failure into an [`Attempt`].
pub async fn timed<T>(call: impl Future<Output = Result<T, kube::Error>>) -> Result<T, Attempt> {
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(kube::Error::Api(status))) => Err(Attempt::Refused {
            code: status.code,
            message: status.message,
        }),
        Ok(Err(e)) => Err(Attempt::NoAnswer(error_chain(&e))),
        Err(_) => Err(Attempt::NoAnswer(format!(
            "no answer within {} s",
            TIMEOUT.as_secs()
        ))),
    }
}

/// An attempt as words.
pub fn attempt_text(attempt: &Attempt) -> String {
    match attempt {
        Attempt::Allowed => "allowed".into(),
        Attempt::Refused { code, message } => {
            format!("HTTP {code}: {}", one_line(message, MAX_MESSAGE))
        }
        Attempt::NoAnswer(e) => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(result: Outcome) -> Check {
        Check::new("x", result, "d")
    }

    #[test]
    fn the_exit_code_is_one_only_when_a_check_failed() {
        let ok = Report(vec![
            row(Outcome::Pass),
            row(Outcome::Warn),
            row(Outcome::Skip),
        ]);
        assert!(!ok.failed());
        assert_eq!(ok.exit_status(), ExitStatus::Success);
        let bad = Report(vec![row(Outcome::Pass), row(Outcome::Fail)]);
        assert!(bad.failed());
        assert_eq!(bad.exit_status(), ExitStatus::Failure);
        assert!(!Report::default().failed());
    }

    #[test]
    fn the_report_is_a_list_of_check_result_detail() {
        let report = Report(vec![Check::pass("clock", "fine"), row(Outcome::Fail)]);
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!([
                {"check": "clock", "result": "pass", "detail": "fine"},
                {"check": "x", "result": "fail", "detail": "d"}
            ])
        );
        assert_eq!(report.headers(), ["check", "result", "detail"]);
        assert_eq!(report.rows()[1], ["x", "fail", "d"]);
    }

    #[test]
    fn messages_are_folded_onto_one_line_and_shortened() {
        assert_eq!(one_line("  a\n b\t\tc \r\n", 80), "a b c");
        assert_eq!(one_line("abcdef", 6), "abcdef");
        assert_eq!(one_line("abcdefg", 6), "abcde…");
        assert_eq!(one_line("ab  cdefg", 4), "ab…");
        // Cut on characters, never inside one.
        assert_eq!(one_line("ééééé", 3), "éé…");
        let detail = Check::fail("x", "line one\nline two").detail;
        assert_eq!(detail, "line one line two");
        assert!(Check::fail("x", "y".repeat(1000)).detail.chars().count() <= MAX_DETAIL);
    }

    #[test]
    fn webhook_refusals_are_split_into_webhook_and_message() {
        let message = "admission webhook \"pods.host-isolation.ike.dev\" denied the request: \
                       ike: pods in tenant namespaces cannot reach the host: hostNetwork is not allowed";
        assert_eq!(
            webhook_refusal(message),
            Some((
                "pods.host-isolation.ike.dev",
                "ike: pods in tenant namespaces cannot reach the host: hostNetwork is not allowed"
            ))
        );
        assert_eq!(
            webhook_refusal("pods \"x\" is forbidden: error looking up service account"),
            None
        );
    }
}
