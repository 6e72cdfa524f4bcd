//! New requests announced to the platform admins: an alert posted to Alertmanager for the
//! controller's namespace, so the notification configs there (the admins' Barry channel, e-mail,
//! Teams) hear of it; resolved when the request is decided or withdrawn.

use std::time::{Duration, SystemTime};

use kube::ResourceExt;
use serde_json::json;

use super::{Context, validate};
use crate::api::request::ResourceRequest;
use crate::util::time::rfc3339;

/// The alert announcing `request` to the platform admins (resolved once it is decided).
pub fn announcement(
    request: &ResourceRequest,
    tenant: &str,
    namespace: &str,
    ends: SystemTime,
) -> serde_json::Value {
    let name = request.name_any();
    let ns = request.namespace().unwrap_or_default();
    let object = request.object().map(|t| t.to_string()).unwrap_or_default();
    json!([{
        "labels": {
            "alertname": ANNOUNCEMENT,
            "namespace": namespace,
            "severity": "info",
            "tenant": tenant,
            "request": format!("{ns}/{name}"),
        },
        "annotations": {
            "summary": format!("Tenant {tenant} asks for {:?} {object}", request.spec.action),
            "description": format!(
                "{} asks: {}. Review it with 'ike request show {name} -n {ns}', then 'ike request approve {name} -n {ns}' or 'ike request deny {name} -n {ns} --comment ...'.",
                request.spec.requester.as_deref().unwrap_or("someone"),
                request.spec.reason
            ),
        },
        "startsAt": rfc3339(SystemTime::now()),
        "endsAt": rfc3339(ends),
    }])
}

/// The announcement's alert name.
pub const ANNOUNCEMENT: &str = "IkeResourceRequest";
/// How long an announcement fires while the request waits (it is posted again when decided).
const ANNOUNCED_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Posts (or resolves, `open` false) the announcement; returns whether Alertmanager took it.
pub(super) async fn announce(
    ctx: &Context,
    request: &ResourceRequest,
    tenant: &str,
    open: bool,
) -> bool {
    let Some(alertmanager) = &ctx.alertmanager else {
        return false;
    };
    let ends = if open {
        SystemTime::now() + ANNOUNCED_FOR
    } else {
        SystemTime::now()
    };
    match alertmanager
        .post_alerts(&announcement(request, tenant, &ctx.admin_namespace, ends))
        .await
    {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(request = %validate::reference(request), error = %crate::controller::chain(&e), "cannot announce the request");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::request;
    use super::*;

    #[test]
    fn the_announcement_goes_to_the_admins_namespace_and_says_how_to_decide() {
        let r = request();
        let a = announcement(&r, "a", "ike-system", SystemTime::now());
        assert_eq!(a[0]["labels"]["namespace"], "ike-system");
        assert_eq!(a[0]["labels"]["request"], "a-prod/sc-fast");
        let d = a[0]["annotations"]["description"].as_str().unwrap();
        assert!(d.contains("ike request approve sc-fast -n a-prod"), "{d}");
    }
}
