//! The connection loop: accepts TCP connections and serves each with hyper (HTTP/1.1), with
//! the limits that keep one process serving when clients hold connections without using
//! them.
//!
//! - A request head must arrive within `header_read_timeout` (slow-header attacks), and a
//!   body within `body_read_timeout` (`408 REQ_008`, half-sent bodies).
//! - A keep-alive connection with no request in flight and no traffic for `idle_timeout` is
//!   closed.
//! - At most `max_connections` are open. At the limit a new connection makes room by closing
//!   the connection idle the longest; when none is idle, the new one is closed at once. From
//!   `shed_share` of the limit on, requests that carry no credentials get `503 SYS_002`,
//!   except `/health`, so callers that are signed in (a session cookie or an API token) and
//!   health checks are still served while anonymous load is shed.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower::ServiceExt as _;
use tower_http::timeout::TimeoutBody;

use crate::error::ApiError;

/// Limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// From this share of `max_connections` on, anonymous requests are refused.
    pub shed_share: f64,
    /// Time allowed to send a request head.
    pub header_read_timeout: Duration,
    /// Time allowed to send a request body.
    pub body_read_timeout: Duration,
    /// A connection without traffic or request for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            // Below the common soft limit of 1,024 open files, leaving room for the database,
            // the log and attachments.
            max_connections: 768,
            shed_share: 0.8,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// One open connection, as the registry sees it.
struct Tracked {
    opened: Instant,
    /// Microseconds after `opened` of the last byte read or written.
    last_io_us: AtomicU64,
    /// Requests being answered.
    in_flight: AtomicUsize,
    /// Notified to close the connection.
    close: Notify,
}

impl Tracked {
    fn touch(&self) {
        self.last_io_us.store(self.opened.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let last = Duration::from_micros(self.last_io_us.load(Ordering::Relaxed));
        Some(self.opened.elapsed().saturating_sub(last))
    }
}

/// The open connections of the process.
#[derive(Default)]
pub struct Registry {
    connections: Mutex<HashMap<u64, Arc<Tracked>>>,
    next: AtomicU64,
    open: AtomicUsize,
    limit: AtomicUsize,
    shed_from: AtomicUsize,
}

/// A connection younger than this is never closed to make room: it has not had the time to
/// send its request.
const GRACE: Duration = Duration::from_millis(200);

impl Registry {
    fn new(limits: &ConnectionLimits) -> Self {
        let registry = Registry::default();
        registry.limit.store(limits.max_connections.max(1), Ordering::Relaxed);
        let shed = (limits.max_connections as f64 * limits.shed_share.clamp(0.0, 1.0)).ceil() as usize;
        registry.shed_from.store(shed.max(1), Ordering::Relaxed);
        registry
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// True when anonymous requests are being shed.
    pub fn under_pressure(&self) -> bool {
        self.open() >= self.shed_from.load(Ordering::Relaxed)
    }

    /// Registers a new connection, closing the longest-idle one when at the limit; `None` when
    /// the limit is reached and no connection can make room.
    fn admit(&self) -> Option<(u64, Arc<Tracked>)> {
        let mut connections = self.connections.lock().ok()?;
        if connections.len() >= self.limit.load(Ordering::Relaxed) {
            let victim = connections
                .iter()
                .filter(|(_, c)| c.opened.elapsed() >= GRACE)
                .filter_map(|(id, c)| c.idle_for().map(|idle| (*id, idle)))
                .max_by_key(|(_, idle)| *idle)
                .map(|(id, _)| id)?;
            if let Some(c) = connections.remove(&victim) {
                c.close.notify_one();
                self.open.fetch_sub(1, Ordering::Relaxed);
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let tracked = Arc::new(Tracked {
            opened: Instant::now(),
            last_io_us: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            close: Notify::new(),
        });
        connections.insert(id, tracked.clone());
        self.open.fetch_add(1, Ordering::Relaxed);
        Some((id, tracked))
    }

    fn leave(&self, id: u64) {
        if let Ok(mut connections) = self.connections.lock() {
            if connections.remove(&id).is_some() {
                self.open.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

/// The stream of a connection, noting each read and write.
struct Watched {
    stream: TcpStream,
    tracked: Arc<Tracked>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.tracked.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.tracked.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Counts a request in flight on its connection for as long as it lives.
struct InFlight(Arc<Tracked>);

impl InFlight {
    fn start(tracked: &Arc<Tracked>) -> Self {
        tracked.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(tracked.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then lets requests in flight finish
/// (at most 30 s).
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::new(&limits));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let app = app.layer(axum::Extension(registry.clone()));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some((id, tracked)) = registry.admit() else {
            tracing::debug!(%peer, "connection limit reached and no idle connection to close; refused");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Watched { stream, tracked: tracked.clone() });
        let app = app.clone();
        let in_request = tracked.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let guard = InFlight::start(&in_request);
            let app = app.clone();
            async move {
                let req = req.map(|b| axum::body::Body::new(TimeoutBody::new(limits.body_read_timeout, b)));
                let response = app.oneshot(req).await;
                drop(guard);
                response
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
        let connection = graceful.watch(builder.serve_connection(io, service));
        let registry = registry.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let mut tick = tokio::time::interval(Duration::from_millis(250).min(limits.idle_timeout));
            loop {
                tokio::select! {
                    _ = &mut connection => break,
                    () = tracked.close.notified() => break,
                    _ = tick.tick() => {
                        if tracked.idle_for().is_some_and(|idle| idle >= limits.idle_timeout) {
                            break;
                        }
                    }
                }
            }
            registry.leave(id);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after 30 s were cut at shutdown");
    }
    Ok(())
}

/// Refuses requests without credentials while the process is near its connection limit;
/// `/health` and callers with a session cookie or an API token pass.
pub async fn shed_load(req: Request, next: Next) -> Response {
    let pressed = req.extensions().get::<Arc<Registry>>().is_some_and(|r| r.under_pressure());
    if pressed && req.uri().path() != "/health" && !carries_credentials(req.headers()) {
        let mut response = ApiError::Overloaded.into_response();
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        return response;
    }
    next.run(req).await
}

fn carries_credentials(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key(axum::http::header::AUTHORIZATION)
        || headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(crate::identity::SESSION_COOKIE))
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
