//! A capturing / replaying [`Transport`] for tests (feature `test-util`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::request::Method;
use crate::transport::{Transport, TransportError, WireRequest, WireResponse};

/// A request as the mock saw it (URL redacted; the body as sent — tests assert secrets are absent from it only
/// where they should be).
#[derive(Debug, Clone)]
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
        self.reply(Ok(WireResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }))
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
