//! PKCE (RFC 7636) with the `S256` method only: verifiers, challenges, and the check.

use crate::base64_strict::encode_url;

/// A fresh `code_verifier`: 32 random bytes, base64url (43 characters).
pub(crate) fn new_verifier() -> String {
    encode_url(&crate::random::bytes::<32>())
}

/// `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub(crate) fn challenge(verifier: &str) -> String {
    encode_url(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref())
}

/// Whether a `code_verifier` or `code_challenge` has the RFC's form: 43 to 128
/// characters of `[A-Za-z0-9-._~]`.
pub(crate) fn well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` is the one behind `challenge` (constant-time comparison).
pub(crate) fn verify(verifier: &str, challenge_sent: &str) -> bool {
    well_formed(verifier)
        && crate::ct::eq(challenge(verifier).as_bytes(), challenge_sent.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let vector: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/rfc7636-appendix-b.json"
        ))
        .unwrap();
        let verifier = vector["code_verifier"].as_str().unwrap();
        let expected = vector["code_challenge"].as_str().unwrap();
        assert_eq!(challenge(verifier), expected);
        assert!(verify(verifier, expected));
        assert!(!verify(&verifier.replace('d', "e"), expected));
    }

    #[test]
    fn verifiers_are_fresh_and_well_formed() {
        let (a, b) = (new_verifier(), new_verifier());
        assert_ne!(a, b);
        assert!(well_formed(&a));
        assert!(!well_formed("short"));
        assert!(!well_formed(&"a".repeat(129)));
        assert!(!well_formed(&format!("{}!", "a".repeat(43))));
    }
}
