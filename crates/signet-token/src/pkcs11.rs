//! Any PKCS#11 module as a signing token (`cryptoki`): OpenSC's for cards Signet has no APDUs
//! for, SoftHSM2 in tests, vendors' modules.
//!
//! Opening a module lists its tokens and finds certificate / private key pairs by `CKA_ID`. A
//! certificate whose key usage has non-repudiation is the signing key; the others are
//! authentication keys; a module with a single pair offers it as the signing key.
//!
//! Every signature opens a session, logs in with the PIN, signs, logs out and closes the session.
//! Keys marked `CKA_ALWAYS_AUTHENTICATE` (OpenSC's EstEID signing key, "(PIN2)") need a
//! context-specific login *after* `C_SignInit` and before the signature. `cryptoki`'s
//! `Session::sign` runs `C_SignInit` and `C_Sign` in one call, leaving no room for it, so such
//! keys sign with `sign_init` → `login(ContextSpecific)` → `sign_update` → `sign_final`
//! (`shared/reference/card.md` §9.3). Keys without the flag sign in one `C_Sign` (SoftHSM2 does
//! not do multi-part raw ECDSA).

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::RawAuthPin;
use der::Decode as _;

use crate::{
    CardTrouble, KeyRole, Pin, PinKind, PinState, RawSignature, SigningToken, TokenCertificate,
    TokenError,
};

/// OpenSC's PKCS#11 module on Debian and Ubuntu (x86-64): the default.
pub const DEFAULT_MODULE: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

/// One token a module shows, as listed by [`list_tokens`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The slot's number (SoftHSM2 gives random ones: choose tokens by label).
    pub slot_id: u64,
    /// The token's label (OpenSC: "SURNAME,GIVEN,CODE (PIN2)").
    pub label: String,
    /// The manufacturer.
    pub manufacturer: String,
    /// The model.
    pub model: String,
    /// Whether the PIN is entered on the reader's own keypad.
    pub pin_pad: bool,
    /// The certificate / key pairs found on it.
    pub keys: Vec<KeyInfo>,
}

/// A certificate / private key pair on a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// What Signet uses it for.
    pub role: KeyRole,
    /// `CKA_ID`, hex.
    pub id_hex: String,
    /// `CKA_LABEL` of the certificate.
    pub label: String,
}

/// A pair found on a token.
#[derive(Debug, Clone)]
struct Pair {
    role: KeyRole,
    slot: Slot,
    id: Vec<u8>,
    certificate: Vec<u8>,
    pin_kind: PinKind,
}

/// A PKCS#11 module, loaded, with the pairs found on its tokens.
pub struct Pkcs11Token {
    module: PathBuf,
    context: Pkcs11,
    pairs: Vec<Pair>,
    /// Whether to let a token with a protected authentication path (a PIN-pad reader) take the
    /// PIN on its own keys: the person's setting, on by default.
    use_pin_pad: bool,
}

impl std::fmt::Debug for Pkcs11Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Token")
            .field("module", &self.module)
            .field("keys", &self.pairs.len())
            .finish_non_exhaustive()
    }
}

/// Loads and initialises `module`.
fn load(module: &Path) -> Result<Pkcs11, TokenError> {
    let context = Pkcs11::new(module).map_err(|e| TokenError::Module {
        module: module.display().to_string(),
        reason: e.to_string(),
    })?;
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(|e| TokenError::Module {
            module: module.display().to_string(),
            reason: e.to_string(),
        })?;
    Ok(context)
}

/// Lists the tokens `module` shows, with their certificate / key pairs.
pub fn list_tokens(module: &Path) -> Result<Vec<TokenInfo>, TokenError> {
    let context = load(module)?;
    let mut tokens = Vec::new();
    for slot in context
        .get_slots_with_initialized_token()
        .map_err(failure)?
    {
        let info = context.get_token_info(slot).map_err(failure)?;
        let pairs = pairs_on(&context, slot, info.label())?;
        tokens.push(TokenInfo {
            slot_id: slot.id(),
            label: info.label().trim().to_owned(),
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            pin_pad: info.protected_authentication_path(),
            keys: pairs
                .iter()
                .map(|(pair, label)| KeyInfo {
                    role: pair.role,
                    id_hex: pair.id.iter().map(|b| format!("{b:02x}")).collect(),
                    label: label.clone(),
                })
                .collect(),
        });
    }
    Ok(tokens)
}

/// The PIN a token's label implies: OpenSC names the EstEID tokens "… (PIN1)" and "… (PIN2)";
/// any other token has a user PIN Signet cannot judge, taken as a password.
fn pin_kind_of(label: &str) -> PinKind {
    let label = label.trim();
    if label.ends_with("(PIN1)") {
        PinKind::Pin1
    } else if label.ends_with("(PIN2)") {
        PinKind::Pin2
    } else {
        PinKind::Password
    }
}

/// The role a certificate's key usage gives its key: non-repudiation signs, the rest
/// authenticates.
fn role_of(certificate: &[u8]) -> KeyRole {
    let Ok(parsed) = x509_cert::Certificate::from_der(certificate) else {
        return KeyRole::Authentication;
    };
    match parsed
        .tbs_certificate
        .get::<x509_cert::ext::pkix::KeyUsage>()
    {
        Ok(Some((_, usage))) if usage.non_repudiation() => KeyRole::Signing,
        _ => KeyRole::Authentication,
    }
}

/// The X.509 certificates on the token in `slot` that have a private key with the same
/// `CKA_ID` (or, before login, whose key the token hides: the ID is then taken on trust and
/// checked when signing).
fn pairs_on(
    context: &Pkcs11,
    slot: Slot,
    token_label: &str,
) -> Result<Vec<(Pair, String)>, TokenError> {
    let session = context.open_ro_session(slot).map_err(failure)?;
    let certificates = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])
        .map_err(failure)?;
    let mut pairs = Vec::new();
    for handle in certificates {
        let attributes = session
            .get_attributes(
                handle,
                &[
                    AttributeType::Id,
                    AttributeType::Value,
                    AttributeType::Label,
                ],
            )
            .map_err(failure)?;
        let (mut id, mut value, mut label) = (None, None, String::new());
        for attribute in attributes {
            match attribute {
                Attribute::Id(bytes) => id = Some(bytes),
                Attribute::Value(bytes) => value = Some(bytes),
                Attribute::Label(bytes) => label = String::from_utf8_lossy(&bytes).into_owned(),
                _ => {}
            }
        }
        let (Some(id), Some(certificate)) = (id, value) else {
            continue;
        };
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(id.clone()),
            ])
            .map_err(failure)?;
        // SoftHSM2 hides private keys until login; OpenSC shows them. A certificate alone on a
        // token that shows its keys has no key here.
        let keys_visible = !session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
            .map_err(failure)?
            .is_empty();
        if keys.is_empty() && keys_visible {
            continue;
        }
        pairs.push((
            Pair {
                role: role_of(&certificate),
                slot,
                id,
                certificate,
                pin_kind: pin_kind_of(token_label),
            },
            label,
        ));
    }
    Ok(pairs)
}

impl Pkcs11Token {
    /// Loads `module` (OpenSC's [`DEFAULT_MODULE`] when `None`) and finds the certificate / key
    /// pairs on its tokens. Fails with [`CardTrouble::NoCard`] when no token has one, and
    /// [`CardTrouble::SeveralCards`] when several tokens offer the same kind of key.
    pub fn open(module: Option<&Path>) -> Result<Self, TokenError> {
        let module = module.unwrap_or_else(|| Path::new(DEFAULT_MODULE));
        let context = load(module)?;
        let mut pairs: Vec<Pair> = Vec::new();
        for slot in context
            .get_slots_with_initialized_token()
            .map_err(failure)?
        {
            let info = context.get_token_info(slot).map_err(failure)?;
            pairs.extend(
                pairs_on(&context, slot, info.label())?
                    .into_iter()
                    .map(|(pair, _)| pair),
            );
        }
        if let [only] = pairs.as_mut_slice() {
            // One key on the whole module: it is the one to sign with.
            only.role = KeyRole::Signing;
        }
        if pairs.is_empty() {
            return Err(CardTrouble::NoCard.into());
        }
        for role in [KeyRole::Authentication, KeyRole::Signing] {
            let count = pairs.iter().filter(|p| p.role == role).count();
            if count > 1 {
                return Err(CardTrouble::SeveralCards { count }.into());
            }
        }
        tracing::debug!(module = %module.display(), keys = pairs.len(), "PKCS#11 module opened");
        Ok(Self {
            module: module.to_owned(),
            context,
            pairs,
            use_pin_pad: true,
        })
    }

    /// Lets a PIN-pad reader (`CKF_PROTECTED_AUTHENTICATION_PATH`) take the PIN (`true`, the
    /// default), or not (`false`: PINs come from the host, when the module accepts them so).
    pub fn use_pin_pad(&mut self, on: bool) {
        self.use_pin_pad = on;
    }

    fn pair(&self, role: KeyRole) -> Result<&Pair, TokenError> {
        self.pairs
            .iter()
            .find(|p| p.role == role)
            .ok_or(TokenError::NoKey {
                role: role.as_str(),
            })
    }

    /// What went wrong with a PIN, with the tries left as the token's flags tell them.
    fn pin_trouble(&self, slot: Slot, kind: PinKind, rv: RvError) -> TokenError {
        match rv {
            RvError::PinLocked => blocked(kind).into(),
            RvError::PinIncorrect | RvError::PinInvalid => {
                let state = self.state_of(slot, kind);
                match state {
                    Ok(state) if state.blocked() => blocked(kind).into(),
                    Ok(state) => CardTrouble::PinIncorrect {
                        kind,
                        retries_left: state.retries_left,
                    }
                    .into(),
                    Err(_) => CardTrouble::PinIncorrect {
                        kind,
                        retries_left: PinState::UNKNOWN,
                    }
                    .into(),
                }
            }
            RvError::PinLenRange => {
                let (min, max) = kind.lengths();
                TokenError::PinFormat(crate::PinFormatError::Length { kind, min, max })
            }
            other => failure(CkError::Pkcs11(other, cryptoki::context::Function::Login)),
        }
    }

    fn state_of(&self, slot: Slot, kind: PinKind) -> Result<PinState, TokenError> {
        let info = self.context.get_token_info(slot).map_err(failure)?;
        // PKCS#11 tells only "locked", "final try" and "count low"; not the number.
        let retries_left = if info.user_pin_locked() {
            0
        } else if info.user_pin_final_try() {
            1
        } else {
            PinState::UNKNOWN
        };
        Ok(PinState {
            kind,
            retries_left,
            max_retries: PinState::UNKNOWN,
            pin_pad: self.use_pin_pad && info.protected_authentication_path(),
        })
    }

    /// Logs in as the user (already logged in is fine) and finds the private key of `pair`.
    fn login_and_find(
        &self,
        session: &Session,
        pair: &Pair,
        secret: Option<&RawAuthPin>,
    ) -> Result<ObjectHandle, TokenError> {
        match login(session, UserType::User, secret) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(rv, _)) => {
                return Err(self.pin_trouble(pair.slot, pair.pin_kind, rv));
            }
            Err(other) => return Err(failure(other)),
        }
        session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(pair.id.clone()),
            ])
            .map_err(failure)?
            .into_iter()
            .next()
            .ok_or(TokenError::NoKey {
                role: pair.role.as_str(),
            })
    }

    fn sign_in_session(
        &self,
        session: &Session,
        pair: &Pair,
        digest: &[u8],
        secret: Option<&RawAuthPin>,
    ) -> Result<Vec<u8>, TokenError> {
        let key = self.login_and_find(session, pair, secret)?;
        let always_authenticate = session
            .get_attributes(key, &[AttributeType::AlwaysAuthenticate])
            .map_err(failure)?
            .into_iter()
            .any(|a| matches!(a, Attribute::AlwaysAuthenticate(true)));
        tracing::debug!(
            key = pair.role.as_str(),
            always_authenticate,
            digest_len = digest.len(),
            "signing through PKCS#11"
        );
        if !always_authenticate {
            return session
                .sign(&Mechanism::Ecdsa, key, digest)
                .map_err(failure);
        }
        session.sign_init(&Mechanism::Ecdsa, key).map_err(failure)?;
        match login(session, UserType::ContextSpecific, secret) {
            Ok(()) => {}
            Err(CkError::Pkcs11(rv, _)) => {
                return Err(self.pin_trouble(pair.slot, pair.pin_kind, rv));
            }
            Err(other) => return Err(failure(other)),
        }
        session.sign_update(digest).map_err(failure)?;
        session.sign_final().map_err(failure)
    }
}

/// `C_Login` with the PIN, or, for a PIN pad (protected authentication path), with a null PIN:
/// the reader takes it on its own keys.
fn login(
    session: &Session,
    user: UserType,
    secret: Option<&RawAuthPin>,
) -> cryptoki::error::Result<()> {
    match secret {
        Some(secret) => session.login_with_raw(user, secret),
        None => session.login(user, None),
    }
}

fn blocked(kind: PinKind) -> CardTrouble {
    match kind {
        PinKind::Puk => CardTrouble::PukBlocked,
        kind => CardTrouble::PinBlocked { kind },
    }
}

/// Maps a PKCS#11 failure onto the person's view of it.
fn failure(error: CkError) -> TokenError {
    let CkError::Pkcs11(rv, function) = error else {
        return CardTrouble::Communication {
            detail: format!("PKCS#11: {error}"),
        }
        .into();
    };
    let trouble = match rv {
        RvError::TokenNotPresent
        | RvError::DeviceRemoved
        | RvError::SessionHandleInvalid
        | RvError::SessionClosed => CardTrouble::CardRemoved,
        RvError::TokenNotRecognized => CardTrouble::UnsupportedCard { atr: String::new() },
        RvError::FunctionCanceled => CardTrouble::PinPadCancelled,
        RvError::PinLocked => CardTrouble::PinBlocked {
            kind: PinKind::Password,
        },
        other => CardTrouble::Communication {
            detail: format!("{function}: {other:?}"),
        },
    };
    trouble.into()
}

impl SigningToken for Pkcs11Token {
    fn certificates(&mut self) -> Result<Vec<TokenCertificate>, TokenError> {
        let mut found: Vec<TokenCertificate> = self
            .pairs
            .iter()
            .map(|p| TokenCertificate {
                role: p.role,
                der: p.certificate.clone(),
            })
            .collect();
        found.sort_by_key(|c| c.role == KeyRole::Signing);
        Ok(found)
    }

    fn pin_kind(&self, role: KeyRole) -> PinKind {
        self.pair(role).map_or(PinKind::Password, |p| p.pin_kind)
    }

    fn pin_state(&mut self, kind: PinKind) -> Result<PinState, TokenError> {
        let pair = self
            .pairs
            .iter()
            .find(|p| p.pin_kind == kind)
            .or_else(|| self.pairs.first())
            .ok_or(CardTrouble::NoCard)?;
        self.state_of(pair.slot, kind)
    }

    fn sign_digest(
        &mut self,
        role: KeyRole,
        digest: &[u8],
        pin: Pin,
    ) -> Result<RawSignature, TokenError> {
        let pair = self.pair(role)?.clone();
        if pin.kind() != pair.pin_kind {
            return Err(TokenError::WrongPinKind {
                role: role.as_str(),
                expected: pair.pin_kind,
                given: pin.kind(),
            });
        }
        if digest.is_empty() || digest.len() > 64 {
            return Err(TokenError::DigestLength { len: digest.len() });
        }
        // The PIN's copy for cryptoki lives in a zeroizing secret box and dies with this call;
        // a PIN pad's PIN never reaches the host.
        let secret = if pin.entered_on_pad() {
            if !self.state_of(pair.slot, pair.pin_kind)?.pin_pad {
                return Err(TokenError::NoPinPad);
            }
            None
        } else {
            Some(RawAuthPin::new(Box::new(pin.expose_digits().to_vec())))
        };
        drop(pin);
        let session = self.context.open_ro_session(pair.slot).map_err(failure)?;
        let signed = self.sign_in_session(&session, &pair, digest, secret.as_ref());
        drop(secret);
        // Log out whatever happened: the next signature needs the PIN again.
        let _ = session.logout();
        let _ = session.close();
        let raw = signed?;
        if raw.is_empty() || raw.len() % 2 != 0 {
            return Err(TokenError::Malformed(format!(
                "a signature of {} bytes from the PKCS#11 module",
                raw.len()
            )));
        }
        Ok(RawSignature(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opensc_token_labels_name_their_pins() {
        assert_eq!(pin_kind_of("TAMM,MARI,38001085718 (PIN1)"), PinKind::Pin1);
        assert_eq!(
            pin_kind_of("TAMM,MARI,38001085718 (PIN2)   "),
            PinKind::Pin2
        );
        assert_eq!(pin_kind_of("softhsm-test"), PinKind::Password);
    }

    #[test]
    fn a_missing_module_is_a_clear_error() {
        let err = Pkcs11Token::open(Some(Path::new("/nonexistent/pkcs11.so"))).unwrap_err();
        assert!(matches!(err, TokenError::Module { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/pkcs11.so"), "{err}");
    }
}
