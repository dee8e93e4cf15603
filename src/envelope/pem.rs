//! PEM (RFC 7468) decoding of one block: its label and its DER bytes.
//!
//! RustCrypto's `pem-rfc7468`, natively and in the browser: RFC 7468's strict form
//! (base64 lines of 64 characters, no RFC 1421 headers), what OpenSSL, rcgen and the
//! sandbox write, and what `der` and the private-key reader use too. One reader, so a
//! certificate the browser takes is one the server takes. It costs the npm package
//! 2.1 KB gzipped more than the hand-written decoder it replaced.

/// Decodes the single PEM block `text` (already trimmed) into its label and bytes; the
/// error says what is wrong.
pub(crate) fn decode(text: &str) -> Result<(&str, Vec<u8>), impl std::fmt::Display> {
    pem_rfc7468::decode_vec(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    /// A PEM block as OpenSSL writes it: 64-character lines, `line_end` after each.
    fn block(label: &str, der: &[u8], line_end: &str) -> String {
        let body = STANDARD.encode(der);
        let mut out = format!("-----BEGIN {label}-----{line_end}");
        for line in body.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push_str(line_end);
        }
        out.push_str(&format!("-----END {label}-----"));
        out
    }

    #[test]
    fn reads_what_openssl_writes() {
        let der: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        for len in [1, 48, 49, 300] {
            for line_end in ["\n", "\r\n"] {
                let text = block("CERTIFICATE", &der[..len], line_end);
                let native = super::decode(&text).map_err(|e| e.to_string());
                assert_eq!(native, Ok(("CERTIFICATE", der[..len].to_vec())), "{text:?}");
            }
        }
    }

    #[test]
    fn refuses_malformed_blocks() {
        let good = block("PUBLIC KEY", &[7; 40], "\n");
        for bad in [
            good.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----"),
            good.replace("-----END PUBLIC KEY-----", ""),
            good.replacen('B', "*", 2),
            good.replace(
                "-----BEGIN PUBLIC KEY-----\n",
                "-----BEGIN PUBLIC KEY-----\nProc-Type: 4,ENCRYPTED\n\n",
            ),
        ] {
            assert!(super::decode(&bad).is_err(), "{bad:?}");
        }
    }
}
