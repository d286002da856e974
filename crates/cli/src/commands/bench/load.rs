//! The clients of the filing benchmarks. They run on the machine the server runs on, so every
//! cycle they spend is taken from the server they measure: each client keeps one HTTP/1.1
//! connection to each server and writes requests whose headers were made before the clock
//! started, with no pool, redirect policy or URL parsing per request.

use std::net::SocketAddr;

use anyhow::Context as _;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A server the clients file to: where to connect and what the `Host` header says.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    address: SocketAddr,
    host: HeaderValue,
}

impl Server {
    /// The server at `base` (`http://host:port`, as the benchmarks' servers are given).
    pub(crate) async fn at(base: &str) -> anyhow::Result<Self> {
        let authority = base.strip_prefix("http://").unwrap_or(base).trim_end_matches('/');
        let address = tokio::net::lookup_host(authority)
            .await
            .with_context(|| format!("resolving {authority}"))?
            .next()
            .with_context(|| format!("{authority} has no address"))?;
        Ok(Server { address, host: HeaderValue::from_str(authority)? })
    }
}

/// One client's keep-alive connection to one server, opened again after the server closed it.
pub(crate) struct Connection {
    server: Server,
    sender: Option<SendRequest<Full<Bytes>>>,
}

/// A filing as the clients send it.
pub(crate) struct Filing<'a> {
    /// `Bearer <token>` of the declarant.
    pub(crate) authorization: &'a HeaderValue,
    /// The detached JWS over the body.
    pub(crate) signature: &'a str,
    /// The idempotency key.
    pub(crate) key: &'a str,
    /// The declaration.
    pub(crate) body: &'a [u8],
}

impl Connection {
    /// A connection to `server`, opened when the first request is sent.
    pub(crate) fn to(server: Server) -> Self {
        Connection { server, sender: None }
    }

    async fn open(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.server.address).await?;
            stream.set_nodelay(true)?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
            // The connection's task ends when the sender is dropped or the server closes it.
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        self.sender.as_mut().context("no connection")
    }

    /// Posts a declaration to `path`; the status and body of the answer. A request that fails
    /// is not sent again (the next one opens a new connection).
    pub(crate) async fn file(&mut self, path: &str, filing: Filing<'_>) -> anyhow::Result<(StatusCode, Bytes)> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(HOST, self.server.host.clone())
            .header(AUTHORIZATION, filing.authorization.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("x-jws-signature", filing.signature)
            .header("idempotency-key", filing.key)
            .body(Full::new(Bytes::copy_from_slice(filing.body)))?;
        let sent = async {
            let sender = self.open().await?;
            sender.ready().await?;
            let response = sender.send_request(request).await?;
            let status = response.status();
            Ok::<_, anyhow::Error>((status, response.into_body().collect().await?.to_bytes()))
        }
        .await;
        if sent.is_err() {
            self.sender = None;
        }
        sent
    }
}
