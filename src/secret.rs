//! [`Secret<T>`]: a value that is never printed and is wiped from memory on drop.
//!
//! Every API key, client secret, password, token and private key in this crate is held
//! in a `Secret`. `Debug` and `Display` print `[redacted]`; the only way to read the value
//! is [`Secret::expose`], which makes each use easy to find in review.
//!
//! ```
//! use munity::Secret;
//!
//! let password = Secret::new(String::from("hunter2"));
//! assert_eq!(format!("{password:?}"), "[redacted]");
//! assert_eq!(format!("{password}"), "[redacted]");
//! assert_eq!(password.expose(), "hunter2");
//! ```

use std::fmt;

use zeroize::Zeroize;

/// A value that prints as `[redacted]` and is zeroized when dropped.
///
/// Serializing a `Secret` writes the value itself (it must reach the API somehow);
/// keep serialized forms out of logs.
#[derive(Clone, Default)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// Reads the value. Call it only where the value is actually needed.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Secret<String> {
    /// Compares with `other` in time that depends only on the lengths.
    pub fn ct_eq(&self, other: &str) -> bool {
        crate::ct::eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<Vec<u8>> for Secret<Vec<u8>> {
    fn from(value: Vec<u8>) -> Self {
        Secret(value)
    }
}

impl<T: Zeroize + PartialEq> PartialEq for Secret<T> {
    /// Not constant-time; use [`Secret::ct_eq`] to check a guess against a secret.
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Zeroize + serde::Serialize> serde::Serialize for Secret<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

/// serde's data messages with the offending value left out (it may be a secret: a
/// token sent where an object was expected, a webhook secret in an answer of another
/// shape): `invalid type: string
/// "<value>", expected X` becomes `invalid type: string, expected X`, `unknown variant
/// `<value>`, expected ...` becomes `unknown variant, expected ...`.
pub(crate) fn serde_message_without_values(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (unexpected, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            let kind = unexpected
                .split_once([' ', '"', '`'])
                .map_or(unexpected, |(kind, _)| kind);
            return match expected {
                "" => format!("{prefix}{kind}"),
                expected => format!("{prefix}{kind}, expected {expected}"),
            };
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        return match rest.rsplit_once("`, expected ") {
            Some((_, expected)) => format!("unknown variant, expected {expected}"),
            None => "unknown variant".to_owned(),
        };
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new(String::from("REM0aW39.NfO0123456789CNeHpF29wo"));
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s:#?}"), "[redacted]");
        assert_eq!(s.to_string(), "[redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: Secret<String>,
        }
        let h = Holder { key: s.clone() };
        assert_eq!(format!("{h:?}"), "Holder { key: [redacted] }");
    }

    #[test]
    fn serde_round_trip_keeps_value() {
        let s: Secret<String> = serde_json::from_str("\"p@ss\"").unwrap();
        assert_eq!(s.expose(), "p@ss");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"p@ss\"");
    }

    #[test]
    fn constant_time_compare() {
        let s = Secret::from("abc");
        assert!(s.ct_eq("abc"));
        assert!(!s.ct_eq("abd"));
        assert!(!s.ct_eq("ab"));
    }

    #[test]
    fn serde_messages_lose_their_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            Test,
        }
        let secret = "tok-Zq9vX2mK7tPfL4wR8nYc";
        let quoted = format!("\"{secret}\"");
        let cases = [
            (
                serde_json::from_str::<u32>(&quoted).map(drop),
                "invalid type: string, expected u32",
            ),
            (
                serde_json::from_str::<Kind>(&quoted).map(drop),
                "unknown variant, expected `Test`",
            ),
            (
                serde_json::from_str::<u8>("-7").map(drop),
                "invalid value: integer, expected u8",
            ),
            (
                serde_json::from_str::<Vec<u8>>(&quoted).map(drop),
                "invalid type: string, expected a sequence",
            ),
        ];
        for (result, expected) in cases {
            let message = result.unwrap_err().to_string();
            let message = message.split(" at line ").next().unwrap_or("");
            assert_eq!(serde_message_without_values(message), expected);
        }
        let other = "missing field `url`";
        assert_eq!(serde_message_without_values(other), other);
    }
}
