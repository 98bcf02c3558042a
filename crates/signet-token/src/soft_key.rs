//! The private keys a PKCS#12 file may hold, as a card or HSM would: ECDSA on P-256, P-384 and
//! P-521, and RSA (2048 to 4096 bits, PKCS#1 v1.5). The host hashes; a key signs the digest.

use aws_lc_rs::digest::{Digest, SHA256, SHA384, SHA512};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA384, RSA_PKCS1_SHA512, RsaKeyPair,
};

use crate::TokenError;

/// One private key.
pub(crate) enum SoftKey {
    /// ECDSA; the digest size of its curve (32, 48 or 66 → 64 for P-521's SHA-512).
    Ec(EcdsaKeyPair, usize),
    /// RSA, signing PKCS#1 v1.5 with the hash the digest's length names.
    Rsa(RsaKeyPair),
}

/// RSA moduli Signet accepts in a file.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

impl SoftKey {
    /// Reads a decrypted PKCS#8 key.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        for (alg, size) in [
            (&ECDSA_P384_SHA384_FIXED_SIGNING, 48),
            (&ECDSA_P256_SHA256_FIXED_SIGNING, 32),
            (&ECDSA_P521_SHA512_FIXED_SIGNING, 64),
        ] {
            if let Ok(key) = EcdsaKeyPair::from_pkcs8(alg, der) {
                return Ok(Self::Ec(key, size));
            }
        }
        let key = RsaKeyPair::from_pkcs8(der).map_err(|e| match e.description_() {
            "TooSmall" => "an RSA key of fewer than 2048 bits (2048 to 4096 are accepted)".into(),
            "TooLarge" => "an RSA key of more than 4096 bits (2048 to 4096 are accepted)".into(),
            _ => format!(
                "the key is neither an ECDSA key on P-256, P-384 or P-521 nor an RSA key: {e}"
            ),
        })?;
        let bits = key.public_modulus_len() * 8;
        if !RSA_BITS.contains(&bits) {
            return Err(format!(
                "an RSA key of {bits} bits (2048 to 4096 are accepted)"
            ));
        }
        Ok(Self::Rsa(key))
    }

    /// The public key as a certificate carries it (the subjectPublicKey bits): the EC point,
    /// or the DER RSAPublicKey.
    pub(crate) fn public(&self) -> Vec<u8> {
        match self {
            Self::Ec(key, _) => key.public_key().as_ref().to_vec(),
            Self::Rsa(key) => key.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `digest`: ECDSA as r‖s (a shorter digest is the same integer zero-padded on the
    /// left, a longer one its leftmost bytes: FIPS 186-5 6.4.1), RSA PKCS#1 v1.5 with SHA-256,
    /// SHA-384 or SHA-512 by the digest's length.
    pub(crate) fn sign(&self, digest: &[u8]) -> Result<Vec<u8>, TokenError> {
        let bad = |e: aws_lc_rs::error::Unspecified| {
            TokenError::Malformed(format!("PKCS#12: signing failed: {e}"))
        };
        match self {
            Self::Ec(key, size) => {
                let mut value = vec![0_u8; *size];
                if digest.len() <= *size {
                    value[*size - digest.len()..].copy_from_slice(digest);
                } else {
                    value.copy_from_slice(&digest[..*size]);
                }
                let alg = match size {
                    32 => &SHA256,
                    48 => &SHA384,
                    _ => &SHA512,
                };
                let digest = Digest::import_less_safe(&value, alg).map_err(bad)?;
                Ok(key.sign_digest(&digest).map_err(bad)?.as_ref().to_vec())
            }
            Self::Rsa(key) => {
                let (alg, padding) = match digest.len() {
                    32 => (&SHA256, &RSA_PKCS1_SHA256),
                    48 => (&SHA384, &RSA_PKCS1_SHA384),
                    64 => (&SHA512, &RSA_PKCS1_SHA512),
                    len => return Err(TokenError::DigestLength { len }),
                };
                let digest = Digest::import_less_safe(digest, alg).map_err(bad)?;
                let mut out = vec![0_u8; key.public_modulus_len()];
                key.sign_digest(padding, &digest, &mut out).map_err(bad)?;
                Ok(out)
            }
        }
    }
}
