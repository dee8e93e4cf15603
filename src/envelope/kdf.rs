//! The Concat KDF of NIST SP 800-56A as JWA profiles it for ECDH-ES (RFC 7518 §4.6.2),
//! with SHA-256. One implementation, used by both `seal` and `open`.

use ring::digest;
use zeroize::Zeroizing;

/// Derives `key_len` bytes from the shared secret `z`.
///
/// `OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo`, where
/// - `AlgorithmID = len32(alg) || alg` (for direct key agreement: the `enc` value),
/// - `PartyUInfo = len32(apu) || apu`, `PartyVInfo = len32(apv) || apv`,
/// - `SuppPubInfo = keydatalen in bits` (32-bit big-endian),
/// - `SuppPrivInfo` is empty;
///
/// and round `i` (from 1) hashes `i (32-bit big-endian) || Z || OtherInfo`; the rounds
/// are concatenated and truncated to `key_len`.
pub(crate) fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut other_info = Vec::with_capacity(16 + algorithm_id.len() + apu.len() + apv.len());
    push_with_length(&mut other_info, algorithm_id.as_bytes());
    push_with_length(&mut other_info, apu);
    push_with_length(&mut other_info, apv);
    // Key lengths are at most a few dozen bytes (callers pass constants), so the bit
    // count fits in 32 bits.
    let bits = u32::try_from(key_len.saturating_mul(8)).unwrap_or(u32::MAX);
    other_info.extend_from_slice(&bits.to_be_bytes());

    let mut out = Zeroizing::new(Vec::with_capacity(key_len + digest::SHA256_OUTPUT_LEN));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&counter.to_be_bytes());
        ctx.update(z);
        ctx.update(&other_info);
        out.extend_from_slice(ctx.finish().as_ref());
        counter = counter.wrapping_add(1);
    }
    out.truncate(key_len);
    out
}

/// Appends `len32(data) || data`. Inputs longer than `u32::MAX` cannot occur: they come
/// from envelopes of at most 64 KiB or from constants.
fn push_with_length(out: &mut Vec<u8>, data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_keys_take_several_rounds() {
        let z = [7u8; 32];
        let long = concat_kdf(&z, "A256GCM", b"", b"", 48);
        assert_eq!(long.len(), 48);
        // The first round depends on the requested length (SuppPubInfo), so a 48-byte
        // key does not start with the 32-byte key.
        let short = concat_kdf(&z, "A256GCM", b"", b"", 32);
        assert_ne!(&long[..32], &short[..]);
    }
}
