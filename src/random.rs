//! Random bytes from the system's CSPRNG (ring's `SystemRandom`; in browsers,
//! `crypto.getRandomValues`).

use ring::rand::{SecureRandom, SystemRandom};

/// Fills `buf` with random bytes.
///
/// # Panics
/// Only if the operating system has no random source, which no supported platform lacks.
pub(crate) fn fill(buf: &mut [u8]) {
    SystemRandom::new()
        .fill(buf)
        .expect("the system random source failed");
}

/// `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}
