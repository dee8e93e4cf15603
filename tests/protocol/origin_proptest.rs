//! `munity::origin` on arbitrary input: never a panic, a canonical form that parses to
//! itself, and only `https` or loopback `http` accepted (with `is_trustworthy`, the rule
//! of a link's `redirect_uri` and the package's `apiBase`, agreeing).

use munity::origin::{is_trustworthy, Origin};
use proptest::prelude::*;

/// Strings shaped like origins, with the characters that matter to the parser.
fn origin_like() -> impl Strategy<Value = String> {
    (
        prop_oneof!["https://", "http://", "HTTPS://", "ftp://", "", "http:/"],
        "[a-zA-Z0-9.\\-\\[\\]:*@_/?#%]{0,40}",
    )
        .prop_map(|(scheme, rest)| format!("{scheme}{rest}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn any_text_is_parsed_or_refused_without_panicking(text in "\\PC{0,80}") {
        let _ = Origin::parse(&text);
        let _ = Origin::of_url(&text);
        let _ = is_trustworthy(&text);
    }

    #[test]
    fn an_accepted_origin_is_canonical_and_trustworthy(text in origin_like()) {
        if let Ok(origin) = Origin::parse(&text) {
            let again = Origin::parse(origin.as_str()).expect("the canonical form parses");
            prop_assert_eq!(&again, &origin);
            prop_assert!(is_trustworthy(origin.as_str()), "{}", origin);
            prop_assert!(origin.as_str().starts_with("https://") || origin.is_loopback());
            let authority = origin.as_str().split_once("://").map_or("", |(_, a)| a);
            prop_assert!(!authority.contains(['*', '@', '/', '?', '#']), "{}", origin);
        }
    }
}
