//! The tamper matrix: every parameter of a signed link changed, removed, duplicated,
//! moved and re-encoded. Only the untouched link passes `parse` + `verify`.
//!
//! Parameter order matters by design: the parser refuses any order but the documented
//! one (docs/connect-link.md, "One spelling per link").

use munity::link::{ConnectLink, LinkBuilder, LinkKey, Nonce};
use munity::{ApiKey, ErrorKind};

const NOW: i64 = 1_700_000_000;

fn api_key() -> ApiKey {
    ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").unwrap()
}

/// A link with every parameter, split into its `name=value` pieces.
fn pieces() -> (String, Vec<String>) {
    let signed = LinkBuilder::new("ws_1", "cus 42", "jira")
        .redirect_uri("https://app.example.com/done")
        .scope("read write")
        .sign_with_nonce(&api_key(), NOW, Nonce::from_bytes([7; 16]))
        .unwrap();
    let (base, query) = signed.url().split_once('?').unwrap();
    (
        base.to_owned(),
        query.split('&').map(str::to_owned).collect(),
    )
}

fn outcome(base: &str, pieces: &[String]) -> munity::Result<()> {
    let url = format!("{base}?{}", pieces.join("&"));
    ConnectLink::parse(&url)?.verify(&LinkKey::derive(&api_key()), NOW)
}

fn name_of(piece: &str) -> &str {
    piece.split_once('=').unwrap().0
}

/// A different value of the same shape, so the parser accepts it and only the
/// signature can catch it (or, for `v`, the version check).
fn changed_value(name: &str, value: &str) -> String {
    match name {
        "v" => "2".to_owned(),
        "exp" => (NOW + 601).to_string(),
        "key" => "REM0aW38".to_owned(),
        "nonce" => "BwcHBwcHBwcHBwcHBwcHBA".to_owned(),
        "sig" => {
            let mut s = value.to_owned();
            let last = if s.ends_with('A') { "E" } else { "A" };
            s.pop();
            s.push_str(last);
            s
        }
        "redirect_uri" => "https%3A%2F%2Fevil.example.com%2Fdone".to_owned(),
        _ => format!("{value}x"),
    }
}

#[test]
fn untouched_link_passes() {
    let (base, pieces) = pieces();
    outcome(&base, &pieces).unwrap();
}

#[test]
fn every_parameter_changed_fails() {
    let (base, pieces) = pieces();
    assert_eq!(pieces.len(), 10, "the matrix covers all ten parameters");
    for i in 0..pieces.len() {
        let mut tampered = pieces.clone();
        let (name, value) = pieces[i].split_once('=').unwrap();
        tampered[i] = format!("{name}={}", changed_value(name, value));
        let err = outcome(&base, &tampered).expect_err(&format!("changed `{name}` must fail"));
        let expected = if name == "v" {
            "link_invalid"
        } else {
            "link_invalid_signature"
        };
        assert_eq!(err.code(), expected, "changed `{name}`: {err}");
    }
}

#[test]
fn every_parameter_removed_fails() {
    let (base, pieces) = pieces();
    for i in 0..pieces.len() {
        let mut tampered = pieces.clone();
        let removed = tampered.remove(i);
        let err = outcome(&base, &tampered)
            .expect_err(&format!("removed `{}` must fail", name_of(&removed)));
        // Required parameters: parse error; optional ones: the signature no longer matches.
        let optional = matches!(name_of(&removed), "redirect_uri" | "scope");
        let expected = if optional {
            "link_invalid_signature"
        } else {
            "link_invalid"
        };
        assert_eq!(
            err.code(),
            expected,
            "removed `{}`: {err}",
            name_of(&removed)
        );
    }
}

#[test]
fn every_parameter_duplicated_fails() {
    let (base, pieces) = pieces();
    for i in 0..pieces.len() {
        // Right after itself (same value) and at the very end.
        for at in [i + 1, pieces.len()] {
            let mut tampered = pieces.clone();
            tampered.insert(at, pieces[i].clone());
            let err = outcome(&base, &tampered)
                .expect_err(&format!("duplicated `{}` must fail", name_of(&pieces[i])));
            assert_eq!(err.code(), "link_invalid");
            assert!(err.detail().contains("more than once"), "{err}");
        }
    }
}

#[test]
fn every_parameter_moved_fails() {
    let (base, pieces) = pieces();
    for i in 0..pieces.len() {
        for j in 0..pieces.len() {
            if i == j {
                continue;
            }
            let mut tampered = pieces.clone();
            let piece = tampered.remove(i);
            tampered.insert(j, piece);
            let err = outcome(&base, &tampered).expect_err(&format!(
                "moving `{}` to position {j} must fail",
                name_of(&pieces[i])
            ));
            assert_eq!(err.code(), "link_invalid");
            assert!(err.detail().contains("out of order"), "{err}");
        }
    }
}

#[test]
fn every_parameter_re_encoded_fails() {
    let (base, pieces) = pieces();
    for i in 0..pieces.len() {
        let (name, value) = pieces[i].split_once('=').unwrap();
        // The same decoded value, spelled differently: the first byte as %XX, lower-case
        // hex, and `+` spelled `%20` where there is one.
        let first = value.as_bytes()[0];
        let mut spellings = vec![
            format!("{name}=%{first:02X}{}", &value[1..]),
            format!("{name}=%{first:02x}{}", &value[1..]),
        ];
        if value.contains('+') {
            spellings.push(format!("{name}={}", value.replace('+', "%20")));
        }
        if value.contains("%2F") {
            spellings.push(format!("{name}={}", value.replace("%2F", "/")));
            spellings.push(format!("{name}={}", value.replace("%2F", "%2f")));
        }
        for spelling in spellings {
            let mut tampered = pieces.clone();
            tampered[i] = spelling.clone();
            let err =
                outcome(&base, &tampered).expect_err(&format!("re-encoded `{spelling}` must fail"));
            assert_eq!(err.code(), "link_invalid", "{spelling}: {err}");
        }
        // The name re-encoded.
        let mut tampered = pieces.clone();
        tampered[i] = format!("%{:02X}{}", name.as_bytes()[0], &pieces[i][1..]);
        assert_eq!(
            outcome(&base, &tampered).unwrap_err().code(),
            "link_invalid"
        );
    }
}

#[test]
fn extra_and_malformed_pieces_fail() {
    let (base, pieces) = pieces();
    for extra in ["utm_source=x", "sig2=x", "", "novalue", "v", "SIG=x", "=x"] {
        for at in [0, 5, pieces.len()] {
            let mut tampered = pieces.clone();
            tampered.insert(at, extra.to_owned());
            let err = outcome(&base, &tampered).expect_err(&format!("extra {extra:?} must fail"));
            assert_eq!(err.code(), "link_invalid", "{extra:?}: {err}");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
    }
}

#[test]
fn a_link_from_another_key_fails() {
    let (base, pieces) = pieces();
    let url = format!("{base}?{}", pieces.join("&"));
    let other = ApiKey::parse("REM0aW39.0000000000000000000000000000000X").unwrap();
    let err = ConnectLink::parse(&url)
        .unwrap()
        .verify(&LinkKey::derive(&other), NOW)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Verification);
    assert_eq!(err.code(), "link_invalid_signature");
}

#[test]
fn the_base_and_fragment_are_not_signed() {
    // Documented: the base URL is where the link is verified, not part of what is signed;
    // a fragment never reaches a server and is ignored.
    let (_, pieces) = pieces();
    outcome("http://127.0.0.1:9/v1/connect", &pieces).unwrap();
    let url = format!("https://x?{}#frag", pieces.join("&"));
    ConnectLink::parse(&url)
        .unwrap()
        .verify(&LinkKey::derive(&api_key()), NOW)
        .unwrap();
}

#[test]
fn errors_do_not_echo_the_signature() {
    let (base, mut pieces) = pieces();
    let sig = pieces[9].clone();
    pieces[9] = format!("{sig}A");
    let err = outcome(&base, &pieces).unwrap_err();
    assert!(!err.to_string().contains(&sig[4..]), "{err}");
    let link = ConnectLink::parse(&format!("{base}?{}", self::pieces().1.join("&"))).unwrap();
    assert!(
        !format!("{link:?}").contains(&sig[4..]),
        "Debug shows no signature"
    );
}
