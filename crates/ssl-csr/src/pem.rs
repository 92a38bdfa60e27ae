//! A tolerant PEM reader: any line endings, text around the blocks, RFC 1421 headers, whitespace in the base64.

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The label (`CERTIFICATE REQUEST`).
    pub label: String,
    /// The decoded body, or why it could not be decoded.
    pub der: Result<Vec<u8>, String>,
}

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

/// True when the bytes look like PEM (a `-----BEGIN ` marker anywhere).
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    find(bytes, BEGIN).is_some()
}

/// Every block in `bytes`, in order. A BEGIN line without its END line gives a block whose `der` is an error.
pub(crate) fn parse_blocks(bytes: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        let Some(label_end) = find_line_bounded(after_begin, DASHES) else {
            out.push(Block { label: String::new(), der: Err("a BEGIN line that does not end in `-----`".into()) });
            break;
        };
        let label = String::from_utf8_lossy(&after_begin[..label_end]).trim().to_string();
        let body_and_more = &after_begin[label_end + DASHES.len()..];
        let end_marker = [b"-----END ".as_slice(), label.as_bytes(), DASHES].concat();
        match find(body_and_more, &end_marker) {
            Some(end) => {
                let body = &body_and_more[..end];
                out.push(Block { label, der: decode_body(body) });
                rest = &body_and_more[end + end_marker.len()..];
            }
            None => {
                let der = Err(match find(body_and_more, b"-----END ") {
                    Some(_) => format!("the END line does not match `BEGIN {label}`"),
                    None => format!("no `-----END {label}-----` line: the file is truncated"),
                });
                out.push(Block { label, der });
                break;
            }
        }
    }
    out
}

/// Decodes a block body: skips RFC 1421 header lines (`Name: value`) and every whitespace character.
fn decode_body(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut b64 = Vec::with_capacity(body.len());
    if body.contains(&b':') {
        for line in body.split(|&b| b == b'\n' || b == b'\r') {
            if line.contains(&b':') {
                continue;
            }
            b64.extend(line.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        }
    } else {
        // No RFC 1421 header line (the usual case): one pass.
        b64.extend(body.iter().copied().filter(|b| !b.is_ascii_whitespace()));
    }
    if b64.is_empty() {
        return Err("the block is empty".into());
    }
    base64_decode(&b64)
}

fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Base64 digit values by byte; `0xff` for bytes that are not digits.
const DIGITS: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut t = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Unpadded base64 four digits at a time (the hot path of every CSR read); `None` at the first byte that is not a
/// digit, so the careful loop below names it.
fn decode_fast(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut quads = data.chunks_exact(4);
    for q in quads.by_ref() {
        let d = [DIGITS[q[0] as usize], DIGITS[q[1] as usize], DIGITS[q[2] as usize], DIGITS[q[3] as usize]];
        if (d[0] | d[1] | d[2] | d[3]) & 0xc0 != 0 {
            return None;
        }
        let n = u32::from(d[0]) << 18 | u32::from(d[1]) << 12 | u32::from(d[2]) << 6 | u32::from(d[3]);
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in quads.remainder() {
        let v = DIGITS[c as usize];
        if v & 0xc0 != 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Standard base64 with optional `=` padding.
pub(crate) fn base64_decode(input: &[u8]) -> Result<Vec<u8>, String> {
    let data = match input.iter().position(|&c| c == b'=') {
        Some(pad) => {
            if input[pad..].iter().any(|&c| c != b'=') || input.len() - pad > 2 || input.len() % 4 != 0 {
                return Err("bad base64 padding".into());
            }
            &input[..pad]
        }
        None => input,
    };
    if data.len() % 4 == 1 {
        return Err("the base64 text is cut short".into());
    }
    if let Some(out) = decode_fast(data) {
        return Ok(out);
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in data.iter().enumerate() {
        let v = b64_value(c).ok_or_else(|| {
            if c.is_ascii_graphic() {
                format!("`{}` at position {i} is not base64", c as char)
            } else {
                format!("byte 0x{c:02x} at position {i} is not base64")
            }
        })?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// PEM-encodes `der` under `label`, 64 characters a line, `\n` line endings.
pub fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The position of `needle` in `haystack`.
///
/// Scans for the needle's first byte and compares only there: the markers start with `-`, which base64 never
/// holds, so a CSR is one pass (a `windows().position()` compared at every offset and cost more than the rest of
/// the PEM decode).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while from + needle.len() <= haystack.len() {
        let at = from + haystack[from..=haystack.len() - needle.len()].iter().position(|&b| b == first)?;
        if &haystack[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Like [`find`] but only within the current line.
fn find_line_bounded(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let line_end = haystack.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(haystack.len());
    find(&haystack[..line_end], needle)
}

/// The CSR in `bytes` (PEM with either label, any line endings, or DER) as canonical PEM:
/// `-----BEGIN CERTIFICATE REQUEST-----`, 64-column base64, `\n` line endings — the form every provider accepts.
/// `None` when there is no decodable CSR block (use [`crate::inspect`] to learn why).
///
/// ```
/// let der = ssl_csr::generate(ssl_csr::KeyType::EcP256, "a.example", &[]).unwrap();
/// let crlf = der.csr_pem.replace('\n', "\r\n").replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
/// assert_eq!(ssl_csr::canonical_pem(crlf.as_bytes()).unwrap(), der.csr_pem);
/// ```
pub fn canonical_pem(bytes: &[u8]) -> Option<String> {
    if !looks_like_pem(bytes) {
        return (!bytes.is_empty()).then(|| encode_pem("CERTIFICATE REQUEST", bytes));
    }
    parse_blocks(bytes)
        .into_iter()
        .find(|b| b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST")
        .and_then(|b| b.der.ok())
        .map(|der| encode_pem("CERTIFICATE REQUEST", &der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_a_naive_search() {
        let naive = |h: &[u8], n: &[u8]| -> Option<usize> {
            if n.is_empty() || h.len() < n.len() { None } else { h.windows(n.len()).position(|w| w == n) }
        };
        // Every haystack and needle over a two-letter alphabet up to these lengths.
        let all = |len: usize| -> Vec<Vec<u8>> {
            (0..1usize << len)
                .map(|bits| (0..len).map(|i| if bits >> i & 1 == 1 { b'-' } else { b'A' }).collect())
                .collect()
        };
        for hl in 0..=9 {
            for h in all(hl) {
                for nl in 0..=4 {
                    for n in all(nl) {
                        assert_eq!(
                            find(&h, &n),
                            naive(&h, &n),
                            "{:?} in {:?}",
                            String::from_utf8_lossy(&n),
                            String::from_utf8_lossy(&h)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn base64_round_trip() {
        for len in 0..40usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = base64_encode(&data);
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), data);
            assert_eq!(base64_decode(enc.trim_end_matches('=').as_bytes()).unwrap(), data);
        }
        // The fast path and the careful loop agree, errors included (a bad digit in every position).
        let enc = base64_encode(b"any carnal pleasure, and more");
        for i in 0..enc.len() {
            let mut bad = enc.clone().into_bytes();
            bad[i] = b'?';
            let pad = bad.iter().position(|&c| c == b'=').unwrap_or(bad.len());
            if i < pad {
                assert_eq!(base64_decode(&bad).unwrap_err(), format!("`?` at position {i} is not base64"));
            }
        }
        assert!(base64_decode(b"QQ=A").is_err());
        assert!(base64_decode(b"Q").is_err());
        assert!(base64_decode(b"QQ?=").is_err());
    }

    #[test]
    fn blocks_with_crlf_headers_and_text_around() {
        let pem = "junk before\r\n-----BEGIN NEW CERTIFICATE REQUEST-----\r\nProc-Type: 4,ENCRYPTED\r\n\r\nQUJD\r\nREVG\r\n-----END NEW CERTIFICATE REQUEST-----\r\ntrailing";
        let blocks = parse_blocks(pem.as_bytes());
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "NEW CERTIFICATE REQUEST");
        assert_eq!(blocks[0].der.as_deref().unwrap(), b"ABCDEF");
    }

    #[test]
    fn truncated_and_mismatched() {
        let blocks = parse_blocks(b"-----BEGIN CERTIFICATE REQUEST-----\nQUJD\n");
        assert!(blocks[0].der.as_ref().unwrap_err().contains("truncated"));
        let blocks = parse_blocks(b"-----BEGIN CERTIFICATE REQUEST-----\nQUJD\n-----END CERTIFICATE-----\n");
        assert!(blocks[0].der.as_ref().unwrap_err().contains("does not match"));
        let blocks = parse_blocks(b"-----BEGIN CERTIFICATE REQUEST\nQUJD\n");
        assert!(blocks[0].der.is_err());
    }

    #[test]
    fn encode_then_parse() {
        let pem = encode_pem("CERTIFICATE REQUEST", &[1, 2, 3, 4, 5]);
        let blocks = parse_blocks(pem.as_bytes());
        assert_eq!(blocks[0].der.as_deref().unwrap(), &[1, 2, 3, 4, 5]);
    }
}
