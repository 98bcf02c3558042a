//! RSA public keys as X.509 certificates and ID cards carry them (RFC 8017 section 3.1,
//! `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`).
//!
//! The `rsa` crate's own decoder refuses two kinds of keys that real Estonian ID-card
//! certificates hold: a public exponent above 2^33 - 1 (its `RsaPublicKey::new` limit; older
//! cards used 1073741953 = 0x40000081, which passes, but X.509 sets no such bound), and a modulus
//! written without its leading zero octet, so that DER reads it as a negative INTEGER (the 2013
//! test card of libdigidocpp's `tsl.asice`). OpenSSL reads both INTEGERs as unsigned magnitudes,
//! and so does libdigidocpp. Signet does the same, with its own checks instead of the crate's:
//!
//! * DER structure: one SEQUENCE of exactly two INTEGERs, nothing after it; each INTEGER is
//!   minimally encoded (no superfluous leading zero octet). The one tolerance is the missing
//!   sign octet: content whose first bit is set is read as an unsigned number, as OpenSSL does.
//!   Every value has one reading, and the certificate's signature covers these bytes anyway.
//! * The modulus is odd and at most [`MAX_RSA_BITS`] bits (OpenSSL's
//!   `OPENSSL_RSA_MAX_MODULUS_BITS`); the minimum size is the policy's ([`super::MIN_RSA_BITS`]).
//! * The exponent is odd, at least 3 and below the modulus (RFC 8017 section 3.1); above a
//!   3072-bit modulus it is at most 64 bits (OpenSSL's `RSA_SMALL_MODULUS_BITS` and
//!   `RSA_MAX_PUBEXP_BITS`), which bounds the cost of a verification.

use der::{Decode as _, Reader as _, Tag, Tagged as _};
use rsa::BigUint;

use super::CryptoError;

/// The largest RSA modulus accepted, in bits (OpenSSL's limit).
pub const MAX_RSA_BITS: usize = 16_384;
/// Above this modulus size the exponent is limited to [`MAX_LARGE_KEY_EXPONENT_BITS`].
const SMALL_MODULUS_BITS: usize = 3072;
/// The exponent limit for moduli above [`SMALL_MODULUS_BITS`].
const MAX_LARGE_KEY_EXPONENT_BITS: usize = 64;

const MALFORMED: CryptoError = CryptoError::Malformed {
    what: "RSA public key",
};

/// The unsigned value of an INTEGER's content octets: minimal encoding required, a missing
/// sign octet tolerated.
fn magnitude(content: &[u8]) -> Result<&[u8], CryptoError> {
    match content {
        [] | [0] => Err(MALFORMED),
        // A leading zero octet is there only to keep the next octet's top bit from reading as
        // a sign: anything else is a non-minimal encoding.
        [0, next, ..] if *next < 0x80 => Err(MALFORMED),
        [0, rest @ ..] => Ok(rest),
        all => Ok(all),
    }
}

fn integer<'a>(reader: &mut der::SliceReader<'a>) -> Result<&'a [u8], CryptoError> {
    let any = der::asn1::AnyRef::decode(reader).map_err(|_| MALFORMED)?;
    if any.tag() != Tag::Integer {
        return Err(MALFORMED);
    }
    magnitude(any.value())
}

/// Reads the `subjectPublicKey` bits of an RSA key and checks them as described above. The
/// minimum modulus size is the caller's (policy) check.
pub(super) fn parse(bits: &[u8]) -> Result<rsa::RsaPublicKey, CryptoError> {
    let outer = der::asn1::AnyRef::from_der(bits).map_err(|_| MALFORMED)?;
    if outer.tag() != Tag::Sequence {
        return Err(MALFORMED);
    }
    let mut reader = der::SliceReader::new(outer.value()).map_err(|_| MALFORMED)?;
    let n = integer(&mut reader)?;
    let e = integer(&mut reader)?;
    reader.finish(()).map_err(|_| MALFORMED)?;
    let (n, e) = (BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
    let odd = |x: &BigUint| x.bits() > 0 && x.to_bytes_le()[0] & 1 == 1;
    if !odd(&n) || n.bits() > MAX_RSA_BITS {
        return Err(MALFORMED);
    }
    if !odd(&e) || e < BigUint::from(3_u8) || e >= n {
        return Err(CryptoError::Malformed {
            what: "RSA public exponent",
        });
    }
    if n.bits() > SMALL_MODULUS_BITS && e.bits() > MAX_LARGE_KEY_EXPONENT_BITS {
        return Err(CryptoError::Malformed {
            what: "RSA public exponent (above 64 bits with a modulus above 3072 bits)",
        });
    }
    // The crate's constructor would apply its own exponent and size limits again; the checks
    // above replace them.
    Ok(rsa::RsaPublicKey::new_unchecked(n, e))
}
