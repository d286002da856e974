//! Clients that hold connections without using them: slow request heads, half-sent bodies,
//! idle keep-alive connections, and more connections than the server takes. Each is closed or
//! answered within its timeout, and health checks and signed-in callers stay served.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use smartcustoms_http::server::ConnectionLimits;
use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{spawn_app_with, sqlite_db, TestApp};

fn limits() -> ConnectionLimits {
    ConnectionLimits {
        max_connections: 40,
        shed_share: 0.75,
        header_read_timeout: Duration::from_millis(800),
        body_read_timeout: Duration::from_millis(800),
        idle_timeout: Duration::from_millis(800),
    }
}

async fn app() -> (TestApp, smartcustoms_testkit::TestDb) {
    app_with(limits()).await
}

async fn app_with(connections: ConnectionLimits) -> (TestApp, smartcustoms_testkit::TestDb) {
    let db = sqlite_db();
    let app = spawn_app_with(&db.url, HttpConfig { connections, ..HttpConfig::default() }).await;
    (app, db)
}

fn address(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (or `limit` passes); returns what was read
/// and whether it was closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match tokio::time::timeout(deadline - Instant::now(), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), false)
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_cut() {
    let (app, _db) = app().await;
    let mut s = TcpStream::connect(address(&app)).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(closed, "the slow head was held for {:?}", started.elapsed());
    // A connection that sends nothing at all is cut the same way.
    let mut s = TcpStream::connect(address(&app)).await.unwrap();
    assert!(read_until_closed(&mut s, Duration::from_secs(5)).await.1);
}

#[tokio::test]
async fn a_half_sent_body_gets_a_timeout_error_and_nothing_is_recorded() {
    let (app, _db) = app().await;
    let mut s = TcpStream::connect(address(&app)).await.unwrap();
    let head = format!(
        "POST /api/v1/declarations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{\"declarant\":",
        app.traders[0].token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQ_008"), "{answer}");
    let (_, list) = app.get("/api/v1/declarations", Some(&app.officer_token)).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (app, _db) = app().await;
    let mut s = TcpStream::connect(address(&app)).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(closed, "an idle connection was held for {:?}", started.elapsed());
}

#[tokio::test]
async fn more_connections_than_the_limit_leave_health_and_signed_in_callers_served() {
    // Idle connections are not timed out during this test: only the limit acts.
    let long = Duration::from_secs(60);
    let (app, _db) = app_with(ConnectionLimits { idle_timeout: long, header_read_timeout: long, ..limits() }).await;
    // Three times the limit, opened and left idle.
    let mut idle = Vec::new();
    for _ in 0..120 {
        if let Ok(s) = TcpStream::connect(address(&app)).await {
            idle.push(s);
        }
    }
    // Past the grace a new connection gets before it may be closed to make room.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let health = client.get(format!("{}/health", app.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let signed_in =
        client.get(format!("{}/api/v1/declarations", app.base)).bearer_auth(&app.officer_token).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    // Anonymous requests are shed while the server is full of connections.
    let anonymous = client.get(format!("{}/knowledge", app.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), 503);
    assert!(anonymous.headers().get("retry-after").is_some());
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "SYS_002");
    drop(idle);
    // Once the idle ones are gone, everyone is served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = client.get(format!("{}/knowledge", app.base)).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still shedding after the idle connections closed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
