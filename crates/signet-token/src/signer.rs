//! RustCrypto `signature` adapters, so a token plugs into the `cms` builder and anything else
//! that takes a `PrehashSigner` / `Signer`.

use std::cell::RefCell;

use p384::ecdsa::{DerSignature, Signature, VerifyingKey};
use sha2::{Digest as _, Sha384};
use signature::hazmat::PrehashSigner;

use crate::{KeyRole, Pin, RawSignature, SigningToken, TokenError};

/// Converts a raw P-384 r ‖ s signature (96 bytes) into the DER `Ecdsa-Sig-Value` CMS needs.
pub fn raw_to_der(raw: &RawSignature) -> Result<Vec<u8>, TokenError> {
    let signature = Signature::from_slice(&raw.0)
        .map_err(|e| TokenError::Malformed(format!("signature of {} bytes: {e}", raw.0.len())))?;
    Ok(signature.to_der().as_bytes().to_vec())
}

/// One signature with one key of a token, after one PIN: the shape of a qualified signature.
///
/// Implements [`PrehashSigner`] and [`signature::Signer`] (which hashes with SHA-384) for P-384
/// [`Signature`] and [`DerSignature`], and [`signature::Keypair`] from the certificate's key. The
/// PIN is taken by the first signature; a second one fails, because the card would refuse it.
pub struct OneShotSigner<'t, T: SigningToken> {
    token: RefCell<&'t mut T>,
    role: KeyRole,
    pin: RefCell<Option<Pin>>,
    verifying_key: VerifyingKey,
}

impl<T: SigningToken> std::fmt::Debug for OneShotSigner<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneShotSigner")
            .field("role", &self.role)
            .field("pin_available", &self.pin.borrow().is_some())
            .finish_non_exhaustive()
    }
}

impl<'t, T: SigningToken> OneShotSigner<'t, T> {
    /// Prepares one signature with `role`'s key; `verifying_key` is the public key of its
    /// certificate.
    pub fn new(token: &'t mut T, role: KeyRole, pin: Pin, verifying_key: VerifyingKey) -> Self {
        Self {
            token: RefCell::new(token),
            role,
            pin: RefCell::new(Some(pin)),
            verifying_key,
        }
    }

    fn sign_raw(&self, prehash: &[u8]) -> Result<Signature, signature::Error> {
        let pin = self
            .pin
            .borrow_mut()
            .take()
            .ok_or_else(signature::Error::new)?;
        let raw = self
            .token
            .borrow_mut()
            .sign_digest(self.role, prehash, pin)
            .map_err(signature::Error::from_source)?;
        let signature = Signature::from_slice(&raw.0).map_err(signature::Error::from_source)?;
        // The card is not trusted to have used the key we think: check before anyone embeds it.
        use signature::hazmat::PrehashVerifier as _;
        self.verifying_key
            .verify_prehash(prehash, &signature)
            .map_err(signature::Error::from_source)?;
        Ok(signature)
    }
}

impl<T: SigningToken> PrehashSigner<Signature> for OneShotSigner<'_, T> {
    fn sign_prehash(&self, prehash: &[u8]) -> Result<Signature, signature::Error> {
        self.sign_raw(prehash)
    }
}

impl<T: SigningToken> PrehashSigner<DerSignature> for OneShotSigner<'_, T> {
    fn sign_prehash(&self, prehash: &[u8]) -> Result<DerSignature, signature::Error> {
        Ok(self.sign_raw(prehash)?.to_der())
    }
}

impl<T: SigningToken> signature::Signer<Signature> for OneShotSigner<'_, T> {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, signature::Error> {
        self.sign_raw(&Sha384::digest(msg))
    }
}

impl<T: SigningToken> signature::Signer<DerSignature> for OneShotSigner<'_, T> {
    fn try_sign(&self, msg: &[u8]) -> Result<DerSignature, signature::Error> {
        Ok(self.sign_raw(&Sha384::digest(msg))?.to_der())
    }
}

impl<T: SigningToken> signature::Keypair for OneShotSigner<'_, T> {
    type VerifyingKey = VerifyingKey;

    fn verifying_key(&self) -> VerifyingKey {
        self.verifying_key
    }
}
