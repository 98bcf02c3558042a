//! The ID card operations: status, certificates, signing a digest.
//!
//! Card I/O runs on a thread of its own (never the caller's UI or IPC thread), and the PIN is
//! asked for between two short card sessions, so no PC/SC transaction is open while a person
//! types it.

use signet_core::Code;
#[cfg(feature = "pcsc")]
use signet_token::KeyRole;
use signet_token::{CardTrouble, Language, TokenError};

use crate::ApiError;
use crate::json::CardSignature;
#[cfg(feature = "pcsc")]
use crate::json::{CardCertificate, CardStatus, PinAction, PinChange};

/// Which of the card's keys to use.
pub use signet_token::KeyRole as CardKey;
pub use signet_token::{Pin, PinKind, PinState};

impl From<TokenError> for ApiError {
    fn from(err: TokenError) -> Self {
        match &err {
            TokenError::Card(trouble) => trouble_error(trouble),
            // A software token's password: no tries are counted and there is no PUK.
            TokenError::WrongPassword => ApiError::new(
                Code::PinIncorrect,
                "the password of the PKCS#12 file is wrong (or the file was changed)",
            )
            .recommend("Enter the file's password again. A PKCS#12 file counts no tries and has no PUK: if the password is right, the file may be damaged.")
            .keyed(crate::MessageKey::PinIncorrect)
            .param("secret", "password"),
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "used by the PC/SC operations")
)]
fn trouble_error(trouble: &CardTrouble) -> ApiError {
    use crate::MessageKey as K;
    let error = ApiError::new(trouble.code(), trouble.message(Language::En))
        .recommend(trouble.recommendation(Language::En));
    // The secret as the window's catalogues name it (`pin1`, `pin2`, `puk`, `password`).
    let secret = |kind: PinKind| crate::job::SecretKind::from(kind).as_str();
    match trouble {
        CardTrouble::ServiceNotRunning => error.keyed(K::ServiceNotRunning),
        CardTrouble::NoReader => error.keyed(K::NoReader),
        CardTrouble::NoCard => error.keyed(K::NoCard),
        CardTrouble::UnsupportedCard { atr } => error.keyed(K::UnsupportedCard).param("atr", atr),
        CardTrouble::CardRemoved => error.keyed(K::CardRemoved),
        CardTrouble::CardInUse => error.keyed(K::CardInUse),
        CardTrouble::PinIncorrect { kind, retries_left } => {
            let error = error.keyed(K::PinIncorrect).param("secret", secret(*kind));
            if *retries_left == PinState::UNKNOWN {
                error
            } else {
                error.param("triesLeft", retries_left)
            }
        }
        CardTrouble::PinBlocked { kind } => {
            error.keyed(K::PinBlocked).param("secret", secret(*kind))
        }
        CardTrouble::PukBlocked => error.keyed(K::PukBlocked),
        CardTrouble::PinPadTimeout => error.keyed(K::PinPadTimeout),
        CardTrouble::PinPadCancelled => error.keyed(K::PinPadCancelled),
        CardTrouble::CertificateExpired => error.keyed(K::CertificateExpired),
        CardTrouble::SeveralCards { count } => error.keyed(K::SeveralCards).param("count", count),
        CardTrouble::NotActivated => error.keyed(K::CardNotActivated),
        _ => error,
    }
}

#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "used by the PC/SC operations")
)]
/// Runs `work` on a card thread of its own and waits for it.
fn on_card_thread<R: Send>(
    work: impl FnOnce() -> Result<R, ApiError> + Send,
) -> Result<R, ApiError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("signet-card".into())
            .spawn_scoped(scope, work)
            .map_err(|e| {
                ApiError::new(Code::Internal, format!("cannot start the card thread: {e}"))
            })?
            .join()
            .unwrap_or_else(|_| Err(ApiError::new(Code::Internal, "the card thread panicked")))
    })
}

/// The card for the card screen's operations (status, changing and unblocking PINs): they take
/// every value from the keyboard, also on a reader with a PIN pad (the pad only verifies a PIN
/// before a signature or a login), so no PIN request of theirs says "on the pad".
#[cfg(feature = "pcsc")]
fn open() -> Result<signet_token::pcsc::PcscToken, ApiError> {
    let mut token = signet_token::pcsc::PcscToken::open(None)?;
    token.use_pin_pad(false);
    Ok(token)
}

/// The card in the reader: reader, card type, holder, PIN counters and whether it is activated.
/// Fails unless a card is there.
#[cfg(feature = "pcsc")]
pub fn card_status() -> Result<CardStatus, ApiError> {
    use signet_token::SigningToken as _;
    on_card_thread(|| {
        let mut token = open()?;
        let person = token.personal_data()?;
        let retries = |state: PinState| state.retries_left;
        let status = CardStatus {
            reader: token.reader_name(),
            card: token.model().to_owned(),
            surname: person.surname,
            given_names: person.given_names,
            personal_code: person.personal_code,
            document_number: person.document_number,
            expiry: person.expiry,
            pin1_retries: retries(token.pin_state(PinKind::Pin1)?),
            pin2_retries: retries(token.pin_state(PinKind::Pin2)?),
            puk_retries: retries(token.pin_state(PinKind::Puk)?),
            activated: !token.needs_activation()?,
        };
        tracing::debug!(reader = %status.reader, card = %status.card, "card status read");
        Ok(status)
    })
}

/// Both certificates on the card, with their subjects.
#[cfg(feature = "pcsc")]
pub fn card_certificates() -> Result<Vec<CardCertificate>, ApiError> {
    use der::Decode as _;
    use signet_token::SigningToken as _;
    on_card_thread(|| {
        let mut token = open()?;
        token
            .certificates()?
            .into_iter()
            .map(|cert| {
                let parsed = x509_cert::Certificate::from_der(&cert.der).map_err(|e| {
                    ApiError::new(
                        Code::CardUnsupported,
                        format!("the card's certificate is not DER: {e}"),
                    )
                })?;
                let tbs = &parsed.tbs_certificate;
                Ok(CardCertificate {
                    key: cert.role.as_str().to_owned(),
                    subject: tbs.subject.to_string(),
                    issuer: tbs.issuer.to_string(),
                    not_after: tbs.validity.not_after.to_string(),
                    der_hex: hex(&cert.der),
                })
            })
            .collect()
    })
}

/// Signs `digest_hex` (a SHA-384 digest, or a shorter one) with `key`. `ask_pin` is called once,
/// with the PIN's current state, between card sessions; it returns the typed PIN.
#[cfg(feature = "pcsc")]
pub fn card_sign_digest(
    digest_hex: &str,
    key: KeyRole,
    ask_pin: impl FnOnce(PinState) -> Result<Pin, ApiError> + Send,
) -> Result<CardSignature, ApiError> {
    let mut ask_pin = Some(ask_pin);
    token_sign_digest(
        &crate::token::TokenSpec::default(),
        digest_hex,
        key,
        &signet_core::SystemClock,
        move |kind, state| {
            let ask = ask_pin
                .take()
                .ok_or_else(|| ApiError::new(Code::Internal, "the PIN was asked for twice"))?;
            ask(state.unwrap_or(PinState {
                kind,
                retries_left: PinState::UNKNOWN,
                max_retries: PinState::UNKNOWN,
                pin_pad: false,
            }))
        },
    )
}

/// Signs `digest_hex` with `key` of the device `spec` names (the card, a PKCS#11 module, a
/// PKCS#12 file). `ask` is called for each secret, between device sessions: a PKCS#12 file's
/// password when it opens, then the key's PIN (or password) with its state when the token
/// tells it. A key whose certificate has expired (at `clock`'s time) is refused before any PIN.
pub fn token_sign_digest(
    spec: &crate::token::TokenSpec,
    digest_hex: &str,
    key: signet_token::KeyRole,
    clock: &dyn signet_core::Clock,
    mut ask: impl FnMut(PinKind, Option<PinState>) -> Result<Pin, ApiError> + Send,
) -> Result<CardSignature, ApiError> {
    let digest = unhex(digest_hex)
        .ok_or_else(|| ApiError::new(Code::InvalidInput, "the digest is not hexadecimal"))?;
    if digest.is_empty() || digest.len() > 48 {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!(
                "a digest of {} bytes cannot be signed by the card; give a SHA-384 digest (48 bytes)",
                digest.len()
            ),
        ));
    }
    on_card_thread(move || {
        let mut token = crate::token::open_token(spec, &mut ask)?;
        if key == signet_token::KeyRole::Signing && token.needs_activation()? {
            return Err(trouble_error(&CardTrouble::NotActivated));
        }
        let certificate = token
            .certificates()?
            .into_iter()
            .find(|c| c.role == key)
            .ok_or_else(|| {
                ApiError::from(signet_token::TokenError::NoKey { role: key.as_str() })
            })?;
        if expired(&certificate.der, clock.now()) {
            return Err(trouble_error(&CardTrouble::CertificateExpired));
        }
        let kind = token.pin_kind(key);
        let state = token.pin_state(kind)?;
        if state.blocked() {
            return Err(trouble_error(&blocked(kind)));
        }
        // A PIN pad is said even when the count is not known (a PKCS#11 reader).
        let known = (state.retries_left != PinState::UNKNOWN || state.pin_pad).then_some(state);
        let pin = ask(kind, known)?;
        let raw = token.sign_digest(key, &digest, pin)?;
        let der = signet_token::raw_to_der(&raw)?;
        tracing::info!(key = key.as_str(), token = %spec, "digest signed");
        Ok(CardSignature {
            key: key.as_str().to_owned(),
            signature_hex: hex(&raw.0),
            signature_der_hex: hex(&der),
        })
    })
}

/// Whether the certificate's validity ended before `now` (an unreadable one is left to the
/// signature's validation).
fn expired(der: &[u8], now: std::time::SystemTime) -> bool {
    use der::Decode as _;
    x509_cert::Certificate::from_der(der)
        .is_ok_and(|cert| cert.tbs_certificate.validity.not_after.to_system_time() < now)
}

fn blocked(kind: PinKind) -> CardTrouble {
    match kind {
        PinKind::Puk => CardTrouble::PukBlocked,
        kind => CardTrouble::PinBlocked { kind },
    }
}

/// What a PIN request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinPurpose {
    /// The PIN (or PUK) as it is now.
    Current,
    /// The new value to set.
    New,
}

/// Asks for one secret: its kind, what it is for, and the card's count when it has one.
pub type AskPin<'a> =
    dyn FnMut(PinKind, PinPurpose, Option<PinState>) -> Result<Pin, ApiError> + Send + 'a;

/// Changes PIN1, PIN2 or the PUK on the card: asks for the current value (with the tries
/// left) and checks it on the card — a wrong one is asked again with the tries now left, until
/// it is right or the PIN is blocked — then asks for the new one. (A Thales card whose PIN2 was
/// never changed is not activated: its PIN2 is changed without the check, which that card
/// refuses.)
#[cfg(feature = "pcsc")]
pub fn card_change_pin(kind: PinKind, ask: &mut AskPin<'_>) -> Result<PinChange, ApiError> {
    use signet_token::SigningToken as _;
    if kind == PinKind::Password {
        return Err(ApiError::new(
            Code::InvalidInput,
            "only PIN1, PIN2 and the PUK can be changed on the card",
        ));
    }
    on_card_thread(move || {
        let mut token = open()?;
        let mut state = token.pin_state(kind)?;
        if state.blocked() {
            return Err(trouble_error(&blocked(kind)));
        }
        let check_first = !(kind == PinKind::Pin2 && token.needs_activation()?);
        let old = loop {
            let old = ask(kind, PinPurpose::Current, Some(state))?;
            if !check_first {
                break old;
            }
            match token.verify_pin(&old) {
                Ok(()) => break old,
                Err(TokenError::Card(CardTrouble::PinIncorrect { .. })) => {
                    state = token.pin_state(kind)?;
                    if state.blocked() {
                        return Err(trouble_error(&blocked(kind)));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        };
        let new = ask(kind, PinPurpose::New, None)?;
        token.change_pin(old, new)?;
        tracing::info!(pin = %kind, "PIN changed");
        Ok(PinChange {
            pin: kind.as_str().to_owned(),
            action: PinAction::Changed,
        })
    })
}

/// Unblocks PIN1 or PIN2 with the PUK: asks for the PUK (with its tries left), then the new PIN.
#[cfg(feature = "pcsc")]
pub fn card_unblock_pin(kind: PinKind, ask: &mut AskPin<'_>) -> Result<PinChange, ApiError> {
    use signet_token::SigningToken as _;
    if !matches!(kind, PinKind::Pin1 | PinKind::Pin2) {
        return Err(ApiError::new(
            Code::InvalidInput,
            "only PIN1 and PIN2 can be unblocked, with the PUK",
        ));
    }
    on_card_thread(move || {
        let mut token = open()?;
        let state = token.pin_state(PinKind::Puk)?;
        if state.blocked() {
            return Err(trouble_error(&CardTrouble::PukBlocked));
        }
        let puk = ask(PinKind::Puk, PinPurpose::Current, Some(state))?;
        let new = ask(kind, PinPurpose::New, None)?;
        token.unblock_pin(puk, new)?;
        tracing::info!(pin = %kind, "PIN unblocked");
        Ok(PinChange {
            pin: kind.as_str().to_owned(),
            action: PinAction::Unblocked,
        })
    })
}

/// Watches readers and cards on a thread of its own and calls `on_event` for each change (for
/// the desktop, which forwards them to the webview). Watching stops when the returned watcher
/// is dropped, or when the service stops (after [`crate::json::CardEvent::ServiceStopped`]).
#[cfg(feature = "pcsc")]
pub fn watch_cards(
    mut on_event: impl FnMut(crate::json::CardEvent) + Send + 'static,
) -> Result<signet_token::pcsc::Watcher, ApiError> {
    Ok(signet_token::pcsc::watch(move |event| {
        on_event(event.into())
    })?)
}

#[cfg(feature = "pcsc")]
impl From<signet_token::pcsc::CardEvent> for crate::json::CardEvent {
    fn from(event: signet_token::pcsc::CardEvent) -> Self {
        use signet_token::pcsc::CardEvent as E;
        match event {
            E::ReaderAdded { reader } => Self::ReaderAdded { reader },
            E::ReaderRemoved { reader } => Self::ReaderRemoved { reader },
            E::CardInserted { reader } => Self::CardInserted { reader },
            E::CardRemoved { reader } => Self::CardRemoved { reader },
            E::ServiceStopped => Self::ServiceStopped,
        }
    }
}

/// The "card not activated" trouble, with its message and recommendation, for a status that
/// shows a card which cannot sign yet.
pub fn not_activated() -> ApiError {
    trouble_error(&CardTrouble::NotActivated)
}

/// Checks a typed PIN (digits, length) and keeps it as a secret; the typed text is wiped.
pub fn pin_from_typed(kind: PinKind, typed: zeroize::Zeroizing<String>) -> Result<Pin, ApiError> {
    Pin::new(kind, typed).map_err(|e| ApiError::new(Code::InvalidInput, e.to_string()))
}

#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "used by the PC/SC operations")
)]
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "used by the PC/SC operations")
)]
fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Changes (`unblock` false) or unblocks a PIN on the card as a job: each secret is asked through
/// `job` — the current value (or the PUK) with its tries left, then the new value.
#[cfg(feature = "pcsc")]
pub fn card_pin_job(
    kind: PinKind,
    unblock: bool,
    job: &crate::job::JobControl,
) -> Result<PinChange, ApiError> {
    // The same secret asked again is a retry (the card refused the value given).
    let mut asked_before: Vec<(PinKind, PinPurpose)> = Vec::new();
    let mut ask = |asked: PinKind, purpose: PinPurpose, state: Option<PinState>| {
        let retry = asked_before.contains(&(asked, purpose));
        asked_before.push((asked, purpose));
        let mut request = crate::job::SigningAsk::default().request(asked, state, 0, retry);
        request.new_value = purpose == PinPurpose::New;
        job.ask(request)
    };
    if unblock {
        card_unblock_pin(kind, &mut ask)
    } else {
        card_change_pin(kind, &mut ask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(hex(&[0, 255]), "00ff");
    }

    #[cfg(feature = "pcsc")]
    #[test]
    fn card_events_cross_as_tagged_json() {
        let event: crate::json::CardEvent = signet_token::pcsc::CardEvent::CardInserted {
            reader: "Virtual PCD 00 00".into(),
        }
        .into();
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"kind": "cardInserted", "reader": "Virtual PCD 00 00"})
        );
        let stopped: crate::json::CardEvent = signet_token::pcsc::CardEvent::ServiceStopped.into();
        assert_eq!(
            serde_json::to_value(&stopped).unwrap(),
            serde_json::json!({"kind": "serviceStopped"})
        );
    }

    #[test]
    fn a_software_tokens_wrong_password_is_not_about_a_pin_or_puk() {
        let err = ApiError::from(TokenError::WrongPassword);
        assert_eq!(err.code, Code::PinIncorrect);
        assert!(err.message.contains("password"), "{err}");
        assert!(!err.recommendation.contains("PIN"), "{err}");
        assert!(err.recommendation.contains("no PUK"), "{err}");
    }

    #[test]
    fn card_trouble_carries_its_message_key_and_specifics() {
        use crate::MessageKey;
        let wrong = ApiError::from(TokenError::Card(CardTrouble::PinIncorrect {
            kind: PinKind::Pin2,
            retries_left: 2,
        }));
        assert_eq!(wrong.key, MessageKey::PinIncorrect);
        assert_eq!(wrong.params["secret"], "pin2");
        assert_eq!(wrong.params["triesLeft"], "2");
        // A PKCS#11 token that does not count: no tries are claimed.
        let uncounted = ApiError::from(TokenError::Card(CardTrouble::PinIncorrect {
            kind: PinKind::Pin1,
            retries_left: PinState::UNKNOWN,
        }));
        assert!(!uncounted.params.contains_key("triesLeft"));
        let blocked = ApiError::from(TokenError::Card(CardTrouble::PinBlocked {
            kind: PinKind::Pin1,
        }));
        assert_eq!(blocked.key, MessageKey::PinBlocked);
        assert_eq!(blocked.params["secret"], "pin1");
        for (trouble, key) in [
            (CardTrouble::CardRemoved, MessageKey::CardRemoved),
            (CardTrouble::NoReader, MessageKey::NoReader),
            (CardTrouble::NoCard, MessageKey::NoCard),
            (CardTrouble::PinPadTimeout, MessageKey::PinPadTimeout),
            (CardTrouble::PinPadCancelled, MessageKey::PinPadCancelled),
            (CardTrouble::NotActivated, MessageKey::CardNotActivated),
        ] {
            assert_eq!(ApiError::from(TokenError::Card(trouble)).key, key);
        }
        let json = serde_json::to_value(&wrong).unwrap();
        assert_eq!(json["key"], "pinIncorrect");
        assert_eq!(json["params"]["triesLeft"], "2");
    }

    #[test]
    fn card_trouble_keeps_its_code_and_recommendation() {
        let err = ApiError::from(TokenError::Card(CardTrouble::ServiceNotRunning));
        assert_eq!(err.code, Code::CardUnavailable);
        assert!(err.recommendation.contains("pcscd"));
    }
}
