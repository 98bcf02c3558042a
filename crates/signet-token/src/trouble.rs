//! The closed set of card trouble a person can meet, each with a message and a recommendation
//! in English, Estonian and Russian, and the [`Code`] the UI branches on.
//!
//! The set follows web-eid-app's retriable errors (`src/controller/retriableerror.hpp`) and
//! adds the states an Estonian card has of its own (PUK blocked, Thales card not activated).

use std::fmt;

use signet_core::Code;

use crate::pin::PinKind;

/// The languages Signet speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    En,
    /// Estonian.
    Et,
    /// Russian.
    Ru,
}

impl Language {
    /// Every language.
    pub const ALL: [Self; 3] = [Self::En, Self::Et, Self::Ru];
}

/// What is wrong with the card, the reader or the PIN, as far as the person is concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardTrouble {
    /// The smart card service (pcscd) is not running.
    #[error("the smart card service is not running")]
    ServiceNotRunning,
    /// No card reader is connected.
    #[error("no card reader is connected")]
    NoReader,
    /// A reader is connected but holds no card.
    #[error("there is no card in the reader")]
    NoCard,
    /// The card is not one Signet knows.
    #[error("unsupported card (ATR {atr})")]
    UnsupportedCard {
        /// The card's answer to reset, hex, so the person can report it.
        atr: String,
    },
    /// The card was removed or reset during the operation.
    #[error("the card was removed during the operation")]
    CardRemoved,
    /// Another program holds the card exclusively.
    #[error("another program is using the card")]
    CardInUse,
    /// The card did not answer as expected (communication failed).
    #[error("communication with the card failed: {detail}")]
    Communication {
        /// What failed, for the log. Never holds a PIN.
        detail: String,
    },
    /// A wrong PIN: the card counted a try.
    #[error("{kind} incorrect{}", tries_note(*retries_left))]
    PinIncorrect {
        /// Which PIN.
        kind: PinKind,
        /// Tries left before it blocks.
        retries_left: u8,
    },
    /// PIN1 or PIN2 is blocked.
    #[error("{kind} is blocked")]
    PinBlocked {
        /// Which PIN.
        kind: PinKind,
    },
    /// The PUK is blocked as well.
    #[error("the PUK is blocked")]
    PukBlocked,
    /// A PIN-pad reader waits for the PIN on its own keys.
    #[error("enter the PIN on the reader's keypad")]
    PinPadWaiting,
    /// A PIN-pad reader timed out.
    #[error("the PIN was not entered on the reader in time")]
    PinPadTimeout,
    /// The PIN entry was cancelled on the reader.
    #[error("the PIN entry was cancelled on the reader")]
    PinPadCancelled,
    /// The certificate of the key has expired.
    #[error("the certificate expired")]
    CertificateExpired,
    /// Several readers hold cards: the person chooses one.
    #[error("several cards are present ({count})")]
    SeveralCards {
        /// How many.
        count: usize,
    },
    /// A Thales card that has never been activated: PIN2 must be changed first.
    #[error("the card is not activated yet")]
    NotActivated,
}

/// ", N tries left", or nothing when the token does not tell.
fn tries_note(retries_left: u8) -> String {
    if retries_left == crate::PinState::UNKNOWN {
        String::new()
    } else {
        format!(", {retries_left} tries left")
    }
}

impl CardTrouble {
    /// The code the UI branches on.
    pub const fn code(&self) -> Code {
        match self {
            Self::ServiceNotRunning
            | Self::NoReader
            | Self::NoCard
            | Self::CardInUse
            | Self::SeveralCards { .. }
            | Self::PinPadWaiting
            | Self::PinPadTimeout
            | Self::Communication { .. } => Code::CardUnavailable,
            Self::CardRemoved => Code::CardRemoved,
            Self::UnsupportedCard { .. } => Code::CardUnsupported,
            Self::PinIncorrect { .. } => Code::PinIncorrect,
            Self::PinBlocked { .. } | Self::PukBlocked => Code::PinBlocked,
            Self::PinPadCancelled => Code::Cancelled,
            Self::CertificateExpired => Code::InvalidInput,
            Self::NotActivated => Code::CardNotActivated,
        }
    }

    /// Whether trying again (after the person acts on the recommendation) can succeed.
    pub const fn retriable(&self) -> bool {
        !matches!(
            self,
            Self::PukBlocked | Self::UnsupportedCard { .. } | Self::CertificateExpired
        )
    }

    /// What happened, in `language`.
    pub fn message(&self, language: Language) -> String {
        use Language::{En, Et, Ru};
        match (self, language) {
            (Self::ServiceNotRunning, En) => {
                "The smart card service (pcscd) is not running.".into()
            }
            (Self::ServiceNotRunning, Et) => "Kiipkaardi teenus (pcscd) ei tööta.".into(),
            (Self::ServiceNotRunning, Ru) => "Служба смарт-карт (pcscd) не запущена.".into(),
            (Self::NoReader, En) => "No card reader is connected.".into(),
            (Self::NoReader, Et) => "Kaardilugejat pole ühendatud.".into(),
            (Self::NoReader, Ru) => "Считыватель карт не подключён.".into(),
            (Self::NoCard, En) => "There is no ID card in the reader.".into(),
            (Self::NoCard, Et) => "Lugejas pole ID-kaarti.".into(),
            (Self::NoCard, Ru) => "В считывателе нет ID-карты.".into(),
            (Self::UnsupportedCard { atr }, En) => {
                format!("This card is not supported (ATR {atr}).")
            }
            (Self::UnsupportedCard { atr }, Et) => format!("Seda kaarti ei toetata (ATR {atr})."),
            (Self::UnsupportedCard { atr }, Ru) => {
                format!("Эта карта не поддерживается (ATR {atr}).")
            }
            (Self::CardRemoved, En) => "The ID card was removed during the operation.".into(),
            (Self::CardRemoved, Et) => "ID-kaart eemaldati toimingu ajal.".into(),
            (Self::CardRemoved, Ru) => "ID-карту вынули во время операции.".into(),
            (Self::CardInUse, En) => "Another program is using the ID card.".into(),
            (Self::CardInUse, Et) => "ID-kaarti kasutab teine programm.".into(),
            (Self::CardInUse, Ru) => "ID-карту использует другая программа.".into(),
            (Self::Communication { .. }, En) => "Communication with the ID card failed.".into(),
            (Self::Communication { .. }, Et) => "Side ID-kaardiga katkes.".into(),
            (Self::Communication { .. }, Ru) => "Связь с ID-картой нарушена.".into(),
            (Self::PinIncorrect { kind, retries_left }, En)
                if *retries_left == crate::PinState::UNKNOWN =>
            {
                format!("{kind} was incorrect.")
            }
            (Self::PinIncorrect { kind, retries_left }, Et)
                if *retries_left == crate::PinState::UNKNOWN =>
            {
                format!("{kind} oli vale.")
            }
            (Self::PinIncorrect { kind, retries_left }, Ru)
                if *retries_left == crate::PinState::UNKNOWN =>
            {
                format!("Неверный {kind}.")
            }
            (Self::PinIncorrect { kind, retries_left }, En) => {
                format!("{kind} was incorrect. Tries left: {retries_left}.")
            }
            (Self::PinIncorrect { kind, retries_left }, Et) => {
                format!("{kind} oli vale. Katseid jäänud: {retries_left}.")
            }
            (Self::PinIncorrect { kind, retries_left }, Ru) => {
                format!("Неверный {kind}. Осталось попыток: {retries_left}.")
            }
            (Self::PinBlocked { kind }, En) => format!("{kind} is blocked."),
            (Self::PinBlocked { kind }, Et) => format!("{kind} on lukus."),
            (Self::PinBlocked { kind }, Ru) => format!("{kind} заблокирован."),
            (Self::PukBlocked, En) => "The PUK is blocked.".into(),
            (Self::PukBlocked, Et) => "PUK on lukus.".into(),
            (Self::PukBlocked, Ru) => "PUK заблокирован.".into(),
            (Self::PinPadWaiting, En) => "Enter the PIN on the reader's keypad.".into(),
            (Self::PinPadWaiting, Et) => "Sisesta PIN kaardilugeja klahvistikul.".into(),
            (Self::PinPadWaiting, Ru) => "Введите PIN на клавиатуре считывателя.".into(),
            (Self::PinPadTimeout, En) => "The PIN was not entered on the reader in time.".into(),
            (Self::PinPadTimeout, Et) => "PIN-i ei sisestatud lugejal õigeks ajaks.".into(),
            (Self::PinPadTimeout, Ru) => "PIN не был введён на считывателе вовремя.".into(),
            (Self::PinPadCancelled, En) => "The PIN entry was cancelled on the reader.".into(),
            (Self::PinPadCancelled, Et) => "PIN-i sisestamine katkestati lugejal.".into(),
            (Self::PinPadCancelled, Ru) => "Ввод PIN отменён на считывателе.".into(),
            (Self::CertificateExpired, En) => "The certificate on the ID card has expired.".into(),
            (Self::CertificateExpired, Et) => "ID-kaardi sertifikaat on aegunud.".into(),
            (Self::CertificateExpired, Ru) => "Срок действия сертификата ID-карты истёк.".into(),
            (Self::SeveralCards { count }, En) => format!("{count} cards are present."),
            (Self::SeveralCards { count }, Et) => format!("Lugejates on {count} kaarti."),
            (Self::SeveralCards { count }, Ru) => format!("Обнаружено карт: {count}."),
            (Self::NotActivated, En) => "The ID card has not been activated yet.".into(),
            (Self::NotActivated, Et) => "ID-kaart ei ole veel aktiveeritud.".into(),
            (Self::NotActivated, Ru) => "ID-карта ещё не активирована.".into(),
        }
    }

    /// What the person can do about it, in `language`.
    pub const fn recommendation(&self, language: Language) -> &'static str {
        use Language::{En, Et, Ru};
        match (self, language) {
            (Self::ServiceNotRunning, En) => {
                "Start the smart card service: on most Linux systems run 'sudo systemctl enable --now pcscd.socket', then try again."
            }
            (Self::ServiceNotRunning, Et) => {
                "Käivita kiipkaardi teenus: enamikus Linuxi süsteemides käsuga 'sudo systemctl enable --now pcscd.socket', ja proovi uuesti."
            }
            (Self::ServiceNotRunning, Ru) => {
                "Запустите службу смарт-карт: в большинстве систем Linux командой 'sudo systemctl enable --now pcscd.socket', и попробуйте снова."
            }
            (Self::NoReader, En) => "Connect the card reader and try again.",
            (Self::NoReader, Et) => "Ühenda kaardilugeja ja proovi uuesti.",
            (Self::NoReader, Ru) => "Подключите считыватель и попробуйте снова.",
            (Self::NoCard, En) => "Put the ID card in the reader, chip first, and try again.",
            (Self::NoCard, Et) => "Pane ID-kaart kiibiga ees lugejasse ja proovi uuesti.",
            (Self::NoCard, Ru) => {
                "Вставьте ID-карту в считыватель чипом вперёд и попробуйте снова."
            }
            (Self::UnsupportedCard { .. }, En) => {
                "Use an Estonian ID card. If this is one, report the ATR so Signet can learn it."
            }
            (Self::UnsupportedCard { .. }, Et) => {
                "Kasuta Eesti ID-kaarti. Kui see on Eesti ID-kaart, teata ATR-ist, et Signet saaks seda õppida."
            }
            (Self::UnsupportedCard { .. }, Ru) => {
                "Используйте эстонскую ID-карту. Если это она, сообщите ATR, чтобы Signet мог её изучить."
            }
            (Self::CardRemoved, En) => {
                "Put the ID card back in the reader and try again. Nothing was signed."
            }
            (Self::CardRemoved, Et) => {
                "Pane ID-kaart tagasi lugejasse ja proovi uuesti. Midagi ei allkirjastatud."
            }
            (Self::CardRemoved, Ru) => {
                "Вставьте ID-карту обратно и попробуйте снова. Ничего не подписано."
            }
            (Self::CardInUse, En) => {
                "Close the other program that uses the card (for example a browser or gpg), then try again."
            }
            (Self::CardInUse, Et) => {
                "Sulge teine kaarti kasutav programm (näiteks brauser või gpg) ja proovi uuesti."
            }
            (Self::CardInUse, Ru) => {
                "Закройте другую программу, использующую карту (например, браузер или gpg), и попробуйте снова."
            }
            (Self::Communication { .. }, En) => {
                "Take the card out, put it back in and try again. If it keeps failing, try another reader."
            }
            (Self::Communication { .. }, Et) => {
                "Võta kaart välja, pane tagasi ja proovi uuesti. Kui viga kordub, proovi teist lugejat."
            }
            (Self::Communication { .. }, Ru) => {
                "Выньте карту, вставьте её снова и попробуйте ещё раз. Если ошибка повторяется, попробуйте другой считыватель."
            }
            (Self::PinIncorrect { .. }, En) => {
                "Enter the PIN again carefully. When no tries are left, the PIN is blocked and only the PUK can unblock it."
            }
            (Self::PinIncorrect { .. }, Et) => {
                "Sisesta PIN uuesti hoolikalt. Kui katseid enam pole, PIN lukustub ja selle saab avada ainult PUK-koodiga."
            }
            (Self::PinIncorrect { .. }, Ru) => {
                "Введите PIN ещё раз внимательно. Когда попытки закончатся, PIN заблокируется, и разблокировать его можно будет только PUK-кодом."
            }
            (Self::PinBlocked { .. }, En) => {
                "Unblock the PIN with the PUK code from your PIN envelope: signet card pin unblock."
            }
            (Self::PinBlocked { .. }, Et) => {
                "Ava PIN PUK-koodiga, mis on sinu PIN-ümbrikus: signet card pin unblock."
            }
            (Self::PinBlocked { .. }, Ru) => {
                "Разблокируйте PIN кодом PUK из конверта с PIN-кодами: signet card pin unblock."
            }
            (Self::PukBlocked, En) => {
                "Get new PIN codes at a Police and Border Guard Board service office."
            }
            (Self::PukBlocked, Et) => {
                "Taotle uued PIN-koodid Politsei- ja Piirivalveameti teenindusest."
            }
            (Self::PukBlocked, Ru) => {
                "Получите новые PIN-коды в бюро обслуживания Департамента полиции и погранохраны."
            }
            (Self::PinPadWaiting, En) => "Type the PIN on the reader and press its OK key.",
            (Self::PinPadWaiting, Et) => "Trüki PIN lugejal ja vajuta selle OK-klahvi.",
            (Self::PinPadWaiting, Ru) => "Наберите PIN на считывателе и нажмите его клавишу OK.",
            (Self::PinPadTimeout, En) | (Self::PinPadCancelled, En) => {
                "Start again when you are ready. No try was used."
            }
            (Self::PinPadTimeout, Et) | (Self::PinPadCancelled, Et) => {
                "Alusta uuesti, kui oled valmis. Ühtegi katset ei kulunud."
            }
            (Self::PinPadTimeout, Ru) | (Self::PinPadCancelled, Ru) => {
                "Начните заново, когда будете готовы. Попытка не израсходована."
            }
            (Self::CertificateExpired, En) => {
                "Renew the certificates or apply for a new ID card at the Police and Border Guard Board."
            }
            (Self::CertificateExpired, Et) => {
                "Uuenda sertifikaadid või taotle uus ID-kaart Politsei- ja Piirivalveametist."
            }
            (Self::CertificateExpired, Ru) => {
                "Обновите сертификаты или закажите новую ID-карту в Департаменте полиции и погранохраны."
            }
            (Self::SeveralCards { .. }, En) => {
                "Choose the card to use, or leave only one card in the readers."
            }
            (Self::SeveralCards { .. }, Et) => {
                "Vali kaart, mida kasutada, või jäta lugejatesse ainult üks kaart."
            }
            (Self::SeveralCards { .. }, Ru) => {
                "Выберите карту или оставьте в считывателях только одну."
            }
            (Self::NotActivated, En) => {
                "Activate the card in the Police and Border Guard Board self-service portal, then change PIN2."
            }
            (Self::NotActivated, Et) => {
                "Aktiveeri kaart Politsei- ja Piirivalveameti iseteeninduses ning muuda seejärel PIN2."
            }
            (Self::NotActivated, Ru) => {
                "Активируйте карту на портале самообслуживания Департамента полиции и погранохраны, затем смените PIN2."
            }
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::En => "en",
            Self::Et => "et",
            Self::Ru => "ru",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every() -> Vec<CardTrouble> {
        vec![
            CardTrouble::ServiceNotRunning,
            CardTrouble::NoReader,
            CardTrouble::NoCard,
            CardTrouble::UnsupportedCard { atr: "3B00".into() },
            CardTrouble::CardRemoved,
            CardTrouble::CardInUse,
            CardTrouble::Communication { detail: "x".into() },
            CardTrouble::PinIncorrect {
                kind: PinKind::Pin2,
                retries_left: 2,
            },
            CardTrouble::PinBlocked {
                kind: PinKind::Pin1,
            },
            CardTrouble::PukBlocked,
            CardTrouble::PinPadWaiting,
            CardTrouble::PinPadTimeout,
            CardTrouble::PinPadCancelled,
            CardTrouble::CertificateExpired,
            CardTrouble::SeveralCards { count: 2 },
            CardTrouble::NotActivated,
        ]
    }

    #[test]
    fn every_trouble_speaks_three_languages() {
        for trouble in every() {
            let mut seen = std::collections::BTreeSet::new();
            for language in Language::ALL {
                let message = trouble.message(language);
                let recommendation = trouble.recommendation(language);
                assert!(message.ends_with('.'), "{trouble:?} {language}");
                assert!(recommendation.ends_with('.'), "{trouble:?} {language}");
                seen.insert(recommendation);
            }
            assert_eq!(seen.len(), 3, "{trouble:?} is not translated");
            let _ = trouble.code();
        }
    }

    #[test]
    fn wrong_pin_says_how_many_tries_are_left() {
        let trouble = CardTrouble::PinIncorrect {
            kind: PinKind::Pin2,
            retries_left: 1,
        };
        assert_eq!(trouble.code(), Code::PinIncorrect);
        assert!(trouble.message(Language::En).contains("Tries left: 1"));
        assert!(trouble.message(Language::Et).contains("Katseid jäänud: 1"));
        assert_eq!(CardTrouble::NotActivated.code(), Code::CardNotActivated);
    }
}
