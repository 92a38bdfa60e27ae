//! Integration tests: a real sandbox on 127.0.0.1:0 driven over HTTP with reqwest.

mod client;
mod digicert;
mod faults;
mod gogetssl;
mod inspect;
mod kit;
mod persistence;

use std::net::SocketAddr;

use rcgen::{CertificateParams, KeyPair};
use serde_json::{Value, json};
use ssl_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use x509_parser::prelude::*;

pub(crate) const KEY: &str = "sandbox-digicert-key";

pub(crate) async fn start(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config, "127.0.0.1:0".parse::<SocketAddr>().unwrap()).await.expect("sandbox starts")
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(std::time::Duration::from_secs(20)).build().unwrap()
}

/// A fresh key and a CSR for `names` (first = CN).
pub(crate) fn csr(names: &[&str]) -> (String, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
    let csr = params.serialize_request(&key).unwrap().pem().unwrap();
    (csr, key)
}

/// A response: status, headers, JSON body (Null when empty or not JSON), raw text.
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) json: Value,
    pub(crate) text: String,
}

pub(crate) async fn send(
    http: &reqwest::Client,
    sb: &SandboxHandle,
    method: &str,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> Resp {
    let url = format!("{}{}", sb.base_url("digicert").unwrap(), path);
    let mut req = http.request(method.parse().unwrap(), &url);
    if let Some(k) = key {
        req = req.header("X-DC-DEVKEY", k);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let resp = req.send().await.expect("request succeeds");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, headers, json, text }
}

/// A DigiCert call with the sandbox key.
pub(crate) async fn dc(
    http: &reqwest::Client,
    sb: &SandboxHandle,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Resp {
    send(http, sb, method, path, body, Some(KEY)).await
}

/// The inspection API.
pub(crate) async fn inspect(
    http: &reqwest::Client,
    sb: &SandboxHandle,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Resp {
    let url = format!("{}{}", sb.inspect_url(), path);
    let mut req = http.request(method.parse().unwrap(), &url);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, headers, json, text }
}

pub(crate) fn order_body(cn: &str, sans: &[&str], csr: &str, dcv: &str) -> Value {
    json!({
        "certificate": {"common_name": cn, "dns_names": sans, "csr": csr, "server_platform": {"id": -1}, "signature_hash": "sha256"},
        "validity_years": 1,
        "dcv_method": dcv,
        "payment_method": "balance"
    })
}

/// Place an order; returns the 201 body.
pub(crate) async fn place(http: &reqwest::Client, sb: &SandboxHandle, product: &str, body: Value) -> Value {
    let r = dc(http, sb, "POST", &format!("/order/certificate/{product}"), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json
}

pub(crate) fn error_codes(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// Every certificate in a PEM text, as DER.
pub(crate) fn pem_ders(text: &str) -> Vec<Vec<u8>> {
    Pem::iter_from_buffer(text.as_bytes()).map(|p| p.unwrap().contents).collect()
}

pub(crate) fn spki_of_csr(csr_pem: &str) -> Vec<u8> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(csr_pem.as_bytes()).unwrap();
    let (_, req) = X509CertificationRequest::from_der(&pem.contents).unwrap();
    req.certification_request_info.subject_pki.raw.to_vec()
}
