//! Opening envelopes: any bytes are refused with a typed error or open, never a panic.
//! Seeds in `fuzz/seeds/open` are envelopes sealed to `tests/corpus/envelope/p256-public.pem`
//! at `NOW` (lifetime one hour), so mutations start from valid envelopes for this key.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use munity::envelope::{SessionBinding, WorkspacePrivateKey};

/// When the seeds were sealed (their `iat`).
const NOW: i64 = 1_795_438_202;

fn key() -> &'static WorkspacePrivateKey {
    static KEY: OnceLock<WorkspacePrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        WorkspacePrivateKey::from_pem(include_str!("../../tests/corpus/envelope/p256-private.pem"))
            .expect("the corpus key parses")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let expected = SessionBinding::new("cus_1", "jira", "bm9uY2U").with_workspace("ws_1");
        let _ = key().open(text, &expected, NOW);
    }
});
