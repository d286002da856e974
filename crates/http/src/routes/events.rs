//! The stream of declaration events (server-sent events): what brokers' and traders' software
//! and the pages follow to see a lane or a release as it happens.
//!
//! The stream reads the audit log after the last event it sent, once a second while nothing
//! is new, so it carries the events every server process on the database records. Each event
//! has the audit sequence number as its `id`, the action as its `event` and the audit entry
//! (as the caller may see it) as JSON `data`; a client that reconnects sends the last `id` it
//! saw as `Last-Event-ID` and misses nothing. A stream ends after [`STREAM_LIFETIME`] (clients
//! reconnect, as browsers' `EventSource` does by itself), so that no connection is held forever.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::time::Instant;
use utoipa::IntoParams;

use smartcustoms_core::access::Principal;
use smartcustoms_core::audit::AuditEntry;

use crate::app::declarations;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// How long one stream lasts before the server ends it.
pub const STREAM_LIFETIME: Duration = Duration::from_secs(300);
/// How often a stream with nothing new looks again.
const POLL: Duration = Duration::from_secs(1);

/// Where the stream starts.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StreamParams {
    /// Start after this event id; by default after the latest event (only what happens from now
    /// on). A `Last-Event-ID` header, as a reconnecting client sends, takes precedence.
    pub after: Option<i64>,
}

/// Follow the events of declarations as they happen (server-sent events): a trader's own
/// declarations (the lane without the risk assessment that chose it), every declaration for
/// customs staff.
#[utoipa::path(get, path = "/api/v1/events", tag = "declarations", params(StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "The last event id the client saw")),
    responses(
        (status = 200, content_type = "text/event-stream", body = String,
            description = "Events: `id` the audit sequence number, `event` the action, `data` the audit entry as JSON"),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("token" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<StreamParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let header = headers.get("last-event-id").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let after = header.or(p.after.map(|a| a.to_string()));
    let cursor = declarations::events_cursor(&state, after.as_deref()).await?;
    // Asked once before the stream starts, so that a caller who may not follow gets its error.
    let first = declarations::events_after(&state, &caller.0, cursor).await?;
    let follow =
        Follow { state, caller: caller.0, cursor, pending: first.into(), until: Instant::now() + STREAM_LIFETIME };
    Ok(Sse::new(futures_util::stream::unfold(follow, Follow::next)).keep_alive(KeepAlive::default()))
}

/// One stream's position.
struct Follow {
    state: AppState,
    caller: Principal,
    cursor: i64,
    pending: VecDeque<AuditEntry>,
    until: Instant,
}

impl Follow {
    /// The next event, once there is one; `None` ends the stream.
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Follow)> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                self.cursor = entry.seq;
                match Event::default().id(entry.seq.to_string()).event(entry.action.as_str()).json_data(&entry) {
                    Ok(event) => return Some((Ok(event), self)),
                    Err(e) => {
                        tracing::error!(error = %e, seq = entry.seq, "an event cannot be written; skipped");
                        continue;
                    }
                }
            }
            if Instant::now() >= self.until {
                return None;
            }
            match declarations::events_after(&self.state, &self.caller, self.cursor).await {
                Ok(page) if page.is_empty() => {
                    tokio::time::sleep(POLL.min(self.until.saturating_duration_since(Instant::now()))).await
                }
                Ok(page) => self.pending.extend(page),
                Err(e) => {
                    tracing::warn!(error = %e, "reading events failed; the stream ends and the client reconnects");
                    return None;
                }
            }
        }
    }
}
