//! A pcscd with one virtual card in slot 0, made of the test PKI's keys and certificates.

use std::path::Path;
use std::time::{Duration, Instant};

use signet_testkit::pcscd::Pcscd;
use signet_testkit::{PERSONAL_CODE, Role, TestKey, TestPki};
use signet_token::pcsc::PcscToken;
use signet_token::{Pin, PinKind, TokenError};
use signet_vcard::{CardSpec, Dialect, Holder, VirtualCard};
use zeroize::Zeroizing;

pub const PIN1: &str = "40718352";
pub const PIN2: &str = "9753108642";
pub const PUK: &str = "86420864";

pub struct Rig {
    pub pki: TestPki,
    pub card: VirtualCard,
    pub pcscd: Pcscd,
}

fn key(pki: &TestPki, role: Role) -> p384::ecdsa::SigningKey {
    match &pki.get(role).key {
        TestKey::P384(key) => key.clone(),
        other => panic!("{role:?} has a {other:?} key"),
    }
}

/// A card made of the test PKI's keys and certificates, with the test PINs.
pub fn spec(pki: &TestPki) -> CardSpec {
    CardSpec {
        holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
        auth_key: key(pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(pki, Role::Signing),
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: PIN1.into(),
        pin2: PIN2.into(),
        puk: PUK.into(),
    }
}

impl Rig {
    /// An IDEMIA 2018 card.
    pub fn start() -> Self {
        Self::start_with(Dialect::Idemia2018)
    }

    /// A card of `dialect`.
    pub fn start_with(dialect: Dialect) -> Self {
        let pcscd =
            Pcscd::start().expect("pcscd with vpcd (run as root; cargo xtask test installs them)");
        let pki = TestPki::start().unwrap();
        let spec = spec(&pki);
        let mut card = VirtualCard::with_dialect(spec, dialect);
        card.insert(pcscd.slot(0)).unwrap();
        Self { pki, card, pcscd }
    }

    pub fn reader(&self) -> String {
        self.pcscd.reader_name(0)
    }

    /// Opens the card once pcscd has noticed it (its presence poll runs every 400 ms).
    pub fn open(&self) -> PcscToken {
        let start = Instant::now();
        loop {
            match PcscToken::open(None) {
                Ok(token) => return token,
                Err(error) if start.elapsed() > Duration::from_secs(5) => {
                    panic!("the virtual card did not appear: {error}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    pub fn dir(&self) -> &Path {
        self.pki.dir()
    }
}

pub fn pin(kind: PinKind, digits: &str) -> Pin {
    Pin::new(kind, Zeroizing::new(digits.to_owned())).unwrap()
}

pub fn trouble(result: Result<impl std::fmt::Debug, TokenError>) -> signet_token::CardTrouble {
    match result {
        Err(TokenError::Card(trouble)) => trouble,
        other => panic!("expected card trouble, got {other:?}"),
    }
}
