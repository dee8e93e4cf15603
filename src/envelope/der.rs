//! A minimal DER reader: just what the workspace certificate needs (X.509 and
//! SubjectPublicKeyInfo), small enough for the browser build, where the `x509-cert`
//! crate family cost about 50 KB gzipped.
//!
//! Only definite lengths in their shortest form (DER), single-byte tags, and values
//! that fit in the input are accepted; every read is bounds-checked and a malformed
//! input gives `None`, never a panic.

/// `SEQUENCE` (constructed).
pub(crate) const SEQUENCE: u8 = 0x30;
/// `INTEGER`.
pub(crate) const INTEGER: u8 = 0x02;
/// `BIT STRING`.
pub(crate) const BIT_STRING: u8 = 0x03;
/// `OBJECT IDENTIFIER`.
pub(crate) const OID: u8 = 0x06;
/// `UTCTime`.
pub(crate) const UTC_TIME: u8 = 0x17;
/// `GeneralizedTime`.
pub(crate) const GENERALIZED_TIME: u8 = 0x18;

/// `id-ecPublicKey` (RFC 5480), `1.2.840.10045.2.1`, as DER content bytes.
pub(crate) const ID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `secp256r1` (P-256, RFC 5480), `1.2.840.10045.3.1.7`.
pub(crate) const SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// `id-X25519` (RFC 8410), `1.3.101.110`.
pub(crate) const ID_X25519: &[u8] = &[0x2b, 0x65, 0x6e];

/// The longest value this reader accepts: 4 length bytes (far beyond the 64 KiB a
/// certificate may have anyway).
const MAX_LENGTH_BYTES: usize = 4;

/// Reads consecutive TLVs (tag, length, value) from a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub(crate) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { rest: data }
    }

    /// True when every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element: its tag and value. `None` if it is malformed or truncated.
    pub(crate) fn read_any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        // High tag numbers (0x1f) never occur in the structures read here.
        if tag & 0x1f == 0x1f {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // 0x80 is the indefinite length (BER only); 0xff is reserved.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > MAX_LENGTH_BYTES {
                return None;
            }
            let (bytes, after) = split(rest, count)?;
            rest = after;
            // DER: no leading zero byte, and the long form only from 128 on.
            if bytes.first() == Some(&0) {
                return None;
            }
            let len = bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
            if len < 0x80 {
                return None;
            }
            len
        };
        let (value, after) = split(rest, len)?;
        self.rest = after;
        Some((tag, value))
    }

    /// The next element's value if its tag is `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.read_any()? {
            (t, value) if t == tag => Some(value),
            _ => None,
        }
    }

    /// The next element's value if it has tag `tag`; nothing (and nothing read) if the
    /// next element has another tag or there is none.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Some(None)
        }
    }
}

/// `data` split after `at` bytes, if it has that many.
fn split(data: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    (at <= data.len()).then(|| data.split_at(at))
}

/// The value of the single element that makes up all of `data`, if its tag is `tag`.
pub(crate) fn read_whole(data: &[u8], tag: u8) -> Option<&[u8]> {
    let mut reader = Reader::new(data);
    let value = reader.read(tag)?;
    reader.is_empty().then_some(value)
}

/// The contents of a `BIT STRING` value that has no unused bits (a key is always whole
/// bytes).
pub(crate) fn bit_string_bytes(value: &[u8]) -> Result<&[u8], BitStringError> {
    match value.split_first() {
        Some((0, bytes)) => Ok(bytes),
        Some((1..=7, bytes)) if !bytes.is_empty() => Err(BitStringError::UnusedBits),
        _ => Err(BitStringError::Malformed),
    }
}

/// Why a `BIT STRING` cannot hold a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BitStringError {
    /// Well-formed, but not a whole number of bytes.
    UnusedBits,
    /// Empty, or an unused-bit count above 7, or unused bits in an empty string.
    Malformed,
}

/// An OBJECT IDENTIFIER value in dotted form (`1.2.840.10045.2.1`), or `None` if the
/// encoding is not valid DER (empty, unterminated, non-minimal, arcs above 2^64).
pub(crate) fn oid_to_string(value: &[u8]) -> Option<String> {
    if value.last()? & 0x80 != 0 {
        return None;
    }
    let mut out = String::new();
    let mut arc: u64 = 0;
    let mut start = true;
    for &byte in value {
        // A subidentifier may not start with 0x80 (a leading zero group).
        if start && byte == 0x80 {
            return None;
        }
        arc = arc.checked_mul(128)? | u64::from(byte & 0x7f);
        start = byte & 0x80 == 0;
        if start {
            if out.is_empty() {
                let (first, second) = match arc {
                    0..=39 => (0, arc),
                    40..=79 => (1, arc - 40),
                    _ => (2, arc - 80),
                };
                out = format!("{first}.{second}");
            } else {
                out.push('.');
                out.push_str(&arc.to_string());
            }
            arc = 0;
        }
    }
    Some(out)
}

/// The unix seconds of a `UTCTime` (`YYMMDDHHMMSSZ`, years 1950 to 2049) or
/// `GeneralizedTime` (`YYYYMMDDHHMMSSZ`) value in DER form (seconds present, `Z`, no
/// fraction). Dates before 1970 are refused, as `x509-cert` did.
pub(crate) fn time_to_unix(tag: u8, value: &[u8]) -> Option<i64> {
    let digits = |from: usize, count: usize| -> Option<u32> {
        let bytes = value.get(from..from.checked_add(count)?)?;
        bytes.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let (year, at) = match (tag, value.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (GENERALIZED_TIME, 15) => (digits(0, 4)?, 4),
        _ => return None,
    };
    if value.last() != Some(&b'Z') {
        return None;
    }
    let civil = crate::time::Civil {
        year: i64::from(year),
        month: digits(at, 2)?,
        day: digits(at + 2, 2)?,
        hour: digits(at + 4, 2)?,
        minute: digits(at + 6, 2)?,
        second: digits(at + 8, 2)?,
    };
    let days_in_month = match civil.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    let valid = year >= 1970
        && (1..=days_in_month).contains(&civil.day)
        && civil.hour < 24
        && civil.minute < 60
        && civil.second < 60;
    valid.then(|| civil.to_unix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        let mut r = Reader::new(&[0x02, 0x01, 0x05, 0x04, 0x00]);
        assert_eq!(r.read_any(), Some((0x02, &[0x05][..])));
        assert_eq!(r.read_any(), Some((0x04, &[][..])));
        assert!(r.is_empty());
        assert_eq!(r.read_any(), None);

        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(Reader::new(&long).read(0x04).map(<[u8]>::len), Some(0x80));
        let mut two = vec![0x04, 0x82, 0x01, 0x00];
        two.extend([7u8; 0x100]);
        assert_eq!(Reader::new(&two).read(0x04).map(<[u8]>::len), Some(0x100));
    }

    #[test]
    fn refuses_ber_and_truncation() {
        for bad in [
            &[0x30, 0x80, 0x00, 0x00][..],                // indefinite length
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5][..],       // long form below 128
            &[0x04, 0x82, 0x00, 0x80][..],                // leading zero length byte
            &[0x04, 0x85, 1, 0, 0, 0, 0][..],             // 5 length bytes
            &[0x04, 0xff][..],                            // reserved
            &[0x04, 0x03, 1, 2][..],                      // value past the end
            &[0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0][..], // huge length
            &[0x1f, 0x01, 0x00][..],                      // high tag number
            &[0x04][..],                                  // no length
            &[][..],
        ] {
            assert_eq!(Reader::new(bad).read_any(), None, "{bad:02x?}");
        }
    }

    #[test]
    fn whole_and_optional() {
        assert_eq!(read_whole(&[0x05, 0x00], 0x05), Some(&[][..]));
        assert_eq!(read_whole(&[0x05, 0x00, 0x00], 0x05), None, "trailing byte");
        assert_eq!(read_whole(&[0x05, 0x00], 0x06), None, "other tag");
        let mut r = Reader::new(&[0x02, 0x01, 0x01]);
        assert_eq!(r.read_optional(0xa0), Some(None));
        assert_eq!(r.read_optional(INTEGER), Some(Some(&[1][..])));
        assert_eq!(r.read_optional(INTEGER), Some(None));
    }

    #[test]
    fn bit_strings() {
        assert_eq!(bit_string_bytes(&[0, 1, 2]), Ok(&[1, 2][..]));
        assert_eq!(bit_string_bytes(&[0]), Ok(&[][..]));
        assert_eq!(
            bit_string_bytes(&[3, 0xf8]),
            Err(BitStringError::UnusedBits)
        );
        assert_eq!(bit_string_bytes(&[3]), Err(BitStringError::Malformed));
        assert_eq!(bit_string_bytes(&[8, 0]), Err(BitStringError::Malformed));
        assert_eq!(bit_string_bytes(&[]), Err(BitStringError::Malformed));
    }

    #[test]
    fn oids() {
        let ec = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
        assert_eq!(oid_to_string(&ec).as_deref(), Some("1.2.840.10045.2.1"));
        assert_eq!(
            oid_to_string(&[0x2b, 0x65, 0x6e]).as_deref(),
            Some("1.3.101.110")
        );
        assert_eq!(oid_to_string(&[0x88, 0x37]).as_deref(), Some("2.999"));
        assert_eq!(oid_to_string(&[]), None);
        assert_eq!(oid_to_string(&[0x2a, 0x86]), None, "unterminated");
        assert_eq!(
            oid_to_string(&[0x2a, 0x80, 0x01]),
            None,
            "leading zero group"
        );
        assert_eq!(oid_to_string(&[0xff; 11]), None, "over 64 bits");
    }

    #[test]
    fn times() {
        assert_eq!(time_to_unix(UTC_TIME, b"700101000000Z"), Some(0));
        assert_eq!(
            time_to_unix(UTC_TIME, b"261124120000Z"),
            Some(1_795_521_600)
        );
        assert_eq!(
            time_to_unix(GENERALIZED_TIME, b"20261124120000Z"),
            Some(1_795_521_600)
        );
        assert_eq!(
            time_to_unix(GENERALIZED_TIME, b"20240229235959Z"),
            Some(1_709_251_199)
        );
        assert_eq!(
            time_to_unix(UTC_TIME, b"491231235959Z"),
            Some(2_524_607_999),
            "UTCTime 49 is 2049"
        );
        for (tag, bad) in [
            (UTC_TIME, &b"690101000000Z"[..]), // 1969
            (UTC_TIME, b"2611241200Z"),        // no seconds
            (UTC_TIME, b"261124120000+0100"),  // offset
            (UTC_TIME, b"261324120000Z"),      // month 13
            (UTC_TIME, b"230229120000Z"),      // 29 Feb in a common year
            (UTC_TIME, b"261124240000Z"),      // hour 24
            (UTC_TIME, b"26112412000aZ"),
            (GENERALIZED_TIME, b"20261124120000.5Z"),
            (GENERALIZED_TIME, b"261124120000Z"),
            (0x04, b"261124120000Z"),
        ] {
            assert_eq!(
                time_to_unix(tag, bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
