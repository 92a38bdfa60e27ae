//! Client-side CPU per call of every provider's low-level client, against a bare reqwest loop posting the same
//! bytes to the same loopback stub, in one process, interleaved in rounds.
//!
//! ```text
//! nice -n 19 cargo bench -p ssl-bench --bench overhead                 # ratios, then criterion
//! nice -n 19 cargo bench -p ssl-bench --bench overhead -- digicert     # one provider
//! SSL_BENCH_ROUNDS=31 SSL_BENCH_CALLS=300 SSL_BENCH_CRITERION=0 ...    # ratios only
//! ```
//!
//! The rate limiter is off: each client is built with `without_rate_limit()` (a limiter would hold the bench at
//! the provider's published rate; its cost per call is one uncontended mutex and is measured separately in
//! BENCHMARKS.md). Retries cannot fire: the stub always answers 2xx.
//!
//! Adding a provider is one entry in [`cases`]: how to build its client on a base URL, its create and read calls,
//! and the stub's canned answers.
#![allow(missing_docs)] // criterion macros generate undocumented items

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use criterion::Criterion;
use ssl_bench::{Bare, Cost, Ratio, Round, Route, Stub, rounds};

type Call<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// One provider's low-level client, ready to call.
trait Client {
    /// The spend (`place_order`): validate, build, send once, decode.
    fn create(&self) -> Call<'_>;
    /// An order read, decoded into the generated type.
    fn read(&self) -> Call<'_>;
    /// What a hand-written typed client must do at the least besides sending: `serde_json::from_slice` of the
    /// answer into the same generated type (the "bare + decode" contender).
    fn decode(&self, op: Op, body: &[u8]);
}

/// One provider in the bench.
struct Case {
    name: &'static str,
    /// The stub's answers.
    routes: fn() -> Vec<Route>,
    /// The client on the stub's origin (`http://127.0.0.1:port`).
    connect: fn(&str) -> Box<dyn Client>,
}

/// An RSA 2048 CSR for `CN` with the SAN [`SAN`] (a committed fixture: no key generation at start-up, and the same
/// bytes in every run, so profiles of two runs can be subtracted).
fn csr() -> String {
    String::from_utf8(fixture("csr/rsa2048.csr.pem")).expect("utf-8")
}

/// The CSR's common name.
const CN: &str = "www.example.com";
/// The CSR's other name.
const SAN: &str = "example.com";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

// ---------------------------------------------------------------------------------------------------- DigiCert
mod digicert {
    use super::*;
    use ssl_core::ClientKit;
    use ssl_digicert::DigiCertClient;
    use ssl_digicert::generated as g;

    pub struct C {
        client: DigiCertClient,
        order: g::OrderRequest,
    }

    pub fn routes() -> Vec<Route> {
        vec![
            Route::json(
                "POST",
                "/services/v2/order/certificate/",
                201,
                r#"{"id":4812345,"requests":[{"id":9912345,"status":"pending"}],"dcv_random_value":"x4c8xm3q6ydgs2ngqfbwvbx8lmlw7p5d"}"#,
            ),
            Route::json("GET", "/services/v2/order/certificate/", 200, fixture("digicert/order_info_issued.json")),
        ]
    }

    pub fn connect(origin: &str) -> Box<dyn Client> {
        let base = url::Url::parse(&format!("{origin}/services/v2")).expect("url");
        let client = DigiCertClient::new("bench-key".into(), base).expect("client").without_rate_limit();
        let order = g::OrderRequest::new(
            g::OrderCertificate::new(CN, csr())
                .dns_names(vec![SAN.to_owned()])
                .server_platform(g::ServerPlatform::new(-1)),
            g::DcvMethod::DnsTxtToken,
        )
        .validity_years(1)
        .payment_method(g::OrderRequestPaymentMethod::Balance);
        Box::new(C { client, order })
    }

    impl Client for C {
        fn create(&self) -> Call<'_> {
            Box::pin(async {
                let created = self.client.place_order("ssl_dv_geotrust", &self.order).await.expect("place_order");
                std::hint::black_box(created);
            })
        }
        fn read(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(
                    self.client
                        .send(&ssl_digicert::generated::ops::OrderInfo::new("4812345"))
                        .await
                        .expect("order_info"),
                );
            })
        }
        fn decode(&self, op: Op, body: &[u8]) {
            match op {
                Op::Create => {
                    drop(std::hint::black_box(serde_json::from_slice::<g::OrderCreated>(body).expect("decode")))
                }
                Op::Read => drop(std::hint::black_box(serde_json::from_slice::<g::OrderInfo>(body).expect("decode"))),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------- GoGetSSL
mod gogetssl {
    use super::*;
    use ssl_core::ClientKit;
    use ssl_gogetssl::GoGetSslClient;
    use ssl_gogetssl::generated as g;

    pub struct C {
        client: GoGetSslClient,
        order: g::AddSslOrderRequest,
    }

    pub fn routes() -> Vec<Route> {
        vec![
            Route::json("POST", "/api/auth/", 200, r#"{"key":"bench-session-key","success":true}"#),
            Route::json(
                "POST",
                "/api/orders/add_ssl_order/",
                200,
                r#"{"approver_method":{"dns":{"record":"_37D0C93EE263FF9EEEA799215A9C3225.shop.example.com CNAME d30c576bf9eb30a75211cb799848ee5c.abfce3d8ee13212a57c9b7e42ef9baa2.comodoca.com"}},"order_id":783956,"invoice_id":574941,"order_status":"active","success":true,"order_amount":"9.95","currency":"EUR","tax":"0.00","tax_rate":"21%"}"#,
            ),
            Route::json(
                "GET",
                "/api/orders/status/",
                200,
                r#"{"order_id":"783956","orderid":"1234567","partner_order_id":"","internal_id":"123","status":"active","status_description":"","product_id":"71","domain":"shop.example.com","dcv_method":"dns","dcv_status":"2","approver_method":{"dns":{"record":"_ABC.shop.example.com CNAME abc.def.t1.comodoca.com"}},"san":[{"san_name":"www.shop.example.com","validation_method":"dns","status":"2","status_description":"validated","validation":{"dns":{"record":"_ABC.www.shop.example.com CNAME abc.def.t1.comodoca.com"}}}],"total_domains":"2","ssl_period":"12","valid_from":"2026-11-20","valid_till":"2027-11-20","begin_date":"2026-11-20","end_date":"2027-11-20","webserver_type":"1","csr_code":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","crt_code":"","ca_code":"","approver_email":"","admin_firstname":"John","admin_lastname":"Silver","admin_email":"webmaster@example.com","tech_firstname":"John","tech_lastname":"Silver","tech_email":"webmaster@example.com","success":true}"#,
            ),
        ]
    }

    fn product() -> g::ProductDetails {
        g::ProductDetails::new(71)
            .product("Sectigo PositiveSSL")
            .brand("comodo")
            .product_type("domain")
            .wildcard_enabled(false)
            .san_enabled(true)
            .multidomains_maximum(5)
    }

    pub fn connect(origin: &str) -> Box<dyn Client> {
        let base = url::Url::parse(&format!("{origin}/api")).expect("url");
        let client =
            GoGetSslClient::new("bench-user", "bench-pass".into(), base).expect("client").with_products([product()]);
        let contact = ("John", "Silver", "003719999999", "Mr", "webmaster@example.com");
        let order = g::AddSslOrderRequest::new(
            71,
            12,
            csr(),
            -1,
            1,
            contact.0,
            contact.1,
            contact.2,
            contact.3,
            contact.4,
            g::DcvMethod::Dns,
            contact.0,
            contact.1,
            contact.2,
            contact.3,
            contact.4,
        )
        .dns_names(vec![SAN.to_owned()])
        .approver_emails(vec!["dns".to_owned()]);
        Box::new(C { client, order })
    }

    impl Client for C {
        fn create(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(self.client.add_ssl_order(&self.order).await.expect("add_ssl_order"));
            })
        }
        fn read(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(
                    self.client.send(&g::ops::OrderStatus::new("783956")).await.expect("order_status"),
                );
            })
        }
        fn decode(&self, op: Op, body: &[u8]) {
            match op {
                Op::Create => {
                    drop(std::hint::black_box(serde_json::from_slice::<g::AddSslOrderResponse>(body).expect("decode")))
                }
                Op::Read => drop(std::hint::black_box(serde_json::from_slice::<g::OrderStatus>(body).expect("decode"))),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------- Openprovider
mod openprovider {
    use super::*;
    use ssl_core::operation::Operation;
    use ssl_openprovider::OpenproviderClient;
    use ssl_openprovider::generated::{self as g, ops};

    pub struct C {
        client: OpenproviderClient,
        create: ops::CreateOrder,
        read: ops::GetOrder,
    }

    pub fn routes() -> Vec<Route> {
        vec![
            Route::json("POST", "/v1beta/auth/login", 200, fixture("openprovider/login_ok.json")),
            Route::json("POST", "/v1beta/ssl/orders", 200, fixture("openprovider/create_ok.json")),
            Route::json("GET", "/v1beta/ssl/orders/", 200, fixture("openprovider/order_act.json")),
        ]
    }

    pub fn connect(origin: &str) -> Box<dyn Client> {
        let base = url::Url::parse(&format!("{origin}/v1beta")).expect("url");
        let transport = std::sync::Arc::new(
            ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default()).expect("transport"),
        );
        // `ApiClient::new` has no limiter; `configure` makes that explicit (the facade adds the descriptor's).
        let client = OpenproviderClient::new("bench-user", "bench-pass".into(), &base, transport)
            .expect("client")
            .configure(ssl_core::ApiClient::without_rate_limiter);
        let body = g::CreateOrderRequest::new(
            5,
            1,
            csr(),
            g::SoftwareId::Linux,
            g::SignatureHashAlgorithm::Sha2,
            "XY123456-NL",
        )
        .host_names(vec![SAN.to_owned()])
        .domain_validation_methods(vec![
            g::DomainValidationMethod::new(CN, g::DcvMethod::Dns),
            g::DomainValidationMethod::new(SAN, g::DcvMethod::Dns),
        ])
        .start_provision(true);
        Box::new(C { client, create: ops::CreateOrder::new(body), read: ops::GetOrder::new("31027") })
    }

    impl Client for C {
        fn create(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(self.client.send(&self.create).await.expect("create_order"));
            })
        }
        fn read(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(self.client.send(&self.read).await.expect("get_order"));
            })
        }
        fn decode(&self, op: Op, body: &[u8]) {
            match op {
                Op::Create => drop(std::hint::black_box(
                    serde_json::from_slice::<<ops::CreateOrder as Operation>::Output>(body).expect("decode"),
                )),
                Op::Read => drop(std::hint::black_box(
                    serde_json::from_slice::<<ops::GetOrder as Operation>::Output>(body).expect("decode"),
                )),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------- Realtime Register
mod rtr {
    use super::*;
    use ssl_core::operation::Operation;
    use ssl_rtr::RtrClient;
    use ssl_rtr::generated::{self as g, ops};

    pub struct C {
        client: RtrClient,
        create: ops::RequestCertificate,
    }

    pub fn routes() -> Vec<Route> {
        vec![
            Route::json("POST", "/v2/ssl/certificates", 201, rtr_fixture("request_201_authkey.json"))
                .header("x-process-id", "21"),
            Route::json("GET", "/v2/processes/", 200, rtr_fixture("process_completed.json")),
        ]
    }

    fn rtr_fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../ssl-rtr/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    pub fn connect(origin: &str) -> Box<dyn Client> {
        // `RtrClient::new` builds its `ApiClient` without a rate limiter (the facade adds the descriptor's).
        let client = RtrClient::new("bench-key".into(), "acme", &format!("{origin}/v2")).expect("client");
        let body = g::CertificateRequest::new("acme", "sectigo_dv", 12, csr())
            .domain_name(CN)
            .san(vec![SAN.to_owned()])
            .dcv(vec![g::Dcv::new(CN, g::DcvType::Dns), g::Dcv::new(SAN, g::DcvType::Dns)]);
        Box::new(C { client, create: ops::RequestCertificate::new(body) })
    }

    impl Client for C {
        fn create(&self) -> Call<'_> {
            Box::pin(async {
                // RtrClient has no typed `send` for operations: what `ApiClient::send_via` does, by hand —
                // validate (nothing sent on an error), the generated request, send once, decode.
                let problems = self.create.validate();
                assert!(!ssl_core::problem::has_errors(&problems), "{problems:?}");
                let info: g::CertificateProcessInfo =
                    self.client.call(&self.create.request()).await.expect("request_certificate");
                std::hint::black_box(info);
            })
        }
        fn read(&self) -> Call<'_> {
            Box::pin(async {
                let p: g::Process = self.client.call(&g::requests::get_process("20")).await.expect("get_process");
                std::hint::black_box(p);
            })
        }
        fn decode(&self, op: Op, body: &[u8]) {
            match op {
                Op::Create => drop(std::hint::black_box(
                    serde_json::from_slice::<<ops::RequestCertificate as Operation>::Output>(body).expect("decode"),
                )),
                Op::Read => drop(std::hint::black_box(serde_json::from_slice::<g::Process>(body).expect("decode"))),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------- Nameshield
mod nameshield {
    use super::*;
    use ssl_core::ClientKit;
    use ssl_core::jsonapi::ToOne;
    use ssl_core::operation::Operation;
    use ssl_jsonapi::NameshieldClient;
    use ssl_jsonapi::generated::{self as g, ops};

    pub struct C {
        client: NameshieldClient,
        create: ops::CreateOrder,
        read: ops::GetOrder,
    }

    fn ns_fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../ssl-jsonapi/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    pub fn routes() -> Vec<Route> {
        vec![
            Route::json("POST", "/ssl/v2/orders", 201, ns_fixture("order_created.json")),
            Route::json("GET", "/ssl/v2/orders/", 200, ns_fixture("order_delivered.json")),
        ]
    }

    pub fn connect(origin: &str) -> Box<dyn Client> {
        let base = url::Url::parse(&format!("{origin}/ssl/v2")).expect("url");
        // `new` enforces Nameshield's published limit (600 requests / 5 min): off for the bench.
        let client = NameshieldClient::new("bench-token".into(), base).expect("client").without_rate_limit();
        let attrs = g::OrderRequest::new(g::OrderAction::Create, csr(), g::Duration::N1Year)
            .infos(g::OrderInfos::default().validation_method(g::ValidationMethod::from_wire("VALIDATE_DNS")));
        let rel = g::OrderRequestRelationships {
            product: Some(ToOne::to("product", "11")),
            organization: Some(ToOne::to("organization", "BSVBG")),
            ..Default::default()
        };
        let body = g::NewOrderRequestDocument::new(g::NewOrderRequest::new(attrs).relationships(rel));
        Box::new(C { client, create: ops::CreateOrder::new(body), read: ops::GetOrder::new("ORD7Q2") })
    }

    impl Client for C {
        fn create(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(self.client.send(&self.create).await.expect("create_order"));
            })
        }
        fn read(&self) -> Call<'_> {
            Box::pin(async {
                std::hint::black_box(self.client.send(&self.read).await.expect("get_order"));
            })
        }
        fn decode(&self, op: Op, body: &[u8]) {
            match op {
                Op::Create => drop(std::hint::black_box(
                    serde_json::from_slice::<<ops::CreateOrder as Operation>::Output>(body).expect("decode"),
                )),
                Op::Read => drop(std::hint::black_box(
                    serde_json::from_slice::<<ops::GetOrder as Operation>::Output>(body).expect("decode"),
                )),
            }
        }
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case { name: "digicert", routes: digicert::routes, connect: digicert::connect },
        Case { name: "gogetssl", routes: gogetssl::routes, connect: gogetssl::connect },
        Case { name: "openprovider", routes: openprovider::routes, connect: openprovider::connect },
        Case { name: "rtr", routes: rtr::routes, connect: rtr::connect },
        Case { name: "nameshield", routes: nameshield::routes, connect: nameshield::connect },
    ]
}

// ---------------------------------------------------------------------------------------------------- harness

#[derive(Clone, Copy, Debug)]
pub enum Op {
    Create,
    Read,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
        }
    }
    fn call(self, c: &dyn Client) -> Call<'_> {
        match self {
            Self::Create => c.create(),
            Self::Read => c.read(),
        }
    }
}

/// Everything one (provider, op) pair needs: the stub, our client, the bare replay of what our client sent.
struct Bench {
    op: Op,
    _stub: Stub,
    ours: Box<dyn Client>,
    bare: Bare,
    rt: tokio::runtime::Runtime,
}

impl Bench {
    fn new(case: &Case, op: Op) -> Self {
        let stub = Stub::start((case.routes)()).expect("stub");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        // The client is built inside the runtime (reqwest's pool binds to it).
        let ours = rt.block_on(async { (case.connect)(&stub.origin()) });
        // Warm up (a session login happens here), then record exactly one call.
        rt.block_on(async {
            for _ in 0..3 {
                op.call(ours.as_ref()).await;
            }
        });
        stub.take_recorded();
        stub.record(true);
        rt.block_on(op.call(ours.as_ref()));
        stub.record(false);
        let recorded = stub.take_recorded();
        assert_eq!(recorded.len(), 1, "{} {}: one request per call, got {recorded:?}", case.name, op.name());
        let bare = Bare::new(&stub.origin(), &recorded[0]);
        rt.block_on(async {
            for _ in 0..3 {
                bare.call().await;
            }
        });
        Self { op, _stub: stub, ours, bare, rt }
    }

    fn ours(&self, calls: u32) -> Cost {
        Cost::measure(&self.rt, calls, || self.op.call(self.ours.as_ref()))
    }

    fn bare(&self, calls: u32) -> Cost {
        Cost::measure(&self.rt, calls, || async {
            self.bare.call().await;
        })
    }

    fn bare_decode(&self, calls: u32) -> Cost {
        Cost::measure(&self.rt, calls, || async {
            let (_, body) = self.bare.call_body().await;
            self.ours.decode(self.op, &body);
        })
    }
}

fn env_num(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The filter criterion would get (`cargo bench ... -- digicert`).
fn filter() -> Option<String> {
    std::env::args().skip(1).find(|a| !a.starts_with('-'))
}

fn ratios() -> Vec<(String, Ratio, Ratio)> {
    let rounds = env_num("SSL_BENCH_ROUNDS", 31) as usize;
    let calls = env_num("SSL_BENCH_CALLS", 200);
    let filter = filter();
    let mut out = Vec::new();
    for case in cases() {
        for op in [Op::Create, Op::Read] {
            let id = format!("{}/{}", case.name, op.name());
            if filter.as_deref().is_some_and(|f| !id.contains(f)) {
                continue;
            }
            let bench = Bench::new(&case, op);
            let costs = rounds::interleave_n(rounds, 3, |side| match side {
                0 => bench.ours(calls),
                1 => bench.bare(calls),
                _ => bench.bare_decode(calls),
            });
            let vs = |k: usize| costs.iter().map(|c| Round { ours: c[0], bare: c[k] }).collect::<Vec<_>>();
            if let (Some(bare), Some(decode)) = (Ratio::of(&vs(1)), Ratio::of(&vs(2))) {
                println!("ratio {id:<18} vs bare         {bare}");
                println!("ratio {id:<18} vs bare+decode  {decode}");
                out.push((id, bare, decode));
            }
        }
    }
    out
}

fn write_report(results: &[(String, Ratio, Ratio)]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ssl-bench");
    let _ = std::fs::create_dir_all(&dir);
    let mut text = String::from(
        "| provider/op | vs bare: median (IQR; range) | vs bare+decode: median (IQR) | ours µs | bare µs | bare+decode µs | wall vs bare |\n|---|---|---|---|---|---|---|\n",
    );
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    for (id, b, d) in results {
        text.push_str(&format!(
            "| {id} | {:.2}× ({:.2}–{:.2}; {:.2}–{:.2}) | {:.2}× ({:.2}–{:.2}) | {:.1} | {:.1} | {:.1} | {:.2}× |\n",
            b.median,
            b.q1,
            b.q3,
            b.min,
            b.max,
            d.median,
            d.q1,
            d.q3,
            us(b.ours),
            us(b.bare),
            us(d.bare),
            b.wall_median
        ));
    }
    let path = dir.join("ratios.md");
    if std::fs::write(&path, &text).is_ok() {
        println!("\n{text}\n(written to {})", path.display());
    }
}

fn criterion_benches(c: &mut Criterion) {
    for case in cases() {
        for op in [Op::Create, Op::Read] {
            let id = format!("{}/{}", case.name, op.name());
            if filter().as_deref().is_some_and(|f| !id.contains(f)) {
                continue;
            }
            let bench = Bench::new(&case, op);
            let mut group = c.benchmark_group(id);
            group.measurement_time(Duration::from_secs(3)).sample_size(20);
            // iter_custom: the client thread's CPU time, not wall time (the stub runs on another thread).
            group.bench_function("ours", |b| b.iter_custom(|n| bench.ours(n as u32).cpu * n as u32));
            group.bench_function("bare_reqwest", |b| b.iter_custom(|n| bench.bare(n as u32).cpu * n as u32));
            group.finish();
        }
    }
}

/// `SSL_BENCH_PROFILE=ours|bare|bare_decode`: only run that side of the filtered cases (`SSL_BENCH_CALLS` calls each), for a
/// profiler (`perf record`, `valgrind --tool=callgrind`).
fn profile(side: &str) {
    let calls = env_num("SSL_BENCH_CALLS", 20_000);
    let filter = filter();
    for case in cases() {
        for op in [Op::Create, Op::Read] {
            let id = format!("{}/{}", case.name, op.name());
            if filter.as_deref().is_some_and(|f| !id.contains(f)) {
                continue;
            }
            let bench = Bench::new(&case, op);
            let cost = match side {
                "bare" => bench.bare(calls),
                "bare_decode" => bench.bare_decode(calls),
                _ => bench.ours(calls),
            };
            println!("profile {id} {side}: {cost:?} per call");
        }
    }
}

fn main() {
    if let Ok(side) = std::env::var("SSL_BENCH_PROFILE") {
        return profile(&side);
    }
    let results = ratios();
    write_report(&results);
    if env_num("SSL_BENCH_CRITERION", 1) != 0 {
        let mut c = Criterion::default().configure_from_args();
        criterion_benches(&mut c);
        c.final_summary();
    }
}
