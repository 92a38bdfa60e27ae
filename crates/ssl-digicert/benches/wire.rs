//! Client-side cost per call, as ratios against plain serde in the same run:
//! - building the `place_order` request value (validate + JSON value) vs `serde_json::to_vec` of the body;
//! - decoding an order-info body into the generated tolerant type vs into an untyped `serde_json::Value`.
//!
//! `cargo bench -p ssl-digicert --bench wire`
#![allow(missing_docs)] // criterion_group! generates an undocumented fn

use criterion::{Criterion, criterion_group, criterion_main};
use ssl_core::validate::Validate;
use ssl_digicert::generated::{self as g, requests};
use std::hint::black_box;

fn order() -> g::OrderRequest {
    let csr =
        "-----BEGIN CERTIFICATE REQUEST-----\n".to_owned() + &"A".repeat(900) + "\n-----END CERTIFICATE REQUEST-----\n";
    g::OrderRequest::new(
        g::OrderCertificate::new("shop.example.com", csr)
            .dns_names(vec!["www.shop.example.com".to_string()])
            .server_platform(g::ServerPlatform::new(-1)),
        g::DcvMethod::DnsTxtToken,
    )
    .validity_years(1)
    .payment_method(g::OrderRequestPaymentMethod::Balance)
}

fn bench(c: &mut Criterion) {
    let o = order();
    let mut group = c.benchmark_group("place_order_request");
    group.bench_function("baseline_serde_to_vec", |b| b.iter(|| serde_json::to_vec(black_box(&o)).unwrap()));
    group.bench_function("validate_and_build_value", |b| {
        b.iter(|| {
            let problems = black_box(&o).validate();
            assert!(problems.is_empty());
            requests::place_order("ssl_dv_geotrust", black_box(&o))
        })
    });
    group.finish();

    let body =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/digicert/order_info_issued.json"))
            .unwrap();
    let mut group = c.benchmark_group("order_info_decode");
    group.bench_function("baseline_untyped_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&body)).unwrap())
    });
    group.bench_function("generated_tolerant_type", |b| {
        b.iter(|| serde_json::from_str::<g::OrderInfo>(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
