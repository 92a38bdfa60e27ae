//! A capturing / replaying [`Transport`] for tests (feature `test-util`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::request::Method;
use crate::transport::{Transport, TransportError, WireRequest, WireResponse};

/// A request as the mock saw it (URL redacted; the body as sent — tests assert secrets are absent from it only
/// where they should be).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Captured {
    /// Method.
    pub method: Method,
    /// URL with secret query values `[redacted]`.
    pub url: String,
    /// Plain headers.
    pub headers: Vec<(String, String)>,
    /// Names of credential headers.
    pub secret_header_names: Vec<String>,
    /// Body.
    pub body: String,
}

/// Replays queued responses (or errors) in order and records every request.
#[derive(Debug, Clone, Default)]
pub struct MockTransport {
    replies: Arc<Mutex<VecDeque<Result<WireResponse, TransportError>>>>,
    seen: Arc<Mutex<Vec<Captured>>>,
}

impl MockTransport {
    /// An empty mock: every send fails with `Connect` until replies are queued.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue a JSON reply.
    pub fn reply_json(&self, status: u16, body: serde_json::Value) -> &Self {
        self.reply(Ok(WireResponse::new(
            status,
            vec![("content-type".into(), "application/json".into())],
            serde_json::to_vec(&body).unwrap_or_default(),
        )))
    }

    /// Queue any reply.
    pub fn reply(&self, r: Result<WireResponse, TransportError>) -> &Self {
        self.replies.lock().unwrap_or_else(|e| e.into_inner()).push_back(r);
        self
    }

    /// Requests seen so far.
    pub fn requests(&self) -> Vec<Captured> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: WireRequest) -> Result<WireResponse, TransportError> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).push(Captured {
            method: request.method,
            url: request.redacted_url(),
            headers: request.headers.clone(),
            secret_header_names: request.secret_headers.iter().map(|(k, _)| k.clone()).collect(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        });
        self.replies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::Connect("MockTransport: no reply queued".into())))
    }
}

/// Captures everything logged at TRACE level on the current thread while it lives, so a test can assert that
/// no secret ever reaches the logs. Use it from a current-thread runtime (`#[tokio::test]`).
///
/// One process-wide TRACE subscriber (installed by the first capture) writes each event into the buffer of the
/// thread that emitted it, if that thread has a capture: callsites never cache "not interested", so captures are
/// reliable while other tests run side by side. If another global subscriber is already installed, the capture
/// falls back to a thread-scoped one.
pub struct LogCapture {
    buf: Arc<Mutex<Vec<u8>>>,
    _guard: Option<tracing::subscriber::DefaultGuard>,
}

thread_local! {
    static CAPTURE: std::cell::RefCell<Option<Arc<Mutex<Vec<u8>>>>> = const { std::cell::RefCell::new(None) };
}

#[derive(Clone)]
struct Sink(Option<Arc<Mutex<Vec<u8>>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let target = self.0.clone().or_else(|| CAPTURE.with(|c| c.borrow().clone()));
        if let Some(buf) = target {
            buf.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn subscriber(sink: Sink) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish()
}

impl LogCapture {
    /// Start capturing TRACE and above.
    pub fn trace() -> Self {
        static GLOBAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let global = *GLOBAL.get_or_init(|| tracing::subscriber::set_global_default(subscriber(Sink(None))).is_ok());
        let buf = Arc::new(Mutex::new(Vec::new()));
        let guard = if global {
            CAPTURE.with(|c| *c.borrow_mut() = Some(buf.clone()));
            None
        } else {
            Some(tracing::subscriber::set_default(subscriber(Sink(Some(buf.clone())))))
        };
        Self { buf, _guard: guard }
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        CAPTURE.with(|c| {
            let mut c = c.borrow_mut();
            if c.as_ref().is_some_and(|b| Arc::ptr_eq(b, &self.buf)) {
                *c = None;
            }
        });
    }
}
