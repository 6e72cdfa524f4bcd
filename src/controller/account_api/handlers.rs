//! The HTTP side of the account API: routes, request checks, and one-line JSON errors.
//!
//! A client certificate speaks for the account its CN names only while it is bound to the live
//! Account ([`crate::pki::check_binding`]): its UID, issued no earlier than the Account's
//! `certificatesValidAfter`. Renewal, whoami and token creation check that first.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use axum_server::tls::TlsInfo;
use futures::FutureExt as _;
use kube::api::PostParams;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::{Api, ResourceExt as _};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::recorder::Recorder;
use super::tokens::{self, new_enrollment, store_enrollment};
use super::{AccountApiMetrics, BODY_LIMIT};
use crate::api::consts::CONTROLLER_MANAGER;
use crate::api::names;
use crate::api::wire::{
    AccountLookup, EnrollRequest, ErrorResponse, IssueResponse, RenewRequest, TokenRequest,
    TokenResponse, WhoamiResponse, token_ttl,
};
use crate::api::{Account, IssuedCertificate};
use crate::controller::listener::rate;
use crate::pki::{self, AccountCa, CsrError};
use crate::util::time::{parse_rfc3339, rfc3339};

/// Everything the handlers share.
pub(super) struct Shared {
    pub(super) store: Store<Account>,
    pub(super) accounts: Api<Account>,
    pub(super) ca: Arc<AccountCa>,
    /// `caCertificate` of issue answers.
    pub(super) ca_bundle: String,
    pub(super) default_ttl: Duration,
    pub(super) max_ttl: Duration,
    pub(super) api_server_url: String,
    pub(super) site: String,
    pub(super) recorder: Recorder,
    pub(super) metrics: AccountApiMetrics,
    /// Enrollment attempts per source address.
    pub(super) enroll_limiter: Arc<rate::PerSource>,
    /// How long an enrollment waits for its token to reach the store ([`STORE_CATCH_UP`]).
    pub(super) store_catch_up: Duration,
}

/// A token made a moment ago may not have reached this replica's watch yet: an enrollment gives
/// the store this long to catch up before calling the token unknown. (Waiting, not listing from
/// the API server, so that guessing tokens cannot make the apiserver work.) 1 s was too short on
/// a loaded 2-core machine: a bootstrap admin's first login found no token (two CI runs).
pub(super) const STORE_CATCH_UP: Duration = Duration::from_secs(3);
/// How often the store is looked at meanwhile.
const STORE_POLL: Duration = Duration::from_millis(50);

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/ca", get(ca))
        .route(
            "/v1/enroll",
            post(enroll).route_layer(middleware::from_fn_with_state(
                shared.enroll_limiter.clone(),
                rate::limit,
            )),
        )
        .route("/v1/renew", post(renew))
        .route("/v1/accounts/{name}", get(lookup))
        .route("/v1/accounts/{name}/token", post(create_token))
        .route("/v1/whoami", get(whoami))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no such endpoint: the account API serves /v1/enroll, /v1/renew, /v1/whoami, /v1/accounts/{name}, /v1/accounts/{name}/token and /v1/ca",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// Turns a panicking handler into a 500 (the server keeps serving either way) and counts
/// refusals.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let response = match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("an account API handler panicked");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the account API failed on this request: try again, and tell a platform admin if it persists",
            )
            .into_response()
        }
    };
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        shared
            .metrics
            .requests_refused
            .get_or_create(&vec![("status".to_string(), status.as_u16().to_string())])
            .inc();
    }
    response
}

/// An error answer: `{"error": "<one line with a hint>"}`.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn unavailable(error: &kube::Error) -> Self {
        tracing::warn!(%error, "account API: apiserver request failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the account API cannot reach the cluster right now: try again in a minute",
        )
    }

    fn unknown_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "the enrollment token is unknown or was already used: ask a platform admin for a new one",
        )
    }

    fn used_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "the enrollment token was already used: ask a platform admin for a new one",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.message.replace(['\n', '\r'], " ");
        (self.status, Json(ErrorResponse { error: message })).into_response()
    }
}

impl From<CsrError> for ApiError {
    fn from(e: CsrError) -> Self {
        let status = match e {
            CsrError::Sign => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, e.to_string())
    }
}

/// A JSON body whose rejections are one-line JSON errors: 415 without
/// `Content-Type: application/json`, 413 above [`BODY_LIMIT`], 400 when it does not parse.
struct JsonBody<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request body as JSON with the header 'Content-Type: application/json'",
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the request body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the request body lacks a field this endpoint needs or has one of the wrong type: {}",
                e.body_text()
            ),
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is larger than 64 KiB: send only the fields of this endpoint",
        ),
        other => ApiError::new(
            other.status(),
            format!("cannot read the request body: {}", other.body_text()),
        ),
    }
}

/// The caller, from the client certificate verified during the TLS handshake. Whether the
/// certificate still speaks for the account it names is checked against the live Account
/// ([`Shared::bound_account`]).
struct Caller {
    account: String,
    certificate: pki::CertInfo,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let no_certificate = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this needs your current client certificate: run 'ike login' again (with a new enrollment token if yours expired)",
            )
        };
        let tls = parts
            .extensions
            .get::<Arc<TlsInfo>>()
            .ok_or_else(no_certificate)?;
        let leaf = tls.peer_certificates.first().ok_or_else(no_certificate)?;
        let info = pki::cert_info_der(leaf).map_err(|_| no_certificate())?;
        // The handshake checked validity, but a kept-alive connection can outlive the certificate.
        let now = SystemTime::now();
        if now >= info.not_after || now < info.not_before {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "your client certificate has expired: run 'ike login' again (with a new enrollment token if needed)",
            ));
        }
        let account = info.common_name.clone().ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "your client certificate names no account: use the certificate 'ike login' saved",
            )
        })?;
        Ok(Self {
            account,
            certificate: info,
        })
    }
}

impl Shared {
    /// The certificate lifetime for a request: the default, or less if asked; more than the
    /// maximum is cut to the maximum.
    fn certificate_ttl(&self, requested: Option<u64>) -> Result<Duration, ApiError> {
        match requested {
            None => Ok(self.default_ttl.min(self.max_ttl)),
            Some(seconds) if seconds < pki::MIN_TTL.as_secs() => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("ttlSeconds {seconds} is too short: ask for at least 60"),
            )),
            Some(seconds) => Ok(Duration::from_secs(seconds).min(self.max_ttl)),
        }
    }

    /// The live Account the caller's certificate speaks for: it exists, and the certificate
    /// carries its UID and was issued no earlier than its `certificatesValidAfter`. A certificate
    /// ike did not issue (no binding), or one of an earlier account of the same name, speaks
    /// for nobody, whatever its CN.
    fn bound_account(&self, caller: &Caller) -> Result<Arc<Account>, ApiError> {
        let name = &caller.account;
        let account = self.store.get(&ObjectRef::new(name)).ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                format!("account {name} does not exist: ask a platform admin"),
            )
        })?;
        pki::check_binding(&caller.certificate, &account_binding(&account)?)
            .map_err(|e| ApiError::new(StatusCode::FORBIDDEN, e.to_string()))?;
        Ok(account)
    }

    /// The caller's Account if it may get certificates: bound, and not disabled.
    fn active_account(&self, caller: &Caller) -> Result<Arc<Account>, ApiError> {
        let account = self.bound_account(caller)?;
        if account.spec.disabled {
            return Err(disabled(&caller.account));
        }
        Ok(account)
    }

    /// Validates the CSR and signs for `account`; nothing is recorded yet.
    fn sign(&self, csr: &str, account: &Account, ttl: Duration) -> Result<pki::Issued, ApiError> {
        let binding = account_binding(account)?;
        let started = Instant::now();
        let issued = self.ca.issue(csr, &binding, ttl, SystemTime::now());
        self.metrics
            .issue_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(issued?)
    }

    /// Records the certificate (in the background) and builds the answer.
    fn deliver(&self, account: &str, issued: pki::Issued, via: &str) -> IssueResponse {
        let not_after = rfc3339(issued.not_after);
        self.recorder.record(
            account,
            IssuedCertificate {
                serial: issued.serial.clone(),
                not_after: not_after.clone(),
            },
        );
        self.metrics
            .certificates_issued
            .get_or_create(&vec![("via".to_string(), via.to_string())])
            .inc();
        tracing::debug!(account, serial = %issued.serial, via, "certificate issued");
        IssueResponse {
            account: account.to_string(),
            certificate: issued.cert_pem,
            ca_certificate: self.ca_bundle.clone(),
            api_server: self.api_server_url.clone(),
            site: self.site.clone(),
            serial: issued.serial,
            not_after,
        }
    }

    /// Removes the enrollment whose token hashes to `token_hash` from the Account's status,
    /// conditioned on the resourceVersion read, so that of two concurrent redeems exactly one
    /// succeeds. The store may lag the apiserver: on conflict the Account is read again and, if
    /// the token is still pending, the removal is retried.
    async fn redeem(&self, account: &Account, token_hash: &str) -> Result<(), ApiError> {
        let name = account.name_any();
        let mut current = account.clone();
        for _ in 0..3 {
            check_redeemable(&current, token_hash, SystemTime::now())?;
            let mut redeemed = current.clone();
            if let Some(status) = redeemed.status.as_mut() {
                status.enrollment = None;
            }
            let params = PostParams {
                field_manager: Some(CONTROLLER_MANAGER.to_string()),
                ..PostParams::default()
            };
            match self
                .accounts
                .replace_status(&name, &params, &redeemed)
                .await
            {
                Ok(_) => return Ok(()),
                Err(kube::Error::Api(s)) if s.is_not_found() => {
                    return Err(ApiError::unknown_token());
                }
                Err(kube::Error::Api(s)) if s.is_conflict() => {
                    current = match self.accounts.get_opt(&name).await {
                        Ok(Some(fresh)) => fresh,
                        Ok(None) => return Err(ApiError::unknown_token()),
                        Err(e) => return Err(ApiError::unavailable(&e)),
                    };
                }
                Err(e) => return Err(ApiError::unavailable(&e)),
            }
        }
        Err(ApiError::used_token())
    }
}

fn disabled(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        format!("account {name} is disabled: ask a platform admin"),
    )
}

/// What certificates of `account` are bound to: its name, UID and `certificatesValidAfter`.
fn account_binding(account: &Account) -> Result<pki::AccountBinding<'_>, ApiError> {
    let name = account.metadata.name.as_deref().unwrap_or_default();
    let uid = account.metadata.uid.as_deref().ok_or_else(|| {
        // Every stored object has a UID; only a hand-fed store could lack one.
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("account {name} has no UID yet: try again in a minute"),
        )
    })?;
    let valid_after = match account.spec.certificates_valid_after.as_deref() {
        None => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "account {name} has certificatesValidAfter '{text}', which is not an RFC 3339 time, so none of its certificates is accepted: ask a platform admin to fix it"
                ),
            )
        })?),
    };
    Ok(pki::AccountBinding {
        account: name,
        uid,
        valid_after,
    })
}

/// Whether `account` still has a pending, unexpired enrollment for `token_hash` and may enroll.
fn check_redeemable(account: &Account, token_hash: &str, now: SystemTime) -> Result<(), ApiError> {
    let enrollment = account
        .status
        .as_ref()
        .and_then(|s| s.enrollment.as_ref())
        .filter(|e| tokens::hash_matches(token_hash, &e.token_hash))
        .ok_or_else(ApiError::used_token)?;
    if parse_rfc3339(&enrollment.expires_at).is_none_or(|t| t <= now) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "the enrollment token expired at {}: ask a platform admin for a new one",
                enrollment.expires_at
            ),
        ));
    }
    if account.spec.disabled {
        return Err(disabled(&account.name_any()));
    }
    Ok(())
}

async fn ca(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        shared.ca.cert_pem().to_string(),
    )
        .into_response()
}

async fn enroll(
    State(shared): State<Arc<Shared>>,
    over_limit: Option<Extension<rate::OverLimit>>,
    JsonBody(request): JsonBody<EnrollRequest>,
) -> Result<Json<IssueResponse>, ApiError> {
    let ttl = shared.certificate_ttl(request.ttl_seconds)?;
    let token = request.token.trim();
    if !tokens::is_well_formed(token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "that is not an ike enrollment token: paste the whole token (it starts with 'ike1_') a platform admin gave you",
        ));
    }
    let token_hash = tokens::hash(token);
    let find = || {
        shared.store.find(|a| {
            a.status
                .as_ref()
                .and_then(|s| s.enrollment.as_ref())
                .is_some_and(|e| tokens::hash_matches(&token_hash, &e.token_hash))
        })
    };
    // A token made a moment ago may not have reached this replica's watch yet: give the store
    // time to catch up before calling the token unknown. (Waiting, not listing from the API
    // server, so that guessing tokens cannot make the apiserver work; a source that has used up
    // its failures does not get the wait.)
    let mut account = find();
    let catch_up = match over_limit {
        Some(_) => Duration::ZERO,
        None => shared.store_catch_up,
    };
    let deadline = tokio::time::Instant::now() + catch_up;
    while account.is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(STORE_POLL).await;
        account = find();
    }
    let account = account.ok_or_else(ApiError::unknown_token)?;
    let name = account.name_any();
    check_redeemable(&account, &token_hash, SystemTime::now())?;
    // Sign before redeeming: a bad CSR must not use up the token.
    let issued = shared.sign(&request.csr, &account, ttl)?;
    shared.redeem(&account, &token_hash).await?;
    tracing::info!(account = %name, "enrollment token redeemed");
    Ok(Json(shared.deliver(&name, issued, "enroll")))
}

async fn renew(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    JsonBody(request): JsonBody<RenewRequest>,
) -> Result<Json<IssueResponse>, ApiError> {
    let ttl = shared.certificate_ttl(request.ttl_seconds)?;
    let account = shared.active_account(&caller)?;
    let issued = shared.sign(&request.csr, &account, ttl)?;
    Ok(Json(shared.deliver(&caller.account, issued, "renew")))
}

async fn create_token(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    caller: Caller,
    JsonBody(request): JsonBody<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let admin = shared.active_account(&caller)?;
    if !admin.spec.admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "only platform admins can make enrollment tokens, and account {} is not one",
                caller.account
            ),
        ));
    }
    names::check_account(&name).map_err(CsrError::from)?;
    let ttl = match request.ttl_seconds {
        None => tokens::DEFAULT_LIFETIME,
        Some(s) => token_ttl(s).map_err(|problem| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("ttlSeconds {s} is out of range: {problem}"),
            )
        })?,
    };
    let no_account = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("there is no account {name}: create the Account first"),
        )
    };
    // No store check here: an account created a moment ago may not have reached the watch yet;
    // the status patch below answers NotFound for one that truly does not exist.
    let (token, enrollment) = new_enrollment(ttl, SystemTime::now()).map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the account API cannot make a random token: tell a platform admin",
        )
    })?;
    match store_enrollment(&shared.accounts, &name, &enrollment).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.is_not_found() => return Err(no_account()),
        Err(e) => return Err(ApiError::unavailable(&e)),
    }
    tracing::info!(account = %name, by = %caller.account, expires_at = %enrollment.expires_at, "enrollment token created");
    Ok(Json(TokenResponse {
        token,
        expires_at: enrollment.expires_at,
    }))
}

/// `GET /v1/whoami`: the shared wire type plus the certificate the caller presented.
#[derive(Serialize)]
struct WhoamiBody {
    #[serde(flatten)]
    whoami: WhoamiResponse,
    certificate: IssuedCertificate,
}

/// Whether account `name` exists and may be given roles, for tenant owners, who may not read
/// Accounts: asked by `ike tenant add-member` and `ike tenant create` before they write. An
/// account created a moment ago may not have reached the store yet: it gets the enrollment's
/// catch-up time.
async fn lookup(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    caller: Caller,
) -> Result<Json<AccountLookup>, ApiError> {
    shared.active_account(&caller)?;
    names::check_account(&name).map_err(CsrError::from)?;
    let find = || shared.store.get(&ObjectRef::new(&name));
    let mut account = find();
    let deadline = tokio::time::Instant::now() + shared.store_catch_up;
    while account.is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(STORE_POLL).await;
        account = find();
    }
    Ok(Json(AccountLookup {
        exists: account.is_some(),
        disabled: account
            .is_some_and(|a| a.spec.disabled || a.metadata.deletion_timestamp.is_some()),
        account: name,
    }))
}

async fn whoami(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Json<WhoamiBody>, ApiError> {
    // Disabled accounts may still ask who they are: the answer says they are disabled.
    let account = shared.bound_account(&caller)?;
    let status = account.status.clone().unwrap_or_default();
    Ok(Json(WhoamiBody {
        whoami: WhoamiResponse {
            account: caller.account.clone(),
            display_name: account.spec.display_name.clone().unwrap_or_default(),
            email: account.spec.email.clone().unwrap_or_default(),
            admin: account.spec.admin,
            disabled: account.spec.disabled,
            tenants: status.tenants,
        },
        certificate: IssuedCertificate {
            serial: caller.certificate.serial,
            not_after: rfc3339(caller.certificate.not_after),
        },
    }))
}
