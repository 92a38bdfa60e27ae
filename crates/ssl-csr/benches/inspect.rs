//! CSRs inspected per second, signature check included: RSA-2048 and P-256 (and, for scale, RSA-4096 and
//! P-384), from the openssl-made fixtures.
//!
//! `cargo bench -p ssl-csr --bench inspect` (add `-- --measurement-time 3` for a short run). Criterion prints
//! `thrpt` in elements (CSRs) per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};

const RSA2048: &[u8] = include_bytes!("../../../fixtures/csr/rsa2048.csr.pem");
const P256: &[u8] = include_bytes!("../../../fixtures/csr/ec-p256.csr.pem");
const RSA4096: &[u8] = include_bytes!("../../../fixtures/csr/rsa4096.csr.pem");
const P384: &[u8] = include_bytes!("../../../fixtures/csr/ec-p384.csr.pem");

fn inspect(c: &mut Criterion) {
    let mut group = c.benchmark_group("inspect");
    group.throughput(Throughput::Elements(1));
    for (name, csr) in [("rsa2048", RSA2048), ("p256", P256), ("rsa4096", RSA4096), ("p384", P384)] {
        let info = ssl_csr::inspect(csr);
        assert_eq!(info.signature_valid, Some(true), "{name}: the benchmark checks signatures");
        group.bench_function(name, |b| b.iter(|| ssl_csr::inspect(black_box(csr))));
    }
    group.finish();
}

mod group {
    criterion::criterion_group!(benches, super::inspect);
}
criterion_main!(group::benches);
