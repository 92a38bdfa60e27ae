//! Property tests: random bytes and mutated valid CSRs never panic the inspector, and its answer is coherent.

use proptest::prelude::*;
use ssl_csr::{CsrInfo, inspect_unguarded};

use crate::fixture;

const SEEDS: &[&str] = &[
    "rsa2048.csr.pem",
    "rsa2048.csr.der",
    "ec-p256.csr.pem",
    "ec-p384.csr.pem",
    "ed25519.csr.pem",
    "dsa2048.csr.pem",
    "rsa-pss.csr.pem",
    "ip-email.csr.pem",
    "bmp-subject.csr.pem",
    "certificate.der",
];

fn der_seeds() -> Vec<Vec<u8>> {
    SEEDS
        .iter()
        .map(|f| {
            let bytes = fixture(f);
            if f.ends_with(".pem") {
                // Mutate the DER, where the parser works hardest.
                let text = String::from_utf8(bytes).unwrap();
                let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
                decode(&b64)
            } else {
                bytes
            }
        })
        .collect()
}

fn decode(b64: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = b64.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | (u32::from(val(c)) << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn coherent(info: &CsrInfo) {
    assert_eq!(info.ok(), !info.problems.iter().any(|p| p.is_error()));
    let json = serde_json::to_string(info).unwrap();
    crate::json::assert_schema(&json, "mutated input");
    if info.signature_valid == Some(false) {
        assert!(info.problems.iter().any(|p| p.code == "bad_signature"), "{:?}", info.problems);
    }
    if info.signature_algorithm.is_none() {
        assert!(!info.ok(), "nothing read but ok: {:?}", info);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Set { at: usize, value: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), prop_oneof![Just(0u8), Just(0x80), Just(0xff), Just(0x30), any::<u8>()])
            .prop_map(|(at, value)| Mutation::Set { at, value }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..16).prop_map(|(at, len)| Mutation::Remove { at, len }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    let n = data.len();
    match m {
        Mutation::Flip { at, mask } => data[at % n] ^= mask,
        Mutation::Set { at, value } => data[at % n] = *value,
        Mutation::Truncate { at } => data.truncate(at % n),
        Mutation::Insert { at, bytes } => {
            let at = at % (n + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Remove { at, len } => {
            let at = at % n;
            data.drain(at..(at + len).min(n));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        coherent(&inspect_unguarded(&bytes));
    }

    #[test]
    fn random_der_like_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..512), len in any::<u16>()) {
        let mut bytes = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        bytes.extend(tail);
        coherent(&inspect_unguarded(&bytes));
    }

    #[test]
    fn mutated_csrs_never_panic(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
        as_pem in any::<bool>(),
    ) {
        let mut der = der_seeds().swap_remove(seed);
        for m in &mutations {
            apply(&mut der, m);
        }
        coherent(&inspect_unguarded(&der));
        if as_pem {
            let pem = ssl_csr::encode_pem("CERTIFICATE REQUEST", &der);
            coherent(&inspect_unguarded(pem.as_bytes()));
        }
    }

    #[test]
    fn mutated_pem_text_never_panics(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = fixture(SEEDS[seed]);
        for m in &mutations {
            apply(&mut bytes, m);
        }
        coherent(&inspect_unguarded(&bytes));
    }
}

#[test]
fn a_single_flipped_bit_in_the_signed_part_is_caught() {
    // Every bit of the signed data of a P-256 request, flipped one at a time (sampled), never reads as a valid
    // request with the same content: either it no longer parses or the signature fails.
    let der = der_seeds()[2].clone();
    for at in (4..der.len() - 80).step_by(7) {
        let mut d = der.clone();
        d[at] ^= 0x01;
        let info = inspect_unguarded(&d);
        assert!(info.signature_valid != Some(true), "byte {at}: {:?}", info);
    }
}
