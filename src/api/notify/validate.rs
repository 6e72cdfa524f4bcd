//! What a notification spec must be before it becomes a receiver: checked by the CLI before it
//! sends, by the API server (the CRD schema's patterns), and by the controller, which leaves a
//! config that fails out with the message in its status, and whose renderer checks once more.
//! Each message names the bad value and says what a good one looks like.
//!
//! # Values are data, not templates
//!
//! Alertmanager executes Go templates (`{{ ... }}`) in most fields of its configuration, an
//! e-mail's `to` among them: a tenant's address `{{ .CommonLabels }}@x` would be run. No value a
//! tenant gives that reaches the configuration may contain `{` or `}` ([`check_literal`]): not
//! only `{{`, so that the rule is one the API server's schema states exactly
//! ([`NO_TEMPLATE_PATTERN`]), and no value half-opens a template next to another. No real
//! address or subject needs a brace.

use hyper::Uri;

use super::{BarryConfigSpec, EmailConfigSpec, TeamsConfigSpec};
use crate::api::names::{MAX_SUBDOMAIN, is_dns_subdomain};

/// The CRD schema's pattern for every tenant value that reaches Alertmanager's configuration:
/// what [`check_literal`] checks, in the API server's terms.
pub const NO_TEMPLATE_PATTERN: &str = r"^[^{}]*$";

/// Checks that `value` (the tenant's `field`) holds no `{` or `}`, so that Alertmanager can
/// never read it as a template.
pub fn check_literal(field: &str, value: &str) -> Result<(), String> {
    if !value.contains(['{', '}']) {
        return Ok(());
    }
    let shown: String = value.chars().take(64).collect();
    Err(format!(
        "{field} '{}' contains '{{' or '}}': values are taken as data, never as Alertmanager templates, so braces are not allowed",
        shown.escape_debug()
    ))
}

/// The most channels one BarryConfig may name.
pub const MAX_CHANNELS: usize = 20;
/// The longest Barry channel name, in characters.
pub const MAX_CHANNEL_NAME: usize = 100;

fn check_secret_name(field: &str, name: &str) -> Result<(), String> {
    if is_dns_subdomain(name, MAX_SUBDOMAIN) {
        return Ok(());
    }
    let shown: String = name.chars().take(64).collect();
    Err(format!(
        "{field} '{}' is not a Secret name: use lower-case letters, digits, '-' and '.'",
        shown.escape_debug()
    ))
}

impl BarryConfigSpec {
    /// At least one channel, each a short one-line name given once, and a valid Secret name.
    pub fn validate(&self) -> Result<(), String> {
        if self.channels.is_empty() {
            return Err("spec.channels names no channel".into());
        }
        if self.channels.len() > MAX_CHANNELS {
            return Err(format!(
                "spec.channels names {} channels, at most {MAX_CHANNELS} are allowed",
                self.channels.len()
            ));
        }
        for (i, channel) in self.channels.iter().enumerate() {
            let name = &channel.name;
            if name.trim().is_empty()
                || name.chars().count() > MAX_CHANNEL_NAME
                || name.chars().any(char::is_control)
            {
                return Err(format!(
                    "channel '{}' is not a channel name: use 1 to {MAX_CHANNEL_NAME} characters on one line",
                    name.escape_debug()
                ));
            }
            if self.channels[..i].iter().any(|c| c.name == *name) {
                return Err(format!("channel '{name}' is listed twice"));
            }
        }
        check_secret_name("spec.tokenSecretName", &self.token_secret_name)
    }
}

impl TeamsConfigSpec {
    /// A valid Secret name.
    pub fn validate(&self) -> Result<(), String> {
        check_secret_name("spec.webhookUrlSecretName", &self.webhook_url_secret_name)
    }
}

/// The most recipients one EmailConfig may name.
pub const MAX_RECIPIENTS: usize = 50;
/// The longest subject prefix, in characters.
pub const MAX_SUBJECT_PREFIX: usize = 100;

impl EmailConfigSpec {
    /// Checks what Alertmanager cannot be trusted to reject on its own: every recipient is one
    /// plain `local@domain` address (no display name, no list, no header injection) and the
    /// subject prefix is one short line. The message names the bad value for the status.
    pub fn validate(&self) -> Result<(), String> {
        if self.to.is_empty() {
            return Err("spec.to names no recipient".into());
        }
        if self.to.len() > MAX_RECIPIENTS {
            return Err(format!(
                "spec.to names {} recipients, at most {MAX_RECIPIENTS} are allowed",
                self.to.len()
            ));
        }
        for address in &self.to {
            check_literal("spec.to", address)?;
            if !is_plain_address(address) {
                return Err(format!(
                    "'{}' is not a plain e-mail address such as oncall@example.com",
                    address.escape_debug()
                ));
            }
        }
        if let Some(prefix) = &self.subject_prefix {
            check_literal("spec.subjectPrefix", prefix)?;
            if prefix.chars().count() > MAX_SUBJECT_PREFIX {
                return Err(format!(
                    "spec.subjectPrefix is longer than {MAX_SUBJECT_PREFIX} characters"
                ));
            }
            if prefix.chars().any(char::is_control) {
                return Err("spec.subjectPrefix contains a line break or control character".into());
            }
        }
        Ok(())
    }
}

/// An RFC 5321 `dot-atom@domain` address: what `to:` needs, and nothing that Alertmanager's
/// address-list parser would read as a second recipient, a display name or a header.
fn is_plain_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let dot_atom = |s: &str, ok: &dyn Fn(char) -> bool| {
        !s.is_empty()
            && s.split('.')
                .all(|part| !part.is_empty() && part.chars().all(ok))
    };
    let label = |l: &str| {
        l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    local.len() <= 64
        && domain.len() <= 253
        && dot_atom(local, &atom_char)
        && dot_atom(domain, &|c| c.is_ascii_alphanumeric() || c == '-')
        && domain.split('.').all(label)
}

/// Whether `url` is an Office 365 connector webhook (`*.webhook.office.com/webhookb2/...`,
/// `outlook.office.com/webhook/...`), which Microsoft retired in favour of Workflows.
pub fn is_legacy_connector_url(url: &str) -> bool {
    let Ok(uri) = url.trim().parse::<Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
    let path = uri.path().to_ascii_lowercase();
    (host.ends_with(".webhook.office.com") && path.starts_with("/webhookb2/"))
        || (["outlook.office.com", "outlook.office365.com"].contains(&host.as_str())
            && path.starts_with("/webhook/"))
}

/// Checks what a Teams webhook URL is regardless of the site (the CLI before it writes the
/// Secret, the controller before it uses it): not a retired connector, no braces. Where it may
/// lead is [`super::Destinations::check_url`]'s. The message (for the InvalidWebhookUrl
/// condition) never repeats the URL.
pub fn check_webhook_url(url: &str) -> Result<(), String> {
    if is_legacy_connector_url(url) {
        return Err(
            "the URL in the Secret is an Office 365 connector webhook, which Microsoft \
                    retired: in Teams, create a Workflows webhook ('Post to a channel when a \
                    webhook request is received') and put its URL under the key 'url'"
                .into(),
        );
    }
    // Native delivery copies the URL into Alertmanager's configuration.
    if url.contains(['{', '}']) {
        return Err(
            "the URL in the Secret contains '{' or '}', which a Workflows webhook URL never does"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::BarryChannel;

    fn email(to: &[&str], prefix: Option<&str>) -> EmailConfigSpec {
        EmailConfigSpec {
            to: to.iter().map(|s| s.to_string()).collect(),
            send_resolved: None,
            subject_prefix: prefix.map(String::from),
        }
    }

    #[test]
    fn plain_addresses_and_a_one_line_prefix_are_valid() {
        let spec = email(
            &[
                "oncall@example.com",
                "a.b+alerts@mail.example.co.jp",
                "root@localhost",
            ],
            Some("[shop] (prod) <alerts> #1"),
        );
        assert_eq!(spec.validate(), Ok(()));
    }

    #[test]
    fn template_syntax_is_refused_in_every_value_that_reaches_the_configuration() {
        for bad in [
            "{{ .CommonLabels }}@example.com",
            "{{template \"x\"}}@example.com",
            "a}}@example.com",
            "a{@example.com",
        ] {
            let err = email(&[bad], None).validate().unwrap_err();
            assert!(err.contains("braces are not allowed"), "{bad:?}: {err}");
        }
        for bad in ["{{ .Status }}", "[shop] }}", "{"] {
            let err = email(&["ops@example.com"], Some(bad))
                .validate()
                .unwrap_err();
            assert!(err.contains("spec.subjectPrefix"), "{bad:?}: {err}");
        }
        assert!(check_webhook_url("https://prod-1.x.logic.azure.com/a?sig={{x}}").is_err());
        // The plain neighbours pass.
        assert_eq!(
            email(&["a+b@example.com"], Some("[shop]")).validate(),
            Ok(())
        );
        assert_eq!(check_literal("x", "plain text"), Ok(()));
    }

    #[test]
    fn lists_display_names_and_header_injection_are_invalid_addresses() {
        for bad in [
            "",
            "oncall",
            "a@b.com, c@d.com",
            "Ops <ops@example.com>",
            "ops@example.com\r\nBcc: x@evil.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example..com",
            "\"quoted\"@example.com",
            "a b@example.com",
        ] {
            let err = email(&[bad], None).validate().unwrap_err();
            assert!(err.contains("not a plain e-mail address"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn no_recipient_too_many_or_a_multi_line_prefix_are_invalid() {
        assert!(email(&[], None).validate().is_err());
        let many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("u{i}@x.org"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(email(&many, None).validate().is_err());
        let err = email(&["a@x.org"], Some("[a]\nBcc: b@y.org"))
            .validate()
            .unwrap_err();
        assert!(err.contains("line break"), "{err}");
    }

    fn barry(channels: &[&str], secret: &str) -> BarryConfigSpec {
        BarryConfigSpec {
            channels: channels
                .iter()
                .map(|n| BarryChannel {
                    name: n.to_string(),
                    mute: false,
                })
                .collect(),
            token_secret_name: secret.into(),
        }
    }

    #[test]
    fn a_barry_spec_needs_distinct_one_line_channels_and_a_secret_name() {
        assert_eq!(
            barry(&["障害 / shop #1", "b"], "barrytoken").validate(),
            Ok(())
        );
        for (spec, wanted) in [
            (barry(&[], "t"), "names no channel"),
            (barry(&["a", "a"], "t"), "listed twice"),
            (barry(&[" "], "t"), "not a channel name"),
            (barry(&["a\nb"], "t"), "not a channel name"),
            (barry(&["a"], "Bad_Name"), "not a Secret name"),
            (barry(&["a"], ""), "not a Secret name"),
        ] {
            let err = spec.validate().unwrap_err();
            assert!(err.contains(wanted), "{spec:?}: {err}");
        }
        let many: Vec<String> = (0..=MAX_CHANNELS).map(|i| format!("c{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(barry(&many, "t").validate().is_err());
    }

    #[test]
    fn a_teams_spec_needs_a_secret_name() {
        let spec = |name: &str| TeamsConfigSpec {
            webhook_url_secret_name: name.into(),
        };
        assert_eq!(spec("teams-url").validate(), Ok(()));
        assert!(spec("../x").validate().is_err());
    }
}
