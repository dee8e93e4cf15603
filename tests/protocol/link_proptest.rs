//! Property tests: `parse` never panics on any input, and whatever the builder accepts
//! round-trips through parse and verify.

use munity::link::{ConnectLink, LinkBuilder, LinkKey, Nonce};
use munity::ApiKey;
use proptest::prelude::*;

fn api_key() -> ApiKey {
    ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap()
}

const VALID: &str = "https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=1700000600&nonce=AAECAwQFBgcICQoLDA0ODw&sig=8GOes1hoyVbnXeHp6w2iJiLphDCGM_7R_NRMo2mIsno";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics(input in any::<String>()) {
        let _ = ConnectLink::parse(&input);
        let _ = ConnectLink::parse_query(&input);
    }

    #[test]
    fn parse_never_panics_on_query_like_input(input in "[?&=%+a-z_0-9A-F#é]{0,200}") {
        let _ = ConnectLink::parse(&input);
        let _ = ConnectLink::parse_query(&input);
    }

    #[test]
    fn mutating_a_valid_link_never_panics_and_never_verifies(
        at in 0usize..VALID.len(),
        byte in any::<u8>(),
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        let text = String::from_utf8_lossy(&bytes);
        let key = LinkKey::derive(&api_key());
        if let Ok(link) = ConnectLink::parse(&text) {
            // Only a change before `?` (the unsigned base) may still verify.
            let verified = link.verify(&key, 1_700_000_000).is_ok();
            let query_start = VALID.find('?').unwrap();
            prop_assert!(!verified || at < query_start, "mutation at {} verified", at);
        }
    }

    #[test]
    fn built_links_round_trip(
        workspace in "[^\\p{Cc}]{1,40}",
        customer in "[^\\p{Cc}]{1,40}",
        connector in "[a-z0-9_-]{1,20}",
        nonce in any::<[u8; 16]>(),
        now in 0i64..4_000_000_000,
        scope in proptest::option::of("[a-z:]{1,8}( [a-z:]{1,8}){0,3}"),
    ) {
        let mut builder = LinkBuilder::new(workspace, customer, connector);
        if let Some(scope) = scope {
            builder = builder.scope(scope);
        }
        let signed = builder.sign_with_nonce(&api_key(), now, Nonce::from_bytes(nonce)).unwrap();
        let parsed = ConnectLink::parse(signed.url()).unwrap();
        prop_assert_eq!(&parsed, signed.link());
        parsed.verify(&LinkKey::derive(&api_key()), now).unwrap();
    }
}
