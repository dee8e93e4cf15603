//! Forward-compatible enums: the API grows (a new auth type, a new project status, a new
//! field kind), and an answer holding a value this version does not know must still
//! read, so that one new value never fails a whole page or ends a `list_all`.
//!
//! [`open_enum!`] declares such an enum once, with its wire names: the known variants,
//! plus `Unknown(String)` that keeps any other value exactly as sent (and sends it back
//! unchanged). Serde, `as_str`, `From<&str>`, `Display` and the browser bindings all go
//! through that one table.

/// What every enum [`open_enum!`] declares has, for code generic over them (the
/// sandbox's checks that a request names a known value).
#[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
pub(crate) trait OpenEnum: for<'a> From<&'a str> {
    /// The wire names this version knows, in declaration order.
    const WIRE_NAMES: &'static [&'static str];
    /// False for `Unknown`.
    fn is_known(&self) -> bool;
}

/// Declares a `#[non_exhaustive]` string enum of the API: the variants with their wire
/// names, and `Unknown(String)` for every other value.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        ///
        /// Forward compatible: a value this version of the crate does not know reads as
        /// `Unknown` with the value as sent, and is written back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value added to the API after this version of the crate, as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire name; for `Unknown`, the value as sent.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// False for `Unknown`.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl $crate::model::open_enum::OpenEnum for $name {
            const WIRE_NAMES: &'static [&'static str] = &[$($wire),+];
            fn is_known(&self) -> bool {
                $name::is_known(self)
            }
        }

        impl From<&str> for $name {
            /// The variant of a wire name; any other text is `Unknown`.
            fn from(text: &str) -> $name {
                match text {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {

    open_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn wire_names_are_the_known_values() {
        use super::OpenEnum;
        assert_eq!(Colour::WIRE_NAMES, ["red", "dark_blue"]);
        let names: Vec<&str> = Colour::KNOWN.iter().map(Colour::as_str).collect();
        assert_eq!(names, Colour::WIRE_NAMES);
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        for (wire, value) in [
            ("red", Colour::Red),
            ("dark_blue", Colour::DarkBlue),
            ("ultra_violet", Colour::Unknown("ultra_violet".into())),
            ("Red", Colour::Unknown("Red".into())),
            ("", Colour::Unknown(String::new())),
        ] {
            let json = serde_json::to_string(wire).unwrap();
            let read: Colour = serde_json::from_str(&json).unwrap();
            assert_eq!(read, value, "{wire}");
            assert_eq!(serde_json::to_string(&read).unwrap(), json);
            assert_eq!(read.as_str(), wire);
            assert_eq!(read.to_string(), wire);
            assert_eq!(read.is_known(), Colour::KNOWN.contains(&read));
        }
        assert_eq!(Colour::KNOWN, &[Colour::Red, Colour::DarkBlue]);
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }
}
