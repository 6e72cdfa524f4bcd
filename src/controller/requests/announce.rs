//! New requests announced to the platform admins (through [`Announcer`]: notifications, when
//! on), so that someone reviews them; the announcement ends when the request is decided or
//! withdrawn.

use std::time::{Duration, SystemTime};

use kube::ResourceExt;

use super::Context;
use crate::api::request::ResourceRequest;
use crate::controller::announce::{Announcement, Announcer};

/// The announcement of `request` of `tenant` to the platform admins, holding until `ends`.
pub fn announcement(request: &ResourceRequest, tenant: &str, ends: SystemTime) -> Announcement {
    let name = request.name_any();
    let ns = request.namespace().unwrap_or_default();
    let object = request.object().map(|t| t.to_string()).unwrap_or_default();
    Announcement {
        kind: ANNOUNCEMENT,
        about: [
            ("tenant", tenant.to_string()),
            ("request", format!("{ns}/{name}")),
        ]
        .into(),
        summary: format!(
            "Tenant {tenant} asks for {:?} {object}",
            request.spec.action
        ),
        description: format!(
            "{} asks: {}. Review it with 'ike request show {name} -n {ns}', then 'ike request approve {name} -n {ns}' or 'ike request deny {name} -n {ns} --comment ...'.",
            request.spec.requester.as_deref().unwrap_or("someone"),
            request.spec.reason
        ),
        ends,
    }
}

/// The announcement's kind (the alert name, where notifications deliver it).
pub const ANNOUNCEMENT: &str = "IkeResourceRequest";
/// How long an announcement holds while the request waits (it is sent again when decided).
const ANNOUNCED_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Announces (or ends, `open` false) the announcement; returns who heard it, if anyone did.
pub(super) async fn announce(
    ctx: &Context,
    request: &ResourceRequest,
    tenant: &str,
    open: bool,
) -> Option<String> {
    let announcer: &dyn Announcer = ctx.announcer.as_deref()?;
    let ends = if open {
        SystemTime::now() + ANNOUNCED_FOR
    } else {
        SystemTime::now()
    };
    match announcer
        .announce(&announcement(request, tenant, ends))
        .await
    {
        Ok(()) => Some(announcer.audience()),
        Err(e) => {
            tracing::warn!(request = %request.reference(), error = %crate::controller::runtime::chain(&e), "cannot announce the request");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::request;
    use super::*;

    #[test]
    fn the_announcement_names_the_request_and_says_how_to_decide() {
        let r = request();
        let a = announcement(&r, "a", SystemTime::now());
        assert_eq!(a.kind, "IkeResourceRequest");
        assert_eq!(a.about["tenant"], "a");
        assert_eq!(a.about["request"], "a-prod/sc-fast");
        assert!(
            a.description
                .contains("ike request approve sc-fast -n a-prod"),
            "{}",
            a.description
        );
    }
}
