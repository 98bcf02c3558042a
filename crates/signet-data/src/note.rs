//! C2SP signed notes (`signed-note.md`) with Ed25519 signatures, and C2SP checkpoints
//! (`tlog-checkpoint.md`) carried in them.
//!
//! > "A note is a UTF-8 text … The text MUST end in a newline. … The signature block is
//! > separated from the text by a blank line … Each signature line starts with the U+2014 (em
//! > dash) character, followed by a space, the key name, a space, and the base64-encoded
//! > signature. … The key ID is the first four bytes (interpreted in big-endian order) of the
//! > SHA-256 hash of the following sequence: the key name, a newline character (0x0A), the
//! > signature type identifier, and the public key." (C2SP signed-note)
//!
//! Ed25519 has type identifier 0x01 and signs the note text, final newline included. Verifiers
//! ignore signatures from unknown keys. A checkpoint's text is
//! `<origin>\n<tree size, decimal>\n<base64 root hash>\n`, optionally followed by extension lines.
//!
//! The node's key is pinned in the client's configuration ([`NoteVerifier::parse`] reads the
//! usual verifier-key text `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`); it is never
//! learned from the node.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::merkle::Hash;

/// The signature type identifier of Ed25519 in C2SP signed notes.
pub const ED25519: u8 = 0x01;
/// The largest signed note read, in bytes.
pub const MAX_NOTE_LEN: usize = 64 * 1024;
/// The most signature lines read from one note (C2SP asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Why a signed note or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is not well formed.
    #[error("malformed signed note: {0}")]
    Malformed(&'static str),
    /// A key name that signed notes do not allow.
    #[error("key name {0:?} is empty or contains a space, a newline or '+'")]
    BadKeyName(String),
    /// A verifier-key text that is not `<name>+<hex key ID>+<base64(type ‖ key)>`.
    #[error("malformed verifier key: {0}")]
    BadVerifierKey(&'static str),
    /// No signature line from the pinned key.
    #[error("the note carries no signature by the pinned key {name} ({key_id:08x})")]
    NotSigned {
        /// The pinned key's name.
        name: String,
        /// The pinned key's ID.
        key_id: u32,
    },
    /// A signature line of the pinned key that does not verify.
    #[error("the signature of {name} ({key_id:08x}) on the note does not verify")]
    BadSignature {
        /// The pinned key's name.
        name: String,
        /// The pinned key's ID.
        key_id: u32,
    },
    /// The note text is not a checkpoint.
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(&'static str),
    /// A checkpoint for a different log.
    #[error("the checkpoint is for the log {found:?}, not {expected:?}")]
    WrongOrigin {
        /// The origin pinned.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(NoteError::BadKeyName(name.chars().take(64).collect()));
    }
    Ok(())
}

fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0A, ED25519]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// An Ed25519 note verifier: a key name and a public key, pinned by the client.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({}+{:08x})", self.name, self.key_id)
    }
}

impl NoteVerifier {
    /// A verifier for `key` under `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, key.as_bytes()),
            key,
        })
    }

    /// Reads the verifier-key text `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`; the key
    /// ID must match the name and key.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut parts = text.trim_end().splitn(3, '+');
        let (Some(name), Some(hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadVerifierKey(
                "expected three parts separated by '+'",
            ));
        };
        if hex.len() != 8 {
            return Err(NoteError::BadVerifierKey(
                "the key ID is not 8 hexadecimal digits",
            ));
        }
        let id = u32::from_str_radix(hex, 16)
            .map_err(|_| NoteError::BadVerifierKey("the key ID is not hexadecimal"))?;
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::BadVerifierKey("the key is not base64"))?;
        let (&kind, key) = raw
            .split_first()
            .ok_or(NoteError::BadVerifierKey("the key is empty"))?;
        if kind != ED25519 {
            return Err(NoteError::BadVerifierKey(
                "only Ed25519 (type 0x01) keys are supported",
            ));
        }
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| NoteError::BadVerifierKey("an Ed25519 key has 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| NoteError::BadVerifierKey("not an Ed25519 public key"))?;
        let verifier = Self::new(name, key)?;
        if verifier.key_id != id {
            return Err(NoteError::BadVerifierKey(
                "the key ID does not match the name and key",
            ));
        }
        Ok(verifier)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The verifier-key text, `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`.
    pub fn to_text(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, STANDARD.encode(raw))
    }
}

/// An Ed25519 note signer.
pub struct NoteSigner {
    verifier: NoteVerifier,
    key: SigningKey,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteSigner({:?})", self.verifier)
    }
}

impl NoteSigner {
    /// A signer with `key` under `name`.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        Ok(Self {
            verifier: NoteVerifier::new(name, key.verifying_key())?,
            key,
        })
    }

    /// The matching verifier.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs `text` (which must end in a newline and contain no blank line): the signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let sig = self.key.sign(text.as_bytes());
        let mut raw = self.verifier.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "{text}\n\u{2014} {} {}\n",
            self.verifier.name,
            STANDARD.encode(raw)
        ))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text does not end in a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed("the text contains a blank line"));
    }
    Ok(())
}

/// One signature line: key name, key ID and signature bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub key_id: u32,
    /// The signature (without the key ID).
    pub signature: Vec<u8>,
}

/// A parsed, not yet verified, signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The text, final newline included.
    pub text: String,
    /// The signature lines.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Parses a signed note.
    pub fn parse(note: &[u8]) -> Result<Self, NoteError> {
        if note.len() > MAX_NOTE_LEN {
            return Err(NoteError::Malformed("the note is too long"));
        }
        let note = std::str::from_utf8(note).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        let split = note
            .find("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let (text, block) = (&note[..=split], &note[split + 2..]);
        check_text(text)?;
        if !block.ends_with('\n') {
            return Err(NoteError::Malformed(
                "the signatures do not end in a newline",
            ));
        }
        let mut signatures = Vec::new();
        for line in block[..block.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures"));
            }
            let rest = line.strip_prefix("\u{2014} ").ok_or(NoteError::Malformed(
                "a signature line does not start with an em dash",
            ))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or(NoteError::Malformed("a signature line has no signature"))?;
            check_name(name)?;
            let raw = STANDARD
                .decode(b64)
                .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
            if raw.len() < 5 {
                return Err(NoteError::Malformed("a signature is too short"));
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
                signature: raw[4..].to_vec(),
            });
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Verifies the signature of `verifier` (other signatures are ignored, as C2SP says);
    /// returns the text.
    pub fn verify(&self, verifier: &NoteVerifier) -> Result<&str, NoteError> {
        let mut found = false;
        for sig in &self.signatures {
            if sig.name != verifier.name || sig.key_id != verifier.key_id {
                continue;
            }
            found = true;
            let ok = <[u8; 64]>::try_from(sig.signature.as_slice())
                .ok()
                .map(|b| ed25519_dalek::Signature::from_bytes(&b))
                .is_some_and(|s| verifier.key.verify_strict(self.text.as_bytes(), &s).is_ok());
            if ok {
                return Ok(&self.text);
            }
        }
        let (name, key_id) = (verifier.name.clone(), verifier.key_id);
        Err(if found {
            NoteError::BadSignature { name, key_id }
        } else {
            NoteError::NotSigned { name, key_id }
        })
    }
}

/// A checkpoint (C2SP tlog-checkpoint): the log's origin, its size and its root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// "The origin line SHOULD be a schema-less URL containing neither Unicode spaces nor plus
    /// (U+002B)".
    pub origin: String,
    /// The number of entries.
    pub size: u64,
    /// The RFC 9162 root hash of those entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text, `<origin>\n<size>\n<base64 root>\n`.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        )
    }

    /// Reads a checkpoint note text (extension lines are allowed and ignored).
    pub fn parse_text(text: &str) -> Result<Self, NoteError> {
        let mut lines = text.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() || origin.contains('+') || origin.chars().any(char::is_whitespace) {
            return Err(NoteError::BadCheckpoint(
                "the origin line is empty or has spaces",
            ));
        }
        let size = lines.next().unwrap_or_default();
        let valid_number = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size: u64 =
            valid_number
                .then(|| size.parse().ok())
                .flatten()
                .ok_or(NoteError::BadCheckpoint(
                    "the size line is not a decimal number",
                ))?;
        let root = Hash::from_base64(lines.next().unwrap_or_default()).ok_or(
            NoteError::BadCheckpoint("the root line is not the base64 of 32 bytes"),
        )?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Verifies a signed checkpoint note with the pinned key and origin.
    pub fn verify_note(
        note: &[u8],
        verifier: &NoteVerifier,
        origin: &str,
    ) -> Result<Self, NoteError> {
        let parsed = SignedNote::parse(note)?;
        let text = parsed.verify(verifier)?;
        let checkpoint = Self::parse_text(text)?;
        if checkpoint.origin != origin {
            return Err(NoteError::WrongOrigin {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}
