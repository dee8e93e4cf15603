//! The little JSON the envelope code reads and writes: objects whose members it looks
//! up by name (JWKs, the JWE protected header, credentials) and the payload it writes.
//!
//! A strict RFC 8259 reader (any JSON is accepted where an object is expected, but only
//! strings, integers and objects are kept; other numbers, booleans, null and arrays are
//! checked and dropped) and a string escaper. It is the one reader of the envelope
//! format (header, JWKs, payload, credentials) on both faces: the browser build cannot
//! afford serde_json (several KB gzipped), and one reader means one behaviour.
//!
//! Bounded: nesting deeper than [`MAX_DEPTH`] is refused; no recursion beyond that.
//! Duplicate member names are refused (RFC 7516 allows it for JOSE headers): readers
//! that keep the first and readers that keep the last would see two different
//! envelopes.

/// The deepest nesting of objects and arrays accepted (serde_json's default too).
const MAX_DEPTH: usize = 128;

/// Whether integers are kept ([`Value::Integer`]): only the payload has any, and only
/// the platform reads payloads. The browser build leaves the conversion out.
const KEEP_INTEGERS: bool = cfg!(any(feature = "platform", test));

/// A JSON value as the envelope code sees it. No `Debug` outside tests: a string may
/// be a credential.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub(crate) enum Value {
    /// A string, unescaped.
    String(String),
    /// An object.
    Object(Object),
    /// A number written as an integer (no fraction, no exponent) that fits an `i64`
    /// (with feature `platform`; [`Value::Other`] without).
    #[cfg_attr(not(feature = "platform"), allow(dead_code))]
    Integer(i64),
    /// Any other number, `true`, `false`, `null` or an array: valid, but not kept.
    Other,
}

/// A JSON object's members in document order, each name once. A plain list rather
/// than a map: the objects read here have a handful of members, and a second `BTreeMap`
/// instance costs the browser build more than it saves.
#[derive(Clone, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub(crate) struct Object {
    members: Vec<(String, Value)>,
}

impl Object {
    /// The member named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.members
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, value)| value)
    }

    /// True when a member is named `name`.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when it has no members.
    #[cfg_attr(not(feature = "platform"), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Takes out the member named `name`.
    #[cfg_attr(not(feature = "platform"), allow(dead_code))]
    pub(crate) fn remove(&mut self, name: &str) -> Option<Value> {
        let at = self.members.iter().position(|(member, _)| member == name)?;
        Some(self.members.remove(at).1)
    }
}

impl IntoIterator for Object {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    /// The members in document order.
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

/// Why a text is not a JSON object: what went wrong and the byte offset where.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonError {
    what: &'static str,
    offset: usize,
}

impl JsonError {
    /// A description that never quotes the input: `not valid JSON at byte 12`.
    pub(crate) fn describe(&self) -> String {
        let mut out = String::from(self.what);
        out.push_str(" at byte ");
        push_uint(&mut out, self.offset as u64);
        out
    }
}

/// Reads a text that must be exactly one JSON object (whitespace around it allowed).
pub(crate) fn parse_object(text: &[u8]) -> Result<Object, JsonError> {
    let mut reader = Reader { text, pos: 0 };
    reader.skip_whitespace();
    if reader.peek() != Some(b'{') {
        return Err(reader.error("not a JSON object"));
    }
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.pos != text.len() {
        return Err(reader.error("trailing characters"));
    }
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(reader.error("not a JSON object")),
    }
}

struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, what: &'static str) -> JsonError {
        JsonError {
            what,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<u8, JsonError> {
        let byte = self
            .peek()
            .ok_or_else(|| self.error("the JSON ends early"))?;
        self.pos += 1;
        Ok(byte)
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        if self.next()? == byte {
            Ok(())
        } else {
            self.pos -= 1;
            Err(self.error("not valid JSON"))
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth + 1).map(Value::Object),
            Some(b'[') => self.array(depth + 1).map(|()| Value::Other),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("not valid JSON")),
            None => Err(self.error("the JSON ends early")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Object, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the JSON nests too deeply"));
        }
        self.expect(b'{')?;
        let mut object = Object::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(object);
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("not valid JSON"));
            }
            let name_at = self.pos;
            let name = self.string()?;
            if object.contains_key(&name) {
                self.pos = name_at;
                return Err(self.error("a member name appears twice"));
            }
            self.skip_whitespace();
            self.expect(b':')?;
            let value = self.value(depth)?;
            object.members.push((name, value));
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Ok(object),
                _ => {
                    self.pos -= 1;
                    return Err(self.error("not valid JSON"));
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the JSON nests too deeply"));
        }
        self.expect(b'[')?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b']' => return Ok(()),
                _ => {
                    self.pos -= 1;
                    return Err(self.error("not valid JSON"));
                }
            }
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<Value, JsonError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Value::Other)
        } else {
            Err(self.error("not valid JSON"))
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => {
                self.pos -= 1;
                return Err(self.error("not valid JSON"));
            }
        }
        let integer_end = self.pos;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
        }
        if KEEP_INTEGERS && self.pos == integer_end {
            let value = integer(&self.text[start..integer_end]);
            return Ok(value.map_or(Value::Other, Value::Integer));
        }
        Ok(Value::Other)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            return Err(self.error("not valid JSON"));
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let start = self.pos;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.extend_from_slice(&self.text[start..self.pos]);
            match self.next()? {
                b'"' => break,
                b'\\' => {
                    let escaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape in a JSON string"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(escaped.encode_utf8(&mut buf).as_bytes());
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.error("control character in a JSON string"));
                }
            }
        }
        String::from_utf8(out).map_err(|_| self.error("a JSON string is not valid UTF-8"))
    }

    /// The character of `\uXXXX` (after the `u`), with a surrogate pair's second half.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.next()? != b'\\' || self.next()? != b'u' {
                    return Err(self.error("lone surrogate in a JSON string"));
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in a JSON string"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate in a JSON string"))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = match self.next()? {
                byte @ b'0'..=b'9' => byte - b'0',
                byte @ b'a'..=b'f' => byte - b'a' + 10,
                byte @ b'A'..=b'F' => byte - b'A' + 10,
                _ => {
                    self.pos -= 1;
                    return Err(self.error("invalid escape in a JSON string"));
                }
            };
            code = code * 16 + u32::from(digit);
        }
        Ok(code)
    }
}

/// The value of `-?[0-9]+`, when it fits an `i64` (summed negatively, so that
/// `i64::MIN` fits too).
fn integer(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    let value = digits.iter().try_fold(0i64, |sum, &digit| {
        sum.checked_mul(10)?.checked_sub(i64::from(digit - b'0'))
    })?;
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// Appends `text` as a JSON string, quoted and escaped as serde_json does: `"` and `\`,
/// control characters as `\n`-style or `\u00XX` escapes, everything else as is.
pub(crate) fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[byte >> 4]));
                out.push(char::from(HEX[byte & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a signed integer in decimal.
pub(crate) fn push_int(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    push_uint(out, value.unsigned_abs());
}

fn push_uint(out: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = value;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in digits[..len].iter().rev() {
        out.push(char::from(digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Object {
        parse_object(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {}", e.describe()))
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#" { "a" : "x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00", "n": -12.5e+3, "b": [true,false,null,[],{}],
            "o": {"k": "v", "z": 0}, "a2": "" , "i": -1700000000, "big": 9223372036854775808,
            "min": -9223372036854775808, "max": 9223372036854775807, "m0": -0} "#;
        let obj = object(text);
        assert_eq!(
            obj.get("a"),
            Some(&Value::String(
                "x\"y\\z/\u{8}\u{c}\n\r\t\u{e9}\u{1F600}".into()
            ))
        );
        assert_eq!(obj.get("n"), Some(&Value::Other));
        assert_eq!(obj.get("b"), Some(&Value::Other));
        assert_eq!(obj.get("big"), Some(&Value::Other));
        assert_eq!(obj.get("min"), Some(&Value::Integer(i64::MIN)));
        assert_eq!(obj.get("max"), Some(&Value::Integer(i64::MAX)));
        assert_eq!(obj.get("m0"), Some(&Value::Integer(0)));
        let mut obj = obj;
        assert_eq!(obj.remove("i"), Some(Value::Integer(-1_700_000_000)));
        assert!(!obj.contains_key("i") && obj.contains_key("n"));
        let Some(Value::Object(inner)) = obj.get("o") else {
            panic!("no inner object")
        };
        assert_eq!(inner.get("k"), Some(&Value::String("v".into())));
        assert_eq!(inner.get("z"), Some(&Value::Integer(0)));
        // Agrees with serde_json on every text here.
        for text in [text, "{}", r#"{"a":{"b":{"c":[1,2,{"d":"e"}]}}}"#] {
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let bad = [
            "",
            "[]",
            "\"a\"",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1}}",
            "{\"a\":1} x",
            "{'a':1}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\ud800\\u0041\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":[1 2]}",
            "{\"a\":\"unterminated}",
            "{1:2}",
        ];
        for text in bad {
            assert!(parse_object(text.as_bytes()).is_err(), "{text:?}");
            if !text.starts_with('[') && !text.starts_with('"') {
                assert!(
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                        .is_err(),
                    "{text:?}"
                );
            }
        }
        assert!(parse_object(b"{\"a\":\"\xff\"}").is_err());
    }

    #[test]
    fn refuses_duplicate_member_names() {
        for text in [
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":"1","b":1,"a":"1"}"#,
            r#"{"o":{"k":1,"k":2}}"#,
            r#"{"a\u0062":1,"ab":2}"#,
        ] {
            let err = parse_object(text.as_bytes()).unwrap_err();
            assert!(
                err.describe().starts_with("a member name appears twice"),
                "{text}"
            );
        }
        // Equal names in different objects are different members.
        assert!(parse_object(br#"{"a":{"a":1},"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "{\"a\":".repeat(200), "}".repeat(200));
        let err = parse_object(deep.as_bytes()).unwrap_err();
        assert!(err.describe().starts_with("the JSON nests too deeply"));
        let arrays = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_object(arrays.as_bytes()).is_err());
        let ok = format!(
            "{}{}",
            "{\"a\":".repeat(100),
            "{}".to_owned() + &"}".repeat(100)
        );
        assert!(parse_object(ok.as_bytes()).is_ok());
    }

    #[test]
    fn writes_strings_as_serde_json_does() {
        let mut all = String::new();
        for byte in 0u8..0x80 {
            all.push(char::from(byte));
        }
        all.push_str("é😀\u{2028}");
        let mut out = String::new();
        push_string(&mut out, &all);
        assert_eq!(out, serde_json::to_string(&all).unwrap());
        assert_eq!(
            object(&format!("{{\"k\":{out}}}")).get("k"),
            Some(&Value::String(all))
        );
    }

    #[test]
    fn writes_integers() {
        for value in [0, 7, -7, 1_700_000_000, i64::MAX, i64::MIN] {
            let mut out = String::new();
            push_int(&mut out, value);
            assert_eq!(out, value.to_string());
        }
        let err = JsonError {
            what: "x",
            offset: 120,
        };
        assert_eq!(err.describe(), "x at byte 120");
    }
}
