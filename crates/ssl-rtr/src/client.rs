//! The Realtime Register client: `Authorization: ApiKey <key>`, the customer handle, and the reads that turn a
//! process id into its certificate. Requests are built by the generated pure functions in
//! [`crate::generated::requests`] and sent through the shared [`ssl_core::ApiClient`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use ssl_core::{ApiClient, Error, HeaderAuth, HttpRequest, Result, SecretString, Transport};

use crate::generated::{self as g, requests};

/// Production base URL (the version prefix included: paths are appended to it).
pub const PRODUCTION: &str = "https://api.yoursrs.com/v2";
/// OT&E (test) base URL.
pub const TEST: &str = "https://api.yoursrs-ote.com/v2";

/// A Realtime Register API client (`Debug` shows no key). Cheap to clone.
#[derive(Debug, Clone)]
pub struct RtrClient {
    pub(crate) api: ApiClient,
    auth: Arc<HeaderAuth>,
    customer: String,
    /// Products read during this client's life (the pre-flight and the build read the same one).
    pub(crate) products: Arc<Mutex<BTreeMap<String, g::Product>>>,
}

impl RtrClient {
    /// A client with the default transport (reqwest + rustls, timeouts set). `base` includes `/v2`
    /// ([`PRODUCTION`], [`TEST`]); it must be https, or http to a loopback host.
    #[cfg(feature = "transport")]
    pub fn new(api_key: SecretString, customer: impl Into<String>, base: &str) -> Result<Self> {
        let transport = Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default())?);
        Self::with_transport(api_key, customer, base, transport)
    }

    /// A client over any [`Transport`].
    pub fn with_transport(
        api_key: SecretString,
        customer: impl Into<String>,
        base: &str,
        transport: Arc<dyn Transport>,
    ) -> Result<Self> {
        let base = ssl_core::baseurl::parse_base_url(base)?;
        let api = ApiClient::new("rtr", base, transport, crate::error::decode);
        let auth = Arc::new(HeaderAuth::new("Authorization", "ApiKey ", api_key));
        Ok(Self { api, auth, customer: customer.into(), products: Arc::default() })
    }

    /// The customer handle sent as `customer`.
    pub fn customer(&self) -> &str {
        &self.customer
    }

    /// Send any request with the API key: validation, rate limits, retries (reads only), error decoding and the
    /// spend rules (sent once; an ambiguous failure is [`Error::OutcomeUnknown`]) are the kit's.
    pub async fn send(&self, req: &HttpRequest) -> Result<ssl_core::Response> {
        self.api.execute(req, self.auth.as_ref()).await
    }

    /// Send and decode the JSON answer.
    pub async fn call<T: DeserializeOwned>(&self, req: &HttpRequest) -> Result<T> {
        self.send(req).await?.json()
    }

    /// `GET /processes/{id}` and `GET /processes/{id}/info`.
    pub async fn process(&self, id: &str) -> Result<(g::Process, g::CertificateProcessInfo)> {
        let process = self.call(&requests::get_process(id)).await?;
        Ok((process, self.call(&requests::process_info(id)).await?))
    }

    /// The certificate of a process: the info's `certificateId` when present (issued at once through authKey),
    /// else, once the process is `COMPLETED`, `GET /ssl/certificates?process:eq=<id>`.
    pub async fn certificate_of(
        &self,
        process: &g::Process,
        info: &g::CertificateProcessInfo,
    ) -> Result<Option<g::Certificate>> {
        if let Some(id) = info.certificate_id {
            return self.call(&requests::get_certificate(&id.to_string(), None)).await.map(Some);
        }
        if process.status != g::ProcessStatus::Completed {
            return Ok(None);
        }
        let pid = process.id.to_string();
        let req = requests::list_certificates(None, None, None, None, Some(&pid), None, None);
        let list: g::CertificateList = self.call(&req).await?;
        Ok(list.entities.unwrap_or_default().into_iter().find(|c| c.process.is_none_or(|p| p == process.id)))
    }

    /// The certificate id of a process, for the verbs that act on a certificate (download, renew, reissue,
    /// revoke); [`Error::Invalid`] when the process has none (yet).
    pub async fn certificate_id(&self, process_id: &str) -> Result<String> {
        let (process, info) = self.process(process_id).await?;
        match self.certificate_of(&process, &info).await? {
            Some(c) => Ok(c.id.to_string()),
            None => Err(Error::Invalid(vec![ssl_core::Problem::error(
                "not_issued",
                format!("process {process_id} is {} and has no certificate yet", process.status),
            )])),
        }
    }
}

// The kit's client methods (`with_retry`, `without_rate_limit`, `base_url`, `render`, `execute`) over the API key
// header. `RtrClient::send` sends a request value (the generated functions build them).
ssl_core::client_kit!(RtrClient, api: api, auth: |c| Ok(c.auth.as_ref()), redact: ["Authorization"]);
