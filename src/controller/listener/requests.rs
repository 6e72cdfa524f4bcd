//! Request limits: a body must arrive whole within its deadline, within the size limit and the
//! listener's budget of buffered bytes, before the request takes one of the handling slots; and
//! a handler must answer within its deadline.
//!
//! The body is read here, before the handler runs, so that a client sending half a body holds
//! its connection (and the bytes it sent) until the body deadline, never a handling slot.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures::StreamExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Limits, Metrics};
use crate::api::wire::ErrorResponse;

struct RequestLimits {
    body_timeout: Duration,
    handler_timeout: Duration,
    max_body: usize,
    budget: Arc<Semaphore>,
    slots: Arc<Semaphore>,
    metrics: Metrics,
}

/// `app` behind the request limits of `limits`.
pub(super) fn limited(app: Router, limits: &Limits, metrics: &Metrics) -> Router {
    let state = Arc::new(RequestLimits {
        body_timeout: limits.body_timeout,
        handler_timeout: limits.handler_timeout,
        max_body: limits.max_body,
        budget: Arc::new(Semaphore::new(limits.body_budget)),
        slots: Arc::new(Semaphore::new(limits.max_requests)),
        metrics: metrics.clone(),
    });
    app.layer(middleware::from_fn_with_state(state, limit))
        // Extractors may take what the listener accepts; a route's own, smaller limit wins.
        .layer(DefaultBodyLimit::max(limits.max_body))
}

/// Why a body was not read whole.
enum BodyError {
    TooLarge,
    Budget,
    Read,
}

async fn limit(State(limits): State<Arc<RequestLimits>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return limits.too_large();
    }
    let body = match tokio::time::timeout(limits.body_timeout, read(body, &limits)).await {
        Ok(Ok(body)) => body,
        Ok(Err(BodyError::TooLarge)) => return limits.too_large(),
        Ok(Err(BodyError::Budget)) => {
            return limits.refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "body_budget",
                "the server is receiving too many requests at once: try again in a few seconds",
            );
        }
        Ok(Err(BodyError::Read)) => {
            return limits.refuse(
                StatusCode::BAD_REQUEST,
                "body_unreadable",
                "the request body could not be read: send it again, whole",
            );
        }
        Err(_) => {
            let message = format!(
                "the request body did not arrive within {} s: send it whole, at once",
                limits.body_timeout.as_secs_f64()
            );
            return limits.refuse(StatusCode::REQUEST_TIMEOUT, "body_timeout", &message);
        }
    };
    let Ok(slot) = limits.slots.clone().try_acquire_owned() else {
        let mut response = limits.refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the server is handling too many requests at once: try again in a few seconds",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        // The body was read whole: the connection stays usable.
        response.headers_mut().remove(header::CONNECTION);
        return response;
    };
    let (bytes, held) = body;
    let request = Request::from_parts(parts, Body::from(bytes));
    let answered = tokio::time::timeout(limits.handler_timeout, next.run(request)).await;
    drop((slot, held));
    answered.unwrap_or_else(|_| {
        limits.refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "handler_timeout",
            "the server took too long to answer: try again, and tell a platform admin if it persists",
        )
    })
}

/// The whole body, and the budget it holds until the request is answered.
async fn read(
    body: Body,
    limits: &RequestLimits,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), BodyError> {
    let mut stream = body.into_data_stream();
    let mut held: Option<OwnedSemaphorePermit> = None;
    let mut whole = BytesMut::new();
    let mut first: Option<Bytes> = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Read)?;
        let size = whole.len() + first.as_ref().map_or(0, Bytes::len) + chunk.len();
        if size > limits.max_body {
            return Err(BodyError::TooLarge);
        }
        let n = u32::try_from(chunk.len()).map_err(|_| BodyError::TooLarge)?;
        let permit = limits
            .budget
            .clone()
            .try_acquire_many_owned(n)
            .map_err(|_| BodyError::Budget)?;
        match &mut held {
            Some(held) => held.merge(permit),
            None => held = Some(permit),
        }
        // Most bodies come in one chunk: keep it without copying.
        match first.take() {
            None if whole.is_empty() => first = Some(chunk),
            None => whole.extend_from_slice(&chunk),
            Some(earlier) => {
                whole.extend_from_slice(&earlier);
                whole.extend_from_slice(&chunk);
            }
        }
    }
    let bytes = first.unwrap_or_else(|| whole.freeze());
    Ok((bytes, held))
}

impl RequestLimits {
    fn too_large(&self) -> Response {
        let message = format!(
            "the request body is larger than {}: send only what this endpoint takes",
            size(self.max_body)
        );
        self.refuse(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", &message)
    }

    /// A one-line JSON error that closes the connection (the rest of the body may be unread).
    fn refuse(&self, status: StatusCode, reason: &str, message: &str) -> Response {
        self.metrics.refused(reason);
        tracing::debug!(reason, "request refused by a listener limit");
        let mut response = (
            status,
            axum::Json(ErrorResponse {
                error: message.to_string(),
            }),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// `65536` → `64 KiB`.
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}
