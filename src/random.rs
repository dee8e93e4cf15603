//! Random bytes from the system's CSPRNG: ring's `SystemRandom` natively, the browser's
//! `crypto.getRandomValues` in the browser build (directly: ring's way there, through
//! getrandom's JavaScript glue, costs the package about 1 KB for one IV per seal).

/// Fills `buf` with random bytes.
///
/// # Panics
/// Only if the operating system has no random source, which no supported platform lacks.
#[cfg(not(all(target_arch = "wasm32", feature = "wasm")))]
pub(crate) fn fill(buf: &mut [u8]) {
    use ring::rand::{SecureRandom, SystemRandom};
    SystemRandom::new()
        .fill(buf)
        .expect("the system random source failed");
}

/// Fills `buf` (at most 65,536 bytes: callers ask for a few dozen) with random bytes.
#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub(crate) fn fill(buf: &mut [u8]) {
    get_random_values(buf);
}

#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues(view)`: writes into the wasm memory the view shows.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// `N` random bytes.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}
