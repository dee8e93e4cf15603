//! The parts of X.509 (RFC 5280 §4.1) and SubjectPublicKeyInfo (RFC 5480) that a
//! workspace certificate is read for, decoded by RustCrypto's `der` crate: strict DER
//! (definite, minimal lengths; canonical integers, bit strings, OIDs and times; no
//! trailing bytes), every read bounds-checked, a typed error and never a panic.
//!
//! Only the validity period and the key are kept; the fields the envelope never uses
//! (version, serial number, issuer, subject, unique ids, extensions, signature) are
//! decoded for their type and skipped. The browser build is why it was written this
//! way rather than with `x509-cert`, `spki` or `#[derive(der::Sequence)]`; the npm
//! package has since taken the workspace key as a JWK and compiles none of this in
//! (`WorkspaceCertificate::parse_jwk`). Sizes then (the web package, gzipped, against
//! the hand-written reader this replaced):
//! - `x509-cert`'s full certificate model (names, every string type, extensions) and
//!   `const-oid`'s OID database cost about 50 KB;
//! - derived structs (and `spki`'s types) nest `der`'s reader one level per SEQUENCE,
//!   and each level instantiates the decoder again: +9.2 KB with derived structs, +5.2
//!   KB as here, where every SEQUENCE's contents are read with the same `SliceReader`
//!   ([`AnyRef::sequence`]); `spki::SubjectPublicKeyInfoRef` adds 1.1 KB to that, and
//!   pyca's `asn1` crate with its derives was +11.6 KB.

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, IntRef, ObjectIdentifier};
use der::asn1::{SequenceRef, UtcTime};
use der::{Decode, Reader as _, SliceReader, Tag, TagNumber, Tagged as _};

/// `id-ecPublicKey` (RFC 5480).
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1`, the NIST P-256 curve (RFC 5480).
pub(crate) const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `id-X25519` (RFC 8410).
pub(crate) const ID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");

/// What a workspace certificate is read for: its validity period and its key.
pub(crate) struct Certificate<'a> {
    /// `notBefore`: a `Time` (UTCTime or GeneralizedTime), read by [`unix_time`].
    pub(crate) not_before: AnyRef<'a>,
    /// `notAfter`, likewise.
    pub(crate) not_after: AnyRef<'a>,
    /// The certificate's key.
    pub(crate) subject_public_key_info: SubjectPublicKeyInfo<'a>,
}

impl<'a> Certificate<'a> {
    /// Decodes `Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
    /// signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }`, the whole
    /// of `der`. The signature is not checked (a workspace certificate is trusted for
    /// where it was fetched from, see `WorkspaceCertificate`).
    pub(crate) fn from_der(der: &'a [u8]) -> der::Result<Certificate<'a>> {
        let tbs = AnyRef::from_der(der)?.sequence(|cert| {
            let tbs = AnyRef::decode(cert)?;
            SequenceRef::decode(cert)?;
            BitStringRef::decode(cert)?;
            Ok(tbs)
        })?;
        tbs.sequence(read_tbs_certificate)
    }
}

/// `TBSCertificate ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1, serialNumber
/// INTEGER, signature AlgorithmIdentifier, issuer Name, validity Validity, subject
/// Name, subjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT BIT STRING OPTIONAL,
/// subjectUniqueID [2] IMPLICIT BIT STRING OPTIONAL, extensions [3] EXPLICIT
/// SEQUENCE OPTIONAL }`, in this order.
fn read_tbs_certificate<'a>(tbs: &mut SliceReader<'a>) -> der::Result<Certificate<'a>> {
    if let Some(version) = optional(tbs, TagNumber::N0, true)? {
        IntRef::from_der(version.value())?;
    }
    IntRef::decode(tbs)?; // serialNumber
    SequenceRef::decode(tbs)?; // signature
    SequenceRef::decode(tbs)?; // issuer
    let (not_before, not_after) = AnyRef::decode(tbs)?
        .sequence(|validity| Ok((AnyRef::decode(validity)?, AnyRef::decode(validity)?)))?;
    SequenceRef::decode(tbs)?; // subject
    let subject_public_key_info = SubjectPublicKeyInfo::read(AnyRef::decode(tbs)?)?;
    for number in [TagNumber::N1, TagNumber::N2] {
        if let Some(unique_id) = optional(tbs, number, false)? {
            BitStringRef::try_from(AnyRef::new(Tag::BitString, unique_id.value())?)?;
        }
    }
    if let Some(extensions) = optional(tbs, TagNumber::N3, true)? {
        SequenceRef::from_der(extensions.value())?;
    }
    Ok(Certificate {
        not_before,
        not_after,
        subject_public_key_info,
    })
}

/// The next element if its tag is the context-specific `[number]` (constructed or
/// not); nothing, and nothing read, otherwise.
fn optional<'a>(
    reader: &mut SliceReader<'a>,
    number: TagNumber,
    constructed: bool,
) -> der::Result<Option<AnyRef<'a>>> {
    let tag = Tag::ContextSpecific {
        constructed,
        number,
    };
    if reader.is_finished() || reader.peek_tag()? != tag {
        return Ok(None);
    }
    AnyRef::decode(reader).map(Some)
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
/// subjectPublicKey BIT STRING }` with `AlgorithmIdentifier ::= SEQUENCE { algorithm
/// OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
pub(crate) struct SubjectPublicKeyInfo<'a> {
    /// The key's algorithm.
    pub(crate) algorithm: ObjectIdentifier,
    /// The algorithm's parameters: for `id-ecPublicKey`, the named curve's OID.
    pub(crate) parameters: Option<AnyRef<'a>>,
    /// The key itself (an EC point, or the 32 bytes of an X25519 key).
    pub(crate) subject_public_key: BitStringRef<'a>,
}

impl<'a> SubjectPublicKeyInfo<'a> {
    /// Decodes a SubjectPublicKeyInfo that is the whole of `der` (a PEM `PUBLIC KEY`).
    pub(crate) fn from_der(der: &'a [u8]) -> der::Result<SubjectPublicKeyInfo<'a>> {
        Self::read(AnyRef::from_der(der)?)
    }

    /// Decodes a SubjectPublicKeyInfo already read as one element.
    fn read(spki: AnyRef<'a>) -> der::Result<SubjectPublicKeyInfo<'a>> {
        let (algorithm, subject_public_key) =
            spki.sequence(|spki| Ok((AnyRef::decode(spki)?, BitStringRef::decode(spki)?)))?;
        let (algorithm, parameters) = algorithm.sequence(|algorithm| {
            let oid = ObjectIdentifier::decode(algorithm)?;
            let parameters = if algorithm.is_finished() {
                None
            } else {
                Some(AnyRef::decode(algorithm)?)
            };
            Ok((oid, parameters))
        })?;
        Ok(SubjectPublicKeyInfo {
            algorithm,
            parameters,
            subject_public_key,
        })
    }
}

/// The unix seconds of a `Time ::= CHOICE { utcTime UTCTime, generalTime
/// GeneralizedTime }` in RFC 5280's DER form (`Z`, seconds, no fraction); `None` if it
/// is malformed or before 1970 (what `der`'s date type covers).
pub(crate) fn unix_time(time: AnyRef<'_>) -> Option<i64> {
    let duration = match time.tag() {
        Tag::UtcTime => UtcTime::try_from(time).ok()?.to_unix_duration(),
        Tag::GeneralizedTime => GeneralizedTime::try_from(time).ok()?.to_unix_duration(),
        _ => return None,
    };
    i64::try_from(duration.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One DER element (short or one/two-byte long length).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match content.len() {
            len @ 0..=127 => out.push(len as u8),
            len @ 128..=255 => out.extend([0x81, len as u8]),
            len => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
        out.extend(content);
        out
    }

    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn oid(dotted: &str) -> Vec<u8> {
        let oid = ObjectIdentifier::new(dotted).unwrap();
        tlv(0x06, oid.as_bytes())
    }

    fn p256_spki() -> Vec<u8> {
        let mut point = vec![0, 4];
        point.extend([7u8; 64]);
        seq(&[
            seq(&[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")]),
            tlv(0x03, &point),
        ])
    }

    /// The TBSCertificate fields of a v3 certificate, version first, no optional tail.
    fn fields() -> Vec<Vec<u8>> {
        vec![
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            seq(&[oid("1.2.840.10045.4.3.2")]),
            seq(&[]),
            seq(&[tlv(0x17, b"261124120000Z"), tlv(0x18, b"20540410152053Z")]),
            seq(&[]),
            p256_spki(),
        ]
    }

    fn certificate(fields: &[Vec<u8>]) -> Vec<u8> {
        seq(&[
            seq(fields),
            seq(&[oid("1.2.840.10045.4.3.2")]),
            tlv(0x03, &[0, 1, 2]),
        ])
    }

    fn parses(der: &[u8]) -> bool {
        Certificate::from_der(der).is_ok()
    }

    #[test]
    fn reads_validity_and_key() {
        let der = certificate(&fields());
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(unix_time(cert.not_before), Some(1_795_521_600));
        assert_eq!(unix_time(cert.not_after), Some(2_659_447_253));
        let spki = cert.subject_public_key_info;
        assert_eq!(spki.algorithm, ID_EC_PUBLIC_KEY);
        let curve = ObjectIdentifier::try_from(spki.parameters.unwrap()).unwrap();
        assert_eq!(curve, SECP256R1);
        assert_eq!(spki.subject_public_key.raw_bytes().len(), 65);
        let spki_der = p256_spki();
        let alone = SubjectPublicKeyInfo::from_der(&spki_der).unwrap();
        assert_eq!(alone.algorithm, ID_EC_PUBLIC_KEY);
    }

    #[test]
    fn optional_fields_in_order_only() {
        let mut v1 = fields();
        v1.remove(0);
        assert!(parses(&certificate(&v1)), "no version (v1)");
        let issuer_id = tlv(0x81, &[0, 0xaa]);
        let subject_id = tlv(0x82, &[0, 0xbb]);
        let extensions = tlv(0xa3, &seq(&[seq(&[oid("2.5.29.15")])]));
        let with = |tail: &[&Vec<u8>]| {
            let mut all = fields();
            all.extend(tail.iter().map(|part| (*part).clone()));
            parses(&certificate(&all))
        };
        assert!(with(&[&issuer_id, &subject_id, &extensions]));
        assert!(with(&[&extensions]));
        assert!(with(&[&subject_id]));
        assert!(!with(&[&subject_id, &issuer_id]), "out of order");
        assert!(!with(&[&extensions, &extensions]), "twice");
        assert!(!with(&[&tlv(0xa1, &[0, 0xaa])]), "constructed [1]");
        assert!(!with(&[&tlv(0x81, &[8, 0xaa])]), "[1] not a bit string");
        assert!(!with(&[&tlv(0xa3, &tlv(0x02, &[1]))]), "[3] not a SEQUENCE");
        assert!(!with(&[&tlv(0xa4, &seq(&[]))]), "[4]");
        assert!(!with(&[&tlv(0x02, &[1])]), "a trailing INTEGER");
    }

    #[test]
    fn field_types_are_checked() {
        for (index, replacement) in [
            (0, tlv(0xa0, &tlv(0x04, &[2]))),         // version not an INTEGER
            (1, tlv(0x04, &[1])),                     // serialNumber an OCTET STRING
            (1, tlv(0x02, &[0, 1])),                  // non-minimal INTEGER
            (2, tlv(0x31, &[])),                      // signature a SET
            (4, seq(&[tlv(0x17, b"261124120000Z")])), // one time only
            (6, seq(&[seq(&[tlv(0x02, &[1])]), tlv(0x03, &[0])])), // algorithm not an OID
            (6, seq(&[seq(&[oid("1.3.101.110")]), tlv(0x03, &[8])])), // bad bit string
        ] {
            let mut bad = fields();
            bad[index] = replacement;
            assert!(!parses(&certificate(&bad)), "field {index}");
        }
    }

    #[test]
    fn only_der() {
        let der = certificate(&fields());
        assert!(parses(&der));
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(!parses(&trailing), "trailing byte");
        assert!(!parses(&der[..der.len() - 1]), "truncated");
        // The outer SEQUENCE with an indefinite length (BER) and end-of-contents.
        assert_eq!(der[1], 0x81, "a one-byte long-form length");
        let mut indefinite = vec![0x30, 0x80];
        indefinite.extend(&der[3..]);
        indefinite.extend([0, 0]);
        assert!(!parses(&indefinite), "indefinite length");
        // The serial number's length in the long form, though below 128.
        let mut long = fields();
        long[1] = vec![0x02, 0x81, 0x01, 0x01];
        assert!(!parses(&certificate(&long)), "non-minimal length");
        assert!(!parses(&[]));
        assert!(!parses(&[0x30]));
    }

    #[test]
    fn times() {
        let utc = |text: &[u8]| unix_time(AnyRef::new(Tag::UtcTime, text).unwrap());
        let generalized = |text: &[u8]| unix_time(AnyRef::new(Tag::GeneralizedTime, text).unwrap());
        assert_eq!(utc(b"700101000000Z"), Some(0));
        assert_eq!(utc(b"261124120000Z"), Some(1_795_521_600));
        assert_eq!(generalized(b"20261124120000Z"), Some(1_795_521_600));
        assert_eq!(generalized(b"20240229235959Z"), Some(1_709_251_199));
        assert_eq!(
            utc(b"491231235959Z"),
            Some(2_524_607_999),
            "UTCTime 49 is 2049"
        );
        for bad in [
            &b"690101000000Z"[..], // 1969
            b"2611241200Z",        // no seconds
            b"261124120000+0100",  // offset
            b"261324120000Z",      // month 13
            b"230229120000Z",      // 29 Feb in a common year
            b"261124240000Z",      // hour 24
            b"26112412000aZ",
        ] {
            assert_eq!(utc(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(generalized(b"20261124120000.5Z"), None, "fraction");
        assert_eq!(generalized(b"261124120000Z"), None, "two-digit year");
        assert_eq!(
            unix_time(AnyRef::new(Tag::OctetString, b"261124120000Z").unwrap()),
            None
        );
    }
}
