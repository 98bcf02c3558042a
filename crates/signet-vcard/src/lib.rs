//! A virtual Estonian ID card for tests and demos: it speaks the IDEMIA 2018 (COSMO 8) APDUs,
//! or the Thales (2025) ones, with real P-384 keys and plugs into pcscd through vsmartcard's
//! vpcd.
//!
//! It is never a signer a person could mistake for a card: its keys are whatever the test gives
//! it, and it only exists while a test or the demo profile runs.
//!
//! vpcd protocol (`shared/reference/card.md` §8.3): the card connects to vpcd over TCP (port
//! 35963 for the first slot, 35964 for the second); every message both ways is a 2-byte
//! big-endian length and that many bytes. One-byte messages from vpcd are control codes (00
//! power off, 01 power on, 02 reset: no answer; 04 get ATR: answer the ATR); longer ones are
//! command APDUs, answered with data ‖ SW1 SW2. Closing the socket pulls the card.
//!
//! Debian's vpcd writes the length and the payload in two `send()` calls: with Nagle and delayed
//! ACKs that costs ~44 ms per APDU. The card therefore sets `TCP_NODELAY`, sets `TCP_QUICKACK`
//! again before every read (Linux clears it), and writes each answer in one call.

mod card;
mod thales;

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use card::{CardState, Reply};
pub use card::{Dialect, IDEMIA_2018_ATR, THALES_2025_ATR};

/// The first vpcd slot's port ("Virtual PCD 00 00"); the second is one more.
pub const VPCD_PORT: u16 = 35963;

/// What went wrong plugging the card in.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VcardError {
    /// vpcd did not accept the connection (is pcscd with vpcd running?).
    #[error("cannot connect to vpcd at {addr}: {source}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The card is already in a reader.
    #[error("the card is already inserted")]
    AlreadyInserted,
}

/// The holder's data in the personal data file (DF 5000).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Holder {
    /// EF 5001.
    pub surname: String,
    /// EF 5002.
    pub given_names: String,
    /// EF 5003.
    pub sex: String,
    /// EF 5004, ISO 3166 alpha-3.
    pub citizenship: String,
    /// EF 5005, `DD MM YYYY`.
    pub birth: String,
    /// EF 5006.
    pub personal_code: String,
    /// EF 5007 (and EF D003).
    pub document_number: String,
    /// EF 5008, `DD MM YYYY`.
    pub expiry: String,
}

impl Holder {
    /// A holder with the given names and personal code, and plausible other fields.
    pub fn new(surname: &str, given_names: &str, personal_code: &str) -> Self {
        Self {
            surname: surname.into(),
            given_names: given_names.into(),
            sex: "N".into(),
            citizenship: "EST".into(),
            birth: "08 01 1980 EESTI".into(),
            personal_code: personal_code.into(),
            document_number: "AB0123456".into(),
            expiry: "01 01 2030".into(),
        }
    }
}

/// Everything the card is made of.
pub struct CardSpec {
    /// The holder's data.
    pub holder: Holder,
    /// The authentication key (0x81), P-384.
    pub auth_key: p384::ecdsa::SigningKey,
    /// Its certificate, DER.
    pub auth_cert: Vec<u8>,
    /// The signing key (0x9F), P-384.
    pub sign_key: p384::ecdsa::SigningKey,
    /// Its certificate, DER.
    pub sign_cert: Vec<u8>,
    /// PIN1, digits.
    pub pin1: String,
    /// PIN2, digits.
    pub pin2: String,
    /// PUK, digits.
    pub puk: String,
}

impl std::fmt::Debug for CardSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSpec")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

/// Trouble to make on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// In the middle of the next qualified signature: answer the VERIFY of PIN2, then close the
    /// socket before the PSO:COMPUTE DIGITAL SIGNATURE arrives (pulled between VERIFY and CDS).
    RemoveDuringSignature,
}

/// Tries left on the card's three counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// PIN1.
    pub pin1: u8,
    /// PIN2.
    pub pin2: u8,
    /// PUK.
    pub puk: u8,
}

/// A virtual card, in a reader or not. Its keys, files and counters survive removal.
pub struct VirtualCard {
    state: Arc<Mutex<CardState>>,
    plugged: Option<Plugged>,
}

struct Plugged {
    stream: TcpStream,
    thread: JoinHandle<()>,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("inserted", &self.plugged.is_some())
            .finish()
    }
}

fn lock(state: &Mutex<CardState>) -> MutexGuard<'_, CardState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl VirtualCard {
    /// An IDEMIA 2018 card made of `spec`, not yet in a reader.
    pub fn new(spec: CardSpec) -> Self {
        Self::with_dialect(spec, Dialect::Idemia2018)
    }

    /// A card of `dialect` made of `spec`, not yet in a reader.
    pub fn with_dialect(spec: CardSpec, dialect: Dialect) -> Self {
        Self {
            state: Arc::new(Mutex::new(CardState::new(spec, dialect))),
            plugged: None,
        }
    }

    /// Makes the card one whose PIN2 was never changed: a Thales card delivered locked, not yet
    /// activated (its counter's DF2F reads 00 and the signing key refuses to sign until PIN2
    /// is changed).
    pub fn never_activated(&self) {
        lock(&self.state).pin2.changed = false;
    }

    /// Puts the card into the vpcd slot listening at `addr`, retrying for up to 5 s while vpcd
    /// is not yet listening.
    pub fn insert(&mut self, addr: SocketAddr) -> Result<(), VcardError> {
        if self.plugged.is_some() {
            return Err(VcardError::AlreadyInserted);
        }
        let start = Instant::now();
        let stream = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(stream) => break stream,
                Err(source) if start.elapsed() > Duration::from_secs(5) => {
                    return Err(VcardError::Connect { addr, source });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        let io = |source| VcardError::Connect { addr, source };
        stream.set_nodelay(true).map_err(io)?;
        let reader = stream.try_clone().map_err(io)?;
        lock(&self.state).reset();
        let state = Arc::clone(&self.state);
        let thread = std::thread::Builder::new()
            .name("signet-vcard".into())
            .spawn(move || serve(reader, &state))
            .map_err(io)?;
        tracing::debug!(%addr, "virtual card inserted");
        self.plugged = Some(Plugged { stream, thread });
        Ok(())
    }

    /// Pulls the card out of its reader (closes the socket). Does nothing if it is not in one.
    pub fn remove(&mut self) {
        if let Some(plugged) = self.plugged.take() {
            let _ = plugged.stream.shutdown(Shutdown::Both);
            let _ = plugged.thread.join();
            lock(&self.state).reset();
            tracing::debug!("virtual card removed");
        }
    }

    /// Whether the card is in a reader (its connection still open).
    pub fn inserted(&self) -> bool {
        self.plugged
            .as_ref()
            .is_some_and(|p| !p.thread.is_finished())
    }

    /// Answers like a card behind a T=0 reader: data comes as 61xx and must be fetched with GET
    /// RESPONSE, and READ BINARY with Le 00 over a shorter rest gets 6Cxx (the right length).
    pub fn answer_in_parts(&self, on: bool) {
        lock(&self.state).t0_style = on;
    }

    /// Makes trouble on purpose at the next matching command.
    pub fn inject(&self, fault: Fault) {
        lock(&self.state).fault = Some(fault);
    }

    /// Tries left on PIN1, PIN2 and PUK.
    pub fn counters(&self) -> Counters {
        let state = lock(&self.state);
        Counters {
            pin1: state.pin1.left,
            pin2: state.pin2.left,
            puk: state.puk.left,
        }
    }

    /// How many VERIFY commands carrying a PIN the card has received (CHANGE REFERENCE DATA
    /// included).
    pub fn verifications(&self) -> u32 {
        lock(&self.state).verifies
    }

    /// How many qualified signatures (PSO:CDS) the card has made.
    pub fn signatures(&self) -> u32 {
        lock(&self.state).signatures
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Answers vpcd until the socket closes.
fn serve(mut stream: TcpStream, state: &Mutex<CardState>) {
    let quickack = |stream: &TcpStream| {
        let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
    };
    loop {
        quickack(&stream);
        let mut length = [0_u8; 2];
        if stream.read_exact(&mut length).is_err() {
            break;
        }
        let mut message = vec![0_u8; usize::from(u16::from_be_bytes(length))];
        quickack(&stream);
        if stream.read_exact(&mut message).is_err() {
            break;
        }
        let mut vanish = false;
        let reply = match message.as_slice() {
            [0x00] | [0x01] | [0x02] => {
                lock(state).reset();
                continue;
            }
            [0x04] => lock(state).dialect.atr().to_vec(),
            [_] => continue,
            apdu => match lock(state).command(apdu) {
                Reply::Answer(answer) => answer,
                Reply::AnswerThenVanish(answer) => {
                    vanish = true;
                    answer
                }
            },
        };
        // Wipe the command: it may have carried a PIN.
        zeroize::Zeroize::zeroize(&mut message);
        let Ok(len) = u16::try_from(reply.len()) else {
            break;
        };
        let mut frame = Vec::with_capacity(2 + reply.len());
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(&reply);
        if stream.write_all(&frame).is_err() {
            break;
        }
        if vanish {
            tracing::debug!("virtual card pulled mid-signature (fault injected)");
            let _ = stream.shutdown(Shutdown::Both);
            break;
        }
    }
}
