//! Where the HTTP client may connect: for URLs a tenant gives, every address DNS answers is
//! checked with the site's rules ([`Destinations::check_address`]) before a connection is
//! made, so a name that resolves to the platform (at once, or only at delivery time: DNS
//! rebinding) reaches nothing. IP-literal hosts are not resolved by hyper's connector, so the
//! client checks them with the URL ([`Destinations::check_url`]); the client never follows a
//! redirect, so no answer can lead elsewhere either.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use tower_service::Service;

use crate::api::{Destinations, Refusal};

/// The site's rules as they are now (read at every use: a changed Site counts at once).
pub type Rules = Arc<dyn Fn() -> Destinations + Send + Sync>;

/// A resolver that drops every address `rules` refuse; `None`: every address (servers the
/// platform admin names: Barry, Alertmanager).
#[derive(Clone)]
pub struct GuardedResolver<R = GaiResolver> {
    inner: R,
    rules: Option<Rules>,
}

impl GuardedResolver {
    /// The system's resolver (getaddrinfo), guarded by `rules`.
    pub fn new(rules: Option<Rules>) -> Self {
        Self {
            inner: GaiResolver::new(),
            rules,
        }
    }
}

impl<R> GuardedResolver<R> {
    /// `inner`, guarded by `rules` (tests give their own resolver).
    pub fn with(inner: R, rules: Option<Rules>) -> Self {
        Self { inner, rules }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<R> Service<Name> for GuardedResolver<R>
where
    R: Service<Name> + Send,
    R::Response: Iterator<Item = SocketAddr>,
    R::Error: Into<BoxError>,
    R::Future: Send + 'static,
{
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let rules = self.rules.as_ref().map(|rules| rules());
        let resolving = self.inner.call(name);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = resolving.await.map_err(Into::into)?.collect();
            let Some(rules) = rules else {
                return Ok(addrs.into_iter());
            };
            let mut refused: Option<Refusal> = None;
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match rules.check_address(a.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refused.get_or_insert(why);
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refused) {
                (true, Some(why)) => Err(Box::new(why) as BoxError),
                _ => Ok(allowed.into_iter()),
            }
        })
    }
}

/// The refusal somewhere in `error`'s chain, if a guard refused the destination.
pub fn refusal(error: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(why) = e.downcast_ref::<Refusal>() {
            return Some(why.clone());
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::api::NotificationPolicy;

    /// A DNS server that answers what the test says: a name that resolved to a public address
    /// when the URL was checked and now answers the metadata service's, or both.
    #[derive(Clone)]
    struct Answers(Vec<&'static str>);

    impl Service<Name> for Answers {
        type Response = std::vec::IntoIter<SocketAddr>;
        type Error = std::io::Error;
        type Future = futures::future::Ready<Result<Self::Response, std::io::Error>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: Name) -> Self::Future {
            let addrs: Vec<SocketAddr> = self
                .0
                .iter()
                .map(|ip| SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 443))
                .collect();
            futures::future::ready(Ok(addrs.into_iter()))
        }
    }

    fn tenant_rules() -> Option<Rules> {
        Some(Arc::new(|| {
            Destinations::new(&NotificationPolicy::default(), false)
        }))
    }

    async fn resolve(
        answers: &[&'static str],
        rules: Option<Rules>,
    ) -> Result<Vec<IpAddr>, String> {
        let mut resolver = GuardedResolver::with(Answers(answers.to_vec()), rules);
        let name: Name = "prod-1.westeurope.logic.azure.com".parse().unwrap();
        resolver
            .call(name)
            .await
            .map(|a| a.map(|a| a.ip()).collect())
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_the_platform_is_refused_before_any_connection() {
        for (answer, kind) in [
            ("169.254.169.254", "link-local"),
            ("10.96.0.1", "private"),
            ("127.0.0.1", "loopback"),
            ("::ffff:192.168.1.1", "private"),
        ] {
            let err = resolve(&[answer], tenant_rules()).await.unwrap_err();
            assert!(
                err.contains(&format!("a {kind} address")),
                "{answer}: {err}"
            );
        }
    }

    #[tokio::test]
    async fn only_the_allowed_addresses_of_a_mixed_answer_are_connected_to() {
        let got = resolve(
            &["10.0.0.1", "20.50.1.1", "169.254.169.254"],
            tenant_rules(),
        )
        .await
        .unwrap();
        assert_eq!(got, ["20.50.1.1".parse::<IpAddr>().unwrap()]);
        // The legitimate neighbour: a public answer passes whole.
        assert_eq!(
            resolve(&["20.50.1.1"], tenant_rules()).await.unwrap().len(),
            1
        );
    }

    #[tokio::test]
    async fn the_platforms_own_servers_resolve_unguarded() {
        let got = resolve(&["10.0.0.1"], None).await.unwrap();
        assert_eq!(got, ["10.0.0.1".parse::<IpAddr>().unwrap()]);
    }
}
