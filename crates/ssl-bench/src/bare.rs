//! The bare loop: a default `reqwest::Client` sending the recorded bytes (method, target, headers, body) and reading
//! the whole answer — what any client must do at the least.

use crate::stub::Recorded;

/// One recorded request, ready to be replayed.
#[derive(Debug, Clone)]
pub struct Bare {
    client: reqwest::Client,
    method: reqwest::Method,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: Option<bytes::Bytes>,
}

impl Bare {
    /// Replay `request` against `origin` (`http://127.0.0.1:port`). `host` and `content-length` are left to
    /// reqwest; every other header is sent as recorded (`user-agent` included).
    pub fn new(origin: &str, request: &Recorded) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &request.headers {
            if k == "host" || k == "content-length" {
                continue;
            }
            if let (Ok(name), Ok(value)) =
                (reqwest::header::HeaderName::from_bytes(k.as_bytes()), reqwest::header::HeaderValue::from_str(v))
            {
                headers.append(name, value);
            }
        }
        let body =
            (!request.body.is_empty() || request.method != "GET").then(|| bytes::Bytes::copy_from_slice(&request.body));
        Self {
            client: reqwest::Client::new(),
            method: reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET),
            url: format!("{origin}{}", request.target),
            headers,
            body,
        }
    }

    /// Send it once and read the whole answer; returns the status.
    ///
    /// # Panics
    /// When the stub cannot be reached (the benchmark is meaningless then).
    pub async fn call(&self) -> u16 {
        self.call_body().await.0
    }

    /// [`Self::call`], returning the answer's body too.
    ///
    /// # Panics
    /// When the stub cannot be reached.
    pub async fn call_body(&self) -> (u16, bytes::Bytes) {
        let mut b = self.client.request(self.method.clone(), &self.url).headers(self.headers.clone());
        if let Some(body) = &self.body {
            b = b.body(body.clone());
        }
        let resp = b.send().await.expect("bare loop: stub unreachable");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("bare loop: body"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::{Route, Stub};

    #[test]
    fn replays_the_same_bytes() {
        let stub = Stub::start(vec![Route::json("POST", "/a/", 201, "{}")]).unwrap();
        let original = Recorded {
            method: "POST".into(),
            target: "/a/b?auth_key=k".into(),
            headers: vec![
                ("host".into(), "elsewhere".into()),
                ("content-type".into(), "application/x-www-form-urlencoded".into()),
                ("user-agent".into(), "ssl-orders/0".into()),
                ("content-length".into(), "3".into()),
            ],
            body: b"a=1".to_vec(),
        };
        let bare = Bare::new(&stub.origin(), &original);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        stub.record(true);
        assert_eq!(rt.block_on(bare.call()), 201);
        let got = stub.take_recorded().pop().unwrap();
        assert_eq!(
            (got.method.as_str(), got.target.as_str(), got.body.as_slice()),
            ("POST", "/a/b?auth_key=k", &b"a=1"[..])
        );
        let h = |n: &str| got.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(h("content-type").as_deref(), Some("application/x-www-form-urlencoded"));
        assert_eq!(h("user-agent").as_deref(), Some("ssl-orders/0"));
        assert_eq!(h("content-length").as_deref(), Some("3"));
    }
}
