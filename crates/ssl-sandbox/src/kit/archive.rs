//! Download containers: PEM splitting, PKCS#7 certificate bundles (`.p7b`) and zip archives (stored, no
//! compression), written by hand as both are a few dozen bytes of framing.

/// The DER of every `CERTIFICATE` block in `pem`, in order.
pub(crate) fn pem_certs(pem: &str) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .map(|p| p.contents)
        .collect()
}

/// A download of `leaf` (PEM) with the sandbox chain in a named format: `pem_all`, `pem_noroot` / `default`,
/// `pem_nointermediate`, `p7b` (PKCS#7 PEM), `apache` (zip: `<cn>.crt`, `DigiCertCA.crt`, `TrustedRoot.crt`),
/// `nginx` (zip: `<cn>.pem` with the intermediate). `(content type, body)`, `None` for another format.
pub(crate) fn bundle(format: &str, leaf: &str, ca: &crate::ca::Ca, cn: &str) -> Option<(&'static str, Vec<u8>)> {
    let (leaf, int, root) = (leaf.trim(), ca.intermediate_pem.trim(), ca.root_pem.trim());
    let join = |parts: &[&str]| parts.iter().map(|p| format!("{p}\n")).collect::<String>();
    let stem = cn.replace("*.", "star_").replace('.', "_");
    let pem = "application/x-pem-file";
    Some(match format {
        "pem_all" => (pem, join(&[leaf, int, root]).into_bytes()),
        "pem_noroot" | "default" | "default_pem" => (pem, join(&[leaf, int]).into_bytes()),
        "pem_nointermediate" => (pem, join(&[leaf, root]).into_bytes()),
        "p7b" => {
            let p7 = armour("PKCS7", &p7b(&pem_certs(&join(&[leaf, int, root]))));
            ("application/x-pkcs7-certificates", p7.into_bytes())
        }
        "apache" => {
            let files =
                [(format!("{stem}.crt"), leaf), ("DigiCertCA.crt".into(), int), ("TrustedRoot.crt".into(), root)];
            ("application/zip", zip(&files.map(|(n, c)| (n, join(&[c]).into_bytes()))))
        }
        "nginx" => ("application/zip", zip(&[(format!("{stem}.pem"), join(&[leaf, int]).into_bytes())])),
        _ => return None,
    })
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A degenerate PKCS#7 SignedData holding `certs` (DER), no signers: what `.p7b` files are.
pub(crate) fn p7b(certs: &[Vec<u8>]) -> Vec<u8> {
    const SIGNED_DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const DATA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    let mut signed = vec![0x02, 0x01, 0x01]; // version 1
    signed.extend(der(0x31, &[])); // digestAlgorithms
    signed.extend(der(0x30, DATA)); // contentInfo
    signed.extend(der(0xa0, &certs.concat())); // [0] certificates
    signed.extend(der(0x31, &[])); // signerInfos
    let mut info = SIGNED_DATA.to_vec();
    info.extend(der(0xa0, &der(0x30, &signed)));
    der(0x30, &info)
}

/// PEM armour (`-----BEGIN {label}-----`, 64-column base64).
pub(crate) fn armour(label: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(label, der.to_vec()))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip archive of `(name, bytes)` files, stored without compression.
pub(crate) fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in files {
        let (crc, size, offset) = (crc32(data), data.len() as u32, out.len() as u32);
        let common = |v: &mut Vec<u8>| {
            v.extend(20u16.to_le_bytes()); // version needed
            v.extend([0u8; 4]); // flags, method: stored
            v.extend([0u8, 0, 0x21, 0]); // time, date (1980-01-01)
            v.extend(crc.to_le_bytes());
            v.extend(size.to_le_bytes());
            v.extend(size.to_le_bytes());
            v.extend((name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes()); // extra length
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend([0u8; 8]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (start, count) = (out.len() as u32, files.len() as u16);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_reference_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn zip_frames_every_file() {
        let z = zip(&[("a.crt".into(), b"hello".to_vec()), ("b.crt".into(), b"!".to_vec())]);
        assert_eq!(&z[..4], b"PK\x03\x04");
        assert_eq!(z.windows(4).filter(|w| *w == b"PK\x01\x02").count(), 2);
        assert!(z.windows(5).any(|w| w == b"hello"));
        assert_eq!(&z[z.len() - 22..z.len() - 18], b"PK\x05\x06");
    }

    #[test]
    fn p7b_parses_as_pkcs7_with_the_certificates() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.example.com".into()]).unwrap().self_signed(&key).unwrap();
        let pem = format!("{}{}", cert.pem(), cert.pem());
        let certs = pem_certs(&pem);
        assert_eq!(certs.len(), 2);
        let p = p7b(&certs);
        assert_eq!(p[0], 0x30);
        assert!(p.windows(certs[0].len()).any(|w| w == certs[0].as_slice()));
        assert!(armour("PKCS7", &p).starts_with("-----BEGIN PKCS7-----"));
    }
}
