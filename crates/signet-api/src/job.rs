//! Long operations as jobs: they run off the caller's thread, report typed [`JobEvent`]s, ask for
//! secrets with a [`PinRequest`] that says what will be signed, and can be cancelled.
//!
//! A job is two halves made together by [`channel`]: the [`JobControl`] the operation holds (it
//! emits events, asks for secrets, and checks for a cancel between steps) and the [`JobHandle`]
//! the caller keeps (it answers a PIN request or cancels). The desktop forwards events to the
//! window and answers from its PIN dialog; the command line prints and answers from the terminal;
//! both see the same request type.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use signet_core::Code;
use signet_token::{Pin, PinKind, PinState};

use crate::ApiError;

/// What an operation is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Reading the inputs.
    Reading,
    /// Computing the digests of the inputs.
    Hashing,
    /// Waiting for the person to give a PIN or password.
    WaitingForPin,
    /// The card (or token) is signing.
    Signing,
    /// Asking the time-stamping authority.
    Timestamp,
    /// Fetching revocation data (OCSP, CRL).
    Revocation,
    /// Writing the output.
    Writing,
    /// Validating signatures.
    Verifying,
}

/// The secret a token asks for, as the UI names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretKind {
    /// PIN1, the authentication PIN.
    Pin1,
    /// PIN2, the signing PIN.
    Pin2,
    /// The PUK.
    Puk,
    /// The password of a PKCS#12 file (or another software token).
    Password,
}

impl SecretKind {
    /// As it is serialised (`pin1`, `pin2`, `puk`, `password`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pin1 => "pin1",
            Self::Pin2 => "pin2",
            Self::Puk => "puk",
            Self::Password => "password",
        }
    }
}

impl From<SecretKind> for PinKind {
    fn from(kind: SecretKind) -> Self {
        match kind {
            SecretKind::Pin1 => Self::Pin1,
            SecretKind::Pin2 => Self::Pin2,
            SecretKind::Puk => Self::Puk,
            SecretKind::Password => Self::Password,
        }
    }
}

impl From<PinKind> for SecretKind {
    fn from(kind: PinKind) -> Self {
        match kind {
            PinKind::Pin1 => Self::Pin1,
            PinKind::Pin2 => Self::Pin2,
            PinKind::Puk => Self::Puk,
            PinKind::Password => Self::Password,
        }
    }
}

/// A file an operation will sign, as the PIN dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFacts {
    /// The file's name (without its folder).
    pub name: String,
    /// The full path.
    pub path: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// The SHA-256 of its content, lower-case hex.
    pub sha256: String,
}

/// The SHA-256 of `bytes`, lower-case hex (as [`DocumentFacts::sha256`]).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "3 of 300": where a request or a step stands in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// 1-based.
    pub n: u32,
    /// The total.
    pub of: u32,
}

/// The operation needs a secret: which, how many tries are left, who signs and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PinRequest {
    /// Answer with this id ([`JobHandle::answer`]).
    #[ts(type = "number")]
    pub id: u64,
    /// Which secret.
    pub secret: SecretKind,
    /// Tries left before it blocks, when the card says.
    pub tries_left: Option<u8>,
    /// The previous answer was wrong: this asks again.
    pub retry: bool,
    /// The signer, as a person reads the name ("Mari Tamm (38001085718)").
    pub signer: Option<String>,
    /// What the signature will cover (empty for a login).
    pub documents: Vec<DocumentFacts>,
    /// In a batch: which signature of how many.
    pub position: Option<Position>,
    /// The reader has a PIN pad: the person types on it; answer with no PIN.
    pub pin_pad: bool,
    /// A new value is asked (changing or unblocking a PIN), not the current one.
    pub new_value: bool,
    /// The change of consent the signature makes, in words the window renders (the consent as
    /// the agency holds it now, and whether it is switched on or off), when PIN2 signs one:
    /// `documents` names only its file.
    pub consent_change: Option<Box<crate::consent_screen::ConsentChangeView>>,
}

/// What a job reports while it runs.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum JobEvent {
    /// A new step, on a file when it concerns one.
    Phase {
        /// The step.
        phase: Phase,
        /// The file's name.
        file: Option<String>,
        /// Which file of how many.
        position: Option<Position>,
    },
    /// A secret is needed.
    PinRequest(PinRequest),
    /// A step of a batch: its plan, a file signed, skipped or failed, the summary.
    Batch(Box<crate::batch::BatchEvent>),
    /// The card was pulled out: the job waits until it is back, then goes on.
    WaitingForCard,
}

impl JobEvent {
    /// The event as the window gets it: an error it carries (a batch's) names no command-line
    /// flag in its recommendation.
    #[must_use]
    pub fn for_window(self) -> Self {
        match self {
            Self::Batch(event) => Self::Batch(Box::new(event.for_window())),
            other => other,
        }
    }
}

/// What the caller answers to a [`PinRequest`].
enum Answer {
    Secret(u64, Pin),
    Cancel,
}

/// The caller's half: answer PIN requests, cancel.
#[derive(Clone)]
pub struct JobHandle {
    cancelled: Arc<AtomicBool>,
    answers: Sender<Answer>,
    asked: Arc<Mutex<Option<(u64, PinKind)>>>,
}

impl std::fmt::Debug for JobHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobHandle")
            .field("cancelled", &self.cancelled.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl JobHandle {
    /// Answers the PIN request `id` with `pin`. An answer to a request no longer asked is
    /// dropped (its PIN wiped).
    pub fn answer(&self, id: u64, pin: Pin) {
        let _ = self.answers.send(Answer::Secret(id, pin));
    }

    /// Cancels the job: a PIN request waiting is answered with a cancel, and the job stops at its
    /// next step, leaving no output and no temporary file.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let _ = self.answers.send(Answer::Cancel);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Answers the request `id` with what the person typed, as the kind of secret that request
    /// asked for (the caller does not say which: a wrong kind can never change another PIN).
    pub fn answer_typed(&self, id: u64, typed: zeroize::Zeroizing<String>) -> Result<(), ApiError> {
        let kind = match *self.asked.lock().unwrap_or_else(PoisonError::into_inner) {
            Some((asked, kind)) if asked == id => kind,
            _ => {
                return Err(ApiError::new(
                    Code::Cancelled,
                    "the request for this PIN is no longer open",
                ));
            }
        };
        self.answer(id, crate::card::pin_from_typed(kind, typed)?);
        Ok(())
    }

    /// Whether `other` is a handle of the same job.
    pub fn same_job(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.cancelled, &other.cancelled)
    }
}

/// Where a job's events go.
pub type EventSink = Box<dyn Fn(JobEvent) + Send + Sync>;

/// The operation's half: emit events, ask for secrets, check for a cancel.
pub struct JobControl {
    events: EventSink,
    cancelled: Arc<AtomicBool>,
    answers: Mutex<Receiver<Answer>>,
    next_id: AtomicU64,
    asked: Arc<Mutex<Option<(u64, PinKind)>>>,
}

impl std::fmt::Debug for JobControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobControl")
            .field("cancelled", &self.cancelled.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

/// A new job's two halves; `events` receives every event, on the job's thread.
pub fn channel(events: impl Fn(JobEvent) + Send + Sync + 'static) -> (JobHandle, JobControl) {
    let (tx, rx) = std::sync::mpsc::channel();
    let cancelled = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(Mutex::new(None));
    (
        JobHandle {
            cancelled: Arc::clone(&cancelled),
            answers: tx,
            asked: Arc::clone(&asked),
        },
        JobControl {
            events: Box::new(events),
            cancelled,
            answers: Mutex::new(rx),
            next_id: AtomicU64::new(1),
            asked,
        },
    )
}

/// The error of a cancelled job.
pub fn cancelled() -> ApiError {
    ApiError::new(
        Code::Cancelled,
        "cancelled: nothing more was signed or written (what was finished before is kept)",
    )
}

impl JobControl {
    /// Reports `event`.
    pub fn emit(&self, event: JobEvent) {
        (self.events)(event);
    }

    /// Reports a step.
    pub fn phase(&self, phase: Phase, file: Option<&str>, position: Option<Position>) {
        self.emit(JobEvent::Phase {
            phase,
            file: file.map(str::to_owned),
            position,
        });
    }

    /// Whether the caller cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// `Err(cancelled)` once the caller cancelled: call it between steps.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.cancelled.load(Ordering::SeqCst) {
            Err(cancelled())
        } else {
            Ok(())
        }
    }

    /// Emits `request` (its id filled in) and waits for the answer: the secret, or a cancel.
    /// A request on a PIN pad waits for nothing: the person types on the reader, which the token
    /// then asks, so the answer is [`Pin::on_pad`] at once (the caller shows the request until
    /// the next event; its cancel stops the job after the pad gives up).
    pub fn ask(&self, mut request: PinRequest) -> Result<Pin, ApiError> {
        self.check()?;
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        request.id = id;
        let kind = request.secret;
        tracing::debug!(id, secret = ?kind, retry = request.retry, pin_pad = request.pin_pad, "asking for a secret");
        if request.pin_pad {
            self.emit(JobEvent::PinRequest(request));
            return Ok(Pin::on_pad(kind.into()));
        }
        *self.asked.lock().unwrap_or_else(PoisonError::into_inner) = Some((id, kind.into()));
        self.emit(JobEvent::PinRequest(request));
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match answers.recv() {
                Ok(Answer::Secret(answered, pin)) if answered == id => {
                    self.check()?;
                    return Ok(pin);
                }
                // An answer to an earlier request (a double submit): wiped and ignored.
                Ok(Answer::Secret(..)) => {}
                Ok(Answer::Cancel) | Err(_) => return Err(cancelled()),
            }
        }
    }
}

/// What a signing job says about the secret asked: the documents and the signer stay the same
/// over one job; the file being signed ([`Position`]) and the card's count change.
#[derive(Debug, Clone, Default)]
pub struct SigningAsk {
    /// The signer.
    pub signer: Option<String>,
    /// Every document of the job (one PDF at a time is shown when `per_file`).
    pub documents: Vec<DocumentFacts>,
    /// Each PIN covers one document (PAdES): the request shows the one being signed.
    pub per_file: bool,
    /// The change of consent signed, when it is one.
    pub consent_change: Option<Box<crate::consent_screen::ConsentChangeView>>,
}

impl SigningAsk {
    /// The request for `kind` with the card's `state`, for the document at `index` of the job.
    pub fn request(
        &self,
        kind: PinKind,
        state: Option<PinState>,
        index: usize,
        retry: bool,
    ) -> PinRequest {
        let total = self.documents.len();
        // A password unlocks the token for every file; a card's PIN2 signs one PDF.
        let (documents, position) = if self.per_file && total > 0 && kind != PinKind::Password {
            let i = index.min(total - 1);
            (
                vec![self.documents[i].clone()],
                (total > 1).then(|| Position {
                    n: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    of: u32::try_from(total).unwrap_or(u32::MAX),
                }),
            )
        } else {
            (self.documents.clone(), None)
        };
        PinRequest {
            id: 0,
            secret: kind.into(),
            tries_left: state
                .map(|s| s.retries_left)
                .filter(|n| *n != PinState::UNKNOWN),
            retry,
            signer: self.signer.clone(),
            documents,
            position,
            pin_pad: state.is_some_and(|s| s.pin_pad),
            new_value: false,
            consent_change: self.consent_change.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(digits: &str) -> Pin {
        Pin::new(PinKind::Pin2, zeroize::Zeroizing::new(digits.to_owned())).unwrap()
    }

    #[test]
    fn a_request_is_answered_by_its_id_and_an_old_answer_is_ignored() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let (handle, control) = channel(move |e| sink.lock().unwrap().push(e));
        let thread = std::thread::spawn(move || {
            let first = control.ask(SigningAsk::default().request(PinKind::Pin2, None, 0, false));
            let second = control.ask(SigningAsk::default().request(PinKind::Pin2, None, 0, true));
            (
                first.map(|p| p.expose_digits().to_vec()),
                second.map(|p| p.expose_digits().to_vec()),
            )
        });
        while seen.lock().unwrap().is_empty() {
            std::thread::yield_now();
        }
        handle.answer(1, pin("12345"));
        while seen.lock().unwrap().len() < 2 {
            std::thread::yield_now();
        }
        // A late answer to the first request, then the right one.
        handle.answer(1, pin("11111"));
        handle.answer(2, pin("54321"));
        let (first, second) = thread.join().unwrap();
        assert_eq!(first.unwrap(), b"12345");
        assert_eq!(second.unwrap(), b"54321");
        let events = seen.lock().unwrap();
        let JobEvent::PinRequest(request) = &events[1] else {
            panic!("{events:?}")
        };
        assert!(request.retry);
        assert_eq!(request.id, 2);
    }

    #[test]
    fn cancel_ends_a_wait_for_a_pin_and_every_later_step() {
        let (handle, control) = channel(|_| {});
        let thread = std::thread::spawn(move || {
            let asked = control.ask(SigningAsk::default().request(PinKind::Pin2, None, 0, false));
            (asked.err(), control.check().err())
        });
        handle.cancel();
        let (asked, later) = thread.join().unwrap();
        assert_eq!(asked.unwrap().code, Code::Cancelled);
        assert_eq!(later.unwrap().code, Code::Cancelled);
        assert!(handle.is_cancelled());
    }

    #[test]
    fn a_pades_request_names_the_one_file_being_signed_and_its_place() {
        let documents = (1..=3)
            .map(|n| DocumentFacts {
                name: format!("{n}.pdf"),
                path: format!("/d/{n}.pdf"),
                size: n,
                sha256: "00".repeat(32),
            })
            .collect();
        let ask = SigningAsk {
            signer: Some("Mari Tamm (38001085718)".into()),
            documents,
            per_file: true,
            consent_change: None,
        };
        let state = PinState {
            kind: PinKind::Pin2,
            retries_left: 2,
            max_retries: 3,
            pin_pad: false,
        };
        let request = ask.request(PinKind::Pin2, Some(state), 1, false);
        assert_eq!(request.documents.len(), 1);
        assert_eq!(request.documents[0].name, "2.pdf");
        assert_eq!(request.position, Some(Position { n: 2, of: 3 }));
        assert_eq!(request.tries_left, Some(2));
        assert_eq!(request.secret, SecretKind::Pin2);
        let json = serde_json::to_value(JobEvent::PinRequest(request)).unwrap();
        assert_eq!(json["type"], "pinRequest");
        assert_eq!(json["triesLeft"], 2);
        assert_eq!(json["documents"][0]["sha256"].as_str().unwrap().len(), 64);
    }

    #[test]
    fn a_pin_pad_request_is_shown_and_answered_by_the_reader() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let (_handle, control) = channel(move |e| sink.lock().unwrap().push(e));
        let state = PinState {
            kind: PinKind::Pin2,
            retries_left: 3,
            max_retries: 3,
            pin_pad: true,
        };
        let request = SigningAsk::default().request(PinKind::Pin2, Some(state), 0, false);
        assert!(request.pin_pad);
        // No answer is sent: the job goes on to the reader at once.
        let pin = control.ask(request).unwrap();
        assert!(pin.entered_on_pad());
        assert_eq!(pin.kind(), PinKind::Pin2);
        let events = seen.lock().unwrap();
        let [JobEvent::PinRequest(shown)] = events.as_slice() else {
            panic!("{events:?}")
        };
        assert!(shown.pin_pad);
        assert_eq!(shown.tries_left, Some(3));
        let json = serde_json::to_value(JobEvent::PinRequest(shown.clone())).unwrap();
        assert_eq!(json["pinPad"], true);
    }
}
