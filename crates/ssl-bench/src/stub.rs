//! A fast loopback HTTP/1.1 stub: canned answers by method and path prefix, keep-alive, on its own thread (so its
//! CPU never counts against the client thread), binding 127.0.0.1 only. While recording, it keeps every request it
//! receives, so the bare loop can replay exactly the bytes our client sent.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Route {
    /// Method it answers (`GET`, `POST`, ...).
    pub method: &'static str,
    /// Path prefix it answers (query ignored), e.g. `/services/v2/order/certificate/`.
    pub prefix: String,
    /// Status.
    pub status: u16,
    /// Extra headers (`content-type: application/json` and `content-length` are always sent).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Route {
    /// A JSON answer.
    pub fn json(method: &'static str, prefix: impl Into<String>, status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self { method, prefix: prefix.into(), status, headers: Vec::new(), body: body.into() }
    }

    /// With one more response header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A request as the stub received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

#[derive(Debug, Default)]
struct State {
    routes: Vec<Route>,
    recording: AtomicBool,
    recorded: Mutex<Vec<Recorded>>,
}

/// The running stub. Dropping it stops the server thread.
#[derive(Debug)]
pub struct Stub {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    /// Start on 127.0.0.1 (a free port) with these routes; an unmatched request gets a JSON 404.
    pub fn start(routes: Vec<Route>) -> std::io::Result<Self> {
        let state = Arc::new(State { routes, ..State::default() });
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::Builder::new().name("ssl-bench-stub".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return eprintln!("ssl-bench stub: no runtime: {e}"),
            };
            rt.block_on(async move {
                let listener = match TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => return eprintln!("ssl-bench stub: {e}"),
                };
                tokio::pin!(stopped);
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                tokio::spawn(serve(stream, st.clone()));
                            }
                        }
                    }
                }
            });
        })?;
        Ok(Self { addr, state, stop: Some(stop), thread: Some(thread) })
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Start or stop recording requests.
    pub fn record(&self, on: bool) {
        self.state.recording.store(on, Ordering::SeqCst);
    }

    /// The requests recorded so far (and forget them).
    pub fn take_recorded(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.state.recorded.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let mut conn = BufReader::new(stream);
    let mut line = String::new();
    let mut out = Vec::with_capacity(8192);
    loop {
        line.clear();
        match conn.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else { return };
        let (method, target) = (method.to_owned(), target.to_owned());
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            line.clear();
            match conn.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                let v = v.trim().to_owned();
                if k == "content-length" {
                    length = v.parse().unwrap_or(0);
                }
                headers.push((k, v));
            }
        }
        let mut body = vec![0; length];
        if conn.read_exact(&mut body).await.is_err() {
            return;
        }
        let path = target.split('?').next().unwrap_or("");
        let route = state.routes.iter().find(|r| r.method.eq_ignore_ascii_case(&method) && path.starts_with(&r.prefix));
        if state.recording.load(Ordering::SeqCst) {
            state.recorded.lock().unwrap_or_else(|e| e.into_inner()).push(Recorded { method, target, headers, body });
        }
        out.clear();
        match route {
            Some(r) => {
                out.extend_from_slice(format!("HTTP/1.1 {} X\r\n", r.status).as_bytes());
                out.extend_from_slice(b"content-type: application/json\r\n");
                for (k, v) in &r.headers {
                    out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
                }
                out.extend_from_slice(format!("content-length: {}\r\n\r\n", r.body.len()).as_bytes());
                out.extend_from_slice(&r.body);
            }
            None => {
                let body = br#"{"error":"no stub route"}"#;
                out.extend_from_slice(format!("HTTP/1.1 404 X\r\ncontent-length: {}\r\n\r\n", body.len()).as_bytes());
                out.extend_from_slice(body);
            }
        }
        if conn.get_mut().write_all(&out).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_method_and_prefix_and_records_what_it_got() {
        let stub = Stub::start(vec![
            Route::json("POST", "/v2/order/", 201, r#"{"id":1}"#).header("x-process-id", "9"),
            Route::json("GET", "/v2/order/", 200, r#"{"id":1,"status":"issued"}"#),
        ])
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let client = reqwest::Client::new();
        stub.record(true);
        let (created, header, read, missing) = rt.block_on(async {
            let c = client.post(format!("{}/v2/order/ssl?x=1", stub.origin())).body("{\"a\":1}").send().await.unwrap();
            let header = c.headers().get("x-process-id").unwrap().to_str().unwrap().to_owned();
            let created = (c.status().as_u16(), c.text().await.unwrap());
            let r = client.get(format!("{}/v2/order/1", stub.origin())).send().await.unwrap();
            let read = (r.status().as_u16(), r.text().await.unwrap());
            let m = client.get(format!("{}/other", stub.origin())).send().await.unwrap();
            (created, header, read, m.status().as_u16())
        });
        assert_eq!(created, (201, r#"{"id":1}"#.to_owned()));
        assert_eq!(header, "9");
        assert_eq!(read, (200, r#"{"id":1,"status":"issued"}"#.to_owned()));
        assert_eq!(missing, 404);
        let rec = stub.take_recorded();
        assert_eq!(rec.len(), 3);
        assert_eq!((rec[0].method.as_str(), rec[0].target.as_str()), ("POST", "/v2/order/ssl?x=1"));
        assert_eq!(rec[0].body, b"{\"a\":1}");
        assert!(stub.take_recorded().is_empty(), "taken");
    }
}
